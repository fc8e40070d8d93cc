/*
 * Block devices from the command line: -drive and -blockdev option strings
 * become BlockBackends (named by id) and driver nodes (named by node-name).
 * Everything is opened at once, so a bad option, a missing file or a locked
 * image is reported before the machine is built.
 */
#ifndef BLOCK_BLOCKDEV_H
#define BLOCK_BLOCKDEV_H

#include "block/block.h"

/* -drive file=PATH[,format=raw][,if=virtio|none][,id=ID][,readonly=on][,cache=..][,aio=..] */
BlockBackend *blk_drive_add(const char *optstr, GError **errp);
/* -blockdev driver=raw|file,node-name=NAME,... */
BlockDriverState *bdrv_blockdev_add(const char *optstr, GError **errp);
/* Completes every request, flushes and closes every image (at exit). */
void bdrv_close_all(void);

#endif
