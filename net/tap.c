/*
 * -netdev tap,id=ID[,ifname=NAME][,script=no][,downscript=no]: a Linux tap
 * interface from /dev/net/tun (IFF_TAP | IFF_NO_PI, plus IFF_VNET_HDR when
 * the kernel offers it). Configuring the host side (addresses, bridges, up)
 * is left to the caller: Kestrel runs no scripts, so script= and downscript=
 * accept only "no".
 *
 * With IFF_VNET_HDR every frame on the fd carries a 12-byte virtio_net_hdr_v1
 * (TUNSETVNETHDRSZ; the host is little-endian, as the header is). When the
 * frontend uses the header too, frames pass through unchanged; otherwise the
 * backend adds an empty header on write and strips it on read. Partial
 * checksums come in from the kernel only while the frontend asked for them
 * (TUNSETOFFLOAD TUN_F_CSUM).
 *
 * Reading stops while the frontend cannot receive (the read frame is queued
 * at the peer) and resumes from the sent callback. Writes never block: a
 * frame the kernel does not take at once is dropped, as a full link would.
 */
#include "util/osdep.h"

#include <fcntl.h>
#include <glib-unix.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>

#include "hw/qdev.h"
#include "net/net.h"

#define NET_TAP_MAX_IOV     8       /* senders pass one or two segments */

typedef struct TapState {
    NetClientState nc;
    int fd;
    guint read_tag;             /* fd watch while reading, else 0 */
    bool fd_vnet_hdr;           /* frames on the fd carry a NetVnetHdr */
    uint8_t buf[sizeof(NetVnetHdr) + NET_MAX_FRAME];
} TapState;

static void tap_read_poll(TapState *s, bool enable);

static void tap_send_completed(NetClientState *nc)
{
    tap_read_poll(container_of(nc, TapState, nc), true);
}

static gboolean tap_readable(gint fd, GIOCondition cond, gpointer opaque)
{
    TapState *s = opaque;
    /* A bounded batch per wakeup keeps the main loop responsive. */
    for (int i = 0; i < 64; i++) {
        size_t skip = s->fd_vnet_hdr && !s->nc.vnet_hdr ? sizeof(NetVnetHdr) : 0;
        ssize_t n = read(fd, s->buf, sizeof(s->buf));

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= (ssize_t)skip) {
            break;
        }
        if (net_send(&s->nc, s->buf + skip, n - skip, tap_send_completed) == 0) {
            s->read_tag = 0;
            return G_SOURCE_REMOVE;     /* until the frontend can receive */
        }
    }
    return G_SOURCE_CONTINUE;
}

static void tap_read_poll(TapState *s, bool enable)
{
    if (enable && !s->read_tag) {
        s->read_tag = g_unix_fd_add(s->fd, G_IO_IN, tap_readable, s);
    } else if (!enable && s->read_tag) {
        g_source_remove(s->read_tag);
        s->read_tag = 0;
    }
}

static ssize_t tap_receive(NetClientState *nc, const struct iovec *iov, int iovcnt)
{
    TapState *s = container_of(nc, TapState, nc);
    struct iovec vec[NET_TAP_MAX_IOV + 1];
    NetVnetHdr hdr = { 0 };
    size_t size = 0;
    int n = 0;

    g_assert(iovcnt <= NET_TAP_MAX_IOV);

    if (s->fd_vnet_hdr && !nc->vnet_hdr) {
        vec[n++] = (struct iovec){ .iov_base = &hdr, .iov_len = sizeof(hdr) };
    }
    for (int i = 0; i < iovcnt; i++) {
        vec[n++] = iov[i];
        size += iov[i].iov_len;
    }
    while (writev(s->fd, vec, n) < 0 && errno == EINTR) {
        /* retry */
    }
    return size;
}

static bool tap_has_vnet_hdr(NetClientState *nc)
{
    return container_of(nc, TapState, nc)->fd_vnet_hdr;
}

static void tap_set_offload(NetClientState *nc, bool csum)
{
    TapState *s = container_of(nc, TapState, nc);

    if (s->fd_vnet_hdr) {
        /* Failure only means the kernel keeps computing checksums itself. */
        (void)ioctl(s->fd, TUNSETOFFLOAD, csum ? TUN_F_CSUM : 0);
    }
}

static void tap_cleanup(NetClientState *nc)
{
    TapState *s = container_of(nc, TapState, nc);

    tap_read_poll(s, false);
    close(s->fd);
    g_free(s);
}

static const NetClientInfo tap_info = {
    .type = "tap",
    .receive = tap_receive,
    .has_vnet_hdr = tap_has_vnet_hdr,
    .set_offload = tap_set_offload,
    .cleanup = tap_cleanup,
};

static bool tap_check_no_script(Keyval *kv, const char *key, GError **errp)
{
    const char *v = keyval_get(kv, key);

    if (v && strcmp(v, "no") && strcmp(v, "")) {
        error_setg(errp, "%s=%s: Kestrel runs no scripts (use %s=no and configure the "
                   "interface yourself)", key, v, key);
        return false;
    }
    return true;
}

static bool tap_init(const char *id, Keyval *kv, GError **errp)
{
    const char *ifname = keyval_get(kv, "ifname");
    unsigned features = 0;
    struct ifreq ifr = { 0 };
    TapState *s;
    int fd;

    if (!tap_check_no_script(kv, "script", errp) ||
        !tap_check_no_script(kv, "downscript", errp)) {
        return false;
    }
    if (ifname && strlen(ifname) >= IFNAMSIZ) {
        error_setg(errp, "ifname '%s' is longer than %d characters", ifname, IFNAMSIZ - 1);
        return false;
    }
    fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        error_setg(errp, "cannot open /dev/net/tun: %s", g_strerror(errno));
        return false;
    }
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (ioctl(fd, TUNGETFEATURES, &features) == 0 && (features & IFF_VNET_HDR)) {
        ifr.ifr_flags |= IFF_VNET_HDR;
    }
    snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname ? ifname : "tap%d");
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        error_setg(errp, "cannot attach to tap interface '%s': %s", ifr.ifr_name,
                   g_strerror(errno));
        close(fd);
        return false;
    }
    s = g_new0(TapState, 1);
    s->fd = fd;
    if (ifr.ifr_flags & IFF_VNET_HDR) {
        int len = sizeof(NetVnetHdr);

        s->fd_vnet_hdr = ioctl(fd, TUNSETVNETHDRSZ, &len) == 0;
        if (!s->fd_vnet_hdr) {
            error_setg(errp, "tap '%s': TUNSETVNETHDRSZ: %s", ifr.ifr_name, g_strerror(errno));
            close(fd);
            g_free(s);
            return false;
        }
    }
    net_client_init(&s->nc, &tap_info, id, true);
    tap_read_poll(s, true);
    return true;
}

static void tap_register(void)
{
    net_backend_register("tap", tap_init);
}
type_init(tap_register)
