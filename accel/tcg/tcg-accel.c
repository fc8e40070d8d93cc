/*
 * The TCG accelerator ("-accel tcg"): exists in a binary whose guest
 * architecture has a TCG front end (registered with tcg_target_register).
 * Options: backend=x86_64|interp (the JIT, default, or the IR interpreter
 * used as the reference in differential tests), tb-size=MiB (the code
 * buffer, default 32), thread=multi (one host thread per vCPU, the only
 * model). Creates the translation context, the per-vCPU state (env, jump
 * cache, TLB), and keeps every TLB coherent with the memory view by
 * flushing them when the view changes.
 */
#include "util/osdep.h"

#include "accel/tcg/tcg-internal.h"
#include "exec/memory.h"
#include "sysemu/accel.h"
#include "sysemu/main-loop.h"
#include "util/keyval.h"

#define TCG_DEFAULT_TB_SIZE_MIB 32
#define TCG_MAX_TB_SIZE_MIB     2048

const TCGTargetOps *tcg_target;
TCGAccelOptions tcg_accel_opts;

static MemoryListener tcg_memory_listener;

static bool tcg_parse_options(Keyval *opts, GError **errp)
{
    const char *backend = keyval_get(opts, "backend");
    const char *thread = keyval_get(opts, "thread");
    uint64_t tb_size;

    tcg_accel_opts.backend = tcg_backend_find(backend ? backend : "x86_64");
    if (!tcg_accel_opts.backend && !backend) {
        tcg_accel_opts.backend = tcg_backend_find("interp");
    }
    if (!tcg_accel_opts.backend) {
        error_setg(errp, "-accel tcg: unknown backend '%s' (x86_64 or interp)",
                   backend ? backend : "x86_64");
        return false;
    }
    if (thread && strcmp(thread, "multi") != 0) {
        error_setg(errp, "-accel tcg: thread=%s is not supported (only thread=multi: one "
                   "host thread per vCPU)", thread);
        return false;
    }
    if (!keyval_get_uint(opts, "tb-size", TCG_DEFAULT_TB_SIZE_MIB, &tb_size, errp)) {
        return false;
    }
    if (tb_size == 0 || tb_size > TCG_MAX_TB_SIZE_MIB) {
        error_setg(errp, "-accel tcg: tb-size=%" PRIu64 " is not 1 to %d (MiB)", tb_size,
                   TCG_MAX_TB_SIZE_MIB);
        return false;
    }
    tcg_accel_opts.tb_size = tb_size * MiB;
    return true;
}

/* Any change of the memory view may leave TLB entries pointing at what was there. */
static void tcg_memory_changed(MemoryListener *l, MemoryRegionSection *s)
{
    for (unsigned i = 0; i < cpus_count; i++) {
        tlb_flush(cpus[i]);
    }
}

static bool tcg_init_machine(MachineState *ms, GError **errp)
{
    if (!tcg_accel_opts.backend) {
        Keyval *none = keyval_parse("", NULL, "-accel", errp);
        bool ok = none && tcg_parse_options(none, errp);

        keyval_free(none);
        if (!ok) {
            return false;
        }
    }
    if (!tcg_context_init(tcg_accel_opts.backend, tcg_accel_opts.tb_size, errp)) {
        return false;
    }
    tcg_target->init();
    tcg_tb_maint_init();
    memory_system_init();
    tcg_memory_listener.region_add = tcg_memory_changed;
    tcg_memory_listener.region_del = tcg_memory_changed;
    memory_listener_register(&tcg_memory_listener, &address_space_memory);
    return true;
}

static bool tcg_init_vcpu(CPUState *cpu, GError **errp)
{
    TCGVCPU *v = g_new0(TCGVCPU, 1);
    TCGCPUCommon *c;

    if (posix_memalign(&v->env, 64, tcg_target->env_size) != 0) {
        g_free(v);
        error_setg(errp, "TCG: vCPU %d: out of memory", cpu->index);
        return false;
    }
    memset(v->env, 0, tcg_target->env_size);
    v->cpu = cpu;
    v->jmp_cache = g_new0(TranslationBlock *, TB_JMP_CACHE_SIZE);
    g_cond_init(&v->halt_cond);
    c = env_common(v->env);
    c->cpu = cpu;
    c->jmp_cache_ptr = (uintptr_t)v->jmp_cache;
    c->exception_index = -1;
    cpu->accel = v;
    cpu->arch = v->env;
    tlb_init_vcpu(cpu);
    return true;
}

/*
 * Any thread: the vCPU leaves generated code at the next TB start and wakes if
 * halted. A halted vCPU checks for work and waits with the BQL held, so the
 * wakeup is sent with the BQL too, or it could come between the two.
 */
static void tcg_kick_vcpu(CPUState *cpu)
{
    TCGVCPU *v = tcg_vcpu(cpu);

    __atomic_store_n(&env_common(v->env)->exit_request, 1, __ATOMIC_SEQ_CST);
    if (bql_locked()) {
        g_cond_broadcast(&v->halt_cond);
    } else {
        bql_lock();
        g_cond_broadcast(&v->halt_cond);
        bql_unlock();
    }
}

/* vCPU thread, BQL held: the target's reset state on a zeroed env and empty TLB. */
static void tcg_reset_vcpu(CPUState *cpu)
{
    TCGVCPU *v = tcg_vcpu(cpu);
    TCGCPUCommon *c = env_common(v->env);

    memset((char *)v->env + sizeof(TCGCPUCommon), 0,
           tcg_target->env_size - sizeof(TCGCPUCommon));
    c->exception_index = -1;
    tlb_flush(cpu);
    cpu->halted = false;
    tcg_target->cpu_reset(cpu);
}

static void tcg_dump_vcpu(CPUState *cpu, FILE *f)
{
    if (tcg_target->dump_state) {
        tcg_target->dump_state(cpu, f);
    }
}

static const AccelOps tcg_accel_ops = {
    .name = "tcg",
    .parse_options = tcg_parse_options,
    .init_machine = tcg_init_machine,
    .init_vcpu = tcg_init_vcpu,
    .vcpu_thread = tcg_vcpu_thread,
    .kick_vcpu = tcg_kick_vcpu,
    .reset_vcpu = tcg_reset_vcpu,
    .dump_vcpu = tcg_dump_vcpu,
};

/* The accelerator exists only where a front end does: one target per binary. */
void tcg_target_register(const TCGTargetOps *ops)
{
    g_assert(!tcg_target);
    g_assert(ops->env_size >= sizeof(TCGCPUCommon));
    tcg_target = ops;
    accel_register(&tcg_accel_ops);
}
