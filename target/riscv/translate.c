/*
 * The riscv64 front end: translates guest instructions into TCG IR, one
 * decoded RISCVInsn at a time (decode.c), ending a block at any control
 * transfer, a CSR access, fence.i, the privileged instructions (mret, sret,
 * wfi, sfence.vma), a page boundary or the instruction limit; an instruction
 * that crosses a page starts a block of its own, so its fetch fault is precise.
 * Loads and stores use the data mmu index of the TB flags (mstatus.MPRV/SUM).
 * Guest registers are TCG globals (x0 reads as the constant zero, writes to it
 * go to a scratch temp). Direct branches use goto_tb slots, indirect ones the
 * inline jump-cache lookup. Division by zero and signed overflow are resolved
 * with movcond so IR division never sees them. Loads and stores use qemu_ld/st
 * without MO_ALIGN: misaligned ordinary accesses complete in the slow path (no
 * trap), while LR is MO_ALIGN and SC/AMOs check alignment in their helpers.
 * Helpers that can raise an exception get the pc synced first, so they leave
 * with cpu_loop_exit and need no host return address.
 */
#include "util/osdep.h"

#include "exec/exec-all.h"
#include "tcg/tcg-op.h"
#include "target/riscv/cpu.h"
#include "target/riscv/decode.h"
#include "target/riscv/fpu.h"
#include "util/log.h"

static TCGv_i64 cpu_gpr[32];
static TCGv_i64 cpu_fpr[32];
static TCGv_i64 cpu_pc;
static TCGv_i64 cpu_load_res;
static TCGv_i64 cpu_load_val;

typedef enum DisasJumpType {
    DISAS_NEXT,         /* keep translating */
    DISAS_TOO_MANY,     /* stop here, continue at pc_next through goto_tb */
    DISAS_EXIT,         /* stop here, return to the cpu loop at pc_next (state changed) */
    DISAS_NORETURN,     /* the block already ended (jump or exception) */
} DisasJumpType;

typedef struct DisasContext {
    TranslationBlock *tb;
    uint64_t pc;            /* the instruction being translated */
    uint64_t pc_next;       /* the one after it */
    int mem_idx;            /* mmu index of loads and stores */
    int priv;               /* privilege level */
    unsigned fs;            /* mstatus.FS as known in this block */
    DisasJumpType is_jmp;
    RISCVInsn insn;
} DisasContext;

static const char *const gpr_names[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3",
    "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11",
    "t3", "t4", "t5", "t6",
};

static const char *const fpr_names[32] = {
    "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1",
    "fa2", "fa3", "fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7",
    "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
};

void riscv_tcg_init(void)
{
    for (int i = 1; i < 32; i++) {
        cpu_gpr[i] = tcg_global_mem_new_i64(offsetof(CPURISCVState, gpr[i]), gpr_names[i]);
    }
    for (int i = 0; i < 32; i++) {
        cpu_fpr[i] = tcg_global_mem_new_i64(offsetof(CPURISCVState, fpr[i]), fpr_names[i]);
    }
    cpu_pc = tcg_global_mem_new_i64(offsetof(CPURISCVState, pc), "pc");
    cpu_load_res = tcg_global_mem_new_i64(offsetof(CPURISCVState, load_res), "load_res");
    cpu_load_val = tcg_global_mem_new_i64(offsetof(CPURISCVState, load_val), "load_val");
}

/* ---- Operand helpers ---- */

static TCGv_i64 get_gpr(int r)
{
    return r ? cpu_gpr[r] : tcg_constant_i64(0);
}

/* Where to compute a result for rd: the global, or a scratch temp for x0. */
static TCGv_i64 dest_gpr(int r)
{
    return r ? cpu_gpr[r] : tcg_temp_new_i64();
}

static TCGv_ptr env_ptr(void)
{
    return tcg_env;
}

static void gen_sync_pc(DisasContext *ctx)
{
    tcg_gen_movi_i64(cpu_pc, (int64_t)ctx->pc);
}

static void gen_exception(DisasContext *ctx, int cause, uint64_t tval)
{
    gen_sync_pc(ctx);
    tcg_gen_call(helper_raise_exception, 0, NULL, tcg_temp(env_ptr()),
                 tcg_temp(tcg_constant_i64(cause)), tcg_temp(tcg_constant_i64((int64_t)tval)));
    ctx->is_jmp = DISAS_NORETURN;
}

static void gen_illegal(DisasContext *ctx)
{
    gen_exception(ctx, RISCV_EXCP_ILLEGAL_INST, ctx->insn.raw);
}

static void gen_goto_tb(DisasContext *ctx, unsigned n, uint64_t dest)
{
    if (translator_use_goto_tb(ctx->tb, dest)) {
        tcg_gen_goto_tb(n);
        tcg_gen_movi_i64(cpu_pc, (int64_t)dest);
        tcg_gen_exit_tb(ctx->tb, n);
    } else {
        tcg_gen_movi_i64(cpu_pc, (int64_t)dest);
        tcg_gen_lookup_and_goto_ptr(cpu_pc);
    }
}

/* ---- Integer ---- */

typedef void GenRRR(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b);

static void gen_rrr(DisasContext *ctx, GenRRR *fn, bool w)
{
    const RISCVInsn *in = &ctx->insn;
    TCGv_i64 d = dest_gpr(in->rd);

    fn(d, get_gpr(in->rs1), get_gpr(in->rs2));
    if (w) {
        tcg_gen_ext32s_i64(d, d);
    }
}

static void gen_rri(DisasContext *ctx, GenRRR *fn, bool w)
{
    const RISCVInsn *in = &ctx->insn;
    TCGv_i64 d = dest_gpr(in->rd);

    fn(d, get_gpr(in->rs1), tcg_constant_i64(in->imm));
    if (w) {
        tcg_gen_ext32s_i64(d, d);
    }
}

static void gen_slt(TCGv_i64 r, TCGv_i64 a, TCGv_i64 b)
{
    tcg_gen_setcond_i64(TCG_COND_LT, r, a, b);
}

static void gen_sltu(TCGv_i64 r, TCGv_i64 a, TCGv_i64 b)
{
    tcg_gen_setcond_i64(TCG_COND_LTU, r, a, b);
}

static void gen_mulhsu(TCGv_i64 r, TCGv_i64 a, TCGv_i64 b)
{
    TCGv_i64 t = tcg_temp_new_i64();
    TCGv_i64 h = tcg_temp_new_i64();

    /* high(signed a * unsigned b) = high(unsigned a * b) - (a < 0 ? b : 0) */
    tcg_gen_muluh_i64(h, a, b);
    tcg_gen_sari_i64(t, a, 63);
    tcg_gen_and_i64(t, t, b);
    tcg_gen_sub_i64(r, h, t);
}

/* A divisor that is 1 where b == 0 or (signed) a == INT64_MIN && b == -1. */
static TCGv_i64 gen_safe_divisor(TCGv_i64 a, TCGv_i64 b, bool is_signed)
{
    TCGv_i64 bad = tcg_temp_new_i64();
    TCGv_i64 safe = tcg_temp_new_i64();

    tcg_gen_setcondi_i64(TCG_COND_EQ, bad, b, 0);
    if (is_signed) {
        TCGv_i64 t1 = tcg_temp_new_i64();
        TCGv_i64 t2 = tcg_temp_new_i64();

        tcg_gen_setcondi_i64(TCG_COND_EQ, t1, a, INT64_MIN);
        tcg_gen_setcondi_i64(TCG_COND_EQ, t2, b, -1);
        tcg_gen_and_i64(t1, t1, t2);
        tcg_gen_or_i64(bad, bad, t1);
    }
    tcg_gen_movcond_i64(TCG_COND_NE, safe, bad, tcg_constant_i64(0), tcg_constant_i64(1), b);
    return safe;
}

/* Quotient: all ones when b == 0; the overflow case divides by 1 and yields a. */
static void gen_div_common(TCGv_i64 r, TCGv_i64 a, TCGv_i64 b, bool is_signed)
{
    TCGv_i64 safe = gen_safe_divisor(a, b, is_signed);
    TCGv_i64 q = tcg_temp_new_i64();

    if (is_signed) {
        tcg_gen_div_i64(q, a, safe);
    } else {
        tcg_gen_divu_i64(q, a, safe);
    }
    tcg_gen_movcond_i64(TCG_COND_EQ, r, b, tcg_constant_i64(0), tcg_constant_i64(-1), q);
}

/* Remainder: the dividend when b == 0; the overflow case gives 0 (a % 1). */
static void gen_rem_common(TCGv_i64 r, TCGv_i64 a, TCGv_i64 b, bool is_signed)
{
    TCGv_i64 safe = gen_safe_divisor(a, b, is_signed);
    TCGv_i64 m = tcg_temp_new_i64();

    if (is_signed) {
        tcg_gen_rem_i64(m, a, safe);
    } else {
        tcg_gen_remu_i64(m, a, safe);
    }
    tcg_gen_movcond_i64(TCG_COND_EQ, r, b, tcg_constant_i64(0), a, m);
}

static void gen_div(TCGv_i64 r, TCGv_i64 a, TCGv_i64 b)
{
    gen_div_common(r, a, b, true);
}

static void gen_divu(TCGv_i64 r, TCGv_i64 a, TCGv_i64 b)
{
    gen_div_common(r, a, b, false);
}

static void gen_rem(TCGv_i64 r, TCGv_i64 a, TCGv_i64 b)
{
    gen_rem_common(r, a, b, true);
}

static void gen_remu(TCGv_i64 r, TCGv_i64 a, TCGv_i64 b)
{
    gen_rem_common(r, a, b, false);
}

/* W division: operands extended to 64 bits (the 32-bit overflow cannot overflow there). */
static void gen_divrem_w(DisasContext *ctx, GenRRR *fn, bool is_signed)
{
    const RISCVInsn *in = &ctx->insn;
    TCGv_i64 a = tcg_temp_new_i64();
    TCGv_i64 b = tcg_temp_new_i64();
    TCGv_i64 d = dest_gpr(in->rd);

    if (is_signed) {
        tcg_gen_ext32s_i64(a, get_gpr(in->rs1));
        tcg_gen_ext32s_i64(b, get_gpr(in->rs2));
    } else {
        tcg_gen_ext32u_i64(a, get_gpr(in->rs1));
        tcg_gen_ext32u_i64(b, get_gpr(in->rs2));
    }
    fn(d, a, b);
    tcg_gen_ext32s_i64(d, d);
}

/* sllw/srlw/sraw and their immediate forms: SH is the 5-bit amount (temp) */
static void gen_shift_w(DisasContext *ctx, int kind, TCGv_i64 amount)
{
    const RISCVInsn *in = &ctx->insn;
    TCGv_i64 d = dest_gpr(in->rd);
    TCGv_i64 sh = tcg_temp_new_i64();
    TCGv_i64 src = tcg_temp_new_i64();

    tcg_gen_andi_i64(sh, amount, 31);
    switch (kind) {
    case 0:
        tcg_gen_shl_i64(d, get_gpr(in->rs1), sh);
        break;
    case 1:
        tcg_gen_ext32u_i64(src, get_gpr(in->rs1));
        tcg_gen_shr_i64(d, src, sh);
        break;
    default:
        tcg_gen_ext32s_i64(src, get_gpr(in->rs1));
        tcg_gen_sar_i64(d, src, sh);
        break;
    }
    tcg_gen_ext32s_i64(d, d);
}

static void gen_rot_w(DisasContext *ctx, bool left, TCGv_i64 amount)
{
    const RISCVInsn *in = &ctx->insn;
    TCGv_i32 a = tcg_temp_new_i32();
    TCGv_i32 n = tcg_temp_new_i32();

    tcg_gen_extrl_i64_i32(a, get_gpr(in->rs1));
    tcg_gen_extrl_i64_i32(n, amount);
    if (left) {
        tcg_gen_rotl_i32(a, a, n);
    } else {
        tcg_gen_rotr_i32(a, a, n);
    }
    tcg_gen_ext_i32_i64(dest_gpr(in->rd), a);
}

/* Zba: rd = (rs1 [zero-extended] << sh) + rs2 */
static void gen_shadd(DisasContext *ctx, unsigned sh, bool uw)
{
    const RISCVInsn *in = &ctx->insn;
    TCGv_i64 t = tcg_temp_new_i64();

    if (uw) {
        tcg_gen_ext32u_i64(t, get_gpr(in->rs1));
        tcg_gen_shli_i64(t, t, sh);
    } else {
        tcg_gen_shli_i64(t, get_gpr(in->rs1), sh);
    }
    tcg_gen_add_i64(dest_gpr(in->rd), t, get_gpr(in->rs2));
}

static void gen_minmax(DisasContext *ctx, TCGCond cond)
{
    const RISCVInsn *in = &ctx->insn;
    TCGv_i64 a = get_gpr(in->rs1), b = get_gpr(in->rs2);

    tcg_gen_movcond_i64(cond, dest_gpr(in->rd), a, b, a, b);
}

static void gen_orc_b(TCGv_i64 d, TCGv_i64 s)
{
    /* Each byte becomes 0xff if non-zero: ((s | s>>1 | ... ) & 0x01..) * 0xff */
    TCGv_i64 t = tcg_temp_new_i64();
    TCGv_i64 u = tcg_temp_new_i64();

    tcg_gen_shri_i64(t, s, 4);
    tcg_gen_or_i64(t, t, s);
    tcg_gen_shri_i64(u, t, 2);
    tcg_gen_or_i64(t, t, u);
    tcg_gen_shri_i64(u, t, 1);
    tcg_gen_or_i64(t, t, u);
    tcg_gen_andi_i64(t, t, 0x0101010101010101LL);
    tcg_gen_muli_i64(d, t, 0xff);
}

/* Zbs: a one-bit mask at rs2 (or the immediate) mod 64 */
static TCGv_i64 gen_bit_mask(DisasContext *ctx, bool imm)
{
    const RISCVInsn *in = &ctx->insn;
    TCGv_i64 m = tcg_temp_new_i64();

    if (imm) {
        tcg_gen_movi_i64(m, (int64_t)(1ULL << (in->imm & 63)));
    } else {
        TCGv_i64 sh = tcg_temp_new_i64();

        tcg_gen_andi_i64(sh, get_gpr(in->rs2), 63);
        tcg_gen_shl_i64(m, tcg_constant_i64(1), sh);
    }
    return m;
}

static void gen_branch(DisasContext *ctx, TCGCond cond)
{
    const RISCVInsn *in = &ctx->insn;
    TCGLabel *taken = gen_new_label();

    tcg_gen_brcond_i64(cond, get_gpr(in->rs1), get_gpr(in->rs2), taken);
    gen_goto_tb(ctx, 1, ctx->pc_next);
    tcg_gen_set_label(taken);
    gen_goto_tb(ctx, 0, ctx->pc + (uint64_t)in->imm);
    ctx->is_jmp = DISAS_NORETURN;
}

static TCGv_i64 gen_address(DisasContext *ctx)
{
    TCGv_i64 addr = tcg_temp_new_i64();

    tcg_gen_addi_i64(addr, get_gpr(ctx->insn.rs1), ctx->insn.imm);
    return addr;
}

static void gen_load(DisasContext *ctx, MemOp mop)
{
    TCGv_i64 addr = gen_address(ctx);

    tcg_gen_qemu_ld_i64(dest_gpr(ctx->insn.rd), addr, ctx->mem_idx, mop);
}

static void gen_store(DisasContext *ctx, MemOp mop)
{
    TCGv_i64 addr = gen_address(ctx);

    tcg_gen_qemu_st_i64(get_gpr(ctx->insn.rs2), addr, ctx->mem_idx, mop);
}

/* ---- A ---- */

static void gen_lr(DisasContext *ctx, MemOp mop)
{
    const RISCVInsn *in = &ctx->insn;
    TCGv_i64 addr = tcg_temp_new_i64();

    tcg_gen_mov_i64(addr, get_gpr(in->rs1));
    if (in->rm & 1) {
        tcg_gen_mb(TCG_MO_ALL | TCG_BAR_SC);
    }
    tcg_gen_qemu_ld_i64(cpu_load_val, addr, ctx->mem_idx, mop | MO_ALIGN);
    tcg_gen_mov_i64(cpu_load_res, addr);
    if (in->rm & 2) {
        tcg_gen_mb(TCG_MO_ALL | TCG_BAR_SC);
    }
    if (in->rd) {
        tcg_gen_mov_i64(cpu_gpr[in->rd], cpu_load_val);
    }
}

static void gen_sc(DisasContext *ctx, unsigned size)
{
    const RISCVInsn *in = &ctx->insn;

    gen_sync_pc(ctx);
    tcg_gen_call(helper_sc, 0, tcg_temp(dest_gpr(in->rd)), tcg_temp(env_ptr()),
                 tcg_temp(get_gpr(in->rs1)), tcg_temp(get_gpr(in->rs2)),
                 tcg_temp(tcg_constant_i64(size)));
}

static void gen_amo(DisasContext *ctx, int op, unsigned size)
{
    const RISCVInsn *in = &ctx->insn;

    gen_sync_pc(ctx);
    tcg_gen_call(helper_amo, 0, tcg_temp(dest_gpr(in->rd)), tcg_temp(env_ptr()),
                 tcg_temp(get_gpr(in->rs1)), tcg_temp(get_gpr(in->rs2)),
                 tcg_temp(tcg_constant_i64(op | size << 8)));
}

/* ---- System ---- */

static void gen_csr(DisasContext *ctx)
{
    const RISCVInsn *in = &ctx->insn;
    bool imm = in->op >= RV_OP_CSRRWI;
    RISCVOp kind = imm ? in->op - (RV_OP_CSRRWI - RV_OP_CSRRW) : in->op;
    TCGv_i64 src = imm ? tcg_constant_i64(in->rs1) : get_gpr(in->rs1);
    TCGv_i64 write = tcg_constant_i64(kind == RV_OP_CSRRW || in->rs1 != 0);
    TCGv_i64 mask, value;

    switch (kind) {
    case RV_OP_CSRRW:
        mask = tcg_constant_i64(-1);
        value = src;
        break;
    case RV_OP_CSRRS:
        mask = src;
        value = tcg_constant_i64(-1);
        break;
    default:
        mask = src;
        value = tcg_constant_i64(0);
        break;
    }
    gen_sync_pc(ctx);
    tcg_gen_call(helper_csr_op, 0, tcg_temp(dest_gpr(in->rd)), tcg_temp(env_ptr()),
                 tcg_temp(tcg_constant_i64(in->raw)), tcg_temp(write), tcg_temp(mask),
                 tcg_temp(value));
    /* The write may change the TB flags (mstatus.FS) or interrupt enables. */
    ctx->is_jmp = DISAS_EXIT;
}

/* ---- F and D ---- */

static bool fp_enabled(DisasContext *ctx)
{
    return ctx->fs != 0;
}

/* The first FP state write of the block sets mstatus.FS (and SD) to Dirty. */
static void gen_mark_fs_dirty(DisasContext *ctx)
{
    TCGv_i64 t;

    if (ctx->fs == 3) {
        return;
    }
    t = tcg_temp_new_i64();
    tcg_gen_ld_i64(t, env_ptr(), offsetof(CPURISCVState, mstatus));
    tcg_gen_ori_i64(t, t, (int64_t)(MSTATUS_FS_DIRTY | MSTATUS_SD));
    tcg_gen_st_i64(t, env_ptr(), offsetof(CPURISCVState, mstatus));
    ctx->fs = 3;
}

/* The other F/D operations are done by helper_fp, selected by the decoded op. */
static void gen_fp_helper(DisasContext *ctx)
{
    const RISCVInsn *in = &ctx->insn;
    uint64_t desc = (uint64_t)in->op | (uint64_t)in->rm << 16 | (uint64_t)in->raw << 32;
    TCGv_i64 dest = riscv_fp_writes_gpr(in->op) ? dest_gpr(in->rd) : cpu_fpr[in->rd];
    TCGv_i64 src1 = riscv_fp_reads_gpr(in->op) ? get_gpr(in->rs1) : cpu_fpr[in->rs1];

    gen_sync_pc(ctx);
    gen_mark_fs_dirty(ctx);
    tcg_gen_call(helper_fp, 0, tcg_temp(dest), tcg_temp(env_ptr()),
                 tcg_temp(tcg_constant_i64((int64_t)desc)), tcg_temp(src1),
                 tcg_temp(cpu_fpr[in->rs2]), tcg_temp(cpu_fpr[in->rs3]));
}

static void gen_fp(DisasContext *ctx)
{
    const RISCVInsn *in = &ctx->insn;
    RISCVOp op = in->op;

    if (!fp_enabled(ctx)) {
        gen_illegal(ctx);
        return;
    }
    switch (op) {
    case RV_OP_FLW:
    case RV_OP_FLD: {
        TCGv_i64 addr = gen_address(ctx);

        tcg_gen_qemu_ld_i64(cpu_fpr[in->rd], addr, ctx->mem_idx, op == RV_OP_FLW ? MO_UL : MO_UQ);
        if (op == RV_OP_FLW) {
            tcg_gen_ori_i64(cpu_fpr[in->rd], cpu_fpr[in->rd], (int64_t)0xffffffff00000000ULL);
        }
        gen_mark_fs_dirty(ctx);
        return;
    }
    case RV_OP_FSW:
    case RV_OP_FSD: {
        TCGv_i64 addr = gen_address(ctx);

        tcg_gen_qemu_st_i64(cpu_fpr[in->rs2], addr, ctx->mem_idx, op == RV_OP_FSW ? MO_UL : MO_UQ);
        return;
    }
    case RV_OP_FMV_X_W:
        tcg_gen_ext32s_i64(dest_gpr(in->rd), cpu_fpr[in->rs1]);
        return;
    case RV_OP_FMV_X_D:
        tcg_gen_mov_i64(dest_gpr(in->rd), cpu_fpr[in->rs1]);
        return;
    case RV_OP_FMV_W_X:
        tcg_gen_ori_i64(cpu_fpr[in->rd], get_gpr(in->rs1), (int64_t)0xffffffff00000000ULL);
        gen_mark_fs_dirty(ctx);
        return;
    case RV_OP_FMV_D_X:
        tcg_gen_mov_i64(cpu_fpr[in->rd], get_gpr(in->rs1));
        gen_mark_fs_dirty(ctx);
        return;
    default:
        gen_fp_helper(ctx);
        return;
    }
}

/* ---- The instruction switch ---- */

static void translate_insn(DisasContext *ctx)
{
    const RISCVInsn *in = &ctx->insn;

    switch (in->op) {
    case RV_OP_ILLEGAL:
        gen_illegal(ctx);
        break;
    case RV_OP_LUI:
        tcg_gen_movi_i64(dest_gpr(in->rd), in->imm);
        break;
    case RV_OP_AUIPC:
        tcg_gen_movi_i64(dest_gpr(in->rd), (int64_t)(ctx->pc + (uint64_t)in->imm));
        break;
    case RV_OP_JAL:
        tcg_gen_movi_i64(dest_gpr(in->rd), (int64_t)ctx->pc_next);
        gen_goto_tb(ctx, 0, ctx->pc + (uint64_t)in->imm);
        ctx->is_jmp = DISAS_NORETURN;
        break;
    case RV_OP_JALR: {
        TCGv_i64 target = tcg_temp_new_i64();

        tcg_gen_addi_i64(target, get_gpr(in->rs1), in->imm);
        tcg_gen_andi_i64(target, target, -2);
        tcg_gen_movi_i64(dest_gpr(in->rd), (int64_t)ctx->pc_next);
        tcg_gen_mov_i64(cpu_pc, target);
        tcg_gen_lookup_and_goto_ptr(cpu_pc);
        ctx->is_jmp = DISAS_NORETURN;
        break;
    }
    case RV_OP_BEQ: gen_branch(ctx, TCG_COND_EQ); break;
    case RV_OP_BNE: gen_branch(ctx, TCG_COND_NE); break;
    case RV_OP_BLT: gen_branch(ctx, TCG_COND_LT); break;
    case RV_OP_BGE: gen_branch(ctx, TCG_COND_GE); break;
    case RV_OP_BLTU: gen_branch(ctx, TCG_COND_LTU); break;
    case RV_OP_BGEU: gen_branch(ctx, TCG_COND_GEU); break;
    case RV_OP_LB: gen_load(ctx, MO_SB); break;
    case RV_OP_LH: gen_load(ctx, MO_SW); break;
    case RV_OP_LW: gen_load(ctx, MO_SL); break;
    case RV_OP_LD: gen_load(ctx, MO_UQ); break;
    case RV_OP_LBU: gen_load(ctx, MO_UB); break;
    case RV_OP_LHU: gen_load(ctx, MO_UW); break;
    case RV_OP_LWU: gen_load(ctx, MO_UL); break;
    case RV_OP_SB: gen_store(ctx, MO_UB); break;
    case RV_OP_SH: gen_store(ctx, MO_UW); break;
    case RV_OP_SW: gen_store(ctx, MO_UL); break;
    case RV_OP_SD: gen_store(ctx, MO_UQ); break;
    case RV_OP_ADDI: gen_rri(ctx, tcg_gen_add_i64, false); break;
    case RV_OP_SLTI: gen_rri(ctx, gen_slt, false); break;
    case RV_OP_SLTIU: gen_rri(ctx, gen_sltu, false); break;
    case RV_OP_XORI: gen_rri(ctx, tcg_gen_xor_i64, false); break;
    case RV_OP_ORI: gen_rri(ctx, tcg_gen_or_i64, false); break;
    case RV_OP_ANDI: gen_rri(ctx, tcg_gen_and_i64, false); break;
    case RV_OP_SLLI: gen_rri(ctx, tcg_gen_shl_i64, false); break;
    case RV_OP_SRLI: gen_rri(ctx, tcg_gen_shr_i64, false); break;
    case RV_OP_SRAI: gen_rri(ctx, tcg_gen_sar_i64, false); break;
    case RV_OP_ADDIW: gen_rri(ctx, tcg_gen_add_i64, true); break;
    case RV_OP_SLLIW: gen_shift_w(ctx, 0, tcg_constant_i64(in->imm)); break;
    case RV_OP_SRLIW: gen_shift_w(ctx, 1, tcg_constant_i64(in->imm)); break;
    case RV_OP_SRAIW: gen_shift_w(ctx, 2, tcg_constant_i64(in->imm)); break;
    case RV_OP_ADD: gen_rrr(ctx, tcg_gen_add_i64, false); break;
    case RV_OP_SUB: gen_rrr(ctx, tcg_gen_sub_i64, false); break;
    case RV_OP_SLL: gen_rrr(ctx, tcg_gen_shl_i64, false); break;
    case RV_OP_SLT: gen_rrr(ctx, gen_slt, false); break;
    case RV_OP_SLTU: gen_rrr(ctx, gen_sltu, false); break;
    case RV_OP_XOR: gen_rrr(ctx, tcg_gen_xor_i64, false); break;
    case RV_OP_SRL: gen_rrr(ctx, tcg_gen_shr_i64, false); break;
    case RV_OP_SRA: gen_rrr(ctx, tcg_gen_sar_i64, false); break;
    case RV_OP_OR: gen_rrr(ctx, tcg_gen_or_i64, false); break;
    case RV_OP_AND: gen_rrr(ctx, tcg_gen_and_i64, false); break;
    case RV_OP_ADDW: gen_rrr(ctx, tcg_gen_add_i64, true); break;
    case RV_OP_SUBW: gen_rrr(ctx, tcg_gen_sub_i64, true); break;
    case RV_OP_SLLW: gen_shift_w(ctx, 0, get_gpr(in->rs2)); break;
    case RV_OP_SRLW: gen_shift_w(ctx, 1, get_gpr(in->rs2)); break;
    case RV_OP_SRAW: gen_shift_w(ctx, 2, get_gpr(in->rs2)); break;
    case RV_OP_FENCE:
        tcg_gen_mb(TCG_MO_ALL | TCG_BAR_SC);
        break;
    case RV_OP_FENCE_I:
        /* Stores already invalidated stale blocks; refetch after this instruction. */
        ctx->is_jmp = DISAS_EXIT;
        break;
    case RV_OP_ECALL:
        gen_exception(ctx, RISCV_EXCP_U_ECALL + ctx->priv, 0);
        break;
    case RV_OP_EBREAK:
        gen_exception(ctx, RISCV_EXCP_BREAKPOINT, ctx->pc);
        break;
    case RV_OP_MRET:
    case RV_OP_SRET:
        /* Privilege and interrupt enables change: back to the cpu loop. */
        gen_sync_pc(ctx);
        if (in->op == RV_OP_MRET) {
            tcg_gen_call(helper_mret, 0, tcg_temp(cpu_pc), tcg_temp(env_ptr()));
        } else {
            tcg_gen_call(helper_sret, 0, tcg_temp(cpu_pc), tcg_temp(env_ptr()));
        }
        tcg_gen_exit_tb(NULL, 0);
        ctx->is_jmp = DISAS_NORETURN;
        break;
    case RV_OP_WFI:
        /* The helper leaves env->pc after the wfi and may halt the vCPU. */
        gen_sync_pc(ctx);
        tcg_gen_call(helper_wfi, 0, NULL, tcg_temp(env_ptr()));
        tcg_gen_exit_tb(NULL, 0);
        ctx->is_jmp = DISAS_NORETURN;
        break;
    case RV_OP_SFENCE_VMA:
        gen_sync_pc(ctx);
        tcg_gen_call(helper_sfence_vma, 0, NULL, tcg_temp(env_ptr()),
                     tcg_temp(tcg_constant_i64(in->raw)));
        ctx->is_jmp = DISAS_EXIT;
        break;
    case RV_OP_CSRRW: case RV_OP_CSRRS: case RV_OP_CSRRC:
    case RV_OP_CSRRWI: case RV_OP_CSRRSI: case RV_OP_CSRRCI:
        gen_csr(ctx);
        break;
    case RV_OP_MUL: gen_rrr(ctx, tcg_gen_mul_i64, false); break;
    case RV_OP_MULH: gen_rrr(ctx, tcg_gen_mulsh_i64, false); break;
    case RV_OP_MULHSU: gen_rrr(ctx, gen_mulhsu, false); break;
    case RV_OP_MULHU: gen_rrr(ctx, tcg_gen_muluh_i64, false); break;
    case RV_OP_DIV: gen_rrr(ctx, gen_div, false); break;
    case RV_OP_DIVU: gen_rrr(ctx, gen_divu, false); break;
    case RV_OP_REM: gen_rrr(ctx, gen_rem, false); break;
    case RV_OP_REMU: gen_rrr(ctx, gen_remu, false); break;
    case RV_OP_MULW: gen_rrr(ctx, tcg_gen_mul_i64, true); break;
    case RV_OP_DIVW: gen_divrem_w(ctx, gen_div, true); break;
    case RV_OP_DIVUW: gen_divrem_w(ctx, gen_divu, false); break;
    case RV_OP_REMW: gen_divrem_w(ctx, gen_rem, true); break;
    case RV_OP_REMUW: gen_divrem_w(ctx, gen_remu, false); break;
    case RV_OP_LR_W: gen_lr(ctx, MO_SL); break;
    case RV_OP_LR_D: gen_lr(ctx, MO_UQ); break;
    case RV_OP_SC_W: gen_sc(ctx, 4); break;
    case RV_OP_SC_D: gen_sc(ctx, 8); break;
    case RV_OP_AMOSWAP_W ... RV_OP_AMOMAXU_W:
        gen_amo(ctx, RISCV_AMO_SWAP + (in->op - RV_OP_AMOSWAP_W), 4);
        break;
    case RV_OP_AMOSWAP_D ... RV_OP_AMOMAXU_D:
        gen_amo(ctx, RISCV_AMO_SWAP + (in->op - RV_OP_AMOSWAP_D), 8);
        break;
    case RV_OP_FLW ... RV_OP_FMV_D_X:
        gen_fp(ctx);
        break;
    case RV_OP_SH1ADD: gen_shadd(ctx, 1, false); break;
    case RV_OP_SH2ADD: gen_shadd(ctx, 2, false); break;
    case RV_OP_SH3ADD: gen_shadd(ctx, 3, false); break;
    case RV_OP_ADD_UW: gen_shadd(ctx, 0, true); break;
    case RV_OP_SH1ADD_UW: gen_shadd(ctx, 1, true); break;
    case RV_OP_SH2ADD_UW: gen_shadd(ctx, 2, true); break;
    case RV_OP_SH3ADD_UW: gen_shadd(ctx, 3, true); break;
    case RV_OP_SLLI_UW: {
        TCGv_i64 d = dest_gpr(in->rd);

        tcg_gen_ext32u_i64(d, get_gpr(in->rs1));
        tcg_gen_shli_i64(d, d, (unsigned)in->imm);
        break;
    }
    case RV_OP_ANDN: gen_rrr(ctx, tcg_gen_andc_i64, false); break;
    case RV_OP_ORN: gen_rrr(ctx, tcg_gen_orc_i64, false); break;
    case RV_OP_XNOR: gen_rrr(ctx, tcg_gen_eqv_i64, false); break;
    case RV_OP_CLZ: tcg_gen_clzi_i64(dest_gpr(in->rd), get_gpr(in->rs1), 64); break;
    case RV_OP_CTZ: tcg_gen_ctzi_i64(dest_gpr(in->rd), get_gpr(in->rs1), 64); break;
    case RV_OP_CPOP: tcg_gen_ctpop_i64(dest_gpr(in->rd), get_gpr(in->rs1)); break;
    case RV_OP_CLZW:
    case RV_OP_CTZW:
    case RV_OP_CPOPW: {
        TCGv_i32 t = tcg_temp_new_i32();

        tcg_gen_extrl_i64_i32(t, get_gpr(in->rs1));
        if (in->op == RV_OP_CLZW) {
            tcg_gen_clzi_i32(t, t, 32);
        } else if (in->op == RV_OP_CTZW) {
            tcg_gen_ctzi_i32(t, t, 32);
        } else {
            tcg_gen_ctpop_i32(t, t);
        }
        tcg_gen_extu_i32_i64(dest_gpr(in->rd), t);
        break;
    }
    case RV_OP_MAX: gen_minmax(ctx, TCG_COND_GT); break;
    case RV_OP_MAXU: gen_minmax(ctx, TCG_COND_GTU); break;
    case RV_OP_MIN: gen_minmax(ctx, TCG_COND_LT); break;
    case RV_OP_MINU: gen_minmax(ctx, TCG_COND_LTU); break;
    case RV_OP_SEXT_B: tcg_gen_ext8s_i64(dest_gpr(in->rd), get_gpr(in->rs1)); break;
    case RV_OP_SEXT_H: tcg_gen_ext16s_i64(dest_gpr(in->rd), get_gpr(in->rs1)); break;
    case RV_OP_ZEXT_H: tcg_gen_ext16u_i64(dest_gpr(in->rd), get_gpr(in->rs1)); break;
    case RV_OP_ROL: gen_rrr(ctx, tcg_gen_rotl_i64, false); break;
    case RV_OP_ROR: gen_rrr(ctx, tcg_gen_rotr_i64, false); break;
    case RV_OP_RORI: gen_rri(ctx, tcg_gen_rotr_i64, false); break;
    case RV_OP_ROLW: gen_rot_w(ctx, true, get_gpr(in->rs2)); break;
    case RV_OP_RORW: gen_rot_w(ctx, false, get_gpr(in->rs2)); break;
    case RV_OP_RORIW: gen_rot_w(ctx, false, tcg_constant_i64(in->imm)); break;
    case RV_OP_ORC_B: gen_orc_b(dest_gpr(in->rd), get_gpr(in->rs1)); break;
    case RV_OP_REV8: tcg_gen_bswap64_i64(dest_gpr(in->rd), get_gpr(in->rs1)); break;
    case RV_OP_BCLR:
    case RV_OP_BCLRI:
        tcg_gen_andc_i64(dest_gpr(in->rd), get_gpr(in->rs1),
                         gen_bit_mask(ctx, in->op == RV_OP_BCLRI));
        break;
    case RV_OP_BSET:
    case RV_OP_BSETI:
        tcg_gen_or_i64(dest_gpr(in->rd), get_gpr(in->rs1),
                       gen_bit_mask(ctx, in->op == RV_OP_BSETI));
        break;
    case RV_OP_BINV:
    case RV_OP_BINVI:
        tcg_gen_xor_i64(dest_gpr(in->rd), get_gpr(in->rs1),
                        gen_bit_mask(ctx, in->op == RV_OP_BINVI));
        break;
    case RV_OP_BEXT:
    case RV_OP_BEXTI: {
        TCGv_i64 m = gen_bit_mask(ctx, in->op == RV_OP_BEXTI);
        TCGv_i64 d = dest_gpr(in->rd);

        tcg_gen_and_i64(m, m, get_gpr(in->rs1));
        tcg_gen_setcondi_i64(TCG_COND_NE, d, m, 0);
        break;
    }
    case RV_OP_COUNT:
        g_assert_not_reached();
    }
}

static void log_insn(const RISCVInsn *insn, uint64_t pc)
{
    char buf[96];

    riscv_disas_insn(insn, pc, buf, sizeof(buf));
    if (insn->len == 2) {
        log_printf("0x%016" PRIx64 ":  %04" PRIx32 "      %s\n", pc, insn->raw, buf);
    } else {
        log_printf("0x%016" PRIx64 ":  %08" PRIx32 "  %s\n", pc, insn->raw, buf);
    }
}

void riscv_gen_intermediate_code(CPUState *cpu, TranslationBlock *tb, int max_insns)
{
    CPURISCVState *env = riscv_env(cpu);
    DisasContext ctx = {
        .tb = tb,
        .pc_next = tb->pc,
        .mem_idx = (int)((tb->flags & RISCV_TB_FLAGS_MEM_MASK) >> RISCV_TB_FLAGS_MEM_SHIFT),
        .priv = (int)(tb->flags & RISCV_TB_FLAGS_PRIV_MASK),
        .fs = (tb->flags & RISCV_TB_FLAGS_FS_MASK) >> RISCV_TB_FLAGS_FS_SHIFT,
        .is_jmp = DISAS_NEXT,
    };
    uint64_t page = tb->pc & TARGET_PAGE_MASK;
    int n = 0;

    if (log_enabled(LOG_IN_ASM)) {
        log_printf("IN:\n");
    }
    tcg_gen_tb_start(tb);
    while (ctx.is_jmp == DISAS_NEXT) {
        uint32_t raw;
        unsigned len;

        ctx.pc = ctx.pc_next;
        raw = translator_lduw(env, ctx.pc);
        len = riscv_insn_length((uint16_t)raw);
        if (n > 0 && ((ctx.pc + len - 1) ^ ctx.pc) & TARGET_PAGE_MASK) {
            /* It crosses into the next page, which may fault: a TB of its own. */
            ctx.pc_next = ctx.pc;
            ctx.is_jmp = DISAS_TOO_MANY;
            break;
        }
        tcg_gen_insn_start(ctx.pc);
        n++;
        if (len == 4) {
            raw |= (uint32_t)translator_lduw(env, ctx.pc + 2) << 16;
        }
        riscv_decode(raw, len, &ctx.insn);
        if (log_enabled(LOG_IN_ASM)) {
            log_insn(&ctx.insn, ctx.pc);
        }
        ctx.pc_next = ctx.pc + len;
        translate_insn(&ctx);
        if (ctx.is_jmp == DISAS_NEXT &&
            (n >= max_insns || ((ctx.pc_next - page) >= TARGET_PAGE_SIZE))) {
            ctx.is_jmp = DISAS_TOO_MANY;
        }
    }
    switch (ctx.is_jmp) {
    case DISAS_TOO_MANY:
        gen_goto_tb(&ctx, 0, ctx.pc_next);
        break;
    case DISAS_EXIT:
        tcg_gen_movi_i64(cpu_pc, (int64_t)ctx.pc_next);
        tcg_gen_exit_tb(NULL, 0);
        break;
    default:
        break;
    }
    tcg_gen_tb_end(tb);
    tb->size = (uint16_t)(ctx.pc_next - tb->pc);
    tb->icount = (uint16_t)n;
    if (log_enabled(LOG_IN_ASM)) {
        log_printf("\n");
    }
}
