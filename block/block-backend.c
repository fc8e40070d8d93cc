/*
 * BlockBackend: what a device holds. It names a root node, validates each
 * request (bounds, overflow, read-only) before any driver sees it, turns
 * writethrough caching into FUA writes, counts the requests in flight so a
 * device can drain them, and offers synchronous calls built on the
 * asynchronous ones. A -blockdev node gets a backend the first time a device
 * asks for it by node-name.
 */
#include "util/osdep.h"
#include <limits.h>
#include "block/block_int.h"
#include "block/blockdev.h"
#include "block/raw-aio.h"

struct BlockBackend {
    char *name;
    char *if_name;              /* -drive if=..., NULL for -blockdev nodes */
    BlockDriverState *root;
    int64_t length;
    bool wce;                   /* write cache on: writes are stable after a flush */
    void *dev;
    unsigned in_flight;
};

typedef struct BlkAioReq {
    BdrvRequest req;
    BlockBackend *blk;
    BlockCompletionFunc *cb;
    void *opaque;
} BlkAioReq;

static GPtrArray *blk_backends;
unsigned blk_io_plug_depth;

BlockBackend *blk_new(const char *name, BlockDriverState *root, bool wce, const char *if_name,
                      GError **errp)
{
    int64_t len = bdrv_getlength(root);
    BlockBackend *blk;

    if (len < 0) {
        error_setg_errno(errp, (int)-len, "'%s': cannot get the image size", root->filename);
        return NULL;
    }
    blk = g_new0(BlockBackend, 1);
    blk->name = g_strdup(name);
    blk->if_name = g_strdup(if_name);
    blk->root = root;
    blk->length = len;
    blk->wce = wce;
    if (!blk_backends) {
        blk_backends = g_ptr_array_new();
    }
    g_ptr_array_add(blk_backends, blk);
    return blk;
}

BlockBackend *blk_by_name(const char *name)
{
    for (guint i = 0; blk_backends && i < blk_backends->len; i++) {
        BlockBackend *blk = g_ptr_array_index(blk_backends, i);
        if (!strcmp(blk->name, name)) {
            return blk;
        }
    }
    return NULL;
}

BlockBackend *blk_by_id(const char *id)
{
    BlockBackend *blk = blk_by_name(id);
    BlockDriverState *bs;

    if (blk) {
        return blk;
    }
    bs = bdrv_find_node(id);
    if (!bs) {
        return NULL;
    }
    blk = blk_new(id, bs, true, NULL, NULL);
    if (blk) {
        bs->refcnt++;
    }
    return blk;
}

GPtrArray *blk_drives_for_interface(const char *if_name)
{
    GPtrArray *list = g_ptr_array_new();

    for (guint i = 0; blk_backends && i < blk_backends->len; i++) {
        BlockBackend *blk = g_ptr_array_index(blk_backends, i);
        if (blk->if_name && !strcmp(blk->if_name, if_name)) {
            g_ptr_array_add(list, blk);
        }
    }
    return list;
}

bool blk_attach_dev(BlockBackend *blk, void *dev, GError **errp)
{
    if (blk->dev) {
        error_setg(errp, "drive '%s' is already in use by a device", blk->name);
        return false;
    }
    blk->dev = dev;
    return true;
}

void blk_detach_dev(BlockBackend *blk, void *dev)
{
    if (blk->dev == dev) {
        blk->dev = NULL;
    }
}

BlockDriverState *blk_bs(BlockBackend *blk)
{
    return blk->root;
}

const char *blk_name(BlockBackend *blk)
{
    return blk->name;
}

void blk_foreach(void (*fn)(BlockBackend *blk, void *opaque), void *opaque)
{
    for (guint i = 0; blk_backends && i < blk_backends->len; i++) {
        fn(g_ptr_array_index(blk_backends, i), opaque);
    }
}

const char *blk_filename(BlockBackend *blk)
{
    return blk->root->filename;
}

const char *blk_format_name(BlockBackend *blk)
{
    return blk->root->drv->format_name;
}

int64_t blk_getlength(BlockBackend *blk)
{
    return blk->length;
}

bool blk_is_read_only(BlockBackend *blk)
{
    return bdrv_is_read_only(blk->root);
}

bool blk_supports_discard(BlockBackend *blk)
{
    return blk->root->open_flags & BDRV_O_UNMAP;
}

bool blk_enable_write_cache(BlockBackend *blk)
{
    return blk->wce;
}

uint32_t blk_get_request_alignment(BlockBackend *blk)
{
    return MAX(blk->root->request_alignment, 512);
}

void blk_io_plug(void)
{
    blk_io_plug_depth++;
}

void blk_io_unplug(void)
{
    g_assert(blk_io_plug_depth > 0);
    if (--blk_io_plug_depth == 0) {
        blk_uring_flush();
    }
}

/* ---- requests ---- */

/* 0, or why the request must not reach a driver. */
static int blk_check_request(BlockBackend *blk, BdrvOp op, uint64_t offset, uint64_t *bytes,
                             const struct iovec *iov, int iovcnt)
{
    if (op == BDRV_OP_READ || op == BDRV_OP_WRITE) {
        uint64_t sum = 0;
        if (iovcnt < 0 || (iovcnt && !iov)) {
            return -EINVAL;
        }
        for (int i = 0; i < iovcnt; i++) {
            if (iov[i].iov_len > UINT64_MAX - sum) {
                return -EINVAL;
            }
            sum += iov[i].iov_len;
        }
        *bytes = sum;
    }
    if (op != BDRV_OP_READ && op != BDRV_OP_FLUSH && blk_is_read_only(blk)) {
        return -EROFS;
    }
    if (op != BDRV_OP_FLUSH &&
        (offset > (uint64_t)blk->length || *bytes > (uint64_t)blk->length - offset)) {
        return -EIO;
    }
    return 0;
}

static void blk_aio_req_done(void *opaque, int ret)
{
    BlkAioReq *r = opaque;
    BlockCompletionFunc *cb = r->cb;
    void *cb_opaque = r->opaque;

    r->blk->in_flight--;
    g_free(r);
    cb(cb_opaque, ret);
}

static void blk_aio_submit(BlockBackend *blk, BdrvOp op, uint64_t offset, uint64_t bytes,
                           struct iovec *iov, int iovcnt, int flags,
                           BlockCompletionFunc *cb, void *opaque)
{
    BlkAioReq *r = g_new0(BlkAioReq, 1);
    int ret;

    r->blk = blk;
    r->cb = cb;
    r->opaque = opaque;
    r->req.op = op;
    r->req.offset = offset;
    r->req.iov = iov;
    r->req.iovcnt = iovcnt;
    r->req.cb = blk_aio_req_done;
    r->req.opaque = r;
    blk->in_flight++;

    ret = blk_check_request(blk, op, offset, &bytes, iov, iovcnt);
    r->req.bytes = bytes;
    if (ret < 0 || (op == BDRV_OP_DISCARD && !blk_supports_discard(blk)) ||
        (bytes == 0 && op != BDRV_OP_FLUSH)) {
        bdrv_complete_later(&r->req, ret);
        return;
    }
    if ((op == BDRV_OP_WRITE || op == BDRV_OP_WRITE_ZEROES) && !blk->wce) {
        flags |= BDRV_REQ_FUA;
    }
    r->req.flags = flags & (BDRV_REQ_FUA | BDRV_REQ_MAY_UNMAP);
    bdrv_submit(blk->root, &r->req);
}

void blk_aio_preadv(BlockBackend *blk, uint64_t offset, struct iovec *iov, int iovcnt,
                    BlockCompletionFunc *cb, void *opaque)
{
    blk_aio_submit(blk, BDRV_OP_READ, offset, 0, iov, iovcnt, 0, cb, opaque);
}

void blk_aio_pwritev(BlockBackend *blk, uint64_t offset, struct iovec *iov, int iovcnt,
                     int flags, BlockCompletionFunc *cb, void *opaque)
{
    blk_aio_submit(blk, BDRV_OP_WRITE, offset, 0, iov, iovcnt, flags, cb, opaque);
}

void blk_aio_flush(BlockBackend *blk, BlockCompletionFunc *cb, void *opaque)
{
    blk_aio_submit(blk, BDRV_OP_FLUSH, 0, 0, NULL, 0, 0, cb, opaque);
}

void blk_aio_pdiscard(BlockBackend *blk, uint64_t offset, uint64_t bytes,
                      BlockCompletionFunc *cb, void *opaque)
{
    blk_aio_submit(blk, BDRV_OP_DISCARD, offset, bytes, NULL, 0, 0, cb, opaque);
}

void blk_aio_pwrite_zeroes(BlockBackend *blk, uint64_t offset, uint64_t bytes, int flags,
                           BlockCompletionFunc *cb, void *opaque)
{
    blk_aio_submit(blk, BDRV_OP_WRITE_ZEROES, offset, bytes, NULL, 0, flags, cb, opaque);
}

void blk_drain(BlockBackend *blk)
{
    while (blk->in_flight) {
        blk_aio_poll(true);
    }
}

void blk_drain_all(void)
{
    while (blk_aio_in_flight()) {
        blk_aio_poll(true);
    }
}

/* ---- synchronous calls ---- */

typedef struct BlkSyncState {
    bool done;
    int ret;
} BlkSyncState;

static void blk_sync_done(void *opaque, int ret)
{
    BlkSyncState *st = opaque;

    st->done = true;
    st->ret = ret;
}

static int blk_sync_wait(BlkSyncState *st)
{
    while (!st->done) {
        blk_aio_poll(true);
    }
    return st->ret;
}

int blk_pread(BlockBackend *blk, uint64_t offset, void *buf, size_t bytes)
{
    struct iovec iov = { .iov_base = buf, .iov_len = bytes };
    BlkSyncState st = { 0 };

    blk_aio_preadv(blk, offset, &iov, 1, blk_sync_done, &st);
    return blk_sync_wait(&st);
}

int blk_pwrite(BlockBackend *blk, uint64_t offset, const void *buf, size_t bytes, int flags)
{
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = bytes };
    BlkSyncState st = { 0 };

    blk_aio_pwritev(blk, offset, &iov, 1, flags, blk_sync_done, &st);
    return blk_sync_wait(&st);
}

int blk_flush(BlockBackend *blk)
{
    BlkSyncState st = { 0 };

    blk_aio_flush(blk, blk_sync_done, &st);
    return blk_sync_wait(&st);
}

void blk_close_all(void)
{
    blk_drain_all();
    for (guint i = 0; blk_backends && i < blk_backends->len; i++) {
        BlockBackend *blk = g_ptr_array_index(blk_backends, i);
        if (!blk_is_read_only(blk)) {
            blk_flush(blk);
        }
        bdrv_unref(blk->root);
        g_free(blk->name);
        g_free(blk->if_name);
        g_free(blk);
    }
    g_clear_pointer(&blk_backends, g_ptr_array_unref);
}
