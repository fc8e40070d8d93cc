/*
 * Address translation for the riscv64 TLB (privileged spec 1.12, sections
 * 4.3-4.5): the target's tlb_fill. M-mode (mmu index 3) and satp mode Bare
 * use physical = virtual; Sv39 and Sv48 walk the page tables in guest RAM,
 * checking each PTE (valid, no W without R, no reserved bits, aligned
 * superpages, the U bit against the privilege with mstatus.SUM, R/W/X with
 * mstatus.MXR) and setting the A bit, and D on stores, with a compare-and-swap
 * on the PTE in host memory so that concurrent walks and guest updates are not
 * lost. A page whose D bit is clear is entered without write permission, so
 * the first store walks again and sets D. PMP then limits the physical page
 * for the effective privilege; PTE reads are implicit S-mode accesses checked
 * by PMP too. Non-RAM pages are never executable: fetching from them is an
 * instruction access fault, and an access where nothing is mapped is an
 * access fault. Faults raise page faults (12, 13, 15) or access
 * faults (1, 5, 7) with tval = the faulting virtual address.
 */
#include "util/osdep.h"

#include "exec/exec-all.h"
#include "exec/memory.h"
#include "target/riscv/cpu.h"

#define PTE_V (1ULL << 0)
#define PTE_R (1ULL << 1)
#define PTE_W (1ULL << 2)
#define PTE_X (1ULL << 3)
#define PTE_U (1ULL << 4)
#define PTE_A (1ULL << 6)
#define PTE_D (1ULL << 7)
#define PTE_PPN_SHIFT 10
#define PTE_PPN_MASK (((1ULL << 44) - 1) << PTE_PPN_SHIFT)
#define PTE_RESERVED (~((1ULL << 54) - 1))     /* N, PBMT and reserved: not implemented */

typedef enum RISCVWalkResult {
    RISCV_WALK_OK,
    RISCV_WALK_PAGE_FAULT,
    RISCV_WALK_ACCESS_FAULT,
} RISCVWalkResult;

static int riscv_page_fault_cause(MMUAccessType access)
{
    return access == MMU_INST_FETCH ? RISCV_EXCP_INST_PAGE_FAULT
         : access == MMU_DATA_LOAD ? RISCV_EXCP_LOAD_PAGE_FAULT : RISCV_EXCP_STORE_PAGE_FAULT;
}

static int riscv_access_fault_cause(MMUAccessType access)
{
    return access == MMU_INST_FETCH ? RISCV_EXCP_INST_ACCESS_FAULT
         : access == MMU_DATA_LOAD ? RISCV_EXCP_LOAD_ACCESS_FAULT
                                   : RISCV_EXCP_STORE_AMO_ACCESS_FAULT;
}

/* Host address of the naturally aligned 8 bytes at guest-physical PADDR, or NULL if not RAM. */
static uint64_t *riscv_pte_host(uint64_t paddr, bool *readonly)
{
    MemoryRegionSection s;
    uint64_t off;

    if (!address_space_lookup(&address_space_memory, paddr, &s) || !memory_region_is_ram(s.mr)) {
        return NULL;
    }
    off = paddr - s.offset_within_address_space;
    if (s.size - off < 8) {
        return NULL;
    }
    *readonly = s.readonly;
    return (uint64_t *)(void *)(s.mr->ram + s.offset_within_region + off);
}

typedef enum RISCVPhysKind {
    RISCV_PHYS_NONE,        /* nothing there: access fault */
    RISCV_PHYS_IO,          /* a device, or RAM not covering the whole page: not executable */
    RISCV_PHYS_RAM,
} RISCVPhysKind;

/* What the page of PADDR is, as seen from PADDR. */
static RISCVPhysKind riscv_phys_kind(uint64_t paddr)
{
    MemoryRegionSection s;
    uint64_t page = paddr & TARGET_PAGE_MASK;

    if (!address_space_lookup(&address_space_memory, paddr, &s)) {
        return RISCV_PHYS_NONE;
    }
    if (memory_region_is_ram(s.mr) && page >= s.offset_within_address_space &&
        s.size - (page - s.offset_within_address_space) >= TARGET_PAGE_SIZE) {
        return RISCV_PHYS_RAM;
    }
    return RISCV_PHYS_IO;
}

/*
 * Checks leaf PTE for ACCESS in MMU_IDX; the PAGE_* rights it gives the page
 * (write only once D is set), or -1 for a page fault.
 */
static int riscv_leaf_prot(const CPURISCVState *env, uint64_t pte, MMUAccessType access,
                           int mmu_idx)
{
    bool readable = (pte & PTE_R) || ((env->mstatus & MSTATUS_MXR) && (pte & PTE_X));
    bool exec = (pte & PTE_X) != 0;

    if (pte & PTE_U) {
        if (mmu_idx != RISCV_MMU_U) {
            /* S-mode: never executes U pages, loads and stores need SUM */
            if (access == MMU_INST_FETCH || mmu_idx != RISCV_MMU_S_SUM) {
                return -1;
            }
            exec = false;
        }
    } else if (mmu_idx == RISCV_MMU_U) {
        return -1;
    }
    if ((access == MMU_DATA_LOAD && !readable) || (access == MMU_DATA_STORE && !(pte & PTE_W)) ||
        (access == MMU_INST_FETCH && !exec)) {
        return -1;
    }
    return (readable ? PAGE_READ : 0) | (exec ? PAGE_EXEC : 0) |
           ((pte & PTE_W) && ((pte & PTE_D) || access == MMU_DATA_STORE) ? PAGE_WRITE : 0);
}

/* Walks the Sv39/Sv48 tables for VADDR: the physical address and the PTE's rights. */
static RISCVWalkResult riscv_walk(CPURISCVState *env, uint64_t vaddr, MMUAccessType access,
                                  int mmu_idx, uint64_t *paddr, int *prot)
{
    int levels = (env->satp >> SATP_MODE_SHIFT) == SATP_MODE_SV48 ? 4 : 3;
    int va_bits = TARGET_PAGE_BITS + 9 * levels;
    int64_t top = (int64_t)vaddr >> (va_bits - 1);
    uint64_t base = (env->satp & SATP_PPN_MASK) << TARGET_PAGE_BITS;

    if (top != 0 && top != -1) {
        return RISCV_WALK_PAGE_FAULT;   /* not sign-extended from the top VA bit */
    }
    for (int level = levels - 1; level >= 0; level--) {
        int shift = TARGET_PAGE_BITS + 9 * level;
        uint64_t pte_addr = base + ((vaddr >> shift) & 511) * 8;
        bool readonly = false;
        uint64_t *host = riscv_pte_host(pte_addr, &readonly);
        uint64_t pte, ppn, want;
        int p;

        if (!host || !(riscv_pmp_prot(env, pte_addr, 8, PRV_S) & PAGE_READ)) {
            return RISCV_WALK_ACCESS_FAULT;
        }
        pte = __atomic_load_n(host, __ATOMIC_ACQUIRE);
        for (;;) {
            if (!(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W)) || (pte & PTE_RESERVED)) {
                return RISCV_WALK_PAGE_FAULT;
            }
            ppn = (pte & PTE_PPN_MASK) >> PTE_PPN_SHIFT;
            if (!(pte & (PTE_R | PTE_X))) {
                break;      /* a pointer to the next level */
            }
            if (ppn & ((1ULL << (9 * level)) - 1)) {
                return RISCV_WALK_PAGE_FAULT;   /* misaligned superpage */
            }
            p = riscv_leaf_prot(env, pte, access, mmu_idx);
            if (p < 0) {
                return RISCV_WALK_PAGE_FAULT;
            }
            want = pte | PTE_A | (access == MMU_DATA_STORE ? PTE_D : 0);
            if (want != pte) {
                if (readonly || !(riscv_pmp_prot(env, pte_addr, 8, PRV_S) & PAGE_WRITE)) {
                    return RISCV_WALK_ACCESS_FAULT;
                }
                /* On failure PTE is the new value: check it again. */
                if (!__atomic_compare_exchange_n(host, &pte, want, false, __ATOMIC_ACQ_REL,
                                                 __ATOMIC_ACQUIRE)) {
                    continue;
                }
            }
            *paddr = (ppn << TARGET_PAGE_BITS) | (vaddr & ((1ULL << shift) - 1));
            *prot = p;
            return RISCV_WALK_OK;
        }
        if (level == 0) {
            return RISCV_WALK_PAGE_FAULT;
        }
        base = ppn << TARGET_PAGE_BITS;
    }
    return RISCV_WALK_PAGE_FAULT;
}

bool riscv_tlb_fill(CPUState *cpu, uint64_t vaddr, int size, MMUAccessType access,
                    int mmu_idx, bool probe, uintptr_t retaddr)
{
    CPURISCVState *env = riscv_env(cpu);
    int priv = mmu_idx == RISCV_MMU_M ? PRV_M : mmu_idx == RISCV_MMU_U ? PRV_U : PRV_S;
    int need = access == MMU_INST_FETCH ? PAGE_EXEC
             : access == MMU_DATA_LOAD ? PAGE_READ : PAGE_WRITE;
    int prot = PAGE_READ | PAGE_WRITE | PAGE_EXEC, pmp;
    uint64_t paddr = vaddr, page;
    RISCVPhysKind kind;
    int cause;

    if (priv != PRV_M && (env->satp >> SATP_MODE_SHIFT) != SATP_MODE_BARE) {
        switch (riscv_walk(env, vaddr, access, mmu_idx, &paddr, &prot)) {
        case RISCV_WALK_OK:
            break;
        case RISCV_WALK_PAGE_FAULT:
            cause = riscv_page_fault_cause(access);
            goto fault;
        default:
            cause = riscv_access_fault_cause(access);
            goto fault;
        }
    }
    page = paddr & TARGET_PAGE_MASK;
    pmp = riscv_pmp_prot(env, page, TARGET_PAGE_SIZE, priv);
    if (!(pmp & need)) {
        /* A PMP region smaller than the page: what it allows at this access. */
        pmp = riscv_pmp_prot(env, paddr, (uint64_t)MAX(size, 1), priv);
    }
    kind = riscv_phys_kind(paddr);
    if (kind != RISCV_PHYS_RAM) {
        pmp &= ~PAGE_EXEC;
    }
    if (!(pmp & need) || kind == RISCV_PHYS_NONE) {
        cause = riscv_access_fault_cause(access);
        goto fault;
    }
    tlb_set_page(cpu, vaddr & TARGET_PAGE_MASK, page, prot & pmp, mmu_idx, TARGET_PAGE_SIZE);
    return true;

fault:
    if (probe) {
        return false;
    }
    env->badaddr = vaddr;
    cpu_raise_exception_ra(cpu, cause, retaddr);
}
