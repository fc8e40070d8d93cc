/*
 * A small builder for ACPI Machine Language (ACPI 6.x chapter 20): enough to
 * write a DSDT that declares devices with their _HID, _UID and _CRS, and
 * named packages such as \_S5.
 *
 * Nodes are built bottom-up: create a child, fill it, then aml_append() it to
 * its parent, which encodes it (with its PkgLength) and frees it. A scope,
 * device, package or resource template is closed when it is appended. The
 * root is an aml_block(); aml_block_bytes() hands out its byte code.
 */
#ifndef HW_ACPI_AML_BUILD_H
#define HW_ACPI_AML_BUILD_H

#include "util/osdep.h"

typedef struct Aml Aml;

/* A list of terms with no opcode of its own (a table body). */
Aml *aml_block(void);
/* Scope (name) { ... } and Device (name) { ... }; NAME is a NameString ("\\_SB", "COM1"). */
Aml *aml_scope(const char *name);
Aml *aml_device(const char *name);
/* Package () { ... }: the element count follows the appended elements. */
Aml *aml_package(void);
/* ResourceTemplate () { ... }: an AML Buffer closed by an End Tag with its checksum. */
Aml *aml_resource_template(void);

/* Name (name, value); takes VALUE. */
Aml *aml_name_decl(const char *name, Aml *value);
/* Integer in its shortest encoding (ZeroOp, OneOp, Byte/Word/DWord/QWord). */
Aml *aml_int(uint64_t value);
Aml *aml_string(const char *str);
/* EisaId ("PNP0501"): three upper-case letters and four hex digits, compressed. */
Aml *aml_eisaid(const char *id);

/* Resource descriptors, only valid inside a resource template. */
Aml *aml_memory32_fixed(uint32_t base, uint32_t size, bool writable);
/* Extended Interrupt descriptor, resource consumer, one GSI. */
Aml *aml_interrupt(uint32_t gsi, bool level, bool active_low, bool shared);
/* I/O port descriptor with 16-bit decode. */
Aml *aml_io(uint16_t min, uint16_t max, uint8_t align, uint8_t len);
/* IRQNoFlags () { irq }: an ISA IRQ, edge, active high. */
Aml *aml_irq_no_flags(uint8_t irq);
/*
 * Address space descriptors a bridge produces (WordBusNumber, WordIO,
 * DWordMemory, QWordMemory): the fixed range [MIN, MAX], read-write memory,
 * prefetchable or not.
 */
Aml *aml_word_bus_number(uint16_t min, uint16_t max);
Aml *aml_word_io(uint16_t min, uint16_t max);
Aml *aml_dword_memory(uint32_t min, uint32_t max, bool prefetch);
Aml *aml_qword_memory(uint64_t min, uint64_t max, bool prefetch);

/* Encodes CHILD into PARENT and frees CHILD. */
void aml_append(Aml *parent, Aml *child);
/* The byte code of a block; frees it. */
GByteArray *aml_block_bytes(Aml *block);
void aml_free(Aml *aml);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Aml, aml_free)

/* The AML PkgLength encoding of a body of LEN bytes (the length counts itself). */
void aml_encode_pkg_length(GByteArray *out, size_t len);

#endif
