/*
 * Unit tests for hw/core/vmstate.c: the exact wire format, save/load
 * roundtrips with arrays and nested structs, version rules, pre_save and
 * post_load hooks, and hostile input (every truncation, wrong names, bad bools).
 */
#include "util/osdep.h"
#include "hw/vmstate.h"

typedef struct Inner {
    uint16_t a;
    uint32_t regs[3];
} Inner;

typedef struct TestState {
    bool flag;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    uint8_t bytes[5];
    uint32_t words[2];
    uint64_t quads[2];
    uint8_t buf[7];
    Inner inner;
    uint32_t added_in_v3;
    /* Not migrated: derived by post_load, counted by the hooks. */
    uint32_t derived;
    int pre_save_calls;
    int post_load_version;
} TestState;

static const VMStateDescription vmstate_inner = {
    .name = "inner",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT16(a, Inner),
        VMSTATE_UINT32_ARRAY(regs, Inner, 3),
        VMSTATE_END_OF_LIST(),
    },
};

static int test_pre_save(void *opaque)
{
    TestState *s = opaque;

    s->pre_save_calls++;
    return 0;
}

static int test_post_load(void *opaque, int version_id)
{
    TestState *s = opaque;

    s->derived = s->u32 * 2;
    s->post_load_version = version_id;
    return 0;
}

static const VMStateField test_fields[] = {
    VMSTATE_BOOL(flag, TestState),
    VMSTATE_UINT8(u8, TestState),
    VMSTATE_UINT16(u16, TestState),
    VMSTATE_UINT32(u32, TestState),
    VMSTATE_UINT64(u64, TestState),
    VMSTATE_UINT8_ARRAY(bytes, TestState, 5),
    VMSTATE_UINT32_ARRAY(words, TestState, 2),
    VMSTATE_UINT64_ARRAY(quads, TestState, 2),
    VMSTATE_BUFFER(buf, TestState),
    VMSTATE_STRUCT(inner, TestState, vmstate_inner, Inner),
    { .name = "added_in_v3", .offset = offsetof(TestState, added_in_v3), .type = VMS_U32,
      .size = 4, .count = 1, .version_id = 3 },
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription vmstate_test = {
    .name = "test-dev",
    .version_id = 3,
    .minimum_version_id = 2,
    .fields = test_fields,
    .pre_save = test_pre_save,
    .post_load = test_post_load,
};

/* Saved by the same fields at version 2: the older layout without added_in_v3. */
static const VMStateDescription vmstate_test_v2 = {
    .name = "test-dev",
    .version_id = 2,
    .minimum_version_id = 2,
    .fields = test_fields,
};

static void fill_state(TestState *s)
{
    memset(s, 0, sizeof(*s));
    s->flag = true;
    s->u8 = 0xa5;
    s->u16 = 0x1234;
    s->u32 = 0xdeadbeef;
    s->u64 = 0x0102030405060708ULL;
    for (int i = 0; i < 5; i++) {
        s->bytes[i] = 0x10 + i;
    }
    s->words[0] = 0x11223344;
    s->words[1] = 0x55667788;
    s->quads[0] = UINT64_MAX;
    s->quads[1] = 42;
    memcpy(s->buf, "abcdefg", 7);
    s->inner.a = 0xbeef;
    s->inner.regs[0] = 1;
    s->inner.regs[1] = 2;
    s->inner.regs[2] = 0xffffffff;
    s->added_in_v3 = 0xcafe;
}

/* Bytes of the header plus every field at version 3. */
static const size_t test_stream_len = 1 + 8 + 4 + 1 + 1 + 2 + 4 + 8 + 5 + 8 + 16 + 7 + 2 + 12 + 4;

static GByteArray *save(const VMStateDescription *vmsd, TestState *s)
{
    GByteArray *out = g_byte_array_new();

    vmstate_save(vmsd, s, out);
    return out;
}

static void test_vmstate_wire_format(void)
{
    static const uint8_t head[] = {
        8, 't', 'e', 's', 't', '-', 'd', 'e', 'v', 0, 0, 0, 3,
        1, 0xa5, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8,
        0x10, 0x11, 0x12, 0x13, 0x14, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
    };
    static const uint8_t tail[] = {
        'a', 'b', 'c', 'd', 'e', 'f', 'g', 0xbe, 0xef, 0, 0, 0, 1, 0, 0, 0, 2,
        0xff, 0xff, 0xff, 0xff, 0, 0, 0xca, 0xfe,
    };
    TestState s;
    g_autoptr(GByteArray) out = NULL;

    fill_state(&s);
    out = save(&vmstate_test, &s);
    g_assert_cmpuint(out->len, ==, test_stream_len);
    g_assert_cmpmem(out->data, sizeof(head), head, sizeof(head));
    g_assert_cmpmem(out->data + out->len - sizeof(tail), sizeof(tail), tail, sizeof(tail));
    g_assert_cmpint(s.pre_save_calls, ==, 1);
}

static void test_vmstate_roundtrip(void)
{
    TestState s, d;
    GError *err = NULL;
    size_t consumed = 0;
    g_autoptr(GByteArray) out = NULL;

    fill_state(&s);
    out = save(&vmstate_test, &s);
    memset(&d, 0, sizeof(d));
    g_assert_true(vmstate_load(&vmstate_test, &d, out->data, out->len, &consumed, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(consumed, ==, out->len);
    g_assert_cmpint(d.post_load_version, ==, 3);
    g_assert_cmpuint(d.derived, ==, (uint32_t)(s.u32 * 2));
    /* Everything migrated compares equal; hook bookkeeping aside. */
    d.derived = s.derived;
    d.pre_save_calls = s.pre_save_calls;
    d.post_load_version = s.post_load_version;
    g_assert_cmpmem(&d, sizeof(d), &s, sizeof(s));
}

static void test_vmstate_trailing_data(void)
{
    TestState s, d;
    size_t consumed = 0;
    g_autoptr(GByteArray) out = NULL;

    fill_state(&s);
    out = save(&vmstate_test, &s);
    /* Two descriptions back to back: load consumes exactly the first. */
    vmstate_save(&vmstate_test, &s, out);
    g_assert_true(vmstate_load(&vmstate_test, &d, out->data, out->len, &consumed, NULL));
    g_assert_cmpuint(consumed, ==, test_stream_len);
    g_assert_true(vmstate_load(&vmstate_test, &d, out->data + consumed, out->len - consumed,
                               &consumed, NULL));
    g_assert_cmpuint(consumed, ==, test_stream_len);
}

static void test_vmstate_old_version(void)
{
    TestState s, d;
    GError *err = NULL;
    size_t consumed = 0;
    g_autoptr(GByteArray) out = NULL;

    fill_state(&s);
    out = save(&vmstate_test_v2, &s);
    g_assert_cmpuint(out->len, ==, test_stream_len);   /* fields are saved regardless */

    /* A v2 stream lacks added_in_v3: rewrite it as the v2 layout would be. */
    g_byte_array_set_size(out, out->len - 4);
    memset(&d, 0, sizeof(d));
    d.added_in_v3 = 77;
    g_assert_true(vmstate_load(&vmstate_test, &d, out->data, out->len, &consumed, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(consumed, ==, out->len);
    g_assert_cmpuint(d.added_in_v3, ==, 77);   /* skipped, keeps its value */
    g_assert_cmpuint(d.inner.regs[2], ==, 0xffffffff);
    g_assert_cmpint(d.post_load_version, ==, 2);
}

static void test_vmstate_version_too_new(void)
{
    TestState s, d;
    GError *err = NULL;
    g_autoptr(GByteArray) out = NULL;

    fill_state(&s);
    out = save(&vmstate_test, &s);
    out->data[12] = 4;   /* version be32 follows the 9-byte name */
    g_assert_false(vmstate_load(&vmstate_test, &d, out->data, out->len, NULL, &err));
    g_assert_nonnull(strstr(err->message, "newer"));
    g_error_free(err);
}

static void test_vmstate_version_too_old(void)
{
    TestState s, d;
    GError *err = NULL;
    g_autoptr(GByteArray) out = NULL;

    fill_state(&s);
    out = save(&vmstate_test, &s);
    out->data[12] = 1;
    g_assert_false(vmstate_load(&vmstate_test, &d, out->data, out->len, NULL, &err));
    g_assert_nonnull(strstr(err->message, "minimum"));
    g_error_free(err);
}

static void test_vmstate_name_mismatch(void)
{
    static const VMStateDescription other = {
        .name = "test-deV", .version_id = 3, .fields = test_fields,
    };
    static const VMStateDescription shorter = {
        .name = "test", .version_id = 3, .fields = test_fields,
    };
    TestState s, d;
    GError *err = NULL;
    g_autoptr(GByteArray) out = NULL;

    fill_state(&s);
    out = save(&vmstate_test, &s);
    g_assert_false(vmstate_load(&other, &d, out->data, out->len, NULL, &err));
    g_assert_nonnull(strstr(err->message, "test-dev"));
    g_clear_error(&err);
    g_assert_false(vmstate_load(&shorter, &d, out->data, out->len, NULL, &err));
    g_clear_error(&err);
}

static void test_vmstate_bad_bool(void)
{
    TestState s, d;
    GError *err = NULL;
    g_autoptr(GByteArray) out = NULL;

    fill_state(&s);
    out = save(&vmstate_test, &s);
    out->data[13] = 2;   /* the bool right after the header */
    g_assert_false(vmstate_load(&vmstate_test, &d, out->data, out->len, NULL, &err));
    g_assert_nonnull(strstr(err->message, "flag"));
    g_error_free(err);
}

static void test_vmstate_truncated(void)
{
    TestState s, d;
    g_autoptr(GByteArray) out = NULL;

    fill_state(&s);
    out = save(&vmstate_test, &s);
    /* Each prefix is copied to its own heap block so ASan catches any over-read. */
    for (size_t len = 0; len < out->len; len++) {
        g_autofree uint8_t *copy = g_memdup2(out->data, len ? len : 1);
        GError *err = NULL;
        size_t consumed = 12345;

        memset(&d, 0, sizeof(d));
        g_assert_false(vmstate_load(&vmstate_test, &d, copy, len, &consumed, &err));
        g_assert_error(err, KESTREL_ERROR, 0);
        g_assert_cmpuint(consumed, ==, 12345);
        g_assert_cmpint(d.post_load_version, ==, 0);
        g_error_free(err);
    }
}

static void test_vmstate_garbage(void)
{
    GRand *rand = g_rand_new_with_seed(1);
    TestState d;

    /* Random bytes behind a valid header: must load or fail, never crash. */
    for (int iter = 0; iter < 2000; iter++) {
        size_t len = g_rand_int_range(rand, 0, 2 * test_stream_len);
        g_autofree uint8_t *buf = g_malloc(len + 1);
        GError *err = NULL;

        for (size_t i = 0; i < len; i++) {
            buf[i] = g_rand_int(rand);
        }
        if (iter % 2 && len >= 13) {
            memcpy(buf, "\x08test-dev\0\0\0\x03", 13);
        }
        if (!vmstate_load(&vmstate_test, &d, buf, len, NULL, &err)) {
            g_assert_nonnull(err);
            g_error_free(err);
        }
    }
    g_rand_free(rand);
}

static int failing_post_load(void *opaque, int version_id)
{
    return -1;
}

static void test_vmstate_post_load_fails(void)
{
    static const VMStateDescription failing = {
        .name = "test-dev", .version_id = 3, .minimum_version_id = 2,
        .fields = test_fields, .post_load = failing_post_load,
    };
    TestState s, d;
    GError *err = NULL;
    g_autoptr(GByteArray) out = NULL;

    fill_state(&s);
    out = save(&vmstate_test, &s);
    g_assert_false(vmstate_load(&failing, &d, out->data, out->len, NULL, &err));
    g_assert_nonnull(strstr(err->message, "post_load"));
    g_error_free(err);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmstate/wire-format", test_vmstate_wire_format);
    g_test_add_func("/vmstate/roundtrip", test_vmstate_roundtrip);
    g_test_add_func("/vmstate/trailing-data", test_vmstate_trailing_data);
    g_test_add_func("/vmstate/old-version", test_vmstate_old_version);
    g_test_add_func("/vmstate/version-too-new", test_vmstate_version_too_new);
    g_test_add_func("/vmstate/version-too-old", test_vmstate_version_too_old);
    g_test_add_func("/vmstate/name-mismatch", test_vmstate_name_mismatch);
    g_test_add_func("/vmstate/bad-bool", test_vmstate_bad_bool);
    g_test_add_func("/vmstate/truncated", test_vmstate_truncated);
    g_test_add_func("/vmstate/garbage", test_vmstate_garbage);
    g_test_add_func("/vmstate/post-load-fails", test_vmstate_post_load_fails);
    return g_test_run();
}
