/*
 * The riscv64 "virt" board, QEMU's memory map and boot flow. Every hart
 * starts in M-mode at the reset ROM (0x1000), which loads a0 = mhartid, a1 =
 * the device tree and a2 = the fw_dynamic info (in the ROM, after the code)
 * and jumps to the firmware: OpenSBI's fw_dynamic by default (Debian's
 * opensbi package), -bios FILE (ELF, or raw at 0x80000000), or with -bios
 * none straight to the -kernel (then an M-mode program). The fw_dynamic info
 * tells OpenSBI to boot hart 0 and continue in S-mode at the kernel, which
 * goes 2 MiB-aligned after the firmware (0x80200000 for OpenSBI) whether a
 * Linux Image, U-Boot's u-boot.bin or an ELF at its own addresses. The initrd
 * goes half-way into RAM, at most 128 MiB after the kernel start (past the
 * kernel's end if that is further); the device tree at the top of RAM but
 * below 3 GiB, rounded down to 2 MiB, which leaves OpenSBI room to grow it in
 * place. All images are written again at every reset. Interrupts: the CLINT
 * drives each hart's MSIP and MTIP and is the harts' time source; the PLIC
 * has 96 sources and two contexts per hart (M-mode 2N, S-mode 2N + 1, to
 * MEIP and SEIP). Virtio devices take the free virtio-mmio slot with the
 * highest address first, as QEMU hands them out. `-machine dumpdtb=FILE`
 * writes the device tree and ends the process.
 */
#include "util/osdep.h"

#include "block/block.h"
#include "exec/memory.h"
#include "hw/boards.h"
#include "hw/char/serial.h"
#include "hw/riscv/boot.h"
#include "hw/riscv/clint.h"
#include "hw/riscv/goldfish-rtc.h"
#include "hw/riscv/plic.h"
#include "hw/riscv/sifive-test.h"
#include "hw/riscv/virt.h"
#include "hw/virtio/virtio-blk.h"
#include "hw/virtio/virtio-mmio.h"
#include "sysemu/cpus.h"
#include "target/riscv/cpu.h"
#include "util/log.h"

#define VIRT_DEFAULT_BIOS "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"
#define VIRT_ISA          "rv64imafdc_zicsr_zifencei"
#define VIRT_MMU_TYPE     "riscv,sv48"
#define VIRT_FDT_LIMIT    0xc0000000ULL     /* the device tree stays below 3 GiB */
#define VIRT_INITRD_MAX_OFFSET (128 * MiB)

/* OpenSBI's struct fw_dynamic_info (include/sbi/fw_dynamic.h), version 2. */
#define FW_DYNAMIC_INFO_MAGIC   0x4942534fULL   /* "OSBI" */
#define FW_DYNAMIC_INFO_VERSION 2
#define FW_DYNAMIC_NEXT_MODE_S  1

/* The reset ROM: code, then the jump target and the fdt address, then fw_dynamic_info. */
enum {
    ROM_CODE_WORDS = 6,
    ROM_START_ADDR = ROM_CODE_WORDS * 4,
    ROM_FDT_ADDR = ROM_START_ADDR + 8,
    ROM_FW_DYNAMIC = ROM_FDT_ADDR + 8,
    ROM_SIZE = ROM_FW_DYNAMIC + 6 * 8,
};

typedef struct VirtState {
    GPtrArray *images;                  /* RISCVBootImage *, written at every reset */
    uint64_t fdt_addr;
    DeviceState *plic;
    uint32_t virtio_slots;              /* bit n: slot n taken */
    MemoryRegion rom;
    MemoryRegion virtio_empty[VIRT_VIRTIO_COUNT];   /* under the slots, for probes */
    qemu_irq soft[VIRT_MAX_CPUS];
    qemu_irq timer[VIRT_MAX_CPUS];
    qemu_irq ext[2 * VIRT_MAX_CPUS];    /* PLIC context outputs */
} VirtState;

/* Hart lines: opaque is the hart, N its interrupt (the mip bit). */
static void virt_set_hart_irq(void *opaque, int n, int level)
{
    riscv_cpu_set_irq(opaque, n, level);
}

static void st32(uint8_t *p, uint32_t v)
{
    v = GUINT32_TO_LE(v);
    memcpy(p, &v, sizeof(v));
}

static void st64(uint8_t *p, uint64_t v)
{
    v = GUINT64_TO_LE(v);
    memcpy(p, &v, sizeof(v));
}

/* The reset vector: jump to START with a0 = mhartid, a1 = FDT, a2 = &fw_dynamic_info. */
static RISCVBootImage *virt_rom_image(uint64_t start, uint64_t fdt, uint64_t next_addr)
{
    static const uint32_t code[ROM_CODE_WORDS] = {
        0x00000297,     /* auipc t0, 0                   */
        0x02828613,     /* addi  a2, t0, ROM_FW_DYNAMIC  */
        0xf1402573,     /* csrr  a0, mhartid             */
        0x0202b583,     /* ld    a1, ROM_FDT_ADDR(t0)    */
        0x0182b283,     /* ld    t0, ROM_START_ADDR(t0)  */
        0x00028067,     /* jr    t0                      */
    };
    uint8_t rom[ROM_SIZE];

    G_STATIC_ASSERT(ROM_FW_DYNAMIC == 40 && ROM_FDT_ADDR == 32 && ROM_START_ADDR == 24);
    for (unsigned i = 0; i < ROM_CODE_WORDS; i++) {
        st32(rom + 4 * i, code[i]);
    }
    st64(rom + ROM_START_ADDR, start);
    st64(rom + ROM_FDT_ADDR, fdt);
    st64(rom + ROM_FW_DYNAMIC, FW_DYNAMIC_INFO_MAGIC);
    st64(rom + ROM_FW_DYNAMIC + 8, FW_DYNAMIC_INFO_VERSION);
    st64(rom + ROM_FW_DYNAMIC + 16, next_addr);
    st64(rom + ROM_FW_DYNAMIC + 24, FW_DYNAMIC_NEXT_MODE_S);
    st64(rom + ROM_FW_DYNAMIC + 32, 0);         /* options */
    st64(rom + ROM_FW_DYNAMIC + 40, 0);         /* boot hart */
    return riscv_boot_image_from_data(VIRT_MROM_ADDR, rom, sizeof(rom));
}

/*
 * A slot without a device still answers like a virtio-mmio transport with
 * device ID 0 (no device), so drivers probing the device tree's eight slots
 * skip it instead of taking an access fault; a device's window covers it.
 */
static uint64_t virt_virtio_empty_read(void *opaque, uint64_t addr, unsigned size)
{
    switch (addr) {
    case VIRTIO_MMIO_MAGIC_VALUE:
        return VIRTIO_MMIO_MAGIC;
    case VIRTIO_MMIO_VERSION_REG:
        return VIRTIO_MMIO_VERSION;
    case VIRTIO_MMIO_VENDOR_ID:
        return VIRTIO_MMIO_VENDOR;
    default:
        return 0;
    }
}

static void virt_virtio_empty_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    log_mask_printf(LOG_GUEST_ERROR, "virt: write of 0x%" PRIx64 " to offset 0x%" PRIx64
                    " of an empty virtio-mmio slot ignored\n", val, addr);
}

static const MemoryRegionOps virt_virtio_empty_ops = {
    .read = virt_virtio_empty_read,
    .write = virt_virtio_empty_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

/* Slots go from the highest address down, as QEMU's virt hands them out. */
static bool virt_virtio_mmio_claim(MachineState *ms, uint64_t *base, qemu_irq *irq,
                                   GError **errp)
{
    VirtState *s = ms->board;

    for (int slot = VIRT_VIRTIO_COUNT - 1; slot >= 0; slot--) {
        if (!(s->virtio_slots & (1u << slot))) {
            s->virtio_slots |= 1u << slot;
            *base = VIRT_VIRTIO_ADDR + (uint64_t)slot * VIRT_VIRTIO_SIZE;
            *irq = riscv_plic_get_source(s->plic, VIRT_IRQ_VIRTIO + (unsigned)slot);
            return true;
        }
    }
    error_setg(errp, "virt: all %d virtio-mmio slots are in use", VIRT_VIRTIO_COUNT);
    return false;
}

/* Each -drive if=virtio becomes a virtio-blk-device in the next virtio-mmio slot. */
static bool virt_init_virtio_drives(GError **errp)
{
    g_autoptr(GPtrArray) drives = blk_drives_for_interface("virtio");

    for (guint i = 0; i < drives->len; i++) {
        DeviceState *dev = qdev_new(TYPE_VIRTIO_BLK);

        qdev_prop_set_string(dev, "drive", blk_name(g_ptr_array_index(drives, i)));
        if (!qdev_realize(dev, errp)) {
            return false;
        }
    }
    return true;
}

static bool virt_init_devices(MachineState *ms, VirtState *s, GError **errp)
{
    DeviceState *clint;

    for (unsigned i = 0; i < ms->smp_cpus; i++) {
        CPUState *cpu = cpu_create((int)i, errp);

        if (!cpu) {
            return false;
        }
        s->soft[i] = irq_new(virt_set_hart_irq, cpu, RISCV_IRQ_M_SOFT);
        s->timer[i] = irq_new(virt_set_hart_irq, cpu, RISCV_IRQ_M_TIMER);
        s->ext[2 * i] = irq_new(virt_set_hart_irq, cpu, RISCV_IRQ_M_EXT);
        s->ext[2 * i + 1] = irq_new(virt_set_hart_irq, cpu, RISCV_IRQ_S_EXT);
    }
    clint = riscv_clint_create(VIRT_CLINT_ADDR, ms->smp_cpus, VIRT_CLINT_FREQ_HZ, s->soft,
                               s->timer, errp);
    if (!clint) {
        return false;
    }
    riscv_set_time_source(riscv_clint_read_mtime, clint);
    s->plic = riscv_plic_create(VIRT_PLIC_ADDR, VIRT_PLIC_SIZE, VIRT_PLIC_NUM_SOURCES,
                                VIRT_PLIC_PRIO_BITS, 2 * ms->smp_cpus, s->ext, errp);
    if (!s->plic || !sifive_test_create(VIRT_TEST_ADDR, errp) ||
        !goldfish_rtc_create(VIRT_RTC_ADDR, riscv_plic_get_source(s->plic, VIRT_IRQ_RTC),
                             errp)) {
        return false;
    }
    if (ms->serial[0] &&
        !serial_mm_create(VIRT_UART0_ADDR, 0, riscv_plic_get_source(s->plic, VIRT_IRQ_UART0),
                          ms->serial[0], errp)) {
        return false;
    }
    for (unsigned i = 0; i < VIRT_VIRTIO_COUNT; i++) {
        memory_region_init_io(&s->virtio_empty[i], &virt_virtio_empty_ops, s,
                              "virtio-mmio-empty", VIRT_VIRTIO_SIZE);
        memory_region_add_subregion_overlap(get_system_memory(),
                                            VIRT_VIRTIO_ADDR + i * VIRT_VIRTIO_SIZE,
                                            &s->virtio_empty[i], -1);
    }
    virtio_mmio_set_slot_claim(virt_virtio_mmio_claim);
    return virt_init_virtio_drives(errp);
}

/*
 * -bios: NULL or "default" is OpenSBI's fw_dynamic, "none" nothing. *FW is
 * left NULL for none.
 */
static bool virt_load_firmware(MachineState *ms, RISCVBootImage **fw, GError **errp)
{
    const char *path = ms->bios;

    *fw = NULL;
    if (path && !strcmp(path, "none")) {
        return true;
    }
    if (!path || !strcmp(path, "default")) {
        path = VIRT_DEFAULT_BIOS;
        if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
            error_setg(errp, "virt: the default firmware %s is missing (install Debian's "
                       "opensbi package, or give -bios FILE or -bios none)", path);
            return false;
        }
    }
    *fw = riscv_boot_load("firmware", path, VIRT_DRAM_ADDR, VIRT_DRAM_ADDR, ms->ram_size,
                          errp);
    return *fw != NULL;
}

/* Reads the initrd and places it as described at the top of the file. */
static RISCVBootImage *virt_load_initrd(MachineState *ms, uint64_t kernel_start,
                                        uint64_t kernel_end, GError **errp)
{
    g_autofree gchar *data = NULL;
    gsize size;
    GError *err = NULL;
    uint64_t ram_end = VIRT_DRAM_ADDR + ms->ram_size;
    uint64_t start;

    if (!g_file_get_contents(ms->initrd, &data, &size, &err)) {
        error_setg(errp, "initrd '%s': %s", ms->initrd, err->message);
        g_error_free(err);
        return NULL;
    }
    start = kernel_start + MIN(ms->ram_size / 2, VIRT_INITRD_MAX_OFFSET);
    start = MAX(start, ROUND_UP(kernel_end, 4 * KiB));
    if (start >= ram_end || size > ram_end - start) {
        error_setg(errp, "initrd '%s': %zu bytes do not fit in RAM after the kernel; use more "
                   "memory (-m)", ms->initrd, (size_t)size);
        return NULL;
    }
    return riscv_boot_image_from_data(start, data, size);
}

static bool virt_write_dtb(const char *path, const void *fdt, size_t size, GError **errp)
{
    GError *err = NULL;

    if (!g_file_set_contents(path, fdt, (gssize)size, &err)) {
        error_setg(errp, "virt: dumpdtb: %s", err->message);
        g_error_free(err);
        return false;
    }
    return true;
}

/* Loads everything, builds and places the device tree, and adds the reset ROM. */
static bool virt_init_boot(MachineState *ms, VirtState *s, GError **errp)
{
    const char *dumpdtb = keyval_get(ms->opts, "dumpdtb");
    RISCVBootImage *fw, *kernel = NULL, *initrd = NULL;
    uint64_t kernel_start, payload_end, top, start;
    VirtFdtConfig cfg = {
        .num_harts = ms->smp_cpus,
        .ram_size = ms->ram_size,
        .isa = VIRT_ISA,
        .mmu_type = VIRT_MMU_TYPE,
        .bootargs = ms->append,
    };
    g_autofree void *fdt = NULL;
    size_t fdt_size;

    if (!virt_load_firmware(ms, &fw, errp)) {
        return false;
    }
    if (fw) {
        g_ptr_array_add(s->images, fw);
    } else if (!ms->kernel && !dumpdtb) {
        error_setg(errp, "virt: -bios none needs a -kernel (an M-mode riscv64 ELF or binary)");
        return false;
    }
    kernel_start = fw ? ROUND_UP(riscv_boot_image_end(fw), 2 * MiB) : VIRT_DRAM_ADDR;
    payload_end = fw ? riscv_boot_image_end(fw) : VIRT_DRAM_ADDR;
    if (ms->kernel) {
        kernel = riscv_boot_load("kernel", ms->kernel, kernel_start, VIRT_DRAM_ADDR,
                                 ms->ram_size, errp);
        if (!kernel) {
            return false;
        }
        g_ptr_array_add(s->images, kernel);
        if (fw && riscv_boot_image_start(kernel) < riscv_boot_image_end(fw) &&
            riscv_boot_image_end(kernel) > VIRT_DRAM_ADDR) {
            error_setg(errp, "virt: kernel '%s' (0x%" PRIx64 "-0x%" PRIx64 ") overlaps the "
                       "firmware (up to 0x%" PRIx64 ")", ms->kernel,
                       riscv_boot_image_start(kernel), riscv_boot_image_end(kernel) - 1,
                       riscv_boot_image_end(fw) - 1);
            return false;
        }
        payload_end = MAX(payload_end, riscv_boot_image_end(kernel));
    }
    if (ms->initrd) {
        initrd = virt_load_initrd(ms, kernel_start, payload_end, errp);
        if (!initrd) {
            return false;
        }
        g_ptr_array_add(s->images, initrd);
        cfg.initrd_start = riscv_boot_image_entry(initrd);
        cfg.initrd_end = riscv_boot_image_end(initrd);
        payload_end = cfg.initrd_end;
    }

    fdt = virt_fdt_build(&cfg, &fdt_size, errp);
    if (!fdt) {
        return false;
    }
    if (dumpdtb) {
        ms->exit_after_init = true;
        return virt_write_dtb(dumpdtb, fdt, fdt_size, errp);
    }
    top = MIN(VIRT_DRAM_ADDR + ms->ram_size, VIRT_FDT_LIMIT);
    s->fdt_addr = top > VIRT_DRAM_ADDR + fdt_size ? ROUND_DOWN(top - fdt_size, 2 * MiB) : 0;
    if (s->fdt_addr < payload_end) {
        error_setg(errp, "virt: no room for the device tree above the firmware, kernel and "
                   "initrd (which end at 0x%" PRIx64 "); use more memory (-m)", payload_end);
        return false;
    }
    g_ptr_array_add(s->images, riscv_boot_image_from_data(s->fdt_addr, fdt, fdt_size));

    start = fw ? riscv_boot_image_entry(fw) : riscv_boot_image_entry(kernel);
    g_ptr_array_add(s->images, virt_rom_image(start, s->fdt_addr,
                                              kernel ? riscv_boot_image_entry(kernel) : 0));
    return true;
}

static void virt_free_image(gpointer img)
{
    riscv_boot_image_free(img);
}

static bool virt_init(MachineState *ms, GError **errp)
{
    VirtState *s = g_new0(VirtState, 1);

    ms->board = s;
    s->images = g_ptr_array_new_with_free_func(virt_free_image);
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
    if (!memory_region_init_rom(&s->rom, "riscv_virt_board.mrom", VIRT_MROM_SIZE, errp)) {
        return false;
    }
    memory_region_add_subregion(get_system_memory(), VIRT_MROM_ADDR, &s->rom);
    return virt_init_boot(ms, s, errp) && virt_init_devices(ms, s, errp);
}

static void virt_reset(MachineState *ms)
{
    VirtState *s = ms->board;

    for (guint i = 0; i < s->images->len; i++) {
        riscv_boot_image_install(g_ptr_array_index(s->images, i), &address_space_memory);
    }
    riscv_boot_state = (RISCVBootState){ .pc = VIRT_MROM_ADDR, .a1 = s->fdt_addr };
}

static const MachineClass virt_class = {
    .name = "virt",
    .desc = "RISC-V VirtIO board (QEMU's virt: CLINT, PLIC, UART, virtio-mmio, RTC)",
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
