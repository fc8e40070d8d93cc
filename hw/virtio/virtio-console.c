/*
 * virtio-console (virtio 1.2, 5.3) with one port and no multiport feature:
 * "-device virtio-console-device,chardev=ID" (QEMU spells the same thing
 * "virtio-serial-device" plus "virtconsole"; Kestrel has the single-port
 * console only). Linux shows it as hvc0. Port 0's transmit queue is written
 * to the chardev as buffers arrive; input from the chardev fills the receive
 * queue's buffers, and the chardev is told to hold back (can_read returns 0)
 * while the driver has no receive buffer posted, so nothing is dropped.
 */
#include "util/osdep.h"

#include "chardev/char.h"
#include "hw/virtio/virtio.h"

#define TYPE_VIRTIO_CONSOLE     "virtio-console-device"
#define VIRTIO_CONSOLE_QSIZE    128
#define VIRTIO_CONSOLE_RXQ      0
#define VIRTIO_CONSOLE_TXQ      1
#define VIRTIO_CONSOLE_CFG_SIZE 12  /* cols, rows, max_nr_ports, emerg_wr: all unused */

typedef struct VirtIOConsole {
    VirtIODevice parent_obj;
    Chardev *chr;
    /* A receive buffer taken from the ring, waiting for input. */
    VirtQueueElement *rx_elem;
} VirtIOConsole;

/* The receive buffer to fill next (popping one if needed), or NULL. */
static VirtQueueElement *virtio_console_rx_buffer(VirtIOConsole *s)
{
    VirtIODevice *vdev = &s->parent_obj;
    VirtQueue *vq = virtio_get_queue(vdev, VIRTIO_CONSOLE_RXQ);

    while (!s->rx_elem) {
        s->rx_elem = virtqueue_pop(vq, sizeof(VirtQueueElement));
        if (!s->rx_elem) {
            return NULL;
        }
        if (!s->rx_elem->in_len) {
            /* Nothing to write into: hand it back empty. */
            virtqueue_push(vq, s->rx_elem, 0);
            virtqueue_element_free(s->rx_elem);
            s->rx_elem = NULL;
            virtio_notify(vdev, vq);
        }
    }
    return s->rx_elem;
}

static int virtio_console_can_read(void *opaque)
{
    VirtQueueElement *elem = virtio_console_rx_buffer(opaque);

    return elem ? (int)MIN(elem->in_len, (size_t)INT_MAX) : 0;
}

static void virtio_console_read(void *opaque, const uint8_t *buf, int len)
{
    VirtIOConsole *s = opaque;
    VirtIODevice *vdev = &s->parent_obj;
    VirtQueue *vq = virtio_get_queue(vdev, VIRTIO_CONSOLE_RXQ);

    while (len > 0) {
        VirtQueueElement *elem = virtio_console_rx_buffer(s);
        size_t n;

        if (!elem) {
            /* More than can_read allowed (or the driver went away): the rest is lost. */
            return;
        }
        n = virtio_iov_from_buf(elem->in_sg, elem->in_num, 0, buf, len);
        virtqueue_push(vq, elem, n);
        virtqueue_element_free(elem);
        s->rx_elem = NULL;
        buf += n;
        len -= n;
    }
    virtio_notify(vdev, vq);
}

static const ChardevFrontend virtio_console_frontend = {
    .can_read = virtio_console_can_read,
    .read = virtio_console_read,
};

/* The driver posted receive buffers: the chardev may deliver again. */
static void virtio_console_handle_rx(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIOConsole *s = (VirtIOConsole *)vdev;

    if (s->chr) {
        chardev_accept_input(s->chr);
    }
}

static void virtio_console_handle_tx(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIOConsole *s = (VirtIOConsole *)vdev;
    VirtQueueElement *elem;
    bool pushed = false;

    while ((elem = virtqueue_pop(vq, sizeof(*elem)))) {
        for (unsigned i = 0; i < elem->out_num && s->chr; i++) {
            chardev_write(s->chr, elem->out_sg[i].iov_base, elem->out_sg[i].iov_len);
        }
        virtqueue_push(vq, elem, 0);
        virtqueue_element_free(elem);
        pushed = true;
    }
    if (pushed) {
        virtio_notify(vdev, vq);
    }
}

static bool virtio_console_realize(VirtIODevice *vdev, GError **errp)
{
    VirtIOConsole *s = (VirtIOConsole *)vdev;

    if (s->chr && chardev_has_frontend(s->chr)) {
        error_setg(errp, "%s: chardev '%s' is already in use", vdev->name,
                   chardev_id(s->chr));
        return false;
    }
    virtio_init(vdev, VIRTIO_ID_CONSOLE, VIRTIO_CONSOLE_CFG_SIZE);
    virtio_add_queue(vdev, VIRTIO_CONSOLE_QSIZE, virtio_console_handle_rx);
    virtio_add_queue(vdev, VIRTIO_CONSOLE_QSIZE, virtio_console_handle_tx);
    if (s->chr) {
        chardev_set_frontend(s->chr, &virtio_console_frontend, s);
    }
    return true;
}

static void virtio_console_unrealize(VirtIODevice *vdev)
{
    VirtIOConsole *s = (VirtIOConsole *)vdev;

    if (s->chr) {
        chardev_set_frontend(s->chr, NULL, s);
    }
    virtqueue_element_free(s->rx_elem);
    s->rx_elem = NULL;
}

/* A buffer held for input is dropped: the rings it came from are gone. */
static void virtio_console_reset(VirtIODevice *vdev)
{
    VirtIOConsole *s = (VirtIOConsole *)vdev;

    virtqueue_element_free(s->rx_elem);
    s->rx_elem = NULL;
}

static const VirtioDeviceClass virtio_console_class = {
    .realize = virtio_console_realize,
    .unrealize = virtio_console_unrealize,
    .reset = virtio_console_reset,
};

static void virtio_console_instance_init(DeviceState *dev)
{
    VIRTIO_DEVICE(dev)->vdc = &virtio_console_class;
}

static const Property virtio_console_props[] = {
    DEFINE_PROP_CHR("chardev", VirtIOConsole, chr),
    DEFINE_PROP_END_OF_LIST(),
};

static const VMStateField vmstate_virtio_console_fields[] = {
    VMSTATE_STRUCT(parent_obj, VirtIOConsole, vmstate_virtio_device, VirtIODevice),
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription vmstate_virtio_console = {
    .name = "virtio-console",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = vmstate_virtio_console_fields,
};

static const TypeInfo virtio_console_info = {
    .name = TYPE_VIRTIO_CONSOLE,
    .parent = TYPE_VIRTIO_DEVICE,
    .instance_size = sizeof(VirtIOConsole),
    .desc = "virtio console, one port (hvc0) on a chardev",
    .user_creatable = true,
    .props = virtio_console_props,
    .instance_init = virtio_console_instance_init,
    .vmsd = &vmstate_virtio_console,
};

static void virtio_console_register_types(void)
{
    type_register(&virtio_console_info);
}
type_init(virtio_console_register_types)
