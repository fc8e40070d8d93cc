/*
 * The QEMU-style option string parser ("value,key=value,flag,key=a,,b") and
 * the strict number, size and boolean parsers every option shares.
 *
 * Keys run to the first '=' or ','; values run to the first single ',' and
 * ",," inside a value is a literal comma. A bare word is the value of the
 * implied key when it comes first, and otherwise a flag meaning "on".
 */
#include "util/osdep.h"
#include "util/keyval.h"

static void keyval_pair_free(gpointer data)
{
    KeyvalPair *p = data;

    g_free(p->key);
    g_free(p->value);
    g_free(p);
}

/* Reads a value up to a single ',' or the end, unescaping ",,"; leaves *SP at the stop. */
static char *keyval_scan_value(const char **sp)
{
    GString *v = g_string_new(NULL);
    const char *s = *sp;

    while (*s) {
        if (*s == ',') {
            if (s[1] != ',') {
                break;
            }
            s++;
        }
        g_string_append_c(v, *s++);
    }
    *sp = s;
    return g_string_free(v, FALSE);
}

static void keyval_add(Keyval *kv, char *key, char *value)
{
    KeyvalPair *p = g_new0(KeyvalPair, 1);

    p->key = key;
    p->value = value;
    g_ptr_array_add(kv->pairs, p);
}

/* Keys are identifiers: a stray space or quote is a typo worth reporting, not a key. */
static bool keyval_key_valid(const char *key, size_t klen, const char *optname,
                             GError **errp)
{
    for (size_t i = 0; i < klen; i++) {
        if (!g_ascii_isalnum(key[i]) && !strchr("_-.", key[i])) {
            error_setg(errp, "%s: invalid parameter name '%.*s'", optname, (int)klen, key);
            return false;
        }
    }
    return true;
}

Keyval *keyval_parse(const char *str, const char *implied_key, const char *optname,
                     GError **errp)
{
    g_autoptr(Keyval) kv = g_new0(Keyval, 1);
    const char *s = str;
    bool first = true;

    kv->pairs = g_ptr_array_new_with_free_func(keyval_pair_free);
    while (*s) {
        size_t klen = strcspn(s, "=,");
        bool implied = first && implied_key && s[klen] != '=';

        if (s[klen] == '=') {
            if (klen == 0) {
                error_setg(errp, "%s: parameter name missing before '=' in '%s'",
                           optname, str);
                return NULL;
            }
            if (!keyval_key_valid(s, klen, optname, errp)) {
                return NULL;
            }
            char *key = g_strndup(s, klen);
            s += klen + 1;
            keyval_add(kv, key, keyval_scan_value(&s));
        } else if (implied) {
            char *value = keyval_scan_value(&s);

            if (!*value) {
                g_free(value);
                error_setg(errp, "%s: empty %s in '%s'", optname, implied_key, str);
                return NULL;
            }
            keyval_add(kv, g_strdup(implied_key), value);
        } else {
            if (klen == 0) {
                error_setg(errp, "%s: empty parameter name in '%s'", optname, str);
                return NULL;
            }
            if (!keyval_key_valid(s, klen, optname, errp)) {
                return NULL;
            }
            keyval_add(kv, g_strndup(s, klen), g_strdup("on"));
            s += klen;
        }
        first = false;
        /* Skip the separator; a single trailing comma is tolerated, as QEMU does. */
        if (*s == ',') {
            s++;
        }
    }
    return g_steal_pointer(&kv);
}

void keyval_free(Keyval *kv)
{
    if (!kv) {
        return;
    }
    if (kv->pairs) {
        g_ptr_array_unref(kv->pairs);
    }
    g_free(kv);
}

bool keyval_has(Keyval *kv, const char *key)
{
    for (guint i = 0; i < kv->pairs->len; i++) {
        KeyvalPair *p = g_ptr_array_index(kv->pairs, i);
        if (!strcmp(p->key, key)) {
            return true;
        }
    }
    return false;
}

const char *keyval_get(Keyval *kv, const char *key)
{
    const char *value = NULL;

    /* Every occurrence counts as used: the earlier ones were overridden, not ignored. */
    for (guint i = 0; i < kv->pairs->len; i++) {
        KeyvalPair *p = g_ptr_array_index(kv->pairs, i);
        if (!strcmp(p->key, key)) {
            p->used = true;
            value = p->value;
        }
    }
    return value;
}

bool keyval_get_bool(Keyval *kv, const char *key, bool def, bool *out, GError **errp)
{
    const char *v = keyval_get(kv, key);

    if (!v) {
        *out = def;
        return true;
    }
    if (!parse_bool(v, out)) {
        error_setg(errp, "Parameter '%s' expects on or off: '%s'", key, v);
        return false;
    }
    return true;
}

bool keyval_get_uint(Keyval *kv, const char *key, uint64_t def, uint64_t *out, GError **errp)
{
    const char *v = keyval_get(kv, key);

    if (!v) {
        *out = def;
        return true;
    }
    if (!parse_uint(v, out)) {
        error_setg(errp, "Parameter '%s' expects a non-negative number: '%s'", key, v);
        return false;
    }
    return true;
}

bool keyval_get_size(Keyval *kv, const char *key, uint64_t def, uint64_t *out, GError **errp)
{
    const char *v = keyval_get(kv, key);

    if (!v) {
        *out = def;
        return true;
    }
    if (!parse_size(v, 1, out)) {
        error_setg(errp, "Parameter '%s' expects a size like 4096, 64K or 2G: '%s'", key, v);
        return false;
    }
    return true;
}

bool keyval_check_all_used(Keyval *kv, const char *optname, GError **errp)
{
    for (guint i = 0; i < kv->pairs->len; i++) {
        KeyvalPair *p = g_ptr_array_index(kv->pairs, i);
        if (!p->used) {
            error_setg(errp, "%s: invalid parameter '%s'", optname, p->key);
            return false;
        }
    }
    return true;
}

bool parse_bool(const char *str, bool *out)
{
    static const char *const yes[] = { "on", "yes", "true" };
    static const char *const no[] = { "off", "no", "false" };

    for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
        if (!strcmp(str, yes[i])) {
            *out = true;
            return true;
        }
        if (!strcmp(str, no[i])) {
            *out = false;
            return true;
        }
    }
    return false;
}

/* Decimal digits at *SP (at least one) into *OUT; false on overflow. Advances *SP. */
static bool parse_decimal(const char **sp, uint64_t *out)
{
    const char *s = *sp;
    uint64_t v = 0;

    if (!g_ascii_isdigit(*s)) {
        return false;
    }
    for (; g_ascii_isdigit(*s); s++) {
        unsigned d = *s - '0';
        if (v > (UINT64_MAX - d) / 10) {
            return false;
        }
        v = v * 10 + d;
    }
    *sp = s;
    *out = v;
    return true;
}

bool parse_uint(const char *str, uint64_t *out)
{
    const char *s = str;
    uint64_t v = 0;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        if (!g_ascii_isxdigit(*s)) {
            return false;
        }
        for (; g_ascii_isxdigit(*s); s++) {
            if (v >> 60) {
                return false;
            }
            v = (v << 4) | g_ascii_xdigit_value(*s);
        }
    } else if (!parse_decimal(&s, &v)) {
        return false;
    }
    if (*s) {
        return false;
    }
    *out = v;
    return true;
}

/* The multiplier of a size suffix letter, or 0 if C is not one. */
static uint64_t size_suffix_unit(char c)
{
    switch (g_ascii_toupper(c)) {
    case 'B': return 1;
    case 'K': return KiB;
    case 'M': return MiB;
    case 'G': return GiB;
    case 'T': return GiB << 10;
    case 'P': return GiB << 20;
    case 'E': return GiB << 30;
    default: return 0;
    }
}

/* Fraction digits beyond this many cannot change the result by a whole byte. */
#define SIZE_MAX_FRACTION_DIGITS 19

bool parse_size(const char *str, uint64_t default_unit, uint64_t *out)
{
    const char *s = str;
    uint64_t whole, unit;
    uint64_t frac = 0, frac_scale = 1;
    bool has_frac = false;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        /* Hex takes no suffix: 'B' and 'E' would be read as digits. */
        if (!parse_uint(s, &whole)) {
            return false;
        }
        if (whole && default_unit > UINT64_MAX / whole) {
            return false;
        }
        *out = whole * default_unit;
        return true;
    }
    if (!parse_decimal(&s, &whole)) {
        return false;
    }
    if (*s == '.') {
        s++;
        if (!g_ascii_isdigit(*s)) {
            return false;
        }
        has_frac = true;
        for (int n = 0; g_ascii_isdigit(*s); s++, n++) {
            if (n < SIZE_MAX_FRACTION_DIGITS) {
                frac = frac * 10 + (*s - '0');
                frac_scale *= 10;
            }
        }
    }

    unit = default_unit;
    if (*s) {
        unit = size_suffix_unit(*s);
        if (!unit) {
            return false;
        }
        /* "K", "KB", "KiB" (any case); "B" alone means bytes. */
        if (unit != 1) {
            if (g_ascii_tolower(s[1]) == 'i' && g_ascii_tolower(s[2]) == 'b') {
                s += 2;
            } else if (g_ascii_tolower(s[1]) == 'b') {
                s++;
            }
        }
        if (s[1]) {
            return false;
        }
    }
    /* A fraction of a byte is not a size. */
    if (has_frac && unit == 1) {
        return false;
    }

    unsigned __int128 total = (unsigned __int128)whole * unit;
    total += (unsigned __int128)frac * unit / frac_scale;
    if (total > UINT64_MAX) {
        return false;
    }
    *out = (uint64_t)total;
    return true;
}
