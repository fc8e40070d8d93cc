/*
 * The host I/O engines under the file protocol driver: a pool of worker
 * threads running blocking jobs, and io_uring (when built with liburing).
 * Both report to the main loop through one eventfd: a finished job's
 * completion function runs there with the BQL held. blk_aio_poll() runs
 * completions outside the main loop (synchronous calls, drains).
 */
#ifndef BLOCK_RAW_AIO_H
#define BLOCK_RAW_AIO_H

#include "util/osdep.h"

typedef struct BlkAioJob BlkAioJob;
struct BlkAioJob {
    int (*run)(BlkAioJob *job);                 /* worker thread: the blocking work */
    void (*complete)(BlkAioJob *job, int ret);  /* main loop, BQL held */
    int ret;
};

/* Runs JOB->run on a worker thread, then JOB->complete on the main loop. */
void blk_aio_pool_submit(BlkAioJob *job);
/* Queues JOB->complete(JOB, RET) for the main loop: a job that needs no I/O. */
void blk_aio_complete_later(BlkAioJob *job, int ret);
/* Jobs submitted whose completion has not run yet. */
unsigned blk_aio_in_flight(void);
/*
 * Runs the completions that are ready; with BLOCKING, first waits until
 * there is one (only when something is in flight). Caller holds the BQL.
 */
void blk_aio_poll(bool blocking);

/* The completion eventfd the io_uring engine signals. */
int blk_aio_notifier_fd(void);
/* For the io_uring engine: account a job it took and a job it finished. */
void blk_aio_job_started(void);
void blk_aio_job_finished(BlkAioJob *job, int ret);

/* io_uring: an asynchronous read/write/fdatasync of FD. */
typedef enum BlkUringOp { BLK_URING_READ, BLK_URING_WRITE, BLK_URING_FSYNC } BlkUringOp;

typedef struct BlkUringReq {
    BlkAioJob job;
    BlkUringOp op;
    int fd;
    uint64_t offset;
    struct iovec *iov;          /* the engine's own copy, advanced on short transfers */
    int iovcnt;
    uint64_t remaining;
    int rw_flags;               /* RWF_DSYNC for FUA writes */
    bool short_read_is_eof;     /* O_DIRECT: a short read means EOF */
} BlkUringReq;

/* false with a message when liburing is missing or the kernel refuses io_uring. */
bool blk_uring_init(GError **errp);
/* REQ->iov must be owned by REQ's user until completion; the engine advances it. */
void blk_uring_submit(BlkUringReq *req);
/* Submits what is queued (at the last blk_io_unplug, or before waiting). */
void blk_uring_flush(void);
/* Reaps finished io_uring requests (called by blk_aio_poll). */
void blk_uring_reap(void);
/* Non-zero between blk_io_plug() and the last blk_io_unplug(). */
extern unsigned blk_io_plug_depth;

#endif
