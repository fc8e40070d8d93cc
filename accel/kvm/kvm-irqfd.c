/*
 * KVM's interrupt and notification fast paths: MSI injection through the
 * in-kernel LAPIC (KVM_SIGNAL_MSI), MSI routes added to the GSI routing
 * table (which KVM_SET_GSI_ROUTING replaces whole, so the board's base
 * routes are kept here and sent again with every change), irqfds that inject
 * a route when an eventfd is written, and ioeventfds that turn a guest's
 * write to an address into an eventfd signal without leaving the kernel.
 * Wired into the AccelOps of kvm-all.c; the capabilities are checked once.
 */
#include "util/osdep.h"

#include <sys/ioctl.h>

#include "accel/kvm/kvm-int.h"
#include "hw/intc/apic.h"
#include "sysemu/kvm.h"

#define KVM_MSI_ROUTES_MAX  1024

static struct kvm_irq_routing_entry *kvm_base_routes;
static unsigned kvm_nr_base_routes;
/* MSI routes by GSI - KVM_IRQCHIP_NUM_GSIS; used[] says which exist. */
static struct kvm_irq_routing_entry kvm_msi_routes[KVM_MSI_ROUTES_MAX];
static bool kvm_msi_route_used[KVM_MSI_ROUTES_MAX];

void kvm_irqfd_set_base_routes(const struct kvm_irq_routing *table)
{
    g_free(kvm_base_routes);
    kvm_base_routes = g_memdup2(table->entries, table->nr * sizeof(table->entries[0]));
    kvm_nr_base_routes = table->nr;
}

static bool kvm_has_cap(int cap)
{
    return kvm_state && ioctl(kvm_state->fd, KVM_CHECK_EXTENSION, cap) > 0;
}

bool kvm_signal_msi(uint64_t addr, uint32_t data)
{
    struct kvm_msi msi = {
        .address_lo = (uint32_t)addr,
        .address_hi = addr >> 32,
        .data = data,
    };

    if (!kvm_state) {
        return false;
    }
    /* 0: the guest blocked it (e.g. no LAPIC took it), which is the guest's business. */
    if (ioctl(kvm_state->vm_fd, KVM_SIGNAL_MSI, &msi) < 0) {
        error_report("KVM: KVM_SIGNAL_MSI to 0x%" PRIx64 ": %s", addr, g_strerror(errno));
        return false;
    }
    return true;
}

void kvm_accel_signal_msi(uint64_t addr, uint32_t data)
{
    if (!kvm_irqchip_in_kernel()) {
        apic_deliver_msi(addr, data);
        return;
    }
    kvm_signal_msi(addr, data);
}

/* Sends the base routes plus every MSI route. */
static bool kvm_commit_routes(void)
{
    g_autofree struct kvm_irq_routing *table =
        g_malloc0(sizeof(*table) +
                  (kvm_nr_base_routes + KVM_MSI_ROUTES_MAX) * sizeof(table->entries[0]));
    unsigned n = 0;

    for (unsigned i = 0; i < kvm_nr_base_routes; i++) {
        table->entries[n++] = kvm_base_routes[i];
    }
    for (unsigned i = 0; i < KVM_MSI_ROUTES_MAX; i++) {
        if (kvm_msi_route_used[i]) {
            table->entries[n++] = kvm_msi_routes[i];
        }
    }
    table->nr = n;
    if (ioctl(kvm_state->vm_fd, KVM_SET_GSI_ROUTING, table) < 0) {
        warn_report("KVM: KVM_SET_GSI_ROUTING: %s", g_strerror(errno));
        return false;
    }
    return true;
}

static void kvm_msi_route_fill(unsigned i, uint64_t addr, uint32_t data)
{
    kvm_msi_routes[i] = (struct kvm_irq_routing_entry) {
        .gsi = KVM_IRQCHIP_NUM_GSIS + i,
        .type = KVM_IRQ_ROUTING_MSI,
        .u.msi = { .address_lo = (uint32_t)addr, .address_hi = addr >> 32, .data = data },
    };
}

int kvm_add_msi_route(uint64_t addr, uint32_t data)
{
    if (!kvm_base_routes || !kvm_has_cap(KVM_CAP_IRQ_ROUTING)) {
        return -1;
    }
    for (unsigned i = 0; i < KVM_MSI_ROUTES_MAX; i++) {
        if (!kvm_msi_route_used[i]) {
            kvm_msi_route_fill(i, addr, data);
            kvm_msi_route_used[i] = true;
            if (!kvm_commit_routes()) {
                kvm_msi_route_used[i] = false;
                return -1;
            }
            return KVM_IRQCHIP_NUM_GSIS + i;
        }
    }
    return -1;
}

bool kvm_update_msi_route(int virq, uint64_t addr, uint32_t data)
{
    unsigned i = virq - KVM_IRQCHIP_NUM_GSIS;

    if (virq < KVM_IRQCHIP_NUM_GSIS || i >= KVM_MSI_ROUTES_MAX || !kvm_msi_route_used[i]) {
        return false;
    }
    kvm_msi_route_fill(i, addr, data);
    return kvm_commit_routes();
}

void kvm_release_msi_route(int virq)
{
    unsigned i = virq - KVM_IRQCHIP_NUM_GSIS;

    if (virq >= KVM_IRQCHIP_NUM_GSIS && i < KVM_MSI_ROUTES_MAX && kvm_msi_route_used[i]) {
        kvm_msi_route_used[i] = false;
        kvm_commit_routes();
    }
}

bool kvm_set_irqfd(int fd, int virq, bool assign)
{
    struct kvm_irqfd irqfd = {
        .fd = fd,
        .gsi = virq,
        .flags = assign ? 0 : KVM_IRQFD_FLAG_DEASSIGN,
    };

    if (!kvm_has_cap(KVM_CAP_IRQFD)) {
        return false;
    }
    if (ioctl(kvm_state->vm_fd, KVM_IRQFD, &irqfd) < 0) {
        warn_report("KVM: KVM_IRQFD: %s", g_strerror(errno));
        return false;
    }
    return true;
}

bool kvm_set_ioeventfd(int fd, uint64_t addr, unsigned len, uint64_t data, bool assign)
{
    struct kvm_ioeventfd ioeventfd = {
        .datamatch = data,
        .addr = addr,
        .len = len,
        .fd = fd,
        .flags = KVM_IOEVENTFD_FLAG_DATAMATCH | (assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN),
    };

    if (!kvm_has_cap(KVM_CAP_IOEVENTFD)) {
        return false;
    }
    if (ioctl(kvm_state->vm_fd, KVM_IOEVENTFD, &ioeventfd) < 0) {
        warn_report("KVM: KVM_IOEVENTFD at 0x%" PRIx64 ": %s", addr, g_strerror(errno));
        return false;
    }
    return true;
}
