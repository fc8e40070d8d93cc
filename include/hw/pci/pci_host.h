/*
 * Host bridges: how a CPU reaches PCI configuration space, and the generic
 * PCI Express host of the microvm board (and later riscv virt).
 *
 * - ECAM (PCI Express Base 4.0, 7.2.2): a memory window, 1 MiB per bus,
 *   4 KiB per function: offset = bus << 20 | device << 15 | function << 12 |
 *   register.
 * - Configuration mechanism #1 (PCI Local Bus 3.0, 3.2.2.3.2): a 32-bit
 *   CONFIG_ADDRESS register at I/O 0xcf8 (enable bit 31, bus 23:16, device
 *   15:11, function 10:8, register 7:2) and the data window at 0xcfc-0xcff.
 *   Reusable by any board with port I/O (the pc board too).
 * - PCIeHost: a root bus "pcie.0" with ECAM, a 32-bit and a 64-bit MMIO
 *   window and an I/O window (aliases of the bus address spaces into the
 *   system ones), INTA#-INTD# on four board IRQs with the standard swizzle,
 *   and a host bridge function at 00.0.
 *
 * Only the root bus exists (there are no PCI-PCI bridges yet): configuration
 * accesses to other bus numbers read all ones. Accesses that are unaligned or
 * wider than 4 bytes are guest errors answered with all ones / dropped.
 */
#ifndef HW_PCI_PCI_HOST_H
#define HW_PCI_PCI_HOST_H

#include "hw/pci/pci.h"

#define PCIE_ECAM_BUS_SIZE      (1 * MiB)
#define PCI_CONF1_ADDR_PORT     0xcf8
#define PCI_CONF1_DATA_PORT     0xcfc

typedef struct PCIEcam {
    MemoryRegion mr;
    PCIBus *bus;
} PCIEcam;

/* An ECAM window of SIZE bytes (a multiple of 1 MiB: buses 0 to SIZE/1MiB - 1) for BUS. */
void pci_ecam_init(PCIEcam *ecam, PCIBus *bus, uint64_t size);

typedef struct PCIConf1 {
    MemoryRegion addr_mr;       /* 0xcf8-0xcfb, dword accesses only */
    MemoryRegion data_mr;       /* 0xcfc-0xcff */
    PCIBus *bus;
    uint32_t config_address;
} PCIConf1;

/* Maps mechanism #1 for BUS into the I/O space IO at 0xcf8. */
void pci_conf1_init(PCIConf1 *conf, PCIBus *bus, MemoryRegion *io);

typedef struct PCIeHostConfig {
    uint64_t ecam_base, ecam_size;
    uint64_t mmio32_base, mmio32_size;
    uint64_t mmio64_base, mmio64_size;      /* size 0: none */
    uint64_t io_base, io_size;              /* port window; size 0: none */
    qemu_irq irqs[PCI_NUM_PINS];            /* bus lines 0-3 */
    bool conf1;                             /* also the 0xcf8/0xcfc ports */
} PCIeHostConfig;

typedef struct PCIeHost {
    PCIeHostConfig cfg;
    PCIBus *bus;
    MemoryRegion bus_mem;       /* the bus memory space (2^64) */
    MemoryRegion bus_io;        /* the bus I/O space (64 KiB) */
    MemoryRegion mmio32_alias, mmio64_alias, io_alias;
    PCIEcam ecam;
    PCIConf1 conf1;
} PCIeHost;

#define TYPE_PCIE_HOST_BRIDGE   "pcie-host-bridge"

/* Builds the host into the system address spaces. One per machine. */
PCIeHost *pcie_host_create(const PCIeHostConfig *cfg, GError **errp);

#endif
