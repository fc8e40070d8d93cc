/*
 * Run state of the machine and the requests (shutdown, reset, pause) that
 * vCPU threads and devices raise and the main loop carries out.
 */
#ifndef SYSEMU_RUNSTATE_H
#define SYSEMU_RUNSTATE_H

#include "util/osdep.h"

typedef enum RunState {
    RUN_STATE_PRELAUNCH,      /* built, vCPUs not started yet (-S) */
    RUN_STATE_RUNNING,
    RUN_STATE_PAUSED,
    RUN_STATE_SHUTDOWN,       /* guest powered off and -no-shutdown kept us alive */
    RUN_STATE_INTERNAL_ERROR, /* KVM_EXIT_INTERNAL_ERROR, entry failure, ... */
    RUN_STATE__MAX,
} RunState;

typedef enum ShutdownCause {
    SHUTDOWN_CAUSE_NONE,
    SHUTDOWN_CAUSE_HOST_ERROR,      /* an error on the host side */
    SHUTDOWN_CAUSE_HOST_QMP_QUIT,   /* quit command */
    SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET, /* system_reset command */
    SHUTDOWN_CAUSE_HOST_SIGNAL,     /* SIGINT/SIGTERM/SIGHUP */
    SHUTDOWN_CAUSE_HOST_UI,         /* Ctrl-a x */
    SHUTDOWN_CAUSE_GUEST_SHUTDOWN,  /* ACPI poweroff, test finisher, ... */
    SHUTDOWN_CAUSE_GUEST_RESET,     /* i8042 reset, triple fault, ... */
    SHUTDOWN_CAUSE_GUEST_PANIC,
    SHUTDOWN_CAUSE_SUBSYSTEM_RESET,
} ShutdownCause;

/* QMP's names ("guest-shutdown", "host-qmp-quit", ...); true if the guest caused it. */
const char *shutdown_cause_name(ShutdownCause cause);
bool shutdown_cause_is_guest(ShutdownCause cause);

RunState runstate_get(void);
const char *runstate_name(RunState s);   /* QMP names: "running", "paused", ... */
bool runstate_is_running(void);
void runstate_set(RunState s);

/* Thread-safe requests; the main loop acts on them. */
void runstate_request_shutdown(ShutdownCause cause);
void runstate_request_reset(ShutdownCause cause);
/* End the process with STATUS (isa-debug-exit); terminal restored as on any exit. */
void runstate_request_exit(int status);
/* A vCPU hit a fatal accelerator error: pause everything, exit status 1. */
void runstate_request_internal_error(void);

/*
 * Main thread, BQL held. runstate_stop() parks every vCPU and enters PAUSED
 * (a no-op unless running); runstate_cont() restarts them from PRELAUNCH or
 * PAUSED, and fails while the machine needs a reset first (SHUTDOWN,
 * INTERNAL_ERROR). Both return once the vCPUs are parked / released.
 */
void runstate_stop(void);
bool runstate_cont(GError **errp);
/* True in the states that only a system reset leaves (cont refuses them). */
bool runstate_needs_reset(void);
/* Presses the board's power button (ACPI) from the main loop. Thread-safe. */
void runstate_request_powerdown(void);

/* Lifecycle events, reported to hooks (the QMP monitor) from the main thread. */
typedef enum RunStateEvent {
    RUNSTATE_EVENT_STOP,       /* vCPUs paused */
    RUNSTATE_EVENT_RESUME,     /* vCPUs running again */
    RUNSTATE_EVENT_RESET,      /* the machine was reset; CAUSE says why */
    RUNSTATE_EVENT_SHUTDOWN,   /* the machine powers off (or pauses with -no-shutdown) */
    RUNSTATE_EVENT_POWERDOWN,  /* the power button was pressed */
} RunStateEvent;

/* CAUSE is SHUTDOWN_CAUSE_NONE except for RESET and SHUTDOWN. */
typedef void (*RunStateEventHook)(RunStateEvent event, ShutdownCause cause, void *opaque);
void runstate_add_event_hook(RunStateEventHook hook, void *opaque);

/* -no-reboot: a guest reset ends the process instead. -no-shutdown: stay paused. */
extern bool runstate_no_reboot;
extern bool runstate_no_shutdown;

/*
 * Called by the main loop after each iteration: carries out pending requests.
 * Returns true when the process should exit, with *STATUS set.
 */
bool runstate_process_requests(int *status);

#endif
