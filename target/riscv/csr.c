/*
 * The riscv64 control and status registers (Zicsr and the privileged
 * architecture 1.12): one read-modify-write entry point that checks the
 * access (the privilege encoded in the CSR number, read-only CSRs, FS for the
 * FP CSRs, mcounteren/scounteren for the counters, mstatus.TVM for satp) and
 * then reads and writes the CSR, keeping WARL fields legal: mstatus and its
 * sstatus view, misa, the delegation, interrupt-enable and interrupt-pending
 * registers and their S-mode views, the trap vector and trap CSRs of M and S
 * mode, satp (Bare, Sv39, Sv48; other modes leave it unchanged), counters
 * (hpm counters read 0), envcfg and PMP. Writes that change how addresses
 * translate (satp, mstatus.MXR, PMP) flush this hart's TLB.
 */
#include "util/osdep.h"

#include <time.h>
#include "exec/exec-all.h"
#include "target/riscv/cpu.h"

static uint64_t (*riscv_time_fn)(void *opaque);
static void *riscv_time_opaque;

void riscv_set_time_source(uint64_t (*fn)(void *opaque), void *opaque)
{
    riscv_time_opaque = opaque;
    riscv_time_fn = fn;
}

static uint64_t riscv_read_time(void)
{
    struct timespec ts;

    if (riscv_time_fn) {
        return riscv_time_fn(riscv_time_opaque);
    }
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 10000000ULL + (uint64_t)ts.tv_nsec / 100;
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

#define SSTATUS_MASK (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | MSTATUS_XS | \
                      MSTATUS_SUM | MSTATUS_MXR | MSTATUS_UXL | MSTATUS_SD)
#define SSTATUS_WRITABLE (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | \
                          MSTATUS_SUM | MSTATUS_MXR)
#define MSTATUS_WRITABLE (SSTATUS_WRITABLE | MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | \
                          MSTATUS_MPRV | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR)
/* Exceptions M-mode may delegate: all but ecall from M and the reserved causes. */
#define MEDELEG_WRITABLE 0xb3ffULL
/* Counter enables: cycle, time, instret and the 29 hpm counters. */
#define COUNTEREN_MASK 0xffffffffULL

static uint64_t riscv_mstatus_read(const CPURISCVState *env)
{
    uint64_t s = env->mstatus & ~MSTATUS_SD;

    if ((s & MSTATUS_FS) == MSTATUS_FS_DIRTY) {
        s |= MSTATUS_SD;
    }
    return s;
}

static void riscv_mstatus_write(CPURISCVState *env, uint64_t val, uint64_t writable)
{
    uint64_t old = env->mstatus;
    uint64_t s = (old & ~writable) | (val & writable);

    if (((s & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT) == 2) {
        s = (s & ~MSTATUS_MPP) | (old & MSTATUS_MPP);   /* reserved: keep the old mode */
    }
    env->mstatus = s | MSTATUS_UXL_SXL;
    if ((old ^ s) & MSTATUS_MXR) {
        tlb_flush(env_cpu(env));
    }
}

/*
 * mip as read (with the external SEIP line), or as a write starts from (the
 * stored bits only, so a csrs/csrc does not latch the line into SEIP).
 */
static uint64_t riscv_mip_value(CPURISCVState *env, bool for_write)
{
    return for_write ? __atomic_load_n(&env->mip, __ATOMIC_ACQUIRE)
                     : riscv_pending_interrupts(env);
}

/* Replaces the software-writable bits WRITABLE of mip (the board's lines stay). */
static void riscv_mip_write(CPURISCVState *env, uint64_t val, uint64_t writable)
{
    __atomic_fetch_and(&env->mip, ~(writable & ~val), __ATOMIC_ACQ_REL);
    __atomic_fetch_or(&env->mip, val & writable, __ATOMIC_ACQ_REL);
}

/* May the current privilege read counter CSR 0xc00 + N (cycle, time, instret, hpm)? */
static bool riscv_counter_allowed(const CPURISCVState *env, unsigned n)
{
    if (env->priv == PRV_M) {
        return true;
    }
    if (!(env->mcounteren >> n & 1)) {
        return false;
    }
    return env->priv == PRV_S || (env->scounteren >> n & 1);
}

static void riscv_tvec_write(uint64_t *tvec, uint64_t val)
{
    if ((val & 3) < 2) {    /* direct or vectored; reserved modes leave it unchanged */
        *tvec = val;
    }
}

static void riscv_satp_write(CPURISCVState *env, uint64_t val)
{
    unsigned mode = (unsigned)(val >> SATP_MODE_SHIFT);

    if (mode != SATP_MODE_BARE && mode != SATP_MODE_SV39 && mode != SATP_MODE_SV48) {
        return;     /* an unsupported mode: the write has no effect */
    }
    val &= (0xfULL << SATP_MODE_SHIFT) | SATP_ASID_MASK | SATP_PPN_MASK;
    if (val != env->satp) {
        env->satp = val;
        tlb_flush(env_cpu(env));
    }
}

/*
 * Reads CSRNO into *VAL (for a write, the value the read-modify-write starts
 * from); false when it does not exist or the current mode may not access it.
 */
static bool riscv_csr_read(CPURISCVState *env, unsigned csrno, uint64_t *val, bool for_write)
{
    switch (csrno) {
    case CSR_FFLAGS:
    case CSR_FRM:
    case CSR_FCSR:
        if ((env->mstatus & MSTATUS_FS) == 0) {
            return false;
        }
        *val = csrno == CSR_FFLAGS ? env->fflags
             : csrno == CSR_FRM ? env->frm : (env->frm << 5 | env->fflags);
        return true;
    case CSR_CYCLE ... CSR_HPMCOUNTER31:
        if (!riscv_counter_allowed(env, csrno - CSR_CYCLE)) {
            return false;
        }
        *val = csrno == CSR_TIME ? riscv_read_time()
             : csrno == CSR_CYCLE || csrno == CSR_INSTRET ? riscv_read_counter(env) : 0;
        return true;
    case CSR_MCYCLE:
    case CSR_MINSTRET:
        *val = riscv_read_counter(env);
        return true;
    case CSR_MHPMCOUNTER3 ... CSR_MHPMCOUNTER31:
    case CSR_MHPMEVENT3 ... CSR_MHPMEVENT31:
    case CSR_MCOUNTINHIBIT:
    case CSR_MVENDORID:
    case CSR_MARCHID:
    case CSR_MIMPID:
    case CSR_MCONFIGPTR:
        *val = 0;
        return true;
    case CSR_SSTATUS: *val = riscv_mstatus_read(env) & SSTATUS_MASK; return true;
    case CSR_SIE: *val = env->mie & env->mideleg; return true;
    case CSR_STVEC: *val = env->stvec; return true;
    case CSR_SCOUNTEREN: *val = env->scounteren; return true;
    case CSR_SENVCFG: *val = env->senvcfg; return true;
    case CSR_SSCRATCH: *val = env->sscratch; return true;
    case CSR_SEPC: *val = env->sepc; return true;
    case CSR_SCAUSE: *val = env->scause; return true;
    case CSR_STVAL: *val = env->stval; return true;
    case CSR_SIP:
        *val = riscv_mip_value(env, for_write) & env->mideleg;
        return true;
    case CSR_SATP:
        if (env->priv == PRV_S && (env->mstatus & MSTATUS_TVM)) {
            return false;
        }
        *val = env->satp;
        return true;
    case CSR_MSTATUS: *val = riscv_mstatus_read(env); return true;
    case CSR_MISA: *val = env->misa; return true;
    case CSR_MEDELEG: *val = env->medeleg; return true;
    case CSR_MIDELEG: *val = env->mideleg; return true;
    case CSR_MIE: *val = env->mie; return true;
    case CSR_MTVEC: *val = env->mtvec; return true;
    case CSR_MCOUNTEREN: *val = env->mcounteren; return true;
    case CSR_MENVCFG: *val = env->menvcfg; return true;
    case CSR_MSCRATCH: *val = env->mscratch; return true;
    case CSR_MEPC: *val = env->mepc; return true;
    case CSR_MCAUSE: *val = env->mcause; return true;
    case CSR_MTVAL: *val = env->mtval; return true;
    case CSR_MIP:
        *val = riscv_mip_value(env, for_write);
        return true;
    case CSR_PMPCFG0 ... CSR_PMPCFG15:
        if (csrno & 1) {
            return false;   /* RV64 has only the even pmpcfg registers */
        }
        *val = riscv_pmpcfg_read(env, csrno - CSR_PMPCFG0);
        return true;
    case CSR_PMPADDR0 ... CSR_PMPADDR63: {
        unsigned i = csrno - CSR_PMPADDR0;

        *val = i < RISCV_PMP_ENTRIES ? env->pmpaddr[i] : 0;
        return true;
    }
    case CSR_MHARTID: *val = env->mhartid; return true;
    default:
        return false;
    }
}

/* Writes a CSR known to exist and be writable in this mode; WARL fields keep legal values. */
static void riscv_csr_write(CPURISCVState *env, unsigned csrno, uint64_t val)
{
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
    case CSR_SSTATUS: riscv_mstatus_write(env, val, SSTATUS_WRITABLE); return;
    case CSR_SIE:
        env->mie = (env->mie & ~env->mideleg) | (val & env->mideleg & MIP_S_MASK);
        return;
    case CSR_STVEC: riscv_tvec_write(&env->stvec, val); return;
    case CSR_SCOUNTEREN: env->scounteren = (uint32_t)(val & COUNTEREN_MASK); return;
    case CSR_SENVCFG: env->senvcfg = val & ENVCFG_FIOM; return;
    case CSR_SSCRATCH: env->sscratch = val; return;
    case CSR_SEPC: env->sepc = val & ~1ULL; return;
    case CSR_SCAUSE: env->scause = val; return;
    case CSR_STVAL: env->stval = val; return;
    case CSR_SIP: riscv_mip_write(env, val, env->mideleg & MIP_SSIP); return;
    case CSR_SATP: riscv_satp_write(env, val); return;
    case CSR_MSTATUS: riscv_mstatus_write(env, val, MSTATUS_WRITABLE); return;
    case CSR_MEDELEG: env->medeleg = val & MEDELEG_WRITABLE; return;
    case CSR_MIDELEG: env->mideleg = val & MIP_S_MASK; return;
    case CSR_MIE: env->mie = val & MIP_ALL_MASK; return;
    case CSR_MTVEC: riscv_tvec_write(&env->mtvec, val); return;
    case CSR_MCOUNTEREN: env->mcounteren = (uint32_t)(val & COUNTEREN_MASK); return;
    case CSR_MENVCFG: env->menvcfg = val & ENVCFG_FIOM; return;
    case CSR_MSCRATCH: env->mscratch = val; return;
    case CSR_MEPC: env->mepc = val & ~1ULL; return;
    case CSR_MCAUSE: env->mcause = val; return;
    case CSR_MTVAL: env->mtval = val; return;
    case CSR_MIP: riscv_mip_write(env, val, MIP_S_MASK); return;
    case CSR_PMPCFG0 ... CSR_PMPCFG15:
        if (riscv_pmpcfg_write(env, csrno - CSR_PMPCFG0, val)) {
            tlb_flush(env_cpu(env));
        }
        return;
    case CSR_PMPADDR0 ... CSR_PMPADDR63:
        if (csrno - CSR_PMPADDR0 < RISCV_PMP_ENTRIES &&
            riscv_pmpaddr_write(env, csrno - CSR_PMPADDR0, val)) {
            tlb_flush(env_cpu(env));
        }
        return;
    default:
        return;     /* misa, the counters, hpm events, mcountinhibit: WARL, fixed */
    }
    env->mstatus |= MSTATUS_FS_DIRTY;   /* an FP CSR was written */
}

/* The whole Zicsr access (read, then write if WRITE) of CSRNO; false: illegal. */
static bool riscv_csr_rmw(CPURISCVState *env, unsigned csrno, bool write, uint64_t mask,
                   uint64_t value, uint64_t *old)
{
    uint64_t base;

    if (((csrno >> 8) & 3) > env->priv || (write && (csrno >> 10) == 3) ||
        !riscv_csr_read(env, csrno, old, false)) {
        return false;
    }
    if (write) {
        riscv_csr_read(env, csrno, &base, true);
        riscv_csr_write(env, csrno, (base & ~mask) | (value & mask));
    }
    return true;
}

uint64_t helper_csr_op(CPURISCVState *env, uint64_t insn, uint64_t write, uint64_t mask,
                       uint64_t value)
{
    uint64_t old;

    if (!riscv_csr_rmw(env, (unsigned)(insn >> 20) & 0xfff, write != 0, mask, value, &old)) {
        helper_raise_exception(env, RISCV_EXCP_ILLEGAL_INST, insn & 0xffffffffu);
    }
    return old;
}
