/*
 * Unit tests for the network layer (net/net.c) and virtio-net
 * (hw/virtio/virtio-net.c): the packet queue between two peers with its
 * backpressure (queued packets, sent callbacks, the bound), software
 * checksums, and virtio-net on a fake transport whose guest memory is a RAM
 * region: the test plays the driver (rings in that RAM) and a fake backend
 * (a -netdev-like client) on the other end of the link. It checks transmit
 * headers and checksum completion, mergeable receive buffers and
 * num_buffers, frames waiting for receive buffers, and that bad chains set
 * DEVICE_NEEDS_RESET rather than crash (ASan/UBSan in CI).
 */
#include "util/osdep.h"

#include "exec/memory.h"
#include "hw/virtio/virtio.h"
#include "hw/virtio/virtio-net.h"
#include "net/net.h"
#include "util/log.h"

/* ---- a fake client: records what it receives, can refuse ---- */

typedef struct FakeClient {
    NetClientState nc;
    bool refuse;                /* can_receive() is false */
    bool receive_zero;          /* receive() returns 0 (no room after all) */
    GPtrArray *got;             /* GByteArray *: packets received */
    unsigned sent_cbs;
} FakeClient;

static ssize_t fake_receive(NetClientState *nc, const struct iovec *iov, int iovcnt)
{
    FakeClient *f = container_of(nc, FakeClient, nc);
    GByteArray *b = g_byte_array_new();

    if (f->receive_zero) {
        g_byte_array_unref(b);
        return 0;
    }
    for (int i = 0; i < iovcnt; i++) {
        g_byte_array_append(b, iov[i].iov_base, iov[i].iov_len);
    }
    g_ptr_array_add(f->got, b);
    return b->len;
}

static bool fake_can_receive(NetClientState *nc)
{
    return !container_of(nc, FakeClient, nc)->refuse;
}

static const NetClientInfo fake_info = {
    .type = "fake",
    .receive = fake_receive,
    .can_receive = fake_can_receive,
};

static void fake_sent(NetClientState *nc)
{
    container_of(nc, FakeClient, nc)->sent_cbs++;
}

static FakeClient *fake_new(const char *name, bool is_netdev)
{
    FakeClient *f = g_new0(FakeClient, 1);

    f->got = g_ptr_array_new_with_free_func((GDestroyNotify)g_byte_array_unref);
    net_client_init(&f->nc, &fake_info, name, is_netdev);
    return f;
}

static void fake_free(FakeClient *f)
{
    net_client_cleanup(&f->nc);
    g_ptr_array_free(f->got, TRUE);
    g_free(f);
}

static GByteArray *fake_got(FakeClient *f, unsigned i)
{
    g_assert_cmpuint(i, <, f->got->len);
    return g_ptr_array_index(f->got, i);
}

/* ---- the queue ---- */

static void test_net_queue(void)
{
    FakeClient *be = fake_new("be0", true);
    FakeClient *fe = fake_new("fe", false);
    uint8_t pkt[60];
    GError *err = NULL;

    g_assert_true(net_client_attach(&fe->nc, "be0", &err));
    g_assert_false(net_client_attach(&fe->nc, "be0", &err));
    g_assert_nonnull(strstr(err->message, "already used"));
    g_clear_error(&err);
    g_assert_false(net_client_attach(&fe->nc, "nope", &err));
    g_clear_error(&err);

    /* Delivered at once. */
    memset(pkt, 1, sizeof(pkt));
    g_assert_cmpint(net_send(&be->nc, pkt, sizeof(pkt), fake_sent), ==, sizeof(pkt));
    g_assert_cmpuint(fe->got->len, ==, 1);

    /* The frontend cannot receive: queued, the sender must wait for its callback. */
    fe->refuse = true;
    pkt[0] = 2;
    g_assert_cmpint(net_send(&be->nc, pkt, sizeof(pkt), fake_sent), ==, 0);
    pkt[0] = 3;
    g_assert_cmpint(net_send(&be->nc, pkt, sizeof(pkt), NULL), ==, sizeof(pkt));
    g_assert_cmpuint(net_queue_len(&fe->nc), ==, 2);
    net_flush_queued(&fe->nc);                      /* still refusing: nothing moves */
    g_assert_cmpuint(fe->got->len, ==, 1);
    g_assert_cmpuint(be->sent_cbs, ==, 0);

    /* Able again: delivered in order, the callback runs once. */
    fe->refuse = false;
    net_flush_queued(&fe->nc);
    g_assert_cmpuint(fe->got->len, ==, 3);
    g_assert_cmpuint(fake_got(fe, 1)->data[0], ==, 2);
    g_assert_cmpuint(fake_got(fe, 2)->data[0], ==, 3);
    g_assert_cmpuint(be->sent_cbs, ==, 1);
    g_assert_cmpuint(net_queue_len(&fe->nc), ==, 0);

    /* receive() returning 0 queues too, and the queue keeps later packets behind it. */
    fe->receive_zero = true;
    g_assert_cmpint(net_send(&be->nc, pkt, sizeof(pkt), fake_sent), ==, 0);
    fe->receive_zero = false;
    g_assert_cmpint(net_send(&be->nc, pkt, sizeof(pkt), fake_sent), ==, 0);
    g_assert_cmpuint(fe->got->len, ==, 3);
    net_flush_queued(&fe->nc);
    g_assert_cmpuint(fe->got->len, ==, 5);
    g_assert_cmpuint(be->sent_cbs, ==, 3);

    /* Bounded: beyond NET_QUEUE_MAX packets are dropped (reported as sent). */
    fe->refuse = true;
    for (unsigned i = 0; i < NET_QUEUE_MAX + 10; i++) {
        net_send(&be->nc, pkt, sizeof(pkt), NULL);
    }
    g_assert_cmpuint(net_queue_len(&fe->nc), ==, NET_QUEUE_MAX);

    /* A sender going away takes its queued packets with it. */
    fake_free(be);
    g_assert_cmpuint(net_queue_len(&fe->nc), ==, 0);
    g_assert_null(fe->nc.peer);
    g_assert_null(net_find_netdev("be0"));
    fe->refuse = false;
    g_assert_cmpint(net_send(&fe->nc, pkt, sizeof(pkt), NULL), ==, sizeof(pkt));
    fake_free(fe);
}

/* ---- checksums ---- */

static uint16_t ref_csum(const uint8_t *p, size_t len, uint32_t sum)
{
    for (size_t i = 0; i < len; i++) {
        sum += i & 1 ? p[i] : p[i] << 8;
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return ~sum;
}

static void test_net_checksum(void)
{
    uint8_t buf[101];
    uint16_t got;

    for (unsigned i = 0; i < sizeof(buf); i++) {
        buf[i] = i * 7 + 3;
    }
    /* Field at 20+6 seeded with 0x1234 (the pseudo-header sum), odd length. */
    buf[26] = 0x12;
    buf[27] = 0x34;
    {
        uint8_t copy[sizeof(buf)];
        uint16_t want;

        memcpy(copy, buf, sizeof(buf));
        copy[26] = copy[27] = 0;
        want = ref_csum(copy + 20, sizeof(buf) - 20, 0x1234);
        g_assert_true(net_checksum_complete(buf, sizeof(buf), 20, 6));
        got = buf[26] << 8 | buf[27];
        g_assert_cmphex(got, ==, want ? want : 0xffff);
        /* With the pseudo-header sum, the completed range checks out. */
        g_assert_cmphex(ref_csum(buf + 20, sizeof(buf) - 20, 0x1234), ==, 0);
    }
    g_assert_false(net_checksum_complete(buf, sizeof(buf), 100, 0));
    g_assert_false(net_checksum_complete(buf, sizeof(buf), 200, 0));
    g_assert_false(net_checksum_complete(buf, sizeof(buf), 90, 65535));
}

static void test_net_mac(void)
{
    uint8_t mac[6];

    g_assert_true(net_parse_mac("52:54:00:ab:CD:ef", mac));
    g_assert_cmphex(mac[3], ==, 0xab);
    g_assert_cmphex(mac[5], ==, 0xef);
    g_assert_false(net_parse_mac("52:54:00:ab:cd", mac));
    g_assert_false(net_parse_mac("52:54:00:ab:cd:ef:00", mac));
    g_assert_false(net_parse_mac("52:54:00:ab:cd:efx", mac));
}

/* ---- virtio-net on a fake transport ---- */

#define RAM_SIZE        (1 * MiB)
#define QSIZE           8
#define RING(q)         (0x1000 + 0x4000 * (q))     /* desc; avail +0x1000; used +0x2000 */
#define BUF             0x10000

#define F_VERSION_1     (1ULL << VIRTIO_F_VERSION_1)
#define F_MRG           (1ULL << VIRTIO_NET_F_MRG_RXBUF)
#define F_CSUM          ((1ULL << VIRTIO_NET_F_CSUM) | (1ULL << VIRTIO_NET_F_GUEST_CSUM))

typedef struct NetFixture {
    MemoryRegion root, ram;
    AddressSpace as;
    uint8_t *host;
    DeviceState *dev;
    VirtIODevice *vdev;
    FakeClient *be;
    uint16_t avail_idx[2];
    unsigned irqs;
} NetFixture;

static NetFixture *nf;
static char *log_path;
static long log_seen;

static void nf_notify(void *opaque, uint16_t vector)
{
    nf->irqs++;
}

static AddressSpace *nf_get_dma_as(void *opaque)
{
    return &nf->as;
}

static const VirtioBusOps nf_bus_ops = {
    .notify = nf_notify,
    .get_dma_as = nf_get_dma_as,
};

static char *log_take(void)
{
    g_autofree char *all = NULL;
    gsize len;
    char *tail;

    log_flush();
    g_assert_true(g_file_get_contents(log_path, &all, &len, NULL));
    tail = g_strdup(all + log_seen);
    log_seen = len;
    return tail;
}

static void put_desc(unsigned q, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
                     uint16_t next)
{
    uint8_t *d = nf->host + RING(q) + 16 * i;

    memcpy(d, &addr, 8);
    memcpy(d + 8, &len, 4);
    memcpy(d + 12, &flags, 2);
    memcpy(d + 14, &next, 2);
}

static void avail_add(unsigned q, uint16_t head)
{
    uint16_t idx = nf->avail_idx[q];

    memcpy(nf->host + RING(q) + 0x1000 + 4 + 2 * (idx % QSIZE), &head, 2);
    nf->avail_idx[q] = ++idx;
    memcpy(nf->host + RING(q) + 0x1000 + 2, &idx, 2);
}

static uint16_t used_idx(unsigned q)
{
    uint16_t v;

    memcpy(&v, nf->host + RING(q) + 0x2000 + 2, 2);
    return v;
}

static uint32_t used_len(unsigned q, unsigned slot)
{
    uint32_t v;

    memcpy(&v, nf->host + RING(q) + 0x2000 + 4 + 8 * slot + 4, 4);
    return v;
}

/* Sets up the device with netdev "nbe" (and OPTS), negotiates FEATURES, readies both queues. */
static void nf_setup(const char *opts, uint64_t features)
{
    g_autofree char *spec = g_strdup_printf("virtio-net-device,netdev=nbe%s", opts);
    VirtIODevice *vdev;
    uint8_t st = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;
    GError *err = NULL;

    nf = g_new0(NetFixture, 1);
    memory_region_init_container(&nf->root, "root", UINT64_MAX);
    g_assert_true(memory_region_init_ram(&nf->ram, "ram", RAM_SIZE, NULL));
    memory_region_add_subregion(&nf->root, 0, &nf->ram);
    address_space_init(&nf->as, &nf->root, "net-test");
    nf->host = memory_region_get_ram_ptr(&nf->ram);
    nf->be = fake_new("nbe", true);

    /* qdev_device_add would realize at once: build it by hand to bind the transport first. */
    nf->dev = qdev_new(TYPE_VIRTIO_NET);
    {
        g_auto(GStrv) kv = g_strsplit(strchr(spec, ',') + 1, ",", -1);

        for (unsigned i = 0; kv[i]; i++) {
            char *eq = strchr(kv[i], '=');

            *eq = '\0';
            g_assert_true(qdev_prop_parse(nf->dev, kv[i], eq + 1, &err));
        }
    }
    vdev = nf->vdev = VIRTIO_DEVICE(nf->dev);
    virtio_device_set_transport(vdev, &nf_bus_ops, nf);
    g_assert_true(qdev_realize(nf->dev, &err));
    g_assert_no_error(err);

    virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE);
    virtio_set_status(vdev, st);
    virtio_set_driver_features_word(vdev, 0, (uint32_t)features);
    virtio_set_driver_features_word(vdev, 1, features >> 32);
    st |= VIRTIO_CONFIG_S_FEATURES_OK;
    virtio_set_status(vdev, st);
    g_assert_true(vdev->status & VIRTIO_CONFIG_S_FEATURES_OK);
    for (unsigned q = 0; q < 2; q++) {
        virtio_queue_set_num(vdev, q, QSIZE);
        virtio_queue_set_addr(vdev, q, VIRTQ_AREA_DESC, RING(q));
        virtio_queue_set_addr(vdev, q, VIRTQ_AREA_DRIVER, RING(q) + 0x1000);
        virtio_queue_set_addr(vdev, q, VIRTQ_AREA_DEVICE, RING(q) + 0x2000);
        virtio_queue_set_ready(vdev, q, true);
    }
    virtio_set_status(vdev, st | VIRTIO_CONFIG_S_DRIVER_OK);
    g_free(log_take());
}

static void nf_teardown(void)
{
    qdev_destroy(nf->dev);
    fake_free(nf->be);
    address_space_destroy(&nf->as);
    memory_region_del_subregion(&nf->root, &nf->ram);
    memory_region_finalize(&nf->ram);
    memory_region_finalize(&nf->root);
    g_free(nf);
    nf = NULL;
}

/* A UDP/IPv4 frame of LEN bytes (>= 42) with a zero UDP checksum field. */
static void make_frame(uint8_t *f, size_t len)
{
    memset(f, 0, len);
    memset(f, 0xff, 6);                     /* dst */
    f[12] = 0x08;                           /* IPv4 */
    f[14] = 0x45;
    f[23] = 17;                             /* UDP */
    for (size_t i = 42; i < len; i++) {
        f[i] = i;
    }
}

static void test_virtio_net_config(void)
{
    nf_setup(",mac=52:54:00:aa:bb:cc", F_VERSION_1);
    g_assert_cmphex(virtio_config_read(nf->vdev, VIRTIO_NET_CFG_MAC + 3, 1), ==, 0xaa);
    g_assert_cmphex(virtio_config_read(nf->vdev, VIRTIO_NET_CFG_MAC + 5, 1), ==, 0xcc);
    g_assert_cmphex(virtio_config_read(nf->vdev, VIRTIO_NET_CFG_STATUS, 2), ==,
                    VIRTIO_NET_S_LINK_UP);
    g_assert_true(virtio_has_feature(nf->vdev->host_features, VIRTIO_NET_F_MRG_RXBUF));
    g_assert_true(virtio_has_feature(nf->vdev->host_features, VIRTIO_NET_F_CSUM));
    nf_teardown();

    nf_setup(",mrg_rxbuf=off,csum=off", F_VERSION_1);
    g_assert_false(virtio_has_feature(nf->vdev->host_features, VIRTIO_NET_F_MRG_RXBUF));
    g_assert_false(virtio_has_feature(nf->vdev->host_features, VIRTIO_NET_F_GUEST_CSUM));
    nf_teardown();
}

static void test_virtio_net_tx(void)
{
    NetVnetHdr hdr = { 0 };
    uint8_t frame[100];
    GByteArray *got;
    g_autofree char *log = NULL;

    nf_setup("", F_VERSION_1 | F_CSUM);
    /* Header and frame in two descriptors; the frame asks for a UDP checksum at 34+6. */
    make_frame(frame, sizeof(frame));
    frame[40] = 0x00;
    frame[41] = 0x11;                       /* pseudo-header sum seed */
    hdr.flags = NET_VNET_HDR_F_NEEDS_CSUM;
    hdr.csum_start = GUINT16_TO_LE(34);
    hdr.csum_offset = GUINT16_TO_LE(6);
    memcpy(nf->host + BUF, &hdr, sizeof(hdr));
    memcpy(nf->host + BUF + 0x100, frame, sizeof(frame));
    put_desc(1, 0, BUF, sizeof(hdr), VIRTQ_DESC_F_NEXT, 1);
    put_desc(1, 1, BUF + 0x100, sizeof(frame), 0, 0);
    avail_add(1, 0);
    virtio_queue_notify(nf->vdev, 1);
    g_assert_cmpuint(used_idx(1), ==, 1);
    g_assert_cmpuint(nf->be->got->len, ==, 1);
    got = fake_got(nf->be, 0);
    g_assert_cmpuint(got->len, ==, sizeof(frame));     /* no header: the backend has none */
    g_assert_cmpmem(got->data, 40, frame, 40);
    g_assert_cmphex(ref_csum(got->data + 34, sizeof(frame) - 34, 0x11), ==, 0);
    g_assert_cmpmem(got->data + 42, sizeof(frame) - 42, frame + 42, sizeof(frame) - 42);

    /* Checksum offsets outside the frame: dropped and logged, the device lives on. */
    hdr.csum_start = GUINT16_TO_LE(98);
    memcpy(nf->host + BUF, &hdr, sizeof(hdr));
    avail_add(1, 0);
    virtio_queue_notify(nf->vdev, 1);
    g_assert_cmpuint(used_idx(1), ==, 2);
    g_assert_cmpuint(nf->be->got->len, ==, 1);
    log = log_take();
    g_assert_nonnull(strstr(log, "partial checksum"));

    /* GSO was not offered. */
    hdr.flags = 0;
    hdr.gso_type = 1;
    memcpy(nf->host + BUF, &hdr, sizeof(hdr));
    avail_add(1, 0);
    virtio_queue_notify(nf->vdev, 1);
    g_assert_cmpuint(used_idx(1), ==, 3);
    g_assert_cmpuint(nf->be->got->len, ==, 1);

    /* A chain too short for the header breaks the device. */
    put_desc(1, 2, BUF, 6, 0, 0);
    avail_add(1, 2);
    virtio_queue_notify(nf->vdev, 1);
    g_assert_true(nf->vdev->status & VIRTIO_CONFIG_S_NEEDS_RESET);
    nf_teardown();
}

/* Posts receive chain HEAD: one writable buffer of LEN bytes at BUF + 0x1000 * HEAD. */
static void post_rx(unsigned head, uint32_t len)
{
    put_desc(0, head, BUF + 0x1000 * head, len, VIRTQ_DESC_F_WRITE, 0);
    avail_add(0, head);
}

static void test_virtio_net_rx_mergeable(void)
{
    uint8_t frame[250], out[12 + 250];
    NetVnetHdr hdr;

    nf_setup("", F_VERSION_1 | F_MRG);
    post_rx(0, 100);
    post_rx(1, 100);
    post_rx(2, 100);
    virtio_queue_notify(nf->vdev, 0);
    make_frame(frame, sizeof(frame));
    g_assert_cmpint(net_send(&nf->be->nc, frame, sizeof(frame), fake_sent), ==, sizeof(frame));
    /* 262 bytes: 100 + 100 + 62, one used entry per chain, num_buffers = 3. */
    g_assert_cmpuint(used_idx(0), ==, 3);
    g_assert_cmpuint(used_len(0, 0), ==, 100);
    g_assert_cmpuint(used_len(0, 1), ==, 100);
    g_assert_cmpuint(used_len(0, 2), ==, 62);
    memcpy(out, nf->host + BUF, 100);
    memcpy(out + 100, nf->host + BUF + 0x1000, 100);
    memcpy(out + 200, nf->host + BUF + 0x2000, 62);
    memcpy(&hdr, out, sizeof(hdr));
    g_assert_cmpuint(GUINT16_FROM_LE(hdr.num_buffers), ==, 3);
    g_assert_cmpuint(hdr.flags, ==, 0);
    g_assert_cmpmem(out + 12, sizeof(frame), frame, sizeof(frame));
    g_assert_cmpuint(nf->irqs, >, 0);

    /* No buffers: the frame waits and the sender must wait for its callback. */
    g_assert_cmpint(net_send(&nf->be->nc, frame, 60, fake_sent), ==, 0);
    g_assert_cmpuint(net_queue_len(nf->be->nc.peer), ==, 1);
    /* One buffer is not enough for a 72-byte packet: still waiting (the chain is kept). */
    post_rx(3, 40);
    virtio_queue_notify(nf->vdev, 0);
    g_assert_cmpuint(used_idx(0), ==, 3);
    g_assert_cmpuint(nf->be->sent_cbs, ==, 0);
    post_rx(4, 40);
    virtio_queue_notify(nf->vdev, 0);
    g_assert_cmpuint(used_idx(0), ==, 5);
    g_assert_cmpuint(used_len(0, 3), ==, 40);
    g_assert_cmpuint(used_len(0, 4), ==, 32);
    g_assert_cmpuint(nf->be->sent_cbs, ==, 1);
    g_assert_cmpmem(nf->host + BUF + 0x3000 + 12, 28, frame, 28);

    /* A runt frame is dropped, not queued. */
    g_assert_cmpint(net_send(&nf->be->nc, frame, 10, fake_sent), ==, 10);

    /* A receive chain without room for a header breaks the device. */
    post_rx(5, 4);
    g_assert_cmpint(net_send(&nf->be->nc, frame, 60, fake_sent), ==, 0);
    g_assert_true(nf->vdev->status & VIRTIO_CONFIG_S_NEEDS_RESET);
    nf_teardown();
}

static void test_virtio_net_rx_single(void)
{
    uint8_t frame[200];
    NetVnetHdr hdr;
    g_autofree char *log = NULL;

    nf_setup(",mrg_rxbuf=off", F_VERSION_1);
    post_rx(0, 100);
    virtio_queue_notify(nf->vdev, 0);
    make_frame(frame, sizeof(frame));
    /* Too big for the one chain (no MRG_RXBUF): dropped and logged, the chain stays. */
    g_assert_cmpint(net_send(&nf->be->nc, frame, sizeof(frame), NULL), ==, sizeof(frame));
    g_assert_cmpuint(used_idx(0), ==, 0);
    log = log_take();
    g_assert_nonnull(strstr(log, "frame dropped"));
    g_assert_cmpint(net_send(&nf->be->nc, frame, 80, NULL), ==, 80);
    g_assert_cmpuint(used_idx(0), ==, 1);
    g_assert_cmpuint(used_len(0, 0), ==, 92);
    memcpy(&hdr, nf->host + BUF, sizeof(hdr));
    g_assert_cmpuint(GUINT16_FROM_LE(hdr.num_buffers), ==, 1);

    /* Reset drops kept chains and stops reception until DRIVER_OK. */
    virtio_set_status(nf->vdev, 0);
    g_assert_cmpint(net_send(&nf->be->nc, frame, 80, fake_sent), ==, 0);
    nf_teardown();
}

int main(int argc, char **argv)
{
    GError *err = NULL;
    int fd, ret;

    g_test_init(&argc, &argv, NULL);
    fd = g_file_open_tmp("test-net-XXXXXX.log", &log_path, &err);
    g_assert_no_error(err);
    close(fd);
    g_assert_true(log_set_file(log_path, NULL));
    g_assert_true(log_set_mask_str("guest_errors", NULL));

    g_test_add_func("/net/queue", test_net_queue);
    g_test_add_func("/net/checksum", test_net_checksum);
    g_test_add_func("/net/mac", test_net_mac);
    g_test_add_func("/net/virtio-net/config", test_virtio_net_config);
    g_test_add_func("/net/virtio-net/tx", test_virtio_net_tx);
    g_test_add_func("/net/virtio-net/rx-mergeable", test_virtio_net_rx_mergeable);
    g_test_add_func("/net/virtio-net/rx-single", test_virtio_net_rx_single);
    ret = g_test_run();
    unlink(log_path);
    g_free(log_path);
    return ret;
}
