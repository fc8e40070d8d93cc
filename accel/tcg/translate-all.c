/*
 * Finding the translation block to run: the vCPU's jump cache, then the
 * global hash table, else a new translation under the translation lock: the
 * front end's gen_intermediate_code, then tcg_gen_code (optimizer, liveness,
 * back end). When the code buffer is full everything is flushed in an
 * exclusive section and the translation starts again. With KESTREL_TCG_STATS
 * set (to anything but 0) the translation count and speed (guest instructions
 * translated per second of translating) are printed on stderr at exit.
 */
#include "util/osdep.h"

#include "accel/tcg/tcg-internal.h"
#include "util/log.h"

TranslationBlock *tb_lookup(CPUState *cpu, uint64_t pc, uint32_t flags, uint32_t cflags)
{
    TCGVCPU *v = tcg_vcpu(cpu);
    unsigned h = tb_jmp_cache_hash(pc);
    TranslationBlock *tb = __atomic_load_n(&v->jmp_cache[h], __ATOMIC_ACQUIRE);

    if (tb && tb->pc == pc && tb->flags == flags &&
        __atomic_load_n(&tb->cflags, __ATOMIC_ACQUIRE) == cflags) {
        return tb;
    }
    tb = tb_htable_lookup(pc, tlb_get_page_addr_code(v->env, pc), flags, cflags);
    if (tb) {
        __atomic_store_n(&v->jmp_cache[h], tb, __ATOMIC_RELEASE);
    }
    return tb;
}

/* KESTREL_TCG_STATS: updated under the translation lock. */
static struct {
    int enabled;                /* -1 until the environment was read */
    uint64_t tbs, insns, ns;
} tb_stats = { .enabled = -1 };

static uint64_t stats_clock_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void tb_stats_print(void)
{
    fprintf(stderr, "tcg stats: %" PRIu64 " translation blocks, %" PRIu64 " guest "
            "instructions translated in %.3f ms: %.0f instructions/s\n", tb_stats.tbs,
            tb_stats.insns, tb_stats.ns / 1e6,
            tb_stats.ns ? tb_stats.insns * 1e9 / tb_stats.ns : 0.0);
}

/* Translates one TB (translation lock held); false when the code buffer is full. */
static bool tb_translate(CPUState *cpu, TranslationBlock *tb)
{
    int max_insns = tb->cflags & CF_COUNT_MASK ? (int)(tb->cflags & CF_COUNT_MASK)
                                               : TCG_MAX_INSNS;
    uint64_t t0 = 0;
    bool ok;

    if (tb_stats.enabled < 0) {
        const char *env = getenv("KESTREL_TCG_STATS");

        tb_stats.enabled = env && *env && strcmp(env, "0") != 0;
        if (tb_stats.enabled) {
            atexit(tb_stats_print);
        }
    }
    if (tb_stats.enabled) {
        t0 = stats_clock_ns();
    }
    tcg_func_start(tb);
    tcg_target->gen_intermediate_code(cpu, tb, max_insns);
    ok = tcg_gen_code(tcg_ctx, tb) >= 0;
    if (tb_stats.enabled && ok) {
        tb_stats.ns += stats_clock_ns() - t0;
        tb_stats.tbs++;
        tb_stats.insns += tb->icount;
    }
    return ok;
}

TranslationBlock *tb_gen_code(CPUState *cpu, uint64_t pc, uint32_t flags, uint32_t cflags)
{
    TCGVCPU *v = tcg_vcpu(cpu);

    for (;;) {
        TranslationBlock *tb;
        uint64_t page;
        unsigned generation;
        bool empty;

        tcg_translate_lock_take();
        generation = tcg_tb_flush_count();
        empty = tcg_code_buffer_used(tcg_ctx) == 0;
        /* Raises the fetch fault, if any, with the lock released by the cpu loop. */
        page = tlb_get_page_addr_code(v->env, pc);
        /* Another vCPU may have translated it while we waited for the lock. */
        tb = tb_htable_lookup(pc, page, flags, cflags);
        if (!tb) {
            tb = tb_alloc();
            tb->pc = pc;
            tb->flags = flags;
            tb->cflags = cflags;
            tb->page_addr[0] = page;
            /* Before the code is read: stores to it from now on invalidate. */
            tb_page_mark_code(page);
            if (!tb_translate(cpu, tb)) {
                tcg_translate_lock_release();
                if (empty) {
                    g_error("TCG: one translation block does not fit in an empty code "
                            "buffer (tb-size too small)");
                }
                tb_flush_once(cpu, generation);
                continue;
            }
            tb_link(tb);
            log_mask_printf(LOG_EXEC, "Translated TB %p [%016" PRIx64 "/%08" PRIx32 "] "
                            "%u insns, %u bytes of code\n", (void *)tb, pc, flags,
                            tb->icount, tb->tc.size);
        }
        tcg_translate_lock_release();
        __atomic_store_n(&v->jmp_cache[tb_jmp_cache_hash(pc)], tb, __ATOMIC_RELEASE);
        return tb;
    }
}

TranslationBlock *tb_find(CPUState *cpu, uint64_t pc, uint32_t flags, uint32_t cflags)
{
    TranslationBlock *tb = tb_lookup(cpu, pc, flags, cflags);

    return tb ? tb : tb_gen_code(cpu, pc, flags, cflags);
}
