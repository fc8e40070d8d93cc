/*
 * The x86 "pc" board: an i440FX host bridge with a PIIX3 ISA bridge and a
 * PIIX4 power-management function, as QEMU's default x86 machine, so that
 * SeaBIOS and the operating systems that know that machine run unchanged.
 * RAM below 4 GiB ends at PC_LOW_RAM_MAX (the PCI hole), the rest lives
 * from 4 GiB on; the firmware ROM ends at 4 GiB and its last 128 KiB also
 * appear at 0xe0000-0xfffff, under the i440FX PAM (shadow RAM) controls.
 * The firmware learns about the machine from fw_cfg and the CMOS.
 */
#ifndef HW_I386_PC_H
#define HW_I386_PC_H

#include "util/osdep.h"
#include "exec/memory.h"
#include "hw/pci/pci_host.h"
#include "hw/qdev.h"

#define PC_LOW_RAM_MAX          0xe0000000ULL
#define PC_PCI_HOLE_END         0xfec00000ULL   /* IOAPIC, HPET, LAPIC, ROM above */
#define PC_BIOS_MAX             (16 * MiB)
#define PC_ISA_BIOS_SIZE        (128 * KiB)
#define PC_IOAPIC_ADDR          0xfec00000
#define PC_LAPIC_ADDR           0xfee00000
#define PC_COM1_IOBASE          0x3f8
#define PC_COM1_IRQ             4
#define PC_PCI_GSI_BASE         16      /* PIRQA-D also reach IOAPIC pins 16-19 */
#define PC_SCI_IRQ              9
#define PC_PM_BASE_DEFAULT      0xb000  /* where SeaBIOS puts the PIIX4 PM block */

/* ---- the i440FX/PIIX chipset (pc-piix.c) ---- */

#define TYPE_I440FX_PCI_HOST    "i440FX"
#define TYPE_PIIX3_ISA          "PIIX3"
#define TYPE_PIIX4_PM           "PIIX4_PM"

typedef struct PcChipset {
    /* Set by the board. */
    MemoryRegion *ram;              /* all RAM; offset N is guest address N below 4 GiB */
    qemu_irq pci_gsi[PCI_NUM_PINS]; /* where PIRQA-D go besides their ISA IRQs */
    /* Built by pc_chipset_init. */
    PCIBus *bus;
    MemoryRegion pci_mem;           /* the PCI memory space, below RAM in system memory */
    DeviceState *host;              /* i440FX, 00.0 */
    DeviceState *isa;               /* PIIX3, 01.0 */
    DeviceState *pm;                /* PIIX4 PM, 01.3 */
    DeviceState *acpi_pm;           /* its PM1 registers and timer */
} PcChipset;

/*
 * Builds the chipset (the ISA IRQs must be wired): the PAM and SMRAM views of RAM, the PCI bus with its configuration ports, the ISA
 * bridge with PIRQ routing and the reset control register (0xcf9), the PM
 * function with the ACPI PM1 registers, the PM timer and the APM ports.
 */
bool pc_chipset_init(PcChipset *c, GError **errp);
/* Where the PM function decodes its registers now (0: nowhere yet). */
uint16_t pc_chipset_pm_base(PcChipset *c);

/* ---- the CMOS RAM and real-time clock (pc-cmos.c) ---- */

#define TYPE_PC_CMOS            "pc-cmos"
#define PC_CMOS_SIZE            128

DeviceState *pc_cmos_create(GError **errp);
/* Board-set NVRAM contents (memory size, boot order): kept across resets. */
void pc_cmos_set(DeviceState *dev, unsigned index, uint8_t value);
uint8_t pc_cmos_get(DeviceState *dev, unsigned index);

/* ---- ACPI tables for the firmware's table loader (acpi-pc.c) ---- */

#define PC_ACPI_TABLES_FILE     "etc/acpi/tables"
#define PC_ACPI_RSDP_FILE       "etc/acpi/rsdp"
#define PC_TABLE_LOADER_FILE    "etc/table-loader"

typedef struct PcAcpiConfig {
    unsigned ncpus;
    const uint32_t *apic_ids;       /* ncpus entries, boot vCPU first */
    uint16_t pm_base;               /* PM1 event block; PM1 control +4, PM timer +8 */
    uint64_t pci_hole_start;        /* the 32-bit PCI window, to PC_PCI_HOLE_END */
    uint64_t pci_hole64_start, pci_hole64_size;     /* size 0: none */
    bool com1;
} PcAcpiConfig;

/* The three fw_cfg files: tables (DSDT, FACS, FADT, MADT, RSDT), RSDP and loader script. */
typedef struct PcAcpiBlobs {
    GByteArray *tables;
    GByteArray *rsdp;
    GByteArray *loader;
} PcAcpiBlobs;

void pc_acpi_build(const PcAcpiConfig *cfg, PcAcpiBlobs *out);
void pc_acpi_blobs_free(PcAcpiBlobs *blobs);

/* Table-loader commands (QEMU's BIOSLinker format, 128 bytes each). */
#define PC_LOADER_CMD_SIZE          128
#define PC_LOADER_ALLOCATE          1
#define PC_LOADER_ADD_POINTER       2
#define PC_LOADER_ADD_CHECKSUM      3
#define PC_LOADER_ZONE_HIGH         1
#define PC_LOADER_ZONE_FSEG         2

#endif
