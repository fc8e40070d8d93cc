/*
 * ACPI PM1a register blocks ("acpi-pm", created by the board): the event
 * block at ACPI_PM1_EVT_ADDR (16-bit status, write 1 to clear, then 16-bit
 * enable) and the control block at ACPI_PM1_CNT_ADDR (SCI_EN always set since
 * there is no legacy mode to leave; SLP_EN with SLP_TYP S5 powers off). The
 * SCI, ISA IRQ 9, is high while an enabled status bit is set. The only event
 * source is the fixed-feature power button.
 */
#include "util/osdep.h"

#include "exec/memory.h"
#include "hw/i386/acpi-pm.h"
#include "hw/irq.h"
#include "hw/isa.h"
#include "sysemu/runstate.h"
#include "util/log.h"

#define PM1_PWRBTN          (1 << 8)    /* status and enable */
#define PM1_WAK_STS         (1 << 15)
#define PM1_STS_MASK        (PM1_PWRBTN | PM1_WAK_STS)
#define PM1_EN_MASK         PM1_PWRBTN

#define PM1_CNT_SCI_EN      (1 << 0)
#define PM1_CNT_BM_RLD      (1 << 1)
#define PM1_CNT_SLP_TYP_SHIFT 10
#define PM1_CNT_SLP_TYP     (7 << PM1_CNT_SLP_TYP_SHIFT)
#define PM1_CNT_SLP_EN      (1 << 13)
#define PM1_CNT_STORED      (PM1_CNT_BM_RLD | PM1_CNT_SLP_TYP)

typedef struct AcpiPmState {
    DeviceState parent_obj;
    MemoryRegion evt_io;
    MemoryRegion cnt_io;
    MemoryRegion tmr_io;
    bool mapped;
    qemu_irq sci;
    uint16_t sts;
    uint16_t en;
    uint16_t cnt;
} AcpiPmState;

static void acpi_pm_update_sci(AcpiPmState *s)
{
    irq_set(s->sci, (s->sts & s->en) != 0);
}

/*
 * The byte lanes an access of SIZE at ADDR covers, within a block of LEN
 * bytes read as one little-endian value.
 */
static uint64_t acpi_pm_lanes(uint64_t addr, unsigned size, unsigned len)
{
    uint64_t mask = size >= 8 ? UINT64_MAX : (1ULL << (size * 8)) - 1;

    return addr < len ? (mask << (addr * 8)) & ((1ULL << (len * 8)) - 1) : 0;
}

static uint64_t acpi_pm_evt_read(void *opaque, uint64_t addr, unsigned size)
{
    AcpiPmState *s = opaque;
    uint64_t block = s->sts | (uint64_t)s->en << 16;

    return addr < ACPI_PM1_EVT_LEN ? (block & acpi_pm_lanes(addr, size, ACPI_PM1_EVT_LEN))
                                     >> (addr * 8) : 0;
}

static void acpi_pm_evt_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    AcpiPmState *s = opaque;
    uint64_t lanes = acpi_pm_lanes(addr, size, ACPI_PM1_EVT_LEN);
    uint64_t v;

    if (!lanes) {
        return;
    }
    v = (val << (addr * 8)) & lanes;
    s->sts &= ~(v & PM1_STS_MASK);
    if (lanes >> 16) {
        s->en = (s->en & ~(lanes >> 16)) | ((v >> 16) & PM1_EN_MASK);
    }
    acpi_pm_update_sci(s);
}

static uint64_t acpi_pm_cnt_read(void *opaque, uint64_t addr, unsigned size)
{
    AcpiPmState *s = opaque;

    return addr < ACPI_PM1_CNT_LEN ? (s->cnt & acpi_pm_lanes(addr, size, ACPI_PM1_CNT_LEN))
                                     >> (addr * 8) : 0;
}

static void acpi_pm_cnt_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    AcpiPmState *s = opaque;
    uint64_t lanes = acpi_pm_lanes(addr, size, ACPI_PM1_CNT_LEN);
    uint16_t v;
    unsigned typ;

    if (!lanes) {
        return;
    }
    v = (s->cnt & ~lanes) | ((val << (addr * 8)) & lanes);
    s->cnt = (v & PM1_CNT_STORED) | PM1_CNT_SCI_EN;
    if (!(v & PM1_CNT_SLP_EN)) {
        return;
    }
    typ = (v & PM1_CNT_SLP_TYP) >> PM1_CNT_SLP_TYP_SHIFT;
    if (typ == ACPI_SLP_TYP_S5) {
        runstate_request_shutdown(SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
    } else {
        log_mask_printf(LOG_GUEST_ERROR, "acpi-pm: sleep type %u is not a declared state "
                        "(only \\_S5 = %u), ignored\n", typ, ACPI_SLP_TYP_S5);
    }
}

static const MemoryRegionOps acpi_pm_evt_ops = {
    .read = acpi_pm_evt_read,
    .write = acpi_pm_evt_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

static const MemoryRegionOps acpi_pm_cnt_ops = {
    .read = acpi_pm_cnt_read,
    .write = acpi_pm_cnt_write,
    .valid = { .min_access_size = 1, .max_access_size = 2 },
};

static uint64_t acpi_pm_tmr_read(void *opaque, uint64_t addr, unsigned size)
{
    unsigned __int128 ticks = (unsigned __int128)g_get_monotonic_time() * ACPI_PM_TMR_FREQ;
    uint32_t now = (uint64_t)(ticks / G_USEC_PER_SEC) & 0xffffff;

    return addr < ACPI_PM_TMR_LEN ? now >> (addr * 8) : 0;
}

static void acpi_pm_tmr_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    log_mask_printf(LOG_GUEST_ERROR, "acpi-pm: the PM timer is read-only\n");
}

static const MemoryRegionOps acpi_pm_tmr_ops = {
    .read = acpi_pm_tmr_read,
    .write = acpi_pm_tmr_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

void acpi_pm_set_io_base(DeviceState *dev, uint16_t base)
{
    AcpiPmState *s = DEVICE_CAST(AcpiPmState, dev);

    memory_region_transaction_begin();
    memory_region_set_enabled(&s->evt_io, base != 0);
    memory_region_set_enabled(&s->cnt_io, base != 0);
    memory_region_set_enabled(&s->tmr_io, base != 0);
    if (base) {
        memory_region_set_address(&s->evt_io, base);
        memory_region_set_address(&s->cnt_io, base + ACPI_PM1_CNT_ADDR - ACPI_PM1_EVT_ADDR);
        memory_region_set_address(&s->tmr_io, base + ACPI_PM_TMR_OFFSET);
    }
    memory_region_transaction_commit();
}

void acpi_pm_press_power_button(DeviceState *dev)
{
    AcpiPmState *s = DEVICE_CAST(AcpiPmState, dev);

    s->sts |= PM1_PWRBTN;
    acpi_pm_update_sci(s);
}

static bool acpi_pm_realize(DeviceState *dev, GError **errp)
{
    AcpiPmState *s = DEVICE_CAST(AcpiPmState, dev);

    memory_region_init_io(&s->evt_io, &acpi_pm_evt_ops, s, "acpi-pm1-evt", ACPI_PM1_EVT_LEN);
    memory_region_init_io(&s->cnt_io, &acpi_pm_cnt_ops, s, "acpi-pm1-cnt", ACPI_PM1_CNT_LEN);
    memory_region_init_io(&s->tmr_io, &acpi_pm_tmr_ops, s, "acpi-pm-tmr", ACPI_PM_TMR_LEN);
    memory_region_add_subregion(get_system_io(), ACPI_PM1_EVT_ADDR, &s->evt_io);
    memory_region_add_subregion(get_system_io(), ACPI_PM1_CNT_ADDR, &s->cnt_io);
    memory_region_add_subregion(get_system_io(), ACPI_PM1_EVT_ADDR + ACPI_PM_TMR_OFFSET,
                                &s->tmr_io);
    s->mapped = true;
    s->sci = isa_get_irq(ACPI_PM_SCI_IRQ);
    return true;
}

static void acpi_pm_reset(DeviceState *dev)
{
    AcpiPmState *s = DEVICE_CAST(AcpiPmState, dev);

    s->sts = 0;
    s->en = 0;
    s->cnt = PM1_CNT_SCI_EN;
    acpi_pm_update_sci(s);
}

static void acpi_pm_finalize(DeviceState *dev)
{
    AcpiPmState *s = DEVICE_CAST(AcpiPmState, dev);

    if (s->mapped) {
        memory_region_del_subregion(get_system_io(), &s->evt_io);
        memory_region_del_subregion(get_system_io(), &s->cnt_io);
        memory_region_del_subregion(get_system_io(), &s->tmr_io);
        memory_region_finalize(&s->evt_io);
        memory_region_finalize(&s->cnt_io);
        memory_region_finalize(&s->tmr_io);
    }
}

static int acpi_pm_post_load(void *opaque, int version_id)
{
    AcpiPmState *s = opaque;

    s->sts &= PM1_STS_MASK;
    s->en &= PM1_EN_MASK;
    s->cnt = (s->cnt & PM1_CNT_STORED) | PM1_CNT_SCI_EN;
    acpi_pm_update_sci(s);
    return 0;
}

static const VMStateField acpi_pm_vmstate_fields[] = {
    VMSTATE_UINT16(sts, AcpiPmState),
    VMSTATE_UINT16(en, AcpiPmState),
    VMSTATE_UINT16(cnt, AcpiPmState),
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription acpi_pm_vmstate = {
    .name = TYPE_ACPI_PM,
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = acpi_pm_vmstate_fields,
    .post_load = acpi_pm_post_load,
};

static const TypeInfo acpi_pm_info = {
    .name = TYPE_ACPI_PM,
    .parent = "device",
    .instance_size = sizeof(AcpiPmState),
    .desc = "ACPI PM1a event and control registers",
    .realize = acpi_pm_realize,
    .reset = acpi_pm_reset,
    .finalize = acpi_pm_finalize,
    .vmsd = &acpi_pm_vmstate,
};

static void acpi_pm_register(void)
{
    type_register(&acpi_pm_info);
}
type_init(acpi_pm_register)
