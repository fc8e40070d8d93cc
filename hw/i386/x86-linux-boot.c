/*
 * Linux bzImage loader, 64-bit boot protocol (Documentation/x86/boot.rst):
 * the protected-mode kernel goes to 1 MiB (or its preferred address), a zero
 * page (struct boot_params) built from the image's setup header goes to
 * X86_BOOT_INFO_ADDR, and the boot vCPU starts in long mode at the 64-bit
 * entry point (load address + 0x200) with %rsi pointing at the zero page.
 * The real-mode setup code is never run, so it is not loaded.
 */
#include "util/osdep.h"

#include "x86-boot-internal.h"

/* Setup header fields: offsets in the image file and in the zero page alike. */
#define HDR_SETUP_SECTS     0x1f1
#define HDR_SYSSIZE         0x1f4
#define HDR_BOOT_FLAG       0x1fe
#define HDR_JUMP            0x200
#define HDR_HEADER          0x202
#define HDR_VERSION         0x206
#define HDR_TYPE_OF_LOADER  0x210
#define HDR_LOADFLAGS       0x211
#define HDR_CODE32_START    0x214
#define HDR_RAMDISK_IMAGE   0x218
#define HDR_RAMDISK_SIZE    0x21c
#define HDR_HEAP_END_PTR    0x224
#define HDR_CMD_LINE_PTR    0x228
#define HDR_INITRD_ADDR_MAX 0x22c
#define HDR_RELOCATABLE     0x234
#define HDR_XLOADFLAGS      0x236
#define HDR_CMDLINE_SIZE    0x238
#define HDR_SETUP_DATA      0x250
#define HDR_PREF_ADDRESS    0x258
#define HDR_INIT_SIZE       0x260
#define HDR_MAX_END         0x290   /* the setup header area of boot_params ends here */

/* Zero page fields outside the setup header. */
#define BP_ACPI_RSDP_ADDR   0x070
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE 0x0c4
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_E820_ENTRIES     0x1e8
#define BP_E820_TABLE       0x2d0
#define BP_SIZE             0x1000

#define BOOT_FLAG_MAGIC     0xaa55
#define HDRS_MAGIC          0x53726448      /* "HdrS" */
#define LOADED_HIGH         (1 << 0)
#define CAN_USE_HEAP        (1 << 7)
#define XLF_KERNEL_64       (1 << 0)
#define LOADER_UNDEFINED    0xff            /* type_of_loader: not a registered loader */
#define HEAP_END            0xfe00          /* as if the setup code had 64 KiB of heap */
#define ENTRY_64_OFFSET     0x200
#define PROTO_2_12          0x020c
#define PROTO_2_14          0x020e          /* acpi_rsdp_addr is read */
#define SETUP_MIN_SIZE      1024            /* boot sector plus one setup sector */

bool x86_linux_parse(X86BootImage *img, const X86RamMap *ram, GError **errp)
{
    const uint8_t *k = img->kernel;
    const char *path = img->kernel_path;
    unsigned setup_sects;
    uint64_t need, pref, init_size, initrd_addr_max, low_top = ram->below_4g;
    bool relocatable;

    if (img->kernel_size < SETUP_MIN_SIZE) {
        error_setg(errp, "kernel '%s': not a bzImage or ELF kernel (only %zu bytes)",
                   path, img->kernel_size);
        return false;
    }
    if (x86_ld16(k + HDR_BOOT_FLAG) != BOOT_FLAG_MAGIC) {
        error_setg(errp, "kernel '%s': not a bzImage or ELF kernel (no boot sector signature)",
                   path);
        return false;
    }
    if (x86_ld32(k + HDR_HEADER) != HDRS_MAGIC) {
        error_setg(errp, "kernel '%s': not a bzImage (no HdrS signature)", path);
        return false;
    }
    img->version = x86_ld16(k + HDR_VERSION);
    if (img->version < PROTO_2_12) {
        error_setg(errp, "kernel '%s': boot protocol %u.%02u is too old (2.12 or later with a "
                   "64-bit entry point is needed)", path, img->version >> 8,
                   img->version & 0xff);
        return false;
    }
    if (!(x86_ld16(k + HDR_XLOADFLAGS) & XLF_KERNEL_64)) {
        error_setg(errp, "kernel '%s': no 64-bit entry point (XLF_KERNEL_64 is clear)", path);
        return false;
    }
    if (!(k[HDR_LOADFLAGS] & LOADED_HIGH)) {
        error_setg(errp, "kernel '%s': a zImage that loads low is not supported", path);
        return false;
    }

    setup_sects = k[HDR_SETUP_SECTS] ? k[HDR_SETUP_SECTS] : 4;
    img->setup_size = (setup_sects + 1) * 512ULL;
    img->payload_size = x86_ld32(k + HDR_SYSSIZE) * 16ULL;
    if (img->payload_size == 0) {
        error_setg(errp, "kernel '%s': syssize is zero, no protected-mode kernel", path);
        return false;
    }
    if (img->setup_size + img->payload_size > img->kernel_size) {
        error_setg(errp, "kernel '%s': truncated (setup_sects and syssize describe %" PRIu64
                   " bytes, the file has %zu)", path, img->setup_size + img->payload_size,
                   img->kernel_size);
        return false;
    }
    img->header_end = MIN(HDR_HEADER + (uint64_t)k[HDR_JUMP + 1], HDR_MAX_END);

    /*
     * A relocatable kernel goes where it prefers if that fits, else to 1 MiB.
     * A fixed one may be loaded at 1 MiB but runs at pref_address, so it needs
     * room there too.
     */
    relocatable = k[HDR_RELOCATABLE] != 0;
    pref = x86_ld64(k + HDR_PREF_ADDRESS);
    init_size = x86_ld32(k + HDR_INIT_SIZE);
    need = MAX(img->payload_size, init_size);
    img->load_addr = X86_BOOT_HIGH_START;
    if (relocatable && pref >= X86_BOOT_HIGH_START && pref < low_top &&
        need <= low_top - pref) {
        img->load_addr = pref;
    }
    img->kernel_end = img->load_addr + need;
    if (!relocatable && pref >= X86_BOOT_HIGH_START) {
        img->kernel_end = pref < low_top ? MAX(img->kernel_end, pref + init_size) : UINT64_MAX;
    }
    if (img->kernel_end > low_top) {
        error_setg(errp, "kernel '%s' needs RAM up to 0x%" PRIx64 " but RAM below 4 GiB ends "
                   "at 0x%" PRIx64 " (use more memory, -m)", path,
                   img->kernel_end == UINT64_MAX ? pref + init_size : img->kernel_end,
                   low_top);
        return false;
    }
    img->entry = img->load_addr + ENTRY_64_OFFSET;

    initrd_addr_max = x86_ld32(k + HDR_INITRD_ADDR_MAX);
    img->initrd_limit = initrd_addr_max + 1;
    img->cmdline_max = MIN(x86_ld32(k + HDR_CMDLINE_SIZE), X86_BOOT_CMDLINE_MAX - 1);
    return true;
}

static void x86_linux_write_zero_page(const X86BootImage *img, const X86RamMap *ram)
{
    uint8_t *bp = x86_ram_map_ptr(ram, X86_BOOT_INFO_ADDR, BP_SIZE);
    X86E820Entry e820[X86_E820_MAX_ENTRIES];
    unsigned n = x86_e820_build(ram, e820);

    g_assert(bp);
    memset(bp, 0, BP_SIZE);
    memcpy(bp + HDR_SETUP_SECTS, img->kernel + HDR_SETUP_SECTS,
           img->header_end - HDR_SETUP_SECTS);

    bp[HDR_TYPE_OF_LOADER] = LOADER_UNDEFINED;
    bp[HDR_LOADFLAGS] |= LOADED_HIGH | CAN_USE_HEAP;
    x86_st16(bp + HDR_HEAP_END_PTR, HEAP_END);
    x86_st32(bp + HDR_CODE32_START, img->load_addr);
    x86_st32(bp + HDR_CMD_LINE_PTR, X86_BOOT_CMDLINE_ADDR);
    x86_st32(bp + BP_EXT_CMD_LINE_PTR, 0);
    x86_st64(bp + HDR_SETUP_DATA, 0);
    if (img->initrd) {
        x86_st32(bp + HDR_RAMDISK_IMAGE, img->initrd_addr);
        x86_st32(bp + HDR_RAMDISK_SIZE, img->initrd_size);
        x86_st32(bp + BP_EXT_RAMDISK_IMAGE, img->initrd_addr >> 32);
        x86_st32(bp + BP_EXT_RAMDISK_SIZE, (uint64_t)img->initrd_size >> 32);
    }
    if (img->version >= PROTO_2_14) {
        x86_st64(bp + BP_ACPI_RSDP_ADDR, img->rsdp_addr);
    }

    bp[BP_E820_ENTRIES] = n;
    for (unsigned i = 0; i < n; i++) {
        uint8_t *e = bp + BP_E820_TABLE + i * 20;
        x86_st64(e, e820[i].addr);
        x86_st64(e + 8, e820[i].size);
        x86_st32(e + 16, e820[i].type);
    }
}

void x86_linux_install(const X86BootImage *img, const X86RamMap *ram, X86BootState *bs)
{
    uint8_t *dst = x86_ram_map_ptr(ram, img->load_addr, img->payload_size);

    g_assert(dst);
    memcpy(dst, img->kernel + img->setup_size, img->payload_size);
    x86_linux_write_zero_page(img, ram);
    x86_boot_write_gdt(ram, true, bs);
    x86_boot_write_page_tables(ram, bs);
    bs->mode = X86_BOOT_LONG64;
    bs->rip = img->entry;
    bs->rsi = X86_BOOT_INFO_ADDR;
    bs->rsp = X86_BOOT_STACK_TOP;
}
