/*
 * The device model: the registry of device types (each file registers its own
 * with type_init()), instance creation with property defaults, properties set
 * from strings (-device) or by board code, realize/reset/destroy, and the list
 * of devices in creation order that machine reset and -device/QMP walk.
 */
#include "util/osdep.h"
#include "util/keyval.h"
#include "hw/qdev.h"
#include "chardev/char.h"

/* name -> const TypeInfo *; built lazily since type_init constructors run in link order. */
static GHashTable *type_table;
/* Every live device (realized or not), in creation order. */
static GQueue device_list = G_QUEUE_INIT;

static const TypeInfo device_type_info = {
    .name = "device",
    .instance_size = sizeof(DeviceState),
    .desc = "abstract base of all devices",
    .abstract = true,
};

static GHashTable *type_registry(void)
{
    if (!type_table) {
        type_table = g_hash_table_new(g_str_hash, g_str_equal);
        g_hash_table_insert(type_table, (gpointer)device_type_info.name,
                            (gpointer)&device_type_info);
    }
    return type_table;
}

void type_register(const TypeInfo *ti)
{
    GHashTable *table = type_registry();

    if (!ti->name || !ti->parent) {
        g_error("type_register: type '%s' needs a name and a parent",
                ti->name ? ti->name : "(null)");
    }
    if (g_hash_table_contains(table, ti->name)) {
        g_error("type_register: type '%s' registered twice", ti->name);
    }
    g_hash_table_insert(table, (gpointer)ti->name, (gpointer)ti);
}

const TypeInfo *type_lookup(const char *name)
{
    return g_hash_table_lookup(type_registry(), name);
}

const TypeInfo *type_parent(const TypeInfo *ti)
{
    return ti->parent ? type_lookup(ti->parent) : NULL;
}

bool type_is_a(const TypeInfo *ti, const char *ancestor)
{
    for (; ti; ti = type_parent(ti)) {
        if (!strcmp(ti->name, ancestor)) {
            return true;
        }
    }
    return false;
}

static gint type_compare_by_name(gconstpointer a, gconstpointer b)
{
    const TypeInfo *ta = *(const TypeInfo *const *)a;
    const TypeInfo *tb = *(const TypeInfo *const *)b;

    return strcmp(ta->name, tb->name);
}

static GPtrArray *type_list_filtered(const char *ancestor, bool with_abstract)
{
    GPtrArray *list = g_ptr_array_new();
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init(&iter, type_registry());
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        const TypeInfo *ti = value;

        if ((with_abstract || !ti->abstract) && (!ancestor || type_is_a(ti, ancestor))) {
            g_ptr_array_add(list, (gpointer)ti);
        }
    }
    g_ptr_array_sort(list, type_compare_by_name);
    return list;
}

GPtrArray *type_list(const char *ancestor)
{
    return type_list_filtered(ancestor, false);
}

GPtrArray *type_list_with_abstract(const char *ancestor)
{
    return type_list_filtered(ancestor, true);
}

/* Parent of TI, aborting if the parent was never registered (a build bug). */
static const TypeInfo *type_parent_checked(const TypeInfo *ti)
{
    const TypeInfo *parent = type_parent(ti);

    if (ti->parent && !parent) {
        g_error("type '%s' has unregistered parent '%s'", ti->name, ti->parent);
    }
    return parent;
}

const VMStateDescription *type_get_vmsd(const TypeInfo *ti)
{
    for (; ti; ti = type_parent_checked(ti)) {
        if (ti->vmsd) {
            return ti->vmsd;
        }
    }
    return NULL;
}

#define TYPE_GET_INHERITED(field) \
    static __typeof__(((TypeInfo *)0)->field) type_get_##field(const TypeInfo *ti) \
    { \
        for (; ti; ti = type_parent_checked(ti)) { \
            if (ti->field) { \
                return ti->field; \
            } \
        } \
        return 0; \
    }

TYPE_GET_INHERITED(instance_size)
TYPE_GET_INHERITED(realize)
TYPE_GET_INHERITED(reset)
TYPE_GET_INHERITED(finalize)

const Property **qdev_type_properties(const TypeInfo *ti)
{
    GPtrArray *chain = g_ptr_array_new();
    GPtrArray *props = g_ptr_array_new();

    for (; ti; ti = type_parent_checked(ti)) {
        g_ptr_array_add(chain, (gpointer)ti);
    }
    /* Root first, so a subtype's property of the same name replaces its parent's in place. */
    for (guint i = chain->len; i-- > 0;) {
        const TypeInfo *t = g_ptr_array_index(chain, i);

        for (const Property *p = t->props; p && p->name; p++) {
            guint j;

            for (j = 0; j < props->len; j++) {
                const Property *q = g_ptr_array_index(props, j);

                if (!strcmp(q->name, p->name)) {
                    props->pdata[j] = (gpointer)p;
                    break;
                }
            }
            if (j == props->len) {
                g_ptr_array_add(props, (gpointer)p);
            }
        }
    }
    g_ptr_array_add(props, NULL);
    g_ptr_array_free(chain, TRUE);
    return (const Property **)g_ptr_array_free(props, FALSE);
}

static const Property *qdev_prop_find(const TypeInfo *ti, const char *name)
{
    for (; ti; ti = type_parent_checked(ti)) {
        for (const Property *p = ti->props; p && p->name; p++) {
            if (!strcmp(p->name, name)) {
                return p;
            }
        }
    }
    return NULL;
}

static void *qdev_prop_ptr(DeviceState *dev, const Property *p)
{
    return (char *)dev + p->offset;
}

/* Largest value an integer property of type T holds, 0 for non-integers. */
static uint64_t qdev_prop_int_max(PropertyType t)
{
    switch (t) {
    case PROP_UINT8:
        return UINT8_MAX;
    case PROP_UINT16:
        return UINT16_MAX;
    case PROP_UINT32:
        return UINT32_MAX;
    case PROP_UINT64:
    case PROP_SIZE:
        return UINT64_MAX;
    default:
        return 0;
    }
}

static void qdev_prop_store_int(DeviceState *dev, const Property *p, uint64_t v)
{
    void *ptr = qdev_prop_ptr(dev, p);

    switch (p->type) {
    case PROP_BOOL:
        *(bool *)ptr = v != 0;
        break;
    case PROP_UINT8:
        *(uint8_t *)ptr = v;
        break;
    case PROP_UINT16:
        *(uint16_t *)ptr = v;
        break;
    case PROP_UINT32:
        *(uint32_t *)ptr = v;
        break;
    case PROP_UINT64:
    case PROP_SIZE:
        *(uint64_t *)ptr = v;
        break;
    default:
        g_assert_not_reached();
    }
}

static void qdev_prop_set_defaults(DeviceState *dev)
{
    g_autofree const Property **props = qdev_type_properties(dev->type);

    for (const Property **pp = props; *pp; pp++) {
        const Property *p = *pp;

        switch (p->type) {
        case PROP_STRING:
            *(char **)qdev_prop_ptr(dev, p) = g_strdup(p->defstr);
            break;
        case PROP_CHARDEV:
            *(Chardev **)qdev_prop_ptr(dev, p) = NULL;
            break;
        default:
            qdev_prop_store_int(dev, p, p->defval);
            break;
        }
    }
}

/* instance_init runs for every type on the chain, root first, as constructors do. */
static void qdev_instance_init(DeviceState *dev, const TypeInfo *ti)
{
    if (!ti) {
        return;
    }
    qdev_instance_init(dev, type_parent_checked(ti));
    if (ti->instance_init) {
        ti->instance_init(dev);
    }
}

DeviceState *qdev_new(const char *type_name)
{
    const TypeInfo *ti = type_lookup(type_name);
    DeviceState *dev;
    size_t size;

    if (!ti || ti->abstract) {
        g_error("qdev_new: no concrete device type '%s'", type_name);
    }
    size = type_get_instance_size(ti);
    g_assert(size >= sizeof(DeviceState));
    dev = g_malloc0(size);
    dev->type = ti;
    qdev_prop_set_defaults(dev);
    qdev_instance_init(dev, ti);
    g_queue_push_tail(&device_list, dev);
    return dev;
}

static const char *qdev_prop_int_desc(PropertyType t)
{
    switch (t) {
    case PROP_UINT8:
        return "an 8-bit number";
    case PROP_UINT16:
        return "a 16-bit number";
    case PROP_UINT32:
        return "a 32-bit number";
    default:
        return "a 64-bit number";
    }
}

bool qdev_prop_parse(DeviceState *dev, const char *name, const char *value, GError **errp)
{
    const Property *p = qdev_prop_find(dev->type, name);
    uint64_t v;
    bool b;

    if (!p) {
        error_setg(errp, "Device '%s' has no property '%s'", dev->type->name, name);
        return false;
    }
    if (dev->realized) {
        error_setg(errp, "Property '%s' cannot be changed once device '%s' is realized",
                   name, dev->type->name);
        return false;
    }
    switch (p->type) {
    case PROP_BOOL:
        if (!parse_bool(value, &b)) {
            error_setg(errp, "Property '%s' expects 'on' or 'off': '%s'", name, value);
            return false;
        }
        *(bool *)qdev_prop_ptr(dev, p) = b;
        return true;
    case PROP_UINT8:
    case PROP_UINT16:
    case PROP_UINT32:
    case PROP_UINT64:
        if (!parse_uint(value, &v) || v > qdev_prop_int_max(p->type)) {
            error_setg(errp, "Property '%s' expects %s: '%s'", name,
                       qdev_prop_int_desc(p->type), value);
            return false;
        }
        qdev_prop_store_int(dev, p, v);
        return true;
    case PROP_SIZE:
        if (!parse_size(value, 1, &v)) {
            error_setg(errp, "Property '%s' expects a size (like 4096, 64K, 1.5G): '%s'",
                       name, value);
            return false;
        }
        qdev_prop_store_int(dev, p, v);
        return true;
    case PROP_STRING: {
        char **ptr = qdev_prop_ptr(dev, p);

        g_free(*ptr);
        *ptr = g_strdup(value);
        return true;
    }
    case PROP_CHARDEV: {
        Chardev *chr = chardev_find(value);

        if (!chr) {
            error_setg(errp, "Property '%s': no chardev with id '%s'", name, value);
            return false;
        }
        *(Chardev **)qdev_prop_ptr(dev, p) = chr;
        return true;
    }
    }
    error_setg(errp, "Property '%s' has unknown type %d", name, p->type);
    return false;
}

/* The property NAME for a typed setter; a wrong name or type is a board bug. */
static const Property *qdev_prop_find_for_set(DeviceState *dev, const char *name)
{
    const Property *p = qdev_prop_find(dev->type, name);

    if (!p) {
        g_error("device '%s' has no property '%s'", dev->type->name, name);
    }
    if (dev->realized) {
        g_error("property '%s' of '%s' set after realize", name, dev->type->name);
    }
    return p;
}

void qdev_prop_set_bool(DeviceState *dev, const char *name, bool value)
{
    const Property *p = qdev_prop_find_for_set(dev, name);

    if (p->type != PROP_BOOL) {
        g_error("property '%s' of '%s' is not a bool", name, dev->type->name);
    }
    *(bool *)qdev_prop_ptr(dev, p) = value;
}

/* Board code sets every integer width through the 32/64-bit setters. */
static void qdev_prop_set_int(DeviceState *dev, const char *name, uint64_t value)
{
    const Property *p = qdev_prop_find_for_set(dev, name);
    uint64_t max = qdev_prop_int_max(p->type);

    if (!max) {
        g_error("property '%s' of '%s' is not an integer", name, dev->type->name);
    }
    if (value > max) {
        g_error("property '%s' of '%s': %" PRIu64 " does not fit", name,
                dev->type->name, value);
    }
    qdev_prop_store_int(dev, p, value);
}

void qdev_prop_set_uint32(DeviceState *dev, const char *name, uint32_t value)
{
    qdev_prop_set_int(dev, name, value);
}

void qdev_prop_set_uint64(DeviceState *dev, const char *name, uint64_t value)
{
    qdev_prop_set_int(dev, name, value);
}

void qdev_prop_set_string(DeviceState *dev, const char *name, const char *value)
{
    const Property *p = qdev_prop_find_for_set(dev, name);
    char **ptr;

    if (p->type != PROP_STRING) {
        g_error("property '%s' of '%s' is not a string", name, dev->type->name);
    }
    ptr = qdev_prop_ptr(dev, p);
    g_free(*ptr);
    *ptr = g_strdup(value);
}

void qdev_prop_set_chr(DeviceState *dev, const char *name, Chardev *chr)
{
    const Property *p = qdev_prop_find_for_set(dev, name);

    if (p->type != PROP_CHARDEV) {
        g_error("property '%s' of '%s' is not a chardev", name, dev->type->name);
    }
    *(Chardev **)qdev_prop_ptr(dev, p) = chr;
}

bool qdev_realize(DeviceState *dev, GError **errp)
{
    bool (*realize)(DeviceState *, GError **) = type_get_realize(dev->type);

    g_assert(!dev->realized);
    if (realize && !realize(dev, errp)) {
        qdev_destroy(dev);
        return false;
    }
    dev->realized = true;
    return true;
}

void qdev_destroy(DeviceState *dev)
{
    void (*finalize)(DeviceState *) = type_get_finalize(dev->type);

    if (finalize) {
        finalize(dev);
    }
    g_queue_remove(&device_list, dev);

    g_autofree const Property **props = qdev_type_properties(dev->type);
    for (const Property **pp = props; *pp; pp++) {
        if ((*pp)->type == PROP_STRING) {
            g_free(*(char **)qdev_prop_ptr(dev, *pp));
        }
    }
    g_free(dev->id);
    g_free(dev);
}

void qdev_reset_all(void)
{
    for (GList *l = device_list.head; l; l = l->next) {
        DeviceState *dev = l->data;
        void (*reset)(DeviceState *) = type_get_reset(dev->type);

        if (dev->realized && reset) {
            reset(dev);
        }
    }
}

void qdev_foreach(void (*fn)(DeviceState *dev, void *opaque), void *opaque)
{
    /* Fetch next first so FN may destroy the device it is given. */
    for (GList *l = device_list.head, *next; l; l = next) {
        DeviceState *dev = l->data;

        next = l->next;
        if (dev->realized) {
            fn(dev, opaque);
        }
    }
}

DeviceState *qdev_find_by_id(const char *id)
{
    for (GList *l = device_list.head; l; l = l->next) {
        DeviceState *dev = l->data;

        if (dev->id && !strcmp(dev->id, id)) {
            return dev;
        }
    }
    return NULL;
}

/* Ids follow QEMU's rule: a letter, then letters, digits, '-', '.', '_'. */
static bool qdev_id_valid(const char *id)
{
    if (!g_ascii_isalpha(id[0])) {
        return false;
    }
    for (const char *c = id + 1; *c; c++) {
        if (!g_ascii_isalnum(*c) && *c != '-' && *c != '.' && *c != '_') {
            return false;
        }
    }
    return true;
}

/*
 * "help" and "NAME,help" print to stdout and return NULL without setting an
 * error: the caller tells the two NULLs apart by *errp.
 */
DeviceState *qdev_device_add(const char *optstr, GError **errp)
{
    g_autoptr(Keyval) kv = keyval_parse(optstr, "driver", "-device", errp);
    const TypeInfo *ti;
    const char *driver, *id;
    DeviceState *dev;

    if (!kv) {
        return NULL;
    }
    driver = keyval_get(kv, "driver");
    if (!driver) {
        error_setg(errp, "-device: parameter 'driver' is missing");
        return NULL;
    }
    if (!strcmp(driver, "help")) {
        qdev_print_help(stdout, NULL);
        return NULL;
    }
    ti = type_lookup(driver);
    if (!ti || ti->abstract || !type_is_a(ti, "device")) {
        error_setg(errp, "-device: unknown device type '%s' (try -device help)", driver);
        return NULL;
    }
    if (keyval_has(kv, "help")) {
        qdev_print_help(stdout, driver);
        return NULL;
    }
    if (!ti->user_creatable) {
        error_setg(errp, "-device: device type '%s' cannot be created with -device", driver);
        return NULL;
    }
    id = keyval_get(kv, "id");
    if (id && !qdev_id_valid(id)) {
        error_setg(errp, "-device: invalid id '%s': it must start with a letter and "
                   "contain only letters, digits, '-', '.', '_'", id);
        return NULL;
    }
    if (id && qdev_find_by_id(id)) {
        error_setg(errp, "-device: duplicate id '%s'", id);
        return NULL;
    }

    dev = qdev_new(driver);
    dev->id = g_strdup(id);
    for (guint i = 0; i < kv->pairs->len; i++) {
        KeyvalPair *pair = g_ptr_array_index(kv->pairs, i);

        if (!strcmp(pair->key, "driver") || !strcmp(pair->key, "id")) {
            continue;
        }
        if (!qdev_prop_find(ti, pair->key)) {
            error_setg(errp, "-device %s: unknown property '%s'", driver, pair->key);
            qdev_destroy(dev);
            return NULL;
        }
        if (!qdev_prop_parse(dev, pair->key, pair->value, errp)) {
            g_prefix_error(errp, "-device %s: ", driver);
            qdev_destroy(dev);
            return NULL;
        }
    }
    if (!qdev_realize(dev, errp)) {
        g_prefix_error(errp, "-device %s: ", driver);
        return NULL;
    }
    return dev;
}

const char *qdev_prop_type_name(PropertyType t)
{
    static const char *const names[] = {
        [PROP_BOOL] = "bool", [PROP_UINT8] = "uint8", [PROP_UINT16] = "uint16",
        [PROP_UINT32] = "uint32", [PROP_UINT64] = "uint64", [PROP_SIZE] = "size",
        [PROP_STRING] = "str", [PROP_CHARDEV] = "chardev",
    };

    return (unsigned)t < ARRAY_SIZE(names) && names[t] ? names[t] : "?";
}

char *qdev_prop_format(DeviceState *dev, const Property *prop)
{
    void *ptr = qdev_prop_ptr(dev, prop);
    uint64_t v;

    switch (prop->type) {
    case PROP_BOOL:
        return g_strdup(*(bool *)ptr ? "on" : "off");
    case PROP_STRING:
        return *(char **)ptr ? g_strdup_printf("\"%s\"", *(char **)ptr) : g_strdup("<null>");
    case PROP_CHARDEV:
        return *(Chardev **)ptr ? g_strdup_printf("\"%s\"", chardev_id(*(Chardev **)ptr))
                                : g_strdup("\"\"");
    case PROP_UINT8:
        v = *(uint8_t *)ptr;
        break;
    case PROP_UINT16:
        v = *(uint16_t *)ptr;
        break;
    case PROP_UINT32:
        v = *(uint32_t *)ptr;
        break;
    default:
        v = *(uint64_t *)ptr;
        break;
    }
    return g_strdup_printf("%" PRIu64 " (0x%" PRIx64 ")", v, v);
}

static void qdev_print_type_help(FILE *f, const TypeInfo *ti)
{
    g_autofree const Property **props = qdev_type_properties(ti);

    fprintf(f, "%s options:\n", ti->name);
    if (!props[0]) {
        fprintf(f, "  (no properties)\n");
    }
    for (const Property **pp = props; *pp; pp++) {
        const Property *p = *pp;
        g_autofree char *arg = g_strdup_printf("%s=<%s>", p->name,
                                               qdev_prop_type_name(p->type));
        g_autofree char *def = NULL;

        switch (p->type) {
        case PROP_BOOL:
            def = g_strdup(p->defval ? "on" : "off");
            break;
        case PROP_STRING:
            def = p->defstr ? g_strdup_printf("\"%s\"", p->defstr) : NULL;
            break;
        case PROP_CHARDEV:
            break;
        default:
            def = g_strdup_printf("%" PRIu64, p->defval);
            break;
        }
        fprintf(f, "  %-24s", arg);
        if (p->description) {
            fprintf(f, " - %s", p->description);
        }
        if (def) {
            fprintf(f, " (default: %s)", def);
        }
        fprintf(f, "\n");
    }
}

void qdev_print_help(FILE *f, const char *type_name)
{
    if (type_name) {
        const TypeInfo *ti = type_lookup(type_name);

        if (!ti || ti->abstract) {
            fprintf(f, "Unknown device type '%s' (try -device help)\n", type_name);
            return;
        }
        qdev_print_type_help(f, ti);
        return;
    }

    g_autoptr(GPtrArray) types = type_list("device");

    fprintf(f, "Available devices (-device NAME,help lists the properties of one):\n");
    for (guint i = 0; i < types->len; i++) {
        const TypeInfo *ti = g_ptr_array_index(types, i);

        if (ti->user_creatable) {
            fprintf(f, "  %-24s %s\n", ti->name, ti->desc ? ti->desc : "");
        }
    }
}
