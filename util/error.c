/*
 * User-facing error reporting: error_report()/warn_report()/info_report() print one
 * "progname: message" line on stderr, and error_setg() builds the GErrors that carry
 * failures from where they are found up to main() or the monitor.
 */
#include "util/osdep.h"

const char *kestrel_progname = "kestrel";

GQuark kestrel_error_quark(void)
{
    return g_quark_from_static_string("kestrel-error-quark");
}

/* One fprintf per line so concurrent reporters do not interleave within a line. */
static void report_vprintf(const char *prefix, const char *fmt, va_list ap)
{
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);

    fprintf(stderr, "%s: %s%s\n", kestrel_progname, prefix, msg);
}

void error_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report_vprintf("", fmt, ap);
    va_end(ap);
}

void warn_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report_vprintf("warning: ", fmt, ap);
    va_end(ap);
}

void info_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report_vprintf("", fmt, ap);
    va_end(ap);
}

void error_setg(GError **errp, const char *fmt, ...)
{
    va_list ap;

    if (!errp) {
        return;
    }
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error_literal(errp, KESTREL_ERROR, 0, msg);
}

void error_setg_errno(GError **errp, int err, const char *fmt, ...)
{
    va_list ap;

    if (!errp) {
        return;
    }
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(errp, KESTREL_ERROR, 0, "%s: %s", msg, g_strerror(err));
}
