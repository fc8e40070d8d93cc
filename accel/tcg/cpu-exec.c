/*
 * The TCG vCPU thread: the outer loop, with the BQL, follows the cpus.c
 * protocol (park while stopped, reset when asked, wait while halted); the
 * inner loop, without it, finds the TB for the guest state, chains it to the
 * TB that just left through an unchained jump slot, runs it and decodes the
 * exit value. Exceptions leave generated code or helpers through
 * cpu_loop_exit (siglongjmp to the inner loop's landing pad, which gives up
 * any lock the jump skipped) and are delivered by the target's
 * do_interrupt; pending interrupts are offered to cpu_exec_interrupt
 * between TBs. Every TB starts by testing env exit_request, which kicks set.
 *
 * Exclusive sections: a vCPU runs guest code only between tcg_exec_start
 * and tcg_exec_end; tcg_exclusive_start (a code buffer flush) waits until
 * no vCPU is inside, kicking those that are, and holds the others at their
 * next tcg_exec_start until tcg_exclusive_end.
 */
#include "util/osdep.h"

#include "accel/tcg/tcg-internal.h"
#include "sysemu/accel.h"
#include "sysemu/main-loop.h"
#include "util/log.h"

static __thread CPUState *current_tcg_cpu;

static GMutex exclusive_lock;
static GCond exclusive_cond;        /* the last vCPU left its exec section */
static GCond exclusive_resume;      /* the exclusive section ended */
static int exclusive_running;       /* vCPUs inside an exec section */
static bool exclusive_pending;      /* atomic reads outside the lock */

CPUState *tcg_current_cpu(void)
{
    return current_tcg_cpu;
}

void tcg_exec_start(CPUState *cpu)
{
    g_mutex_lock(&exclusive_lock);
    while (exclusive_pending) {
        g_cond_wait(&exclusive_resume, &exclusive_lock);
    }
    tcg_vcpu(cpu)->running = true;
    exclusive_running++;
    g_mutex_unlock(&exclusive_lock);
}

void tcg_exec_end(CPUState *cpu)
{
    g_mutex_lock(&exclusive_lock);
    tcg_vcpu(cpu)->running = false;
    exclusive_running--;
    if (exclusive_pending && exclusive_running == 0) {
        g_cond_broadcast(&exclusive_cond);
    }
    g_mutex_unlock(&exclusive_lock);
}

void tcg_exclusive_start(void)
{
    g_mutex_lock(&exclusive_lock);
    while (exclusive_pending) {
        g_cond_wait(&exclusive_resume, &exclusive_lock);
    }
    __atomic_store_n(&exclusive_pending, true, __ATOMIC_SEQ_CST);
    for (unsigned i = 0; i < cpus_count; i++) {
        TCGVCPU *v = tcg_vcpu(cpus[i]);

        if (v->running) {
            __atomic_store_n(&env_common(v->env)->exit_request, 1, __ATOMIC_SEQ_CST);
        }
    }
    while (exclusive_running > 0) {
        g_cond_wait(&exclusive_cond, &exclusive_lock);
    }
    g_mutex_unlock(&exclusive_lock);
}

void tcg_exclusive_end(void)
{
    g_mutex_lock(&exclusive_lock);
    __atomic_store_n(&exclusive_pending, false, __ATOMIC_SEQ_CST);
    g_cond_broadcast(&exclusive_resume);
    g_mutex_unlock(&exclusive_lock);
}

/* ---- Leaving generated code ---- */

void cpu_loop_exit(CPUState *cpu)
{
    siglongjmp(tcg_vcpu(cpu)->jmp_env, 1);
}

bool cpu_restore_state(CPUState *cpu, uintptr_t retaddr)
{
    TranslationBlock *tb = tcg_tb_lookup(retaddr);
    uintptr_t off;
    unsigned i;

    if (!tb || !tb->icount) {
        return false;
    }
    off = retaddr - 1 - (uintptr_t)tb->tc.ptr;
    for (i = 0; i + 1 < tb->icount && tb->insn_off[i + 1] <= off; i++) {
    }
    tcg_target->restore_state_to_opc(tcg_vcpu(cpu)->env, tb, tb->insn_data[i]);
    return true;
}

void cpu_loop_exit_restore(CPUState *cpu, uintptr_t retaddr)
{
    if (retaddr) {
        cpu_restore_state(cpu, retaddr);
    }
    cpu_loop_exit(cpu);
}

void cpu_raise_exception_ra(CPUState *cpu, int exception_index, uintptr_t retaddr)
{
    env_common(tcg_vcpu(cpu)->env)->exception_index = exception_index;
    cpu_loop_exit_restore(cpu, retaddr);
}

/* ---- The loops ---- */

/*
 * Lets the target take a pending interrupt (true: it did). Targets keep their
 * pending interrupts in their own state (riscv: mip, set by the board's
 * lines), so interrupt_request carries nothing and the check runs between
 * every two TBs that return to the loop; a target ends its TB after anything
 * that may unmask an interrupt.
 */
static bool tcg_cpu_take_interrupt(CPUState *cpu)
{
    return tcg_target->cpu_exec_interrupt && tcg_target->cpu_exec_interrupt(cpu, 0);
}

static bool tcg_should_leave_exec(CPUState *cpu)
{
    return cpu_should_leave(cpu) || cpu->halted ||
           __atomic_load_n(&exclusive_pending, __ATOMIC_SEQ_CST);
}

/* Runs TB; returns the TB to chain from (and its slot in *SLOT), or NULL. */
static TranslationBlock *tcg_tb_exec(CPUState *cpu, TranslationBlock *tb, int *slot)
{
    void *env = tcg_vcpu(cpu)->env;
    uintptr_t ret;
    TranslationBlock *last;

    if (log_enabled(LOG_CPU) && tcg_target->dump_state) {
        tcg_target->dump_state(cpu, log_file());
    }
    log_mask_printf(LOG_EXEC, "Trace %d: %p [%016" PRIx64 "/%08" PRIx32 "]\n", cpu->index,
                    tb->tc.ptr, tb->pc, tb->flags);
    ret = tcg_ctx->backend->tb_exec(env, tb->tc.ptr);
    last = (TranslationBlock *)(ret & ~(uintptr_t)TB_EXIT_MASK);
    *slot = (int)(ret & TB_EXIT_MASK);
    if (last && *slot == TB_EXIT_REQUESTED) {
        /* LAST did not run (reached by a chained jump): the guest pc is its start. */
        tcg_target->restore_state_to_opc(env, last, last->insn_data[0]);
        return NULL;
    }
    return last;
}

/* The inner loop, without the BQL, until something needs the outer loop. */
static void tcg_cpu_exec(CPUState *cpu)
{
    TCGVCPU *v = tcg_vcpu(cpu);
    TCGCPUCommon *c = env_common(v->env);
    TranslationBlock *volatile last_tb = NULL;
    volatile int last_slot = 0;
    uint32_t cflags = log_enabled(LOG_NOCHAIN) ? CF_NOCHAIN : 0;

    tcg_exec_start(cpu);
    if (sigsetjmp(v->jmp_env, 0) != 0) {
        /* From cpu_loop_exit: give up what the jump skipped releasing. */
        if (tcg_translate_lock_held()) {
            tcg_translate_lock_release();
        }
        if (bql_locked()) {
            bql_unlock();
        }
        last_tb = NULL;
    }
    for (;;) {
        TranslationBlock *tb;
        uint64_t pc;
        uint32_t flags;
        int slot;

        if (c->exception_index >= 0) {
            log_mask_printf(LOG_INT, "TCG: vCPU %d: exception %d\n", cpu->index,
                            c->exception_index);
            tcg_target->do_interrupt(cpu);
            c->exception_index = -1;
            last_tb = NULL;
        }
        /* Cleared before the checks, so a request arriving during them is not lost. */
        __atomic_store_n(&c->exit_request, 0, __ATOMIC_SEQ_CST);
        if (tcg_should_leave_exec(cpu)) {
            break;
        }
        tlb_flush_if_pending(cpu);
        if (tcg_cpu_take_interrupt(cpu)) {
            last_tb = NULL;
            continue;
        }
        tcg_target->get_tb_cpu_state(v->env, &pc, &flags);
        tb = tb_find(cpu, pc, flags, cflags);
        if (v->flush_count_seen != tcg_tb_flush_count()) {
            /* The code buffer was flushed: LAST_TB is gone. */
            v->flush_count_seen = tcg_tb_flush_count();
            last_tb = NULL;
        }
        if (last_tb && !cflags) {
            tb_add_jump(last_tb, last_slot, tb);
        }
        last_tb = tcg_tb_exec(cpu, tb, &slot);
        last_slot = slot;
    }
    tcg_exec_end(cpu);
}

/* A halted vCPU (wfi) runs again once an interrupt is taken or it has work. */
static bool tcg_cpu_wakes_up(CPUState *cpu)
{
    if (tcg_cpu_take_interrupt(cpu) || (tcg_target->has_work && tcg_target->has_work(cpu))) {
        cpu->halted = false;
    }
    return !cpu->halted;
}

void *tcg_vcpu_thread(void *opaque)
{
    CPUState *cpu = opaque;
    TCGVCPU *v = tcg_vcpu(cpu);

    current_tcg_cpu = cpu;
    v->flush_count_seen = tcg_tb_flush_count();
    bql_lock();
    for (;;) {
        g_atomic_int_set(&cpu->exit_request, 0);
        cpu_wait_while_stopped(cpu);
        if (cpus_exiting()) {
            break;
        }
        if (cpu->reset_pending) {
            cpu->reset_pending = false;
            current_accel->reset_vcpu(cpu);
            continue;
        }
        if (cpu->halted && !tcg_cpu_wakes_up(cpu)) {
            if (!cpu_should_leave(cpu)) {
                bql_cond_wait(&v->halt_cond);
            }
            continue;
        }
        bql_unlock();
        tcg_cpu_exec(cpu);
        bql_lock();
    }
    bql_unlock();
    return NULL;
}
