/*
 * Direct kernel boot for x86 boards: loads a Linux bzImage (64-bit boot
 * protocol) or an ELF kernel with a PVH entry note into guest RAM, together
 * with an initrd and a command line, and describes how the boot vCPU starts.
 *
 * Loading is split in two so that every error surfaces while the machine is
 * built, and a reset can write the images again without failing:
 * x86_boot_image_load() reads and checks the files and plans where each piece
 * goes; x86_boot_image_install() copies them into RAM and fills the zero page
 * or hvm_start_info, the GDT, page tables and an X86BootState.
 *
 * Guest RAM is given as an X86RamMap (one host buffer, the first below_4g
 * bytes at guest address 0, the rest from 4 GiB), so the loaders can be
 * tested on a plain buffer without an accelerator.
 */
#ifndef HW_I386_X86_BOOT_H
#define HW_I386_X86_BOOT_H

#include "util/osdep.h"
#include "target/i386/cpu.h"

typedef struct X86RamMap {
    uint8_t *host;          /* NULL is allowed for x86_boot_image_load() */
    uint64_t size;          /* total bytes of RAM */
    uint64_t below_4g;      /* bytes mapped from guest address 0 */
} X86RamMap;

/* Fixed low-memory layout shared by the loaders and the boards. */
#define X86_BOOT_GDT_ADDR       0x500
#define X86_BOOT_STACK_TOP      0x7000
#define X86_BOOT_INFO_ADDR      0x7000      /* zero page or hvm_start_info */
#define X86_BOOT_PML4_ADDR      0x9000      /* then PDPT and four PDs */
#define X86_BOOT_CMDLINE_ADDR   0x20000
#define X86_BOOT_CMDLINE_MAX    0x10000     /* bytes including the NUL */
#define X86_BOOT_HIGH_START     0x100000    /* kernels load at or above 1 MiB */
#define X86_BOOT_BIOS_START     0xe0000     /* reserved up to 1 MiB (ACPI, ROM) */

/* E820 / ACPI address range types (also the PVH memmap types). */
#define X86_E820_RAM        1
#define X86_E820_RESERVED   2
#define X86_E820_ACPI       3

#define X86_E820_MAX_ENTRIES 8

typedef struct X86E820Entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
} X86E820Entry;

/* Does guest [gpa, gpa+len) lie inside one piece of RAM (below or above 4 GiB)? */
bool x86_ram_map_contains(const X86RamMap *ram, uint64_t gpa, uint64_t len);
/* Host pointer for guest [gpa, gpa+len) if x86_ram_map_contains() and host is set. */
void *x86_ram_map_ptr(const X86RamMap *ram, uint64_t gpa, uint64_t len);
/* The memory map the firmware would report for RAM; returns the entry count. */
unsigned x86_e820_build(const X86RamMap *ram, X86E820Entry out[X86_E820_MAX_ENTRIES]);

/*
 * Reads a whole image file into a g_malloc'ed buffer; errors read
 * "WHAT 'PATH': reason".
 */
bool x86_boot_read_file(const char *what, const char *path, uint8_t **data, size_t *len,
                        GError **errp);

typedef struct X86BootConfig {
    const char *kernel;     /* bzImage or PVH ELF */
    const char *initrd;     /* NULL: none */
    const char *cmdline;    /* NULL: empty */
    uint64_t rsdp_addr;     /* ACPI RSDP handed to the kernel; 0: none */
} X86BootConfig;

typedef struct X86BootImage X86BootImage;

/*
 * Reads the kernel and initrd named by CFG, checks them against the RAM
 * sizes in RAM (RAM->host is not used) and plans the layout. Errors name the
 * file and the problem.
 */
X86BootImage *x86_boot_image_load(const X86BootConfig *cfg, const X86RamMap *ram,
                                  GError **errp);
/* Writes everything into RAM (the same layout as at load time) and fills BS. */
void x86_boot_image_install(const X86BootImage *img, const X86RamMap *ram, X86BootState *bs);
void x86_boot_image_free(X86BootImage *img);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(X86BootImage, x86_boot_image_free)

#endif
