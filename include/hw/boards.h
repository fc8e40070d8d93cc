/*
 * Machines (boards): a registry of machine types and the machine being built.
 */
#ifndef HW_BOARDS_H
#define HW_BOARDS_H

#include "util/osdep.h"
#include "util/keyval.h"

typedef struct MachineClass MachineClass;
typedef struct Chardev Chardev;
typedef struct MemoryRegion MemoryRegion;

#define MAX_SERIAL_PORTS 4

typedef struct MachineState {
    const MachineClass *mc;
    Keyval *opts;              /* -machine properties; the board reads its own */
    uint64_t ram_size;
    unsigned smp_cpus;
    unsigned smp_sockets, smp_cores, smp_threads;
    char *cpu_model;           /* "host", "max", ... */
    char *kernel, *initrd, *append, *bios;
    char *name;
    char *boot;                /* -boot string (order=...,menu=...), NULL if none */
    GPtrArray *firmware_dirs;  /* -L directories, searched before the built-in ones */
    Chardev *serial[MAX_SERIAL_PORTS];
    MemoryRegion *ram;         /* created by the board */
    void *board;               /* the board's own state */
    /* Set by init when building was the whole job (-machine dumpdtb): exit 0, run nothing. */
    bool exit_after_init;
} MachineState;

struct MachineClass {
    const char *name;
    const char *desc;
    const char *arch;          /* target the board belongs to: "x86_64", "riscv64" */
    bool is_default;
    unsigned max_cpus;
    uint64_t default_ram_size;
    /* Builds RAM, devices and vCPUs. */
    bool (*init)(MachineState *ms, GError **errp);
    /* After every device reset: reload images, set the boot vCPU state. */
    void (*reset)(MachineState *ms);
    /* Presses the power button (ACPI PWRBTN); NULL on a board without one. */
    void (*powerdown)(MachineState *ms);
};

void machine_register(const MachineClass *mc);
#define machine_init(fn) \
    static void __attribute__((constructor)) machine_init_##fn(void) { fn(); }
const MachineClass *machine_find(const char *name);
const MachineClass *machine_default(void);
/* -machine help */
void machine_print_list(FILE *f);
/* Calls FN for every registered machine type, sorted by name. */
void machine_foreach(void (*fn)(const MachineClass *mc, void *opaque), void *opaque);

extern MachineState *current_machine;

#endif
