/* store.h - a trace held for viewing: its text, one compact record per line,
 * every message with its flight (sent, arrive, received or dropped), and the
 * lines the timeline marks (faults, captions, violations). Filled from a
 * trace file or line by line from a live engine; never from protocol state. */
#ifndef FAULTLINE_VIZ_STORE_H
#define FAULTLINE_VIZ_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/sim.h"

enum viz_ev_kind {
    VIZ_EV_OTHER = 0,  /* an event this viewer does not know: kept, ignored */
    VIZ_EV_BOOT, VIZ_EV_SEND, VIZ_EV_RECV, VIZ_EV_DROP, VIZ_EV_TIMER, VIZ_EV_STATE,
    VIZ_EV_NOTE, VIZ_EV_CRASH, VIZ_EV_RECOVER, VIZ_EV_PARTITION, VIZ_EV_ISOLATE,
    VIZ_EV_CUT, VIZ_EV_FLAP, VIZ_EV_HEAL, VIZ_EV_CLOCK, VIZ_EV_SLOW, VIZ_EV_LOSS,
    VIZ_EV_DUPLICATION, VIZ_EV_DROP_MESSAGE, VIZ_EV_FAULT_SKIPPED, VIZ_EV_INVOKE,
    VIZ_EV_REQUEST, VIZ_EV_REDIRECT, VIZ_EV_RETRY, VIZ_EV_COMPLETE, VIZ_EV_VIOLATION,
    VIZ_EV_CAPTION, VIZ_EV_END,
    VIZ_EV_KIND_COUNT
};

/* Why a message was dropped (struct viz_msg.reason, drop events' sub). */
enum viz_drop_reason { VIZ_DROP_NONE, VIZ_DROP_PARTITION, VIZ_DROP_LOSS, VIZ_DROP_DOWN,
                       VIZ_DROP_BY_HAND, VIZ_DROP_OTHER };

/* A client operation's outcome (complete events' sub). */
enum viz_outcome { VIZ_OUT_OK, VIZ_OUT_FAIL, VIZ_OUT_INFO, VIZ_OUT_REFUSED };

#define VIZ_EVF_NEMESIS 1u  /* the fault came from the random nemesis */
#define VIZ_EVF_UP 2u       /* flap: the link came back up */
#define VIZ_EVF_START 4u    /* flap: the first line, which carries from/to */
#define VIZ_EVF_ALL 8u      /* heal: every block at once */
#define VIZ_EVF_ON 16u      /* fired on an event (the line has "on"), not at a set time */

/* One trace line, in 24 bytes (a million-line trace must open fast). `node`
 * and `ref` depend on the kind: node = the node concerned, or the sender of
 * a message; ref = the message index (send, recv, drop, drop_message), the
 * block id (partition, isolate, cut, flap, heal) or the client (invoke,
 * complete), or for a "state" line the node's previous state line (so the
 * space-time diagram can walk a node's roles backwards); -1 when absent. A
 * message's receiver is in its viz_msg. */
struct viz_event {
    sim_time t;
    uint32_t off_lo;   /* the line's offset in the store's text: off_hi << 32 | off_lo */
    uint8_t off_hi;
    uint8_t kind;      /* enum viz_ev_kind */
    uint8_t sub;       /* drop: enum viz_drop_reason; complete: enum viz_outcome;
                          state: the role, an index into the store's role names */
    uint8_t flags;     /* VIZ_EVF_* */
    int32_t node, ref;
};

#define VIZ_MSG_DUP 1u      /* the network's duplicate copy */
#define VIZ_MSG_AT_SEND 2u  /* dropped as it was sent (the link was cut) */

enum viz_msg_end { VIZ_END_NONE, VIZ_END_RECV, VIZ_END_DROP };

/* A protocol message's flight. Times not yet seen are SIM_TIME_NEVER and
 * their event indices INT32_MAX (a live run has not got there). */
struct viz_msg {
    uint64_t id;
    sim_time sent, arrive;
    sim_time end;       /* received or dropped */
    int32_t send_ev, end_ev;
    int32_t cut_ev;     /* dropped by hand (drop_message) while in flight */
    int32_t from, to;
    uint16_t type;      /* index into the store's type names */
    uint8_t flags;      /* VIZ_MSG_* */
    uint8_t end_kind;   /* enum viz_msg_end */
    uint8_t reason;     /* enum viz_drop_reason when dropped */
    uint8_t role;       /* the sender's role when it sent (index into the store's
                           role names), VIZ_ROLE_NONE before its first state line */
};

#define VIZ_ROLE_NONE 255

/* What the header line says. */
struct viz_header {
    char scenario[128];
    char title[256];
    char protocol[64];
    char model[16];
    char epoch[16];     /* what the protocol calls its term: "term" (the default), "ballot", "view", "epoch" */
    char *lesson;       /* owned */
    uint64_t seed;
    int nodes, clients, keys;
    sim_time duration;
};

/* A growing list of event indices (the timeline's markers). */
struct viz_marks {
    int32_t *ev;
    int32_t n, cap;
};

#define VIZ_MAX_TYPES 250
#define VIZ_MAX_ROLES 64

struct viz_store {
    struct viz_header hdr;
    bool has_header;
    bool ended;               /* the "end" line was seen */
    char name[256];           /* file name for messages */
    char *text;               /* every line, each ending in '\n' */
    size_t len, cap;
    bool mapped;              /* text is a read-only file mapping (cap: its size) */
    struct viz_event *ev;
    int32_t nev, capev;
    struct viz_msg *msg;      /* in send order (ids increase) */
    int32_t nmsg, capmsg;
    char types[VIZ_MAX_TYPES][32];  /* message type names, in order of first use */
    int32_t type_first[VIZ_MAX_TYPES];
    int ntypes;
    char roles[VIZ_MAX_ROLES][24];  /* role names in "state" lines, in order of first use */
    int nroles;
    struct viz_marks faults, captions, violations, completes;
    struct viz_marks log;     /* what the event log tells: notes, role changes, faults,
                                 violations, captions */
    int32_t *last_state;      /* per node: its latest "state" line, or -1 */
};

/* Prepares an empty store; `name` names the source in error messages. */
void viz_store_init(struct viz_store *s, const char *name);
/* Frees what the store owns (the struct itself is the caller's). */
void viz_store_free(struct viz_store *s);

/* Appends one line (without or with its trailing newline) and indexes it.
 * The first line must be the header. Returns 0, SIM_EINVAL with `err`
 * ("name:line: what was expected") for a malformed line (nothing is added),
 * or SIM_ENOMEM. */
int viz_store_add(struct viz_store *s, const char *line, size_t len, char *err, size_t errcap);

/* Takes ownership of `text` (`len` bytes, every line ending in '\n' except
 * perhaps the last; malloc'd, or when `mapped` an mmap of that length) and
 * indexes all of it. Returns as viz_store_add; on error the store keeps the
 * lines before the bad one. */
int viz_store_adopt(struct viz_store *s, char *text, size_t len, bool mapped, char *err,
                    size_t errcap);

/* Forgets every line from `nev` on (a live run took another branch there). */
void viz_store_truncate(struct viz_store *s, int32_t nev);

static inline uint64_t viz_ev_off(const struct viz_event *e)
{
    return (uint64_t)e->off_hi << 32 | e->off_lo;
}

/* The text of event i (not NUL-terminated). */
static inline const char *viz_store_line(const struct viz_store *s, int32_t i)
{
    return s->text + viz_ev_off(&s->ev[i]);
}

/* The length of event i's line: up to the next line (trailing blanks and a
 * '\r' may be included; the JSON scanner skips them). */
static inline size_t viz_store_len(const struct viz_store *s, int32_t i)
{
    uint64_t end = i + 1 < s->nev ? viz_ev_off(&s->ev[i + 1]) : s->len;
    uint64_t off = viz_ev_off(&s->ev[i]);
    return end > off ? (size_t)(end - off - 1) : 0;
}

/* Number of events with time <= t (the index of the first event after t). */
int32_t viz_store_count_until(const struct viz_store *s, sim_time t);
/* Index of the message with this id, or -1. */
int32_t viz_store_find_msg(const struct viz_store *s, uint64_t id);
/* Number of messages sent at or before time t (messages are in send order). */
int32_t viz_store_msgs_until(const struct viz_store *s, sim_time t);
/* Index into a marks list of the first entry whose event index is >= k. */
int32_t viz_marks_lower(const struct viz_marks *m, int32_t k);

/* Node id of "n<k>" within the header's node count, or -1. */
int viz_store_node(const struct viz_store *s, const char *p, size_t n);
/* The event kind's name as the trace spells it. */
const char *viz_ev_name(enum viz_ev_kind kind);

#endif
