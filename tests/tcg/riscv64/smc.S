/*
 * Self-modifying code: a function whose "addi a0, zero, IMM" is rewritten
 * before each call (fence.i after every write) must return the new value each
 * time; an instruction later in the running block is rewritten and reached
 * after fence.i; and an instruction is rewritten with two halfword stores.
 */
#include "test.h"

    .option norvc
#define ADDI_A0(imm) (((imm) << 20) | 0x513)

TEST_BEGIN("smc")
    li s0, 0
1:  la t0, patched_fn
    slli t1, s0, 20
    li t2, 0x513
    or t1, t1, t2
    sw t1, 0(t0)
    fence.i
    call patched_fn
    CHECK_EQ(a0, s0)
    addi s0, s0, 1
    li t0, 10
    blt s0, t0, 1b
    /* the rewritten instruction follows in the same block */
    la t0, 2f
    li t1, ADDI_A0(42)
    sw t1, 0(t0)
    fence.i
2:  addi a0, zero, 1
    CHECK(a0, 42)
    /* two halfword stores */
    la t0, 3f
    li t1, ADDI_A0(0x555)
    sh t1, 0(t0)
    srli t1, t1, 16
    sh t1, 2(t0)
    fence.i
3:  addi a0, zero, 2
    CHECK(a0, 0x555)
TEST_END

patched_fn:
    addi a0, zero, 0
    ret
