/*
 * Memory API core: region objects (RAM/ROM backed by memfd, I/O, aliases,
 * containers), the region tree, its flattening into one sorted FlatView per
 * address space, transactions, listener notification and the "info mtree"
 * dump. Guest accesses through the views live in softmmu/physmem.c.
 *
 * A region of size UINT64_MAX stands for the whole 2^64 space, so ranges are
 * computed in 128-bit arithmetic while flattening.
 */
#include "util/osdep.h"

#include <sys/mman.h>

#include "exec/memory.h"
#include "softmmu/memory-internal.h"

typedef __int128 Addr128;

/* A range of the view under construction: [start, end) maps MR at OFFSET. */
typedef struct FlatRange {
    Addr128 start;
    Addr128 end;
    MemoryRegion *mr;
    uint64_t offset;
    bool readonly;          /* ROM, or reached through a read-only alias */
} FlatRange;

static unsigned transaction_depth;
static bool update_pending;
static uint64_t region_seq;
/* Every initialized AddressSpace, re-flattened at each commit. */
static GPtrArray *address_spaces;

static Addr128 region_size128(const MemoryRegion *mr)
{
    return mr->size == UINT64_MAX ? (Addr128)1 << 64 : (Addr128)mr->size;
}

static size_t host_page_size(void)
{
    return (size_t)sysconf(_SC_PAGESIZE);
}

static void memory_region_init_common(MemoryRegion *mr, MemoryRegionType type,
                                      const char *name, uint64_t size)
{
    memset(mr, 0, sizeof(*mr));
    mr->type = type;
    mr->name = g_strdup(name);
    mr->size = size;
    mr->enabled = true;
    mr->ram_fd = -1;
    mr->subregions = g_ptr_array_new();
}

void memory_region_init_container(MemoryRegion *mr, const char *name, uint64_t size)
{
    memory_region_init_common(mr, MR_CONTAINER, name, size);
}

/*
 * RAM and ROM: a memfd so the accelerator (and later migration) can share the
 * pages, mapped MAP_SHARED and rounded up to whole host pages. On failure MR is
 * left zeroed (ram_fd -1) with nothing to finalize.
 */
static bool memory_region_init_backed(MemoryRegion *mr, MemoryRegionType type,
                                      const char *name, uint64_t size, GError **errp)
{
    const char *label = name ? name : "ram";
    uint64_t page = host_page_size();
    uint64_t len;
    void *ptr;
    int fd;

    memset(mr, 0, sizeof(*mr));
    mr->ram_fd = -1;
    if (size == 0) {
        error_setg(errp, "memory region '%s': size must not be zero", label);
        return false;
    }
    /* off_t bounds the memfd; anything past it cannot be backed at all. */
    if (size > (uint64_t)INT64_MAX - page) {
        error_setg(errp, "memory region '%s': size 0x%" PRIx64 " is too large", label, size);
        return false;
    }
    len = ROUND_UP(size, page);
    fd = memfd_create(label, MFD_CLOEXEC);
    if (fd < 0) {
        error_setg_errno(errp, errno, "memory region '%s': memfd_create failed", label);
        return false;
    }
    if (ftruncate(fd, (off_t)len) < 0) {
        error_setg_errno(errp, errno, "memory region '%s': cannot size backing to 0x%" PRIx64,
                         label, len);
        close(fd);
        return false;
    }
    ptr = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (ptr == MAP_FAILED) {
        error_setg_errno(errp, errno, "memory region '%s': cannot map 0x%" PRIx64 " bytes",
                         label, len);
        close(fd);
        return false;
    }
    memory_region_init_common(mr, type, name, size);
    mr->ram = ptr;
    mr->ram_fd = fd;
    return true;
}

bool memory_region_init_ram(MemoryRegion *mr, const char *name, uint64_t size, GError **errp)
{
    return memory_region_init_backed(mr, MR_RAM, name, size, errp);
}

bool memory_region_init_rom(MemoryRegion *mr, const char *name, uint64_t size, GError **errp)
{
    return memory_region_init_backed(mr, MR_ROM, name, size, errp);
}

static bool access_size_ok(unsigned size)
{
    return size == 0 || size == 1 || size == 2 || size == 4 || size == 8;
}

void memory_region_init_io(MemoryRegion *mr, const MemoryRegionOps *ops, void *opaque,
                           const char *name, uint64_t size)
{
    /* The rules are static tables in device code: a bad one is a programming error. */
    if (ops) {
        unsigned vmin = ops->valid.min_access_size ? ops->valid.min_access_size : 1;
        unsigned vmax = ops->valid.max_access_size ? ops->valid.max_access_size : 8;
        unsigned imin = ops->impl.min_access_size ? ops->impl.min_access_size : vmin;
        unsigned imax = ops->impl.max_access_size ? ops->impl.max_access_size : vmax;

        g_assert(access_size_ok(ops->valid.min_access_size));
        g_assert(access_size_ok(ops->valid.max_access_size));
        g_assert(access_size_ok(ops->impl.min_access_size));
        g_assert(access_size_ok(ops->impl.max_access_size));
        g_assert(vmin <= vmax && imin <= imax);
    }
    memory_region_init_common(mr, MR_IO, name, size);
    mr->ops = ops;
    mr->opaque = opaque;
}

void memory_region_init_alias(MemoryRegion *mr, const char *name, MemoryRegion *orig,
                              uint64_t offset, uint64_t size)
{
    g_assert(orig && orig != mr);
    memory_region_init_common(mr, MR_ALIAS, name, size);
    mr->alias = orig;
    mr->alias_offset = offset;
}

static bool flatview_uses_region(const FlatView *fv, const MemoryRegion *mr)
{
    for (size_t i = 0; fv && i < fv->nr; i++) {
        if (fv->sections[i].mr == mr) {
            return true;
        }
    }
    return false;
}

/* True if MR is an address space root or still visible in a current view. */
static bool memory_region_in_use(const MemoryRegion *mr)
{
    for (guint i = 0; address_spaces && i < address_spaces->len; i++) {
        AddressSpace *as = g_ptr_array_index(address_spaces, i);

        if (as->root == mr || flatview_uses_region(as->view, mr)) {
            return true;
        }
    }
    return false;
}

void memory_region_finalize(MemoryRegion *mr)
{
    /* Views point at regions; a mapped region (or one whose removal is not
     * committed yet) would leave them dangling. */
    g_assert(!mr->parent);
    g_assert(!memory_region_in_use(mr));

    if (mr->subregions) {
        memory_region_transaction_begin();
        while (mr->subregions->len) {
            memory_region_del_subregion(mr, g_ptr_array_index(mr->subregions, 0));
        }
        memory_region_transaction_commit();
        g_ptr_array_free(mr->subregions, TRUE);
    }
    if (mr->ram) {
        munmap(mr->ram, ROUND_UP(mr->size, (uint64_t)host_page_size()));
    }
    if (mr->ram_fd >= 0) {
        close(mr->ram_fd);
    }
    g_free(mr->name);
    memset(mr, 0, sizeof(*mr));
    mr->ram_fd = -1;
}

/* Marks the topology changed; applied now or at the outermost commit. */
static void memory_region_update(void)
{
    memory_region_transaction_begin();
    update_pending = true;
    memory_region_transaction_commit();
}

/* Array order: descending priority, and later-added first among equals. */
static bool region_goes_before(const MemoryRegion *a, const MemoryRegion *b)
{
    return a->priority > b->priority || (a->priority == b->priority && a->seq > b->seq);
}

void memory_region_add_subregion_overlap(MemoryRegion *parent, uint64_t offset,
                                         MemoryRegion *sub, int priority)
{
    guint i;

    g_assert(parent->type != MR_ALIAS && parent->subregions);
    g_assert(!sub->parent);
    for (MemoryRegion *p = parent; p; p = p->parent) {
        g_assert(p != sub);
    }

    sub->parent = parent;
    sub->addr = offset;
    sub->priority = priority;
    sub->seq = ++region_seq;
    for (i = 0; i < parent->subregions->len; i++) {
        if (region_goes_before(sub, g_ptr_array_index(parent->subregions, i))) {
            break;
        }
    }
    g_ptr_array_insert(parent->subregions, i, sub);
    memory_region_update();
}

void memory_region_add_subregion(MemoryRegion *parent, uint64_t offset, MemoryRegion *sub)
{
    memory_region_add_subregion_overlap(parent, offset, sub, 0);
}

void memory_region_del_subregion(MemoryRegion *parent, MemoryRegion *sub)
{
    g_assert(sub->parent == parent);
    g_ptr_array_remove(parent->subregions, sub);
    sub->parent = NULL;
    memory_region_update();
}

void memory_region_set_enabled(MemoryRegion *mr, bool enabled)
{
    if (mr->enabled == enabled) {
        return;
    }
    mr->enabled = enabled;
    memory_region_update();
}

void memory_region_set_readonly(MemoryRegion *mr, bool readonly)
{
    if (mr->readonly == readonly) {
        return;
    }
    mr->readonly = readonly;
    memory_region_update();
}

void memory_region_set_address(MemoryRegion *mr, uint64_t addr)
{
    if (mr->addr == addr) {
        return;
    }
    mr->addr = addr;
    memory_region_update();
}

void memory_region_set_alias_offset(MemoryRegion *mr, uint64_t offset)
{
    g_assert(mr->type == MR_ALIAS);
    if (mr->alias_offset == offset) {
        return;
    }
    mr->alias_offset = offset;
    memory_region_update();
}

void *memory_region_get_ram_ptr(MemoryRegion *mr)
{
    return memory_region_is_ram(mr) ? mr->ram : NULL;
}

/* First range of the sorted, disjoint RANGES that ends after ADDR. */
static guint flat_ranges_first_after(GArray *ranges, Addr128 addr)
{
    guint lo = 0, hi = ranges->len;

    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;

        if (g_array_index(ranges, FlatRange, mid).end <= addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* Adds MR (whose offset 0 sits at BASE) where [start, end) is still uncovered. */
static void flat_ranges_fill_gaps(GArray *ranges, MemoryRegion *mr, Addr128 base,
                                  Addr128 start, Addr128 end, bool readonly)
{
    guint i = flat_ranges_first_after(ranges, start);
    Addr128 pos = start;

    while (pos < end) {
        if (i < ranges->len && g_array_index(ranges, FlatRange, i).start <= pos) {
            pos = g_array_index(ranges, FlatRange, i).end;
            i++;
            continue;
        }
        FlatRange fr = {
            .start = pos,
            .end = end,
            .mr = mr,
            .offset = (uint64_t)(pos - base),
            .readonly = readonly || mr->type == MR_ROM,
        };
        if (i < ranges->len && g_array_index(ranges, FlatRange, i).start < end) {
            fr.end = g_array_index(ranges, FlatRange, i).start;
        }
        g_array_insert_val(ranges, i, fr);
        i++;
        pos = fr.end;
    }
}

/*
 * Renders MR, whose offset 0 is at BASE, clipped to [clip_start, clip_end).
 * Higher-priority subregions are rendered first, so whatever is rendered
 * later only fills the gaps they left.
 */
static void flat_render(GArray *ranges, MemoryRegion *mr, Addr128 base,
                        Addr128 clip_start, Addr128 clip_end, bool readonly)
{
    Addr128 start = MAX(base, clip_start);
    Addr128 end = MIN(base + region_size128(mr), clip_end);

    if (!mr->enabled || start >= end) {
        return;
    }
    readonly |= mr->readonly;
    if (mr->type == MR_ALIAS) {
        flat_render(ranges, mr->alias, base - (Addr128)mr->alias_offset, start, end, readonly);
        return;
    }
    for (guint i = 0; i < mr->subregions->len; i++) {
        MemoryRegion *sub = g_ptr_array_index(mr->subregions, i);

        flat_render(ranges, sub, base + sub->addr, start, end, readonly);
    }
    if (mr->type != MR_CONTAINER) {
        flat_ranges_fill_gaps(ranges, mr, base, start, end, readonly);
    }
}

static void flatview_append(GArray *sections, const FlatRange *fr, Addr128 start, Addr128 end)
{
    MemoryRegionSection s = {
        .mr = fr->mr,
        .offset_within_region = fr->offset + (uint64_t)(start - fr->start),
        .offset_within_address_space = (uint64_t)start,
        .size = (uint64_t)(end - start),
        .readonly = fr->readonly,
    };
    g_array_append_val(sections, s);
}

static FlatView *flatview_render(MemoryRegion *root)
{
    GArray *ranges = g_array_new(FALSE, FALSE, sizeof(FlatRange));
    GArray *sections = g_array_new(FALSE, FALSE, sizeof(MemoryRegionSection));
    FlatView *fv = g_new0(FlatView, 1);
    guint i = 0;

    if (root) {
        flat_render(ranges, root, 0, 0, (Addr128)1 << 64, false);
    }
    while (i < ranges->len) {
        FlatRange fr = g_array_index(ranges, FlatRange, i++);

        /* Pieces of one region that ended up adjacent and contiguous are one section. */
        while (i < ranges->len) {
            FlatRange *next = &g_array_index(ranges, FlatRange, i);

            if (next->mr != fr.mr || next->start != fr.end || next->readonly != fr.readonly ||
                next->offset != fr.offset + (uint64_t)(fr.end - fr.start)) {
                break;
            }
            fr.end = next->end;
            i++;
        }
        /* A section's size is 64-bit: the whole 2^64 space takes two. */
        if (fr.end - fr.start > (Addr128)UINT64_MAX) {
            Addr128 mid = fr.start + ((Addr128)1 << 63);

            flatview_append(sections, &fr, fr.start, mid);
            flatview_append(sections, &fr, mid, fr.end);
        } else {
            flatview_append(sections, &fr, fr.start, fr.end);
        }
    }
    g_array_free(ranges, TRUE);
    fv->nr = sections->len;
    fv->sections = (MemoryRegionSection *)g_array_free(sections, FALSE);
    return fv;
}

static void flatview_free(FlatView *fv)
{
    if (fv) {
        g_free(fv->sections);
        g_free(fv);
    }
}

static bool section_equal(const MemoryRegionSection *a, const MemoryRegionSection *b)
{
    return a->mr == b->mr && a->offset_within_region == b->offset_within_region &&
           a->offset_within_address_space == b->offset_within_address_space &&
           a->size == b->size && a->readonly == b->readonly;
}

/*
 * Tells the listeners of AS about each section of FROM that is not identical
 * in TO: as region_del when DEL, otherwise as region_add. Both views are
 * sorted, so one merge walk finds the counterpart of each section.
 */
static void address_space_notify_diff(AddressSpace *as, const FlatView *from,
                                      const FlatView *to, bool del)
{
    size_t j = 0;

    for (size_t i = 0; i < from->nr; i++) {
        const MemoryRegionSection *s = &from->sections[i];

        while (j < to->nr &&
               to->sections[j].offset_within_address_space < s->offset_within_address_space) {
            j++;
        }
        if (j < to->nr && section_equal(&to->sections[j], s)) {
            continue;
        }
        for (guint k = 0; k < as->listeners->len; k++) {
            MemoryListener *l = g_ptr_array_index(as->listeners, k);
            /* A copy: listeners must not be able to corrupt the view. */
            MemoryRegionSection copy = *s;

            if (del && l->region_del) {
                l->region_del(l, &copy);
            } else if (!del && l->region_add) {
                l->region_add(l, &copy);
            }
        }
    }
}

/* New view first, then every removal, then every addition (slots never overlap). */
static void address_space_update_topology(AddressSpace *as)
{
    FlatView *old = as->view;
    FlatView *new = flatview_render(as->root);

    as->view = new;
    address_space_notify_diff(as, old, new, true);
    address_space_notify_diff(as, new, old, false);
    flatview_free(old);
}

void memory_region_transaction_begin(void)
{
    transaction_depth++;
}

void memory_region_transaction_commit(void)
{
    g_assert(transaction_depth > 0);
    if (transaction_depth > 1) {
        transaction_depth--;
        return;
    }
    /* Still "inside" while listeners run: changes they make are batched into another round. */
    while (update_pending) {
        update_pending = false;
        for (guint i = 0; address_spaces && i < address_spaces->len; i++) {
            address_space_update_topology(g_ptr_array_index(address_spaces, i));
        }
    }
    transaction_depth--;
}

void address_space_init(AddressSpace *as, MemoryRegion *root, const char *name)
{
    if (!address_spaces) {
        address_spaces = g_ptr_array_new();
    }
    as->name = g_strdup(name);
    as->root = root;
    as->listeners = g_ptr_array_new();
    as->view = flatview_render(root);
    g_ptr_array_add(address_spaces, as);
}

void address_space_destroy(AddressSpace *as)
{
    for (guint i = 0; i < as->listeners->len; i++) {
        MemoryListener *l = g_ptr_array_index(as->listeners, i);

        l->as = NULL;
    }
    g_ptr_array_free(as->listeners, TRUE);
    g_ptr_array_remove(address_spaces, as);
    if (!address_spaces->len) {
        g_ptr_array_free(address_spaces, TRUE);
        address_spaces = NULL;
    }
    flatview_free(as->view);
    g_free(as->name);
    memset(as, 0, sizeof(*as));
}

void memory_listener_register(MemoryListener *l, AddressSpace *as)
{
    g_assert(!l->as || l->as == as);
    g_assert(!g_ptr_array_find(as->listeners, l, NULL));
    l->as = as;
    g_ptr_array_add(as->listeners, l);
    for (size_t i = 0; l->region_add && i < as->view->nr; i++) {
        MemoryRegionSection copy = as->view->sections[i];

        l->region_add(l, &copy);
    }
}

/* No region_del replay: the listener simply stops hearing about changes. */
void memory_listener_unregister(MemoryListener *l)
{
    if (l->as) {
        g_ptr_array_remove(l->as->listeners, l);
        l->as = NULL;
    }
}

static const char *memory_region_type_name(const MemoryRegion *mr)
{
    while (mr->type == MR_ALIAS) {
        mr = mr->alias;
    }
    switch (mr->type) {
    case MR_RAM:
        return "ram";
    case MR_ROM:
        return "rom";
    case MR_IO:
        return "i/o";
    default:
        return "container";
    }
}

/* Last byte of [start, start+size), with size UINT64_MAX meaning 2^64. */
static uint64_t range_last(uint64_t start, uint64_t size)
{
    return start + (size == UINT64_MAX ? UINT64_MAX : size - 1);
}

/* Dump order as in QEMU: by address, then by descending priority. */
static gint dump_order(gconstpointer a, gconstpointer b)
{
    const MemoryRegion *ra = *(MemoryRegion *const *)a;
    const MemoryRegion *rb = *(MemoryRegion *const *)b;

    if (ra->addr != rb->addr) {
        return ra->addr < rb->addr ? -1 : 1;
    }
    return region_goes_before(ra, rb) ? -1 : region_goes_before(rb, ra);
}

static void memory_region_dump(MemoryRegion *mr, uint64_t base, int level, FILE *f)
{
    fprintf(f, "%*s%016" PRIx64 "-%016" PRIx64 " (prio %d, %s): ", level * 2, "", base,
            range_last(base, mr->size), mr->priority, memory_region_type_name(mr));
    if (mr->type == MR_ALIAS) {
        fprintf(f, "alias %s @%s %016" PRIx64 "-%016" PRIx64, mr->name ? mr->name : "anonymous",
                mr->alias->name ? mr->alias->name : "anonymous", mr->alias_offset,
                range_last(mr->alias_offset, mr->size));
    } else {
        fputs(mr->name ? mr->name : "anonymous", f);
    }
    fputs(mr->enabled ? "\n" : " [disabled]\n", f);

    if (mr->subregions && mr->subregions->len) {
        GPtrArray *subs = g_ptr_array_copy(mr->subregions, NULL, NULL);

        g_ptr_array_sort(subs, dump_order);
        for (guint i = 0; i < subs->len; i++) {
            MemoryRegion *sub = g_ptr_array_index(subs, i);

            memory_region_dump(sub, base + sub->addr, level + 1, f);
        }
        g_ptr_array_free(subs, TRUE);
    }
}

void memory_region_dump_tree(MemoryRegion *root, FILE *f)
{
    memory_region_dump(root, 0, 0, f);
}
