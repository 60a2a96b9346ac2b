/* error.c - error strings of the history checkers and the error-buffer helper. */
#include "check/error.h"

#include <stdarg.h>
#include <stdio.h>

const char *check_strerror(int code)
{
    switch (code) {
    case 0: return "success";
    case CHECK_ERR_NOMEM: return "out of memory";
    case CHECK_ERR_IO: return "cannot read input";
    case CHECK_ERR_PARSE: return "malformed history";
    case CHECK_ERR_INPUT: return "invalid history";
    case CHECK_ERR_USAGE: return "bad argument";
    default: return "unknown error";
    }
}

int check_errorf(char *err, size_t err_len, int code, const char *fmt, ...)
{
    if (err != NULL && err_len > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_len, fmt, ap);
        va_end(ap);
    }
    return code;
}
