/*
 * Unit tests of the character devices: every backend moving bytes both ways
 * through real fds (files, FIFOs, sockets, a pty, stdio redirected to pipes),
 * connection events, flow control, the -serial short forms and option errors.
 */
#include "util/osdep.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include "chardev/char-internal.h"
#include "sysemu/runstate.h"

/* Ctrl-a x asks the run state to shut down; record it instead. */
static ShutdownCause shutdown_cause;

void runstate_request_shutdown(ShutdownCause cause)
{
    shutdown_cause = cause;
}

typedef struct TestFrontend {
    GByteArray *in;
    int room;              /* what can_read answers */
    bool consume;          /* room shrinks by what was read, like a FIFO */
    int opened, closed, breaks;
    int focus_in, focus_out;   /* mux focus gained / lost */
} TestFrontend;

static int test_fe_can_read(void *opaque)
{
    TestFrontend *t = opaque;

    return t->room;
}

static void test_fe_read(void *opaque, const uint8_t *buf, int len)
{
    TestFrontend *t = opaque;

    g_assert_cmpint(len, <=, t->room);
    g_byte_array_append(t->in, buf, len);
    if (t->consume) {
        t->room -= len;
    }
}

static void test_fe_event(void *opaque, ChardevEvent event)
{
    TestFrontend *t = opaque;

    switch (event) {
    case CHR_EVENT_OPENED:
        t->opened++;
        break;
    case CHR_EVENT_CLOSED:
        t->closed++;
        break;
    case CHR_EVENT_BREAK:
        t->breaks++;
        break;
    case CHR_EVENT_MUX_IN:
        t->focus_in++;
        break;
    case CHR_EVENT_MUX_OUT:
        t->focus_out++;
        break;
    }
}

static const ChardevFrontend test_fe_ops = {
    .can_read = test_fe_can_read,
    .read = test_fe_read,
    .event = test_fe_event,
};

static void test_fe_attach(TestFrontend *t, Chardev *chr)
{
    *t = (TestFrontend) { .in = g_byte_array_new(), .room = 4096 };
    chardev_set_frontend(chr, &test_fe_ops, t);
}

static void test_fe_detach(TestFrontend *t, Chardev *chr)
{
    chardev_set_frontend(chr, NULL, t);
    g_byte_array_free(t->in, TRUE);
}

static bool test_fe_has(TestFrontend *t, const char *s)
{
    return t->in->len == strlen(s) && !memcmp(t->in->data, s, t->in->len);
}

/* Runs the main loop until COND holds; fails the test after 5 s. */
#define WAIT_FOR(cond) \
    do { \
        gint64 deadline_ = g_get_monotonic_time() + 5 * G_USEC_PER_SEC; \
        while (!(cond)) { \
            g_assert_cmpint(g_get_monotonic_time(), <, deadline_); \
            if (!g_main_context_iteration(NULL, FALSE)) { \
                g_usleep(1000); \
            } \
        } \
    } while (0)

/* Runs the main loop for a while, for checks that something does NOT happen. */
static void spin_main_loop(void)
{
    for (int i = 0; i < 50; i++) {
        while (g_main_context_iteration(NULL, FALSE)) {
        }
        g_usleep(1000);
    }
}

/* Reads exactly LEN bytes from a (possibly non-blocking) fd, or fails after 5 s. */
static void read_exact(int fd, char *buf, size_t len)
{
    size_t done = 0;

    while (done < len) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        ssize_t n;

        g_assert_cmpint(poll(&pfd, 1, 5000), ==, 1);
        n = read(fd, buf + done, len - done);
        if (n < 0 && errno == EAGAIN) {
            continue;
        }
        g_assert_cmpint(n, >, 0);
        done += n;
    }
}

static void write_str(int fd, const char *s)
{
    g_assert_cmpint(write(fd, s, strlen(s)), ==, (ssize_t)strlen(s));
}

static int chr_write_str(Chardev *chr, const char *s)
{
    return chardev_write(chr, (const uint8_t *)s, strlen(s));
}

static Chardev *new_chr(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static Chardev *new_chr(const char *fmt, ...)
{
    g_autofree char *opts = NULL;
    GError *err = NULL;
    Chardev *chr;
    va_list ap;

    va_start(ap, fmt);
    opts = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    chr = chardev_new_from_opts(opts, &err);
    g_assert_no_error(err);
    g_assert_nonnull(chr);
    return chr;
}

/* Expects creation from OPTS to fail with an error containing WHAT. */
static void expect_error(const char *opts, const char *what)
{
    GError *err = NULL;

    g_assert_null(chardev_new_from_opts(opts, &err));
    g_assert_nonnull(err);
    if (!strstr(err->message, what)) {
        g_error("'%s': error '%s' does not mention '%s'", opts, err->message, what);
    }
    g_error_free(err);
}

static char *tmpdir;

static char *tmp_path(const char *name)
{
    return g_build_filename(tmpdir, name, NULL);
}

static void test_backends_registered(void)
{
    g_assert(chardev_backend_lookup("null") == &chardev_backend_null);
    g_assert(chardev_backend_lookup("stdio") == &chardev_backend_stdio);
    g_assert(chardev_backend_lookup("file") == &chardev_backend_file);
    g_assert(chardev_backend_lookup("pipe") == &chardev_backend_pipe);
    g_assert(chardev_backend_lookup("pty") == &chardev_backend_pty);
    g_assert(chardev_backend_lookup("socket") == &chardev_backend_socket);
    g_assert_null(chardev_backend_lookup("serial"));
}

static void count_chardev(Chardev *chr, void *opaque)
{
    (*(int *)opaque)++;
}

static void test_null(void)
{
    Chardev *chr = new_chr("null,id=n0");
    TestFrontend fe;
    int count = 0;

    g_assert(chardev_find("n0") == chr);
    g_assert_cmpstr(chardev_id(chr), ==, "n0");
    g_assert_cmpstr(chardev_backend_name(chr), ==, "null");
    g_assert_false(chardev_has_frontend(chr));
    test_fe_attach(&fe, chr);
    g_assert_true(chardev_has_frontend(chr));
    g_assert_cmpint(fe.opened, ==, 1);
    g_assert_cmpint(chr_write_str(chr, "gone"), ==, 4);
    chardev_foreach(count_chardev, &count);
    g_assert_cmpint(count, ==, 1);
    test_fe_detach(&fe, chr);
    chardev_destroy(chr);
    g_assert_null(chardev_find("n0"));
}

static void test_file(void)
{
    g_autofree char *path = tmp_path("out.txt");
    g_autofree char *contents = NULL;
    Chardev *chr;

    chr = new_chr("file,id=f0,path=%s", path);
    g_assert_cmpstr(chardev_filename(chr), ==, path);
    g_assert_cmpint(chr_write_str(chr, "hello "), ==, 6);
    g_assert_cmpint(chr_write_str(chr, "world\n"), ==, 6);
    chardev_destroy(chr);
    g_assert_true(g_file_get_contents(path, &contents, NULL, NULL));
    g_assert_cmpstr(contents, ==, "hello world\n");
    g_clear_pointer(&contents, g_free);

    chr = new_chr("file,id=f0,path=%s,append=on", path);
    chr_write_str(chr, "more\n");
    chardev_destroy(chr);
    g_assert_true(g_file_get_contents(path, &contents, NULL, NULL));
    g_assert_cmpstr(contents, ==, "hello world\nmore\n");
    g_clear_pointer(&contents, g_free);

    /* Without append the file starts over. */
    chr = new_chr("file,id=f0,path=%s", path);
    chr_write_str(chr, "new\n");
    chardev_destroy(chr);
    g_assert_true(g_file_get_contents(path, &contents, NULL, NULL));
    g_assert_cmpstr(contents, ==, "new\n");
    unlink(path);

    expect_error("file,id=f1", "path");
    expect_error("file,id=f1,path=/nonexistent-dir/x", "/nonexistent-dir/x");
    expect_error("file,id=f1,path=x,append=maybe", "append");
}

static void test_pipe(void)
{
    g_autofree char *base = tmp_path("fifo");
    g_autofree char *in = g_strdup_printf("%s.in", base);
    g_autofree char *out = g_strdup_printf("%s.out", base);
    int in_fd, out_fd;
    TestFrontend fe;
    Chardev *chr;
    char buf[16];

    g_assert_cmpint(mkfifo(in, 0600), ==, 0);
    g_assert_cmpint(mkfifo(out, 0600), ==, 0);
    chr = new_chr("pipe,id=p0,path=%s", base);
    test_fe_attach(&fe, chr);
    /* The chardev holds both FIFOs open, so these do not block. */
    in_fd = open(in, O_WRONLY);
    out_fd = open(out, O_RDONLY | O_NONBLOCK);
    g_assert_cmpint(in_fd, >=, 0);
    g_assert_cmpint(out_fd, >=, 0);

    write_str(in_fd, "to guest");
    WAIT_FOR(fe.in->len == 8);
    g_assert_true(test_fe_has(&fe, "to guest"));
    g_assert_cmpint(chr_write_str(chr, "to host"), ==, 7);
    read_exact(out_fd, buf, 7);
    g_assert_cmpmem(buf, 7, "to host", 7);

    /* A writer going away is no end of input: the next one is heard too. */
    close(in_fd);
    in_fd = open(in, O_WRONLY);
    write_str(in_fd, "!");
    WAIT_FOR(fe.in->len == 9);

    test_fe_detach(&fe, chr);
    chardev_destroy(chr);
    close(in_fd);
    close(out_fd);
    unlink(in);
    unlink(out);

    /* One FIFO for both directions when PATH.in/PATH.out do not exist. */
    g_assert_cmpint(mkfifo(base, 0600), ==, 0);
    chr = new_chr("pipe,id=p0,path=%s", base);
    g_assert_cmpint(chr_write_str(chr, "x"), ==, 1);
    chardev_destroy(chr);
    unlink(base);

    expect_error("pipe,id=p1,path=/nonexistent-dir/p", "/nonexistent-dir/p");
}

/* The frontend's can_read bounds every read; at 0 the fd is left alone. */
static void test_flow_control(void)
{
    g_autofree char *base = tmp_path("flow");
    TestFrontend fe;
    Chardev *chr;
    int fd;

    g_assert_cmpint(mkfifo(base, 0600), ==, 0);
    chr = new_chr("pipe,id=p0,path=%s", base);
    test_fe_attach(&fe, chr);
    fe.room = 3;
    fe.consume = true;
    fd = open(base, O_WRONLY);
    write_str(fd, "abcdefgh");
    WAIT_FOR(fe.in->len == 3);
    /* Full: the rest waits in the FIFO until the frontend says so. */
    spin_main_loop();
    g_assert_cmpint(fe.in->len, ==, 3);
    fe.room = 2;
    chardev_accept_input(chr);
    WAIT_FOR(fe.in->len == 5);
    spin_main_loop();
    g_assert_cmpint(fe.in->len, ==, 5);
    fe.room = 100;
    chardev_accept_input(chr);
    WAIT_FOR(fe.in->len == 8);
    g_assert_true(test_fe_has(&fe, "abcdefgh"));

    test_fe_detach(&fe, chr);
    chardev_destroy(chr);
    close(fd);
    unlink(base);
}

static int unix_connect(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    g_assert_cmpint(fd, >=, 0);
    g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void test_socket_unix_server(void)
{
    g_autofree char *path = tmp_path("sock");
    g_autofree char *name = NULL;
    TestFrontend fe;
    Chardev *chr;
    int c1, c2;
    char buf[16];

    chr = new_chr("socket,id=s0,path=%s,server=on,wait=off", path);
    name = g_strdup_printf("unix:%s,server=on", path);
    g_assert_cmpstr(chardev_filename(chr), ==, name);
    test_fe_attach(&fe, chr);
    g_assert_cmpint(fe.opened, ==, 0);
    /* Nobody connected: output is dropped. */
    g_assert_cmpint(chr_write_str(chr, "lost"), ==, 0);

    c1 = unix_connect(path);
    g_assert_cmpint(c1, >=, 0);
    WAIT_FOR(fe.opened == 1);
    write_str(c1, "hi guest");
    WAIT_FOR(fe.in->len == 8);
    g_assert_true(test_fe_has(&fe, "hi guest"));
    g_assert_cmpint(chr_write_str(chr, "hi host"), ==, 7);
    read_exact(c1, buf, 7);
    g_assert_cmpmem(buf, 7, "hi host", 7);

    /* A second client waits in the backlog while the first is served. */
    c2 = unix_connect(path);
    g_assert_cmpint(c2, >=, 0);
    write_str(c2, "second");
    spin_main_loop();
    g_assert_cmpint(fe.opened, ==, 1);
    g_assert_cmpint(fe.in->len, ==, 8);

    close(c1);
    WAIT_FOR(fe.closed == 1);
    WAIT_FOR(fe.opened == 2);
    WAIT_FOR(fe.in->len == 14);
    g_assert_cmpmem(fe.in->data + 8, 6, "second", 6);
    g_assert_cmpint(chr_write_str(chr, "to c2"), ==, 5);
    read_exact(c2, buf, 5);
    g_assert_cmpmem(buf, 5, "to c2", 5);
    close(c2);
    WAIT_FOR(fe.closed == 2);
    g_assert_cmpint(chr_write_str(chr, "dropped"), ==, 0);

    /* Reconnecting works any number of times. */
    c1 = unix_connect(path);
    WAIT_FOR(fe.opened == 3);
    close(c1);
    WAIT_FOR(fe.closed == 3);

    test_fe_detach(&fe, chr);
    chardev_destroy(chr);
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
}

/* A client whose peer vanished: writes are dropped, never SIGPIPE. */
static void test_socket_client(void)
{
    g_autofree char *path = tmp_path("listen");
    g_autofree char *opts = NULL;
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int lfd = socket(AF_UNIX, SOCK_STREAM, 0), cfd;
    TestFrontend fe;
    Chardev *chr;
    char buf[8];

    g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
    g_assert_cmpint(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    g_assert_cmpint(listen(lfd, 1), ==, 0);

    chr = new_chr("socket,id=c0,path=%s", path);
    test_fe_attach(&fe, chr);
    g_assert_cmpint(fe.opened, ==, 1);
    cfd = accept(lfd, NULL, NULL);
    g_assert_cmpint(cfd, >=, 0);
    g_assert_cmpint(chr_write_str(chr, "ping"), ==, 4);
    read_exact(cfd, buf, 4);
    g_assert_cmpmem(buf, 4, "ping", 4);
    write_str(cfd, "pong");
    WAIT_FOR(test_fe_has(&fe, "pong"));
    close(cfd);
    WAIT_FOR(fe.closed == 1);
    g_assert_cmpint(chr_write_str(chr, "nobody"), ==, 0);
    test_fe_detach(&fe, chr);
    chardev_destroy(chr);
    /* A client never removes the server's socket file. */
    g_assert_true(g_file_test(path, G_FILE_TEST_EXISTS));
    close(lfd);
    unlink(path);

    opts = g_strdup_printf("socket,id=c1,path=%s", path);
    expect_error(opts, "cannot connect");
}

static void test_socket_tcp(void)
{
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    const char *port;
    TestFrontend fe;
    Chardev *chr;
    int fd;
    char buf[8];

    chr = new_chr("socket,id=t0,host=127.0.0.1,port=0,server=on,wait=off");
    g_assert_true(g_str_has_prefix(chardev_filename(chr), "tcp:127.0.0.1:"));
    g_assert_true(g_str_has_suffix(chardev_filename(chr), ",server=on"));
    port = chardev_filename(chr) + strlen("tcp:127.0.0.1:");
    sa.sin_port = htons(atoi(port));
    test_fe_attach(&fe, chr);

    fd = socket(AF_INET, SOCK_STREAM, 0);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    WAIT_FOR(fe.opened == 1);
    write_str(fd, "tcp in");
    WAIT_FOR(test_fe_has(&fe, "tcp in"));
    chr_write_str(chr, "tcp out");
    read_exact(fd, buf, 7);
    g_assert_cmpmem(buf, 7, "tcp out", 7);
    close(fd);
    WAIT_FOR(fe.closed == 1);
    test_fe_detach(&fe, chr);
    chardev_destroy(chr);
}

static gpointer connect_thread(gpointer path)
{
    int fd;

    while ((fd = unix_connect(path)) < 0) {
        g_usleep(10000);
    }
    return GINT_TO_POINTER(fd);
}

/* wait=on: creation returns only once a client is there. */
static void test_socket_wait(void)
{
    g_autofree char *path = tmp_path("waitsock");
    GThread *thread = g_thread_new("client", connect_thread, path);
    Chardev *chr = new_chr("socket,id=w0,path=%s,server=on", path);
    int fd = GPOINTER_TO_INT(g_thread_join(thread));
    TestFrontend fe;

    test_fe_attach(&fe, chr);
    g_assert_cmpint(fe.opened, ==, 1);
    close(fd);
    WAIT_FOR(fe.closed == 1);
    test_fe_detach(&fe, chr);
    chardev_destroy(chr);
}

static void test_socket_errors(void)
{
    expect_error("socket,id=e0", "needs 'path'");
    expect_error("socket,id=e0,path=/tmp/x,port=5", "not both");
    expect_error("socket,id=e0,path=/tmp/x,wait=off", "wait");
    expect_error("socket,id=e0,host=127.0.0.1,port=1", "cannot connect");
    expect_error("socket,id=e0,host=127.0.0.1,port=no-such-service,server=on", "resolve");
    expect_error("socket,id=e0,path=/nonexistent-dir/s,server=on,wait=off", "bind");
    expect_error("socket,id=e0,path=/tmp/x,server=on,telnet=on", "telnet");
}

static void test_pty(void)
{
    Chardev *chr = new_chr("pty,id=pty0");
    const char *name = chardev_filename(chr);
    TestFrontend fe;
    int fd;
    char buf[8];

    g_assert_true(g_str_has_prefix(name, "/dev/pts/"));
    test_fe_attach(&fe, chr);
    /*
     * Nobody has the slave open: the kernel keeps what fits for a later
     * reader, the rest is dropped, and the guest never waits.
     */
    g_assert_cmpint(chr_write_str(chr, "early"), ==, 5);
    for (int i = 0; i < 100000 && chr_write_str(chr, "0123456789") > 0; i++) {
    }
    g_assert_cmpint(chr_write_str(chr, "0123456789"), ==, 0);
    g_assert_cmpint(fe.opened, ==, 0);

    fd = open(name, O_RDWR | O_NOCTTY | O_NONBLOCK);
    g_assert_cmpint(fd, >=, 0);
    read_exact(fd, buf, 5);
    g_assert_cmpmem(buf, 5, "early", 5);
    /* Discard the filler until the line stays quiet. */
    for (struct pollfd pfd = { .fd = fd, .events = POLLIN }; poll(&pfd, 1, 200) == 1;) {
        g_assert_cmpint(read(fd, buf, sizeof(buf)), >, 0);
    }
    /* A write notices the new connection and sends bytes unmodified (raw). */
    g_assert_cmpint(chr_write_str(chr, "a\nb\r"), ==, 4);
    g_assert_cmpint(fe.opened, ==, 1);
    read_exact(fd, buf, 4);
    g_assert_cmpmem(buf, 4, "a\nb\r", 4);
    write_str(fd, "k\x03\n");
    WAIT_FOR(fe.in->len == 3);
    g_assert_true(test_fe_has(&fe, "k\x03\n"));
    close(fd);
    WAIT_FOR(fe.closed == 1);

    /* The periodic check notices a new user without any guest output. */
    fd = open(name, O_RDWR | O_NOCTTY);
    WAIT_FOR(fe.opened == 2);
    write_str(fd, "z");
    WAIT_FOR(fe.in->len == 4);
    close(fd);
    WAIT_FOR(fe.closed == 2);

    test_fe_detach(&fe, chr);
    chardev_destroy(chr);
}

static void test_option_errors(void)
{
    Chardev *chr = new_chr("null,id=dup");

    expect_error("null,id=dup", "duplicate");
    expect_error("nosuch,id=x", "nosuch");
    expect_error("null", "'id'");
    expect_error("id=x", "backend");
    expect_error("null,id=x,foo=bar", "foo");
    expect_error("null,id=9bad", "9bad");
    expect_error("stdio,id=x,mux=perhaps", "mux");
    chardev_destroy(chr);
}

static Chardev *legacy(const char *arg, const char *id)
{
    GError *err = NULL;
    Chardev *chr = chardev_new_from_legacy(arg, id, &err);

    g_assert_no_error(err);
    return chr;
}

static void expect_legacy_error_id(const char *arg, const char *id, const char *what)
{
    GError *err = NULL;

    g_assert_null(chardev_new_from_legacy(arg, id, &err));
    g_assert_nonnull(err);
    if (!strstr(err->message, what)) {
        g_error("'%s': error '%s' does not mention '%s'", arg, err->message, what);
    }
    g_error_free(err);
}

static void expect_legacy_error(const char *arg, const char *what)
{
    expect_legacy_error_id(arg, "serial9", what);
}

static void test_legacy(void)
{
    g_autofree char *file = tmp_path("legacy,out");
    g_autofree char *arg = g_strdup_printf("file:%s", file);
    g_autofree char *sock = tmp_path("legacy-sock");
    g_autofree char *old_style = g_strdup_printf("unix:%s,server,nowait", sock);
    g_autofree char *contents = NULL;
    Chardev *chr, *chr2;

    g_assert_null(legacy("none", "serial0"));

    chr = legacy("null", "serial0");
    g_assert_cmpstr(chardev_backend_name(chr), ==, "null");
    g_assert_cmpstr(chardev_id(chr), ==, "serial0");
    g_assert(legacy("chardev:serial0", "serial1") == chr);
    chardev_destroy(chr);

    /* A comma in the path is no option separator. */
    chr = legacy(arg, "serial0");
    g_assert_cmpstr(chardev_backend_name(chr), ==, "file");
    chr_write_str(chr, "legacy");
    chardev_destroy(chr);
    g_assert_true(g_file_get_contents(file, &contents, NULL, NULL));
    g_assert_cmpstr(contents, ==, "legacy");
    unlink(file);

    chr = legacy(old_style, "serial0");
    g_assert_cmpstr(chardev_backend_name(chr), ==, "socket");
    g_assert_true(g_file_test(sock, G_FILE_TEST_EXISTS));
    chardev_destroy(chr);
    g_clear_pointer(&old_style, g_free);
    old_style = g_strdup_printf("unix:%s,server=on,wait=off", sock);
    chr = legacy(old_style, "serial0");
    chardev_destroy(chr);

    chr = legacy("tcp:127.0.0.1:0,server,nowait", "serial0");
    g_assert_true(g_str_has_prefix(chardev_filename(chr), "tcp:127.0.0.1:"));
    chr2 = legacy("tcp::0,server=on,wait=off", "serial1");
    chardev_destroy(chr2);
    chardev_destroy(chr);

    chr = legacy("pty", "serial0");
    g_assert_cmpstr(chardev_backend_name(chr), ==, "pty");
    expect_legacy_error_id("null", "serial0", "duplicate");
    chardev_destroy(chr);

    expect_legacy_error("chardev:nosuch", "nosuch");
    expect_legacy_error("bogus", "bogus");
    expect_legacy_error("/dev/ttyS0", "/dev/ttyS0");
    expect_legacy_error("vc:80Cx24C", "'vc'");
    expect_legacy_error("mon:pty", "mon:");
    expect_legacy_error("tcp:4444", "HOST:PORT");
    expect_legacy_error("unix:", "path");
    expect_legacy_error("unix:/tmp/x,server,bogus", "bogus");
    expect_legacy_error("pipe:/nonexistent-dir/p", "/nonexistent-dir/p");
}

/* Redirects fds 0, 1 and 2 to pipes for a stdio test; undone by stdio_unredirect. */
typedef struct StdioRedirect {
    int saved[3];
    int to_stdin;       /* write end feeding fd 0 */
    int from_stdout;    /* read end of fd 1 */
    int from_stderr;    /* read end of fd 2 */
} StdioRedirect;

static void stdio_redirect(StdioRedirect *r)
{
    int p[3][2];

    fflush(stdout);
    fflush(stderr);
    for (int i = 0; i < 3; i++) {
        g_assert_cmpint(pipe(p[i]), ==, 0);
        r->saved[i] = dup(i);
        dup2(i == 0 ? p[i][0] : p[i][1], i);
        close(i == 0 ? p[i][0] : p[i][1]);
    }
    r->to_stdin = p[0][1];
    r->from_stdout = p[1][0];
    r->from_stderr = p[2][0];
    fcntl(r->from_stdout, F_SETFL, O_NONBLOCK);
    fcntl(r->from_stderr, F_SETFL, O_NONBLOCK);
}

static void stdio_unredirect(StdioRedirect *r)
{
    fflush(stdout);
    fflush(stderr);
    for (int i = 0; i < 3; i++) {
        dup2(r->saved[i], i);
        close(r->saved[i]);
    }
    if (r->to_stdin >= 0) {
        close(r->to_stdin);
    }
    close(r->from_stdout);
    close(r->from_stderr);
}

/* Everything readable now from a non-blocking fd. */
static char *drain(int fd)
{
    GString *s = g_string_new(NULL);
    char buf[256];
    ssize_t n;

    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        g_string_append_len(s, buf, n);
    }
    return g_string_free(s, FALSE);
}

static void feed(Chardev *chr, const char *s)
{
    chardev_stdio_input(chr, (const uint8_t *)s, strlen(s));
}

static void test_stdio_mux(void)
{
    g_autofree char *out = NULL, *err_text = NULL;
    StdioRedirect r;
    TestFrontend fe;
    GError *err = NULL;
    Chardev *chr;

    stdio_redirect(&r);
    chr = new_chr("stdio,id=con,mux=on");
    test_fe_attach(&fe, chr);
    g_assert_null(chardev_new_from_opts("stdio,id=con2", &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err->message, "con"));
    g_clear_error(&err);

    feed(chr, "ab\x01" "a" "c\x01" "bd");
    g_assert_true(test_fe_has(&fe, "ab\x01" "cd"));
    g_assert_cmpint(fe.breaks, ==, 1);
    /* An escape split over two reads. */
    feed(chr, "\x01");
    feed(chr, "\x01" "e");
    g_assert_true(test_fe_has(&fe, "ab\x01" "cd\x01" "e"));
    /* Unknown escapes are swallowed; help and Ctrl-a c print. */
    feed(chr, "\x01" "z" "\x01" "h" "\x01" "c");
    g_assert_true(test_fe_has(&fe, "ab\x01" "cd\x01" "e"));
    g_assert_cmpint(shutdown_cause, ==, SHUTDOWN_CAUSE_NONE);
    feed(chr, "\x01" "x");
    g_assert_cmpint(shutdown_cause, ==, SHUTDOWN_CAUSE_HOST_UI);

    /* Through the real fd, and guest output unmodified on fd 1. */
    g_byte_array_set_size(fe.in, 0);
    write_str(r.to_stdin, "typed\x03\x01" "a");
    WAIT_FOR(fe.in->len == 7);
    g_assert_true(test_fe_has(&fe, "typed\x03\x01"));
    g_assert_cmpint(chr_write_str(chr, "guest\n"), ==, 6);

    /* End of input stops reading but leaves output working. */
    close(r.to_stdin);
    r.to_stdin = -1;
    spin_main_loop();
    g_assert_cmpint(chr_write_str(chr, "still\n"), ==, 6);

    test_fe_detach(&fe, chr);
    chardev_destroy(chr);
    fflush(stderr);
    out = drain(r.from_stdout);
    err_text = drain(r.from_stderr);
    stdio_unredirect(&r);

    g_assert_nonnull(strstr(out, "C-a x"));
    g_assert_nonnull(strstr(out, "\r\n"));
    g_assert_true(g_str_has_suffix(out, "guest\nstill\n"));
    g_assert_nonnull(strstr(err_text, "no monitor"));
    g_assert_nonnull(strstr(err_text, "kestrel: terminated by Ctrl-a x"));
    shutdown_cause = SHUTDOWN_CAUSE_NONE;
}

/*
 * Two frontends on one mux (the console and the human monitor): the first
 * keeps the focus, Ctrl-a c passes it on and back, input follows the focus,
 * output of both reaches stdout, and detaching the focused one hands the
 * focus to the other.
 */
static void test_stdio_mux_focus(void)
{
    StdioRedirect r;
    TestFrontend console, monitor;
    Chardev *chr;

    stdio_redirect(&r);
    chr = new_chr("stdio,id=con,mux=on");
    g_assert_true(chardev_is_mux(chr));
    test_fe_attach(&console, chr);
    g_assert_false(chardev_has_frontend(chr));
    test_fe_attach(&monitor, chr);
    g_assert_cmpint(console.focus_in, ==, 1);
    g_assert_cmpint(monitor.focus_in, ==, 0);
    g_assert_cmpint(monitor.opened, ==, 1);

    feed(chr, "ls\r");
    g_assert_true(test_fe_has(&console, "ls\r"));
    g_assert_cmpint(monitor.in->len, ==, 0);
    feed(chr, "\x01" "c" "info status\r");
    g_assert_cmpint(console.focus_out, ==, 1);
    g_assert_cmpint(monitor.focus_in, ==, 1);
    g_assert_true(test_fe_has(&monitor, "info status\r"));
    g_assert_true(test_fe_has(&console, "ls\r"));
    /* A break goes to whoever has the focus. */
    feed(chr, "\x01" "b" "\x01" "c" "x");
    g_assert_cmpint(monitor.breaks, ==, 1);
    g_assert_cmpint(console.breaks, ==, 0);
    g_assert_true(test_fe_has(&console, "ls\rx"));

    feed(chr, "\x01" "c");
    test_fe_detach(&monitor, chr);
    g_assert_cmpint(console.focus_in, ==, 3);
    feed(chr, "y");
    g_assert_true(test_fe_has(&console, "ls\rxy"));
    test_fe_detach(&console, chr);
    chardev_destroy(chr);
    stdio_unredirect(&r);
}

/* Without mux every byte, Ctrl-a included, goes to the guest. */
static void test_stdio_plain(void)
{
    StdioRedirect r;
    TestFrontend fe;
    Chardev *chr;

    stdio_redirect(&r);
    chr = new_chr("stdio,id=con");
    test_fe_attach(&fe, chr);
    feed(chr, "\x01" "x\x01" "h");
    g_assert_true(test_fe_has(&fe, "\x01" "x\x01" "h"));
    g_assert_cmpint(shutdown_cause, ==, SHUTDOWN_CAUSE_NONE);
    test_fe_detach(&fe, chr);
    chardev_destroy(chr);
    stdio_unredirect(&r);
}

int main(int argc, char **argv)
{
    GError *err = NULL;
    int ret;

    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("kestrel-chardev-XXXXXX", &err);
    g_assert_no_error(err);

    g_test_add_func("/chardev/backends-registered", test_backends_registered);
    g_test_add_func("/chardev/null", test_null);
    g_test_add_func("/chardev/file", test_file);
    g_test_add_func("/chardev/pipe", test_pipe);
    g_test_add_func("/chardev/flow-control", test_flow_control);
    g_test_add_func("/chardev/socket/unix-server", test_socket_unix_server);
    g_test_add_func("/chardev/socket/client", test_socket_client);
    g_test_add_func("/chardev/socket/tcp", test_socket_tcp);
    g_test_add_func("/chardev/socket/wait", test_socket_wait);
    g_test_add_func("/chardev/socket/errors", test_socket_errors);
    g_test_add_func("/chardev/pty", test_pty);
    g_test_add_func("/chardev/option-errors", test_option_errors);
    g_test_add_func("/chardev/legacy", test_legacy);
    g_test_add_func("/chardev/stdio/mux", test_stdio_mux);
    g_test_add_func("/chardev/stdio/mux-focus", test_stdio_mux_focus);
    g_test_add_func("/chardev/stdio/plain", test_stdio_plain);
    ret = g_test_run();

    rmdir(tmpdir);
    g_free(tmpdir);
    return ret;
}
