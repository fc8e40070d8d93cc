/*
 * -netdev user,id=ID[,net=ADDR/PREFIX][,host=ADDR][,dns=ADDR][,dhcpstart=ADDR]
 *              [,hostfwd=tcp|udp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT]...
 * User-mode networking on libslirp: a private IPv4 network (default
 * 10.0.2.0/24, host 10.0.2.2, DNS 10.0.2.3, DHCP from 10.0.2.15) whose TCP
 * and UDP flows become host sockets; hostfwd rules listen on the host and
 * connect into the guest (an empty GUESTADDR is the DHCP start address).
 *
 * libslirp is driven from glib's main loop: a GSource asks slirp for its
 * sockets before every poll (slirp_pollfds_fill) and hands the results back
 * after it (slirp_pollfds_poll, which also runs slirp's TCP timers); slirp's
 * own timers are glib timeouts. While a frame slirp produced waits for the
 * frontend (no receive buffers), the sockets are not polled, so no new data
 * is read from the host; the sent callback resumes polling.
 */
#include "util/osdep.h"

#include <arpa/inet.h>
#include <slirp/libslirp.h>

#include "hw/qdev.h"
#include "net/net.h"
#include "sysemu/main-loop.h"
#include "util/log.h"

typedef struct SlirpState SlirpState;

typedef struct SlirpSource {
    GSource source;
    SlirpState *s;
    GArray *fds;                /* GPollFD: what slirp asked for in the last prepare */
} SlirpSource;

struct SlirpState {
    NetClientState nc;
    Slirp *slirp;
    SlirpSource *src;
    bool blocked;               /* a frame waits for the frontend */
};

typedef struct SlirpTimer {
    SlirpState *s;
    SlirpTimerId id;
    void *cb_opaque;
    guint tag;
} SlirpTimer;

/* ---- the main loop source ---- */

static int slirp_add_poll(int fd, int events, void *opaque)
{
    GArray *fds = opaque;
    GPollFD pfd = { .fd = fd };

    if (events & SLIRP_POLL_IN) {
        pfd.events |= G_IO_IN;
    }
    if (events & SLIRP_POLL_OUT) {
        pfd.events |= G_IO_OUT;
    }
    if (events & SLIRP_POLL_PRI) {
        pfd.events |= G_IO_PRI;
    }
    if (events & SLIRP_POLL_ERR) {
        pfd.events |= G_IO_ERR;
    }
    if (events & SLIRP_POLL_HUP) {
        pfd.events |= G_IO_HUP;
    }
    g_array_append_val(fds, pfd);
    return fds->len - 1;
}

static int slirp_get_revents(int idx, void *opaque)
{
    GArray *fds = opaque;
    GPollFD *pfd = &g_array_index(fds, GPollFD, idx);
    int ev = 0;

    ev |= pfd->revents & G_IO_IN ? SLIRP_POLL_IN : 0;
    ev |= pfd->revents & G_IO_OUT ? SLIRP_POLL_OUT : 0;
    ev |= pfd->revents & G_IO_PRI ? SLIRP_POLL_PRI : 0;
    ev |= pfd->revents & G_IO_ERR ? SLIRP_POLL_ERR : 0;
    ev |= pfd->revents & G_IO_HUP ? SLIRP_POLL_HUP : 0;
    return ev;
}

static void slirp_source_clear(SlirpSource *src)
{
    for (guint i = 0; i < src->fds->len; i++) {
        g_source_remove_poll(&src->source, &g_array_index(src->fds, GPollFD, i));
    }
    g_array_set_size(src->fds, 0);
}

static gboolean slirp_source_prepare(GSource *source, gint *timeout)
{
    SlirpSource *src = (SlirpSource *)source;
    uint32_t t = UINT32_MAX;

    slirp_source_clear(src);
    if (src->s->blocked) {
        *timeout = -1;
        return FALSE;
    }
    slirp_pollfds_fill(src->s->slirp, &t, slirp_add_poll, src->fds);
    /* Added only now: the array does not move any more until the next prepare. */
    for (guint i = 0; i < src->fds->len; i++) {
        g_source_add_poll(source, &g_array_index(src->fds, GPollFD, i));
    }
    *timeout = t > INT_MAX ? -1 : (gint)t;
    return FALSE;
}

/* Every loop iteration: slirp_pollfds_poll also runs its TCP timers. */
static gboolean slirp_source_check(GSource *source)
{
    return !((SlirpSource *)source)->s->blocked;
}

static gboolean slirp_source_dispatch(GSource *source, GSourceFunc cb, gpointer data)
{
    SlirpSource *src = (SlirpSource *)source;

    slirp_pollfds_poll(src->s->slirp, 0, slirp_get_revents, src->fds);
    return G_SOURCE_CONTINUE;
}

static void slirp_source_finalize(GSource *source)
{
    g_array_free(((SlirpSource *)source)->fds, TRUE);
}

static GSourceFuncs slirp_source_funcs = {
    .prepare = slirp_source_prepare,
    .check = slirp_source_check,
    .dispatch = slirp_source_dispatch,
    .finalize = slirp_source_finalize,
};

/* ---- libslirp callbacks ---- */

static void slirp_send_completed(NetClientState *nc)
{
    container_of(nc, SlirpState, nc)->blocked = false;
    main_loop_wakeup();
}

static ssize_t slirp_cb_send_packet(const void *buf, size_t len, void *opaque)
{
    SlirpState *s = opaque;

    if (net_send(&s->nc, buf, len, slirp_send_completed) == 0) {
        s->blocked = true;
    }
    return len;
}

static void slirp_cb_guest_error(const char *msg, void *opaque)
{
    log_mask_printf(LOG_GUEST_ERROR, "netdev user: %s\n", msg);
}

static int64_t slirp_cb_clock_get_ns(void *opaque)
{
    return g_get_monotonic_time() * 1000;
}

static gboolean slirp_timer_fire(gpointer opaque)
{
    SlirpTimer *t = opaque;

    t->tag = 0;
    slirp_handle_timer(t->s->slirp, t->id, t->cb_opaque);
    return G_SOURCE_REMOVE;
}

static void *slirp_cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
    SlirpTimer *t = g_new0(SlirpTimer, 1);

    t->s = opaque;
    t->id = id;
    t->cb_opaque = cb_opaque;
    return t;
}

static void slirp_cb_timer_free(void *timer, void *opaque)
{
    SlirpTimer *t = timer;

    if (t->tag) {
        g_source_remove(t->tag);
    }
    g_free(t);
}

/* EXPIRE_MS is on the clock of slirp_cb_clock_get_ns, in milliseconds. */
static void slirp_cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
    SlirpTimer *t = timer;
    int64_t delay = expire_ms - g_get_monotonic_time() / 1000;

    if (t->tag) {
        g_source_remove(t->tag);
    }
    t->tag = g_timeout_add(delay > 0 ? (guint)MIN(delay, INT_MAX) : 0, slirp_timer_fire, t);
}

static void slirp_cb_register_poll_fd(int fd, void *opaque)
{
    /* Sockets are polled through slirp_pollfds_fill(). */
}

static void slirp_cb_notify(void *opaque)
{
    main_loop_wakeup();
}

static const SlirpCb slirp_callbacks = {
    .send_packet = slirp_cb_send_packet,
    .guest_error = slirp_cb_guest_error,
    .clock_get_ns = slirp_cb_clock_get_ns,
    .timer_free = slirp_cb_timer_free,
    .timer_mod = slirp_cb_timer_mod,
    .register_poll_fd = slirp_cb_register_poll_fd,
    .unregister_poll_fd = slirp_cb_register_poll_fd,
    .notify = slirp_cb_notify,
    .timer_new_opaque = slirp_cb_timer_new_opaque,
};

/* ---- the network client ---- */

static ssize_t slirp_receive(NetClientState *nc, const struct iovec *iov, int iovcnt)
{
    SlirpState *s = container_of(nc, SlirpState, nc);
    size_t size = 0;

    for (int i = 0; i < iovcnt; i++) {
        size += iov[i].iov_len;
    }
    if (size > INT_MAX) {
        return size;
    }
    if (iovcnt == 1) {
        slirp_input(s->slirp, iov[0].iov_base, size);
    } else {
        g_autofree uint8_t *buf = g_malloc(size);

        for (int i = 0, off = 0; i < iovcnt; off += iov[i].iov_len, i++) {
            memcpy(buf + off, iov[i].iov_base, iov[i].iov_len);
        }
        slirp_input(s->slirp, buf, size);
    }
    return size;
}

static void slirp_client_cleanup(NetClientState *nc)
{
    SlirpState *s = container_of(nc, SlirpState, nc);

    g_source_destroy(&s->src->source);
    g_source_unref(&s->src->source);
    slirp_cleanup(s->slirp);
    g_free(s);
}

static const NetClientInfo slirp_info = {
    .type = "user",
    .receive = slirp_receive,
    .cleanup = slirp_client_cleanup,
};

/* ---- options ---- */

static bool slirp_parse_addr(Keyval *kv, const char *key, struct in_addr def,
                             struct in_addr *out, GError **errp)
{
    const char *v = keyval_get(kv, key);

    *out = def;
    if (v && !inet_aton(v, out)) {
        error_setg(errp, "%s=%s: not an IPv4 address", key, v);
        return false;
    }
    return true;
}

/* net=ADDR[/PREFIX|/MASK] (default prefix 24). */
static bool slirp_parse_net(const char *v, struct in_addr *net, struct in_addr *mask,
                            GError **errp)
{
    g_autofree char *addr = g_strdup(v);
    char *slash = strchr(addr, '/');
    uint64_t prefix = 24;

    if (slash) {
        *slash++ = '\0';
        if (strchr(slash, '.')) {
            if (!inet_aton(slash, mask)) {
                error_setg(errp, "net=%s: bad netmask", v);
                return false;
            }
            prefix = UINT64_MAX;
        } else if (!parse_uint(slash, &prefix) || prefix < 8 || prefix > 30) {
            error_setg(errp, "net=%s: the prefix length must be 8 to 30", v);
            return false;
        }
    }
    if (prefix != UINT64_MAX) {
        mask->s_addr = htonl(~0u << (32 - prefix));
    }
    if (!inet_aton(addr, net)) {
        error_setg(errp, "net=%s: not an IPv4 address", v);
        return false;
    }
    net->s_addr &= mask->s_addr;
    return true;
}

static struct in_addr slirp_host_addr(struct in_addr net, unsigned host)
{
    return (struct in_addr){ .s_addr = htonl(ntohl(net.s_addr) | host) };
}

/* PROTO:[ADDR]:PORT (host side) or [ADDR]:PORT (guest side). */
static bool slirp_parse_endpoint(const char *str, struct in_addr def, struct in_addr *addr,
                                 int *port)
{
    const char *colon = strrchr(str, ':');
    g_autofree char *a = NULL;
    uint64_t p;

    if (!colon || !parse_uint(colon + 1, &p) || p > 65535) {
        return false;
    }
    a = g_strndup(str, colon - str);
    *addr = def;
    if (*a && !inet_aton(a, addr)) {
        return false;
    }
    *port = p;
    return true;
}

static bool slirp_add_fwd(SlirpState *s, const char *rule, struct in_addr guest_def,
                          GError **errp)
{
    g_autofree char *copy = g_strdup(rule);
    char *dash = strchr(copy, '-');
    struct in_addr haddr, gaddr;
    int hport, gport, udp;
    char *host = copy;

    if (g_str_has_prefix(host, "tcp:")) {
        udp = 0;
        host += 4;
    } else if (g_str_has_prefix(host, "udp:")) {
        udp = 1;
        host += 4;
    } else {
        udp = 0;
        host += host[0] == ':';
    }
    if (dash) {
        *dash = '\0';
    }
    if (!dash || !slirp_parse_endpoint(host, (struct in_addr){ INADDR_ANY }, &haddr, &hport) ||
        !slirp_parse_endpoint(dash + 1, guest_def, &gaddr, &gport)) {
        error_setg(errp, "hostfwd=%s: expected tcp|udp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT",
                   rule);
        return false;
    }
    if (slirp_add_hostfwd(s->slirp, udp, haddr, hport, gaddr, gport) < 0) {
        error_setg(errp, "hostfwd=%s: cannot forward host port %d (in use?)", rule, hport);
        return false;
    }
    return true;
}

static bool slirp_init_backend(const char *id, Keyval *kv, GError **errp)
{
    SlirpConfig cfg = { .version = 4, .in_enabled = true };
    const char *netstr = keyval_get(kv, "net");
    struct in_addr net, mask;
    SlirpState *s;

    inet_aton("10.0.2.0", &net);
    inet_aton("255.255.255.0", &mask);
    if (netstr && !slirp_parse_net(netstr, &net, &mask, errp)) {
        return false;
    }
    cfg.vnetwork = net;
    cfg.vnetmask = mask;
    if (!slirp_parse_addr(kv, "host", slirp_host_addr(net, 2), &cfg.vhost, errp) ||
        !slirp_parse_addr(kv, "dns", slirp_host_addr(net, 3), &cfg.vnameserver, errp) ||
        !slirp_parse_addr(kv, "dhcpstart", slirp_host_addr(net, 15), &cfg.vdhcp_start, errp)) {
        return false;
    }
    cfg.vhostname = "kestrel";

    s = g_new0(SlirpState, 1);
    s->slirp = slirp_new(&cfg, &slirp_callbacks, s);
    if (!s->slirp) {
        error_setg(errp, "libslirp could not set up the network");
        g_free(s);
        return false;
    }
    s->src = (SlirpSource *)g_source_new(&slirp_source_funcs, sizeof(SlirpSource));
    s->src->s = s;
    s->src->fds = g_array_new(FALSE, FALSE, sizeof(GPollFD));
    net_client_init(&s->nc, &slirp_info, id, true);
    g_source_attach(&s->src->source, NULL);
    for (guint i = 0; i < kv->pairs->len; i++) {
        KeyvalPair *p = g_ptr_array_index(kv->pairs, i);

        if (!strcmp(p->key, "hostfwd")) {
            p->used = true;
            if (!slirp_add_fwd(s, p->value, cfg.vdhcp_start, errp)) {
                net_client_cleanup(&s->nc);
                return false;
            }
        }
    }
    return true;
}

static void slirp_register(void)
{
    net_backend_register("user", slirp_init_backend);
}
type_init(slirp_register)
