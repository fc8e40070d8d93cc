/*
 * The riscv64 "virt" board (the default machine of kestrel-system-riscv64),
 * with QEMU's virt memory map so the same firmware, kernels and bare-metal
 * programs run on both: reset ROM 0x1000, SiFive test finisher 0x100000,
 * Goldfish RTC 0x101000, CLINT 0x2000000, PLIC 0xc000000, ns16550a
 * 0x10000000, eight virtio-mmio slots from 0x10001000, RAM 0x80000000. The
 * board describes itself in a device tree (virt_fdt_build, also used by the
 * unit tests).
 */
#ifndef HW_RISCV_VIRT_H
#define HW_RISCV_VIRT_H

#include "util/osdep.h"

#define VIRT_MROM_ADDR      0x1000ULL
#define VIRT_MROM_SIZE      0xf000ULL
#define VIRT_TEST_ADDR      0x100000ULL
#define VIRT_TEST_SIZE      0x1000ULL
#define VIRT_RTC_ADDR       0x101000ULL
#define VIRT_RTC_SIZE       0x1000ULL
#define VIRT_CLINT_ADDR     0x2000000ULL
#define VIRT_CLINT_SIZE     0x10000ULL
#define VIRT_PLIC_ADDR      0xc000000ULL
#define VIRT_PLIC_SIZE      0x600000ULL
#define VIRT_UART0_ADDR     0x10000000ULL
#define VIRT_UART0_SIZE     0x100ULL
#define VIRT_VIRTIO_ADDR    0x10001000ULL
#define VIRT_VIRTIO_SIZE    0x1000ULL
#define VIRT_VIRTIO_COUNT   8
#define VIRT_DRAM_ADDR      0x80000000ULL
#define VIRT_MAX_CPUS       8
#define VIRT_DEFAULT_RAM    (128 * MiB)
#define VIRT_CLINT_FREQ_HZ  10000000ULL

/* PLIC sources (QEMU's numbering): virtio-mmio slot n is 1 + n. */
#define VIRT_PLIC_NUM_SOURCES   96
#define VIRT_PLIC_PRIO_BITS     3
#define VIRT_IRQ_VIRTIO         1
#define VIRT_IRQ_UART0          10
#define VIRT_IRQ_RTC            11

#define VIRT_UART0_CLOCK_HZ     3686400

/* What the device tree describes beyond the fixed memory map. */
typedef struct VirtFdtConfig {
    unsigned num_harts;
    uint64_t ram_size;
    const char *isa;            /* riscv,isa of every hart */
    const char *mmu_type;       /* mmu-type of every hart ("riscv,sv48"), NULL: none */
    const char *bootargs;       /* /chosen/bootargs, NULL: none */
    uint64_t initrd_start;      /* initrd_end == initrd_start: no initrd */
    uint64_t initrd_end;
} VirtFdtConfig;

/*
 * The flattened device tree of the board (*SIZE bytes), g_free()d by the
 * caller; NULL with *errp set.
 */
void *virt_fdt_build(const VirtFdtConfig *cfg, size_t *size, GError **errp);

#endif
