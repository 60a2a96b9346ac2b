/* consistency.h - weaker consistency measured on a history, for the
 * eventual-consistency lessons: stale reads and the inconsistency window
 * they imply, and the session guarantees of Terry et al. 1994 (read your
 * writes, monotonic reads, monotonic writes) per process. Every anomaly
 * reported is certain from real-time order alone; ambiguous cases are not
 * counted. Exact rules: docs/checker.md. */
#ifndef FAULTLINE_CHECK_CONSISTENCY_H
#define FAULTLINE_CHECK_CONSISTENCY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "check/history.h"

enum check_anomaly_kind {
    CHECK_ANOMALY_STALE_READ = 0,     /* a read missed a write acknowledged before it began */
    CHECK_ANOMALY_READ_YOUR_WRITES,   /* a read missed its own process's acknowledged write */
    CHECK_ANOMALY_MONOTONIC_READS,    /* a read missed a write an earlier read of its process saw */
    CHECK_ANOMALY_MONOTONIC_WRITES,   /* a process's writes were seen out of the order it made them */
};

struct check_anomaly {
    enum check_anomaly_kind kind;
    uint32_t read;    /* op index of the read that shows it */
    uint32_t write;   /* stale, read-your-writes: the write it missed (for stale reads the
                         earliest acknowledged one); monotonic reads: the write the earlier
                         read saw; monotonic writes: the earlier write of the session */
    uint32_t other;   /* monotonic reads: the earlier read; monotonic writes: the later write
                         of the session, seen first; else CHECK_NEVER */
    int64_t gap;      /* stale: from the write's acknowledgement to the read's invoke, in
                         window units; else 0 */
};

struct check_session {
    int64_t process;
    size_t reads;             /* ok reads (read, get) */
    size_t writes;            /* acknowledged writes (write, cas, put, append) */
    size_t stale_reads;       /* its reads that were stale */
    size_t read_your_writes;  /* its reads that missed its own acknowledged writes */
    size_t monotonic_reads;   /* its reads that went back behind its earlier reads */
    size_t monotonic_writes;  /* reads (anyone's) that saw its writes out of order */
};

struct check_consistency {
    size_t reads;                     /* ok reads examined */
    size_t stale_reads;               /* reads that were stale */
    int64_t window;                   /* the longest gap of a stale read; 0 when none */
    bool window_in_us;                /* window in microseconds; false: in history events */
    struct check_session *sessions;   /* one per process, ascending (owned) */
    size_t n_sessions;
    struct check_anomaly *anomalies;  /* all found, by read then kind (owned) */
    size_t n_anomalies;
};

/* Measures stale reads and session guarantees of h into *out (free with
 * check_consistency_close). Register (read/write/cas) and kv
 * (get/put/append) histories are both understood, each key on its own.
 * Returns 0, CHECK_ERR_INPUT with "name:line: ..." in err when h mixes the
 * two families or holds other operations, or CHECK_ERR_NOMEM; out then
 * holds nothing. h is only borrowed. */
int check_consistency_run(const struct check_history *h, struct check_consistency *out,
                          char *err, size_t err_len);

/* Frees what c holds. Safe on a zeroed report. */
void check_consistency_close(struct check_consistency *c);

/* Returns the static name of an anomaly kind ("stale-read", "read-your-writes",
 * "monotonic-reads", "monotonic-writes"). */
const char *check_anomaly_name(enum check_anomaly_kind kind);

/* Returns the report as text ending in a newline (caller frees), or NULL
 * when out of memory. h must be the history c was computed from. */
char *check_consistency_text(const struct check_history *h, const struct check_consistency *c);

/* Returns the report as a cJSON object (caller frees with cJSON_Delete), or
 * NULL when out of memory. Layout in docs/checker.md. */
cJSON *check_consistency_json(const struct check_history *h, const struct check_consistency *c);

#endif
