/*
 * Unit tests for virtio-blk (hw/virtio/virtio-blk.c) on the real block layer:
 * a virtio-blk-device on a temporary raw image, reached through a fake
 * transport whose DMA address space is a small RAM region. The test is the
 * driver: it builds request chains in that RAM, kicks the queue, lets the
 * block layer complete (blk_drain) and checks the status byte, the used ring
 * and the image file: read, write, flush, get-id, write-zeroes, discard
 * without the feature, sector range and length checks, unknown requests,
 * malformed chains, read-only drives and several queues.
 */
#include "util/osdep.h"

#include "block/blockdev.h"
#include "exec/memory.h"
#include "hw/virtio/virtio.h"
#include "hw/virtio/virtio-blk.h"
#include "sysemu/main-loop.h"
#include "util/log.h"

#define RAM_SIZE        (1 * MiB)
#define DESC            0x1000
#define AVAIL           0x2000
#define USED            0x3000
#define HDR             0x4000
#define DATA            0x5000
#define STATUS          0x8000
#define QSIZE           8
#define IMG_SECTORS     64

typedef struct Fixture {
    MemoryRegion root, ram;
    AddressSpace as;
    uint8_t *host;
    char *img;
    BlockBackend *blk;
    VirtIODevice *vdev;
    uint16_t avail_idx[2];
    unsigned irqs;
} Fixture;

static Fixture *fx;
static unsigned image_count;

static void fake_notify(void *opaque, uint16_t vector)
{
    fx->irqs++;
}

static AddressSpace *fake_get_dma_as(void *opaque)
{
    return &fx->as;
}

static const VirtioBusOps fake_bus_ops = {
    .notify = fake_notify,
    .get_dma_as = fake_get_dma_as,
};

/* Queue Q's rings: queue 1 lives 0x10000 above queue 0. */
static uint64_t qbase(unsigned q)
{
    return q * 0x10000;
}

static void put_desc(unsigned q, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
                     uint16_t next)
{
    uint8_t *d = fx->host + qbase(q) + DESC + 16 * i;

    memcpy(d, &addr, 8);
    memcpy(d + 8, &len, 4);
    memcpy(d + 12, &flags, 2);
    memcpy(d + 14, &next, 2);
}

static uint16_t used_idx(unsigned q)
{
    uint16_t v;

    memcpy(&v, fx->host + qbase(q) + USED + 2, 2);
    return v;
}

static uint32_t used_len(unsigned q, uint16_t idx)
{
    uint32_t v;

    memcpy(&v, fx->host + qbase(q) + USED + 4 + 8 * (idx % QSIZE) + 4, 4);
    return v;
}

/* Makes head 0 of queue Q available, kicks, waits for the block layer. */
static void run_chain(unsigned q)
{
    uint16_t idx = fx->avail_idx[q]++;

    memcpy(fx->host + qbase(q) + AVAIL + 4 + 2 * (idx % QSIZE), &(uint16_t){ 0 }, 2);
    memcpy(fx->host + qbase(q) + AVAIL + 2, &fx->avail_idx[q], 2);
    virtio_queue_notify(fx->vdev, q);
    blk_drain(fx->blk);
}

/* A request: header, optional data (DATA_LEN bytes, device-writable if IN), status. */
static uint8_t request(unsigned q, uint32_t type, uint64_t sector, uint32_t data_len, bool in)
{
    uint8_t *hdr = fx->host + HDR;
    uint16_t before = used_idx(q);

    memcpy(hdr, &type, 4);
    memset(hdr + 4, 0, 4);
    memcpy(hdr + 8, &sector, 8);
    fx->host[STATUS] = 0xee;
    if (data_len) {
        put_desc(q, 0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
        put_desc(q, 1, DATA, data_len, VIRTQ_DESC_F_NEXT | (in ? VIRTQ_DESC_F_WRITE : 0), 2);
    } else {
        put_desc(q, 0, HDR, 16, VIRTQ_DESC_F_NEXT, 2);
    }
    put_desc(q, 2, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
    run_chain(q);
    g_assert_cmpuint(used_idx(q), ==, (uint16_t)(before + 1));
    return fx->host[STATUS];
}

static void driver_init(unsigned nqueues)
{
    VirtIODevice *vdev = fx->vdev;
    uint64_t features = vdev->host_features;

    virtio_set_status(vdev, 0);
    virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
    virtio_set_driver_features_word(vdev, 0, (uint32_t)features);
    virtio_set_driver_features_word(vdev, 1, features >> 32);
    virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
                      VIRTIO_CONFIG_S_FEATURES_OK);
    for (unsigned q = 0; q < nqueues; q++) {
        virtio_queue_set_num(vdev, q, QSIZE);
        virtio_queue_set_addr(vdev, q, VIRTQ_AREA_DESC, qbase(q) + DESC);
        virtio_queue_set_addr(vdev, q, VIRTQ_AREA_DRIVER, qbase(q) + AVAIL);
        virtio_queue_set_addr(vdev, q, VIRTQ_AREA_DEVICE, qbase(q) + USED);
        virtio_queue_set_ready(vdev, q, true);
        g_assert_true(virtio_queue_get_ready(vdev, q));
    }
    virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
                      VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
}

/* A fresh image (sector n filled with byte n) and a device on it. */
static void fixture_setup(const char *drive_opts, const char *dev_opts)
{
    g_autofree char *id = g_strdup_printf("vblk%u", image_count++);
    g_autofree char *opts = NULL;
    g_autofree uint8_t *content = g_malloc(IMG_SECTORS * 512);
    GError *err = NULL;
    DeviceState *dev;
    int fd;

    fx = g_new0(Fixture, 1);
    fd = g_file_open_tmp("test-virtio-blk-XXXXXX.img", &fx->img, &err);
    g_assert_no_error(err);
    close(fd);
    for (unsigned i = 0; i < IMG_SECTORS; i++) {
        memset(content + 512 * i, i, 512);
    }
    g_assert_true(g_file_set_contents(fx->img, (char *)content, IMG_SECTORS * 512, NULL));
    opts = g_strdup_printf("file=%s,format=raw,if=none,id=%s%s", fx->img, id, drive_opts);
    fx->blk = blk_drive_add(opts, &err);
    g_assert_no_error(err);

    memory_region_init_container(&fx->root, "root", UINT64_MAX);
    g_assert_true(memory_region_init_ram(&fx->ram, "ram", RAM_SIZE, NULL));
    memory_region_add_subregion(&fx->root, 0, &fx->ram);
    address_space_init(&fx->as, &fx->root, "virtio-blk-test");
    fx->host = memory_region_get_ram_ptr(&fx->ram);

    dev = qdev_new(TYPE_VIRTIO_BLK);
    g_assert_true(qdev_prop_parse(dev, "drive", id, NULL));
    if (dev_opts) {
        g_auto(GStrv) kv = g_strsplit(dev_opts, "=", 2);

        g_assert_true(qdev_prop_parse(dev, kv[0], kv[1], NULL));
    }
    fx->vdev = VIRTIO_DEVICE(dev);
    virtio_device_set_transport(fx->vdev, &fake_bus_ops, fx);
    g_assert_true(qdev_realize(dev, &err));
    g_assert_no_error(err);
}

static void fixture_teardown(void)
{
    qdev_destroy(&fx->vdev->parent_obj);
    address_space_destroy(&fx->as);
    memory_region_del_subregion(&fx->root, &fx->ram);
    memory_region_finalize(&fx->ram);
    memory_region_finalize(&fx->root);
    unlink(fx->img);
    g_free(fx->img);
    g_free(fx);
    fx = NULL;
}

static void image_sector(unsigned n, uint8_t *buf)
{
    g_autofree char *all = NULL;
    gsize len;

    g_assert_true(g_file_get_contents(fx->img, &all, &len, NULL));
    g_assert_cmpuint(len, ==, IMG_SECTORS * 512);
    memcpy(buf, all + 512 * n, 512);
}

static void test_blk_config(void)
{
    VirtIODevice *vdev;

    fixture_setup("", NULL);
    vdev = fx->vdev;
    g_assert_cmpuint(vdev->device_id, ==, VIRTIO_ID_BLOCK);
    g_assert_true(virtio_has_feature(vdev->host_features, VIRTIO_BLK_F_FLUSH));
    g_assert_true(virtio_has_feature(vdev->host_features, VIRTIO_BLK_F_SEG_MAX));
    g_assert_true(virtio_has_feature(vdev->host_features, VIRTIO_BLK_F_BLK_SIZE));
    g_assert_true(virtio_has_feature(vdev->host_features, VIRTIO_BLK_F_WRITE_ZEROES));
    g_assert_false(virtio_has_feature(vdev->host_features, VIRTIO_BLK_F_RO));
    g_assert_false(virtio_has_feature(vdev->host_features, VIRTIO_BLK_F_MQ));
    g_assert_false(virtio_has_feature(vdev->host_features, VIRTIO_BLK_F_DISCARD));
    g_assert_cmpuint(virtio_config_read(vdev, VIRTIO_BLK_CFG_CAPACITY, 8), ==, IMG_SECTORS);
    g_assert_cmpuint(virtio_config_read(vdev, VIRTIO_BLK_CFG_SEG_MAX, 4), ==, 254);
    g_assert_cmpuint(virtio_config_read(vdev, VIRTIO_BLK_CFG_BLK_SIZE, 4), ==, 512);
    g_assert_cmpuint(virtio_config_read(vdev, VIRTIO_BLK_CFG_NUM_QUEUES, 2), ==, 1);
    g_assert_cmpuint(virtio_config_read(vdev, VIRTIO_BLK_CFG_MAX_WZ_SEG, 4), ==, 1);
    g_assert_cmpuint(virtio_get_num_queues(vdev), ==, 1);
    fixture_teardown();
}

static void test_blk_read_write_flush(void)
{
    uint8_t buf[512];

    fixture_setup("", NULL);
    driver_init(1);
    g_assert_cmpuint(request(0, VIRTIO_BLK_T_IN, 3, 1024, true), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpuint(used_len(0, 0), ==, 1025);
    g_assert_cmphex(fx->host[DATA], ==, 3);
    g_assert_cmphex(fx->host[DATA + 1023], ==, 4);
    g_assert_cmpuint(fx->irqs, ==, 1);

    memset(fx->host + DATA, 0x5a, 512);
    g_assert_cmpuint(request(0, VIRTIO_BLK_T_OUT, 7, 512, false), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpuint(used_len(0, 1), ==, 1);
    g_assert_cmpuint(request(0, VIRTIO_BLK_T_FLUSH, 0, 0, false), ==, VIRTIO_BLK_S_OK);
    image_sector(7, buf);
    g_assert_cmphex(buf[0], ==, 0x5a);
    g_assert_cmphex(buf[511], ==, 0x5a);
    image_sector(8, buf);
    g_assert_cmphex(buf[0], ==, 8);

    /* The last sector is fine, one past it is not; neither are partial sectors. */
    g_assert_cmpuint(request(0, VIRTIO_BLK_T_IN, IMG_SECTORS - 1, 512, true), ==,
                     VIRTIO_BLK_S_OK);
    g_assert_cmpuint(request(0, VIRTIO_BLK_T_IN, IMG_SECTORS - 1, 1024, true), ==,
                     VIRTIO_BLK_S_IOERR);
    g_assert_cmpuint(request(0, VIRTIO_BLK_T_IN, UINT64_MAX, 512, true), ==,
                     VIRTIO_BLK_S_IOERR);
    g_assert_cmpuint(request(0, VIRTIO_BLK_T_OUT, 0, 100, false), ==, VIRTIO_BLK_S_IOERR);
    g_assert_cmpuint(request(0, VIRTIO_BLK_T_OUT, IMG_SECTORS, 512, false), ==,
                     VIRTIO_BLK_S_IOERR);
    g_assert_cmpuint(request(0, 0x77, 0, 0, false), ==, VIRTIO_BLK_S_UNSUPP);
    g_assert_false(fx->vdev->broken);
    fixture_teardown();
}

static void test_blk_get_id(void)
{
    fixture_setup("", "serial=kestrel-disk-serial-too-long");
    driver_init(1);
    memset(fx->host + DATA, 0xff, 64);
    g_assert_cmpuint(request(0, VIRTIO_BLK_T_GET_ID, 0, 64, true), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpmem(fx->host + DATA, 20, "kestrel-disk-serial-", 20);
    g_assert_cmphex(fx->host[DATA + 20], ==, 0xff);
    g_assert_cmpuint(used_len(0, 0), ==, 21);
    fixture_teardown();
}

static void test_blk_write_zeroes_discard(void)
{
    uint8_t buf[512];
    uint64_t seg[2];

    fixture_setup("", NULL);
    driver_init(1);
    seg[0] = GUINT64_TO_LE(5);
    seg[1] = GUINT32_TO_LE(2);          /* num_sectors 2, flags 0 */
    memcpy(fx->host + DATA, seg, 16);
    g_assert_cmpuint(request(0, VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false), ==, VIRTIO_BLK_S_OK);
    image_sector(5, buf);
    g_assert_cmphex(buf[0] | buf[511], ==, 0);
    image_sector(6, buf);
    g_assert_cmphex(buf[100], ==, 0);
    image_sector(7, buf);
    g_assert_cmphex(buf[0], ==, 7);

    /* Past the end; two segments; unknown flags; discard was not offered. */
    seg[0] = GUINT64_TO_LE(IMG_SECTORS - 1);
    memcpy(fx->host + DATA, seg, 16);
    g_assert_cmpuint(request(0, VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false), ==,
                     VIRTIO_BLK_S_IOERR);
    g_assert_cmpuint(request(0, VIRTIO_BLK_T_WRITE_ZEROES, 0, 32, false), ==,
                     VIRTIO_BLK_S_IOERR);
    seg[0] = 0;
    seg[1] = GUINT64_TO_LE(1ULL | (4ULL << 32));
    memcpy(fx->host + DATA, seg, 16);
    g_assert_cmpuint(request(0, VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false), ==,
                     VIRTIO_BLK_S_UNSUPP);
    g_assert_cmpuint(request(0, VIRTIO_BLK_T_DISCARD, 0, 16, false), ==, VIRTIO_BLK_S_UNSUPP);
    fixture_teardown();
}

static void test_blk_malformed(void)
{
    fixture_setup("", NULL);
    driver_init(1);
    /* A header shorter than 16 bytes. */
    put_desc(0, 0, HDR, 8, VIRTQ_DESC_F_NEXT, 2);
    put_desc(0, 2, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
    run_chain(0);
    g_assert_true(fx->vdev->broken);
    g_assert_cmphex(fx->vdev->status & VIRTIO_CONFIG_S_NEEDS_RESET, !=, 0);

    /* No status byte. */
    driver_init(1);
    fx->avail_idx[0] = 0;
    put_desc(0, 0, HDR, 16, 0, 0);
    run_chain(0);
    g_assert_true(fx->vdev->broken);
    fixture_teardown();
}

static void test_blk_read_only(void)
{
    uint8_t buf[512];
    uint64_t seg[2] = { 0, 1 };

    fixture_setup(",readonly=on", NULL);
    g_assert_true(virtio_has_feature(fx->vdev->host_features, VIRTIO_BLK_F_RO));
    g_assert_false(virtio_has_feature(fx->vdev->host_features, VIRTIO_BLK_F_WRITE_ZEROES));
    driver_init(1);
    memset(fx->host + DATA, 0x5a, 512);
    g_assert_cmpuint(request(0, VIRTIO_BLK_T_OUT, 1, 512, false), ==, VIRTIO_BLK_S_IOERR);
    memcpy(fx->host + DATA, seg, 16);
    g_assert_cmpuint(request(0, VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false), ==,
                     VIRTIO_BLK_S_IOERR);
    g_assert_cmpuint(request(0, VIRTIO_BLK_T_IN, 1, 512, true), ==, VIRTIO_BLK_S_OK);
    g_assert_cmphex(fx->host[DATA], ==, 1);
    g_assert_cmpuint(request(0, VIRTIO_BLK_T_FLUSH, 0, 0, false), ==, VIRTIO_BLK_S_OK);
    image_sector(1, buf);
    g_assert_cmphex(buf[0], ==, 1);
    fixture_teardown();
}

static void test_blk_multiqueue(void)
{
    fixture_setup("", "num-queues=2");
    g_assert_true(virtio_has_feature(fx->vdev->host_features, VIRTIO_BLK_F_MQ));
    g_assert_cmpuint(virtio_get_num_queues(fx->vdev), ==, 2);
    g_assert_cmpuint(virtio_config_read(fx->vdev, VIRTIO_BLK_CFG_NUM_QUEUES, 2), ==, 2);
    driver_init(2);
    g_assert_cmpuint(request(1, VIRTIO_BLK_T_IN, 9, 512, true), ==, VIRTIO_BLK_S_OK);
    g_assert_cmphex(fx->host[DATA + 10], ==, 9);
    g_assert_cmpuint(request(0, VIRTIO_BLK_T_IN, 2, 512, true), ==, VIRTIO_BLK_S_OK);
    g_assert_cmphex(fx->host[DATA + 10], ==, 2);
    fixture_teardown();
}

static void test_blk_bad_properties(void)
{
    DeviceState *dev = qdev_new(TYPE_VIRTIO_BLK);
    GError *err = NULL;

    g_assert_true(qdev_prop_parse(dev, "drive", "nosuchdrive", NULL));
    virtio_device_set_transport(VIRTIO_DEVICE(dev), &fake_bus_ops, NULL);
    g_assert_false(qdev_realize(dev, &err));
    g_assert_nonnull(strstr(err->message, "not found"));
    g_clear_error(&err);

    fixture_setup("", NULL);
    dev = qdev_new(TYPE_VIRTIO_BLK);
    g_assert_true(qdev_prop_parse(dev, "drive", blk_name(fx->blk), NULL));
    virtio_device_set_transport(VIRTIO_DEVICE(dev), &fake_bus_ops, NULL);
    g_assert_false(qdev_realize(dev, &err));
    g_assert_nonnull(strstr(err->message, "in use"));
    g_clear_error(&err);
    fixture_teardown();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    bql_lock();
    g_test_add_func("/virtio-blk/config", test_blk_config);
    g_test_add_func("/virtio-blk/read-write-flush", test_blk_read_write_flush);
    g_test_add_func("/virtio-blk/get-id", test_blk_get_id);
    g_test_add_func("/virtio-blk/write-zeroes-discard", test_blk_write_zeroes_discard);
    g_test_add_func("/virtio-blk/malformed", test_blk_malformed);
    g_test_add_func("/virtio-blk/read-only", test_blk_read_only);
    g_test_add_func("/virtio-blk/multiqueue", test_blk_multiqueue);
    g_test_add_func("/virtio-blk/bad-properties", test_blk_bad_properties);
    return g_test_run();
}
