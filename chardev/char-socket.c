/*
 * The socket backend: a unix (path=) or TCP (host=, port=) stream socket.
 *
 * As a server (server=on) it listens and serves one client at a time: while
 * a client is connected the listening socket is not watched, so others wait
 * in the backlog until it leaves. wait=on (the default for servers) blocks
 * creation until the first client arrives. As a client (server=off) it
 * connects once at creation. Output while nobody is connected is dropped,
 * as on an unplugged cable. The frontend hears OPENED/CLOSED as clients come
 * and go, may write without waiting (the monitor) and may drop the client.
 * A unix socket file the server created is removed at cleanup.
 */
#include "util/osdep.h"
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <glib-unix.h>
#include "chardev/char-internal.h"

typedef struct SocketChardev {
    Chardev parent;
    char *path;              /* unix socket, or NULL for TCP */
    char *host;              /* TCP; NULL: any address (server) / loopback (client) */
    char *port;
    bool server;
    bool wait;
    int listen_fd;
    guint listen_tag;        /* watch for the next client, while none is connected */
    int fd;                  /* the connection, -1 when none */
    guint out_tag;           /* wait_writable watch on fd */
    void (*out_fn)(void *opaque);
    void *out_opaque;
    bool unlink_path;        /* the server created the socket file */
    ChardevReader reader;
} SocketChardev;

static void socket_chr_init(Chardev *chr)
{
    SocketChardev *s = container_of(chr, SocketChardev, parent);

    s->listen_fd = s->fd = -1;
}

static bool socket_chr_parse(Chardev *chr, Keyval *kv, GError **errp)
{
    SocketChardev *s = container_of(chr, SocketChardev, parent);
    const char *path = keyval_get(kv, "path");
    const char *host = keyval_get(kv, "host");
    const char *port = keyval_get(kv, "port");
    bool has_wait = keyval_has(kv, "wait");

    if (!keyval_get_bool(kv, "server", false, &s->server, errp) ||
        !keyval_get_bool(kv, "wait", true, &s->wait, errp)) {
        return false;
    }
    if (has_wait && !s->server) {
        error_setg(errp, "socket: 'wait' only applies to server=on");
        return false;
    }
    if (path && (host || port)) {
        error_setg(errp, "socket: give either 'path' (unix) or 'host'/'port' (tcp), not both");
        return false;
    }
    if (path ? !*path : (!port || !*port)) {
        error_setg(errp, "socket: needs 'path' (unix) or 'port' (tcp)");
        return false;
    }
    s->path = g_strdup(path);
    s->host = host && *host ? g_strdup(host) : NULL;
    s->port = g_strdup(port);
    return true;
}

/* "tcp:ADDR:PORT" of the socket's local (server) or peer (client) address. */
static char *socket_chr_tcp_name(int fd, bool local)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    int ret = local ? getsockname(fd, (struct sockaddr *)&ss, &len)
                    : getpeername(fd, (struct sockaddr *)&ss, &len);

    if (ret < 0 || getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), serv,
                               sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        return g_strdup("tcp:?");
    }
    return g_strdup_printf(strchr(host, ':') ? "tcp:[%s]:%s" : "tcp:%s:%s", host, serv);
}

static void socket_chr_disconnect(Chardev *chr);
static gboolean socket_chr_accept_ready(gint fd, GIOCondition cond, gpointer opaque);

static void socket_chr_connected(SocketChardev *s, int fd)
{
    int one = 1;

    chardev_fd_set_nonblock(fd);
    if (!s->path) {
        /* Console traffic is interactive: no Nagle delay on keystrokes and echoes. */
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    s->fd = fd;
    chardev_reader_init(&s->reader, &s->parent, fd, NULL, socket_chr_disconnect);
    chardev_reader_start(&s->reader);
    chardev_be_event(&s->parent, CHR_EVENT_OPENED);
}

static void socket_chr_listen_for_client(SocketChardev *s)
{
    s->listen_tag = g_unix_fd_add(s->listen_fd, G_IO_IN, socket_chr_accept_ready, s);
}

static void socket_chr_cancel_out_watch(SocketChardev *s)
{
    if (s->out_tag) {
        g_source_remove(s->out_tag);
        s->out_tag = 0;
    }
}

/*
 * The client left (end of file or error on read) or the frontend dropped it:
 * close and serve the next one.
 */
static void socket_chr_disconnect(Chardev *chr)
{
    SocketChardev *s = container_of(chr, SocketChardev, parent);

    if (s->fd < 0) {
        return;
    }
    socket_chr_cancel_out_watch(s);
    chardev_reader_stop(&s->reader);
    close(s->fd);
    s->fd = -1;
    chardev_be_event(chr, CHR_EVENT_CLOSED);
    if (s->server) {
        socket_chr_listen_for_client(s);
    }
}

static bool socket_chr_accept(SocketChardev *s)
{
    int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);

    if (fd < 0) {
        return false;   /* the client gave up between poll and accept */
    }
    socket_chr_connected(s, fd);
    return true;
}

static gboolean socket_chr_accept_ready(gint fd, GIOCondition cond, gpointer opaque)
{
    SocketChardev *s = opaque;

    if (!socket_chr_accept(s)) {
        return G_SOURCE_CONTINUE;
    }
    s->listen_tag = 0;
    return G_SOURCE_REMOVE;
}

static bool socket_chr_unix_addr(SocketChardev *s, struct sockaddr_un *sa, GError **errp)
{
    *sa = (struct sockaddr_un) { .sun_family = AF_UNIX };
    if (strlen(s->path) >= sizeof(sa->sun_path)) {
        error_setg(errp, "socket: path '%s' is too long for a unix socket", s->path);
        return false;
    }
    strcpy(sa->sun_path, s->path);
    return true;
}

static bool socket_chr_listen_unix(SocketChardev *s, GError **errp)
{
    struct sockaddr_un sa;
    struct stat st;

    if (!socket_chr_unix_addr(s, &sa, errp)) {
        return false;
    }
    s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s->listen_fd < 0) {
        error_setg_errno(errp, errno, "socket: cannot create a unix socket");
        return false;
    }
    /* A socket file left by an earlier run would make bind fail; other files are kept. */
    if (lstat(s->path, &st) == 0 && S_ISSOCK(st.st_mode)) {
        unlink(s->path);
    }
    if (bind(s->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        error_setg_errno(errp, errno, "socket: cannot bind to '%s'", s->path);
        return false;
    }
    s->unlink_path = true;
    if (listen(s->listen_fd, 1) < 0) {
        error_setg_errno(errp, errno, "socket: cannot listen on '%s'", s->path);
        return false;
    }
    s->parent.filename = g_strdup_printf("unix:%s,server=on", s->path);
    return true;
}

static struct addrinfo *socket_chr_resolve(SocketChardev *s, GError **errp)
{
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC,
        .ai_socktype = SOCK_STREAM,
        .ai_flags = s->server ? AI_PASSIVE : 0,
    };
    struct addrinfo *res;
    int ret = getaddrinfo(s->host, s->port, &hints, &res);

    if (ret != 0) {
        error_setg(errp, "socket: cannot resolve '%s:%s': %s", s->host ? s->host : "",
                   s->port, gai_strerror(ret));
        return NULL;
    }
    return res;
}

static bool socket_chr_listen_tcp(SocketChardev *s, GError **errp)
{
    struct addrinfo *res = socket_chr_resolve(s, errp);
    g_autofree char *name = NULL;
    int err = 0;

    if (!res) {
        return false;
    }
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        int one = 1;

        if (fd < 0) {
            err = errno;
            continue;
        }
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1) == 0) {
            s->listen_fd = fd;
            break;
        }
        err = errno;
        close(fd);
    }
    freeaddrinfo(res);
    if (s->listen_fd < 0) {
        error_setg_errno(errp, err, "socket: cannot listen on '%s:%s'",
                         s->host ? s->host : "", s->port);
        return false;
    }
    name = socket_chr_tcp_name(s->listen_fd, true);
    s->parent.filename = g_strdup_printf("%s,server=on", name);
    return true;
}

/* wait=on: block until the first client connects. */
static bool socket_chr_wait_for_client(SocketChardev *s, GError **errp)
{
    fprintf(stderr, "kestrel waiting for connection on: disconnected:%s\n", s->parent.filename);
    for (;;) {
        struct pollfd pfd = { .fd = s->listen_fd, .events = POLLIN };

        if (poll(&pfd, 1, -1) < 0) {
            /* Only termination signals have handlers here: give up, do not swallow them. */
            error_setg_errno(errp, errno, "socket: interrupted while waiting for a client");
            return false;
        }
        if (socket_chr_accept(s)) {
            return true;
        }
    }
}

static bool socket_chr_connect(SocketChardev *s, GError **errp)
{
    int fd = -1, err = 0;

    if (s->path) {
        struct sockaddr_un sa;

        if (!socket_chr_unix_addr(s, &sa, errp)) {
            return false;
        }
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            err = errno;
        } else if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
            err = errno;
            close(fd);
            fd = -1;
        }
        s->parent.filename = g_strdup_printf("unix:%s", s->path);
    } else {
        struct addrinfo *res = socket_chr_resolve(s, errp);

        if (!res) {
            return false;
        }
        for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
            fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
            if (fd < 0) {
                err = errno;
            } else if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
                err = errno;
                close(fd);
                fd = -1;
            }
        }
        freeaddrinfo(res);
        if (fd >= 0) {
            s->parent.filename = socket_chr_tcp_name(fd, false);
        }
    }
    if (fd < 0) {
        error_setg_errno(errp, err, "socket: cannot connect to '%s'",
                         s->path ? s->path : s->port);
        return false;
    }
    socket_chr_connected(s, fd);
    return true;
}

static bool socket_chr_open(Chardev *chr, GError **errp)
{
    SocketChardev *s = container_of(chr, SocketChardev, parent);

    if (!s->server) {
        return socket_chr_connect(s, errp);
    }
    if (!(s->path ? socket_chr_listen_unix(s, errp) : socket_chr_listen_tcp(s, errp))) {
        return false;
    }
    chardev_fd_set_nonblock(s->listen_fd);
    if (s->wait) {
        return socket_chr_wait_for_client(s, errp);
    }
    socket_chr_listen_for_client(s);
    return true;
}

static int socket_chr_write(Chardev *chr, const uint8_t *buf, int len)
{
    SocketChardev *s = container_of(chr, SocketChardev, parent);

    if (s->fd < 0) {
        return 0;
    }
    /* A reset connection drops the rest; the reader notices the hang-up. */
    return chardev_fd_write_all(s->fd, buf, len, true);
}

static int socket_chr_write_nonblock(Chardev *chr, const uint8_t *buf, int len)
{
    SocketChardev *s = container_of(chr, SocketChardev, parent);

    if (s->fd < 0) {
        return -1;
    }
    for (;;) {
        ssize_t n = send(s->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);

        if (n >= 0) {
            return n;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return 0;
        }
        if (errno != EINTR) {
            return -1;   /* the reader notices the hang-up and disconnects */
        }
    }
}

static gboolean socket_chr_writable(gint fd, GIOCondition cond, gpointer opaque)
{
    SocketChardev *s = opaque;

    s->out_tag = 0;
    s->out_fn(s->out_opaque);
    return G_SOURCE_REMOVE;
}

static bool socket_chr_wait_writable(Chardev *chr, void (*fn)(void *opaque), void *opaque)
{
    SocketChardev *s = container_of(chr, SocketChardev, parent);

    if (s->fd < 0) {
        return false;
    }
    socket_chr_cancel_out_watch(s);
    s->out_fn = fn;
    s->out_opaque = opaque;
    s->out_tag = g_unix_fd_add(s->fd, G_IO_OUT | G_IO_ERR | G_IO_HUP, socket_chr_writable, s);
    return true;
}

static void socket_chr_accept_input(Chardev *chr)
{
    SocketChardev *s = container_of(chr, SocketChardev, parent);

    chardev_reader_update(&s->reader);
}

static void socket_chr_cleanup(Chardev *chr)
{
    SocketChardev *s = container_of(chr, SocketChardev, parent);

    if (s->unlink_path) {
        unlink(s->path);
        s->unlink_path = false;
    }
}

static void socket_chr_finalize(Chardev *chr)
{
    SocketChardev *s = container_of(chr, SocketChardev, parent);

    socket_chr_cleanup(chr);
    socket_chr_cancel_out_watch(s);
    chardev_reader_stop(&s->reader);
    if (s->listen_tag) {
        g_source_remove(s->listen_tag);
    }
    if (s->fd >= 0) {
        close(s->fd);
    }
    if (s->listen_fd >= 0) {
        close(s->listen_fd);
    }
    g_free(s->path);
    g_free(s->host);
    g_free(s->port);
}

const ChardevBackend chardev_backend_socket = {
    .name = "socket",
    .instance_size = sizeof(SocketChardev),
    .init = socket_chr_init,
    .parse = socket_chr_parse,
    .open = socket_chr_open,
    .write = socket_chr_write,
    .write_nonblock = socket_chr_write_nonblock,
    .wait_writable = socket_chr_wait_writable,
    .disconnect = socket_chr_disconnect,
    .accept_input = socket_chr_accept_input,
    .cleanup = socket_chr_cleanup,
    .finalize = socket_chr_finalize,
};
chardev_backend_init(chardev_backend_socket)
