/*
 * Migratable-state descriptions. Every device lists the fields that make up
 * its guest-visible state; save/restore and migration serialize exactly these.
 *
 * Wire format of one description: name length (u8) + name, version (be32),
 * then each field in order, integers big-endian, buffers raw, sub-structs
 * recursively (without their header).
 */
#ifndef HW_VMSTATE_H
#define HW_VMSTATE_H

#include "util/osdep.h"

typedef struct VMStateDescription VMStateDescription;

typedef enum VMStateFieldType {
    VMS_BOOL,
    VMS_U8,
    VMS_U16,
    VMS_U32,
    VMS_U64,
    VMS_BUFFER,   /* SIZE raw bytes */
    VMS_STRUCT,   /* an embedded struct described by VMSD */
} VMStateFieldType;

typedef struct VMStateField {
    const char *name;
    size_t offset;
    VMStateFieldType type;
    size_t size;       /* bytes of one element */
    unsigned count;    /* array elements, 1 for a scalar */
    const VMStateDescription *vmsd; /* VMS_STRUCT */
    int version_id;    /* first version carrying this field */
} VMStateField;

struct VMStateDescription {
    const char *name;
    int version_id;
    int minimum_version_id;
    const VMStateField *fields;   /* terminated by VMSTATE_END_OF_LIST() */
    int (*pre_save)(void *opaque);
    int (*post_load)(void *opaque, int version_id);
};

#define VMSTATE_SCALAR_(f, st, t, sz, n) \
    { .name = #f, .offset = offsetof(st, f), .type = t, .size = sz, .count = n }
#define VMSTATE_BOOL(f, st)   VMSTATE_SCALAR_(f, st, VMS_BOOL, sizeof(bool), 1)
#define VMSTATE_UINT8(f, st)  VMSTATE_SCALAR_(f, st, VMS_U8, 1, 1)
#define VMSTATE_UINT16(f, st) VMSTATE_SCALAR_(f, st, VMS_U16, 2, 1)
#define VMSTATE_UINT32(f, st) VMSTATE_SCALAR_(f, st, VMS_U32, 4, 1)
#define VMSTATE_UINT64(f, st) VMSTATE_SCALAR_(f, st, VMS_U64, 8, 1)
#define VMSTATE_UINT8_ARRAY(f, st, n)  VMSTATE_SCALAR_(f, st, VMS_U8, 1, n)
#define VMSTATE_UINT32_ARRAY(f, st, n) VMSTATE_SCALAR_(f, st, VMS_U32, 4, n)
#define VMSTATE_UINT64_ARRAY(f, st, n) VMSTATE_SCALAR_(f, st, VMS_U64, 8, n)
#define VMSTATE_BUFFER(f, st) \
    { .name = #f, .offset = offsetof(st, f), .type = VMS_BUFFER, \
      .size = sizeof(((st *)0)->f), .count = 1 }
#define VMSTATE_STRUCT(f, st, desc, t) \
    { .name = #f, .offset = offsetof(st, f), .type = VMS_STRUCT, \
      .size = sizeof(t), .count = 1, .vmsd = &(desc) }
#define VMSTATE_END_OF_LIST() { .name = NULL }

void vmstate_save(const VMStateDescription *vmsd, const void *opaque, GByteArray *out);
/*
 * Loads from BUF (LEN bytes), sets *CONSUMED. Fails (leaving OPAQUE partly
 * written) on a name mismatch, an unsupported version or truncated input.
 */
bool vmstate_load(const VMStateDescription *vmsd, void *opaque, const uint8_t *buf,
                  size_t len, size_t *consumed, GError **errp);

#endif
