/*
 * RV64M: multiplication (low, high signed, high unsigned, high signed by
 * unsigned, 32-bit mulw) and division/remainder in all forms, including the
 * cases the spec defines instead of trapping: division by zero (quotient all
 * ones, remainder the dividend) and signed overflow (quotient the dividend,
 * remainder zero), for the 64-bit and the W forms, with W sign extension.
 */
#include "test.h"

#define RR(insn, a, b, exp) \
    li t0, a; li t1, b; insn t2, t0, t1; CHECK(t2, exp)

TEST_BEGIN("rv64m")
    RR(mul, 0x123456789, 0x987654321, 0xd77d742cce1833a9)
    RR(mul, -3, 7, -21)
    RR(mul, 0x8000000000000000, -1, 0x8000000000000000)
    RR(mulh, -1, -1, 0)
    RR(mulh, 0x8000000000000000, 0x8000000000000000, 0x4000000000000000)
    RR(mulh, 0x7fffffffffffffff, -1, -1)
    RR(mulh, 0x123456789abcdef0, 0xfedcba9876543210, 0xffeb49923cc09532)
    RR(mulhu, -1, -1, 0xfffffffffffffffe)
    RR(mulhu, 0x123456789abcdef0, 0xfedcba9876543210, 0x121fa00ad77d7422)
    RR(mulhu, 2, 0x8000000000000000, 1)
    RR(mulhsu, -1, -1, -1)
    RR(mulhsu, 0x8000000000000000, 0xffffffffffffffff, 0x8000000000000000)
    RR(mulhsu, 2, 0x8000000000000000, 1)
    RR(mulhsu, -2, 0x8000000000000000, -1)
    RR(mulw, 0x7fffffff, 2, 0xfffffffffffffffe)
    RR(mulw, 0x100000003, 0x100000005, 15)
    RR(mulw, 0x10000, 0x8000, 0xffffffff80000000)
    /* division */
    RR(div, 100, 7, 14)
    RR(div, -100, 7, -14)
    RR(div, 100, -7, -14)
    RR(rem, -100, 7, -2)
    RR(rem, 100, -7, 2)
    RR(divu, -1, 2, 0x7fffffffffffffff)
    RR(remu, -1, 10, 5)
    RR(div, 5, 0, -1)
    RR(divu, 5, 0, -1)
    RR(rem, 5, 0, 5)
    RR(rem, -5, 0, -5)
    RR(remu, -5, 0, -5)
    RR(div, 0x8000000000000000, -1, 0x8000000000000000)
    RR(rem, 0x8000000000000000, -1, 0)
    RR(divu, 0x8000000000000000, -1, 0)
    RR(remu, 0x8000000000000000, -1, 0x8000000000000000)
    /* W forms: operands are the low 32 bits, result sign-extended */
    RR(divw, 0x1fffffff9, 2, -3)
    RR(divw, 0x80000000, -1, 0xffffffff80000000)
    RR(remw, 0x80000000, -1, 0)
    RR(divw, 7, 0, -1)
    RR(remw, 0x123456789, 0, 0x23456789)
    RR(remw, 0x1fffffff9, 0, -7)
    RR(divuw, 0xffffffff, 2, 0x7fffffff)
    RR(divuw, 0x1fffffffe, 1, 0xfffffffffffffffe)
    RR(divuw, 5, 0, -1)
    RR(remuw, 0x1fffffff9, 0, 0xfffffffffffffff9)
    RR(remuw, 0xfffffffb, 0x100000003, 2)
    RR(remw, -7, 0x100000002, -1)
    /* rd aliasing an operand */
    li t0, 12
    li t1, 5
    div t0, t0, t1
    CHECK(t0, 2)
    rem t1, t0, t1
    CHECK(t1, 2)
    mul t0, t0, t0
    CHECK(t0, 4)
TEST_END
