/*
 * The human monitor: running a command line against the tables of
 * hmp-commands.c (the command name ends at whitespace or '/', as in
 * "x/4xw 0"; aliases are listed as "quit|q"), help texts, and the
 * interactive side a terminal or socket client sees: the banner, the
 * "(kestrel) " prompt and a small line editor (echo, backspace, Ctrl-U,
 * history with the up and down arrows; other escape sequences are ignored).
 * Commands print with "\n"; what goes to the client gets "\r\n", as a raw
 * terminal needs. QMP's human-monitor-command uses hmp_execute() directly.
 */
#include "util/osdep.h"
#include "monitor/monitor-internal.h"

#define HMP_PROMPT          "(kestrel) "
#define HMP_LINE_MAX        4096
#define HMP_HISTORY_MAX     64

void hmp_context_init(HmpContext *ctx)
{
    *ctx = (HmpContext){ .out = g_string_new(NULL), .x_format = 'x', .x_size = 4 };
}

void hmp_printf(HmpContext *ctx, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_string_append_vprintf(ctx->out, fmt, ap);
    va_end(ap);
}

/* Does NAME equal one of the '|'-separated names of PATTERN? */
static bool hmp_name_matches(const char *pattern, const char *name, size_t len)
{
    const char *p = pattern;

    for (;;) {
        size_t n = strcspn(p, "|");

        if (n == len && !strncmp(p, name, len)) {
            return true;
        }
        if (!p[n]) {
            return false;
        }
        p += n + 1;
    }
}

const HmpCommand *hmp_find_command(const HmpCommand *table, const char *name)
{
    for (const HmpCommand *c = table; c->name; c++) {
        if (hmp_name_matches(c->name, name, strlen(name))) {
            return c;
        }
    }
    return NULL;
}

void hmp_print_help(HmpContext *ctx, const HmpCommand *table, const char *prefix,
                    const char *name)
{
    bool found = false;

    for (const HmpCommand *c = table; c->name; c++) {
        if (name && !hmp_name_matches(c->name, name, strlen(name))) {
            continue;
        }
        hmp_printf(ctx, "%s%s%s%s -- %s\n", prefix, c->name, c->params[0] ? " " : "",
                   c->params, c->help);
        found = true;
    }
    if (name && !found) {
        hmp_printf(ctx, "unknown command: '%s%s'\n", prefix, name);
    }
}

void hmp_execute(HmpContext *ctx, const char *line)
{
    g_autofree char *text = g_strstrip(g_strdup(line));
    g_autofree char *name = NULL;
    const HmpCommand *cmd;
    const char *args;
    size_t len = strcspn(text, " \t\r\n/");

    if (!len) {
        return;
    }
    name = g_strndup(text, len);
    for (args = text + len; g_ascii_isspace(*args); args++) {
    }
    cmd = hmp_find_command(hmp_commands, name);
    if (!cmd) {
        hmp_printf(ctx, "unknown command: '%s'\n", name);
        return;
    }
    cmd->fn(ctx, args);
}

/* ---- the interactive side ---- */

typedef enum HmpEscape {
    HMP_ESC_NONE,
    HMP_ESC_START,      /* got ESC */
    HMP_ESC_CSI,        /* got ESC [ or ESC O: parameters until a final byte */
} HmpEscape;

struct HmpReadline {
    HmpContext ctx;
    GString *line;
    GPtrArray *history;         /* of char *, oldest first */
    int hist_pos;               /* entry being shown, history->len: the new line */
    HmpEscape esc;
    bool last_was_cr;           /* swallow the LF of a CR LF */
    void (*write)(void *opaque, const char *text, size_t len);
    void *opaque;
};

static void hmp_rl_puts(HmpReadline *rl, const char *text)
{
    rl->write(rl->opaque, text, strlen(text));
}

HmpReadline *hmp_readline_new(void (*write)(void *opaque, const char *text, size_t len),
                              void *opaque)
{
    HmpReadline *rl = g_new0(HmpReadline, 1);

    hmp_context_init(&rl->ctx);
    rl->line = g_string_new(NULL);
    rl->history = g_ptr_array_new_with_free_func(g_free);
    rl->write = write;
    rl->opaque = opaque;
    return rl;
}

void hmp_readline_reset(HmpReadline *rl)
{
    g_string_truncate(rl->line, 0);
    rl->hist_pos = rl->history->len;
    rl->esc = HMP_ESC_NONE;
    rl->last_was_cr = false;
}

void hmp_readline_show_prompt(HmpReadline *rl)
{
    hmp_rl_puts(rl, HMP_PROMPT);
    hmp_rl_puts(rl, rl->line->str);
}

void hmp_readline_greet(HmpReadline *rl)
{
    hmp_rl_puts(rl, "Kestrel " KESTREL_VERSION " monitor - type 'help' for more information\r\n");
    hmp_readline_show_prompt(rl);
}

/* Erases the line on the screen and puts TEXT there instead. */
static void hmp_rl_replace_line(HmpReadline *rl, const char *text)
{
    for (gsize i = 0; i < rl->line->len; i++) {
        hmp_rl_puts(rl, "\b \b");
    }
    g_string_assign(rl->line, text);
    hmp_rl_puts(rl, text);
}

static void hmp_rl_history_move(HmpReadline *rl, int delta)
{
    int pos = rl->hist_pos + delta;

    if (pos < 0 || pos > (int)rl->history->len) {
        return;
    }
    rl->hist_pos = pos;
    hmp_rl_replace_line(rl, pos < (int)rl->history->len ? g_ptr_array_index(rl->history, pos)
                                                        : "");
}

/* Sends the command's output with "\r\n" line ends. */
static void hmp_rl_flush_output(HmpReadline *rl)
{
    GString *out = rl->ctx.out;
    g_autoptr(GString) crlf = g_string_sized_new(out->len + 16);

    for (gsize i = 0; i < out->len; i++) {
        if (out->str[i] == '\n') {
            g_string_append_c(crlf, '\r');
        }
        g_string_append_c(crlf, out->str[i]);
    }
    g_string_truncate(out, 0);
    rl->write(rl->opaque, crlf->str, crlf->len);
}

static void hmp_rl_enter(HmpReadline *rl)
{
    g_autofree char *cmd = g_strdup(rl->line->str);

    hmp_rl_puts(rl, "\r\n");
    if (cmd[0] && (!rl->history->len ||
                   strcmp(g_ptr_array_index(rl->history, rl->history->len - 1), cmd))) {
        if (rl->history->len >= HMP_HISTORY_MAX) {
            g_ptr_array_remove_index(rl->history, 0);
        }
        g_ptr_array_add(rl->history, g_strdup(cmd));
    }
    g_string_truncate(rl->line, 0);
    rl->hist_pos = rl->history->len;
    hmp_execute(&rl->ctx, cmd);
    hmp_rl_flush_output(rl);
    hmp_readline_show_prompt(rl);
}

static void hmp_rl_escape(HmpReadline *rl, uint8_t c)
{
    if (rl->esc == HMP_ESC_START) {
        rl->esc = (c == '[' || c == 'O') ? HMP_ESC_CSI : HMP_ESC_NONE;
        return;
    }
    if ((c >= '0' && c <= '9') || c == ';') {
        return;
    }
    rl->esc = HMP_ESC_NONE;
    if (c == 'A') {
        hmp_rl_history_move(rl, -1);
    } else if (c == 'B') {
        hmp_rl_history_move(rl, 1);
    }
}

void hmp_readline_input(HmpReadline *rl, const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        uint8_t c = buf[i];
        bool after_cr = rl->last_was_cr;

        rl->last_was_cr = c == '\r';
        if (rl->esc != HMP_ESC_NONE) {
            hmp_rl_escape(rl, c);
        } else if (c == 0x1b) {
            rl->esc = HMP_ESC_START;
        } else if (c == '\r' || (c == '\n' && !after_cr)) {
            hmp_rl_enter(rl);
        } else if (c == 0x7f || c == '\b') {
            if (rl->line->len) {
                g_string_truncate(rl->line, rl->line->len - 1);
                hmp_rl_puts(rl, "\b \b");
            }
        } else if (c == 0x15) {             /* Ctrl-U */
            hmp_rl_replace_line(rl, "");
        } else if ((c >= 0x20 || c == '\t') && rl->line->len < HMP_LINE_MAX) {
            char ch[2] = { c == '\t' ? ' ' : (char)c, 0 };

            g_string_append_c(rl->line, ch[0]);
            hmp_rl_puts(rl, ch);
        }
    }
}
