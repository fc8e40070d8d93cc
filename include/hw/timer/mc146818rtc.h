/*
 * The PC's CMOS real-time clock (MC146818 and compatibles) at I/O 0x70/0x71,
 * with 128 bytes of CMOS (the clock's 14 registers and 114 bytes of NVRAM)
 * and its interrupt on ISA IRQ 8. The clock starts at the host's UTC time.
 */
#ifndef HW_TIMER_MC146818RTC_H
#define HW_TIMER_MC146818RTC_H

#include "hw/irq.h"
#include "hw/qdev.h"

#define TYPE_MC146818_RTC   "mc146818rtc"
#define RTC_CMOS_SIZE       128
#define RTC_REG_CENTURY     0x32

DeviceState *mc146818_rtc_create(qemu_irq irq, GError **errp);
/* NVRAM bytes (INDEX 0x0e-0x7f) for boards: memory size, boot order, equipment. */
void mc146818_rtc_set_cmos(DeviceState *dev, unsigned index, uint8_t val);
uint8_t mc146818_rtc_get_cmos(DeviceState *dev, unsigned index);
/*
 * The memory size fields firmware reads: base memory (0x15-0x16, KiB below
 * 640 KiB), extended memory above 1 MiB (0x17-0x18 and 0x30-0x31, KiB, at
 * most 63 MiB), memory above 16 MiB below 4 GiB (0x34-0x35, 64 KiB units)
 * and above 4 GiB (0x5b-0x5d, 64 KiB units).
 */
void mc146818_rtc_set_mem_sizes(DeviceState *dev, uint64_t below_4g, uint64_t above_4g);

#endif
