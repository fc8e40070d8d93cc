/*
 * The TCG emitter API used by target front ends: one function per IR
 * operation appending an op to the current TB (tcg_ctx), plus conveniences
 * with an immediate operand (..._addi_i64 etc.) and composite operations that
 * tcg/tcg-op.c expands into simpler ops when the back end lacks them.
 * Semantics of every operation: see the comment at the top of tcg/tcg.h.
 */
#ifndef TCG_TCG_OP_H
#define TCG_TCG_OP_H

#include "tcg/tcg.h"

/* ---- Common ---- */

void tcg_gen_br(TCGLabel *l);
void tcg_gen_set_label(TCGLabel *l);
void tcg_gen_mb(unsigned bar);
/* Guest instruction boundary; PC is restored by the target's restore_state_to_opc. */
void tcg_gen_insn_start(uint64_t pc);
void tcg_gen_insn_start2(uint64_t pc, uint64_t extra);

/*
 * TB framing. tcg_gen_tb_start emits the exit-request check (a load of
 * env->common.exit_request and a branch to an exit returning
 * (uintptr_t)tb | TB_EXIT_REQUESTED); call it before the first insn_start.
 * tcg_gen_tb_end emits that exit; call it after the last op of the TB.
 */
void tcg_gen_tb_start(TranslationBlock *tb);
void tcg_gen_tb_end(TranslationBlock *tb);

/* Direct jump slot N (0 or 1); follow it with tcg_gen_exit_tb(tb, n). */
void tcg_gen_goto_tb(unsigned n);
/* Leaves the TB returning (uintptr_t)TB | N; TB == NULL returns 0 (N must be 0). */
void tcg_gen_exit_tb(const TranslationBlock *tb, unsigned n);
/*
 * Indirect jump: PC (the new guest pc, already stored to env) is looked up
 * in the vCPU jump cache; on a hit for a TB with the current TB's flags,
 * execution continues there, else the TB returns 0 to the cpu loop.
 */
void tcg_gen_lookup_and_goto_ptr(TCGv_i64 pc);

/*
 * Helper calls: RET (NULL for void; an i32 or i64 temp) = FUNC(ARGS...),
 * up to TCG_MAX_CALL_ARGS arguments given as TCGTemp * (use tcg_temp(x)).
 * FLAGS: TCG_CALL_*. NAME is used in dumps.
 */
void tcg_gen_callN(void *func, const char *name, unsigned flags, TCGTemp *ret,
                   int nargs, TCGTemp *const *args);
#define tcg_gen_call0(fn, flags, ret) \
    tcg_gen_callN((void *)(fn), #fn, (flags), (ret), 0, NULL)
#define tcg_gen_call(fn, flags, ret, ...) \
    tcg_gen_callN((void *)(fn), #fn, (flags), (ret), \
                  (int)(sizeof((TCGTemp *[]){ __VA_ARGS__ }) / sizeof(TCGTemp *)), \
                  (TCGTemp *[]){ __VA_ARGS__ })

/* ---- 32-bit ---- */

void tcg_gen_discard_i32(TCGv_i32 arg);
void tcg_gen_mov_i32(TCGv_i32 ret, TCGv_i32 arg);
void tcg_gen_movi_i32(TCGv_i32 ret, int32_t arg);
void tcg_gen_add_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b);
void tcg_gen_addi_i32(TCGv_i32 ret, TCGv_i32 a, int32_t b);
void tcg_gen_sub_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b);
void tcg_gen_subi_i32(TCGv_i32 ret, TCGv_i32 a, int32_t b);
void tcg_gen_subfi_i32(TCGv_i32 ret, int32_t a, TCGv_i32 b);
void tcg_gen_mul_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b);
void tcg_gen_muli_i32(TCGv_i32 ret, TCGv_i32 a, int32_t b);
void tcg_gen_div_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b);
void tcg_gen_divu_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b);
void tcg_gen_rem_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b);
void tcg_gen_remu_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b);
void tcg_gen_mulsh_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b);
void tcg_gen_muluh_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b);
void tcg_gen_neg_i32(TCGv_i32 ret, TCGv_i32 a);
void tcg_gen_and_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b);
void tcg_gen_andi_i32(TCGv_i32 ret, TCGv_i32 a, int32_t b);
void tcg_gen_or_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b);
void tcg_gen_ori_i32(TCGv_i32 ret, TCGv_i32 a, int32_t b);
void tcg_gen_xor_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b);
void tcg_gen_xori_i32(TCGv_i32 ret, TCGv_i32 a, int32_t b);
void tcg_gen_not_i32(TCGv_i32 ret, TCGv_i32 a);
void tcg_gen_andc_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b);
void tcg_gen_orc_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b);
void tcg_gen_eqv_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b);
void tcg_gen_nand_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b);
void tcg_gen_nor_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b);
void tcg_gen_shl_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b);
void tcg_gen_shli_i32(TCGv_i32 ret, TCGv_i32 a, unsigned b);
void tcg_gen_shr_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b);
void tcg_gen_shri_i32(TCGv_i32 ret, TCGv_i32 a, unsigned b);
void tcg_gen_sar_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b);
void tcg_gen_sari_i32(TCGv_i32 ret, TCGv_i32 a, unsigned b);
void tcg_gen_rotl_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b);
void tcg_gen_rotli_i32(TCGv_i32 ret, TCGv_i32 a, unsigned b);
void tcg_gen_rotr_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b);
void tcg_gen_rotri_i32(TCGv_i32 ret, TCGv_i32 a, unsigned b);
void tcg_gen_setcond_i32(TCGCond cond, TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b);
void tcg_gen_setcondi_i32(TCGCond cond, TCGv_i32 ret, TCGv_i32 a, int32_t b);
/* ret = (c1 cond c2) ? v1 : v2 */
void tcg_gen_movcond_i32(TCGCond cond, TCGv_i32 ret, TCGv_i32 c1, TCGv_i32 c2,
                         TCGv_i32 v1, TCGv_i32 v2);
void tcg_gen_brcond_i32(TCGCond cond, TCGv_i32 a, TCGv_i32 b, TCGLabel *l);
void tcg_gen_brcondi_i32(TCGCond cond, TCGv_i32 a, int32_t b, TCGLabel *l);
void tcg_gen_ext8s_i32(TCGv_i32 ret, TCGv_i32 a);
void tcg_gen_ext8u_i32(TCGv_i32 ret, TCGv_i32 a);
void tcg_gen_ext16s_i32(TCGv_i32 ret, TCGv_i32 a);
void tcg_gen_ext16u_i32(TCGv_i32 ret, TCGv_i32 a);
void tcg_gen_extract_i32(TCGv_i32 ret, TCGv_i32 a, unsigned pos, unsigned len);
void tcg_gen_sextract_i32(TCGv_i32 ret, TCGv_i32 a, unsigned pos, unsigned len);
void tcg_gen_deposit_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 b, unsigned pos, unsigned len);
void tcg_gen_clz_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 zero_val);
void tcg_gen_clzi_i32(TCGv_i32 ret, TCGv_i32 a, uint32_t zero_val);
void tcg_gen_ctz_i32(TCGv_i32 ret, TCGv_i32 a, TCGv_i32 zero_val);
void tcg_gen_ctzi_i32(TCGv_i32 ret, TCGv_i32 a, uint32_t zero_val);
void tcg_gen_ctpop_i32(TCGv_i32 ret, TCGv_i32 a);
void tcg_gen_bswap16_i32(TCGv_i32 ret, TCGv_i32 a);
void tcg_gen_bswap32_i32(TCGv_i32 ret, TCGv_i32 a);
void tcg_gen_ld8u_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t offset);
void tcg_gen_ld8s_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t offset);
void tcg_gen_ld16u_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t offset);
void tcg_gen_ld16s_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t offset);
void tcg_gen_ld_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t offset);
void tcg_gen_st8_i32(TCGv_i32 val, TCGv_ptr base, intptr_t offset);
void tcg_gen_st16_i32(TCGv_i32 val, TCGv_ptr base, intptr_t offset);
void tcg_gen_st_i32(TCGv_i32 val, TCGv_ptr base, intptr_t offset);
void tcg_gen_qemu_ld_i32(TCGv_i32 ret, TCGv_i64 addr, int mmu_idx, MemOp memop);
void tcg_gen_qemu_st_i32(TCGv_i32 val, TCGv_i64 addr, int mmu_idx, MemOp memop);

/* ---- 64-bit ---- */

void tcg_gen_discard_i64(TCGv_i64 arg);
void tcg_gen_mov_i64(TCGv_i64 ret, TCGv_i64 arg);
void tcg_gen_movi_i64(TCGv_i64 ret, int64_t arg);
void tcg_gen_add_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b);
void tcg_gen_addi_i64(TCGv_i64 ret, TCGv_i64 a, int64_t b);
void tcg_gen_sub_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b);
void tcg_gen_subi_i64(TCGv_i64 ret, TCGv_i64 a, int64_t b);
void tcg_gen_subfi_i64(TCGv_i64 ret, int64_t a, TCGv_i64 b);
void tcg_gen_mul_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b);
void tcg_gen_muli_i64(TCGv_i64 ret, TCGv_i64 a, int64_t b);
void tcg_gen_div_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b);
void tcg_gen_divu_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b);
void tcg_gen_rem_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b);
void tcg_gen_remu_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b);
void tcg_gen_mulsh_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b);
void tcg_gen_muluh_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b);
void tcg_gen_neg_i64(TCGv_i64 ret, TCGv_i64 a);
void tcg_gen_and_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b);
void tcg_gen_andi_i64(TCGv_i64 ret, TCGv_i64 a, int64_t b);
void tcg_gen_or_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b);
void tcg_gen_ori_i64(TCGv_i64 ret, TCGv_i64 a, int64_t b);
void tcg_gen_xor_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b);
void tcg_gen_xori_i64(TCGv_i64 ret, TCGv_i64 a, int64_t b);
void tcg_gen_not_i64(TCGv_i64 ret, TCGv_i64 a);
void tcg_gen_andc_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b);
void tcg_gen_orc_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b);
void tcg_gen_eqv_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b);
void tcg_gen_nand_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b);
void tcg_gen_nor_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b);
void tcg_gen_shl_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b);
void tcg_gen_shli_i64(TCGv_i64 ret, TCGv_i64 a, unsigned b);
void tcg_gen_shr_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b);
void tcg_gen_shri_i64(TCGv_i64 ret, TCGv_i64 a, unsigned b);
void tcg_gen_sar_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b);
void tcg_gen_sari_i64(TCGv_i64 ret, TCGv_i64 a, unsigned b);
void tcg_gen_rotl_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b);
void tcg_gen_rotli_i64(TCGv_i64 ret, TCGv_i64 a, unsigned b);
void tcg_gen_rotr_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b);
void tcg_gen_rotri_i64(TCGv_i64 ret, TCGv_i64 a, unsigned b);
void tcg_gen_setcond_i64(TCGCond cond, TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b);
void tcg_gen_setcondi_i64(TCGCond cond, TCGv_i64 ret, TCGv_i64 a, int64_t b);
/* ret = (c1 cond c2) ? v1 : v2 */
void tcg_gen_movcond_i64(TCGCond cond, TCGv_i64 ret, TCGv_i64 c1, TCGv_i64 c2,
                         TCGv_i64 v1, TCGv_i64 v2);
void tcg_gen_brcond_i64(TCGCond cond, TCGv_i64 a, TCGv_i64 b, TCGLabel *l);
void tcg_gen_brcondi_i64(TCGCond cond, TCGv_i64 a, int64_t b, TCGLabel *l);
void tcg_gen_ext8s_i64(TCGv_i64 ret, TCGv_i64 a);
void tcg_gen_ext8u_i64(TCGv_i64 ret, TCGv_i64 a);
void tcg_gen_ext16s_i64(TCGv_i64 ret, TCGv_i64 a);
void tcg_gen_ext16u_i64(TCGv_i64 ret, TCGv_i64 a);
void tcg_gen_ext32s_i64(TCGv_i64 ret, TCGv_i64 a);
void tcg_gen_ext32u_i64(TCGv_i64 ret, TCGv_i64 a);
void tcg_gen_extract_i64(TCGv_i64 ret, TCGv_i64 a, unsigned pos, unsigned len);
void tcg_gen_sextract_i64(TCGv_i64 ret, TCGv_i64 a, unsigned pos, unsigned len);
void tcg_gen_deposit_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b, unsigned pos, unsigned len);
void tcg_gen_clz_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 zero_val);
void tcg_gen_clzi_i64(TCGv_i64 ret, TCGv_i64 a, uint64_t zero_val);
void tcg_gen_ctz_i64(TCGv_i64 ret, TCGv_i64 a, TCGv_i64 zero_val);
void tcg_gen_ctzi_i64(TCGv_i64 ret, TCGv_i64 a, uint64_t zero_val);
void tcg_gen_ctpop_i64(TCGv_i64 ret, TCGv_i64 a);
void tcg_gen_bswap16_i64(TCGv_i64 ret, TCGv_i64 a);
void tcg_gen_bswap32_i64(TCGv_i64 ret, TCGv_i64 a);
void tcg_gen_bswap64_i64(TCGv_i64 ret, TCGv_i64 a);
void tcg_gen_ld8u_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t offset);
void tcg_gen_ld8s_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t offset);
void tcg_gen_ld16u_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t offset);
void tcg_gen_ld16s_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t offset);
void tcg_gen_ld32u_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t offset);
void tcg_gen_ld32s_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t offset);
void tcg_gen_ld_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t offset);
void tcg_gen_st8_i64(TCGv_i64 val, TCGv_ptr base, intptr_t offset);
void tcg_gen_st16_i64(TCGv_i64 val, TCGv_ptr base, intptr_t offset);
void tcg_gen_st32_i64(TCGv_i64 val, TCGv_ptr base, intptr_t offset);
void tcg_gen_st_i64(TCGv_i64 val, TCGv_ptr base, intptr_t offset);
void tcg_gen_qemu_ld_i64(TCGv_i64 ret, TCGv_i64 addr, int mmu_idx, MemOp memop);
void tcg_gen_qemu_st_i64(TCGv_i64 val, TCGv_i64 addr, int mmu_idx, MemOp memop);

/* ---- Conversions ---- */

void tcg_gen_ext_i32_i64(TCGv_i64 ret, TCGv_i32 a);
void tcg_gen_extu_i32_i64(TCGv_i64 ret, TCGv_i32 a);
void tcg_gen_extrl_i64_i32(TCGv_i32 ret, TCGv_i64 a);
void tcg_gen_extrh_i64_i32(TCGv_i32 ret, TCGv_i64 a);
/* ret = (uint64_t)hi << 32 | lo */
void tcg_gen_concat_i32_i64(TCGv_i64 ret, TCGv_i32 lo, TCGv_i32 hi);

/* ---- Host pointers (TCGv_ptr is 64-bit) ---- */

void tcg_gen_ld_ptr(TCGv_ptr ret, TCGv_ptr base, intptr_t offset);
void tcg_gen_st_ptr(TCGv_ptr val, TCGv_ptr base, intptr_t offset);
void tcg_gen_addi_ptr(TCGv_ptr ret, TCGv_ptr a, intptr_t b);
void tcg_gen_add_ptr(TCGv_ptr ret, TCGv_ptr a, TCGv_ptr b);
void tcg_gen_ext_i32_ptr(TCGv_ptr ret, TCGv_i32 a);

#endif
