/*
 * Unit tests of the riscv64 virt board's device tree (hw/riscv/virt-fdt.c):
 * the tree is built for 1 and 4 harts, with and without bootargs and an
 * initrd, and read back with libfdt: the root's QEMU-compatible model, the
 * timebase, every cpu with its ISA string, MMU type, interrupt controller and
 * cpu-map entry, memory, the CLINT's and PLIC's per-hart interrupts
 * (M-soft/M-timer, M-ext/S-ext), the UART, all eight virtio-mmio slots, the
 * poweroff/reboot syscons and /chosen. dtc (Debian's device-tree-compiler),
 * if installed, must decompile the blob without an error.
 */
#include "util/osdep.h"

#include <libfdt.h>

#include "hw/riscv/virt.h"

typedef struct FdtCase {
    unsigned harts;
    const char *bootargs;
    bool initrd;
} FdtCase;

static const FdtCase cases[] = {
    { .harts = 1 },
    { .harts = 4, .bootargs = "console=ttyS0 earlycon", .initrd = true },
};

static void *build(const FdtCase *c, size_t *size)
{
    VirtFdtConfig cfg = {
        .num_harts = c->harts,
        .ram_size = 256 * MiB,
        .isa = "rv64imafdc_zicsr_zifencei",
        .mmu_type = "riscv,sv48",
        .bootargs = c->bootargs,
        .initrd_start = c->initrd ? 0x88200000 : 0,
        .initrd_end = c->initrd ? 0x88300000 : 0,
    };
    GError *err = NULL;
    void *fdt = virt_fdt_build(&cfg, size, &err);

    g_assert_no_error(err);
    g_assert_nonnull(fdt);
    g_assert_cmpint(fdt_check_header(fdt), ==, 0);
    g_assert_cmpuint(fdt_totalsize(fdt), ==, *size);
    return fdt;
}

static int node(const void *fdt, const char *path)
{
    int off = fdt_path_offset(fdt, path);

    if (off < 0) {
        g_error("node %s missing: %s", path, fdt_strerror(off));
    }
    return off;
}

static const char *str_prop(const void *fdt, const char *path, const char *name)
{
    const char *val = fdt_getprop(fdt, node(fdt, path), name, NULL);

    g_assert_nonnull(val);
    return val;
}

/* The property as host-order cells; *N its count. */
static const fdt32_t *cells_prop(const void *fdt, const char *path, const char *name,
                                 unsigned *n)
{
    int len;
    const fdt32_t *val = fdt_getprop(fdt, node(fdt, path), name, &len);

    g_assert_nonnull(val);
    g_assert_cmpint(len % 4, ==, 0);
    *n = (unsigned)len / 4;
    return val;
}

static uint32_t u32_prop(const void *fdt, const char *path, const char *name)
{
    unsigned n;
    const fdt32_t *val = cells_prop(fdt, path, name, &n);

    g_assert_cmpuint(n, ==, 1);
    return fdt32_to_cpu(val[0]);
}

static uint64_t u64_prop(const void *fdt, const char *path, const char *name)
{
    unsigned n;
    const fdt32_t *val = cells_prop(fdt, path, name, &n);

    g_assert_cmpuint(n, ==, 2);
    return (uint64_t)fdt32_to_cpu(val[0]) << 32 | fdt32_to_cpu(val[1]);
}

static void check_reg(const void *fdt, const char *path, uint64_t addr, uint64_t size)
{
    unsigned n;
    const fdt32_t *reg = cells_prop(fdt, path, "reg", &n);

    g_assert_cmpuint(n, ==, 4);
    g_assert_cmpuint((uint64_t)fdt32_to_cpu(reg[0]) << 32 | fdt32_to_cpu(reg[1]), ==, addr);
    g_assert_cmpuint((uint64_t)fdt32_to_cpu(reg[2]) << 32 | fdt32_to_cpu(reg[3]), ==, size);
}

/* interrupts-extended: for each hart, its intc phandle with each of CAUSES. */
static void check_hart_irqs(const void *fdt, const char *path, unsigned harts,
                            const uint32_t *causes, unsigned ncauses)
{
    unsigned n;
    const fdt32_t *val = cells_prop(fdt, path, "interrupts-extended", &n);

    g_assert_cmpuint(n, ==, 2 * ncauses * harts);
    for (unsigned h = 0; h < harts; h++) {
        g_autofree char *intc = g_strdup_printf("/cpus/cpu@%u/interrupt-controller", h);
        uint32_t ph = fdt_get_phandle(fdt, node(fdt, intc));

        g_assert_cmpuint(ph, !=, 0);
        for (unsigned c = 0; c < ncauses; c++) {
            g_assert_cmpuint(fdt32_to_cpu(val[2 * (h * ncauses + c)]), ==, ph);
            g_assert_cmpuint(fdt32_to_cpu(val[2 * (h * ncauses + c) + 1]), ==, causes[c]);
        }
    }
}

static void test_fdt_contents(gconstpointer data)
{
    static const uint32_t clint_causes[] = { 3, 7 };
    static const uint32_t plic_causes[] = { 11, 9 };
    const FdtCase *c = data;
    size_t size;
    g_autofree void *fdt = build(c, &size);
    uint32_t plic_ph;

    g_assert_cmpstr(str_prop(fdt, "/", "compatible"), ==, "riscv-virtio");
    g_assert_cmpstr(str_prop(fdt, "/", "model"), ==, "riscv-virtio,qemu");
    g_assert_cmpuint(u32_prop(fdt, "/", "#address-cells"), ==, 2);
    g_assert_cmpuint(u32_prop(fdt, "/cpus", "timebase-frequency"), ==, 10000000);
    for (unsigned h = 0; h < c->harts; h++) {
        g_autofree char *cpu = g_strdup_printf("/cpus/cpu@%u", h);
        g_autofree char *intc = g_strdup_printf("%s/interrupt-controller", cpu);
        g_autofree char *core = g_strdup_printf("/cpus/cpu-map/cluster0/core%u", h);

        g_assert_cmpstr(str_prop(fdt, cpu, "device_type"), ==, "cpu");
        g_assert_cmpuint(u32_prop(fdt, cpu, "reg"), ==, h);
        g_assert_cmpstr(str_prop(fdt, cpu, "riscv,isa"), ==, "rv64imafdc_zicsr_zifencei");
        g_assert_cmpstr(str_prop(fdt, cpu, "mmu-type"), ==, "riscv,sv48");
        g_assert_cmpstr(str_prop(fdt, intc, "compatible"), ==, "riscv,cpu-intc");
        g_assert_cmpuint(u32_prop(fdt, intc, "#interrupt-cells"), ==, 1);
        g_assert_nonnull(fdt_getprop(fdt, node(fdt, intc), "interrupt-controller", NULL));
        g_assert_cmpuint(u32_prop(fdt, core, "cpu"), ==, fdt_get_phandle(fdt, node(fdt, cpu)));
    }
    g_assert_cmpint(fdt_path_offset(fdt, c->harts == 1 ? "/cpus/cpu@1" : "/cpus/cpu@4"), <, 0);

    check_reg(fdt, "/memory@80000000", 0x80000000, 256 * MiB);
    g_assert_cmpstr(str_prop(fdt, "/memory@80000000", "device_type"), ==, "memory");

    g_assert_cmpstr(str_prop(fdt, "/soc/clint@2000000", "compatible"), ==, "sifive,clint0");
    check_reg(fdt, "/soc/clint@2000000", 0x2000000, 0x10000);
    check_hart_irqs(fdt, "/soc/clint@2000000", c->harts, clint_causes, 2);

    g_assert_cmpstr(str_prop(fdt, "/soc/plic@c000000", "compatible"), ==, "sifive,plic-1.0.0");
    check_reg(fdt, "/soc/plic@c000000", 0xc000000, 0x600000);
    g_assert_cmpuint(u32_prop(fdt, "/soc/plic@c000000", "riscv,ndev"), ==, 95);
    check_hart_irqs(fdt, "/soc/plic@c000000", c->harts, plic_causes, 2);
    plic_ph = fdt_get_phandle(fdt, node(fdt, "/soc/plic@c000000"));
    g_assert_cmpuint(plic_ph, !=, 0);

    g_assert_cmpstr(str_prop(fdt, "/soc/serial@10000000", "compatible"), ==, "ns16550a");
    g_assert_cmpuint(u32_prop(fdt, "/soc/serial@10000000", "clock-frequency"), ==, 3686400);
    g_assert_cmpuint(u32_prop(fdt, "/soc/serial@10000000", "interrupts"), ==, 10);
    g_assert_cmpuint(u32_prop(fdt, "/soc/serial@10000000", "interrupt-parent"), ==, plic_ph);
    for (unsigned i = 0; i < 8; i++) {
        g_autofree char *path = g_strdup_printf("/soc/virtio_mmio@%x", 0x10001000 + i * 0x1000);

        g_assert_cmpstr(str_prop(fdt, path, "compatible"), ==, "virtio,mmio");
        check_reg(fdt, path, 0x10001000 + i * 0x1000, 0x1000);
        g_assert_cmpuint(u32_prop(fdt, path, "interrupts"), ==, 1 + i);
    }
    g_assert_cmpstr(str_prop(fdt, "/soc/rtc@101000", "compatible"), ==, "google,goldfish-rtc");
    g_assert_cmpuint(u32_prop(fdt, "/soc/rtc@101000", "interrupts"), ==, 11);
    g_assert_cmpint(fdt_node_check_compatible(fdt, node(fdt, "/soc/test@100000"), "syscon"),
                    ==, 0);
    g_assert_cmpuint(u32_prop(fdt, "/poweroff", "value"), ==, 0x5555);
    g_assert_cmpuint(u32_prop(fdt, "/reboot", "value"), ==, 0x7777);
    g_assert_cmpuint(u32_prop(fdt, "/poweroff", "regmap"), ==,
                     fdt_get_phandle(fdt, node(fdt, "/soc/test@100000")));
    g_assert_cmpstr(str_prop(fdt, "/poweroff", "compatible"), ==, "syscon-poweroff");
    g_assert_cmpstr(str_prop(fdt, "/reboot", "compatible"), ==, "syscon-reboot");

    g_assert_cmpstr(str_prop(fdt, "/chosen", "stdout-path"), ==, "/soc/serial@10000000");
    if (c->bootargs) {
        g_assert_cmpstr(str_prop(fdt, "/chosen", "bootargs"), ==, c->bootargs);
    } else {
        g_assert_null(fdt_getprop(fdt, node(fdt, "/chosen"), "bootargs", NULL));
    }
    if (c->initrd) {
        g_assert_cmpuint(u64_prop(fdt, "/chosen", "linux,initrd-start"), ==, 0x88200000);
        g_assert_cmpuint(u64_prop(fdt, "/chosen", "linux,initrd-end"), ==, 0x88300000);
    } else {
        g_assert_null(fdt_getprop(fdt, node(fdt, "/chosen"), "linux,initrd-start", NULL));
    }
}

static void test_fdt_dtc(gconstpointer data)
{
    g_autofree char *dtc = g_find_program_in_path("dtc");
    g_autofree char *dir = NULL;
    g_autofree char *path = NULL;
    g_autofree char *out = NULL;
    g_autofree char *errout = NULL;
    GError *err = NULL;
    size_t size;
    g_autofree void *fdt = NULL;
    int status;

    if (!dtc) {
        g_test_skip("dtc is not installed (Debian package device-tree-compiler)");
        return;
    }
    fdt = build(data, &size);
    dir = g_dir_make_tmp("kestrel-fdt-XXXXXX", &err);
    g_assert_no_error(err);
    path = g_build_filename(dir, "virt.dtb", NULL);
    g_assert_true(g_file_set_contents(path, fdt, (gssize)size, &err));
    {
        char *argv[] = { dtc, "-q", "-I", "dtb", "-O", "dts", path, NULL };

        g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &errout,
                                   &status, &err));
    }
    g_assert_no_error(err);
    unlink(path);
    rmdir(dir);
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_error("dtc failed: %s", errout);
    }
    g_assert_nonnull(strstr(out, "riscv-virtio,qemu"));
    g_assert_nonnull(strstr(out, "sifive,plic-1.0.0"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        g_autofree char *name = g_strdup_printf("/riscv-fdt/contents/smp%u", cases[i].harts);
        g_autofree char *dname = g_strdup_printf("/riscv-fdt/dtc/smp%u", cases[i].harts);

        g_test_add_data_func(name, &cases[i], test_fdt_contents);
        g_test_add_data_func(dname, &cases[i], test_fdt_dtc);
    }
    return g_test_run();
}
