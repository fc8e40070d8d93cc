/*
 * Accelerators: KVM (accel/kvm) and, later, TCG (accel/tcg).
 */
#ifndef SYSEMU_ACCEL_H
#define SYSEMU_ACCEL_H

#include "util/osdep.h"
#include "sysemu/cpus.h"

typedef struct MachineState MachineState;

typedef struct AccelOps {
    const char *name;
    /* Can this accelerator run here (e.g. /dev/kvm opens)? */
    bool (*available)(void);
    /* Before the board: creates the VM. OPTS carries -accel properties. */
    bool (*init_machine)(MachineState *ms, GError **errp);
    /* Creates the accelerator's side of a vCPU (called from cpu_create). */
    bool (*init_vcpu)(CPUState *cpu, GError **errp);
    /* The vCPU thread body. */
    void *(*vcpu_thread)(void *cpu);
    void (*kick_vcpu)(CPUState *cpu);
    /* Puts the vCPU in its reset state (BSP at the board's boot state). vCPU thread, BQL held. */
    void (*reset_vcpu)(CPUState *cpu);
    /* Drives an interrupt line (GSI) of the in-kernel or emulated irqchip. */
    void (*set_irq)(int gsi, int level);
} AccelOps;

void accel_register(const AccelOps *ops);
#define accel_init(fn) \
    static void __attribute__((constructor)) accel_init_##fn(void) { fn(); }
const AccelOps *accel_find(const char *name);
/* The accelerator chosen by main(). */
extern const AccelOps *current_accel;

#endif
