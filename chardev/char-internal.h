/*
 * Private interface of the character device subsystem: the Chardev object,
 * the backend table each backend file registers itself in, the helpers a
 * backend uses to talk to its frontend, and the shared fd reader/writer of
 * char-fd.c. Only the chardev sources and their unit tests include this.
 */
#ifndef CHARDEV_CHAR_INTERNAL_H
#define CHARDEV_CHAR_INTERNAL_H

#include "chardev/char.h"
#include "util/keyval.h"

typedef struct ChardevBackend {
    const char *name;             /* the -chardev backend word: "stdio", "file", ... */
    size_t instance_size;         /* the backend's struct, Chardev first */
    /* Sets what must not start zeroed (fds to -1) so finalize is always safe; may be NULL. */
    void (*init)(Chardev *chr);
    /* Reads the backend's own keys (the core has taken "backend" and "id"); may be NULL. */
    bool (*parse)(Chardev *chr, Keyval *kv, GError **errp);
    /* Acquires host resources; on failure (as after any failure) the core calls finalize. */
    bool (*open)(Chardev *chr, GError **errp);
    /* Returns the bytes handed to the host (dropped bytes are not counted). */
    int (*write)(Chardev *chr, const uint8_t *buf, int len);
    /*
     * Takes what fits now without waiting: bytes taken (0: full), or -1 when
     * nothing is connected to take output. NULL: write() is used, which
     * never waits for long (files, terminals, backends that drop output).
     */
    int (*write_nonblock)(Chardev *chr, const uint8_t *buf, int len);
    /* Calls FN(OPAQUE) once when output fits again; false if nothing is connected. */
    bool (*wait_writable)(Chardev *chr, void (*fn)(void *opaque), void *opaque);
    /* Ends the current connection (socket servers wait for the next client); may be NULL. */
    void (*disconnect)(Chardev *chr);
    /* The frontend may take input again (NULL for output-only backends). */
    void (*accept_input)(Chardev *chr);
    /*
     * Exit path: restore the terminal, remove files. Idempotent, no
     * allocation (it may run from a fatal signal handler). May be NULL.
     */
    void (*cleanup)(Chardev *chr);
    /* Releases fds, watches and the backend's allocations (not the Chardev); may be NULL. */
    void (*finalize)(Chardev *chr);
} ChardevBackend;

typedef struct ChardevFrontendSlot {
    const ChardevFrontend *fe;
    void *opaque;
} ChardevFrontendSlot;

struct Chardev {
    const ChardevBackend *be;
    char *id;
    char *filename;               /* set by the backend's open */
    bool mux;                     /* several frontends, input to the focused one */
    ChardevFrontendSlot fe[CHARDEV_MUX_MAX];  /* only fe[0] unless mux */
    int nfe;                      /* frontends attached */
    int focus;                    /* index of the frontend that gets input */
    bool be_open;                 /* connected (sockets, ptys) or simply ready */
};

/*
 * The backends. Each file registers its own from a constructor; they are
 * named here so that a program linking only what it uses (a unit test) can
 * pull a backend's file in by referring to it.
 */
extern const ChardevBackend chardev_backend_null;
extern const ChardevBackend chardev_backend_stdio;
extern const ChardevBackend chardev_backend_file;
extern const ChardevBackend chardev_backend_pipe;
extern const ChardevBackend chardev_backend_pty;
extern const ChardevBackend chardev_backend_socket;

void chardev_backend_register(const ChardevBackend *be);
const ChardevBackend *chardev_backend_lookup(const char *name);
/* Registers BE (a ChardevBackend variable) at program start, from its own file. */
#define chardev_backend_init(be) \
    static void __attribute__((constructor)) chardev_backend_init_##be(void) \
    { \
        chardev_backend_register(&(be)); \
    }

/* Backend to frontend; a missing frontend takes nothing and ignores events. */
int chardev_be_can_read(Chardev *chr);
void chardev_be_read(Chardev *chr, const uint8_t *buf, int len);
/*
 * OPENED/CLOSED also record be_open, so a frontend attached later hears
 * OPENED; they reach every frontend, BREAK only the focused one.
 */
void chardev_be_event(Chardev *chr, ChardevEvent event);
/* Mux: the next frontend gets the focus (MUX_OUT, then MUX_IN). False if there is no other. */
bool chardev_mux_switch_focus(Chardev *chr);

/* Closes the backend and forgets CHR (its id becomes free again). */
void chardev_destroy(Chardev *chr);

/*
 * Input from an fd on the default GMainContext, flow-controlled by the
 * frontend's can_read: the fd is watched only while the reader is active
 * and the frontend has room.
 */
typedef struct ChardevReader {
    Chardev *chr;
    int fd;
    bool active;        /* the backend wants input from fd */
    guint tag;          /* the fd watch, 0 when not watching */
    /* Hands over what was read; NULL: straight to the frontend. */
    void (*deliver)(Chardev *chr, const uint8_t *buf, int len);
    /* End of file or a read error; the reader is already inactive. NULL: just stop. */
    void (*eof)(Chardev *chr);
} ChardevReader;

void chardev_reader_init(ChardevReader *r, Chardev *chr, int fd,
                         void (*deliver)(Chardev *chr, const uint8_t *buf, int len),
                         void (*eof)(Chardev *chr));
void chardev_reader_start(ChardevReader *r);
void chardev_reader_stop(ChardevReader *r);
/* Resumes watching if active and the frontend has room again. */
void chardev_reader_update(ChardevReader *r);

/*
 * Writes all of BUF to FD, waiting in poll() when it is full; stops early
 * when the peer is gone or the write fails. Never raises SIGPIPE on sockets
 * (IS_SOCKET: send with MSG_NOSIGNAL). Returns the bytes written.
 */
int chardev_fd_write_all(int fd, const uint8_t *buf, int len, bool is_socket);
/* Sets O_NONBLOCK and FD_CLOEXEC on an fd the chardev owns. */
void chardev_fd_set_nonblock(int fd);

/* stdio: feed bytes typed by the user through the Ctrl-a escape handling. */
void chardev_stdio_input(Chardev *chr, const uint8_t *buf, int len);

#endif
