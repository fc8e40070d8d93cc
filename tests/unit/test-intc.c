/*
 * Unit tests of the user-space x86 interrupt controllers through the memory
 * API and their public interfaces, with the fake clock: the 8259 pair (init
 * sequence, priorities, cascade, masking, rotation, poll, auto-EOI,
 * spurious IR7), the IOAPIC (routing, masking, level pins with remote IRR
 * and EOI broadcast) and the local APICs (registers, TPR/PPR, EOI, IPIs
 * with INIT/SIPI/NMI, logical destinations, MSI, errors, timer modes).
 * Two vCPUs' LAPICs exist; register accesses from this thread reach vCPU 0's.
 */
#include "util/osdep.h"

#include "exec/memory.h"
#include "hw/intc/apic.h"
#include "hw/intc/i8259.h"
#include "hw/intc/x86-irqchip.h"
#include "hw/timer/hwclock.h"

static X86IrqChip chip;
static DeviceState *apic0, *apic1;

static uint8_t inb(uint16_t port)
{
    uint8_t v = 0;

    g_assert_cmpint(address_space_read(&address_space_io, port, &v, 1), ==, MEMTX_OK);
    return v;
}

static void outb(uint16_t port, uint8_t v)
{
    g_assert_cmpint(address_space_write(&address_space_io, port, &v, 1), ==, MEMTX_OK);
}

static uint32_t mmio_read(uint64_t addr)
{
    uint32_t v = 0;

    g_assert_cmpint(address_space_read(&address_space_memory, addr, &v, 4), ==, MEMTX_OK);
    return v;
}

static void mmio_write(uint64_t addr, uint32_t v)
{
    g_assert_cmpint(address_space_write(&address_space_memory, addr, &v, 4), ==, MEMTX_OK);
}

#define LAPIC(off) (APIC_DEFAULT_BASE + (off))

static void ioapic_write(unsigned reg, uint32_t v)
{
    mmio_write(IOAPIC_DEFAULT_BASE, reg);
    mmio_write(IOAPIC_DEFAULT_BASE + 0x10, v);
}

static uint32_t ioapic_read(unsigned reg)
{
    mmio_write(IOAPIC_DEFAULT_BASE, reg);
    return mmio_read(IOAPIC_DEFAULT_BASE + 0x10);
}

static void pic_init(uint8_t icw4)
{
    outb(0x20, 0x11);
    outb(0x21, 0x20);
    outb(0x21, 0x04);
    outb(0x21, icw4);
    outb(0xa0, 0x11);
    outb(0xa1, 0x28);
    outb(0xa1, 0x02);
    outb(0xa1, icw4);
}

static void gsi(int n, int level)
{
    irq_set(chip.gsi[n], level);
}

static void test_pic(void)
{
    pic_init(0x01);
    g_assert_cmpuint(inb(0x21), ==, 0);
    g_assert_false(apic_has_interrupt(apic0));

    /* Priority: IR1 before IR4; IR4 waits while IR1 is in service. */
    gsi(4, 1);
    gsi(1, 1);
    g_assert_true(apic_has_interrupt(apic0));
    g_assert_cmpint(apic_acknowledge(apic0), ==, 0x21);
    g_assert_false(apic_has_interrupt(apic0));
    outb(0x20, 0x0b);                           /* OCW3: read ISR */
    g_assert_cmpuint(inb(0x20), ==, 0x02);
    outb(0x20, 0x0a);                           /* OCW3: read IRR */
    g_assert_cmpuint(inb(0x20), ==, 0x10);
    outb(0x20, 0x20);                           /* non-specific EOI */
    g_assert_cmpint(apic_acknowledge(apic0), ==, 0x24);
    outb(0x20, 0x20);
    gsi(1, 0);
    gsi(4, 0);

    /* Cascade: IRQ 10 through the slave, which needs its own EOI. */
    gsi(10, 1);
    g_assert_cmpint(apic_acknowledge(apic0), ==, 0x2a);
    outb(0xa0, 0x0b);
    g_assert_cmpuint(inb(0xa0), ==, 0x04);
    outb(0x20, 0x0b);
    g_assert_cmpuint(inb(0x20), ==, 0x04);
    outb(0xa0, 0x20);
    outb(0x20, 0x20);
    gsi(10, 0);

    /* Masking: a masked edge stays requested until unmasked. */
    outb(0x21, 0x08);
    gsi(3, 1);
    gsi(3, 0);
    g_assert_false(apic_has_interrupt(apic0));
    outb(0x21, 0x00);
    g_assert_cmpint(apic_acknowledge(apic0), ==, 0x23);
    outb(0x20, 0x63);                           /* specific EOI of IR3 */

    /* Rotation: IR3 lowest makes IR5 win over IR1. */
    outb(0x20, 0xc3);
    gsi(1, 1);
    gsi(5, 1);
    g_assert_cmpint(apic_acknowledge(apic0), ==, 0x25);
    outb(0x20, 0x20);
    g_assert_cmpint(apic_acknowledge(apic0), ==, 0x21);
    outb(0x20, 0x20);
    outb(0x20, 0xc7);                           /* back to IR0 highest */
    gsi(1, 0);
    gsi(5, 0);

    /* Poll mode: the acknowledge as a read. */
    gsi(6, 1);
    outb(0x20, 0x0c);
    g_assert_cmpuint(inb(0x20), ==, 0x86);
    outb(0x20, 0x20);
    gsi(6, 0);

    /* Level-triggered (ELCR) input that goes away before the acknowledge: spurious IR7. */
    outb(0x4d0, 0x20);
    g_assert_cmpuint(inb(0x4d0), ==, 0x20);
    gsi(5, 1);
    g_assert_true(apic_has_interrupt(apic0));
    gsi(5, 0);
    g_assert_cmpint(i8259_inta(chip.pic), ==, 0x27);
    outb(0x20, 0x0b);
    g_assert_cmpuint(inb(0x20), ==, 0x00);
    outb(0x4d0, 0x00);

    /* Auto-EOI: nothing stays in service. */
    pic_init(0x03);
    gsi(7, 1);
    g_assert_cmpint(apic_acknowledge(apic0), ==, 0x27);
    outb(0x20, 0x0b);
    g_assert_cmpuint(inb(0x20), ==, 0x00);
    gsi(7, 0);

    outb(0x21, 0xff);
    outb(0xa1, 0xff);
}

static void lapic_enable(void)
{
    mmio_write(LAPIC(0xf0), 0x1ff);
}

static void test_ioapic(void)
{
    lapic_enable();
    g_assert_cmpuint(ioapic_read(0x01) & 0xff00ff, ==, (23 << 16) | 0x20);

    /* Level pin 9, vector 0x49, to APIC 0: remote IRR until the EOI, then again. */
    ioapic_write(0x10 + 2 * 9 + 1, 0);
    ioapic_write(0x10 + 2 * 9, 0x8000 | 0x49);
    gsi(9, 1);
    g_assert_true(ioapic_read(0x10 + 2 * 9) & (1 << 14));
    g_assert_cmpint(apic_acknowledge(apic0), ==, 0x49);
    g_assert_true(mmio_read(LAPIC(0x180 + 0x20)) & (1u << (0x49 - 0x40)));  /* TMR */
    mmio_write(LAPIC(0xb0), 0);
    g_assert_true(ioapic_read(0x10 + 2 * 9) & (1 << 14));       /* sent again */
    g_assert_cmpint(apic_acknowledge(apic0), ==, 0x49);
    gsi(9, 0);
    mmio_write(LAPIC(0xb0), 0);
    g_assert_false(ioapic_read(0x10 + 2 * 9) & (1 << 14));
    g_assert_false(apic_has_interrupt(apic0));

    /* Edge pin 4: masked edges are kept and sent on unmask. ISA IRQ 0 is pin 2. */
    ioapic_write(0x10 + 2 * 4, 0x10000 | 0x44);
    gsi(4, 1);
    gsi(4, 0);
    g_assert_false(apic_has_interrupt(apic0));
    ioapic_write(0x10 + 2 * 4, 0x44);
    g_assert_cmpint(apic_acknowledge(apic0), ==, 0x44);
    mmio_write(LAPIC(0xb0), 0);
    ioapic_write(0x10 + 2 * 4, 0x10000);
    ioapic_write(0x10 + 2 * 2, 0x42);
    gsi(0, 1);
    gsi(0, 0);
    g_assert_cmpint(apic_acknowledge(apic0), ==, 0x42);
    mmio_write(LAPIC(0xb0), 0);
    ioapic_write(0x10 + 2 * 2, 0x10000);

    /* Logical destination, flat model: APIC 0 has logical id 1. */
    mmio_write(LAPIC(0xd0), 0x01000000);
    ioapic_write(0x10 + 2 * 5 + 1, 0x01000000);
    ioapic_write(0x10 + 2 * 5, 0x800 | 0x45);
    gsi(5, 1);
    gsi(5, 0);
    g_assert_cmpint(apic_acknowledge(apic0), ==, 0x45);
    mmio_write(LAPIC(0xb0), 0);
    ioapic_write(0x10 + 2 * 5 + 1, 0x02000000);
    gsi(5, 1);
    gsi(5, 0);
    g_assert_false(apic_has_interrupt(apic0));
    ioapic_write(0x10 + 2 * 5, 0x10000);

    /* An MSI is a write to the LAPIC window's reserved bytes. */
    mmio_write(APIC_DEFAULT_BASE, 0x4055);
    g_assert_cmpint(apic_acknowledge(apic0), ==, 0x55);
    mmio_write(LAPIC(0xb0), 0);
}

static void test_lapic_regs(void)
{
    lapic_enable();
    g_assert_cmpuint(mmio_read(LAPIC(0x20)), ==, 0);
    g_assert_cmpuint(mmio_read(LAPIC(0x30)), ==, 0x50014);
    g_assert_cmpuint(apic_get_base(apic0), ==, APIC_DEFAULT_BASE | 0x900);
    g_assert_cmpuint(apic_get_base(apic1), ==, APIC_DEFAULT_BASE | 0x800);

    /* Self IPIs at two priority classes; TPR and in-service vectors gate them. */
    mmio_write(LAPIC(0x300), 0x40000 | 0x51);
    mmio_write(LAPIC(0x300), 0x40000 | 0x32);
    g_assert_cmpuint(mmio_read(LAPIC(0x200 + 0x20)), ==, 1u << 0x11);
    g_assert_cmpint(apic_acknowledge(apic0), ==, 0x51);
    g_assert_cmpuint(mmio_read(LAPIC(0xa0)), ==, 0x50);
    g_assert_false(apic_has_interrupt(apic0));          /* 0x32 is below PPR */
    mmio_write(LAPIC(0xb0), 0);
    mmio_write(LAPIC(0x80), 0x40);
    g_assert_cmpuint(apic_get_tpr(apic0), ==, 0x40);
    g_assert_cmpuint(mmio_read(LAPIC(0xa0)), ==, 0x40);
    g_assert_false(apic_has_interrupt(apic0));
    apic_set_tpr(apic0, 0x20);                          /* as a CR8 write */
    g_assert_true(apic_has_interrupt(apic0));
    g_assert_cmpint(apic_acknowledge(apic0), ==, 0x32);
    mmio_write(LAPIC(0xb0), 0);
    apic_set_tpr(apic0, 0);

    /* An illegal vector sets ESR's send error, latched by an ESR write. */
    mmio_write(LAPIC(0x300), 0x40000 | 0x05);
    mmio_write(LAPIC(0x280), 0);
    g_assert_cmpuint(mmio_read(LAPIC(0x280)), ==, 0x20);
    mmio_write(LAPIC(0x280), 0);
    g_assert_cmpuint(mmio_read(LAPIC(0x280)), ==, 0);

    /* INIT, STARTUP and NMI to APIC 1; fixed IPIs to a software-disabled APIC are dropped. */
    mmio_write(LAPIC(0x310), 1u << 24);
    mmio_write(LAPIC(0x300), 0x4500);
    g_assert_true(apic_take_init(apic1));
    g_assert_false(apic_take_init(apic1));
    mmio_write(LAPIC(0x300), 0x4608);
    g_assert_cmpint(apic_take_sipi(apic1), ==, 0x08);
    g_assert_cmpint(apic_take_sipi(apic1), ==, -1);
    mmio_write(LAPIC(0x300), 0x0400);
    g_assert_true(apic_take_nmi(apic1));
    g_assert_false(apic_take_nmi(apic0));
    mmio_write(LAPIC(0x300), 0xc0000 | 0x61);           /* all but self */
    g_assert_false(apic_has_interrupt(apic1));
    mmio_write(LAPIC(0x300), 0x80000 | 0x62);           /* all including self */
    g_assert_cmpint(apic_acknowledge(apic0), ==, 0x62);
    mmio_write(LAPIC(0xb0), 0);
    g_assert_cmpuint(mmio_read(LAPIC(0x300)) & (1 << 12), ==, 0);
}

static void test_lapic_timer(void)
{
    lapic_enable();
    mmio_write(LAPIC(0x3e0), 0xb);                      /* divide by 1: 1 ns per count */
    mmio_write(LAPIC(0x320), 0x30);                     /* one-shot */
    mmio_write(LAPIC(0x380), 1000);
    g_assert_cmpuint(mmio_read(LAPIC(0x390)), ==, 1000);
    hwclock_fake_advance(400);
    g_assert_cmpuint(mmio_read(LAPIC(0x390)), ==, 600);
    g_assert_false(apic_has_interrupt(apic0));
    hwclock_fake_advance(600);
    g_assert_cmpint(apic_acknowledge(apic0), ==, 0x30);
    mmio_write(LAPIC(0xb0), 0);
    g_assert_cmpuint(mmio_read(LAPIC(0x390)), ==, 0);
    hwclock_fake_advance(5000);
    g_assert_false(apic_has_interrupt(apic0));

    /* Periodic, divide by 16: a period of 1600 ns. */
    mmio_write(LAPIC(0x3e0), 0x3);
    mmio_write(LAPIC(0x320), 0x20030);
    mmio_write(LAPIC(0x380), 100);
    hwclock_fake_advance(800);
    g_assert_cmpuint(mmio_read(LAPIC(0x390)), ==, 50);
    for (int i = 0; i < 3; i++) {
        hwclock_fake_advance(i == 0 ? 800 : 1600);
        g_assert_cmpint(apic_acknowledge(apic0), ==, 0x30);
        mmio_write(LAPIC(0xb0), 0);
    }
    mmio_write(LAPIC(0x320), 0x10030);                  /* masked: counts, no interrupt */
    hwclock_fake_advance(1600);
    g_assert_false(apic_has_interrupt(apic0));
    mmio_write(LAPIC(0x380), 0);

    /* TSC-deadline: a mode change disarms; the deadline fires once. */
    mmio_write(LAPIC(0x320), 0x40030);
    apic_set_tsc_deadline(apic0, 3000, 1000, 1000000000);
    g_assert_cmpuint(apic_get_tsc_deadline(apic0), ==, 3000);
    hwclock_fake_advance(1999);
    g_assert_false(apic_has_interrupt(apic0));
    hwclock_fake_advance(1);
    g_assert_cmpint(apic_acknowledge(apic0), ==, 0x30);
    mmio_write(LAPIC(0xb0), 0);
    g_assert_cmpuint(apic_get_tsc_deadline(apic0), ==, 0);
    mmio_write(LAPIC(0x320), 0x10000);
}

int main(int argc, char **argv)
{
    static const uint32_t ids[2] = { 0, 1 };
    GError *err = NULL;

    g_test_init(&argc, &argv, NULL);
    hwclock_fake_enable(1000000000);
    memory_system_init();
    if (!x86_irqchip_create(&chip, 2, ids, &err)) {
        g_error("%s", err->message);
    }
    apic0 = apic_find(0);
    apic1 = apic_find(1);
    qdev_reset_all();

    g_test_add_func("/intc/i8259", test_pic);
    g_test_add_func("/intc/ioapic", test_ioapic);
    g_test_add_func("/intc/lapic-regs", test_lapic_regs);
    g_test_add_func("/intc/lapic-timer", test_lapic_timer);
    return g_test_run();
}
