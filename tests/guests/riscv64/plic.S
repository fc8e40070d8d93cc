/*
 * The virt board's PLIC, Goldfish RTC and device tree as an M-mode program
 * sees them with -bios none (Debian's QEMU 7.2 runs it up to the interrupt,
 * which its hart-0 M-mode context does not deliver there):
 *   - a1 points at a flattened device tree (magic 0xd00dfeed, big-endian);
 *   - a claim with nothing pending returns 0; a priority reads back;
 *   - the UART's THR-empty interrupt (IER bit 1) makes source 10 pending;
 *   - with source 10 enabled for context 0 (hart 0 M-mode) and MEIE/MIE on,
 *     the hart takes machine external interrupt 11; the handler claims 10,
 *     silences the UART and completes; the pending bit is then clear;
 *   - a threshold at the source's priority masks it (mip.MEIP stays 0) and
 *     lowering the threshold raises mip.MEIP again;
 *   - the RTC's TIME_LOW/TIME_HIGH give a wall-clock time after 2020.
 * Each step prints a line; a failure prints "FAIL: step" and exits with 1.
 */
#define UART        0x10000000
#define FINISHER    0x100000
#define RTC         0x101000
#define PLIC        0xc000000
#define PRIORITY10  (PLIC + 4 * 10)
#define PENDING     (PLIC + 0x1000)
#define ENABLE0     (PLIC + 0x2000)
#define THRESHOLD0  (PLIC + 0x200000)
#define CLAIM0      (PLIC + 0x200004)
#define IRQ_UART    10

    .section .text.init, "ax"
    .globl _start
_start:
    la sp, __stack_top
    la t0, trap
    csrw mtvec, t0
    bnez a0, park
    mv s1, a1

    la a0, s_boot
    call puts

    /* the device tree header (big-endian magic) */
    lwu t0, 0(s1)
    li t1, 0xedfe0dd0
    la a0, s_fdt
    bne t0, t1, fail
    call puts

    /* nothing to claim; priority reads back */
    li t0, CLAIM0
    lw t1, 0(t0)
    la a0, s_regs
    bnez t1, fail
    li t0, PRIORITY10
    li t1, 1
    sw t1, 0(t0)
    lw t2, 0(t0)
    bne t1, t2, fail
    li t0, THRESHOLD0
    sw zero, 0(t0)
    call puts

    /* THR empty interrupt: source 10 pending */
    li t0, UART
    li t1, 2
    sb t1, 1(t0)
    li t0, PENDING
    lw t1, 0(t0)
    srli t1, t1, IRQ_UART
    andi t1, t1, 1
    la a0, s_pending
    beqz t1, fail
    call puts

    /* enable for context 0 and take the interrupt (re-armed: printing cleared it) */
    li t0, UART
7:  lbu t1, 5(t0)
    andi t1, t1, 0x40
    beqz t1, 7b
    sb zero, 1(t0)
    li t1, 2
    sb t1, 1(t0)
    li t0, ENABLE0
    li t1, 1 << IRQ_UART
    sw t1, 0(t0)
    la t0, irq_cause
    sd zero, 0(t0)
    li t0, 1 << 11
    csrw mie, t0
    csrsi mstatus, 8
1:  ld t1, irq_cause
    beqz t1, 1b
    csrci mstatus, 8
    li t2, (1 << 63) | 11
    la a0, s_irq
    bne t1, t2, fail
    ld t1, irq_claimed
    li t2, IRQ_UART
    bne t1, t2, fail
    li t0, PENDING
    lw t1, 0(t0)
    srli t1, t1, IRQ_UART
    andi t1, t1, 1
    bnez t1, fail
    call puts

    /* threshold masks the source; lowering it raises MEIP again */
    li t0, THRESHOLD0
    li t1, 1
    sw t1, 0(t0)
    li t0, UART
    li t1, 2
    sb t1, 1(t0)
    li t3, 10000
2:  addi t3, t3, -1
    bnez t3, 2b
    csrr t1, mip
    srli t1, t1, 11
    andi t1, t1, 1
    la a0, s_threshold
    bnez t1, fail
    li t0, THRESHOLD0
    sw zero, 0(t0)
    li t3, 100000
3:  csrr t1, mip
    srli t1, t1, 11
    andi t1, t1, 1
    bnez t1, 4f
    addi t3, t3, -1
    bnez t3, 3b
    j fail
4:  li t0, CLAIM0
    lw t1, 0(t0)
    li t0, UART
    sb zero, 1(t0)
    li t0, CLAIM0
    sw t1, 0(t0)
    call puts

    /* the RTC: nanoseconds since 1970, after 2020 (0x16345785d8a0000 = 1.6e18) */
    li t0, RTC
    lwu t1, 0(t0)
    lwu t2, 4(t0)
    slli t2, t2, 32
    or t1, t1, t2
    li t2, 0x16345785d8a0000
    la a0, s_rtc
    bltu t1, t2, fail
    call puts

    li t0, FINISHER
    li t1, 0x5555
    sw t1, 0(t0)
5:  j 5b

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

/* External interrupt: record mcause, claim, silence the UART, complete. */
    .balign 4
trap:
    csrw mscratch, t0
    csrr t0, mcause
    bgez t0, unexpected
    sd t0, irq_cause, t6
    li t0, CLAIM0
    lw t6, 0(t0)
    sd t6, irq_claimed, t0
    li t0, UART
    sb zero, 1(t0)
    li t0, CLAIM0
    sw t6, 0(t0)
    csrr t0, mscratch
    mret
unexpected:
    la a0, s_trap
    j fail

    .section .rodata
s_boot:      .asciz "plic boot\n"
s_fdt:       .asciz "device tree in a1 ok\n"
s_regs:      .asciz "plic registers ok\n"
s_pending:   .asciz "uart source pending ok\n"
s_irq:       .asciz "external interrupt claimed and completed ok\n"
s_threshold: .asciz "threshold ok\n"
s_rtc:       .asciz "rtc ok\n"
s_trap:      .asciz "unexpected exception\n"
s_fail:      .asciz "FAIL: "

    .data
    .balign 8
irq_cause:   .dword 0
irq_claimed: .dword 0
