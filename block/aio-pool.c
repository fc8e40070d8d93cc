/*
 * The thread-pool I/O engine and the completion path shared with io_uring.
 * Worker threads (a glib thread pool) run a job's blocking system calls and
 * put the finished job on a mutex-guarded queue, then signal one eventfd. The
 * main loop watches that eventfd; its handler (or blk_aio_poll, for callers
 * that must wait) empties the queue and runs each job's completion with the
 * BQL held, so devices never see a completion on a foreign thread.
 */
#include "util/osdep.h"
#include <poll.h>
#include <sys/eventfd.h>
#include <glib-unix.h>
#include "block/raw-aio.h"

#define BLK_AIO_MAX_WORKERS 64

static GOnce blk_aio_once = G_ONCE_INIT;
static int blk_aio_efd = -1;
static GThreadPool *blk_aio_pool;
static GMutex blk_aio_lock;
static GQueue blk_aio_done = G_QUEUE_INIT;   /* finished jobs, under blk_aio_lock */
static unsigned blk_aio_jobs;                /* in flight; main-loop side only */

static gboolean blk_aio_fd_ready(gint fd, GIOCondition cond, gpointer opaque)
{
    blk_aio_poll(false);
    return G_SOURCE_CONTINUE;
}

static void blk_aio_queue_done(BlkAioJob *job, int ret)
{
    static const uint64_t one = 1;

    job->ret = ret;
    g_mutex_lock(&blk_aio_lock);
    g_queue_push_tail(&blk_aio_done, job);
    g_mutex_unlock(&blk_aio_lock);
    if (write(blk_aio_efd, &one, sizeof(one)) < 0 && errno != EAGAIN) {
        g_error("block: eventfd write: %s", g_strerror(errno));
    }
}

static void blk_aio_worker(gpointer data, gpointer opaque)
{
    BlkAioJob *job = data;

    blk_aio_queue_done(job, job->run(job));
}

static gpointer blk_aio_setup(gpointer unused)
{
    blk_aio_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (blk_aio_efd < 0) {
        g_error("block: eventfd: %s", g_strerror(errno));
    }
    g_unix_fd_add(blk_aio_efd, G_IO_IN, blk_aio_fd_ready, NULL);
    blk_aio_pool = g_thread_pool_new(blk_aio_worker, NULL, BLK_AIO_MAX_WORKERS, FALSE, NULL);
    return NULL;
}

int blk_aio_notifier_fd(void)
{
    g_once(&blk_aio_once, blk_aio_setup, NULL);
    return blk_aio_efd;
}

void blk_aio_job_started(void)
{
    g_once(&blk_aio_once, blk_aio_setup, NULL);
    blk_aio_jobs++;
}

void blk_aio_pool_submit(BlkAioJob *job)
{
    blk_aio_job_started();
    g_thread_pool_push(blk_aio_pool, job, NULL);
}

void blk_aio_complete_later(BlkAioJob *job, int ret)
{
    blk_aio_job_started();
    blk_aio_queue_done(job, ret);
}

void blk_aio_job_finished(BlkAioJob *job, int ret)
{
    blk_aio_jobs--;
    job->complete(job, ret);
}

unsigned blk_aio_in_flight(void)
{
    return blk_aio_jobs;
}

void blk_aio_poll(bool blocking)
{
    GQueue ready = G_QUEUE_INIT;
    uint64_t count;
    BlkAioJob *job;

    if (blk_aio_efd < 0) {
        return;
    }
    if (blocking && blk_aio_jobs) {
        struct pollfd pfd = { .fd = blk_aio_efd, .events = POLLIN };
        /* Plugged io_uring requests would never complete otherwise. */
        blk_uring_flush();
        while (poll(&pfd, 1, -1) < 0 && errno == EINTR) {
            continue;
        }
    }
    /* Clear the eventfd before looking, so a later signal is never lost. */
    if (read(blk_aio_efd, &count, sizeof(count)) < 0 && errno != EAGAIN) {
        g_error("block: eventfd read: %s", g_strerror(errno));
    }
    blk_uring_reap();

    g_mutex_lock(&blk_aio_lock);
    ready = blk_aio_done;
    g_queue_init(&blk_aio_done);
    g_mutex_unlock(&blk_aio_lock);
    while ((job = g_queue_pop_head(&ready))) {
        blk_aio_job_finished(job, job->ret);
    }
}
