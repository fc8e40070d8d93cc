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

/* Frontends a multiplexed chardev (mon:stdio) can be shared by. */
#define CHARDEV_MUX_MAX 4

typedef enum ChardevEvent {
    CHR_EVENT_OPENED,  /* a client connected / backend ready */
    CHR_EVENT_CLOSED,  /* client went away */
    CHR_EVENT_BREAK,   /* serial break (Ctrl-a b) */
    CHR_EVENT_MUX_IN,  /* mux: this frontend now has the input focus */
    CHR_EVENT_MUX_OUT, /* mux: it lost the focus to another frontend */
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

/*
 * Attaches frontend FE with OPAQUE; FE NULL detaches the one attached with
 * OPAQUE. A plain chardev has one frontend at a time. A multiplexed one
 * (mon:stdio, stdio with mux=on) takes up to CHARDEV_MUX_MAX: input goes to
 * the focused one, which is the first attached until Ctrl-a c passes the
 * focus on; each hears MUX_IN/MUX_OUT as it gains or loses it.
 */
void chardev_set_frontend(Chardev *chr, const ChardevFrontend *fe, void *opaque);
/* True when no further frontend fits (a second device must not take it over). */
bool chardev_has_frontend(Chardev *chr);
/* True while at least one frontend is attached (query-chardev's frontend-open). */
bool chardev_is_used(Chardev *chr);
bool chardev_is_mux(Chardev *chr);
/*
 * Writes all of BUF unless the backend is gone (a closed socket drops data, as
 * a disconnected cable would). Returns bytes accepted.
 */
int chardev_write(Chardev *chr, const uint8_t *buf, int len);
/*
 * For frontends that must not wait on a slow reader (the monitor): takes
 * what fits now and returns the bytes taken (0: full for now), or -1 when
 * nothing is connected to read them.
 */
int chardev_write_nonblock(Chardev *chr, const uint8_t *buf, int len);
/* Calls FN(OPAQUE) once when output fits again; false if nothing is connected. */
bool chardev_wait_writable(Chardev *chr, void (*fn)(void *opaque), void *opaque);
/* Ends the current client connection (sockets); the server waits for the next. */
void chardev_disconnect(Chardev *chr);
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
 * "Ctrl-a a" sends Ctrl-a, "Ctrl-a b" sends a break, "Ctrl-a c" switches
 * between the console and the human monitor multiplexed with it. Active for
 * -nographic and mon:stdio; plain "-serial stdio" passes every byte through.
 */

#endif
