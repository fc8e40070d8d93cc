/*
 * Unit tests of the x86 board's own devices through the real memory API and
 * device model: the ACPI PM1 registers (write-1-to-clear status, SCI level,
 * S5 poweroff) and the i8042 reset paths and status register. The run-state
 * requests are recorded here instead of acted on. (isa-debug-exit and
 * kestrel-testdev are exercised by the guests in tests/guests/x86.)
 */
#include "util/osdep.h"

#include "exec/memory.h"
#include "hw/i386/acpi-pm.h"
#include "hw/i386/i8042.h"
#include "hw/isa.h"
#include "hw/qdev.h"
#include "sysemu/runstate.h"

static ShutdownCause shutdown_cause, reset_cause;
static int exit_status = -1;
static int irq_level[ISA_NUM_IRQS];

void runstate_request_shutdown(ShutdownCause cause)
{
    shutdown_cause = cause;
}

void runstate_request_reset(ShutdownCause cause)
{
    reset_cause = cause;
}

void runstate_request_exit(int status)
{
    exit_status = status;
}

static void test_irq_handler(void *opaque, int n, int level)
{
    irq_level[n] = level;
}

static void requests_clear(void)
{
    shutdown_cause = SHUTDOWN_CAUSE_NONE;
    reset_cause = SHUTDOWN_CAUSE_NONE;
    exit_status = -1;
}

static uint64_t io_read(uint64_t port, unsigned size)
{
    uint64_t v = 0;

    g_assert_cmpint(address_space_read(&address_space_io, port, &v, size), ==, MEMTX_OK);
    return v;
}

static void io_write(uint64_t port, uint64_t v, unsigned size)
{
    g_assert_cmpint(address_space_write(&address_space_io, port, &v, size), ==, MEMTX_OK);
}

/* A realized DEV after a machine reset, with no request pending. */
static DeviceState *device_ready(DeviceState *dev)
{
    g_assert_nonnull(dev);
    qdev_reset_all();
    requests_clear();
    return dev;
}

static void test_acpi_pm(void)
{
    DeviceState *pm = qdev_new(TYPE_ACPI_PM);

    g_assert_true(qdev_realize(pm, NULL));
    device_ready(pm);

    /* SCI_EN reads set: there is no legacy mode. */
    g_assert_cmpuint(io_read(ACPI_PM1_CNT_ADDR, 2), ==, 1);
    g_assert_cmpuint(io_read(ACPI_PM1_EVT_ADDR, 4), ==, 0);

    /* A power button press sets PWRBTN_STS; the SCI waits for PWRBTN_EN. */
    acpi_pm_press_power_button(pm);
    g_assert_cmpuint(io_read(ACPI_PM1_EVT_ADDR, 2), ==, 0x100);
    g_assert_cmpint(irq_level[9], ==, 0);
    io_write(ACPI_PM1_EVT_ADDR + 2, 0x100, 2);
    g_assert_cmpuint(io_read(ACPI_PM1_EVT_ADDR + 2, 2), ==, 0x100);
    g_assert_cmpint(irq_level[9], ==, 1);
    /* Writing 0 leaves status alone, writing 1 clears it and drops the SCI. */
    io_write(ACPI_PM1_EVT_ADDR, 0, 2);
    g_assert_cmpint(irq_level[9], ==, 1);
    io_write(ACPI_PM1_EVT_ADDR + 1, 0x01, 1);
    g_assert_cmpuint(io_read(ACPI_PM1_EVT_ADDR, 4), ==, 0x01000000);
    g_assert_cmpint(irq_level[9], ==, 0);

    /* A sleep type other than S5 does nothing; S5 with SLP_EN powers off. */
    io_write(ACPI_PM1_CNT_ADDR, 0x2400, 2);
    g_assert_cmpint(shutdown_cause, ==, SHUTDOWN_CAUSE_NONE);
    g_assert_cmpuint(io_read(ACPI_PM1_CNT_ADDR, 2), ==, 0x0401);
    io_write(ACPI_PM1_CNT_ADDR, 0x0000, 2);
    io_write(ACPI_PM1_CNT_ADDR + 1, 0x20, 1);
    g_assert_cmpint(shutdown_cause, ==, SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
    requests_clear();
    io_write(ACPI_PM1_CNT_ADDR, 0x2000, 2);
    g_assert_cmpint(shutdown_cause, ==, SHUTDOWN_CAUSE_GUEST_SHUTDOWN);

    qdev_destroy(pm);
}

static void test_i8042(void)
{
    DeviceState *kbc = device_ready(i8042_create(NULL));

    /* No data waiting, input buffer empty. */
    g_assert_cmpuint(io_read(I8042_CMD_PORT, 1) & 0x03, ==, 0);
    io_write(I8042_CMD_PORT, 0xaa, 1);
    g_assert_cmpuint(io_read(I8042_CMD_PORT, 1) & 0x01, ==, 1);
    g_assert_cmpuint(io_read(I8042_DATA_PORT, 1), ==, 0x55);
    g_assert_cmpuint(io_read(I8042_CMD_PORT, 1) & 0x01, ==, 0);

    /* Command byte round trip. */
    io_write(I8042_CMD_PORT, 0x60, 1);
    io_write(I8042_DATA_PORT, 0x47, 1);
    io_write(I8042_CMD_PORT, 0x20, 1);
    g_assert_cmpuint(io_read(I8042_DATA_PORT, 1), ==, 0x47);
    g_assert_cmpint(reset_cause, ==, SHUTDOWN_CAUSE_NONE);

    /* Pulses that leave the reset line alone, then the reset pulse. */
    io_write(I8042_CMD_PORT, 0xff, 1);
    io_write(I8042_CMD_PORT, 0xfd, 1);
    g_assert_cmpint(reset_cause, ==, SHUTDOWN_CAUSE_NONE);
    io_write(I8042_CMD_PORT, I8042_CMD_RESET, 1);
    g_assert_cmpint(reset_cause, ==, SHUTDOWN_CAUSE_GUEST_RESET);

    /* Output port writes: bit 0 low holds the CPU in reset. */
    requests_clear();
    io_write(I8042_CMD_PORT, 0xd1, 1);
    io_write(I8042_DATA_PORT, 0x03, 1);
    g_assert_cmpint(reset_cause, ==, SHUTDOWN_CAUSE_NONE);
    io_write(I8042_CMD_PORT, 0xd0, 1);
    g_assert_cmpuint(io_read(I8042_DATA_PORT, 1), ==, 0x03);
    io_write(I8042_CMD_PORT, 0xd1, 1);
    io_write(I8042_DATA_PORT, 0x02, 1);
    g_assert_cmpint(reset_cause, ==, SHUTDOWN_CAUSE_GUEST_RESET);

    qdev_destroy(kbc);
}

int main(int argc, char **argv)
{
    qemu_irq irqs[ISA_NUM_IRQS];
    int ret;

    g_test_init(&argc, &argv, NULL);
    memory_system_init();
    for (int i = 0; i < ISA_NUM_IRQS; i++) {
        irqs[i] = irq_new(test_irq_handler, NULL, i);
    }
    isa_bus_set_irqs(irqs);

    g_test_add_func("/x86-devices/acpi-pm", test_acpi_pm);
    g_test_add_func("/x86-devices/i8042", test_i8042);
    ret = g_test_run();

    isa_bus_set_irqs(NULL);
    for (int i = 0; i < ISA_NUM_IRQS; i++) {
        irq_free(irqs[i]);
    }
    return ret;
}
