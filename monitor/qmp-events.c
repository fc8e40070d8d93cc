/*
 * QMP events: turns the machine's lifecycle changes, reported by the run
 * state's event hooks on the main thread, into QMP event messages
 * {"event", "data", "timestamp": {"seconds", "microseconds"}} (wall-clock
 * time when they happened) and hands them to every QMP client in command
 * mode: STOP, RESUME and POWERDOWN without data; RESET and SHUTDOWN with
 * {"guest": whether the guest caused it, "reason": the cause's QMP name}.
 */
#include "util/osdep.h"
#include "monitor/monitor-internal.h"
#include "sysemu/runstate.h"

static void qmp_event_emit(const char *name, JsonObject *data)
{
    JsonObject *ev = json_object_new();
    JsonObject *ts = json_object_new();
    gint64 now = g_get_real_time();
    JsonNode *node;

    json_object_set_string_member(ev, "event", name);
    if (data) {
        json_object_set_object_member(ev, "data", data);
    }
    json_object_set_int_member(ts, "seconds", now / G_USEC_PER_SEC);
    json_object_set_int_member(ts, "microseconds", now % G_USEC_PER_SEC);
    json_object_set_object_member(ev, "timestamp", ts);
    node = qmp_node_take_object(ev);
    monitor_qmp_broadcast(node);
    json_node_unref(node);
}

static JsonObject *qmp_event_cause(ShutdownCause cause)
{
    JsonObject *data = json_object_new();

    json_object_set_boolean_member(data, "guest", shutdown_cause_is_guest(cause));
    json_object_set_string_member(data, "reason", shutdown_cause_name(cause));
    return data;
}

static void qmp_event_runstate(RunStateEvent event, ShutdownCause cause, void *opaque)
{
    switch (event) {
    case RUNSTATE_EVENT_STOP:
        qmp_event_emit("STOP", NULL);
        break;
    case RUNSTATE_EVENT_RESUME:
        qmp_event_emit("RESUME", NULL);
        break;
    case RUNSTATE_EVENT_RESET:
        qmp_event_emit("RESET", qmp_event_cause(cause));
        break;
    case RUNSTATE_EVENT_SHUTDOWN:
        qmp_event_emit("SHUTDOWN", qmp_event_cause(cause));
        break;
    case RUNSTATE_EVENT_POWERDOWN:
        qmp_event_emit("POWERDOWN", NULL);
        break;
    }
}

void qmp_events_init(void)
{
    static bool done;

    if (!done) {
        runstate_add_event_hook(qmp_event_runstate, NULL);
        done = true;
    }
}
