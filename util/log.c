/*
 * Debug logging behind -d (a mask of categories) and -D (the output file).
 *
 * vCPU threads log concurrently and often build one line from several
 * log_printf() calls (a register dump, a disassembly line). Each thread keeps
 * its unfinished line in a private buffer and hands only complete lines to the
 * stream, under one lock, so lines from different threads never interleave.
 */
#include "util/osdep.h"
#include "util/log.h"

typedef struct LogCategory {
    int mask;
    const char *name;
    const char *help;
} LogCategory;

static const LogCategory log_categories[] = {
    { LOG_GUEST_ERROR, "guest_errors", "the guest did something the hardware would reject" },
    { LOG_UNIMP, "unimp", "the guest used a feature Kestrel does not implement" },
    { LOG_INT, "int", "interrupts, exceptions and exits, with register dumps" },
    { LOG_EXEC, "exec", "execution trace (vCPU exits, translated blocks run)" },
    { LOG_IN_ASM, "in_asm", "TCG: guest code being translated" },
    { LOG_OP, "op", "TCG: intermediate code before optimization" },
    { LOG_OP_OPT, "op_opt", "TCG: intermediate code after optimization" },
    { LOG_OUT_ASM, "out_asm", "TCG: host code generated" },
    { LOG_CPU, "cpu", "TCG: CPU state before each translated block" },
    { LOG_NOCHAIN, "nochain", "TCG: do not chain translated blocks together" },
};

int log_mask;

/* Guards log_stream and serializes writes to it. */
static GMutex log_lock;
/* NULL means stderr; otherwise the -D file, owned here. */
static FILE *log_stream;

static void log_partial_free(gpointer data);
/* This thread's unfinished line (a GString), or NULL when there is none. */
static GPrivate log_partial = G_PRIVATE_INIT(log_partial_free);

static FILE *log_stream_locked(void)
{
    return log_stream ? log_stream : stderr;
}

/* At thread exit: an unfinished line is still worth seeing. */
static void log_partial_free(gpointer data)
{
    GString *partial = data;

    g_mutex_lock(&log_lock);
    fputs(partial->str, log_stream_locked());
    g_mutex_unlock(&log_lock);
    g_string_free(partial, TRUE);
}

bool log_set_mask_str(const char *str, GError **errp)
{
    g_auto(GStrv) names = g_strsplit(str, ",", -1);
    int mask = 0;

    if (!names[0]) {
        error_setg(errp, "no log category given (use -d help for a list)");
        return false;
    }
    for (char **p = names; *p; p++) {
        size_t i;

        if (!strcmp(*p, "all")) {
            for (i = 0; i < ARRAY_SIZE(log_categories); i++) {
                mask |= log_categories[i].mask;
            }
            continue;
        }
        for (i = 0; i < ARRAY_SIZE(log_categories); i++) {
            if (!strcmp(*p, log_categories[i].name)) {
                mask |= log_categories[i].mask;
                break;
            }
        }
        if (i == ARRAY_SIZE(log_categories)) {
            error_setg(errp, "unknown log category '%s' (use -d help for a list)", *p);
            return false;
        }
    }
    log_mask = mask;
    return true;
}

void log_print_help(FILE *f)
{
    fprintf(f, "Log categories (-d item1,item2,...):\n");
    for (size_t i = 0; i < ARRAY_SIZE(log_categories); i++) {
        fprintf(f, "%-13s %s\n", log_categories[i].name, log_categories[i].help);
    }
    fprintf(f, "%-13s %s\n", "all", "every category above");
}

bool log_set_file(const char *path, GError **errp)
{
    /* Truncated, as QEMU does: the file holds this run's log. */
    FILE *f = fopen(path, "w");

    if (!f) {
        error_setg_errno(errp, errno, "cannot open log file '%s'", path);
        return false;
    }
    /* Line buffered so a crash or a reader tailing the file sees whole lines. */
    setvbuf(f, NULL, _IOLBF, 0);

    g_mutex_lock(&log_lock);
    FILE *old = log_stream;
    log_stream = f;
    g_mutex_unlock(&log_lock);

    if (old) {
        fclose(old);
    }
    return true;
}

void log_printf(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);

    GString *partial = g_private_get(&log_partial);
    const char *last_nl = strrchr(msg, '\n');

    if (!last_nl) {
        if (!partial) {
            partial = g_string_new(NULL);
            g_private_set(&log_partial, partial);
        }
        g_string_append(partial, msg);
        return;
    }

    g_mutex_lock(&log_lock);
    FILE *f = log_stream_locked();
    if (partial) {
        fputs(partial->str, f);
    }
    fwrite(msg, 1, last_nl + 1 - msg, f);
    g_mutex_unlock(&log_lock);

    /* Keep what follows the last newline for this thread's next call. */
    if (last_nl[1]) {
        if (!partial) {
            partial = g_string_new(NULL);
            g_private_set(&log_partial, partial);
        }
        g_string_assign(partial, last_nl + 1);
    } else if (partial) {
        g_private_set(&log_partial, NULL);
        g_string_free(partial, TRUE);
    }
}

void log_flush(void)
{
    GString *partial = g_private_get(&log_partial);

    g_mutex_lock(&log_lock);
    if (partial) {
        fputs(partial->str, log_stream_locked());
    }
    fflush(log_stream_locked());
    g_mutex_unlock(&log_lock);

    if (partial) {
        g_private_set(&log_partial, NULL);
        g_string_free(partial, TRUE);
    }
}

FILE *log_file(void)
{
    g_mutex_lock(&log_lock);
    FILE *f = log_stream_locked();
    g_mutex_unlock(&log_lock);
    return f;
}
