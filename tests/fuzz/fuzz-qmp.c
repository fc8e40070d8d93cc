/*
 * libFuzzer target for the QMP input path: the bytes a client sends go
 * through the framing (qmp-stream.c), json-glib's parser, the request and
 * argument checks and the dispatch of qmp-server.c, exactly as on a socket.
 * The first input byte chooses how the rest is cut into reads (1 to 64
 * bytes, as a socket may deliver them) and, in its top bit, whether the
 * session has negotiated capabilities first. Commands of the fuzz target
 * itself take every argument type and have no side effects, so the machine
 * commands are not linked. Every reply the session sends must parse as a
 * JSON object, or the target aborts.
 *
 * Build with `make fuzz` (clang -fsanitize=fuzzer,address,undefined); run as
 * build/tests/fuzz/fuzz-qmp -artifact_prefix=build/ build/fuzz-qmp
 * tests/fuzz/corpus/qmp (new inputs go to the first directory).
 * tests/unit/test-qmp.c runs this same entry point over the fixed corpus in
 * `make check`.
 */
#include "util/osdep.h"
#include "monitor/monitor-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static JsonNode *fuzz_cmd_echo(JsonObject *args, GError **errp)
{
    JsonNode *node = json_node_alloc();

    return json_node_init_object(node, args);
}

static JsonNode *fuzz_cmd_fail(JsonObject *args, GError **errp)
{
    qmp_error_set(errp, QMP_ERROR_DEVICE_NOT_FOUND, "Device '%s' not found",
                  json_object_get_string_member(args, "device"));
    return NULL;
}

static const QmpArg fuzz_echo_args[] = {
    { "s", QMP_ARG_STRING, false },
    { "i", QMP_ARG_INT, true },
    { "b", QMP_ARG_BOOL, true },
    { "n", QMP_ARG_NUMBER, true },
    { "a", QMP_ARG_ARRAY, true },
    { "o", QMP_ARG_OBJECT, true },
    { NULL },
};

static const QmpArg fuzz_fail_args[] = {
    { "device", QMP_ARG_STRING, false },
    { NULL },
};

static const QmpCommand fuzz_commands[] = {
    { "fuzz-echo", fuzz_cmd_echo, fuzz_echo_args },
    { "fuzz-fail", fuzz_cmd_fail, fuzz_fail_args },
};
qmp_commands_init(fuzz_commands)

static void fuzz_send(void *opaque, const char *text, size_t len)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonNode) node = NULL;

    if (!len || text[len - 1] != '\n') {
        abort();
    }
    node = json_from_string(text, &err);
    if (!node || !JSON_NODE_HOLDS_OBJECT(node)) {
        abort();
    }
}

static void fuzz_drop(void *opaque)
{
    *(bool *)opaque = true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char negotiate[] = "{\"execute\": \"qmp_capabilities\"}";
    QmpSession s;
    bool dropped = false;
    size_t chunk;

    if (!size) {
        return 0;
    }
    qmp_session_init(&s, false, fuzz_send, fuzz_drop, &dropped);
    qmp_session_start(&s);
    if (data[0] & 0x80) {
        qmp_session_feed(&s, (const uint8_t *)negotiate, sizeof(negotiate) - 1);
    }
    chunk = (data[0] & 0x3f) + 1;
    for (size_t i = 1; i < size && !dropped; i += chunk) {
        qmp_session_feed(&s, data + i, MIN(chunk, size - i));
    }
    qmp_session_finalize(&s);
    return 0;
}
