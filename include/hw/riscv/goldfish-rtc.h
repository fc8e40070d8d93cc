/*
 * The Goldfish real-time clock (Android's emulator RTC, "google,goldfish-rtc"
 * in device trees): a 64-bit count of nanoseconds since the Unix epoch read
 * as two 32-bit halves, one alarm and one level interrupt line. QEMU's riscv
 * virt board has one at 0x101000 on PLIC source 11.
 */
#ifndef HW_RISCV_GOLDFISH_RTC_H
#define HW_RISCV_GOLDFISH_RTC_H

#include "hw/irq.h"
#include "hw/qdev.h"

#define TYPE_GOLDFISH_RTC "goldfish-rtc"

#define GOLDFISH_RTC_TIME_LOW        0x00
#define GOLDFISH_RTC_TIME_HIGH       0x04
#define GOLDFISH_RTC_ALARM_LOW       0x08
#define GOLDFISH_RTC_ALARM_HIGH      0x0c
#define GOLDFISH_RTC_IRQ_ENABLED     0x10
#define GOLDFISH_RTC_CLEAR_ALARM     0x14
#define GOLDFISH_RTC_ALARM_STATUS    0x18
#define GOLDFISH_RTC_CLEAR_INTERRUPT 0x1c
#define GOLDFISH_RTC_SIZE            0x1000

/* Creates and realizes the RTC at ADDR in system memory, interrupting on IRQ. */
DeviceState *goldfish_rtc_create(uint64_t addr, qemu_irq irq, GError **errp);

#endif
