/*
 * MSI-X (PCI Local Bus 3.0, 6.8.2): the capability with its enable and
 * function-mask bits, the vector table (address, data, vector control) and
 * the pending bit array, both memory regions placed in the device's BARs.
 * A vector raised while it or the function is masked sets its pending bit;
 * unmasking sends it. The table and PBA take dword and qword accesses.
 */
#include "util/osdep.h"

#include "hw/pci/msi.h"
#include "util/log.h"

static uint16_t msix_flags(const PCIDevice *d)
{
    return pci_get_word(d->config + d->msix_cap + PCI_MSIX_FLAGS);
}

bool msix_enabled(const PCIDevice *d)
{
    return d->msix_cap && (msix_flags(d) & PCI_MSIX_FLAGS_ENABLE);
}

static bool msix_function_masked(const PCIDevice *d)
{
    return msix_flags(d) & PCI_MSIX_FLAGS_MASKALL;
}

static uint8_t *msix_entry(PCIDevice *d, unsigned vector)
{
    return d->msix_table + vector * PCI_MSIX_ENTRY_SIZE;
}

static bool msix_vector_masked(const PCIDevice *d, unsigned vector)
{
    return pci_get_long(d->msix_table + vector * PCI_MSIX_ENTRY_SIZE +
                        PCI_MSIX_ENTRY_VECTOR_CTRL) & PCI_MSIX_ENTRY_CTRL_MASKBIT;
}

bool msix_is_masked(const PCIDevice *d, unsigned vector)
{
    return vector >= d->msix_entries || msix_function_masked(d) ||
           msix_vector_masked(d, vector);
}

bool msix_is_pending(const PCIDevice *d, unsigned vector)
{
    return vector < d->msix_entries && (d->msix_pba[vector / 8] & (1u << (vector % 8)));
}

void msix_set_pending(PCIDevice *d, unsigned vector)
{
    if (vector < d->msix_entries) {
        d->msix_pba[vector / 8] |= 1u << (vector % 8);
    }
}

static void msix_clear_pending(PCIDevice *d, unsigned vector)
{
    d->msix_pba[vector / 8] &= ~(1u << (vector % 8));
}

void msix_get_message(const PCIDevice *d, unsigned vector, uint64_t *addr, uint32_t *data)
{
    const uint8_t *e = d->msix_table + vector * PCI_MSIX_ENTRY_SIZE;

    g_assert(vector < d->msix_entries);
    *addr = pci_get_quad(e + PCI_MSIX_ENTRY_LOWER_ADDR);
    *data = pci_get_long(e + PCI_MSIX_ENTRY_DATA);
}

static void msix_send(PCIDevice *d, unsigned vector)
{
    uint64_t addr;
    uint32_t data;

    msix_get_message(d, vector, &addr, &data);
    pci_msi_send(d, addr, data);
}

void msix_notify(PCIDevice *d, unsigned vector)
{
    if (!msix_enabled(d)) {
        return;
    }
    if (vector >= d->msix_entries) {
        log_mask_printf(LOG_GUEST_ERROR, "pci %02x.%x: MSI-X vector %u beyond the table of %u\n",
                        PCI_SLOT(d->devfn), PCI_FUNC(d->devfn), vector, d->msix_entries);
        return;
    }
    if (msix_is_masked(d, vector)) {
        msix_set_pending(d, vector);
        return;
    }
    msix_send(d, vector);
}

/* Sends VECTOR if it is pending and no longer masked. */
static void msix_flush_vector(PCIDevice *d, unsigned vector)
{
    if (msix_enabled(d) && msix_is_pending(d, vector) && !msix_is_masked(d, vector)) {
        msix_clear_pending(d, vector);
        msix_send(d, vector);
    }
}

void msix_config_write(PCIDevice *d, uint32_t addr, uint32_t val, unsigned len,
                       uint16_t old_flags)
{
    uint16_t flags = msix_flags(d);
    bool was_live = (old_flags & PCI_MSIX_FLAGS_ENABLE) && !(old_flags & PCI_MSIX_FLAGS_MASKALL);
    bool live = (flags & PCI_MSIX_FLAGS_ENABLE) && !(flags & PCI_MSIX_FLAGS_MASKALL);

    if (live && !was_live) {
        for (unsigned v = 0; v < d->msix_entries; v++) {
            msix_flush_vector(d, v);
        }
    }
}

static uint64_t msix_table_read(void *opaque, uint64_t addr, unsigned size)
{
    PCIDevice *d = opaque;

    return pci_get_long(d->msix_table + addr);
}

static void msix_table_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    PCIDevice *d = opaque;
    unsigned vector = addr / PCI_MSIX_ENTRY_SIZE;

    pci_set_long(d->msix_table + addr, val);
    if (addr % PCI_MSIX_ENTRY_SIZE == PCI_MSIX_ENTRY_VECTOR_CTRL) {
        /* Only the mask bit is defined; the rest is reserved and reads 0. */
        pci_set_long(msix_entry(d, vector) + PCI_MSIX_ENTRY_VECTOR_CTRL,
                     val & PCI_MSIX_ENTRY_CTRL_MASKBIT);
        msix_flush_vector(d, vector);
    }
}

static const MemoryRegionOps msix_table_ops = {
    .read = msix_table_read,
    .write = msix_table_write,
    .valid = { .min_access_size = 4, .max_access_size = 8 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

static uint64_t msix_pba_read(void *opaque, uint64_t addr, unsigned size)
{
    PCIDevice *d = opaque;

    return addr < sizeof(d->msix_pba) ? pci_get_long(d->msix_pba + addr) : 0;
}

static void msix_pba_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    PCIDevice *d = opaque;

    log_mask_printf(LOG_GUEST_ERROR, "pci %02x.%x: write to the read-only MSI-X PBA at 0x%"
                    PRIx64 "\n", PCI_SLOT(d->devfn), PCI_FUNC(d->devfn), addr);
}

static const MemoryRegionOps msix_pba_ops = {
    .read = msix_pba_read,
    .write = msix_pba_write,
    .valid = { .min_access_size = 4, .max_access_size = 8 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

bool msix_init(PCIDevice *d, unsigned nentries, MemoryRegion *table_mr, uint8_t table_bar,
               uint32_t table_offset, MemoryRegion *pba_mr, uint8_t pba_bar,
               uint32_t pba_offset, uint8_t cap_pos, GError **errp)
{
    uint64_t table_size = nentries * PCI_MSIX_ENTRY_SIZE;
    uint64_t pba_size = DIV_ROUND_UP(nentries, 64) * 8;
    uint8_t cap;

    if (nentries == 0 || nentries > PCI_MSIX_MAX_VECTORS) {
        error_setg(errp, "MSI-X: %u vectors (1 to %d are possible)", nentries,
                   PCI_MSIX_MAX_VECTORS);
        return false;
    }
    if (table_bar >= PCI_NUM_BARS || pba_bar >= PCI_NUM_BARS || (table_offset & 7) ||
        (pba_offset & 7) || table_offset + table_size > memory_region_size(table_mr) ||
        pba_offset + pba_size > memory_region_size(pba_mr) ||
        (table_mr == pba_mr && table_offset < pba_offset + pba_size &&
         pba_offset < table_offset + table_size)) {
        error_setg(errp, "MSI-X: the table or PBA does not fit its BAR");
        return false;
    }
    cap = pci_add_capability(d, PCI_CAP_ID_MSIX, cap_pos, PCI_CAP_MSIX_SIZEOF, errp);
    if (!cap) {
        return false;
    }
    d->msix_cap = cap;
    d->msix_entries = nentries;
    pci_set_word(d->config + cap + PCI_MSIX_FLAGS, nentries - 1);
    pci_set_long(d->config + cap + PCI_MSIX_TABLE, table_offset | table_bar);
    pci_set_long(d->config + cap + PCI_MSIX_PBA, pba_offset | pba_bar);
    pci_set_word(d->wmask + cap + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
    msix_reset(d);

    memory_region_init_io(&d->msix_table_mr, &msix_table_ops, d, "msix-table", table_size);
    memory_region_add_subregion(table_mr, table_offset, &d->msix_table_mr);
    memory_region_init_io(&d->msix_pba_mr, &msix_pba_ops, d, "msix-pba", pba_size);
    memory_region_add_subregion(pba_mr, pba_offset, &d->msix_pba_mr);
    return true;
}

void msix_uninit(PCIDevice *d, MemoryRegion *table_mr, MemoryRegion *pba_mr)
{
    if (!d->msix_cap) {
        return;
    }
    memory_region_del_subregion(table_mr, &d->msix_table_mr);
    memory_region_del_subregion(pba_mr, &d->msix_pba_mr);
    memory_region_finalize(&d->msix_table_mr);
    memory_region_finalize(&d->msix_pba_mr);
    d->msix_cap = 0;
    d->msix_entries = 0;
}

void msix_reset(PCIDevice *d)
{
    uint8_t *flags = d->config + d->msix_cap + PCI_MSIX_FLAGS;

    pci_set_word(flags, pci_get_word(flags) & PCI_MSIX_FLAGS_QSIZE);
    memset(d->msix_table, 0, sizeof(d->msix_table));
    memset(d->msix_pba, 0, sizeof(d->msix_pba));
    for (unsigned v = 0; v < d->msix_entries; v++) {
        pci_set_long(msix_entry(d, v) + PCI_MSIX_ENTRY_VECTOR_CTRL, PCI_MSIX_ENTRY_CTRL_MASKBIT);
    }
}
