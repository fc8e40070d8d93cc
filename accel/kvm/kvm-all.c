/*
 * The KVM accelerator ("-accel kvm"): opens /dev/kvm, checks the capabilities
 * Kestrel relies on, creates the VM with its in-kernel irqchip (PIC, IOAPIC,
 * local APICs) and PIT, and registers the AccelOps whose vCPU side lives in
 * kvm-vcpu.c and memory side in kvm-slots.c.
 */
#include "util/osdep.h"
#include <fcntl.h>
#include <sys/ioctl.h>
#include "accel/kvm/kvm-int.h"
#include "sysemu/accel.h"
#include "sysemu/kvm.h"
#include "hw/boards.h"

#define KVM_DEVICE "/dev/kvm"
#define KVM_API_VERSION_NEEDED 12

/*
 * Guest-physical pages KVM keeps for itself on Intel hosts without
 * unrestricted guest support: three for the TSS it runs real mode with, one
 * for an identity page table. Below the 256 KiB under 4 GiB that firmware may
 * take and above any RAM a board puts below 4 GiB.
 */
#define KVM_TSS_ADDR          0xfffbd000
#define KVM_IDENTITY_MAP_ADDR 0xfeffc000

#define KVM_DEFAULT_MEMSLOTS 32

KVMState *kvm_state;

static const struct {
    int cap;
    const char *name;
} kvm_required_caps[] = {
    { KVM_CAP_IRQCHIP, "IRQCHIP" },
    { KVM_CAP_PIT2, "PIT2" },
    { KVM_CAP_IMMEDIATE_EXIT, "IMMEDIATE_EXIT" },
    { KVM_CAP_USER_MEMORY, "USER_MEMORY" },
    { KVM_CAP_READONLY_MEM, "READONLY_MEM" },
    { KVM_CAP_SET_TSS_ADDR, "SET_TSS_ADDR" },
    { KVM_CAP_SET_IDENTITY_MAP_ADDR, "SET_IDENTITY_MAP_ADDR" },
    { KVM_CAP_EXT_CPUID, "EXT_CPUID" },
    { KVM_CAP_MP_STATE, "MP_STATE" },
    { KVM_CAP_VCPU_EVENTS, "VCPU_EVENTS" },
    { KVM_CAP_DEBUGREGS, "DEBUGREGS" },
};

bool kvm_enabled(void)
{
    return kvm_state != NULL;
}

/* Why /dev/kvm is a software backend, or NULL when it is hardware-backed. */
static const char *kvm_detect_software_backend(void)
{
    g_autofree char *cpuinfo = NULL;

    if (g_file_test("/sys/module/kvm_pvm", G_FILE_TEST_IS_DIR)) {
        return "kvm-pvm";
    }
    if (!g_file_get_contents("/proc/cpuinfo", &cpuinfo, NULL, NULL)) {
        return NULL;
    }
    if (!strstr(cpuinfo, " vmx") && !strstr(cpuinfo, " svm")) {
        return "no VMX/SVM on this CPU";
    }
    return NULL;
}

static const char *kvm_software_backend_reason(void)
{
    static const char *reason;
    static gsize done;

    if (g_once_init_enter(&done)) {
        reason = kvm_detect_software_backend();
        g_once_init_leave(&done, 1);
    }
    return reason;
}

bool kvm_is_software_backend(void)
{
    return kvm_software_backend_reason() != NULL;
}

void kvm_warn_software_backend(void)
{
    if (kvm_is_software_backend()) {
        warn_report("KVM: " KVM_DEVICE " is a software backend (%s): "
                    "guest kernel and real-mode code will run very slowly",
                    kvm_software_backend_reason());
    }
}

bool kvm_irqchip_in_kernel(void)
{
    return kvm_state && kvm_state->irqchip_in_kernel;
}

void kvm_set_irq(int gsi, int level)
{
    struct kvm_irq_level irq = { .irq = gsi, .level = level };

    if (!kvm_irqchip_in_kernel() || gsi < 0 || gsi >= KVM_IRQCHIP_NUM_GSIS) {
        error_report("KVM: no interrupt line %d", gsi);
        return;
    }
    if (ioctl(kvm_state->vm_fd, KVM_IRQ_LINE, &irq) < 0) {
        error_report("KVM: KVM_IRQ_LINE %d: %s", gsi, g_strerror(errno));
    }
}

/*
 * The PC wiring: ISA lines 0-15 reach both 8259s, and every line n reaches
 * IOAPIC pin n, except the timer's line 0, which is wired to pin 2 (where the
 * MADT's interrupt source override tells the guest to look). KVM's default
 * table would put the in-kernel PIT on pin 0.
 */
static bool kvm_setup_irq_routing(int vm_fd, GError **errp)
{
    g_autofree struct kvm_irq_routing *table =
        g_malloc0(sizeof(*table) + 64 * sizeof(struct kvm_irq_routing_entry));
    unsigned n = 0;

    for (unsigned gsi = 0; gsi < 16; gsi++) {
        if (gsi == 2) {
            continue;   /* the slave 8259's cascade input */
        }
        table->entries[n++] = (struct kvm_irq_routing_entry) {
            .gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP,
            .u.irqchip = { .irqchip = gsi < 8 ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE,
                           .pin = gsi % 8 },
        };
    }
    for (unsigned gsi = 0; gsi < KVM_IRQCHIP_NUM_GSIS; gsi++) {
        if (gsi == 2) {
            continue;
        }
        table->entries[n++] = (struct kvm_irq_routing_entry) {
            .gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP,
            .u.irqchip = { .irqchip = KVM_IRQCHIP_IOAPIC, .pin = gsi == 0 ? 2 : gsi },
        };
    }
    table->nr = n;
    if (ioctl(vm_fd, KVM_SET_GSI_ROUTING, table) < 0) {
        error_setg_errno(errp, errno, "KVM: KVM_SET_GSI_ROUTING");
        return false;
    }
    kvm_irqfd_set_base_routes(table);
    return true;
}

static bool kvm_available(void)
{
    int fd = open(KVM_DEVICE, O_RDWR | O_CLOEXEC);

    if (fd < 0) {
        return false;
    }
    close(fd);
    return true;
}

/* KVM_GET_SUPPORTED_CPUID, growing the buffer until the table fits. */
static struct kvm_cpuid2 *kvm_get_supported_cpuid(int fd, GError **errp)
{
    for (uint32_t nent = 64; nent <= 4096; nent *= 2) {
        struct kvm_cpuid2 *cpuid = g_malloc0(sizeof(*cpuid) + nent * sizeof(cpuid->entries[0]));

        cpuid->nent = nent;
        if (ioctl(fd, KVM_GET_SUPPORTED_CPUID, cpuid) == 0) {
            return cpuid;
        }
        g_free(cpuid);
        if (errno != E2BIG) {
            break;
        }
    }
    error_setg_errno(errp, errno, "KVM: KVM_GET_SUPPORTED_CPUID");
    return NULL;
}

static struct kvm_msr_list *kvm_get_msr_list(int fd, GError **errp)
{
    struct kvm_msr_list probe = { .nmsrs = 0 };
    struct kvm_msr_list *list;

    /* The first call fails with E2BIG and says how many there are. */
    if (ioctl(fd, KVM_GET_MSR_INDEX_LIST, &probe) < 0 && errno != E2BIG) {
        error_setg_errno(errp, errno, "KVM: KVM_GET_MSR_INDEX_LIST");
        return NULL;
    }
    list = g_malloc0(sizeof(*list) + probe.nmsrs * sizeof(list->indices[0]));
    list->nmsrs = probe.nmsrs;
    if (ioctl(fd, KVM_GET_MSR_INDEX_LIST, list) < 0) {
        error_setg_errno(errp, errno, "KVM: KVM_GET_MSR_INDEX_LIST");
        g_free(list);
        return NULL;
    }
    return list;
}

static bool kvm_check_host(KVMState *s, GError **errp)
{
    int version = ioctl(s->fd, KVM_GET_API_VERSION, 0);
    int mmap_size, max_id;

    if (version < 0) {
        error_setg_errno(errp, errno, "KVM: " KVM_DEVICE ": KVM_GET_API_VERSION");
        return false;
    }
    if (version != KVM_API_VERSION_NEEDED) {
        error_setg(errp, "KVM: " KVM_DEVICE " speaks API version %d, Kestrel needs %d",
                   version, KVM_API_VERSION_NEEDED);
        return false;
    }
    for (size_t i = 0; i < ARRAY_SIZE(kvm_required_caps); i++) {
        if (ioctl(s->fd, KVM_CHECK_EXTENSION, kvm_required_caps[i].cap) <= 0) {
            error_setg(errp, "KVM: the host's KVM lacks KVM_CAP_%s", kvm_required_caps[i].name);
            return false;
        }
    }
    s->has_xcrs = ioctl(s->fd, KVM_CHECK_EXTENSION, KVM_CAP_XCRS) > 0;
    /* Without KVM_CAP_MAX_VCPU_ID the limit is KVM_CAP_MAX_VCPUS. */
    max_id = ioctl(s->fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPU_ID);
    if (max_id <= 0) {
        max_id = ioctl(s->fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
    }
    s->max_vcpu_id = max_id > 0 ? max_id : 1;
    mmap_size = ioctl(s->fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (mmap_size < (int)sizeof(struct kvm_run)) {
        error_setg(errp, "KVM: KVM_GET_VCPU_MMAP_SIZE gave %d", mmap_size);
        return false;
    }
    s->vcpu_mmap_size = mmap_size;
    s->supported_cpuid = kvm_get_supported_cpuid(s->fd, errp);
    s->msr_list = s->supported_cpuid ? kvm_get_msr_list(s->fd, errp) : NULL;
    return s->msr_list != NULL;
}

/*
 * The VM with its in-kernel PIC + IOAPIC and PIT (speaker port 0x61 in the
 * kernel too); with kernel-irqchip=off, without them: the board creates the
 * user-space models and the vCPU loop injects their interrupts.
 */
static bool kvm_create_vm(KVMState *s, GError **errp)
{
    struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
    uint64_t identity_map = KVM_IDENTITY_MAP_ADDR;

    do {
        s->vm_fd = ioctl(s->fd, KVM_CREATE_VM, 0);
    } while (s->vm_fd < 0 && errno == EINTR);
    if (s->vm_fd < 0) {
        error_setg_errno(errp, errno, "KVM: KVM_CREATE_VM");
        return false;
    }
    if (ioctl(s->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)KVM_TSS_ADDR) < 0) {
        error_setg_errno(errp, errno, "KVM: KVM_SET_TSS_ADDR");
        return false;
    }
    if (ioctl(s->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &identity_map) < 0) {
        error_setg_errno(errp, errno, "KVM: KVM_SET_IDENTITY_MAP_ADDR");
        return false;
    }
    if (!s->irqchip_in_kernel) {
        return true;
    }
    if (ioctl(s->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
        error_setg_errno(errp, errno, "KVM: KVM_CREATE_IRQCHIP");
        return false;
    }
    if (!kvm_setup_irq_routing(s->vm_fd, errp)) {
        return false;
    }
    if (ioctl(s->vm_fd, KVM_CREATE_PIT2, &pit) < 0) {
        error_setg_errno(errp, errno, "KVM: KVM_CREATE_PIT2");
        return false;
    }
    return true;
}

static void kvm_state_free(KVMState *s)
{
    if (s->vm_fd >= 0) {
        close(s->vm_fd);
    }
    if (s->fd >= 0) {
        close(s->fd);
    }
    g_free(s->supported_cpuid);
    g_free(s->msr_list);
    g_free(s);
}

static bool kvm_init_machine(MachineState *ms, GError **errp)
{
    KVMState *s = g_new0(KVMState, 1);
    int nr_slots;

    s->vm_fd = -1;
    s->fd = open(KVM_DEVICE, O_RDWR | O_CLOEXEC);
    if (s->fd < 0) {
        error_setg_errno(errp, errno, "KVM: " KVM_DEVICE);
        kvm_state_free(s);
        return false;
    }
    s->irqchip_in_kernel = true;
    if ((ms && !keyval_get_bool(ms->opts, "kernel-irqchip", true, &s->irqchip_in_kernel, errp)) ||
        !kvm_check_host(s, errp) || !kvm_create_vm(s, errp)) {
        kvm_state_free(s);
        return false;
    }
    s->cores = ms && ms->smp_cores ? ms->smp_cores : 1;
    s->threads = ms && ms->smp_threads ? ms->smp_threads : 1;
    kvm_vcpu_signals_init();
    nr_slots = ioctl(s->fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);
    kvm_state = s;
    kvm_slots_init(s, nr_slots > 0 ? nr_slots : KVM_DEFAULT_MEMSLOTS);
    return true;
}

/*
 * The guest's kvmclock stands still while the machine is paused, as a
 * stopped machine's clock would: the value read at stop is put back at cont.
 */
static void kvm_vm_state_changed(bool running)
{
    static struct kvm_clock_data clock;
    static bool clock_saved;

    if (!kvm_state || ioctl(kvm_state->fd, KVM_CHECK_EXTENSION, KVM_CAP_ADJUST_CLOCK) <= 0) {
        return;
    }
    if (!running) {
        clock_saved = ioctl(kvm_state->vm_fd, KVM_GET_CLOCK, &clock) == 0;
    } else if (clock_saved) {
        struct kvm_clock_data data = { .clock = clock.clock };

        if (ioctl(kvm_state->vm_fd, KVM_SET_CLOCK, &data) < 0) {
            warn_report("KVM: KVM_SET_CLOCK: %s", g_strerror(errno));
        }
        clock_saved = false;
    }
}

static const AccelOps kvm_accel_ops = {
    .name = "kvm",
    .available = kvm_available,
    .init_machine = kvm_init_machine,
    .init_vcpu = kvm_vcpu_init,
    .vcpu_thread = kvm_vcpu_thread,
    .kick_vcpu = kvm_vcpu_kick,
    .reset_vcpu = kvm_vcpu_reset,
    .set_irq = kvm_set_irq,
    .vm_state_changed = kvm_vm_state_changed,
    .dump_vcpu = kvm_vcpu_dump,
    .translate_vaddr = kvm_vcpu_translate,
    .signal_msi = kvm_accel_signal_msi,
    .set_ioeventfd = kvm_set_ioeventfd,
    .add_msi_route = kvm_add_msi_route,
    .update_msi_route = kvm_update_msi_route,
    .release_msi_route = kvm_release_msi_route,
    .set_irqfd = kvm_set_irqfd,
};

static void kvm_accel_register(void)
{
    accel_register(&kvm_accel_ops);
}

accel_init(kvm_accel_register)
