/*
 * Unit tests for the virtio core (hw/virtio/virtio.c) and the virtio-mmio
 * transport. A test device with two queues sits on a fake transport whose
 * DMA address space is a small RAM region (plus a second RAM region and an
 * I/O region, for split and bounce-buffered segments). The test plays the
 * driver: it negotiates features, lays out split rings in that RAM, kicks
 * queues and reads the used ring back. Hostile rings (loops, out-of-range
 * indices, nested or empty indirect tables, length overflow, over-long chains,
 * avail index jumps, unmapped rings and buffers) must set DEVICE_NEEDS_RESET,
 * raise a config interrupt and log a guest error, never crash (run under
 * ASan/UBSan in CI) or touch memory outside the address space.
 */
#include "util/osdep.h"

#include "chardev/char.h"
#include "exec/memory.h"
#include "hw/irq.h"
#include "hw/virtio/virtio.h"
#include "hw/virtio/virtio-mmio.h"
#include "util/log.h"

#define RAM_SIZE        (1 * MiB)
#define RAM2_BASE       RAM_SIZE            /* a second RAM region right after the first */
#define RAM2_SIZE       (4 * KiB)
#define IO_BASE         0x200000            /* 2 MiB of I/O: 256 registers, then zeros */
#define IO_SIZE         (2 * MiB)
#define IO_REGS         256
#define DESC            0x1000
#define AVAIL           0x2000
#define USED            0x3000
#define TABLE           0x4000              /* indirect tables */
#define BUF             0x10000
#define QSIZE           8
#define TEST_DEVICE_ID  42
#define CONFIG_VECTOR   7

#define F_INDIRECT      (1ULL << VIRTIO_RING_F_INDIRECT_DESC)
#define F_EVENT_IDX     (1ULL << VIRTIO_RING_F_EVENT_IDX)
#define F_VERSION_1     (1ULL << VIRTIO_F_VERSION_1)
#define F_OWN           (1ULL << 3)         /* the test device's own feature */

typedef struct TestVirtio {
    VirtIODevice parent_obj;
    GPtrArray *popped;      /* elements the queue handler took */
    uint64_t set_features;  /* what set_features saw */
    unsigned resets;
} TestVirtio;

typedef struct Fixture {
    MemoryRegion root, ram, ram2, io;
    AddressSpace as;
    uint8_t *host;
    uint8_t io_regs[IO_REGS];
    TestVirtio *dev;
    VirtIODevice *vdev;
    unsigned queue_irqs, config_irqs;
    uint16_t avail_idx;
} Fixture;

static Fixture *fx;
static char *log_path;
static long log_seen;

/* ---- the test device ---- */

static void test_virtio_handle(VirtIODevice *vdev, VirtQueue *vq)
{
    TestVirtio *t = (TestVirtio *)vdev;
    VirtQueueElement *elem;

    while ((elem = virtqueue_pop(vq, sizeof(*elem)))) {
        g_ptr_array_add(t->popped, elem);
    }
}

static bool test_virtio_realize(VirtIODevice *vdev, GError **errp)
{
    TestVirtio *t = (TestVirtio *)vdev;

    virtio_init(vdev, TEST_DEVICE_ID, 8);
    vdev->host_features |= F_OWN;
    virtio_add_queue(vdev, QSIZE, test_virtio_handle);
    virtio_add_queue(vdev, 16, test_virtio_handle);
    t->popped = g_ptr_array_new_with_free_func(virtqueue_element_free);
    return true;
}

static void test_virtio_unrealize(VirtIODevice *vdev)
{
    g_ptr_array_free(((TestVirtio *)vdev)->popped, TRUE);
}

static void test_virtio_reset(VirtIODevice *vdev)
{
    TestVirtio *t = (TestVirtio *)vdev;

    t->resets++;
    g_ptr_array_set_size(t->popped, 0);
}

static void test_virtio_get_config(VirtIODevice *vdev, uint8_t *config)
{
    config[0] = 0x11;
    config[1] = 0x22;
}

static void test_virtio_set_features(VirtIODevice *vdev, uint64_t features)
{
    ((TestVirtio *)vdev)->set_features = features;
}

static const VirtioDeviceClass test_virtio_class = {
    .realize = test_virtio_realize,
    .unrealize = test_virtio_unrealize,
    .reset = test_virtio_reset,
    .get_config = test_virtio_get_config,
    .set_features = test_virtio_set_features,
};

static void test_virtio_instance_init(DeviceState *dev)
{
    VIRTIO_DEVICE(dev)->vdc = &test_virtio_class;
}

static const TypeInfo test_virtio_info = {
    .name = "test-virtio-device",
    .parent = TYPE_VIRTIO_DEVICE,
    .instance_size = sizeof(TestVirtio),
    .instance_init = test_virtio_instance_init,
};

/* ---- the fake transport ---- */

static void fake_notify(void *opaque, uint16_t vector)
{
    Fixture *f = opaque;

    if (vector == CONFIG_VECTOR) {
        g_assert_true(f->vdev->isr & VIRTIO_ISR_CONFIG);
        f->config_irqs++;
    } else {
        g_assert_true(f->vdev->isr & VIRTIO_ISR_QUEUE);
        f->queue_irqs++;
    }
}

static AddressSpace *fake_get_dma_as(void *opaque)
{
    return &((Fixture *)opaque)->as;
}

static const VirtioBusOps fake_bus_ops = {
    .notify = fake_notify,
    .get_dma_as = fake_get_dma_as,
};

static uint64_t io_read(void *opaque, uint64_t addr, unsigned size)
{
    Fixture *f = opaque;
    uint64_t v = 0;

    for (unsigned i = 0; i < size && addr + i < IO_REGS; i++) {
        v |= (uint64_t)f->io_regs[addr + i] << (8 * i);
    }
    return v;
}

static void io_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    Fixture *f = opaque;

    for (unsigned i = 0; i < size && addr + i < IO_REGS; i++) {
        f->io_regs[addr + i] = val >> (8 * i);
    }
}

static const MemoryRegionOps io_ops = {
    .read = io_read,
    .write = io_write,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
};

/* ---- guest-side helpers (the test is the driver) ---- */

static void put16(uint64_t addr, uint16_t v)
{
    memcpy(fx->host + addr, &v, 2);
}

static uint16_t get16(uint64_t addr)
{
    uint16_t v;

    memcpy(&v, fx->host + addr, 2);
    return v;
}

static uint32_t get32(uint64_t addr)
{
    uint32_t v;

    memcpy(&v, fx->host + addr, 4);
    return v;
}

static void put_desc(uint64_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
                     uint16_t next)
{
    uint8_t *d = fx->host + table + 16 * i;

    memcpy(d, &addr, 8);
    memcpy(d + 8, &len, 4);
    memcpy(d + 12, &flags, 2);
    memcpy(d + 14, &next, 2);
}

/* Makes chain HEAD available in queue 0 (size QSIZE) without kicking. */
static void avail_add(uint16_t head)
{
    put16(AVAIL + 4 + 2 * (fx->avail_idx % QSIZE), head);
    fx->avail_idx++;
    put16(AVAIL + 2, fx->avail_idx);
}

static uint16_t used_idx(void)
{
    return get16(USED + 2);
}

/* Driver init of 2.2: ACK, DRIVER, FEATURES, FEATURES_OK, queue 0 setup, DRIVER_OK. */
static void driver_init(uint64_t features)
{
    VirtIODevice *vdev = fx->vdev;

    virtio_set_status(vdev, 0);
    memset(fx->host, 0, 0x8000);
    fx->avail_idx = 0;
    virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE);
    virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
    virtio_set_driver_features_word(vdev, 0, (uint32_t)features);
    virtio_set_driver_features_word(vdev, 1, features >> 32);
    virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
                      VIRTIO_CONFIG_S_FEATURES_OK);
    g_assert_cmphex(vdev->status & VIRTIO_CONFIG_S_FEATURES_OK, ==, VIRTIO_CONFIG_S_FEATURES_OK);
    virtio_queue_set_num(vdev, 0, QSIZE);
    virtio_queue_set_addr(vdev, 0, VIRTQ_AREA_DESC, DESC);
    virtio_queue_set_addr(vdev, 0, VIRTQ_AREA_DRIVER, AVAIL);
    virtio_queue_set_addr(vdev, 0, VIRTQ_AREA_DEVICE, USED);
    virtio_queue_set_vector(vdev, 0, 0);
    virtio_queue_set_ready(vdev, 0, true);
    g_assert_true(virtio_queue_get_ready(vdev, 0));
    vdev->config_vector = CONFIG_VECTOR;
    virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
                      VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
    fx->queue_irqs = fx->config_irqs = 0;
}

static unsigned npopped(void)
{
    return fx->dev->popped->len;
}

static VirtQueueElement *popped(unsigned i)
{
    return g_ptr_array_index(fx->dev->popped, i);
}

/* The guest-error log written since the last call. */
static char *log_take(void)
{
    g_autofree char *all = NULL;
    gsize len;
    char *tail;

    log_flush();
    g_assert_true(g_file_get_contents(log_path, &all, &len, NULL));
    g_assert_cmpint((long)len, >=, log_seen);
    tail = g_strdup(all + log_seen);
    log_seen = len;
    return tail;
}

/* The fixture with DEV (not yet realized) on the fake transport. */
static void fixture_setup_dev(DeviceState *dev)
{
    Fixture *f = g_new0(Fixture, 1);

    fx = f;
    memory_region_init_container(&f->root, "root", UINT64_MAX);
    g_assert_true(memory_region_init_ram(&f->ram, "ram", RAM_SIZE, NULL));
    g_assert_true(memory_region_init_ram(&f->ram2, "ram2", RAM2_SIZE, NULL));
    memory_region_init_io(&f->io, &io_ops, f, "regs", IO_SIZE);
    memory_region_add_subregion(&f->root, 0, &f->ram);
    memory_region_add_subregion(&f->root, RAM2_BASE, &f->ram2);
    memory_region_add_subregion(&f->root, IO_BASE, &f->io);
    address_space_init(&f->as, &f->root, "virtio-test");
    f->host = memory_region_get_ram_ptr(&f->ram);

    f->dev = (TestVirtio *)dev;
    f->vdev = VIRTIO_DEVICE(dev);
    virtio_device_set_transport(f->vdev, &fake_bus_ops, f);
    g_assert_true(qdev_realize(dev, NULL));
    g_free(log_take());
}

/* The fixture with the test device. */
static void fixture_setup(void)
{
    fixture_setup_dev(qdev_new("test-virtio-device"));
}

static void fixture_teardown(void)
{
    Fixture *f = fx;

    qdev_destroy(&f->dev->parent_obj.parent_obj);
    address_space_destroy(&f->as);
    memory_region_del_subregion(&f->root, &f->ram);
    memory_region_del_subregion(&f->root, &f->ram2);
    memory_region_del_subregion(&f->root, &f->io);
    memory_region_finalize(&f->io);
    memory_region_finalize(&f->ram2);
    memory_region_finalize(&f->ram);
    memory_region_finalize(&f->root);
    g_free(f);
    fx = NULL;
}

/* ---- tests ---- */

static void test_virtio_features(void)
{
    VirtIODevice *vdev;

    fixture_setup();
    vdev = fx->vdev;
    g_assert_cmpuint(vdev->device_id, ==, TEST_DEVICE_ID);
    g_assert_cmphex(virtio_get_device_features_word(vdev, 0), ==,
                    (uint32_t)(F_OWN | F_INDIRECT | F_EVENT_IDX));
    g_assert_cmphex(virtio_get_device_features_word(vdev, 1), ==, 1);
    g_assert_cmphex(virtio_get_device_features_word(vdev, 2), ==, 0);

    /* Without VERSION_1: FEATURES_OK does not stick. */
    virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
    virtio_set_driver_features_word(vdev, 0, F_OWN);
    virtio_set_status(vdev, vdev->status | VIRTIO_CONFIG_S_FEATURES_OK);
    g_assert_cmphex(vdev->status & VIRTIO_CONFIG_S_FEATURES_OK, ==, 0);
    g_free(log_take());

    /* A feature that was not offered. */
    virtio_set_driver_features_word(vdev, 0, 1u << 5);
    virtio_set_driver_features_word(vdev, 1, 1);
    virtio_set_status(vdev, vdev->status | VIRTIO_CONFIG_S_FEATURES_OK);
    g_assert_cmphex(vdev->status & VIRTIO_CONFIG_S_FEATURES_OK, ==, 0);
    g_autofree char *log = log_take();
    g_assert_nonnull(strstr(log, "not offered"));

    /* Acceptable: set_features sees them; later feature writes are ignored. */
    virtio_set_driver_features_word(vdev, 0, F_OWN);
    virtio_set_status(vdev, vdev->status | VIRTIO_CONFIG_S_FEATURES_OK);
    g_assert_cmphex(vdev->status & VIRTIO_CONFIG_S_FEATURES_OK, ==, VIRTIO_CONFIG_S_FEATURES_OK);
    g_assert_cmphex(fx->dev->set_features, ==, F_OWN | F_VERSION_1);
    virtio_set_driver_features_word(vdev, 0, 0);
    g_assert_cmphex(virtio_get_driver_features_word(vdev, 0), ==, F_OWN);

    /* The driver cannot set NEEDS_RESET; writing 0 resets everything. */
    virtio_set_status(vdev, vdev->status | VIRTIO_CONFIG_S_NEEDS_RESET);
    g_assert_cmphex(vdev->status & VIRTIO_CONFIG_S_NEEDS_RESET, ==, 0);
    unsigned resets = fx->dev->resets;
    virtio_set_status(vdev, 0);
    g_assert_cmpuint(fx->dev->resets, ==, resets + 1);
    g_assert_cmphex(vdev->status, ==, 0);
    g_assert_cmphex(vdev->guest_features, ==, 0);
    fixture_teardown();
}

static void test_virtio_queue_setup(void)
{
    VirtIODevice *vdev;

    fixture_setup();
    vdev = fx->vdev;
    g_assert_cmpuint(virtio_get_num_queues(vdev), ==, 2);
    g_assert_cmpuint(virtio_queue_get_num_max(vdev, 0), ==, QSIZE);
    g_assert_cmpuint(virtio_queue_get_num_max(vdev, 1), ==, 16);
    g_assert_cmpuint(virtio_queue_get_num_max(vdev, 2), ==, 0);
    g_assert_cmpuint(virtio_queue_get_num_max(vdev, 5000), ==, 0);

    /* Not a power of two, too big, misaligned: the queue stays off. */
    virtio_queue_set_num(vdev, 0, 6);
    virtio_queue_set_ready(vdev, 0, true);
    g_assert_false(virtio_queue_get_ready(vdev, 0));
    virtio_queue_set_num(vdev, 0, 16);
    virtio_queue_set_ready(vdev, 0, true);
    g_assert_false(virtio_queue_get_ready(vdev, 0));
    virtio_queue_set_num(vdev, 0, 4);
    virtio_queue_set_addr(vdev, 0, VIRTQ_AREA_DESC, DESC + 8);
    virtio_queue_set_ready(vdev, 0, true);
    g_assert_false(virtio_queue_get_ready(vdev, 0));
    virtio_queue_set_addr(vdev, 0, VIRTQ_AREA_DESC, DESC);
    virtio_queue_set_ready(vdev, 0, true);
    g_assert_true(virtio_queue_get_ready(vdev, 0));
    g_assert_cmpuint(virtio_queue_get_num(vdev, 0), ==, 4);

    /* Enabled: size and addresses are frozen. */
    virtio_queue_set_num(vdev, 0, 2);
    virtio_queue_set_addr(vdev, 0, VIRTQ_AREA_DESC, 0x9000);
    g_assert_cmpuint(virtio_queue_get_num(vdev, 0), ==, 4);
    g_assert_cmphex(virtio_queue_get_addr(vdev, 0, VIRTQ_AREA_DESC), ==, DESC);
    g_autofree char *log = log_take();
    g_assert_nonnull(strstr(log, "power of 2"));
    g_assert_nonnull(strstr(log, "misaligned"));
    g_assert_nonnull(strstr(log, "while it is enabled"));

    /* Queues that do not exist. */
    virtio_queue_set_num(vdev, 9, 4);
    virtio_queue_set_ready(vdev, 9, true);
    virtio_queue_notify(vdev, 9);
    g_assert_false(virtio_queue_get_ready(vdev, 9));

    /* Config space: little-endian, refreshed by get_config, bounded. */
    g_assert_cmphex(virtio_config_read(vdev, 0, 2), ==, 0x2211);
    g_assert_cmphex(virtio_config_read(vdev, 1, 1), ==, 0x22);
    g_assert_cmphex(virtio_config_read(vdev, 6, 4), ==, 0);
    virtio_config_write(vdev, 4, 0xaabbccdd, 4);
    g_assert_cmphex(virtio_config_read(vdev, 4, 4), ==, 0xaabbccdd);
    virtio_config_write(vdev, 0xfffffffe, 1, 4);
    fixture_teardown();
}

static void test_virtio_basic_chain(void)
{
    VirtQueueElement *e;

    fixture_setup();
    driver_init(F_VERSION_1);
    memcpy(fx->host + BUF, "request!", 8);
    put_desc(DESC, 3, BUF, 8, VIRTQ_DESC_F_NEXT, 5);
    put_desc(DESC, 5, BUF + 0x100, 4, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 0);
    put_desc(DESC, 0, BUF + 0x200, 2, VIRTQ_DESC_F_WRITE, 0);
    avail_add(3);
    virtio_queue_notify(fx->vdev, 0);
    g_assert_cmpuint(npopped(), ==, 1);
    e = popped(0);
    g_assert_cmpuint(e->index, ==, 3);
    g_assert_cmpuint(e->out_num, ==, 1);
    g_assert_cmpuint(e->in_num, ==, 2);
    g_assert_cmpuint(e->out_len, ==, 8);
    g_assert_cmpuint(e->in_len, ==, 6);
    g_assert_true(e->out_sg[0].iov_base == fx->host + BUF);
    g_assert_true(e->in_sg[1].iov_base == fx->host + BUF + 0x200);
    g_assert_cmpmem(e->out_sg[0].iov_base, 8, "request!", 8);

    virtio_iov_from_buf(e->in_sg, e->in_num, 0, "ABCDEF", 6);
    virtqueue_push(virtio_get_queue(fx->vdev, 0), e, 6);
    virtio_notify(fx->vdev, virtio_get_queue(fx->vdev, 0));
    g_assert_cmpmem(fx->host + BUF + 0x100, 4, "ABCD", 4);
    g_assert_cmpmem(fx->host + BUF + 0x200, 2, "EF", 2);
    g_assert_cmpuint(used_idx(), ==, 1);
    g_assert_cmpuint(get32(USED + 4), ==, 3);
    g_assert_cmpuint(get32(USED + 8), ==, 6);
    g_assert_cmpuint(fx->queue_irqs, ==, 1);
    g_assert_cmphex(fx->vdev->isr, ==, VIRTIO_ISR_QUEUE);

    /* NO_INTERRUPT suppresses the next one (no EVENT_IDX). */
    put16(AVAIL, VIRTQ_AVAIL_F_NO_INTERRUPT);
    avail_add(3);
    virtio_queue_notify(fx->vdev, 0);
    g_assert_cmpuint(npopped(), ==, 2);
    virtqueue_push(virtio_get_queue(fx->vdev, 0), popped(1), 0);
    virtio_notify(fx->vdev, virtio_get_queue(fx->vdev, 0));
    g_assert_cmpuint(fx->queue_irqs, ==, 1);
    g_assert_cmpuint(used_idx(), ==, 2);

    /* Nothing new: nothing popped; the device is still healthy. */
    virtio_queue_notify(fx->vdev, 0);
    g_assert_cmpuint(npopped(), ==, 2);
    g_assert_false(fx->vdev->broken);
    fixture_teardown();
}

/* Buffers made available before DRIVER_OK are taken when it is set. */
static void test_virtio_driver_ok_kick(void)
{
    VirtIODevice *vdev;

    fixture_setup();
    vdev = fx->vdev;
    driver_init(F_VERSION_1);
    virtio_set_status(vdev, vdev->status & ~VIRTIO_CONFIG_S_DRIVER_OK);
    put_desc(DESC, 0, BUF, 16, 0, 0);
    avail_add(0);
    virtio_queue_notify(vdev, 0);
    g_assert_cmpuint(npopped(), ==, 0);
    virtio_set_status(vdev, vdev->status | VIRTIO_CONFIG_S_DRIVER_OK);
    g_assert_cmpuint(npopped(), ==, 1);
    fixture_teardown();
}

static void test_virtio_indirect(void)
{
    VirtQueueElement *e;

    fixture_setup();
    driver_init(F_VERSION_1 | F_INDIRECT);
    put_desc(TABLE, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 2);
    put_desc(TABLE, 2, BUF + 0x100, 512, VIRTQ_DESC_F_NEXT, 1);
    put_desc(TABLE, 1, BUF + 0x400, 1, VIRTQ_DESC_F_WRITE, 0);
    put_desc(DESC, 6, TABLE, 3 * 16, VIRTQ_DESC_F_INDIRECT, 0);
    avail_add(6);
    virtio_queue_notify(fx->vdev, 0);
    g_assert_cmpuint(npopped(), ==, 1);
    e = popped(0);
    g_assert_cmpuint(e->index, ==, 6);
    g_assert_cmpuint(e->out_num, ==, 2);
    g_assert_cmpuint(e->in_num, ==, 1);
    g_assert_cmpuint(e->out_len, ==, 528);
    g_assert_true(e->in_sg[0].iov_base == fx->host + BUF + 0x400);
    virtqueue_push(virtio_get_queue(fx->vdev, 0), e, 1);
    g_assert_cmpuint(get32(USED + 4), ==, 6);
    g_assert_false(fx->vdev->broken);
    fixture_teardown();
}

/* A buffer across two RAM regions, and one in I/O space (bounce buffered). */
static void test_virtio_segments(void)
{
    VirtQueueElement *e;

    fixture_setup();
    driver_init(F_VERSION_1);
    for (unsigned i = 0; i < 16; i++) {
        fx->io_regs[i] = 0xa0 + i;
    }
    put_desc(DESC, 0, IO_BASE, 16, VIRTQ_DESC_F_NEXT, 1);
    put_desc(DESC, 1, RAM2_BASE - 8, 16, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
    put_desc(DESC, 2, IO_BASE + 0x80, 8, VIRTQ_DESC_F_WRITE, 0);
    avail_add(0);
    virtio_queue_notify(fx->vdev, 0);
    g_assert_cmpuint(npopped(), ==, 1);
    e = popped(0);
    g_assert_cmpuint(e->out_num, ==, 1);
    g_assert_cmpuint(e->in_num, ==, 3);
    g_assert_true(e->out_bounce[0]);
    g_assert_cmphex(((uint8_t *)e->out_sg[0].iov_base)[15], ==, 0xaf);
    g_assert_true(e->in_sg[0].iov_base == fx->host + RAM_SIZE - 8);
    g_assert_cmpuint(e->in_sg[0].iov_len, ==, 8);
    g_assert_true(e->in_sg[1].iov_base == memory_region_get_ram_ptr(&fx->ram2));
    g_assert_cmphex(e->in_bounce[2], ==, IO_BASE + 0x80);

    /* Only the LEN bytes the device wrote are copied back. */
    virtio_iov_from_buf(e->in_sg, e->in_num, 0, "0123456789abcdefWXYZwxyz", 24);
    virtqueue_push(virtio_get_queue(fx->vdev, 0), e, 20);
    g_assert_cmpmem(memory_region_get_ram_ptr(&fx->ram2), 8, "89abcdef", 8);
    g_assert_cmpmem(fx->io_regs + 0x80, 8, "WXYZ\0\0\0\0", 8);
    g_assert_cmpuint(get32(USED + 8), ==, 20);
    fixture_teardown();
}

/* ---- hostile rings ---- */

typedef void (*BadRing)(void);

static void bad_loop(void)
{
    put_desc(DESC, 0, BUF, 1, VIRTQ_DESC_F_NEXT, 1);
    put_desc(DESC, 1, BUF, 1, VIRTQ_DESC_F_NEXT, 0);
    avail_add(0);
}

static void bad_self_loop(void)
{
    put_desc(DESC, 4, BUF, 0, VIRTQ_DESC_F_NEXT, 4);
    avail_add(4);
}

static void bad_head(void)
{
    avail_add(QSIZE);
}

static void bad_next(void)
{
    put_desc(DESC, 0, BUF, 1, VIRTQ_DESC_F_NEXT, QSIZE + 100);
    avail_add(0);
}

static void bad_nested_indirect(void)
{
    put_desc(TABLE, 0, BUF, 1, VIRTQ_DESC_F_NEXT, 1);
    put_desc(TABLE, 1, TABLE + 0x100, 16, VIRTQ_DESC_F_INDIRECT, 0);
    put_desc(DESC, 0, TABLE, 32, VIRTQ_DESC_F_INDIRECT, 0);
    avail_add(0);
}

static void bad_empty_indirect(void)
{
    put_desc(DESC, 0, TABLE, 0, VIRTQ_DESC_F_INDIRECT, 0);
    avail_add(0);
}

static void bad_partial_indirect(void)
{
    put_desc(DESC, 0, TABLE, 24, VIRTQ_DESC_F_INDIRECT, 0);
    avail_add(0);
}

static void bad_huge_indirect(void)
{
    put_desc(DESC, 0, TABLE, 16 * (VIRTIO_QUEUE_MAX_SIZE + 1), VIRTQ_DESC_F_INDIRECT, 0);
    avail_add(0);
}

static void bad_indirect_loop(void)
{
    put_desc(TABLE, 0, BUF, 1, VIRTQ_DESC_F_NEXT, 1);
    put_desc(TABLE, 1, BUF, 1, VIRTQ_DESC_F_NEXT, 2);
    put_desc(TABLE, 2, BUF, 1, VIRTQ_DESC_F_NEXT, 1);
    put_desc(DESC, 0, TABLE, 48, VIRTQ_DESC_F_INDIRECT, 0);
    avail_add(0);
}

static void bad_indirect_next(void)
{
    put_desc(TABLE, 0, BUF, 1, 0, 0);
    put_desc(DESC, 0, TABLE, 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 1);
    avail_add(0);
}

static void bad_indirect_not_negotiated(void)
{
    virtio_set_status(fx->vdev, 0);
    driver_init(F_VERSION_1);
    put_desc(TABLE, 0, BUF, 1, 0, 0);
    put_desc(DESC, 0, TABLE, 16, VIRTQ_DESC_F_INDIRECT, 0);
    avail_add(0);
}

static void bad_length_overflow(void)
{
    put_desc(DESC, 0, BUF, 0x10, VIRTQ_DESC_F_NEXT, 1);
    put_desc(DESC, 1, BUF, 0xfffffff8, VIRTQ_DESC_F_WRITE, 0);
    avail_add(0);
}

static void bad_avail_jump(void)
{
    put_desc(DESC, 0, BUF, 1, 0, 0);
    fx->avail_idx += QSIZE + 1;
    put16(AVAIL + 2, fx->avail_idx);
}

static void bad_avail_backwards(void)
{
    put16(AVAIL + 2, 0xffff);
}

static void bad_unmapped_buffer(void)
{
    put_desc(DESC, 0, 0x80000000, 64, 0, 0);
    avail_add(0);
}

static void bad_partly_unmapped_buffer(void)
{
    put_desc(DESC, 0, RAM2_BASE + RAM2_SIZE - 8, 64, VIRTQ_DESC_F_WRITE, 0);
    avail_add(0);
}

static void bad_wrapping_buffer(void)
{
    put_desc(DESC, 0, UINT64_MAX - 8, 64, 0, 0);
    avail_add(0);
}

static void bad_unmapped_indirect(void)
{
    put_desc(DESC, 0, UINT64_MAX - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
    avail_add(0);
}

static void bad_readable_after_writable(void)
{
    put_desc(DESC, 0, BUF, 1, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
    put_desc(DESC, 1, BUF, 1, 0, 0);
    avail_add(0);
}

static void bad_chained_indirect(void)
{
    put_desc(TABLE, 0, BUF, 1, 0, 0);
    put_desc(DESC, 0, BUF, 1, VIRTQ_DESC_F_NEXT, 1);
    put_desc(DESC, 1, TABLE, 16, VIRTQ_DESC_F_INDIRECT, 0);
    avail_add(0);
}

/* Bounce buffers are limited: more than 1 MiB of I/O space in one request. */
static void bad_too_many_bounce_bytes(void)
{
    put_desc(DESC, 0, IO_BASE, MiB / 2, VIRTQ_DESC_F_NEXT, 1);
    put_desc(DESC, 1, IO_BASE, MiB / 2 + 1, 0, 0);
    avail_add(0);
}

static void bad_unmapped_rings(void)
{
    VirtIODevice *vdev = fx->vdev;

    virtio_set_status(vdev, vdev->status & ~VIRTIO_CONFIG_S_DRIVER_OK);
    virtio_queue_set_ready(vdev, 0, false);
    virtio_queue_set_addr(vdev, 0, VIRTQ_AREA_DRIVER, 0x40000000);
    virtio_queue_set_ready(vdev, 0, true);
    virtio_set_status(vdev, vdev->status | VIRTIO_CONFIG_S_DRIVER_OK);
}

static const struct {
    const char *name;
    BadRing setup;
    const char *log;
} bad_rings[] = {
    { "loop", bad_loop, "loops" },
    { "self-loop", bad_self_loop, "loops" },
    { "head-out-of-range", bad_head, "avail ring names descriptor 8" },
    { "next-out-of-range", bad_next, "next descriptor 108 out of range" },
    { "nested-indirect", bad_nested_indirect, "indirect table holds an indirect" },
    { "empty-indirect", bad_empty_indirect, "indirect table of 0 bytes" },
    { "partial-indirect", bad_partial_indirect, "indirect table of 24 bytes" },
    { "huge-indirect", bad_huge_indirect, "indirect table of 16400 bytes" },
    { "indirect-loop", bad_indirect_loop, "loops" },
    { "indirect-with-next", bad_indirect_next, "also has NEXT" },
    { "indirect-not-negotiated", bad_indirect_not_negotiated, "without INDIRECT_DESC" },
    { "length-overflow", bad_length_overflow, "longer than 4 GiB" },
    { "avail-jump", bad_avail_jump, "more than the queue size" },
    { "avail-backwards", bad_avail_backwards, "more than the queue size" },
    { "unmapped-buffer", bad_unmapped_buffer, "unmapped address 0x80000000" },
    { "partly-unmapped-buffer", bad_partly_unmapped_buffer, "unmapped address 0x101000" },
    { "wrapping-buffer", bad_wrapping_buffer, "wraps around" },
    { "unmapped-indirect", bad_unmapped_indirect, "not in guest memory" },
    { "readable-after-writable", bad_readable_after_writable, "after a writable one" },
    { "chained-indirect", bad_chained_indirect, "chained indirect" },
    { "io-buffer-too-big", bad_too_many_bounce_bytes, "bytes of buffers outside RAM" },
    { "unmapped-rings", bad_unmapped_rings, "not in guest memory" },
};

static void test_virtio_bad_ring(gconstpointer data)
{
    unsigned i = GPOINTER_TO_UINT(data);
    VirtIODevice *vdev;
    VirtQueue *vq;

    fixture_setup();
    vdev = fx->vdev;
    vq = virtio_get_queue(vdev, 0);
    driver_init(F_VERSION_1 | F_INDIRECT | F_EVENT_IDX);
    bad_rings[i].setup();
    virtio_queue_notify(vdev, 0);

    g_assert_cmpuint(npopped(), ==, 0);
    g_assert_true(vdev->broken);
    g_assert_cmphex(vdev->status & VIRTIO_CONFIG_S_NEEDS_RESET, ==, VIRTIO_CONFIG_S_NEEDS_RESET);
    g_assert_cmpuint(fx->config_irqs, ==, 1);
    g_assert_cmphex(vdev->isr & VIRTIO_ISR_CONFIG, ==, VIRTIO_ISR_CONFIG);
    g_autofree char *log = log_take();
    if (!strstr(log, bad_rings[i].log)) {
        g_test_message("log: %s", log);
    }
    g_assert_nonnull(strstr(log, bad_rings[i].log));
    g_assert_nonnull(strstr(log, "device needs reset"));

    /* Dead until reset: more kicks, pops and notifies do nothing. */
    virtio_queue_notify(vdev, 0);
    g_assert_null(virtqueue_pop(vq, sizeof(VirtQueueElement)));
    g_assert_true(virtqueue_empty(vq));
    virtio_notify(vdev, vq);
    g_assert_cmpuint(fx->queue_irqs, ==, 0);
    g_assert_cmpuint(fx->config_irqs, ==, 1);
    virtio_set_status(vdev, vdev->status | VIRTIO_CONFIG_S_DRIVER_OK);
    g_assert_cmphex(vdev->status & VIRTIO_CONFIG_S_NEEDS_RESET, ==, VIRTIO_CONFIG_S_NEEDS_RESET);

    /* A reset brings it back. */
    driver_init(F_VERSION_1);
    g_assert_false(vdev->broken);
    g_assert_cmphex(vdev->status & VIRTIO_CONFIG_S_NEEDS_RESET, ==, 0);
    put_desc(DESC, 0, BUF, 4, 0, 0);
    avail_add(0);
    virtio_queue_notify(vdev, 0);
    g_assert_cmpuint(npopped(), ==, 1);
    fixture_teardown();
}

/* ---- EVENT_IDX ---- */

static void test_virtio_need_event(void)
{
    /* Crossed: old < event + 1 <= new. */
    g_assert_true(virtqueue_need_event(0, 1, 0));
    g_assert_true(virtqueue_need_event(4, 5, 3));
    g_assert_true(virtqueue_need_event(4, 10, 4));
    g_assert_false(virtqueue_need_event(4, 4, 3));
    g_assert_false(virtqueue_need_event(4, 10, 5));
    g_assert_false(virtqueue_need_event(7, 5, 1));
    /* Wraparound at 2^16. */
    g_assert_true(virtqueue_need_event(0xffff, 0, 0xfffe));
    g_assert_true(virtqueue_need_event(0xfffe, 2, 0xfff0));
    g_assert_true(virtqueue_need_event(0, 1, 0xffff));
    g_assert_false(virtqueue_need_event(0xffff, 0xffff, 0xfffe));
    g_assert_false(virtqueue_need_event(3, 2, 0xfff0));
    g_assert_false(virtqueue_need_event(0xfff0, 5, 0xfff1));
}

static void push_one(uint16_t head)
{
    VirtQueue *vq = virtio_get_queue(fx->vdev, 0);
    VirtQueueElement *e;

    put_desc(DESC, head, BUF, 4, VIRTQ_DESC_F_WRITE, 0);
    avail_add(head);
    virtio_queue_notify(fx->vdev, 0);
    g_assert_cmpuint(npopped(), ==, 1);
    e = g_ptr_array_steal_index(fx->dev->popped, 0);
    virtqueue_push(vq, e, 4);
    virtqueue_element_free(e);
    virtio_notify(fx->vdev, vq);
}

static void test_virtio_event_idx(void)
{
    VirtQueue *vq;
    uint64_t used_event = AVAIL + 4 + 2 * QSIZE;
    uint64_t avail_event = USED + 4 + 8 * QSIZE;

    fixture_setup();
    vq = virtio_get_queue(fx->vdev, 0);
    driver_init(F_VERSION_1 | F_EVENT_IDX);
    /* NO_INTERRUPT is ignored with EVENT_IDX. */
    put16(AVAIL, VIRTQ_AVAIL_F_NO_INTERRUPT);

    /* The first interrupt always goes (nothing signalled yet). */
    put16(used_event, 0x100);
    push_one(1);
    g_assert_cmpuint(fx->queue_irqs, ==, 1);
    g_assert_cmpuint(get16(avail_event), ==, 1);
    /* used_event 0x100 is far ahead: suppressed. */
    push_one(2);
    g_assert_cmpuint(fx->queue_irqs, ==, 1);
    /* used_event 2: moving used idx from 2 to 3 crosses it. */
    put16(used_event, 2);
    push_one(3);
    g_assert_cmpuint(fx->queue_irqs, ==, 2);
    push_one(4);
    g_assert_cmpuint(fx->queue_irqs, ==, 2);

    /* Around the 16-bit wrap: start both sides near 0xffff. */
    driver_init(F_VERSION_1 | F_EVENT_IDX);
    fx->avail_idx = 0xfffd;
    put16(AVAIL + 2, fx->avail_idx);
    vq->last_avail_idx = vq->used_idx = 0xfffd;
    put16(USED + 2, 0xfffd);
    put16(used_event, 0xfffd);
    push_one(0);                            /* used 0xfffd -> 0xfffe: first, always */
    g_assert_cmpuint(fx->queue_irqs, ==, 1);
    push_one(1);                            /* 0xfffe -> 0xffff, event 0xfffd: no */
    g_assert_cmpuint(fx->queue_irqs, ==, 1);
    put16(used_event, 0xffff);
    push_one(2);                            /* 0xffff -> 0: crosses 0xffff */
    g_assert_cmpuint(fx->queue_irqs, ==, 2);
    g_assert_cmpuint(used_idx(), ==, 0);
    g_assert_cmpuint(get16(avail_event), ==, 0);
    put16(used_event, 0);
    push_one(3);                            /* 0 -> 1: crosses 0 */
    g_assert_cmpuint(fx->queue_irqs, ==, 3);
    g_assert_cmpuint(get32(USED + 4 + 8 * 0), ==, 3);
    g_assert_false(fx->vdev->broken);
    fixture_teardown();
}

/* Batches: fill several, flush once, one interrupt. */
static void test_virtio_fill_flush(void)
{
    VirtQueue *vq;

    fixture_setup();
    vq = virtio_get_queue(fx->vdev, 0);
    driver_init(F_VERSION_1);
    for (uint16_t i = 0; i < 3; i++) {
        put_desc(DESC, i, BUF + i * 16, 16, VIRTQ_DESC_F_WRITE, 0);
        avail_add(i);
    }
    virtio_queue_notify(fx->vdev, 0);
    g_assert_cmpuint(npopped(), ==, 3);
    g_assert_cmpuint(vq->inuse, ==, 3);
    /* Completed out of order. */
    virtqueue_fill(vq, popped(2), 16, 0);
    virtqueue_fill(vq, popped(0), 8, 1);
    virtqueue_fill(vq, popped(1), 100, 2);
    g_assert_cmpuint(used_idx(), ==, 0);
    virtqueue_flush(vq, 3);
    virtio_notify(fx->vdev, vq);
    g_assert_cmpuint(used_idx(), ==, 3);
    g_assert_cmpuint(vq->inuse, ==, 0);
    g_assert_cmpuint(get32(USED + 4), ==, 2);
    g_assert_cmpuint(get32(USED + 12), ==, 0);
    g_assert_cmpuint(get32(USED + 16), ==, 8);
    g_assert_cmpuint(get32(USED + 20), ==, 1);
    g_assert_cmpuint(get32(USED + 24), ==, 16);      /* clamped to what the chain holds */
    g_assert_cmpuint(fx->queue_irqs, ==, 1);
    fixture_teardown();
}

static void test_virtio_vmstate(void)
{
    g_autoptr(GByteArray) blob = g_byte_array_new();
    VirtIODevice *vdev;
    VirtQueue *vq;
    size_t used;

    fixture_setup();
    vdev = fx->vdev;
    vq = virtio_get_queue(vdev, 0);
    driver_init(F_VERSION_1 | F_EVENT_IDX);
    push_one(0);
    put_desc(DESC, 1, BUF, 4, VIRTQ_DESC_F_WRITE, 0);
    avail_add(1);
    virtio_queue_notify(vdev, 0);
    g_assert_cmpuint(vq->inuse, ==, 1);
    vmstate_save(type_get_vmsd(vdev->parent_obj.type), vdev, blob);

    virtio_set_status(vdev, 0);
    g_assert_true(vmstate_load(type_get_vmsd(vdev->parent_obj.type), vdev, blob->data,
                               blob->len, &used, NULL));
    g_assert_cmpuint(used, ==, blob->len);
    g_assert_true(vq->ready);
    g_assert_cmphex(vq->desc, ==, DESC);
    g_assert_cmphex(vdev->guest_features, ==, F_VERSION_1 | F_EVENT_IDX);
    g_assert_cmpuint(vq->used_idx, ==, 1);
    /* The request in flight is taken again. */
    g_assert_cmpuint(vq->last_avail_idx, ==, 1);
    g_assert_cmpuint(vq->inuse, ==, 0);
    virtio_queue_notify(vdev, 0);
    g_assert_cmpuint(npopped(), ==, 1);
    g_assert_cmpuint(popped(0)->index, ==, 1);

    /* A corrupt queue size fails the load. */
    vq->num = 3;
    g_byte_array_set_size(blob, 0);
    vmstate_save(type_get_vmsd(vdev->parent_obj.type), vdev, blob);
    g_assert_false(vmstate_load(type_get_vmsd(vdev->parent_obj.type), vdev, blob->data,
                                blob->len, &used, NULL));
    fixture_teardown();
}

/* ---- the simple devices on the same fake transport ---- */

static void test_virtio_rng(void)
{
    static const uint8_t zero[32];

    fixture_setup_dev(qdev_new("virtio-rng-device"));
    g_assert_cmpuint(fx->vdev->device_id, ==, VIRTIO_ID_RNG);
    driver_init(F_VERSION_1);
    put_desc(DESC, 0, BUF, 20, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
    put_desc(DESC, 1, IO_BASE, 12, VIRTQ_DESC_F_WRITE, 0);
    avail_add(0);
    virtio_queue_notify(fx->vdev, 0);
    g_assert_cmpuint(used_idx(), ==, 1);
    g_assert_cmpuint(get32(USED + 8), ==, 32);
    g_assert_cmpint(memcmp(fx->host + BUF, zero, 20), !=, 0);
    g_assert_cmpint(memcmp(fx->io_regs, zero, 12), !=, 0);
    g_assert_cmpuint(fx->queue_irqs, ==, 1);
    fixture_teardown();
}

static void test_virtio_console_tx(void)
{
    g_autofree char *path = NULL;
    g_autofree char *opts = NULL;
    g_autofree char *out = NULL;
    DeviceState *dev = qdev_new("virtio-console-device");
    VirtIODevice *vdev;
    GError *err = NULL;
    Chardev *chr;
    int fd = g_file_open_tmp("test-virtio-console-XXXXXX", &path, NULL);

    g_assert_cmpint(fd, >=, 0);
    close(fd);
    opts = g_strdup_printf("file,id=vcon0,path=%s", path);
    chr = chardev_new_from_opts(opts, &err);
    g_assert_no_error(err);
    qdev_prop_set_chr(dev, "chardev", chr);
    fixture_setup_dev(dev);
    vdev = fx->vdev;
    g_assert_cmpuint(vdev->device_id, ==, VIRTIO_ID_CONSOLE);
    g_assert_cmpuint(virtio_get_num_queues(vdev), ==, 2);
    g_assert_true(chardev_has_frontend(chr));
    driver_init(F_VERSION_1);
    /* The transmit queue (1) at 0x8000. */
    virtio_queue_set_num(vdev, 1, 4);
    virtio_queue_set_addr(vdev, 1, VIRTQ_AREA_DESC, 0x8000);
    virtio_queue_set_addr(vdev, 1, VIRTQ_AREA_DRIVER, 0x8100);
    virtio_queue_set_addr(vdev, 1, VIRTQ_AREA_DEVICE, 0x8200);
    virtio_queue_set_ready(vdev, 1, true);
    memcpy(fx->host + BUF, "hello, ", 7);
    memcpy(fx->host + BUF + 0x100, "hvc0\n", 5);
    put_desc(0x8000, 2, BUF, 7, VIRTQ_DESC_F_NEXT, 3);
    put_desc(0x8000, 3, BUF + 0x100, 5, 0, 0);
    put16(0x8100 + 4, 2);
    put16(0x8100 + 2, 1);
    virtio_queue_notify(vdev, 1);
    g_assert_cmpuint(get16(0x8200 + 2), ==, 1);
    g_assert_cmpuint(get32(0x8200 + 4), ==, 2);
    g_assert_cmpuint(get32(0x8200 + 8), ==, 0);
    g_assert_true(g_file_get_contents(path, &out, NULL, NULL));
    g_assert_cmpstr(out, ==, "hello, hvc0\n");
    fixture_teardown();
    g_assert_false(chardev_has_frontend(chr));
    unlink(path);
}

/* ---- virtio-mmio ---- */

#define MMIO_BASE 0xd0000000ULL

static int mmio_irq_level;

static void mmio_irq_handler(void *opaque, int n, int level)
{
    mmio_irq_level = level;
}

static uint32_t mmio_rd(uint64_t reg)
{
    uint32_t v;

    g_assert_cmpint(address_space_read(&address_space_memory, MMIO_BASE + reg, &v, 4), ==,
                    MEMTX_OK);
    return v;
}

static void mmio_wr(uint64_t reg, uint32_t v)
{
    g_assert_cmpint(address_space_write(&address_space_memory, MMIO_BASE + reg, &v, 4), ==,
                    MEMTX_OK);
}

static void test_virtio_mmio(void)
{
    qemu_irq irq = irq_new(mmio_irq_handler, NULL, 0);
    VirtIODevice *vdev;
    VirtQueue *vq;
    uint8_t b;

    memory_system_init();
    fixture_setup();
    vdev = fx->vdev;
    vq = virtio_get_queue(vdev, 1);
    /* Re-point the device at the MMIO transport (the RAM stays the fixture's). */
    virtio_mmio_attach(vdev, MMIO_BASE, irq);
    g_assert_cmphex(mmio_rd(VIRTIO_MMIO_MAGIC_VALUE), ==, 0x74726976);
    g_assert_cmpuint(mmio_rd(VIRTIO_MMIO_VERSION_REG), ==, 2);
    g_assert_cmpuint(mmio_rd(VIRTIO_MMIO_DEVICE_ID), ==, TEST_DEVICE_ID);
    g_assert_cmphex(mmio_rd(VIRTIO_MMIO_VENDOR_ID), ==, VIRTIO_MMIO_VENDOR);
    mmio_wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
    g_assert_cmphex(mmio_rd(VIRTIO_MMIO_DEVICE_FEATURES), ==, 1);
    mmio_wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    g_assert_cmphex(mmio_rd(VIRTIO_MMIO_DEVICE_FEATURES), ==,
                    (uint32_t)(F_OWN | F_INDIRECT | F_EVENT_IDX));

    mmio_wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
    mmio_wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    mmio_wr(VIRTIO_MMIO_DRIVER_FEATURES, 1);
    mmio_wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    mmio_wr(VIRTIO_MMIO_DRIVER_FEATURES, 0);
    mmio_wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
            VIRTIO_CONFIG_S_FEATURES_OK);
    g_assert_cmphex(mmio_rd(VIRTIO_MMIO_STATUS), ==, 0xb);

    mmio_wr(VIRTIO_MMIO_QUEUE_SEL, 2);
    g_assert_cmpuint(mmio_rd(VIRTIO_MMIO_QUEUE_NUM_MAX), ==, 0);
    mmio_wr(VIRTIO_MMIO_QUEUE_SEL, 1);
    g_assert_cmpuint(mmio_rd(VIRTIO_MMIO_QUEUE_NUM_MAX), ==, 16);
    mmio_wr(VIRTIO_MMIO_QUEUE_NUM, 4);
    mmio_wr(VIRTIO_MMIO_QUEUE_DESC_LOW, DESC);
    mmio_wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
    mmio_wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, AVAIL);
    mmio_wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, USED);
    mmio_wr(VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 0x12);
    g_assert_cmphex(vq->used, ==, 0x1200000000ULL | USED);
    mmio_wr(VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 0);
    mmio_wr(VIRTIO_MMIO_QUEUE_READY, 1);
    g_assert_cmpuint(mmio_rd(VIRTIO_MMIO_QUEUE_READY), ==, 1);
    g_assert_true(vq->ready && vq->num == 4 && vq->avail == AVAIL);
    mmio_wr(VIRTIO_MMIO_STATUS, 0xf);

    /* A request on queue 1 through QueueNotify; the level IRQ follows InterruptStatus. */
    memset(fx->host, 0, 0x8000);
    put_desc(DESC, 0, BUF, 8, VIRTQ_DESC_F_WRITE, 0);
    put16(AVAIL + 4, 0);
    put16(AVAIL + 2, 1);
    mmio_wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
    g_assert_cmpuint(npopped(), ==, 1);
    virtqueue_push(vq, popped(0), 8);
    virtio_notify(vdev, vq);
    g_assert_cmpuint(mmio_irq_level, ==, 1);
    g_assert_cmphex(mmio_rd(VIRTIO_MMIO_INTERRUPT_STATUS), ==, VIRTIO_ISR_QUEUE);
    mmio_wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_ISR_QUEUE);
    g_assert_cmpuint(mmio_irq_level, ==, 0);
    g_assert_cmpuint(used_idx(), ==, 1);

    /* Config space at 0x100, byte access; generation; registers need 32-bit accesses. */
    g_assert_cmpint(address_space_read(&address_space_memory, MMIO_BASE + 0x101, &b, 1), ==,
                    MEMTX_OK);
    g_assert_cmphex(b, ==, 0x22);
    g_assert_cmpuint(mmio_rd(VIRTIO_MMIO_CONFIG_GENERATION), ==, 0);
    virtio_notify_config(vdev);
    g_assert_cmpuint(mmio_rd(VIRTIO_MMIO_CONFIG_GENERATION), ==, 1);
    g_assert_cmpuint(mmio_irq_level, ==, 1);
    g_assert_cmphex(mmio_rd(VIRTIO_MMIO_INTERRUPT_STATUS), ==, VIRTIO_ISR_CONFIG);
    g_assert_cmpint(address_space_read(&address_space_memory, MMIO_BASE, &b, 1), ==,
                    MEMTX_OK);
    g_assert_cmphex(b, ==, 0);
    g_assert_cmphex(mmio_rd(VIRTIO_MMIO_SHM_LEN_LOW), ==, UINT32_MAX);
    mmio_wr(VIRTIO_MMIO_MAGIC_VALUE, 0);
    g_assert_cmphex(mmio_rd(VIRTIO_MMIO_MAGIC_VALUE), ==, 0x74726976);
    g_autofree char *log = log_take();
    g_assert_nonnull(strstr(log, "read with size 1"));
    g_assert_nonnull(strstr(log, "read-only or reserved"));

    /* Status 0 resets and lowers the line. */
    mmio_wr(VIRTIO_MMIO_STATUS, 0);
    g_assert_cmpuint(mmio_irq_level, ==, 0);
    g_assert_cmpuint(mmio_rd(VIRTIO_MMIO_QUEUE_READY), ==, 0);
    g_assert_cmpuint(mmio_rd(VIRTIO_MMIO_STATUS), ==, 0);
    fixture_teardown();
    irq_free(irq);
}

int main(int argc, char **argv)
{
    GError *err = NULL;
    int fd, ret;

    g_test_init(&argc, &argv, NULL);
    type_register(&test_virtio_info);
    fd = g_file_open_tmp("test-virtio-XXXXXX.log", &log_path, &err);
    g_assert_no_error(err);
    close(fd);
    g_assert_true(log_set_file(log_path, NULL));
    g_assert_true(log_set_mask_str("guest_errors", NULL));

    g_test_add_func("/virtio/features", test_virtio_features);
    g_test_add_func("/virtio/queue-setup", test_virtio_queue_setup);
    g_test_add_func("/virtio/basic-chain", test_virtio_basic_chain);
    g_test_add_func("/virtio/driver-ok-kick", test_virtio_driver_ok_kick);
    g_test_add_func("/virtio/indirect", test_virtio_indirect);
    g_test_add_func("/virtio/segments", test_virtio_segments);
    for (unsigned i = 0; i < ARRAY_SIZE(bad_rings); i++) {
        g_autofree char *path = g_strdup_printf("/virtio/bad-ring/%s", bad_rings[i].name);

        g_test_add_data_func(path, GUINT_TO_POINTER(i), test_virtio_bad_ring);
    }
    g_test_add_func("/virtio/need-event", test_virtio_need_event);
    g_test_add_func("/virtio/event-idx", test_virtio_event_idx);
    g_test_add_func("/virtio/fill-flush", test_virtio_fill_flush);
    g_test_add_func("/virtio/vmstate", test_virtio_vmstate);
    g_test_add_func("/virtio/mmio", test_virtio_mmio);
    g_test_add_func("/virtio/rng", test_virtio_rng);
    g_test_add_func("/virtio/console-tx", test_virtio_console_tx);
    ret = g_test_run();
    unlink(log_path);
    g_free(log_path);
    return ret;
}
