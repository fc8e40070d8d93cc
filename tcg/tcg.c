/*
 * TCG core: the opcode table, the global translation context with its temps
 * (env, globals, TB temps, interned constants), labels, the per-TB arena and
 * op list, the back-end registry, the translation lock, the -d op dump and
 * tcg_gen_code(), which runs the passes and the back end for one TB and
 * stores the TB's guest instruction boundaries after its code.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "tcg/tcg.h"
#include "exec/translation-block.h"

#include <pthread.h>

const TCGOpDef tcg_op_defs[NB_OPS] = {
#define DEF(n, o, i, c, f) [INDEX_op_##n] = { #n, o, i, c, f },
#include "tcg/tcg-opc.h"
#undef DEF
};

TCGContext *tcg_ctx;
TCGv_ptr tcg_env;

static pthread_mutex_t tcg_translate_mutex = PTHREAD_MUTEX_INITIALIZER;

#define TCG_BACKENDS_MAX 4
static const TCGBackend *tcg_backends[TCG_BACKENDS_MAX];
static unsigned tcg_backends_count;

#define TCG_POOL_CHUNK (64 * KiB)
#define TCG_POOL_LARGE (4 * KiB)

void tcg_backend_register(const TCGBackend *be)
{
    g_assert(tcg_backends_count < TCG_BACKENDS_MAX);
    tcg_backends[tcg_backends_count++] = be;
}

const TCGBackend *tcg_backend_find(const char *name)
{
    for (unsigned i = 0; i < tcg_backends_count; i++) {
        if (!strcmp(tcg_backends[i]->name, name)) {
            return tcg_backends[i];
        }
    }
    return NULL;
}

void tcg_translate_lock(void)
{
    pthread_mutex_lock(&tcg_translate_mutex);
}

void tcg_translate_unlock(void)
{
    pthread_mutex_unlock(&tcg_translate_mutex);
}

/* ---- Conditions ---- */

TCGCond tcg_swap_cond(TCGCond c)
{
    switch (c) {
    case TCG_COND_LT:
        return TCG_COND_GT;
    case TCG_COND_GT:
        return TCG_COND_LT;
    case TCG_COND_LE:
        return TCG_COND_GE;
    case TCG_COND_GE:
        return TCG_COND_LE;
    case TCG_COND_LTU:
        return TCG_COND_GTU;
    case TCG_COND_GTU:
        return TCG_COND_LTU;
    case TCG_COND_LEU:
        return TCG_COND_GEU;
    case TCG_COND_GEU:
        return TCG_COND_LEU;
    default:
        return c;   /* symmetric: EQ NE TSTEQ TSTNE NEVER ALWAYS */
    }
}

bool tcg_cond_eval(TCGType type, TCGCond cond, uint64_t a, uint64_t b)
{
    int64_t sa = (int64_t)a, sb = (int64_t)b;

    if (type == TCG_TYPE_I32) {
        a = (uint32_t)a;
        b = (uint32_t)b;
        sa = (int32_t)a;
        sb = (int32_t)b;
    }
    switch (cond) {
    case TCG_COND_NEVER:
        return false;
    case TCG_COND_ALWAYS:
        return true;
    case TCG_COND_EQ:
        return a == b;
    case TCG_COND_NE:
        return a != b;
    case TCG_COND_LT:
        return sa < sb;
    case TCG_COND_GE:
        return sa >= sb;
    case TCG_COND_LE:
        return sa <= sb;
    case TCG_COND_GT:
        return sa > sb;
    case TCG_COND_LTU:
        return a < b;
    case TCG_COND_GEU:
        return a >= b;
    case TCG_COND_LEU:
        return a <= b;
    case TCG_COND_GTU:
        return a > b;
    case TCG_COND_TSTEQ:
        return (a & b) == 0;
    case TCG_COND_TSTNE:
        return (a & b) != 0;
    }
    g_assert_not_reached();
}

const char *tcg_cond_name(TCGCond c)
{
    switch (c) {
    case TCG_COND_NEVER:
        return "never";
    case TCG_COND_ALWAYS:
        return "always";
    case TCG_COND_EQ:
        return "eq";
    case TCG_COND_NE:
        return "ne";
    case TCG_COND_LT:
        return "lt";
    case TCG_COND_GE:
        return "ge";
    case TCG_COND_LE:
        return "le";
    case TCG_COND_GT:
        return "gt";
    case TCG_COND_LTU:
        return "ltu";
    case TCG_COND_GEU:
        return "geu";
    case TCG_COND_LEU:
        return "leu";
    case TCG_COND_GTU:
        return "gtu";
    case TCG_COND_TSTEQ:
        return "tsteq";
    case TCG_COND_TSTNE:
        return "tstne";
    }
    return "?";
}

/* ---- Arena ---- */

static void tcg_pool_reset(TCGContext *s)
{
    g_ptr_array_set_size(s->pool_large, 0);
    s->pool_chunk = 0;
    s->pool_cur = g_ptr_array_index(s->pool, 0);
    s->pool_end = s->pool_cur + TCG_POOL_CHUNK;
}

void *tcg_malloc(size_t size)
{
    TCGContext *s = tcg_ctx;
    void *p;

    size = ROUND_UP(size, 16);
    if (size > TCG_POOL_LARGE) {
        p = g_malloc0(size);
        g_ptr_array_add(s->pool_large, p);
        return p;
    }
    if (s->pool_cur + size > s->pool_end) {
        s->pool_chunk++;
        if (s->pool_chunk == s->pool->len) {
            g_ptr_array_add(s->pool, g_malloc(TCG_POOL_CHUNK));
        }
        s->pool_cur = g_ptr_array_index(s->pool, s->pool_chunk);
        s->pool_end = s->pool_cur + TCG_POOL_CHUNK;
    }
    p = s->pool_cur;
    s->pool_cur += size;
    memset(p, 0, size);
    return p;
}

/* ---- Context ---- */

static guint tcg_const_hash(gconstpointer key)
{
    uint64_t v = *(const uint64_t *)key;

    return (guint)(v ^ (v >> 32));
}

static gboolean tcg_const_equal(gconstpointer a, gconstpointer b)
{
    return *(const int64_t *)a == *(const int64_t *)b;
}

bool tcg_context_init(const TCGBackend *backend, size_t buffer_size, GError **errp)
{
    TCGContext *s = g_new0(TCGContext, 1);
    TCGTemp *ts;

    s->pool = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(s->pool, g_malloc(TCG_POOL_CHUNK));
    s->pool_large = g_ptr_array_new_with_free_func(g_free);
    for (int t = 0; t < TCG_TYPE_COUNT; t++) {
        s->const_table[t] = g_hash_table_new(tcg_const_hash, tcg_const_equal);
    }
    if (!tcg_code_buffer_init(s, buffer_size ? buffer_size : 32 * MiB, errp)) {
        g_hash_table_destroy(s->const_table[TCG_TYPE_I32]);
        g_hash_table_destroy(s->const_table[TCG_TYPE_I64]);
        g_ptr_array_free(s->pool, true);
        g_ptr_array_free(s->pool_large, true);
        g_free(s);
        return false;
    }
    tcg_ctx = s;
    tcg_pool_reset(s);

    ts = &s->temps[0];
    ts->type = TCG_TYPE_PTR;
    ts->kind = TEMP_FIXED;
    ts->name = "env";
    ts->temp_allocated = true;
    s->nb_globals = s->nb_temps = 1;
    tcg_env = (TCGv_ptr){ 0 };

    tcg_context_set_backend(s, backend);
    return true;
}

void tcg_context_set_backend(TCGContext *s, const TCGBackend *be)
{
    s->backend = be;
    s->code_gen_start = s->code_gen_buffer;
    s->code_gen_ptr = s->code_gen_buffer;
    if (be->init) {
        be->init(s);
    }
}

static TCGTemp *tcg_global_alloc(TCGType type, intptr_t offset, const char *name)
{
    TCGContext *s = tcg_ctx;
    TCGTemp *ts;

    g_assert(s->nb_globals == s->nb_temps && s->nb_globals < TCG_MAX_TEMPS);
    ts = &s->temps[s->nb_globals++];
    s->nb_temps = s->nb_globals;
    memset(ts, 0, sizeof(*ts));
    ts->type = type;
    ts->kind = TEMP_GLOBAL;
    ts->mem_offset = offset;
    ts->mem_allocated = true;
    ts->name = name;
    ts->temp_allocated = true;
    return ts;
}

TCGv_i32 tcg_global_mem_new_i32(intptr_t offset, const char *name)
{
    return temp_tcgv_i32(tcg_global_alloc(TCG_TYPE_I32, offset, name));
}

TCGv_i64 tcg_global_mem_new_i64(intptr_t offset, const char *name)
{
    return temp_tcgv_i64(tcg_global_alloc(TCG_TYPE_I64, offset, name));
}

TCGv_ptr tcg_global_mem_new_ptr(intptr_t offset, const char *name)
{
    return temp_tcgv_ptr(tcg_global_alloc(TCG_TYPE_PTR, offset, name));
}

static TCGTemp *tcg_temp_alloc(TCGContext *s)
{
    TCGTemp *ts;

    if (s->nb_temps >= TCG_MAX_TEMPS) {
        error_report("TCG: more than %d temps in one translation block", TCG_MAX_TEMPS);
        abort();
    }
    ts = &s->temps[s->nb_temps++];
    memset(ts, 0, sizeof(*ts));
    return ts;
}

TCGTemp *tcg_temp_new_internal(TCGType type)
{
    TCGContext *s = tcg_ctx;
    TCGTemp *ts = NULL;

    for (int i = s->nb_globals; i < s->nb_temps; i++) {
        TCGTemp *t = &s->temps[i];

        if (!t->temp_allocated && t->kind == TEMP_TB && t->type == type) {
            ts = t;
            break;
        }
    }
    if (!ts) {
        ts = tcg_temp_alloc(s);
        ts->type = type;
        ts->kind = TEMP_TB;
    }
    ts->temp_allocated = true;
    return ts;
}

void tcg_temp_free_internal(TCGTemp *ts)
{
    if (ts->kind == TEMP_TB) {
        g_assert(ts->temp_allocated);
        ts->temp_allocated = false;
    }
}

TCGv_i32 tcg_temp_new_i32(void)
{
    return temp_tcgv_i32(tcg_temp_new_internal(TCG_TYPE_I32));
}

TCGv_i64 tcg_temp_new_i64(void)
{
    return temp_tcgv_i64(tcg_temp_new_internal(TCG_TYPE_I64));
}

TCGv_ptr tcg_temp_new_ptr(void)
{
    return temp_tcgv_ptr(tcg_temp_new_internal(TCG_TYPE_PTR));
}

void tcg_temp_free_i32(TCGv_i32 v)
{
    tcg_temp_free_internal(tcgv_i32_temp(v));
}

void tcg_temp_free_i64(TCGv_i64 v)
{
    tcg_temp_free_internal(tcgv_i64_temp(v));
}

void tcg_temp_free_ptr(TCGv_ptr v)
{
    tcg_temp_free_internal(tcgv_ptr_temp(v));
}

TCGTemp *tcg_constant_internal(TCGType type, int64_t val)
{
    TCGContext *s = tcg_ctx;
    TCGTemp *ts;

    if (type == TCG_TYPE_I32) {
        val = (int32_t)val;
    }
    ts = g_hash_table_lookup(s->const_table[type], &val);
    if (!ts) {
        ts = tcg_temp_alloc(s);
        ts->type = type;
        ts->kind = TEMP_CONST;
        ts->val = val;
        ts->temp_allocated = true;
        g_hash_table_insert(s->const_table[type], &ts->val, ts);
    }
    return ts;
}

TCGv_i32 tcg_constant_i32(int32_t val)
{
    return temp_tcgv_i32(tcg_constant_internal(TCG_TYPE_I32, val));
}

TCGv_i64 tcg_constant_i64(int64_t val)
{
    return temp_tcgv_i64(tcg_constant_internal(TCG_TYPE_I64, val));
}

TCGv_ptr tcg_constant_ptr(intptr_t val)
{
    return temp_tcgv_ptr(tcg_constant_internal(TCG_TYPE_PTR, val));
}

TCGLabel *gen_new_label(void)
{
    TCGLabel *l = tcg_malloc(sizeof(*l));

    l->id = tcg_ctx->nb_labels++;
    return l;
}

void tcg_func_start(TranslationBlock *tb)
{
    TCGContext *s = tcg_ctx;

    tcg_pool_reset(s);
    s->nb_temps = s->nb_globals;
    for (int t = 0; t < TCG_TYPE_COUNT; t++) {
        g_hash_table_remove_all(s->const_table[t]);
    }
    s->first_op = s->last_op = NULL;
    s->nb_ops = 0;
    s->nb_labels = 0;
    s->insn_count = 0;
    s->tb = tb;
}

/* ---- Ops ---- */

int tcg_op_nb_oargs(const TCGOp *op)
{
    return op->opc == INDEX_op_call ? op->call_oargs : tcg_op_defs[op->opc].nb_oargs;
}

int tcg_op_nb_iargs(const TCGOp *op)
{
    return op->opc == INDEX_op_call ? op->call_iargs : tcg_op_defs[op->opc].nb_iargs;
}

int tcg_op_nb_cargs(const TCGOp *op)
{
    return tcg_op_defs[op->opc].nb_cargs;
}

static TCGOp *tcg_op_alloc(TCGOpcode opc, int nargs)
{
    TCGOp *op = tcg_malloc(sizeof(*op));

    g_assert(nargs <= TCG_MAX_OP_ARGS);
    op->opc = opc;
    op->nargs = (uint8_t)nargs;
    tcg_ctx->nb_ops++;
    return op;
}

TCGOp *tcg_emit_op(TCGOpcode opc, int nargs)
{
    TCGContext *s = tcg_ctx;
    TCGOp *op = tcg_op_alloc(opc, nargs);

    op->prev = s->last_op;
    if (s->last_op) {
        s->last_op->next = op;
    } else {
        s->first_op = op;
    }
    s->last_op = op;
    return op;
}

TCGOp *tcg_op_insert_before(TCGContext *s, TCGOp *old, TCGOpcode opc, int nargs)
{
    TCGOp *op = tcg_op_alloc(opc, nargs);

    op->next = old;
    op->prev = old->prev;
    if (old->prev) {
        old->prev->next = op;
    } else {
        s->first_op = op;
    }
    old->prev = op;
    return op;
}

TCGOp *tcg_op_insert_after(TCGContext *s, TCGOp *old, TCGOpcode opc, int nargs)
{
    TCGOp *op = tcg_op_alloc(opc, nargs);

    op->prev = old;
    op->next = old->next;
    if (old->next) {
        old->next->prev = op;
    } else {
        s->last_op = op;
    }
    old->next = op;
    return op;
}

void tcg_op_remove(TCGContext *s, TCGOp *op)
{
    if (op->prev) {
        op->prev->next = op->next;
    } else {
        s->first_op = op->next;
    }
    if (op->next) {
        op->next->prev = op->prev;
    } else {
        s->last_op = op->prev;
    }
    s->nb_ops--;
}

/* ---- Dump ---- */

const char *tcg_temp_name(TCGContext *s, char *buf, size_t size, const TCGTemp *ts)
{
    switch (ts->kind) {
    case TEMP_FIXED:
    case TEMP_GLOBAL:
        g_strlcpy(buf, ts->name ? ts->name : "?", size);
        break;
    case TEMP_TB:
        snprintf(buf, size, "tmp%d", (int)(ts - s->temps) - s->nb_globals);
        break;
    case TEMP_CONST:
        if (ts->type == TCG_TYPE_I32) {
            snprintf(buf, size, "$0x%" PRIx32, (uint32_t)ts->val);
        } else {
            snprintf(buf, size, "$0x%" PRIx64, (uint64_t)ts->val);
        }
        break;
    }
    return buf;
}

static const char *const tcg_memop_size_names[] = { "ub", "uw", "ul", "uq" };

static void tcg_dump_memop(FILE *f, MemOpIdx oi)
{
    MemOp mop = get_memop(oi);

    fprintf(f, "%s%s%c%s,%d", (mop & MO_BE) ? "be" : "le",
            (mop & MO_ALIGN) ? "+al:" : ":",
            (mop & MO_SIGN) ? 's' : 'u', tcg_memop_size_names[mop & MO_SIZE] + 1,
            get_mmuidx(oi));
}

static void tcg_dump_op(TCGContext *s, TCGOp *op, FILE *f)
{
    const TCGOpDef *def = &tcg_op_defs[op->opc];
    int no = tcg_op_nb_oargs(op), ni = tcg_op_nb_iargs(op), nc = tcg_op_nb_cargs(op);
    char buf[64];
    int k = 0;

    if (op->opc == INDEX_op_insn_start) {
        fprintf(f, " ---- %016" PRIx64 " %016" PRIx64 "\n",
                (uint64_t)op->args[0], (uint64_t)op->args[1]);
        return;
    }
    if (op->opc == INDEX_op_call) {
        fprintf(f, " call %s,$0x%x,$%d", tcg_call_name(op), tcg_call_flags(op), no);
        for (int i = 0; i < no + ni; i++) {
            fprintf(f, ",%s", tcg_temp_name(s, buf, sizeof(buf), arg_temp(op->args[i])));
        }
    } else {
        fprintf(f, " %s ", def->name);
        for (int i = 0; i < no + ni; i++, k++) {
            fprintf(f, "%s%s", k ? "," : "",
                    tcg_temp_name(s, buf, sizeof(buf), arg_temp(op->args[i])));
        }
        for (int i = no + ni; i < no + ni + nc; i++, k++) {
            TCGArg a = op->args[i];

            fputs(k ? "," : "", f);
            switch (op->opc) {
            case INDEX_op_setcond_i32:
            case INDEX_op_setcond_i64:
            case INDEX_op_movcond_i32:
            case INDEX_op_movcond_i64:
                fputs(tcg_cond_name((TCGCond)a), f);
                break;
            case INDEX_op_brcond_i32:
            case INDEX_op_brcond_i64:
                if (i == no + ni) {
                    fputs(tcg_cond_name((TCGCond)a), f);
                } else {
                    fprintf(f, "$L%d", arg_label(a)->id);
                }
                break;
            case INDEX_op_br:
            case INDEX_op_set_label:
                fprintf(f, "$L%d", arg_label(a)->id);
                break;
            case INDEX_op_qemu_ld_i32:
            case INDEX_op_qemu_st_i32:
            case INDEX_op_qemu_ld_i64:
            case INDEX_op_qemu_st_i64:
                tcg_dump_memop(f, (MemOpIdx)a);
                break;
            default:
                fprintf(f, "$0x%" PRIx64, (uint64_t)a);
                break;
            }
        }
    }
    if (op->dead_args || op->sync_args) {
        fputs("  ", f);
        for (int i = 0; i < 16; i++) {
            if (op->sync_args & (1u << i)) {
                fprintf(f, " sync:%d", i);
            }
        }
        for (int i = 0; i < 16; i++) {
            if (op->dead_args & (1u << i)) {
                fprintf(f, " dead:%d", i);
            }
        }
    }
    fputc('\n', f);
}

void tcg_dump_ops(TCGContext *s, FILE *f)
{
    TCGOp *op;

    tcg_for_each_op(s, op) {
        tcg_dump_op(s, op, f);
    }
}

/* ---- Code generation ---- */

static void tcg_log_ops(TCGContext *s, TranslationBlock *tb, const char *what)
{
    FILE *f = log_file();

    fprintf(f, "%s: [pc=0x%" PRIx64 "]\n", what, tb->pc);
    tcg_dump_ops(s, f);
    fputc('\n', f);
    log_flush();
}

int tcg_gen_code(TCGContext *s, TranslationBlock *tb)
{
    size_t meta_off, meta_size;
    uint32_t *off_rw;
    uint64_t (*data_rw)[TCG_INSN_START_WORDS];
    char *end;
    int size;

    if (log_enabled(LOG_OP)) {
        tcg_log_ops(s, tb, "OP");
    }
    tcg_optimize(s);
    tcg_liveness_analysis(s);
    if (log_enabled(LOG_OP_OPT)) {
        tcg_log_ops(s, tb, "OP after optimization and liveness analysis");
    }

    size = s->backend->gen_code(s, tb);
    if (size < 0) {
        return size;
    }

    /* The instruction boundaries follow the code, 8-byte aligned. */
    meta_off = ROUND_UP((size_t)size, 8);
    meta_size = (size_t)s->insn_count * (sizeof(uint64_t) * TCG_INSN_START_WORDS) +
                ROUND_UP((size_t)s->insn_count * sizeof(uint32_t), 8);
    end = (char *)s->code_gen_buffer + s->code_gen_buffer_size;
    if ((char *)s->code_gen_ptr + meta_off + meta_size > end) {
        return -1;
    }
    data_rw = tcg_splitwx_to_rw((char *)s->code_gen_ptr + meta_off);
    memcpy(data_rw, s->gen_insn_data, (size_t)s->insn_count * sizeof(s->gen_insn_data[0]));
    off_rw = (uint32_t *)(data_rw + s->insn_count);
    memcpy(off_rw, s->gen_insn_off, (size_t)s->insn_count * sizeof(uint32_t));

    tb->insn_data = tcg_splitwx_to_rx(data_rw);
    tb->insn_off = tcg_splitwx_to_rx(off_rw);
    tb->icount = (uint16_t)s->insn_count;
    s->code_gen_ptr = (char *)s->code_gen_ptr + ROUND_UP(meta_off + meta_size, 16);
    return size;
}
