/*
 * "kestrel-testdev": registers for test guests to check that port I/O and
 * MMIO reach a device intact, at every access size.
 *
 *   I/O 0xe0-0xe3        a 32-bit scratch register. Each access reads or
 *                        writes its own byte lanes (outb 0xe1 changes bits
 *                        8-15 only), so a value written at any size 1/2/4
 *                        reads back at the same port and size.
 *   MMIO 0xfe000000 +0   a 64-bit scratch register, byte lanes likewise,
 *                        access sizes 1 to 8.
 *                   +8   read-only 32-bit count of the MMIO accesses to this
 *                        page before the current one (reads and writes).
 *
 * Everything is zero after reset.
 */
#include "util/osdep.h"

#include "exec/memory.h"
#include "hw/qdev.h"
#include "util/log.h"

#define TESTDEV_IO_BASE     0xe0
#define TESTDEV_IO_SIZE     4
#define TESTDEV_MMIO_BASE   0xfe000000
#define TESTDEV_MMIO_SIZE   0x1000
#define TESTDEV_SCRATCH     0x0
#define TESTDEV_COUNT       0x8

typedef struct TestDevState {
    DeviceState parent_obj;
    MemoryRegion io;
    MemoryRegion mmio;
    bool mapped;
    uint32_t io_scratch;
    uint64_t mmio_scratch;
    uint32_t mmio_count;
} TestDevState;

/* Mask of the bits an access of SIZE bytes at byte OFFSET covers. */
static uint64_t testdev_lanes(uint64_t offset, unsigned size)
{
    uint64_t mask = size >= 8 ? UINT64_MAX : (1ULL << (size * 8)) - 1;

    return offset < 8 ? mask << (offset * 8) : 0;
}

static uint64_t testdev_io_read(void *opaque, uint64_t addr, unsigned size)
{
    TestDevState *s = opaque;

    return (s->io_scratch & testdev_lanes(addr, size)) >> (addr * 8);
}

static void testdev_io_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    TestDevState *s = opaque;
    uint64_t lanes = testdev_lanes(addr, size) & UINT32_MAX;

    s->io_scratch = (s->io_scratch & ~lanes) | ((val << (addr * 8)) & lanes);
}

static uint64_t testdev_mmio_read(void *opaque, uint64_t addr, unsigned size)
{
    TestDevState *s = opaque;
    uint64_t val = 0;

    if (addr < TESTDEV_COUNT) {
        val = (s->mmio_scratch & testdev_lanes(addr, size)) >> (addr * 8);
    } else if (addr < TESTDEV_COUNT + 4) {
        val = (s->mmio_count & testdev_lanes(addr - TESTDEV_COUNT, size)) >>
              ((addr - TESTDEV_COUNT) * 8);
    }
    s->mmio_count++;
    return val;
}

static void testdev_mmio_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    TestDevState *s = opaque;
    uint64_t lanes = testdev_lanes(addr, size);

    s->mmio_count++;
    if (addr < TESTDEV_COUNT) {
        s->mmio_scratch = (s->mmio_scratch & ~lanes) | ((val << (addr * 8)) & lanes);
    } else {
        log_mask_printf(LOG_GUEST_ERROR, "kestrel-testdev: write to read-only offset 0x%"
                        PRIx64 " ignored\n", addr);
    }
}

static const MemoryRegionOps testdev_io_ops = {
    .read = testdev_io_read,
    .write = testdev_io_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

static const MemoryRegionOps testdev_mmio_ops = {
    .read = testdev_mmio_read,
    .write = testdev_mmio_write,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
};

static bool testdev_realize(DeviceState *dev, GError **errp)
{
    TestDevState *s = DEVICE_CAST(TestDevState, dev);

    memory_region_init_io(&s->io, &testdev_io_ops, s, "kestrel-testdev-io", TESTDEV_IO_SIZE);
    memory_region_init_io(&s->mmio, &testdev_mmio_ops, s, "kestrel-testdev-mmio",
                          TESTDEV_MMIO_SIZE);
    memory_region_add_subregion(get_system_io(), TESTDEV_IO_BASE, &s->io);
    memory_region_add_subregion(get_system_memory(), TESTDEV_MMIO_BASE, &s->mmio);
    s->mapped = true;
    return true;
}

static void testdev_reset(DeviceState *dev)
{
    TestDevState *s = DEVICE_CAST(TestDevState, dev);

    s->io_scratch = 0;
    s->mmio_scratch = 0;
    s->mmio_count = 0;
}

static void testdev_finalize(DeviceState *dev)
{
    TestDevState *s = DEVICE_CAST(TestDevState, dev);

    if (s->mapped) {
        memory_region_del_subregion(get_system_io(), &s->io);
        memory_region_del_subregion(get_system_memory(), &s->mmio);
        memory_region_finalize(&s->io);
        memory_region_finalize(&s->mmio);
    }
}

static const VMStateField testdev_vmstate_fields[] = {
    VMSTATE_UINT32(io_scratch, TestDevState),
    VMSTATE_UINT64(mmio_scratch, TestDevState),
    VMSTATE_UINT32(mmio_count, TestDevState),
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription testdev_vmstate = {
    .name = "kestrel-testdev",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = testdev_vmstate_fields,
};

static const TypeInfo testdev_info = {
    .name = "kestrel-testdev",
    .parent = "device",
    .instance_size = sizeof(TestDevState),
    .desc = "test registers: I/O 0xe0-0xe3 scratch, MMIO 0xfe000000 scratch and access count",
    .user_creatable = true,
    .realize = testdev_realize,
    .reset = testdev_reset,
    .finalize = testdev_finalize,
    .vmsd = &testdev_vmstate,
};

static void testdev_register(void)
{
    type_register(&testdev_info);
}
type_init(testdev_register)
