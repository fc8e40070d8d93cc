/*
 * The io_uring I/O engine (aio=io_uring): one ring per process whose
 * completions signal the block layer's eventfd, so they are reaped on the
 * main loop like the thread pool's. Requests beyond the ring's depth wait in
 * a queue; short transfers are resubmitted for the rest (a short read at EOF
 * reads zeros). Between blk_io_plug() and blk_io_unplug() submissions are
 * batched into one io_uring_enter. Without liburing, aio=io_uring is an error.
 */
#include "util/osdep.h"
#include "block/raw-aio.h"

#ifdef CONFIG_LIBURING
#include <liburing.h>

#define BLK_URING_DEPTH 256

static struct io_uring blk_ring;
static bool blk_ring_ready;
static unsigned blk_ring_in_flight;     /* SQEs handed out and not yet reaped */
static GQueue blk_ring_waiting = G_QUEUE_INIT;

bool blk_uring_init(GError **errp)
{
    int ret;

    if (blk_ring_ready) {
        return true;
    }
    ret = io_uring_queue_init(BLK_URING_DEPTH, &blk_ring, 0);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "aio=io_uring: the kernel refused to set up io_uring");
        return false;
    }
    ret = io_uring_register_eventfd(&blk_ring, blk_aio_notifier_fd());
    if (ret < 0) {
        io_uring_queue_exit(&blk_ring);
        error_setg_errno(errp, -ret, "aio=io_uring: cannot register the completion eventfd");
        return false;
    }
    blk_ring_ready = true;
    return true;
}

/* Moves waiting requests into free SQEs, as many as the ring has room for. */
static void blk_uring_fill(void)
{
    BlkUringReq *req;
    struct io_uring_sqe *sqe;

    while (blk_ring_in_flight < BLK_URING_DEPTH && (req = g_queue_peek_head(&blk_ring_waiting))) {
        sqe = io_uring_get_sqe(&blk_ring);
        if (!sqe) {
            break;
        }
        g_queue_pop_head(&blk_ring_waiting);
        switch (req->op) {
        case BLK_URING_READ:
            io_uring_prep_readv(sqe, req->fd, req->iov, req->iovcnt, req->offset);
            break;
        case BLK_URING_WRITE:
            io_uring_prep_writev(sqe, req->fd, req->iov, req->iovcnt, req->offset);
            sqe->rw_flags = req->rw_flags;
            break;
        case BLK_URING_FSYNC:
            io_uring_prep_fsync(sqe, req->fd, IORING_FSYNC_DATASYNC);
            break;
        }
        io_uring_sqe_set_data(sqe, req);
        blk_ring_in_flight++;
    }
}

void blk_uring_flush(void)
{
    int ret;

    if (!blk_ring_ready) {
        return;
    }
    blk_uring_fill();
    do {
        ret = io_uring_submit(&blk_ring);
    } while (ret == -EINTR || ret == -EAGAIN);
    if (ret < 0) {
        g_error("block: io_uring_submit: %s", g_strerror(-ret));
    }
}

void blk_uring_submit(BlkUringReq *req)
{
    blk_aio_job_started();
    g_queue_push_tail(&blk_ring_waiting, req);
    if (!blk_io_plug_depth) {
        blk_uring_flush();
    }
}

/* Drops the first DONE bytes of REQ's iovec; true if anything is left. */
static bool blk_uring_advance(BlkUringReq *req, uint64_t done)
{
    req->offset += done;
    req->remaining -= done;
    while (req->iovcnt && done >= req->iov->iov_len) {
        done -= req->iov->iov_len;
        req->iov++;
        req->iovcnt--;
    }
    if (req->iovcnt) {
        req->iov->iov_base = (char *)req->iov->iov_base + done;
        req->iov->iov_len -= done;
    }
    return req->remaining > 0;
}

static void blk_uring_zero_rest(BlkUringReq *req)
{
    for (int i = 0; i < req->iovcnt; i++) {
        memset(req->iov[i].iov_base, 0, req->iov[i].iov_len);
    }
}

/* The result of one CQE: true when REQ is finished with *RET. */
static bool blk_uring_finish_cqe(BlkUringReq *req, int res, int *ret)
{
    if (res == -EINTR || res == -EAGAIN) {
        return false;
    }
    if (res < 0) {
        *ret = res;
        return true;
    }
    *ret = 0;
    if (req->op == BLK_URING_FSYNC) {
        return true;
    }
    if (res == 0 || (req->op == BLK_URING_READ && req->short_read_is_eof &&
                     (uint64_t)res < req->remaining)) {
        if (req->op == BLK_URING_WRITE) {
            *ret = -EIO;
            return true;
        }
        blk_uring_advance(req, res);
        blk_uring_zero_rest(req);
        return true;
    }
    return !blk_uring_advance(req, res);
}

void blk_uring_reap(void)
{
    struct io_uring_cqe *cqe;
    GQueue finished = G_QUEUE_INIT;
    BlkUringReq *req;
    bool resubmit = false;

    if (!blk_ring_ready) {
        return;
    }
    while (io_uring_peek_cqe(&blk_ring, &cqe) == 0) {
        int ret;

        req = io_uring_cqe_get_data(cqe);
        blk_ring_in_flight--;
        if (blk_uring_finish_cqe(req, cqe->res, &ret)) {
            req->job.ret = ret;
            g_queue_push_tail(&finished, req);
        } else {
            g_queue_push_head(&blk_ring_waiting, req);
            resubmit = true;
        }
        io_uring_cqe_seen(&blk_ring, cqe);
    }
    if (resubmit || !g_queue_is_empty(&blk_ring_waiting)) {
        blk_uring_flush();
    }
    /* Completions may submit more requests: run them after the ring is consistent. */
    while ((req = g_queue_pop_head(&finished))) {
        blk_aio_job_finished(&req->job, req->job.ret);
    }
}

#else

bool blk_uring_init(GError **errp)
{
    error_setg(errp, "aio=io_uring: Kestrel was built without liburing (install "
               "liburing-dev and run ./configure)");
    return false;
}

void blk_uring_submit(BlkUringReq *req)
{
    g_assert_not_reached();
}

void blk_uring_flush(void)
{
}

void blk_uring_reap(void)
{
}

#endif
