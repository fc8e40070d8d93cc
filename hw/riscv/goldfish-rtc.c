/*
 * "goldfish-rtc": the Goldfish RTC. The guest sees the host's wall clock
 * (CLOCK_REALTIME, nanoseconds) plus an offset that its own writes of the
 * time set: a write of TIME_HIGH is held until the write of TIME_LOW makes
 * the new time. A read of TIME_LOW returns the low half and latches the high
 * half for the following TIME_HIGH read, so the two halves are one snapshot.
 * The alarm is armed by writing ALARM_LOW (after ALARM_HIGH); when the clock
 * reaches it, a GSource on the main loop sets the interrupt, which stays up
 * until CLEAR_INTERRUPT while IRQ_ENABLED is set. All of it runs with the BQL.
 */
#include "util/osdep.h"

#include <time.h>
#include "exec/memory.h"
#include "hw/riscv/goldfish-rtc.h"
#include "util/log.h"

typedef struct GoldfishRtcState {
    DeviceState parent_obj;

    uint64_t addr;

    /* Guest-visible state */
    int64_t offset;             /* guest time = host realtime ns + offset */
    uint32_t time_high;         /* latched by a TIME_LOW read or a TIME_HIGH write */
    uint32_t alarm_high;
    uint64_t alarm;             /* armed alarm time (guest ns) */
    uint32_t alarm_running;
    uint32_t irq_enabled;
    uint32_t irq_pending;

    /* Host side */
    qemu_irq irq;
    GSource *alarm_src;
    MemoryRegion mmio;
    bool mapped;
} GoldfishRtcState;

static uint64_t goldfish_rtc_now(const GoldfishRtcState *s)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec + (uint64_t)s->offset;
}

static void goldfish_rtc_update_irq(GoldfishRtcState *s)
{
    irq_set(s->irq, s->irq_pending && s->irq_enabled);
}

/* Fires a due alarm, or arms the GSource for a future one. */
static void goldfish_rtc_check_alarm(GoldfishRtcState *s)
{
    uint64_t now = goldfish_rtc_now(s);

    if (!s->alarm_running) {
        g_source_set_ready_time(s->alarm_src, -1);
        return;
    }
    if ((int64_t)(s->alarm - now) <= 0) {
        s->alarm_running = 0;
        s->irq_pending = 1;
        g_source_set_ready_time(s->alarm_src, -1);
        goldfish_rtc_update_irq(s);
        return;
    }
    /* Nanoseconds to microseconds, rounded up; at most about 73 years away. */
    g_source_set_ready_time(s->alarm_src, g_get_monotonic_time() +
                            (int64_t)MIN((s->alarm - now + 999) / 1000, (uint64_t)1 << 61));
}

static gboolean goldfish_rtc_alarm_dispatch(GSource *source, GSourceFunc callback,
                                            gpointer data)
{
    g_source_set_ready_time(source, -1);
    return callback(data);
}

static gboolean goldfish_rtc_alarm_expired(gpointer opaque)
{
    goldfish_rtc_check_alarm(opaque);
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs goldfish_rtc_alarm_funcs = {
    .dispatch = goldfish_rtc_alarm_dispatch,
};

static uint64_t goldfish_rtc_read(void *opaque, uint64_t addr, unsigned size)
{
    GoldfishRtcState *s = opaque;
    uint64_t now;

    switch (addr) {
    case GOLDFISH_RTC_TIME_LOW:
        now = goldfish_rtc_now(s);
        s->time_high = (uint32_t)(now >> 32);
        return (uint32_t)now;
    case GOLDFISH_RTC_TIME_HIGH:
        return s->time_high;
    case GOLDFISH_RTC_ALARM_LOW:
        return (uint32_t)s->alarm;
    case GOLDFISH_RTC_ALARM_HIGH:
        return s->alarm_high;
    case GOLDFISH_RTC_IRQ_ENABLED:
        return s->irq_enabled;
    case GOLDFISH_RTC_ALARM_STATUS:
        return s->alarm_running;
    default:
        log_mask_printf(LOG_GUEST_ERROR, "goldfish-rtc: read of offset 0x%" PRIx64
                        ", which is write-only or reserved\n", addr);
        return 0;
    }
}

static void goldfish_rtc_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    GoldfishRtcState *s = opaque;
    uint32_t v = (uint32_t)val;

    switch (addr) {
    case GOLDFISH_RTC_TIME_LOW:
        s->offset += (int64_t)(((uint64_t)s->time_high << 32 | v) - goldfish_rtc_now(s));
        goldfish_rtc_check_alarm(s);
        break;
    case GOLDFISH_RTC_TIME_HIGH:
        s->time_high = v;
        break;
    case GOLDFISH_RTC_ALARM_LOW:
        s->alarm = (uint64_t)s->alarm_high << 32 | v;
        s->alarm_running = 1;
        goldfish_rtc_check_alarm(s);
        break;
    case GOLDFISH_RTC_ALARM_HIGH:
        s->alarm_high = v;
        break;
    case GOLDFISH_RTC_IRQ_ENABLED:
        s->irq_enabled = v & 1;
        goldfish_rtc_update_irq(s);
        break;
    case GOLDFISH_RTC_CLEAR_ALARM:
        s->alarm_running = 0;
        goldfish_rtc_check_alarm(s);
        break;
    case GOLDFISH_RTC_CLEAR_INTERRUPT:
        s->irq_pending = 0;
        goldfish_rtc_update_irq(s);
        break;
    default:
        log_mask_printf(LOG_GUEST_ERROR, "goldfish-rtc: write of 0x%" PRIx64 " to offset 0x%"
                        PRIx64 ", which is read-only or reserved, ignored\n", val, addr);
        break;
    }
}

static const MemoryRegionOps goldfish_rtc_ops = {
    .read = goldfish_rtc_read,
    .write = goldfish_rtc_write,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
};

/* The clock keeps running through a reset (it is battery-backed); the alarm is off. */
static void goldfish_rtc_reset(DeviceState *dev)
{
    GoldfishRtcState *s = DEVICE_CAST(GoldfishRtcState, dev);

    s->alarm = 0;
    s->alarm_high = 0;
    s->alarm_running = 0;
    s->irq_enabled = 0;
    s->irq_pending = 0;
    goldfish_rtc_check_alarm(s);
    goldfish_rtc_update_irq(s);
}

static bool goldfish_rtc_realize(DeviceState *dev, GError **errp)
{
    GoldfishRtcState *s = DEVICE_CAST(GoldfishRtcState, dev);

    if (s->addr & (GOLDFISH_RTC_SIZE - 1) || s->addr > UINT64_MAX - GOLDFISH_RTC_SIZE) {
        error_setg(errp, "goldfish-rtc: addr 0x%" PRIx64 " is not 4 KiB aligned", s->addr);
        return false;
    }
    s->alarm_src = g_source_new(&goldfish_rtc_alarm_funcs, sizeof(GSource));
    g_source_set_callback(s->alarm_src, goldfish_rtc_alarm_expired, s, NULL);
    g_source_attach(s->alarm_src, NULL);
    memory_region_init_io(&s->mmio, &goldfish_rtc_ops, s, "goldfish-rtc", GOLDFISH_RTC_SIZE);
    memory_region_add_subregion(get_system_memory(), s->addr, &s->mmio);
    s->mapped = true;
    goldfish_rtc_reset(dev);
    return true;
}

static void goldfish_rtc_finalize(DeviceState *dev)
{
    GoldfishRtcState *s = DEVICE_CAST(GoldfishRtcState, dev);

    if (s->alarm_src) {
        g_source_destroy(s->alarm_src);
        g_source_unref(s->alarm_src);
    }
    if (s->mapped) {
        memory_region_del_subregion(get_system_memory(), &s->mmio);
        memory_region_finalize(&s->mmio);
    }
}

static int goldfish_rtc_post_load(void *opaque, int version_id)
{
    GoldfishRtcState *s = opaque;

    s->irq_enabled &= 1;
    goldfish_rtc_check_alarm(s);
    goldfish_rtc_update_irq(s);
    return 0;
}

static const VMStateField goldfish_rtc_vmstate_fields[] = {
    VMSTATE_UINT64(offset, GoldfishRtcState),
    VMSTATE_UINT32(time_high, GoldfishRtcState),
    VMSTATE_UINT32(alarm_high, GoldfishRtcState),
    VMSTATE_UINT64(alarm, GoldfishRtcState),
    VMSTATE_UINT32(alarm_running, GoldfishRtcState),
    VMSTATE_UINT32(irq_enabled, GoldfishRtcState),
    VMSTATE_UINT32(irq_pending, GoldfishRtcState),
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription goldfish_rtc_vmstate = {
    .name = TYPE_GOLDFISH_RTC,
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = goldfish_rtc_vmstate_fields,
    .post_load = goldfish_rtc_post_load,
};

static const Property goldfish_rtc_props[] = {
    DEFINE_PROP_UINT64("addr", GoldfishRtcState, addr, 0x101000),
    DEFINE_PROP_END_OF_LIST(),
};

/* Boards create it with its interrupt line (goldfish_rtc_create). */
static const TypeInfo goldfish_rtc_info = {
    .name = TYPE_GOLDFISH_RTC,
    .parent = "device",
    .instance_size = sizeof(GoldfishRtcState),
    .desc = "Goldfish RTC: wall-clock nanoseconds, one alarm",
    .props = goldfish_rtc_props,
    .realize = goldfish_rtc_realize,
    .reset = goldfish_rtc_reset,
    .finalize = goldfish_rtc_finalize,
    .vmsd = &goldfish_rtc_vmstate,
};

static void goldfish_rtc_register(void)
{
    type_register(&goldfish_rtc_info);
}
type_init(goldfish_rtc_register)

DeviceState *goldfish_rtc_create(uint64_t addr, qemu_irq irq, GError **errp)
{
    DeviceState *dev = qdev_new(TYPE_GOLDFISH_RTC);

    qdev_prop_set_uint64(dev, "addr", addr);
    DEVICE_CAST(GoldfishRtcState, dev)->irq = irq;
    return qdev_realize(dev, errp) ? dev : NULL;
}
