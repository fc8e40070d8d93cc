/*
 * riscv boot: the images behind -bios, -kernel and -initrd and the board's
 * own blobs (device tree, reset ROM), kept so every reset writes them again,
 * and the boot state the board leaves for its harts (where they start and
 * what a1 holds), which the vCPU reset applies after the CPU's architectural
 * reset.
 */
#ifndef HW_RISCV_BOOT_H
#define HW_RISCV_BOOT_H

#include "util/osdep.h"
#include "exec/memory.h"

typedef struct RISCVBootImage RISCVBootImage;

/*
 * Reads PATH (WHAT names it in errors: "kernel", "firmware"): a riscv64 ELF
 * executable goes to its physical addresses, anything else (a RISC-V Linux
 * Image, a raw binary) to LOAD_ADDR, which is then its entry. Everything
 * must lie in RAM [RAM_BASE, RAM_BASE + RAM_SIZE). NULL with *errp set
 * otherwise.
 */
RISCVBootImage *riscv_boot_load(const char *what, const char *path, uint64_t load_addr,
                                uint64_t ram_base, uint64_t ram_size, GError **errp);
/* LEN bytes of DATA (copied) at ADDR. */
RISCVBootImage *riscv_boot_image_from_data(uint64_t addr, const void *data, uint64_t len);
/* Writes the image into AS, zeroing the parts beyond the file (bss). */
void riscv_boot_image_install(const RISCVBootImage *img, AddressSpace *as);
/* The guest-physical entry point. */
uint64_t riscv_boot_image_entry(const RISCVBootImage *img);
/* The lowest address of the image, and the first address past it. */
uint64_t riscv_boot_image_start(const RISCVBootImage *img);
uint64_t riscv_boot_image_end(const RISCVBootImage *img);
void riscv_boot_image_free(RISCVBootImage *img);

/* What every hart holds after reset: pc, a0 = its hart id, a1. */
typedef struct RISCVBootState {
    uint64_t pc;
    uint64_t a1;               /* device tree address (0: none) */
} RISCVBootState;

extern RISCVBootState riscv_boot_state;

#endif
