/*
 * The two ways a host bridge exposes configuration space: the ECAM memory
 * window of PCI Express (1 MiB per bus, 4 KiB per function) and the PC's
 * configuration mechanism #1 (CONFIG_ADDRESS at I/O 0xcf8, data at 0xcfc).
 * Both forward to pci_bus_config_read/write; only bus 0 exists behind them.
 */
#include "util/osdep.h"

#include "hw/pci/pci_host.h"
#include "util/log.h"

#define CONF1_ENABLE        0x80000000u
#define CONF1_BUS(a)        (((a) >> 16) & 0xff)
#define CONF1_DEVFN(a)      (((a) >> 8) & 0xff)
#define CONF1_REG(a)        ((a) & 0xfc)

static uint64_t pci_ecam_read(void *opaque, uint64_t addr, unsigned size)
{
    PCIEcam *ecam = opaque;

    if (addr >> 20) {
        return size >= 4 ? UINT32_MAX : (1u << (size * 8)) - 1;
    }
    return pci_bus_config_read(ecam->bus, (addr >> 12) & 0xff, addr & 0xfff, size);
}

static void pci_ecam_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    PCIEcam *ecam = opaque;

    if (!(addr >> 20)) {
        pci_bus_config_write(ecam->bus, (addr >> 12) & 0xff, addr & 0xfff, val, size);
    }
}

static const MemoryRegionOps pci_ecam_ops = {
    .read = pci_ecam_read,
    .write = pci_ecam_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

void pci_ecam_init(PCIEcam *ecam, PCIBus *bus, uint64_t size)
{
    g_assert(size && size % PCIE_ECAM_BUS_SIZE == 0 && size <= 256 * PCIE_ECAM_BUS_SIZE);
    ecam->bus = bus;
    memory_region_init_io(&ecam->mr, &pci_ecam_ops, ecam, "pcie-ecam", size);
}

static uint64_t pci_conf1_addr_read(void *opaque, uint64_t addr, unsigned size)
{
    PCIConf1 *conf = opaque;

    return conf->config_address;
}

static void pci_conf1_addr_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    PCIConf1 *conf = opaque;

    /* Bits 1:0 are reserved and read 0; 30:24 too (no extended register numbers). */
    conf->config_address = val & 0x80fffffc;
}

static const MemoryRegionOps pci_conf1_addr_ops = {
    .read = pci_conf1_addr_read,
    .write = pci_conf1_addr_write,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
};

/* CONFIG_ADDRESS enables an access, to a bus that exists. */
static bool pci_conf1_target(uint32_t a)
{
    return (a & CONF1_ENABLE) && CONF1_BUS(a) == 0;
}

static uint64_t pci_conf1_data_read(void *opaque, uint64_t addr, unsigned size)
{
    PCIConf1 *conf = opaque;
    uint32_t a = conf->config_address;

    if (!pci_conf1_target(a)) {
        return size >= 4 ? UINT32_MAX : (1u << (size * 8)) - 1;
    }
    return pci_bus_config_read(conf->bus, CONF1_DEVFN(a), CONF1_REG(a) | addr, size);
}

static void pci_conf1_data_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    PCIConf1 *conf = opaque;
    uint32_t a = conf->config_address;

    if (pci_conf1_target(a)) {
        pci_bus_config_write(conf->bus, CONF1_DEVFN(a), CONF1_REG(a) | addr, val, size);
    }
}

static const MemoryRegionOps pci_conf1_data_ops = {
    .read = pci_conf1_data_read,
    .write = pci_conf1_data_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

void pci_conf1_init(PCIConf1 *conf, PCIBus *bus, MemoryRegion *io)
{
    conf->bus = bus;
    conf->config_address = 0;
    memory_region_init_io(&conf->addr_mr, &pci_conf1_addr_ops, conf, "pci-conf1-addr", 4);
    memory_region_init_io(&conf->data_mr, &pci_conf1_data_ops, conf, "pci-conf1-data", 4);
    memory_region_add_subregion(io, PCI_CONF1_ADDR_PORT, &conf->addr_mr);
    memory_region_add_subregion(io, PCI_CONF1_DATA_PORT, &conf->data_mr);
}
