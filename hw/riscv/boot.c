/*
 * riscv boot: images the virt board writes into guest memory at every reset
 * (firmware, kernel, initrd, device tree, reset ROM). A file starting with
 * the ELF magic is a riscv64 ELF executable, checked completely before
 * anything is used: identification, type, machine, version, header sizes,
 * flags, both header tables within the file, and for each PT_LOAD segment
 * its file range, its memory size, its alignment and that it lies in RAM
 * without overlapping another. Segments are placed by physical address
 * (p_paddr); the entry point, a virtual address, is translated through the
 * segment containing it. Any other file is flat and goes to the address the
 * board chooses: a RISC-V Linux Image (recognized by the "RSC\x05" magic at
 * 0x38) reserves its header's image_size, which includes the bss; its
 * text_offset is not used, as on QEMU, since the board already loads at RAM +
 * 2 MiB. Images are written through the address space, so translated code of
 * the pages they cover is invalidated as for any other write.
 */
#include "util/osdep.h"

#include <elf.h>
#include "exec/memory.h"
#include "hw/riscv/boot.h"

#ifndef EM_RISCV
#define EM_RISCV 243
#endif

/* e_flags of the RISC-V psABI; RVE (the 16-register base) cannot run here. */
#define RISCV_EF_RVC            0x0001
#define RISCV_EF_FLOAT_ABI      0x0006
#define RISCV_EF_RVE            0x0008
#define RISCV_EF_TSO            0x0010
#define RISCV_EF_KNOWN          (RISCV_EF_RVC | RISCV_EF_FLOAT_ABI | RISCV_EF_RVE | RISCV_EF_TSO)

/* The RISC-V Linux Image header (Documentation/riscv/boot-image-header.rst). */
#define RISCV_IMAGE_HEADER_SIZE     64
#define RISCV_IMAGE_SIZE_OFFSET     16
#define RISCV_IMAGE_MAGIC2_OFFSET   0x38
#define RISCV_IMAGE_MAGIC2          "RSC\x05"

typedef struct RISCVBootSegment {
    uint64_t paddr;
    uint64_t filesz;
    uint64_t memsz;
    uint8_t *data;             /* filesz bytes */
} RISCVBootSegment;

struct RISCVBootImage {
    uint64_t ram_base;
    uint64_t entry;
    GArray *segments;          /* RISCVBootSegment */
};

RISCVBootState riscv_boot_state;

static void riscv_boot_segment_clear(gpointer p)
{
    g_free(((RISCVBootSegment *)p)->data);
}

/* [off, off + len) lies inside a file of SIZE bytes. */
static bool riscv_boot_in_file(uint64_t off, uint64_t len, uint64_t size)
{
    return off <= size && len <= size - off;
}

static bool riscv_boot_check_ehdr(const char *label, const Elf64_Ehdr *eh, uint64_t size,
                                  GError **errp)
{
    static const uint8_t magic[SELFMAG] = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3 };
    uint64_t shcount;

    if (memcmp(eh->e_ident, magic, SELFMAG) != 0) {
        error_setg(errp, "%s: not an ELF file", label);
        return false;
    }
    if (eh->e_ident[EI_CLASS] != ELFCLASS64) {
        error_setg(errp, "%s: not a 64-bit ELF (class %u)", label,
                   eh->e_ident[EI_CLASS]);
        return false;
    }
    if (eh->e_ident[EI_DATA] != ELFDATA2LSB) {
        error_setg(errp, "%s: not a little-endian ELF (data encoding %u)", label,
                   eh->e_ident[EI_DATA]);
        return false;
    }
    if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT) {
        error_setg(errp, "%s: unknown ELF version %u/%u", label,
                   eh->e_ident[EI_VERSION], eh->e_version);
        return false;
    }
    if (eh->e_ident[EI_OSABI] != ELFOSABI_SYSV && eh->e_ident[EI_OSABI] != ELFOSABI_GNU) {
        error_setg(errp, "%s: unsupported OS ABI %u", label, eh->e_ident[EI_OSABI]);
        return false;
    }
    if (eh->e_type != ET_EXEC) {
        error_setg(errp, "%s: ELF type %u is not an executable (ET_EXEC); "
                   "link it without -pie", label, eh->e_type);
        return false;
    }
    if (eh->e_machine != EM_RISCV) {
        error_setg(errp, "%s: ELF machine %u is not RISC-V (%u)", label, eh->e_machine,
                   EM_RISCV);
        return false;
    }
    if (eh->e_flags & ~RISCV_EF_KNOWN) {
        error_setg(errp, "%s: unknown RISC-V ELF flags 0x%" PRIx32, label,
                   eh->e_flags & ~RISCV_EF_KNOWN);
        return false;
    }
    if (eh->e_flags & RISCV_EF_RVE) {
        error_setg(errp, "%s: built for RV64E, which is not supported", label);
        return false;
    }
    if (eh->e_ehsize != sizeof(Elf64_Ehdr)) {
        error_setg(errp, "%s: ELF header size %u, expected %zu", label, eh->e_ehsize,
                   sizeof(Elf64_Ehdr));
        return false;
    }
    if (eh->e_phnum == 0 || eh->e_phnum == PN_XNUM) {
        error_setg(errp, "%s: %s program headers", label,
                   eh->e_phnum ? "too many (extended numbering)" : "no");
        return false;
    }
    if (eh->e_phentsize != sizeof(Elf64_Phdr)) {
        error_setg(errp, "%s: program header size %u, expected %zu", label,
                   eh->e_phentsize, sizeof(Elf64_Phdr));
        return false;
    }
    if (eh->e_phoff < sizeof(Elf64_Ehdr) ||
        !riscv_boot_in_file(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), size)) {
        error_setg(errp, "%s: program headers (offset 0x%" PRIx64 ", %u entries) "
                   "are not within the file", label, (uint64_t)eh->e_phoff, eh->e_phnum);
        return false;
    }
    if (eh->e_shoff == 0) {
        if (eh->e_shnum != 0 || eh->e_shstrndx != SHN_UNDEF) {
            error_setg(errp, "%s: %u section headers but no section header table",
                       label, eh->e_shnum);
            return false;
        }
        return true;
    }
    /* With extended numbering (e_shnum 0) the count is in section 0: at least one entry. */
    shcount = eh->e_shnum ? eh->e_shnum : 1;
    if (eh->e_shentsize != sizeof(Elf64_Shdr)) {
        error_setg(errp, "%s: section header size %u, expected %zu", label,
                   eh->e_shentsize, sizeof(Elf64_Shdr));
        return false;
    }
    if (eh->e_shoff < sizeof(Elf64_Ehdr) ||
        !riscv_boot_in_file(eh->e_shoff, shcount * sizeof(Elf64_Shdr), size)) {
        error_setg(errp, "%s: section headers (offset 0x%" PRIx64 ") are not within "
                   "the file", label, (uint64_t)eh->e_shoff);
        return false;
    }
    if (eh->e_shstrndx != SHN_UNDEF && eh->e_shstrndx != SHN_XINDEX &&
        eh->e_shstrndx >= shcount) {
        error_setg(errp, "%s: section name table index %u is beyond the %" PRIu64
                   " sections", label, eh->e_shstrndx, shcount);
        return false;
    }
    return true;
}

static bool riscv_boot_check_phdr(const char *label, unsigned i, const Elf64_Phdr *ph,
                                  uint64_t size, uint64_t ram_base, uint64_t ram_size,
                                  GError **errp)
{
    if (ph->p_type == PT_DYNAMIC || ph->p_type == PT_INTERP) {
        error_setg(errp, "%s: dynamically linked (program header %u); link it "
                   "statically", label, i);
        return false;
    }
    if (ph->p_type != PT_LOAD) {
        return true;
    }
    if (!riscv_boot_in_file(ph->p_offset, ph->p_filesz, size)) {
        error_setg(errp, "%s: segment %u (offset 0x%" PRIx64 ", 0x%" PRIx64
                   " bytes) is not within the file", label, i, (uint64_t)ph->p_offset,
                   (uint64_t)ph->p_filesz);
        return false;
    }
    if (ph->p_filesz > ph->p_memsz) {
        error_setg(errp, "%s: segment %u has more file bytes (0x%" PRIx64 ") than "
                   "memory bytes (0x%" PRIx64 ")", label, i, (uint64_t)ph->p_filesz,
                   (uint64_t)ph->p_memsz);
        return false;
    }
    if (ph->p_align > 1 && ((ph->p_align & (ph->p_align - 1)) ||
                            (ph->p_offset - ph->p_vaddr) % ph->p_align)) {
        error_setg(errp, "%s: segment %u has an invalid alignment 0x%" PRIx64, label, i,
                   (uint64_t)ph->p_align);
        return false;
    }
    if (ph->p_vaddr > UINT64_MAX - ph->p_memsz) {
        error_setg(errp, "%s: segment %u wraps around the address space", label, i);
        return false;
    }
    if (ph->p_memsz && (ph->p_paddr < ram_base || ph->p_paddr - ram_base > ram_size ||
                        ph->p_memsz > ram_size - (ph->p_paddr - ram_base))) {
        error_setg(errp, "%s: segment %u (0x%" PRIx64 "-0x%" PRIx64 ") is outside "
                   "RAM (0x%" PRIx64 "-0x%" PRIx64 "); use more memory (-m) or link it for "
                   "this board", label, i, (uint64_t)ph->p_paddr,
                   (uint64_t)(ph->p_paddr + ph->p_memsz - 1), ram_base,
                   ram_base + ram_size - 1);
        return false;
    }
    return true;
}

static gint riscv_boot_segment_compare(gconstpointer a, gconstpointer b)
{
    const RISCVBootSegment *x = a, *y = b;

    return x->paddr < y->paddr ? -1 : x->paddr > y->paddr;
}

/* Validates and collects the segments; sets img->entry. */
static bool riscv_boot_collect(const char *label, RISCVBootImage *img, const uint8_t *file,
                               uint64_t size, uint64_t ram_size, GError **errp)
{
    Elf64_Ehdr eh;
    bool have_entry = false;

    memcpy(&eh, file, sizeof(eh));
    if (!riscv_boot_check_ehdr(label, &eh, size, errp)) {
        return false;
    }
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        RISCVBootSegment seg;

        memcpy(&ph, file + eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
        if (!riscv_boot_check_phdr(label, i, &ph, size, img->ram_base, ram_size, errp)) {
            return false;
        }
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0) {
            continue;
        }
        if (eh.e_entry >= ph.p_vaddr && eh.e_entry - ph.p_vaddr < ph.p_memsz) {
            img->entry = ph.p_paddr + (eh.e_entry - ph.p_vaddr);
            have_entry = true;
        }
        seg = (RISCVBootSegment){
            .paddr = ph.p_paddr,
            .filesz = ph.p_filesz,
            .memsz = ph.p_memsz,
            .data = g_memdup2(file + ph.p_offset, ph.p_filesz),
        };
        g_array_append_val(img->segments, seg);
    }
    if (img->segments->len == 0) {
        error_setg(errp, "%s: no loadable segment", label);
        return false;
    }
    g_array_sort(img->segments, riscv_boot_segment_compare);
    for (guint i = 1; i < img->segments->len; i++) {
        const RISCVBootSegment *prev = &g_array_index(img->segments, RISCVBootSegment, i - 1);
        const RISCVBootSegment *cur = &g_array_index(img->segments, RISCVBootSegment, i);

        if (cur->paddr - prev->paddr < prev->memsz) {
            error_setg(errp, "%s: segments at 0x%" PRIx64 " and 0x%" PRIx64
                       " overlap", label, prev->paddr, cur->paddr);
            return false;
        }
    }
    if (!have_entry) {
        error_setg(errp, "%s: entry point 0x%" PRIx64 " is not in a loadable segment",
                   label, (uint64_t)eh.e_entry);
        return false;
    }
    return true;
}

static RISCVBootImage *riscv_boot_image_new(uint64_t ram_base)
{
    RISCVBootImage *img = g_new0(RISCVBootImage, 1);

    img->ram_base = ram_base;
    img->segments = g_array_new(FALSE, TRUE, sizeof(RISCVBootSegment));
    g_array_set_clear_func(img->segments, riscv_boot_segment_clear);
    return img;
}

static RISCVBootImage *riscv_boot_elf_parse(const char *label, const uint8_t *file, gsize size,
                                            uint64_t ram_base, uint64_t ram_size, GError **errp)
{
    RISCVBootImage *img;

    if (size < sizeof(Elf64_Ehdr)) {
        error_setg(errp, "%s: %s", label, size >= SELFMAG && !memcmp(file, ELFMAG, SELFMAG) ?
                   "truncated ELF header" : "not an ELF file");
        return NULL;
    }
    img = riscv_boot_image_new(ram_base);
    if (!riscv_boot_collect(label, img, file, size, ram_size, errp)) {
        riscv_boot_image_free(img);
        return NULL;
    }
    return img;
}

/* Reads PATH whole; "WHAT 'PATH'" becomes *LABEL for the messages. */
static bool riscv_boot_read(const char *what, const char *path, char **label, gchar **file,
                            gsize *size, GError **errp)
{
    GError *err = NULL;

    *label = g_strdup_printf("%s '%s'", what, path);
    if (!g_file_get_contents(path, file, size, &err)) {
        error_setg(errp, "%s: %s", *label, err->message);
        g_error_free(err);
        return false;
    }
    if (*size == 0) {
        error_setg(errp, "%s: the file is empty", *label);
        return false;
    }
    return true;
}

static bool riscv_boot_is_elf(const gchar *file, gsize size)
{
    return size >= SELFMAG && !memcmp(file, ELFMAG, SELFMAG);
}

/*
 * A flat image at LOAD_ADDR: a RISC-V Linux Image (its header's image_size,
 * which covers the bss, is what it needs in RAM) or a raw binary.
 */
static RISCVBootImage *riscv_boot_flat(const char *label, const gchar *file, gsize size,
                                       uint64_t load_addr, uint64_t ram_base,
                                       uint64_t ram_size, GError **errp)
{
    uint64_t memsz = size;
    RISCVBootImage *img;
    RISCVBootSegment seg;

    if (size >= RISCV_IMAGE_HEADER_SIZE &&
        !memcmp(file + RISCV_IMAGE_MAGIC2_OFFSET, RISCV_IMAGE_MAGIC2, 4)) {
        uint64_t image_size;

        memcpy(&image_size, file + RISCV_IMAGE_SIZE_OFFSET, sizeof(image_size));
        image_size = GUINT64_FROM_LE(image_size);
        memsz = MAX(memsz, image_size);
    }
    if (load_addr < ram_base || load_addr - ram_base > ram_size ||
        memsz > ram_size - (load_addr - ram_base)) {
        error_setg(errp, "%s: 0x%" PRIx64 " bytes at 0x%" PRIx64 " do not fit in RAM "
                   "(0x%" PRIx64 "-0x%" PRIx64 "); use more memory (-m)", label, memsz,
                   load_addr, ram_base, ram_base + ram_size - 1);
        return NULL;
    }
    img = riscv_boot_image_new(ram_base);
    img->entry = load_addr;
    seg = (RISCVBootSegment){
        .paddr = load_addr,
        .filesz = size,
        .memsz = memsz,
        .data = g_memdup2(file, size),
    };
    g_array_append_val(img->segments, seg);
    return img;
}

RISCVBootImage *riscv_boot_load(const char *what, const char *path, uint64_t load_addr,
                                uint64_t ram_base, uint64_t ram_size, GError **errp)
{
    g_autofree char *label = NULL;
    g_autofree gchar *file = NULL;
    gsize size;

    if (!riscv_boot_read(what, path, &label, &file, &size, errp)) {
        return NULL;
    }
    if (riscv_boot_is_elf(file, size)) {
        return riscv_boot_elf_parse(label, (const uint8_t *)file, size, ram_base, ram_size,
                                    errp);
    }
    return riscv_boot_flat(label, file, size, load_addr, ram_base, ram_size, errp);
}

RISCVBootImage *riscv_boot_image_from_data(uint64_t addr, const void *data, uint64_t len)
{
    RISCVBootImage *img = riscv_boot_image_new(addr);
    RISCVBootSegment seg = {
        .paddr = addr,
        .filesz = len,
        .memsz = len,
        .data = g_memdup2(data, len),
    };

    img->entry = addr;
    g_array_append_val(img->segments, seg);
    return img;
}

uint64_t riscv_boot_image_start(const RISCVBootImage *img)
{
    return g_array_index(img->segments, RISCVBootSegment, 0).paddr;
}

uint64_t riscv_boot_image_end(const RISCVBootImage *img)
{
    const RISCVBootSegment *last =
        &g_array_index(img->segments, RISCVBootSegment, img->segments->len - 1);

    return last->paddr + last->memsz;
}

void riscv_boot_image_install(const RISCVBootImage *img, AddressSpace *as)
{
    static const uint8_t zeros[4096];

    for (guint i = 0; i < img->segments->len; i++) {
        const RISCVBootSegment *seg = &g_array_index(img->segments, RISCVBootSegment, i);

        address_space_write_rom(as, seg->paddr, seg->data, seg->filesz);
        for (uint64_t off = seg->filesz; off < seg->memsz; off += sizeof(zeros)) {
            address_space_write_rom(as, seg->paddr + off, zeros,
                                    MIN(sizeof(zeros), seg->memsz - off));
        }
    }
}

uint64_t riscv_boot_image_entry(const RISCVBootImage *img)
{
    return img->entry;
}

void riscv_boot_image_free(RISCVBootImage *img)
{
    if (img) {
        g_array_free(img->segments, TRUE);
        g_free(img);
    }
}
