/*
 * The x86 "microvm" board: Kestrel's default x86_64 machine. No PCI and no
 * firmware needed: RAM, a 16550 at COM1, the ACPI PM1 registers, a minimal
 * i8042 for reset, KVM's in-kernel IOAPIC/LAPIC/PIC, and virtio-mmio
 * transports described to the guest in the ACPI DSDT.
 */
#ifndef HW_I386_MICROVM_H
#define HW_I386_MICROVM_H

#include "util/osdep.h"
#include "hw/boards.h"
#include "hw/irq.h"

#define MICROVM_COM1_IOBASE         0x3f8
#define MICROVM_COM1_IRQ            4
#define MICROVM_SCI_IRQ             9
#define MICROVM_IOAPIC_ADDR         0xfec00000
#define MICROVM_LAPIC_ADDR          0xfee00000
#define MICROVM_VIRTIO_MMIO_BASE    0xfeb00000
#define MICROVM_VIRTIO_MMIO_SIZE    0x200
#define MICROVM_VIRTIO_MMIO_SLOTS   8
#define MICROVM_VIRTIO_GSI_BASE     16      /* IOAPIC pins 16-23, level, active high */
#define MICROVM_ACPI_ADDR           0xe0000 /* RSDP first, then the other tables */
#define MICROVM_ACPI_SIZE           0x20000
#define MICROVM_LOW_RAM_MAX         (3 * GiB)
#define MICROVM_BIOS_MAX            (16 * MiB)
#define MICROVM_BIOS_LOW_ALIAS_MAX  (128 * KiB)

/*
 * pcie=on: a PCI Express host bridge (hw/pci/pci_host.h) with ECAM for buses
 * 0-255 at 0xe0000000, a 32-bit MMIO window from the end of low RAM to the
 * ECAM, a 64-bit one above RAM, I/O ports 0x1000-0xffff, and INTA#-INTD# on
 * IOAPIC pins 20-23 (virtio-mmio keeps pins 16-19: four slots).
 */
#define MICROVM_PCIE_ECAM_BASE      0xe0000000
#define MICROVM_PCIE_ECAM_SIZE      (256 * MiB)
#define MICROVM_PCIE_MMIO32_BASE    MICROVM_LOW_RAM_MAX
#define MICROVM_PCIE_MMIO32_SIZE    (MICROVM_PCIE_ECAM_BASE - MICROVM_PCIE_MMIO32_BASE)
#define MICROVM_PCIE_MMIO64_MIN     (64 * GiB)      /* or the first GiB above RAM */
#define MICROVM_PCIE_MMIO64_SIZE    (64 * GiB)
#define MICROVM_PCIE_IO_BASE        0x1000
#define MICROVM_PCIE_IO_SIZE        0xf000
#define MICROVM_PCIE_GSI_BASE       20
#define MICROVM_PCIE_VIRTIO_SLOTS   4

/* What the ACPI tables describe. */
typedef struct MicrovmAcpiConfig {
    unsigned ncpus;
    const uint32_t *apic_ids;   /* ncpus entries, boot vCPU first */
    bool com1;                  /* a 16550 at COM1 exists */
    uint32_t virtio_slots;      /* bit n: virtio-mmio slot n is populated */
    bool pcie;                  /* the PCIe host bridge exists */
    uint64_t pcie_mmio64_base;
} MicrovmAcpiConfig;

/*
 * RSDP, FACS, DSDT, FADT, MADT (and MCFG with pcie) and XSDT laid out
 * from guest address BASE (the RSDP at BASE itself). At most
 * MICROVM_ACPI_SIZE bytes.
 */
GByteArray *microvm_acpi_build(const MicrovmAcpiConfig *cfg, uint64_t base);

/*
 * For virtio-mmio transports: claims the lowest free slot of the window,
 * returning its MMIO base (MICROVM_VIRTIO_MMIO_BASE + n * 0x200) and its
 * interrupt line (GSI 16 + n). The transport maps itself there; the slot
 * appears in the DSDT from the next reset on (machine start included).
 */
bool microvm_virtio_mmio_claim(MachineState *ms, uint64_t *base, qemu_irq *irq,
                               GError **errp);

#endif
