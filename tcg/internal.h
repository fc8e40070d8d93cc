/*
 * Private helpers shared by the files of tcg/ (not a public interface): bit
 * counting and byte swapping on fixed widths, the constant evaluator used by
 * both the optimizer and the interpreter, and the liveness state bits.
 */
#ifndef TCG_INTERNAL_H
#define TCG_INTERNAL_H

#include "tcg/tcg.h"

static inline int clz32(uint32_t x)
{
    return x ? __builtin_clz(x) : 32;
}

static inline int clz64(uint64_t x)
{
    return x ? __builtin_clzll(x) : 64;
}

static inline int ctz32(uint32_t x)
{
    return x ? __builtin_ctz(x) : 32;
}

static inline int ctz64(uint64_t x)
{
    return x ? __builtin_ctzll(x) : 64;
}

static inline int ctpop32(uint32_t x)
{
    return __builtin_popcount(x);
}

static inline int ctpop64(uint64_t x)
{
    return __builtin_popcountll(x);
}

static inline uint16_t bswap16(uint16_t x)
{
    return __builtin_bswap16(x);
}

static inline uint32_t bswap32(uint32_t x)
{
    return __builtin_bswap32(x);
}

static inline uint64_t bswap64(uint64_t x)
{
    return __builtin_bswap64(x);
}

static inline bool is_power_of_2(uint64_t x)
{
    return x && !(x & (x - 1));
}

/*
 * Evaluates the pure arithmetic opcode OPC on constant inputs (x, y) with
 * constant args c0/c1 (condition, pos/len). Sets *ok = false for opcodes it
 * cannot evaluate (memory, control flow) or undefined cases (division by 0,
 * signed overflow). i32 results are zero-extended.
 */
uint64_t tcg_eval_op(TCGOpcode opc, uint64_t x, uint64_t y, TCGArg c0, TCGArg c1, bool *ok);

/* Liveness states in TCGTemp.state. */
enum {
    TS_DEAD = 1,   /* the value is not used after this point */
    TS_MEM = 2,    /* the value must be in its memory slot at this point */
};

#endif
