/*
 * What every fd-based backend shares: a flow-controlled reader that watches
 * an fd on the default GMainContext only while the frontend has room, and a
 * writer that pushes a whole buffer out, waiting in poll() when the fd is
 * full and giving up only when the peer is gone.
 */
#include "util/osdep.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <glib-unix.h>
#include "chardev/char-internal.h"

/* One read is bounded by this and by what the frontend says it can take. */
#define CHARDEV_READ_MAX 4096

static gboolean chardev_reader_ready(gint fd, GIOCondition cond, gpointer opaque)
{
    ChardevReader *r = opaque;
    uint8_t buf[CHARDEV_READ_MAX];
    int room = chardev_be_can_read(r->chr);
    ssize_t n;

    if (room <= 0) {
        /* chardev_accept_input() brings the watch back. */
        r->tag = 0;
        return G_SOURCE_REMOVE;
    }
    n = read(fd, buf, MIN(room, (int)sizeof(buf)));
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) {
        return G_SOURCE_CONTINUE;
    }
    if (n <= 0) {
        r->tag = 0;
        r->active = false;
        if (r->eof) {
            r->eof(r->chr);
        }
        return G_SOURCE_REMOVE;
    }
    if (r->deliver) {
        r->deliver(r->chr, buf, n);
    } else {
        chardev_be_read(r->chr, buf, n);
    }
    if (!r->active || chardev_be_can_read(r->chr) <= 0) {
        r->tag = 0;
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

void chardev_reader_init(ChardevReader *r, Chardev *chr, int fd,
                         void (*deliver)(Chardev *chr, const uint8_t *buf, int len),
                         void (*eof)(Chardev *chr))
{
    *r = (ChardevReader) {
        .chr = chr,
        .fd = fd,
        .deliver = deliver,
        .eof = eof,
    };
}

void chardev_reader_update(ChardevReader *r)
{
    if (r->active && !r->tag && chardev_be_can_read(r->chr) > 0) {
        r->tag = g_unix_fd_add(r->fd, G_IO_IN | G_IO_HUP | G_IO_ERR, chardev_reader_ready, r);
    }
}

void chardev_reader_start(ChardevReader *r)
{
    r->active = true;
    chardev_reader_update(r);
}

void chardev_reader_stop(ChardevReader *r)
{
    r->active = false;
    if (r->tag) {
        g_source_remove(r->tag);
        r->tag = 0;
    }
}

int chardev_fd_write_all(int fd, const uint8_t *buf, int len, bool is_socket)
{
    int done = 0;

    while (done < len) {
        ssize_t n = is_socket ? send(fd, buf + done, len - done, MSG_NOSIGNAL)
                              : write(fd, buf + done, len - done);

        if (n > 0) {
            done += n;
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd = { .fd = fd, .events = POLLOUT };

            if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
                break;
            }
            if ((pfd.revents & (POLLHUP | POLLERR | POLLNVAL)) && !(pfd.revents & POLLOUT)) {
                break;      /* full and the reader is gone: it never drains */
            }
            continue;
        }
        break;              /* EPIPE, ECONNRESET, EIO: the peer is gone, drop the rest */
    }
    return done;
}

void chardev_fd_set_nonblock(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC);
}
