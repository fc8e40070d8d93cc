/*
 * riscv boot: the ELF loader behind `-bios none -kernel prog.elf`, and the
 * boot state the board leaves for its harts (where they start and what a0/a1
 * hold), which the vCPU reset applies after the CPU's architectural reset.
 */
#ifndef HW_RISCV_BOOT_H
#define HW_RISCV_BOOT_H

#include "util/osdep.h"
#include "exec/memory.h"

typedef struct RISCVBootImage RISCVBootImage;

/*
 * Reads and validates the riscv64 ELF executable PATH: every header field is
 * checked against the file, and every PT_LOAD segment must lie in guest RAM
 * [RAM_BASE, RAM_BASE + RAM_SIZE), segments must not overlap and the entry
 * point must be inside one of them. NULL with *errp set otherwise.
 */
RISCVBootImage *riscv_boot_elf_load(const char *path, uint64_t ram_base, uint64_t ram_size,
                                    GError **errp);
/* Writes the segments into AS (the board's RAM), zeroing their bss. */
void riscv_boot_image_install(const RISCVBootImage *img, AddressSpace *as);
/* The guest-physical address the harts start at. */
uint64_t riscv_boot_image_entry(const RISCVBootImage *img);
void riscv_boot_image_free(RISCVBootImage *img);

/* What every hart holds after reset: pc, a0 = its hart id, a1. */
typedef struct RISCVBootState {
    uint64_t pc;
    uint64_t a1;               /* device tree address (0: none) */
} RISCVBootState;

extern RISCVBootState riscv_boot_state;

#endif
