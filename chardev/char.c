/*
 * Character device core: the backend registry, the table of live chardevs
 * by id, -chardev option parsing, the -serial short forms (translated into
 * -chardev options), and the frontend attachment that backends deliver
 * input and events through, with the focus of a multiplexed chardev shared
 * by several frontends (the console and the human monitor on mon:stdio).
 */
#include "util/osdep.h"
#include <signal.h>
#include "chardev/char-internal.h"

static GPtrArray *chardev_backends;  /* const ChardevBackend *, registration order */
static GPtrArray *chardevs;          /* Chardev *, creation order */

void chardev_backend_register(const ChardevBackend *be)
{
    if (!chardev_backends) {
        chardev_backends = g_ptr_array_new();
    }
    g_ptr_array_add(chardev_backends, (gpointer)be);
}

const ChardevBackend *chardev_backend_lookup(const char *name)
{
    for (guint i = 0; chardev_backends && i < chardev_backends->len; i++) {
        const ChardevBackend *be = g_ptr_array_index(chardev_backends, i);

        if (!strcmp(be->name, name)) {
            return be;
        }
    }
    return NULL;
}

static gint chardev_compare_backend_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "file, null, pipe, ..." for error messages. */
static char *chardev_backend_names(void)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new();

    for (guint i = 0; chardev_backends && i < chardev_backends->len; i++) {
        const ChardevBackend *be = g_ptr_array_index(chardev_backends, i);

        g_ptr_array_add(names, (gpointer)be->name);
    }
    g_ptr_array_sort(names, chardev_compare_backend_names);
    g_ptr_array_add(names, NULL);
    return g_strjoinv(", ", (char **)names->pdata);
}

Chardev *chardev_find(const char *id)
{
    for (guint i = 0; chardevs && i < chardevs->len; i++) {
        Chardev *chr = g_ptr_array_index(chardevs, i);

        if (!strcmp(chr->id, id)) {
            return chr;
        }
    }
    return NULL;
}

static bool chardev_id_valid(const char *id)
{
    if (!g_ascii_isalpha(*id)) {
        return false;
    }
    for (const char *p = id; *p; p++) {
        if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_' && *p != '.') {
            return false;
        }
    }
    return true;
}

static void chardev_free(Chardev *chr)
{
    if (chr->be->finalize) {
        chr->be->finalize(chr);
    }
    g_free(chr->id);
    g_free(chr->filename);
    g_free(chr);
}

/* Creates a chardev from parsed options; OPTNAME prefixes the errors. */
static Chardev *chardev_new_from_keyval(Keyval *kv, const char *optname, GError **errp)
{
    const char *name = keyval_get(kv, "backend");
    const char *id = keyval_get(kv, "id");
    const ChardevBackend *be;
    Chardev *chr;

    if (!name) {
        error_setg(errp, "%s: backend type missing", optname);
        return NULL;
    }
    be = chardev_backend_lookup(name);
    if (!be) {
        g_autofree char *known = chardev_backend_names();

        error_setg(errp, "%s: unknown backend '%s' (known: %s)", optname, name, known);
        return NULL;
    }
    if (!id) {
        error_setg(errp, "%s: parameter 'id' is missing", optname);
        return NULL;
    }
    if (!chardev_id_valid(id)) {
        error_setg(errp, "%s: invalid id '%s' (a letter, then letters, digits, '-', '_', '.')",
                   optname, id);
        return NULL;
    }
    if (chardev_find(id)) {
        error_setg(errp, "%s: duplicate chardev id '%s'", optname, id);
        return NULL;
    }

    /*
     * A guest writing to a pipe or terminal whose reader went away must not
     * kill the process; sockets also use MSG_NOSIGNAL.
     */
    signal(SIGPIPE, SIG_IGN);

    chr = g_malloc0(be->instance_size);
    chr->be = be;
    chr->id = g_strdup(id);
    if (be->init) {
        be->init(chr);
    }
    if ((be->parse && !be->parse(chr, kv, errp)) || !keyval_check_all_used(kv, optname, errp) ||
        !be->open(chr, errp)) {
        chardev_free(chr);
        return NULL;
    }
    if (!chardevs) {
        chardevs = g_ptr_array_new();
    }
    g_ptr_array_add(chardevs, chr);
    return chr;
}

static Chardev *chardev_new_from_string(const char *optstr, const char *optname, GError **errp)
{
    g_autoptr(Keyval) kv = keyval_parse(optstr, "backend", optname, errp);

    return kv ? chardev_new_from_keyval(kv, optname, errp) : NULL;
}

Chardev *chardev_new_from_opts(const char *optstr, GError **errp)
{
    return chardev_new_from_string(optstr, "-chardev", errp);
}

/* Appends ",KEY=VALUE" with VALUE's commas doubled, as the option syntax wants. */
static void chardev_append_opt(GString *s, const char *key, const char *value)
{
    g_string_append_printf(s, ",%s=", key);
    for (const char *p = value; *p; p++) {
        if (*p == ',') {
            g_string_append_c(s, ',');
        }
        g_string_append_c(s, *p);
    }
}

/*
 * The flags after a unix:/tcp: address: "server,nowait" (old style) or
 * "server=on,wait=off". Bare words become KEY=on except "nowait".
 */
static void chardev_append_socket_flags(GString *s, const char *flags)
{
    g_auto(GStrv) words = g_strsplit(flags, ",", -1);

    for (char **w = words; *w; w++) {
        if (!**w) {
            continue;
        }
        if (!strcmp(*w, "nowait")) {
            g_string_append(s, ",wait=off");
        } else if (!strchr(*w, '=')) {
            g_string_append_printf(s, ",%s=on", *w);
        } else {
            g_string_append_printf(s, ",%s", *w);
        }
    }
}

/* "HOST:PORT" or "[V6HOST]:PORT"; an empty host means any/loopback. */
static bool chardev_append_tcp_address(GString *s, const char *addr, GError **errp)
{
    const char *colon = strrchr(addr, ':');
    g_autofree char *host = NULL;

    if (!colon || !colon[1]) {
        error_setg(errp, "tcp: expects HOST:PORT, got '%s'", addr);
        return false;
    }
    host = g_strndup(addr, colon - addr);
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        host[strlen(host) - 1] = '\0';
        memmove(host, host + 1, strlen(host));
    }
    if (*host) {
        chardev_append_opt(s, "host", host);
    }
    chardev_append_opt(s, "port", colon + 1);
    return true;
}

Chardev *chardev_new_from_legacy(const char *arg, const char *id, GError **errp)
{
    g_autoptr(GString) opts = g_string_new(NULL);

    if (!strcmp(arg, "none")) {
        return NULL;
    }
    if (g_str_has_prefix(arg, "chardev:")) {
        Chardev *chr = chardev_find(arg + strlen("chardev:"));

        if (!chr) {
            error_setg(errp, "no chardev with id '%s'", arg + strlen("chardev:"));
        }
        return chr;
    }

    if (!strcmp(arg, "stdio") || !strcmp(arg, "null") || !strcmp(arg, "pty")) {
        g_string_append(opts, arg);
        chardev_append_opt(opts, "id", id);
    } else if (!strcmp(arg, "mon:stdio")) {
        g_string_append(opts, "stdio");
        chardev_append_opt(opts, "id", id);
        g_string_append(opts, ",mux=on");
    } else if (g_str_has_prefix(arg, "file:") || g_str_has_prefix(arg, "pipe:")) {
        g_string_append_len(opts, arg, 4);
        chardev_append_opt(opts, "id", id);
        chardev_append_opt(opts, "path", arg + 5);
    } else if (g_str_has_prefix(arg, "unix:") || g_str_has_prefix(arg, "tcp:")) {
        bool is_unix = arg[0] == 'u';
        const char *addr_start = arg + (is_unix ? 5 : 4);
        const char *flags = strchr(addr_start, ',');
        g_autofree char *addr = flags ? g_strndup(addr_start, flags - addr_start)
                                      : g_strdup(addr_start);

        g_string_append(opts, "socket");
        chardev_append_opt(opts, "id", id);
        if (is_unix) {
            if (!*addr) {
                error_setg(errp, "unix: expects a socket path");
                return NULL;
            }
            chardev_append_opt(opts, "path", addr);
        } else if (!chardev_append_tcp_address(opts, addr, errp)) {
            return NULL;
        }
        if (flags) {
            chardev_append_socket_flags(opts, flags + 1);
        }
    } else if (g_str_has_prefix(arg, "mon:")) {
        error_setg(errp, "'mon:' is only supported as 'mon:stdio'");
        return NULL;
    } else {
        error_setg(errp, "unknown backend '%.*s'", (int)strcspn(arg, ":"), arg);
        return NULL;
    }
    return chardev_new_from_string(opts->str, "-serial", errp);
}

const char *chardev_id(Chardev *chr)
{
    return chr->id;
}

const char *chardev_backend_name(Chardev *chr)
{
    return chr->be->name;
}

const char *chardev_filename(Chardev *chr)
{
    return chr->filename;
}

void chardev_foreach(void (*fn)(Chardev *chr, void *opaque), void *opaque)
{
    for (guint i = 0; chardevs && i < chardevs->len; i++) {
        fn(g_ptr_array_index(chardevs, i), opaque);
    }
}

bool chardev_has_frontend(Chardev *chr)
{
    return chr->nfe >= (chr->mux ? CHARDEV_MUX_MAX : 1);
}

bool chardev_is_used(Chardev *chr)
{
    return chr->nfe > 0;
}

bool chardev_is_mux(Chardev *chr)
{
    return chr->mux;
}

static void chardev_fe_event(ChardevFrontendSlot *slot, ChardevEvent event)
{
    if (slot->fe && slot->fe->event) {
        slot->fe->event(slot->opaque, event);
    }
}

static void chardev_attach_frontend(Chardev *chr, const ChardevFrontend *fe, void *opaque)
{
    int i = 0;

    if (chr->mux) {
        while (i < chr->nfe && chr->fe[i].opaque != opaque) {
            i++;
        }
        /* A caller that did not check chardev_has_frontend() has a bug. */
        g_assert(i < CHARDEV_MUX_MAX);
    }
    chr->fe[i] = (ChardevFrontendSlot){ .fe = fe, .opaque = opaque };
    chr->nfe = MAX(chr->nfe, i + 1);
    if (chr->be_open) {
        chardev_fe_event(&chr->fe[i], CHR_EVENT_OPENED);
    }
    /* The first frontend of a mux has the focus; later ones wait for Ctrl-a c. */
    if (chr->mux && i == chr->focus) {
        chardev_fe_event(&chr->fe[i], CHR_EVENT_MUX_IN);
    }
    chardev_accept_input(chr);
}

static void chardev_detach_frontend(Chardev *chr, void *opaque)
{
    int i = 0;

    if (chr->mux) {
        while (i < chr->nfe && chr->fe[i].opaque != opaque) {
            i++;
        }
    }
    if (i >= chr->nfe) {
        return;
    }
    memmove(&chr->fe[i], &chr->fe[i + 1], (chr->nfe - i - 1) * sizeof(chr->fe[0]));
    chr->nfe--;
    chr->fe[chr->nfe] = (ChardevFrontendSlot){ 0 };
    if (chr->focus > i) {
        chr->focus--;
    } else if (chr->focus == i) {
        chr->focus = 0;
        if (chr->mux && chr->nfe) {
            chardev_fe_event(&chr->fe[0], CHR_EVENT_MUX_IN);
        }
    }
}

void chardev_set_frontend(Chardev *chr, const ChardevFrontend *fe, void *opaque)
{
    if (fe) {
        chardev_attach_frontend(chr, fe, opaque);
    } else {
        chardev_detach_frontend(chr, opaque);
    }
}

bool chardev_mux_switch_focus(Chardev *chr)
{
    if (!chr->mux || chr->nfe < 2) {
        return false;
    }
    chardev_fe_event(&chr->fe[chr->focus], CHR_EVENT_MUX_OUT);
    chr->focus = (chr->focus + 1) % chr->nfe;
    chardev_fe_event(&chr->fe[chr->focus], CHR_EVENT_MUX_IN);
    chardev_accept_input(chr);
    return true;
}

int chardev_write(Chardev *chr, const uint8_t *buf, int len)
{
    if (len <= 0) {
        return 0;
    }
    return chr->be->write(chr, buf, len);
}

int chardev_write_nonblock(Chardev *chr, const uint8_t *buf, int len)
{
    if (len <= 0) {
        return 0;
    }
    if (!chr->be->write_nonblock) {
        return chr->be->write(chr, buf, len);
    }
    return chr->be->write_nonblock(chr, buf, len);
}

bool chardev_wait_writable(Chardev *chr, void (*fn)(void *opaque), void *opaque)
{
    return chr->be->wait_writable && chr->be->wait_writable(chr, fn, opaque);
}

void chardev_disconnect(Chardev *chr)
{
    if (chr->be->disconnect) {
        chr->be->disconnect(chr);
    }
}

void chardev_accept_input(Chardev *chr)
{
    if (chr->be->accept_input) {
        chr->be->accept_input(chr);
    }
}

int chardev_be_can_read(Chardev *chr)
{
    ChardevFrontendSlot *slot = &chr->fe[chr->focus];

    if (!slot->fe || !slot->fe->can_read) {
        return 0;
    }
    return slot->fe->can_read(slot->opaque);
}

void chardev_be_read(Chardev *chr, const uint8_t *buf, int len)
{
    ChardevFrontendSlot *slot = &chr->fe[chr->focus];

    if (slot->fe && slot->fe->read && len > 0) {
        slot->fe->read(slot->opaque, buf, len);
    }
}

void chardev_be_event(Chardev *chr, ChardevEvent event)
{
    if (event == CHR_EVENT_OPENED) {
        chr->be_open = true;
    } else if (event == CHR_EVENT_CLOSED) {
        chr->be_open = false;
    }
    if (event == CHR_EVENT_OPENED || event == CHR_EVENT_CLOSED) {
        for (int i = 0; i < chr->nfe; i++) {
            chardev_fe_event(&chr->fe[i], event);
        }
    } else {
        chardev_fe_event(&chr->fe[chr->focus], event);
    }
}

void chardev_destroy(Chardev *chr)
{
    g_ptr_array_remove(chardevs, chr);
    if (chr->be->cleanup) {
        chr->be->cleanup(chr);
    }
    chardev_free(chr);
}

void chardev_cleanup_all(void)
{
    for (guint i = 0; chardevs && i < chardevs->len; i++) {
        Chardev *chr = g_ptr_array_index(chardevs, i);

        if (chr->be->cleanup) {
            chr->be->cleanup(chr);
        }
    }
}
