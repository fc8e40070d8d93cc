/*
 * "i8254": the PC's interval timer, written from Intel's 8254 datasheet.
 * Each channel keeps the time its count was loaded (or its gate triggered)
 * and derives its counter and OUT from the host clock, so nothing ticks
 * while the guest does not look. Modes 0-5, binary or BCD counting, the
 * counter latch and read-back commands (count and status), LSB/MSB/word
 * access. Channel 0's OUT is IRQ 0: a host timer fires at each OUT
 * transition and the level is computed at the transition's own time, so a
 * late host timer still produces every edge. Port 0x61 gives channel 2's
 * gate (bit 0), the speaker enable (bit 1, stored), the refresh toggle
 * (bit 4) and channel 2's OUT (bit 5). Channels 0 and 1 have their gates tied high.
 */
#include "util/osdep.h"

#include "exec/memory.h"
#include "hw/timer/hwclock.h"
#include "hw/timer/i8254.h"
#include "util/log.h"

#define RW_LATCH    0
#define RW_LSB      1
#define RW_MSB      2
#define RW_WORD     3
#define RW_WORD_MSB 4       /* the second byte of a word access comes next */

typedef struct PitChannel {
    uint32_t count;             /* reload value in input clocks: 1-65536 (BCD: 1-10000) */
    uint16_t latched_count;
    uint8_t count_latched;      /* RW_LSB/RW_MSB/RW_WORD(_MSB) still to read, 0: none */
    uint8_t status;
    bool status_latched;
    uint8_t rw_mode;
    uint8_t read_state;
    uint8_t write_state;
    uint8_t write_lsb;
    uint8_t mode;
    bool bcd;
    bool gate;
    bool armed;                 /* counting since load_time */
    bool null_count;            /* a count was written but not loaded yet (status bit 6) */
    uint64_t load_time;         /* clock ns */
    uint64_t next_transition;   /* channel 0: clock ns of the OUT change the timer waits for */
    uint8_t irq_level;
} PitChannel;

typedef struct PitState {
    DeviceState parent_obj;
    PitChannel ch[3];
    uint8_t port61;             /* bits 0-3 as written */
    qemu_irq irq;
    HwTimer *timer;
    MemoryRegion io;
    MemoryRegion io61;
    bool mapped;
} PitState;

static uint64_t pit_ticks(uint64_t from_ns, uint64_t to_ns)
{
    return to_ns <= from_ns ? 0 :
           (uint64_t)((unsigned __int128)(to_ns - from_ns) * PIT_FREQ_HZ / 1000000000ULL);
}

/* Clock ns of input clock TICKS after the channel's load (rounded up). */
static uint64_t pit_tick_time(const PitChannel *c, uint64_t ticks)
{
    return c->load_time +
           (uint64_t)(((unsigned __int128)ticks * 1000000000ULL + PIT_FREQ_HZ - 1) / PIT_FREQ_HZ);
}

/* OUT after D input clocks of counting. */
static bool pit_out_at(const PitChannel *c, uint64_t d)
{
    if (!c->armed) {
        return c->mode != 0;
    }
    switch (c->mode) {
    case 0:
    case 1:
        return d >= c->count;
    case 2:
        return c->count < 2 || d % c->count != c->count - 1;
    case 3:
        return d % c->count < (c->count + 1) / 2;
    default:            /* 4, 5: one clock low at the terminal count */
        return d != c->count;
    }
}

/* Ticks after load of the first OUT change after D, or UINT64_MAX. */
static uint64_t pit_next_change(const PitChannel *c, uint64_t d)
{
    uint64_t base = d - d % c->count;

    if (!c->armed) {
        return UINT64_MAX;
    }
    switch (c->mode) {
    case 0:
    case 1:
        return d < c->count ? c->count : UINT64_MAX;
    case 2:
        if (c->count < 2) {
            return UINT64_MAX;
        }
        return d % c->count < c->count - 1 ? base + c->count - 1 : base + c->count;
    case 3:
        if (c->count < 2) {
            return UINT64_MAX;
        }
        return d % c->count < (c->count + 1) / 2 ? base + (c->count + 1) / 2 : base + c->count;
    default:
        return d < c->count ? c->count : d == c->count ? c->count + 1 : UINT64_MAX;
    }
}

static bool pit_out(const PitChannel *c, uint64_t now)
{
    if (!c->gate && (c->mode == 2 || c->mode == 3)) {
        return true;
    }
    return pit_out_at(c, pit_ticks(c->load_time, now));
}

/* Channel 0: drive IRQ 0 as OUT is at time T, and wait for the next change. */
static void pit_irq_update(PitState *s, uint64_t t)
{
    PitChannel *c = &s->ch[0];
    uint64_t next;
    uint8_t level = pit_out(c, t);

    if (level != c->irq_level) {
        c->irq_level = level;
        irq_set(s->irq, level);
    }
    next = pit_next_change(c, pit_ticks(c->load_time, t));
    if (next == UINT64_MAX || (!c->gate && (c->mode == 2 || c->mode == 3))) {
        hwtimer_del(s->timer);
        return;
    }
    c->next_transition = pit_tick_time(c, next);
    /* Far behind (the host stopped us): skip to the present rather than replay it all. */
    if ((int64_t)c->next_transition + 100000000 < hwclock_now_ns()) {
        uint64_t now = hwclock_now_ns();

        c->next_transition = pit_tick_time(c, pit_next_change(c, pit_ticks(c->load_time, now)));
    }
    hwtimer_mod(s->timer, c->next_transition);
}

static void pit_timer_expired(void *opaque)
{
    PitState *s = opaque;

    pit_irq_update(s, s->ch[0].next_transition);
}

static void pit_channel_changed(PitState *s, PitChannel *c)
{
    if (c == &s->ch[0]) {
        pit_irq_update(s, hwclock_now_ns());
    }
}

static uint16_t pit_to_bcd(uint32_t v)
{
    return (v % 10) | (v / 10 % 10) << 4 | (v / 100 % 10) << 8 | (v / 1000 % 10) << 12;
}

static uint32_t pit_from_bcd(uint16_t v)
{
    return (v & 0xf) + (v >> 4 & 0xf) * 10 + (v >> 8 & 0xf) * 100 + (v >> 12 & 0xf) * 1000;
}

/* The counting element now, as the guest reads it. */
static uint16_t pit_counter(const PitChannel *c, uint64_t now)
{
    uint64_t d = pit_ticks(c->load_time, now);
    uint32_t modulus = c->bcd ? 10000 : 65536;
    uint32_t v;

    if (!c->armed) {
        v = c->count % modulus;
    } else if (c->mode == 2) {
        v = c->count - d % c->count;
    } else if (c->mode == 3) {
        v = (c->count - (2 * d) % c->count) & ~1u;
    } else {
        v = (uint32_t)((c->count + modulus - d % modulus) % modulus);
    }
    return c->bcd ? pit_to_bcd(v % 10000) : (uint16_t)v;
}

static void pit_load(PitState *s, PitChannel *c, uint32_t raw)
{
    uint32_t v = c->bcd ? pit_from_bcd(raw) : raw;

    c->count = v ? v : c->bcd ? 10000 : 65536;
    c->null_count = false;
    /* Modes 1 and 5 wait for a gate trigger (a gate already high in this model counts). */
    c->load_time = hwclock_now_ns();
    c->armed = c->gate || (c->mode != 1 && c->mode != 5);
    pit_channel_changed(s, c);
}

static void pit_set_gate(PitState *s, PitChannel *c, bool gate)
{
    bool rising = gate && !c->gate;

    c->gate = gate;
    if (rising && c->count && (c->mode == 1 || c->mode == 2 || c->mode == 3 || c->mode == 5)) {
        c->load_time = hwclock_now_ns();
        c->armed = true;
    }
    pit_channel_changed(s, c);
}

static void pit_latch_count(PitChannel *c, uint64_t now)
{
    if (!c->count_latched) {
        c->latched_count = pit_counter(c, now);
        c->count_latched = c->rw_mode;
    }
}

static void pit_write_control(PitState *s, uint8_t val)
{
    uint64_t now = hwclock_now_ns();
    unsigned sel = val >> 6;
    PitChannel *c;

    if (sel == 3) {                             /* read-back */
        for (unsigned i = 0; i < 3; i++) {
            c = &s->ch[i];
            if (!(val & (2u << i))) {
                continue;
            }
            if (!(val & 0x20)) {
                pit_latch_count(c, now);
            }
            if (!(val & 0x10) && !c->status_latched) {
                c->status = pit_out(c, now) << 7 | c->null_count << 6 | c->rw_mode << 4 |
                            c->mode << 1 | c->bcd;
                c->status_latched = true;
            }
        }
        return;
    }
    c = &s->ch[sel];
    if (((val >> 4) & 3) == RW_LATCH) {
        pit_latch_count(c, now);
        return;
    }
    c->rw_mode = (val >> 4) & 3;
    c->read_state = c->write_state = c->rw_mode;
    c->mode = (val >> 1) & 7;
    if (c->mode >= 6) {
        c->mode -= 4;
    }
    c->bcd = val & 1;
    c->count_latched = 0;
    c->status_latched = false;
    c->null_count = true;
    c->armed = false;                           /* until a count is written */
    pit_channel_changed(s, c);
}

static void pit_write_data(PitState *s, PitChannel *c, uint8_t val)
{
    switch (c->write_state) {
    case RW_LSB:
        pit_load(s, c, val);
        break;
    case RW_MSB:
        pit_load(s, c, val << 8);
        break;
    case RW_WORD:
        c->write_lsb = val;
        c->write_state = RW_WORD_MSB;
        /* Mode 0 stops counting when the first byte of a new count is written. */
        if (c->mode == 0) {
            c->armed = false;
            pit_channel_changed(s, c);
        }
        break;
    default:
        c->write_state = RW_WORD;
        pit_load(s, c, c->write_lsb | val << 8);
        break;
    }
}

static uint8_t pit_read_data(PitChannel *c)
{
    uint16_t v;

    if (c->status_latched) {
        c->status_latched = false;
        return c->status;
    }
    if (c->count_latched) {
        switch (c->count_latched) {
        case RW_LSB:
            c->count_latched = 0;
            return c->latched_count;
        case RW_MSB:
            c->count_latched = 0;
            return c->latched_count >> 8;
        case RW_WORD:
            c->count_latched = RW_WORD_MSB;
            return c->latched_count;
        default:
            c->count_latched = 0;
            return c->latched_count >> 8;
        }
    }
    v = pit_counter(c, hwclock_now_ns());
    switch (c->read_state) {
    case RW_LSB:
        return v;
    case RW_MSB:
        return v >> 8;
    case RW_WORD:
        c->read_state = RW_WORD_MSB;
        return v;
    default:
        c->read_state = RW_WORD;
        return v >> 8;
    }
}

static uint64_t pit_io_read(void *opaque, uint64_t addr, unsigned size)
{
    PitState *s = opaque;

    if (addr == 3) {
        return 0xff;                            /* the control word register is write-only */
    }
    return pit_read_data(&s->ch[addr]);
}

static void pit_io_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    PitState *s = opaque;

    if (addr == 3) {
        pit_write_control(s, val);
    } else {
        pit_write_data(s, &s->ch[addr], val);
    }
}

static uint64_t pit_port61_read(void *opaque, uint64_t addr, unsigned size)
{
    PitState *s = opaque;
    uint64_t now = hwclock_now_ns();
    /* The DRAM refresh request toggles every 15.085 us. */
    bool refresh = (now / 15085) & 1;

    return (s->port61 & 0xf) | refresh << 4 | pit_out(&s->ch[2], now) << 5;
}

static void pit_port61_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    PitState *s = opaque;

    s->port61 = val & 0xf;
    pit_set_gate(s, &s->ch[2], val & 1);
}

static const MemoryRegionOps pit_ops = {
    .read = pit_io_read,
    .write = pit_io_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static const MemoryRegionOps pit_port61_ops = {
    .read = pit_port61_read,
    .write = pit_port61_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static void i8254_reset(DeviceState *dev)
{
    PitState *s = DEVICE_CAST(PitState, dev);

    for (unsigned i = 0; i < 3; i++) {
        PitChannel *c = &s->ch[i];
        uint8_t level = c->irq_level;

        *c = (PitChannel){ .gate = i != 2, .rw_mode = RW_WORD, .read_state = RW_WORD,
                           .write_state = RW_WORD, .count = 65536, .irq_level = level };
    }
    s->port61 = 0;
    pit_irq_update(s, hwclock_now_ns());
}

static bool i8254_realize(DeviceState *dev, GError **errp)
{
    PitState *s = DEVICE_CAST(PitState, dev);

    s->timer = hwtimer_new(pit_timer_expired, s);
    memory_region_init_io(&s->io, &pit_ops, s, "i8254", 4);
    memory_region_init_io(&s->io61, &pit_port61_ops, s, "i8254-port61", 1);
    memory_region_add_subregion(get_system_io(), 0x40, &s->io);
    memory_region_add_subregion(get_system_io(), 0x61, &s->io61);
    s->mapped = true;
    i8254_reset(dev);
    return true;
}

static void i8254_finalize(DeviceState *dev)
{
    PitState *s = DEVICE_CAST(PitState, dev);

    if (s->mapped) {
        memory_region_del_subregion(get_system_io(), &s->io);
        memory_region_del_subregion(get_system_io(), &s->io61);
        hwtimer_free(s->timer);
    }
}

static int i8254_post_load(void *opaque, int version_id)
{
    PitState *s = opaque;

    pit_irq_update(s, hwclock_now_ns());
    return 0;
}

static const VMStateField pit_channel_fields[] = {
    VMSTATE_UINT32(count, PitChannel),
    VMSTATE_UINT16(latched_count, PitChannel),
    VMSTATE_UINT8(count_latched, PitChannel),
    VMSTATE_UINT8(status, PitChannel),
    VMSTATE_BOOL(status_latched, PitChannel),
    VMSTATE_UINT8(rw_mode, PitChannel),
    VMSTATE_UINT8(read_state, PitChannel),
    VMSTATE_UINT8(write_state, PitChannel),
    VMSTATE_UINT8(write_lsb, PitChannel),
    VMSTATE_UINT8(mode, PitChannel),
    VMSTATE_BOOL(bcd, PitChannel),
    VMSTATE_BOOL(gate, PitChannel),
    VMSTATE_BOOL(armed, PitChannel),
    VMSTATE_BOOL(null_count, PitChannel),
    VMSTATE_UINT64(load_time, PitChannel),
    VMSTATE_UINT64(next_transition, PitChannel),
    VMSTATE_UINT8(irq_level, PitChannel),
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription pit_channel_vmstate = {
    .name = "i8254-channel",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = pit_channel_fields,
};

static const VMStateField i8254_fields[] = {
    VMSTATE_STRUCT(ch[0], PitState, pit_channel_vmstate, PitChannel),
    VMSTATE_STRUCT(ch[1], PitState, pit_channel_vmstate, PitChannel),
    VMSTATE_STRUCT(ch[2], PitState, pit_channel_vmstate, PitChannel),
    VMSTATE_UINT8(port61, PitState),
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription i8254_vmstate = {
    .name = TYPE_I8254,
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = i8254_fields,
    .post_load = i8254_post_load,
};

static const TypeInfo i8254_info = {
    .name = TYPE_I8254,
    .parent = "device",
    .instance_size = sizeof(PitState),
    .desc = "8254 PIT (0x40-0x43) and port 0x61",
    .realize = i8254_realize,
    .reset = i8254_reset,
    .finalize = i8254_finalize,
    .vmsd = &i8254_vmstate,
};

static void i8254_register(void)
{
    type_register(&i8254_info);
}
type_init(i8254_register)

DeviceState *i8254_create(qemu_irq irq0, GError **errp)
{
    DeviceState *dev = qdev_new(TYPE_I8254);

    DEVICE_CAST(PitState, dev)->irq = irq0;
    return qdev_realize(dev, errp) ? dev : NULL;
}
