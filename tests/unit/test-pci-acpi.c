/*
 * Unit tests of what the microvm ACPI tables say about the PCI Express host
 * with pcie=on: the MCFG (found through the XSDT) and, in the DSDT, the root
 * bridge PCI0 (ids, bus range, windows, 128 _PRT entries with the swizzle)
 * and the motherboard resource that reserves the ECAM. The byte-level checks
 * always run; iasl (acpica-tools), when installed, disassembles both tables.
 * Without pcie the tables have no MCFG and no PCI0.
 */
#include "util/osdep.h"

#include <sys/wait.h>

#include "hw/i386/microvm.h"
#include "hw/pci/pci.h"

#define BASE MICROVM_ACPI_ADDR

static uint32_t ld32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t ld64(const uint8_t *p)
{
    return ld32(p) | (uint64_t)ld32(p + 4) << 32;
}

static uint8_t sum(const uint8_t *p, size_t len)
{
    uint8_t s = 0;

    while (len--) {
        s += *p++;
    }
    return s;
}

/* The table with signature SIG among the XSDT's entries, or NULL. */
static const uint8_t *find_table(GByteArray *blob, const char *sig)
{
    const uint8_t *xsdt = blob->data + ld64(blob->data + 24) - BASE;
    uint32_t n = (ld32(xsdt + 4) - 36) / 8;

    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *t = blob->data + ld64(xsdt + 36 + i * 8) - BASE;

        if (!memcmp(t, sig, 4)) {
            g_assert_cmpuint(sum(t, ld32(t + 4)), ==, 0);
            return t;
        }
    }
    return NULL;
}

static const uint8_t *find_dsdt(GByteArray *blob)
{
    const uint8_t *fadt = find_table(blob, "FACP");

    g_assert_nonnull(fadt);
    return blob->data + ld64(fadt + 140) - BASE;
}

static bool contains(const uint8_t *t, const void *needle, size_t len)
{
    return memmem(t, ld32(t + 4), needle, len) != NULL;
}

static GByteArray *build(bool pcie)
{
    static const uint32_t ids[] = { 0 };
    MicrovmAcpiConfig cfg = {
        .ncpus = 1, .apic_ids = ids, .com1 = true, .virtio_slots = 0xf,
        .pcie = pcie, .pcie_mmio64_base = 64 * GiB,
    };

    return microvm_acpi_build(&cfg, BASE);
}

static void test_mcfg(void)
{
    g_autoptr(GByteArray) blob = build(true);
    const uint8_t *mcfg = find_table(blob, "MCFG");

    g_assert_nonnull(mcfg);
    g_assert_cmpuint(ld32(mcfg + 4), ==, 36 + 8 + 16);
    g_assert_cmphex(ld64(mcfg + 44), ==, MICROVM_PCIE_ECAM_BASE);
    g_assert_cmpuint(mcfg[44 + 8] | mcfg[44 + 9] << 8, ==, 0);     /* segment */
    g_assert_cmpuint(mcfg[44 + 10], ==, 0);                         /* first bus */
    g_assert_cmpuint(mcfg[44 + 11], ==, MICROVM_PCIE_ECAM_SIZE / MiB - 1);
}

static void test_dsdt_bytes(void)
{
    g_autoptr(GByteArray) blob = build(true);
    const uint8_t *dsdt = find_dsdt(blob);
    /* EisaId("PNP0A08") and ("PNP0C02") as AML DWord constants. */
    static const uint8_t pnp0a08[] = { 0x0c, 0x41, 0xd0, 0x0a, 0x08 };
    static const uint8_t pnp0c02[] = { 0x0c, 0x41, 0xd0, 0x0c, 0x02 };

    g_assert_true(contains(dsdt, "PCI0", 4));
    g_assert_true(contains(dsdt, "_PRT", 4));
    g_assert_true(contains(dsdt, pnp0a08, sizeof(pnp0a08)));
    g_assert_true(contains(dsdt, pnp0c02, sizeof(pnp0c02)));

    g_autoptr(GByteArray) plain = build(false);
    g_assert_null(find_table(plain, "MCFG"));
    g_assert_false(contains(find_dsdt(plain), "PCI0", 4));
}

static char *iasl_disassemble(const char *dir, const char *name, const uint8_t *table)
{
    g_autofree char *dat = g_strdup_printf("%s/%s.dat", dir, name);
    g_autofree char *dsl = g_strdup_printf("%s/%s.dsl", dir, name);
    g_autofree char *out = NULL, *err = NULL;
    const char *argv[] = { "iasl", "-d", dat, NULL };
    char *text = NULL;
    int status;

    g_assert_true(g_file_set_contents(dat, (const char *)table, ld32(table + 4), NULL));
    g_assert_true(g_spawn_sync(dir, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, &err, &status, NULL));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || strstr(out, "Error") ||
        strstr(err, "Error")) {
        g_test_message("iasl -d %s:\n%s%s", name, out, err);
        g_assert_not_reached();
    }
    g_assert_true(g_file_get_contents(dsl, &text, NULL, NULL));
    unlink(dat);
    unlink(dsl);
    return text;
}

static void test_iasl(void)
{
    g_autofree char *iasl = g_find_program_in_path("iasl");
    g_autofree char *dir = NULL, *dsdt = NULL, *mcfg = NULL;
    g_autoptr(GByteArray) blob = NULL;
    unsigned entries = 0;

    if (!iasl) {
        g_test_skip("iasl not installed (Debian package acpica-tools)");
        return;
    }
    blob = build(true);
    dir = g_dir_make_tmp("kestrel-pci-acpi-XXXXXX", NULL);
    g_assert_nonnull(dir);
    dsdt = iasl_disassemble(dir, "dsdt", find_dsdt(blob));
    mcfg = iasl_disassemble(dir, "mcfg", find_table(blob, "MCFG"));
    rmdir(dir);

    g_assert_nonnull(strstr(dsdt, "Device (PCI0)"));
    g_assert_nonnull(strstr(dsdt, "EisaId (\"PNP0A08\")"));
    g_assert_nonnull(strstr(dsdt, "EisaId (\"PNP0A03\")"));
    g_assert_nonnull(strstr(dsdt, "EisaId (\"PNP0C02\")"));
    g_assert_nonnull(strstr(dsdt, "WordBusNumber (ResourceProducer, MinFixed, MaxFixed"));
    g_assert_nonnull(strstr(dsdt, "WordIO (ResourceProducer, MinFixed, MaxFixed"));
    g_assert_nonnull(strstr(dsdt, "DWordMemory (ResourceProducer, PosDecode, MinFixed, "
                                  "MaxFixed, NonCacheable, ReadWrite"));
    g_assert_nonnull(strstr(dsdt, "0xDFFFFFFF"));
    g_assert_nonnull(strstr(dsdt, "QWordMemory (ResourceProducer, PosDecode, MinFixed, "
                                  "MaxFixed, Prefetchable, ReadWrite"));
    g_assert_nonnull(strstr(dsdt, "0x0000001FFFFFFFFF"));
    g_assert_nonnull(strstr(dsdt, "Name (_PRT, Package (0x80)"));
    g_assert_nonnull(strstr(dsdt, "Memory32Fixed (ReadWrite,\n                    0xE0000000"));
    /* Slot 1 pin B (1) reaches GSI 20 + (1 + 1) % 4 = 22. */
    g_assert_nonnull(strstr(dsdt, "0x0001FFFF, \n                    One, \n                    "
                                  "Zero, \n                    0x16"));
    for (const char *p = dsdt; (p = strstr(p, "Zero, \n                    0x1")); p++) {
        entries++;
    }
    g_assert_cmpuint(entries, ==, PCI_SLOT_MAX * PCI_NUM_PINS);
    g_assert_nonnull(strstr(mcfg, "Base Address : 00000000E0000000"));
    g_assert_nonnull(strstr(mcfg, "End Bus Number : FF"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/pci/acpi/mcfg", test_mcfg);
    g_test_add_func("/pci/acpi/dsdt-bytes", test_dsdt_bytes);
    g_test_add_func("/pci/acpi/iasl", test_iasl);
    return g_test_run();
}
