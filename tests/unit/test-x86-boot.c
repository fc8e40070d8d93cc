/*
 * Unit tests of the x86 direct kernel loaders (hw/i386/x86-boot.c and the
 * bzImage and PVH formats): images are synthesized into temporary files and
 * loaded into a plain RAM buffer, then the kernel placement, the zero page or
 * hvm_start_info, the E820 map, the initrd, page tables, GDT and the boot
 * vCPU state are checked, along with the errors for malformed files. A Debian
 * kernel, if tests/guests/debian-x86.sh has cached one, must load too.
 */
#include "util/osdep.h"

#include <elf.h>

#include "hw/i386/x86-boot.h"

#define RAM_SIZE        (64 * MiB)
#define SETUP_SECTS     4
#define SETUP_SIZE      ((SETUP_SECTS + 1) * 512)
#define PAYLOAD_SIZE    (64 * KiB)
#define RSDP_ADDR       0xe0000

static char *tmp_dir;
static const char *const tmp_files[] = { "kernel", "initrd", "empty" };

static uint16_t ld16(const uint8_t *p)
{
    return p[0] | p[1] << 8;
}

static uint32_t ld32(const uint8_t *p)
{
    return ld16(p) | (uint32_t)ld16(p + 2) << 16;
}

static uint64_t ld64(const uint8_t *p)
{
    return ld32(p) | (uint64_t)ld32(p + 4) << 32;
}

static void st16(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}

static void st32(uint8_t *p, uint32_t v)
{
    st16(p, v);
    st16(p + 2, v >> 16);
}

static void st64(uint8_t *p, uint64_t v)
{
    st32(p, v);
    st32(p + 4, v >> 32);
}

static X86RamMap ram_new(uint64_t size, uint64_t below_4g)
{
    X86RamMap map = { .host = g_malloc(size), .size = size, .below_4g = below_4g };

    memset(map.host, 0xaa, size);
    return map;
}

static char *write_tmp(const char *name, const void *data, size_t len)
{
    char *path = g_build_filename(tmp_dir, name, NULL);

    g_assert_true(g_file_set_contents(path, data, len, NULL));
    return path;
}

/* A bzImage with a 64 KiB protected-mode part filled with a byte pattern. */
static GByteArray *bzimage_new(void)
{
    GByteArray *img = g_byte_array_new();
    uint8_t *k;

    g_byte_array_set_size(img, SETUP_SIZE + PAYLOAD_SIZE);
    k = img->data;
    memset(k, 0, img->len);
    k[0x1f1] = SETUP_SECTS;
    st32(k + 0x1f4, PAYLOAD_SIZE / 16);
    st16(k + 0x1fe, 0xaa55);
    k[0x200] = 0xeb;
    k[0x201] = 0x6a;                    /* header ends at 0x26c */
    memcpy(k + 0x202, "HdrS", 4);
    st16(k + 0x206, 0x020f);
    k[0x211] = 0x01;                    /* LOADED_HIGH */
    st32(k + 0x22c, 0x7fffffff);        /* initrd_addr_max */
    st32(k + 0x230, 2 * MiB);           /* kernel_alignment */
    k[0x234] = 1;                       /* relocatable */
    st16(k + 0x236, 0x3);               /* XLF_KERNEL_64 | CAN_BE_LOADED_ABOVE_4G */
    st32(k + 0x238, 2047);              /* cmdline_size */
    st64(k + 0x258, 16 * MiB);          /* pref_address */
    st32(k + 0x260, 4 * MiB);           /* init_size */
    for (size_t i = 0; i < PAYLOAD_SIZE; i++) {
        k[SETUP_SIZE + i] = i * 7 + 3;
    }
    return img;
}

static X86BootImage *load(const void *kernel, size_t len, const char *initrd,
                          const char *cmdline, const X86RamMap *ram, GError **errp)
{
    g_autofree char *path = write_tmp("kernel", kernel, len);
    X86BootConfig cfg = {
        .kernel = path, .initrd = initrd, .cmdline = cmdline, .rsdp_addr = RSDP_ADDR,
    };

    return x86_boot_image_load(&cfg, ram, errp);
}

/* Checks that E820 entries are sorted, disjoint and that RAM ends where it should. */
static void check_e820(const uint8_t *table, unsigned stride, unsigned n, const X86RamMap *ram)
{
    uint64_t end = 0, ram_bytes = 0;

    g_assert_cmpuint(n, >=, 3);
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *e = table + i * stride;
        uint64_t addr = ld64(e), size = ld64(e + 8);
        uint32_t type = ld32(e + 16);

        g_assert_cmpuint(addr, >=, end);
        g_assert_cmpuint(size, >, 0);
        g_assert_true(type == 1 || type == 2);
        end = addr + size;
        if (type == 1) {
            ram_bytes += size;
            g_assert_true(addr + size <= ram->below_4g || addr >= 4 * GiB);
        }
    }
    /* Everything but 640 KiB..1 MiB is RAM, and 0..640 KiB is the first entry. */
    g_assert_cmpuint(ld64(table), ==, 0);
    g_assert_cmpuint(ld64(table + 8), ==, 0xa0000);
    g_assert_cmpuint(ram_bytes, ==, ram->size - (MiB - 0xa0000));
    g_assert_cmpuint(end, ==, ram->size > ram->below_4g ?
                     4 * GiB + ram->size - ram->below_4g : ram->below_4g);
}

static void check_page_tables(const X86RamMap *ram, const X86BootState *bs)
{
    const uint8_t *pml4 = ram->host + bs->cr3;
    uint64_t pdpt = ld64(pml4) & ~0xfffULL;

    g_assert_cmpuint(bs->cr3, ==, 0x9000);
    g_assert_cmpuint(ld64(pml4) & 3, ==, 3);
    for (unsigned gib = 0; gib < 4; gib++) {
        uint64_t pd = ld64(ram->host + pdpt + gib * 8) & ~0xfffULL;
        /* The last 2 MiB page of each GiB maps itself. */
        uint64_t pde = ld64(ram->host + pd + 511 * 8);
        g_assert_cmpuint(pde, ==, (gib * GiB + 511 * 2 * MiB) | 0x83);
    }
}

static void check_gdt(const X86RamMap *ram, const X86BootState *bs, bool long_mode)
{
    const uint8_t *gdt = ram->host + bs->gdt_base;

    g_assert_cmpuint(bs->gdt_limit, ==, 31);
    g_assert_cmpuint(ld64(gdt + X86_BOOT_CS), ==,
                     long_mode ? 0x00af9b000000ffffULL : 0x00cf9b000000ffffULL);
    g_assert_cmpuint(ld64(gdt + X86_BOOT_DS), ==, 0x00cf93000000ffffULL);
}

static void test_bzimage_good(void)
{
    g_autoptr(GByteArray) k = bzimage_new();
    X86RamMap ram = ram_new(RAM_SIZE, RAM_SIZE);
    g_autofree uint8_t *initrd_data = g_malloc(10000);
    g_autofree char *initrd = NULL;
    g_autoptr(X86BootImage) img = NULL;
    g_autoptr(GError) err = NULL;
    X86BootState bs;
    const uint8_t *bp = ram.host + 0x7000;
    uint64_t initrd_addr;

    memset(initrd_data, 0x5a, 10000);
    initrd = write_tmp("initrd", initrd_data, 10000);
    img = load(k->data, k->len, initrd, "console=ttyS0 quiet", &ram, &err);
    g_assert_no_error(err);
    x86_boot_image_install(img, &ram, &bs);

    /* Relocatable, so the kernel sits at its preferred 16 MiB. */
    g_assert_cmpmem(ram.host + 16 * MiB, PAYLOAD_SIZE, k->data + SETUP_SIZE, PAYLOAD_SIZE);
    g_assert_cmpuint(bs.mode, ==, X86_BOOT_LONG64);
    g_assert_cmpuint(bs.rip, ==, 16 * MiB + 0x200);
    g_assert_cmpuint(bs.rsi, ==, 0x7000);
    g_assert_cmpuint(bs.rsp, <=, 0x7000);
    g_assert_cmpuint(bs.rsp, >, 0x1000);

    /* The setup header is copied, then the loader's fields are filled in. */
    g_assert_cmpuint(bp[0x1f1], ==, SETUP_SECTS);
    g_assert_cmpuint(ld16(bp + 0x1fe), ==, 0xaa55);
    g_assert_cmpmem(bp + 0x202, 4, "HdrS", 4);
    g_assert_cmpuint(ld16(bp + 0x206), ==, 0x020f);
    g_assert_cmpuint(ld32(bp + 0x238), ==, 2047);
    g_assert_cmpuint(bp[0x210], ==, 0xff);
    g_assert_cmpuint(bp[0x211] & 0x81, ==, 0x81);
    g_assert_cmpuint(ld16(bp + 0x224), ==, 0xfe00);
    g_assert_cmpuint(ld32(bp + 0x214), ==, 16 * MiB);
    g_assert_cmpuint(ld32(bp + 0x228), ==, 0x20000);
    g_assert_cmpstr((const char *)ram.host + 0x20000, ==, "console=ttyS0 quiet");
    g_assert_cmpuint(ld64(bp + 0x070), ==, RSDP_ADDR);
    /* Nothing outside the header and the loader's fields: the sentinel stays 0. */
    g_assert_cmpuint(bp[0x1ef], ==, 0);

    /* The initrd is as high as it goes, 4 KiB aligned. */
    initrd_addr = ld32(bp + 0x218) | (uint64_t)ld32(bp + 0x0c0) << 32;
    g_assert_cmpuint(initrd_addr, ==, ROUND_DOWN(RAM_SIZE - 10000, 4 * KiB));
    g_assert_cmpuint(ld32(bp + 0x21c), ==, 10000);
    g_assert_cmpmem(ram.host + initrd_addr, 10000, initrd_data, 10000);

    check_e820(bp + 0x2d0, 20, bp[0x1e8], &ram);
    check_page_tables(&ram, &bs);
    check_gdt(&ram, &bs, true);
    g_free(ram.host);
}

static void test_bzimage_placement(void)
{
    g_autoptr(GByteArray) k = bzimage_new();
    X86RamMap ram = ram_new(RAM_SIZE, RAM_SIZE);
    g_autoptr(X86BootImage) img = NULL;
    X86BootState bs;

    /* Not relocatable: loaded at 1 MiB. */
    k->data[0x234] = 0;
    img = load(k->data, k->len, NULL, NULL, &ram, NULL);
    g_assert_nonnull(img);
    x86_boot_image_install(img, &ram, &bs);
    g_assert_cmpuint(bs.rip, ==, MiB + 0x200);
    g_assert_cmpmem(ram.host + MiB, PAYLOAD_SIZE, k->data + SETUP_SIZE, PAYLOAD_SIZE);
    g_assert_cmpstr((const char *)ram.host + 0x20000, ==, "");
    g_clear_pointer(&img, x86_boot_image_free);

    /* Relocatable, but the preferred address is beyond RAM: 1 MiB too. */
    k->data[0x234] = 1;
    st64(k->data + 0x258, 1 * GiB);
    img = load(k->data, k->len, NULL, NULL, &ram, NULL);
    g_assert_nonnull(img);
    x86_boot_image_install(img, &ram, &bs);
    g_assert_cmpuint(bs.rip, ==, MiB + 0x200);
    g_free(ram.host);
}

static void test_bzimage_initrd_max(void)
{
    g_autoptr(GByteArray) k = bzimage_new();
    X86RamMap ram = ram_new(RAM_SIZE, RAM_SIZE);
    g_autofree uint8_t *data = g_malloc0(MiB + 1);
    g_autofree char *initrd = write_tmp("initrd", data, MiB + 1);
    g_autoptr(X86BootImage) img = NULL;
    g_autoptr(GError) err = NULL;
    X86BootState bs;
    uint32_t addr;

    st32(k->data + 0x22c, 32 * MiB - 1);
    img = load(k->data, k->len, initrd, NULL, &ram, NULL);
    g_assert_nonnull(img);
    x86_boot_image_install(img, &ram, &bs);
    addr = ld32(ram.host + 0x7000 + 0x218);
    g_assert_cmpuint(addr % (4 * KiB), ==, 0);
    g_assert_cmpuint(addr + MiB + 1, <=, 32 * MiB);
    g_assert_cmpuint(addr, ==, ROUND_DOWN(32 * MiB - (MiB + 1), 4 * KiB));
    g_clear_pointer(&img, x86_boot_image_free);

    /* Between the kernel's end (16 MiB + init_size) and 20 MiB there is no room. */
    st32(k->data + 0x22c, 20 * MiB - 1);
    img = load(k->data, k->len, initrd, NULL, &ram, &err);
    g_assert_null(img);
    g_assert_nonnull(strstr(err->message, "does not fit"));
    g_free(ram.host);
}

static void test_bzimage_cmdline_too_long(void)
{
    g_autoptr(GByteArray) k = bzimage_new();
    X86RamMap ram = { .size = RAM_SIZE, .below_4g = RAM_SIZE };
    g_autoptr(GError) err = NULL;
    g_autoptr(X86BootImage) img = NULL;

    st32(k->data + 0x238, 16);
    img = load(k->data, k->len, NULL, "0123456789abcdef", &ram, NULL);
    g_assert_nonnull(img);
    g_clear_pointer(&img, x86_boot_image_free);
    img = load(k->data, k->len, NULL, "0123456789abcdefX", &ram, &err);
    g_assert_null(img);
    g_assert_nonnull(strstr(err->message, "command line is 17 bytes"));
}

/* Loads K and expects an error containing WHAT. */
static void expect_error(const GByteArray *k, const X86RamMap *ram, const char *what)
{
    g_autoptr(GError) err = NULL;
    X86BootImage *img = load(k->data, k->len, NULL, NULL, ram, &err);

    g_assert_null(img);
    g_assert_nonnull(err);
    if (!strstr(err->message, what)) {
        g_test_message("error was: %s", err->message);
        g_assert_not_reached();
    }
    g_assert_nonnull(strstr(err->message, "kernel '"));
}

static void test_bzimage_bad(void)
{
    X86RamMap ram = { .size = RAM_SIZE, .below_4g = RAM_SIZE };
    g_autoptr(GByteArray) k = NULL;

    k = bzimage_new();
    k->data[0x202] = 'X';
    expect_error(k, &ram, "no HdrS signature");
    g_byte_array_unref(k);

    k = bzimage_new();
    st16(k->data + 0x1fe, 0x1234);
    expect_error(k, &ram, "not a bzImage or ELF");
    g_byte_array_unref(k);

    k = bzimage_new();
    st16(k->data + 0x206, 0x020b);
    expect_error(k, &ram, "boot protocol 2.11 is too old");
    g_byte_array_unref(k);

    k = bzimage_new();
    st16(k->data + 0x236, 0x2);
    expect_error(k, &ram, "no 64-bit entry point");
    g_byte_array_unref(k);

    k = bzimage_new();
    k->data[0x211] = 0;
    expect_error(k, &ram, "zImage");
    g_byte_array_unref(k);

    /* syssize beyond the end of the file */
    k = bzimage_new();
    g_byte_array_set_size(k, k->len - 16);
    expect_error(k, &ram, "truncated");
    g_byte_array_unref(k);

    /* setup_sects beyond the end of the file */
    k = bzimage_new();
    k->data[0x1f1] = 200;
    expect_error(k, &ram, "truncated");
    g_byte_array_unref(k);

    k = bzimage_new();
    g_byte_array_set_size(k, 600);
    expect_error(k, &ram, "only 600 bytes");
    g_byte_array_unref(k);

    /* A kernel needing more memory than there is. */
    k = bzimage_new();
    st32(k->data + 0x260, 100 * MiB);
    expect_error(k, &ram, "needs RAM up to");
}

static void test_missing_files(void)
{
    g_autoptr(GByteArray) k = bzimage_new();
    X86RamMap ram = { .size = RAM_SIZE, .below_4g = RAM_SIZE };
    X86BootConfig cfg = { .kernel = "/nonexistent/vmlinuz" };
    g_autoptr(GError) err = NULL;
    g_autofree char *empty = write_tmp("empty", "", 0);

    g_assert_null(x86_boot_image_load(&cfg, &ram, &err));
    g_assert_nonnull(strstr(err->message, "kernel '/nonexistent/vmlinuz'"));
    g_clear_error(&err);

    g_assert_null(load(k->data, k->len, "/nonexistent/initrd", NULL, &ram, &err));
    g_assert_nonnull(strstr(err->message, "initrd '/nonexistent/initrd'"));
    g_clear_error(&err);

    g_assert_null(load(k->data, k->len, empty, NULL, &ram, &err));
    g_assert_nonnull(strstr(err->message, "empty"));
    g_clear_error(&err);

    g_assert_null(load("hello", 5, NULL, NULL, &ram, &err));
    g_assert_nonnull(strstr(err->message, "not a bzImage or ELF kernel"));
}

static void test_e820_high(void)
{
    X86RamMap ram = { .size = 5 * GiB, .below_4g = 3 * GiB };
    X86E820Entry e[X86_E820_MAX_ENTRIES];
    unsigned n = x86_e820_build(&ram, e);

    g_assert_cmpuint(n, ==, 4);
    g_assert_cmpuint(e[2].addr, ==, MiB);
    g_assert_cmpuint(e[2].addr + e[2].size, ==, 3 * GiB);
    g_assert_cmpuint(e[3].addr, ==, 4 * GiB);
    g_assert_cmpuint(e[3].size, ==, 2 * GiB);
    g_assert_cmpuint(e[3].type, ==, X86_E820_RAM);
    g_assert_true(x86_ram_map_contains(&ram, 4 * GiB, 2 * GiB));
    g_assert_false(x86_ram_map_contains(&ram, 4 * GiB, 2 * GiB + 1));
    g_assert_false(x86_ram_map_contains(&ram, 3 * GiB, 1));
    g_assert_false(x86_ram_map_contains(&ram, 3 * GiB - 1, 2));
    g_assert_false(x86_ram_map_contains(&ram, UINT64_MAX, 2));
}

/* ---- PVH ---- */

#define PVH_LOAD_ADDR   0x100000
#define PVH_FILESZ      0x300
#define PVH_MEMSZ       0x2000
#define PVH_ENTRY       0x100040

/*
 * An ELF (64- or 32-bit) with one PT_LOAD and one PT_NOTE holding a GNU note
 * and then the Xen PHYS32_ENTRY note (DESCSZ 4 or 8 bytes).
 */
static GByteArray *pvh_new(bool is64, unsigned descsz)
{
    GByteArray *e = g_byte_array_new();
    size_t ehsz = is64 ? 64 : 52, phsz = is64 ? 56 : 32;
    size_t phoff = ehsz, note_off = phoff + 2 * phsz, note_len, load_off = 0x1000;
    uint8_t *p;

    g_byte_array_set_size(e, load_off + PVH_FILESZ);
    p = e->data;
    memset(p, 0, e->len);
    memcpy(p, ELFMAG, SELFMAG);
    p[EI_CLASS] = is64 ? ELFCLASS64 : ELFCLASS32;
    p[EI_DATA] = ELFDATA2LSB;
    p[EI_VERSION] = EV_CURRENT;
    st16(p + 16, ET_EXEC);
    st16(p + 18, is64 ? EM_X86_64 : EM_386);
    st32(p + 20, EV_CURRENT);
    if (is64) {
        st64(p + 24, 0xffffffff81000000ULL);
        st64(p + 32, phoff);
        st16(p + 52, ehsz);
        st16(p + 54, phsz);
        st16(p + 56, 2);
    } else {
        st32(p + 24, PVH_ENTRY);
        st32(p + 28, phoff);
        st16(p + 40, ehsz);
        st16(p + 42, phsz);
        st16(p + 44, 2);
    }

    /* Notes: "GNU" build-id style first, then Xen. */
    p = e->data + note_off;
    st32(p, 4);
    st32(p + 4, 4);
    st32(p + 8, 3);
    memcpy(p + 12, "GNU", 4);
    st32(p + 16, 0x12345678);
    p += 20;
    st32(p, 4);
    st32(p + 4, descsz);
    st32(p + 8, 18);
    memcpy(p + 12, "Xen", 4);
    if (descsz == 8) {
        st64(p + 16, PVH_ENTRY);
    } else {
        st32(p + 16, PVH_ENTRY);
    }
    note_len = 20 + 16 + descsz;

    for (int i = 0; i < 2; i++) {
        uint32_t type = i == 0 ? PT_LOAD : PT_NOTE;
        uint64_t off = i == 0 ? load_off : note_off;
        uint64_t paddr = i == 0 ? PVH_LOAD_ADDR : 0;
        uint64_t filesz = i == 0 ? PVH_FILESZ : note_len;
        uint64_t memsz = i == 0 ? PVH_MEMSZ : note_len;

        p = e->data + phoff + i * phsz;
        st32(p, type);
        if (is64) {
            st64(p + 8, off);
            st64(p + 16, paddr | 0xffffffff80000000ULL);
            st64(p + 24, paddr);
            st64(p + 32, filesz);
            st64(p + 40, memsz);
            st64(p + 48, 4);
        } else {
            st32(p + 4, off);
            st32(p + 8, paddr);
            st32(p + 12, paddr);
            st32(p + 16, filesz);
            st32(p + 20, memsz);
            st32(p + 28, 4);
        }
    }
    for (size_t i = 0; i < PVH_FILESZ; i++) {
        e->data[load_off + i] = i ^ 0x3c;
    }
    return e;
}

static void check_pvh(bool is64, unsigned descsz)
{
    g_autoptr(GByteArray) k = pvh_new(is64, descsz);
    X86RamMap ram = ram_new(RAM_SIZE, RAM_SIZE);
    g_autofree char *initrd = write_tmp("initrd", "INITRD-DATA", 11);
    g_autoptr(X86BootImage) img = NULL;
    const uint8_t *si = ram.host + 0x7000, *mod;
    X86BootState bs;

    img = load(k->data, k->len, initrd, "root=/dev/vda", &ram, NULL);
    g_assert_nonnull(img);
    x86_boot_image_install(img, &ram, &bs);

    g_assert_cmpmem(ram.host + PVH_LOAD_ADDR, PVH_FILESZ, k->data + 0x1000, PVH_FILESZ);
    for (size_t i = PVH_FILESZ; i < PVH_MEMSZ; i++) {
        g_assert_cmpuint(ram.host[PVH_LOAD_ADDR + i], ==, 0);
    }
    g_assert_cmpuint(bs.mode, ==, X86_BOOT_PROTECTED32);
    g_assert_cmpuint(bs.rip, ==, PVH_ENTRY);
    g_assert_cmpuint(bs.rbx, ==, 0x7000);
    check_gdt(&ram, &bs, false);

    g_assert_cmpuint(ld32(si), ==, 0x336ec578);
    g_assert_cmpuint(ld32(si + 4), ==, 1);
    g_assert_cmpuint(ld32(si + 12), ==, 1);
    mod = ram.host + ld64(si + 16);
    g_assert_cmpuint(ld64(mod), ==, ROUND_DOWN(RAM_SIZE - 11, 4 * KiB));
    g_assert_cmpuint(ld64(mod + 8), ==, 11);
    g_assert_cmpmem(ram.host + ld64(mod), 11, "INITRD-DATA", 11);
    g_assert_cmpstr((const char *)ram.host + ld64(si + 24), ==, "root=/dev/vda");
    g_assert_cmpuint(ld64(si + 32), ==, RSDP_ADDR);
    check_e820(ram.host + ld64(si + 40), 24, ld32(si + 48), &ram);
    g_assert_cmpuint(ld32(si + 52), ==, 0);
    g_free(ram.host);
}

static void test_pvh_elf64(void)
{
    check_pvh(true, 4);
}

static void test_pvh_elf64_note8(void)
{
    check_pvh(true, 8);
}

static void test_pvh_elf32(void)
{
    check_pvh(false, 4);
}

static void test_pvh_no_cmdline(void)
{
    g_autoptr(GByteArray) k = pvh_new(true, 4);
    X86RamMap ram = ram_new(RAM_SIZE, RAM_SIZE);
    g_autoptr(X86BootImage) img = load(k->data, k->len, NULL, NULL, &ram, NULL);
    X86BootState bs;

    g_assert_nonnull(img);
    x86_boot_image_install(img, &ram, &bs);
    g_assert_cmpuint(ld64(ram.host + 0x7000 + 24), ==, 0);
    g_assert_cmpuint(ld32(ram.host + 0x7000 + 12), ==, 0);
    g_free(ram.host);
}

static void test_pvh_bad(void)
{
    X86RamMap ram = { .size = RAM_SIZE, .below_4g = RAM_SIZE };
    g_autoptr(GByteArray) k = NULL;

    /* Program headers beyond the file. */
    k = pvh_new(true, 4);
    st64(k->data + 32, k->len - 10);
    expect_error(k, &ram, "program header table");
    g_byte_array_unref(k);

    k = pvh_new(true, 4);
    st16(k->data + 56, 0xffff);
    expect_error(k, &ram, "program header table");
    g_byte_array_unref(k);

    /* Segment file range beyond the file, also through wrap-around. */
    k = pvh_new(true, 4);
    st64(k->data + 64 + 32, 0x10000);
    st64(k->data + 64 + 40, 0x10000);
    expect_error(k, &ram, "outside the file");
    g_byte_array_unref(k);

    k = pvh_new(true, 4);
    st64(k->data + 64 + 8, UINT64_MAX - 8);
    expect_error(k, &ram, "outside the file");
    g_byte_array_unref(k);

    /* Segment outside RAM, or below 1 MiB, or filesz > memsz. */
    k = pvh_new(true, 4);
    st64(k->data + 64 + 24, RAM_SIZE - 0x1000);
    expect_error(k, &ram, "not inside RAM");
    g_byte_array_unref(k);

    k = pvh_new(true, 4);
    st64(k->data + 64 + 24, UINT64_MAX - 0x100);
    expect_error(k, &ram, "not inside RAM");
    g_byte_array_unref(k);

    k = pvh_new(true, 4);
    st64(k->data + 64 + 24, 0x8000);
    expect_error(k, &ram, "not inside RAM");
    g_byte_array_unref(k);

    k = pvh_new(true, 4);
    st64(k->data + 64 + 40, PVH_FILESZ - 1);
    expect_error(k, &ram, "not inside RAM");
    g_byte_array_unref(k);

    /* No Xen note: the type is changed. */
    k = pvh_new(true, 4);
    st32(k->data + 64 + 2 * 56 + 20 + 8, 17);
    expect_error(k, &ram, "without a PVH entry note");
    g_byte_array_unref(k);

    /* A note whose name runs past the segment. */
    k = pvh_new(true, 4);
    st32(k->data + 64 + 2 * 56, 0xfffffff0);
    expect_error(k, &ram, "malformed ELF note");
    g_byte_array_unref(k);

    /* Odd descriptor size. */
    k = pvh_new(true, 4);
    st32(k->data + 64 + 2 * 56 + 20 + 4, 2);
    expect_error(k, &ram, "2-byte value");
    g_byte_array_unref(k);

    /* Entry point outside RAM. */
    k = pvh_new(true, 4);
    st32(k->data + 64 + 2 * 56 + 20 + 16, 0xfff00000);
    expect_error(k, &ram, "entry point");
    g_byte_array_unref(k);

    /* Wrong machine, big endian, truncated header. */
    k = pvh_new(true, 4);
    st16(k->data + 18, EM_AARCH64);
    expect_error(k, &ram, "not an x86 ELF executable");
    g_byte_array_unref(k);

    k = pvh_new(true, 4);
    k->data[EI_DATA] = ELFDATA2MSB;
    expect_error(k, &ram, "not a little-endian ELF");
    g_byte_array_unref(k);

    k = pvh_new(true, 4);
    g_byte_array_set_size(k, 40);
    expect_error(k, &ram, "truncated ELF header");
}

/* A real Debian kernel, if tests/guests/debian-x86.sh has fetched one. */
static void test_debian_kernel(void)
{
    const char *cache = g_getenv("XDG_CACHE_HOME");
    g_autofree char *base = cache && *cache ? g_strdup(cache)
                                            : g_build_filename(g_get_home_dir(), ".cache", NULL);
    g_autofree char *path = g_build_filename(base, "kestrel", "x86", "vmlinuz", NULL);
    X86RamMap ram;
    X86BootConfig cfg = { .kernel = path, .cmdline = "console=ttyS0" };
    g_autoptr(X86BootImage) img = NULL;
    g_autoptr(GError) err = NULL;
    X86BootState bs;
    const uint8_t *bp;

    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
        g_autofree char *msg = g_strdup_printf("no cached Debian kernel at %s "
                                               "(tests/guests/debian-x86.sh fetches it)", path);
        g_test_skip(msg);
        return;
    }
    ram = ram_new(256 * MiB, 256 * MiB);
    img = x86_boot_image_load(&cfg, &ram, &err);
    g_assert_no_error(err);
    x86_boot_image_install(img, &ram, &bs);
    bp = ram.host + 0x7000;
    g_assert_cmpmem(bp + 0x202, 4, "HdrS", 4);
    g_assert_cmpuint(ld16(bp + 0x206), >=, 0x020c);
    g_assert_cmpuint(bs.mode, ==, X86_BOOT_LONG64);
    g_assert_cmpuint(bs.rip, ==, ld32(bp + 0x214) + 0x200);
    g_assert_cmpuint(ld32(bp + 0x214), >=, MiB);
    g_assert_cmpstr((const char *)ram.host + ld32(bp + 0x228), ==, "console=ttyS0");
    g_free(ram.host);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    tmp_dir = g_dir_make_tmp("kestrel-x86-boot-XXXXXX", NULL);
    g_assert_nonnull(tmp_dir);

    g_test_add_func("/x86-boot/bzimage/good", test_bzimage_good);
    g_test_add_func("/x86-boot/bzimage/placement", test_bzimage_placement);
    g_test_add_func("/x86-boot/bzimage/initrd-addr-max", test_bzimage_initrd_max);
    g_test_add_func("/x86-boot/bzimage/cmdline-too-long", test_bzimage_cmdline_too_long);
    g_test_add_func("/x86-boot/bzimage/bad", test_bzimage_bad);
    g_test_add_func("/x86-boot/missing-files", test_missing_files);
    g_test_add_func("/x86-boot/e820-above-4g", test_e820_high);
    g_test_add_func("/x86-boot/pvh/elf64", test_pvh_elf64);
    g_test_add_func("/x86-boot/pvh/elf64-note8", test_pvh_elf64_note8);
    g_test_add_func("/x86-boot/pvh/elf32", test_pvh_elf32);
    g_test_add_func("/x86-boot/pvh/no-cmdline", test_pvh_no_cmdline);
    g_test_add_func("/x86-boot/pvh/bad", test_pvh_bad);
    g_test_add_func("/x86-boot/debian-kernel", test_debian_kernel);
    ret = g_test_run();

    for (size_t i = 0; i < ARRAY_SIZE(tmp_files); i++) {
        g_autofree char *path = g_build_filename(tmp_dir, tmp_files[i], NULL);
        unlink(path);
    }
    rmdir(tmp_dir);
    g_free(tmp_dir);
    return ret;
}
