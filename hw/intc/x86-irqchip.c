/*
 * Builds the user-space PC interrupt controllers and the GSI lines that fan
 * out to them (see include/hw/intc/x86-irqchip.h). Shared by the x86 boards.
 */
#include "util/osdep.h"

#include "hw/intc/apic.h"
#include "hw/intc/i8259.h"
#include "hw/intc/x86-irqchip.h"

static void x86_irqchip_set_gsi(void *opaque, int gsi, int level)
{
    X86IrqChip *chip = opaque;

    if (gsi < 16 && gsi != 2) {
        irq_set(i8259_get_irq(chip->pic, gsi), level);
    }
    irq_set(ioapic_get_irq(chip->ioapic, gsi == 0 ? 2 : gsi), level);
}

static int x86_irqchip_inta(void *opaque)
{
    return i8259_inta(opaque);
}

bool x86_irqchip_create(X86IrqChip *chip, unsigned ncpus, const uint32_t *apic_ids,
                        GError **errp)
{
    DeviceState *bsp = NULL;

    for (unsigned i = 0; i < ncpus; i++) {
        DeviceState *apic = apic_create(i, apic_ids[i], errp);

        if (!apic) {
            return false;
        }
        if (i == 0) {
            bsp = apic;
        }
    }
    chip->pic = i8259_create(bsp ? apic_get_lint(bsp, 0) : NULL, errp);
    if (!chip->pic) {
        return false;
    }
    apic_set_extint_ack(x86_irqchip_inta, chip->pic);
    chip->ioapic = ioapic_create(errp);
    if (!chip->ioapic) {
        return false;
    }
    for (int gsi = 0; gsi < IOAPIC_NUM_PINS; gsi++) {
        chip->gsi[gsi] = irq_new(x86_irqchip_set_gsi, chip, gsi);
    }
    return true;
}
