/* compare_measure.c - the numbers of one compare run, read from the client
 * history (parsed by the checker's reader, as any history is) and the
 * engine's statistics and timeline: availability and the longest wait for
 * an ok operation, latency percentiles, recovery after each fault, ok
 * completions over time; and the flat form a run takes through a pipe. */
#include <stdlib.h>
#include <string.h>

#include "check/history.h"
#include "check/history_read.h"
#include "cli/compare.h"

sim_time compare_bucket_for(sim_time duration)
{
    static const sim_time nice[] = {10 * SIM_MS, 20 * SIM_MS, 50 * SIM_MS, 100 * SIM_MS,
                                    200 * SIM_MS, 500 * SIM_MS, SIM_S, 2 * SIM_S, 5 * SIM_S,
                                    10 * SIM_S, 30 * SIM_S, 60 * SIM_S};
    for (size_t i = 0; i < sizeof nice / sizeof nice[0]; i++)
        if (duration / nice[i] <= 150)
            return nice[i];
    return duration / 100 > 0 ? duration / 100 : 1;
}

static int cmp_time(const void *a, const void *b)
{
    sim_time x = *(const sim_time *)a, y = *(const sim_time *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted v[n]. */
static sim_time percentile(const sim_time *v, size_t n, double p)
{
    if (n == 0)
        return -1;
    size_t rank = (size_t)(p * (double)n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return v[rank - 1];
}

/* The longest stretch of [from, to] without a time of sorted t[n]. */
static void longest_gap(const sim_time *t, size_t n, sim_time from, sim_time to, sim_time *gap,
                        sim_time *at)
{
    sim_time prev = from;
    *gap = 0;
    *at = from;
    for (size_t i = 0; i <= n; i++) {
        sim_time x = i < n ? t[i] : to;
        if (x < from)
            continue;
        if (x > to)
            x = to;
        if (x - prev > *gap) {
            *gap = x - prev;
            *at = prev;
        }
        if (x > prev)
            prev = x;
    }
}

/* An answer from the system: ok, or a definite fail that is not a refusal
 * (the engine marks refusals with the error "refused"). */
static bool answered(const struct check_history *h, const struct check_op *op)
{
    if (op->outcome == CHECK_OK)
        return true;
    if (op->outcome != CHECK_FAIL)
        return false;
    const char *e = op->error == CHECK_NO_STRING ? NULL : check_history_string(h, op->error);
    return !e || strcmp(e, "refused") != 0;
}

static bool is_write(enum check_fn fn)
{
    return fn == CHECK_FN_WRITE || fn == CHECK_FN_CAS || fn == CHECK_FN_PUT ||
           fn == CHECK_FN_APPEND;
}

/* FNV-1a over the nemesis's faults: equal schedules hash equal. */
static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static uint64_t schedule_hash(const struct sim *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; i < sim_nemesis_count(s); i++) {
        const struct fault *f = sim_nemesis_get(s, i);
        int64_t fixed[] = {f->at, f->duration, f->kind, f->target.node, f->bridge,
                           f->group_count, f->from.count, f->to.count, f->both, f->period,
                           f->drift_ppm, f->skew, f->delay, (int64_t)(f->probability * 1e9)};
        h = fnv(h, fixed, sizeof fixed);
        for (int g = 0; g < f->group_count; g++)
            h = fnv(h, f->groups[g], (size_t)f->group_sizes[g] * sizeof *f->groups[g]);
        if (f->from.count)
            h = fnv(h, f->from.nodes, (size_t)f->from.count * sizeof *f->from.nodes);
        if (f->to.count)
            h = fnv(h, f->to.nodes, (size_t)f->to.count * sizeof *f->to.nodes);
    }
    return h;
}

static bool is_fault_entry(const struct sim_timeline_entry *e)
{
    return e->kind == TL_FAULT || e->kind == TL_SKIPPED;
}

/* The first node name ("n3") among the words of `text`, or "". */
static void first_node(const char *text, int nodes, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (const char *p = text; *p;) {
        size_t len = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
        if (len == 0) {
            p++;
            continue;
        }
        char word[16];
        if (len < sizeof word) {
            snprintf(word, sizeof word, "%.*s", (int)len, p);
            if (scenario_node_id(word, nodes) >= 0) {
                snprintf(buf, cap, "%s", word);
                return;
            }
        }
        p += len;
    }
}

/* Which node each scheduled fault naming a role hit in this run. The
 * engine fires the scheduled faults of one instant first and in the
 * scenario's order (they are queued before anything else), and records
 * each as one timeline entry, applied or skipped: the k-th scheduled fault
 * at time t is the k-th fault entry at t. */
static void mark_role_faults(const struct scenario *sc, struct compare_run *out)
{
    for (int i = 0; i < sc->fault_count; i++) {
        const struct fault *sf = &sc->faults[i];
        if (sf->target.node >= 0 || !sf->target.role[0])
            continue;
        int k = 0;
        for (int j = 0; j < i; j++)
            k += sc->faults[j].at == sf->at;
        struct compare_fault *start = NULL;
        for (int e = 0; e < out->nfaults && !start; e++) {
            struct compare_fault *f = &out->faults[e];
            if (f->at != sf->at || k-- > 0)
                continue;
            start = f;
            snprintf(f->role, sizeof f->role, "%s", sf->target.role);
            snprintf(f->kind, sizeof f->kind, "%s", scenario_fault_name(sf->kind));
            if (!f->skipped)
                first_node(f->text, sc->nodes, f->target, sizeof f->target);
        }
        if (!start || start->skipped || sf->duration <= 0)
            continue;
        /* its end, "for" later: queued when it fired, so after the
         * scheduled faults of that instant */
        sim_time until = sf->at + sf->duration;
        int skip = 0;
        for (int j = 0; j < sc->fault_count; j++)
            skip += sc->faults[j].at == until;
        for (int e = 0; e < out->nfaults; e++) {
            struct compare_fault *f = &out->faults[e];
            if (f->at != until || skip-- > 0)
                continue;
            f->end = true;
            memcpy(f->role, start->role, sizeof f->role);
            memcpy(f->kind, start->kind, sizeof f->kind);
            memcpy(f->target, start->target, sizeof f->target);
            break;
        }
    }
}

struct op_span {
    sim_time invoke, complete;
};

static int cmp_invoke(const void *a, const void *b)
{
    const struct op_span *x = a, *y = b;
    return x->invoke < y->invoke ? -1 : x->invoke > y->invoke;
}

/* Recovery after each fault: the first op invoked at or after it that
 * succeeds, by its completion. `ok` sorted by invoke; `invokes` sorted. */
static void recoveries(struct compare_run *out, const struct sim *s, const struct op_span *ok,
                       size_t nok, const sim_time *invokes, size_t ninv)
{
    /* suffix minimum of completion times over ops sorted by invoke */
    sim_time *best = malloc((nok + 1) * sizeof *best);
    if (!best)
        return;
    best[nok] = -1;
    for (size_t i = nok; i-- > 0;)
        best[i] = best[i + 1] < 0 || ok[i].complete < best[i + 1] ? ok[i].complete : best[i + 1];
    for (int i = 0; i < out->nfaults; i++) {
        struct compare_fault *f = &out->faults[i];
        if (f->skipped)
            continue; /* nothing happened: nothing to recover from */
        size_t lo = 0, hi = nok;
        while (lo < hi) { /* first ok op invoked at or after the fault */
            size_t mid = (lo + hi) / 2;
            if (ok[mid].invoke < f->at)
                lo = mid + 1;
            else
                hi = mid;
        }
        size_t a = 0, b = ninv;
        while (a < b) {
            size_t mid = (a + b) / 2;
            if (invokes[mid] < f->at)
                a = mid + 1;
            else
                b = mid;
        }
        if (a == ninv)
            f->recover = -2;
        else if (best[lo] < 0)
            f->recover = -1;
        else
            f->recover = best[lo] - f->at;
    }
    free(best);
    (void)s;
}

int compare_measure(const struct scenario *sc, const struct run_result *r, sim_time bucket,
                    struct compare_run *out)
{
    const struct sim *s = r->sim;
    const struct sim_stats *st = sim_get_stats(s);
    out->ops_invoked = st->ops_invoked;
    out->ops_ok = st->ops_ok;
    out->ops_fail = st->ops_fail;
    out->ops_refused = st->ops_refused;
    out->ops_info = st->ops_info;
    out->messages = st->messages_sent;
    out->violations = sim_violation_count(s);
    if (out->violations)
        snprintf(out->invariant, sizeof out->invariant, "%s", sim_violation_get(s, 0)->invariant);
    out->linearizable = (int)r->linearizable;
    out->stale_reads = r->stale_reads;
    out->lost_writes = r->lost_writes;
    out->blocked = sim_metric_value(s, "blocked");
    out->max_leaders = st->max_leaders;
    out->schedule_hash = schedule_hash(s);
    out->nemesis_faults = sim_nemesis_count(s);
    sim_time end = sim_end_time(s);
    out->from = sc->workload.start;
    out->to = sc->workload.stop < end ? sc->workload.stop : end;
    if (out->to < out->from)
        out->to = out->from;
    out->p50 = out->p99 = -1;

    /* the faults of the timeline, skipped ones included: each scheduled
     * fault then has its entry in every row, whatever the protocol */
    int nt = sim_timeline_count(s), nf = 0;
    for (int i = 0; i < nt; i++)
        nf += is_fault_entry(sim_timeline_get(s, i));
    out->faults = calloc((size_t)(nf ? nf : 1), sizeof *out->faults);
    out->bucket = bucket > 0 ? bucket : compare_bucket_for(end);
    out->nbuckets = (int)((end + out->bucket - 1) / out->bucket);
    if (out->nbuckets < 1)
        out->nbuckets = 1;
    out->buckets = calloc((size_t)out->nbuckets, sizeof *out->buckets);
    out->write_buckets = calloc((size_t)out->nbuckets, sizeof *out->write_buckets);
    if (!out->faults || !out->buckets || !out->write_buckets)
        return SIM_ENOMEM;
    for (int i = 0; i < nt; i++) {
        const struct sim_timeline_entry *e = sim_timeline_get(s, i);
        if (!is_fault_entry(e))
            continue;
        struct compare_fault *f = &out->faults[out->nfaults++];
        f->at = e->time;
        f->recover = -2;
        f->skipped = e->kind == TL_SKIPPED;
        snprintf(f->text, sizeof f->text, "%s", e->text);
    }
    mark_role_faults(sc, out);

    /* the history */
    size_t hlen;
    const char *hist = sim_history(s, &hlen);
    struct check_history h;
    char err[256];
    if (hlen == 0 ||
        check_history_read_buffer(&h, "history", hist, hlen, CHECK_FORMAT_JSONL, err, sizeof err))
        return SIM_OK; /* no clients: nothing more to measure */
    size_t n = h.n_ops;
    sim_time *lat = malloc((n ? n : 1) * sizeof *lat);
    sim_time *done = malloc((n ? n : 1) * sizeof *done);
    sim_time *wdone = malloc((n ? n : 1) * sizeof *wdone);
    sim_time *inv = malloc((n ? n : 1) * sizeof *inv);
    struct op_span *ok = malloc((n ? n : 1) * sizeof *ok);
    int rc = SIM_OK;
    if (!lat || !done || !wdone || !inv || !ok) {
        rc = SIM_ENOMEM;
        goto out;
    }
    size_t nlat = 0, ndone = 0, nwdone = 0, ninv = 0, nrec = 0;
    /* Recovery is measured on writes when there are any (a system that
     * still serves reads but takes no writes has not recovered), else on
     * every operation. */
    bool any_write = false;
    for (size_t i = 0; i < n && !any_write; i++)
        any_write = is_write(h.ops[i].fn);
    for (size_t i = 0; i < n; i++) {
        const struct check_op *op = &h.ops[i];
        if (op->invoke_time == CHECK_NO_TIME)
            continue;
        bool w = is_write(op->fn), counts = w || !any_write;
        if (counts)
            inv[ninv++] = op->invoke_time;
        out->writes_invoked += w;
        out->writes_answered += w && answered(&h, op);
        if (op->outcome != CHECK_OK || op->complete_time == CHECK_NO_TIME)
            continue;
        out->writes_ok += w;
        lat[nlat++] = op->complete_time - op->invoke_time;
        done[ndone++] = op->complete_time;
        if (counts)
            ok[nrec++] = (struct op_span){op->invoke_time, op->complete_time};
        if (w)
            wdone[nwdone++] = op->complete_time;
        int b = (int)(op->complete_time / out->bucket);
        if (b >= 0 && b < out->nbuckets) {
            out->buckets[b]++;
            out->write_buckets[b] += w;
        }
    }
    qsort(lat, nlat, sizeof *lat, cmp_time);
    qsort(done, ndone, sizeof *done, cmp_time);
    qsort(wdone, nwdone, sizeof *wdone, cmp_time);
    qsort(inv, ninv, sizeof *inv, cmp_time);
    qsort(ok, nrec, sizeof *ok, cmp_invoke);
    out->p50 = percentile(lat, nlat, 0.50);
    out->p99 = percentile(lat, nlat, 0.99);
    /* Unavailability is counted once the service first answered: the
     * start-up (a first election) is not a fault's doing. */
    sim_time from = ndone ? (done[0] > out->from ? done[0] : out->from) : out->from;
    longest_gap(done, ndone, from, out->to, &out->longest_gap, &out->longest_gap_at);
    if (out->writes_invoked) {
        sim_time wfrom = nwdone ? (wdone[0] > out->from ? wdone[0] : out->from) : out->from;
        longest_gap(wdone, nwdone, wfrom, out->to, &out->longest_write_gap,
                    &out->longest_write_gap_at);
    }
    recoveries(out, s, ok, nrec, inv, ninv);
out:
    free(lat);
    free(done);
    free(wdone);
    free(inv);
    free(ok);
    check_history_close(&h);
    return rc;
}

void compare_run_clear(struct compare_run *run)
{
    free(run->faults);
    free(run->buckets);
    free(run->write_buckets);
    run->faults = NULL;
    run->buckets = NULL;
    run->write_buckets = NULL;
    run->nfaults = run->nbuckets = 0;
}

/* ---- flat form ------------------------------------------------------------------------ */

void *compare_run_pack(const struct compare_run *run, size_t *len)
{
    size_t nf = run->nfaults > 0 ? (size_t)run->nfaults : 0;
    size_t nb = run->nbuckets > 0 && run->buckets && run->write_buckets ? (size_t)run->nbuckets : 0;
    size_t fbytes = nf * sizeof *run->faults, bbytes = nb * sizeof *run->buckets;
    size_t total = sizeof *run + fbytes + 2 * bbytes;
    char *buf = malloc(total);
    if (!buf)
        return NULL;
    struct compare_run head = *run;
    head.faults = NULL;
    head.buckets = NULL;
    head.write_buckets = NULL;
    head.nbuckets = (int)nb;
    memcpy(buf, &head, sizeof head);
    if (nf)
        memcpy(buf + sizeof head, run->faults, fbytes);
    if (nb) {
        memcpy(buf + sizeof head + fbytes, run->buckets, bbytes);
        memcpy(buf + sizeof head + fbytes + bbytes, run->write_buckets, bbytes);
    }
    *len = total;
    return buf;
}

int compare_run_unpack(const void *buf, size_t len, struct compare_run *out)
{
    memset(out, 0, sizeof *out);
    if (len < sizeof *out)
        return SIM_EINVAL;
    struct compare_run head;
    memcpy(&head, buf, sizeof head);
    if (head.nfaults < 0 || head.nbuckets < 0)
        return SIM_EINVAL;
    size_t fbytes = (size_t)head.nfaults * sizeof *head.faults;
    size_t bbytes = (size_t)head.nbuckets * sizeof *head.buckets;
    if (len != sizeof head + fbytes + 2 * bbytes)
        return SIM_EINVAL;
    *out = head;
    out->faults = NULL;
    out->buckets = NULL;
    out->write_buckets = NULL;
    const char *p = (const char *)buf + sizeof head;
    if ((head.nfaults && !(out->faults = malloc(fbytes))) ||
        (head.nbuckets && (!(out->buckets = malloc(bbytes)) ||
                           !(out->write_buckets = malloc(bbytes))))) {
        compare_run_clear(out);
        return SIM_ENOMEM;
    }
    if (fbytes)
        memcpy(out->faults, p, fbytes);
    if (bbytes) {
        memcpy(out->buckets, p + fbytes, bbytes);
        memcpy(out->write_buckets, p + fbytes + bbytes, bbytes);
    }
    return SIM_OK;
}
