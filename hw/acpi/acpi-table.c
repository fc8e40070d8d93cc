/*
 * ACPI table blob helpers: little-endian appends, Generic Address Structures,
 * and the common 36-byte system description table header with its length and
 * checksum filled in once the table body is complete.
 */
#include "util/osdep.h"

#include "hw/acpi/acpi-table.h"

#define HDR_LENGTH_OFFSET   4
#define HDR_CHECKSUM_OFFSET 9

static void acpi_append_le(GByteArray *blob, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++) {
        uint8_t b = v >> (8 * i);
        g_byte_array_append(blob, &b, 1);
    }
}

void acpi_append_u8(GByteArray *blob, uint8_t v)
{
    acpi_append_le(blob, v, 1);
}

void acpi_append_u16(GByteArray *blob, uint16_t v)
{
    acpi_append_le(blob, v, 2);
}

void acpi_append_u32(GByteArray *blob, uint32_t v)
{
    acpi_append_le(blob, v, 4);
}

void acpi_append_u64(GByteArray *blob, uint64_t v)
{
    acpi_append_le(blob, v, 8);
}

void acpi_append_bytes(GByteArray *blob, const void *data, size_t len)
{
    g_byte_array_append(blob, data, len);
}

void acpi_append_zeros(GByteArray *blob, size_t len)
{
    size_t old = blob->len;

    g_byte_array_set_size(blob, old + len);
    memset(blob->data + old, 0, len);
}

void acpi_align(GByteArray *blob, size_t align)
{
    acpi_append_zeros(blob, ROUND_UP((size_t)blob->len, align) - blob->len);
}

void acpi_append_gas(GByteArray *blob, uint8_t space, uint8_t bit_width, uint8_t bit_offset,
                     uint8_t access_size, uint64_t addr)
{
    acpi_append_u8(blob, space);
    acpi_append_u8(blob, bit_width);
    acpi_append_u8(blob, bit_offset);
    acpi_append_u8(blob, access_size);
    acpi_append_u64(blob, addr);
}

void acpi_patch_u32(GByteArray *blob, size_t offset, uint32_t v)
{
    g_assert(offset + 4 <= blob->len);
    for (unsigned i = 0; i < 4; i++) {
        blob->data[offset + i] = v >> (8 * i);
    }
}

void acpi_patch_u64(GByteArray *blob, size_t offset, uint64_t v)
{
    acpi_patch_u32(blob, offset, v);
    acpi_patch_u32(blob, offset + 4, v >> 32);
}

uint8_t acpi_checksum(const uint8_t *data, size_t len)
{
    uint8_t sum = 0;

    for (size_t i = 0; i < len; i++) {
        sum += data[i];
    }
    return -sum;
}

size_t acpi_table_begin(GByteArray *blob, const char *sig, uint8_t revision)
{
    size_t start = blob->len;

    g_assert(strlen(sig) == 4);
    acpi_append_bytes(blob, sig, 4);
    acpi_append_u32(blob, 0);               /* length, set by acpi_table_end() */
    acpi_append_u8(blob, revision);
    acpi_append_u8(blob, 0);                /* checksum, set by acpi_table_end() */
    acpi_append_bytes(blob, ACPI_OEM_ID, 6);
    acpi_append_bytes(blob, ACPI_OEM_TABLE_ID, 8);
    acpi_append_u32(blob, 1);               /* OEM revision */
    acpi_append_bytes(blob, ACPI_CREATOR_ID, 4);
    acpi_append_u32(blob, 1);               /* creator revision */
    return start;
}

void acpi_table_end(GByteArray *blob, size_t start)
{
    size_t len = blob->len - start;

    acpi_patch_u32(blob, start + HDR_LENGTH_OFFSET, len);
    blob->data[start + HDR_CHECKSUM_OFFSET] = 0;
    blob->data[start + HDR_CHECKSUM_OFFSET] = acpi_checksum(blob->data + start, len);
}
