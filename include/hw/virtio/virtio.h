/*
 * The virtio core (virtio 1.2), independent of the transport: a VirtIODevice
 * with its feature bits, device status, config space and split virtqueues.
 *
 * How the pieces fit:
 *
 * - A device type (virtio-blk-device, virtio-rng-device, ...) is a qdev type
 *   whose parent is TYPE_VIRTIO_DEVICE. Its struct embeds VirtIODevice first:
 *       typedef struct VirtIOBlock { VirtIODevice parent_obj; ... } VirtIOBlock;
 *   Its instance_init points vdev->vdc at its VirtioDeviceClass; the class's
 *   realize calls virtio_init() and virtio_add_queue(). The common realize
 *   (of TYPE_VIRTIO_DEVICE) runs the class realize, then, if no transport was
 *   bound before, plugs the device into a virtio-mmio slot of the board
 *   (so "-device virtio-blk-device,drive=d0" works on microvm).
 *
 * - A transport (virtio-mmio, virtio-pci) owns the guest-visible registers.
 *   A wrapping transport (virtio-blk-pci) creates the device with qdev_new(),
 *   sets its properties (qdev_prop_parse), calls virtio_device_set_transport()
 *   and then qdev_realize(). It forwards register accesses to the helpers
 *   below (features words, status, queue setup, config space, notify) and
 *   delivers interrupts when the core calls VirtioBusOps.notify.
 *
 * - Devices take requests with virtqueue_pop(), which returns an element whose
 *   in/out iovecs point at guest memory (direct host pointers for RAM, bounce
 *   buffers for anything else), complete them with virtqueue_push() (or
 *   fill + flush for batches) and raise the interrupt with virtio_notify(),
 *   which honours VIRTIO_RING_F_EVENT_IDX and VIRTQ_AVAIL_F_NO_INTERRUPT.
 *
 * - Every guest-supplied address, length and index is checked. A malformed
 *   ring (descriptor loop, index out of range, nested or empty indirect
 *   table, length overflow, chain longer than the queue, avail index jumping
 *   by more than the queue size, ring memory that is not mapped) is a guest
 *   error: virtio_error() logs it (-d guest_errors), sets DEVICE_NEEDS_RESET,
 *   sends a config-change interrupt and stops the device until reset.
 *
 * All of it runs with the BQL held (vCPU exits and main-loop completions).
 */
#ifndef HW_VIRTIO_VIRTIO_H
#define HW_VIRTIO_VIRTIO_H

#include "util/osdep.h"
#include <sys/uio.h>
#include "exec/memory.h"
#include "hw/qdev.h"

#define TYPE_VIRTIO_DEVICE "virtio-device"

/* Device ids (virtio 1.2, 5). */
#define VIRTIO_ID_NET           1
#define VIRTIO_ID_BLOCK         2
#define VIRTIO_ID_CONSOLE       3
#define VIRTIO_ID_RNG           4
#define VIRTIO_ID_BALLOON       5

/* Device status bits (2.1). */
#define VIRTIO_CONFIG_S_ACKNOWLEDGE     1
#define VIRTIO_CONFIG_S_DRIVER          2
#define VIRTIO_CONFIG_S_DRIVER_OK       4
#define VIRTIO_CONFIG_S_FEATURES_OK     8
#define VIRTIO_CONFIG_S_NEEDS_RESET     0x40
#define VIRTIO_CONFIG_S_FAILED          0x80

/* Transport-independent feature bits (6). */
#define VIRTIO_RING_F_INDIRECT_DESC     28
#define VIRTIO_RING_F_EVENT_IDX         29
#define VIRTIO_F_VERSION_1              32
#define VIRTIO_F_ACCESS_PLATFORM        33
#define VIRTIO_F_RING_PACKED            34
#define VIRTIO_F_IN_ORDER               35

/* Interrupt status bits (ISR / InterruptStatus). */
#define VIRTIO_ISR_QUEUE                1
#define VIRTIO_ISR_CONFIG               2

/* Split ring layout (2.7). */
#define VIRTQ_DESC_F_NEXT               1
#define VIRTQ_DESC_F_WRITE              2
#define VIRTQ_DESC_F_INDIRECT           4
#define VIRTQ_AVAIL_F_NO_INTERRUPT      1
#define VIRTQ_USED_F_NO_NOTIFY          1

#define VIRTIO_QUEUE_MAX_SIZE           1024    /* largest num_max a device may ask */
#define VIRTIO_QUEUES_MAX               64      /* queues per device */
#define VIRTIO_CONFIG_MAX               256     /* bytes of device config space */
#define VIRTIO_NO_VECTOR                0xffff  /* MSI-X: no vector assigned */

typedef struct VirtIODevice VirtIODevice;
typedef struct VirtQueue VirtQueue;

/* Called when the driver notifies (kicks) queue VQ. */
typedef void (*VirtQueueHandler)(VirtIODevice *vdev, VirtQueue *vq);

/*
 * One popped request: the descriptor chain starting at INDEX, as iovecs.
 * out_sg: device-readable (driver -> device), in_sg: device-writable.
 * A device usually embeds it as the first member of its request struct and
 * passes sizeof(that struct) to virtqueue_pop(). Free with
 * virtqueue_element_free() after virtqueue_push()/fill() (or on a reset).
 */
typedef struct VirtQueueElement {
    unsigned index;
    unsigned out_num, in_num;
    struct iovec *out_sg, *in_sg;
    size_t out_len, in_len;     /* byte totals of out_sg / in_sg */
    /* Guest address of each in_sg segment that is a bounce buffer, else UINT64_MAX. */
    uint64_t *in_bounce;
    /* Set for each out_sg segment that is a bounce buffer (to free it). */
    bool *out_bounce;
} VirtQueueElement;

/*
 * What a transport provides. OPAQUE is what it passed to
 * virtio_device_set_transport().
 */
typedef struct VirtioBusOps {
    /*
     * Deliver an interrupt: VECTOR is the queue's (virtio_queue_get_vector)
     * or the config vector. vdev->isr already has the cause bit set; a
     * transport without per-vector interrupts updates its line from vdev->isr.
     */
    void (*notify)(void *opaque, uint16_t vector);
    /* The device status changed (after the core processed it); optional. */
    void (*status_changed)(void *opaque, uint8_t status);
    /* Address space for DMA; NULL (or no hook) means address_space_memory. */
    AddressSpace *(*get_dma_as)(void *opaque);
} VirtioBusOps;

/*
 * Device-specific behaviour: one static instance per device type. Its
 * migratable state is the TypeInfo's vmsd, which embeds the core's with
 * VMSTATE_STRUCT(parent_obj, MyDevice, vmstate_virtio_device, VirtIODevice);
 * a device with nothing of its own inherits vmstate_virtio_device itself.
 */
typedef struct VirtioDeviceClass {
    /* Set up config space, features and queues (virtio_init, virtio_add_queue). */
    bool (*realize)(VirtIODevice *vdev, GError **errp);
    void (*unrealize)(VirtIODevice *vdev);
    /* Device reset (driver wrote status 0, or machine reset), after the core's. */
    void (*reset)(VirtIODevice *vdev);
    /* Refresh vdev->config before the driver reads it; optional. */
    void (*get_config)(VirtIODevice *vdev, uint8_t *config);
    /* The driver wrote config space (vdev->config already updated); optional. */
    void (*set_config)(VirtIODevice *vdev, const uint8_t *config);
    /* The driver set FEATURES_OK with FEATURES (already validated); optional. */
    void (*set_features)(VirtIODevice *vdev, uint64_t features);
    /* The status changed (DRIVER_OK set etc.), after the core; optional. */
    void (*set_status)(VirtIODevice *vdev, uint8_t status);
} VirtioDeviceClass;

struct VirtQueue {
    VirtIODevice *vdev;
    uint16_t queue_index;
    uint16_t num_max;           /* 0: queue does not exist */
    uint16_t num;               /* size chosen by the driver */
    bool ready;
    uint64_t desc, avail, used; /* guest addresses of the three areas */
    uint16_t vector;            /* MSI-X vector (virtio-pci) */
    uint16_t last_avail_idx;    /* next avail ring slot to consume */
    uint16_t used_idx;          /* next used ring slot to fill */
    uint16_t signalled_used;    /* used idx at the last interrupt */
    bool signalled_used_valid;
    uint16_t inuse;             /* popped, not yet pushed */
    VirtQueueHandler handle_output;
};

struct VirtIODevice {
    DeviceState parent_obj;
    const VirtioDeviceClass *vdc;
    const char *name;           /* for messages: the type name */
    uint16_t device_id;
    uint8_t status;
    uint8_t isr;
    bool broken;                /* after virtio_error(), until reset */
    uint64_t host_features;     /* offered (device features) */
    uint64_t guest_features;    /* accepted by the driver */
    /* Transport register selectors (same meaning on MMIO and PCI). */
    uint32_t device_features_sel;
    uint32_t driver_features_sel;
    uint16_t queue_sel;
    uint16_t config_vector;     /* MSI-X vector for config changes */
    uint32_t generation;        /* config generation */
    uint32_t config_len;
    uint8_t config[VIRTIO_CONFIG_MAX];
    VirtQueue vq[VIRTIO_QUEUES_MAX];
    /* Transport. */
    const VirtioBusOps *bus_ops;
    void *bus_opaque;
    AddressSpace *dma_as;
};

/* Cast from a DeviceState (that is a TYPE_VIRTIO_DEVICE). */
#define VIRTIO_DEVICE(dev) ((VirtIODevice *)(dev))

static inline bool virtio_has_feature(uint64_t features, unsigned bit)
{
    return (features >> bit) & 1;
}
static inline bool virtio_vdev_has_feature(const VirtIODevice *vdev, unsigned bit)
{
    return virtio_has_feature(vdev->guest_features, bit);
}

/*
 * The used-event test of 2.7.10: with event index EVENT_IDX, moving the
 * index from OLD_IDX to NEW_IDX crossed it (all arithmetic mod 2^16).
 */
static inline bool virtqueue_need_event(uint16_t event_idx, uint16_t new_idx, uint16_t old_idx)
{
    return (uint16_t)(new_idx - event_idx - 1) < (uint16_t)(new_idx - old_idx);
}

/* ---- for device implementations ---- */

/*
 * Sets the device id and config size (<= VIRTIO_CONFIG_MAX) and offers the
 * core features (VERSION_1, INDIRECT_DESC, EVENT_IDX); the device ORs its
 * own bits into vdev->host_features afterwards.
 */
void virtio_init(VirtIODevice *vdev, uint16_t device_id, size_t config_len);
/* Adds the next queue with at most NUM_MAX (power of 2, <= VIRTIO_QUEUE_MAX_SIZE) entries. */
VirtQueue *virtio_add_queue(VirtIODevice *vdev, unsigned num_max, VirtQueueHandler handler);
unsigned virtio_get_num_queues(const VirtIODevice *vdev);
VirtQueue *virtio_get_queue(VirtIODevice *vdev, unsigned n);

/*
 * The next available chain as a freshly allocated struct of SZ bytes
 * (>= sizeof(VirtQueueElement)) starting with the element, or NULL when the
 * queue is empty, not ready, the device is not DRIVER_OK or broken, or the
 * chain is malformed (then virtio_error() has been called).
 */
void *virtqueue_pop(VirtQueue *vq, size_t sz);
/*
 * Puts ELEM in used ring slot IDX positions after the current one, with LEN
 * bytes written by the device (in_sg bounce buffers are copied back to the
 * guest, up to LEN bytes). virtqueue_flush(vq, COUNT) then publishes COUNT
 * filled entries. virtqueue_push() is fill(idx 0) + flush(1).
 */
void virtqueue_fill(VirtQueue *vq, const VirtQueueElement *elem, size_t len, unsigned idx);
void virtqueue_flush(VirtQueue *vq, unsigned count);
void virtqueue_push(VirtQueue *vq, const VirtQueueElement *elem, size_t len);
/* Frees an element from virtqueue_pop() (and its bounce buffers). */
void virtqueue_element_free(void *elem);
/* True when the driver has made no buffer available that was not popped yet. */
bool virtqueue_empty(VirtQueue *vq);
/* Interrupts the driver for VQ unless the driver suppressed it (EVENT_IDX / NO_INTERRUPT). */
void virtio_notify(VirtIODevice *vdev, VirtQueue *vq);
/* Config space changed: bumps the generation and sends a config interrupt. */
void virtio_notify_config(VirtIODevice *vdev);
/*
 * The driver broke the rules in a way that needs a reset: logs a guest
 * error, sets DEVICE_NEEDS_RESET, sends a config interrupt (when DRIVER_OK)
 * and ignores the queues until the next reset.
 */
void virtio_error(VirtIODevice *vdev, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Copy between a linear buffer and an iovec from byte OFFSET; return bytes copied. */
size_t virtio_iov_to_buf(const struct iovec *iov, unsigned cnt, size_t offset, void *buf,
                         size_t len);
size_t virtio_iov_from_buf(const struct iovec *iov, unsigned cnt, size_t offset,
                           const void *buf, size_t len);

/*
 * The migratable core state. Elements popped but not pushed are not saved:
 * on load the avail index is rewound so the driver's requests run again.
 */
extern const VMStateDescription vmstate_virtio_device;

/* ---- for transports ---- */

/* Binds the transport before qdev_realize() (otherwise the device plugs into virtio-mmio). */
void virtio_device_set_transport(VirtIODevice *vdev, const VirtioBusOps *ops, void *opaque);

/* Feature words: SEL 0 is bits 0-31, 1 is bits 32-63, others read 0. */
uint32_t virtio_get_device_features_word(const VirtIODevice *vdev, uint32_t sel);
uint32_t virtio_get_driver_features_word(const VirtIODevice *vdev, uint32_t sel);
/* Ignored (guest error) once FEATURES_OK is set. */
void virtio_set_driver_features_word(VirtIODevice *vdev, uint32_t sel, uint32_t val);

/*
 * The driver wrote the status register. 0 resets the device. Setting
 * FEATURES_OK with features the device did not offer or without VERSION_1
 * leaves FEATURES_OK clear (the driver reads it back). Setting DRIVER_OK runs
 * the handlers of the ready queues, for buffers made available before.
 */
void virtio_set_status(VirtIODevice *vdev, uint8_t val);
/*
 * Full device reset: first the device's own (it completes or drops its
 * requests in flight), then the core's: status, features, queues, ISR.
 */
void virtio_reset(VirtIODevice *vdev);

/* Queue setup registers; N out of range reads 0 / is ignored. */
uint16_t virtio_queue_get_num_max(const VirtIODevice *vdev, unsigned n);
uint16_t virtio_queue_get_num(const VirtIODevice *vdev, unsigned n);
void virtio_queue_set_num(VirtIODevice *vdev, unsigned n, uint16_t num);
typedef enum VirtQueueArea {
    VIRTQ_AREA_DESC,    /* descriptor table */
    VIRTQ_AREA_DRIVER,  /* available ring */
    VIRTQ_AREA_DEVICE,  /* used ring */
} VirtQueueArea;
uint64_t virtio_queue_get_addr(const VirtIODevice *vdev, unsigned n, VirtQueueArea area);
void virtio_queue_set_addr(VirtIODevice *vdev, unsigned n, VirtQueueArea area, uint64_t addr);
bool virtio_queue_get_ready(const VirtIODevice *vdev, unsigned n);
/*
 * Enabling checks the size (a power of 2 up to num_max) and the alignment of
 * the three areas; a bad setup is a guest error and the queue stays off.
 */
void virtio_queue_set_ready(VirtIODevice *vdev, unsigned n, bool ready);
uint16_t virtio_queue_get_vector(const VirtIODevice *vdev, unsigned n);
void virtio_queue_set_vector(VirtIODevice *vdev, unsigned n, uint16_t vector);
/* The driver kicked queue N: runs its handler (if the device is live). */
void virtio_queue_notify(VirtIODevice *vdev, unsigned n);

/* Device config space access, little-endian, SIZE 1, 2, 4 or 8; out of range reads 0. */
uint64_t virtio_config_read(VirtIODevice *vdev, uint32_t addr, unsigned size);
void virtio_config_write(VirtIODevice *vdev, uint32_t addr, uint64_t val, unsigned size);

#endif
