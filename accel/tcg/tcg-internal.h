/*
 * State shared by the files of the TCG accelerator (accel/tcg): the per-vCPU
 * accelerator state, the run options, the exclusive sections that code
 * buffer flushes need, and the hooks between the TLB, the TB cache and the
 * cpu loop. Private to accel/tcg; front ends use include/exec/exec-all.h.
 */
#ifndef ACCEL_TCG_TCG_INTERNAL_H
#define ACCEL_TCG_TCG_INTERNAL_H

#include <setjmp.h>
#include "util/osdep.h"
#include "exec/exec-all.h"

typedef struct TCGVCPU {
    CPUState *cpu;
    void *env;                      /* the target's CPU state (CPUState.arch) */
    sigjmp_buf jmp_env;             /* cpu_loop_exit lands here */
    TranslationBlock **jmp_cache;   /* TB_JMP_CACHE_SIZE entries, also read by generated code */

    /* Guest-physical page of each TLB entry (for MMIO and code-page tracking). */
    uint64_t tlb_phys[NB_MMU_MODES][CPU_TLB_SIZE];
    /* A large page mapped with tlb_set_page: flushing any of its pages flushes all. */
    uint64_t large_page_addr[NB_MMU_MODES];
    uint64_t large_page_mask[NB_MMU_MODES];
    int tlb_flush_pending;          /* atomic: another thread asked for tlb_flush */

    GCond halt_cond;                /* a halted vCPU waits here (with the BQL) */

    bool running;                   /* inside an exec section (exclusive lock) */
    unsigned flush_count_seen;      /* tb_flush generation its TB pointers belong to */
} TCGVCPU;

/* -accel tcg options. */
typedef struct TCGAccelOptions {
    const TCGBackend *backend;
    size_t tb_size;                 /* code buffer bytes */
} TCGAccelOptions;

extern TCGAccelOptions tcg_accel_opts;

static inline TCGVCPU *tcg_vcpu(CPUState *cpu)
{
    return cpu->accel;
}

/* The vCPU this thread runs, or NULL. */
CPUState *tcg_current_cpu(void);

/* cpu-exec.c: the vCPU thread body. */
void *tcg_vcpu_thread(void *opaque);

/*
 * Exclusive sections (cpu-exec.c): a vCPU runs guest code only between
 * tcg_exec_start and tcg_exec_end; tcg_exclusive_start waits (without the
 * BQL) until no other vCPU is inside and keeps them out until
 * tcg_exclusive_end. The caller must not be inside an exec section itself.
 */
void tcg_exec_start(CPUState *cpu);
void tcg_exec_end(CPUState *cpu);
void tcg_exclusive_start(void);
void tcg_exclusive_end(void);

/* tb-maint.c */
void tcg_tb_maint_init(void);
/* Generation counter bumped by every tb_flush (TB pointers of older ones are stale). */
unsigned tcg_tb_flush_count(void);
/*
 * tb_flush, unless another flush happened since generation SEEN (several
 * vCPUs may find the code buffer full at once: one flush is enough).
 */
void tb_flush_once(CPUState *cpu, unsigned seen);
/* Valid TB for the key from the global hash table, or NULL (lock-free). */
TranslationBlock *tb_htable_lookup(uint64_t pc, uint64_t phys_pc, uint32_t flags,
                                   uint32_t cflags);
/* A new TB from the TB arena (translation lock held). */
TranslationBlock *tb_alloc(void);
/* Records TB in the hash table and in its pages' lists (translation lock held). */
void tb_link(TranslationBlock *tb);
/* Marks guest-physical page PAGE as holding code (translation lock held). */
void tb_page_mark_code(uint64_t page);
/* Does guest-physical PAGE hold translated code? (lock-free, may say yes for a stale page) */
bool tb_page_has_code(uint64_t page);
/*
 * A store of LEN bytes at guest-physical START (within one page) is about to
 * change code: invalidates the TBs it overlaps. Returns whether the page still
 * holds code.
 */
bool tb_invalidate_phys_page_write(uint64_t start, uint64_t len);
/* Empties every vCPU's jump cache entry for TB. */
void tb_jmp_cache_remove(TranslationBlock *tb);
/* Is the translation lock held by this thread? */
bool tcg_translate_lock_held(void);
void tcg_translate_lock_take(void);
void tcg_translate_lock_release(void);

/* cputlb.c */
void tlb_init_vcpu(CPUState *cpu);
/* Applies a tlb_flush asked for by another thread (vCPU thread, outside generated code). */
void tlb_flush_if_pending(CPUState *cpu);
/* Sets TLB_NOTDIRTY on every vCPU's write entries for guest-physical PAGE. */
void tlb_protect_code_page(uint64_t page);
/* Guest-physical page of the code at PC (filling the TLB); raises the fetch fault. */
uint64_t tlb_get_page_addr_code(void *env, uint64_t pc);

/* translate-all.c */
/* Finds the TB for the vCPU's current state, translating it if needed. */
TranslationBlock *tb_find(CPUState *cpu, uint64_t pc, uint32_t flags, uint32_t cflags);

#endif
