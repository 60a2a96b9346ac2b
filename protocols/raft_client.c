/* raft_client.c - Raft's client interaction (§8): followers redirect to the
 * leader, the leader appends commands to its log and answers once they are
 * applied, retried commands are answered from the client's session, and
 * reads are linearizable either through the log or by ReadIndex
 * (dissertation §6.4: confirm leadership with a heartbeat round, then read
 * at the commit index without writing to the log). */
#include <stdlib.h>
#include <string.h>

#include "protocols/raft.h"

static bool is_read(int32_t f)
{
    return f == SIM_F_READ || f == SIM_F_GET;
}

static void add_read(struct sim_node *n, struct raft_state *st, const struct sim_op *op)
{
    if (st->nreads == st->capreads) {
        int cap = st->capreads ? st->capreads * 2 : 16;
        struct raft_read *r = realloc(st->reads, (size_t)cap * sizeof *r);
        if (!r)
            return; /* the client times out */
        st->reads = r;
        st->capreads = cap;
    }
    st->reads[st->nreads++] = (struct raft_read){*op, st->seq, -1};
    /* A heartbeat round sent after the read arrived: a majority answering
     * it proves no newer leader had been elected when the read began. */
    raft_replicate(n, st, true);
    raft_serve_reads(n, st);
}

void raft_client_request(struct sim_node *n, void *state, const struct sim_op *op)
{
    struct raft_state *st = state;
    const struct raft_config *cfg = sim_config(n);
    st->changed_from = INT64_MAX;
    if (st->role != RAFT_LEADER) {
        /* §8: a follower sends the client to the leader it knows of. */
        sim_redirect(n, op, st->leader >= 0 && st->leader != st->self ? st->leader : -1);
        return;
    }
    if (is_read(op->f) && cfg->reads == RAFT_READS_READ_INDEX) {
        add_read(n, st, op);
        return;
    }
    if (!is_read(op->f)) {
        const struct raft_session *s = raft_session_find(st, op->client);
        if (s && op->seq == s->seq) {
            /* §8: already applied; answer from the session, do not repeat it. */
            struct sim_result r;
            raft_session_result(s, &r);
            sim_reply(n, op, &r);
            return;
        }
        if (s && op->seq < s->seq)
            return; /* the client has moved on */
    }
    struct raft_entry e = {.term = st->term, .kind = RAFT_ENTRY_OP, .op = *op};
    if (raft_log_append(st, &e, true) != SIM_OK)
        return;
    raft_persist_log(n, st, st->len);
    sim_store_sync(n); /* the leader counts itself only once durable */
    raft_replicate(n, st, false);
    raft_advance_commit(n, st);
}

void raft_serve_reads(struct sim_node *n, struct raft_state *st)
{
    if (st->role != RAFT_LEADER || st->nreads == 0)
        return;
    /* §8: until an entry of its own term commits, a new leader does not
     * know the commit index; reads wait (the no-op makes that quick). */
    if (raft_term_at(st, st->commit) != st->term)
        return;
    /* A read is confirmed once a majority (the leader included) answered
     * an AppendEntries sent after it: its seq is below the (majority-1)-th
     * highest seq the followers acknowledged. */
    int64_t confirmed_below = INT64_MAX; /* a one-node cluster confirms alone */
    int need = raft_majority(st) - 1;
    if (need > 0) {
        int k = 0;
        for (int i = 0; i < st->nodes; i++)
            if (i != st->self)
                st->matches[k++] = st->peers[i].acked_seq;
        confirmed_below = raft_kth_largest(st->matches, k, need);
    }
    /* Reads are queued in seq order and get nondecreasing read indexes:
     * serve the prefix that is confirmed and applied. */
    int served = 0;
    while (served < st->nreads) {
        struct raft_read *rd = &st->reads[served];
        if (rd->read_index < 0)
            rd->read_index = st->commit;
        if (rd->seq >= confirmed_below || st->applied < rd->read_index)
            break;
        struct sim_result r;
        if (sim_sm_apply(st->sm, &rd->op, &r) != SIM_OK)
            r = (struct sim_result){.outcome = SIM_OUT_FAIL};
        sim_reply(n, &rd->op, &r);
        served++;
    }
    for (int i = served; i < st->nreads; i++)
        if (st->reads[i].read_index < 0)
            st->reads[i].read_index = st->commit;
    if (served) {
        memmove(st->reads, st->reads + served, (size_t)(st->nreads - served) * sizeof *st->reads);
        st->nreads -= served;
    }
}

void raft_drop_reads(struct sim_node *n, struct raft_state *st)
{
    /* Not served, so not happened: the client may safely ask elsewhere. */
    for (int i = 0; i < st->nreads; i++)
        sim_redirect(n, &st->reads[i].op, -1);
    st->nreads = 0;
}
