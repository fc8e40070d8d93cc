/*
 * PVH loader: an ELF kernel (vmlinux, or a small test guest) that carries a
 * XEN_ELFNOTE_PHYS32_ENTRY note. Its PT_LOAD segments are copied to their
 * physical addresses, an hvm_start_info (include/xen/interface/hvm/start_info.h
 * in Linux) describing the command line, the initrd as module 0, the RSDP and
 * the memory map goes to X86_BOOT_INFO_ADDR, and the boot vCPU starts in flat
 * 32-bit protected mode at the note's entry point with %ebx pointing at it.
 * Every offset and size in the file is checked before anything is used.
 */
#include "util/osdep.h"

#include <elf.h>

#include "x86-boot-internal.h"

#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define HVM_START_MAGIC          0x336ec578
#define HVM_START_VERSION        1
#define HVM_START_INFO_SIZE      56
#define HVM_MODLIST_OFFSET       64         /* from X86_BOOT_INFO_ADDR */
#define HVM_MODLIST_ENTRY_SIZE   32
#define HVM_MEMMAP_OFFSET        128
#define HVM_MEMMAP_ENTRY_SIZE    24

/* A program header of either ELF class. */
typedef struct ElfPhdr {
    uint32_t type;
    uint64_t offset;
    uint64_t paddr;
    uint64_t filesz;
    uint64_t memsz;
    uint64_t align;
} ElfPhdr;

typedef struct ElfInfo {
    bool is64;
    uint64_t phoff;
    unsigned phnum;
} ElfInfo;

/* Is [off, off+len) inside a buffer of SIZE bytes? */
static bool range_in(uint64_t off, uint64_t len, uint64_t size)
{
    return off <= size && len <= size - off;
}

static bool x86_pvh_read_ehdr(const X86BootImage *img, ElfInfo *info, GError **errp)
{
    const uint8_t *k = img->kernel;
    size_t size = img->kernel_size;
    unsigned phentsize;

    if (size < EI_NIDENT || (k[EI_CLASS] != ELFCLASS32 && k[EI_CLASS] != ELFCLASS64) ||
        k[EI_DATA] != ELFDATA2LSB || k[EI_VERSION] != EV_CURRENT) {
        error_setg(errp, "kernel '%s': not a little-endian ELF file of a known class",
                   img->kernel_path);
        return false;
    }
    info->is64 = k[EI_CLASS] == ELFCLASS64;
    if (size < (info->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr))) {
        error_setg(errp, "kernel '%s': truncated ELF header", img->kernel_path);
        return false;
    }
    if (x86_ld16(k + 16) != ET_EXEC ||
        x86_ld16(k + 18) != (info->is64 ? EM_X86_64 : EM_386)) {
        error_setg(errp, "kernel '%s': not an x86 ELF executable", img->kernel_path);
        return false;
    }
    if (info->is64) {
        info->phoff = x86_ld64(k + 32);
        phentsize = x86_ld16(k + 54);
        info->phnum = x86_ld16(k + 56);
    } else {
        info->phoff = x86_ld32(k + 28);
        phentsize = x86_ld16(k + 42);
        info->phnum = x86_ld16(k + 44);
    }
    if (phentsize != (info->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)) ||
        info->phnum == 0 || info->phnum == PN_XNUM ||
        !range_in(info->phoff, (uint64_t)info->phnum * phentsize, size)) {
        error_setg(errp, "kernel '%s': ELF program header table is malformed or lies "
                   "outside the file", img->kernel_path);
        return false;
    }
    return true;
}

static void x86_pvh_read_phdr(const X86BootImage *img, const ElfInfo *info, unsigned i,
                              ElfPhdr *ph)
{
    const uint8_t *p;

    if (info->is64) {
        p = img->kernel + info->phoff + i * sizeof(Elf64_Phdr);
        ph->type = x86_ld32(p);
        ph->offset = x86_ld64(p + 8);
        ph->paddr = x86_ld64(p + 24);
        ph->filesz = x86_ld64(p + 32);
        ph->memsz = x86_ld64(p + 40);
        ph->align = x86_ld64(p + 48);
    } else {
        p = img->kernel + info->phoff + i * sizeof(Elf32_Phdr);
        ph->type = x86_ld32(p);
        ph->offset = x86_ld32(p + 4);
        ph->paddr = x86_ld32(p + 12);
        ph->filesz = x86_ld32(p + 16);
        ph->memsz = x86_ld32(p + 20);
        ph->align = x86_ld32(p + 28);
    }
}

/*
 * Looks through one PT_NOTE segment for the PVH entry. Returns false on a
 * malformed note; *found tells whether the entry was there.
 */
static bool x86_pvh_scan_notes(const X86BootImage *img, const ElfPhdr *ph, bool *found,
                               uint64_t *entry, GError **errp)
{
    const uint8_t *p = img->kernel + ph->offset;
    uint64_t left = ph->filesz;
    unsigned align = ph->align == 8 ? 8 : 4;

    while (left >= 12) {
        uint64_t namesz = x86_ld32(p), descsz = x86_ld32(p + 4);
        uint32_t type = x86_ld32(p + 8);
        uint64_t name_pad = ROUND_UP(namesz, align), desc_pad = ROUND_UP(descsz, align);

        if (!range_in(12 + name_pad, descsz, left)) {
            error_setg(errp, "kernel '%s': malformed ELF note", img->kernel_path);
            return false;
        }
        if (type == XEN_ELFNOTE_PHYS32_ENTRY && namesz == 4 && !memcmp(p + 12, "Xen", 4)) {
            const uint8_t *desc = p + 12 + name_pad;

            if (descsz == 4) {
                *entry = x86_ld32(desc);
            } else if (descsz == 8) {
                *entry = x86_ld64(desc);
            } else {
                error_setg(errp, "kernel '%s': PVH entry note has a %" PRIu64 "-byte value",
                           img->kernel_path, descsz);
                return false;
            }
            *found = true;
            return true;
        }
        if (12 + name_pad + desc_pad >= left) {
            break;
        }
        p += 12 + name_pad + desc_pad;
        left -= 12 + name_pad + desc_pad;
    }
    return true;
}

bool x86_pvh_parse(X86BootImage *img, const X86RamMap *ram, GError **errp)
{
    ElfInfo info;
    bool found = false;

    if (!x86_pvh_read_ehdr(img, &info, errp)) {
        return false;
    }
    img->segments = g_array_new(false, false, sizeof(X86Segment));
    img->kernel_end = X86_BOOT_HIGH_START;
    for (unsigned i = 0; i < info.phnum; i++) {
        ElfPhdr ph;

        x86_pvh_read_phdr(img, &info, i, &ph);
        if ((ph.type == PT_LOAD || ph.type == PT_NOTE) &&
            !range_in(ph.offset, ph.filesz, img->kernel_size)) {
            error_setg(errp, "kernel '%s': ELF segment %u lies outside the file",
                       img->kernel_path, i);
            return false;
        }
        if (ph.type == PT_NOTE && !found &&
            !x86_pvh_scan_notes(img, &ph, &found, &img->entry, errp)) {
            return false;
        }
        if (ph.type != PT_LOAD || ph.memsz == 0) {
            continue;
        }
        if (ph.filesz > ph.memsz || ph.paddr < X86_BOOT_HIGH_START ||
            !x86_ram_map_contains(ram, ph.paddr, ph.memsz)) {
            error_setg(errp, "kernel '%s': ELF segment %u (0x%" PRIx64 " + 0x%" PRIx64
                       " bytes) is not inside RAM above 1 MiB", img->kernel_path, i,
                       ph.paddr, ph.memsz);
            return false;
        }
        g_array_append_val(img->segments, ((X86Segment){
            .paddr = ph.paddr, .offset = ph.offset, .filesz = ph.filesz, .memsz = ph.memsz,
        }));
        if (ph.paddr < ram->below_4g) {
            img->kernel_end = MAX(img->kernel_end, ph.paddr + ph.memsz);
        }
    }
    if (!found) {
        error_setg(errp, "kernel '%s': ELF file without a PVH entry note "
                   "(XEN_ELFNOTE_PHYS32_ENTRY); only PVH ELF kernels can boot directly",
                   img->kernel_path);
        return false;
    }
    if (img->segments->len == 0) {
        error_setg(errp, "kernel '%s': ELF file has no loadable segment", img->kernel_path);
        return false;
    }
    if (!x86_ram_map_contains(ram, img->entry, 1) || img->entry >= ram->below_4g) {
        error_setg(errp, "kernel '%s': PVH entry point 0x%" PRIx64 " is not in RAM",
                   img->kernel_path, img->entry);
        return false;
    }
    img->initrd_limit = UINT64_MAX;
    img->cmdline_max = X86_BOOT_CMDLINE_MAX - 1;
    return true;
}

static void x86_pvh_write_start_info(const X86BootImage *img, const X86RamMap *ram)
{
    uint8_t *si = x86_ram_map_ptr(ram, X86_BOOT_INFO_ADDR, 4 * KiB);
    uint8_t *mod, *map;
    X86E820Entry e820[X86_E820_MAX_ENTRIES];
    unsigned n = x86_e820_build(ram, e820);

    g_assert(si);
    mod = si + HVM_MODLIST_OFFSET;
    map = si + HVM_MEMMAP_OFFSET;
    memset(si, 0, HVM_MEMMAP_OFFSET + X86_E820_MAX_ENTRIES * HVM_MEMMAP_ENTRY_SIZE);
    x86_st32(si, HVM_START_MAGIC);
    x86_st32(si + 4, HVM_START_VERSION);
    if (img->initrd) {
        x86_st32(si + 12, 1);
        x86_st64(si + 16, X86_BOOT_INFO_ADDR + HVM_MODLIST_OFFSET);
        x86_st64(mod, img->initrd_addr);
        x86_st64(mod + 8, img->initrd_size);
    }
    if (img->has_cmdline) {
        x86_st64(si + 24, X86_BOOT_CMDLINE_ADDR);
    }
    x86_st64(si + 32, img->rsdp_addr);
    x86_st64(si + 40, X86_BOOT_INFO_ADDR + HVM_MEMMAP_OFFSET);
    x86_st32(si + 48, n);
    for (unsigned i = 0; i < n; i++) {
        uint8_t *e = map + i * HVM_MEMMAP_ENTRY_SIZE;
        x86_st64(e, e820[i].addr);
        x86_st64(e + 8, e820[i].size);
        x86_st32(e + 16, e820[i].type);
    }
}

void x86_pvh_install(const X86BootImage *img, const X86RamMap *ram, X86BootState *bs)
{
    for (guint i = 0; i < img->segments->len; i++) {
        const X86Segment *s = &g_array_index(img->segments, X86Segment, i);
        uint8_t *dst = x86_ram_map_ptr(ram, s->paddr, s->memsz);

        g_assert(dst);
        memcpy(dst, img->kernel + s->offset, s->filesz);
        memset(dst + s->filesz, 0, s->memsz - s->filesz);
    }
    x86_pvh_write_start_info(img, ram);
    x86_boot_write_gdt(ram, false, bs);
    bs->mode = X86_BOOT_PROTECTED32;
    bs->rip = img->entry;
    bs->rbx = X86_BOOT_INFO_ADDR;
}
