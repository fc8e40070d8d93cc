/*
 * kestrel-system-*: the command line (QEMU-compatible for what exists) and the
 * order in which a machine is built, started and torn down, including the
 * monitors (-qmp, -monitor, -mon) and -daemonize, which forks before anything
 * is built and lets the foreground process exit only once the machine and
 * its monitor sockets exist.
 */
#include "util/osdep.h"
#include <fcntl.h>
#include <signal.h>
#include <glib-unix.h>
#include "util/log.h"
#include "util/keyval.h"
#include "block/blockdev.h"
#include "chardev/char.h"
#include "exec/memory.h"
#include "hw/boards.h"
#include "hw/qdev.h"
#include "monitor/monitor.h"
#include "net/net.h"
#include "sysemu/accel.h"
#include "sysemu/cpus.h"
#include "sysemu/main-loop.h"
#include "sysemu/runstate.h"

#ifndef TARGET_NAME
#define TARGET_NAME "x86_64"
#endif

/* Everything the command line asked for, before anything is built. */
typedef struct Options {
    const char *machine;       /* -M/-machine string */
    const char *accel;         /* -accel string */
    const char *cpu;
    const char *mem;
    const char *smp;
    const char *kernel, *initrd, *append, *bios;
    const char *boot;          /* -boot string */
    GPtrArray *firmware_dirs;  /* -L directories */
    GPtrArray *serials;        /* -serial args */
    GPtrArray *chardevs;       /* -chardev args */
    GPtrArray *devices;        /* -device args */
    GPtrArray *drives;         /* -drive args */
    GPtrArray *blockdevs;      /* -blockdev args */
    GPtrArray *netdevs;        /* -netdev args */
    GPtrArray *nics;           /* -nic args */
    GPtrArray *monitors;       /* -qmp and -monitor: MonitorSpec */
    GPtrArray *mons;           /* -mon args */
    GPtrArray *mux_monitors;   /* Chardev *: mon:stdio consoles that get a human monitor */
    bool human_monitor;        /* a -monitor or -mon mode=readline was given */
    bool default_console;      /* no -serial: the console is the default one */
    bool daemonize;
    bool nographic;
    bool start_stopped;
    const char *name;
    const char *pidfile;
    const char *log_items;
    const char *log_file;
} Options;

/* -qmp SPEC (control) or -monitor SPEC (readline): a -serial style chardev spec. */
typedef struct MonitorSpec {
    const char *spec;
    MonitorMode mode;
    Chardev *chr;              /* created with the other chardevs; NULL for "none" */
} MonitorSpec;

typedef enum ArgKind { ARG_NONE, ARG_ONE } ArgKind;

typedef struct OptionDesc {
    const char *name;
    ArgKind arg;
    const char *help_arg;
    const char *help;
} OptionDesc;

static const OptionDesc option_table[] = {
    { "h", ARG_NONE, NULL, "print this help and exit" },
    { "help", ARG_NONE, NULL, "print this help and exit" },
    { "version", ARG_NONE, NULL, "print the version and exit" },
    { "M", ARG_ONE, "TYPE[,prop=value...]", "same as -machine" },
    { "machine", ARG_ONE, "TYPE[,prop=value...]", "board to emulate ('-machine help' lists them)" },
    { "accel", ARG_ONE, "kvm|tcg", "accelerator (default: kvm when usable)" },
    { "enable-kvm", ARG_NONE, NULL, "same as -accel kvm" },
    { "cpu", ARG_ONE, "host|max", "CPU model ('-cpu help' lists them)" },
    { "m", ARG_ONE, "SIZE", "guest RAM, suffixes K/M/G/T (plain number: MiB)" },
    { "smp", ARG_ONE, "N[,sockets=S,cores=C,threads=T]", "number of vCPUs and topology" },
    { "kernel", ARG_ONE, "FILE", "Linux bzImage or PVH ELF kernel to boot directly" },
    { "initrd", ARG_ONE, "FILE", "initial ram disk" },
    { "append", ARG_ONE, "CMDLINE", "kernel command line" },
    { "bios", ARG_ONE, "FILE", "firmware image" },
    { "L", ARG_ONE, "DIR", "look for firmware (-bios, the default BIOS) in DIR first" },
    { "boot", ARG_ONE, "[order=]DRIVES[,menu=on|off][,reboot-timeout=MS]",
      "pc: boot order (c disk, d CD-ROM, n network, a floppy), boot menu" },
    { "serial", ARG_ONE, "DEV", "serial port backend: stdio, mon:stdio, file:PATH, pipe:PATH, pty, "
                                "null, none, unix:PATH,server=on, tcp:HOST:PORT,server=on, "
                                "chardev:ID" },
    { "chardev", ARG_ONE, "BACKEND,id=ID[,...]", "character device (null, stdio, file, pipe, "
                                                 "pty, socket)" },
    { "device", ARG_ONE, "DRIVER[,prop=value...]", "add a device ('-device help' lists them)" },
    { "drive", ARG_ONE, "file=PATH[,format=raw][,if=virtio|none][,id=ID][,readonly=on]"
                        "[,cache=MODE][,aio=threads|io_uring][,discard=unmap]",
      "disk image (cache: writeback, none, writethrough, directsync, unsafe)" },
    { "blockdev", ARG_ONE, "driver=raw|file,node-name=NAME[,...]",
      "block node (raw: file.driver=file,file.filename=PATH or file=NODE; file: filename=PATH)" },
    { "netdev", ARG_ONE, "user|tap,id=ID[,...]",
      "network backend (user: net=, host=, dns=, hostfwd=tcp::HOSTPORT-:GUESTPORT; "
      "tap: ifname=, script=no, downscript=no)" },
    { "nic", ARG_ONE, "user|tap|none[,model=M][,mac=MAC][,...]",
      "a NIC with its backend (model: virtio-net-pci if the board has PCI, else "
      "virtio-net-device)" },
    { "qmp", ARG_ONE, "DEV", "QMP monitor on DEV (as -serial: unix:PATH,server=on,wait=off, "
                             "tcp:HOST:PORT,server=on,wait=off, stdio, ...)" },
    { "monitor", ARG_ONE, "DEV", "human monitor on DEV (as -serial; 'none' for no monitor)" },
    { "mon", ARG_ONE, "chardev=ID[,mode=control|readline][,pretty=on|off]",
      "monitor on the chardev ID" },
    { "daemonize", ARG_NONE, NULL, "detach from the terminal once the machine and its monitors "
                                   "exist" },
    { "nographic", ARG_NONE, NULL, "serial console on stdio with Ctrl-a escapes (the default)" },
    { "display", ARG_ONE, "none", "Kestrel has no display; only 'none' is accepted" },
    { "no-reboot", ARG_NONE, NULL, "exit instead of rebooting when the guest resets" },
    { "no-shutdown", ARG_NONE, NULL, "stay (paused) instead of exiting when the guest powers off" },
    { "S", ARG_NONE, NULL, "do not start the vCPUs (until a monitor says 'cont')" },
    { "name", ARG_ONE, "NAME", "name of the guest" },
    { "pidfile", ARG_ONE, "FILE", "write the process id to FILE" },
    { "d", ARG_ONE, "ITEM,...", "enable debug logging ('-d help' lists the items)" },
    { "D", ARG_ONE, "FILE", "write the debug log to FILE instead of stderr" },
};

static void print_usage(void)
{
    printf("Kestrel %s: a machine emulator\n"
           "usage: %s [options]\n\n", KESTREL_VERSION, kestrel_progname);
    for (size_t i = 0; i < ARRAY_SIZE(option_table); i++) {
        const OptionDesc *o = &option_table[i];
        g_autofree char *lhs = g_strdup_printf("-%s%s%s", o->name, o->help_arg ? " " : "",
                                               o->help_arg ? o->help_arg : "");
        if (strlen(lhs) > 30) {
            printf("  %s\n  %-30s %s\n", lhs, "", o->help);
        } else {
            printf("  %-30s %s\n", lhs, o->help);
        }
    }
    printf("\nDuring emulation, with the console on stdio: Ctrl-a h for help, Ctrl-a x to quit.\n");
}

static const OptionDesc *option_lookup(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(option_table); i++) {
        if (strcmp(option_table[i].name, name) == 0) {
            return &option_table[i];
        }
    }
    return NULL;
}

static G_NORETURN void die(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void die(const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    error_report("%s", msg);
    exit(1);
}

static void die_on_error(GError *err)
{
    if (err) {
        die("%s", err->message);
    }
}

static void parse_command_line(int argc, char **argv, Options *o)
{
    o->serials = g_ptr_array_new();
    o->firmware_dirs = g_ptr_array_new();
    o->chardevs = g_ptr_array_new();
    o->devices = g_ptr_array_new();
    o->drives = g_ptr_array_new();
    o->blockdevs = g_ptr_array_new();
    o->netdevs = g_ptr_array_new();
    o->nics = g_ptr_array_new();
    o->monitors = g_ptr_array_new_with_free_func(g_free);
    o->mons = g_ptr_array_new();
    o->mux_monitors = g_ptr_array_new();

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *name;
        const char *val = NULL;
        const OptionDesc *desc;

        if (arg[0] != '-' || arg[1] == '\0') {
            die("%s: unexpected argument (options start with '-')", arg);
        }
        name = arg + 1 + (arg[1] == '-');   /* --opt is the same as -opt */
        desc = option_lookup(name);
        if (!desc) {
            die("%s: invalid option", arg);
        }
        if (desc->arg == ARG_ONE) {
            if (i + 1 >= argc) {
                die("%s: requires an argument", arg);
            }
            val = argv[++i];
        }

        if (!strcmp(name, "h") || !strcmp(name, "help")) {
            print_usage();
            exit(0);
        } else if (!strcmp(name, "version")) {
            printf("Kestrel emulator version %s (%s)\n", KESTREL_VERSION, kestrel_progname);
            exit(0);
        } else if (!strcmp(name, "M") || !strcmp(name, "machine")) {
            o->machine = val;
        } else if (!strcmp(name, "accel")) {
            o->accel = val;
        } else if (!strcmp(name, "enable-kvm")) {
            o->accel = "kvm";
        } else if (!strcmp(name, "cpu")) {
            o->cpu = val;
        } else if (!strcmp(name, "m")) {
            o->mem = val;
        } else if (!strcmp(name, "smp")) {
            o->smp = val;
        } else if (!strcmp(name, "kernel")) {
            o->kernel = val;
        } else if (!strcmp(name, "initrd")) {
            o->initrd = val;
        } else if (!strcmp(name, "append")) {
            o->append = val;
        } else if (!strcmp(name, "bios")) {
            o->bios = val;
        } else if (!strcmp(name, "L")) {
            g_ptr_array_add(o->firmware_dirs, (gpointer)val);
        } else if (!strcmp(name, "boot")) {
            o->boot = val;
        } else if (!strcmp(name, "serial")) {
            if (o->serials->len >= MAX_SERIAL_PORTS) {
                die("-serial: at most %d serial ports", MAX_SERIAL_PORTS);
            }
            g_ptr_array_add(o->serials, (gpointer)val);
        } else if (!strcmp(name, "chardev")) {
            g_ptr_array_add(o->chardevs, (gpointer)val);
        } else if (!strcmp(name, "device")) {
            g_ptr_array_add(o->devices, (gpointer)val);
        } else if (!strcmp(name, "drive")) {
            g_ptr_array_add(o->drives, (gpointer)val);
        } else if (!strcmp(name, "blockdev")) {
            g_ptr_array_add(o->blockdevs, (gpointer)val);
        } else if (!strcmp(name, "netdev")) {
            g_ptr_array_add(o->netdevs, (gpointer)val);
        } else if (!strcmp(name, "nic")) {
            g_ptr_array_add(o->nics, (gpointer)val);
        } else if (!strcmp(name, "qmp") || !strcmp(name, "monitor")) {
            MonitorSpec *m = g_new0(MonitorSpec, 1);

            m->spec = val;
            m->mode = name[0] == 'q' ? MONITOR_MODE_CONTROL : MONITOR_MODE_READLINE;
            o->human_monitor |= m->mode == MONITOR_MODE_READLINE;
            g_ptr_array_add(o->monitors, m);
        } else if (!strcmp(name, "mon")) {
            g_ptr_array_add(o->mons, (gpointer)val);
            o->human_monitor |= !strstr(val, "mode=control");
        } else if (!strcmp(name, "daemonize")) {
            o->daemonize = true;
        } else if (!strcmp(name, "nographic")) {
            o->nographic = true;
        } else if (!strcmp(name, "display")) {
            if (strcmp(val, "none") != 0) {
                die("-display %s: Kestrel has no display (only -display none)", val);
            }
        } else if (!strcmp(name, "no-reboot")) {
            runstate_no_reboot = true;
        } else if (!strcmp(name, "no-shutdown")) {
            runstate_no_shutdown = true;
        } else if (!strcmp(name, "S")) {
            o->start_stopped = true;
        } else if (!strcmp(name, "name")) {
            o->name = val;
        } else if (!strcmp(name, "pidfile")) {
            o->pidfile = val;
        } else if (!strcmp(name, "d")) {
            o->log_items = val;
        } else if (!strcmp(name, "D")) {
            o->log_file = val;
        }
    }
}

/* -machine TYPE[,props]: the type is the implied key; the board reads its own props. */
static const MachineClass *select_machine(const Options *o, MachineState *ms)
{
    const MachineClass *mc;
    GError *err = NULL;
    const char *type;

    ms->opts = keyval_parse(o->machine ? o->machine : "", "type", "-machine", &err);
    die_on_error(err);
    type = keyval_get(ms->opts, "type");
    if (type && !strcmp(type, "help")) {
        machine_print_list(stdout);
        exit(0);
    }
    mc = type ? machine_find(type) : machine_default();
    if (!mc) {
        if (type) {
            die("-machine %s: unsupported machine type (use -machine help to list them)", type);
        }
        die("no default machine for %s", TARGET_NAME);
    }
    return mc;
}

static void parse_memory(const Options *o, MachineState *ms)
{
    uint64_t size = ms->mc->default_ram_size;
    g_autoptr(Keyval) kv = NULL;
    GError *err = NULL;

    if (o->mem) {
        kv = keyval_parse(o->mem, "size", "-m", &err);
        die_on_error(err);
        const char *s = keyval_get(kv, "size");
        if (!s || !parse_size(s, MiB, &size)) {
            die("-m %s: invalid RAM size", o->mem);
        }
        keyval_check_all_used(kv, "-m", &err);
        die_on_error(err);
    }
    if (size < MiB) {
        die("-m %s: at least 1 MiB of RAM is needed", o->mem);
    }
    if (size > 1024 * GiB) {
        die("-m %s: more than 1 TiB of RAM is not supported", o->mem);
    }
    ms->ram_size = ROUND_UP(size, 4 * KiB);
}

static void parse_smp(const Options *o, MachineState *ms)
{
    uint64_t cpus = 1, sockets = 0, cores = 0, threads = 0;
    g_autoptr(Keyval) kv = NULL;
    GError *err = NULL;

    if (o->smp) {
        kv = keyval_parse(o->smp, "cpus", "-smp", &err);
        die_on_error(err);
        if (!keyval_get_uint(kv, "cpus", 0, &cpus, &err) ||
            !keyval_get_uint(kv, "sockets", 0, &sockets, &err) ||
            !keyval_get_uint(kv, "cores", 0, &cores, &err) ||
            !keyval_get_uint(kv, "threads", 0, &threads, &err) ||
            !keyval_check_all_used(kv, "-smp", &err)) {
            die("-smp %s: %s", o->smp, err->message);
        }
    }
    if (kv && ((keyval_has(kv, "cpus") && !cpus) || (keyval_has(kv, "sockets") && !sockets) ||
               (keyval_has(kv, "cores") && !cores) || (keyval_has(kv, "threads") && !threads))) {
        die("-smp %s: CPU topology parameters must be greater than zero", o->smp);
    }
    threads = threads ? threads : 1;
    cores = cores ? cores : 1;
    if (!sockets) {
        uint64_t per_socket = cores * threads;
        sockets = cpus ? DIV_ROUND_UP(cpus, per_socket) : 1;
    }
    if (!cpus) {
        cpus = sockets * cores * threads;
    }
    if (sockets * cores * threads < cpus || sockets * cores * threads > 4096) {
        die("-smp %s: topology sockets=%" PRIu64 " cores=%" PRIu64 " threads=%" PRIu64
            " does not fit %" PRIu64 " CPUs", o->smp, sockets, cores, threads, cpus);
    }
    if (cpus > ms->mc->max_cpus) {
        die("-smp %s: machine '%s' supports at most %u CPUs", o->smp, ms->mc->name,
            ms->mc->max_cpus);
    }
    ms->smp_cpus = cpus;
    ms->smp_sockets = sockets;
    ms->smp_cores = cores;
    ms->smp_threads = threads;
}

static void parse_cpu(const Options *o, MachineState *ms)
{
    const char *model = o->cpu ? o->cpu : "host";

    if (!strcmp(model, "help")) {
        printf("Available CPUs:\n  host   all features KVM supports on this host\n"
               "  max    same as host under KVM\n");
        exit(0);
    }
    if (strcmp(model, "host") && strcmp(model, "max")) {
        die("-cpu %s: unknown CPU model (use -cpu help to list them)", model);
    }
    ms->cpu_model = g_strdup(model);
}

static bool kvm_device_opens(void)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

    if (fd < 0) {
        return false;
    }
    close(fd);
    return true;
}

/* -accel NAME, or the default: kvm when the guest is the host's arch and /dev/kvm opens. */
static void select_accel(const Options *o, MachineState *ms)
{
    const char *name = o->accel;
    const char *machine_accel = keyval_get(ms->opts, "accel");
    g_autoptr(Keyval) kv = NULL;
    GError *err = NULL;

    if (!name) {
        name = machine_accel;
    }
    if (name) {
        kv = keyval_parse(name, "accel", "-accel", &err);
        die_on_error(err);
        name = keyval_get(kv, "accel");
        if (!name) {
            die("-accel: an accelerator name is needed (kvm or tcg)");
        }
        if (!strcmp(name, "help")) {
            printf("Accelerators supported in this build:\n%s",
                   accel_find("kvm") ? "kvm\n" : "");
            printf("%s", accel_find("tcg") ? "tcg\n" : "");
            exit(0);
        }
        current_accel = accel_find(name);
        if (!current_accel) {
            if (!strcmp(name, "tcg")) {
                die("-accel tcg: TCG is not available for %s guests yet", TARGET_NAME);
            }
            die("-accel %s: unknown accelerator (kvm or tcg)", name);
        }
        if (current_accel->parse_options && !current_accel->parse_options(kv, &err)) {
            die("%s", err->message);
        }
        keyval_check_all_used(kv, "-accel", &err);
        die_on_error(err);
    } else if (!accel_find("kvm") && accel_find("tcg")) {
        /* No KVM for this guest architecture (it is not the host's): TCG, no note. */
        current_accel = accel_find("tcg");
    } else {
        current_accel = accel_find("kvm");
        if (!current_accel || !kvm_device_opens()) {
            if (!accel_find("tcg")) {
                die("no accelerator: /dev/kvm cannot be opened (%s) and TCG is not available "
                    "for %s guests yet", g_strerror(errno), TARGET_NAME);
            }
            info_report("/dev/kvm is not usable; using TCG");
            current_accel = accel_find("tcg");
        }
    }
    if (current_accel->available && !current_accel->available()) {
        die("-accel %s: not available on this host", current_accel->name);
    }
}

/* Does a -serial/-monitor/-qmp style spec use the terminal? */
static bool legacy_spec_is_stdio(const char *spec)
{
    return !strcmp(spec, "stdio") || !strcmp(spec, "mon:stdio");
}

static void check_no_stdio(Chardev *chr, void *opaque)
{
    if (!strcmp(chardev_backend_name(chr), "stdio")) {
        die("-daemonize: chardev '%s' uses stdio, which a daemon does not have",
            chardev_id(chr));
    }
}

static void create_chardevs(Options *o, MachineState *ms)
{
    GError *err = NULL;
    bool stdio_taken = false;

    for (guint i = 0; i < o->chardevs->len; i++) {
        const char *spec = g_ptr_array_index(o->chardevs, i);
        Chardev *chr = chardev_new_from_opts(spec, &err);
        if (!chr) {
            die("-chardev %s: %s", spec, err->message);
        }
        if (!strcmp(chardev_backend_name(chr), "stdio")) {
            stdio_taken = true;
        }
    }
    for (guint i = 0; i < o->monitors->len; i++) {
        MonitorSpec *m = g_ptr_array_index(o->monitors, i);
        g_autofree char *id = g_strdup_printf("compat_monitor%u", i);

        m->chr = chardev_new_from_legacy(m->spec, id, &err);
        if (err) {
            die("-%s %s: %s", m->mode == MONITOR_MODE_CONTROL ? "qmp" : "monitor", m->spec,
                err->message);
        }
        stdio_taken |= legacy_spec_is_stdio(m->spec);
    }
    if (o->serials->len == 0) {
        /*
         * No display exists, so the console defaults to stdio as with
         * -nographic, with a human monitor behind Ctrl-a c unless one was asked
         * for elsewhere. A daemon has no terminal.
         */
        g_ptr_array_add(o->serials, (gpointer)(stdio_taken || o->daemonize ? "null"
                                                                            : "mon:stdio"));
        o->default_console = true;
    }
    for (guint i = 0; i < o->serials->len; i++) {
        const char *spec = g_ptr_array_index(o->serials, i);
        g_autofree char *id = g_strdup_printf("serial%u", i);
        ms->serial[i] = chardev_new_from_legacy(spec, id, &err);
        if (err) {
            die("-serial %s: %s", spec, err->message);
        }
        if (g_str_has_prefix(spec, "mon:")) {
            g_ptr_array_add(o->mux_monitors, ms->serial[i]);
        }
    }
    if (o->daemonize) {
        chardev_foreach(check_no_stdio, NULL);
    }
}

/*
 * After the board: the console's device is attached first, so on a mux it
 * keeps the focus and the human monitor waits behind Ctrl-a c.
 */
static void create_monitors(const Options *o)
{
    GError *err = NULL;

    for (guint i = 0; i < o->monitors->len; i++) {
        MonitorSpec *m = g_ptr_array_index(o->monitors, i);

        if (m->chr && !monitor_new(m->chr, m->mode, false, &err)) {
            die("-%s %s: %s", m->mode == MONITOR_MODE_CONTROL ? "qmp" : "monitor", m->spec,
                err->message);
        }
    }
    for (guint i = 0; i < o->mons->len; i++) {
        if (!monitor_new_from_opts(g_ptr_array_index(o->mons, i), &err)) {
            die("%s", err->message);
        }
    }
    for (guint i = 0; i < o->mux_monitors->len; i++) {
        /* The default console has a monitor only if none was asked for elsewhere. */
        if (o->default_console && o->human_monitor) {
            continue;
        }
        if (!monitor_new(g_ptr_array_index(o->mux_monitors, i), MONITOR_MODE_READLINE, false,
                         &err)) {
            die("-serial mon:stdio: %s", err->message);
        }
    }
}

/* The write end of the pipe the waiting foreground process reads; -1 if not daemonizing. */
static int daemon_pipe = -1;

/*
 * -daemonize, before anything is built (no thread, no VM yet: both would not
 * survive fork): the foreground process waits for one status byte from the
 * child and exits with it; end of file (the child failed) means 1.
 */
static void daemonize_start(void)
{
    int fds[2];
    pid_t pid;

    if (pipe2(fds, O_CLOEXEC) < 0) {
        die("-daemonize: pipe: %s", g_strerror(errno));
    }
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        die("-daemonize: fork: %s", g_strerror(errno));
    }
    if (pid > 0) {
        uint8_t status = 1;
        ssize_t n;

        close(fds[1]);
        do {
            n = read(fds[0], &status, 1);
        } while (n < 0 && errno == EINTR);
        _exit(n == 1 ? status : 1);
    }
    close(fds[0]);
    daemon_pipe = fds[1];
    setsid();
}

/* The machine and its monitor sockets exist: release the parent, let go of the terminal. */
static void daemonize_finish(void)
{
    static const uint8_t ok = 0;
    int fd;

    if (write(daemon_pipe, &ok, 1) != 1) {
        warn_report("-daemonize: the foreground process is gone: %s", g_strerror(errno));
    }
    close(daemon_pipe);
    daemon_pipe = -1;
    fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
        dup2(fd, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
    }
}

static void write_pidfile(const char *path)
{
    g_autofree char *text = g_strdup_printf("%d\n", (int)getpid());
    GError *err = NULL;

    if (!g_file_set_contents(path, text, -1, &err)) {
        die("-pidfile %s: %s", path, err->message);
    }
}

static const char *pidfile_path;

static void cleanup_at_exit(void)
{
    chardev_cleanup_all();
    if (pidfile_path) {
        unlink(pidfile_path);
    }
    log_flush();
}

/* Fatal signals still restore the terminal before the default action runs. */
static void fatal_signal_handler(int sig)
{
    chardev_cleanup_all();
    signal(sig, SIG_DFL);
    raise(sig);
}

static gboolean on_termination_signal(gpointer opaque)
{
    int sig = GPOINTER_TO_INT(opaque);

    error_report("terminating on signal %d", sig);
    runstate_request_shutdown(SHUTDOWN_CAUSE_HOST_SIGNAL);
    return G_SOURCE_CONTINUE;
}

static void install_signal_handlers(void)
{
    static const int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
    static const int termination[] = { SIGINT, SIGTERM, SIGHUP };

    for (size_t i = 0; i < ARRAY_SIZE(fatal); i++) {
        signal(fatal[i], fatal_signal_handler);
    }
    for (size_t i = 0; i < ARRAY_SIZE(termination); i++) {
        g_unix_signal_add(termination[i], on_termination_signal,
                          GINT_TO_POINTER(termination[i]));
    }
    signal(SIGPIPE, SIG_IGN);
}

static void setup_logging(const Options *o)
{
    GError *err = NULL;

    if (o->log_items) {
        if (!strcmp(o->log_items, "help")) {
            log_print_help(stdout);
            exit(0);
        }
        if (!log_set_mask_str(o->log_items, &err)) {
            die("-d %s: %s", o->log_items, err->message);
        }
    }
    if (o->log_file && !log_set_file(o->log_file, &err)) {
        die("-D %s: %s", o->log_file, err->message);
    }
}

/* -device help and -device NAME,help print and exit before anything is built. */
static void handle_device_help(const Options *o)
{
    for (guint i = 0; i < o->devices->len; i++) {
        const char *spec = g_ptr_array_index(o->devices, i);
        if (!strcmp(spec, "help")) {
            qdev_print_help(stdout, NULL);
            exit(0);
        }
        if (g_str_has_suffix(spec, ",help")) {
            g_autofree char *type = g_strndup(spec, strcspn(spec, ","));
            qdev_print_help(stdout, type);
            exit(0);
        }
    }
}

/* -blockdev nodes, then -drive backends: images open (and lock) before the board exists. */
static void open_block_devices(const Options *o)
{
    GError *err = NULL;

    for (guint i = 0; i < o->blockdevs->len; i++) {
        if (!bdrv_blockdev_add(g_ptr_array_index(o->blockdevs, i), &err)) {
            die("%s", err->message);
        }
    }
    for (guint i = 0; i < o->drives->len; i++) {
        if (!blk_drive_add(g_ptr_array_index(o->drives, i), &err)) {
            die("%s", err->message);
        }
    }
}

/* -netdev and -nic backends, before the devices that use them. */
static void open_net_backends(const Options *o)
{
    GError *err = NULL;

    for (guint i = 0; i < o->netdevs->len; i++) {
        if (!net_netdev_add(g_ptr_array_index(o->netdevs, i), &err)) {
            die("%s", err->message);
        }
    }
    for (guint i = 0; i < o->nics->len; i++) {
        if (!net_nic_add(g_ptr_array_index(o->nics, i), &err)) {
            die("%s", err->message);
        }
    }
}

static void add_devices(const Options *o)
{
    GError *err = NULL;

    for (guint i = 0; i < o->devices->len; i++) {
        if (!qdev_device_add(g_ptr_array_index(o->devices, i), &err)) {
            die("%s", err->message);
        }
    }
    if (!net_nic_create_devices(&err)) {
        die("-nic: %s", err->message);
    }
}

int main(int argc, char **argv)
{
    Options o = { 0 };
    MachineState *ms = g_new0(MachineState, 1);
    GError *err = NULL;
    int status;
    bool ok;

    kestrel_progname = g_path_get_basename(argv[0]);
    parse_command_line(argc, argv, &o);
    setup_logging(&o);

    ms->mc = select_machine(&o, ms);
    handle_device_help(&o);
    parse_memory(&o, ms);
    parse_smp(&o, ms);
    parse_cpu(&o, ms);
    ms->kernel = g_strdup(o.kernel);
    ms->initrd = g_strdup(o.initrd);
    ms->append = g_strdup(o.append);
    ms->bios = g_strdup(o.bios);
    ms->boot = g_strdup(o.boot);
    ms->firmware_dirs = o.firmware_dirs;
    ms->name = g_strdup(o.name);
    if (o.initrd && !o.kernel) {
        die("-initrd: only allowed with -kernel");
    }
    if (o.append && !o.kernel) {
        die("-append: only allowed with -kernel");
    }
    if (o.daemonize && o.nographic) {
        die("-nographic cannot be used with -daemonize");
    }
    current_machine = ms;
    if (o.daemonize) {
        daemonize_start();
    }

    select_accel(&o, ms);
    install_signal_handlers();
    atexit(cleanup_at_exit);
    main_loop_init();
    bql_lock();
    open_block_devices(&o);
    open_net_backends(&o);

    /* The accelerator first: its warnings must print before stdio goes raw. */
    if (!current_accel->init_machine(ms, &err)) {
        die("%s", err->message);
    }
    create_chardevs(&o, ms);
    memory_system_init();
    /* One layout pass (and one set of KVM slot updates) for the whole board. */
    memory_region_transaction_begin();
    ok = ms->mc->init(ms, &err);
    memory_region_transaction_commit();
    if (!ok) {
        GError *unused = NULL;
        /* An unknown -machine property is the likelier mistake: name it first. */
        if (!keyval_check_all_used(ms->opts, "-machine", &unused)) {
            die("%s", unused->message);
        }
        die("%s", err->message);
    }
    add_devices(&o);
    if (!keyval_check_all_used(ms->opts, "-machine", &err)) {
        die("%s", err->message);
    }
    if (ms->exit_after_init) {
        exit(0);
    }
    create_monitors(&o);

    qdev_reset_all();
    if (ms->mc->reset) {
        ms->mc->reset(ms);
    }
    cpus_request_reset();

    if (o.pidfile) {
        write_pidfile(o.pidfile);
        pidfile_path = o.pidfile;
    }
    if (!cpus_start(o.start_stopped, &err)) {
        die("%s", err->message);
    }
    runstate_set(o.start_stopped ? RUN_STATE_PRELAUNCH : RUN_STATE_RUNNING);
    if (o.daemonize) {
        daemonize_finish();
    }

    status = main_loop_run();
    cpus_pause_all();
    monitor_flush_all();
    bdrv_close_all();
    bql_unlock();
    exit(status);
}
