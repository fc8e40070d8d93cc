/*
 * ACPI tables of the pc board, handed to the firmware through fw_cfg with a
 * table-loader script (the format QEMU defined and SeaBIOS/OVMF execute):
 * "etc/acpi/tables" holds FACS, DSDT, FADT, MADT and RSDT with every
 * pointer written as an offset into that file, "etc/acpi/rsdp" the RSDP
 * (revision 0, pointing at the RSDT), and "etc/table-loader" the commands:
 * allocate both (the RSDP in the F segment where OSes search for it), add
 * the allocated base to each pointer, then fix each checksum.
 *
 * The DSDT describes the PCI root bus (PNP0A03: bus 0-255, the I/O ports
 * besides the configuration registers, the VGA window and the 32-bit and
 * 64-bit PCI holes; _PRT sends slot S pin P to GSI 16 + (S + P) % 4, where
 * the board wires PIRQA-D besides their ISA IRQs), COM1, the RTC, the
 * keyboard controller and \_S5. The FADT is a full fixed-hardware one with
 * the PIIX4 PM block at the base the firmware programmed, the PM timer, the
 * fixed power button and 0xcf9 as reset register; no SMI_CMD (always in
 * ACPI mode). There is no HPET.
 */
#include "util/osdep.h"

#include "hw/acpi/acpi-table.h"
#include "hw/acpi/aml-build.h"
#include "hw/i386/acpi-pm.h"
#include "hw/i386/pc.h"

#define RSDP_V1_SIZE            20
#define RSDP_CHECKSUM           8
#define RSDP_RSDT_ADDR          16
#define TABLE_CHECKSUM          9
#define TABLE_LENGTH            4

#define FADT_REVISION           3
#define FADT_WBINVD             (1 << 0)
#define FADT_PROC_C1            (1 << 2)
#define FADT_SLP_BUTTON         (1 << 5)
#define FADT_RESET_REG_SUP      (1 << 10)
#define IAPC_8042               (1 << 1)
#define IAPC_LEGACY_DEVICES     (1 << 0)

#define MADT_PCAT_COMPAT        1
#define MADT_LOCAL_APIC         0
#define MADT_IO_APIC            1
#define MADT_INT_OVERRIDE       2
#define MADT_LOCAL_APIC_NMI     4
#define MADT_ENABLED            1
#define MADT_IRQ_LEVEL_HIGH     0x000d

#define PC_RESET_PORT           0xcf9
#define PC_RESET_VALUE          0x06    /* SYS_RST | RST_CPU */

/* ---- the loader script ---- */

static void loader_cmd(GByteArray *loader, uint32_t cmd, const void *body, size_t len)
{
    uint8_t buf[PC_LOADER_CMD_SIZE] = { 0 };

    g_assert(len <= sizeof(buf) - 4);
    buf[0] = cmd;
    buf[1] = cmd >> 8;
    buf[2] = cmd >> 16;
    buf[3] = cmd >> 24;
    memcpy(buf + 4, body, len);
    g_byte_array_append(loader, buf, sizeof(buf));
}

static void put_name(uint8_t *p, const char *name)
{
    g_assert(strlen(name) < 56);
    memcpy(p, name, strlen(name));
}

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = v >> (8 * i);
    }
}

static void loader_allocate(GByteArray *loader, const char *file, uint32_t align, uint8_t zone)
{
    uint8_t b[56 + 4 + 1] = { 0 };

    put_name(b, file);
    put_le32(b + 56, align);
    b[60] = zone;
    loader_cmd(loader, PC_LOADER_ALLOCATE, b, sizeof(b));
}

/* Adds the address of SRC to the SIZE-byte pointer at OFFSET in DEST. */
static void loader_add_pointer(GByteArray *loader, const char *dest, const char *src,
                               uint32_t offset, uint8_t size)
{
    uint8_t b[56 + 56 + 4 + 1] = { 0 };

    put_name(b, dest);
    put_name(b + 56, src);
    put_le32(b + 112, offset);
    b[116] = size;
    loader_cmd(loader, PC_LOADER_ADD_POINTER, b, sizeof(b));
}

static void loader_add_checksum(GByteArray *loader, const char *file, uint32_t offset,
                                uint32_t start, uint32_t length)
{
    uint8_t b[56 + 4 + 4 + 4] = { 0 };

    put_name(b, file);
    put_le32(b + 56, offset);
    put_le32(b + 60, start);
    put_le32(b + 64, length);
    loader_cmd(loader, PC_LOADER_ADD_CHECKSUM, b, sizeof(b));
}

/* A table that starts at START in the tables file: its checksum once pointers are set. */
static void loader_table_checksum(GByteArray *loader, GByteArray *tables, size_t start)
{
    uint32_t len = tables->data[start + TABLE_LENGTH] |
                   (uint32_t)tables->data[start + TABLE_LENGTH + 1] << 8 |
                   (uint32_t)tables->data[start + TABLE_LENGTH + 2] << 16 |
                   (uint32_t)tables->data[start + TABLE_LENGTH + 3] << 24;

    tables->data[start + TABLE_CHECKSUM] = 0;
    loader_add_checksum(loader, PC_ACPI_TABLES_FILE, start + TABLE_CHECKSUM, start, len);
}

/* ---- the tables ---- */

static size_t pc_acpi_facs(GByteArray *b)
{
    size_t start;

    acpi_align(b, 64);
    start = b->len;
    acpi_append_bytes(b, "FACS", 4);
    acpi_append_u32(b, 64);         /* length */
    acpi_append_u32(b, 0);          /* hardware signature */
    acpi_append_u32(b, 0);          /* firmware waking vector */
    acpi_append_u32(b, 0);          /* global lock */
    acpi_append_u32(b, 0);          /* flags */
    acpi_append_u64(b, 0);          /* 64-bit waking vector */
    acpi_append_u8(b, 1);           /* version */
    acpi_append_zeros(b, 31);
    return start;
}

static Aml *pc_acpi_isa_device(const char *name, const char *hid, uint16_t port, uint8_t len,
                               uint16_t port2, int irq)
{
    Aml *dev = aml_device(name);
    Aml *crs = aml_resource_template();

    aml_append(dev, aml_name_decl("_HID", aml_eisaid(hid)));
    aml_append(crs, aml_io(port, port, 1, len));
    if (port2) {
        aml_append(crs, aml_io(port2, port2, 1, 1));
    }
    aml_append(crs, aml_irq_no_flags(irq));
    aml_append(dev, aml_name_decl("_CRS", crs));
    return dev;
}

static Aml *pc_acpi_pci0(const PcAcpiConfig *cfg)
{
    Aml *dev = aml_device("PCI0");
    Aml *crs = aml_resource_template();
    Aml *prt = aml_package();

    aml_append(dev, aml_name_decl("_HID", aml_eisaid("PNP0A03")));
    aml_append(dev, aml_name_decl("_ADR", aml_int(0)));
    aml_append(dev, aml_name_decl("_UID", aml_int(0)));
    aml_append(dev, aml_name_decl("_BBN", aml_int(0)));
    aml_append(crs, aml_word_bus_number(0, 0xff));
    aml_append(crs, aml_io(PCI_CONF1_ADDR_PORT, PCI_CONF1_ADDR_PORT, 1, 8));
    aml_append(crs, aml_word_io(0x0000, PCI_CONF1_ADDR_PORT - 1));
    aml_append(crs, aml_word_io(PCI_CONF1_ADDR_PORT + 8, 0xffff));
    aml_append(crs, aml_dword_memory(0xa0000, 0xbffff, false));
    aml_append(crs, aml_dword_memory(cfg->pci_hole_start, PC_PCI_HOLE_END - 1, false));
    if (cfg->pci_hole64_size) {
        aml_append(crs, aml_qword_memory(cfg->pci_hole64_start,
                                         cfg->pci_hole64_start + cfg->pci_hole64_size - 1,
                                         true));
    }
    aml_append(dev, aml_name_decl("_CRS", crs));
    for (unsigned slot = 0; slot < PCI_SLOT_MAX; slot++) {
        for (unsigned pin = 0; pin < PCI_NUM_PINS; pin++) {
            Aml *entry = aml_package();

            aml_append(entry, aml_int(((uint64_t)slot << 16) | 0xffff));
            aml_append(entry, aml_int(pin));
            aml_append(entry, aml_int(0));
            aml_append(entry, aml_int(PC_PCI_GSI_BASE + (slot + pin) % PCI_NUM_PINS));
            aml_append(prt, entry);
        }
    }
    aml_append(dev, aml_name_decl("_PRT", prt));

    aml_append(dev, pc_acpi_isa_device("RTC", "PNP0B00", 0x70, 2, 0, 8));
    aml_append(dev, pc_acpi_isa_device("KBD", "PNP0303", 0x60, 1, 0x64, 1));
    if (cfg->com1) {
        aml_append(dev, pc_acpi_isa_device("COM1", "PNP0501", PC_COM1_IOBASE, 8, 0,
                                           PC_COM1_IRQ));
    }
    return dev;
}

static size_t pc_acpi_dsdt(GByteArray *b, const PcAcpiConfig *cfg)
{
    Aml *block = aml_block();
    Aml *sb = aml_scope("\\_SB");
    Aml *s5 = aml_package();
    g_autoptr(GByteArray) aml = NULL;
    size_t start;

    aml_append(sb, pc_acpi_pci0(cfg));
    aml_append(block, sb);
    for (int i = 0; i < 4; i++) {
        aml_append(s5, aml_int(ACPI_SLP_TYP_S5));
    }
    aml_append(block, aml_name_decl("\\_S5", s5));
    aml = aml_block_bytes(block);

    acpi_align(b, 8);
    start = acpi_table_begin(b, "DSDT", 1);
    acpi_append_bytes(b, aml->data, aml->len);
    acpi_table_end(b, start);
    return start;
}

/* FADT revision 3; FIRMWARE_CTRL, DSDT and X_DSDT hold offsets the loader relocates. */
static size_t pc_acpi_fadt(GByteArray *b, const PcAcpiConfig *cfg, size_t facs, size_t dsdt,
                           size_t *x_dsdt)
{
    uint16_t pm = cfg->pm_base;
    size_t start;

    acpi_align(b, 8);
    start = acpi_table_begin(b, "FACP", FADT_REVISION);
    acpi_append_u32(b, facs);                   /* FIRMWARE_CTRL */
    acpi_append_u32(b, dsdt);                   /* DSDT */
    acpi_append_u8(b, 0);                       /* reserved */
    acpi_append_u8(b, 0);                       /* preferred PM profile: unspecified */
    acpi_append_u16(b, PC_SCI_IRQ);             /* SCI_INT */
    acpi_append_u32(b, 0);                      /* SMI_CMD: none, always in ACPI mode */
    acpi_append_zeros(b, 4);                    /* ACPI_ENABLE/DISABLE, S4BIOS, PSTATE */
    acpi_append_u32(b, pm);                     /* PM1a_EVT_BLK */
    acpi_append_u32(b, 0);                      /* PM1b_EVT_BLK */
    acpi_append_u32(b, pm + 4);                 /* PM1a_CNT_BLK */
    acpi_append_u32(b, 0);                      /* PM1b_CNT_BLK */
    acpi_append_u32(b, 0);                      /* PM2_CNT_BLK */
    acpi_append_u32(b, pm + ACPI_PM_TMR_OFFSET);    /* PM_TMR_BLK */
    acpi_append_u32(b, 0);                      /* GPE0_BLK */
    acpi_append_u32(b, 0);                      /* GPE1_BLK */
    acpi_append_u8(b, ACPI_PM1_EVT_LEN);
    acpi_append_u8(b, ACPI_PM1_CNT_LEN);
    acpi_append_u8(b, 0);                       /* PM2_CNT_LEN */
    acpi_append_u8(b, ACPI_PM_TMR_LEN);
    acpi_append_zeros(b, 4);                    /* GPE0/GPE1 lengths, GPE1_BASE, CST_CNT */
    acpi_append_u16(b, 101);                    /* P_LVL2_LAT: no C2 */
    acpi_append_u16(b, 1001);                   /* P_LVL3_LAT: no C3 */
    acpi_append_zeros(b, 4);                    /* FLUSH_SIZE, FLUSH_STRIDE */
    acpi_append_zeros(b, 4);                    /* DUTY_OFFSET, DUTY_WIDTH, alarms */
    acpi_append_u8(b, 0x32);                    /* CENTURY: the CMOS century byte */
    acpi_append_u16(b, IAPC_LEGACY_DEVICES | IAPC_8042);
    acpi_append_u8(b, 0);                       /* reserved */
    acpi_append_u32(b, FADT_WBINVD | FADT_PROC_C1 | FADT_SLP_BUTTON | FADT_RESET_REG_SUP);
    acpi_append_gas(b, ACPI_GAS_SYSTEM_IO, 8, 0, ACPI_GAS_ACCESS_BYTE, PC_RESET_PORT);
    acpi_append_u8(b, PC_RESET_VALUE);
    acpi_append_zeros(b, 3);                    /* ARM_BOOT_ARCH, minor version */
    acpi_append_u64(b, 0);                      /* X_FIRMWARE_CTRL: FIRMWARE_CTRL is used */
    *x_dsdt = b->len;
    acpi_append_u64(b, dsdt);                   /* X_DSDT */
    acpi_append_gas(b, ACPI_GAS_SYSTEM_IO, ACPI_PM1_EVT_LEN * 8, 0, ACPI_GAS_ACCESS_WORD, pm);
    acpi_append_zeros(b, 12);                   /* X_PM1b_EVT_BLK */
    acpi_append_gas(b, ACPI_GAS_SYSTEM_IO, ACPI_PM1_CNT_LEN * 8, 0, ACPI_GAS_ACCESS_WORD,
                    pm + 4);
    acpi_append_zeros(b, 12 * 2);               /* X_PM1b_CNT, X_PM2_CNT */
    acpi_append_gas(b, ACPI_GAS_SYSTEM_IO, ACPI_PM_TMR_LEN * 8, 0, ACPI_GAS_ACCESS_DWORD,
                    pm + ACPI_PM_TMR_OFFSET);
    acpi_append_zeros(b, 12 * 2);               /* X_GPE0, X_GPE1 */
    acpi_table_end(b, start);
    return start;
}

static size_t pc_acpi_madt(GByteArray *b, const PcAcpiConfig *cfg)
{
    size_t start;

    acpi_align(b, 8);
    start = acpi_table_begin(b, "APIC", 1);
    acpi_append_u32(b, PC_LAPIC_ADDR);
    acpi_append_u32(b, MADT_PCAT_COMPAT);
    for (unsigned i = 0; i < cfg->ncpus; i++) {
        acpi_append_u8(b, MADT_LOCAL_APIC);
        acpi_append_u8(b, 8);
        acpi_append_u8(b, i);
        acpi_append_u8(b, cfg->apic_ids[i]);
        acpi_append_u32(b, MADT_ENABLED);
    }
    acpi_append_u8(b, MADT_IO_APIC);
    acpi_append_u8(b, 12);
    acpi_append_u8(b, 0);                           /* IOAPIC id */
    acpi_append_u8(b, 0);
    acpi_append_u32(b, PC_IOAPIC_ADDR);
    acpi_append_u32(b, 0);                          /* GSI base */

    acpi_append_u8(b, MADT_INT_OVERRIDE);           /* the timer on pin 2 */
    acpi_append_u8(b, 10);
    acpi_append_u8(b, 0);
    acpi_append_u8(b, 0);
    acpi_append_u32(b, 2);
    acpi_append_u16(b, 0);

    acpi_append_u8(b, MADT_INT_OVERRIDE);           /* the SCI: level, active high */
    acpi_append_u8(b, 10);
    acpi_append_u8(b, 0);
    acpi_append_u8(b, PC_SCI_IRQ);
    acpi_append_u32(b, PC_SCI_IRQ);
    acpi_append_u16(b, MADT_IRQ_LEVEL_HIGH);

    acpi_append_u8(b, MADT_LOCAL_APIC_NMI);
    acpi_append_u8(b, 6);
    acpi_append_u8(b, 0xff);
    acpi_append_u16(b, 0);
    acpi_append_u8(b, 1);                           /* LINT1 */
    acpi_table_end(b, start);
    return start;
}

void pc_acpi_build(const PcAcpiConfig *cfg, PcAcpiBlobs *out)
{
    GByteArray *t = g_byte_array_new();
    GByteArray *rsdp = g_byte_array_new();
    GByteArray *loader = g_byte_array_new();
    size_t facs, dsdt, fadt, madt, rsdt, x_dsdt;
    const char *tf = PC_ACPI_TABLES_FILE;

    facs = pc_acpi_facs(t);
    dsdt = pc_acpi_dsdt(t, cfg);
    fadt = pc_acpi_fadt(t, cfg, facs, dsdt, &x_dsdt);
    madt = pc_acpi_madt(t, cfg);
    acpi_align(t, 8);
    rsdt = acpi_table_begin(t, "RSDT", 1);
    acpi_append_u32(t, fadt);
    acpi_append_u32(t, madt);
    acpi_table_end(t, rsdt);

    acpi_append_bytes(rsdp, "RSD PTR ", 8);
    acpi_append_u8(rsdp, 0);                        /* checksum: by the loader */
    acpi_append_bytes(rsdp, ACPI_OEM_ID, 6);
    acpi_append_u8(rsdp, 0);                        /* revision 0: RSDT only */
    acpi_append_u32(rsdp, rsdt);

    loader_allocate(loader, PC_ACPI_RSDP_FILE, 16, PC_LOADER_ZONE_FSEG);
    loader_allocate(loader, tf, 64, PC_LOADER_ZONE_HIGH);
    loader_add_pointer(loader, tf, tf, fadt + ACPI_TABLE_HEADER_SIZE, 4);
    loader_add_pointer(loader, tf, tf, fadt + ACPI_TABLE_HEADER_SIZE + 4, 4);
    loader_add_pointer(loader, tf, tf, x_dsdt, 8);
    loader_add_pointer(loader, tf, tf, rsdt + ACPI_TABLE_HEADER_SIZE, 4);
    loader_add_pointer(loader, tf, tf, rsdt + ACPI_TABLE_HEADER_SIZE + 4, 4);
    loader_table_checksum(loader, t, dsdt);
    loader_table_checksum(loader, t, fadt);
    loader_table_checksum(loader, t, madt);
    loader_table_checksum(loader, t, rsdt);
    loader_add_pointer(loader, PC_ACPI_RSDP_FILE, tf, RSDP_RSDT_ADDR, 4);
    loader_add_checksum(loader, PC_ACPI_RSDP_FILE, RSDP_CHECKSUM, 0, RSDP_V1_SIZE);

    out->tables = t;
    out->rsdp = rsdp;
    out->loader = loader;
}

void pc_acpi_blobs_free(PcAcpiBlobs *blobs)
{
    g_clear_pointer(&blobs->tables, g_byte_array_unref);
    g_clear_pointer(&blobs->rsdp, g_byte_array_unref);
    g_clear_pointer(&blobs->loader, g_byte_array_unref);
}
