/*
 * Building ACPI tables into one blob: system description table headers with
 * their length and checksum, little-endian fields and Generic Address
 * Structures. Tables are laid out back to back in a GByteArray that the board
 * copies to a fixed guest address, so a table's address is that base plus its
 * offset in the blob.
 */
#ifndef HW_ACPI_ACPI_TABLE_H
#define HW_ACPI_ACPI_TABLE_H

#include "util/osdep.h"

#define ACPI_OEM_ID         "KESTRL"    /* 6 characters */
#define ACPI_OEM_TABLE_ID   "KESTREL "  /* 8 characters */
#define ACPI_CREATOR_ID     "KSTR"
#define ACPI_TABLE_HEADER_SIZE 36

/* Generic Address Structure address space ids and access sizes. */
#define ACPI_GAS_SYSTEM_MEMORY 0
#define ACPI_GAS_SYSTEM_IO     1
#define ACPI_GAS_ACCESS_BYTE   1
#define ACPI_GAS_ACCESS_WORD   2
#define ACPI_GAS_ACCESS_DWORD  3

void acpi_append_u8(GByteArray *blob, uint8_t v);
void acpi_append_u16(GByteArray *blob, uint16_t v);
void acpi_append_u32(GByteArray *blob, uint32_t v);
void acpi_append_u64(GByteArray *blob, uint64_t v);
void acpi_append_bytes(GByteArray *blob, const void *data, size_t len);
void acpi_append_zeros(GByteArray *blob, size_t len);
/* Pads with zeros until the blob length is a multiple of ALIGN. */
void acpi_align(GByteArray *blob, size_t align);
void acpi_append_gas(GByteArray *blob, uint8_t space, uint8_t bit_width, uint8_t bit_offset,
                     uint8_t access_size, uint64_t addr);
void acpi_patch_u32(GByteArray *blob, size_t offset, uint32_t v);
void acpi_patch_u64(GByteArray *blob, size_t offset, uint64_t v);

/* The byte that makes the LEN bytes at DATA, with it added, sum to zero. */
uint8_t acpi_checksum(const uint8_t *data, size_t len);

/* Appends a header for table SIG; returns its offset, to pass to acpi_table_end(). */
size_t acpi_table_begin(GByteArray *blob, const char *sig, uint8_t revision);
/* Fills in the length (up to the end of the blob) and checksum of the table at START. */
void acpi_table_end(GByteArray *blob, size_t start);

#endif
