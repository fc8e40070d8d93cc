/*
 * The file backend: guest output is written to a file (created, truncated
 * unless append=on). Output only; the guest never receives input from it.
 */
#include "util/osdep.h"
#include <fcntl.h>
#include "chardev/char-internal.h"

typedef struct FileChardev {
    Chardev parent;
    char *path;
    bool append;
    int fd;
} FileChardev;

static void file_chr_init(Chardev *chr)
{
    FileChardev *f = container_of(chr, FileChardev, parent);

    f->fd = -1;
}

static bool file_chr_parse(Chardev *chr, Keyval *kv, GError **errp)
{
    FileChardev *f = container_of(chr, FileChardev, parent);
    const char *path = keyval_get(kv, "path");

    if (!keyval_get_bool(kv, "append", false, &f->append, errp)) {
        return false;
    }
    if (!path || !*path) {
        error_setg(errp, "file: parameter 'path' is missing");
        return false;
    }
    f->path = g_strdup(path);
    return true;
}

static bool file_chr_open(Chardev *chr, GError **errp)
{
    FileChardev *f = container_of(chr, FileChardev, parent);
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (f->append ? O_APPEND : O_TRUNC);

    f->fd = open(f->path, flags, 0666);
    if (f->fd < 0) {
        error_setg_errno(errp, errno, "file: cannot open '%s'", f->path);
        return false;
    }
    chr->filename = g_strdup(f->path);
    chr->be_open = true;
    return true;
}

static int file_chr_write(Chardev *chr, const uint8_t *buf, int len)
{
    FileChardev *f = container_of(chr, FileChardev, parent);

    return chardev_fd_write_all(f->fd, buf, len, false);
}

static void file_chr_finalize(Chardev *chr)
{
    FileChardev *f = container_of(chr, FileChardev, parent);

    if (f->fd >= 0) {
        close(f->fd);
    }
    g_free(f->path);
}

const ChardevBackend chardev_backend_file = {
    .name = "file",
    .instance_size = sizeof(FileChardev),
    .init = file_chr_init,
    .parse = file_chr_parse,
    .open = file_chr_open,
    .write = file_chr_write,
    .finalize = file_chr_finalize,
};
chardev_backend_init(chardev_backend_file)
