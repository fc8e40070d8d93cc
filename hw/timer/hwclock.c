/*
 * Host clock and main-loop timers for the x86 device models. Each HwTimer is
 * a GSource whose ready time is its deadline in g_get_monotonic_time()
 * microseconds, rounded up; dispatch checks the deadline again in
 * nanoseconds, so a timer never fires early. Under the fake clock the
 * sources stay detached and hwclock_fake_advance() fires timers itself.
 */
#include "util/osdep.h"

#include <time.h>
#include "hw/timer/hwclock.h"

struct HwTimer {
    GSource *src;
    HwTimerFunc cb;
    void *opaque;
    int64_t deadline;       /* -1: not armed */
};

static bool fake_clock;
static int64_t fake_now;
static GPtrArray *fake_timers;

int64_t hwclock_now_ns(void)
{
    struct timespec ts;

    if (fake_clock) {
        return fake_now;
    }
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void hwtimer_arm_source(HwTimer *t)
{
    int64_t delta_us;

    if (t->deadline < 0) {
        g_source_set_ready_time(t->src, -1);
        return;
    }
    delta_us = (t->deadline - hwclock_now_ns() + 999) / 1000;
    g_source_set_ready_time(t->src, g_get_monotonic_time() + MAX(delta_us, 0));
}

static gboolean hwtimer_dispatch(GSource *source, GSourceFunc callback, gpointer data)
{
    HwTimer *t = data;

    if (t->deadline < 0) {
        g_source_set_ready_time(source, -1);
    } else if (hwclock_now_ns() < t->deadline) {
        hwtimer_arm_source(t);
    } else {
        t->deadline = -1;
        g_source_set_ready_time(source, -1);
        t->cb(t->opaque);
    }
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs hwtimer_funcs = {
    .dispatch = hwtimer_dispatch,
};

HwTimer *hwtimer_new(HwTimerFunc cb, void *opaque)
{
    HwTimer *t = g_new0(HwTimer, 1);

    t->cb = cb;
    t->opaque = opaque;
    t->deadline = -1;
    if (fake_clock) {
        g_ptr_array_add(fake_timers, t);
    } else {
        t->src = g_source_new(&hwtimer_funcs, sizeof(GSource));
        g_source_set_callback(t->src, NULL, t, NULL);
        g_source_attach(t->src, NULL);
    }
    return t;
}

void hwtimer_free(HwTimer *t)
{
    if (!t) {
        return;
    }
    if (t->src) {
        g_source_destroy(t->src);
        g_source_unref(t->src);
    } else {
        g_ptr_array_remove(fake_timers, t);
    }
    g_free(t);
}

void hwtimer_mod(HwTimer *t, int64_t deadline_ns)
{
    t->deadline = MAX(deadline_ns, 0);
    if (t->src) {
        hwtimer_arm_source(t);
    }
}

void hwtimer_del(HwTimer *t)
{
    t->deadline = -1;
    if (t->src) {
        g_source_set_ready_time(t->src, -1);
    }
}

bool hwtimer_pending(const HwTimer *t)
{
    return t->deadline >= 0;
}

void hwclock_fake_enable(int64_t start_ns)
{
    fake_clock = true;
    fake_now = start_ns;
    if (!fake_timers) {
        fake_timers = g_ptr_array_new();
    }
}

void hwclock_fake_advance(int64_t ns)
{
    int64_t end = fake_now + ns;

    for (;;) {
        HwTimer *next = NULL;

        for (guint i = 0; i < fake_timers->len; i++) {
            HwTimer *t = g_ptr_array_index(fake_timers, i);

            if (t->deadline >= 0 && t->deadline <= end &&
                (!next || t->deadline < next->deadline)) {
                next = t;
            }
        }
        if (!next) {
            break;
        }
        fake_now = MAX(fake_now, next->deadline);
        next->deadline = -1;
        next->cb(next->opaque);
    }
    fake_now = end;
}
