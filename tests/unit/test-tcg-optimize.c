/*
 * Unit tests for the TCG optimizer (tcg/optimize.c) and liveness analysis
 * (tcg/liveness.c): small IR sequences are built with the emitters, run
 * through the passes, and the resulting op list is inspected: constant
 * folding and propagation, copy propagation, algebraic simplification,
 * branch folding and label merging, dead-code elimination, the limits of
 * what is known (labels, helper calls writing globals) and the dead/sync
 * argument bits the register allocator relies on.
 */
#include "util/osdep.h"
#include "tcg/tcg.h"
#include "tcg/tcg-op.h"
#include "exec/translation-block.h"

typedef struct FakeEnv {
    uint64_t r[4];
    uint64_t o[4];
} FakeEnv;

static TCGv_i64 r[4], o[4];
static TranslationBlock tb __attribute__((aligned(16)));

/* Runs a test in a fresh TB: temps, constants and labels are per TB. */
static void run_in_tb(gconstpointer fn)
{
    tcg_func_start(&tb);
    ((void (*)(void))fn)();
}

/* Ends the TB and runs the passes. */
static void finish(void)
{
    tcg_gen_exit_tb(NULL, 0);
    tcg_optimize(tcg_ctx);
    tcg_liveness_analysis(tcg_ctx);
    if (g_test_verbose()) {
        tcg_dump_ops(tcg_ctx, stderr);
    }
}

static int count_ops(TCGOpcode opc)
{
    TCGOp *op;
    int n = 0;

    tcg_for_each_op(tcg_ctx, op) {
        n += op->opc == opc;
    }
    return n;
}

/* The last op writing global G. */
static TCGOp *writer_of(TCGv_i64 g)
{
    TCGOp *op, *found = NULL;

    tcg_for_each_op(tcg_ctx, op) {
        if (tcg_op_nb_oargs(op) && arg_temp(op->args[0]) == tcgv_i64_temp(g)) {
            found = op;
        }
    }
    g_assert_nonnull(found);
    return found;
}

static void assert_movi(TCGv_i64 g, uint64_t val)
{
    TCGOp *op = writer_of(g);

    g_assert_cmpint(op->opc, ==, INDEX_op_movi_i64);
    g_assert_cmphex(op->args[1], ==, val);
}

static void assert_mov(TCGv_i64 g, TCGv_i64 src)
{
    TCGOp *op = writer_of(g);

    g_assert_cmpint(op->opc, ==, INDEX_op_mov_i64);
    g_assert_true(arg_temp(op->args[1]) == tcgv_i64_temp(src));
}

static void test_const_fold(void)
{
    TCGv_i64 t = tcg_temp_new_i64(), u = tcg_temp_new_i64();
    TCGv_i32 w = tcg_temp_new_i32();

    tcg_gen_movi_i64(t, 2);
    tcg_gen_addi_i64(t, t, 3);
    tcg_gen_mul_i64(o[0], t, tcg_constant_i64(4));
    tcg_gen_movi_i64(u, -1);
    tcg_gen_shri_i64(u, u, 60);
    tcg_gen_rotli_i64(o[1], u, 62);
    tcg_gen_deposit_i64(o[2], t, u, 8, 8);
    tcg_gen_setcondi_i64(TCG_COND_LTU, o[3], u, 16);
    tcg_gen_movi_i32(w, 0x80000000);
    tcg_gen_sari_i32(w, w, 4);
    tcg_gen_ext_i32_i64(r[0], w);
    finish();
    assert_movi(o[0], 20);
    assert_movi(o[1], 0xc000000000000003ULL);
    assert_movi(o[2], 0xf05);
    assert_movi(o[3], 1);
    assert_movi(r[0], 0xfffffffff8000000ULL);
    g_assert_cmpint(count_ops(INDEX_op_add_i64), ==, 0);
    g_assert_cmpint(count_ops(INDEX_op_mul_i64), ==, 0);
    g_assert_cmpint(count_ops(INDEX_op_sar_i32), ==, 0);
    /* The temps' movi are dead: only the five globals' movi remain. */
    g_assert_cmpint(count_ops(INDEX_op_movi_i64), ==, 5);
    g_assert_cmpint(count_ops(INDEX_op_movi_i32), ==, 0);
}

static void test_copy_prop(void)
{
    TCGv_i64 t = tcg_temp_new_i64(), u = tcg_temp_new_i64();
    TCGOp *op;

    tcg_gen_mov_i64(t, r[0]);
    tcg_gen_mov_i64(u, t);
    tcg_gen_add_i64(o[0], u, r[1]);
    tcg_gen_mov_i64(r[2], r[0]);
    tcg_gen_mov_i64(r[2], r[0]);      /* redundant: r2 already is r0 */
    tcg_gen_mov_i64(r[0], r[3]);      /* r0 changes: u must not be replaced by r0 now */
    tcg_gen_sub_i64(o[1], u, r[1]);
    finish();
    op = writer_of(o[0]);
    g_assert_cmpint(op->opc, ==, INDEX_op_add_i64);
    g_assert_true(arg_temp(op->args[1]) == tcgv_i64_temp(r[0]));
    op = writer_of(o[1]);
    g_assert_cmpint(op->opc, ==, INDEX_op_sub_i64);
    g_assert_true(arg_temp(op->args[1]) == tcgv_i64_temp(r[2]));
    g_assert_cmpint(count_ops(INDEX_op_mov_i64), ==, 2);
}

static void test_algebra(void)
{
    TCGv_i64 zero = tcg_constant_i64(0), one = tcg_constant_i64(1);
    TCGv_i64 t = tcg_temp_new_i64();

    tcg_gen_add_i64(o[0], r[0], zero);
    tcg_gen_mul_i64(o[1], r[0], one);
    tcg_gen_and_i64(o[2], r[0], zero);
    tcg_gen_xor_i64(o[3], r[1], r[1]);
    tcg_gen_mul_i64(r[2], zero, r[1]);
    tcg_gen_or_i64(r[3], r[0], tcg_constant_i64(-1));
    tcg_gen_sub_i64(t, r[1], r[1]);
    tcg_gen_add_i64(r[1], r[1], t);   /* t is 0: r1 = r1, no op at all */
    finish();
    assert_mov(o[0], r[0]);
    assert_mov(o[1], r[0]);
    assert_movi(o[2], 0);
    assert_movi(o[3], 0);
    assert_movi(r[2], 0);
    assert_movi(r[3], UINT64_MAX);
    g_assert_cmpint(count_ops(INDEX_op_add_i64), ==, 0);
    g_assert_cmpint(count_ops(INDEX_op_sub_i64), ==, 0);
}

static void test_const_second(void)
{
    TCGOp *op;

    tcg_gen_add_i64(o[0], tcg_constant_i64(5), r[0]);
    tcg_gen_setcond_i64(TCG_COND_LT, o[1], tcg_constant_i64(5), r[0]);
    finish();
    op = writer_of(o[0]);
    g_assert_true(arg_temp(op->args[1]) == tcgv_i64_temp(r[0]));
    g_assert_cmpint(arg_temp(op->args[2])->kind, ==, TEMP_CONST);
    op = writer_of(o[1]);
    g_assert_true(arg_temp(op->args[1]) == tcgv_i64_temp(r[0]));
    g_assert_cmpint(op->args[3], ==, TCG_COND_GT);
}

static uint64_t pure_helper(uint64_t a)
{
    return a + 1;
}

static void test_dce(void)
{
    TCGv_i64 t = tcg_temp_new_i64(), u = tcg_temp_new_i64(), v = tcg_temp_new_i64();

    tcg_gen_mul_i64(t, r[0], r[1]);                       /* unused */
    tcg_gen_call(pure_helper, TCG_CALL_NO_RWG_SE, tcg_temp(u), tcg_temp(r[0]));  /* unused */
    tcg_gen_call(pure_helper, TCG_CALL_NO_RWG, tcg_temp(u), tcg_temp(r[1]));     /* kept */
    tcg_gen_qemu_ld_i64(v, r[2], 0, MO_UQ);               /* may fault: kept */
    tcg_gen_ld_i64(t, tcg_env, 0);                        /* unused host load */
    tcg_gen_add_i64(o[0], r[0], r[1]);
    tcg_gen_add_i64(o[0], r[0], r[2]);                    /* the first add is dead */
    finish();
    g_assert_cmpint(count_ops(INDEX_op_mul_i64), ==, 0);
    g_assert_cmpint(count_ops(INDEX_op_call), ==, 1);
    g_assert_cmpint(count_ops(INDEX_op_qemu_ld_i64), ==, 1);
    g_assert_cmpint(count_ops(INDEX_op_ld_i64), ==, 0);
    g_assert_cmpint(count_ops(INDEX_op_add_i64), ==, 1);
}

static void test_branch_fold(void)
{
    TCGLabel *never = gen_new_label(), *always = gen_new_label();
    TCGv_i64 t = tcg_temp_new_i64();

    tcg_gen_movi_i64(t, 7);
    tcg_gen_brcondi_i64(TCG_COND_EQ, t, 8, never);   /* never taken: removed */
    tcg_gen_movi_i64(o[0], 1);
    tcg_gen_set_label(never);                        /* no branch left: merged */
    tcg_gen_addi_i64(o[1], t, 1);                    /* t still known: folded */
    tcg_gen_brcondi_i64(TCG_COND_LTU, t, 8, always); /* always: becomes br */
    tcg_gen_movi_i64(o[2], 1);                       /* unreachable */
    tcg_gen_set_label(always);
    tcg_gen_movi_i64(o[3], 2);
    finish();
    g_assert_cmpint(count_ops(INDEX_op_brcond_i64), ==, 0);
    g_assert_cmpint(count_ops(INDEX_op_br), ==, 0);
    g_assert_cmpint(count_ops(INDEX_op_set_label), ==, 0);
    assert_movi(o[1], 8);
    assert_movi(o[3], 2);
    g_assert_cmpint(count_ops(INDEX_op_movi_i64), ==, 3);   /* o0, o1, o3 */
}

static void test_knowledge_limits(void)
{
    TCGLabel *l = gen_new_label();
    TCGv_i64 t = tcg_temp_new_i64();

    /* A label that is a branch target: what was known is forgotten. */
    tcg_gen_movi_i64(t, 5);
    tcg_gen_brcondi_i64(TCG_COND_EQ, r[0], 0, l);
    tcg_gen_movi_i64(t, 6);
    tcg_gen_set_label(l);
    tcg_gen_addi_i64(o[0], t, 1);
    /* A helper that may write globals: r1's known value is forgotten. */
    tcg_gen_movi_i64(r[1], 5);
    tcg_gen_call(pure_helper, 0, tcg_temp(o[1]), tcg_temp(r[2]));
    tcg_gen_addi_i64(o[2], r[1], 1);
    /* One declared not to write globals: r3 stays known. */
    tcg_gen_movi_i64(r[3], 5);
    tcg_gen_call(pure_helper, TCG_CALL_NO_WG, tcg_temp(o[1]), tcg_temp(r[2]));
    tcg_gen_addi_i64(o[3], r[3], 1);
    finish();
    g_assert_cmpint(writer_of(o[0])->opc, ==, INDEX_op_add_i64);
    g_assert_cmpint(writer_of(o[2])->opc, ==, INDEX_op_add_i64);
    assert_movi(o[3], 6);
}

static void test_setcond_movcond(void)
{
    tcg_gen_setcond_i64(TCG_COND_EQ, o[0], r[0], r[0]);
    tcg_gen_setcond_i64(TCG_COND_GTU, o[1], r[0], r[0]);
    tcg_gen_movcond_i64(TCG_COND_LT, o[2], r[0], r[1], r[2], r[2]);
    tcg_gen_movcond_i64(TCG_COND_GEU, o[3], r[0], tcg_constant_i64(0), r[1], r[2]);
    finish();
    assert_movi(o[0], 1);
    assert_movi(o[1], 0);
    assert_mov(o[2], r[2]);
    assert_mov(o[3], r[1]);
}

static void test_liveness_bits(void)
{
    TCGv_i64 t = tcg_temp_new_i64();
    TCGLabel *l = gen_new_label();
    TCGOp *op;

    tcg_gen_add_i64(t, r[0], r[1]);     /* t dies at its use below, r0 lives on */
    tcg_gen_mul_i64(o[0], t, r[0]);     /* o0 written once: sync, register dead */
    tcg_gen_brcondi_i64(TCG_COND_EQ, r[0], 0, l);
    tcg_gen_set_label(l);
    tcg_gen_mov_i64(r[3], r[0]);
    finish();

    op = writer_of(o[0]);
    g_assert_cmpint(op->opc, ==, INDEX_op_mul_i64);
    g_assert_cmphex(op->sync_args, ==, 1);
    /* args: o0, t, r0. o0 is dead after (only memory matters), t dies, r0 is used later. */
    g_assert_cmphex(op->dead_args, ==, 1 << 0 | 1 << 1);
    op = tcg_ctx->first_op;
    g_assert_cmpint(op->opc, ==, INDEX_op_add_i64);
    /* t is used in this block only: no write-back. r0 and r1 are globals, r1 dies. */
    g_assert_cmphex(op->sync_args, ==, 0);
    g_assert_cmphex(op->dead_args, ==, 1 << 2);
}

static void test_multi_bb_temp(void)
{
    TCGv_i64 t = tcg_temp_new_i64();
    TCGLabel *l = gen_new_label();
    TCGOp *op;

    tcg_gen_add_i64(t, r[0], r[1]);
    tcg_gen_brcondi_i64(TCG_COND_EQ, r[0], 0, l);
    tcg_gen_addi_i64(t, t, 1);
    tcg_gen_set_label(l);
    tcg_gen_mov_i64(o[0], t);
    finish();
    /* t crosses block ends: each definition is written back to memory. */
    op = tcg_ctx->first_op;
    g_assert_cmpint(op->opc, ==, INDEX_op_add_i64);
    g_assert_cmphex(op->sync_args, ==, 1);
    g_assert_cmphex(op->dead_args & 1, ==, 1);
}

static void add_test(const char *path, void (*fn)(void))
{
    g_test_add_data_func(path, (const void *)fn, run_in_tb);
}

int main(int argc, char **argv)
{
    GError *err = NULL;

    g_test_init(&argc, &argv, NULL);
    g_assert_true(tcg_context_init(&tcg_backend_interp, 1 * MiB, &err));
    for (int i = 0; i < 4; i++) {
        r[i] = tcg_global_mem_new_i64(offsetof(FakeEnv, r[i]), "r");
    }
    for (int i = 0; i < 4; i++) {
        o[i] = tcg_global_mem_new_i64(offsetof(FakeEnv, o[i]), "o");
    }
    add_test("/tcg/optimize/const-fold", test_const_fold);
    add_test("/tcg/optimize/copy-prop", test_copy_prop);
    add_test("/tcg/optimize/algebra", test_algebra);
    add_test("/tcg/optimize/const-second", test_const_second);
    add_test("/tcg/optimize/dce", test_dce);
    add_test("/tcg/optimize/branch-fold", test_branch_fold);
    add_test("/tcg/optimize/knowledge-limits", test_knowledge_limits);
    add_test("/tcg/optimize/setcond-movcond", test_setcond_movcond);
    add_test("/tcg/liveness/bits", test_liveness_bits);
    add_test("/tcg/liveness/multi-bb-temp", test_multi_bb_temp);
    return g_test_run();
}
