/*
 * The QMP protocol on one connection, as QEMU's QMP specification describes
 * it: the greeting, capabilities negotiation (every command but
 * qmp_capabilities is refused before it), requests {"execute", "arguments",
 * "id"} checked member by member, arguments checked against the command's
 * declared names and types before it runs, replies {"return"} or {"error":
 * {"class", "desc"}} with the request's id echoed, and events once the client
 * is in command mode. Also the command registry the qmp-commands-*.c files
 * fill, the error classes and small helpers for building replies. JSON is
 * parsed and written by json-glib; the session only sees whole texts from
 * the framing in qmp-stream.c and writes through the send callback of its
 * endpoint, so it runs unchanged in unit tests and the fuzz target.
 */
#include "util/osdep.h"
#include <math.h>
#include "monitor/monitor-internal.h"

G_DEFINE_QUARK(kestrel-qmp-error-quark, qmp_error)

static const char *const qmp_error_class_names[] = {
    [QMP_ERROR_GENERIC] = "GenericError",
    [QMP_ERROR_COMMAND_NOT_FOUND] = "CommandNotFound",
    [QMP_ERROR_DEVICE_NOT_ACTIVE] = "DeviceNotActive",
    [QMP_ERROR_DEVICE_NOT_FOUND] = "DeviceNotFound",
};

void qmp_error_set(GError **errp, QmpErrorClass cls, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error_literal(errp, QMP_ERROR, cls, msg);
}

const char *qmp_error_class_name(const GError *err)
{
    if (err->domain == QMP_ERROR && err->code >= 0 &&
        (size_t)err->code < ARRAY_SIZE(qmp_error_class_names)) {
        return qmp_error_class_names[err->code];
    }
    return qmp_error_class_names[QMP_ERROR_GENERIC];
}

/* ---- registry ---- */

static GHashTable *qmp_commands;   /* name -> const QmpCommand * */

static JsonNode *qmp_cmd_capabilities(JsonObject *args, GError **errp);

static const QmpArg qmp_capabilities_args[] = {
    { "enable", QMP_ARG_ARRAY, true },
    { NULL },
};

static const QmpCommand qmp_capabilities_cmd = {
    "qmp_capabilities", qmp_cmd_capabilities, qmp_capabilities_args,
};

static GHashTable *qmp_command_table(void)
{
    if (!qmp_commands) {
        qmp_commands = g_hash_table_new(g_str_hash, g_str_equal);
        g_hash_table_insert(qmp_commands, (gpointer)qmp_capabilities_cmd.name,
                            (gpointer)&qmp_capabilities_cmd);
    }
    return qmp_commands;
}

void qmp_register_commands(const QmpCommand *cmds, size_t n)
{
    GHashTable *table = qmp_command_table();

    for (size_t i = 0; i < n; i++) {
        if (g_hash_table_contains(table, cmds[i].name)) {
            g_error("QMP command '%s' registered twice", cmds[i].name);
        }
        g_hash_table_insert(table, (gpointer)cmds[i].name, (gpointer)&cmds[i]);
    }
}

const QmpCommand *qmp_find_command(const char *name)
{
    return g_hash_table_lookup(qmp_command_table(), name);
}

static gint qmp_command_compare(gconstpointer a, gconstpointer b)
{
    const QmpCommand *ca = *(const QmpCommand *const *)a;
    const QmpCommand *cb = *(const QmpCommand *const *)b;

    return strcmp(ca->name, cb->name);
}

GPtrArray *qmp_command_list(void)
{
    GPtrArray *list = g_ptr_array_new();
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init(&iter, qmp_command_table());
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        g_ptr_array_add(list, value);
    }
    g_ptr_array_sort(list, qmp_command_compare);
    return list;
}

/* ---- building replies ---- */

JsonNode *qmp_node_take_object(JsonObject *obj)
{
    JsonNode *node = json_node_init_object(json_node_alloc(), obj);

    json_object_unref(obj);
    return node;
}

JsonNode *qmp_node_take_array(JsonArray *arr)
{
    JsonNode *node = json_node_init_array(json_node_alloc(), arr);

    json_array_unref(arr);
    return node;
}

JsonNode *qmp_node_empty_object(void)
{
    return qmp_node_take_object(json_object_new());
}

JsonObject *qmp_version_object(void)
{
    JsonObject *version = json_object_new();
    JsonObject *qemu = json_object_new();
    unsigned major = 0, minor = 0, micro = 0;

    sscanf(KESTREL_VERSION, "%u.%u.%u", &major, &minor, &micro);
    json_object_set_int_member(qemu, "micro", micro);
    json_object_set_int_member(qemu, "minor", minor);
    json_object_set_int_member(qemu, "major", major);
    json_object_set_object_member(version, "qemu", qemu);
    json_object_set_string_member(version, "package", "kestrel-" KESTREL_VERSION);
    return version;
}

/*
 * A scalar as json-glib writes it, made safe first: json-glib's parser can
 * hand out strings that are not UTF-8 (from "\ud800x") and numbers that
 * JSON cannot hold (1e400 is infinity); replies must stay valid JSON.
 */
static void qmp_scalar_append(GString *out, JsonNode *node)
{
    g_autoptr(JsonNode) safe = NULL;
    g_autofree char *text = NULL;
    GType type = JSON_NODE_HOLDS_VALUE(node) ? json_node_get_value_type(node) : G_TYPE_INVALID;

    if (type == G_TYPE_STRING) {
        g_autofree char *valid = g_utf8_make_valid(json_node_get_string(node), -1);

        safe = json_node_init_string(json_node_alloc(), valid);
    } else if (type == G_TYPE_DOUBLE && !isfinite(json_node_get_double(node))) {
        safe = json_node_init_null(json_node_alloc());
    } else {
        safe = json_node_ref(node);
    }
    text = json_to_string(safe, FALSE);
    g_string_append(out, text);
}

static void qmp_newline(GString *out, int indent)
{
    if (indent >= 0) {
        g_string_append_printf(out, "\n%*s", indent * 4, "");
    }
}

/*
 * QEMU's layouts: one line with ": " and ", " (INDENT < 0; some clients
 * match replies as text), or pretty with four spaces per level.
 */
static void qmp_node_append(GString *out, JsonNode *node, int indent)
{
    int inner = indent < 0 ? -1 : indent + 1;

    if (JSON_NODE_HOLDS_OBJECT(node)) {
        JsonObject *obj = json_node_get_object(node);
        g_autoptr(GList) members = json_object_get_members(obj);

        g_string_append_c(out, '{');
        for (GList *l = members; l; l = l->next) {
            g_autoptr(JsonNode) key = json_node_init_string(json_node_alloc(), l->data);

            g_string_append(out, l == members ? "" : indent < 0 ? ", " : ",");
            qmp_newline(out, inner);
            qmp_scalar_append(out, key);
            g_string_append(out, ": ");
            qmp_node_append(out, json_object_get_member(obj, l->data), inner);
        }
        if (members) {
            qmp_newline(out, indent);
        }
        g_string_append_c(out, '}');
    } else if (JSON_NODE_HOLDS_ARRAY(node)) {
        JsonArray *arr = json_node_get_array(node);
        guint n = json_array_get_length(arr);

        g_string_append_c(out, '[');
        for (guint i = 0; i < n; i++) {
            g_string_append(out, !i ? "" : indent < 0 ? ", " : ",");
            qmp_newline(out, inner);
            qmp_node_append(out, json_array_get_element(arr, i), inner);
        }
        if (n) {
            qmp_newline(out, indent);
        }
        g_string_append_c(out, ']');
    } else {
        qmp_scalar_append(out, node);
    }
}

char *qmp_node_to_string(JsonNode *node, bool pretty)
{
    GString *out = g_string_new(NULL);

    qmp_node_append(out, node, pretty ? 0 : -1);
    return g_string_free(out, FALSE);
}

/* ---- the session ---- */

static void qmp_session_send_node(QmpSession *s, JsonNode *node)
{
    g_autofree char *text = qmp_node_to_string(node, s->pretty);
    g_autofree char *line = g_strconcat(text, "\n", NULL);

    s->send(s->opaque, line, strlen(line));
}

static void qmp_session_send_object(QmpSession *s, JsonObject *obj)
{
    JsonNode *node = qmp_node_take_object(obj);

    qmp_session_send_node(s, node);
    json_node_unref(node);
}

static void qmp_session_send_error(QmpSession *s, const GError *err, JsonNode *id)
{
    JsonObject *rsp = json_object_new();
    JsonObject *error = json_object_new();

    json_object_set_string_member(error, "class", qmp_error_class_name(err));
    json_object_set_string_member(error, "desc", err->message);
    json_object_set_object_member(rsp, "error", error);
    if (id) {
        json_object_set_member(rsp, "id", json_node_copy(id));
    }
    qmp_session_send_object(s, rsp);
}

static void qmp_session_send_return(QmpSession *s, JsonNode *ret, JsonNode *id)
{
    JsonObject *rsp = json_object_new();

    json_object_set_member(rsp, "return", ret);
    if (id) {
        json_object_set_member(rsp, "id", json_node_copy(id));
    }
    qmp_session_send_object(s, rsp);
}

void qmp_session_send_event(QmpSession *s, JsonNode *event)
{
    if (s->negotiated) {
        qmp_session_send_node(s, event);
    }
}

void qmp_session_start(QmpSession *s)
{
    JsonObject *greeting = json_object_new();
    JsonObject *qmp = json_object_new();

    qmp_stream_reset(&s->stream);
    s->negotiated = false;
    json_object_set_object_member(qmp, "version", qmp_version_object());
    json_object_set_array_member(qmp, "capabilities", json_array_new());
    json_object_set_object_member(greeting, "QMP", qmp);
    qmp_session_send_object(s, greeting);
}

/*
 * Only reached through qmp_session_execute(), which handles the negotiation
 * state; here the capabilities asked for are checked: Kestrel offers none.
 */
static JsonNode *qmp_cmd_capabilities(JsonObject *args, GError **errp)
{
    JsonNode *enable = json_object_get_member(args, "enable");
    JsonArray *list = enable ? json_node_get_array(enable) : NULL;

    for (guint i = 0; list && i < json_array_get_length(list); i++) {
        JsonNode *cap = json_array_get_element(list, i);

        if (JSON_NODE_HOLDS_VALUE(cap) && json_node_get_value_type(cap) == G_TYPE_STRING) {
            qmp_error_set(errp, QMP_ERROR_GENERIC, "Capability '%s' not available",
                          json_node_get_string(cap));
        } else {
            qmp_error_set(errp, QMP_ERROR_GENERIC,
                          "Invalid parameter type for 'enable[%u]', expected: string", i);
        }
        return NULL;
    }
    return qmp_node_empty_object();
}

static bool qmp_arg_type_matches(JsonNode *node, QmpArgType type)
{
    GType vt = JSON_NODE_HOLDS_VALUE(node) ? json_node_get_value_type(node) : G_TYPE_INVALID;

    switch (type) {
    case QMP_ARG_STRING:
        return vt == G_TYPE_STRING;
    case QMP_ARG_INT:
        return vt == G_TYPE_INT64;
    case QMP_ARG_BOOL:
        return vt == G_TYPE_BOOLEAN;
    case QMP_ARG_NUMBER:
        return vt == G_TYPE_INT64 || vt == G_TYPE_DOUBLE;
    case QMP_ARG_ARRAY:
        return JSON_NODE_HOLDS_ARRAY(node);
    case QMP_ARG_OBJECT:
        return JSON_NODE_HOLDS_OBJECT(node);
    }
    return false;
}

static const char *qmp_arg_type_name(QmpArgType type)
{
    static const char *const names[] = {
        [QMP_ARG_STRING] = "string", [QMP_ARG_INT] = "integer", [QMP_ARG_BOOL] = "boolean",
        [QMP_ARG_NUMBER] = "number", [QMP_ARG_ARRAY] = "array", [QMP_ARG_OBJECT] = "object",
    };

    return names[type];
}

/* Every member of ARGS is a declared argument of the right type; every required one is there. */
static bool qmp_check_args(const QmpCommand *cmd, JsonObject *args, GError **errp)
{
    g_autoptr(GList) members = json_object_get_members(args);

    for (GList *l = members; l; l = l->next) {
        const char *name = l->data;
        const QmpArg *a = cmd->args;

        while (a && a->name && strcmp(a->name, name)) {
            a++;
        }
        if (!a || !a->name) {
            qmp_error_set(errp, QMP_ERROR_GENERIC, "Parameter '%s' is unexpected", name);
            return false;
        }
        if (!qmp_arg_type_matches(json_object_get_member(args, name), a->type)) {
            qmp_error_set(errp, QMP_ERROR_GENERIC, "Invalid parameter type for '%s', "
                          "expected: %s", name, qmp_arg_type_name(a->type));
            return false;
        }
    }
    for (const QmpArg *a = cmd->args; a && a->name; a++) {
        if (!a->optional && !json_object_has_member(args, a->name)) {
            qmp_error_set(errp, QMP_ERROR_GENERIC, "Parameter '%s' is missing", a->name);
            return false;
        }
    }
    return true;
}

/* Checks the members of a request; returns the command name, or NULL with ERRP set. */
static const char *qmp_check_request(JsonObject *req, JsonObject **args, GError **errp)
{
    g_autoptr(GList) members = json_object_get_members(req);
    JsonNode *exec = json_object_get_member(req, "execute");
    JsonNode *arg_node = json_object_get_member(req, "arguments");

    for (GList *l = members; l; l = l->next) {
        const char *name = l->data;

        if (strcmp(name, "execute") && strcmp(name, "arguments") && strcmp(name, "id")) {
            qmp_error_set(errp, QMP_ERROR_GENERIC, "QMP input member '%s' is unexpected", name);
            return NULL;
        }
    }
    if (!exec) {
        qmp_error_set(errp, QMP_ERROR_GENERIC, "QMP input lacks member 'execute'");
        return NULL;
    }
    if (!JSON_NODE_HOLDS_VALUE(exec) || json_node_get_value_type(exec) != G_TYPE_STRING) {
        qmp_error_set(errp, QMP_ERROR_GENERIC, "QMP input member 'execute' must be a string");
        return NULL;
    }
    if (arg_node && !JSON_NODE_HOLDS_OBJECT(arg_node)) {
        qmp_error_set(errp, QMP_ERROR_GENERIC, "QMP input member 'arguments' must be an object");
        return NULL;
    }
    *args = arg_node ? json_node_get_object(arg_node) : NULL;
    return json_node_get_string(exec);
}

/* Runs one request; returns the reply value, or NULL with ERRP set. */
static JsonNode *qmp_session_execute(QmpSession *s, JsonObject *req, GError **errp)
{
    g_autoptr(JsonObject) no_args = json_object_new();
    JsonObject *args = NULL;
    const char *name = qmp_check_request(req, &args, errp);
    const QmpCommand *cmd;
    JsonNode *ret;

    if (!name) {
        return NULL;
    }
    cmd = qmp_find_command(name);
    if (!s->negotiated && cmd != &qmp_capabilities_cmd) {
        qmp_error_set(errp, QMP_ERROR_COMMAND_NOT_FOUND,
                      "Expecting capabilities negotiation with 'qmp_capabilities'");
        return NULL;
    }
    if (s->negotiated && cmd == &qmp_capabilities_cmd) {
        qmp_error_set(errp, QMP_ERROR_COMMAND_NOT_FOUND,
                      "Capabilities negotiation is already complete, command ignored");
        return NULL;
    }
    if (!cmd) {
        qmp_error_set(errp, QMP_ERROR_COMMAND_NOT_FOUND, "The command %s has not been found",
                      name);
        return NULL;
    }
    args = args ? args : no_args;
    if (!qmp_check_args(cmd, args, errp)) {
        return NULL;
    }
    ret = cmd->fn(args, errp);
    if (ret && cmd == &qmp_capabilities_cmd) {
        s->negotiated = true;
    }
    return ret;
}

/*
 * False if NODE would not come back unchanged: a number JSON cannot hold
 * (1e400 parses as infinity) or text that is not UTF-8 (json-glib turns a
 * lone "\ud800" into such bytes).
 */
static bool qmp_node_is_exact(JsonNode *node)
{
    if (JSON_NODE_HOLDS_OBJECT(node)) {
        JsonObject *obj = json_node_get_object(node);
        g_autoptr(GList) members = json_object_get_members(obj);

        for (GList *l = members; l; l = l->next) {
            if (!g_utf8_validate(l->data, -1, NULL) ||
                !qmp_node_is_exact(json_object_get_member(obj, l->data))) {
                return false;
            }
        }
    } else if (JSON_NODE_HOLDS_ARRAY(node)) {
        JsonArray *arr = json_node_get_array(node);

        for (guint i = 0; i < json_array_get_length(arr); i++) {
            if (!qmp_node_is_exact(json_array_get_element(arr, i))) {
                return false;
            }
        }
    } else if (JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == G_TYPE_DOUBLE) {
        return isfinite(json_node_get_double(node));
    } else if (JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == G_TYPE_STRING) {
        return g_utf8_validate(json_node_get_string(node), -1, NULL);
    }
    return true;
}

static void qmp_session_handle(void *opaque, const char *text, size_t len, GError *lex_err)
{
    QmpSession *s = opaque;
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonNode) root = NULL;
    JsonNode *id = NULL;
    JsonNode *ret;

    if (lex_err) {
        qmp_session_send_error(s, lex_err, NULL);
        return;
    }
    root = json_from_string(text, &err);
    if (!root) {
        g_autoptr(GError) parse_err = NULL;

        qmp_error_set(&parse_err, QMP_ERROR_GENERIC, "JSON parse error, %s",
                      err ? err->message : "empty input");
        qmp_session_send_error(s, parse_err, NULL);
        return;
    }
    if (!JSON_NODE_HOLDS_OBJECT(root)) {
        qmp_error_set(&err, QMP_ERROR_GENERIC, "QMP input must be a JSON object");
        qmp_session_send_error(s, err, NULL);
        return;
    }
    id = json_object_get_member(json_node_get_object(root), "id");
    if (id && !qmp_node_is_exact(id)) {
        qmp_error_set(&err, QMP_ERROR_GENERIC, "QMP input member 'id' cannot be sent back as is");
        qmp_session_send_error(s, err, NULL);
        return;
    }
    ret = qmp_session_execute(s, json_node_get_object(root), &err);
    if (ret) {
        qmp_session_send_return(s, ret, id);
    } else {
        qmp_session_send_error(s, err, id);
    }
}

void qmp_session_init(QmpSession *s, bool pretty,
                      void (*send)(void *opaque, const char *text, size_t len),
                      void (*drop)(void *opaque), void *opaque)
{
    *s = (QmpSession){ .pretty = pretty, .send = send, .drop = drop, .opaque = opaque };
    qmp_stream_init(&s->stream, qmp_session_handle, s);
}

void qmp_session_feed(QmpSession *s, const uint8_t *buf, size_t len)
{
    g_autoptr(GError) err = NULL;

    if (!qmp_stream_feed(&s->stream, buf, len, &err)) {
        qmp_session_send_error(s, err, NULL);
        s->drop(s->opaque);
    }
}

void qmp_session_finalize(QmpSession *s)
{
    qmp_stream_finalize(&s->stream);
}
