/*
 * The pipe backend: named pipes (FIFOs) made by the user. With PATH.in and
 * PATH.out both present the guest reads PATH.in and writes PATH.out;
 * otherwise PATH serves both ways. The FIFOs are opened read-write so that
 * opening never blocks waiting for the other side and the reader never sees
 * end-of-file when a writer comes and goes.
 */
#include "util/osdep.h"
#include <fcntl.h>
#include "chardev/char-internal.h"

typedef struct PipeChardev {
    Chardev parent;
    char *path;
    int fd_in;
    int fd_out;
    ChardevReader reader;
} PipeChardev;

static void pipe_chr_init(Chardev *chr)
{
    PipeChardev *p = container_of(chr, PipeChardev, parent);

    p->fd_in = p->fd_out = -1;
}

static bool pipe_chr_parse(Chardev *chr, Keyval *kv, GError **errp)
{
    PipeChardev *p = container_of(chr, PipeChardev, parent);
    const char *path = keyval_get(kv, "path");

    if (!path || !*path) {
        error_setg(errp, "pipe: parameter 'path' is missing");
        return false;
    }
    p->path = g_strdup(path);
    return true;
}

static bool pipe_chr_open(Chardev *chr, GError **errp)
{
    PipeChardev *p = container_of(chr, PipeChardev, parent);
    g_autofree char *in = g_strdup_printf("%s.in", p->path);
    g_autofree char *out = g_strdup_printf("%s.out", p->path);

    p->fd_in = open(in, O_RDWR | O_CLOEXEC);
    p->fd_out = open(out, O_RDWR | O_CLOEXEC);
    if (p->fd_in < 0 || p->fd_out < 0) {
        if (p->fd_in >= 0) {
            close(p->fd_in);
        }
        if (p->fd_out >= 0) {
            close(p->fd_out);
        }
        p->fd_in = p->fd_out = open(p->path, O_RDWR | O_CLOEXEC);
        if (p->fd_in < 0) {
            error_setg_errno(errp, errno, "pipe: cannot open '%s' (nor '%s' and '%s')",
                             p->path, in, out);
            return false;
        }
    }
    chardev_fd_set_nonblock(p->fd_in);
    chardev_fd_set_nonblock(p->fd_out);
    chr->filename = g_strdup(p->path);
    chr->be_open = true;
    /* End of file only comes from a regular file given as PATH: then input simply ends. */
    chardev_reader_init(&p->reader, chr, p->fd_in, NULL, NULL);
    chardev_reader_start(&p->reader);
    return true;
}

static int pipe_chr_write(Chardev *chr, const uint8_t *buf, int len)
{
    PipeChardev *p = container_of(chr, PipeChardev, parent);

    return chardev_fd_write_all(p->fd_out, buf, len, false);
}

static void pipe_chr_accept_input(Chardev *chr)
{
    PipeChardev *p = container_of(chr, PipeChardev, parent);

    chardev_reader_update(&p->reader);
}

static void pipe_chr_finalize(Chardev *chr)
{
    PipeChardev *p = container_of(chr, PipeChardev, parent);

    chardev_reader_stop(&p->reader);
    if (p->fd_out >= 0 && p->fd_out != p->fd_in) {
        close(p->fd_out);
    }
    if (p->fd_in >= 0) {
        close(p->fd_in);
    }
    g_free(p->path);
}

const ChardevBackend chardev_backend_pipe = {
    .name = "pipe",
    .instance_size = sizeof(PipeChardev),
    .init = pipe_chr_init,
    .parse = pipe_chr_parse,
    .open = pipe_chr_open,
    .write = pipe_chr_write,
    .accept_input = pipe_chr_accept_input,
    .finalize = pipe_chr_finalize,
};
chardev_backend_init(chardev_backend_pipe)
