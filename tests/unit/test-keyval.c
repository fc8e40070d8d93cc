/*
 * Unit tests for util/keyval.c: option-string parsing (implied keys, flags,
 * ",," escapes, bad input), the typed getters, unused-key reporting, and the
 * bool/uint/size number parsers with every suffix and overflow edge.
 */
#include "util/osdep.h"
#include "util/keyval.h"

static Keyval *parse_ok(const char *str, const char *implied)
{
    GError *err = NULL;
    Keyval *kv = keyval_parse(str, implied, "-test", &err);

    g_assert_no_error(err);
    g_assert_nonnull(kv);
    return kv;
}

static void parse_fails(const char *str, const char *implied, const char *expect_substr)
{
    GError *err = NULL;
    Keyval *kv = keyval_parse(str, implied, "-test", &err);

    if (kv) {
        g_error("keyval_parse accepted '%s'", str);
    }
    g_assert_nonnull(err);
    g_assert_true(g_str_has_prefix(err->message, "-test: "));
    if (expect_substr && !strstr(err->message, expect_substr)) {
        g_error("'%s': message '%s' lacks '%s'", str, err->message, expect_substr);
    }
    g_error_free(err);
}

static void test_keyval_basic(void)
{
    g_autoptr(Keyval) kv = parse_ok("a=1,b=two,c=", NULL);

    g_assert_cmpuint(kv->pairs->len, ==, 3);
    g_assert_cmpstr(keyval_get(kv, "a"), ==, "1");
    g_assert_cmpstr(keyval_get(kv, "b"), ==, "two");
    g_assert_cmpstr(keyval_get(kv, "c"), ==, "");
    g_assert_null(keyval_get(kv, "d"));
    g_assert_true(keyval_has(kv, "a"));
    g_assert_false(keyval_has(kv, "d"));
}

static void test_keyval_order(void)
{
    g_autoptr(Keyval) kv = parse_ok("z=1,y=2,x=3", NULL);
    KeyvalPair *p0 = g_ptr_array_index(kv->pairs, 0);
    KeyvalPair *p2 = g_ptr_array_index(kv->pairs, 2);

    g_assert_cmpstr(p0->key, ==, "z");
    g_assert_cmpstr(p2->key, ==, "x");
    g_assert_cmpstr(p2->value, ==, "3");
}

static void test_keyval_empty(void)
{
    g_autoptr(Keyval) kv = parse_ok("", "driver");

    g_assert_cmpuint(kv->pairs->len, ==, 0);
    g_assert_true(keyval_check_all_used(kv, "-test", NULL));
}

static void test_keyval_escape(void)
{
    g_autoptr(Keyval) kv = parse_ok("a=1,,2,b=x,,,,y,c=,,,d=,,", NULL);

    g_assert_cmpstr(keyval_get(kv, "a"), ==, "1,2");
    g_assert_cmpstr(keyval_get(kv, "b"), ==, "x,,y");
    g_assert_cmpstr(keyval_get(kv, "c"), ==, ",");
    g_assert_cmpstr(keyval_get(kv, "d"), ==, ",");
    g_assert_cmpuint(kv->pairs->len, ==, 4);
}

static void test_keyval_escape_odd_commas(void)
{
    /* An odd run of commas: pairs become literal commas, the last one separates. */
    g_autoptr(Keyval) kv = parse_ok("a=1,,,,,b", NULL);
    g_autoptr(Keyval) kv2 = parse_ok("a=1,,,", NULL);

    g_assert_cmpstr(keyval_get(kv, "a"), ==, "1,,");
    g_assert_cmpstr(keyval_get(kv, "b"), ==, "on");
    g_assert_cmpuint(kv2->pairs->len, ==, 1);
    g_assert_cmpstr(keyval_get(kv2, "a"), ==, "1,");
}

static void test_keyval_value_with_equals(void)
{
    g_autoptr(Keyval) kv = parse_ok("append=console=ttyS0 root=/dev/vda,x=1", NULL);

    g_assert_cmpstr(keyval_get(kv, "append"), ==, "console=ttyS0 root=/dev/vda");
    g_assert_cmpstr(keyval_get(kv, "x"), ==, "1");
}

static void test_keyval_implied(void)
{
    g_autoptr(Keyval) kv = parse_ok("isa-serial,id=s0,iobase=0x3f8", "driver");

    g_assert_cmpstr(keyval_get(kv, "driver"), ==, "isa-serial");
    g_assert_cmpstr(keyval_get(kv, "id"), ==, "s0");
    g_assert_cmpstr(keyval_get(kv, "iobase"), ==, "0x3f8");
}

static void test_keyval_implied_escape(void)
{
    g_autoptr(Keyval) kv = parse_ok("a,,b,c=d", "path");

    g_assert_cmpstr(keyval_get(kv, "path"), ==, "a,b");
    g_assert_cmpstr(keyval_get(kv, "c"), ==, "d");
}

static void test_keyval_implied_explicit(void)
{
    /* The implied key may also be given by name. */
    g_autoptr(Keyval) kv = parse_ok("driver=foo,bar=1", "driver");

    g_assert_cmpstr(keyval_get(kv, "driver"), ==, "foo");
    g_assert_cmpstr(keyval_get(kv, "bar"), ==, "1");
}

static void test_keyval_flags(void)
{
    g_autoptr(Keyval) kv = parse_ok("pc,accel=kvm,server,nowait", "type");
    g_autoptr(Keyval) kv2 = parse_ok("server,port=1", NULL);

    g_assert_cmpstr(keyval_get(kv, "type"), ==, "pc");
    g_assert_cmpstr(keyval_get(kv, "server"), ==, "on");
    g_assert_cmpstr(keyval_get(kv, "nowait"), ==, "on");
    /* Without an implied key the first bare word is a flag too. */
    g_assert_cmpstr(keyval_get(kv2, "server"), ==, "on");
    g_assert_cmpstr(keyval_get(kv2, "port"), ==, "1");
}

static void test_keyval_duplicates(void)
{
    g_autoptr(Keyval) kv = parse_ok("a=1,b=2,a=3", NULL);
    GError *err = NULL;

    g_assert_cmpstr(keyval_get(kv, "a"), ==, "3");
    keyval_get(kv, "b");
    /* The overridden first "a" must not be reported as unused. */
    g_assert_true(keyval_check_all_used(kv, "-test", &err));
    g_assert_no_error(err);
}

static void test_keyval_trailing_comma(void)
{
    g_autoptr(Keyval) kv = parse_ok("a=1,", NULL);

    g_assert_cmpuint(kv->pairs->len, ==, 1);
    g_assert_cmpstr(keyval_get(kv, "a"), ==, "1");
}

static void test_keyval_bad(void)
{
    parse_fails("=x", NULL, "'=x'");
    parse_fails("a=1,=x", NULL, "missing");
    parse_fails(",a=1", NULL, "empty");
    parse_fails("a=1,,,=x", NULL, "missing");  /* a="1," then "=x" */
    parse_fails("a b=1", NULL, "'a b'");
    parse_fails("x,k!=1", "driver", "'k!'");
    parse_fails(",id=x", "driver", "empty");
}

static void test_keyval_unused(void)
{
    g_autoptr(Keyval) kv = parse_ok("m,used=1,foo=2,bar=3", "type");
    GError *err = NULL;

    keyval_get(kv, "type");
    keyval_get(kv, "used");
    g_assert_false(keyval_check_all_used(kv, "-machine", &err));
    g_assert_error(err, KESTREL_ERROR, 0);
    g_assert_cmpstr(err->message, ==, "-machine: invalid parameter 'foo'");
    g_error_free(err);
}

static void test_keyval_typed_getters(void)
{
    g_autoptr(Keyval) kv = parse_ok("b=yes,u=0x10,s=2M,bad=zz", NULL);
    GError *err = NULL;
    uint64_t u;
    bool b;

    g_assert_true(keyval_get_bool(kv, "b", false, &b, &err));
    g_assert_true(b);
    g_assert_true(keyval_get_bool(kv, "absent", true, &b, &err));
    g_assert_true(b);
    g_assert_true(keyval_get_uint(kv, "u", 0, &u, &err));
    g_assert_cmpuint(u, ==, 16);
    g_assert_true(keyval_get_uint(kv, "absent", 7, &u, &err));
    g_assert_cmpuint(u, ==, 7);
    g_assert_true(keyval_get_size(kv, "s", 0, &u, &err));
    g_assert_cmpuint(u, ==, 2 * MiB);
    g_assert_true(keyval_get_size(kv, "absent", 5, &u, &err));
    g_assert_cmpuint(u, ==, 5);
    g_assert_no_error(err);

    g_assert_false(keyval_get_bool(kv, "bad", false, &b, &err));
    g_assert_nonnull(strstr(err->message, "'bad'"));
    g_clear_error(&err);
    g_assert_false(keyval_get_uint(kv, "bad", 0, &u, &err));
    g_assert_nonnull(strstr(err->message, "'zz'"));
    g_clear_error(&err);
    g_assert_false(keyval_get_size(kv, "bad", 0, &u, &err));
    g_clear_error(&err);
    g_assert_true(keyval_check_all_used(kv, "-test", NULL));
}

static void test_parse_bool(void)
{
    static const char *const yes[] = { "on", "yes", "true" };
    static const char *const no[] = { "off", "no", "false" };
    static const char *const bad[] = { "", "1", "0", "ON", "y", "onn", " on", "of" };
    bool b;

    for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
        b = false;
        g_assert_true(parse_bool(yes[i], &b));
        g_assert_true(b);
        g_assert_true(parse_bool(no[i], &b));
        g_assert_false(b);
    }
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        g_assert_false(parse_bool(bad[i], &b));
    }
}

static void test_parse_uint(void)
{
    static const struct {
        const char *str;
        uint64_t val;
    } good[] = {
        { "0", 0 }, { "42", 42 }, { "007", 7 }, { "0x0", 0 }, { "0x3f8", 0x3f8 },
        { "0XFF", 255 }, { "0xdeadBEEF", 0xdeadbeef },
        { "18446744073709551615", UINT64_MAX }, { "0xffffffffffffffff", UINT64_MAX },
    };
    static const char *const bad[] = {
        "", "-1", "+1", " 1", "1 ", "0x", "x10", "12a", "0x1g", "1.0",
        "18446744073709551616", "99999999999999999999", "0x10000000000000000", "1e3",
    };
    uint64_t v;

    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        g_assert_true(parse_uint(good[i].str, &v));
        g_assert_cmpuint(v, ==, good[i].val);
    }
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        v = 1234;
        if (parse_uint(bad[i], &v)) {
            g_error("parse_uint accepted '%s'", bad[i]);
        }
        g_assert_cmpuint(v, ==, 1234);
    }
}

static void test_parse_size_suffixes(void)
{
    static const struct {
        const char *suffix;
        uint64_t unit;
    } units[] = {
        { "B", 1 }, { "b", 1 },
        { "K", KiB }, { "k", KiB }, { "KB", KiB }, { "kb", KiB }, { "KiB", KiB }, { "kib", KiB },
        { "M", MiB }, { "m", MiB }, { "MB", MiB }, { "MiB", MiB },
        { "G", GiB }, { "g", GiB }, { "GB", GiB }, { "GiB", GiB },
        { "T", 1ULL << 40 }, { "t", 1ULL << 40 }, { "TiB", 1ULL << 40 },
        { "P", 1ULL << 50 }, { "p", 1ULL << 50 }, { "PB", 1ULL << 50 },
        { "E", 1ULL << 60 }, { "e", 1ULL << 60 }, { "EiB", 1ULL << 60 },
    };
    uint64_t v;

    for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
        g_autofree char *s3 = g_strdup_printf("3%s", units[i].suffix);

        g_assert_true(parse_size(s3, 1, &v));
        g_assert_cmpuint(v, ==, 3 * units[i].unit);
        /* A suffix overrides the default unit. */
        g_assert_true(parse_size(s3, MiB, &v));
        g_assert_cmpuint(v, ==, 3 * units[i].unit);
    }
}

static void test_parse_size_plain(void)
{
    uint64_t v;

    g_assert_true(parse_size("4096", 1, &v));
    g_assert_cmpuint(v, ==, 4096);
    g_assert_true(parse_size("512", MiB, &v));
    g_assert_cmpuint(v, ==, 512 * MiB);
    g_assert_true(parse_size("0", 1, &v));
    g_assert_cmpuint(v, ==, 0);
    g_assert_true(parse_size("0x1000", 1, &v));
    g_assert_cmpuint(v, ==, 4096);
    g_assert_true(parse_size("0x10", MiB, &v));
    g_assert_cmpuint(v, ==, 16 * MiB);
    g_assert_true(parse_size("18446744073709551615", 1, &v));
    g_assert_cmpuint(v, ==, UINT64_MAX);
}

static void test_parse_size_fraction(void)
{
    uint64_t v;

    g_assert_true(parse_size("1.5G", 1, &v));
    g_assert_cmpuint(v, ==, GiB + GiB / 2);
    g_assert_true(parse_size("0.5K", 1, &v));
    g_assert_cmpuint(v, ==, 512);
    g_assert_true(parse_size("1.25", MiB, &v));
    g_assert_cmpuint(v, ==, MiB + MiB / 4);
    g_assert_true(parse_size("15.5E", 1, &v));
    g_assert_cmpuint(v, ==, 15 * (1ULL << 60) + (1ULL << 59));
    /* Fractions of a byte round down. */
    g_assert_true(parse_size("1.1K", 1, &v));
    g_assert_cmpuint(v, ==, 1126);
    g_assert_true(parse_size("1.0000000000000000000000001M", 1, &v));
    g_assert_cmpuint(v, ==, MiB);
}

static void test_parse_size_bad(void)
{
    static const char *const bad[] = {
        "", "-1", "-1K", "+1K", " 1K", "1K ", "K", "1X", "1KK", "1KiBB", "1Ki", "1iB",
        "1BB", "1BiB", "1.", ".5K", "1..5K", "1.5", "1.5B", "0x1.5K", "0x10M", "1,5K", "abc", "1e3",
        "16E", "16384P", "18446744073709551616", "17179869184G", "0x10000000000000000",
        "15.99999999999999999999E1",
    };
    uint64_t v;

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        v = 99;
        if (parse_size(bad[i], 1, &v)) {
            g_error("parse_size accepted '%s' as %" PRIu64, bad[i], v);
        }
        g_assert_cmpuint(v, ==, 99);
    }
    /* Overflow through the default unit. */
    g_assert_false(parse_size("17592186044416", MiB, &v));
    g_assert_true(parse_size("17592186044415", MiB, &v));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/keyval/basic", test_keyval_basic);
    g_test_add_func("/keyval/order", test_keyval_order);
    g_test_add_func("/keyval/empty", test_keyval_empty);
    g_test_add_func("/keyval/escape", test_keyval_escape);
    g_test_add_func("/keyval/escape-odd-commas", test_keyval_escape_odd_commas);
    g_test_add_func("/keyval/value-with-equals", test_keyval_value_with_equals);
    g_test_add_func("/keyval/implied", test_keyval_implied);
    g_test_add_func("/keyval/implied-escape", test_keyval_implied_escape);
    g_test_add_func("/keyval/implied-explicit", test_keyval_implied_explicit);
    g_test_add_func("/keyval/flags", test_keyval_flags);
    g_test_add_func("/keyval/duplicates", test_keyval_duplicates);
    g_test_add_func("/keyval/trailing-comma", test_keyval_trailing_comma);
    g_test_add_func("/keyval/bad", test_keyval_bad);
    g_test_add_func("/keyval/unused", test_keyval_unused);
    g_test_add_func("/keyval/typed-getters", test_keyval_typed_getters);
    g_test_add_func("/parse/bool", test_parse_bool);
    g_test_add_func("/parse/uint", test_parse_uint);
    g_test_add_func("/parse/size/suffixes", test_parse_size_suffixes);
    g_test_add_func("/parse/size/plain", test_parse_size_plain);
    g_test_add_func("/parse/size/fraction", test_parse_size_fraction);
    g_test_add_func("/parse/size/bad", test_parse_size_bad);
    return g_test_run();
}
