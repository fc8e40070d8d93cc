/*
 * tests/guests/riscv64/traps.S: a guest that executes garbage and jumps into
 * MMIO or to an unmapped address must get the architectural exception, never an emulator crash. Bare
 * metal in M-mode (-bios none -kernel traps.elf) on the virt board: an mtvec
 * handler records mcause, mtval and mepc and resumes at the case's continuation
 * label. Each case prints "trap NAME: mcause C mtval V ok" (or "... FAIL");
 * at the end "traps ok" and the SiFive test finisher ends the machine with PASS,
 * or with FAIL code 1 if any case failed. Harts other than 0 park in wfi.
 * A fetch from MMIO is architecturally an instruction access fault (mcause 1,
 * mtval the address). QEMU 7.2 instead reads the device's registers as code
 * and raises illegal instruction (mcause 2) with mepc at the device; the
 * program accepts that too and says so ("ok (executed device bytes)"); the
 * functional test asks Kestrel for the access fault.
 * Checked on qemu-system-riscv64 -M virt -bios none.
 */
#define UART 0x10000000
#define FINISHER 0x100000
#define ANY (-1)
#define HOLE 0x4000000                 /* nothing is mapped here on virt */

    .section .text.init, "ax"
    .globl _start
_start:
    csrr t0, mhartid
    bnez t0, park
    la sp, __stack_top
    la t0, handler
    csrw mtvec, t0
    li s4, 0                        /* failures */

/* CASE name, cause, mtval (ANY: not checked), mmio (1: a fetch from MMIO):
   then the code that must trap. */
.macro CASE label, cause, tval, mmio=0
    li s6, \mmio
    la a0, name_\label
    la s1, resume_\label
    li s2, \cause
    li s3, \tval
    la t0, trap_cause
    li t1, -1
    sd t1, 0(t0)                    /* "no trap" */
.endm
.macro END_CASE label
    j resume_\label                 /* fell through: no trap */
    .balign 4
resume_\label:
    call check
.endm

    CASE zero, 2, ANY
    .4byte 0x00000000               /* all-zero parcel: defined illegal */
    END_CASE zero

    CASE ones, 2, ANY
    .4byte 0xffffffff               /* an encoding longer than 32 bits */
    END_CASE ones

    CASE custom, 2, ANY
    .4byte 0x0000000b               /* custom-0 opcode, no extension here */
    END_CASE custom

    CASE csr, 2, ANY
    csrr t0, 0x7ff                  /* a CSR that does not exist */
    END_CASE csr

    CASE ebreak, 3, ANY
    ebreak
    END_CASE ebreak

    CASE ecall, 11, 0
    ecall
    END_CASE ecall

    CASE uart, 1, UART, 1
    li t0, UART
    jalr t0                         /* fetch from the 16550: not executable */
    END_CASE uart

    CASE clint, 1, 0x2000000, 1
    li t0, 0x2000000
    jalr t0                         /* fetch from the CLINT */
    END_CASE clint

    CASE nload, 5, HOLE
    li t0, HOLE
    ld t1, 0(t0)                    /* load from nothing: load access fault */
    END_CASE nload

    CASE nstore, 7, HOLE
    li t0, HOLE
    sd t0, 0(t0)                    /* store to nothing: store access fault */
    END_CASE nstore

    CASE nfetch, 1, HOLE
    li t0, HOLE
    jalr t0                         /* fetch from nothing */
    END_CASE nfetch

    beqz s4, 1f
    la a0, msg_fail
    call puts
    li t0, FINISHER
    li t1, (1 << 16) | 0x3333
    sw t1, 0(t0)
    j park
1:  la a0, msg_ok
    call puts
    li t0, FINISHER
    li t1, 0x5555
    sw t1, 0(t0)
park:
    wfi
    j park

/* The trap handler: records the trap and resumes at s1. */
    .balign 4
handler:
    csrr t0, mcause
    csrr t1, mtval
    csrr t2, mepc
    la t3, trap_cause
    sd t0, 0(t3)
    sd t1, 8(t3)
    sd t2, 16(t3)
    csrw mepc, s1
    mret

/* check: a0 = case name; s2/s3 = expected mcause/mtval; prints the result. */
check:
    addi sp, sp, -16
    sd ra, 0(sp)
    mv s5, a0
    la a0, msg_trap
    call puts
    mv a0, s5
    call puts
    la a0, msg_cause
    call puts
    la t0, trap_cause
    ld a0, 0(t0)
    call puthex
    la a0, msg_tval
    call puts
    la t0, trap_cause
    ld a0, 8(t0)
    call puthex
    la t0, trap_cause
    ld t1, 0(t0)
    ld t2, 8(t0)
    bne t1, s2, 4f
    li t3, ANY
    beq s3, t3, 1f
    bne t2, s3, 2f
1:  la a0, msg_caseok
    j 3f
4:  beqz s6, 2f                     /* QEMU's way for MMIO: illegal at the device */
    li t3, 2
    bne t1, t3, 2f
    ld t2, 16(t0)
    bne t2, s3, 2f
    la a0, msg_casealt
    j 3f
2:  addi s4, s4, 1
    la a0, msg_casefail
3:  call puts
    ld ra, 0(sp)
    addi sp, sp, 16
    ret

/* puts: a0 = NUL-terminated string. */
puts:
    li t0, UART
1:  lbu t1, 0(a0)
    beqz t1, 3f
2:  lbu t2, 5(t0)
    andi t2, t2, 0x20
    beqz t2, 2b
    sb t1, 0(t0)
    addi a0, a0, 1
    j 1b
3:  ret

/* puthex: a0 as 0x + 16 hex digits. */
puthex:
    li t0, UART
    li t3, 60
    la t4, hexdigits
    mv t5, a0
1:  lbu t2, 5(t0)
    andi t2, t2, 0x20
    beqz t2, 1b
    li t1, '0'
    sb t1, 0(t0)
2:  lbu t2, 5(t0)
    andi t2, t2, 0x20
    beqz t2, 2b
    li t1, 'x'
    sb t1, 0(t0)
3:  srl t1, t5, t3
    andi t1, t1, 15
    add t1, t1, t4
    lbu t1, 0(t1)
4:  lbu t2, 5(t0)
    andi t2, t2, 0x20
    beqz t2, 4b
    sb t1, 0(t0)
    addi t3, t3, -4
    bgez t3, 3b
    ret

    .section .rodata
hexdigits:    .ascii "0123456789abcdef"
msg_trap:     .asciz "trap "
msg_cause:    .asciz ": mcause "
msg_tval:     .asciz " mtval "
msg_caseok:   .asciz " ok\n"
msg_casefail: .asciz " FAIL\n"
msg_casealt:  .asciz " ok (executed device bytes)\n"
msg_ok:       .asciz "traps ok\n"
msg_fail:     .asciz "traps FAILED\n"
name_zero:    .asciz "illegal all-zero word"
name_ones:    .asciz "illegal 0xffffffff"
name_custom:  .asciz "illegal custom-0 opcode"
name_csr:     .asciz "nonexistent CSR 0x7ff"
name_uart:    .asciz "jump into UART MMIO"
name_clint:   .asciz "jump into CLINT MMIO"
name_ebreak:  .asciz "ebreak"
name_ecall:   .asciz "ecall from M-mode"
name_nload:   .asciz "load from unmapped address"
name_nstore:  .asciz "store to unmapped address"
name_nfetch:  .asciz "jump to unmapped address"

    .section .bss
    .balign 8
trap_cause:   .space 24
