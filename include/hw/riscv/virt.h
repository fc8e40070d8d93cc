/*
 * The riscv64 "virt" board (the default machine of kestrel-system-riscv64):
 * the part of QEMU's virt memory map that bare-metal programs use, so the
 * same ELF runs on both. RAM at 0x80000000, a 16550A (ns16550a) at
 * 0x10000000, the SiFive test finisher at 0x100000 for the exit status, and
 * a CLINT at 0x2000000 (msip, mtimecmp, mtime at 10 MHz).
 */
#ifndef HW_RISCV_VIRT_H
#define HW_RISCV_VIRT_H

#include "util/osdep.h"

#define VIRT_TEST_ADDR      0x100000ULL
#define VIRT_TEST_SIZE      0x1000ULL
#define VIRT_CLINT_ADDR     0x2000000ULL
#define VIRT_CLINT_SIZE     0x10000ULL
#define VIRT_UART0_ADDR     0x10000000ULL
#define VIRT_DRAM_ADDR      0x80000000ULL
#define VIRT_MAX_CPUS       8
#define VIRT_DEFAULT_RAM    (128 * MiB)
#define VIRT_CLINT_FREQ_HZ  10000000ULL

#endif
