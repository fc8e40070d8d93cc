/*
 * The interpreter back end ("-accel tcg,backend=interp"), the reference the
 * JIT is tested against. gen_code serializes the optimized IR of a TB into
 * bytecode in the code buffer: 64-bit words, per op the opcode word, one
 * location word per temp argument and the constant arguments. A location is
 * (index << 2 | kind): kind 0 a slot of the per-run frame indexed by temp
 * number (slot 0 holds env), 1 a 64-bit and 2 a 32-bit global at that offset
 * in env, 3 a constant held in the next word. i32 values are kept
 * zero-extended. Branch targets and chained jump slots hold absolute RX
 * addresses of bytecode. tb_exec runs bytecode until an exit_tb, following
 * chained goto_tb slots and jump-cache hits of lookup_and_goto_ptr, with the
 * exit protocol of exec/translation-block.h. Guest memory goes through an
 * inline TLB check, else the helper_*_mmu slow paths. For precise exceptions
 * the return address given to the slow paths, and to helpers through
 * tcg_interp_retaddr (GETPC), is the RX address just past the current op.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "tcg/tcg.h"
#include "tcg/internal.h"
#include "exec/cpu-tlb.h"
#include "exec/exec-all.h"
#include "exec/translation-block.h"

/*
 * The slow paths live in accel/tcg; weak references keep tcg/ linkable on its
 * own (unit tests provide their own, and a TLB hit never calls them).
 */
#pragma weak helper_ldub_mmu
#pragma weak helper_lduw_mmu
#pragma weak helper_ldul_mmu
#pragma weak helper_lduq_mmu
#pragma weak helper_stb_mmu
#pragma weak helper_stw_mmu
#pragma weak helper_stl_mmu
#pragma weak helper_stq_mmu

__thread uintptr_t tcg_interp_retaddr;

enum {
    LOC_FRAME = 0,
    LOC_ENV64 = 1,
    LOC_ENV32 = 2,
    LOC_CONST = 3,
};

/* Largest encoding of one op, in words (call: op, ret, 6 args with constants, func). */
#define INTERP_MAX_OP_WORDS 24
_Static_assert(INTERP_MAX_OP_WORDS * 8 <= TCG_HIGHWATER, "an op must fit in the slack");

typedef struct InterpFixup {
    uint64_t *word;           /* RW address of the word to patch */
    TCGLabel *label;
} InterpFixup;

typedef struct InterpGen {
    TCGContext *s;
    uint64_t *start;          /* RW */
    uint64_t *p;              /* RW, next word */
    const char *rx_start;
    GArray *fixups;
} InterpGen;

static void interp_emit(InterpGen *g, uint64_t w)
{
    *g->p++ = w;
}

static uint32_t interp_offset(InterpGen *g)
{
    return (uint32_t)((char *)g->p - (char *)g->start);
}

static void interp_emit_loc(InterpGen *g, TCGArg a)
{
    TCGTemp *ts = arg_temp(a);

    switch (ts->kind) {
    case TEMP_FIXED:
    case TEMP_TB:
        interp_emit(g, (uint64_t)temp_idx(ts) << 2 | LOC_FRAME);
        break;
    case TEMP_GLOBAL:
        g_assert(ts->mem_offset >= 0);
        interp_emit(g, (uint64_t)ts->mem_offset << 2 |
                    (ts->type == TCG_TYPE_I32 ? LOC_ENV32 : LOC_ENV64));
        break;
    case TEMP_CONST:
        interp_emit(g, LOC_CONST);
        interp_emit(g, ts->type == TCG_TYPE_I32 ? (uint32_t)ts->val : (uint64_t)ts->val);
        break;
    }
}

static void interp_emit_label_ref(InterpGen *g, TCGLabel *l)
{
    InterpFixup f = { g->p, l };

    g_array_append_val(g->fixups, f);
    interp_emit(g, 0);
}

static int interp_gen_code(TCGContext *s, TranslationBlock *tb)
{
    InterpGen g = { .s = s };
    const char *highwater = tcg_splitwx_to_rw(s->code_gen_highwater);
    int insn = 0;
    TCGOp *op;

    g.rx_start = s->code_gen_ptr;
    g.start = g.p = tcg_splitwx_to_rw(s->code_gen_ptr);
    g.fixups = g_array_new(false, false, sizeof(InterpFixup));
    tb->tc.ptr = s->code_gen_ptr;
    for (int n = 0; n < 2; n++) {
        tb->jmp_insn_offset[n] = tb->jmp_reset_offset[n] = TB_JMP_OFFSET_INVALID;
    }

    tcg_for_each_op(s, op) {
        int no = tcg_op_nb_oargs(op), ni = tcg_op_nb_iargs(op), nc = tcg_op_nb_cargs(op);

        if ((const char *)g.p > highwater) {
            g_array_free(g.fixups, true);
            return -1;
        }
        switch (op->opc) {
        case INDEX_op_insn_start:
            s->gen_insn_off[insn++] = interp_offset(&g);
            break;
        case INDEX_op_set_label: {
            TCGLabel *l = arg_label(op->args[0]);

            l->has_value = true;
            l->value = (uintptr_t)(g.rx_start + interp_offset(&g));
            break;
        }
        case INDEX_op_discard:
            break;
        case INDEX_op_br:
            interp_emit(&g, op->opc);
            interp_emit_label_ref(&g, arg_label(op->args[0]));
            break;
        case INDEX_op_brcond_i32:
        case INDEX_op_brcond_i64:
            interp_emit(&g, op->opc);
            interp_emit_loc(&g, op->args[0]);
            interp_emit_loc(&g, op->args[1]);
            interp_emit(&g, op->args[2]);
            interp_emit_label_ref(&g, arg_label(op->args[3]));
            break;
        case INDEX_op_goto_tb: {
            unsigned n = (unsigned)op->args[0];

            interp_emit(&g, op->opc);
            tb->jmp_insn_offset[n] = interp_offset(&g);
            interp_emit(&g, 0);
            tb->jmp_reset_offset[n] = interp_offset(&g);
            break;
        }
        case INDEX_op_call: {
            TCGTemp *ret = no ? arg_temp(op->args[0]) : NULL;

            interp_emit(&g, op->opc | (uint64_t)no << 16 | (uint64_t)ni << 20 |
                        (uint64_t)(ret && ret->type == TCG_TYPE_I32) << 24);
            for (int i = 0; i < no + ni; i++) {
                interp_emit_loc(&g, op->args[i]);
            }
            interp_emit(&g, (uint64_t)(uintptr_t)tcg_call_func(op));
            break;
        }
        default:
            interp_emit(&g, op->opc);
            for (int i = 0; i < no + ni; i++) {
                interp_emit_loc(&g, op->args[i]);
            }
            for (int i = no + ni; i < no + ni + nc; i++) {
                interp_emit(&g, op->args[i]);
            }
            break;
        }
    }
    g_assert(insn == s->insn_count);

    for (guint i = 0; i < g.fixups->len; i++) {
        InterpFixup *f = &g_array_index(g.fixups, InterpFixup, i);

        g_assert(f->label->has_value);
        *f->word = f->label->value;
    }
    g_array_free(g.fixups, true);

    tb->tc.size = interp_offset(&g);
    if (log_enabled(LOG_OUT_ASM)) {
        log_printf("OUT: [interp bytecode, %u bytes at %p]\n\n", tb->tc.size, tb->tc.ptr);
    }
    return (int)tb->tc.size;
}

/* ---- Execution ---- */

typedef struct InterpState {
    uint64_t *frame;
    char *env;
    const uint64_t *pc;
} InterpState;

static inline uint64_t interp_rd(InterpState *st)
{
    uint64_t w = *st->pc++;

    switch (w & 3) {
    case LOC_FRAME:
        return st->frame[w >> 2];
    case LOC_ENV64:
        return *(uint64_t *)(st->env + (w >> 2));
    case LOC_ENV32:
        return *(uint32_t *)(st->env + (w >> 2));
    default:
        return *st->pc++;
    }
}

static inline void interp_wr(InterpState *st, uint64_t w, uint64_t v)
{
    switch (w & 3) {
    case LOC_FRAME:
        st->frame[w >> 2] = v;
        break;
    case LOC_ENV64:
        *(uint64_t *)(st->env + (w >> 2)) = v;
        break;
    default:
        *(uint32_t *)(st->env + (w >> 2)) = (uint32_t)v;
        break;
    }
}

static uint64_t interp_sext(uint64_t v, MemOp mop)
{
    switch (mop & MO_SIZE) {
    case MO_8:
        return (uint64_t)(int64_t)(int8_t)v;
    case MO_16:
        return (uint64_t)(int64_t)(int16_t)v;
    case MO_32:
        return (uint64_t)(int64_t)(int32_t)v;
    default:
        return v;
    }
}

/* Host address of a guest access on a TLB hit, else NULL. */
static void *interp_tlb_hit(void *env, uint64_t addr, MemOpIdx oi, bool store)
{
    MemOp mop = get_memop(oi);
    unsigned size = memop_size(mop);
    CPUTLBEntry *e = tlb_entry(env, get_mmuidx(oi), addr);
    uint64_t tag = store ? e->addr_write : e->addr_read;

    if ((mop & MO_ALIGN) && (addr & (size - 1))) {
        return NULL;
    }
    if ((addr & ~TARGET_PAGE_MASK) + size > TARGET_PAGE_SIZE) {
        return NULL;
    }
    if (tag != (addr & TARGET_PAGE_MASK)) {
        return NULL;
    }
    return (void *)(uintptr_t)(addr + e->addend);
}

static uint64_t interp_qemu_ld(void *env, uint64_t addr, MemOpIdx oi, uintptr_t ra)
{
    MemOp mop = get_memop(oi);
    void *host = interp_tlb_hit(env, addr, oi, false);
    uint64_t v;

    if (host) {
        switch (mop & MO_SIZE) {
        case MO_8:
            v = *(uint8_t *)host;
            break;
        case MO_16: {
            uint16_t x;

            memcpy(&x, host, 2);
            v = (mop & MO_BE) ? bswap16(x) : x;
            break;
        }
        case MO_32: {
            uint32_t x;

            memcpy(&x, host, 4);
            v = (mop & MO_BE) ? bswap32(x) : x;
            break;
        }
        default:
            memcpy(&v, host, 8);
            v = (mop & MO_BE) ? bswap64(v) : v;
            break;
        }
    } else {
        switch (mop & MO_SIZE) {
        case MO_8:
            v = helper_ldub_mmu(env, addr, oi, ra);
            break;
        case MO_16:
            v = helper_lduw_mmu(env, addr, oi, ra);
            break;
        case MO_32:
            v = helper_ldul_mmu(env, addr, oi, ra);
            break;
        default:
            v = helper_lduq_mmu(env, addr, oi, ra);
            break;
        }
    }
    return (mop & MO_SIGN) ? interp_sext(v, mop) : v;
}

static void interp_qemu_st(void *env, uint64_t addr, uint64_t v, MemOpIdx oi, uintptr_t ra)
{
    MemOp mop = get_memop(oi);
    void *host = interp_tlb_hit(env, addr, oi, true);

    if (!host) {
        switch (mop & MO_SIZE) {
        case MO_8:
            helper_stb_mmu(env, addr, v, oi, ra);
            break;
        case MO_16:
            helper_stw_mmu(env, addr, v, oi, ra);
            break;
        case MO_32:
            helper_stl_mmu(env, addr, v, oi, ra);
            break;
        default:
            helper_stq_mmu(env, addr, v, oi, ra);
            break;
        }
        return;
    }
    switch (mop & MO_SIZE) {
    case MO_8:
        *(uint8_t *)host = (uint8_t)v;
        break;
    case MO_16: {
        uint16_t x = (mop & MO_BE) ? bswap16((uint16_t)v) : (uint16_t)v;

        memcpy(host, &x, 2);
        break;
    }
    case MO_32: {
        uint32_t x = (mop & MO_BE) ? bswap32((uint32_t)v) : (uint32_t)v;

        memcpy(host, &x, 4);
        break;
    }
    default:
        v = (mop & MO_BE) ? bswap64(v) : v;
        memcpy(host, &v, 8);
        break;
    }
}

typedef uint64_t (*InterpFn0)(void);
typedef uint64_t (*InterpFn1)(uint64_t);
typedef uint64_t (*InterpFn2)(uint64_t, uint64_t);
typedef uint64_t (*InterpFn3)(uint64_t, uint64_t, uint64_t);
typedef uint64_t (*InterpFn4)(uint64_t, uint64_t, uint64_t, uint64_t);
typedef uint64_t (*InterpFn5)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
typedef uint64_t (*InterpFn6)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

/* The generic call trampoline: every argument as a 64-bit integer register. */
static uint64_t interp_call(void *fn, int n, const uint64_t *a)
{
    switch (n) {
    case 0:
        return ((InterpFn0)fn)();
    case 1:
        return ((InterpFn1)fn)(a[0]);
    case 2:
        return ((InterpFn2)fn)(a[0], a[1]);
    case 3:
        return ((InterpFn3)fn)(a[0], a[1], a[2]);
    case 4:
        return ((InterpFn4)fn)(a[0], a[1], a[2], a[3]);
    case 5:
        return ((InterpFn5)fn)(a[0], a[1], a[2], a[3], a[4]);
    default:
        return ((InterpFn6)fn)(a[0], a[1], a[2], a[3], a[4], a[5]);
    }
}

/* Binary ops written out for speed; the rest go through tcg_eval_op. */
#define INTERP_BINOP(opc32, opc64, expr) \
    case opc32: { \
        uint64_t d = *st.pc++, x = interp_rd(&st), y = interp_rd(&st); \
        interp_wr(&st, d, (uint32_t)(expr)); \
        break; \
    } \
    case opc64: { \
        uint64_t d = *st.pc++, x = interp_rd(&st), y = interp_rd(&st); \
        interp_wr(&st, d, (expr)); \
        break; \
    }

static uintptr_t interp_tb_exec(void *env, const void *code)
{
    uint64_t frame[TCG_MAX_TEMPS];
    InterpState st = { frame, env, code };

    frame[0] = (uintptr_t)env;
    tcg_interp_retaddr = 0;
    for (;;) {
        uint64_t w = *st.pc++;
        TCGOpcode opc = (TCGOpcode)(w & 0xffff);

        switch (opc) {
        case INDEX_op_mov_i32:
        case INDEX_op_mov_i64: {
            uint64_t d = *st.pc++;

            interp_wr(&st, d, interp_rd(&st));
            break;
        }
        case INDEX_op_movi_i32:
        case INDEX_op_movi_i64: {
            uint64_t d = *st.pc++;

            interp_wr(&st, d, *st.pc++);
            break;
        }
        INTERP_BINOP(INDEX_op_add_i32, INDEX_op_add_i64, x + y)
        INTERP_BINOP(INDEX_op_sub_i32, INDEX_op_sub_i64, x - y)
        INTERP_BINOP(INDEX_op_and_i32, INDEX_op_and_i64, x & y)
        INTERP_BINOP(INDEX_op_or_i32, INDEX_op_or_i64, x | y)
        INTERP_BINOP(INDEX_op_xor_i32, INDEX_op_xor_i64, x ^ y)
        INTERP_BINOP(INDEX_op_mul_i32, INDEX_op_mul_i64, x * y)
        case INDEX_op_shl_i64: {
            uint64_t d = *st.pc++, x = interp_rd(&st), y = interp_rd(&st);

            interp_wr(&st, d, x << (y & 63));
            break;
        }
        case INDEX_op_shr_i64: {
            uint64_t d = *st.pc++, x = interp_rd(&st), y = interp_rd(&st);

            interp_wr(&st, d, x >> (y & 63));
            break;
        }
        case INDEX_op_sar_i64: {
            uint64_t d = *st.pc++, x = interp_rd(&st), y = interp_rd(&st);

            interp_wr(&st, d, (uint64_t)((int64_t)x >> (y & 63)));
            break;
        }
        case INDEX_op_setcond_i32:
        case INDEX_op_setcond_i64: {
            uint64_t d = *st.pc++, x = interp_rd(&st), y = interp_rd(&st);
            TCGCond c = (TCGCond)*st.pc++;

            interp_wr(&st, d, tcg_cond_eval(opc == INDEX_op_setcond_i32 ? TCG_TYPE_I32 :
                                            TCG_TYPE_I64, c, x, y));
            break;
        }
        case INDEX_op_movcond_i32:
        case INDEX_op_movcond_i64: {
            uint64_t d = *st.pc++, c1 = interp_rd(&st), c2 = interp_rd(&st);
            uint64_t v1 = interp_rd(&st), v2 = interp_rd(&st);
            TCGCond c = (TCGCond)*st.pc++;

            interp_wr(&st, d, tcg_cond_eval(opc == INDEX_op_movcond_i32 ? TCG_TYPE_I32 :
                                            TCG_TYPE_I64, c, c1, c2) ? v1 : v2);
            break;
        }
        case INDEX_op_brcond_i32:
        case INDEX_op_brcond_i64: {
            uint64_t x = interp_rd(&st), y = interp_rd(&st);
            TCGCond c = (TCGCond)*st.pc++;
            const uint64_t *target = (const uint64_t *)(uintptr_t)*st.pc++;

            if (tcg_cond_eval(opc == INDEX_op_brcond_i32 ? TCG_TYPE_I32 : TCG_TYPE_I64,
                              c, x, y)) {
                st.pc = target;
            }
            break;
        }
        case INDEX_op_br:
            st.pc = (const uint64_t *)(uintptr_t)*st.pc;
            break;
        case INDEX_op_ld8u_i32: case INDEX_op_ld8u_i64:
        case INDEX_op_ld8s_i32: case INDEX_op_ld8s_i64:
        case INDEX_op_ld16u_i32: case INDEX_op_ld16u_i64:
        case INDEX_op_ld16s_i32: case INDEX_op_ld16s_i64:
        case INDEX_op_ld32u_i64: case INDEX_op_ld32s_i64:
        case INDEX_op_ld_i32: case INDEX_op_ld_i64: {
            uint64_t d = *st.pc++;
            char *base = (char *)(uintptr_t)interp_rd(&st);
            const char *p = base + (intptr_t)*st.pc++;
            uint64_t v;

            switch (opc) {
            case INDEX_op_ld8u_i32: case INDEX_op_ld8u_i64:
                v = *(const uint8_t *)p;
                break;
            case INDEX_op_ld8s_i32:
                v = (uint32_t)*(const int8_t *)p;
                break;
            case INDEX_op_ld8s_i64:
                v = (uint64_t)*(const int8_t *)p;
                break;
            case INDEX_op_ld16u_i32: case INDEX_op_ld16u_i64:
                v = *(const uint16_t *)p;
                break;
            case INDEX_op_ld16s_i32:
                v = (uint32_t)*(const int16_t *)p;
                break;
            case INDEX_op_ld16s_i64:
                v = (uint64_t)*(const int16_t *)p;
                break;
            case INDEX_op_ld32u_i64: case INDEX_op_ld_i32:
                v = *(const uint32_t *)p;
                break;
            case INDEX_op_ld32s_i64:
                v = (uint64_t)*(const int32_t *)p;
                break;
            default:
                v = *(const uint64_t *)p;
                break;
            }
            interp_wr(&st, d, v);
            break;
        }
        case INDEX_op_st8_i32: case INDEX_op_st8_i64:
        case INDEX_op_st16_i32: case INDEX_op_st16_i64:
        case INDEX_op_st_i32: case INDEX_op_st32_i64:
        case INDEX_op_st_i64: {
            uint64_t v = interp_rd(&st);
            char *base = (char *)(uintptr_t)interp_rd(&st);
            char *p = base + (intptr_t)*st.pc++;

            switch (opc) {
            case INDEX_op_st8_i32: case INDEX_op_st8_i64:
                *(uint8_t *)p = (uint8_t)v;
                break;
            case INDEX_op_st16_i32: case INDEX_op_st16_i64:
                *(uint16_t *)p = (uint16_t)v;
                break;
            case INDEX_op_st_i32: case INDEX_op_st32_i64:
                *(uint32_t *)p = (uint32_t)v;
                break;
            default:
                *(uint64_t *)p = v;
                break;
            }
            break;
        }
        case INDEX_op_qemu_ld_i32:
        case INDEX_op_qemu_ld_i64: {
            uint64_t d = *st.pc++, addr = interp_rd(&st);
            MemOpIdx oi = (MemOpIdx)*st.pc++;
            uint64_t v = interp_qemu_ld(env, addr, oi, (uintptr_t)st.pc);

            interp_wr(&st, d, opc == INDEX_op_qemu_ld_i32 ? (uint32_t)v : v);
            break;
        }
        case INDEX_op_qemu_st_i32:
        case INDEX_op_qemu_st_i64: {
            uint64_t v = interp_rd(&st), addr = interp_rd(&st);
            MemOpIdx oi = (MemOpIdx)*st.pc++;

            interp_qemu_st(env, addr, v, oi, (uintptr_t)st.pc);
            break;
        }
        case INDEX_op_call: {
            int no = (int)(w >> 16) & 0xf, ni = (int)(w >> 20) & 0xf;
            bool ret32 = (w >> 24) & 1;
            uint64_t d = no ? *st.pc++ : 0;
            uint64_t args[TCG_MAX_CALL_ARGS];
            void *fn;
            uint64_t r;

            for (int i = 0; i < ni; i++) {
                args[i] = interp_rd(&st);
            }
            fn = (void *)(uintptr_t)*st.pc++;
            tcg_interp_retaddr = (uintptr_t)st.pc;
            r = interp_call(fn, ni, args);
            tcg_interp_retaddr = 0;
            if (no) {
                interp_wr(&st, d, ret32 ? (uint32_t)r : r);
            }
            break;
        }
        case INDEX_op_mb:
            st.pc++;
            __atomic_thread_fence(__ATOMIC_SEQ_CST);
            break;
        case INDEX_op_exit_tb:
            return (uintptr_t)*st.pc;
        case INDEX_op_goto_tb: {
            uint64_t dest = __atomic_load_n(st.pc, __ATOMIC_ACQUIRE);

            st.pc = dest ? (const uint64_t *)(uintptr_t)dest : st.pc + 1;
            break;
        }
        case INDEX_op_lookup_and_goto_ptr: {
            uint64_t pc = interp_rd(&st);
            uint32_t flags = (uint32_t)*st.pc++;
            TranslationBlock **cache =
                (TranslationBlock **)env_common(env)->jmp_cache_ptr;
            TranslationBlock *tb = NULL;

            if (cache) {
                tb = __atomic_load_n(&cache[tb_jmp_cache_hash(pc)], __ATOMIC_ACQUIRE);
            }
            if (!tb || tb->pc != pc || tb->flags != flags) {
                return 0;
            }
            st.pc = tb->tc.ptr;
            break;
        }
        default: {
            /* The remaining pure ops: one output, one or two inputs, constants. */
            const TCGOpDef *def = &tcg_op_defs[opc];
            uint64_t d = *st.pc++, x = interp_rd(&st), y = 0;
            TCGArg c0 = 0, c1 = 0;
            bool ok;

            g_assert(def->nb_oargs == 1 && def->nb_iargs >= 1 && def->nb_iargs <= 2);
            if (def->nb_iargs == 2) {
                y = interp_rd(&st);
            }
            if (def->nb_cargs >= 1) {
                c0 = *st.pc++;
            }
            if (def->nb_cargs >= 2) {
                c1 = *st.pc++;
            }
            interp_wr(&st, d, tcg_eval_op(opc, x, y, c0, c1, &ok));
            g_assert(ok);
            break;
        }
        }
    }
}

static void interp_tb_set_jmp_target(TranslationBlock *tb, int n,
                                     const TranslationBlock *dest)
{
    uint64_t *slot;

    g_assert(tb->jmp_insn_offset[n] != TB_JMP_OFFSET_INVALID);
    slot = tcg_splitwx_to_rw((const char *)tb->tc.ptr + tb->jmp_insn_offset[n]);
    __atomic_store_n(slot, dest ? (uint64_t)(uintptr_t)dest->tc.ptr : 0, __ATOMIC_RELEASE);
}

const TCGBackend tcg_backend_interp = {
    .name = "interp",
    .gen_code = interp_gen_code,
    .tb_exec = interp_tb_exec,
    .tb_set_jmp_target = interp_tb_set_jmp_target,
};

static void tcg_interp_register(void)
{
    tcg_backend_register(&tcg_backend_interp);
}

tcg_backend_init(tcg_interp_register)
