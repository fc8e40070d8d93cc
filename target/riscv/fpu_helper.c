/*
 * The F and D extensions on the host FPU. Each operation sets the host
 * rounding mode from the instruction's rm (or frm when dynamic; an invalid
 * frm raises illegal-instruction), clears the host exception flags, runs
 * the operation with C on float/double (x86-64 SSE: IEEE-754 binary32/64,
 * tininess after rounding like RISC-V; fma/fmaf are correctly rounded), and
 * accrues the host flags into fflags. What the host does not do the RISC-V
 * way is done here: single operands not NaN-boxed read as the canonical NaN,
 * NaN results become the canonical NaN, fmin/fmax return the non-NaN operand,
 * comparisons raise NV per the spec (feq only for signaling NaNs), fclass,
 * and fcvt to integers saturates with NV. Round-to-nearest-max-magnitude is
 * done exactly for conversions to integers; elsewhere it rounds as
 * round-to-nearest-even, which differs only on exact ties (a documented gap).
 */
#include "util/osdep.h"

#include <fenv.h>
#include <math.h>
#include "exec/exec-all.h"
#include "target/riscv/fpu.h"

#define CANON_NAN_S 0x7fc00000u
#define CANON_NAN_D 0x7ff8000000000000ULL
#define BOX_S       0xffffffff00000000ULL

static float f32_of(uint32_t bits)
{
    float f;

    memcpy(&f, &bits, 4);
    return f;
}

static uint32_t bits_of_f32(float f)
{
    uint32_t b;

    memcpy(&b, &f, 4);
    return b;
}

static double f64_of(uint64_t bits)
{
    double d;

    memcpy(&d, &bits, 8);
    return d;
}

static uint64_t bits_of_f64(double d)
{
    uint64_t b;

    memcpy(&b, &d, 8);
    return b;
}

/* A single operand: the canonical NaN unless properly NaN-boxed. */
static uint32_t unbox_s(uint64_t v)
{
    return (v & BOX_S) == BOX_S ? (uint32_t)v : CANON_NAN_S;
}

static bool is_nan_s(uint32_t b)
{
    return (b & 0x7f800000u) == 0x7f800000u && (b & 0x007fffffu);
}

static bool is_snan_s(uint32_t b)
{
    return is_nan_s(b) && !(b & 0x00400000u);
}

static bool is_nan_d(uint64_t b)
{
    return (b & 0x7ff0000000000000ULL) == 0x7ff0000000000000ULL && (b & 0x000fffffffffffffULL);
}

static bool is_snan_d(uint64_t b)
{
    return is_nan_d(b) && !(b & 0x0008000000000000ULL);
}

static uint64_t box_s(float f)
{
    uint32_t b = bits_of_f32(f);

    return BOX_S | (is_nan_s(b) ? CANON_NAN_S : b);
}

static uint64_t canon_d(double d)
{
    uint64_t b = bits_of_f64(d);

    return is_nan_d(b) ? CANON_NAN_D : b;
}

static void fp_begin(int rm)
{
    static const int host_rm[5] = { FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD,
                                    FE_TONEAREST };

    fesetround(host_rm[rm]);
    feclearexcept(FE_ALL_EXCEPT);
}

static void fp_end(CPURISCVState *env)
{
    int ex = fetestexcept(FE_ALL_EXCEPT);

    env->fflags |= (ex & FE_INVALID ? FFLAG_NV : 0) | (ex & FE_DIVBYZERO ? FFLAG_DZ : 0) |
                   (ex & FE_OVERFLOW ? FFLAG_OF : 0) | (ex & FE_UNDERFLOW ? FFLAG_UF : 0) |
                   (ex & FE_INEXACT ? FFLAG_NX : 0);
    fesetround(FE_TONEAREST);
}

/* Rounds X (no NaN) to an integer in mode RM. */
static double round_rm(double x, int rm)
{
    switch (rm) {
    case RISCV_RM_RTZ: return trunc(x);
    case RISCV_RM_RDN: return floor(x);
    case RISCV_RM_RUP: return ceil(x);
    case RISCV_RM_RMM: return round(x);
    default: return nearbyint(x);
    }
}

/*
 * fcvt to a BITS-wide (32/64) signed or unsigned integer, saturating with NV;
 * NaN converts to the largest value. 32-bit results are sign-extended.
 */
static uint64_t fcvt_to_int(CPURISCVState *env, double x, bool nan, int rm, bool is_signed,
                            int bits)
{
    double lo = is_signed ? -ldexp(1, bits - 1) : 0;
    double hi = is_signed ? ldexp(1, bits - 1) : ldexp(1, bits);   /* exclusive */
    uint64_t max = is_signed ? (1ULL << (bits - 1)) - 1 : (bits == 64 ? UINT64_MAX
                                                                       : 0xffffffffULL);
    uint64_t min = is_signed ? -(1ULL << (bits - 1)) : 0;   /* sign-extended -2^(bits-1) */
    uint64_t r;
    double ri;

    if (nan) {
        env->fflags |= FFLAG_NV;
        r = max;
    } else {
        ri = round_rm(x, rm);
        if (ri >= hi) {
            env->fflags |= FFLAG_NV;
            r = max;
        } else if (ri < lo) {
            env->fflags |= FFLAG_NV;
            r = min;
        } else {
            if (ri != x) {
                env->fflags |= FFLAG_NX;
            }
            r = is_signed ? (uint64_t)(int64_t)ri : (uint64_t)ri;
        }
    }
    return bits == 32 ? (uint64_t)(int64_t)(int32_t)(uint32_t)r : r;
}

static uint64_t fclass_bits(bool neg, bool inf, bool zero, bool sub, bool nan, bool snan)
{
    if (nan) {
        return snan ? 1 << 8 : 1 << 9;
    }
    if (inf) {
        return neg ? 1 << 0 : 1 << 7;
    }
    if (zero) {
        return neg ? 1 << 3 : 1 << 4;
    }
    if (sub) {
        return neg ? 1 << 2 : 1 << 5;
    }
    return neg ? 1 << 1 : 1 << 6;
}

static uint64_t fclass_s(uint32_t b)
{
    uint32_t e = (b >> 23) & 0xff, m = b & 0x7fffff;

    return fclass_bits(b >> 31, e == 0xff && !m, !e && !m, !e && m, is_nan_s(b),
                       is_snan_s(b));
}

static uint64_t fclass_d(uint64_t b)
{
    uint64_t e = (b >> 52) & 0x7ff, m = b & 0xfffffffffffffULL;

    return fclass_bits(b >> 63, e == 0x7ff && !m, !e && !m, !e && m, is_nan_d(b),
                       is_snan_d(b));
}

/* fmin/fmax: a NaN operand loses to a number; -0 < +0; NV for a signaling NaN. */
static uint64_t fminmax_s(CPURISCVState *env, uint32_t a, uint32_t b, bool is_max)
{
    float fa = f32_of(a), fb = f32_of(b);
    bool a_lt_b;

    if (is_snan_s(a) || is_snan_s(b)) {
        env->fflags |= FFLAG_NV;
    }
    if (is_nan_s(a) && is_nan_s(b)) {
        return BOX_S | CANON_NAN_S;
    }
    if (is_nan_s(a) || is_nan_s(b)) {
        return BOX_S | (is_nan_s(a) ? b : a);
    }
    a_lt_b = fa < fb || (fa == fb && (a >> 31) > (b >> 31));
    return BOX_S | ((a_lt_b != is_max) ? a : b);
}

static uint64_t fminmax_d(CPURISCVState *env, uint64_t a, uint64_t b, bool is_max)
{
    double fa = f64_of(a), fb = f64_of(b);
    bool a_lt_b;

    if (is_snan_d(a) || is_snan_d(b)) {
        env->fflags |= FFLAG_NV;
    }
    if (is_nan_d(a) && is_nan_d(b)) {
        return CANON_NAN_D;
    }
    if (is_nan_d(a) || is_nan_d(b)) {
        return is_nan_d(a) ? b : a;
    }
    a_lt_b = fa < fb || (fa == fb && (a >> 63) > (b >> 63));
    return (a_lt_b != is_max) ? a : b;
}

/* feq (quiet: NV only for signaling NaNs), flt and fle (NV for any NaN). */
static uint64_t fcompare(CPURISCVState *env, RISCVOp op, bool nan, bool snan, bool eq, bool lt)
{
    bool quiet = op == RV_OP_FEQ_S || op == RV_OP_FEQ_D;

    if (nan) {
        if (snan || !quiet) {
            env->fflags |= FFLAG_NV;
        }
        return 0;
    }
    if (quiet) {
        return eq;
    }
    return op == RV_OP_FLT_S || op == RV_OP_FLT_D ? lt : lt || eq;
}

static uint64_t fp_single(CPURISCVState *env, RISCVOp op, int rm, uint64_t ra, uint64_t rb,
                          uint64_t rc)
{
    uint32_t a = unbox_s(ra), b = unbox_s(rb), c = unbox_s(rc);
    volatile float fa = f32_of(a), fb = f32_of(b), fc = f32_of(c);
    volatile float r = 0;
    uint64_t out;

    switch (op) {
    case RV_OP_FSGNJ_S: return BOX_S | (a & 0x7fffffffu) | (b & 0x80000000u);
    case RV_OP_FSGNJN_S: return BOX_S | (a & 0x7fffffffu) | (~b & 0x80000000u);
    case RV_OP_FSGNJX_S: return BOX_S | (a ^ (b & 0x80000000u));
    case RV_OP_FMIN_S: return fminmax_s(env, a, b, false);
    case RV_OP_FMAX_S: return fminmax_s(env, a, b, true);
    case RV_OP_FCLASS_S: return fclass_s(a);
    case RV_OP_FEQ_S: case RV_OP_FLT_S: case RV_OP_FLE_S:
        return fcompare(env, op, is_nan_s(a) || is_nan_s(b), is_snan_s(a) || is_snan_s(b),
                        fa == fb, fa < fb);
    case RV_OP_FCVT_W_S: case RV_OP_FCVT_WU_S: case RV_OP_FCVT_L_S: case RV_OP_FCVT_LU_S: {
        int k = (op - RV_OP_FCVT_W_S) / 2;  /* w wu l lu */

        return fcvt_to_int(env, is_nan_s(a) ? 0 : (double)fa, is_nan_s(a), rm, !(k & 1),
                           k < 2 ? 32 : 64);
    }
    default:
        break;
    }
    fp_begin(rm);
    switch (op) {
    case RV_OP_FADD_S: r = fa + fb; break;
    case RV_OP_FSUB_S: r = fa - fb; break;
    case RV_OP_FMUL_S: r = fa * fb; break;
    case RV_OP_FDIV_S: r = fa / fb; break;
    case RV_OP_FSQRT_S: r = sqrtf(fa); break;
    case RV_OP_FMADD_S: r = fmaf(fa, fb, fc); break;
    case RV_OP_FMSUB_S: r = fmaf(fa, fb, -fc); break;
    case RV_OP_FNMSUB_S: r = fmaf(-fa, fb, fc); break;
    case RV_OP_FNMADD_S: r = fmaf(-fa, fb, -fc); break;
    case RV_OP_FCVT_S_W: r = (float)(int32_t)ra; break;
    case RV_OP_FCVT_S_WU: r = (float)(uint32_t)ra; break;
    case RV_OP_FCVT_S_L: r = (float)(int64_t)ra; break;
    case RV_OP_FCVT_S_LU: r = (float)ra; break;
    case RV_OP_FCVT_S_D: {
        volatile double d = f64_of(ra);

        r = (float)d;
        break;
    }
    default:
        g_assert_not_reached();
    }
    out = box_s(r);
    fp_end(env);
    return out;
}

static uint64_t fp_double(CPURISCVState *env, RISCVOp op, int rm, uint64_t a, uint64_t b,
                          uint64_t c)
{
    volatile double fa = f64_of(a), fb = f64_of(b), fc = f64_of(c);
    volatile double r = 0;
    uint64_t out;

    switch (op) {
    case RV_OP_FSGNJ_D: return (a & ~(1ULL << 63)) | (b & (1ULL << 63));
    case RV_OP_FSGNJN_D: return (a & ~(1ULL << 63)) | (~b & (1ULL << 63));
    case RV_OP_FSGNJX_D: return a ^ (b & (1ULL << 63));
    case RV_OP_FMIN_D: return fminmax_d(env, a, b, false);
    case RV_OP_FMAX_D: return fminmax_d(env, a, b, true);
    case RV_OP_FCLASS_D: return fclass_d(a);
    case RV_OP_FEQ_D: case RV_OP_FLT_D: case RV_OP_FLE_D:
        return fcompare(env, op, is_nan_d(a) || is_nan_d(b), is_snan_d(a) || is_snan_d(b),
                        fa == fb, fa < fb);
    case RV_OP_FCVT_W_D: case RV_OP_FCVT_WU_D: case RV_OP_FCVT_L_D: case RV_OP_FCVT_LU_D: {
        int k = (op - RV_OP_FCVT_W_D) / 2;

        return fcvt_to_int(env, is_nan_d(a) ? 0 : fa, is_nan_d(a), rm, !(k & 1),
                           k < 2 ? 32 : 64);
    }
    default:
        break;
    }
    fp_begin(rm);
    switch (op) {
    case RV_OP_FADD_D: r = fa + fb; break;
    case RV_OP_FSUB_D: r = fa - fb; break;
    case RV_OP_FMUL_D: r = fa * fb; break;
    case RV_OP_FDIV_D: r = fa / fb; break;
    case RV_OP_FSQRT_D: r = sqrt(fa); break;
    case RV_OP_FMADD_D: r = fma(fa, fb, fc); break;
    case RV_OP_FMSUB_D: r = fma(fa, fb, -fc); break;
    case RV_OP_FNMSUB_D: r = fma(-fa, fb, fc); break;
    case RV_OP_FNMADD_D: r = fma(-fa, fb, -fc); break;
    case RV_OP_FCVT_D_W: r = (double)(int32_t)a; break;
    case RV_OP_FCVT_D_WU: r = (double)(uint32_t)a; break;
    case RV_OP_FCVT_D_L: r = (double)(int64_t)a; break;
    case RV_OP_FCVT_D_LU: r = (double)a; break;
    case RV_OP_FCVT_D_S: {
        volatile float s = f32_of(unbox_s(a));

        r = (double)s;
        break;
    }
    default:
        g_assert_not_reached();
    }
    out = canon_d(r);
    fp_end(env);
    return out;
}

/*
 * The F/D ops come in pairs from FMADD_S on, the single-result (or
 * single-source, for comparisons and conversions to integers) one first;
 * FCVT_S_D then FCVT_D_S follow the same rule.
 */
static bool fp_op_is_single(RISCVOp op)
{
    return ((op - RV_OP_FMADD_S) & 1) == 0;
}

uint64_t helper_fp(CPURISCVState *env, uint64_t desc, uint64_t a, uint64_t b, uint64_t c)
{
    RISCVOp op = (RISCVOp)(desc & 0xffff);
    int rm = (int)((desc >> 16) & 7);

    if (rm == RISCV_RM_DYN) {
        rm = (int)env->frm;
        if (rm > RISCV_RM_RMM) {
            helper_raise_exception(env, RISCV_EXCP_ILLEGAL_INST, desc >> 32);
        }
    }
    return fp_op_is_single(op) ? fp_single(env, op, rm, a, b, c)
                               : fp_double(env, op, rm, a, b, c);
}
