/*
 * Unit tests for the TCG interpreter back end (tcg/interp) together with the
 * emitters, optimizer and liveness: every program of tcg-programs.h runs with
 * its inputs in globals and again with them folded to constants, and must
 * produce the reference results; plus the exit protocol (exit-request check,
 * exit_tb values), goto_tb chaining and unchaining, the jump-cache lookup of
 * lookup_and_goto_ptr, instruction boundaries for precise state (GETPC and
 * slow-path return addresses map to the right guest instruction) and a full
 * code buffer being reported to the caller.
 */
#include "util/osdep.h"
#include "exec/exec-all.h"
#include "tcg-programs.h"

static void test_program(gconstpointer data)
{
    const TCGTestProgram *prog = data;
    g_autofree TCGTestEnv *env = tp_env_new();
    g_autofree TCGTestEnv *folded = tp_env_new();

    g_assert_cmpuint(tp_run(prog, false, env), ==, 0);
    prog->check(env);
    g_assert_cmpuint(tp_run(prog, true, folded), ==, 0);
    prog->check(folded);
    g_assert_true(tp_env_equal(env, folded));
}

/* Builds a TB at PC with BODY between the framing ops. */
static TranslationBlock *build_tb(uint64_t pc, void (*body)(TranslationBlock *tb))
{
    TranslationBlock *tb = g_malloc0(sizeof(*tb));

    g_assert(((uintptr_t)tb & 3) == 0);
    tb->pc = pc;
    tcg_func_start(tb);
    tcg_gen_tb_start(tb);
    body(tb);
    tcg_gen_tb_end(tb);
    g_assert_cmpint(tcg_gen_code(tcg_ctx, tb), >, 0);
    return tb;
}

static uintptr_t run_tb(TranslationBlock *tb, TCGTestEnv *env)
{
    return tcg_ctx->backend->tb_exec(env, tb->tc.ptr);
}

static void body_incr_goto(TranslationBlock *tb)
{
    tcg_gen_insn_start(tb->pc);
    tcg_gen_addi_i64(tp_r[0], tp_r[0], 1);
    tcg_gen_goto_tb(0);
    tcg_gen_exit_tb(tb, 0);
}

static void body_times10(TranslationBlock *tb)
{
    tcg_gen_insn_start(tb->pc);
    tcg_gen_muli_i64(tp_out[0], tp_r[0], 10);
    tcg_gen_exit_tb(NULL, 0);
}

static void body_lookup(TranslationBlock *tb)
{
    tcg_gen_insn_start(tb->pc);
    tcg_gen_addi_i64(tp_r[0], tp_r[0], 2);
    tcg_gen_lookup_and_goto_ptr(tp_r[5]);
}

static void test_exit_request(void)
{
    g_autofree TranslationBlock *tb = build_tb(0x2000, body_times10);
    g_autofree TCGTestEnv *env = tp_env_new();

    env->r[0] = 7;
    env->common.exit_request = 1;
    g_assert_cmphex(run_tb(tb, env), ==, (uintptr_t)tb | TB_EXIT_REQUESTED);
    g_assert_cmphex(env->out[0], ==, 0);
    env->common.exit_request = 0;
    g_assert_cmphex(run_tb(tb, env), ==, 0);
    g_assert_cmphex(env->out[0], ==, 70);
}

static void test_chaining(void)
{
    g_autofree TranslationBlock *a = build_tb(0x3000, body_incr_goto);
    g_autofree TranslationBlock *b = build_tb(0x3100, body_times10);
    g_autofree TCGTestEnv *env = tp_env_new();

    env->r[0] = 1;
    /* Unchained: leaves through slot 0 of a. */
    g_assert_cmphex(run_tb(a, env), ==, (uintptr_t)a | 0);
    g_assert_cmphex(env->r[0], ==, 2);
    g_assert_cmphex(env->out[0], ==, 0);
    g_assert_cmpuint(a->jmp_insn_offset[0], <, a->tc.size);
    g_assert_cmpuint(a->jmp_insn_offset[1], ==, TB_JMP_OFFSET_INVALID);

    tcg_ctx->backend->tb_set_jmp_target(a, 0, b);
    g_assert_cmphex(run_tb(a, env), ==, 0);
    g_assert_cmphex(env->r[0], ==, 3);
    g_assert_cmphex(env->out[0], ==, 30);

    tcg_ctx->backend->tb_set_jmp_target(a, 0, NULL);
    g_assert_cmphex(run_tb(a, env), ==, (uintptr_t)a);
    g_assert_cmphex(env->r[0], ==, 4);
    g_assert_cmphex(env->out[0], ==, 30);
}

static void test_lookup_and_goto_ptr(void)
{
    g_autofree TranslationBlock *a = build_tb(0x4000, body_lookup);
    g_autofree TranslationBlock *b = build_tb(0x4100, body_times10);
    g_autofree TranslationBlock **cache = g_new0(TranslationBlock *, TB_JMP_CACHE_SIZE);
    g_autofree TCGTestEnv *env = tp_env_new();

    env->common.jmp_cache_ptr = (uintptr_t)cache;
    env->r[0] = 1;
    env->r[5] = 0x4100;
    /* Miss: back to the loop. */
    g_assert_cmphex(run_tb(a, env), ==, 0);
    g_assert_cmphex(env->r[0], ==, 3);
    g_assert_cmphex(env->out[0], ==, 0);
    /* Hit: continues in b. */
    cache[tb_jmp_cache_hash(0x4100)] = b;
    g_assert_cmphex(run_tb(a, env), ==, 0);
    g_assert_cmphex(env->r[0], ==, 5);
    g_assert_cmphex(env->out[0], ==, 50);
    /* Same slot, other pc: a miss. */
    env->r[5] = 0x4100 + 2 * TB_JMP_CACHE_SIZE;
    env->out[0] = 0;
    g_assert_cmphex(run_tb(a, env), ==, 0);
    g_assert_cmphex(env->out[0], ==, 0);
    /* Flags differ: a miss. */
    env->r[5] = 0x4100;
    b->flags = 1;
    g_assert_cmphex(run_tb(a, env), ==, 0);
    g_assert_cmphex(env->out[0], ==, 0);
}

static uintptr_t seen_retaddr;

static void helper_record_pc(void)
{
    seen_retaddr = GETPC();
}

static void body_two_insns(TranslationBlock *tb)
{
    TCGv_i64 a = tcg_temp_new_i64();

    tcg_gen_insn_start2(tb->pc, 11);
    tcg_gen_addi_i64(tp_r[0], tp_r[0], 1);
    tcg_gen_insn_start2(tb->pc + 4, 22);
    tcg_gen_addi_i64(tp_r[0], tp_r[0], 1);
    tcg_gen_call0(helper_record_pc, 0, NULL);
    tcg_gen_insn_start2(tb->pc + 8, 33);
    tcg_gen_movi_i64(a, 0x7000);
    tcg_gen_qemu_ld_i64(tp_out[0], a, 0, MO_UQ);
    tcg_gen_exit_tb(NULL, 0);
    tcg_temp_free_i64(a);
}

/* The guest instruction of TB containing host address RA (the documented rule). */
static int insn_of_retaddr(const TranslationBlock *tb, uintptr_t ra)
{
    uintptr_t off = ra - 1 - (uintptr_t)tb->tc.ptr;
    int found = -1;

    g_assert_cmpuint(off, <, tb->tc.size);
    for (int i = 0; i < tb->icount; i++) {
        if (tb->insn_off[i] <= off) {
            found = i;
        }
    }
    return found;
}

static void test_precise_state(void)
{
    g_autofree TranslationBlock *tb = build_tb(0x5000, body_two_insns);
    g_autofree TCGTestEnv *env = tp_env_new();

    g_assert_cmpint(tb->icount, ==, 3);
    g_assert_cmphex(tb->insn_data[1][0], ==, 0x5004);
    g_assert_cmphex(tb->insn_data[1][1], ==, 22);
    g_assert_cmphex(tb->insn_data[2][1], ==, 33);
    g_assert_cmpuint(tb->insn_off[0], <, tb->insn_off[1]);
    g_assert_cmpuint(tb->insn_off[1], <, tb->insn_off[2]);

    seen_retaddr = tp_last_slow_ra = 0;
    g_assert_cmphex(run_tb(tb, env), ==, 0);
    g_assert_cmpint(insn_of_retaddr(tb, seen_retaddr), ==, 1);
    g_assert_cmpint(insn_of_retaddr(tb, tp_last_slow_ra), ==, 2);
    /* Outside generated code GETPC is the caller's return address again. */
    g_assert_cmphex(tcg_interp_retaddr, ==, 0);
}

static void body_big(TranslationBlock *tb)
{
    tcg_gen_insn_start(tb->pc);
    for (int i = 0; i < 200; i++) {
        tcg_gen_addi_i64(tp_r[1], tp_r[1], i + 1);
        tcg_gen_xor_i64(tp_r[2], tp_r[2], tp_r[1]);
    }
    tcg_gen_exit_tb(NULL, 0);
}

static void test_buffer_full(void)
{
    TranslationBlock tb __attribute__((aligned(16))) = { .pc = 0x6000 };
    int size = 0, n = 0;

    /* Fill the buffer until gen_code reports it full, then flush and retry. */
    tcg_code_buffer_flush(tcg_ctx);
    do {
        tcg_func_start(&tb);
        tcg_gen_tb_start(&tb);
        body_big(&tb);
        tcg_gen_tb_end(&tb);
        size = tcg_gen_code(tcg_ctx, &tb);
        n++;
    } while (size > 0 && n < 100000);
    g_assert_cmpint(size, ==, -1);
    g_assert_cmpint(n, >, 10);
    tcg_code_buffer_flush(tcg_ctx);
    g_assert_cmpuint(tcg_code_buffer_used(tcg_ctx), ==, 0);
    tcg_func_start(&tb);
    tcg_gen_tb_start(&tb);
    body_big(&tb);
    tcg_gen_tb_end(&tb);
    g_assert_cmpint(tcg_gen_code(tcg_ctx, &tb), >, 0);
}

static void build_tst(void)
{
    TCGLabel *skip = gen_new_label();
    TCGv_i32 t = tcg_temp_new_i32();

    tcg_gen_setcond_i64(TCG_COND_TSTEQ, O(0), R(7), R(15));
    tcg_gen_setcond_i64(TCG_COND_TSTNE, O(1), R(7), R(15));
    tcg_gen_setcond_i64(TCG_COND_TSTEQ, O(2), R(7), R(1));
    tcg_gen_setcond_i32(TCG_COND_TSTNE, t, W(5), W(3));
    tp_out32(3, t);
    tcg_gen_movcond_i64(TCG_COND_TSTNE, O(4), R(3), R(2), R(8), R(9));
    tcg_gen_movi_i64(O(5), 1);
    tcg_gen_brcond_i64(TCG_COND_TSTEQ, R(7), R(1), skip);
    tcg_gen_movi_i64(O(5), 2);
    tcg_gen_set_label(skip);
    tcg_temp_free_i32(t);
}

static void check_tst(const TCGTestEnv *env)
{
    g_assert_cmphex(env->out[0], ==, 0);            /* x7 & 0xdeadbeef != 0 */
    g_assert_cmphex(env->out[1], ==, 1);
    g_assert_cmphex(env->out[2], ==, 1);            /* x7 is even */
    g_assert_cmphex(env->out[3], ==, 0);            /* 0x12345678 & 0x80000000 */
    g_assert_cmphex(env->out[4], ==, 63);
    g_assert_cmphex(env->out[5], ==, 1);
}

/* The optional TSTEQ/TSTNE conditions (not in the shared list: JITs may lack them). */
static const TCGTestProgram tst_program = { "tst", build_tst, check_tst };

int main(int argc, char **argv)
{
    GError *err = NULL;
    const TCGBackend *be;

    g_test_init(&argc, &argv, NULL);
    be = tcg_backend_find("interp");
    g_assert_true(be == &tcg_backend_interp);
    g_assert_true(tcg_context_init(be, 1 * MiB, &err));
    g_assert_no_error(err);
    tp_globals_init();
    for (size_t i = 0; i < ARRAY_SIZE(tp_programs); i++) {
        g_autofree char *path = g_strdup_printf("/tcg/interp/program/%s", tp_programs[i].name);

        g_test_add_data_func(path, &tp_programs[i], test_program);
    }
    g_test_add_data_func("/tcg/interp/program/tst", &tst_program, test_program);
    g_test_add_func("/tcg/interp/exit-request", test_exit_request);
    g_test_add_func("/tcg/interp/chaining", test_chaining);
    g_test_add_func("/tcg/interp/lookup-and-goto-ptr", test_lookup_and_goto_ptr);
    g_test_add_func("/tcg/interp/precise-state", test_precise_state);
    g_test_add_func("/tcg/interp/buffer-full", test_buffer_full);
    return g_test_run();
}
