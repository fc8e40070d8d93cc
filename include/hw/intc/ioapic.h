/*
 * The I/O APIC (82093AA register interface) at 0xfec00000: 24 input pins, each
 * with a redirection entry that sends an interrupt message to local APICs
 * (hw/intc/apic.h). The board drives the pins; ISA IRQ n is pin n except the
 * timer's IRQ 0, which PC boards wire to pin 2.
 */
#ifndef HW_INTC_IOAPIC_H
#define HW_INTC_IOAPIC_H

#include "hw/irq.h"
#include "hw/qdev.h"

#define TYPE_IOAPIC         "ioapic"
#define IOAPIC_DEFAULT_BASE UINT64_C(0xfec00000)
#define IOAPIC_NUM_PINS     24

DeviceState *ioapic_create(GError **errp);
/* Input pin N (0-23). */
qemu_irq ioapic_get_irq(DeviceState *dev, int n);

#endif
