/*
 * The device model: a registry of device types with properties, realize and
 * reset, and a migratable-state description each.
 *
 * A device struct embeds DeviceState as its first member:
 *
 *     typedef struct SerialState { DeviceState parent_obj; ... } SerialState;
 *
 * and registers a TypeInfo from its own file with type_init(). `-device
 * NAME,prop=value` (and later QMP device_add) go through qdev_device_add().
 */
#ifndef HW_QDEV_H
#define HW_QDEV_H

#include "util/osdep.h"
#include "hw/vmstate.h"

typedef struct DeviceState DeviceState;
typedef struct TypeInfo TypeInfo;
typedef struct Chardev Chardev;

typedef enum PropertyType {
    PROP_BOOL,      /* bool */
    PROP_UINT8,     /* uint8_t */
    PROP_UINT16,    /* uint16_t */
    PROP_UINT32,    /* uint32_t */
    PROP_UINT64,    /* uint64_t */
    PROP_SIZE,      /* uint64_t, accepts K/M/G suffixes */
    PROP_STRING,    /* char *, owned by the device (g_free at destroy) */
    PROP_CHARDEV,   /* Chardev *, set by chardev id */
} PropertyType;

typedef struct Property {
    const char *name;
    PropertyType type;
    size_t offset;
    uint64_t defval;        /* integers and bools */
    const char *defstr;     /* strings */
    const char *description;
} Property;

#define DEFINE_PROP_(n, st, f, t, d) \
    { .name = (n), .type = (t), .offset = offsetof(st, f), .defval = (d) }
#define DEFINE_PROP_BOOL(n, st, f, d)   DEFINE_PROP_(n, st, f, PROP_BOOL, d)
#define DEFINE_PROP_UINT8(n, st, f, d)  DEFINE_PROP_(n, st, f, PROP_UINT8, d)
#define DEFINE_PROP_UINT16(n, st, f, d) DEFINE_PROP_(n, st, f, PROP_UINT16, d)
#define DEFINE_PROP_UINT32(n, st, f, d) DEFINE_PROP_(n, st, f, PROP_UINT32, d)
#define DEFINE_PROP_UINT64(n, st, f, d) DEFINE_PROP_(n, st, f, PROP_UINT64, d)
#define DEFINE_PROP_SIZE(n, st, f, d)   DEFINE_PROP_(n, st, f, PROP_SIZE, d)
#define DEFINE_PROP_STRING(n, st, f) \
    { .name = (n), .type = PROP_STRING, .offset = offsetof(st, f) }
#define DEFINE_PROP_CHR(n, st, f) \
    { .name = (n), .type = PROP_CHARDEV, .offset = offsetof(st, f) }
#define DEFINE_PROP_END_OF_LIST() { .name = NULL }

struct TypeInfo {
    const char *name;
    const char *parent;        /* "device" at the root; NULL only for "device" */
    size_t instance_size;      /* 0: inherit from parent */
    const char *desc;
    bool user_creatable;       /* may be created with -device */
    bool abstract;
    const Property *props;     /* this type's own; parents' are inherited */
    void (*instance_init)(DeviceState *dev);
    /* NULL entries are inherited from the parent type. */
    bool (*realize)(DeviceState *dev, GError **errp);
    void (*reset)(DeviceState *dev);
    void (*finalize)(DeviceState *dev);
    const VMStateDescription *vmsd;
};

struct DeviceState {
    const TypeInfo *type;
    char *id;           /* user-given id= or NULL */
    bool realized;
};

void type_register(const TypeInfo *ti);
/* Runs FN at program start, before main(): each file registers its own types. */
#define type_init(fn) \
    static void __attribute__((constructor)) type_init_##fn(void) { fn(); }

const TypeInfo *type_lookup(const char *name);
const TypeInfo *type_parent(const TypeInfo *ti);
bool type_is_a(const TypeInfo *ti, const char *ancestor);
/* All registered non-abstract types that are ANCESTOR (or any if NULL), sorted by name. */
GPtrArray *type_list(const char *ancestor);
/* The same with abstract types too (qom-list-types abstract=true). */
GPtrArray *type_list_with_abstract(const char *ancestor);
/* Nearest non-NULL realize/reset/vmsd along the parent chain. */
const VMStateDescription *type_get_vmsd(const TypeInfo *ti);

/* Allocates and default-initializes an instance. Aborts on unknown types (a board bug). */
DeviceState *qdev_new(const char *type_name);
/* Set a property from its string form, as -device does. */
bool qdev_prop_parse(DeviceState *dev, const char *name, const char *value, GError **errp);
/* Typed setters for board code; abort on a wrong name or type (a programming error). */
void qdev_prop_set_bool(DeviceState *dev, const char *name, bool value);
void qdev_prop_set_uint32(DeviceState *dev, const char *name, uint32_t value);
void qdev_prop_set_uint64(DeviceState *dev, const char *name, uint64_t value);
void qdev_prop_set_string(DeviceState *dev, const char *name, const char *value);
void qdev_prop_set_chr(DeviceState *dev, const char *name, Chardev *chr);
/* Every property of TYPE including inherited ones, in a NULL-terminated array (g_free it). */
const Property **qdev_type_properties(const TypeInfo *ti);
/* "bool", "uint32", "str", ... as -device NAME,help and QMP show them. */
const char *qdev_prop_type_name(PropertyType t);
/* DEV's current value of PROP as the monitor shows it: 1016 (0x3f8), "text", on. */
char *qdev_prop_format(DeviceState *dev, const Property *prop);

/* Realizes and adds to the machine's device list; on failure the device is destroyed. */
bool qdev_realize(DeviceState *dev, GError **errp);
void qdev_destroy(DeviceState *dev);
/* Resets every realized device, in creation order. */
void qdev_reset_all(void);
void qdev_foreach(void (*fn)(DeviceState *dev, void *opaque), void *opaque);
DeviceState *qdev_find_by_id(const char *id);

/* -device "driver,prop=val,...": "help" lists types, "NAME,help" lists properties. */
DeviceState *qdev_device_add(const char *optstr, GError **errp);
/* Prints what -device help / -device NAME,help print. */
void qdev_print_help(FILE *f, const char *type_name);

/* Checked downcast helper: DEVICE_CAST(SerialState, dev). */
#define DEVICE_CAST(T, dev) ((T *)(dev))

#endif
