/*
 * The virtio-mmio transport, version 2 (virtio 1.2, 4.2): the register window
 * a driver finds at a board's slot (microvm: 0xfeb00000 + n * 0x200, GSI
 * 16 + n, described in the DSDT). Registers are 32 bits wide and aligned;
 * config space from 0x100 takes 1-, 2- and 4-byte accesses. The interrupt is
 * a level line that stays up while InterruptStatus is non-zero. Legacy
 * (version 1) registers are not offered: drivers must accept VERSION_1.
 */
#include "util/osdep.h"

#include "exec/memory.h"
#include "hw/virtio/virtio-mmio.h"
#include "util/log.h"

typedef struct VirtIOMMIOProxy {
    VirtIODevice *vdev;
    MemoryRegion iomem;
    qemu_irq irq;
} VirtIOMMIOProxy;

static VirtioMmioSlotClaim virtio_mmio_slot_claim;

static void virtio_mmio_update_irq(VirtIOMMIOProxy *proxy)
{
    irq_set(proxy->irq, proxy->vdev->isr != 0);
}

static void virtio_mmio_notify(void *opaque, uint16_t vector)
{
    virtio_mmio_update_irq(opaque);
}

static void virtio_mmio_status_changed(void *opaque, uint8_t status)
{
    virtio_mmio_update_irq(opaque);
}

static const VirtioBusOps virtio_mmio_bus_ops = {
    .notify = virtio_mmio_notify,
    .status_changed = virtio_mmio_status_changed,
};

static uint64_t virtio_mmio_read(void *opaque, uint64_t addr, unsigned size)
{
    VirtIOMMIOProxy *proxy = opaque;
    VirtIODevice *vdev = proxy->vdev;
    uint16_t sel = vdev->queue_sel;

    if (addr >= VIRTIO_MMIO_CONFIG) {
        return virtio_config_read(vdev, addr - VIRTIO_MMIO_CONFIG, size);
    }
    if (size != 4) {
        log_mask_printf(LOG_GUEST_ERROR, "%s: virtio-mmio register 0x%" PRIx64 " read with "
                        "size %u\n", vdev->name, addr, size);
        return 0;
    }
    switch (addr) {
    case VIRTIO_MMIO_MAGIC_VALUE:
        return VIRTIO_MMIO_MAGIC;
    case VIRTIO_MMIO_VERSION_REG:
        return VIRTIO_MMIO_VERSION;
    case VIRTIO_MMIO_DEVICE_ID:
        return vdev->device_id;
    case VIRTIO_MMIO_VENDOR_ID:
        return VIRTIO_MMIO_VENDOR;
    case VIRTIO_MMIO_DEVICE_FEATURES:
        return virtio_get_device_features_word(vdev, vdev->device_features_sel);
    case VIRTIO_MMIO_QUEUE_NUM_MAX:
        return virtio_queue_get_num_max(vdev, sel);
    case VIRTIO_MMIO_QUEUE_READY:
        return virtio_queue_get_ready(vdev, sel);
    case VIRTIO_MMIO_INTERRUPT_STATUS:
        return vdev->isr;
    case VIRTIO_MMIO_STATUS:
        return vdev->status;
    case VIRTIO_MMIO_QUEUE_DESC_LOW:
    case VIRTIO_MMIO_QUEUE_DESC_HIGH:
    case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
    case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
    case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
    case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
        return virtio_queue_get_addr(vdev, sel, (addr - VIRTIO_MMIO_QUEUE_DESC_LOW) / 0x10) >>
               (addr & 4 ? 32 : 0);
    case VIRTIO_MMIO_SHM_LEN_LOW:
    case VIRTIO_MMIO_SHM_LEN_HIGH:
    case VIRTIO_MMIO_SHM_BASE_LOW:
    case VIRTIO_MMIO_SHM_BASE_HIGH:
        return UINT32_MAX;      /* no shared memory regions */
    case VIRTIO_MMIO_CONFIG_GENERATION:
        return vdev->generation;
    default:
        log_mask_printf(LOG_GUEST_ERROR, "%s: read of virtio-mmio register 0x%" PRIx64
                        ", which is write-only or reserved\n", vdev->name, addr);
        return 0;
    }
}

/* Replaces the low or high half (by bit 2 of the register offset) of a queue address. */
static void virtio_mmio_set_addr_half(VirtIODevice *vdev, uint64_t addr, uint32_t val)
{
    VirtQueueArea area = (addr - VIRTIO_MMIO_QUEUE_DESC_LOW) / 0x10;
    unsigned shift = addr & 4 ? 32 : 0;
    uint64_t cur = virtio_queue_get_addr(vdev, vdev->queue_sel, area);

    cur = (cur & ~(0xffffffffULL << shift)) | ((uint64_t)val << shift);
    virtio_queue_set_addr(vdev, vdev->queue_sel, area, cur);
}

static void virtio_mmio_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    VirtIOMMIOProxy *proxy = opaque;
    VirtIODevice *vdev = proxy->vdev;

    if (addr >= VIRTIO_MMIO_CONFIG) {
        virtio_config_write(vdev, addr - VIRTIO_MMIO_CONFIG, val, size);
        return;
    }
    if (size != 4) {
        log_mask_printf(LOG_GUEST_ERROR, "%s: virtio-mmio register 0x%" PRIx64 " written with "
                        "size %u\n", vdev->name, addr, size);
        return;
    }
    switch (addr) {
    case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
        vdev->device_features_sel = val;
        break;
    case VIRTIO_MMIO_DRIVER_FEATURES:
        virtio_set_driver_features_word(vdev, vdev->driver_features_sel, val);
        break;
    case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
        vdev->driver_features_sel = val;
        break;
    case VIRTIO_MMIO_QUEUE_SEL:
        vdev->queue_sel = MIN(val, (uint64_t)UINT16_MAX);
        break;
    case VIRTIO_MMIO_QUEUE_NUM:
        virtio_queue_set_num(vdev, vdev->queue_sel, MIN(val, (uint64_t)UINT16_MAX));
        break;
    case VIRTIO_MMIO_QUEUE_READY:
        virtio_queue_set_ready(vdev, vdev->queue_sel, val & 1);
        break;
    case VIRTIO_MMIO_QUEUE_NOTIFY:
        virtio_queue_notify(vdev, val & 0xffff);
        break;
    case VIRTIO_MMIO_INTERRUPT_ACK:
        vdev->isr &= ~val;
        virtio_mmio_update_irq(proxy);
        break;
    case VIRTIO_MMIO_STATUS:
        virtio_set_status(vdev, val & 0xff);
        break;
    case VIRTIO_MMIO_QUEUE_DESC_LOW:
    case VIRTIO_MMIO_QUEUE_DESC_HIGH:
    case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
    case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
    case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
    case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
        virtio_mmio_set_addr_half(vdev, addr, val);
        break;
    case VIRTIO_MMIO_SHM_SEL:
        break;                  /* every region reads as absent */
    default:
        log_mask_printf(LOG_GUEST_ERROR, "%s: write of 0x%" PRIx64 " to virtio-mmio register "
                        "0x%" PRIx64 ", which is read-only or reserved\n", vdev->name, val,
                        addr);
        break;
    }
}

static const MemoryRegionOps virtio_mmio_ops = {
    .read = virtio_mmio_read,
    .write = virtio_mmio_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

void virtio_mmio_set_slot_claim(VirtioMmioSlotClaim claim)
{
    virtio_mmio_slot_claim = claim;
}

void virtio_mmio_attach(VirtIODevice *vdev, uint64_t base, qemu_irq irq)
{
    VirtIOMMIOProxy *proxy = g_new0(VirtIOMMIOProxy, 1);

    proxy->vdev = vdev;
    proxy->irq = irq;
    memory_region_init_io(&proxy->iomem, &virtio_mmio_ops, proxy, "virtio-mmio",
                          VIRTIO_MMIO_WINDOW_SIZE);
    memory_region_add_subregion(get_system_memory(), base, &proxy->iomem);
    virtio_device_set_transport(vdev, &virtio_mmio_bus_ops, proxy);
}

bool virtio_mmio_plug(VirtIODevice *vdev, GError **errp)
{
    uint64_t base;
    qemu_irq irq;

    if (!virtio_mmio_slot_claim || !current_machine) {
        error_setg(errp, "%s: this machine has no virtio-mmio slots", vdev->name);
        return false;
    }
    if (!virtio_mmio_slot_claim(current_machine, &base, &irq, errp)) {
        return false;
    }
    virtio_mmio_attach(vdev, base, irq);
    return true;
}
