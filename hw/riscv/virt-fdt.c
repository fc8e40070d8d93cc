/*
 * The device tree of the riscv64 virt board, built with libfdt's sequential
 * writer so nodes appear in the order written (ascending addresses, as in
 * QEMU's tree). The root is compatible "riscv-virtio" with model
 * "riscv-virtio,qemu", which OpenSBI's generic platform prints as the platform
 * name and treats as QEMU's virt. /cpus carries timebase-frequency (the CLINT
 * frequency), one cpu@N per hart with its riscv,cpu-intc interrupt controller
 * and a cpu-map of one cluster; /soc holds the CLINT (M-soft and M-timer per
 * hart), the PLIC (M-external and S-external per hart, so context 2N is hart
 * N's M-mode and 2N + 1 its S-mode), the UART, all eight virtio-mmio slots
 * whether used or not, the test finisher as a syscon with poweroff (0x5555)
 * and reboot (0x7777) nodes, and the RTC. Phandles are fixed numbers: cpu N
 * is 1 + N, its interrupt controller 1 + harts + N, then the PLIC and the
 * test finisher. Cells are two for addresses and sizes, as on QEMU.
 */
#include "util/osdep.h"

#include <libfdt.h>
#include "hw/riscv/virt.h"

#define VIRT_FDT_INITIAL_SIZE (64 * KiB)

#define RISCV_INTC_M_SOFT   3
#define RISCV_INTC_M_TIMER  7
#define RISCV_INTC_S_EXT    9
#define RISCV_INTC_M_EXT    11

typedef struct FdtBuild {
    void *fdt;
    int err;                    /* first libfdt error, 0: none */
    unsigned harts;
} FdtBuild;

static uint32_t ph_cpu(const FdtBuild *b, unsigned h)
{
    return 1 + h;
}

static uint32_t ph_intc(const FdtBuild *b, unsigned h)
{
    return 1 + b->harts + h;
}

static uint32_t ph_plic(const FdtBuild *b)
{
    return 1 + 2 * b->harts;
}

static uint32_t ph_test(const FdtBuild *b)
{
    return 2 + 2 * b->harts;
}

static void fdt_check(FdtBuild *b, int ret)
{
    if (ret < 0 && !b->err) {
        b->err = ret;
    }
}

static void fdt_begin(FdtBuild *b, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void fdt_begin(FdtBuild *b, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *name = NULL;

    va_start(ap, fmt);
    name = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fdt_check(b, fdt_begin_node(b->fdt, name));
}

static void fdt_end(FdtBuild *b)
{
    fdt_check(b, fdt_end_node(b->fdt));
}

static void fdt_u32(FdtBuild *b, const char *name, uint32_t val)
{
    fdt_check(b, fdt_property_u32(b->fdt, name, val));
}

static void fdt_u64(FdtBuild *b, const char *name, uint64_t val)
{
    fdt_check(b, fdt_property_u64(b->fdt, name, val));
}

static void fdt_str(FdtBuild *b, const char *name, const char *val)
{
    fdt_check(b, fdt_property_string(b->fdt, name, val));
}

/* A string list: LEN bytes of NUL-terminated strings. */
static void fdt_strs(FdtBuild *b, const char *name, const char *val, size_t len)
{
    fdt_check(b, fdt_property(b->fdt, name, val, (int)len));
}
#define FDT_STRS(b, name, lit) fdt_strs(b, name, lit, sizeof(lit))

static void fdt_empty(FdtBuild *b, const char *name)
{
    fdt_check(b, fdt_property(b->fdt, name, NULL, 0));
}

static void fdt_cells(FdtBuild *b, const char *name, const uint32_t *cells, size_t n)
{
    g_autofree fdt32_t *be = g_new(fdt32_t, n);

    for (size_t i = 0; i < n; i++) {
        be[i] = cpu_to_fdt32(cells[i]);
    }
    fdt_check(b, fdt_property(b->fdt, name, be, (int)(n * sizeof(*be))));
}

static void fdt_reg(FdtBuild *b, uint64_t addr, uint64_t size)
{
    const uint32_t cells[] = { addr >> 32, (uint32_t)addr, size >> 32, (uint32_t)size };

    fdt_cells(b, "reg", cells, ARRAY_SIZE(cells));
}

/* interrupts-extended with one <intc cause> pair per hart and cause. */
static void fdt_hart_irqs(FdtBuild *b, const uint32_t *causes, unsigned ncauses)
{
    g_autofree uint32_t *cells = g_new(uint32_t, 2 * ncauses * b->harts);
    size_t n = 0;

    for (unsigned h = 0; h < b->harts; h++) {
        for (unsigned c = 0; c < ncauses; c++) {
            cells[n++] = ph_intc(b, h);
            cells[n++] = causes[c];
        }
    }
    fdt_cells(b, "interrupts-extended", cells, n);
}

static void virt_fdt_cpus(FdtBuild *b, const VirtFdtConfig *cfg)
{
    fdt_begin(b, "cpus");
    fdt_u32(b, "#address-cells", 1);
    fdt_u32(b, "#size-cells", 0);
    fdt_u32(b, "timebase-frequency", VIRT_CLINT_FREQ_HZ);
    for (unsigned h = 0; h < b->harts; h++) {
        fdt_begin(b, "cpu@%u", h);
        fdt_str(b, "device_type", "cpu");
        fdt_u32(b, "reg", h);
        fdt_str(b, "status", "okay");
        fdt_str(b, "compatible", "riscv");
        fdt_str(b, "riscv,isa", cfg->isa);
        if (cfg->mmu_type) {
            fdt_str(b, "mmu-type", cfg->mmu_type);
        }
        fdt_u32(b, "phandle", ph_cpu(b, h));
        fdt_begin(b, "interrupt-controller");
        fdt_u32(b, "#interrupt-cells", 1);
        fdt_empty(b, "interrupt-controller");
        fdt_str(b, "compatible", "riscv,cpu-intc");
        fdt_u32(b, "phandle", ph_intc(b, h));
        fdt_end(b);
        fdt_end(b);
    }
    fdt_begin(b, "cpu-map");
    fdt_begin(b, "cluster0");
    for (unsigned h = 0; h < b->harts; h++) {
        fdt_begin(b, "core%u", h);
        fdt_u32(b, "cpu", ph_cpu(b, h));
        fdt_end(b);
    }
    fdt_end(b);
    fdt_end(b);
    fdt_end(b);
}

/* A device on PLIC source IRQ. */
static void fdt_plic_irq(FdtBuild *b, uint32_t irq)
{
    fdt_u32(b, "interrupt-parent", ph_plic(b));
    fdt_u32(b, "interrupts", irq);
}

static void virt_fdt_soc(FdtBuild *b)
{
    static const uint32_t clint_causes[] = { RISCV_INTC_M_SOFT, RISCV_INTC_M_TIMER };
    static const uint32_t plic_causes[] = { RISCV_INTC_M_EXT, RISCV_INTC_S_EXT };

    fdt_begin(b, "soc");
    fdt_u32(b, "#address-cells", 2);
    fdt_u32(b, "#size-cells", 2);
    fdt_str(b, "compatible", "simple-bus");
    fdt_empty(b, "ranges");

    fdt_begin(b, "test@%llx", VIRT_TEST_ADDR);
    FDT_STRS(b, "compatible", "sifive,test1\0sifive,test0\0syscon");
    fdt_reg(b, VIRT_TEST_ADDR, VIRT_TEST_SIZE);
    fdt_u32(b, "phandle", ph_test(b));
    fdt_end(b);

    fdt_begin(b, "rtc@%llx", VIRT_RTC_ADDR);
    fdt_str(b, "compatible", "google,goldfish-rtc");
    fdt_reg(b, VIRT_RTC_ADDR, VIRT_RTC_SIZE);
    fdt_plic_irq(b, VIRT_IRQ_RTC);
    fdt_end(b);

    fdt_begin(b, "clint@%llx", VIRT_CLINT_ADDR);
    FDT_STRS(b, "compatible", "sifive,clint0\0riscv,clint0");
    fdt_reg(b, VIRT_CLINT_ADDR, VIRT_CLINT_SIZE);
    fdt_hart_irqs(b, clint_causes, ARRAY_SIZE(clint_causes));
    fdt_end(b);

    fdt_begin(b, "plic@%llx", VIRT_PLIC_ADDR);
    FDT_STRS(b, "compatible", "sifive,plic-1.0.0\0riscv,plic0");
    fdt_u32(b, "#interrupt-cells", 1);
    fdt_u32(b, "#address-cells", 0);
    fdt_empty(b, "interrupt-controller");
    fdt_reg(b, VIRT_PLIC_ADDR, VIRT_PLIC_SIZE);
    fdt_u32(b, "riscv,ndev", VIRT_PLIC_NUM_SOURCES - 1);
    fdt_hart_irqs(b, plic_causes, ARRAY_SIZE(plic_causes));
    fdt_u32(b, "phandle", ph_plic(b));
    fdt_end(b);

    fdt_begin(b, "serial@%llx", VIRT_UART0_ADDR);
    fdt_str(b, "compatible", "ns16550a");
    fdt_reg(b, VIRT_UART0_ADDR, VIRT_UART0_SIZE);
    fdt_u32(b, "clock-frequency", VIRT_UART0_CLOCK_HZ);
    fdt_plic_irq(b, VIRT_IRQ_UART0);
    fdt_end(b);

    for (unsigned i = 0; i < VIRT_VIRTIO_COUNT; i++) {
        uint64_t addr = VIRT_VIRTIO_ADDR + i * VIRT_VIRTIO_SIZE;

        fdt_begin(b, "virtio_mmio@%" PRIx64, addr);
        fdt_str(b, "compatible", "virtio,mmio");
        fdt_reg(b, addr, VIRT_VIRTIO_SIZE);
        fdt_plic_irq(b, VIRT_IRQ_VIRTIO + i);
        fdt_end(b);
    }
    fdt_end(b);
}

/* syscon-poweroff / syscon-reboot through the test finisher. */
static void virt_fdt_syscon(FdtBuild *b, const char *name, const char *compat, uint32_t value)
{
    fdt_begin(b, "%s", name);
    fdt_str(b, "compatible", compat);
    fdt_u32(b, "regmap", ph_test(b));
    fdt_u32(b, "offset", 0);
    fdt_u32(b, "value", value);
    fdt_end(b);
}

static void virt_fdt_write(FdtBuild *b, const VirtFdtConfig *cfg)
{
    fdt_check(b, fdt_finish_reservemap(b->fdt));
    fdt_begin(b, "%s", "");
    fdt_u32(b, "#address-cells", 2);
    fdt_u32(b, "#size-cells", 2);
    fdt_str(b, "compatible", "riscv-virtio");
    fdt_str(b, "model", "riscv-virtio,qemu");

    fdt_begin(b, "chosen");
    if (cfg->bootargs) {
        fdt_str(b, "bootargs", cfg->bootargs);
    }
    fdt_str(b, "stdout-path", "/soc/serial@10000000");
    if (cfg->initrd_end > cfg->initrd_start) {
        fdt_u64(b, "linux,initrd-start", cfg->initrd_start);
        fdt_u64(b, "linux,initrd-end", cfg->initrd_end);
    }
    fdt_end(b);

    fdt_begin(b, "memory@%llx", VIRT_DRAM_ADDR);
    fdt_str(b, "device_type", "memory");
    fdt_reg(b, VIRT_DRAM_ADDR, cfg->ram_size);
    fdt_end(b);

    virt_fdt_cpus(b, cfg);
    virt_fdt_syscon(b, "poweroff", "syscon-poweroff", 0x5555);
    virt_fdt_syscon(b, "reboot", "syscon-reboot", 0x7777);
    virt_fdt_soc(b);
    fdt_end(b);
    fdt_check(b, fdt_finish(b->fdt));
}

void *virt_fdt_build(const VirtFdtConfig *cfg, size_t *size_out, GError **errp)
{
    for (int size = VIRT_FDT_INITIAL_SIZE; size <= 16 * (int)MiB; size *= 2) {
        FdtBuild b = { .fdt = g_malloc0(size), .harts = cfg->num_harts };

        fdt_check(&b, fdt_create(b.fdt, size));
        virt_fdt_write(&b, cfg);
        if (!b.err) {
            *size_out = fdt_totalsize(b.fdt);
            return g_realloc(b.fdt, *size_out);
        }
        g_free(b.fdt);
        if (b.err != -FDT_ERR_NOSPACE) {
            error_setg(errp, "virt: building the device tree: %s", fdt_strerror(b.err));
            return NULL;
        }
    }
    error_setg(errp, "virt: the device tree does not fit in 16 MiB");
    return NULL;
}
