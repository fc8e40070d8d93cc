/*
 * The code buffer: one memfd mapped twice, once read-write (where back ends
 * write) and once read-execute (where code runs), so no address is ever
 * writable and executable at once. TCGContext keeps RX addresses;
 * tcg_splitwx_to_rw() converts. A flush forgets every TB but keeps what the
 * back end put before code_gen_start (its prologue).
 */
#include "util/osdep.h"
#include "tcg/tcg.h"

#include <sys/mman.h>

bool tcg_code_buffer_init(TCGContext *s, size_t size, GError **errp)
{
    void *rw, *rx;
    int fd;

    size = ROUND_UP(size, 64 * KiB);
    fd = memfd_create("kestrel-tcg-code", MFD_CLOEXEC);
    if (fd < 0) {
        error_setg_errno(errp, errno, "TCG code buffer: memfd_create");
        return false;
    }
    if (ftruncate(fd, (off_t)size) < 0) {
        error_setg_errno(errp, errno, "TCG code buffer: cannot size it to %zu bytes", size);
        close(fd);
        return false;
    }
    rw = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (rw == MAP_FAILED) {
        error_setg_errno(errp, errno, "TCG code buffer: mmap RW");
        close(fd);
        return false;
    }
    rx = mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
    if (rx == MAP_FAILED) {
        error_setg_errno(errp, errno, "TCG code buffer: mmap RX");
        munmap(rw, size);
        close(fd);
        return false;
    }
    close(fd);
    s->code_gen_buffer = rx;
    s->code_gen_buffer_size = size;
    s->splitwx_diff = (char *)rw - (char *)rx;
    s->code_gen_start = rx;
    s->code_gen_ptr = rx;
    s->code_gen_highwater = (char *)rx + size - 2 * TCG_HIGHWATER;
    return true;
}

void tcg_code_buffer_flush(TCGContext *s)
{
    s->code_gen_ptr = s->code_gen_start;
}

size_t tcg_code_buffer_used(TCGContext *s)
{
    return (size_t)((char *)s->code_gen_ptr - (char *)s->code_gen_start);
}

void tcg_flush_icache_range(const void *rx, size_t len)
{
    /* x86 keeps instruction fetch coherent with data writes; order the stores. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}
