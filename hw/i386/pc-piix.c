/*
 * The pc board's chipset, modelled on the Intel 440FX PCIset (82441FX PMC
 * datasheet) with the PIIX3 ISA bridge and the PIIX4 power-management
 * function (82371AB datasheet), the combination QEMU's "pc" machine shows:
 *
 * - "i440FX" (00.0, 8086:1237): PCI configuration mechanism #1 at 0xcf8,
 *   the PAM registers 0x59-0x5f, one nibble per segment of 0xc0000-0xfffff
 *   (16 KiB each, 64 KiB for 0xf0000), bit 0 read enable, bit 1 write
 *   enable, and SMRAM (0x72) whose D_OPEN bit shows RAM at 0xa0000-0xbffff.
 *   A segment whose reads are disabled shows the PCI memory space (there
 *   the BIOS ROM alias at 0xe0000); read-only shows RAM with writes
 *   dropped; write-enabled shows RAM. Write-only (writes to RAM, reads from
 *   PCI) is treated as read-write, as QEMU does: firmware uses it only to
 *   copy itself, and a KVM memory slot cannot split reads from writes.
 * - "PIIX3" (01.0, 8086:7000): the PIRQA-D route control registers
 *   0x60-0x63 (bit 7 disables, bits 3:0 the ISA IRQ), the reset control
 *   register at 0xcf9 (a byte inside the configuration address dword, so
 *   both are decoded by one region) and port 0x92 (fast reset, A20 bit kept
 *   but A20 is always on). PCI INTA-D of the root bus, after the standard
 *   swizzle, are PIRQA-D; each also reaches an IOAPIC pin of the board's
 *   choice, which the DSDT's _PRT names.
 * - "PIIX4_PM" (01.3, 8086:7113): PMBASE (0x40) and PMREGMISC (0x80) place
 *   the ACPI PM1 registers and PM timer (hw/i386/acpi-pm.c), DEVACTB (0x58)
 *   and the APM control/status ports 0xb2/0xb3. There is no SMM: DEVACTB
 *   resets with APMC_EN set, which tells SeaBIOS that SMM is set up already
 *   (as QEMU does with smm=off); an APM command is logged as unimplemented,
 *   the status port keeps its value.
 */
#include "util/osdep.h"

#include "hw/i386/acpi-pm.h"
#include "hw/i386/pc.h"
#include "hw/isa.h"
#include "sysemu/runstate.h"
#include "util/log.h"

#define PCI_VENDOR_ID_INTEL         0x8086
#define PCI_DEVICE_ID_I440FX        0x1237
#define PCI_DEVICE_ID_PIIX3_ISA     0x7000
#define PCI_DEVICE_ID_PIIX4_PM      0x7113
#define PCI_CLASS_BRIDGE_ISA        0x0601
#define PCI_CLASS_BRIDGE_OTHER      0x0680

#define I440FX_PAM0                 0x59
#define I440FX_PAM_COUNT            7
#define I440FX_PAM_SEGMENTS         13      /* 0xf0000 (64K), then 0xc0000-0xeffff (16K) */
#define I440FX_SMRAM                0x72
#define SMRAM_DEFAULT               0x02
#define SMRAM_D_OPEN                0x40
#define SMRAM_WMASK                 0x78
#define PAM_RE                      1
#define PAM_WE                      2

#define PIIX3_PIRQC                 0x60
#define PIIX3_PIRQ_DISABLE          0x80
#define PIIX3_PIRQ_IRQ              0x0f
#define PIIX3_PIRQ_WMASK            0x8f
#define RCR_SYS_RST                 0x02
#define RCR_RST_CPU                 0x04
#define RCR_MASK                    0x0e
#define PORT92                      0x92
#define PORT92_FAST_RESET           0x01
#define PORT92_A20                  0x02

#define PIIX4_PMBASE                0x40
#define PIIX4_PMBASE_MASK           0xffc0
#define PIIX4_DEVACTB               0x58
#define PIIX4_DEVACTB_APMC_EN       (1u << 25)
#define PIIX4_PMREGMISC             0x80
#define PIIX4_PMIOSE                0x01
#define PIIX4_SMBBA                 0x90
#define PIIX4_SMBHSTCFG             0xd2
#define APM_CNT_PORT                0xb2

typedef enum PamMode { PAM_PCI, PAM_RAM_RO, PAM_RAM_RW, PAM_MODES } PamMode;

typedef struct I440FXState {
    PCIDevice parent_obj;
    PcChipset *chipset;
    MemoryRegion pam[I440FX_PAM_SEGMENTS][PAM_MODES];
    MemoryRegion smram_pci;         /* 0xa0000-0xbffff from the PCI side unless D_OPEN */
    PCIConf1 conf1;
    MemoryRegion conf1_space;       /* holds conf1's regions; only its data port is aliased */
    MemoryRegion conf_data;
    MemoryRegion conf_addr;         /* 0xcf8-0xcfb: address dword, and PIIX3's RCR at 0xcf9 */
} I440FXState;

typedef struct Piix3State {
    PCIDevice parent_obj;
    PcChipset *chipset;
    MemoryRegion port92_io;
    qemu_irq pirq_in[PCI_NUM_PINS];
    bool pirq_level[PCI_NUM_PINS];
    uint16_t isa_high;              /* ISA IRQs the PIRQs hold high now */
    uint8_t rcr;
    uint8_t port92;
} Piix3State;

typedef struct Piix4PmState {
    PCIDevice parent_obj;
    PcChipset *chipset;
    MemoryRegion apm_io;
    uint8_t apm_status;
} Piix4PmState;

/* Set while the chipset's functions are created, so their realize finds it. */
static PcChipset *pc_chipset_current;

/* ---- i440FX ---- */

static uint64_t pam_segment_base(int seg)
{
    return seg == 0 ? 0xf0000 : 0xc0000 + (seg - 1) * 0x4000;
}

static uint64_t pam_segment_size(int seg)
{
    return seg == 0 ? 0x10000 : 0x4000;
}

static uint8_t pam_segment_bits(const PCIDevice *d, int seg)
{
    if (seg == 0) {
        return d->config[I440FX_PAM0] >> 4;
    }
    return d->config[I440FX_PAM0 + 1 + (seg - 1) / 2] >> (((seg - 1) & 1) * 4);
}

static void i440fx_update_memory(I440FXState *s)
{
    PCIDevice *d = &s->parent_obj;

    memory_region_transaction_begin();
    for (int seg = 0; seg < I440FX_PAM_SEGMENTS; seg++) {
        uint8_t bits = pam_segment_bits(d, seg) & (PAM_RE | PAM_WE);
        PamMode mode = bits & PAM_WE ? PAM_RAM_RW : bits & PAM_RE ? PAM_RAM_RO : PAM_PCI;

        for (int m = 0; m < PAM_MODES; m++) {
            memory_region_set_enabled(&s->pam[seg][m], m == (int)mode);
        }
    }
    memory_region_set_enabled(&s->smram_pci, !(d->config[I440FX_SMRAM] & SMRAM_D_OPEN));
    memory_region_transaction_commit();
}

static uint64_t i440fx_conf_addr_read(void *opaque, uint64_t addr, unsigned size)
{
    I440FXState *s = opaque;
    Piix3State *isa = DEVICE_CAST(Piix3State, s->chipset->isa);

    if (size == 4) {
        return s->conf1.config_address;
    }
    if (size == 1 && addr == 1) {
        return isa->rcr;
    }
    log_mask_printf(LOG_GUEST_ERROR, "i440FX: %u-byte read at 0x%" PRIx64 " ignored\n", size,
                    PCI_CONF1_ADDR_PORT + addr);
    return 0;
}

static void i440fx_conf_addr_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    I440FXState *s = opaque;
    Piix3State *isa = DEVICE_CAST(Piix3State, s->chipset->isa);

    if (size == 4) {
        /* Bits 1:0 and 30:24 are reserved and read 0. */
        s->conf1.config_address = val & 0x80fffffc;
    } else if (size == 1 && addr == 1) {
        isa->rcr = val & RCR_MASK;
        if (val & RCR_RST_CPU) {
            runstate_request_reset(SHUTDOWN_CAUSE_GUEST_RESET);
        }
    } else {
        log_mask_printf(LOG_GUEST_ERROR, "i440FX: %u-byte write at 0x%" PRIx64 " ignored\n",
                        size, PCI_CONF1_ADDR_PORT + addr);
    }
}

static const MemoryRegionOps i440fx_conf_addr_ops = {
    .read = i440fx_conf_addr_read,
    .write = i440fx_conf_addr_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

static bool i440fx_realize(PCIDevice *d, GError **errp)
{
    I440FXState *s = DEVICE_CAST(I440FXState, d);
    PcChipset *c = pc_chipset_current;
    MemoryRegion *sysmem = get_system_memory();
    MemoryRegion *sysio = get_system_io();
    static const char *const names[PAM_MODES] = { "pam-pci", "pam-rom", "pam-ram" };

    s->chipset = c;
    pci_config_set_ids(d, PCI_VENDOR_ID_INTEL, PCI_DEVICE_ID_I440FX, 0, 0, 2);
    pci_config_set_class(d, PCI_CLASS_BRIDGE_HOST, 0);
    for (int i = 0; i < I440FX_PAM_COUNT; i++) {
        d->wmask[I440FX_PAM0 + i] = i == 0 ? 0x30 : 0x33;
    }
    d->wmask[I440FX_SMRAM] = SMRAM_WMASK;

    for (int seg = 0; seg < I440FX_PAM_SEGMENTS; seg++) {
        uint64_t base = pam_segment_base(seg), size = pam_segment_size(seg);

        for (int m = 0; m < PAM_MODES; m++) {
            MemoryRegion *mr = &s->pam[seg][m];

            memory_region_init_alias(mr, names[m], m == PAM_PCI ? &c->pci_mem : c->ram, base,
                                     size);
            memory_region_set_readonly(mr, m == PAM_RAM_RO);
            memory_region_set_enabled(mr, m == PAM_PCI);
            memory_region_add_subregion_overlap(sysmem, base, mr, 1);
        }
    }
    memory_region_init_alias(&s->smram_pci, "smram-pci", &c->pci_mem, 0xa0000, 0x20000);
    memory_region_add_subregion_overlap(sysmem, 0xa0000, &s->smram_pci, 1);

    memory_region_init_container(&s->conf1_space, "pci-conf1-space", 0x10000);
    pci_conf1_init(&s->conf1, c->bus, &s->conf1_space);
    memory_region_init_alias(&s->conf_data, "pci-conf-data", &s->conf1_space,
                             PCI_CONF1_DATA_PORT, 4);
    memory_region_add_subregion(sysio, PCI_CONF1_DATA_PORT, &s->conf_data);
    memory_region_init_io(&s->conf_addr, &i440fx_conf_addr_ops, s, "pci-conf-addr", 4);
    memory_region_add_subregion(sysio, PCI_CONF1_ADDR_PORT, &s->conf_addr);
    return true;
}

static void i440fx_reset(PCIDevice *d)
{
    I440FXState *s = DEVICE_CAST(I440FXState, d);

    memset(d->config + I440FX_PAM0, 0, I440FX_PAM_COUNT);
    d->config[I440FX_SMRAM] = SMRAM_DEFAULT;
    s->conf1.config_address = 0;
    i440fx_update_memory(s);
}

static void i440fx_config_write(PCIDevice *d, uint32_t addr, uint32_t val, unsigned len)
{
    if ((addr < I440FX_PAM0 + I440FX_PAM_COUNT && addr + len > I440FX_PAM0) ||
        (addr <= I440FX_SMRAM && addr + len > I440FX_SMRAM)) {
        i440fx_update_memory(DEVICE_CAST(I440FXState, d));
    }
}

static const PCIDeviceOps i440fx_ops = {
    .realize = i440fx_realize,
    .reset = i440fx_reset,
    .config_write = i440fx_config_write,
};

static void i440fx_instance_init(DeviceState *dev)
{
    PCI_DEVICE(dev)->ops = &i440fx_ops;
}

static int i440fx_post_load(void *opaque, int version_id)
{
    i440fx_update_memory(opaque);
    return 0;
}

static const VMStateField i440fx_vmstate_fields[] = {
    VMSTATE_STRUCT(parent_obj, I440FXState, vmstate_pci_device, PCIDevice),
    VMSTATE_UINT32(conf1.config_address, I440FXState),
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription i440fx_vmstate = {
    .name = TYPE_I440FX_PCI_HOST,
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = i440fx_vmstate_fields,
    .post_load = i440fx_post_load,
};

/* ---- PIIX3 ---- */

/*
 * Each ISA IRQ a PIRQ is routed to is the OR of the PIRQs routed there; an
 * IRQ that no asserted PIRQ drives any more (its line dropped or moved away)
 * is lowered.
 */
static void piix3_update_irqs(Piix3State *s)
{
    const uint8_t *cfg = s->parent_obj.config;
    uint16_t high = 0;

    for (int n = 0; n < PCI_NUM_PINS; n++) {
        uint8_t r = cfg[PIIX3_PIRQC + n];

        if (!(r & PIIX3_PIRQ_DISABLE) && s->pirq_level[n]) {
            high |= 1u << (r & PIIX3_PIRQ_IRQ);
        }
    }
    for (int irq = 0; irq < ISA_NUM_IRQS; irq++) {
        if ((high ^ s->isa_high) & (1u << irq)) {
            irq_set(isa_get_irq(irq), (high >> irq) & 1);
        }
    }
    s->isa_high = high;
}

static void piix3_set_pirq(void *opaque, int n, int level)
{
    Piix3State *s = opaque;

    s->pirq_level[n] = level;
    irq_set(s->chipset->pci_gsi[n], level);
    piix3_update_irqs(s);
}

static uint64_t piix3_port92_read(void *opaque, uint64_t addr, unsigned size)
{
    Piix3State *s = opaque;

    return s->port92;
}

static void piix3_port92_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    Piix3State *s = opaque;
    bool reset = (val & PORT92_FAST_RESET) && !(s->port92 & PORT92_FAST_RESET);

    s->port92 = val & (PORT92_FAST_RESET | PORT92_A20);
    if (reset) {
        runstate_request_reset(SHUTDOWN_CAUSE_GUEST_RESET);
    }
}

static const MemoryRegionOps piix3_port92_ops = {
    .read = piix3_port92_read,
    .write = piix3_port92_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static bool piix3_realize(PCIDevice *d, GError **errp)
{
    Piix3State *s = DEVICE_CAST(Piix3State, d);
    PcChipset *c = pc_chipset_current;

    s->chipset = c;
    pci_config_set_ids(d, PCI_VENDOR_ID_INTEL, PCI_DEVICE_ID_PIIX3_ISA, 0, 0, 0);
    pci_config_set_class(d, PCI_CLASS_BRIDGE_ISA, 0);
    for (int n = 0; n < PCI_NUM_PINS; n++) {
        d->wmask[PIIX3_PIRQC + n] = PIIX3_PIRQ_WMASK;
        s->pirq_in[n] = irq_new(piix3_set_pirq, s, n);
    }
    pci_bus_set_irqs(c->bus, s->pirq_in, PCI_NUM_PINS, NULL);
    memory_region_init_io(&s->port92_io, &piix3_port92_ops, s, "port92", 1);
    memory_region_add_subregion(get_system_io(), PORT92, &s->port92_io);
    return true;
}

static void piix3_reset(PCIDevice *d)
{
    Piix3State *s = DEVICE_CAST(Piix3State, d);

    memset(d->config + PIIX3_PIRQC, PIIX3_PIRQ_DISABLE, PCI_NUM_PINS);
    s->rcr = 0;
    s->port92 = PORT92_A20;
    piix3_update_irqs(s);
}

static void piix3_config_write(PCIDevice *d, uint32_t addr, uint32_t val, unsigned len)
{
    if (addr < PIIX3_PIRQC + PCI_NUM_PINS && addr + len > PIIX3_PIRQC) {
        piix3_update_irqs(DEVICE_CAST(Piix3State, d));
    }
}

static const PCIDeviceOps piix3_ops = {
    .realize = piix3_realize,
    .reset = piix3_reset,
    .config_write = piix3_config_write,
};

static void piix3_instance_init(DeviceState *dev)
{
    PCI_DEVICE(dev)->ops = &piix3_ops;
}

static const VMStateField piix3_vmstate_fields[] = {
    VMSTATE_STRUCT(parent_obj, Piix3State, vmstate_pci_device, PCIDevice),
    VMSTATE_BOOL(pirq_level[0], Piix3State),
    VMSTATE_BOOL(pirq_level[1], Piix3State),
    VMSTATE_BOOL(pirq_level[2], Piix3State),
    VMSTATE_BOOL(pirq_level[3], Piix3State),
    VMSTATE_UINT8(rcr, Piix3State),
    VMSTATE_UINT8(port92, Piix3State),
    VMSTATE_END_OF_LIST(),
};

static int piix3_post_load(void *opaque, int version_id)
{
    Piix3State *s = opaque;

    s->isa_high = 0;
    piix3_update_irqs(s);
    return 0;
}

static const VMStateDescription piix3_vmstate = {
    .name = TYPE_PIIX3_ISA,
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = piix3_vmstate_fields,
    .post_load = piix3_post_load,
};

/* ---- PIIX4 PM ---- */

static uint16_t piix4_pm_io_base(const PCIDevice *d)
{
    if (!(d->config[PIIX4_PMREGMISC] & PIIX4_PMIOSE)) {
        return 0;
    }
    return pci_get_long(d->config + PIIX4_PMBASE) & PIIX4_PMBASE_MASK;
}

static void piix4_pm_update(Piix4PmState *s)
{
    acpi_pm_set_io_base(s->chipset->acpi_pm, piix4_pm_io_base(&s->parent_obj));
}

static uint64_t piix4_apm_read(void *opaque, uint64_t addr, unsigned size)
{
    Piix4PmState *s = opaque;

    return addr == 1 ? s->apm_status : 0;
}

static void piix4_apm_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    Piix4PmState *s = opaque;

    if (addr == 1) {
        s->apm_status = val;
    } else {
        log_mask_printf(LOG_UNIMP, "PIIX4_PM: APM command 0x%02x: no SMM, ignored\n",
                        (unsigned)val & 0xff);
    }
}

static const MemoryRegionOps piix4_apm_ops = {
    .read = piix4_apm_read,
    .write = piix4_apm_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static bool piix4_pm_realize(PCIDevice *d, GError **errp)
{
    Piix4PmState *s = DEVICE_CAST(Piix4PmState, d);

    s->chipset = pc_chipset_current;
    pci_config_set_ids(d, PCI_VENDOR_ID_INTEL, PCI_DEVICE_ID_PIIX4_PM, 0, 0, 3);
    pci_config_set_class(d, PCI_CLASS_BRIDGE_OTHER, 0);
    pci_config_set_interrupt_pin(d, 1);
    pci_set_word(d->wmask + PIIX4_PMBASE, PIIX4_PMBASE_MASK);
    pci_set_long(d->wmask + PIIX4_DEVACTB, UINT32_MAX);
    d->wmask[PIIX4_PMREGMISC] = PIIX4_PMIOSE;
    pci_set_word(d->wmask + PIIX4_SMBBA, 0xfff0);
    d->wmask[PIIX4_SMBHSTCFG] = 0x0f;
    memory_region_init_io(&s->apm_io, &piix4_apm_ops, s, "apm", 2);
    memory_region_add_subregion(get_system_io(), APM_CNT_PORT, &s->apm_io);
    return true;
}

static void piix4_pm_reset(PCIDevice *d)
{
    Piix4PmState *s = DEVICE_CAST(Piix4PmState, d);

    pci_set_long(d->config + PIIX4_PMBASE, 1);     /* bit 0: I/O space indicator */
    /* APMC_EN set, as firmware leaves it after SMM setup: there is no SMM to set up. */
    pci_set_long(d->config + PIIX4_DEVACTB, PIIX4_DEVACTB_APMC_EN);
    d->config[PIIX4_PMREGMISC] = 0;
    pci_set_long(d->config + PIIX4_SMBBA, 1);
    d->config[PIIX4_SMBHSTCFG] = 0;
    s->apm_status = 0;
    piix4_pm_update(s);
}

static void piix4_pm_config_write(PCIDevice *d, uint32_t addr, uint32_t val, unsigned len)
{
    if ((addr < PIIX4_PMBASE + 4 && addr + len > PIIX4_PMBASE) ||
        (addr <= PIIX4_PMREGMISC && addr + len > PIIX4_PMREGMISC)) {
        piix4_pm_update(DEVICE_CAST(Piix4PmState, d));
    }
}

static const PCIDeviceOps piix4_pm_ops = {
    .realize = piix4_pm_realize,
    .reset = piix4_pm_reset,
    .config_write = piix4_pm_config_write,
};

static void piix4_pm_instance_init(DeviceState *dev)
{
    PCI_DEVICE(dev)->ops = &piix4_pm_ops;
}

static int piix4_pm_post_load(void *opaque, int version_id)
{
    piix4_pm_update(opaque);
    return 0;
}

static const VMStateField piix4_pm_vmstate_fields[] = {
    VMSTATE_STRUCT(parent_obj, Piix4PmState, vmstate_pci_device, PCIDevice),
    VMSTATE_UINT8(apm_status, Piix4PmState),
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription piix4_pm_vmstate = {
    .name = TYPE_PIIX4_PM,
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = piix4_pm_vmstate_fields,
    .post_load = piix4_pm_post_load,
};

static const TypeInfo pc_piix_types[] = {
    {
        .name = TYPE_I440FX_PCI_HOST,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(I440FXState),
        .desc = "Intel 440FX host bridge (PAM, SMRAM)",
        .instance_init = i440fx_instance_init,
        .vmsd = &i440fx_vmstate,
    }, {
        .name = TYPE_PIIX3_ISA,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(Piix3State),
        .desc = "Intel PIIX3 PCI-ISA bridge (PIRQ routing, reset control)",
        .instance_init = piix3_instance_init,
        .vmsd = &piix3_vmstate,
    }, {
        .name = TYPE_PIIX4_PM,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(Piix4PmState),
        .desc = "Intel PIIX4 power management function (ACPI PM registers)",
        .instance_init = piix4_pm_instance_init,
        .vmsd = &piix4_pm_vmstate,
    },
};

static void pc_piix_register_types(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(pc_piix_types); i++) {
        type_register(&pc_piix_types[i]);
    }
}
type_init(pc_piix_register_types)

static DeviceState *pc_chipset_function(const char *type, const char *addr, bool multi,
                                        GError **errp)
{
    DeviceState *dev = qdev_new(type);

    qdev_prop_set_string(dev, "bus", "pci.0");
    qdev_prop_set_string(dev, "addr", addr);
    qdev_prop_set_bool(dev, "multifunction", multi);
    if (!qdev_realize(dev, errp)) {
        return NULL;
    }
    return dev;
}

bool pc_chipset_init(PcChipset *c, GError **errp)
{
    memory_region_init_container(&c->pci_mem, "pci-mem", UINT64_MAX);
    memory_region_add_subregion_overlap(get_system_memory(), 0, &c->pci_mem, -1);
    c->bus = pci_bus_new("pci.0", &c->pci_mem, get_system_io(), false);

    c->acpi_pm = qdev_new(TYPE_ACPI_PM);
    if (!qdev_realize(c->acpi_pm, errp)) {
        return false;
    }
    pc_chipset_current = c;
    c->host = pc_chipset_function(TYPE_I440FX_PCI_HOST, "0", false, errp);
    c->isa = c->host ? pc_chipset_function(TYPE_PIIX3_ISA, "1", true, errp) : NULL;
    c->pm = c->isa ? pc_chipset_function(TYPE_PIIX4_PM, "1.3", false, errp) : NULL;
    pc_chipset_current = NULL;
    return c->pm != NULL;
}

uint16_t pc_chipset_pm_base(PcChipset *c)
{
    return piix4_pm_io_base(PCI_DEVICE(c->pm));
}
