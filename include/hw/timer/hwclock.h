/*
 * The clock and timers of the x86 interrupt controller and timer models
 * (LAPIC timer, PIT, HPET, RTC): host CLOCK_MONOTONIC in nanoseconds, and
 * one-shot timers that fire on the main loop (BQL held). Unit tests switch
 * to a fake clock that only moves when hwclock_fake_advance() says, which
 * also fires the timers that came due, in deadline order.
 */
#ifndef HW_TIMER_HWCLOCK_H
#define HW_TIMER_HWCLOCK_H

#include "util/osdep.h"

typedef struct HwTimer HwTimer;
typedef void (*HwTimerFunc)(void *opaque);

/* Nanoseconds of the host's monotonic clock (or of the fake clock). */
int64_t hwclock_now_ns(void);

HwTimer *hwtimer_new(HwTimerFunc cb, void *opaque);
void hwtimer_free(HwTimer *t);
/* Fires CB once hwclock_now_ns() >= DEADLINE_NS (replacing any earlier deadline). */
void hwtimer_mod(HwTimer *t, int64_t deadline_ns);
void hwtimer_del(HwTimer *t);
bool hwtimer_pending(const HwTimer *t);

/* Tests: from now on the clock is fake and starts at START_NS. */
void hwclock_fake_enable(int64_t start_ns);
/* Tests: moves the fake clock by NS, firing due timers at their deadlines. */
void hwclock_fake_advance(int64_t ns);

#endif
