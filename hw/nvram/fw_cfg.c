/*
 * fw_cfg over x86 I/O ports ("fw_cfg_io"): the selector/data registers and
 * the DMA interface, written from the interface description in QEMU's
 * docs/specs/fw_cfg.txt. Items live in a table indexed by key; the file
 * directory (big-endian count, then 64-byte entries of size, key and name)
 * is rebuilt whenever a file is added or changes size. DMA transfers check
 * every guest address through the address-space helpers: a control structure
 * or buffer outside RAM sets the error bit, never touches host memory.
 */
#include "util/osdep.h"

#include "hw/nvram/fw_cfg.h"
#include "util/log.h"

#define FW_CFG_DMA_ACCESS_SIZE  16      /* be32 control, be32 length, be64 address */

typedef struct FWCfgEntry {
    uint8_t *data;
    uint32_t len;
    FWCfgSelectCb select_cb;
    void *opaque;
} FWCfgEntry;

typedef struct FWCfgFile {
    char name[FW_CFG_MAX_FILE_PATH];
    uint16_t key;
} FWCfgFile;

struct FWCfgState {
    DeviceState parent_obj;
    uint32_t iobase;
    MemoryRegion ctl_io;            /* selector (16-bit) and data (8-bit) */
    MemoryRegion dma_io;            /* DMA address, two big-endian halves */
    FWCfgEntry *entries;            /* indexed by fw_cfg_index() */
    GArray *files;                  /* FWCfgFile, in key order */
    /* Guest-visible state. */
    uint16_t cur_key;
    uint32_t cur_offset;
    uint64_t dma_addr;
};

#define FW_CFG_NUM_ENTRIES      (2 * (FW_CFG_FILE_FIRST + FW_CFG_FILE_SLOTS))

static void put_be(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        p[i] = v >> (8 * (n - 1 - i));
    }
}

static uint64_t get_be(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < n; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        p[i] = v >> (8 * i);
    }
}

/* Generic keys first, then the arch-local ones; -1 for a key outside both ranges. */
static int fw_cfg_index(uint16_t key)
{
    uint16_t k = key & ~(FW_CFG_ARCH_LOCAL | FW_CFG_WRITE_CHANNEL);

    if (k >= FW_CFG_FILE_FIRST + FW_CFG_FILE_SLOTS) {
        return -1;
    }
    return (key & FW_CFG_ARCH_LOCAL) ? FW_CFG_FILE_FIRST + FW_CFG_FILE_SLOTS + k : k;
}

static FWCfgEntry *fw_cfg_entry(FWCfgState *s, uint16_t key)
{
    int i = fw_cfg_index(key);

    return i < 0 ? NULL : &s->entries[i];
}

static void fw_cfg_set_entry(FWCfgState *s, uint16_t key, const void *data, size_t len)
{
    FWCfgEntry *e = fw_cfg_entry(s, key);

    g_assert(e && len <= UINT32_MAX);
    g_free(e->data);
    e->data = g_memdup2(data, len);
    e->len = len;
}

static void fw_cfg_rebuild_dir(FWCfgState *s)
{
    size_t len = 4 + s->files->len * FW_CFG_DIR_ENTRY_SIZE;
    g_autofree uint8_t *dir = g_malloc0(len);

    put_be(dir, s->files->len, 4);
    for (guint i = 0; i < s->files->len; i++) {
        FWCfgFile *f = &g_array_index(s->files, FWCfgFile, i);
        uint8_t *p = dir + 4 + i * FW_CFG_DIR_ENTRY_SIZE;

        put_be(p, fw_cfg_entry(s, f->key)->len, 4);
        put_be(p + 4, f->key, 2);
        memcpy(p + 8, f->name, FW_CFG_MAX_FILE_PATH);
    }
    fw_cfg_set_entry(s, FW_CFG_FILE_DIR, dir, len);
}

void fw_cfg_add_bytes(FWCfgState *s, uint16_t key, const void *data, size_t len)
{
    fw_cfg_set_entry(s, key, data, len);
}

void fw_cfg_add_string(FWCfgState *s, uint16_t key, const char *str)
{
    fw_cfg_set_entry(s, key, str, strlen(str) + 1);
}

void fw_cfg_add_i16(FWCfgState *s, uint16_t key, uint16_t value)
{
    uint8_t b[2];

    put_le(b, value, 2);
    fw_cfg_set_entry(s, key, b, sizeof(b));
}

void fw_cfg_add_i32(FWCfgState *s, uint16_t key, uint32_t value)
{
    uint8_t b[4];

    put_le(b, value, 4);
    fw_cfg_set_entry(s, key, b, sizeof(b));
}

void fw_cfg_add_i64(FWCfgState *s, uint16_t key, uint64_t value)
{
    uint8_t b[8];

    put_le(b, value, 8);
    fw_cfg_set_entry(s, key, b, sizeof(b));
}

uint16_t fw_cfg_file_key(FWCfgState *s, const char *name)
{
    for (guint i = 0; i < s->files->len; i++) {
        FWCfgFile *f = &g_array_index(s->files, FWCfgFile, i);

        if (!strcmp(f->name, name)) {
            return f->key;
        }
    }
    return FW_CFG_INVALID;
}

uint16_t fw_cfg_add_file_callback(FWCfgState *s, const char *name, const void *data,
                                  size_t len, FWCfgSelectCb select_cb, void *opaque)
{
    uint16_t key = fw_cfg_file_key(s, name);
    FWCfgEntry *e;

    g_assert(strlen(name) < FW_CFG_MAX_FILE_PATH);
    if (key == FW_CFG_INVALID) {
        FWCfgFile f = { .key = FW_CFG_FILE_FIRST + s->files->len };

        g_assert(s->files->len < FW_CFG_FILE_SLOTS);
        g_strlcpy(f.name, name, sizeof(f.name));
        g_array_append_val(s->files, f);
        key = f.key;
    }
    fw_cfg_set_entry(s, key, data, len);
    e = fw_cfg_entry(s, key);
    e->select_cb = select_cb;
    e->opaque = opaque;
    fw_cfg_rebuild_dir(s);
    return key;
}

uint16_t fw_cfg_add_file(FWCfgState *s, const char *name, const void *data, size_t len)
{
    return fw_cfg_add_file_callback(s, name, data, len, NULL, NULL);
}

void fw_cfg_modify_file(FWCfgState *s, const char *name, const void *data, size_t len)
{
    uint16_t key = fw_cfg_file_key(s, name);
    FWCfgEntry *e;

    g_assert(key != FW_CFG_INVALID);
    e = fw_cfg_entry(s, key);
    fw_cfg_add_file_callback(s, name, data, len, e->select_cb, e->opaque);
}

const uint8_t *fw_cfg_get_item(FWCfgState *s, uint16_t key, size_t *len)
{
    FWCfgEntry *e = fw_cfg_entry(s, key);

    *len = e ? e->len : 0;
    return e ? e->data : NULL;
}

static void fw_cfg_select(FWCfgState *s, uint16_t key)
{
    FWCfgEntry *e;

    s->cur_key = key;
    s->cur_offset = 0;
    e = fw_cfg_entry(s, key);
    if (!e || !e->data) {
        log_mask_printf(LOG_GUEST_ERROR, "fw_cfg: selected item 0x%x does not exist\n", key);
        return;
    }
    if (e->select_cb) {
        e->select_cb(e->opaque);
    }
}

/* The selected item, if it exists; NULL otherwise (reads return zeros). */
static FWCfgEntry *fw_cfg_current(FWCfgState *s)
{
    FWCfgEntry *e = fw_cfg_entry(s, s->cur_key);

    return e && e->data ? e : NULL;
}

static uint8_t fw_cfg_read_byte(FWCfgState *s)
{
    FWCfgEntry *e = fw_cfg_current(s);

    if (!e || s->cur_offset >= e->len) {
        return 0;
    }
    return e->data[s->cur_offset++];
}

static uint64_t fw_cfg_ctl_read(void *opaque, uint64_t addr, unsigned size)
{
    FWCfgState *s = opaque;

    if (addr == 1 && size == 1) {
        return fw_cfg_read_byte(s);
    }
    log_mask_printf(LOG_GUEST_ERROR, "fw_cfg: %u-byte read at selector offset %" PRIu64
                    " (the selector is write-only)\n", size, addr);
    return 0;
}

static void fw_cfg_ctl_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    FWCfgState *s = opaque;

    if (addr == 0 && size == 2) {
        fw_cfg_select(s, val);
    } else {
        log_mask_printf(LOG_GUEST_ERROR, "fw_cfg: %u-byte write at offset %" PRIu64
                        " ignored (items are read-only)\n", size, addr);
    }
}

static const MemoryRegionOps fw_cfg_ctl_ops = {
    .read = fw_cfg_ctl_read,
    .write = fw_cfg_ctl_write,
    .valid = { .min_access_size = 1, .max_access_size = 2 },
};

/*
 * Writes the N bytes of DATA to guest ADDR, then zeros up to LENGTH: what
 * lies past the end of an item reads as zeros. In pieces, so that a huge
 * guest-chosen length costs no host allocation.
 */
static bool fw_cfg_dma_write_guest(uint64_t addr, const uint8_t *data, uint32_t n,
                                   uint32_t length)
{
    static const uint8_t zeros[4096];

    if (n && address_space_write(&address_space_memory, addr, data, n) != MEMTX_OK) {
        return false;
    }
    for (uint64_t done = n; done < length; done += sizeof(zeros)) {
        uint64_t chunk = MIN(sizeof(zeros), length - done);

        if (address_space_write(&address_space_memory, addr + done, zeros, chunk) != MEMTX_OK) {
            return false;
        }
    }
    return true;
}

/* Runs the transfer described at guest address s->dma_addr, then writes its status back. */
static void fw_cfg_dma_transfer(FWCfgState *s)
{
    uint8_t desc[FW_CFG_DMA_ACCESS_SIZE];
    uint64_t desc_addr = s->dma_addr;
    uint32_t control, length, status = 0;
    uint64_t addr;
    uint8_t out[4];

    s->dma_addr = 0;
    if (address_space_read(&address_space_memory, desc_addr, desc, sizeof(desc)) != MEMTX_OK) {
        log_mask_printf(LOG_GUEST_ERROR, "fw_cfg: DMA descriptor at 0x%" PRIx64
                        " is not in RAM\n", desc_addr);
        return;
    }
    control = get_be(desc, 4);
    length = get_be(desc + 4, 4);
    addr = get_be(desc + 8, 8);

    if (control & FW_CFG_DMA_CTL_SELECT) {
        fw_cfg_select(s, control >> 16);
    }
    if (control & FW_CFG_DMA_CTL_WRITE) {
        log_mask_printf(LOG_GUEST_ERROR, "fw_cfg: DMA write to item 0x%x refused\n",
                        s->cur_key);
        status = FW_CFG_DMA_CTL_ERROR;
    } else if (control & (FW_CFG_DMA_CTL_READ | FW_CFG_DMA_CTL_SKIP)) {
        FWCfgEntry *e = fw_cfg_current(s);
        uint32_t avail = e && s->cur_offset < e->len ? e->len - s->cur_offset : 0;
        uint32_t n = MIN(length, avail);

        if ((control & FW_CFG_DMA_CTL_READ) &&
            !fw_cfg_dma_write_guest(addr, n ? e->data + s->cur_offset : NULL, n, length)) {
            log_mask_printf(LOG_GUEST_ERROR, "fw_cfg: DMA buffer 0x%" PRIx64 "+0x%x "
                            "is not in RAM\n", addr, length);
            status = FW_CFG_DMA_CTL_ERROR;
        }
        if (!status) {
            s->cur_offset += n;
        }
    }
    put_be(out, status, 4);
    if (address_space_write(&address_space_memory, desc_addr, out, sizeof(out)) != MEMTX_OK) {
        log_mask_printf(LOG_GUEST_ERROR, "fw_cfg: DMA descriptor at 0x%" PRIx64
                        " cannot be written back\n", desc_addr);
    }
}

static uint64_t fw_cfg_dma_read(void *opaque, uint64_t addr, unsigned size)
{
    uint64_t v = 0;

    /* The register reads as the big-endian signature, byte by byte. */
    for (unsigned i = 0; i < size && addr + i < 8; i++) {
        v |= ((FW_CFG_DMA_SIGNATURE >> (8 * (7 - addr - i))) & 0xff) << (8 * i);
    }
    return v;
}

static void fw_cfg_dma_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    FWCfgState *s = opaque;
    uint32_t half = GUINT32_SWAP_LE_BE((uint32_t)val);

    if (size != 4 || (addr != 0 && addr != 4)) {
        log_mask_printf(LOG_GUEST_ERROR, "fw_cfg: %u-byte DMA register write at offset %"
                        PRIu64 " ignored\n", size, addr);
        return;
    }
    if (addr == 0) {
        s->dma_addr = (s->dma_addr & UINT32_MAX) | (uint64_t)half << 32;
    } else {
        s->dma_addr = (s->dma_addr & ~(uint64_t)UINT32_MAX) | half;
        fw_cfg_dma_transfer(s);
    }
}

static const MemoryRegionOps fw_cfg_dma_ops = {
    .read = fw_cfg_dma_read,
    .write = fw_cfg_dma_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

static void fw_cfg_instance_init(DeviceState *dev)
{
    FWCfgState *s = DEVICE_CAST(FWCfgState, dev);
    static const char signature[4] = "QEMU";

    s->entries = g_new0(FWCfgEntry, FW_CFG_NUM_ENTRIES);
    s->files = g_array_new(FALSE, TRUE, sizeof(FWCfgFile));
    fw_cfg_set_entry(s, FW_CFG_SIGNATURE, signature, sizeof(signature));
    fw_cfg_add_i32(s, FW_CFG_ID, FW_CFG_VERSION | FW_CFG_VERSION_DMA);
    fw_cfg_rebuild_dir(s);
}

static bool fw_cfg_realize(DeviceState *dev, GError **errp)
{
    FWCfgState *s = DEVICE_CAST(FWCfgState, dev);

    if (s->iobase > 0x10000 - 12) {
        error_setg(errp, "fw_cfg_io: iobase 0x%x leaves no room for the registers", s->iobase);
        return false;
    }
    memory_region_init_io(&s->ctl_io, &fw_cfg_ctl_ops, s, "fw_cfg", 2);
    memory_region_init_io(&s->dma_io, &fw_cfg_dma_ops, s, "fw_cfg-dma", 8);
    memory_region_add_subregion(get_system_io(), s->iobase, &s->ctl_io);
    memory_region_add_subregion(get_system_io(), s->iobase + FW_CFG_DMA_IO_OFFSET, &s->dma_io);
    return true;
}

static void fw_cfg_reset(DeviceState *dev)
{
    FWCfgState *s = DEVICE_CAST(FWCfgState, dev);

    s->cur_key = FW_CFG_SIGNATURE;
    s->cur_offset = 0;
    s->dma_addr = 0;
}

static void fw_cfg_finalize(DeviceState *dev)
{
    FWCfgState *s = DEVICE_CAST(FWCfgState, dev);

    if (dev->realized) {
        memory_region_del_subregion(get_system_io(), &s->ctl_io);
        memory_region_del_subregion(get_system_io(), &s->dma_io);
        memory_region_finalize(&s->ctl_io);
        memory_region_finalize(&s->dma_io);
    }
    for (int i = 0; i < FW_CFG_NUM_ENTRIES; i++) {
        g_free(s->entries[i].data);
    }
    g_free(s->entries);
    g_array_unref(s->files);
}

static const Property fw_cfg_properties[] = {
    DEFINE_PROP_UINT32("iobase", FWCfgState, iobase, FW_CFG_IO_BASE),
    DEFINE_PROP_END_OF_LIST(),
};

/* The items are the board's (rebuilt at start); only the access position migrates. */
static const VMStateField fw_cfg_vmstate_fields[] = {
    VMSTATE_UINT16(cur_key, FWCfgState),
    VMSTATE_UINT32(cur_offset, FWCfgState),
    VMSTATE_UINT64(dma_addr, FWCfgState),
    VMSTATE_END_OF_LIST(),
};

static const VMStateDescription fw_cfg_vmstate = {
    .name = TYPE_FW_CFG_IO,
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = fw_cfg_vmstate_fields,
};

static const TypeInfo fw_cfg_io_info = {
    .name = TYPE_FW_CFG_IO,
    .parent = "device",
    .instance_size = sizeof(FWCfgState),
    .desc = "firmware configuration interface (I/O ports)",
    .props = fw_cfg_properties,
    .instance_init = fw_cfg_instance_init,
    .realize = fw_cfg_realize,
    .reset = fw_cfg_reset,
    .finalize = fw_cfg_finalize,
    .vmsd = &fw_cfg_vmstate,
};

static void fw_cfg_register(void)
{
    type_register(&fw_cfg_io_info);
}
type_init(fw_cfg_register)

FWCfgState *fw_cfg_init_io(uint16_t base, GError **errp)
{
    DeviceState *dev = qdev_new(TYPE_FW_CFG_IO);

    qdev_prop_set_uint32(dev, "iobase", base);
    if (!qdev_realize(dev, errp)) {
        qdev_destroy(dev);
        return NULL;
    }
    return DEVICE_CAST(FWCfgState, dev);
}
