/*
 * "sifive-test": the SiFive test finisher found on QEMU's riscv virt board.
 * Its one register takes a 32-bit (or 16-bit) write whose low half says what
 * to do: PASS (0x5555) is a guest poweroff, so the process exits with status
 * 0 (or pauses under -no-shutdown); FAIL (0x3333) ends the process with the
 * status in the high half; RESET (0x7777) resets the machine. Other values
 * are guest errors and ignored. Reads return 0.
 */
#include "util/osdep.h"

#include "exec/memory.h"
#include "hw/riscv/sifive-test.h"
#include "sysemu/runstate.h"
#include "util/log.h"

typedef struct SifiveTestState {
    DeviceState parent_obj;
    uint64_t addr;
    MemoryRegion mmio;
    bool mapped;
} SifiveTestState;

static uint64_t sifive_test_read(void *opaque, uint64_t addr, unsigned size)
{
    return 0;
}

static void sifive_test_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    uint32_t status = val & 0xffff;
    uint32_t code = (val >> 16) & 0xffff;

    if (addr != 0) {
        log_mask_printf(LOG_GUEST_ERROR, "sifive-test: write to offset 0x%" PRIx64 " ignored\n",
                        addr);
        return;
    }
    switch (status) {
    case SIFIVE_TEST_PASS:
        runstate_request_shutdown(SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
        break;
    case SIFIVE_TEST_FAIL:
        runstate_request_exit((int)code);
        break;
    case SIFIVE_TEST_RESET:
        runstate_request_reset(SHUTDOWN_CAUSE_GUEST_RESET);
        break;
    default:
        log_mask_printf(LOG_GUEST_ERROR, "sifive-test: unknown command 0x%04" PRIx32
                        " ignored\n", status);
        break;
    }
}

static const MemoryRegionOps sifive_test_ops = {
    .read = sifive_test_read,
    .write = sifive_test_write,
    .valid = { .min_access_size = 2, .max_access_size = 4 },
};

static bool sifive_test_realize(DeviceState *dev, GError **errp)
{
    SifiveTestState *s = DEVICE_CAST(SifiveTestState, dev);

    if (s->addr & 0xfff || s->addr > UINT64_MAX - 0xfff) {
        error_setg(errp, "sifive-test: addr 0x%" PRIx64 " is not a 4 KiB aligned address",
                   s->addr);
        return false;
    }
    memory_region_init_io(&s->mmio, &sifive_test_ops, s, "sifive-test", 0x1000);
    memory_region_add_subregion(get_system_memory(), s->addr, &s->mmio);
    s->mapped = true;
    return true;
}

static void sifive_test_finalize(DeviceState *dev)
{
    SifiveTestState *s = DEVICE_CAST(SifiveTestState, dev);

    if (s->mapped) {
        memory_region_del_subregion(get_system_memory(), &s->mmio);
        memory_region_finalize(&s->mmio);
    }
}

static const Property sifive_test_props[] = {
    DEFINE_PROP_UINT64("addr", SifiveTestState, addr, 0x100000),
    DEFINE_PROP_END_OF_LIST(),
};

/* No state: the register only acts on writes. */
static const VMStateField sifive_test_vmstate_fields[] = {
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription sifive_test_vmstate = {
    .name = TYPE_SIFIVE_TEST,
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = sifive_test_vmstate_fields,
};

static const TypeInfo sifive_test_info = {
    .name = TYPE_SIFIVE_TEST,
    .parent = "device",
    .instance_size = sizeof(SifiveTestState),
    .desc = "SiFive test finisher: 0x5555 poweroff, 0x3333|code<<16 exit code, 0x7777 reset",
    .props = sifive_test_props,
    .realize = sifive_test_realize,
    .finalize = sifive_test_finalize,
    .vmsd = &sifive_test_vmstate,
};

static void sifive_test_register(void)
{
    type_register(&sifive_test_info);
}
type_init(sifive_test_register)

DeviceState *sifive_test_create(uint64_t addr, GError **errp)
{
    DeviceState *dev = qdev_new(TYPE_SIFIVE_TEST);

    qdev_prop_set_uint64(dev, "addr", addr);
    return qdev_realize(dev, errp) ? dev : NULL;
}
