/*
 * x86 direct kernel boot, the common part: guest RAM lookups, the E820 map,
 * reading the kernel and initrd files, telling the kernel formats apart,
 * placing the initrd and command line, and the boot GDT and page tables both
 * entry protocols need. The formats themselves live in x86-linux-boot.c
 * (bzImage) and x86-pvh-boot.c (ELF with a PVH note).
 */
#include "util/osdep.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "x86-boot-internal.h"

#define FOUR_GIB (4 * GiB)

/* Offset into the host buffer of guest [gpa, gpa+len), or -1. */
static int64_t x86_ram_map_offset(const X86RamMap *ram, uint64_t gpa, uint64_t len)
{
    uint64_t high_size = ram->size - ram->below_4g;

    if (gpa < ram->below_4g) {
        return len <= ram->below_4g - gpa ? (int64_t)gpa : -1;
    }
    if (gpa >= FOUR_GIB && gpa - FOUR_GIB <= high_size &&
        len <= high_size - (gpa - FOUR_GIB)) {
        return (int64_t)(ram->below_4g + (gpa - FOUR_GIB));
    }
    return -1;
}

bool x86_ram_map_contains(const X86RamMap *ram, uint64_t gpa, uint64_t len)
{
    return x86_ram_map_offset(ram, gpa, len) >= 0;
}

void *x86_ram_map_ptr(const X86RamMap *ram, uint64_t gpa, uint64_t len)
{
    int64_t off = x86_ram_map_offset(ram, gpa, len);

    return off >= 0 && ram->host ? ram->host + off : NULL;
}

static void x86_e820_add(X86E820Entry *out, unsigned *n, uint64_t addr, uint64_t size,
                         uint32_t type)
{
    if (size) {
        out[*n] = (X86E820Entry){ .addr = addr, .size = size, .type = type };
        (*n)++;
    }
}

/*
 * Conventional memory up to 640 KiB, the BIOS area from 0xE0000 reserved (the
 * ACPI tables and a firmware alias live there), the rest of low RAM from
 * 1 MiB, and RAM above 4 GiB. 640 KiB..896 KiB is left out, as on a PC.
 */
unsigned x86_e820_build(const X86RamMap *ram, X86E820Entry out[X86_E820_MAX_ENTRIES])
{
    uint64_t low = ram->below_4g;
    unsigned n = 0;

    x86_e820_add(out, &n, 0, MIN(low, 0xa0000), X86_E820_RAM);
    x86_e820_add(out, &n, X86_BOOT_BIOS_START, X86_BOOT_HIGH_START - X86_BOOT_BIOS_START,
                 X86_E820_RESERVED);
    if (low > X86_BOOT_HIGH_START) {
        x86_e820_add(out, &n, X86_BOOT_HIGH_START, low - X86_BOOT_HIGH_START, X86_E820_RAM);
    }
    x86_e820_add(out, &n, FOUR_GIB, ram->size - low, X86_E820_RAM);
    return n;
}

bool x86_boot_read_file(const char *what, const char *path, uint8_t **data, size_t *len,
                        GError **errp)
{
    struct stat st;
    uint8_t *buf;
    size_t done = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        error_setg_errno(errp, errno, "%s '%s'", what, path);
        return false;
    }
    if (fstat(fd, &st) < 0) {
        error_setg_errno(errp, errno, "%s '%s'", what, path);
        close(fd);
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        error_setg(errp, "%s '%s': not a regular file", what, path);
        close(fd);
        return false;
    }
    buf = g_try_malloc(st.st_size ? st.st_size : 1);
    if (!buf) {
        error_setg(errp, "%s '%s': too large to load", what, path);
        close(fd);
        return false;
    }
    while (done < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + done, st.st_size - done);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            if (r == 0) {
                error_setg(errp, "%s '%s': file shrank while being read", what, path);
            } else {
                error_setg_errno(errp, errno, "%s '%s'", what, path);
            }
            g_free(buf);
            close(fd);
            return false;
        }
        done += r;
    }
    close(fd);
    *data = buf;
    *len = done;
    return true;
}

/* Highest 4 KiB-aligned spot below the initrd limit, but above the kernel. */
static bool x86_boot_place_initrd(X86BootImage *img, const X86RamMap *ram, const char *path,
                                  GError **errp)
{
    uint64_t limit = MIN(img->initrd_limit, ram->below_4g);

    if (img->initrd_size == 0) {
        error_setg(errp, "initrd '%s': empty file", path);
        return false;
    }
    if (img->initrd_size > limit ||
        ROUND_DOWN(limit - img->initrd_size, 4 * KiB) < img->kernel_end) {
        error_setg(errp, "initrd '%s' (%zu bytes) does not fit in RAM between the kernel "
                   "(ending at 0x%" PRIx64 ") and 0x%" PRIx64 " (use more memory, -m)",
                   path, img->initrd_size, img->kernel_end, limit);
        return false;
    }
    img->initrd_addr = ROUND_DOWN(limit - img->initrd_size, 4 * KiB);
    return true;
}

X86BootImage *x86_boot_image_load(const X86BootConfig *cfg, const X86RamMap *ram,
                                  GError **errp)
{
    g_autoptr(X86BootImage) img = g_new0(X86BootImage, 1);
    static const uint8_t elf_magic[4] = { 0x7f, 'E', 'L', 'F' };
    bool ok;

    if (ram->below_4g < X86_BOOT_HIGH_START || ram->below_4g > ram->size) {
        error_setg(errp, "kernel '%s': direct boot needs at least 1 MiB of RAM", cfg->kernel);
        return NULL;
    }
    img->kernel_path = g_strdup(cfg->kernel);
    img->cmdline = g_strdup(cfg->cmdline ? cfg->cmdline : "");
    img->has_cmdline = cfg->cmdline != NULL;
    img->rsdp_addr = cfg->rsdp_addr;
    if (!x86_boot_read_file("kernel", cfg->kernel, &img->kernel, &img->kernel_size, errp)) {
        return NULL;
    }
    if (img->kernel_size >= sizeof(elf_magic) &&
        memcmp(img->kernel, elf_magic, sizeof(elf_magic)) == 0) {
        img->kind = X86_IMAGE_PVH;
        ok = x86_pvh_parse(img, ram, errp);
    } else {
        img->kind = X86_IMAGE_BZIMAGE;
        ok = x86_linux_parse(img, ram, errp);
    }
    if (!ok) {
        return NULL;
    }
    if (strlen(img->cmdline) > img->cmdline_max) {
        error_setg(errp, "kernel '%s': the command line is %zu bytes, the kernel accepts at "
                   "most %" PRIu64, cfg->kernel, strlen(img->cmdline), img->cmdline_max);
        return NULL;
    }
    if (cfg->initrd) {
        if (!x86_boot_read_file("initrd", cfg->initrd, &img->initrd, &img->initrd_size, errp) ||
            !x86_boot_place_initrd(img, ram, cfg->initrd, errp)) {
            return NULL;
        }
    }
    return g_steal_pointer(&img);
}

void x86_boot_image_install(const X86BootImage *img, const X86RamMap *ram, X86BootState *bs)
{
    memset(bs, 0, sizeof(*bs));
    x86_boot_write_initrd_cmdline(img, ram);
    if (img->kind == X86_IMAGE_PVH) {
        x86_pvh_install(img, ram, bs);
    } else {
        x86_linux_install(img, ram, bs);
    }
}

void x86_boot_image_free(X86BootImage *img)
{
    if (!img) {
        return;
    }
    g_free(img->kernel_path);
    g_free(img->kernel);
    g_free(img->initrd);
    g_free(img->cmdline);
    if (img->segments) {
        g_array_free(img->segments, true);
    }
    g_free(img);
}

void x86_boot_write_initrd_cmdline(const X86BootImage *img, const X86RamMap *ram)
{
    size_t len = strlen(img->cmdline) + 1;
    uint8_t *p = x86_ram_map_ptr(ram, X86_BOOT_CMDLINE_ADDR, len);

    g_assert(p);
    memcpy(p, img->cmdline, len);
    if (img->initrd) {
        p = x86_ram_map_ptr(ram, img->initrd_addr, img->initrd_size);
        g_assert(p);
        memcpy(p, img->initrd, img->initrd_size);
    }
}

/* Flat 4 GiB segments: code execute/read (long mode or 32-bit), data read/write. */
#define GDT_CODE64 0x00af9b000000ffffULL
#define GDT_CODE32 0x00cf9b000000ffffULL
#define GDT_DATA   0x00cf93000000ffffULL
#define GDT_ENTRIES 4

void x86_boot_write_gdt(const X86RamMap *ram, bool long_mode, X86BootState *bs)
{
    uint8_t *gdt = x86_ram_map_ptr(ram, X86_BOOT_GDT_ADDR, GDT_ENTRIES * 8);

    g_assert(gdt);
    memset(gdt, 0, GDT_ENTRIES * 8);
    x86_st64(gdt + X86_BOOT_CS, long_mode ? GDT_CODE64 : GDT_CODE32);
    x86_st64(gdt + X86_BOOT_DS, GDT_DATA);
    bs->gdt_base = X86_BOOT_GDT_ADDR;
    bs->gdt_limit = GDT_ENTRIES * 8 - 1;
}

#define PTE_PRESENT  0x1ULL
#define PTE_WRITE    0x2ULL
#define PTE_LARGE    0x80ULL
#define PAGE_SIZE    0x1000

/* PML4, one PDPT, then four page directories of 2 MiB pages. */
void x86_boot_write_page_tables(const X86RamMap *ram, X86BootState *bs)
{
    const uint64_t pdpt = X86_BOOT_PML4_ADDR + PAGE_SIZE;
    const uint64_t pd = pdpt + PAGE_SIZE;
    uint8_t *p = x86_ram_map_ptr(ram, X86_BOOT_PML4_ADDR, 6 * PAGE_SIZE);

    g_assert(p);
    memset(p, 0, 6 * PAGE_SIZE);
    x86_st64(p, pdpt | PTE_PRESENT | PTE_WRITE);
    for (unsigned i = 0; i < 4; i++) {
        x86_st64(p + PAGE_SIZE + i * 8, (pd + i * PAGE_SIZE) | PTE_PRESENT | PTE_WRITE);
    }
    for (unsigned i = 0; i < 4 * 512; i++) {
        x86_st64(p + 2 * PAGE_SIZE + i * 8,
                 (uint64_t)i * 2 * MiB | PTE_PRESENT | PTE_WRITE | PTE_LARGE);
    }
    bs->cr3 = X86_BOOT_PML4_ADDR;
}
