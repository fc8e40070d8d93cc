/*
 * The riscv64 CPU's TCG target operations: reset to the board's boot state
 * (M-mode, a0 = hart id, a1 = device tree), the TB key (pc; privilege and
 * mstatus.FS as flags), trap entry for exceptions and interrupts (mepc,
 * mcause, mtval, mstatus stack, pc = mtvec, vectored for interrupts), M-mode
 * interrupt selection from mip & mie, the M-mode TLB fill (identity mapping:
 * physical = virtual; paging and PMP come with the privileged issue),
 * misaligned-access faults for MO_ALIGN accesses (LR), precise state restore
 * from the insn_start pc, and the -d cpu register dump.
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

    memset(env->gpr, 0, sizeof(env->gpr));
    memset(env->fpr, 0, sizeof(env->fpr));
    env->pc = riscv_boot_state.pc;
    env->gpr[10] = (uint64_t)cpu->index;
    env->gpr[11] = riscv_boot_state.a1;
    env->fflags = 0;
    env->frm = 0;
    env->load_res = UINT64_MAX;
    env->load_val = 0;
    env->priv = PRV_M;
    env->misa = 2ULL << 62 | MISA_EXT('I') | MISA_EXT('M') | MISA_EXT('A') | MISA_EXT('F') |
                MISA_EXT('D') | MISA_EXT('C');
    env->mhartid = (uint64_t)cpu->index;
    env->mstatus = MSTATUS_MPP;
    env->mtvec = 0;
    env->mepc = 0;
    env->mcause = 0;
    env->mtval = 0;
    env->mscratch = 0;
    env->mie = 0;
    __atomic_store_n(&env->mip, 0, __ATOMIC_RELAXED);
    env->common.exception_index = -1;
}

static void riscv_get_tb_cpu_state(void *opaque, uint64_t *pc, uint32_t *flags)
{
    CPURISCVState *env = opaque;

    *pc = env->pc;
    *flags = (uint32_t)env->priv |
             (uint32_t)((env->mstatus & MSTATUS_FS) >> 13) << RISCV_TB_FLAGS_FS_SHIFT;
}

static void riscv_restore_state_to_opc(void *opaque, const TranslationBlock *tb,
                                       const uint64_t *data)
{
    CPURISCVState *env = opaque;

    env->pc = data[0];
}

static void riscv_do_interrupt(CPUState *cpu)
{
    CPURISCVState *env = riscv_env(cpu);
    int idx = env->common.exception_index;
    bool irq = (idx & RISCV_EXCP_INT_FLAG) != 0;
    uint64_t cause = (uint64_t)(idx & ~RISCV_EXCP_INT_FLAG);
    uint64_t s = env->mstatus;

    env->mepc = env->pc;
    env->mcause = cause | (irq ? 1ULL << 63 : 0);
    env->mtval = irq ? 0 : env->badaddr;
    s = (s & MSTATUS_MIE) ? s | MSTATUS_MPIE : s & ~MSTATUS_MPIE;
    s &= ~(MSTATUS_MIE | MSTATUS_MPP);
    env->mstatus = s | env->priv << 11;
    env->priv = PRV_M;
    env->pc = (env->mtvec & ~3ULL) + ((env->mtvec & 3) == 1 && irq ? 4 * cause : 0);
    env->load_res = UINT64_MAX;
    env->common.exception_index = -1;
    log_mask_printf(LOG_INT, "riscv: hart %d %s cause %" PRIu64 " mepc 0x%" PRIx64
                    " mtval 0x%" PRIx64 " -> 0x%" PRIx64 "\n", cpu->index,
                    irq ? "interrupt" : "exception", cause, env->mepc, env->mtval, env->pc);
}

/* The highest-priority pending and enabled M-mode interrupt, or -1. */
static int riscv_pending_irq(CPURISCVState *env)
{
    static const int order[] = { RISCV_IRQ_M_EXT, RISCV_IRQ_M_SOFT, RISCV_IRQ_M_TIMER };
    uint64_t pending = __atomic_load_n(&env->mip, __ATOMIC_ACQUIRE) & env->mie;

    if (env->priv == PRV_M && !(env->mstatus & MSTATUS_MIE)) {
        return -1;
    }
    for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
        if (pending & (1ULL << order[i])) {
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

static bool riscv_cpu_has_work(CPUState *cpu)
{
    CPURISCVState *env = riscv_env(cpu);

    return (__atomic_load_n(&env->mip, __ATOMIC_ACQUIRE) & env->mie) != 0;
}

void riscv_cpu_set_irq(CPUState *cpu, int cause, int level)
{
    CPURISCVState *env = riscv_env(cpu);

    if (level) {
        __atomic_fetch_or(&env->mip, 1ULL << cause, __ATOMIC_RELEASE);
        cpu_kick(cpu);
    } else {
        __atomic_fetch_and(&env->mip, ~(1ULL << cause), __ATOMIC_RELEASE);
    }
}

static bool riscv_tlb_fill(CPUState *cpu, uint64_t vaddr, int size, MMUAccessType access,
                           int mmu_idx, bool probe, uintptr_t retaddr)
{
    tlb_set_page(cpu, vaddr & TARGET_PAGE_MASK, vaddr & TARGET_PAGE_MASK,
                 PAGE_READ | PAGE_WRITE | PAGE_EXEC, mmu_idx, TARGET_PAGE_SIZE);
    return true;
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
};

static void __attribute__((constructor)) riscv_tcg_register(void)
{
    tcg_target_register(&riscv_tcg_ops);
}
