/*
 * Interrupt lines: a device raises or lowers a line; whoever the board wired
 * to it (an interrupt controller model, or KVM's in-kernel irqchip) reacts.
 */
#ifndef HW_IRQ_H
#define HW_IRQ_H

#include "util/osdep.h"

typedef void (*IRQHandler)(void *opaque, int n, int level);

typedef struct IRQState {
    IRQHandler handler;
    void *opaque;
    int n;
} IRQState;

typedef IRQState *qemu_irq;

qemu_irq irq_new(IRQHandler handler, void *opaque, int n);
void irq_free(qemu_irq irq);

static inline void irq_set(qemu_irq irq, int level)
{
    if (irq) {
        irq->handler(irq->opaque, irq->n, level);
    }
}
static inline void irq_raise(qemu_irq irq) { irq_set(irq, 1); }
static inline void irq_lower(qemu_irq irq) { irq_set(irq, 0); }
static inline void irq_pulse(qemu_irq irq) { irq_set(irq, 1); irq_set(irq, 0); }

#endif
