/*
 * Unit tests of the x86 timers through their I/O ports with the fake clock:
 * the 8254 PIT (mode 2 ticks on IRQ 0, mode 0 terminal count, the counter
 * latch, read-back status, lobyte/hibyte, channel 2 through port 0x61) and
 * the MC146818 RTC (binary and BCD, 12-hour format, the update cycle across
 * a year end, update-in-progress, periodic/update/alarm interrupts acknowledged
 * by register C, NVRAM and the board's memory-size fields).
 */
#include "util/osdep.h"

#include "exec/memory.h"
#include "hw/timer/hwclock.h"
#include "hw/timer/i8254.h"
#include "hw/timer/mc146818rtc.h"

static int irq_level[2];
static int irq_rises[2];
static DeviceState *rtc;

static void test_irq(void *opaque, int n, int level)
{
    if (level && !irq_level[n]) {
        irq_rises[n]++;
    }
    irq_level[n] = level;
}

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

/* Nanoseconds of N PIT input clocks, rounded up. */
static int64_t pit_ns(int64_t n)
{
    return (n * 1000000000LL + PIT_FREQ_HZ - 1) / PIT_FREQ_HZ;
}

static void test_pit(void)
{
    uint16_t v;

    /* Mode 2, 1000 clocks: one rising edge on IRQ 0 per period. */
    outb(0x43, 0x34);
    outb(0x40, 1000 & 0xff);
    outb(0x40, 1000 >> 8);
    irq_rises[0] = 0;
    g_assert_cmpint(irq_level[0], ==, 1);
    hwclock_fake_advance(pit_ns(999) + 1);
    g_assert_cmpint(irq_level[0], ==, 0);
    hwclock_fake_advance(pit_ns(1) + 1);
    g_assert_cmpint(irq_level[0], ==, 1);
    hwclock_fake_advance(pit_ns(3000));
    g_assert_cmpint(irq_rises[0], ==, 4);

    /* Counter latch: the value stays while the counter moves on. */
    outb(0x43, 0x00);
    v = inb(0x40);
    hwclock_fake_advance(pit_ns(100));
    v |= inb(0x40) << 8;
    g_assert_cmpuint(v, >=, 1);
    g_assert_cmpuint(v, <=, 1000);

    /* Mode 0, lobyte only: OUT low until the terminal count, then high for good. */
    outb(0x43, 0x10);
    outb(0x40, 100);
    g_assert_cmpint(irq_level[0], ==, 0);
    g_assert_cmpuint(inb(0x40), <=, 100);
    hwclock_fake_advance(pit_ns(101));
    g_assert_cmpint(irq_level[0], ==, 1);
    irq_rises[0] = 0;
    hwclock_fake_advance(pit_ns(100000));
    g_assert_cmpint(irq_rises[0], ==, 0);

    /* Read-back of channel 0's status: OUT high, lobyte access, mode 0, binary. */
    outb(0x43, 0xe2);
    g_assert_cmpuint(inb(0x40), ==, 0x90);

    /* Channel 2, gated by port 0x61 bit 0, its OUT in bit 5. */
    outb(0x61, 0x01);
    outb(0x43, 0xb0);                           /* channel 2, lobyte/hibyte, mode 0 */
    outb(0x42, 0x00);
    outb(0x42, 0x01);                           /* 256 clocks */
    g_assert_cmpuint(inb(0x61) & 0x21, ==, 0x01);
    hwclock_fake_advance(pit_ns(257));
    g_assert_cmpuint(inb(0x61) & 0x20, ==, 0x20);

    /* BCD: 0x0100 means 100 clocks; the counter reads back in BCD. */
    outb(0x43, 0xb1);
    outb(0x42, 0x00);
    outb(0x42, 0x01);
    hwclock_fake_advance(pit_ns(50));
    outb(0x43, 0x80);
    v = inb(0x42);
    v |= inb(0x42) << 8;
    g_assert_cmpuint(v, ==, 0x50);
    outb(0x61, 0x00);
    outb(0x43, 0x30);                           /* channel 0 mode 0: stop ticking */
}

static uint8_t cmos_read(unsigned reg)
{
    outb(0x70, reg);
    return inb(0x71);
}

static void cmos_write(unsigned reg, uint8_t v)
{
    outb(0x70, reg);
    outb(0x71, v);
}

static void test_rtc_time(void)
{
    /* Binary, 24 hours: 2023-12-31 23:59:58, then two seconds. */
    cmos_write(0x0b, 0x86);
    cmos_write(0x00, 58);
    cmos_write(0x02, 59);
    cmos_write(0x04, 23);
    cmos_write(0x07, 31);
    cmos_write(0x08, 12);
    cmos_write(0x09, 23);
    cmos_write(RTC_REG_CENTURY, 20);
    cmos_write(0x0b, 0x06);
    g_assert_cmpuint(cmos_read(0x00), ==, 58);
    g_assert_cmpuint(cmos_read(0x06), ==, 1);           /* Sunday */
    /* Update in progress during the last 244 us of the second. */
    hwclock_fake_advance(999800000);
    g_assert_cmpuint(cmos_read(0x0a) & 0x80, ==, 0x80);
    hwclock_fake_advance(200000);
    g_assert_cmpuint(cmos_read(0x0a) & 0x80, ==, 0);
    hwclock_fake_advance(1000000000);
    g_assert_cmpuint(cmos_read(0x00), ==, 0);
    g_assert_cmpuint(cmos_read(0x02), ==, 0);
    g_assert_cmpuint(cmos_read(0x04), ==, 0);
    g_assert_cmpuint(cmos_read(0x07), ==, 1);
    g_assert_cmpuint(cmos_read(0x08), ==, 1);
    g_assert_cmpuint(cmos_read(0x09), ==, 24);

    /* BCD, 12 hours: 13:45:30 reads as 0x81 (PM, 1 o'clock). */
    cmos_write(0x0b, 0x02);
    cmos_write(0x04, 0x13);
    cmos_write(0x02, 0x45);
    cmos_write(0x00, 0x30);
    g_assert_cmpuint(cmos_read(0x00), ==, 0x30);
    cmos_write(0x0b, 0x00);
    g_assert_cmpuint(cmos_read(0x04), ==, 0x81);
    g_assert_cmpuint(cmos_read(0x02), ==, 0x45);
    g_assert_cmpuint(cmos_read(0x09), ==, 0x24);
    g_assert_cmpuint(cmos_read(0x0d), ==, 0x80);
    cmos_write(0x0b, 0x02);
}

static void test_rtc_irq(void)
{
    cmos_read(0x0c);
    irq_rises[1] = 0;

    /* Periodic at 1024 Hz (rate 6): flags in register C, IRQ until it is read. */
    cmos_write(0x0a, 0x26);
    cmos_write(0x0b, 0x42);
    hwclock_fake_advance(976563);
    g_assert_cmpint(irq_level[1], ==, 1);
    g_assert_cmpuint(cmos_read(0x0c) & 0xc0, ==, 0xc0);
    g_assert_cmpint(irq_level[1], ==, 0);
    hwclock_fake_advance(976563 * 3);
    g_assert_cmpint(irq_rises[1], ==, 2);   /* unread, the second period raised nothing new */
    cmos_read(0x0c);
    cmos_write(0x0b, 0x02);

    /* Update-ended and alarm (don't-care bytes match every second). */
    cmos_write(0x01, 0xff);
    cmos_write(0x03, 0xff);
    cmos_write(0x05, 0xff);
    cmos_write(0x0b, 0x32);
    hwclock_fake_advance(1000000000);
    g_assert_cmpint(irq_level[1], ==, 1);
    g_assert_cmpuint(cmos_read(0x0c), ==, 0xb0);
    cmos_write(0x0b, 0x02);
    hwclock_fake_advance(2000000000);
    g_assert_cmpint(irq_level[1], ==, 0);
}

static void test_rtc_nvram(void)
{
    cmos_write(0x40, 0x5a);
    g_assert_cmpuint(mc146818_rtc_get_cmos(rtc, 0x40), ==, 0x5a);
    mc146818_rtc_set_cmos(rtc, 0x3d, 0x21);
    g_assert_cmpuint(cmos_read(0x3d), ==, 0x21);
    mc146818_rtc_set_mem_sizes(rtc, 128 * MiB, 1 * GiB);
    g_assert_cmpuint(cmos_read(0x15) | cmos_read(0x16) << 8, ==, 640);
    g_assert_cmpuint(cmos_read(0x17) | cmos_read(0x18) << 8, ==, 0xfc00);
    g_assert_cmpuint(cmos_read(0x34) | cmos_read(0x35) << 8, ==, (128 - 16) * 16);
    g_assert_cmpuint(cmos_read(0x5b) | cmos_read(0x5c) << 8 | cmos_read(0x5d) << 16, ==,
                     16384);
}

int main(int argc, char **argv)
{
    GError *err = NULL;

    g_test_init(&argc, &argv, NULL);
    hwclock_fake_enable(1000000000);
    memory_system_init();
    if (!i8254_create(irq_new(test_irq, NULL, 0), &err) ||
        !(rtc = mc146818_rtc_create(irq_new(test_irq, NULL, 1), &err))) {
        g_error("%s", err->message);
    }

    g_test_add_func("/timer/i8254", test_pit);
    g_test_add_func("/timer/rtc-time", test_rtc_time);
    g_test_add_func("/timer/rtc-irq", test_rtc_irq);
    g_test_add_func("/timer/rtc-nvram", test_rtc_nvram);
    return g_test_run();
}
