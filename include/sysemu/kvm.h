/*
 * KVM accelerator: what the rest of the emulator may ask of it.
 *
 * The accelerator registers itself as "kvm" (include/sysemu/accel.h); boards
 * and devices use these helpers to learn whether KVM runs the machine and to
 * drive the in-kernel interrupt controller (PIC + IOAPIC, created with the VM).
 */
#ifndef SYSEMU_KVM_H
#define SYSEMU_KVM_H

#include "util/osdep.h"

/* Number of GSIs of the in-kernel irqchip's default routing (IOAPIC pins). */
#define KVM_IRQCHIP_NUM_GSIS 24

/* True once the KVM VM exists (the "kvm" accelerator's init_machine succeeded). */
bool kvm_enabled(void);

/*
 * True when /dev/kvm is a software implementation (kvm-pvm, or a host CPU
 * without VMX/SVM): guest user code runs natively but guest kernel and
 * real-mode code is emulated, thousands of times slower than hardware KVM.
 */
bool kvm_is_software_backend(void);

/* True unless -machine kernel-irqchip=off: the PIC, IOAPIC, LAPICs and PIT are KVM's. */
bool kvm_irqchip_in_kernel(void);

/*
 * Drives GSI (0-23: ISA IRQs 0-15 reach the PIC and the IOAPIC, 16-23 the
 * IOAPIC only) of the in-kernel irqchip. Any thread; needs no BQL.
 */
void kvm_set_irq(int gsi, int level);

/*
 * Injects the MSI message DATA at ADDR (the LAPIC window 0xfee00000 on x86)
 * through the in-kernel LAPIC (KVM_SIGNAL_MSI). Any thread. False on failure.
 */
bool kvm_signal_msi(uint64_t addr, uint32_t data);

#endif
