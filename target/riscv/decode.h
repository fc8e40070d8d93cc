/*
 * The riscv64 instruction decoder's interface: one RISCVInsn per guest
 * instruction with an operation code from the RISCV_OPS list, its register
 * fields, a sign-extended immediate (or CSR number or shift amount) and the
 * rounding mode / aq-rl bits. Compressed instructions are expanded to their
 * 32-bit equivalents first, so the translator sees a single encoding; raw
 * keeps the original bits for mtval. Also a small disassembler for -d in_asm,
 * used where capstone has no RISC-V support (capstone 4).
 */
#ifndef TARGET_RISCV_DECODE_H
#define TARGET_RISCV_DECODE_H

#include "util/osdep.h"

/*
 * X(op, mnemonic, operands): operand letters for the disassembler: d/s/t
 * integer rd/rs1/rs2, D/S/T/R FP rd/rs1/rs2/rs3, i immediate, u upper
 * immediate, m imm(rs1), a (rs1), b pc-relative target, c CSR, z CSR uimm.
 */
#define RISCV_OPS(X) \
    X(ILLEGAL, "illegal", "") \
    X(LUI, "lui", "d,u") X(AUIPC, "auipc", "d,u") X(JAL, "jal", "d,b") \
    X(JALR, "jalr", "d,m") \
    X(BEQ, "beq", "s,t,b") X(BNE, "bne", "s,t,b") X(BLT, "blt", "s,t,b") \
    X(BGE, "bge", "s,t,b") X(BLTU, "bltu", "s,t,b") X(BGEU, "bgeu", "s,t,b") \
    X(LB, "lb", "d,m") X(LH, "lh", "d,m") X(LW, "lw", "d,m") X(LD, "ld", "d,m") \
    X(LBU, "lbu", "d,m") X(LHU, "lhu", "d,m") X(LWU, "lwu", "d,m") \
    X(SB, "sb", "t,m") X(SH, "sh", "t,m") X(SW, "sw", "t,m") X(SD, "sd", "t,m") \
    X(ADDI, "addi", "d,s,i") X(SLTI, "slti", "d,s,i") X(SLTIU, "sltiu", "d,s,i") \
    X(XORI, "xori", "d,s,i") X(ORI, "ori", "d,s,i") X(ANDI, "andi", "d,s,i") \
    X(SLLI, "slli", "d,s,i") X(SRLI, "srli", "d,s,i") X(SRAI, "srai", "d,s,i") \
    X(ADDIW, "addiw", "d,s,i") X(SLLIW, "slliw", "d,s,i") X(SRLIW, "srliw", "d,s,i") \
    X(SRAIW, "sraiw", "d,s,i") \
    X(ADD, "add", "d,s,t") X(SUB, "sub", "d,s,t") X(SLL, "sll", "d,s,t") \
    X(SLT, "slt", "d,s,t") X(SLTU, "sltu", "d,s,t") X(XOR, "xor", "d,s,t") \
    X(SRL, "srl", "d,s,t") X(SRA, "sra", "d,s,t") X(OR, "or", "d,s,t") \
    X(AND, "and", "d,s,t") \
    X(ADDW, "addw", "d,s,t") X(SUBW, "subw", "d,s,t") X(SLLW, "sllw", "d,s,t") \
    X(SRLW, "srlw", "d,s,t") X(SRAW, "sraw", "d,s,t") \
    X(FENCE, "fence", "") X(FENCE_I, "fence.i", "") \
    X(ECALL, "ecall", "") X(EBREAK, "ebreak", "") X(MRET, "mret", "") X(WFI, "wfi", "") \
    X(SRET, "sret", "") X(SFENCE_VMA, "sfence.vma", "s,t") \
    X(CSRRW, "csrrw", "d,c,s") X(CSRRS, "csrrs", "d,c,s") X(CSRRC, "csrrc", "d,c,s") \
    X(CSRRWI, "csrrwi", "d,c,z") X(CSRRSI, "csrrsi", "d,c,z") X(CSRRCI, "csrrci", "d,c,z") \
    /* M */ \
    X(MUL, "mul", "d,s,t") X(MULH, "mulh", "d,s,t") X(MULHSU, "mulhsu", "d,s,t") \
    X(MULHU, "mulhu", "d,s,t") X(DIV, "div", "d,s,t") X(DIVU, "divu", "d,s,t") \
    X(REM, "rem", "d,s,t") X(REMU, "remu", "d,s,t") X(MULW, "mulw", "d,s,t") \
    X(DIVW, "divw", "d,s,t") X(DIVUW, "divuw", "d,s,t") X(REMW, "remw", "d,s,t") \
    X(REMUW, "remuw", "d,s,t") \
    /* A */ \
    X(LR_W, "lr.w", "d,a") X(SC_W, "sc.w", "d,t,a") X(AMOSWAP_W, "amoswap.w", "d,t,a") \
    X(AMOADD_W, "amoadd.w", "d,t,a") X(AMOXOR_W, "amoxor.w", "d,t,a") \
    X(AMOAND_W, "amoand.w", "d,t,a") X(AMOOR_W, "amoor.w", "d,t,a") \
    X(AMOMIN_W, "amomin.w", "d,t,a") X(AMOMAX_W, "amomax.w", "d,t,a") \
    X(AMOMINU_W, "amominu.w", "d,t,a") X(AMOMAXU_W, "amomaxu.w", "d,t,a") \
    X(LR_D, "lr.d", "d,a") X(SC_D, "sc.d", "d,t,a") X(AMOSWAP_D, "amoswap.d", "d,t,a") \
    X(AMOADD_D, "amoadd.d", "d,t,a") X(AMOXOR_D, "amoxor.d", "d,t,a") \
    X(AMOAND_D, "amoand.d", "d,t,a") X(AMOOR_D, "amoor.d", "d,t,a") \
    X(AMOMIN_D, "amomin.d", "d,t,a") X(AMOMAX_D, "amomax.d", "d,t,a") \
    X(AMOMINU_D, "amominu.d", "d,t,a") X(AMOMAXU_D, "amomaxu.d", "d,t,a") \
    /* F and D: the _S op and the _D op that follows it differ only in format */ \
    X(FLW, "flw", "D,m") X(FLD, "fld", "D,m") X(FSW, "fsw", "T,m") X(FSD, "fsd", "T,m") \
    X(FMADD_S, "fmadd.s", "D,S,T,R") X(FMADD_D, "fmadd.d", "D,S,T,R") \
    X(FMSUB_S, "fmsub.s", "D,S,T,R") X(FMSUB_D, "fmsub.d", "D,S,T,R") \
    X(FNMSUB_S, "fnmsub.s", "D,S,T,R") X(FNMSUB_D, "fnmsub.d", "D,S,T,R") \
    X(FNMADD_S, "fnmadd.s", "D,S,T,R") X(FNMADD_D, "fnmadd.d", "D,S,T,R") \
    X(FADD_S, "fadd.s", "D,S,T") X(FADD_D, "fadd.d", "D,S,T") \
    X(FSUB_S, "fsub.s", "D,S,T") X(FSUB_D, "fsub.d", "D,S,T") \
    X(FMUL_S, "fmul.s", "D,S,T") X(FMUL_D, "fmul.d", "D,S,T") \
    X(FDIV_S, "fdiv.s", "D,S,T") X(FDIV_D, "fdiv.d", "D,S,T") \
    X(FSQRT_S, "fsqrt.s", "D,S") X(FSQRT_D, "fsqrt.d", "D,S") \
    X(FSGNJ_S, "fsgnj.s", "D,S,T") X(FSGNJ_D, "fsgnj.d", "D,S,T") \
    X(FSGNJN_S, "fsgnjn.s", "D,S,T") X(FSGNJN_D, "fsgnjn.d", "D,S,T") \
    X(FSGNJX_S, "fsgnjx.s", "D,S,T") X(FSGNJX_D, "fsgnjx.d", "D,S,T") \
    X(FMIN_S, "fmin.s", "D,S,T") X(FMIN_D, "fmin.d", "D,S,T") \
    X(FMAX_S, "fmax.s", "D,S,T") X(FMAX_D, "fmax.d", "D,S,T") \
    X(FEQ_S, "feq.s", "d,S,T") X(FEQ_D, "feq.d", "d,S,T") \
    X(FLT_S, "flt.s", "d,S,T") X(FLT_D, "flt.d", "d,S,T") \
    X(FLE_S, "fle.s", "d,S,T") X(FLE_D, "fle.d", "d,S,T") \
    X(FCLASS_S, "fclass.s", "d,S") X(FCLASS_D, "fclass.d", "d,S") \
    X(FCVT_W_S, "fcvt.w.s", "d,S") X(FCVT_W_D, "fcvt.w.d", "d,S") \
    X(FCVT_WU_S, "fcvt.wu.s", "d,S") X(FCVT_WU_D, "fcvt.wu.d", "d,S") \
    X(FCVT_L_S, "fcvt.l.s", "d,S") X(FCVT_L_D, "fcvt.l.d", "d,S") \
    X(FCVT_LU_S, "fcvt.lu.s", "d,S") X(FCVT_LU_D, "fcvt.lu.d", "d,S") \
    X(FCVT_S_W, "fcvt.s.w", "D,s") X(FCVT_D_W, "fcvt.d.w", "D,s") \
    X(FCVT_S_WU, "fcvt.s.wu", "D,s") X(FCVT_D_WU, "fcvt.d.wu", "D,s") \
    X(FCVT_S_L, "fcvt.s.l", "D,s") X(FCVT_D_L, "fcvt.d.l", "D,s") \
    X(FCVT_S_LU, "fcvt.s.lu", "D,s") X(FCVT_D_LU, "fcvt.d.lu", "D,s") \
    X(FCVT_S_D, "fcvt.s.d", "D,S") X(FCVT_D_S, "fcvt.d.s", "D,S") \
    X(FMV_X_W, "fmv.x.w", "d,S") X(FMV_X_D, "fmv.x.d", "d,S") \
    X(FMV_W_X, "fmv.w.x", "D,s") X(FMV_D_X, "fmv.d.x", "D,s") \
    /* Zba */ \
    X(SH1ADD, "sh1add", "d,s,t") X(SH2ADD, "sh2add", "d,s,t") X(SH3ADD, "sh3add", "d,s,t") \
    X(ADD_UW, "add.uw", "d,s,t") X(SH1ADD_UW, "sh1add.uw", "d,s,t") \
    X(SH2ADD_UW, "sh2add.uw", "d,s,t") X(SH3ADD_UW, "sh3add.uw", "d,s,t") \
    X(SLLI_UW, "slli.uw", "d,s,i") \
    /* Zbb */ \
    X(ANDN, "andn", "d,s,t") X(ORN, "orn", "d,s,t") X(XNOR, "xnor", "d,s,t") \
    X(CLZ, "clz", "d,s") X(CTZ, "ctz", "d,s") X(CPOP, "cpop", "d,s") \
    X(CLZW, "clzw", "d,s") X(CTZW, "ctzw", "d,s") X(CPOPW, "cpopw", "d,s") \
    X(MAX, "max", "d,s,t") X(MAXU, "maxu", "d,s,t") X(MIN, "min", "d,s,t") \
    X(MINU, "minu", "d,s,t") X(SEXT_B, "sext.b", "d,s") X(SEXT_H, "sext.h", "d,s") \
    X(ZEXT_H, "zext.h", "d,s") X(ROL, "rol", "d,s,t") X(ROR, "ror", "d,s,t") \
    X(ROLW, "rolw", "d,s,t") X(RORW, "rorw", "d,s,t") X(RORI, "rori", "d,s,i") \
    X(RORIW, "roriw", "d,s,i") X(ORC_B, "orc.b", "d,s") X(REV8, "rev8", "d,s") \
    /* Zbs */ \
    X(BCLR, "bclr", "d,s,t") X(BEXT, "bext", "d,s,t") X(BINV, "binv", "d,s,t") \
    X(BSET, "bset", "d,s,t") X(BCLRI, "bclri", "d,s,i") X(BEXTI, "bexti", "d,s,i") \
    X(BINVI, "binvi", "d,s,i") X(BSETI, "bseti", "d,s,i")

typedef enum RISCVOp {
#define RISCV_OP_ENUM(op, name, fmt) RV_OP_##op,
    RISCV_OPS(RISCV_OP_ENUM)
#undef RISCV_OP_ENUM
    RV_OP_COUNT,
} RISCVOp;

typedef struct RISCVInsn {
    RISCVOp op;
    uint8_t rd, rs1, rs2, rs3;
    uint8_t rm;           /* FP: rounding mode; A: aq << 1 | rl */
    uint8_t len;          /* 2 (compressed) or 4 */
    int64_t imm;          /* immediate, shift amount or CSR number */
    uint32_t raw;         /* the instruction bits (the 16-bit parcel when compressed) */
} RISCVInsn;

/* Length in bytes of the instruction whose first parcel is PARCEL (2 or 4). */
static inline unsigned riscv_insn_length(uint16_t parcel)
{
    return (parcel & 3) == 3 ? 4 : 2;
}

/* Decodes RAW (a 32-bit instruction, or a 16-bit parcel when LEN is 2) into INSN. */
void riscv_decode(uint32_t raw, unsigned len, RISCVInsn *insn);
/* The 32-bit equivalent of compressed PARCEL, or 0 when it is reserved or illegal. */
uint32_t riscv_expand_compressed(uint16_t parcel);
/* Writes "mnemonic operands" for INSN at PC into BUF. */
void riscv_disas_insn(const RISCVInsn *insn, uint64_t pc, char *buf, size_t size);

#endif
