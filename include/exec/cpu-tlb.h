/*
 * The softmmu TLB and the common head of every TCG target's CPU state.
 *
 * Every TCG target's CPU state struct (the "env" generated code addresses
 * through a fixed host register) begins with TCGCPUCommon, so back ends find
 * the exit request flag, the jump cache and the TLB at fixed offsets from
 * env. The TLB is direct mapped: per mmu index, CPU_TLB_SIZE entries indexed
 * by (vaddr >> TARGET_PAGE_BITS) & (CPU_TLB_SIZE - 1). An entry's tags are
 * page addresses; a tag's low (in-page) bits hold TLB_* flags, so an access
 * compares (vaddr & TARGET_PAGE_MASK) with the tag and any flag forces the
 * slow path. On a hit the host address is vaddr + addend.
 *
 * The slow-path helpers (accel/tcg/cputlb.c) take the MemOpIdx of the access
 * and the host return address into the generated code (or interpreter
 * bytecode), fill the TLB through the target's tlb_fill, do MMIO, invalidate
 * translated code on writes to code pages, and raise guest faults precisely.
 * Loads return the value zero-extended and in host order (MO_BE swapped);
 * the caller sign-extends for MO_SIGN. Accesses that cross a page, and
 * misaligned ones when MO_ALIGN is set, always go to the slow path.
 */
#ifndef EXEC_CPU_TLB_H
#define EXEC_CPU_TLB_H

#include "util/osdep.h"
#include "tcg/tcg.h"

struct CPUState;

#define TARGET_PAGE_BITS 12
#define TARGET_PAGE_SIZE (1ULL << TARGET_PAGE_BITS)
#define TARGET_PAGE_MASK (~(uint64_t)(TARGET_PAGE_SIZE - 1))

#define NB_MMU_MODES 4
#define CPU_TLB_BITS 8
#define CPU_TLB_SIZE (1 << CPU_TLB_BITS)

/* Flags in the low bits of a TLB tag. */
#define TLB_INVALID_MASK (1ULL << 11)   /* the entry never matches */
#define TLB_MMIO         (1ULL << 10)   /* I/O: every access is a slow-path call */
#define TLB_NOTDIRTY     (1ULL << 9)    /* page holds translated code: writes invalidate */
#define TLB_FLAGS_MASK   (TLB_INVALID_MASK | TLB_MMIO | TLB_NOTDIRTY)

typedef struct CPUTLBEntry {
    uint64_t addr_read;       /* page tag for loads, or -1 */
    uint64_t addr_write;      /* page tag for stores, or -1 */
    uint64_t addr_code;       /* page tag for instruction fetch, or -1 */
    uintptr_t addend;         /* host address = vaddr + addend */
} CPUTLBEntry;

_Static_assert(sizeof(CPUTLBEntry) == 32, "CPUTLBEntry must be 32 bytes");

#define CPU_TLB_ENTRY_BITS 5

typedef struct CPUTLB {
    CPUTLBEntry table[NB_MMU_MODES][CPU_TLB_SIZE];
} CPUTLB;

/* Per-vCPU jump cache: TranslationBlock *[TB_JMP_CACHE_SIZE], indexed by tb_jmp_cache_hash. */
#define TB_JMP_CACHE_BITS 12
#define TB_JMP_CACHE_SIZE (1 << TB_JMP_CACHE_BITS)

static inline unsigned tb_jmp_cache_hash(uint64_t pc)
{
    return (unsigned)(pc >> 1) & (TB_JMP_CACHE_SIZE - 1);
}

typedef struct TCGCPUCommon {
    int32_t exit_request;     /* non-zero: every TB exits at its start (TB_EXIT_REQUESTED) */
    uint32_t pad;
    uintptr_t jmp_cache_ptr;  /* TranslationBlock **, TB_JMP_CACHE_SIZE entries */
    CPUTLB tlb;
    struct CPUState *cpu;     /* the vCPU owning this env */
    int32_t exception_index;  /* target exception number for cpu_loop_exit, -1: none */
    uint32_t pad2;
} TCGCPUCommon;

/* Offsets from env (the common head is at offset 0 of every env). */
#define TCG_ENV_EXIT_REQUEST_OFS offsetof(TCGCPUCommon, exit_request)
#define TCG_ENV_JMP_CACHE_OFS    offsetof(TCGCPUCommon, jmp_cache_ptr)
#define TCG_ENV_TLB_OFS(mmu_idx) \
    (offsetof(TCGCPUCommon, tlb) + (size_t)(mmu_idx) * CPU_TLB_SIZE * sizeof(CPUTLBEntry))

static inline TCGCPUCommon *env_common(void *env)
{
    return (TCGCPUCommon *)env;
}

static inline struct CPUState *env_cpu(void *env)
{
    return ((TCGCPUCommon *)env)->cpu;
}

static inline CPUTLBEntry *tlb_entry(void *env, int mmu_idx, uint64_t vaddr)
{
    unsigned i = (unsigned)(vaddr >> TARGET_PAGE_BITS) & (CPU_TLB_SIZE - 1);

    return &env_common(env)->tlb.table[mmu_idx][i];
}

/* Page protection bits for tlb_set_page. */
#define PAGE_READ  1
#define PAGE_WRITE 2
#define PAGE_EXEC  4

typedef enum MMUAccessType {
    MMU_DATA_LOAD = 0,
    MMU_DATA_STORE = 1,
    MMU_INST_FETCH = 2,
} MMUAccessType;

/* TLB maintenance (accel/tcg/cputlb.c). */
void tlb_flush(struct CPUState *cpu);
void tlb_flush_page(struct CPUState *cpu, uint64_t vaddr);
/*
 * Maps the SIZE-byte page (TARGET_PAGE_SIZE or a multiple) containing VADDR
 * to guest physical PADDR with PROT for MMU_IDX. Called by a target's tlb_fill.
 */
void tlb_set_page(struct CPUState *cpu, uint64_t vaddr, uint64_t paddr, int prot,
                  int mmu_idx, uint64_t size);

/* Slow paths, called by generated code and the interpreter. */
uint64_t helper_ldub_mmu(void *env, uint64_t addr, MemOpIdx oi, uintptr_t retaddr);
uint64_t helper_lduw_mmu(void *env, uint64_t addr, MemOpIdx oi, uintptr_t retaddr);
uint64_t helper_ldul_mmu(void *env, uint64_t addr, MemOpIdx oi, uintptr_t retaddr);
uint64_t helper_lduq_mmu(void *env, uint64_t addr, MemOpIdx oi, uintptr_t retaddr);
void helper_stb_mmu(void *env, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t retaddr);
void helper_stw_mmu(void *env, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t retaddr);
void helper_stl_mmu(void *env, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t retaddr);
void helper_stq_mmu(void *env, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t retaddr);

/* Data accesses from helpers (no generated code involved): RETADDR 0 = not from a TB. */
uint64_t cpu_ld_mmu(void *env, uint64_t addr, MemOpIdx oi, uintptr_t retaddr);
void cpu_st_mmu(void *env, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t retaddr);
/* Host address of a guest access that must not fault (after a probe), or NULL (MMIO). */
void *probe_access(void *env, uint64_t addr, int size, MMUAccessType access, int mmu_idx,
                   uintptr_t retaddr);

#endif
