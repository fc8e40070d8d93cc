/*
 * The PC interrupt wiring in user space, for boards whose accelerator has no
 * in-kernel irqchip: the 8259 pair (its INTR on the BSP's LINT0), the IOAPIC
 * and one local APIC per vCPU. GSI n (0-23) reaches IOAPIC pin n, except the
 * timer's ISA IRQ 0, which reaches pin 2 (the MADT's override); GSIs 0-15
 * other than 2 (the cascade) also reach the 8259 input of the same number.
 */
#ifndef HW_INTC_X86_IRQCHIP_H
#define HW_INTC_X86_IRQCHIP_H

#include "hw/intc/ioapic.h"

typedef struct X86IrqChip {
    DeviceState *pic;
    DeviceState *ioapic;
    qemu_irq gsi[IOAPIC_NUM_PINS];
} X86IrqChip;

/* vCPU i gets a LAPIC with APIC_IDS[i]; vCPUs must exist already. */
bool x86_irqchip_create(X86IrqChip *chip, unsigned ncpus, const uint32_t *apic_ids,
                        GError **errp);

#endif
