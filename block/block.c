/*
 * The driver-node graph: format and protocol drivers register here; nodes are
 * opened from one option string's keys (a prefix per level: "", "file.",
 * ...), inherit the read-only, cache and discard flags of their parent, and
 * live while a parent or a backend holds a reference. Also the common paths
 * every driver uses: submitting a request, completing one without I/O,
 * waiting for one synchronously, and probing an image's format.
 */
#include "util/osdep.h"
#include "block/block_int.h"
#include "block/raw-aio.h"

#define BDRV_NODE_NAME_MAX 31

static GPtrArray *bdrv_drivers;     /* of const BlockDriver * */
static GPtrArray *bdrv_nodes;       /* every open node */

void bdrv_register(const BlockDriver *drv)
{
    if (!bdrv_drivers) {
        bdrv_drivers = g_ptr_array_new();
    }
    g_ptr_array_add(bdrv_drivers, (gpointer)drv);
}

const BlockDriver *bdrv_find_format(const char *name)
{
    for (guint i = 0; bdrv_drivers && i < bdrv_drivers->len; i++) {
        const BlockDriver *drv = g_ptr_array_index(bdrv_drivers, i);
        if (!strcmp(drv->format_name, name)) {
            return drv;
        }
    }
    return NULL;
}

const BlockDriver *bdrv_probe_format(const uint8_t *buf, size_t len, const char *filename)
{
    const BlockDriver *best = NULL;
    int best_score = 0;

    for (guint i = 0; bdrv_drivers && i < bdrv_drivers->len; i++) {
        const BlockDriver *drv = g_ptr_array_index(bdrv_drivers, i);
        int score = drv->bdrv_probe ? drv->bdrv_probe(buf, len, filename) : 0;
        if (score > best_score) {
            best = drv;
            best_score = score;
        }
    }
    return best;
}

/* "raw, file": for error messages. */
static char *bdrv_driver_list(void)
{
    GString *s = g_string_new(NULL);

    for (guint i = 0; bdrv_drivers && i < bdrv_drivers->len; i++) {
        const BlockDriver *drv = g_ptr_array_index(bdrv_drivers, i);
        g_string_append_printf(s, "%s%s", i ? ", " : "", drv->format_name);
    }
    return g_string_free(s, FALSE);
}

BlockDriverState *bdrv_find_node(const char *node_name)
{
    for (guint i = 0; bdrv_nodes && i < bdrv_nodes->len; i++) {
        BlockDriverState *bs = g_ptr_array_index(bdrv_nodes, i);
        if (bs->node_name && !strcmp(bs->node_name, node_name)) {
            return bs;
        }
    }
    return NULL;
}

/* ---- options ---- */

const char *bdrv_opt_get(BdrvOpenOpts *opts, const char *key)
{
    g_autofree char *full = g_strconcat(opts->prefix, key, NULL);

    return keyval_get(opts->kv, full);
}

bool bdrv_opt_get_bool(BdrvOpenOpts *opts, const char *key, bool def, bool *out,
                       GError **errp)
{
    const char *v = bdrv_opt_get(opts, key);

    if (!v) {
        *out = def;
        return true;
    }
    if (!parse_bool(v, out)) {
        error_setg(errp, "%s: %s%s=%s: expects on or off", opts->optname, opts->prefix, key, v);
        return false;
    }
    return true;
}

bool bdrv_opt_get_enum(BdrvOpenOpts *opts, const char *key, const char *const *choices,
                       int def, int *out, GError **errp)
{
    const char *v = bdrv_opt_get(opts, key);
    g_autofree char *list = NULL;

    if (!v) {
        *out = def;
        return true;
    }
    for (int i = 0; choices[i]; i++) {
        if (!strcmp(v, choices[i])) {
            *out = i;
            return true;
        }
    }
    list = g_strjoinv(", ", (char **)choices);
    error_setg(errp, "%s: %s%s=%s: invalid value (%s)", opts->optname, opts->prefix, key, v,
               list);
    return false;
}

static bool bdrv_node_name_valid(const char *name)
{
    if (!g_ascii_isalpha(name[0]) || strlen(name) > BDRV_NODE_NAME_MAX) {
        return false;
    }
    for (const char *p = name; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("-._", *p)) {
            return false;
        }
    }
    return true;
}

bool bdrv_parse_open_flags(BdrvOpenOpts *opts, int *flags, GError **errp)
{
    static const char *const discard_names[] = { "ignore", "off", "unmap", "on", NULL };
    bool ro, direct, no_flush;
    int discard;

    if (!bdrv_opt_get_bool(opts, "read-only", !(*flags & BDRV_O_RDWR), &ro, errp) ||
        !bdrv_opt_get_bool(opts, "cache.direct", *flags & BDRV_O_NOCACHE, &direct, errp) ||
        !bdrv_opt_get_bool(opts, "cache.no-flush", *flags & BDRV_O_NO_FLUSH, &no_flush,
                           errp) ||
        !bdrv_opt_get_enum(opts, "discard", discard_names, (*flags & BDRV_O_UNMAP) ? 2 : 0,
                           &discard, errp)) {
        return false;
    }
    *flags = (ro ? 0 : BDRV_O_RDWR) | (direct ? BDRV_O_NOCACHE : 0) |
             (no_flush ? BDRV_O_NO_FLUSH : 0) | (discard >= 2 ? BDRV_O_UNMAP : 0);
    return true;
}

/* ---- opening and closing nodes ---- */

static void bdrv_delete(BlockDriverState *bs)
{
    if (bs->drv->bdrv_close) {
        bs->drv->bdrv_close(bs);
    }
    if (bs->file) {
        bdrv_unref(bs->file);
    }
    g_free(bs->opaque);
    g_free(bs->node_name);
    g_free(bs->filename);
    g_free(bs);
}

BlockDriverState *bdrv_open_opts(BdrvOpenOpts *opts, const char *default_driver, int flags,
                                 GError **errp)
{
    const char *drvname = bdrv_opt_get(opts, "driver");
    const char *node_name = bdrv_opt_get(opts, "node-name");
    const BlockDriver *drv;
    BlockDriverState *bs;

    drvname = drvname ? drvname : default_driver;
    if (!drvname) {
        error_setg(errp, "%s: %sdriver=DRIVER is needed", opts->optname, opts->prefix);
        return NULL;
    }
    drv = bdrv_find_format(drvname);
    if (!drv) {
        g_autofree char *list = bdrv_driver_list();
        error_setg(errp, "%s: %sdriver=%s: unknown block driver (known: %s)", opts->optname,
                   opts->prefix, drvname, list);
        return NULL;
    }
    if (node_name && !bdrv_node_name_valid(node_name)) {
        error_setg(errp, "%s: %snode-name=%s: a name starts with a letter and has at most %d "
                   "letters, digits, '-', '.' and '_'", opts->optname, opts->prefix, node_name,
                   BDRV_NODE_NAME_MAX);
        return NULL;
    }
    if (node_name && bdrv_find_node(node_name)) {
        error_setg(errp, "%s: %snode-name=%s: a node with that name exists", opts->optname,
                   opts->prefix, node_name);
        return NULL;
    }
    if (!bdrv_parse_open_flags(opts, &flags, errp)) {
        return NULL;
    }

    bs = g_new0(BlockDriverState, 1);
    bs->drv = drv;
    bs->opaque = g_malloc0(drv->instance_size);
    bs->node_name = g_strdup(node_name);
    bs->open_flags = flags;
    bs->request_alignment = 1;
    bs->refcnt = 1;
    if (!drv->bdrv_open(bs, opts, errp)) {
        bdrv_delete(bs);
        return NULL;
    }
    if (!bdrv_nodes) {
        bdrv_nodes = g_ptr_array_new();
    }
    g_ptr_array_add(bdrv_nodes, bs);
    return bs;
}

static bool bdrv_opts_have_prefix(BdrvOpenOpts *opts, const char *prefix)
{
    for (guint i = 0; i < opts->kv->pairs->len; i++) {
        KeyvalPair *p = g_ptr_array_index(opts->kv->pairs, i);
        if (g_str_has_prefix(p->key, prefix)) {
            return true;
        }
    }
    return false;
}

BlockDriverState *bdrv_open_child(BlockDriverState *parent, BdrvOpenOpts *opts, GError **errp)
{
    g_autofree char *child_prefix = g_strconcat(opts->prefix, "file.", NULL);
    const char *ref;
    BlockDriverState *child;

    if (opts->file) {
        child = opts->file;
        opts->file = NULL;
        return child;
    }
    if (bdrv_opts_have_prefix(opts, child_prefix)) {
        BdrvOpenOpts copts = *opts;
        copts.prefix = child_prefix;
        return bdrv_open_opts(&copts, "file", parent->open_flags, errp);
    }
    ref = bdrv_opt_get(opts, "file");
    if (!ref) {
        error_setg(errp, "%s: driver=%s needs %sfile=NODE or %sfile.driver=file,"
                   "%sfile.filename=PATH", opts->optname, parent->drv->format_name,
                   opts->prefix, opts->prefix, opts->prefix);
        return NULL;
    }
    child = bdrv_find_node(ref);
    if (!child) {
        error_setg(errp, "%s: %sfile=%s: no block node has that node-name", opts->optname,
                   opts->prefix, ref);
        return NULL;
    }
    if (bdrv_is_read_only(child) && !bdrv_is_read_only(parent)) {
        error_setg(errp, "%s: %sfile=%s: the node is read-only (add read-only=on)",
                   opts->optname, opts->prefix, ref);
        return NULL;
    }
    child->refcnt++;
    return child;
}

void bdrv_unref(BlockDriverState *bs)
{
    if (--bs->refcnt > 0) {
        return;
    }
    g_ptr_array_remove(bdrv_nodes, bs);
    bdrv_delete(bs);
}

/* ---- requests ---- */

void bdrv_submit(BlockDriverState *bs, BdrvRequest *req)
{
    bs->drv->bdrv_submit(bs, req);
}

int64_t bdrv_getlength(BlockDriverState *bs)
{
    if (bs->drv->bdrv_getlength) {
        return bs->drv->bdrv_getlength(bs);
    }
    return bs->file ? bdrv_getlength(bs->file) : -ENOMEDIUM;
}

typedef struct BdrvLaterJob {
    BlkAioJob job;
    BdrvRequest *req;
} BdrvLaterJob;

static void bdrv_later_complete(BlkAioJob *job, int ret)
{
    BdrvLaterJob *l = container_of(job, BdrvLaterJob, job);
    BdrvRequest *req = l->req;

    g_free(l);
    req->cb(req->opaque, ret);
}

void bdrv_complete_later(BdrvRequest *req, int ret)
{
    BdrvLaterJob *l = g_new0(BdrvLaterJob, 1);

    l->req = req;
    l->job.complete = bdrv_later_complete;
    blk_aio_complete_later(&l->job, ret);
}

typedef struct BdrvSyncState {
    bool done;
    int ret;
} BdrvSyncState;

static void bdrv_sync_done(void *opaque, int ret)
{
    BdrvSyncState *st = opaque;

    st->done = true;
    st->ret = ret;
}

int bdrv_run_sync(BlockDriverState *bs, BdrvRequest *req)
{
    BdrvSyncState st = { 0 };

    req->cb = bdrv_sync_done;
    req->opaque = &st;
    bdrv_submit(bs, req);
    while (!st.done) {
        blk_aio_poll(true);
    }
    return st.ret;
}

int bdrv_pio(BlockDriverState *bs, BdrvRequest *req)
{
    return bs->drv->bdrv_pio ? bs->drv->bdrv_pio(bs, req) : -ENOTSUP;
}

int bdrv_pio_buf(BlockDriverState *bs, BdrvOp op, uint64_t offset, void *buf, uint64_t bytes,
                 int flags)
{
    struct iovec iov = { .iov_base = buf, .iov_len = bytes };
    BdrvRequest req = { .op = op, .offset = offset, .bytes = bytes, .iov = &iov,
                        .iovcnt = buf ? 1 : 0, .flags = flags };

    return bdrv_pio(bs, &req);
}

BlockDriverState *bdrv_open_image(const char *filename, const char *format,
                                  const char *options, int flags, bool *probed, GError **errp)
{
    g_autoptr(Keyval) fkv = keyval_parse("", NULL, "image", errp);
    g_autoptr(Keyval) kv = NULL;
    g_autofree char *drvopt = NULL;
    BdrvOpenOpts opts = { .kv = fkv, .optname = "image", .prefix = (char *)"",
                          .filename = filename };
    BlockDriverState *file, *bs;
    bool guessed = !format;

    file = fkv ? bdrv_open_opts(&opts, "file", flags, errp) : NULL;
    if (!file) {
        return NULL;
    }
    if (!format) {
        uint8_t buf[512] = { 0 };
        int64_t len = bdrv_getlength(file);
        int ret = len < 0 ? (int)len :
                  bdrv_pio_buf(file, BDRV_OP_READ, 0, buf, MIN(sizeof(buf), (uint64_t)len), 0);

        if (ret < 0) {
            error_setg_errno(errp, -ret, "could not read '%s' to probe its format", filename);
            bdrv_unref(file);
            return NULL;
        }
        format = bdrv_probe_format(buf, MIN(sizeof(buf), (uint64_t)len), filename)->format_name;
    }
    if (!bdrv_find_format(format) || bdrv_find_format(format)->is_protocol ||
        strchr(format, ',')) {
        error_setg(errp, "'%s': unknown image format '%s'", filename, format);
        bdrv_unref(file);
        return NULL;
    }
    drvopt = g_strconcat("driver=", format, options ? "," : "", options, NULL);
    kv = keyval_parse(drvopt, NULL, "image", errp);
    opts = (BdrvOpenOpts) { .kv = kv, .optname = "image", .prefix = (char *)"", .file = file };
    if (!kv) {
        bdrv_unref(file);
        return NULL;
    }
    bs = kv ? bdrv_open_opts(&opts, NULL, flags, errp) : NULL;
    if (opts.file) {
        bdrv_unref(opts.file);
    }
    if (bs && !keyval_check_all_used(kv, "image", errp)) {
        bdrv_unref(bs);
        bs = NULL;
    }
    if (bs) {
        bs->probed = guessed;
    }
    if (probed) {
        *probed = guessed;
    }
    return bs;
}
