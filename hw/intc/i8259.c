/*
 * "i8259": the two cascaded 8259A PICs of a PC, written from Intel's 8259A
 * datasheet. Each chip keeps IRR, IMR and ISR; priorities rotate around a
 * "lowest priority" base (OCW2 rotate commands); ICW1-ICW4 program the vector
 * base, cascading, auto-EOI and special fully nested mode; OCW3 selects IRR
 * or ISR reads, poll mode and special mask mode. Inputs are edge triggered
 * unless ICW1's LTIM or the input's ELCR bit (0x4d0/0x4d1) makes them level
 * triggered. The slave's INT output is the master's input 2. An acknowledge
 * whose request disappeared answers IR7 of the chip (spurious), without
 * setting its in-service bit, as the 8259A does.
 */
#include "util/osdep.h"

#include "exec/memory.h"
#include "hw/intc/i8259.h"
#include "util/log.h"

typedef struct PicChip {
    uint8_t irr;
    uint8_t imr;
    uint8_t isr;
    uint8_t elcr;
    uint8_t elcr_mask;          /* inputs whose trigger mode the ELCR may choose */
    uint8_t line;               /* input levels, for edge detection */
    uint8_t lowest;             /* lowest-priority input is lowest - 1 (mod 8) */
    uint8_t irq_base;
    uint8_t init_state;         /* 0: ready, 1-3: ICW2-ICW4 expected next */
    bool icw4_needed;
    bool single;
    bool ltim;
    bool auto_eoi;
    bool rotate_auto_eoi;
    bool sfnm;                  /* special fully nested mode */
    bool special_mask;
    bool read_isr;
    bool poll;
} PicChip;

typedef struct I8259State {
    DeviceState parent_obj;
    PicChip chip[2];            /* master, slave */
    uint8_t intr_level;
    qemu_irq intr;
    qemu_irq inputs[16];
    MemoryRegion io[2];
    MemoryRegion elcr_io;
    bool mapped;
} I8259State;

static bool pic_level_mode(const PicChip *c, unsigned irq)
{
    return c->ltim || (c->elcr & (1u << irq));
}

/* Priority rank (0 highest) of the best input in MASK, 8 if none. */
static unsigned pic_priority(const PicChip *c, uint8_t mask)
{
    for (unsigned rank = 0; rank < 8; rank++) {
        if (mask & (1u << ((rank + c->lowest) & 7))) {
            return rank;
        }
    }
    return 8;
}

/* The input the chip would request an interrupt for, or -1. */
static int pic_pending(const PicChip *c, bool master)
{
    unsigned want = pic_priority(c, c->irr & ~c->imr);
    uint8_t in_service = c->isr;

    if (want == 8) {
        return -1;
    }
    if (c->special_mask) {
        in_service &= ~c->imr;
    }
    if (master && c->sfnm) {
        in_service &= ~(1u << 2);
    }
    if (want < pic_priority(c, in_service)) {
        return (want + c->lowest) & 7;
    }
    return -1;
}

static void pic_chip_set_input(PicChip *c, unsigned irq, int level)
{
    uint8_t mask = 1u << irq;

    if (pic_level_mode(c, irq)) {
        c->irr = level ? c->irr | mask : c->irr & ~mask;
    } else if (level && !(c->line & mask)) {
        c->irr |= mask;
    }
    c->line = level ? c->line | mask : c->line & ~mask;
}

static void pic_update(I8259State *s)
{
    int level;

    pic_chip_set_input(&s->chip[0], 2, pic_pending(&s->chip[1], false) >= 0);
    level = pic_pending(&s->chip[0], true) >= 0;
    if (level != s->intr_level) {
        s->intr_level = level;
        irq_set(s->intr, level);
    }
}

static void pic_set_input(void *opaque, int n, int level)
{
    I8259State *s = opaque;

    pic_chip_set_input(&s->chip[n >> 3], n & 7, level);
    pic_update(s);
}

/* Moves IRQ to in-service (unless auto-EOI) and drops an edge request. */
static void pic_chip_ack(PicChip *c, unsigned irq)
{
    if (c->auto_eoi) {
        if (c->rotate_auto_eoi) {
            c->lowest = (irq + 1) & 7;
        }
    } else {
        c->isr |= 1u << irq;
    }
    if (!pic_level_mode(c, irq)) {
        c->irr &= ~(1u << irq);
    }
}

int i8259_inta(DeviceState *dev)
{
    I8259State *s = DEVICE_CAST(I8259State, dev);
    PicChip *m = &s->chip[0], *sl = &s->chip[1];
    int irq = pic_pending(m, true);
    int vector;

    if (irq < 0) {
        vector = m->irq_base + 7;
    } else if (irq == 2 && !m->single) {
        int irq2 = pic_pending(sl, false);

        pic_chip_ack(m, 2);
        if (irq2 < 0) {
            vector = sl->irq_base + 7;
        } else {
            pic_chip_ack(sl, irq2);
            vector = sl->irq_base + irq2;
        }
    } else {
        pic_chip_ack(m, irq);
        vector = m->irq_base + irq;
    }
    pic_update(s);
    return vector;
}

/* ICW1: the chip starts its initialization sequence. */
static void pic_icw1(PicChip *c, uint8_t val)
{
    c->imr = 0;
    c->isr = 0;
    c->irr = 0;
    c->line = 0;
    c->lowest = 0;
    c->special_mask = false;
    c->read_isr = false;
    c->poll = false;
    c->auto_eoi = false;
    c->rotate_auto_eoi = false;
    c->sfnm = false;
    c->icw4_needed = val & 1;
    c->single = val & 2;
    c->ltim = val & 8;
    if (val & 4) {
        log_mask_printf(LOG_UNIMP, "i8259: ICW1 call address interval 4 ignored\n");
    }
    c->init_state = 1;
}

static void pic_eoi(PicChip *c, uint8_t val)
{
    unsigned cmd = val >> 5;
    int irq = -1;

    switch (cmd) {
    case 0:     /* rotate in automatic EOI mode: clear */
    case 4:     /* ... set */
        c->rotate_auto_eoi = cmd == 4;
        return;
    case 1:     /* non-specific EOI */
    case 5: {   /* rotate on non-specific EOI */
        unsigned rank = pic_priority(c, c->isr);

        if (rank < 8) {
            irq = (rank + c->lowest) & 7;
        }
        break;
    }
    case 3:     /* specific EOI */
    case 7:     /* rotate on specific EOI */
        irq = val & 7;
        break;
    case 6:     /* set priority: IR(val) becomes the lowest */
        c->lowest = (val + 1) & 7;
        return;
    default:    /* 2: no operation */
        return;
    }
    if (irq >= 0) {
        c->isr &= ~(1u << irq);
        if (cmd == 5 || cmd == 7) {
            c->lowest = (irq + 1) & 7;
        }
    }
}

static void pic_chip_write(PicChip *c, unsigned port, uint8_t val)
{
    if (port == 0) {
        if (val & 0x10) {
            pic_icw1(c, val);
        } else if (val & 0x08) {                /* OCW3 */
            c->poll = val & 4;
            if (val & 2) {
                c->read_isr = val & 1;
            }
            if (val & 0x40) {
                c->special_mask = val & 0x20;
            }
        } else {                                /* OCW2 */
            pic_eoi(c, val);
        }
        return;
    }
    switch (c->init_state) {
    case 0:                                     /* OCW1 */
        c->imr = val;
        break;
    case 1:                                     /* ICW2 */
        c->irq_base = val & 0xf8;
        c->init_state = !c->single ? 2 : c->icw4_needed ? 3 : 0;
        break;
    case 2:                                     /* ICW3: the wiring is fixed */
        c->init_state = c->icw4_needed ? 3 : 0;
        break;
    default:                                    /* ICW4 */
        if (!(val & 1)) {
            log_mask_printf(LOG_UNIMP, "i8259: ICW4 8080/8085 mode ignored\n");
        }
        c->auto_eoi = val & 2;
        c->sfnm = val & 0x10;
        c->init_state = 0;
        break;
    }
}

/* Poll mode read: the acknowledge cycle without a vector (bit 7: a request). */
static uint8_t pic_poll(I8259State *s, PicChip *c)
{
    int irq = pic_pending(c, c == &s->chip[0]);

    c->poll = false;
    if (irq < 0) {
        return 0;
    }
    pic_chip_ack(c, irq);
    return 0x80 | irq;
}

static uint64_t pic_io_read(I8259State *s, unsigned idx, uint64_t addr)
{
    PicChip *c = &s->chip[idx];
    uint8_t val;

    if (c->poll) {
        val = pic_poll(s, c);
        pic_update(s);
        return val;
    }
    if (addr == 0) {
        return c->read_isr ? c->isr : c->irr;
    }
    return c->imr;
}

static uint64_t pic_master_read(void *opaque, uint64_t addr, unsigned size)
{
    return pic_io_read(opaque, 0, addr);
}

static uint64_t pic_slave_read(void *opaque, uint64_t addr, unsigned size)
{
    return pic_io_read(opaque, 1, addr);
}

static void pic_master_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    I8259State *s = opaque;

    pic_chip_write(&s->chip[0], addr, val);
    pic_update(s);
}

static void pic_slave_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    I8259State *s = opaque;

    pic_chip_write(&s->chip[1], addr, val);
    pic_update(s);
}

static uint64_t pic_elcr_read(void *opaque, uint64_t addr, unsigned size)
{
    I8259State *s = opaque;

    return s->chip[addr].elcr;
}

static void pic_elcr_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    I8259State *s = opaque;
    PicChip *c = &s->chip[addr];

    c->elcr = val & c->elcr_mask;
    /* A line turned level-triggered requests while it is high. */
    c->irr = (c->irr & ~c->elcr) | (c->line & c->elcr);
    pic_update(s);
}

static const MemoryRegionOps pic_master_ops = {
    .read = pic_master_read,
    .write = pic_master_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static const MemoryRegionOps pic_slave_ops = {
    .read = pic_slave_read,
    .write = pic_slave_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static const MemoryRegionOps pic_elcr_ops = {
    .read = pic_elcr_read,
    .write = pic_elcr_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

/* Power-on: everything cleared until the guest programs the chips (ICW1-ICW4). */
static void i8259_reset(DeviceState *dev)
{
    I8259State *s = DEVICE_CAST(I8259State, dev);

    for (unsigned i = 0; i < 2; i++) {
        PicChip *c = &s->chip[i];
        uint8_t line = c->line, elcr_mask = c->elcr_mask;

        *c = (PicChip){ .elcr_mask = elcr_mask, .line = line };
    }
    pic_update(s);
}

static bool i8259_realize(DeviceState *dev, GError **errp)
{
    I8259State *s = DEVICE_CAST(I8259State, dev);

    /* IRQs 0, 1, 2 (master) and 8, 13 (slave) are always edge triggered. */
    s->chip[0].elcr_mask = 0xf8;
    s->chip[1].elcr_mask = 0xde;
    for (int i = 0; i < 16; i++) {
        s->inputs[i] = irq_new(pic_set_input, s, i);
    }
    memory_region_init_io(&s->io[0], &pic_master_ops, s, "i8259-master", 2);
    memory_region_init_io(&s->io[1], &pic_slave_ops, s, "i8259-slave", 2);
    memory_region_init_io(&s->elcr_io, &pic_elcr_ops, s, "i8259-elcr", 2);
    memory_region_add_subregion(get_system_io(), 0x20, &s->io[0]);
    memory_region_add_subregion(get_system_io(), 0xa0, &s->io[1]);
    memory_region_add_subregion(get_system_io(), 0x4d0, &s->elcr_io);
    s->mapped = true;
    i8259_reset(dev);
    return true;
}

static void i8259_finalize(DeviceState *dev)
{
    I8259State *s = DEVICE_CAST(I8259State, dev);

    if (s->mapped) {
        memory_region_del_subregion(get_system_io(), &s->io[0]);
        memory_region_del_subregion(get_system_io(), &s->io[1]);
        memory_region_del_subregion(get_system_io(), &s->elcr_io);
    }
    for (int i = 0; i < 16; i++) {
        irq_free(s->inputs[i]);
    }
}

static int i8259_post_load(void *opaque, int version_id)
{
    I8259State *s = opaque;

    s->intr_level = 0;
    pic_update(s);
    return 0;
}

static const VMStateField pic_chip_fields[] = {
    VMSTATE_UINT8(irr, PicChip),
    VMSTATE_UINT8(imr, PicChip),
    VMSTATE_UINT8(isr, PicChip),
    VMSTATE_UINT8(elcr, PicChip),
    VMSTATE_UINT8(line, PicChip),
    VMSTATE_UINT8(lowest, PicChip),
    VMSTATE_UINT8(irq_base, PicChip),
    VMSTATE_UINT8(init_state, PicChip),
    VMSTATE_BOOL(icw4_needed, PicChip),
    VMSTATE_BOOL(single, PicChip),
    VMSTATE_BOOL(ltim, PicChip),
    VMSTATE_BOOL(auto_eoi, PicChip),
    VMSTATE_BOOL(rotate_auto_eoi, PicChip),
    VMSTATE_BOOL(sfnm, PicChip),
    VMSTATE_BOOL(special_mask, PicChip),
    VMSTATE_BOOL(read_isr, PicChip),
    VMSTATE_BOOL(poll, PicChip),
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription pic_chip_vmstate = {
    .name = "i8259-chip",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = pic_chip_fields,
};

static const VMStateField i8259_fields[] = {
    VMSTATE_STRUCT(chip[0], I8259State, pic_chip_vmstate, PicChip),
    VMSTATE_STRUCT(chip[1], I8259State, pic_chip_vmstate, PicChip),
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription i8259_vmstate = {
    .name = TYPE_I8259,
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = i8259_fields,
    .post_load = i8259_post_load,
};

static const TypeInfo i8259_info = {
    .name = TYPE_I8259,
    .parent = "device",
    .instance_size = sizeof(I8259State),
    .desc = "8259A PIC pair (master 0x20, slave 0xa0, ELCR 0x4d0)",
    .realize = i8259_realize,
    .reset = i8259_reset,
    .finalize = i8259_finalize,
    .vmsd = &i8259_vmstate,
};

static void i8259_register(void)
{
    type_register(&i8259_info);
}
type_init(i8259_register)

DeviceState *i8259_create(qemu_irq intr, GError **errp)
{
    DeviceState *dev = qdev_new(TYPE_I8259);

    DEVICE_CAST(I8259State, dev)->intr = intr;
    return qdev_realize(dev, errp) ? dev : NULL;
}

qemu_irq i8259_get_irq(DeviceState *dev, int n)
{
    return n >= 0 && n < 16 ? DEVICE_CAST(I8259State, dev)->inputs[n] : NULL;
}
