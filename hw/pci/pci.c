/*
 * The PCI core: the bus registry and device/function allocation, the
 * abstract "pci-device" type with its realize (bus= and addr= properties),
 * reset and migratable state, configuration space semantics (write masks,
 * write-1-to-clear status bits, read-only ids), BAR sizing and mapping that
 * follows the BAR registers and the command register, the capability list
 * and INTx routed through the bus's pin map, wired-OR per line.
 */
#include "util/osdep.h"

#include "hw/pci/msi.h"
#include "hw/pci/pci.h"
#include "util/log.h"

static GPtrArray *pci_buses;

PCIBus *pci_bus_new(const char *name, MemoryRegion *mem, MemoryRegion *io, bool express)
{
    PCIBus *bus = g_new0(PCIBus, 1);

    bus->name = g_strdup(name);
    bus->mem = mem;
    bus->io = io;
    bus->express = express;
    if (!pci_buses) {
        pci_buses = g_ptr_array_new();
    }
    g_ptr_array_add(pci_buses, bus);
    return bus;
}

void pci_bus_set_irqs(PCIBus *bus, qemu_irq *irqs, int nirqs, PCIMapIrqFunc map_irq)
{
    g_assert(nirqs > 0);
    g_free(bus->irq_count);
    bus->irqs = irqs;
    bus->nirqs = nirqs;
    bus->map_irq = map_irq;
    bus->irq_count = g_new0(int, nirqs);
}

PCIBus *pci_bus_find(const char *name)
{
    for (guint i = 0; pci_buses && i < pci_buses->len; i++) {
        PCIBus *bus = g_ptr_array_index(pci_buses, i);

        if (!name || !strcmp(bus->name, name)) {
            return bus;
        }
    }
    return NULL;
}

PCIDevice *pci_bus_get_device(PCIBus *bus, uint8_t devfn)
{
    return bus->devices[devfn];
}

int pci_swizzle_map_irq(PCIDevice *d, int pin)
{
    return (PCI_SLOT(d->devfn) + pin) % PCI_NUM_PINS;
}

/* ---- config space ---- */

static bool pci_config_range_ok(PCIDevice *d, uint32_t addr, unsigned len)
{
    return (len == 1 || len == 2 || len == 4) && !(addr & (len - 1)) &&
           addr < d->config_size && len <= d->config_size - addr;
}

uint32_t pci_bus_config_read(PCIBus *bus, uint8_t devfn, uint32_t addr, unsigned len)
{
    PCIDevice *d = bus->devices[devfn];

    if (!d || !pci_config_range_ok(d, addr, len)) {
        return len >= 4 ? UINT32_MAX : (1u << (len * 8)) - 1;
    }
    return pci_config_read(d, addr, len);
}

void pci_bus_config_write(PCIBus *bus, uint8_t devfn, uint32_t addr, uint32_t val,
                          unsigned len)
{
    PCIDevice *d = bus->devices[devfn];

    if (d && pci_config_range_ok(d, addr, len)) {
        pci_config_write(d, addr, val, len);
    }
}

uint32_t pci_config_read(PCIDevice *d, uint32_t addr, unsigned len)
{
    uint32_t val = 0;

    if (!pci_config_range_ok(d, addr, len)) {
        return len >= 4 ? UINT32_MAX : (1u << (len * 8)) - 1;
    }
    if (d->ops && d->ops->config_read) {
        d->ops->config_read(d, addr, len);
    }
    for (unsigned i = 0; i < len; i++) {
        val |= (uint32_t)d->config[addr + i] << (i * 8);
    }
    return val;
}

static bool ranges_overlap(uint32_t a, unsigned alen, uint32_t b, unsigned blen)
{
    return a < b + blen && b < a + alen;
}

/*
 * Where BAR N would decode now: its address if the command register enables
 * its space and the address is usable, else PCI_BAR_UNMAPPED. Address 0 and
 * the all-ones sizing pattern do not decode (no firmware places a BAR
 * there), nor does a BAR that would run past the end of its space.
 */
static uint64_t pci_bar_decode_addr(PCIDevice *d, int n)
{
    PCIBar *bar = &d->bars[n];
    uint16_t cmd = pci_get_word(d->config + PCI_COMMAND);
    uint32_t off = PCI_BASE_ADDRESS_0 + n * 4;
    uint64_t addr, limit;

    if (bar->type & PCI_BASE_ADDRESS_SPACE_IO) {
        if (!(cmd & PCI_COMMAND_IO)) {
            return PCI_BAR_UNMAPPED;
        }
        addr = pci_get_long(d->config + off) & PCI_BASE_ADDRESS_IO_MASK & UINT32_MAX;
        limit = 0x10000;
    } else {
        if (!(cmd & PCI_COMMAND_MEMORY)) {
            return PCI_BAR_UNMAPPED;
        }
        if (bar->type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
            addr = pci_get_quad(d->config + off) & PCI_BASE_ADDRESS_MEM_MASK;
            limit = 0;      /* the whole 64-bit space */
        } else {
            addr = pci_get_long(d->config + off) & PCI_BASE_ADDRESS_MEM_MASK & UINT32_MAX;
            limit = 1ULL << 32;
        }
    }
    if (addr == 0) {
        return PCI_BAR_UNMAPPED;
    }
    if (limit) {
        if (addr + bar->size > limit || addr == ((limit - 1) & ~(bar->size - 1))) {
            return PCI_BAR_UNMAPPED;
        }
    } else if (addr + bar->size < addr || addr == ~(bar->size - 1)) {
        return PCI_BAR_UNMAPPED;
    }
    return addr;
}

/* Brings every BAR's mapping in line with the registers, in one memory transaction. */
static void pci_update_mappings(PCIDevice *d)
{
    memory_region_transaction_begin();
    for (int n = 0; n < PCI_NUM_BARS; n++) {
        PCIBar *bar = &d->bars[n];
        MemoryRegion *space;
        uint64_t addr;

        if (!bar->mr) {
            continue;
        }
        space = bar->type & PCI_BASE_ADDRESS_SPACE_IO ? d->bus->io : d->bus->mem;
        addr = space ? pci_bar_decode_addr(d, n) : PCI_BAR_UNMAPPED;
        if (addr == bar->addr) {
            continue;
        }
        if (bar->addr != PCI_BAR_UNMAPPED) {
            memory_region_del_subregion(space, bar->mr);
        }
        bar->addr = addr;
        if (addr != PCI_BAR_UNMAPPED) {
            /* Below the board's own devices and RAM where they overlap. */
            memory_region_add_subregion_overlap(space, addr, bar->mr, 0);
        }
        if (d->ops && d->ops->bar_mapped) {
            d->ops->bar_mapped(d, n, addr);
        }
    }
    memory_region_transaction_commit();
}

/* The bus line INTx reaches with the current registers, -1 when it is not driven. */
static int pci_intx_line(PCIDevice *d)
{
    uint8_t pin = d->config[PCI_INTERRUPT_PIN];
    PCIBus *bus = d->bus;
    int line;

    if (!d->irq_level || !pin || pin > PCI_NUM_PINS || !bus->nirqs ||
        (pci_get_word(d->config + PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE)) {
        return -1;
    }
    line = bus->map_irq ? bus->map_irq(d, pin - 1) : pci_swizzle_map_irq(d, pin - 1) % bus->nirqs;
    return line >= 0 && line < bus->nirqs ? line : -1;
}

/* Moves the device's contribution to the wired-OR lines to where it belongs now. */
static void pci_update_intx(PCIDevice *d)
{
    PCIBus *bus = d->bus;
    int line = pci_intx_line(d);
    uint16_t status = pci_get_word(d->config + PCI_STATUS) & ~PCI_STATUS_INTERRUPT;

    pci_set_word(d->config + PCI_STATUS, status | (d->irq_level ? PCI_STATUS_INTERRUPT : 0));
    if (line == d->irq_line) {
        return;
    }
    if (d->irq_line >= 0 && --bus->irq_count[d->irq_line] == 0) {
        irq_set(bus->irqs[d->irq_line], 0);
    }
    if (line >= 0 && bus->irq_count[line]++ == 0) {
        irq_set(bus->irqs[line], 1);
    }
    d->irq_line = line;
}

void pci_set_irq(PCIDevice *d, int level)
{
    if (!d->config[PCI_INTERRUPT_PIN]) {
        g_error("pci_set_irq: %s has no interrupt pin", d->parent_obj.type->name);
    }
    d->irq_level = level != 0;
    pci_update_intx(d);
}

void pci_config_write(PCIDevice *d, uint32_t addr, uint32_t val, unsigned len)
{
    uint16_t msix_flags_old = 0;

    if (!pci_config_range_ok(d, addr, len)) {
        log_mask_printf(LOG_GUEST_ERROR, "pci %02x.%x: config write of %u bytes at 0x%x "
                        "ignored\n", PCI_SLOT(d->devfn), PCI_FUNC(d->devfn), len, addr);
        return;
    }
    if (d->msix_cap) {
        msix_flags_old = pci_get_word(d->config + d->msix_cap + PCI_MSIX_FLAGS);
    }
    for (unsigned i = 0; i < len; i++) {
        uint8_t b = val >> (i * 8);
        uint8_t *c = &d->config[addr + i];

        *c = (*c & ~d->wmask[addr + i]) | (b & d->wmask[addr + i]);
        *c &= ~(b & d->w1cmask[addr + i]);
    }
    if (ranges_overlap(addr, len, PCI_COMMAND, 2) ||
        ranges_overlap(addr, len, PCI_BASE_ADDRESS_0, PCI_NUM_BARS * 4)) {
        pci_update_mappings(d);
    }
    if (ranges_overlap(addr, len, PCI_COMMAND, 2) ||
        ranges_overlap(addr, len, PCI_INTERRUPT_PIN, 1)) {
        pci_update_intx(d);
    }
    if (d->msi_cap) {
        msi_config_write(d, addr, val, len);
    }
    if (d->msix_cap) {
        msix_config_write(d, addr, val, len, msix_flags_old);
    }
    if (d->ops && d->ops->config_write) {
        d->ops->config_write(d, addr, val, len);
    }
}

void pci_config_set_ids(PCIDevice *d, uint16_t vendor, uint16_t device, uint16_t subsys_vendor,
                        uint16_t subsys, uint8_t revision)
{
    pci_set_word(d->config + PCI_VENDOR_ID, vendor);
    pci_set_word(d->config + PCI_DEVICE_ID, device);
    pci_set_word(d->config + PCI_SUBSYSTEM_VENDOR_ID, subsys_vendor);
    pci_set_word(d->config + PCI_SUBSYSTEM_ID, subsys);
    d->config[PCI_REVISION_ID] = revision;
}

void pci_config_set_class(PCIDevice *d, uint16_t class_code, uint8_t prog_if)
{
    pci_set_word(d->config + PCI_CLASS_DEVICE, class_code);
    d->config[PCI_CLASS_PROG] = prog_if;
}

void pci_config_set_interrupt_pin(PCIDevice *d, uint8_t pin)
{
    g_assert(pin <= PCI_NUM_PINS);
    d->config[PCI_INTERRUPT_PIN] = pin;
}

void pci_register_bar(PCIDevice *d, int n, uint8_t type, MemoryRegion *mr)
{
    uint64_t size = memory_region_size(mr);
    uint32_t off = PCI_BASE_ADDRESS_0 + n * 4;
    bool is64 = !(type & PCI_BASE_ADDRESS_SPACE_IO) && (type & PCI_BASE_ADDRESS_MEM_TYPE_64);
    uint64_t mask;

    g_assert(n >= 0 && n < PCI_NUM_BARS && !d->bars[n].mr);
    g_assert(!is64 || (n + 1 < PCI_NUM_BARS && !d->bars[n + 1].mr));
    g_assert(size && !(size & (size - 1)));
    g_assert(type & PCI_BASE_ADDRESS_SPACE_IO ? size >= 4 && size <= 0x10000 : size >= 16);
    g_assert(is64 || size <= (1ULL << 31));

    d->bars[n] = (PCIBar){ .mr = mr, .size = size, .type = type, .addr = PCI_BAR_UNMAPPED };
    /* The address bits below the size read as zero; the type bits are read-only. */
    mask = ~(size - 1) & (type & PCI_BASE_ADDRESS_SPACE_IO ? PCI_BASE_ADDRESS_IO_MASK
                                                           : PCI_BASE_ADDRESS_MEM_MASK);
    pci_set_long(d->config + off, type);
    pci_set_long(d->wmask + off, mask);
    if (is64) {
        pci_set_long(d->config + off + 4, 0);
        pci_set_long(d->wmask + off + 4, mask >> 32);
    }
}

uint64_t pci_get_bar_addr(const PCIDevice *d, int n)
{
    return n >= 0 && n < PCI_NUM_BARS && d->bars[n].mr ? d->bars[n].addr : PCI_BAR_UNMAPPED;
}

uint8_t pci_add_capability(PCIDevice *d, uint8_t cap_id, uint8_t offset, uint8_t size,
                           GError **errp)
{
    unsigned start = offset ? offset : ROUND_UP(d->cap_next, 4);

    if (start < PCI_CONFIG_HEADER_SIZE || start + size > PCI_CONFIG_SPACE_SIZE ||
        (start & 3) || size < 2) {
        error_setg(errp, "PCI capability 0x%02x of %u bytes does not fit at 0x%x", cap_id,
                   size, start);
        return 0;
    }
    for (unsigned i = start; i < start + size; i++) {
        if (d->cap_used[i / 8] & (1u << (i % 8))) {
            error_setg(errp, "PCI capability 0x%02x at 0x%x overlaps another one at 0x%x",
                       cap_id, start, i);
            return 0;
        }
    }
    for (unsigned i = start; i < start + size; i++) {
        d->cap_used[i / 8] |= 1u << (i % 8);
    }
    memset(d->config + start, 0, size);
    d->config[start + PCI_CAP_LIST_ID] = cap_id;
    d->config[start + PCI_CAP_LIST_NEXT] = d->config[PCI_CAPABILITY_LIST];
    d->config[PCI_CAPABILITY_LIST] = start;
    pci_set_word(d->config + PCI_STATUS,
                 pci_get_word(d->config + PCI_STATUS) | PCI_STATUS_CAP_LIST);
    d->cap_next = MAX(d->cap_next, start + size);
    return start;
}

uint8_t pci_find_capability(const PCIDevice *d, uint8_t cap_id)
{
    /* At most 48 capabilities fit in 192 bytes: a bound against loops. */
    uint8_t p = d->config[PCI_CAPABILITY_LIST];

    for (int i = 0; p && i < 48; i++) {
        if (d->config[p + PCI_CAP_LIST_ID] == cap_id) {
            return p;
        }
        p = d->config[p + PCI_CAP_LIST_NEXT];
    }
    return 0;
}

/* ---- the device type ---- */

/* "SLOT[.FN]" in hex (QEMU's form), into a devfn. */
static bool pci_parse_addr(const char *s, int *devfn, GError **errp)
{
    char *end;
    unsigned long slot, fn = 0;

    slot = strtoul(s, &end, 16);
    if (end == s) {
        goto bad;
    }
    if (*end == '.') {
        const char *f = end + 1;

        fn = strtoul(f, &end, 16);
        if (end == f) {
            goto bad;
        }
    }
    if (*end || slot >= PCI_SLOT_MAX || fn >= PCI_FUNC_MAX) {
        goto bad;
    }
    *devfn = PCI_DEVFN(slot, fn);
    return true;
bad:
    error_setg(errp, "invalid PCI address '%s': expected SLOT[.FUNCTION] in hex, slot below "
               "0x20, function below 8", s);
    return false;
}

static bool pci_device_realize(DeviceState *dev, GError **errp)
{
    PCIDevice *d = PCI_DEVICE(dev);
    PCIBus *bus = pci_bus_find(d->bus_name);
    int devfn = -1;

    if (!bus) {
        if (d->bus_name) {
            error_setg(errp, "no PCI bus '%s'", d->bus_name);
        } else {
            error_setg(errp, "the machine has no PCI bus (on microvm: -M microvm,pcie=on)");
        }
        return false;
    }
    if (d->addr) {
        if (!pci_parse_addr(d->addr, &devfn, errp)) {
            return false;
        }
        if (bus->devices[devfn]) {
            error_setg(errp, "PCI address %02x.%x on %s is taken by %s", PCI_SLOT(devfn),
                       PCI_FUNC(devfn), bus->name, bus->devices[devfn]->parent_obj.type->name);
            return false;
        }
    } else {
        for (int slot = 0; slot < PCI_SLOT_MAX && devfn < 0; slot++) {
            bool free = true;

            for (int fn = 0; fn < PCI_FUNC_MAX; fn++) {
                free &= !bus->devices[PCI_DEVFN(slot, fn)];
            }
            devfn = free ? PCI_DEVFN(slot, 0) : -1;
        }
        if (devfn < 0) {
            error_setg(errp, "PCI bus %s is full", bus->name);
            return false;
        }
    }

    d->bus = bus;
    d->devfn = devfn;
    d->config_size = bus->express ? PCIE_CONFIG_SPACE_SIZE : PCI_CONFIG_SPACE_SIZE;
    d->cap_next = PCI_CONFIG_HEADER_SIZE;
    d->irq_line = -1;
    pci_set_word(d->wmask + PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
                 PCI_COMMAND_MASTER | PCI_COMMAND_PARITY | PCI_COMMAND_SERR |
                 PCI_COMMAND_INTX_DISABLE);
    pci_set_word(d->w1cmask + PCI_STATUS, PCI_STATUS_PARITY | PCI_STATUS_SIG_TARGET_ABORT |
                 PCI_STATUS_REC_TARGET_ABORT | PCI_STATUS_REC_MASTER_ABORT |
                 PCI_STATUS_SIG_SYSTEM_ERROR | PCI_STATUS_DETECTED_PARITY);
    d->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
    d->wmask[PCI_LATENCY_TIMER] = 0xff;
    d->wmask[PCI_INTERRUPT_LINE] = 0xff;
    d->config[PCI_HEADER_TYPE] = d->multifunction ? PCI_HEADER_TYPE_MULTI_FUNCTION : 0;
    for (int n = 0; n < PCI_NUM_BARS; n++) {
        d->bars[n].addr = PCI_BAR_UNMAPPED;
    }

    bus->devices[devfn] = d;
    if (d->ops && d->ops->realize && !d->ops->realize(d, errp)) {
        bus->devices[devfn] = NULL;
        d->bus = NULL;
        return false;
    }
    return true;
}

static void pci_device_reset(DeviceState *dev)
{
    PCIDevice *d = PCI_DEVICE(dev);

    if (!d->bus) {
        return;
    }
    pci_set_word(d->config + PCI_COMMAND, 0);
    pci_set_word(d->config + PCI_STATUS,
                 pci_get_word(d->config + PCI_STATUS) & PCI_STATUS_CAP_LIST);
    d->config[PCI_CACHE_LINE_SIZE] = 0;
    d->config[PCI_LATENCY_TIMER] = 0;
    d->config[PCI_INTERRUPT_LINE] = 0;
    for (int n = 0; n < PCI_NUM_BARS; n++) {
        PCIBar *bar = &d->bars[n];
        uint32_t off = PCI_BASE_ADDRESS_0 + n * 4;

        if (bar->mr) {
            pci_set_long(d->config + off, bar->type);
            if (!(bar->type & PCI_BASE_ADDRESS_SPACE_IO) &&
                (bar->type & PCI_BASE_ADDRESS_MEM_TYPE_64)) {
                pci_set_long(d->config + off + 4, 0);
            }
        }
    }
    d->irq_level = false;
    pci_update_mappings(d);
    pci_update_intx(d);
    if (d->msi_cap) {
        uint16_t flags = pci_get_word(d->config + d->msi_cap + PCI_MSI_FLAGS);

        pci_set_word(d->config + d->msi_cap + PCI_MSI_FLAGS,
                     flags & ~(PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE));
        memset(d->config + d->msi_cap + PCI_MSI_ADDRESS_LO, 0,
               (flags & PCI_MSI_FLAGS_64BIT ? PCI_MSI_PENDING_64 : PCI_MSI_PENDING_32) + 4 -
               PCI_MSI_ADDRESS_LO);
    }
    if (d->msix_cap) {
        msix_reset(d);
    }
    if (d->ops && d->ops->reset) {
        d->ops->reset(d);
    }
}

static void pci_device_finalize(DeviceState *dev)
{
    PCIDevice *d = PCI_DEVICE(dev);

    if (!d->bus) {
        return;
    }
    pci_set_word(d->config + PCI_COMMAND, 0);
    d->irq_level = false;
    pci_update_mappings(d);
    pci_update_intx(d);
    if (d->ops && d->ops->unrealize) {
        d->ops->unrealize(d);
    }
    d->bus->devices[d->devfn] = NULL;
    d->bus = NULL;
}

static int pci_device_post_load(void *opaque, int version_id)
{
    PCIDevice *d = opaque;

    pci_update_mappings(d);
    pci_update_intx(d);
    return 0;
}

const VMStateDescription vmstate_pci_device = {
    .name = "pci-device",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = pci_device_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_BUFFER(config, PCIDevice),
        VMSTATE_BOOL(irq_level, PCIDevice),
        VMSTATE_BUFFER(msix_table, PCIDevice),
        VMSTATE_BUFFER(msix_pba, PCIDevice),
        VMSTATE_END_OF_LIST()
    },
};

static const Property pci_device_props[] = {
    DEFINE_PROP_STRING("bus", PCIDevice, bus_name),
    DEFINE_PROP_STRING("addr", PCIDevice, addr),
    DEFINE_PROP_BOOL("multifunction", PCIDevice, multifunction, false),
    DEFINE_PROP_END_OF_LIST(),
};

static const TypeInfo pci_device_type = {
    .name = TYPE_PCI_DEVICE,
    .parent = "device",
    .instance_size = sizeof(PCIDevice),
    .desc = "PCI device",
    .abstract = true,
    .props = pci_device_props,
    .realize = pci_device_realize,
    .reset = pci_device_reset,
    .finalize = pci_device_finalize,
    .vmsd = &vmstate_pci_device,
};

static void pci_register_types(void)
{
    type_register(&pci_device_type);
}
type_init(pci_register_types)
