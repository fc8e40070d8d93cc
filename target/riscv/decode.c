/*
 * The riscv64 decoder: RV64I, M, A, F, D, Zicsr, Zifencei, Zba, Zbb, Zbs, and
 * C by expansion. A compressed parcel is first rewritten as the 32-bit
 * instruction it stands for (the RVC tables of the unprivileged spec), so the
 * translator handles one encoding; reserved compressed encodings expand to 0,
 * which is illegal. Fields are pulled out per major opcode; every encoding not
 * defined by those extensions decodes to RV_OP_ILLEGAL, and the translator
 * raises illegal-instruction with the raw bits as mtval. Also the -d in_asm
 * disassembler, printing from the same decoded form.
 */
#include "util/osdep.h"

#include "target/riscv/decode.h"

static uint32_t bits(uint32_t x, unsigned hi, unsigned lo)
{
    return (x >> lo) & ((1u << (hi - lo + 1)) - 1);
}

static int64_t sext(uint64_t x, unsigned width)
{
    return (int64_t)(x << (64 - width)) >> (64 - width);
}

/* ---- 32-bit encoders used by the compressed expansion ---- */

static uint32_t enc_r(uint32_t opc, unsigned rd, unsigned f3, unsigned rs1, unsigned rs2,
                      unsigned f7)
{
    return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opc;
}

static uint32_t enc_i(uint32_t opc, unsigned rd, unsigned f3, unsigned rs1, int32_t imm)
{
    return ((uint32_t)imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opc;
}

static uint32_t enc_s(uint32_t opc, unsigned f3, unsigned rs1, unsigned rs2, int32_t imm)
{
    uint32_t u = (uint32_t)imm;

    return bits(u, 11, 5) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | bits(u, 4, 0) << 7 | opc;
}

static uint32_t enc_b(unsigned f3, unsigned rs1, unsigned rs2, int32_t imm)
{
    uint32_t u = (uint32_t)imm;

    return bits(u, 12, 12) << 31 | bits(u, 10, 5) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 |
           bits(u, 4, 1) << 8 | bits(u, 11, 11) << 7 | 0x63;
}

static uint32_t enc_j(unsigned rd, int32_t imm)
{
    uint32_t u = (uint32_t)imm;

    return bits(u, 20, 20) << 31 | bits(u, 10, 1) << 21 | bits(u, 11, 11) << 20 |
           bits(u, 19, 12) << 12 | rd << 7 | 0x6f;
}

enum {
    OPC_LOAD = 0x03, OPC_LOAD_FP = 0x07, OPC_MISC_MEM = 0x0f, OPC_OP_IMM = 0x13,
    OPC_AUIPC = 0x17, OPC_OP_IMM_32 = 0x1b, OPC_STORE = 0x23, OPC_STORE_FP = 0x27,
    OPC_AMO = 0x2f, OPC_OP = 0x33, OPC_LUI = 0x37, OPC_OP_32 = 0x3b, OPC_MADD = 0x43,
    OPC_MSUB = 0x47, OPC_NMSUB = 0x4b, OPC_NMADD = 0x4f, OPC_OP_FP = 0x53,
    OPC_BRANCH = 0x63, OPC_JALR = 0x67, OPC_JAL = 0x6f, OPC_SYSTEM = 0x73,
};

/* ---- Compressed expansion ---- */

static uint32_t expand_q0(uint16_t c)
{
    unsigned rd_ = bits(c, 4, 2) + 8, rs1_ = bits(c, 9, 7) + 8;
    uint32_t uimm_d = bits(c, 12, 10) << 3 | bits(c, 6, 5) << 6;
    uint32_t uimm_w = bits(c, 12, 10) << 3 | bits(c, 6, 6) << 2 | bits(c, 5, 5) << 6;

    switch (bits(c, 15, 13)) {
    case 0: {   /* c.addi4spn */
        uint32_t nzuimm = bits(c, 12, 11) << 4 | bits(c, 10, 7) << 6 | bits(c, 6, 6) << 2 |
                          bits(c, 5, 5) << 3;
        return nzuimm ? enc_i(OPC_OP_IMM, rd_, 0, 2, (int32_t)nzuimm) : 0;
    }
    case 1:
        return enc_i(OPC_LOAD_FP, rd_, 3, rs1_, (int32_t)uimm_d);      /* c.fld */
    case 2:
        return enc_i(OPC_LOAD, rd_, 2, rs1_, (int32_t)uimm_w);         /* c.lw */
    case 3:
        return enc_i(OPC_LOAD, rd_, 3, rs1_, (int32_t)uimm_d);         /* c.ld */
    case 5:
        return enc_s(OPC_STORE_FP, 3, rs1_, rd_, (int32_t)uimm_d);     /* c.fsd */
    case 6:
        return enc_s(OPC_STORE, 2, rs1_, rd_, (int32_t)uimm_w);        /* c.sw */
    case 7:
        return enc_s(OPC_STORE, 3, rs1_, rd_, (int32_t)uimm_d);        /* c.sd */
    default:
        return 0;
    }
}

static uint32_t expand_q1(uint16_t c)
{
    unsigned rd = bits(c, 11, 7), rd_ = bits(c, 9, 7) + 8, rs2_ = bits(c, 4, 2) + 8;
    int32_t imm6 = (int32_t)sext(bits(c, 12, 12) << 5 | bits(c, 6, 2), 6);
    unsigned shamt = bits(c, 12, 12) << 5 | bits(c, 6, 2);

    switch (bits(c, 15, 13)) {
    case 0:
        return enc_i(OPC_OP_IMM, rd, 0, rd, imm6);                      /* c.addi, c.nop */
    case 1:
        return rd ? enc_i(OPC_OP_IMM_32, rd, 0, rd, imm6) : 0;         /* c.addiw */
    case 2:
        return enc_i(OPC_OP_IMM, rd, 0, 0, imm6);                       /* c.li */
    case 3:
        if (rd == 2) {  /* c.addi16sp */
            int32_t imm = (int32_t)sext(bits(c, 12, 12) << 9 | bits(c, 6, 6) << 4 |
                                        bits(c, 5, 5) << 6 | bits(c, 4, 3) << 7 |
                                        bits(c, 2, 2) << 5, 10);
            return imm ? enc_i(OPC_OP_IMM, 2, 0, 2, imm) : 0;
        }
        /* c.lui */
        return imm6 ? ((uint32_t)imm6 << 12) | rd << 7 | OPC_LUI : 0;
    case 4:
        switch (bits(c, 11, 10)) {
        case 0:
            return enc_r(OPC_OP_IMM, rd_, 5, rd_, shamt & 31, shamt >> 5);          /* c.srli */
        case 1:
            return enc_r(OPC_OP_IMM, rd_, 5, rd_, shamt & 31, 0x20 | shamt >> 5);   /* c.srai */
        case 2:
            return enc_i(OPC_OP_IMM, rd_, 7, rd_, imm6);                             /* c.andi */
        default: {
            static const uint8_t f3[4] = { 0, 4, 6, 7 };    /* sub xor or and */
            unsigned sel = bits(c, 6, 5);

            if (!bits(c, 12, 12)) {
                return enc_r(OPC_OP, rd_, f3[sel], rd_, rs2_, sel == 0 ? 0x20 : 0);
            }
            if (sel >= 2) {
                return 0;
            }
            return enc_r(OPC_OP_32, rd_, 0, rd_, rs2_, sel == 0 ? 0x20 : 0);  /* subw addw */
        }
        }
    case 5: {   /* c.j */
        int32_t off = (int32_t)sext(bits(c, 12, 12) << 11 | bits(c, 11, 11) << 4 |
                                    bits(c, 10, 9) << 8 | bits(c, 8, 8) << 10 |
                                    bits(c, 7, 7) << 6 | bits(c, 6, 6) << 7 |
                                    bits(c, 5, 3) << 1 | bits(c, 2, 2) << 5, 12);
        return enc_j(0, off);
    }
    default: {  /* c.beqz, c.bnez */
        int32_t off = (int32_t)sext(bits(c, 12, 12) << 8 | bits(c, 11, 10) << 3 |
                                    bits(c, 6, 5) << 6 | bits(c, 4, 3) << 1 |
                                    bits(c, 2, 2) << 5, 9);
        return enc_b(bits(c, 15, 13) == 6 ? 0 : 1, rd_, 0, off);
    }
    }
}

static uint32_t expand_q2(uint16_t c)
{
    unsigned rd = bits(c, 11, 7), rs2 = bits(c, 6, 2);
    unsigned shamt = bits(c, 12, 12) << 5 | rs2;
    uint32_t uimm_dsp = bits(c, 12, 12) << 5 | bits(c, 6, 5) << 3 | bits(c, 4, 2) << 6;
    uint32_t uimm_wsp = bits(c, 12, 12) << 5 | bits(c, 6, 4) << 2 | bits(c, 3, 2) << 6;
    uint32_t suimm_d = bits(c, 12, 10) << 3 | bits(c, 9, 7) << 6;
    uint32_t suimm_w = bits(c, 12, 9) << 2 | bits(c, 8, 7) << 6;

    switch (bits(c, 15, 13)) {
    case 0:
        return enc_r(OPC_OP_IMM, rd, 1, rd, shamt & 31, shamt >> 5);     /* c.slli */
    case 1:
        return enc_i(OPC_LOAD_FP, rd, 3, 2, (int32_t)uimm_dsp);         /* c.fldsp */
    case 2:
        return rd ? enc_i(OPC_LOAD, rd, 2, 2, (int32_t)uimm_wsp) : 0;   /* c.lwsp */
    case 3:
        return rd ? enc_i(OPC_LOAD, rd, 3, 2, (int32_t)uimm_dsp) : 0;   /* c.ldsp */
    case 4:
        if (!bits(c, 12, 12)) {
            if (rs2 == 0) {
                return rd ? enc_i(OPC_JALR, 0, 0, rd, 0) : 0;           /* c.jr */
            }
            return enc_r(OPC_OP, rd, 0, 0, rs2, 0);                     /* c.mv */
        }
        if (rs2 == 0) {
            return rd ? enc_i(OPC_JALR, 1, 0, rd, 0) : 0x00100073;      /* c.jalr, c.ebreak */
        }
        return enc_r(OPC_OP, rd, 0, rd, rs2, 0);                        /* c.add */
    case 5:
        return enc_s(OPC_STORE_FP, 3, 2, rs2, (int32_t)suimm_d);        /* c.fsdsp */
    case 6:
        return enc_s(OPC_STORE, 2, 2, rs2, (int32_t)suimm_w);           /* c.swsp */
    default:
        return enc_s(OPC_STORE, 3, 2, rs2, (int32_t)suimm_d);           /* c.sdsp */
    }
}

uint32_t riscv_expand_compressed(uint16_t parcel)
{
    switch (parcel & 3) {
    case 0:
        return expand_q0(parcel);
    case 1:
        return expand_q1(parcel);
    case 2:
        return expand_q2(parcel);
    default:
        return 0;
    }
}

/* ---- 32-bit decoding ---- */

static RISCVOp decode_op_imm(uint32_t w, RISCVInsn *in)
{
    unsigned f3 = bits(w, 14, 12), f6 = bits(w, 31, 26), imm12 = bits(w, 31, 20);
    static const RISCVOp plain[8] = {
        RV_OP_ADDI, RV_OP_ILLEGAL, RV_OP_SLTI, RV_OP_SLTIU,
        RV_OP_XORI, RV_OP_ILLEGAL, RV_OP_ORI, RV_OP_ANDI,
    };

    if (f3 != 1 && f3 != 5) {
        return plain[f3];
    }
    in->imm = bits(w, 25, 20);
    if (f3 == 1) {
        switch (f6) {
        case 0x00: return RV_OP_SLLI;
        case 0x0a: return RV_OP_BSETI;
        case 0x12: return RV_OP_BCLRI;
        case 0x1a: return RV_OP_BINVI;
        }
        switch (imm12) {
        case 0x600: return RV_OP_CLZ;
        case 0x601: return RV_OP_CTZ;
        case 0x602: return RV_OP_CPOP;
        case 0x604: return RV_OP_SEXT_B;
        case 0x605: return RV_OP_SEXT_H;
        }
        return RV_OP_ILLEGAL;
    }
    switch (f6) {
    case 0x00: return RV_OP_SRLI;
    case 0x10: return RV_OP_SRAI;
    case 0x12: return RV_OP_BEXTI;
    case 0x18: return RV_OP_RORI;
    }
    switch (imm12) {
    case 0x287: return RV_OP_ORC_B;
    case 0x6b8: return RV_OP_REV8;
    }
    return RV_OP_ILLEGAL;
}

static RISCVOp decode_op_imm_32(uint32_t w, RISCVInsn *in)
{
    unsigned f3 = bits(w, 14, 12), f7 = bits(w, 31, 25), imm12 = bits(w, 31, 20);

    if (f3 == 0) {
        return RV_OP_ADDIW;
    }
    in->imm = bits(w, 24, 20);
    if (f3 == 1) {
        if (f7 == 0) {
            return RV_OP_SLLIW;
        }
        if (bits(w, 31, 26) == 0x02) {
            in->imm = bits(w, 25, 20);
            return RV_OP_SLLI_UW;
        }
        switch (imm12) {
        case 0x600: return RV_OP_CLZW;
        case 0x601: return RV_OP_CTZW;
        case 0x602: return RV_OP_CPOPW;
        }
        return RV_OP_ILLEGAL;
    }
    if (f3 == 5) {
        switch (f7) {
        case 0x00: return RV_OP_SRLIW;
        case 0x20: return RV_OP_SRAIW;
        case 0x30: return RV_OP_RORIW;
        }
    }
    return RV_OP_ILLEGAL;
}

static RISCVOp decode_op(uint32_t w)
{
    unsigned f3 = bits(w, 14, 12), f7 = bits(w, 31, 25);
    static const RISCVOp base[8] = {
        RV_OP_ADD, RV_OP_SLL, RV_OP_SLT, RV_OP_SLTU, RV_OP_XOR, RV_OP_SRL, RV_OP_OR, RV_OP_AND,
    };
    static const RISCVOp mul[8] = {
        RV_OP_MUL, RV_OP_MULH, RV_OP_MULHSU, RV_OP_MULHU,
        RV_OP_DIV, RV_OP_DIVU, RV_OP_REM, RV_OP_REMU,
    };

    switch (f7) {
    case 0x00:
        return base[f3];
    case 0x01:
        return mul[f3];
    case 0x20:
        switch (f3) {
        case 0: return RV_OP_SUB;
        case 4: return RV_OP_XNOR;
        case 5: return RV_OP_SRA;
        case 6: return RV_OP_ORN;
        case 7: return RV_OP_ANDN;
        }
        break;
    case 0x10:
        switch (f3) {
        case 2: return RV_OP_SH1ADD;
        case 4: return RV_OP_SH2ADD;
        case 6: return RV_OP_SH3ADD;
        }
        break;
    case 0x05:
        switch (f3) {
        case 4: return RV_OP_MIN;
        case 5: return RV_OP_MINU;
        case 6: return RV_OP_MAX;
        case 7: return RV_OP_MAXU;
        }
        break;
    case 0x30:
        return f3 == 1 ? RV_OP_ROL : f3 == 5 ? RV_OP_ROR : RV_OP_ILLEGAL;
    case 0x14:
        return f3 == 1 ? RV_OP_BSET : RV_OP_ILLEGAL;
    case 0x24:
        return f3 == 1 ? RV_OP_BCLR : f3 == 5 ? RV_OP_BEXT : RV_OP_ILLEGAL;
    case 0x34:
        return f3 == 1 ? RV_OP_BINV : RV_OP_ILLEGAL;
    }
    return RV_OP_ILLEGAL;
}

static RISCVOp decode_op_32(uint32_t w)
{
    unsigned f3 = bits(w, 14, 12), f7 = bits(w, 31, 25);

    switch (f7) {
    case 0x00:
        return f3 == 0 ? RV_OP_ADDW : f3 == 1 ? RV_OP_SLLW : f3 == 5 ? RV_OP_SRLW
                                                                      : RV_OP_ILLEGAL;
    case 0x20:
        return f3 == 0 ? RV_OP_SUBW : f3 == 5 ? RV_OP_SRAW : RV_OP_ILLEGAL;
    case 0x01:
        switch (f3) {
        case 0: return RV_OP_MULW;
        case 4: return RV_OP_DIVW;
        case 5: return RV_OP_DIVUW;
        case 6: return RV_OP_REMW;
        case 7: return RV_OP_REMUW;
        }
        break;
    case 0x04:
        if (f3 == 0) {
            return RV_OP_ADD_UW;
        }
        return f3 == 4 && bits(w, 24, 20) == 0 ? RV_OP_ZEXT_H : RV_OP_ILLEGAL;
    case 0x10:
        switch (f3) {
        case 2: return RV_OP_SH1ADD_UW;
        case 4: return RV_OP_SH2ADD_UW;
        case 6: return RV_OP_SH3ADD_UW;
        }
        break;
    case 0x30:
        return f3 == 1 ? RV_OP_ROLW : f3 == 5 ? RV_OP_RORW : RV_OP_ILLEGAL;
    }
    return RV_OP_ILLEGAL;
}

static RISCVOp decode_amo(uint32_t w, RISCVInsn *in)
{
    unsigned f3 = bits(w, 14, 12), f5 = bits(w, 31, 27);
    static const struct { uint8_t f5; RISCVOp w; } amo[] = {
        { 0x02, RV_OP_LR_W }, { 0x03, RV_OP_SC_W }, { 0x01, RV_OP_AMOSWAP_W },
        { 0x00, RV_OP_AMOADD_W }, { 0x04, RV_OP_AMOXOR_W }, { 0x0c, RV_OP_AMOAND_W },
        { 0x08, RV_OP_AMOOR_W }, { 0x10, RV_OP_AMOMIN_W }, { 0x14, RV_OP_AMOMAX_W },
        { 0x18, RV_OP_AMOMINU_W }, { 0x1c, RV_OP_AMOMAXU_W },
    };

    if (f3 != 2 && f3 != 3) {
        return RV_OP_ILLEGAL;
    }
    in->rm = bits(w, 26, 25);
    for (size_t i = 0; i < ARRAY_SIZE(amo); i++) {
        if (amo[i].f5 == f5) {
            if (f5 == 0x02 && in->rs2 != 0) {
                return RV_OP_ILLEGAL;
            }
            /* The _D ops follow the _W ops in the same order. */
            return amo[i].w + (f3 == 3 ? RV_OP_LR_D - RV_OP_LR_W : 0);
        }
    }
    return RV_OP_ILLEGAL;
}

/* Valid static rounding modes are 0-4 and 7 (dynamic). */
static bool rm_valid(unsigned rm)
{
    return rm <= 4 || rm == 7;
}

static RISCVOp decode_op_fp(uint32_t w, RISCVInsn *in)
{
    unsigned f7 = bits(w, 31, 25), f3 = bits(w, 14, 12), rs2 = bits(w, 24, 20);
    unsigned fmt = f7 & 3, d = fmt == 1;
    bool rm_ok = rm_valid(f3);

    if (fmt > 1) {
        return RV_OP_ILLEGAL;
    }
    switch (f7 >> 2) {
    case 0x00: return rm_ok ? RV_OP_FADD_S + d : RV_OP_ILLEGAL;
    case 0x01: return rm_ok ? RV_OP_FSUB_S + d : RV_OP_ILLEGAL;
    case 0x02: return rm_ok ? RV_OP_FMUL_S + d : RV_OP_ILLEGAL;
    case 0x03: return rm_ok ? RV_OP_FDIV_S + d : RV_OP_ILLEGAL;
    case 0x0b: return rm_ok && rs2 == 0 ? RV_OP_FSQRT_S + d : RV_OP_ILLEGAL;
    case 0x04:
        return f3 == 0 ? RV_OP_FSGNJ_S + d : f3 == 1 ? RV_OP_FSGNJN_S + d
             : f3 == 2 ? RV_OP_FSGNJX_S + d : RV_OP_ILLEGAL;
    case 0x05:
        return f3 == 0 ? RV_OP_FMIN_S + d : f3 == 1 ? RV_OP_FMAX_S + d : RV_OP_ILLEGAL;
    case 0x08:
        if (!rm_ok) {
            return RV_OP_ILLEGAL;
        }
        if (fmt == 0 && rs2 == 1) {
            return RV_OP_FCVT_S_D;
        }
        return fmt == 1 && rs2 == 0 ? RV_OP_FCVT_D_S : RV_OP_ILLEGAL;
    case 0x14:
        return f3 == 0 ? RV_OP_FLE_S + d : f3 == 1 ? RV_OP_FLT_S + d
             : f3 == 2 ? RV_OP_FEQ_S + d : RV_OP_ILLEGAL;
    case 0x18: {
        static const RISCVOp cvt[4] = {
            RV_OP_FCVT_W_S, RV_OP_FCVT_WU_S, RV_OP_FCVT_L_S, RV_OP_FCVT_LU_S,
        };
        return rm_ok && rs2 < 4 ? cvt[rs2] + d : RV_OP_ILLEGAL;
    }
    case 0x1a: {
        static const RISCVOp cvt[4] = {
            RV_OP_FCVT_S_W, RV_OP_FCVT_S_WU, RV_OP_FCVT_S_L, RV_OP_FCVT_S_LU,
        };
        return rm_ok && rs2 < 4 ? cvt[rs2] + d : RV_OP_ILLEGAL;
    }
    case 0x1c:
        if (rs2 != 0) {
            return RV_OP_ILLEGAL;
        }
        return f3 == 0 ? RV_OP_FMV_X_W + d : f3 == 1 ? RV_OP_FCLASS_S + d : RV_OP_ILLEGAL;
    case 0x1e:
        return rs2 == 0 && f3 == 0 ? RV_OP_FMV_W_X + d : RV_OP_ILLEGAL;
    }
    return RV_OP_ILLEGAL;
}

static RISCVOp decode_system(uint32_t w, RISCVInsn *in)
{
    unsigned f3 = bits(w, 14, 12);
    static const RISCVOp csr[8] = {
        RV_OP_ILLEGAL, RV_OP_CSRRW, RV_OP_CSRRS, RV_OP_CSRRC,
        RV_OP_ILLEGAL, RV_OP_CSRRWI, RV_OP_CSRRSI, RV_OP_CSRRCI,
    };

    if (f3 != 0) {
        in->imm = bits(w, 31, 20);
        return csr[f3];
    }
    switch (w) {
    case 0x00000073: return RV_OP_ECALL;
    case 0x00100073: return RV_OP_EBREAK;
    case 0x30200073: return RV_OP_MRET;
    case 0x10500073: return RV_OP_WFI;
    case 0x10200073: return RV_OP_SRET;
    }
    if ((w & 0xfe007fff) == 0x12000073) {
        return RV_OP_SFENCE_VMA;
    }
    return RV_OP_ILLEGAL;
}

static RISCVOp decode32(uint32_t w, RISCVInsn *in)
{
    unsigned f3 = bits(w, 14, 12);

    in->rd = bits(w, 11, 7);
    in->rs1 = bits(w, 19, 15);
    in->rs2 = bits(w, 24, 20);
    in->rs3 = bits(w, 31, 27);
    in->rm = f3;
    in->imm = sext(bits(w, 31, 20), 12);

    switch (bits(w, 6, 0)) {
    case OPC_LUI:
        in->imm = sext(w & 0xfffff000u, 32);
        return RV_OP_LUI;
    case OPC_AUIPC:
        in->imm = sext(w & 0xfffff000u, 32);
        return RV_OP_AUIPC;
    case OPC_JAL:
        in->imm = sext(bits(w, 31, 31) << 20 | bits(w, 19, 12) << 12 | bits(w, 20, 20) << 11 |
                       bits(w, 30, 21) << 1, 21);
        return RV_OP_JAL;
    case OPC_JALR:
        return f3 == 0 ? RV_OP_JALR : RV_OP_ILLEGAL;
    case OPC_BRANCH: {
        static const RISCVOp br[8] = {
            RV_OP_BEQ, RV_OP_BNE, RV_OP_ILLEGAL, RV_OP_ILLEGAL,
            RV_OP_BLT, RV_OP_BGE, RV_OP_BLTU, RV_OP_BGEU,
        };
        in->imm = sext(bits(w, 31, 31) << 12 | bits(w, 7, 7) << 11 | bits(w, 30, 25) << 5 |
                       bits(w, 11, 8) << 1, 13);
        return br[f3];
    }
    case OPC_LOAD: {
        static const RISCVOp ld[8] = {
            RV_OP_LB, RV_OP_LH, RV_OP_LW, RV_OP_LD, RV_OP_LBU, RV_OP_LHU, RV_OP_LWU,
            RV_OP_ILLEGAL,
        };
        return ld[f3];
    }
    case OPC_STORE: {
        static const RISCVOp st[8] = {
            RV_OP_SB, RV_OP_SH, RV_OP_SW, RV_OP_SD,
            RV_OP_ILLEGAL, RV_OP_ILLEGAL, RV_OP_ILLEGAL, RV_OP_ILLEGAL,
        };
        in->imm = sext(bits(w, 31, 25) << 5 | bits(w, 11, 7), 12);
        return st[f3];
    }
    case OPC_OP_IMM:
        return decode_op_imm(w, in);
    case OPC_OP_IMM_32:
        return decode_op_imm_32(w, in);
    case OPC_OP:
        return decode_op(w);
    case OPC_OP_32:
        return decode_op_32(w);
    case OPC_MISC_MEM:
        return f3 == 0 ? RV_OP_FENCE : f3 == 1 ? RV_OP_FENCE_I : RV_OP_ILLEGAL;
    case OPC_SYSTEM:
        return decode_system(w, in);
    case OPC_AMO:
        return decode_amo(w, in);
    case OPC_LOAD_FP:
        return f3 == 2 ? RV_OP_FLW : f3 == 3 ? RV_OP_FLD : RV_OP_ILLEGAL;
    case OPC_STORE_FP:
        in->imm = sext(bits(w, 31, 25) << 5 | bits(w, 11, 7), 12);
        return f3 == 2 ? RV_OP_FSW : f3 == 3 ? RV_OP_FSD : RV_OP_ILLEGAL;
    case OPC_MADD:
    case OPC_MSUB:
    case OPC_NMSUB:
    case OPC_NMADD: {
        unsigned fmt = bits(w, 26, 25);
        unsigned which = (bits(w, 6, 0) - OPC_MADD) >> 2;   /* 0..3 */

        if (fmt > 1 || !rm_valid(f3)) {
            return RV_OP_ILLEGAL;
        }
        return RV_OP_FMADD_S + which * 2 + fmt;
    }
    case OPC_OP_FP:
        return decode_op_fp(w, in);
    }
    return RV_OP_ILLEGAL;
}

void riscv_decode(uint32_t raw, unsigned len, RISCVInsn *insn)
{
    uint32_t w = len == 2 ? riscv_expand_compressed((uint16_t)raw) : raw;

    memset(insn, 0, sizeof(*insn));
    insn->raw = raw;
    insn->len = (uint8_t)len;
    insn->op = (w & 3) == 3 ? decode32(w, insn) : RV_OP_ILLEGAL;
}

/* ---- Disassembler ---- */

static const char *const op_names[RV_OP_COUNT] = {
#define RISCV_OP_NAME(op, name, fmt) name,
    RISCV_OPS(RISCV_OP_NAME)
#undef RISCV_OP_NAME
};

static const char *const op_formats[RV_OP_COUNT] = {
#define RISCV_OP_FMT(op, name, fmt) fmt,
    RISCV_OPS(RISCV_OP_FMT)
#undef RISCV_OP_FMT
};

static const char *const xreg_names[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3",
    "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11",
    "t3", "t4", "t5", "t6",
};

static const char *const freg_names[32] = {
    "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1",
    "fa2", "fa3", "fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7",
    "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
};

void riscv_disas_insn(const RISCVInsn *insn, uint64_t pc, char *buf, size_t size)
{
    GString *s = g_string_new(op_names[insn->op]);
    const char *f = op_formats[insn->op];

    if (insn->op == RV_OP_ILLEGAL) {
        g_string_append_printf(s, " 0x%0*" PRIx32, insn->len * 2, insn->raw);
    }
    for (bool first = true; *f; f++) {
        if (*f == ',') {
            continue;
        }
        g_string_append(s, first ? " " : ",");
        first = false;
        switch (*f) {
        case 'd': g_string_append(s, xreg_names[insn->rd]); break;
        case 's': g_string_append(s, xreg_names[insn->rs1]); break;
        case 't': g_string_append(s, xreg_names[insn->rs2]); break;
        case 'D': g_string_append(s, freg_names[insn->rd]); break;
        case 'S': g_string_append(s, freg_names[insn->rs1]); break;
        case 'T': g_string_append(s, freg_names[insn->rs2]); break;
        case 'R': g_string_append(s, freg_names[insn->rs3]); break;
        case 'i': g_string_append_printf(s, "%" PRId64, insn->imm); break;
        case 'u': g_string_append_printf(s, "0x%" PRIx64, (insn->imm >> 12) & 0xfffff); break;
        case 'm':
            g_string_append_printf(s, "%" PRId64 "(%s)", insn->imm, xreg_names[insn->rs1]);
            break;
        case 'a': g_string_append_printf(s, "(%s)", xreg_names[insn->rs1]); break;
        case 'b': g_string_append_printf(s, "0x%" PRIx64, pc + (uint64_t)insn->imm); break;
        case 'c': g_string_append_printf(s, "0x%03" PRIx64, insn->imm); break;
        case 'z': g_string_append_printf(s, "%u", insn->rs1); break;
        }
    }
    g_strlcpy(buf, s->str, size);
    g_string_free(s, TRUE);
}
