/*
 * Network clients and the packet queue between them.
 *
 * A NetClientState is one end of a link: a frontend (a NIC such as
 * virtio-net) or a backend (-netdev user, tap). Two clients are peers; a
 * packet sent by one is delivered to the other's receive hook. Everything
 * runs under the BQL (vCPU exits into device code and the main loop).
 *
 * Backpressure: when the receiver cannot take a packet (a NIC without
 * receive buffers), the packet waits in the receiver's queue and
 * net_send_iov() returns 0. A sender that passed a NetSentCb then stops
 * producing (a backend stops reading its fd) until the callback runs, which
 * happens when the receiver calls net_flush_queued() because it can receive
 * again and the packet has been delivered. The queue is bounded: beyond
 * NET_QUEUE_MAX packets new ones are dropped, as a full NIC would.
 *
 * Packets on a link are Ethernet frames. When both ends agree
 * (net_peer_set_vnet_hdr), every packet starts with a NetVnetHdr, the
 * little-endian virtio_net_hdr_v1 of virtio 1.2 (5.1.6), which carries
 * checksum offload information (tap with IFF_VNET_HDR).
 */
#ifndef NET_NET_H
#define NET_NET_H

#include "util/osdep.h"
#include <sys/uio.h>
#include "util/keyval.h"

#define NET_QUEUE_MAX           256         /* packets waiting per receiver */
#define NET_MAX_FRAME           65536       /* largest frame on a link, header excluded */

/* virtio_net_hdr_v1: 12 bytes, all fields little-endian. */
typedef struct NetVnetHdr {
    uint8_t flags;
    uint8_t gso_type;
    uint16_t hdr_len;
    uint16_t gso_size;
    uint16_t csum_start;
    uint16_t csum_offset;
    uint16_t num_buffers;
} NetVnetHdr;

#define NET_VNET_HDR_F_NEEDS_CSUM   1
#define NET_VNET_HDR_F_DATA_VALID   2
#define NET_VNET_HDR_GSO_NONE       0

typedef struct NetClientState NetClientState;

/* The queued packet that made a sender stop has been delivered (or dropped). */
typedef void NetSentCb(NetClientState *sender);

typedef struct NetClientInfo {
    const char *type;           /* "nic", "user", "tap" */
    /*
     * Takes one packet; returns its size when consumed (or dropped), 0 when
     * the client cannot take it now (it is queued and offered again after
     * net_flush_queued()).
     */
    ssize_t (*receive)(NetClientState *nc, const struct iovec *iov, int iovcnt);
    /* False while the client cannot receive (NULL: always can). */
    bool (*can_receive)(NetClientState *nc);
    /* The backend can exchange NetVnetHdr-prefixed packets (NULL: no). */
    bool (*has_vnet_hdr)(NetClientState *nc);
    /* The link starts/stops using NetVnetHdr. */
    void (*set_vnet_hdr)(NetClientState *nc, bool on);
    /* The frontend accepts packets with partial checksums (NEEDS_CSUM). */
    void (*set_offload)(NetClientState *nc, bool csum);
    /* Frees the client's own resources (net_client_cleanup calls it). */
    void (*cleanup)(NetClientState *nc);
} NetClientInfo;

struct NetClientState {
    const NetClientInfo *info;
    char *name;                 /* -netdev id=, or the NIC's type name */
    NetClientState *peer;
    GQueue queue;               /* NetPacket *: waiting to be received by this client */
    bool vnet_hdr;              /* packets on this link carry a NetVnetHdr */
    bool is_netdev;             /* a backend created by -netdev (found by id) */
};

/* Sets up NC (embedded in the client's own struct). A backend is then found by NAME. */
void net_client_init(NetClientState *nc, const NetClientInfo *info, const char *name,
                     bool is_netdev);
/* Unlinks NC from its peer, drops its queue and what it queued at the peer, frees its name. */
void net_client_cleanup(NetClientState *nc);

/* The -netdev backend called ID, or NULL. */
NetClientState *net_find_netdev(const char *id);
/* Makes the NIC and the backend ID peers; fails if ID is unknown or already taken. */
bool net_client_attach(NetClientState *nic, const char *id, GError **errp);

/*
 * Sends a packet from SENDER to its peer. Returns the packet size when it
 * was delivered or dropped, 0 when it was queued and SENT_CB (non-NULL) will
 * run once it is delivered: the sender must not send more before that.
 */
ssize_t net_send_iov(NetClientState *sender, const struct iovec *iov, int iovcnt,
                     NetSentCb *sent_cb);
ssize_t net_send(NetClientState *sender, const void *buf, size_t len, NetSentCb *sent_cb);
/* NC can receive again: delivers its queue in order while it accepts packets. */
void net_flush_queued(NetClientState *nc);
/* Number of packets waiting for NC. */
unsigned net_queue_len(const NetClientState *nc);

/* Vnet header and offload negotiation, asked by a frontend of its peer. */
bool net_peer_has_vnet_hdr(NetClientState *nc);
void net_peer_set_vnet_hdr(NetClientState *nc, bool on);
void net_peer_set_offload(NetClientState *nc, bool csum);

/*
 * Completes a partial checksum in place (NEEDS_CSUM): the one's complement
 * sum of BUF from CSUM_START, seeded by the 16-bit field at CSUM_START +
 * CSUM_OFFSET, is stored there. False when the offsets lie outside LEN.
 */
bool net_checksum_complete(uint8_t *buf, size_t len, unsigned csum_start, unsigned csum_offset);

/* ---- command line ---- */

/* A -netdev TYPE constructor: parses its options from KV (after "type" and "id"). */
typedef bool NetBackendInit(const char *id, Keyval *kv, GError **errp);
/* Registers -netdev TYPE; called from each backend's constructor. */
void net_backend_register(const char *type, NetBackendInit *init);

/* -netdev TYPE,id=ID,...: creates the backend now. */
bool net_netdev_add(const char *optstr, GError **errp);
/*
 * -nic TYPE[,model=M][,mac=MAC][,backend options]: creates the backend now
 * and remembers the NIC for net_nic_create_devices(). "-nic none" adds none.
 */
bool net_nic_add(const char *optstr, GError **errp);
/*
 * After the board exists: the -nic devices. The default model is
 * virtio-net-pci when the board has a PCI bus, else virtio-net-device.
 */
bool net_nic_create_devices(GError **errp);
/* The next default MAC address: 52:54:00:12:34:56, then ...:57, and so on. */
void net_default_mac(uint8_t mac[6]);
/* Parses "52:54:00:12:34:56". */
bool net_parse_mac(const char *str, uint8_t mac[6]);

#endif
