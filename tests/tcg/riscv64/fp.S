/*
 * F and D: arithmetic in every static rounding mode and through frm, the
 * accrued flags after each operation (read and cleared with fflags), NaNs
 * (canonical results, signaling inputs raising NV, NaN-boxing: an unboxed
 * single reads as the canonical NaN), infinities, division by zero,
 * overflow, subnormal results with and without underflow, fused multiply-add
 * with a single rounding, fmin/fmax NaN and signed-zero rules, quiet and
 * signaling comparisons, fclass, sign injection, saturating conversions to
 * integers (NaN, infinities, out of range, W results sign-extended),
 * conversions from integers and between formats, moves, loads and stores,
 * and an invalid dynamic rounding mode trapping as illegal.
 */
#include "test.h"

    .option norvc
#define S(x) (0xffffffff00000000 | (x))
#define CANON_S S(0x7fc00000)
#define CANON_D 0x7ff8000000000000

/* Two-operand op with rounding mode RM; checks the result bits and fflags. */
#define FOP2(insn, rm, a, b, exp, flags) \
    LOAD_F(f1, a); LOAD_F(f2, b); insn f3, f1, f2, rm; CHECK_F(f3, exp); CHECK_FLAGS(flags)
/* Two-operand op without a rounding mode (fmin, fsgnj). */
#define FOP2N(insn, a, b, exp, flags) \
    LOAD_F(f1, a); LOAD_F(f2, b); insn f3, f1, f2; CHECK_F(f3, exp); CHECK_FLAGS(flags)
#define FOP3(insn, a, b, c, exp, flags) \
    LOAD_F(f1, a); LOAD_F(f2, b); LOAD_F(f4, c); insn f3, f1, f2, f4; CHECK_F(f3, exp); \
    CHECK_FLAGS(flags)
#define FSQRT(insn, rm, a, exp, flags) \
    LOAD_F(f1, a); insn f3, f1, rm; CHECK_F(f3, exp); CHECK_FLAGS(flags)
/* FP compare / classify: integer result. */
#define FCMP(insn, a, b, exp, flags) \
    LOAD_F(f1, a); LOAD_F(f2, b); insn t0, f1, f2; CHECK(t0, exp); CHECK_FLAGS(flags)
#define FCLASS(insn, a, exp) \
    LOAD_F(f1, a); insn t0, f1; CHECK(t0, exp)
/* FP to integer with rounding mode. */
#define FCVTI(insn, rm, a, exp, flags) \
    LOAD_F(f1, a); insn t0, f1, rm; CHECK(t0, exp); CHECK_FLAGS(flags)
/* Integer to FP (or FP to FP) with rounding mode. */
#define FCVTF(insn, rm, a, exp, flags) \
    li t0, a; insn f3, t0, rm; CHECK_F(f3, exp); CHECK_FLAGS(flags)
#define FCVTFF(insn, rm, a, exp, flags) \
    LOAD_F(f1, a); insn f3, f1, rm; CHECK_F(f3, exp); CHECK_FLAGS(flags)
/* Exact conversions (no rounding-mode operand). */
#define FCVTF_EXACT(insn, a, exp, flags) \
    li t0, a; insn f3, t0; CHECK_F(f3, exp); CHECK_FLAGS(flags)
#define FCVTFF_EXACT(insn, a, exp, flags) \
    LOAD_F(f1, a); insn f3, f1; CHECK_F(f3, exp); CHECK_FLAGS(flags)

TEST_BEGIN("fp")
    csrwi fcsr, 0
    /* single arithmetic, rounding modes */
    FOP2(fadd.s, rne, S(0x3f800000), S(0x40000000), S(0x40400000), 0)
    FOP2(fadd.s, rne, S(0x3f800000), S(0x30800000), S(0x3f800000), FLAG_NX)
    FOP2(fadd.s, rup, S(0x3f800000), S(0x30800000), S(0x3f800001), FLAG_NX)
    FOP2(fadd.s, rdn, S(0x3f800000), S(0x30800000), S(0x3f800000), FLAG_NX)
    FOP2(fadd.s, rtz, S(0xbf800000), S(0xb0800000), S(0xbf800000), FLAG_NX)
    FOP2(fadd.s, rdn, S(0xbf800000), S(0xb0800000), S(0xbf800001), FLAG_NX)
    FOP2(fadd.s, rmm, S(0x3f800000), S(0x33c00000), S(0x3f800001), FLAG_NX)
    FOP2(fsub.s, rne, S(0x3f800000), S(0x3f800000), S(0x00000000), 0)
    FOP2(fsub.s, rdn, S(0x3f800000), S(0x3f800000), S(0x80000000), 0)
    FOP2(fmul.s, rne, S(0x7f7fffff), S(0x40000000), S(0x7f800000), FLAG_OF | FLAG_NX)
    FOP2(fmul.s, rtz, S(0x7f7fffff), S(0x40000000), S(0x7f7fffff), FLAG_OF | FLAG_NX)
    FOP2(fmul.s, rne, S(0x00800000), S(0x3f000000), S(0x00400000), 0)
    FOP2(fmul.s, rne, S(0x00800001), S(0x3f000000), S(0x00400000), FLAG_UF | FLAG_NX)
    FOP2(fmul.s, rup, S(0x00800001), S(0x3f000000), S(0x00400001), FLAG_UF | FLAG_NX)
    FOP2(fdiv.s, rne, S(0x3f800000), S(0x00000000), S(0x7f800000), FLAG_DZ)
    FOP2(fdiv.s, rne, S(0x00000000), S(0x00000000), CANON_S, FLAG_NV)
    FOP2(fdiv.s, rne, S(0x3f800000), S(0x40400000), S(0x3eaaaaab), FLAG_NX)
    FOP2(fdiv.s, rtz, S(0x3f800000), S(0x40400000), S(0x3eaaaaaa), FLAG_NX)
    FOP2(fadd.s, rne, S(0x7f800000), S(0xff800000), CANON_S, FLAG_NV)
    FOP2(fadd.s, rne, S(0x7f800001), S(0x3f800000), CANON_S, FLAG_NV)
    FOP2(fadd.s, rne, S(0x7fc12345), S(0x3f800000), CANON_S, 0)
    FSQRT(fsqrt.s, rne, S(0x40800000), S(0x40000000), 0)
    FSQRT(fsqrt.s, rne, S(0xbf800000), CANON_S, FLAG_NV)
    FSQRT(fsqrt.s, rne, S(0x80000000), S(0x80000000), 0)
    /* NaN-boxing: an unboxed single is the canonical NaN */
    FOP2(fadd.s, rne, 0x000000003f800000, S(0x3f800000), CANON_S, 0)
    FOP2N(fsgnj.s, 0x000000003f800000, S(0xbf800000), S(0xffc00000), 0)
    FOP2N(fsgnjn.s, S(0x3f800000), S(0x3f800000), S(0xbf800000), 0)
    FOP2N(fsgnjx.s, S(0xbf800000), S(0xbf800000), S(0x3f800000), 0)
    /* dynamic rounding mode */
    csrwi frm, 3
    FOP2(fadd.s, dyn, S(0x3f800000), S(0x30800000), S(0x3f800001), FLAG_NX)
    csrwi frm, 2
    FOP2(fadd.d, dyn, 0x3ff0000000000000, 0x3c80000000000000, 0x3ff0000000000000, FLAG_NX)
    csrwi frm, 5                /* invalid: a dynamic-rm instruction is illegal */
    EXPECT_TRAP
1:  fadd.s f3, f1, f2, dyn
    CHECK_TRAP(2, 0x0020f1d3)
    csrwi frm, 0
    /* fused multiply-add: one rounding */
    FOP3(fmsub.s, S(0x3f800800), S(0x3f800800), S(0x3f800000), S(0x3a000400), 0)
    FOP3(fmadd.s, S(0x3f800000), S(0x40000000), S(0x40400000), S(0x40a00000), 0)
    FOP3(fnmadd.s, S(0x3f800000), S(0x40000000), S(0x40400000), S(0xc0a00000), 0)
    FOP3(fnmsub.s, S(0x3f800000), S(0x40000000), S(0x40400000), S(0x3f800000), 0)
    FOP3(fmsub.s, S(0x3f800000), S(0x40000000), S(0x40400000), S(0xbf800000), 0)
    FOP3(fmadd.s, S(0x7f800000), S(0x00000000), S(0x3f800000), CANON_S, FLAG_NV)
    FOP3(fmadd.d, 0x3ff0000000000001, 0x3ff0000000000001, 0xbff0000000000000,
         0x3cc0000000000000, FLAG_NX)
    /* fmin/fmax */
    FOP2N(fmin.s, S(0x7fc00000), S(0x3f800000), S(0x3f800000), 0)
    FOP2N(fmax.s, S(0x7f800001), S(0x3f800000), S(0x3f800000), FLAG_NV)
    FOP2N(fmin.s, S(0x7fc00000), S(0x7fc00001), CANON_S, 0)
    FOP2N(fmin.s, S(0x80000000), S(0x00000000), S(0x80000000), 0)
    FOP2N(fmax.s, S(0x80000000), S(0x00000000), S(0x00000000), 0)
    FOP2N(fmin.d, 0xbff0000000000000, 0x3ff0000000000000, 0xbff0000000000000, 0)
    FOP2N(fmax.d, 0x7ff0000000000001, 0x7ff8000000000000, CANON_D, FLAG_NV)
    /* comparisons */
    FCMP(feq.s, S(0x7fc00000), S(0x3f800000), 0, 0)
    FCMP(feq.s, S(0x7f800001), S(0x3f800000), 0, FLAG_NV)
    FCMP(flt.s, S(0x7fc00000), S(0x3f800000), 0, FLAG_NV)
    FCMP(fle.s, S(0x80000000), S(0x00000000), 1, 0)
    FCMP(flt.s, S(0x80000000), S(0x00000000), 0, 0)
    FCMP(feq.d, 0x8000000000000000, 0x0000000000000000, 1, 0)
    FCMP(flt.d, 0xbff0000000000000, 0x3ff0000000000000, 1, 0)
    FCMP(fle.d, 0x7ff8000000000000, 0x3ff0000000000000, 0, FLAG_NV)
    /* fclass */
    FCLASS(fclass.s, S(0xff800000), 0x001)
    FCLASS(fclass.s, S(0xbf800000), 0x002)
    FCLASS(fclass.s, S(0x80000001), 0x004)
    FCLASS(fclass.s, S(0x80000000), 0x008)
    FCLASS(fclass.s, S(0x00000000), 0x010)
    FCLASS(fclass.s, S(0x00000001), 0x020)
    FCLASS(fclass.s, S(0x3f800000), 0x040)
    FCLASS(fclass.s, S(0x7f800000), 0x080)
    FCLASS(fclass.s, S(0x7f800001), 0x100)
    FCLASS(fclass.s, S(0x7fc00000), 0x200)
    FCLASS(fclass.s, 0x000000003f800000, 0x200)
    FCLASS(fclass.d, 0x000fffffffffffff, 0x020)
    FCLASS(fclass.d, 0xfff0000000000000, 0x001)
    FCLASS(fclass.d, 0x7ff4000000000000, 0x100)
    /* conversions to integers */
    FCVTI(fcvt.w.s, rne, S(0x40200000), 2, FLAG_NX)
    FCVTI(fcvt.w.s, rmm, S(0x40200000), 3, FLAG_NX)
    FCVTI(fcvt.w.s, rmm, S(0xc0200000), -3, FLAG_NX)
    FCVTI(fcvt.w.s, rdn, S(0xc0200000), -3, FLAG_NX)
    FCVTI(fcvt.w.s, rup, S(0xc0200000), -2, FLAG_NX)
    FCVTI(fcvt.w.s, rtz, S(0x501502f9), 0x7fffffff, FLAG_NV)
    FCVTI(fcvt.w.s, rtz, S(0xd01502f9), 0xffffffff80000000, FLAG_NV)
    FCVTI(fcvt.w.s, rtz, S(0x7fc00000), 0x7fffffff, FLAG_NV)
    FCVTI(fcvt.w.s, rtz, S(0xff800000), 0xffffffff80000000, FLAG_NV)
    FCVTI(fcvt.wu.s, rtz, S(0xbf800000), 0, FLAG_NV)
    FCVTI(fcvt.wu.s, rne, S(0xbf000000), 0, FLAG_NX)
    FCVTI(fcvt.wu.s, rtz, S(0x4f32d05e), 0xffffffffb2d05e00, 0)
    FCVTI(fcvt.wu.s, rtz, S(0x7fc00000), -1, FLAG_NV)
    FCVTI(fcvt.l.s, rtz, S(0x7f800000), 0x7fffffffffffffff, FLAG_NV)
    FCVTI(fcvt.lu.s, rtz, S(0x7fc00000), -1, FLAG_NV)
    FCVTI(fcvt.l.d, rtz, 0x43e0000000000000, 0x7fffffffffffffff, FLAG_NV)
    FCVTI(fcvt.l.d, rtz, 0xc3e0000000000000, 0x8000000000000000, 0)
    FCVTI(fcvt.lu.d, rtz, 0xbff0000000000000, 0, FLAG_NV)
    FCVTI(fcvt.lu.d, rtz, 0x43efffffffffffff, 0xfffffffffffff800, 0)
    FCVTI(fcvt.w.d, rne, 0x41dfffffffc00000, 0x7fffffff, 0)
    FCVTI(fcvt.w.d, rne, 0x41dfffffffe00000, 0x7fffffff, FLAG_NV)
    FCVTI(fcvt.w.d, rtz, 0x41dfffffffe00000, 0x7fffffff, FLAG_NX)
    /* conversions from integers and between formats */
    FCVTF(fcvt.s.w, rne, 16777217, S(0x4b800000), FLAG_NX)
    FCVTF(fcvt.s.w, rup, 16777217, S(0x4b800001), FLAG_NX)
    FCVTF(fcvt.s.w, rne, -1, S(0xbf800000), 0)
    FCVTF(fcvt.s.wu, rne, -1, S(0x4f800000), FLAG_NX)
    FCVTF(fcvt.s.l, rne, 0x8000000000000000, S(0xdf000000), 0)
    FCVTF(fcvt.s.lu, rtz, -1, S(0x5f7fffff), FLAG_NX)
    FCVTF(fcvt.d.l, rne, 0x20000000000001, 0x4340000000000000, FLAG_NX)
    FCVTF(fcvt.d.l, rup, 0x20000000000001, 0x4340000000000001, FLAG_NX)
    FCVTF_EXACT(fcvt.d.wu, 0xffffffff, 0x41efffffffe00000, 0)
    FCVTF_EXACT(fcvt.d.w, 0xffffffff, 0xbff0000000000000, 0)
    FCVTFF(fcvt.s.d, rne, 0x7e37e43c8800759c, S(0x7f800000), FLAG_OF | FLAG_NX)
    FCVTFF(fcvt.s.d, rne, 0x7ff8000000001234, CANON_S, 0)
    FCVTFF(fcvt.s.d, rne, 0x7ff0000000001234, CANON_S, FLAG_NV)
    FCVTFF(fcvt.s.d, rne, 0x3ff8000000000000, S(0x3fc00000), 0)
    FCVTFF_EXACT(fcvt.d.s, S(0x3fc00000), 0x3ff8000000000000, 0)
    FCVTFF_EXACT(fcvt.d.s, S(0x7f800001), CANON_D, FLAG_NV)
    FCVTFF_EXACT(fcvt.d.s, 0x000000003fc00000, CANON_D, 0)
    /* double arithmetic */
    FOP2(fadd.d, rne, 0x3fb999999999999a, 0x3fc999999999999a, 0x3fd3333333333334, FLAG_NX)
    FOP2(fdiv.d, rne, 0x3ff0000000000000, 0x4008000000000000, 0x3fd5555555555555, FLAG_NX)
    FOP2(fdiv.d, rup, 0x3ff0000000000000, 0x4008000000000000, 0x3fd5555555555556, FLAG_NX)
    FOP2(fmul.d, rne, 0x0010000000000000, 0x3fe0000000000000, 0x0008000000000000, 0)
    FOP2(fmul.d, rne, 0x0010000000000001, 0x3fe0000000000000, 0x0008000000000000,
         FLAG_UF | FLAG_NX)
    FOP2(fmul.d, rne, 0x7fefffffffffffff, 0x4000000000000000, 0x7ff0000000000000,
         FLAG_OF | FLAG_NX)
    FOP2(fmul.d, rdn, 0x7fefffffffffffff, 0x4000000000000000, 0x7fefffffffffffff,
         FLAG_OF | FLAG_NX)
    FOP2(fsub.d, rne, 0x7ff0000000000000, 0x7ff0000000000000, CANON_D, FLAG_NV)
    FOP2(fdiv.d, rne, 0xbff0000000000000, 0x0000000000000000, 0xfff0000000000000, FLAG_DZ)
    FOP2(fadd.d, rne, 0x7ff0000000000001, 0x0000000000000000, CANON_D, FLAG_NV)
    FSQRT(fsqrt.d, rne, 0x4000000000000000, 0x3ff6a09e667f3bcd, FLAG_NX)
    FSQRT(fsqrt.d, rup, 0x4000000000000000, 0x3ff6a09e667f3bcd, FLAG_NX)
    FSQRT(fsqrt.d, rdn, 0x4000000000000000, 0x3ff6a09e667f3bcc, FLAG_NX)
    FOP2N(fsgnjn.d, 0x3ff0000000000000, 0x3ff0000000000000, 0xbff0000000000000, 0)
    FOP2N(fsgnjx.d, 0xbff0000000000000, 0x8000000000000000, 0x3ff0000000000000, 0)
    /* moves, loads, stores */
    li t0, 0x80000000
    fmv.w.x f5, t0
    CHECK_F(f5, S(0x80000000))
    fmv.x.w t1, f5
    CHECK(t1, 0xffffffff80000000)
    li t0, 0x123456789abcdef0
    fmv.d.x f5, t0
    fmv.x.w t1, f5
    CHECK(t1, 0xffffffff9abcdef0)
    la s0, fbuf
    sd t0, 0(s0)
    flw f6, 0(s0)
    CHECK_F(f6, S(0x9abcdef0))
    flw f6, 4(s0)
    fsw f6, 8(s0)
    ld t1, 8(s0)
    CHECK(t1, 0x12345678)
    fld f7, 0(s0)
    fsd f7, 16(s0)
    ld t1, 16(s0)
    CHECK(t1, 0x123456789abcdef0)
    CHECK_FLAGS(0)
TEST_END

    .data
    .balign 8
fbuf:
    .zero 32
