/*
 * Unit test of the KVM accelerator and the vCPU thread protocol: creates a VM
 * with a little RAM, a ROM holding a few real-mode instructions at the reset
 * vector and test devices in port and memory space, then runs one vCPU
 * through architectural reset, flat 32-bit protected mode and 64-bit mode
 * (the board's three boot states), a triple fault and the machine reset that
 * follows, an interrupt through the in-kernel PIC and the start of a second
 * vCPU by INIT/SIPI, checking that every
 * PIO/MMIO exit reached the devices with the right values. Skipped when
 * /dev/kvm does not open.
 */
#include "util/osdep.h"
#include <fcntl.h>
#include "accel/kvm/kvm-int.h"
#include "exec/memory.h"
#include "sysemu/accel.h"
#include "sysemu/cpus.h"
#include "sysemu/kvm.h"
#include "sysemu/main-loop.h"
#include "sysemu/runstate.h"
#include "target/i386/cpu.h"
#include "util/log.h"

#define MMIO_LO    0xd0000       /* reachable from real mode as D000:0000 */
#define MMIO_HI    0xd0000000
#define ROM_BASE   0xffff0000
#define ROM_LOW    0xf0000
#define PORT_POST  0x80
#define PORT_BASE  0x510         /* +0: data in, +1: phase done, +2: data out */
#define GDT_ADDR   0x800
#define PM32_ENTRY 0x1000
#define LM64_ENTRY 0x2000
#define PT_ADDR    0x10000
#define STACK_TOP  0x8000
#define WAIT_SECONDS 120

/*
 * At ROM offset 0 (CS base 0xffff0000), reached from the reset vector:
 *   cli; mov %edx,0x508           # EDX at reset: the CPU signature
 *   xor %ax,%ax; mov %ax,%ds; mov %ax,%ss; mov $0x7000,%sp
 *   mov $0x42,%al; out %al,$0x80
 *   mov $0x510,%dx; in (%dx),%al; mov %al,0x500
 *   mov $0xd000,%ax; mov %ax,%es
 *   movl $0xcafef00d,%es:0x10; mov %es:0x20,%eax; mov %eax,0x504
 *   movb $0x99,%cs:msg            # a write to ROM: must be dropped
 *   mov $msg,%si; mov $5,%cx; mov $0x512,%dx; cld; rep outsb %cs:(%si),(%dx)
 *   xor %ax,%ax; mov %ax,%es; mov $0x600,%di; mov $3,%cx; mov $0x510,%dx
 *   rep insb (%dx),%es:(%di)
 *   mov $0x511,%dx; mov $1,%al; out %al,(%dx)
 *   1: hlt; jmp 1b
 *   msg: .ascii "hello"           # at offset 0x5d
 */
static const uint8_t real_code[] = {
    0xfa, 0x66, 0x89, 0x16, 0x08, 0x05, 0x31, 0xc0, 0x8e, 0xd8, 0x8e, 0xd0,
    0xbc, 0x00, 0x70, 0xb0, 0x42, 0xe6, 0x80, 0xba, 0x10, 0x05, 0xec, 0xa2,
    0x00, 0x05, 0xb8, 0x00, 0xd0, 0x8e, 0xc0, 0x26, 0x66, 0xc7, 0x06, 0x10,
    0x00, 0x0d, 0xf0, 0xfe, 0xca, 0x26, 0x66, 0xa1, 0x20, 0x00, 0x66, 0xa3,
    0x04, 0x05, 0x2e, 0xc6, 0x06, 0x5d, 0x00, 0x99, 0xbe, 0x5d, 0x00, 0xb9,
    0x05, 0x00, 0xba, 0x12, 0x05, 0xfc, 0x2e, 0xf3, 0x6e, 0x31, 0xc0, 0x8e,
    0xc0, 0xbf, 0x00, 0x06, 0xb9, 0x03, 0x00, 0xba, 0x10, 0x05, 0xf3, 0x6c,
    0xba, 0x11, 0x05, 0xb0, 0x01, 0xee, 0xf4, 0xeb, 0xfd, 0x68, 0x65, 0x6c,
    0x6c, 0x6f,
};

/* At 0xfffffff0: jmp 0x0000 (near, within CS). */
static const uint8_t reset_vector[] = { 0xe9, 0x0d, 0x00 };

/*
 *   mov %esi,0xd0000030; mov %ebx,0xd0000034; mov %ss,%eax; mov %eax,0xd0000038
 *   mov $0x511,%dx; mov %bl,%al; out %al,(%dx)
 *   1: hlt; jmp 1b
 */
static const uint8_t pm32_code[] = {
    0x89, 0x35, 0x30, 0x00, 0x00, 0xd0, 0x89, 0x1d, 0x34, 0x00, 0x00, 0xd0,
    0x8c, 0xd0, 0xa3, 0x38, 0x00, 0x00, 0xd0, 0x66, 0xba, 0x11, 0x05, 0x88,
    0xd8, 0xee, 0xf4, 0xeb, 0xfd,
};

/*
 *   movabs $0x1122334455667788,%rax; mov $0xd0000040,%edi
 *   mov %rax,(%rdi); mov %rsp,8(%rdi)
 *   mov $0x511,%dx; mov $3,%al; out %al,(%dx)
 *   mov $0x40000000,%edi; mov (%rdi),%eax   # unmapped: #PF, empty IDT: triple fault
 */
static const uint8_t lm64_code[] = {
    0x48, 0xb8, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0xbf, 0x40,
    0x00, 0x00, 0xd0, 0x48, 0x89, 0x07, 0x48, 0x89, 0x67, 0x08, 0x66, 0xba,
    0x11, 0x05, 0xb0, 0x03, 0xee, 0xbf, 0x00, 0x00, 0x00, 0x40, 0x8b, 0x07,
};

/*
 * At ROM offset 0x100: program the in-kernel 8259 (vector base 0x20, only
 * IRQ 5 unmasked), point vector 0x25 at the handler in RAM, say ready, then
 * wait with interrupts on until the handler ran:
 *   cli; xor %ax,%ax; mov %ax,%ds; mov %ax,%ss; mov $0x7000,%sp
 *   movw $0x700,0x94; movw $0,0x96
 *   mov $0x11,%al; out %al,$0x20; mov $0x20,%al; out %al,$0x21
 *   mov $0x04,%al; out %al,$0x21; mov $0x01,%al; out %al,$0x21
 *   mov $0xdf,%al; out %al,$0x21
 *   mov $0x511,%dx; mov $5,%al; out %al,(%dx)
 *   1: sti; hlt; cli; cmpb $0,0x520; je 1b
 *   mov $6,%al; out %al,(%dx)
 *   2: hlt; jmp 2b
 */
#define IRQ_CODE_OFFSET 0x100
static const uint8_t irq_code[] = {
    0xfa, 0x31, 0xc0, 0x8e, 0xd8, 0x8e, 0xd0, 0xbc, 0x00, 0x70, 0xc7, 0x06,
    0x94, 0x00, 0x00, 0x07, 0xc7, 0x06, 0x96, 0x00, 0x00, 0x00, 0xb0, 0x11,
    0xe6, 0x20, 0xb0, 0x20, 0xe6, 0x21, 0xb0, 0x04, 0xe6, 0x21, 0xb0, 0x01,
    0xe6, 0x21, 0xb0, 0xdf, 0xe6, 0x21, 0xba, 0x11, 0x05, 0xb0, 0x05, 0xee,
    0xfb, 0xf4, 0xfa, 0x80, 0x3e, 0x20, 0x05, 0x00, 0x74, 0xf6, 0xb0, 0x06,
    0xee, 0xf4, 0xeb, 0xfd,
};

/* At 0xfffffff0: jmp 0x0100. */
static const uint8_t reset_vector_irq[] = { 0xe9, 0x0d, 0x01 };

/*
 * At 0000:0700, the IRQ 5 handler:
 *   push %ax; movb $1,0x520; mov $0x25,%al; out %al,$0x80
 *   mov $0x20,%al; out %al,$0x20; pop %ax; iret
 */
#define IRQ_HANDLER 0x700
#define IRQ_FLAG    0x520
static const uint8_t irq_handler[] = {
    0x50, 0xc6, 0x06, 0x20, 0x05, 0x01, 0xb0, 0x25, 0xe6, 0x80, 0xb0, 0x20,
    0xe6, 0x20, 0x58, 0xcf,
};

/*
 * At 0x3000, vCPU 0 in flat 32-bit mode wakes vCPU 1 (APIC id 1) with
 * INIT and a SIPI to 0x9000, then waits for it to check in:
 *   mov $0xfee00000,%edi; movl $0x1ff,0xf0(%edi)      # APIC software-enabled
 *   movl $0x01000000,0x310(%edi); movl $0x4500,0x300(%edi)   # INIT
 *   movl $0x01000000,0x310(%edi); movl $0x4609,0x300(%edi)   # SIPI, vector 9
 *   1: pause; cmpl $0,0x530; je 1b
 *   mov $0x511,%dx; mov $7,%al; out %al,(%dx)
 *   2: hlt; jmp 2b
 */
#define SMP_ENTRY 0x3000
#define AP_ENTRY  0x9000
#define AP_FLAG   0x530
static const uint8_t smp_code[] = {
    0xbf, 0x00, 0x00, 0xe0, 0xfe, 0xc7, 0x87, 0xf0, 0x00, 0x00, 0x00, 0xff,
    0x01, 0x00, 0x00, 0xc7, 0x87, 0x10, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x01, 0xc7, 0x87, 0x00, 0x03, 0x00, 0x00, 0x00, 0x45, 0x00, 0x00, 0xc7,
    0x87, 0x10, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xc7, 0x87, 0x00,
    0x03, 0x00, 0x00, 0x09, 0x46, 0x00, 0x00, 0xf3, 0x90, 0x83, 0x3d, 0x30,
    0x05, 0x00, 0x00, 0x00, 0x74, 0xf5, 0x66, 0xba, 0x11, 0x05, 0xb0, 0x07,
    0xee, 0xf4, 0xeb, 0xfd,
};

/*
 * At 0900:0000, vCPU 1 after the SIPI reports its initial APIC id from CPUID:
 *   xor %ax,%ax; mov %ax,%ds; mov $1,%eax; cpuid; shr $24,%ebx
 *   mov %bl,%al; out %al,$0x80; movl $1,0x530
 *   1: cli; hlt; jmp 1b
 */
static const uint8_t ap_code[] = {
    0x31, 0xc0, 0x8e, 0xd8, 0x66, 0xb8, 0x01, 0x00, 0x00, 0x00, 0x0f, 0xa2,
    0x66, 0xc1, 0xeb, 0x18, 0x88, 0xd8, 0xe6, 0x80, 0x66, 0xc7, 0x06, 0x30,
    0x05, 0x01, 0x00, 0x00, 0x00, 0xfa, 0xf4, 0xeb, 0xfc,
};

typedef struct KvmTest {
    bool ready;                 /* the VM exists and vCPU 0 was created */
    MemoryRegion ram, rom, rom_low, mmio_lo, mmio_hi, post, ports;
    GString *log;               /* every device access, in order (BQL) */
    uint8_t next_in;
    GMutex lock;
    GCond cond;
    int phase;                  /* last value written to PORT_BASE + 1 */
} KvmTest;

static KvmTest t;

static uint64_t mmio_read(void *opaque, uint64_t addr, unsigned size)
{
    g_string_append_printf(t.log, "%s:r%u@%" PRIx64 ";", (const char *)opaque, size, addr);
    return 0x87654321;
}

static void mmio_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    g_string_append_printf(t.log, "%s:w%u@%" PRIx64 "=%" PRIx64 ";", (const char *)opaque, size,
                           addr, val);
}

static const MemoryRegionOps mmio_ops = {
    .read = mmio_read,
    .write = mmio_write,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
};

static uint64_t port_read(void *opaque, uint64_t addr, unsigned size)
{
    uint8_t val = 'a' + t.next_in++;

    g_string_append_printf(t.log, "i%" PRIx64 "=%x;", PORT_BASE + addr, val);
    return val;
}

static void port_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    uint64_t port = (uintptr_t)opaque + addr;

    g_assert_true(bql_locked());
    g_string_append_printf(t.log, "o%" PRIx64 "=%" PRIx64 ";", port, val);
    if (port == PORT_BASE + 1) {
        g_mutex_lock(&t.lock);
        t.phase = (int)val;
        g_cond_broadcast(&t.cond);
        g_mutex_unlock(&t.lock);
    }
}

static const MemoryRegionOps port_ops = {
    .read = port_read,
    .write = port_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static void wait_phase(int phase)
{
    gint64 deadline = g_get_monotonic_time() + WAIT_SECONDS * G_TIME_SPAN_SECOND;
    int got;

    g_mutex_lock(&t.lock);
    while (t.phase != phase && g_cond_wait_until(&t.cond, &t.lock, deadline)) {
        continue;
    }
    got = t.phase;
    g_mutex_unlock(&t.lock);
    g_assert_cmpint(got, ==, phase);
}

/* BQL held. Checks and clears the device log. */
static void take_log(const char *expected)
{
    g_assert_cmpstr(t.log->str, ==, expected);
    g_string_truncate(t.log, 0);
}

static uint8_t *ram_ptr(uint64_t addr)
{
    return (uint8_t *)memory_region_get_ram_ptr(&t.ram) + addr;
}

static void put_u64(uint64_t addr, uint64_t val)
{
    memcpy(ram_ptr(addr), &val, sizeof(val));
}

static bool skip_without_vm(void)
{
    if (!t.ready) {
        g_test_skip("no KVM VM (see /kvm/init)");
    }
    return !t.ready;
}

static void test_init(void)
{
    GError *err = NULL;
    int fd;

    current_accel = accel_find("kvm");
    g_assert_nonnull(current_accel);
    fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        g_autofree char *why = g_strdup_printf("/dev/kvm: %s", g_strerror(errno));

        g_assert_false(current_accel->available());
        g_test_skip(why);
        return;
    }
    close(fd);
    g_assert_true(current_accel->available());
    g_assert_false(kvm_enabled());

    bql_lock();
    g_assert_true(current_accel->init_machine(NULL, &err));
    g_assert_no_error(err);
    g_assert_true(kvm_enabled());
    if (g_file_test("/sys/module/kvm_pvm", G_FILE_TEST_IS_DIR)) {
        g_assert_true(kvm_is_software_backend());
    }

    t.log = g_string_new(NULL);
    /* Devices go in after the VM exists: the listener sees every addition. */
    g_assert_true(memory_region_init_ram(&t.ram, "test-ram", 1 * MiB, &err));
    g_assert_true(memory_region_init_rom(&t.rom, "test-rom", 64 * KiB, &err));
    memory_region_init_io(&t.mmio_lo, &mmio_ops, (void *)"lo", "test-mmio-lo", 0x1000);
    memory_region_init_io(&t.mmio_hi, &mmio_ops, (void *)"hi", "test-mmio-hi", 0x1000);
    memory_region_init_io(&t.post, &port_ops, (void *)(uintptr_t)PORT_POST, "test-post", 1);
    memory_region_init_io(&t.ports, &port_ops, (void *)(uintptr_t)PORT_BASE, "test-ports", 3);
    memory_region_add_subregion(get_system_memory(), 0, &t.ram);
    /* Splits the RAM slot in two around a hole of MMIO. */
    memory_region_add_subregion_overlap(get_system_memory(), MMIO_LO, &t.mmio_lo, 1);
    memory_region_add_subregion(get_system_memory(), MMIO_HI, &t.mmio_hi);
    memory_region_add_subregion(get_system_memory(), ROM_BASE, &t.rom);
    /* As on a PC, the ROM also shows below 1 MiB, where CS=F000 leads after a far jump. */
    memory_region_init_alias(&t.rom_low, "test-rom-low", &t.rom, 0, 64 * KiB);
    memory_region_add_subregion_overlap(get_system_memory(), ROM_LOW, &t.rom_low, 1);
    memory_region_add_subregion(get_system_io(), PORT_POST, &t.post);
    memory_region_add_subregion(get_system_io(), PORT_BASE, &t.ports);

    memcpy(memory_region_get_ram_ptr(&t.rom), real_code, sizeof(real_code));
    memcpy((uint8_t *)memory_region_get_ram_ptr(&t.rom) + 0xfff0, reset_vector,
           sizeof(reset_vector));

    /* vCPU 1 waits for a SIPI through every phase until /kvm/smp wakes it. */
    for (int i = 0; i < 2; i++) {
        g_assert_nonnull(cpu_create(i, &err));
        g_assert_no_error(err);
        g_assert_true(cpus[i]->reset_pending);
    }
    g_assert_cmpuint(cpus_count, ==, 2);
    t.ready = true;
    bql_unlock();
}

static void test_real_mode(void)
{
    KVMVcpu *v;
    uint32_t sig, val;
    GError *err = NULL;

    if (skip_without_vm()) {
        return;
    }
    x86_boot_state = (X86BootState) { .mode = X86_BOOT_RESET };
    bql_lock();
    g_assert_true(cpus_start(false, &err));
    g_assert_no_error(err);
    for (int i = 0; i < 2; i++) {
        g_assert_true(cpus[i]->created);
        g_assert_cmpint(cpus[i]->thread_id, >, 0);
        g_assert_cmpint(cpus[i]->thread_id, !=, gettid());
    }
    g_assert_cmpint(cpus[0]->thread_id, !=, cpus[1]->thread_id);
    bql_unlock();

    wait_phase(1);

    bql_lock();
    cpus_pause_all();
    g_assert_true(cpus_all_stopped());
    g_assert_false(cpus[0]->reset_pending);
    take_log("o80=42;i510=61;lo:w4@10=cafef00d;lo:r4@20;"
             "o512=68;o512=65;o512=6c;o512=6c;o512=6f;i510=62;i510=63;i510=64;o511=1;");
    v = cpus[0]->accel;
    memcpy(&sig, ram_ptr(0x508), 4);
    g_assert_cmphex(sig, ==, v->info.cpuid_signature);
    g_assert_cmphex(*ram_ptr(0x500), ==, 'a');
    memcpy(&val, ram_ptr(0x504), 4);
    g_assert_cmphex(val, ==, 0x87654321);
    g_assert_cmpmem(ram_ptr(0x600), 3, "bcd", 3);
    g_assert_cmpmem((uint8_t *)memory_region_get_ram_ptr(&t.rom) + 0x5d, 5, "hello", 5);
    bql_unlock();
}

/* The board's part: a flat GDT in RAM with code at 0x10 and data at 0x18. */
static void write_gdt(bool long64)
{
    put_u64(GDT_ADDR, 0);
    put_u64(GDT_ADDR + 8, 0);
    put_u64(GDT_ADDR + X86_BOOT_CS, long64 ? 0x00af9b000000ffffull : 0x00cf9b000000ffffull);
    put_u64(GDT_ADDR + X86_BOOT_DS, 0x00cf93000000ffffull);
}

static void boot_pm32(uint64_t rsi, uint64_t phase)
{
    write_gdt(false);
    memcpy(ram_ptr(PM32_ENTRY), pm32_code, sizeof(pm32_code));
    x86_boot_state = (X86BootState) {
        .mode = X86_BOOT_PROTECTED32,
        .rip = PM32_ENTRY,
        .rsp = STACK_TOP,
        .rsi = rsi,
        .rbx = phase,
        .gdt_base = GDT_ADDR,
        .gdt_limit = 0x1f,
    };
}

static void test_protected32(void)
{
    if (skip_without_vm()) {
        return;
    }
    bql_lock();
    boot_pm32(0x1234, 2);
    cpus_request_reset();
    cpus_resume_all();
    g_assert_false(cpus_all_stopped());
    bql_unlock();

    wait_phase(2);

    bql_lock();
    cpus_pause_all();
    take_log("hi:w4@30=1234;hi:w4@34=2;hi:w4@38=18;o511=2;");
    bql_unlock();
}

static void test_long64(void)
{
    if (skip_without_vm()) {
        return;
    }
    bql_lock();
    write_gdt(true);
    /* Identity map 0-2 MiB and 0xd0000000-0xd01fffff with 2 MiB pages. */
    memset(ram_ptr(PT_ADDR), 0, 4 * 4096);
    put_u64(PT_ADDR, (PT_ADDR + 0x1000) | 3);                 /* PML4[0] */
    put_u64(PT_ADDR + 0x1000, (PT_ADDR + 0x2000) | 3);        /* PDPT[0] */
    put_u64(PT_ADDR + 0x1000 + 3 * 8, (PT_ADDR + 0x3000) | 3); /* PDPT[3] */
    put_u64(PT_ADDR + 0x2000, 0x83);                         /* PD[0] */
    put_u64(PT_ADDR + 0x3000 + 128 * 8, MMIO_HI | 0x83);     /* PD[128] of 3 GiB */
    memcpy(ram_ptr(LM64_ENTRY), lm64_code, sizeof(lm64_code));
    x86_boot_state = (X86BootState) {
        .mode = X86_BOOT_LONG64,
        .rip = LM64_ENTRY,
        .rsp = STACK_TOP,
        .cr3 = PT_ADDR,
        .gdt_base = GDT_ADDR,
        .gdt_limit = 0x1f,
    };
    cpus_request_reset();
    cpus_resume_all();
    bql_unlock();

    wait_phase(3);

    bql_lock();
    take_log("hi:w8@40=1122334455667788;hi:w8@48=8000;o511=3;");
    bql_unlock();
}

static void test_triple_fault_reset(void)
{
    gint64 deadline = g_get_monotonic_time() + WAIT_SECONDS * G_TIME_SPAN_SECOND;
    bool parked = false;
    int status = -1;

    if (skip_without_vm()) {
        return;
    }
    /* The access after phase 3 triple-faults: the vCPU asks for a reset and parks. */
    log_mask |= LOG_INT;
    while (!parked && g_get_monotonic_time() < deadline) {
        bql_lock();
        parked = cpus[0]->stopped;
        bql_unlock();
        g_usleep(10000);
    }
    g_assert_true(parked);

    /* What the main loop does with the request: reset the machine, vCPU 0 in PVH state. */
    bql_lock();
    boot_pm32(0xabcd, 4);
    runstate_set(RUN_STATE_RUNNING);
    g_assert_false(runstate_process_requests(&status));
    bql_unlock();

    wait_phase(4);

    bql_lock();
    cpus_pause_all();
    take_log("hi:w4@30=abcd;hi:w4@34=4;hi:w4@38=18;o511=4;");
    bql_unlock();
    log_mask &= ~LOG_INT;
}

/* An edge on GSI 5 reaches real-mode code through the in-kernel PIC and LINT0. */
static void test_irq(void)
{
    uint8_t *rom;

    if (skip_without_vm()) {
        return;
    }
    bql_lock();
    cpus_pause_all();
    rom = memory_region_get_ram_ptr(&t.rom);
    memcpy(rom + IRQ_CODE_OFFSET, irq_code, sizeof(irq_code));
    memcpy(rom + 0xfff0, reset_vector_irq, sizeof(reset_vector_irq));
    memcpy(ram_ptr(IRQ_HANDLER), irq_handler, sizeof(irq_handler));
    *ram_ptr(IRQ_FLAG) = 0;
    x86_boot_state = (X86BootState) { .mode = X86_BOOT_RESET };
    cpus_request_reset();
    cpus_resume_all();
    bql_unlock();

    wait_phase(5);
    kvm_set_irq(5, 1);
    kvm_set_irq(5, 0);
    wait_phase(6);

    bql_lock();
    cpus_pause_all();
    take_log("o511=5;o80=25;o511=6;");
    bql_unlock();
}

/* vCPU 0 starts vCPU 1 with INIT/SIPI through the in-kernel local APICs. */
static void test_smp(void)
{
    if (skip_without_vm()) {
        return;
    }
    bql_lock();
    cpus_pause_all();
    write_gdt(false);
    memcpy(ram_ptr(SMP_ENTRY), smp_code, sizeof(smp_code));
    memcpy(ram_ptr(AP_ENTRY), ap_code, sizeof(ap_code));
    memset(ram_ptr(AP_FLAG), 0, 4);
    x86_boot_state = (X86BootState) {
        .mode = X86_BOOT_PROTECTED32,
        .rip = SMP_ENTRY,
        .rsp = STACK_TOP,
        .gdt_base = GDT_ADDR,
        .gdt_limit = 0x1f,
    };
    cpus_request_reset();
    cpus_resume_all();
    bql_unlock();

    wait_phase(7);

    bql_lock();
    cpus_pause_all();
    take_log("o80=1;o511=7;");
    bql_unlock();
}

static void test_stop_threads(void)
{
    if (skip_without_vm()) {
        return;
    }
    bql_lock();
    cpus_resume_all();
    cpus_stop_threads();
    g_assert_false(cpus[0]->created);
    g_assert_false(cpus[1]->created);
    g_assert_true(cpus_all_stopped());
    bql_unlock();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    /* The cases run in order on one VM, as a machine's life would. */
    g_test_add_func("/kvm/init", test_init);
    g_test_add_func("/kvm/real-mode", test_real_mode);
    g_test_add_func("/kvm/protected32", test_protected32);
    g_test_add_func("/kvm/long64", test_long64);
    g_test_add_func("/kvm/triple-fault-reset", test_triple_fault_reset);
    g_test_add_func("/kvm/irq", test_irq);
    g_test_add_func("/kvm/smp", test_smp);
    g_test_add_func("/kvm/stop-threads", test_stop_threads);
    return g_test_run();
}
