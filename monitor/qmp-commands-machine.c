/*
 * QMP commands about the running machine: its run state (query-status,
 * stop, cont, system_reset, system_powerdown), its vCPUs (query-cpus-fast,
 * with each vCPU's host thread id for pinning and its -smp topology
 * position), the machine types (query-machines), its RAM
 * (query-memory-size-summary) and the balloon, which does not exist yet
 * (balloon and query-balloon answer DeviceNotActive, as QEMU does without
 * one).
 */
#include "util/osdep.h"
#include "monitor/monitor-internal.h"
#include "hw/boards.h"
#include "sysemu/cpus.h"
#include "sysemu/runstate.h"

static JsonNode *qmp_query_status(JsonObject *args, GError **errp)
{
    JsonObject *info = json_object_new();

    json_object_set_boolean_member(info, "running", runstate_is_running());
    json_object_set_string_member(info, "status", runstate_name(runstate_get()));
    return qmp_node_take_object(info);
}

static JsonNode *qmp_stop(JsonObject *args, GError **errp)
{
    runstate_stop();
    return qmp_node_empty_object();
}

static JsonNode *qmp_cont(JsonObject *args, GError **errp)
{
    return runstate_cont(errp) ? qmp_node_empty_object() : NULL;
}

static JsonNode *qmp_system_reset(JsonObject *args, GError **errp)
{
    runstate_request_reset(SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
    return qmp_node_empty_object();
}

static JsonNode *qmp_system_powerdown(JsonObject *args, GError **errp)
{
    runstate_request_powerdown();
    return qmp_node_empty_object();
}

static JsonNode *qmp_query_cpus_fast(JsonObject *args, GError **errp)
{
    JsonArray *arr = json_array_new();
    unsigned threads = current_machine ? MAX(current_machine->smp_threads, 1) : 1;
    unsigned cores = current_machine ? MAX(current_machine->smp_cores, 1) : 1;

    for (unsigned i = 0; i < cpus_count; i++) {
        CPUState *cpu = cpus[i];
        JsonObject *info = json_object_new();
        JsonObject *props = json_object_new();
        g_autofree char *path = g_strdup_printf("/machine/unattached/device[%d]", cpu->index);

        json_object_set_int_member(props, "socket-id", cpu->index / (threads * cores));
        json_object_set_int_member(props, "core-id", (cpu->index / threads) % cores);
        json_object_set_int_member(props, "thread-id", cpu->index % threads);
        json_object_set_int_member(info, "cpu-index", cpu->index);
        json_object_set_string_member(info, "qom-path", path);
        json_object_set_int_member(info, "thread-id", cpu->thread_id);
        json_object_set_object_member(info, "props", props);
        json_object_set_string_member(info, "target", current_machine ? current_machine->mc->arch
                                                                      : "unknown");
        json_array_add_object_element(arr, info);
    }
    return qmp_node_take_array(arr);
}

static void qmp_add_machine(const MachineClass *mc, void *opaque)
{
    JsonObject *info = json_object_new();

    json_object_set_string_member(info, "name", mc->name);
    if (mc->is_default) {
        json_object_set_boolean_member(info, "is-default", true);
    }
    json_object_set_int_member(info, "cpu-max", mc->max_cpus);
    json_object_set_boolean_member(info, "hotpluggable-cpus", false);
    json_object_set_boolean_member(info, "numa-mem-supported", false);
    json_object_set_boolean_member(info, "deprecated", false);
    /* The boards with ACPI are the ones with an ACPI power button. */
    json_object_set_boolean_member(info, "acpi", mc->powerdown != NULL);
    json_array_add_object_element(opaque, info);
}

static JsonNode *qmp_query_machines(JsonObject *args, GError **errp)
{
    JsonArray *arr = json_array_new();

    machine_foreach(qmp_add_machine, arr);
    return qmp_node_take_array(arr);
}

static JsonNode *qmp_query_memory_size_summary(JsonObject *args, GError **errp)
{
    JsonObject *info = json_object_new();

    json_object_set_int_member(info, "base-memory", current_machine ? current_machine->ram_size
                                                                    : 0);
    return qmp_node_take_object(info);
}

static JsonNode *qmp_balloon(JsonObject *args, GError **errp)
{
    qmp_error_set(errp, QMP_ERROR_DEVICE_NOT_ACTIVE, "No balloon device has been activated");
    return NULL;
}

static const QmpArg qmp_balloon_args[] = {
    { "value", QMP_ARG_INT, false },
    { NULL },
};

static const QmpCommand qmp_machine_commands[] = {
    { "query-status", qmp_query_status, NULL },
    { "stop", qmp_stop, NULL },
    { "cont", qmp_cont, NULL },
    { "system_reset", qmp_system_reset, NULL },
    { "system_powerdown", qmp_system_powerdown, NULL },
    { "query-cpus-fast", qmp_query_cpus_fast, NULL },
    { "query-machines", qmp_query_machines, NULL },
    { "query-memory-size-summary", qmp_query_memory_size_summary, NULL },
    { "balloon", qmp_balloon, qmp_balloon_args },
    { "query-balloon", qmp_balloon, NULL },
};
qmp_commands_init(qmp_machine_commands)
