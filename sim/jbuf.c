/* jbuf.c - JSON line writing into a growable buffer. */
#include "sim/jbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jbuf_init(struct jbuf *b)
{
    memset(b, 0, sizeof *b);
}

void jbuf_free(struct jbuf *b)
{
    free(b->data);
    jbuf_init(b);
}

static bool reserve(struct jbuf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return true;
    if (b->oom)
        return false;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) {
        b->oom = true;
        return false;
    }
    b->data = d;
    b->cap = cap;
    return true;
}

void jbuf_raw(struct jbuf *b, const char *s, size_t n)
{
    if (!reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void jbuf_cstr(struct jbuf *b, const char *s)
{
    jbuf_raw(b, s, strlen(s));
}

static void sep(struct jbuf *b)
{
    if (b->need_comma)
        jbuf_raw(b, ",", 1);
    b->need_comma = true;
}

void jbuf_open(struct jbuf *b, char c)
{
    sep(b);
    jbuf_raw(b, &c, 1);
    b->need_comma = false;
}

void jbuf_close(struct jbuf *b, char c)
{
    jbuf_raw(b, &c, 1);
    b->need_comma = true;
}

void jbuf_key(struct jbuf *b, const char *key)
{
    sep(b);
    size_t n = strlen(key);
    if (!reserve(b, n + 3))
        return;
    char *p = b->data + b->len;
    *p++ = '"';
    memcpy(p, key, n);
    p += n;
    *p++ = '"';
    *p++ = ':';
    b->len += n + 3;
    b->data[b->len] = '\0';
    b->need_comma = false;
}

void jbuf_strn(struct jbuf *b, const char *s, size_t n)
{
    sep(b);
    if (!reserve(b, n * 6 + 2))
        return;
    char *p = b->data + b->len;
    *p++ = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            *p++ = '\\';
            *p++ = (char)c;
        } else if (c == '\n') {
            *p++ = '\\';
            *p++ = 'n';
        } else if (c == '\t') {
            *p++ = '\\';
            *p++ = 't';
        } else if (c < 0x20) {
            p += sprintf(p, "\\u%04x", c);
        } else
            *p++ = (char)c;
    }
    *p++ = '"';
    b->len = (size_t)(p - b->data);
    b->data[b->len] = '\0';
}

void jbuf_str(struct jbuf *b, const char *s)
{
    jbuf_strn(b, s, strlen(s));
}

void jbuf_uint(struct jbuf *b, uint64_t v)
{
    sep(b);
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (!reserve(b, (size_t)n))
        return;
    char *p = b->data + b->len;
    while (n)
        *p++ = tmp[--n];
    b->len = (size_t)(p - b->data);
    b->data[b->len] = '\0';
}

void jbuf_int(struct jbuf *b, int64_t v)
{
    if (v < 0) {
        sep(b);
        jbuf_raw(b, "-", 1);
        b->need_comma = false;
        jbuf_uint(b, (uint64_t)0 - (uint64_t)v);
    } else
        jbuf_uint(b, (uint64_t)v);
}

void jbuf_double(struct jbuf *b, double v)
{
    sep(b);
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%.6g", v);
    jbuf_raw(b, tmp, (size_t)n);
}

void jbuf_bool(struct jbuf *b, bool v)
{
    sep(b);
    jbuf_cstr(b, v ? "true" : "false");
}

void jbuf_null(struct jbuf *b)
{
    sep(b);
    jbuf_raw(b, "null", 4);
}

void jbuf_kstr(struct jbuf *b, const char *key, const char *s)
{
    jbuf_key(b, key);
    jbuf_str(b, s);
}

void jbuf_kint(struct jbuf *b, const char *key, int64_t v)
{
    jbuf_key(b, key);
    jbuf_int(b, v);
}

void jbuf_printf(struct jbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}
