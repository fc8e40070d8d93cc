/*
 * Unit tests of the QMP protocol session without a machine: the greeting,
 * capabilities negotiation, request and argument checking with QEMU's error
 * classes and messages, id echo, the framing of a byte stream into JSON texts
 * (split reads, strings with braces, lexical error recovery), the limits that
 * drop a client (message size, nesting), thousands of commands in one read,
 * and the fuzz target's entry point run over its fixed corpus
 * (tests/fuzz/corpus/qmp), so `make check` exercises the fuzzed input path.
 */
#include "util/osdep.h"
#include "monitor/monitor-internal.h"

/*
 * The fuzz target's harness and its side-effect-free commands (fuzz-echo,
 * fuzz-fail), compiled in here so that the corpus runs through exactly the
 * code the fuzzer runs.
 */
#include "tests/fuzz/fuzz-qmp.c"

typedef struct Client {
    QmpSession s;
    GPtrArray *replies;     /* JsonNode *, in order */
    bool dropped;
} Client;

static void client_send(void *opaque, const char *text, size_t len)
{
    Client *c = opaque;
    GError *err = NULL;
    JsonNode *node;

    g_assert_cmpint(len, >, 0);
    g_assert_cmpint(text[len - 1], ==, '\n');
    g_assert_null(memchr(text, '\n', len - 1));
    node = json_from_string(text, &err);
    g_assert_no_error(err);
    g_ptr_array_add(c->replies, node);
}

static void client_drop(void *opaque)
{
    ((Client *)opaque)->dropped = true;
}

static void client_init(Client *c, bool negotiate)
{
    c->replies = g_ptr_array_new_with_free_func((GDestroyNotify)json_node_unref);
    c->dropped = false;
    qmp_session_init(&c->s, false, client_send, client_drop, c);
    qmp_session_start(&c->s);
    if (negotiate) {
        qmp_session_feed(&c->s, (const uint8_t *)"{\"execute\":\"qmp_capabilities\"}", 30);
        g_assert_cmpuint(c->replies->len, ==, 2);
    }
    g_ptr_array_set_size(c->replies, 0);
}

static void client_finish(Client *c)
{
    qmp_session_finalize(&c->s);
    g_ptr_array_free(c->replies, TRUE);
}

static void client_feed(Client *c, const char *text)
{
    qmp_session_feed(&c->s, (const uint8_t *)text, strlen(text));
}

static JsonObject *reply(Client *c, guint i)
{
    g_assert_cmpuint(i, <, c->replies->len);
    return json_node_get_object(g_ptr_array_index(c->replies, i));
}

/* Reply I is an error of class CLS whose desc contains DESC. */
static void assert_error(Client *c, guint i, const char *cls, const char *desc)
{
    JsonObject *err = json_object_get_object_member(reply(c, i), "error");

    g_assert_nonnull(err);
    g_assert_cmpstr(json_object_get_string_member(err, "class"), ==, cls);
    if (!strstr(json_object_get_string_member(err, "desc"), desc)) {
        g_error("desc '%s' lacks '%s'", json_object_get_string_member(err, "desc"), desc);
    }
}

static void test_greeting(void)
{
    Client c = { 0 };
    g_autofree char *package = g_strdup_printf("kestrel-%s", KESTREL_VERSION);
    g_autofree char *version = NULL;
    JsonObject *qmp, *ver, *qemu;

    c.replies = g_ptr_array_new_with_free_func((GDestroyNotify)json_node_unref);
    qmp_session_init(&c.s, false, client_send, client_drop, &c);
    qmp_session_start(&c.s);
    g_assert_cmpuint(c.replies->len, ==, 1);
    qmp = json_object_get_object_member(reply(&c, 0), "QMP");
    ver = json_object_get_object_member(qmp, "version");
    qemu = json_object_get_object_member(ver, "qemu");
    version = g_strdup_printf("%" PRId64 ".%" PRId64 ".%" PRId64,
                              json_object_get_int_member(qemu, "major"),
                              json_object_get_int_member(qemu, "minor"),
                              json_object_get_int_member(qemu, "micro"));
    g_assert_cmpstr(version, ==, KESTREL_VERSION);
    g_assert_cmpstr(json_object_get_string_member(ver, "package"), ==, package);
    g_assert_cmpuint(json_array_get_length(json_object_get_array_member(qmp, "capabilities")),
                     ==, 0);
    client_finish(&c);
}

static void test_negotiation(void)
{
    Client c;

    client_init(&c, false);
    client_feed(&c, "{\"execute\": \"fuzz-echo\", \"arguments\": {\"s\": \"x\"}}");
    assert_error(&c, 0, "CommandNotFound",
                 "Expecting capabilities negotiation with 'qmp_capabilities'");
    client_feed(&c, "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"oob\"]}}");
    assert_error(&c, 1, "GenericError", "Capability 'oob' not available");
    client_feed(&c, "{\"execute\": \"qmp_capabilities\", \"id\": 1}");
    g_assert_true(json_object_has_member(reply(&c, 2), "return"));
    g_assert_cmpint(json_object_get_int_member(reply(&c, 2), "id"), ==, 1);
    client_feed(&c, "{\"execute\": \"qmp_capabilities\"}");
    assert_error(&c, 3, "CommandNotFound", "already complete");
    client_feed(&c, "{\"execute\": \"fuzz-echo\", \"arguments\": {\"s\": \"x\"}}");
    g_assert_cmpstr(json_object_get_string_member(
        json_object_get_object_member(reply(&c, 4), "return"), "s"), ==, "x");
    /* A new client starts over. */
    qmp_session_start(&c.s);
    client_feed(&c, "{\"execute\": \"fuzz-echo\", \"arguments\": {\"s\": \"x\"}}");
    assert_error(&c, 6, "CommandNotFound", "Expecting capabilities negotiation");
    client_finish(&c);
}

static void test_request_errors(void)
{
    static const struct {
        const char *in;
        const char *cls;
        const char *desc;
    } cases[] = {
        { "[1, 2]", "GenericError", "QMP input must be a JSON object" },
        { "\"execute\"", "GenericError", "QMP input must be a JSON object" },
        { "{\"arguments\": {}}", "GenericError", "QMP input lacks member 'execute'" },
        { "{\"execute\": 42}", "GenericError", "QMP input member 'execute' must be a string" },
        { "{\"execute\": \"fuzz-echo\", \"arguments\": [1]}", "GenericError",
          "QMP input member 'arguments' must be an object" },
        { "{\"execute\": \"fuzz-echo\", \"bogus\": 1}", "GenericError",
          "QMP input member 'bogus' is unexpected" },
        { "{\"execute\": \"no-such-command\"}", "CommandNotFound",
          "The command no-such-command has not been found" },
        { "{\"execute\" \"x\"}", "GenericError", "JSON parse error" },
        { "{\"execute\": tru}", "GenericError", "JSON parse error" },
        { "{\"execute\": \"fuzz-echo\"}", "GenericError", "Parameter 's' is missing" },
        { "{\"execute\": \"fuzz-echo\", \"arguments\": {\"s\": 1}}", "GenericError",
          "Invalid parameter type for 's', expected: string" },
        { "{\"execute\": \"fuzz-echo\", \"arguments\": {\"s\": \"\", \"i\": 1.5}}",
          "GenericError", "Invalid parameter type for 'i', expected: integer" },
        { "{\"execute\": \"fuzz-echo\", \"arguments\": {\"s\": \"\", \"b\": 0}}",
          "GenericError", "Invalid parameter type for 'b', expected: boolean" },
        { "{\"execute\": \"fuzz-echo\", \"arguments\": {\"s\": \"\", \"n\": \"1\"}}",
          "GenericError", "Invalid parameter type for 'n', expected: number" },
        { "{\"execute\": \"fuzz-echo\", \"arguments\": {\"s\": \"\", \"a\": {}}}",
          "GenericError", "Invalid parameter type for 'a', expected: array" },
        { "{\"execute\": \"fuzz-echo\", \"arguments\": {\"s\": \"\", \"o\": null}}",
          "GenericError", "Invalid parameter type for 'o', expected: object" },
        { "{\"execute\": \"fuzz-echo\", \"arguments\": {\"s\": \"\", \"zz\": 1}}",
          "GenericError", "Parameter 'zz' is unexpected" },
        { "{\"execute\": \"fuzz-fail\", \"arguments\": {\"device\": \"d0\"}}",
          "DeviceNotFound", "Device 'd0' not found" },
        { "{\"execute\": \"qmp_capabilities\", \"id\": 1e400}", "GenericError",
          "'id' cannot be sent back as is" },
        { "{\"execute\": \"qmp_capabilities\", \"id\": [\"\\ud800x\"]}", "GenericError",
          "'id' cannot be sent back as is" },
    };
    Client c;

    client_init(&c, true);
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        client_feed(&c, cases[i].in);
        g_assert_cmpuint(c.replies->len, ==, i + 1);
        assert_error(&c, i, cases[i].cls, cases[i].desc);
    }
    g_assert_false(c.dropped);
    client_finish(&c);
}

static void test_arguments_ok(void)
{
    Client c;
    JsonObject *ret;

    client_init(&c, true);
    client_feed(&c, "{\"execute\": \"fuzz-echo\", \"arguments\": {\"s\": \"a\", \"i\": -3, "
                    "\"b\": true, \"n\": 7, \"a\": [], \"o\": {\"k\": null}}, "
                    "\"id\": {\"tag\": [1, \"two\"]}}");
    g_assert_cmpuint(c.replies->len, ==, 1);
    ret = json_object_get_object_member(reply(&c, 0), "return");
    g_assert_cmpint(json_object_get_int_member(ret, "i"), ==, -3);
    g_assert_true(json_object_get_boolean_member(ret, "b"));
    g_assert_cmpstr(json_array_get_string_element(json_object_get_array_member(
        json_object_get_object_member(reply(&c, 0), "id"), "tag"), 1), ==, "two");
    /* number takes a double too; the id comes back on errors as well. */
    client_feed(&c, "{\"execute\": \"fuzz-echo\", \"arguments\": {\"s\": \"a\", \"n\": 2.5}}");
    g_assert_true(json_object_has_member(reply(&c, 1), "return"));
    client_feed(&c, "{\"execute\": \"fuzz-fail\", \"arguments\": {\"device\": \"x\"}, "
                    "\"id\": \"abc\"}");
    g_assert_cmpstr(json_object_get_string_member(reply(&c, 2), "id"), ==, "abc");
    client_finish(&c);
}

/*
 * Replies are one line with QEMU's separators, or indented with pretty=on;
 * text that is not UTF-8 and numbers JSON cannot hold never reach the client.
 */
static void test_reply_format(void)
{
    g_autoptr(JsonNode) node = json_from_string("{\"return\": {\"a\": [1, \"x\\\"y\"], "
                                                "\"e\": {}, \"l\": []}, \"id\": null}", NULL);
    g_autoptr(JsonNode) odd = json_from_string("[\"\\ud800x\", 1e400]", NULL);
    g_autofree char *text = qmp_node_to_string(node, false);
    g_autofree char *pretty = qmp_node_to_string(node, true);
    g_autofree char *odd_text = qmp_node_to_string(odd, false);
    g_autoptr(JsonNode) back = json_from_string(odd_text, NULL);

    g_assert_cmpstr(text, ==, "{\"return\": {\"a\": [1, \"x\\\"y\"], \"e\": {}, \"l\": []}, "
                              "\"id\": null}");
    g_assert_cmpstr(pretty, ==, "{\n    \"return\": {\n        \"a\": [\n            1,\n"
                                "            \"x\\\"y\"\n        ],\n        \"e\": {},\n"
                                "        \"l\": []\n    },\n    \"id\": null\n}");
    g_assert_true(g_utf8_validate(odd_text, -1, NULL));
    g_assert_nonnull(back);
    g_assert_true(JSON_NODE_HOLDS_NULL(json_array_get_element(json_node_get_array(back), 1)));
}

static void test_framing(void)
{
    static const char two[] = "{\"execute\": \"fuzz-echo\", \"arguments\": "
                              "{\"s\": \"}{ \\\" ] '\"}, \"id\": 1}"
                              "  {'execute': 'fuzz-echo', 'arguments': {'s': '\"}'}, 'id': 2}\n";
    Client c;

    client_init(&c, true);
    /* One byte per read. */
    for (size_t i = 0; i < sizeof(two) - 1; i++) {
        qmp_session_feed(&c.s, (const uint8_t *)two + i, 1);
    }
    g_assert_cmpuint(c.replies->len, ==, 2);
    g_assert_cmpstr(json_object_get_string_member(
        json_object_get_object_member(reply(&c, 0), "return"), "s"), ==, "}{ \" ] '");
    g_assert_cmpstr(json_object_get_string_member(
        json_object_get_object_member(reply(&c, 1), "return"), "s"), ==, "\"}");
    /* Top-level scalars and stray closers are texts of their own. */
    client_feed(&c, "1 true ]");
    g_assert_cmpuint(c.replies->len, ==, 5);
    assert_error(&c, 2, "GenericError", "must be a JSON object");
    assert_error(&c, 3, "GenericError", "must be a JSON object");
    assert_error(&c, 4, "GenericError", "JSON parse error");
    client_finish(&c);
}

/* A control character or 0xff throws the partial text away; the next one works. */
static void test_lexical_error(void)
{
    Client c;

    client_init(&c, true);
    client_feed(&c, "{\"execute\": \"fuzz-ec\x01");
    g_assert_cmpuint(c.replies->len, ==, 1);
    assert_error(&c, 0, "GenericError", "invalid character 0x01");
    client_feed(&c, "{\"execute\": [[[[ \xff{\"execute\": \"fuzz-echo\", "
                    "\"arguments\": {\"s\": \"ok\"}}");
    g_assert_cmpuint(c.replies->len, ==, 3);
    assert_error(&c, 1, "GenericError", "invalid character 0xff");
    g_assert_true(json_object_has_member(reply(&c, 2), "return"));
    g_assert_false(c.dropped);
    client_finish(&c);
}

static void test_limits(void)
{
    g_autoptr(GString) big = g_string_new("{\"execute\": \"fuzz-echo\", \"arguments\": {\"s\": \"");
    g_autoptr(GString) deep = g_string_new(NULL);
    Client c;

    /* Just under the size bound is fine. */
    client_init(&c, true);
    while (big->len < QMP_MAX_MESSAGE - 8) {
        g_string_append_c(big, 'x');
    }
    g_string_append(big, "\"}}");
    client_feed(&c, big->str);
    g_assert_cmpuint(c.replies->len, ==, 1);
    g_assert_true(json_object_has_member(reply(&c, 0), "return"));
    /* Over it: an error, then the client is dropped. */
    g_string_truncate(big, big->len - 3);
    g_string_append(big, "xxxxxxxxxxxxxxxx\"}}");
    client_feed(&c, big->str);
    g_assert_true(c.dropped);
    assert_error(&c, 1, "GenericError", "longer than");
    client_finish(&c);

    /* Nesting: 1000 levels parse (and are refused as arguments), 1025 drop the client. */
    client_init(&c, true);
    g_string_append(deep, "{\"execute\": \"fuzz-echo\", \"arguments\": {\"s\": \"\", \"a\": ");
    for (int i = 0; i < 1000; i++) {
        g_string_append_c(deep, '[');
    }
    for (int i = 0; i < 1000; i++) {
        g_string_append_c(deep, ']');
    }
    g_string_append(deep, "}}");
    client_feed(&c, deep->str);
    g_assert_cmpuint(c.replies->len, ==, 1);
    g_assert_true(json_object_has_member(reply(&c, 0), "return"));
    g_string_truncate(deep, 0);
    for (int i = 0; i < QMP_MAX_NESTING + 1; i++) {
        g_string_append_c(deep, '[');
    }
    client_feed(&c, deep->str);
    g_assert_true(c.dropped);
    assert_error(&c, 1, "GenericError", "nesting deeper than");
    client_finish(&c);
}

/* Thousands of commands in one read are all answered, in order. */
static void test_many_commands(void)
{
    g_autoptr(GString) in = g_string_new(NULL);
    Client c;

    client_init(&c, true);
    for (int i = 0; i < 5000; i++) {
        g_string_append_printf(in, "{\"execute\": \"%s\", \"arguments\": {\"s\": \"\"}, "
                               "\"id\": %d}", i % 3 ? "fuzz-echo" : "nope", i);
    }
    client_feed(&c, in->str);
    g_assert_cmpuint(c.replies->len, ==, 5000);
    for (guint i = 0; i < 5000; i++) {
        g_assert_cmpint(json_object_get_int_member(reply(&c, i), "id"), ==, i);
        g_assert_true(json_object_has_member(reply(&c, i), i % 3 ? "return" : "error"));
    }
    client_finish(&c);
}

static void test_fuzz_corpus(void)
{
    g_autofree char *here = g_path_get_dirname(__FILE__);
    g_autofree char *dir_path = g_build_filename(here, "..", "fuzz", "corpus", "qmp", NULL);
    g_autoptr(GError) err = NULL;
    GDir *dir = g_dir_open(dir_path, 0, &err);
    const char *name;
    int files = 0;

    g_assert_no_error(err);
    while ((name = g_dir_read_name(dir))) {
        g_autofree char *path = g_build_filename(dir_path, name, NULL);
        g_autofree char *data = NULL;
        gsize len;

        g_assert_true(g_file_get_contents(path, &data, &len, NULL));
        /* As libFuzzer runs it, then behind several framing/negotiation bytes. */
        LLVMFuzzerTestOneInput((const uint8_t *)data, len);
        for (int first = 0; first < 256; first += 37) {
            g_autofree uint8_t *input = g_malloc(len + 1);

            input[0] = first;
            memcpy(input + 1, data, len);
            LLVMFuzzerTestOneInput(input, len + 1);
        }
        files++;
    }
    g_dir_close(dir);
    g_assert_cmpint(files, >=, 20);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qmp/greeting", test_greeting);
    g_test_add_func("/qmp/negotiation", test_negotiation);
    g_test_add_func("/qmp/request-errors", test_request_errors);
    g_test_add_func("/qmp/arguments", test_arguments_ok);
    g_test_add_func("/qmp/reply-format", test_reply_format);
    g_test_add_func("/qmp/framing", test_framing);
    g_test_add_func("/qmp/lexical-error", test_lexical_error);
    g_test_add_func("/qmp/limits", test_limits);
    g_test_add_func("/qmp/many-commands", test_many_commands);
    g_test_add_func("/qmp/fuzz-corpus", test_fuzz_corpus);
    return g_test_run();
}
