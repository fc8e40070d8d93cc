/*
 * "riscv-plic": the platform-level interrupt controller of the RISC-V PLIC
 * specification, as laid out on SiFive parts and QEMU's virt board. Every
 * source has a level-triggered gateway: while its input is high and it is
 * not claimed, the source is pending (a line that drops before the claim
 * withdraws the request, so a guest never claims a source whose device is
 * already quiet). A claim returns the pending source enabled for the context
 * with the highest priority above the context's threshold (ties: the lowest
 * ID), clears its pending bit and holds the gateway closed until the context
 * writes that ID back (complete); a line still high then pends again. A
 * context's output is high while it has something to claim. Registers are 32
 * bits wide; reserved ones read 0 and ignore writes (guest errors). All of it
 * runs with the BQL held.
 */
#include "util/osdep.h"

#include "exec/memory.h"
#include "hw/riscv/plic.h"
#include "util/log.h"

#define PLIC_WORDS (PLIC_MAX_SOURCES / 32)

typedef struct PlicState {
    DeviceState parent_obj;

    /* Properties */
    uint64_t addr;
    uint64_t size;
    uint32_t num_sources;
    uint32_t prio_bits;
    uint32_t num_contexts;

    /* Guest-visible state */
    uint32_t priority[PLIC_MAX_SOURCES];
    uint32_t pending[PLIC_WORDS];
    uint32_t claimed[PLIC_WORDS];
    uint32_t level[PLIC_WORDS];         /* input lines */
    uint32_t enable[PLIC_MAX_CONTEXTS * PLIC_WORDS];
    uint32_t threshold[PLIC_MAX_CONTEXTS];

    /* Host side */
    qemu_irq outputs[PLIC_MAX_CONTEXTS];
    int output_level[PLIC_MAX_CONTEXTS];    /* last level driven, -1: unknown */
    qemu_irq *sources;
    MemoryRegion mmio;
    bool mapped;
} PlicState;

static bool plic_bit(const uint32_t *words, unsigned src)
{
    return (words[src / 32] >> (src % 32)) & 1;
}

static void plic_set_bit(uint32_t *words, unsigned src, bool on)
{
    if (on) {
        words[src / 32] |= 1u << (src % 32);
    } else {
        words[src / 32] &= ~(1u << (src % 32));
    }
}

/* The source CTX would claim now (0: none). */
static unsigned plic_best(const PlicState *s, unsigned ctx)
{
    const uint32_t *en = &s->enable[ctx * PLIC_WORDS];
    unsigned best = 0;
    uint32_t best_prio = s->threshold[ctx];

    for (unsigned w = 0; w < DIV_ROUND_UP(s->num_sources, 32); w++) {
        uint32_t cand = s->pending[w] & en[w];

        while (cand) {
            unsigned src = w * 32 + (unsigned)__builtin_ctz(cand);

            cand &= cand - 1;
            if (s->priority[src] > best_prio) {
                best = src;
                best_prio = s->priority[src];
            }
        }
    }
    return best;
}

static void plic_update(PlicState *s)
{
    for (unsigned ctx = 0; ctx < s->num_contexts; ctx++) {
        int level = plic_best(s, ctx) != 0;

        if (level != s->output_level[ctx]) {
            s->output_level[ctx] = level;
            irq_set(s->outputs[ctx], level);
        }
    }
}

/* The gateway of input SRC. */
static void plic_set_source(void *opaque, int n, int level)
{
    PlicState *s = opaque;
    unsigned src = (unsigned)n;

    plic_set_bit(s->level, src, level != 0);
    if (!plic_bit(s->claimed, src)) {
        plic_set_bit(s->pending, src, level != 0);
    }
    plic_update(s);
}

static uint32_t plic_claim(PlicState *s, unsigned ctx)
{
    unsigned src = plic_best(s, ctx);

    if (src) {
        plic_set_bit(s->pending, src, false);
        plic_set_bit(s->claimed, src, true);
        plic_update(s);
    }
    return src;
}

static void plic_complete(PlicState *s, unsigned ctx, uint32_t src)
{
    if (src == 0 || src >= s->num_sources || !plic_bit(&s->enable[ctx * PLIC_WORDS], src)) {
        log_mask_printf(LOG_GUEST_ERROR, "riscv-plic: context %u completes source %" PRIu32
                        ", which is not enabled for it; ignored\n", ctx, src);
        return;
    }
    plic_set_bit(s->claimed, src, false);
    if (plic_bit(s->level, src)) {
        plic_set_bit(s->pending, src, true);
    }
    plic_update(s);
}

/* The word at OFF of the enable, pending or priority arrays, or NULL if reserved. */
static uint32_t *plic_word(PlicState *s, uint64_t off, unsigned *ctx_out)
{
    unsigned nwords = DIV_ROUND_UP(s->num_sources, 32);

    if (off < PLIC_PENDING_BASE) {
        return off / 4 < s->num_sources && off != 0 ? &s->priority[off / 4] : NULL;
    }
    if (off < PLIC_ENABLE_BASE) {
        return (off - PLIC_PENDING_BASE) / 4 < nwords ? &s->pending[(off - PLIC_PENDING_BASE) / 4]
                                                      : NULL;
    }
    if (off < PLIC_CONTEXT_BASE) {
        unsigned ctx = (off - PLIC_ENABLE_BASE) / PLIC_ENABLE_STRIDE;
        unsigned w = (off - PLIC_ENABLE_BASE) % PLIC_ENABLE_STRIDE / 4;

        *ctx_out = ctx;
        return ctx < s->num_contexts && w < nwords ? &s->enable[ctx * PLIC_WORDS + w] : NULL;
    }
    return NULL;
}

static uint64_t plic_read(void *opaque, uint64_t addr, unsigned size)
{
    PlicState *s = opaque;
    unsigned ctx = 0;
    uint32_t *word;

    if (addr >= PLIC_CONTEXT_BASE) {
        ctx = (addr - PLIC_CONTEXT_BASE) / PLIC_CONTEXT_STRIDE;
        if (ctx < s->num_contexts) {
            switch ((addr - PLIC_CONTEXT_BASE) % PLIC_CONTEXT_STRIDE) {
            case 0:
                return s->threshold[ctx];
            case 4:
                return plic_claim(s, ctx);
            }
        }
    } else if ((word = plic_word(s, addr, &ctx))) {
        return *word;
    }
    log_mask_printf(LOG_GUEST_ERROR, "riscv-plic: read of reserved offset 0x%" PRIx64 "\n",
                    addr);
    return 0;
}

static void plic_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    PlicState *s = opaque;
    unsigned ctx = 0;
    uint32_t *word;

    if (addr >= PLIC_CONTEXT_BASE) {
        ctx = (addr - PLIC_CONTEXT_BASE) / PLIC_CONTEXT_STRIDE;
        if (ctx < s->num_contexts) {
            switch ((addr - PLIC_CONTEXT_BASE) % PLIC_CONTEXT_STRIDE) {
            case 0:
                s->threshold[ctx] = (uint32_t)val & ((1u << s->prio_bits) - 1);
                plic_update(s);
                return;
            case 4:
                plic_complete(s, ctx, (uint32_t)val);
                return;
            }
        }
    } else if (addr >= PLIC_PENDING_BASE && addr < PLIC_ENABLE_BASE) {
        log_mask_printf(LOG_GUEST_ERROR, "riscv-plic: pending bits (offset 0x%" PRIx64
                        ") are read-only; write ignored\n", addr);
        return;
    } else if ((word = plic_word(s, addr, &ctx))) {
        if (addr < PLIC_PENDING_BASE) {
            *word = (uint32_t)val & ((1u << s->prio_bits) - 1);
        } else {
            unsigned first = (addr - PLIC_ENABLE_BASE) % PLIC_ENABLE_STRIDE / 4 * 32;
            uint32_t mask = UINT32_MAX;

            if (first == 0) {
                mask &= ~1u;                    /* source 0 does not exist */
            }
            if (s->num_sources - first < 32) {
                mask &= (1u << (s->num_sources - first)) - 1;
            }
            *word = (uint32_t)val & mask;
        }
        plic_update(s);
        return;
    }
    log_mask_printf(LOG_GUEST_ERROR, "riscv-plic: write of 0x%" PRIx64 " to reserved offset 0x%"
                    PRIx64 " ignored\n", val, addr);
}

static const MemoryRegionOps plic_ops = {
    .read = plic_read,
    .write = plic_write,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
};

/* Everything off and unclaimed; the input lines keep their levels and pend again. */
static void plic_reset(DeviceState *dev)
{
    PlicState *s = DEVICE_CAST(PlicState, dev);

    memset(s->priority, 0, sizeof(s->priority));
    memset(s->claimed, 0, sizeof(s->claimed));
    memset(s->enable, 0, sizeof(s->enable));
    memset(s->threshold, 0, sizeof(s->threshold));
    memcpy(s->pending, s->level, sizeof(s->pending));
    plic_update(s);
}

static bool plic_realize(DeviceState *dev, GError **errp)
{
    PlicState *s = DEVICE_CAST(PlicState, dev);

    if (s->num_sources < 2 || s->num_sources > PLIC_MAX_SOURCES) {
        error_setg(errp, "riscv-plic: num-sources %" PRIu32 " is not 2 to %d", s->num_sources,
                   PLIC_MAX_SOURCES);
        return false;
    }
    if (s->num_contexts == 0 || s->num_contexts > PLIC_MAX_CONTEXTS) {
        error_setg(errp, "riscv-plic: num-contexts %" PRIu32 " is not 1 to %d",
                   s->num_contexts, PLIC_MAX_CONTEXTS);
        return false;
    }
    if (s->prio_bits == 0 || s->prio_bits > 31) {
        error_setg(errp, "riscv-plic: priority-bits %" PRIu32 " is not 1 to 31", s->prio_bits);
        return false;
    }
    if (s->size < PLIC_CONTEXT_BASE + (uint64_t)s->num_contexts * PLIC_CONTEXT_STRIDE ||
        s->addr & 0xfff || s->addr > UINT64_MAX - s->size) {
        error_setg(errp, "riscv-plic: window 0x%" PRIx64 " + 0x%" PRIx64 " is misaligned or "
                   "too small for %" PRIu32 " contexts", s->addr, s->size, s->num_contexts);
        return false;
    }
    s->sources = g_new0(qemu_irq, s->num_sources);
    for (unsigned i = 1; i < s->num_sources; i++) {
        s->sources[i] = irq_new(plic_set_source, s, (int)i);
    }
    for (unsigned c = 0; c < s->num_contexts; c++) {
        s->output_level[c] = -1;
    }
    memory_region_init_io(&s->mmio, &plic_ops, s, "riscv-plic", s->size);
    memory_region_add_subregion(get_system_memory(), s->addr, &s->mmio);
    s->mapped = true;
    plic_reset(dev);
    return true;
}

static void plic_finalize(DeviceState *dev)
{
    PlicState *s = DEVICE_CAST(PlicState, dev);

    if (s->mapped) {
        memory_region_del_subregion(get_system_memory(), &s->mmio);
        memory_region_finalize(&s->mmio);
    }
    if (s->sources) {
        for (unsigned i = 1; i < s->num_sources; i++) {
            irq_free(s->sources[i]);
        }
        g_free(s->sources);
    }
}

static int plic_post_load(void *opaque, int version_id)
{
    PlicState *s = opaque;

    for (unsigned c = 0; c < s->num_contexts; c++) {
        s->output_level[c] = -1;
    }
    plic_update(s);
    return 0;
}

static const VMStateField plic_vmstate_fields[] = {
    VMSTATE_UINT32_ARRAY(priority, PlicState, PLIC_MAX_SOURCES),
    VMSTATE_UINT32_ARRAY(pending, PlicState, PLIC_WORDS),
    VMSTATE_UINT32_ARRAY(claimed, PlicState, PLIC_WORDS),
    VMSTATE_UINT32_ARRAY(level, PlicState, PLIC_WORDS),
    VMSTATE_UINT32_ARRAY(enable, PlicState, PLIC_MAX_CONTEXTS * PLIC_WORDS),
    VMSTATE_UINT32_ARRAY(threshold, PlicState, PLIC_MAX_CONTEXTS),
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription plic_vmstate = {
    .name = TYPE_RISCV_PLIC,
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = plic_vmstate_fields,
    .post_load = plic_post_load,
};

static const Property plic_props[] = {
    DEFINE_PROP_UINT64("addr", PlicState, addr, 0xc000000),
    DEFINE_PROP_UINT64("size", PlicState, size, 0x600000),
    DEFINE_PROP_UINT32("num-sources", PlicState, num_sources, 96),
    DEFINE_PROP_UINT32("priority-bits", PlicState, prio_bits, 3),
    DEFINE_PROP_UINT32("num-contexts", PlicState, num_contexts, 2),
    DEFINE_PROP_END_OF_LIST(),
};

/* Boards create it with the contexts' output lines (riscv_plic_create). */
static const TypeInfo plic_info = {
    .name = TYPE_RISCV_PLIC,
    .parent = "device",
    .instance_size = sizeof(PlicState),
    .desc = "RISC-V PLIC: level-triggered sources, claim/complete per context",
    .props = plic_props,
    .realize = plic_realize,
    .reset = plic_reset,
    .finalize = plic_finalize,
    .vmsd = &plic_vmstate,
};

static void plic_register(void)
{
    type_register(&plic_info);
}
type_init(plic_register)

DeviceState *riscv_plic_create(uint64_t addr, uint64_t size, unsigned num_sources,
                               unsigned prio_bits, unsigned num_contexts,
                               const qemu_irq *outputs, GError **errp)
{
    DeviceState *dev = qdev_new(TYPE_RISCV_PLIC);
    PlicState *s = DEVICE_CAST(PlicState, dev);

    qdev_prop_set_uint64(dev, "addr", addr);
    qdev_prop_set_uint64(dev, "size", size);
    qdev_prop_set_uint32(dev, "num-sources", num_sources);
    qdev_prop_set_uint32(dev, "priority-bits", prio_bits);
    qdev_prop_set_uint32(dev, "num-contexts", num_contexts);
    for (unsigned c = 0; c < num_contexts && c < PLIC_MAX_CONTEXTS; c++) {
        s->outputs[c] = outputs ? outputs[c] : NULL;
    }
    return qdev_realize(dev, errp) ? dev : NULL;
}

qemu_irq riscv_plic_get_source(DeviceState *dev, unsigned src)
{
    PlicState *s = DEVICE_CAST(PlicState, dev);

    return src > 0 && src < s->num_sources ? s->sources[src] : NULL;
}
