/*
 * -drive and -blockdev. A -drive string is checked for its own keys (file,
 * format, if, id, readonly, cache, aio, discard), rewritten into the
 * -blockdev keys of a format node over a "file" protocol node, and opened
 * into a named BlockBackend; without format= the image is probed, with a
 * warning. A -blockdev string opens a node (and its nested children) that a
 * device later names by node-name. Unknown keys are errors, like anywhere else.
 */
#include "util/osdep.h"
#include "block/block_int.h"
#include "block/blockdev.h"

#define BLK_PROBE_BYTES 512

typedef struct DriveCacheMode {
    const char *name;
    int flags;
    bool wce;
} DriveCacheMode;

static const DriveCacheMode drive_cache_modes[] = {
    { "writeback", 0, true },
    { "none", BDRV_O_NOCACHE, true },
    { "writethrough", 0, false },
    { "directsync", BDRV_O_NOCACHE, false },
    { "unsafe", BDRV_O_NO_FLUSH, true },
};

static const char *const drive_if_names[] = { "virtio", "none", NULL };
static const char *const drive_aio_names[] = { "threads", "native", "io_uring", NULL };

static GPtrArray *blockdev_nodes;   /* the -blockdev nodes, one reference each */
static unsigned drive_anon_count;

/* Adds KEY=VALUE to KV (as if given), so the node opener reads it. */
static void drive_set_key(Keyval *kv, const char *key, const char *value)
{
    KeyvalPair *p = g_new0(KeyvalPair, 1);

    p->key = g_strdup(key);
    p->value = g_strdup(value);
    g_ptr_array_add(kv->pairs, p);
}

static bool drive_id_valid(const char *id)
{
    if (!g_ascii_isalpha(id[0])) {
        return false;
    }
    for (const char *p = id; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("-._", *p)) {
            return false;
        }
    }
    return true;
}

static bool blockdev_name_taken(const char *name)
{
    return blk_by_name(name) || bdrv_find_node(name);
}

/* The format node of a -drive, probing the format when none was given. */
static BlockDriverState *drive_open_nodes(BdrvOpenOpts *opts, const char *format, int flags,
                                          GError **errp)
{
    BdrvOpenOpts fopts = *opts;
    BlockDriverState *file, *bs;
    const BlockDriver *drv = NULL;

    /* The protocol node inherits what the format node's keys (discard=...) say. */
    if (!bdrv_parse_open_flags(opts, &flags, errp)) {
        return NULL;
    }
    fopts.prefix = (char *)"file.";
    file = bdrv_open_opts(&fopts, "file", flags, errp);
    if (!file) {
        return NULL;
    }
    if (!format) {
        uint8_t buf[BLK_PROBE_BYTES];
        int64_t len = bdrv_getlength(file);
        struct iovec iov = { .iov_base = buf, .iov_len = MIN(sizeof(buf), MAX(len, 0)) };
        BdrvRequest req = { .op = BDRV_OP_READ, .iov = &iov, .iovcnt = 1,
                            .bytes = iov.iov_len };
        int ret = req.bytes ? bdrv_run_sync(file, &req) : 0;

        if (ret < 0) {
            error_setg_errno(errp, -ret, "%s: could not read '%s' to probe its format",
                             opts->optname, file->filename);
            bdrv_unref(file);
            return NULL;
        }
        drv = bdrv_probe_format(buf, req.bytes, file->filename);
        format = drv->format_name;
        if (strcmp(format, "raw") != 0) {
            warn_report("-drive file=%s: no format= given, so the image was probed and taken "
                        "as %s; probing is unsafe (a guest could forge a header), give "
                        "format=%s", file->filename, format, format);
        } else {
            warn_report("-drive file=%s: no format= given, so the image was probed and taken "
                        "as raw; probing raw images is unsafe, so writes to its first sector "
                        "are restricted (give format=raw to lift this)", file->filename);
        }
    }
    drive_set_key(opts->kv, "driver", format);
    opts->file = file;
    bs = bdrv_open_opts(opts, NULL, flags, errp);
    if (opts->file) {           /* the format driver failed before taking it */
        bdrv_unref(opts->file);
    }
    if (bs) {
        bs->probed = drv != NULL;
    }
    return bs;
}

BlockBackend *blk_drive_add(const char *optstr, GError **errp)
{
    g_autoptr(Keyval) kv = keyval_parse(optstr, NULL, "-drive", errp);
    BdrvOpenOpts opts = { .kv = kv, .optname = "-drive", .prefix = (char *)"" };
    const char *file, *format, *id, *aio, *cache;
    g_autofree char *name = NULL;
    const DriveCacheMode *mode = &drive_cache_modes[0];
    int if_idx = 0, aio_idx;
    bool ro;
    BlockDriverState *bs;
    BlockBackend *blk;

    if (!kv) {
        return NULL;
    }
    file = keyval_get(kv, "file");
    format = keyval_get(kv, "format");
    id = keyval_get(kv, "id");
    cache = keyval_get(kv, "cache");
    aio = keyval_get(kv, "aio");
    if (!file || !*file) {
        error_setg(errp, "-drive: file=PATH is needed");
        return NULL;
    }
    if (!bdrv_opt_get_enum(&opts, "if", drive_if_names, 0, &if_idx, errp) ||
        !bdrv_opt_get_enum(&opts, "aio", drive_aio_names, 0, &aio_idx, errp) ||
        !bdrv_opt_get_bool(&opts, "readonly", false, &ro, errp)) {
        return NULL;
    }
    if (cache) {
        mode = NULL;
        for (size_t i = 0; i < ARRAY_SIZE(drive_cache_modes); i++) {
            if (!strcmp(cache, drive_cache_modes[i].name)) {
                mode = &drive_cache_modes[i];
            }
        }
        if (!mode) {
            error_setg(errp, "-drive: cache=%s: invalid cache mode (none, writeback, "
                       "writethrough, directsync, unsafe)", cache);
            return NULL;
        }
    }
    if (format && !bdrv_find_format(format)) {
        error_setg(errp, "-drive: format=%s: unknown image format (known: raw, qcow2)", format);
        return NULL;
    }
    if (format && bdrv_find_format(format)->is_protocol) {
        error_setg(errp, "-drive: format=%s: a protocol, not an image format", format);
        return NULL;
    }
    if (id && !drive_id_valid(id)) {
        error_setg(errp, "-drive: id=%s: an id starts with a letter and has only letters, "
                   "digits, '-', '.' and '_'", id);
        return NULL;
    }
    if (id && blockdev_name_taken(id)) {
        error_setg(errp, "-drive: id=%s: a drive or node with that name exists", id);
        return NULL;
    }
    if (id) {
        name = g_strdup(id);
    } else {
        do {
            g_free(name);
            name = g_strdup_printf("drive%u", drive_anon_count++);
        } while (blockdev_name_taken(name));
    }

    opts.filename = file;
    if (aio) {
        drive_set_key(kv, "file.aio", aio);
    }
    bs = drive_open_nodes(&opts, format, (ro ? 0 : BDRV_O_RDWR) | mode->flags, errp);
    if (!bs) {
        return NULL;
    }
    if (!keyval_check_all_used(kv, "-drive", errp)) {
        bdrv_unref(bs);
        return NULL;
    }
    blk = blk_new(name, bs, mode->wce, drive_if_names[if_idx], errp);
    if (!blk) {
        bdrv_unref(bs);
    }
    return blk;
}

BlockDriverState *bdrv_blockdev_add(const char *optstr, GError **errp)
{
    g_autoptr(Keyval) kv = keyval_parse(optstr, NULL, "-blockdev", errp);
    BdrvOpenOpts opts = { .kv = kv, .optname = "-blockdev", .prefix = (char *)"" };
    const char *node_name;
    BlockDriverState *bs;

    if (!kv) {
        return NULL;
    }
    node_name = keyval_get(kv, "node-name");
    if (!keyval_get(kv, "driver")) {
        error_setg(errp, "-blockdev: driver=DRIVER is needed (raw or file)");
        return NULL;
    }
    if (!node_name) {
        error_setg(errp, "-blockdev: node-name=NAME is needed");
        return NULL;
    }
    if (blk_by_name(node_name)) {
        error_setg(errp, "-blockdev: node-name=%s: a drive with that id exists", node_name);
        return NULL;
    }
    bs = bdrv_open_opts(&opts, NULL, BDRV_O_RDWR, errp);
    if (!bs) {
        return NULL;
    }
    if (!keyval_check_all_used(kv, "-blockdev", errp)) {
        bdrv_unref(bs);
        return NULL;
    }
    if (!blockdev_nodes) {
        blockdev_nodes = g_ptr_array_new();
    }
    g_ptr_array_add(blockdev_nodes, bs);
    return bs;
}

void bdrv_close_all(void)
{
    blk_close_all();
    for (guint i = 0; blockdev_nodes && i < blockdev_nodes->len; i++) {
        bdrv_unref(g_ptr_array_index(blockdev_nodes, i));
    }
    g_clear_pointer(&blockdev_nodes, g_ptr_array_unref);
}
