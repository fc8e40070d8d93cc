/*
 * The block layer as devices see it: a BlockBackend is one disk image opened
 * from -drive or -blockdev, looked up by its id (or a -blockdev node-name).
 * Requests are asynchronous; their completion callback runs on the main loop
 * with the BQL held and gets 0 or a negative errno. Offsets and lengths are
 * bytes; a request past the end of the image fails with -EIO, a write to a
 * read-only image with -EROFS. The synchronous calls are for loaders and tests.
 */
#ifndef BLOCK_BLOCK_H
#define BLOCK_BLOCK_H

#include "util/osdep.h"
#include <sys/uio.h>

typedef struct BlockBackend BlockBackend;
typedef struct BlockDriverState BlockDriverState;

/* Called once per request, on the main loop with the BQL held. */
typedef void BlockCompletionFunc(void *opaque, int ret);

/* Request flags. */
enum {
    /* write_zeroes: the range may be deallocated (a hole) instead of written */
    BDRV_REQ_MAY_UNMAP = 1 << 0,
    /* write: the data is on stable storage when the request completes */
    BDRV_REQ_FUA = 1 << 1,
};

/* A -drive id or -blockdev node-name; NULL if there is none. */
BlockBackend *blk_by_id(const char *id);
/*
 * The -drive if=IF_NAME drives ("virtio"), in command-line order. The caller
 * frees the array (g_ptr_array_unref); the BlockBackends stay owned here.
 */
GPtrArray *blk_drives_for_interface(const char *if_name);
/*
 * Claims BLK for device DEV (opaque to the block layer): a second claim fails
 * with "drive 'ID' is already in use by a device".
 */
bool blk_attach_dev(BlockBackend *blk, void *dev, GError **errp);
void blk_detach_dev(BlockBackend *blk, void *dev);

const char *blk_name(BlockBackend *blk);
/* Size in bytes (>= 0), or a negative errno. */
int64_t blk_getlength(BlockBackend *blk);
/* Every backend in creation order, for query-block and info block. */
void blk_foreach(void (*fn)(BlockBackend *blk, void *opaque), void *opaque);
/* The image file and the format driver of the backend's root node. */
const char *blk_filename(BlockBackend *blk);
const char *blk_format_name(BlockBackend *blk);
bool blk_is_read_only(BlockBackend *blk);
/* discard=unmap: a discard really deallocates (otherwise it is a no-op). */
bool blk_supports_discard(BlockBackend *blk);
/* false with cache=writethrough|directsync: every write is then stable on completion. */
bool blk_enable_write_cache(BlockBackend *blk);
/* The smallest I/O size the host storage handles without read-modify-write (512..4096). */
uint32_t blk_get_request_alignment(BlockBackend *blk);

/*
 * Asynchronous requests. IOV stays owned by the caller and must stay valid
 * (as must the buffers) until CB runs. CB may submit further requests.
 */
void blk_aio_preadv(BlockBackend *blk, uint64_t offset, struct iovec *iov, int iovcnt,
                    BlockCompletionFunc *cb, void *opaque);
void blk_aio_pwritev(BlockBackend *blk, uint64_t offset, struct iovec *iov, int iovcnt,
                     int flags, BlockCompletionFunc *cb, void *opaque);
void blk_aio_flush(BlockBackend *blk, BlockCompletionFunc *cb, void *opaque);
void blk_aio_pdiscard(BlockBackend *blk, uint64_t offset, uint64_t bytes,
                      BlockCompletionFunc *cb, void *opaque);
/* FLAGS: BDRV_REQ_MAY_UNMAP (honoured only with discard=unmap). */
void blk_aio_pwrite_zeroes(BlockBackend *blk, uint64_t offset, uint64_t bytes, int flags,
                           BlockCompletionFunc *cb, void *opaque);

/*
 * Between plug and unplug (they nest), requests are collected and handed to
 * the host in one batch at the last unplug: a device brackets one pass over
 * its queue with them.
 */
void blk_io_plug(void);
void blk_io_unplug(void);

/*
 * Waits (holding the BQL, running completions) until every request of BLK
 * has completed; device reset and shutdown use it.
 */
void blk_drain(BlockBackend *blk);
void blk_drain_all(void);

/* Synchronous calls: 0 or a negative errno. Callers hold the BQL. */
int blk_pread(BlockBackend *blk, uint64_t offset, void *buf, size_t bytes);
int blk_pwrite(BlockBackend *blk, uint64_t offset, const void *buf, size_t bytes, int flags);
int blk_flush(BlockBackend *blk);

#endif
