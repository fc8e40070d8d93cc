/*
 * virtio-blk (virtio 1.2, 5.2): "-device virtio-blk-device,drive=ID
 * [,serial=S][,num-queues=N][,queue-size=N]", and one per "-drive if=virtio"
 * on boards that create them. The request and config layouts below are the
 * specification's; the device itself is private to hw/virtio/virtio-blk.c.
 */
#ifndef HW_VIRTIO_VIRTIO_BLK_H
#define HW_VIRTIO_VIRTIO_BLK_H

#include "util/osdep.h"

#define TYPE_VIRTIO_BLK             "virtio-blk-device"

/* Feature bits. */
#define VIRTIO_BLK_F_SIZE_MAX       1
#define VIRTIO_BLK_F_SEG_MAX        2
#define VIRTIO_BLK_F_GEOMETRY       4
#define VIRTIO_BLK_F_RO             5
#define VIRTIO_BLK_F_BLK_SIZE       6
#define VIRTIO_BLK_F_FLUSH          9
#define VIRTIO_BLK_F_TOPOLOGY       10
#define VIRTIO_BLK_F_CONFIG_WCE     11
#define VIRTIO_BLK_F_MQ             12
#define VIRTIO_BLK_F_DISCARD        13
#define VIRTIO_BLK_F_WRITE_ZEROES   14

/* Request types. */
#define VIRTIO_BLK_T_IN             0
#define VIRTIO_BLK_T_OUT            1
#define VIRTIO_BLK_T_FLUSH          4
#define VIRTIO_BLK_T_GET_ID         8
#define VIRTIO_BLK_T_DISCARD        11
#define VIRTIO_BLK_T_WRITE_ZEROES   13

/* Status byte, the last device-writable byte of a request. */
#define VIRTIO_BLK_S_OK             0
#define VIRTIO_BLK_S_IOERR          1
#define VIRTIO_BLK_S_UNSUPP         2

#define VIRTIO_BLK_SECTOR_SIZE      512
#define VIRTIO_BLK_ID_BYTES         20
/* discard / write-zeroes segment flag */
#define VIRTIO_BLK_WZ_F_UNMAP       1

/* The leading device-readable header of every request (little-endian). */
typedef struct VirtioBlkOutHdr {
    uint32_t type;
    uint32_t ioprio;
    uint64_t sector;
} VirtioBlkOutHdr;

/* One discard / write-zeroes range (little-endian). */
typedef struct VirtioBlkDiscardWriteZeroes {
    uint64_t sector;
    uint32_t num_sectors;
    uint32_t flags;
} VirtioBlkDiscardWriteZeroes;

/* Config space offsets. */
#define VIRTIO_BLK_CFG_CAPACITY             0   /* le64, in 512-byte sectors */
#define VIRTIO_BLK_CFG_SIZE_MAX             8
#define VIRTIO_BLK_CFG_SEG_MAX              12
#define VIRTIO_BLK_CFG_BLK_SIZE             20
#define VIRTIO_BLK_CFG_WRITEBACK            32
#define VIRTIO_BLK_CFG_NUM_QUEUES           34  /* le16 */
#define VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS  36
#define VIRTIO_BLK_CFG_MAX_DISCARD_SEG      40
#define VIRTIO_BLK_CFG_DISCARD_ALIGNMENT    44
#define VIRTIO_BLK_CFG_MAX_WZ_SECTORS       48
#define VIRTIO_BLK_CFG_MAX_WZ_SEG           52
#define VIRTIO_BLK_CFG_WZ_MAY_UNMAP         56
#define VIRTIO_BLK_CFG_SIZE                 60

#endif
