/*
 * The ISA side of a PC-like board: port I/O space and the 16 legacy IRQ lines.
 * ISA devices map themselves into the system I/O space at their iobase and
 * take their line from the board's table.
 */
#ifndef HW_ISA_H
#define HW_ISA_H

#include "hw/irq.h"

#define ISA_NUM_IRQS 16

/* The board installs its 16 lines (wired to the PIC/IOAPIC or KVM's irqchip). */
void isa_bus_set_irqs(qemu_irq irqs[ISA_NUM_IRQS]);
/* NULL (a line nobody listens to) if the board has none or N is out of range. */
qemu_irq isa_get_irq(int n);

#endif
