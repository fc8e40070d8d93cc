/*
 * The x86-64 TCG back end: turns the optimized IR of one translation block
 * into host code, with registers from tcg/regalloc.c. Fixed registers: %r14
 * holds env for the whole of generated code, %rsp points at a frame of
 * spill slots (one per temp), %r10/%r11 are scratch registers the allocator
 * never hands out (TLB lookups, jump-cache lookups, constant operands). The
 * prologue saves the callee-saved registers, reserves the frame keeping
 * %rsp 16-byte aligned at every helper call, and jumps to the TB; exit_tb
 * jumps to the epilogue with the exit value in %rax. Guest memory accesses
 * inline the softmmu TLB hit path and keep the miss path out of line at the
 * end of the TB; direct jumps are jmp rel32 with a 4-byte aligned field that
 * tb_set_jmp_target patches atomically.
 */
#include "util/osdep.h"
#include <cpuid.h>
#include <capstone.h>
#include "tcg/tcg.h"
#include "tcg/regalloc.h"
#include "tcg/x86_64/x86-emit.h"
#include "tcg/x86_64/x86-backend.h"
#include "exec/cpu-tlb.h"
#include "exec/translation-block.h"
#include "util/log.h"

#define REG_ENV X86_R14
#define REG_TMP0 X86_R11
#define REG_TMP1 X86_R10

#define BIT(r) (1ull << (r))
#define ALLOC_REGS (0xffffull & ~(BIT(X86_RSP) | BIT(REG_ENV) | BIT(REG_TMP0) | BIT(REG_TMP1)))
#define CALL_CLOBBERED (BIT(X86_RAX) | BIT(X86_RCX) | BIT(X86_RDX) | BIT(X86_RSI) | \
                        BIT(X86_RDI) | BIT(X86_R8) | BIT(X86_R9) | BIT(X86_R10) | \
                        BIT(X86_R11))

/* Spill slots at 0(%rsp); 8 more bytes keep %rsp 16-byte aligned after six pushes. */
#define FRAME_SLOTS_SIZE (TCG_MAX_TEMPS * 8)
#define FRAME_SIZE (FRAME_SLOTS_SIZE + 8)

/* Constant classes for TCGArgConstraint.consts. */
enum {
    CT_S32 = 1,     /* fits a sign-extended 32-bit immediate */
    CT_ANY = 2,     /* any value: the emitter copes */
};

/* Callee-saved first: they survive helper calls and guest memory accesses. */
static const int8_t alloc_order[] = {
    X86_RBX, X86_RBP, X86_R12, X86_R13, X86_R15,
    X86_R8, X86_R9, X86_RSI, X86_RDI, X86_RAX, X86_RDX, X86_RCX,
};

static const int8_t call_arg_regs[TCG_MAX_CALL_ARGS] = {
    X86_RDI, X86_RSI, X86_RDX, X86_RCX, X86_R8, X86_R9,
};

/* Per back end, not per TB: set up once by x86_init. */
static unsigned host_features;
static uintptr_t prologue_rx;
static uintptr_t epilogue_rx;
static TCGOpConstraint constraints[NB_OPS];
static csh capstone;
static bool capstone_ok;

/* A guest memory access whose TLB miss path goes at the end of the TB. */
typedef struct X86SlowPath {
    struct X86SlowPath *next;
    bool is_ld;
    TCGType type;
    MemOpIdx oi;
    int addr_reg, data_reg;
    uint8_t *jcc_field;     /* the jne to patch to the slow path */
    uint8_t *back;          /* where to resume; also the retaddr for the helper */
} X86SlowPath;

typedef struct X86Gen {
    X86Emit e;
    TCGContext *s;
    TranslationBlock *tb;
    X86SlowPath *slow_paths;
} X86Gen;

static X86Cond cond_to_x86(TCGCond c)
{
    switch (c) {
    case TCG_COND_EQ:
    case TCG_COND_TSTEQ:
        return X86_CC_E;
    case TCG_COND_NE:
    case TCG_COND_TSTNE:
        return X86_CC_NE;
    case TCG_COND_LT:
        return X86_CC_L;
    case TCG_COND_GE:
        return X86_CC_GE;
    case TCG_COND_LE:
        return X86_CC_LE;
    case TCG_COND_GT:
        return X86_CC_G;
    case TCG_COND_LTU:
        return X86_CC_B;
    case TCG_COND_GEU:
        return X86_CC_AE;
    case TCG_COND_LEU:
        return X86_CC_BE;
    case TCG_COND_GTU:
        return X86_CC_A;
    default:
        g_assert_not_reached();
    }
}

/* ---- Host features ---- */

unsigned x86_backend_detect_features(void)
{
    unsigned a, b, c, d, f = 0;

    if (__get_cpuid(1, &a, &b, &c, &d) && (c & bit_POPCNT)) {
        f |= X86_HOST_POPCNT;
    }
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_BMI)) {
        f |= X86_HOST_BMI1;
    }
    if (__get_cpuid(0x80000001, &a, &b, &c, &d) && (c & bit_LZCNT)) {
        f |= X86_HOST_LZCNT;
    }
    return f;
}

void x86_backend_set_features(unsigned features)
{
    host_features = features & x86_backend_detect_features();
}

/* ---- Register allocator callbacks ---- */

static void ra_mov(void *opaque, TCGType type, int dst, int src)
{
    X86Gen *g = opaque;

    if (dst != src) {
        x86_emit_mov_rr(&g->e, type == TCG_TYPE_I64, dst, src);
    }
}

static void ra_movi(void *opaque, TCGType type, int dst, int64_t val)
{
    X86Gen *g = opaque;

    x86_emit_movi(&g->e, dst, type == TCG_TYPE_I32 ? (uint32_t)val : (uint64_t)val);
}

static void ra_ld(void *opaque, TCGType type, int dst, int base, intptr_t ofs)
{
    X86Gen *g = opaque;

    g_assert(ofs == (int32_t)ofs);
    x86_emit_load(&g->e, type == TCG_TYPE_I32 ? X86_LD32U : X86_LD64, dst,
                  x86_mem(base, (int32_t)ofs));
}

static void ra_st(void *opaque, TCGType type, int src, int base, intptr_t ofs)
{
    X86Gen *g = opaque;

    g_assert(ofs == (int32_t)ofs);
    x86_emit_store(&g->e, type == TCG_TYPE_I32 ? 2 : 3, src, x86_mem(base, (int32_t)ofs));
}

static bool ra_const_match(int64_t val, TCGType type, unsigned ct)
{
    if (ct & CT_ANY) {
        return true;
    }
    return (ct & CT_S32) && (type == TCG_TYPE_I32 || val == (int32_t)val);
}

static const TCGRegAllocInfo ra_info = {
    .alloc_regs = ALLOC_REGS,
    .call_clobbered = CALL_CLOBBERED,
    .order = alloc_order,
    .nb_order = ARRAY_SIZE(alloc_order),
    .env_reg = REG_ENV,
    .frame_reg = X86_RSP,
    .mov = ra_mov,
    .movi = ra_movi,
    .ld = ra_ld,
    .st = ra_st,
    .const_match = ra_const_match,
};

/* ---- Constraints ---- */

static void ct_set(TCGOpcode opc, uint64_t o_regs, int o_alias, const uint64_t *i_regs,
                   const uint8_t *i_consts, int nb_i, uint64_t clobbers)
{
    TCGOpConstraint *ct = &constraints[opc];
    int nb_o = tcg_op_defs[opc].nb_oargs;

    for (int i = 0; i < TCG_REGALLOC_MAX_ARGS; i++) {
        ct->args[i].alias = -1;
    }
    if (nb_o) {
        ct->args[0].regs = o_regs;
        ct->args[0].alias = o_alias;
    }
    for (int i = 0; i < nb_i; i++) {
        ct->args[nb_o + i].regs = i_regs ? i_regs[i] : 0;
        ct->args[nb_o + i].consts = i_consts ? i_consts[i] : 0;
    }
    ct->clobbers = clobbers;
}

static void x86_init_constraints(void)
{
    static const uint8_t c_ri[] = { 0, CT_S32 };
    static const uint8_t c_cmp_mov[] = { 0, CT_S32, 0, 0 };
    static const uint8_t c_shift[] = { 0, CT_ANY };
    static const uint8_t c_count[] = { 0, CT_ANY };
    static const uint8_t c_store[] = { CT_S32, 0 };
    static const uint64_t r_shift[] = { ALLOC_REGS & ~BIT(X86_RCX), BIT(X86_RCX) };
    static const uint64_t r_div[] = { BIT(X86_RAX), ALLOC_REGS & ~(BIT(X86_RAX) | BIT(X86_RDX)) };
    static const TCGOpcode alu[] = {
        INDEX_op_add_i32, INDEX_op_sub_i32, INDEX_op_mul_i32, INDEX_op_and_i32,
        INDEX_op_or_i32, INDEX_op_xor_i32, INDEX_op_andc_i32, INDEX_op_orc_i32,
        INDEX_op_eqv_i32, INDEX_op_nand_i32, INDEX_op_nor_i32,
        INDEX_op_add_i64, INDEX_op_sub_i64, INDEX_op_mul_i64, INDEX_op_and_i64,
        INDEX_op_or_i64, INDEX_op_xor_i64, INDEX_op_andc_i64, INDEX_op_orc_i64,
        INDEX_op_eqv_i64, INDEX_op_nand_i64, INDEX_op_nor_i64,
    };
    static const TCGOpcode shifts[] = {
        INDEX_op_shl_i32, INDEX_op_shr_i32, INDEX_op_sar_i32, INDEX_op_rotl_i32,
        INDEX_op_rotr_i32, INDEX_op_shl_i64, INDEX_op_shr_i64, INDEX_op_sar_i64,
        INDEX_op_rotl_i64, INDEX_op_rotr_i64,
    };
    static const TCGOpcode unary_alias[] = {
        INDEX_op_neg_i32, INDEX_op_not_i32, INDEX_op_neg_i64, INDEX_op_not_i64,
        INDEX_op_extract_i32, INDEX_op_sextract_i32, INDEX_op_extract_i64,
        INDEX_op_sextract_i64, INDEX_op_bswap32_i32, INDEX_op_bswap32_i64,
        INDEX_op_bswap64_i64, INDEX_op_extrh_i64_i32,
    };
    static const TCGOpcode unary[] = {
        INDEX_op_ext8s_i32, INDEX_op_ext8u_i32, INDEX_op_ext16s_i32, INDEX_op_ext16u_i32,
        INDEX_op_ext8s_i64, INDEX_op_ext8u_i64, INDEX_op_ext16s_i64, INDEX_op_ext16u_i64,
        INDEX_op_ext32s_i64, INDEX_op_ext32u_i64, INDEX_op_ext_i32_i64,
        INDEX_op_extu_i32_i64, INDEX_op_extrl_i64_i32, INDEX_op_bswap16_i32,
        INDEX_op_bswap16_i64, INDEX_op_ctpop_i32, INDEX_op_ctpop_i64,
        INDEX_op_ld8u_i32, INDEX_op_ld8s_i32, INDEX_op_ld16u_i32, INDEX_op_ld16s_i32,
        INDEX_op_ld_i32, INDEX_op_ld8u_i64, INDEX_op_ld8s_i64, INDEX_op_ld16u_i64,
        INDEX_op_ld16s_i64, INDEX_op_ld32u_i64, INDEX_op_ld32s_i64, INDEX_op_ld_i64,
        INDEX_op_qemu_ld_i32, INDEX_op_qemu_ld_i64, INDEX_op_lookup_and_goto_ptr,
    };
    static const TCGOpcode stores[] = {
        INDEX_op_st8_i32, INDEX_op_st16_i32, INDEX_op_st_i32, INDEX_op_st8_i64,
        INDEX_op_st16_i64, INDEX_op_st32_i64, INDEX_op_st_i64,
    };
    static const TCGOpcode divs[] = {
        INDEX_op_div_i32, INDEX_op_divu_i32, INDEX_op_div_i64, INDEX_op_divu_i64,
    };
    static const TCGOpcode high[] = {
        INDEX_op_rem_i32, INDEX_op_remu_i32, INDEX_op_rem_i64, INDEX_op_remu_i64,
        INDEX_op_mulsh_i32, INDEX_op_muluh_i32, INDEX_op_mulsh_i64, INDEX_op_muluh_i64,
    };

    for (size_t i = 0; i < ARRAY_SIZE(alu); i++) {
        ct_set(alu[i], 0, 0, NULL, c_ri, 2, 0);
    }
    for (size_t i = 0; i < ARRAY_SIZE(shifts); i++) {
        ct_set(shifts[i], 0, 0, r_shift, c_shift, 2, 0);
    }
    for (size_t i = 0; i < ARRAY_SIZE(unary_alias); i++) {
        ct_set(unary_alias[i], 0, 0, NULL, NULL, 1, 0);
    }
    for (size_t i = 0; i < ARRAY_SIZE(unary); i++) {
        ct_set(unary[i], 0, -1, NULL, NULL, 1, 0);
    }
    for (size_t i = 0; i < ARRAY_SIZE(stores); i++) {
        ct_set(stores[i], 0, -1, NULL, c_store, 2, 0);
    }
    /* rdx:rax = rax op in1: the dividend is copied into %rax, %rax and %rdx die. */
    for (size_t i = 0; i < ARRAY_SIZE(divs); i++) {
        ct_set(divs[i], BIT(X86_RAX), -1, r_div, NULL, 2, BIT(X86_RAX) | BIT(X86_RDX));
    }
    for (size_t i = 0; i < ARRAY_SIZE(high); i++) {
        ct_set(high[i], BIT(X86_RDX), -1, r_div, NULL, 2, BIT(X86_RAX) | BIT(X86_RDX));
    }
    ct_set(INDEX_op_setcond_i32, 0, -1, NULL, c_ri, 2, 0);
    ct_set(INDEX_op_setcond_i64, 0, -1, NULL, c_ri, 2, 0);
    ct_set(INDEX_op_brcond_i32, 0, -1, NULL, c_ri, 2, 0);
    ct_set(INDEX_op_brcond_i64, 0, -1, NULL, c_ri, 2, 0);
    ct_set(INDEX_op_movcond_i32, 0, 3, NULL, c_cmp_mov, 4, 0);
    ct_set(INDEX_op_movcond_i64, 0, 3, NULL, c_cmp_mov, 4, 0);
    ct_set(INDEX_op_deposit_i32, 0, 0, NULL, NULL, 2, 0);
    ct_set(INDEX_op_deposit_i64, 0, 0, NULL, NULL, 2, 0);
    ct_set(INDEX_op_clz_i32, 0, -1, NULL, c_count, 2, 0);
    ct_set(INDEX_op_ctz_i32, 0, -1, NULL, c_count, 2, 0);
    ct_set(INDEX_op_clz_i64, 0, -1, NULL, c_count, 2, 0);
    ct_set(INDEX_op_ctz_i64, 0, -1, NULL, c_count, 2, 0);
    ct_set(INDEX_op_qemu_st_i32, 0, -1, NULL, NULL, 2, 0);
    ct_set(INDEX_op_qemu_st_i64, 0, -1, NULL, NULL, 2, 0);
    constraints[INDEX_op_qemu_ld_i32].sync_globals = true;
    constraints[INDEX_op_qemu_ld_i64].sync_globals = true;
    constraints[INDEX_op_qemu_st_i32].sync_globals = true;
    constraints[INDEX_op_qemu_st_i64].sync_globals = true;
}

/* ---- Code emission helpers ---- */

static X86Mem mem_ofs(X86Gen *g, int base, intptr_t ofs)
{
    if (ofs == (int32_t)ofs) {
        return x86_mem(base, (int32_t)ofs);
    }
    x86_emit_movi(&g->e, REG_TMP0, (uint64_t)ofs);
    return x86_mem_idx(base, REG_TMP0, 0, 0);
}

static void emit_label_ref(X86Gen *g, TCGLabel *l, bool cond, X86Cond cc)
{
    X86Emit *e = &g->e;
    TCGRelocation *r;
    uint8_t *field;

    if (l->has_value) {
        uint8_t *target = tcg_splitwx_to_rw((const void *)l->value);

        if (cond) {
            x86_emit_jcc_to(e, cc, target);
        } else {
            x86_emit_jmp_to(e, target);
        }
        return;
    }
    field = cond ? x86_emit_jcc32(e, cc) : x86_emit_jmp32(e);
    r = tcg_malloc(sizeof(*r));
    r->ptr = field;
    r->type = 0;
    r->addend = 0;
    r->next = l->relocs;
    l->relocs = r;
}

static void emit_label_bind(X86Gen *g, TCGLabel *l)
{
    l->has_value = true;
    l->value = x86_emit_rx_addr(&g->e, g->e.ptr);
    for (TCGRelocation *r = l->relocs; r; r = r->next) {
        x86_emit_patch_rel32(&g->e, r->ptr, g->e.ptr);
    }
    l->relocs = NULL;
}

/* Sets the flags for COND on a and b (a register or an immediate). */
static void emit_compare(X86Gen *g, bool w, TCGCond cond, int a, TCGArg b, bool b_const)
{
    bool tst = cond == TCG_COND_TSTEQ || cond == TCG_COND_TSTNE;

    if (b_const) {
        if (tst) {
            x86_emit_test_ri(&g->e, w, a, (int32_t)b);
        } else if ((int32_t)b == 0 && (cond == TCG_COND_EQ || cond == TCG_COND_NE)) {
            x86_emit_test_rr(&g->e, w, a, a);
        } else {
            x86_emit_alu_ri(&g->e, X86_CMP, w, a, (int32_t)b);
        }
    } else if (tst) {
        x86_emit_test_rr(&g->e, w, a, (int)b);
    } else {
        x86_emit_alu_rr(&g->e, X86_CMP, w, a, (int)b);
    }
}

static void emit_alu(X86Gen *g, X86AluOp op, bool w, int dst, TCGArg b, bool b_const)
{
    if (b_const) {
        x86_emit_alu_ri(&g->e, op, w, dst, (int32_t)b);
    } else {
        x86_emit_alu_rr(&g->e, op, w, dst, (int)b);
    }
}

/* dst = dst op ~b */
static void emit_alu_not(X86Gen *g, X86AluOp op, bool w, int dst, TCGArg b, bool b_const)
{
    if (b_const) {
        x86_emit_alu_ri(&g->e, op, w, dst, ~(int32_t)b);
    } else {
        x86_emit_mov_rr(&g->e, w, REG_TMP0, (int)b);
        x86_emit_unary(&g->e, X86_NOT, w, REG_TMP0);
        x86_emit_alu_rr(&g->e, op, w, dst, REG_TMP0);
    }
}

static void emit_shift(X86Gen *g, X86ShiftOp op, bool w, int dst, TCGArg count, bool c_const)
{
    if (c_const) {
        unsigned n = (unsigned)count & (w ? 63 : 31);

        if (n) {
            x86_emit_shift_ri(&g->e, op, w, dst, n);
        }
    } else {
        x86_emit_shift_cl(&g->e, op, w, dst);
    }
}

static void emit_extract(X86Gen *g, bool w, bool sign, int r, unsigned pos, unsigned len)
{
    X86Emit *e = &g->e;
    unsigned width = w ? 64 : 32;

    if (len == width) {
        return;
    }
    if (pos == 0 && (len == 8 || len == 16 || (len == 32 && w))) {
        static const X86ExtOp ext[2][2][3] = {
            { { X86_EXT8U, X86_EXT16U, X86_EXT32U }, { X86_EXT8U, X86_EXT16U, X86_EXT32U } },
            { { X86_EXT8S32, X86_EXT16S32, X86_EXT32U }, { X86_EXT8S, X86_EXT16S, X86_EXT32S } },
        };

        x86_emit_ext(e, ext[sign][w][len / 16], r, r);
    } else if (pos + len == width) {
        x86_emit_shift_ri(e, sign ? X86_SAR : X86_SHR, w, r, pos);
    } else if (!sign && len <= 31) {
        if (pos) {
            x86_emit_shift_ri(e, X86_SHR, w, r, pos);
        }
        x86_emit_alu_ri(e, X86_AND, false, r, (int32_t)((1u << len) - 1));
    } else {
        x86_emit_shift_ri(e, X86_SHL, w, r, width - pos - len);
        x86_emit_shift_ri(e, sign ? X86_SAR : X86_SHR, w, r, width - len);
    }
}

/* r = r with bits [pos, pos + len) replaced by the low bits of b. */
static void emit_deposit(X86Gen *g, bool w, int r, int b, unsigned pos, unsigned len)
{
    X86Emit *e = &g->e;
    unsigned width = w ? 64 : 32;
    uint64_t mask;

    if (len == width) {
        x86_emit_mov_rr(e, w, r, b);
        return;
    }
    mask = ((1ull << len) - 1) << pos;
    x86_emit_mov_rr(e, w, REG_TMP0, b);
    x86_emit_shift_ri(e, X86_SHL, w, REG_TMP0, width - len);
    if (width - len - pos) {
        x86_emit_shift_ri(e, X86_SHR, w, REG_TMP0, width - len - pos);
    }
    if (!w || (int64_t)~mask == (int32_t)~mask) {
        x86_emit_alu_ri(e, X86_AND, w, r, (int32_t)~mask);
    } else {
        x86_emit_movi(e, REG_TMP1, ~mask);
        x86_emit_alu_rr(e, X86_AND, true, r, REG_TMP1);
    }
    x86_emit_alu_rr(e, X86_OR, w, r, REG_TMP0);
}

/* out = a ? clz(a) / ctz(a) : z */
static void emit_count_zeros(X86Gen *g, bool w, bool leading, int out, int a, TCGArg z,
                             bool z_const)
{
    X86Emit *e = &g->e;
    unsigned width = w ? 64 : 32;
    bool cnt = host_features & (leading ? X86_HOST_LZCNT : X86_HOST_BMI1);
    /* bsr gives the index of the top bit: clz = index ^ (width - 1). */
    bool flip = leading && !cnt;

    if (cnt && z_const && (uint64_t)z == width) {
        x86_emit_bitop(e, leading ? X86_LZCNT : X86_TZCNT, w, out, a);
        return;
    }
    if (z_const) {
        uint64_t v = (uint64_t)z ^ (flip ? width - 1 : 0);

        x86_emit_movi(e, REG_TMP1, w ? v : (uint32_t)v);
    } else {
        x86_emit_mov_rr(e, w, REG_TMP1, (int)z);
        if (flip) {
            x86_emit_alu_ri(e, X86_XOR, w, REG_TMP1, width - 1);
        }
    }
    if (cnt) {
        /* lzcnt/tzcnt set CF when the source is zero. */
        x86_emit_bitop(e, leading ? X86_LZCNT : X86_TZCNT, w, REG_TMP0, a);
        x86_emit_cmov(e, X86_CC_B, w, REG_TMP0, REG_TMP1);
    } else {
        /* bsr/bsf set ZF when the source is zero (the destination is then undefined). */
        x86_emit_bitop(e, leading ? X86_BSR : X86_BSF, w, REG_TMP0, a);
        x86_emit_cmov(e, X86_CC_E, w, REG_TMP0, REG_TMP1);
        if (flip) {
            x86_emit_alu_ri(e, X86_XOR, w, REG_TMP0, width - 1);
        }
    }
    x86_emit_mov_rr(e, w, out, REG_TMP0);
}

static void emit_ctpop(X86Gen *g, bool w, int out, int a)
{
    X86Emit *e = &g->e;
    uint64_t m1 = 0x5555555555555555ull, m2 = 0x3333333333333333ull;
    uint64_t m4 = 0x0f0f0f0f0f0f0f0full, h01 = 0x0101010101010101ull;

    if (host_features & X86_HOST_POPCNT) {
        x86_emit_bitop(e, X86_POPCNT, w, out, a);
        return;
    }
    if (!w) {
        m1 = (uint32_t)m1, m2 = (uint32_t)m2, m4 = (uint32_t)m4, h01 = (uint32_t)h01;
    }
    /* Bit-parallel count in TMP0 with TMP1 and OUT (a was copied first) as scratch. */
    x86_emit_mov_rr(e, w, REG_TMP0, a);
    x86_emit_movi(e, out, m1);
    x86_emit_mov_rr(e, w, REG_TMP1, REG_TMP0);
    x86_emit_shift_ri(e, X86_SHR, w, REG_TMP1, 1);
    x86_emit_alu_rr(e, X86_AND, w, REG_TMP1, out);
    x86_emit_alu_rr(e, X86_SUB, w, REG_TMP0, REG_TMP1);
    x86_emit_movi(e, out, m2);
    x86_emit_mov_rr(e, w, REG_TMP1, REG_TMP0);
    x86_emit_shift_ri(e, X86_SHR, w, REG_TMP1, 2);
    x86_emit_alu_rr(e, X86_AND, w, REG_TMP1, out);
    x86_emit_alu_rr(e, X86_AND, w, REG_TMP0, out);
    x86_emit_alu_rr(e, X86_ADD, w, REG_TMP0, REG_TMP1);
    x86_emit_mov_rr(e, w, REG_TMP1, REG_TMP0);
    x86_emit_shift_ri(e, X86_SHR, w, REG_TMP1, 4);
    x86_emit_alu_rr(e, X86_ADD, w, REG_TMP0, REG_TMP1);
    x86_emit_movi(e, out, m4);
    x86_emit_alu_rr(e, X86_AND, w, REG_TMP0, out);
    x86_emit_movi(e, out, h01);
    x86_emit_imul_rr(e, w, REG_TMP0, out);
    x86_emit_shift_ri(e, X86_SHR, w, REG_TMP0, w ? 56 : 24);
    x86_emit_mov_rr(e, w, out, REG_TMP0);
}

/* ---- Guest memory ---- */

/*
 * The inline TLB lookup for an access to the address in ADDR: leaves the
 * host addend in TMP0 on a hit; returns the field of the jne taken on a miss
 * (a different page, a flag in the tag, a page-crossing access or, with
 * MO_ALIGN, a misaligned one).
 */
static uint8_t *emit_tlb_lookup(X86Gen *g, int addr, MemOp mop, int mmu_idx, size_t cmp_ofs)
{
    X86Emit *e = &g->e;
    unsigned s_mask = (1u << (mop & MO_SIZE)) - 1;
    unsigned a_mask = (mop & MO_ALIGN) ? s_mask : 0;
    int32_t table = (int32_t)TCG_ENV_TLB_OFS(mmu_idx);
    uint8_t *miss;

    x86_emit_mov_rr(e, true, REG_TMP0, addr);
    x86_emit_shift_ri(e, X86_SHR, true, REG_TMP0, TARGET_PAGE_BITS - CPU_TLB_ENTRY_BITS);
    x86_emit_alu_ri(e, X86_AND, false, REG_TMP0, (CPU_TLB_SIZE - 1) << CPU_TLB_ENTRY_BITS);
    if (s_mask - a_mask) {
        x86_emit_lea(e, true, REG_TMP1, x86_mem(addr, (int32_t)(s_mask - a_mask)));
    } else {
        x86_emit_mov_rr(e, true, REG_TMP1, addr);
    }
    x86_emit_alu_ri(e, X86_AND, true, REG_TMP1, (int32_t)(TARGET_PAGE_MASK | a_mask));
    x86_emit_alu_rm(e, X86_CMP, true, REG_TMP1,
                    x86_mem_idx(REG_ENV, REG_TMP0, 0, table + (int32_t)cmp_ofs));
    miss = x86_emit_jcc32(e, X86_CC_NE);
    x86_emit_load(e, X86_LD64, REG_TMP0,
                  x86_mem_idx(REG_ENV, REG_TMP0, 0,
                              table + (int32_t)offsetof(CPUTLBEntry, addend)));
    return miss;
}

static void emit_guest_load(X86Gen *g, bool w, MemOp mop, int data, X86Mem m)
{
    X86Emit *e = &g->e;
    bool sign = mop & MO_SIGN, be = mop & MO_BE;

    switch (mop & MO_SIZE) {
    case MO_8:
        x86_emit_load(e, sign ? (w ? X86_LD8S : X86_LD8S32) : X86_LD8U, data, m);
        break;
    case MO_16:
        if (be) {
            x86_emit_load(e, X86_LD16U, data, m);
            x86_emit_bswap16(e, data);
            if (sign) {
                x86_emit_ext(e, w ? X86_EXT16S : X86_EXT16S32, data, data);
            }
        } else {
            x86_emit_load(e, sign ? (w ? X86_LD16S : X86_LD16S32) : X86_LD16U, data, m);
        }
        break;
    case MO_32:
        if (be) {
            x86_emit_load(e, X86_LD32U, data, m);
            x86_emit_bswap(e, false, data);
            if (sign && w) {
                x86_emit_ext(e, X86_EXT32S, data, data);
            }
        } else {
            x86_emit_load(e, sign && w ? X86_LD32S : X86_LD32U, data, m);
        }
        break;
    default:
        x86_emit_load(e, X86_LD64, data, m);
        if (be) {
            x86_emit_bswap(e, true, data);
        }
        break;
    }
}

static void emit_guest_store(X86Gen *g, MemOp mop, int data, X86Mem m)
{
    X86Emit *e = &g->e;
    unsigned size = mop & MO_SIZE;

    if ((mop & MO_BE) && size != MO_8) {
        x86_emit_mov_rr(e, size == MO_64, REG_TMP1, data);
        if (size == MO_16) {
            x86_emit_bswap16(e, REG_TMP1);
        } else {
            x86_emit_bswap(e, size == MO_64, REG_TMP1);
        }
        data = REG_TMP1;
    }
    x86_emit_store(e, size, data, m);
}

static void emit_qemu_ldst(X86Gen *g, bool is_ld, TCGType type, int data, int addr,
                           MemOpIdx oi)
{
    MemOp mop = get_memop(oi);
    X86SlowPath *sp = tcg_malloc(sizeof(*sp));
    X86Mem host = x86_mem_idx(addr, REG_TMP0, 0, 0);

    sp->jcc_field = emit_tlb_lookup(g, addr, mop, get_mmuidx(oi),
                                    is_ld ? offsetof(CPUTLBEntry, addr_read)
                                          : offsetof(CPUTLBEntry, addr_write));
    if (is_ld) {
        emit_guest_load(g, type == TCG_TYPE_I64, mop, data, host);
    } else {
        emit_guest_store(g, mop, data, host);
    }
    sp->is_ld = is_ld;
    sp->type = type;
    sp->oi = oi;
    sp->addr_reg = addr;
    sp->data_reg = data;
    sp->back = g->e.ptr;
    sp->next = g->slow_paths;
    g->slow_paths = sp;
}

/*
 * The TLB miss path: helper_*_mmu(env, addr, [val,] oi, retaddr) with the
 * address just past the inline access as retaddr (it lies inside the guest
 * instruction's host code, as precise state restore needs), then back.
 */
static void emit_slow_path(X86Gen *g, const X86SlowPath *sp)
{
    static void *const ld_helpers[] = {
        helper_ldub_mmu, helper_lduw_mmu, helper_ldul_mmu, helper_lduq_mmu,
    };
    static void *const st_helpers[] = {
        helper_stb_mmu, helper_stw_mmu, helper_stl_mmu, helper_stq_mmu,
    };
    X86Emit *e = &g->e;
    MemOp mop = get_memop(sp->oi);
    unsigned size = mop & MO_SIZE;
    bool w = sp->type == TCG_TYPE_I64;

    x86_emit_patch_rel32(e, sp->jcc_field, e->ptr);
    if (sp->is_ld) {
        x86_emit_mov_rr(e, true, X86_RSI, sp->addr_reg);
        x86_emit_mov_rr(e, true, X86_RDI, REG_ENV);
        x86_emit_movi(e, X86_RDX, sp->oi);
        x86_emit_lea_rip(e, X86_RCX, sp->back);
        x86_emit_call_abs(e, (uintptr_t)ld_helpers[size], X86_RAX);
        if (!(mop & MO_SIGN) || size == MO_64) {
            x86_emit_mov_rr(e, w, sp->data_reg, X86_RAX);
        } else if (size == MO_32) {
            x86_emit_ext(e, w ? X86_EXT32S : X86_EXT32U, sp->data_reg, X86_RAX);
        } else if (size == MO_16) {
            x86_emit_ext(e, w ? X86_EXT16S : X86_EXT16S32, sp->data_reg, X86_RAX);
        } else {
            x86_emit_ext(e, w ? X86_EXT8S : X86_EXT8S32, sp->data_reg, X86_RAX);
        }
    } else {
        /* The value goes through TMP0 in case it sits in %rsi or %rdi. */
        x86_emit_mov_rr(e, true, REG_TMP0, sp->data_reg);
        x86_emit_mov_rr(e, true, X86_RSI, sp->addr_reg);
        x86_emit_mov_rr(e, true, X86_RDI, REG_ENV);
        x86_emit_mov_rr(e, true, X86_RDX, REG_TMP0);
        x86_emit_movi(e, X86_RCX, sp->oi);
        x86_emit_lea_rip(e, X86_R8, sp->back);
        x86_emit_call_abs(e, (uintptr_t)st_helpers[size], X86_RAX);
    }
    x86_emit_jmp_to(e, sp->back);
}

/* ---- Control flow ---- */

static void emit_exit_tb(X86Gen *g, uintptr_t val)
{
    x86_emit_movi(&g->e, X86_RAX, val);
    x86_emit_jmp_abs(&g->e, epilogue_rx, REG_TMP0);
}

static void emit_goto_tb(X86Gen *g, unsigned n)
{
    X86Emit *e = &g->e;
    unsigned pad = (4 - ((x86_emit_rx_addr(e, e->ptr) + 1) & 3)) & 3;
    uint8_t *field;

    g_assert(n < 2);
    /* jmp rel32 with its displacement 4-byte aligned; initially to the next insn. */
    x86_emit_nops(e, pad);
    field = x86_emit_jmp32(e);
    g->tb->jmp_insn_offset[n] = (uint16_t)(field - e->start);
    g->tb->jmp_reset_offset[n] = (uint16_t)(e->ptr - e->start);
}

/* Jump-cache lookup of the guest pc in PC; on a hit with FLAGS, jump to the TB. */
static void emit_lookup_and_goto_ptr(X86Gen *g, int pc, uint32_t flags)
{
    X86Emit *e = &g->e;
    uint8_t *miss[3];

    /* The index is tb_jmp_cache_hash(pc): (pc >> 1) & (TB_JMP_CACHE_SIZE - 1). */
    x86_emit_mov_rr(e, true, REG_TMP0, pc);
    x86_emit_shift_ri(e, X86_SHR, true, REG_TMP0, 1);
    x86_emit_alu_ri(e, X86_AND, false, REG_TMP0, TB_JMP_CACHE_SIZE - 1);
    x86_emit_load(e, X86_LD64, REG_TMP1, x86_mem(REG_ENV, TCG_ENV_JMP_CACHE_OFS));
    x86_emit_load(e, X86_LD64, REG_TMP0, x86_mem_idx(REG_TMP1, REG_TMP0, 3, 0));
    x86_emit_test_rr(e, true, REG_TMP0, REG_TMP0);
    miss[0] = x86_emit_jcc8(e, X86_CC_E);
    x86_emit_alu_rm(e, X86_CMP, true, pc,
                    x86_mem(REG_TMP0, offsetof(TranslationBlock, pc)));
    miss[1] = x86_emit_jcc8(e, X86_CC_NE);
    x86_emit_alu_mi(e, X86_CMP, false, x86_mem(REG_TMP0, offsetof(TranslationBlock, flags)),
                    (int32_t)flags);
    miss[2] = x86_emit_jcc8(e, X86_CC_NE);
    x86_emit_jmp_m(e, x86_mem(REG_TMP0, offsetof(TranslationBlock, tc.ptr)));
    for (int i = 0; i < 3; i++) {
        x86_emit_patch_rel8(e, miss[i], e->ptr);
    }
    emit_exit_tb(g, 0);
}

/* ---- One op ---- */

static void emit_op(X86Gen *g, const TCGOp *op, const TCGRegArgs *ra)
{
    X86Emit *e = &g->e;
    TCGOpcode opc = op->opc;
    bool w = tcg_op_defs[opc].flags & TCG_OPF_64BIT;
    const TCGArg *a = ra->a;
    const bool *c = ra->is_const;
    int r0 = (int)a[0], r1 = (int)a[1];

    switch (opc) {
    case INDEX_op_add_i32:
    case INDEX_op_add_i64:
        emit_alu(g, X86_ADD, w, r0, a[2], c[2]);
        break;
    case INDEX_op_sub_i32:
    case INDEX_op_sub_i64:
        emit_alu(g, X86_SUB, w, r0, a[2], c[2]);
        break;
    case INDEX_op_and_i32:
    case INDEX_op_and_i64:
        emit_alu(g, X86_AND, w, r0, a[2], c[2]);
        break;
    case INDEX_op_or_i32:
    case INDEX_op_or_i64:
        emit_alu(g, X86_OR, w, r0, a[2], c[2]);
        break;
    case INDEX_op_xor_i32:
    case INDEX_op_xor_i64:
        emit_alu(g, X86_XOR, w, r0, a[2], c[2]);
        break;
    case INDEX_op_andc_i32:
    case INDEX_op_andc_i64:
        emit_alu_not(g, X86_AND, w, r0, a[2], c[2]);
        break;
    case INDEX_op_orc_i32:
    case INDEX_op_orc_i64:
        emit_alu_not(g, X86_OR, w, r0, a[2], c[2]);
        break;
    case INDEX_op_eqv_i32:
    case INDEX_op_eqv_i64:
        emit_alu_not(g, X86_XOR, w, r0, a[2], c[2]);
        break;
    case INDEX_op_nand_i32:
    case INDEX_op_nand_i64:
        emit_alu(g, X86_AND, w, r0, a[2], c[2]);
        x86_emit_unary(e, X86_NOT, w, r0);
        break;
    case INDEX_op_nor_i32:
    case INDEX_op_nor_i64:
        emit_alu(g, X86_OR, w, r0, a[2], c[2]);
        x86_emit_unary(e, X86_NOT, w, r0);
        break;
    case INDEX_op_mul_i32:
    case INDEX_op_mul_i64:
        if (c[2]) {
            x86_emit_imul_rri(e, w, r0, r0, (int32_t)a[2]);
        } else {
            x86_emit_imul_rr(e, w, r0, (int)a[2]);
        }
        break;
    case INDEX_op_neg_i32:
    case INDEX_op_neg_i64:
        x86_emit_unary(e, X86_NEG, w, r0);
        break;
    case INDEX_op_not_i32:
    case INDEX_op_not_i64:
        x86_emit_unary(e, X86_NOT, w, r0);
        break;
    case INDEX_op_shl_i32:
    case INDEX_op_shl_i64:
        emit_shift(g, X86_SHL, w, r0, a[2], c[2]);
        break;
    case INDEX_op_shr_i32:
    case INDEX_op_shr_i64:
        emit_shift(g, X86_SHR, w, r0, a[2], c[2]);
        break;
    case INDEX_op_sar_i32:
    case INDEX_op_sar_i64:
        emit_shift(g, X86_SAR, w, r0, a[2], c[2]);
        break;
    case INDEX_op_rotl_i32:
    case INDEX_op_rotl_i64:
        emit_shift(g, X86_ROL, w, r0, a[2], c[2]);
        break;
    case INDEX_op_rotr_i32:
    case INDEX_op_rotr_i64:
        emit_shift(g, X86_ROR, w, r0, a[2], c[2]);
        break;
    case INDEX_op_div_i32:
    case INDEX_op_div_i64:
    case INDEX_op_rem_i32:
    case INDEX_op_rem_i64:
        x86_emit_sign_extend_ax(e, w);
        x86_emit_unary(e, X86_IDIV, w, (int)a[2]);
        break;
    case INDEX_op_divu_i32:
    case INDEX_op_divu_i64:
    case INDEX_op_remu_i32:
    case INDEX_op_remu_i64:
        x86_emit_alu_rr(e, X86_XOR, false, X86_RDX, X86_RDX);
        x86_emit_unary(e, X86_DIV, w, (int)a[2]);
        break;
    case INDEX_op_mulsh_i32:
    case INDEX_op_mulsh_i64:
        x86_emit_unary(e, X86_IMUL1, w, (int)a[2]);
        break;
    case INDEX_op_muluh_i32:
    case INDEX_op_muluh_i64:
        x86_emit_unary(e, X86_MUL, w, (int)a[2]);
        break;
    case INDEX_op_setcond_i32:
    case INDEX_op_setcond_i64: {
        TCGCond cond = (TCGCond)a[3];

        if (cond == TCG_COND_NEVER || cond == TCG_COND_ALWAYS) {
            x86_emit_movi(e, r0, cond == TCG_COND_ALWAYS);
            break;
        }
        emit_compare(g, w, cond, r1, a[2], c[2]);
        x86_emit_setcc(e, cond_to_x86(cond), r0);
        x86_emit_ext(e, X86_EXT8U, r0, r0);
        break;
    }
    case INDEX_op_movcond_i32:
    case INDEX_op_movcond_i64: {
        TCGCond cond = (TCGCond)a[5];

        if (cond == TCG_COND_ALWAYS) {
            x86_emit_mov_rr(e, w, r0, (int)a[3]);
        } else if (cond != TCG_COND_NEVER) {
            emit_compare(g, w, cond, r1, a[2], c[2]);
            x86_emit_cmov(e, cond_to_x86(cond), w, r0, (int)a[3]);
        }
        break;
    }
    case INDEX_op_brcond_i32:
    case INDEX_op_brcond_i64: {
        TCGCond cond = (TCGCond)a[2];

        if (cond == TCG_COND_ALWAYS) {
            emit_label_ref(g, arg_label(a[3]), false, X86_CC_E);
        } else if (cond != TCG_COND_NEVER) {
            emit_compare(g, w, cond, r0, a[1], c[1]);
            emit_label_ref(g, arg_label(a[3]), true, cond_to_x86(cond));
        }
        break;
    }
    case INDEX_op_br:
        emit_label_ref(g, arg_label(a[0]), false, X86_CC_E);
        break;
    case INDEX_op_ext8s_i32:
        x86_emit_ext(e, X86_EXT8S32, r0, r1);
        break;
    case INDEX_op_ext16s_i32:
        x86_emit_ext(e, X86_EXT16S32, r0, r1);
        break;
    case INDEX_op_ext8s_i64:
        x86_emit_ext(e, X86_EXT8S, r0, r1);
        break;
    case INDEX_op_ext16s_i64:
        x86_emit_ext(e, X86_EXT16S, r0, r1);
        break;
    case INDEX_op_ext8u_i32:
    case INDEX_op_ext8u_i64:
        x86_emit_ext(e, X86_EXT8U, r0, r1);
        break;
    case INDEX_op_ext16u_i32:
    case INDEX_op_ext16u_i64:
        x86_emit_ext(e, X86_EXT16U, r0, r1);
        break;
    case INDEX_op_ext32s_i64:
    case INDEX_op_ext_i32_i64:
        x86_emit_ext(e, X86_EXT32S, r0, r1);
        break;
    case INDEX_op_ext32u_i64:
    case INDEX_op_extu_i32_i64:
    case INDEX_op_extrl_i64_i32:
        x86_emit_ext(e, X86_EXT32U, r0, r1);
        break;
    case INDEX_op_extrh_i64_i32:
        x86_emit_shift_ri(e, X86_SHR, true, r0, 32);
        break;
    case INDEX_op_extract_i32:
    case INDEX_op_extract_i64:
        emit_extract(g, w, false, r0, (unsigned)a[2], (unsigned)a[3]);
        break;
    case INDEX_op_sextract_i32:
    case INDEX_op_sextract_i64:
        emit_extract(g, w, true, r0, (unsigned)a[2], (unsigned)a[3]);
        break;
    case INDEX_op_deposit_i32:
    case INDEX_op_deposit_i64:
        emit_deposit(g, w, r0, (int)a[2], (unsigned)a[3], (unsigned)a[4]);
        break;
    case INDEX_op_clz_i32:
    case INDEX_op_clz_i64:
        emit_count_zeros(g, w, true, r0, r1, a[2], c[2]);
        break;
    case INDEX_op_ctz_i32:
    case INDEX_op_ctz_i64:
        emit_count_zeros(g, w, false, r0, r1, a[2], c[2]);
        break;
    case INDEX_op_ctpop_i32:
    case INDEX_op_ctpop_i64:
        emit_ctpop(g, w, r0, r1);
        break;
    case INDEX_op_bswap16_i32:
    case INDEX_op_bswap16_i64:
        x86_emit_ext(e, X86_EXT16U, r0, r1);
        x86_emit_bswap16(e, r0);
        break;
    case INDEX_op_bswap32_i32:
    case INDEX_op_bswap32_i64:
        x86_emit_bswap(e, false, r0);
        break;
    case INDEX_op_bswap64_i64:
        x86_emit_bswap(e, true, r0);
        break;
    case INDEX_op_ld8u_i32:
    case INDEX_op_ld8u_i64:
        x86_emit_load(e, X86_LD8U, r0, mem_ofs(g, r1, (intptr_t)a[2]));
        break;
    case INDEX_op_ld8s_i32:
        x86_emit_load(e, X86_LD8S32, r0, mem_ofs(g, r1, (intptr_t)a[2]));
        break;
    case INDEX_op_ld8s_i64:
        x86_emit_load(e, X86_LD8S, r0, mem_ofs(g, r1, (intptr_t)a[2]));
        break;
    case INDEX_op_ld16u_i32:
    case INDEX_op_ld16u_i64:
        x86_emit_load(e, X86_LD16U, r0, mem_ofs(g, r1, (intptr_t)a[2]));
        break;
    case INDEX_op_ld16s_i32:
        x86_emit_load(e, X86_LD16S32, r0, mem_ofs(g, r1, (intptr_t)a[2]));
        break;
    case INDEX_op_ld16s_i64:
        x86_emit_load(e, X86_LD16S, r0, mem_ofs(g, r1, (intptr_t)a[2]));
        break;
    case INDEX_op_ld_i32:
    case INDEX_op_ld32u_i64:
        x86_emit_load(e, X86_LD32U, r0, mem_ofs(g, r1, (intptr_t)a[2]));
        break;
    case INDEX_op_ld32s_i64:
        x86_emit_load(e, X86_LD32S, r0, mem_ofs(g, r1, (intptr_t)a[2]));
        break;
    case INDEX_op_ld_i64:
        x86_emit_load(e, X86_LD64, r0, mem_ofs(g, r1, (intptr_t)a[2]));
        break;
    case INDEX_op_st8_i32:
    case INDEX_op_st8_i64:
    case INDEX_op_st16_i32:
    case INDEX_op_st16_i64:
    case INDEX_op_st_i32:
    case INDEX_op_st32_i64:
    case INDEX_op_st_i64: {
        unsigned size = opc == INDEX_op_st8_i32 || opc == INDEX_op_st8_i64 ? 0
                        : opc == INDEX_op_st16_i32 || opc == INDEX_op_st16_i64 ? 1
                        : opc == INDEX_op_st_i64 ? 3 : 2;
        X86Mem m = mem_ofs(g, r1, (intptr_t)a[2]);

        if (c[0]) {
            x86_emit_store_imm(e, size, m, (int32_t)a[0]);
        } else {
            x86_emit_store(e, size, r0, m);
        }
        break;
    }
    case INDEX_op_qemu_ld_i32:
    case INDEX_op_qemu_ld_i64:
        emit_qemu_ldst(g, true, w ? TCG_TYPE_I64 : TCG_TYPE_I32, r0, r1, (MemOpIdx)a[2]);
        break;
    case INDEX_op_qemu_st_i32:
    case INDEX_op_qemu_st_i64:
        emit_qemu_ldst(g, false, w ? TCG_TYPE_I64 : TCG_TYPE_I32, r0, r1, (MemOpIdx)a[2]);
        break;
    case INDEX_op_mb:
        /* x86 only reorders a store with a later load. */
        if (a[0] & TCG_MO_ST_LD) {
            x86_emit_mfence(e);
        }
        break;
    case INDEX_op_exit_tb:
        emit_exit_tb(g, (uintptr_t)a[0]);
        break;
    case INDEX_op_goto_tb:
        emit_goto_tb(g, (unsigned)a[0]);
        break;
    case INDEX_op_lookup_and_goto_ptr:
        emit_lookup_and_goto_ptr(g, r0, (uint32_t)a[1]);
        break;
    default:
        g_error("tcg x86_64: no code for op %s", tcg_op_defs[opc].name);
    }
}

/* ---- Back-end interface ---- */

static void x86_log_code(const TranslationBlock *tb)
{
    cs_insn *insn;
    size_t n;
    FILE *f = log_file();

    fprintf(f, "OUT: [size=%u]\n", tb->tc.size);
    if (!capstone_ok) {
        return;
    }
    n = cs_disasm(capstone, tcg_splitwx_to_rw(tb->tc.ptr), tb->tc.size,
                  (uintptr_t)tb->tc.ptr, 0, &insn);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "0x%016" PRIx64 ":  %-8s %s\n", insn[i].address, insn[i].mnemonic,
                insn[i].op_str);
    }
    if (n) {
        cs_free(insn, n);
    }
    fputc('\n', f);
    log_flush();
}

static bool x86_past_highwater(X86Gen *g)
{
    return x86_emit_rx_addr(&g->e, g->e.ptr) > (uintptr_t)g->s->code_gen_highwater;
}

static int x86_gen_code(TCGContext *s, TranslationBlock *tb)
{
    X86Gen g = { .s = s, .tb = tb };
    TCGRegAlloc ra;
    TCGRegArgs args;
    int insn = 0;
    TCGOp *op;

    x86_emit_init(&g.e, tcg_splitwx_to_rw(s->code_gen_ptr), (uintptr_t)s->code_gen_ptr);
    for (int n = 0; n < 2; n++) {
        tb->jmp_insn_offset[n] = TB_JMP_OFFSET_INVALID;
        tb->jmp_reset_offset[n] = TB_JMP_OFFSET_INVALID;
    }
    tcg_regalloc_begin(&ra, s, &ra_info, &g);

    tcg_for_each_op(s, op) {
        const TCGOpDef *def = &tcg_op_defs[op->opc];

        switch (op->opc) {
        case INDEX_op_insn_start:
            g_assert(insn < s->insn_count);
            s->gen_insn_off[insn++] = (uint32_t)(g.e.ptr - g.e.start);
            break;
        case INDEX_op_set_label:
            tcg_regalloc_bb_end(&ra, false);
            tcg_regalloc_label(&ra);
            emit_label_bind(&g, arg_label(op->args[0]));
            break;
        case INDEX_op_discard:
            tcg_regalloc_discard(&ra, op);
            break;
        case INDEX_op_mov_i32:
        case INDEX_op_mov_i64:
            tcg_regalloc_mov(&ra, op);
            break;
        case INDEX_op_movi_i32:
        case INDEX_op_movi_i64:
            tcg_regalloc_movi(&ra, op);
            break;
        case INDEX_op_call:
            tcg_regalloc_call_begin(&ra, op, call_arg_regs);
            x86_emit_call_abs(&g.e, (uintptr_t)tcg_call_func(op), X86_RAX);
            tcg_regalloc_call_end(&ra, op, X86_RAX);
            break;
        default:
            tcg_regalloc_op_begin(&ra, op, &constraints[op->opc], &args);
            if (def->flags & TCG_OPF_BB_END) {
                tcg_regalloc_bb_end(&ra, def->flags & TCG_OPF_BB_EXIT);
            }
            emit_op(&g, op, &args);
            tcg_regalloc_op_end(&ra, op);
            break;
        }
        if (x86_past_highwater(&g)) {
            return -1;
        }
    }
    for (X86SlowPath *sp = g.slow_paths; sp; sp = sp->next) {
        emit_slow_path(&g, sp);
        if (x86_past_highwater(&g)) {
            return -1;
        }
    }

    tb->tc.ptr = s->code_gen_ptr;
    tb->tc.size = (uint32_t)(g.e.ptr - g.e.start);
    tcg_flush_icache_range(tb->tc.ptr, tb->tc.size);
    if (log_enabled(LOG_OUT_ASM)) {
        x86_log_code(tb);
    }
    return (int)tb->tc.size;
}

/*
 * Prologue: tb_exec(env, code) saves the callee-saved registers, reserves
 * the spill frame, puts env in %r14 and jumps to code. Epilogue (the target
 * of every exit_tb): frees the frame, restores the registers and returns
 * %rax.
 */
static void x86_init(TCGContext *s)
{
    static const int8_t saved[] = { X86_RBP, X86_RBX, X86_R12, X86_R13, X86_R14, X86_R15 };
    X86Emit e;
    size_t len;

    host_features = x86_backend_detect_features();
    x86_init_constraints();
    capstone_ok = cs_open(CS_ARCH_X86, CS_MODE_64, &capstone) == CS_ERR_OK;

    x86_emit_init(&e, tcg_splitwx_to_rw(s->code_gen_ptr), (uintptr_t)s->code_gen_ptr);
    prologue_rx = (uintptr_t)s->code_gen_ptr;
    for (size_t i = 0; i < ARRAY_SIZE(saved); i++) {
        x86_emit_push(&e, saved[i]);
    }
    x86_emit_alu_ri(&e, X86_SUB, true, X86_RSP, FRAME_SIZE);
    x86_emit_mov_rr(&e, true, REG_ENV, X86_RDI);
    x86_emit_jmp_r(&e, X86_RSI);

    epilogue_rx = x86_emit_rx_addr(&e, e.ptr);
    x86_emit_alu_ri(&e, X86_ADD, true, X86_RSP, FRAME_SIZE);
    for (size_t i = ARRAY_SIZE(saved); i-- > 0;) {
        x86_emit_pop(&e, saved[i]);
    }
    x86_emit_ret(&e);

    len = ROUND_UP((size_t)(e.ptr - e.start), 16);
    tcg_flush_icache_range(s->code_gen_ptr, len);
    s->code_gen_ptr = (char *)s->code_gen_ptr + len;
    s->code_gen_start = s->code_gen_ptr;
    s->frame_reg = X86_RSP;
    s->frame_start = 0;
    s->frame_end = FRAME_SLOTS_SIZE;
    s->temps[0].reg = REG_ENV;
}

static uintptr_t x86_tb_exec(void *env, const void *code)
{
    uintptr_t (*prologue)(void *env, const void *code);

    prologue = (uintptr_t (*)(void *, const void *))prologue_rx;
    return prologue(env, code);
}

static void x86_tb_set_jmp_target(TranslationBlock *tb, int n, const TranslationBlock *dest)
{
    uintptr_t base = (uintptr_t)tb->tc.ptr;
    uintptr_t field = base + tb->jmp_insn_offset[n];
    uintptr_t target = dest ? (uintptr_t)dest->tc.ptr : base + tb->jmp_reset_offset[n];
    int32_t disp = (int32_t)(target - (field + 4));
    uint32_t *rw = tcg_splitwx_to_rw((const void *)field);

    g_assert(tb->jmp_insn_offset[n] != TB_JMP_OFFSET_INVALID && (field & 3) == 0);
    __atomic_store_n(rw, (uint32_t)disp, __ATOMIC_RELAXED);
    tcg_flush_icache_range((const void *)field, 4);
}

const TCGBackend tcg_backend_x86_64 = {
    .name = "x86_64",
    .init = x86_init,
    .gen_code = x86_gen_code,
    .tb_exec = x86_tb_exec,
    .tb_set_jmp_target = x86_tb_set_jmp_target,
};

static void x86_backend_register(void)
{
    tcg_backend_register(&tcg_backend_x86_64);
}

tcg_backend_init(x86_backend_register)
