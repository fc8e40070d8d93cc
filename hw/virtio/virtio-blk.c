/*
 * virtio-blk (virtio 1.2, 5.2) on the block layer: "-device
 * virtio-blk-device,drive=ID[,serial=S][,num-queues=N][,queue-size=N]".
 * Requests (read, write, flush, get-id, discard, write-zeroes) are checked
 * against the capacity and the request layout, then submitted asynchronously
 * with the data iovecs pointing straight into guest memory; each completion
 * (on the main loop) writes the status byte, pushes the used entry and
 * notifies, subject to EVENT_IDX suppression. Offered features: SEG_MAX,
 * BLK_SIZE, FLUSH, MQ (num-queues > 1), RO for a read-only drive, and for a
 * writable one WRITE_ZEROES plus DISCARD when the drive has discard=unmap.
 * A malformed request (no header, no status byte) is a guest error that
 * needs a device reset; a bad sector range just fails with IOERR.
 */
#include "util/osdep.h"

#include "block/block.h"
#include "hw/virtio/virtio.h"
#include "hw/virtio/virtio-blk.h"
#include "util/log.h"

#define VIRTIO_BLK_MAX_DISCARD_SECTORS  (1u << 22)  /* 2 GiB per discard / write-zeroes */

typedef struct VirtIOBlock {
    VirtIODevice parent_obj;
    char *drive;
    char *serial;
    uint16_t num_queues;
    uint16_t queue_size;
    BlockBackend *blk;
    uint64_t sectors;
} VirtIOBlock;

typedef struct VirtIOBlockReq {
    VirtQueueElement elem;      /* first: virtqueue_pop() allocates the whole struct */
    VirtIOBlock *s;
    VirtQueue *vq;
    struct iovec *iov;          /* the data part of the request */
    unsigned iovcnt;
    size_t in_len;              /* bytes written to the guest, status included */
} VirtIOBlockReq;

static void virtio_blk_complete(VirtIOBlockReq *req, uint8_t status)
{
    VirtQueueElement *elem = &req->elem;

    virtio_iov_from_buf(elem->in_sg, elem->in_num, elem->in_len - 1, &status, 1);
    virtqueue_push(req->vq, elem, req->in_len);
    virtio_notify(&req->s->parent_obj, req->vq);
    g_free(req->iov);
    virtqueue_element_free(req);
}

static void virtio_blk_io_done(void *opaque, int ret)
{
    VirtIOBlockReq *req = opaque;

    virtio_blk_complete(req, ret < 0 ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK);
}

/* The LEN bytes of IOV from OFFSET, as a new iovec array in REQ. */
static void virtio_blk_set_data(VirtIOBlockReq *req, const struct iovec *iov, unsigned cnt,
                                size_t offset, size_t len)
{
    req->iov = g_new(struct iovec, cnt ? cnt : 1);
    req->iovcnt = 0;
    for (unsigned i = 0; i < cnt && len; i++) {
        size_t n;

        if (offset >= iov[i].iov_len) {
            offset -= iov[i].iov_len;
            continue;
        }
        n = MIN(iov[i].iov_len - offset, len);
        req->iov[req->iovcnt++] = (struct iovec){
            .iov_base = (uint8_t *)iov[i].iov_base + offset,
            .iov_len = n,
        };
        len -= n;
        offset = 0;
    }
}

/* True if [SECTOR, SECTOR + BYTES) lies within the disk, BYTES a whole number of sectors. */
static bool virtio_blk_range_ok(VirtIOBlock *s, uint64_t sector, uint64_t bytes)
{
    uint64_t nsec = bytes / VIRTIO_BLK_SECTOR_SIZE;

    if (bytes % VIRTIO_BLK_SECTOR_SIZE || sector > s->sectors || nsec > s->sectors - sector) {
        log_mask_printf(LOG_GUEST_ERROR, "%s: request of %" PRIu64 " bytes at sector %" PRIu64
                        " is outside the %" PRIu64 "-sector disk or not whole sectors\n",
                        s->parent_obj.name, bytes, sector, s->sectors);
        return false;
    }
    return true;
}

static void virtio_blk_discard_write_zeroes(VirtIOBlockReq *req, uint32_t type)
{
    VirtIOBlock *s = req->s;
    VirtQueueElement *elem = &req->elem;
    VirtioBlkDiscardWriteZeroes seg;
    bool discard = type == VIRTIO_BLK_T_DISCARD;
    unsigned feature = discard ? VIRTIO_BLK_F_DISCARD : VIRTIO_BLK_F_WRITE_ZEROES;
    uint64_t sector, bytes;
    uint32_t flags;

    if (!virtio_vdev_has_feature(&s->parent_obj, feature)) {
        virtio_blk_complete(req, VIRTIO_BLK_S_UNSUPP);
        return;
    }
    /* One range per request (max_discard_seg = max_write_zeroes_seg = 1). */
    if (elem->out_len != sizeof(VirtioBlkOutHdr) + sizeof(seg)) {
        virtio_blk_complete(req, VIRTIO_BLK_S_IOERR);
        return;
    }
    virtio_iov_to_buf(elem->out_sg, elem->out_num, sizeof(VirtioBlkOutHdr), &seg, sizeof(seg));
    sector = GUINT64_FROM_LE(seg.sector);
    bytes = (uint64_t)GUINT32_FROM_LE(seg.num_sectors) * VIRTIO_BLK_SECTOR_SIZE;
    flags = GUINT32_FROM_LE(seg.flags);
    if (flags & ~VIRTIO_BLK_WZ_F_UNMAP || (discard && flags)) {
        virtio_blk_complete(req, VIRTIO_BLK_S_UNSUPP);
        return;
    }
    if (GUINT32_FROM_LE(seg.num_sectors) > VIRTIO_BLK_MAX_DISCARD_SECTORS ||
        !virtio_blk_range_ok(s, sector, bytes)) {
        virtio_blk_complete(req, VIRTIO_BLK_S_IOERR);
        return;
    }
    if (discard) {
        blk_aio_pdiscard(s->blk, sector * VIRTIO_BLK_SECTOR_SIZE, bytes, virtio_blk_io_done,
                         req);
    } else {
        blk_aio_pwrite_zeroes(s->blk, sector * VIRTIO_BLK_SECTOR_SIZE, bytes,
                              flags & VIRTIO_BLK_WZ_F_UNMAP ? BDRV_REQ_MAY_UNMAP : 0,
                              virtio_blk_io_done, req);
    }
}

static void virtio_blk_handle_request(VirtIOBlock *s, VirtIOBlockReq *req)
{
    VirtQueueElement *elem = &req->elem;
    VirtioBlkOutHdr hdr;
    uint64_t sector;
    size_t len;
    uint32_t type;

    req->s = s;
    req->in_len = 1;
    if (elem->in_len < 1 || elem->out_len < sizeof(hdr)) {
        virtio_error(&s->parent_obj, "request %u without a header or a status byte",
                     elem->index);
        virtqueue_element_free(req);
        return;
    }
    virtio_iov_to_buf(elem->out_sg, elem->out_num, 0, &hdr, sizeof(hdr));
    type = GUINT32_FROM_LE(hdr.type);
    sector = GUINT64_FROM_LE(hdr.sector);

    switch (type) {
    case VIRTIO_BLK_T_IN:
        len = elem->in_len - 1;
        if (!virtio_blk_range_ok(s, sector, len)) {
            virtio_blk_complete(req, VIRTIO_BLK_S_IOERR);
            return;
        }
        req->in_len = elem->in_len;
        virtio_blk_set_data(req, elem->in_sg, elem->in_num, 0, len);
        blk_aio_preadv(s->blk, sector * VIRTIO_BLK_SECTOR_SIZE, req->iov, req->iovcnt,
                       virtio_blk_io_done, req);
        return;
    case VIRTIO_BLK_T_OUT:
        len = elem->out_len - sizeof(hdr);
        if (blk_is_read_only(s->blk) || !virtio_blk_range_ok(s, sector, len)) {
            virtio_blk_complete(req, VIRTIO_BLK_S_IOERR);
            return;
        }
        virtio_blk_set_data(req, elem->out_sg, elem->out_num, sizeof(hdr), len);
        blk_aio_pwritev(s->blk, sector * VIRTIO_BLK_SECTOR_SIZE, req->iov, req->iovcnt, 0,
                        virtio_blk_io_done, req);
        return;
    case VIRTIO_BLK_T_FLUSH:
        blk_aio_flush(s->blk, virtio_blk_io_done, req);
        return;
    case VIRTIO_BLK_T_GET_ID: {
        char id[VIRTIO_BLK_ID_BYTES] = { 0 };

        if (s->serial) {
            memcpy(id, s->serial, MIN(strlen(s->serial), sizeof(id)));
        }
        req->in_len = 1 + virtio_iov_from_buf(elem->in_sg, elem->in_num, 0, id,
                                              MIN(sizeof(id), elem->in_len - 1));
        virtio_blk_complete(req, VIRTIO_BLK_S_OK);
        return;
    }
    case VIRTIO_BLK_T_DISCARD:
    case VIRTIO_BLK_T_WRITE_ZEROES:
        if (blk_is_read_only(s->blk)) {
            virtio_blk_complete(req, VIRTIO_BLK_S_IOERR);
            return;
        }
        virtio_blk_discard_write_zeroes(req, type);
        return;
    default:
        virtio_blk_complete(req, VIRTIO_BLK_S_UNSUPP);
        return;
    }
}

static void virtio_blk_handle_queue(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIOBlock *s = (VirtIOBlock *)vdev;
    VirtIOBlockReq *req;

    while ((req = virtqueue_pop(vq, sizeof(*req)))) {
        req->vq = vq;
        virtio_blk_handle_request(s, req);
    }
}

static void virtio_blk_get_config(VirtIODevice *vdev, uint8_t *config)
{
    VirtIOBlock *s = (VirtIOBlock *)vdev;
    bool discard = virtio_has_feature(vdev->host_features, VIRTIO_BLK_F_DISCARD);
    bool wz = virtio_has_feature(vdev->host_features, VIRTIO_BLK_F_WRITE_ZEROES);
    uint64_t cap = GUINT64_TO_LE(s->sectors);
    uint32_t u32;
    uint16_t u16;

    memset(config, 0, VIRTIO_BLK_CFG_SIZE);
    memcpy(config + VIRTIO_BLK_CFG_CAPACITY, &cap, 8);
    u32 = GUINT32_TO_LE(s->queue_size - 2u);
    memcpy(config + VIRTIO_BLK_CFG_SEG_MAX, &u32, 4);
    u32 = GUINT32_TO_LE(VIRTIO_BLK_SECTOR_SIZE);
    memcpy(config + VIRTIO_BLK_CFG_BLK_SIZE, &u32, 4);
    config[VIRTIO_BLK_CFG_WRITEBACK] = blk_enable_write_cache(s->blk);
    u16 = GUINT16_TO_LE(s->num_queues);
    memcpy(config + VIRTIO_BLK_CFG_NUM_QUEUES, &u16, 2);
    u32 = GUINT32_TO_LE(VIRTIO_BLK_MAX_DISCARD_SECTORS);
    if (discard) {
        memcpy(config + VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS, &u32, 4);
    }
    if (wz) {
        memcpy(config + VIRTIO_BLK_CFG_MAX_WZ_SECTORS, &u32, 4);
    }
    u32 = GUINT32_TO_LE(1);
    if (discard) {
        memcpy(config + VIRTIO_BLK_CFG_MAX_DISCARD_SEG, &u32, 4);
        memcpy(config + VIRTIO_BLK_CFG_DISCARD_ALIGNMENT, &u32, 4);
    }
    if (wz) {
        memcpy(config + VIRTIO_BLK_CFG_MAX_WZ_SEG, &u32, 4);
        config[VIRTIO_BLK_CFG_WZ_MAY_UNMAP] = blk_supports_discard(s->blk);
    }
}

static bool virtio_blk_realize(VirtIODevice *vdev, GError **errp)
{
    VirtIOBlock *s = (VirtIOBlock *)vdev;
    int64_t len;

    if (!s->drive) {
        error_setg(errp, "%s: drive property not set", vdev->name);
        return false;
    }
    s->blk = blk_by_id(s->drive);
    if (!s->blk) {
        error_setg(errp, "%s: drive '%s' not found", vdev->name, s->drive);
        return false;
    }
    if (s->num_queues < 1 || s->num_queues > VIRTIO_QUEUES_MAX) {
        error_setg(errp, "%s: num-queues must be 1 to %d", vdev->name, VIRTIO_QUEUES_MAX);
        return false;
    }
    if (s->queue_size < 4 || s->queue_size > VIRTIO_QUEUE_MAX_SIZE ||
        (s->queue_size & (s->queue_size - 1))) {
        error_setg(errp, "%s: queue-size must be a power of 2 from 4 to %d", vdev->name,
                   VIRTIO_QUEUE_MAX_SIZE);
        return false;
    }
    len = blk_getlength(s->blk);
    if (len < 0) {
        error_setg(errp, "%s: cannot get the size of drive '%s': %s", vdev->name, s->drive,
                   g_strerror(-len));
        return false;
    }
    if (!blk_attach_dev(s->blk, s, errp)) {
        return false;
    }
    s->sectors = len / VIRTIO_BLK_SECTOR_SIZE;

    virtio_init(vdev, VIRTIO_ID_BLOCK, VIRTIO_BLK_CFG_SIZE);
    vdev->host_features |= (1ULL << VIRTIO_BLK_F_SEG_MAX) | (1ULL << VIRTIO_BLK_F_BLK_SIZE) |
                           (1ULL << VIRTIO_BLK_F_FLUSH);
    if (s->num_queues > 1) {
        vdev->host_features |= 1ULL << VIRTIO_BLK_F_MQ;
    }
    if (blk_is_read_only(s->blk)) {
        vdev->host_features |= 1ULL << VIRTIO_BLK_F_RO;
    } else {
        vdev->host_features |= 1ULL << VIRTIO_BLK_F_WRITE_ZEROES;
        if (blk_supports_discard(s->blk)) {
            vdev->host_features |= 1ULL << VIRTIO_BLK_F_DISCARD;
        }
    }
    for (unsigned i = 0; i < s->num_queues; i++) {
        virtio_add_queue(vdev, s->queue_size, virtio_blk_handle_queue);
    }
    return true;
}

static void virtio_blk_unrealize(VirtIODevice *vdev)
{
    VirtIOBlock *s = (VirtIOBlock *)vdev;

    blk_drain(s->blk);
    blk_detach_dev(s->blk, s);
}

/* Requests in flight complete (into the old rings) before the queues go away. */
static void virtio_blk_reset(VirtIODevice *vdev)
{
    blk_drain(((VirtIOBlock *)vdev)->blk);
}

static const VirtioDeviceClass virtio_blk_class = {
    .realize = virtio_blk_realize,
    .unrealize = virtio_blk_unrealize,
    .reset = virtio_blk_reset,
    .get_config = virtio_blk_get_config,
};

static void virtio_blk_instance_init(DeviceState *dev)
{
    VIRTIO_DEVICE(dev)->vdc = &virtio_blk_class;
}

static const Property virtio_blk_props[] = {
    DEFINE_PROP_STRING("drive", VirtIOBlock, drive),
    DEFINE_PROP_STRING("serial", VirtIOBlock, serial),
    DEFINE_PROP_UINT16("num-queues", VirtIOBlock, num_queues, 1),
    DEFINE_PROP_UINT16("queue-size", VirtIOBlock, queue_size, 256),
    DEFINE_PROP_END_OF_LIST(),
};

static const VMStateField vmstate_virtio_blk_fields[] = {
    VMSTATE_STRUCT(parent_obj, VirtIOBlock, vmstate_virtio_device, VirtIODevice),
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription vmstate_virtio_blk = {
    .name = "virtio-blk",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = vmstate_virtio_blk_fields,
};

static const TypeInfo virtio_blk_info = {
    .name = TYPE_VIRTIO_BLK,
    .parent = TYPE_VIRTIO_DEVICE,
    .instance_size = sizeof(VirtIOBlock),
    .desc = "virtio block device",
    .user_creatable = true,
    .props = virtio_blk_props,
    .instance_init = virtio_blk_instance_init,
    .vmsd = &vmstate_virtio_blk,
};

static void virtio_blk_register_types(void)
{
    type_register(&virtio_blk_info);
}
type_init(virtio_blk_register_types)
