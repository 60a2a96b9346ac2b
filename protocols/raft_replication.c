/* raft_replication.c - Raft log replication (§5.3) and the commit rule
 * (§5.4.2): AppendEntries with its consistency check and conflict
 * truncation on the follower, nextIndex/matchIndex bookkeeping, batching
 * and retransmission on the leader. */
#include <stdlib.h>
#include <string.h>

#include "protocols/raft.h"

static unsigned char *scratch(struct raft_state *st, size_t need)
{
    if (need > st->scratch_cap) {
        size_t cap = st->scratch_cap ? st->scratch_cap : 1024;
        while (cap < need)
            cap *= 2;
        unsigned char *p = realloc(st->scratch, cap);
        if (!p)
            return NULL;
        st->scratch = p;
        st->scratch_cap = cap;
    }
    return st->scratch;
}

void raft_send_append(struct sim_node *n, struct raft_state *st, int to, bool heartbeat)
{
    const struct raft_config *cfg = sim_config(n);
    struct raft_peer *p = &st->peers[to];
    sim_time now = sim_now(n);
    /* One AppendEntries with entries in flight per follower; after a
     * heartbeat period without an answer it is presumed lost and resent. */
    bool busy = p->inflight != 0 && now - p->sent_at < cfg->heartbeat;
    int64_t prev = p->next - 1;
    int64_t count = 0;
    if (!busy) {
        count = st->len - prev;
        if (count > cfg->batch)
            count = cfg->batch;
        if (count < 0)
            count = 0;
    }
    if (!heartbeat && count == 0)
        return;
    struct raft_append_hdr h = {st->term, prev, raft_term_at(st, prev), st->commit, ++st->seq,
                                count};
    size_t len = sizeof h + (size_t)count * sizeof(struct raft_entry);
    unsigned char *buf = scratch(st, len);
    if (!buf)
        return;
    memcpy(buf, &h, sizeof h);
    if (count)
        memcpy(buf + sizeof h, &st->log[prev], (size_t)count * sizeof(struct raft_entry));
    sim_send(n, to, RAFT_MSG_APPEND, buf, len);
    if (count) {
        p->inflight = h.seq;
        p->sent_at = now;
    }
}

void raft_replicate(struct sim_node *n, struct raft_state *st, bool heartbeat)
{
    for (int i = 0; i < st->nodes; i++)
        if (i != st->self)
            raft_send_append(n, st, i, heartbeat);
}

static int cmp_desc(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

int64_t raft_kth_largest(int64_t *v, int n, int k)
{
    if (n <= 16) {
        for (int i = 1; i < n; i++)
            for (int j = i; j > 0 && v[j] > v[j - 1]; j--) {
                int64_t t = v[j];
                v[j] = v[j - 1];
                v[j - 1] = t;
            }
    } else {
        qsort(v, (size_t)n, sizeof *v, cmp_desc);
    }
    return v[k - 1];
}

void raft_advance_commit(struct sim_node *n, struct raft_state *st)
{
    const struct raft_config *cfg = sim_config(n);
    if (st->role != RAFT_LEADER)
        return;
    /* The highest index stored on a majority: the majority-th largest of the
     * followers' matchIndex and the leader's own (persisted) log length. */
    for (int i = 0; i < st->nodes; i++)
        st->matches[i] = i == st->self ? st->len : st->peers[i].match;
    int64_t on_majority = raft_kth_largest(st->matches, st->nodes, raft_majority(st));
    if (on_majority <= st->commit)
        return;
    /* §5.4.2: a leader commits by counting replicas only entries of its own
     * term; earlier entries commit with them (Log Matching). Terms never
     * decrease along a log, so checking the highest candidate is enough.
     * The bug skips this test, and Figure 8 shows what it costs. */
    if (cfg->bug != RAFT_BUG_COMMIT_OLD_TERM && raft_term_at(st, on_majority) != st->term)
        return;
    st->commit = on_majority;
    raft_apply(n, st);
    raft_serve_reads(n, st);
}

static void reply_append(struct sim_node *n, struct raft_state *st, int to,
                         const struct raft_append_hdr *h, bool ok, int64_t match,
                         int64_t conflict)
{
    struct raft_append_reply r = {st->term, h->term, h->seq, ok, match, conflict};
    sim_send(n, to, RAFT_MSG_APPEND_REPLY, &r, sizeof r);
}

/* AppendEntries receiver (Figure 2, §5.3). */
void raft_on_append(struct sim_node *n, struct raft_state *st, int from, const void *body,
                    size_t len)
{
    struct raft_append_hdr h;
    if (len < sizeof h)
        return;
    memcpy(&h, body, sizeof h);
    if (h.count < 0 || h.prev_index < 0 ||
        len != sizeof h + (size_t)h.count * sizeof(struct raft_entry))
        return;
    /* 1. Reply false if term < currentTerm: the sender learns it is stale. */
    if (h.term < st->term) {
        reply_append(n, st, from, &h, false, 0, 0);
        return;
    }
    if (st->role == RAFT_LEADER && h.term == st->term) {
        /* Two leaders in one term: Election Safety is already broken (only
         * a bug does that). Refuse, and tell the other not to retry. */
        reply_append(n, st, from, &h, false, 0, -1);
        return;
    }
    raft_become_follower(n, st, h.term);
    st->leader = from;
    raft_touch_election(n, st);
    /* 2. Reply false if the log has no entry at prevLogIndex whose term
     * matches prevLogTerm. The hint lets the leader skip back a whole term
     * at once (§5.3, "the follower can include the term of the conflicting
     * entry and the first index it stores for that term"). */
    if (h.prev_index > st->len) {
        reply_append(n, st, from, &h, false, 0, st->len + 1);
        return;
    }
    int64_t prev_term = raft_term_at(st, h.prev_index);
    if (h.prev_index > 0 && prev_term != h.prev_term) {
        int64_t i = h.prev_index;
        while (i > st->commit + 1 && raft_term_at(st, i - 1) == prev_term)
            i--;
        reply_append(n, st, from, &h, false, 0, i);
        return;
    }
    /* 3. An existing entry that conflicts with a new one (same index,
     * different term): delete it and all that follow. An entry that agrees
     * stays: a delayed or duplicated AppendEntries must not cut the log.
     * 4. Append any new entries not already in the log. */
    const unsigned char *entries = (const unsigned char *)body + sizeof h;
    int64_t first_changed = 0;
    for (int64_t k = 0; k < h.count; k++) {
        struct raft_entry e;
        memcpy(&e, entries + (size_t)k * sizeof e, sizeof e);
        int64_t index = h.prev_index + 1 + k;
        if (index <= st->len) {
            if (raft_term_at(st, index) == e.term)
                continue;
            int64_t dropped = st->len - index + 1;
            if (index <= st->commit)
                sim_note(n, "%s drops committed entry %lld: the leader's log disagrees",
                         sim_node_name(n, st->self), (long long)index);
            else /* Figure 7's extra entries: never committed, overwritten */
                sim_note(n, "%s drops %lld uncommitted entr%s from index %lld (term %lld): the "
                            "leader's log disagrees",
                         sim_node_name(n, st->self), (long long)dropped, dropped == 1 ? "y" : "ies",
                         (long long)index, (long long)raft_term_at(st, index));
            sim_metric_add(n, "entries_dropped", dropped);
            raft_log_truncate(st, index - 1);
        }
        if (raft_log_append(st, &e, false) != SIM_OK)
            return;
        if (!first_changed)
            first_changed = index;
    }
    if (first_changed) {
        raft_persist_log(n, st, first_changed);
        sim_store_sync(n); /* durable before the leader may count it */
    }
    /* 5. commitIndex = min(leaderCommit, index of last new entry): entries
     * past what this message verified may still be a stale leader's. */
    int64_t last_new = h.prev_index + h.count;
    int64_t commit = h.commit < last_new ? h.commit : last_new;
    if (commit > st->commit) {
        st->commit = commit;
        raft_apply(n, st);
    }
    reply_append(n, st, from, &h, true, last_new, 0);
}

void raft_on_append_reply(struct sim_node *n, struct raft_state *st, int from,
                          const struct raft_append_reply *m)
{
    if (m->term > st->term) {
        raft_become_follower(n, st, m->term);
        return;
    }
    if (st->role != RAFT_LEADER || m->term != st->term)
        return;
    /* A refusal carries the follower's term, not the term of the request it
     * refuses: an AppendEntries this node sent as leader of an earlier term,
     * delivered late, comes back as a refusal in the current term. Its seq
     * counts from that earlier stint; taken as an answer to this term's
     * heartbeats it would confirm leadership for ReadIndex without a
     * majority (a stale read). Only answers to this term's requests count. */
    const struct raft_config *cfg = sim_config(n);
    if (m->request_term != st->term && cfg->bug != RAFT_BUG_STALE_ACK)
        return;
    struct raft_peer *p = &st->peers[from];
    if (!m->success && m->conflict < 0)
        return; /* another leader of this term refused: retried at the next tick */
    if (m->seq > p->acked_seq)
        p->acked_seq = m->seq; /* it still follows us: ReadIndex counts this */
    if (m->success) {
        int64_t match = m->match < st->len ? m->match : st->len;
        if (match > p->match)
            p->match = match;
        if (p->next < p->match + 1)
            p->next = p->match + 1;
    } else if (m->conflict > 0) {
        /* Back nextIndex up (§5.3), never below what is known to match. */
        int64_t next = m->conflict < p->match + 1 ? p->match + 1 : m->conflict;
        if (next < p->next)
            p->next = next;
    }
    if (m->seq == p->inflight)
        p->inflight = 0;
    if (m->success)
        raft_advance_commit(n, st);
    if (st->role == RAFT_LEADER && p->inflight == 0 && p->next <= st->len)
        raft_send_append(n, st, from, false);
    raft_serve_reads(n, st);
}
