/*
 * The PC's pair of 8259A programmable interrupt controllers: master at I/O
 * 0x20-0x21, slave at 0xa0-0xa1 cascaded on the master's input 2, and the
 * edge/level control registers (ELCR) at 0x4d0-0x4d1. Inputs are ISA IRQs
 * 0-15; the master's INT output drives INTR, which a board wires to the
 * boot processor's local APIC LINT0 (virtual wire).
 */
#ifndef HW_INTC_I8259_H
#define HW_INTC_I8259_H

#include "hw/irq.h"
#include "hw/qdev.h"

#define TYPE_I8259 "i8259"

/* Creates the pair with INTR as its output and maps its ports into address_space_io. */
DeviceState *i8259_create(qemu_irq intr, GError **errp);
/* Input line N (0-15) of the pair. */
qemu_irq i8259_get_irq(DeviceState *dev, int n);
/*
 * The CPU's interrupt acknowledge cycle: the vector of the highest priority
 * request (IR7's of the chip concerned when the request went away: spurious),
 * moving it to in-service. BQL held.
 */
int i8259_inta(DeviceState *dev);

#endif
