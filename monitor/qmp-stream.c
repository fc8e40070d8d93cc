/*
 * QMP input framing: cuts the byte stream a client sends into complete
 * top-level JSON texts, which json-glib then parses. It only tracks what
 * decides where a text ends: string literals (double-quoted, and single-quoted
 * as QEMU and json-glib also accept, with backslash escapes) and the
 * nesting of objects and arrays; a bare scalar at top level ends at
 * whitespace or at the next structural character. As QMP's specification
 * asks, a byte that can never appear in JSON (a control character other than
 * tab, CR and LF, or 0xFE/0xFF) is a lexical error: the partial text is
 * thrown away and reading starts afresh, which is how a client puts the
 * parser back into a known state. Texts longer than QMP_MAX_MESSAGE or
 * nested deeper than QMP_MAX_NESTING end the stream.
 */
#include "util/osdep.h"
#include "monitor/monitor-internal.h"

void qmp_stream_init(QmpStream *st, QmpStreamHandler handler, void *opaque)
{
    *st = (QmpStream){
        .buf = g_string_new(NULL),
        .handler = handler,
        .opaque = opaque,
    };
}

void qmp_stream_reset(QmpStream *st)
{
    g_string_truncate(st->buf, 0);
    st->depth = 0;
    st->quote = 0;
    st->escape = false;
}

void qmp_stream_finalize(QmpStream *st)
{
    g_string_free(st->buf, TRUE);
    st->buf = NULL;
}

/* Hands the text read so far to the handler (if there is one) and starts anew. */
static void qmp_stream_emit(QmpStream *st)
{
    g_autofree char *text = NULL;
    size_t len = st->buf->len;

    if (!len) {
        return;
    }
    text = g_strndup(st->buf->str, len);
    qmp_stream_reset(st);
    st->handler(st->opaque, text, len, NULL);
}

static bool qmp_stream_invalid_byte(uint8_t c)
{
    return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0xfe || c == 0xff;
}

static bool qmp_stream_is_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool qmp_stream_feed(QmpStream *st, const uint8_t *buf, size_t len, GError **errp)
{
    for (size_t i = 0; i < len; i++) {
        uint8_t c = buf[i];

        if (qmp_stream_invalid_byte(c)) {
            GError *err = g_error_new(QMP_ERROR, QMP_ERROR_GENERIC,
                                      "JSON parse error, invalid character 0x%02x", c);

            qmp_stream_reset(st);
            st->handler(st->opaque, NULL, 0, err);
            g_error_free(err);
            continue;
        }
        if (st->quote) {
            g_string_append_c(st->buf, c);
            if (st->escape) {
                st->escape = false;
            } else if (c == '\\') {
                st->escape = true;
            } else if (c == st->quote) {
                st->quote = 0;
                if (st->depth == 0) {
                    qmp_stream_emit(st);
                }
            }
        } else if (qmp_stream_is_space(c)) {
            if (st->depth == 0) {
                qmp_stream_emit(st);      /* ends a top-level scalar, if any */
            } else {
                g_string_append_c(st->buf, c);
            }
        } else if (c == '{' || c == '[' || c == '"' || c == '\'') {
            if (st->depth == 0) {
                qmp_stream_emit(st);
            }
            g_string_append_c(st->buf, c);
            if (c == '"' || c == '\'') {
                st->quote = c;
            } else if (++st->depth > QMP_MAX_NESTING) {
                qmp_stream_reset(st);
                error_setg(errp, "JSON nesting deeper than %d levels", QMP_MAX_NESTING);
                return false;
            }
        } else if (c == '}' || c == ']') {
            if (st->depth == 0) {
                qmp_stream_emit(st);
            } else {
                st->depth--;
            }
            g_string_append_c(st->buf, c);
            if (st->depth == 0) {
                qmp_stream_emit(st);      /* a stray closer is a text of its own */
            }
        } else {
            g_string_append_c(st->buf, c);
        }
        if (st->buf->len > QMP_MAX_MESSAGE) {
            qmp_stream_reset(st);
            error_setg(errp, "JSON message longer than %d bytes", QMP_MAX_MESSAGE);
            return false;
        }
    }
    return true;
}
