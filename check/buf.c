/* buf.c - growable text buffer with printf-style append. */
#include "check/buf.h"
#include "check/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void check_buf_init(struct check_buf *b)
{
    b->text = NULL;
    b->len = 0;
    b->cap = 0;
    b->failed = false;
}

void check_buf_close(struct check_buf *b)
{
    free(b->text);
    check_buf_init(b);
}

static int reserve(struct check_buf *b, size_t extra)
{
    if (b->failed)
        return CHECK_ERR_NOMEM;
    if (b->len + extra + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *text = realloc(b->text, cap);
    if (text == NULL) {
        b->failed = true;
        return CHECK_ERR_NOMEM;
    }
    b->text = text;
    b->cap = cap;
    return 0;
}

int check_buf_append(struct check_buf *b, const char *s, size_t len)
{
    if (reserve(b, len) != 0)
        return CHECK_ERR_NOMEM;
    memcpy(b->text + b->len, s, len);
    b->len += len;
    b->text[b->len] = '\0';
    return 0;
}

int check_buf_printf(struct check_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (need < 0 || reserve(b, (size_t)need) != 0) {
        b->failed = true;
        return CHECK_ERR_NOMEM;
    }
    va_start(ap, fmt);
    vsnprintf(b->text + b->len, (size_t)need + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)need;
    return 0;
}

int check_buf_quoted(struct check_buf *b, const char *s, size_t len)
{
    check_buf_append(b, "\"", 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            check_buf_printf(b, "\\%c", c);
        else if (c < 0x20)
            check_buf_printf(b, "\\u%04x", c);
        else
            check_buf_append(b, &s[i], 1);
    }
    return check_buf_append(b, "\"", 1);
}

char *check_buf_take(struct check_buf *b)
{
    if (b->failed) {
        check_buf_close(b);
        return NULL;
    }
    if (b->text == NULL && reserve(b, 0) == 0)
        b->text[0] = '\0';
    char *text = b->text;
    check_buf_init(b);
    return text;
}
