/*
 * The "raw" format driver: the image is the guest's disk byte for byte, so
 * every request goes unchanged to the "file" child. When the format was
 * probed rather than given, a write to the first sector that would make the
 * image look like another format is refused (-EPERM): otherwise a guest could
 * turn its disk into, say, a qcow2 header naming a host file as backing image
 * the next time the image is probed.
 */
#include "util/osdep.h"
#include "block/block_int.h"

#define RAW_PROBE_BYTES 512

static int raw_probe(const uint8_t *buf, size_t len, const char *filename)
{
    return 1;   /* anything is a raw image, as a last resort */
}

static bool raw_open(BlockDriverState *bs, BdrvOpenOpts *opts, GError **errp)
{
    bs->file = bdrv_open_child(bs, opts, errp);
    if (!bs->file) {
        return false;
    }
    bs->filename = g_strdup(bs->file->filename);
    bs->request_alignment = bs->file->request_alignment;
    return true;
}

/* Whether the new first sector written by REQ would probe as a format other than raw. */
static bool raw_write_changes_format(BdrvRequest *req)
{
    uint8_t buf[RAW_PROBE_BYTES] = { 0 };
    size_t len = MIN(req->bytes, RAW_PROBE_BYTES - req->offset);
    size_t done = 0;
    const BlockDriver *drv;

    for (int i = 0; i < req->iovcnt && done < len; i++) {
        size_t n = MIN(req->iov[i].iov_len, len - done);
        memcpy(buf + req->offset + done, req->iov[i].iov_base, n);
        done += n;
    }
    drv = bdrv_probe_format(buf, sizeof(buf), NULL);
    return drv && strcmp(drv->format_name, "raw") != 0;
}

static void raw_submit(BlockDriverState *bs, BdrvRequest *req)
{
    if (bs->probed && req->op == BDRV_OP_WRITE && req->offset < RAW_PROBE_BYTES &&
        raw_write_changes_format(req)) {
        bdrv_complete_later(req, -EPERM);
        return;
    }
    bdrv_submit(bs->file, req);
}

/* Synchronous requests (a raw backing image of a qcow2 overlay): the same check. */
static int raw_pio(BlockDriverState *bs, BdrvRequest *req)
{
    if (bs->probed && req->op == BDRV_OP_WRITE && req->offset < RAW_PROBE_BYTES &&
        raw_write_changes_format(req)) {
        return -EPERM;
    }
    return bdrv_pio(bs->file, req);
}

const BlockDriver bdrv_raw = {
    .format_name = "raw",
    .bdrv_probe = raw_probe,
    .bdrv_open = raw_open,
    .bdrv_submit = raw_submit,
    .bdrv_pio = raw_pio,
};

block_init(bdrv_raw)
