/*
 * What the files of the qcow2 driver share: on-disk constants, the per-image
 * state, the table caches and the refcount functions (qcow2-refcount.c).
 * Everything here runs with the image's lock held, on one thread at a time.
 */
#ifndef BLOCK_QCOW2_INT_H
#define BLOCK_QCOW2_INT_H

#include "block/qcow2.h"

#define QCOW2_MAGIC 0x514649fbu     /* "QFI\xfb" */
#define QCOW2_MIN_CLUSTER_BITS 9
#define QCOW2_MAX_CLUSTER_BITS 21
#define QCOW2_MAX_L1_BYTES (32 * MiB)
#define QCOW2_MAX_REFTABLE_BYTES (8 * MiB)
#define QCOW2_MAX_SNAPSHOTS 65536
#define QCOW2_MAX_SNAPSHOT_TABLE (64 * MiB)
#define QCOW2_MAX_BACKING_NAME 1023
#define QCOW2_MAX_CHAIN 16

/* Incompatible, compatible and autoclear feature bits. */
#define QCOW2_INCOMPAT_DIRTY      (1ull << 0)
#define QCOW2_INCOMPAT_CORRUPT    (1ull << 1)
#define QCOW2_INCOMPAT_KNOWN      (QCOW2_INCOMPAT_DIRTY | QCOW2_INCOMPAT_CORRUPT)
#define QCOW2_COMPAT_LAZY_REFS    (1ull << 0)

/* Header field offsets (big-endian). */
#define QCOW2_HDR_SIZE            24
#define QCOW2_HDR_L1_SIZE         36    /* then l1_table_offset at 40 */
#define QCOW2_HDR_REFTABLE        48    /* then refcount_table_clusters at 56 */
#define QCOW2_HDR_INCOMPAT        72
#define QCOW2_HDR_AUTOCLEAR       88
#define QCOW2_HDR_V2_LEN          72
#define QCOW2_HDR_V3_MIN_LEN      104
#define QCOW2_HDR_V3_LEN          112

/* Header extensions. */
#define QCOW2_EXT_END             0
#define QCOW2_EXT_BACKING_FORMAT  0xe2792acau
#define QCOW2_EXT_FEATURE_TABLE   0x6803f857u

/* L1 and L2 entries. */
#define QCOW2_OFLAG_COPIED        (1ull << 63)
#define QCOW2_OFLAG_COMPRESSED    (1ull << 62)
#define QCOW2_OFLAG_ZERO          (1ull << 0)
#define QCOW2_OFFSET_MASK         0x00fffffffffffe00ull

/* A small LRU cache of whole metadata tables (L2 tables or refcount blocks). */
typedef struct Qcow2Cache {
    unsigned n;
    uint64_t *offsets;          /* 0: slot empty */
    uint64_t *used;             /* LRU stamps */
    uint64_t stamp;
    uint8_t *data;              /* n clusters */
} Qcow2Cache;

typedef struct Qcow2State {
    GMutex lock;                /* one request at a time */
    BlockDriverState *bs;
    BlockDriverState *file;
    BlockDriverState *backing;
    int64_t backing_len;
    char *backing_file;
    char *backing_format;
    char *feature_names;        /* the feature table as "type:bit:name\n" lines */

    int version;
    uint32_t cluster_bits;
    uint64_t cluster_size;
    uint32_t l2_bits;           /* entries per L2 table: 1 << l2_bits */
    uint64_t size;
    uint64_t incompat;
    uint64_t compat;
    uint64_t autoclear;
    uint32_t header_length;
    uint32_t refcount_order;
    uint64_t refcount_max;
    uint32_t rb_bits;           /* entries per refcount block: 1 << rb_bits */

    uint32_t l1_size;
    uint64_t l1_offset;
    uint64_t *l1;               /* host order */
    uint64_t rt_offset;
    uint32_t rt_clusters;
    uint64_t rt_size;           /* entries */
    uint64_t *rt;               /* host order */
    uint32_t nb_snapshots;
    uint64_t snapshots_offset;

    Qcow2Cache l2_cache;
    Qcow2Cache rb_cache;
    uint8_t *cbuf;              /* the last decompressed cluster */
    uint64_t cbuf_entry;        /* its L2 entry (0: none) */
    uint64_t free_hint;         /* no free cluster below this index */
    uint64_t compress_next;     /* byte offset for the next compressed cluster (0: none) */
    uint64_t file_end;          /* bytes */
    bool corrupt;               /* corruption found: writes refused */
    bool read_only;
    /* Allocation in progress [pending_start, pending_end): refcount blocks avoid it. */
    uint64_t pending_start, pending_end;
    uint64_t outer_start, outer_end;    /* an allocation that made a refcount block */
    const uint32_t *repair_refs;    /* during repair: clusters referenced (not free) */
    uint64_t repair_nb;
} Qcow2State;

static inline uint64_t qcow2_be64(const void *p)
{
    uint64_t v;

    memcpy(&v, p, 8);
    return GUINT64_FROM_BE(v);
}

static inline uint32_t qcow2_be32(const void *p)
{
    uint32_t v;

    memcpy(&v, p, 4);
    return GUINT32_FROM_BE(v);
}

static inline void qcow2_put_be64(void *p, uint64_t v)
{
    v = GUINT64_TO_BE(v);
    memcpy(p, &v, 8);
}

static inline void qcow2_put_be32(void *p, uint32_t v)
{
    v = GUINT32_TO_BE(v);
    memcpy(p, &v, 4);
}

/* ---- qcow2.c ---- */
int qcow2_pread(Qcow2State *s, uint64_t offset, void *buf, uint64_t bytes);
int qcow2_pwrite(Qcow2State *s, uint64_t offset, const void *buf, uint64_t bytes);
int qcow2_flush_file(Qcow2State *s);
/* Logs the first corruption of an image, marks it corrupt (when writable): -EIO. */
int qcow2_corruption(Qcow2State *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* The table at OFFSET in cache C, read from the file unless NEW (then zeroed). */
int qcow2_cache_get(Qcow2State *s, Qcow2Cache *c, uint64_t offset, bool is_new,
                    uint8_t **table);
void qcow2_cache_drop(Qcow2State *s, Qcow2Cache *c, uint64_t offset);
/* Host offset and length of the compressed cluster that L2 entry L2E describes. */
void qcow2_compressed_range(Qcow2State *s, uint64_t l2e, uint64_t *offset, uint64_t *bytes);
/* Whether [OFFSET, OFFSET+BYTES) overlaps the header, L1, refcount or snapshot table. */
bool qcow2_overlaps_fixed_metadata(Qcow2State *s, uint64_t offset, uint64_t bytes);
/* The snapshot table, every entry checked against the table's bounds; its size in bytes. */
GPtrArray *qcow2_read_snapshots(Qcow2State *s, uint64_t *table_bytes, GError **errp);

/* ---- qcow2-refcount.c ---- */
uint64_t qcow2_rc_get(const uint8_t *block, uint64_t idx, uint32_t order);
void qcow2_rc_set(uint8_t *block, uint64_t idx, uint32_t order, uint64_t value);
int qcow2_get_refcount(Qcow2State *s, uint64_t cluster, uint64_t *refcount);
/* Adds DELTA to the refcount of N clusters from host byte OFFSET (written through). */
int qcow2_update_refcount(Qcow2State *s, uint64_t offset, uint64_t n, int64_t delta);
/* N contiguous new clusters with refcount 1: their host offset, or -errno. */
int64_t qcow2_alloc_clusters(Qcow2State *s, uint64_t n);
/* BYTES (<= a cluster) for compressed data, packed after the previous ones. */
int64_t qcow2_alloc_bytes(Qcow2State *s, uint64_t bytes);
/* Drops one reference to each cluster of the data an L2 entry (or table offset) names. */
int qcow2_free_l2_entry(Qcow2State *s, uint64_t l2e);
int qcow2_check_image(Qcow2State *s, int fix, Qcow2CheckResult *res);

#endif
