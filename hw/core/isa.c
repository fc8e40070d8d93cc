/*
 * The board's table of the 16 legacy ISA interrupt lines. ISA devices look up
 * their line here at realize time; a missing line is NULL, which irq_set()
 * treats as a line nobody listens to.
 */
#include "util/osdep.h"
#include "hw/isa.h"

static qemu_irq isa_irqs[ISA_NUM_IRQS];

void isa_bus_set_irqs(qemu_irq irqs[ISA_NUM_IRQS])
{
    for (int i = 0; i < ISA_NUM_IRQS; i++) {
        isa_irqs[i] = irqs ? irqs[i] : NULL;
    }
}

qemu_irq isa_get_irq(int n)
{
    if (n < 0 || n >= ISA_NUM_IRQS) {
        return NULL;
    }
    return isa_irqs[n];
}
