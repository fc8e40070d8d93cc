/*
 * ACPI Machine Language builder (ACPI 6.x, chapter 20 "AML Specification"
 * and 6.4 "Resource Data Types"). Each node keeps the bytes of its body; the
 * opcode, PkgLength and name of a scope, device, package or buffer are put in
 * front when the node is appended to its parent, once the body is complete.
 * Arguments come from board code, never from the guest, so a malformed name
 * is a programming error and asserts.
 */
#include "util/osdep.h"

#include "hw/acpi/aml-build.h"

#define AML_ZERO_OP         0x00
#define AML_ONE_OP          0x01
#define AML_NAME_OP         0x08
#define AML_BYTE_PREFIX     0x0a
#define AML_WORD_PREFIX     0x0b
#define AML_DWORD_PREFIX    0x0c
#define AML_STRING_PREFIX   0x0d
#define AML_QWORD_PREFIX    0x0e
#define AML_SCOPE_OP        0x10
#define AML_BUFFER_OP       0x11
#define AML_PACKAGE_OP      0x12
#define AML_DUAL_NAME       0x2e
#define AML_MULTI_NAME      0x2f
#define AML_EXT_OP          0x5b
#define AML_DEVICE_OP       0x82    /* after AML_EXT_OP */
#define AML_NULL_NAME       0x00

#define RES_IRQ_NO_FLAGS    0x22    /* small item: IRQ, 2 data bytes */
#define RES_IO              0x47    /* small item: I/O port, 7 data bytes */
#define RES_END_TAG         0x79    /* small item: end tag, 1 data byte */
#define RES_MEMORY32_FIXED  0x86
#define RES_EXT_INTERRUPT   0x89
#define RES_DWORD_ADDR      0x87    /* large items: address space descriptors */
#define RES_WORD_ADDR       0x88
#define RES_QWORD_ADDR      0x8a
#define RES_ADDR_MEMORY     0
#define RES_ADDR_IO         1
#define RES_ADDR_BUS        2
#define RES_ADDR_MIN_MAX_FIXED 0x0c /* producer, positive decode, _MIF and _MAF */

typedef enum AmlKind {
    AML_TERMS,          /* raw terms or data: copied as they are */
    AML_SCOPE,
    AML_DEVICE,
    AML_PACKAGE,
    AML_RESOURCES,
    AML_DESCRIPTOR,     /* one resource descriptor */
} AmlKind;

struct Aml {
    AmlKind kind;
    GByteArray *name;   /* encoded NameString of a scope or device */
    GByteArray *body;
    unsigned count;     /* package elements */
};

static Aml *aml_new(AmlKind kind)
{
    Aml *a = g_new0(Aml, 1);

    a->kind = kind;
    a->body = g_byte_array_new();
    return a;
}

void aml_free(Aml *aml)
{
    if (!aml) {
        return;
    }
    if (aml->name) {
        g_byte_array_unref(aml->name);
    }
    g_byte_array_unref(aml->body);
    g_free(aml);
}

static void put8(GByteArray *out, uint8_t v)
{
    g_byte_array_append(out, &v, 1);
}

static void put_le(GByteArray *out, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++) {
        put8(out, v >> (8 * i));
    }
}

void aml_encode_pkg_length(GByteArray *out, size_t len)
{
    size_t total;
    unsigned n;

    if (len + 1 < 0x40) {
        put8(out, len + 1);
        return;
    }
    /* Lead byte: count of extra bytes in bits 7-6, the low nibble in bits 3-0. */
    for (n = 2; n <= 4; n++) {
        total = len + n;
        if (total < (1ULL << (4 + 8 * (n - 1)))) {
            break;
        }
    }
    g_assert(n <= 4);
    put8(out, (n - 1) << 6 | (total & 0xf));
    put_le(out, total >> 4, n - 1);
}

static bool aml_name_char_ok(char c, bool first)
{
    return (c >= 'A' && c <= 'Z') || c == '_' || (!first && c >= '0' && c <= '9');
}

/* NameString: root and parent prefixes, then NameSegs padded with '_'. */
static void aml_encode_name(GByteArray *out, const char *name)
{
    g_auto(GStrv) segs = NULL;
    guint n;

    while (*name == '\\' || *name == '^') {
        put8(out, *name++);
    }
    segs = *name ? g_strsplit(name, ".", -1) : g_new0(char *, 1);
    n = g_strv_length(segs);
    g_assert(n <= 255);
    if (n == 0) {
        put8(out, AML_NULL_NAME);
        return;
    }
    if (n == 2) {
        put8(out, AML_DUAL_NAME);
    } else if (n > 2) {
        put8(out, AML_MULTI_NAME);
        put8(out, n);
    }
    for (guint i = 0; i < n; i++) {
        size_t len = strlen(segs[i]);

        g_assert(len >= 1 && len <= 4);
        for (size_t j = 0; j < 4; j++) {
            char c = j < len ? segs[i][j] : '_';
            g_assert(aml_name_char_ok(c, j == 0));
            put8(out, c);
        }
    }
}

Aml *aml_block(void)
{
    return aml_new(AML_TERMS);
}

Aml *aml_scope(const char *name)
{
    Aml *a = aml_new(AML_SCOPE);

    a->name = g_byte_array_new();
    aml_encode_name(a->name, name);
    return a;
}

Aml *aml_device(const char *name)
{
    Aml *a = aml_new(AML_DEVICE);

    a->name = g_byte_array_new();
    aml_encode_name(a->name, name);
    return a;
}

Aml *aml_package(void)
{
    return aml_new(AML_PACKAGE);
}

Aml *aml_resource_template(void)
{
    return aml_new(AML_RESOURCES);
}

static void aml_encode_int(GByteArray *out, uint64_t v)
{
    if (v <= 1) {
        put8(out, v ? AML_ONE_OP : AML_ZERO_OP);
    } else if (v <= UINT8_MAX) {
        put8(out, AML_BYTE_PREFIX);
        put_le(out, v, 1);
    } else if (v <= UINT16_MAX) {
        put8(out, AML_WORD_PREFIX);
        put_le(out, v, 2);
    } else if (v <= UINT32_MAX) {
        put8(out, AML_DWORD_PREFIX);
        put_le(out, v, 4);
    } else {
        put8(out, AML_QWORD_PREFIX);
        put_le(out, v, 8);
    }
}

Aml *aml_int(uint64_t value)
{
    Aml *a = aml_new(AML_TERMS);

    aml_encode_int(a->body, value);
    return a;
}

Aml *aml_string(const char *str)
{
    Aml *a = aml_new(AML_TERMS);

    for (const char *p = str; *p; p++) {
        g_assert(*p > 0 && *p < 0x7f);
    }
    put8(a->body, AML_STRING_PREFIX);
    g_byte_array_append(a->body, (const guint8 *)str, strlen(str) + 1);
    return a;
}

Aml *aml_eisaid(const char *id)
{
    Aml *a = aml_new(AML_TERMS);
    uint32_t v;

    g_assert(strlen(id) == 7);
    for (int i = 0; i < 3; i++) {
        g_assert(id[i] >= 'A' && id[i] <= 'Z');
    }
    for (int i = 3; i < 7; i++) {
        g_assert(g_ascii_isxdigit(id[i]));
    }
    /* Three 5-bit letters and a 16-bit product number, stored big-endian. */
    v = (uint32_t)(id[0] - 'A' + 1) << 26 | (uint32_t)(id[1] - 'A' + 1) << 21 |
        (uint32_t)(id[2] - 'A' + 1) << 16 | (uint32_t)strtoul(id + 3, NULL, 16);
    put8(a->body, AML_DWORD_PREFIX);
    put_le(a->body, GUINT32_SWAP_LE_BE(v), 4);
    return a;
}

Aml *aml_name_decl(const char *name, Aml *value)
{
    Aml *a = aml_new(AML_TERMS);

    put8(a->body, AML_NAME_OP);
    aml_encode_name(a->body, name);
    aml_append(a, value);
    return a;
}

Aml *aml_memory32_fixed(uint32_t base, uint32_t size, bool writable)
{
    Aml *a = aml_new(AML_DESCRIPTOR);

    put8(a->body, RES_MEMORY32_FIXED);
    put_le(a->body, 9, 2);
    put8(a->body, writable ? 1 : 0);
    put_le(a->body, base, 4);
    put_le(a->body, size, 4);
    return a;
}

Aml *aml_interrupt(uint32_t gsi, bool level, bool active_low, bool shared)
{
    Aml *a = aml_new(AML_DESCRIPTOR);

    put8(a->body, RES_EXT_INTERRUPT);
    put_le(a->body, 6, 2);
    /* bit 0 consumer, bit 1 edge, bit 2 active low, bit 3 shared */
    put8(a->body, 0x01 | (level ? 0 : 0x02) | (active_low ? 0x04 : 0) | (shared ? 0x08 : 0));
    put8(a->body, 1);
    put_le(a->body, gsi, 4);
    return a;
}

Aml *aml_io(uint16_t min, uint16_t max, uint8_t align, uint8_t len)
{
    Aml *a = aml_new(AML_DESCRIPTOR);

    put8(a->body, RES_IO);
    put8(a->body, 1);       /* 16-bit decode */
    put_le(a->body, min, 2);
    put_le(a->body, max, 2);
    put8(a->body, align);
    put8(a->body, len);
    return a;
}

Aml *aml_irq_no_flags(uint8_t irq)
{
    Aml *a = aml_new(AML_DESCRIPTOR);

    g_assert(irq < 16);
    put8(a->body, RES_IRQ_NO_FLAGS);
    put_le(a->body, 1u << irq, 2);
    return a;
}

/*
 * An address space descriptor of WIDTH bytes per field (2, 4 or 8: Word,
 * DWord, QWord) for the fixed range [MIN, MAX], no translation.
 */
static Aml *aml_addr_space(unsigned width, uint8_t type, uint8_t type_flags, uint64_t min,
                           uint64_t max)
{
    Aml *a = aml_new(AML_DESCRIPTOR);
    uint8_t tag = width == 2 ? RES_WORD_ADDR : width == 4 ? RES_DWORD_ADDR : RES_QWORD_ADDR;

    g_assert(min <= max);
    put8(a->body, tag);
    put_le(a->body, 3 + 5 * width, 2);
    put8(a->body, type);
    put8(a->body, RES_ADDR_MIN_MAX_FIXED);
    put8(a->body, type_flags);
    put_le(a->body, 0, width);              /* _GRA: granularity (decode bits) */
    put_le(a->body, min, width);
    put_le(a->body, max, width);
    put_le(a->body, 0, width);              /* _TRA */
    put_le(a->body, max - min + 1, width);  /* _LEN */
    return a;
}

Aml *aml_word_bus_number(uint16_t min, uint16_t max)
{
    return aml_addr_space(2, RES_ADDR_BUS, 0, min, max);
}

Aml *aml_word_io(uint16_t min, uint16_t max)
{
    return aml_addr_space(2, RES_ADDR_IO, 0x03, min, max);    /* ISA and non-ISA ranges */
}

Aml *aml_dword_memory(uint32_t min, uint32_t max, bool prefetch)
{
    return aml_addr_space(4, RES_ADDR_MEMORY, prefetch ? 0x07 : 0x01, min, max);
}

Aml *aml_qword_memory(uint64_t min, uint64_t max, bool prefetch)
{
    return aml_addr_space(8, RES_ADDR_MEMORY, prefetch ? 0x07 : 0x01, min, max);
}

/* Appends the complete encoding of A to OUT. */
static void aml_encode(GByteArray *out, Aml *a)
{
    g_autoptr(GByteArray) inner = g_byte_array_new();
    uint8_t sum = 0;

    switch (a->kind) {
    case AML_TERMS:
    case AML_DESCRIPTOR:
        g_byte_array_append(out, a->body->data, a->body->len);
        break;
    case AML_SCOPE:
    case AML_DEVICE:
        if (a->kind == AML_SCOPE) {
            put8(out, AML_SCOPE_OP);
        } else {
            put8(out, AML_EXT_OP);
            put8(out, AML_DEVICE_OP);
        }
        aml_encode_pkg_length(out, a->name->len + a->body->len);
        g_byte_array_append(out, a->name->data, a->name->len);
        g_byte_array_append(out, a->body->data, a->body->len);
        break;
    case AML_PACKAGE:
        g_assert(a->count <= UINT8_MAX);
        put8(out, AML_PACKAGE_OP);
        aml_encode_pkg_length(out, 1 + a->body->len);
        put8(out, a->count);
        g_byte_array_append(out, a->body->data, a->body->len);
        break;
    case AML_RESOURCES:
        /* The end tag's checksum makes the template's bytes sum to zero. */
        put8(a->body, RES_END_TAG);
        for (guint i = 0; i < a->body->len; i++) {
            sum += a->body->data[i];
        }
        put8(a->body, -sum);
        aml_encode_int(inner, a->body->len);
        g_byte_array_append(inner, a->body->data, a->body->len);
        put8(out, AML_BUFFER_OP);
        aml_encode_pkg_length(out, inner->len);
        g_byte_array_append(out, inner->data, inner->len);
        break;
    }
}

void aml_append(Aml *parent, Aml *child)
{
    g_assert((parent->kind == AML_RESOURCES) == (child->kind == AML_DESCRIPTOR));
    g_assert(parent->kind != AML_DESCRIPTOR);
    aml_encode(parent->body, child);
    if (parent->kind == AML_PACKAGE) {
        parent->count++;
    }
    aml_free(child);
}

GByteArray *aml_block_bytes(Aml *block)
{
    GByteArray *out = g_byte_array_ref(block->body);

    g_assert(block->kind == AML_TERMS);
    aml_free(block);
    return out;
}
