/*
 * The qcow2 image format as the image tool (kestrel-img) sees it, beyond the
 * BlockDriver every block user sees: creating an image, what its header says
 * (info), consistency checks and repairs (check), growing it (resize),
 * writing a compressed cluster (convert -c) and its internal snapshot table.
 * The functions taking a BlockDriverState need a node of the "qcow2" driver;
 * they run on the caller's thread (no BQL, no main loop needed).
 */
#ifndef BLOCK_QCOW2_H
#define BLOCK_QCOW2_H

#include "block/block_int.h"

typedef struct Qcow2CreateOpts {
    uint64_t size;              /* virtual size in bytes */
    uint32_t cluster_size;      /* 512..2 MiB, a power of two (0: 64 KiB) */
    int version;                /* 2 (compat=0.10) or 3 (compat=1.1; 0: 3) */
    int refcount_bits;          /* 1..64, a power of two; version 2: 16 only (0: 16) */
    const char *backing_file;   /* stored as given (relative to the image's directory) */
    const char *backing_format; /* or NULL */
} Qcow2CreateOpts;

/* Creates (or truncates) FILENAME as an empty qcow2 image. */
bool qcow2_create(const char *filename, const Qcow2CreateOpts *opts, GError **errp);

typedef struct Qcow2Snapshot {
    char *id;
    char *name;
    uint64_t l1_offset;
    uint32_t l1_size;
    uint32_t date_sec;
    uint32_t date_nsec;
    uint64_t vm_clock_nsec;
    uint64_t vm_state_size;
    uint64_t icount;            /* UINT64_MAX when the entry has none */
} Qcow2Snapshot;

typedef struct Qcow2Info {
    int version;
    uint64_t size;
    uint32_t cluster_size;
    int refcount_bits;
    bool dirty;
    bool corrupt;
    bool lazy_refcounts;
    char *backing_file;         /* as stored, or NULL */
    char *backing_format;       /* or NULL */
    GPtrArray *snapshots;       /* of Qcow2Snapshot * */
} Qcow2Info;

/* Fills INFO (free with qcow2_info_clear); false if the snapshot table is unreadable. */
bool qcow2_get_info(BlockDriverState *bs, Qcow2Info *info, GError **errp);
void qcow2_info_clear(Qcow2Info *info);

/* What qcow2_check may repair. */
enum {
    QCOW2_FIX_LEAKS = 1 << 0,   /* refcounts above the references */
    QCOW2_FIX_ERRORS = 1 << 1,  /* refcounts below them, and wrong COPIED flags */
};

typedef struct Qcow2CheckResult {
    uint64_t corruptions;
    uint64_t leaks;
    uint64_t corruptions_fixed;
    uint64_t leaks_fixed;
    uint64_t check_errors;      /* metadata that could not be read */
    uint64_t image_end_offset;
    uint64_t total_clusters;
    uint64_t allocated_clusters;
    uint64_t fragmented_clusters;
    uint64_t compressed_clusters;
    GString *log;               /* one line per problem found, as qemu-img prints them */
} Qcow2CheckResult;

/*
 * Checks the refcounts against every reference (header, tables, snapshots,
 * data), repairs what FIX says (the node must be read-write then; repairing
 * runs the check again for the result). RES->log is allocated here.
 * 0, or a negative errno when the check itself failed.
 */
int qcow2_check(BlockDriverState *bs, int fix, Qcow2CheckResult *res);

/* Grows the virtual size to SIZE (shrinking is refused). */
bool qcow2_truncate(BlockDriverState *bs, uint64_t size, GError **errp);

/*
 * Writes one guest cluster at OFFSET (cluster-aligned, unallocated) zlib-
 * compressed; BUF holds cluster_size bytes. Stored uncompressed when that is
 * not smaller. 0 or -errno.
 */
int qcow2_write_compressed(BlockDriverState *bs, uint64_t offset, const void *buf);

#endif
