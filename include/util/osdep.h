/*
 * Common includes and small helpers every Kestrel source file starts with.
 */
#ifndef UTIL_OSDEP_H
#define UTIL_OSDEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <glib.h>

#include "config-host.h"

#ifndef container_of
#define container_of(ptr, type, member) \
    ((type *)((char *)(ptr) - offsetof(type, member)))
#endif

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

#define ROUND_UP(n, d) (((n) + (d) - 1) & ~((__typeof__(n))(d) - 1))
#define ROUND_DOWN(n, d) ((n) & ~((__typeof__(n))(d) - 1))
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Every subsystem reports errors through GError in this domain. */
#define KESTREL_ERROR kestrel_error_quark()
GQuark kestrel_error_quark(void);

/* Program name used as the prefix of error_report() lines. */
extern const char *kestrel_progname;

/* "progname: message" on stderr (or the -D log file is NOT used: errors go to the user). */
void error_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void warn_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void info_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* Convenience: set *errp in KESTREL_ERROR domain (code 0). */
void error_setg(GError **errp, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Like error_setg, appending ": strerror(err)". */
void error_setg_errno(GError **errp, int err, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

#endif
