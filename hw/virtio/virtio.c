/*
 * The virtio core: feature negotiation, device status and reset, config
 * space, and split virtqueues (virtio 1.2, 2.7) with indirect descriptors and
 * EVENT_IDX. Rings live in guest memory and are read and written only through
 * the bounds-checked address-space helpers; buffers become iovecs of direct
 * host pointers where the guest address is RAM and bounce buffers elsewhere.
 * Anything malformed a driver puts in a ring ends in virtio_error(): the
 * device sets DEVICE_NEEDS_RESET, tells the driver with a config interrupt
 * and ignores its queues until reset. Also the abstract qdev type every virtio
 * device derives from, with the common realize, reset and migratable state.
 */
#include "util/osdep.h"

#include "hw/virtio/virtio.h"
#include "hw/virtio/virtio-mmio.h"
#include "util/log.h"

#define VRING_DESC_SIZE         16
#define VRING_USED_ELEM_SIZE    8
/* Longest chain (direct or indirect) and most iovec segments of one element. */
#define VIRTQUEUE_MAX_CHAIN     VIRTIO_QUEUE_MAX_SIZE
#define VIRTQUEUE_MAX_SEGS      (2 * VIRTIO_QUEUE_MAX_SIZE)
/* Most bytes of one element that may need bounce buffers (not RAM). */
#define VIRTQUEUE_MAX_BOUNCE    (1 * MiB)

typedef struct VRingDesc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
} VRingDesc;

/* An element under construction. */
typedef struct ElemBuilder {
    struct iovec *iov;      /* out segments first, then in */
    uint64_t *bounce;       /* guest address of a bounce segment, UINT64_MAX for RAM */
    unsigned num, cap;
    unsigned out_num;
    size_t out_len, in_len;
    size_t bounce_len;
} ElemBuilder;

static inline uint64_t vring_avail_ring(const VirtQueue *vq, unsigned i)
{
    return vq->avail + 4 + 2 * (uint64_t)i;
}

static inline uint64_t vring_used_ring(const VirtQueue *vq, unsigned i)
{
    return vq->used + 4 + VRING_USED_ELEM_SIZE * (uint64_t)i;
}

void virtio_error(VirtIODevice *vdev, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    log_mask_printf(LOG_GUEST_ERROR, "%s: %s (device needs reset)\n", vdev->name, msg);
    if (vdev->broken) {
        return;
    }
    vdev->broken = true;
    vdev->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
    if (vdev->status & VIRTIO_CONFIG_S_DRIVER_OK) {
        virtio_notify_config(vdev);
    }
}

/* Ring accesses: false (after virtio_error) when the ring is not all in memory. */
static bool vring_read(VirtQueue *vq, uint64_t addr, void *buf, size_t len)
{
    if (address_space_read(vq->vdev->dma_as, addr, buf, len) != MEMTX_OK) {
        virtio_error(vq->vdev, "queue %u: ring at 0x%" PRIx64 " is not in guest memory",
                     vq->queue_index, addr);
        return false;
    }
    return true;
}

static bool vring_write(VirtQueue *vq, uint64_t addr, const void *buf, size_t len)
{
    if (address_space_write(vq->vdev->dma_as, addr, buf, len) != MEMTX_OK) {
        virtio_error(vq->vdev, "queue %u: ring at 0x%" PRIx64 " is not in guest memory",
                     vq->queue_index, addr);
        return false;
    }
    return true;
}

static bool vring_read_u16(VirtQueue *vq, uint64_t addr, uint16_t *val)
{
    uint16_t le;

    if (!vring_read(vq, addr, &le, 2)) {
        return false;
    }
    *val = GUINT16_FROM_LE(le);
    return true;
}

static bool vring_write_u16(VirtQueue *vq, uint64_t addr, uint16_t val)
{
    uint16_t le = GUINT16_TO_LE(val);

    return vring_write(vq, addr, &le, 2);
}

static bool vring_read_desc(VirtQueue *vq, uint64_t table, unsigned i, VRingDesc *d)
{
    struct { uint64_t addr; uint32_t len; uint16_t flags, next; } raw;

    G_STATIC_ASSERT(sizeof(raw) == VRING_DESC_SIZE);
    if (address_space_read(vq->vdev->dma_as, table + (uint64_t)i * VRING_DESC_SIZE, &raw,
                           sizeof(raw)) != MEMTX_OK) {
        virtio_error(vq->vdev, "queue %u: descriptor %u of the table at 0x%" PRIx64
                     " is not in guest memory", vq->queue_index, i, table);
        return false;
    }
    d->addr = GUINT64_FROM_LE(raw.addr);
    d->len = GUINT32_FROM_LE(raw.len);
    d->flags = GUINT16_FROM_LE(raw.flags);
    d->next = GUINT16_FROM_LE(raw.next);
    return true;
}

/* A queue the device may use now. */
static bool virtqueue_live(const VirtQueue *vq)
{
    const VirtIODevice *vdev = vq->vdev;

    return vq->ready && vq->num && !vdev->broken &&
           (vdev->status & VIRTIO_CONFIG_S_DRIVER_OK);
}

static bool virtqueue_get_avail_idx(VirtQueue *vq, uint16_t *idx)
{
    if (!vring_read_u16(vq, vq->avail + 2, idx)) {
        return false;
    }
    if ((uint16_t)(*idx - vq->last_avail_idx) > vq->num) {
        virtio_error(vq->vdev, "queue %u: avail index %u is more than the queue size %u "
                     "ahead of %u", vq->queue_index, *idx, vq->num, vq->last_avail_idx);
        return false;
    }
    return true;
}

bool virtqueue_empty(VirtQueue *vq)
{
    uint16_t idx;

    if (!virtqueue_live(vq) || !virtqueue_get_avail_idx(vq, &idx)) {
        return true;
    }
    return idx == vq->last_avail_idx;
}

static void elem_builder_free(ElemBuilder *b)
{
    for (unsigned i = 0; i < b->num; i++) {
        if (b->bounce[i] != UINT64_MAX) {
            g_free(b->iov[i].iov_base);
        }
    }
    g_free(b->iov);
    g_free(b->bounce);
}

static void elem_builder_add(ElemBuilder *b, void *base, size_t len, uint64_t bounce)
{
    if (b->num == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 8;
        b->iov = g_renew(struct iovec, b->iov, b->cap);
        b->bounce = g_renew(uint64_t, b->bounce, b->cap);
    }
    b->iov[b->num] = (struct iovec){ .iov_base = base, .iov_len = len };
    b->bounce[b->num] = bounce;
    b->num++;
}

/*
 * Adds the buffer [ADDR, ADDR+LEN) as one or more segments: a direct pointer
 * for each contiguous RAM piece, a bounce buffer for anything else mapped.
 */
static bool virtqueue_map_buffer(VirtQueue *vq, ElemBuilder *b, uint64_t addr, uint32_t len,
                                 bool is_write)
{
    AddressSpace *as = vq->vdev->dma_as;

    if (addr + len < addr) {
        virtio_error(vq->vdev, "queue %u: buffer at 0x%" PRIx64 " of %u bytes wraps around",
                     vq->queue_index, addr, len);
        return false;
    }
    while (len) {
        uint64_t plen = len;
        void *p = address_space_map(as, addr, &plen, is_write);
        MemoryRegionSection s;

        if (b->num >= VIRTQUEUE_MAX_SEGS) {
            virtio_error(vq->vdev, "queue %u: request has more than %d segments",
                         vq->queue_index, VIRTQUEUE_MAX_SEGS);
            return false;
        }
        if (p) {
            elem_builder_add(b, p, plen, UINT64_MAX);
        } else {
            if (!address_space_lookup(as, addr, &s)) {
                virtio_error(vq->vdev, "queue %u: buffer at unmapped address 0x%" PRIx64,
                             vq->queue_index, addr);
                return false;
            }
            plen = MIN((uint64_t)len, s.size - (addr - s.offset_within_address_space));
            if (b->bounce_len + plen > VIRTQUEUE_MAX_BOUNCE) {
                virtio_error(vq->vdev, "queue %u: more than %llu bytes of buffers outside RAM",
                             vq->queue_index, VIRTQUEUE_MAX_BOUNCE);
                return false;
            }
            p = g_malloc0(plen);
            if (!is_write) {
                address_space_read(as, addr, p, plen);
            }
            b->bounce_len += plen;
            elem_builder_add(b, p, plen, addr);
        }
        addr += plen;
        len -= plen;
    }
    return true;
}

/* Walks the chain from HEAD into B; false (after virtio_error) if it is malformed. */
static bool virtqueue_read_chain(VirtQueue *vq, unsigned head, ElemBuilder *b)
{
    VirtIODevice *vdev = vq->vdev;
    uint64_t table = vq->desc;
    unsigned table_num = vq->num, count = 0, i = head;
    bool indirect = false;
    VRingDesc d;

    if (!vring_read_desc(vq, table, i, &d)) {
        return false;
    }
    if (d.flags & VIRTQ_DESC_F_INDIRECT) {
        if (!virtio_vdev_has_feature(vdev, VIRTIO_RING_F_INDIRECT_DESC)) {
            virtio_error(vdev, "queue %u: indirect descriptor %u without INDIRECT_DESC",
                         vq->queue_index, i);
            return false;
        }
        if (d.flags & VIRTQ_DESC_F_NEXT) {
            virtio_error(vdev, "queue %u: indirect descriptor %u also has NEXT",
                         vq->queue_index, i);
            return false;
        }
        if (d.len == 0 || d.len % VRING_DESC_SIZE ||
            d.len / VRING_DESC_SIZE > VIRTQUEUE_MAX_CHAIN) {
            virtio_error(vdev, "queue %u: indirect table of %u bytes", vq->queue_index, d.len);
            return false;
        }
        table = d.addr;
        table_num = d.len / VRING_DESC_SIZE;
        indirect = true;
        i = 0;
        if (!vring_read_desc(vq, table, i, &d)) {
            return false;
        }
    }
    for (;;) {
        bool is_write = d.flags & VIRTQ_DESC_F_WRITE;

        /* A chain visits each descriptor of its table once: more is a loop. */
        if (++count > table_num) {
            virtio_error(vdev, "queue %u: descriptor chain from %u is longer than its table "
                         "(%u), or loops", vq->queue_index, head, table_num);
            return false;
        }
        if (d.flags & VIRTQ_DESC_F_INDIRECT) {
            virtio_error(vdev, "queue %u: %s descriptor %u", vq->queue_index,
                         indirect ? "indirect table holds an indirect" : "chained indirect", i);
            return false;
        }
        if (!is_write && b->in_len) {
            virtio_error(vdev, "queue %u: device-readable descriptor %u after a writable one",
                         vq->queue_index, i);
            return false;
        }
        if ((uint64_t)b->out_len + b->in_len + d.len > UINT32_MAX) {
            virtio_error(vdev, "queue %u: chain from %u is longer than 4 GiB in total",
                         vq->queue_index, head);
            return false;
        }
        if (!virtqueue_map_buffer(vq, b, d.addr, d.len, is_write)) {
            return false;
        }
        if (is_write) {
            b->in_len += d.len;
        } else {
            b->out_len += d.len;
            b->out_num = b->num;
        }
        if (!(d.flags & VIRTQ_DESC_F_NEXT)) {
            return true;
        }
        i = d.next;
        if (i >= table_num) {
            virtio_error(vdev, "queue %u: next descriptor %u out of range (%u)",
                         vq->queue_index, i, table_num);
            return false;
        }
        if (!vring_read_desc(vq, table, i, &d)) {
            return false;
        }
    }
}

/* One allocation: the caller's struct, then the iovecs and bounce bookkeeping. */
static VirtQueueElement *elem_from_builder(ElemBuilder *b, unsigned head, size_t sz)
{
    size_t hdr = ROUND_UP(sz, sizeof(uint64_t));
    unsigned in_num = b->num - b->out_num;
    size_t total = hdr + b->num * sizeof(struct iovec) + in_num * sizeof(uint64_t) +
                   b->out_num * sizeof(bool);
    uint8_t *mem = g_malloc0(total);
    VirtQueueElement *elem = (VirtQueueElement *)mem;

    elem->index = head;
    elem->out_num = b->out_num;
    elem->in_num = in_num;
    elem->out_sg = (struct iovec *)(mem + hdr);
    elem->in_sg = elem->out_sg + b->out_num;
    elem->in_bounce = (uint64_t *)(elem->in_sg + in_num);
    elem->out_bounce = (bool *)(elem->in_bounce + in_num);
    elem->out_len = b->out_len;
    elem->in_len = b->in_len;
    for (unsigned i = 0; i < b->num; i++) {
        elem->out_sg[i] = b->iov[i];
        if (i < b->out_num) {
            elem->out_bounce[i] = b->bounce[i] != UINT64_MAX;
        } else {
            elem->in_bounce[i - b->out_num] = b->bounce[i];
        }
    }
    g_free(b->iov);
    g_free(b->bounce);
    return elem;
}

void *virtqueue_pop(VirtQueue *vq, size_t sz)
{
    VirtIODevice *vdev = vq->vdev;
    ElemBuilder b = { 0 };
    uint16_t avail_idx, head;

    g_assert(sz >= sizeof(VirtQueueElement));
    if (!virtqueue_live(vq) || !virtqueue_get_avail_idx(vq, &avail_idx)) {
        return NULL;
    }
    if (avail_idx == vq->last_avail_idx) {
        if (!virtio_vdev_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX)) {
            return NULL;
        }
        /* Ask for a kick at the next buffer, then look again: one may have slipped in. */
        if (!vring_write_u16(vq, vring_used_ring(vq, vq->num), vq->last_avail_idx)) {
            return NULL;
        }
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (!virtqueue_get_avail_idx(vq, &avail_idx) || avail_idx == vq->last_avail_idx) {
            return NULL;
        }
    }
    /* The ring entry is read after the index that published it. */
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (!vring_read_u16(vq, vring_avail_ring(vq, vq->last_avail_idx % vq->num), &head)) {
        return NULL;
    }
    if (head >= vq->num) {
        virtio_error(vdev, "queue %u: avail ring names descriptor %u (queue size %u)",
                     vq->queue_index, head, vq->num);
        return NULL;
    }
    if (!virtqueue_read_chain(vq, head, &b)) {
        elem_builder_free(&b);
        return NULL;
    }
    vq->last_avail_idx++;
    vq->inuse++;
    if (virtio_vdev_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX)) {
        vring_write_u16(vq, vring_used_ring(vq, vq->num), vq->last_avail_idx);
    }
    return elem_from_builder(&b, head, sz);
}

void virtqueue_element_free(void *opaque)
{
    VirtQueueElement *elem = opaque;

    if (!elem) {
        return;
    }
    for (unsigned i = 0; i < elem->out_num; i++) {
        if (elem->out_bounce[i]) {
            g_free(elem->out_sg[i].iov_base);
        }
    }
    for (unsigned i = 0; i < elem->in_num; i++) {
        if (elem->in_bounce[i] != UINT64_MAX) {
            g_free(elem->in_sg[i].iov_base);
        }
    }
    g_free(elem);
}

void virtqueue_fill(VirtQueue *vq, const VirtQueueElement *elem, size_t len, unsigned idx)
{
    size_t left = MIN(len, elem->in_len);
    uint32_t used[2];

    /* What the device wrote into bounce buffers goes back to the guest. */
    for (unsigned i = 0; i < elem->in_num && left; i++) {
        size_t n = MIN(left, elem->in_sg[i].iov_len);

        if (elem->in_bounce[i] != UINT64_MAX) {
            address_space_write(vq->vdev->dma_as, elem->in_bounce[i], elem->in_sg[i].iov_base,
                                n);
        }
        left -= n;
    }
    if (!virtqueue_live(vq)) {
        return;
    }
    used[0] = GUINT32_TO_LE(elem->index);
    used[1] = GUINT32_TO_LE((uint32_t)MIN(len, elem->in_len));
    vring_write(vq, vring_used_ring(vq, (uint16_t)(vq->used_idx + idx) % vq->num), used,
                sizeof(used));
}

void virtqueue_flush(VirtQueue *vq, unsigned count)
{
    uint16_t new_idx = vq->used_idx + count;

    vq->inuse -= MIN(count, vq->inuse);
    if (!virtqueue_live(vq)) {
        return;
    }
    /* The entries are visible before the index that publishes them. */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    if (!vring_write_u16(vq, vq->used + 2, new_idx)) {
        return;
    }
    /* signalled_used fell out of the window the 16-bit comparison can tell. */
    if ((uint16_t)(new_idx - vq->signalled_used) < (uint16_t)count) {
        vq->signalled_used_valid = false;
    }
    vq->used_idx = new_idx;
}

void virtqueue_push(VirtQueue *vq, const VirtQueueElement *elem, size_t len)
{
    virtqueue_fill(vq, elem, len, 0);
    virtqueue_flush(vq, 1);
}

static bool virtio_should_notify(VirtIODevice *vdev, VirtQueue *vq)
{
    uint16_t old_idx, event_idx, flags;
    bool valid;

    /* The used index is visible before the driver's suppression is read. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (!virtio_vdev_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX)) {
        return vring_read_u16(vq, vq->avail, &flags) && !(flags & VIRTQ_AVAIL_F_NO_INTERRUPT);
    }
    old_idx = vq->signalled_used;
    valid = vq->signalled_used_valid;
    vq->signalled_used = vq->used_idx;
    vq->signalled_used_valid = true;
    if (!valid) {
        return true;
    }
    if (!vring_read_u16(vq, vring_avail_ring(vq, vq->num), &event_idx)) {
        return false;
    }
    return virtqueue_need_event(event_idx, vq->used_idx, old_idx);
}

static void virtio_raise(VirtIODevice *vdev, uint8_t cause, uint16_t vector)
{
    vdev->isr |= cause;
    if (vdev->bus_ops && vdev->bus_ops->notify) {
        vdev->bus_ops->notify(vdev->bus_opaque, vector);
    }
}

void virtio_notify(VirtIODevice *vdev, VirtQueue *vq)
{
    if (!virtqueue_live(vq) || !virtio_should_notify(vdev, vq)) {
        return;
    }
    virtio_raise(vdev, VIRTIO_ISR_QUEUE, vq->vector);
}

void virtio_notify_config(VirtIODevice *vdev)
{
    vdev->generation++;
    if (vdev->status & VIRTIO_CONFIG_S_DRIVER_OK) {
        virtio_raise(vdev, VIRTIO_ISR_CONFIG, vdev->config_vector);
    }
}

size_t virtio_iov_to_buf(const struct iovec *iov, unsigned cnt, size_t offset, void *buf,
                         size_t len)
{
    size_t done = 0;

    for (unsigned i = 0; i < cnt && done < len; i++) {
        if (offset >= iov[i].iov_len) {
            offset -= iov[i].iov_len;
            continue;
        }
        size_t n = MIN(iov[i].iov_len - offset, len - done);

        memcpy((uint8_t *)buf + done, (uint8_t *)iov[i].iov_base + offset, n);
        done += n;
        offset = 0;
    }
    return done;
}

size_t virtio_iov_from_buf(const struct iovec *iov, unsigned cnt, size_t offset,
                           const void *buf, size_t len)
{
    size_t done = 0;

    for (unsigned i = 0; i < cnt && done < len; i++) {
        if (offset >= iov[i].iov_len) {
            offset -= iov[i].iov_len;
            continue;
        }
        size_t n = MIN(iov[i].iov_len - offset, len - done);

        memcpy((uint8_t *)iov[i].iov_base + offset, (const uint8_t *)buf + done, n);
        done += n;
        offset = 0;
    }
    return done;
}

/* ---- device setup ---- */

void virtio_init(VirtIODevice *vdev, uint16_t device_id, size_t config_len)
{
    g_assert(config_len <= VIRTIO_CONFIG_MAX);
    vdev->device_id = device_id;
    vdev->config_len = config_len;
    vdev->host_features = (1ULL << VIRTIO_F_VERSION_1) |
                          (1ULL << VIRTIO_RING_F_INDIRECT_DESC) |
                          (1ULL << VIRTIO_RING_F_EVENT_IDX);
    vdev->config_vector = VIRTIO_NO_VECTOR;
    for (unsigned i = 0; i < VIRTIO_QUEUES_MAX; i++) {
        vdev->vq[i].vdev = vdev;
        vdev->vq[i].queue_index = i;
        vdev->vq[i].vector = VIRTIO_NO_VECTOR;
    }
}

VirtQueue *virtio_add_queue(VirtIODevice *vdev, unsigned num_max, VirtQueueHandler handler)
{
    unsigned n = virtio_get_num_queues(vdev);
    VirtQueue *vq;

    g_assert(n < VIRTIO_QUEUES_MAX);
    g_assert(num_max && num_max <= VIRTIO_QUEUE_MAX_SIZE && !(num_max & (num_max - 1)));
    vq = &vdev->vq[n];
    vq->num_max = num_max;
    vq->num = num_max;
    vq->handle_output = handler;
    return vq;
}

unsigned virtio_get_num_queues(const VirtIODevice *vdev)
{
    unsigned n = 0;

    while (n < VIRTIO_QUEUES_MAX && vdev->vq[n].num_max) {
        n++;
    }
    return n;
}

VirtQueue *virtio_get_queue(VirtIODevice *vdev, unsigned n)
{
    g_assert(n < VIRTIO_QUEUES_MAX);
    return &vdev->vq[n];
}

void virtio_device_set_transport(VirtIODevice *vdev, const VirtioBusOps *ops, void *opaque)
{
    vdev->bus_ops = ops;
    vdev->bus_opaque = opaque;
}

/* ---- transport side ---- */

uint32_t virtio_get_device_features_word(const VirtIODevice *vdev, uint32_t sel)
{
    return sel < 2 ? (uint32_t)(vdev->host_features >> (32 * sel)) : 0;
}

uint32_t virtio_get_driver_features_word(const VirtIODevice *vdev, uint32_t sel)
{
    return sel < 2 ? (uint32_t)(vdev->guest_features >> (32 * sel)) : 0;
}

void virtio_set_driver_features_word(VirtIODevice *vdev, uint32_t sel, uint32_t val)
{
    uint64_t mask;

    if (vdev->status & VIRTIO_CONFIG_S_FEATURES_OK) {
        log_mask_printf(LOG_GUEST_ERROR, "%s: driver features written after FEATURES_OK\n",
                        vdev->name);
        return;
    }
    if (sel >= 2) {
        if (val) {
            log_mask_printf(LOG_GUEST_ERROR, "%s: driver features word %u = 0x%x ignored\n",
                            vdev->name, sel, val);
        }
        return;
    }
    mask = 0xffffffffULL << (32 * sel);
    vdev->guest_features = (vdev->guest_features & ~mask) | ((uint64_t)val << (32 * sel));
}

static bool virtio_features_acceptable(VirtIODevice *vdev)
{
    uint64_t extra = vdev->guest_features & ~vdev->host_features;

    if (extra) {
        log_mask_printf(LOG_GUEST_ERROR, "%s: driver accepted features 0x%" PRIx64
                        " that were not offered\n", vdev->name, extra);
        return false;
    }
    if (!virtio_vdev_has_feature(vdev, VIRTIO_F_VERSION_1)) {
        log_mask_printf(LOG_GUEST_ERROR, "%s: driver did not accept VIRTIO_F_VERSION_1\n",
                        vdev->name);
        return false;
    }
    return true;
}

void virtio_set_status(VirtIODevice *vdev, uint8_t val)
{
    uint8_t old = vdev->status;

    if (val == 0) {
        virtio_reset(vdev);
        return;
    }
    /* Only the device sets NEEDS_RESET, and only a reset clears it. */
    val = (val & ~VIRTIO_CONFIG_S_NEEDS_RESET) | (old & VIRTIO_CONFIG_S_NEEDS_RESET);
    if ((val & VIRTIO_CONFIG_S_FEATURES_OK) && !(old & VIRTIO_CONFIG_S_FEATURES_OK)) {
        if (!virtio_features_acceptable(vdev)) {
            val &= ~VIRTIO_CONFIG_S_FEATURES_OK;
        } else if (vdev->vdc->set_features) {
            vdev->vdc->set_features(vdev, vdev->guest_features);
        }
    }
    vdev->status = val;
    if (vdev->vdc->set_status) {
        vdev->vdc->set_status(vdev, val);
    }
    if (vdev->bus_ops && vdev->bus_ops->status_changed) {
        vdev->bus_ops->status_changed(vdev->bus_opaque, val);
    }
    /* Buffers made available before DRIVER_OK are processed now. */
    if ((val & VIRTIO_CONFIG_S_DRIVER_OK) && !(old & VIRTIO_CONFIG_S_DRIVER_OK)) {
        for (unsigned n = 0; n < VIRTIO_QUEUES_MAX; n++) {
            if (vdev->vq[n].ready) {
                virtio_queue_notify(vdev, n);
            }
        }
    }
}

void virtio_reset(VirtIODevice *vdev)
{
    if (vdev->vdc->reset) {
        vdev->vdc->reset(vdev);
    }
    vdev->status = 0;
    vdev->isr = 0;
    vdev->broken = false;
    vdev->guest_features = 0;
    vdev->device_features_sel = 0;
    vdev->driver_features_sel = 0;
    vdev->queue_sel = 0;
    vdev->config_vector = VIRTIO_NO_VECTOR;
    for (unsigned n = 0; n < VIRTIO_QUEUES_MAX; n++) {
        VirtQueue *vq = &vdev->vq[n];

        vq->num = vq->num_max;
        vq->ready = false;
        vq->desc = vq->avail = vq->used = 0;
        vq->vector = VIRTIO_NO_VECTOR;
        vq->last_avail_idx = vq->used_idx = vq->signalled_used = 0;
        vq->signalled_used_valid = false;
        vq->inuse = 0;
    }
    if (vdev->bus_ops && vdev->bus_ops->status_changed) {
        vdev->bus_ops->status_changed(vdev->bus_opaque, 0);
    }
}

/* Queue N for the setup registers, or NULL (logged) when it does not exist. */
static VirtQueue *virtio_setup_queue(const VirtIODevice *vdev, unsigned n, const char *what)
{
    if (n >= VIRTIO_QUEUES_MAX || !vdev->vq[n].num_max) {
        log_mask_printf(LOG_GUEST_ERROR, "%s: %s of queue %u, which does not exist\n",
                        vdev->name, what, n);
        return NULL;
    }
    return (VirtQueue *)&vdev->vq[n];
}

/* Queue N if the driver may still change its setup. */
static VirtQueue *virtio_setup_queue_writable(VirtIODevice *vdev, unsigned n, const char *what)
{
    VirtQueue *vq = virtio_setup_queue(vdev, n, what);

    if (vq && vq->ready) {
        log_mask_printf(LOG_GUEST_ERROR, "%s: %s of queue %u while it is enabled, ignored\n",
                        vdev->name, what, n);
        return NULL;
    }
    return vq;
}

uint16_t virtio_queue_get_num_max(const VirtIODevice *vdev, unsigned n)
{
    /* Reading 0 is how a driver finds the queue count: not an error. */
    return n < VIRTIO_QUEUES_MAX ? vdev->vq[n].num_max : 0;
}

uint16_t virtio_queue_get_num(const VirtIODevice *vdev, unsigned n)
{
    VirtQueue *vq = virtio_setup_queue(vdev, n, "size read");

    return vq ? vq->num : 0;
}

void virtio_queue_set_num(VirtIODevice *vdev, unsigned n, uint16_t num)
{
    VirtQueue *vq = virtio_setup_queue_writable(vdev, n, "size write");

    if (vq) {
        vq->num = num;
    }
}

uint64_t virtio_queue_get_addr(const VirtIODevice *vdev, unsigned n, VirtQueueArea area)
{
    VirtQueue *vq = virtio_setup_queue(vdev, n, "address read");

    if (!vq) {
        return 0;
    }
    return area == VIRTQ_AREA_DESC ? vq->desc : area == VIRTQ_AREA_DRIVER ? vq->avail : vq->used;
}

void virtio_queue_set_addr(VirtIODevice *vdev, unsigned n, VirtQueueArea area, uint64_t addr)
{
    VirtQueue *vq = virtio_setup_queue_writable(vdev, n, "address write");

    if (!vq) {
        return;
    }
    if (area == VIRTQ_AREA_DESC) {
        vq->desc = addr;
    } else if (area == VIRTQ_AREA_DRIVER) {
        vq->avail = addr;
    } else {
        vq->used = addr;
    }
}

bool virtio_queue_get_ready(const VirtIODevice *vdev, unsigned n)
{
    return n < VIRTIO_QUEUES_MAX && vdev->vq[n].ready;
}

/* Size and alignments of 2.7: false (logged) for a setup the device cannot use. */
static bool virtqueue_setup_valid(const VirtQueue *vq, const char *who)
{
    if (!vq->num || vq->num > vq->num_max || (vq->num & (vq->num - 1))) {
        log_mask_printf(LOG_GUEST_ERROR, "%s: queue %u size %u is not a power of 2 up to %u\n",
                        who, vq->queue_index, vq->num, vq->num_max);
        return false;
    }
    if (vq->desc % 16 || vq->avail % 2 || vq->used % 4) {
        log_mask_printf(LOG_GUEST_ERROR, "%s: queue %u areas misaligned (desc 0x%" PRIx64
                        ", driver 0x%" PRIx64 ", device 0x%" PRIx64 ")\n", who,
                        vq->queue_index, vq->desc, vq->avail, vq->used);
        return false;
    }
    return true;
}

void virtio_queue_set_ready(VirtIODevice *vdev, unsigned n, bool ready)
{
    VirtQueue *vq = virtio_setup_queue(vdev, n, "enable");

    if (!vq || vq->ready == ready) {
        return;
    }
    if (ready) {
        if (!virtqueue_setup_valid(vq, vdev->name)) {
            return;
        }
        vq->last_avail_idx = vq->used_idx = vq->signalled_used = 0;
        vq->signalled_used_valid = false;
    }
    vq->ready = ready;
}

uint16_t virtio_queue_get_vector(const VirtIODevice *vdev, unsigned n)
{
    return n < VIRTIO_QUEUES_MAX ? vdev->vq[n].vector : VIRTIO_NO_VECTOR;
}

void virtio_queue_set_vector(VirtIODevice *vdev, unsigned n, uint16_t vector)
{
    VirtQueue *vq = virtio_setup_queue(vdev, n, "vector write");

    if (vq) {
        vq->vector = vector;
    }
}

void virtio_queue_notify(VirtIODevice *vdev, unsigned n)
{
    VirtQueue *vq;

    if (n >= VIRTIO_QUEUES_MAX || !vdev->vq[n].num_max) {
        log_mask_printf(LOG_GUEST_ERROR, "%s: notify of queue %u, which does not exist\n",
                        vdev->name, n);
        return;
    }
    vq = &vdev->vq[n];
    if (virtqueue_live(vq) && vq->handle_output) {
        vq->handle_output(vdev, vq);
    }
}

/* ---- config space ---- */

static bool virtio_config_check(VirtIODevice *vdev, uint32_t addr, unsigned size,
                                const char *what)
{
    if (size > 8 || addr > vdev->config_len || size > vdev->config_len - addr) {
        log_mask_printf(LOG_GUEST_ERROR, "%s: config %s of %u bytes at 0x%x beyond its %u "
                        "bytes\n", vdev->name, what, size, addr, vdev->config_len);
        return false;
    }
    return true;
}

uint64_t virtio_config_read(VirtIODevice *vdev, uint32_t addr, unsigned size)
{
    uint64_t val = 0;

    if (!virtio_config_check(vdev, addr, size, "read")) {
        return 0;
    }
    if (vdev->vdc->get_config) {
        vdev->vdc->get_config(vdev, vdev->config);
    }
    for (unsigned i = 0; i < size; i++) {
        val |= (uint64_t)vdev->config[addr + i] << (8 * i);
    }
    return val;
}

void virtio_config_write(VirtIODevice *vdev, uint32_t addr, uint64_t val, unsigned size)
{
    if (!virtio_config_check(vdev, addr, size, "write")) {
        return;
    }
    for (unsigned i = 0; i < size; i++) {
        vdev->config[addr + i] = (uint8_t)(val >> (8 * i));
    }
    if (vdev->vdc->set_config) {
        vdev->vdc->set_config(vdev, vdev->config);
    }
}

/* ---- the abstract qdev type ---- */

static bool virtio_device_realize(DeviceState *dev, GError **errp)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);

    g_assert(vdev->vdc && vdev->vdc->realize);
    vdev->name = dev->type->name;
    if (!vdev->vdc->realize(vdev, errp)) {
        return false;
    }
    if (!vdev->bus_ops && !virtio_mmio_plug(vdev, errp)) {
        if (vdev->vdc->unrealize) {
            vdev->vdc->unrealize(vdev);
        }
        return false;
    }
    vdev->dma_as = NULL;
    if (vdev->bus_ops->get_dma_as) {
        vdev->dma_as = vdev->bus_ops->get_dma_as(vdev->bus_opaque);
    }
    if (!vdev->dma_as) {
        vdev->dma_as = &address_space_memory;
    }
    virtio_reset(vdev);
    return true;
}

static void virtio_device_reset(DeviceState *dev)
{
    virtio_reset(VIRTIO_DEVICE(dev));
}

/* Only a device whose realize succeeded has something to undo. */
static void virtio_device_finalize(DeviceState *dev)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);

    if (dev->realized && vdev->vdc->unrealize) {
        vdev->vdc->unrealize(vdev);
    }
}

static int virtio_device_post_load(void *opaque, int version_id)
{
    VirtIODevice *vdev = opaque;

    for (unsigned n = 0; n < VIRTIO_QUEUES_MAX; n++) {
        VirtQueue *vq = &vdev->vq[n];

        if (vq->ready && (!vq->num_max || !virtqueue_setup_valid(vq, vdev->name))) {
            return -EINVAL;
        }
        /* Requests in flight at save time run again. */
        vq->last_avail_idx -= vq->inuse;
        vq->inuse = 0;
        vq->signalled_used_valid = false;
    }
    return 0;
}

static const VMStateField vmstate_virtqueue_fields[] = {
    VMSTATE_UINT16(num, VirtQueue),
    VMSTATE_BOOL(ready, VirtQueue),
    VMSTATE_UINT64(desc, VirtQueue),
    VMSTATE_UINT64(avail, VirtQueue),
    VMSTATE_UINT64(used, VirtQueue),
    VMSTATE_UINT16(vector, VirtQueue),
    VMSTATE_UINT16(last_avail_idx, VirtQueue),
    VMSTATE_UINT16(used_idx, VirtQueue),
    VMSTATE_UINT16(inuse, VirtQueue),
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription vmstate_virtqueue = {
    .name = "virtqueue",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = vmstate_virtqueue_fields,
};

static const VMStateField vmstate_virtio_device_fields[] = {
    VMSTATE_UINT8(status, VirtIODevice),
    VMSTATE_UINT8(isr, VirtIODevice),
    VMSTATE_BOOL(broken, VirtIODevice),
    VMSTATE_UINT64(guest_features, VirtIODevice),
    VMSTATE_UINT32(device_features_sel, VirtIODevice),
    VMSTATE_UINT32(driver_features_sel, VirtIODevice),
    VMSTATE_UINT16(queue_sel, VirtIODevice),
    VMSTATE_UINT16(config_vector, VirtIODevice),
    VMSTATE_UINT32(generation, VirtIODevice),
    VMSTATE_BUFFER(config, VirtIODevice),
    { .name = "vq", .offset = offsetof(VirtIODevice, vq), .type = VMS_STRUCT,
      .size = sizeof(VirtQueue), .count = VIRTIO_QUEUES_MAX, .vmsd = &vmstate_virtqueue },
    VMSTATE_END_OF_LIST(),
};

const VMStateDescription vmstate_virtio_device = {
    .name = "virtio-device",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = vmstate_virtio_device_fields,
    .post_load = virtio_device_post_load,
};

static const TypeInfo virtio_device_info = {
    .name = TYPE_VIRTIO_DEVICE,
    .parent = "device",
    .instance_size = sizeof(VirtIODevice),
    .abstract = true,
    .desc = "virtio device (common part)",
    .realize = virtio_device_realize,
    .reset = virtio_device_reset,
    .finalize = virtio_device_finalize,
    .vmsd = &vmstate_virtio_device,
};

static void virtio_register_types(void)
{
    type_register(&virtio_device_info);
}
type_init(virtio_register_types)
