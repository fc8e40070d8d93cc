/*
 * The virtio-mmio transport, version 2 (virtio 1.2, 4.2): a 0x200-byte
 * register window per device, config space from offset 0x100, one level
 * interrupt line driven by InterruptStatus.
 *
 * A board that has virtio-mmio slots registers its slot allocator with
 * virtio_mmio_set_slot_claim(); a virtio device realized without another
 * transport then takes the next slot (virtio_mmio_plug()).
 */
#ifndef HW_VIRTIO_VIRTIO_MMIO_H
#define HW_VIRTIO_VIRTIO_MMIO_H

#include "util/osdep.h"
#include "hw/boards.h"
#include "hw/irq.h"
#include "hw/virtio/virtio.h"

#define VIRTIO_MMIO_MAGIC           0x74726976  /* "virt" */
#define VIRTIO_MMIO_VERSION         2
#define VIRTIO_MMIO_VENDOR          0x554d4551  /* "QEMU", as Linux guests know it */
#define VIRTIO_MMIO_WINDOW_SIZE     0x200

/* Register offsets. */
#define VIRTIO_MMIO_MAGIC_VALUE         0x000
#define VIRTIO_MMIO_VERSION_REG         0x004
#define VIRTIO_MMIO_DEVICE_ID           0x008
#define VIRTIO_MMIO_VENDOR_ID           0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES     0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES     0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL           0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX       0x034
#define VIRTIO_MMIO_QUEUE_NUM           0x038
#define VIRTIO_MMIO_QUEUE_READY         0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY        0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS    0x060
#define VIRTIO_MMIO_INTERRUPT_ACK       0x064
#define VIRTIO_MMIO_STATUS              0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW      0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH     0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW    0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH   0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW    0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH   0x0a4
#define VIRTIO_MMIO_SHM_SEL             0x0ac
#define VIRTIO_MMIO_SHM_LEN_LOW         0x0b0
#define VIRTIO_MMIO_SHM_LEN_HIGH        0x0b4
#define VIRTIO_MMIO_SHM_BASE_LOW        0x0b8
#define VIRTIO_MMIO_SHM_BASE_HIGH       0x0bc
#define VIRTIO_MMIO_CONFIG_GENERATION   0x0fc
#define VIRTIO_MMIO_CONFIG              0x100

/* A board's slot allocator: the MMIO base and interrupt line of a free slot. */
typedef bool (*VirtioMmioSlotClaim)(MachineState *ms, uint64_t *base, qemu_irq *irq,
                                    GError **errp);
void virtio_mmio_set_slot_claim(VirtioMmioSlotClaim claim);

/*
 * Makes VDEV reachable through a virtio-mmio window at BASE raising IRQ, in
 * the system address space. VDEV owns the transport from then on.
 */
void virtio_mmio_attach(VirtIODevice *vdev, uint64_t base, qemu_irq irq);
/* Claims a board slot (see above) and attaches VDEV there. */
bool virtio_mmio_plug(VirtIODevice *vdev, GError **errp);

#endif
