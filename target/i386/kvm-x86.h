/*
 * x86 side of the KVM accelerator: the CPUID table a vCPU gets, its reset
 * state, and a register dump for error reports. accel/kvm calls these; they
 * only issue vCPU ioctls or transform tables, so tests can drive them too.
 */
#ifndef TARGET_I386_KVM_X86_H
#define TARGET_I386_KVM_X86_H

#include <linux/kvm.h>
#include "util/osdep.h"
#include "target/i386/cpu.h"

/*
 * Builds the CPUID table of the vCPU with APIC_ID from KVM_GET_SUPPORTED_CPUID's
 * SUPPORTED ("-cpu host", which "max" equals under KVM), for a package of
 * CORES cores of THREADS threads: hypervisor bit, leaf 1 initial APIC id and
 * logical processor count, leaf 4 core and cache sharing counts, topology
 * leaves 0xB (and 0x1F when the host has it) with the x2APIC id, AMD's
 * 0x80000008/0x8000001E, and the KVM paravirt leaves 0x40000000/0x40000001.
 * Returns a new table (g_free).
 */
struct kvm_cpuid2 *x86_kvm_cpuid_build(const struct kvm_cpuid2 *supported, uint32_t apic_id,
                                       unsigned cores, unsigned threads);
/* The entry for FUNCTION/INDEX (INDEX ignored for leaves without subleaves), or NULL. */
struct kvm_cpuid_entry2 *x86_kvm_cpuid_find(struct kvm_cpuid2 *cpuid, uint32_t function,
                                            uint32_t index);

/* What resetting a vCPU needs to know about it and about the host's KVM. */
typedef struct X86KvmVcpuInfo {
    int fd;
    unsigned index;                   /* vCPU 0 boots; the others wait for SIPI */
    uint32_t cpuid_signature;         /* CPUID.1.EAX, which EDX holds after reset */
    bool has_xcrs;                    /* KVM_CAP_XCRS (the host has XSAVE) */
    const struct kvm_msr_list *msrs;  /* KVM_GET_MSR_INDEX_LIST */
    bool user_irqchip;                /* no in-kernel LAPIC: the caller resets its own */
} X86KvmVcpuInfo;

/*
 * Puts the vCPU in its reset state: vCPU 0 as BOOT says (architectural reset,
 * flat 32-bit protected mode or 64-bit mode), the others in wait-for-SIPI
 * with architectural reset registers. Also resets FPU, XCR0, MSRs, pending
 * events, debug registers and the local APIC (unless user_irqchip: then
 * every vCPU is left runnable and the caller holds the APs until SIPI).
 * vCPU thread.
 */
bool x86_kvm_reset_vcpu(const X86KvmVcpuInfo *vcpu, const X86BootState *boot, GError **errp);

/* Prints GPRs, RIP, RFLAGS, segments, control registers, EFER, GDT/IDT. */
void x86_kvm_dump_regs(int vcpu_fd, FILE *f);

#endif
