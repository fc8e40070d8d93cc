/*
 * Helpers called from riscv64 generated code for what is too long to emit
 * inline: raising exceptions, mret and sret, wfi (which halts the vCPU),
 * sfence.vma, and SC and the AMOs, which run as host atomics (__atomic
 * builtins) on the host address of the guest location so they are atomic
 * across vCPU threads.
 * SC succeeds only if the reservation is for this address and the location
 * still holds the value LR read (a compare-and-swap), which also catches
 * intervening stores that changed it. The translator syncs env->pc before
 * each of these calls, so a fault leaves with cpu_loop_exit directly.
 */
#include "util/osdep.h"

#include "exec/exec-all.h"
#include "target/riscv/cpu.h"

void helper_raise_exception(CPURISCVState *env, uint64_t cause, uint64_t tval)
{
    env->common.exception_index = (int32_t)cause;
    env->badaddr = tval;
    cpu_loop_exit(env_cpu(env));
}

uint64_t helper_mret(CPURISCVState *env)
{
    uint64_t s = env->mstatus;

    if (env->priv != PRV_M) {
        helper_raise_exception(env, RISCV_EXCP_ILLEGAL_INST, 0x30200073);
    }
    env->priv = (s & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
    s = (s & MSTATUS_MPIE) ? s | MSTATUS_MIE : s & ~MSTATUS_MIE;
    s = (s | MSTATUS_MPIE) & ~MSTATUS_MPP;     /* MPP = U, the least privileged mode */
    if (env->priv != PRV_M) {
        s &= ~MSTATUS_MPRV;
    }
    env->mstatus = s;
    env->load_res = UINT64_MAX;
    return env->mepc;
}

uint64_t helper_sret(CPURISCVState *env)
{
    uint64_t s = env->mstatus;

    if (env->priv == PRV_U || (env->priv == PRV_S && (s & MSTATUS_TSR))) {
        helper_raise_exception(env, RISCV_EXCP_ILLEGAL_INST, 0x10200073);
    }
    env->priv = (s & MSTATUS_SPP) ? PRV_S : PRV_U;
    s = (s & MSTATUS_SPIE) ? s | MSTATUS_SIE : s & ~MSTATUS_SIE;
    s = (s | MSTATUS_SPIE) & ~(MSTATUS_SPP | MSTATUS_MPRV);
    env->mstatus = s;
    env->load_res = UINT64_MAX;
    return env->sepc;
}

/*
 * wfi (env->pc is the wfi): illegal in U-mode and, with mstatus.TW, in
 * S-mode; otherwise execution goes on after it, at once if an interrupt is
 * pending, else once the halted vCPU has one (has_work): the cpu loop sleeps.
 */
void helper_wfi(CPURISCVState *env)
{
    CPUState *cpu = env_cpu(env);

    if (env->priv == PRV_U || (env->priv == PRV_S && (env->mstatus & MSTATUS_TW))) {
        helper_raise_exception(env, RISCV_EXCP_ILLEGAL_INST, 0x10500073);
    }
    env->pc += 4;
    if (riscv_pending_interrupts(env) & env->mie) {
        return;
    }
    cpu->halted = true;
    cpu_loop_exit(cpu);
}

/*
 * sfence.vma (INSN): illegal in U-mode and, with mstatus.TVM, in S-mode;
 * flushes the whole TLB whatever the address and ASID operands.
 */
void helper_sfence_vma(CPURISCVState *env, uint64_t insn)
{
    if (env->priv == PRV_U || (env->priv == PRV_S && (env->mstatus & MSTATUS_TVM))) {
        helper_raise_exception(env, RISCV_EXCP_ILLEGAL_INST, insn);
    }
    tlb_flush(env_cpu(env));
}

/* Host address of an aligned SC/AMO target; raises the store/AMO exceptions. */
static void *riscv_amo_host(CPURISCVState *env, uint64_t addr, unsigned size)
{
    void *host;

    if (addr & (size - 1)) {
        helper_raise_exception(env, RISCV_EXCP_STORE_AMO_ADDR_MIS, addr);
    }
    host = probe_access(env, addr, (int)size, MMU_DATA_STORE, riscv_data_mmu_index(env), 0);
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
