/*
 * Private parts of the x86 direct kernel loaders (x86-boot.c, x86-linux-boot.c,
 * x86-pvh-boot.c): the planned image and little-endian field helpers.
 */
#ifndef HW_I386_X86_BOOT_INTERNAL_H
#define HW_I386_X86_BOOT_INTERNAL_H

#include "hw/i386/x86-boot.h"

typedef enum X86ImageKind {
    X86_IMAGE_BZIMAGE,
    X86_IMAGE_PVH,
} X86ImageKind;

/* One PT_LOAD segment of a PVH ELF, already checked against file and RAM. */
typedef struct X86Segment {
    uint64_t paddr;
    uint64_t offset;
    uint64_t filesz;
    uint64_t memsz;
} X86Segment;

struct X86BootImage {
    X86ImageKind kind;
    char *kernel_path;
    uint8_t *kernel;            /* the whole file */
    size_t kernel_size;
    uint8_t *initrd;
    size_t initrd_size;
    uint64_t initrd_addr;
    char *cmdline;              /* never NULL */
    bool has_cmdline;           /* PVH tells "none" apart from "" */
    uint64_t rsdp_addr;
    uint64_t entry;             /* first instruction, guest physical */

    /* Set by the format parsers, used to place the initrd and check -append. */
    uint64_t kernel_end;        /* first byte above what the kernel may use */
    uint64_t initrd_limit;      /* first byte the initrd must not reach */
    uint64_t cmdline_max;       /* longest command line, without the NUL */

    /* bzImage */
    uint64_t load_addr;
    uint64_t setup_size;
    uint64_t payload_size;
    uint64_t header_end;        /* end of the setup header in the file */
    uint16_t version;

    /* PVH */
    GArray *segments;           /* of X86Segment */
};

static inline uint16_t x86_ld16(const uint8_t *p)
{
    return p[0] | (uint16_t)p[1] << 8;
}
static inline uint32_t x86_ld32(const uint8_t *p)
{
    return x86_ld16(p) | (uint32_t)x86_ld16(p + 2) << 16;
}
static inline uint64_t x86_ld64(const uint8_t *p)
{
    return x86_ld32(p) | (uint64_t)x86_ld32(p + 4) << 32;
}
static inline void x86_st16(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}
static inline void x86_st32(uint8_t *p, uint32_t v)
{
    x86_st16(p, v);
    x86_st16(p + 2, v >> 16);
}
static inline void x86_st64(uint8_t *p, uint64_t v)
{
    x86_st32(p, v);
    x86_st32(p + 4, v >> 32);
}

/* Format parsers: fill the kernel fields of IMG from IMG->kernel. */
bool x86_linux_parse(X86BootImage *img, const X86RamMap *ram, GError **errp);
bool x86_pvh_parse(X86BootImage *img, const X86RamMap *ram, GError **errp);
/* Format installers: write the kernel and its boot information, fill BS. */
void x86_linux_install(const X86BootImage *img, const X86RamMap *ram, X86BootState *bs);
void x86_pvh_install(const X86BootImage *img, const X86RamMap *ram, X86BootState *bs);

/* Shared by both: flat GDT with X86_BOOT_CS/X86_BOOT_DS, 64-bit or 32-bit code. */
void x86_boot_write_gdt(const X86RamMap *ram, bool long_mode, X86BootState *bs);
/* Identity map of the low 4 GiB with 2 MiB pages; sets bs->cr3. */
void x86_boot_write_page_tables(const X86RamMap *ram, X86BootState *bs);
/* Copies the initrd and the command line to their planned places. */
void x86_boot_write_initrd_cmdline(const X86BootImage *img, const X86RamMap *ram);

#endif
