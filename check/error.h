/* error.h - error codes of the history checkers and the error-buffer helper.
 * Functions return 0 or one of these negative codes; the human detail goes
 * into a caller-supplied buffer (char *err, size_t err_len). */
#ifndef FAULTLINE_CHECK_ERROR_H
#define FAULTLINE_CHECK_ERROR_H

#include <stddef.h>

enum check_error {  /* 0 is success */
    CHECK_ERR_NOMEM = -1,  /* out of memory */
    CHECK_ERR_IO = -2,     /* a file could not be opened or read */
    CHECK_ERR_PARSE = -3,  /* history text is malformed (file:line: expected ...) */
    CHECK_ERR_INPUT = -4,  /* well-formed, but not valid for the model or the history rules */
    CHECK_ERR_USAGE = -5,  /* a bad argument: unknown model name, bad option value */
};

/* Returns a short static description of code (one of enum check_error);
 * unknown codes give "unknown error". Never fails, never NULL. */
const char *check_strerror(int code);

/* Writes the printf-style message into err (at most err_len bytes, always
 * NUL-terminated when err_len > 0; err may be NULL when err_len is 0) and
 * returns code, so that callers can write `return check_errorf(...)`. */
int check_errorf(char *err, size_t err_len, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
