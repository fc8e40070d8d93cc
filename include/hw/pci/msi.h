/*
 * Message signalled interrupts of PCI devices: the MSI capability
 * (hw/pci/msi.c) and MSI-X with its table and pending bit array in a BAR
 * (hw/pci/msix.c). A message is a 32-bit write of DATA to ADDR; pci_msi_send
 * hands it to the accelerator (KVM injects it through its in-kernel LAPIC)
 * or, without one, writes it into address_space_memory where an emulated
 * interrupt controller listens. Masked vectors latch their pending bit and
 * fire when unmasked. Nothing is sent unless bus mastering is enabled.
 */
#ifndef HW_PCI_MSI_H
#define HW_PCI_MSI_H

#include "hw/pci/pci.h"

/* One message from D: the accelerator's MSI injection or a memory write. */
void pci_msi_send(PCIDevice *d, uint64_t addr, uint32_t data);

/* ---- MSI ---- */

/*
 * Adds the MSI capability at OFFSET (0: next free) for NVECTORS (1, 2, 4,
 * ..., 32), with a 64-bit address and per-vector masking as asked.
 */
bool msi_init(PCIDevice *d, uint8_t offset, unsigned nvectors, bool addr64, bool per_vector_mask,
              GError **errp);
bool msi_enabled(const PCIDevice *d);
/* Vectors the driver enabled (1 << MME); 0 while MSI is off. */
unsigned msi_nr_vectors(const PCIDevice *d);
/* Sends VECTOR, or latches it pending while it is masked. */
void msi_notify(PCIDevice *d, unsigned vector);

/* ---- MSI-X ---- */

/*
 * Adds the MSI-X capability (at CAP_POS, 0: next free) for NENTRIES vectors
 * (<= PCI_MSIX_MAX_VECTORS): the table at TABLE_OFFSET of BAR TABLE_BAR
 * (inside its region TABLE_MR) and the PBA at PBA_OFFSET of BAR PBA_BAR
 * (inside PBA_MR). The regions are added as subregions of those containers.
 * Vectors start masked.
 */
bool msix_init(PCIDevice *d, unsigned nentries, MemoryRegion *table_mr, uint8_t table_bar,
               uint32_t table_offset, MemoryRegion *pba_mr, uint8_t pba_bar,
               uint32_t pba_offset, uint8_t cap_pos, GError **errp);
void msix_uninit(PCIDevice *d, MemoryRegion *table_mr, MemoryRegion *pba_mr);
bool msix_enabled(const PCIDevice *d);
/* The function or VECTOR itself is masked (true also for a vector out of range). */
bool msix_is_masked(const PCIDevice *d, unsigned vector);
/* The message of VECTOR as the table holds it now. */
void msix_get_message(const PCIDevice *d, unsigned vector, uint64_t *addr, uint32_t *data);
/* Sends VECTOR, or sets its pending bit while masked. Nothing while MSI-X is off. */
void msix_notify(PCIDevice *d, unsigned vector);
/* Latches VECTOR pending (sent when unmasked), for callers that bypass msix_notify. */
void msix_set_pending(PCIDevice *d, unsigned vector);
bool msix_is_pending(const PCIDevice *d, unsigned vector);
/* Back to the reset state: all vectors masked, nothing pending, MSI-X off. */
void msix_reset(PCIDevice *d);
/*
 * Called by the PCI core after every config write (with the MSI-X flags as
 * they were before it): sends what became unmasked while pending.
 */
void msi_config_write(PCIDevice *d, uint32_t addr, uint32_t val, unsigned len);
void msix_config_write(PCIDevice *d, uint32_t addr, uint32_t val, unsigned len,
                       uint16_t old_flags);

#endif
