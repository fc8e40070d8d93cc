/*
 * Character devices: byte streams between a guest device (the frontend: a
 * UART, a virtio console, the monitor) and a host backend (stdio, file, pipe,
 * pty, socket, null).
 *
 * Backends are created from -chardev BACKEND,id=ID,... or from the short forms
 * of -serial (stdio, file:PATH, pipe:PATH, pty, null, none, unix:PATH,server,
 * tcp:HOST:PORT,server, chardev:ID, mon:stdio). Input arrives on the main loop
 * and is handed to the frontend with the global lock held; output is written
 * by the frontend (usually a vCPU thread, with the lock held).
 */
#ifndef CHARDEV_CHAR_H
#define CHARDEV_CHAR_H

#include "util/osdep.h"

typedef struct Chardev Chardev;

typedef enum ChardevEvent {
    CHR_EVENT_OPENED,  /* a client connected / backend ready */
    CHR_EVENT_CLOSED,  /* client went away */
    CHR_EVENT_BREAK,   /* serial break (Ctrl-a b) */
} ChardevEvent;

typedef struct ChardevFrontend {
    /* How many bytes the frontend can take now (0: stop reading for now). */
    int (*can_read)(void *opaque);
    void (*read)(void *opaque, const uint8_t *buf, int len);
    void (*event)(void *opaque, ChardevEvent event);
} ChardevFrontend;

/* Parse a -chardev option string and create the backend. */
Chardev *chardev_new_from_opts(const char *optstr, GError **errp);
/*
 * Parse a -serial/-monitor style argument. Returns NULL with no error for
 * "none". ID names the new chardev ("serial0").
 */
Chardev *chardev_new_from_legacy(const char *arg, const char *id, GError **errp);
Chardev *chardev_find(const char *id);
const char *chardev_id(Chardev *chr);
/* "stdio", "file", "pty", ... and the path a pty got, for query/info. */
const char *chardev_backend_name(Chardev *chr);
const char *chardev_filename(Chardev *chr);
void chardev_foreach(void (*fn)(Chardev *chr, void *opaque), void *opaque);

/* Attaches a frontend; only one at a time. Passing NULL detaches. */
void chardev_set_frontend(Chardev *chr, const ChardevFrontend *fe, void *opaque);
/* True while a frontend is attached (a second device must not take it over). */
bool chardev_has_frontend(Chardev *chr);
/*
 * Writes all of BUF unless the backend is gone (a closed socket drops data, as
 * a disconnected cable would). Returns bytes accepted.
 */
int chardev_write(Chardev *chr, const uint8_t *buf, int len);
/* The frontend calls this when can_read may have become non-zero again. */
void chardev_accept_input(Chardev *chr);

/*
 * Restores the terminal (stdio raw mode) and removes socket files. Safe to
 * call more than once and from a fatal signal handler's exit path; registered
 * with atexit() by the stdio backend.
 */
void chardev_cleanup_all(void);

/*
 * Ctrl-a escapes on stdio: "Ctrl-a x" requests exit, "Ctrl-a h" prints help,
 * "Ctrl-a a" sends Ctrl-a, "Ctrl-a b" sends a break, "Ctrl-a c" switches to
 * the monitor when one is multiplexed (later). Active for -nographic and
 * mon:stdio; plain "-serial stdio" passes every byte through.
 */

#endif
