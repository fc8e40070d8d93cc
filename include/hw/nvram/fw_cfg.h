/*
 * fw_cfg: the firmware configuration interface QEMU defined and SeaBIOS,
 * OVMF and Linux read (QEMU's docs/specs/fw_cfg.txt). Items are byte
 * strings under 16-bit keys; named files get keys from FW_CFG_FILE_FIRST on
 * and are listed in the directory item FW_CFG_FILE_DIR.
 *
 * On x86 the interface is three I/O registers: a 16-bit selector at BASE
 * (0x510; a write selects an item and rewinds it), an 8-bit data port at
 * BASE + 1 (each read returns the next byte of the item, 0 past its end) and
 * the DMA address register at BASE + 4 (0x514, 64-bit big endian, written as
 * two 32-bit halves; writing the low half at BASE + 8 starts the transfer
 * described by the FWCfgDmaAccess structure at that guest address). Reads of
 * the DMA register return "QEMU CFG". Items are read-only: write requests
 * fail with the error bit.
 */
#ifndef HW_NVRAM_FW_CFG_H
#define HW_NVRAM_FW_CFG_H

#include "util/osdep.h"
#include "exec/memory.h"
#include "hw/qdev.h"

#define TYPE_FW_CFG_IO          "fw_cfg_io"

#define FW_CFG_IO_BASE          0x510
#define FW_CFG_DMA_IO_OFFSET    4

/* Keys (selector values). */
#define FW_CFG_SIGNATURE        0x00
#define FW_CFG_ID               0x01
#define FW_CFG_UUID             0x02
#define FW_CFG_RAM_SIZE         0x03
#define FW_CFG_NOGRAPHIC        0x04
#define FW_CFG_NB_CPUS          0x05
#define FW_CFG_MACHINE_ID       0x06
#define FW_CFG_KERNEL_ADDR      0x07
#define FW_CFG_KERNEL_SIZE      0x08
#define FW_CFG_KERNEL_CMDLINE   0x09
#define FW_CFG_INITRD_ADDR      0x0a
#define FW_CFG_INITRD_SIZE      0x0b
#define FW_CFG_BOOT_DEVICE      0x0c
#define FW_CFG_NUMA             0x0d
#define FW_CFG_BOOT_MENU        0x0e
#define FW_CFG_MAX_CPUS         0x0f
#define FW_CFG_KERNEL_ENTRY     0x10
#define FW_CFG_KERNEL_DATA      0x11
#define FW_CFG_INITRD_DATA      0x12
#define FW_CFG_CMDLINE_ADDR     0x13
#define FW_CFG_CMDLINE_SIZE     0x14
#define FW_CFG_CMDLINE_DATA     0x15
#define FW_CFG_SETUP_ADDR       0x16
#define FW_CFG_SETUP_SIZE       0x17
#define FW_CFG_SETUP_DATA       0x18
#define FW_CFG_FILE_DIR         0x19
#define FW_CFG_FILE_FIRST       0x20
#define FW_CFG_FILE_SLOTS       0x400
#define FW_CFG_WRITE_CHANNEL    0x4000
#define FW_CFG_ARCH_LOCAL       0x8000
#define FW_CFG_INVALID          0xffff

/* FW_CFG_ID bits. */
#define FW_CFG_VERSION          0x01
#define FW_CFG_VERSION_DMA      0x02

/* FWCfgDmaAccess.control bits; the item to select is in bits 31:16. */
#define FW_CFG_DMA_CTL_ERROR    0x01
#define FW_CFG_DMA_CTL_READ     0x02
#define FW_CFG_DMA_CTL_SKIP     0x04
#define FW_CFG_DMA_CTL_SELECT   0x08
#define FW_CFG_DMA_CTL_WRITE    0x10

#define FW_CFG_DMA_SIGNATURE    0x51454d5520434647ULL   /* "QEMU CFG" */
#define FW_CFG_MAX_FILE_PATH    56
#define FW_CFG_DIR_ENTRY_SIZE   64

typedef struct FWCfgState FWCfgState;

/* Called when the guest selects the item, before it reads: may refresh its contents. */
typedef void (*FWCfgSelectCb)(void *opaque);

/*
 * Creates the device with its registers at BASE in the system I/O space; DMA
 * goes to address_space_memory. Signature, id and the (empty) directory
 * exist from the start.
 */
FWCfgState *fw_cfg_init_io(uint16_t base, GError **errp);

/* Items: the data is copied. Adding a key again replaces the item. */
void fw_cfg_add_bytes(FWCfgState *s, uint16_t key, const void *data, size_t len);
void fw_cfg_add_string(FWCfgState *s, uint16_t key, const char *str);   /* with its NUL */
void fw_cfg_add_i16(FWCfgState *s, uint16_t key, uint16_t value);      /* little endian */
void fw_cfg_add_i32(FWCfgState *s, uint16_t key, uint32_t value);
void fw_cfg_add_i64(FWCfgState *s, uint16_t key, uint64_t value);

/*
 * Named files (up to 55 characters): the next free key, in the directory.
 * Adding a name that exists replaces its contents (fw_cfg_modify_file is the
 * same call by its purpose). Returns the key.
 */
uint16_t fw_cfg_add_file(FWCfgState *s, const char *name, const void *data, size_t len);
uint16_t fw_cfg_add_file_callback(FWCfgState *s, const char *name, const void *data,
                                  size_t len, FWCfgSelectCb select_cb, void *opaque);
void fw_cfg_modify_file(FWCfgState *s, const char *name, const void *data, size_t len);

/* The current contents of an item (NULL if none): for tests and the board's callbacks. */
const uint8_t *fw_cfg_get_item(FWCfgState *s, uint16_t key, size_t *len);
/* The key of a named file, FW_CFG_INVALID if there is none. */
uint16_t fw_cfg_file_key(FWCfgState *s, const char *name);

#endif
