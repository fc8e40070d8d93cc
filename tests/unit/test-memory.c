/*
 * Unit tests for the memory API (softmmu/memory.c, softmmu/physmem.c): region
 * types, priorities, aliases, nesting, flattening, listener diffs,
 * transactions, access splitting by valid/impl rules, guest-error answers,
 * unmapped and wrapping ranges, DMA mapping, ROM, the system address spaces
 * and the "info mtree" dump. Each case builds its own tree and address space
 * and tears it down, so ASan also checks that finalize frees everything.
 */
#include "util/osdep.h"

#include "exec/memory.h"
#include "util/log.h"

/* A device with 256 bytes of little-endian registers that records every callback. */
typedef struct TestDev {
    uint8_t regs[256];
    GString *calls;
    /* Optional side effect of a write: used to change the topology mid-access. */
    void (*on_write)(struct TestDev *d);
    MemoryRegion *victim;
} TestDev;

static uint64_t dev_read(void *opaque, uint64_t addr, unsigned size)
{
    TestDev *d = opaque;
    uint64_t v = 0;

    g_assert_cmpuint(addr + size, <=, sizeof(d->regs));
    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)d->regs[addr + i] << (8 * i);
    }
    g_string_append_printf(d->calls, "r%u@%" PRIx64 ";", size, addr);
    return v;
}

static void dev_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    TestDev *d = opaque;

    g_assert_cmpuint(addr + size, <=, sizeof(d->regs));
    for (unsigned i = 0; i < size; i++) {
        d->regs[addr + i] = (uint8_t)(val >> (8 * i));
    }
    g_string_append_printf(d->calls, "w%u@%" PRIx64 "=%" PRIx64 ";", size, addr, val);
    if (d->on_write) {
        d->on_write(d);
    }
}

static void dev_init(TestDev *d)
{
    memset(d, 0, sizeof(*d));
    for (unsigned i = 0; i < sizeof(d->regs); i++) {
        d->regs[i] = (uint8_t)i;
    }
    d->calls = g_string_new(NULL);
}

static void dev_take_calls(TestDev *d, const char *expected)
{
    g_assert_cmpstr(d->calls->str, ==, expected);
    g_string_truncate(d->calls, 0);
}

static const MemoryRegionOps any_ops = {
    .read = dev_read,
    .write = dev_write,
};

static const MemoryRegionOps max4_ops = {
    .read = dev_read,
    .write = dev_write,
    .valid.max_access_size = 4,
};

static const MemoryRegionOps impl_min4_ops = {
    .read = dev_read,
    .write = dev_write,
    .impl.min_access_size = 4,
};

static const MemoryRegionOps impl_max2_ops = {
    .read = dev_read,
    .write = dev_write,
    .impl.max_access_size = 2,
};

static const MemoryRegionOps strict4_ops = {
    .read = dev_read,
    .write = dev_write,
    .valid.min_access_size = 4,
    .valid.max_access_size = 4,
};

static const MemoryRegionOps unaligned4_ops = {
    .read = dev_read,
    .write = dev_write,
    .valid.min_access_size = 4,
    .valid.max_access_size = 4,
    .valid.unaligned = true,
};

static const MemoryRegionOps write_only_ops = {
    .write = dev_write,
};

/* "name:first-last@offset;" for every section of the view. */
static void describe_section(MemoryRegionSection *s, void *opaque)
{
    g_string_append_printf(opaque, "%s:%" PRIx64 "-%" PRIx64 "@%" PRIx64 "%s;", s->mr->name,
                           s->offset_within_address_space,
                           s->offset_within_address_space + s->size - 1,
                           s->offset_within_region, s->readonly ? "ro" : "");
}

static void assert_view(AddressSpace *as, const char *expected)
{
    GString *str = g_string_new(NULL);

    address_space_foreach_section(as, describe_section, str);
    g_assert_cmpstr(str->str, ==, expected);
    g_string_free(str, TRUE);
}

typedef struct TestListener {
    MemoryListener l;
    GString *log;
} TestListener;

static void listener_add(MemoryListener *l, MemoryRegionSection *s)
{
    TestListener *t = container_of(l, TestListener, l);

    g_string_append_c(t->log, '+');
    describe_section(s, t->log);
}

static void listener_del(MemoryListener *l, MemoryRegionSection *s)
{
    TestListener *t = container_of(l, TestListener, l);

    g_string_append_c(t->log, '-');
    describe_section(s, t->log);
}

static void listener_init(TestListener *t)
{
    memset(t, 0, sizeof(*t));
    t->l.region_add = listener_add;
    t->l.region_del = listener_del;
    t->log = g_string_new(NULL);
}

static void listener_take(TestListener *t, const char *expected)
{
    g_assert_cmpstr(t->log->str, ==, expected);
    g_string_truncate(t->log, 0);
}

static void new_ram(MemoryRegion *mr, const char *name, uint64_t size)
{
    g_assert_true(memory_region_init_ram(mr, name, size, NULL));
}

static void test_ram_init(void)
{
    MemoryRegion ram, rom;
    GError *err = NULL;
    uint8_t *p;

    g_assert_true(memory_region_init_ram(&ram, "ram", 5000, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(memory_region_size(&ram), ==, 5000);
    g_assert_true(memory_region_is_ram(&ram));
    g_assert_cmpint(ram.ram_fd, >=, 0);
    p = memory_region_get_ram_ptr(&ram);
    g_assert_nonnull(p);
    g_assert_cmpuint((uintptr_t)p % (uintptr_t)sysconf(_SC_PAGESIZE), ==, 0);
    /* Zeroed, and the tail of the last host page is backed too. */
    for (uint64_t i = 0; i < 8192; i++) {
        g_assert_cmpuint(p[i], ==, 0);
    }
    p[8191] = 1;
    memory_region_finalize(&ram);
    g_assert_cmpint(ram.ram_fd, ==, -1);

    g_assert_true(memory_region_init_rom(&rom, "rom", 4096, NULL));
    g_assert_true(memory_region_is_ram(&rom));
    g_assert_cmpint(rom.type, ==, MR_ROM);
    memory_region_finalize(&rom);
}

static void test_ram_init_errors(void)
{
    MemoryRegion ram;
    GError *err = NULL;

    g_assert_false(memory_region_init_ram(&ram, "zero", 0, &err));
    g_assert_nonnull(err);
    g_clear_error(&err);
    g_assert_cmpint(ram.ram_fd, ==, -1);
    memory_region_finalize(&ram);

    g_assert_false(memory_region_init_ram(&ram, "huge", UINT64_MAX, &err));
    g_assert_nonnull(err);
    g_clear_error(&err);

    /* Representable but beyond what the host can map. */
    g_assert_false(memory_region_init_rom(&ram, "vast", 1ULL << 62, &err));
    g_assert_nonnull(err);
    g_clear_error(&err);
    g_assert_null(memory_region_get_ram_ptr(&ram));
}

static void test_priority_overlap(void)
{
    MemoryRegion root, ram, io, low;
    AddressSpace as;
    TestDev d;

    dev_init(&d);
    memory_region_init_container(&root, "root", 0x10000);
    new_ram(&ram, "ram", 0x4000);
    memory_region_init_io(&io, &any_ops, &d, "io", 0x1000);
    memory_region_init_io(&low, &any_ops, &d, "low", 0x8000);
    address_space_init(&as, &root, "test");

    memory_region_add_subregion(&root, 0, &ram);
    memory_region_add_subregion_overlap(&root, 0x1000, &io, 1);
    assert_view(&as, "ram:0-fff@0;io:1000-1fff@0;ram:2000-3fff@2000;");

    /* Lower priority, added last: only fills what is left. */
    memory_region_add_subregion_overlap(&root, 0x2000, &low, -1);
    assert_view(&as, "ram:0-fff@0;io:1000-1fff@0;ram:2000-3fff@2000;low:4000-9fff@2000;");

    memory_region_del_subregion(&root, &io);
    assert_view(&as, "ram:0-3fff@0;low:4000-9fff@2000;");
    g_assert_null(io.parent);

    memory_region_del_subregion(&root, &low);
    memory_region_del_subregion(&root, &ram);
    assert_view(&as, "");
    address_space_destroy(&as);
    memory_region_finalize(&root);
    memory_region_finalize(&ram);
    memory_region_finalize(&io);
    memory_region_finalize(&low);
    g_string_free(d.calls, TRUE);
}

static void test_equal_priority_order(void)
{
    MemoryRegion root, a, b, c;
    AddressSpace as;

    memory_region_init_container(&root, "root", 0x10000);
    new_ram(&a, "a", 0x2000);
    new_ram(&b, "b", 0x2000);
    new_ram(&c, "c", 0x2000);
    address_space_init(&as, &root, "test");

    memory_region_add_subregion(&root, 0, &a);
    memory_region_add_subregion(&root, 0x1000, &b);
    assert_view(&as, "a:0-fff@0;b:1000-2fff@0;");
    /* Same priority, added later: wins where it overlaps. */
    memory_region_add_subregion(&root, 0x800, &c);
    assert_view(&as, "a:0-7ff@0;c:800-27ff@0;b:2800-2fff@1800;");
    /* Re-adding a moves it to the top of its priority. */
    memory_region_del_subregion(&root, &a);
    memory_region_add_subregion(&root, 0, &a);
    assert_view(&as, "a:0-1fff@0;c:2000-27ff@1800;b:2800-2fff@1800;");
    /* A higher priority beats any order. */
    memory_region_del_subregion(&root, &b);
    memory_region_add_subregion_overlap(&root, 0x1000, &b, 2);
    assert_view(&as, "a:0-fff@0;b:1000-2fff@0;");

    memory_region_set_address(&b, 0x3000);
    assert_view(&as, "a:0-1fff@0;c:2000-27ff@1800;b:3000-4fff@0;");

    address_space_destroy(&as);
    memory_region_finalize(&root);
    g_assert_null(a.parent);
    memory_region_finalize(&a);
    memory_region_finalize(&b);
    memory_region_finalize(&c);
}

static void test_alias(void)
{
    MemoryRegion root, ram, win, win2, io, io_alias;
    AddressSpace as;
    TestDev d;
    uint8_t *host;
    uint32_t v = 0;
    uint8_t byte = 0;

    dev_init(&d);
    memory_region_init_container(&root, "root", 1ULL << 32);
    new_ram(&ram, "ram", 0x10000);
    host = memory_region_get_ram_ptr(&ram);
    memory_region_init_alias(&win, "win", &ram, 0x2000, 0x1000);
    memory_region_init_alias(&win2, "win2", &win, 0x800, 0x1000);
    memory_region_init_io(&io, &any_ops, &d, "io", 0x100);
    memory_region_init_alias(&io_alias, "io-alias", &io, 0x10, 0x10);
    address_space_init(&as, &root, "test");

    memory_region_add_subregion(&root, 0x100000, &win);
    assert_view(&as, "ram:100000-100fff@2000;");
    memory_region_add_subregion(&root, 0x200000, &win2);
    /* An alias of an alias is clipped by both windows. */
    assert_view(&as, "ram:100000-100fff@2000;ram:200000-2007ff@2800;");

    v = 0x11223344;
    g_assert_cmpint(address_space_write(&as, 0x100010, &v, 4), ==, MEMTX_OK);
    g_assert_cmpuint(host[0x2010], ==, 0x44);
    g_assert_cmpuint(host[0x2013], ==, 0x11);
    g_assert_cmpint(address_space_read(&as, 0x200000, &byte, 1), ==, MEMTX_OK);
    host[0x2800] = 0x5a;
    g_assert_cmpint(address_space_read(&as, 0x200000, &byte, 1), ==, MEMTX_OK);
    g_assert_cmpuint(byte, ==, 0x5a);

    memory_region_set_alias_offset(&win, 0x3000);
    assert_view(&as, "ram:100000-100fff@3000;ram:200000-2007ff@3800;");
    /* An offset past the target's end shows nothing. */
    memory_region_set_alias_offset(&win, 0x10000);
    assert_view(&as, "");
    memory_region_set_alias_offset(&win, 0x2000);

    /* Alias of I/O: callbacks see offsets within the original region. */
    memory_region_add_subregion(&root, 0x1000, &io_alias);
    g_assert_cmpint(address_space_read(&as, 0x1004, &v, 4), ==, MEMTX_OK);
    g_assert_cmphex(v, ==, 0x17161514);
    dev_take_calls(&d, "r4@14;");

    memory_region_del_subregion(&root, &win);
    memory_region_del_subregion(&root, &win2);
    memory_region_del_subregion(&root, &io_alias);
    address_space_destroy(&as);
    memory_region_finalize(&root);
    memory_region_finalize(&win2);
    memory_region_finalize(&win);
    memory_region_finalize(&io_alias);
    memory_region_finalize(&io);
    memory_region_finalize(&ram);
    g_string_free(d.calls, TRUE);
}

static void test_alias_of_container(void)
{
    MemoryRegion root, box, a, b, view;
    AddressSpace as;

    memory_region_init_container(&root, "root", 0x100000);
    memory_region_init_container(&box, "box", 0x10000);
    new_ram(&a, "a", 0x1000);
    new_ram(&b, "b", 0x1000);
    memory_region_add_subregion(&box, 0x0, &a);
    memory_region_add_subregion(&box, 0x3000, &b);
    memory_region_init_alias(&view, "view", &box, 0x800, 0x3000);
    address_space_init(&as, &root, "test");

    memory_region_add_subregion(&root, 0x40000, &view);
    assert_view(&as, "a:40000-407ff@800;b:42800-42fff@0;");

    memory_region_transaction_begin();
    memory_region_del_subregion(&root, &view);
    memory_region_transaction_commit();
    address_space_destroy(&as);
    memory_region_finalize(&view);
    memory_region_finalize(&root);
    memory_region_finalize(&box);
    memory_region_finalize(&a);
    memory_region_finalize(&b);
}

static void test_nested_containers(void)
{
    MemoryRegion root, outer, inner, ram, big;
    AddressSpace as;

    memory_region_init_container(&root, "root", 0x100000);
    memory_region_init_container(&outer, "outer", 0x4000);
    memory_region_init_container(&inner, "inner", 0x2000);
    new_ram(&ram, "ram", 0x1000);
    new_ram(&big, "big", 0x10000);
    address_space_init(&as, &root, "test");

    memory_region_add_subregion(&inner, 0x100, &ram);
    memory_region_add_subregion(&outer, 0x1000, &inner);
    memory_region_add_subregion(&root, 0x10000, &outer);
    assert_view(&as, "ram:11100-120ff@0;");

    /* A subregion larger than its container is clipped to it. */
    memory_region_add_subregion_overlap(&inner, 0x800, &big, -1);
    assert_view(&as, "ram:11100-120ff@0;big:12100-12fff@900;");
    /* Moving a container moves everything inside. */
    memory_region_set_address(&outer, 0x20000);
    assert_view(&as, "ram:21100-220ff@0;big:22100-22fff@900;");
    /* A container near the root's end is clipped by the root too. */
    memory_region_set_address(&outer, 0xfe000);
    assert_view(&as, "ram:ff100-fffff@0;");

    memory_region_set_enabled(&inner, false);
    assert_view(&as, "");
    memory_region_set_enabled(&inner, true);
    assert_view(&as, "ram:ff100-fffff@0;");

    memory_region_del_subregion(&root, &outer);
    address_space_destroy(&as);
    memory_region_finalize(&root);
    memory_region_finalize(&outer);
    memory_region_finalize(&inner);
    memory_region_finalize(&ram);
    memory_region_finalize(&big);
}

static void test_enable_disable(void)
{
    MemoryRegion root, ram, io;
    AddressSpace as;
    TestDev d;

    dev_init(&d);
    memory_region_init_container(&root, "root", 0x10000);
    new_ram(&ram, "ram", 0x4000);
    memory_region_init_io(&io, &any_ops, &d, "io", 0x1000);
    memory_region_add_subregion(&root, 0, &ram);
    memory_region_add_subregion_overlap(&root, 0x1000, &io, 1);
    address_space_init(&as, &root, "test");

    assert_view(&as, "ram:0-fff@0;io:1000-1fff@0;ram:2000-3fff@2000;");
    memory_region_set_enabled(&io, false);
    assert_view(&as, "ram:0-3fff@0;");
    memory_region_set_enabled(&io, true);
    assert_view(&as, "ram:0-fff@0;io:1000-1fff@0;ram:2000-3fff@2000;");
    memory_region_set_enabled(&root, false);
    assert_view(&as, "");
    memory_region_set_enabled(&root, true);

    address_space_destroy(&as);
    memory_region_finalize(&root);
    memory_region_finalize(&ram);
    memory_region_finalize(&io);
    g_string_free(d.calls, TRUE);
}

static void test_listener_diffs(void)
{
    MemoryRegion root, ram, io, rom;
    AddressSpace as;
    TestListener t, quiet;
    TestDev d;

    dev_init(&d);
    memory_region_init_container(&root, "root", 0x100000);
    new_ram(&ram, "ram", 0x4000);
    memory_region_init_io(&io, &any_ops, &d, "io", 0x1000);
    g_assert_true(memory_region_init_rom(&rom, "rom", 0x1000, NULL));
    memory_region_add_subregion(&root, 0, &ram);
    address_space_init(&as, &root, "test");

    listener_init(&t);
    memory_listener_register(&t.l, &as);
    g_assert_true(t.l.as == &as);
    listener_take(&t, "+ram:0-3fff@0;");

    /* Only what changed is reported: removals first, then additions. */
    memory_region_add_subregion_overlap(&root, 0x1000, &io, 1);
    listener_take(&t, "-ram:0-3fff@0;+ram:0-fff@0;+io:1000-1fff@0;+ram:2000-3fff@2000;");

    memory_region_add_subregion(&root, 0x8000, &rom);
    listener_take(&t, "+rom:8000-8fff@0ro;");

    memory_region_set_address(&rom, 0x9000);
    listener_take(&t, "-rom:8000-8fff@0ro;+rom:9000-9fff@0ro;");

    /* Setting the same state again is not a change. */
    memory_region_set_address(&rom, 0x9000);
    memory_region_set_enabled(&io, true);
    listener_take(&t, "");

    memory_region_set_enabled(&io, false);
    listener_take(&t, "-ram:0-fff@0;-io:1000-1fff@0;-ram:2000-3fff@2000;+ram:0-3fff@0;");

    /* A second listener gets the replay; the first hears nothing of it. */
    listener_init(&quiet);
    quiet.l.region_del = NULL;
    memory_listener_register(&quiet.l, &as);
    listener_take(&quiet, "+ram:0-3fff@0;+rom:9000-9fff@0ro;");
    listener_take(&t, "");

    memory_listener_unregister(&t.l);
    g_assert_null(t.l.as);
    memory_region_del_subregion(&root, &rom);
    listener_take(&t, "");
    listener_take(&quiet, "");
    memory_region_del_subregion(&root, &io);
    memory_region_set_enabled(&io, true);

    address_space_destroy(&as);
    g_assert_null(quiet.l.as);
    memory_region_del_subregion(&root, &ram);
    listener_take(&quiet, "");
    memory_region_finalize(&root);
    memory_region_finalize(&ram);
    memory_region_finalize(&io);
    memory_region_finalize(&rom);
    g_string_free(t.log, TRUE);
    g_string_free(quiet.log, TRUE);
    g_string_free(d.calls, TRUE);
}

static void test_transaction(void)
{
    MemoryRegion root, a, b, c;
    AddressSpace as;
    TestListener t;

    memory_region_init_container(&root, "root", 0x100000);
    new_ram(&a, "a", 0x1000);
    new_ram(&b, "b", 0x1000);
    new_ram(&c, "c", 0x1000);
    address_space_init(&as, &root, "test");
    listener_init(&t);
    memory_listener_register(&t.l, &as);

    memory_region_transaction_begin();
    memory_region_add_subregion(&root, 0x1000, &a);
    memory_region_transaction_begin();
    memory_region_add_subregion(&root, 0x3000, &b);
    memory_region_add_subregion(&root, 0x5000, &c);
    memory_region_transaction_commit();
    /* Inner commit: nothing happens yet, not even in the view. */
    listener_take(&t, "");
    assert_view(&as, "");
    memory_region_set_address(&b, 0x2000);
    memory_region_transaction_commit();
    listener_take(&t, "+a:1000-1fff@0;+b:2000-2fff@0;+c:5000-5fff@0;");
    assert_view(&as, "a:1000-1fff@0;b:2000-2fff@0;c:5000-5fff@0;");

    /* Changes that cancel out inside a transaction are invisible. */
    memory_region_transaction_begin();
    memory_region_set_enabled(&c, false);
    memory_region_set_address(&a, 0x7000);
    memory_region_set_address(&a, 0x1000);
    memory_region_set_enabled(&c, true);
    memory_region_transaction_commit();
    listener_take(&t, "");

    /* An empty transaction is fine. */
    memory_region_transaction_begin();
    memory_region_transaction_commit();
    listener_take(&t, "");

    memory_region_transaction_begin();
    memory_region_del_subregion(&root, &a);
    memory_region_del_subregion(&root, &b);
    memory_region_del_subregion(&root, &c);
    memory_region_transaction_commit();
    listener_take(&t, "-a:1000-1fff@0;-b:2000-2fff@0;-c:5000-5fff@0;");

    memory_listener_unregister(&t.l);
    address_space_destroy(&as);
    memory_region_finalize(&root);
    memory_region_finalize(&a);
    memory_region_finalize(&b);
    memory_region_finalize(&c);
    g_string_free(t.log, TRUE);
}

/* One container holding one I/O region at 0x1000; torn down by io_fixture_fini. */
typedef struct IoFixture {
    MemoryRegion root, io;
    AddressSpace as;
    TestDev d;
} IoFixture;

static void io_fixture_init(IoFixture *f, const MemoryRegionOps *ops)
{
    dev_init(&f->d);
    memory_region_init_container(&f->root, "root", 0x10000);
    memory_region_init_io(&f->io, ops, &f->d, "dev", 0x100);
    memory_region_add_subregion(&f->root, 0x1000, &f->io);
    address_space_init(&f->as, &f->root, "test");
}

static void io_fixture_fini(IoFixture *f)
{
    memory_region_del_subregion(&f->root, &f->io);
    address_space_destroy(&f->as);
    memory_region_finalize(&f->io);
    memory_region_finalize(&f->root);
    g_string_free(f->d.calls, TRUE);
}

static void test_split_valid_max(void)
{
    IoFixture f;
    uint64_t v = 0;
    uint8_t buf[7];

    io_fixture_init(&f, &max4_ops);
    g_assert_cmpint(address_space_read(&f.as, 0x1010, &v, 8), ==, MEMTX_OK);
    dev_take_calls(&f.d, "r4@10;r4@14;");
    g_assert_cmphex(v, ==, 0x1716151413121110ULL);

    v = 0x8877665544332211ULL;
    g_assert_cmpint(address_space_write(&f.as, 0x1020, &v, 8), ==, MEMTX_OK);
    dev_take_calls(&f.d, "w4@20=44332211;w4@24=88776655;");

    /* Odd lengths and offsets: the largest naturally aligned pieces. */
    g_assert_cmpint(address_space_read(&f.as, 0x1031, buf, 7), ==, MEMTX_OK);
    dev_take_calls(&f.d, "r1@31;r2@32;r4@34;");
    for (unsigned i = 0; i < 7; i++) {
        g_assert_cmpuint(buf[i], ==, 0x31 + i);
    }
    io_fixture_fini(&f);

    /* Without limits an aligned 8-byte access is one call. */
    io_fixture_init(&f, &any_ops);
    g_assert_cmpint(address_space_read(&f.as, 0x1008, &v, 8), ==, MEMTX_OK);
    dev_take_calls(&f.d, "r8@8;");
    io_fixture_fini(&f);
}

static void test_split_impl(void)
{
    IoFixture f;
    uint8_t b = 0xab;
    uint16_t h = 0;
    uint64_t v = 0x0807060504030201ULL;

    io_fixture_init(&f, &impl_min4_ops);
    /* A 1-byte write is a read-modify-write of the enclosing 4 bytes. */
    g_assert_cmpint(address_space_write(&f.as, 0x1042, &b, 1), ==, MEMTX_OK);
    dev_take_calls(&f.d, "r4@40;w4@40=43ab4140;");
    g_assert_cmpint(address_space_read(&f.as, 0x1041, &h, 2), ==, MEMTX_OK);
    /* Misaligned for 2 bytes: two 1-byte pieces, each one wider read. */
    dev_take_calls(&f.d, "r4@40;r4@40;");
    g_assert_cmphex(h, ==, 0xab41);
    io_fixture_fini(&f);

    io_fixture_init(&f, &impl_max2_ops);
    g_assert_cmpint(address_space_write(&f.as, 0x1010, &v, 8), ==, MEMTX_OK);
    dev_take_calls(&f.d, "w2@10=201;w2@12=403;w2@14=605;w2@16=807;");
    v = 0;
    g_assert_cmpint(address_space_read(&f.as, 0x1010, &v, 8), ==, MEMTX_OK);
    dev_take_calls(&f.d, "r2@10;r2@12;r2@14;r2@16;");
    g_assert_cmphex(v, ==, 0x0807060504030201ULL);
    io_fixture_fini(&f);
}

static void test_valid_violations(void)
{
    IoFixture f;
    uint8_t b = 0;
    uint32_t w = 0;
    uint16_t h = 0x1234;

    io_fixture_init(&f, &strict4_ops);
    /* Too narrow: all ones, no callback. */
    g_assert_cmpint(address_space_read(&f.as, 0x1010, &b, 1), ==, MEMTX_ERROR);
    g_assert_cmpuint(b, ==, 0xff);
    g_assert_cmpint(address_space_write(&f.as, 0x1010, &h, 2), ==, MEMTX_ERROR);
    /* Misaligned. */
    g_assert_cmpint(address_space_read(&f.as, 0x1012, &w, 4), ==, MEMTX_ERROR);
    g_assert_cmphex(w, ==, 0xffffffff);
    dev_take_calls(&f.d, "");
    g_assert_cmpuint(f.d.regs[0x10], ==, 0x10);
    /* Valid accesses still work. */
    g_assert_cmpint(address_space_read(&f.as, 0x1010, &w, 4), ==, MEMTX_OK);
    dev_take_calls(&f.d, "r4@10;");
    io_fixture_fini(&f);

    io_fixture_init(&f, &unaligned4_ops);
    g_assert_cmpint(address_space_read(&f.as, 0x1012, &w, 4), ==, MEMTX_OK);
    dev_take_calls(&f.d, "r4@12;");
    g_assert_cmphex(w, ==, 0x15141312);
    io_fixture_fini(&f);

    /* No read callback: reads are rejected, writes go through. */
    io_fixture_init(&f, &write_only_ops);
    g_assert_cmpint(address_space_read(&f.as, 0x1000, &w, 4), ==, MEMTX_ERROR);
    g_assert_cmphex(w, ==, 0xffffffff);
    g_assert_cmpint(address_space_write(&f.as, 0x1000, &w, 4), ==, MEMTX_OK);
    dev_take_calls(&f.d, "w4@0=ffffffff;");
    io_fixture_fini(&f);
}

static void test_unmapped(void)
{
    MemoryRegion root;
    AddressSpace as;
    uint8_t buf[16];

    memory_region_init_container(&root, "root", 0x10000);
    address_space_init(&as, &root, "test");

    memset(buf, 0, sizeof(buf));
    g_assert_cmpint(address_space_read(&as, 0x100, buf, sizeof(buf)), ==, MEMTX_DECODE_ERROR);
    for (unsigned i = 0; i < sizeof(buf); i++) {
        g_assert_cmpuint(buf[i], ==, 0xff);
    }
    g_assert_cmpint(address_space_write(&as, 0x100, buf, sizeof(buf)), ==, MEMTX_DECODE_ERROR);
    /* Beyond the root's size is unmapped as well. */
    g_assert_cmpint(address_space_read(&as, 0x20000, buf, 4), ==, MEMTX_DECODE_ERROR);
    /* A zero-length access touches nothing and succeeds. */
    g_assert_cmpint(address_space_read(&as, 0x100, buf, 0), ==, MEMTX_OK);

    address_space_destroy(&as);
    memory_region_finalize(&root);
}

static void test_cross_region(void)
{
    MemoryRegion root, ram, io;
    AddressSpace as;
    TestDev d;
    uint8_t *host;
    uint8_t buf[20];

    dev_init(&d);
    memory_region_init_container(&root, "root", 0x10000);
    new_ram(&ram, "ram", 0x1000);
    memory_region_init_io(&io, &max4_ops, &d, "io", 0x4);
    memory_region_add_subregion(&root, 0, &ram);
    memory_region_add_subregion(&root, 0x1000, &io);
    address_space_init(&as, &root, "test");
    host = memory_region_get_ram_ptr(&ram);
    for (unsigned i = 0; i < 8; i++) {
        host[0xff8 + i] = 0xa0 + i;
    }

    /* 8 bytes RAM, 4 bytes I/O, 8 bytes hole. */
    g_assert_cmpint(address_space_read(&as, 0xff8, buf, 20), ==, MEMTX_DECODE_ERROR);
    for (unsigned i = 0; i < 8; i++) {
        g_assert_cmpuint(buf[i], ==, 0xa0 + i);
    }
    for (unsigned i = 0; i < 4; i++) {
        g_assert_cmpuint(buf[8 + i], ==, i);
    }
    for (unsigned i = 12; i < 20; i++) {
        g_assert_cmpuint(buf[i], ==, 0xff);
    }
    dev_take_calls(&d, "r4@0;");

    memset(buf, 0x55, sizeof(buf));
    g_assert_cmpint(address_space_write(&as, 0xffc, buf, 20), ==, MEMTX_DECODE_ERROR);
    g_assert_cmpuint(host[0xffc], ==, 0x55);
    g_assert_cmpuint(host[0xfff], ==, 0x55);
    dev_take_calls(&d, "w4@0=55555555;");

    /* Fully mapped: OK. */
    g_assert_cmpint(address_space_rw(&as, 0xffe, buf, 6, false), ==, MEMTX_OK);
    dev_take_calls(&d, "r4@0;");
    g_assert_cmpint(address_space_rw(&as, 0xffe, buf, 6, true), ==, MEMTX_OK);
    dev_take_calls(&d, "w4@0=55555555;");

    memory_region_del_subregion(&root, &ram);
    memory_region_del_subregion(&root, &io);
    address_space_destroy(&as);
    memory_region_finalize(&root);
    memory_region_finalize(&ram);
    memory_region_finalize(&io);
    g_string_free(d.calls, TRUE);
}

static void test_address_wrap(void)
{
    MemoryRegion root, top, io;
    AddressSpace as;
    MemoryRegionSection s;
    TestDev d;
    uint8_t buf[16];
    uint8_t *host;

    dev_init(&d);
    memory_region_init_container(&root, "root", UINT64_MAX);
    new_ram(&top, "top", 0x1000);
    memory_region_init_io(&io, &any_ops, &d, "io", 0x100);
    memory_region_add_subregion(&root, 0xfffffffffffff000ULL, &top);
    /* Hangs over the end of the space: clipped. */
    memory_region_add_subregion(&root, 0xffffffffffffff80ULL, &io);
    memory_region_set_enabled(&io, false);
    address_space_init(&as, &root, "test");
    host = memory_region_get_ram_ptr(&top);
    memset(host, 0x11, 0x1000);

    g_assert_true(address_space_lookup(&as, UINT64_MAX, &s));
    g_assert_true(s.mr == &top);
    g_assert_cmphex(s.offset_within_address_space, ==, 0xfffffffffffff000ULL);
    g_assert_cmphex(s.size, ==, 0x1000);
    g_assert_false(address_space_lookup(&as, 0, &s));

    /* 8 bytes at the very top, then 8 past 2^64: not wrapped to 0. */
    g_assert_cmpint(address_space_read(&as, UINT64_MAX - 7, buf, 16), ==, MEMTX_DECODE_ERROR);
    for (unsigned i = 0; i < 8; i++) {
        g_assert_cmpuint(buf[i], ==, 0x11);
        g_assert_cmpuint(buf[8 + i], ==, 0xff);
    }
    memset(buf, 0x22, sizeof(buf));
    g_assert_cmpint(address_space_write(&as, UINT64_MAX, buf, UINT64_MAX), ==,
                    MEMTX_DECODE_ERROR);
    g_assert_cmpuint(host[0xfff], ==, 0x22);
    g_assert_cmpuint(host[0xffe], ==, 0x11);

    memory_region_set_enabled(&io, true);
    assert_view(&as, "top:fffffffffffff000-ffffffffffffff7f@0;"
                     "io:ffffffffffffff80-ffffffffffffffff@0;");
    g_assert_cmpint(address_space_read(&as, UINT64_MAX - 3, buf, 4), ==, MEMTX_OK);
    dev_take_calls(&d, "r4@7c;");
    g_assert_cmpint(address_space_read(&as, UINT64_MAX, buf, 2), ==, MEMTX_DECODE_ERROR);
    dev_take_calls(&d, "r1@7f;");

    memory_region_del_subregion(&root, &top);
    memory_region_del_subregion(&root, &io);
    address_space_destroy(&as);
    memory_region_finalize(&root);
    memory_region_finalize(&top);
    memory_region_finalize(&io);
    g_string_free(d.calls, TRUE);
}

static void test_whole_space_region(void)
{
    MemoryRegion io;
    AddressSpace as;
    MemoryRegionSection s;
    TestDev d;
    uint8_t b;

    dev_init(&d);
    /* An I/O region covering all 2^64 bytes needs two 64-bit sections. */
    memory_region_init_io(&io, &any_ops, &d, "all", UINT64_MAX);
    address_space_init(&as, &io, "test");
    assert_view(&as, "all:0-7fffffffffffffff@0;all:8000000000000000-ffffffffffffffff@"
                     "8000000000000000;");
    g_assert_true(address_space_lookup(&as, 0, &s));
    g_assert_true(address_space_lookup(&as, UINT64_MAX, &s));
    g_assert_cmphex(s.offset_within_region, ==, 1ULL << 63);
    g_assert_cmpint(address_space_read(&as, 0x10, &b, 1), ==, MEMTX_OK);
    g_assert_cmpuint(b, ==, 0x10);
    address_space_destroy(&as);
    memory_region_finalize(&io);
    g_string_free(d.calls, TRUE);
}

static void test_map(void)
{
    MemoryRegion root, ram, io, rom, lo, hi;
    AddressSpace as;
    TestDev d;
    uint64_t len;
    uint8_t *p;

    dev_init(&d);
    memory_region_init_container(&root, "root", 0x100000);
    new_ram(&ram, "ram", 0x4000);
    memory_region_init_io(&io, &any_ops, &d, "io", 0x1000);
    g_assert_true(memory_region_init_rom(&rom, "rom", 0x1000, NULL));
    memory_region_init_alias(&lo, "lo", &ram, 0, 0x2000);
    memory_region_init_alias(&hi, "hi", &ram, 0x2000, 0x2000);
    memory_region_add_subregion(&root, 0, &ram);
    memory_region_add_subregion_overlap(&root, 0x2000, &io, 1);
    memory_region_add_subregion(&root, 0x8000, &rom);
    memory_region_add_subregion(&root, 0x10000, &lo);
    memory_region_add_subregion(&root, 0x12000, &hi);
    address_space_init(&as, &root, "test");
    p = memory_region_get_ram_ptr(&ram);

    len = 0x3000;
    g_assert_true(address_space_map(&as, 0x1000, &len, true) == p + 0x1000);
    g_assert_cmphex(len, ==, 0x1000);
    len = 0x10;
    g_assert_true(address_space_map(&as, 0x3ff0, &len, true) == p + 0x3ff0);
    g_assert_cmphex(len, ==, 0x10);
    len = 0x100;
    g_assert_null(address_space_map(&as, 0x2000, &len, false));
    len = 0x100;
    g_assert_null(address_space_map(&as, 0x5000, &len, false));

    /* ROM maps for reading only. */
    len = 0x2000;
    g_assert_true(address_space_map(&as, 0x8800, &len, false) == rom.ram + 0x800);
    g_assert_cmphex(len, ==, 0x800);
    len = 0x100;
    g_assert_null(address_space_map(&as, 0x8800, &len, true));

    /* Two aliases laid out as the original: one contiguous run. */
    assert_view(&as, "ram:0-1fff@0;io:2000-2fff@0;ram:3000-3fff@3000;rom:8000-8fff@0ro;"
                     "ram:10000-13fff@0;");
    len = 0x8000;
    g_assert_true(address_space_map(&as, 0x11000, &len, true) == p + 0x1000);
    g_assert_cmphex(len, ==, 0x3000);

    memory_region_transaction_begin();
    memory_region_del_subregion(&root, &ram);
    memory_region_del_subregion(&root, &io);
    memory_region_del_subregion(&root, &rom);
    memory_region_del_subregion(&root, &lo);
    memory_region_del_subregion(&root, &hi);
    memory_region_transaction_commit();
    address_space_destroy(&as);
    memory_region_finalize(&root);
    memory_region_finalize(&lo);
    memory_region_finalize(&hi);
    memory_region_finalize(&ram);
    memory_region_finalize(&io);
    memory_region_finalize(&rom);
    g_string_free(d.calls, TRUE);
}

static void test_rom_writes(void)
{
    MemoryRegion root, rom, io;
    AddressSpace as;
    TestDev d;
    uint8_t *host;
    uint32_t v = 0xdeadbeef, r = 0;

    dev_init(&d);
    memory_region_init_container(&root, "root", 0x100000);
    g_assert_true(memory_region_init_rom(&rom, "rom", 0x1000, NULL));
    memory_region_init_io(&io, &any_ops, &d, "io", 0x100);
    memory_region_add_subregion(&root, 0xf000, &rom);
    memory_region_add_subregion(&root, 0x10000, &io);
    address_space_init(&as, &root, "test");
    host = memory_region_get_ram_ptr(&rom);

    g_assert_cmpint(address_space_write(&as, 0xf100, &v, 4), ==, MEMTX_OK);
    g_assert_cmpuint(host[0x100], ==, 0);
    g_assert_cmpint(address_space_write_rom(&as, 0xf100, &v, 4), ==, MEMTX_OK);
    g_assert_cmpint(address_space_read(&as, 0xf100, &r, 4), ==, MEMTX_OK);
    g_assert_cmphex(r, ==, 0xdeadbeef);

    /* write_rom leaves devices and holes alone. */
    g_assert_cmpint(address_space_write_rom(&as, 0x10000, &v, 4), ==, MEMTX_ERROR);
    dev_take_calls(&d, "");
    g_assert_cmpint(address_space_write_rom(&as, 0xffffe, &v, 4), ==, MEMTX_DECODE_ERROR);
    g_assert_cmpint(address_space_write_rom(&as, 0xefff, &v, 2), ==, MEMTX_DECODE_ERROR);
    g_assert_cmpuint(host[0], ==, 0xbe);

    memory_region_del_subregion(&root, &rom);
    memory_region_del_subregion(&root, &io);
    address_space_destroy(&as);
    memory_region_finalize(&root);
    memory_region_finalize(&rom);
    memory_region_finalize(&io);
    g_string_free(d.calls, TRUE);
}

static void unmap_victim(TestDev *d)
{
    memory_region_set_enabled(d->victim, false);
}

/* A device that unmaps RAM while an access spanning both is in flight. */
static void test_remap_during_access(void)
{
    MemoryRegion root, ram, io;
    AddressSpace as;
    TestDev d;
    uint8_t buf[12];

    dev_init(&d);
    memory_region_init_container(&root, "root", 0x10000);
    memory_region_init_io(&io, &max4_ops, &d, "io", 0x4);
    new_ram(&ram, "ram", 0x1000);
    memory_region_add_subregion(&root, 0x0, &io);
    memory_region_add_subregion(&root, 0x4, &ram);
    address_space_init(&as, &root, "test");
    d.on_write = unmap_victim;
    d.victim = &ram;

    memset(buf, 0x77, sizeof(buf));
    g_assert_cmpint(address_space_write(&as, 0, buf, sizeof(buf)), ==, MEMTX_DECODE_ERROR);
    dev_take_calls(&d, "w4@0=77777777;");
    g_assert_cmpuint(((uint8_t *)memory_region_get_ram_ptr(&ram))[0], ==, 0);

    memory_region_del_subregion(&root, &io);
    memory_region_del_subregion(&root, &ram);
    address_space_destroy(&as);
    memory_region_finalize(&root);
    memory_region_finalize(&io);
    memory_region_finalize(&ram);
    g_string_free(d.calls, TRUE);
}

static void test_finalize_container(void)
{
    MemoryRegion *box = g_new(MemoryRegion, 1);
    MemoryRegion *a = g_new(MemoryRegion, 1);
    MemoryRegion *b = g_new(MemoryRegion, 1);

    memory_region_init_container(box, "box", 0x10000);
    new_ram(a, "a", 0x1000);
    memory_region_init_alias(b, "b", a, 0, 0x800);
    memory_region_add_subregion(box, 0, a);
    memory_region_add_subregion(box, 0x2000, b);
    /* Finalizing the container detaches what is inside. */
    memory_region_finalize(box);
    g_assert_null(a->parent);
    g_assert_null(b->parent);
    memory_region_finalize(b);
    memory_region_finalize(a);
    g_free(box);
    g_free(a);
    g_free(b);
}

static void test_system_memory(void)
{
    MemoryRegion ram;
    MemoryRegionSection s;
    uint32_t v = 0x12345678, r = 0;

    memory_system_init();
    memory_system_init();
    g_assert_true(address_space_memory.root == get_system_memory());
    g_assert_true(address_space_io.root == get_system_io());
    g_assert_cmphex(memory_region_size(get_system_memory()), ==, UINT64_MAX);
    g_assert_cmphex(memory_region_size(get_system_io()), ==, 64 * KiB);

    new_ram(&ram, "sysram", 0x10000);
    memory_region_add_subregion(get_system_memory(), 0x100000000ULL, &ram);
    g_assert_true(address_space_lookup(&address_space_memory, 0x10000fffcULL, &s));
    g_assert_true(s.mr == &ram);
    g_assert_cmpint(address_space_write(&address_space_memory, 0x10000fffcULL, &v, 4), ==,
                    MEMTX_OK);
    g_assert_cmpint(address_space_read(&address_space_memory, 0x10000fffcULL, &r, 4), ==,
                    MEMTX_OK);
    g_assert_cmphex(r, ==, v);
    /* Port I/O space ends at 64 KiB. */
    g_assert_cmpint(address_space_read(&address_space_io, 0xfffe, &r, 4), ==,
                    MEMTX_DECODE_ERROR);

    memory_region_del_subregion(get_system_memory(), &ram);
    g_assert_false(address_space_lookup(&address_space_memory, 0x100000000ULL, &s));
    memory_region_finalize(&ram);
}

static void test_dump_tree(void)
{
    MemoryRegion root, ram, io, win, off;
    TestDev d;
    char *text = NULL;
    size_t size = 0;
    FILE *f;

    dev_init(&d);
    memory_region_init_container(&root, "system", UINT64_MAX);
    new_ram(&ram, "ram", 0x100000);
    memory_region_init_io(&io, &any_ops, &d, "uart", 0x8);
    memory_region_init_alias(&win, "ram-hi", &ram, 0x80000, 0x80000);
    memory_region_init_io(&off, &any_ops, &d, "off", 0x10);
    memory_region_add_subregion(&root, 0, &ram);
    memory_region_add_subregion_overlap(&root, 0x3f8, &io, 2);
    memory_region_add_subregion(&root, 0x100000000ULL, &win);
    memory_region_add_subregion(&root, 0x3f8, &off);
    memory_region_set_enabled(&off, false);

    f = open_memstream(&text, &size);
    memory_region_dump_tree(&root, f);
    fclose(f);
    g_assert_cmpstr(text, ==,
        "0000000000000000-ffffffffffffffff (prio 0, container): system\n"
        "  0000000000000000-00000000000fffff (prio 0, ram): ram\n"
        "  00000000000003f8-00000000000003ff (prio 2, i/o): uart\n"
        "  00000000000003f8-0000000000000407 (prio 0, i/o): off [disabled]\n"
        "  0000000100000000-000000010007ffff (prio 0, ram): alias ram-hi @ram "
        "0000000000080000-00000000000fffff\n");
    free(text);

    memory_region_finalize(&root);
    memory_region_finalize(&ram);
    memory_region_finalize(&io);
    memory_region_finalize(&win);
    memory_region_finalize(&off);
    g_string_free(d.calls, TRUE);
}

/* Guest errors are logged with the address when -d guest_errors is on. */
static void test_guest_error_log(void)
{
    g_autofree char *path = NULL;
    g_autofree char *text = NULL;
    MemoryRegion root, rom;
    AddressSpace as;
    uint8_t b = 0;
    int fd;

    fd = g_file_open_tmp("test-memory-XXXXXX.log", &path, NULL);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    g_assert_true(log_set_file(path, NULL));
    log_mask = LOG_GUEST_ERROR;

    memory_region_init_container(&root, "root", 0x100000);
    g_assert_true(memory_region_init_rom(&rom, "bios", 0x1000, NULL));
    memory_region_add_subregion(&root, 0xf0000, &rom);
    address_space_init(&as, &root, "test");
    g_assert_cmpint(address_space_read(&as, 0xabcd0, &b, 1), ==, MEMTX_DECODE_ERROR);
    g_assert_cmpint(address_space_write(&as, 0xf0010, &b, 1), ==, MEMTX_OK);
    log_flush();

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_assert_nonnull(strstr(text, "0xabcd0"));
    g_assert_nonnull(strstr(text, "0xf0010"));
    g_assert_nonnull(strstr(text, "bios"));

    log_mask = 0;
    unlink(path);
    memory_region_del_subregion(&root, &rom);
    address_space_destroy(&as);
    memory_region_finalize(&root);
    memory_region_finalize(&rom);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/memory/ram-init", test_ram_init);
    g_test_add_func("/memory/ram-init-errors", test_ram_init_errors);
    g_test_add_func("/memory/priority-overlap", test_priority_overlap);
    g_test_add_func("/memory/equal-priority-order", test_equal_priority_order);
    g_test_add_func("/memory/alias", test_alias);
    g_test_add_func("/memory/alias-of-container", test_alias_of_container);
    g_test_add_func("/memory/nested-containers", test_nested_containers);
    g_test_add_func("/memory/enable-disable", test_enable_disable);
    g_test_add_func("/memory/listener-diffs", test_listener_diffs);
    g_test_add_func("/memory/transaction", test_transaction);
    g_test_add_func("/memory/split-valid-max", test_split_valid_max);
    g_test_add_func("/memory/split-impl", test_split_impl);
    g_test_add_func("/memory/valid-violations", test_valid_violations);
    g_test_add_func("/memory/unmapped", test_unmapped);
    g_test_add_func("/memory/cross-region", test_cross_region);
    g_test_add_func("/memory/address-wrap", test_address_wrap);
    g_test_add_func("/memory/whole-space-region", test_whole_space_region);
    g_test_add_func("/memory/map", test_map);
    g_test_add_func("/memory/rom-writes", test_rom_writes);
    g_test_add_func("/memory/remap-during-access", test_remap_during_access);
    g_test_add_func("/memory/finalize-container", test_finalize_container);
    g_test_add_func("/memory/system-memory", test_system_memory);
    g_test_add_func("/memory/dump-tree", test_dump_tree);
    g_test_add_func("/memory/guest-error-log", test_guest_error_log);
    return g_test_run();
}
