/*
 * The one parser for QEMU-style option strings: "value,key=value,flag,key=a,,b".
 *
 * A leading element without '=' is the value of the implied key (if the
 * option has one, e.g. "virtio-blk-pci" for -device's "driver"); ",," is a
 * literal comma. Later duplicates override earlier ones.
 */
#ifndef UTIL_KEYVAL_H
#define UTIL_KEYVAL_H

#include "util/osdep.h"

typedef struct KeyvalPair {
    char *key;
    char *value;
    bool used;  /* set by the getters so leftovers can be reported */
} KeyvalPair;

typedef struct Keyval {
    GPtrArray *pairs;  /* of KeyvalPair *, in order of appearance */
} Keyval;

/*
 * OPTNAME names the option in errors ("-machine"). IMPLIED_KEY may be NULL:
 * then a bare word "flag" means "flag=on".
 */
Keyval *keyval_parse(const char *str, const char *implied_key, const char *optname,
                     GError **errp);
void keyval_free(Keyval *kv);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Keyval, keyval_free)

bool keyval_has(Keyval *kv, const char *key);
/* The last value given for KEY, or NULL. Marks it used. */
const char *keyval_get(Keyval *kv, const char *key);
/* Typed getters: absent key leaves *out = def and succeeds. */
bool keyval_get_bool(Keyval *kv, const char *key, bool def, bool *out, GError **errp);
bool keyval_get_uint(Keyval *kv, const char *key, uint64_t def, uint64_t *out, GError **errp);
bool keyval_get_size(Keyval *kv, const char *key, uint64_t def, uint64_t *out, GError **errp);
/* Error naming the first key no getter asked for: "-machine: invalid parameter 'foo'". */
bool keyval_check_all_used(Keyval *kv, const char *optname, GError **errp);

/* "on/off/yes/no/true/false" */
bool parse_bool(const char *str, bool *out);
/* Decimal or 0x hex unsigned integer, whole string, no overflow. */
bool parse_uint(const char *str, uint64_t *out);
/*
 * Size with optional suffix B/K/M/G/T/P/E (also KiB etc. lowercase ok);
 * a plain number is multiplied by DEFAULT_UNIT (1 for bytes, MiB for -m).
 */
bool parse_size(const char *str, uint64_t default_unit, uint64_t *out);

#endif
