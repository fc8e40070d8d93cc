/*
 * The main thread's event loop on glib's default GMainContext, and the big
 * lock (BQL) that serializes device state between the main loop and vCPUs.
 *
 * The loop holds the BQL while it dispatches sources and drops it only while
 * polling, so every callback runs under the lock without taking it itself.
 */
#include "util/osdep.h"
#include "sysemu/main-loop.h"
#include "sysemu/runstate.h"

static GMutex bql;
static __thread bool bql_held;

void bql_lock(void)
{
    g_mutex_lock(&bql);
    bql_held = true;
}

void bql_unlock(void)
{
    bql_held = false;
    g_mutex_unlock(&bql);
}

bool bql_locked(void)
{
    return bql_held;
}

void bql_cond_wait(GCond *cond)
{
    bql_held = false;
    g_cond_wait(cond, &bql);
    bql_held = true;
}

static gint main_loop_poll(GPollFD *fds, guint nfds, gint timeout)
{
    gint ret;

    bql_unlock();
    ret = g_poll(fds, nfds, timeout);
    bql_lock();
    return ret;
}

void main_loop_init(void)
{
    g_main_context_set_poll_func(NULL, main_loop_poll);
}

int main_loop_run(void)
{
    int status = 0;

    while (!runstate_process_requests(&status)) {
        g_main_context_iteration(NULL, TRUE);
    }
    return status;
}

void main_loop_wakeup(void)
{
    g_main_context_wakeup(NULL);
}
