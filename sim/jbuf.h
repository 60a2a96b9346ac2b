/* jbuf.h - a growable byte buffer with just enough JSON writing for JSONL
 * lines (trace, history): objects, keys, escaped strings, integers. Commas
 * between members are placed automatically. */
#ifndef FAULTLINE_JBUF_H
#define FAULTLINE_JBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jbuf {
    char *data;
    size_t len, cap;
    bool oom;       /* an allocation failed; content is truncated */
    bool need_comma;
};

void jbuf_init(struct jbuf *b);
void jbuf_free(struct jbuf *b);
/* Empties the buffer, keeping its memory. */
static inline void jbuf_reset(struct jbuf *b) { b->len = 0; b->need_comma = false; }
/* Appends raw bytes (no JSON meaning attached). */
void jbuf_raw(struct jbuf *b, const char *s, size_t n);
void jbuf_cstr(struct jbuf *b, const char *s);
/* Structure: '{', '}', '[', ']' with comma bookkeeping. */
void jbuf_open(struct jbuf *b, char c);
void jbuf_close(struct jbuf *b, char c);
/* A member key inside an object: ,"key": */
void jbuf_key(struct jbuf *b, const char *key);
/* Values (each placed after a key, or as an array element). */
void jbuf_str(struct jbuf *b, const char *s);
void jbuf_strn(struct jbuf *b, const char *s, size_t n);
void jbuf_int(struct jbuf *b, int64_t v);
void jbuf_uint(struct jbuf *b, uint64_t v);
void jbuf_double(struct jbuf *b, double v);
void jbuf_bool(struct jbuf *b, bool v);
void jbuf_null(struct jbuf *b);
/* Key and value in one call. */
void jbuf_kstr(struct jbuf *b, const char *key, const char *s);
void jbuf_kint(struct jbuf *b, const char *key, int64_t v);
/* printf into the buffer as raw bytes; returns nothing, sets oom on failure. */
void jbuf_printf(struct jbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
