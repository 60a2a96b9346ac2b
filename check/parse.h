/* parse.h - parsers for one history line: our JSONL objects (parse_json.c)
 * and Jepsen's EDN maps (parse_edn.c). The reader (history_read.c) splits
 * lines, picks the parser and prefixes errors with file and line. */
#ifndef FAULTLINE_CHECK_PARSE_H
#define FAULTLINE_CHECK_PARSE_H

#include <stddef.h>

#include "check/history.h"

#define CHECK_PARSE_SKIP 1  /* the line is not a client event (Jepsen's nemesis) */

/* Parses len bytes at text (one line, no newline) as a JSON object into
 * *ev, interning its strings in h. ev->line is left for the caller.
 * Returns 0; CHECK_PARSE_SKIP for a "process": "nemesis" line;
 * CHECK_ERR_PARSE with "expected ..." in err (no file or line prefix);
 * CHECK_ERR_NOMEM. */
int check_parse_json_line(struct check_history *h, const char *text, size_t len,
                          struct check_event *ev, char *err, size_t err_len);

/* Parses len bytes at text (one line) as a Jepsen EDN map such as
 * {:process 1, :type :ok, :f :read, :value 3} into *ev, interning strings in
 * h. :time, in Jepsen's nanoseconds, becomes microseconds. Returns as
 * check_parse_json_line; CHECK_PARSE_SKIP for a :process :nemesis line. */
int check_parse_edn_line(struct check_history *h, const char *text, size_t len,
                         struct check_event *ev, char *err, size_t err_len);

#endif
