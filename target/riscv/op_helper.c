/*
 * Helpers called from riscv64 generated code for what is too long to emit
 * inline: raising exceptions, the Zicsr instructions over the minimal M-mode
 * CSR set (plus fflags/frm/fcsr and the cycle/time/instret counters), mret,
 * and SC and the AMOs, which run as host atomics (__atomic builtins) on the
 * host address of the guest location so they are atomic across vCPU threads.
 * SC succeeds only if the reservation is for this address and the location
 * still holds the value LR read (a compare-and-swap), which also catches
 * intervening stores that changed it. The translator syncs env->pc before
 * each of these calls, so a fault leaves with cpu_loop_exit directly.
 */
#include "util/osdep.h"

#include <time.h>
#include "exec/exec-all.h"
#include "target/riscv/cpu.h"

void helper_raise_exception(CPURISCVState *env, uint64_t cause, uint64_t tval)
{
    env->common.exception_index = (int32_t)cause;
    env->badaddr = tval;
    cpu_loop_exit(env_cpu(env));
}

/* Monotonic host nanoseconds, strictly increasing per hart (cycle and instret). */
static uint64_t riscv_read_counter(CPURISCVState *env)
{
    struct timespec ts;
    uint64_t now;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    now = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
    if (now <= env->counter_last) {
        now = env->counter_last + 1;
    }
    env->counter_last = now;
    return now;
}

/* The time CSR: the host monotonic clock at the virt board's 10 MHz timebase. */
static uint64_t riscv_read_time(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 10000000ULL + (uint64_t)ts.tv_nsec / 100;
}

static uint64_t mstatus_with_sd(uint64_t mstatus)
{
    mstatus &= ~MSTATUS_SD;
    if ((mstatus & MSTATUS_FS) == MSTATUS_FS_DIRTY) {
        mstatus |= MSTATUS_SD;
    }
    return mstatus;
}

/* Reads CSRNO into *VAL; false when it does not exist or is not accessible now. */
static bool riscv_csr_read(CPURISCVState *env, unsigned csrno, uint64_t *val)
{
    bool fp = csrno == CSR_FFLAGS || csrno == CSR_FRM || csrno == CSR_FCSR;

    if (fp && (env->mstatus & MSTATUS_FS) == 0) {
        return false;
    }
    switch (csrno) {
    case CSR_FFLAGS: *val = env->fflags; break;
    case CSR_FRM: *val = env->frm; break;
    case CSR_FCSR: *val = env->frm << 5 | env->fflags; break;
    case CSR_CYCLE:
    case CSR_INSTRET:
    case CSR_MCYCLE:
    case CSR_MINSTRET:
        *val = riscv_read_counter(env);
        break;
    case CSR_TIME: *val = riscv_read_time(); break;
    case CSR_MSTATUS: *val = mstatus_with_sd(env->mstatus); break;
    case CSR_MISA: *val = env->misa; break;
    case CSR_MIE: *val = env->mie; break;
    case CSR_MIP: *val = __atomic_load_n(&env->mip, __ATOMIC_RELAXED); break;
    case CSR_MTVEC: *val = env->mtvec; break;
    case CSR_MSCRATCH: *val = env->mscratch; break;
    case CSR_MEPC: *val = env->mepc; break;
    case CSR_MCAUSE: *val = env->mcause; break;
    case CSR_MTVAL: *val = env->mtval; break;
    case CSR_MVENDORID:
    case CSR_MARCHID:
    case CSR_MIMPID:
        *val = 0;
        break;
    case CSR_MHARTID: *val = env->mhartid; break;
    default:
        return false;
    }
    return true;
}

/* Writes a CSR known to exist and be writable; WARL fields keep legal values. */
static void riscv_csr_write(CPURISCVState *env, unsigned csrno, uint64_t val)
{
    const uint64_t mstatus_mask = MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_FS;
    const uint64_t mie_mask = 1ULL << RISCV_IRQ_M_SOFT | 1ULL << RISCV_IRQ_M_TIMER |
                              1ULL << RISCV_IRQ_M_EXT;

    switch (csrno) {
    case CSR_FFLAGS:
        env->fflags = val & 0x1f;
        break;
    case CSR_FRM:
        env->frm = val & 7;
        break;
    case CSR_FCSR:
        env->fflags = val & 0x1f;
        env->frm = (val >> 5) & 7;
        break;
    case CSR_MSTATUS:
        /* MPP stays M: the only privilege level implemented so far. */
        env->mstatus = (env->mstatus & ~mstatus_mask) | (val & mstatus_mask) | MSTATUS_MPP;
        return;
    case CSR_MIE:
        env->mie = val & mie_mask;
        return;
    case CSR_MTVEC:
        if ((val & 3) < 2) {    /* direct or vectored; reserved modes leave it unchanged */
            env->mtvec = val;
        }
        return;
    case CSR_MSCRATCH: env->mscratch = val; return;
    case CSR_MEPC: env->mepc = val & ~1ULL; return;
    case CSR_MCAUSE: env->mcause = val; return;
    case CSR_MTVAL: env->mtval = val; return;
    default:
        return;     /* misa, mip, the counters: writes are ignored */
    }
    env->mstatus |= MSTATUS_FS_DIRTY;   /* an FP CSR was written */
}

uint64_t helper_csr_op(CPURISCVState *env, uint64_t insn, uint64_t write, uint64_t mask,
                       uint64_t value)
{
    unsigned csrno = (unsigned)(insn >> 20) & 0xfff;
    uint64_t old;

    if (((csrno >> 8) & 3) > env->priv || (write && (csrno >> 10) == 3) ||
        !riscv_csr_read(env, csrno, &old)) {
        helper_raise_exception(env, RISCV_EXCP_ILLEGAL_INST, insn & 0xffffffffu);
    }
    if (write) {
        riscv_csr_write(env, csrno, (old & ~mask) | (value & mask));
    }
    return old;
}

uint64_t helper_mret(CPURISCVState *env)
{
    uint64_t s = env->mstatus;

    env->priv = (s & MSTATUS_MPP) >> 11;
    s = (s & MSTATUS_MPIE) ? s | MSTATUS_MIE : s & ~MSTATUS_MIE;
    env->mstatus = s | MSTATUS_MPIE;
    return env->mepc;
}

/* Host address of an aligned SC/AMO target; raises the store/AMO exceptions. */
static void *riscv_amo_host(CPURISCVState *env, uint64_t addr, unsigned size)
{
    void *host;

    if (addr & (size - 1)) {
        helper_raise_exception(env, RISCV_EXCP_STORE_AMO_ADDR_MIS, addr);
    }
    host = probe_access(env, addr, (int)size, MMU_DATA_STORE, (int)env->priv, 0);
    if (!host) {
        helper_raise_exception(env, RISCV_EXCP_STORE_AMO_ACCESS_FAULT, addr);
    }
    return host;
}

uint64_t helper_sc(CPURISCVState *env, uint64_t addr, uint64_t val, uint64_t size)
{
    uint64_t res = env->load_res;
    void *host;

    if (addr & (size - 1)) {
        helper_raise_exception(env, RISCV_EXCP_STORE_AMO_ADDR_MIS, addr);
    }
    env->load_res = UINT64_MAX;
    if (res != addr) {
        return 1;
    }
    host = riscv_amo_host(env, addr, (unsigned)size);
    if (size == 4) {
        uint32_t expected = (uint32_t)env->load_val;

        return !__atomic_compare_exchange_n((uint32_t *)host, &expected, (uint32_t)val, false,
                                            __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    } else {
        uint64_t expected = env->load_val;

        return !__atomic_compare_exchange_n((uint64_t *)host, &expected, val, false,
                                            __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    }
}

/* The new memory value of AMO OP given the OLD one and the operand V (SIZE bytes). */
static uint64_t riscv_amo_apply(int op, uint64_t old, uint64_t v, unsigned size)
{
    int64_t so = size == 4 ? (int32_t)old : (int64_t)old;
    int64_t sv = size == 4 ? (int32_t)v : (int64_t)v;
    uint64_t uo = size == 4 ? (uint32_t)old : old;
    uint64_t uv = size == 4 ? (uint32_t)v : v;

    switch (op) {
    case RISCV_AMO_SWAP: return v;
    case RISCV_AMO_ADD: return old + v;
    case RISCV_AMO_XOR: return old ^ v;
    case RISCV_AMO_AND: return old & v;
    case RISCV_AMO_OR: return old | v;
    case RISCV_AMO_MIN: return so < sv ? old : v;
    case RISCV_AMO_MAX: return so > sv ? old : v;
    case RISCV_AMO_MINU: return uo < uv ? old : v;
    default: return uo > uv ? old : v;
    }
}

uint64_t helper_amo(CPURISCVState *env, uint64_t addr, uint64_t val, uint64_t op_size)
{
    int op = (int)(op_size & 0xff);
    unsigned size = (unsigned)(op_size >> 8);
    void *host = riscv_amo_host(env, addr, size);

    if (size == 4) {
        uint32_t *p = host;
        uint32_t old = __atomic_load_n(p, __ATOMIC_RELAXED);

        while (!__atomic_compare_exchange_n(p, &old, (uint32_t)riscv_amo_apply(op, old, val, 4),
                                            true, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
            continue;
        }
        return (uint64_t)(int64_t)(int32_t)old;
    } else {
        uint64_t *p = host;
        uint64_t old = __atomic_load_n(p, __ATOMIC_RELAXED);

        while (!__atomic_compare_exchange_n(p, &old, riscv_amo_apply(op, old, val, 8), true,
                                            __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
            continue;
        }
        return old;
    }
}
