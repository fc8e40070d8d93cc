/*
 * Serializes device state described by VMStateDescriptions, in the wire format
 * documented in hw/vmstate.h. Loading treats its input as hostile: every read
 * is bounds-checked against the buffer and every error becomes a GError.
 *
 * Nested structs carry no header of their own, so all of their fields are
 * always present (as in QEMU): changing a nested description needs a version
 * bump of every description that embeds it.
 */
#include "util/osdep.h"
#include "hw/vmstate.h"

typedef struct VMStateReader {
    const uint8_t *buf;
    size_t len;
    size_t pos;
} VMStateReader;

static void vmstate_put_be(GByteArray *out, uint64_t v, size_t size)
{
    uint8_t bytes[8];

    for (size_t i = 0; i < size; i++) {
        bytes[i] = v >> (8 * (size - 1 - i));
    }
    g_byte_array_append(out, bytes, size);
}

static void vmstate_save_fields(const VMStateDescription *vmsd, const void *opaque,
                                GByteArray *out);

static void vmstate_save_element(const VMStateField *f, const uint8_t *elem, GByteArray *out)
{
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    bool b;

    switch (f->type) {
    case VMS_BOOL:
        memcpy(&b, elem, sizeof(b));
        vmstate_put_be(out, b, 1);
        break;
    case VMS_U8:
        memcpy(&u8, elem, 1);
        vmstate_put_be(out, u8, 1);
        break;
    case VMS_U16:
        memcpy(&u16, elem, 2);
        vmstate_put_be(out, u16, 2);
        break;
    case VMS_U32:
        memcpy(&u32, elem, 4);
        vmstate_put_be(out, u32, 4);
        break;
    case VMS_U64:
        memcpy(&u64, elem, 8);
        vmstate_put_be(out, u64, 8);
        break;
    case VMS_BUFFER:
        g_byte_array_append(out, elem, f->size);
        break;
    case VMS_STRUCT:
        vmstate_save_fields(f->vmsd, elem, out);
        break;
    }
}

static void vmstate_save_fields(const VMStateDescription *vmsd, const void *opaque,
                                GByteArray *out)
{
    if (vmsd->pre_save) {
        /* pre_save may refresh fields from derived state, hence the cast. */
        int ret = vmsd->pre_save((void *)opaque);

        if (ret) {
            warn_report("vmstate '%s': pre_save failed (%d), saving state as is",
                        vmsd->name, ret);
        }
    }
    for (const VMStateField *f = vmsd->fields; f && f->name; f++) {
        const uint8_t *base = (const uint8_t *)opaque + f->offset;

        for (unsigned i = 0; i < f->count; i++) {
            vmstate_save_element(f, base + (size_t)i * f->size, out);
        }
    }
}

void vmstate_save(const VMStateDescription *vmsd, const void *opaque, GByteArray *out)
{
    size_t namelen = strlen(vmsd->name);
    uint8_t len8 = namelen;

    g_assert(namelen <= UINT8_MAX);
    g_byte_array_append(out, &len8, 1);
    g_byte_array_append(out, (const uint8_t *)vmsd->name, namelen);
    vmstate_put_be(out, (uint32_t)vmsd->version_id, 4);
    vmstate_save_fields(vmsd, opaque, out);
}

/* The next N bytes of input, or NULL with an error if fewer remain. */
static const uint8_t *vmstate_take(VMStateReader *r, size_t n, const char *vmsd_name,
                                   const char *what, GError **errp)
{
    const uint8_t *p;

    if (r->len - r->pos < n) {
        error_setg(errp, "vmstate '%s': input truncated at %s (offset %zu)",
                   vmsd_name, what, r->pos);
        return NULL;
    }
    p = r->buf + r->pos;
    r->pos += n;
    return p;
}

static bool vmstate_get_be(VMStateReader *r, size_t size, uint64_t *v, const char *vmsd_name,
                           const char *what, GError **errp)
{
    const uint8_t *p = vmstate_take(r, size, vmsd_name, what, errp);

    if (!p) {
        return false;
    }
    *v = 0;
    for (size_t i = 0; i < size; i++) {
        *v = (*v << 8) | p[i];
    }
    return true;
}

static bool vmstate_load_fields(const VMStateDescription *vmsd, void *opaque,
                                int version_id, VMStateReader *r, GError **errp);

static bool vmstate_load_element(const VMStateDescription *vmsd, const VMStateField *f,
                                 uint8_t *elem, VMStateReader *r, GError **errp)
{
    const uint8_t *p;
    uint64_t v;
    uint16_t u16;
    uint32_t u32;
    uint8_t u8;
    bool b;

    switch (f->type) {
    case VMS_BOOL:
        if (!vmstate_get_be(r, 1, &v, vmsd->name, f->name, errp)) {
            return false;
        }
        if (v > 1) {
            error_setg(errp, "vmstate '%s': field '%s' is not a bool (%" PRIu64 ")",
                       vmsd->name, f->name, v);
            return false;
        }
        b = v;
        memcpy(elem, &b, sizeof(b));
        return true;
    case VMS_U8:
        if (!vmstate_get_be(r, 1, &v, vmsd->name, f->name, errp)) {
            return false;
        }
        u8 = v;
        memcpy(elem, &u8, 1);
        return true;
    case VMS_U16:
        if (!vmstate_get_be(r, 2, &v, vmsd->name, f->name, errp)) {
            return false;
        }
        u16 = v;
        memcpy(elem, &u16, 2);
        return true;
    case VMS_U32:
        if (!vmstate_get_be(r, 4, &v, vmsd->name, f->name, errp)) {
            return false;
        }
        u32 = v;
        memcpy(elem, &u32, 4);
        return true;
    case VMS_U64:
        if (!vmstate_get_be(r, 8, &v, vmsd->name, f->name, errp)) {
            return false;
        }
        memcpy(elem, &v, 8);
        return true;
    case VMS_BUFFER:
        p = vmstate_take(r, f->size, vmsd->name, f->name, errp);
        if (!p) {
            return false;
        }
        memcpy(elem, p, f->size);
        return true;
    case VMS_STRUCT:
        return vmstate_load_fields(f->vmsd, elem, f->vmsd->version_id, r, errp);
    }
    error_setg(errp, "vmstate '%s': field '%s' has unknown type %d",
               vmsd->name, f->name, f->type);
    return false;
}

static bool vmstate_load_fields(const VMStateDescription *vmsd, void *opaque,
                                int version_id, VMStateReader *r, GError **errp)
{
    for (const VMStateField *f = vmsd->fields; f && f->name; f++) {
        uint8_t *base = (uint8_t *)opaque + f->offset;

        if (f->version_id > version_id) {
            continue;   /* not in streams of this version: keep the reset value */
        }
        for (unsigned i = 0; i < f->count; i++) {
            if (!vmstate_load_element(vmsd, f, base + (size_t)i * f->size, r, errp)) {
                return false;
            }
        }
    }
    if (vmsd->post_load) {
        int ret = vmsd->post_load(opaque, version_id);

        if (ret) {
            error_setg(errp, "vmstate '%s': post_load failed (%d)", vmsd->name, ret);
            return false;
        }
    }
    return true;
}

bool vmstate_load(const VMStateDescription *vmsd, void *opaque, const uint8_t *buf,
                  size_t len, size_t *consumed, GError **errp)
{
    VMStateReader r = { .buf = buf, .len = len, .pos = 0 };
    const uint8_t *name;
    uint64_t namelen, version;

    if (!vmstate_get_be(&r, 1, &namelen, vmsd->name, "name length", errp)) {
        return false;
    }
    name = vmstate_take(&r, namelen, vmsd->name, "name", errp);
    if (!name) {
        return false;
    }
    if (namelen != strlen(vmsd->name) || memcmp(name, vmsd->name, namelen)) {
        error_setg(errp, "vmstate '%s': input holds state of '%.*s'",
                   vmsd->name, (int)namelen, (const char *)name);
        return false;
    }
    if (!vmstate_get_be(&r, 4, &version, vmsd->name, "version", errp)) {
        return false;
    }
    if (version > (uint64_t)vmsd->version_id) {
        error_setg(errp, "vmstate '%s': version %" PRIu64 " is newer than supported %d",
                   vmsd->name, version, vmsd->version_id);
        return false;
    }
    if (version < (uint64_t)vmsd->minimum_version_id) {
        error_setg(errp, "vmstate '%s': version %" PRIu64 " is older than minimum %d",
                   vmsd->name, version, vmsd->minimum_version_id);
        return false;
    }
    if (!vmstate_load_fields(vmsd, opaque, (int)version, &r, errp)) {
        return false;
    }
    if (consumed) {
        *consumed = r.pos;
    }
    return true;
}
