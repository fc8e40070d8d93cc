/*
 * x86-64 instruction encoder (see x86-emit.h). Every instruction is built
 * from one opcode word (the opcode byte plus flags for the 0F/0F38 escapes,
 * the 66/F3 prefixes, REX.W and byte-register operands) and a ModRM form:
 * register direct, or memory with the SIB byte and the shortest displacement
 * the addressing rules allow (rsp/r12 as base need a SIB byte, rbp/r13 as
 * base need a displacement even when it is zero).
 */
#include "util/osdep.h"
#include "tcg/x86_64/x86-emit.h"

/* Flags above the opcode byte of an opcode word. */
enum {
    P_0F     = 0x100,   /* 0F escape */
    P_0F38   = 0x200,   /* 0F 38 escape */
    P_DATA16 = 0x400,   /* 66 operand-size prefix */
    P_REXW   = 0x800,   /* REX.W: 64-bit operand */
    P_BYTE_R = 0x1000,  /* the ModRM reg field names a byte register */
    P_BYTE_RM = 0x2000, /* the ModRM r/m field names a byte register */
    P_F3     = 0x4000,  /* F3 prefix (TZCNT/LZCNT/POPCNT) */
};

#define REXW_IF(w) ((w) ? P_REXW : 0)

void x86_emit_init(X86Emit *e, uint8_t *rw, uintptr_t rx)
{
    e->start = rw;
    e->ptr = rw;
    e->rx_delta = (ptrdiff_t)(rx - (uintptr_t)rw);
}

void x86_emit_byte(X86Emit *e, uint8_t b)
{
    *e->ptr++ = b;
}

void x86_emit_u32(X86Emit *e, uint32_t v)
{
    memcpy(e->ptr, &v, 4);
    e->ptr += 4;
}

void x86_emit_u64(X86Emit *e, uint64_t v)
{
    memcpy(e->ptr, &v, 8);
    e->ptr += 8;
}

static bool fits_s8(int64_t v)
{
    return v == (int8_t)v;
}

static bool fits_s32(int64_t v)
{
    return v == (int32_t)v;
}

/*
 * Prefixes, REX, escapes and opcode byte. r, rm and x are the registers that
 * go into ModRM.reg, ModRM.rm (or the opcode's low bits) and SIB.index; only
 * their bit 3 (and, for byte operands, whether they are spl..dil) matters here.
 */
static void emit_opc(X86Emit *e, int opc, int r, int rm, int x)
{
    int rex = 0;
    bool need_rex = false;

    if (opc & P_DATA16) {
        x86_emit_byte(e, 0x66);
    }
    if (opc & P_F3) {
        x86_emit_byte(e, 0xf3);
    }
    if (opc & P_REXW) {
        rex |= 8;
    }
    rex |= (r & 8) >> 1;
    rex |= (x & 8) >> 2;
    rex |= (rm & 8) >> 3;
    /* Without REX, byte registers 4-7 are ah, ch, dh, bh. */
    if ((opc & P_BYTE_R) && r >= 4) {
        need_rex = true;
    }
    if ((opc & P_BYTE_RM) && rm >= 4) {
        need_rex = true;
    }
    if (rex || need_rex) {
        x86_emit_byte(e, 0x40 | rex);
    }
    if (opc & (P_0F | P_0F38)) {
        x86_emit_byte(e, 0x0f);
        if (opc & P_0F38) {
            x86_emit_byte(e, 0x38);
        }
    }
    x86_emit_byte(e, opc & 0xff);
}

/* Register-direct ModRM: mod = 11. */
static void emit_modrm(X86Emit *e, int opc, int r, int rm)
{
    emit_opc(e, opc, r, rm, 0);
    x86_emit_byte(e, 0xc0 | (r & 7) << 3 | (rm & 7));
}

static void emit_modrm_mem(X86Emit *e, int opc, int r, X86Mem m)
{
    int mod;

    g_assert(m.base >= 0 && m.index != X86_RSP && m.shift <= 3);
    emit_opc(e, opc, r, m.base, m.index < 0 ? 0 : m.index);
    if (m.disp == 0 && (m.base & 7) != X86_RBP) {
        mod = 0x00;
    } else if (fits_s8(m.disp)) {
        mod = 0x40;
    } else {
        mod = 0x80;
    }
    if (m.index < 0 && (m.base & 7) != X86_RSP) {
        x86_emit_byte(e, mod | (r & 7) << 3 | (m.base & 7));
    } else {
        /* SIB; index 100 without REX.X means no index. */
        int index = m.index < 0 ? 4 : (m.index & 7);

        x86_emit_byte(e, mod | (r & 7) << 3 | 4);
        x86_emit_byte(e, m.shift << 6 | index << 3 | (m.base & 7));
    }
    if (mod == 0x40) {
        x86_emit_byte(e, (uint8_t)m.disp);
    } else if (mod == 0x80) {
        x86_emit_u32(e, (uint32_t)m.disp);
    }
}

void x86_emit_alu_rr(X86Emit *e, X86AluOp op, bool w, int dst, int src)
{
    emit_modrm(e, (op << 3 | 3) | REXW_IF(w), dst, src);
}

void x86_emit_alu_ri(X86Emit *e, X86AluOp op, bool w, int dst, int32_t imm)
{
    if (fits_s8(imm)) {
        emit_modrm(e, 0x83 | REXW_IF(w), op, dst);
        x86_emit_byte(e, (uint8_t)imm);
    } else if (dst == X86_RAX) {
        emit_opc(e, (op << 3 | 5) | REXW_IF(w), 0, 0, 0);
        x86_emit_u32(e, (uint32_t)imm);
    } else {
        emit_modrm(e, 0x81 | REXW_IF(w), op, dst);
        x86_emit_u32(e, (uint32_t)imm);
    }
}

void x86_emit_alu_rm(X86Emit *e, X86AluOp op, bool w, int dst, X86Mem m)
{
    emit_modrm_mem(e, (op << 3 | 3) | REXW_IF(w), dst, m);
}

void x86_emit_alu_mr(X86Emit *e, X86AluOp op, bool w, X86Mem m, int src)
{
    emit_modrm_mem(e, (op << 3 | 1) | REXW_IF(w), src, m);
}

void x86_emit_alu_mi(X86Emit *e, X86AluOp op, bool w, X86Mem m, int32_t imm)
{
    if (fits_s8(imm)) {
        emit_modrm_mem(e, 0x83 | REXW_IF(w), op, m);
        x86_emit_byte(e, (uint8_t)imm);
    } else {
        emit_modrm_mem(e, 0x81 | REXW_IF(w), op, m);
        x86_emit_u32(e, (uint32_t)imm);
    }
}

void x86_emit_test_rr(X86Emit *e, bool w, int a, int b)
{
    emit_modrm(e, 0x85 | REXW_IF(w), b, a);
}

void x86_emit_test_ri(X86Emit *e, bool w, int r, int32_t imm)
{
    if (r == X86_RAX) {
        emit_opc(e, 0xa9 | REXW_IF(w), 0, 0, 0);
    } else {
        emit_modrm(e, 0xf7 | REXW_IF(w), 0, r);
    }
    x86_emit_u32(e, (uint32_t)imm);
}

void x86_emit_mov_rr(X86Emit *e, bool w, int dst, int src)
{
    if (w && dst == src) {
        return;
    }
    emit_modrm(e, 0x8b | REXW_IF(w), dst, src);
}

void x86_emit_movi(X86Emit *e, int dst, uint64_t imm)
{
    if (imm <= UINT32_MAX) {
        /* movl $imm32, r32 zero-extends. */
        emit_opc(e, 0xb8 + (dst & 7), 0, dst, 0);
        x86_emit_u32(e, (uint32_t)imm);
    } else if (fits_s32((int64_t)imm)) {
        emit_modrm(e, 0xc7 | P_REXW, 0, dst);
        x86_emit_u32(e, (uint32_t)imm);
    } else {
        emit_opc(e, (0xb8 + (dst & 7)) | P_REXW, 0, dst, 0);
        x86_emit_u64(e, imm);
    }
}

void x86_emit_xchg(X86Emit *e, int a, int b)
{
    emit_modrm(e, 0x87 | P_REXW, a, b);
}

static const int load_opc[] = {
    [X86_LD8U] = P_0F | 0xb6,
    [X86_LD8S] = P_0F | P_REXW | 0xbe,
    [X86_LD16U] = P_0F | 0xb7,
    [X86_LD16S] = P_0F | P_REXW | 0xbf,
    [X86_LD32U] = 0x8b,
    [X86_LD32S] = P_REXW | 0x63,
    [X86_LD64] = P_REXW | 0x8b,
    [X86_LD8S32] = P_0F | 0xbe,
    [X86_LD16S32] = P_0F | 0xbf,
};

void x86_emit_load(X86Emit *e, X86LoadOp op, int dst, X86Mem m)
{
    emit_modrm_mem(e, load_opc[op], dst, m);
}

void x86_emit_store(X86Emit *e, unsigned size_log2, int src, X86Mem m)
{
    static const int opc[] = { 0x88 | P_BYTE_R, 0x89 | P_DATA16, 0x89, 0x89 | P_REXW };

    emit_modrm_mem(e, opc[size_log2], src, m);
}

void x86_emit_store_imm(X86Emit *e, unsigned size_log2, X86Mem m, int32_t imm)
{
    switch (size_log2) {
    case 0:
        emit_modrm_mem(e, 0xc6, 0, m);
        x86_emit_byte(e, (uint8_t)imm);
        break;
    case 1:
        emit_modrm_mem(e, 0xc7 | P_DATA16, 0, m);
        x86_emit_byte(e, (uint8_t)imm);
        x86_emit_byte(e, (uint8_t)(imm >> 8));
        break;
    default:
        emit_modrm_mem(e, 0xc7 | REXW_IF(size_log2 == 3), 0, m);
        x86_emit_u32(e, (uint32_t)imm);
        break;
    }
}

void x86_emit_lea(X86Emit *e, bool w, int dst, X86Mem m)
{
    emit_modrm_mem(e, 0x8d | REXW_IF(w), dst, m);
}

void x86_emit_lea_rip(X86Emit *e, int dst, const uint8_t *target)
{
    ptrdiff_t d;

    /* ModRM mod 00, r/m 101 in 64-bit mode: disp32 from the next instruction. */
    emit_opc(e, 0x8d | P_REXW, dst, 0, 0);
    x86_emit_byte(e, (dst & 7) << 3 | 5);
    d = target - (e->ptr + 4);
    g_assert(fits_s32(d));
    x86_emit_u32(e, (uint32_t)(int32_t)d);
}

void x86_emit_ext(X86Emit *e, X86ExtOp op, int dst, int src)
{
    static const int opc[] = {
        [X86_EXT8U] = P_0F | P_BYTE_RM | 0xb6,
        [X86_EXT8S] = P_0F | P_BYTE_RM | P_REXW | 0xbe,
        [X86_EXT16U] = P_0F | 0xb7,
        [X86_EXT16S] = P_0F | P_REXW | 0xbf,
        [X86_EXT32U] = 0x8b,
        [X86_EXT32S] = P_REXW | 0x63,
        [X86_EXT8S32] = P_0F | P_BYTE_RM | 0xbe,
        [X86_EXT16S32] = P_0F | 0xbf,
    };

    emit_modrm(e, opc[op], dst, src);
}

void x86_emit_shift_ri(X86Emit *e, X86ShiftOp op, bool w, int dst, uint8_t count)
{
    if (count == 1) {
        emit_modrm(e, 0xd1 | REXW_IF(w), op, dst);
    } else {
        emit_modrm(e, 0xc1 | REXW_IF(w), op, dst);
        x86_emit_byte(e, count);
    }
}

void x86_emit_shift_cl(X86Emit *e, X86ShiftOp op, bool w, int dst)
{
    emit_modrm(e, 0xd3 | REXW_IF(w), op, dst);
}

void x86_emit_unary(X86Emit *e, X86UnaryOp op, bool w, int r)
{
    emit_modrm(e, 0xf7 | REXW_IF(w), op, r);
}

void x86_emit_imul_rr(X86Emit *e, bool w, int dst, int src)
{
    emit_modrm(e, P_0F | 0xaf | REXW_IF(w), dst, src);
}

void x86_emit_imul_rri(X86Emit *e, bool w, int dst, int src, int32_t imm)
{
    if (fits_s8(imm)) {
        emit_modrm(e, 0x6b | REXW_IF(w), dst, src);
        x86_emit_byte(e, (uint8_t)imm);
    } else {
        emit_modrm(e, 0x69 | REXW_IF(w), dst, src);
        x86_emit_u32(e, (uint32_t)imm);
    }
}

void x86_emit_sign_extend_ax(X86Emit *e, bool w)
{
    emit_opc(e, 0x99 | REXW_IF(w), 0, 0, 0);
}

void x86_emit_bitop(X86Emit *e, X86BitOp op, bool w, int dst, int src)
{
    static const int opc[] = {
        [X86_BSF] = P_0F | 0xbc,
        [X86_BSR] = P_0F | 0xbd,
        [X86_TZCNT] = P_F3 | P_0F | 0xbc,
        [X86_LZCNT] = P_F3 | P_0F | 0xbd,
        [X86_POPCNT] = P_F3 | P_0F | 0xb8,
    };

    emit_modrm(e, opc[op] | REXW_IF(w), dst, src);
}

void x86_emit_bswap(X86Emit *e, bool w, int r)
{
    emit_opc(e, P_0F | (0xc8 + (r & 7)) | REXW_IF(w), 0, r, 0);
}

void x86_emit_bswap16(X86Emit *e, int r)
{
    emit_modrm(e, 0xc1 | P_DATA16, X86_ROL, r);
    x86_emit_byte(e, 8);
}

void x86_emit_setcc(X86Emit *e, X86Cond cond, int dst)
{
    emit_modrm(e, P_0F | P_BYTE_RM | (0x90 + cond), 0, dst);
}

void x86_emit_cmov(X86Emit *e, X86Cond cond, bool w, int dst, int src)
{
    emit_modrm(e, P_0F | (0x40 + cond) | REXW_IF(w), dst, src);
}

uint8_t *x86_emit_jcc8(X86Emit *e, X86Cond cond)
{
    x86_emit_byte(e, 0x70 + cond);
    x86_emit_byte(e, 0);
    return e->ptr - 1;
}

uint8_t *x86_emit_jcc32(X86Emit *e, X86Cond cond)
{
    x86_emit_byte(e, 0x0f);
    x86_emit_byte(e, 0x80 + cond);
    x86_emit_u32(e, 0);
    return e->ptr - 4;
}

uint8_t *x86_emit_jmp8(X86Emit *e)
{
    x86_emit_byte(e, 0xeb);
    x86_emit_byte(e, 0);
    return e->ptr - 1;
}

uint8_t *x86_emit_jmp32(X86Emit *e)
{
    x86_emit_byte(e, 0xe9);
    x86_emit_u32(e, 0);
    return e->ptr - 4;
}

void x86_emit_patch_rel8(X86Emit *e, uint8_t *field, const uint8_t *target)
{
    ptrdiff_t d = target - (field + 1);

    g_assert(fits_s8(d));
    *field = (uint8_t)d;
}

void x86_emit_patch_rel32(X86Emit *e, uint8_t *field, const uint8_t *target)
{
    ptrdiff_t d = target - (field + 4);
    int32_t d32 = (int32_t)d;

    g_assert(fits_s32(d));
    memcpy(field, &d32, 4);
}

void x86_emit_jcc_to(X86Emit *e, X86Cond cond, const uint8_t *target)
{
    if (fits_s8(target - (e->ptr + 2))) {
        x86_emit_patch_rel8(e, x86_emit_jcc8(e, cond), target);
    } else {
        x86_emit_patch_rel32(e, x86_emit_jcc32(e, cond), target);
    }
}

void x86_emit_jmp_to(X86Emit *e, const uint8_t *target)
{
    if (fits_s8(target - (e->ptr + 2))) {
        x86_emit_patch_rel8(e, x86_emit_jmp8(e), target);
    } else {
        x86_emit_patch_rel32(e, x86_emit_jmp32(e), target);
    }
}

void x86_emit_jmp_r(X86Emit *e, int r)
{
    emit_modrm(e, 0xff, 4, r);
}

void x86_emit_jmp_m(X86Emit *e, X86Mem m)
{
    emit_modrm_mem(e, 0xff, 4, m);
}

void x86_emit_call_r(X86Emit *e, int r)
{
    emit_modrm(e, 0xff, 2, r);
}

bool x86_emit_rel32_reaches(const X86Emit *e, const uint8_t *p, uintptr_t target)
{
    return fits_s32((int64_t)(target - x86_emit_rx_addr(e, p)));
}

static void emit_branch_abs(X86Emit *e, uint8_t opc, int digit, uintptr_t target, int scratch)
{
    if (x86_emit_rel32_reaches(e, e->ptr + 5, target)) {
        int32_t d = (int32_t)(target - x86_emit_rx_addr(e, e->ptr + 5));

        x86_emit_byte(e, opc);
        x86_emit_u32(e, (uint32_t)d);
    } else {
        x86_emit_movi(e, scratch, target);
        emit_modrm(e, 0xff, digit, scratch);
    }
}

void x86_emit_call_abs(X86Emit *e, uintptr_t target, int scratch)
{
    emit_branch_abs(e, 0xe8, 2, target, scratch);
}

void x86_emit_jmp_abs(X86Emit *e, uintptr_t target, int scratch)
{
    emit_branch_abs(e, 0xe9, 4, target, scratch);
}

void x86_emit_push(X86Emit *e, int r)
{
    emit_opc(e, 0x50 + (r & 7), 0, r, 0);
}

void x86_emit_pop(X86Emit *e, int r)
{
    emit_opc(e, 0x58 + (r & 7), 0, r, 0);
}

void x86_emit_ret(X86Emit *e)
{
    x86_emit_byte(e, 0xc3);
}

void x86_emit_ud2(X86Emit *e)
{
    x86_emit_byte(e, 0x0f);
    x86_emit_byte(e, 0x0b);
}

void x86_emit_mfence(X86Emit *e)
{
    x86_emit_byte(e, 0x0f);
    x86_emit_byte(e, 0xae);
    x86_emit_byte(e, 0xf0);
}

void x86_emit_nops(X86Emit *e, unsigned n)
{
    /* The recommended multi-byte NOP forms (SDM vol. 2B, NOP), 1 to 8 bytes. */
    static const uint8_t forms[8][8] = {
        { 0x90 },
        { 0x66, 0x90 },
        { 0x0f, 0x1f, 0x00 },
        { 0x0f, 0x1f, 0x40, 0x00 },
        { 0x0f, 0x1f, 0x44, 0x00, 0x00 },
        { 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
        { 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
        { 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
    };

    while (n > 0) {
        unsigned k = MIN(n, 8u);

        memcpy(e->ptr, forms[k - 1], k);
        e->ptr += k;
        n -= k;
    }
}
