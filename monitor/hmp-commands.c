/*
 * The human monitor's commands: help, info (status, registers, cpus, block,
 * chardev, qtree, mtree, kvm, version), cpu, stop, cont, system_reset,
 * system_powerdown, quit, and the memory dumps x (guest virtual, through the
 * selected vCPU's page tables) and xp (guest physical), whose /FMT is
 * [count][format][size] with format x, d, u, o or c and size b, h, w or g,
 * remembered for the next dump. Output follows QEMU's monitor where the
 * same information exists.
 */
#include "util/osdep.h"
#include <fcntl.h>
#include "monitor/monitor-internal.h"
#include "block/block.h"
#include "chardev/char.h"
#include "exec/memory.h"
#include "hw/boards.h"
#include "hw/qdev.h"
#include "sysemu/accel.h"
#include "sysemu/cpus.h"
#include "sysemu/runstate.h"

/* x/xp never dump more than this in one command. */
#define HMP_DUMP_MAX    (64 * KiB)
#define HMP_PAGE_SIZE   4096ULL

static void hmp_help(HmpContext *ctx, const char *args)
{
    if (!*args) {
        hmp_print_help(ctx, hmp_commands, "", NULL);
    } else if (!strncmp(args, "info", 4) && (!args[4] || g_ascii_isspace(args[4]))) {
        g_autofree char *sub = g_strstrip(g_strdup(args + 4));

        hmp_print_help(ctx, hmp_info_commands, "info ", *sub ? sub : NULL);
    } else {
        hmp_print_help(ctx, hmp_commands, "", args);
    }
}

static void hmp_info(HmpContext *ctx, const char *args)
{
    const HmpCommand *cmd;

    if (!*args) {
        hmp_print_help(ctx, hmp_info_commands, "info ", NULL);
        return;
    }
    cmd = hmp_find_command(hmp_info_commands, args);
    if (!cmd) {
        hmp_printf(ctx, "unknown command: 'info %s'\n", args);
        return;
    }
    cmd->fn(ctx, "");
}

static void hmp_stop(HmpContext *ctx, const char *args)
{
    runstate_stop();
}

static void hmp_cont(HmpContext *ctx, const char *args)
{
    g_autoptr(GError) err = NULL;

    if (!runstate_cont(&err)) {
        hmp_printf(ctx, "Error: %s\n", err->message);
    }
}

static void hmp_system_reset(HmpContext *ctx, const char *args)
{
    runstate_request_reset(SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
}

static void hmp_system_powerdown(HmpContext *ctx, const char *args)
{
    runstate_request_powerdown();
}

static void hmp_quit(HmpContext *ctx, const char *args)
{
    runstate_request_shutdown(SHUTDOWN_CAUSE_HOST_QMP_QUIT);
}

static bool hmp_parse_cpu_index(HmpContext *ctx, const char *arg, int *index)
{
    uint64_t v;

    if (!parse_uint(arg, &v) || v >= cpus_count) {
        hmp_printf(ctx, "invalid CPU index '%s' (0 to %u)\n", arg, cpus_count ? cpus_count - 1
                                                                             : 0);
        return false;
    }
    *index = (int)v;
    return true;
}

static void hmp_cpu(HmpContext *ctx, const char *args)
{
    hmp_parse_cpu_index(ctx, args, &ctx->cpu_index);
}

/* The selected vCPU, or NULL (with a message) when there is none. */
static CPUState *hmp_current_cpu(HmpContext *ctx)
{
    if (ctx->cpu_index < 0 || (unsigned)ctx->cpu_index >= cpus_count) {
        hmp_printf(ctx, "No CPU available\n");
        return NULL;
    }
    return cpus[ctx->cpu_index];
}

/* ---- memory dumps ---- */

typedef struct HmpTranslate {
    uint64_t vaddr;
    uint64_t paddr;
    bool ok;
} HmpTranslate;

static void hmp_translate_on_cpu(CPUState *cpu, void *opaque)
{
    HmpTranslate *t = opaque;

    t->ok = current_accel->translate_vaddr(cpu, t->vaddr, &t->paddr);
}

/* Reads guest memory at ADDR, virtual through CPU's paging when CPU is set. */
static bool hmp_read_memory(CPUState *cpu, uint64_t addr, uint8_t *buf, uint64_t len)
{
    while (len) {
        uint64_t chunk = MIN(len, HMP_PAGE_SIZE - (addr & (HMP_PAGE_SIZE - 1)));
        uint64_t paddr = addr;

        if (cpu) {
            HmpTranslate t = { .vaddr = addr & ~(HMP_PAGE_SIZE - 1) };

            cpu_run_on(cpu, hmp_translate_on_cpu, &t);
            if (!t.ok) {
                return false;
            }
            paddr = t.paddr + (addr & (HMP_PAGE_SIZE - 1));
        }
        if (address_space_read(&address_space_memory, paddr, buf, chunk) != MEMTX_OK) {
            return false;
        }
        addr += chunk;
        buf += chunk;
        len -= chunk;
    }
    return true;
}

/* "/[count][format][size]": updates the remembered format and size. */
static bool hmp_parse_format(HmpContext *ctx, const char **pp, uint64_t *count)
{
    const char *p = *pp;

    *count = 1;
    if (*p != '/') {
        return true;
    }
    p++;
    if (g_ascii_isdigit(*p)) {
        *count = g_ascii_strtoull(p, (char **)&p, 10);
    }
    for (; *p && !g_ascii_isspace(*p); p++) {
        switch (*p) {
        case 'x': case 'd': case 'u': case 'o': case 'c':
            ctx->x_format = *p;
            break;
        case 'b':
            ctx->x_size = 1;
            break;
        case 'h':
            ctx->x_size = 2;
            break;
        case 'w':
            ctx->x_size = 4;
            break;
        case 'g':
            ctx->x_size = 8;
            break;
        default:
            hmp_printf(ctx, "invalid char in format: '%c'\n", *p);
            return false;
        }
    }
    *pp = p;
    return true;
}

static uint64_t hmp_load_le(const uint8_t *p, int size)
{
    uint64_t v = 0;

    for (int i = size - 1; i >= 0; i--) {
        v = (v << 8) | p[i];
    }
    return v;
}

static void hmp_print_unit(HmpContext *ctx, uint64_t v, char format, int size)
{
    int bits = size * 8;

    switch (format) {
    case 'x':
        hmp_printf(ctx, " 0x%0*" PRIx64, size * 2, v);
        break;
    case 'o':
        hmp_printf(ctx, " %#*" PRIo64, (bits + 2) / 3 + 1, v);
        break;
    case 'u':
        hmp_printf(ctx, " %*" PRIu64, (bits * 10 + 32) / 33, v);
        break;
    case 'd':
        if (bits < 64 && (v >> (bits - 1)) & 1) {
            v |= ~0ULL << bits;     /* sign-extend */
        }
        hmp_printf(ctx, " %*" PRId64, (bits * 10 + 32) / 33 + 1, (int64_t)v);
        break;
    case 'c':
        if (v >= 0x20 && v < 0x7f) {
            hmp_printf(ctx, " '%c'", (char)v);
        } else {
            hmp_printf(ctx, " '\\x%02x'", (unsigned)(v & 0xff));
        }
        break;
    }
}

static void hmp_memory_dump(HmpContext *ctx, const char *args, bool physical)
{
    const char *p = args;
    uint64_t count, addr, len;
    int size, line_size;
    CPUState *cpu = NULL;
    char *end;

    if (!hmp_parse_format(ctx, &p, &count)) {
        return;
    }
    while (g_ascii_isspace(*p)) {
        p++;
    }
    errno = 0;
    addr = g_ascii_strtoull(p, &end, 0);
    if (!*p || end == p || errno) {
        hmp_printf(ctx, "%s: an address is needed, e.g. %s /16xb 0x1000\n",
                   physical ? "xp" : "x", physical ? "xp" : "x");
        return;
    }
    size = ctx->x_format == 'c' ? 1 : ctx->x_size;
    if (count > HMP_DUMP_MAX / size) {
        hmp_printf(ctx, "at most %u bytes can be dumped at once\n", (unsigned)HMP_DUMP_MAX);
        return;
    }
    if (!physical) {
        cpu = hmp_current_cpu(ctx);
        if (!cpu) {
            return;
        }
        if (!current_accel->translate_vaddr) {
            hmp_printf(ctx, "the %s accelerator cannot translate addresses\n",
                       current_accel->name);
            return;
        }
    }
    len = count * size;
    line_size = size == 1 ? 8 : 16;
    while (len) {
        uint8_t buf[16];
        uint64_t l = MIN(len, (uint64_t)line_size);

        hmp_printf(ctx, "%016" PRIx64 ":", addr);
        if (!hmp_read_memory(cpu, addr, buf, l)) {
            hmp_printf(ctx, " Cannot access memory\n");
            return;
        }
        for (uint64_t i = 0; i < l; i += size) {
            hmp_print_unit(ctx, hmp_load_le(buf + i, size), ctx->x_format, size);
        }
        hmp_printf(ctx, "\n");
        addr += l;
        len -= l;
    }
}

static void hmp_x(HmpContext *ctx, const char *args)
{
    hmp_memory_dump(ctx, args, false);
}

static void hmp_xp(HmpContext *ctx, const char *args)
{
    hmp_memory_dump(ctx, args, true);
}

/* ---- info ---- */

static void hmp_info_status(HmpContext *ctx, const char *args)
{
    RunState s = runstate_get();

    hmp_printf(ctx, "VM status: %s", runstate_is_running() ? "running" : "paused");
    if (s != RUN_STATE_RUNNING && s != RUN_STATE_PAUSED) {
        hmp_printf(ctx, " (%s)", runstate_name(s));
    }
    hmp_printf(ctx, "\n");
}

static void hmp_dump_on_cpu(CPUState *cpu, void *opaque)
{
    current_accel->dump_vcpu(cpu, opaque);
}

static void hmp_info_registers(HmpContext *ctx, const char *args)
{
    CPUState *cpu = hmp_current_cpu(ctx);
    char *text = NULL;
    size_t size = 0;
    FILE *f;

    if (!cpu) {
        return;
    }
    if (!current_accel->dump_vcpu) {
        hmp_printf(ctx, "the %s accelerator cannot show registers\n", current_accel->name);
        return;
    }
    f = open_memstream(&text, &size);
    if (!f) {
        hmp_printf(ctx, "cannot capture the register dump: %s\n", g_strerror(errno));
        return;
    }
    cpu_run_on(cpu, hmp_dump_on_cpu, f);
    fclose(f);
    hmp_printf(ctx, "%s", text);
    free(text);
}

static void hmp_info_cpus(HmpContext *ctx, const char *args)
{
    for (unsigned i = 0; i < cpus_count; i++) {
        hmp_printf(ctx, "%c CPU #%d: thread_id=%d\n", (int)i == ctx->cpu_index ? '*' : ' ',
                   cpus[i]->index, cpus[i]->thread_id);
    }
}

static void hmp_print_block(BlockBackend *blk, void *opaque)
{
    hmp_printf(opaque, "%s (#block%s): %s (%s%s)\n", blk_name(blk), blk_name(blk),
               blk_filename(blk), blk_format_name(blk), blk_is_read_only(blk) ? ", read-only" : "");
}

static void hmp_info_block(HmpContext *ctx, const char *args)
{
    blk_foreach(hmp_print_block, ctx);
}

static void hmp_print_chardev(Chardev *chr, void *opaque)
{
    HmpContext *ctx = opaque;
    const char *filename = chardev_filename(chr);

    hmp_printf(ctx, "%s: filename=%s\n", chardev_id(chr),
               filename ? filename : chardev_backend_name(chr));
}

static void hmp_info_chardev(HmpContext *ctx, const char *args)
{
    chardev_foreach(hmp_print_chardev, ctx);
}

static void hmp_print_device(DeviceState *dev, void *opaque)
{
    HmpContext *ctx = opaque;
    g_autofree const Property **props = qdev_type_properties(dev->type);

    hmp_printf(ctx, "  dev: %s, id \"%s\"\n", dev->type->name, dev->id ? dev->id : "");
    for (const Property **pp = props; *pp; pp++) {
        g_autofree char *value = qdev_prop_format(dev, *pp);

        hmp_printf(ctx, "    %s = %s\n", (*pp)->name, value);
    }
}

static void hmp_info_qtree(HmpContext *ctx, const char *args)
{
    hmp_printf(ctx, "machine: %s\n", current_machine ? current_machine->mc->name : "none");
    qdev_foreach(hmp_print_device, ctx);
}

static void hmp_print_mtree(HmpContext *ctx, const char *name, MemoryRegion *root)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    g_auto(GStrv) lines = NULL;

    if (!f) {
        hmp_printf(ctx, "cannot capture the memory tree: %s\n", g_strerror(errno));
        return;
    }
    memory_region_dump_tree(root, f);
    fclose(f);
    lines = g_strsplit(text, "\n", -1);
    free(text);
    hmp_printf(ctx, "address-space: %s\n", name);
    for (char **l = lines; *l; l++) {
        if (**l) {
            hmp_printf(ctx, "  %s\n", *l);
        }
    }
    hmp_printf(ctx, "\n");
}

static void hmp_info_mtree(HmpContext *ctx, const char *args)
{
    hmp_print_mtree(ctx, "memory", get_system_memory());
    hmp_print_mtree(ctx, "I/O", get_system_io());
}

static void hmp_info_kvm(HmpContext *ctx, const char *args)
{
    bool enabled = current_accel && !strcmp(current_accel->name, "kvm");

    if (!accel_find("kvm")) {
        hmp_printf(ctx, "kvm support: not compiled\n");
    } else {
        hmp_printf(ctx, "kvm support: %s\n", enabled ? "enabled" : "disabled");
    }
}

static void hmp_info_version(HmpContext *ctx, const char *args)
{
    hmp_printf(ctx, "%s (kestrel-%s)\n", KESTREL_VERSION, KESTREL_VERSION);
}

const HmpCommand hmp_info_commands[] = {
    { "status", "", "show the current VM status (running|paused)", hmp_info_status },
    { "registers", "", "show the cpu registers", hmp_info_registers },
    { "cpus", "", "show infos for each CPU", hmp_info_cpus },
    { "block", "", "show the block devices", hmp_info_block },
    { "chardev", "", "show the character devices", hmp_info_chardev },
    { "qtree", "", "show device tree", hmp_info_qtree },
    { "mtree", "", "show memory tree", hmp_info_mtree },
    { "kvm", "", "show KVM information", hmp_info_kvm },
    { "version", "", "show the version of Kestrel", hmp_info_version },
    { NULL },
};

const HmpCommand hmp_commands[] = {
    { "help|?", "[cmd]", "show the help", hmp_help },
    { "info", "[subcommand]", "show various information about the system state", hmp_info },
    { "cpu", "index", "set the default CPU", hmp_cpu },
    { "stop", "", "stop emulation", hmp_stop },
    { "cont|c", "", "resume emulation", hmp_cont },
    { "system_reset", "", "reset the system", hmp_system_reset },
    { "system_powerdown", "", "send system power down event", hmp_system_powerdown },
    { "quit|q", "", "quit the emulator", hmp_quit },
    { "x", "/fmt addr", "virtual memory dump starting at 'addr'", hmp_x },
    { "xp", "/fmt addr", "physical memory dump starting at 'addr'", hmp_xp },
    { NULL },
};
