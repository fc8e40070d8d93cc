/*
 * The local APIC of each x86 vCPU (xAPIC, registers at 0xfee00000), as a
 * user-space model for accelerators without an in-kernel one (TCG, KVM with
 * kernel-irqchip=off). One MMIO window serves every LAPIC: an access goes to
 * the LAPIC of the vCPU whose thread makes it (vCPU 0's from other threads),
 * and a write to the window's reserved first 16 bytes of a 4 KiB page is an
 * MSI (address 0xfeeXX000 names the destination), as on the system bus.
 *
 * Everything here runs with the BQL held.
 */
#ifndef HW_INTC_APIC_H
#define HW_INTC_APIC_H

#include "hw/irq.h"
#include "hw/qdev.h"

#define TYPE_APIC           "apic"
#define APIC_DEFAULT_BASE   UINT64_C(0xfee00000)
#define APIC_MAX_CPUS       256
/* The timer counts bus clocks of 1 GHz (divided by the divide configuration), as KVM's. */
#define APIC_BUS_FREQ_HZ    1000000000ULL

/* Delivery modes of IOAPIC redirection entries, MSIs, LVT entries and the ICR. */
enum {
    APIC_DM_FIXED = 0,
    APIC_DM_LOWEST = 1,
    APIC_DM_SMI = 2,
    APIC_DM_NMI = 4,
    APIC_DM_INIT = 5,
    APIC_DM_STARTUP = 6,
    APIC_DM_EXTINT = 7,
};

/*
 * The LAPIC of vCPU CPU_INDEX with APIC_ID (the BSP is vCPU 0: its BSP flag is
 * set in the APIC base MSR and its LINT0 takes the 8259, virtual wire mode).
 * Maps the shared MMIO window on first use.
 */
DeviceState *apic_create(int cpu_index, uint32_t apic_id, GError **errp);
/* The LAPIC of vCPU CPU_INDEX, or NULL. */
DeviceState *apic_find(int cpu_index);
/* LINT0 (N = 0) and LINT1 (N = 1) input lines. */
qemu_irq apic_get_lint(DeviceState *dev, int n);

/* The 8259's acknowledge cycle, for ExtINT interrupts (LINT0 virtual wire or an IOAPIC pin). */
void apic_set_extint_ack(int (*ack)(void *opaque), void *opaque);
/* FN(OPAQUE, VECTOR) runs at every EOI of a level-triggered vector (the IOAPIC's remote IRR). */
void apic_add_eoi_listener(void (*fn)(void *opaque, uint8_t vector), void *opaque);

/*
 * An interrupt message on the APIC bus: to the LAPICs DEST (physical APIC id,
 * 0xff all; or logical, flat or cluster per their DFR) in DELIVERY_MODE.
 */
void apic_deliver_irq(uint8_t dest, bool logical, unsigned delivery_mode, uint8_t vector,
                      bool level_trig);
/* An MSI write of DATA to ADDR (0xfee00000 | dest << 12 | dest mode << 2). */
void apic_deliver_msi(uint64_t addr, uint32_t data);

/*
 * The accelerator's side (vCPU thread). A vCPU is kicked (cpu_kick) whenever
 * one of these may have become true.
 */
/* A maskable interrupt (fixed above the processor priority, or ExtINT) is waiting. */
bool apic_has_interrupt(DeviceState *dev);
/* The CPU takes it: its vector (now in service), or -1 if it went away. */
int apic_acknowledge(DeviceState *dev);
/* Consume a pending NMI / INIT / STARTUP (returns the SIPI vector, or -1). */
bool apic_take_nmi(DeviceState *dev);
bool apic_take_init(DeviceState *dev);
int apic_take_sipi(DeviceState *dev);
/* The task priority register (CR8 is its high nibble). */
uint8_t apic_get_tpr(DeviceState *dev);
void apic_set_tpr(DeviceState *dev, uint8_t tpr);
/* The IA32_APIC_BASE MSR (global enable bit 11, BSP bit 8). */
uint64_t apic_get_base(DeviceState *dev);
void apic_set_base(DeviceState *dev, uint64_t value);
/*
 * IA32_TSC_DEADLINE: the timer (in TSC-deadline mode) fires when the TSC,
 * which is TSC_NOW now and counts at TSC_HZ, reaches DEADLINE (0 disarms).
 */
void apic_set_tsc_deadline(DeviceState *dev, uint64_t deadline, uint64_t tsc_now,
                           uint64_t tsc_hz);
uint64_t apic_get_tsc_deadline(DeviceState *dev);

#endif
