/*
 * qcow2 refcounts: entries of 1 to 64 bits in refcount blocks that the
 * refcount table (in memory, written through) points to; cluster
 * allocation on top of them; and the consistency check that recounts every
 * reference (header, L1/L2 tables of the image and of its snapshots, data,
 * compressed data, refcount structures) and can repair what it finds.
 *
 * A missing refcount block is created inside the range it describes, then
 * flushed before the refcount table points to it. A full refcount table is
 * replaced by a larger one placed past everything in use, together with the
 * refcount blocks describing it: written and flushed before the header
 * switches to it, then the old table is freed. Increments always precede the
 * references they count and decrements follow the removal of the reference,
 * so a crash leaks clusters at worst.
 */
#include "util/osdep.h"
#include <stdarg.h>
#include "qcow2-int.h"

#define QCOW2_CHECK_MAX_CLUSTERS (1ull << 28)

uint64_t qcow2_rc_get(const uint8_t *block, uint64_t idx, uint32_t order)
{
    uint32_t bits = 1u << order;

    switch (order) {
    case 3:
        return block[idx];
    case 4:
        return ((uint64_t)block[idx * 2] << 8) | block[idx * 2 + 1];
    case 5:
        return qcow2_be32(block + idx * 4);
    case 6:
        return qcow2_be64(block + idx * 8);
    default:
        return (block[idx * bits / 8] >> (idx * bits % 8)) & ((1u << bits) - 1);
    }
}

void qcow2_rc_set(uint8_t *block, uint64_t idx, uint32_t order, uint64_t value)
{
    uint32_t bits = 1u << order;
    uint32_t shift;

    switch (order) {
    case 3:
        block[idx] = value;
        break;
    case 4:
        block[idx * 2] = value >> 8;
        block[idx * 2 + 1] = value;
        break;
    case 5:
        qcow2_put_be32(block + idx * 4, value);
        break;
    case 6:
        qcow2_put_be64(block + idx * 8, value);
        break;
    default:
        shift = idx * bits % 8;
        block[idx * bits / 8] = (block[idx * bits / 8] & ~(((1u << bits) - 1) << shift)) |
                                (value << shift);
    }
}

/* The refcount block BI, or NULL in *TABLE when it does not exist. */
static int qcow2_get_block(Qcow2State *s, uint64_t bi, uint8_t **table)
{
    uint64_t off;

    *table = NULL;
    if (bi >= s->rt_size) {
        return 0;
    }
    off = s->rt[bi] & ~511ull;
    if (!off) {
        return 0;
    }
    if ((off & (s->cluster_size - 1)) || off < s->cluster_size) {
        return qcow2_corruption(s, "refcount block offset 0x%" PRIx64 " is invalid", off);
    }
    return qcow2_cache_get(s, &s->rb_cache, off, false, table);
}

int qcow2_get_refcount(Qcow2State *s, uint64_t cluster, uint64_t *refcount)
{
    uint8_t *table;
    int ret = qcow2_get_block(s, cluster >> s->rb_bits, &table);

    *refcount = 0;
    if (ret == 0 && table) {
        *refcount = qcow2_rc_get(table, cluster & ((1ull << s->rb_bits) - 1),
                                 s->refcount_order);
    }
    return ret;
}

/* Whether cluster C must not hold new metadata (in use, or being allocated). */
static bool qcow2_cluster_taken(Qcow2State *s, uint64_t c)
{
    return c == 0 || (c >= s->pending_start && c < s->pending_end) ||
           (c >= s->outer_start && c < s->outer_end) ||
           (s->repair_refs && c < s->repair_nb && s->repair_refs[c]) ||
           qcow2_overlaps_fixed_metadata(s, c << s->cluster_bits, s->cluster_size);
}

/*
 * Creates refcount block BI (inside the table) in a cluster of the range it
 * describes; when an allocation takes that whole range, in a cluster
 * allocated elsewhere.
 */
static int qcow2_create_block(Qcow2State *s, uint64_t bi)
{
    uint64_t first = bi << s->rb_bits, n = 1ull << s->rb_bits, c;
    uint8_t *table, be[8];
    int ret;

    for (c = first; c < first + n && qcow2_cluster_taken(s, c); c++) {
    }
    if (c == first + n) {
        uint64_t ps = s->pending_start, pe = s->pending_end;
        int64_t off;

        if (s->outer_end) {
            return qcow2_corruption(s, "no room for refcount block %" PRIu64, bi);
        }
        s->outer_start = ps;
        s->outer_end = pe;
        off = qcow2_alloc_clusters(s, 1);
        s->pending_start = ps;
        s->pending_end = pe;
        s->outer_start = s->outer_end = 0;
        if (off < 0) {
            return off;
        }
        c = off >> s->cluster_bits;
    }
    ret = qcow2_cache_get(s, &s->rb_cache, c << s->cluster_bits, true, &table);
    if (ret < 0) {
        return ret;
    }
    if (c >= first && c < first + n) {
        qcow2_rc_set(table, c - first, s->refcount_order, 1);
    }
    ret = qcow2_pwrite(s, c << s->cluster_bits, table, s->cluster_size);
    if (ret == 0) {
        ret = qcow2_flush_file(s);
    }
    if (ret == 0) {
        qcow2_put_be64(be, c << s->cluster_bits);
        ret = qcow2_pwrite(s, s->rt_offset + bi * 8, be, 8);
    }
    if (ret < 0) {
        qcow2_cache_drop(s, &s->rb_cache, c << s->cluster_bits);
        return ret;
    }
    s->rt[bi] = c << s->cluster_bits;
    return 0;
}

/* Replaces the refcount table by one with at least NEED entries. */
static int qcow2_grow_reftable(Qcow2State *s, uint64_t need)
{
    uint64_t cs = s->cluster_size, per = 1ull << s->rb_bits;
    uint64_t a = MAX(MAX(s->rt_size << s->rb_bits, MAX(s->pending_end, s->outer_end)),
                     MAX(DIV_ROUND_UP(s->file_end, cs), s->repair_nb));
    uint64_t entries = MAX(s->rt_size * 2, need), rtc, k = 1, last;
    uint64_t old_off = s->rt_offset, old_clusters = s->rt_clusters;
    g_autofree uint8_t *blocks = NULL;
    g_autofree uint64_t *rt = NULL;
    uint8_t hdr[12];
    int ret;

    for (;;) {
        rtc = DIV_ROUND_UP(entries * 8, cs);
        for (;;) {
            uint64_t k2 = ((a + k + rtc - 1) >> s->rb_bits) - (a >> s->rb_bits) + 1;
            if (k2 == k) {
                break;
            }
            k = k2;
        }
        last = (a + k + rtc - 1) >> s->rb_bits;
        if (entries > last) {
            break;
        }
        entries = last + 1;
    }
    if (rtc * cs > QCOW2_MAX_REFTABLE_BYTES) {
        return -EFBIG;
    }
    entries = rtc * cs / 8;
    blocks = g_try_malloc0(k * cs);
    rt = g_try_new0(uint64_t, entries);
    if (!blocks || !rt) {
        return -ENOMEM;
    }
    for (uint64_t c = a; c < a + k + rtc; c++) {
        uint64_t j = (c >> s->rb_bits) - (a >> s->rb_bits);
        qcow2_rc_set(blocks + j * cs, c & (per - 1), s->refcount_order, 1);
    }
    for (uint64_t i = 0; i < s->rt_size; i++) {
        rt[i] = GUINT64_TO_BE(s->rt[i]);
    }
    for (uint64_t j = 0; j < k; j++) {
        rt[(a >> s->rb_bits) + j] = GUINT64_TO_BE((a + j) * cs);
    }
    ret = qcow2_pwrite(s, a * cs, blocks, k * cs);
    if (ret == 0) {
        ret = qcow2_pwrite(s, (a + k) * cs, rt, rtc * cs);
    }
    if (ret == 0) {
        ret = qcow2_flush_file(s);
    }
    if (ret == 0) {
        qcow2_put_be64(hdr, (a + k) * cs);
        qcow2_put_be32(hdr + 8, rtc);
        ret = qcow2_pwrite(s, QCOW2_HDR_REFTABLE, hdr, 12);
    }
    if (ret == 0) {
        ret = qcow2_flush_file(s);
    }
    if (ret < 0) {
        return ret;
    }
    for (uint64_t i = 0; i < entries; i++) {
        rt[i] = GUINT64_FROM_BE(rt[i]);
    }
    g_free(s->rt);
    s->rt = g_steal_pointer(&rt);
    s->rt_size = entries;
    s->rt_offset = (a + k) * cs;
    s->rt_clusters = rtc;
    return qcow2_update_refcount(s, old_off, old_clusters, -1);
}

/* Sets (SET) or adds DELTA to the refcounts of N clusters from host OFFSET. */
static int qcow2_refcount_op(Qcow2State *s, uint64_t offset, uint64_t n, int64_t delta,
                             bool set, uint64_t value)
{
    uint64_t c = offset >> s->cluster_bits, end = c + n;
    uint64_t per = 1ull << s->rb_bits;
    uint32_t order = s->refcount_order;

    while (c < end) {
        uint64_t bi = c >> s->rb_bits;
        uint64_t first = c & (per - 1);
        uint64_t cnt = MIN(end - c, per - first);
        uint64_t byte0, byte1;
        uint8_t *table;
        int ret;

        if (bi >= s->rt_size) {
            ret = qcow2_grow_reftable(s, bi + 1);
            if (ret < 0) {
                return ret;
            }
        }
        if (!s->rt[bi]) {
            ret = qcow2_create_block(s, bi);
            if (ret < 0) {
                return ret;
            }
        }
        ret = qcow2_get_block(s, bi, &table);
        if (ret < 0) {
            return ret;
        }
        for (uint64_t i = first; i < first + cnt; i++) {
            uint64_t old = qcow2_rc_get(table, i, order), v = value;
            if (!set && delta < 0 && old < (uint64_t)-delta) {
                return qcow2_corruption(s, "refcount of cluster %" PRIu64 " drops below zero",
                                        c + i - first);
            }
            if (!set) {
                v = old + delta;
                if (delta > 0 && (v < old || v > s->refcount_max)) {
                    return -ERANGE;     /* refcount overflow: the width cannot count more */
                }
            }
            qcow2_rc_set(table, i, order, v);
            if (v == 0) {
                uint64_t host = (c + i - first) << s->cluster_bits;
                s->free_hint = MIN(s->free_hint, c + i - first);
                qcow2_cache_drop(s, &s->l2_cache, host);
                s->cbuf_entry = 0;
                if (s->compress_next >> s->cluster_bits == host >> s->cluster_bits) {
                    s->compress_next = 0;
                }
            }
        }
        byte0 = (first << order) / 8;
        byte1 = DIV_ROUND_UP((first + cnt) << order, 8);
        ret = qcow2_pwrite(s, (s->rt[bi] & ~511ull) + byte0, table + byte0, byte1 - byte0);
        if (ret < 0) {
            qcow2_cache_drop(s, &s->rb_cache, s->rt[bi] & ~511ull);
            return ret;
        }
        c += cnt;
    }
    return 0;
}

int qcow2_update_refcount(Qcow2State *s, uint64_t offset, uint64_t n, int64_t delta)
{
    return qcow2_refcount_op(s, offset, n, delta, false, 0);
}

int64_t qcow2_alloc_clusters(Qcow2State *s, uint64_t n)
{
    uint64_t run = 0, c = MAX(s->free_hint, 1), first_free = 0, start;
    int ret;

    if (n == 0 || n > UINT32_MAX) {
        return -EINVAL;
    }
    for (;; c++) {
        uint64_t rc;
        if (c >= (1ull << (56 - s->cluster_bits))) {
            return -ENOSPC;
        }
        ret = qcow2_get_refcount(s, c, &rc);
        if (ret < 0) {
            return ret;
        }
        if (rc || (c >= s->outer_start && c < s->outer_end) ||
            qcow2_overlaps_fixed_metadata(s, c << s->cluster_bits, s->cluster_size)) {
            run = 0;
            continue;
        }
        first_free = first_free ? first_free : c;
        if (++run == n) {
            break;
        }
    }
    start = c + 1 - n;
    s->pending_start = start;
    s->pending_end = start + n;
    ret = qcow2_update_refcount(s, start << s->cluster_bits, n, 1);
    s->pending_start = s->pending_end = 0;
    if (ret < 0) {
        return ret;
    }
    s->free_hint = first_free == start ? start + n : first_free;
    return (int64_t)(start << s->cluster_bits);
}

int64_t qcow2_alloc_bytes(Qcow2State *s, uint64_t bytes)
{
    uint64_t in = s->compress_next & (s->cluster_size - 1), rc = UINT64_MAX;
    int64_t off;
    int ret;

    if (s->compress_next && in && bytes <= s->cluster_size - in) {
        ret = qcow2_get_refcount(s, s->compress_next >> s->cluster_bits, &rc);
        if (ret < 0) {
            return ret;
        }
    }
    /* Packed after the previous one while the refcount width can count one more user. */
    if (rc < s->refcount_max) {
        off = s->compress_next;
        ret = qcow2_update_refcount(s, off, 1, 1);
        if (ret < 0) {
            return ret;
        }
    } else {
        off = qcow2_alloc_clusters(s, DIV_ROUND_UP(bytes, s->cluster_size));
        if (off < 0) {
            return off;
        }
    }
    s->compress_next = off + bytes;
    return off;
}

int qcow2_free_l2_entry(Qcow2State *s, uint64_t l2e)
{
    uint64_t off, len;

    if (l2e & QCOW2_OFLAG_COMPRESSED) {
        qcow2_compressed_range(s, l2e, &off, &len);
        s->cbuf_entry = 0;
        return qcow2_update_refcount(s, ROUND_DOWN(off, s->cluster_size),
                                     DIV_ROUND_UP(off + len, s->cluster_size) -
                                     off / s->cluster_size, -1);
    }
    off = l2e & QCOW2_OFFSET_MASK;
    return off ? qcow2_update_refcount(s, off, 1, -1) : 0;
}

/* ---- checking ---- */

typedef struct Qcow2Check {
    Qcow2State *s;
    Qcow2CheckResult *res;
    uint32_t *refs;
    uint64_t nb;
    uint64_t last_data;         /* for the fragmentation count */
} Qcow2Check;

static void qcow2_check_log(Qcow2Check *k, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void qcow2_check_log(Qcow2Check *k, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_string_append_vprintf(k->res->log, fmt, ap);
    va_end(ap);
    g_string_append_c(k->res->log, '\n');
}

/* Counts one reference to every cluster of [OFFSET, OFFSET+BYTES). */
static void qcow2_check_ref(Qcow2Check *k, uint64_t offset, uint64_t bytes, const char *what)
{
    uint64_t cb = k->s->cluster_bits;

    if (!bytes) {
        return;
    }
    for (uint64_t c = offset >> cb; c <= (offset + bytes - 1) >> cb; c++) {
        if (c >= k->nb) {
            qcow2_check_log(k, "ERROR %s at offset 0x%" PRIx64 " is past the end of the image",
                            what, c << cb);
            k->res->corruptions++;
            return;
        }
        if (k->refs[c] != UINT32_MAX) {
            k->refs[c]++;
        }
    }
}

/* Counts what an L1 table references; ACTIVE: the image's own (statistics too). */
static int qcow2_check_l1(Qcow2Check *k, const uint64_t *l1, uint64_t l1_size, bool active)
{
    Qcow2State *s = k->s;
    g_autofree uint8_t *l2 = g_malloc(s->cluster_size);

    for (uint64_t i = 0; i < l1_size; i++) {
        uint64_t l2off = l1[i] & QCOW2_OFFSET_MASK;
        int ret;

        if (!l2off) {
            continue;
        }
        if (l2off & (s->cluster_size - 1)) {
            qcow2_check_log(k, "ERROR l2_offset=%" PRIx64 ": Table is not cluster aligned; "
                            "L1 entry corrupted", l2off);
            k->res->corruptions++;
            continue;
        }
        qcow2_check_ref(k, l2off, s->cluster_size, "L2 table");
        if (l2off + s->cluster_size > s->file_end) {
            continue;
        }
        ret = qcow2_pread(s, l2off, l2, s->cluster_size);
        if (ret < 0) {
            k->res->check_errors++;
            continue;
        }
        for (uint64_t j = 0; j < (1ull << s->l2_bits); j++) {
            uint64_t e = qcow2_be64(l2 + j * 8), off, len;

            if (e & QCOW2_OFLAG_COMPRESSED) {
                qcow2_compressed_range(s, e, &off, &len);
                qcow2_check_ref(k, off, len, "compressed cluster");
                k->res->allocated_clusters += active;
                k->res->compressed_clusters += active;
                continue;
            }
            off = e & QCOW2_OFFSET_MASK;
            if (!off) {
                continue;
            }
            if (off & (s->cluster_size - 1)) {
                qcow2_check_log(k, "ERROR offset=%" PRIx64 ": Cluster is not properly "
                                "aligned; L2 entry corrupted", off);
                k->res->corruptions++;
                continue;
            }
            qcow2_check_ref(k, off, s->cluster_size, "data cluster");
            if (active && !(s->version >= 3 && (e & QCOW2_OFLAG_ZERO))) {
                k->res->allocated_clusters++;
                k->res->fragmented_clusters += k->last_data && off != k->last_data +
                                               s->cluster_size;
                k->last_data = off;
            }
        }
    }
    return 0;
}

/* An entry's COPIED flag must say whether its cluster's refcount is 1. */
static int qcow2_check_copied_entry(Qcow2Check *k, int fix, uint64_t entry, uint64_t where,
                                    const char *what)
{
    Qcow2State *s = k->s;
    uint64_t rc, fixed, off = entry & QCOW2_OFFSET_MASK;
    uint8_t be[8];
    int ret = qcow2_get_refcount(s, off >> s->cluster_bits, &rc);

    if (ret < 0 || !!(entry & QCOW2_OFLAG_COPIED) == (rc == 1)) {
        return ret;
    }
    qcow2_check_log(k, "ERROR OFLAG_COPIED %s: offset=%" PRIx64 " refcount=%" PRIu64, what,
                    off, rc);
    k->res->corruptions++;
    if (!(fix & QCOW2_FIX_ERRORS)) {
        return 0;
    }
    fixed = rc == 1 ? entry | QCOW2_OFLAG_COPIED : entry & ~QCOW2_OFLAG_COPIED;
    qcow2_put_be64(be, fixed);
    ret = qcow2_pwrite(s, where, be, 8);
    if (ret == 0) {
        k->res->corruptions_fixed++;
    }
    return ret;
}

static int qcow2_check_copied(Qcow2Check *k, int fix)
{
    Qcow2State *s = k->s;

    for (uint32_t i = 0; i < s->l1_size; i++) {
        uint64_t l2off = s->l1[i] & QCOW2_OFFSET_MASK;
        uint8_t *l2;
        int ret;

        if (!l2off || (l2off & (s->cluster_size - 1)) ||
            l2off + s->cluster_size > s->file_end) {
            continue;
        }
        ret = qcow2_check_copied_entry(k, fix, s->l1[i], s->l1_offset + i * 8, "L2 cluster");
        if (ret < 0) {
            return ret;
        }
        qcow2_cache_drop(s, &s->l2_cache, l2off);
        ret = qcow2_cache_get(s, &s->l2_cache, l2off, false, &l2);
        if (ret < 0) {
            return ret;
        }
        for (uint64_t j = 0; j < (1ull << s->l2_bits); j++) {
            uint64_t e = qcow2_be64(l2 + j * 8);
            if ((e & QCOW2_OFLAG_COMPRESSED) || !(e & QCOW2_OFFSET_MASK) ||
                (e & (s->cluster_size - 1) & QCOW2_OFFSET_MASK)) {
                continue;
            }
            ret = qcow2_check_copied_entry(k, fix, e, l2off + j * 8, "data cluster");
            if (ret < 0) {
                return ret;
            }
        }
        /* Fixed entries went to the file: read the table again next time. */
        qcow2_cache_drop(s, &s->l2_cache, l2off);
    }
    if (fix & QCOW2_FIX_ERRORS) {
        for (uint32_t i = 0; i < s->l1_size; i++) {
            uint64_t l2off = s->l1[i] & QCOW2_OFFSET_MASK, rc;
            if (l2off && qcow2_get_refcount(s, l2off >> s->cluster_bits, &rc) == 0) {
                s->l1[i] = rc == 1 ? s->l1[i] | QCOW2_OFLAG_COPIED :
                           s->l1[i] & ~QCOW2_OFLAG_COPIED;
            }
        }
    }
    return 0;
}

/* Counts every reference into K->refs. */
static int qcow2_check_count(Qcow2Check *k)
{
    Qcow2State *s = k->s;
    g_autoptr(GPtrArray) snaps = NULL;
    g_autoptr(GError) err = NULL;
    uint64_t table_bytes = 0;

    qcow2_check_ref(k, 0, s->cluster_size, "header");
    qcow2_check_ref(k, s->l1_offset, (uint64_t)s->l1_size * 8, "L1 table");
    qcow2_check_l1(k, s->l1, s->l1_size, true);

    snaps = qcow2_read_snapshots(s, &table_bytes, &err);
    if (!snaps) {
        qcow2_check_log(k, "ERROR %s", err->message);
        k->res->check_errors++;
    }
    qcow2_check_ref(k, s->snapshots_offset, table_bytes, "snapshot table");
    for (guint i = 0; snaps && i < snaps->len; i++) {
        Qcow2Snapshot *sn = g_ptr_array_index(snaps, i);
        uint64_t bytes = (uint64_t)sn->l1_size * 8;
        g_autofree uint64_t *l1 = NULL;

        if ((sn->l1_offset & (s->cluster_size - 1)) || bytes > QCOW2_MAX_L1_BYTES ||
            sn->l1_offset > s->file_end || bytes > s->file_end - sn->l1_offset) {
            qcow2_check_log(k, "ERROR snapshot %s has an invalid L1 table", sn->id);
            k->res->corruptions++;
            continue;
        }
        qcow2_check_ref(k, sn->l1_offset, bytes, "snapshot L1 table");
        l1 = g_new(uint64_t, MAX(sn->l1_size, 1));
        if (qcow2_pread(s, sn->l1_offset, l1, bytes) < 0) {
            k->res->check_errors++;
            continue;
        }
        for (uint32_t j = 0; j < sn->l1_size; j++) {
            l1[j] = GUINT64_FROM_BE(l1[j]);
        }
        qcow2_check_l1(k, l1, sn->l1_size, false);
    }

    qcow2_check_ref(k, s->rt_offset, (uint64_t)s->rt_clusters << s->cluster_bits,
                    "refcount table");
    for (uint64_t i = 0; i < s->rt_size; i++) {
        uint64_t off = s->rt[i] & ~511ull;
        if (off & (s->cluster_size - 1)) {
            qcow2_check_log(k, "ERROR refcount block %" PRIu64 " is not cluster aligned; "
                            "refcount table entry corrupted", i);
            k->res->corruptions++;
            continue;
        }
        qcow2_check_ref(k, off, off ? s->cluster_size : 0, "refcount block");
    }
    return 0;
}

/* Compares refcounts with the references of cluster C, repairing what FIX says. */
static int qcow2_check_cluster(Qcow2Check *k, int fix, uint64_t c)
{
    Qcow2State *s = k->s;
    uint64_t e = c < k->nb ? k->refs[c] : 0, r;
    int ret = qcow2_get_refcount(s, c, &r);

    if (ret < 0) {
        k->res->check_errors++;
        return 0;
    }
    if (r) {
        k->res->image_end_offset = (c + 1) << s->cluster_bits;
    }
    if (r == e) {
        return 0;
    }
    if (r > e) {
        qcow2_check_log(k, "%s cluster %" PRIu64 " refcount=%" PRIu64 " reference=%" PRIu64,
                        fix & QCOW2_FIX_LEAKS ? "Repairing" : "Leaked", c, r, e);
        k->res->leaks++;
    } else {
        qcow2_check_log(k, "%s cluster %" PRIu64 " refcount=%" PRIu64 " reference=%" PRIu64,
                        fix & QCOW2_FIX_ERRORS ? "Repairing" : "ERROR", c, r, e);
        k->res->corruptions++;
    }
    if (!(fix & (r > e ? QCOW2_FIX_LEAKS : QCOW2_FIX_ERRORS))) {
        return 0;
    }
    if (e > s->refcount_max) {
        return 0;       /* cannot be counted in this width: stays an error */
    }
    ret = qcow2_refcount_op(s, c << s->cluster_bits, 1, 0, true, e);
    if (ret == 0) {
        if (r > e) {
            k->res->leaks_fixed++;
        } else {
            k->res->corruptions_fixed++;
        }
    }
    return ret;
}

static int qcow2_check_pass(Qcow2State *s, int fix, Qcow2CheckResult *res)
{
    Qcow2Check k = { .s = s, .res = res };
    uint64_t per = 1ull << s->rb_bits;
    uint64_t nb_before;
    int ret = 0;

    k.nb = DIV_ROUND_UP(s->file_end, s->cluster_size);
    if (k.nb > QCOW2_CHECK_MAX_CLUSTERS) {
        return -EFBIG;
    }
    k.refs = g_try_new0(uint32_t, MAX(k.nb, 1));
    if (!k.refs) {
        return -ENOMEM;
    }
    res->total_clusters = DIV_ROUND_UP(s->size, s->cluster_size);
    qcow2_check_count(&k);
    if (fix) {
        s->repair_refs = k.refs;
        s->repair_nb = k.nb;
    }
    /* Clusters in the file, then those past it that refcount blocks describe. */
    nb_before = k.nb;
    for (uint64_t c = 0; ret == 0 && c < nb_before; c++) {
        ret = qcow2_check_cluster(&k, fix, c);
    }
    for (uint64_t bi = 0; ret == 0 && bi < s->rt_size; bi++) {
        uint64_t first = MAX(bi * per, nb_before);
        if (!s->rt[bi] || first >= (bi + 1) * per) {
            continue;
        }
        for (uint64_t c = first; ret == 0 && c < (bi + 1) * per; c++) {
            ret = qcow2_check_cluster(&k, fix, c);
        }
    }
    if (ret == 0) {
        ret = qcow2_check_copied(&k, fix);
    }
    s->repair_refs = NULL;
    s->repair_nb = 0;
    g_free(k.refs);
    return ret;
}

int qcow2_check_image(Qcow2State *s, int fix, Qcow2CheckResult *res)
{
    GString *log = g_string_new(NULL);
    Qcow2CheckResult fixed = { 0 };
    int ret;

    memset(res, 0, sizeof(*res));
    res->log = log;
    ret = qcow2_check_pass(s, fix, res);
    if (ret < 0 || !fix || (!res->leaks_fixed && !res->corruptions_fixed)) {
        return ret;
    }
    /* Repaired: count again for what remains (the log keeps what was repaired). */
    fixed.log = g_string_new(NULL);
    ret = qcow2_flush_file(s);
    if (ret == 0) {
        ret = qcow2_check_pass(s, 0, &fixed);
    }
    g_string_free(fixed.log, TRUE);
    fixed.log = log;
    fixed.leaks_fixed = res->leaks_fixed;
    fixed.corruptions_fixed = res->corruptions_fixed;
    *res = fixed;
    return ret;
}
