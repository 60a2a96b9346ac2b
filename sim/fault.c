/* fault.c - fault injection: the scenario's timed schedule, targets resolved
 * by node or role, automatic reverts ("for"), flapping links, interactive
 * injection (recorded for replay) and the seeded random nemesis. Every fault
 * applied becomes a trace line and a timeline entry. */
#include <stdlib.h>
#include <string.h>

#include "sim/internal.h"
#include "sim/trigger.h"

/* ---- bookkeeping ------------------------------------------------------------------------ */

static int applied_new(struct sim *s, enum fault_kind kind, bool from_nemesis)
{
    if (s->napplied == s->capapplied) {
        int cap = s->capapplied ? s->capapplied * 2 : 16;
        struct applied *a = realloc(s->applied, (size_t)cap * sizeof *a);
        if (!a) {
            sim_fatal(s, SIM_ENOMEM);
            return -1;
        }
        s->applied = a;
        s->capapplied = cap;
    }
    struct applied *a = &s->applied[s->napplied];
    memset(a, 0, sizeof *a);
    a->kind = kind;
    a->node = -1;
    a->block_id = -1;
    a->from_nemesis = from_nemesis;
    return s->napplied++;
}

/* A fault (or its revert) happened now: leader_within counts from here. */
static void fault_event(struct sim *s)
{
    s->stats.faults_applied++;
    s->stats.last_fault_at = s->now;
    s->stats.leader_after_fault = s->leaders > 0 ? s->now : -1;
}

/* A fault was applied now: {"after": "fault"} waits for a new leader. */
static void fault_happened(struct sim *s)
{
    fault_event(s);
    s->stats.last_apply_at = s->now;
    s->stats.new_leader_after_apply = -1;
}

/* A fault was undone now (revert, recovery, heal): {"after": "heal"}
 * counts a leader in place as at once. */
static void heal_happened(struct sim *s)
{
    fault_event(s);
    s->stats.last_heal_at = s->now;
    s->stats.leader_after_heal = s->leaders > 0 ? s->now : -1;
}

/* A fault's line in the run's timeline: the same words the viewer gives its
 * trace line (viz/frame.c), marked as the trace marks it ("by":"nemesis"). */
static void timeline_fault(struct sim *s, bool nemesis, const char *text)
{
    sim_timeline_add(s, TL_FAULT, "%s%s", text, nemesis ? " (nemesis)" : "");
}

/* Appends "{n1 n2 n3}" at buf + used (at most 8 names, then " ...", as the
 * viewer shows them); returns the new length. */
static size_t names_text(struct sim *s, char *buf, size_t cap, size_t used, const int *nodes,
                         int count)
{
    used += (size_t)snprintf(buf + used, cap - used, "{");
    for (int k = 0; k < count && used < cap; k++) {
        if (k == 8) {
            used += (size_t)snprintf(buf + used, cap - used, " ...");
            break;
        }
        used += (size_t)snprintf(buf + used, cap - used, "%s%s", k ? " " : "", s->names[nodes[k]]);
    }
    if (used < cap)
        used += (size_t)snprintf(buf + used, cap - used, "}");
    return used < cap ? used : cap - 1;
}

/* The nodes of a mask, in id order; returns how many. */
static int mask_nodes(struct sim *s, const uint8_t *mask, int *out)
{
    int count = 0;
    for (int i = 0; i < s->n; i++)
        if (mask[i])
            out[count++] = i;
    return count;
}

static void schedule_revert(struct sim *s, int idx, sim_time after)
{
    if (idx >= 0 && after > 0 && !queue_push(&s->q, s->now + after, EV_FAULT_REVERT, -1, (uint64_t)idx))
        sim_fatal(s, SIM_ENOMEM);
}

static void skipped(struct sim *s, const struct fault *f, const char *why)
{
    s->stats.faults_skipped++;
    sim_timeline_add(s, TL_SKIPPED, "%s skipped: %s", scenario_fault_name(f->kind), why);
    struct jbuf *b = trace_begin(s, "fault_skipped");
    if (b) {
        jbuf_kstr(b, "fault", scenario_fault_name(f->kind));
        jbuf_kstr(b, "reason", why);
        trace_commit(s);
    }
}

static bool matches_role(const struct node *nd, const char *role)
{
    if (!nd->up || !nd->role)
        return false;
    if (strcmp(role, "leader") == 0 || strcmp(role, "primary") == 0)
        return nd->leader;
    return strcmp(nd->role, role) == 0;
}

/* The node a target names now: the node itself, or for a role the up node
 * holding it (the newest holder when several do: the likely real leader). */
static int resolve(struct sim *s, const struct fault_target *t)
{
    if (t->node >= 0)
        return t->node;
    int best = -1;
    for (int i = 0; i < s->n; i++)
        if (matches_role(&s->nodes[i], t->role) &&
            (best < 0 || s->nodes[i].role_since > s->nodes[best].role_since))
            best = i;
    return best;
}

static void trace_node_list(struct sim *s, struct jbuf *b, const int *nodes, int count)
{
    jbuf_open(b, '[');
    for (int i = 0; i < count; i++)
        jbuf_str(b, s->names[nodes[i]]);
    jbuf_close(b, ']');
}

static void trace_mask(struct sim *s, struct jbuf *b, const uint8_t *mask)
{
    jbuf_open(b, '[');
    for (int i = 0; i < s->n; i++)
        if (mask[i])
            jbuf_str(b, s->names[i]);
    jbuf_close(b, ']');
}

static uint8_t *mask_of(struct sim *s, const struct node_set *set)
{
    uint8_t *m = calloc((size_t)s->n, 1);
    if (!m)
        return NULL;
    if (set->all)
        memset(m, 1, (size_t)s->n);
    for (int i = 0; i < set->count; i++)
        m[set->nodes[i]] = 1;
    return m;
}

/* ---- applying each kind -------------------------------------------------------------- */

static void do_crash(struct sim *s, const struct fault *f, bool nemesis)
{
    int id = resolve(s, &f->target);
    if (id < 0) {
        skipped(s, f, "no up node has that role");
        return;
    }
    if (!s->nodes[id].up) {
        skipped(s, f, "the node is already down");
        return;
    }
    bool lose = f->lose_unsynced || s->sc->lose_unsynced;
    int idx = applied_new(s, FAULT_CRASH, nemesis);
    if (idx < 0)
        return;
    s->applied[idx].node = id;
    size_t pending = store_pending(s->nodes[id].store);
    struct jbuf *b = trace_begin(s, "crash");
    if (b) {
        jbuf_kstr(b, "node", s->names[id]);
        if (lose) {
            jbuf_key(b, "lost_writes");
            jbuf_uint(b, pending);
        }
        if (f->target.node < 0)
            jbuf_kstr(b, "target", f->target.role);
        if (nemesis)
            jbuf_kstr(b, "by", "nemesis");
        trace_commit(s);
    }
    s->stats.crashes++;
    if (nemesis)
        s->nemesis_down++;
    char text[160], role[48] = "", extra[64] = "";
    if (f->target.node < 0)
        snprintf(role, sizeof role, " (the %s)", f->target.role);
    if (lose && pending)
        snprintf(extra, sizeof extra, ", losing %zu unsynced write%s", pending, pending == 1 ? "" : "s");
    snprintf(text, sizeof text, "crash %s%s%s", s->names[id], role, extra);
    timeline_fault(s, nemesis, text);
    sim_node_halt(s, id, lose);
    fault_happened(s);
    schedule_revert(s, idx, f->duration);
}

static void recover_node(struct sim *s, int id, bool nemesis)
{
    struct jbuf *b = trace_begin(s, "recover");
    if (b) {
        jbuf_kstr(b, "node", s->names[id]);
        if (nemesis)
            jbuf_kstr(b, "by", "nemesis");
        trace_commit(s);
    }
    s->stats.recoveries++;
    char text[64];
    snprintf(text, sizeof text, "recover %s", s->names[id]);
    timeline_fault(s, nemesis, text);
    sim_node_boot(s, id, true);
    sim_after_node_event(s, id);
    heal_happened(s);
}

static void do_recover(struct sim *s, const struct fault *f)
{
    int id = f->target.node;
    if (s->nodes[id].up) {
        skipped(s, f, "the node is already up");
        return;
    }
    recover_node(s, id, false);
}

static void do_partition(struct sim *s, const struct fault *f, bool nemesis)
{
    int *group = malloc((size_t)s->n * sizeof *group);
    if (!group) {
        sim_fatal(s, SIM_ENOMEM);
        return;
    }
    int rest = f->group_count; /* unlisted nodes form one more group */
    for (int i = 0; i < s->n; i++)
        group[i] = rest;
    bool any_rest = false;
    for (int g = 0; g < f->group_count; g++)
        for (int k = 0; k < f->group_sizes[g]; k++)
            group[f->groups[g][k]] = g;
    if (f->bridge >= 0)
        group[f->bridge] = -1;
    for (int i = 0; i < s->n; i++)
        if (group[i] == rest)
            any_rest = true;
    struct jbuf *b = trace_begin(s, "partition");
    int id = net_add_groups(s, group, false, 0);
    if (id < 0) {
        sim_fatal(s, id);
        return;
    }
    if (b) {
        jbuf_kint(b, "id", id);
        jbuf_key(b, "groups");
        jbuf_open(b, '[');
        for (int g = 0; g < f->group_count; g++)
            trace_node_list(s, b, f->groups[g], f->group_sizes[g]);
        if (any_rest) {
            jbuf_open(b, '[');
            for (int i = 0; i < s->n; i++)
                if (group[i] == rest)
                    jbuf_str(b, s->names[i]);
            jbuf_close(b, ']');
        }
        jbuf_close(b, ']');
        if (f->bridge >= 0)
            jbuf_kstr(b, "bridge", s->names[f->bridge]);
        if (nemesis)
            jbuf_kstr(b, "by", "nemesis");
        trace_commit(s);
    }
    /* Timeline: "partition {n1} | {n2 n3}", the groups as the trace lists them */
    char what[sizeof s->applied->what];
    size_t used = (size_t)snprintf(what, sizeof what, "partition ");
    for (int g = 0; g < f->group_count; g++) {
        if (g)
            used += (size_t)snprintf(what + used, sizeof what - used, " | ");
        used = names_text(s, what, sizeof what, used < sizeof what ? used : sizeof what - 1,
                          f->groups[g], f->group_sizes[g]);
    }
    if (any_rest) {
        int *rest_nodes = malloc((size_t)s->n * sizeof *rest_nodes);
        int count = 0;
        for (int i = 0; rest_nodes && i < s->n; i++)
            if (group[i] == rest)
                rest_nodes[count++] = i;
        used += (size_t)snprintf(what + used, sizeof what - used, " | ");
        used = names_text(s, what, sizeof what, used < sizeof what ? used : sizeof what - 1,
                          rest_nodes, count);
        free(rest_nodes);
    }
    if (f->bridge >= 0 && used < sizeof what)
        snprintf(what + used, sizeof what - used, ", bridge %s", s->names[f->bridge]);
    timeline_fault(s, nemesis, what);
    int idx = applied_new(s, FAULT_PARTITION, nemesis);
    if (idx < 0)
        return;
    s->applied[idx].block_id = id;
    snprintf(s->applied[idx].what, sizeof s->applied[idx].what, "%s", what);
    if (nemesis)
        s->nemesis_block = id;
    fault_happened(s);
    schedule_revert(s, idx, f->duration);
}

static void do_isolate(struct sim *s, const struct fault *f, bool nemesis)
{
    int node = resolve(s, &f->target);
    if (node < 0) {
        skipped(s, f, "no up node has that role");
        return;
    }
    int *group = calloc((size_t)s->n, sizeof *group);
    if (!group) {
        sim_fatal(s, SIM_ENOMEM);
        return;
    }
    group[node] = 1;
    int id = net_add_groups(s, group, false, 0);
    if (id < 0) {
        sim_fatal(s, id);
        return;
    }
    struct jbuf *b = trace_begin(s, "isolate");
    if (b) {
        jbuf_kint(b, "id", id);
        jbuf_kstr(b, "node", s->names[node]);
        if (f->target.node < 0)
            jbuf_kstr(b, "target", f->target.role);
        if (nemesis)
            jbuf_kstr(b, "by", "nemesis");
        trace_commit(s);
    }
    char text[96];
    snprintf(text, sizeof text, "isolate %s%s%s%s", s->names[node],
             f->target.node < 0 ? " (the " : "", f->target.node < 0 ? f->target.role : "",
             f->target.node < 0 ? ")" : "");
    timeline_fault(s, nemesis, text);
    int idx = applied_new(s, FAULT_ISOLATE, nemesis);
    if (idx < 0)
        return;
    s->applied[idx].block_id = id;
    snprintf(s->applied[idx].what, sizeof s->applied[idx].what, "%s", s->names[node]);
    s->applied[idx].node = node;
    if (nemesis)
        s->nemesis_block = id;
    fault_happened(s);
    schedule_revert(s, idx, f->duration);
}

static void do_cut(struct sim *s, const struct fault *f, bool nemesis, bool flap)
{
    uint8_t *from = mask_of(s, &f->from);
    uint8_t *to = flap ? calloc((size_t)s->n, 1) : mask_of(s, &f->to);
    if (!from || !to) {
        free(from);
        free(to);
        sim_fatal(s, SIM_ENOMEM);
        return;
    }
    if (flap) { /* a flapping link: both directions between the two ends */
        int a = f->from.nodes[0], c = f->from.nodes[1];
        memset(from, 0, (size_t)s->n);
        from[a] = 1;
        to[c] = 1;
    }
    bool both = flap || f->both;
    int id = net_add_cut(s, from, to, both, flap, f->period);
    if (id < 0) {
        sim_fatal(s, id);
        return;
    }
    struct block *blk = net_find(s, id);
    struct jbuf *b = trace_begin(s, flap ? "flap" : "cut");
    if (b) {
        jbuf_kint(b, "id", id);
        jbuf_key(b, "from");
        trace_mask(s, b, blk->from);
        jbuf_key(b, "to");
        trace_mask(s, b, blk->to);
        if (both)
            jbuf_kstr(b, "direction", "both");
        if (flap) {
            jbuf_kint(b, "period", f->period);
            jbuf_key(b, "up");
            jbuf_bool(b, false);
        }
        if (nemesis)
            jbuf_kstr(b, "by", "nemesis");
        trace_commit(s);
    }
    /* Timeline: "cut link n1 -> n2", "cut {n1} -> {n2 n3}", "link n1 <-> n2
     * flaps every 100ms"; `what` is what its heal restores */
    char what[sizeof s->applied->what], text[160];
    int *fn = malloc((size_t)s->n * sizeof *fn), *tn = malloc((size_t)s->n * sizeof *tn);
    if (!fn || !tn) {
        free(fn);
        free(tn);
        sim_fatal(s, SIM_ENOMEM);
        return;
    }
    int nf = mask_nodes(s, blk->from, fn), nt = mask_nodes(s, blk->to, tn);
    const char *arrow = both ? "<->" : "->";
    if (nf == 1 && nt == 1)
        snprintf(what, sizeof what, "link %s %s %s", s->names[fn[0]], arrow, s->names[tn[0]]);
    else {
        size_t used = (size_t)snprintf(what, sizeof what, "cut ");
        used = names_text(s, what, sizeof what, used, fn, nf);
        used += (size_t)snprintf(what + used, sizeof what - used, " %s ", arrow);
        names_text(s, what, sizeof what, used < sizeof what ? used : sizeof what - 1, tn, nt);
    }
    free(fn);
    free(tn);
    if (flap) {
        char period[32];
        scenario_format_duration(f->period, period, sizeof period);
        snprintf(text, sizeof text, "%s flaps every %s", what, period);
    } else
        snprintf(text, sizeof text, "%s%s", nf == 1 && nt == 1 ? "cut " : "", what);
    timeline_fault(s, nemesis, text);
    int idx = applied_new(s, flap ? FAULT_FLAP : FAULT_CUT, nemesis);
    if (idx < 0)
        return;
    s->applied[idx].block_id = id;
    snprintf(s->applied[idx].what, sizeof s->applied[idx].what, "%s", what);
    if (nemesis)
        s->nemesis_block = id;
    if (flap && !queue_push(&s->q, s->now + f->period, EV_FLAP, -1, (uint64_t)id))
        sim_fatal(s, SIM_ENOMEM);
    fault_happened(s);
    schedule_revert(s, idx, f->duration);
}

/* Ends the network fault a applied, in the words the viewer finds for the
 * heal by looking up the fault's own trace line. */
static void heal_block(struct sim *s, const struct applied *a)
{
    int id = a->block_id;
    if (!net_find(s, id))
        return; /* already healed */
    net_remove(s, id);
    if (s->nemesis_block == id)
        s->nemesis_block = -1;
    struct jbuf *b = trace_begin(s, "heal");
    if (b) {
        jbuf_kint(b, "id", id);
        trace_commit(s);
    }
    switch (a->kind) {
    case FAULT_ISOLATE:
        sim_timeline_add(s, TL_FAULT, "heal: %s no longer isolated", a->what);
        break;
    case FAULT_FLAP:
        sim_timeline_add(s, TL_FAULT, "heal: %s stops flapping", a->what);
        break;
    default: /* a partition, a cut of a set, or one link */
        sim_timeline_add(s, TL_FAULT, "heal: %s %s", a->what,
                         strncmp(a->what, "link ", 5) == 0 ? "restored" : "ends");
        break;
    }
    heal_happened(s);
}

static void do_heal(struct sim *s)
{
    net_remove(s, -1);
    s->nemesis_block = -1;
    struct jbuf *b = trace_begin(s, "heal");
    if (b) {
        jbuf_kstr(b, "id", "all");
        trace_commit(s);
    }
    sim_timeline_add(s, TL_FAULT, "heal: every link restored");
    heal_happened(s);
}

/* The trace line and timeline entry of a clock that now runs as it does
 * after jumping by `jump` (0: none). */
static void trace_clock(struct sim *s, int id, sim_time jump, bool nemesis)
{
    const struct node *nd = &s->nodes[id];
    sim_time offset = node_local_time(nd, s->now) - s->now;
    struct jbuf *b = trace_begin(s, "clock");
    if (b) {
        jbuf_kstr(b, "node", s->names[id]);
        jbuf_kint(b, "drift_ppm", nd->clock.ppm);
        jbuf_kint(b, "offset", offset);
        if (jump)
            jbuf_kint(b, "jump", jump);
        if (nemesis)
            jbuf_kstr(b, "by", "nemesis");
        trace_commit(s);
    }
    char text[128];
    scenario_describe_clock(s->names[id], nd->clock.ppm, jump, offset, text, sizeof text);
    timeline_fault(s, nemesis, text);
}

static void do_clock(struct sim *s, const struct fault *f, bool nemesis)
{
    int id = resolve(s, &f->target);
    if (id < 0) {
        skipped(s, f, "no up node has that role");
        return;
    }
    int idx = applied_new(s, FAULT_CLOCK, nemesis);
    if (idx < 0)
        return;
    struct node *nd = &s->nodes[id];
    int64_t ppm = f->has_drift ? f->drift_ppm : nd->clock.ppm;
    s->applied[idx].node = id;
    s->applied[idx].ppm = ppm;
    s->applied[idx].skew = f->has_skew ? f->skew : 0; /* undone at revert */
    node_set_clock(s, id, ppm, f->has_skew ? f->skew : 0);
    trace_clock(s, id, f->has_skew ? f->skew : 0, nemesis);
    fault_happened(s);
    schedule_revert(s, idx, f->duration);
}

static void do_slow(struct sim *s, const struct fault *f, bool nemesis)
{
    int id = resolve(s, &f->target);
    if (id < 0) {
        skipped(s, f, "no up node has that role");
        return;
    }
    int idx = applied_new(s, FAULT_SLOW, nemesis);
    if (idx < 0)
        return;
    s->applied[idx].node = id;
    s->applied[idx].delay = f->delay;
    s->nodes[id].slow_delay = f->delay;
    struct jbuf *b = trace_begin(s, "slow");
    if (b) {
        jbuf_kstr(b, "node", s->names[id]);
        jbuf_kint(b, "delay", f->delay);
        if (nemesis)
            jbuf_kstr(b, "by", "nemesis");
        trace_commit(s);
    }
    char text[96];
    scenario_describe_slow(s->names[id], f->delay, text, sizeof text);
    timeline_fault(s, nemesis, text);
    fault_happened(s);
    schedule_revert(s, idx, f->duration);
}

/* The trace line and timeline entry of a network-wide loss or duplication
 * rate that is now p. */
static void trace_probability(struct sim *s, bool loss, double p, bool nemesis)
{
    struct jbuf *b = trace_begin(s, loss ? "loss" : "duplication");
    if (b) {
        jbuf_key(b, "probability");
        jbuf_double(b, p);
        if (nemesis)
            jbuf_kstr(b, "by", "nemesis");
        trace_commit(s);
    }
    char text[96];
    scenario_describe_rate(loss, p, text, sizeof text);
    timeline_fault(s, nemesis, text);
}

static void do_probability(struct sim *s, const struct fault *f, bool nemesis)
{
    bool loss = f->kind == FAULT_DROP;
    double *slot = loss ? &s->net.drop_override : &s->net.duplicate_override;
    int idx = applied_new(s, f->kind, nemesis);
    if (idx < 0)
        return;
    s->applied[idx].probability = f->probability;
    *slot = f->probability;
    trace_probability(s, loss, f->probability, nemesis);
    fault_happened(s);
    schedule_revert(s, idx, f->duration);
}

static void do_drop_message(struct sim *s, const struct fault *f)
{
    for (int32_t i = 0; i < s->nmsgs; i++) {
        struct msg *m = &s->msgs[i];
        if (m->live && m->id == f->msg_id && m->kind == MSG_PROTOCOL) {
            m->lost = 2;
            struct jbuf *b = trace_begin(s, "drop_message");
            if (b) {
                jbuf_key(b, "id");
                jbuf_uint(b, m->id);
                trace_commit(s);
            }
            const char *tn = s->proto->message_name ? s->proto->message_name(m->type) : NULL;
            char type[24];
            if (!tn) {
                snprintf(type, sizeof type, "%d", (int)m->type);
                tn = type;
            }
            sim_timeline_add(s, TL_FAULT, "message %llu (%s %s -> %s) dropped by hand",
                             (unsigned long long)m->id, tn, s->names[m->from], s->names[m->to]);
            fault_happened(s);
            return;
        }
    }
    skipped(s, f, "no such message in flight");
}

void fault_skip(struct sim *s, const struct fault *f, const char *why)
{
    skipped(s, f, why);
}

void fault_fire(struct sim *s, const struct fault *f, bool nemesis)
{
    uint64_t skipped_before = s->stats.faults_skipped;
    int applied_before = s->napplied;
    switch (f->kind) {
    case FAULT_CRASH: do_crash(s, f, nemesis); break;
    case FAULT_RECOVER: do_recover(s, f); break;
    case FAULT_PARTITION: do_partition(s, f, nemesis); break;
    case FAULT_ISOLATE: do_isolate(s, f, nemesis); break;
    case FAULT_CUT: do_cut(s, f, nemesis, false); break;
    case FAULT_FLAP: do_cut(s, f, nemesis, true); break;
    case FAULT_HEAL: do_heal(s); break;
    case FAULT_CLOCK: do_clock(s, f, nemesis); break;
    case FAULT_SLOW: do_slow(s, f, nemesis); break;
    case FAULT_DROP:
    case FAULT_DUPLICATE: do_probability(s, f, nemesis); break;
    case FAULT_DROP_MESSAGE: do_drop_message(s, f); break;
    default: break;
    }
    if (s->trig_want[TRIG_FAULT] && s->stats.faults_skipped == skipped_before) {
        /* It applied: the node it hit, for "$node" in what waits for it. */
        int node = -1;
        if (f->kind == FAULT_RECOVER)
            node = f->target.node;
        else if (s->napplied > applied_before && (f->kind == FAULT_CRASH || f->kind == FAULT_ISOLATE ||
                                                  f->kind == FAULT_CLOCK || f->kind == FAULT_SLOW))
            node = s->applied[applied_before].node;
        trigger_fault(s, f->kind, s->fault_source, node);
    }
}

/* The most recent fault of `kind` on `node` (-1: network-wide) still in force. */
static const struct applied *latest_active(const struct sim *s, enum fault_kind kind, int node)
{
    for (int i = s->napplied - 1; i >= 0; i--) {
        const struct applied *a = &s->applied[i];
        if (a->kind == kind && !a->reverted && a->node == node)
            return a;
    }
    return NULL;
}

void fault_revert(struct sim *s, int idx)
{
    struct applied *a = &s->applied[idx];
    if (a->reverted)
        return;
    a->reverted = true;
    switch (a->kind) {
    case FAULT_CRASH:
        if (a->from_nemesis)
            s->nemesis_down--;
        if (!s->nodes[a->node].up) {
            recover_node(s, a->node, a->from_nemesis);
            /* the end of a crash's "for" is a recovery to what waits for one */
            if (s->trig_want[TRIG_FAULT])
                trigger_fault(s, FAULT_RECOVER, -1, a->node);
        }
        break;
    case FAULT_PARTITION:
    case FAULT_ISOLATE:
    case FAULT_CUT:
    case FAULT_FLAP:
        heal_block(s, a);
        if (s->trig_want[TRIG_FAULT]) /* and the end of a cut's "for" a heal */
            trigger_fault(s, FAULT_HEAL, -1, -1);
        break;
    case FAULT_CLOCK: {
        /* Faults of one kind may overlap: what stays in force is the most
         * recent one still active, else the normal value. A jump is undone
         * by jumping back. */
        const struct applied *still = latest_active(s, FAULT_CLOCK, a->node);
        node_set_clock(s, a->node, still ? still->ppm : 0, -a->skew);
        trace_clock(s, a->node, -a->skew, a->from_nemesis);
        heal_happened(s);
        break;
    }
    case FAULT_SLOW: {
        const struct applied *still = latest_active(s, FAULT_SLOW, a->node);
        sim_time delay = still ? still->delay : 0;
        s->nodes[a->node].slow_delay = delay;
        struct jbuf *b = trace_begin(s, "slow");
        if (b) {
            jbuf_kstr(b, "node", s->names[a->node]);
            jbuf_kint(b, "delay", delay);
            trace_commit(s);
        }
        char text[96];
        scenario_describe_slow(s->names[a->node], delay, text, sizeof text);
        timeline_fault(s, false, text);
        heal_happened(s);
        break;
    }
    case FAULT_DROP:
    case FAULT_DUPLICATE: {
        bool loss = a->kind == FAULT_DROP;
        const struct applied *still = latest_active(s, a->kind, -1);
        double *slot = loss ? &s->net.drop_override : &s->net.duplicate_override;
        *slot = still ? still->probability : -1.0;
        trace_probability(s, loss, *slot < 0 ? 0 : *slot, false);
        heal_happened(s);
        break;
    }
    default:
        break;
    }
}

void fault_flap(struct sim *s, int block_id)
{
    struct block *b = net_find(s, block_id);
    if (!b || !b->flapping)
        return; /* healed: the flapping stops */
    b->active = !b->active;
    struct jbuf *tb = trace_begin(s, "flap");
    if (tb) {
        jbuf_kint(tb, "id", block_id);
        jbuf_key(tb, "up");
        jbuf_bool(tb, !b->active);
        trace_commit(s);
    }
    if (!queue_push(&s->q, s->now + b->period, EV_FLAP, -1, (uint64_t)block_id))
        sim_fatal(s, SIM_ENOMEM);
}

/* ---- nemesis ------------------------------------------------------------------------------ */

static void shuffle(struct rng *r, int *a, int n)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)rng_below(r, (uint64_t)i + 1);
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

void fault_copy_free(struct fault *f)
{
    for (int g = 0; g < f->group_count; g++)
        free(f->groups[g]);
    free(f->groups);
    free(f->group_sizes);
    free(f->from.nodes);
    free(f->to.nodes);
}

static int *copy_ints(const int *src, int n, bool *oom)
{
    if (n <= 0)
        return NULL;
    int *d = malloc((size_t)n * sizeof *d);
    if (!d)
        *oom = true;
    else
        memcpy(d, src, (size_t)n * sizeof *d);
    return d;
}

/* Makes *dst a deep copy of *src. Returns 0, or SIM_ENOMEM; either way
 * *dst owns only what it holds and fault_copy_free releases it. */
static int fault_copy(struct fault *dst, const struct fault *src)
{
    bool oom = false;
    *dst = *src;
    dst->from.nodes = copy_ints(src->from.nodes, src->from.count, &oom);
    dst->to.nodes = copy_ints(src->to.nodes, src->to.count, &oom);
    dst->groups = NULL;
    dst->group_count = 0;
    dst->group_sizes = copy_ints(src->group_sizes, src->group_count, &oom);
    if (src->group_count && (dst->groups = calloc((size_t)src->group_count, sizeof *dst->groups))) {
        dst->group_count = src->group_count;
        for (int g = 0; g < src->group_count; g++)
            dst->groups[g] = copy_ints(src->groups[g], src->group_sizes[g], &oom);
    } else if (src->group_count)
        oom = true;
    return oom ? SIM_ENOMEM : SIM_OK;
}

/* Keeps a deep copy of a fault the nemesis applies, so that a sweep can
 * replay the same schedule as explicit faults (and shrink it). */
static void nemesis_record(struct sim *s, const struct fault *f)
{
    if (s->nnemesis_log == s->capnemesis_log) {
        int cap = s->capnemesis_log ? s->capnemesis_log * 2 : 16;
        struct fault *l = realloc(s->nemesis_log, (size_t)cap * sizeof *l);
        if (!l) {
            sim_fatal(s, SIM_ENOMEM);
            return;
        }
        s->nemesis_log = l;
        s->capnemesis_log = cap;
    }
    if (fault_copy(&s->nemesis_log[s->nnemesis_log++], f))
        sim_fatal(s, SIM_ENOMEM);
}

static sim_time nemesis_next(struct sim *s)
{
    const struct nemesis_cfg *nm = &s->sc->nemesis;
    return s->now + rng_between(&s->rng_nemesis, nm->interval_min, nm->interval_max);
}

void fault_nemesis(struct sim *s)
{
    const struct nemesis_cfg *nm = &s->sc->nemesis;
    struct rng *r = &s->rng_nemesis;
    if (s->now >= nm->until)
        return;
    int up = 0;
    for (int i = 0; i < s->n; i++)
        up += s->nodes[i].up;
    double w[NEM_KIND_COUNT], total = 0;
    for (int k = 0; k < NEM_KIND_COUNT; k++) {
        w[k] = nm->weight[k];
        bool net_kind = k == NEM_PARTITION || k == NEM_ISOLATE || k == NEM_ONEWAY ||
                        k == NEM_BRIDGE || k == NEM_FLAP;
        if (net_kind && (s->nemesis_block >= 0 || s->n < 2))
            w[k] = 0;
        if (k == NEM_BRIDGE && s->n < 3)
            w[k] = 0;
        if (k == NEM_CRASH && (s->nemesis_down >= nm->max_down || up == 0))
            w[k] = 0;
        total += w[k];
    }
    if (total > 0) {
        double x = rng_unit(r) * total;
        int kind = 0;
        while (kind < NEM_KIND_COUNT - 1 && (x >= w[kind] || w[kind] == 0)) {
            x -= w[kind];
            kind++;
        }
        struct fault f;
        memset(&f, 0, sizeof f);
        f.at = s->now;
        f.bridge = -1;
        f.target.node = -1;
        sim_time dur = rng_between(r, nm->duration_min, nm->duration_max);
        if (s->now + dur > nm->until)
            dur = nm->until - s->now;
        f.duration = dur > 0 ? dur : 1;
        int *perm = malloc((size_t)s->n * sizeof *perm);
        int *sizes = malloc(2 * sizeof *sizes);
        if (!perm || !sizes) {
            free(perm);
            free(sizes);
            sim_fatal(s, SIM_ENOMEM);
            return;
        }
        for (int i = 0; i < s->n; i++)
            perm[i] = i;
        shuffle(r, perm, s->n);
        int *groups[2];
        switch ((enum nemesis_kind)kind) {
        case NEM_CRASH:
            f.kind = FAULT_CRASH;
            for (int i = 0; i < s->n; i++)
                if (s->nodes[perm[i]].up) {
                    f.target.node = perm[i];
                    break;
                }
            f.lose_unsynced = nm->lose_unsynced;
            break;
        case NEM_PARTITION:
        case NEM_BRIDGE: {
            f.kind = FAULT_PARTITION;
            int first = 0;
            if (kind == NEM_BRIDGE)
                f.bridge = perm[first++];
            int half = (s->n - first) / 2;
            groups[0] = perm + first;
            groups[1] = perm + first + half;
            sizes[0] = half;
            sizes[1] = s->n - first - half;
            f.groups = groups;
            f.group_sizes = sizes;
            f.group_count = 2;
            break;
        }
        case NEM_ISOLATE:
            f.kind = FAULT_ISOLATE;
            f.target.node = perm[0];
            break;
        case NEM_ONEWAY: {
            f.kind = FAULT_CUT;
            int half = s->n / 2;
            f.from = (struct node_set){false, perm, half};
            f.to = (struct node_set){false, perm + half, s->n - half};
            break;
        }
        case NEM_FLAP:
            f.kind = FAULT_FLAP;
            f.from = (struct node_set){false, perm, 2};
            f.period = nm->flap_period > 0 ? nm->flap_period : 100 * SIM_MS;
            break;
        case NEM_CLOCK:
            f.kind = FAULT_CLOCK;
            f.target.node = perm[0];
            f.has_drift = true;
            f.drift_ppm = rng_between(r, -nm->drift_max_ppm, nm->drift_max_ppm);
            f.has_skew = nm->skew_max > 0;
            f.skew = f.has_skew ? rng_between(r, -nm->skew_max, nm->skew_max) : 0;
            break;
        case NEM_SLOW:
            f.kind = FAULT_SLOW;
            f.target.node = perm[0];
            f.delay = rng_between(r, nm->slow_max / 10, nm->slow_max);
            break;
        case NEM_LOSS:
            f.kind = FAULT_DROP;
            f.probability = rng_unit(r) * nm->loss_max;
            break;
        case NEM_DUPLICATE:
            f.kind = FAULT_DUPLICATE;
            f.probability = rng_unit(r) * nm->duplicate_max;
            break;
        default:
            break;
        }
        if (f.kind != FAULT_CRASH || f.target.node >= 0) {
            nemesis_record(s, &f);
            fault_fire(s, &f, true);
        }
        free(perm);
        free(sizes);
    }
    sim_time next = nemesis_next(s);
    if (next < nm->until && !queue_push(&s->q, next, EV_NEMESIS, -1, 0))
        sim_fatal(s, SIM_ENOMEM);
}

/* ---- schedule and interactive injection ------------------------------------------------- */

int fault_schedule(struct sim *s)
{
    const struct scenario *sc = s->sc;
    for (int i = 0; i < sc->fault_count; i++)
        if (sc->faults[i].on.kind == TRIG_NONE && sc->faults[i].at <= s->end &&
            !queue_push(&s->q, sc->faults[i].at, EV_FAULT, -1, (uint64_t)i))
            return SIM_ENOMEM;
    if (sc->nemesis.enabled && sc->nemesis.start < sc->nemesis.until) {
        sim_time first = sc->nemesis.start +
                         rng_between(&s->rng_nemesis, sc->nemesis.interval_min,
                                     sc->nemesis.interval_max);
        if (first < sc->nemesis.until && !queue_push(&s->q, first, EV_NEMESIS, -1, 0))
            return SIM_ENOMEM;
    }
    return SIM_OK;
}

/* An interactive fault takes effect at the first free microsecond after the
 * current time: free meaning no event is queued at that instant yet. A
 * scenario that lists it at that time then replays the run exactly, since
 * scheduled faults run before anything queued later at the same time. */
int sim_inject(struct sim *s, const struct fault *f, char *err, size_t errcap)
{
    if ((unsigned)f->kind >= FAULT_KIND_COUNT) {
        snprintf(err, errcap, "unknown fault kind");
        return SIM_EINVAL;
    }
    sim_time at = s->now + 1;
    if (f->at > at) /* a later moment was asked for (the viewer's cursor) */
        at = f->at;
    while (queue_has_time(&s->q, at))
        at++;
    if (s->finished || at > s->end) {
        snprintf(err, errcap, "the run is over");
        return SIM_EINVAL;
    }
    if (s->nrecorded == s->caprecorded) {
        int cap = s->caprecorded ? s->caprecorded * 2 : 16;
        struct fault *r = realloc(s->recorded, (size_t)cap * sizeof *r);
        if (!r)
            return SIM_ENOMEM;
        s->recorded = r;
        s->caprecorded = cap;
    }
    struct fault *c = &s->recorded[s->nrecorded++];
    int rc = fault_copy(c, f);
    c->at = at;
    memset(&c->on, 0, sizeof c->on); /* recorded as a timed fault: it fires now */
    c->index = -1;
    if (rc)
        return rc;
    if (!queue_push(&s->q, at, EV_INJECT, -1, (uint64_t)(s->nrecorded - 1)))
        return SIM_ENOMEM;
    return SIM_OK;
}
