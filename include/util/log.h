/*
 * -d / -D debug logging: a mask of enabled categories and one output stream.
 */
#ifndef UTIL_LOG_H
#define UTIL_LOG_H

#include "util/osdep.h"

enum {
    LOG_GUEST_ERROR = 1 << 0, /* the guest did something the hardware would reject */
    LOG_UNIMP       = 1 << 1, /* the guest used a feature Kestrel does not implement */
    LOG_INT         = 1 << 2, /* interrupts, exceptions, exits with register dumps */
    LOG_EXEC        = 1 << 3, /* execution trace (vCPU exits, translated blocks) */
    LOG_IN_ASM      = 1 << 4, /* TCG: guest code being translated */
    LOG_OP          = 1 << 5, /* TCG: IR before optimization */
    LOG_OP_OPT      = 1 << 6, /* TCG: IR after optimization */
    LOG_OUT_ASM     = 1 << 7, /* TCG: host code generated */
    LOG_CPU         = 1 << 8, /* TCG: CPU state before each block */
    LOG_NOCHAIN     = 1 << 9, /* TCG: do not chain translation blocks */
};

extern int log_mask;

static inline bool log_enabled(int mask)
{
    return (log_mask & mask) != 0;
}

/* Parse "guest_errors,int" (or "help" is handled by the caller via log_print_help). */
bool log_set_mask_str(const char *str, GError **errp);
void log_print_help(FILE *f);
/* Send log output to PATH instead of stderr. */
bool log_set_file(const char *path, GError **errp);
void log_printf(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void log_flush(void);
/* The stream log output goes to (stderr or the -D file). */
FILE *log_file(void);

#define log_mask_printf(mask, ...) \
    do { \
        if (log_enabled(mask)) { \
            log_printf(__VA_ARGS__); \
        } \
    } while (0)

#endif
