/* primary_backup_log.c - primary-backup's redo log: persistence and replay,
 * and log shipping from the primary to the backups with the catch-up of a
 * lagging backup and the discarding of dirty entries.
 *
 * Shipping follows Raft's AppendEntries (Ongaro & Ousterhout 2014, §5.3):
 * each REPLICATE names the entry before the ones it carries; a backup whose
 * log does not hold that entry answers NACK with a hint, and the primary
 * backs up to it, so a lagging backup replays the primary's log from where
 * they agree (the canon's 回放 redo log). Entries a backup holds that
 * conflict with the primary's log were appended by a primary that lost its
 * view and never committed them: dirty entries, discarded (the canon's
 * 删除脏数据). Commit follows the replication mode: sync needs every listed
 * backup, semi-sync K of them, async none; only an entry of the current view
 * commits by counting, and earlier ones with it (Raft §5.4.2). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/primary_backup.h"

/* ---- log storage ---------------------------------------------------------------------- */

int pb_log_reserve(struct pb_state *st, int64_t n)
{
    if (n <= st->cap)
        return 0;
    int64_t cap = st->cap ? st->cap : 64;
    while (cap < n)
        cap *= 2;
    struct pb_entry *log = realloc(st->log, (size_t)cap * sizeof *log);
    if (!log)
        return -1;
    st->log = log;
    uint8_t *mine = realloc(st->mine, (size_t)cap);
    if (!mine)
        return -1;
    st->mine = mine;
    st->cap = cap;
    return 0;
}

static void persist_entry(struct sim_node *n, int64_t index, const struct pb_entry *e)
{
    char key[32];
    snprintf(key, sizeof key, "e%lld", (long long)index);
    sim_store_put(n, key, e, sizeof *e);
}

void pb_persist_view(struct sim_node *n, const struct pb_state *st)
{
    sim_store_put_i64(n, "view", st->view);
    sim_store_put_i64(n, "primary", st->primary);
    sim_store_put(n, "members", &st->members, sizeof st->members);
    sim_store_sync(n);
}

int64_t pb_log_append(struct sim_node *n, struct pb_state *st, const struct pb_entry *e, bool mine)
{
    if (pb_log_reserve(st, st->len + 1) < 0)
        return 0;
    st->log[st->len] = *e;
    st->mine[st->len] = mine;
    st->len++;
    persist_entry(n, st->len, e);
    sim_store_put_i64(n, "len", st->len);
    sim_store_sync(n); /* durable before anyone is told */
    return st->len;
}

int64_t pb_last_view(const struct pb_state *st)
{
    return st->len ? st->log[st->len - 1].view : 0;
}

/* The state machine holds log[0, commit) applied; rebuilds it from scratch
 * when a discarded suffix reached below the commit point (only a primary of
 * a split brain commits entries that are later discarded). */
static void rebuild_sm(struct pb_state *st, int64_t commit)
{
    sim_sm_destroy(st->sm);
    st->sm = sim_sm_create();
    st->commit = 0;
    for (int64_t i = 0; i < commit && st->sm; i++) {
        struct sim_result r;
        if (st->log[i].op.f != PB_NOOP)
            sim_sm_apply(st->sm, &st->log[i].op, &r);
        st->commit = i + 1;
    }
}

void pb_apply_upto(struct sim_node *n, struct pb_state *st, int64_t upto, bool reply)
{
    if (upto > st->len)
        upto = st->len;
    if (upto <= st->commit || !st->sm)
        return;
    while (st->commit < upto) {
        int64_t i = st->commit++;
        const struct pb_entry *e = &st->log[i];
        if (e->op.f == PB_NOOP)
            continue;
        struct sim_result r;
        if (sim_sm_apply(st->sm, &e->op, &r) != SIM_OK)
            r = (struct sim_result){.outcome = SIM_OUT_INFO};
        if (reply && st->mine[i])
            sim_reply(n, &e->op, &r);
        st->mine[i] = 0;
    }
    /* A hint for replay after a restart: no sync of its own (an older value
     * only means replaying less before the primary says more). */
    sim_store_put_i64(n, "commit", st->commit);
}

void pb_log_load(struct sim_node *n, struct pb_state *st)
{
    st->view = sim_store_get_i64(n, "view", 1);
    st->primary = (int)sim_store_get_i64(n, "primary", 0);
    size_t got = 0;
    const void *m = sim_store_get(n, "members", &got);
    if (m && got == sizeof st->members)
        memcpy(&st->members, m, sizeof st->members);
    else /* first boot: every node but the primary is a backup */
        st->members = (st->nodes >= 64 ? ~(pb_mask)0 : (((pb_mask)1 << st->nodes) - 1)) &
                      ~((pb_mask)1 << st->primary);
    int64_t len = sim_store_get_i64(n, "len", 0);
    if (len > 0 && pb_log_reserve(st, len) == 0) {
        for (int64_t i = 0; i < len; i++) {
            char key[32];
            snprintf(key, sizeof key, "e%lld", (long long)(i + 1));
            const void *e = sim_store_get(n, key, &got);
            if (!e || got != sizeof(struct pb_entry)) {
                len = i; /* the tail was never synced: keep what survived */
                break;
            }
            memcpy(&st->log[i], e, sizeof(struct pb_entry));
            st->mine[i] = 0;
        }
        st->len = len;
    }
    /* Redo: replay what is known committed into the state machine. */
    int64_t commit = sim_store_get_i64(n, "commit", 0);
    if (commit > st->len)
        commit = st->len;
    pb_apply_upto(n, st, commit, false);
    if (st->commit) {
        sim_note(n, "replayed %lld entries of the redo log (log %lld)", (long long)st->commit,
                 (long long)st->len);
        sim_metric_add(n, "redo_replayed", st->commit);
    }
}

/* ---- the primary ships entries ------------------------------------------------------- */

void pb_send_replicate(struct sim_node *n, struct pb_state *st, int to)
{
    const struct pb_config *c = st->cfg;
    if (st->next[to] < 1)
        st->next[to] = 1;
    if (st->next[to] > st->len + 1)
        st->next[to] = st->len + 1;
    int64_t prev = st->next[to] - 1;
    int64_t count = st->len - prev;
    if (count > c->batch)
        count = c->batch;
    struct pb_replicate_hdr h = {st->view, prev, prev ? st->log[prev - 1].view : 0, st->commit,
                                 count};
    size_t len = sizeof h + (size_t)count * sizeof(struct pb_entry);
    unsigned char stackbuf[sizeof h + 4 * sizeof(struct pb_entry)];
    unsigned char *buf = len <= sizeof stackbuf ? stackbuf : malloc(len);
    if (!buf)
        return;
    memcpy(buf, &h, sizeof h);
    if (count)
        memcpy(buf + sizeof h, &st->log[prev], (size_t)count * sizeof(struct pb_entry));
    sim_send(n, to, PB_MSG_REPLICATE, buf, len);
    if (buf != stackbuf)
        free(buf);
}

int pb_need(const struct pb_config *c, pb_mask m)
{
    int size = pb_popcount(m);
    if (c->replication == PB_ASYNC)
        return 0;
    if (c->replication == PB_SYNC)
        return size;
    return c->acks < size ? (int)c->acks : size;
}

/* Highest index held by at least `need` of the nodes in `m`. */
static int64_t replicated_upto(const struct pb_state *st, pb_mask m, int need)
{
    if (need <= 0)
        return st->len;
    int64_t best[PB_MAX_NODES];
    int k = 0;
    for (int b = 0; b < st->nodes; b++)
        if (m & ((pb_mask)1 << b))
            best[k++] = st->match[b];
    /* the need-th largest match */
    for (int i = 0; i < need && i < k; i++)
        for (int j = i + 1; j < k; j++)
            if (best[j] > best[i]) {
                int64_t t = best[i];
                best[i] = best[j];
                best[j] = t;
            }
    return need <= k ? best[need - 1] : 0;
}

void pb_try_commit(struct sim_node *n, struct pb_state *st)
{
    if (!st->acting)
        return;
    const struct pb_config *c = st->cfg;
    int64_t upto = replicated_upto(st, st->members, pb_need(c, st->members));
    /* A change of the backup list waiting at the monitor: an entry must be
     * safe under both lists (joint consensus, Raft §6). */
    if (st->want != st->members) {
        int64_t w = replicated_upto(st, st->want, pb_need(c, st->want));
        if (w < upto)
            upto = w;
    }
    if (upto > st->len)
        upto = st->len;
    /* Raft §5.4.2: count replicas only for an entry this primary appended
     * (its no-op or later); earlier entries commit with it. */
    if (upto < st->noop_index)
        return;
    if (upto <= st->commit)
        return;
    pb_apply_upto(n, st, upto, true);
    if (!st->ready && st->commit >= st->noop_index) {
        st->ready = true;
        sim_note(n, "view %lld open: %lld entries committed", (long long)st->view,
                 (long long)st->commit);
        pb_serve_waiting_reads(n, st);
    }
}

void pb_on_ack(struct sim_node *n, struct pb_state *st, int from, const void *body, size_t len,
               bool nack)
{
    struct pb_index_msg a;
    if (len != sizeof a || !st->acting)
        return;
    memcpy(&a, body, sizeof a);
    /* Views of this primary's tenure differ only in the backup list: an
     * answer from any of them is about this primary's log. */
    if (a.view < st->start_view || a.view > st->view)
        return;
    if (nack) {
        /* Back up to the backup's hint, one step at least (Raft §5.3). */
        int64_t next = a.index + 1 < st->next[from] ? a.index + 1 : st->next[from] - 1;
        st->next[from] = next < st->match[from] + 1 ? st->match[from] + 1 : next;
        pb_send_replicate(n, st, from);
        return;
    }
    if (a.index > st->len)
        return;
    if (a.index > st->match[from]) {
        st->match[from] = a.index;
        /* Progress: the replica timeout counts from here. */
        st->behind_since[from] = st->match[from] >= st->len ? 0 : st->ticks;
    }
    if (st->next[from] < st->match[from] + 1)
        st->next[from] = st->match[from] + 1;
    pb_try_commit(n, st);
    /* Sync and semi-sync stream the rest at once; async waits for the next
     * heartbeat, which is what makes it lag. */
    if (st->acting && st->cfg->replication != PB_ASYNC && st->match[from] < st->len &&
        st->next[from] <= st->len)
        pb_send_replicate(n, st, from);
}

/* ---- a backup receives entries -------------------------------------------------------- */

/* First index of the run of entries with the same view as entry `i`. */
static int64_t run_start(const struct pb_state *st, int64_t i)
{
    int64_t v = st->log[i - 1].view;
    while (i > 1 && st->log[i - 2].view == v)
        i--;
    return i;
}

void pb_on_replicate(struct sim_node *n, struct pb_state *st, int from, const void *body,
                     size_t len)
{
    struct pb_replicate_hdr h;
    if (len < sizeof h)
        return;
    memcpy(&h, body, sizeof h);
    if (h.count < 0 || h.prev_index < 0 ||
        len != sizeof h + (size_t)h.count * sizeof(struct pb_entry))
        return;
    if (h.view < st->view) { /* a stale primary: tell it the news */
        struct pb_view_msg v = {st->view, st->primary, 0, st->members};
        sim_send(n, from, PB_MSG_VIEW, &v, sizeof v);
        return;
    }
    if (h.view > st->view || st->primary < 0)
        pb_adopt_view(n, st, h.view, from, st->members);
    if (st->primary != from)
        return; /* one primary per view: cannot happen */
    if (st->is_monitor)
        pb_monitor_heard_primary(st, from);
    struct pb_index_msg reply = {st->view, 0};
    /* Consistency check on the entry before the ones carried. */
    if (h.prev_index > st->len ||
        (h.prev_index > 0 && st->log[h.prev_index - 1].view != h.prev_view)) {
        reply.index = h.prev_index > st->len ? st->len : run_start(st, h.prev_index) - 1;
        sim_send(n, from, PB_MSG_NACK, &reply, sizeof reply);
        return;
    }
    const unsigned char *src = (const unsigned char *)body + sizeof h;
    int64_t appended = 0;
    for (int64_t k = 0; k < h.count; k++) {
        struct pb_entry e;
        memcpy(&e, src + (size_t)k * sizeof e, sizeof e);
        int64_t index = h.prev_index + 1 + k;
        if (index <= st->len) {
            if (st->log[index - 1].view == e.view)
                continue; /* already have it (a duplicate or a reordered message) */
            /* Conflict: everything from here on is dirty. */
            int64_t dropped = st->len - index + 1;
            sim_note(n, "discarding %lld dirty entr%s from index %lld (view %lld): the primary's log differs",
                     (long long)dropped, dropped == 1 ? "y" : "ies", (long long)index,
                     (long long)st->log[index - 1].view);
            sim_metric_add(n, "dirty_discarded", dropped);
            st->len = index - 1;
            if (st->commit > st->len)
                rebuild_sm(st, st->len);
        }
        if (pb_log_reserve(st, index) < 0)
            return;
        st->log[index - 1] = e;
        st->mine[index - 1] = 0;
        st->len = index;
        char key[32];
        snprintf(key, sizeof key, "e%lld", (long long)index);
        sim_store_put(n, key, &e, sizeof e);
        appended++;
    }
    if (appended) {
        sim_store_put_i64(n, "len", st->len);
        sim_store_sync(n); /* durable before we acknowledge */
    }
    reply.index = h.prev_index + h.count;
    int64_t commit = h.commit < reply.index ? h.commit : reply.index;
    pb_apply_upto(n, st, commit, false);
    sim_send(n, from, PB_MSG_ACK, &reply, sizeof reply);
}
