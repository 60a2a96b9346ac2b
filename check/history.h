/* history.h - a client history: operations paired from their invoke and
 * completion events, with the values, keys and times clients saw. Built by
 * the readers (history_read.h) or event by event; read by every checker. */
#ifndef FAULTLINE_CHECK_HISTORY_H
#define FAULTLINE_CHECK_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check/buf.h"
#include "check/strpool.h"

/* Kind of event; also an operation's outcome. */
enum check_type {
    CHECK_INVOKE = 0,  /* as an outcome: never completed (treated as CHECK_INFO) */
    CHECK_OK,
    CHECK_FAIL,        /* known not to have taken effect */
    CHECK_INFO,        /* unknown: may take effect at any time after invoke, or never */
};

/* Operation function (the "f" field). */
enum check_fn {
    CHECK_FN_READ = 0, CHECK_FN_WRITE, CHECK_FN_CAS,  /* register */
    CHECK_FN_GET, CHECK_FN_PUT, CHECK_FN_APPEND,      /* kv */
    CHECK_FN_OTHER,                                   /* any other name (kept as text) */
};

enum check_value_kind {
    CHECK_VALUE_ABSENT = 0,  /* no "value" field */
    CHECK_VALUE_NULL,        /* null / nil */
    CHECK_VALUE_INT,         /* integer in i */
    CHECK_VALUE_STRING,      /* string: id in the history's pool in str */
    CHECK_VALUE_PAIR,        /* [a b] of integers or nulls: i, j, first_null, second_null */
    CHECK_VALUE_OTHER,       /* any other shape: its text (for messages) in str */
};

struct check_value {
    enum check_value_kind kind;
    bool first_null, second_null;  /* PAIR: element is null */
    int64_t i, j;                  /* INT: i; PAIR: i and j */
    uint32_t str;                  /* STRING, OTHER: string id */
};

#define CHECK_NO_TIME INT64_MIN   /* event had no "time" */
#define CHECK_NO_INDEX (-1)       /* event had no "index" */
#define CHECK_NEVER UINT32_MAX    /* position of a completion that never came */

/* One line of a history as a parser hands it over. Strings are ids in the
 * history's pool (check_history_intern). */
struct check_event {
    enum check_type type;
    enum check_fn fn;
    uint32_t f_name;            /* id of the "f" text; may be CHECK_NO_STRING unless fn is OTHER */
    int64_t process;
    uint32_t key;               /* id, or CHECK_NO_STRING when absent */
    struct check_value value;
    uint32_t error;             /* id of the "error" text, or CHECK_NO_STRING */
    int64_t time;               /* microseconds, or CHECK_NO_TIME */
    int64_t index;              /* the "index" field, or CHECK_NO_INDEX */
    uint32_t line;              /* 1-based source line; 0 when not from text */
};

/* One operation: an invoke and its completion (if any). Real-time order is
 * the order of events in the history (positions), not the time field. */
struct check_op {
    int64_t process;
    enum check_fn fn;
    uint32_t f_name;
    enum check_type outcome;     /* OK, FAIL, INFO, or INVOKE: still open */
    uint32_t key;                /* CHECK_NO_STRING: the single unnamed key */
    struct check_value arg;      /* value of the invoke */
    struct check_value result;   /* value of the completion; ABSENT if none */
    uint32_t error;              /* completion's "error" text or CHECK_NO_STRING */
    uint32_t invoke_pos;         /* ordinal of the invoke event (0-based) */
    uint32_t complete_pos;       /* ordinal of the completion, or CHECK_NEVER */
    uint32_t invoke_line, complete_line;   /* source lines; 0 when none */
    int64_t invoke_time, complete_time;    /* CHECK_NO_TIME when absent */
    int64_t invoke_index, complete_index;  /* CHECK_NO_INDEX when absent */
};

struct check_pending_map {   /* process -> its open op; private to history.c */
    int64_t *processes;      /* slot keys */
    uint32_t *open;          /* op index of the open op, or CHECK_NEVER */
    bool *used;              /* slot holds a process */
    size_t n_slots, count;
};

struct check_history {
    char *name;              /* file or buffer name used in messages (owned) */
    struct check_op *ops;    /* in invoke order */
    size_t n_ops, ops_cap;
    uint32_t n_events;       /* events added (skipped lines not counted) */
    bool has_time;           /* every event carried a time */
    struct check_strpool strings;
    struct check_pending_map pending;
};

/* Prepares h as an empty history called name (copied; NULL means
 * "history"). Returns 0 or CHECK_ERR_NOMEM (h is then empty but closable). */
int check_history_init(struct check_history *h, const char *name);

/* Frees everything h holds. Safe on an initialised or zeroed history. */
void check_history_close(struct check_history *h);

/* Interns len bytes of s in h's pool and stores its id in *id. Returns 0 or
 * CHECK_ERR_NOMEM / CHECK_ERR_INPUT (pool full). s is copied. */
int check_history_intern(struct check_history *h, const char *s, size_t len, uint32_t *id);

/* Returns the text of string id (owned by h, valid until h changes), or
 * NULL when id is CHECK_NO_STRING. */
const char *check_history_string(const struct check_history *h, uint32_t id);

/* Adds one event: an invoke opens an op for its process, a completion
 * (ok/fail/info) closes that process's open op. Returns 0, or
 * CHECK_ERR_INPUT with "name:line: ..." in err when the process already has
 * an open op (invoke) or none (completion), or when f or key differ from
 * the invoke's; CHECK_ERR_NOMEM. On error h is unchanged. */
int check_history_add(struct check_history *h, const struct check_event *ev,
                      char *err, size_t err_len);

/* True when op has no known outcome: info, or never completed. */
bool check_op_is_open(const struct check_op *op);

/* Returns the name of f ("read", ..., or the op's own text for
 * CHECK_FN_OTHER), owned by h. Never NULL. */
const char *check_op_fn_name(const struct check_history *h, const struct check_op *op);

/* Returns the static name of a type ("invoke", "ok", "fail", "info"). */
const char *check_type_name(enum check_type type);

/* Returns the function named by len bytes of s, or CHECK_FN_OTHER. */
enum check_fn check_fn_parse(const char *s, size_t len);

/* Returns the static name of a known function; "other" for CHECK_FN_OTHER. */
const char *check_fn_name(enum check_fn fn);

/* Appends v as text to b: null, 5, "a17;", [5 7], or the OTHER text;
 * "absent" for ABSENT. Returns 0 or CHECK_ERR_NOMEM. */
int check_value_print(const struct check_history *h, const struct check_value *v,
                      struct check_buf *b);

/* True when a and b are the same value (strings compared by id). */
bool check_value_equal(const struct check_value *a, const struct check_value *b);

#endif
