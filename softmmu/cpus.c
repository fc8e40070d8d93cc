/*
 * vCPU threads: creation, start, the pause/resume protocol, reset requests,
 * work run on a vCPU's own thread for the main thread (cpu_run_on) and the
 * final stop at exit. The accelerator's vCPU loop does the guest work; this
 * file only decides when a vCPU may run.
 *
 * All the flags (stop, stopped, reset_pending) change with the BQL held, and
 * every change a waiter may care about is followed by a broadcast of one
 * condition variable used with the BQL, so neither side can miss a wake-up.
 * Flags are also read without the BQL by cpu_should_leave() (atomically),
 * which only decides whether to enter the guest again.
 */
#include "util/osdep.h"
#include "sysemu/cpus.h"
#include "sysemu/accel.h"
#include "sysemu/main-loop.h"

CPUState **cpus;
unsigned cpus_count;

static GCond cpus_cond;
static bool cpus_exit;
static __thread CPUState *current_cpu;

CPUState *cpu_create(int index, GError **errp)
{
    CPUState *cpu = g_new0(CPUState, 1);

    cpu->index = index;
    /* The accelerator puts the vCPU in its reset state before its first entry. */
    cpu->reset_pending = true;
    if (!current_accel->init_vcpu(cpu, errp)) {
        g_free(cpu);
        return NULL;
    }
    cpus = g_renew(CPUState *, cpus, cpus_count + 1);
    cpus[cpus_count++] = cpu;
    return cpu;
}

static void *cpu_thread_start(void *opaque)
{
    CPUState *cpu = opaque;

    current_cpu = cpu;
    bql_lock();
    cpu->thread_id = gettid();
    cpu->created = true;
    g_cond_broadcast(&cpus_cond);
    bql_unlock();
    return current_accel->vcpu_thread(cpu);
}

bool cpus_start(bool start_stopped, GError **errp)
{
    for (unsigned i = 0; i < cpus_count; i++) {
        CPUState *cpu = cpus[i];
        char name[16];
        int err;

        cpu->stop = start_stopped;
        err = pthread_create(&cpu->thread, NULL, cpu_thread_start, cpu);
        if (err) {
            error_setg_errno(errp, err, "cannot create the thread of vCPU %d", cpu->index);
            return false;
        }
        snprintf(name, sizeof(name), "CPU %d/%s", cpu->index, current_accel->name);
        pthread_setname_np(cpu->thread, name);
        while (!cpu->created) {
            bql_cond_wait(&cpus_cond);
        }
    }
    return true;
}

CPUState *cpu_current(void)
{
    return current_cpu;
}

bool cpus_all_stopped(void)
{
    for (unsigned i = 0; i < cpus_count; i++) {
        /* A vCPU without a thread cannot run: it counts as stopped. */
        if (cpus[i]->created && !cpus[i]->stopped) {
            return false;
        }
    }
    return true;
}

void cpus_pause_all(void)
{
    for (unsigned i = 0; i < cpus_count; i++) {
        __atomic_store_n(&cpus[i]->stop, true, __ATOMIC_SEQ_CST);
        cpu_kick(cpus[i]);
    }
    /* Called from a vCPU thread (device code): that vCPU parks when it returns to its loop. */
    if (current_cpu) {
        current_cpu->stopped = true;
    }
    while (!cpus_all_stopped()) {
        bql_cond_wait(&cpus_cond);
    }
}

void cpus_resume_all(void)
{
    for (unsigned i = 0; i < cpus_count; i++) {
        __atomic_store_n(&cpus[i]->stop, false, __ATOMIC_SEQ_CST);
        cpus[i]->stopped = false;
    }
    g_cond_broadcast(&cpus_cond);
}

void cpus_stop_threads(void)
{
    __atomic_store_n(&cpus_exit, true, __ATOMIC_SEQ_CST);
    for (unsigned i = 0; i < cpus_count; i++) {
        cpu_kick(cpus[i]);
    }
    g_cond_broadcast(&cpus_cond);
    /* The vCPU threads need the BQL to leave their loops. */
    bql_unlock();
    for (unsigned i = 0; i < cpus_count; i++) {
        if (cpus[i]->created) {
            pthread_join(cpus[i]->thread, NULL);
        }
    }
    bql_lock();
    for (unsigned i = 0; i < cpus_count; i++) {
        cpus[i]->created = false;
    }
}

bool cpus_exiting(void)
{
    return __atomic_load_n(&cpus_exit, __ATOMIC_SEQ_CST);
}

void cpu_kick(CPUState *cpu)
{
    g_atomic_int_set(&cpu->exit_request, 1);
    if (cpu->created && current_accel->kick_vcpu) {
        current_accel->kick_vcpu(cpu);
    }
}

void cpus_request_reset(void)
{
    for (unsigned i = 0; i < cpus_count; i++) {
        __atomic_store_n(&cpus[i]->reset_pending, true, __ATOMIC_SEQ_CST);
        cpu_kick(cpus[i]);
    }
}

void cpu_run_on(CPUState *cpu, CPUWorkFunc fn, void *opaque)
{
    if (!cpu->created || cpu == current_cpu || cpus_exiting()) {
        fn(cpu, opaque);
        return;
    }
    cpu->work_opaque = opaque;
    __atomic_store_n(&cpu->work, fn, __ATOMIC_SEQ_CST);
    cpu_kick(cpu);
    g_cond_broadcast(&cpus_cond);
    while (cpu->work) {
        bql_cond_wait(&cpus_cond);
    }
}

static void cpu_run_work(CPUState *cpu)
{
    CPUWorkFunc fn = cpu->work;

    if (fn) {
        fn(cpu, cpu->work_opaque);
        __atomic_store_n(&cpu->work, NULL, __ATOMIC_SEQ_CST);
        g_cond_broadcast(&cpus_cond);
    }
}

void cpu_wait_while_stopped(CPUState *cpu)
{
    cpu_run_work(cpu);
    while (cpu->stop && !cpus_exiting()) {
        if (!cpu->stopped) {
            cpu->stopped = true;
            g_cond_broadcast(&cpus_cond);
        }
        bql_cond_wait(&cpus_cond);
        cpu_run_work(cpu);
    }
}

bool cpu_should_leave(CPUState *cpu)
{
    return __atomic_load_n(&cpu->stop, __ATOMIC_SEQ_CST) ||
           __atomic_load_n(&cpu->work, __ATOMIC_SEQ_CST) ||
           __atomic_load_n(&cpu->reset_pending, __ATOMIC_SEQ_CST) ||
           g_atomic_int_get(&cpu->exit_request) || cpus_exiting();
}
