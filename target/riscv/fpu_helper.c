/*
 * The F and D extensions on the host FPU (x86-64 SSE: IEEE-754 binary32/64,
 * tininess after rounding like RISC-V; fma/fmaf are correctly rounded). Each
 * operation runs with C on float/double under the instruction's rm (or frm
 * when dynamic; an invalid frm raises illegal-instruction) and accrues the
 * host exception flags into fflags. The host state is the SSE control and
 * status register MXCSR, read and written directly (stmxcsr/ldmxcsr) rather
 * than through <fenv.h>, whose calls also save and reload the x87 state and
 * cost more than the operation: MXCSR is only rewritten when the rounding
 * mode changes or its sticky flags hold one that fflags does not (flags
 * already accrued may stay set, accruing them again changes nothing), and it
 * is left in round-to-nearest for the rest of the thread. What the host does
 * not do the RISC-V way is done here: single operands not NaN-boxed read as
 * the canonical NaN, NaN results become the canonical NaN, fmin/fmax return
 * the non-NaN operand, comparisons raise NV per the spec (feq only for
 * signaling NaNs), fclass, and fcvt to integers saturates with NV.
 * Round-to-nearest-max-magnitude, which the host lacks, runs as nearest-even
 * (the flags are the same) and the result is then moved away from zero where
 * the exact result was a tie: found with integer rounding for conversions,
 * the exact error of the double operation for double add/sub/mul/div, and a
 * double computation (which rounds single operands innocuously) for singles;
 * a square root is never a tie. The fused multiply-adds still round RMM ties
 * to even (a documented gap).
 */
#include "util/osdep.h"

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

#ifndef __SSE2__
#error "the riscv64 FPU helpers need an x86-64 host (SSE2 and its MXCSR)"
#endif

#define MXCSR_FLAGS    0x3fu    /* IE DE ZE OE UE PE, sticky */
#define MXCSR_RC_SHIFT 13
#define MXCSR_RC       (3u << MXCSR_RC_SHIFT)

static uint32_t mxcsr_read(void)
{
    uint32_t v;

    __asm__ volatile("stmxcsr %0" : "=m"(v) : : "memory");
    return v;
}

static void mxcsr_write(uint32_t v)
{
    __asm__ volatile("ldmxcsr %0" : : "m"(v) : "memory");
}

/* fflags of the MXCSR flags: IE->NV, ZE->DZ, OE->OF, UE->UF, PE->NX (DE has none). */
static uint32_t fflags_of_mxcsr(uint32_t m)
{
    return (m & 0x01) << 4 | (m & 0x04) << 1 | (m & 0x08) >> 1 | (m & 0x10) >> 3 |
           (m & 0x20) >> 5;
}

/* MXCSR rounding control for each RISC-V rm (RMM: nearest-even, see above). */
static const uint8_t host_rc[5] = { 0, 3, 1, 2, 0 };

static void fp_begin(CPURISCVState *env, int rm)
{
    uint32_t m = mxcsr_read();
    uint32_t rc = (uint32_t)host_rc[rm] << MXCSR_RC_SHIFT;

    if ((m & MXCSR_RC) != rc || (fflags_of_mxcsr(m) & ~env->fflags)) {
        mxcsr_write((m & ~(MXCSR_RC | MXCSR_FLAGS)) | rc);
    }
}

static void fp_end(CPURISCVState *env)
{
    uint32_t m = mxcsr_read();

    env->fflags |= fflags_of_mxcsr(m);
    if (m & MXCSR_RC) {
        mxcsr_write(m & ~MXCSR_RC);
    }
}

/* Normal or zero: not subnormal, infinite or NaN. */
static bool plain_s(uint32_t b)
{
    uint32_t e = (b >> 23) & 0xff;

    return e != 0xff && (e != 0 || !(b << 1));
}

static bool plain_d(uint64_t b)
{
    uint64_t e = (b >> 52) & 0x7ff;

    return e != 0x7ff && (e != 0 || !(b << 1));
}

/*
 * The fast paths of the arithmetic ops, taken in round-to-nearest (the host's
 * mode outside fp_begin/fp_end) with NX already accrued: on normal or zero
 * operands (no zero divisor, no negative square root), a result that is
 * neither infinite nor tiny can only have raised NX, so the host flags need
 * not be looked at. A tiny sum or difference is exact, hence flagless too.
 * Anything else returns false, for the general path.
 */
static bool fast_s(RISCVOp op, uint32_t a, uint32_t b, uint32_t c, uint64_t *out)
{
    float fa = f32_of(a), fb = f32_of(b), fc = f32_of(c), r;
    bool tiny_ok = false;
    uint32_t e;

    if (!plain_s(a) || (op != RV_OP_FSQRT_S && !plain_s(b))) {
        return false;
    }
    switch (op) {
    case RV_OP_FADD_S: r = fa + fb; tiny_ok = true; break;
    case RV_OP_FSUB_S: r = fa - fb; tiny_ok = true; break;
    case RV_OP_FMUL_S: r = fa * fb; break;
    case RV_OP_FDIV_S:
        if (!(b << 1)) {
            return false;
        }
        r = fa / fb;
        break;
    case RV_OP_FSQRT_S:
        if ((a >> 31) && (a << 1)) {
            return false;
        }
        r = sqrtf(fa);
        break;
    case RV_OP_FMADD_S: case RV_OP_FMSUB_S: case RV_OP_FNMSUB_S: case RV_OP_FNMADD_S:
        if (!plain_s(c)) {
            return false;
        }
        fa = op == RV_OP_FNMSUB_S || op == RV_OP_FNMADD_S ? -fa : fa;
        fc = op == RV_OP_FMSUB_S || op == RV_OP_FNMADD_S ? -fc : fc;
        r = fmaf(fa, fb, fc);
        break;
    default:
        return false;
    }
    e = (bits_of_f32(r) >> 23) & 0xff;
    if (e == 0xff || (e == 0 && !tiny_ok)) {
        return false;
    }
    *out = BOX_S | bits_of_f32(r);
    return true;
}

static bool fast_d(RISCVOp op, uint64_t a, uint64_t b, uint64_t c, uint64_t *out)
{
    double fa = f64_of(a), fb = f64_of(b), fc = f64_of(c), r;
    bool tiny_ok = false;
    uint64_t e;

    if (!plain_d(a) || (op != RV_OP_FSQRT_D && !plain_d(b))) {
        return false;
    }
    switch (op) {
    case RV_OP_FADD_D: r = fa + fb; tiny_ok = true; break;
    case RV_OP_FSUB_D: r = fa - fb; tiny_ok = true; break;
    case RV_OP_FMUL_D: r = fa * fb; break;
    case RV_OP_FDIV_D:
        if (!(b << 1)) {
            return false;
        }
        r = fa / fb;
        break;
    case RV_OP_FSQRT_D:
        if ((a >> 63) && (a << 1)) {
            return false;
        }
        r = sqrt(fa);
        break;
    case RV_OP_FMADD_D: case RV_OP_FMSUB_D: case RV_OP_FNMSUB_D: case RV_OP_FNMADD_D:
        if (!plain_d(c)) {
            return false;
        }
        fa = op == RV_OP_FNMSUB_D || op == RV_OP_FNMADD_D ? -fa : fa;
        fc = op == RV_OP_FMSUB_D || op == RV_OP_FNMADD_D ? -fc : fc;
        r = fma(fa, fb, fc);
        break;
    default:
        return false;
    }
    e = (bits_of_f64(r) >> 52) & 0x7ff;
    if (e == 0x7ff || (e == 0 && !tiny_ok)) {
        return false;
    }
    *out = bits_of_f64(r);
    return true;
}

/*
 * The RMM value of the integer NEG ? -M : M in a format of BITS significant
 * bits, as a double holding it exactly.
 */
static double int_rmm(uint64_t m, bool neg, int bits)
{
    int shift = m ? 64 - __builtin_clzll(m) - bits : 0;
    double r;

    if (shift > 0) {
        m = ((m >> (shift - 1)) + 1) >> 1;
    }
    r = ldexp((double)m, shift > 0 ? shift : 0);
    return neg ? -r : r;
}

/* D rounded to single with RMM: nearest-even but away from zero on a tie. */
static float d_to_s_rmm(double d)
{
    float n = (float)d, other;
    double mid;

    if ((double)n == d || !isfinite(n)) {
        return n;
    }
    other = nextafterf(n, (double)n < d ? INFINITY : -INFINITY);
    mid = ((double)n + (double)other) / 2;
    return isfinite(other) && d == mid && fabsf(other) > fabsf(n) ? other : n;
}

/*
 * N, the nearest-even double result whose exact value is N + E, rounded with
 * RMM instead: the neighbour away from zero when E is half the gap to it.
 */
static double rmm_fix_d(double n, double e)
{
    double other;

    if (e == 0 || !isfinite(n) || !isfinite(e)) {
        return n;
    }
    other = nextafter(n, e > 0 ? INFINITY : -INFINITY);
    return e == (other - n) / 2 && fabs(other) > fabs(n) ? other : n;
}

/* The RMM single result of OP on A, B (or the integer RA), from its RNE one N. */
static float rmm_s(RISCVOp op, float n, float a, float b, uint64_t ra)
{
    switch (op) {
    case RV_OP_FADD_S: return d_to_s_rmm((double)a + b);
    case RV_OP_FSUB_S: return d_to_s_rmm((double)a - b);
    case RV_OP_FMUL_S: return d_to_s_rmm((double)a * b);
    case RV_OP_FDIV_S: return d_to_s_rmm((double)a / b);
    case RV_OP_FCVT_S_D: return d_to_s_rmm(f64_of(ra));
    case RV_OP_FCVT_S_W:
        return (float)int_rmm((uint64_t)llabs((int32_t)ra), (int32_t)ra < 0, 24);
    case RV_OP_FCVT_S_WU: return (float)int_rmm((uint32_t)ra, false, 24);
    case RV_OP_FCVT_S_L:
        return (float)int_rmm((int64_t)ra < 0 ? -ra : ra, (int64_t)ra < 0, 24);
    case RV_OP_FCVT_S_LU: return (float)int_rmm(ra, false, 24);
    default: return n;
    }
}

/* The RMM double result of OP on A, B (or the integer RA), from its RNE one N. */
static double rmm_d(RISCVOp op, double n, double a, double b, uint64_t ra)
{
    double t, r;

    switch (op) {
    case RV_OP_FADD_D: case RV_OP_FSUB_D:
        b = op == RV_OP_FSUB_D ? -b : b;
        t = n - a;
        return rmm_fix_d(n, (a - (n - t)) + (b - t));
    case RV_OP_FMUL_D: return rmm_fix_d(n, fma(a, b, -n));
    case RV_OP_FDIV_D:
        r = fma(-n, b, a);      /* a / b = n + r / b exactly */
        if (r == 0 || !isfinite(n) || !isfinite(r)) {
            return n;
        }
        t = nextafter(n, (r > 0) == (b > 0) ? INFINITY : -INFINITY);
        return (t - n) / 2 * b == r && fabs(t) > fabs(n) ? t : n;
    case RV_OP_FCVT_D_L: return int_rmm((int64_t)ra < 0 ? -ra : ra, (int64_t)ra < 0, 53);
    case RV_OP_FCVT_D_LU: return int_rmm(ra, false, 53);
    default: return n;
    }
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
    if (rm == RISCV_RM_RNE && (env->fflags & FFLAG_NX) && fast_s(op, a, b, c, &out)) {
        return out;
    }
    fp_begin(env, rm);
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
    fp_end(env);
    return box_s(rm == RISCV_RM_RMM ? rmm_s(op, r, fa, fb, ra) : r);
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
    if (rm == RISCV_RM_RNE && (env->fflags & FFLAG_NX) && fast_d(op, a, b, c, &out)) {
        return out;
    }
    fp_begin(env, rm);
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
    fp_end(env);
    return canon_d(rm == RISCV_RM_RMM ? rmm_d(op, r, fa, fb, a) : r);
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
