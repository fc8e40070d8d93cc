/*
 * SiFive test finisher: prints "finisher" on the UART and ends the machine
 * with FAIL and exit code 42 (0x3333 | 42 << 16), so the exit status shows
 * that the code travels through. Runs on Kestrel and qemu-system-riscv64.
 */
    .section .text.init, "ax"
    .globl _start
_start:
    la a0, msg
    li t0, 0x10000000
1:  lbu t1, 0(a0)
    beqz t1, 2f
    sb t1, 0(t0)
    addi a0, a0, 1
    j 1b
2:  li t0, 0x100000
    li t1, (42 << 16) | 0x3333
    sw t1, 0(t0)
3:  wfi
    j 3b

    .section .rodata
msg: .asciz "finisher\n"
