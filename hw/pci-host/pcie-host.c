/*
 * A generic PCI Express host bridge: the root bus "pcie.0", its ECAM window,
 * 32-bit and 64-bit MMIO windows and an I/O window (aliases of the bus
 * address spaces, so a BAR decodes only inside a window), configuration
 * mechanism #1 on request, INTA#-INTD# on four board IRQs with the standard
 * swizzle, and "pcie-host-bridge", the host bridge function at 00.0 (class
 * 06.00, Red Hat's PCIe host id as QEMU's generic host uses, so guests know
 * it). Boards describe the windows to the guest (ACPI MCFG/_CRS, or a
 * device tree).
 */
#include "util/osdep.h"

#include "hw/pci/pci_host.h"

typedef struct PCIeHostBridge {
    PCIDevice parent_obj;
    PCIeHost *host;
} PCIeHostBridge;

static PCIeHost *pcie_host_current;

static bool pcie_host_bridge_realize(PCIDevice *d, GError **errp)
{
    PCIeHostBridge *s = DEVICE_CAST(PCIeHostBridge, d);

    s->host = pcie_host_current;
    pci_config_set_ids(d, PCI_VENDOR_ID_REDHAT, PCI_DEVICE_ID_REDHAT_PCIE_HOST, 0, 0, 0);
    pci_config_set_class(d, PCI_CLASS_BRIDGE_HOST, 0);
    return true;
}

/* A machine reset also clears CONFIG_ADDRESS. */
static void pcie_host_bridge_reset(PCIDevice *d)
{
    PCIeHostBridge *s = DEVICE_CAST(PCIeHostBridge, d);

    if (s->host) {
        s->host->conf1.config_address = 0;
    }
}

static const PCIDeviceOps pcie_host_bridge_ops = {
    .realize = pcie_host_bridge_realize,
    .reset = pcie_host_bridge_reset,
};

static void pcie_host_bridge_instance_init(DeviceState *dev)
{
    PCI_DEVICE(dev)->ops = &pcie_host_bridge_ops;
}

static const TypeInfo pcie_host_bridge_type = {
    .name = TYPE_PCIE_HOST_BRIDGE,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(PCIeHostBridge),
    .desc = "PCI Express host bridge function",
    .instance_init = pcie_host_bridge_instance_init,
};

static void pcie_host_register_types(void)
{
    type_register(&pcie_host_bridge_type);
}
type_init(pcie_host_register_types)

PCIeHost *pcie_host_create(const PCIeHostConfig *cfg, GError **errp)
{
    PCIeHost *h = g_new0(PCIeHost, 1);
    MemoryRegion *sysmem = get_system_memory();
    MemoryRegion *sysio = get_system_io();
    DeviceState *fn0;

    g_assert(!pcie_host_current);
    h->cfg = *cfg;
    memory_region_transaction_begin();
    memory_region_init_container(&h->bus_mem, "pcie-bus-mem", UINT64_MAX);
    memory_region_init_container(&h->bus_io, "pcie-bus-io", 0x10000);
    h->bus = pci_bus_new("pcie.0", &h->bus_mem, &h->bus_io, true);
    pci_bus_set_irqs(h->bus, h->cfg.irqs, PCI_NUM_PINS, NULL);

    pci_ecam_init(&h->ecam, h->bus, cfg->ecam_size);
    memory_region_add_subregion(sysmem, cfg->ecam_base, &h->ecam.mr);
    memory_region_init_alias(&h->mmio32_alias, "pcie-mmio32", &h->bus_mem, cfg->mmio32_base,
                             cfg->mmio32_size);
    memory_region_add_subregion(sysmem, cfg->mmio32_base, &h->mmio32_alias);
    if (cfg->mmio64_size) {
        memory_region_init_alias(&h->mmio64_alias, "pcie-mmio64", &h->bus_mem,
                                 cfg->mmio64_base, cfg->mmio64_size);
        memory_region_add_subregion(sysmem, cfg->mmio64_base, &h->mmio64_alias);
    }
    if (cfg->io_size) {
        memory_region_init_alias(&h->io_alias, "pcie-io", &h->bus_io, cfg->io_base,
                                 cfg->io_size);
        memory_region_add_subregion(sysio, cfg->io_base, &h->io_alias);
    }
    if (cfg->conf1) {
        pci_conf1_init(&h->conf1, h->bus, sysio);
    }
    memory_region_transaction_commit();

    pcie_host_current = h;
    fn0 = qdev_new(TYPE_PCIE_HOST_BRIDGE);
    qdev_prop_set_string(fn0, "bus", "pcie.0");
    qdev_prop_set_string(fn0, "addr", "0");
    if (!qdev_realize(fn0, errp)) {
        return NULL;
    }
    return h;
}
