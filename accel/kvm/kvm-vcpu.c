/*
 * KVM vCPUs: creation (vCPU fd, the shared kvm_run page, CPUID), the vCPU
 * thread's run loop and the dispatch of its exits to the memory API, and what
 * the monitor asks of a vCPU on its thread (register dump, address
 * translation).
 *
 * The loop enters the guest without the BQL and handles every exit with it.
 * A kick (cpu_kick) sets run->immediate_exit and sends SIGUSR1 to the thread:
 * the signal interrupts a KVM_RUN in progress, the flag makes one that is
 * about to start return at once, so no request is missed and no signal mask
 * juggling is needed.
 *
 * With kernel-irqchip=off the loop is also the CPU's interrupt pin: before
 * each entry it takes INIT, STARTUP, NMI and maskable interrupts from the
 * vCPU's user-space LAPIC (injecting the latter with KVM_INTERRUPT when
 * kvm_run says the guest can take one, else asking for an interrupt-window
 * exit), keeps CR8 and the LAPIC's TPR equal, and sleeps on HLT (and while
 * an AP waits for its STARTUP IPI) until the LAPIC has something for it.
 */
#include "util/osdep.h"
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include "accel/kvm/kvm-int.h"
#include "hw/intc/apic.h"
#include "sysemu/accel.h"
#include "sysemu/main-loop.h"
#include "sysemu/runstate.h"
#include "target/i386/cpu.h"
#include "util/log.h"

#define KVM_KICK_SIGNAL SIGUSR1

static void kvm_kick_handler(int sig)
{
    /* Nothing to do: being delivered is what makes KVM_RUN return EINTR. */
}

void kvm_vcpu_signals_init(void)
{
    struct sigaction sa = { .sa_handler = kvm_kick_handler, .sa_flags = SA_RESTART };

    sigemptyset(&sa.sa_mask);
    sigaction(KVM_KICK_SIGNAL, &sa, NULL);
}

bool kvm_vcpu_init(CPUState *cpu, GError **errp)
{
    KVMState *s = kvm_state;
    X86CPU *x86 = g_new0(X86CPU, 1);
    KVMVcpu *v = g_new0(KVMVcpu, 1);
    struct kvm_cpuid_entry2 *leaf1;
    int fd;

    x86->apic_id = x86_apic_id_from_index(cpu->index, s->cores, s->threads);
    if (x86->apic_id >= s->max_vcpu_id) {
        error_setg(errp, "KVM: vCPU %d: APIC id %" PRIu32 " is beyond this host's KVM limit (%u)",
                   cpu->index, x86->apic_id, s->max_vcpu_id);
        goto fail;
    }
    /* With the in-kernel local APIC, the vCPU id is the APIC id. */
    fd = ioctl(s->vm_fd, KVM_CREATE_VCPU, (unsigned long)x86->apic_id);
    if (fd < 0) {
        error_setg_errno(errp, errno, "KVM: vCPU %d: KVM_CREATE_VCPU", cpu->index);
        goto fail;
    }
    v->info.fd = fd;
    v->run = mmap(NULL, s->vcpu_mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (v->run == MAP_FAILED) {
        error_setg_errno(errp, errno, "KVM: vCPU %d: mmap of kvm_run", cpu->index);
        goto fail_fd;
    }
    v->cpuid = x86_kvm_cpuid_build(s->supported_cpuid, x86->apic_id, s->cores, s->threads);
    leaf1 = x86_kvm_cpuid_find(v->cpuid, 1, 0);
    if (!s->irqchip_in_kernel && leaf1) {
        /* The user-space LAPIC is xAPIC only, and KVM cannot forward the deadline MSR to it. */
        leaf1->ecx &= ~((1u << 21) | (1u << 24));      /* x2APIC, TSC-deadline */
    }
    if (ioctl(fd, KVM_SET_CPUID2, v->cpuid) < 0) {
        error_setg_errno(errp, errno, "KVM: vCPU %d: KVM_SET_CPUID2", cpu->index);
        goto fail_mmap;
    }
    v->info.index = cpu->index;
    v->info.cpuid_signature = leaf1 ? leaf1->eax : 0;
    v->info.has_xcrs = s->has_xcrs;
    v->info.msrs = s->msr_list;
    v->info.user_irqchip = !s->irqchip_in_kernel;
    g_cond_init(&v->halt_cond);
    cpu->arch = x86;
    cpu->accel = v;
    return true;

fail_mmap:
    g_free(v->cpuid);
    munmap(v->run, s->vcpu_mmap_size);
fail_fd:
    close(fd);
fail:
    g_free(v);
    g_free(x86);
    return false;
}

void kvm_vcpu_kick(CPUState *cpu)
{
    KVMVcpu *v = cpu->accel;

    __atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
    pthread_kill(cpu->thread, KVM_KICK_SIGNAL);
    /* A vCPU halted in user space (kernel-irqchip=off) waits on this, with the BQL. */
    g_cond_broadcast(&v->halt_cond);
}

/* Where register dumps of errors go: the -d int log if enabled, else stderr. */
static FILE *kvm_dump_file(void)
{
    return log_enabled(LOG_INT) ? log_file() : stderr;
}

/* The vCPU parks until the main loop, having seen the request just made, resumes it. */
static void kvm_vcpu_park(CPUState *cpu)
{
    __atomic_store_n(&cpu->stop, true, __ATOMIC_SEQ_CST);
}

static void kvm_vcpu_fatal(CPUState *cpu, KVMVcpu *v)
{
    x86_kvm_dump_regs(v->info.fd, kvm_dump_file());
    runstate_request_internal_error();
    kvm_vcpu_park(cpu);
}

static void kvm_handle_io(CPUState *cpu, KVMVcpu *v)
{
    struct kvm_run *run = v->run;
    bool out = run->io.direction == KVM_EXIT_IO_OUT;
    uint64_t len = (uint64_t)run->io.size * run->io.count;
    uint8_t *data = (uint8_t *)run + run->io.data_offset;

    log_mask_printf(LOG_EXEC, "KVM: vCPU %d: io %s port 0x%x size %u count %u\n", cpu->index,
                    out ? "out" : "in", run->io.port, run->io.size, run->io.count);
    if (run->io.data_offset + len > kvm_state->vcpu_mmap_size) {
        error_report("KVM: vCPU %d: PIO data outside kvm_run (offset 0x%llx, %" PRIu64 " bytes)",
                     cpu->index, run->io.data_offset, len);
        kvm_vcpu_fatal(cpu, v);
        return;
    }
    /* REP INS/OUTS: COUNT accesses of SIZE bytes to the same port, data packed. */
    for (uint32_t i = 0; i < run->io.count; i++) {
        address_space_rw(&address_space_io, run->io.port, data, run->io.size, out);
        data += run->io.size;
    }
    v->io_pending = true;
}

static void kvm_handle_mmio(CPUState *cpu, KVMVcpu *v)
{
    struct kvm_run *run = v->run;

    log_mask_printf(LOG_EXEC, "KVM: vCPU %d: mmio %s 0x%llx len %u\n", cpu->index,
                    run->mmio.is_write ? "write" : "read", run->mmio.phys_addr, run->mmio.len);
    address_space_rw(&address_space_memory, run->mmio.phys_addr, run->mmio.data,
                     MIN(run->mmio.len, sizeof(run->mmio.data)), run->mmio.is_write);
    v->io_pending = true;
}

static void kvm_handle_system_event(CPUState *cpu, KVMVcpu *v)
{
    uint32_t type = v->run->system_event.type;

    switch (type) {
    case KVM_SYSTEM_EVENT_SHUTDOWN:
        runstate_request_shutdown(SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
        break;
    case KVM_SYSTEM_EVENT_RESET:
        runstate_request_reset(SHUTDOWN_CAUSE_GUEST_RESET);
        break;
    case KVM_SYSTEM_EVENT_CRASH:
        runstate_request_shutdown(SHUTDOWN_CAUSE_GUEST_PANIC);
        break;
    default:
        log_mask_printf(LOG_UNIMP, "KVM: vCPU %d: system event %u ignored\n", cpu->index, type);
        return;
    }
    kvm_vcpu_park(cpu);
}

static const char *kvm_internal_error_name(uint32_t suberror)
{
    switch (suberror) {
    case KVM_INTERNAL_ERROR_EMULATION:
        return "instruction emulation failed";
    case KVM_INTERNAL_ERROR_SIMUL_EX:
        return "exception while delivering an exception";
    case KVM_INTERNAL_ERROR_DELIVERY_EV:
        return "event delivery failed";
    case KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON:
        return "unexpected exit reason";
    default:
        return "unknown";
    }
}

static void kvm_handle_internal_error(CPUState *cpu, KVMVcpu *v)
{
    struct kvm_run *run = v->run;
    uint32_t ndata = MIN(run->internal.ndata, G_N_ELEMENTS(run->internal.data));
    GString *data = g_string_new(NULL);

    for (uint32_t i = 0; i < ndata; i++) {
        g_string_append_printf(data, " 0x%llx", run->internal.data[i]);
    }
    error_report("KVM: vCPU %d: internal error %u (%s)%s%s", cpu->index, run->internal.suberror,
                 kvm_internal_error_name(run->internal.suberror), ndata ? ", data:" : "",
                 data->str);
    g_string_free(data, TRUE);
    kvm_vcpu_fatal(cpu, v);
}

static const char *kvm_exit_name(uint32_t reason)
{
    switch (reason) {
    case KVM_EXIT_SHUTDOWN:
        return "shutdown";
    case KVM_EXIT_SYSTEM_EVENT:
        return "system-event";
    case KVM_EXIT_FAIL_ENTRY:
        return "fail-entry";
    case KVM_EXIT_INTERNAL_ERROR:
        return "internal-error";
    case KVM_EXIT_INTR:
        return "intr";
    case KVM_EXIT_HLT:
        return "hlt";
    case KVM_EXIT_IRQ_WINDOW_OPEN:
        return "irq-window-open";
    default:
        return "other";
    }
}

/* BQL held. R and ERR are KVM_RUN's result and errno. */
static void kvm_vcpu_handle_exit(CPUState *cpu, KVMVcpu *v, int r, int err)
{
    struct kvm_run *run = v->run;

    if (r < 0) {
        if (err == EINTR || err == EAGAIN) {
            log_mask_printf(LOG_EXEC, "KVM: vCPU %d: KVM_RUN interrupted\n", cpu->index);
            return;
        }
        error_report("KVM: vCPU %d: KVM_RUN: %s", cpu->index, g_strerror(err));
        kvm_vcpu_fatal(cpu, v);
        return;
    }
    if (run->exit_reason != KVM_EXIT_IO && run->exit_reason != KVM_EXIT_MMIO) {
        log_mask_printf(LOG_EXEC, "KVM: vCPU %d: exit %s (%u)\n", cpu->index,
                        kvm_exit_name(run->exit_reason), run->exit_reason);
    }
    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        kvm_handle_io(cpu, v);
        break;
    case KVM_EXIT_MMIO:
        kvm_handle_mmio(cpu, v);
        break;
    case KVM_EXIT_SHUTDOWN:
        /* A triple fault: the machine resets, as the chipset would do. */
        if (log_enabled(LOG_INT)) {
            log_printf("KVM: vCPU %d: triple fault, resetting the machine\n", cpu->index);
            x86_kvm_dump_regs(v->info.fd, log_file());
        }
        runstate_request_reset(SHUTDOWN_CAUSE_GUEST_RESET);
        kvm_vcpu_park(cpu);
        break;
    case KVM_EXIT_SYSTEM_EVENT:
        kvm_handle_system_event(cpu, v);
        break;
    case KVM_EXIT_FAIL_ENTRY:
        error_report("KVM: vCPU %d: VM entry failed, hardware reason 0x%llx", cpu->index,
                     run->fail_entry.hardware_entry_failure_reason);
        kvm_vcpu_fatal(cpu, v);
        break;
    case KVM_EXIT_INTERNAL_ERROR:
        kvm_handle_internal_error(cpu, v);
        break;
    case KVM_EXIT_INTR:
    case KVM_EXIT_IRQ_WINDOW_OPEN:
        break;
    case KVM_EXIT_HLT:
        /* Only without the in-kernel LAPIC; kvm_vcpu_user_irqchip_enter() wakes it. */
        cpu->halted = true;
        break;
    default:
        error_report("KVM: vCPU %d: unexpected exit reason %u", cpu->index, run->exit_reason);
        kvm_vcpu_fatal(cpu, v);
        break;
    }
}

/*
 * Lets KVM finish the PIO/MMIO instruction whose exit was handled, without
 * running further guest code, so that it cannot clobber new register state
 * later. A REP string instruction may need more exits to get there.
 */
static void kvm_vcpu_finish_io(CPUState *cpu, KVMVcpu *v)
{
    while (v->io_pending) {
        int r;

        __atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
        r = ioctl(v->info.fd, KVM_RUN, 0);
        __atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
        v->io_pending = false;
        if (r == 0 && (v->run->exit_reason == KVM_EXIT_IO ||
                       v->run->exit_reason == KVM_EXIT_MMIO)) {
            kvm_vcpu_handle_exit(cpu, v, r, 0);
        }
    }
}

void kvm_vcpu_reset(CPUState *cpu)
{
    KVMVcpu *v = cpu->accel;
    GError *err = NULL;

    kvm_vcpu_finish_io(cpu, v);
    if (!x86_kvm_reset_vcpu(&v->info, &x86_boot_state, &err)) {
        error_report("KVM: vCPU %d: reset failed: %s", cpu->index, err->message);
        g_error_free(err);
        runstate_request_internal_error();
        kvm_vcpu_park(cpu);
    }
    cpu->halted = false;
    v->wait_sipi = v->info.user_irqchip && cpu->index != 0;
    v->cr8 = 0;
    v->apic_base = 0;
}

/* kernel-irqchip=off: INIT puts an AP in wait-for-SIPI and the BSP at the reset vector. */
static void kvm_vcpu_do_init(CPUState *cpu, KVMVcpu *v)
{
    static const X86BootState reset_state = { .mode = X86_BOOT_RESET };
    GError *err = NULL;

    kvm_vcpu_finish_io(cpu, v);
    if (!x86_kvm_reset_vcpu(&v->info, &reset_state, &err)) {
        error_report("KVM: vCPU %d: INIT failed: %s", cpu->index, err->message);
        g_error_free(err);
        kvm_vcpu_fatal(cpu, v);
        return;
    }
    cpu->halted = false;
    v->wait_sipi = cpu->index != 0;
    v->cr8 = 0;
    v->apic_base = 0;
}

/* A STARTUP IPI: the AP starts in real mode at VECTOR * 4 KiB (CS = VECTOR << 8, IP = 0). */
static void kvm_vcpu_do_sipi(CPUState *cpu, KVMVcpu *v, int vector)
{
    struct kvm_sregs sregs;
    struct kvm_regs regs;

    if (ioctl(v->info.fd, KVM_GET_SREGS, &sregs) < 0 ||
        ioctl(v->info.fd, KVM_GET_REGS, &regs) < 0) {
        error_report("KVM: vCPU %d: SIPI: %s", cpu->index, g_strerror(errno));
        kvm_vcpu_fatal(cpu, v);
        return;
    }
    sregs.cs.selector = vector << 8;
    sregs.cs.base = (uint64_t)vector << 12;
    regs.rip = 0;
    if (ioctl(v->info.fd, KVM_SET_SREGS, &sregs) < 0 ||
        ioctl(v->info.fd, KVM_SET_REGS, &regs) < 0) {
        error_report("KVM: vCPU %d: SIPI: %s", cpu->index, g_strerror(errno));
        kvm_vcpu_fatal(cpu, v);
        return;
    }
    v->wait_sipi = false;
}

/*
 * kernel-irqchip=off, BQL held, before KVM_RUN: delivers what the LAPIC has
 * for the vCPU. False when the vCPU must not run (halted, waiting for SIPI).
 */
static bool kvm_vcpu_user_irqchip_enter(CPUState *cpu, KVMVcpu *v)
{
    struct kvm_run *run = v->run;
    int sipi;

    if (!v->apic) {
        v->apic = apic_find(cpu->index);
        if (!v->apic) {
            return true;            /* a board without LAPICs: nothing to deliver */
        }
    }
    if (apic_take_init(v->apic)) {
        kvm_vcpu_do_init(cpu, v);
    }
    sipi = apic_take_sipi(v->apic);
    if (sipi >= 0 && v->wait_sipi) {
        kvm_vcpu_do_sipi(cpu, v, sipi);
    }
    if (v->wait_sipi) {
        return false;
    }
    if (apic_take_nmi(v->apic)) {
        if (ioctl(v->info.fd, KVM_NMI) < 0) {
            error_report("KVM: vCPU %d: KVM_NMI: %s", cpu->index, g_strerror(errno));
        }
        cpu->halted = false;
    }
    run->request_interrupt_window = 0;
    if (apic_has_interrupt(v->apic)) {
        /* HLT ends for an interrupt the CPU can take (IF as of the HLT exit). */
        if (cpu->halted && run->if_flag) {
            cpu->halted = false;
        }
        if (!cpu->halted && run->ready_for_interrupt_injection && run->if_flag) {
            int vector = apic_acknowledge(v->apic);

            if (vector >= 0) {
                struct kvm_interrupt intr = { .irq = vector };

                if (ioctl(v->info.fd, KVM_INTERRUPT, &intr) < 0) {
                    error_report("KVM: vCPU %d: KVM_INTERRUPT %d: %s", cpu->index, vector,
                                 g_strerror(errno));
                }
            }
        }
        run->request_interrupt_window = !cpu->halted && apic_has_interrupt(v->apic);
    }
    if (cpu->halted) {
        return false;
    }
    v->cr8 = apic_get_tpr(v->apic) >> 4;
    run->cr8 = v->cr8;
    return true;
}

/* kernel-irqchip=off, BQL held, after KVM_RUN: what the guest changed of CR8 and APIC base. */
static void kvm_vcpu_user_irqchip_exit(KVMVcpu *v)
{
    struct kvm_run *run = v->run;

    if (!v->apic) {
        return;
    }
    if (run->cr8 != v->cr8) {
        v->cr8 = run->cr8;
        apic_set_tpr(v->apic, (v->cr8 & 0xf) << 4);
    }
    if (run->apic_base != v->apic_base) {
        if (v->apic_base) {
            apic_set_base(v->apic, run->apic_base);
        }
        v->apic_base = run->apic_base;
    }
}

void kvm_vcpu_dump(CPUState *cpu, FILE *f)
{
    KVMVcpu *v = cpu->accel;

    x86_kvm_dump_regs(v->info.fd, f);
}

bool kvm_vcpu_translate(CPUState *cpu, uint64_t vaddr, uint64_t *paddr)
{
    KVMVcpu *v = cpu->accel;
    struct kvm_translation tr = { .linear_address = vaddr };

    if (ioctl(v->info.fd, KVM_TRANSLATE, &tr) < 0 || !tr.valid) {
        return false;
    }
    *paddr = tr.physical_address;
    return true;
}

void *kvm_vcpu_thread(void *opaque)
{
    CPUState *cpu = opaque;
    KVMVcpu *v = cpu->accel;
    sigset_t kick;

    sigemptyset(&kick);
    sigaddset(&kick, KVM_KICK_SIGNAL);
    pthread_sigmask(SIG_UNBLOCK, &kick, NULL);
    if (cpu->index == 0) {
        kvm_warn_software_backend();
    }

    bql_lock();
    for (;;) {
        int r, err;

        g_atomic_int_set(&cpu->exit_request, 0);
        cpu_wait_while_stopped(cpu);
        if (cpus_exiting()) {
            break;
        }
        if (cpu->reset_pending) {
            cpu->reset_pending = false;
            current_accel->reset_vcpu(cpu);
            continue;
        }
        if (v->info.user_irqchip && !kvm_vcpu_user_irqchip_enter(cpu, v)) {
            /* Halted: sleep until a kick (the LAPIC's, a pause, a reset) broadcasts. */
            if (!cpu_should_leave(cpu)) {
                bql_cond_wait(&v->halt_cond);
            }
            continue;
        }
        bql_unlock();
        r = ioctl(v->info.fd, KVM_RUN, 0);
        err = errno;
        /* A kick arriving after this still gets noticed: its flag was set first. */
        __atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
        v->io_pending = false;
        bql_lock();
        if (v->info.user_irqchip) {
            kvm_vcpu_user_irqchip_exit(v);
        }
        kvm_vcpu_handle_exit(cpu, v, r, err);
    }
    bql_unlock();
    return NULL;
}
