/*
 * State shared by the files of the KVM accelerator (VM, memory slots, vCPUs).
 * Private to accel/kvm: the rest of the emulator uses include/sysemu/kvm.h.
 */
#ifndef ACCEL_KVM_KVM_INT_H
#define ACCEL_KVM_KVM_INT_H

#include <linux/kvm.h>
#include "util/osdep.h"
#include "exec/memory.h"
#include "hw/qdev.h"
#include "sysemu/cpus.h"
#include "target/i386/kvm-x86.h"

typedef struct MachineState MachineState;

typedef struct KVMSlot {
    bool used;
    uint64_t gpa;
    uint64_t size;
} KVMSlot;

typedef struct KVMState {
    int fd;                          /* /dev/kvm */
    int vm_fd;
    size_t vcpu_mmap_size;           /* of struct kvm_run and what follows it */
    unsigned cores, threads;         /* -smp topology, for APIC ids and CPUID */
    struct kvm_cpuid2 *supported_cpuid;
    struct kvm_msr_list *msr_list;
    bool has_xcrs;
    unsigned max_vcpu_id;            /* APIC ids must stay below */
    bool irqchip_in_kernel;          /* -machine kernel-irqchip=on (default) */
    KVMSlot *slots;
    unsigned nr_slots;
    MemoryListener listener;
} KVMState;

/* The VM; NULL until init_machine succeeded. */
extern KVMState *kvm_state;

typedef struct KVMVcpu {
    struct kvm_run *run;
    X86KvmVcpuInfo info;             /* info.fd is the vCPU fd */
    struct kvm_cpuid2 *cpuid;
    /* The last exit was PIO/MMIO: KVM finishes the instruction at the next KVM_RUN. */
    bool io_pending;
    /*
     * kernel-irqchip=off: the user-space LAPIC (hw/intc/apic.h) of this vCPU,
     * where a halted vCPU sleeps, whether it waits for a STARTUP IPI, and the
     * CR8 and APIC base values last exchanged through kvm_run.
     */
    DeviceState *apic;
    GCond halt_cond;
    bool wait_sipi;
    uint8_t cr8;
    uint64_t apic_base;
} KVMVcpu;

/*
 * One line telling the user that guest kernel code will crawl, if it will.
 * Said when vCPU 0 starts, not at VM creation, so that a command line error
 * found after the VM exists is the only line the user sees.
 */
void kvm_warn_software_backend(void);

/* kvm-slots.c: keeps KVM's memory slots equal to the RAM of address_space_memory. */
void kvm_slots_init(KVMState *s, unsigned nr_slots);

/* kvm-vcpu.c: the AccelOps vCPU callbacks. */
void kvm_vcpu_signals_init(void);
bool kvm_vcpu_init(CPUState *cpu, GError **errp);
void *kvm_vcpu_thread(void *opaque);
void kvm_vcpu_kick(CPUState *cpu);
void kvm_vcpu_reset(CPUState *cpu);
void kvm_vcpu_dump(CPUState *cpu, FILE *f);
bool kvm_vcpu_translate(CPUState *cpu, uint64_t vaddr, uint64_t *paddr);

/*
 * kvm-irqfd.c: MSI injection, MSI routes, irqfd and ioeventfd (the AccelOps
 * fast paths). The board's GSI routes are kept to be sent again with MSI
 * routes added.
 */
void kvm_irqfd_set_base_routes(const struct kvm_irq_routing *table);
void kvm_accel_signal_msi(uint64_t addr, uint32_t data);
int kvm_add_msi_route(uint64_t addr, uint32_t data);
bool kvm_update_msi_route(int virq, uint64_t addr, uint32_t data);
void kvm_release_msi_route(int virq);
bool kvm_set_irqfd(int fd, int virq, bool assign);
bool kvm_set_ioeventfd(int fd, uint64_t addr, unsigned len, uint64_t data, bool assign);

#endif
