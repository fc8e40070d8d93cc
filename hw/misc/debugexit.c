/*
 * "isa-debug-exit": a test device that ends the process. A write of value V
 * to any of its ports exits with status (V << 1) | 1, as QEMU's device of the
 * same name does, so a guest can report pass/fail codes that never collide
 * with a normal exit (0). Reads return 0.
 */
#include "util/osdep.h"

#include "exec/memory.h"
#include "hw/qdev.h"
#include "sysemu/runstate.h"

typedef struct DebugExitState {
    DeviceState parent_obj;
    uint32_t iobase;
    uint32_t iosize;
    MemoryRegion io;
    bool mapped;
} DebugExitState;

static uint64_t debug_exit_read(void *opaque, uint64_t addr, unsigned size)
{
    return 0;
}

static void debug_exit_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    runstate_request_exit((int)((val << 1) | 1));
}

static const MemoryRegionOps debug_exit_ops = {
    .read = debug_exit_read,
    .write = debug_exit_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

static bool debug_exit_realize(DeviceState *dev, GError **errp)
{
    DebugExitState *s = DEVICE_CAST(DebugExitState, dev);

    if (s->iosize == 0 || s->iobase > 0xffff || s->iosize > 0x10000 - s->iobase) {
        error_setg(errp, "isa-debug-exit: ports 0x%x+0x%x are outside the I/O space",
                   s->iobase, s->iosize);
        return false;
    }
    memory_region_init_io(&s->io, &debug_exit_ops, s, "isa-debug-exit", s->iosize);
    memory_region_add_subregion(get_system_io(), s->iobase, &s->io);
    s->mapped = true;
    return true;
}

static void debug_exit_finalize(DeviceState *dev)
{
    DebugExitState *s = DEVICE_CAST(DebugExitState, dev);

    if (s->mapped) {
        memory_region_del_subregion(get_system_io(), &s->io);
        memory_region_finalize(&s->io);
    }
}

static const Property debug_exit_props[] = {
    DEFINE_PROP_UINT32("iobase", DebugExitState, iobase, 0x501),
    DEFINE_PROP_UINT32("iosize", DebugExitState, iosize, 2),
    DEFINE_PROP_END_OF_LIST(),
};

/* No guest-visible state: the ports only act on writes. */
static const VMStateField debug_exit_vmstate_fields[] = {
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription debug_exit_vmstate = {
    .name = "isa-debug-exit",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = debug_exit_vmstate_fields,
};

static const TypeInfo debug_exit_info = {
    .name = "isa-debug-exit",
    .parent = "device",
    .instance_size = sizeof(DebugExitState),
    .desc = "test device: a write of V exits with status (V << 1) | 1",
    .user_creatable = true,
    .props = debug_exit_props,
    .realize = debug_exit_realize,
    .finalize = debug_exit_finalize,
    .vmsd = &debug_exit_vmstate,
};

static void debug_exit_register(void)
{
    type_register(&debug_exit_info);
}
type_init(debug_exit_register)
