/*
 * Unit tests of the block layer on real files under /var/tmp (a disk
 * filesystem, so O_DIRECT works): read/write/flush round trips through the
 * thread pool and io_uring, O_DIRECT with unaligned requests, discard and
 * write-zeroes as seen in the file, read-only refusal, image locking against
 * a second (forked) process, -drive/-blockdev option errors, a thousand
 * concurrent requests and error propagation.
 */
#include "util/osdep.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "block/block_int.h"
#include "block/blockdev.h"

#define IMG_SIZE (4 * MiB)

static char *test_dir;
static unsigned test_img_count;

/* A new IMG_SIZE image filled with BYTE; the path is freed by the caller. */
static char *test_image_new(uint8_t byte)
{
    char *path = g_strdup_printf("%s/img%u.raw", test_dir, test_img_count++);
    g_autofree uint8_t *buf = g_malloc(IMG_SIZE);
    GError *err = NULL;

    memset(buf, byte, IMG_SIZE);
    g_assert_true(g_file_set_contents(path, (char *)buf, IMG_SIZE, &err));
    return path;
}

static void test_file_read(const char *path, uint64_t offset, void *buf, size_t len)
{
    int fd = open(path, O_RDONLY);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(pread(fd, buf, len, offset), ==, (ssize_t)len);
    close(fd);
}

static bool test_all_bytes(const uint8_t *buf, size_t len, uint8_t byte)
{
    for (size_t i = 0; i < len; i++) {
        if (buf[i] != byte) {
            return false;
        }
    }
    return true;
}

/*
 * Opens "-drive OPTS" (with file= PATH prepended). NULL with *why set when
 * the host refuses what OPTS asks (io_uring, O_DIRECT): the test then skips.
 */
static BlockBackend *test_drive_open(const char *path, const char *opts, char **why)
{
    g_autofree char *s = g_strdup_printf("file=%s,%s", path, opts);
    GError *err = NULL;
    BlockBackend *blk = blk_drive_add(s, &err);

    if (!blk && why && (strstr(err->message, "io_uring") || strstr(err->message, "O_DIRECT"))) {
        *why = g_strdup(err->message);
        g_error_free(err);
        return NULL;
    }
    g_assert_no_error(err);
    return blk;
}

static void test_drivers(void)
{
    g_assert_true(bdrv_find_format("raw") == &bdrv_raw);
    g_assert_true(bdrv_find_format("file") == &bdrv_file);
    g_assert_null(bdrv_find_format("qcow3"));
}

/* ---- round trips ---- */

typedef struct TestReq {
    int ret;
    bool done;
    unsigned *counter;
} TestReq;

static void test_req_done(void *opaque, int ret)
{
    TestReq *r = opaque;

    g_assert_false(r->done);
    r->done = true;
    r->ret = ret;
    if (r->counter) {
        (*r->counter)++;
    }
}

static void test_round_trip(const char *opts)
{
    g_autofree char *path = test_image_new(0);
    g_autofree char *why = NULL;
    BlockBackend *blk = test_drive_open(path, opts, &why);
    g_autofree uint8_t *wbuf = g_malloc(64 * KiB);
    g_autofree uint8_t *rbuf = g_malloc(64 * KiB);
    struct iovec iov[2];
    TestReq r = { 0 };

    if (!blk) {
        g_test_skip(why);
        return;
    }
    g_assert_cmpint(blk_getlength(blk), ==, IMG_SIZE);
    g_assert_false(blk_is_read_only(blk));
    for (size_t i = 0; i < 64 * KiB; i++) {
        wbuf[i] = i * 7 + 3;
    }
    /* Synchronous write, asynchronous read over two iovec elements. */
    g_assert_cmpint(blk_pwrite(blk, 1 * MiB, wbuf, 64 * KiB, 0), ==, 0);
    iov[0] = (struct iovec) { .iov_base = rbuf, .iov_len = 4 * KiB };
    iov[1] = (struct iovec) { .iov_base = rbuf + 4 * KiB, .iov_len = 60 * KiB };
    blk_aio_preadv(blk, 1 * MiB, iov, 2, test_req_done, &r);
    g_assert_false(r.done);     /* never completed inside the submission */
    blk_drain(blk);
    g_assert_true(r.done);
    g_assert_cmpint(r.ret, ==, 0);
    g_assert_cmpmem(rbuf, 64 * KiB, wbuf, 64 * KiB);

    r = (TestReq) { 0 };
    blk_aio_flush(blk, test_req_done, &r);
    blk_drain(blk);
    g_assert_cmpint(r.ret, ==, 0);
    g_assert_cmpint(blk_flush(blk), ==, 0);

    memset(rbuf, 0, 64 * KiB);
    test_file_read(path, 1 * MiB, rbuf, 64 * KiB);
    g_assert_cmpmem(rbuf, 64 * KiB, wbuf, 64 * KiB);
    test_file_read(path, 1 * MiB - 4 * KiB, rbuf, 4 * KiB);
    g_assert_true(test_all_bytes(rbuf, 4 * KiB, 0));
}

static void test_rw_threads(void)
{
    test_round_trip("format=raw,if=none,aio=threads");
}

static void test_rw_io_uring(void)
{
    test_round_trip("format=raw,if=none,aio=io_uring");
}

static void test_rw_cache_modes(void)
{
    static const char *const modes[] = { "writeback", "writethrough", "unsafe" };

    for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
        g_autofree char *opts = g_strdup_printf("format=raw,if=none,cache=%s", modes[i]);
        test_round_trip(opts);
    }
}

static void test_write_cache_flag(void)
{
    g_autofree char *p1 = test_image_new(0);
    g_autofree char *p2 = test_image_new(0);

    g_assert_true(blk_enable_write_cache(test_drive_open(p1, "format=raw,if=none", NULL)));
    g_assert_false(blk_enable_write_cache(test_drive_open(p2, "format=raw,if=none,"
                                                          "cache=writethrough", NULL)));
}

/* ---- O_DIRECT ---- */

static void test_direct_unaligned(const char *aio)
{
    g_autofree char *path = test_image_new(0x55);
    g_autofree char *opts = g_strdup_printf("format=raw,if=none,cache=none,aio=%s", aio);
    g_autofree char *why = NULL;
    BlockBackend *blk = test_drive_open(path, opts, &why);
    g_autofree uint8_t *mem = g_malloc(3 * 8 * KiB);
    g_autofree uint8_t *check = g_malloc(8 * KiB);
    uint8_t *buf = mem + 1;     /* never aligned */

    if (!blk) {
        g_test_skip(why);
        return;
    }
    g_assert_cmpuint(blk_get_request_alignment(blk), >=, 512);
    /* Unaligned offset, length and buffer: a read-modify-write in the block layer. */
    memset(buf, 0xab, 1000);
    g_assert_cmpint(blk_pwrite(blk, 100, buf, 1000, 0), ==, 0);
    test_file_read(path, 0, check, 2 * KiB);
    g_assert_true(test_all_bytes(check, 100, 0x55));
    g_assert_true(test_all_bytes(check + 100, 1000, 0xab));
    g_assert_true(test_all_bytes(check + 1100, 2 * KiB - 1100, 0x55));

    memset(buf, 0, 8 * KiB);
    g_assert_cmpint(blk_pread(blk, 50, buf, 1100), ==, 0);
    g_assert_true(test_all_bytes(buf, 50, 0x55));
    g_assert_true(test_all_bytes(buf + 50, 1000, 0xab));
    g_assert_true(test_all_bytes(buf + 1050, 50, 0x55));

    /* Aligned offset and length but an unaligned buffer, and a fully aligned one. */
    memset(buf, 0xcd, 8 * KiB);
    g_assert_cmpint(blk_pwrite(blk, 64 * KiB, buf, 8 * KiB, 0), ==, 0);
    buf = (uint8_t *)ROUND_UP((uintptr_t)mem, 4 * KiB);
    memset(buf, 0xef, 4 * KiB);
    g_assert_cmpint(blk_pwrite(blk, 72 * KiB, buf, 4 * KiB, 0), ==, 0);
    g_assert_cmpint(blk_pread(blk, 64 * KiB, buf, 8 * KiB), ==, 0);
    g_assert_true(test_all_bytes(buf, 8 * KiB, 0xcd));
    test_file_read(path, 72 * KiB, check, 4 * KiB);
    g_assert_true(test_all_bytes(check, 4 * KiB, 0xef));
}

static void test_direct_threads(void)
{
    test_direct_unaligned("threads");
}

static void test_direct_io_uring(void)
{
    test_direct_unaligned("io_uring");
}

/* Where tmpfs has no O_DIRECT, cache=none is a clear error, never a silent fallback. */
static void test_direct_tmpfs(void)
{
    g_autofree char *path = g_strdup("/dev/shm/kestrel-test-block.raw");
    g_autofree char *opts = g_strdup_printf("file=%s,format=raw,if=none,cache=none", path);
    GError *err = NULL;

    if (!g_file_set_contents(path, "", 0, NULL)) {
        g_test_skip("/dev/shm is not writable");
        return;
    }
    if (blk_drive_add(opts, &err)) {
        unlink(path);
        g_test_skip("/dev/shm (tmpfs) accepts O_DIRECT on this kernel (Linux 6.6 and later)");
        return;
    }
    unlink(path);
    g_assert_nonnull(strstr(err->message, "O_DIRECT"));
    g_error_free(err);
}

/* ---- discard and write-zeroes ---- */

static int64_t test_file_blocks(const char *path)
{
    struct stat st;

    g_assert_cmpint(stat(path, &st), ==, 0);
    return st.st_blocks;
}

static void test_discard_zeroes(void)
{
    g_autofree char *path = test_image_new(0x11);
    BlockBackend *blk = test_drive_open(path, "format=raw,if=none,discard=unmap", NULL);
    g_autofree uint8_t *buf = g_malloc(1 * MiB);
    int64_t blocks = test_file_blocks(path);
    TestReq r = { 0 };

    g_assert_true(blk_supports_discard(blk));
    blk_aio_pdiscard(blk, 1 * MiB, 1 * MiB, test_req_done, &r);
    blk_drain(blk);
    g_assert_cmpint(r.ret, ==, 0);
    g_assert_cmpint(test_file_blocks(path), <, blocks);
    test_file_read(path, 1 * MiB, buf, 1 * MiB);
    g_assert_true(test_all_bytes(buf, 1 * MiB, 0));
    test_file_read(path, 0, buf, 1 * MiB);
    g_assert_true(test_all_bytes(buf, 1 * MiB, 0x11));

    /* Zeroes without unmap keep the blocks allocated; with it they may go. */
    blocks = test_file_blocks(path);
    r = (TestReq) { 0 };
    blk_aio_pwrite_zeroes(blk, 0, 512 * KiB, 0, test_req_done, &r);
    blk_drain(blk);
    g_assert_cmpint(r.ret, ==, 0);
    r = (TestReq) { 0 };
    blk_aio_pwrite_zeroes(blk, 3 * MiB, 1 * MiB, BDRV_REQ_MAY_UNMAP, test_req_done, &r);
    blk_drain(blk);
    g_assert_cmpint(r.ret, ==, 0);
    g_assert_cmpint(test_file_blocks(path), <, blocks);
    test_file_read(path, 0, buf, 512 * KiB);
    g_assert_true(test_all_bytes(buf, 512 * KiB, 0));
    test_file_read(path, 512 * KiB, buf, 512 * KiB);
    g_assert_true(test_all_bytes(buf, 512 * KiB, 0x11));
    test_file_read(path, 3 * MiB, buf, 1 * MiB);
    g_assert_true(test_all_bytes(buf, 1 * MiB, 0));
}

static void test_discard_ignored(void)
{
    g_autofree char *path = test_image_new(0x22);
    BlockBackend *blk = test_drive_open(path, "format=raw,if=none", NULL);
    g_autofree uint8_t *buf = g_malloc(64 * KiB);
    TestReq r = { 0 };

    g_assert_false(blk_supports_discard(blk));
    blk_aio_pdiscard(blk, 0, 64 * KiB, test_req_done, &r);
    blk_drain(blk);
    g_assert_cmpint(r.ret, ==, 0);
    test_file_read(path, 0, buf, 64 * KiB);
    g_assert_true(test_all_bytes(buf, 64 * KiB, 0x22));
}

/* ---- read-only ---- */

static void test_read_only(void)
{
    g_autofree char *path = test_image_new(0x33);
    BlockBackend *blk = test_drive_open(path, "format=raw,if=none,readonly=on", NULL);
    uint8_t buf[512];
    TestReq r = { 0 };

    g_assert_true(blk_is_read_only(blk));
    memset(buf, 0x44, sizeof(buf));
    g_assert_cmpint(blk_pwrite(blk, 0, buf, sizeof(buf), 0), ==, -EROFS);
    blk_aio_pwrite_zeroes(blk, 0, 4096, 0, test_req_done, &r);
    blk_drain(blk);
    g_assert_cmpint(r.ret, ==, -EROFS);
    g_assert_cmpint(blk_pread(blk, 0, buf, sizeof(buf)), ==, 0);
    g_assert_true(test_all_bytes(buf, sizeof(buf), 0x33));
    test_file_read(path, 0, buf, sizeof(buf));
    g_assert_true(test_all_bytes(buf, sizeof(buf), 0x33));
}

/* A read-only file cannot be opened read-write; the error says so. */
static void test_read_only_file(void)
{
    g_autofree char *path = test_image_new(0);
    g_autofree char *opts = g_strdup_printf("file=%s,format=raw,if=none", path);
    GError *err = NULL;

    if (geteuid() == 0) {
        g_test_skip("root opens read-only files for writing");
        return;
    }
    g_assert_cmpint(chmod(path, 0444), ==, 0);
    g_assert_null(blk_drive_add(opts, &err));
    g_assert_nonnull(strstr(err->message, "for writing"));
    g_error_free(err);
}

/* ---- locking between processes ---- */

/* Forks a child that opens PATH with OPTS; true if the child's open succeeded. */
static bool test_child_can_open(const char *path, const char *opts)
{
    pid_t pid = fork();
    int status;

    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        g_autofree char *s = g_strdup_printf("file=%s,format=raw,if=none,%s", path, opts);
        GError *err = NULL;
        bool ok = blk_drive_add(s, &err) != NULL;
        if (!ok && !strstr(err->message, "another process")) {
            _exit(2);
        }
        _exit(ok ? 0 : 1);
    }
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), !=, 2);
    return WEXITSTATUS(status) == 0;
}

static void test_locking(void)
{
    g_autofree char *rw = test_image_new(0);
    g_autofree char *ro = test_image_new(0);

    test_drive_open(rw, "format=raw,if=none", NULL);
    g_assert_false(test_child_can_open(rw, "readonly=off"));
    g_assert_false(test_child_can_open(rw, "readonly=on"));
    g_assert_true(test_child_can_open(rw, "file.locking=off"));

    test_drive_open(ro, "format=raw,if=none,readonly=on", NULL);
    g_assert_true(test_child_can_open(ro, "readonly=on"));
    g_assert_false(test_child_can_open(ro, "readonly=off"));
}

/* ---- options ---- */

static void test_drive_error(const char *opts, const char *expect)
{
    GError *err = NULL;

    g_assert_null(blk_drive_add(opts, &err));
    g_assert_nonnull(err);
    if (!strstr(err->message, expect)) {
        g_error("-drive %s: '%s' does not contain '%s'", opts, err->message, expect);
    }
    g_assert_null(strchr(err->message, '\n'));
    g_error_free(err);
}

static void test_blockdev_error(const char *opts, const char *expect)
{
    GError *err = NULL;

    g_assert_null(bdrv_blockdev_add(opts, &err));
    g_assert_nonnull(err);
    if (!strstr(err->message, expect)) {
        g_error("-blockdev %s: '%s' does not contain '%s'", opts, err->message, expect);
    }
    g_error_free(err);
}

static void test_option_errors(void)
{
    g_autofree char *path = test_image_new(0);
    g_autofree char *s = NULL;

#define WITH_FILE(fmt) (g_free(s), s = g_strdup_printf("file=%s," fmt, path))
    test_drive_error(WITH_FILE("format=raw,bogus=1"), "invalid parameter 'bogus'");
    test_drive_error(WITH_FILE("cache=sometimes"), "cache=sometimes: invalid cache mode");
    test_drive_error(WITH_FILE("aio=magic"), "aio=magic: invalid value");
    test_drive_error(WITH_FILE("if=ide"), "if=ide: invalid value");
    test_drive_error(WITH_FILE("format=qcow3"), "format=qcow3: unknown image format");
    test_drive_error(WITH_FILE("readonly=maybe"), "readonly=maybe: expects on or off");
    test_drive_error(WITH_FILE("discard=sometimes"), "discard=sometimes: invalid value");
    test_drive_error(WITH_FILE("id=9lives"), "id=9lives");
    test_drive_error("format=raw,if=none", "file=PATH is needed");
    test_drive_error("file=/nonexistent/kestrel.img,format=raw",
                     "could not open '/nonexistent/kestrel.img': No such file or directory");
    test_drive_error("file=a,,b", "could not open 'a,b'");

    test_blockdev_error("node-name=x", "driver=DRIVER is needed");
    test_blockdev_error("driver=raw", "node-name=NAME is needed");
    test_blockdev_error("driver=vmdk,node-name=x", "driver=vmdk: unknown block driver");
    test_blockdev_error("driver=raw,node-name=x", "needs file=NODE or file.driver=file");
    test_blockdev_error("driver=raw,node-name=x,file=nosuch", "file=nosuch: no block node");
    test_blockdev_error("driver=file,node-name=x", "needs a filename");
    test_blockdev_error("driver=file,node-name=1x,filename=/dev/null", "node-name=1x");
    g_free(s);
    s = g_strdup_printf("driver=file,node-name=x,filename=%s,wat=1", path);
    test_blockdev_error(s, "invalid parameter 'wat'");
    g_free(s);
    s = g_strdup_printf("driver=raw,node-name=x,file.driver=file,file.filename=%s,"
                        "cache.direct=perhaps", path);
    test_blockdev_error(s, "cache.direct=perhaps: expects on or off");
    /* A failed open leaves nothing behind: the name and the image are free. */
    g_assert_null(bdrv_find_node("x"));
    g_free(s);
    s = g_strdup_printf("driver=file,node-name=x,filename=%s", path);
    g_assert_nonnull(bdrv_blockdev_add(s, NULL));
    test_blockdev_error(s, "node-name=x: a node with that name exists");
#undef WITH_FILE
}

static void test_blockdev(void)
{
    g_autofree char *p1 = test_image_new(0x66);
    g_autofree char *p2 = test_image_new(0x77);
    g_autofree char *s1 = g_strdup_printf("driver=file,node-name=bd-file,filename=%s", p1);
    g_autofree char *s2 = g_strdup_printf("driver=raw,node-name=bd-raw,file.driver=file,"
                                          "file.filename=%s,read-only=on,cache.direct=off,"
                                          "discard=unmap,file.aio=threads", p2);
    BlockBackend *blk;
    uint8_t buf[512];
    int dev1, dev2;
    GError *err = NULL;

    g_assert_nonnull(bdrv_blockdev_add(s1, &err));
    g_assert_no_error(err);
    g_assert_nonnull(bdrv_blockdev_add("driver=raw,node-name=bd-top,file=bd-file", &err));
    g_assert_no_error(err);
    g_assert_nonnull(bdrv_blockdev_add(s2, &err));
    g_assert_no_error(err);

    blk = blk_by_id("bd-top");
    g_assert_nonnull(blk);
    g_assert_true(blk_by_id("bd-top") == blk);
    g_assert_cmpstr(blk_name(blk), ==, "bd-top");
    g_assert_cmpint(blk_pread(blk, 0, buf, sizeof(buf)), ==, 0);
    g_assert_true(test_all_bytes(buf, sizeof(buf), 0x66));
    g_assert_true(blk_attach_dev(blk, &dev1, NULL));
    g_assert_false(blk_attach_dev(blk, &dev2, &err));
    g_assert_nonnull(strstr(err->message, "already in use"));
    g_clear_error(&err);
    blk_detach_dev(blk, &dev1);
    g_assert_true(blk_attach_dev(blk, &dev2, NULL));

    blk = blk_by_id("bd-raw");
    g_assert_true(blk_is_read_only(blk));
    g_assert_true(blk_supports_discard(blk));
    g_assert_cmpint(blk_pread(blk, IMG_SIZE - 512, buf, sizeof(buf)), ==, 0);
    g_assert_true(test_all_bytes(buf, sizeof(buf), 0x77));
    g_assert_null(blk_by_id("no-such-drive"));
}

static void test_drive_names(void)
{
    g_autofree char *p1 = test_image_new(0);
    g_autofree char *p2 = test_image_new(0);
    g_autofree char *p3 = test_image_new(0);
    BlockBackend *a = test_drive_open(p1, "format=raw,if=virtio", NULL);
    BlockBackend *b = test_drive_open(p2, "format=raw,id=named,if=virtio", NULL);
    BlockBackend *c = test_drive_open(p3, "format=raw,if=none", NULL);
    g_autoptr(GPtrArray) virtio = blk_drives_for_interface("virtio");
    g_autoptr(GError) err = NULL;

    g_assert_true(g_str_has_prefix(blk_name(a), "drive"));
    g_assert_cmpstr(blk_name(b), ==, "named");
    g_assert_true(blk_by_id(blk_name(c)) == c);
    g_assert_cmpuint(virtio->len, >=, 2);
    g_assert_true(g_ptr_array_index(virtio, virtio->len - 2) == a);
    g_assert_true(g_ptr_array_index(virtio, virtio->len - 1) == b);
    g_assert_null(blk_drive_add("file=/dev/null,id=named,format=raw", &err));
    g_assert_nonnull(strstr(err->message, "id=named: a drive or node with that name exists"));
}

/* Without format= the image is probed: raw, with a warning. */
static void test_probe(void)
{
    g_autofree char *path = test_image_new(0x5a);
    BlockBackend *blk = test_drive_open(path, "if=none", NULL);
    uint8_t buf[512];

    g_assert_true(blk_bs(blk)->probed);
    g_assert_true(blk_bs(blk)->drv == &bdrv_raw);
    memset(buf, 0, sizeof(buf));
    g_assert_cmpint(blk_pwrite(blk, 0, buf, sizeof(buf), 0), ==, 0);
}

/* ---- many requests, errors ---- */

static void test_concurrent(const char *opts)
{
    enum { N = 1000, BS = 4096 };
    g_autofree char *path = test_image_new(0);
    g_autofree char *why = NULL;
    BlockBackend *blk = test_drive_open(path, opts, &why);
    g_autofree uint8_t *data = g_malloc(N * BS);
    g_autofree uint8_t *back = g_malloc0(N * BS);
    g_autofree TestReq *reqs = g_new0(TestReq, N);
    g_autofree struct iovec *iov = g_new0(struct iovec, N);
    unsigned done = 0;

    if (!blk) {
        g_test_skip(why);
        return;
    }
    for (int i = 0; i < N; i++) {
        memset(data + i * BS, i & 0xff, BS);
        iov[i] = (struct iovec) { .iov_base = data + i * BS, .iov_len = BS };
        reqs[i].counter = &done;
    }
    blk_io_plug();
    for (int i = 0; i < N; i++) {
        blk_aio_pwritev(blk, (uint64_t)i * BS, &iov[i], 1, 0, test_req_done, &reqs[i]);
    }
    blk_io_unplug();
    /* Completions arrive through the main loop, as in the emulator. */
    while (done < N) {
        g_main_context_iteration(NULL, TRUE);
    }
    for (int i = 0; i < N; i++) {
        g_assert_cmpint(reqs[i].ret, ==, 0);
        reqs[i] = (TestReq) { .counter = &done };
        iov[i].iov_base = back + i * BS;
        blk_aio_preadv(blk, (uint64_t)i * BS, &iov[i], 1, test_req_done, &reqs[i]);
    }
    blk_drain_all();
    g_assert_cmpuint(done, ==, 2 * N);
    for (int i = 0; i < N; i++) {
        g_assert_cmpint(reqs[i].ret, ==, 0);
    }
    g_assert_cmpmem(back, N * BS, data, N * BS);
}

static void test_concurrent_threads(void)
{
    test_concurrent("format=raw,if=none,aio=threads");
}

static void test_concurrent_io_uring(void)
{
    test_concurrent("format=raw,if=none,aio=io_uring,cache=none");
}

static void test_errors(void)
{
    g_autofree char *path = test_image_new(0x99);
    BlockBackend *blk = test_drive_open(path, "format=raw,if=none", NULL);
    uint8_t buf[4096];
    struct iovec iov[2] = {
        { .iov_base = buf, .iov_len = 16 },
        { .iov_base = buf, .iov_len = SIZE_MAX },
    };
    TestReq r = { 0 };

    /* Past the end, straddling it, and offsets that would overflow. */
    g_assert_cmpint(blk_pread(blk, IMG_SIZE, buf, 512), ==, -EIO);
    g_assert_cmpint(blk_pread(blk, IMG_SIZE - 256, buf, 512), ==, -EIO);
    g_assert_cmpint(blk_pwrite(blk, UINT64_MAX - 100, buf, 512, 0), ==, -EIO);
    g_assert_cmpint(blk_pread(blk, IMG_SIZE - 512, buf, 512), ==, 0);
    blk_aio_pdiscard(blk, 512, UINT64_MAX, test_req_done, &r);
    blk_drain(blk);
    g_assert_cmpint(r.ret, ==, -EIO);
    r = (TestReq) { 0 };
    blk_aio_preadv(blk, 0, iov, 2, test_req_done, &r);
    blk_drain(blk);
    g_assert_cmpint(r.ret, ==, -EINVAL);
    /* A zero-length request succeeds without I/O. */
    g_assert_cmpint(blk_pread(blk, IMG_SIZE, buf, 0), ==, 0);

    /* The file shrinks under us: the missing tail reads as zeros. */
    g_assert_cmpint(truncate(path, IMG_SIZE - 1024), ==, 0);
    memset(buf, 0xff, sizeof(buf));
    g_assert_cmpint(blk_pread(blk, IMG_SIZE - 2048, buf, 2048), ==, 0);
    g_assert_true(test_all_bytes(buf, 1024, 0x99));
    g_assert_true(test_all_bytes(buf + 1024, 1024, 0));
}

static void test_cleanup(void)
{
    g_autoptr(GDir) dir = g_dir_open(test_dir, 0, NULL);
    const char *name;

    bdrv_close_all();
    g_assert_null(bdrv_find_node("bd-file"));
    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *p = g_build_filename(test_dir, name, NULL);
        chmod(p, 0644);
        unlink(p);
    }
    rmdir(test_dir);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    test_dir = g_strdup("/var/tmp/kestrel-test-block-XXXXXX");
    if (!g_mkdtemp(test_dir)) {
        g_free(test_dir);
        test_dir = g_dir_make_tmp("kestrel-test-block-XXXXXX", NULL);
    }
    g_assert_nonnull(test_dir);

    g_test_add_func("/block/drivers", test_drivers);
    g_test_add_func("/block/rw/threads", test_rw_threads);
    g_test_add_func("/block/rw/io_uring", test_rw_io_uring);
    g_test_add_func("/block/rw/cache-modes", test_rw_cache_modes);
    g_test_add_func("/block/rw/write-cache-flag", test_write_cache_flag);
    g_test_add_func("/block/direct/threads", test_direct_threads);
    g_test_add_func("/block/direct/io_uring", test_direct_io_uring);
    g_test_add_func("/block/direct/tmpfs", test_direct_tmpfs);
    g_test_add_func("/block/discard/unmap", test_discard_zeroes);
    g_test_add_func("/block/discard/ignore", test_discard_ignored);
    g_test_add_func("/block/read-only/refused", test_read_only);
    g_test_add_func("/block/read-only/file", test_read_only_file);
    g_test_add_func("/block/locking", test_locking);
    g_test_add_func("/block/options/errors", test_option_errors);
    g_test_add_func("/block/options/blockdev", test_blockdev);
    g_test_add_func("/block/options/drive-names", test_drive_names);
    g_test_add_func("/block/options/probe", test_probe);
    g_test_add_func("/block/concurrent/threads", test_concurrent_threads);
    g_test_add_func("/block/concurrent/io_uring", test_concurrent_io_uring);
    g_test_add_func("/block/errors", test_errors);
    ret = g_test_run();
    test_cleanup();
    return ret;
}
