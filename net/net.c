/*
 * Network clients: peer links, the bounded receive queue with sender
 * callbacks (backpressure), vnet header negotiation, software checksums,
 * and the -netdev / -nic command line (backends register themselves by
 * type from their own files).
 */
#include "util/osdep.h"

#include "hw/pci/pci.h"
#include "hw/qdev.h"
#include "net/net.h"

/* One packet waiting in a receiver's queue. */
typedef struct NetPacket {
    NetClientState *sender;
    NetSentCb *sent_cb;
    size_t size;
    uint8_t data[];
} NetPacket;

typedef struct NetBackend {
    const char *type;
    NetBackendInit *init;
} NetBackend;

static GPtrArray *netdevs;          /* NetClientState *: the -netdev backends */
static GPtrArray *backends;         /* NetBackend *: registered types */
static GPtrArray *pending_nics;     /* char *: -device strings made by -nic */
static unsigned nic_count;          /* for the default MAC and -nic ids */

void net_client_init(NetClientState *nc, const NetClientInfo *info, const char *name,
                     bool is_netdev)
{
    nc->info = info;
    nc->name = g_strdup(name);
    nc->peer = NULL;
    g_queue_init(&nc->queue);
    nc->vnet_hdr = false;
    nc->is_netdev = is_netdev;
    if (is_netdev) {
        if (!netdevs) {
            netdevs = g_ptr_array_new();
        }
        g_ptr_array_add(netdevs, nc);
    }
}

/* Drops the packets of NC's queue that SENDER (or anyone, if NULL) queued. */
static void net_queue_purge(NetClientState *nc, NetClientState *sender)
{
    GList *l = nc->queue.head;

    while (l) {
        GList *next = l->next;
        NetPacket *p = l->data;

        if (!sender || p->sender == sender) {
            g_queue_delete_link(&nc->queue, l);
            g_free(p);
        }
        l = next;
    }
}

void net_client_cleanup(NetClientState *nc)
{
    if (nc->peer) {
        net_queue_purge(nc->peer, nc);
        nc->peer->peer = NULL;
        nc->peer = NULL;
    }
    net_queue_purge(nc, NULL);
    if (nc->is_netdev) {
        g_ptr_array_remove(netdevs, nc);
    }
    g_free(nc->name);
    nc->name = NULL;
    if (nc->info->cleanup) {
        nc->info->cleanup(nc);     /* may free NC */
    }
}

NetClientState *net_find_netdev(const char *id)
{
    for (guint i = 0; netdevs && i < netdevs->len; i++) {
        NetClientState *nc = g_ptr_array_index(netdevs, i);

        if (!strcmp(nc->name, id)) {
            return nc;
        }
    }
    return NULL;
}

bool net_client_attach(NetClientState *nic, const char *id, GError **errp)
{
    NetClientState *be = net_find_netdev(id);

    if (!be) {
        error_setg(errp, "netdev '%s' not found", id);
        return false;
    }
    if (be->peer) {
        error_setg(errp, "netdev '%s' is already used by another device", id);
        return false;
    }
    be->peer = nic;
    nic->peer = be;
    return true;
}

static bool net_can_receive(NetClientState *nc)
{
    return !nc->info->can_receive || nc->info->can_receive(nc);
}

ssize_t net_send_iov(NetClientState *sender, const struct iovec *iov, int iovcnt,
                     NetSentCb *sent_cb)
{
    NetClientState *peer = sender->peer;
    size_t size = 0;
    NetPacket *p;

    for (int i = 0; i < iovcnt; i++) {
        size += iov[i].iov_len;
    }
    if (!peer) {
        return size;
    }
    if (g_queue_is_empty(&peer->queue) && net_can_receive(peer)) {
        ssize_t ret = peer->info->receive(peer, iov, iovcnt);

        if (ret != 0) {
            return ret;
        }
    }
    if (g_queue_get_length(&peer->queue) >= NET_QUEUE_MAX) {
        return size;
    }
    p = g_malloc(sizeof(*p) + size);
    p->sender = sender;
    p->sent_cb = sent_cb;
    p->size = size;
    for (int i = 0, off = 0; i < iovcnt; off += iov[i].iov_len, i++) {
        memcpy(p->data + off, iov[i].iov_base, iov[i].iov_len);
    }
    g_queue_push_tail(&peer->queue, p);
    return sent_cb ? 0 : (ssize_t)size;
}

ssize_t net_send(NetClientState *sender, const void *buf, size_t len, NetSentCb *sent_cb)
{
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };

    return net_send_iov(sender, &iov, 1, sent_cb);
}

void net_flush_queued(NetClientState *nc)
{
    NetPacket *p;

    while ((p = g_queue_peek_head(&nc->queue)) && net_can_receive(nc)) {
        struct iovec iov = { .iov_base = p->data, .iov_len = p->size };

        if (nc->info->receive(nc, &iov, 1) == 0) {
            break;
        }
        g_queue_pop_head(&nc->queue);
        if (p->sent_cb) {
            p->sent_cb(p->sender);
        }
        g_free(p);
    }
}

unsigned net_queue_len(const NetClientState *nc)
{
    return g_queue_get_length((GQueue *)&nc->queue);
}

bool net_peer_has_vnet_hdr(NetClientState *nc)
{
    return nc->peer && nc->peer->info->has_vnet_hdr && nc->peer->info->has_vnet_hdr(nc->peer);
}

void net_peer_set_vnet_hdr(NetClientState *nc, bool on)
{
    g_assert(!on || net_peer_has_vnet_hdr(nc));
    nc->vnet_hdr = on;
    if (nc->peer) {
        nc->peer->vnet_hdr = on;
        if (nc->peer->info->set_vnet_hdr) {
            nc->peer->info->set_vnet_hdr(nc->peer, on);
        }
    }
}

void net_peer_set_offload(NetClientState *nc, bool csum)
{
    if (nc->peer && nc->peer->info->set_offload) {
        nc->peer->info->set_offload(nc->peer, csum);
    }
}

bool net_checksum_complete(uint8_t *buf, size_t len, unsigned csum_start, unsigned csum_offset)
{
    uint32_t sum = 0;
    size_t field = (size_t)csum_start + csum_offset;
    uint16_t csum;

    if (csum_start >= len || field + 2 > len) {
        return false;
    }
    /* The field holds the pseudo-header sum; it is part of the summed range. */
    for (size_t i = csum_start; i + 1 < len; i += 2) {
        sum += (buf[i] << 8) | buf[i + 1];
    }
    if ((len - csum_start) & 1) {
        sum += buf[len - 1] << 8;
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    csum = ~sum;
    /* 0 means "no checksum" to UDP; 0xffff is the same value in one's complement. */
    csum = csum ? csum : 0xffff;
    buf[field] = csum >> 8;
    buf[field + 1] = csum;
    return true;
}

/* ---- command line ---- */

void net_backend_register(const char *type, NetBackendInit *init)
{
    NetBackend *b = g_new(NetBackend, 1);

    b->type = type;
    b->init = init;
    if (!backends) {
        backends = g_ptr_array_new();
    }
    g_ptr_array_add(backends, b);
}

static NetBackend *net_backend_find(const char *type)
{
    for (guint i = 0; backends && i < backends->len; i++) {
        NetBackend *b = g_ptr_array_index(backends, i);

        if (!strcmp(b->type, type)) {
            return b;
        }
    }
    return NULL;
}

static char *net_backend_names(void)
{
    GString *s = g_string_new("");

    for (guint i = 0; backends && i < backends->len; i++) {
        g_string_append_printf(s, "%s%s", i ? ", " : "",
                               ((NetBackend *)g_ptr_array_index(backends, i))->type);
    }
    return g_string_free(s, FALSE);
}

/* Creates backend TYPE called ID from KV ("type" and "id" already consumed). */
static bool net_backend_create(const char *opt, const char *type, const char *id, Keyval *kv,
                               GError **errp)
{
    NetBackend *b = net_backend_find(type);
    GError *err = NULL;

    if (!b) {
        g_autofree char *names = net_backend_names();

        error_setg(errp, "%s: unknown network backend '%s' (known: %s)", opt, type, names);
        return false;
    }
    if (net_find_netdev(id)) {
        error_setg(errp, "%s: duplicate id '%s'", opt, id);
        return false;
    }
    if (!b->init(id, kv, &err)) {
        error_setg(errp, "%s %s: %s", opt, type, err->message);
        g_error_free(err);
        return false;
    }
    return keyval_check_all_used(kv, opt, errp);
}

bool net_netdev_add(const char *optstr, GError **errp)
{
    g_autoptr(Keyval) kv = keyval_parse(optstr, "type", "-netdev", errp);
    const char *type, *id;

    if (!kv) {
        return false;
    }
    type = keyval_get(kv, "type");
    id = keyval_get(kv, "id");
    if (!type) {
        error_setg(errp, "-netdev %s: a backend type is needed (user, tap)", optstr);
        return false;
    }
    if (!id) {
        error_setg(errp, "-netdev %s: id= is needed", optstr);
        return false;
    }
    return net_backend_create("-netdev", type, id, kv, errp);
}

bool net_nic_add(const char *optstr, GError **errp)
{
    g_autoptr(Keyval) kv = keyval_parse(optstr, "type", "-nic", errp);
    const char *type, *model, *mac;
    g_autofree char *id = NULL;
    GString *dev;

    if (!kv) {
        return false;
    }
    type = keyval_get(kv, "type");
    if (!type) {
        error_setg(errp, "-nic %s: a backend type is needed (user, tap, none)", optstr);
        return false;
    }
    if (!strcmp(type, "none")) {
        return keyval_check_all_used(kv, "-nic", errp);
    }
    model = keyval_get(kv, "model");
    mac = keyval_get(kv, "mac");
    if (model && strcmp(model, "virtio-net-pci") && strcmp(model, "virtio-net-device") &&
        strcmp(model, "virtio")) {
        error_setg(errp, "-nic: unsupported model '%s' (virtio-net-pci, virtio-net-device)",
                   model);
        return false;
    }
    id = g_strdup_printf("__nic%u", pending_nics ? pending_nics->len : 0);
    if (keyval_has(kv, "id")) {
        error_setg(errp, "-nic: id= is not accepted (use -netdev and -device for that)");
        return false;
    }
    if (!net_backend_create("-nic", type, id, kv, errp)) {
        return false;
    }
    /* The model is resolved once the board exists (virtio: the board's default). */
    dev = g_string_new(model && strcmp(model, "virtio") ? model : "");
    g_string_append_printf(dev, ",netdev=%s", id);
    if (mac) {
        g_string_append_printf(dev, ",mac=%s", mac);
    }
    if (!pending_nics) {
        pending_nics = g_ptr_array_new_with_free_func(g_free);
    }
    g_ptr_array_add(pending_nics, g_string_free(dev, FALSE));
    return true;
}

bool net_nic_create_devices(GError **errp)
{
    const char *model = pci_bus_find(NULL) ? "virtio-net-pci" : "virtio-net-device";

    for (guint i = 0; pending_nics && i < pending_nics->len; i++) {
        const char *spec = g_ptr_array_index(pending_nics, i);
        g_autofree char *full = g_strdup_printf("%s%s", spec[0] == ',' ? model : "", spec);

        if (!qdev_device_add(full, errp)) {
            return false;
        }
    }
    return true;
}

void net_default_mac(uint8_t mac[6])
{
    static const uint8_t base[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

    memcpy(mac, base, 6);
    mac[5] += nic_count++;
}

bool net_parse_mac(const char *str, uint8_t mac[6])
{
    unsigned v[6];
    char end;

    if (sscanf(str, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
               &end) != 6) {
        return false;
    }
    for (int i = 0; i < 6; i++) {
        mac[i] = v[i];
    }
    return true;
}
