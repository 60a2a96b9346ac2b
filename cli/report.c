/* report.c - what `faultline run` prints: a readable summary of one run (the
 * story of what happened, the numbers, the verdicts, the expectations), or
 * the same as one JSON object with --json. */
#include "cli/report.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#define TIMELINE_HEAD 36
#define TIMELINE_TAIL 8

struct style {
    const char *bold, *dim, *red, *green, *yellow, *reset;
};

static struct style style_for(bool color)
{
    if (!color)
        return (struct style){"", "", "", "", "", ""};
    return (struct style){"\033[1m", "\033[2m", "\033[31m", "\033[32m", "\033[33m", "\033[0m"};
}

/* 12345678 -> "12 345 678" */
static const char *grouped(uint64_t v, char *buf, size_t cap)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v);
    size_t o = 0;
    for (int i = 0; i < n && o + 2 < cap; i++) {
        if (i && (n - i) % 3 == 0)
            buf[o++] = ' ';
        buf[o++] = tmp[i];
    }
    buf[o] = '\0';
    return buf;
}

/* Width of the text column of "What happened": the lines wrap at 80
 * columns, never cutting a word (a word longer than a line stands alone). */
#define TIMELINE_INDENT 14
#define TIMELINE_WIDTH (80 - TIMELINE_INDENT)

/* Prints `text` in lines of at most `width` characters, breaking at spaces;
 * every line after the first is indented by `indent`. */
static void print_wrapped(FILE *out, const char *text, int width, int indent)
{
    const char *p = text;
    bool first = true;
    while (*p) {
        size_t len = strlen(p);
        size_t take = len;
        if (len > (size_t)width) {
            take = (size_t)width;
            while (take > 0 && p[take] != ' ')
                take--;
            if (take == 0) /* one long word: up to its end */
                for (take = (size_t)width; p[take] && p[take] != ' '; take++)
                    ;
        }
        fprintf(out, "%*s%.*s\n", first ? 0 : indent, "", (int)take, p);
        first = false;
        p += take;
        while (*p == ' ')
            p++;
    }
}

static void print_timeline_entry(FILE *out, const struct sim_timeline_entry *e, struct style st)
{
    char t[32];
    scenario_format_time(e->time, t, sizeof t);
    const char *color = e->kind == TL_VIOLATION ? st.red
                        : e->kind == TL_CAPTION || e->kind == TL_NOTE ? st.dim
                        : e->kind == TL_FAULT    ? st.yellow
                                                 : "";
    fprintf(out, "  %10s  %s", t, color);
    print_wrapped(out, e->text, TIMELINE_WIDTH, TIMELINE_INDENT);
    if (*color)
        fputs(st.reset, out);
}

void report_text(FILE *out, const struct scenario *sc, const struct run_result *r, bool color)
{
    struct style st = style_for(color);
    const struct sim *s = r->sim;
    const struct sim_stats *x = sim_get_stats(s);
    char a[32], b[32], c[32], d[32], f[32];

    fprintf(out, "%s%s%s — %s\n", st.bold, sc->name, st.reset, sc->title);
    if (sc->lesson && *sc->lesson) {
        fputs("  ", out);
        print_wrapped(out, sc->lesson, 78, 2);
    }
    scenario_format_time(sim_end_time(s), a, sizeof a);
    fprintf(out, "\n%s on %d node%s · seed %llu · %s simulated in %.2fs\n", sc->protocol,
            sc->nodes, sc->nodes == 1 ? "" : "s", (unsigned long long)sim_seed(s), a,
            r->wall_seconds);

    int n = sim_timeline_count(s);
    fprintf(out, "\n%sWhat happened%s\n", st.bold, st.reset);
    if (n == 0)
        fprintf(out, "  nothing remarkable: no faults, no leader changes, no violations\n");
    for (int i = 0; i < n; i++) {
        if (r->story == 0 && n > TIMELINE_HEAD + TIMELINE_TAIL && i == TIMELINE_HEAD) {
            fprintf(out, "  %10s  %s... %d more (the trace has everything: --trace FILE)%s\n", "",
                    st.dim, n - TIMELINE_HEAD - TIMELINE_TAIL, st.reset);
            i = n - TIMELINE_TAIL;
        }
        print_timeline_entry(out, sim_timeline_get(s, i), st);
    }

    fprintf(out, "\n%sNumbers%s\n", st.bold, st.reset);
    fprintf(out, "  events       %s\n", grouped(x->events, a, sizeof a));
    uint64_t dropped = x->dropped_loss + x->dropped_partition + x->dropped_down;
    fprintf(out, "  messages     %s sent · %s delivered · %s dropped", grouped(x->messages_sent, a, sizeof a),
            grouped(x->messages_delivered, b, sizeof b), grouped(dropped, c, sizeof c));
    if (dropped)
        fprintf(out, " (partition %llu, loss %llu, node down %llu)",
                (unsigned long long)x->dropped_partition, (unsigned long long)x->dropped_loss,
                (unsigned long long)x->dropped_down);
    fprintf(out, " · %s duplicated\n", grouped(x->messages_duplicated, d, sizeof d));
    fprintf(out, "  faults       %llu applied", (unsigned long long)x->faults_applied);
    if (x->faults_skipped)
        fprintf(out, ", %llu skipped", (unsigned long long)x->faults_skipped);
    if (x->crashes)
        fprintf(out, " · %llu crash%s, %llu recover%s", (unsigned long long)x->crashes,
                x->crashes == 1 ? "" : "es", (unsigned long long)x->recoveries,
                x->recoveries == 1 ? "y" : "ies");
    fprintf(out, "\n");
    if (x->ops_invoked || sc->workload.clients > 0) {
        char pct[16];
        runner_answered_text(x, pct, sizeof pct);
        fprintf(out, "  client ops   %s: %s ok · %s failed · %s refused · %s unknown — answered %s",
                grouped(x->ops_invoked, a, sizeof a), grouped(x->ops_ok, b, sizeof b),
                grouped(x->ops_fail, c, sizeof c), grouped(x->ops_refused, d, sizeof d),
                grouped(x->ops_info, f, sizeof f), pct);
        if (x->retries || x->redirects)
            fprintf(out, " · %llu retries, %llu redirects", (unsigned long long)x->retries,
                    (unsigned long long)x->redirects);
        fprintf(out, "\n");
        /* what the words mean, for the kinds this run had */
        const char *legend[3];
        int nl = 0;
        if (x->ops_fail)
            legend[nl++] = "failed = a definite no (e.g. cas mismatch), counted as answered";
        if (x->ops_refused)
            legend[nl++] = "refused = declined (e.g. no quorum)";
        if (x->ops_info)
            legend[nl++] = "unknown = timed out, may or may not have happened";
        for (int i = 0; i < nl; i++)
            fprintf(out, "%s%s%s%s", i ? " · " : "               ", st.dim, legend[i], st.reset);
        if (nl)
            fprintf(out, "\n");
    }
    if (x->max_leaders > 0) {
        scenario_format_time(x->max_leaders_at, a, sizeof a);
        fprintf(out, "  leaders      at most %d at once (first at %s)\n", x->max_leaders, a);
    }
    if (sim_metric_count(s)) {
        fprintf(out, "  metrics     ");
        for (int i = 0; i < sim_metric_count(s); i++) {
            const struct sim_metric *m = sim_metric_get(s, i);
            fprintf(out, "%s %s %lld", i ? " ·" : "", m->name, (long long)m->value);
        }
        fprintf(out, "\n");
    }
    int nv = sim_violation_count(s);
    if (nv == 0)
        fprintf(out, "  invariants   %sall held%s\n", st.green, st.reset);
    for (int i = 0; i < nv; i++) {
        const struct sim_violation_info *v = sim_violation_get(s, i);
        scenario_format_time(v->time, a, sizeof a);
        fprintf(out, "  %s %s%s ×%llu, first at %s: %s%s\n", i ? "            " : "violations  ",
                st.red, v->invariant, (unsigned long long)v->reports, a, v->text, st.reset);
        for (int k = 0; k < v->more_texts; k++)
            fprintf(out, "               %sthen: %s%s\n", st.dim, v->more[k], st.reset);
        uint64_t unshown = v->reports - 1 - (uint64_t)v->more_texts;
        if (v->reports > 1 + (uint64_t)v->more_texts)
            fprintf(out, "               %s... %llu more report%s of %s (all in the trace: --trace FILE)%s\n",
                    st.dim, (unsigned long long)unshown, unshown == 1 ? "" : "s", v->invariant,
                    st.reset);
    }
    if (r->linearizable != VERDICT_NOT_CHECKED) {
        static const char *const verdicts[] = {"NOT linearizable", "linearizable", "unknown (the checker's budget ran out)"};
        const char *col = r->linearizable == VERDICT_YES ? st.green : r->linearizable == VERDICT_NO ? st.red : st.yellow;
        fprintf(out, "  history      %s%s%s (checked in %.0f ms)\n", col, verdicts[r->linearizable],
                st.reset, r->check_seconds * 1000.0);
        if (r->linearizable == VERDICT_NO && r->lin_detail[0]) {
            /* indent the explanation under the verdict */
            const char *p = r->lin_detail;
            while (*p) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t)(nl - p) : strlen(p);
                fprintf(out, "               %s%.*s%s\n", st.dim, (int)len, p, st.reset);
                p += len + (nl ? 1 : 0);
            }
        }
    }
    if (r->stale_reads >= 0)
        fprintf(out, "  stale reads  %lld\n", (long long)r->stale_reads);
    if (r->lost_writes >= 0) {
        fprintf(out, "  lost writes  %lld acknowledged write%s missing at the end",
                (long long)r->lost_writes, r->lost_writes == 1 ? "" : "s");
        if (r->lost_writes > 0 && r->lost_named[0])
            fprintf(out, ": %s%s", r->lost_named, r->lost_writes > RUN_LOST_NAMED ? ", …" : "");
        fprintf(out, "\n");
    }
    if (r->trace_hash)
        fprintf(out, "  trace hash   %016llx (same scenario and seed, same hash)\n",
                (unsigned long long)r->trace_hash);

    if (!r->has_expect) {
        fprintf(out, "\n%sExpectations%s\n  none given (add an \"expect\" block to check outcomes)\n",
                st.bold, st.reset);
        return;
    }
    fprintf(out, "\n%sExpectations%s\n", st.bold, st.reset);
    for (int i = 0; i < r->ncheck; i++) {
        const struct expect_check *e = &r->checks[i];
        fprintf(out, "  %s%s%s %-22s %s\n", e->ok ? st.green : st.red, e->ok ? "✓" : "✗", st.reset,
                e->key, e->detail);
    }
    if (r->expect_ok)
        fprintf(out, "  %sPASS%s: every expectation holds\n", st.green, st.reset);
    else
        fprintf(out, "  %sFAIL%s: an expectation does not hold\n", st.red, st.reset);
}

static const char *verdict_name(enum verdict v)
{
    switch (v) {
    case VERDICT_YES: return "true";
    case VERDICT_NO: return "false";
    case VERDICT_UNKNOWN: return "unknown";
    default: return "not checked";
    }
}

void report_json(FILE *out, const struct scenario *sc, const struct run_result *r)
{
    const struct sim *s = r->sim;
    const struct sim_stats *x = sim_get_stats(s);
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "scenario", sc->name);
    cJSON_AddStringToObject(root, "file", sc->file);
    cJSON_AddStringToObject(root, "protocol", sc->protocol);
    cJSON_AddNumberToObject(root, "seed", (double)sim_seed(s));
    cJSON_AddNumberToObject(root, "nodes", sc->nodes);
    cJSON_AddNumberToObject(root, "duration_us", (double)sim_end_time(s));
    cJSON_AddNumberToObject(root, "wall_seconds", r->wall_seconds);
    char hash[24];
    snprintf(hash, sizeof hash, "%016llx", (unsigned long long)r->trace_hash);
    cJSON_AddStringToObject(root, "trace_hash", r->trace_hash ? hash : "");
    cJSON *stats = cJSON_AddObjectToObject(root, "stats");
    struct {
        const char *name;
        uint64_t v;
    } nums[] = {
        {"events", x->events},
        {"messages_sent", x->messages_sent},
        {"messages_delivered", x->messages_delivered},
        {"messages_duplicated", x->messages_duplicated},
        {"dropped_loss", x->dropped_loss},
        {"dropped_partition", x->dropped_partition},
        {"dropped_down", x->dropped_down},
        {"timers_fired", x->timers_fired},
        {"faults_applied", x->faults_applied},
        {"faults_skipped", x->faults_skipped},
        {"crashes", x->crashes},
        {"recoveries", x->recoveries},
        {"ops_invoked", x->ops_invoked},
        {"ops_ok", x->ops_ok},
        {"ops_fail", x->ops_fail},
        {"ops_refused", x->ops_refused},
        {"ops_answered", x->ops_ok + x->ops_fail},
        {"ops_info", x->ops_info},
        {"retries", x->retries},
        {"redirects", x->redirects},
    };
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
        cJSON_AddNumberToObject(stats, nums[i].name, (double)nums[i].v);
    cJSON_AddNumberToObject(stats, "max_leaders", x->max_leaders);
    /* the share of ops the system answered (ok or a definite fail); null
     * for 0 of 0 */
    if (x->ops_invoked)
        cJSON_AddNumberToObject(stats, "availability", runner_answered(x));
    else
        cJSON_AddNullToObject(stats, "availability");
    cJSON *metrics = cJSON_AddObjectToObject(root, "metrics");
    for (int i = 0; i < sim_metric_count(s); i++)
        cJSON_AddNumberToObject(metrics, sim_metric_get(s, i)->name,
                                (double)sim_metric_get(s, i)->value);
    cJSON *vs = cJSON_AddArrayToObject(root, "violations");
    for (int i = 0; i < sim_violation_count(s); i++) {
        const struct sim_violation_info *v = sim_violation_get(s, i);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "invariant", v->invariant);
        cJSON_AddNumberToObject(o, "time_us", (double)v->time);
        if (v->node >= 0) {
            char nn[16];
            snprintf(nn, sizeof nn, "n%d", v->node + 1);
            cJSON_AddStringToObject(o, "node", nn);
        }
        cJSON_AddStringToObject(o, "text", v->text);
        cJSON_AddNumberToObject(o, "reports", (double)v->reports);
        cJSON *texts = cJSON_AddArrayToObject(o, "texts"); /* the first distinct ones */
        cJSON_AddItemToArray(texts, cJSON_CreateString(v->text));
        for (int k = 0; k < v->more_texts; k++)
            cJSON_AddItemToArray(texts, cJSON_CreateString(v->more[k]));
        cJSON_AddItemToArray(vs, o);
    }
    cJSON_AddStringToObject(root, "linearizable", verdict_name(r->linearizable));
    if (r->linearizable == VERDICT_NO)
        cJSON_AddStringToObject(root, "linearizability_explanation", r->lin_detail);
    if (r->stale_reads >= 0)
        cJSON_AddNumberToObject(root, "stale_reads", (double)r->stale_reads);
    if (r->lost_writes >= 0) {
        cJSON_AddNumberToObject(root, "lost_writes", (double)r->lost_writes);
        cJSON_AddStringToObject(root, "lost_writes_first", r->lost_named);
    }
    cJSON *tl = cJSON_AddArrayToObject(root, "timeline");
    for (int i = 0; i < sim_timeline_count(s); i++) {
        const struct sim_timeline_entry *e = sim_timeline_get(s, i);
        static const char *const kinds[] = {"fault", "violation", "role", "caption", "skipped", "note"};
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "time_us", (double)e->time);
        cJSON_AddStringToObject(o, "kind", kinds[e->kind]);
        cJSON_AddStringToObject(o, "text", e->text);
        cJSON_AddItemToArray(tl, o);
    }
    cJSON *ex = cJSON_AddObjectToObject(root, "expect");
    cJSON_AddBoolToObject(ex, "given", r->has_expect);
    cJSON_AddBoolToObject(ex, "ok", !r->has_expect || r->expect_ok);
    cJSON *checks = cJSON_AddArrayToObject(ex, "checks");
    for (int i = 0; i < r->ncheck; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "key", r->checks[i].key);
        cJSON_AddBoolToObject(o, "ok", r->checks[i].ok);
        cJSON_AddStringToObject(o, "detail", r->checks[i].detail);
        cJSON_AddItemToArray(checks, o);
    }
    char *text = cJSON_Print(root);
    if (text) {
        fprintf(out, "%s\n", text);
        free(text);
    }
    cJSON_Delete(root);
}
