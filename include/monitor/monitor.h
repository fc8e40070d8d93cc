/*
 * The monitors: QMP (the JSON protocol management tools speak, "control"
 * mode) and the human monitor ("readline" mode), each on a character device.
 *
 * One monitor serves one chardev; a socket chardev serves one client at a
 * time, so several clients at once means several monitors (-qmp twice, or
 * several -chardev socket + -mon). A QMP monitor greets each new client and
 * sends it the machine's lifecycle events (STOP, RESUME, RESET, SHUTDOWN,
 * POWERDOWN) once it has negotiated capabilities. A human monitor on a
 * multiplexed chardev (mon:stdio) shares the terminal with the serial console;
 * Ctrl-a c switches between them.
 *
 * Everything here runs on the main thread with the BQL held.
 */
#ifndef MONITOR_MONITOR_H
#define MONITOR_MONITOR_H

#include "util/osdep.h"
#include "chardev/char.h"

typedef enum MonitorMode {
    MONITOR_MODE_CONTROL,    /* QMP */
    MONITOR_MODE_READLINE,   /* human monitor */
} MonitorMode;

/*
 * Creates a monitor on CHR. PRETTY (QMP only) indents replies. Fails if CHR
 * already has a frontend it cannot share.
 */
bool monitor_new(Chardev *chr, MonitorMode mode, bool pretty, GError **errp);
/* -mon chardev=ID[,mode=control|readline][,pretty=on|off] (mode defaults to readline). */
bool monitor_new_from_opts(const char *optstr, GError **errp);
/* Hands what every monitor still has to send to its chardev, without waiting (exit path). */
void monitor_flush_all(void);

#endif
