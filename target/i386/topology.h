/*
 * x86 APIC id layout: an APIC id is the package, core and thread numbers of a
 * logical processor packed in bit fields, each field as wide as needed for
 * its count rounded up to a power of two (Intel SDM vol. 3A, 9.9.1; the
 * same rule CPUID leaves 1, 4, 0xB and 0x1F describe to the guest).
 */
#ifndef TARGET_I386_TOPOLOGY_H
#define TARGET_I386_TOPOLOGY_H

#include "util/osdep.h"

/* Bits needed for COUNT ids: ceil(log2(COUNT)), 0 for a count of 0 or 1. */
static inline unsigned x86_topo_width(unsigned count)
{
    return count > 1 ? 32 - __builtin_clz(count - 1) : 0;
}

/* Shift of the core id field (= width of the thread id field). */
static inline unsigned x86_topo_core_shift(unsigned threads)
{
    return x86_topo_width(threads);
}

/* Shift of the package id field (= width of thread and core id fields). */
static inline unsigned x86_topo_pkg_shift(unsigned cores, unsigned threads)
{
    return x86_topo_width(threads) + x86_topo_width(cores);
}

#endif
