/*
 * The MSI capability (PCI Local Bus 3.0, 6.8.1): message address (32 or 64
 * bits) and data, multiple messages (the vector number replaces the low data
 * bits), optional per-vector mask and pending bits, and pci_msi_send, which
 * every message of the PCI layer goes through: the accelerator injects it
 * (KVM: its in-kernel LAPIC) or it is written into address_space_memory.
 */
#include "util/osdep.h"

#include "hw/pci/msi.h"
#include "sysemu/accel.h"
#include "util/log.h"

void pci_msi_send(PCIDevice *d, uint64_t addr, uint32_t data)
{
    uint8_t buf[4];

    if (!pci_bus_master_enabled(d)) {
        return;
    }
    if (current_accel && current_accel->signal_msi) {
        current_accel->signal_msi(addr, data);
        return;
    }
    pci_set_long(buf, data);
    if (address_space_write(&address_space_memory, addr, buf, 4) != MEMTX_OK) {
        log_mask_printf(LOG_GUEST_ERROR, "pci %02x.%x: MSI write of 0x%x to 0x%" PRIx64
                        " reached nothing\n", PCI_SLOT(d->devfn), PCI_FUNC(d->devfn), data,
                        addr);
    }
}

static uint16_t msi_flags(const PCIDevice *d)
{
    return pci_get_word(d->config + d->msi_cap + PCI_MSI_FLAGS);
}

static bool msi_is_64(const PCIDevice *d)
{
    return msi_flags(d) & PCI_MSI_FLAGS_64BIT;
}

static unsigned msi_mask_off(const PCIDevice *d)
{
    return d->msi_cap + (msi_is_64(d) ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32);
}

static unsigned msi_pending_off(const PCIDevice *d)
{
    return d->msi_cap + (msi_is_64(d) ? PCI_MSI_PENDING_64 : PCI_MSI_PENDING_32);
}

bool msi_init(PCIDevice *d, uint8_t offset, unsigned nvectors, bool addr64, bool per_vector_mask,
              GError **errp)
{
    unsigned log2 = 0;
    uint16_t flags;
    uint8_t size, cap;

    if (nvectors == 0 || nvectors > 32 || (nvectors & (nvectors - 1))) {
        error_setg(errp, "MSI: %u vectors is not a power of 2 from 1 to 32", nvectors);
        return false;
    }
    while ((1u << log2) < nvectors) {
        log2++;
    }
    size = (addr64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32) + 4 + (per_vector_mask ? 8 : 0);
    cap = pci_add_capability(d, PCI_CAP_ID_MSI, offset, size, errp);
    if (!cap) {
        return false;
    }
    d->msi_cap = cap;
    flags = (log2 << 1) | (addr64 ? PCI_MSI_FLAGS_64BIT : 0) |
            (per_vector_mask ? PCI_MSI_FLAGS_MASKBIT : 0);
    pci_set_word(d->config + cap + PCI_MSI_FLAGS, flags);
    pci_set_word(d->wmask + cap + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
    pci_set_long(d->wmask + cap + PCI_MSI_ADDRESS_LO, 0xfffffffc);
    if (addr64) {
        pci_set_long(d->wmask + cap + PCI_MSI_ADDRESS_HI, UINT32_MAX);
    }
    pci_set_word(d->wmask + cap + (addr64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32), 0xffff);
    if (per_vector_mask) {
        pci_set_long(d->wmask + msi_mask_off(d), (uint32_t)((1ULL << nvectors) - 1));
    }
    return true;
}

bool msi_enabled(const PCIDevice *d)
{
    return d->msi_cap && (msi_flags(d) & PCI_MSI_FLAGS_ENABLE);
}

unsigned msi_nr_vectors(const PCIDevice *d)
{
    uint16_t flags;
    unsigned mme, mmc;

    if (!msi_enabled(d)) {
        return 0;
    }
    flags = msi_flags(d);
    mme = (flags & PCI_MSI_FLAGS_QSIZE) >> 4;
    mmc = (flags & PCI_MSI_FLAGS_QMASK) >> 1;
    /* Enabling more than the function is capable of is undefined: grant what it has. */
    return 1u << MIN(mme, mmc);
}

static void msi_send_vector(PCIDevice *d, unsigned vector)
{
    bool is64 = msi_is_64(d);
    uint64_t addr = pci_get_long(d->config + d->msi_cap + PCI_MSI_ADDRESS_LO);
    uint16_t data = pci_get_word(d->config + d->msi_cap +
                                 (is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32));
    unsigned n = msi_nr_vectors(d);

    if (is64) {
        addr |= (uint64_t)pci_get_long(d->config + d->msi_cap + PCI_MSI_ADDRESS_HI) << 32;
    }
    pci_msi_send(d, addr, (data & ~(n - 1)) | vector);
}

void msi_notify(PCIDevice *d, unsigned vector)
{
    if (!msi_enabled(d)) {
        return;
    }
    if (vector >= msi_nr_vectors(d)) {
        log_mask_printf(LOG_GUEST_ERROR, "pci %02x.%x: MSI vector %u not enabled by the "
                        "driver\n", PCI_SLOT(d->devfn), PCI_FUNC(d->devfn), vector);
        return;
    }
    if (msi_flags(d) & PCI_MSI_FLAGS_MASKBIT) {
        uint32_t mask = pci_get_long(d->config + msi_mask_off(d));

        if (mask & (1u << vector)) {
            uint32_t pending = pci_get_long(d->config + msi_pending_off(d));

            pci_set_long(d->config + msi_pending_off(d), pending | (1u << vector));
            return;
        }
    }
    msi_send_vector(d, vector);
}

void msi_config_write(PCIDevice *d, uint32_t addr, uint32_t val, unsigned len)
{
    uint32_t mask, pending;
    unsigned n;

    if (!(msi_flags(d) & PCI_MSI_FLAGS_MASKBIT) || !msi_enabled(d) ||
        addr >= d->msi_cap + PCI_MSI_PENDING_64 + 4u || addr + len <= d->msi_cap) {
        return;
    }
    mask = pci_get_long(d->config + msi_mask_off(d));
    pending = pci_get_long(d->config + msi_pending_off(d));
    n = msi_nr_vectors(d);
    for (unsigned v = 0; v < n; v++) {
        if ((pending & (1u << v)) && !(mask & (1u << v))) {
            pending &= ~(1u << v);
            pci_set_long(d->config + msi_pending_off(d), pending);
            msi_send_vector(d, v);
        }
    }
}
