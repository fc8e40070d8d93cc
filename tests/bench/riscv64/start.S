/*
 * Bare-metal entry of the riscv64 benchmark: stack, global pointer, zeroed
 * bss, FPU on, then main(); its return value ends the machine through the
 * SiFive test finisher (0: pass, else fail with that code).
 */
    .section .text.init, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    la sp, __stack_top
    la t0, __bss_start
    la t1, __bss_end
1:  bgeu t0, t1, 2f
    sd zero, 0(t0)
    addi t0, t0, 8
    j 1b
2:  li t0, 0x2000
    csrs mstatus, t0
    csrwi fcsr, 0
    call main
    li t1, 0x100000
    li t2, 0x5555
    beqz a0, 3f
    slli a0, a0, 16
    li t2, 0x3333
    or t2, t2, a0
3:  sw t2, 0(t1)
4:  wfi
    j 4b
