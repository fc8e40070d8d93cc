/*
 * The null backend: output vanishes, input never comes. Used for "-serial
 * null" and for ports that must exist but go nowhere.
 */
#include "util/osdep.h"
#include "chardev/char-internal.h"

static bool null_chr_open(Chardev *chr, GError **errp)
{
    chr->filename = g_strdup("null");
    chr->be_open = true;
    return true;
}

static int null_chr_write(Chardev *chr, const uint8_t *buf, int len)
{
    return len;
}

const ChardevBackend chardev_backend_null = {
    .name = "null",
    .instance_size = sizeof(Chardev),
    .open = null_chr_open,
    .write = null_chr_write,
};
chardev_backend_init(chardev_backend_null)
