/*
 * Unit tests of the PCI layer through the real memory API: a PCIe host
 * (hw/pci-host/pcie-host.c) with ECAM and the 0xcf8/0xcfc ports, and a test
 * device with every BAR kind, MSI and MSI-X, driven the way a guest would.
 * Covers read-only and write-1-to-clear config bits, BAR sizing and mapping
 * that follows the command register and the windows, the capability list,
 * MSI and MSI-X masking and pending bits, INTx swizzle and wired-OR, reset,
 * and that unaligned, oversized and out-of-range config accesses are
 * harmless. MSIs are caught by an MMIO region at 0xfee00000.
 */
#include "util/osdep.h"

#include "exec/memory.h"
#include "hw/pci/msi.h"
#include "hw/pci/pci_host.h"

#define ECAM_BASE       0xe0000000ULL
#define ECAM_SIZE       (16 * MiB)
#define MMIO32_BASE     0xc0000000ULL
#define MMIO32_SIZE     (256 * MiB)
#define MMIO64_BASE     (64 * GiB)
#define MMIO64_SIZE     (4 * GiB)
#define IO_BASE         0x1000
#define IO_SIZE         0xf000
#define MSI_WINDOW      0xfee00000ULL

#define TEST_VENDOR     0x1234
#define TEST_DEVICE     0x5678
#define MSIX_VECTORS    8
#define MSI_VECTORS     4

typedef struct TestPCIDev {
    PCIDevice parent_obj;
    MemoryRegion io_bar;        /* BAR0: I/O, 32 bytes */
    MemoryRegion msix_bar;      /* BAR1: 32-bit memory, 4 KiB: MSI-X table and PBA */
    MemoryRegion pref_bar;      /* BAR2-3: 64-bit prefetchable, 1 MiB */
    MemoryRegion mem64_bar;     /* BAR4-5: 64-bit, 16 KiB */
    uint32_t io_reg;
} TestPCIDev;

static PCIeHost *host;
static int irq_levels[PCI_NUM_PINS];
static GArray *msis;            /* of MsiRecord */
static MemoryRegion msi_mr;

typedef struct MsiRecord {
    uint64_t addr;
    uint32_t data;
} MsiRecord;

/* ---- the test device ---- */

static uint64_t test_io_read(void *opaque, uint64_t addr, unsigned size)
{
    TestPCIDev *s = opaque;

    return addr == 0 ? s->io_reg : 0;
}

static void test_io_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    TestPCIDev *s = opaque;

    if (addr == 0) {
        s->io_reg = val;
    }
}

static const MemoryRegionOps test_io_ops = {
    .read = test_io_read,
    .write = test_io_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

static bool test_pci_realize(PCIDevice *d, GError **errp)
{
    TestPCIDev *s = DEVICE_CAST(TestPCIDev, d);

    pci_config_set_ids(d, TEST_VENDOR, TEST_DEVICE, 0x1af4, 0x1100, 3);
    pci_config_set_class(d, PCI_CLASS_OTHERS, 0);
    pci_config_set_interrupt_pin(d, 1);
    memory_region_init_io(&s->io_bar, &test_io_ops, s, "test-io", 32);
    memory_region_init_container(&s->msix_bar, "test-msix", 4 * KiB);
    memory_region_init_io(&s->pref_bar, &test_io_ops, s, "test-pref", 1 * MiB);
    memory_region_init_io(&s->mem64_bar, &test_io_ops, s, "test-mem64", 16 * KiB);
    pci_register_bar(d, 0, PCI_BASE_ADDRESS_SPACE_IO, &s->io_bar);
    pci_register_bar(d, 1, PCI_BASE_ADDRESS_MEM_TYPE_32, &s->msix_bar);
    pci_register_bar(d, 2, PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH,
                     &s->pref_bar);
    pci_register_bar(d, 4, PCI_BASE_ADDRESS_MEM_TYPE_64, &s->mem64_bar);
    return msi_init(d, 0, MSI_VECTORS, true, true, errp) &&
           msix_init(d, MSIX_VECTORS, &s->msix_bar, 1, 0, &s->msix_bar, 1, 0x800, 0, errp);
}

static void test_pci_unrealize(PCIDevice *d)
{
    TestPCIDev *s = DEVICE_CAST(TestPCIDev, d);

    msix_uninit(d, &s->msix_bar, &s->msix_bar);
    memory_region_finalize(&s->io_bar);
    memory_region_finalize(&s->msix_bar);
    memory_region_finalize(&s->pref_bar);
    memory_region_finalize(&s->mem64_bar);
}

static const PCIDeviceOps test_pci_ops = {
    .realize = test_pci_realize,
    .unrealize = test_pci_unrealize,
};

static void test_pci_instance_init(DeviceState *dev)
{
    PCI_DEVICE(dev)->ops = &test_pci_ops;
}

static const TypeInfo test_pci_type = {
    .name = "test-pci-dev",
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(TestPCIDev),
    .instance_init = test_pci_instance_init,
};

/* ---- the machine ---- */

static void test_irq_handler(void *opaque, int n, int level)
{
    irq_levels[n] = level;
}

static uint64_t msi_read(void *opaque, uint64_t addr, unsigned size)
{
    return 0;
}

static void msi_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    MsiRecord r = { MSI_WINDOW + addr, val };

    g_array_append_val(msis, r);
}

static const MemoryRegionOps msi_ops = {
    .read = msi_read,
    .write = msi_write,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
};

static void machine_init_once(void)
{
    PCIeHostConfig cfg = {
        .ecam_base = ECAM_BASE, .ecam_size = ECAM_SIZE,
        .mmio32_base = MMIO32_BASE, .mmio32_size = MMIO32_SIZE,
        .mmio64_base = MMIO64_BASE, .mmio64_size = MMIO64_SIZE,
        .io_base = IO_BASE, .io_size = IO_SIZE,
        .conf1 = true,
    };

    memory_system_init();
    type_register(&test_pci_type);
    for (int i = 0; i < PCI_NUM_PINS; i++) {
        cfg.irqs[i] = irq_new(test_irq_handler, NULL, i);
    }
    host = pcie_host_create(&cfg, NULL);
    g_assert_nonnull(host);
    msis = g_array_new(FALSE, FALSE, sizeof(MsiRecord));
    memory_region_init_io(&msi_mr, &msi_ops, NULL, "msi-catcher", 0x100000);
    memory_region_add_subregion(get_system_memory(), MSI_WINDOW, &msi_mr);
}

static PCIDevice *test_dev_new(const char *addr)
{
    DeviceState *dev = qdev_new("test-pci-dev");
    GError *err = NULL;

    qdev_prop_set_string(dev, "addr", addr);
    g_assert_true(qdev_realize(dev, &err));
    g_assert_no_error(err);
    return PCI_DEVICE(dev);
}

static uint64_t mem_read(uint64_t addr, unsigned size)
{
    uint64_t v = 0;

    address_space_read(&address_space_memory, addr, &v, size);
    return v;
}

static void mem_write(uint64_t addr, uint64_t v, unsigned size)
{
    address_space_write(&address_space_memory, addr, &v, size);
}

static uint64_t io_read(uint64_t port, unsigned size)
{
    uint64_t v = 0;

    address_space_read(&address_space_io, port, &v, size);
    return v;
}

static void io_write(uint64_t port, uint64_t v, unsigned size)
{
    address_space_write(&address_space_io, port, &v, size);
}

static uint64_t ecam_addr(PCIDevice *d, uint32_t reg)
{
    return ECAM_BASE + ((uint64_t)d->devfn << 12) + reg;
}

static uint32_t cfg_read(PCIDevice *d, uint32_t reg, unsigned size)
{
    return mem_read(ecam_addr(d, reg), size);
}

static void cfg_write(PCIDevice *d, uint32_t reg, uint32_t v, unsigned size)
{
    mem_write(ecam_addr(d, reg), v, size);
}

static bool mapped(AddressSpace *as, uint64_t addr)
{
    MemoryRegionSection s;

    return address_space_lookup(as, addr, &s);
}

/* ---- tests ---- */

static void test_ids_read_only(void)
{
    PCIDevice *d = test_dev_new("3");

    g_assert_cmphex(cfg_read(d, PCI_VENDOR_ID, 4), ==, TEST_DEVICE << 16 | TEST_VENDOR);
    cfg_write(d, PCI_VENDOR_ID, 0xdeadbeef, 4);
    g_assert_cmphex(cfg_read(d, PCI_VENDOR_ID, 2), ==, TEST_VENDOR);
    g_assert_cmphex(cfg_read(d, PCI_DEVICE_ID, 2), ==, TEST_DEVICE);
    cfg_write(d, PCI_REVISION_ID, 0xffffffff, 4);
    g_assert_cmphex(cfg_read(d, PCI_REVISION_ID, 4), ==, (uint32_t)PCI_CLASS_OTHERS << 16 | 3);
    g_assert_cmphex(cfg_read(d, PCI_SUBSYSTEM_VENDOR_ID, 4), ==, 0x11001af4);
    g_assert_cmphex(cfg_read(d, PCI_HEADER_TYPE, 1), ==, 0);
    g_assert_cmphex(cfg_read(d, PCI_INTERRUPT_PIN, 1), ==, 1);
    cfg_write(d, PCI_INTERRUPT_PIN, 3, 1);
    g_assert_cmphex(cfg_read(d, PCI_INTERRUPT_PIN, 1), ==, 1);
    /* The interrupt line is a scratch register for software. */
    cfg_write(d, PCI_INTERRUPT_LINE, 0x2a, 1);
    g_assert_cmphex(cfg_read(d, PCI_INTERRUPT_LINE, 1), ==, 0x2a);
    /* The host bridge function sits at 00.0. */
    g_assert_cmphex(mem_read(ECAM_BASE, 4), ==,
                    PCI_DEVICE_ID_REDHAT_PCIE_HOST << 16 | PCI_VENDOR_ID_REDHAT);
    g_assert_cmphex(mem_read(ECAM_BASE + PCI_CLASS_DEVICE, 2), ==, PCI_CLASS_BRIDGE_HOST);
    qdev_destroy(&d->parent_obj);
    g_assert_cmphex(mem_read(ECAM_BASE + (PCI_DEVFN(3, 0) << 12), 4), ==, UINT32_MAX);
}

static void test_command_status(void)
{
    PCIDevice *d = test_dev_new("4");
    uint16_t w1c = PCI_STATUS_REC_MASTER_ABORT | PCI_STATUS_DETECTED_PARITY;

    /* Only the defined command bits stick. */
    cfg_write(d, PCI_COMMAND, 0xffff, 2);
    g_assert_cmphex(cfg_read(d, PCI_COMMAND, 2), ==, 0x0547);
    cfg_write(d, PCI_COMMAND, 0, 2);
    /* Status: the capability bit is read-only, error bits clear when written with 1. */
    g_assert_cmphex(cfg_read(d, PCI_STATUS, 2), ==, PCI_STATUS_CAP_LIST);
    pci_set_word(d->config + PCI_STATUS, PCI_STATUS_CAP_LIST | w1c);
    cfg_write(d, PCI_STATUS, 0, 2);
    g_assert_cmphex(cfg_read(d, PCI_STATUS, 2), ==, PCI_STATUS_CAP_LIST | w1c);
    cfg_write(d, PCI_STATUS, PCI_STATUS_REC_MASTER_ABORT | PCI_STATUS_CAP_LIST, 2);
    g_assert_cmphex(cfg_read(d, PCI_STATUS, 2), ==,
                    PCI_STATUS_CAP_LIST | PCI_STATUS_DETECTED_PARITY);
    /* A dword write to COMMAND with status bits set clears them too. */
    cfg_write(d, PCI_COMMAND, 0xffff0000, 4);
    g_assert_cmphex(cfg_read(d, PCI_STATUS, 2), ==, PCI_STATUS_CAP_LIST);
    qdev_destroy(&d->parent_obj);
}

static void test_bar_sizing(void)
{
    PCIDevice *d = test_dev_new("5");
    static const struct {
        unsigned reg;
        uint32_t expect;
    } probes[] = {
        { PCI_BASE_ADDRESS_0, 0xffffffe1 },         /* I/O, 32 bytes */
        { PCI_BASE_ADDRESS_0 + 4, 0xfffff000 },     /* 32-bit memory, 4 KiB */
        { PCI_BASE_ADDRESS_0 + 8, 0xfff0000c },     /* 64-bit prefetchable, 1 MiB: low */
        { PCI_BASE_ADDRESS_0 + 12, 0xffffffff },    /* ... high */
        { PCI_BASE_ADDRESS_0 + 16, 0xffffc004 },    /* 64-bit, 16 KiB: low */
        { PCI_BASE_ADDRESS_0 + 20, 0xffffffff },    /* ... high */
    };

    /* Before the probe: the type bits only. */
    g_assert_cmphex(cfg_read(d, PCI_BASE_ADDRESS_0, 4), ==, 1);
    g_assert_cmphex(cfg_read(d, PCI_BASE_ADDRESS_0 + 8, 4), ==, 0xc);
    for (size_t i = 0; i < ARRAY_SIZE(probes); i++) {
        cfg_write(d, probes[i].reg, 0xffffffff, 4);
        g_assert_cmphex(cfg_read(d, probes[i].reg, 4), ==, probes[i].expect);
    }
    /* Unimplemented BAR slots and the expansion ROM read 0 and stay 0. */
    cfg_write(d, PCI_ROM_ADDRESS, 0xffffffff, 4);
    g_assert_cmphex(cfg_read(d, PCI_ROM_ADDRESS, 4), ==, 0);
    /* Low address bits are dropped when programming. */
    cfg_write(d, PCI_BASE_ADDRESS_0 + 4, 0xc0001234, 4);
    g_assert_cmphex(cfg_read(d, PCI_BASE_ADDRESS_0 + 4, 4), ==, 0xc0001000);
    qdev_destroy(&d->parent_obj);
}

static void test_bar_mapping(void)
{
    PCIDevice *d = test_dev_new("6");
    TestPCIDev *s = DEVICE_CAST(TestPCIDev, d);

    cfg_write(d, PCI_BASE_ADDRESS_0, 0x2000, 4);
    cfg_write(d, PCI_BASE_ADDRESS_0 + 4, 0xc0010000, 4);
    cfg_write(d, PCI_BASE_ADDRESS_0 + 8, 0x00000000, 4);
    cfg_write(d, PCI_BASE_ADDRESS_0 + 12, 0x10, 4);                 /* 64 GiB */
    cfg_write(d, PCI_BASE_ADDRESS_0 + 16, 0xc0020000, 4);
    cfg_write(d, PCI_BASE_ADDRESS_0 + 20, 0, 4);
    /* Nothing decodes while the command register says so. */
    g_assert_false(mapped(&address_space_io, 0x2000));
    g_assert_false(mapped(&address_space_memory, 0xc0010000));
    g_assert_cmpuint(pci_get_bar_addr(d, 0), ==, PCI_BAR_UNMAPPED);

    cfg_write(d, PCI_COMMAND, PCI_COMMAND_IO, 2);
    g_assert_true(mapped(&address_space_io, 0x2000));
    g_assert_false(mapped(&address_space_memory, 0xc0010000));
    io_write(0x2000, 0xcafe, 4);
    g_assert_cmphex(s->io_reg, ==, 0xcafe);
    g_assert_cmphex(io_read(0x2000, 4), ==, 0xcafe);

    cfg_write(d, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY, 2);
    g_assert_cmpuint(pci_get_bar_addr(d, 1), ==, 0xc0010000);
    g_assert_cmpuint(pci_get_bar_addr(d, 2), ==, 64 * GiB);
    g_assert_cmpuint(pci_get_bar_addr(d, 4), ==, 0xc0020000);
    g_assert_true(mapped(&address_space_memory, 64 * GiB + MiB - 1));
    g_assert_cmphex(mem_read(64 * GiB, 4), ==, 0xcafe);
    /* The MSI-X table (vector control: masked) is in BAR1. */
    g_assert_cmphex(mem_read(0xc0010000 + PCI_MSIX_ENTRY_VECTOR_CTRL, 4), ==, 1);

    /* Moving a BAR moves the mapping. */
    cfg_write(d, PCI_BASE_ADDRESS_0 + 4, 0xc0030000, 4);
    g_assert_false(mapped(&address_space_memory, 0xc0010000));
    g_assert_true(mapped(&address_space_memory, 0xc0030000));
    /* Outside the host's windows a BAR decodes on the bus but the CPU cannot reach it. */
    cfg_write(d, PCI_BASE_ADDRESS_0 + 4, 0x80000000, 4);
    g_assert_cmpuint(pci_get_bar_addr(d, 1), ==, 0x80000000);
    g_assert_false(mapped(&address_space_memory, 0x80000000));
    /* The sizing pattern never decodes. */
    cfg_write(d, PCI_BASE_ADDRESS_0 + 4, 0xffffffff, 4);
    g_assert_cmpuint(pci_get_bar_addr(d, 1), ==, PCI_BAR_UNMAPPED);
    cfg_write(d, PCI_BASE_ADDRESS_0 + 4, 0xc0010000, 4);

    cfg_write(d, PCI_COMMAND, 0, 2);
    g_assert_false(mapped(&address_space_io, 0x2000));
    g_assert_false(mapped(&address_space_memory, 64 * GiB));

    /* A reset unmaps everything and clears the BARs. */
    cfg_write(d, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY, 2);
    g_assert_true(mapped(&address_space_memory, 0xc0010000));
    qdev_reset_all();
    g_assert_false(mapped(&address_space_memory, 0xc0010000));
    g_assert_false(mapped(&address_space_io, 0x2000));
    g_assert_cmphex(cfg_read(d, PCI_BASE_ADDRESS_0 + 4, 4), ==, 0);
    g_assert_cmphex(cfg_read(d, PCI_COMMAND, 2), ==, 0);
    qdev_destroy(&d->parent_obj);
    g_assert_false(mapped(&address_space_memory, 0xc0010000));
}

static void test_capabilities(void)
{
    PCIDevice *d = test_dev_new("7");
    uint8_t seen[256] = { 0 };
    unsigned n = 0;
    GError *err = NULL;

    g_assert_cmphex(cfg_read(d, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST, !=, 0);
    for (uint8_t p = cfg_read(d, PCI_CAPABILITY_LIST, 1); p; p = cfg_read(d, p + 1, 1)) {
        g_assert_cmpuint(p, >=, PCI_CONFIG_HEADER_SIZE);
        g_assert_cmpuint(p & 3, ==, 0);
        g_assert_cmpuint(seen[p]++, ==, 0);
        n++;
        g_assert_cmpuint(n, <=, 2);
        g_assert_true(cfg_read(d, p, 1) == PCI_CAP_ID_MSI || cfg_read(d, p, 1) == PCI_CAP_ID_MSIX);
    }
    g_assert_cmpuint(n, ==, 2);
    g_assert_cmpuint(pci_find_capability(d, PCI_CAP_ID_MSIX), ==, d->msix_cap);
    g_assert_cmpuint(pci_find_capability(d, PCI_CAP_ID_MSI), ==, d->msi_cap);
    g_assert_cmpuint(pci_find_capability(d, PCI_CAP_ID_EXP), ==, 0);
    /* Capability bytes are read-only unless their owner says otherwise. */
    cfg_write(d, d->msix_cap, 0xffff, 2);
    g_assert_cmphex(cfg_read(d, d->msix_cap, 1), ==, PCI_CAP_ID_MSIX);
    /* Overlaps and overflows are refused. */
    g_assert_cmpuint(pci_add_capability(d, PCI_CAP_ID_VNDR, d->msi_cap + 4, 8, &err), ==, 0);
    g_assert_nonnull(err);
    g_clear_error(&err);
    g_assert_cmpuint(pci_add_capability(d, PCI_CAP_ID_VNDR, 0xfc, 8, &err), ==, 0);
    g_clear_error(&err);
    g_assert_cmpuint(pci_add_capability(d, PCI_CAP_ID_VNDR, 0, 16, &err), !=, 0);
    g_assert_no_error(err);
    g_assert_cmpuint(pci_find_capability(d, PCI_CAP_ID_VNDR), ==,
                     cfg_read(d, PCI_CAPABILITY_LIST, 1));
    qdev_destroy(&d->parent_obj);
}

static void msis_clear(void)
{
    g_array_set_size(msis, 0);
}

static MsiRecord msi_nth(unsigned i)
{
    g_assert_cmpuint(i, <, msis->len);
    return g_array_index(msis, MsiRecord, i);
}

static void test_msix(void)
{
    PCIDevice *d = test_dev_new("8");
    uint8_t cap = d->msix_cap;
    uint64_t table = 0xc0040000, pba = table + 0x800;
    uint64_t e3 = table + 3 * PCI_MSIX_ENTRY_SIZE;

    g_assert_cmphex(cfg_read(d, cap + PCI_MSIX_FLAGS, 2), ==, MSIX_VECTORS - 1);
    g_assert_cmphex(cfg_read(d, cap + PCI_MSIX_TABLE, 4), ==, 1);
    g_assert_cmphex(cfg_read(d, cap + PCI_MSIX_PBA, 4), ==, 0x800 | 1);
    cfg_write(d, PCI_BASE_ADDRESS_0 + 4, table, 4);
    cfg_write(d, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
    msis_clear();

    /* Program vector 3 while MSI-X is off: nothing is sent or latched. */
    mem_write(e3 + PCI_MSIX_ENTRY_LOWER_ADDR, MSI_WINDOW | 0x1000, 4);
    mem_write(e3 + PCI_MSIX_ENTRY_UPPER_ADDR, 0, 4);
    mem_write(e3 + PCI_MSIX_ENTRY_DATA, 0x4041, 4);
    g_assert_cmphex(mem_read(e3 + PCI_MSIX_ENTRY_DATA, 4), ==, 0x4041);
    g_assert_cmphex(mem_read(e3, 8), ==, MSI_WINDOW | 0x1000);
    msix_notify(d, 3);
    g_assert_cmpuint(msis->len, ==, 0);
    g_assert_false(msix_is_pending(d, 3));

    /* Enabled with the vector masked: latched in the PBA, read-only to the guest. */
    cfg_write(d, cap + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE, 2);
    g_assert_true(msix_enabled(d));
    msix_notify(d, 3);
    g_assert_cmpuint(msis->len, ==, 0);
    g_assert_cmphex(mem_read(pba, 4), ==, 1 << 3);
    mem_write(pba, 0, 4);
    g_assert_cmphex(mem_read(pba, 8), ==, 1 << 3);
    /* Unmasking sends it once. */
    mem_write(e3 + PCI_MSIX_ENTRY_VECTOR_CTRL, 0, 4);
    g_assert_cmpuint(msis->len, ==, 1);
    g_assert_cmphex(msi_nth(0).addr, ==, MSI_WINDOW | 0x1000);
    g_assert_cmphex(msi_nth(0).data, ==, 0x4041);
    g_assert_cmphex(mem_read(pba, 4), ==, 0);
    msix_notify(d, 3);
    g_assert_cmpuint(msis->len, ==, 2);

    /* The function mask holds every vector; clearing it flushes the pending ones. */
    cfg_write(d, cap + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL, 2);
    g_assert_true(msix_is_masked(d, 3));
    msix_notify(d, 3);
    g_assert_cmpuint(msis->len, ==, 2);
    g_assert_true(msix_is_pending(d, 3));
    cfg_write(d, cap + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE, 2);
    g_assert_cmpuint(msis->len, ==, 3);
    g_assert_false(msix_is_pending(d, 3));

    /* No bus mastering, no messages. */
    cfg_write(d, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    msix_notify(d, 3);
    g_assert_cmpuint(msis->len, ==, 3);
    cfg_write(d, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);

    /* Reserved vector-control bits read 0; out-of-range vectors are ignored. */
    mem_write(e3 + PCI_MSIX_ENTRY_VECTOR_CTRL, 0xfffffffe, 4);
    g_assert_cmphex(mem_read(e3 + PCI_MSIX_ENTRY_VECTOR_CTRL, 4), ==, 0);
    msix_notify(d, MSIX_VECTORS);
    g_assert_cmpuint(msis->len, ==, 3);
    /* Byte accesses to the table are refused (dword/qword only). */
    g_assert_cmphex(mem_read(e3 + PCI_MSIX_ENTRY_DATA, 1), ==, 0xff);
    mem_write(e3 + PCI_MSIX_ENTRY_DATA, 0x99, 1);
    g_assert_cmphex(mem_read(e3 + PCI_MSIX_ENTRY_DATA, 4), ==, 0x4041);

    /* Reset: off, all masked, nothing pending. */
    qdev_reset_all();
    g_assert_false(msix_enabled(d));
    g_assert_true(msix_is_masked(d, 3));
    g_assert_cmphex(cfg_read(d, cap + PCI_MSIX_FLAGS, 2), ==, MSIX_VECTORS - 1);
    qdev_destroy(&d->parent_obj);
}

static void test_msi(void)
{
    PCIDevice *d = test_dev_new("9");
    uint8_t cap = d->msi_cap;
    uint16_t flags = cfg_read(d, cap + PCI_MSI_FLAGS, 2);

    g_assert_cmphex(flags, ==, PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT | (2 << 1));
    cfg_write(d, PCI_COMMAND, PCI_COMMAND_MASTER, 2);
    cfg_write(d, cap + PCI_MSI_ADDRESS_LO, MSI_WINDOW | 0x2003, 4);  /* low bits dropped */
    g_assert_cmphex(cfg_read(d, cap + PCI_MSI_ADDRESS_LO, 4), ==, MSI_WINDOW | 0x2000);
    cfg_write(d, cap + PCI_MSI_ADDRESS_HI, 0, 4);
    cfg_write(d, cap + PCI_MSI_DATA_64, 0x4050, 2);
    msis_clear();
    msi_notify(d, 0);
    g_assert_cmpuint(msis->len, ==, 0);

    /* Four vectors enabled: the vector number replaces the low data bits. */
    cfg_write(d, cap + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE | (2 << 4), 2);
    g_assert_cmpuint(msi_nr_vectors(d), ==, 4);
    msi_notify(d, 2);
    g_assert_cmpuint(msis->len, ==, 1);
    g_assert_cmphex(msi_nth(0).addr, ==, MSI_WINDOW | 0x2000);
    g_assert_cmphex(msi_nth(0).data, ==, 0x4052);
    msi_notify(d, 4);   /* not enabled: ignored */
    g_assert_cmpuint(msis->len, ==, 1);

    /* Per-vector mask: pending while masked, sent when unmasked. */
    cfg_write(d, cap + PCI_MSI_MASK_64, 1 << 1, 4);
    msi_notify(d, 1);
    g_assert_cmpuint(msis->len, ==, 1);
    g_assert_cmphex(cfg_read(d, cap + PCI_MSI_PENDING_64, 4), ==, 1 << 1);
    cfg_write(d, cap + PCI_MSI_PENDING_64, 0, 4);   /* read-only */
    g_assert_cmphex(cfg_read(d, cap + PCI_MSI_PENDING_64, 4), ==, 1 << 1);
    cfg_write(d, cap + PCI_MSI_MASK_64, 0xffffffff, 4);
    g_assert_cmphex(cfg_read(d, cap + PCI_MSI_MASK_64, 4), ==, 0xf);
    cfg_write(d, cap + PCI_MSI_MASK_64, 0, 4);
    g_assert_cmpuint(msis->len, ==, 2);
    g_assert_cmphex(msi_nth(1).data, ==, 0x4051);
    g_assert_cmphex(cfg_read(d, cap + PCI_MSI_PENDING_64, 4), ==, 0);

    /* More messages enabled than capable: what the function has. */
    cfg_write(d, cap + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE | (5 << 4), 2);
    g_assert_cmpuint(msi_nr_vectors(d), ==, 4);
    qdev_reset_all();
    g_assert_false(msi_enabled(d));
    g_assert_cmphex(cfg_read(d, cap + PCI_MSI_ADDRESS_LO, 4), ==, 0);
    qdev_destroy(&d->parent_obj);
}

static void test_intx(void)
{
    PCIDevice *a = test_dev_new("a");       /* slot 10: INTA# -> line (10 + 0) % 4 = 2 */
    PCIDevice *b = test_dev_new("e");       /* slot 14: line 2 as well */
    PCIDevice *c = test_dev_new("b");       /* slot 11: line 3 */

    memset(irq_levels, 0, sizeof(irq_levels));
    pci_set_irq(a, 1);
    g_assert_cmpint(irq_levels[2], ==, 1);
    g_assert_cmphex(cfg_read(a, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, !=, 0);
    pci_set_irq(b, 1);
    pci_set_irq(c, 1);
    g_assert_cmpint(irq_levels[3], ==, 1);
    g_assert_cmpint(irq_levels[0] + irq_levels[1], ==, 0);
    /* Wired-OR: the line stays up until the last device lets go. */
    pci_set_irq(a, 0);
    g_assert_cmpint(irq_levels[2], ==, 1);
    g_assert_cmphex(cfg_read(a, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, ==, 0);
    /* INTx disable masks the pin but not the status bit. */
    cfg_write(b, PCI_COMMAND, PCI_COMMAND_INTX_DISABLE, 2);
    g_assert_cmpint(irq_levels[2], ==, 0);
    g_assert_cmphex(cfg_read(b, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, !=, 0);
    cfg_write(b, PCI_COMMAND, 0, 2);
    g_assert_cmpint(irq_levels[2], ==, 1);
    /* The interrupt status bit is read-only. */
    cfg_write(b, PCI_STATUS, PCI_STATUS_INTERRUPT, 2);
    g_assert_cmphex(cfg_read(b, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, !=, 0);
    /* A reset, or removal, deasserts. */
    qdev_reset_all();
    g_assert_cmpint(irq_levels[2], ==, 0);
    g_assert_cmpint(irq_levels[3], ==, 0);
    pci_set_irq(c, 1);
    qdev_destroy(&c->parent_obj);
    g_assert_cmpint(irq_levels[3], ==, 0);
    qdev_destroy(&a->parent_obj);
    qdev_destroy(&b->parent_obj);
}

static void test_ecam_decoding(void)
{
    PCIDevice *d = test_dev_new("1f.7");
    uint64_t base = ECAM_BASE + ((uint64_t)PCI_DEVFN(0x1f, 7) << 12);

    g_assert_cmphex(mem_read(base, 4), ==, TEST_DEVICE << 16 | TEST_VENDOR);
    g_assert_cmphex(mem_read(base + 2, 2), ==, TEST_DEVICE);
    g_assert_cmphex(mem_read(base + 1, 1), ==, TEST_VENDOR >> 8);
    /* Empty functions, other buses: all ones; writes go nowhere. */
    g_assert_cmphex(mem_read(ECAM_BASE + (PCI_DEVFN(2, 0) << 12), 4), ==, UINT32_MAX);
    g_assert_cmphex(mem_read(ECAM_BASE + MiB + ((uint64_t)d->devfn << 12), 4), ==, UINT32_MAX);
    mem_write(ECAM_BASE + MiB + ((uint64_t)d->devfn << 12) + PCI_COMMAND, 7, 2);
    g_assert_cmphex(cfg_read(d, PCI_COMMAND, 2), ==, 0);
    /* Extended config space exists (PCIe bus) and reads 0: no extended capabilities. */
    g_assert_cmphex(mem_read(base + 0x100, 4), ==, 0);
    g_assert_cmphex(mem_read(base + 0xffc, 4), ==, 0);
    /* An unaligned dword read is split into aligned pieces; an unaligned write is harmless. */
    g_assert_cmphex(mem_read(base + 1, 4), ==,
                    (uint32_t)(TEST_DEVICE << 8 | TEST_VENDOR >> 8));
    mem_write(base + PCI_COMMAND + 1, 0xffffffff, 4);
    /* An 8-byte access is carried out as two dword accesses. */
    g_assert_cmphex(mem_read(base, 8), ==,
                    (uint64_t)cfg_read(d, PCI_COMMAND, 4) << 32 | cfg_read(d, 0, 4));
    mem_write(base + PCI_BASE_ADDRESS_0, UINT64_MAX, 8);
    g_assert_cmphex(cfg_read(d, PCI_BASE_ADDRESS_0, 4), ==, 0xffffffe1);
    g_assert_cmphex(cfg_read(d, PCI_BASE_ADDRESS_0 + 4, 4), ==, 0xfffff000);
    /* The device's own checks refuse bad sizes too. */
    g_assert_cmphex(pci_config_read(d, 2, 4), ==, UINT32_MAX);
    g_assert_cmphex(pci_config_read(d, PCIE_CONFIG_SPACE_SIZE, 1), ==, 0xff);
    pci_config_write(d, PCIE_CONFIG_SPACE_SIZE - 2, 0, 4);
    qdev_destroy(&d->parent_obj);
}

static void test_conf1_decoding(void)
{
    PCIDevice *d = test_dev_new("c.2");
    uint32_t addr = 0x80000000 | d->devfn << 8;

    /* CONFIG_ADDRESS reads back with its reserved bits clear. */
    io_write(PCI_CONF1_ADDR_PORT, addr | 0x7f000003, 4);
    g_assert_cmphex(io_read(PCI_CONF1_ADDR_PORT, 4), ==, addr);
    g_assert_cmphex(io_read(PCI_CONF1_DATA_PORT, 4), ==, TEST_DEVICE << 16 | TEST_VENDOR);
    g_assert_cmphex(io_read(PCI_CONF1_DATA_PORT + 2, 2), ==, TEST_DEVICE);
    g_assert_cmphex(io_read(PCI_CONF1_DATA_PORT + 1, 1), ==, TEST_VENDOR >> 8);
    io_write(PCI_CONF1_ADDR_PORT, addr | PCI_COMMAND, 4);
    io_write(PCI_CONF1_DATA_PORT, PCI_COMMAND_MEMORY, 2);
    g_assert_cmphex(cfg_read(d, PCI_COMMAND, 2), ==, PCI_COMMAND_MEMORY);
    io_write(PCI_CONF1_ADDR_PORT, addr | PCI_INTERRUPT_LINE, 4);
    io_write(PCI_CONF1_DATA_PORT, 0x0b, 1);
    g_assert_cmphex(cfg_read(d, PCI_INTERRUPT_LINE, 1), ==, 0x0b);
    /* Enable bit clear, another bus, an empty slot: all ones. */
    io_write(PCI_CONF1_ADDR_PORT, addr & ~0x80000000u, 4);
    g_assert_cmphex(io_read(PCI_CONF1_DATA_PORT, 4), ==, UINT32_MAX);
    io_write(PCI_CONF1_DATA_PORT, 0, 4);
    io_write(PCI_CONF1_ADDR_PORT, addr | 1 << 16, 4);
    g_assert_cmphex(io_read(PCI_CONF1_DATA_PORT, 2), ==, 0xffff);
    io_write(PCI_CONF1_ADDR_PORT, 0x80000000 | PCI_DEVFN(0x1d, 0) << 8, 4);
    g_assert_cmphex(io_read(PCI_CONF1_DATA_PORT, 4), ==, UINT32_MAX);
    /* Byte and word accesses to CONFIG_ADDRESS are refused and change nothing. */
    io_write(PCI_CONF1_ADDR_PORT, addr, 4);
    io_write(PCI_CONF1_ADDR_PORT + 1, 0, 1);
    io_write(PCI_CONF1_ADDR_PORT + 2, 0, 2);
    g_assert_cmphex(io_read(PCI_CONF1_ADDR_PORT, 4), ==, addr);
    g_assert_cmphex(io_read(PCI_CONF1_ADDR_PORT, 1), ==, 0xff);
    /* An unaligned data access is split; the piece past 0xcff reaches nothing. */
    g_assert_cmphex(io_read(PCI_CONF1_DATA_PORT + 3, 2), ==, 0xff00 | TEST_DEVICE >> 8);
    g_assert_cmphex(cfg_read(d, PCI_COMMAND, 2), ==, PCI_COMMAND_MEMORY);
    /* A machine reset clears CONFIG_ADDRESS. */
    qdev_reset_all();
    g_assert_cmphex(io_read(PCI_CONF1_ADDR_PORT, 4), ==, 0);
    qdev_destroy(&d->parent_obj);
}

static void test_addr_property(void)
{
    DeviceState *dev;
    GError *err = NULL;
    PCIDevice *d = test_dev_new("d");
    static const char *const bad[] = { "20", "1.8", "x", "1.", "" };

    /* Taken, malformed or out-of-range addresses, unknown buses. */
    dev = qdev_new("test-pci-dev");
    qdev_prop_set_string(dev, "addr", "d.0");
    g_assert_false(qdev_realize(dev, &err));
    g_assert_nonnull(strstr(err->message, "taken"));
    g_clear_error(&err);
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        dev = qdev_new("test-pci-dev");
        qdev_prop_set_string(dev, "addr", bad[i]);
        g_assert_false(qdev_realize(dev, &err));
        g_assert_nonnull(err);
        g_clear_error(&err);
    }
    dev = qdev_new("test-pci-dev");
    qdev_prop_set_string(dev, "bus", "pci.7");
    g_assert_false(qdev_realize(dev, &err));
    g_clear_error(&err);
    /* Without addr=, the first free slot (00.0 is the host bridge). */
    dev = qdev_new("test-pci-dev");
    qdev_prop_set_string(dev, "bus", "pcie.0");
    g_assert_true(qdev_realize(dev, NULL));
    g_assert_cmpuint(PCI_DEVICE(dev)->devfn, ==, PCI_DEVFN(1, 0));
    qdev_destroy(dev);
    qdev_destroy(&d->parent_obj);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    machine_init_once();
    g_test_add_func("/pci/ids-read-only", test_ids_read_only);
    g_test_add_func("/pci/command-status", test_command_status);
    g_test_add_func("/pci/bar-sizing", test_bar_sizing);
    g_test_add_func("/pci/bar-mapping", test_bar_mapping);
    g_test_add_func("/pci/capabilities", test_capabilities);
    g_test_add_func("/pci/msix", test_msix);
    g_test_add_func("/pci/msi", test_msi);
    g_test_add_func("/pci/intx", test_intx);
    g_test_add_func("/pci/ecam", test_ecam_decoding);
    g_test_add_func("/pci/conf1", test_conf1_decoding);
    g_test_add_func("/pci/addr-property", test_addr_property);
    return g_test_run();
}
