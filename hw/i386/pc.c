/*
 * The x86 "pc" board (i440FX + PIIX, hw/i386/pc-piix.c), for firmware that
 * boots disks: SeaBIOS by default (bios-256k.bin, looked up in the -L
 * directories, Kestrel's data directory, /usr/share/seabios and
 * /usr/share/qemu). RAM below 4 GiB ends at 3.5 GiB at most, the rest is
 * mapped from 4 GiB. KVM's in-kernel PIC, IOAPIC, LAPIC and PIT serve the
 * interrupts and the timer. ISA devices: COM1, the i8042, the CMOS
 * (pc-cmos.c), port 0x80 and fw_cfg, which tells the firmware the RAM size,
 * CPU count, memory map (etc/e820), boot order and menu, the serial console
 * port (etc/sercon-port) and hands it the ACPI tables (acpi-pc.c), built when
 * the firmware first selects one of their files so that the FADT names the
 * PM block the firmware placed. Each -drive if=virtio becomes a
 * virtio-blk-pci function.
 *
 * -machine properties: none yet. -boot order=c|d|n...,menu=on|off,
 * reboot-timeout=MS sets the CMOS boot order, the boot menu and
 * etc/boot-fail-wait as QEMU does.
 */
#include "util/osdep.h"

#include "block/block.h"
#include "hw/boards.h"
#include "hw/char/serial.h"
#include "hw/i386/acpi-pm.h"
#include "hw/i386/i8042.h"
#include "hw/i386/pc.h"
#include "hw/i386/x86-boot.h"
#include "hw/isa.h"
#include "hw/nvram/fw_cfg.h"
#include "sysemu/accel.h"
#include "sysemu/cpus.h"
#include "target/i386/cpu.h"

#define PC_DEFAULT_BIOS     "bios-256k.bin"
#define PC_NUM_GSIS         (PC_PCI_GSI_BASE + PCI_NUM_PINS)
#define POST_PORT           0x80

/* CMOS bytes firmware reads (the IBM PC/AT layout plus the QEMU/Bochs extensions). */
#define CMOS_FLOPPY_TYPES   0x10
#define CMOS_DISK_TYPES     0x12
#define CMOS_EQUIPMENT      0x14
#define CMOS_BASE_MEM_LO    0x15
#define CMOS_EXT_MEM_LO     0x17
#define CMOS_CHECKSUM_HI    0x2e
#define CMOS_EXT_MEM2_LO    0x30
#define CMOS_BOOT_FLAG1     0x38
#define CMOS_BOOT_FLAG2     0x3d
#define CMOS_MEM_16M_LO     0x34
#define CMOS_MEM_4G_LO      0x5b
#define CMOS_CPU_COUNT      0x5f
#define EQUIPMENT_FPU       0x02
#define EQUIPMENT_PS2_MOUSE 0x04

typedef struct PcState {
    MemoryRegion ram_below_4g;
    MemoryRegion ram_above_4g;
    MemoryRegion bios;
    MemoryRegion isa_bios;
    MemoryRegion post_port;
    uint64_t below_4g;
    qemu_irq gsi[PC_NUM_GSIS];
    PcChipset chipset;
    DeviceState *cmos;
    FWCfgState *fw_cfg;
    uint32_t *apic_ids;
    bool acpi_built;            /* since the last reset */
} PcState;

static void pc_set_gsi(void *opaque, int gsi, int level)
{
    current_accel->set_irq(gsi, level);
}

static uint64_t pc_post_read(void *opaque, uint64_t addr, unsigned size)
{
    return UINT64_MAX;
}

static void pc_post_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
}

static const MemoryRegionOps pc_post_ops = {
    .read = pc_post_read,
    .write = pc_post_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

/* The firmware file NAME: a path if it has a '/', else looked up in the search path. */
static char *pc_find_firmware(MachineState *ms, const char *name, GError **errp)
{
    static const char *const builtin[] = { CONFIG_DATADIR, "/usr/share/seabios",
                                           "/usr/share/qemu" };
    g_autoptr(GPtrArray) dirs = g_ptr_array_new();

    if (strchr(name, '/')) {
        return g_strdup(name);
    }
    for (guint i = 0; ms->firmware_dirs && i < ms->firmware_dirs->len; i++) {
        g_ptr_array_add(dirs, g_ptr_array_index(ms->firmware_dirs, i));
    }
    for (size_t i = 0; i < ARRAY_SIZE(builtin); i++) {
        g_ptr_array_add(dirs, (gpointer)builtin[i]);
    }
    for (guint i = 0; i < dirs->len; i++) {
        g_autofree char *path = g_build_filename(g_ptr_array_index(dirs, i), name, NULL);

        if (g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
            return g_steal_pointer(&path);
        }
    }
    error_setg(errp, "pc: firmware '%s' not found in the -L directories, %s, "
               "/usr/share/seabios or /usr/share/qemu (Debian: apt-get install seabios)",
               name, CONFIG_DATADIR);
    return NULL;
}

static bool pc_init_ram(MachineState *ms, PcState *s, GError **errp)
{
    s->below_4g = MIN(ms->ram_size, PC_LOW_RAM_MAX);
    ms->ram = g_new0(MemoryRegion, 1);
    if (!memory_region_init_ram(ms->ram, "pc.ram", ms->ram_size, errp)) {
        g_free(ms->ram);
        ms->ram = NULL;
        return false;
    }
    memory_region_init_alias(&s->ram_below_4g, "ram-below-4g", ms->ram, 0, s->below_4g);
    memory_region_add_subregion(get_system_memory(), 0, &s->ram_below_4g);
    if (ms->ram_size > s->below_4g) {
        memory_region_init_alias(&s->ram_above_4g, "ram-above-4g", ms->ram, s->below_4g,
                                 ms->ram_size - s->below_4g);
        memory_region_add_subregion(get_system_memory(), 4 * GiB, &s->ram_above_4g);
    }
    return true;
}

/*
 * The ROM ends at 4 GiB in the PCI memory space; its last 128 KiB at most
 * also appear at 0xe0000-0xfffff there, which the PAM registers show or hide.
 */
static bool pc_init_bios(MachineState *ms, PcState *s, GError **errp)
{
    g_autofree char *path = pc_find_firmware(ms, ms->bios ? ms->bios : PC_DEFAULT_BIOS, errp);
    g_autofree uint8_t *data = NULL;
    uint64_t low_size;
    size_t size;

    if (!path || !x86_boot_read_file("bios", path, &data, &size, errp)) {
        return false;
    }
    if (size == 0 || size % (64 * KiB) || size > PC_BIOS_MAX) {
        error_setg(errp, "bios '%s': size %zu is not a non-zero multiple of 64 KiB up to "
                   "16 MiB", path, size);
        return false;
    }
    if (!memory_region_init_rom(&s->bios, "pc.bios", size, errp)) {
        return false;
    }
    memcpy(memory_region_get_ram_ptr(&s->bios), data, size);
    memory_region_add_subregion(&s->chipset.pci_mem, 4 * GiB - size, &s->bios);
    low_size = MIN(size, PC_ISA_BIOS_SIZE);
    memory_region_init_alias(&s->isa_bios, "isa-bios", &s->bios, size - low_size, low_size);
    memory_region_add_subregion_overlap(&s->chipset.pci_mem, MiB - low_size, &s->isa_bios, 1);
    return true;
}

/* -boot order=LETTERS (a floppy, c disk, d CD-ROM, n network), menu=, reboot-timeout=. */
static bool pc_apply_boot_options(MachineState *ms, PcState *s, GError **errp)
{
    g_autoptr(Keyval) kv = NULL;
    const char *order = "cad";
    uint64_t timeout = 0;
    bool menu = false;
    uint16_t nibbles = 0;

    if (ms->boot) {
        kv = keyval_parse(ms->boot, "order", "-boot", errp);
        if (!kv || !keyval_get_bool(kv, "menu", false, &menu, errp) ||
            !keyval_get_uint(kv, "reboot-timeout", 0, &timeout, errp)) {
            return false;
        }
        if (keyval_get(kv, "order")) {
            order = keyval_get(kv, "order");
        }
        if (!keyval_check_all_used(kv, "-boot", errp)) {
            return false;
        }
    }
    if (strlen(order) > 3) {
        error_setg(errp, "-boot order=%s: at most 3 devices", order);
        return false;
    }
    for (size_t i = 0; order[i]; i++) {
        const char *p = strchr("acdn", order[i]);

        if (!p) {
            error_setg(errp, "-boot order=%s: invalid device '%c' (a, c, d or n)", order,
                       order[i]);
            return false;
        }
        /* CMOS codes: 1 floppy, 2 hard disk, 3 CD-ROM, 4 network. */
        nibbles |= (uint16_t)(p - "acdn" + 1) << (4 * i);
    }
    pc_cmos_set(s->cmos, CMOS_BOOT_FLAG2, nibbles & 0xff);
    pc_cmos_set(s->cmos, CMOS_BOOT_FLAG1, ((nibbles >> 4) & 0xf0) | 1);  /* no floppy check */
    fw_cfg_add_i16(s->fw_cfg, FW_CFG_BOOT_MENU, menu);
    if (timeout) {
        uint8_t le[4] = { timeout, timeout >> 8, timeout >> 16, timeout >> 24 };

        fw_cfg_add_file(s->fw_cfg, "etc/boot-fail-wait", le, sizeof(le));
    }
    return true;
}

static void pc_cmos_init_memory(MachineState *ms, PcState *s)
{
    uint64_t ext_kb = MIN((s->below_4g - MiB) / KiB, 0xffff);
    uint64_t above_16m = s->below_4g > 16 * MiB ? MIN((s->below_4g - 16 * MiB) / (64 * KiB),
                                                      0xffff) : 0;
    uint64_t above_4g = (ms->ram_size - s->below_4g) / (64 * KiB);
    uint16_t sum = 0;

    pc_cmos_set(s->cmos, CMOS_FLOPPY_TYPES, 0);
    pc_cmos_set(s->cmos, CMOS_DISK_TYPES, 0);
    pc_cmos_set(s->cmos, CMOS_EQUIPMENT, EQUIPMENT_FPU | EQUIPMENT_PS2_MOUSE);
    pc_cmos_set(s->cmos, CMOS_BASE_MEM_LO, 640 & 0xff);
    pc_cmos_set(s->cmos, CMOS_BASE_MEM_LO + 1, 640 >> 8);
    pc_cmos_set(s->cmos, CMOS_EXT_MEM_LO, ext_kb & 0xff);
    pc_cmos_set(s->cmos, CMOS_EXT_MEM_LO + 1, ext_kb >> 8);
    pc_cmos_set(s->cmos, CMOS_EXT_MEM2_LO, ext_kb & 0xff);
    pc_cmos_set(s->cmos, CMOS_EXT_MEM2_LO + 1, ext_kb >> 8);
    pc_cmos_set(s->cmos, CMOS_MEM_16M_LO, above_16m & 0xff);
    pc_cmos_set(s->cmos, CMOS_MEM_16M_LO + 1, above_16m >> 8);
    for (int i = 0; i < 3; i++) {
        pc_cmos_set(s->cmos, CMOS_MEM_4G_LO + i, above_4g >> (8 * i));
    }
    pc_cmos_set(s->cmos, CMOS_CPU_COUNT, ms->smp_cpus - 1);
    /* The standard checksum covers 0x10-0x2d. */
    for (unsigned i = 0x10; i < CMOS_CHECKSUM_HI; i++) {
        sum += pc_cmos_get(s->cmos, i);
    }
    pc_cmos_set(s->cmos, CMOS_CHECKSUM_HI, sum >> 8);
    pc_cmos_set(s->cmos, CMOS_CHECKSUM_HI + 1, sum & 0xff);
}

static void pc_e820_add(GByteArray *b, uint64_t addr, uint64_t len, uint32_t type)
{
    uint8_t e[20];

    for (int i = 0; i < 8; i++) {
        e[i] = addr >> (8 * i);
        e[8 + i] = len >> (8 * i);
    }
    for (int i = 0; i < 4; i++) {
        e[16 + i] = type >> (8 * i);
    }
    g_byte_array_append(b, e, sizeof(e));
}

/* The ACPI tables, built when the firmware first selects one of their files. */
static void pc_acpi_select(void *opaque)
{
    MachineState *ms = opaque;
    PcState *s = ms->board;
    uint16_t pm_base = pc_chipset_pm_base(&s->chipset);
    uint64_t ram_top = 4 * GiB + ms->ram_size - s->below_4g;
    PcAcpiConfig cfg = {
        .ncpus = ms->smp_cpus,
        .apic_ids = s->apic_ids,
        .pm_base = pm_base ? pm_base : PC_PM_BASE_DEFAULT,
        .pci_hole_start = MAX(s->below_4g, 0x80000000ULL),
        .pci_hole64_start = ROUND_UP(ram_top, GiB),
        .pci_hole64_size = 32 * GiB,
        .com1 = ms->serial[0] != NULL,
    };
    PcAcpiBlobs blobs = { 0 };

    if (s->acpi_built) {
        return;
    }
    s->acpi_built = true;
    pc_acpi_build(&cfg, &blobs);
    fw_cfg_modify_file(s->fw_cfg, PC_ACPI_TABLES_FILE, blobs.tables->data, blobs.tables->len);
    fw_cfg_modify_file(s->fw_cfg, PC_ACPI_RSDP_FILE, blobs.rsdp->data, blobs.rsdp->len);
    fw_cfg_modify_file(s->fw_cfg, PC_TABLE_LOADER_FILE, blobs.loader->data, blobs.loader->len);
    pc_acpi_blobs_free(&blobs);
}

static bool pc_init_fw_cfg(MachineState *ms, PcState *s, GError **errp)
{
    g_autoptr(GByteArray) e820 = g_byte_array_new();
    g_autoptr(GString) bootorder = g_string_new(NULL);
    g_autoptr(GPtrArray) drives = blk_drives_for_interface("virtio");
    PcAcpiConfig cfg = { .ncpus = ms->smp_cpus, .apic_ids = s->apic_ids,
                         .pm_base = PC_PM_BASE_DEFAULT, .com1 = ms->serial[0] != NULL };
    PcAcpiBlobs blobs = { 0 };

    s->fw_cfg = fw_cfg_init_io(FW_CFG_IO_BASE, errp);
    if (!s->fw_cfg) {
        return false;
    }
    fw_cfg_add_i64(s->fw_cfg, FW_CFG_RAM_SIZE, ms->ram_size);
    fw_cfg_add_i16(s->fw_cfg, FW_CFG_NB_CPUS, ms->smp_cpus);
    fw_cfg_add_i16(s->fw_cfg, FW_CFG_MAX_CPUS, ms->smp_cpus);
    fw_cfg_add_i16(s->fw_cfg, FW_CFG_NOGRAPHIC, 1);

    pc_e820_add(e820, 0, s->below_4g, X86_E820_RAM);
    if (ms->ram_size > s->below_4g) {
        pc_e820_add(e820, 4 * GiB, ms->ram_size - s->below_4g, X86_E820_RAM);
    }
    fw_cfg_add_file(s->fw_cfg, "etc/e820", e820->data, e820->len);

    if (ms->serial[0]) {
        uint8_t port[2] = { PC_COM1_IOBASE & 0xff, PC_COM1_IOBASE >> 8 };

        fw_cfg_add_file(s->fw_cfg, "etc/sercon-port", port, sizeof(port));
    }

    /* virtio-blk functions take slots 2, 3, ... in drive order (pc_init_drives). */
    for (guint i = 0; i < drives->len; i++) {
        g_string_append_printf(bootorder, "/pci@i0cf8/scsi@%x/disk@0,0\n", 2 + i);
    }
    fw_cfg_add_file(s->fw_cfg, "bootorder", bootorder->str, bootorder->len);

    /* Placeholders of the final sizes; the contents follow the firmware's PM base. */
    pc_acpi_build(&cfg, &blobs);
    fw_cfg_add_file_callback(s->fw_cfg, PC_ACPI_TABLES_FILE, blobs.tables->data,
                             blobs.tables->len, pc_acpi_select, ms);
    fw_cfg_add_file_callback(s->fw_cfg, PC_ACPI_RSDP_FILE, blobs.rsdp->data, blobs.rsdp->len,
                             pc_acpi_select, ms);
    fw_cfg_add_file_callback(s->fw_cfg, PC_TABLE_LOADER_FILE, blobs.loader->data,
                             blobs.loader->len, pc_acpi_select, ms);
    pc_acpi_blobs_free(&blobs);
    return pc_apply_boot_options(ms, s, errp);
}

static bool pc_init_drives(GError **errp)
{
    g_autoptr(GPtrArray) drives = blk_drives_for_interface("virtio");

    for (guint i = 0; i < drives->len; i++) {
        DeviceState *dev = qdev_new("virtio-blk-pci");
        g_autofree char *addr = g_strdup_printf("%x", 2 + i);

        qdev_prop_set_string(dev, "drive", blk_name(g_ptr_array_index(drives, i)));
        qdev_prop_set_string(dev, "addr", addr);
        if (!qdev_realize(dev, errp)) {
            return false;
        }
    }
    return true;
}

static bool pc_init_devices(MachineState *ms, PcState *s, GError **errp)
{
    qemu_irq isa[ISA_NUM_IRQS];

    for (int gsi = 0; gsi < PC_NUM_GSIS; gsi++) {
        s->gsi[gsi] = irq_new(pc_set_gsi, NULL, gsi);
    }
    for (int i = 0; i < ISA_NUM_IRQS; i++) {
        isa[i] = s->gsi[i];
    }
    isa_bus_set_irqs(isa);
    s->chipset.ram = ms->ram;
    for (int n = 0; n < PCI_NUM_PINS; n++) {
        s->chipset.pci_gsi[n] = s->gsi[PC_PCI_GSI_BASE + n];
    }
    if (!pc_chipset_init(&s->chipset, errp) || !pc_init_bios(ms, s, errp)) {
        return false;
    }
    if (ms->serial[0] &&
        !serial_isa_create(PC_COM1_IOBASE, PC_COM1_IRQ, ms->serial[0], errp)) {
        return false;
    }
    if (!i8042_create(errp)) {
        return false;
    }
    s->cmos = pc_cmos_create(errp);
    if (!s->cmos) {
        return false;
    }
    pc_cmos_init_memory(ms, s);
    memory_region_init_io(&s->post_port, &pc_post_ops, s, "post-port", 1);
    memory_region_add_subregion(get_system_io(), POST_PORT, &s->post_port);
    return pc_init_fw_cfg(ms, s, errp) && pc_init_drives(errp);
}

static bool pc_init(MachineState *ms, GError **errp)
{
    PcState *s = g_new0(PcState, 1);

    ms->board = s;
    if (ms->kernel) {
        error_setg(errp, "pc: -kernel is not supported yet (the firmware's linuxboot path "
                   "is missing); use -M microvm for a direct kernel boot");
        return false;
    }
    if (ms->ram_size < 2 * MiB) {
        error_setg(errp, "pc: at least 2 MiB of RAM is needed");
        return false;
    }
    if (!current_accel || !current_accel->set_irq) {
        error_setg(errp, "pc: the accelerator provides no interrupt controller");
        return false;
    }
    if (!pc_init_ram(ms, s, errp)) {
        return false;
    }
    s->apic_ids = g_new(uint32_t, ms->smp_cpus);
    for (unsigned i = 0; i < ms->smp_cpus; i++) {
        s->apic_ids[i] = x86_apic_id_from_index(i, ms->smp_cores, ms->smp_threads);
        if (!cpu_create(i, errp)) {
            return false;
        }
    }
    return pc_init_devices(ms, s, errp);
}

static void pc_reset(MachineState *ms)
{
    PcState *s = ms->board;

    s->acpi_built = false;
    x86_boot_state = (X86BootState){ .mode = X86_BOOT_RESET };
}

static void pc_powerdown(MachineState *ms)
{
    PcState *s = ms->board;

    acpi_pm_press_power_button(s->chipset.acpi_pm);
}

static const MachineClass pc_class = {
    .name = "pc",
    .desc = "Standard PC (i440FX + PIIX, 1996), SeaBIOS",
    .arch = "x86_64",
    .max_cpus = 255,
    .default_ram_size = 128 * MiB,
    .init = pc_init,
    .reset = pc_reset,
    .powerdown = pc_powerdown,
};

static void pc_register(void)
{
    machine_register(&pc_class);
}
machine_init(pc_register)
