/*
 * The pty backend: a new pseudo-terminal whose slave side (/dev/pts/N) a
 * user opens with screen, minicom or a script.
 *
 * Kestrel keeps only the master. While nobody has the slave open the master
 * reports POLLHUP and input is not watched; output goes into the kernel's
 * buffer as far as it fits, so whoever opens the slave later still sees the
 * start of the boot, and the rest is dropped: the guest never waits for a
 * reader that is not there. A connection is noticed on the next guest write
 * or by a 1 s timer, a hang-up by the input watch; the frontend hears
 * OPENED/CLOSED. While connected, output waits for the reader as a serial
 * line with flow control would.
 */
#include "util/osdep.h"
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <termios.h>
#include "chardev/char-internal.h"

#define PTY_POLL_INTERVAL_MS 1000

typedef struct PtyChardev {
    Chardev parent;
    int master;
    bool connected;
    guint poll_tag;          /* connection timer, while disconnected */
    ChardevReader reader;
} PtyChardev;

static void pty_chr_disconnected(Chardev *chr);

/* True when some process has the slave side open. */
static bool pty_chr_slave_open(PtyChardev *p)
{
    struct pollfd pfd = { .fd = p->master, .events = POLLIN };

    return poll(&pfd, 1, 0) >= 0 && !(pfd.revents & POLLHUP);
}

static gboolean pty_chr_poll_timer(gpointer opaque);

static void pty_chr_update_connection(PtyChardev *p)
{
    bool open = pty_chr_slave_open(p);

    if (open == p->connected) {
        return;
    }
    if (open) {
        p->connected = true;
        if (p->poll_tag) {
            g_source_remove(p->poll_tag);
            p->poll_tag = 0;
        }
        chardev_reader_start(&p->reader);
        chardev_be_event(&p->parent, CHR_EVENT_OPENED);
    } else {
        chardev_reader_stop(&p->reader);
        pty_chr_disconnected(&p->parent);
    }
}

static gboolean pty_chr_poll_timer(gpointer opaque)
{
    PtyChardev *p = opaque;

    p->poll_tag = 0;
    pty_chr_update_connection(p);
    if (!p->connected && !p->poll_tag) {
        p->poll_tag = g_timeout_add(PTY_POLL_INTERVAL_MS, pty_chr_poll_timer, p);
    }
    return G_SOURCE_REMOVE;
}

/* The slave was closed (or never opened): drop output, wait for the next user. */
static void pty_chr_disconnected(Chardev *chr)
{
    PtyChardev *p = container_of(chr, PtyChardev, parent);
    bool was_connected = p->connected;

    p->connected = false;
    if (!p->poll_tag) {
        p->poll_tag = g_timeout_add(PTY_POLL_INTERVAL_MS, pty_chr_poll_timer, p);
    }
    if (was_connected) {
        chardev_be_event(chr, CHR_EVENT_CLOSED);
    }
}

static void pty_chr_init(Chardev *chr)
{
    PtyChardev *p = container_of(chr, PtyChardev, parent);

    p->master = -1;
}

static bool pty_chr_open(Chardev *chr, GError **errp)
{
    PtyChardev *p = container_of(chr, PtyChardev, parent);
    struct termios tty;
    char name[256];
    int master, slave;

    if (openpty(&master, &slave, NULL, NULL, NULL) < 0) {
        error_setg_errno(errp, errno, "pty: openpty failed");
        return false;
    }
    p->master = master;
    if (ttyname_r(slave, name, sizeof(name)) != 0) {
        error_setg(errp, "pty: cannot name the new terminal");
        close(slave);
        return false;
    }
    /* Raw on the line discipline itself: whoever opens the slave gets bytes as sent. */
    if (tcgetattr(slave, &tty) == 0) {
        cfmakeraw(&tty);
        tcsetattr(slave, TCSANOW, &tty);
    }
    close(slave);
    chardev_fd_set_nonblock(p->master);
    chr->filename = g_strdup(name);
    fprintf(stderr, "char device redirected to %s (label %s)\n", name, chr->id);
    chardev_reader_init(&p->reader, chr, p->master, NULL, pty_chr_disconnected);
    pty_chr_disconnected(chr);
    return true;
}

/* Queues what the kernel takes without waiting; the rest is dropped. */
static int pty_chr_write_nowait(PtyChardev *p, const uint8_t *buf, int len)
{
    int done = 0;

    while (done < len) {
        ssize_t n = write(p->master, buf + done, len - done);

        if (n > 0) {
            done += n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            break;
        }
    }
    return done;
}

static int pty_chr_write(Chardev *chr, const uint8_t *buf, int len)
{
    PtyChardev *p = container_of(chr, PtyChardev, parent);

    if (!p->connected) {
        pty_chr_update_connection(p);
    }
    if (!p->connected) {
        return pty_chr_write_nowait(p, buf, len);
    }
    return chardev_fd_write_all(p->master, buf, len, false);
}

static void pty_chr_accept_input(Chardev *chr)
{
    PtyChardev *p = container_of(chr, PtyChardev, parent);

    chardev_reader_update(&p->reader);
}

static void pty_chr_finalize(Chardev *chr)
{
    PtyChardev *p = container_of(chr, PtyChardev, parent);

    chardev_reader_stop(&p->reader);
    if (p->poll_tag) {
        g_source_remove(p->poll_tag);
    }
    if (p->master >= 0) {
        close(p->master);
    }
}

const ChardevBackend chardev_backend_pty = {
    .name = "pty",
    .instance_size = sizeof(PtyChardev),
    .init = pty_chr_init,
    .open = pty_chr_open,
    .write = pty_chr_write,
    .accept_input = pty_chr_accept_input,
    .finalize = pty_chr_finalize,
};
chardev_backend_init(chardev_backend_pty)
