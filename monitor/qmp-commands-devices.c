/*
 * QMP commands about devices and their backends: query-block (the block
 * layer's drives, in QEMU's BlockInfo shape), query-chardev, and the type
 * introspection management tools probe before they build a command line:
 * device-list-properties and qom-list-types over the device model's registry.
 */
#include "util/osdep.h"
#include "monitor/monitor-internal.h"
#include "chardev/char.h"
#include "hw/qdev.h"
#include "block/block.h"

static void qmp_add_block(BlockBackend *blk, void *opaque)
{
    JsonObject *info = json_object_new();
    JsonObject *inserted = json_object_new();
    JsonObject *image = json_object_new();
    int64_t size = blk_getlength(blk);

    json_object_set_string_member(image, "filename", blk_filename(blk));
    json_object_set_string_member(image, "format", blk_format_name(blk));
    json_object_set_int_member(image, "virtual-size", size);
    json_object_set_string_member(inserted, "file", blk_filename(blk));
    json_object_set_string_member(inserted, "drv", blk_format_name(blk));
    json_object_set_boolean_member(inserted, "ro", blk_is_read_only(blk));
    json_object_set_boolean_member(inserted, "encrypted", false);
    json_object_set_object_member(inserted, "image", image);
    json_object_set_string_member(info, "device", blk_name(blk));
    json_object_set_boolean_member(info, "locked", false);
    json_object_set_boolean_member(info, "removable", false);
    json_object_set_string_member(info, "type", "unknown");
    json_object_set_object_member(info, "inserted", inserted);
    json_array_add_object_element(opaque, info);
}

static JsonNode *qmp_query_block(JsonObject *args, GError **errp)
{
    JsonArray *arr = json_array_new();

    blk_foreach(qmp_add_block, arr);
    return qmp_node_take_array(arr);
}

static void qmp_add_chardev(Chardev *chr, void *opaque)
{
    JsonObject *info = json_object_new();
    const char *filename = chardev_filename(chr);

    json_object_set_string_member(info, "label", chardev_id(chr));
    json_object_set_string_member(info, "filename",
                                  filename ? filename : chardev_backend_name(chr));
    json_object_set_boolean_member(info, "frontend-open", chardev_is_used(chr));
    json_array_add_object_element(opaque, info);
}

static JsonNode *qmp_query_chardev(JsonObject *args, GError **errp)
{
    JsonArray *arr = json_array_new();

    chardev_foreach(qmp_add_chardev, arr);
    return qmp_node_take_array(arr);
}

static void qmp_set_default_value(JsonObject *info, const Property *p)
{
    switch (p->type) {
    case PROP_BOOL:
        json_object_set_boolean_member(info, "default-value", p->defval != 0);
        break;
    case PROP_STRING:
        if (p->defstr) {
            json_object_set_string_member(info, "default-value", p->defstr);
        }
        break;
    case PROP_CHARDEV:
        break;
    default:
        json_object_set_int_member(info, "default-value", (gint64)p->defval);
        break;
    }
}

static JsonNode *qmp_device_list_properties(JsonObject *args, GError **errp)
{
    const char *name = json_object_get_string_member(args, "typename");
    const TypeInfo *ti = type_lookup(name);
    g_autofree const Property **props = NULL;
    JsonArray *arr;

    if (!ti) {
        qmp_error_set(errp, QMP_ERROR_DEVICE_NOT_FOUND, "Device '%s' not found", name);
        return NULL;
    }
    if (ti->abstract || !type_is_a(ti, "device")) {
        qmp_error_set(errp, QMP_ERROR_GENERIC,
                      "Parameter 'typename' expects a non-abstract device type");
        return NULL;
    }
    props = qdev_type_properties(ti);
    arr = json_array_new();
    for (const Property **pp = props; *pp; pp++) {
        JsonObject *info = json_object_new();

        json_object_set_string_member(info, "name", (*pp)->name);
        json_object_set_string_member(info, "type", qdev_prop_type_name((*pp)->type));
        if ((*pp)->description) {
            json_object_set_string_member(info, "description", (*pp)->description);
        }
        qmp_set_default_value(info, *pp);
        json_array_add_object_element(arr, info);
    }
    return qmp_node_take_array(arr);
}

static JsonNode *qmp_qom_list_types(JsonObject *args, GError **errp)
{
    const char *implements = json_object_has_member(args, "implements")
                             ? json_object_get_string_member(args, "implements") : NULL;
    bool abstract = json_object_has_member(args, "abstract") &&
                    json_object_get_boolean_member(args, "abstract");
    g_autoptr(GPtrArray) types = abstract ? type_list_with_abstract(implements)
                                          : type_list(implements);
    JsonArray *arr = json_array_new();

    for (guint i = 0; i < types->len; i++) {
        const TypeInfo *ti = g_ptr_array_index(types, i);
        JsonObject *info = json_object_new();

        json_object_set_string_member(info, "name", ti->name);
        if (ti->abstract) {
            json_object_set_boolean_member(info, "abstract", true);
        }
        if (ti->parent) {
            json_object_set_string_member(info, "parent", ti->parent);
        }
        json_array_add_object_element(arr, info);
    }
    return qmp_node_take_array(arr);
}

static const QmpArg qmp_device_list_properties_args[] = {
    { "typename", QMP_ARG_STRING, false },
    { NULL },
};

static const QmpArg qmp_qom_list_types_args[] = {
    { "implements", QMP_ARG_STRING, true },
    { "abstract", QMP_ARG_BOOL, true },
    { NULL },
};

static const QmpCommand qmp_device_commands[] = {
    { "query-block", qmp_query_block, NULL },
    { "query-chardev", qmp_query_chardev, NULL },
    { "device-list-properties", qmp_device_list_properties, qmp_device_list_properties_args },
    { "qom-list-types", qmp_qom_list_types, qmp_qom_list_types_args },
};
qmp_commands_init(qmp_device_commands)
