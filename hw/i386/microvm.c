/*
 * The x86 "microvm" board (Kestrel's default x86_64 machine): RAM from 0 up
 * to 3 GiB and the rest from 4 GiB, a 16550 at COM1, the ACPI PM1 registers,
 * a minimal i8042 for reset, port 0x80, the CMOS RTC (IRQ 8), KVM's in-kernel
 * PIC/IOAPIC/LAPIC and PIT, and up to eight virtio-mmio slots. It boots a Linux bzImage or PVH ELF
 * directly (-kernel) or a flat firmware image (-bios). The kernel, initrd,
 * boot information and ACPI tables are written again at every reset, since
 * the guest may have overwritten them.
 *
 * -machine properties: acpi=on|off (default on): build the ACPI tables and
 * the PM1 registers. pcie=on|off (default off): a PCI Express host bridge
 * with ECAM, the 0xcf8/0xcfc ports and INTx on IOAPIC pins 20-23 (then only
 * four virtio-mmio slots), described by the ACPI MCFG and DSDT.
 * kernel-irqchip=on|off (default on, read by the KVM accelerator): off puts
 * the 8259s, IOAPIC, LAPICs and 8254 in user space (hw/intc, hw/timer), as
 * an accelerator without an in-kernel irqchip always has them.
 */
#include "util/osdep.h"

#include "block/block.h"
#include "exec/memory.h"
#include "hw/char/serial.h"
#include "hw/i386/acpi-pm.h"
#include "hw/i386/i8042.h"
#include "hw/i386/microvm.h"
#include "hw/i386/x86-boot.h"
#include "hw/intc/x86-irqchip.h"
#include "hw/isa.h"
#include "hw/pci/pci_host.h"
#include "hw/qdev.h"
#include "hw/timer/i8254.h"
#include "hw/timer/mc146818rtc.h"
#include "hw/virtio/virtio-blk.h"
#include "hw/virtio/virtio-mmio.h"
#include "sysemu/accel.h"
#include "sysemu/cpus.h"
#include "sysemu/kvm.h"
#include "target/i386/cpu.h"

#define MICROVM_NUM_GSIS    (MICROVM_VIRTIO_GSI_BASE + MICROVM_VIRTIO_MMIO_SLOTS)
#define POST_PORT           0x80

typedef struct MicrovmState {
    bool acpi;
    X86RamMap ram_map;
    MemoryRegion ram_below_4g;
    MemoryRegion ram_above_4g;
    MemoryRegion bios;
    MemoryRegion bios_low;
    MemoryRegion post_port;
    X86BootImage *boot;
    qemu_irq gsi[MICROVM_NUM_GSIS];
    uint32_t *apic_ids;
    uint32_t virtio_slots;
    bool pcie;
    uint64_t pcie_mmio64_base;
    DeviceState *acpi_pm;       /* NULL with acpi=off */
    bool user_irqchip;          /* the interrupt controllers are ours, not the accelerator's */
    X86IrqChip irqchip;
} MicrovmState;

static const MachineClass microvm_class;

static void microvm_set_gsi(void *opaque, int gsi, int level)
{
    current_accel->set_irq(gsi, level);
}

/* Port 0x80, the POST code port, takes I/O delay writes; nothing answers reads. */
static uint64_t microvm_post_read(void *opaque, uint64_t addr, unsigned size)
{
    return UINT64_MAX;
}

static void microvm_post_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
}

static const MemoryRegionOps microvm_post_ops = {
    .read = microvm_post_read,
    .write = microvm_post_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

static bool microvm_init_ram(MachineState *ms, MicrovmState *s, GError **errp)
{
    uint64_t below = MIN(ms->ram_size, MICROVM_LOW_RAM_MAX);

    if (ms->ram_size < MiB) {
        error_setg(errp, "microvm: at least 1 MiB of RAM is needed");
        return false;
    }
    ms->ram = g_new0(MemoryRegion, 1);
    if (!memory_region_init_ram(ms->ram, "microvm.ram", ms->ram_size, errp)) {
        g_free(ms->ram);
        ms->ram = NULL;
        return false;
    }
    memory_region_init_alias(&s->ram_below_4g, "ram-below-4g", ms->ram, 0, below);
    memory_region_add_subregion(get_system_memory(), 0, &s->ram_below_4g);
    if (ms->ram_size > below) {
        memory_region_init_alias(&s->ram_above_4g, "ram-above-4g", ms->ram, below,
                                 ms->ram_size - below);
        memory_region_add_subregion(get_system_memory(), 4 * GiB, &s->ram_above_4g);
    }
    s->ram_map = (X86RamMap){
        .host = memory_region_get_ram_ptr(ms->ram),
        .size = ms->ram_size,
        .below_4g = below,
    };
    return true;
}

/* The ROM ends at 4 GiB; its last 128 KiB at most also appear just below 1 MiB. */
static bool microvm_init_bios(MachineState *ms, MicrovmState *s, GError **errp)
{
    g_autofree uint8_t *data = NULL;
    size_t size;
    uint64_t low_size;

    if (!x86_boot_read_file("bios", ms->bios, &data, &size, errp)) {
        return false;
    }
    if (size == 0 || size % (4 * KiB) || size > MICROVM_BIOS_MAX) {
        error_setg(errp, "bios '%s': size %zu is not a non-zero multiple of 4 KiB up to "
                   "16 MiB", ms->bios, size);
        return false;
    }
    if (!memory_region_init_rom(&s->bios, "microvm.bios", size, errp)) {
        return false;
    }
    memcpy(memory_region_get_ram_ptr(&s->bios), data, size);
    memory_region_add_subregion(get_system_memory(), 4 * GiB - size, &s->bios);

    low_size = MIN(size, MICROVM_BIOS_LOW_ALIAS_MAX);
    memory_region_init_alias(&s->bios_low, "microvm.bios-low", &s->bios, size - low_size,
                             low_size);
    memory_region_add_subregion_overlap(get_system_memory(), MiB - low_size, &s->bios_low, 1);
    return true;
}

/* pcie=on: the host bridge; its 64-bit window starts in the first free GiB above RAM. */
static bool microvm_init_pcie(MachineState *ms, MicrovmState *s, GError **errp)
{
    uint64_t ram_top = 4 * GiB + (ms->ram_size - s->ram_map.below_4g);
    PCIeHostConfig cfg = {
        .ecam_base = MICROVM_PCIE_ECAM_BASE,
        .ecam_size = MICROVM_PCIE_ECAM_SIZE,
        .mmio32_base = MICROVM_PCIE_MMIO32_BASE,
        .mmio32_size = MICROVM_PCIE_MMIO32_SIZE,
        .mmio64_size = MICROVM_PCIE_MMIO64_SIZE,
        .io_base = MICROVM_PCIE_IO_BASE,
        .io_size = MICROVM_PCIE_IO_SIZE,
        .conf1 = true,
    };

    s->pcie_mmio64_base = MAX(MICROVM_PCIE_MMIO64_MIN, ROUND_UP(ram_top, GiB));
    cfg.mmio64_base = s->pcie_mmio64_base;
    for (int pin = 0; pin < PCI_NUM_PINS; pin++) {
        cfg.irqs[pin] = s->gsi[MICROVM_PCIE_GSI_BASE + pin];
    }
    return pcie_host_create(&cfg, errp) != NULL;
}

/* Each -drive if=virtio becomes a virtio-blk-device in the next virtio-mmio slot. */
static bool microvm_init_virtio_drives(GError **errp)
{
    g_autoptr(GPtrArray) drives = blk_drives_for_interface("virtio");

    for (guint i = 0; i < drives->len; i++) {
        DeviceState *dev = qdev_new(TYPE_VIRTIO_BLK);

        qdev_prop_set_string(dev, "drive", blk_name(g_ptr_array_index(drives, i)));
        if (!qdev_realize(dev, errp)) {
            return false;
        }
    }
    return true;
}

static bool microvm_init_devices(MachineState *ms, MicrovmState *s, GError **errp)
{
    qemu_irq isa[ISA_NUM_IRQS];

    if (s->user_irqchip) {
        if (!x86_irqchip_create(&s->irqchip, ms->smp_cpus, s->apic_ids, errp)) {
            return false;
        }
        for (int gsi = 0; gsi < MICROVM_NUM_GSIS; gsi++) {
            s->gsi[gsi] = s->irqchip.gsi[gsi];
        }
        if (!i8254_create(s->gsi[0], errp)) {
            return false;
        }
    } else {
        for (int gsi = 0; gsi < MICROVM_NUM_GSIS; gsi++) {
            s->gsi[gsi] = irq_new(microvm_set_gsi, NULL, gsi);
        }
    }
    /*
     * ISA IRQ n is the accelerator's line n; the accelerator routes line 0 to
     * IOAPIC pin 2, matching the MADT's IRQ 0 -> GSI 2 override.
     */
    for (int i = 0; i < ISA_NUM_IRQS; i++) {
        isa[i] = s->gsi[i];
    }
    isa_bus_set_irqs(isa);
    if (!mc146818_rtc_create(isa[8], errp)) {
        return false;
    }

    if (ms->serial[0] &&
        !serial_isa_create(MICROVM_COM1_IOBASE, MICROVM_COM1_IRQ, ms->serial[0], errp)) {
        return false;
    }
    if (!i8042_create(errp)) {
        return false;
    }
    if (s->acpi) {
        s->acpi_pm = qdev_new(TYPE_ACPI_PM);
        if (!qdev_realize(s->acpi_pm, errp)) {
            s->acpi_pm = NULL;
            return false;
        }
    }
    memory_region_init_io(&s->post_port, &microvm_post_ops, s, "post-port", 1);
    memory_region_add_subregion(get_system_io(), POST_PORT, &s->post_port);
    if (s->pcie && !microvm_init_pcie(ms, s, errp)) {
        return false;
    }
    return microvm_init_virtio_drives(errp);
}

static bool microvm_init(MachineState *ms, GError **errp)
{
    MicrovmState *s = g_new0(MicrovmState, 1);

    ms->board = s;
    virtio_mmio_set_slot_claim(microvm_virtio_mmio_claim);
    if (!keyval_get_bool(ms->opts, "acpi", true, &s->acpi, errp) ||
        !keyval_get_bool(ms->opts, "pcie", false, &s->pcie, errp)) {
        return false;
    }
    if (!ms->kernel && !ms->bios) {
        error_setg(errp, "microvm: no -kernel or -bios given");
        return false;
    }
    if (ms->kernel && ms->bios) {
        error_setg(errp, "microvm: -kernel and -bios cannot be combined (the board has no "
                   "way to hand a kernel to firmware)");
        return false;
    }
    s->user_irqchip = !kvm_enabled() || !kvm_irqchip_in_kernel();
    if (!s->user_irqchip && (!current_accel || !current_accel->set_irq)) {
        error_setg(errp, "microvm: the accelerator provides no interrupt controller");
        return false;
    }
    if (!microvm_init_ram(ms, s, errp)) {
        return false;
    }
    if (ms->bios && !microvm_init_bios(ms, s, errp)) {
        return false;
    }
    if (ms->kernel) {
        X86BootConfig cfg = {
            .kernel = ms->kernel,
            .initrd = ms->initrd,
            .cmdline = ms->append,
            .rsdp_addr = s->acpi ? MICROVM_ACPI_ADDR : 0,
        };
        s->boot = x86_boot_image_load(&cfg, &s->ram_map, errp);
        if (!s->boot) {
            return false;
        }
    }

    s->apic_ids = g_new(uint32_t, ms->smp_cpus);
    for (unsigned i = 0; i < ms->smp_cpus; i++) {
        s->apic_ids[i] = x86_apic_id_from_index(i, ms->smp_cores, ms->smp_threads);
        if (!cpu_create(i, errp)) {
            return false;
        }
    }
    return microvm_init_devices(ms, s, errp);
}

static void microvm_write_acpi(MachineState *ms, MicrovmState *s)
{
    MicrovmAcpiConfig cfg = {
        .ncpus = ms->smp_cpus,
        .apic_ids = s->apic_ids,
        .com1 = ms->serial[0] != NULL,
        .virtio_slots = s->virtio_slots,
        .pcie = s->pcie,
        .pcie_mmio64_base = s->pcie_mmio64_base,
    };
    g_autoptr(GByteArray) tables = microvm_acpi_build(&cfg, MICROVM_ACPI_ADDR);
    uint8_t *dst = x86_ram_map_ptr(&s->ram_map, MICROVM_ACPI_ADDR, tables->len);

    /* RAM is at least 1 MiB, so the table area always exists. */
    g_assert(dst);
    memcpy(dst, tables->data, tables->len);
}

static void microvm_reset(MachineState *ms)
{
    MicrovmState *s = ms->board;

    if (s->acpi) {
        microvm_write_acpi(ms, s);
    }
    if (s->boot) {
        x86_boot_image_install(s->boot, &s->ram_map, &x86_boot_state);
    } else {
        x86_boot_state = (X86BootState){ .mode = X86_BOOT_RESET };
    }
}

/* system_powerdown: the ACPI power button; without ACPI the board has none. */
static void microvm_powerdown(MachineState *ms)
{
    MicrovmState *s = ms->board;

    if (s->acpi_pm) {
        acpi_pm_press_power_button(s->acpi_pm);
    }
}

bool microvm_virtio_mmio_claim(MachineState *ms, uint64_t *base, qemu_irq *irq,
                               GError **errp)
{
    MicrovmState *s = ms->board;

    if (ms->mc != &microvm_class || !s) {
        error_setg(errp, "virtio-mmio slots exist only on the microvm machine");
        return false;
    }
    unsigned nslots = s->pcie ? MICROVM_PCIE_VIRTIO_SLOTS : MICROVM_VIRTIO_MMIO_SLOTS;

    for (unsigned slot = 0; slot < nslots; slot++) {
        if (!(s->virtio_slots & (1u << slot))) {
            s->virtio_slots |= 1u << slot;
            *base = MICROVM_VIRTIO_MMIO_BASE + slot * MICROVM_VIRTIO_MMIO_SIZE;
            *irq = s->gsi[MICROVM_VIRTIO_GSI_BASE + slot];
            return true;
        }
    }
    error_setg(errp, "microvm: all %u virtio-mmio slots are in use", nslots);
    return false;
}

static const MachineClass microvm_class = {
    .name = "microvm",
    .desc = "microvm (i386)",
    .arch = "x86_64",
    .is_default = true,
    .max_cpus = 64,
    .default_ram_size = 128 * MiB,
    .init = microvm_init,
    .reset = microvm_reset,
    .powerdown = microvm_powerdown,
};

static void microvm_register(void)
{
    machine_register(&microvm_class);
}
machine_init(microvm_register)
