/*
 * The A extension on one hart: LR/SC success and the failure cases the spec
 * requires or allows (SC without a reservation, a second SC, SC to another
 * address, SC after the reserved location was changed by a store), lr.w sign
 * extension, every AMO in its .w and .d forms (old value returned, .w results
 * sign-extended, rd = x0, rd = rs2), aq/rl variants, and misaligned LR/AMO
 * raising the address-misaligned exceptions with mtval = the address.
 */
#include "test.h"

/* AMO(insn, initial memory, rs2, expected rd, expected memory) on buf */
#define AMOD(insn, mem, src, exp_rd, exp_mem) \
    li t0, mem; sd t0, 0(s0); li t1, src; insn t2, t1, (s0); \
    CHECK(t2, exp_rd); ld t2, 0(s0); CHECK(t2, exp_mem)
#define AMOW(insn, mem, src, exp_rd, exp_mem) \
    li t0, mem; sd t0, 0(s0); li t1, src; insn t2, t1, (s0); \
    CHECK(t2, exp_rd); ld t2, 0(s0); CHECK(t2, exp_mem)

TEST_BEGIN("atomic")
    la s0, buf
    /* LR/SC */
    li t0, 100
    sd t0, 0(s0)
    lr.d t1, (s0)
    CHECK(t1, 100)
    li t2, 200
    sc.d t3, t2, (s0)
    CHECK(t3, 0)
    ld t1, 0(s0)
    CHECK(t1, 200)
    sc.d t3, t2, (s0)           /* reservation already used */
    CHECK(t3, 1)
    lr.d t1, (s0)
    li t2, 300
    addi s2, s0, 8
    sc.d t3, t2, (s2)           /* another address */
    CHECK(t3, 1)
    ld t1, 8(s0)
    CHECK(t1, 0)
    lr.d t1, (s0)
    li t2, 7
    sd t2, 0(s0)                /* the reserved value changed */
    li t2, 400
    sc.d t3, t2, (s0)
    CHECK(t3, 1)
    ld t1, 0(s0)
    CHECK(t1, 7)
    li t0, 0x80000000
    sw t0, 16(s0)
    addi s2, s0, 16
    lr.w.aq t1, (s2)
    CHECK(t1, 0xffffffff80000000)
    li t2, 0x123456789
    sc.w.rl t3, t2, (s2)
    CHECK(t3, 0)
    ld t1, 16(s0)
    CHECK(t1, 0x23456789)
    lr.d.aqrl t1, (s0)
    sc.d.aqrl t3, zero, (s0)
    CHECK(t3, 0)
    ld t1, 0(s0)
    CHECK(t1, 0)
    /* AMOs, doubleword */
    AMOD(amoswap.d, 5, 6, 5, 6)
    AMOD(amoadd.d, -1, 2, -1, 1)
    AMOD(amoxor.d, 0xff, 0x0f, 0xff, 0xf0)
    AMOD(amoand.d, 0xff, 0x0f, 0xff, 0x0f)
    AMOD(amoor.d, 0xf0, 0x0f, 0xf0, 0xff)
    AMOD(amomin.d, -5, 3, -5, -5)
    AMOD(amomin.d, 5, -3, 5, -3)
    AMOD(amomax.d, -5, 3, -5, 3)
    AMOD(amominu.d, -5, 3, -5, 3)
    AMOD(amomaxu.d, -5, 3, -5, -5)
    AMOD(amoadd.d.aqrl, 10, 20, 10, 30)
    /* AMOs, word: only the low word changes; rd sign-extended */
    AMOW(amoswap.w, 0xaaaaaaaa80000000, 1, 0xffffffff80000000, 0xaaaaaaaa00000001)
    AMOW(amoadd.w, 0x111111117fffffff, 1, 0x7fffffff, 0x1111111180000000)
    AMOW(amoxor.w, 0x00000000ffffffff, 0xffffffff0000ffff, -1, 0x00000000ffff0000)
    AMOW(amoand.w, 0x12345678f0f0f0f0, 0xff00ff00, 0xfffffffff0f0f0f0, 0x12345678f000f000)
    AMOW(amoor.w, 0x0000000100000000, 0x80000000, 0, 0x0000000180000000)
    AMOW(amomin.w, 0x0000000000000001, 0x80000000, 1, 0x0000000080000000)
    AMOW(amomax.w, 0x0000000080000000, 0x100000001, 0xffffffff80000000, 1)
    AMOW(amominu.w, 0x0000000080000000, 0x100000001, 0xffffffff80000000, 1)
    AMOW(amomaxu.w, 0x0000000080000000, 0xffffffff00000001, 0xffffffff80000000,
         0x0000000080000000)
    /* rd = x0 and rd = rs2 */
    li t0, 1
    sd t0, 0(s0)
    li t1, 41
    amoadd.d zero, t1, (s0)
    ld t2, 0(s0)
    CHECK(t2, 42)
    amoswap.d t1, t1, (s0)
    CHECK(t1, 42)
    ld t2, 0(s0)
    CHECK(t2, 41)
    /*
     * misaligned: LR -> load address misaligned (4); AMO -> store/AMO address
     * misaligned (6) per the spec, where QEMU (the reference) reports 4: the
     * check accepts either (cause | 2 == 6). mtval is the address.
     */
    addi s1, s0, 4
    EXPECT_TRAP
    lr.d t1, (s1)
    CHECK_TRAP_REG(4, s1)
    EXPECT_TRAP
    amoadd.d t1, t0, (s1)
    ld a0, trap_cause
    ori a0, a0, 2
    CHECK(a0, 6)
    CHECK_TVAL_REG(s1)
    addi s1, s0, 2
    EXPECT_TRAP
    amoswap.w t1, t0, (s1)
    ld a0, trap_cause
    ori a0, a0, 2
    CHECK(a0, 6)
    CHECK_TVAL_REG(s1)
TEST_END

    .data
    .balign 64
buf:
    .zero 64
