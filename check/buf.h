/* buf.h - growable text buffer with printf-style append, used to build a
 * report whole before anything is written (no half-written output). */
#ifndef FAULTLINE_CHECK_BUF_H
#define FAULTLINE_CHECK_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct check_buf {
    char *text;    /* NUL-terminated contents (NULL until the first append) */
    size_t len;    /* bytes used, without the NUL */
    size_t cap;    /* bytes allocated */
    bool failed;   /* an append ran out of memory; contents are truncated */
};

/* Prepares b as empty. Cannot fail; allocates nothing. */
void check_buf_init(struct check_buf *b);

/* Frees b's memory and makes it empty again. */
void check_buf_close(struct check_buf *b);

/* Appends formatted text. Returns 0, or CHECK_ERR_NOMEM after which
 * b->failed stays set and later appends do nothing. */
int check_buf_printf(struct check_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends len bytes of s. Returns 0 or CHECK_ERR_NOMEM (as above). */
int check_buf_append(struct check_buf *b, const char *s, size_t len);

/* Appends len bytes of s as a JSON string literal: quoted, with quotes,
 * backslashes and control characters escaped. Returns 0 or CHECK_ERR_NOMEM. */
int check_buf_quoted(struct check_buf *b, const char *s, size_t len);

/* Hands the text to the caller, who frees it with free(); b is left empty.
 * Returns NULL if an append failed (b's memory is freed then) and an empty
 * string "" (allocated) when nothing was appended. */
char *check_buf_take(struct check_buf *b);

#endif
