/*
 * The riscv64 F and D extensions' helper interface: helper_fp performs every
 * FP operation that is not a plain move, load or store, selected by its
 * decoded RISCVOp, and which of those read an integer register or write one.
 */
#ifndef TARGET_RISCV_FPU_H
#define TARGET_RISCV_FPU_H

#include "target/riscv/cpu.h"
#include "target/riscv/decode.h"

/*
 * DESC = op | rm << 16 | instruction bits << 32; A, B, C are rs1 (an FP or,
 * for conversions from integers, an integer register), rs2 and rs3. Returns
 * the FP result (NaN-boxed for singles) or the integer result. Accrues
 * fflags; an invalid dynamic rounding mode raises illegal-instruction.
 */
uint64_t helper_fp(CPURISCVState *env, uint64_t desc, uint64_t a, uint64_t b, uint64_t c);

static inline bool riscv_fp_writes_gpr(RISCVOp op)
{
    return op >= RV_OP_FEQ_S && op <= RV_OP_FCVT_LU_D;
}

static inline bool riscv_fp_reads_gpr(RISCVOp op)
{
    return op >= RV_OP_FCVT_S_W && op <= RV_OP_FCVT_D_LU;
}

#endif
