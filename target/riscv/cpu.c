/*
 * The riscv64 CPU's TCG target operations: reset to the board's boot state
 * (M-mode, a0 = hart id, a1 = device tree, PMP off, paging off), the TB key
 * (pc; privilege, mstatus.FS and the data mmu index as flags), the mmu index
 * of fetches and of loads/stores (mstatus.MPRV), trap entry for exceptions
 * and interrupts with delegation to S-mode (medeleg/mideleg), interrupt
 * selection in the privileged spec's priority order, the board's interrupt
 * lines, misaligned-access faults for MO_ALIGN accesses (LR), precise state
 * restore from the insn_start pc, and the -d cpu register dump. Address
 * translation is in mmu.c, PMP in pmp.c, the CSRs in csr.c.
 */
#include "util/osdep.h"

#include "exec/exec-all.h"
#include "hw/riscv/boot.h"
#include "target/riscv/cpu.h"
#include "util/log.h"

#define MISA_EXT(c) (1ULL << ((c) - 'A'))

static void riscv_cpu_reset(CPUState *cpu)
{
    CPURISCVState *env = riscv_env(cpu);

    /* The accelerator zeroed everything after the common head. */
    env->pc = riscv_boot_state.pc;
    env->gpr[10] = (uint64_t)cpu->index;
    env->gpr[11] = riscv_boot_state.a1;
    env->load_res = UINT64_MAX;
    env->priv = PRV_M;
    env->misa = 2ULL << 62 | MISA_EXT('I') | MISA_EXT('M') | MISA_EXT('A') | MISA_EXT('F') |
                MISA_EXT('D') | MISA_EXT('C') | MISA_EXT('S') | MISA_EXT('U');
    env->mhartid = (uint64_t)cpu->index;
    env->mstatus = MSTATUS_MPP | MSTATUS_UXL_SXL;
    env->common.exception_index = -1;
}

int riscv_data_mmu_index(const CPURISCVState *env)
{
    uint64_t priv = env->priv;

    if (priv == PRV_M && (env->mstatus & MSTATUS_MPRV)) {
        priv = (env->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
    }
    switch (priv) {
    case PRV_M:
        return RISCV_MMU_M;
    case PRV_S:
        return env->mstatus & MSTATUS_SUM ? RISCV_MMU_S_SUM : RISCV_MMU_S;
    default:
        return RISCV_MMU_U;
    }
}

static int riscv_cpu_mmu_index(void *opaque, bool ifetch)
{
    CPURISCVState *env = opaque;

    if (ifetch) {
        return env->priv == PRV_M ? RISCV_MMU_M : env->priv == PRV_S ? RISCV_MMU_S : RISCV_MMU_U;
    }
    return riscv_data_mmu_index(env);
}

static void riscv_get_tb_cpu_state(void *opaque, uint64_t *pc, uint32_t *flags)
{
    CPURISCVState *env = opaque;

    *pc = env->pc;
    *flags = (uint32_t)env->priv |
             (uint32_t)((env->mstatus & MSTATUS_FS) >> 13) << RISCV_TB_FLAGS_FS_SHIFT |
             (uint32_t)riscv_data_mmu_index(env) << RISCV_TB_FLAGS_MEM_SHIFT;
}

static void riscv_restore_state_to_opc(void *opaque, const TranslationBlock *tb,
                                       const uint64_t *data)
{
    CPURISCVState *env = opaque;

    env->pc = data[0];
}

/* The trap vector: BASE, plus 4 * cause for interrupts in vectored mode. */
static uint64_t riscv_trap_target(uint64_t tvec, bool irq, uint64_t cause)
{
    return (tvec & ~3ULL) + ((tvec & 3) == 1 && irq ? 4 * cause : 0);
}

static void riscv_do_interrupt(CPUState *cpu)
{
    CPURISCVState *env = riscv_env(cpu);
    int idx = env->common.exception_index;
    bool irq = (idx & RISCV_EXCP_INT_FLAG) != 0;
    uint64_t cause = (uint64_t)(idx & ~RISCV_EXCP_INT_FLAG);
    uint64_t deleg = irq ? env->mideleg : env->medeleg;
    uint64_t tval = irq ? 0 : env->badaddr;
    uint64_t s = env->mstatus;
    uint64_t from = env->priv;

    if (from <= PRV_S && (deleg >> cause & 1)) {
        env->sepc = env->pc;
        env->scause = cause | (irq ? 1ULL << 63 : 0);
        env->stval = tval;
        s = (s & MSTATUS_SIE) ? s | MSTATUS_SPIE : s & ~MSTATUS_SPIE;
        s &= ~(MSTATUS_SIE | MSTATUS_SPP);
        env->mstatus = s | (from == PRV_S ? MSTATUS_SPP : 0);
        env->priv = PRV_S;
        env->pc = riscv_trap_target(env->stvec, irq, cause);
    } else {
        env->mepc = env->pc;
        env->mcause = cause | (irq ? 1ULL << 63 : 0);
        env->mtval = tval;
        s = (s & MSTATUS_MIE) ? s | MSTATUS_MPIE : s & ~MSTATUS_MPIE;
        s &= ~(MSTATUS_MIE | MSTATUS_MPP);
        env->mstatus = s | from << MSTATUS_MPP_SHIFT;
        env->priv = PRV_M;
        env->pc = riscv_trap_target(env->mtvec, irq, cause);
    }
    env->load_res = UINT64_MAX;
    env->common.exception_index = -1;
    log_mask_printf(LOG_INT, "riscv: hart %d %s cause %" PRIu64 " from priv %" PRIu64
                    " epc 0x%" PRIx64 " tval 0x%" PRIx64 " -> priv %" PRIu64 " 0x%" PRIx64 "\n",
                    cpu->index, irq ? "interrupt" : "exception", cause, from,
                    env->priv == PRV_M ? env->mepc : env->sepc, tval, env->priv, env->pc);
}

uint64_t riscv_pending_interrupts(CPURISCVState *env)
{
    uint64_t mip = __atomic_load_n(&env->mip, __ATOMIC_ACQUIRE);

    if (__atomic_load_n(&env->seip_line, __ATOMIC_ACQUIRE)) {
        mip |= MIP_SEIP;
    }
    return mip;
}

/* The highest-priority interrupt that may be taken now, or -1. */
static int riscv_pending_irq(CPURISCVState *env)
{
    static const int order[] = {
        RISCV_IRQ_M_EXT, RISCV_IRQ_M_SOFT, RISCV_IRQ_M_TIMER,
        RISCV_IRQ_S_EXT, RISCV_IRQ_S_SOFT, RISCV_IRQ_S_TIMER,
    };
    uint64_t pending = riscv_pending_interrupts(env) & env->mie;
    bool m_on = env->priv < PRV_M || (env->mstatus & MSTATUS_MIE);
    bool s_on = env->priv < PRV_S || (env->priv == PRV_S && (env->mstatus & MSTATUS_SIE));
    uint64_t take = (m_on ? pending & ~env->mideleg : 0);

    if (!take) {
        take = s_on ? pending & env->mideleg : 0;   /* M-mode interrupts go first */
    }
    for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
        if (take & (1ULL << order[i])) {
            return order[i];
        }
    }
    return -1;
}

static bool riscv_cpu_exec_interrupt(CPUState *cpu, int interrupt_request)
{
    CPURISCVState *env = riscv_env(cpu);
    int irq = riscv_pending_irq(env);

    if (irq < 0) {
        return false;
    }
    env->common.exception_index = RISCV_EXCP_INT_FLAG | irq;
    riscv_do_interrupt(cpu);
    return true;
}

/* wfi ends once an interrupt is pending and locally enabled, whatever the global enables. */
static bool riscv_cpu_has_work(CPUState *cpu)
{
    CPURISCVState *env = riscv_env(cpu);

    return (riscv_pending_interrupts(env) & env->mie) != 0;
}

void riscv_cpu_set_irq(CPUState *cpu, int cause, int level)
{
    CPURISCVState *env = riscv_env(cpu);

    if (cause == RISCV_IRQ_S_EXT) {
        __atomic_store_n(&env->seip_line, level != 0, __ATOMIC_RELEASE);
    } else if (level) {
        __atomic_fetch_or(&env->mip, 1ULL << cause, __ATOMIC_RELEASE);
    } else {
        __atomic_fetch_and(&env->mip, ~(1ULL << cause), __ATOMIC_RELEASE);
    }
    if (level) {
        cpu_kick(cpu);
    }
}

static void riscv_do_unaligned_access(CPUState *cpu, uint64_t vaddr, MMUAccessType access,
                                      int mmu_idx, uintptr_t retaddr)
{
    CPURISCVState *env = riscv_env(cpu);

    env->badaddr = vaddr;
    cpu_raise_exception_ra(cpu, access == MMU_DATA_LOAD ? RISCV_EXCP_LOAD_ADDR_MIS
                                                        : RISCV_EXCP_STORE_AMO_ADDR_MIS,
                           retaddr);
}

static void riscv_dump_state(CPUState *cpu, FILE *f)
{
    static const char *const names[32] = {
        "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2",
        "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9",
        "s10", "s11", "t3", "t4", "t5", "t6",
    };
    CPURISCVState *env = riscv_env(cpu);

    fprintf(f, " pc       %016" PRIx64 "  priv %" PRIu64 "  mstatus %016" PRIx64 "\n",
            env->pc, env->priv, env->mstatus);
    for (int i = 0; i < 32; i++) {
        fprintf(f, " x%-2d/%-4s %016" PRIx64 "%s", i, names[i], env->gpr[i],
                (i % 4) == 3 ? "\n" : " ");
    }
    for (int i = 0; i < 32; i++) {
        fprintf(f, " f%-2d %016" PRIx64 "%s", i, env->fpr[i], (i % 4) == 3 ? "\n" : " ");
    }
    fprintf(f, " fflags %02x frm %u mtvec %016" PRIx64 " mepc %016" PRIx64
            " mcause %016" PRIx64 " mtval %016" PRIx64 "\n", env->fflags, env->frm,
            env->mtvec, env->mepc, env->mcause, env->mtval);
    fprintf(f, " stvec %016" PRIx64 " sepc %016" PRIx64 " scause %016" PRIx64
            " stval %016" PRIx64 " satp %016" PRIx64 "\n", env->stvec, env->sepc, env->scause,
            env->stval, env->satp);
}

static const TCGTargetOps riscv_tcg_ops = {
    .name = "riscv64",
    .env_size = sizeof(CPURISCVState),
    .init = riscv_tcg_init,
    .cpu_reset = riscv_cpu_reset,
    .get_tb_cpu_state = riscv_get_tb_cpu_state,
    .gen_intermediate_code = riscv_gen_intermediate_code,
    .restore_state_to_opc = riscv_restore_state_to_opc,
    .cpu_exec_interrupt = riscv_cpu_exec_interrupt,
    .do_interrupt = riscv_do_interrupt,
    .tlb_fill = riscv_tlb_fill,
    .do_unaligned_access = riscv_do_unaligned_access,
    .has_work = riscv_cpu_has_work,
    .dump_state = riscv_dump_state,
    .cpu_mmu_index = riscv_cpu_mmu_index,
};

static void __attribute__((constructor)) riscv_tcg_register(void)
{
    tcg_target_register(&riscv_tcg_ops);
}
