/*
 * Private interface of the monitor: the QMP input splitter (qmp-stream.c),
 * the QMP session with its command registry and error classes
 * (qmp-server.c), events (qmp-events.c), the human monitor's command
 * execution (hmp.c, hmp-commands.c) and what the endpoints (monitor.c) offer
 * the rest. Only monitor/ sources, the unit tests and the fuzz target
 * include this.
 */
#ifndef MONITOR_MONITOR_INTERNAL_H
#define MONITOR_MONITOR_INTERNAL_H

#include <json-glib/json-glib.h>
#include "monitor/monitor.h"

/* ---- QMP input: one JSON text at a time out of a byte stream ---- */

/* A client sending more than this in one message is dropped. */
#define QMP_MAX_MESSAGE     (1024 * 1024)
/* Deeper nesting of objects and arrays is refused the same way. */
#define QMP_MAX_NESTING     1024

/*
 * Called with each complete top-level JSON text (MESSAGE, NUL-terminated),
 * or with ERR after a lexical error (a control character or a byte that is
 * never valid in JSON): the partial text was discarded and reading goes on.
 */
typedef void (*QmpStreamHandler)(void *opaque, const char *message, size_t len, GError *err);

typedef struct QmpStream {
    GString *buf;          /* the text of the value being read */
    int depth;             /* of objects and arrays */
    char quote;            /* inside a string: its quote character, else 0 */
    bool escape;           /* previous byte was a backslash inside a string */
    QmpStreamHandler handler;
    void *opaque;
} QmpStream;

void qmp_stream_init(QmpStream *st, QmpStreamHandler handler, void *opaque);
/*
 * Splits BUF into JSON texts for the handler. False (with ERRP) when a
 * message exceeds QMP_MAX_MESSAGE or QMP_MAX_NESTING: the stream is reset and
 * the caller should drop the client, whose next bytes cannot be trusted.
 */
bool qmp_stream_feed(QmpStream *st, const uint8_t *buf, size_t len, GError **errp);
/* Forgets a partial message (client gone). */
void qmp_stream_reset(QmpStream *st);
void qmp_stream_finalize(QmpStream *st);

/* ---- QMP errors: GError codes in QMP_ERROR, other domains are GenericError ---- */

typedef enum QmpErrorClass {
    QMP_ERROR_GENERIC,
    QMP_ERROR_COMMAND_NOT_FOUND,
    QMP_ERROR_DEVICE_NOT_ACTIVE,
    QMP_ERROR_DEVICE_NOT_FOUND,
} QmpErrorClass;

#define QMP_ERROR qmp_error_quark()
GQuark qmp_error_quark(void);
void qmp_error_set(GError **errp, QmpErrorClass cls, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* "GenericError", "CommandNotFound", ... */
const char *qmp_error_class_name(const GError *err);

/* ---- QMP commands ---- */

typedef enum QmpArgType {
    QMP_ARG_STRING,
    QMP_ARG_INT,
    QMP_ARG_BOOL,
    QMP_ARG_NUMBER,
    QMP_ARG_ARRAY,
    QMP_ARG_OBJECT,
} QmpArgType;

typedef struct QmpArg {
    const char *name;
    QmpArgType type;
    bool optional;
} QmpArg;

/*
 * ARGS has been checked against the command's argument list (names, types,
 * required ones present). Returns the "return" value, or NULL with ERRP set.
 */
typedef JsonNode *(*QmpCommandFunc)(JsonObject *args, GError **errp);

typedef struct QmpCommand {
    const char *name;
    QmpCommandFunc fn;
    const QmpArg *args;      /* NULL-name terminated; NULL: takes no arguments */
} QmpCommand;

void qmp_register_commands(const QmpCommand *cmds, size_t n);
/* Registers a file's QmpCommand array at program start. */
#define qmp_commands_init(table) \
    static void __attribute__((constructor)) qmp_commands_init_##table(void) \
    { \
        qmp_register_commands(table, ARRAY_SIZE(table)); \
    }
const QmpCommand *qmp_find_command(const char *name);
/* Every registered command (qmp_capabilities included), sorted by name; free the array only. */
GPtrArray *qmp_command_list(void);

/* Helpers for building replies. */
JsonNode *qmp_node_take_object(JsonObject *obj);
JsonNode *qmp_node_take_array(JsonArray *arr);
JsonNode *qmp_node_empty_object(void);
/* {"qemu": {"major", "minor", "micro"}, "package"}: Kestrel's own version. */
JsonObject *qmp_version_object(void);
/* The text of NODE as one line (or indented when PRETTY), without a newline. */
char *qmp_node_to_string(JsonNode *node, bool pretty);

/* ---- QMP session: the protocol on one connection ---- */

typedef struct QmpSession {
    QmpStream stream;
    bool negotiated;         /* qmp_capabilities done: commands run, events flow */
    bool pretty;
    /* One JSON text to send, newline included. */
    void (*send)(void *opaque, const char *text, size_t len);
    /* The input broke a limit: the error was sent, now close the connection. */
    void (*drop)(void *opaque);
    void *opaque;
} QmpSession;

void qmp_session_init(QmpSession *s, bool pretty,
                      void (*send)(void *opaque, const char *text, size_t len),
                      void (*drop)(void *opaque), void *opaque);
/* A new client: forget the old one's state and send the greeting. */
void qmp_session_start(QmpSession *s);
void qmp_session_feed(QmpSession *s, const uint8_t *buf, size_t len);
/* Sends EVENT if the client has negotiated capabilities. */
void qmp_session_send_event(QmpSession *s, JsonNode *event);
void qmp_session_finalize(QmpSession *s);

/* ---- QMP events (qmp-events.c) ---- */

/* Reports the machine's lifecycle events to QMP clients (idempotent). */
void qmp_events_init(void);

/* ---- human monitor (hmp.c, hmp-commands.c) ---- */

typedef struct HmpContext {
    GString *out;            /* what commands print, "\n" line ends */
    int cpu_index;           /* the CPU "info registers" and "x" use */
    char x_format;           /* x/xp defaults: last format and unit size */
    int x_size;
} HmpContext;

void hmp_context_init(HmpContext *ctx);
void hmp_printf(HmpContext *ctx, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Runs one command line; its output (and errors) go to ctx->out. */
void hmp_execute(HmpContext *ctx, const char *line);

typedef struct HmpCommand {
    const char *name;         /* "info", "x", "quit|q": aliases after '|' */
    const char *params;       /* usage after the name, for help */
    const char *help;
    void (*fn)(HmpContext *ctx, const char *args);
} HmpCommand;

/* The command tables (hmp-commands.c), NULL-name terminated. */
extern const HmpCommand hmp_commands[];
extern const HmpCommand hmp_info_commands[];
/* "help [COMMAND]" and "info" without a subcommand. */
void hmp_print_help(HmpContext *ctx, const HmpCommand *table, const char *prefix,
                    const char *name);
const HmpCommand *hmp_find_command(const HmpCommand *table, const char *name);

/* The interactive side of a human monitor: line editing and the prompt. */
typedef struct HmpReadline HmpReadline;
HmpReadline *hmp_readline_new(void (*write)(void *opaque, const char *text, size_t len),
                              void *opaque);
/* A client arrived (or the monitor got the focus for the first time): banner and prompt. */
void hmp_readline_greet(HmpReadline *rl);
void hmp_readline_show_prompt(HmpReadline *rl);
/* Forgets the line being typed. */
void hmp_readline_reset(HmpReadline *rl);
void hmp_readline_input(HmpReadline *rl, const uint8_t *buf, size_t len);

/* ---- endpoints (monitor.c) ---- */

/* Sends EVENT to every QMP client that negotiated capabilities. */
void monitor_qmp_broadcast(JsonNode *event);

#endif
