/*
 * What TCG target front ends and the TCG accelerator (accel/tcg) share: the
 * per-target operations a front end registers (TCGTargetOps), leaving
 * generated code for the cpu loop (cpu_loop_exit*), precise state restore,
 * and guest code fetch for the translator. Implemented by accel/tcg.
 *
 * The env of a vCPU is its target CPU state struct, which starts with
 * TCGCPUCommon (exec/cpu-tlb.h); CPUState.arch points at it and
 * env->common.cpu points back.
 */
#ifndef EXEC_EXEC_ALL_H
#define EXEC_EXEC_ALL_H

#include "util/osdep.h"
#include "sysemu/cpus.h"
#include "tcg/tcg.h"
#include "exec/cpu-tlb.h"
#include "exec/translation-block.h"

typedef struct TCGTargetOps {
    const char *name;             /* "riscv64" */
    size_t env_size;              /* sizeof the target's CPU state struct */
    /* Creates the TCG globals (once, after tcg_context_init). */
    void (*init)(void);
    /* Allocates nothing: initializes ENV (zeroed, common head set) to its reset state. */
    void (*cpu_reset)(struct CPUState *cpu);
    /* The pc and flags that key the TB to run next. */
    void (*get_tb_cpu_state)(void *env, uint64_t *pc, uint32_t *flags);
    /*
     * Emits the IR of TB (tb->pc, tb->flags set) at most MAX_INSNS guest
     * instructions: tcg_gen_tb_start, per insn tcg_gen_insn_start + its ops,
     * an exit (goto_tb/exit_tb/lookup_and_goto_ptr), tcg_gen_tb_end. Sets
     * tb->size and tb->icount.
     */
    void (*gen_intermediate_code)(struct CPUState *cpu, TranslationBlock *tb, int max_insns);
    /* Restores the guest state of the instruction whose insn_start words are DATA. */
    void (*restore_state_to_opc)(void *env, const TranslationBlock *tb, const uint64_t *data);
    /* Takes a pending interrupt if enabled (true: it was taken, state changed). */
    bool (*cpu_exec_interrupt)(struct CPUState *cpu, int interrupt_request);
    /* Delivers env->common.exception_index. */
    void (*do_interrupt)(struct CPUState *cpu);
    /*
     * Translates VADDR for ACCESS in MMU_IDX and calls tlb_set_page; on a
     * fault returns false when PROBE, else raises the guest fault with
     * cpu_loop_exit_restore(cpu, retaddr) (does not return).
     */
    bool (*tlb_fill)(struct CPUState *cpu, uint64_t vaddr, int size, MMUAccessType access,
                     int mmu_idx, bool probe, uintptr_t retaddr);
    /* A misaligned MO_ALIGN access: raises the guest fault (does not return). */
    void (*do_unaligned_access)(struct CPUState *cpu, uint64_t vaddr, MMUAccessType access,
                                int mmu_idx, uintptr_t retaddr);
    /* True when a halted vCPU has something to do (a pending enabled interrupt). */
    bool (*has_work)(struct CPUState *cpu);
    /* -d cpu and the monitor's register dump. */
    void (*dump_state)(struct CPUState *cpu, FILE *f);
    /*
     * The mmu index of the current mode for data accesses or (IFETCH)
     * instruction fetch: accel/tcg fetches guest code through it. NULL: 0.
     */
    int (*cpu_mmu_index)(void *env, bool ifetch);
} TCGTargetOps;

/* The front end registers its ops from its own file (one target per binary). */
void tcg_target_register(const TCGTargetOps *ops);
extern const TCGTargetOps *tcg_target;

/*
 * GETPC(), used directly in a helper called from generated code: the host
 * return address to pass to cpu_loop_exit_restore / cpu_restore_state. The
 * interpreter back end sets tcg_interp_retaddr (thread-local) around each
 * helper call to the bytecode address of the call; otherwise it is 0 and the
 * helper's own return address (into JIT code) is used.
 */
extern __thread uintptr_t tcg_interp_retaddr;
#define GETPC() \
    (tcg_interp_retaddr ? tcg_interp_retaddr : (uintptr_t)__builtin_return_address(0))

/* Leaves generated code or a helper for the cpu loop (siglongjmp). */
void cpu_loop_exit(struct CPUState *cpu) __attribute__((noreturn));
/* Restores the precise guest state at RETADDR (if non-zero), then cpu_loop_exit. */
void cpu_loop_exit_restore(struct CPUState *cpu, uintptr_t retaddr) __attribute__((noreturn));
/* Sets the exception index, restores state at RETADDR and leaves. */
void cpu_raise_exception_ra(struct CPUState *cpu, int exception_index, uintptr_t retaddr)
    __attribute__((noreturn));
/*
 * Restores the guest state of the instruction whose host code contains
 * RETADDR (see exec/translation-block.h); false if RETADDR is in no TB.
 */
bool cpu_restore_state(struct CPUState *cpu, uintptr_t retaddr);

/*
 * Guest code fetch for front ends: through the TLB's addr_code (filling it
 * via tlb_fill, raising the fetch fault if the TB's first instruction
 * faults) and recording the TB's physical pages.
 */
uint8_t translator_ldub(void *env, uint64_t pc);
uint16_t translator_lduw(void *env, uint64_t pc);
uint32_t translator_ldl(void *env, uint64_t pc);
uint64_t translator_ldq(void *env, uint64_t pc);
/* May the TB being translated jump directly (goto_tb) to DEST? */
bool translator_use_goto_tb(const TranslationBlock *tb, uint64_t dest);

#endif
