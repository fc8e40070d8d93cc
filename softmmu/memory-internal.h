/*
 * Private to the memory API (softmmu/memory.c builds flat views,
 * softmmu/physmem.c reads them): the layout of a flattened view and the
 * binary search both files use. Nothing outside softmmu/ includes this.
 */
#ifndef SOFTMMU_MEMORY_INTERNAL_H
#define SOFTMMU_MEMORY_INTERNAL_H

#include "exec/memory.h"

/*
 * Sections sorted by address, non-overlapping, in one array so that a lookup
 * is a binary search without allocation. A view is immutable: a topology
 * change builds a new one and frees the old.
 */
struct FlatView {
    MemoryRegionSection *sections;
    size_t nr;
};

/*
 * Index of the section containing ADDR (*FOUND true), or else of the first
 * section above ADDR (fv->nr if none; *FOUND false).
 */
size_t flatview_find_section(const FlatView *fv, uint64_t addr, bool *found);

#endif
