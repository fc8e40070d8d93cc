/*
 * virtio-net (virtio 1.2, 5.1): "-device virtio-net-device,netdev=ID[,mac=MAC]
 * [,mrg_rxbuf=on|off][,csum=on|off]", a NIC whose peer is a -netdev backend.
 *
 * Queue 0 receives, queue 1 transmits. Offered features: MAC, STATUS (link
 * always up), MRG_RXBUF (a frame spreads over as many receive chains as it
 * needs; num_buffers in the first header says how many), CSUM and
 * GUEST_CSUM (partial checksums in both directions). With VERSION_1 every
 * buffer starts with the 12-byte virtio_net_hdr_v1.
 *
 * Transmit: the header is checked (no GSO is offered, so gso_type must be
 * NONE; the checksum offsets must lie inside the frame). A backend that
 * takes the header (tap with IFF_VNET_HDR) gets it with the frame; for the
 * others a partial checksum is completed in software first.
 *
 * Receive: receive chains are popped until the frame fits and kept (the
 * "stash") when it does not yet, so no chain is handed back to the driver
 * unused. A frame that does not fit waits in the link's queue, which stops
 * the backend, until the driver adds buffers and kicks the receive queue.
 * A partial checksum from the backend is completed in software when the
 * driver did not accept GUEST_CSUM.
 *
 * Guest-supplied lengths are validated: a chain without room for a header
 * is a guest error that needs a reset; an oversized or malformed frame is
 * logged (-d guest_errors) and dropped.
 */
#include "util/osdep.h"

#include "hw/virtio/virtio.h"
#include "hw/virtio/virtio-net.h"
#include "net/net.h"
#include "util/log.h"

#define VIRTIO_NET_QUEUE_SIZE   256
#define VIRTIO_NET_TX_BURST     256     /* frames per run before yielding to the main loop */
#define ETH_HLEN                14

typedef struct VirtIONet {
    VirtIODevice parent_obj;
    char *netdev;
    char *mac_str;
    bool mrg_rxbuf;
    bool csum;
    uint8_t mac[6];
    uint16_t status;
    NetClientState nic;
    VirtQueue *rx_vq, *tx_vq;
    GPtrArray *rx_stash;        /* VirtQueueElement *: popped receive chains, not used yet */
    size_t rx_stash_bytes;
    guint tx_resume;            /* idle source continuing a long transmit run, or 0 */
    uint8_t rx_buf[sizeof(NetVnetHdr) + NET_MAX_FRAME];
    uint8_t tx_buf[sizeof(NetVnetHdr) + NET_MAX_FRAME];
} VirtIONet;

#define HDR_LEN sizeof(NetVnetHdr)

/* ---- receive ---- */

static bool virtio_net_can_receive(NetClientState *nc)
{
    VirtIONet *n = container_of(nc, VirtIONet, nic);
    VirtIODevice *vdev = &n->parent_obj;

    return (vdev->status & VIRTIO_CONFIG_S_DRIVER_OK) && !vdev->broken &&
           virtio_queue_get_ready(vdev, VIRTIO_NET_RX_QUEUE);
}

/* Pops receive chains until the stash holds NEED bytes (MRG_RXBUF) or one chain. */
static bool virtio_net_stash_fill(VirtIONet *n, size_t need, bool mrg)
{
    while (mrg ? n->rx_stash_bytes < need : n->rx_stash->len == 0) {
        VirtQueueElement *e = virtqueue_pop(n->rx_vq, sizeof(*e));

        if (!e) {
            return false;
        }
        if (e->in_len < HDR_LEN || e->out_num) {
            virtio_error(&n->parent_obj, "receive chain %u: %zu writable bytes (at least %zu "
                         "needed), %u read-only segments", e->index, e->in_len, HDR_LEN,
                         e->out_num);
            virtqueue_element_free(e);
            return false;
        }
        g_ptr_array_add(n->rx_stash, e);
        n->rx_stash_bytes += e->in_len;
    }
    return true;
}

static void virtio_net_stash_clear(VirtIONet *n)
{
    g_ptr_array_set_size(n->rx_stash, 0);
    n->rx_stash_bytes = 0;
}

static ssize_t virtio_net_receive(NetClientState *nc, const struct iovec *iov, int iovcnt)
{
    VirtIONet *n = container_of(nc, VirtIONet, nic);
    VirtIODevice *vdev = &n->parent_obj;
    bool mrg = virtio_vdev_has_feature(vdev, VIRTIO_NET_F_MRG_RXBUF);
    NetVnetHdr *hdr = (NetVnetHdr *)n->rx_buf;
    size_t hoff = nc->vnet_hdr ? HDR_LEN : 0;
    size_t size = 0, len, done, freed = 0;
    unsigned count;

    for (int i = 0; i < iovcnt; i++) {
        size += iov[i].iov_len;
    }
    if (size < hoff + ETH_HLEN || size - hoff > NET_MAX_FRAME) {
        return size;                        /* runt or oversized: dropped */
    }
    len = HDR_LEN + size - hoff;
    if (!virtio_net_stash_fill(n, len, mrg)) {
        return 0;                           /* waits for buffers */
    }
    if (!mrg && ((VirtQueueElement *)g_ptr_array_index(n->rx_stash, 0))->in_len < len) {
        log_mask_printf(LOG_GUEST_ERROR, "%s: %zu-byte frame dropped: receive buffer of %zu "
                        "bytes (no MRG_RXBUF)\n", vdev->name, len,
                        ((VirtQueueElement *)g_ptr_array_index(n->rx_stash, 0))->in_len);
        return size;
    }
    if (!hoff) {
        memset(hdr, 0, HDR_LEN);
    }
    virtio_iov_to_buf(iov, iovcnt, 0, n->rx_buf + HDR_LEN - hoff, size);
    if (hdr->gso_type != NET_VNET_HDR_GSO_NONE) {
        return size;                        /* no GSO offered: the backend broke the rules */
    }
    if (!virtio_vdev_has_feature(vdev, VIRTIO_NET_F_GUEST_CSUM)) {
        if ((hdr->flags & NET_VNET_HDR_F_NEEDS_CSUM) &&
            !net_checksum_complete(n->rx_buf + HDR_LEN, len - HDR_LEN,
                                   GUINT16_FROM_LE(hdr->csum_start),
                                   GUINT16_FROM_LE(hdr->csum_offset))) {
            return size;
        }
        hdr->flags = 0;
        hdr->csum_start = hdr->csum_offset = 0;
    }
    /* How many chains the frame takes, then copy and publish them at once. */
    for (count = 0, done = 0; done < len; count++) {
        VirtQueueElement *e = g_ptr_array_index(n->rx_stash, count);

        done += MIN(e->in_len, len - done);
    }
    hdr->num_buffers = GUINT16_TO_LE(count);
    for (unsigned i = 0, off = 0; i < count; i++) {
        VirtQueueElement *e = g_ptr_array_index(n->rx_stash, i);
        size_t chunk = MIN(e->in_len, len - off);

        virtio_iov_from_buf(e->in_sg, e->in_num, 0, n->rx_buf + off, chunk);
        virtqueue_fill(n->rx_vq, e, chunk, i);
        off += chunk;
        freed += e->in_len;
    }
    virtqueue_flush(n->rx_vq, count);
    g_ptr_array_remove_range(n->rx_stash, 0, count);
    n->rx_stash_bytes -= freed;
    virtio_notify(vdev, n->rx_vq);
    return size;
}

/* The driver added receive buffers: frames waiting for them go first. */
static void virtio_net_handle_rx(VirtIODevice *vdev, VirtQueue *vq)
{
    net_flush_queued(&((VirtIONet *)vdev)->nic);
}

/* ---- transmit ---- */

/* Sends one transmit chain; false after a guest error that broke the device. */
static bool virtio_net_tx_one(VirtIONet *n, VirtQueueElement *e)
{
    VirtIODevice *vdev = &n->parent_obj;
    NetVnetHdr *hdr = (NetVnetHdr *)n->tx_buf;
    uint8_t *frame = n->tx_buf + HDR_LEN;
    size_t flen;

    if (e->out_len < HDR_LEN) {
        virtio_error(vdev, "transmit chain %u: %zu bytes, no room for the header", e->index,
                     e->out_len);
        return false;
    }
    flen = e->out_len - HDR_LEN;
    if (flen < ETH_HLEN || flen > NET_MAX_FRAME) {
        log_mask_printf(LOG_GUEST_ERROR, "%s: %zu-byte frame dropped (%d to %d bytes allowed)\n",
                        vdev->name, flen, ETH_HLEN, NET_MAX_FRAME);
        return true;
    }
    virtio_iov_to_buf(e->out_sg, e->out_num, 0, n->tx_buf, e->out_len);
    if (hdr->gso_type != NET_VNET_HDR_GSO_NONE) {
        log_mask_printf(LOG_GUEST_ERROR, "%s: frame with gso_type %u dropped (no GSO "
                        "offered)\n", vdev->name, hdr->gso_type);
        return true;
    }
    if (hdr->flags & NET_VNET_HDR_F_NEEDS_CSUM) {
        unsigned start = GUINT16_FROM_LE(hdr->csum_start);
        unsigned off = GUINT16_FROM_LE(hdr->csum_offset);

        if (!virtio_vdev_has_feature(vdev, VIRTIO_NET_F_CSUM) || start >= flen ||
            (size_t)start + off + 2 > flen) {
            log_mask_printf(LOG_GUEST_ERROR, "%s: frame dropped: partial checksum at %u+%u in "
                            "%zu bytes (CSUM %snegotiated)\n", vdev->name, start, off, flen,
                            virtio_vdev_has_feature(vdev, VIRTIO_NET_F_CSUM) ? "" : "not ");
            return true;
        }
        if (!n->nic.vnet_hdr) {
            net_checksum_complete(frame, flen, start, off);
        }
    }
    if (n->nic.vnet_hdr) {
        hdr->num_buffers = 0;
        net_send(&n->nic, n->tx_buf, e->out_len, NULL);
    } else {
        net_send(&n->nic, frame, flen, NULL);
    }
    return true;
}

static gboolean virtio_net_tx_resume(gpointer opaque);

static void virtio_net_flush_tx(VirtIONet *n)
{
    VirtIODevice *vdev = &n->parent_obj;
    unsigned sent = 0;
    VirtQueueElement *e;

    while (sent < VIRTIO_NET_TX_BURST && (e = virtqueue_pop(n->tx_vq, sizeof(*e)))) {
        if (!virtio_net_tx_one(n, e)) {
            virtqueue_element_free(e);
            return;
        }
        virtqueue_push(n->tx_vq, e, 0);
        virtqueue_element_free(e);
        sent++;
    }
    if (sent) {
        virtio_notify(vdev, n->tx_vq);
    }
    if (sent == VIRTIO_NET_TX_BURST && !n->tx_resume) {
        n->tx_resume = g_idle_add(virtio_net_tx_resume, n);
    }
}

static gboolean virtio_net_tx_resume(gpointer opaque)
{
    VirtIONet *n = opaque;

    n->tx_resume = 0;
    virtio_net_flush_tx(n);
    return G_SOURCE_REMOVE;
}

static void virtio_net_handle_tx(VirtIODevice *vdev, VirtQueue *vq)
{
    virtio_net_flush_tx((VirtIONet *)vdev);
}

/* ---- device ---- */

static const NetClientInfo virtio_net_info = {
    .type = "nic",
    .receive = virtio_net_receive,
    .can_receive = virtio_net_can_receive,
};

static void virtio_net_get_config(VirtIODevice *vdev, uint8_t *config)
{
    VirtIONet *n = (VirtIONet *)vdev;
    uint16_t status = GUINT16_TO_LE(n->status);

    memcpy(config + VIRTIO_NET_CFG_MAC, n->mac, 6);
    memcpy(config + VIRTIO_NET_CFG_STATUS, &status, 2);
}

static void virtio_net_set_features(VirtIODevice *vdev, uint64_t features)
{
    VirtIONet *n = (VirtIONet *)vdev;

    if (n->nic.vnet_hdr) {
        net_peer_set_offload(&n->nic, virtio_has_feature(features, VIRTIO_NET_F_GUEST_CSUM));
    }
}

static void virtio_net_reset(VirtIODevice *vdev)
{
    VirtIONet *n = (VirtIONet *)vdev;

    virtio_net_stash_clear(n);
    if (n->tx_resume) {
        g_source_remove(n->tx_resume);
        n->tx_resume = 0;
    }
    if (n->nic.vnet_hdr) {
        net_peer_set_offload(&n->nic, false);
    }
}

static bool virtio_net_realize(VirtIODevice *vdev, GError **errp)
{
    VirtIONet *n = (VirtIONet *)vdev;

    if (n->mac_str) {
        if (!net_parse_mac(n->mac_str, n->mac) || (n->mac[0] & 1)) {
            error_setg(errp, "%s: mac=%s is not a unicast MAC address (like 52:54:00:12:34:56)",
                       vdev->name, n->mac_str);
            return false;
        }
    } else {
        net_default_mac(n->mac);
    }
    net_client_init(&n->nic, &virtio_net_info, vdev->name, false);
    if (n->netdev && !net_client_attach(&n->nic, n->netdev, errp)) {
        g_prefix_error(errp, "%s: ", vdev->name);
        net_client_cleanup(&n->nic);
        return false;
    }
    if (net_peer_has_vnet_hdr(&n->nic)) {
        net_peer_set_vnet_hdr(&n->nic, true);
    }
    n->status = VIRTIO_NET_S_LINK_UP;
    n->rx_stash = g_ptr_array_new_with_free_func(virtqueue_element_free);

    virtio_init(vdev, VIRTIO_ID_NET, VIRTIO_NET_CFG_SIZE);
    vdev->host_features |= (1ULL << VIRTIO_NET_F_MAC) | (1ULL << VIRTIO_NET_F_STATUS);
    if (n->mrg_rxbuf) {
        vdev->host_features |= 1ULL << VIRTIO_NET_F_MRG_RXBUF;
    }
    if (n->csum) {
        vdev->host_features |= (1ULL << VIRTIO_NET_F_CSUM) | (1ULL << VIRTIO_NET_F_GUEST_CSUM);
    }
    n->rx_vq = virtio_add_queue(vdev, VIRTIO_NET_QUEUE_SIZE, virtio_net_handle_rx);
    n->tx_vq = virtio_add_queue(vdev, VIRTIO_NET_QUEUE_SIZE, virtio_net_handle_tx);
    return true;
}

static void virtio_net_unrealize(VirtIODevice *vdev)
{
    VirtIONet *n = (VirtIONet *)vdev;

    virtio_net_reset(vdev);
    g_ptr_array_free(n->rx_stash, TRUE);
    net_client_cleanup(&n->nic);
}

static const VirtioDeviceClass virtio_net_class = {
    .realize = virtio_net_realize,
    .unrealize = virtio_net_unrealize,
    .reset = virtio_net_reset,
    .get_config = virtio_net_get_config,
    .set_features = virtio_net_set_features,
};

static void virtio_net_instance_init(DeviceState *dev)
{
    VIRTIO_DEVICE(dev)->vdc = &virtio_net_class;
}

static const Property virtio_net_props[] = {
    DEFINE_PROP_STRING("netdev", VirtIONet, netdev),
    DEFINE_PROP_STRING("mac", VirtIONet, mac_str),
    DEFINE_PROP_BOOL("mrg_rxbuf", VirtIONet, mrg_rxbuf, true),
    DEFINE_PROP_BOOL("csum", VirtIONet, csum, true),
    DEFINE_PROP_END_OF_LIST(),
};

/* The receive stash is not saved: on load the core rewinds the avail index over it. */
static const VMStateField vmstate_virtio_net_fields[] = {
    VMSTATE_STRUCT(parent_obj, VirtIONet, vmstate_virtio_device, VirtIODevice),
    VMSTATE_UINT8_ARRAY(mac, VirtIONet, 6),
    VMSTATE_UINT16(status, VirtIONet),
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription vmstate_virtio_net = {
    .name = "virtio-net",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = vmstate_virtio_net_fields,
};

static const TypeInfo virtio_net_info_type = {
    .name = TYPE_VIRTIO_NET,
    .parent = TYPE_VIRTIO_DEVICE,
    .instance_size = sizeof(VirtIONet),
    .desc = "virtio network device (netdev=, mac=, mrg_rxbuf=, csum=)",
    .user_creatable = true,
    .props = virtio_net_props,
    .instance_init = virtio_net_instance_init,
    .vmsd = &vmstate_virtio_net,
};

static void virtio_net_register_types(void)
{
    type_register(&virtio_net_info_type);
}
type_init(virtio_net_register_types)
