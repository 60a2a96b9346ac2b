/* raft_election.c - Raft leader election (§5.2) and the election restriction
 * (§5.4.1): randomized election timeouts from the node's own random stream,
 * candidates, RequestVote and its replies, and the role changes. */
#include <stdlib.h>
#include <string.h>

#include "protocols/raft.h"

int raft_majority(const struct raft_state *st)
{
    return st->nodes / 2 + 1;
}

/* §5.2: each node picks its election timeout at random from a fixed range,
 * so that one usually times out first and wins before the others wake. A
 * scenario may pin a node's timeout to script a lesson. */
static sim_time draw_timeout(struct sim_node *n, const struct raft_state *st)
{
    const struct raft_config *cfg = sim_config(n);
    if (st->self < RAFT_FIXED_MAX && cfg->fixed_timeout[st->self] > 0)
        return cfg->fixed_timeout[st->self];
    return sim_random_between(n, cfg->election_min, cfg->election_max);
}

void raft_touch_election(struct sim_node *n, struct raft_state *st)
{
    st->election_deadline = sim_now(n) + st->election_timeout;
}

/* The election timer is armed whenever the node is not leader. Contact from
 * the leader only moves the deadline; the timer, when it fires early, sleeps
 * again until the deadline (cheaper than re-arming on every heartbeat). */
static void arm_election(struct sim_node *n, struct raft_state *st)
{
    sim_time wait = st->election_deadline - sim_now(n);
    st->election_timer = sim_set_timer(n, wait > 0 ? wait : 0, RAFT_TIMER_ELECTION, 0);
}

static void arm_tick(struct sim_node *n, struct raft_state *st)
{
    const struct raft_config *cfg = sim_config(n);
    if (!st->tick_timer)
        st->tick_timer = sim_set_timer(n, cfg->heartbeat, RAFT_TIMER_TICK, 0);
}

void raft_start_timers(struct sim_node *n, struct raft_state *st)
{
    st->election_timeout = draw_timeout(n, st);
    raft_touch_election(n, st);
    arm_election(n, st);
}

void raft_election_free(struct raft_state *st)
{
    free(st->voted);
    free(st->peers);
    free(st->reads);
    free(st->matches);
    st->voted = NULL;
    st->peers = NULL;
    st->reads = NULL;
    st->matches = NULL;
    st->nreads = st->capreads = 0;
}

static void send_vote_request(struct sim_node *n, struct raft_state *st, int to)
{
    struct raft_vote_msg m = {st->term, st->len, raft_term_at(st, st->len)};
    sim_send(n, to, RAFT_MSG_VOTE, &m, sizeof m);
}

static void become_leader(struct sim_node *n, struct raft_state *st)
{
    const struct raft_config *cfg = sim_config(n);
    st->role = RAFT_LEADER;
    st->leader = st->self;
    sim_cancel_timer(n, st->election_timer);
    st->election_timer = 0;
    free(st->peers);
    free(st->matches);
    st->peers = calloc((size_t)st->nodes, sizeof *st->peers);
    st->matches = calloc((size_t)st->nodes, sizeof *st->matches);
    if (!st->peers || !st->matches) {
        raft_become_follower(n, st, st->term);
        return;
    }
    /* Figure 2: nextIndex starts just past the leader's log, matchIndex at 0. */
    for (int i = 0; i < st->nodes; i++)
        st->peers[i].next = st->len + 1;
    st->seq = 0;
    sim_metric_add(n, "leaders_elected", 1);
    sim_note(n, "%s wins term %lld with %d of %d votes", sim_node_name(n, st->self),
             (long long)st->term, st->granted, st->nodes);
    /* §8: a no-op entry of the new term lets the leader learn what is
     * committed (and serve reads) without waiting for a client write. */
    if (cfg->noop) {
        struct raft_entry e = {.term = st->term, .kind = RAFT_ENTRY_NOOP};
        if (raft_log_append(st, &e, false) == SIM_OK) {
            raft_persist_log(n, st, st->len);
            sim_store_sync(n);
        }
    }
    raft_replicate(n, st, true);
    arm_tick(n, st);
    raft_advance_commit(n, st); /* a one-node cluster commits alone */
}

/* §5.2: the follower times out, increments its term, votes for itself and
 * asks everyone else for a vote. */
static void start_election(struct sim_node *n, struct raft_state *st)
{
    st->term++;
    st->voted_for = st->self;
    st->role = RAFT_CANDIDATE;
    st->leader = -1;
    raft_persist_vote(n, st);
    sim_store_sync(n);
    memset(st->voted, 0, (size_t)st->nodes);
    st->voted[st->self] = 1;
    st->granted = st->answered = 1;
    st->election_timeout = draw_timeout(n, st);
    raft_touch_election(n, st);
    arm_election(n, st);
    sim_metric_add(n, "elections", 1);
    sim_note(n, "election timeout: %s stands for term %lld", sim_node_name(n, st->self),
             (long long)st->term);
    if (st->granted >= raft_majority(st)) {
        become_leader(n, st);
        return;
    }
    for (int i = 0; i < st->nodes; i++)
        if (i != st->self)
            send_vote_request(n, st, i);
    arm_tick(n, st);
}

void raft_on_election_timer(struct sim_node *n, struct raft_state *st)
{
    st->election_timer = 0;
    if (st->role == RAFT_LEADER)
        return;
    if (sim_now(n) < st->election_deadline) {
        arm_election(n, st); /* the leader was heard since: sleep on */
        return;
    }
    if (st->role == RAFT_CANDIDATE && st->answered >= raft_majority(st)) {
        /* Enough nodes answered, but the votes went to several candidates. */
        sim_metric_add(n, "split_votes", 1);
        sim_note(n, "votes split in term %lld: %d of %d granted", (long long)st->term,
                 st->granted, st->nodes);
    }
    start_election(n, st);
}

void raft_on_tick(struct sim_node *n, struct raft_state *st)
{
    st->tick_timer = 0;
    if (st->role == RAFT_LEADER) {
        raft_replicate(n, st, true); /* heartbeats, retransmissions (§5.2, §5.3) */
        arm_tick(n, st);
    } else if (st->role == RAFT_CANDIDATE) {
        /* Figure 2: RPCs are retried when no answer comes in time. */
        for (int i = 0; i < st->nodes; i++)
            if (i != st->self && !st->voted[i])
                send_vote_request(n, st, i);
        arm_tick(n, st);
    }
}

void raft_become_follower(struct sim_node *n, struct raft_state *st, int64_t term)
{
    if (term > st->term) {
        st->term = term;
        st->voted_for = -1;
        st->leader = -1;
        raft_persist_vote(n, st);
        sim_store_sync(n);
    }
    if (st->role == RAFT_LEADER) {
        sim_note(n, "%s steps down: term %lld", sim_node_name(n, st->self), (long long)st->term);
        sim_metric_add(n, "step_downs", 1);
        raft_drop_reads(n, st);
        /* Writes waiting here may still commit under the next leader or be
         * lost; this node cannot tell, so their clients time out (info). */
        if (st->len)
            memset(st->mine, 0, (size_t)st->len);
        free(st->peers);
        free(st->matches);
        st->peers = NULL;
        st->matches = NULL;
    }
    st->role = RAFT_FOLLOWER;
    if (!st->election_timer) {
        st->election_timeout = draw_timeout(n, st);
        raft_touch_election(n, st);
        arm_election(n, st);
    }
}

/* RequestVote receiver (Figure 2, §5.2, §5.4.1). */
void raft_on_vote(struct sim_node *n, struct raft_state *st, int from,
                  const struct raft_vote_msg *m)
{
    if (m->term > st->term)
        raft_become_follower(n, st, m->term);
    /* §5.4.1: grant only to a candidate whose log is at least as up to date:
     * a later last term, or the same last term and at least as long. */
    int64_t last_term = raft_term_at(st, st->len);
    bool up_to_date = m->last_term > last_term ||
                      (m->last_term == last_term && m->last_index >= st->len);
    bool grant = m->term == st->term && (st->voted_for < 0 || st->voted_for == from) &&
                 up_to_date;
    if (grant) {
        st->voted_for = from;
        raft_persist_vote(n, st);
        sim_store_sync(n); /* durable before the vote leaves (Figure 2) */
        raft_touch_election(n, st);
    }
    struct raft_vote_reply r = {st->term, grant};
    sim_send(n, from, RAFT_MSG_VOTE_REPLY, &r, sizeof r);
}

void raft_on_vote_reply(struct sim_node *n, struct raft_state *st, int from,
                        const struct raft_vote_reply *m)
{
    if (m->term > st->term) {
        raft_become_follower(n, st, m->term);
        return;
    }
    if (st->role != RAFT_CANDIDATE || m->term != st->term || st->voted[from])
        return;
    st->voted[from] = m->granted ? 1 : 2;
    st->answered++;
    if (m->granted && ++st->granted >= raft_majority(st))
        become_leader(n, st);
}
