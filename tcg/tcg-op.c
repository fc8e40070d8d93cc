/*
 * The IR emitters of include/tcg/tcg-op.h: each appends ops to the TB being
 * translated. Trivial cases are simplified at once (add 0, shift by 0,
 * ALWAYS/NEVER conditions); operations the back end does not implement
 * (TCGBackend.has_op) are expanded into simpler ops or into calls of small
 * pure helpers defined here. Also the TB framing (exit-request check) and
 * guest instruction markers.
 */
#include "util/osdep.h"
#include "tcg/tcg-op.h"
#include "tcg/internal.h"
#include "exec/cpu-tlb.h"
#include "exec/translation-block.h"

#define T32(v) temp_arg(tcgv_i32_temp(v))
#define T64(v) temp_arg(tcgv_i64_temp(v))
#define TP(v) temp_arg(tcgv_ptr_temp(v))
#define T32P(v) tcgv_i32_temp(v)
#define T64P(v) tcgv_i64_temp(v)

/* Appends OPC with the given args (outputs, inputs, constants). */
static void tcg_gen_op_args(TCGOpcode opc, int nargs, const TCGArg *args)
{
    TCGOp *op = tcg_emit_op(opc, nargs);

    memcpy(op->args, args, (size_t)nargs * sizeof(TCGArg));
}

#define tcg_gen_op(opc, ...) \
    tcg_gen_op_args((opc), (int)(sizeof((TCGArg[]){ __VA_ARGS__ }) / sizeof(TCGArg)), \
                    (TCGArg[]){ __VA_ARGS__ })

static bool tcg_have_op(TCGOpcode opc)
{
    const TCGBackend *be = tcg_ctx->backend;

    return !be->has_op || be->has_op(opc);
}

/* High halves of products, for back ends without mulsh/muluh. */
static int32_t tcg_helper_mulsh_i32(int32_t a, int32_t b)
{
    return (int32_t)(((int64_t)a * b) >> 32);
}

static uint32_t tcg_helper_muluh_i32(uint32_t a, uint32_t b)
{
    return (uint32_t)(((uint64_t)a * b) >> 32);
}

static int64_t tcg_helper_mulsh_i64(int64_t a, int64_t b)
{
    return (int64_t)(((__int128)a * b) >> 64);
}

static uint64_t tcg_helper_muluh_i64(uint64_t a, uint64_t b)
{
    return (uint64_t)(((unsigned __int128)a * b) >> 64);
}

static uint64_t tcg_helper_bswap64_i64(uint64_t a)
{
    return bswap64(a);
}

/* ---- Common ---- */

void tcg_gen_br(TCGLabel *l)
{
    l->refs++;
    tcg_gen_op(INDEX_op_br, label_arg(l));
}

void tcg_gen_set_label(TCGLabel *l)
{
    g_assert(!l->present);
    l->present = true;
    tcg_gen_op(INDEX_op_set_label, label_arg(l));
}

void tcg_gen_mb(unsigned bar)
{
    tcg_gen_op(INDEX_op_mb, (TCGArg)bar);
}

void tcg_gen_insn_start2(uint64_t pc, uint64_t extra)
{
    TCGContext *s = tcg_ctx;

    g_assert(s->insn_count < TCG_MAX_INSNS);
    s->gen_insn_data[s->insn_count][0] = pc;
    s->gen_insn_data[s->insn_count][1] = extra;
    s->insn_count++;
    tcg_gen_op(INDEX_op_insn_start, (TCGArg)pc, (TCGArg)extra);
}

void tcg_gen_insn_start(uint64_t pc)
{
    tcg_gen_insn_start2(pc, 0);
}

/*
 * The exit-request label of the TB being translated lives in the arena; it
 * is found again by tcg_gen_tb_end through this pointer, reset per TB.
 */
static TCGLabel *tcg_exit_request_label;
static const TranslationBlock *tcg_exit_request_tb;

void tcg_gen_tb_start(TranslationBlock *tb)
{
    TCGv_i32 t = tcg_temp_new_i32();

    tcg_exit_request_label = gen_new_label();
    tcg_exit_request_tb = tb;
    tcg_gen_ld_i32(t, tcg_env, (intptr_t)TCG_ENV_EXIT_REQUEST_OFS);
    tcg_gen_brcondi_i32(TCG_COND_NE, t, 0, tcg_exit_request_label);
    tcg_temp_free_i32(t);
}

void tcg_gen_tb_end(TranslationBlock *tb)
{
    g_assert(tcg_exit_request_tb == tb && tcg_exit_request_label);
    tcg_gen_set_label(tcg_exit_request_label);
    tcg_gen_exit_tb(tb, TB_EXIT_REQUESTED);
    tcg_exit_request_label = NULL;
    tcg_exit_request_tb = NULL;
}

void tcg_gen_goto_tb(unsigned n)
{
    g_assert(n < 2);
    tcg_gen_op(INDEX_op_goto_tb, (TCGArg)n);
}

void tcg_gen_exit_tb(const TranslationBlock *tb, unsigned n)
{
    g_assert(n <= TB_EXIT_MASK && (tb || n == 0));
    g_assert(((uintptr_t)tb & TB_EXIT_MASK) == 0);
    tcg_gen_op(INDEX_op_exit_tb, (uintptr_t)tb | n);
}

void tcg_gen_lookup_and_goto_ptr(TCGv_i64 pc)
{
    const TranslationBlock *tb = tcg_ctx->tb;

    if (tb && (tb->cflags & CF_NOCHAIN)) {
        tcg_gen_exit_tb(NULL, 0);
        return;
    }
    tcg_gen_op(INDEX_op_lookup_and_goto_ptr, T64(pc), (TCGArg)(tb ? tb->flags : 0));
}

void tcg_gen_callN(void *func, const char *name, unsigned flags, TCGTemp *ret,
                   int nargs, TCGTemp *const *args)
{
    int no = ret ? 1 : 0;
    TCGOp *op;

    g_assert(nargs >= 0 && nargs <= TCG_MAX_CALL_ARGS);
    op = tcg_emit_op(INDEX_op_call, no + nargs + 3);
    op->call_oargs = (uint8_t)no;
    op->call_iargs = (uint8_t)nargs;
    if (ret) {
        op->args[0] = temp_arg(ret);
    }
    for (int i = 0; i < nargs; i++) {
        op->args[no + i] = temp_arg(args[i]);
    }
    op->args[no + nargs] = (TCGArg)func;
    op->args[no + nargs + 1] = flags;
    op->args[no + nargs + 2] = (TCGArg)name;
}

/* ---- 32-bit ---- */

void tcg_gen_discard_i32(TCGv_i32 arg)
{
    tcg_gen_op(INDEX_op_discard, T32(arg));
}

void tcg_gen_mov_i32(TCGv_i32 ret, TCGv_i32 arg)
{
    if (ret.idx != arg.idx) {
        tcg_gen_op(INDEX_op_mov_i32, T32(ret), T32(arg));
    }
}

void tcg_gen_movi_i32(TCGv_i32 ret, int32_t arg)
{
    tcg_gen_op(INDEX_op_movi_i32, T32(ret), (TCGArg)(uint32_t)arg);
}

static void tcg_gen_binop_i32(TCGOpcode opc, TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{
    tcg_gen_op(opc, T32(ret), T32(a), T32(b));
}

static void tcg_gen_unop_i32(TCGOpcode opc, TCGv_i32 ret, TCGv_i32 a)
{
    tcg_gen_op(opc, T32(ret), T32(a));
}

/* Calls helper FN(a, b) (no globals touched) for an operation the back end lacks. */
static void tcg_gen_helper2_i32(void *fn, const char *name, TCGv_i32 ret, TCGv_i32 a,
                               TCGv_i32 b)
{
    TCGTemp *args[2] = { T32P(a), T32P(b) };

    tcg_gen_callN(fn, name, TCG_CALL_NO_RWG_SE, T32P(ret), 2, args);
}

static void tcg_gen_helper1_i32(void *fn, const char *name, TCGv_i32 ret, TCGv_i32 a)
{
    TCGTemp *args[1] = { T32P(a) };

    tcg_gen_callN(fn, name, TCG_CALL_NO_RWG_SE, T32P(ret), 1, args);
}

void tcg_gen_add_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{
    tcg_gen_binop_i32(INDEX_op_add_i32, ret, a, b);
}

void tcg_gen_addi_i32(TCGv_i32 ret, TCGv_i32 a, int32_t b)
{
    if (b == 0) {
        tcg_gen_mov_i32(ret, a);
    } else {
        tcg_gen_add_i32(ret, a, tcg_constant_i32(b));
    }
}

void tcg_gen_sub_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{
    tcg_gen_binop_i32(INDEX_op_sub_i32, ret, a, b);
}

void tcg_gen_subi_i32(TCGv_i32 ret, TCGv_i32 a, int32_t b)
{
    if (b == 0) {
        tcg_gen_mov_i32(ret, a);
    } else {
        tcg_gen_sub_i32(ret, a, tcg_constant_i32(b));
    }
}

void tcg_gen_subfi_i32(TCGv_i32 ret, int32_t a, TCGv_i32 b)
{
    tcg_gen_sub_i32(ret, tcg_constant_i32(a), b);
}

void tcg_gen_mul_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{
    tcg_gen_binop_i32(INDEX_op_mul_i32, ret, a, b);
}

void tcg_gen_muli_i32(TCGv_i32 ret, TCGv_i32 a, int32_t b)
{
    if (b == 0) {
        tcg_gen_movi_i32(ret, 0);
    } else if (b == 1) {
        tcg_gen_mov_i32(ret, a);
    } else if (is_power_of_2((uint32_t)b)) {
        tcg_gen_shli_i32(ret, a, (unsigned)ctz64((uint32_t)b));
    } else {
        tcg_gen_mul_i32(ret, a, tcg_constant_i32(b));
    }
}

static int32_t tcg_helper_div_i32(int32_t a, int32_t b)
{
    return a / b;
}

static uint32_t tcg_helper_divu_i32(uint32_t a, uint32_t b)
{
    return a / b;
}

static int32_t tcg_helper_rem_i32(int32_t a, int32_t b)
{
    return a % b;
}

static uint32_t tcg_helper_remu_i32(uint32_t a, uint32_t b)
{
    return a % b;
}

void tcg_gen_div_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{
    if (tcg_have_op(INDEX_op_div_i32)) {
        tcg_gen_binop_i32(INDEX_op_div_i32, ret, a, b);
    } else {
        tcg_gen_helper2_i32((void *)tcg_helper_div_i32, "div_i32", ret, a, b);
    }
}

void tcg_gen_divu_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{
    if (tcg_have_op(INDEX_op_divu_i32)) {
        tcg_gen_binop_i32(INDEX_op_divu_i32, ret, a, b);
    } else {
        tcg_gen_helper2_i32((void *)tcg_helper_divu_i32, "divu_i32", ret, a, b);
    }
}

void tcg_gen_rem_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{
    if (tcg_have_op(INDEX_op_rem_i32)) {
        tcg_gen_binop_i32(INDEX_op_rem_i32, ret, a, b);
    } else {
        tcg_gen_helper2_i32((void *)tcg_helper_rem_i32, "rem_i32", ret, a, b);
    }
}

void tcg_gen_remu_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{
    if (tcg_have_op(INDEX_op_remu_i32)) {
        tcg_gen_binop_i32(INDEX_op_remu_i32, ret, a, b);
    } else {
        tcg_gen_helper2_i32((void *)tcg_helper_remu_i32, "remu_i32", ret, a, b);
    }
}

void tcg_gen_mulsh_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{
    if (tcg_have_op(INDEX_op_mulsh_i32)) {
        tcg_gen_binop_i32(INDEX_op_mulsh_i32, ret, a, b);
    } else {
        tcg_gen_helper2_i32((void *)tcg_helper_mulsh_i32, "mulsh_i32", ret, a, b);
    }
}

void tcg_gen_muluh_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{
    if (tcg_have_op(INDEX_op_muluh_i32)) {
        tcg_gen_binop_i32(INDEX_op_muluh_i32, ret, a, b);
    } else {
        tcg_gen_helper2_i32((void *)tcg_helper_muluh_i32, "muluh_i32", ret, a, b);
    }
}

void tcg_gen_neg_i32(TCGv_i32 ret, TCGv_i32 a)
{
    if (tcg_have_op(INDEX_op_neg_i32)) {
        tcg_gen_unop_i32(INDEX_op_neg_i32, ret, a);
    } else {
        tcg_gen_sub_i32(ret, tcg_constant_i32(0), a);
    }
}

void tcg_gen_and_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{
    tcg_gen_binop_i32(INDEX_op_and_i32, ret, a, b);
}

void tcg_gen_andi_i32(TCGv_i32 ret, TCGv_i32 a, int32_t b)
{
    if (b == 0) {
        tcg_gen_movi_i32(ret, 0);
    } else if (b == -1) {
        tcg_gen_mov_i32(ret, a);
    } else {
        tcg_gen_and_i32(ret, a, tcg_constant_i32(b));
    }
}

void tcg_gen_or_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{
    tcg_gen_binop_i32(INDEX_op_or_i32, ret, a, b);
}

void tcg_gen_ori_i32(TCGv_i32 ret, TCGv_i32 a, int32_t b)
{
    if (b == 0) {
        tcg_gen_mov_i32(ret, a);
    } else if (b == -1) {
        tcg_gen_movi_i32(ret, -1);
    } else {
        tcg_gen_or_i32(ret, a, tcg_constant_i32(b));
    }
}

void tcg_gen_xor_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{
    tcg_gen_binop_i32(INDEX_op_xor_i32, ret, a, b);
}

void tcg_gen_xori_i32(TCGv_i32 ret, TCGv_i32 a, int32_t b)
{
    if (b == 0) {
        tcg_gen_mov_i32(ret, a);
    } else if (b == -1) {
        tcg_gen_not_i32(ret, a);
    } else {
        tcg_gen_xor_i32(ret, a, tcg_constant_i32(b));
    }
}

void tcg_gen_not_i32(TCGv_i32 ret, TCGv_i32 a)
{
    if (tcg_have_op(INDEX_op_not_i32)) {
        tcg_gen_unop_i32(INDEX_op_not_i32, ret, a);
    } else {
        tcg_gen_xor_i32(ret, a, tcg_constant_i32(-1));
    }
}

void tcg_gen_andc_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{
    if (tcg_have_op(INDEX_op_andc_i32)) {
        tcg_gen_binop_i32(INDEX_op_andc_i32, ret, a, b);
    } else {
        TCGv_i32 t = tcg_temp_new_i32();

        tcg_gen_not_i32(t, b);
        tcg_gen_and_i32(ret, a, t);
        tcg_temp_free_i32(t);
    }
}

void tcg_gen_orc_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{
    if (tcg_have_op(INDEX_op_orc_i32)) {
        tcg_gen_binop_i32(INDEX_op_orc_i32, ret, a, b);
    } else {
        TCGv_i32 t = tcg_temp_new_i32();

        tcg_gen_not_i32(t, b);
        tcg_gen_or_i32(ret, a, t);
        tcg_temp_free_i32(t);
    }
}

void tcg_gen_eqv_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{
    if (tcg_have_op(INDEX_op_eqv_i32)) {
        tcg_gen_binop_i32(INDEX_op_eqv_i32, ret, a, b);
    } else {
        tcg_gen_xor_i32(ret, a, b);
        tcg_gen_not_i32(ret, ret);
    }
}

void tcg_gen_nand_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{
    if (tcg_have_op(INDEX_op_nand_i32)) {
        tcg_gen_binop_i32(INDEX_op_nand_i32, ret, a, b);
    } else {
        tcg_gen_and_i32(ret, a, b);
        tcg_gen_not_i32(ret, ret);
    }
}

void tcg_gen_nor_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{
    if (tcg_have_op(INDEX_op_nor_i32)) {
        tcg_gen_binop_i32(INDEX_op_nor_i32, ret, a, b);
    } else {
        tcg_gen_or_i32(ret, a, b);
        tcg_gen_not_i32(ret, ret);
    }
}

void tcg_gen_shl_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{
    tcg_gen_binop_i32(INDEX_op_shl_i32, ret, a, b);
}

void tcg_gen_shli_i32(TCGv_i32 ret, TCGv_i32 a, unsigned b)
{
    g_assert(b < 32);
    if (b == 0) {
        tcg_gen_mov_i32(ret, a);
    } else {
        tcg_gen_shl_i32(ret, a, tcg_constant_i32(b));
    }
}

void tcg_gen_shr_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{
    tcg_gen_binop_i32(INDEX_op_shr_i32, ret, a, b);
}

void tcg_gen_shri_i32(TCGv_i32 ret, TCGv_i32 a, unsigned b)
{
    g_assert(b < 32);
    if (b == 0) {
        tcg_gen_mov_i32(ret, a);
    } else {
        tcg_gen_shr_i32(ret, a, tcg_constant_i32(b));
    }
}

void tcg_gen_sar_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{
    tcg_gen_binop_i32(INDEX_op_sar_i32, ret, a, b);
}

void tcg_gen_sari_i32(TCGv_i32 ret, TCGv_i32 a, unsigned b)
{
    g_assert(b < 32);
    if (b == 0) {
        tcg_gen_mov_i32(ret, a);
    } else {
        tcg_gen_sar_i32(ret, a, tcg_constant_i32(b));
    }
}

/* Rotation by shifts: a rot b = (a << b) | (a >> -b), counts modulo the width. */
static void tcg_gen_rot_expand_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b, bool left)
{
    TCGv_i32 t0 = tcg_temp_new_i32(), t1 = tcg_temp_new_i32();

    tcg_gen_neg_i32(t1, b);
    if (left) {
        tcg_gen_shr_i32(t1, a, t1);
        tcg_gen_shl_i32(t0, a, b);
    } else {
        tcg_gen_shl_i32(t1, a, t1);
        tcg_gen_shr_i32(t0, a, b);
    }
    tcg_gen_or_i32(ret, t0, t1);
    tcg_temp_free_i32(t0);
    tcg_temp_free_i32(t1);
}

void tcg_gen_rotl_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{
    if (tcg_have_op(INDEX_op_rotl_i32)) {
        tcg_gen_binop_i32(INDEX_op_rotl_i32, ret, a, b);
    } else {
        tcg_gen_rot_expand_i32(ret, a, b, true);
    }
}

void tcg_gen_rotli_i32(TCGv_i32 ret, TCGv_i32 a, unsigned b)
{
    g_assert(b < 32);
    if (b == 0) {
        tcg_gen_mov_i32(ret, a);
    } else {
        tcg_gen_rotl_i32(ret, a, tcg_constant_i32(b));
    }
}

void tcg_gen_rotr_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{
    if (tcg_have_op(INDEX_op_rotr_i32)) {
        tcg_gen_binop_i32(INDEX_op_rotr_i32, ret, a, b);
    } else {
        tcg_gen_rot_expand_i32(ret, a, b, false);
    }
}

void tcg_gen_rotri_i32(TCGv_i32 ret, TCGv_i32 a, unsigned b)
{
    g_assert(b < 32);
    if (b == 0) {
        tcg_gen_mov_i32(ret, a);
    } else {
        tcg_gen_rotr_i32(ret, a, tcg_constant_i32(b));
    }
}

void tcg_gen_setcond_i32(TCGCond cond, TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b)
{
    if (cond == TCG_COND_ALWAYS) {
        tcg_gen_movi_i32(ret, 1);
    } else if (cond == TCG_COND_NEVER) {
        tcg_gen_movi_i32(ret, 0);
    } else {
        tcg_gen_op(INDEX_op_setcond_i32, T32(ret), T32(a), T32(b), (TCGArg)cond);
    }
}

void tcg_gen_setcondi_i32(TCGCond cond, TCGv_i32 ret, TCGv_i32 a, int32_t b)
{
    tcg_gen_setcond_i32(cond, ret, a, tcg_constant_i32(b));
}

void tcg_gen_movcond_i32(TCGCond cond, TCGv_i32 ret, TCGv_i32 c1, TCGv_i32 c2,
                         TCGv_i32 v1, TCGv_i32 v2)
{
    if (cond == TCG_COND_ALWAYS) {
        tcg_gen_mov_i32(ret, v1);
    } else if (cond == TCG_COND_NEVER) {
        tcg_gen_mov_i32(ret, v2);
    } else {
        tcg_gen_op(INDEX_op_movcond_i32, T32(ret), T32(c1), T32(c2), T32(v1), T32(v2),
                   (TCGArg)cond);
    }
}

void tcg_gen_brcond_i32(TCGCond cond, TCGv_i32 a, TCGv_i32 b, TCGLabel *l)
{
    if (cond == TCG_COND_ALWAYS) {
        tcg_gen_br(l);
    } else if (cond != TCG_COND_NEVER) {
        l->refs++;
        tcg_gen_op(INDEX_op_brcond_i32, T32(a), T32(b), (TCGArg)cond, label_arg(l));
    }
}

void tcg_gen_brcondi_i32(TCGCond cond, TCGv_i32 a, int32_t b, TCGLabel *l)
{
    tcg_gen_brcond_i32(cond, a, tcg_constant_i32(b), l);
}

/* Sign or zero extension of the low LEN bits, by shifts or a mask. */
static void tcg_gen_ext_expand_i32(TCGv_i32 ret, TCGv_i32 a, unsigned len, bool sign)
{
    if (sign) {
        tcg_gen_shli_i32(ret, a, 32 - len);
        tcg_gen_sari_i32(ret, ret, 32 - len);
    } else {
        tcg_gen_andi_i32(ret, a, (int32_t)((1ULL << len) - 1));
    }
}

static void tcg_gen_ext_i32(TCGOpcode opc, TCGv_i32 ret, TCGv_i32 a, unsigned len, bool sign)
{
    if (tcg_have_op(opc)) {
        tcg_gen_unop_i32(opc, ret, a);
    } else {
        tcg_gen_ext_expand_i32(ret, a, len, sign);
    }
}

void tcg_gen_ext8s_i32(TCGv_i32 ret, TCGv_i32 a)
{
    tcg_gen_ext_i32(INDEX_op_ext8s_i32, ret, a, 8, true);
}

void tcg_gen_ext8u_i32(TCGv_i32 ret, TCGv_i32 a)
{
    tcg_gen_ext_i32(INDEX_op_ext8u_i32, ret, a, 8, false);
}

void tcg_gen_ext16s_i32(TCGv_i32 ret, TCGv_i32 a)
{
    tcg_gen_ext_i32(INDEX_op_ext16s_i32, ret, a, 16, true);
}

void tcg_gen_ext16u_i32(TCGv_i32 ret, TCGv_i32 a)
{
    tcg_gen_ext_i32(INDEX_op_ext16u_i32, ret, a, 16, false);
}

void tcg_gen_extract_i32(TCGv_i32 ret, TCGv_i32 a, unsigned pos, unsigned len)
{
    g_assert(len > 0 && pos + len <= 32);
    if (len == 32) {
        tcg_gen_mov_i32(ret, a);
    } else if (pos + len == 32) {
        tcg_gen_shri_i32(ret, a, pos);
    } else if (tcg_have_op(INDEX_op_extract_i32)) {
        tcg_gen_op(INDEX_op_extract_i32, T32(ret), T32(a), (TCGArg)pos, (TCGArg)len);
    } else {
        tcg_gen_shri_i32(ret, a, pos);
        tcg_gen_andi_i32(ret, ret, (int32_t)((1ULL << len) - 1));
    }
}

void tcg_gen_sextract_i32(TCGv_i32 ret, TCGv_i32 a, unsigned pos, unsigned len)
{
    g_assert(len > 0 && pos + len <= 32);
    if (len == 32) {
        tcg_gen_mov_i32(ret, a);
    } else if (pos + len == 32) {
        tcg_gen_sari_i32(ret, a, pos);
    } else if (tcg_have_op(INDEX_op_sextract_i32)) {
        tcg_gen_op(INDEX_op_sextract_i32, T32(ret), T32(a), (TCGArg)pos, (TCGArg)len);
    } else {
        tcg_gen_shli_i32(ret, a, 32 - len - pos);
        tcg_gen_sari_i32(ret, ret, 32 - len);
    }
}

void tcg_gen_deposit_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b, unsigned pos, unsigned len)
{
    g_assert(len > 0 && pos + len <= 32);
    if (len == 32) {
        tcg_gen_mov_i32(ret, b);
    } else if (tcg_have_op(INDEX_op_deposit_i32)) {
        tcg_gen_op(INDEX_op_deposit_i32, T32(ret), T32(a), T32(b), (TCGArg)pos, (TCGArg)len);
    } else {
        uint32_t mask = (uint32_t)((1ULL << len) - 1);
        TCGv_i32 t = tcg_temp_new_i32(), u = tcg_temp_new_i32();

        tcg_gen_andi_i32(t, b, (int32_t)mask);
        tcg_gen_shli_i32(t, t, pos);
        tcg_gen_andi_i32(u, a, (int32_t)~(mask << pos));
        tcg_gen_or_i32(ret, u, t);
        tcg_temp_free_i32(t);
        tcg_temp_free_i32(u);
    }
}

static uint32_t tcg_helper_clz_i32(uint32_t a, uint32_t z)
{
    return a ? (uint32_t)clz32(a) : z;
}

static uint32_t tcg_helper_ctz_i32(uint32_t a, uint32_t z)
{
    return a ? (uint32_t)ctz32(a) : z;
}

static uint32_t tcg_helper_ctpop_i32(uint32_t a)
{
    return (uint32_t)ctpop32(a);
}

void tcg_gen_clz_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 zero_val)
{
    if (tcg_have_op(INDEX_op_clz_i32)) {
        tcg_gen_binop_i32(INDEX_op_clz_i32, ret, a, zero_val);
    } else {
        tcg_gen_helper2_i32((void *)tcg_helper_clz_i32, "clz_i32", ret, a, zero_val);
    }
}

void tcg_gen_clzi_i32(TCGv_i32 ret, TCGv_i32 a, uint32_t zero_val)
{
    tcg_gen_clz_i32(ret, a, tcg_constant_i32((int32_t)zero_val));
}

void tcg_gen_ctz_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 zero_val)
{
    if (tcg_have_op(INDEX_op_ctz_i32)) {
        tcg_gen_binop_i32(INDEX_op_ctz_i32, ret, a, zero_val);
    } else {
        tcg_gen_helper2_i32((void *)tcg_helper_ctz_i32, "ctz_i32", ret, a, zero_val);
    }
}

void tcg_gen_ctzi_i32(TCGv_i32 ret, TCGv_i32 a, uint32_t zero_val)
{
    tcg_gen_ctz_i32(ret, a, tcg_constant_i32((int32_t)zero_val));
}

void tcg_gen_ctpop_i32(TCGv_i32 ret, TCGv_i32 a)
{
    if (tcg_have_op(INDEX_op_ctpop_i32)) {
        tcg_gen_unop_i32(INDEX_op_ctpop_i32, ret, a);
    } else {
        tcg_gen_helper1_i32((void *)tcg_helper_ctpop_i32, "ctpop_i32", ret, a);
    }
}

static uint32_t tcg_helper_bswap16_i32(uint32_t a)
{
    return bswap16((uint16_t)a);
}

static uint32_t tcg_helper_bswap32_i32(uint32_t a)
{
    return bswap32((uint32_t)a);
}

void tcg_gen_bswap16_i32(TCGv_i32 ret, TCGv_i32 a)
{
    if (tcg_have_op(INDEX_op_bswap16_i32)) {
        tcg_gen_unop_i32(INDEX_op_bswap16_i32, ret, a);
    } else {
        tcg_gen_helper1_i32((void *)tcg_helper_bswap16_i32, "bswap16_i32", ret, a);
    }
}

void tcg_gen_bswap32_i32(TCGv_i32 ret, TCGv_i32 a)
{
    if (tcg_have_op(INDEX_op_bswap32_i32)) {
        tcg_gen_unop_i32(INDEX_op_bswap32_i32, ret, a);
    } else {
        tcg_gen_helper1_i32((void *)tcg_helper_bswap32_i32, "bswap32_i32", ret, a);
    }
}

static void tcg_gen_ldst_i32(TCGOpcode opc, TCGv_i32 val, TCGv_ptr base, intptr_t offset)
{
    tcg_gen_op(opc, T32(val), TP(base), (TCGArg)offset);
}

void tcg_gen_ld8u_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t offset)
{
    tcg_gen_ldst_i32(INDEX_op_ld8u_i32, ret, base, offset);
}

void tcg_gen_ld8s_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t offset)
{
    tcg_gen_ldst_i32(INDEX_op_ld8s_i32, ret, base, offset);
}

void tcg_gen_ld16u_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t offset)
{
    tcg_gen_ldst_i32(INDEX_op_ld16u_i32, ret, base, offset);
}

void tcg_gen_ld16s_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t offset)
{
    tcg_gen_ldst_i32(INDEX_op_ld16s_i32, ret, base, offset);
}

void tcg_gen_ld_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t offset)
{
    tcg_gen_ldst_i32(INDEX_op_ld_i32, ret, base, offset);
}

void tcg_gen_st8_i32(TCGv_i32 val, TCGv_ptr base, intptr_t offset)
{
    tcg_gen_ldst_i32(INDEX_op_st8_i32, val, base, offset);
}

void tcg_gen_st16_i32(TCGv_i32 val, TCGv_ptr base, intptr_t offset)
{
    tcg_gen_ldst_i32(INDEX_op_st16_i32, val, base, offset);
}

void tcg_gen_st_i32(TCGv_i32 val, TCGv_ptr base, intptr_t offset)
{
    tcg_gen_ldst_i32(INDEX_op_st_i32, val, base, offset);
}

void tcg_gen_qemu_ld_i32(TCGv_i32 ret, TCGv_i64 addr, int mmu_idx, MemOp memop)
{
    g_assert(mmu_idx >= 0 && mmu_idx < NB_MMU_MODES);
    tcg_gen_op(INDEX_op_qemu_ld_i32, T32(ret), T64(addr), (TCGArg)make_memop_idx(memop, mmu_idx));
}

void tcg_gen_qemu_st_i32(TCGv_i32 val, TCGv_i64 addr, int mmu_idx, MemOp memop)
{
    g_assert(mmu_idx >= 0 && mmu_idx < NB_MMU_MODES);
    tcg_gen_op(INDEX_op_qemu_st_i32, T32(val), T64(addr), (TCGArg)make_memop_idx(memop, mmu_idx));
}

/* ---- 64-bit ---- */

void tcg_gen_discard_i64(TCGv_i64 arg)
{
    tcg_gen_op(INDEX_op_discard, T64(arg));
}

void tcg_gen_mov_i64(TCGv_i64 ret, TCGv_i64 arg)
{
    if (ret.idx != arg.idx) {
        tcg_gen_op(INDEX_op_mov_i64, T64(ret), T64(arg));
    }
}

void tcg_gen_movi_i64(TCGv_i64 ret, int64_t arg)
{
    tcg_gen_op(INDEX_op_movi_i64, T64(ret), (TCGArg)(uint64_t)arg);
}

static void tcg_gen_binop_i64(TCGOpcode opc, TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    tcg_gen_op(opc, T64(ret), T64(a), T64(b));
}

static void tcg_gen_unop_i64(TCGOpcode opc, TCGv_i64 ret, TCGv_i64 a)
{
    tcg_gen_op(opc, T64(ret), T64(a));
}

/* Calls helper FN(a, b) (no globals touched) for an operation the back end lacks. */
static void tcg_gen_helper2_i64(void *fn, const char *name, TCGv_i64 ret, TCGv_i64 a,
                               TCGv_i64 b)
{
    TCGTemp *args[2] = { T64P(a), T64P(b) };

    tcg_gen_callN(fn, name, TCG_CALL_NO_RWG_SE, T64P(ret), 2, args);
}

static void tcg_gen_helper1_i64(void *fn, const char *name, TCGv_i64 ret, TCGv_i64 a)
{
    TCGTemp *args[1] = { T64P(a) };

    tcg_gen_callN(fn, name, TCG_CALL_NO_RWG_SE, T64P(ret), 1, args);
}

void tcg_gen_add_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    tcg_gen_binop_i64(INDEX_op_add_i64, ret, a, b);
}

void tcg_gen_addi_i64(TCGv_i64 ret, TCGv_i64 a, int64_t b)
{
    if (b == 0) {
        tcg_gen_mov_i64(ret, a);
    } else {
        tcg_gen_add_i64(ret, a, tcg_constant_i64(b));
    }
}

void tcg_gen_sub_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    tcg_gen_binop_i64(INDEX_op_sub_i64, ret, a, b);
}

void tcg_gen_subi_i64(TCGv_i64 ret, TCGv_i64 a, int64_t b)
{
    if (b == 0) {
        tcg_gen_mov_i64(ret, a);
    } else {
        tcg_gen_sub_i64(ret, a, tcg_constant_i64(b));
    }
}

void tcg_gen_subfi_i64(TCGv_i64 ret, int64_t a, TCGv_i64 b)
{
    tcg_gen_sub_i64(ret, tcg_constant_i64(a), b);
}

void tcg_gen_mul_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    tcg_gen_binop_i64(INDEX_op_mul_i64, ret, a, b);
}

void tcg_gen_muli_i64(TCGv_i64 ret, TCGv_i64 a, int64_t b)
{
    if (b == 0) {
        tcg_gen_movi_i64(ret, 0);
    } else if (b == 1) {
        tcg_gen_mov_i64(ret, a);
    } else if (is_power_of_2((uint64_t)b)) {
        tcg_gen_shli_i64(ret, a, (unsigned)ctz64((uint64_t)b));
    } else {
        tcg_gen_mul_i64(ret, a, tcg_constant_i64(b));
    }
}

static int64_t tcg_helper_div_i64(int64_t a, int64_t b)
{
    return a / b;
}

static uint64_t tcg_helper_divu_i64(uint64_t a, uint64_t b)
{
    return a / b;
}

static int64_t tcg_helper_rem_i64(int64_t a, int64_t b)
{
    return a % b;
}

static uint64_t tcg_helper_remu_i64(uint64_t a, uint64_t b)
{
    return a % b;
}

void tcg_gen_div_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    if (tcg_have_op(INDEX_op_div_i64)) {
        tcg_gen_binop_i64(INDEX_op_div_i64, ret, a, b);
    } else {
        tcg_gen_helper2_i64((void *)tcg_helper_div_i64, "div_i64", ret, a, b);
    }
}

void tcg_gen_divu_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    if (tcg_have_op(INDEX_op_divu_i64)) {
        tcg_gen_binop_i64(INDEX_op_divu_i64, ret, a, b);
    } else {
        tcg_gen_helper2_i64((void *)tcg_helper_divu_i64, "divu_i64", ret, a, b);
    }
}

void tcg_gen_rem_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    if (tcg_have_op(INDEX_op_rem_i64)) {
        tcg_gen_binop_i64(INDEX_op_rem_i64, ret, a, b);
    } else {
        tcg_gen_helper2_i64((void *)tcg_helper_rem_i64, "rem_i64", ret, a, b);
    }
}

void tcg_gen_remu_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    if (tcg_have_op(INDEX_op_remu_i64)) {
        tcg_gen_binop_i64(INDEX_op_remu_i64, ret, a, b);
    } else {
        tcg_gen_helper2_i64((void *)tcg_helper_remu_i64, "remu_i64", ret, a, b);
    }
}

void tcg_gen_mulsh_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    if (tcg_have_op(INDEX_op_mulsh_i64)) {
        tcg_gen_binop_i64(INDEX_op_mulsh_i64, ret, a, b);
    } else {
        tcg_gen_helper2_i64((void *)tcg_helper_mulsh_i64, "mulsh_i64", ret, a, b);
    }
}

void tcg_gen_muluh_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    if (tcg_have_op(INDEX_op_muluh_i64)) {
        tcg_gen_binop_i64(INDEX_op_muluh_i64, ret, a, b);
    } else {
        tcg_gen_helper2_i64((void *)tcg_helper_muluh_i64, "muluh_i64", ret, a, b);
    }
}

void tcg_gen_neg_i64(TCGv_i64 ret, TCGv_i64 a)
{
    if (tcg_have_op(INDEX_op_neg_i64)) {
        tcg_gen_unop_i64(INDEX_op_neg_i64, ret, a);
    } else {
        tcg_gen_sub_i64(ret, tcg_constant_i64(0), a);
    }
}

void tcg_gen_and_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    tcg_gen_binop_i64(INDEX_op_and_i64, ret, a, b);
}

void tcg_gen_andi_i64(TCGv_i64 ret, TCGv_i64 a, int64_t b)
{
    if (b == 0) {
        tcg_gen_movi_i64(ret, 0);
    } else if (b == -1) {
        tcg_gen_mov_i64(ret, a);
    } else {
        tcg_gen_and_i64(ret, a, tcg_constant_i64(b));
    }
}

void tcg_gen_or_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    tcg_gen_binop_i64(INDEX_op_or_i64, ret, a, b);
}

void tcg_gen_ori_i64(TCGv_i64 ret, TCGv_i64 a, int64_t b)
{
    if (b == 0) {
        tcg_gen_mov_i64(ret, a);
    } else if (b == -1) {
        tcg_gen_movi_i64(ret, -1);
    } else {
        tcg_gen_or_i64(ret, a, tcg_constant_i64(b));
    }
}

void tcg_gen_xor_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    tcg_gen_binop_i64(INDEX_op_xor_i64, ret, a, b);
}

void tcg_gen_xori_i64(TCGv_i64 ret, TCGv_i64 a, int64_t b)
{
    if (b == 0) {
        tcg_gen_mov_i64(ret, a);
    } else if (b == -1) {
        tcg_gen_not_i64(ret, a);
    } else {
        tcg_gen_xor_i64(ret, a, tcg_constant_i64(b));
    }
}

void tcg_gen_not_i64(TCGv_i64 ret, TCGv_i64 a)
{
    if (tcg_have_op(INDEX_op_not_i64)) {
        tcg_gen_unop_i64(INDEX_op_not_i64, ret, a);
    } else {
        tcg_gen_xor_i64(ret, a, tcg_constant_i64(-1));
    }
}

void tcg_gen_andc_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    if (tcg_have_op(INDEX_op_andc_i64)) {
        tcg_gen_binop_i64(INDEX_op_andc_i64, ret, a, b);
    } else {
        TCGv_i64 t = tcg_temp_new_i64();

        tcg_gen_not_i64(t, b);
        tcg_gen_and_i64(ret, a, t);
        tcg_temp_free_i64(t);
    }
}

void tcg_gen_orc_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    if (tcg_have_op(INDEX_op_orc_i64)) {
        tcg_gen_binop_i64(INDEX_op_orc_i64, ret, a, b);
    } else {
        TCGv_i64 t = tcg_temp_new_i64();

        tcg_gen_not_i64(t, b);
        tcg_gen_or_i64(ret, a, t);
        tcg_temp_free_i64(t);
    }
}

void tcg_gen_eqv_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    if (tcg_have_op(INDEX_op_eqv_i64)) {
        tcg_gen_binop_i64(INDEX_op_eqv_i64, ret, a, b);
    } else {
        tcg_gen_xor_i64(ret, a, b);
        tcg_gen_not_i64(ret, ret);
    }
}

void tcg_gen_nand_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    if (tcg_have_op(INDEX_op_nand_i64)) {
        tcg_gen_binop_i64(INDEX_op_nand_i64, ret, a, b);
    } else {
        tcg_gen_and_i64(ret, a, b);
        tcg_gen_not_i64(ret, ret);
    }
}

void tcg_gen_nor_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    if (tcg_have_op(INDEX_op_nor_i64)) {
        tcg_gen_binop_i64(INDEX_op_nor_i64, ret, a, b);
    } else {
        tcg_gen_or_i64(ret, a, b);
        tcg_gen_not_i64(ret, ret);
    }
}

void tcg_gen_shl_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    tcg_gen_binop_i64(INDEX_op_shl_i64, ret, a, b);
}

void tcg_gen_shli_i64(TCGv_i64 ret, TCGv_i64 a, unsigned b)
{
    g_assert(b < 64);
    if (b == 0) {
        tcg_gen_mov_i64(ret, a);
    } else {
        tcg_gen_shl_i64(ret, a, tcg_constant_i64(b));
    }
}

void tcg_gen_shr_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    tcg_gen_binop_i64(INDEX_op_shr_i64, ret, a, b);
}

void tcg_gen_shri_i64(TCGv_i64 ret, TCGv_i64 a, unsigned b)
{
    g_assert(b < 64);
    if (b == 0) {
        tcg_gen_mov_i64(ret, a);
    } else {
        tcg_gen_shr_i64(ret, a, tcg_constant_i64(b));
    }
}

void tcg_gen_sar_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    tcg_gen_binop_i64(INDEX_op_sar_i64, ret, a, b);
}

void tcg_gen_sari_i64(TCGv_i64 ret, TCGv_i64 a, unsigned b)
{
    g_assert(b < 64);
    if (b == 0) {
        tcg_gen_mov_i64(ret, a);
    } else {
        tcg_gen_sar_i64(ret, a, tcg_constant_i64(b));
    }
}

/* Rotation by shifts: a rot b = (a << b) | (a >> -b), counts modulo the width. */
static void tcg_gen_rot_expand_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b, bool left)
{
    TCGv_i64 t0 = tcg_temp_new_i64(), t1 = tcg_temp_new_i64();

    tcg_gen_neg_i64(t1, b);
    if (left) {
        tcg_gen_shr_i64(t1, a, t1);
        tcg_gen_shl_i64(t0, a, b);
    } else {
        tcg_gen_shl_i64(t1, a, t1);
        tcg_gen_shr_i64(t0, a, b);
    }
    tcg_gen_or_i64(ret, t0, t1);
    tcg_temp_free_i64(t0);
    tcg_temp_free_i64(t1);
}

void tcg_gen_rotl_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    if (tcg_have_op(INDEX_op_rotl_i64)) {
        tcg_gen_binop_i64(INDEX_op_rotl_i64, ret, a, b);
    } else {
        tcg_gen_rot_expand_i64(ret, a, b, true);
    }
}

void tcg_gen_rotli_i64(TCGv_i64 ret, TCGv_i64 a, unsigned b)
{
    g_assert(b < 64);
    if (b == 0) {
        tcg_gen_mov_i64(ret, a);
    } else {
        tcg_gen_rotl_i64(ret, a, tcg_constant_i64(b));
    }
}

void tcg_gen_rotr_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    if (tcg_have_op(INDEX_op_rotr_i64)) {
        tcg_gen_binop_i64(INDEX_op_rotr_i64, ret, a, b);
    } else {
        tcg_gen_rot_expand_i64(ret, a, b, false);
    }
}

void tcg_gen_rotri_i64(TCGv_i64 ret, TCGv_i64 a, unsigned b)
{
    g_assert(b < 64);
    if (b == 0) {
        tcg_gen_mov_i64(ret, a);
    } else {
        tcg_gen_rotr_i64(ret, a, tcg_constant_i64(b));
    }
}

void tcg_gen_setcond_i64(TCGCond cond, TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    if (cond == TCG_COND_ALWAYS) {
        tcg_gen_movi_i64(ret, 1);
    } else if (cond == TCG_COND_NEVER) {
        tcg_gen_movi_i64(ret, 0);
    } else {
        tcg_gen_op(INDEX_op_setcond_i64, T64(ret), T64(a), T64(b), (TCGArg)cond);
    }
}

void tcg_gen_setcondi_i64(TCGCond cond, TCGv_i64 ret, TCGv_i64 a, int64_t b)
{
    tcg_gen_setcond_i64(cond, ret, a, tcg_constant_i64(b));
}

void tcg_gen_movcond_i64(TCGCond cond, TCGv_i64 ret, TCGv_i64 c1, TCGv_i64 c2,
                         TCGv_i64 v1, TCGv_i64 v2)
{
    if (cond == TCG_COND_ALWAYS) {
        tcg_gen_mov_i64(ret, v1);
    } else if (cond == TCG_COND_NEVER) {
        tcg_gen_mov_i64(ret, v2);
    } else {
        tcg_gen_op(INDEX_op_movcond_i64, T64(ret), T64(c1), T64(c2), T64(v1), T64(v2),
                   (TCGArg)cond);
    }
}

void tcg_gen_brcond_i64(TCGCond cond, TCGv_i64 a, TCGv_i64 b, TCGLabel *l)
{
    if (cond == TCG_COND_ALWAYS) {
        tcg_gen_br(l);
    } else if (cond != TCG_COND_NEVER) {
        l->refs++;
        tcg_gen_op(INDEX_op_brcond_i64, T64(a), T64(b), (TCGArg)cond, label_arg(l));
    }
}

void tcg_gen_brcondi_i64(TCGCond cond, TCGv_i64 a, int64_t b, TCGLabel *l)
{
    tcg_gen_brcond_i64(cond, a, tcg_constant_i64(b), l);
}

/* Sign or zero extension of the low LEN bits, by shifts or a mask. */
static void tcg_gen_ext_expand_i64(TCGv_i64 ret, TCGv_i64 a, unsigned len, bool sign)
{
    if (sign) {
        tcg_gen_shli_i64(ret, a, 64 - len);
        tcg_gen_sari_i64(ret, ret, 64 - len);
    } else {
        tcg_gen_andi_i64(ret, a, (int64_t)((1ULL << len) - 1));
    }
}

static void tcg_gen_ext_i64(TCGOpcode opc, TCGv_i64 ret, TCGv_i64 a, unsigned len, bool sign)
{
    if (tcg_have_op(opc)) {
        tcg_gen_unop_i64(opc, ret, a);
    } else {
        tcg_gen_ext_expand_i64(ret, a, len, sign);
    }
}

void tcg_gen_ext8s_i64(TCGv_i64 ret, TCGv_i64 a)
{
    tcg_gen_ext_i64(INDEX_op_ext8s_i64, ret, a, 8, true);
}

void tcg_gen_ext8u_i64(TCGv_i64 ret, TCGv_i64 a)
{
    tcg_gen_ext_i64(INDEX_op_ext8u_i64, ret, a, 8, false);
}

void tcg_gen_ext16s_i64(TCGv_i64 ret, TCGv_i64 a)
{
    tcg_gen_ext_i64(INDEX_op_ext16s_i64, ret, a, 16, true);
}

void tcg_gen_ext16u_i64(TCGv_i64 ret, TCGv_i64 a)
{
    tcg_gen_ext_i64(INDEX_op_ext16u_i64, ret, a, 16, false);
}

void tcg_gen_extract_i64(TCGv_i64 ret, TCGv_i64 a, unsigned pos, unsigned len)
{
    g_assert(len > 0 && pos + len <= 64);
    if (len == 64) {
        tcg_gen_mov_i64(ret, a);
    } else if (pos + len == 64) {
        tcg_gen_shri_i64(ret, a, pos);
    } else if (tcg_have_op(INDEX_op_extract_i64)) {
        tcg_gen_op(INDEX_op_extract_i64, T64(ret), T64(a), (TCGArg)pos, (TCGArg)len);
    } else {
        tcg_gen_shri_i64(ret, a, pos);
        tcg_gen_andi_i64(ret, ret, (int64_t)((1ULL << len) - 1));
    }
}

void tcg_gen_sextract_i64(TCGv_i64 ret, TCGv_i64 a, unsigned pos, unsigned len)
{
    g_assert(len > 0 && pos + len <= 64);
    if (len == 64) {
        tcg_gen_mov_i64(ret, a);
    } else if (pos + len == 64) {
        tcg_gen_sari_i64(ret, a, pos);
    } else if (tcg_have_op(INDEX_op_sextract_i64)) {
        tcg_gen_op(INDEX_op_sextract_i64, T64(ret), T64(a), (TCGArg)pos, (TCGArg)len);
    } else {
        tcg_gen_shli_i64(ret, a, 64 - len - pos);
        tcg_gen_sari_i64(ret, ret, 64 - len);
    }
}

void tcg_gen_deposit_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b, unsigned pos, unsigned len)
{
    g_assert(len > 0 && pos + len <= 64);
    if (len == 64) {
        tcg_gen_mov_i64(ret, b);
    } else if (tcg_have_op(INDEX_op_deposit_i64)) {
        tcg_gen_op(INDEX_op_deposit_i64, T64(ret), T64(a), T64(b), (TCGArg)pos, (TCGArg)len);
    } else {
        uint64_t mask = (uint64_t)((1ULL << len) - 1);
        TCGv_i64 t = tcg_temp_new_i64(), u = tcg_temp_new_i64();

        tcg_gen_andi_i64(t, b, (int64_t)mask);
        tcg_gen_shli_i64(t, t, pos);
        tcg_gen_andi_i64(u, a, (int64_t)~(mask << pos));
        tcg_gen_or_i64(ret, u, t);
        tcg_temp_free_i64(t);
        tcg_temp_free_i64(u);
    }
}

static uint64_t tcg_helper_clz_i64(uint64_t a, uint64_t z)
{
    return a ? (uint64_t)clz64(a) : z;
}

static uint64_t tcg_helper_ctz_i64(uint64_t a, uint64_t z)
{
    return a ? (uint64_t)ctz64(a) : z;
}

static uint64_t tcg_helper_ctpop_i64(uint64_t a)
{
    return (uint64_t)ctpop64(a);
}

void tcg_gen_clz_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 zero_val)
{
    if (tcg_have_op(INDEX_op_clz_i64)) {
        tcg_gen_binop_i64(INDEX_op_clz_i64, ret, a, zero_val);
    } else {
        tcg_gen_helper2_i64((void *)tcg_helper_clz_i64, "clz_i64", ret, a, zero_val);
    }
}

void tcg_gen_clzi_i64(TCGv_i64 ret, TCGv_i64 a, uint64_t zero_val)
{
    tcg_gen_clz_i64(ret, a, tcg_constant_i64((int64_t)zero_val));
}

void tcg_gen_ctz_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 zero_val)
{
    if (tcg_have_op(INDEX_op_ctz_i64)) {
        tcg_gen_binop_i64(INDEX_op_ctz_i64, ret, a, zero_val);
    } else {
        tcg_gen_helper2_i64((void *)tcg_helper_ctz_i64, "ctz_i64", ret, a, zero_val);
    }
}

void tcg_gen_ctzi_i64(TCGv_i64 ret, TCGv_i64 a, uint64_t zero_val)
{
    tcg_gen_ctz_i64(ret, a, tcg_constant_i64((int64_t)zero_val));
}

void tcg_gen_ctpop_i64(TCGv_i64 ret, TCGv_i64 a)
{
    if (tcg_have_op(INDEX_op_ctpop_i64)) {
        tcg_gen_unop_i64(INDEX_op_ctpop_i64, ret, a);
    } else {
        tcg_gen_helper1_i64((void *)tcg_helper_ctpop_i64, "ctpop_i64", ret, a);
    }
}

static uint64_t tcg_helper_bswap16_i64(uint64_t a)
{
    return bswap16((uint16_t)a);
}

static uint64_t tcg_helper_bswap32_i64(uint64_t a)
{
    return bswap32((uint32_t)a);
}

void tcg_gen_bswap16_i64(TCGv_i64 ret, TCGv_i64 a)
{
    if (tcg_have_op(INDEX_op_bswap16_i64)) {
        tcg_gen_unop_i64(INDEX_op_bswap16_i64, ret, a);
    } else {
        tcg_gen_helper1_i64((void *)tcg_helper_bswap16_i64, "bswap16_i64", ret, a);
    }
}

void tcg_gen_bswap32_i64(TCGv_i64 ret, TCGv_i64 a)
{
    if (tcg_have_op(INDEX_op_bswap32_i64)) {
        tcg_gen_unop_i64(INDEX_op_bswap32_i64, ret, a);
    } else {
        tcg_gen_helper1_i64((void *)tcg_helper_bswap32_i64, "bswap32_i64", ret, a);
    }
}

static void tcg_gen_ldst_i64(TCGOpcode opc, TCGv_i64 val, TCGv_ptr base, intptr_t offset)
{
    tcg_gen_op(opc, T64(val), TP(base), (TCGArg)offset);
}

void tcg_gen_ld8u_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t offset)
{
    tcg_gen_ldst_i64(INDEX_op_ld8u_i64, ret, base, offset);
}

void tcg_gen_ld8s_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t offset)
{
    tcg_gen_ldst_i64(INDEX_op_ld8s_i64, ret, base, offset);
}

void tcg_gen_ld16u_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t offset)
{
    tcg_gen_ldst_i64(INDEX_op_ld16u_i64, ret, base, offset);
}

void tcg_gen_ld16s_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t offset)
{
    tcg_gen_ldst_i64(INDEX_op_ld16s_i64, ret, base, offset);
}

void tcg_gen_ld_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t offset)
{
    tcg_gen_ldst_i64(INDEX_op_ld_i64, ret, base, offset);
}

void tcg_gen_st8_i64(TCGv_i64 val, TCGv_ptr base, intptr_t offset)
{
    tcg_gen_ldst_i64(INDEX_op_st8_i64, val, base, offset);
}

void tcg_gen_st16_i64(TCGv_i64 val, TCGv_ptr base, intptr_t offset)
{
    tcg_gen_ldst_i64(INDEX_op_st16_i64, val, base, offset);
}

void tcg_gen_st_i64(TCGv_i64 val, TCGv_ptr base, intptr_t offset)
{
    tcg_gen_ldst_i64(INDEX_op_st_i64, val, base, offset);
}

void tcg_gen_qemu_ld_i64(TCGv_i64 ret, TCGv_i64 addr, int mmu_idx, MemOp memop)
{
    g_assert(mmu_idx >= 0 && mmu_idx < NB_MMU_MODES);
    tcg_gen_op(INDEX_op_qemu_ld_i64, T64(ret), T64(addr), (TCGArg)make_memop_idx(memop, mmu_idx));
}

void tcg_gen_qemu_st_i64(TCGv_i64 val, TCGv_i64 addr, int mmu_idx, MemOp memop)
{
    g_assert(mmu_idx >= 0 && mmu_idx < NB_MMU_MODES);
    tcg_gen_op(INDEX_op_qemu_st_i64, T64(val), T64(addr), (TCGArg)make_memop_idx(memop, mmu_idx));
}

/* ---- 64-bit only ---- */

void tcg_gen_ext32s_i64(TCGv_i64 ret, TCGv_i64 a)
{
    tcg_gen_ext_i64(INDEX_op_ext32s_i64, ret, a, 32, true);
}

void tcg_gen_ext32u_i64(TCGv_i64 ret, TCGv_i64 a)
{
    tcg_gen_ext_i64(INDEX_op_ext32u_i64, ret, a, 32, false);
}

void tcg_gen_bswap64_i64(TCGv_i64 ret, TCGv_i64 a)
{
    if (tcg_have_op(INDEX_op_bswap64_i64)) {
        tcg_gen_unop_i64(INDEX_op_bswap64_i64, ret, a);
    } else {
        tcg_gen_helper1_i64((void *)tcg_helper_bswap64_i64, "bswap64_i64", ret, a);
    }
}

void tcg_gen_ld32u_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t offset)
{
    tcg_gen_ldst_i64(INDEX_op_ld32u_i64, ret, base, offset);
}

void tcg_gen_ld32s_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t offset)
{
    tcg_gen_ldst_i64(INDEX_op_ld32s_i64, ret, base, offset);
}

void tcg_gen_st32_i64(TCGv_i64 val, TCGv_ptr base, intptr_t offset)
{
    tcg_gen_ldst_i64(INDEX_op_st32_i64, val, base, offset);
}

/* ---- Conversions ---- */

void tcg_gen_ext_i32_i64(TCGv_i64 ret, TCGv_i32 a)
{
    tcg_gen_op(INDEX_op_ext_i32_i64, T64(ret), T32(a));
}

void tcg_gen_extu_i32_i64(TCGv_i64 ret, TCGv_i32 a)
{
    tcg_gen_op(INDEX_op_extu_i32_i64, T64(ret), T32(a));
}

void tcg_gen_extrl_i64_i32(TCGv_i32 ret, TCGv_i64 a)
{
    tcg_gen_op(INDEX_op_extrl_i64_i32, T32(ret), T64(a));
}

void tcg_gen_extrh_i64_i32(TCGv_i32 ret, TCGv_i64 a)
{
    tcg_gen_op(INDEX_op_extrh_i64_i32, T32(ret), T64(a));
}

void tcg_gen_concat_i32_i64(TCGv_i64 ret, TCGv_i32 lo, TCGv_i32 hi)
{
    TCGv_i64 t = tcg_temp_new_i64();

    tcg_gen_extu_i32_i64(t, hi);
    tcg_gen_shli_i64(t, t, 32);
    tcg_gen_extu_i32_i64(ret, lo);
    tcg_gen_or_i64(ret, ret, t);
    tcg_temp_free_i64(t);
}

/* ---- Host pointers ---- */

static TCGv_i64 tcgv_ptr_as_i64(TCGv_ptr p)
{
    return (TCGv_i64){ p.idx };
}

void tcg_gen_ld_ptr(TCGv_ptr ret, TCGv_ptr base, intptr_t offset)
{
    tcg_gen_ld_i64(tcgv_ptr_as_i64(ret), base, offset);
}

void tcg_gen_st_ptr(TCGv_ptr val, TCGv_ptr base, intptr_t offset)
{
    tcg_gen_st_i64(tcgv_ptr_as_i64(val), base, offset);
}

void tcg_gen_addi_ptr(TCGv_ptr ret, TCGv_ptr a, intptr_t b)
{
    tcg_gen_addi_i64(tcgv_ptr_as_i64(ret), tcgv_ptr_as_i64(a), b);
}

void tcg_gen_add_ptr(TCGv_ptr ret, TCGv_ptr a, TCGv_ptr b)
{
    tcg_gen_add_i64(tcgv_ptr_as_i64(ret), tcgv_ptr_as_i64(a), tcgv_ptr_as_i64(b));
}

void tcg_gen_ext_i32_ptr(TCGv_ptr ret, TCGv_i32 a)
{
    tcg_gen_ext_i32_i64(tcgv_ptr_as_i64(ret), a);
}
