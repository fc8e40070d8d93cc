/*
 * Run state and the requests that change it.
 *
 * vCPU threads and devices only record a request (atomically) and wake the
 * main loop; the main loop carries it out with the BQL held, so pausing,
 * resetting and exiting always happen from one place.
 */
#include "util/osdep.h"
#include "sysemu/runstate.h"
#include "sysemu/accel.h"
#include "sysemu/main-loop.h"
#include "sysemu/cpus.h"
#include "hw/boards.h"
#include "hw/qdev.h"

bool runstate_no_reboot;
bool runstate_no_shutdown;

static RunState current_state = RUN_STATE_PRELAUNCH;
static int shutdown_requested;   /* ShutdownCause, 0 = none */
static int reset_requested;      /* ShutdownCause, 0 = none */
static int exit_requested;       /* status + 1, 0 = none */
static int internal_error_requested;
static int powerdown_requested;

typedef struct RunStateHookEntry {
    RunStateEventHook hook;
    void *opaque;
} RunStateHookEntry;

static GArray *event_hooks;   /* of RunStateHookEntry */

static const char *const shutdown_cause_names[] = {
    [SHUTDOWN_CAUSE_NONE] = "none",
    [SHUTDOWN_CAUSE_HOST_ERROR] = "host-error",
    [SHUTDOWN_CAUSE_HOST_QMP_QUIT] = "host-qmp-quit",
    [SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET] = "host-qmp-system-reset",
    [SHUTDOWN_CAUSE_HOST_SIGNAL] = "host-signal",
    [SHUTDOWN_CAUSE_HOST_UI] = "host-ui",
    [SHUTDOWN_CAUSE_GUEST_SHUTDOWN] = "guest-shutdown",
    [SHUTDOWN_CAUSE_GUEST_RESET] = "guest-reset",
    [SHUTDOWN_CAUSE_GUEST_PANIC] = "guest-panic",
    [SHUTDOWN_CAUSE_SUBSYSTEM_RESET] = "subsystem-reset",
};

static const char *const runstate_names[RUN_STATE__MAX] = {
    [RUN_STATE_PRELAUNCH] = "prelaunch",
    [RUN_STATE_RUNNING] = "running",
    [RUN_STATE_PAUSED] = "paused",
    [RUN_STATE_SHUTDOWN] = "shutdown",
    [RUN_STATE_INTERNAL_ERROR] = "internal-error",
};

const char *shutdown_cause_name(ShutdownCause cause)
{
    return (unsigned)cause < ARRAY_SIZE(shutdown_cause_names) ? shutdown_cause_names[cause]
                                                               : "none";
}

bool shutdown_cause_is_guest(ShutdownCause cause)
{
    return cause >= SHUTDOWN_CAUSE_GUEST_SHUTDOWN;
}

void runstate_add_event_hook(RunStateEventHook hook, void *opaque)
{
    RunStateHookEntry e = { .hook = hook, .opaque = opaque };

    if (!event_hooks) {
        event_hooks = g_array_new(FALSE, FALSE, sizeof(RunStateHookEntry));
    }
    g_array_append_val(event_hooks, e);
}

static void runstate_emit(RunStateEvent event, ShutdownCause cause)
{
    for (guint i = 0; event_hooks && i < event_hooks->len; i++) {
        RunStateHookEntry *e = &g_array_index(event_hooks, RunStateHookEntry, i);

        e->hook(event, cause, e->opaque);
    }
}

RunState runstate_get(void)
{
    return current_state;
}

const char *runstate_name(RunState s)
{
    return s < RUN_STATE__MAX ? runstate_names[s] : "unknown";
}

bool runstate_is_running(void)
{
    return current_state == RUN_STATE_RUNNING;
}

void runstate_set(RunState s)
{
    current_state = s;
}

void runstate_request_shutdown(ShutdownCause cause)
{
    g_atomic_int_set(&shutdown_requested, cause);
    main_loop_wakeup();
}

void runstate_request_reset(ShutdownCause cause)
{
    g_atomic_int_set(&reset_requested, cause);
    main_loop_wakeup();
}

void runstate_request_exit(int status)
{
    g_atomic_int_set(&exit_requested, status + 1);
    main_loop_wakeup();
}

void runstate_request_internal_error(void)
{
    g_atomic_int_set(&internal_error_requested, 1);
    main_loop_wakeup();
}

void runstate_request_powerdown(void)
{
    g_atomic_int_set(&powerdown_requested, 1);
    main_loop_wakeup();
}

bool runstate_needs_reset(void)
{
    return current_state == RUN_STATE_SHUTDOWN || current_state == RUN_STATE_INTERNAL_ERROR;
}

/* Tells the accelerator (KVM keeps the guest clock still while paused). */
static void runstate_notify_accel(bool running)
{
    if (current_accel && current_accel->vm_state_changed) {
        current_accel->vm_state_changed(running);
    }
}

/* Parks the vCPUs and enters STATE, with a STOP event; a no-op unless running. */
static void runstate_stop_in(RunState state)
{
    if (!runstate_is_running()) {
        return;
    }
    cpus_pause_all();
    runstate_set(state);
    runstate_notify_accel(false);
    runstate_emit(RUNSTATE_EVENT_STOP, SHUTDOWN_CAUSE_NONE);
}

void runstate_stop(void)
{
    runstate_stop_in(RUN_STATE_PAUSED);
}

bool runstate_cont(GError **errp)
{
    if (runstate_needs_reset()) {
        error_setg(errp, "Resetting the Virtual Machine is required");
        return false;
    }
    if (runstate_is_running()) {
        return true;
    }
    runstate_notify_accel(true);
    runstate_set(RUN_STATE_RUNNING);
    runstate_emit(RUNSTATE_EVENT_RESUME, SHUTDOWN_CAUSE_NONE);
    cpus_resume_all();
    return true;
}

/*
 * Resets devices, board and vCPUs; the vCPUs are paused meanwhile. A machine
 * that was not running waits for cont afterwards, as after -S.
 */
static void runstate_do_reset(ShutdownCause cause)
{
    bool was_running = runstate_is_running();

    cpus_pause_all();
    qdev_reset_all();
    if (current_machine && current_machine->mc->reset) {
        current_machine->mc->reset(current_machine);
    }
    cpus_request_reset();
    runstate_emit(RUNSTATE_EVENT_RESET, cause);
    if (was_running) {
        cpus_resume_all();
    } else {
        runstate_set(RUN_STATE_PRELAUNCH);
    }
}

bool runstate_process_requests(int *status)
{
    int exit_status = g_atomic_int_and(&exit_requested, 0);
    ShutdownCause shutdown = g_atomic_int_and(&shutdown_requested, 0);
    ShutdownCause reset = g_atomic_int_and(&reset_requested, 0);

    if (exit_status) {
        *status = exit_status - 1;
        return true;
    }
    if (g_atomic_int_and(&internal_error_requested, 0)) {
        cpus_pause_all();
        runstate_set(RUN_STATE_INTERNAL_ERROR);
        *status = 1;
        return true;
    }
    if (reset && runstate_no_reboot && reset != SHUTDOWN_CAUSE_SUBSYSTEM_RESET) {
        /* -no-reboot: a guest-initiated reset ends the process like a poweroff. */
        shutdown = reset;
        reset = SHUTDOWN_CAUSE_NONE;
    }
    if (shutdown) {
        runstate_emit(RUNSTATE_EVENT_SHUTDOWN, shutdown);
        if (runstate_no_shutdown && shutdown_cause_is_guest(shutdown)) {
            runstate_stop_in(RUN_STATE_SHUTDOWN);
            runstate_set(RUN_STATE_SHUTDOWN);
            return false;
        }
        *status = 0;
        return true;
    }
    if (reset) {
        runstate_do_reset(reset);
    }
    if (g_atomic_int_and(&powerdown_requested, 0)) {
        runstate_emit(RUNSTATE_EVENT_POWERDOWN, SHUTDOWN_CAUSE_NONE);
        if (current_machine && current_machine->mc->powerdown) {
            current_machine->mc->powerdown(current_machine);
        }
    }
    return false;
}
