/*
 * Unit tests of the x86 CPU topology helpers: APIC ids for -smp layouts and
 * the CPUID table built for a KVM vCPU from a fake KVM_GET_SUPPORTED_CPUID.
 */
#include "util/osdep.h"
#include "target/i386/cpu.h"
#include "target/i386/kvm-x86.h"
#include "target/i386/topology.h"
#include <asm/kvm_para.h>

static void test_topo_width(void)
{
    static const unsigned expect[] = { 0, 0, 1, 2, 2, 3, 3, 3, 3, 4 };

    for (unsigned n = 0; n < G_N_ELEMENTS(expect); n++) {
        g_assert_cmpuint(x86_topo_width(n), ==, expect[n]);
    }
    g_assert_cmpuint(x86_topo_width(256), ==, 8);
    g_assert_cmpuint(x86_topo_width(257), ==, 9);
}

static void test_apic_id_flat(void)
{
    /* 1 core of 1 thread per package: the id is the index. */
    for (unsigned i = 0; i < 16; i++) {
        g_assert_cmpuint(x86_apic_id_from_index(i, 1, 1), ==, i);
        g_assert_cmpuint(x86_apic_id_from_index(i, 0, 0), ==, i);
    }
    /* Powers of two leave no holes either. */
    for (unsigned i = 0; i < 16; i++) {
        g_assert_cmpuint(x86_apic_id_from_index(i, 2, 2), ==, i);
    }
}

static void test_apic_id_holes(void)
{
    /* 3 cores, 1 thread: the core field is 2 bits wide, package 1 starts at 4. */
    static const uint32_t three_cores[] = { 0, 1, 2, 4, 5, 6, 8 };
    /* 3 cores of 3 threads: 2 bits each, package 1 starts at 16. */
    static const struct { unsigned index; uint32_t id; } c3t3[] = {
        { 0, 0 }, { 2, 2 }, { 3, 4 }, { 5, 6 }, { 8, 10 }, { 9, 16 }, { 17, 26 },
    };

    for (unsigned i = 0; i < G_N_ELEMENTS(three_cores); i++) {
        g_assert_cmpuint(x86_apic_id_from_index(i, 3, 1), ==, three_cores[i]);
    }
    for (unsigned i = 0; i < G_N_ELEMENTS(c3t3); i++) {
        g_assert_cmpuint(x86_apic_id_from_index(c3t3[i].index, 3, 3), ==, c3t3[i].id);
    }
    /* 6 cores of 2 threads: thread 1 bit, core 3 bits; index 13 is package 1, core 0, thread 1. */
    g_assert_cmpuint(x86_apic_id_from_index(13, 6, 2), ==, 17);
    g_assert_cmpuint(x86_apic_id_from_index(11, 6, 2), ==, (5 << 1) | 1);
}

/* A fake KVM_GET_SUPPORTED_CPUID with room for N entries. */
static struct kvm_cpuid2 *fake_new(unsigned n)
{
    struct kvm_cpuid2 *c = g_malloc0(sizeof(*c) + n * sizeof(c->entries[0]));

    return c;
}

static void fake_add(struct kvm_cpuid2 *c, uint32_t fn, uint32_t idx, bool indexed,
                     uint32_t eax, uint32_t ebx, uint32_t ecx, uint32_t edx)
{
    c->entries[c->nent++] = (struct kvm_cpuid_entry2) {
        .function = fn, .index = idx,
        .flags = indexed ? KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0,
        .eax = eax, .ebx = ebx, .ecx = ecx, .edx = edx,
    };
}

static void fake_add_vendor(struct kvm_cpuid2 *c, uint32_t max_leaf, const char *vendor)
{
    uint32_t r[3];

    memcpy(r, vendor, 12);
    /* vendor string order: EBX, EDX, ECX */
    fake_add(c, 0, 0, false, max_leaf, r[0], r[2], r[1]);
}

/* The cache leaf as Intel hosts report it: type in EAX[4:0], level in EAX[7:5]. */
static void fake_add_cache(struct kvm_cpuid2 *c, uint32_t sub, unsigned level, unsigned type)
{
    /* host bits in the topology fields that must be replaced: 0xfc000000 | 0x03ffc000 */
    fake_add(c, 4, sub, true, 0xfffc0000 | (level << 5) | type, 0x1c0003f, 0x3f, 0);
}

static unsigned count_leaf(struct kvm_cpuid2 *c, uint32_t fn)
{
    unsigned n = 0;

    for (uint32_t i = 0; i < c->nent; i++) {
        n += c->entries[i].function == fn;
    }
    return n;
}

static struct kvm_cpuid_entry2 *must_find(struct kvm_cpuid2 *c, uint32_t fn, uint32_t idx)
{
    struct kvm_cpuid_entry2 *e = x86_kvm_cpuid_find(c, fn, idx);

    g_assert_nonnull(e);
    return e;
}

static struct kvm_cpuid2 *fake_intel(uint32_t max_leaf)
{
    struct kvm_cpuid2 *c = fake_new(32);

    fake_add_vendor(c, max_leaf, "GenuineIntel");
    fake_add(c, 1, 0, false, 0x806c1, 0x00000800, 0x7ffafbff, 0xbfebfbff);
    fake_add_cache(c, 0, 1, 1);      /* L1d */
    fake_add_cache(c, 1, 1, 2);      /* L1i */
    fake_add_cache(c, 2, 2, 3);      /* L2 */
    fake_add_cache(c, 3, 3, 3);      /* L3 */
    fake_add(c, 4, 4, true, 0, 0, 0, 0);
    /* KVM reports the topology leaves zeroed */
    fake_add(c, 0xb, 0, true, 0, 0, 0, 0);
    fake_add(c, 0xb, 1, true, 0, 0, 0, 0);
    if (max_leaf >= 0x1f) {
        fake_add(c, 0x1f, 0, true, 0, 0, 0, 0);
    }
    fake_add(c, KVM_CPUID_SIGNATURE, 0, false, KVM_CPUID_FEATURES, 0x4b4d564b, 0x564b4d56,
             0x4d);
    fake_add(c, KVM_CPUID_FEATURES, 0, false, 0x01007afb, 0, 0, 0);
    fake_add(c, 0x80000000, 0, false, 0x80000008, 0, 0, 0);
    fake_add(c, 0x80000008, 0, false, 0x3027, 0, 0x1234, 0);
    return c;
}

static void check_topology_leaf(struct kvm_cpuid2 *c, uint32_t leaf, uint32_t apic_id,
                                unsigned core_shift, unsigned pkg_shift, unsigned threads,
                                unsigned lps)
{
    struct kvm_cpuid_entry2 *e;

    g_assert_cmpuint(count_leaf(c, leaf), ==, 3);
    e = must_find(c, leaf, 0);
    g_assert_cmpuint(e->eax, ==, core_shift);
    g_assert_cmpuint(e->ebx, ==, threads);
    g_assert_cmphex(e->ecx, ==, 0x100);
    g_assert_cmpuint(e->edx, ==, apic_id);
    e = must_find(c, leaf, 1);
    g_assert_cmpuint(e->eax, ==, pkg_shift);
    g_assert_cmpuint(e->ebx, ==, lps);
    g_assert_cmphex(e->ecx, ==, 0x201);
    g_assert_cmpuint(e->edx, ==, apic_id);
    e = must_find(c, leaf, 2);
    g_assert_cmpuint(e->eax, ==, 0);
    g_assert_cmpuint(e->ebx, ==, 0);
    g_assert_cmphex(e->ecx, ==, 0x2);
    g_assert_cmpuint(e->edx, ==, apic_id);
}

static void test_cpuid_intel_smp(void)
{
    struct kvm_cpuid2 *host = fake_intel(0x1b);
    /* 3 cores of 2 threads: thread id 1 bit, core id 2 bits; vCPU 3 is core 1 thread 1. */
    uint32_t apic_id = x86_apic_id_from_index(3, 3, 2);
    struct kvm_cpuid2 *c = x86_kvm_cpuid_build(host, apic_id, 3, 2);
    struct kvm_cpuid_entry2 *e;

    g_assert_cmpuint(apic_id, ==, 3);
    g_assert_cmphex(must_find(c, 0, 0)->eax, ==, 0x1b);

    e = must_find(c, 1, 0);
    g_assert_cmphex(e->eax, ==, 0x806c1);
    g_assert_cmphex(e->ebx, ==, (3u << 24) | (8u << 16) | 0x0800);
    g_assert_true(e->ecx & (1u << 31));
    g_assert_cmphex(e->ecx & 0x7fffffff, ==, 0x7ffafbff);
    g_assert_true(e->edx & (1u << 28));

    /* L1/L2 are shared by the 2 threads of a core, L3 by the 8 ids of the package. */
    for (uint32_t sub = 0; sub < 4; sub++) {
        e = must_find(c, 4, sub);
        g_assert_cmpuint(e->eax >> 26, ==, 3);
        g_assert_cmpuint((e->eax >> 14) & 0xfff, ==, sub == 3 ? 7 : 1);
        g_assert_cmphex(e->eax & 0x3fff, ==, ((sub == 3 ? 3u : sub == 2 ? 2u : 1u) << 5) |
                        (sub == 0 ? 1u : sub == 1 ? 2u : 3u));
        g_assert_cmphex(e->ebx, ==, 0x1c0003f);
    }
    g_assert_cmphex(must_find(c, 4, 4)->eax, ==, 0);

    check_topology_leaf(c, 0xb, apic_id, 1, 3, 2, 6);
    g_assert_cmpuint(count_leaf(c, 0x1f), ==, 0);

    /* Intel: the AMD topology field of 0x80000008 is left alone. */
    g_assert_cmphex(must_find(c, 0x80000008, 0)->ecx, ==, 0x1234);

    g_assert_cmpuint(count_leaf(c, KVM_CPUID_SIGNATURE), ==, 1);
    e = must_find(c, KVM_CPUID_SIGNATURE, 0);
    g_assert_cmphex(e->eax, ==, KVM_CPUID_FEATURES);
    g_assert_cmpmem(&e->ebx, 4, "KVMK", 4);
    g_assert_cmpmem(&e->ecx, 4, "VMKV", 4);
    g_assert_cmpmem(&e->edx, 4, "M\0\0\0", 4);
    g_assert_cmpuint(count_leaf(c, KVM_CPUID_FEATURES), ==, 1);
    g_assert_cmphex(must_find(c, KVM_CPUID_FEATURES, 0)->eax, ==, 0x01007afb);

    g_free(c);
    g_free(host);
}

static void test_cpuid_leaf_1f(void)
{
    struct kvm_cpuid2 *host = fake_intel(0x20);
    struct kvm_cpuid2 *c = x86_kvm_cpuid_build(host, 0x21, 4, 1);

    /* The zeroed host 0x1F is replaced by the same levels as 0xB. */
    check_topology_leaf(c, 0xb, 0x21, 0, 2, 1, 4);
    check_topology_leaf(c, 0x1f, 0x21, 0, 2, 1, 4);
    /* 4 cores of 1 thread: ids per package 4, APIC id's low byte in EBX[31:24]. */
    g_assert_cmphex(must_find(c, 1, 0)->ebx >> 16, ==, (0x21u << 8) | 4);
    g_free(c);
    g_free(host);
}

static void test_cpuid_uniprocessor(void)
{
    struct kvm_cpuid2 *host = fake_intel(0x7);
    struct kvm_cpuid2 *c = x86_kvm_cpuid_build(host, 0, 1, 1);
    struct kvm_cpuid_entry2 *e;

    /* The maximum basic leaf is raised so that the guest sees leaf 0xB. */
    g_assert_cmphex(must_find(c, 0, 0)->eax, ==, 0xb);
    e = must_find(c, 1, 0);
    g_assert_cmphex(e->ebx, ==, (1u << 16) | 0x0800);
    g_assert_false(e->edx & (1u << 28));
    g_assert_cmpuint(must_find(c, 4, 3)->eax >> 14, ==, 0);
    check_topology_leaf(c, 0xb, 0, 0, 0, 1, 1);
    g_free(c);
    g_free(host);
}

static void test_cpuid_amd(void)
{
    struct kvm_cpuid2 *host = fake_new(16);
    struct kvm_cpuid2 *c;
    struct kvm_cpuid_entry2 *e;
    uint32_t apic_id = x86_apic_id_from_index(5, 4, 2);   /* core 2, thread 1 */

    fake_add_vendor(host, 0x10, "AuthenticAMD");
    fake_add(host, 1, 0, false, 0xa10f11, 0x00000800, 0x7ef8320b, 0x178bfbff);
    fake_add(host, 0x80000000, 0, false, 0x80000021, 0, 0, 0);
    fake_add(host, 0x80000008, 0, false, 0x3030, 0, 0xffffffff, 0);
    fake_add(host, 0x8000001e, 0, false, 0, 0, 0, 0);
    c = x86_kvm_cpuid_build(host, apic_id, 4, 2);

    g_assert_cmpuint(apic_id, ==, 5);
    /* NC = 8 logical processors - 1, ApicIdCoreIdSize = 3 bits; other bits kept. */
    e = must_find(c, 0x80000008, 0);
    g_assert_cmphex(e->ecx, ==, (0xffffffffu & ~0xf0ffu) | (3u << 12) | 7);
    e = must_find(c, 0x8000001e, 0);
    g_assert_cmpuint(e->eax, ==, 5);
    g_assert_cmphex(e->ebx, ==, (1u << 8) | 2);
    g_assert_cmphex(e->ecx, ==, 0);
    /* No host paravirt leaves at all: both are provided. */
    g_assert_cmpuint(count_leaf(c, KVM_CPUID_SIGNATURE), ==, 1);
    g_assert_cmpuint(count_leaf(c, KVM_CPUID_FEATURES), ==, 1);
    check_topology_leaf(c, 0xb, 5, 1, 3, 2, 8);
    g_free(c);
    g_free(host);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/x86-cpu/topo-width", test_topo_width);
    g_test_add_func("/x86-cpu/apic-id/flat", test_apic_id_flat);
    g_test_add_func("/x86-cpu/apic-id/holes", test_apic_id_holes);
    g_test_add_func("/x86-cpu/cpuid/intel-smp", test_cpuid_intel_smp);
    g_test_add_func("/x86-cpu/cpuid/leaf-1f", test_cpuid_leaf_1f);
    g_test_add_func("/x86-cpu/cpuid/uniprocessor", test_cpuid_uniprocessor);
    g_test_add_func("/x86-cpu/cpuid/amd", test_cpuid_amd);
    return g_test_run();
}
