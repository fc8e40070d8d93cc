/*
 * "riscv-clint": the SiFive CLINT. mtime is not stored: it is the host's
 * CLOCK_MONOTONIC scaled to the CLINT frequency plus an offset that reset
 * (mtime = 0) and guest writes of mtime set, so it advances while the guest
 * runs without any timer ticking. Each hart's MTIP line is recomputed
 * whenever mtime or its mtimecmp changes, and one GSource on the main loop
 * fires at the earliest future mtimecmp to raise the lines that became due.
 *
 * Accesses are 4 or 8 bytes, naturally aligned. Every 8-byte slot is handled
 * as one 64-bit value (two msip words, one mtimecmp, or mtime) so that an
 * 8-byte read of mtime is one snapshot; a 4-byte access reads or replaces
 * its half. All of it runs with the BQL held, except riscv_clint_read_mtime
 * (the harts' time CSR), which only reads the offset, atomically.
 */
#include "util/osdep.h"

#include <time.h>
#include "exec/memory.h"
#include "hw/riscv/clint.h"
#include "util/log.h"

typedef struct ClintState {
    DeviceState parent_obj;

    /* Properties */
    uint64_t addr;
    uint32_t num_harts;
    uint64_t freq_hz;

    /* Guest-visible state */
    uint32_t msip[CLINT_MAX_HARTS];
    uint64_t mtimecmp[CLINT_MAX_HARTS];
    uint64_t mtime_saved;           /* mtime at save time (vmstate only) */

    /* Host side */
    int64_t mtime_offset;           /* mtime = host ticks + offset (mod 2^64) */
    qemu_irq soft[CLINT_MAX_HARTS];
    qemu_irq timer[CLINT_MAX_HARTS];
    int timer_level[CLINT_MAX_HARTS];   /* last level driven, -1: unknown */
    MemoryRegion mmio;
    bool mapped;
    GSource *timer_src;
} ClintState;

/* The host clock in CLINT ticks. */
static uint64_t clint_host_ticks(const ClintState *s)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * s->freq_hz +
           (uint64_t)((unsigned __int128)ts.tv_nsec * s->freq_hz / 1000000000ULL);
}

static uint64_t clint_mtime(const ClintState *s)
{
    return clint_host_ticks(s) + (uint64_t)__atomic_load_n(&s->mtime_offset, __ATOMIC_RELAXED);
}

static void clint_set_mtime(ClintState *s, uint64_t mtime)
{
    __atomic_store_n(&s->mtime_offset, (int64_t)(mtime - clint_host_ticks(s)), __ATOMIC_RELAXED);
}

/*
 * Drives every MTIP line and arms the GSource for the earliest mtimecmp
 * still in the future (g_get_monotonic_time() microseconds, rounded up).
 */
static void clint_update_timers(ClintState *s)
{
    uint64_t now = clint_mtime(s);
    uint64_t next = UINT64_MAX;

    for (unsigned h = 0; h < s->num_harts; h++) {
        int level = now >= s->mtimecmp[h];

        if (level != s->timer_level[h]) {
            s->timer_level[h] = level;
            irq_set(s->timer[h], level);
        }
        if (!level) {
            next = MIN(next, s->mtimecmp[h] - now);
        }
    }
    if (next == UINT64_MAX) {
        g_source_set_ready_time(s->timer_src, -1);
    } else {
        /* Ticks to microseconds, saturating far in the future (2^62 us is 146,000 years). */
        unsigned __int128 us = ((unsigned __int128)next * 1000000 + s->freq_hz - 1) / s->freq_hz;

        us = MIN(us, (unsigned __int128)1 << 62);
        g_source_set_ready_time(s->timer_src, g_get_monotonic_time() + (int64_t)us);
    }
}

static gboolean clint_timer_dispatch(GSource *source, GSourceFunc callback, gpointer data)
{
    g_source_set_ready_time(source, -1);
    return callback(data);
}

static gboolean clint_timer_expired(gpointer opaque)
{
    clint_update_timers(opaque);
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs clint_timer_funcs = {
    .dispatch = clint_timer_dispatch,
};

static void clint_set_msip(ClintState *s, unsigned hart, uint32_t val)
{
    s->msip[hart] = val & 1;
    irq_set(s->soft[hart], s->msip[hart]);
}

/* The 64-bit slot at 8-byte aligned offset OFF; *VALID: the slot exists. */
static uint64_t clint_read_slot(ClintState *s, uint64_t off, bool *valid)
{
    *valid = true;
    if (off < CLINT_MTIMECMP) {
        unsigned hart = off / 4;
        uint64_t lo = hart < s->num_harts ? s->msip[hart] : 0;
        uint64_t hi = hart + 1 < s->num_harts ? s->msip[hart + 1] : 0;

        *valid = hart < s->num_harts;
        return lo | hi << 32;
    }
    if (off == CLINT_MTIME) {
        return clint_mtime(s);
    }
    if (off >= CLINT_MTIMECMP && (off - CLINT_MTIMECMP) / 8 < s->num_harts) {
        return s->mtimecmp[(off - CLINT_MTIMECMP) / 8];
    }
    *valid = false;
    return 0;
}

/* Writes the bytes of MASK in the slot at OFF. */
static bool clint_write_slot(ClintState *s, uint64_t off, uint64_t val, uint64_t mask)
{
    bool valid;
    uint64_t merged = (clint_read_slot(s, off, &valid) & ~mask) | (val & mask);

    if (!valid) {
        return false;
    }
    if (off < CLINT_MTIMECMP) {
        unsigned hart = off / 4;

        if (mask & UINT32_MAX) {
            clint_set_msip(s, hart, (uint32_t)merged);
        }
        if ((mask >> 32) && hart + 1 < s->num_harts) {
            clint_set_msip(s, hart + 1, (uint32_t)(merged >> 32));
        }
        return true;
    }
    if (off == CLINT_MTIME) {
        clint_set_mtime(s, merged);
    } else {
        s->mtimecmp[(off - CLINT_MTIMECMP) / 8] = merged;
    }
    clint_update_timers(s);
    return true;
}

static uint64_t clint_read(void *opaque, uint64_t addr, unsigned size)
{
    ClintState *s = opaque;
    bool valid;
    uint64_t slot = clint_read_slot(s, ROUND_DOWN(addr, 8), &valid);

    if (!valid) {
        log_mask_printf(LOG_GUEST_ERROR, "riscv-clint: read of unimplemented offset 0x%"
                        PRIx64 "\n", addr);
    }
    if (size == 8) {
        return slot;
    }
    return (uint32_t)(slot >> (addr & 4) * 8);
}

static void clint_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    ClintState *s = opaque;
    uint64_t shift = (addr & 4) * 8;
    uint64_t mask = size == 8 ? UINT64_MAX : (uint64_t)UINT32_MAX << shift;

    if (!clint_write_slot(s, ROUND_DOWN(addr, 8), val << shift, mask)) {
        log_mask_printf(LOG_GUEST_ERROR, "riscv-clint: write to unimplemented offset 0x%"
                        PRIx64 " ignored\n", addr);
    }
}

static const MemoryRegionOps clint_ops = {
    .read = clint_read,
    .write = clint_write,
    .valid = { .min_access_size = 4, .max_access_size = 8 },
};

/* As QEMU's CLINT: mtime and every mtimecmp start at 0 (so MTIP is pending), msip clear. */
static void clint_reset(DeviceState *dev)
{
    ClintState *s = DEVICE_CAST(ClintState, dev);

    clint_set_mtime(s, 0);
    for (unsigned h = 0; h < s->num_harts; h++) {
        s->mtimecmp[h] = 0;
        clint_set_msip(s, h, 0);
    }
    clint_update_timers(s);
}

static bool clint_realize(DeviceState *dev, GError **errp)
{
    ClintState *s = DEVICE_CAST(ClintState, dev);

    if (s->num_harts == 0 || s->num_harts > CLINT_MAX_HARTS) {
        error_setg(errp, "riscv-clint: num-harts %u is not 1 to %d", s->num_harts,
                   CLINT_MAX_HARTS);
        return false;
    }
    if (s->freq_hz == 0 || s->freq_hz > 1000000000ULL) {
        error_setg(errp, "riscv-clint: frequency %" PRIu64 " Hz is not 1 Hz to 1 GHz",
                   s->freq_hz);
        return false;
    }
    if (s->addr & (CLINT_SIZE - 1) || s->addr > UINT64_MAX - CLINT_SIZE) {
        error_setg(errp, "riscv-clint: addr 0x%" PRIx64 " is not 64 KiB aligned", s->addr);
        return false;
    }
    for (unsigned h = 0; h < s->num_harts; h++) {
        s->timer_level[h] = -1;
    }
    s->timer_src = g_source_new(&clint_timer_funcs, sizeof(GSource));
    g_source_set_callback(s->timer_src, clint_timer_expired, s, NULL);
    g_source_attach(s->timer_src, NULL);
    memory_region_init_io(&s->mmio, &clint_ops, s, "riscv-clint", CLINT_SIZE);
    memory_region_add_subregion(get_system_memory(), s->addr, &s->mmio);
    s->mapped = true;
    clint_reset(dev);
    return true;
}

static void clint_finalize(DeviceState *dev)
{
    ClintState *s = DEVICE_CAST(ClintState, dev);

    if (s->timer_src) {
        g_source_destroy(s->timer_src);
        g_source_unref(s->timer_src);
    }
    if (s->mapped) {
        memory_region_del_subregion(get_system_memory(), &s->mmio);
        memory_region_finalize(&s->mmio);
    }
}

static int clint_pre_save(void *opaque)
{
    ClintState *s = opaque;

    s->mtime_saved = clint_mtime(s);
    return 0;
}

static int clint_post_load(void *opaque, int version_id)
{
    ClintState *s = opaque;

    clint_set_mtime(s, s->mtime_saved);
    for (unsigned h = 0; h < s->num_harts; h++) {
        s->msip[h] &= 1;
        s->timer_level[h] = -1;
        irq_set(s->soft[h], s->msip[h]);
    }
    clint_update_timers(s);
    return 0;
}

static const VMStateField clint_vmstate_fields[] = {
    VMSTATE_UINT32_ARRAY(msip, ClintState, CLINT_MAX_HARTS),
    VMSTATE_UINT64_ARRAY(mtimecmp, ClintState, CLINT_MAX_HARTS),
    VMSTATE_UINT64(mtime_saved, ClintState),
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription clint_vmstate = {
    .name = TYPE_RISCV_CLINT,
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = clint_vmstate_fields,
    .pre_save = clint_pre_save,
    .post_load = clint_post_load,
};

static const Property clint_props[] = {
    DEFINE_PROP_UINT64("addr", ClintState, addr, 0x2000000),
    DEFINE_PROP_UINT32("num-harts", ClintState, num_harts, 1),
    DEFINE_PROP_UINT64("frequency", ClintState, freq_hz, 10000000),
    DEFINE_PROP_END_OF_LIST(),
};

/* Boards create it with the harts' interrupt lines (riscv_clint_create). */
static const TypeInfo clint_info = {
    .name = TYPE_RISCV_CLINT,
    .parent = "device",
    .instance_size = sizeof(ClintState),
    .desc = "RISC-V CLINT: msip, mtimecmp and mtime",
    .props = clint_props,
    .realize = clint_realize,
    .reset = clint_reset,
    .finalize = clint_finalize,
    .vmsd = &clint_vmstate,
};

static void clint_register(void)
{
    type_register(&clint_info);
}
type_init(clint_register)

DeviceState *riscv_clint_create(uint64_t addr, unsigned num_harts, uint64_t freq_hz,
                                const qemu_irq *soft, const qemu_irq *timer, GError **errp)
{
    DeviceState *dev = qdev_new(TYPE_RISCV_CLINT);
    ClintState *s = DEVICE_CAST(ClintState, dev);

    qdev_prop_set_uint64(dev, "addr", addr);
    qdev_prop_set_uint32(dev, "num-harts", num_harts);
    qdev_prop_set_uint64(dev, "frequency", freq_hz);
    for (unsigned h = 0; h < num_harts && h < CLINT_MAX_HARTS; h++) {
        s->soft[h] = soft ? soft[h] : NULL;
        s->timer[h] = timer ? timer[h] : NULL;
    }
    return qdev_realize(dev, errp) ? dev : NULL;
}

uint64_t riscv_clint_read_mtime(void *dev)
{
    return clint_mtime(DEVICE_CAST(ClintState, (DeviceState *)dev));
}
