/*
 * Memory API: a tree of regions flattened into one sorted view per address space.
 *
 * Regions are RAM, ROM (RAM the guest cannot write), I/O (callbacks) or
 * containers; an alias shows part of another region. Subregions of a container
 * with a higher priority hide lower ones where they overlap; among equal
 * priorities the one added later wins. All topology changes and dispatch happen
 * with the global lock (BQL) held.
 */
#ifndef EXEC_MEMORY_H
#define EXEC_MEMORY_H

#include "util/osdep.h"

typedef struct MemoryRegion MemoryRegion;
typedef struct AddressSpace AddressSpace;
typedef struct FlatView FlatView;

typedef enum MemTxResult {
    MEMTX_OK = 0,
    MEMTX_ERROR = 1,        /* the device rejected the access */
    MEMTX_DECODE_ERROR = 2, /* nothing is mapped there */
} MemTxResult;

typedef struct MemoryRegionOps {
    /* ADDR is relative to the region start; SIZE is 1, 2, 4 or 8. */
    uint64_t (*read)(void *opaque, uint64_t addr, unsigned size);
    void (*write)(void *opaque, uint64_t addr, uint64_t val, unsigned size);
    /*
     * What the guest may do. An access outside these rules is a guest error:
     * logged under -d guest_errors, reads return all ones, writes are dropped.
     * Zero means "any" (min 1, max 8).
     */
    struct {
        unsigned min_access_size;
        unsigned max_access_size;
        bool unaligned;
    } valid;
    /*
     * What the callbacks implement. A wider access is split into several
     * little-endian pieces of impl.max_access_size; a narrower one is done as
     * an impl.min_access_size read (and, for writes, read-modify-write).
     * Zero means "same as valid".
     */
    struct {
        unsigned min_access_size;
        unsigned max_access_size;
    } impl;
} MemoryRegionOps;

typedef enum MemoryRegionType {
    MR_CONTAINER,
    MR_RAM,
    MR_ROM,
    MR_IO,
    MR_ALIAS,
} MemoryRegionType;

struct MemoryRegion {
    MemoryRegionType type;
    char *name;
    uint64_t size;
    /* Set when added to a parent. */
    MemoryRegion *parent;
    uint64_t addr;
    int priority;
    bool enabled;
    bool readonly;              /* set_readonly: guest writes through it are dropped */
    /* RAM/ROM: host backing (page aligned, zeroed at init). */
    uint8_t *ram;
    int ram_fd;                 /* memfd backing RAM, -1 if none */
    /* IO */
    const MemoryRegionOps *ops;
    void *opaque;
    /* ALIAS */
    MemoryRegion *alias;
    uint64_t alias_offset;
    /* CONTAINER: subregions sorted by descending priority, later-added first. */
    GPtrArray *subregions;
    /* Insertion counter used to order equal priorities. */
    uint64_t seq;
};

/* One piece of the flattened view: [addr, addr+size) maps MR at OFFSET_IN_MR. */
typedef struct MemoryRegionSection {
    MemoryRegion *mr;            /* never a container or alias */
    uint64_t offset_within_region;
    uint64_t offset_within_address_space;
    uint64_t size;
    bool readonly;               /* ROM */
} MemoryRegionSection;

typedef struct MemoryListener MemoryListener;
struct MemoryListener {
    /* Called for every section that appeared / disappeared in a commit. */
    void (*region_add)(MemoryListener *l, MemoryRegionSection *s);
    void (*region_del)(MemoryListener *l, MemoryRegionSection *s);
    AddressSpace *as;
};

struct AddressSpace {
    char *name;
    MemoryRegion *root;
    FlatView *view;
    GPtrArray *listeners;
};

void memory_region_init_container(MemoryRegion *mr, const char *name, uint64_t size);
/* RAM backed by an anonymous memfd (so KVM and later migration can share it). */
bool memory_region_init_ram(MemoryRegion *mr, const char *name, uint64_t size, GError **errp);
bool memory_region_init_rom(MemoryRegion *mr, const char *name, uint64_t size, GError **errp);
void memory_region_init_io(MemoryRegion *mr, const MemoryRegionOps *ops, void *opaque,
                           const char *name, uint64_t size);
void memory_region_init_alias(MemoryRegion *mr, const char *name, MemoryRegion *orig,
                              uint64_t offset, uint64_t size);
/* Frees what init allocated (RAM, name); the region must not be mapped. */
void memory_region_finalize(MemoryRegion *mr);

void memory_region_add_subregion(MemoryRegion *parent, uint64_t offset, MemoryRegion *sub);
void memory_region_add_subregion_overlap(MemoryRegion *parent, uint64_t offset,
                                         MemoryRegion *sub, int priority);
void memory_region_del_subregion(MemoryRegion *parent, MemoryRegion *sub);
void memory_region_set_enabled(MemoryRegion *mr, bool enabled);
/*
 * A read-only region (typically an alias of RAM, as chipset shadow-RAM
 * controls make): the guest reads what is below, its writes are dropped.
 */
void memory_region_set_readonly(MemoryRegion *mr, bool readonly);
void memory_region_set_address(MemoryRegion *mr, uint64_t addr);
void memory_region_set_alias_offset(MemoryRegion *mr, uint64_t offset);

static inline uint64_t memory_region_size(const MemoryRegion *mr)
{
    return mr->size;
}
static inline bool memory_region_is_ram(const MemoryRegion *mr)
{
    return mr->type == MR_RAM || mr->type == MR_ROM;
}
/* Host pointer to the start of a RAM/ROM region (NULL for others). */
void *memory_region_get_ram_ptr(MemoryRegion *mr);

/*
 * Batch several topology changes into one re-flattening. Nested; the view of
 * every address space is recomputed and listeners told at the outermost commit.
 * Without an explicit transaction each change is its own.
 */
void memory_region_transaction_begin(void);
void memory_region_transaction_commit(void);

void address_space_init(AddressSpace *as, MemoryRegion *root, const char *name);
void address_space_destroy(AddressSpace *as);
/* Registers and replays the current view as region_add calls. */
void memory_listener_register(MemoryListener *l, AddressSpace *as);
void memory_listener_unregister(MemoryListener *l);

/*
 * Guest-physical access. LEN may span regions; RAM is copied, I/O regions are
 * accessed with the widest size their rules allow. Every byte is bounds
 * checked: if any part of the range is unmapped the result is
 * MEMTX_DECODE_ERROR (reads of unmapped bytes give 0xff, writes there are
 * dropped) and nothing outside guest memory is ever touched.
 */
MemTxResult address_space_read(AddressSpace *as, uint64_t addr, void *buf, uint64_t len);
MemTxResult address_space_write(AddressSpace *as, uint64_t addr, const void *buf, uint64_t len);
MemTxResult address_space_rw(AddressSpace *as, uint64_t addr, void *buf, uint64_t len,
                             bool is_write);
/* Writes to ROM too (used by loaders). */
MemTxResult address_space_write_rom(AddressSpace *as, uint64_t addr, const void *buf,
                                    uint64_t len);
/*
 * Direct host pointer for DMA to [addr, addr+*plen) if it is RAM (ROM only
 * when !is_write); *plen is shortened to the contiguous RAM part. NULL if
 * ADDR itself is not RAM.
 */
void *address_space_map(AddressSpace *as, uint64_t addr, uint64_t *plen, bool is_write);

/*
 * For an accelerator that caches translations of guest code (TCG): HOOK runs
 * after every write through address_space_write*() that reaches RAM of
 * address_space_memory, and whenever address_space_map() hands RAM out for
 * writing, with the guest-physical range. NULL (the default): nothing runs.
 */
typedef void (*MemoryCodeWriteHook)(uint64_t addr, uint64_t len);
void memory_set_code_write_hook(MemoryCodeWriteHook hook);

/* The section covering ADDR, or false when unmapped. */
bool address_space_lookup(AddressSpace *as, uint64_t addr, MemoryRegionSection *out);
/* Calls FN for each section of the view, in ascending address order. */
void address_space_foreach_section(AddressSpace *as,
                                   void (*fn)(MemoryRegionSection *s, void *opaque),
                                   void *opaque);
/* "info mtree"-style dump of the region tree. */
void memory_region_dump_tree(MemoryRegion *root, FILE *f);

/* The machine's two address spaces, created by machine init. */
extern AddressSpace address_space_memory;
extern AddressSpace address_space_io;
MemoryRegion *get_system_memory(void);
MemoryRegion *get_system_io(void);
/* Creates the system memory/io roots and address spaces (idempotent). */
void memory_system_init(void);

#endif
