/*
 * The main thread's event loop (glib GMainContext) and the global lock.
 *
 * The big lock (BQL) guards device state. The main loop holds it except while
 * it polls; vCPU threads take it around exits into device code.
 */
#ifndef SYSEMU_MAIN_LOOP_H
#define SYSEMU_MAIN_LOOP_H

#include "util/osdep.h"

void bql_lock(void);
void bql_unlock(void);
bool bql_locked(void);   /* by this thread */
/* Waits on COND, releasing the BQL meanwhile (the caller holds it). */
void bql_cond_wait(GCond *cond);

void main_loop_init(void);
/* Runs until runstate says to exit; returns the process exit status. */
int main_loop_run(void);
/* Wakes the main loop from another thread (to look at requests). */
void main_loop_wakeup(void);

#endif
