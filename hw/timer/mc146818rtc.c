/*
 * "mc146818rtc": the CMOS clock after the Motorola MC146818A datasheet.
 * Index port 0x70 (bit 7: the NMI mask, kept but not acted on), data 0x71.
 * The time registers are computed from a guest time base that follows the
 * host clock; in BCD or binary (register B DM bit), 24- or 12-hour (bit 7
 * of the hour: PM). While register B's SET bit is up the guest writes the
 * registers freely and the clock is taken from them when SET drops (a write
 * with SET clear takes effect at once). Register A's UIP bit is set during
 * the last 244 us of each second. Interrupts (register C flags PF, AF, UF;
 * IRQF when one is enabled in register B) raise IRQ 8 until register C is
 * read: periodic at the rate of register A's RS bits, alarm (a register of
 * 0xc0-0xff matches anything) and update-ended, each second.
 */
#include "util/osdep.h"

#include "exec/memory.h"
#include "hw/timer/hwclock.h"
#include "hw/timer/mc146818rtc.h"
#include "util/log.h"

#define REG_SEC         0x00
#define REG_SEC_ALARM   0x01
#define REG_MIN         0x02
#define REG_MIN_ALARM   0x03
#define REG_HOUR        0x04
#define REG_HOUR_ALARM  0x05
#define REG_WDAY        0x06
#define REG_MDAY        0x07
#define REG_MONTH       0x08
#define REG_YEAR        0x09
#define REG_A           0x0a
#define REG_B           0x0b
#define REG_C           0x0c
#define REG_D           0x0d

#define A_UIP           0x80
#define B_SET           0x80
#define B_PIE           0x40
#define B_AIE           0x20
#define B_UIE           0x10
#define B_DM_BINARY     0x04
#define B_24H           0x02
#define C_IRQF          0x80
#define C_PF            0x40
#define C_AF            0x20
#define C_UF            0x10
#define D_VRT           0x80

#define NS_PER_SEC      1000000000LL
#define UIP_NS          244000LL

typedef struct RTCState {
    DeviceState parent_obj;
    uint8_t cmos[RTC_CMOS_SIZE];
    uint8_t index;
    uint64_t guest_ns;          /* guest time (ns since the Unix epoch) at base_mono */
    int64_t base_mono;          /* hwclock ns; not migrated: post_load sets it */
    uint64_t next_periodic;     /* hwclock ns */
    qemu_irq irq;
    HwTimer *periodic_timer;
    HwTimer *second_timer;
    MemoryRegion io;
    bool mapped;
} RTCState;

static int64_t rtc_now(const RTCState *s)
{
    return s->guest_ns + (hwclock_now_ns() - s->base_mono);
}

static void rtc_set_now(RTCState *s, int64_t guest_ns)
{
    s->base_mono = hwclock_now_ns();
    s->guest_ns = guest_ns;
}

static uint8_t rtc_to_reg(const RTCState *s, unsigned v)
{
    return s->cmos[REG_B] & B_DM_BINARY ? v : (v / 10) << 4 | v % 10;
}

static unsigned rtc_from_reg(const RTCState *s, uint8_t v)
{
    return s->cmos[REG_B] & B_DM_BINARY ? v : (v >> 4) * 10 + (v & 0xf);
}

static uint8_t rtc_hour_to_reg(const RTCState *s, unsigned hour)
{
    unsigned h12;

    if (s->cmos[REG_B] & B_24H) {
        return rtc_to_reg(s, hour);
    }
    h12 = hour % 12 ? hour % 12 : 12;
    return rtc_to_reg(s, h12) | (hour >= 12 ? 0x80 : 0);
}

static unsigned rtc_hour_from_reg(const RTCState *s, uint8_t v)
{
    unsigned h;

    if (s->cmos[REG_B] & B_24H) {
        return rtc_from_reg(s, v);
    }
    h = rtc_from_reg(s, v & 0x7f) % 12;
    return v & 0x80 ? h + 12 : h;
}

/* Fills the time registers from the clock. */
static void rtc_regs_from_clock(RTCState *s)
{
    GDateTime *dt = g_date_time_new_from_unix_utc(rtc_now(s) / NS_PER_SEC);
    int year;

    if (!dt) {
        return;
    }
    year = g_date_time_get_year(dt);
    s->cmos[REG_SEC] = rtc_to_reg(s, g_date_time_get_second(dt));
    s->cmos[REG_MIN] = rtc_to_reg(s, g_date_time_get_minute(dt));
    s->cmos[REG_HOUR] = rtc_hour_to_reg(s, g_date_time_get_hour(dt));
    s->cmos[REG_WDAY] = rtc_to_reg(s, g_date_time_get_day_of_week(dt) % 7 + 1);
    s->cmos[REG_MDAY] = rtc_to_reg(s, g_date_time_get_day_of_month(dt));
    s->cmos[REG_MONTH] = rtc_to_reg(s, g_date_time_get_month(dt));
    s->cmos[REG_YEAR] = rtc_to_reg(s, year % 100);
    s->cmos[RTC_REG_CENTURY] = rtc_to_reg(s, year / 100);
    g_date_time_unref(dt);
}

/* Sets the clock from the time registers (the guest set the time). */
static void rtc_clock_from_regs(RTCState *s)
{
    unsigned century = rtc_from_reg(s, s->cmos[RTC_REG_CENTURY]);
    int year = (century >= 19 && century <= 99 ? century : 20) * 100 +
               rtc_from_reg(s, s->cmos[REG_YEAR]) % 100;
    GDateTime *dt = g_date_time_new_utc(year, rtc_from_reg(s, s->cmos[REG_MONTH]),
                                        rtc_from_reg(s, s->cmos[REG_MDAY]),
                                        rtc_hour_from_reg(s, s->cmos[REG_HOUR]),
                                        rtc_from_reg(s, s->cmos[REG_MIN]),
                                        rtc_from_reg(s, s->cmos[REG_SEC]));

    if (!dt) {
        log_mask_printf(LOG_GUEST_ERROR, "mc146818rtc: invalid date/time set, ignored\n");
        return;
    }
    rtc_set_now(s, g_date_time_to_unix(dt) * NS_PER_SEC);
    g_date_time_unref(dt);
}

static void rtc_update_irq(RTCState *s)
{
    uint8_t c = s->cmos[REG_C] & (C_PF | C_AF | C_UF);
    bool irqf = c & s->cmos[REG_B] & (B_PIE | B_AIE | B_UIE);

    if (irqf && !(s->cmos[REG_C] & C_IRQF)) {
        s->cmos[REG_C] |= C_IRQF;
        irq_raise(s->irq);
    }
}

/* Periodic rate from register A's RS bits, in ns (0: off). The time base is 32.768 kHz. */
static int64_t rtc_periodic_ns(const RTCState *s)
{
    unsigned rs = s->cmos[REG_A] & 0xf;
    unsigned cycles;

    if (!rs) {
        return 0;
    }
    cycles = rs <= 2 ? 1u << (rs + 6) : 1u << (rs - 1);
    return (int64_t)cycles * NS_PER_SEC / 32768;
}

static void rtc_arm_periodic(RTCState *s)
{
    int64_t period = rtc_periodic_ns(s);

    if (!period || !(s->cmos[REG_B] & B_PIE)) {
        hwtimer_del(s->periodic_timer);
        return;
    }
    s->next_periodic = hwclock_now_ns() + period;
    hwtimer_mod(s->periodic_timer, s->next_periodic);
}

static void rtc_periodic_expired(void *opaque)
{
    RTCState *s = opaque;
    int64_t period = rtc_periodic_ns(s);
    int64_t now = hwclock_now_ns();

    s->cmos[REG_C] |= C_PF;
    rtc_update_irq(s);
    if (!period || !(s->cmos[REG_B] & B_PIE)) {
        return;
    }
    s->next_periodic += period;
    if ((int64_t)s->next_periodic <= now) {
        s->next_periodic = now + period;
    }
    hwtimer_mod(s->periodic_timer, s->next_periodic);
}

/* The once-a-second update: only needed when its interrupts are enabled. */
static void rtc_arm_second(RTCState *s)
{
    int64_t now = rtc_now(s);

    if ((s->cmos[REG_B] & B_SET) || !(s->cmos[REG_B] & (B_AIE | B_UIE))) {
        hwtimer_del(s->second_timer);
        return;
    }
    hwtimer_mod(s->second_timer, hwclock_now_ns() + (NS_PER_SEC - now % NS_PER_SEC));
}

static bool rtc_alarm_match(uint8_t alarm, uint8_t now)
{
    return alarm >= 0xc0 || alarm == now;
}

static void rtc_second_expired(void *opaque)
{
    RTCState *s = opaque;

    rtc_regs_from_clock(s);
    s->cmos[REG_C] |= C_UF;
    if (rtc_alarm_match(s->cmos[REG_SEC_ALARM], s->cmos[REG_SEC]) &&
        rtc_alarm_match(s->cmos[REG_MIN_ALARM], s->cmos[REG_MIN]) &&
        rtc_alarm_match(s->cmos[REG_HOUR_ALARM], s->cmos[REG_HOUR])) {
        s->cmos[REG_C] |= C_AF;
    }
    rtc_update_irq(s);
    rtc_arm_second(s);
}

static uint8_t rtc_read_reg(RTCState *s, unsigned reg)
{
    uint8_t v;

    switch (reg) {
    case REG_SEC: case REG_MIN: case REG_HOUR: case REG_WDAY:
    case REG_MDAY: case REG_MONTH: case REG_YEAR: case RTC_REG_CENTURY:
        if (!(s->cmos[REG_B] & B_SET)) {
            rtc_regs_from_clock(s);
        }
        return s->cmos[reg];
    case REG_A: {
        bool uip = !(s->cmos[REG_B] & B_SET) && (s->cmos[REG_A] & 0x70) == 0x20 &&
                   rtc_now(s) % NS_PER_SEC >= NS_PER_SEC - UIP_NS;

        return (s->cmos[REG_A] & ~A_UIP) | (uip ? A_UIP : 0);
    }
    case REG_C:
        v = s->cmos[REG_C];
        s->cmos[REG_C] = 0;
        if (v & C_IRQF) {
            irq_lower(s->irq);
        }
        return v;
    case REG_D:
        return D_VRT;
    default:
        return s->cmos[reg];
    }
}

static void rtc_write_reg(RTCState *s, unsigned reg, uint8_t val)
{
    uint8_t old;

    switch (reg) {
    case REG_SEC: case REG_MIN: case REG_HOUR: case REG_WDAY:
    case REG_MDAY: case REG_MONTH: case REG_YEAR: case RTC_REG_CENTURY:
        if (!(s->cmos[REG_B] & B_SET)) {
            rtc_regs_from_clock(s);
            s->cmos[reg] = val;
            rtc_clock_from_regs(s);
            rtc_arm_second(s);
        } else {
            s->cmos[reg] = val;
        }
        break;
    case REG_A:
        s->cmos[REG_A] = val & 0x7f;
        rtc_arm_periodic(s);
        break;
    case REG_B:
        old = s->cmos[REG_B];
        if (!(old & B_SET) && (val & B_SET)) {
            rtc_regs_from_clock(s);     /* frozen where the guest stopped it */
        }
        /* A change of data mode or hour format does not convert the stored time. */
        s->cmos[REG_B] = val & B_SET ? val & ~B_UIE : val;
        if ((old & B_SET) && !(val & B_SET)) {
            rtc_clock_from_regs(s);
        }
        rtc_arm_periodic(s);
        rtc_arm_second(s);
        rtc_update_irq(s);
        break;
    case REG_C:
    case REG_D:
        log_mask_printf(LOG_GUEST_ERROR, "mc146818rtc: write to read-only register 0x%x\n",
                        reg);
        break;
    default:
        s->cmos[reg] = val;
        break;
    }
}

static uint64_t rtc_io_read(void *opaque, uint64_t addr, unsigned size)
{
    RTCState *s = opaque;

    if (addr == 0) {
        return 0xff;                    /* the index register is write-only */
    }
    return rtc_read_reg(s, s->index & 0x7f);
}

static void rtc_io_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    RTCState *s = opaque;

    if (addr == 0) {
        s->index = val;
    } else {
        rtc_write_reg(s, s->index & 0x7f, val);
    }
}

static const MemoryRegionOps rtc_ops = {
    .read = rtc_io_read,
    .write = rtc_io_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

/* Reset (the RESET pin): interrupt enables and flags clear; time and NVRAM stay. */
static void rtc_reset(DeviceState *dev)
{
    RTCState *s = DEVICE_CAST(RTCState, dev);

    s->cmos[REG_B] &= ~(B_PIE | B_AIE | B_UIE | 0x08);
    if (s->cmos[REG_C] & C_IRQF) {
        irq_lower(s->irq);
    }
    s->cmos[REG_C] = 0;
    rtc_arm_periodic(s);
    rtc_arm_second(s);
}

static bool rtc_realize(DeviceState *dev, GError **errp)
{
    RTCState *s = DEVICE_CAST(RTCState, dev);

    s->cmos[REG_A] = 0x26;              /* 32.768 kHz time base, 1024 Hz periodic rate */
    s->cmos[REG_B] = B_24H;
    s->cmos[REG_D] = D_VRT;
    rtc_set_now(s, g_get_real_time() * 1000);
    rtc_regs_from_clock(s);
    s->periodic_timer = hwtimer_new(rtc_periodic_expired, s);
    s->second_timer = hwtimer_new(rtc_second_expired, s);
    memory_region_init_io(&s->io, &rtc_ops, s, "mc146818rtc", 2);
    memory_region_add_subregion(get_system_io(), 0x70, &s->io);
    s->mapped = true;
    return true;
}

static void rtc_finalize(DeviceState *dev)
{
    RTCState *s = DEVICE_CAST(RTCState, dev);

    if (s->mapped) {
        memory_region_del_subregion(get_system_io(), &s->io);
        hwtimer_free(s->periodic_timer);
        hwtimer_free(s->second_timer);
    }
}

static int rtc_pre_save(void *opaque)
{
    RTCState *s = opaque;

    rtc_set_now(s, rtc_now(s));
    return 0;
}

static int rtc_post_load(void *opaque, int version_id)
{
    RTCState *s = opaque;

    s->base_mono = hwclock_now_ns();
    rtc_arm_periodic(s);
    rtc_arm_second(s);
    return 0;
}

static const VMStateField rtc_fields[] = {
    VMSTATE_UINT8_ARRAY(cmos, RTCState, RTC_CMOS_SIZE),
    VMSTATE_UINT8(index, RTCState),
    VMSTATE_UINT64(guest_ns, RTCState),
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription rtc_vmstate = {
    .name = TYPE_MC146818_RTC,
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = rtc_fields,
    .pre_save = rtc_pre_save,
    .post_load = rtc_post_load,
};

static const TypeInfo rtc_info = {
    .name = TYPE_MC146818_RTC,
    .parent = "device",
    .instance_size = sizeof(RTCState),
    .desc = "MC146818 CMOS real-time clock and NVRAM (0x70-0x71, IRQ 8)",
    .realize = rtc_realize,
    .reset = rtc_reset,
    .finalize = rtc_finalize,
    .vmsd = &rtc_vmstate,
};

static void rtc_register(void)
{
    type_register(&rtc_info);
}
type_init(rtc_register)

DeviceState *mc146818_rtc_create(qemu_irq irq, GError **errp)
{
    DeviceState *dev = qdev_new(TYPE_MC146818_RTC);

    DEVICE_CAST(RTCState, dev)->irq = irq;
    return qdev_realize(dev, errp) ? dev : NULL;
}

void mc146818_rtc_set_cmos(DeviceState *dev, unsigned index, uint8_t val)
{
    if (index > REG_D && index < RTC_CMOS_SIZE) {
        DEVICE_CAST(RTCState, dev)->cmos[index] = val;
    }
}

uint8_t mc146818_rtc_get_cmos(DeviceState *dev, unsigned index)
{
    return index < RTC_CMOS_SIZE ? DEVICE_CAST(RTCState, dev)->cmos[index] : 0xff;
}

void mc146818_rtc_set_mem_sizes(DeviceState *dev, uint64_t below_4g, uint64_t above_4g)
{
    uint64_t ext_kib = below_4g > MiB ? MIN((below_4g - MiB) / KiB, 0xfc00) : 0;
    uint64_t above16 = below_4g > 16 * MiB ? MIN((below_4g - 16 * MiB) / (64 * KiB), 0xffff) : 0;
    uint64_t high = above_4g / (64 * KiB);
    uint16_t base_kib = MIN(below_4g / KiB, 640);

    mc146818_rtc_set_cmos(dev, 0x15, base_kib);
    mc146818_rtc_set_cmos(dev, 0x16, base_kib >> 8);
    mc146818_rtc_set_cmos(dev, 0x17, ext_kib);
    mc146818_rtc_set_cmos(dev, 0x18, ext_kib >> 8);
    mc146818_rtc_set_cmos(dev, 0x30, ext_kib);
    mc146818_rtc_set_cmos(dev, 0x31, ext_kib >> 8);
    mc146818_rtc_set_cmos(dev, 0x34, above16);
    mc146818_rtc_set_cmos(dev, 0x35, above16 >> 8);
    mc146818_rtc_set_cmos(dev, 0x5b, high);
    mc146818_rtc_set_cmos(dev, 0x5c, high >> 8);
    mc146818_rtc_set_cmos(dev, 0x5d, high >> 16);
}
