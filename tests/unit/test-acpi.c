/*
 * Unit tests of the ACPI builders: AML encodings (PkgLength, integers,
 * EisaId, resource templates), and the microvm tables (hw/i386/acpi-microvm.c)
 * walked from the RSDP: every table checksums to zero and has the length it
 * claims, the FADT points at the PM1 blocks and the DSDT, the MADT lists one
 * local APIC per vCPU. If iasl (Debian package acpica-tools) is installed, it
 * must disassemble every table without errors.
 */
#include "util/osdep.h"

#include <sys/wait.h>

#include "hw/acpi/acpi-table.h"
#include "hw/acpi/aml-build.h"
#include "hw/i386/microvm.h"

#define BASE 0xe0000

static uint16_t ld16(const uint8_t *p)
{
    return p[0] | p[1] << 8;
}

static uint32_t ld32(const uint8_t *p)
{
    return ld16(p) | (uint32_t)ld16(p + 2) << 16;
}

static uint64_t ld64(const uint8_t *p)
{
    return ld32(p) | (uint64_t)ld32(p + 4) << 32;
}

static uint8_t sum(const uint8_t *p, size_t len)
{
    uint8_t s = 0;

    for (size_t i = 0; i < len; i++) {
        s += p[i];
    }
    return s;
}

static GByteArray *bytes_of(Aml *aml)
{
    Aml *block = aml_block();

    aml_append(block, aml);
    return aml_block_bytes(block);
}

static void check_bytes(Aml *aml, const uint8_t *want, size_t len)
{
    g_autoptr(GByteArray) b = bytes_of(aml);

    g_assert_cmpmem(b->data, b->len, want, len);
}

/* Decodes a PkgLength; returns the value, sets *n to the bytes it took. */
static size_t decode_pkg_length(const uint8_t *p, unsigned *n)
{
    size_t v;

    *n = (p[0] >> 6) + 1;
    if (*n == 1) {
        return p[0] & 0x3f;
    }
    v = p[0] & 0xf;
    for (unsigned i = 1; i < *n; i++) {
        v |= (size_t)p[i] << (4 + 8 * (i - 1));
    }
    return v;
}

static void test_pkg_length(void)
{
    static const size_t lens[] = { 0, 1, 62, 63, 64, 4000, 4093, 4094, 4095, 70000,
                                   (1 << 20) - 4, (1 << 20), (1 << 28) - 5 };

    for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
        g_autoptr(GByteArray) b = g_byte_array_new();
        unsigned n;

        aml_encode_pkg_length(b, lens[i]);
        g_assert_cmpuint(b->len, ==, lens[i] + 1 < 64 ? 1 : lens[i] + 2 < 4096 ? 2 :
                         lens[i] + 3 < (1 << 20) ? 3 : 4);
        g_assert_cmpuint(decode_pkg_length(b->data, &n), ==, lens[i] + b->len);
        g_assert_cmpuint(n, ==, b->len);
        if (n > 1) {
            g_assert_cmpuint(b->data[0] & 0x30, ==, 0);
        }
    }
}

static void test_integers(void)
{
    check_bytes(aml_int(0), (const uint8_t[]){ 0x00 }, 1);
    check_bytes(aml_int(1), (const uint8_t[]){ 0x01 }, 1);
    check_bytes(aml_int(2), (const uint8_t[]){ 0x0a, 0x02 }, 2);
    check_bytes(aml_int(0xff), (const uint8_t[]){ 0x0a, 0xff }, 2);
    check_bytes(aml_int(0x100), (const uint8_t[]){ 0x0b, 0x00, 0x01 }, 3);
    check_bytes(aml_int(0x12345678), (const uint8_t[]){ 0x0c, 0x78, 0x56, 0x34, 0x12 }, 5);
    check_bytes(aml_int(0x100000000ULL),
                (const uint8_t[]){ 0x0e, 0, 0, 0, 0, 1, 0, 0, 0 }, 9);
    check_bytes(aml_string("AB"), (const uint8_t[]){ 0x0d, 'A', 'B', 0 }, 4);
    check_bytes(aml_eisaid("PNP0501"), (const uint8_t[]){ 0x0c, 0x41, 0xd0, 0x05, 0x01 }, 5);
}

static void test_names(void)
{
    check_bytes(aml_name_decl("_UID", aml_int(1)),
                (const uint8_t[]){ 0x08, '_', 'U', 'I', 'D', 0x01 }, 6);
    check_bytes(aml_name_decl("\\_S5", aml_int(0)),
                (const uint8_t[]){ 0x08, '\\', '_', 'S', '5', '_', 0x00 }, 7);
    check_bytes(aml_name_decl("\\_SB.A", aml_int(0)),
                (const uint8_t[]){ 0x08, '\\', 0x2e, '_', 'S', 'B', '_', 'A', '_', '_', '_',
                                   0x00 }, 12);
    check_bytes(aml_name_decl("^X.Y.Z", aml_int(0)),
                (const uint8_t[]){ 0x08, '^', 0x2f, 3, 'X', '_', '_', '_', 'Y', '_', '_', '_',
                                   'Z', '_', '_', '_', 0x00 }, 17);
}

static void test_package_device(void)
{
    Aml *pkg = aml_package();
    Aml *dev = aml_device("DEV0");

    aml_append(pkg, aml_int(0));
    aml_append(pkg, aml_int(5));
    check_bytes(pkg, (const uint8_t[]){ 0x12, 0x05, 0x02, 0x00, 0x0a, 0x05 }, 6);
    aml_append(dev, aml_name_decl("_UID", aml_int(0)));
    check_bytes(dev, (const uint8_t[]){ 0x5b, 0x82, 0x0b, 'D', 'E', 'V', '0',
                                        0x08, '_', 'U', 'I', 'D', 0x00 }, 13);
}

static void test_resource_template(void)
{
    Aml *crs = aml_resource_template();
    g_autoptr(GByteArray) b = NULL;
    unsigned n;
    size_t len;

    aml_append(crs, aml_memory32_fixed(0xfeb00000, 0x200, true));
    aml_append(crs, aml_interrupt(16, true, false, false));
    aml_append(crs, aml_io(0x3f8, 0x3f8, 1, 8));
    aml_append(crs, aml_irq_no_flags(4));
    b = bytes_of(crs);

    /* BufferOp PkgLength BufferSize(ByteConst) then the descriptors and End Tag. */
    g_assert_cmpuint(b->data[0], ==, 0x11);
    len = decode_pkg_length(b->data + 1, &n);
    g_assert_cmpuint(1 + len, ==, b->len);
    g_assert_cmpuint(b->data[1 + n], ==, 0x0a);
    g_assert_cmpuint(b->data[2 + n], ==, 12 + 9 + 8 + 3 + 2);
    {
        const uint8_t *r = b->data + 3 + n;
        size_t rlen = b->len - 3 - n;

        g_assert_cmpuint(rlen, ==, 34);
        g_assert_cmpmem(r, 12, ((const uint8_t[]){ 0x86, 9, 0, 1, 0, 0, 0xb0, 0xfe,
                                                   0, 2, 0, 0 }), 12);
        g_assert_cmpmem(r + 12, 9, ((const uint8_t[]){ 0x89, 6, 0, 0x01, 1, 16, 0, 0, 0 }), 9);
        g_assert_cmpmem(r + 21, 8, ((const uint8_t[]){ 0x47, 1, 0xf8, 3, 0xf8, 3, 1, 8 }), 8);
        g_assert_cmpmem(r + 29, 3, ((const uint8_t[]){ 0x22, 0x10, 0x00 }), 3);
        g_assert_cmpuint(r[32], ==, 0x79);
        g_assert_cmpuint(sum(r, rlen), ==, 0);
    }
}

/* Offset in the blob of the table at guest address ADDR, checked to be whole. */
static const uint8_t *table_at(GByteArray *b, uint64_t addr, const char *sig)
{
    const uint8_t *t;

    g_assert_cmpuint(addr, >=, BASE);
    g_assert_cmpuint(addr - BASE + ACPI_TABLE_HEADER_SIZE, <=, b->len);
    t = b->data + (addr - BASE);
    g_assert_cmpmem(t, 4, sig, 4);
    g_assert_cmpuint(addr - BASE + ld32(t + 4), <=, b->len);
    g_assert_cmpuint(sum(t, ld32(t + 4)), ==, 0);
    g_assert_cmpmem(t + 10, 6, ACPI_OEM_ID, 6);
    return t;
}

typedef struct Tables {
    GByteArray *blob;
    const uint8_t *xsdt, *fadt, *facs, *dsdt, *madt;
} Tables;

static void tables_walk(Tables *t, const MicrovmAcpiConfig *cfg)
{
    const uint8_t *rsdp;

    t->blob = microvm_acpi_build(cfg, BASE);
    g_assert_cmpuint(t->blob->len, <=, MICROVM_ACPI_SIZE);
    rsdp = t->blob->data;
    g_assert_cmpmem(rsdp, 8, "RSD PTR ", 8);
    g_assert_cmpuint(sum(rsdp, 20), ==, 0);
    g_assert_cmpuint(sum(rsdp, 36), ==, 0);
    g_assert_cmpuint(rsdp[15], ==, 2);
    g_assert_cmpuint(ld32(rsdp + 20), ==, 36);

    t->xsdt = table_at(t->blob, ld64(rsdp + 24), "XSDT");
    g_assert_cmpuint(ld32(t->xsdt + 4), ==, 36 + 2 * 8);
    t->fadt = table_at(t->blob, ld64(t->xsdt + 36), "FACP");
    t->madt = table_at(t->blob, ld64(t->xsdt + 44), "APIC");
    t->dsdt = table_at(t->blob, ld64(t->fadt + 140), "DSDT");
    g_assert_cmpuint(ld32(t->fadt + 40), ==, ld64(t->fadt + 140));

    /* FACS: no checksum, 64 bytes, 64-byte aligned. */
    g_assert_cmpuint(ld32(t->fadt + 36) % 64, ==, 0);
    t->facs = t->blob->data + ld32(t->fadt + 36) - BASE;
    g_assert_cmpmem(t->facs, 4, "FACS", 4);
    g_assert_cmpuint(ld32(t->facs + 4), ==, 64);
}

static void test_fadt(void)
{
    uint32_t ids[] = { 0 };
    MicrovmAcpiConfig cfg = { .ncpus = 1, .apic_ids = ids, .com1 = true };
    Tables t;
    const uint8_t *f;

    tables_walk(&t, &cfg);
    f = t.fadt;
    g_assert_cmpuint(ld32(f + 4), ==, 276);
    g_assert_cmpuint(f[8], ==, 6);
    g_assert_cmpuint(ld16(f + 46), ==, 9);              /* SCI_INT */
    g_assert_cmpuint(ld32(f + 48), ==, 0);              /* SMI_CMD */
    g_assert_cmpuint(ld32(f + 56), ==, 0x600);          /* PM1a_EVT_BLK */
    g_assert_cmpuint(ld32(f + 64), ==, 0x604);          /* PM1a_CNT_BLK */
    g_assert_cmpuint(f[88], ==, 4);
    g_assert_cmpuint(f[89], ==, 2);
    g_assert_cmpuint(ld32(f + 112) & (1 << 20), ==, 0); /* not HW_REDUCED_ACPI */
    g_assert_cmpuint(ld32(f + 112) & (1 << 10), !=, 0); /* RESET_REG_SUP */
    g_assert_cmpuint(f[116], ==, 1);                    /* RESET_REG in system I/O */
    g_assert_cmpuint(ld64(f + 120), ==, 0x64);
    g_assert_cmpuint(f[128], ==, 0xfe);
    g_assert_cmpuint(f[148], ==, 1);                    /* X_PM1a_EVT_BLK */
    g_assert_cmpuint(f[149], ==, 32);
    g_assert_cmpuint(ld64(f + 152), ==, 0x600);
    g_assert_cmpuint(f[172], ==, 1);                    /* X_PM1a_CNT_BLK */
    g_assert_cmpuint(f[173], ==, 16);
    g_assert_cmpuint(ld64(f + 176), ==, 0x604);
    g_byte_array_unref(t.blob);
}

/* Walks the MADT; checks the fixed entries and returns the local APIC ids found. */
static GArray *madt_apic_ids(const uint8_t *madt)
{
    GArray *ids = g_array_new(false, false, sizeof(uint32_t));
    uint32_t len = ld32(madt + 4);
    bool ioapic = false, irq0 = false, sci = false;

    g_assert_cmpuint(ld32(madt + 36), ==, 0xfee00000);
    for (uint32_t off = 44; off < len;) {
        const uint8_t *e = madt + off;
        uint32_t id;

        g_assert_cmpuint(e[1], >=, 2);
        g_assert_cmpuint(off + e[1], <=, len);
        switch (e[0]) {
        case 0:
            g_assert_cmpuint(e[1], ==, 8);
            g_assert_cmpuint(e[2], ==, ids->len);
            g_assert_cmpuint(ld32(e + 4), ==, 1);
            id = e[3];
            g_array_append_val(ids, id);
            break;
        case 9:
            g_assert_cmpuint(e[1], ==, 16);
            g_assert_cmpuint(ld32(e + 12), ==, ids->len);
            id = ld32(e + 4);
            g_array_append_val(ids, id);
            break;
        case 1:
            g_assert_cmpuint(e[1], ==, 12);
            g_assert_cmpuint(ld32(e + 4), ==, 0xfec00000);
            g_assert_cmpuint(ld32(e + 8), ==, 0);
            ioapic = true;
            break;
        case 2:
            g_assert_cmpuint(e[1], ==, 10);
            if (e[3] == 0) {
                g_assert_cmpuint(ld32(e + 4), ==, 2);
                irq0 = true;
            } else {
                g_assert_cmpuint(e[3], ==, 9);
                g_assert_cmpuint(ld32(e + 4), ==, 9);
                g_assert_cmpuint(ld16(e + 8), ==, 0x000d);
                sci = true;
            }
            break;
        }
        off += e[1];
    }
    g_assert_true(ioapic && irq0 && sci);
    return ids;
}

static void test_madt(void)
{
    static const unsigned counts[] = { 1, 2, 7, 64 };

    for (size_t c = 0; c < ARRAY_SIZE(counts); c++) {
        g_autofree uint32_t *ids = g_new(uint32_t, counts[c]);
        MicrovmAcpiConfig cfg = { .ncpus = counts[c], .apic_ids = ids };
        g_autoptr(GArray) found = NULL;
        Tables t;

        /* Two threads per core, so the ids are not the indexes. */
        for (unsigned i = 0; i < counts[c]; i++) {
            ids[i] = (i / 2) << 2 | (i % 2);
        }
        tables_walk(&t, &cfg);
        found = madt_apic_ids(t.madt);
        g_assert_cmpuint(found->len, ==, counts[c]);
        g_assert_cmpmem(found->data, found->len * 4, ids, counts[c] * 4);
        g_byte_array_unref(t.blob);
    }
}

static void test_madt_x2apic(void)
{
    uint32_t ids[] = { 0, 1, 0x100, 0x101 };
    MicrovmAcpiConfig cfg = { .ncpus = 4, .apic_ids = ids };
    g_autoptr(GArray) found = NULL;
    Tables t;

    tables_walk(&t, &cfg);
    found = madt_apic_ids(t.madt);
    g_assert_cmpmem(found->data, found->len * 4, ids, sizeof(ids));
    g_byte_array_unref(t.blob);
}

static void test_dsdt_content(void)
{
    uint32_t ids[] = { 0 };
    MicrovmAcpiConfig cfg = { .ncpus = 1, .apic_ids = ids, .com1 = true,
                              .virtio_slots = 0x5 };
    Tables t;
    const uint8_t *d;
    size_t len;

    tables_walk(&t, &cfg);
    d = t.dsdt;
    len = ld32(d + 4);
    g_assert_cmpuint(d[8], ==, 2);
    g_assert_nonnull(memmem(d, len, "LNRO0005", 8));
    g_assert_nonnull(memmem(d, len, "VR00", 4));
    g_assert_null(memmem(d, len, "VR01", 4));
    g_assert_nonnull(memmem(d, len, "VR02", 4));
    g_assert_nonnull(memmem(d, len, "COM1", 4));
    /* Name (\_S5_, Package (4) { 0, 0, 0, 0 }) */
    g_assert_nonnull(memmem(d, len, "\x08\\_S5_\x12\x06\x04\x00\x00\x00\x00", 12));
    /* slot 2: base 0xfeb00400, GSI 18 */
    g_assert_nonnull(memmem(d, len, "\x86\x09\x00\x01\x00\x04\xb0\xfe\x00\x02\x00\x00", 12));
    g_assert_nonnull(memmem(d, len, "\x89\x06\x00\x01\x01\x12\x00\x00\x00", 9));
    g_byte_array_unref(t.blob);
}

/* Runs iasl -d on one table; returns the disassembly. */
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
    uint32_t ids[] = { 0, 1, 2, 3 };
    MicrovmAcpiConfig cfg = { .ncpus = 4, .apic_ids = ids, .com1 = true,
                              .virtio_slots = 0xff };
    g_autofree char *iasl = g_find_program_in_path("iasl");
    g_autofree char *dir = NULL;
    g_autofree char *dsdt = NULL, *fadt = NULL, *madt = NULL, *facs = NULL;
    Tables t;

    if (!iasl) {
        g_test_skip("iasl not installed (Debian package acpica-tools)");
        return;
    }
    dir = g_dir_make_tmp("kestrel-acpi-XXXXXX", NULL);
    g_assert_nonnull(dir);
    tables_walk(&t, &cfg);
    dsdt = iasl_disassemble(dir, "dsdt", t.dsdt);
    fadt = iasl_disassemble(dir, "facp", t.fadt);
    madt = iasl_disassemble(dir, "apic", t.madt);
    facs = iasl_disassemble(dir, "facs", t.facs);
    rmdir(dir);

    g_assert_nonnull(strstr(dsdt, "EisaId (\"PNP0501\")"));
    g_assert_nonnull(strstr(dsdt, "\"LNRO0005\""));
    g_assert_nonnull(strstr(dsdt, "Device (VR07)"));
    g_assert_nonnull(strstr(dsdt, "Memory32Fixed (ReadWrite,"));
    g_assert_nonnull(strstr(dsdt, "0xFEB00E00"));
    g_assert_nonnull(strstr(dsdt, "Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive"));
    g_assert_nonnull(strstr(dsdt, "IRQNoFlags ()"));
    g_assert_nonnull(strstr(dsdt, "Name (\\_S5, Package (0x04)"));
    g_assert_nonnull(strstr(fadt, "PM1A Event Block Address : 00000600"));
    g_assert_null(strstr(fadt, "Invalid"));
    g_assert_nonnull(strstr(madt, "Local Apic ID : 03"));
    g_assert_nonnull(strstr(facs, "Version : 02"));
    g_byte_array_unref(t.blob);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/acpi/aml/pkg-length", test_pkg_length);
    g_test_add_func("/acpi/aml/integers", test_integers);
    g_test_add_func("/acpi/aml/names", test_names);
    g_test_add_func("/acpi/aml/package-device", test_package_device);
    g_test_add_func("/acpi/aml/resource-template", test_resource_template);
    g_test_add_func("/acpi/microvm/fadt", test_fadt);
    g_test_add_func("/acpi/microvm/madt", test_madt);
    g_test_add_func("/acpi/microvm/madt-x2apic", test_madt_x2apic);
    g_test_add_func("/acpi/microvm/dsdt", test_dsdt_content);
    g_test_add_func("/acpi/microvm/iasl", test_iasl);
    return g_test_run();
}
