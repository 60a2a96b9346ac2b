/* raft.c - the Raft plug-in: parameters, node lifecycle (start, recover from
 * stable storage, crash), event dispatch, and what the viewer shows.
 *
 * Implements Ongaro & Ousterhout 2014: leader election with randomized
 * timeouts (§5.2), log replication with the consistency check (§5.3), the
 * election restriction (§5.4.1) and the commit rule (§5.4.2), persistence of
 * currentTerm, votedFor and the log before answering (Figure 2), client
 * redirects, sessions and linearizable reads (§8, dissertation §6.4).
 *
 * Params: election_min (150ms), election_max (300ms), heartbeat (50ms),
 * batch (64 entries per AppendEntries), reads ("read_index" | "log"),
 * noop (true: a new leader appends a no-op), election_timeout_nK (fix node
 * nK's election timeout, for scripted lessons), bug ("none" |
 * "commit_old_term" | "no_persist_vote" | "stale_ack"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/raft.h"

static int raft_configure(struct sim_params *p, void *config)
{
    static const char *const bugs[] = {"none", "commit_old_term", "no_persist_vote",
                                       "stale_ack", NULL};
    static const char *const reads[] = {"read_index", "log", NULL};
    struct raft_config *c = config;
    int rc = 0;
    rc = rc ? rc : sim_param_duration(p, "election_min", 150 * SIM_MS, &c->election_min);
    rc = rc ? rc : sim_param_duration(p, "election_max", 300 * SIM_MS, &c->election_max);
    rc = rc ? rc : sim_param_duration(p, "heartbeat", 50 * SIM_MS, &c->heartbeat);
    rc = rc ? rc : sim_param_int(p, "batch", 64, 1, 1000000, &c->batch);
    rc = rc ? rc : sim_param_enum(p, "reads", reads, RAFT_READS_READ_INDEX, &c->reads);
    rc = rc ? rc : sim_param_bool(p, "noop", true, &c->noop);
    rc = rc ? rc : sim_param_enum(p, "bug", bugs, RAFT_BUG_NONE, &c->bug);
    int nodes = sim_params_node_count(p);
    for (int i = 0; !rc && i < nodes && i < RAFT_FIXED_MAX; i++) {
        char key[40];
        snprintf(key, sizeof key, "election_timeout_n%d", i + 1);
        rc = sim_param_duration(p, key, 0, &c->fixed_timeout[i]);
        if (!rc && c->fixed_timeout[i] < 0)
            rc = sim_param_error(p, key, "must not be negative");
    }
    if (!rc && c->election_min <= 0)
        rc = sim_param_error(p, "election_min", "must be above 0");
    if (!rc && c->election_max < c->election_min)
        rc = sim_param_error(p, "election_max", "must not be below election_min");
    if (!rc && c->heartbeat <= 0)
        rc = sim_param_error(p, "heartbeat", "must be above 0");
    return rc;
}

/* Boot and recovery are the same: everything comes from stable storage. */
static void raft_start(struct sim_node *n, void *state)
{
    struct raft_state *st = state;
    st->nodes = sim_node_count(n);
    st->self = sim_self(n);
    st->voted_for = -1;
    st->leader = -1;
    st->role = RAFT_FOLLOWER;
    st->changed_from = INT64_MAX;
    st->sm = sim_sm_create();
    st->voted = calloc((size_t)st->nodes, 1);
    if (!st->sm || !st->voted || raft_load(n, st) != SIM_OK)
        return; /* out of memory: the engine reports it */
    if (st->term > 0 || st->len > 0)
        sim_note(n, "%s recovers: term %lld, log %lld entries, voted %s", sim_node_name(n, st->self),
                 (long long)st->term, (long long)st->len,
                 st->voted_for >= 0 ? sim_node_name(n, st->voted_for) : "none");
    raft_start_timers(n, st);
}

static void raft_crash(struct sim_node *n, void *state)
{
    (void)n;
    struct raft_state *st = state;
    raft_log_free(st);
    raft_election_free(st);
    free(st->scratch);
    st->scratch = NULL;
    st->scratch_cap = 0;
}

static void raft_message(struct sim_node *n, void *state, int from, int type, const void *body,
                         size_t len)
{
    struct raft_state *st = state;
    st->changed_from = INT64_MAX;
    switch (type) {
    case RAFT_MSG_VOTE: {
        struct raft_vote_msg m;
        if (len != sizeof m)
            return;
        memcpy(&m, body, sizeof m);
        raft_on_vote(n, st, from, &m);
        return;
    }
    case RAFT_MSG_VOTE_REPLY: {
        struct raft_vote_reply m;
        if (len != sizeof m)
            return;
        memcpy(&m, body, sizeof m);
        raft_on_vote_reply(n, st, from, &m);
        return;
    }
    case RAFT_MSG_APPEND:
        raft_on_append(n, st, from, body, len);
        return;
    case RAFT_MSG_APPEND_REPLY: {
        struct raft_append_reply m;
        if (len != sizeof m)
            return;
        memcpy(&m, body, sizeof m);
        raft_on_append_reply(n, st, from, &m);
        return;
    }
    default:
        return;
    }
}

static void raft_timer(struct sim_node *n, void *state, int kind, uint64_t arg)
{
    (void)arg;
    struct raft_state *st = state;
    st->changed_from = INT64_MAX;
    if (kind == RAFT_TIMER_ELECTION)
        raft_on_election_timer(n, st);
    else if (kind == RAFT_TIMER_TICK)
        raft_on_tick(n, st);
}

/* ---- what the viewer shows ---------------------------------------------------------- */

static const char *const role_names[] = {"follower", "candidate", "leader"};

/* Every role raft_role returns (for scenario triggers). */
static const char *const raft_roles[] = {"follower", "candidate", "leader", NULL};

static const char *raft_role(const void *state)
{
    const struct raft_state *st = state;
    return st->role >= 0 && st->role <= RAFT_LEADER ? role_names[st->role] : "follower";
}

static void raft_describe(const void *state, struct sim_describe *d)
{
    const struct raft_state *st = state;
    sim_describe_term(d, st->term);
    sim_describe_text(d, "term %lld · log %lld · commit %lld", (long long)st->term,
                      (long long)st->len, (long long)st->commit);
    if (st->role != RAFT_LEADER && st->leader >= 0)
        sim_describe_text(d, " · leader n%d", st->leader + 1);
    if (st->role == RAFT_CANDIDATE)
        sim_describe_text(d, " · votes %d/%d", st->granted, st->nodes);
    else if (st->voted_for >= 0)
        sim_describe_text(d, " · voted n%d", st->voted_for + 1);
    int64_t tail[16];
    int tn = 0;
    for (int64_t i = st->len > 16 ? st->len - 16 : 0; i < st->len; i++)
        tail[tn++] = st->log[i].term;
    sim_describe_log(d, st->len, st->commit, tail, tn);
}

static const char *raft_message_name(int type)
{
    static const char *const names[] = {"RequestVote", "VoteReply", "AppendEntries",
                                        "AppendReply"};
    return type >= 0 && type < RAFT_MSG_COUNT ? names[type] : "?";
}

static const char *raft_timer_name(int kind)
{
    return kind == RAFT_TIMER_ELECTION ? "election" : kind == RAFT_TIMER_TICK ? "heartbeat" : "?";
}

static void raft_message_describe(int type, const void *body, size_t len, struct sim_describe *d)
{
    if (type == RAFT_MSG_VOTE && len == sizeof(struct raft_vote_msg)) {
        struct raft_vote_msg m;
        memcpy(&m, body, sizeof m);
        sim_describe_text(d, "term %lld, last entry %lld@%lld", (long long)m.term,
                          (long long)m.last_index, (long long)m.last_term);
    } else if (type == RAFT_MSG_VOTE_REPLY && len == sizeof(struct raft_vote_reply)) {
        struct raft_vote_reply m;
        memcpy(&m, body, sizeof m);
        sim_describe_text(d, "term %lld, %s", (long long)m.term, m.granted ? "granted" : "refused");
    } else if (type == RAFT_MSG_APPEND && len >= sizeof(struct raft_append_hdr)) {
        struct raft_append_hdr h;
        memcpy(&h, body, sizeof h);
        if (h.count > 0)
            sim_describe_text(d, "term %lld, entries %lld..%lld, commit %lld", (long long)h.term,
                              (long long)(h.prev_index + 1), (long long)(h.prev_index + h.count),
                              (long long)h.commit);
        else
            sim_describe_text(d, "term %lld, heartbeat after %lld, commit %lld", (long long)h.term,
                              (long long)h.prev_index, (long long)h.commit);
    } else if (type == RAFT_MSG_APPEND_REPLY && len == sizeof(struct raft_append_reply)) {
        struct raft_append_reply m;
        memcpy(&m, body, sizeof m);
        if (m.success)
            sim_describe_text(d, "term %lld, ok, has %lld", (long long)m.term, (long long)m.match);
        else if (m.conflict > 0)
            sim_describe_text(d, "term %lld, mismatch, retry from %lld", (long long)m.term,
                              (long long)m.conflict);
        else if (m.request_term < m.term)
            sim_describe_text(d, "term %lld, refused a term-%lld request", (long long)m.term,
                              (long long)m.request_term);
        else
            sim_describe_text(d, "term %lld, refused", (long long)m.term);
    }
}

const struct sim_protocol raft_protocol = {
    .version = SIM_PROTOCOL_VERSION,
    .name = "raft",
    .summary = "Raft: randomized elections, log replication, §5.4.2 commit rule, ReadIndex reads",
    .config_size = sizeof(struct raft_config),
    .state_size = sizeof(struct raft_state),
    .ghost_size = sizeof(struct raft_ghost),
    .configure = raft_configure,
    .start = raft_start,
    .crash = raft_crash,
    .message = raft_message,
    .timer = raft_timer,
    .client_request = raft_client_request,
    .check_cluster = raft_check_cluster,
    .ghost_free = raft_ghost_free,
    .describe = raft_describe,
    .role = raft_role,
    .roles = raft_roles,
    .message_name = raft_message_name,
    .timer_name = raft_timer_name,
    .message_describe = raft_message_describe,
    .epoch = "term",
};
