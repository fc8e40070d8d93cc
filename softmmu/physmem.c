/*
 * Guest-physical accesses through an address space's flat view: RAM copies,
 * ROM write protection, I/O dispatch following each region's access-size
 * rules, unmapped and out-of-range bytes; DMA mapping, section lookup, and the
 * machine's two system address spaces.
 *
 * Every access looks its section up again (binary search, no allocation), so
 * an I/O callback that changes the topology never leaves us reading a freed
 * view.
 */
#include "util/osdep.h"

#include "exec/memory.h"
#include "softmmu/memory-internal.h"
#include "util/log.h"

AddressSpace address_space_memory;
AddressSpace address_space_io;
static MemoryRegion system_memory;
static MemoryRegion system_io;
static MemoryCodeWriteHook code_write_hook;

typedef enum AccessKind {
    ACCESS_READ,
    ACCESS_WRITE,
    ACCESS_WRITE_ROM,   /* loaders: ROM is writable, I/O is left alone */
} AccessKind;

/* The effective access-size rules of an I/O region (zeros resolved). */
typedef struct AccessRules {
    unsigned valid_min, valid_max;
    bool unaligned;
    unsigned impl_min, impl_max;
} AccessRules;

size_t flatview_find_section(const FlatView *fv, uint64_t addr, bool *found)
{
    size_t lo = 0, hi = fv ? fv->nr : 0;

    /* lo ends as the first section starting above ADDR. */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (fv->sections[mid].offset_within_address_space <= addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo > 0) {
        const MemoryRegionSection *s = &fv->sections[lo - 1];

        if (addr - s->offset_within_address_space < s->size) {
            *found = true;
            return lo - 1;
        }
    }
    *found = false;
    return lo;
}

static const char *access_kind_name(AccessKind kind)
{
    return kind == ACCESS_READ ? "read" : "write";
}

static AccessRules access_rules(const MemoryRegionOps *ops)
{
    AccessRules r = { 1, 8, false, 0, 0 };

    if (ops) {
        r.valid_min = ops->valid.min_access_size ? ops->valid.min_access_size : 1;
        r.valid_max = ops->valid.max_access_size ? ops->valid.max_access_size : 8;
        r.unaligned = ops->valid.unaligned;
        r.impl_min = ops->impl.min_access_size;
        r.impl_max = ops->impl.max_access_size;
    }
    r.impl_min = r.impl_min ? r.impl_min : r.valid_min;
    r.impl_max = r.impl_max ? r.impl_max : r.valid_max;
    return r;
}

static uint64_t load_le(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;

    for (unsigned i = size; i-- > 0;) {
        v = v << 8 | p[i];
    }
    return v;
}

static void store_le(uint8_t *p, unsigned size, uint64_t v)
{
    for (unsigned i = 0; i < size; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

/* One callback of SIZE bytes at region offset OFF, BUF in little-endian order. */
static void io_call(MemoryRegion *mr, uint64_t off, uint8_t *buf, unsigned size, bool is_write)
{
    if (is_write) {
        mr->ops->write(mr->opaque, off, load_le(buf, size), size);
    } else {
        store_le(buf, size, mr->ops->read(mr->opaque, off, size));
    }
}

/*
 * An access narrower than impl.min: cover [off, off+size) with impl.min-sized
 * aligned units, reading each and, for a write, merging BUF and writing back.
 */
static void io_access_narrow(MemoryRegion *mr, uint64_t off, uint8_t *buf, unsigned size,
                             bool is_write, unsigned unit)
{
    uint64_t first = ROUND_DOWN(off, (uint64_t)unit);
    unsigned head = (unsigned)(off - first);
    unsigned units = DIV_ROUND_UP(head + size, unit);

    for (unsigned u = 0; u < units; u++) {
        uint64_t unit_off = first + (uint64_t)u * unit;
        uint8_t bytes[8];

        /* A write-only device has nothing to merge with: its other bytes read as 0. */
        store_le(bytes, unit, mr->ops->read ? mr->ops->read(mr->opaque, unit_off, unit) : 0);
        for (unsigned b = 0; b < unit; b++) {
            unsigned pos = u * unit + b;

            if (pos < head || pos >= head + size) {
                continue;
            }
            if (is_write) {
                bytes[b] = buf[pos - head];
            } else {
                buf[pos - head] = bytes[b];
            }
        }
        if (is_write) {
            mr->ops->write(mr->opaque, unit_off, load_le(bytes, unit), unit);
        }
    }
}

/* One access the valid rules accept, carried out with the sizes the callbacks implement. */
static void io_access_piece(MemoryRegion *mr, const AccessRules *r, uint64_t off, uint8_t *buf,
                            unsigned size, bool is_write)
{
    if (size < r->impl_min) {
        io_access_narrow(mr, off, buf, size, is_write, r->impl_min);
        return;
    }
    for (unsigned done = 0; done < size; done += MIN(size, r->impl_max)) {
        io_call(mr, off + done, buf + done, MIN(size, r->impl_max), is_write);
    }
}

/*
 * LEN bytes of the I/O region MR from offset OFF (ADDR in the address space),
 * split into the largest naturally aligned pieces the valid rules allow.
 */
static MemTxResult io_access(AddressSpace *as, MemoryRegion *mr, uint64_t addr, uint64_t off,
                             uint8_t *buf, uint64_t len, bool is_write)
{
    AccessRules r = access_rules(mr->ops);
    bool has_callback = mr->ops && (is_write ? mr->ops->write != NULL : mr->ops->read != NULL);
    MemTxResult res = MEMTX_OK;

    while (len) {
        unsigned size = r.valid_max;

        while (size > len) {
            size >>= 1;
        }
        while (!r.unaligned && (off & (size - 1))) {
            size >>= 1;
        }
        if (size < r.valid_min || !has_callback) {
            log_mask_printf(LOG_GUEST_ERROR,
                            "invalid %u-byte %s at 0x%" PRIx64 " in '%s' (region '%s' offset "
                            "0x%" PRIx64 ", allows %u..%u bytes%s)\n",
                            size, is_write ? "write" : "read", addr, as->name,
                            mr->name ? mr->name : "anonymous", off, r.valid_min, r.valid_max,
                            !has_callback ? ", no callback" :
                            r.unaligned ? "" : " aligned");
            if (!is_write) {
                memset(buf, 0xff, size);
            }
            res = MEMTX_ERROR;
        } else {
            io_access_piece(mr, &r, off, buf, size, is_write);
        }
        addr += size;
        off += size;
        buf += size;
        len -= size;
    }
    return res;
}

/* LEN bytes of section S, starting DELTA bytes into it (ADDR in the address space). */
static MemTxResult section_access(AddressSpace *as, const MemoryRegionSection *s, uint64_t addr,
                                  uint64_t delta, uint8_t *buf, uint64_t len, AccessKind kind)
{
    MemoryRegion *mr = s->mr;
    uint64_t off = s->offset_within_region + delta;

    if (!memory_region_is_ram(mr)) {
        if (kind == ACCESS_WRITE_ROM) {
            return MEMTX_ERROR;
        }
        return io_access(as, mr, addr, off, buf, len, kind == ACCESS_WRITE);
    }
    if (kind == ACCESS_READ) {
        memcpy(buf, mr->ram + off, len);
    } else if (kind == ACCESS_WRITE && s->readonly) {
        log_mask_printf(LOG_GUEST_ERROR,
                        "write of %" PRIu64 " bytes at 0x%" PRIx64 " in '%s' to ROM '%s' "
                        "dropped\n", len, addr, as->name, mr->name ? mr->name : "anonymous");
    } else {
        memcpy(mr->ram + off, buf, len);
        if (code_write_hook && as == &address_space_memory) {
            code_write_hook(addr, len);
        }
    }
    return MEMTX_OK;
}

/* Bytes nothing answers: reads see 0xff, writes vanish. */
static void unmapped_access(AddressSpace *as, uint64_t addr, uint8_t *buf, uint64_t len,
                            AccessKind kind, const char *what)
{
    log_mask_printf(LOG_GUEST_ERROR, "%s of %" PRIu64 " bytes at 0x%" PRIx64 " in '%s': %s\n",
                    access_kind_name(kind), len, addr, as->name, what);
    if (kind == ACCESS_READ) {
        memset(buf, 0xff, len);
    }
}

static MemTxResult address_space_access(AddressSpace *as, uint64_t addr, uint8_t *buf,
                                        uint64_t len, AccessKind kind)
{
    MemTxResult res = MEMTX_OK;
    uint64_t beyond = 0;

    /* Physical addresses do not wrap: what lies past 2^64 - 1 is unmapped. */
    if (addr != 0 && len > -addr) {
        beyond = len - -addr;
        len = -addr;
    }
    while (len) {
        /* Looked up afresh each time: a device callback may have changed the view. */
        const FlatView *fv = as->view;
        bool found;
        size_t i = flatview_find_section(fv, addr, &found);
        uint64_t n = len;
        MemTxResult r;

        if (found) {
            MemoryRegionSection s = fv->sections[i];
            uint64_t delta = addr - s.offset_within_address_space;

            n = MIN(len, s.size - delta);
            r = section_access(as, &s, addr, delta, buf, n, kind);
        } else {
            if (fv && i < fv->nr) {
                n = MIN(len, fv->sections[i].offset_within_address_space - addr);
            }
            unmapped_access(as, addr, buf, n, kind, "unmapped");
            r = MEMTX_DECODE_ERROR;
        }
        res = MAX(res, r);
        addr += n;
        buf += n;
        len -= n;
    }
    if (beyond) {
        unmapped_access(as, addr, buf, beyond, kind, "past the end of the address space");
        res = MEMTX_DECODE_ERROR;
    }
    return res;
}

MemTxResult address_space_read(AddressSpace *as, uint64_t addr, void *buf, uint64_t len)
{
    return address_space_access(as, addr, buf, len, ACCESS_READ);
}

/* The cast is safe: write paths only ever read from BUF. */
MemTxResult address_space_write(AddressSpace *as, uint64_t addr, const void *buf, uint64_t len)
{
    return address_space_access(as, addr, (uint8_t *)buf, len, ACCESS_WRITE);
}

MemTxResult address_space_rw(AddressSpace *as, uint64_t addr, void *buf, uint64_t len,
                             bool is_write)
{
    return address_space_access(as, addr, buf, len, is_write ? ACCESS_WRITE : ACCESS_READ);
}

MemTxResult address_space_write_rom(AddressSpace *as, uint64_t addr, const void *buf,
                                    uint64_t len)
{
    return address_space_access(as, addr, (uint8_t *)buf, len, ACCESS_WRITE_ROM);
}

void *address_space_map(AddressSpace *as, uint64_t addr, uint64_t *plen, bool is_write)
{
    const FlatView *fv = as->view;
    const MemoryRegionSection *s;
    uint64_t delta, avail;
    uint8_t *host;
    bool found;
    size_t i = flatview_find_section(fv, addr, &found);

    if (!found) {
        *plen = 0;
        return NULL;
    }
    s = &fv->sections[i];
    if (!memory_region_is_ram(s->mr) || (is_write && s->readonly)) {
        *plen = 0;
        return NULL;
    }
    delta = addr - s->offset_within_address_space;
    host = s->mr->ram + s->offset_within_region + delta;
    avail = s->size - delta;
    /* Following sections continue the run only if they are the next bytes of the same block. */
    while (avail < *plen && i + 1 < fv->nr) {
        const MemoryRegionSection *next = &fv->sections[i + 1];

        if (next->mr != s->mr ||
            next->offset_within_address_space != s->offset_within_address_space + s->size ||
            next->offset_within_region != s->offset_within_region + s->size) {
            break;
        }
        avail += next->size;
        s = next;
        i++;
    }
    *plen = MIN(*plen, avail);
    if (is_write && code_write_hook && as == &address_space_memory) {
        code_write_hook(addr, *plen);
    }
    return host;
}

void memory_set_code_write_hook(MemoryCodeWriteHook hook)
{
    code_write_hook = hook;
}

bool address_space_lookup(AddressSpace *as, uint64_t addr, MemoryRegionSection *out)
{
    bool found;
    size_t i = flatview_find_section(as->view, addr, &found);

    if (found) {
        *out = as->view->sections[i];
    }
    return found;
}

void address_space_foreach_section(AddressSpace *as,
                                   void (*fn)(MemoryRegionSection *s, void *opaque),
                                   void *opaque)
{
    /* A snapshot, so FN may even change the topology without pulling the view from under us. */
    size_t nr = as->view ? as->view->nr : 0;
    MemoryRegionSection *copy = g_memdup2(nr ? as->view->sections : NULL,
                                          nr * sizeof(MemoryRegionSection));

    for (size_t i = 0; i < nr; i++) {
        fn(&copy[i], opaque);
    }
    g_free(copy);
}

void memory_system_init(void)
{
    static bool done;

    if (done) {
        return;
    }
    done = true;
    /* UINT64_MAX stands for the whole 2^64 space. */
    memory_region_init_container(&system_memory, "system", UINT64_MAX);
    memory_region_init_container(&system_io, "io", 64 * KiB);
    address_space_init(&address_space_memory, &system_memory, "memory");
    address_space_init(&address_space_io, &system_io, "I/O");
}

MemoryRegion *get_system_memory(void)
{
    memory_system_init();
    return &system_memory;
}

MemoryRegion *get_system_io(void)
{
    memory_system_init();
    return &system_io;
}
