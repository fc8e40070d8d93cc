/*
 * x86-64 guest CPU: what the board tells the accelerator about how vCPUs start.
 */
#ifndef TARGET_I386_CPU_H
#define TARGET_I386_CPU_H

#include "util/osdep.h"

typedef enum X86BootMode {
    X86_BOOT_RESET,        /* architectural reset: real mode at F000:FFF0 */
    X86_BOOT_PROTECTED32,  /* flat 32-bit protected mode, paging off (PVH entry) */
    X86_BOOT_LONG64,       /* 64-bit mode with identity paging (Linux 64-bit entry) */
} X86BootMode;

/*
 * State of the boot vCPU at reset. The board builds the GDT and page tables
 * in guest RAM and says where; application processors always start in the
 * wait-for-SIPI state.
 */
typedef struct X86BootState {
    X86BootMode mode;
    uint64_t rip;
    uint64_t rsp;
    uint64_t rsi;            /* Linux: boot_params */
    uint64_t rbx;            /* PVH: hvm_start_info */
    uint64_t cr3;            /* LONG64: PML4 */
    uint64_t gdt_base;       /* PROTECTED32/LONG64: flat GDT with code 0x10, data 0x18 */
    uint16_t gdt_limit;
} X86BootState;

extern X86BootState x86_boot_state;

/* GDT selectors of the boot GDT the board writes (Linux boot protocol layout). */
#define X86_BOOT_CS 0x10
#define X86_BOOT_DS 0x18

typedef struct X86CPU {
    uint32_t apic_id;
} X86CPU;

/* APIC id of vCPU INDEX under the -smp topology (sockets/cores/threads packed as x86 does). */
uint32_t x86_apic_id_from_index(unsigned index, unsigned cores, unsigned threads);

#endif
