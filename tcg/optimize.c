/*
 * The IR optimizer: one forward pass over the TB's ops doing constant
 * folding and propagation, copy propagation (each use is replaced by the
 * best temp known to hold the same value: a constant, else the env pointer,
 * a global, then a TB temp), algebraic simplification (x+0, x*1, x&0, x^x,
 * ...), branch folding on known conditions and removal of unreachable code
 * after unconditional exits. What is known is forgotten at every label that
 * is still a branch target; a label nobody branches to any more is deleted,
 * merging the blocks. Dead ops are then removed by tcg_liveness_analysis.
 * tcg_eval_op, the constant evaluator, is shared with the interpreter.
 */
#include "util/osdep.h"
#include "tcg/tcg.h"
#include "tcg/internal.h"

static uint64_t tcg_eval_div(bool is64, bool sign, bool rem, uint64_t x, uint64_t y)
{
    /* Undefined in the IR; give RISC-V's answers so results stay deterministic. */
    if (is64) {
        if (y == 0) {
            return rem ? x : UINT64_MAX;
        }
        if (sign) {
            if ((int64_t)x == INT64_MIN && (int64_t)y == -1) {
                return rem ? 0 : x;
            }
            return rem ? (uint64_t)((int64_t)x % (int64_t)y) : (uint64_t)((int64_t)x / (int64_t)y);
        }
        return rem ? x % y : x / y;
    }
    x = (uint32_t)x;
    y = (uint32_t)y;
    if (y == 0) {
        return rem ? x : UINT32_MAX;
    }
    if (sign) {
        if ((int32_t)x == INT32_MIN && (int32_t)y == -1) {
            return rem ? 0 : x;
        }
        return (uint32_t)(rem ? (int32_t)x % (int32_t)y : (int32_t)x / (int32_t)y);
    }
    return rem ? x % y : x / y;
}

static uint64_t tcg_eval_sext(uint64_t x, unsigned len)
{
    return (uint64_t)((int64_t)(x << (64 - len)) >> (64 - len));
}

uint64_t tcg_eval_op(TCGOpcode opc, uint64_t x, uint64_t y, TCGArg c0, TCGArg c1, bool *ok)
{
    bool is64 = tcg_op_defs[opc].flags & TCG_OPF_64BIT;
    unsigned w = is64 ? 64 : 32;
    uint64_t mask = is64 ? UINT64_MAX : UINT32_MAX;
    unsigned sh = (unsigned)y & (w - 1);
    uint64_t r;

    *ok = true;
    if (!is64 && opc != INDEX_op_extrl_i64_i32 && opc != INDEX_op_extrh_i64_i32) {
        x = (uint32_t)x;
        y = (uint32_t)y;
    }
    switch (opc) {
    case INDEX_op_mov_i32:
    case INDEX_op_mov_i64:
        r = x;
        break;
    case INDEX_op_add_i32:
    case INDEX_op_add_i64:
        r = x + y;
        break;
    case INDEX_op_sub_i32:
    case INDEX_op_sub_i64:
        r = x - y;
        break;
    case INDEX_op_mul_i32:
    case INDEX_op_mul_i64:
        r = x * y;
        break;
    case INDEX_op_div_i32:
    case INDEX_op_div_i64:
        r = tcg_eval_div(is64, true, false, x, y);
        break;
    case INDEX_op_divu_i32:
    case INDEX_op_divu_i64:
        r = tcg_eval_div(is64, false, false, x, y);
        break;
    case INDEX_op_rem_i32:
    case INDEX_op_rem_i64:
        r = tcg_eval_div(is64, true, true, x, y);
        break;
    case INDEX_op_remu_i32:
    case INDEX_op_remu_i64:
        r = tcg_eval_div(is64, false, true, x, y);
        break;
    case INDEX_op_mulsh_i32:
        r = (uint64_t)(((int64_t)(int32_t)x * (int32_t)y) >> 32);
        break;
    case INDEX_op_muluh_i32:
        r = (x * y) >> 32;
        break;
    case INDEX_op_mulsh_i64:
        r = (uint64_t)(((__int128)(int64_t)x * (int64_t)y) >> 64);
        break;
    case INDEX_op_muluh_i64:
        r = (uint64_t)(((unsigned __int128)x * y) >> 64);
        break;
    case INDEX_op_and_i32:
    case INDEX_op_and_i64:
        r = x & y;
        break;
    case INDEX_op_or_i32:
    case INDEX_op_or_i64:
        r = x | y;
        break;
    case INDEX_op_xor_i32:
    case INDEX_op_xor_i64:
        r = x ^ y;
        break;
    case INDEX_op_andc_i32:
    case INDEX_op_andc_i64:
        r = x & ~y;
        break;
    case INDEX_op_orc_i32:
    case INDEX_op_orc_i64:
        r = x | ~y;
        break;
    case INDEX_op_eqv_i32:
    case INDEX_op_eqv_i64:
        r = ~(x ^ y);
        break;
    case INDEX_op_nand_i32:
    case INDEX_op_nand_i64:
        r = ~(x & y);
        break;
    case INDEX_op_nor_i32:
    case INDEX_op_nor_i64:
        r = ~(x | y);
        break;
    case INDEX_op_shl_i32:
    case INDEX_op_shl_i64:
        r = x << sh;
        break;
    case INDEX_op_shr_i32:
    case INDEX_op_shr_i64:
        r = x >> sh;
        break;
    case INDEX_op_sar_i32:
        r = (uint64_t)((int32_t)x >> sh);
        break;
    case INDEX_op_sar_i64:
        r = (uint64_t)((int64_t)x >> sh);
        break;
    case INDEX_op_rotl_i32:
    case INDEX_op_rotl_i64:
        r = sh ? (x << sh) | (x >> (w - sh)) : x;
        break;
    case INDEX_op_rotr_i32:
    case INDEX_op_rotr_i64:
        r = sh ? (x >> sh) | (x << (w - sh)) : x;
        break;
    case INDEX_op_neg_i32:
    case INDEX_op_neg_i64:
        r = -x;
        break;
    case INDEX_op_not_i32:
    case INDEX_op_not_i64:
        r = ~x;
        break;
    case INDEX_op_ext8s_i32:
    case INDEX_op_ext8s_i64:
        r = tcg_eval_sext(x, 8);
        break;
    case INDEX_op_ext8u_i32:
    case INDEX_op_ext8u_i64:
        r = (uint8_t)x;
        break;
    case INDEX_op_ext16s_i32:
    case INDEX_op_ext16s_i64:
        r = tcg_eval_sext(x, 16);
        break;
    case INDEX_op_ext16u_i32:
    case INDEX_op_ext16u_i64:
        r = (uint16_t)x;
        break;
    case INDEX_op_ext32s_i64:
    case INDEX_op_ext_i32_i64:
        r = tcg_eval_sext(x, 32);
        break;
    case INDEX_op_ext32u_i64:
    case INDEX_op_extu_i32_i64:
    case INDEX_op_extrl_i64_i32:
        r = (uint32_t)x;
        break;
    case INDEX_op_extrh_i64_i32:
        r = x >> 32;
        break;
    case INDEX_op_extract_i32:
    case INDEX_op_extract_i64:
        r = (x >> c0) & (UINT64_MAX >> (64 - c1));
        break;
    case INDEX_op_sextract_i32:
    case INDEX_op_sextract_i64:
        r = tcg_eval_sext(x >> c0, (unsigned)c1);
        break;
    case INDEX_op_deposit_i32:
    case INDEX_op_deposit_i64: {
        uint64_t m = (UINT64_MAX >> (64 - c1)) << c0;

        r = (x & ~m) | ((y << c0) & m);
        break;
    }
    case INDEX_op_clz_i32:
        r = x ? (uint64_t)clz32((uint32_t)x) : y;
        break;
    case INDEX_op_clz_i64:
        r = x ? (uint64_t)clz64(x) : y;
        break;
    case INDEX_op_ctz_i32:
        r = x ? (uint64_t)ctz32((uint32_t)x) : y;
        break;
    case INDEX_op_ctz_i64:
        r = x ? (uint64_t)ctz64(x) : y;
        break;
    case INDEX_op_ctpop_i32:
    case INDEX_op_ctpop_i64:
        r = (uint64_t)ctpop64(x);
        break;
    case INDEX_op_bswap16_i32:
    case INDEX_op_bswap16_i64:
        r = bswap16((uint16_t)x);
        break;
    case INDEX_op_bswap32_i32:
    case INDEX_op_bswap32_i64:
        r = bswap32((uint32_t)x);
        break;
    case INDEX_op_bswap64_i64:
        r = bswap64(x);
        break;
    case INDEX_op_setcond_i32:
        r = tcg_cond_eval(TCG_TYPE_I32, (TCGCond)c0, x, y);
        break;
    case INDEX_op_setcond_i64:
        r = tcg_cond_eval(TCG_TYPE_I64, (TCGCond)c0, x, y);
        break;
    default:
        *ok = false;
        return 0;
    }
    return r & mask;
}

/* ---- Optimizer state ---- */

typedef struct OptTemp {
    bool is_const;
    uint64_t val;             /* i32 values zero-extended */
    int prev_copy, next_copy; /* circular list of temps holding the same value */
} OptTemp;

typedef struct OptContext {
    TCGContext *s;
    OptTemp *info;
} OptContext;

static int opt_idx(OptContext *ctx, TCGArg a)
{
    return (int)(arg_temp(a) - ctx->s->temps);
}

static uint64_t opt_type_mask(TCGType type)
{
    return type == TCG_TYPE_I32 ? UINT32_MAX : UINT64_MAX;
}

/* Forgets what is known about temp I (its value changes). */
static void opt_reset_temp(OptContext *ctx, int i)
{
    OptTemp *t = &ctx->info[i];
    TCGTemp *ts = &ctx->s->temps[i];

    ctx->info[t->prev_copy].next_copy = t->next_copy;
    ctx->info[t->next_copy].prev_copy = t->prev_copy;
    t->prev_copy = t->next_copy = i;
    t->is_const = ts->kind == TEMP_CONST;
    t->val = (uint64_t)ts->val & opt_type_mask(ts->type);
}

static void opt_reset_all(OptContext *ctx)
{
    for (int i = 0; i < ctx->s->nb_temps; i++) {
        OptTemp *t = &ctx->info[i];
        TCGTemp *ts = &ctx->s->temps[i];

        t->prev_copy = t->next_copy = i;
        t->is_const = ts->kind == TEMP_CONST;
        t->val = (uint64_t)ts->val & opt_type_mask(ts->type);
    }
}

static void opt_reset_globals(OptContext *ctx)
{
    for (int i = 1; i < ctx->s->nb_globals; i++) {
        opt_reset_temp(ctx, i);
    }
}

/* Records DST = SRC (same type, SRC not a constant). */
static void opt_record_copy(OptContext *ctx, int dst, int src)
{
    OptTemp *d = &ctx->info[dst], *s = &ctx->info[src];

    opt_reset_temp(ctx, dst);
    d->is_const = s->is_const;
    d->val = s->val;
    d->next_copy = s->next_copy;
    d->prev_copy = src;
    ctx->info[s->next_copy].prev_copy = dst;
    s->next_copy = dst;
}

static int opt_kind_rank(TCGTempKind k)
{
    switch (k) {
    case TEMP_CONST:
        return 0;
    case TEMP_FIXED:
        return 1;
    case TEMP_GLOBAL:
        return 2;
    case TEMP_TB:
        return 3;
    }
    return 4;
}

/* The best temp holding the same value as temp I. */
static TCGTemp *opt_best_copy(OptContext *ctx, int i)
{
    TCGTemp *temps = ctx->s->temps;
    TCGTemp *best = &temps[i];

    if (ctx->info[i].is_const) {
        return tcg_constant_internal(best->type, (int64_t)ctx->info[i].val);
    }
    for (int j = ctx->info[i].next_copy; j != i; j = ctx->info[j].next_copy) {
        if (opt_kind_rank(temps[j].kind) < opt_kind_rank(best->kind)) {
            best = &temps[j];
        }
    }
    return best;
}

static bool opt_is_const(OptContext *ctx, TCGArg a)
{
    return ctx->info[opt_idx(ctx, a)].is_const;
}

static uint64_t opt_const_val(OptContext *ctx, TCGArg a)
{
    return ctx->info[opt_idx(ctx, a)].val;
}

static bool opt_is_const_val(OptContext *ctx, TCGArg a, uint64_t v)
{
    return opt_is_const(ctx, a) && opt_const_val(ctx, a) == v;
}

/* Temps created since the pass started (new constants) get their initial info. */
static void opt_grow(OptContext *ctx, int *inited)
{
    for (int i = *inited; i < ctx->s->nb_temps; i++) {
        ctx->info[i].prev_copy = ctx->info[i].next_copy = i;
        opt_reset_temp(ctx, i);
    }
    *inited = ctx->s->nb_temps;
}

/* Turns OP into "movi dst, val". */
static void opt_make_movi(OptContext *ctx, TCGOp *op, uint64_t val)
{
    TCGTemp *dst = arg_temp(op->args[0]);
    int d = opt_idx(ctx, op->args[0]);

    val &= opt_type_mask(dst->type);
    op->opc = dst->type == TCG_TYPE_I32 ? INDEX_op_movi_i32 : INDEX_op_movi_i64;
    op->nargs = 2;
    op->args[1] = (TCGArg)val;
    opt_reset_temp(ctx, d);
    ctx->info[d].is_const = true;
    ctx->info[d].val = val;
}

/* Turns OP into "mov dst, src", or removes it when dst already is src. */
static void opt_make_mov(OptContext *ctx, TCGOp *op, TCGArg src)
{
    TCGTemp *dst = arg_temp(op->args[0]);
    int d = opt_idx(ctx, op->args[0]), sidx = opt_idx(ctx, src);

    if (ctx->info[sidx].is_const) {
        opt_make_movi(ctx, op, ctx->info[sidx].val);
        return;
    }
    if (d == sidx) {
        tcg_op_remove(ctx->s, op);
        return;
    }
    /* Already a copy of it? Then the mov is useless. */
    for (int j = ctx->info[sidx].next_copy; j != sidx; j = ctx->info[j].next_copy) {
        if (j == d) {
            tcg_op_remove(ctx->s, op);
            return;
        }
    }
    op->opc = dst->type == TCG_TYPE_I32 ? INDEX_op_mov_i32 : INDEX_op_mov_i64;
    op->nargs = 2;
    op->args[1] = src;
    opt_record_copy(ctx, d, sidx);
}

static bool opt_is_commutative(TCGOpcode opc)
{
    switch (opc) {
    case INDEX_op_add_i32: case INDEX_op_add_i64:
    case INDEX_op_mul_i32: case INDEX_op_mul_i64:
    case INDEX_op_and_i32: case INDEX_op_and_i64:
    case INDEX_op_or_i32: case INDEX_op_or_i64:
    case INDEX_op_xor_i32: case INDEX_op_xor_i64:
    case INDEX_op_eqv_i32: case INDEX_op_eqv_i64:
    case INDEX_op_nand_i32: case INDEX_op_nand_i64:
    case INDEX_op_nor_i32: case INDEX_op_nor_i64:
    case INDEX_op_mulsh_i32: case INDEX_op_mulsh_i64:
    case INDEX_op_muluh_i32: case INDEX_op_muluh_i64:
        return true;
    default:
        return false;
    }
}

/*
 * Simplifications of "dst = a OP b" with one known operand or equal
 * operands. Returns true when OP was rewritten (into mov or movi).
 */
static bool opt_simplify_binary(OptContext *ctx, TCGOp *op)
{
    TCGArg a = op->args[1], b = op->args[2];
    uint64_t ones = opt_type_mask(arg_temp(op->args[0])->type);
    bool same = a == b;

    switch (op->opc) {
    case INDEX_op_add_i32: case INDEX_op_add_i64:
    case INDEX_op_sub_i32: case INDEX_op_sub_i64:
    case INDEX_op_or_i32: case INDEX_op_or_i64:
    case INDEX_op_xor_i32: case INDEX_op_xor_i64:
    case INDEX_op_shl_i32: case INDEX_op_shl_i64:
    case INDEX_op_shr_i32: case INDEX_op_shr_i64:
    case INDEX_op_sar_i32: case INDEX_op_sar_i64:
    case INDEX_op_rotl_i32: case INDEX_op_rotl_i64:
    case INDEX_op_rotr_i32: case INDEX_op_rotr_i64:
    case INDEX_op_andc_i32: case INDEX_op_andc_i64:
        if (opt_is_const_val(ctx, b, 0)) {
            opt_make_mov(ctx, op, a);
            return true;
        }
        break;
    default:
        break;
    }

    switch (op->opc) {
    case INDEX_op_sub_i32: case INDEX_op_sub_i64:
    case INDEX_op_xor_i32: case INDEX_op_xor_i64:
    case INDEX_op_andc_i32: case INDEX_op_andc_i64:
        if (same) {
            opt_make_movi(ctx, op, 0);
            return true;
        }
        break;
    case INDEX_op_and_i32: case INDEX_op_and_i64:
        if (same || opt_is_const_val(ctx, b, ones)) {
            opt_make_mov(ctx, op, a);
            return true;
        }
        if (opt_is_const_val(ctx, b, 0)) {
            opt_make_movi(ctx, op, 0);
            return true;
        }
        break;
    case INDEX_op_or_i32: case INDEX_op_or_i64:
        if (same) {
            opt_make_mov(ctx, op, a);
            return true;
        }
        if (opt_is_const_val(ctx, b, ones)) {
            opt_make_movi(ctx, op, ones);
            return true;
        }
        break;
    case INDEX_op_orc_i32: case INDEX_op_orc_i64:
    case INDEX_op_eqv_i32: case INDEX_op_eqv_i64:
        if (same) {
            opt_make_movi(ctx, op, ones);
            return true;
        }
        if (opt_is_const_val(ctx, b, ones)) {
            opt_make_mov(ctx, op, a);
            return true;
        }
        break;
    case INDEX_op_mul_i32: case INDEX_op_mul_i64:
    case INDEX_op_mulsh_i32: case INDEX_op_mulsh_i64:
    case INDEX_op_muluh_i32: case INDEX_op_muluh_i64:
        if (opt_is_const_val(ctx, b, 0)) {
            opt_make_movi(ctx, op, 0);
            return true;
        }
        if ((op->opc == INDEX_op_mul_i32 || op->opc == INDEX_op_mul_i64) &&
            opt_is_const_val(ctx, b, 1)) {
            opt_make_mov(ctx, op, a);
            return true;
        }
        break;
    case INDEX_op_shl_i32: case INDEX_op_shl_i64:
    case INDEX_op_shr_i32: case INDEX_op_shr_i64:
    case INDEX_op_sar_i32: case INDEX_op_sar_i64:
    case INDEX_op_rotl_i32: case INDEX_op_rotl_i64:
    case INDEX_op_rotr_i32: case INDEX_op_rotr_i64:
        if (opt_is_const_val(ctx, a, 0)) {
            opt_make_movi(ctx, op, 0);
            return true;
        }
        break;
    default:
        break;
    }
    return false;
}

/* The value of "a COND b" when known without the operands' values, else -1. */
static int opt_fold_cond(OptContext *ctx, TCGType type, TCGCond cond, TCGArg a, TCGArg b)
{
    if (opt_is_const(ctx, a) && opt_is_const(ctx, b)) {
        return tcg_cond_eval(type, cond, opt_const_val(ctx, a), opt_const_val(ctx, b));
    }
    if (a == b) {
        switch (cond) {
        case TCG_COND_EQ: case TCG_COND_GE: case TCG_COND_LE:
        case TCG_COND_GEU: case TCG_COND_LEU:
            return 1;
        case TCG_COND_NE: case TCG_COND_LT: case TCG_COND_GT:
        case TCG_COND_LTU: case TCG_COND_GTU:
            return 0;
        default:
            return -1;
        }
    }
    if (opt_is_const_val(ctx, b, 0)) {
        if (cond == TCG_COND_LTU) {
            return 0;
        }
        if (cond == TCG_COND_GEU) {
            return 1;
        }
    }
    return -1;
}

/* Constant operand second, for the back ends' immediate forms. */
static void opt_swap_const_first(OptContext *ctx, TCGOp *op, int a_idx, int cond_idx)
{
    if (opt_is_const(ctx, op->args[a_idx]) && !opt_is_const(ctx, op->args[a_idx + 1])) {
        TCGArg t = op->args[a_idx];

        op->args[a_idx] = op->args[a_idx + 1];
        op->args[a_idx + 1] = t;
        if (cond_idx >= 0) {
            op->args[cond_idx] = tcg_swap_cond((TCGCond)op->args[cond_idx]);
        }
    }
}

/* Removes an unreachable op, keeping the label reference counts right. */
static void opt_remove_unreachable(OptContext *ctx, TCGOp *op)
{
    switch (op->opc) {
    case INDEX_op_br:
        arg_label(op->args[0])->refs--;
        break;
    case INDEX_op_brcond_i32:
    case INDEX_op_brcond_i64:
        arg_label(op->args[3])->refs--;
        break;
    default:
        break;
    }
    tcg_op_remove(ctx->s, op);
}

/* A branch to the label right after it does nothing: removes OP and returns true. */
static bool opt_branches_to_next(TCGOp *op, TCGArg label)
{
    if (op->next && op->next->opc == INDEX_op_set_label && op->next->args[0] == label) {
        arg_label(label)->refs--;
        tcg_op_remove(tcg_ctx, op);
        return true;
    }
    return false;
}

void tcg_optimize(TCGContext *s)
{
    OptContext ctx = { .s = s };
    int inited = s->nb_temps;
    bool unreachable = false;
    TCGOp *op, *next;

    ctx.info = g_new0(OptTemp, TCG_MAX_TEMPS);
    opt_reset_all(&ctx);

    tcg_for_each_op_safe(s, op, next) {
        const TCGOpDef *def = &tcg_op_defs[op->opc];
        int nb_oargs = tcg_op_nb_oargs(op), nb_iargs = tcg_op_nb_iargs(op);
        TCGType type = (def->flags & TCG_OPF_64BIT) ? TCG_TYPE_I64 : TCG_TYPE_I32;
        TCGOpcode opc = op->opc;
        bool ok;

        if (opc == INDEX_op_set_label) {
            TCGLabel *l = arg_label(op->args[0]);

            /* "br L; L:" (what lay between was unreachable): fall through instead. */
            if (op->prev && op->prev->opc == INDEX_op_br && op->prev->args[0] == op->args[0]) {
                l->refs--;
                tcg_op_remove(s, op->prev);
                unreachable = false;
            }
            if (l->refs == 0) {
                /* Nobody branches here: the blocks merge, what is known survives. */
                tcg_op_remove(s, op);
            } else {
                unreachable = false;
                opt_reset_all(&ctx);
            }
            continue;
        }
        if (unreachable) {
            if (opc != INDEX_op_insn_start) {
                opt_remove_unreachable(&ctx, op);
            }
            continue;
        }

        /* Uses: the best equivalent temp. */
        for (int i = nb_oargs; i < nb_oargs + nb_iargs; i++) {
            op->args[i] = temp_arg(opt_best_copy(&ctx, opt_idx(&ctx, op->args[i])));
        }
        opt_grow(&ctx, &inited);

        switch (opc) {
        case INDEX_op_mov_i32:
        case INDEX_op_mov_i64:
            opt_make_mov(&ctx, op, op->args[1]);
            continue;
        case INDEX_op_movi_i32:
        case INDEX_op_movi_i64:
            opt_make_movi(&ctx, op, op->args[1]);
            continue;
        case INDEX_op_discard:
            opt_reset_temp(&ctx, opt_idx(&ctx, op->args[0]));
            continue;
        case INDEX_op_call:
            if (!(tcg_call_flags(op) & TCG_CALL_NO_WRITE_GLOBALS)) {
                opt_reset_globals(&ctx);
            }
            break;
        case INDEX_op_br:
            if (opt_branches_to_next(op, op->args[0])) {
                continue;
            }
            unreachable = true;
            continue;
        case INDEX_op_exit_tb:
        case INDEX_op_lookup_and_goto_ptr:
            unreachable = true;
            continue;
        case INDEX_op_brcond_i32:
        case INDEX_op_brcond_i64: {
            int r;

            if (opt_branches_to_next(op, op->args[3])) {
                continue;
            }
            opt_swap_const_first(&ctx, op, 0, 2);
            r = opt_fold_cond(&ctx, type, (TCGCond)op->args[2], op->args[0], op->args[1]);
            if (r == 0) {
                arg_label(op->args[3])->refs--;
                tcg_op_remove(s, op);
            } else if (r == 1) {
                op->opc = INDEX_op_br;
                op->nargs = 1;
                op->args[0] = op->args[3];
                unreachable = !opt_branches_to_next(op, op->args[0]);
            }
            continue;
        }
        case INDEX_op_setcond_i32:
        case INDEX_op_setcond_i64: {
            int r;

            opt_swap_const_first(&ctx, op, 1, 3);
            r = opt_fold_cond(&ctx, type, (TCGCond)op->args[3], op->args[1], op->args[2]);
            if (r >= 0) {
                opt_make_movi(&ctx, op, (uint64_t)r);
                continue;
            }
            break;
        }
        case INDEX_op_movcond_i32:
        case INDEX_op_movcond_i64: {
            int r;

            if (op->args[3] == op->args[4]) {
                opt_make_mov(&ctx, op, op->args[3]);
                continue;
            }
            r = opt_fold_cond(&ctx, type, (TCGCond)op->args[5], op->args[1], op->args[2]);
            if (r >= 0) {
                opt_make_mov(&ctx, op, op->args[r ? 3 : 4]);
                continue;
            }
            break;
        }
        default:
            if (nb_oargs == 1 && !(def->flags & (TCG_OPF_SIDE_EFFECTS | TCG_OPF_BB_END)) &&
                !(def->flags & TCG_OPF_CALL_CLOBBER) && nb_iargs >= 1 && nb_iargs <= 2) {
                bool all_const = true;
                uint64_t x, y = 0, r;
                TCGArg c0 = 0, c1 = 0;

                for (int i = 1; i <= nb_iargs; i++) {
                    all_const &= opt_is_const(&ctx, op->args[i]);
                }
                if (tcg_op_nb_cargs(op) >= 1) {
                    c0 = op->args[1 + nb_iargs];
                }
                if (tcg_op_nb_cargs(op) >= 2) {
                    c1 = op->args[2 + nb_iargs];
                }
                if (all_const) {
                    x = opt_const_val(&ctx, op->args[1]);
                    if (nb_iargs == 2) {
                        y = opt_const_val(&ctx, op->args[2]);
                    }
                    r = tcg_eval_op(opc, x, y, c0, c1, &ok);
                    if (ok) {
                        opt_make_movi(&ctx, op, r);
                        continue;
                    }
                }
                if (nb_iargs == 2 && tcg_op_nb_cargs(op) == 0) {
                    if (opt_is_commutative(opc)) {
                        opt_swap_const_first(&ctx, op, 1, -1);
                    }
                    if (opt_simplify_binary(&ctx, op)) {
                        continue;
                    }
                }
            }
            break;
        }

        /* Outputs get unknown values. */
        for (int i = 0; i < nb_oargs; i++) {
            opt_reset_temp(&ctx, opt_idx(&ctx, op->args[i]));
        }
    }
    g_free(ctx.info);
}
