/*
 * Monitor endpoints: a monitor is a chardev frontend that speaks QMP (a
 * QmpSession) or the human monitor (an HmpReadline) to whoever is connected.
 * Output never waits for a slow client: it collects in a buffer that is
 * written as far as the chardev takes it and finished when the chardev says
 * it can take more; while more than MONITOR_OUT_HIGH is pending the monitor
 * reads no further input (flow control: a client that floods commands and
 * never reads replies stalls only itself), and a client with MONITOR_OUT_MAX
 * unread is dropped. On a multiplexed chardev a human monitor's output waits
 * while the console has the focus. New clients are greeted (QMP greeting,
 * monitor banner); a QMP client that breaks an input limit gets an error
 * and is disconnected.
 */
#include "util/osdep.h"
#include "monitor/monitor-internal.h"
#include "util/keyval.h"

/* Above this much unsent output the monitor stops reading input. */
#define MONITOR_OUT_HIGH    (64 * 1024)
/* A client that leaves this much unread is dropped. */
#define MONITOR_OUT_MAX     (16 * 1024 * 1024)
#define MONITOR_READ_CHUNK  4096

typedef struct Monitor {
    Chardev *chr;
    MonitorMode mode;
    GString *outbuf;
    bool out_waiting;       /* the chardev will call monitor_writable() */
    bool connected;         /* a client is there to talk to */
    bool visible;           /* has the focus (always, unless on a mux) */
    bool greeted;           /* human monitor: banner shown to this client */
    bool dropping;          /* the client is being disconnected */
    QmpSession qmp;
    HmpReadline *rl;
} Monitor;

static GPtrArray *monitors;

static void monitor_flush(Monitor *mon);

static void monitor_writable(void *opaque)
{
    Monitor *mon = opaque;

    mon->out_waiting = false;
    monitor_flush(mon);
    chardev_accept_input(mon->chr);
}

static void monitor_flush(Monitor *mon)
{
    while (mon->outbuf->len && mon->visible && !mon->out_waiting) {
        int n = chardev_write_nonblock(mon->chr, (const uint8_t *)mon->outbuf->str,
                                       (int)MIN(mon->outbuf->len, (gsize)G_MAXINT));

        if (n > 0) {
            g_string_erase(mon->outbuf, 0, n);
        } else if (n == 0 && chardev_wait_writable(mon->chr, monitor_writable, mon)) {
            mon->out_waiting = true;
        } else {
            g_string_truncate(mon->outbuf, 0);   /* nobody will read it */
        }
    }
}

/* Disconnecting from an idle callback: never from inside the chardev's own read. */
static gboolean monitor_drop_client(gpointer opaque)
{
    Monitor *mon = opaque;

    chardev_disconnect(mon->chr);
    mon->dropping = false;
    chardev_accept_input(mon->chr);
    return G_SOURCE_REMOVE;
}

static void monitor_drop(void *opaque)
{
    Monitor *mon = opaque;

    if (!mon->dropping) {
        mon->dropping = true;
        g_idle_add(monitor_drop_client, mon);
    }
}

static void monitor_write(void *opaque, const char *text, size_t len)
{
    Monitor *mon = opaque;

    if (!mon->connected || mon->dropping) {
        return;
    }
    g_string_append_len(mon->outbuf, text, len);
    if (mon->outbuf->len > MONITOR_OUT_MAX) {
        g_string_truncate(mon->outbuf, 0);
        monitor_drop(mon);
        return;
    }
    monitor_flush(mon);
}

static int monitor_can_read(void *opaque)
{
    Monitor *mon = opaque;

    if (mon->dropping || mon->outbuf->len > MONITOR_OUT_HIGH) {
        return 0;
    }
    return MONITOR_READ_CHUNK;
}

static void monitor_read(void *opaque, const uint8_t *buf, int len)
{
    Monitor *mon = opaque;

    if (mon->mode == MONITOR_MODE_CONTROL) {
        qmp_session_feed(&mon->qmp, buf, len);
    } else {
        hmp_readline_input(mon->rl, buf, len);
    }
}

/* A human monitor shows its banner the first time the client can see it. */
static void monitor_hmp_show(Monitor *mon)
{
    if (!mon->greeted) {
        mon->greeted = true;
        hmp_readline_greet(mon->rl);
    } else {
        hmp_readline_show_prompt(mon->rl);
    }
}

static void monitor_event(void *opaque, ChardevEvent event)
{
    Monitor *mon = opaque;

    switch (event) {
    case CHR_EVENT_OPENED:
        mon->connected = true;
        mon->greeted = false;
        g_string_truncate(mon->outbuf, 0);
        if (mon->mode == MONITOR_MODE_CONTROL) {
            qmp_session_start(&mon->qmp);
        } else {
            hmp_readline_reset(mon->rl);
            if (mon->visible) {
                monitor_hmp_show(mon);
            }
        }
        break;
    case CHR_EVENT_CLOSED:
        mon->connected = false;
        mon->out_waiting = false;
        g_string_truncate(mon->outbuf, 0);
        if (mon->mode == MONITOR_MODE_CONTROL) {
            qmp_stream_reset(&mon->qmp.stream);
        }
        break;
    case CHR_EVENT_MUX_IN:
        mon->visible = true;
        if (mon->mode == MONITOR_MODE_READLINE && mon->connected) {
            monitor_hmp_show(mon);
        }
        monitor_flush(mon);
        break;
    case CHR_EVENT_MUX_OUT:
        if (mon->mode == MONITOR_MODE_READLINE && mon->connected) {
            monitor_write(mon, "\r\n", 2);
        }
        mon->visible = false;
        break;
    case CHR_EVENT_BREAK:
        break;
    }
}

static const ChardevFrontend monitor_frontend = {
    .can_read = monitor_can_read,
    .read = monitor_read,
    .event = monitor_event,
};

bool monitor_new(Chardev *chr, MonitorMode mode, bool pretty, GError **errp)
{
    Monitor *mon;

    if (chardev_has_frontend(chr)) {
        error_setg(errp, "chardev '%s' is already in use", chardev_id(chr));
        return false;
    }
    mon = g_new0(Monitor, 1);
    mon->chr = chr;
    mon->mode = mode;
    mon->outbuf = g_string_new(NULL);
    /* On a mux the console keeps the focus: the monitor waits for Ctrl-a c. */
    mon->visible = !chardev_is_mux(chr);
    if (mode == MONITOR_MODE_CONTROL) {
        qmp_session_init(&mon->qmp, pretty, monitor_write, monitor_drop, mon);
        qmp_events_init();
    } else {
        mon->rl = hmp_readline_new(monitor_write, mon);
    }
    if (!monitors) {
        monitors = g_ptr_array_new();
    }
    g_ptr_array_add(monitors, mon);
    chardev_set_frontend(chr, &monitor_frontend, mon);
    return true;
}

bool monitor_new_from_opts(const char *optstr, GError **errp)
{
    g_autoptr(Keyval) kv = keyval_parse(optstr, "chardev", "-mon", errp);
    const char *id, *mode;
    MonitorMode m = MONITOR_MODE_READLINE;
    bool pretty = false;
    Chardev *chr;

    if (!kv || !keyval_get_bool(kv, "pretty", false, &pretty, errp)) {
        return false;
    }
    id = keyval_get(kv, "chardev");
    mode = keyval_get(kv, "mode");
    if (!keyval_check_all_used(kv, "-mon", errp)) {
        return false;
    }
    if (!id) {
        error_setg(errp, "-mon: parameter 'chardev' is missing");
        return false;
    }
    if (mode && !strcmp(mode, "control")) {
        m = MONITOR_MODE_CONTROL;
    } else if (mode && strcmp(mode, "readline")) {
        error_setg(errp, "-mon: mode '%s' is not 'control' or 'readline'", mode);
        return false;
    }
    chr = chardev_find(id);
    if (!chr) {
        error_setg(errp, "-mon: chardev '%s' not found", id);
        return false;
    }
    if (!monitor_new(chr, m, pretty, errp)) {
        g_prefix_error(errp, "-mon: ");
        return false;
    }
    return true;
}

void monitor_qmp_broadcast(JsonNode *event)
{
    for (guint i = 0; monitors && i < monitors->len; i++) {
        Monitor *mon = g_ptr_array_index(monitors, i);

        if (mon->mode == MONITOR_MODE_CONTROL && mon->connected) {
            qmp_session_send_event(&mon->qmp, event);
        }
    }
}

void monitor_flush_all(void)
{
    for (guint i = 0; monitors && i < monitors->len; i++) {
        monitor_flush(g_ptr_array_index(monitors, i));
    }
}
