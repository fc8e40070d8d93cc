/*
 * Code generation under pressure: every hart rewrites its own small function
 * ("addi a0, zero, IMM; ret") 40000 times with fence.i, calling it each time
 * and checking that the new immediate comes back. Every rewrite makes a new
 * translation, so with a small code buffer (-accel tcg,tb-size=1) Kestrel
 * flushes it many times while the other harts run. Hart 0 waits until every
 * hart that started (a0 = hart id, up to 4) is done and passes (finisher
 * 0x5555); a wrong value prints "codegen FAIL" and exits with 1.
 */
#define FINISHER 0x100000
#define ROUNDS   40000

    .option norvc
    .section .text.init, "ax"
    .globl _start
_start:
    la t0, funcs
    slli t1, a0, 3
    add s0, t0, t1              /* this hart's function */
    la t0, started
    li t1, 1
    amoadd.w zero, t1, (t0)
    li s1, 0                    /* round */
    li s2, ROUNDS
1:  andi t1, s1, 2047
    slli t2, t1, 20
    li t3, 0x513                /* addi a0, zero, 0 */
    or t2, t2, t3
    sw t2, 0(s0)
    fence.i
    jalr s0
    andi t1, s1, 2047
    bne a0, t1, fail
    addi s1, s1, 1
    blt s1, s2, 1b
    la t0, done
    li t1, 1
    amoadd.w zero, t1, (t0)
    csrr t2, mhartid
    bnez t2, 3f
2:  lw t3, started
    lw t1, done
    blt t1, t3, 2b
    la a0, s_pass
    call puts
    li t0, FINISHER
    li t1, 0x5555
    sw t1, 0(t0)
3:  wfi
    j 3b

fail:
    la a0, s_fail
    call puts
    li t0, FINISHER
    li t1, (1 << 16) | 0x3333
    sw t1, 0(t0)
    j 3b

/* puts(a0): clobbers a0, t4-t6 */
puts:
    li t6, 0x10000000
1:  lbu t5, 0(a0)
    beqz t5, 2f
    sb t5, 0(t6)
    addi a0, a0, 1
    j 1b
2:  ret

    .balign 8
funcs:
    .rept 4
    addi a0, zero, 0
    ret
    .endr

    .section .rodata
s_pass: .asciz "codegen ok\n"
s_fail: .asciz "codegen FAIL\n"

    .data
    .balign 4
started: .word 0
done:    .word 0
