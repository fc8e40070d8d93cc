/*
 * kestrel-img: Kestrel's disk image tool, with qemu-img's commands, options,
 * output and exit codes for what it covers: create, info, check, convert,
 * resize, compare and snapshot -l on raw and qcow2 images. It opens images
 * through the block layer's drivers and does synchronous I/O (bdrv_pio), so
 * it needs no main loop. See docs/kestrel-img.1.
 */
#include "util/osdep.h"
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <sys/stat.h>
#include <time.h>
#include <json-glib/json-glib.h>
#include "block/block_int.h"
#include "block/qcow2.h"
#include "util/keyval.h"

#define IMG_CHUNK (1 * MiB)
#define IMG_MAX_CHAIN 16

typedef struct ImgCommand {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *usage;
} ImgCommand;

static const ImgCommand *img_cmd;
static bool img_quiet;

static int img_usage_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static int img_usage_error(const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    error_report("%s: %s (see 'kestrel-img %s --help')", img_cmd->name, msg, img_cmd->name);
    return 1;
}

static int img_gerror(GError *err)
{
    error_report("%s", err->message);
    g_error_free(err);
    return 1;
}

static bool img_parse_size(const char *s, uint64_t *out)
{
    return parse_size(s, 1, out);
}

/* The format of PATH as probing sees it (raw when nothing else matches). */
static const char *img_probe(const char *path, GError **errp)
{
    uint8_t buf[512] = { 0 };
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0) {
        error_setg_errno(errp, errno, "could not open '%s'", path);
        return NULL;
    }
    n = pread(fd, buf, sizeof(buf), 0);
    close(fd);
    if (n < 0) {
        error_setg_errno(errp, errno, "could not read '%s'", path);
        return NULL;
    }
    return bdrv_probe_format(buf, n, path)->format_name;
}

/*
 * Opens PATH as FMT (probed if NULL). NO_BACKING: qcow2 without its backing
 * chain (info, check); REPAIR: a corrupt qcow2 image read-write (check -r).
 */
static BlockDriverState *img_open(const char *path, const char *fmt, int flags,
                                  bool no_backing, bool repair, GError **errp)
{
    g_autofree char *extra = NULL;

    if (!fmt) {
        fmt = img_probe(path, errp);
        if (!fmt) {
            return NULL;
        }
    }
    if (!strcmp(fmt, "qcow2") && (no_backing || repair)) {
        extra = g_strdup_printf("x-no-backing=%s,x-repair=%s", no_backing ? "on" : "off",
                                repair ? "on" : "off");
    }
    return bdrv_open_image(path, fmt, extra, flags, NULL, errp);
}

static bool img_is_qcow2(BlockDriverState *bs)
{
    return bs->drv == &bdrv_qcow2;
}

static int64_t img_actual_size(const char *path)
{
    struct stat st;

    return stat(path, &st) < 0 ? -1 : (int64_t)st.st_blocks * 512;
}

/* "1 GiB", "196 KiB", "1.5 MiB": qemu-img's human sizes. */
static char *img_size_str(uint64_t v)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    int i = 0;
    double d = v;

    while (d >= 1024 && i < 6) {
        d /= 1024;
        i++;
    }
    return g_strdup_printf("%0.3g %s", d, units[i]);
}

static void img_progress(bool on, uint64_t done, uint64_t total)
{
    if (on) {
        printf("    (%.2f/100%%)\r", total ? 100.0 * done / total : 100.0);
        fflush(stdout);
    }
}

/* ---- create ---- */

typedef struct ImgCreateArgs {
    const char *fmt;
    const char *backing;
    const char *backing_fmt;
    const char *options;
} ImgCreateArgs;

static bool img_parse_create_options(const char *options, Qcow2CreateOpts *o, GError **errp)
{
    g_autoptr(Keyval) kv = keyval_parse(options ? options : "", NULL, "-o", errp);
    const char *v;
    uint64_t n;

    if (!kv) {
        return false;
    }
    if ((v = keyval_get(kv, "cluster_size"))) {
        if (!img_parse_size(v, &n) || n > UINT32_MAX) {
            error_setg(errp, "-o cluster_size=%s: invalid size", v);
            return false;
        }
        o->cluster_size = n;
    }
    if ((v = keyval_get(kv, "compat"))) {
        if (!strcmp(v, "0.10") || !strcmp(v, "v2")) {
            o->version = 2;
        } else if (!strcmp(v, "1.1") || !strcmp(v, "v3")) {
            o->version = 3;
        } else {
            error_setg(errp, "-o compat=%s: invalid compatibility level (0.10 or 1.1)", v);
            return false;
        }
    }
    if ((v = keyval_get(kv, "refcount_bits"))) {
        if (!parse_uint(v, &n) || n > 64) {
            error_setg(errp, "-o refcount_bits=%s: invalid width", v);
            return false;
        }
        o->refcount_bits = n;
    }
    if ((v = keyval_get(kv, "backing_file"))) {
        o->backing_file = g_strdup(v);
    }
    if ((v = keyval_get(kv, "backing_fmt"))) {
        o->backing_format = g_strdup(v);
    }
    return keyval_check_all_used(kv, "-o", errp);
}

/* Creates FILE as A->fmt; SIZE < 0: the backing image's size. */
static bool img_create_image(const char *file, const ImgCreateArgs *a, int64_t size,
                             GError **errp)
{
    Qcow2CreateOpts o = { 0 };
    bool ok = false;
    int fd;

    if (!strcmp(a->fmt, "raw")) {
        if (a->backing || a->options) {
            error_setg(errp, "the raw format has no %s", a->backing ? "backing file" :
                       "options");
            return false;
        }
        if (size < 0) {
            error_setg(errp, "an image size is needed");
            return false;
        }
        fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || ftruncate(fd, size) < 0) {
            error_setg_errno(errp, errno, "could not create '%s'", file);
        } else {
            ok = true;
        }
        if (fd >= 0) {
            close(fd);
        }
        return ok;
    }
    if (strcmp(a->fmt, "qcow2") != 0) {
        error_setg(errp, "unknown image format '%s' (raw or qcow2)", a->fmt);
        return false;
    }
    if (!img_parse_create_options(a->options, &o, errp)) {
        goto out;
    }
    if (a->backing) {
        g_free((char *)o.backing_file);
        o.backing_file = g_strdup(a->backing);
    }
    if (a->backing_fmt) {
        g_free((char *)o.backing_format);
        o.backing_format = g_strdup(a->backing_fmt);
    }
    if (o.backing_file && (size < 0 || !o.backing_format)) {
        /* The backing image, relative to the new image's directory. */
        g_autofree char *dir = g_path_get_dirname(file);
        g_autofree char *path = g_path_is_absolute(o.backing_file) ?
                                g_strdup(o.backing_file) :
                                g_build_filename(dir, o.backing_file, NULL);
        BlockDriverState *bs = img_open(path, o.backing_format, 0, false, false, errp);
        if (!bs) {
            g_prefix_error(errp, "backing file: ");
            goto out;
        }
        if (!o.backing_format) {
            o.backing_format = g_strdup(bs->drv->format_name);
        }
        if (size < 0) {
            size = bdrv_getlength(bs);
        }
        bdrv_unref(bs);
    }
    if (size < 0) {
        error_setg(errp, "an image size is needed");
        goto out;
    }
    o.size = size;
    ok = qcow2_create(file, &o, errp);
out:
    g_free((char *)o.backing_file);
    g_free((char *)o.backing_format);
    return ok;
}

static int img_create(int argc, char **argv)
{
    static const struct option longopts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
    ImgCreateArgs a = { .fmt = "raw" };
    GError *err = NULL;
    uint64_t size = 0;
    int c;

    while ((c = getopt_long(argc, argv, "+hf:b:F:o:q", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': a.fmt = optarg; break;
        case 'b': a.backing = optarg; break;
        case 'F': a.backing_fmt = optarg; break;
        case 'o': a.options = optarg; break;
        case 'q': img_quiet = true; break;
        case 'h': printf("%s", img_cmd->usage); return 0;
        default: return img_usage_error("invalid option");
        }
    }
    if (optind >= argc || argc - optind > 2) {
        return img_usage_error("expects FILE [SIZE]");
    }
    if (argc - optind == 2 && (!img_parse_size(argv[optind + 1], &size) ||
                               size > INT64_MAX)) {
        return img_usage_error("invalid image size '%s' (a number with an optional "
                               "k, M, G, T suffix)", argv[optind + 1]);
    }
    if (!img_create_image(argv[optind], &a, argc - optind == 2 ? (int64_t)size : -1, &err)) {
        return img_gerror(err);
    }
    if (!img_quiet) {
        printf("Formatting '%s', fmt=%s%s%s size=%" PRIu64 "\n", argv[optind], a.fmt,
               a.backing ? " backing_file=" : "", a.backing ? a.backing : "", size);
    }
    return 0;
}

/* ---- info ---- */

typedef struct ImgInfo {
    char *filename;
    const char *format;
    uint64_t virtual_size;
    int64_t actual_size;
    bool qcow2;
    Qcow2Info q;
    char *backing_path;         /* the backing image's path, resolved */
} ImgInfo;

static void img_info_clear(ImgInfo *i)
{
    g_free(i->filename);
    g_free(i->backing_path);
    qcow2_info_clear(&i->q);
}

static bool img_info_get(const char *path, const char *fmt, ImgInfo *info, GError **errp)
{
    BlockDriverState *bs = img_open(path, fmt, 0, true, false, errp);
    bool ok = true;

    memset(info, 0, sizeof(*info));
    if (!bs) {
        return false;
    }
    info->filename = g_strdup(path);
    info->format = bs->drv->format_name;
    info->virtual_size = bdrv_getlength(bs);
    info->actual_size = img_actual_size(path);
    info->qcow2 = img_is_qcow2(bs);
    if (info->qcow2) {
        ok = qcow2_get_info(bs, &info->q, errp);
        if (ok && info->q.backing_file) {
            g_autofree char *dir = g_path_get_dirname(path);
            info->backing_path = g_path_is_absolute(info->q.backing_file) ?
                                 g_strdup(info->q.backing_file) :
                                 g_build_filename(dir, info->q.backing_file, NULL);
        }
    }
    bdrv_unref(bs);
    return ok;
}

static void img_info_json(JsonBuilder *b, ImgInfo *i)
{
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "virtual-size");
    json_builder_add_int_value(b, i->virtual_size);
    json_builder_set_member_name(b, "filename");
    json_builder_add_string_value(b, i->filename);
    if (i->qcow2) {
        json_builder_set_member_name(b, "cluster-size");
        json_builder_add_int_value(b, i->q.cluster_size);
    }
    json_builder_set_member_name(b, "format");
    json_builder_add_string_value(b, i->format);
    if (i->actual_size >= 0) {
        json_builder_set_member_name(b, "actual-size");
        json_builder_add_int_value(b, i->actual_size);
    }
    if (i->qcow2 && i->q.snapshots->len) {
        json_builder_set_member_name(b, "snapshots");
        json_builder_begin_array(b);
        for (guint k = 0; k < i->q.snapshots->len; k++) {
            Qcow2Snapshot *sn = g_ptr_array_index(i->q.snapshots, k);
            json_builder_begin_object(b);
            if (sn->icount != UINT64_MAX) {
                json_builder_set_member_name(b, "icount");
                json_builder_add_int_value(b, sn->icount);
            }
            json_builder_set_member_name(b, "vm-state-size");
            json_builder_add_int_value(b, sn->vm_state_size);
            json_builder_set_member_name(b, "date-sec");
            json_builder_add_int_value(b, sn->date_sec);
            json_builder_set_member_name(b, "date-nsec");
            json_builder_add_int_value(b, sn->date_nsec);
            json_builder_set_member_name(b, "vm-clock-sec");
            json_builder_add_int_value(b, sn->vm_clock_nsec / 1000000000);
            json_builder_set_member_name(b, "vm-clock-nsec");
            json_builder_add_int_value(b, sn->vm_clock_nsec % 1000000000);
            json_builder_set_member_name(b, "id");
            json_builder_add_string_value(b, sn->id);
            json_builder_set_member_name(b, "name");
            json_builder_add_string_value(b, sn->name);
            json_builder_end_object(b);
        }
        json_builder_end_array(b);
    }
    if (i->qcow2) {
        json_builder_set_member_name(b, "format-specific");
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "type");
        json_builder_add_string_value(b, "qcow2");
        json_builder_set_member_name(b, "data");
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "compat");
        json_builder_add_string_value(b, i->q.version == 2 ? "0.10" : "1.1");
        if (i->q.version >= 3) {
            json_builder_set_member_name(b, "compression-type");
            json_builder_add_string_value(b, "zlib");
            json_builder_set_member_name(b, "lazy-refcounts");
            json_builder_add_boolean_value(b, i->q.lazy_refcounts);
        }
        json_builder_set_member_name(b, "refcount-bits");
        json_builder_add_int_value(b, i->q.refcount_bits);
        if (i->q.version >= 3) {
            json_builder_set_member_name(b, "corrupt");
            json_builder_add_boolean_value(b, i->q.corrupt);
            json_builder_set_member_name(b, "extended-l2");
            json_builder_add_boolean_value(b, false);
        }
        json_builder_end_object(b);
        json_builder_end_object(b);
    }
    if (i->backing_path) {
        json_builder_set_member_name(b, "full-backing-filename");
        json_builder_add_string_value(b, i->backing_path);
        json_builder_set_member_name(b, "backing-filename");
        json_builder_add_string_value(b, i->q.backing_file);
        if (i->q.backing_format) {
            json_builder_set_member_name(b, "backing-filename-format");
            json_builder_add_string_value(b, i->q.backing_format);
        }
    }
    json_builder_set_member_name(b, "dirty-flag");
    json_builder_add_boolean_value(b, i->q.dirty);
    json_builder_end_object(b);
}

static void img_info_human(ImgInfo *i)
{
    g_autofree char *vs = img_size_str(i->virtual_size);
    g_autofree char *ds = img_size_str(MAX(i->actual_size, 0));

    printf("image: %s\nfile format: %s\nvirtual size: %s (%" PRIu64 " bytes)\n"
           "disk size: %s\n", i->filename, i->format, vs, i->virtual_size, ds);
    if (!i->qcow2) {
        return;
    }
    printf("cluster_size: %u\n", i->q.cluster_size);
    if (i->q.backing_file) {
        printf("backing file: %s", i->q.backing_file);
        if (strcmp(i->q.backing_file, i->backing_path) != 0) {
            printf(" (actual path: %s)", i->backing_path);
        }
        printf("\n");
        if (i->q.backing_format) {
            printf("backing file format: %s\n", i->q.backing_format);
        }
    }
    if (i->q.snapshots->len) {
        printf("Snapshot list:\n");
    }
    for (guint k = 0; k < i->q.snapshots->len; k++) {
        Qcow2Snapshot *sn = g_ptr_array_index(i->q.snapshots, k);
        printf("%-10s%-17s\n", sn->id, sn->name);
    }
    printf("Format specific information:\n    compat: %s\n",
           i->q.version == 2 ? "0.10" : "1.1");
    if (i->q.version >= 3) {
        printf("    compression type: zlib\n    lazy refcounts: %s\n",
               i->q.lazy_refcounts ? "true" : "false");
    }
    printf("    refcount bits: %d\n", i->q.refcount_bits);
    if (i->q.version >= 3) {
        printf("    corrupt: %s\n    extended l2: false\n", i->q.corrupt ? "true" : "false");
    }
}

static char *img_json_string(JsonBuilder *b)
{
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autoptr(JsonNode) root = json_builder_get_root(b);

    json_generator_set_pretty(gen, TRUE);
    json_generator_set_indent(gen, 4);
    json_generator_set_root(gen, root);
    return json_generator_to_data(gen, NULL);
}

static int img_info(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "output", required_argument, NULL, 'O' },
        { "backing-chain", no_argument, NULL, 'B' },
        { 0 },
    };
    const char *fmt = NULL, *output = "human";
    bool chain = false;
    g_autoptr(JsonBuilder) b = json_builder_new();
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autofree char *path = NULL;
    int c, depth = 0;

    while ((c = getopt_long(argc, argv, "+hf:", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'O': output = optarg; break;
        case 'B': chain = true; break;
        case 'h': printf("%s", img_cmd->usage); return 0;
        default: return img_usage_error("invalid option");
        }
    }
    if (strcmp(output, "human") != 0 && strcmp(output, "json") != 0) {
        return img_usage_error("--output=%s: human or json", output);
    }
    if (argc - optind != 1) {
        return img_usage_error("expects one FILE");
    }
    path = g_strdup(argv[optind]);
    if (chain && !strcmp(output, "json")) {
        json_builder_begin_array(b);
    }
    while (path) {
        ImgInfo info;
        GError *err = NULL;
        char *real = realpath(path, NULL);

        if (real && !g_hash_table_add(seen, real)) {
            error_report("backing chain loops at '%s'", path);
            return 1;
        }
        if (++depth > IMG_MAX_CHAIN) {
            error_report("backing chain longer than %d images", IMG_MAX_CHAIN);
            return 1;
        }
        if (!img_info_get(path, fmt, &info, &err)) {
            return img_gerror(err);
        }
        if (!strcmp(output, "json")) {
            img_info_json(b, &info);
        } else {
            if (depth > 1) {
                printf("\n");
            }
            img_info_human(&info);
        }
        g_free(path);
        path = chain ? g_strdup(info.backing_path) : NULL;
        fmt = info.q.backing_format ? g_intern_string(info.q.backing_format) : NULL;
        img_info_clear(&info);
    }
    if (!strcmp(output, "json")) {
        g_autofree char *s = NULL;
        if (chain) {
            json_builder_end_array(b);
        }
        s = img_json_string(b);
        printf("%s\n", s);
    }
    return 0;
}

/* ---- check ---- */

static void img_check_json(const char *path, Qcow2CheckResult *r)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    g_autofree char *s = NULL;
    struct { const char *name; uint64_t v; bool always; } f[] = {
        { "image-end-offset", r->image_end_offset, true },
        { "total-clusters", r->total_clusters, true },
        { "check-errors", r->check_errors, true },
        { "allocated-clusters", r->allocated_clusters, true },
        { "fragmented-clusters", r->fragmented_clusters, true },
        { "compressed-clusters", r->compressed_clusters, true },
        { "leaks", r->leaks, false },
        { "corruptions", r->corruptions, false },
        { "leaks-fixed", r->leaks_fixed, false },
        { "corruptions-fixed", r->corruptions_fixed, false },
    };

    json_builder_begin_object(b);
    for (size_t i = 0; i < ARRAY_SIZE(f); i++) {
        if (f[i].always || f[i].v) {
            json_builder_set_member_name(b, f[i].name);
            json_builder_add_int_value(b, f[i].v);
        }
    }
    json_builder_set_member_name(b, "filename");
    json_builder_add_string_value(b, path);
    json_builder_set_member_name(b, "format");
    json_builder_add_string_value(b, "qcow2");
    json_builder_end_object(b);
    s = img_json_string(b);
    printf("%s\n", s);
}

static void img_check_human(Qcow2CheckResult *r)
{
    uint64_t t = MAX(r->total_clusters, 1), a = MAX(r->allocated_clusters, 1);

    fputs(r->log->str, stderr);
    if (r->leaks_fixed || r->corruptions_fixed) {
        printf("The following inconsistencies were found and repaired:\n\n"
               "    %" PRIu64 " leaked clusters\n    %" PRIu64 " corruptions\n\n"
               "Double checking the fixed image now...\n", r->leaks_fixed,
               r->corruptions_fixed);
    }
    if (!r->corruptions && !r->leaks && !r->check_errors) {
        printf("No errors were found on the image.\n");
    }
    if (r->corruptions) {
        printf("\n%" PRIu64 " errors were found on the image.\nData may be corrupted, or "
               "further writes to the image may corrupt it.\n", r->corruptions);
    }
    if (r->leaks) {
        printf("\n%" PRIu64 " leaked clusters were found on the image.\nThis means waste of "
               "disk space, but no harm to data.\n", r->leaks);
    }
    if (r->check_errors) {
        printf("\n%" PRIu64 " internal errors have occurred during the check.\n",
               r->check_errors);
    }
    printf("%" PRIu64 "/%" PRIu64 " = %0.2f%% allocated, %0.2f%% fragmented, %0.2f%% "
           "compressed clusters\nImage end offset: %" PRIu64 "\n", r->allocated_clusters,
           r->total_clusters, 100.0 * r->allocated_clusters / t,
           100.0 * r->fragmented_clusters / a, 100.0 * r->compressed_clusters / a,
           r->image_end_offset);
}

static int img_check(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "output", required_argument, NULL, 'O' },
        { "repair", required_argument, NULL, 'r' },
        { 0 },
    };
    const char *fmt = NULL, *output = "human";
    Qcow2CheckResult r = { 0 };
    BlockDriverState *bs;
    GError *err = NULL;
    int c, fix = 0, ret;

    while ((c = getopt_long(argc, argv, "+hf:r:q", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'O': output = optarg; break;
        case 'q': img_quiet = true; break;
        case 'r':
            if (!strcmp(optarg, "leaks")) {
                fix = QCOW2_FIX_LEAKS;
            } else if (!strcmp(optarg, "all")) {
                fix = QCOW2_FIX_LEAKS | QCOW2_FIX_ERRORS;
            } else {
                return img_usage_error("-r %s: leaks or all", optarg);
            }
            break;
        case 'h': printf("%s", img_cmd->usage); return 0;
        default: return img_usage_error("invalid option");
        }
    }
    if (strcmp(output, "human") != 0 && strcmp(output, "json") != 0) {
        return img_usage_error("--output=%s: human or json", output);
    }
    if (argc - optind != 1) {
        return img_usage_error("expects one FILE");
    }
    bs = img_open(argv[optind], fmt, fix ? BDRV_O_RDWR : 0, true, fix != 0, &err);
    if (!bs) {
        return img_gerror(err);
    }
    if (!img_is_qcow2(bs)) {
        bdrv_unref(bs);
        error_report("This image format does not support checks");
        return 63;
    }
    ret = qcow2_check(bs, fix, &r);
    bdrv_unref(bs);
    if (ret < 0) {
        error_report("Check failed: %s", g_strerror(-ret));
        return 1;
    }
    if (!strcmp(output, "json")) {
        img_check_json(argv[optind], &r);
    } else if (!img_quiet) {
        img_check_human(&r);
    }
    g_string_free(r.log, TRUE);
    return r.check_errors ? 1 : r.corruptions ? 2 : r.leaks ? 3 : 0;
}

/* ---- convert ---- */

static bool img_is_zero(const uint8_t *buf, size_t len)
{
    return len == 0 || (buf[0] == 0 && !memcmp(buf, buf + 1, len - 1));
}

static int img_fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int ret = fd < 0 || fsync(fd) < 0 ? -errno : 0;

    if (fd >= 0) {
        close(fd);
    }
    return ret;
}

static int img_convert(int argc, char **argv)
{
    static const struct option longopts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
    const char *fmt = NULL;
    ImgCreateArgs a = { .fmt = "raw" };
    bool progress = false, compress = false;
    BlockDriverState *in, *out;
    g_autofree uint8_t *buf = NULL;
    uint64_t size, chunk, cs = 0;
    GError *err = NULL;
    int c, ret = 0;

    while ((c = getopt_long(argc, argv, "+hf:O:o:pcq", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'O': a.fmt = optarg; break;
        case 'o': a.options = optarg; break;
        case 'p': progress = true; break;
        case 'c': compress = true; break;
        case 'q': img_quiet = true; break;
        case 'h': printf("%s", img_cmd->usage); return 0;
        default: return img_usage_error("invalid option");
        }
    }
    if (argc - optind != 2) {
        return img_usage_error("expects INPUT and OUTPUT");
    }
    if (compress && strcmp(a.fmt, "qcow2") != 0) {
        return img_usage_error("-c: compression needs -O qcow2");
    }
    progress &= !img_quiet;
    in = img_open(argv[optind], fmt, 0, false, false, &err);
    if (!in) {
        return img_gerror(err);
    }
    size = bdrv_getlength(in);
    if (!img_create_image(argv[optind + 1], &a, size, &err)) {
        bdrv_unref(in);
        return img_gerror(err);
    }
    /* Like qemu-img's default cache=unsafe for the output: one flush at the end. */
    out = img_open(argv[optind + 1], a.fmt, BDRV_O_RDWR | BDRV_O_NO_FLUSH, false, false, &err);
    if (!out) {
        bdrv_unref(in);
        return img_gerror(err);
    }
    if (img_is_qcow2(out)) {
        Qcow2Info qi;
        if (qcow2_get_info(out, &qi, NULL)) {
            cs = qi.cluster_size;
        }
        qcow2_info_clear(&qi);
    }
    chunk = MAX(IMG_CHUNK, cs);
    buf = g_malloc(chunk);
    for (uint64_t off = 0; ret == 0 && off < size; off += chunk) {
        uint64_t n = MIN(chunk, size - off);
        img_progress(progress, off, size);
        ret = bdrv_pio_buf(in, BDRV_OP_READ, off, buf, n, 0);
        if (ret < 0) {
            error_report("error reading '%s' at offset %" PRIu64 ": %s", argv[optind], off,
                         g_strerror(-ret));
            break;
        }
        if (!compress) {
            if (!img_is_zero(buf, n)) {
                ret = bdrv_pio_buf(out, BDRV_OP_WRITE, off, buf, n, 0);
            }
        } else {
            for (uint64_t p = 0; ret == 0 && p < n; p += cs) {
                uint64_t len = MIN(cs, n - p);
                if (img_is_zero(buf + p, len)) {
                    continue;
                }
                memset(buf + p + len, 0, cs - len);    /* the image's last cluster */
                ret = qcow2_write_compressed(out, off + p, buf + p);
            }
        }
        if (ret < 0) {
            error_report("error writing '%s' at offset %" PRIu64 ": %s", argv[optind + 1],
                         off, g_strerror(-ret));
        }
    }
    bdrv_unref(in);
    bdrv_unref(out);
    if (ret == 0) {
        ret = img_fsync_path(argv[optind + 1]);
        if (ret < 0) {
            error_report("could not flush '%s': %s", argv[optind + 1], g_strerror(-ret));
        }
    }
    if (ret == 0 && progress) {
        printf("    (100.00/100%%)\n");
    }
    return ret < 0 ? 1 : 0;
}

/* ---- resize ---- */

static int img_resize(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "shrink", no_argument, NULL, 'S' },
        { 0 },
    };
    const char *fmt = NULL, *arg;
    bool shrink = false;
    BlockDriverState *bs;
    GError *err = NULL;
    uint64_t n, cur, size;
    int c;

    /* "-1G" is a size, not an option: stop at the first non-option. */
    while ((c = getopt_long(argc, argv, "+hf:q", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'q': img_quiet = true; break;
        case 'S': shrink = true; break;
        case 'h': printf("%s", img_cmd->usage); return 0;
        default: return img_usage_error("invalid option");
        }
    }
    if (argc - optind != 2) {
        return img_usage_error("expects FILE and [+|-]SIZE");
    }
    arg = argv[optind + 1];
    if (!img_parse_size(arg + (arg[0] == '+' || arg[0] == '-'), &n) || n > INT64_MAX) {
        return img_usage_error("invalid size '%s'", arg);
    }
    bs = img_open(argv[optind], fmt, BDRV_O_RDWR, true, false, &err);
    if (!bs) {
        return img_gerror(err);
    }
    cur = bdrv_getlength(bs);
    size = arg[0] == '+' ? cur + n : arg[0] == '-' ? (n > cur ? 0 : cur - n) : n;
    if (size < cur && !shrink) {
        bdrv_unref(bs);
        error_report("Use the --shrink option to perform a shrink operation.");
        return 1;
    }
    if (img_is_qcow2(bs)) {
        bool ok = qcow2_truncate(bs, size, &err);
        bdrv_unref(bs);
        if (!ok) {
            return img_gerror(err);
        }
    } else {
        bdrv_unref(bs);
        if (truncate(argv[optind], size) < 0) {
            error_report("could not resize '%s': %s", argv[optind], g_strerror(errno));
            return 1;
        }
    }
    if (!img_quiet) {
        printf("Image resized.\n");
    }
    return 0;
}

/* ---- compare ---- */

static int img_compare(int argc, char **argv)
{
    static const struct option longopts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
    const char *fmt1 = NULL, *fmt2 = NULL;
    BlockDriverState *bs[2] = { NULL, NULL };
    g_autofree uint8_t *b1 = g_malloc(IMG_CHUNK);
    g_autofree uint8_t *b2 = g_malloc(IMG_CHUNK);
    uint64_t len[2], common;
    bool progress = false, strict = false;
    GError *err = NULL;
    int c, ret = 0;

    while ((c = getopt_long(argc, argv, "+hf:F:pqs", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt1 = optarg; break;
        case 'F': fmt2 = optarg; break;
        case 'p': progress = true; break;
        case 'q': img_quiet = true; break;
        case 's': strict = true; break;
        case 'h': printf("%s", img_cmd->usage); return 0;
        default: return img_usage_error("invalid option");
        }
    }
    if (argc - optind != 2) {
        return img_usage_error("expects two images");
    }
    progress &= !img_quiet;
    for (int i = 0; i < 2; i++) {
        bs[i] = img_open(argv[optind + i], i ? fmt2 : fmt1, 0, false, false, &err);
        if (!bs[i]) {
            if (bs[0]) {
                bdrv_unref(bs[0]);
            }
            img_gerror(err);
            return 2;
        }
        len[i] = bdrv_getlength(bs[i]);
    }
    common = MIN(len[0], len[1]);
    if (len[0] != len[1]) {
        if (strict) {
            printf("Strict mode: Image size mismatch!\n");
            ret = 1;
        } else if (!img_quiet) {
            printf("Warning: Image size mismatch!\n");
        }
    }
    for (uint64_t off = 0; ret == 0 && off < MAX(len[0], len[1]); off += IMG_CHUNK) {
        uint64_t n = MIN(IMG_CHUNK, MAX(len[0], len[1]) - off);
        int r;

        img_progress(progress, off, MAX(len[0], len[1]));
        if (off < common) {
            n = MIN(n, common - off);
            r = bdrv_pio_buf(bs[0], BDRV_OP_READ, off, b1, n, 0);
            if (r == 0) {
                r = bdrv_pio_buf(bs[1], BDRV_OP_READ, off, b2, n, 0);
            }
        } else {
            r = bdrv_pio_buf(bs[len[0] > len[1] ? 0 : 1], BDRV_OP_READ, off, b1, n, 0);
            memset(b2, 0, n);
        }
        if (r < 0) {
            error_report("error reading at offset %" PRIu64 ": %s", off, g_strerror(-r));
            ret = 2;
            break;
        }
        if (memcmp(b1, b2, n) != 0) {
            uint64_t i = 0;
            while (b1[i] == b2[i]) {
                i++;
            }
            if (!img_quiet) {
                printf("Content mismatch at offset %" PRIu64 "!\n", off + i);
            }
            ret = 1;
        }
    }
    bdrv_unref(bs[0]);
    bdrv_unref(bs[1]);
    if (ret == 0 && !img_quiet) {
        printf("Images are identical.\n");
    }
    return ret;
}

/* ---- snapshot ---- */

static int img_snapshot(int argc, char **argv)
{
    static const struct option longopts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
    bool list = false;
    BlockDriverState *bs;
    Qcow2Info qi;
    GError *err = NULL;
    int c;

    while ((c = getopt_long(argc, argv, "+hlf:q", longopts, NULL)) != -1) {
        switch (c) {
        case 'l': list = true; break;
        case 'f': break;
        case 'q': img_quiet = true; break;
        case 'h': printf("%s", img_cmd->usage); return 0;
        default: return img_usage_error("invalid option (only -l is supported)");
        }
    }
    if (!list || argc - optind != 1) {
        return img_usage_error("expects -l FILE (creating, applying and deleting snapshots "
                               "are not supported)");
    }
    bs = img_open(argv[optind], "qcow2", 0, true, false, &err);
    if (!bs) {
        return img_gerror(err);
    }
    if (!qcow2_get_info(bs, &qi, &err)) {
        bdrv_unref(bs);
        qcow2_info_clear(&qi);
        return img_gerror(err);
    }
    bdrv_unref(bs);
    if (qi.snapshots->len && !img_quiet) {
        printf("Snapshot list:\n%-10s%-17s%8s%20s%13s%11s\n", "ID", "TAG", "VM SIZE", "DATE",
               "VM CLOCK", "ICOUNT");
    }
    for (guint i = 0; i < qi.snapshots->len && !img_quiet; i++) {
        Qcow2Snapshot *sn = g_ptr_array_index(qi.snapshots, i);
        g_autofree char *vm = img_size_str(sn->vm_state_size);
        time_t t = sn->date_sec;
        struct tm tm;
        char date[32];
        uint64_t ms = sn->vm_clock_nsec / 1000000;
        g_autofree char *icount = sn->icount == UINT64_MAX ? g_strdup("") :
                                  g_strdup_printf("%" PRIu64, sn->icount);

        localtime_r(&t, &tm);
        strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
        printf("%-9s %-16s %8s %19s %02" PRIu64 ":%02" PRIu64 ":%02" PRIu64 ".%03" PRIu64
               " %10s\n", sn->id, sn->name, vm, date, ms / 3600000, ms / 60000 % 60,
               ms / 1000 % 60, ms % 1000, icount);
    }
    qcow2_info_clear(&qi);
    return 0;
}

/* ---- main ---- */

static const ImgCommand img_commands[] = {
    { "create", img_create,
      "usage: kestrel-img create [-q] [-f FMT] [-b BACKING [-F BACKING_FMT]]\n"
      "                          [-o cluster_size=N,compat=0.10|1.1,refcount_bits=N] "
      "FILE [SIZE]\n"
      "Creates a raw or qcow2 image of SIZE bytes (suffixes k, M, G, T); with a backing\n"
      "file, SIZE defaults to the backing image's size.\n" },
    { "info", img_info,
      "usage: kestrel-img info [-f FMT] [--output=human|json] [--backing-chain] FILE\n"
      "Shows an image's format, sizes, qcow2 header fields and snapshots.\n" },
    { "check", img_check,
      "usage: kestrel-img check [-q] [-f FMT] [-r leaks|all] [--output=human|json] FILE\n"
      "Checks a qcow2 image's metadata; -r repairs leaks or everything.\n"
      "Exit status: 0 no problems, 1 check failed, 2 corruptions, 3 leaks only, 63 the\n"
      "format has no checks.\n" },
    { "convert", img_convert,
      "usage: kestrel-img convert [-p] [-q] [-c] [-f FMT] [-O FMT] [-o OPTIONS] INPUT "
      "OUTPUT\n"
      "Copies INPUT (with its backing chain) into a new OUTPUT image, skipping zeros;\n"
      "-c compresses qcow2 clusters, -p shows progress.\n" },
    { "resize", img_resize,
      "usage: kestrel-img resize [-q] [-f FMT] [--shrink] FILE [+|-]SIZE\n"
      "Sets an image's virtual size (qcow2 images only grow).\n" },
    { "compare", img_compare,
      "usage: kestrel-img compare [-q] [-p] [-s] [-f FMT] [-F FMT] IMAGE1 IMAGE2\n"
      "Compares guest-visible contents. Exit status: 0 identical, 1 different, 2 error.\n" },
    { "snapshot", img_snapshot,
      "usage: kestrel-img snapshot -l FILE\n"
      "Lists a qcow2 image's internal snapshots.\n" },
};

static void img_help(void)
{
    printf("usage: kestrel-img [--help|--version] COMMAND [options]\n\nCommands:\n");
    for (size_t i = 0; i < ARRAY_SIZE(img_commands); i++) {
        printf("  %s\n", img_commands[i].name);
    }
    printf("\n'kestrel-img COMMAND --help' describes a command; see also kestrel-img(1).\n");
}

int main(int argc, char **argv)
{
    kestrel_progname = "kestrel-img";
    if (argc < 2) {
        img_help();
        return 1;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        img_help();
        return 0;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
        printf("kestrel-img version %s\n", KESTREL_VERSION);
        return 0;
    }
    for (size_t i = 0; i < ARRAY_SIZE(img_commands); i++) {
        if (!strcmp(argv[1], img_commands[i].name)) {
            img_cmd = &img_commands[i];
            return img_cmd->run(argc - 1, argv + 1);
        }
    }
    error_report("unknown command '%s' (see 'kestrel-img --help')", argv[1]);
    return 1;
}
