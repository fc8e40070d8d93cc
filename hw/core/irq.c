/*
 * Interrupt lines: an IRQState binds a handler, its opaque and a line number,
 * so a device can raise a line without knowing what the board wired it to.
 */
#include "util/osdep.h"
#include "hw/irq.h"

qemu_irq irq_new(IRQHandler handler, void *opaque, int n)
{
    qemu_irq irq = g_new0(IRQState, 1);

    irq->handler = handler;
    irq->opaque = opaque;
    irq->n = n;
    return irq;
}

void irq_free(qemu_irq irq)
{
    g_free(irq);
}
