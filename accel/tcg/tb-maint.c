/*
 * The translation-block cache: TB allocation from an arena, the global hash
 * table keyed by (pc, physical page, flags, cflags), the per-vCPU jump
 * caches, direct chaining with incoming-jump lists so that an invalidated TB
 * can be unchained, the lists of TBs per guest-physical page, invalidation
 * when guest code is written (stores through the TLB's notdirty slow path,
 * DMA through the memory API's write hook, fence.i through
 * tb_invalidate_phys_range) and the flush of everything when the code
 * buffer is full.
 *
 * Concurrency: every change happens under the translation lock. Lookups are
 * lock-free: TBs are only unlinked (never freed) until a flush, which runs
 * in an exclusive section with every vCPU out of generated code, so a
 * reader walking a hash chain while a TB is removed still sees a consistent
 * chain, and it rejects TBs marked CF_INVALID. A compact bitmap tells
 * without the lock whether a physical page may hold code, so that DMA and
 * TLB fills of ordinary pages cost one bit test.
 */
#include "util/osdep.h"

#include "accel/tcg/tcg-internal.h"
#include "exec/memory.h"
#include "util/log.h"

#define TB_HASH_BITS        17
#define TB_HASH_SIZE        (1u << TB_HASH_BITS)
#define TB_ARENA_CHUNK      4096            /* TranslationBlocks per arena chunk */
#define CODE_BITMAP_BITS    20              /* hashed pages in the may-hold-code bitmap */
#define CODE_BITMAP_WORDS   ((1u << CODE_BITMAP_BITS) / 64)

/* The TBs of one guest-physical page: a list through tb->page_next[n], n in the link. */
typedef struct PageDesc {
    uintptr_t first_tb;
    bool code;                              /* TLBs were told (TLB_NOTDIRTY) */
} PageDesc;

static TranslationBlock *tb_hash[TB_HASH_SIZE];
static GHashTable *tb_pages;                /* page address -> PageDesc */
static uint64_t code_bitmap[CODE_BITMAP_WORDS];
static GPtrArray *tb_arena;                 /* chunks of TB_ARENA_CHUNK TBs */
static size_t tb_arena_used;                /* TBs handed out */
static GPtrArray *tb_by_code;               /* every linked TB, ascending tc.ptr */
static unsigned tb_flush_counter;

static __thread bool tlock_held;

/* The memory API's hook: a DMA or loader write (or writable mapping) of guest RAM. */
static void tb_invalidate_dma_write(uint64_t addr, uint64_t len)
{
    if (len) {
        tb_invalidate_phys_range(addr, addr + len > addr ? addr + len : UINT64_MAX);
    }
}

void tcg_tb_maint_init(void)
{
    tb_pages = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    tb_arena = g_ptr_array_new_with_free_func(g_free);
    tb_by_code = g_ptr_array_new();
    memory_set_code_write_hook(tb_invalidate_dma_write);
}

bool tcg_translate_lock_held(void)
{
    return tlock_held;
}

void tcg_translate_lock_take(void)
{
    tcg_translate_lock();
    tlock_held = true;
}

void tcg_translate_lock_release(void)
{
    tlock_held = false;
    tcg_translate_unlock();
}

unsigned tcg_tb_flush_count(void)
{
    return __atomic_load_n(&tb_flush_counter, __ATOMIC_ACQUIRE);
}

/* ---- Hash table ---- */

static uint32_t tb_hash_func(uint64_t pc, uint64_t phys_pc, uint32_t flags)
{
    uint64_t h = pc * 0x9e3779b97f4a7c15ULL ^ phys_pc * 0xc2b2ae3d27d4eb4fULL ^ flags;

    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ULL;
    return (uint32_t)(h >> (64 - TB_HASH_BITS));
}

static bool tb_matches(const TranslationBlock *tb, uint64_t pc, uint64_t phys_page,
                       uint32_t flags, uint32_t cflags)
{
    uint32_t tb_cflags = __atomic_load_n(&tb->cflags, __ATOMIC_ACQUIRE);

    return tb->pc == pc && tb->page_addr[0] == phys_page && tb->flags == flags &&
           tb_cflags == cflags;
}

TranslationBlock *tb_htable_lookup(uint64_t pc, uint64_t phys_pc, uint32_t flags,
                                   uint32_t cflags)
{
    uint64_t page = phys_pc & TARGET_PAGE_MASK;
    TranslationBlock *tb = __atomic_load_n(&tb_hash[tb_hash_func(pc, page, flags)],
                                           __ATOMIC_ACQUIRE);

    for (; tb; tb = __atomic_load_n(&tb->hash_next, __ATOMIC_ACQUIRE)) {
        if (tb_matches(tb, pc, page, flags, cflags)) {
            return tb;
        }
    }
    return NULL;
}

static void tb_hash_remove(TranslationBlock *tb)
{
    TranslationBlock **link = &tb_hash[tb_hash_func(tb->pc, tb->page_addr[0], tb->flags)];

    for (; *link; link = &(*link)->hash_next) {
        if (*link == tb) {
            __atomic_store_n(link, tb->hash_next, __ATOMIC_RELEASE);
            return;
        }
    }
}

/* ---- Pages ---- */

static unsigned code_bitmap_index(uint64_t page)
{
    uint64_t h = (page >> TARGET_PAGE_BITS) * 0x9e3779b97f4a7c15ULL;

    return (unsigned)(h >> (64 - CODE_BITMAP_BITS));
}

bool tb_page_has_code(uint64_t page)
{
    unsigned i = code_bitmap_index(page & TARGET_PAGE_MASK);

    return __atomic_load_n(&code_bitmap[i / 64], __ATOMIC_SEQ_CST) & (1ULL << (i % 64));
}

static PageDesc *page_find(uint64_t page)
{
    return g_hash_table_lookup(tb_pages, &page);
}

static PageDesc *page_find_alloc(uint64_t page)
{
    PageDesc *pd = page_find(page);

    if (!pd) {
        uint64_t *key = g_new(uint64_t, 1);

        *key = page;
        pd = g_new0(PageDesc, 1);
        g_hash_table_insert(tb_pages, key, pd);
    }
    return pd;
}

void tb_page_mark_code(uint64_t page)
{
    PageDesc *pd = page_find_alloc(page);
    unsigned i = code_bitmap_index(page);

    if (pd->code) {
        return;
    }
    pd->code = true;
    /* The bit first, then the TLBs: a concurrent tlb_set_page re-checks the bit after it. */
    __atomic_fetch_or(&code_bitmap[i / 64], 1ULL << (i % 64), __ATOMIC_SEQ_CST);
    tlb_protect_code_page(page);
}

static void page_add_tb(uint64_t page, TranslationBlock *tb, unsigned n)
{
    PageDesc *pd = page_find_alloc(page);

    tb->page_next[n] = pd->first_tb;
    pd->first_tb = (uintptr_t)tb | n;
}

static void page_remove_tb(uint64_t page, TranslationBlock *tb, unsigned n)
{
    PageDesc *pd = page_find(page);
    uintptr_t *link = pd ? &pd->first_tb : NULL;

    while (link && *link) {
        TranslationBlock *cur = (TranslationBlock *)(*link & ~(uintptr_t)1);
        unsigned cn = *link & 1;

        if (cur == tb && cn == n) {
            *link = tb->page_next[n];
            return;
        }
        link = &cur->page_next[cn];
    }
}

/* ---- Allocation and linking ---- */

TranslationBlock *tb_alloc(void)
{
    size_t chunk = tb_arena_used / TB_ARENA_CHUNK;
    TranslationBlock *tb;

    if (chunk == tb_arena->len) {
        g_ptr_array_add(tb_arena, g_new(TranslationBlock, TB_ARENA_CHUNK));
    }
    tb = (TranslationBlock *)g_ptr_array_index(tb_arena, chunk) + tb_arena_used % TB_ARENA_CHUNK;
    tb_arena_used++;
    memset(tb, 0, sizeof(*tb));
    tb->page_addr[0] = tb->page_addr[1] = UINT64_MAX;
    tb->jmp_insn_offset[0] = tb->jmp_insn_offset[1] = TB_JMP_OFFSET_INVALID;
    tb->jmp_reset_offset[0] = tb->jmp_reset_offset[1] = TB_JMP_OFFSET_INVALID;
    return tb;
}

void tb_link(TranslationBlock *tb)
{
    uint32_t h = tb_hash_func(tb->pc, tb->page_addr[0], tb->flags);

    page_add_tb(tb->page_addr[0], tb, 0);
    if (tb->page_addr[1] != UINT64_MAX) {
        page_add_tb(tb->page_addr[1], tb, 1);
    }
    g_ptr_array_add(tb_by_code, tb);
    tb->hash_next = tb_hash[h];
    __atomic_store_n(&tb_hash[h], tb, __ATOMIC_RELEASE);
}

TranslationBlock *tcg_tb_lookup(uintptr_t retaddr)
{
    TranslationBlock *found = NULL;
    guint lo = 0, hi;

    tcg_translate_lock_take();
    hi = tb_by_code->len;
    /* The last TB whose code starts at or before the byte before RETADDR. */
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        const TranslationBlock *tb = g_ptr_array_index(tb_by_code, mid);

        if ((uintptr_t)tb->tc.ptr <= retaddr - 1) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo > 0) {
        TranslationBlock *tb = g_ptr_array_index(tb_by_code, lo - 1);

        if (retaddr - 1 - (uintptr_t)tb->tc.ptr < tb->tc.size) {
            found = tb;
        }
    }
    tcg_translate_lock_release();
    return found;
}

/* ---- Chaining ---- */

void tb_add_jump(TranslationBlock *tb, int n, TranslationBlock *dest)
{
    tcg_translate_lock_take();
    if (!tb->jmp_dest[n] && tb->jmp_insn_offset[n] != TB_JMP_OFFSET_INVALID &&
        !((tb->cflags | dest->cflags) & CF_INVALID) && !(tb->cflags & CF_NOCHAIN)) {
        log_mask_printf(LOG_EXEC, "Linking TBs %p index %d -> %p [%016" PRIx64 "]\n",
                        (void *)tb, n, (void *)dest, dest->pc);
        tcg_ctx->backend->tb_set_jmp_target(tb, n, dest);
        tb->jmp_dest[n] = dest;
        tb->jmp_list_next[n] = dest->jmp_list_head;
        dest->jmp_list_head = (uintptr_t)tb | (uintptr_t)n;
    }
    tcg_translate_lock_release();
}

/* Removes the link (SRC, N) from DEST's list of incoming jumps. */
static void tb_jmp_list_remove(TranslationBlock *dest, TranslationBlock *src, unsigned n)
{
    uintptr_t *link = &dest->jmp_list_head;

    while (*link) {
        TranslationBlock *cur = (TranslationBlock *)(*link & ~(uintptr_t)TB_EXIT_MASK);
        unsigned cn = *link & TB_EXIT_MASK;

        if (cur == src && cn == n) {
            *link = src->jmp_list_next[n];
            return;
        }
        link = &cur->jmp_list_next[cn];
    }
}

void tb_jmp_cache_remove(TranslationBlock *tb)
{
    unsigned h = tb_jmp_cache_hash(tb->pc);

    for (unsigned i = 0; i < cpus_count; i++) {
        TCGVCPU *v = tcg_vcpu(cpus[i]);
        TranslationBlock *expected = tb;

        __atomic_compare_exchange_n(&v->jmp_cache[h], &expected, NULL, false, __ATOMIC_SEQ_CST,
                                    __ATOMIC_RELAXED);
    }
}

/* ---- Invalidation ---- */

void tb_phys_invalidate(TranslationBlock *tb)
{
    uintptr_t in;

    if (tb->cflags & CF_INVALID) {
        return;
    }
    __atomic_store_n(&tb->cflags, tb->cflags | CF_INVALID, __ATOMIC_RELEASE);
    tb_hash_remove(tb);
    page_remove_tb(tb->page_addr[0], tb, 0);
    if (tb->page_addr[1] != UINT64_MAX) {
        page_remove_tb(tb->page_addr[1], tb, 1);
    }
    tb_jmp_cache_remove(tb);
    /* Jumps into TB go back to their exit path; TB's own jumps leave their targets' lists. */
    while ((in = tb->jmp_list_head) != 0) {
        TranslationBlock *src = (TranslationBlock *)(in & ~(uintptr_t)TB_EXIT_MASK);
        unsigned n = in & TB_EXIT_MASK;

        tcg_ctx->backend->tb_set_jmp_target(src, n, NULL);
        src->jmp_dest[n] = NULL;
        tb->jmp_list_head = src->jmp_list_next[n];
    }
    for (unsigned n = 0; n < 2; n++) {
        if (tb->jmp_dest[n]) {
            tb_jmp_list_remove(tb->jmp_dest[n], tb, n);
            tb->jmp_dest[n] = NULL;
        }
    }
    log_mask_printf(LOG_EXEC, "Invalidated TB %p [%016" PRIx64 "]\n", (void *)tb, tb->pc);
}

/* Does TB's guest code (physical) overlap [start, end)? */
static bool tb_overlaps(const TranslationBlock *tb, uint64_t start, uint64_t end)
{
    uint64_t off = tb->pc & ~TARGET_PAGE_MASK;
    uint64_t len = MAX(tb->size, 1);
    uint64_t first = MIN(len, TARGET_PAGE_SIZE - off);
    uint64_t a = tb->page_addr[0] + off;

    if (a < end && start < a + first) {
        return true;
    }
    if (tb->page_addr[1] != UINT64_MAX && len > first) {
        a = tb->page_addr[1];
        return a < end && start < a + (len - first);
    }
    return false;
}

/*
 * Invalidates the TBs overlapping [start, end) on PAGE (translation lock
 * held). Returns whether the page still holds code afterwards.
 */
static bool tb_invalidate_page_range(uint64_t page, uint64_t start, uint64_t end)
{
    PageDesc *pd = page_find(page);
    g_autoptr(GPtrArray) doomed = NULL;

    if (!pd) {
        return false;
    }
    doomed = g_ptr_array_new();
    for (uintptr_t l = pd->first_tb; l;) {
        TranslationBlock *tb = (TranslationBlock *)(l & ~(uintptr_t)1);

        if (tb_overlaps(tb, start, end)) {
            g_ptr_array_add(doomed, tb);
        }
        l = tb->page_next[l & 1];
    }
    for (guint i = 0; i < doomed->len; i++) {
        tb_phys_invalidate(g_ptr_array_index(doomed, i));
    }
    if (!pd->first_tb) {
        pd->code = false;
    }
    return pd->code;
}

bool tb_invalidate_phys_page_write(uint64_t start, uint64_t len)
{
    uint64_t page = start & TARGET_PAGE_MASK;
    bool has_code;

    tcg_translate_lock_take();
    has_code = tb_invalidate_page_range(page, start, start + len);
    tcg_translate_lock_release();
    return has_code;
}

void tb_invalidate_phys_range(uint64_t start, uint64_t end)
{
    bool locked = tcg_translate_lock_held();

    if (end <= start) {
        return;
    }
    if (!locked) {
        tcg_translate_lock_take();
    }
    for (uint64_t page = start & TARGET_PAGE_MASK; page < end; page += TARGET_PAGE_SIZE) {
        if (tb_page_has_code(page)) {
            tb_invalidate_page_range(page, MAX(start, page), MIN(end, page + TARGET_PAGE_SIZE));
        }
        if (page + TARGET_PAGE_SIZE < page) {
            break;
        }
    }
    if (!locked) {
        tcg_translate_lock_release();
    }
}

/* ---- Flush ---- */

/* Everything forgotten; every vCPU is out of generated code and the lock is held. */
static void tb_flush_locked(void)
{
    log_mask_printf(LOG_EXEC, "TB flush: %zu TBs, %zu bytes of code\n", tb_arena_used,
                    tcg_code_buffer_used(tcg_ctx));
    memset(tb_hash, 0, sizeof(tb_hash));
    g_hash_table_remove_all(tb_pages);
    memset(code_bitmap, 0, sizeof(code_bitmap));
    g_ptr_array_set_size(tb_by_code, 0);
    tb_arena_used = 0;
    for (unsigned i = 0; i < cpus_count; i++) {
        TCGVCPU *v = tcg_vcpu(cpus[i]);

        memset(v->jmp_cache, 0, TB_JMP_CACHE_SIZE * sizeof(v->jmp_cache[0]));
    }
    tcg_code_buffer_flush(tcg_ctx);
    __atomic_store_n(&tb_flush_counter, tb_flush_counter + 1, __ATOMIC_RELEASE);
}

void tb_flush(CPUState *cpu)
{
    tb_flush_once(cpu, tcg_tb_flush_count());
}

void tb_flush_once(CPUState *cpu, unsigned seen)
{
    bool inside = cpu && tcg_vcpu(cpu)->running;

    if (inside) {
        tcg_exec_end(cpu);
    }
    tcg_exclusive_start();
    tcg_translate_lock_take();
    if (tcg_tb_flush_count() == seen) {
        tb_flush_locked();
    }
    tcg_translate_lock_release();
    tcg_exclusive_end();
    if (inside) {
        tcg_exec_start(cpu);
    }
}
