/*
 * virtio-rng (virtio 1.2, 5.4): "-device virtio-rng-device". One request
 * queue; every device-writable buffer the driver offers is filled with bytes
 * from the host's getrandom(2) (non-blocking urandom pool) and returned at
 * once. No config space and no features of its own.
 */
#include "util/osdep.h"

#include <sys/random.h>

#include "hw/virtio/virtio.h"

#define TYPE_VIRTIO_RNG     "virtio-rng-device"
#define VIRTIO_RNG_QSIZE    64

/* Fills IOV with random bytes; returns how many were written. */
static size_t virtio_rng_fill(const struct iovec *iov, unsigned cnt)
{
    size_t done = 0;

    for (unsigned i = 0; i < cnt; i++) {
        uint8_t *p = iov[i].iov_base;
        size_t left = iov[i].iov_len;

        while (left) {
            ssize_t n = getrandom(p, left, 0);

            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }
                return done;
            }
            p += n;
            left -= n;
            done += n;
        }
    }
    return done;
}

static void virtio_rng_handle_request(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtQueueElement *elem;
    bool pushed = false;

    while ((elem = virtqueue_pop(vq, sizeof(*elem)))) {
        virtqueue_push(vq, elem, virtio_rng_fill(elem->in_sg, elem->in_num));
        virtqueue_element_free(elem);
        pushed = true;
    }
    if (pushed) {
        virtio_notify(vdev, vq);
    }
}

static bool virtio_rng_realize(VirtIODevice *vdev, GError **errp)
{
    virtio_init(vdev, VIRTIO_ID_RNG, 0);
    virtio_add_queue(vdev, VIRTIO_RNG_QSIZE, virtio_rng_handle_request);
    return true;
}

static const VirtioDeviceClass virtio_rng_class = {
    .realize = virtio_rng_realize,
};

static void virtio_rng_instance_init(DeviceState *dev)
{
    VIRTIO_DEVICE(dev)->vdc = &virtio_rng_class;
}

static const TypeInfo virtio_rng_info = {
    .name = TYPE_VIRTIO_RNG,
    .parent = TYPE_VIRTIO_DEVICE,
    .desc = "virtio entropy source (host getrandom)",
    .user_creatable = true,
    .instance_init = virtio_rng_instance_init,
};

static void virtio_rng_register_types(void)
{
    type_register(&virtio_rng_info);
}
type_init(virtio_rng_register_types)
