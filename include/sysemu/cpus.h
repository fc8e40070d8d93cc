/*
 * vCPUs: one host thread each, run by the accelerator's vCPU loop.
 *
 * Pause protocol: the main thread (BQL held) sets cpu->stop and kicks; the
 * vCPU thread, between guest entries, takes the BQL, sees stop, sets stopped,
 * signals and waits in cpu_wait_while_stopped() until resumed.
 */
#ifndef SYSEMU_CPUS_H
#define SYSEMU_CPUS_H

#include <pthread.h>
#include "util/osdep.h"

typedef struct CPUState CPUState;
typedef void (*CPUWorkFunc)(CPUState *cpu, void *opaque);

struct CPUState {
    int index;                 /* 0 .. smp_cpus-1 */
    pthread_t thread;
    int thread_id;             /* host tid, for query-cpus-fast and pinning */
    bool created;
    bool stop;                 /* requested by the main thread (BQL) */
    bool stopped;              /* acknowledged by the vCPU thread (BQL) */
    bool reset_pending;        /* reset state before next entry (BQL) */
    bool halted;
    int exit_request;          /* atomic: leave the guest soon */
    void *accel;               /* accelerator's per-vCPU state */
    void *arch;                /* target's per-vCPU state */
    CPUWorkFunc work;          /* cpu_run_on(): run on the vCPU thread (BQL) */
    void *work_opaque;
};

extern CPUState **cpus;
extern unsigned cpus_count;

/* Allocates vCPU INDEX and initializes it in the current accelerator. */
CPUState *cpu_create(int index, GError **errp);
/* Starts every vCPU thread; they begin stopped iff START_STOPPED. */
bool cpus_start(bool start_stopped, GError **errp);
/* BQL held. Returns once every vCPU is out of the guest and parked. */
void cpus_pause_all(void);
void cpus_resume_all(void);
/* Stops every vCPU thread for good (process exit); BQL held. */
void cpus_stop_threads(void);
bool cpus_all_stopped(void);
/* The vCPU whose thread calls this, or NULL on any other thread. */
CPUState *cpu_current(void);
/* Makes the vCPU leave the guest soon (signal for KVM). */
void cpu_kick(CPUState *cpu);
/* Marks every vCPU for reset at its next entry (they are paused while it happens). */
void cpus_request_reset(void);

/*
 * Main thread, BQL held: runs FN on CPU's own thread (where its accelerator
 * state may be touched, e.g. KVM vCPU ioctls) and returns when it is done.
 * The vCPU need not be paused; a vCPU without a running thread runs FN here.
 */
void cpu_run_on(CPUState *cpu, CPUWorkFunc fn, void *opaque);

/*
 * For vCPU threads (BQL held): park while stop is set; acknowledges stopped.
 * Runs work queued by cpu_run_on(), parked or not.
 */
void cpu_wait_while_stopped(CPUState *cpu);
/* True when the vCPU loop must leave the guest and look at stop/reset. */
bool cpu_should_leave(CPUState *cpu);
/* True once cpus_stop_threads() began: the vCPU loop returns (its thread ends). */
bool cpus_exiting(void);

#endif
