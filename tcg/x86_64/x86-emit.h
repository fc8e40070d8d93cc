/*
 * x86-64 instruction encoder used by the TCG x86-64 back end: REX, ModRM,
 * SIB and displacement encoding for the integer instructions the back end
 * needs, written from the Intel SDM (volume 2). Code is written through the
 * writable alias of the code buffer while branch displacements are computed
 * from the executable alias, so an X86Emit carries the distance between the
 * two. The emitter never checks for space: its user keeps a margin at the
 * end of the buffer and checks between operations.
 */
#ifndef TCG_X86_64_X86_EMIT_H
#define TCG_X86_64_X86_EMIT_H

#include "util/osdep.h"

/* Host registers, numbered as in the ModRM/REX encodings. */
enum {
    X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
    X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
    X86_NREGS,
    X86_NOREG = -1,
};

/* Condition codes (the low nibble of Jcc/SETcc/CMOVcc). */
typedef enum X86Cond {
    X86_CC_O, X86_CC_NO, X86_CC_B, X86_CC_AE, X86_CC_E, X86_CC_NE, X86_CC_BE, X86_CC_A,
    X86_CC_S, X86_CC_NS, X86_CC_P, X86_CC_NP, X86_CC_L, X86_CC_GE, X86_CC_LE, X86_CC_G,
} X86Cond;

static inline X86Cond x86_cond_invert(X86Cond c)
{
    return (X86Cond)(c ^ 1);
}

/* The eight classic ALU operations, in their /digit order. */
typedef enum X86AluOp {
    X86_ADD, X86_OR, X86_ADC, X86_SBB, X86_AND, X86_SUB, X86_XOR, X86_CMP,
} X86AluOp;

/* Shift and rotate group (0xC1/0xD3 /digit). */
typedef enum X86ShiftOp {
    X86_ROL = 0, X86_ROR = 1, X86_SHL = 4, X86_SHR = 5, X86_SAR = 7,
} X86ShiftOp;

/* Unary group 3 (0xF7 /digit); MUL..IDIV use rdx:rax implicitly. */
typedef enum X86UnaryOp {
    X86_NOT = 2, X86_NEG = 3, X86_MUL = 4, X86_IMUL1 = 5, X86_DIV = 6, X86_IDIV = 7,
} X86UnaryOp;

/* Register-to-register extensions (the destination is always a full register). */
typedef enum X86ExtOp {
    X86_EXT8U,   /* movzbl */
    X86_EXT8S,   /* movsbq */
    X86_EXT16U,  /* movzwl */
    X86_EXT16S,  /* movswq */
    X86_EXT32U,  /* movl */
    X86_EXT32S,  /* movslq */
    X86_EXT8S32, /* movsbl: sign-extends to 32 bits, zeroes the upper half */
    X86_EXT16S32,/* movswl */
} X86ExtOp;

/* Loads from memory; every kind writes the whole 64-bit register. */
typedef enum X86LoadOp {
    X86_LD8U, X86_LD8S, X86_LD16U, X86_LD16S, X86_LD32U, X86_LD32S, X86_LD64,
    X86_LD8S32, X86_LD16S32,
} X86LoadOp;

/* Bit scans and counts (0F BC/BD, F3 0F BC/BD/B8). */
typedef enum X86BitOp {
    X86_BSF, X86_BSR, X86_TZCNT, X86_LZCNT, X86_POPCNT,
} X86BitOp;

/* A memory operand: [base + index << shift + disp]; index may be X86_NOREG. */
typedef struct X86Mem {
    int8_t base;
    int8_t index;
    uint8_t shift;
    int32_t disp;
} X86Mem;

static inline X86Mem x86_mem(int base, int32_t disp)
{
    return (X86Mem){ .base = base, .index = X86_NOREG, .shift = 0, .disp = disp };
}

static inline X86Mem x86_mem_idx(int base, int index, int shift, int32_t disp)
{
    return (X86Mem){ .base = base, .index = index, .shift = shift, .disp = disp };
}

typedef struct X86Emit {
    uint8_t *start;      /* first byte of the region being written (writable alias) */
    uint8_t *ptr;        /* next byte to write (writable alias) */
    ptrdiff_t rx_delta;  /* executable address minus writable address */
} X86Emit;

/* The executable address of a byte written at P. */
static inline uintptr_t x86_emit_rx_addr(const X86Emit *e, const uint8_t *p)
{
    return (uintptr_t)p + e->rx_delta;
}

void x86_emit_init(X86Emit *e, uint8_t *rw, uintptr_t rx);

void x86_emit_byte(X86Emit *e, uint8_t b);
void x86_emit_u32(X86Emit *e, uint32_t v);
void x86_emit_u64(X86Emit *e, uint64_t v);

/* dst op= src; w selects 64-bit operation (else 32-bit, zeroing the upper half). */
void x86_emit_alu_rr(X86Emit *e, X86AluOp op, bool w, int dst, int src);
void x86_emit_alu_ri(X86Emit *e, X86AluOp op, bool w, int dst, int32_t imm);
void x86_emit_alu_rm(X86Emit *e, X86AluOp op, bool w, int dst, X86Mem m);
void x86_emit_alu_mr(X86Emit *e, X86AluOp op, bool w, X86Mem m, int src);
void x86_emit_alu_mi(X86Emit *e, X86AluOp op, bool w, X86Mem m, int32_t imm);
void x86_emit_test_rr(X86Emit *e, bool w, int a, int b);
void x86_emit_test_ri(X86Emit *e, bool w, int r, int32_t imm);

/* Moves. mov_rr with !w zero-extends; movi picks the shortest flag-preserving form. */
void x86_emit_mov_rr(X86Emit *e, bool w, int dst, int src);
void x86_emit_movi(X86Emit *e, int dst, uint64_t imm);
void x86_emit_xchg(X86Emit *e, int a, int b);
void x86_emit_load(X86Emit *e, X86LoadOp op, int dst, X86Mem m);
/* Stores the low 1 << size_log2 bytes of src. */
void x86_emit_store(X86Emit *e, unsigned size_log2, int src, X86Mem m);
/* Stores imm (sign-extended to 8 bytes for size_log2 3). */
void x86_emit_store_imm(X86Emit *e, unsigned size_log2, X86Mem m, int32_t imm);
void x86_emit_lea(X86Emit *e, bool w, int dst, X86Mem m);
/* leaq target(%rip), dst: the executable address of TARGET (a writable-alias pointer). */
void x86_emit_lea_rip(X86Emit *e, int dst, const uint8_t *target);
void x86_emit_ext(X86Emit *e, X86ExtOp op, int dst, int src);

void x86_emit_shift_ri(X86Emit *e, X86ShiftOp op, bool w, int dst, uint8_t count);
void x86_emit_shift_cl(X86Emit *e, X86ShiftOp op, bool w, int dst);
void x86_emit_unary(X86Emit *e, X86UnaryOp op, bool w, int r);
void x86_emit_imul_rr(X86Emit *e, bool w, int dst, int src);
void x86_emit_imul_rri(X86Emit *e, bool w, int dst, int src, int32_t imm);
/* cltd / cqto: sign-extend rax into rdx. */
void x86_emit_sign_extend_ax(X86Emit *e, bool w);
void x86_emit_bitop(X86Emit *e, X86BitOp op, bool w, int dst, int src);
void x86_emit_bswap(X86Emit *e, bool w, int r);
/* rolw $8, r: swaps the two low bytes, leaves the rest of r alone. */
void x86_emit_bswap16(X86Emit *e, int r);

void x86_emit_setcc(X86Emit *e, X86Cond cond, int dst);
void x86_emit_cmov(X86Emit *e, X86Cond cond, bool w, int dst, int src);

/*
 * Branches. The forms without a target return the address (writable alias)
 * of their displacement field for x86_emit_patch_rel8/rel32. A target is
 * given as a writable-alias pointer into the same buffer (_to forms) or as an
 * absolute executable address (_abs forms).
 */
uint8_t *x86_emit_jcc8(X86Emit *e, X86Cond cond);
uint8_t *x86_emit_jcc32(X86Emit *e, X86Cond cond);
uint8_t *x86_emit_jmp8(X86Emit *e);
uint8_t *x86_emit_jmp32(X86Emit *e);
void x86_emit_jcc_to(X86Emit *e, X86Cond cond, const uint8_t *target);
void x86_emit_jmp_to(X86Emit *e, const uint8_t *target);
void x86_emit_jmp_r(X86Emit *e, int r);
void x86_emit_jmp_m(X86Emit *e, X86Mem m);
void x86_emit_patch_rel8(X86Emit *e, uint8_t *field, const uint8_t *target);
void x86_emit_patch_rel32(X86Emit *e, uint8_t *field, const uint8_t *target);
/* Whether an executable address is reachable by a rel32 ending at P. */
bool x86_emit_rel32_reaches(const X86Emit *e, const uint8_t *p, uintptr_t target);
/* Calls an absolute address: call rel32 when in reach, else through scratch. */
void x86_emit_call_abs(X86Emit *e, uintptr_t target, int scratch);
void x86_emit_jmp_abs(X86Emit *e, uintptr_t target, int scratch);
void x86_emit_call_r(X86Emit *e, int r);

void x86_emit_push(X86Emit *e, int r);
void x86_emit_pop(X86Emit *e, int r);
void x86_emit_ret(X86Emit *e);
void x86_emit_ud2(X86Emit *e);
void x86_emit_mfence(X86Emit *e);
/* n bytes of recommended multi-byte NOPs. */
void x86_emit_nops(X86Emit *e, unsigned n);

#endif
