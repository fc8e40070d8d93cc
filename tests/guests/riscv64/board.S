/*
 * The "virt" board as bare-metal programs see it, on Kestrel and on
 * qemu-system-riscv64 -M virt -bios none:
 *   - a0 holds the hart id (0) and a1 the device tree address;
 *   - the UART's LSR says the transmitter is empty;
 *   - CLINT mtime advances; mtimecmp and msip read back what was written;
 *   - a timer interrupt: mtimecmp = mtime + 1 ms, MTIE and MIE on, wfi, and the
 *     trap arrives with mcause = interrupt 7;
 *   - a software interrupt through msip, mcause = interrupt 3;
 *   - reset through the finisher (0x7777): the program starts again, finds
 *     its boot counter (a word past its image, which reset does not touch) at
 *     1 and passes (0x5555).
 * Each step prints a line; a failure prints "FAIL: step" and exits with 1.
 */
#define UART     0x10000000
#define FINISHER 0x100000
#define CLINT    0x2000000
#define MSIP     (CLINT + 0x0)
#define MTIMECMP (CLINT + 0x4000)
#define MTIME    (CLINT + 0xbff8)

    .section .text.init, "ax"
    .globl _start
_start:
    mv s0, a0                   /* hart id */
    la sp, __stack_top
    la t0, trap
    csrw mtvec, t0
    bnez s0, park
    /* boot counter: after the stack, untouched by the image loader */
    la s1, __stack_top
    lw t0, 0(s1)
    li t1, 0x5a5a0001
    beq t0, t1, second_boot

    la a0, s_boot
    call puts
    bnez s0, fail_hart

    /* UART: THR empty and transmitter idle */
    li t0, UART
    lbu t1, 5(t0)
    andi t1, t1, 0x60
    li t2, 0x60
    la a0, s_uart
    bne t1, t2, fail
    call puts

    /* mtime advances */
    li t0, MTIME
    ld t1, 0(t0)
    li t3, 200000
1:  addi t3, t3, -1
    bnez t3, 1b
    ld t2, 0(t0)
    la a0, s_mtime
    bleu t2, t1, fail
    call puts

    /* mtimecmp and msip read back (32-bit halves too) */
    li t0, MTIMECMP
    li t1, 0x123456789abcdef0
    sd t1, 0(t0)
    ld t2, 0(t0)
    la a0, s_regs
    bne t1, t2, fail
    lwu t2, 4(t0)
    li t3, 0x12345678
    bne t2, t3, fail
    li t1, -1
    sd t1, 0(t0)
    li t0, MSIP
    li t1, 1
    sw t1, 0(t0)
    lw t2, 0(t0)
    bne t1, t2, fail
    sw zero, 0(t0)
    lw t2, 0(t0)
    bnez t2, fail
    call puts

    /* timer interrupt after 1 ms (10000 ticks at 10 MHz) */
    li t0, MTIME
    ld t1, 0(t0)
    li t2, 10000
    add t1, t1, t2
    li t0, MTIMECMP
    sd t1, 0(t0)
    la t0, irq_seen
    sd zero, 0(t0)
    li t0, 1 << 7
    csrw mie, t0
    csrsi mstatus, 8
2:  wfi
    ld t1, irq_seen
    beqz t1, 2b
    csrci mstatus, 8
    li t2, (1 << 63) | 7
    la a0, s_timer
    bne t1, t2, fail
    call puts

    /* software interrupt */
    la t0, irq_seen
    sd zero, 0(t0)
    li t0, 1 << 3
    csrw mie, t0
    li t0, MSIP
    li t1, 1
    sw t1, 0(t0)
    csrsi mstatus, 8
3:  ld t1, irq_seen
    beqz t1, 3b
    csrci mstatus, 8
    li t2, (1 << 63) | 3
    la a0, s_soft
    bne t1, t2, fail
    call puts

    /* reset: come back with the counter set */
    li t0, 0x5a5a0001
    sw t0, 0(s1)
    la a0, s_reset
    call puts
    li t0, FINISHER
    li t1, 0x7777
    sw t1, 0(t0)
4:  j 4b

second_boot:
    sw zero, 0(s1)
    la a0, s_again
    call puts
    li t0, FINISHER
    li t1, 0x5555
    sw t1, 0(t0)
5:  j 5b

fail_hart:
    la a0, s_hart
fail:
    mv s2, a0
    la a0, s_fail
    call puts
    mv a0, s2
    call puts
    li t0, FINISHER
    li t1, (1 << 16) | 0x3333
    sw t1, 0(t0)
6:  j 6b

park:
    wfi
    j park

/* puts(a0): clobbers a0, t4-t6 */
puts:
    li t6, UART
1:  lbu t5, 0(a0)
    beqz t5, 3f
2:  lbu t4, 5(t6)
    andi t4, t4, 0x20
    beqz t4, 2b
    sb t5, 0(t6)
    addi a0, a0, 1
    j 1b
3:  ret

/* Interrupts: record mcause, silence the source (mtimecmp = max, msip = 0). */
    .balign 4
trap:
    csrw mscratch, t0
    csrr t0, mcause
    bgez t0, unexpected
    sd t0, irq_seen, t6
    li t0, MTIMECMP
    li t6, -1
    sd t6, 0(t0)
    li t0, MSIP
    sw zero, 0(t0)
    csrr t0, mscratch
    mret
unexpected:
    la a0, s_trap
    j fail

    .section .rodata
s_boot:  .asciz "boot\n"
s_uart:  .asciz "uart ok\n"
s_mtime: .asciz "mtime ok\n"
s_regs:  .asciz "clint registers ok\n"
s_timer: .asciz "timer interrupt ok\n"
s_soft:  .asciz "software interrupt ok\n"
s_reset: .asciz "resetting\n"
s_again: .asciz "reset ok\n"
s_hart:  .asciz "a0 is not hart 0\n"
s_trap:  .asciz "unexpected exception\n"
s_fail:  .asciz "FAIL: "

    .data
    .balign 8
irq_seen: .dword 0
