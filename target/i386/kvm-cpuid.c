/*
 * The CPUID table of a KVM vCPU: what KVM_GET_SUPPORTED_CPUID reports for the
 * host, with the topology leaves describing this vCPU's place in the -smp
 * layout and the leaves that tell the guest it runs on KVM. A pure function of
 * its inputs, so tests run it on a fake table.
 */
#include "util/osdep.h"
#include "target/i386/kvm-x86.h"
#include "target/i386/topology.h"
#include <asm/kvm_para.h>

/* EBX, ECX, EDX of leaf 0x40000000 */
#define KVM_SIGNATURE "KVMKVMKVM\0\0\0"

#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_1_EDX_HTT        (1u << 28)

/* Level types of leaves 0xB and 0x1F (ECX[15:8]). */
#define CPUID_TOPO_LEVEL_INVALID 0
#define CPUID_TOPO_LEVEL_SMT     1
#define CPUID_TOPO_LEVEL_CORE    2

/* Subleaves of 0xB/0x1F we describe: SMT, core, then the terminating invalid level. */
#define CPUID_TOPO_SUBLEAVES 3

typedef struct CpuidTopo {
    uint32_t apic_id;
    unsigned cores, threads;
    unsigned core_shift;   /* bits of the thread id */
    unsigned pkg_shift;    /* bits of thread and core ids */
} CpuidTopo;

struct kvm_cpuid_entry2 *x86_kvm_cpuid_find(struct kvm_cpuid2 *cpuid, uint32_t function,
                                            uint32_t index)
{
    for (uint32_t i = 0; i < cpuid->nent; i++) {
        struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

        if (e->function == function &&
            (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) || e->index == index)) {
            return e;
        }
    }
    return NULL;
}

static bool cpuid_is_amd(struct kvm_cpuid2 *cpuid)
{
    struct kvm_cpuid_entry2 *e = x86_kvm_cpuid_find(cpuid, 0, 0);
    char vendor[13];

    if (!e) {
        return false;
    }
    memcpy(vendor, &e->ebx, 4);
    memcpy(vendor + 4, &e->edx, 4);
    memcpy(vendor + 8, &e->ecx, 4);
    vendor[12] = 0;
    return !strcmp(vendor, "AuthenticAMD") || !strcmp(vendor, "HygonGenuine");
}

static struct kvm_cpuid_entry2 *cpuid_append(struct kvm_cpuid2 *cpuid, uint32_t function,
                                             uint32_t index, uint32_t flags)
{
    struct kvm_cpuid_entry2 *e = &cpuid->entries[cpuid->nent++];

    memset(e, 0, sizeof(*e));
    e->function = function;
    e->index = index;
    e->flags = flags;
    return e;
}

/* Leaf 0xB or 0x1F: one subleaf per level, each with the x2APIC id in EDX. */
static void cpuid_append_topology(struct kvm_cpuid2 *cpuid, uint32_t leaf, const CpuidTopo *t)
{
    for (uint32_t sub = 0; sub < CPUID_TOPO_SUBLEAVES; sub++) {
        struct kvm_cpuid_entry2 *e = cpuid_append(cpuid, leaf, sub,
                                                  KVM_CPUID_FLAG_SIGNIFCANT_INDEX);

        e->edx = t->apic_id;
        e->ecx = sub;
        if (sub == 0) {
            e->eax = t->core_shift;
            e->ebx = t->threads;
            e->ecx |= CPUID_TOPO_LEVEL_SMT << 8;
        } else if (sub == 1) {
            e->eax = t->pkg_shift;
            e->ebx = t->cores * t->threads;
            e->ecx |= CPUID_TOPO_LEVEL_CORE << 8;
        } else {
            e->ecx |= CPUID_TOPO_LEVEL_INVALID << 8;
        }
    }
}

/* Rewrites the host's topology in the leaves KVM copied from it. */
static void cpuid_fix_entry(struct kvm_cpuid_entry2 *e, const CpuidTopo *t, bool amd)
{
    unsigned pkg_ids = 1u << t->pkg_shift;

    switch (e->function) {
    case 1:
        /* EBX[23:16] addressable logical processor ids, EBX[31:24] initial APIC id */
        e->ebx = (e->ebx & 0xffff) | (MIN(pkg_ids, 255u) << 16) | ((t->apic_id & 0xff) << 24);
        if (pkg_ids > 1) {
            e->edx |= CPUID_1_EDX_HTT;
        } else {
            e->edx &= ~CPUID_1_EDX_HTT;
        }
        e->ecx |= CPUID_1_ECX_HYPERVISOR;
        break;
    case 4:
        if (e->eax & 0x1f) {
            /* EAX[25:14] ids sharing this cache - 1, EAX[31:26] core ids - 1 */
            unsigned level = (e->eax >> 5) & 7;
            unsigned sharing = level >= 3 ? pkg_ids : 1u << t->core_shift;
            unsigned core_ids = 1u << (t->pkg_shift - t->core_shift);

            e->eax &= 0x3fff;
            e->eax |= (MIN(sharing, 4096u) - 1) << 14;
            e->eax |= (MIN(core_ids, 64u) - 1) << 26;
        }
        break;
    case 0x80000008:
        if (amd) {
            /* ECX[15:12] APIC id bits of the core, ECX[7:0] logical processors - 1 */
            e->ecx &= ~0xf0ffu;
            e->ecx |= (t->pkg_shift & 0xf) << 12;
            e->ecx |= (MIN(t->cores * t->threads, 256u) - 1) & 0xff;
        }
        break;
    case 0x8000001e:
        if (amd) {
            /* extended APIC id; core id and threads per core - 1; node 0 of 1 */
            e->eax = t->apic_id;
            e->ebx = (((t->threads - 1) & 0xff) << 8) |
                     ((t->apic_id >> t->core_shift) & ((1u << (t->pkg_shift - t->core_shift)) - 1)
                      & 0xff);
            e->ecx = 0;
            e->edx = 0;
        }
        break;
    }
}

struct kvm_cpuid2 *x86_kvm_cpuid_build(const struct kvm_cpuid2 *supported, uint32_t apic_id,
                                       unsigned cores, unsigned threads)
{
    /* 0xB, 0x1F, 0x40000000 and possibly 0x40000001 are (re)generated. */
    uint32_t max_nent = supported->nent + 2 * CPUID_TOPO_SUBLEAVES + 2;
    struct kvm_cpuid2 *cpuid = g_malloc0(sizeof(*cpuid) + max_nent * sizeof(cpuid->entries[0]));
    struct kvm_cpuid_entry2 *leaf0, *e;
    CpuidTopo t;
    bool amd;

    cores = MAX(cores, 1);
    threads = MAX(threads, 1);
    t = (CpuidTopo) {
        .apic_id = apic_id,
        .cores = cores,
        .threads = threads,
        .core_shift = x86_topo_core_shift(threads),
        .pkg_shift = x86_topo_pkg_shift(cores, threads),
    };

    for (uint32_t i = 0; i < supported->nent; i++) {
        uint32_t fn = supported->entries[i].function;

        if (fn != 0xb && fn != 0x1f && fn != KVM_CPUID_SIGNATURE) {
            cpuid->entries[cpuid->nent++] = supported->entries[i];
        }
    }
    amd = cpuid_is_amd(cpuid);
    for (uint32_t i = 0; i < cpuid->nent; i++) {
        cpuid_fix_entry(&cpuid->entries[i], &t, amd);
    }

    /* Leaf 0xB is always described: raise the maximum basic leaf to reach it. */
    leaf0 = x86_kvm_cpuid_find(cpuid, 0, 0);
    if (leaf0) {
        leaf0->eax = MAX(leaf0->eax, 0xbu);
        cpuid_append_topology(cpuid, 0xb, &t);
        if (leaf0->eax >= 0x1f) {
            cpuid_append_topology(cpuid, 0x1f, &t);
        }
    }

    e = cpuid_append(cpuid, KVM_CPUID_SIGNATURE, 0, 0);
    e->eax = KVM_CPUID_FEATURES;
    memcpy(&e->ebx, KVM_SIGNATURE, 4);
    memcpy(&e->ecx, KVM_SIGNATURE + 4, 4);
    memcpy(&e->edx, KVM_SIGNATURE + 8, 4);
    if (!x86_kvm_cpuid_find(cpuid, KVM_CPUID_FEATURES, 0)) {
        cpuid_append(cpuid, KVM_CPUID_FEATURES, 0, 0);
    }
    return cpuid;
}
