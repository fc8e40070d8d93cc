/*
 * The qcow2 format driver (versions 2 and 3), written from the format's
 * specification (QEMU's docs/interop/qcow2.txt).
 *
 * A guest offset maps through the L1 table (in memory) to an L2 table (an
 * LRU cache of whole tables) to a host cluster: normal, zero (v3 flag),
 * compressed (raw deflate, inflated into at most one cluster) or unallocated
 * (read from the backing image, any format, or as zeros). Refcounts of every
 * width (1 to 64 bits) live in qcow2-refcount.c.
 *
 * Requests run one at a time per image (a mutex) on a pool worker, doing
 * synchronous I/O on the file child and the backing image (bdrv_pio). The
 * order of writes makes a process killed at any moment leave an image that
 * may leak clusters but is never corrupt:
 *   1. refcount increments of new clusters (a new refcount block is written
 *      and flushed before the refcount table points to it);
 *   2. the data, written into the new clusters (with the old contents of
 *      partly written clusters), and a new L2 table's whole contents;
 *   3. flush;
 *   4. the L2 entries (or, for a new L2 table, the L1 entry) that make the
 *      new clusters visible;
 *   5. only when clusters were replaced: flush, then their refcounts drop.
 * Writes to clusters the image owns alone (COPIED flag) go in place. The
 * dirty bit is never set (no lazy refcounts); an image found dirty is
 * repaired when opened read-write. A corruption found while running sets the
 * corrupt bit and refuses writes from then on.
 */
#include "util/osdep.h"
#include <fcntl.h>
#include <stdarg.h>
#include <zlib.h>
#include "block/raw-aio.h"
#include "qcow2-int.h"

#define QCOW2_CACHE_BYTES (2 * MiB)
#define QCOW2_MAX_RUN_BYTES (1 * MiB)
#define QCOW2_PROBE_SCORE 100

/* ---- file I/O ---- */

int qcow2_pread(Qcow2State *s, uint64_t offset, void *buf, uint64_t bytes)
{
    return bdrv_pio_buf(s->file, BDRV_OP_READ, offset, buf, bytes, 0);
}

int qcow2_pwrite(Qcow2State *s, uint64_t offset, const void *buf, uint64_t bytes)
{
    int ret = bdrv_pio_buf(s->file, BDRV_OP_WRITE, offset, (void *)buf, bytes, 0);

    if (ret == 0 && offset + bytes > s->file_end) {
        s->file_end = offset + bytes;
    }
    return ret;
}

int qcow2_flush_file(Qcow2State *s)
{
    return bdrv_pio_buf(s->file, BDRV_OP_FLUSH, 0, NULL, 0, 0);
}

int qcow2_corruption(Qcow2State *s, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (s->corrupt) {
        return -EIO;
    }
    s->corrupt = true;
    if (!s->read_only && s->version >= 3) {
        uint8_t be[8];
        s->incompat |= QCOW2_INCOMPAT_CORRUPT;
        qcow2_put_be64(be, s->incompat);
        if (qcow2_pwrite(s, QCOW2_HDR_INCOMPAT, be, 8) == 0) {
            qcow2_flush_file(s);
        }
        warn_report("qcow2 image '%s' is corrupt: %s; it is marked corrupt and further "
                    "writes are refused (repair with 'kestrel-img check -r all')",
                    s->file->filename, msg);
    } else {
        warn_report("qcow2 image '%s' is corrupt: %s", s->file->filename, msg);
    }
    return -EIO;
}

bool qcow2_overlaps_fixed_metadata(Qcow2State *s, uint64_t offset, uint64_t bytes)
{
    struct { uint64_t start, len; } areas[] = {
        { 0, s->cluster_size },
        { s->l1_offset, (uint64_t)s->l1_size * 8 },
        { s->rt_offset, (uint64_t)s->rt_clusters << s->cluster_bits },
    };

    for (size_t i = 0; i < ARRAY_SIZE(areas); i++) {
        if (areas[i].len && offset < areas[i].start + areas[i].len &&
            areas[i].start < offset + bytes) {
            return true;
        }
    }
    return false;
}

/* ---- table caches ---- */

static void qcow2_cache_init(Qcow2State *s, Qcow2Cache *c)
{
    c->n = CLAMP(QCOW2_CACHE_BYTES >> s->cluster_bits, 4, 64);
    c->offsets = g_new0(uint64_t, c->n);
    c->used = g_new0(uint64_t, c->n);
    c->data = g_malloc((size_t)c->n << s->cluster_bits);
}

static void qcow2_cache_free(Qcow2Cache *c)
{
    g_free(c->offsets);
    g_free(c->used);
    g_free(c->data);
}

int qcow2_cache_get(Qcow2State *s, Qcow2Cache *c, uint64_t offset, bool is_new,
                    uint8_t **table)
{
    unsigned victim = 0;
    uint8_t *t;
    int ret;

    for (unsigned i = 0; i < c->n; i++) {
        if (c->offsets[i] == offset) {
            c->used[i] = ++c->stamp;
            *table = c->data + ((size_t)i << s->cluster_bits);
            if (is_new) {
                memset(*table, 0, s->cluster_size);
            }
            return 0;
        }
        if (c->used[i] < c->used[victim]) {
            victim = i;
        }
    }
    t = c->data + ((size_t)victim << s->cluster_bits);
    c->offsets[victim] = 0;
    if (is_new) {
        memset(t, 0, s->cluster_size);
    } else {
        if (offset + s->cluster_size > s->file_end) {
            return qcow2_corruption(s, "metadata table at 0x%" PRIx64 " is past the end of the "
                                    "file", offset);
        }
        ret = qcow2_pread(s, offset, t, s->cluster_size);
        if (ret < 0) {
            return ret;
        }
    }
    c->offsets[victim] = offset;
    c->used[victim] = ++c->stamp;
    *table = t;
    return 0;
}

void qcow2_cache_drop(Qcow2State *s, Qcow2Cache *c, uint64_t offset)
{
    for (unsigned i = 0; i < c->n; i++) {
        if (c->offsets[i] == offset) {
            c->offsets[i] = 0;
            c->used[i] = 0;
        }
    }
}

/* ---- iovec helpers ---- */

/* OUT (room for CNT + 1 entries) = the bytes [POS, POS+LEN) of IOV; the entry count. */
static int qcow2_iov_slice(const struct iovec *iov, int cnt, uint64_t pos, uint64_t len,
                           struct iovec *out)
{
    int n = 0;

    for (int i = 0; i < cnt && len; i++) {
        if (pos >= iov[i].iov_len) {
            pos -= iov[i].iov_len;
            continue;
        }
        out[n].iov_base = (char *)iov[i].iov_base + pos;
        out[n].iov_len = MIN(iov[i].iov_len - pos, len);
        len -= out[n].iov_len;
        pos = 0;
        n++;
    }
    return n;
}

/* Copies LEN bytes between IOV at POS and BUF. */
static void qcow2_iov_copy(const struct iovec *iov, int cnt, uint64_t pos, void *buf,
                           uint64_t len, bool to_buf)
{
    g_autofree struct iovec *part = g_new(struct iovec, cnt + 1);
    int n = qcow2_iov_slice(iov, cnt, pos, len, part);
    char *p = buf;

    for (int i = 0; i < n; i++) {
        if (to_buf) {
            memcpy(p, part[i].iov_base, part[i].iov_len);
        } else if (buf) {
            memcpy(part[i].iov_base, p, part[i].iov_len);
        } else {
            memset(part[i].iov_base, 0, part[i].iov_len);
        }
        p += part[i].iov_len;
    }
}

static int qcow2_pio_iov(BlockDriverState *bs, BdrvOp op, uint64_t offset,
                         const struct iovec *iov, int cnt, uint64_t pos, uint64_t len)
{
    g_autofree struct iovec *part = g_new(struct iovec, cnt + 1);
    BdrvRequest req = { .op = op, .offset = offset, .bytes = len, .iov = part };

    req.iovcnt = qcow2_iov_slice(iov, cnt, pos, len, part);
    return bdrv_pio(bs, &req);
}

/* ---- probing and opening ---- */

static int qcow2_probe(const uint8_t *buf, size_t len, const char *filename)
{
    if (len >= 8 && qcow2_be32(buf) == QCOW2_MAGIC &&
        (qcow2_be32(buf + 4) == 2 || qcow2_be32(buf + 4) == 3)) {
        return QCOW2_PROBE_SCORE;
    }
    return 0;
}

/* The names of the incompatible feature bits in MASK ("bit 5" when the table has none). */
static char *qcow2_feature_list(Qcow2State *s, uint64_t mask)
{
    GString *str = g_string_new(NULL);

    for (int bit = 0; bit < 64; bit++) {
        g_autofree char *key = g_strdup_printf("\n0:%d:", bit);
        const char *name = s->feature_names ? strstr(s->feature_names, key) : NULL;

        if (!(mask & (1ull << bit))) {
            continue;
        }
        if (str->len) {
            g_string_append(str, ", ");
        }
        if (name) {
            name += strlen(key);
            g_string_append_len(str, name, strchr(name, '\n') - name);
        } else {
            g_string_append_printf(str, "bit %d", bit);
        }
    }
    return g_string_free(str, FALSE);
}

static bool qcow2_parse_extensions(Qcow2State *s, const uint8_t *hdr, uint64_t end,
                                   GError **errp)
{
    uint64_t pos = s->header_length;
    GString *names = g_string_new("\n");

    while (pos + 8 <= end) {
        uint32_t type = qcow2_be32(hdr + pos);
        uint32_t len = qcow2_be32(hdr + pos + 4);

        if (type == QCOW2_EXT_END) {
            break;
        }
        pos += 8;
        if (len > end - pos) {
            error_setg(errp, "header extension 0x%x is larger than the header cluster", type);
            g_string_free(names, TRUE);
            return false;
        }
        if (type == QCOW2_EXT_BACKING_FORMAT) {
            g_free(s->backing_format);
            s->backing_format = g_strndup((const char *)hdr + pos, MIN(len, 63));
        } else if (type == QCOW2_EXT_FEATURE_TABLE) {
            for (uint32_t i = 0; i + 48 <= len; i += 48) {
                g_autofree char *name = g_strndup((const char *)hdr + pos + i + 2, 46);
                g_strdelimit(name, "\n", ' ');
                g_string_append_printf(names, "%u:%u:%s\n", hdr[pos + i], hdr[pos + i + 1],
                                       name);
            }
        }
        /* Other extensions are optional to understand: skipped. */
        pos += ROUND_UP((uint64_t)len, 8);
    }
    s->feature_names = g_string_free(names, FALSE);
    return true;
}

/* A table of BYTES at OFFSET: aligned, out of the header, inside the file. */
static bool qcow2_check_table(Qcow2State *s, const char *what, uint64_t offset, uint64_t bytes,
                              GError **errp)
{
    if (!bytes) {
        return true;
    }
    if (offset & (s->cluster_size - 1)) {
        error_setg(errp, "the %s offset 0x%" PRIx64 " is not cluster-aligned", what, offset);
        return false;
    }
    if (offset < s->cluster_size) {
        error_setg(errp, "the %s overlaps the image header", what);
        return false;
    }
    if (offset > s->file_end || bytes > s->file_end - offset) {
        error_setg(errp, "the %s (0x%" PRIx64 " + %" PRIu64 " bytes) is past the end of the "
                   "file", what, offset, bytes);
        return false;
    }
    return true;
}

static bool qcow2_ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return alen && blen && a < b + blen && b < a + alen;
}

static bool qcow2_read_header(Qcow2State *s, GError **errp)
{
    uint8_t fixed[QCOW2_HDR_V3_MIN_LEN] = { 0 };
    g_autofree uint8_t *hdr = NULL;
    uint64_t backing_off, l2_cover, need_l1, hdr_len;
    uint32_t backing_len;
    int ret;

    if (s->file_end < QCOW2_HDR_V2_LEN) {
        error_setg(errp, "the file is too small for a qcow2 header");
        return false;
    }
    ret = qcow2_pread(s, 0, fixed, MIN(s->file_end, sizeof(fixed)));
    if (ret < 0) {
        error_setg_errno(errp, -ret, "could not read the qcow2 header");
        return false;
    }
    if (qcow2_be32(fixed) != QCOW2_MAGIC) {
        error_setg(errp, "not a qcow2 image (bad magic)");
        return false;
    }
    s->version = qcow2_be32(fixed + 4);
    if (s->version != 2 && s->version != 3) {
        error_setg(errp, "unsupported qcow2 version %d", s->version);
        return false;
    }
    s->cluster_bits = qcow2_be32(fixed + 20);
    if (s->cluster_bits < QCOW2_MIN_CLUSTER_BITS || s->cluster_bits > QCOW2_MAX_CLUSTER_BITS) {
        error_setg(errp, "unsupported cluster size: 2^%u bytes", s->cluster_bits);
        return false;
    }
    s->cluster_size = 1ull << s->cluster_bits;
    s->l2_bits = s->cluster_bits - 3;
    s->size = qcow2_be64(fixed + QCOW2_HDR_SIZE);
    if (qcow2_be32(fixed + 32) != 0) {
        error_setg(errp, "encrypted qcow2 images are not supported");
        return false;
    }
    s->l1_size = qcow2_be32(fixed + QCOW2_HDR_L1_SIZE);
    s->l1_offset = qcow2_be64(fixed + QCOW2_HDR_L1_SIZE + 4);
    s->rt_offset = qcow2_be64(fixed + QCOW2_HDR_REFTABLE);
    s->rt_clusters = qcow2_be32(fixed + QCOW2_HDR_REFTABLE + 8);
    s->nb_snapshots = qcow2_be32(fixed + 60);
    s->snapshots_offset = qcow2_be64(fixed + 64);
    if (s->version == 2) {
        s->header_length = QCOW2_HDR_V2_LEN;
        s->refcount_order = 4;
    } else {
        s->incompat = qcow2_be64(fixed + QCOW2_HDR_INCOMPAT);
        s->compat = qcow2_be64(fixed + 80);
        s->autoclear = qcow2_be64(fixed + QCOW2_HDR_AUTOCLEAR);
        s->refcount_order = qcow2_be32(fixed + 96);
        s->header_length = qcow2_be32(fixed + 100);
        if (s->header_length < QCOW2_HDR_V3_MIN_LEN || s->header_length > s->cluster_size) {
            error_setg(errp, "invalid header length %u", s->header_length);
            return false;
        }
    }
    if (s->refcount_order > 6) {
        error_setg(errp, "invalid refcount order %u (at most 6: 64-bit refcounts)",
                   s->refcount_order);
        return false;
    }
    s->refcount_max = s->refcount_order == 6 ? UINT64_MAX :
                      (1ull << (1u << s->refcount_order)) - 1;
    s->rb_bits = s->cluster_bits + 3 - s->refcount_order;

    /* The whole header cluster: extensions and the backing file name live there. */
    hdr_len = MIN(s->cluster_size, s->file_end);
    hdr = g_malloc0(s->cluster_size);
    ret = qcow2_pread(s, 0, hdr, hdr_len);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "could not read the qcow2 header");
        return false;
    }
    if (s->version >= 3 && s->header_length > QCOW2_HDR_V3_MIN_LEN && hdr[104] != 0) {
        error_setg(errp, "unsupported compression type %u (only zlib)", hdr[104]);
        return false;
    }
    backing_off = qcow2_be64(hdr + 8);
    backing_len = qcow2_be32(hdr + 16);
    if (!qcow2_parse_extensions(s, hdr, backing_off && backing_off < s->cluster_size ?
                                backing_off : s->cluster_size, errp)) {
        return false;
    }
    if (s->incompat & ~QCOW2_INCOMPAT_KNOWN) {
        g_autofree char *list = qcow2_feature_list(s, s->incompat & ~QCOW2_INCOMPAT_KNOWN);
        error_setg(errp, "unsupported qcow2 feature(s): %s", list);
        return false;
    }
    if (backing_off) {
        if (backing_len > QCOW2_MAX_BACKING_NAME || backing_off >= s->cluster_size ||
            backing_len > s->cluster_size - backing_off || backing_off < s->header_length) {
            error_setg(errp, "invalid backing file name (offset %" PRIu64 ", %u bytes)",
                       backing_off, backing_len);
            return false;
        }
        s->backing_file = g_strndup((const char *)hdr + backing_off, backing_len);
    }

    /* The tables: sizes, places, no overlaps. */
    l2_cover = s->cluster_size << s->l2_bits;
    if (s->size > (1ull << 62)) {
        error_setg(errp, "virtual size %" PRIu64 " is too large", s->size);
        return false;
    }
    need_l1 = DIV_ROUND_UP(s->size, l2_cover);
    if ((uint64_t)s->l1_size * 8 > QCOW2_MAX_L1_BYTES) {
        error_setg(errp, "the L1 table is too large (%u entries)", s->l1_size);
        return false;
    }
    if (need_l1 > s->l1_size) {
        error_setg(errp, "the L1 table (%u entries) is too small for the virtual size %"
                   PRIu64, s->l1_size, s->size);
        return false;
    }
    if (s->rt_clusters == 0 || ((uint64_t)s->rt_clusters << s->cluster_bits) >
        QCOW2_MAX_REFTABLE_BYTES) {
        error_setg(errp, "invalid refcount table size (%u clusters)", s->rt_clusters);
        return false;
    }
    s->rt_size = ((uint64_t)s->rt_clusters << s->cluster_bits) / 8;
    if (s->nb_snapshots > QCOW2_MAX_SNAPSHOTS) {
        error_setg(errp, "too many snapshots (%u)", s->nb_snapshots);
        return false;
    }
    if (!qcow2_check_table(s, "L1 table", s->l1_offset, (uint64_t)s->l1_size * 8, errp) ||
        !qcow2_check_table(s, "refcount table", s->rt_offset,
                           (uint64_t)s->rt_clusters << s->cluster_bits, errp) ||
        !qcow2_check_table(s, "snapshot table", s->snapshots_offset,
                           s->nb_snapshots ? 40 : 0, errp)) {
        return false;
    }
    if (qcow2_ranges_overlap(s->l1_offset, (uint64_t)s->l1_size * 8, s->rt_offset,
                             (uint64_t)s->rt_clusters << s->cluster_bits) ||
        (s->nb_snapshots &&
         (qcow2_ranges_overlap(s->snapshots_offset, 40, s->rt_offset,
                               (uint64_t)s->rt_clusters << s->cluster_bits) ||
          qcow2_ranges_overlap(s->snapshots_offset, 40, s->l1_offset,
                               (uint64_t)s->l1_size * 8)))) {
        error_setg(errp, "the L1, refcount and snapshot tables overlap");
        return false;
    }
    s->l1 = g_try_new0(uint64_t, MAX(s->l1_size, 1));
    s->rt = g_try_new0(uint64_t, s->rt_size);
    if (!s->l1 || !s->rt) {
        error_setg(errp, "out of memory for the image's tables");
        return false;
    }
    ret = qcow2_pread(s, s->l1_offset, s->l1, (uint64_t)s->l1_size * 8);
    if (ret == 0) {
        ret = qcow2_pread(s, s->rt_offset, s->rt, s->rt_size * 8);
    }
    if (ret < 0) {
        error_setg_errno(errp, -ret, "could not read the image's tables");
        return false;
    }
    for (uint32_t i = 0; i < s->l1_size; i++) {
        s->l1[i] = GUINT64_FROM_BE(s->l1[i]);
    }
    for (uint64_t i = 0; i < s->rt_size; i++) {
        s->rt[i] = GUINT64_FROM_BE(s->rt[i]);
    }
    return true;
}

static int qcow2_open_depth;    /* backing images being opened (on the main thread) */

static bool qcow2_open_backing(Qcow2State *s, BlockDriverState *bs, GError **errp)
{
    g_autofree char *dir = g_path_get_dirname(bs->file->filename);
    g_autofree char *path = g_path_is_absolute(s->backing_file) ?
                            g_strdup(s->backing_file) :
                            g_build_filename(dir, s->backing_file, NULL);
    g_autofree char *real_self = realpath(bs->file->filename, NULL);
    g_autofree char *real_back = realpath(path, NULL);
    GError *err = NULL;

    if (real_self && real_back && !strcmp(real_self, real_back)) {
        error_setg(errp, "'%s' is its own backing file", bs->file->filename);
        return false;
    }
    if (qcow2_open_depth >= QCOW2_MAX_CHAIN) {
        error_setg(errp, "the backing chain is longer than %d images (or loops)",
                   QCOW2_MAX_CHAIN);
        return false;
    }
    qcow2_open_depth++;
    s->backing = bdrv_open_image(path, s->backing_format, NULL,
                                 bs->open_flags & BDRV_O_NOCACHE, NULL, &err);
    qcow2_open_depth--;
    if (!s->backing) {
        error_setg(errp, "could not open backing file '%s': %s", path, err->message);
        g_error_free(err);
        return false;
    }
    s->backing_len = bdrv_getlength(s->backing);
    if (s->backing_len < 0) {
        error_setg_errno(errp, (int)-s->backing_len, "backing file '%s': no size", path);
        return false;
    }
    return true;
}

static bool qcow2_open(BlockDriverState *bs, BdrvOpenOpts *opts, GError **errp)
{
    Qcow2State *s = bs->opaque;
    bool repair, no_backing;
    int64_t len;
    int ret;

    g_mutex_init(&s->lock);
    s->bs = bs;
    if (!bdrv_opt_get_bool(opts, "x-repair", false, &repair, errp) ||
        !bdrv_opt_get_bool(opts, "x-no-backing", false, &no_backing, errp)) {
        return false;
    }
    bs->file = bdrv_open_child(bs, opts, errp);
    if (!bs->file) {
        return false;
    }
    s->file = bs->file;
    bs->filename = g_strdup(bs->file->filename);
    bs->request_alignment = 1;
    s->read_only = bdrv_is_read_only(bs);
    len = bdrv_getlength(bs->file);
    if (len < 0) {
        error_setg_errno(errp, (int)-len, "'%s': cannot get the file size", bs->filename);
        return false;
    }
    s->file_end = len;
    if (!qcow2_read_header(s, errp)) {
        g_prefix_error(errp, "'%s': ", bs->filename);
        return false;
    }
    qcow2_cache_init(s, &s->l2_cache);
    qcow2_cache_init(s, &s->rb_cache);
    s->cbuf = g_malloc(s->cluster_size);
    s->free_hint = 1;

    if (!s->read_only && (s->incompat & QCOW2_INCOMPAT_CORRUPT) && !repair) {
        error_setg(errp, "'%s': the image is marked corrupt, so it opens read-only only "
                   "(repair it with 'kestrel-img check -r all')", bs->filename);
        return false;
    }
    s->corrupt = (s->incompat & QCOW2_INCOMPAT_CORRUPT) && !repair;
    if (!s->read_only) {
        uint8_t be[8] = { 0 };
        if (s->autoclear) {         /* we keep no autoclear feature's data up to date */
            s->autoclear = 0;
            ret = qcow2_pwrite(s, QCOW2_HDR_AUTOCLEAR, be, 8);
            if (ret < 0) {
                error_setg_errno(errp, -ret, "'%s': cannot update the header", bs->filename);
                return false;
            }
        }
        if (s->incompat & QCOW2_INCOMPAT_DIRTY) {
            Qcow2CheckResult res = { 0 };
            ret = qcow2_check_image(s, QCOW2_FIX_LEAKS | QCOW2_FIX_ERRORS, &res);
            g_string_free(res.log, TRUE);
            if (ret == 0) {
                s->incompat &= ~QCOW2_INCOMPAT_DIRTY;
                qcow2_put_be64(be, s->incompat);
                ret = qcow2_pwrite(s, QCOW2_HDR_INCOMPAT, be, 8);
            }
            if (ret < 0) {
                error_setg_errno(errp, -ret, "'%s': cannot repair the dirty image",
                                 bs->filename);
                return false;
            }
        }
    }
    if (s->backing_file && !no_backing && !qcow2_open_backing(s, bs, errp)) {
        return false;
    }
    return true;
}

static void qcow2_close(BlockDriverState *bs)
{
    Qcow2State *s = bs->opaque;

    if (s->file && !s->read_only) {
        qcow2_flush_file(s);
    }
    if (s->backing) {
        bdrv_unref(s->backing);
    }
    if (s->cbuf) {
        qcow2_cache_free(&s->l2_cache);
        qcow2_cache_free(&s->rb_cache);
    }
    g_free(s->cbuf);
    g_free(s->l1);
    g_free(s->rt);
    g_free(s->backing_file);
    g_free(s->backing_format);
    g_free(s->feature_names);
    g_mutex_clear(&s->lock);
}

static int64_t qcow2_getlength(BlockDriverState *bs)
{
    Qcow2State *s = bs->opaque;

    return s->size;
}

/* ---- mapping ---- */

/* The L2 entry of guest OFFSET (0: unallocated). */
static int qcow2_get_l2e(Qcow2State *s, uint64_t offset, uint64_t *l2e)
{
    uint64_t l1i = offset >> (s->cluster_bits + s->l2_bits);
    uint64_t l2i = (offset >> s->cluster_bits) & ((1ull << s->l2_bits) - 1);
    uint64_t l2off;
    uint8_t *table;
    int ret;

    *l2e = 0;
    if (l1i >= s->l1_size) {
        return 0;
    }
    l2off = s->l1[l1i] & QCOW2_OFFSET_MASK;
    if (!l2off) {
        return 0;
    }
    if ((l2off & (s->cluster_size - 1)) || l2off < s->cluster_size) {
        return qcow2_corruption(s, "L2 table offset 0x%" PRIx64 " is invalid", l2off);
    }
    ret = qcow2_cache_get(s, &s->l2_cache, l2off, false, &table);
    if (ret < 0) {
        return ret;
    }
    *l2e = qcow2_be64(table + l2i * 8);
    return 0;
}

void qcow2_compressed_range(Qcow2State *s, uint64_t l2e, uint64_t *offset, uint64_t *bytes)
{
    uint32_t x = 62 - (s->cluster_bits - 8);
    uint64_t nsec = ((l2e >> x) & ((1ull << (s->cluster_bits - 8)) - 1)) + 1;

    *offset = l2e & ((1ull << x) - 1);
    *bytes = nsec * 512 - (*offset & 511);
}

/* The data cluster of a normal entry: its host offset, checked. */
static int qcow2_data_offset(Qcow2State *s, uint64_t l2e, uint64_t *host)
{
    *host = l2e & QCOW2_OFFSET_MASK;
    if ((*host & (s->cluster_size - 1)) || *host < s->cluster_size) {
        return qcow2_corruption(s, "data cluster offset 0x%" PRIx64 " is invalid", *host);
    }
    if (*host >= s->file_end) {
        return qcow2_corruption(s, "data cluster offset 0x%" PRIx64 " is past the end of the "
                                "file", *host);
    }
    return 0;
}

static int qcow2_decompress(Qcow2State *s, uint64_t l2e)
{
    uint64_t coff, clen;
    g_autofree uint8_t *in = NULL;
    z_stream zs = { 0 };
    int ret, zret;

    if (s->cbuf_entry == l2e) {
        return 0;
    }
    qcow2_compressed_range(s, l2e, &coff, &clen);
    if (coff < s->cluster_size || coff >= s->file_end) {
        return qcow2_corruption(s, "compressed cluster offset 0x%" PRIx64 " is invalid", coff);
    }
    clen = MIN(clen, s->file_end - coff);
    in = g_malloc(clen);
    ret = qcow2_pread(s, coff, in, clen);
    if (ret < 0) {
        return ret;
    }
    s->cbuf_entry = 0;
    if (inflateInit2(&zs, -12) != Z_OK) {
        return -ENOMEM;
    }
    zs.next_in = in;
    zs.avail_in = clen;
    zs.next_out = s->cbuf;
    zs.avail_out = s->cluster_size;     /* never more than one cluster comes out */
    zret = inflate(&zs, Z_FINISH);
    inflateEnd(&zs);
    if (zs.avail_out != 0 || (zret != Z_STREAM_END && zret != Z_BUF_ERROR && zret != Z_OK)) {
        return qcow2_corruption(s, "compressed cluster at 0x%" PRIx64 " does not inflate to "
                                "one cluster", coff);
    }
    s->cbuf_entry = l2e;
    return 0;
}

/* ---- reading ---- */

static int qcow2_read_backing(Qcow2State *s, uint64_t offset, uint64_t bytes,
                              const struct iovec *iov, int cnt, uint64_t pos)
{
    uint64_t n = 0;

    if (s->backing && offset < (uint64_t)s->backing_len) {
        n = MIN(bytes, s->backing_len - offset);
        int ret = qcow2_pio_iov(s->backing, BDRV_OP_READ, offset, iov, cnt, pos, n);
        if (ret < 0) {
            return ret;
        }
    }
    if (n < bytes) {
        qcow2_iov_copy(iov, cnt, pos + n, NULL, bytes - n, false);
    }
    return 0;
}

static int qcow2_do_read(Qcow2State *s, uint64_t offset, uint64_t bytes,
                         const struct iovec *iov, int cnt)
{
    uint64_t pos = 0;

    while (pos < bytes) {
        uint64_t in = (offset + pos) & (s->cluster_size - 1);
        uint64_t n = MIN(s->cluster_size - in, bytes - pos);
        uint64_t l2e, host, next;
        int ret = qcow2_get_l2e(s, offset + pos, &l2e);

        if (ret < 0) {
            return ret;
        }
        if (l2e & QCOW2_OFLAG_COMPRESSED) {
            ret = qcow2_decompress(s, l2e);
            if (ret == 0) {
                qcow2_iov_copy(iov, cnt, pos, s->cbuf + in, n, false);
            }
        } else if (s->version >= 3 && (l2e & QCOW2_OFLAG_ZERO)) {
            qcow2_iov_copy(iov, cnt, pos, NULL, n, false);
        } else if (!(l2e & QCOW2_OFFSET_MASK)) {
            /* Unallocated: extend over the following unallocated clusters. */
            while (pos + n < bytes && n < QCOW2_MAX_RUN_BYTES) {
                ret = qcow2_get_l2e(s, offset + pos + n, &next);
                if (ret < 0 || next) {
                    break;
                }
                n += MIN(s->cluster_size, bytes - pos - n);
            }
            ret = qcow2_read_backing(s, offset + pos, n, iov, cnt, pos);
        } else {
            ret = qcow2_data_offset(s, l2e, &host);
            /* Contiguous host clusters are read at once. */
            while (ret == 0 && pos + n < bytes && n < QCOW2_MAX_RUN_BYTES &&
                   qcow2_get_l2e(s, offset + pos + n, &next) == 0 &&
                   !(next & (QCOW2_OFLAG_COMPRESSED | QCOW2_OFLAG_ZERO)) &&
                   (next & QCOW2_OFFSET_MASK) == host + in + n &&
                   host + in + n < s->file_end) {
                n += MIN(s->cluster_size, bytes - pos - n);
            }
            if (ret == 0) {
                ret = qcow2_pio_iov(s->file, BDRV_OP_READ, host + in, iov, cnt, pos, n);
            }
        }
        if (ret < 0) {
            return ret;
        }
        pos += n;
    }
    return 0;
}

static int qcow2_read_buf(Qcow2State *s, uint64_t offset, void *buf, uint64_t bytes)
{
    struct iovec iov = { .iov_base = buf, .iov_len = bytes };

    return qcow2_do_read(s, offset, bytes, &iov, 1);
}

/* ---- writing ---- */

/* Whether the cluster of L2E can be written in place. */
static bool qcow2_in_place(Qcow2State *s, uint64_t l2e)
{
    return (l2e & QCOW2_OFLAG_COPIED) && !(l2e & QCOW2_OFLAG_COMPRESSED) &&
           (l2e & QCOW2_OFFSET_MASK) && !(s->version >= 3 && (l2e & QCOW2_OFLAG_ZERO));
}

/*
 * Points the N guest clusters from OFFSET (in one L2 table) at NEW_ENTRIES
 * (host order), allocating or copying the L2 table when the image does not
 * own it alone; *OLD gets the entries replaced. Steps 4-5 of the ordering:
 * the caller has written (and flushed) what the entries name.
 */
static int qcow2_set_entries(Qcow2State *s, uint64_t offset, uint64_t n,
                             const uint64_t *new_entries, uint64_t *old)
{
    uint64_t l1i = offset >> (s->cluster_bits + s->l2_bits);
    uint64_t l2i = (offset >> s->cluster_bits) & ((1ull << s->l2_bits) - 1);
    uint64_t l1e = s->l1[l1i], l2off = l1e & QCOW2_OFFSET_MASK;
    uint8_t *table, *copy = NULL;
    int64_t new_l2;
    uint8_t be[8];
    int ret;

    if (l2off && (l1e & QCOW2_OFLAG_COPIED)) {
        ret = qcow2_cache_get(s, &s->l2_cache, l2off, false, &table);
        if (ret < 0) {
            return ret;
        }
        for (uint64_t i = 0; i < n; i++) {
            old[i] = qcow2_be64(table + (l2i + i) * 8);
            qcow2_put_be64(table + (l2i + i) * 8, new_entries[i]);
        }
        ret = qcow2_pwrite(s, l2off + l2i * 8, table + l2i * 8, n * 8);
        if (ret < 0) {
            qcow2_cache_drop(s, &s->l2_cache, l2off);
        }
        return ret;
    }
    /* A new L2 table: a copy of the shared one, or empty. */
    copy = g_malloc0(s->cluster_size);
    if (l2off) {
        ret = qcow2_cache_get(s, &s->l2_cache, l2off, false, &table);
        if (ret < 0) {
            g_free(copy);
            return ret;
        }
        memcpy(copy, table, s->cluster_size);
    }
    new_l2 = qcow2_alloc_clusters(s, 1);
    if (new_l2 < 0) {
        g_free(copy);
        return new_l2;
    }
    if (qcow2_overlaps_fixed_metadata(s, new_l2, s->cluster_size)) {
        g_free(copy);
        return qcow2_corruption(s, "a new L2 table would overwrite metadata at 0x%" PRIx64,
                                (uint64_t)new_l2);
    }
    for (uint64_t i = 0; i < n; i++) {
        old[i] = qcow2_be64(copy + (l2i + i) * 8);
        qcow2_put_be64(copy + (l2i + i) * 8, new_entries[i]);
    }
    ret = qcow2_pwrite(s, new_l2, copy, s->cluster_size);
    if (ret == 0) {
        ret = qcow2_flush_file(s);
    }
    if (ret == 0) {
        qcow2_put_be64(be, new_l2 | QCOW2_OFLAG_COPIED);
        ret = qcow2_pwrite(s, s->l1_offset + l1i * 8, be, 8);
    }
    if (ret == 0) {
        s->l1[l1i] = new_l2 | QCOW2_OFLAG_COPIED;
        ret = qcow2_cache_get(s, &s->l2_cache, new_l2, true, &table);
        memcpy(table, copy, s->cluster_size);
        if (l2off) {
            /* The old table stays with the snapshots that share it. */
            ret = qcow2_flush_file(s);
            if (ret == 0) {
                ret = qcow2_update_refcount(s, l2off, 1, -1);
            }
        }
    }
    g_free(copy);
    return ret;
}

/* Drops the clusters that entries OLD[0..N) named: after the new entries are stable. */
static int qcow2_free_old(Qcow2State *s, const uint64_t *old, uint64_t n)
{
    bool any = false;
    int ret = 0;

    for (uint64_t i = 0; i < n; i++) {
        any |= (old[i] & (QCOW2_OFFSET_MASK | QCOW2_OFLAG_COMPRESSED)) != 0;
    }
    if (any) {
        ret = qcow2_flush_file(s);
    }
    for (uint64_t i = 0; ret == 0 && i < n; i++) {
        ret = qcow2_free_l2_entry(s, old[i]);
    }
    return ret;
}

/* Writes [OFFSET, OFFSET+BYTES) (within one L2 table) into newly allocated clusters. */
static int qcow2_alloc_write(Qcow2State *s, uint64_t offset, uint64_t bytes,
                             const struct iovec *iov, int cnt, uint64_t pos)
{
    uint64_t cs = s->cluster_size;
    uint64_t start = ROUND_DOWN(offset, cs);
    uint64_t n = DIV_ROUND_UP(offset + bytes - start, cs);
    g_autofree uint8_t *buf = g_try_malloc(n * cs);
    g_autofree uint64_t *entries = g_new(uint64_t, n);
    g_autofree uint64_t *old = g_new0(uint64_t, n);
    int64_t host;
    int ret = 0;

    if (!buf) {
        return -ENOMEM;
    }
    /* The old contents of partly written clusters. */
    if (offset != start || bytes < cs) {
        ret = qcow2_read_buf(s, start, buf, cs);
    }
    if (ret == 0 && n > 1 && ((offset + bytes) & (cs - 1))) {
        ret = qcow2_read_buf(s, start + (n - 1) * cs, buf + (n - 1) * cs, cs);
    }
    if (ret < 0) {
        return ret;
    }
    qcow2_iov_copy(iov, cnt, pos, buf + (offset - start), bytes, true);

    host = qcow2_alloc_clusters(s, n);
    if (host < 0) {
        return host;
    }
    if (qcow2_overlaps_fixed_metadata(s, host, n * cs)) {
        return qcow2_corruption(s, "new data clusters would overwrite metadata at 0x%" PRIx64,
                                (uint64_t)host);
    }
    ret = qcow2_pwrite(s, host, buf, n * cs);
    if (ret == 0) {
        ret = qcow2_flush_file(s);
    }
    if (ret < 0) {
        return ret;
    }
    for (uint64_t i = 0; i < n; i++) {
        entries[i] = (host + i * cs) | QCOW2_OFLAG_COPIED;
    }
    ret = qcow2_set_entries(s, start, n, entries, old);
    return ret < 0 ? ret : qcow2_free_old(s, old, n);
}

static int qcow2_do_write(Qcow2State *s, uint64_t offset, uint64_t bytes,
                          const struct iovec *iov, int cnt, int flags)
{
    uint64_t cs = s->cluster_size;
    uint64_t table_bytes = cs << s->l2_bits;
    uint64_t max_run = MAX(QCOW2_MAX_RUN_BYTES, cs);
    uint64_t pos = 0;
    int ret = 0;

    if (s->corrupt) {
        return -EIO;
    }
    while (pos < bytes) {
        uint64_t cur = offset + pos;
        uint64_t in = cur & (cs - 1);
        uint64_t n = MIN(cs - in, bytes - pos);
        uint64_t l2e, next, host;

        ret = qcow2_get_l2e(s, cur, &l2e);
        if (ret < 0) {
            return ret;
        }
        if (qcow2_in_place(s, l2e)) {
            ret = qcow2_data_offset(s, l2e, &host);
            while (ret == 0 && pos + n < bytes && n < QCOW2_MAX_RUN_BYTES &&
                   qcow2_get_l2e(s, cur + n, &next) == 0 && qcow2_in_place(s, next) &&
                   (next & QCOW2_OFFSET_MASK) == host + in + n &&
                   host + in + n < s->file_end) {
                n += MIN(cs, bytes - pos - n);
            }
            if (ret == 0) {
                ret = qcow2_pio_iov(s->file, BDRV_OP_WRITE, host + in, iov, cnt, pos, n);
            }
        } else {
            /* Following clusters that need allocating too, in the same L2 table. */
            uint64_t table_end = ROUND_DOWN(cur, table_bytes) + table_bytes;
            while (pos + n < bytes && cur + n < table_end && n + in < max_run &&
                   qcow2_get_l2e(s, cur + n, &next) == 0 && !qcow2_in_place(s, next)) {
                n += MIN(cs, bytes - pos - n);
            }
            ret = qcow2_alloc_write(s, cur, n, iov, cnt, pos);
        }
        if (ret < 0) {
            return ret;
        }
        pos += n;
    }
    if (flags & BDRV_REQ_FUA) {
        ret = qcow2_flush_file(s);
    }
    return ret;
}

/*
 * Discard (ZERO false) or write-zeroes (ZERO true) of whole clusters
 * [OFFSET, OFFSET+BYTES) by rewriting their L2 entries (the caller knows
 * they can say it: not write-zeroes on v2 with a backing image).
 */
static int qcow2_zero_clusters(Qcow2State *s, uint64_t offset, uint64_t bytes, bool zero)
{
    uint64_t cs = s->cluster_size;
    uint64_t table_bytes = cs << s->l2_bits;
    uint64_t new_entry = s->version >= 3 && (zero || s->backing) ? QCOW2_OFLAG_ZERO : 0;

    while (bytes) {
        uint64_t n = MIN(bytes, ROUND_DOWN(offset, table_bytes) + table_bytes - offset) / cs;
        uint64_t l1e = s->l1[offset >> (s->cluster_bits + s->l2_bits)];
        g_autofree uint64_t *entries = g_new(uint64_t, n);
        g_autofree uint64_t *old = g_new0(uint64_t, n);
        int ret;

        for (uint64_t i = 0; i < n; i++) {
            entries[i] = new_entry;
        }
        /* Nothing to do where no table exists and unallocated reads as wanted. */
        if ((l1e & QCOW2_OFFSET_MASK) || (zero && s->backing)) {
            ret = qcow2_set_entries(s, offset, n, entries, old);
            if (ret == 0) {
                ret = qcow2_free_old(s, old, n);
            }
            if (ret < 0) {
                return ret;
            }
        }
        offset += n * cs;
        bytes -= n * cs;
    }
    return 0;
}

static int qcow2_do_zeroes(Qcow2State *s, uint64_t offset, uint64_t bytes, int flags,
                           bool discard)
{
    uint64_t cs = s->cluster_size;
    uint64_t head = MIN(ROUND_UP(offset, cs) - offset, bytes);
    uint64_t mid = ROUND_DOWN(bytes - head, cs);
    uint64_t tail = bytes - head - mid;
    bool entries_say_zero = s->version >= 3 || !s->backing;
    int ret = 0;

    if (s->corrupt) {
        return -EIO;
    }
    if (discard) {      /* advice: partial clusters stay as they are */
        return mid ? qcow2_zero_clusters(s, offset + head, mid, false) : 0;
    }
    if (!entries_say_zero) {
        head = bytes;
        mid = tail = 0;
    }
    if (mid) {
        ret = qcow2_zero_clusters(s, offset + head, mid, true);
    }
    /* Partial clusters: zeros written as data. */
    for (int i = 0; ret == 0 && i < 2; i++) {
        uint64_t off = i ? offset + head + mid : offset;
        uint64_t len = i ? tail : head;
        while (ret == 0 && len) {
            uint64_t chunk = MIN(len, QCOW2_MAX_RUN_BYTES);
            g_autofree void *zeroes = g_malloc0(chunk);
            struct iovec iov = { .iov_base = zeroes, .iov_len = chunk };
            ret = qcow2_do_write(s, off, chunk, &iov, 1, 0);
            off += chunk;
            len -= chunk;
        }
    }
    if (ret == 0 && (flags & BDRV_REQ_FUA)) {
        ret = qcow2_flush_file(s);
    }
    return ret;
}

/* ---- requests ---- */

static int qcow2_pio(BlockDriverState *bs, BdrvRequest *req)
{
    Qcow2State *s = bs->opaque;
    int ret;

    if (req->op != BDRV_OP_READ && req->op != BDRV_OP_FLUSH && s->read_only) {
        return -EROFS;
    }
    if (req->op != BDRV_OP_FLUSH &&
        (req->offset > s->size || req->bytes > s->size - req->offset)) {
        return -EIO;
    }
    g_mutex_lock(&s->lock);
    switch (req->op) {
    case BDRV_OP_READ:
        ret = qcow2_do_read(s, req->offset, req->bytes, req->iov, req->iovcnt);
        break;
    case BDRV_OP_WRITE:
        ret = qcow2_do_write(s, req->offset, req->bytes, req->iov, req->iovcnt, req->flags);
        break;
    case BDRV_OP_FLUSH:
        ret = qcow2_flush_file(s);
        break;
    case BDRV_OP_DISCARD:
    case BDRV_OP_WRITE_ZEROES:
        ret = qcow2_do_zeroes(s, req->offset, req->bytes, req->flags,
                              req->op == BDRV_OP_DISCARD);
        break;
    default:
        ret = -EINVAL;
    }
    g_mutex_unlock(&s->lock);
    return ret;
}

typedef struct Qcow2Job {
    BlkAioJob job;
    BlockDriverState *bs;
    BdrvRequest *req;
} Qcow2Job;

static int qcow2_job_run(BlkAioJob *job)
{
    Qcow2Job *j = container_of(job, Qcow2Job, job);

    return qcow2_pio(j->bs, j->req);
}

static void qcow2_job_complete(BlkAioJob *job, int ret)
{
    Qcow2Job *j = container_of(job, Qcow2Job, job);
    BdrvRequest *req = j->req;

    g_free(j);
    req->cb(req->opaque, ret);
}

static void qcow2_submit(BlockDriverState *bs, BdrvRequest *req)
{
    Qcow2Job *j = g_new0(Qcow2Job, 1);

    j->bs = bs;
    j->req = req;
    j->job.run = qcow2_job_run;
    j->job.complete = qcow2_job_complete;
    blk_aio_pool_submit(&j->job);
}

/* ---- what the image tool uses ---- */

static void qcow2_snapshot_free(gpointer p)
{
    Qcow2Snapshot *sn = p;

    g_free(sn->id);
    g_free(sn->name);
    g_free(sn);
}

GPtrArray *qcow2_read_snapshots(Qcow2State *s, uint64_t *table_bytes, GError **errp)
{
    GPtrArray *list = g_ptr_array_new_with_free_func(qcow2_snapshot_free);
    uint64_t avail, pos = 0, end = 0;
    g_autofree uint8_t *t = NULL;
    int ret;

    if (!s->nb_snapshots) {
        return list;
    }
    avail = MIN(s->file_end - s->snapshots_offset, QCOW2_MAX_SNAPSHOT_TABLE);
    t = g_try_malloc(avail);
    ret = t ? qcow2_pread(s, s->snapshots_offset, t, avail) : -ENOMEM;
    if (ret < 0) {
        error_setg_errno(errp, -ret, "cannot read the snapshot table");
        g_ptr_array_unref(list);
        return NULL;
    }
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        Qcow2Snapshot *sn;
        uint32_t id_len, name_len, extra;

        if (pos > avail || avail - pos < 40) {
            goto bad;
        }
        id_len = (t[pos + 12] << 8) | t[pos + 13];
        name_len = (t[pos + 14] << 8) | t[pos + 15];
        extra = qcow2_be32(t + pos + 36);
        if ((uint64_t)40 + extra + id_len + name_len > avail - pos) {
            goto bad;
        }
        sn = g_new0(Qcow2Snapshot, 1);
        sn->l1_offset = qcow2_be64(t + pos);
        sn->l1_size = qcow2_be32(t + pos + 8);
        sn->date_sec = qcow2_be32(t + pos + 16);
        sn->date_nsec = qcow2_be32(t + pos + 20);
        sn->vm_clock_nsec = qcow2_be64(t + pos + 24);
        sn->vm_state_size = qcow2_be32(t + pos + 32);
        sn->icount = UINT64_MAX;
        if (extra >= 8) {
            sn->vm_state_size = qcow2_be64(t + pos + 40);
        }
        if (extra >= 24) {
            sn->icount = qcow2_be64(t + pos + 56);
        }
        sn->id = g_strndup((char *)t + pos + 40 + extra, id_len);
        sn->name = g_strndup((char *)t + pos + 40 + extra + id_len, name_len);
        g_ptr_array_add(list, sn);
        end = pos + 40 + extra + id_len + name_len;
        pos = ROUND_UP(end, 8);     /* the last entry's padding may lie past the file */
    }
    if (table_bytes) {
        *table_bytes = end;
    }
    return list;

bad:
    error_setg(errp, "the snapshot table is truncated or invalid");
    g_ptr_array_unref(list);
    return NULL;
}

bool qcow2_get_info(BlockDriverState *bs, Qcow2Info *info, GError **errp)
{
    Qcow2State *s = bs->opaque;

    memset(info, 0, sizeof(*info));
    info->version = s->version;
    info->size = s->size;
    info->cluster_size = s->cluster_size;
    info->refcount_bits = 1 << s->refcount_order;
    info->dirty = s->incompat & QCOW2_INCOMPAT_DIRTY;
    info->corrupt = s->incompat & QCOW2_INCOMPAT_CORRUPT;
    info->lazy_refcounts = s->compat & QCOW2_COMPAT_LAZY_REFS;
    info->backing_file = g_strdup(s->backing_file);
    info->backing_format = g_strdup(s->backing_format);
    g_mutex_lock(&s->lock);
    info->snapshots = qcow2_read_snapshots(s, NULL, errp);
    g_mutex_unlock(&s->lock);
    return info->snapshots != NULL;
}

void qcow2_info_clear(Qcow2Info *info)
{
    g_free(info->backing_file);
    g_free(info->backing_format);
    if (info->snapshots) {
        g_ptr_array_unref(info->snapshots);
    }
    memset(info, 0, sizeof(*info));
}

int qcow2_check(BlockDriverState *bs, int fix, Qcow2CheckResult *res)
{
    Qcow2State *s = bs->opaque;
    int ret;

    if (fix && s->read_only) {
        return -EROFS;
    }
    g_mutex_lock(&s->lock);
    ret = qcow2_check_image(s, fix, res);
    if (ret == 0 && fix && !res->corruptions && (s->incompat & QCOW2_INCOMPAT_CORRUPT)) {
        uint8_t be[8];
        s->incompat &= ~QCOW2_INCOMPAT_CORRUPT;
        qcow2_put_be64(be, s->incompat);
        ret = qcow2_pwrite(s, QCOW2_HDR_INCOMPAT, be, 8);
        s->corrupt = false;
    }
    if (ret == 0 && fix) {
        ret = qcow2_flush_file(s);
    }
    g_mutex_unlock(&s->lock);
    return ret;
}

static bool qcow2_grow_l1(Qcow2State *s, uint64_t need, GError **errp)
{
    uint64_t old_off = s->l1_offset, old_bytes = (uint64_t)s->l1_size * 8;
    uint64_t bytes = ROUND_UP(need * 8, s->cluster_size);
    g_autofree uint64_t *l1 = NULL;
    uint8_t hdr[12];
    int64_t off;
    int ret;

    if (need * 8 > QCOW2_MAX_L1_BYTES) {
        error_setg(errp, "the new size needs an L1 table larger than %llu MiB",
                   QCOW2_MAX_L1_BYTES / MiB);
        return false;
    }
    l1 = g_new0(uint64_t, bytes / 8);
    for (uint32_t i = 0; i < s->l1_size; i++) {
        l1[i] = GUINT64_TO_BE(s->l1[i]);
    }
    off = qcow2_alloc_clusters(s, bytes / s->cluster_size);
    ret = off < 0 ? (int)off : qcow2_pwrite(s, off, l1, bytes);
    if (ret == 0) {
        ret = qcow2_flush_file(s);
    }
    if (ret == 0) {
        qcow2_put_be32(hdr, need);
        qcow2_put_be64(hdr + 4, off);
        ret = qcow2_pwrite(s, QCOW2_HDR_L1_SIZE, hdr, 12);
    }
    if (ret == 0) {
        for (uint64_t i = 0; i < bytes / 8; i++) {
            l1[i] = GUINT64_FROM_BE(l1[i]);
        }
        g_free(s->l1);
        s->l1 = g_steal_pointer(&l1);
        s->l1_offset = off;
        s->l1_size = need;
        ret = qcow2_flush_file(s);
    }
    if (ret == 0 && old_bytes) {
        ret = qcow2_update_refcount(s, old_off, DIV_ROUND_UP(old_bytes, s->cluster_size), -1);
    }
    if (ret < 0) {
        error_setg_errno(errp, -ret, "cannot grow the L1 table");
        return false;
    }
    return true;
}

bool qcow2_truncate(BlockDriverState *bs, uint64_t size, GError **errp)
{
    Qcow2State *s = bs->opaque;
    uint64_t need = DIV_ROUND_UP(size, s->cluster_size << s->l2_bits);
    uint8_t be[8];
    bool ok = true;
    int ret;

    if (size < s->size) {
        error_setg(errp, "shrinking a qcow2 image is not supported");
        return false;
    }
    if (size > (1ull << 62)) {
        error_setg(errp, "size %" PRIu64 " is too large", size);
        return false;
    }
    if (s->read_only || s->corrupt) {
        error_setg(errp, "the image is %s", s->read_only ? "read-only" : "corrupt");
        return false;
    }
    g_mutex_lock(&s->lock);
    if (need > s->l1_size) {
        ok = qcow2_grow_l1(s, need, errp);
    }
    if (ok) {
        qcow2_put_be64(be, size);
        ret = qcow2_pwrite(s, QCOW2_HDR_SIZE, be, 8);
        if (ret == 0) {
            ret = qcow2_flush_file(s);
        }
        if (ret < 0) {
            error_setg_errno(errp, -ret, "cannot update the header");
            ok = false;
        } else {
            s->size = size;
        }
    }
    g_mutex_unlock(&s->lock);
    return ok;
}

static int qcow2_write_compressed_locked(Qcow2State *s, uint64_t offset, const void *buf)
{
    g_autofree uint8_t *out = g_malloc(s->cluster_size);
    z_stream zs = { 0 };
    uint64_t l2e, clen, entry, old;
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = s->cluster_size };
    uint32_t x = 62 - (s->cluster_bits - 8);
    int64_t coff;
    int ret, zret;

    ret = qcow2_get_l2e(s, offset, &l2e);
    if (ret < 0) {
        return ret;
    }
    if (l2e) {
        return -EEXIST;
    }
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -12, 9, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
        return -ENOMEM;
    }
    zs.next_in = (uint8_t *)buf;
    zs.avail_in = s->cluster_size;
    zs.next_out = out;
    zs.avail_out = s->cluster_size - 1;
    zret = deflate(&zs, Z_FINISH);
    clen = s->cluster_size - 1 - zs.avail_out;
    deflateEnd(&zs);
    if (zret != Z_STREAM_END) {      /* does not shrink: stored as a normal cluster */
        return qcow2_do_write(s, offset, s->cluster_size, &iov, 1, 0);
    }
    coff = qcow2_alloc_bytes(s, clen);
    if (coff < 0) {
        return coff;
    }
    ret = qcow2_pwrite(s, coff, out, clen);
    if (ret == 0) {
        ret = qcow2_flush_file(s);
    }
    if (ret < 0) {
        return ret;
    }
    entry = QCOW2_OFLAG_COMPRESSED | coff |
            ((((coff + clen - 1) >> 9) - (coff >> 9)) << x);
    return qcow2_set_entries(s, offset, 1, &entry, &old);
}

int qcow2_write_compressed(BlockDriverState *bs, uint64_t offset, const void *buf)
{
    Qcow2State *s = bs->opaque;
    int ret;

    if (s->read_only || s->corrupt) {
        return s->read_only ? -EROFS : -EIO;
    }
    if ((offset & (s->cluster_size - 1)) || offset >= s->size) {
        return -EINVAL;
    }
    g_mutex_lock(&s->lock);
    ret = qcow2_write_compressed_locked(s, offset, buf);
    g_mutex_unlock(&s->lock);
    return ret;
}

/* ---- creating ---- */

static void qcow2_put_ext(GByteArray *h, uint32_t type, const void *data, uint32_t len)
{
    uint8_t e[8];
    static const uint8_t pad[8];

    qcow2_put_be32(e, type);
    qcow2_put_be32(e + 4, len);
    g_byte_array_append(h, e, 8);
    g_byte_array_append(h, data, len);
    g_byte_array_append(h, pad, ROUND_UP(len, 8) - len);
}

static bool qcow2_create_check(const Qcow2CreateOpts *o, uint32_t *cs, int *version,
                               int *rbits, GError **errp)
{
    *cs = o->cluster_size ? o->cluster_size : 64 * KiB;
    *version = o->version ? o->version : 3;
    *rbits = o->refcount_bits ? o->refcount_bits : 16;
    if (*cs < 512 || *cs > 2 * MiB || (*cs & (*cs - 1))) {
        error_setg(errp, "cluster size must be a power of two between 512 and 2M");
        return false;
    }
    if (*version != 2 && *version != 3) {
        error_setg(errp, "invalid compat version (0.10 or 1.1)");
        return false;
    }
    if (*rbits < 1 || *rbits > 64 || (*rbits & (*rbits - 1))) {
        error_setg(errp, "refcount width must be a power of two between 1 and 64");
        return false;
    }
    if (*version == 2 && *rbits != 16) {
        error_setg(errp, "compat=0.10 images have 16-bit refcounts only");
        return false;
    }
    if (o->backing_file && strlen(o->backing_file) > QCOW2_MAX_BACKING_NAME) {
        error_setg(errp, "the backing file name is too long");
        return false;
    }
    if (o->size > (1ull << 62)) {
        error_setg(errp, "size %" PRIu64 " is too large", o->size);
        return false;
    }
    return true;
}

bool qcow2_create(const char *filename, const Qcow2CreateOpts *o, GError **errp)
{
    static const char *const features[] = { "dirty bit", "corrupt bit" };
    uint32_t cs, cbits;
    int version, rbits, order, fd;
    uint64_t l1_entries, l1c, rtc = 1, rbc = 1, total, per_block;
    g_autoptr(GByteArray) h = g_byte_array_new();
    g_autofree uint8_t *meta = NULL;
    uint8_t f[QCOW2_HDR_V3_LEN] = { 0 };
    bool ok = false;

    if (!qcow2_create_check(o, &cs, &version, &rbits, errp)) {
        return false;
    }
    cbits = __builtin_ctz(cs);
    order = __builtin_ctz(rbits);
    l1_entries = DIV_ROUND_UP(o->size, (uint64_t)cs * (cs / 8));
    if (l1_entries * 8 > QCOW2_MAX_L1_BYTES) {
        error_setg(errp, "size %" PRIu64 " is too large for %u-byte clusters", o->size, cs);
        return false;
    }
    l1c = MAX(DIV_ROUND_UP(l1_entries * 8, cs), 1);
    per_block = (uint64_t)cs * 8 / rbits;
    for (;;) {
        uint64_t nrbc, nrtc;
        total = 1 + l1c + rtc + rbc;
        nrbc = DIV_ROUND_UP(total, per_block);
        nrtc = DIV_ROUND_UP(nrbc * 8, cs);
        if (nrbc == rbc && nrtc == rtc) {
            break;
        }
        rbc = nrbc;
        rtc = nrtc;
    }
    if (rtc * cs > QCOW2_MAX_REFTABLE_BYTES) {
        error_setg(errp, "size %" PRIu64 " is too large for %u-byte clusters", o->size, cs);
        return false;
    }

    /* Header, extensions, backing file name. */
    qcow2_put_be32(f, QCOW2_MAGIC);
    qcow2_put_be32(f + 4, version);
    qcow2_put_be32(f + 20, cbits);
    qcow2_put_be64(f + QCOW2_HDR_SIZE, o->size);
    qcow2_put_be32(f + QCOW2_HDR_L1_SIZE, l1_entries);
    qcow2_put_be64(f + QCOW2_HDR_L1_SIZE + 4, cs);
    qcow2_put_be64(f + QCOW2_HDR_REFTABLE, (uint64_t)cs * (1 + l1c));
    qcow2_put_be32(f + QCOW2_HDR_REFTABLE + 8, rtc);
    if (version == 3) {
        qcow2_put_be32(f + 96, order);
        qcow2_put_be32(f + 100, QCOW2_HDR_V3_LEN);
    }
    g_byte_array_append(h, f, version == 3 ? QCOW2_HDR_V3_LEN : QCOW2_HDR_V2_LEN);
    if (o->backing_file && o->backing_format) {
        qcow2_put_ext(h, QCOW2_EXT_BACKING_FORMAT, o->backing_format,
                      strlen(o->backing_format));
    }
    if (version == 3) {
        uint8_t table[2 * 48] = { 0 };
        for (int i = 0; i < 2; i++) {
            table[i * 48 + 1] = i;
            memcpy(table + i * 48 + 2, features[i], strlen(features[i]));
        }
        qcow2_put_ext(h, QCOW2_EXT_FEATURE_TABLE, table, sizeof(table));
    }
    qcow2_put_ext(h, QCOW2_EXT_END, NULL, 0);
    if (o->backing_file) {
        qcow2_put_be64(h->data + 8, h->len);
        qcow2_put_be32(h->data + 16, strlen(o->backing_file));
        g_byte_array_append(h, (const uint8_t *)o->backing_file, strlen(o->backing_file));
    }
    if (h->len > cs) {
        error_setg(errp, "the header does not fit in one %u-byte cluster", cs);
        return false;
    }

    /* Everything up to the last refcount block, in one buffer. */
    meta = g_try_malloc0(total * cs);
    if (!meta) {
        error_setg(errp, "out of memory");
        return false;
    }
    memcpy(meta, h->data, h->len);
    for (uint64_t i = 0; i < rbc; i++) {
        qcow2_put_be64(meta + (1 + l1c) * cs + i * 8, (1 + l1c + rtc + i) * cs);
    }
    for (uint64_t i = 0; i < total; i++) {
        qcow2_rc_set(meta + (1 + l1c + rtc) * cs, i, order, 1);
    }

    fd = open(filename, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        error_setg_errno(errp, errno, "could not create '%s'", filename);
        return false;
    }
    if (pwrite(fd, meta, total * cs, 0) != (ssize_t)(total * cs) || fsync(fd) < 0) {
        error_setg_errno(errp, errno, "could not write '%s'", filename);
    } else {
        ok = true;
    }
    close(fd);
    return ok;
}

const BlockDriver bdrv_qcow2 = {
    .format_name = "qcow2",
    .instance_size = sizeof(Qcow2State),
    .bdrv_probe = qcow2_probe,
    .bdrv_open = qcow2_open,
    .bdrv_close = qcow2_close,
    .bdrv_submit = qcow2_submit,
    .bdrv_getlength = qcow2_getlength,
    .bdrv_pio = qcow2_pio,
};

block_init(bdrv_qcow2)
