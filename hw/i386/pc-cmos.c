/*
 * A minimal MC146818-style CMOS RAM and clock for the pc board ("pc-cmos"):
 * index port 0x70 (bit 7 masks NMI, ignored here), data port 0x71, 128
 * bytes. The board fills the bytes firmware reads (memory sizes, boot order,
 * CPU count); the clock registers 0x00-0x09 read the host's UTC time in the
 * format register B selects (BCD or binary, 24-hour or 12-hour), and setting
 * them keeps the difference to host time. Register A reads 0x26 (32.768 kHz,
 * 1024 Hz rate, never update-in-progress), C reads 0 (no interrupts are
 * raised: there are no alarm, periodic or update-ended interrupts), D reads
 * 0x80 (valid RAM and time). Until a full RTC with interrupts exists in
 * hw/timer, this is enough for SeaBIOS and for Linux reading the time.
 */
#include "util/osdep.h"

#include <time.h>

#include "hw/i386/pc.h"
#include "util/log.h"

#define CMOS_INDEX_PORT     0x70
#define REG_SECONDS         0x00
#define REG_MINUTES         0x02
#define REG_HOURS           0x04
#define REG_WEEKDAY         0x06
#define REG_DAY             0x07
#define REG_MONTH           0x08
#define REG_YEAR            0x09
#define REG_A               0x0a
#define REG_B               0x0b
#define REG_C               0x0c
#define REG_D               0x0d
#define REG_CENTURY         0x32

#define REG_A_DEFAULT       0x26
#define REG_B_24H           0x02
#define REG_B_BINARY        0x04
#define REG_B_DEFAULT       REG_B_24H
#define REG_D_VRT           0x80

typedef struct PcCmosState {
    DeviceState parent_obj;
    MemoryRegion io;
    uint8_t index;
    uint8_t ram[PC_CMOS_SIZE];
    int64_t offset;             /* guest time minus host time, seconds */
} PcCmosState;

static uint8_t cmos_to_reg(const PcCmosState *s, int v)
{
    return (s->ram[REG_B] & REG_B_BINARY) ? v : ((v / 10) << 4) | (v % 10);
}

static int cmos_from_reg(const PcCmosState *s, uint8_t v)
{
    return (s->ram[REG_B] & REG_B_BINARY) ? v : (v >> 4) * 10 + (v & 0xf);
}

static void cmos_now(const PcCmosState *s, struct tm *tm)
{
    time_t t = time(NULL) + s->offset;

    gmtime_r(&t, tm);
}

static uint8_t cmos_hours(const PcCmosState *s, int hour)
{
    if (s->ram[REG_B] & REG_B_24H) {
        return cmos_to_reg(s, hour);
    }
    /* 12-hour: 12, 1-11, with bit 7 for PM. */
    return cmos_to_reg(s, hour % 12 ? hour % 12 : 12) | (hour >= 12 ? 0x80 : 0);
}

static uint8_t cmos_read_reg(PcCmosState *s, unsigned reg)
{
    struct tm tm;

    switch (reg) {
    case REG_SECONDS:
    case REG_MINUTES:
    case REG_HOURS:
    case REG_WEEKDAY:
    case REG_DAY:
    case REG_MONTH:
    case REG_YEAR:
    case REG_CENTURY:
        cmos_now(s, &tm);
        switch (reg) {
        case REG_SECONDS:
            return cmos_to_reg(s, tm.tm_sec);
        case REG_MINUTES:
            return cmos_to_reg(s, tm.tm_min);
        case REG_HOURS:
            return cmos_hours(s, tm.tm_hour);
        case REG_WEEKDAY:
            return cmos_to_reg(s, tm.tm_wday + 1);
        case REG_DAY:
            return cmos_to_reg(s, tm.tm_mday);
        case REG_MONTH:
            return cmos_to_reg(s, tm.tm_mon + 1);
        case REG_YEAR:
            return cmos_to_reg(s, tm.tm_year % 100);
        default:
            return cmos_to_reg(s, (tm.tm_year + 1900) / 100);
        }
    case REG_A:
    case REG_B:
        return s->ram[reg];
    case REG_C:
        return 0;
    case REG_D:
        return REG_D_VRT;
    default:
        return s->ram[reg];
    }
}

/* A write to a clock field moves the guest clock so that the field reads VALUE. */
static void cmos_set_time_field(PcCmosState *s, unsigned reg, uint8_t value)
{
    struct tm tm;
    time_t now = time(NULL), t;
    int v;

    cmos_now(s, &tm);
    if (reg == REG_HOURS && !(s->ram[REG_B] & REG_B_24H)) {
        v = cmos_from_reg(s, value & 0x7f) % 12 + ((value & 0x80) ? 12 : 0);
    } else {
        v = cmos_from_reg(s, value);
    }
    switch (reg) {
    case REG_SECONDS:
        tm.tm_sec = v;
        break;
    case REG_MINUTES:
        tm.tm_min = v;
        break;
    case REG_HOURS:
        tm.tm_hour = v;
        break;
    case REG_DAY:
        tm.tm_mday = v;
        break;
    case REG_MONTH:
        tm.tm_mon = v - 1;
        break;
    case REG_YEAR:
        tm.tm_year = (tm.tm_year / 100) * 100 + v;
        break;
    case REG_CENTURY:
        tm.tm_year = (v - 19) * 100 + tm.tm_year % 100;
        break;
    default:
        return;     /* the weekday follows from the date */
    }
    t = timegm(&tm);
    if (t != (time_t)-1) {
        s->offset = (int64_t)t - now;
    }
}

static uint64_t cmos_read(void *opaque, uint64_t addr, unsigned size)
{
    PcCmosState *s = opaque;

    return addr == 0 ? 0xff : cmos_read_reg(s, s->index);
}

static void cmos_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    PcCmosState *s = opaque;
    unsigned reg = s->index;

    if (addr == 0) {
        s->index = val & 0x7f;
        return;
    }
    switch (reg) {
    case REG_SECONDS:
    case REG_MINUTES:
    case REG_HOURS:
    case REG_DAY:
    case REG_MONTH:
    case REG_YEAR:
    case REG_CENTURY:
        cmos_set_time_field(s, reg, val);
        break;
    case REG_WEEKDAY:
        break;
    case REG_A:
        s->ram[REG_A] = (val & 0x7f);   /* UIP is read-only */
        break;
    case REG_C:
    case REG_D:
        log_mask_printf(LOG_GUEST_ERROR, "pc-cmos: write to read-only register 0x%x\n", reg);
        break;
    default:
        s->ram[reg] = val;
        break;
    }
}

static const MemoryRegionOps cmos_ops = {
    .read = cmos_read,
    .write = cmos_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

void pc_cmos_set(DeviceState *dev, unsigned index, uint8_t value)
{
    PcCmosState *s = DEVICE_CAST(PcCmosState, dev);

    g_assert(index < PC_CMOS_SIZE);
    s->ram[index] = value;
}

uint8_t pc_cmos_get(DeviceState *dev, unsigned index)
{
    PcCmosState *s = DEVICE_CAST(PcCmosState, dev);

    g_assert(index < PC_CMOS_SIZE);
    return cmos_read_reg(s, index);
}

static void cmos_instance_init(DeviceState *dev)
{
    PcCmosState *s = DEVICE_CAST(PcCmosState, dev);

    s->ram[REG_A] = REG_A_DEFAULT;
    s->ram[REG_B] = REG_B_DEFAULT;
}

static bool cmos_realize(DeviceState *dev, GError **errp)
{
    PcCmosState *s = DEVICE_CAST(PcCmosState, dev);

    memory_region_init_io(&s->io, &cmos_ops, s, "cmos", 2);
    memory_region_add_subregion(get_system_io(), CMOS_INDEX_PORT, &s->io);
    return true;
}

/* The NVRAM and the clock survive a reset (battery backed); only the index does not. */
static void cmos_reset(DeviceState *dev)
{
    PcCmosState *s = DEVICE_CAST(PcCmosState, dev);

    s->index = 0;
}

static const VMStateField cmos_vmstate_fields[] = {
    VMSTATE_UINT8(index, PcCmosState),
    VMSTATE_UINT8_ARRAY(ram, PcCmosState, PC_CMOS_SIZE),
    VMSTATE_UINT64(offset, PcCmosState),
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription cmos_vmstate = {
    .name = TYPE_PC_CMOS,
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = cmos_vmstate_fields,
};

static const TypeInfo cmos_info = {
    .name = TYPE_PC_CMOS,
    .parent = "device",
    .instance_size = sizeof(PcCmosState),
    .desc = "CMOS RAM and clock (minimal MC146818, no interrupts)",
    .instance_init = cmos_instance_init,
    .realize = cmos_realize,
    .reset = cmos_reset,
    .vmsd = &cmos_vmstate,
};

static void cmos_register(void)
{
    type_register(&cmos_info);
}
type_init(cmos_register)

DeviceState *pc_cmos_create(GError **errp)
{
    DeviceState *dev = qdev_new(TYPE_PC_CMOS);

    if (!qdev_realize(dev, errp)) {
        qdev_destroy(dev);
        return NULL;
    }
    return dev;
}
