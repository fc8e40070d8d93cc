/*
 * ACPI tables of the microvm board (ACPI 6.x): RSDP (revision 2), XSDT,
 * FADT (revision 6 layout, full fixed hardware rather than hardware-reduced:
 * PM1a event and control blocks, SCI on IRQ 9, the i8042 as reset register),
 * FACS, MADT (a local APIC per vCPU, the IOAPIC, ISA overrides) and a DSDT
 * with COM1, the populated virtio-mmio slots and \_S5. With pcie=on also an
 * MCFG for the ECAM window, and in the DSDT the PCI Express root bridge
 * PCI0 (bus range, I/O and MMIO windows in _CRS, INTx routing in _PRT: slot
 * S pin P reaches GSI 20 + (S + P) % 4) and a motherboard resource device
 * reserving the ECAM window, which Linux wants before it uses MMCONFIG.
 */
#include "util/osdep.h"

#include "hw/acpi/acpi-table.h"
#include "hw/acpi/aml-build.h"
#include "hw/i386/acpi-pm.h"
#include "hw/i386/i8042.h"
#include "hw/i386/microvm.h"
#include "hw/pci/pci.h"

#define RSDP_SIZE               36
#define RSDP_V1_SIZE            20
#define RSDP_CHECKSUM           8
#define RSDP_XSDT_ADDR          24
#define RSDP_EXT_CHECKSUM       32

#define FADT_REVISION           6
#define FADT_WBINVD             (1 << 0)
#define FADT_PROC_C1            (1 << 2)
#define FADT_SLP_BUTTON         (1 << 5)    /* no fixed-feature sleep button */
#define FADT_RESET_REG_SUP      (1 << 10)
#define IAPC_NO_VGA             (1 << 2)
#define IAPC_NO_CMOS_RTC        (1 << 5)

#define MADT_REVISION           4
#define MADT_PCAT_COMPAT        1           /* dual 8259s present (KVM's PIC) */
#define MADT_LOCAL_APIC         0
#define MADT_IO_APIC            1
#define MADT_INT_OVERRIDE       2
#define MADT_LOCAL_APIC_NMI     4
#define MADT_LOCAL_X2APIC       9
#define MADT_LOCAL_X2APIC_NMI   10
#define MADT_ENABLED            1
#define MADT_IRQ_LEVEL_HIGH     0x000d      /* active high (01), level triggered (11) */
#define MADT_IOAPIC_ID          0

static size_t microvm_acpi_facs(GByteArray *b)
{
    size_t start;

    acpi_align(b, 64);
    start = b->len;
    acpi_append_bytes(b, "FACS", 4);
    acpi_append_u32(b, 64);         /* length */
    acpi_append_u32(b, 0);          /* hardware signature */
    acpi_append_u32(b, 0);          /* firmware waking vector */
    acpi_append_u32(b, 0);          /* global lock */
    acpi_append_u32(b, 0);          /* flags */
    acpi_append_u64(b, 0);          /* 64-bit waking vector */
    acpi_append_u8(b, 2);           /* version */
    acpi_append_zeros(b, 3);
    acpi_append_u32(b, 0);          /* OSPM flags */
    acpi_append_zeros(b, 24);
    return start;
}

static Aml *microvm_acpi_com1(void)
{
    Aml *dev = aml_device("COM1");
    Aml *crs = aml_resource_template();

    aml_append(dev, aml_name_decl("_HID", aml_eisaid("PNP0501")));
    aml_append(dev, aml_name_decl("_UID", aml_int(1)));
    aml_append(crs, aml_io(MICROVM_COM1_IOBASE, MICROVM_COM1_IOBASE, 1, 8));
    aml_append(crs, aml_irq_no_flags(MICROVM_COM1_IRQ));
    aml_append(dev, aml_name_decl("_CRS", crs));
    return dev;
}

static Aml *microvm_acpi_virtio(unsigned slot)
{
    g_autofree char *name = g_strdup_printf("VR%02u", slot);
    Aml *dev = aml_device(name);
    Aml *crs = aml_resource_template();

    aml_append(dev, aml_name_decl("_HID", aml_string("LNRO0005")));
    aml_append(dev, aml_name_decl("_UID", aml_int(slot)));
    aml_append(crs, aml_memory32_fixed(MICROVM_VIRTIO_MMIO_BASE +
                                       slot * MICROVM_VIRTIO_MMIO_SIZE,
                                       MICROVM_VIRTIO_MMIO_SIZE, true));
    aml_append(crs, aml_interrupt(MICROVM_VIRTIO_GSI_BASE + slot, true, false, false));
    aml_append(dev, aml_name_decl("_CRS", crs));
    return dev;
}

/* The PCI Express root bridge: _CRS windows and _PRT routing to GSIs directly. */
static Aml *microvm_acpi_pci0(const MicrovmAcpiConfig *cfg)
{
    Aml *dev = aml_device("PCI0");
    Aml *crs = aml_resource_template();
    Aml *prt = aml_package();

    aml_append(dev, aml_name_decl("_HID", aml_eisaid("PNP0A08")));
    aml_append(dev, aml_name_decl("_CID", aml_eisaid("PNP0A03")));
    aml_append(dev, aml_name_decl("_SEG", aml_int(0)));
    aml_append(dev, aml_name_decl("_BBN", aml_int(0)));
    aml_append(dev, aml_name_decl("_UID", aml_int(0)));
    aml_append(crs, aml_word_bus_number(0, MICROVM_PCIE_ECAM_SIZE / MiB - 1));
    aml_append(crs, aml_word_io(MICROVM_PCIE_IO_BASE,
                                MICROVM_PCIE_IO_BASE + MICROVM_PCIE_IO_SIZE - 1));
    aml_append(crs, aml_dword_memory(MICROVM_PCIE_MMIO32_BASE,
                                     MICROVM_PCIE_MMIO32_BASE + MICROVM_PCIE_MMIO32_SIZE - 1,
                                     false));
    aml_append(crs, aml_qword_memory(cfg->pcie_mmio64_base,
                                     cfg->pcie_mmio64_base + MICROVM_PCIE_MMIO64_SIZE - 1,
                                     true));
    aml_append(dev, aml_name_decl("_CRS", crs));
    /* Source 0: the last field is a GSI (level, active low as ACPI defines it). */
    for (unsigned slot = 0; slot < PCI_SLOT_MAX; slot++) {
        for (unsigned pin = 0; pin < PCI_NUM_PINS; pin++) {
            Aml *entry = aml_package();

            aml_append(entry, aml_int(((uint64_t)slot << 16) | 0xffff));
            aml_append(entry, aml_int(pin));
            aml_append(entry, aml_int(0));
            aml_append(entry, aml_int(MICROVM_PCIE_GSI_BASE + (slot + pin) % PCI_NUM_PINS));
            aml_append(prt, entry);
        }
    }
    aml_append(dev, aml_name_decl("_PRT", prt));
    return dev;
}

static Aml *microvm_acpi_ecam_reservation(void)
{
    Aml *dev = aml_device("RES0");
    Aml *crs = aml_resource_template();

    aml_append(dev, aml_name_decl("_HID", aml_eisaid("PNP0C02")));
    aml_append(dev, aml_name_decl("_UID", aml_int(0)));
    aml_append(crs, aml_memory32_fixed(MICROVM_PCIE_ECAM_BASE, MICROVM_PCIE_ECAM_SIZE, true));
    aml_append(dev, aml_name_decl("_CRS", crs));
    return dev;
}

/* MCFG: one ECAM allocation, segment 0, all its buses. */
static size_t microvm_acpi_mcfg(GByteArray *b)
{
    size_t start;

    acpi_align(b, 8);
    start = acpi_table_begin(b, "MCFG", 1);
    acpi_append_zeros(b, 8);                        /* reserved */
    acpi_append_u64(b, MICROVM_PCIE_ECAM_BASE);
    acpi_append_u16(b, 0);                          /* PCI segment group */
    acpi_append_u8(b, 0);                           /* start bus */
    acpi_append_u8(b, MICROVM_PCIE_ECAM_SIZE / MiB - 1);    /* end bus */
    acpi_append_u32(b, 0);                          /* reserved */
    acpi_table_end(b, start);
    return start;
}

static size_t microvm_acpi_dsdt(GByteArray *b, const MicrovmAcpiConfig *cfg)
{
    Aml *block = aml_block();
    Aml *sb = aml_scope("\\_SB");
    Aml *s5 = aml_package();
    g_autoptr(GByteArray) aml = NULL;
    size_t start;

    if (cfg->com1) {
        aml_append(sb, microvm_acpi_com1());
    }
    for (unsigned slot = 0; slot < MICROVM_VIRTIO_MMIO_SLOTS; slot++) {
        if (cfg->virtio_slots & (1u << slot)) {
            aml_append(sb, microvm_acpi_virtio(slot));
        }
    }
    if (cfg->pcie) {
        aml_append(sb, microvm_acpi_pci0(cfg));
        aml_append(sb, microvm_acpi_ecam_reservation());
    }
    aml_append(block, sb);
    /* SLP_TYPa, SLP_TYPb and two reserved: S5 is sleep type 0. */
    for (int i = 0; i < 4; i++) {
        aml_append(s5, aml_int(ACPI_SLP_TYP_S5));
    }
    aml_append(block, aml_name_decl("\\_S5", s5));
    aml = aml_block_bytes(block);

    acpi_align(b, 8);
    start = acpi_table_begin(b, "DSDT", 2);
    acpi_append_bytes(b, aml->data, aml->len);
    acpi_table_end(b, start);
    return start;
}

static size_t microvm_acpi_fadt(GByteArray *b, uint64_t base, size_t facs, size_t dsdt)
{
    size_t start;

    acpi_align(b, 8);
    start = acpi_table_begin(b, "FACP", FADT_REVISION);
    acpi_append_u32(b, base + facs);            /* FIRMWARE_CTRL */
    acpi_append_u32(b, base + dsdt);            /* DSDT */
    acpi_append_u8(b, 0);                       /* reserved */
    acpi_append_u8(b, 0);                       /* preferred PM profile: unspecified */
    acpi_append_u16(b, ACPI_PM_SCI_IRQ);        /* SCI_INT */
    acpi_append_u32(b, 0);                      /* SMI_CMD: none, always in ACPI mode */
    acpi_append_u8(b, 0);                       /* ACPI_ENABLE */
    acpi_append_u8(b, 0);                       /* ACPI_DISABLE */
    acpi_append_u8(b, 0);                       /* S4BIOS_REQ */
    acpi_append_u8(b, 0);                       /* PSTATE_CNT */
    acpi_append_u32(b, ACPI_PM1_EVT_ADDR);      /* PM1a_EVT_BLK */
    acpi_append_u32(b, 0);                      /* PM1b_EVT_BLK */
    acpi_append_u32(b, ACPI_PM1_CNT_ADDR);      /* PM1a_CNT_BLK */
    acpi_append_u32(b, 0);                      /* PM1b_CNT_BLK */
    acpi_append_u32(b, 0);                      /* PM2_CNT_BLK */
    acpi_append_u32(b, 0);                      /* PM_TMR_BLK */
    acpi_append_u32(b, 0);                      /* GPE0_BLK */
    acpi_append_u32(b, 0);                      /* GPE1_BLK */
    acpi_append_u8(b, ACPI_PM1_EVT_LEN);        /* PM1_EVT_LEN */
    acpi_append_u8(b, ACPI_PM1_CNT_LEN);        /* PM1_CNT_LEN */
    acpi_append_zeros(b, 6);    /* PM2_CNT, PM_TMR, GPE0, GPE1 lengths, GPE1_BASE, CST_CNT */
    acpi_append_u16(b, 101);                    /* P_LVL2_LAT: no C2 */
    acpi_append_u16(b, 1001);                   /* P_LVL3_LAT: no C3 */
    acpi_append_zeros(b, 4);                    /* FLUSH_SIZE, FLUSH_STRIDE */
    acpi_append_zeros(b, 5);    /* DUTY_OFFSET, DUTY_WIDTH, DAY_ALRM, MON_ALRM, CENTURY */
    acpi_append_u16(b, IAPC_NO_VGA | IAPC_NO_CMOS_RTC);    /* IAPC_BOOT_ARCH */
    acpi_append_u8(b, 0);                       /* reserved */
    acpi_append_u32(b, FADT_WBINVD | FADT_PROC_C1 | FADT_SLP_BUTTON | FADT_RESET_REG_SUP);
    /* RESET_REG: the keyboard controller's command port pulses the reset line. */
    acpi_append_gas(b, ACPI_GAS_SYSTEM_IO, 8, 0, ACPI_GAS_ACCESS_BYTE, I8042_CMD_PORT);
    acpi_append_u8(b, I8042_CMD_RESET);         /* RESET_VALUE */
    acpi_append_u16(b, 0);                      /* ARM_BOOT_ARCH */
    acpi_append_u8(b, 0);                       /* FADT minor version */
    acpi_append_u64(b, 0);                      /* X_FIRMWARE_CTRL: FIRMWARE_CTRL is used */
    acpi_append_u64(b, base + dsdt);            /* X_DSDT */
    acpi_append_gas(b, ACPI_GAS_SYSTEM_IO, ACPI_PM1_EVT_LEN * 8, 0, ACPI_GAS_ACCESS_WORD,
                    ACPI_PM1_EVT_ADDR);         /* X_PM1a_EVT_BLK */
    acpi_append_zeros(b, 12);                   /* X_PM1b_EVT_BLK */
    acpi_append_gas(b, ACPI_GAS_SYSTEM_IO, ACPI_PM1_CNT_LEN * 8, 0, ACPI_GAS_ACCESS_WORD,
                    ACPI_PM1_CNT_ADDR);         /* X_PM1a_CNT_BLK */
    /* X_PM1b_CNT, X_PM2_CNT, X_PM_TMR, X_GPE0, X_GPE1, SLEEP_CONTROL, SLEEP_STATUS */
    acpi_append_zeros(b, 7 * 12);
    acpi_append_u64(b, 0);                      /* hypervisor vendor identity */
    acpi_table_end(b, start);
    return start;
}

static size_t microvm_acpi_madt(GByteArray *b, const MicrovmAcpiConfig *cfg)
{
    bool x2apic = false;
    size_t start;

    acpi_align(b, 8);
    start = acpi_table_begin(b, "APIC", MADT_REVISION);
    acpi_append_u32(b, MICROVM_LAPIC_ADDR);
    acpi_append_u32(b, MADT_PCAT_COMPAT);
    for (unsigned i = 0; i < cfg->ncpus; i++) {
        /* IDs that do not fit the 8-bit entry (0xff is broadcast) need x2APIC entries. */
        if (cfg->apic_ids[i] < 0xff) {
            acpi_append_u8(b, MADT_LOCAL_APIC);
            acpi_append_u8(b, 8);
            acpi_append_u8(b, i);                   /* ACPI processor UID */
            acpi_append_u8(b, cfg->apic_ids[i]);
            acpi_append_u32(b, MADT_ENABLED);
        } else {
            acpi_append_u8(b, MADT_LOCAL_X2APIC);
            acpi_append_u8(b, 16);
            acpi_append_u16(b, 0);
            acpi_append_u32(b, cfg->apic_ids[i]);
            acpi_append_u32(b, MADT_ENABLED);
            acpi_append_u32(b, i);                  /* ACPI processor UID */
            x2apic = true;
        }
    }

    acpi_append_u8(b, MADT_IO_APIC);
    acpi_append_u8(b, 12);
    acpi_append_u8(b, MADT_IOAPIC_ID);
    acpi_append_u8(b, 0);
    acpi_append_u32(b, MICROVM_IOAPIC_ADDR);
    acpi_append_u32(b, 0);                          /* GSI base */

    /* The timer's ISA IRQ 0 arrives on IOAPIC pin 2, as on a PC. */
    acpi_append_u8(b, MADT_INT_OVERRIDE);
    acpi_append_u8(b, 10);
    acpi_append_u8(b, 0);                           /* bus: ISA */
    acpi_append_u8(b, 0);
    acpi_append_u32(b, 2);
    acpi_append_u16(b, 0);                          /* bus conformant */

    acpi_append_u8(b, MADT_INT_OVERRIDE);
    acpi_append_u8(b, 10);
    acpi_append_u8(b, 0);
    acpi_append_u8(b, ACPI_PM_SCI_IRQ);
    acpi_append_u32(b, ACPI_PM_SCI_IRQ);
    acpi_append_u16(b, MADT_IRQ_LEVEL_HIGH);

    /* NMI on LINT1 of every local APIC. */
    acpi_append_u8(b, MADT_LOCAL_APIC_NMI);
    acpi_append_u8(b, 6);
    acpi_append_u8(b, 0xff);                        /* all processors */
    acpi_append_u16(b, 0);
    acpi_append_u8(b, 1);
    if (x2apic) {
        acpi_append_u8(b, MADT_LOCAL_X2APIC_NMI);
        acpi_append_u8(b, 12);
        acpi_append_u16(b, 0);
        acpi_append_u32(b, UINT32_MAX);             /* all processors */
        acpi_append_u8(b, 1);
        acpi_append_zeros(b, 3);
    }
    acpi_table_end(b, start);
    return start;
}

GByteArray *microvm_acpi_build(const MicrovmAcpiConfig *cfg, uint64_t base)
{
    GByteArray *b = g_byte_array_new();
    size_t facs, dsdt, fadt, madt, mcfg = 0, xsdt;

    /* The RSDP goes first so that it sits at BASE; its XSDT pointer is patched last. */
    acpi_append_bytes(b, "RSD PTR ", 8);
    acpi_append_u8(b, 0);                           /* checksum of the first 20 bytes */
    acpi_append_bytes(b, ACPI_OEM_ID, 6);
    acpi_append_u8(b, 2);                           /* revision: ACPI 2.0+ */
    acpi_append_u32(b, 0);                          /* no RSDT */
    acpi_append_u32(b, RSDP_SIZE);
    acpi_append_u64(b, 0);                          /* XSDT address */
    acpi_append_u8(b, 0);                           /* extended checksum */
    acpi_append_zeros(b, 3);

    facs = microvm_acpi_facs(b);
    dsdt = microvm_acpi_dsdt(b, cfg);
    fadt = microvm_acpi_fadt(b, base, facs, dsdt);
    madt = microvm_acpi_madt(b, cfg);
    if (cfg->pcie) {
        mcfg = microvm_acpi_mcfg(b);
    }

    acpi_align(b, 8);
    xsdt = acpi_table_begin(b, "XSDT", 1);
    acpi_append_u64(b, base + fadt);
    acpi_append_u64(b, base + madt);
    if (cfg->pcie) {
        acpi_append_u64(b, base + mcfg);
    }
    acpi_table_end(b, xsdt);

    acpi_patch_u64(b, RSDP_XSDT_ADDR, base + xsdt);
    b->data[RSDP_CHECKSUM] = acpi_checksum(b->data, RSDP_V1_SIZE);
    b->data[RSDP_EXT_CHECKSUM] = acpi_checksum(b->data, RSDP_SIZE);
    g_assert(b->len <= MICROVM_ACPI_SIZE);
    return b;
}
