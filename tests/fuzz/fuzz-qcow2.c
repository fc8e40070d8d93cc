/*
 * libFuzzer target for the qcow2 driver: the input is an image file. It is
 * opened read-only (header, extensions, table checks; the backing file is
 * not opened), read (the first MiB and a few offsets spread over the virtual
 * size, through every kind of cluster) and checked (every reference and
 * refcount). Hostile images must be refused or read with errors, never
 * crash, hang or exhaust memory.
 *
 * Build with `make fuzz` (clang -fsanitize=fuzzer,address,undefined); run as
 * build/tests/fuzz/fuzz-qcow2 -artifact_prefix=build/ build/fuzz-qcow2
 * tests/fuzz/corpus/qcow2 (new inputs go to the first directory).
 * tests/unit/test-qcow2.c runs this same entry point over the fixed corpus
 * in `make check`.
 */
#include "util/osdep.h"
#include <sys/mman.h>
#include "block/qcow2.h"

#define FUZZ_READ_BYTES (64 * KiB)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz-qcow2", MFD_CLOEXEC);
    g_autofree char *path = g_strdup_printf("/proc/self/fd/%d", fd);
    static uint8_t buf[FUZZ_READ_BYTES];
    Qcow2CheckResult res;
    BlockDriverState *bs;
    GError *err = NULL;
    int64_t len;

    if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
        abort();
    }
    bs = bdrv_open_image(path, "qcow2", "x-no-backing=on", 0, NULL, &err);
    if (!bs) {
        g_error_free(err);
        close(fd);
        return 0;
    }
    len = bdrv_getlength(bs);
    for (int i = 0; i < 24 && len > 0; i++) {
        uint64_t off = i < 16 ? i * FUZZ_READ_BYTES : (uint64_t)len / 8 * (i - 16);
        if (off < (uint64_t)len) {
            bdrv_pio_buf(bs, BDRV_OP_READ, off, buf, MIN(sizeof(buf), (uint64_t)len - off), 0);
        }
    }
    if (qcow2_check(bs, 0, &res) == 0) {
        g_string_free(res.log, TRUE);
    }
    bdrv_unref(bs);
    close(fd);
    return 0;
}
