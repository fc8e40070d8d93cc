/*
 * Run state and the requests that change it.
 *
 * vCPU threads and devices only record a request (atomically) and wake the
 * main loop; the main loop carries it out with the BQL held, so pausing,
 * resetting and exiting always happen from one place.
 */
#include "util/osdep.h"
#include "sysemu/runstate.h"
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

static const char *const runstate_names[RUN_STATE__MAX] = {
    [RUN_STATE_PRELAUNCH] = "prelaunch",
    [RUN_STATE_RUNNING] = "running",
    [RUN_STATE_PAUSED] = "paused",
    [RUN_STATE_SHUTDOWN] = "shutdown",
    [RUN_STATE_INTERNAL_ERROR] = "internal-error",
};

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

/* Resets devices, board and vCPUs; the vCPUs are paused meanwhile. */
static void runstate_do_reset(void)
{
    bool was_running = runstate_is_running();

    cpus_pause_all();
    qdev_reset_all();
    if (current_machine && current_machine->mc->reset) {
        current_machine->mc->reset(current_machine);
    }
    cpus_request_reset();
    if (was_running) {
        cpus_resume_all();
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
        if (runstate_no_shutdown && shutdown >= SHUTDOWN_CAUSE_GUEST_SHUTDOWN) {
            cpus_pause_all();
            runstate_set(RUN_STATE_SHUTDOWN);
            return false;
        }
        *status = 0;
        return true;
    }
    if (reset) {
        runstate_do_reset();
    }
    return false;
}
