/*
 * "isa-debugcon": the Bochs/QEMU debug console port. Every byte written to
 * the port goes to the chardev; reads return the readback value (0xe9 by
 * default), by which firmware (SeaBIOS at 0x402, Linux's early console at
 * 0xe9) detects the port. Properties: iobase (default 0xe9), chardev,
 * readback.
 */
#include "util/osdep.h"

#include "chardev/char.h"
#include "exec/memory.h"
#include "hw/qdev.h"

#define TYPE_ISA_DEBUGCON   "isa-debugcon"

typedef struct DebugconState {
    DeviceState parent_obj;
    MemoryRegion io;
    uint32_t iobase;
    uint32_t readback;
    Chardev *chr;
} DebugconState;

static uint64_t debugcon_read(void *opaque, uint64_t addr, unsigned size)
{
    DebugconState *s = opaque;

    return s->readback;
}

static void debugcon_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    DebugconState *s = opaque;
    uint8_t byte = val;

    if (s->chr) {
        chardev_write(s->chr, &byte, 1);
    }
}

static const MemoryRegionOps debugcon_ops = {
    .read = debugcon_read,
    .write = debugcon_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

/* Output only: the port has no input side. */
static int debugcon_can_read(void *opaque)
{
    return 0;
}

static void debugcon_chr_read(void *opaque, const uint8_t *buf, int len)
{
}

static const ChardevFrontend debugcon_frontend = {
    .can_read = debugcon_can_read,
    .read = debugcon_chr_read,
};

static bool debugcon_realize(DeviceState *dev, GError **errp)
{
    DebugconState *s = DEVICE_CAST(DebugconState, dev);

    if (s->iobase > 0xffff) {
        error_setg(errp, "isa-debugcon: iobase 0x%x is not an I/O port", s->iobase);
        return false;
    }
    if (s->chr && chardev_has_frontend(s->chr)) {
        error_setg(errp, "isa-debugcon: chardev '%s' is already in use", chardev_id(s->chr));
        return false;
    }
    if (s->chr) {
        chardev_set_frontend(s->chr, &debugcon_frontend, s);
    }
    memory_region_init_io(&s->io, &debugcon_ops, s, "debugcon", 1);
    memory_region_add_subregion(get_system_io(), s->iobase, &s->io);
    return true;
}

static void debugcon_finalize(DeviceState *dev)
{
    DebugconState *s = DEVICE_CAST(DebugconState, dev);

    if (dev->realized) {
        if (s->chr) {
            chardev_set_frontend(s->chr, NULL, s);
        }
        memory_region_del_subregion(get_system_io(), &s->io);
        memory_region_finalize(&s->io);
    }
}

static const Property debugcon_properties[] = {
    DEFINE_PROP_UINT32("iobase", DebugconState, iobase, 0xe9),
    DEFINE_PROP_UINT32("readback", DebugconState, readback, 0xe9),
    DEFINE_PROP_CHR("chardev", DebugconState, chr),
    DEFINE_PROP_END_OF_LIST(),
};

static const TypeInfo debugcon_info = {
    .name = TYPE_ISA_DEBUGCON,
    .parent = "device",
    .instance_size = sizeof(DebugconState),
    .desc = "debug console port (iobase=, chardev=, readback=)",
    .user_creatable = true,
    .props = debugcon_properties,
    .realize = debugcon_realize,
    .finalize = debugcon_finalize,
};

static void debugcon_register(void)
{
    type_register(&debugcon_info);
}
type_init(debugcon_register)
