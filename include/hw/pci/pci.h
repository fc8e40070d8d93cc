/*
 * The PCI layer: buses, devices and their configuration space.
 *
 * A PCIDevice is a qdev type ("pci-device", abstract) whose struct embeds
 * PCIDevice first. Its instance_init points d->ops at a static PCIDeviceOps;
 * the common realize attaches it to a bus (property "bus", default: the
 * first bus) at a device/function ("addr=SLOT[.FN]" in hex, default: the
 * first free slot), then calls ops->realize, which fills in the ids and
 * class, registers BARs (pci_register_bar) and adds capabilities.
 *
 * Config space follows the spec: every byte has a write mask (bits the
 * guest may change) and a write-1-to-clear mask (status bits). BARs are
 * sized by the standard probe and mapped into the bus's memory or I/O
 * container while the command register enables decoding. INTx goes through
 * the bus's pin-to-line map (the host bridge's swizzle) to board IRQs,
 * wired-OR across devices; MSI and MSI-X are in hw/pci/msi.h.
 *
 * Everything runs with the BQL held.
 */
#ifndef HW_PCI_PCI_H
#define HW_PCI_PCI_H

#include "util/osdep.h"
#include "exec/memory.h"
#include "hw/irq.h"
#include "hw/pci/pci_regs.h"
#include "hw/qdev.h"

#define TYPE_PCI_DEVICE         "pci-device"

#define PCI_CONFIG_SPACE_SIZE   0x100
#define PCIE_CONFIG_SPACE_SIZE  0x1000
#define PCI_NUM_BARS            6
#define PCI_SLOT_MAX            32
#define PCI_FUNC_MAX            8
#define PCI_DEVFN(slot, fn)     ((((slot) & 0x1f) << 3) | ((fn) & 7))
#define PCI_SLOT(devfn)         (((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn)         ((devfn) & 7)
#define PCI_NUM_PINS            4       /* INTA# - INTD# */
#define PCI_BAR_UNMAPPED        UINT64_MAX
#define PCI_MSIX_MAX_VECTORS    64      /* Kestrel's limit per device */

typedef struct PCIBus PCIBus;
typedef struct PCIDevice PCIDevice;

/* Maps a device's interrupt pin (0-3 = INTA#-INTD#) to a line of its bus. */
typedef int (*PCIMapIrqFunc)(PCIDevice *d, int pin);

typedef struct PCIDeviceOps {
    /* Ids, class, BARs and capabilities; the device is on its bus already. */
    bool (*realize)(PCIDevice *d, GError **errp);
    void (*unrealize)(PCIDevice *d);
    /* After the common reset (registers, BARs unmapped, MSI/MSI-X off). */
    void (*reset)(PCIDevice *d);
    /* Optional: refreshes config bytes [ADDR, ADDR+LEN) before the guest reads them. */
    void (*config_read)(PCIDevice *d, uint32_t addr, unsigned len);
    /* Optional: called after the common config write handling. */
    void (*config_write)(PCIDevice *d, uint32_t addr, uint32_t val, unsigned len);
    /* Optional: BAR N moved to ADDR (PCI_BAR_UNMAPPED when it stopped decoding). */
    void (*bar_mapped)(PCIDevice *d, int n, uint64_t addr);
} PCIDeviceOps;

typedef struct PCIBar {
    MemoryRegion *mr;       /* NULL: not implemented */
    uint64_t size;          /* power of 2 */
    uint8_t type;           /* PCI_BASE_ADDRESS_SPACE_IO or MEM_TYPE_64 | MEM_PREFETCH */
    uint64_t addr;          /* where it is mapped, or PCI_BAR_UNMAPPED */
} PCIBar;

struct PCIDevice {
    DeviceState parent_obj;
    const PCIDeviceOps *ops;
    /* Properties. */
    char *bus_name;
    char *addr;                 /* "SLOT[.FN]" in hex */
    bool multifunction;
    /* Where it sits. */
    PCIBus *bus;
    uint8_t devfn;
    uint32_t config_size;       /* 256, or 4096 on a PCI Express bus */
    uint8_t config[PCIE_CONFIG_SPACE_SIZE];
    uint8_t wmask[PCIE_CONFIG_SPACE_SIZE];      /* bits the guest may write */
    uint8_t w1cmask[PCIE_CONFIG_SPACE_SIZE];    /* bits a 1 clears */
    uint8_t cap_next;           /* where pci_add_capability puts the next one */
    uint8_t cap_used[PCI_CONFIG_SPACE_SIZE / 8];    /* bitmap of capability bytes */
    PCIBar bars[PCI_NUM_BARS];
    bool irq_level;             /* INTx as the device drives it */
    int irq_line;               /* bus line it reaches while asserted, -1 if none */
    /* MSI (hw/pci/msi.c): capability offset, 0 without. */
    uint8_t msi_cap;
    /* MSI-X (hw/pci/msix.c). */
    uint8_t msix_cap;
    uint16_t msix_entries;
    uint8_t msix_table[PCI_MSIX_MAX_VECTORS * PCI_MSIX_ENTRY_SIZE];
    uint8_t msix_pba[PCI_MSIX_MAX_VECTORS / 8];
    MemoryRegion msix_table_mr;
    MemoryRegion msix_pba_mr;
};

struct PCIBus {
    char *name;
    bool express;               /* PCI Express: 4 KiB config spaces */
    MemoryRegion *mem;          /* container memory BARs map into */
    MemoryRegion *io;           /* container I/O BARs map into */
    PCIDevice *devices[PCI_SLOT_MAX * PCI_FUNC_MAX];
    /* INTx: pin -> line, lines -> IRQs, and how many devices assert each. */
    PCIMapIrqFunc map_irq;
    qemu_irq *irqs;
    int nirqs;
    int *irq_count;
};

#define PCI_DEVICE(dev) ((PCIDevice *)(dev))

static inline uint8_t pci_get_byte(const uint8_t *p) { return p[0]; }
static inline void pci_set_byte(uint8_t *p, uint8_t v) { p[0] = v; }
static inline uint16_t pci_get_word(const uint8_t *p) { return p[0] | (p[1] << 8); }
static inline void pci_set_word(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}
static inline uint32_t pci_get_long(const uint8_t *p)
{
    return pci_get_word(p) | ((uint32_t)pci_get_word(p + 2) << 16);
}
static inline void pci_set_long(uint8_t *p, uint32_t v)
{
    pci_set_word(p, v);
    pci_set_word(p + 2, v >> 16);
}
static inline uint64_t pci_get_quad(const uint8_t *p)
{
    return pci_get_long(p) | ((uint64_t)pci_get_long(p + 4) << 32);
}
static inline void pci_set_quad(uint8_t *p, uint64_t v)
{
    pci_set_long(p, v);
    pci_set_long(p + 4, v >> 32);
}

/* ---- buses (host bridges create them) ---- */

/*
 * A bus named NAME whose memory and I/O BARs map into the containers MEM and
 * IO (owned by the caller; they stand for the whole bus address spaces).
 * The first bus created is the default for devices without "bus=".
 */
PCIBus *pci_bus_new(const char *name, MemoryRegion *mem, MemoryRegion *io, bool express);
/* INTx wiring: NIRQS lines; MAP_IRQ NULL means the standard swizzle (slot + pin) % NIRQS. */
void pci_bus_set_irqs(PCIBus *bus, qemu_irq *irqs, int nirqs, PCIMapIrqFunc map_irq);
/* The bus of that name, the default bus for NULL, or NULL. */
PCIBus *pci_bus_find(const char *name);
PCIDevice *pci_bus_get_device(PCIBus *bus, uint8_t devfn);
/* The standard swizzle: line (slot + pin) % 4 for pin 0-3 (INTA#-INTD#). */
int pci_swizzle_map_irq(PCIDevice *d, int pin);

/*
 * Configuration access as a host bridge performs it, LEN 1, 2 or 4 at ADDR
 * naturally aligned: a function that does not exist reads all ones and drops
 * writes, as do accesses beyond its config space.
 */
uint32_t pci_bus_config_read(PCIBus *bus, uint8_t devfn, uint32_t addr, unsigned len);
void pci_bus_config_write(PCIBus *bus, uint8_t devfn, uint32_t addr, uint32_t val,
                          unsigned len);

/* ---- for device implementations ---- */

/* The device's own config access (what pci_bus_config_* forward to). */
uint32_t pci_config_read(PCIDevice *d, uint32_t addr, unsigned len);
void pci_config_write(PCIDevice *d, uint32_t addr, uint32_t val, unsigned len);

void pci_config_set_ids(PCIDevice *d, uint16_t vendor, uint16_t device, uint16_t subsys_vendor,
                        uint16_t subsys, uint8_t revision);
/* CLASS is base class << 8 | sub class. */
void pci_config_set_class(PCIDevice *d, uint16_t class_code, uint8_t prog_if);
/* PIN 1-4 (INTA#-INTD#); the device then drives it with pci_set_irq. */
void pci_config_set_interrupt_pin(PCIDevice *d, uint8_t pin);

/*
 * BAR N backed by MR (an I/O region or container whose size, a power of 2,
 * is the BAR's size; at least 16 bytes for memory, 4 for I/O). TYPE is
 * PCI_BASE_ADDRESS_SPACE_IO, or PCI_BASE_ADDRESS_MEM_TYPE_32/64 with
 * optionally PCI_BASE_ADDRESS_MEM_PREFETCH. A 64-bit BAR takes N and N+1.
 */
void pci_register_bar(PCIDevice *d, int n, uint8_t type, MemoryRegion *mr);
/* Where BAR N is mapped now, or PCI_BAR_UNMAPPED. */
uint64_t pci_get_bar_addr(const PCIDevice *d, int n);

/*
 * Links a capability of SIZE bytes with id CAP_ID into the list at OFFSET
 * (0: the next free dword-aligned offset after the header). Its bytes are
 * read-only unless the caller sets their write masks. Returns the offset,
 * or 0 with ERRP set when it does not fit or overlaps another one.
 */
uint8_t pci_add_capability(PCIDevice *d, uint8_t cap_id, uint8_t offset, uint8_t size,
                           GError **errp);
/* Offset of the first capability with id CAP_ID, 0 if none. */
uint8_t pci_find_capability(const PCIDevice *d, uint8_t cap_id);

/* INTx: LEVEL of the device's pin (set with pci_config_set_interrupt_pin). */
void pci_set_irq(PCIDevice *d, int level);

/* Bus mastering enabled (the device may do DMA and send MSIs). */
static inline bool pci_bus_master_enabled(const PCIDevice *d)
{
    return pci_get_word(d->config + PCI_COMMAND) & PCI_COMMAND_MASTER;
}

/* PCIDevice's migratable state, for a subtype's vmsd to embed with VMSTATE_STRUCT. */
extern const VMStateDescription vmstate_pci_device;

#endif
