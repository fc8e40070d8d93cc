/*
 * TCG, Kestrel's Tiny Code Generator: the intermediate representation (typed
 * temps, opcodes, ops, labels), the translation context, helper-call flags and
 * the interface between the generic code (tcg/: emitters, optimizer, liveness)
 * and the host back ends (tcg/x86_64: JIT, tcg/interp: bytecode interpreter).
 *
 * Pipeline for one translation block: accel/tcg calls tcg_func_start(tb), the
 * target front end emits IR through include/tcg/tcg-op.h, then accel/tcg calls
 * tcg_gen_code(), which optimizes (tcg_optimize), computes liveness
 * (tcg_liveness_analysis) and runs the back end's gen_code. One global context
 * (tcg_ctx) exists; translation is serialized by tcg_translate_lock().
 *
 * Opcode semantics (i32 ops work on 32 bits, i64 ops on 64 bits):
 *  - add sub mul and or xor neg not: as in C on unsigned values (wrap around);
 *    andc a&~b, orc a|~b, eqv ~(a^b), nand ~(a&b), nor ~(a|b).
 *  - shl shr (logical) sar (arithmetic) rotl rotr: the count is taken modulo
 *    the width (count & 31 or count & 63).
 *  - div rem (signed, C truncation) divu remu: undefined when the divisor is 0
 *    or for signed MIN / -1; front ends guard those cases (movcond) so back
 *    ends may use the host's divide instruction.
 *  - mulsh muluh: high half of the double-width signed/unsigned product.
 *  - setcond c: ret = (a c b) ? 1 : 0; movcond c: ret = (c1 c c2) ? v1 : v2
 *    with inputs (c1, c2, v1, v2); brcond c: branch to the label when a c b.
 *  - extract pos,len: ret = (a >> pos) & ((1 << len) - 1), sextract the same
 *    sign-extended from bit len-1; deposit pos,len: ret = a with bits
 *    [pos, pos+len) replaced by the low len bits of b. 0 < len, pos+len <= width.
 *  - clz/ctz a, z: count of leading/trailing zeros of a, or z when a == 0.
 *  - ctpop: number of set bits. bswap16/32/64: reverse the bytes of the low
 *    16/32/64 bits; the result is zero-extended.
 *  - ext8s/ext8u/ext16s/ext16u/ext32s/ext32u: sign/zero extension of the low
 *    bits; ext_i32_i64 / extu_i32_i64 sign/zero-extend an i32 into an i64;
 *    extrl_i64_i32 / extrh_i64_i32 take the low / high 32 bits of an i64.
 *  - ld* / st*: host memory at (ptr input + offset carg), host byte order;
 *    ld8u/ld8s etc. zero/sign-extend. Used for fields of the CPU env struct.
 *  - qemu_ld / qemu_st: guest memory at the i64 guest virtual address input,
 *    MemOpIdx carg (memop | mmu_idx << 8): the TLB fast path, else the
 *    helper_*_mmu slow paths of include/exec/cpu-tlb.h.
 *  - call: a helper with up to TCG_MAX_CALL_ARGS arguments, see tcg_gen_callN.
 *  - insn_start: marks the start of a guest instruction (TCG_INSN_START_WORDS
 *    words of target data, the guest pc first) for precise exception restore.
 *  - goto_tb n: patchable direct jump slot n (0 or 1) of the TB; unchained it
 *    falls through to the following exit_tb. exit_tb v: leave the generated
 *    code returning v (see the exit protocol in exec/translation-block.h).
 *    lookup_and_goto_ptr pc: look pc up in the vCPU jump cache; on a hit with
 *    matching flags jump to that TB, else return 0 to the cpu loop.
 *  - movi imm: ret = imm. Any input may be a TEMP_CONST temp; the optimizer
 *    turns ops with constant results into movi.
 *  - mb: memory barrier (TCG_MO_* | TCG_BAR_* carg); discard: the temp's value
 *    is dead from here on.
 */
#ifndef TCG_TCG_H
#define TCG_TCG_H

#include "util/osdep.h"

typedef struct TranslationBlock TranslationBlock;
typedef struct TCGContext TCGContext;

/* ---- Basic types ---- */

typedef enum TCGType {
    TCG_TYPE_I32,
    TCG_TYPE_I64,
    TCG_TYPE_COUNT,
} TCGType;

/* Host pointers are 64-bit: the only supported hosts are 64-bit. */
#define TCG_TYPE_PTR TCG_TYPE_I64

/* An opcode argument: a TCGTemp pointer for temps, else a constant. */
typedef uintptr_t TCGArg;

#define TCG_MAX_TEMPS       1024
#define TCG_MAX_CALL_ARGS   6
#define TCG_MAX_OP_ARGS     16
#define TCG_MAX_INSNS       512
#define TCG_INSN_START_WORDS 2

typedef enum TCGTempKind {
    TEMP_FIXED,   /* lives in a fixed host register (the env pointer) */
    TEMP_GLOBAL,  /* a guest register in the env struct at mem_offset */
    TEMP_TB,      /* translation-block temp: survives branches within the TB */
    TEMP_CONST,   /* read-only constant, interned per TB (tcg_constant_*) */
} TCGTempKind;

/* Where the register allocator currently keeps a temp's value. */
typedef enum TCGTempVal {
    TEMP_VAL_DEAD,
    TEMP_VAL_REG,
    TEMP_VAL_MEM,
    TEMP_VAL_CONST,
} TCGTempVal;

typedef struct TCGTemp {
    TCGType type;
    TCGTempKind kind;
    const char *name;         /* globals and fixed temps */
    int64_t val;              /* TEMP_CONST: the value (sign-extended for i32) */
    intptr_t mem_offset;      /* TEMP_GLOBAL: offset in env; TEMP_TB: spill slot offset */
    bool mem_allocated;       /* TEMP_TB: a spill slot was assigned (mem_offset valid) */
    bool temp_allocated;      /* in use (not freed) */

    /* Register-allocator state, owned by tcg/regalloc.c. */
    TCGTempVal val_type;
    int reg;                  /* host register when val_type == TEMP_VAL_REG */
    bool mem_coherent;        /* memory copy equals the register copy */

    /* Scratch for passes (liveness state, optimizer info index, ...). */
    uintptr_t state;
    void *state_ptr;
} TCGTemp;

/*
 * Typed handles: small structs so that mixing i32, i64 and pointer temps is a
 * compile-time error. They hold an index into tcg_ctx->temps.
 */
typedef struct TCGv_i32 { int idx; } TCGv_i32;
typedef struct TCGv_i64 { int idx; } TCGv_i64;
typedef struct TCGv_ptr { int idx; } TCGv_ptr;

/* ---- Conditions ---- */

/* Bit 0 inverts, bit 1 unsigned-with-order, values match QEMU's style. */
typedef enum TCGCond {
    TCG_COND_NEVER = 0,
    TCG_COND_ALWAYS = 1,
    TCG_COND_EQ = 8,
    TCG_COND_NE = 9,
    TCG_COND_LT = 2,
    TCG_COND_GE = 3,
    TCG_COND_LE = 4,
    TCG_COND_GT = 5,
    TCG_COND_LTU = 10,
    TCG_COND_GEU = 11,
    TCG_COND_LEU = 12,
    TCG_COND_GTU = 13,
    TCG_COND_TSTEQ = 14,      /* (a & b) == 0 */
    TCG_COND_TSTNE = 15,      /* (a & b) != 0 */
} TCGCond;

/* The condition true exactly when COND is false. */
static inline TCGCond tcg_invert_cond(TCGCond c)
{
    return (TCGCond)(c ^ 1);
}

/* The condition for the operands swapped: a c b == b swap(c) a. */
TCGCond tcg_swap_cond(TCGCond c);
/* Evaluates COND on two values of TYPE (i32 values compare their low 32 bits). */
bool tcg_cond_eval(TCGType type, TCGCond cond, uint64_t a, uint64_t b);
const char *tcg_cond_name(TCGCond c);

/* ---- Memory operations ---- */

typedef enum MemOp {
    MO_8 = 0,
    MO_16 = 1,
    MO_32 = 2,
    MO_64 = 3,
    MO_SIZE = 3,
    MO_SIGN = 4,
    MO_LE = 0,
    MO_BE = 8,
    MO_BSWAP = MO_BE,         /* little-endian hosts only */
    MO_ALIGN = 16,            /* a misaligned access faults (target's unaligned hook) */

    MO_UB = MO_8,
    MO_UW = MO_16,
    MO_UL = MO_32,
    MO_UQ = MO_64,
    MO_SB = MO_8 | MO_SIGN,
    MO_SW = MO_16 | MO_SIGN,
    MO_SL = MO_32 | MO_SIGN,
    MO_SQ = MO_64 | MO_SIGN,
} MemOp;

/* Memop and mmu index combined: memop | mmu_idx << 8. */
typedef uint32_t MemOpIdx;

static inline MemOpIdx make_memop_idx(MemOp op, int mmu_idx)
{
    return (MemOpIdx)op | ((MemOpIdx)mmu_idx << 8);
}

static inline MemOp get_memop(MemOpIdx oi)
{
    return (MemOp)(oi & 0xff);
}

static inline int get_mmuidx(MemOpIdx oi)
{
    return (int)(oi >> 8);
}

static inline unsigned memop_size(MemOp op)
{
    return 1u << (op & MO_SIZE);
}

/* Barrier kinds for tcg_gen_mb (ORed). */
enum {
    TCG_MO_LD_LD = 1,
    TCG_MO_ST_LD = 2,
    TCG_MO_LD_ST = 4,
    TCG_MO_ST_ST = 8,
    TCG_MO_ALL = 15,
    TCG_BAR_SC = 0x30,        /* sequentially consistent */
};

/* ---- Helper calls ---- */

/*
 * Call flags. Without TCG_CALL_NO_READ_GLOBALS every global is synced to env
 * before the call; without TCG_CALL_NO_WRITE_GLOBALS every global is reloaded
 * from env after it. TCG_CALL_NO_SIDE_EFFECTS lets the optimizer delete a
 * call whose result is unused.
 */
enum {
    TCG_CALL_NO_READ_GLOBALS = 1,
    TCG_CALL_NO_WRITE_GLOBALS = 2,
    TCG_CALL_NO_SIDE_EFFECTS = 4,
    TCG_CALL_NO_RWG = TCG_CALL_NO_READ_GLOBALS | TCG_CALL_NO_WRITE_GLOBALS,
    TCG_CALL_NO_WG = TCG_CALL_NO_WRITE_GLOBALS,
    TCG_CALL_NO_RWG_SE = TCG_CALL_NO_RWG | TCG_CALL_NO_SIDE_EFFECTS,
    TCG_CALL_NO_WG_SE = TCG_CALL_NO_WG | TCG_CALL_NO_SIDE_EFFECTS,
};

/*
 * Call ABI: every argument is passed as a 64-bit integer (i32 temps
 * zero-extended, pointers as is) in the host's integer argument registers,
 * so a helper is any C function taking up to six integer or pointer
 * parameters and returning void, a 32-bit or a 64-bit integer. The call op's
 * args are [ret], in0..inN-1, func, flags, name (see tcg_call_*()).
 */

/* ---- Opcodes ---- */

enum {
    TCG_OPF_BB_EXIT = 0x01,       /* leaves the TB */
    TCG_OPF_BB_END = 0x02,        /* ends a basic block (globals synced) */
    TCG_OPF_CALL_CLOBBER = 0x04,  /* clobbers call-clobbered host registers */
    TCG_OPF_SIDE_EFFECTS = 0x08,  /* never deleted even if outputs are dead */
    TCG_OPF_64BIT = 0x10,         /* operates on i64 */
    TCG_OPF_NOT_PRESENT = 0x20,   /* handled by generic code, not the back end's op emitter */
    TCG_OPF_COND_BRANCH = 0x40,   /* conditional branch (brcond) */
};

typedef enum TCGOpcode {
#define DEF(name, oargs, iargs, cargs, flags) INDEX_op_##name,
#include "tcg/tcg-opc.h"
#undef DEF
    NB_OPS,
} TCGOpcode;

typedef struct TCGOpDef {
    const char *name;
    uint8_t nb_oargs, nb_iargs, nb_cargs;
    uint8_t flags;
} TCGOpDef;

extern const TCGOpDef tcg_op_defs[NB_OPS];

typedef struct TCGLabel TCGLabel;

/* A back-end relocation waiting for its label (filled and consumed by back ends). */
typedef struct TCGRelocation {
    struct TCGRelocation *next;
    void *ptr;                /* where to patch (RW address) */
    int type;                 /* back-end defined */
    intptr_t addend;
} TCGRelocation;

struct TCGLabel {
    int id;
    bool present;             /* its set_label op exists */
    int refs;                 /* branches to it (kept up to date by the optimizer) */
    /* Back-end state: */
    bool has_value;
    uintptr_t value;          /* bound address (RX) or offset, back-end defined */
    TCGRelocation *relocs;
};

typedef struct TCGOp {
    struct TCGOp *prev, *next;
    TCGOpcode opc;
    uint8_t nargs;            /* total entries used in args[] */
    uint8_t call_oargs;       /* INDEX_op_call only: 0 or 1 */
    uint8_t call_iargs;       /* INDEX_op_call only: 0..TCG_MAX_CALL_ARGS */
    /*
     * Liveness (tcg/liveness.c), read by the register allocator:
     *  dead_args bit i: args[i] (a temp) is not used after this op;
     *  sync_args bit i: output args[i] is a global (or TB temp) whose new
     *  value must also be stored to its memory slot after this op.
     */
    uint16_t dead_args;
    uint8_t sync_args;
    /* Register preference for each output, a back-end register mask (0: none). */
    uint64_t output_pref[2];
    TCGArg args[TCG_MAX_OP_ARGS];
} TCGOp;

static inline TCGTemp *arg_temp(TCGArg a)
{
    return (TCGTemp *)a;
}

static inline TCGArg temp_arg(TCGTemp *ts)
{
    return (TCGArg)ts;
}

static inline TCGLabel *arg_label(TCGArg a)
{
    return (TCGLabel *)a;
}

static inline TCGArg label_arg(TCGLabel *l)
{
    return (TCGArg)l;
}

/* Argument counts of OP (correct for calls too). */
int tcg_op_nb_oargs(const TCGOp *op);
int tcg_op_nb_iargs(const TCGOp *op);
int tcg_op_nb_cargs(const TCGOp *op);

/* Call op accessors. */
static inline void *tcg_call_func(const TCGOp *op)
{
    return (void *)op->args[op->call_oargs + op->call_iargs];
}

static inline unsigned tcg_call_flags(const TCGOp *op)
{
    return (unsigned)op->args[op->call_oargs + op->call_iargs + 1];
}

static inline const char *tcg_call_name(const TCGOp *op)
{
    return (const char *)op->args[op->call_oargs + op->call_iargs + 2];
}

/* ---- Back ends ---- */

typedef struct TCGBackend {
    const char *name;                 /* "x86_64" or "interp" */
    /*
     * Called once by tcg_context_init() after the code buffer exists: may
     * emit a prologue at s->code_gen_ptr (then advances code_gen_start and
     * code_gen_ptr past it so flushes keep it) and set fixed registers.
     */
    void (*init)(TCGContext *s);
    /* Optional: false when the back end wants OPC expanded by tcg-op.c. NULL: all ops. */
    bool (*has_op)(TCGOpcode opc);
    /*
     * Writes TB's code at s->code_gen_ptr (an RX address; write through
     * tcg_splitwx_to_rw), fills tb->tc.ptr/size, tb->jmp_* and
     * s->gen_insn_off[i] (offset from tb->tc.ptr where guest instruction i
     * begins) for i < s->insn_count. Must not write past s->code_gen_highwater
     * by more than TCG_HIGHWATER bytes; returns the code size, or -1 when the
     * buffer is full (the cpu loop flushes everything and retries).
     * tcg_gen_code then advances code_gen_ptr past the code and the TB's
     * instruction boundaries.
     */
    int (*gen_code)(TCGContext *s, TranslationBlock *tb);
    /* Runs generated code CODE (a tc.ptr) with ENV until an exit; the exit value. */
    uintptr_t (*tb_exec)(void *env, const void *code);
    /*
     * Points jump slot N of TB at DEST's code, or back at its own exit path
     * when DEST is NULL (unchaining). Atomic with respect to other vCPU
     * threads running TB.
     */
    void (*tb_set_jmp_target)(TranslationBlock *tb, int n, const TranslationBlock *dest);
} TCGBackend;

/* The interpreter (tcg/interp); referencing it also links it into unit tests. */
extern const TCGBackend tcg_backend_interp;

void tcg_backend_register(const TCGBackend *be);
/* NULL when no back end of that name exists. */
const TCGBackend *tcg_backend_find(const char *name);
#define tcg_backend_init(fn) \
    static void __attribute__((constructor)) tcg_backend_init_##fn(void) { fn(); }

/* Slack the back end may write beyond code_gen_highwater for one op. */
#define TCG_HIGHWATER 1024

/* ---- The context ---- */

struct TCGContext {
    const TCGBackend *backend;

    /* Temps: [0, nb_globals) are the env pointer and the globals. */
    int nb_globals;
    int nb_temps;
    TCGTemp temps[TCG_MAX_TEMPS];
    GHashTable *const_table[TCG_TYPE_COUNT];  /* value -> TCGTemp*, per TB */

    /* The op list of the TB being translated. */
    TCGOp *first_op, *last_op;
    int nb_ops;
    int nb_labels;

    /* The TB being translated and its guest instructions. */
    TranslationBlock *tb;
    int insn_count;                               /* insn_start ops emitted */
    uint32_t gen_insn_off[TCG_MAX_INSNS];         /* filled by the back end */
    uint64_t gen_insn_data[TCG_MAX_INSNS][TCG_INSN_START_WORDS];

    /* Code buffer (RX addresses; see tcg_splitwx_to_rw). */
    void *code_gen_buffer;        /* start of the mapping */
    size_t code_gen_buffer_size;
    void *code_gen_start;         /* first byte after the prologue */
    void *code_gen_ptr;           /* next free byte */
    void *code_gen_highwater;     /* gen_code fails beyond this */
    ptrdiff_t splitwx_diff;       /* RW address - RX address */

    /* Back-end frame for spilled TB temps: [frame_start, frame_end) off frame_reg. */
    int frame_reg;
    intptr_t frame_start, frame_end;
    void *backend_data;           /* back-end private */

    /* Arena for per-TB allocations (tcg_malloc), reset by tcg_func_start. */
    GPtrArray *pool;              /* chunks, reused */
    unsigned pool_chunk;          /* index of the current chunk */
    char *pool_cur, *pool_end;
    GPtrArray *pool_large;        /* large allocations, freed */
};

extern TCGContext *tcg_ctx;
/* tcg_env: the env pointer, a TCGv_ptr in a fixed host register (temps[0]). */
extern TCGv_ptr tcg_env;

/* Temp handle conversions. */
static inline TCGTemp *tcgv_i32_temp(TCGv_i32 v)
{
    return &tcg_ctx->temps[v.idx];
}

static inline TCGTemp *tcgv_i64_temp(TCGv_i64 v)
{
    return &tcg_ctx->temps[v.idx];
}

static inline TCGTemp *tcgv_ptr_temp(TCGv_ptr v)
{
    return &tcg_ctx->temps[v.idx];
}

static inline int temp_idx(const TCGTemp *ts)
{
    return (int)(ts - tcg_ctx->temps);
}

static inline TCGv_i32 temp_tcgv_i32(TCGTemp *ts)
{
    return (TCGv_i32){ temp_idx(ts) };
}

static inline TCGv_i64 temp_tcgv_i64(TCGTemp *ts)
{
    return (TCGv_i64){ temp_idx(ts) };
}

static inline TCGv_ptr temp_tcgv_ptr(TCGTemp *ts)
{
    return (TCGv_ptr){ temp_idx(ts) };
}

/* Any typed handle to its TCGTemp *. */
#define tcg_temp(x) _Generic((x), \
    TCGv_i32: tcgv_i32_temp, TCGv_i64: tcgv_i64_temp, TCGv_ptr: tcgv_ptr_temp)(x)

/*
 * Creates the context with BACKEND and a code buffer of BUFFER_SIZE bytes
 * (0: the 32 MiB default). Call once, before the target creates its globals.
 */
bool tcg_context_init(const TCGBackend *backend, size_t buffer_size, GError **errp);

/*
 * Switches tcg_ctx to back end BE (differential tests): forgets all generated
 * code, including the old back end's prologue, and runs BE's init.
 */
void tcg_context_set_backend(TCGContext *s, const TCGBackend *be);

/* The translation lock: serializes translation, the code buffer and TB chaining. */
void tcg_translate_lock(void);
void tcg_translate_unlock(void);

/* Starts translating TB: empties the op list, frees TB temps, constants and labels. */
void tcg_func_start(TranslationBlock *tb);
/*
 * Optimizes, computes liveness and generates host code for the IR of the
 * current TB (tb->tc filled, insn boundaries recorded in the buffer).
 * Returns the code size, or -1 when the code buffer is full.
 * Logs -d op, op_opt and (via the back end) out_asm.
 */
int tcg_gen_code(TCGContext *s, TranslationBlock *tb);

/* Globals: guest registers at OFFSET in env, created once after tcg_context_init. */
TCGv_i32 tcg_global_mem_new_i32(intptr_t offset, const char *name);
TCGv_i64 tcg_global_mem_new_i64(intptr_t offset, const char *name);
TCGv_ptr tcg_global_mem_new_ptr(intptr_t offset, const char *name);

/* TB temps. Freeing is optional but lets long TBs reuse temps. */
TCGv_i32 tcg_temp_new_i32(void);
TCGv_i64 tcg_temp_new_i64(void);
TCGv_ptr tcg_temp_new_ptr(void);
void tcg_temp_free_i32(TCGv_i32 v);
void tcg_temp_free_i64(TCGv_i64 v);
void tcg_temp_free_ptr(TCGv_ptr v);
TCGTemp *tcg_temp_new_internal(TCGType type);
void tcg_temp_free_internal(TCGTemp *ts);

/* Read-only constants, interned per TB (never free them). */
TCGv_i32 tcg_constant_i32(int32_t val);
TCGv_i64 tcg_constant_i64(int64_t val);
TCGv_ptr tcg_constant_ptr(intptr_t val);
TCGTemp *tcg_constant_internal(TCGType type, int64_t val);

TCGLabel *gen_new_label(void);

/* Per-TB arena: freed by the next tcg_func_start. */
void *tcg_malloc(size_t size);

/* Op list manipulation (optimizer, back ends). */
TCGOp *tcg_emit_op(TCGOpcode opc, int nargs);
TCGOp *tcg_op_insert_before(TCGContext *s, TCGOp *old, TCGOpcode opc, int nargs);
TCGOp *tcg_op_insert_after(TCGContext *s, TCGOp *old, TCGOpcode opc, int nargs);
void tcg_op_remove(TCGContext *s, TCGOp *op);

#define tcg_for_each_op(s, op) for ((op) = (s)->first_op; (op); (op) = (op)->next)
#define tcg_for_each_op_safe(s, op, nx) \
    for ((op) = (s)->first_op; (op) && ((nx) = (op)->next, 1); (op) = (nx))
#define tcg_for_each_op_reverse_safe(s, op, pv) \
    for ((op) = (s)->last_op; (op) && ((pv) = (op)->prev, 1); (op) = (pv))

/* Passes. */
void tcg_optimize(TCGContext *s);
/* Backward liveness: fills dead_args/sync_args and deletes dead pure ops. */
void tcg_liveness_analysis(TCGContext *s);

/* Readable dump of the op list (the -d op / op_opt format). */
void tcg_dump_ops(TCGContext *s, FILE *f);
/* "tmp5", "x10", "$0x10": the temp's name for dumps, into BUF. */
const char *tcg_temp_name(TCGContext *s, char *buf, size_t size, const TCGTemp *ts);

/* ---- Code buffer (tcg/tcg-buffer.c) ---- */

/* Maps one memfd twice (RW and RX) into s->code_gen_*. */
bool tcg_code_buffer_init(TCGContext *s, size_t size, GError **errp);
/* Forgets every generated TB (keeps the prologue): code_gen_ptr = code_gen_start. */
void tcg_code_buffer_flush(TCGContext *s);
/* Bytes used by generated code (for info and statistics). */
size_t tcg_code_buffer_used(TCGContext *s);

static inline void *tcg_splitwx_to_rw(const void *rx)
{
    return rx ? (char *)rx + tcg_ctx->splitwx_diff : NULL;
}

static inline const void *tcg_splitwx_to_rx(void *rw)
{
    return rw ? (const char *)rw - tcg_ctx->splitwx_diff : NULL;
}

/* Makes freshly written code at RX visible to instruction fetch (no-op on x86). */
void tcg_flush_icache_range(const void *rx, size_t len);

#endif
