/*
 * "apic": the xAPIC local APIC of one vCPU, written from the Intel SDM vol. 3A
 * chapter 11. Registers: ID, version, TPR/APR/PPR, EOI, LDR/DFR, SVR, the
 * 256-bit ISR/TMR/IRR, ESR, the ICR (fixed, lowest priority, NMI, INIT,
 * STARTUP, ExtINT with the four destination shorthands) and the LVT entries
 * (timer, thermal, performance counter, LINT0, LINT1, error), plus the timer
 * (one-shot, periodic and TSC-deadline) driven by the host clock at
 * APIC_BUS_FREQ_HZ. Interrupt messages (IOAPIC, MSI, IPIs) go through
 * apic_deliver_irq(); the accelerator polls the pending state and is kicked
 * when it changes. IPIs complete at once, so the ICR's delivery status bit
 * always reads idle.
 */
#include "util/osdep.h"

#include "exec/memory.h"
#include "hw/intc/apic.h"
#include "hw/timer/hwclock.h"
#include "sysemu/cpus.h"
#include "util/log.h"

#define APIC_VERSION        0x00050014      /* integrated APIC, LVT entries 0-5 */
#define APIC_BASE_BSP       (1ULL << 8)
#define APIC_BASE_ENABLE    (1ULL << 11)
#define APIC_SVR_ENABLE     0x100

#define LVT_TIMER   0
#define LVT_THERMAL 1
#define LVT_PERF    2
#define LVT_LINT0   3
#define LVT_LINT1   4
#define LVT_ERROR   5
#define LVT_NUM     6

#define LVT_MASKED          (1u << 16)
#define LVT_LEVEL_TRIG      (1u << 15)
#define LVT_REMOTE_IRR      (1u << 14)
#define LVT_DELIV_STATUS    (1u << 12)
#define LVT_TIMER_MODE(v)   (((v) >> 17) & 3)
#define LVT_DM(v)           (((v) >> 8) & 7)

enum { TIMER_ONESHOT, TIMER_PERIODIC, TIMER_TSC_DEADLINE };

/* ESR bits */
#define ESR_SEND_ILLEGAL    (1u << 5)
#define ESR_RECV_ILLEGAL    (1u << 6)
#define ESR_ILLEGAL_REG     (1u << 7)

typedef struct APICState {
    DeviceState parent_obj;

    int32_t cpu_index;
    uint32_t id;
    uint64_t base;
    uint8_t tpr;
    uint32_t ldr;
    uint32_t dfr;
    uint32_t svr;
    uint32_t isr[8];
    uint32_t tmr[8];
    uint32_t irr[8];
    uint32_t esr;               /* as last latched by an ESR write */
    uint32_t esr_pending;       /* errors since */
    uint32_t icr[2];
    uint32_t lvt[LVT_NUM];
    uint32_t initial_count;
    uint32_t divide_conf;
    uint64_t timer_start;       /* clock ns when the current period began */
    bool timer_running;
    uint64_t tsc_deadline;
    uint64_t tsc_deadline_ns;   /* the clock ns it stands for */
    bool nmi_pending;
    bool init_pending;
    bool extint_pending;
    int32_t sipi_vector;        /* -1: none */
    uint8_t lint_level[2];

    qemu_irq lint[2];
    HwTimer *timer;
} APICState;

static APICState *apics[APIC_MAX_CPUS];
static MemoryRegion apic_mmio;
static bool apic_mmio_mapped;
static int (*extint_ack)(void *opaque);
static void *extint_ack_opaque;

typedef struct EoiListener {
    void (*fn)(void *opaque, uint8_t vector);
    void *opaque;
} EoiListener;
static GArray *eoi_listeners;

static inline bool vec_test(const uint32_t *bm, unsigned v)
{
    return bm[v >> 5] & (1u << (v & 31));
}

static inline void vec_set(uint32_t *bm, unsigned v)
{
    bm[v >> 5] |= 1u << (v & 31);
}

static inline void vec_clear(uint32_t *bm, unsigned v)
{
    bm[v >> 5] &= ~(1u << (v & 31));
}

/* The highest vector set in a 256-bit register, or -1. */
static int vec_highest(const uint32_t *bm)
{
    for (int i = 7; i >= 0; i--) {
        if (bm[i]) {
            return i * 32 + 31 - __builtin_clz(bm[i]);
        }
    }
    return -1;
}

static bool apic_hw_enabled(const APICState *s)
{
    return s->base & APIC_BASE_ENABLE;
}

static bool apic_sw_enabled(const APICState *s)
{
    return apic_hw_enabled(s) && (s->svr & APIC_SVR_ENABLE);
}

static uint8_t apic_ppr(const APICState *s)
{
    int isrv = vec_highest(s->isr);
    uint8_t isr_class = isrv < 0 ? 0 : isrv & 0xf0;

    return (s->tpr & 0xf0) >= isr_class ? s->tpr : isr_class;
}

static void apic_kick(APICState *s)
{
    if (s->cpu_index < (int)cpus_count && cpus[s->cpu_index] != cpu_current()) {
        cpu_kick(cpus[s->cpu_index]);
    }
}

static void apic_error(APICState *s, uint32_t bits);

/* Accepts a fixed-mode VECTOR into the IRR (TMR says its trigger mode). */
static void apic_accept_fixed(APICState *s, uint8_t vector, bool level_trig)
{
    if (!apic_sw_enabled(s)) {
        return;
    }
    if (vector < 16) {
        apic_error(s, ESR_RECV_ILLEGAL);
        return;
    }
    vec_set(s->irr, vector);
    if (level_trig) {
        vec_set(s->tmr, vector);
    } else {
        vec_clear(s->tmr, vector);
    }
    apic_kick(s);
}

static void apic_accept(APICState *s, unsigned mode, uint8_t vector, bool level_trig)
{
    switch (mode) {
    case APIC_DM_FIXED:
    case APIC_DM_LOWEST:
        apic_accept_fixed(s, vector, level_trig);
        break;
    case APIC_DM_NMI:
        s->nmi_pending = true;
        apic_kick(s);
        break;
    case APIC_DM_INIT:
        /* A STARTUP that came before the INIT is not for the wait-for-SIPI state it starts. */
        s->init_pending = true;
        s->sipi_vector = -1;
        apic_kick(s);
        break;
    case APIC_DM_STARTUP:
        s->sipi_vector = vector;
        apic_kick(s);
        break;
    case APIC_DM_EXTINT:
        s->extint_pending = true;
        apic_kick(s);
        break;
    default:
        log_mask_printf(LOG_UNIMP, "apic: delivery mode %u (SMI) ignored\n", mode);
        break;
    }
}

/* Delivers the LVT entry IDX (if unmasked), as the local interrupt source it describes. */
static void apic_deliver_lvt(APICState *s, unsigned idx)
{
    uint32_t lvt = s->lvt[idx];
    unsigned mode = idx == LVT_TIMER || idx == LVT_ERROR ? APIC_DM_FIXED : LVT_DM(lvt);

    if ((lvt & LVT_MASKED) || !apic_sw_enabled(s)) {
        return;
    }
    if (mode == APIC_DM_FIXED) {
        apic_accept_fixed(s, lvt & 0xff, false);
    } else {
        apic_accept(s, mode, lvt & 0xff, false);
    }
}

static void apic_error(APICState *s, uint32_t bits)
{
    bool first = !(s->esr_pending & bits);

    s->esr_pending |= bits;
    if (first && (s->lvt[LVT_ERROR] & 0xff) >= 16) {
        apic_deliver_lvt(s, LVT_ERROR);
    }
}

/* --- timer --- */

static unsigned apic_timer_shift(const APICState *s)
{
    unsigned v = (s->divide_conf & 3) | ((s->divide_conf >> 1) & 4);

    return (v + 1) & 7;                 /* divide by 2^shift; 0b111 is divide by 1 */
}

static uint64_t apic_timer_period_ns(const APICState *s)
{
    uint64_t ticks = (uint64_t)s->initial_count << apic_timer_shift(s);

    return ticks * 1000000000ULL / APIC_BUS_FREQ_HZ;
}

static void apic_timer_arm(APICState *s)
{
    if (!s->timer_running) {
        hwtimer_del(s->timer);
    } else if (LVT_TIMER_MODE(s->lvt[LVT_TIMER]) == TIMER_TSC_DEADLINE) {
        hwtimer_mod(s->timer, s->tsc_deadline_ns);
    } else {
        hwtimer_mod(s->timer, s->timer_start + apic_timer_period_ns(s));
    }
}

static void apic_timer_expired(void *opaque)
{
    APICState *s = opaque;
    unsigned mode = LVT_TIMER_MODE(s->lvt[LVT_TIMER]);

    if (!s->timer_running) {
        return;
    }
    apic_deliver_lvt(s, LVT_TIMER);
    if (mode == TIMER_PERIODIC) {
        uint64_t period = MAX(apic_timer_period_ns(s), 1);
        uint64_t now = hwclock_now_ns();

        /* Ticks the host could not deliver in time are coalesced into this one. */
        s->timer_start += period;
        if (now >= s->timer_start + period) {
            s->timer_start += (now - s->timer_start) / period * period;
        }
    } else {
        s->timer_running = false;
        s->tsc_deadline = 0;
    }
    apic_timer_arm(s);
}

static uint32_t apic_current_count(const APICState *s)
{
    uint64_t elapsed;

    if (!s->timer_running || LVT_TIMER_MODE(s->lvt[LVT_TIMER]) == TIMER_TSC_DEADLINE ||
        !s->initial_count) {
        return 0;
    }
    elapsed = (hwclock_now_ns() - s->timer_start) * APIC_BUS_FREQ_HZ / 1000000000ULL;
    elapsed >>= apic_timer_shift(s);
    if (LVT_TIMER_MODE(s->lvt[LVT_TIMER]) == TIMER_PERIODIC) {
        return s->initial_count - elapsed % s->initial_count;
    }
    return elapsed >= s->initial_count ? 0 : s->initial_count - elapsed;
}

static void apic_timer_stop(APICState *s)
{
    s->timer_running = false;
    apic_timer_arm(s);
}

void apic_set_tsc_deadline(DeviceState *dev, uint64_t deadline, uint64_t tsc_now,
                           uint64_t tsc_hz)
{
    APICState *s = DEVICE_CAST(APICState, dev);

    if (LVT_TIMER_MODE(s->lvt[LVT_TIMER]) != TIMER_TSC_DEADLINE) {
        return;                         /* writes are ignored in the other modes */
    }
    s->tsc_deadline = deadline;
    if (!deadline) {
        apic_timer_stop(s);
        return;
    }
    s->tsc_deadline_ns = hwclock_now_ns();
    if (deadline > tsc_now && tsc_hz) {
        s->tsc_deadline_ns += (unsigned __int128)(deadline - tsc_now) * 1000000000ULL / tsc_hz;
    }
    s->timer_running = true;
    apic_timer_arm(s);
}

uint64_t apic_get_tsc_deadline(DeviceState *dev)
{
    APICState *s = DEVICE_CAST(APICState, dev);

    return LVT_TIMER_MODE(s->lvt[LVT_TIMER]) == TIMER_TSC_DEADLINE ? s->tsc_deadline : 0;
}

/* --- message delivery --- */

static bool apic_match_logical(const APICState *s, uint8_t dest)
{
    uint8_t ldr = s->ldr >> 24;

    if (dest == 0xff) {
        return true;
    }
    if ((s->dfr >> 28) == 0xf) {        /* flat model */
        return ldr & dest;
    }
    return (ldr >> 4) == (dest >> 4) && (ldr & dest & 0xf);    /* cluster model */
}

static bool apic_match(const APICState *s, uint8_t dest, bool logical)
{
    if (logical) {
        return apic_match_logical(s, dest);
    }
    return dest == 0xff || (s->id & 0xff) == dest;
}

void apic_deliver_irq(uint8_t dest, bool logical, unsigned delivery_mode, uint8_t vector,
                      bool level_trig)
{
    APICState *lowest = NULL;

    for (unsigned i = 0; i < APIC_MAX_CPUS; i++) {
        APICState *s = apics[i];

        if (!s || !apic_hw_enabled(s) || !apic_match(s, dest, logical)) {
            continue;
        }
        if (delivery_mode == APIC_DM_LOWEST) {
            /* The target at the lowest priority; the first one when several tie. */
            if (apic_sw_enabled(s) && (!lowest || apic_ppr(s) < apic_ppr(lowest))) {
                lowest = s;
            }
            continue;
        }
        apic_accept(s, delivery_mode, vector, level_trig);
    }
    if (lowest) {
        apic_accept(lowest, APIC_DM_FIXED, vector, level_trig);
    }
}

void apic_deliver_msi(uint64_t addr, uint32_t data)
{
    uint8_t dest = (addr >> 12) & 0xff;
    bool logical = addr & 4;
    unsigned mode = (data >> 8) & 7;

    if ((addr & 0xfff00000) != APIC_DEFAULT_BASE) {
        log_mask_printf(LOG_GUEST_ERROR, "apic: MSI to 0x%" PRIx64 " is not an interrupt\n",
                        addr);
        return;
    }
    apic_deliver_irq(dest, logical, mode, data & 0xff, (data >> 15) & 1);
}

/* The ICR's low word was written: send the IPI. */
static void apic_send_ipi(APICState *s)
{
    uint32_t lo = s->icr[0];
    uint8_t vector = lo & 0xff;
    unsigned mode = LVT_DM(lo);
    bool logical = lo & (1u << 11);
    bool level_trig = lo & LVT_LEVEL_TRIG;
    unsigned shorthand = (lo >> 18) & 3;

    if (mode == APIC_DM_INIT && level_trig && !(lo & LVT_REMOTE_IRR)) {
        return;     /* INIT level de-assert: only resynchronises arbitration IDs */
    }
    if ((mode == APIC_DM_FIXED || mode == APIC_DM_LOWEST) && vector < 16) {
        apic_error(s, ESR_SEND_ILLEGAL);
        return;
    }
    switch (shorthand) {
    case 0:
        apic_deliver_irq(s->icr[1] >> 24, logical, mode, vector, level_trig);
        break;
    case 1:         /* self */
        apic_accept(s, mode == APIC_DM_LOWEST ? APIC_DM_FIXED : mode, vector, level_trig);
        break;
    default:        /* all including self (2), all excluding self (3) */
        for (unsigned i = 0; i < APIC_MAX_CPUS; i++) {
            if (apics[i] && apic_hw_enabled(apics[i]) && (shorthand == 2 || apics[i] != s)) {
                apic_accept(apics[i], mode == APIC_DM_LOWEST ? APIC_DM_FIXED : mode, vector,
                            level_trig);
            }
        }
        break;
    }
}

/* --- the CPU side --- */

static bool apic_extint_waiting(const APICState *s)
{
    uint32_t lint0 = s->lvt[LVT_LINT0];

    if (s->extint_pending) {
        return true;
    }
    /* A globally disabled APIC passes the 8259's INTR straight to the CPU. */
    if (!apic_hw_enabled(s)) {
        return s->lint_level[0];
    }
    return s->lint_level[0] && !(lint0 & LVT_MASKED) && LVT_DM(lint0) == APIC_DM_EXTINT;
}

bool apic_has_interrupt(DeviceState *dev)
{
    APICState *s = DEVICE_CAST(APICState, dev);
    int v;

    if (apic_extint_waiting(s)) {
        return true;
    }
    v = vec_highest(s->irr);
    return v >= 0 && apic_sw_enabled(s) && (v & 0xf0) > (apic_ppr(s) & 0xf0);
}

int apic_acknowledge(DeviceState *dev)
{
    APICState *s = DEVICE_CAST(APICState, dev);
    int v;

    if (apic_extint_waiting(s)) {
        s->extint_pending = false;
        return extint_ack ? extint_ack(extint_ack_opaque) : -1;
    }
    v = vec_highest(s->irr);
    if (v < 0 || !apic_sw_enabled(s)) {
        return -1;
    }
    if ((v & 0xf0) <= (apic_ppr(s) & 0xf0)) {
        return s->svr & 0xff;           /* spurious: masked by the TPR meanwhile */
    }
    vec_clear(s->irr, v);
    vec_set(s->isr, v);
    return v;
}

bool apic_take_nmi(DeviceState *dev)
{
    APICState *s = DEVICE_CAST(APICState, dev);
    bool r = s->nmi_pending;

    s->nmi_pending = false;
    return r;
}

static void apic_init_reset(APICState *s);

bool apic_take_init(DeviceState *dev)
{
    APICState *s = DEVICE_CAST(APICState, dev);

    if (!s->init_pending) {
        return false;
    }
    apic_init_reset(s);
    return true;
}

int apic_take_sipi(DeviceState *dev)
{
    APICState *s = DEVICE_CAST(APICState, dev);
    int v = s->sipi_vector;

    s->sipi_vector = -1;
    return v;
}

uint8_t apic_get_tpr(DeviceState *dev)
{
    return DEVICE_CAST(APICState, dev)->tpr;
}

void apic_set_tpr(DeviceState *dev, uint8_t tpr)
{
    APICState *s = DEVICE_CAST(APICState, dev);

    if (tpr < s->tpr) {
        apic_kick(s);                   /* something may have been unmasked */
    }
    s->tpr = tpr;
}

uint64_t apic_get_base(DeviceState *dev)
{
    return DEVICE_CAST(APICState, dev)->base;
}

void apic_set_base(DeviceState *dev, uint64_t value)
{
    APICState *s = DEVICE_CAST(APICState, dev);

    if ((value & ~(uint64_t)0xfff) != APIC_DEFAULT_BASE && (value & APIC_BASE_ENABLE)) {
        log_mask_printf(LOG_UNIMP, "apic: relocation to 0x%" PRIx64 " ignored\n",
                        value & ~(uint64_t)0xfff);
    }
    if ((s->base & APIC_BASE_ENABLE) && !(value & APIC_BASE_ENABLE)) {
        /* Globally disabled: as after INIT, with every LVT entry masked. */
        apic_init_reset(s);
    }
    s->base = (value & (APIC_BASE_ENABLE | APIC_BASE_BSP)) | APIC_DEFAULT_BASE;
}

static void apic_eoi(APICState *s)
{
    int v = vec_highest(s->isr);

    if (v < 0) {
        return;
    }
    vec_clear(s->isr, v);
    if (vec_test(s->tmr, v) && eoi_listeners) {
        for (guint i = 0; i < eoi_listeners->len; i++) {
            EoiListener *l = &g_array_index(eoi_listeners, EoiListener, i);

            l->fn(l->opaque, v);
        }
    }
    apic_kick(s);
}

static void apic_set_lint(void *opaque, int n, int level)
{
    APICState *s = opaque;
    uint32_t lvt = s->lvt[LVT_LINT0 + n];
    bool rising = level && !s->lint_level[n];

    s->lint_level[n] = level;
    if (!apic_hw_enabled(s) || (lvt & LVT_MASKED)) {
        if (n == 0 && !apic_hw_enabled(s)) {
            apic_kick(s);
        }
        return;
    }
    switch (LVT_DM(lvt)) {
    case APIC_DM_EXTINT:
        apic_kick(s);
        break;
    case APIC_DM_FIXED:
        if (lvt & LVT_LEVEL_TRIG) {
            if (level && !(lvt & LVT_REMOTE_IRR)) {
                s->lvt[LVT_LINT0 + n] |= LVT_REMOTE_IRR;
                apic_accept_fixed(s, lvt & 0xff, true);
            }
        } else if (rising) {
            apic_accept_fixed(s, lvt & 0xff, false);
        }
        break;
    default:
        if (rising) {
            apic_deliver_lvt(s, LVT_LINT0 + n);
        }
        break;
    }
}

/* --- registers --- */

static uint32_t apic_reg_read(APICState *s, unsigned reg)
{
    switch (reg) {
    case 0x02:
        return s->id << 24;
    case 0x03:
        return APIC_VERSION;
    case 0x08:
        return s->tpr;
    case 0x09:
        return 0;                       /* APR: arbitration is not modelled */
    case 0x0a:
        return apic_ppr(s);
    case 0x0b:
        return 0;                       /* EOI is write-only */
    case 0x0d:
        return s->ldr;
    case 0x0e:
        return s->dfr;
    case 0x0f:
        return s->svr;
    case 0x10 ... 0x17:
        return s->isr[reg - 0x10];
    case 0x18 ... 0x1f:
        return s->tmr[reg - 0x18];
    case 0x20 ... 0x27:
        return s->irr[reg - 0x20];
    case 0x28:
        return s->esr;
    case 0x30:
        return s->icr[0] & ~LVT_DELIV_STATUS;
    case 0x31:
        return s->icr[1];
    case 0x32 ... 0x37:
        return s->lvt[reg - 0x32];
    case 0x38:
        return s->initial_count;
    case 0x39:
        return apic_current_count(s);
    case 0x3e:
        return s->divide_conf;
    default:
        log_mask_printf(LOG_GUEST_ERROR, "apic: read of reserved register 0x%x\n", reg << 4);
        apic_error(s, ESR_ILLEGAL_REG);
        return 0;
    }
}

static void apic_write_lvt(APICState *s, unsigned idx, uint32_t val)
{
    static const uint32_t lvt_mask[LVT_NUM] = {
        [LVT_TIMER] = 0x700ff, [LVT_THERMAL] = 0x107ff, [LVT_PERF] = 0x107ff,
        [LVT_LINT0] = 0x1a7ff, [LVT_LINT1] = 0x1a7ff, [LVT_ERROR] = 0x100ff,
    };
    uint32_t old = s->lvt[idx];

    if (!apic_sw_enabled(s)) {
        val |= LVT_MASKED;              /* software-disabled: the mask bits stay set */
    }
    s->lvt[idx] = (val & lvt_mask[idx]) | (old & (LVT_REMOTE_IRR | LVT_DELIV_STATUS));
    if (idx == LVT_TIMER) {
        if (LVT_TIMER_MODE(val) == 3) {
            log_mask_printf(LOG_GUEST_ERROR, "apic: reserved timer mode 3\n");
        }
        if (LVT_TIMER_MODE(old) != LVT_TIMER_MODE(s->lvt[idx])) {
            s->initial_count = 0;
            s->tsc_deadline = 0;
            apic_timer_stop(s);
        }
    } else if (idx == LVT_LINT0 || idx == LVT_LINT1) {
        apic_set_lint(s, idx - LVT_LINT0, s->lint_level[idx - LVT_LINT0]);
    }
}

static void apic_write_svr(APICState *s, uint32_t val)
{
    s->svr = val & 0x11ff;
    if (!(s->svr & APIC_SVR_ENABLE)) {
        for (unsigned i = 0; i < LVT_NUM; i++) {
            s->lvt[i] |= LVT_MASKED;
        }
    }
    apic_kick(s);
}

static void apic_reg_write(APICState *s, unsigned reg, uint32_t val)
{
    switch (reg) {
    case 0x02:
        s->id = val >> 24;
        break;
    case 0x08:
        apic_set_tpr(&s->parent_obj, val & 0xff);
        break;
    case 0x0b:
        apic_eoi(s);
        break;
    case 0x0d:
        s->ldr = val & 0xff000000;
        break;
    case 0x0e:
        s->dfr = val | 0x0fffffff;
        break;
    case 0x0f:
        apic_write_svr(s, val);
        break;
    case 0x28:
        s->esr = s->esr_pending;
        s->esr_pending = 0;
        break;
    case 0x30:
        s->icr[0] = val & 0x000ccfff;
        apic_send_ipi(s);
        break;
    case 0x31:
        s->icr[1] = val & 0xff000000;
        break;
    case 0x32 ... 0x37:
        apic_write_lvt(s, reg - 0x32, val);
        break;
    case 0x38:
        if (LVT_TIMER_MODE(s->lvt[LVT_TIMER]) == TIMER_TSC_DEADLINE) {
            break;                      /* ignored in TSC-deadline mode */
        }
        s->initial_count = val;
        s->timer_start = hwclock_now_ns();
        s->timer_running = val != 0;
        apic_timer_arm(s);
        break;
    case 0x3e:
        s->divide_conf = val & 0xb;
        break;
    case 0x03: case 0x09: case 0x0a: case 0x0c:
    case 0x10 ... 0x27: case 0x39:
        log_mask_printf(LOG_GUEST_ERROR, "apic: write to read-only register 0x%x ignored\n",
                        reg << 4);
        break;
    default:
        log_mask_printf(LOG_GUEST_ERROR, "apic: write to reserved register 0x%x ignored\n",
                        reg << 4);
        apic_error(s, ESR_ILLEGAL_REG);
        break;
    }
}

/* The LAPIC that a CPU access reaches: its own, or vCPU 0's from a non-vCPU thread. */
static APICState *apic_for_access(void)
{
    CPUState *cpu = cpu_current();

    if (cpu && cpu->index >= 0 && cpu->index < APIC_MAX_CPUS && apics[cpu->index]) {
        return apics[cpu->index];
    }
    for (unsigned i = 0; i < APIC_MAX_CPUS; i++) {
        if (apics[i]) {
            return apics[i];
        }
    }
    return NULL;
}

static uint64_t apic_mmio_read(void *opaque, uint64_t addr, unsigned size)
{
    APICState *s = apic_for_access();

    if (!s || addr >= 0x1000 || (addr & 0xf) || !apic_hw_enabled(s)) {
        return 0;
    }
    return apic_reg_read(s, addr >> 4);
}

static void apic_mmio_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    APICState *s;

    /* A LAPIC has nothing in the first 16 bytes: MSIs are written there. */
    if ((addr & 0xff0) == 0) {
        apic_deliver_msi(APIC_DEFAULT_BASE + addr, val);
        return;
    }
    s = apic_for_access();
    if (!s || addr >= 0x1000 || !apic_hw_enabled(s)) {
        return;
    }
    if (addr & 0xf) {
        log_mask_printf(LOG_GUEST_ERROR, "apic: unaligned write at 0x%" PRIx64 " ignored\n",
                        addr);
        return;
    }
    apic_reg_write(s, addr >> 4, val);
}

static const MemoryRegionOps apic_mmio_ops = {
    .read = apic_mmio_read,
    .write = apic_mmio_write,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
};

/* --- lifecycle --- */

/* INIT: everything but the APIC ID and base back to power-up values (SDM 11.4.7.3). */
static void apic_init_reset(APICState *s)
{
    s->tpr = 0;
    s->ldr = 0;
    s->dfr = 0xffffffff;
    s->svr = 0xff;
    memset(s->isr, 0, sizeof(s->isr));
    memset(s->tmr, 0, sizeof(s->tmr));
    memset(s->irr, 0, sizeof(s->irr));
    s->esr = s->esr_pending = 0;
    s->icr[0] = s->icr[1] = 0;
    for (unsigned i = 0; i < LVT_NUM; i++) {
        s->lvt[i] = LVT_MASKED;
    }
    s->initial_count = 0;
    s->divide_conf = 0;
    s->tsc_deadline = 0;
    s->nmi_pending = false;
    s->init_pending = false;
    s->extint_pending = false;
    apic_timer_stop(s);
}

static void apic_reset(DeviceState *dev)
{
    APICState *s = DEVICE_CAST(APICState, dev);
    bool bsp = s->cpu_index == 0;

    s->base = APIC_DEFAULT_BASE | APIC_BASE_ENABLE | (bsp ? APIC_BASE_BSP : 0);
    s->sipi_vector = -1;
    apic_init_reset(s);
    /*
     * The boot processor's LINT0 takes the 8259 (virtual wire mode), as
     * firmware leaves it and guests booted without firmware expect.
     */
    if (bsp) {
        s->lvt[LVT_LINT0] = APIC_DM_EXTINT << 8;
    }
}

static bool apic_realize(DeviceState *dev, GError **errp)
{
    APICState *s = DEVICE_CAST(APICState, dev);

    if (s->cpu_index < 0 || s->cpu_index >= APIC_MAX_CPUS || apics[s->cpu_index]) {
        error_setg(errp, "apic: vCPU index %d is out of range or has a LAPIC already",
                   s->cpu_index);
        return false;
    }
    if (s->id > 0xfe) {
        error_setg(errp, "apic: APIC id %u does not fit the xAPIC's 8 bits", s->id);
        return false;
    }
    if (!apic_mmio_mapped) {
        memory_region_init_io(&apic_mmio, &apic_mmio_ops, NULL, "apic", 0x100000);
        memory_region_add_subregion_overlap(get_system_memory(), APIC_DEFAULT_BASE, &apic_mmio,
                                            1);
        apic_mmio_mapped = true;
    }
    s->timer = hwtimer_new(apic_timer_expired, s);
    for (int i = 0; i < 2; i++) {
        s->lint[i] = irq_new(apic_set_lint, s, i);
    }
    apics[s->cpu_index] = s;
    apic_reset(dev);
    return true;
}

static void apic_finalize(DeviceState *dev)
{
    APICState *s = DEVICE_CAST(APICState, dev);

    if (s->timer) {
        apics[s->cpu_index] = NULL;
        hwtimer_free(s->timer);
        irq_free(s->lint[0]);
        irq_free(s->lint[1]);
    }
}

static int apic_post_load(void *opaque, int version_id)
{
    apic_timer_arm(opaque);
    return 0;
}

static const VMStateField apic_fields[] = {
    VMSTATE_UINT32(id, APICState),
    VMSTATE_UINT64(base, APICState),
    VMSTATE_UINT8(tpr, APICState),
    VMSTATE_UINT32(ldr, APICState),
    VMSTATE_UINT32(dfr, APICState),
    VMSTATE_UINT32(svr, APICState),
    VMSTATE_UINT32_ARRAY(isr, APICState, 8),
    VMSTATE_UINT32_ARRAY(tmr, APICState, 8),
    VMSTATE_UINT32_ARRAY(irr, APICState, 8),
    VMSTATE_UINT32(esr, APICState),
    VMSTATE_UINT32(esr_pending, APICState),
    VMSTATE_UINT32_ARRAY(icr, APICState, 2),
    VMSTATE_UINT32_ARRAY(lvt, APICState, LVT_NUM),
    VMSTATE_UINT32(initial_count, APICState),
    VMSTATE_UINT32(divide_conf, APICState),
    VMSTATE_UINT64(timer_start, APICState),
    VMSTATE_BOOL(timer_running, APICState),
    VMSTATE_UINT64(tsc_deadline, APICState),
    VMSTATE_UINT64(tsc_deadline_ns, APICState),
    VMSTATE_BOOL(nmi_pending, APICState),
    VMSTATE_BOOL(init_pending, APICState),
    VMSTATE_BOOL(extint_pending, APICState),
    VMSTATE_UINT32(sipi_vector, APICState),
    VMSTATE_UINT8_ARRAY(lint_level, APICState, 2),
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription apic_vmstate = {
    .name = TYPE_APIC,
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = apic_fields,
    .post_load = apic_post_load,
};

static const Property apic_props[] = {
    DEFINE_PROP_UINT32("cpu-index", APICState, cpu_index, 0),
    DEFINE_PROP_UINT32("id", APICState, id, 0),
    DEFINE_PROP_END_OF_LIST(),
};

static const TypeInfo apic_info = {
    .name = TYPE_APIC,
    .parent = "device",
    .instance_size = sizeof(APICState),
    .desc = "x86 local APIC (xAPIC) of one vCPU",
    .props = apic_props,
    .realize = apic_realize,
    .reset = apic_reset,
    .finalize = apic_finalize,
    .vmsd = &apic_vmstate,
};

static void apic_register(void)
{
    type_register(&apic_info);
}
type_init(apic_register)

DeviceState *apic_create(int cpu_index, uint32_t apic_id, GError **errp)
{
    DeviceState *dev = qdev_new(TYPE_APIC);

    qdev_prop_set_uint32(dev, "cpu-index", cpu_index);
    qdev_prop_set_uint32(dev, "id", apic_id);
    return qdev_realize(dev, errp) ? dev : NULL;
}

DeviceState *apic_find(int cpu_index)
{
    if (cpu_index < 0 || cpu_index >= APIC_MAX_CPUS || !apics[cpu_index]) {
        return NULL;
    }
    return &apics[cpu_index]->parent_obj;
}

qemu_irq apic_get_lint(DeviceState *dev, int n)
{
    return n == 0 || n == 1 ? DEVICE_CAST(APICState, dev)->lint[n] : NULL;
}

void apic_set_extint_ack(int (*ack)(void *opaque), void *opaque)
{
    extint_ack = ack;
    extint_ack_opaque = opaque;
}

void apic_add_eoi_listener(void (*fn)(void *opaque, uint8_t vector), void *opaque)
{
    EoiListener l = { .fn = fn, .opaque = opaque };

    if (!eoi_listeners) {
        eoi_listeners = g_array_new(FALSE, FALSE, sizeof(EoiListener));
    }
    g_array_append_val(eoi_listeners, l);
}
