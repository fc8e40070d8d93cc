/*
 * The 8254 programmable interval timer at I/O 0x40-0x43 (input clock
 * 1.193182 MHz), with port 0x61's gate and output bits of channel 2 (the
 * PC speaker channel). Channel 0's OUT drives ISA IRQ 0.
 */
#ifndef HW_TIMER_I8254_H
#define HW_TIMER_I8254_H

#include "hw/irq.h"
#include "hw/qdev.h"

#define TYPE_I8254      "i8254"
#define PIT_FREQ_HZ     1193182

/* Maps 0x40-0x43 and 0x61; channel 0's output is IRQ0. */
DeviceState *i8254_create(qemu_irq irq0, GError **errp);

#endif
