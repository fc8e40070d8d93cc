/*
 * Zba, Zbb and Zbs: shifted adds (with the .uw forms zero-extending rs1),
 * count leading/trailing zeros and population counts (64- and 32-bit), min/
 * max signed and unsigned, sign/zero extension, rotates (register amounts
 * masked), orc.b, rev8, andn/orn/xnor, and single-bit set/clear/invert/extract
 * with masked indices.
 */
#include "test.h"

#define RR(insn, a, b, exp) \
    li t0, a; li t1, b; insn t2, t0, t1; CHECK(t2, exp)
#define R1(insn, a, exp) \
    li t0, a; insn t2, t0; CHECK(t2, exp)
#define RI(insn, a, imm, exp) \
    li t0, a; insn t2, t0, imm; CHECK(t2, exp)

TEST_BEGIN("bitmanip")
    /* Zba */
    RR(sh1add, 3, 100, 106)
    RR(sh2add, -1, 100, 96)
    RR(sh3add, 0x2000000000000001, 8, 16)
    RR(add.uw, 0xffffffff80000000, 1, 0x80000001)
    RR(sh1add.uw, 0x1ffffffff, 0, 0x1fffffffe)
    RR(sh2add.uw, 0x180000000, 4, 0x200000004)
    RR(sh3add.uw, 0xffffffffffffffff, 0, 0x7fffffff8)
    RI(slli.uw, 0xffffffff80000001, 4, 0x800000010)
    RI(slli.uw, 0x1ffffffff, 63, 0x8000000000000000)
    /* Zbb */
    RR(andn, 0xff, 0x0f, 0xf0)
    RR(orn, 0, -2, 1)
    RR(xnor, 0x5555, 0xffff, 0xffffffffffff5555)
    R1(clz, 0, 64)
    R1(clz, 1, 63)
    R1(clz, -1, 0)
    R1(clzw, 0, 32)
    R1(clzw, 0xffffffff00008000, 16)
    R1(ctz, 0, 64)
    R1(ctz, 0x8000000000000000, 63)
    R1(ctzw, 0xffffffff00000000, 32)
    R1(ctzw, 0x100, 8)
    R1(cpop, -1, 64)
    R1(cpop, 0x8000000000000001, 2)
    R1(cpopw, 0xffffffff0000ffff, 16)
    RR(max, -1, 1, 1)
    RR(maxu, -1, 1, -1)
    RR(min, -1, 1, -1)
    RR(minu, -1, 1, 1)
    R1(sext.b, 0x180, 0xffffffffffffff80)
    R1(sext.h, 0x17fff, 0x7fff)
    R1(sext.h, 0x8000, 0xffffffffffff8000)
    R1(zext.h, -1, 0xffff)
    RR(rol, 0x8000000000000001, 65, 3)
    RR(ror, 0x8000000000000001, 1, 0xc000000000000000)
    RR(rolw, 0xffffffff80000001, 33, 3)
    RR(rorw, 0x1, 1, 0xffffffff80000000)
    RI(rori, 0x10, 4, 1)
    RI(rori, 1, 63, 2)
    RI(roriw, 0x1, 1, 0xffffffff80000000)
    RI(roriw, 0x0000000100000010, 4, 1)
    R1(orc.b, 0x0001000010000200, 0x00ff0000ff00ff00)
    R1(rev8, 0x0102030405060708, 0x0807060504030201)
    /* Zbs */
    RR(bset, 0, 65, 2)
    RR(bclr, -1, 63, 0x7fffffffffffffff)
    RR(binv, 0x10, 4, 0)
    RR(bext, 0x8000000000000000, 127, 1)
    RR(bext, 0x8000000000000000, 62, 0)
    RI(bseti, 0, 63, 0x8000000000000000)
    RI(bclri, 7, 1, 5)
    RI(binvi, 0, 32, 0x100000000)
    RI(bexti, 0x100000000, 32, 1)
TEST_END
