/*
 * virtio-blk.S - ROM guest (-bios) for a virtio-blk-device in microvm's first
 * virtio-mmio slot, driven by polling from 64-bit long mode (virtio-guest.h).
 *
 * Prints, each on its own line:
 *   "virtio-blk ready"                  after negotiation and queue setup
 *   "read status S"                     status byte of a read of sector 0
 *   "sector0: HEX"                      its first 16 bytes, 32 hex digits
 *   "write status S"                    status of writing PATTERN to sector 1
 *   "flush status S"                    status of a flush
 *   "virtio-blk done"
 * then powers off. Status 0 is OK, 1 IOERR (e.g. a read-only drive refusing
 * the write). PATTERN byte i (0..511) is (i & 0xff) ^ 0xa5. On a protocol
 * failure prints "FAIL <what>" and powers off.
 */
#include "lib.h"
#include "virtio-guest.h"

#define REQ_HDR     0x23000     /* type, reserved, sector */
#define REQ_DATA    0x24000     /* 512 bytes */
#define REQ_STATUS  0x25000

/* SUBMIT type, sector, data_flags: header + 512-byte data + status, wait. */
.macro SUBMIT type, sector, data_flags
    movl    $(\type), (REQ_HDR)
    movl    $0, (REQ_HDR + 4)
    movq    $(\sector), (REQ_HDR + 8)
    movb    $0xff, (REQ_STATUS)
    VQ_DESC_SET 0, REQ_HDR, 16, VQ_F_NEXT, 1
    VQ_DESC_SET 1, REQ_DATA, 512, (\data_flags) | VQ_F_NEXT, 2
    VQ_DESC_SET 2, REQ_STATUS, 1, VQ_F_WRITE, 0
    xor     %edi, %edi
    call    virtq_run64
.endm

/* PRINT_STATUS "label": "label S" with the status byte in decimal. */
.macro PRINT_STATUS label
    PUTS64  "\label "
    movzbl  (REQ_STATUS), %eax
    call    putdec64
    PUTLN64 ""
.endm

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
    mov     $2, %edi                    /* virtio block device */
    call    virtio_init64
    PUTLN64 "virtio-blk ready"

    /* Read sector 0 and print its first 16 bytes. */
    SUBMIT  0, 0, VQ_F_WRITE
    PRINT_STATUS "read status"
    PUTS64  "sector0: "
    xor     %r12d, %r12d
1:  movzbl  REQ_DATA(%r12), %eax
    call    puthexbyte64
    inc     %r12d
    cmp     $16, %r12d
    jb      1b
    PUTLN64 ""

    /* Write the pattern to sector 1. */
    xor     %ecx, %ecx
2:  mov     %cl, %al
    xor     $0xa5, %al
    mov     %al, REQ_DATA(%rcx)
    inc     %ecx
    cmp     $512, %ecx
    jb      2b
    SUBMIT  1, 1, 0
    PRINT_STATUS "write status"

    /* Flush: header and status only. */
    movl    $4, (REQ_HDR)
    movq    $0, (REQ_HDR + 8)
    movb    $0xff, (REQ_STATUS)
    VQ_DESC_SET 0, REQ_HDR, 16, VQ_F_NEXT, 2
    xor     %edi, %edi
    call    virtq_run64
    PRINT_STATUS "flush status"
    PUTLN64 "virtio-blk done"
fail:
    POWEROFF

    SERIAL_ROUTINES 64
    VIRTIO_ROUTINES

    GDT_TABLE
    RESET_VECTOR start16
