/*
 * The riscv64 "virt" board, the part of QEMU's memory map bare-metal programs
 * need: RAM at 0x80000000, a 16550A at 0x10000000 (register shift 0), the
 * SiFive test finisher at 0x100000 and a CLINT at 0x2000000 at 10 MHz. With
 * `-bios none -kernel prog.elf` the harts start in M-mode at the ELF's entry
 * with a0 = hart id and a1 = 0 (no device tree yet); the ELF is written again
 * at every reset. Firmware (-bios FILE), a device tree and a PLIC come with
 * the privileged-mode work; the CLINT's lines drive the harts' mip bits.
 */
#include "util/osdep.h"

#include "exec/memory.h"
#include "hw/boards.h"
#include "hw/char/serial.h"
#include "hw/riscv/boot.h"
#include "hw/riscv/clint.h"
#include "hw/riscv/sifive-test.h"
#include "hw/riscv/virt.h"
#include "sysemu/cpus.h"
#include "target/riscv/cpu.h"

typedef struct VirtState {
    RISCVBootImage *boot;
    qemu_irq soft[VIRT_MAX_CPUS];
    qemu_irq timer[VIRT_MAX_CPUS];
} VirtState;

/* CLINT lines: opaque is the hart, N its interrupt (the mip bit). */
static void virt_set_hart_irq(void *opaque, int n, int level)
{
    riscv_cpu_set_irq(opaque, n, level);
}

static bool virt_check_options(MachineState *ms, GError **errp)
{
    if (ms->bios && strcmp(ms->bios, "none") != 0) {
        error_setg(errp, "virt: -bios %s: firmware is not supported yet (use -bios none "
                   "-kernel prog.elf)", ms->bios);
        return false;
    }
    if (!ms->kernel) {
        error_setg(errp, "virt: no -kernel given (a bare-metal riscv64 ELF, with -bios none)");
        return false;
    }
    if (ms->initrd || ms->append) {
        error_setg(errp, "virt: -initrd and -append need a device tree, which this board "
                   "does not build yet");
        return false;
    }
    return true;
}

static bool virt_init(MachineState *ms, GError **errp)
{
    VirtState *s = g_new0(VirtState, 1);

    ms->board = s;
    if (!virt_check_options(ms, errp)) {
        return false;
    }
    if (ms->ram_size > UINT64_MAX - VIRT_DRAM_ADDR) {
        error_setg(errp, "virt: RAM does not fit above 0x%llx", VIRT_DRAM_ADDR);
        return false;
    }
    ms->ram = g_new0(MemoryRegion, 1);
    if (!memory_region_init_ram(ms->ram, "riscv_virt_board.ram", ms->ram_size, errp)) {
        g_free(ms->ram);
        ms->ram = NULL;
        return false;
    }
    memory_region_add_subregion(get_system_memory(), VIRT_DRAM_ADDR, ms->ram);
    s->boot = riscv_boot_elf_load(ms->kernel, VIRT_DRAM_ADDR, ms->ram_size, errp);
    if (!s->boot) {
        return false;
    }

    for (unsigned i = 0; i < ms->smp_cpus; i++) {
        CPUState *cpu = cpu_create(i, errp);

        if (!cpu) {
            return false;
        }
        s->soft[i] = irq_new(virt_set_hart_irq, cpu, RISCV_IRQ_M_SOFT);
        s->timer[i] = irq_new(virt_set_hart_irq, cpu, RISCV_IRQ_M_TIMER);
    }
    if (!sifive_test_create(VIRT_TEST_ADDR, errp) ||
        !riscv_clint_create(VIRT_CLINT_ADDR, ms->smp_cpus, VIRT_CLINT_FREQ_HZ, s->soft,
                            s->timer, errp)) {
        return false;
    }
    if (ms->serial[0] && !serial_mm_create(VIRT_UART0_ADDR, 0, NULL, ms->serial[0], errp)) {
        return false;
    }
    return true;
}

static void virt_reset(MachineState *ms)
{
    VirtState *s = ms->board;

    riscv_boot_image_install(s->boot, &address_space_memory);
    riscv_boot_state = (RISCVBootState){ .pc = riscv_boot_image_entry(s->boot), .a1 = 0 };
}

static const MachineClass virt_class = {
    .name = "virt",
    .desc = "RISC-V VirtIO board (bare-metal subset: RAM, UART, CLINT, test finisher)",
    .arch = "riscv64",
    .is_default = true,
    .max_cpus = VIRT_MAX_CPUS,
    .default_ram_size = VIRT_DEFAULT_RAM,
    .init = virt_init,
    .reset = virt_reset,
};

static void virt_register(void)
{
    machine_register(&virt_class);
}
machine_init(virt_register)
