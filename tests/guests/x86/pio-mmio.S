/*
 * pio-mmio.S - ROM guest (-bios) for -device kestrel-testdev: port and MMIO
 * accesses of every size, from 64-bit long mode.
 *
 * Tests:
 *  - I/O ports 0xe0-0xe3 (32-bit scratch): out then in at sizes 1, 2 and 4
 *    read back what was written;
 *  - MMIO scratch at TESTDEV_MMIO (0xfe000000): write then read at sizes 1, 2,
 *    4 and 8 (the 8-byte ones are single 64-bit movs) read back what was
 *    written;
 *  - the MMIO access counter at TESTDEV_MMIO+8 grows by 2 or 3 across one
 *    scratch write + read (3 when the counter reads count themselves);
 *  - a read of unmapped physical address 0xfd000000 returns all ones.
 * Prints "pio ok", "mmio ok", "unmapped ok", each on its own line, then
 * powers off; on the first mismatch prints "FAIL <what> got <hex>" instead
 * of the ok line (the other checks still run).
 * Build-time knobs, for trying it on QEMU's pc-testdev: -DTESTDEV_MMIO=0xff000000
 * (its scratch MMIO), -DNO_MMIO_COUNTER (it has no counter).
 */
#include "lib.h"

#define UNMAPPED_MMIO   0xfd000000

/* CHECK_EQ reg64, $imm, what: if reg64 != imm (zero-extended) print
 * "FAIL what got <reg64 in hex>" and set the failure flag in %r15b.
 * Clobbers RAX..RDX, RSI, RDI, R14. */
.macro CHECK_EQ reg, value, what
    movabs  \value, %r14
    cmp     %r14, \reg
    je      1f
    mov     \reg, %r14
    PUTS64  "FAIL \what got "
    mov     %r14, %rax
    shr     $32, %rax
    jz      2f
    call    puthex64                /* high half, for 64-bit values */
2:  mov     %r14d, %eax
    call    puthex64
    PUTLN64 ""
    mov     $1, %r15b
1:
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

    /* ---- port I/O ---- */
    xor     %r15d, %r15d
    mov     $TESTDEV_PORT, %dx
    mov     $0x5a, %al
    outb    %al, %dx
    xor     %eax, %eax
    inb     %dx, %al
    mov     %eax, %r8d
    mov     $0xa55a, %ax
    outw    %ax, %dx
    xor     %eax, %eax
    inw     %dx, %ax
    mov     %eax, %r9d
    mov     $0x12345678, %eax
    outl    %eax, %dx
    xor     %eax, %eax
    inl     %dx, %eax
    mov     %eax, %r10d
    CHECK_EQ %r8, $0x5a, "pio size 1"
    CHECK_EQ %r9, $0xa55a, "pio size 2"
    CHECK_EQ %r10, $0x12345678, "pio size 4"
    test    %r15b, %r15b
    jnz     1f
    PUTLN64 "pio ok"
1:
    /* ---- MMIO scratch and counter ---- */
    xor     %r15d, %r15d
    mov     $TESTDEV_MMIO, %ebx
    mov     8(%rbx), %r12d          /* counter before */
    movb    $0xc3, (%rbx)
    movzbl  (%rbx), %r8d
    mov     8(%rbx), %r13d          /* counter after one write + one read */
    movw    $0xbeef, (%rbx)
    movzwl  (%rbx), %r9d
    movl    $0x87654321, (%rbx)
    mov     (%rbx), %r10d
    movabs  $0x0123456789abcdef, %rax
    mov     %rax, (%rbx)
    mov     (%rbx), %r11
    CHECK_EQ %r8, $0xc3, "mmio size 1"
    CHECK_EQ %r9, $0xbeef, "mmio size 2"
    CHECK_EQ %r10, $0x87654321, "mmio size 4"
    CHECK_EQ %r11, $0x0123456789abcdef, "mmio size 8"
#ifndef NO_MMIO_COUNTER
    sub     %r12d, %r13d            /* accesses counted in between */
    cmp     $2, %r13d
    je      2f
    CHECK_EQ %r13, $3, "mmio counter delta"
2:
#endif
    test    %r15b, %r15b
    jnz     1f
    PUTLN64 "mmio ok"
1:
    /* ---- unmapped MMIO reads all ones ---- */
    xor     %r15d, %r15d
    mov     $UNMAPPED_MMIO, %ebx
    mov     (%rbx), %r8d
    CHECK_EQ %r8, $0xffffffff, "unmapped read"
    test    %r15b, %r15b
    jnz     1f
    PUTLN64 "unmapped ok"
1:
    POWEROFF

    .code16
    SERIAL_ROUTINES 16
    .code64
    SERIAL_ROUTINES 64
    GDT_TABLE

    RESET_VECTOR start16
