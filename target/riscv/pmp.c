/*
 * Physical memory protection (privileged spec 1.12, section 3.7) with 16
 * entries: pmpcfg0 and pmpcfg2 hold the eight-bit configurations (R, W, X,
 * the address-matching mode OFF/TOR/NA4/NAPOT, and the lock bit L), pmpaddr0-15
 * the addresses (bits 55:2, four-byte granularity). The lowest-numbered entry
 * that matches any byte of an access decides it, and must match all of them;
 * M-mode is checked only against locked entries and may access what no entry
 * matches, S and U modes may not. Locked entries ignore writes of their
 * configuration and address (and of the address below a locked TOR entry).
 */
#include "util/osdep.h"

#include "target/riscv/cpu.h"

#define PMP_R 0x01
#define PMP_W 0x02
#define PMP_X 0x04
#define PMP_A_SHIFT 3
#define PMP_A_MASK (3u << PMP_A_SHIFT)
#define PMP_L 0x80

enum { PMP_OFF, PMP_TOR, PMP_NA4, PMP_NAPOT };

#define PMPADDR_MASK ((1ULL << 54) - 1)

/* The byte range [*lo, *hi) entry I covers; false when it covers nothing. */
static bool riscv_pmp_range(const CPURISCVState *env, int i, uint64_t *lo, uint64_t *hi)
{
    uint64_t a = env->pmpaddr[i];

    switch ((env->pmpcfg[i] & PMP_A_MASK) >> PMP_A_SHIFT) {
    case PMP_TOR:
        *lo = i ? env->pmpaddr[i - 1] << 2 : 0;
        *hi = a << 2;
        return *lo < *hi;
    case PMP_NA4:
        *lo = a << 2;
        *hi = *lo + 4;
        return true;
    case PMP_NAPOT: {
        uint64_t ones = a ^ (a + 1);    /* the trailing ones and the zero above them */

        *lo = (a & ~ones) << 2;
        *hi = *lo + ((ones + 1) << 2);
        return true;
    }
    default:
        return false;
    }
}

int riscv_pmp_prot(CPURISCVState *env, uint64_t addr, uint64_t size, int priv)
{
    uint64_t last = addr + size - 1;

    for (int i = 0; i < RISCV_PMP_ENTRIES; i++) {
        uint64_t lo, hi;
        uint8_t cfg = env->pmpcfg[i];
        int prot;

        if (!riscv_pmp_range(env, i, &lo, &hi) || last < lo || addr > hi - 1) {
            continue;
        }
        if (addr < lo || last > hi - 1) {
            return 0;   /* matches only part of the access */
        }
        if (priv == PRV_M && !(cfg & PMP_L)) {
            return PAGE_READ | PAGE_WRITE | PAGE_EXEC;
        }
        prot = (cfg & PMP_R ? PAGE_READ : 0) | (cfg & PMP_W ? PAGE_WRITE : 0) |
               (cfg & PMP_X ? PAGE_EXEC : 0);
        return prot;
    }
    return priv == PRV_M ? PAGE_READ | PAGE_WRITE | PAGE_EXEC : 0;
}

uint64_t riscv_pmpcfg_read(CPURISCVState *env, unsigned reg)
{
    uint64_t val = 0;

    if (reg * 4 >= RISCV_PMP_ENTRIES) {
        return 0;
    }
    for (int b = 7; b >= 0; b--) {
        val = val << 8 | env->pmpcfg[reg * 4 + (unsigned)b];
    }
    return val;
}

bool riscv_pmpcfg_write(CPURISCVState *env, unsigned reg, uint64_t val)
{
    bool changed = false;

    if (reg * 4 >= RISCV_PMP_ENTRIES) {
        return false;   /* entries that do not exist: read-only zero */
    }
    for (unsigned b = 0; b < 8; b++) {
        uint8_t *cfg = &env->pmpcfg[reg * 4 + b];
        uint8_t v = (uint8_t)(val >> (8 * b)) & (PMP_R | PMP_W | PMP_X | PMP_A_MASK | PMP_L);

        if (*cfg & PMP_L) {
            continue;
        }
        if ((v & (PMP_R | PMP_W)) == PMP_W) {
            v &= (uint8_t)~PMP_W;   /* R=0 W=1 is reserved */
        }
        changed |= *cfg != v;
        *cfg = v;
    }
    return changed;
}

bool riscv_pmpaddr_write(CPURISCVState *env, unsigned index, uint64_t val)
{
    if (env->pmpcfg[index] & PMP_L) {
        return false;
    }
    if (index + 1 < RISCV_PMP_ENTRIES && (env->pmpcfg[index + 1] & PMP_L) &&
        ((env->pmpcfg[index + 1] & PMP_A_MASK) >> PMP_A_SHIFT) == PMP_TOR) {
        return false;
    }
    val &= PMPADDR_MASK;
    if (env->pmpaddr[index] == val) {
        return false;
    }
    env->pmpaddr[index] = val;
    return true;
}
