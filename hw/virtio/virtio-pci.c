/*
 * The virtio-pci transport, modern interface only (virtio 1.2, 4.1): vendor
 * 0x1af4, device 0x1040 + id, revision 1. BAR 4 (64-bit, prefetchable,
 * 16 KiB) holds the common configuration, ISR, device configuration and
 * notification structures, 4 KiB apart; BAR 1 holds the MSI-X table and PBA
 * (one vector per queue plus one for configuration changes by default).
 * Vendor capabilities point at them, plus the PCI configuration access
 * capability. Without MSI-X the device uses INTA#, up while ISR is non-zero.
 *
 * Proxy types (virtio-blk-pci, virtio-net-pci, virtio-rng-pci, virtio-console-pci) create
 * the transport-independent device inside and hand their device properties
 * on to it as strings, so the device code is the same as under virtio-mmio.
 *
 * Fast paths where the accelerator offers them (KVM): each ready queue's
 * notification address gets an ioeventfd (a 2-byte write of the queue index
 * signals an eventfd in the kernel, serviced by the main loop under the BQL,
 * without a vCPU exit to userspace), and each MSI-X vector in use an MSI
 * route with an irqfd, so an interrupt is one eventfd write. Masked vectors
 * fall back to the PBA as usual.
 */
#include "util/osdep.h"

#include <glib-unix.h>
#include <sys/eventfd.h>

#include "hw/pci/msi.h"
#include "hw/pci/pci.h"
#include "hw/virtio/virtio.h"
#include "sysemu/accel.h"
#include "util/log.h"

#define VIRTIO_PCI_DEVICE_ID_BASE   0x1040
#define VIRTIO_PCI_REVISION         1

/* Vendor capability layout (virtio 1.2, 4.1.4). */
#define VIRTIO_PCI_CAP_COMMON_CFG   1
#define VIRTIO_PCI_CAP_NOTIFY_CFG   2
#define VIRTIO_PCI_CAP_ISR_CFG      3
#define VIRTIO_PCI_CAP_DEVICE_CFG   4
#define VIRTIO_PCI_CAP_PCI_CFG      5
#define VIRTIO_PCI_CAP_LEN          16
#define VIRTIO_PCI_CAP_CFG_TYPE     3
#define VIRTIO_PCI_CAP_BAR          4
#define VIRTIO_PCI_CAP_OFFSET       8
#define VIRTIO_PCI_CAP_LENGTH       12
#define VIRTIO_PCI_NOTIFY_MULT      16      /* notify_off_multiplier field */
#define VIRTIO_PCI_CFG_DATA         16      /* pci_cfg_data field */

/* Common configuration registers (4.1.4.3). */
#define VIRTIO_PCI_COMMON_DFSELECT  0x00
#define VIRTIO_PCI_COMMON_DF        0x04
#define VIRTIO_PCI_COMMON_GFSELECT  0x08
#define VIRTIO_PCI_COMMON_GF        0x0c
#define VIRTIO_PCI_COMMON_MSIX      0x10
#define VIRTIO_PCI_COMMON_NUMQ      0x12
#define VIRTIO_PCI_COMMON_STATUS    0x14
#define VIRTIO_PCI_COMMON_CFGGEN    0x15
#define VIRTIO_PCI_COMMON_Q_SELECT  0x16
#define VIRTIO_PCI_COMMON_Q_SIZE    0x18
#define VIRTIO_PCI_COMMON_Q_MSIX    0x1a
#define VIRTIO_PCI_COMMON_Q_ENABLE  0x1c
#define VIRTIO_PCI_COMMON_Q_NOFF    0x1e
#define VIRTIO_PCI_COMMON_Q_DESCLO  0x20
#define VIRTIO_PCI_COMMON_Q_DEVHI   0x34
#define VIRTIO_PCI_COMMON_Q_NDATA   0x38
#define VIRTIO_PCI_COMMON_Q_RESET   0x3a
#define VIRTIO_PCI_COMMON_SIZE      0x3c

/* BAR 4 layout. */
#define VIRTIO_PCI_MODERN_BAR       4
#define VIRTIO_PCI_MSIX_BAR         1
#define VIRTIO_PCI_REGION_SIZE      0x1000
#define VIRTIO_PCI_COMMON_OFF       0x0000
#define VIRTIO_PCI_ISR_OFF          0x1000
#define VIRTIO_PCI_DEVICE_OFF       0x2000
#define VIRTIO_PCI_NOTIFY_OFF       0x3000
#define VIRTIO_PCI_MODERN_BAR_SIZE  0x4000
#define VIRTIO_PCI_NOTIFY_MULTIPLIER 4
#define VIRTIO_PCI_MSIX_BAR_SIZE    0x1000
#define VIRTIO_PCI_MSIX_PBA_OFF     0x800

#define VIRTIO_PCI_PROPS_MAX        4

typedef struct VirtIOPCIProxy VirtIOPCIProxy;

/* A queue's ioeventfd. */
typedef struct VirtIOPCIQueueNotifier {
    int fd;                     /* -1: none */
    guint watch;
    uint64_t addr;
    VirtIOPCIProxy *proxy;
    unsigned n;
} VirtIOPCIQueueNotifier;

/* An MSI-X vector's irqfd and the message its route carries. */
typedef struct VirtIOPCIVectorIrqfd {
    int fd;                     /* -1: none */
    int virq;
    uint64_t addr;
    uint32_t data;
} VirtIOPCIVectorIrqfd;

/* What a proxy type wraps. */
typedef struct VirtIOPCIKind {
    const char *vdev_type;
    uint16_t device_id;
    uint16_t class_code;
    const char *const props[VIRTIO_PCI_PROPS_MAX];  /* handed on to the device */
} VirtIOPCIKind;

struct VirtIOPCIProxy {
    PCIDevice parent_obj;
    const VirtIOPCIKind *kind;
    char *props[VIRTIO_PCI_PROPS_MAX];
    uint32_t vectors;           /* property; 0xffffffff: queues + 1 */
    VirtIODevice *vdev;
    MemoryRegion modern_bar;
    MemoryRegion common, isr, device, notify;
    MemoryRegion msix_bar;
    unsigned nvectors;          /* MSI-X table size, 0 without MSI-X */
    VirtIOPCIQueueNotifier notifiers[VIRTIO_QUEUES_MAX];
    VirtIOPCIVectorIrqfd irqfds[PCI_MSIX_MAX_VECTORS];
};

#define VIRTIO_PCI_PROXY(d) DEVICE_CAST(VirtIOPCIProxy, d)

/* ---- fast paths ---- */

static gboolean virtio_pci_ioeventfd_ready(gint fd, GIOCondition cond, gpointer opaque)
{
    VirtIOPCIQueueNotifier *qn = opaque;
    uint64_t count;

    if (read(fd, &count, sizeof(count)) == sizeof(count)) {
        virtio_queue_notify(qn->proxy->vdev, qn->n);
    }
    return G_SOURCE_CONTINUE;
}

static void virtio_pci_ioeventfd_del(VirtIOPCIProxy *proxy, unsigned n)
{
    VirtIOPCIQueueNotifier *qn = &proxy->notifiers[n];

    if (qn->fd < 0) {
        return;
    }
    current_accel->set_ioeventfd(qn->fd, qn->addr, 2, n, false);
    g_source_remove(qn->watch);
    close(qn->fd);
    qn->fd = -1;
}

static void virtio_pci_ioeventfd_del_all(VirtIOPCIProxy *proxy)
{
    for (unsigned n = 0; n < VIRTIO_QUEUES_MAX; n++) {
        virtio_pci_ioeventfd_del(proxy, n);
    }
}

/* Every ready queue of a live device gets an ioeventfd at its notify address. */
static void virtio_pci_ioeventfd_update(VirtIOPCIProxy *proxy)
{
    PCIDevice *d = &proxy->parent_obj;
    VirtIODevice *vdev = proxy->vdev;
    uint64_t bar = pci_get_bar_addr(d, VIRTIO_PCI_MODERN_BAR);
    bool live = bar != PCI_BAR_UNMAPPED && (vdev->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
                current_accel && current_accel->set_ioeventfd;

    for (unsigned n = 0; n < VIRTIO_QUEUES_MAX; n++) {
        VirtIOPCIQueueNotifier *qn = &proxy->notifiers[n];
        uint64_t addr = bar + VIRTIO_PCI_NOTIFY_OFF + n * VIRTIO_PCI_NOTIFY_MULTIPLIER;
        bool want = live && virtio_queue_get_ready(vdev, n);

        if (qn->fd >= 0 && (!want || qn->addr != addr)) {
            virtio_pci_ioeventfd_del(proxy, n);
        }
        if (!want || qn->fd >= 0) {
            continue;
        }
        qn->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (qn->fd < 0) {
            continue;
        }
        if (!current_accel->set_ioeventfd(qn->fd, addr, 2, n, true)) {
            close(qn->fd);
            qn->fd = -1;
            continue;
        }
        qn->addr = addr;
        qn->proxy = proxy;
        qn->n = n;
        qn->watch = g_unix_fd_add(qn->fd, G_IO_IN, virtio_pci_ioeventfd_ready, qn);
    }
}

static void virtio_pci_irqfd_release(VirtIOPCIProxy *proxy, unsigned vector)
{
    VirtIOPCIVectorIrqfd *v = &proxy->irqfds[vector];

    if (v->fd < 0) {
        return;
    }
    current_accel->set_irqfd(v->fd, v->virq, false);
    current_accel->release_msi_route(v->virq);
    close(v->fd);
    v->fd = -1;
}

static void virtio_pci_irqfd_release_all(VirtIOPCIProxy *proxy)
{
    for (unsigned v = 0; v < proxy->nvectors; v++) {
        virtio_pci_irqfd_release(proxy, v);
    }
}

/* Sends VECTOR through its irqfd (set up on first use); false when there is none. */
static bool virtio_pci_irqfd_send(VirtIOPCIProxy *proxy, unsigned vector)
{
    PCIDevice *d = &proxy->parent_obj;
    VirtIOPCIVectorIrqfd *v = &proxy->irqfds[vector];
    uint64_t addr;
    uint32_t data;

    if (!current_accel || !current_accel->set_irqfd) {
        return false;
    }
    msix_get_message(d, vector, &addr, &data);
    if (v->fd >= 0 && (v->addr != addr || v->data != data) &&
        !current_accel->update_msi_route(v->virq, addr, data)) {
        virtio_pci_irqfd_release(proxy, vector);
    }
    if (v->fd < 0) {
        v->virq = current_accel->add_msi_route(addr, data);
        if (v->virq < 0) {
            return false;
        }
        v->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (v->fd < 0 || !current_accel->set_irqfd(v->fd, v->virq, true)) {
            if (v->fd >= 0) {
                close(v->fd);
            }
            v->fd = -1;
            current_accel->release_msi_route(v->virq);
            return false;
        }
    }
    v->addr = addr;
    v->data = data;
    return eventfd_write(v->fd, 1) == 0;
}

/* ---- the transport ---- */

static void virtio_pci_update_intx(VirtIOPCIProxy *proxy)
{
    PCIDevice *d = &proxy->parent_obj;

    pci_set_irq(d, !msix_enabled(d) && proxy->vdev->isr != 0);
}

static void virtio_pci_notify(void *opaque, uint16_t vector)
{
    VirtIOPCIProxy *proxy = opaque;
    PCIDevice *d = &proxy->parent_obj;

    if (!msix_enabled(d)) {
        virtio_pci_update_intx(proxy);
        return;
    }
    if (vector >= proxy->nvectors) {
        return;     /* VIRTIO_NO_VECTOR: the driver asked for no interrupt */
    }
    if (msix_is_masked(d, vector)) {
        msix_set_pending(d, vector);
    } else if (!pci_bus_master_enabled(d) || !virtio_pci_irqfd_send(proxy, vector)) {
        msix_notify(d, vector);
    }
}

static void virtio_pci_status_changed(void *opaque, uint8_t status)
{
    VirtIOPCIProxy *proxy = opaque;

    if (status == 0) {
        virtio_pci_irqfd_release_all(proxy);
    }
    virtio_pci_ioeventfd_update(proxy);
    virtio_pci_update_intx(proxy);
}

static const VirtioBusOps virtio_pci_bus_ops = {
    .notify = virtio_pci_notify,
    .status_changed = virtio_pci_status_changed,
};

static uint16_t virtio_pci_vector_check(VirtIOPCIProxy *proxy, uint16_t vector)
{
    /* A vector the table does not have reads back as NO_VECTOR (4.1.4.3.2). */
    return vector < proxy->nvectors ? vector : VIRTIO_NO_VECTOR;
}

static uint64_t virtio_pci_common_read(void *opaque, uint64_t addr, unsigned size)
{
    VirtIOPCIProxy *proxy = opaque;
    VirtIODevice *vdev = proxy->vdev;
    unsigned q = vdev->queue_sel;
    uint8_t regs[VIRTIO_PCI_COMMON_SIZE] = { 0 };
    uint64_t val = 0;

    if (addr + size > sizeof(regs)) {
        return 0;
    }
    pci_set_long(regs + VIRTIO_PCI_COMMON_DFSELECT, vdev->device_features_sel);
    pci_set_long(regs + VIRTIO_PCI_COMMON_DF,
                 virtio_get_device_features_word(vdev, vdev->device_features_sel));
    pci_set_long(regs + VIRTIO_PCI_COMMON_GFSELECT, vdev->driver_features_sel);
    pci_set_long(regs + VIRTIO_PCI_COMMON_GF,
                 virtio_get_driver_features_word(vdev, vdev->driver_features_sel));
    pci_set_word(regs + VIRTIO_PCI_COMMON_MSIX, vdev->config_vector);
    pci_set_word(regs + VIRTIO_PCI_COMMON_NUMQ, virtio_get_num_queues(vdev));
    regs[VIRTIO_PCI_COMMON_STATUS] = vdev->status;
    regs[VIRTIO_PCI_COMMON_CFGGEN] = vdev->generation;
    pci_set_word(regs + VIRTIO_PCI_COMMON_Q_SELECT, q);
    if (q < VIRTIO_QUEUES_MAX && virtio_queue_get_num_max(vdev, q)) {
        pci_set_word(regs + VIRTIO_PCI_COMMON_Q_SIZE, virtio_queue_get_num(vdev, q));
        pci_set_word(regs + VIRTIO_PCI_COMMON_Q_MSIX, virtio_queue_get_vector(vdev, q));
        pci_set_word(regs + VIRTIO_PCI_COMMON_Q_ENABLE, virtio_queue_get_ready(vdev, q));
        pci_set_word(regs + VIRTIO_PCI_COMMON_Q_NOFF, q);
        for (int area = 0; area < 3; area++) {
            pci_set_quad(regs + VIRTIO_PCI_COMMON_Q_DESCLO + area * 8,
                         virtio_queue_get_addr(vdev, q, area));
        }
        pci_set_word(regs + VIRTIO_PCI_COMMON_Q_NDATA, q);
    }
    for (unsigned i = 0; i < size; i++) {
        val |= (uint64_t)regs[addr + i] << (i * 8);
    }
    return val;
}

static void virtio_pci_common_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    VirtIOPCIProxy *proxy = opaque;
    VirtIODevice *vdev = proxy->vdev;
    unsigned q = vdev->queue_sel;

    if (addr >= VIRTIO_PCI_COMMON_Q_DESCLO && addr <= VIRTIO_PCI_COMMON_Q_DEVHI && size == 4) {
        VirtQueueArea area = (addr - VIRTIO_PCI_COMMON_Q_DESCLO) / 8;
        unsigned shift = addr & 4 ? 32 : 0;
        uint64_t cur = virtio_queue_get_addr(vdev, q, area);

        cur = (cur & ~(0xffffffffULL << shift)) | (val << shift);
        virtio_queue_set_addr(vdev, q, area, cur);
        return;
    }
    switch (addr | (uint64_t)size << 8) {
    case VIRTIO_PCI_COMMON_DFSELECT | 4 << 8:
        vdev->device_features_sel = val;
        break;
    case VIRTIO_PCI_COMMON_GFSELECT | 4 << 8:
        vdev->driver_features_sel = val;
        break;
    case VIRTIO_PCI_COMMON_GF | 4 << 8:
        virtio_set_driver_features_word(vdev, vdev->driver_features_sel, val);
        break;
    case VIRTIO_PCI_COMMON_MSIX | 2 << 8:
        vdev->config_vector = virtio_pci_vector_check(proxy, val);
        break;
    case VIRTIO_PCI_COMMON_STATUS | 1 << 8:
        virtio_set_status(vdev, val);
        break;
    case VIRTIO_PCI_COMMON_Q_SELECT | 2 << 8:
        vdev->queue_sel = val;
        break;
    case VIRTIO_PCI_COMMON_Q_SIZE | 2 << 8:
        virtio_queue_set_num(vdev, q, val);
        break;
    case VIRTIO_PCI_COMMON_Q_MSIX | 2 << 8:
        virtio_queue_set_vector(vdev, q, virtio_pci_vector_check(proxy, val));
        break;
    case VIRTIO_PCI_COMMON_Q_ENABLE | 2 << 8:
        /* Writing 0 is not allowed (4.1.4.3.2); a queue is disabled by a reset. */
        if (val == 1) {
            virtio_queue_set_ready(vdev, q, true);
            virtio_pci_ioeventfd_update(proxy);
        } else {
            log_mask_printf(LOG_GUEST_ERROR, "%s: queue_enable written with %" PRIu64 "\n",
                            vdev->name, val);
        }
        break;
    default:
        log_mask_printf(LOG_GUEST_ERROR, "%s: virtio-pci common config write of %u bytes at "
                        "0x%" PRIx64 " (read-only, reserved or the wrong width)\n",
                        vdev->name, size, addr);
        break;
    }
}

static const MemoryRegionOps virtio_pci_common_ops = {
    .read = virtio_pci_common_read,
    .write = virtio_pci_common_write,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

/* Reading the ISR acknowledges it (4.1.4.5). */
static uint64_t virtio_pci_isr_read(void *opaque, uint64_t addr, unsigned size)
{
    VirtIOPCIProxy *proxy = opaque;
    uint8_t isr = addr == 0 ? proxy->vdev->isr : 0;

    if (addr == 0) {
        proxy->vdev->isr = 0;
        virtio_pci_update_intx(proxy);
    }
    return isr;
}

static void virtio_pci_isr_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    VirtIOPCIProxy *proxy = opaque;

    log_mask_printf(LOG_GUEST_ERROR, "%s: write to the read-only virtio-pci ISR\n",
                    proxy->vdev->name);
}

static const MemoryRegionOps virtio_pci_isr_ops = {
    .read = virtio_pci_isr_read,
    .write = virtio_pci_isr_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

static uint64_t virtio_pci_device_read(void *opaque, uint64_t addr, unsigned size)
{
    VirtIOPCIProxy *proxy = opaque;

    return virtio_config_read(proxy->vdev, addr, size);
}

static void virtio_pci_device_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    VirtIOPCIProxy *proxy = opaque;

    virtio_config_write(proxy->vdev, addr, val, size);
}

static const MemoryRegionOps virtio_pci_device_ops = {
    .read = virtio_pci_device_read,
    .write = virtio_pci_device_write,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
};

static uint64_t virtio_pci_notify_read(void *opaque, uint64_t addr, unsigned size)
{
    return 0;
}

static void virtio_pci_notify_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    VirtIOPCIProxy *proxy = opaque;
    unsigned n = addr / VIRTIO_PCI_NOTIFY_MULTIPLIER;

    if (n != (val & 0xffff)) {
        log_mask_printf(LOG_GUEST_ERROR, "%s: notification of queue %u at the address of "
                        "queue %u\n", proxy->vdev->name, (unsigned)(val & 0xffff), n);
    }
    virtio_queue_notify(proxy->vdev, n);
}

static const MemoryRegionOps virtio_pci_notify_ops = {
    .read = virtio_pci_notify_read,
    .write = virtio_pci_notify_write,
    .valid = { .min_access_size = 2, .max_access_size = 4 },
};

/* ---- the PCI configuration access capability (4.1.4.9) ---- */

static uint8_t virtio_pci_cfg_cap(PCIDevice *d)
{
    for (uint8_t p = d->config[PCI_CAPABILITY_LIST]; p; p = d->config[p + PCI_CAP_LIST_NEXT]) {
        if (d->config[p] == PCI_CAP_ID_VNDR &&
            d->config[p + VIRTIO_PCI_CAP_CFG_TYPE] == VIRTIO_PCI_CAP_PCI_CFG) {
            return p;
        }
    }
    return 0;
}

/* The region of BAR 4 at OFFSET for an access through the capability, or NULL. */
static MemoryRegion *virtio_pci_cfg_target(VirtIOPCIProxy *proxy, uint8_t cap,
                                           uint32_t *offset, unsigned *len)
{
    PCIDevice *d = &proxy->parent_obj;
    uint32_t off = pci_get_long(d->config + cap + VIRTIO_PCI_CAP_OFFSET);
    uint32_t length = pci_get_long(d->config + cap + VIRTIO_PCI_CAP_LENGTH);
    MemoryRegion *regions[] = { &proxy->common, &proxy->isr, &proxy->device, &proxy->notify };

    if (d->config[cap + VIRTIO_PCI_CAP_BAR] != VIRTIO_PCI_MODERN_BAR ||
        (length != 1 && length != 2 && length != 4) || (off & (length - 1)) ||
        off >= VIRTIO_PCI_MODERN_BAR_SIZE) {
        return NULL;
    }
    *offset = off % VIRTIO_PCI_REGION_SIZE;
    *len = length;
    return regions[off / VIRTIO_PCI_REGION_SIZE];
}

/* The access touches pci_cfg_data of the capability at CAP. */
static bool virtio_pci_cfg_data_hit(uint8_t cap, uint32_t addr, unsigned len)
{
    uint32_t data = cap + VIRTIO_PCI_CFG_DATA;

    return cap && addr < data + 4 && addr + len > data;
}

static void virtio_pci_config_read(PCIDevice *d, uint32_t addr, unsigned len)
{
    VirtIOPCIProxy *proxy = VIRTIO_PCI_PROXY(d);
    uint8_t cap = virtio_pci_cfg_cap(d);
    MemoryRegion *mr;
    uint32_t off;
    unsigned n;

    if (!virtio_pci_cfg_data_hit(cap, addr, len)) {
        return;
    }
    mr = virtio_pci_cfg_target(proxy, cap, &off, &n);
    pci_set_long(d->config + cap + VIRTIO_PCI_CFG_DATA,
                 mr ? (uint32_t)mr->ops->read(proxy, off, n) : 0);
}

static void virtio_pci_config_write(PCIDevice *d, uint32_t addr, uint32_t val, unsigned len)
{
    VirtIOPCIProxy *proxy = VIRTIO_PCI_PROXY(d);
    uint8_t cap = virtio_pci_cfg_cap(d);
    MemoryRegion *mr;
    uint32_t off;
    unsigned n;

    /* MSI-X on or off: the vectors' irqfds go, INTx follows. */
    if (!msix_enabled(d)) {
        virtio_pci_irqfd_release_all(proxy);
    }
    virtio_pci_update_intx(proxy);
    if (!virtio_pci_cfg_data_hit(cap, addr, len)) {
        return;
    }
    mr = virtio_pci_cfg_target(proxy, cap, &off, &n);
    if (mr) {
        uint32_t data = pci_get_long(d->config + cap + VIRTIO_PCI_CFG_DATA);

        mr->ops->write(proxy, off, n == 4 ? data : data & ((1u << (n * 8)) - 1), n);
    }
}

static void virtio_pci_bar_mapped(PCIDevice *d, int n, uint64_t addr)
{
    if (n == VIRTIO_PCI_MODERN_BAR) {
        virtio_pci_ioeventfd_update(VIRTIO_PCI_PROXY(d));
    }
}

/* ---- the device ---- */

static uint8_t virtio_pci_add_cap(PCIDevice *d, uint8_t type, uint32_t offset, uint32_t length,
                                  uint8_t size, GError **errp)
{
    uint8_t cap = pci_add_capability(d, PCI_CAP_ID_VNDR, 0, size, errp);

    if (cap) {
        d->config[cap + 2] = size;      /* cap_len */
        d->config[cap + VIRTIO_PCI_CAP_CFG_TYPE] = type;
        d->config[cap + VIRTIO_PCI_CAP_BAR] = VIRTIO_PCI_MODERN_BAR;
        pci_set_long(d->config + cap + VIRTIO_PCI_CAP_OFFSET, offset);
        pci_set_long(d->config + cap + VIRTIO_PCI_CAP_LENGTH, length);
    }
    return cap;
}

static bool virtio_pci_add_caps(VirtIOPCIProxy *proxy, GError **errp)
{
    PCIDevice *d = &proxy->parent_obj;
    uint8_t cap;

    if (!virtio_pci_add_cap(d, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_COMMON_OFF,
                            VIRTIO_PCI_REGION_SIZE, VIRTIO_PCI_CAP_LEN, errp) ||
        !virtio_pci_add_cap(d, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_ISR_OFF,
                            VIRTIO_PCI_REGION_SIZE, VIRTIO_PCI_CAP_LEN, errp) ||
        !virtio_pci_add_cap(d, VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_PCI_DEVICE_OFF,
                            VIRTIO_PCI_REGION_SIZE, VIRTIO_PCI_CAP_LEN, errp)) {
        return false;
    }
    cap = virtio_pci_add_cap(d, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_NOTIFY_OFF,
                             VIRTIO_PCI_REGION_SIZE, VIRTIO_PCI_CAP_LEN + 4, errp);
    if (!cap) {
        return false;
    }
    pci_set_long(d->config + cap + VIRTIO_PCI_NOTIFY_MULT, VIRTIO_PCI_NOTIFY_MULTIPLIER);
    /* The access window: the driver writes bar, offset and length, then the data. */
    cap = virtio_pci_add_cap(d, VIRTIO_PCI_CAP_PCI_CFG, 0, 0, VIRTIO_PCI_CAP_LEN + 4, errp);
    if (!cap) {
        return false;
    }
    d->wmask[cap + VIRTIO_PCI_CAP_BAR] = 0xff;
    pci_set_long(d->wmask + cap + VIRTIO_PCI_CAP_OFFSET, UINT32_MAX);
    pci_set_long(d->wmask + cap + VIRTIO_PCI_CAP_LENGTH, UINT32_MAX);
    pci_set_long(d->wmask + cap + VIRTIO_PCI_CFG_DATA, UINT32_MAX);
    return true;
}

static bool virtio_pci_realize(PCIDevice *d, GError **errp)
{
    VirtIOPCIProxy *proxy = VIRTIO_PCI_PROXY(d);
    const VirtIOPCIKind *kind = proxy->kind;
    DeviceState *dev;
    unsigned nqueues;

    if (!type_lookup(kind->vdev_type)) {
        error_setg(errp, "%s is not built in", kind->vdev_type);
        return false;
    }
    pci_config_set_ids(d, PCI_VENDOR_ID_REDHAT_QUMRANET,
                       VIRTIO_PCI_DEVICE_ID_BASE + kind->device_id,
                       PCI_VENDOR_ID_REDHAT_QUMRANET, VIRTIO_PCI_DEVICE_ID_BASE + kind->device_id,
                       VIRTIO_PCI_REVISION);
    pci_config_set_class(d, kind->class_code, 0);
    /* Before the device exists: its reset already reports the interrupt state. */
    pci_config_set_interrupt_pin(d, 1);
    dev = qdev_new(kind->vdev_type);
    for (int i = 0; i < VIRTIO_PCI_PROPS_MAX && kind->props[i]; i++) {
        if (proxy->props[i] && !qdev_prop_parse(dev, kind->props[i], proxy->props[i], errp)) {
            qdev_destroy(dev);
            return false;
        }
    }
    proxy->vdev = VIRTIO_DEVICE(dev);
    virtio_device_set_transport(proxy->vdev, &virtio_pci_bus_ops, proxy);
    if (!qdev_realize(dev, errp)) {
        proxy->vdev = NULL;
        return false;
    }
    nqueues = virtio_get_num_queues(proxy->vdev);
    proxy->nvectors = proxy->vectors == UINT32_MAX ? nqueues + 1 : proxy->vectors;
    if (proxy->nvectors > PCI_MSIX_MAX_VECTORS) {
        error_setg(errp, "vectors=%u: at most %d are possible", proxy->nvectors,
                   PCI_MSIX_MAX_VECTORS);
        return false;
    }


    memory_region_init_container(&proxy->modern_bar, "virtio-pci-modern",
                                 VIRTIO_PCI_MODERN_BAR_SIZE);
    memory_region_init_io(&proxy->common, &virtio_pci_common_ops, proxy, "virtio-pci-common",
                          VIRTIO_PCI_REGION_SIZE);
    memory_region_init_io(&proxy->isr, &virtio_pci_isr_ops, proxy, "virtio-pci-isr",
                          VIRTIO_PCI_REGION_SIZE);
    memory_region_init_io(&proxy->device, &virtio_pci_device_ops, proxy, "virtio-pci-device",
                          VIRTIO_PCI_REGION_SIZE);
    memory_region_init_io(&proxy->notify, &virtio_pci_notify_ops, proxy, "virtio-pci-notify",
                          VIRTIO_PCI_REGION_SIZE);
    memory_region_add_subregion(&proxy->modern_bar, VIRTIO_PCI_COMMON_OFF, &proxy->common);
    memory_region_add_subregion(&proxy->modern_bar, VIRTIO_PCI_ISR_OFF, &proxy->isr);
    memory_region_add_subregion(&proxy->modern_bar, VIRTIO_PCI_DEVICE_OFF, &proxy->device);
    memory_region_add_subregion(&proxy->modern_bar, VIRTIO_PCI_NOTIFY_OFF, &proxy->notify);
    pci_register_bar(d, VIRTIO_PCI_MODERN_BAR,
                     PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH,
                     &proxy->modern_bar);
    if (proxy->nvectors) {
        memory_region_init_container(&proxy->msix_bar, "virtio-pci-msix",
                                     VIRTIO_PCI_MSIX_BAR_SIZE);
        pci_register_bar(d, VIRTIO_PCI_MSIX_BAR, PCI_BASE_ADDRESS_MEM_TYPE_32, &proxy->msix_bar);
        if (!msix_init(d, proxy->nvectors, &proxy->msix_bar, VIRTIO_PCI_MSIX_BAR, 0,
                       &proxy->msix_bar, VIRTIO_PCI_MSIX_BAR, VIRTIO_PCI_MSIX_PBA_OFF, 0,
                       errp)) {
            return false;
        }
    }
    return virtio_pci_add_caps(proxy, errp);
}

static void virtio_pci_reset(PCIDevice *d)
{
    VirtIOPCIProxy *proxy = VIRTIO_PCI_PROXY(d);

    virtio_pci_irqfd_release_all(proxy);
    virtio_pci_ioeventfd_del_all(proxy);
}

static void virtio_pci_unrealize(PCIDevice *d)
{
    VirtIOPCIProxy *proxy = VIRTIO_PCI_PROXY(d);

    virtio_pci_reset(d);
    if (proxy->vdev) {
        qdev_destroy(&proxy->vdev->parent_obj);
        proxy->vdev = NULL;
    }
    if (proxy->nvectors) {
        msix_uninit(d, &proxy->msix_bar, &proxy->msix_bar);
        memory_region_finalize(&proxy->msix_bar);
    }
    memory_region_del_subregion(&proxy->modern_bar, &proxy->common);
    memory_region_del_subregion(&proxy->modern_bar, &proxy->isr);
    memory_region_del_subregion(&proxy->modern_bar, &proxy->device);
    memory_region_del_subregion(&proxy->modern_bar, &proxy->notify);
    memory_region_finalize(&proxy->common);
    memory_region_finalize(&proxy->isr);
    memory_region_finalize(&proxy->device);
    memory_region_finalize(&proxy->notify);
    memory_region_finalize(&proxy->modern_bar);
}

static const PCIDeviceOps virtio_pci_ops = {
    .realize = virtio_pci_realize,
    .unrealize = virtio_pci_unrealize,
    .reset = virtio_pci_reset,
    .config_read = virtio_pci_config_read,
    .config_write = virtio_pci_config_write,
    .bar_mapped = virtio_pci_bar_mapped,
};

static const VMStateDescription vmstate_virtio_pci = {
    .name = "virtio-pci",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(parent_obj, VirtIOPCIProxy, vmstate_pci_device, PCIDevice),
        VMSTATE_END_OF_LIST()
    },
};

/* ---- proxy types ---- */

#define VIRTIO_PCI_COMMON_PROPS \
    DEFINE_PROP_UINT32("vectors", VirtIOPCIProxy, vectors, UINT32_MAX)
#define VIRTIO_PCI_FWD_PROP(n, i) DEFINE_PROP_STRING(n, VirtIOPCIProxy, props[i])

static const VirtIOPCIKind virtio_blk_pci_kind = {
    "virtio-blk-device", VIRTIO_ID_BLOCK, PCI_CLASS_STORAGE_SCSI,
    { "drive", "serial", "num-queues", "queue-size" },
};
static const Property virtio_blk_pci_props[] = {
    VIRTIO_PCI_COMMON_PROPS,
    VIRTIO_PCI_FWD_PROP("drive", 0),
    VIRTIO_PCI_FWD_PROP("serial", 1),
    VIRTIO_PCI_FWD_PROP("num-queues", 2),
    VIRTIO_PCI_FWD_PROP("queue-size", 3),
    DEFINE_PROP_END_OF_LIST(),
};

static const VirtIOPCIKind virtio_net_pci_kind = {
    "virtio-net-device", VIRTIO_ID_NET, PCI_CLASS_NETWORK_ETHERNET,
    { "netdev", "mac", "mrg_rxbuf", "csum" },
};
static const Property virtio_net_pci_props[] = {
    VIRTIO_PCI_COMMON_PROPS,
    VIRTIO_PCI_FWD_PROP("netdev", 0),
    VIRTIO_PCI_FWD_PROP("mac", 1),
    VIRTIO_PCI_FWD_PROP("mrg_rxbuf", 2),
    VIRTIO_PCI_FWD_PROP("csum", 3),
    DEFINE_PROP_END_OF_LIST(),
};

static const VirtIOPCIKind virtio_rng_pci_kind = {
    "virtio-rng-device", VIRTIO_ID_RNG, PCI_CLASS_OTHERS, { NULL },
};
static const Property virtio_rng_pci_props[] = {
    VIRTIO_PCI_COMMON_PROPS,
    DEFINE_PROP_END_OF_LIST(),
};

static const VirtIOPCIKind virtio_console_pci_kind = {
    "virtio-console-device", VIRTIO_ID_CONSOLE, PCI_CLASS_COMMUNICATION_OTHER, { "chardev" },
};
static const Property virtio_console_pci_props[] = {
    VIRTIO_PCI_COMMON_PROPS,
    VIRTIO_PCI_FWD_PROP("chardev", 0),
    DEFINE_PROP_END_OF_LIST(),
};

static void virtio_pci_instance_init(VirtIOPCIProxy *proxy, const VirtIOPCIKind *kind)
{
    proxy->parent_obj.ops = &virtio_pci_ops;
    proxy->kind = kind;
    for (unsigned n = 0; n < VIRTIO_QUEUES_MAX; n++) {
        proxy->notifiers[n].fd = -1;
    }
    for (unsigned v = 0; v < PCI_MSIX_MAX_VECTORS; v++) {
        proxy->irqfds[v].fd = -1;
    }
}

static void virtio_blk_pci_instance_init(DeviceState *dev)
{
    virtio_pci_instance_init(VIRTIO_PCI_PROXY(dev), &virtio_blk_pci_kind);
}

static void virtio_net_pci_instance_init(DeviceState *dev)
{
    virtio_pci_instance_init(VIRTIO_PCI_PROXY(dev), &virtio_net_pci_kind);
}

static void virtio_rng_pci_instance_init(DeviceState *dev)
{
    virtio_pci_instance_init(VIRTIO_PCI_PROXY(dev), &virtio_rng_pci_kind);
}

static void virtio_console_pci_instance_init(DeviceState *dev)
{
    virtio_pci_instance_init(VIRTIO_PCI_PROXY(dev), &virtio_console_pci_kind);
}

static const TypeInfo virtio_pci_types[] = {
    {
        .name = "virtio-blk-pci",
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(VirtIOPCIProxy),
        .desc = "virtio block device on PCI (drive=, serial=, num-queues=, queue-size=)",
        .user_creatable = true,
        .props = virtio_blk_pci_props,
        .instance_init = virtio_blk_pci_instance_init,
        .vmsd = &vmstate_virtio_pci,
    }, {
        .name = "virtio-net-pci",
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(VirtIOPCIProxy),
        .desc = "virtio network device on PCI (netdev=, mac=, mrg_rxbuf=, csum=)",
        .user_creatable = true,
        .props = virtio_net_pci_props,
        .instance_init = virtio_net_pci_instance_init,
        .vmsd = &vmstate_virtio_pci,
    }, {
        .name = "virtio-rng-pci",
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(VirtIOPCIProxy),
        .desc = "virtio entropy source on PCI",
        .user_creatable = true,
        .props = virtio_rng_pci_props,
        .instance_init = virtio_rng_pci_instance_init,
        .vmsd = &vmstate_virtio_pci,
    }, {
        .name = "virtio-console-pci",
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(VirtIOPCIProxy),
        .desc = "virtio console on PCI (chardev=)",
        .user_creatable = true,
        .props = virtio_console_pci_props,
        .instance_init = virtio_console_pci_instance_init,
        .vmsd = &vmstate_virtio_pci,
    },
};

static void virtio_pci_register_types(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(virtio_pci_types); i++) {
        type_register(&virtio_pci_types[i]);
    }
}
type_init(virtio_pci_register_types)
