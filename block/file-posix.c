/*
 * The "file" protocol driver: an image is a POSIX file (or block device)
 * opened once. cache.direct=on opens it O_DIRECT, probes the alignment the
 * host needs and bounces unaligned requests through aligned buffers;
 * writethrough requests (BDRV_REQ_FUA) are written with RWF_DSYNC; a flush is
 * fdatasync (nothing with cache.no-flush); discard punches a hole and
 * write-zeroes zeroes the range (or punches it when it may unmap). Work runs
 * on the thread pool, or with aio=io_uring reads, writes and flushes go
 * through io_uring. Images are locked with OFD locks on the byte offsets QEMU
 * uses, so neither a second Kestrel nor a QEMU can write an image in use.
 */
#include "util/osdep.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <linux/falloc.h>
#include "block/block_int.h"
#include "block/raw-aio.h"

/* Lock byte offsets: base + permission bit (0: consistent read, 1: write). */
#define FILE_LOCK_PERM_BASE   100
#define FILE_LOCK_SHARED_BASE 200
#define FILE_PERM_READ  0
#define FILE_PERM_WRITE 1

#define FILE_MAX_ALIGN 4096
#define FILE_ZERO_CHUNK (1 * MiB)

typedef struct FileState {
    int fd;
    bool direct;
    bool no_flush;
    bool use_uring;
    uint32_t align;             /* offsets, lengths and buffers, with O_DIRECT */
    GMutex rmw_lock;            /* read-modify-write of partial blocks */
} FileState;

typedef struct FileJob {
    BlkUringReq u;              /* u.job is the job of either engine */
    BlockDriverState *bs;
    BdrvRequest *req;
    struct iovec iov[];         /* a copy the engines may advance */
} FileJob;

enum { FILE_AIO_THREADS, FILE_AIO_NATIVE, FILE_AIO_IO_URING };
static const char *const file_aio_names[] = { "threads", "native", "io_uring", NULL };
enum { FILE_LOCK_AUTO, FILE_LOCK_ON, FILE_LOCK_OFF };
static const char *const file_locking_names[] = { "auto", "on", "off", NULL };

/* ---- image locking ---- */

static int file_lock_byte(int fd, int cmd, short type, off_t byte)
{
    struct flock fl = {
        .l_type = type, .l_whence = SEEK_SET, .l_start = byte, .l_len = 1,
    };

    if (fcntl(fd, cmd, &fl) < 0) {
        return -errno;
    }
    return cmd == F_OFD_GETLK && fl.l_type != F_UNLCK ? -EAGAIN : 0;
}

/*
 * Every opener holds a shared lock on "I read" and on "I do not share write";
 * a writer also on "I write". Then each tests whether another open file holds
 * a lock that contradicts it (our own locks never conflict with our tests).
 */
static bool file_lock_image(FileState *s, const char *path, bool rw, bool forced,
                            GError **errp)
{
    int ret;

    ret = file_lock_byte(s->fd, F_OFD_SETLK, F_RDLCK, FILE_LOCK_PERM_BASE + FILE_PERM_READ);
    if (ret == 0 && rw) {
        ret = file_lock_byte(s->fd, F_OFD_SETLK, F_RDLCK, FILE_LOCK_PERM_BASE + FILE_PERM_WRITE);
    }
    if (ret == 0) {
        ret = file_lock_byte(s->fd, F_OFD_SETLK, F_RDLCK,
                             FILE_LOCK_SHARED_BASE + FILE_PERM_WRITE);
    }
    if (ret == -EINVAL || ret == -ENOTSUP || ret == -ENOLCK) {
        if (!forced) {
            return true;    /* locking=auto on a filesystem without OFD locks */
        }
        error_setg_errno(errp, -ret, "'%s': locking=on, but the image cannot be locked", path);
        return false;
    }
    if (ret == 0 && rw) {
        ret = file_lock_byte(s->fd, F_OFD_GETLK, F_WRLCK,
                             FILE_LOCK_SHARED_BASE + FILE_PERM_WRITE);
        if (ret == -EAGAIN) {
            error_setg(errp, "'%s' cannot be locked for writing: another process has it open "
                       "(is another emulator using the image?)", path);
            return false;
        }
    }
    if (ret == 0) {
        ret = file_lock_byte(s->fd, F_OFD_GETLK, F_WRLCK, FILE_LOCK_PERM_BASE + FILE_PERM_WRITE);
        if (ret == -EAGAIN) {
            error_setg(errp, "'%s' cannot be locked: another process is writing to it "
                       "(is another emulator using the image?)", path);
            return false;
        }
    }
    if (ret < 0) {
        error_setg_errno(errp, -ret, "'%s': cannot lock the image", path);
        return false;
    }
    return true;
}

/* ---- synchronous work, on worker threads ---- */

static bool file_is_aligned(FileState *s, uint64_t offset, uint64_t bytes,
                            const struct iovec *iov, int iovcnt)
{
    uint64_t mask = s->align - 1;

    if ((offset | bytes) & mask) {
        return false;
    }
    for (int i = 0; i < iovcnt; i++) {
        if (((uintptr_t)iov[i].iov_base | iov[i].iov_len) & mask) {
            return false;
        }
    }
    return true;
}

/* Drops the first DONE bytes of the iovec array (a private copy). */
static void file_iov_advance(struct iovec **iov, int *iovcnt, size_t done)
{
    while (*iovcnt && done >= (*iov)->iov_len) {
        done -= (*iov)->iov_len;
        (*iov)++;
        (*iovcnt)--;
    }
    if (*iovcnt) {
        (*iov)->iov_base = (char *)(*iov)->iov_base + done;
        (*iov)->iov_len -= done;
    }
}

/* Reads all of IOV (modified) at OFFSET; what lies past EOF reads as zeros. */
static int file_preadv_full(FileState *s, struct iovec *iov, int iovcnt, uint64_t offset,
                            uint64_t bytes)
{
    while (bytes) {
        int cnt = MIN(iovcnt, IOV_MAX);
        size_t want = 0;
        ssize_t n;

        for (int i = 0; i < cnt; i++) {
            want += iov[i].iov_len;
        }
        n = preadv(s->fd, iov, cnt, offset);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return -errno;
        }
        file_iov_advance(&iov, &iovcnt, n);
        offset += n;
        bytes -= n;
        /* With O_DIRECT a short read is EOF: reading on from there is unaligned. */
        if (n == 0 || (s->direct && (size_t)n < want)) {
            for (int i = 0; i < iovcnt; i++) {
                memset(iov[i].iov_base, 0, iov[i].iov_len);
            }
            break;
        }
    }
    return 0;
}

static int file_pwritev_full(FileState *s, struct iovec *iov, int iovcnt, uint64_t offset,
                             uint64_t bytes, int rwflags)
{
    while (bytes) {
        ssize_t n = pwritev2(s->fd, iov, MIN(iovcnt, IOV_MAX), offset, rwflags);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return -errno;
        }
        if (n == 0) {
            return -EIO;
        }
        file_iov_advance(&iov, &iovcnt, n);
        offset += n;
        bytes -= n;
    }
    return 0;
}

static int file_pread_buf(FileState *s, void *buf, uint64_t offset, uint64_t bytes)
{
    struct iovec iov = { .iov_base = buf, .iov_len = bytes };

    return file_preadv_full(s, &iov, 1, offset, bytes);
}

static void file_iov_copy(const struct iovec *iov, int iovcnt, void *buf, bool to_buf)
{
    char *p = buf;

    for (int i = 0; i < iovcnt; i++) {
        if (to_buf) {
            memcpy(p, iov[i].iov_base, iov[i].iov_len);
        } else {
            memcpy(iov[i].iov_base, p, iov[i].iov_len);
        }
        p += iov[i].iov_len;
    }
}

/* O_DIRECT with an unaligned request: through an aligned buffer covering it. */
static int file_rw_bounce(FileState *s, bool write, struct iovec *iov, int iovcnt,
                          uint64_t offset, uint64_t bytes, int rwflags)
{
    uint64_t start = ROUND_DOWN(offset, (uint64_t)s->align);
    uint64_t end = ROUND_UP(offset + bytes, (uint64_t)s->align);
    uint64_t len = end - start;
    void *buf;
    int ret;

    if (posix_memalign(&buf, MAX(s->align, FILE_MAX_ALIGN), len)) {
        return -ENOMEM;
    }
    if (!write) {
        ret = file_pread_buf(s, buf, start, len);
        if (ret == 0) {
            file_iov_copy(iov, iovcnt, (char *)buf + (offset - start), false);
        }
        free(buf);
        return ret;
    }
    g_mutex_lock(&s->rmw_lock);
    ret = 0;
    if (start != offset) {
        ret = file_pread_buf(s, buf, start, s->align);
    }
    if (ret == 0 && end != offset + bytes && (end - s->align != start || start == offset)) {
        ret = file_pread_buf(s, (char *)buf + len - s->align, end - s->align, s->align);
    }
    if (ret == 0) {
        struct iovec biov = { .iov_base = buf, .iov_len = len };
        file_iov_copy(iov, iovcnt, (char *)buf + (offset - start), true);
        ret = file_pwritev_full(s, &biov, 1, start, len, rwflags);
    }
    g_mutex_unlock(&s->rmw_lock);
    free(buf);
    return ret;
}

static int file_rw(FileState *s, bool write, struct iovec *iov, int iovcnt, uint64_t offset,
                   uint64_t bytes, int rwflags)
{
    if (s->direct && !file_is_aligned(s, offset, bytes, iov, iovcnt)) {
        return file_rw_bounce(s, write, iov, iovcnt, offset, bytes, rwflags);
    }
    if (write) {
        return file_pwritev_full(s, iov, iovcnt, offset, bytes, rwflags);
    }
    return file_preadv_full(s, iov, iovcnt, offset, bytes);
}

static int file_fallocate(FileState *s, int mode, uint64_t offset, uint64_t bytes)
{
    while (fallocate(s->fd, mode, offset, bytes) < 0) {
        if (errno != EINTR) {
            return -errno;
        }
    }
    return 0;
}

static gpointer file_alloc_zeroes(gpointer unused)
{
    void *buf;

    if (posix_memalign(&buf, FILE_MAX_ALIGN, FILE_ZERO_CHUNK)) {
        return NULL;
    }
    return memset(buf, 0, FILE_ZERO_CHUNK);
}

static int file_write_zeroes(FileState *s, uint64_t offset, uint64_t bytes, bool unmap,
                             int rwflags)
{
    static GOnce once = G_ONCE_INIT;
    void *zeroes;
    int ret = -ENOTSUP;

    if (unmap) {
        ret = file_fallocate(s, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, bytes);
    }
    if (ret < 0) {
        ret = file_fallocate(s, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, offset, bytes);
    }
    if (ret == 0) {
        return rwflags && fdatasync(s->fd) < 0 ? -errno : 0;
    }
    if (ret != -EOPNOTSUPP && ret != -ENOTSUP && ret != -EINVAL) {
        return ret;
    }
    /* The filesystem cannot zero ranges: write zeros. */
    zeroes = g_once(&once, file_alloc_zeroes, NULL);
    if (!zeroes) {
        return -ENOMEM;
    }
    while (bytes) {
        uint64_t n = MIN(bytes, FILE_ZERO_CHUNK);
        struct iovec iov = { .iov_base = zeroes, .iov_len = n };
        ret = file_rw(s, true, &iov, 1, offset, n, rwflags);
        if (ret < 0) {
            return ret;
        }
        offset += n;
        bytes -= n;
    }
    return 0;
}

/* REQ with ITS OWN COPY of the iovec array (advanced as the work goes). */
static int file_run(BlockDriverState *bs, BdrvRequest *req, struct iovec *iov)
{
    FileState *s = bs->opaque;
    int rwflags = (req->flags & BDRV_REQ_FUA) ? RWF_DSYNC : 0;
    int ret;

    switch (req->op) {
    case BDRV_OP_READ:
    case BDRV_OP_WRITE:
        return file_rw(s, req->op == BDRV_OP_WRITE, iov, req->iovcnt, req->offset,
                       req->bytes, rwflags);
    case BDRV_OP_FLUSH:
        return fdatasync(s->fd) < 0 ? -errno : 0;
    case BDRV_OP_DISCARD:
        ret = file_fallocate(s, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, req->offset,
                             req->bytes);
        /* A discard is advice: a filesystem that cannot punch holes ignores it. */
        return ret == -EOPNOTSUPP || ret == -ENOTSUP ? 0 : ret;
    case BDRV_OP_WRITE_ZEROES:
        return file_write_zeroes(s, req->offset, req->bytes,
                                 (req->flags & BDRV_REQ_MAY_UNMAP) &&
                                 (bs->open_flags & BDRV_O_UNMAP), rwflags);
    }
    return -EINVAL;
}

static int file_job_run(BlkAioJob *job)
{
    FileJob *j = container_of(job, FileJob, u.job);

    return file_run(j->bs, j->req, j->iov);
}

/* The synchronous path (bdrv_pio): a format's worker thread calls it directly. */
static int file_pio(BlockDriverState *bs, BdrvRequest *req)
{
    FileState *s = bs->opaque;
    int iovcnt = req->op == BDRV_OP_READ || req->op == BDRV_OP_WRITE ? req->iovcnt : 0;
    g_autofree struct iovec *iov = g_memdup2(req->iov, iovcnt * sizeof(struct iovec));

    if (req->op == BDRV_OP_FLUSH && s->no_flush) {
        return 0;
    }
    if (bdrv_is_read_only(bs) && req->op != BDRV_OP_READ && req->op != BDRV_OP_FLUSH) {
        return -EROFS;
    }
    return file_run(bs, req, iov);
}

/* ---- submission and completion, on the main loop ---- */

static void file_job_complete(BlkAioJob *job, int ret)
{
    FileJob *j = container_of(job, FileJob, u.job);
    BdrvRequest *req = j->req;

    g_free(j);
    req->cb(req->opaque, ret);
}

static void file_submit(BlockDriverState *bs, BdrvRequest *req)
{
    FileState *s = bs->opaque;
    int iovcnt = req->op == BDRV_OP_READ || req->op == BDRV_OP_WRITE ? req->iovcnt : 0;
    FileJob *j = g_malloc0(sizeof(*j) + iovcnt * sizeof(struct iovec));

    j->bs = bs;
    j->req = req;
    j->u.job.run = file_job_run;
    j->u.job.complete = file_job_complete;
    if (iovcnt) {
        memcpy(j->iov, req->iov, iovcnt * sizeof(struct iovec));
    }

    if (req->op == BDRV_OP_FLUSH && s->no_flush) {
        blk_aio_complete_later(&j->u.job, 0);
        return;
    }
    if (bdrv_is_read_only(bs) && req->op != BDRV_OP_READ && req->op != BDRV_OP_FLUSH) {
        blk_aio_complete_later(&j->u.job, -EROFS);
        return;
    }
    if (s->use_uring && (req->op == BDRV_OP_FLUSH ||
                         ((req->op == BDRV_OP_READ || req->op == BDRV_OP_WRITE) &&
                          iovcnt <= IOV_MAX &&
                          (!s->direct || file_is_aligned(s, req->offset, req->bytes,
                                                         req->iov, iovcnt))))) {
        j->u.op = req->op == BDRV_OP_READ ? BLK_URING_READ :
                  req->op == BDRV_OP_WRITE ? BLK_URING_WRITE : BLK_URING_FSYNC;
        j->u.fd = s->fd;
        j->u.offset = req->offset;
        j->u.iov = j->iov;
        j->u.iovcnt = iovcnt;
        j->u.remaining = req->bytes;
        j->u.rw_flags = (req->flags & BDRV_REQ_FUA) ? RWF_DSYNC : 0;
        j->u.short_read_is_eof = s->direct;
        blk_uring_submit(&j->u);
        return;
    }
    blk_aio_pool_submit(&j->u.job);
}

/* ---- open and close ---- */

/* The smallest O_DIRECT read size (and buffer alignment) the host accepts. */
static uint32_t file_probe_alignment(FileState *s)
{
    void *buf;
    uint32_t align = FILE_MAX_ALIGN;
    struct stat st;

    /* An image shorter than the largest candidate cannot tell them apart. */
    if (fstat(s->fd, &st) < 0 || (S_ISREG(st.st_mode) && st.st_size < FILE_MAX_ALIGN)) {
        return FILE_MAX_ALIGN;
    }
    if (posix_memalign(&buf, FILE_MAX_ALIGN, 2 * FILE_MAX_ALIGN)) {
        return FILE_MAX_ALIGN;
    }
    for (uint32_t a = 512; a <= FILE_MAX_ALIGN; a *= 2) {
        /* The buffer at offset A of a page: aligned to A and not to more. */
        if (pread(s->fd, (char *)buf + (a < FILE_MAX_ALIGN ? a : 0), a, 0) == (ssize_t)a) {
            align = a;
            break;
        }
    }
    free(buf);
    return align;
}

static bool file_open(BlockDriverState *bs, BdrvOpenOpts *opts, GError **errp)
{
    FileState *s = bs->opaque;
    const char *filename = opts->filename ? opts->filename : bdrv_opt_get(opts, "filename");
    bool rw = !bdrv_is_read_only(bs);
    int aio, locking;
    int flags;

    s->fd = -1;
    g_mutex_init(&s->rmw_lock);
    if (!bdrv_opt_get_enum(opts, "aio", file_aio_names, FILE_AIO_THREADS, &aio, errp) ||
        !bdrv_opt_get_enum(opts, "locking", file_locking_names, FILE_LOCK_AUTO, &locking,
                           errp)) {
        return false;
    }
    if (!filename || !*filename) {
        error_setg(errp, "%s: the file driver needs a filename", opts->optname);
        return false;
    }
    if (aio == FILE_AIO_IO_URING && !blk_uring_init(errp)) {
        return false;
    }
    bs->filename = g_strdup(filename);
    s->use_uring = aio == FILE_AIO_IO_URING;
    s->direct = bs->open_flags & BDRV_O_NOCACHE;
    s->no_flush = bs->open_flags & BDRV_O_NO_FLUSH;

    flags = (rw ? O_RDWR : O_RDONLY) | O_CLOEXEC | (s->direct ? O_DIRECT : 0);
    s->fd = open(filename, flags);
    if (s->fd < 0 && errno == EINVAL && s->direct) {
        error_setg(errp, "%s: '%s': the filesystem does not support O_DIRECT (cache=none or "
                   "directsync); use cache=writeback or writethrough", opts->optname, filename);
        return false;
    }
    if (s->fd < 0) {
        error_setg_errno(errp, errno, "%s: could not open '%s'%s", opts->optname, filename,
                         rw && (errno == EACCES || errno == EROFS) ? " for writing" : "");
        return false;
    }
    if (locking != FILE_LOCK_OFF &&
        !file_lock_image(s, filename, rw, locking == FILE_LOCK_ON, errp)) {
        g_prefix_error(errp, "%s: ", opts->optname);
        return false;
    }
    s->align = s->direct ? file_probe_alignment(s) : 1;
    bs->request_alignment = s->direct ? s->align : 1;
    return true;
}

static void file_close(BlockDriverState *bs)
{
    FileState *s = bs->opaque;

    if (s->fd >= 0) {
        close(s->fd);   /* drops the OFD locks too */
    }
    g_mutex_clear(&s->rmw_lock);
}

static int64_t file_getlength(BlockDriverState *bs)
{
    FileState *s = bs->opaque;
    off_t len = lseek(s->fd, 0, SEEK_END);

    return len < 0 ? -errno : len;
}

const BlockDriver bdrv_file = {
    .format_name = "file",
    .instance_size = sizeof(FileState),
    .is_protocol = true,
    .bdrv_open = file_open,
    .bdrv_close = file_close,
    .bdrv_submit = file_submit,
    .bdrv_getlength = file_getlength,
    .bdrv_pio = file_pio,
};

block_init(bdrv_file)
