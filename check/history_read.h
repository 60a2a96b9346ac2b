/* history_read.h - reading a whole history from a file or a memory buffer,
 * one event per line, in our JSONL form or Jepsen's EDN form (detected from
 * the first event line). */
#ifndef FAULTLINE_CHECK_HISTORY_READ_H
#define FAULTLINE_CHECK_HISTORY_READ_H

#include <stddef.h>

#include "check/history.h"

enum check_format {
    CHECK_FORMAT_AUTO = 0,  /* decide from the first event line */
    CHECK_FORMAT_JSONL,     /* {"process":1,"type":"ok",...} */
    CHECK_FORMAT_EDN,       /* {:process 1, :type :ok, ...} */
};

/* Parses len bytes at buf (need not be NUL-terminated) into h, which the
 * function initialises; name (copied) is used in messages. Blank lines and
 * Jepsen nemesis events are skipped. Returns 0 (the caller then owns h and
 * frees it with check_history_close), or CHECK_ERR_PARSE / CHECK_ERR_INPUT
 * with "name:line: expected ..." in err, or CHECK_ERR_NOMEM; on error h
 * holds nothing and needs no close. buf is only borrowed. */
int check_history_read_buffer(struct check_history *h, const char *name, const char *buf,
                              size_t len, enum check_format format, char *err, size_t err_len);

/* Reads the file at path (named path in messages) into h, as
 * check_history_read_buffer does. Returns its codes, or CHECK_ERR_IO with
 * "path: reason" in err when the file cannot be opened or read. */
int check_history_read_file(struct check_history *h, const char *path, enum check_format format,
                            char *err, size_t err_len);

/* Returns the format of the first non-blank line of buf: JSONL when it
 * opens with {", EDN when it opens with {:, else CHECK_FORMAT_AUTO (unknown). */
enum check_format check_history_detect(const char *buf, size_t len);

#endif
