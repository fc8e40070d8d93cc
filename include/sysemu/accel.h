/*
 * Accelerators: KVM (accel/kvm) and, later, TCG (accel/tcg).
 */
#ifndef SYSEMU_ACCEL_H
#define SYSEMU_ACCEL_H

#include "util/osdep.h"
#include "sysemu/cpus.h"

typedef struct MachineState MachineState;
typedef struct Keyval Keyval;

typedef struct AccelOps {
    const char *name;
    /* Can this accelerator run here (e.g. /dev/kvm opens)? */
    bool (*available)(void);
    /*
     * Reads its -accel properties (OPTS, the name already taken) before
     * init_machine; what it does not read is an error. NULL: it takes none.
     */
    bool (*parse_options)(Keyval *opts, GError **errp);
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
    /* The machine stops (false) or runs again (true); main thread, BQL held. May be NULL. */
    void (*vm_state_changed)(bool running);
    /* Prints the vCPU's registers (monitor "info registers"); vCPU thread. May be NULL. */
    void (*dump_vcpu)(CPUState *cpu, FILE *f);
    /*
     * Translates guest virtual address VADDR through the vCPU's current
     * paging state (monitor "x"); vCPU thread. False if unmapped. May be NULL.
     */
    bool (*translate_vaddr)(CPUState *cpu, uint64_t vaddr, uint64_t *paddr);
    /*
     * Injects the message-signalled interrupt DATA at ADDR (x86: the LAPIC
     * window at 0xfee00000) into the accelerator's interrupt controller.
     * NULL: MSIs are plain writes to address_space_memory. Any thread.
     */
    void (*signal_msi)(uint64_t addr, uint32_t data);
    /*
     * Fast paths, NULL when the accelerator has none (main thread, BQL held):
     * set_ioeventfd makes a LEN-byte guest write of DATA to guest-physical
     * ADDR signal the eventfd FD instead of exiting to device code (ASSIGN
     * false removes it); add_msi_route returns a route number (a GSI) for the
     * message ADDR/DATA or -1, update_msi_route changes it, release_msi_route
     * frees it; set_irqfd makes a write to the eventfd FD inject route VIRQ.
     */
    bool (*set_ioeventfd)(int fd, uint64_t addr, unsigned len, uint64_t data, bool assign);
    int (*add_msi_route)(uint64_t addr, uint32_t data);
    bool (*update_msi_route)(int virq, uint64_t addr, uint32_t data);
    void (*release_msi_route)(int virq);
    bool (*set_irqfd)(int fd, int virq, bool assign);
} AccelOps;

void accel_register(const AccelOps *ops);
#define accel_init(fn) \
    static void __attribute__((constructor)) accel_init_##fn(void) { fn(); }
const AccelOps *accel_find(const char *name);
/* The accelerator chosen by main(). */
extern const AccelOps *current_accel;

#endif
