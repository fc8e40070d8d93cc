/*
 * "ioapic": an I/O APIC after the 82093AA datasheet, with the version 0x20
 * EOI register of later chipsets. IOREGSEL (0x00) selects a register that
 * IOWIN (0x10) reads or writes: ID, version (24 entries), arbitration ID and
 * the 64-bit redirection entries (vector, delivery mode, destination mode,
 * delivery status, polarity, remote IRR, trigger mode, mask, destination).
 * Pins carry the asserted/deasserted state (polarity is the board's and
 * guest's agreement about wiring, as in other emulators). Edge-triggered
 * pins send a message on each assertion (kept pending while masked);
 * level-triggered pins send one and set remote IRR until a LAPIC broadcasts
 * the EOI of that vector, then send again if still asserted.
 */
#include "util/osdep.h"

#include "exec/memory.h"
#include "hw/intc/apic.h"
#include "hw/intc/ioapic.h"
#include "util/log.h"

#define IOAPIC_VERSION      0x20

#define RTE_VECTOR(e)       ((e) & 0xff)
#define RTE_DM(e)           (((e) >> 8) & 7)
#define RTE_LOGICAL         (1ULL << 11)
#define RTE_DELIV_STATUS    (1ULL << 12)
#define RTE_POLARITY        (1ULL << 13)
#define RTE_REMOTE_IRR      (1ULL << 14)
#define RTE_LEVEL           (1ULL << 15)
#define RTE_MASKED          (1ULL << 16)
#define RTE_RO_BITS         (RTE_DELIV_STATUS | RTE_REMOTE_IRR)
#define RTE_WRITABLE        (0xff00000000000000ULL | 0x1ffffULL)

typedef struct IOAPICState {
    DeviceState parent_obj;
    uint64_t addr;
    uint32_t id;
    uint32_t regsel;
    uint32_t irr;               /* pins requesting (edge: latched; level: asserted) */
    uint32_t level;             /* pin levels */
    uint64_t rte[IOAPIC_NUM_PINS];
    qemu_irq pins[IOAPIC_NUM_PINS];
    MemoryRegion mmio;
    bool mapped;
} IOAPICState;

static void ioapic_service(IOAPICState *s)
{
    for (unsigned pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        uint64_t e = s->rte[pin];

        if (!(s->irr & (1u << pin)) || (e & RTE_MASKED)) {
            continue;
        }
        if (e & RTE_LEVEL) {
            if (e & RTE_REMOTE_IRR) {
                continue;
            }
            s->rte[pin] |= RTE_REMOTE_IRR;
        } else {
            s->irr &= ~(1u << pin);
        }
        if (RTE_DM(e) == APIC_DM_STARTUP || RTE_DM(e) == 3 || RTE_DM(e) == 6) {
            log_mask_printf(LOG_GUEST_ERROR, "ioapic: pin %u: reserved delivery mode %u\n",
                            pin, (unsigned)RTE_DM(e));
            continue;
        }
        apic_deliver_irq(e >> 56, e & RTE_LOGICAL, RTE_DM(e), RTE_VECTOR(e), e & RTE_LEVEL);
    }
}

static void ioapic_set_pin(void *opaque, int pin, int level)
{
    IOAPICState *s = opaque;
    uint32_t mask = 1u << pin;
    bool was = s->level & mask;

    s->level = level ? s->level | mask : s->level & ~mask;
    if (s->rte[pin] & RTE_LEVEL) {
        s->irr = level ? s->irr | mask : s->irr & ~mask;
    } else if (level && !was) {
        s->irr |= mask;
    }
    ioapic_service(s);
}

/* A LAPIC accepted the EOI of level-triggered VECTOR. */
static void ioapic_eoi(void *opaque, uint8_t vector)
{
    IOAPICState *s = opaque;

    for (unsigned pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        if ((s->rte[pin] & RTE_LEVEL) && RTE_VECTOR(s->rte[pin]) == vector) {
            s->rte[pin] &= ~RTE_REMOTE_IRR;
        }
    }
    ioapic_service(s);
}

static uint32_t ioapic_read_reg(IOAPICState *s)
{
    unsigned reg = s->regsel & 0xff;

    switch (reg) {
    case 0x00:
        return s->id << 24;
    case 0x01:
        return ((IOAPIC_NUM_PINS - 1) << 16) | IOAPIC_VERSION;
    case 0x02:
        return s->id << 24;             /* arbitration ID */
    default:
        if (reg >= 0x10 && reg < 0x10 + 2 * IOAPIC_NUM_PINS) {
            uint64_t e = s->rte[(reg - 0x10) / 2];

            return reg & 1 ? e >> 32 : (uint32_t)e;
        }
        log_mask_printf(LOG_GUEST_ERROR, "ioapic: read of register 0x%x\n", reg);
        return 0;
    }
}

static void ioapic_write_reg(IOAPICState *s, uint32_t val)
{
    unsigned reg = s->regsel & 0xff;
    unsigned pin;
    uint64_t e;

    if (reg == 0x00) {
        s->id = (val >> 24) & 0xf;
        return;
    }
    if (reg < 0x10 || reg >= 0x10 + 2 * IOAPIC_NUM_PINS) {
        log_mask_printf(LOG_GUEST_ERROR, "ioapic: write to read-only register 0x%x\n", reg);
        return;
    }
    pin = (reg - 0x10) / 2;
    e = s->rte[pin];
    if (reg & 1) {
        e = (e & 0xffffffffULL) | ((uint64_t)val << 32);
    } else {
        e = (e & ~0xffffffffULL) | val;
    }
    s->rte[pin] = (e & RTE_WRITABLE & ~RTE_RO_BITS) | (s->rte[pin] & RTE_RO_BITS);
    if (!(s->rte[pin] & RTE_LEVEL)) {
        s->rte[pin] &= ~RTE_REMOTE_IRR;
    } else if (s->level & (1u << pin)) {
        s->irr |= 1u << pin;            /* an asserted level pin requests again */
    }
    ioapic_service(s);
}

static uint64_t ioapic_mmio_read(void *opaque, uint64_t addr, unsigned size)
{
    IOAPICState *s = opaque;

    switch (addr) {
    case 0x00:
        return s->regsel;
    case 0x10:
        return ioapic_read_reg(s);
    default:
        return 0;
    }
}

static void ioapic_mmio_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    IOAPICState *s = opaque;

    switch (addr) {
    case 0x00:
        s->regsel = val & 0xff;
        break;
    case 0x10:
        ioapic_write_reg(s, val);
        break;
    case 0x40:
        ioapic_eoi(s, val & 0xff);
        break;
    default:
        log_mask_printf(LOG_GUEST_ERROR, "ioapic: write at offset 0x%" PRIx64 " ignored\n",
                        addr);
        break;
    }
}

static const MemoryRegionOps ioapic_ops = {
    .read = ioapic_mmio_read,
    .write = ioapic_mmio_write,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
};

static void ioapic_reset(DeviceState *dev)
{
    IOAPICState *s = DEVICE_CAST(IOAPICState, dev);

    s->id = 0;
    s->regsel = 0;
    s->irr = 0;
    for (unsigned pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        s->rte[pin] = RTE_MASKED;
    }
}

static bool ioapic_realize(DeviceState *dev, GError **errp)
{
    IOAPICState *s = DEVICE_CAST(IOAPICState, dev);

    for (int i = 0; i < IOAPIC_NUM_PINS; i++) {
        s->pins[i] = irq_new(ioapic_set_pin, s, i);
    }
    memory_region_init_io(&s->mmio, &ioapic_ops, s, "ioapic", 0x1000);
    memory_region_add_subregion(get_system_memory(), s->addr, &s->mmio);
    s->mapped = true;
    apic_add_eoi_listener(ioapic_eoi, s);
    ioapic_reset(dev);
    return true;
}

static void ioapic_finalize(DeviceState *dev)
{
    IOAPICState *s = DEVICE_CAST(IOAPICState, dev);

    if (s->mapped) {
        memory_region_del_subregion(get_system_memory(), &s->mmio);
        for (int i = 0; i < IOAPIC_NUM_PINS; i++) {
            irq_free(s->pins[i]);
        }
    }
}

static const VMStateField ioapic_fields[] = {
    VMSTATE_UINT32(id, IOAPICState),
    VMSTATE_UINT32(regsel, IOAPICState),
    VMSTATE_UINT32(irr, IOAPICState),
    VMSTATE_UINT32(level, IOAPICState),
    VMSTATE_UINT64_ARRAY(rte, IOAPICState, IOAPIC_NUM_PINS),
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription ioapic_vmstate = {
    .name = TYPE_IOAPIC,
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = ioapic_fields,
};

static const Property ioapic_props[] = {
    DEFINE_PROP_UINT64("addr", IOAPICState, addr, IOAPIC_DEFAULT_BASE),
    DEFINE_PROP_END_OF_LIST(),
};

static const TypeInfo ioapic_info = {
    .name = TYPE_IOAPIC,
    .parent = "device",
    .instance_size = sizeof(IOAPICState),
    .desc = "I/O APIC, 24 pins",
    .props = ioapic_props,
    .realize = ioapic_realize,
    .reset = ioapic_reset,
    .finalize = ioapic_finalize,
    .vmsd = &ioapic_vmstate,
};

static void ioapic_register(void)
{
    type_register(&ioapic_info);
}
type_init(ioapic_register)

DeviceState *ioapic_create(GError **errp)
{
    DeviceState *dev = qdev_new(TYPE_IOAPIC);

    return qdev_realize(dev, errp) ? dev : NULL;
}

qemu_irq ioapic_get_irq(DeviceState *dev, int n)
{
    return n >= 0 && n < IOAPIC_NUM_PINS ? DEVICE_CAST(IOAPICState, dev)->pins[n] : NULL;
}
