/*
 * What block drivers see: the BlockDriver table a format (raw, later qcow2) or
 * protocol (file) driver registers, the BlockDriverState node it runs on, the
 * request it is handed and the option helpers it opens with. A format node
 * reads and writes through its "file" child node; requests complete through
 * their callback on the main loop (BQL held), never inside bdrv_submit.
 */
#ifndef BLOCK_BLOCK_INT_H
#define BLOCK_BLOCK_INT_H

#include "block/block.h"
#include "util/keyval.h"

/* Node open flags. */
enum {
    BDRV_O_RDWR     = 1 << 0,
    BDRV_O_NOCACHE  = 1 << 1,   /* cache.direct: bypass the host page cache */
    BDRV_O_NO_FLUSH = 1 << 2,   /* cache.no-flush: flushes do nothing */
    BDRV_O_UNMAP    = 1 << 3,   /* discard=unmap: discards deallocate */
};

typedef enum BdrvOp {
    BDRV_OP_READ,
    BDRV_OP_WRITE,
    BDRV_OP_FLUSH,
    BDRV_OP_DISCARD,
    BDRV_OP_WRITE_ZEROES,
} BdrvOp;

/*
 * One request as a driver sees it. Validated before it reaches a driver:
 * offset + bytes does not overflow and lies within the image; for READ/WRITE,
 * bytes is the total length of IOV. A driver that passes it on to a child
 * keeps it intact; CB is called exactly once.
 */
typedef struct BdrvRequest {
    BdrvOp op;
    uint64_t offset;
    uint64_t bytes;
    struct iovec *iov;
    int iovcnt;
    int flags;                  /* BDRV_REQ_* */
    BlockCompletionFunc *cb;
    void *opaque;
} BdrvRequest;

/* Where a node's options come from: one -drive/-blockdev string and a key prefix. */
typedef struct BdrvOpenOpts {
    Keyval *kv;
    const char *optname;        /* "-drive" or "-blockdev", for errors */
    char *prefix;               /* "" for the top node, "file." for its child, ... */
    const char *filename;       /* -drive file=PATH: the protocol node's filename */
    BlockDriverState *file;     /* an already opened "file" child, or NULL */
} BdrvOpenOpts;

typedef struct BlockDriver {
    const char *format_name;
    size_t instance_size;       /* of bs->opaque */
    bool is_protocol;           /* opens a filename itself (no "file" child) */
    /* Score how likely the first bytes of an image are this format (0: not at all). */
    int (*bdrv_probe)(const uint8_t *buf, size_t len, const char *filename);
    bool (*bdrv_open)(BlockDriverState *bs, BdrvOpenOpts *opts, GError **errp);
    void (*bdrv_close)(BlockDriverState *bs);
    void (*bdrv_submit)(BlockDriverState *bs, BdrvRequest *req);
    int64_t (*bdrv_getlength)(BlockDriverState *bs);
    /*
     * REQ done synchronously on the calling thread, which may be a pool worker
     * without the BQL (req->cb is not used): 0 or -errno. Formats that do
     * their work on a worker (qcow2) reach their file child and backing
     * images through it. REQ is not validated against the image size.
     */
    int (*bdrv_pio)(BlockDriverState *bs, BdrvRequest *req);
} BlockDriver;

struct BlockDriverState {
    const BlockDriver *drv;
    void *opaque;
    char *node_name;            /* NULL for nodes that -drive made */
    char *filename;
    BlockDriverState *file;     /* the child of a format node */
    int open_flags;             /* BDRV_O_* */
    bool probed;                /* format guessed: writes to sector 0 are checked */
    uint32_t request_alignment; /* 1 unless the host needs more (O_DIRECT) */
    int refcnt;                 /* parents and backends using the node */
};

/* The built-in drivers (named so that programs linking a plain archive keep them). */
extern const BlockDriver bdrv_raw;
extern const BlockDriver bdrv_file;
extern const BlockDriver bdrv_qcow2;

void bdrv_register(const BlockDriver *drv);
#define block_init(drv) \
    static void __attribute__((constructor)) bdrv_register_##drv(void) { bdrv_register(&drv); }

const BlockDriver *bdrv_find_format(const char *name);
/* The format whose bdrv_probe scores BUF highest. */
const BlockDriver *bdrv_probe_format(const uint8_t *buf, size_t len, const char *filename);

/*
 * Opens a node from OPTS (keys under opts->prefix): "driver" (or DEFAULT_DRIVER),
 * "node-name", "read-only", "cache.direct", "cache.no-flush", "discard"; the
 * flags not given there are inherited from FLAGS.
 */
BlockDriverState *bdrv_open_opts(BdrvOpenOpts *opts, const char *default_driver, int flags,
                                 GError **errp);
/* FLAGS updated by the read-only, cache.* and discard keys under opts->prefix. */
bool bdrv_parse_open_flags(BdrvOpenOpts *opts, int *flags, GError **errp);
/* A format driver's child: preset, nested "file.*" keys or a "file=NODE" reference. */
BlockDriverState *bdrv_open_child(BlockDriverState *parent, BdrvOpenOpts *opts,
                                  GError **errp);
void bdrv_unref(BlockDriverState *bs);
BlockDriverState *bdrv_find_node(const char *node_name);

/* Option helpers: KEY under opts->prefix. Errors name the option and the key. */
const char *bdrv_opt_get(BdrvOpenOpts *opts, const char *key);
bool bdrv_opt_get_bool(BdrvOpenOpts *opts, const char *key, bool def, bool *out,
                       GError **errp);
/* VALUE must be one of CHOICES (NULL-terminated); *OUT is its index, DEF if absent. */
bool bdrv_opt_get_enum(BdrvOpenOpts *opts, const char *key, const char *const *choices,
                       int def, int *out, GError **errp);

static inline bool bdrv_is_read_only(BlockDriverState *bs)
{
    return !(bs->open_flags & BDRV_O_RDWR);
}

void bdrv_submit(BlockDriverState *bs, BdrvRequest *req);
/* Completes REQ with RET on the main loop: for a request that needs no I/O. */
void bdrv_complete_later(BdrvRequest *req, int ret);
int64_t bdrv_getlength(BlockDriverState *bs);
/* Runs REQ (its cb/opaque are replaced) and waits for it: 0 or -errno. */
int bdrv_run_sync(BlockDriverState *bs, BdrvRequest *req);
/* The driver's bdrv_pio (-ENOTSUP without one): any thread, no BQL needed. */
int bdrv_pio(BlockDriverState *bs, BdrvRequest *req);
/* bdrv_pio of one READ/WRITE buffer, or of a FLUSH (BUF NULL, BYTES 0). */
int bdrv_pio_buf(BlockDriverState *bs, BdrvOp op, uint64_t offset, void *buf, uint64_t bytes,
                 int flags);
/*
 * Opens the image FILENAME (a "file" node under a FORMAT node; FORMAT NULL:
 * probed, *PROBED tells) with BDRV_O_* FLAGS: for tools and backing files.
 * OPTIONS (or NULL): more "key=value,..." for the format node.
 */
BlockDriverState *bdrv_open_image(const char *filename, const char *format,
                                  const char *options, int flags, bool *probed, GError **errp);

/*
 * A backend named NAME on ROOT (which it takes the caller's reference to);
 * IF_NAME is the -drive interface or NULL. WCE: write cache enabled.
 */
BlockBackend *blk_new(const char *name, BlockDriverState *root, bool wce, const char *if_name,
                      GError **errp);
/* The root node of BLK. */
BlockDriverState *blk_bs(BlockBackend *blk);
/* A backend by its own name only (not a node-name). */
BlockBackend *blk_by_name(const char *name);
/* Drains, flushes and frees every backend, dropping their node references. */
void blk_close_all(void);

#endif
