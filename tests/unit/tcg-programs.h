/*
 * Small TCG IR programs with known results, shared by the interpreter unit
 * test and the JIT-versus-interpreter differential test. Each program reads
 * its inputs from globals of a fake CPU env (TCGTestEnv, initialized by
 * tp_env_new with fixed edge-case values) or, when built with FOLD set, from
 * the same values as constants (so the optimizer folds what it can and the
 * results must not change), and writes its results to the out[] globals;
 * check() compares them with values computed here in plain C. Guest memory
 * is one page at TP_GUEST_PAGE mapped by a TLB entry to env->mem; other
 * addresses take the slow path, served by the fake helper_*_mmu defined here
 * (a test binary including this header must not link accel/tcg's).
 *
 * Use: tcg_context_init(backend, ...); tp_globals_init(); then for each
 * program tp_run(prog, fold, env) and prog->check(env) or compare two envs
 * with tp_env_equal.
 */
#ifndef TESTS_UNIT_TCG_PROGRAMS_H
#define TESTS_UNIT_TCG_PROGRAMS_H

#include "util/osdep.h"
#include "tcg/tcg.h"
#include "tcg/tcg-op.h"
#include "exec/cpu-tlb.h"
#include "exec/translation-block.h"

#define TP_NR 16
#define TP_NW 8
#define TP_NOUT 40
#define TP_GUEST_PAGE 0x40000ULL

typedef struct TCGTestEnv {
    TCGCPUCommon common;
    uint64_t r[TP_NR];        /* i64 globals r0..r15 */
    uint32_t w[TP_NW];        /* i32 globals w0..w7 */
    uint64_t out[TP_NOUT];    /* i64 globals o0.. */
    uint64_t scratch[4];      /* host ld/st target */
    uint64_t slow_addr;       /* last slow-path access */
    uint64_t slow_val;
    uint64_t slow_count;
    uint8_t mem[TARGET_PAGE_SIZE];
} TCGTestEnv;

static const uint64_t tp_r_init[TP_NR] = {
    0, 1, UINT64_MAX, 0x8000000000000000ULL, 0x7fffffffffffffffULL, 0x80000000ULL,
    0xffffffffULL, 0x123456789abcdef0ULL, 63, 64, 65, 31, 32, 33, 0xfffffffffffffffeULL,
    0xdeadbeefULL,
};

static const uint32_t tp_w_init[TP_NW] = {
    0, 1, 0xffffffffu, 0x80000000u, 0x7fffffffu, 0x12345678u, 31, 33,
};

static TCGv_i64 tp_r[TP_NR], tp_out[TP_NOUT];
static TCGv_i32 tp_w[TP_NW];
static bool tp_fold;
/* Return address passed to the last slow-path call (precise-state tests). */
static uintptr_t tp_last_slow_ra;

static void tp_globals_init(void)
{
    static char names[TP_NR + TP_NW + TP_NOUT][8];
    int k = 0;

    for (int i = 0; i < TP_NR; i++, k++) {
        snprintf(names[k], sizeof(names[k]), "r%d", i);
        tp_r[i] = tcg_global_mem_new_i64(offsetof(TCGTestEnv, r[i]), names[k]);
    }
    for (int i = 0; i < TP_NW; i++, k++) {
        snprintf(names[k], sizeof(names[k]), "w%d", i);
        tp_w[i] = tcg_global_mem_new_i32(offsetof(TCGTestEnv, w[i]), names[k]);
    }
    for (int i = 0; i < TP_NOUT; i++, k++) {
        snprintf(names[k], sizeof(names[k]), "o%d", i);
        tp_out[i] = tcg_global_mem_new_i64(offsetof(TCGTestEnv, out[i]), names[k]);
    }
}

static TCGTestEnv *tp_env_new(void)
{
    TCGTestEnv *env = g_malloc0(sizeof(*env));
    CPUTLBEntry *e;

    memset(&env->common.tlb, 0xff, sizeof(env->common.tlb));
    e = tlb_entry(env, 0, TP_GUEST_PAGE);
    e->addr_read = e->addr_write = TP_GUEST_PAGE;
    e->addend = (uintptr_t)env->mem - TP_GUEST_PAGE;
    memcpy(env->r, tp_r_init, sizeof(env->r));
    memcpy(env->w, tp_w_init, sizeof(env->w));
    for (int i = 0; i < (int)sizeof(env->mem); i++) {
        env->mem[i] = (uint8_t)(i * 7 + 3);
    }
    return env;
}

/* Inputs: globals, or the same values as constants when folding. */
static TCGv_i64 R(int i)
{
    return tp_fold ? tcg_constant_i64((int64_t)tp_r_init[i]) : tp_r[i];
}

static TCGv_i32 W(int i)
{
    return tp_fold ? tcg_constant_i32((int32_t)tp_w_init[i]) : tp_w[i];
}

static TCGv_i64 O(int i)
{
    return tp_out[i];
}

/* out[k] = zero-extended i32 value. */
static void tp_out32(int k, TCGv_i32 v)
{
    tcg_gen_extu_i32_i64(O(k), v);
}

/* ---- Fake slow paths ---- */

static uint64_t tp_slow_load(void *envp, uint64_t addr, MemOpIdx oi, unsigned size,
                             uintptr_t ra)
{
    TCGTestEnv *env = envp;
    uint64_t v = ~addr * 0x9e3779b97f4a7c15ULL;

    tp_last_slow_ra = ra;
    env->slow_addr = addr;
    env->slow_count++;
    if (get_memop(oi) & MO_BE) {
        v = __builtin_bswap64(v) >> (64 - 8 * size);
    }
    return size == 8 ? v : v & ((1ULL << (8 * size)) - 1);
}

static void tp_slow_store(void *envp, uint64_t addr, uint64_t val, unsigned size,
                          uintptr_t ra)
{
    TCGTestEnv *env = envp;

    tp_last_slow_ra = ra;
    env->slow_addr = addr;
    env->slow_val = size == 8 ? val : val & ((1ULL << (8 * size)) - 1);
    env->slow_count++;
}

uint64_t helper_ldub_mmu(void *env, uint64_t addr, MemOpIdx oi, uintptr_t ra)
{
    return tp_slow_load(env, addr, oi, 1, ra);
}

uint64_t helper_lduw_mmu(void *env, uint64_t addr, MemOpIdx oi, uintptr_t ra)
{
    return tp_slow_load(env, addr, oi, 2, ra);
}

uint64_t helper_ldul_mmu(void *env, uint64_t addr, MemOpIdx oi, uintptr_t ra)
{
    return tp_slow_load(env, addr, oi, 4, ra);
}

uint64_t helper_lduq_mmu(void *env, uint64_t addr, MemOpIdx oi, uintptr_t ra)
{
    return tp_slow_load(env, addr, oi, 8, ra);
}

void helper_stb_mmu(void *env, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t ra)
{
    tp_slow_store(env, addr, val, 1, ra);
}

void helper_stw_mmu(void *env, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t ra)
{
    tp_slow_store(env, addr, val, 2, ra);
}

void helper_stl_mmu(void *env, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t ra)
{
    tp_slow_store(env, addr, val, 4, ra);
}

void helper_stq_mmu(void *env, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t ra)
{
    tp_slow_store(env, addr, val, 8, ra);
}

/* ---- Reference values ---- */

#define X(i) tp_r_init[i]
#define Y(i) tp_w_init[i]

static uint64_t tp_rotl64(uint64_t x, unsigned n)
{
    n &= 63;
    return n ? (x << n) | (x >> (64 - n)) : x;
}

static uint32_t tp_rotl32(uint32_t x, unsigned n)
{
    n &= 31;
    return n ? (x << n) | (x >> (32 - n)) : x;
}

/* ---- Programs ---- */

static void tp_build_logic64(void)
{
    tcg_gen_add_i64(O(0), R(7), R(2));
    tcg_gen_sub_i64(O(1), R(0), R(1));
    tcg_gen_mul_i64(O(2), R(7), R(7));
    tcg_gen_neg_i64(O(3), R(3));
    tcg_gen_and_i64(O(4), R(7), R(15));
    tcg_gen_or_i64(O(5), R(7), R(15));
    tcg_gen_xor_i64(O(6), R(7), R(15));
    tcg_gen_not_i64(O(7), R(7));
    tcg_gen_andc_i64(O(8), R(7), R(15));
    tcg_gen_orc_i64(O(9), R(7), R(15));
    tcg_gen_eqv_i64(O(10), R(7), R(15));
    tcg_gen_nand_i64(O(11), R(7), R(15));
    tcg_gen_nor_i64(O(12), R(7), R(15));
    tcg_gen_addi_i64(O(13), R(4), 1);
    tcg_gen_subfi_i64(O(14), 5, R(7));
    tcg_gen_muli_i64(O(15), R(7), 8);
    tcg_gen_muli_i64(O(16), R(7), 7);
    tcg_gen_xori_i64(O(17), R(7), -1);
    tcg_gen_mov_i64(O(18), R(7));
    tcg_gen_movi_i64(O(19), 0x1122334455667788LL);
}

static void tp_check_logic64(const TCGTestEnv *env)
{
    const uint64_t *o = env->out;

    g_assert_cmphex(o[0], ==, X(7) - 1);
    g_assert_cmphex(o[1], ==, UINT64_MAX);
    g_assert_cmphex(o[2], ==, X(7) * X(7));
    g_assert_cmphex(o[3], ==, 0x8000000000000000ULL);
    g_assert_cmphex(o[4], ==, X(7) & X(15));
    g_assert_cmphex(o[5], ==, X(7) | X(15));
    g_assert_cmphex(o[6], ==, X(7) ^ X(15));
    g_assert_cmphex(o[7], ==, ~X(7));
    g_assert_cmphex(o[8], ==, X(7) & ~X(15));
    g_assert_cmphex(o[9], ==, X(7) | ~X(15));
    g_assert_cmphex(o[10], ==, ~(X(7) ^ X(15)));
    g_assert_cmphex(o[11], ==, ~(X(7) & X(15)));
    g_assert_cmphex(o[12], ==, ~(X(7) | X(15)));
    g_assert_cmphex(o[13], ==, 0x8000000000000000ULL);
    g_assert_cmphex(o[14], ==, 5 - X(7));
    g_assert_cmphex(o[15], ==, X(7) * 8);
    g_assert_cmphex(o[16], ==, X(7) * 7);
    g_assert_cmphex(o[17], ==, ~X(7));
    g_assert_cmphex(o[18], ==, X(7));
    g_assert_cmphex(o[19], ==, 0x1122334455667788ULL);
}

static void tp_build_logic32(void)
{
    TCGv_i32 t = tcg_temp_new_i32();

    tcg_gen_add_i32(t, W(5), W(2));
    tp_out32(0, t);
    tcg_gen_sub_i32(t, W(0), W(1));
    tp_out32(1, t);
    tcg_gen_mul_i32(t, W(5), W(5));
    tp_out32(2, t);
    tcg_gen_neg_i32(t, W(3));
    tp_out32(3, t);
    tcg_gen_and_i32(t, W(5), W(4));
    tp_out32(4, t);
    tcg_gen_or_i32(t, W(5), W(3));
    tp_out32(5, t);
    tcg_gen_xor_i32(t, W(5), W(2));
    tp_out32(6, t);
    tcg_gen_not_i32(t, W(5));
    tp_out32(7, t);
    tcg_gen_andc_i32(t, W(5), W(4));
    tp_out32(8, t);
    tcg_gen_orc_i32(t, W(5), W(4));
    tp_out32(9, t);
    tcg_gen_eqv_i32(t, W(5), W(4));
    tp_out32(10, t);
    tcg_gen_nand_i32(t, W(5), W(4));
    tp_out32(11, t);
    tcg_gen_nor_i32(t, W(5), W(4));
    tp_out32(12, t);
    tcg_gen_addi_i32(t, W(4), 1);
    tp_out32(13, t);
    tcg_gen_ext_i32_i64(O(14), W(3));
    tcg_gen_extrl_i64_i32(t, R(7));
    tp_out32(15, t);
    tcg_gen_extrh_i64_i32(t, R(7));
    tp_out32(16, t);
    tcg_gen_concat_i32_i64(O(17), W(5), W(3));
    tcg_gen_mov_i32(tp_w[7], W(5));
    tcg_temp_free_i32(t);
}

static void tp_check_logic32(const TCGTestEnv *env)
{
    const uint64_t *o = env->out;

    g_assert_cmphex(o[0], ==, (uint32_t)(Y(5) - 1));
    g_assert_cmphex(o[1], ==, 0xffffffffu);
    g_assert_cmphex(o[2], ==, (uint32_t)(Y(5) * Y(5)));
    g_assert_cmphex(o[3], ==, 0x80000000u);
    g_assert_cmphex(o[4], ==, Y(5) & Y(4));
    g_assert_cmphex(o[5], ==, Y(5) | Y(3));
    g_assert_cmphex(o[6], ==, (uint32_t)~Y(5));
    g_assert_cmphex(o[7], ==, (uint32_t)~Y(5));
    g_assert_cmphex(o[8], ==, Y(5) & ~Y(4));
    g_assert_cmphex(o[9], ==, (uint32_t)(Y(5) | ~Y(4)));
    g_assert_cmphex(o[10], ==, (uint32_t)~(Y(5) ^ Y(4)));
    g_assert_cmphex(o[11], ==, (uint32_t)~(Y(5) & Y(4)));
    g_assert_cmphex(o[12], ==, (uint32_t)~(Y(5) | Y(4)));
    g_assert_cmphex(o[13], ==, 0x80000000u);
    g_assert_cmphex(o[14], ==, 0xffffffff80000000ULL);
    g_assert_cmphex(o[15], ==, 0x9abcdef0u);
    g_assert_cmphex(o[16], ==, 0x12345678u);
    g_assert_cmphex(o[17], ==, 0x8000000012345678ULL);
    g_assert_cmphex(env->w[7], ==, Y(5));
}

static void tp_build_shifts(void)
{
    TCGv_i32 t = tcg_temp_new_i32();

    tcg_gen_shl_i64(O(0), R(7), R(8));
    tcg_gen_shl_i64(O(1), R(7), R(9));     /* 64: count modulo 64 = 0 */
    tcg_gen_shl_i64(O(2), R(7), R(10));    /* 65 -> 1 */
    tcg_gen_shr_i64(O(3), R(3), R(10));
    tcg_gen_sar_i64(O(4), R(3), R(10));
    tcg_gen_sar_i64(O(5), R(3), R(8));
    tcg_gen_shr_i64(O(6), R(2), R(9));
    tcg_gen_shli_i64(O(7), R(7), 4);
    tcg_gen_shri_i64(O(8), R(7), 60);
    tcg_gen_sari_i64(O(9), R(3), 63);
    tcg_gen_shl_i32(t, W(5), W(6));
    tp_out32(10, t);
    tcg_gen_shl_i32(t, W(5), W(7));        /* 33 -> 1 */
    tp_out32(11, t);
    tcg_gen_shr_i32(t, W(3), W(7));
    tp_out32(12, t);
    tcg_gen_sar_i32(t, W(3), W(7));
    tp_out32(13, t);
    tcg_gen_sar_i32(t, W(3), W(6));
    tp_out32(14, t);
    tcg_gen_shri_i32(t, W(5), 28);
    tp_out32(15, t);
    tcg_temp_free_i32(t);
}

static void tp_check_shifts(const TCGTestEnv *env)
{
    const uint64_t *o = env->out;

    g_assert_cmphex(o[0], ==, X(7) << 63);
    g_assert_cmphex(o[1], ==, X(7));
    g_assert_cmphex(o[2], ==, X(7) << 1);
    g_assert_cmphex(o[3], ==, 0x4000000000000000ULL);
    g_assert_cmphex(o[4], ==, 0xc000000000000000ULL);
    g_assert_cmphex(o[5], ==, UINT64_MAX);
    g_assert_cmphex(o[6], ==, UINT64_MAX);
    g_assert_cmphex(o[7], ==, X(7) << 4);
    g_assert_cmphex(o[8], ==, 1);
    g_assert_cmphex(o[9], ==, UINT64_MAX);
    g_assert_cmphex(o[10], ==, 0);
    g_assert_cmphex(o[11], ==, (uint32_t)(Y(5) << 1));
    g_assert_cmphex(o[12], ==, 0x40000000u);
    g_assert_cmphex(o[13], ==, 0xc0000000u);
    g_assert_cmphex(o[14], ==, 0xffffffffu);
    g_assert_cmphex(o[15], ==, 1);
}

static void tp_build_rotates(void)
{
    TCGv_i32 t = tcg_temp_new_i32();

    tcg_gen_rotl_i64(O(0), R(7), R(10));
    tcg_gen_rotr_i64(O(1), R(7), R(10));
    tcg_gen_rotl_i64(O(2), R(7), R(9));
    tcg_gen_rotr_i64(O(3), R(7), R(8));
    tcg_gen_rotli_i64(O(4), R(7), 12);
    tcg_gen_rotri_i64(O(5), R(7), 12);
    tcg_gen_rotl_i32(t, W(5), W(7));
    tp_out32(6, t);
    tcg_gen_rotr_i32(t, W(5), W(6));
    tp_out32(7, t);
    tcg_gen_rotli_i32(t, W(5), 8);
    tp_out32(8, t);
    tcg_gen_rotri_i32(t, W(5), 8);
    tp_out32(9, t);
    tcg_temp_free_i32(t);
}

static void tp_check_rotates(const TCGTestEnv *env)
{
    const uint64_t *o = env->out;

    g_assert_cmphex(o[0], ==, tp_rotl64(X(7), 1));
    g_assert_cmphex(o[1], ==, tp_rotl64(X(7), 63));
    g_assert_cmphex(o[2], ==, X(7));
    g_assert_cmphex(o[3], ==, tp_rotl64(X(7), 1));
    g_assert_cmphex(o[4], ==, tp_rotl64(X(7), 12));
    g_assert_cmphex(o[5], ==, tp_rotl64(X(7), 52));
    g_assert_cmphex(o[6], ==, tp_rotl32(Y(5), 1));
    g_assert_cmphex(o[7], ==, tp_rotl32(Y(5), 1));
    g_assert_cmphex(o[8], ==, 0x34567812u);
    g_assert_cmphex(o[9], ==, 0x78123456u);
}

static void tp_build_bitfield(void)
{
    TCGv_i32 t = tcg_temp_new_i32();

    tcg_gen_extract_i64(O(0), R(7), 8, 12);
    tcg_gen_sextract_i64(O(1), R(7), 60, 4);
    tcg_gen_sextract_i64(O(2), R(7), 4, 8);
    tcg_gen_deposit_i64(O(3), R(7), R(2), 16, 8);
    tcg_gen_deposit_i64(O(4), R(7), R(15), 32, 32);
    tcg_gen_deposit_i64(O(5), R(7), R(0), 0, 1);
    tcg_gen_ext8s_i64(O(6), R(7));
    tcg_gen_ext8u_i64(O(7), R(7));
    tcg_gen_ext16s_i64(O(8), R(7));
    tcg_gen_ext16u_i64(O(9), R(7));
    tcg_gen_ext32s_i64(O(10), R(7));
    tcg_gen_ext32u_i64(O(11), R(7));
    tcg_gen_extract_i32(t, W(5), 4, 8);
    tp_out32(12, t);
    tcg_gen_sextract_i32(t, W(3), 28, 4);
    tp_out32(13, t);
    tcg_gen_deposit_i32(t, W(5), W(2), 4, 8);
    tp_out32(14, t);
    tcg_gen_ext8s_i32(t, W(2));
    tp_out32(15, t);
    tcg_gen_ext16u_i32(t, W(2));
    tp_out32(16, t);
    tcg_gen_extract_i64(O(17), R(7), 0, 64);
    tcg_gen_sextract_i64(O(18), R(7), 32, 32);
    tcg_temp_free_i32(t);
}

static void tp_check_bitfield(const TCGTestEnv *env)
{
    const uint64_t *o = env->out;

    g_assert_cmphex(o[0], ==, (X(7) >> 8) & 0xfff);
    g_assert_cmphex(o[1], ==, 1);
    g_assert_cmphex(o[2], ==, UINT64_MAX & ~0x10ULL);   /* 0xef sign-extended */
    g_assert_cmphex(o[3], ==, (X(7) & ~0xff0000ULL) | 0xff0000ULL);
    g_assert_cmphex(o[4], ==, 0xdeadbeef9abcdef0ULL);
    g_assert_cmphex(o[5], ==, X(7));
    g_assert_cmphex(o[6], ==, 0xfffffffffffffff0ULL);
    g_assert_cmphex(o[7], ==, 0xf0);
    g_assert_cmphex(o[8], ==, 0xffffffffffffdef0ULL);
    g_assert_cmphex(o[9], ==, 0xdef0);
    g_assert_cmphex(o[10], ==, 0xffffffff9abcdef0ULL);
    g_assert_cmphex(o[11], ==, 0x9abcdef0ULL);
    g_assert_cmphex(o[12], ==, 0x67);
    g_assert_cmphex(o[13], ==, 0xfffffff8u);
    g_assert_cmphex(o[14], ==, 0x12345ff8u);
    g_assert_cmphex(o[15], ==, 0xffffffffu);
    g_assert_cmphex(o[16], ==, 0xffff);
    g_assert_cmphex(o[17], ==, X(7));
    g_assert_cmphex(o[18], ==, 0x12345678ULL);
}

static void tp_build_muldiv(void)
{
    TCGv_i32 t = tcg_temp_new_i32();

    tcg_gen_mulsh_i64(O(0), R(2), R(2));
    tcg_gen_muluh_i64(O(1), R(2), R(2));
    tcg_gen_mulsh_i64(O(2), R(3), R(3));
    tcg_gen_muluh_i64(O(3), R(7), R(4));
    tcg_gen_mulsh_i64(O(4), R(7), R(3));
    tcg_gen_div_i64(O(5), R(14), R(13));
    tcg_gen_divu_i64(O(6), R(14), R(13));
    tcg_gen_rem_i64(O(7), R(7), R(13));
    tcg_gen_remu_i64(O(8), R(14), R(13));
    tcg_gen_div_i64(O(9), R(3), R(9));
    tcg_gen_mulsh_i32(t, W(2), W(2));
    tp_out32(10, t);
    tcg_gen_muluh_i32(t, W(2), W(2));
    tp_out32(11, t);
    tcg_gen_mulsh_i32(t, W(3), W(5));
    tp_out32(12, t);
    tcg_gen_div_i32(t, W(2), W(7));
    tp_out32(13, t);
    tcg_gen_divu_i32(t, W(2), W(7));
    tp_out32(14, t);
    tcg_gen_rem_i32(t, W(3), W(7));
    tp_out32(15, t);
    tcg_gen_remu_i32(t, W(5), W(7));
    tp_out32(16, t);
    tcg_temp_free_i32(t);
}

static void tp_check_muldiv(const TCGTestEnv *env)
{
    const uint64_t *o = env->out;

    g_assert_cmphex(o[0], ==, 0);
    g_assert_cmphex(o[1], ==, UINT64_MAX - 1);
    g_assert_cmphex(o[2], ==, 0x4000000000000000ULL);
    g_assert_cmphex(o[3], ==, (uint64_t)(((unsigned __int128)X(7) * X(4)) >> 64));
    g_assert_cmphex(o[4], ==, (uint64_t)(((__int128)(int64_t)X(7) * (int64_t)X(3)) >> 64));
    g_assert_cmphex(o[5], ==, 0);                              /* -2 / 33 */
    g_assert_cmphex(o[6], ==, X(14) / 33);
    g_assert_cmphex(o[7], ==, X(7) % 33);
    g_assert_cmphex(o[8], ==, X(14) % 33);
    g_assert_cmphex(o[9], ==, (uint64_t)(INT64_MIN / 64));
    g_assert_cmphex(o[10], ==, 0);
    g_assert_cmphex(o[11], ==, 0xfffffffeu);
    g_assert_cmphex(o[12], ==, (uint32_t)(((int64_t)INT32_MIN * 0x12345678) >> 32));
    g_assert_cmphex(o[13], ==, 0);
    g_assert_cmphex(o[14], ==, 0xffffffffu / 33);
    g_assert_cmphex(o[15], ==, (uint32_t)(INT32_MIN % 33));
    g_assert_cmphex(o[16], ==, 0x12345678u % 33);
}

static const TCGCond tp_conds[] = {
    TCG_COND_EQ, TCG_COND_NE, TCG_COND_LT, TCG_COND_GE, TCG_COND_LE, TCG_COND_GT,
    TCG_COND_LTU, TCG_COND_GEU, TCG_COND_LEU, TCG_COND_GTU,
};

/* Operand pairs for the condition tests: (a, b) register indexes. */
static const int tp_cond_pairs[][2] = { { 2, 1 }, { 1, 1 }, { 3, 4 }, { 1, 2 } };
static const int tp_cond_pairs32[][2] = { { 2, 1 }, { 1, 1 }, { 3, 4 }, { 4, 3 } };

static void tp_build_setcond(void)
{
    TCGv_i32 t = tcg_temp_new_i32();

    for (size_t c = 0; c < ARRAY_SIZE(tp_conds); c++) {
        for (size_t p = 0; p < ARRAY_SIZE(tp_cond_pairs); p++) {
            TCGv_i64 s = tcg_temp_new_i64();
            int a = tp_cond_pairs[p][0], b = tp_cond_pairs[p][1];
            int a32 = tp_cond_pairs32[p][0], b32 = tp_cond_pairs32[p][1];

            /* out[c] collects bit p for i64, bit 8+p for i32, 16+p for movcond. */
            tcg_gen_setcond_i64(tp_conds[c], s, R(a), R(b));
            tcg_gen_shli_i64(s, s, (unsigned)p);
            if (p == 0) {
                tcg_gen_mov_i64(O(c), s);
            } else {
                tcg_gen_or_i64(O(c), O(c), s);
            }
            tcg_gen_setcond_i32(tp_conds[c], t, W(a32), W(b32));
            tcg_gen_extu_i32_i64(s, t);
            tcg_gen_shli_i64(s, s, 8 + (unsigned)p);
            tcg_gen_or_i64(O(c), O(c), s);
            tcg_gen_movcond_i64(tp_conds[c], s, R(a), R(b), R(9), R(0));
            tcg_gen_shl_i64(s, s, tcg_constant_i64(10 + (int64_t)p));
            tcg_gen_or_i64(O(c), O(c), s);
            tcg_gen_movcond_i32(tp_conds[c], t, W(a32), W(b32), W(1), W(0));
            tcg_gen_extu_i32_i64(s, t);
            tcg_gen_shli_i64(s, s, 24 + (unsigned)p);
            tcg_gen_or_i64(O(c), O(c), s);
            tcg_temp_free_i64(s);
        }
    }
    tcg_gen_setcondi_i64(TCG_COND_EQ, O(10), R(7), (int64_t)0x123456789abcdef0LL);
    tcg_gen_setcondi_i64(TCG_COND_GTU, O(11), R(2), 5);
    tcg_temp_free_i32(t);
}

static void tp_check_setcond(const TCGTestEnv *env)
{
    for (size_t c = 0; c < ARRAY_SIZE(tp_conds); c++) {
        uint64_t want = 0;

        for (size_t p = 0; p < ARRAY_SIZE(tp_cond_pairs); p++) {
            uint64_t a = X(tp_cond_pairs[p][0]), b = X(tp_cond_pairs[p][1]);
            uint32_t a32 = Y(tp_cond_pairs32[p][0]), b32 = Y(tp_cond_pairs32[p][1]);
            bool r64, r32;

            switch (tp_conds[c]) {
            case TCG_COND_EQ:
                r64 = a == b, r32 = a32 == b32;
                break;
            case TCG_COND_NE:
                r64 = a != b, r32 = a32 != b32;
                break;
            case TCG_COND_LT:
                r64 = (int64_t)a < (int64_t)b, r32 = (int32_t)a32 < (int32_t)b32;
                break;
            case TCG_COND_GE:
                r64 = (int64_t)a >= (int64_t)b, r32 = (int32_t)a32 >= (int32_t)b32;
                break;
            case TCG_COND_LE:
                r64 = (int64_t)a <= (int64_t)b, r32 = (int32_t)a32 <= (int32_t)b32;
                break;
            case TCG_COND_GT:
                r64 = (int64_t)a > (int64_t)b, r32 = (int32_t)a32 > (int32_t)b32;
                break;
            case TCG_COND_LTU:
                r64 = a < b, r32 = a32 < b32;
                break;
            case TCG_COND_GEU:
                r64 = a >= b, r32 = a32 >= b32;
                break;
            case TCG_COND_LEU:
                r64 = a <= b, r32 = a32 <= b32;
                break;
            default:
                r64 = a > b, r32 = a32 > b32;
                break;
            }
            want |= (uint64_t)r64 << p | (uint64_t)r32 << (8 + p);
            want |= (r64 ? 64ULL : 0) << (10 + p) | (uint64_t)r32 << (24 + p);
        }
        g_assert_cmphex(env->out[c], ==, want);
    }
    g_assert_cmphex(env->out[10], ==, 1);
    g_assert_cmphex(env->out[11], ==, 1);
}

/* Loops and branches: TB temps must survive branches. */
static void tp_build_branches(void)
{
    TCGv_i64 i = tcg_temp_new_i64(), sum = tcg_temp_new_i64();
    TCGLabel *loop = gen_new_label(), *skip = gen_new_label(), *done = gen_new_label();

    tcg_gen_movi_i64(sum, 0);
    tcg_gen_mov_i64(i, R(13));
    tcg_gen_set_label(loop);
    tcg_gen_add_i64(sum, sum, i);
    tcg_gen_subi_i64(i, i, 1);
    tcg_gen_brcondi_i64(TCG_COND_NE, i, 0, loop);
    tcg_gen_mov_i64(O(0), sum);

    /* Each condition as a branch: out[1] gets bit c when taken. */
    tcg_gen_movi_i64(O(1), 0);
    for (size_t c = 0; c < ARRAY_SIZE(tp_conds); c++) {
        TCGLabel *not_taken = gen_new_label();

        tcg_gen_brcond_i64(tcg_invert_cond(tp_conds[c]), R(3), R(4), not_taken);
        tcg_gen_ori_i64(O(1), O(1), 1LL << c);
        tcg_gen_set_label(not_taken);
    }
    tcg_gen_movi_i64(O(2), 0);
    for (size_t c = 0; c < ARRAY_SIZE(tp_conds); c++) {
        TCGLabel *taken = gen_new_label(), *next = gen_new_label();

        tcg_gen_brcond_i32(tp_conds[c], W(2), W(1), taken);
        tcg_gen_br(next);
        tcg_gen_set_label(taken);
        tcg_gen_ori_i64(O(2), O(2), 1LL << c);
        tcg_gen_set_label(next);
    }
    tcg_gen_brcondi_i64(TCG_COND_EQ, R(0), 0, skip);
    tcg_gen_movi_i64(O(3), 111);
    tcg_gen_br(done);
    tcg_gen_set_label(skip);
    tcg_gen_movi_i64(O(3), 222);
    tcg_gen_set_label(done);
    tcg_temp_free_i64(i);
    tcg_temp_free_i64(sum);
}

static void tp_check_branches(const TCGTestEnv *env)
{
    /* r3 = INT64_MIN vs r4 = INT64_MAX: NE LT LE GEU GTU (unsigned, r3 > r4). */
    uint64_t want1 = 1u << 1 | 1u << 2 | 1u << 4 | 1u << 7 | 1u << 9;
    /* w2 = -1 vs w1 = 1: NE LT LE GEU GTU */
    uint64_t want2 = 1u << 1 | 1u << 2 | 1u << 4 | 1u << 7 | 1u << 9;

    g_assert_cmphex(env->out[0], ==, 33 * 34 / 2);
    g_assert_cmphex(env->out[1], ==, want1);
    g_assert_cmphex(env->out[2], ==, want2);
    g_assert_cmphex(env->out[3], ==, 222);
}

static uint64_t tp_helper0(void)
{
    return 42;
}

static uint64_t tp_helper1(uint64_t a)
{
    return a * 3;
}

static uint64_t tp_helper2(uint64_t a, uint64_t b)
{
    return a - b;
}

static uint64_t tp_helper3(uint64_t a, uint64_t b, uint64_t c)
{
    return a + 2 * b + 3 * c;
}

static uint64_t tp_helper4(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    return a + 2 * b + 3 * c + 4 * d;
}

static uint64_t tp_helper5(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
    return a + 2 * b + 3 * c + 4 * d + 5 * e;
}

static uint64_t tp_helper6(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e,
                           uint64_t f)
{
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f;
}

static uint32_t tp_helper_i32(uint32_t a, uint32_t b)
{
    return a * 2 + b;
}

/* Reads r1 and writes r2 behind TCG's back: needs the global sync and reload. */
static void tp_helper_globals(void *envp, uint64_t v)
{
    TCGTestEnv *env = envp;

    env->r[2] = env->r[1] * 100 + v;
}

static void tp_build_calls(void)
{
    TCGTemp *a[6] = {
        tcg_temp(R(1)), tcg_temp(R(7)), tcg_temp(R(13)), tcg_temp(R(2)), tcg_temp(R(15)),
        tcg_temp(R(10)),
    };
    TCGv_i32 t = tcg_temp_new_i32();

    tcg_gen_call0(tp_helper0, TCG_CALL_NO_RWG_SE, tcg_temp(O(0)));
    tcg_gen_call(tp_helper1, TCG_CALL_NO_RWG_SE, tcg_temp(O(1)), a[0]);
    tcg_gen_call(tp_helper2, TCG_CALL_NO_RWG_SE, tcg_temp(O(2)), a[0], a[1]);
    tcg_gen_call(tp_helper3, TCG_CALL_NO_RWG, tcg_temp(O(3)), a[0], a[1], a[2]);
    tcg_gen_call(tp_helper4, TCG_CALL_NO_RWG, tcg_temp(O(4)), a[0], a[1], a[2], a[3]);
    tcg_gen_call(tp_helper5, TCG_CALL_NO_RWG, tcg_temp(O(5)), a[0], a[1], a[2], a[3], a[4]);
    tcg_gen_call(tp_helper6, 0, tcg_temp(O(6)), a[0], a[1], a[2], a[3], a[4], a[5]);
    tcg_gen_call(tp_helper_i32, TCG_CALL_NO_RWG_SE, tcg_temp(t), tcg_temp(W(5)),
                 tcg_temp(W(2)));
    tp_out32(7, t);
    /* r1 changes in TCG only, then the helper must see it and its r2 must be reloaded. */
    tcg_gen_addi_i64(tp_r[1], R(1), 4);
    tcg_gen_call(tp_helper_globals, 0, NULL, tcg_temp(tcg_env), tcg_temp(R(13)));
    tcg_gen_addi_i64(O(8), tp_r[2], 1);
    tcg_temp_free_i32(t);
}

static void tp_check_calls(const TCGTestEnv *env)
{
    const uint64_t *o = env->out;

    g_assert_cmphex(o[0], ==, 42);
    g_assert_cmphex(o[1], ==, 3);
    g_assert_cmphex(o[2], ==, 1 - X(7));
    g_assert_cmphex(o[3], ==, 1 + 2 * X(7) + 3 * 33);
    g_assert_cmphex(o[4], ==, 1 + 2 * X(7) + 3 * 33 + 4 * UINT64_MAX);
    g_assert_cmphex(o[5], ==, 1 + 2 * X(7) + 3 * 33 + 4 * UINT64_MAX + 5 * X(15));
    g_assert_cmphex(o[6], ==, 1 + 2 * X(7) + 3 * 33 + 4 * UINT64_MAX + 5 * X(15) + 6 * 65);
    g_assert_cmphex(o[7], ==, (uint32_t)(Y(5) * 2 + Y(2)));
    g_assert_cmphex(env->r[1], ==, 5);
    g_assert_cmphex(env->r[2], ==, 533);
    g_assert_cmphex(o[8], ==, 534);
}

static void tp_build_bitcount(void)
{
    TCGv_i32 t = tcg_temp_new_i32();

    tcg_gen_clzi_i64(O(0), R(7), 64);
    tcg_gen_clzi_i64(O(1), R(0), 64);
    tcg_gen_ctzi_i64(O(2), R(7), 64);
    tcg_gen_ctz_i64(O(3), R(0), R(13));
    tcg_gen_ctpop_i64(O(4), R(7));
    tcg_gen_bswap64_i64(O(5), R(7));
    tcg_gen_bswap32_i64(O(6), R(7));
    tcg_gen_bswap16_i64(O(7), R(7));
    tcg_gen_clzi_i32(t, W(5), 32);
    tp_out32(8, t);
    tcg_gen_ctzi_i32(t, W(0), 32);
    tp_out32(9, t);
    tcg_gen_ctpop_i32(t, W(2));
    tp_out32(10, t);
    tcg_gen_bswap32_i32(t, W(5));
    tp_out32(11, t);
    tcg_gen_bswap16_i32(t, W(5));
    tp_out32(12, t);
    tcg_gen_clz_i64(O(13), R(6), R(9));
    tcg_temp_free_i32(t);
}

static void tp_check_bitcount(const TCGTestEnv *env)
{
    const uint64_t *o = env->out;

    g_assert_cmphex(o[0], ==, 3);
    g_assert_cmphex(o[1], ==, 64);
    g_assert_cmphex(o[2], ==, 4);
    g_assert_cmphex(o[3], ==, 33);
    g_assert_cmphex(o[4], ==, (uint64_t)__builtin_popcountll(X(7)));
    g_assert_cmphex(o[5], ==, 0xf0debc9a78563412ULL);
    g_assert_cmphex(o[6], ==, 0xf0debc9aULL);
    g_assert_cmphex(o[7], ==, 0xf0deULL);
    g_assert_cmphex(o[8], ==, 3);
    g_assert_cmphex(o[9], ==, 32);
    g_assert_cmphex(o[10], ==, 32);
    g_assert_cmphex(o[11], ==, 0x78563412u);
    g_assert_cmphex(o[12], ==, 0x7856u);
    g_assert_cmphex(o[13], ==, 32);
}

static void tp_build_ldst_env(void)
{
    TCGv_i32 t = tcg_temp_new_i32();
    intptr_t s0 = offsetof(TCGTestEnv, scratch[0]), s1 = offsetof(TCGTestEnv, scratch[1]);

    tcg_gen_st_i64(R(7), tcg_env, s0);
    tcg_gen_ld8u_i64(O(0), tcg_env, s0);
    tcg_gen_ld8s_i64(O(1), tcg_env, s0);
    tcg_gen_ld16u_i64(O(2), tcg_env, s0 + 2);
    tcg_gen_ld16s_i64(O(3), tcg_env, s0);
    tcg_gen_ld32u_i64(O(4), tcg_env, s0 + 4);
    tcg_gen_ld32s_i64(O(5), tcg_env, s0);
    tcg_gen_ld_i64(O(6), tcg_env, s0);
    tcg_gen_st8_i64(R(2), tcg_env, s1);
    tcg_gen_st16_i64(R(2), tcg_env, s1 + 2);
    tcg_gen_st32_i64(R(0), tcg_env, s1 + 4);
    tcg_gen_ld_i64(O(7), tcg_env, s1);
    tcg_gen_ld8s_i32(t, tcg_env, s0 + 1);
    tp_out32(8, t);
    tcg_gen_ld16s_i32(t, tcg_env, s0 + 6);
    tp_out32(9, t);
    tcg_gen_ld16u_i32(t, tcg_env, s0 + 6);
    tp_out32(10, t);
    tcg_gen_ld8u_i32(t, tcg_env, s0 + 7);
    tp_out32(11, t);
    tcg_gen_st_i32(W(5), tcg_env, s1);
    tcg_gen_st8_i32(W(2), tcg_env, s1 + 4);
    tcg_gen_st16_i32(W(4), tcg_env, s1 + 6);
    tcg_gen_ld_i32(t, tcg_env, s1 + 4);
    tp_out32(12, t);
    tcg_gen_ld_i64(O(13), tcg_env, s1);
    tcg_temp_free_i32(t);
}

static void tp_check_ldst_env(const TCGTestEnv *env)
{
    const uint64_t *o = env->out;

    g_assert_cmphex(o[0], ==, 0xf0);
    g_assert_cmphex(o[1], ==, 0xfffffffffffffff0ULL);
    g_assert_cmphex(o[2], ==, 0x9abc);
    g_assert_cmphex(o[3], ==, 0xffffffffffffdef0ULL);
    g_assert_cmphex(o[4], ==, 0x12345678);
    g_assert_cmphex(o[5], ==, 0xffffffff9abcdef0ULL);
    g_assert_cmphex(o[6], ==, X(7));
    g_assert_cmphex(o[7], ==, 0xffff00ffULL);
    g_assert_cmphex(o[8], ==, 0xffffffdeu);
    g_assert_cmphex(o[9], ==, 0x1234);
    g_assert_cmphex(o[10], ==, 0x1234);
    g_assert_cmphex(o[11], ==, 0x12);
    g_assert_cmphex(o[12], ==, 0xffff00ffu);
    g_assert_cmphex(o[13], ==, 0xffff00ff12345678ULL);
    g_assert_cmphex(env->scratch[0], ==, X(7));
}

static void tp_build_guest_mem(void)
{
    TCGv_i64 a = tcg_temp_new_i64();
    TCGv_i32 t = tcg_temp_new_i32();

    tcg_gen_movi_i64(a, (int64_t)TP_GUEST_PAGE + 0x100);
    tcg_gen_qemu_st_i64(R(7), a, 0, MO_UQ);
    tcg_gen_qemu_ld_i64(O(0), a, 0, MO_UQ);
    tcg_gen_qemu_ld_i64(O(1), a, 0, MO_UQ | MO_BE);
    tcg_gen_qemu_ld_i64(O(2), a, 0, MO_SB);
    tcg_gen_qemu_ld_i64(O(3), a, 0, MO_UW);
    tcg_gen_qemu_ld_i64(O(4), a, 0, MO_SW | MO_BE);
    tcg_gen_qemu_ld_i64(O(5), a, 0, MO_SL);
    tcg_gen_qemu_ld_i64(O(6), a, 0, MO_UL | MO_BE);
    tcg_gen_addi_i64(a, a, 8);
    tcg_gen_qemu_st_i64(R(7), a, 0, MO_UL | MO_BE);
    tcg_gen_qemu_st_i64(R(15), a, 0, MO_UW);
    tcg_gen_qemu_st_i64(R(2), a, 0, MO_UB);
    tcg_gen_qemu_ld_i64(O(7), a, 0, MO_UQ);
    tcg_gen_qemu_ld_i32(t, a, 0, MO_SW);
    tp_out32(8, t);
    tcg_gen_qemu_st_i32(W(5), a, 0, MO_UL | MO_BE);
    tcg_gen_qemu_ld_i32(t, a, 0, MO_UL);
    tp_out32(9, t);
    /* Unmapped: the slow paths. */
    tcg_gen_qemu_ld_i64(O(10), R(7), 0, MO_UQ);
    tcg_gen_qemu_ld_i64(O(11), R(7), 0, MO_SB);
    tcg_gen_qemu_st_i64(R(15), R(1), 0, MO_UW);
    /* Crossing the end of the mapped page: slow path too. */
    tcg_gen_movi_i64(a, (int64_t)TP_GUEST_PAGE + TARGET_PAGE_SIZE - 2);
    tcg_gen_qemu_ld_i32(t, a, 0, MO_UL);
    tp_out32(12, t);
    /* Misaligned with MO_ALIGN: slow path; without: fast. */
    tcg_gen_movi_i64(a, (int64_t)TP_GUEST_PAGE + 0x201);
    tcg_gen_qemu_ld_i64(O(13), a, 0, MO_UW | MO_ALIGN);
    tcg_gen_qemu_ld_i64(O(14), a, 0, MO_UW);
    tcg_temp_free_i64(a);
    tcg_temp_free_i32(t);
}

static uint64_t tp_slow_ref(uint64_t addr, unsigned size)
{
    uint64_t v = ~addr * 0x9e3779b97f4a7c15ULL;

    return size == 8 ? v : v & ((1ULL << (8 * size)) - 1);
}

static void tp_check_guest_mem(const TCGTestEnv *env)
{
    const uint64_t *o = env->out;

    g_assert_cmphex(o[0], ==, X(7));
    g_assert_cmphex(o[1], ==, __builtin_bswap64(X(7)));
    g_assert_cmphex(o[2], ==, 0xfffffffffffffff0ULL);
    g_assert_cmphex(o[3], ==, 0xdef0);
    g_assert_cmphex(o[4], ==, 0xfffffffffffff0deULL);
    g_assert_cmphex(o[5], ==, 0xffffffff9abcdef0ULL);
    g_assert_cmphex(o[6], ==, 0xf0debc9aULL);
    g_assert_cmphex(o[7] & 0xffffffff, ==, 0xf0debeffULL);
    g_assert_cmphex(o[8], ==, 0xffffbeffu);
    g_assert_cmphex(o[9], ==, 0x78563412u);
    g_assert_cmphex(o[10], ==, tp_slow_ref(X(7), 8));
    g_assert_cmphex(o[11], ==, (uint64_t)(int8_t)tp_slow_ref(X(7), 1));
    g_assert_cmphex(env->slow_val, ==, 0xbeef);
    g_assert_cmphex(o[12], ==, tp_slow_ref(TP_GUEST_PAGE + TARGET_PAGE_SIZE - 2, 4));
    g_assert_cmphex(o[13], ==, tp_slow_ref(TP_GUEST_PAGE + 0x201, 2));
    g_assert_cmphex(o[14], ==, (uint64_t)env->mem[0x201] | (uint64_t)env->mem[0x202] << 8);
    g_assert_cmphex(env->slow_count, ==, 5);
}

typedef struct TCGTestProgram {
    const char *name;
    void (*build)(void);
    void (*check)(const TCGTestEnv *env);
} TCGTestProgram;

static const TCGTestProgram tp_programs[] = {
    { "logic64", tp_build_logic64, tp_check_logic64 },
    { "logic32", tp_build_logic32, tp_check_logic32 },
    { "shifts", tp_build_shifts, tp_check_shifts },
    { "rotates", tp_build_rotates, tp_check_rotates },
    { "bitfield", tp_build_bitfield, tp_check_bitfield },
    { "muldiv", tp_build_muldiv, tp_check_muldiv },
    { "setcond", tp_build_setcond, tp_check_setcond },
    { "branches", tp_build_branches, tp_check_branches },
    { "calls", tp_build_calls, tp_check_calls },
    { "bitcount", tp_build_bitcount, tp_check_bitcount },
    { "ldst-env", tp_build_ldst_env, tp_check_ldst_env },
    { "guest-mem", tp_build_guest_mem, tp_check_guest_mem },
};

/* The TB every program is translated into (TBs must be 4-byte aligned). */
static TranslationBlock tp_tb __attribute__((aligned(16)));

/* Translates PROG (inputs folded when FOLD) for the current back end; the TB. */
static TranslationBlock *tp_translate(const TCGTestProgram *prog, bool fold)
{
    TranslationBlock *tb = &tp_tb;
    int size;

    memset(tb, 0, sizeof(*tb));
    tb->pc = 0x1000;
    tp_fold = fold;
    for (int attempt = 0; attempt < 2; attempt++) {
        tcg_func_start(tb);
        tcg_gen_tb_start(tb);
        tcg_gen_insn_start(tb->pc);
        prog->build();
        tcg_gen_exit_tb(NULL, 0);
        tcg_gen_tb_end(tb);
        size = tcg_gen_code(tcg_ctx, tb);
        if (size >= 0) {
            return tb;
        }
        tcg_code_buffer_flush(tcg_ctx);
    }
    g_assert_not_reached();
}

/* Translates and runs PROG on ENV; the exit value. */
static uintptr_t tp_run(const TCGTestProgram *prog, bool fold, TCGTestEnv *env)
{
    TranslationBlock *tb = tp_translate(prog, fold);

    return tcg_ctx->backend->tb_exec(env, tb->tc.ptr);
}

/* Same guest-visible state (everything after the TLB). */
static bool tp_env_equal(const TCGTestEnv *a, const TCGTestEnv *b)
{
    size_t ofs = offsetof(TCGTestEnv, r);

    return !memcmp((const char *)a + ofs, (const char *)b + ofs, sizeof(*a) - ofs);
}

#undef X
#undef Y

#endif
