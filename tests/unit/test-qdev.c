/*
 * Unit tests for hw/core/qdev.c, with device types registered here: type
 * registry and inheritance, property defaults and parsing with range errors,
 * typed setters, realize failure, reset order, ids, help output and the
 * -device option path.
 */
#include "util/osdep.h"
#include "hw/qdev.h"

typedef struct BaseState {
    DeviceState parent_obj;
    uint16_t iobase;
    bool enabled;
    char *label;
    int init_order[2];
    int init_calls;
} BaseState;

typedef struct ChildState {
    BaseState parent_obj;
    uint8_t irq;
    uint32_t count;
    uint64_t big;
    uint64_t size;
    char *name;
    bool fail_realize;
    Chardev *chr;
} ChildState;

/* Records which devices were reset, in order. */
static GPtrArray *reset_log;
static int finalize_calls;

static void base_instance_init(DeviceState *dev)
{
    BaseState *s = DEVICE_CAST(BaseState, dev);

    s->init_order[s->init_calls++] = 1;
}

static void child_instance_init(DeviceState *dev)
{
    BaseState *s = DEVICE_CAST(BaseState, dev);

    s->init_order[s->init_calls++] = 2;
}

static void base_reset(DeviceState *dev)
{
    g_ptr_array_add(reset_log, dev);
}

static bool child_realize(DeviceState *dev, GError **errp)
{
    ChildState *s = DEVICE_CAST(ChildState, dev);

    if (s->fail_realize) {
        error_setg(errp, "realize refused");
        return false;
    }
    return true;
}

static void child_finalize(DeviceState *dev)
{
    finalize_calls++;
}

static const Property base_props[] = {
    DEFINE_PROP_UINT16("iobase", BaseState, iobase, 0x3f8),
    DEFINE_PROP_BOOL("enabled", BaseState, enabled, true),
    { .name = "label", .type = PROP_STRING, .offset = offsetof(BaseState, label),
      .defstr = "base-label", .description = "a name to show" },
    DEFINE_PROP_END_OF_LIST(),
};

static const Property child_props[] = {
    DEFINE_PROP_UINT8("irq", ChildState, irq, 4),
    DEFINE_PROP_UINT32("count", ChildState, count, 7),
    DEFINE_PROP_UINT64("big", ChildState, big, 1ULL << 40),
    DEFINE_PROP_SIZE("size", ChildState, size, 64 * KiB),
    DEFINE_PROP_STRING("name", ChildState, name),
    DEFINE_PROP_BOOL("fail-realize", ChildState, fail_realize, false),
    DEFINE_PROP_CHR("chardev", ChildState, chr),
    DEFINE_PROP_END_OF_LIST(),
};

static const TypeInfo base_type = {
    .name = "test-base",
    .parent = "device",
    .instance_size = sizeof(BaseState),
    .abstract = true,
    .props = base_props,
    .instance_init = base_instance_init,
    .reset = base_reset,
};

static const TypeInfo child_type = {
    .name = "test-child",
    .parent = "test-base",
    .instance_size = sizeof(ChildState),
    .desc = "a test child device",
    .user_creatable = true,
    .props = child_props,
    .instance_init = child_instance_init,
    .realize = child_realize,
    .finalize = child_finalize,
};

/* Inherits everything, including the instance size, from test-child. */
static const TypeInfo grandchild_type = {
    .name = "test-grandchild",
    .parent = "test-child",
    .desc = "a test grandchild device",
    .user_creatable = true,
};

static const TypeInfo internal_type = {
    .name = "test-internal",
    .parent = "test-base",
    .instance_size = sizeof(BaseState),
    .desc = "board-only device",
};

static void destroy_all_cb(DeviceState *dev, void *opaque)
{
    qdev_destroy(dev);
}

/* Each test starts from an empty device list. */
static void cleanup(void)
{
    qdev_foreach(destroy_all_cb, NULL);
    g_ptr_array_set_size(reset_log, 0);
    finalize_calls = 0;
}

static void test_qdev_registry(void)
{
    const TypeInfo *child = type_lookup("test-child");
    g_autoptr(GPtrArray) all = type_list(NULL);
    g_autoptr(GPtrArray) bases = type_list("test-base");

    g_assert_true(child == &child_type);
    g_assert_null(type_lookup("no-such-type"));
    g_assert_true(type_parent(child) == &base_type);
    g_assert_nonnull(type_lookup("device"));
    g_assert_null(type_parent(type_lookup("device")));
    g_assert_true(type_is_a(child, "device"));
    g_assert_true(type_is_a(child, "test-base"));
    g_assert_true(type_is_a(child, "test-child"));
    g_assert_false(type_is_a(child, "test-grandchild"));
    g_assert_true(type_is_a(&grandchild_type, "test-base"));

    /* Abstract types are not listed; the rest sorted by name. */
    g_assert_cmpuint(bases->len, ==, 3);
    g_assert_cmpstr(((TypeInfo *)bases->pdata[0])->name, ==, "test-child");
    g_assert_cmpstr(((TypeInfo *)bases->pdata[1])->name, ==, "test-grandchild");
    g_assert_cmpstr(((TypeInfo *)bases->pdata[2])->name, ==, "test-internal");
    for (guint i = 0; i < all->len; i++) {
        g_assert_false(((TypeInfo *)all->pdata[i])->abstract);
        if (i) {
            g_assert_cmpstr(((TypeInfo *)all->pdata[i - 1])->name, <,
                            ((TypeInfo *)all->pdata[i])->name);
        }
    }
}

static void test_qdev_properties_list(void)
{
    g_autofree const Property **props = qdev_type_properties(&grandchild_type);
    static const char *const names[] = {
        "iobase", "enabled", "label", "irq", "count", "big", "size", "name", "fail-realize",
        "chardev",
    };
    size_t n = 0;

    while (props[n]) {
        n++;
    }
    g_assert_cmpuint(n, ==, ARRAY_SIZE(names));
    for (size_t i = 0; i < n; i++) {
        g_assert_cmpstr(props[i]->name, ==, names[i]);
    }
}

static void test_qdev_defaults(void)
{
    DeviceState *dev = qdev_new("test-grandchild");
    ChildState *s = DEVICE_CAST(ChildState, dev);

    g_assert_true(dev->type == &grandchild_type);
    g_assert_null(dev->id);
    g_assert_false(dev->realized);
    g_assert_cmpuint(s->parent_obj.iobase, ==, 0x3f8);
    g_assert_true(s->parent_obj.enabled);
    g_assert_cmpstr(s->parent_obj.label, ==, "base-label");
    g_assert_true(s->parent_obj.label != base_props[2].defstr);   /* a copy */
    g_assert_cmpuint(s->irq, ==, 4);
    g_assert_cmpuint(s->count, ==, 7);
    g_assert_cmpuint(s->big, ==, 1ULL << 40);
    g_assert_cmpuint(s->size, ==, 64 * KiB);
    g_assert_null(s->name);
    g_assert_null(s->chr);
    /* instance_init ran for every type on the chain, root first. */
    g_assert_cmpint(s->parent_obj.init_calls, ==, 2);
    g_assert_cmpint(s->parent_obj.init_order[0], ==, 1);
    g_assert_cmpint(s->parent_obj.init_order[1], ==, 2);
    qdev_destroy(dev);
    g_assert_cmpint(finalize_calls, ==, 1);   /* inherited finalize */
    cleanup();
}

static void test_qdev_prop_parse(void)
{
    DeviceState *dev = qdev_new("test-child");
    ChildState *s = DEVICE_CAST(ChildState, dev);

    g_assert_true(qdev_prop_parse(dev, "iobase", "0x2f8", NULL));
    g_assert_cmpuint(s->parent_obj.iobase, ==, 0x2f8);
    g_assert_true(qdev_prop_parse(dev, "iobase", "65535", NULL));
    g_assert_cmpuint(s->parent_obj.iobase, ==, 65535);
    g_assert_true(qdev_prop_parse(dev, "enabled", "off", NULL));
    g_assert_false(s->parent_obj.enabled);
    g_assert_true(qdev_prop_parse(dev, "irq", "255", NULL));
    g_assert_cmpuint(s->irq, ==, 255);
    g_assert_true(qdev_prop_parse(dev, "count", "4294967295", NULL));
    g_assert_cmpuint(s->count, ==, UINT32_MAX);
    g_assert_true(qdev_prop_parse(dev, "big", "18446744073709551615", NULL));
    g_assert_cmpuint(s->big, ==, UINT64_MAX);
    g_assert_true(qdev_prop_parse(dev, "size", "1.5M", NULL));
    g_assert_cmpuint(s->size, ==, MiB + MiB / 2);
    g_assert_true(qdev_prop_parse(dev, "name", "first", NULL));
    g_assert_true(qdev_prop_parse(dev, "name", "second", NULL));   /* frees the first */
    g_assert_cmpstr(s->name, ==, "second");
    g_assert_true(qdev_prop_parse(dev, "label", "", NULL));
    g_assert_cmpstr(s->parent_obj.label, ==, "");
    qdev_destroy(dev);
    cleanup();
}

static void expect_parse_error(DeviceState *dev, const char *name, const char *value,
                               const char *message)
{
    GError *err = NULL;

    g_assert_false(qdev_prop_parse(dev, name, value, &err));
    g_assert_error(err, KESTREL_ERROR, 0);
    g_assert_cmpstr(err->message, ==, message);
    g_error_free(err);
}

static void test_qdev_prop_parse_errors(void)
{
    DeviceState *dev = qdev_new("test-child");
    ChildState *s = DEVICE_CAST(ChildState, dev);

    expect_parse_error(dev, "iobase", "70000",
                       "Property 'iobase' expects a 16-bit number: '70000'");
    expect_parse_error(dev, "iobase", "0x10000",
                       "Property 'iobase' expects a 16-bit number: '0x10000'");
    expect_parse_error(dev, "irq", "256", "Property 'irq' expects an 8-bit number: '256'");
    expect_parse_error(dev, "count", "4294967296",
                       "Property 'count' expects a 32-bit number: '4294967296'");
    expect_parse_error(dev, "big", "18446744073709551616",
                       "Property 'big' expects a 64-bit number: '18446744073709551616'");
    expect_parse_error(dev, "irq", "-1", "Property 'irq' expects an 8-bit number: '-1'");
    expect_parse_error(dev, "irq", "", "Property 'irq' expects an 8-bit number: ''");
    expect_parse_error(dev, "count", "12abc",
                       "Property 'count' expects a 32-bit number: '12abc'");
    expect_parse_error(dev, "enabled", "maybe",
                       "Property 'enabled' expects 'on' or 'off': 'maybe'");
    expect_parse_error(dev, "nope", "1", "Device 'test-child' has no property 'nope'");
    expect_parse_error(dev, "chardev", "ser9", "Property 'chardev': no chardev with id 'ser9'");
    g_autoptr(GError) err = NULL;
    g_assert_false(qdev_prop_parse(dev, "size", "12Q", &err));
    g_assert_nonnull(strstr(err->message, "'size'"));
    /* Failed parses leave the values alone. */
    g_assert_cmpuint(s->parent_obj.iobase, ==, 0x3f8);
    g_assert_cmpuint(s->irq, ==, 4);
    g_assert_cmpuint(s->size, ==, 64 * KiB);
    qdev_destroy(dev);
    cleanup();
}

static void test_qdev_setters(void)
{
    DeviceState *dev = qdev_new("test-child");
    ChildState *s = DEVICE_CAST(ChildState, dev);

    qdev_prop_set_bool(dev, "enabled", false);
    qdev_prop_set_uint32(dev, "iobase", 0x3e8);
    qdev_prop_set_uint32(dev, "irq", 3);
    qdev_prop_set_uint32(dev, "count", 99);
    qdev_prop_set_uint64(dev, "big", 5);
    qdev_prop_set_uint64(dev, "size", 4 * GiB);
    qdev_prop_set_string(dev, "name", "n");
    qdev_prop_set_string(dev, "label", NULL);
    qdev_prop_set_chr(dev, "chardev", (Chardev *)&s->count);   /* only stored, never used */
    g_assert_false(s->parent_obj.enabled);
    g_assert_cmpuint(s->parent_obj.iobase, ==, 0x3e8);
    g_assert_cmpuint(s->irq, ==, 3);
    g_assert_cmpuint(s->count, ==, 99);
    g_assert_cmpuint(s->big, ==, 5);
    g_assert_cmpuint(s->size, ==, 4 * GiB);
    g_assert_cmpstr(s->name, ==, "n");
    g_assert_null(s->parent_obj.label);
    g_assert_true(s->chr == (Chardev *)&s->count);
    qdev_destroy(dev);
    cleanup();
}

/* In a child process: a typed setter given a value too wide for the property aborts. */
static void test_qdev_setter_misuse(void)
{
    if (g_test_subprocess()) {
        DeviceState *dev = qdev_new("test-child");

        qdev_prop_set_uint32(dev, "irq", 256);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*does not fit*");
}

static void test_qdev_realize_and_reset_order(void)
{
    DeviceState *a = qdev_new("test-child");
    DeviceState *b = qdev_new("test-internal");
    DeviceState *c = qdev_new("test-grandchild");
    DeviceState *unrealized = qdev_new("test-child");
    GError *err = NULL;

    /* Realized out of order: reset still follows creation order. */
    g_assert_true(qdev_realize(c, &err));
    g_assert_true(qdev_realize(a, &err));
    g_assert_true(qdev_realize(b, &err));
    g_assert_no_error(err);
    g_assert_true(a->realized && b->realized && c->realized);

    qdev_reset_all();
    g_assert_cmpuint(reset_log->len, ==, 3);
    g_assert_true(reset_log->pdata[0] == a);
    g_assert_true(reset_log->pdata[1] == b);
    g_assert_true(reset_log->pdata[2] == c);

    /* A realized device's properties are frozen. */
    g_assert_false(qdev_prop_parse(a, "irq", "5", &err));
    g_clear_error(&err);

    qdev_destroy(b);
    g_ptr_array_set_size(reset_log, 0);
    qdev_reset_all();
    g_assert_cmpuint(reset_log->len, ==, 2);
    g_assert_true(reset_log->pdata[0] == a);
    g_assert_true(reset_log->pdata[1] == c);
    qdev_destroy(unrealized);
    cleanup();
}

static void test_qdev_realize_failure(void)
{
    DeviceState *dev = qdev_new("test-child");
    GError *err = NULL;

    qdev_prop_set_bool(dev, "fail-realize", true);
    qdev_prop_set_string(dev, "name", "leak-check");
    g_assert_false(qdev_realize(dev, &err));
    g_assert_cmpstr(err->message, ==, "realize refused");
    g_error_free(err);
    /* The device was destroyed: finalized and gone from the list. */
    g_assert_cmpint(finalize_calls, ==, 1);
    qdev_reset_all();
    g_assert_cmpuint(reset_log->len, ==, 0);
    cleanup();
}

static void test_qdev_device_add(void)
{
    GError *err = NULL;
    DeviceState *dev = qdev_device_add("test-child,id=ser0,iobase=0x2f8,irq=3,enabled=off,"
                                       "name=a,,b,size=1M", &err);
    ChildState *s = DEVICE_CAST(ChildState, dev);

    g_assert_no_error(err);
    g_assert_nonnull(dev);
    g_assert_true(dev->realized);
    g_assert_cmpstr(dev->id, ==, "ser0");
    g_assert_cmpuint(s->parent_obj.iobase, ==, 0x2f8);
    g_assert_cmpuint(s->irq, ==, 3);
    g_assert_false(s->parent_obj.enabled);
    g_assert_cmpstr(s->name, ==, "a,b");
    g_assert_cmpuint(s->size, ==, MiB);
    g_assert_true(qdev_find_by_id("ser0") == dev);
    g_assert_null(qdev_find_by_id("ser1"));

    DeviceState *dev2 = qdev_device_add("driver=test-grandchild,id=ser1", &err);
    g_assert_no_error(err);
    g_assert_true(qdev_find_by_id("ser1") == dev2);
    g_assert_nonnull(qdev_device_add("test-child", &err));   /* no id is fine */
    g_assert_no_error(err);
    cleanup();
    g_assert_null(qdev_find_by_id("ser0"));
}

static void expect_device_add_error(const char *optstr, const char *message)
{
    GError *err = NULL;

    g_assert_null(qdev_device_add(optstr, &err));
    g_assert_nonnull(err);
    if (strcmp(err->message, message)) {
        g_error("'%s': got '%s', expected '%s'", optstr, err->message, message);
    }
    g_error_free(err);
}

static void test_qdev_device_add_errors(void)
{
    g_autoptr(GError) err = NULL;

    expect_device_add_error("foo", "-device: unknown device type 'foo' (try -device help)");
    expect_device_add_error("test-base",
                            "-device: unknown device type 'test-base' (try -device help)");
    expect_device_add_error("test-internal",
                            "-device: device type 'test-internal' cannot be created "
                            "with -device");
    expect_device_add_error("id=x", "-device: parameter 'driver' is missing");
    expect_device_add_error("test-child,bogus=1",
                            "-device test-child: unknown property 'bogus'");
    expect_device_add_error("test-child,iobase=70000",
                            "-device test-child: Property 'iobase' expects a 16-bit number: "
                            "'70000'");
    expect_device_add_error("test-child,fail-realize=on",
                            "-device test-child: realize refused");
    expect_device_add_error("test-child,id=0bad",
                            "-device: invalid id '0bad': it must start with a letter and "
                            "contain only letters, digits, '-', '.', '_'");
    expect_device_add_error("test-child,=1", "-device: parameter name missing before '=' "
                            "in 'test-child,=1'");
    /* Failed adds left nothing behind, and finalize ran for each created one. */
    g_assert_cmpint(finalize_calls, ==, 3);

    g_assert_nonnull(qdev_device_add("test-child,id=dup", &err));
    expect_device_add_error("test-grandchild,id=dup", "-device: duplicate id 'dup'");
    cleanup();
}

static void test_qdev_help_list(void)
{
    if (g_test_subprocess()) {
        GError *err = NULL;

        g_assert_null(qdev_device_add("help", &err));
        g_assert_no_error(err);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
    g_test_trap_assert_stdout("*test-child*a test child device*");
    g_test_trap_assert_stdout("*test-grandchild*");
    g_test_trap_assert_stdout_unmatched("*test-internal*");
    g_test_trap_assert_stdout_unmatched("*test-base*");
}

static void test_qdev_help_type(void)
{
    if (g_test_subprocess()) {
        GError *err = NULL;

        g_assert_null(qdev_device_add("test-grandchild,help", &err));
        g_assert_no_error(err);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
    g_test_trap_assert_stdout("test-grandchild options:*");
    g_test_trap_assert_stdout("*iobase=<uint16>*(default: 1016)*");
    g_test_trap_assert_stdout("*label=<str>*a name to show*(default: \"base-label\")*");
    g_test_trap_assert_stdout("*size=<size>*");
    g_test_trap_assert_stdout("*enabled=<bool>*(default: on)*");
    g_test_trap_assert_stdout("*chardev=<chardev>*");
}

static void test_qdev_print_help_unknown(void)
{
    g_autofree char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);

    qdev_print_help(f, "no-such-device");
    fclose(f);
    g_assert_nonnull(strstr(text, "no-such-device"));
}

static void count_cb(DeviceState *dev, void *opaque)
{
    (*(int *)opaque)++;
}

static void test_qdev_foreach(void)
{
    DeviceState *a = qdev_new("test-child");
    int n = 0;

    qdev_foreach(count_cb, &n);
    g_assert_cmpint(n, ==, 0);   /* unrealized devices are not visited */
    g_assert_true(qdev_realize(a, NULL));
    g_assert_nonnull(qdev_device_add("test-child", NULL));
    qdev_foreach(count_cb, &n);
    g_assert_cmpint(n, ==, 2);
    cleanup();
}

static void register_test_types(void)
{
    type_register(&base_type);
    type_register(&child_type);
    type_register(&grandchild_type);
    type_register(&internal_type);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    register_test_types();
    reset_log = g_ptr_array_new();
    g_test_add_func("/qdev/registry", test_qdev_registry);
    g_test_add_func("/qdev/properties-list", test_qdev_properties_list);
    g_test_add_func("/qdev/defaults", test_qdev_defaults);
    g_test_add_func("/qdev/prop-parse", test_qdev_prop_parse);
    g_test_add_func("/qdev/prop-parse-errors", test_qdev_prop_parse_errors);
    g_test_add_func("/qdev/setters", test_qdev_setters);
    g_test_add_func("/qdev/setter-misuse", test_qdev_setter_misuse);
    g_test_add_func("/qdev/reset-order", test_qdev_realize_and_reset_order);
    g_test_add_func("/qdev/realize-failure", test_qdev_realize_failure);
    g_test_add_func("/qdev/device-add", test_qdev_device_add);
    g_test_add_func("/qdev/device-add-errors", test_qdev_device_add_errors);
    g_test_add_func("/qdev/help-list", test_qdev_help_list);
    g_test_add_func("/qdev/help-type", test_qdev_help_type);
    g_test_add_func("/qdev/help-unknown", test_qdev_print_help_unknown);
    g_test_add_func("/qdev/foreach", test_qdev_foreach);
    ret = g_test_run();
    g_ptr_array_free(reset_log, TRUE);
    return ret;
}
