/*
 * Four harts (-smp 4, -bios none, M-mode, a0 = hart id) sharing memory and
 * waking each other, the way OpenSBI's spinlocks and HSM IPIs do:
 *   - locks: every hart takes an amoswap spinlock ROUNDS times and increments
 *     a plain (ld/addi/sd) counter under it, increments a second counter with
 *     an lr.d/sc.d loop and a third with amoadd.d; after a barrier hart 0
 *     checks that each counter is 4 * ROUNDS (a lost update is a FAIL);
 *   - wfi/IPI ping-pong: with mstatus.MIE clear and mie.MSIE set, hart 0
 *     hands a token to each other hart in turn PINGS times through memory
 *     and its CLINT msip, and waits in wfi for the answer the same way. Each
 *     waiter clears its own msip, then checks memory, then waits, so a wakeup
 *     lost by the emulator hangs the test (the caller's timeout).
 * Hart 0 prints "smp ok" and passes (finisher 0x5555); a wrong count prints
 * "smp FAIL" and exits with 1.
 */
#define FINISHER 0x100000
#define MSIP     0x2000000
#define NHARTS   4
#define ROUNDS   50000
#define PINGS    2000
#define MIE_MSIE 8

    .section .text.init, "ax"
    .globl _start
_start:
    mv s0, a0                   /* hart id */
    csrw mie, zero
    li s1, 0
    li s2, ROUNDS
    la s3, lock
    la s4, counters
    addi s9, s4, 8
    addi s10, s4, 16
1:  li t0, 1
2:  amoswap.w.aq t1, t0, (s3)
    beqz t1, 4f
3:  lw t1, 0(s3)                /* spin reading until it looks free */
    bnez t1, 3b
    j 2b
4:  ld t2, 0(s4)
    addi t2, t2, 1
    sd t2, 0(s4)
    amoswap.w.rl zero, zero, (s3)
5:  lr.d t2, (s9)
    addi t2, t2, 1
    sc.d t3, t2, (s9)
    bnez t3, 5b
    li t2, 1
    amoadd.d zero, t2, (s10)
    addi s1, s1, 1
    blt s1, s2, 1b

    /* barrier: every hart has finished its rounds */
    la t0, arrived
    li t1, 1
    amoadd.w zero, t1, (t0)
6:  lw t1, 0(t0)
    li t2, NHARTS
    blt t1, t2, 6b

    li t0, MIE_MSIE
    csrw mie, t0
    li s5, MSIP
    la s6, token
    la s7, answer
    slli t0, s0, 2
    add s8, s5, t0              /* this hart's msip */
    bnez s0, pong

    /* hart 0: the counters, then the pings */
    li t0, NHARTS * ROUNDS
    ld t1, 0(s4)
    bne t1, t0, fail
    ld t1, 8(s4)
    bne t1, t0, fail
    ld t1, 16(s4)
    bne t1, t0, fail
    li s1, 1                    /* round */
7:  li s2, 1                    /* hart pinged */
8:  slli t0, s2, 3
    add t1, s6, t0
    sd s1, 0(t1)                /* token[hart] = round */
    fence w, o
    slli t2, s2, 2
    add t2, s5, t2
    li t3, 1
    sw t3, 0(t2)                /* its msip */
    add t1, s7, t0
9:  sw zero, 0(s8)              /* clear, then check, then wait */
    fence o, r
    ld t2, 0(t1)
    beq t2, s1, 10f
    wfi
    j 9b
10: addi s2, s2, 1
    li t0, NHARTS
    blt s2, t0, 8b
    addi s1, s1, 1
    li t0, PINGS
    ble s1, t0, 7b
    la a0, s_pass
    call puts
    li t0, FINISHER
    li t1, 0x5555
    sw t1, 0(t0)
    j park

/* harts 1-3: wait for each round's token, answer it and wake hart 0 */
pong:
    slli t0, s0, 3
    add s6, s6, t0              /* token[me] */
    add s7, s7, t0              /* answer[me] */
    li s1, 1
1:  sw zero, 0(s8)
    fence o, r
    ld t0, 0(s6)
    beq t0, s1, 2f
    wfi
    j 1b
2:  sd s1, 0(s7)
    fence w, o
    li t0, 1
    sw t0, 0(s5)                /* hart 0's msip */
    addi s1, s1, 1
    li t0, PINGS
    ble s1, t0, 1b
park:
    csrw mie, zero
1:  wfi
    j 1b

fail:
    la a0, s_fail
    call puts
    li t0, FINISHER
    li t1, (1 << 16) | 0x3333
    sw t1, 0(t0)
    j park

/* puts(a0): clobbers a0, t5, t6 */
puts:
    li t6, 0x10000000
1:  lbu t5, 0(a0)
    beqz t5, 2f
    sb t5, 0(t6)
    addi a0, a0, 1
    j 1b
2:  ret

    .data
    .balign 64
lock:       .word 0
    .balign 64
counters:   .dword 0, 0, 0
    .balign 64
arrived:    .word 0
    .balign 64
token:      .dword 0, 0, 0, 0
answer:     .dword 0, 0, 0, 0

    .section .rodata
s_pass: .asciz "smp ok\n"
s_fail: .asciz "smp FAIL\n"
