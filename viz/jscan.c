/* jscan.c - the one-line JSON object scanner behind trace indexing: walks
 * members and elements in place, skipping nested values by bracket depth,
 * and decodes strings only when asked. */
#include "viz/jscan.h"

#include <stdlib.h>
#include <string.h>

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    return p;
}

/* Scans a string starting at the opening quote; returns the position after
 * the closing quote, or NULL when it does not close. */
static const char *scan_string(const char *p, const char *end, bool *escaped)
{
    *escaped = false;
    for (p++; p < end; p++) {
        if (*p == '"')
            return p + 1;
        if (*p == '\\') {
            *escaped = true;
            p++;
        } else if ((unsigned char)*p < 0x20)
            return NULL;
    }
    return NULL;
}

/* Scans one value at p; fills *v and returns the position after it, or NULL. */
static const char *scan_value(const char *p, const char *end, struct viz_jval *v)
{
    p = skip_ws(p, end);
    if (p >= end)
        return NULL;
    v->p = p;
    v->escaped = false;
    switch (*p) {
    case '"': {
        const char *q = scan_string(p, end, &v->escaped);
        if (!q)
            return NULL;
        v->type = VIZ_J_STR;
        v->p = p + 1;
        v->n = (size_t)(q - p - 2);
        return q;
    }
    case '{':
    case '[': {
        v->type = *p == '{' ? VIZ_J_OBJ : VIZ_J_ARR;
        int depth = 0;
        const char *q = p;
        while (q < end) {
            char c = *q;
            if (c == '"') {
                bool e;
                q = scan_string(q, end, &e);
                if (!q)
                    return NULL;
                continue;
            }
            if (c == '{' || c == '[')
                depth++;
            else if (c == '}' || c == ']') {
                if (--depth == 0) {
                    v->n = (size_t)(q + 1 - p);
                    return q + 1;
                }
            }
            q++;
        }
        return NULL;
    }
    case 't':
        if (end - p >= 4 && memcmp(p, "true", 4) == 0) {
            v->type = VIZ_J_BOOL;
            v->n = 4;
            return p + 4;
        }
        return NULL;
    case 'f':
        if (end - p >= 5 && memcmp(p, "false", 5) == 0) {
            v->type = VIZ_J_BOOL;
            v->n = 5;
            return p + 5;
        }
        return NULL;
    case 'n':
        if (end - p >= 4 && memcmp(p, "null", 4) == 0) {
            v->type = VIZ_J_NULL;
            v->n = 4;
            return p + 4;
        }
        return NULL;
    default: {
        const char *q = p;
        if (q < end && *q == '-')
            q++;
        if (q >= end || *q < '0' || *q > '9')
            return NULL;
        while (q < end && ((*q >= '0' && *q <= '9') || *q == '.' || *q == 'e' || *q == 'E' ||
                           *q == '+' || *q == '-'))
            q++;
        v->type = VIZ_J_NUM;
        v->n = (size_t)(q - p);
        return q;
    }
    }
}

bool viz_json_object(struct viz_jiter *it, const char *text, size_t len)
{
    const char *end = text + len;
    const char *p = skip_ws(text, end);
    if (p >= end || *p != '{')
        return false;
    it->p = p + 1;
    it->end = end;
    it->first = true;
    return true;
}

bool viz_json_enter(struct viz_jiter *it, const struct viz_jval *v)
{
    if (v->type != VIZ_J_OBJ && v->type != VIZ_J_ARR)
        return false;
    it->p = v->p + 1;
    it->end = v->p + v->n;
    it->first = true;
    return true;
}

/* Steps over the separator before the next item; returns 1 when an item
 * follows, 0 at the closing bracket `close`, -1 when malformed. */
static int next_item(struct viz_jiter *it, char close)
{
    const char *p = skip_ws(it->p, it->end);
    if (p >= it->end)
        return -1;
    if (*p == close) {
        it->p = p + 1;
        return 0;
    }
    if (!it->first) {
        if (*p != ',')
            return -1;
        p = skip_ws(p + 1, it->end);
    }
    it->first = false;
    it->p = p;
    return 1;
}

int viz_json_member(struct viz_jiter *it, struct viz_jval *key, struct viz_jval *val)
{
    int r = next_item(it, '}');
    if (r <= 0)
        return r;
    const char *p = scan_value(it->p, it->end, key);
    if (!p || key->type != VIZ_J_STR)
        return -1;
    p = skip_ws(p, it->end);
    if (p >= it->end || *p != ':')
        return -1;
    p = scan_value(p + 1, it->end, val);
    if (!p)
        return -1;
    it->p = p;
    return 1;
}

int viz_json_element(struct viz_jiter *it, struct viz_jval *val)
{
    int r = next_item(it, ']');
    if (r <= 0)
        return r;
    const char *p = scan_value(it->p, it->end, val);
    if (!p)
        return -1;
    it->p = p;
    return 1;
}

bool viz_json_at_end(const struct viz_jiter *it)
{
    return skip_ws(it->p, it->end) == it->end;
}

bool viz_json_int(const struct viz_jval *v, int64_t *out)
{
    if (v->type != VIZ_J_NUM || v->n == 0 || v->n > 20)
        return false;
    const char *p = v->p, *end = v->p + v->n;
    bool neg = false;
    if (*p == '-') {
        neg = true;
        p++;
    }
    if (p >= end)
        return false;
    uint64_t x = 0;
    for (; p < end; p++) {
        if (*p < '0' || *p > '9')
            return false; /* a fraction or an exponent */
        if (x > (UINT64_MAX - 9) / 10)
            return false;
        x = x * 10 + (uint64_t)(*p - '0');
    }
    if (x > (uint64_t)INT64_MAX)
        return false;
    *out = neg ? -(int64_t)x : (int64_t)x;
    return true;
}

bool viz_json_double(const struct viz_jval *v, double *out)
{
    if (v->type != VIZ_J_NUM || v->n == 0 || v->n >= 64)
        return false;
    char buf[64];
    memcpy(buf, v->p, v->n);
    buf[v->n] = '\0';
    char *end;
    double x = strtod(buf, &end);
    if (*end)
        return false;
    *out = x;
    return true;
}

bool viz_json_is(const struct viz_jval *v, const char *s)
{
    size_t n = strlen(s);
    return v->type == VIZ_J_STR && !v->escaped && v->n == n && memcmp(v->p, s, n) == 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Appends code point cp as UTF-8 when it fits; returns bytes written. */
static size_t put_utf8(char *buf, size_t room, uint32_t cp)
{
    char tmp[4];
    size_t n;
    if (cp < 0x80) {
        tmp[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        tmp[0] = (char)(0xC0 | (cp >> 6));
        tmp[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        tmp[0] = (char)(0xE0 | (cp >> 12));
        tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        tmp[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        tmp[0] = (char)(0xF0 | (cp >> 18));
        tmp[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        tmp[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        tmp[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    if (n > room)
        return 0;
    memcpy(buf, tmp, n);
    return n;
}

size_t viz_json_str(const struct viz_jval *v, char *buf, size_t cap)
{
    if (!cap)
        return 0;
    buf[0] = '\0';
    if (v->type != VIZ_J_STR)
        return 0;
    size_t o = 0;
    const char *p = v->p, *end = v->p + v->n;
    while (p < end && o + 1 < cap) {
        if (*p != '\\') {
            /* copy one whole UTF-8 sequence, or stop */
            unsigned char c = (unsigned char)*p;
            size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
            if (p + n > end)
                n = (size_t)(end - p);
            if (o + n + 1 > cap)
                break;
            memcpy(buf + o, p, n);
            o += n;
            p += n;
            continue;
        }
        if (++p >= end)
            break;
        char e = *p++;
        uint32_t cp;
        switch (e) {
        case 'n': cp = '\n'; break;
        case 't': cp = '\t'; break;
        case 'r': cp = '\r'; break;
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'u': {
            if (end - p < 4)
                goto done;
            int h[4] = {hexval(p[0]), hexval(p[1]), hexval(p[2]), hexval(p[3])};
            if (h[0] < 0 || h[1] < 0 || h[2] < 0 || h[3] < 0)
                goto done;
            cp = (uint32_t)(h[0] << 12 | h[1] << 8 | h[2] << 4 | h[3]);
            p += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
                int l[4] = {hexval(p[2]), hexval(p[3]), hexval(p[4]), hexval(p[5])};
                if (l[0] >= 0 && l[1] >= 0 && l[2] >= 0 && l[3] >= 0) {
                    uint32_t lo = (uint32_t)(l[0] << 12 | l[1] << 8 | l[2] << 4 | l[3]);
                    if (lo >= 0xDC00 && lo < 0xE000) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        p += 6;
                    }
                }
            }
            if (cp >= 0xD800 && cp < 0xE000)
                cp = 0xFFFD;
            break;
        }
        default: cp = (unsigned char)e; break; /* \" \\ \/ */
        }
        size_t n = put_utf8(buf + o, cap - 1 - o, cp);
        if (!n)
            break;
        o += n;
    }
done:
    buf[o] = '\0';
    return o;
}

bool viz_json_get(const char *text, size_t len, const char *key, struct viz_jval *val)
{
    struct viz_jiter it;
    if (!viz_json_object(&it, text, len))
        return false;
    struct viz_jval k;
    while (viz_json_member(&it, &k, val) == 1)
        if (viz_json_is(&k, key))
            return true;
    return false;
}
