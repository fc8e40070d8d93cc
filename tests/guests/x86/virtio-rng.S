/*
 * virtio-rng.S - ROM guest (-bios) for a virtio-rng-device in microvm's first
 * virtio-mmio slot, driven by polling from 64-bit long mode (virtio-guest.h).
 *
 * Offers one 32-byte device-writable buffer twice and prints, per round,
 * "rng N: HEX" (N the length the device reported, HEX the 32 bytes), then
 * "rng ok" when both rounds got 32 bytes that are neither all zero nor the
 * same twice, and powers off. On a failure prints "FAIL <what>".
 */
#include "lib.h"
#include "virtio-guest.h"

#define RNG_BUF     0x23000     /* round r at RNG_BUF + 32 * r */

    .text
    .code16
start16:
    REAL_MODE_INIT
    SERIAL_INIT
    ENTER_PROTECTED start32

    .code32
start32:
    PROTECTED_MODE_INIT
    BUILD_PAGE_TABLES PT_BASE, 1
    ENTER_LONG PT_BASE, start64

    .code64
start64:
    LONG_MODE_INIT
    mov     $4, %edi                    /* entropy source */
    call    virtio_init64

    xor     %r13d, %r13d                /* round */
round:
    mov     %r13d, %eax
    shl     $5, %eax
    lea     RNG_BUF(%rax), %r14         /* this round's buffer */
    mov     %r14, (VQ_DESC)
    movl    $32, (VQ_DESC + 8)
    movw    $VQ_F_WRITE, (VQ_DESC + 12)
    xor     %edi, %edi
    call    virtq_run64
    mov     %eax, %r15d
    PUTS64  "rng "
    mov     %r15d, %eax
    call    putdec64
    PUTS64  ": "
    xor     %r12d, %r12d
1:  movzbl  (%r14, %r12), %eax
    call    puthexbyte64
    inc     %r12d
    cmp     $32, %r12d
    jb      1b
    PUTLN64 ""
    cmp     $32, %r15d
    je      2f
    PUTLN64 "FAIL short read"
    jmp     fail
2:  mov     (%r14), %rax                /* all zero? */
    or      8(%r14), %rax
    or      16(%r14), %rax
    or      24(%r14), %rax
    jnz     3f
    PUTLN64 "FAIL all zero"
    jmp     fail
3:  inc     %r13d
    cmp     $2, %r13d
    jb      round

    mov     (RNG_BUF), %rax             /* the two rounds differ */
    cmp     (RNG_BUF + 32), %rax
    jne     4f
    PUTLN64 "FAIL same bytes twice"
    jmp     fail
4:  PUTLN64 "rng ok"
fail:
    POWEROFF

    SERIAL_ROUTINES 64
    VIRTIO_ROUTINES

    GDT_TABLE
    RESET_VECTOR start16
