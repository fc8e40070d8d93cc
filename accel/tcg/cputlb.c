/*
 * The softmmu TLB: filling entries from the memory view (tlb_set_page),
 * flushing them, and the slow paths generated code calls when its inline
 * lookup misses or an entry carries a flag: fill through the target's
 * tlb_fill and retry, MMIO through the memory API with the BQL held,
 * misaligned MO_ALIGN accesses to the target's fault, accesses crossing a
 * page split in bytes (a store checks both pages before writing any), and
 * stores to pages holding translated code (TLB_NOTDIRTY) invalidate the TBs
 * they overlap first. Also the code fetch of the translator.
 *
 * Each vCPU's TLB belongs to its own thread. Other threads only set
 * TLB_NOTDIRTY in write tags (atomically) when a page gains code, and ask
 * for whole flushes, which the owner carries out at its next loop
 * iteration. A fill publishes the write tag, then re-checks whether its
 * page gained code meanwhile; marking a page sets its bit before scanning
 * the TLBs, so one of the two always sees the other.
 */
#include "util/osdep.h"

#include "accel/tcg/tcg-internal.h"
#include "exec/memory.h"
#include "sysemu/main-loop.h"
#include "sysemu/runstate.h"
#include "util/log.h"

static inline bool tlb_hit(uint64_t tag, uint64_t addr)
{
    return (tag & (TARGET_PAGE_MASK | TLB_INVALID_MASK)) == (addr & TARGET_PAGE_MASK);
}

static inline unsigned tlb_index(uint64_t addr)
{
    return (unsigned)(addr >> TARGET_PAGE_BITS) & (CPU_TLB_SIZE - 1);
}

static inline uint64_t tlb_read_tag(const CPUTLBEntry *e, MMUAccessType access)
{
    switch (access) {
    case MMU_DATA_LOAD:
        return e->addr_read;
    case MMU_DATA_STORE:
        return __atomic_load_n(&e->addr_write, __ATOMIC_RELAXED);
    default:
        return e->addr_code;
    }
}

/* ---- Maintenance ---- */

static void tlb_flush_local(CPUState *cpu)
{
    TCGVCPU *v = tcg_vcpu(cpu);

    memset(&env_common(v->env)->tlb, 0xff, sizeof(CPUTLB));
    memset(v->tlb_phys, 0xff, sizeof(v->tlb_phys));
    for (int i = 0; i < NB_MMU_MODES; i++) {
        v->large_page_addr[i] = UINT64_MAX;
        v->large_page_mask[i] = 0;
    }
    /* Jump-cache entries were found through mappings that may be gone. */
    for (unsigned i = 0; i < TB_JMP_CACHE_SIZE; i++) {
        __atomic_store_n(&v->jmp_cache[i], NULL, __ATOMIC_RELAXED);
    }
}

void tlb_init_vcpu(CPUState *cpu)
{
    tlb_flush_local(cpu);
}

void tlb_flush(CPUState *cpu)
{
    if (cpu == tcg_current_cpu()) {
        tlb_flush_local(cpu);
        return;
    }
    __atomic_store_n(&tcg_vcpu(cpu)->tlb_flush_pending, 1, __ATOMIC_SEQ_CST);
    __atomic_store_n(&env_common(tcg_vcpu(cpu)->env)->exit_request, 1, __ATOMIC_SEQ_CST);
}

void tlb_flush_if_pending(CPUState *cpu)
{
    if (__atomic_exchange_n(&tcg_vcpu(cpu)->tlb_flush_pending, 0, __ATOMIC_SEQ_CST)) {
        tlb_flush_local(cpu);
    }
}

void tlb_flush_page(CPUState *cpu, uint64_t vaddr)
{
    TCGVCPU *v = tcg_vcpu(cpu);
    uint64_t page = vaddr & TARGET_PAGE_MASK;

    if (cpu != tcg_current_cpu()) {
        tlb_flush(cpu);
        return;
    }
    for (int mmu_idx = 0; mmu_idx < NB_MMU_MODES; mmu_idx++) {
        if ((page & v->large_page_mask[mmu_idx]) == v->large_page_addr[mmu_idx]) {
            tlb_flush_local(cpu);
            return;
        }
    }
    for (int mmu_idx = 0; mmu_idx < NB_MMU_MODES; mmu_idx++) {
        memset(tlb_entry(v->env, mmu_idx, page), 0xff, sizeof(CPUTLBEntry));
        __atomic_store_n(&v->tlb_phys[mmu_idx][tlb_index(page)], UINT64_MAX, __ATOMIC_RELAXED);
    }
    for (unsigned i = 0; i < TB_JMP_CACHE_SIZE; i++) {
        TranslationBlock *tb = __atomic_load_n(&v->jmp_cache[i], __ATOMIC_RELAXED);

        if (tb && (tb->pc & TARGET_PAGE_MASK) == page) {
            __atomic_store_n(&v->jmp_cache[i], NULL, __ATOMIC_RELAXED);
        }
    }
}

/* Remembers a large page so that tlb_flush_page of any of its pages flushes everything. */
static void tlb_add_large_page(TCGVCPU *v, int mmu_idx, uint64_t vaddr, uint64_t size)
{
    uint64_t mask = ~(size - 1);

    if (v->large_page_addr[mmu_idx] != UINT64_MAX) {
        mask &= v->large_page_mask[mmu_idx];
        while ((v->large_page_addr[mmu_idx] ^ vaddr) & mask) {
            mask <<= 1;
        }
    }
    v->large_page_addr[mmu_idx] = vaddr & mask;
    v->large_page_mask[mmu_idx] = mask;
}

void tlb_set_page(CPUState *cpu, uint64_t vaddr, uint64_t paddr, int prot, int mmu_idx,
                  uint64_t size)
{
    TCGVCPU *v = tcg_vcpu(cpu);
    uint64_t vpage = vaddr & TARGET_PAGE_MASK;
    uint64_t ppage = paddr & TARGET_PAGE_MASK;
    CPUTLBEntry *e = tlb_entry(v->env, mmu_idx, vpage);
    MemoryRegionSection s;
    uint64_t flags = 0, wtag;
    uintptr_t addend = 0;
    bool ram;

    if (size > TARGET_PAGE_SIZE) {
        tlb_add_large_page(v, mmu_idx, vaddr, size);
    }
    /* Only a page that is RAM from end to end is accessed directly. */
    ram = address_space_lookup(&address_space_memory, ppage, &s) && memory_region_is_ram(s.mr) &&
          s.size - (ppage - s.offset_within_address_space) >= TARGET_PAGE_SIZE;
    if (ram) {
        uint8_t *host = s.mr->ram + s.offset_within_region +
                        (ppage - s.offset_within_address_space);

        addend = (uintptr_t)host - (uintptr_t)vpage;
    } else {
        flags = TLB_MMIO;
    }
    wtag = UINT64_MAX;
    if (prot & PAGE_WRITE) {
        /* ROM writes go to the memory API, which drops them. */
        wtag = vpage | flags | (ram && s.readonly ? TLB_MMIO : 0) |
               (ram && tb_page_has_code(ppage) ? TLB_NOTDIRTY : 0);
    }
    e->addr_read = prot & PAGE_READ ? vpage | flags : UINT64_MAX;
    e->addr_code = prot & PAGE_EXEC ? vpage | flags : UINT64_MAX;
    e->addend = addend;
    __atomic_store_n(&v->tlb_phys[mmu_idx][tlb_index(vpage)], ppage, __ATOMIC_RELAXED);
    __atomic_store_n(&e->addr_write, wtag, __ATOMIC_SEQ_CST);
    if (wtag != UINT64_MAX && ram && !(wtag & TLB_NOTDIRTY) && tb_page_has_code(ppage)) {
        __atomic_fetch_or(&e->addr_write, TLB_NOTDIRTY, __ATOMIC_SEQ_CST);
    }
}

void tlb_protect_code_page(uint64_t page)
{
    for (unsigned c = 0; c < cpus_count; c++) {
        TCGVCPU *v = tcg_vcpu(cpus[c]);

        for (int mmu_idx = 0; mmu_idx < NB_MMU_MODES; mmu_idx++) {
            for (unsigned i = 0; i < CPU_TLB_SIZE; i++) {
                CPUTLBEntry *e = &env_common(v->env)->tlb.table[mmu_idx][i];

                if (__atomic_load_n(&v->tlb_phys[mmu_idx][i], __ATOMIC_RELAXED) == page &&
                    __atomic_load_n(&e->addr_write, __ATOMIC_RELAXED) != UINT64_MAX) {
                    __atomic_fetch_or(&e->addr_write, TLB_NOTDIRTY, __ATOMIC_SEQ_CST);
                }
            }
        }
    }
}

/* ---- Slow paths ---- */

static inline uint64_t bswap_size(uint64_t val, unsigned size)
{
    switch (size) {
    case 2:
        return __builtin_bswap16((uint16_t)val);
    case 4:
        return __builtin_bswap32((uint32_t)val);
    case 8:
        return __builtin_bswap64(val);
    default:
        return val;
    }
}

static inline uint64_t host_load(const void *p, unsigned size)
{
    switch (size) {
    case 1:
        return *(const uint8_t *)p;
    case 2: {
        uint16_t v;
        memcpy(&v, p, 2);
        return v;
    }
    case 4: {
        uint32_t v;
        memcpy(&v, p, 4);
        return v;
    }
    default: {
        uint64_t v;
        memcpy(&v, p, 8);
        return v;
    }
    }
}

static inline void host_store(void *p, uint64_t val, unsigned size)
{
    switch (size) {
    case 1:
        *(uint8_t *)p = (uint8_t)val;
        break;
    case 2: {
        uint16_t v = (uint16_t)val;
        memcpy(p, &v, 2);
        break;
    }
    case 4: {
        uint32_t v = (uint32_t)val;
        memcpy(p, &v, 4);
        break;
    }
    default:
        memcpy(p, &val, 8);
        break;
    }
}

/* The entry for ADDR with ACCESS allowed, filling it (a fault does not return). */
static CPUTLBEntry *tlb_fill_entry(void *env, uint64_t addr, unsigned size,
                                   MMUAccessType access, int mmu_idx, uintptr_t retaddr)
{
    CPUTLBEntry *e = tlb_entry(env, mmu_idx, addr);

    if (!tlb_hit(tlb_read_tag(e, access), addr)) {
        tcg_target->tlb_fill(env_cpu(env), addr, (int)size, access, mmu_idx, false, retaddr);
        if (!tlb_hit(tlb_read_tag(e, access), addr)) {
            g_error("TCG: %s's tlb_fill left 0x%" PRIx64 " (mmu index %d) unmapped",
                    tcg_target->name, addr, mmu_idx);
        }
    }
    return e;
}

static uint64_t tlb_phys_addr(void *env, int mmu_idx, uint64_t addr)
{
    TCGVCPU *v = tcg_vcpu(env_cpu(env));

    return v->tlb_phys[mmu_idx][tlb_index(addr)] | (addr & ~TARGET_PAGE_MASK);
}

/* Device access of SIZE bytes at guest-physical PADDR, little-endian value, BQL taken. */
static void tlb_io_access(uint64_t paddr, uint64_t *val, unsigned size, bool is_write)
{
    bool locked = bql_locked();
    uint8_t buf[8];

    if (!locked) {
        bql_lock();
    }
    if (is_write) {
        for (unsigned i = 0; i < size; i++) {
            buf[i] = (uint8_t)(*val >> (8 * i));
        }
        address_space_write(&address_space_memory, paddr, buf, size);
    } else {
        address_space_read(&address_space_memory, paddr, buf, size);
        *val = 0;
        for (unsigned i = size; i-- > 0;) {
            *val = *val << 8 | buf[i];
        }
    }
    if (!locked) {
        bql_unlock();
    }
}

/* One page: a little-endian load of SIZE bytes at ADDR. */
static uint64_t tlb_load_page(void *env, uint64_t addr, unsigned size, MMUAccessType access,
                              int mmu_idx, uintptr_t retaddr)
{
    CPUTLBEntry *e = tlb_fill_entry(env, addr, size, access, mmu_idx, retaddr);
    uint64_t val;

    if (tlb_read_tag(e, access) & TLB_MMIO) {
        tlb_io_access(tlb_phys_addr(env, mmu_idx, addr), &val, size, false);
        return val;
    }
    return host_load((void *)(uintptr_t)(addr + e->addend), size);
}

/* One page, entry already filled: a little-endian store of SIZE bytes at ADDR. */
static void tlb_store_page(void *env, CPUTLBEntry *e, uint64_t addr, uint64_t val,
                           unsigned size, int mmu_idx)
{
    uint64_t tag = tlb_read_tag(e, MMU_DATA_STORE);

    if (tag & TLB_MMIO) {
        tlb_io_access(tlb_phys_addr(env, mmu_idx, addr), &val, size, true);
        return;
    }
    if (tag & TLB_NOTDIRTY) {
        /* The page holds code: drop what this store overwrites; fast path once none is left. */
        if (!tb_invalidate_phys_page_write(tlb_phys_addr(env, mmu_idx, addr), size)) {
            uint64_t expected = tag;

            __atomic_compare_exchange_n(&e->addr_write, &expected, tag & ~TLB_NOTDIRTY, false,
                                        __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
        }
    }
    host_store((void *)(uintptr_t)(addr + e->addend), val, size);
}

static bool tlb_crosses_page(uint64_t addr, unsigned size)
{
    return (addr & ~TARGET_PAGE_MASK) + size > TARGET_PAGE_SIZE;
}

static uint64_t tlb_load(void *env, uint64_t addr, MemOpIdx oi, uintptr_t retaddr,
                         MMUAccessType access)
{
    MemOp mop = get_memop(oi);
    unsigned size = memop_size(mop);
    int mmu_idx = get_mmuidx(oi);
    uint64_t val = 0;

    if ((mop & MO_ALIGN) && (addr & (size - 1))) {
        tcg_target->do_unaligned_access(env_cpu(env), addr, access, mmu_idx, retaddr);
    }
    if (tlb_crosses_page(addr, size)) {
        for (unsigned i = size; i-- > 0;) {
            val = val << 8 | tlb_load_page(env, addr + i, 1, access, mmu_idx, retaddr);
        }
    } else {
        val = tlb_load_page(env, addr, size, access, mmu_idx, retaddr);
    }
    return mop & MO_BE ? bswap_size(val, size) : val;
}

static void tlb_store(void *env, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t retaddr)
{
    MemOp mop = get_memop(oi);
    unsigned size = memop_size(mop);
    int mmu_idx = get_mmuidx(oi);

    if ((mop & MO_ALIGN) && (addr & (size - 1))) {
        tcg_target->do_unaligned_access(env_cpu(env), addr, MMU_DATA_STORE, mmu_idx, retaddr);
    }
    if (size < 8) {
        val &= (1ULL << (size * 8)) - 1;
    }
    if (mop & MO_BE) {
        val = bswap_size(val, size);
    }
    if (tlb_crosses_page(addr, size)) {
        uint64_t second = (addr | ~TARGET_PAGE_MASK) + 1;

        /* Both pages must be writable before any byte changes (a fault leaves memory alone). */
        tlb_fill_entry(env, addr, 1, MMU_DATA_STORE, mmu_idx, retaddr);
        tlb_fill_entry(env, second, 1, MMU_DATA_STORE, mmu_idx, retaddr);
        for (unsigned i = 0; i < size; i++) {
            CPUTLBEntry *e = tlb_fill_entry(env, addr + i, 1, MMU_DATA_STORE, mmu_idx, retaddr);

            tlb_store_page(env, e, addr + i, val >> (8 * i), 1, mmu_idx);
        }
        return;
    }
    tlb_store_page(env, tlb_fill_entry(env, addr, size, MMU_DATA_STORE, mmu_idx, retaddr), addr,
                   val, size, mmu_idx);
}

uint64_t helper_ldub_mmu(void *env, uint64_t addr, MemOpIdx oi, uintptr_t retaddr)
{
    return tlb_load(env, addr, oi, retaddr, MMU_DATA_LOAD);
}

uint64_t helper_lduw_mmu(void *env, uint64_t addr, MemOpIdx oi, uintptr_t retaddr)
{
    return tlb_load(env, addr, oi, retaddr, MMU_DATA_LOAD);
}

uint64_t helper_ldul_mmu(void *env, uint64_t addr, MemOpIdx oi, uintptr_t retaddr)
{
    return tlb_load(env, addr, oi, retaddr, MMU_DATA_LOAD);
}

uint64_t helper_lduq_mmu(void *env, uint64_t addr, MemOpIdx oi, uintptr_t retaddr)
{
    return tlb_load(env, addr, oi, retaddr, MMU_DATA_LOAD);
}

void helper_stb_mmu(void *env, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t retaddr)
{
    tlb_store(env, addr, val, oi, retaddr);
}

void helper_stw_mmu(void *env, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t retaddr)
{
    tlb_store(env, addr, val, oi, retaddr);
}

void helper_stl_mmu(void *env, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t retaddr)
{
    tlb_store(env, addr, val, oi, retaddr);
}

void helper_stq_mmu(void *env, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t retaddr)
{
    tlb_store(env, addr, val, oi, retaddr);
}

uint64_t cpu_ld_mmu(void *env, uint64_t addr, MemOpIdx oi, uintptr_t retaddr)
{
    return tlb_load(env, addr, oi, retaddr, MMU_DATA_LOAD);
}

void cpu_st_mmu(void *env, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t retaddr)
{
    tlb_store(env, addr, val, oi, retaddr);
}

void *probe_access(void *env, uint64_t addr, int size, MMUAccessType access, int mmu_idx,
                   uintptr_t retaddr)
{
    CPUTLBEntry *e = tlb_fill_entry(env, addr, (unsigned)MAX(size, 1), access, mmu_idx,
                                    retaddr);
    uint64_t tag = tlb_read_tag(e, access);

    if (tag & TLB_MMIO) {
        return NULL;
    }
    if (access == MMU_DATA_STORE && (tag & TLB_NOTDIRTY) && size > 0) {
        tb_invalidate_phys_range(tlb_phys_addr(env, mmu_idx, addr),
                                 tlb_phys_addr(env, mmu_idx, addr) + (uint64_t)size);
    }
    return (void *)(uintptr_t)(addr + e->addend);
}

/* ---- Code fetch ---- */

static int tlb_code_mmu_index(void *env)
{
    return tcg_target->cpu_mmu_index ? tcg_target->cpu_mmu_index(env, true) : 0;
}

/* Execution from a device has no translation to cache: the vCPU stops with an error. */
static G_NORETURN void tlb_code_not_ram(void *env, uint64_t pc)
{
    CPUState *cpu = env_cpu(env);

    error_report("TCG: vCPU %d: cannot execute from 0x%" PRIx64 ": not RAM", cpu->index, pc);
    if (tcg_target->dump_state) {
        tcg_target->dump_state(cpu, stderr);
    }
    __atomic_store_n(&cpu->stop, true, __ATOMIC_SEQ_CST);
    runstate_request_internal_error();
    cpu_loop_exit(cpu);
}

uint64_t tlb_get_page_addr_code(void *env, uint64_t pc)
{
    int mmu_idx = tlb_code_mmu_index(env);
    CPUTLBEntry *e = tlb_fill_entry(env, pc, 1, MMU_INST_FETCH, mmu_idx, 0);

    if (e->addr_code & TLB_MMIO) {
        tlb_code_not_ram(env, pc);
    }
    return tlb_phys_addr(env, mmu_idx, pc) & TARGET_PAGE_MASK;
}

/* Records the page of guest code at PC in the TB being translated; its host address. */
static const uint8_t *translator_fetch(void *env, uint64_t pc)
{
    int mmu_idx = tlb_code_mmu_index(env);
    TranslationBlock *tb = tcg_ctx->tb;
    uint64_t page = tlb_get_page_addr_code(env, pc);
    CPUTLBEntry *e = tlb_entry(env, mmu_idx, pc);

    if (page != tb->page_addr[0] && page != tb->page_addr[1]) {
        if (tb->page_addr[1] != UINT64_MAX) {
            g_error("TCG: TB at 0x%" PRIx64 " spans more than two pages", tb->pc);
        }
        tb->page_addr[1] = page;
        tb_page_mark_code(page);
    }
    return (const uint8_t *)(uintptr_t)(pc + e->addend);
}

static uint64_t translator_load(void *env, uint64_t pc, unsigned size)
{
    uint64_t val = 0;

    if (tlb_crosses_page(pc, size)) {
        for (unsigned i = size; i-- > 0;) {
            val = val << 8 | *translator_fetch(env, pc + i);
        }
        return val;
    }
    return host_load(translator_fetch(env, pc), size);
}

uint8_t translator_ldub(void *env, uint64_t pc)
{
    return (uint8_t)translator_load(env, pc, 1);
}

uint16_t translator_lduw(void *env, uint64_t pc)
{
    return (uint16_t)translator_load(env, pc, 2);
}

uint32_t translator_ldl(void *env, uint64_t pc)
{
    return (uint32_t)translator_load(env, pc, 4);
}

uint64_t translator_ldq(void *env, uint64_t pc)
{
    return translator_load(env, pc, 8);
}

bool translator_use_goto_tb(const TranslationBlock *tb, uint64_t dest)
{
    return ((tb->pc ^ dest) & TARGET_PAGE_MASK) == 0;
}
