/*
 * Unit tests for the TCG x86-64 back end. The encoder tests emit every
 * instruction form over all sixteen registers and a spread of displacements
 * and immediates, then decode the bytes with capstone (detail mode) and check
 * that exactly one instruction of the expected length came out, with the
 * expected mnemonic and operands. The JIT tests run the IR programs of
 * tcg-programs.h on the JIT and on the interpreter (the reference) and
 * compare the whole env, with and without the optional host instructions
 * (lzcnt, tzcnt, popcnt); check the exit protocol, chaining, the inline
 * jump-cache lookup and precise-state return addresses; and compare both
 * back ends on seeded random IR sequences for a bounded time.
 */
#include "util/osdep.h"
#include "exec/exec-all.h"
#include "tcg/x86_64/x86-emit.h"
#include "tcg/x86_64/x86-backend.h"
#include "util/log.h"
#include "tcg-programs.h"

#include <capstone.h>

static csh cs;
static uint8_t code[256];
static X86Emit em;

#define RX_BASE 0x7f0000100000ull

static const x86_reg cs_reg64[16] = {
    X86_REG_RAX, X86_REG_RCX, X86_REG_RDX, X86_REG_RBX, X86_REG_RSP, X86_REG_RBP,
    X86_REG_RSI, X86_REG_RDI, X86_REG_R8, X86_REG_R9, X86_REG_R10, X86_REG_R11,
    X86_REG_R12, X86_REG_R13, X86_REG_R14, X86_REG_R15,
};
static const x86_reg cs_reg32[16] = {
    X86_REG_EAX, X86_REG_ECX, X86_REG_EDX, X86_REG_EBX, X86_REG_ESP, X86_REG_EBP,
    X86_REG_ESI, X86_REG_EDI, X86_REG_R8D, X86_REG_R9D, X86_REG_R10D, X86_REG_R11D,
    X86_REG_R12D, X86_REG_R13D, X86_REG_R14D, X86_REG_R15D,
};
static const x86_reg cs_reg16[16] = {
    X86_REG_AX, X86_REG_CX, X86_REG_DX, X86_REG_BX, X86_REG_SP, X86_REG_BP,
    X86_REG_SI, X86_REG_DI, X86_REG_R8W, X86_REG_R9W, X86_REG_R10W, X86_REG_R11W,
    X86_REG_R12W, X86_REG_R13W, X86_REG_R14W, X86_REG_R15W,
};
static const x86_reg cs_reg8[16] = {
    X86_REG_AL, X86_REG_CL, X86_REG_DL, X86_REG_BL, X86_REG_SPL, X86_REG_BPL,
    X86_REG_SIL, X86_REG_DIL, X86_REG_R8B, X86_REG_R9B, X86_REG_R10B, X86_REG_R11B,
    X86_REG_R12B, X86_REG_R13B, X86_REG_R14B, X86_REG_R15B,
};

static x86_reg cs_reg(int r, int size)
{
    switch (size) {
    case 1:
        return cs_reg8[r];
    case 2:
        return cs_reg16[r];
    case 4:
        return cs_reg32[r];
    default:
        return cs_reg64[r];
    }
}

static const unsigned cs_alu[8] = {
    X86_INS_ADD, X86_INS_OR, X86_INS_ADC, X86_INS_SBB,
    X86_INS_AND, X86_INS_SUB, X86_INS_XOR, X86_INS_CMP,
};
static const unsigned cs_setcc[16] = {
    X86_INS_SETO, X86_INS_SETNO, X86_INS_SETB, X86_INS_SETAE, X86_INS_SETE, X86_INS_SETNE,
    X86_INS_SETBE, X86_INS_SETA, X86_INS_SETS, X86_INS_SETNS, X86_INS_SETP, X86_INS_SETNP,
    X86_INS_SETL, X86_INS_SETGE, X86_INS_SETLE, X86_INS_SETG,
};
static const unsigned cs_jcc[16] = {
    X86_INS_JO, X86_INS_JNO, X86_INS_JB, X86_INS_JAE, X86_INS_JE, X86_INS_JNE,
    X86_INS_JBE, X86_INS_JA, X86_INS_JS, X86_INS_JNS, X86_INS_JP, X86_INS_JNP,
    X86_INS_JL, X86_INS_JGE, X86_INS_JLE, X86_INS_JG,
};
static const unsigned cs_cmov[16] = {
    X86_INS_CMOVO, X86_INS_CMOVNO, X86_INS_CMOVB, X86_INS_CMOVAE, X86_INS_CMOVE,
    X86_INS_CMOVNE, X86_INS_CMOVBE, X86_INS_CMOVA, X86_INS_CMOVS, X86_INS_CMOVNS,
    X86_INS_CMOVP, X86_INS_CMOVNP, X86_INS_CMOVL, X86_INS_CMOVGE, X86_INS_CMOVLE,
    X86_INS_CMOVG,
};

static const int32_t disps[] = { 0, 1, -1, 127, -128, 128, -129, 0x12345678, INT32_MIN };
static const int32_t imms[] = { 0, 1, -1, 127, -128, 128, -129, 0x7fffffff, INT32_MIN };

static void start(void)
{
    x86_emit_init(&em, code, RX_BASE);
}

/* Decodes what was emitted since start(): exactly one instruction with id ID. */
static cs_insn *decode(unsigned id)
{
    size_t len = em.ptr - code;
    cs_insn *insn;

    g_assert_cmpuint(len, >, 0);
    g_assert_cmpuint(cs_disasm(cs, code, len, RX_BASE, 1, &insn), ==, 1);
    if (insn->size != len || insn->id != id) {
        g_test_message("got %s %s (%u of %zu bytes), want insn id %u",
                       insn->mnemonic, insn->op_str, insn->size, len, id);
    }
    g_assert_cmpuint(insn->size, ==, len);
    g_assert_cmpuint(insn->id, ==, id);
    return insn;
}

static const cs_x86_op *op(cs_insn *insn, int i)
{
    g_assert_cmpint(insn->detail->x86.op_count, >, i);
    return &insn->detail->x86.operands[i];
}

static void check_reg(cs_insn *insn, int i, int r, int size)
{
    const cs_x86_op *o = op(insn, i);

    g_assert_cmpint(o->type, ==, X86_OP_REG);
    g_assert_cmpint(o->reg, ==, cs_reg(r, size));
}

static void check_imm(cs_insn *insn, int i, int64_t imm, int size)
{
    const cs_x86_op *o = op(insn, i);
    uint64_t mask = size == 8 ? UINT64_MAX : (1ull << (size * 8)) - 1;

    g_assert_cmpint(o->type, ==, X86_OP_IMM);
    g_assert_cmphex((uint64_t)o->imm & mask, ==, (uint64_t)imm & mask);
}

static void check_mem(cs_insn *insn, int i, X86Mem m, int size)
{
    const cs_x86_op *o = op(insn, i);

    g_assert_cmpint(o->type, ==, X86_OP_MEM);
    g_assert_cmpint(o->mem.base, ==, cs_reg64[m.base]);
    g_assert_cmpint(o->mem.index, ==, m.index < 0 ? X86_REG_INVALID : cs_reg64[m.index]);
    if (m.index >= 0) {
        g_assert_cmpint(o->mem.scale, ==, 1 << m.shift);
    }
    g_assert_cmpint(o->mem.disp, ==, m.disp);
    if (size) {
        g_assert_cmpint(o->size, ==, size);
    }
}

/* Calls fn for a spread of memory operands over every base and some indexes. */
static void for_each_mem(void (*fn)(X86Mem m, void *opaque), void *opaque)
{
    static const int indexes[] = { X86_NOREG, X86_RAX, X86_RBP, X86_R12, X86_R13, X86_R15 };

    for (int base = 0; base < 16; base++) {
        for (size_t d = 0; d < ARRAY_SIZE(disps); d++) {
            for (size_t i = 0; i < ARRAY_SIZE(indexes); i++) {
                fn(x86_mem_idx(base, indexes[i], (base + d) & 3, disps[d]), opaque);
            }
        }
    }
}

static void test_x86_emit_alu(void)
{
    for (int aop = 0; aop < 8; aop++) {
        for (int w = 0; w < 2; w++) {
            int size = w ? 8 : 4;

            for (int d = 0; d < 16; d++) {
                for (int s = 0; s < 16; s++) {
                    cs_insn *insn;

                    start();
                    x86_emit_alu_rr(&em, aop, w, d, s);
                    insn = decode(cs_alu[aop]);
                    check_reg(insn, 0, d, size);
                    check_reg(insn, 1, s, size);
                    cs_free(insn, 1);
                }
                for (size_t i = 0; i < ARRAY_SIZE(imms); i++) {
                    cs_insn *insn;

                    start();
                    x86_emit_alu_ri(&em, aop, w, d, imms[i]);
                    insn = decode(cs_alu[aop]);
                    check_reg(insn, 0, d, size);
                    check_imm(insn, 1, imms[i], size);
                    cs_free(insn, 1);
                }
            }
        }
    }
}

static void check_alu_mem(X86Mem m, void *opaque)
{
    for (int aop = 0; aop < 8; aop += 3) {
        for (int w = 0; w < 2; w++) {
            int size = w ? 8 : 4;
            int r = (m.base * 7 + aop) & 15;
            cs_insn *insn;

            start();
            x86_emit_alu_rm(&em, aop, w, r, m);
            insn = decode(cs_alu[aop]);
            check_reg(insn, 0, r, size);
            check_mem(insn, 1, m, size);
            cs_free(insn, 1);

            start();
            x86_emit_alu_mr(&em, aop, w, m, r);
            insn = decode(cs_alu[aop]);
            check_mem(insn, 0, m, size);
            check_reg(insn, 1, r, size);
            cs_free(insn, 1);

            start();
            x86_emit_alu_mi(&em, aop, w, m, imms[r % ARRAY_SIZE(imms)]);
            insn = decode(cs_alu[aop]);
            check_mem(insn, 0, m, size);
            check_imm(insn, 1, imms[r % ARRAY_SIZE(imms)], size);
            cs_free(insn, 1);
        }
    }
}

static void test_x86_emit_alu_mem(void)
{
    for_each_mem(check_alu_mem, NULL);
}

static void check_load_store(X86Mem m, void *opaque)
{
    static const struct {
        X86LoadOp op;
        unsigned id;
        int dst_size, mem_size;
    } loads[] = {
        { X86_LD8U, X86_INS_MOVZX, 4, 1 },
        { X86_LD8S, X86_INS_MOVSX, 8, 1 },
        { X86_LD16U, X86_INS_MOVZX, 4, 2 },
        { X86_LD16S, X86_INS_MOVSX, 8, 2 },
        { X86_LD32U, X86_INS_MOV, 4, 4 },
        { X86_LD32S, X86_INS_MOVSXD, 8, 4 },
        { X86_LD64, X86_INS_MOV, 8, 8 },
        { X86_LD8S32, X86_INS_MOVSX, 4, 1 },
        { X86_LD16S32, X86_INS_MOVSX, 4, 2 },
    };

    for (int r = 0; r < 16; r++) {
        cs_insn *insn;
        int32_t imm = imms[r % ARRAY_SIZE(imms)];
        const typeof(loads[0]) *ld = &loads[r % ARRAY_SIZE(loads)];
        unsigned sz = r & 3;

        start();
        x86_emit_load(&em, ld->op, r, m);
        insn = decode(ld->id);
        check_reg(insn, 0, r, ld->dst_size);
        check_mem(insn, 1, m, ld->mem_size);
        cs_free(insn, 1);

        start();
        x86_emit_store(&em, sz, r, m);
        insn = decode(X86_INS_MOV);
        check_mem(insn, 0, m, 1 << sz);
        check_reg(insn, 1, r, 1 << sz);
        cs_free(insn, 1);

        start();
        x86_emit_store_imm(&em, sz, m, imm);
        insn = decode(X86_INS_MOV);
        check_mem(insn, 0, m, 1 << sz);
        check_imm(insn, 1, imm, 1 << sz);
        cs_free(insn, 1);

        start();
        x86_emit_lea(&em, r & 1, r, m);
        insn = decode(X86_INS_LEA);
        check_reg(insn, 0, r, r & 1 ? 8 : 4);
        check_mem(insn, 1, m, 0);
        cs_free(insn, 1);
    }
    start();
    x86_emit_jmp_m(&em, m);
    cs_free(decode(X86_INS_JMP), 1);
}

static void test_x86_emit_load_store(void)
{
    for_each_mem(check_load_store, NULL);
}

static void test_x86_emit_mov(void)
{
    static const uint64_t values[] = {
        0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull, 0xffffffff80000000ull,
        0xffffffff7fffffffull, UINT64_MAX, 0x123456789abcdef0ull,
    };

    for (int d = 0; d < 16; d++) {
        for (int s = 0; s < 16; s++) {
            for (int w = 0; w < 2; w++) {
                cs_insn *insn;

                start();
                x86_emit_mov_rr(&em, w, d, s);
                if (w && d == s) {
                    g_assert_true(em.ptr == code);
                    continue;
                }
                insn = decode(X86_INS_MOV);
                check_reg(insn, 0, d, w ? 8 : 4);
                check_reg(insn, 1, s, w ? 8 : 4);
                cs_free(insn, 1);
            }
            start();
            x86_emit_xchg(&em, d, s);
            cs_free(decode(X86_INS_XCHG), 1);
        }
        for (size_t i = 0; i < ARRAY_SIZE(values); i++) {
            uint64_t v = values[i];
            bool abs = v > UINT32_MAX && (int64_t)v != (int32_t)v;
            cs_insn *insn;

            start();
            x86_emit_movi(&em, d, v);
            insn = decode(abs ? X86_INS_MOVABS : X86_INS_MOV);
            check_reg(insn, 0, d, v <= UINT32_MAX ? 4 : 8);
            check_imm(insn, 1, v, v <= UINT32_MAX ? 4 : 8);
            cs_free(insn, 1);
        }
    }
}

static void test_x86_emit_ext(void)
{
    static const struct {
        X86ExtOp op;
        unsigned id;
        int dst_size, src_size;
    } exts[] = {
        { X86_EXT8U, X86_INS_MOVZX, 4, 1 },
        { X86_EXT8S, X86_INS_MOVSX, 8, 1 },
        { X86_EXT16U, X86_INS_MOVZX, 4, 2 },
        { X86_EXT16S, X86_INS_MOVSX, 8, 2 },
        { X86_EXT32U, X86_INS_MOV, 4, 4 },
        { X86_EXT32S, X86_INS_MOVSXD, 8, 4 },
        { X86_EXT8S32, X86_INS_MOVSX, 4, 1 },
        { X86_EXT16S32, X86_INS_MOVSX, 4, 2 },
    };

    for (size_t i = 0; i < ARRAY_SIZE(exts); i++) {
        for (int d = 0; d < 16; d++) {
            for (int s = 0; s < 16; s++) {
                cs_insn *insn;

                start();
                x86_emit_ext(&em, exts[i].op, d, s);
                insn = decode(exts[i].id);
                check_reg(insn, 0, d, exts[i].dst_size);
                check_reg(insn, 1, s, exts[i].src_size);
                cs_free(insn, 1);
            }
        }
    }
}

static void test_x86_emit_arith(void)
{
    static const struct {
        X86ShiftOp op;
        unsigned id;
    } shifts[] = {
        { X86_ROL, X86_INS_ROL }, { X86_ROR, X86_INS_ROR }, { X86_SHL, X86_INS_SHL },
        { X86_SHR, X86_INS_SHR }, { X86_SAR, X86_INS_SAR },
    };
    static const struct {
        X86UnaryOp op;
        unsigned id;
    } unary[] = {
        { X86_NOT, X86_INS_NOT }, { X86_NEG, X86_INS_NEG }, { X86_MUL, X86_INS_MUL },
        { X86_IMUL1, X86_INS_IMUL }, { X86_DIV, X86_INS_DIV }, { X86_IDIV, X86_INS_IDIV },
    };
    static const struct {
        X86BitOp op;
        unsigned id;
    } bitops[] = {
        { X86_BSF, X86_INS_BSF }, { X86_BSR, X86_INS_BSR }, { X86_TZCNT, X86_INS_TZCNT },
        { X86_LZCNT, X86_INS_LZCNT }, { X86_POPCNT, X86_INS_POPCNT },
    };

    for (int w = 0; w < 2; w++) {
        int size = w ? 8 : 4;

        for (int d = 0; d < 16; d++) {
            cs_insn *insn;

            for (size_t i = 0; i < ARRAY_SIZE(shifts); i++) {
                for (int c = 1; c < 64; c += 7) {
                    start();
                    x86_emit_shift_ri(&em, shifts[i].op, w, d, c);
                    insn = decode(shifts[i].id);
                    check_reg(insn, 0, d, size);
                    if (c != 1) {
                        check_imm(insn, 1, c, 1);
                    }
                    cs_free(insn, 1);
                }
                start();
                x86_emit_shift_cl(&em, shifts[i].op, w, d);
                insn = decode(shifts[i].id);
                check_reg(insn, 0, d, size);
                check_reg(insn, 1, X86_RCX, 1);
                cs_free(insn, 1);
            }
            for (size_t i = 0; i < ARRAY_SIZE(unary); i++) {
                start();
                x86_emit_unary(&em, unary[i].op, w, d);
                insn = decode(unary[i].id);
                check_reg(insn, 0, d, size);
                cs_free(insn, 1);
            }
            for (int s = 0; s < 16; s++) {
                start();
                x86_emit_imul_rr(&em, w, d, s);
                insn = decode(X86_INS_IMUL);
                check_reg(insn, 0, d, size);
                check_reg(insn, 1, s, size);
                cs_free(insn, 1);

                start();
                x86_emit_imul_rri(&em, w, d, s, imms[s % ARRAY_SIZE(imms)]);
                insn = decode(X86_INS_IMUL);
                check_reg(insn, 0, d, size);
                check_reg(insn, 1, s, size);
                check_imm(insn, 2, imms[s % ARRAY_SIZE(imms)], size);
                cs_free(insn, 1);

                start();
                x86_emit_test_rr(&em, w, d, s);
                insn = decode(X86_INS_TEST);
                check_reg(insn, 0, d, size);
                check_reg(insn, 1, s, size);
                cs_free(insn, 1);

                for (size_t i = 0; i < ARRAY_SIZE(bitops); i++) {
                    start();
                    x86_emit_bitop(&em, bitops[i].op, w, d, s);
                    insn = decode(bitops[i].id);
                    check_reg(insn, 0, d, size);
                    check_reg(insn, 1, s, size);
                    cs_free(insn, 1);
                }
            }
            start();
            x86_emit_test_ri(&em, w, d, imms[d % ARRAY_SIZE(imms)]);
            insn = decode(X86_INS_TEST);
            check_reg(insn, 0, d, size);
            check_imm(insn, 1, imms[d % ARRAY_SIZE(imms)], size);
            cs_free(insn, 1);

            start();
            x86_emit_bswap(&em, w, d);
            insn = decode(X86_INS_BSWAP);
            check_reg(insn, 0, d, size);
            cs_free(insn, 1);
        }
        start();
        x86_emit_sign_extend_ax(&em, w);
        cs_free(decode(w ? X86_INS_CQO : X86_INS_CDQ), 1);
    }
    for (int d = 0; d < 16; d++) {
        cs_insn *insn;

        start();
        x86_emit_bswap16(&em, d);
        insn = decode(X86_INS_ROL);
        check_reg(insn, 0, d, 2);
        check_imm(insn, 1, 8, 1);
        cs_free(insn, 1);
    }
}

static void test_x86_emit_cond(void)
{
    for (int cc = 0; cc < 16; cc++) {
        for (int d = 0; d < 16; d++) {
            cs_insn *insn;

            start();
            x86_emit_setcc(&em, cc, d);
            insn = decode(cs_setcc[cc]);
            check_reg(insn, 0, d, 1);
            cs_free(insn, 1);
            for (int s = 0; s < 16; s += 5) {
                start();
                x86_emit_cmov(&em, cc, d & 1, d, s);
                insn = decode(cs_cmov[cc]);
                check_reg(insn, 0, d, d & 1 ? 8 : 4);
                check_reg(insn, 1, s, d & 1 ? 8 : 4);
                cs_free(insn, 1);
            }
        }
        g_assert_cmpint(x86_cond_invert(cc) ^ cc, ==, 1);
    }
}

/* A branch emitted at code + at to code + target decodes to RX_BASE + target. */
static void check_branch(unsigned id, int at, int target)
{
    size_t len = em.ptr - (code + at);
    cs_insn *insn;

    g_assert_cmpuint(cs_disasm(cs, code + at, len, RX_BASE + at, 1, &insn), ==, 1);
    g_assert_cmpuint(insn->size, ==, len);
    g_assert_cmpuint(insn->id, ==, id);
    check_imm(insn, 0, RX_BASE + target, 8);
    cs_free(insn, 1);
}

static void test_x86_emit_branch(void)
{
    for (int cc = 0; cc < 16; cc++) {
        for (int at = 0; at < 200; at += 199) {
            for (int target = 0; target < 256; target += 17) {
                start();
                em.ptr = code + at;
                x86_emit_jcc_to(&em, cc, code + target);
                check_branch(cs_jcc[cc], at, target);
                g_assert_cmpint(em.ptr - (code + at), ==,
                                abs(target - (at + 2)) <= 127 ? 2 : 6);
                em.ptr = code + at;
                x86_emit_jmp_to(&em, code + target);
                check_branch(X86_INS_JMP, at, target);
            }
        }
        start();
        x86_emit_patch_rel32(&em, x86_emit_jcc32(&em, cc), code + 100);
        check_branch(cs_jcc[cc], 0, 100);
        start();
        x86_emit_patch_rel8(&em, x86_emit_jcc8(&em, cc), code + 100);
        check_branch(cs_jcc[cc], 0, 100);
    }
    start();
    x86_emit_patch_rel32(&em, x86_emit_jmp32(&em), code + 3);
    check_branch(X86_INS_JMP, 0, 3);
    start();
    x86_emit_patch_rel8(&em, x86_emit_jmp8(&em), code + 3);
    check_branch(X86_INS_JMP, 0, 3);

    /* Absolute calls and jumps: rel32 when in reach, through a register else. */
    start();
    x86_emit_call_abs(&em, RX_BASE + 0x40000000, X86_R11);
    check_branch(X86_INS_CALL, 0, 0x40000000);
    start();
    x86_emit_jmp_abs(&em, RX_BASE - 0x40000000, X86_R11);
    check_branch(X86_INS_JMP, 0, -0x40000000);
    g_assert_true(x86_emit_rel32_reaches(&em, code, RX_BASE + INT32_MAX));
    g_assert_false(x86_emit_rel32_reaches(&em, code, RX_BASE + INT32_MAX + 1ull));
    for (int r = 0; r < 16; r++) {
        cs_insn *insn;
        size_t n;

        start();
        x86_emit_call_abs(&em, 0x1234, r);
        n = cs_disasm(cs, code, em.ptr - code, RX_BASE, 0, &insn);
        g_assert_cmpuint(n, ==, 2);
        g_assert_cmpuint(insn[0].id, ==, X86_INS_MOV);
        g_assert_cmpuint(insn[1].id, ==, X86_INS_CALL);
        g_assert_cmpint(insn[1].detail->x86.operands[0].reg, ==, cs_reg64[r]);
        cs_free(insn, n);

        start();
        x86_emit_jmp_r(&em, r);
        insn = decode(X86_INS_JMP);
        check_reg(insn, 0, r, 8);
        cs_free(insn, 1);

        start();
        x86_emit_push(&em, r);
        insn = decode(X86_INS_PUSH);
        check_reg(insn, 0, r, 8);
        cs_free(insn, 1);

        start();
        x86_emit_pop(&em, r);
        insn = decode(X86_INS_POP);
        check_reg(insn, 0, r, 8);
        cs_free(insn, 1);
    }
}

static void test_x86_emit_misc(void)
{
    for (int r = 0; r < 16; r++) {
        cs_insn *insn;

        start();
        x86_emit_lea_rip(&em, r, code + 200);
        insn = decode(X86_INS_LEA);
        check_reg(insn, 0, r, 8);
        g_assert_cmpint(op(insn, 1)->mem.base, ==, X86_REG_RIP);
        g_assert_cmpint(RX_BASE + insn->size + op(insn, 1)->mem.disp, ==, RX_BASE + 200);
        cs_free(insn, 1);
    }
    start();
    x86_emit_ret(&em);
    cs_free(decode(X86_INS_RET), 1);
    start();
    x86_emit_ud2(&em);
    cs_free(decode(X86_INS_UD2), 1);
    start();
    x86_emit_mfence(&em);
    cs_free(decode(X86_INS_MFENCE), 1);
    for (unsigned n = 1; n <= 20; n++) {
        cs_insn *insn;
        size_t count;

        start();
        x86_emit_nops(&em, n);
        g_assert_cmpint(em.ptr - code, ==, n);
        count = cs_disasm(cs, code, n, RX_BASE, 0, &insn);
        g_assert_cmpuint(count, ==, DIV_ROUND_UP(n, 8));
        for (size_t i = 0; i < count; i++) {
            g_assert_cmpuint(insn[i].id, ==, X86_INS_NOP);
        }
        cs_free(insn, count);
    }
}


/* ---- JIT versus interpreter ---- */

/* Translates and runs PROG with back end BE (the JIT stays the context's back end). */
static uintptr_t run_on(const TCGBackend *be, const TCGTestProgram *prog, bool fold,
                        TCGTestEnv *env)
{
    uintptr_t ret;

    tcg_ctx->backend = be;
    ret = tp_run(prog, fold, env);
    tcg_ctx->backend = &tcg_backend_x86_64;
    return ret;
}

static void check_program(const TCGTestProgram *prog)
{
    g_autofree TCGTestEnv *jit = tp_env_new();
    g_autofree TCGTestEnv *jit_folded = tp_env_new();
    g_autofree TCGTestEnv *ref = tp_env_new();

    g_assert_cmpuint(run_on(&tcg_backend_x86_64, prog, false, jit), ==, 0);
    prog->check(jit);
    g_assert_cmpuint(run_on(&tcg_backend_x86_64, prog, true, jit_folded), ==, 0);
    prog->check(jit_folded);
    g_assert_cmpuint(run_on(&tcg_backend_interp, prog, false, ref), ==, 0);
    g_assert_true(tp_env_equal(jit, ref));
    g_assert_true(tp_env_equal(jit_folded, ref));
}

static void test_jit_program(gconstpointer data)
{
    check_program(data);
}

/* The same without lzcnt, tzcnt and popcnt: the fallback sequences. */
static void test_jit_program_baseline(gconstpointer data)
{
    x86_backend_set_features(0);
    check_program(data);
    x86_backend_set_features(~0u);
}

/* ---- TB protocol ---- */

static TranslationBlock *build_tb(uint64_t pc, void (*body)(TranslationBlock *tb))
{
    TranslationBlock *tb = g_malloc0(sizeof(*tb));

    tb->pc = pc;
    tcg_func_start(tb);
    tcg_gen_tb_start(tb);
    body(tb);
    tcg_gen_tb_end(tb);
    g_assert_cmpint(tcg_gen_code(tcg_ctx, tb), >, 0);
    return tb;
}

static uintptr_t run_tb(TranslationBlock *tb, TCGTestEnv *env)
{
    return tcg_backend_x86_64.tb_exec(env, tb->tc.ptr);
}

static void body_add_goto(TranslationBlock *tb)
{
    tcg_gen_insn_start(tb->pc);
    tcg_gen_addi_i64(tp_r[0], tp_r[0], 3);
    tcg_gen_goto_tb(1);
    tcg_gen_exit_tb(tb, 1);
}

static void body_square(TranslationBlock *tb)
{
    tcg_gen_insn_start(tb->pc);
    tcg_gen_mul_i64(tp_out[1], tp_r[0], tp_r[0]);
    tcg_gen_exit_tb(NULL, 0);
}

static void body_jump_indirect(TranslationBlock *tb)
{
    tcg_gen_insn_start(tb->pc);
    tcg_gen_subi_i64(tp_r[0], tp_r[0], 1);
    tcg_gen_lookup_and_goto_ptr(tp_r[6]);
}

static void test_jit_exit_request(void)
{
    g_autofree TranslationBlock *tb = build_tb(0x2000, body_square);
    g_autofree TCGTestEnv *env = tp_env_new();

    env->r[0] = 9;
    env->common.exit_request = -1;
    g_assert_cmphex(run_tb(tb, env), ==, (uintptr_t)tb | TB_EXIT_REQUESTED);
    g_assert_cmphex(env->out[1], ==, 0);
    env->common.exit_request = 0;
    g_assert_cmphex(run_tb(tb, env), ==, 0);
    g_assert_cmphex(env->out[1], ==, 81);
}

static void test_jit_chaining(void)
{
    g_autofree TranslationBlock *a = build_tb(0x3000, body_add_goto);
    g_autofree TranslationBlock *b = build_tb(0x3100, body_square);
    g_autofree TCGTestEnv *env = tp_env_new();

    env->r[0] = 1;
    g_assert_cmphex(run_tb(a, env), ==, (uintptr_t)a | 1);
    g_assert_cmphex(env->r[0], ==, 4);
    g_assert_cmpuint(a->jmp_insn_offset[0], ==, TB_JMP_OFFSET_INVALID);
    g_assert_cmpuint(a->jmp_insn_offset[1], <, a->tc.size);
    g_assert_cmpuint(((uintptr_t)a->tc.ptr + a->jmp_insn_offset[1]) & 3, ==, 0);

    tcg_backend_x86_64.tb_set_jmp_target(a, 1, b);
    g_assert_cmphex(run_tb(a, env), ==, 0);
    g_assert_cmphex(env->r[0], ==, 7);
    g_assert_cmphex(env->out[1], ==, 49);

    tcg_backend_x86_64.tb_set_jmp_target(a, 1, NULL);
    env->out[1] = 0;
    g_assert_cmphex(run_tb(a, env), ==, (uintptr_t)a | 1);
    g_assert_cmphex(env->r[0], ==, 10);
    g_assert_cmphex(env->out[1], ==, 0);
}

static void test_jit_lookup_and_goto_ptr(void)
{
    g_autofree TranslationBlock *a = build_tb(0x4000, body_jump_indirect);
    g_autofree TranslationBlock *b = build_tb(0x4200, body_square);
    g_autofree TranslationBlock **cache = g_new0(TranslationBlock *, TB_JMP_CACHE_SIZE);
    g_autofree TCGTestEnv *env = tp_env_new();

    env->common.jmp_cache_ptr = (uintptr_t)cache;
    env->r[0] = 10;
    env->r[6] = 0x4200;
    g_assert_cmphex(run_tb(a, env), ==, 0);
    g_assert_cmphex(env->r[0], ==, 9);
    g_assert_cmphex(env->out[1], ==, 0);
    cache[tb_jmp_cache_hash(0x4200)] = b;
    g_assert_cmphex(run_tb(a, env), ==, 0);
    g_assert_cmphex(env->out[1], ==, 64);
    env->out[1] = 0;
    env->r[6] = 0x4200 + 2 * TB_JMP_CACHE_SIZE;
    g_assert_cmphex(run_tb(a, env), ==, 0);
    g_assert_cmphex(env->out[1], ==, 0);
    env->r[6] = 0x4200;
    b->flags = 5;
    g_assert_cmphex(run_tb(a, env), ==, 0);
    g_assert_cmphex(env->out[1], ==, 0);
}

static uintptr_t helper_ra;

static void helper_note_retaddr(void)
{
    helper_ra = GETPC();
}

static void body_three_insns(TranslationBlock *tb)
{
    TCGv_i64 addr = tcg_temp_new_i64();

    tcg_gen_insn_start2(tb->pc, 1);
    tcg_gen_addi_i64(tp_r[0], tp_r[0], 1);
    tcg_gen_insn_start2(tb->pc + 4, 2);
    tcg_gen_call0(helper_note_retaddr, 0, NULL);
    tcg_gen_insn_start2(tb->pc + 8, 3);
    tcg_gen_movi_i64(addr, 0x9000);
    tcg_gen_qemu_st_i64(tp_r[0], addr, 0, MO_UQ);
    tcg_gen_insn_start2(tb->pc + 12, 4);
    tcg_gen_addi_i64(tp_r[0], tp_r[0], 1);
    tcg_gen_exit_tb(NULL, 0);
    tcg_temp_free_i64(addr);
}

static int insn_at(const TranslationBlock *tb, uintptr_t ra)
{
    uintptr_t off = ra - 1 - (uintptr_t)tb->tc.ptr;
    int found = -1;

    g_assert_cmpuint(off, <, tb->tc.size);
    for (int i = 0; i < tb->icount; i++) {
        if (tb->insn_off[i] <= off) {
            found = i;
        }
    }
    return found;
}

static void test_jit_precise_state(void)
{
    g_autofree TranslationBlock *tb = build_tb(0x5000, body_three_insns);
    g_autofree TCGTestEnv *env = tp_env_new();

    g_assert_cmpint(tb->icount, ==, 4);
    helper_ra = tp_last_slow_ra = 0;
    env->r[0] = 41;
    g_assert_cmphex(run_tb(tb, env), ==, 0);
    g_assert_cmpint(insn_at(tb, helper_ra), ==, 1);
    g_assert_cmpint(insn_at(tb, tp_last_slow_ra), ==, 2);
    /* The slow path saw the globals in env: r0 was stored before the access. */
    g_assert_cmphex(env->slow_val, ==, 42);
    g_assert_cmphex(env->slow_addr, ==, 0x9000);
    g_assert_cmphex(env->r[0], ==, 43);
}

static void body_long(TranslationBlock *tb)
{
    tcg_gen_insn_start(tb->pc);
    for (int i = 0; i < 300; i++) {
        tcg_gen_addi_i64(tp_r[i % 4], tp_r[(i + 1) % 4], i * 0x10001);
    }
    tcg_gen_exit_tb(NULL, 0);
}

static void test_jit_buffer_full(void)
{
    TranslationBlock tb __attribute__((aligned(16))) = { .pc = 0x6000 };
    int size, n = 0;

    tcg_code_buffer_flush(tcg_ctx);
    do {
        tcg_func_start(&tb);
        tcg_gen_tb_start(&tb);
        body_long(&tb);
        tcg_gen_tb_end(&tb);
        size = tcg_gen_code(tcg_ctx, &tb);
        n++;
    } while (size > 0 && n < 100000);
    g_assert_cmpint(size, ==, -1);
    g_assert_cmpint(n, >, 10);
    tcg_code_buffer_flush(tcg_ctx);
}

/* ---- Random IR sequences ---- */

#define GEN_TEMPS 4

static struct {
    uint64_t state;
    TCGv_i64 t64[GEN_TEMPS];
    TCGv_i32 t32[GEN_TEMPS];
} gen;

static uint64_t gen_rand(void)
{
    /* xorshift64* */
    gen.state ^= gen.state >> 12;
    gen.state ^= gen.state << 25;
    gen.state ^= gen.state >> 27;
    return gen.state * 0x2545f4914f6cdd1dULL;
}

static unsigned gen_below(unsigned n)
{
    return (unsigned)(gen_rand() >> 33) % n;
}

static uint64_t gen_value(void)
{
    static const uint64_t edge[] = {
        0, 1, 2, 31, 32, 63, 64, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000,
        0xffffffff, 0x100000000ull, INT64_MAX, (uint64_t)INT64_MIN, UINT64_MAX,
        UINT64_MAX - 1, 0xffffffff80000000ull,
    };

    return gen_below(3) ? edge[gen_below(ARRAY_SIZE(edge))] : gen_rand();
}

static TCGv_i64 gen_src64(void)
{
    switch (gen_below(8)) {
    case 0:
    case 1:
        return gen.t64[gen_below(GEN_TEMPS)];
    case 2:
        return tcg_constant_i64((int64_t)gen_value());
    default:
        return tp_r[gen_below(TP_NR)];
    }
}

static TCGv_i64 gen_dst64(void)
{
    switch (gen_below(6)) {
    case 0:
    case 1:
        return gen.t64[gen_below(GEN_TEMPS)];
    case 2:
        return tp_out[gen_below(TP_NOUT)];
    default:
        return tp_r[gen_below(TP_NR)];
    }
}

static TCGv_i32 gen_src32(void)
{
    switch (gen_below(6)) {
    case 0:
    case 1:
        return gen.t32[gen_below(GEN_TEMPS)];
    case 2:
        return tcg_constant_i32((int32_t)gen_value());
    default:
        return tp_w[gen_below(TP_NW)];
    }
}

static TCGv_i32 gen_dst32(void)
{
    return gen_below(2) ? gen.t32[gen_below(GEN_TEMPS)] : tp_w[gen_below(TP_NW)];
}

static TCGCond gen_cond(void)
{
    static const TCGCond conds[] = {
        TCG_COND_EQ, TCG_COND_NE, TCG_COND_LT, TCG_COND_GE, TCG_COND_LE, TCG_COND_GT,
        TCG_COND_LTU, TCG_COND_GEU, TCG_COND_LEU, TCG_COND_GTU, TCG_COND_TSTEQ,
        TCG_COND_TSTNE, TCG_COND_ALWAYS, TCG_COND_NEVER,
    };

    return conds[gen_below(ARRAY_SIZE(conds))];
}

static uint64_t helper_mix(uint64_t a, uint64_t b, uint64_t c)
{
    return a * 3 + (b ^ (c >> 7));
}

static uint32_t helper_mix32(uint32_t a, uint32_t b)
{
    return a - b * 5;
}

/* Reads and writes globals through env: needs them synced before and reloaded after. */
static void helper_env_rw(void *envp)
{
    TCGTestEnv *env = envp;

    env->r[3] += env->r[4] ^ env->w[1];
    env->w[2] ^= (uint32_t)env->r[5];
}

typedef void (*GenBinop64)(TCGv_i64, TCGv_i64, TCGv_i64);
typedef void (*GenBinop32)(TCGv_i32, TCGv_i32, TCGv_i32);
typedef void (*GenUnop64)(TCGv_i64, TCGv_i64);
typedef void (*GenUnop32)(TCGv_i32, TCGv_i32);

/* A divisor that is neither 0 nor -1. */
static TCGv_i64 gen_divisor64(void)
{
    TCGv_i64 d = tcg_temp_new_i64();

    tcg_gen_andi_i64(d, gen_src64(), 0xfff);
    tcg_gen_ori_i64(d, d, 1);
    return d;
}

static TCGv_i32 gen_divisor32(void)
{
    TCGv_i32 d = tcg_temp_new_i32();

    tcg_gen_andi_i32(d, gen_src32(), 0x7ff);
    tcg_gen_ori_i32(d, d, 3);
    return d;
}

/* An address in the mapped guest page (aligned for SIZE) or, rarely, elsewhere. */
static TCGv_i64 gen_address(unsigned size)
{
    TCGv_i64 a = tcg_temp_new_i64();

    tcg_gen_andi_i64(a, gen_src64(), (TARGET_PAGE_SIZE - 1) & ~(uint64_t)(size - 1));
    tcg_gen_addi_i64(a, a, gen_below(8) ? TP_GUEST_PAGE : 0x123000);
    return a;
}

static void gen_one_op(void)
{
    static const GenBinop64 bin64[] = {
        tcg_gen_add_i64, tcg_gen_sub_i64, tcg_gen_mul_i64, tcg_gen_and_i64, tcg_gen_or_i64,
        tcg_gen_xor_i64, tcg_gen_andc_i64, tcg_gen_orc_i64, tcg_gen_eqv_i64,
        tcg_gen_nand_i64, tcg_gen_nor_i64, tcg_gen_shl_i64, tcg_gen_shr_i64,
        tcg_gen_sar_i64, tcg_gen_rotl_i64, tcg_gen_rotr_i64, tcg_gen_mulsh_i64,
        tcg_gen_muluh_i64, tcg_gen_clz_i64, tcg_gen_ctz_i64,
    };
    static const GenBinop32 bin32[] = {
        tcg_gen_add_i32, tcg_gen_sub_i32, tcg_gen_mul_i32, tcg_gen_and_i32, tcg_gen_or_i32,
        tcg_gen_xor_i32, tcg_gen_andc_i32, tcg_gen_orc_i32, tcg_gen_eqv_i32,
        tcg_gen_nand_i32, tcg_gen_nor_i32, tcg_gen_shl_i32, tcg_gen_shr_i32,
        tcg_gen_sar_i32, tcg_gen_rotl_i32, tcg_gen_rotr_i32, tcg_gen_mulsh_i32,
        tcg_gen_muluh_i32, tcg_gen_clz_i32, tcg_gen_ctz_i32,
    };
    static const GenBinop64 div64[] = {
        tcg_gen_div_i64, tcg_gen_divu_i64, tcg_gen_rem_i64, tcg_gen_remu_i64,
    };
    static const GenBinop32 div32[] = {
        tcg_gen_div_i32, tcg_gen_divu_i32, tcg_gen_rem_i32, tcg_gen_remu_i32,
    };
    static const GenUnop64 un64[] = {
        tcg_gen_neg_i64, tcg_gen_not_i64, tcg_gen_ext8s_i64, tcg_gen_ext8u_i64,
        tcg_gen_ext16s_i64, tcg_gen_ext16u_i64, tcg_gen_ext32s_i64, tcg_gen_ext32u_i64,
        tcg_gen_bswap16_i64, tcg_gen_bswap32_i64, tcg_gen_bswap64_i64, tcg_gen_ctpop_i64,
        tcg_gen_mov_i64,
    };
    static const GenUnop32 un32[] = {
        tcg_gen_neg_i32, tcg_gen_not_i32, tcg_gen_ext8s_i32, tcg_gen_ext8u_i32,
        tcg_gen_ext16s_i32, tcg_gen_ext16u_i32, tcg_gen_bswap16_i32, tcg_gen_bswap32_i32,
        tcg_gen_ctpop_i32, tcg_gen_mov_i32,
    };
    unsigned pos, len;

    switch (gen_below(24)) {
    case 0 ... 4:
        bin64[gen_below(ARRAY_SIZE(bin64))](gen_dst64(), gen_src64(), gen_src64());
        break;
    case 5 ... 7:
        bin32[gen_below(ARRAY_SIZE(bin32))](gen_dst32(), gen_src32(), gen_src32());
        break;
    case 8:
        un64[gen_below(ARRAY_SIZE(un64))](gen_dst64(), gen_src64());
        break;
    case 9:
        un32[gen_below(ARRAY_SIZE(un32))](gen_dst32(), gen_src32());
        break;
    case 10:
        if (gen_below(2)) {
            TCGv_i64 d = gen_divisor64();

            div64[gen_below(4)](gen_dst64(), gen_src64(), d);
            tcg_temp_free_i64(d);
        } else {
            TCGv_i32 d = gen_divisor32();

            div32[gen_below(4)](gen_dst32(), gen_src32(), d);
            tcg_temp_free_i32(d);
        }
        break;
    case 11:
        if (gen_below(2)) {
            tcg_gen_setcond_i64(gen_cond(), gen_dst64(), gen_src64(), gen_src64());
        } else {
            tcg_gen_setcond_i32(gen_cond(), gen_dst32(), gen_src32(), gen_src32());
        }
        break;
    case 12:
        if (gen_below(2)) {
            tcg_gen_movcond_i64(gen_cond(), gen_dst64(), gen_src64(), gen_src64(),
                                gen_src64(), gen_src64());
        } else {
            tcg_gen_movcond_i32(gen_cond(), gen_dst32(), gen_src32(), gen_src32(),
                                gen_src32(), gen_src32());
        }
        break;
    case 13:
        len = 1 + gen_below(64);
        pos = gen_below(65 - len);
        switch (gen_below(3)) {
        case 0:
            tcg_gen_extract_i64(gen_dst64(), gen_src64(), pos, len);
            break;
        case 1:
            tcg_gen_sextract_i64(gen_dst64(), gen_src64(), pos, len);
            break;
        default:
            tcg_gen_deposit_i64(gen_dst64(), gen_src64(), gen_src64(), pos, len);
            break;
        }
        break;
    case 14:
        len = 1 + gen_below(32);
        pos = gen_below(33 - len);
        switch (gen_below(3)) {
        case 0:
            tcg_gen_extract_i32(gen_dst32(), gen_src32(), pos, len);
            break;
        case 1:
            tcg_gen_sextract_i32(gen_dst32(), gen_src32(), pos, len);
            break;
        default:
            tcg_gen_deposit_i32(gen_dst32(), gen_src32(), gen_src32(), pos, len);
            break;
        }
        break;
    case 15:
        switch (gen_below(4)) {
        case 0:
            tcg_gen_ext_i32_i64(gen_dst64(), gen_src32());
            break;
        case 1:
            tcg_gen_extu_i32_i64(gen_dst64(), gen_src32());
            break;
        case 2:
            tcg_gen_extrl_i64_i32(gen_dst32(), gen_src64());
            break;
        default:
            tcg_gen_extrh_i64_i32(gen_dst32(), gen_src64());
            break;
        }
        break;
    case 16 ... 17: {
        MemOp mop = gen_below(4) | (gen_below(2) ? MO_SIGN : 0) | (gen_below(3) ? 0 : MO_BE);
        MemOp mop32;
        TCGv_i64 addr;

        if ((mop & MO_SIZE) == MO_64) {
            mop &= ~MO_SIGN;
        }
        addr = gen_address(memop_size(mop));
        if (gen_below(2)) {
            mop |= MO_ALIGN;
        }
        /* i32 accesses: at most 32 bits. */
        mop32 = (mop & MO_SIZE) == MO_64 ? (mop & ~MO_SIZE) | MO_32 : mop;
        switch (gen_below(4)) {
        case 0:
            tcg_gen_qemu_ld_i64(gen_dst64(), addr, 0, mop);
            break;
        case 1:
            tcg_gen_qemu_st_i64(gen_src64(), addr, 0, mop);
            break;
        case 2:
            tcg_gen_qemu_ld_i32(gen_dst32(), addr, 0, mop32);
            break;
        default:
            tcg_gen_qemu_st_i32(gen_src32(), addr, 0, mop32 & ~MO_SIGN);
            break;
        }
        tcg_temp_free_i64(addr);
        break;
    }
    case 18: {
        intptr_t ofs = offsetof(TCGTestEnv, scratch) + gen_below(4) * 8;

        switch (gen_below(4)) {
        case 0:
            tcg_gen_st_i64(gen_src64(), tcg_env, ofs);
            break;
        case 1:
            tcg_gen_ld32s_i64(gen_dst64(), tcg_env, ofs + 4 * gen_below(2));
            break;
        case 2:
            tcg_gen_st8_i32(gen_src32(), tcg_env, ofs + gen_below(8));
            break;
        default:
            tcg_gen_ld16s_i32(gen_dst32(), tcg_env, ofs + 2 * gen_below(4));
            break;
        }
        break;
    }
    case 19: {
        static const unsigned flags[] = {
            0, TCG_CALL_NO_RWG, TCG_CALL_NO_WG, TCG_CALL_NO_RWG_SE,
        };

        switch (gen_below(3)) {
        case 0:
            tcg_gen_call(helper_mix, flags[gen_below(4)], tcg_temp(gen_dst64()),
                         tcg_temp(gen_src64()), tcg_temp(gen_src64()), tcg_temp(gen_src64()));
            break;
        case 1:
            tcg_gen_call(helper_mix32, flags[gen_below(4)], tcg_temp(gen_dst32()),
                         tcg_temp(gen_src32()), tcg_temp(gen_src32()));
            break;
        default:
            tcg_gen_call(helper_env_rw, 0, NULL, tcg_temp(tcg_env));
            break;
        }
        break;
    }
    default:
        tcg_gen_mov_i64(gen_dst64(), gen_src64());
        break;
    }
}

/* A random program: straight-line ops with forward branches over some of them. */
static void gen_program(uint64_t seed)
{
    int n = 20 + (int)(seed % 60);

    gen.state = seed * 0x9e3779b97f4a7c15ULL + 1;
    for (int i = 0; i < GEN_TEMPS; i++) {
        gen.t64[i] = tcg_temp_new_i64();
        gen.t32[i] = tcg_temp_new_i32();
        tcg_gen_mov_i64(gen.t64[i], tp_r[i + 8]);
        tcg_gen_mov_i32(gen.t32[i], tp_w[i]);
    }
    for (int i = 0; i < n; i++) {
        if (gen_below(8) == 0) {
            TCGLabel *skip = gen_new_label();
            int k = 1 + gen_below(6);

            if (gen_below(2)) {
                tcg_gen_brcond_i64(gen_cond(), gen_src64(), gen_src64(), skip);
            } else {
                tcg_gen_brcond_i32(gen_cond(), gen_src32(), gen_src32(), skip);
            }
            for (int j = 0; j < k; j++) {
                gen_one_op();
            }
            tcg_gen_set_label(skip);
        } else {
            gen_one_op();
        }
    }
    /* Make the temps observable. */
    for (int i = 0; i < GEN_TEMPS; i++) {
        tcg_gen_xor_i64(tp_out[i], tp_out[i], gen.t64[i]);
        tcg_gen_extu_i32_i64(gen.t64[i], gen.t32[i]);
        tcg_gen_add_i64(tp_out[i + GEN_TEMPS], tp_out[i + GEN_TEMPS], gen.t64[i]);
    }
}

static uint64_t gen_seed;

static void gen_build(void)
{
    gen_program(gen_seed);
}

static void test_jit_random(void)
{
    static const TCGTestProgram prog = { "random", gen_build, NULL };
    uint64_t base = g_test_rand_int();
    gint64 deadline = g_get_monotonic_time() + G_USEC_PER_SEC;
    int count = 0;

    for (uint64_t i = 0; count < 200 || g_get_monotonic_time() < deadline; i++, count++) {
        g_autofree TCGTestEnv *jit = tp_env_new();
        g_autofree TCGTestEnv *ref = tp_env_new();

        if (count >= 20000) {
            break;
        }
        gen_seed = base << 20 | i;
        /* Random register contents, the same for both. */
        gen.state = gen_seed ^ 0x5bd1e995;
        for (int r = 0; r < TP_NR; r++) {
            jit->r[r] = ref->r[r] = gen_value();
        }
        for (int r = 0; r < TP_NW; r++) {
            jit->w[r] = ref->w[r] = (uint32_t)gen_value();
        }
        x86_backend_set_features(i & 1 ? ~0u : 0);
        run_on(&tcg_backend_x86_64, &prog, false, jit);
        run_on(&tcg_backend_interp, &prog, false, ref);
        if (!tp_env_equal(jit, ref)) {
            g_test_message("random program with seed %#" PRIx64 " differs", gen_seed);
            for (int r = 0; r < TP_NR; r++) {
                if (jit->r[r] != ref->r[r]) {
                    g_test_message("r%d: jit %#" PRIx64 " interp %#" PRIx64, r, jit->r[r],
                                   ref->r[r]);
                }
            }
            for (int r = 0; r < TP_NW; r++) {
                if (jit->w[r] != ref->w[r]) {
                    g_test_message("w%d: jit %#x interp %#x", r, jit->w[r], ref->w[r]);
                }
            }
            for (int r = 0; r < TP_NOUT; r++) {
                if (jit->out[r] != ref->out[r]) {
                    g_test_message("o%d: jit %#" PRIx64 " interp %#" PRIx64, r, jit->out[r],
                                   ref->out[r]);
                }
            }
            /* The IR and host code, for whoever debugs this. */
            log_mask = LOG_OP | LOG_OP_OPT | LOG_OUT_ASM;
            tp_translate(&prog, false);
            log_mask = 0;
            g_assert_not_reached();
        }
    }
    x86_backend_set_features(~0u);
    g_test_message("%d random programs", count);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    g_assert_cmpint(cs_open(CS_ARCH_X86, CS_MODE_64, &cs), ==, CS_ERR_OK);
    cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
    g_test_add_func("/tcg/x86/emit/alu", test_x86_emit_alu);
    g_test_add_func("/tcg/x86/emit/alu-mem", test_x86_emit_alu_mem);
    g_test_add_func("/tcg/x86/emit/load-store", test_x86_emit_load_store);
    g_test_add_func("/tcg/x86/emit/mov", test_x86_emit_mov);
    g_test_add_func("/tcg/x86/emit/ext", test_x86_emit_ext);
    g_test_add_func("/tcg/x86/emit/arith", test_x86_emit_arith);
    g_test_add_func("/tcg/x86/emit/cond", test_x86_emit_cond);
    g_test_add_func("/tcg/x86/emit/branch", test_x86_emit_branch);
    g_test_add_func("/tcg/x86/emit/misc", test_x86_emit_misc);
    g_assert_true(tcg_context_init(&tcg_backend_x86_64, 4 * MiB, NULL));
    tp_globals_init();
    for (size_t i = 0; i < ARRAY_SIZE(tp_programs); i++) {
        g_autofree char *path = g_strdup_printf("/tcg/x86/jit/%s", tp_programs[i].name);
        g_autofree char *base = g_strdup_printf("/tcg/x86/jit-baseline/%s",
                                                tp_programs[i].name);

        g_test_add_data_func(path, &tp_programs[i], test_jit_program);
        g_test_add_data_func(base, &tp_programs[i], test_jit_program_baseline);
    }
    g_test_add_func("/tcg/x86/jit/exit-request", test_jit_exit_request);
    g_test_add_func("/tcg/x86/jit/chaining", test_jit_chaining);
    g_test_add_func("/tcg/x86/jit/lookup-and-goto-ptr", test_jit_lookup_and_goto_ptr);
    g_test_add_func("/tcg/x86/jit/precise-state", test_jit_precise_state);
    g_test_add_func("/tcg/x86/jit/buffer-full", test_jit_buffer_full);
    g_test_add_func("/tcg/x86/jit/random", test_jit_random);
    ret = g_test_run();
    cs_close(&cs);
    return ret;
}
