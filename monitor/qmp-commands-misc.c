/*
 * QMP commands about the emulator itself rather than the guest:
 * query-version, query-commands, query-name, query-uuid, query-target,
 * query-kvm, quit, and human-monitor-command, which runs a human monitor
 * command line and returns what it printed (with "\r\n" line ends, as
 * QEMU's does).
 */
#include "util/osdep.h"
#include "monitor/monitor-internal.h"
#include "hw/boards.h"
#include "sysemu/accel.h"
#include "sysemu/cpus.h"
#include "sysemu/runstate.h"

static JsonNode *qmp_query_version(JsonObject *args, GError **errp)
{
    return qmp_node_take_object(qmp_version_object());
}

static JsonNode *qmp_query_commands(JsonObject *args, GError **errp)
{
    g_autoptr(GPtrArray) list = qmp_command_list();
    JsonArray *arr = json_array_new();

    for (guint i = 0; i < list->len; i++) {
        const QmpCommand *cmd = g_ptr_array_index(list, i);
        JsonObject *info = json_object_new();

        json_object_set_string_member(info, "name", cmd->name);
        json_array_add_object_element(arr, info);
    }
    return qmp_node_take_array(arr);
}

static JsonNode *qmp_query_name(JsonObject *args, GError **errp)
{
    JsonObject *info = json_object_new();

    if (current_machine && current_machine->name) {
        json_object_set_string_member(info, "name", current_machine->name);
    }
    return qmp_node_take_object(info);
}

static JsonNode *qmp_query_uuid(JsonObject *args, GError **errp)
{
    JsonObject *info = json_object_new();

    /* Kestrel has no -uuid: the nil UUID, as QEMU reports without one. */
    json_object_set_string_member(info, "UUID", "00000000-0000-0000-0000-000000000000");
    return qmp_node_take_object(info);
}

static JsonNode *qmp_query_target(JsonObject *args, GError **errp)
{
    JsonObject *info = json_object_new();

    json_object_set_string_member(info, "arch", current_machine ? current_machine->mc->arch
                                                                : "unknown");
    return qmp_node_take_object(info);
}

static JsonNode *qmp_query_kvm(JsonObject *args, GError **errp)
{
    JsonObject *info = json_object_new();

    json_object_set_boolean_member(info, "enabled",
                                   current_accel && !strcmp(current_accel->name, "kvm"));
    json_object_set_boolean_member(info, "present", accel_find("kvm") != NULL);
    return qmp_node_take_object(info);
}

static JsonNode *qmp_quit(JsonObject *args, GError **errp)
{
    runstate_request_shutdown(SHUTDOWN_CAUSE_HOST_QMP_QUIT);
    return qmp_node_empty_object();
}

static JsonNode *qmp_human_monitor_command(JsonObject *args, GError **errp)
{
    HmpContext ctx;
    g_autoptr(GString) out = g_string_new(NULL);
    JsonNode *ret;

    hmp_context_init(&ctx);
    if (json_object_has_member(args, "cpu-index")) {
        gint64 index = json_object_get_int_member(args, "cpu-index");

        if (index < 0 || index >= cpus_count) {
            g_string_free(ctx.out, TRUE);
            qmp_error_set(errp, QMP_ERROR_GENERIC,
                          "Parameter 'cpu-index' expects a CPU number");
            return NULL;
        }
        ctx.cpu_index = (int)index;
    }
    hmp_execute(&ctx, json_object_get_string_member(args, "command-line"));
    for (gsize i = 0; i < ctx.out->len; i++) {
        if (ctx.out->str[i] == '\n') {
            g_string_append_c(out, '\r');
        }
        g_string_append_c(out, ctx.out->str[i]);
    }
    g_string_free(ctx.out, TRUE);
    ret = json_node_alloc();
    json_node_init_string(ret, out->str);
    return ret;
}

static const QmpArg qmp_human_monitor_command_args[] = {
    { "command-line", QMP_ARG_STRING, false },
    { "cpu-index", QMP_ARG_INT, true },
    { NULL },
};

static const QmpCommand qmp_misc_commands[] = {
    { "query-version", qmp_query_version, NULL },
    { "query-commands", qmp_query_commands, NULL },
    { "query-name", qmp_query_name, NULL },
    { "query-uuid", qmp_query_uuid, NULL },
    { "query-target", qmp_query_target, NULL },
    { "query-kvm", qmp_query_kvm, NULL },
    { "quit", qmp_quit, NULL },
    { "human-monitor-command", qmp_human_monitor_command, qmp_human_monitor_command_args },
};
qmp_commands_init(qmp_misc_commands)
