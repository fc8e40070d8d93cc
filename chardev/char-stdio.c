/*
 * The stdio backend: the guest's console on the terminal Kestrel runs in.
 *
 * When stdin is a terminal it is put in raw mode (no echo, no line editing,
 * no output post-processing, so the guest's bytes reach the screen as sent)
 * and restored at exit. ISIG stays on with signal=on, so Ctrl-C stops
 * Kestrel; it defaults to off when the Ctrl-a escapes are active (mux=on, as
 * with -nographic and mon:stdio), so Ctrl-C reaches the guest. When stdin is
 * not a terminal it is simply read; its end of file ends input, not the run.
 */
#include "util/osdep.h"
#include <fcntl.h>
#include <termios.h>
#include "chardev/char-internal.h"
#include "sysemu/runstate.h"

#define STDIO_ESCAPE_CHAR 0x01   /* Ctrl-a */

typedef struct StdioChardev {
    Chardev parent;              /* parent.mux: Ctrl-a escapes active */
    bool allow_signal;           /* keep ISIG: Ctrl-C, Ctrl-\, Ctrl-Z act on Kestrel */
    bool escape_pending;         /* the previous byte was Ctrl-a */
    ChardevReader reader;
} StdioChardev;

/* The terminal is one resource: only one stdio chardev at a time. */
static StdioChardev *stdio_chr;
static struct termios stdio_saved_termios;
static bool stdio_termios_changed;

static bool stdio_chr_parse(Chardev *chr, Keyval *kv, GError **errp)
{
    StdioChardev *s = container_of(chr, StdioChardev, parent);

    return keyval_get_bool(kv, "mux", false, &chr->mux, errp) &&
           keyval_get_bool(kv, "signal", !chr->mux, &s->allow_signal, errp);
}

/* Messages Kestrel prints itself while the terminal is raw need their own \r. */
static const char *stdio_eol(void)
{
    return stdio_termios_changed ? "\r\n" : "\n";
}

static void stdio_print_help(void)
{
    static const char help[] =
        "\r\n"
        "C-a h    show this help\r\n"
        "C-a x    quit Kestrel\r\n"
        "C-a b    send a serial break (magic SysRq on Linux)\r\n"
        "C-a c    switch between console and monitor\r\n"
        "C-a a    send C-a itself\r\n";

    chardev_fd_write_all(STDOUT_FILENO, (const uint8_t *)help, sizeof(help) - 1, false);
}

static void stdio_escape(StdioChardev *s, uint8_t c)
{
    static const uint8_t escape_char = STDIO_ESCAPE_CHAR;

    switch (c) {
    case 'a':
    case STDIO_ESCAPE_CHAR:
        chardev_be_read(&s->parent, &escape_char, 1);
        break;
    case 'x':
        fprintf(stderr, "%skestrel: terminated by Ctrl-a x%s", stdio_eol(), stdio_eol());
        runstate_request_shutdown(SHUTDOWN_CAUSE_HOST_UI);
        break;
    case 'h':
    case '?':
        stdio_print_help();
        break;
    case 'b':
        chardev_be_event(&s->parent, CHR_EVENT_BREAK);
        break;
    case 'c':
        if (!chardev_mux_switch_focus(&s->parent)) {
            fprintf(stderr, "%skestrel: no monitor to switch to%s", stdio_eol(), stdio_eol());
        }
        break;
    default:
        /* An unknown escape is swallowed, Ctrl-a included. */
        break;
    }
}

void chardev_stdio_input(Chardev *chr, const uint8_t *buf, int len)
{
    StdioChardev *s = container_of(chr, StdioChardev, parent);
    int start = 0;

    if (!chr->mux) {
        chardev_be_read(chr, buf, len);
        return;
    }
    for (int i = 0; i < len; i++) {
        if (s->escape_pending) {
            s->escape_pending = false;
            stdio_escape(s, buf[i]);
            start = i + 1;
        } else if (buf[i] == STDIO_ESCAPE_CHAR) {
            chardev_be_read(chr, buf + start, i - start);
            s->escape_pending = true;
            start = i + 1;
        }
    }
    chardev_be_read(chr, buf + start, len - start);
}

static void stdio_set_raw(StdioChardev *s)
{
    struct termios tty;

    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &stdio_saved_termios) < 0) {
        return;
    }
    tty = stdio_saved_termios;
    tty.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    tty.c_oflag &= ~OPOST;
    tty.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN);
    if (!s->allow_signal) {
        tty.c_lflag &= ~ISIG;
    }
    tty.c_cflag &= ~(CSIZE | PARENB);
    tty.c_cflag |= CS8;
    tty.c_cc[VMIN] = 1;
    tty.c_cc[VTIME] = 0;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &tty) == 0) {
        stdio_termios_changed = true;
    }
}

static bool stdio_chr_open(Chardev *chr, GError **errp)
{
    StdioChardev *s = container_of(chr, StdioChardev, parent);
    static bool atexit_registered;

    if (stdio_chr) {
        error_setg(errp, "stdio: the terminal is already used by chardev '%s'",
                   stdio_chr->parent.id);
        return false;
    }
    stdio_chr = s;
    if (!atexit_registered) {
        atexit(chardev_cleanup_all);
        atexit_registered = true;
    }
    stdio_set_raw(s);
    chr->filename = g_strdup("stdio");
    chr->be_open = true;
    chardev_reader_init(&s->reader, chr, STDIN_FILENO, chardev_stdio_input, NULL);
    /* Started with stdin closed (<&-): there is nothing to read, only to write. */
    if (fcntl(STDIN_FILENO, F_GETFD) >= 0) {
        chardev_reader_start(&s->reader);
    }
    return true;
}

static int stdio_chr_write(Chardev *chr, const uint8_t *buf, int len)
{
    return chardev_fd_write_all(STDOUT_FILENO, buf, len, false);
}

static void stdio_chr_accept_input(Chardev *chr)
{
    StdioChardev *s = container_of(chr, StdioChardev, parent);

    chardev_reader_update(&s->reader);
}

static void stdio_chr_cleanup(Chardev *chr)
{
    if (stdio_termios_changed) {
        tcsetattr(STDIN_FILENO, TCSANOW, &stdio_saved_termios);
    }
}

static void stdio_chr_finalize(Chardev *chr)
{
    StdioChardev *s = container_of(chr, StdioChardev, parent);

    chardev_reader_stop(&s->reader);
    if (stdio_chr == s) {
        stdio_chr_cleanup(chr);
        stdio_termios_changed = false;
        stdio_chr = NULL;
    }
}

const ChardevBackend chardev_backend_stdio = {
    .name = "stdio",
    .instance_size = sizeof(StdioChardev),
    .parse = stdio_chr_parse,
    .open = stdio_chr_open,
    .write = stdio_chr_write,
    .accept_input = stdio_chr_accept_input,
    .cleanup = stdio_chr_cleanup,
    .finalize = stdio_chr_finalize,
};
chardev_backend_init(chardev_backend_stdio)
