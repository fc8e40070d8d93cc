/*
 * virtio-net (virtio 1.2, 5.1): type name, feature bits and config layout.
 * The packet header is NetVnetHdr of net/net.h.
 */
#ifndef HW_VIRTIO_VIRTIO_NET_H
#define HW_VIRTIO_VIRTIO_NET_H

#define TYPE_VIRTIO_NET             "virtio-net-device"

/* Feature bits (5.1.3). */
#define VIRTIO_NET_F_CSUM           0
#define VIRTIO_NET_F_GUEST_CSUM     1
#define VIRTIO_NET_F_MAC            5
#define VIRTIO_NET_F_MRG_RXBUF      15
#define VIRTIO_NET_F_STATUS         16

/* Config space (5.1.4): mac[6], then status (le16). */
#define VIRTIO_NET_CFG_MAC          0
#define VIRTIO_NET_CFG_STATUS       6
#define VIRTIO_NET_CFG_SIZE         8
#define VIRTIO_NET_S_LINK_UP        1

#define VIRTIO_NET_RX_QUEUE         0
#define VIRTIO_NET_TX_QUEUE         1

#endif
