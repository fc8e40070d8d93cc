/*
 * x86-64 guest CPU state shared by the board and the accelerator: the boot
 * vCPU's start state and the vCPU index to APIC id mapping.
 */
#include "util/osdep.h"
#include "target/i386/cpu.h"
#include "target/i386/topology.h"

/* Filled by the board's reset hook; read by the accelerator when it resets vCPU 0. */
X86BootState x86_boot_state = { .mode = X86_BOOT_RESET };

uint32_t x86_apic_id_from_index(unsigned index, unsigned cores, unsigned threads)
{
    unsigned smt_id, core_id, pkg_id;

    cores = MAX(cores, 1);
    threads = MAX(threads, 1);
    smt_id = index % threads;
    core_id = (index / threads) % cores;
    pkg_id = index / (threads * cores);
    return (pkg_id << x86_topo_pkg_shift(cores, threads)) |
           (core_id << x86_topo_core_shift(threads)) | smt_id;
}
