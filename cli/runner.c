/* runner.c - runs one scenario end to end and evaluates its expectations.
 * Output files are written to a temporary name and renamed when complete,
 * so a failed run never leaves a half-written trace or history. */
#include "cli/runner.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/verdict.h"
#include "protocols/registry.h"

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static bool file_exists(const char *path)
{
    return access(path, R_OK) == 0;
}

const char *runner_scenario_dir(void)
{
    static char dir[4096];
    /* next to the binary (build/faultline -> ../scenarios), then the source
     * tree the binary was built from, then the working directory */
    char exe[4000];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(dir, sizeof dir, "%s/../scenarios", exe);
            if (file_exists(dir))
                return dir;
            snprintf(dir, sizeof dir, "%s/scenarios", exe);
            if (file_exists(dir))
                return dir;
        }
    }
    snprintf(dir, sizeof dir, "%s/scenarios", FAULTLINE_SOURCE_DIR);
    if (file_exists(dir))
        return dir;
    if (file_exists("scenarios"))
        return "scenarios";
    return NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void runner_free_list(char **paths, int n)
{
    for (int i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
}

int runner_list_scenarios(const char *dir, char ***out)
{
    *out = NULL;
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    char **paths = NULL;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        char **grown = realloc(paths, (size_t)(n + 1) * sizeof *paths);
        char *path = malloc(strlen(dir) + len + 2);
        if (grown)
            paths = grown;
        if (!grown || !path) {
            free(path);
            closedir(d);
            runner_free_list(paths, n);
            return -1;
        }
        sprintf(path, "%s/%s", dir, e->d_name);
        paths[n++] = path;
    }
    closedir(d);
    qsort(paths, (size_t)n, sizeof *paths, cmp_str);
    *out = paths;
    return n;
}

const char *runner_resolve_scenario(const char *arg)
{
    static char path[4200];
    if (!arg || !*arg || file_exists(arg) || strchr(arg, '/'))
        return arg;
    const char *dir = runner_scenario_dir();
    if (!dir)
        return arg;
    size_t len = strlen(arg);
    bool has_ext = len > 5 && strcmp(arg + len - 5, ".json") == 0;
    snprintf(path, sizeof path, "%s/%s%s", dir, arg, has_ext ? "" : ".json");
    return file_exists(path) ? path : arg;
}

const char *runner_default_scenario(void)
{
    static char path[4200];
    const char *dir = runner_scenario_dir();
    if (!dir)
        return NULL;
    snprintf(path, sizeof path, "%s/pb-heartbeat-split-brain.json", dir);
    return file_exists(path) ? path : NULL;
}

/* ---- atomic output files ------------------------------------------------------------ */

static FILE *open_tmp(const char *path, char *tmp, size_t cap, char *err, size_t errcap)
{
    snprintf(tmp, cap, "%s.tmp.%ld", path, (long)getpid());
    FILE *fp = fopen(tmp, "wb");
    if (!fp)
        snprintf(err, errcap, "%s: cannot write: %s", path, strerror(errno));
    return fp;
}

static int close_tmp(FILE *fp, const char *tmp, const char *path, bool keep, char *err,
                     size_t errcap)
{
    int bad = ferror(fp);
    if (fclose(fp) != 0)
        bad = 1;
    if (!keep || bad) {
        unlink(tmp);
        if (keep && errcap)
            snprintf(err, errcap, "%s: write failed", path);
        return keep ? SIM_EIO : SIM_OK;
    }
    if (rename(tmp, path) != 0) {
        snprintf(err, errcap, "%s: cannot rename into place: %s", path, strerror(errno));
        unlink(tmp);
        return SIM_EIO;
    }
    return SIM_OK;
}

/* ---- expectations ------------------------------------------------------------------- */

double runner_answered(const struct sim_stats *x)
{
    if (x->ops_invoked == 0)
        return -1.0;
    return (double)(x->ops_ok + x->ops_fail) / (double)x->ops_invoked;
}

const char *runner_answered_text(const struct sim_stats *x, char *buf, size_t cap)
{
    double share = runner_answered(x);
    if (share < 0)
        snprintf(buf, cap, "–");
    else
        snprintf(buf, cap, "%.1f%%", share * 100.0);
    return buf;
}


static struct expect_check *add_check(struct run_result *r, const char *key)
{
    if (r->ncheck >= (int)(sizeof r->checks / sizeof r->checks[0]))
        return NULL;
    struct expect_check *c = &r->checks[r->ncheck++];
    memset(c, 0, sizeof *c);
    snprintf(c->key, sizeof c->key, "%s", key);
    return c;
}

/* expected: -1 unset, -2 "some", else exact; got: -1 unknown */
static void check_count(struct run_result *r, const char *key, int64_t expected, int64_t got)
{
    if (expected == -1)
        return;
    struct expect_check *c = add_check(r, key);
    if (!c)
        return;
    if (got < 0) {
        c->ok = false;
        snprintf(c->detail, sizeof c->detail,
                 "not measured: this run's history does not allow it (see docs/scenario-format.md)");
        return;
    }
    c->ok = expected == -2 ? got > 0 : got == expected;
    if (expected == -2)
        snprintf(c->detail, sizeof c->detail, "expected some, got %lld", (long long)got);
    else
        snprintf(c->detail, sizeof c->detail, "expected %lld, got %lld", (long long)expected,
                 (long long)got);
}

/* A duration with its unit, "0ms" rather than a bare "0". */
static void duration_text(sim_time t, char *buf, size_t cap)
{
    if (t == 0)
        snprintf(buf, cap, "0ms");
    else
        scenario_format_duration(t, buf, cap);
}

/* leader_within, counted from what the expectation says (enum leader_from). */
static void check_leader_within(const struct expect_cfg *e, const struct sim_stats *st,
                                struct expect_check *c)
{
    sim_time from, at;
    const char *what;
    switch (e->leader_from) {
    case LEADER_FROM_FAULT:
        from = st->last_apply_at;
        at = st->new_leader_after_apply;
        what = "a new leader";
        break;
    case LEADER_FROM_HEAL:
        from = st->last_heal_at;
        at = st->leader_after_heal;
        what = "a leader";
        break;
    default: /* the string form: the last fault event, applied or healed */
        from = st->last_fault_at >= 0 ? st->last_fault_at : 0;
        at = st->last_fault_at >= 0 ? st->leader_after_fault : -1;
        if (st->last_fault_at < 0 && st->max_leaders > 0)
            at = 0; /* no fault: a leader existed; when is not tracked finer */
        what = "a leader";
        break;
    }
    static const char *const since[] = {"the last fault event", "the last fault", "the last heal"};
    const char *after = since[e->leader_from];
    char want[32], got[32], when[32];
    duration_text(e->leader_within, want, sizeof want);
    if (e->leader_from != LEADER_FROM_ANY && from < 0) {
        c->ok = false;
        snprintf(c->detail, sizeof c->detail, "expected %s within %s of %s, but there was no %s",
                 what, want, after, e->leader_from == LEADER_FROM_FAULT ? "fault" : "heal");
        return;
    }
    scenario_format_time(from, when, sizeof when);
    if (at < 0) {
        c->ok = false;
        snprintf(c->detail, sizeof c->detail, "expected %s within %s of %s (at %s), got none by the end",
                 what, want, after, when);
        return;
    }
    duration_text(at - from, got, sizeof got);
    c->ok = at - from <= e->leader_within;
    snprintf(c->detail, sizeof c->detail, "expected %s within %s of %s (at %s), got %s", what,
             want, after, when, got);
}

static void evaluate(const struct scenario *sc, struct run_result *r)
{
    const struct expect_cfg *e = &sc->expect;
    const struct sim *s = r->sim;
    const struct sim_stats *st = sim_get_stats(s);
    struct expect_check *c;
    r->ncheck = 0;

    if (e->violations != EXPECT_UNSET && (c = add_check(r, "violations"))) {
        int nv = sim_violation_count(s);
        char got[160] = "";
        size_t used = 0;
        for (int i = 0; i < nv && used + 40 < sizeof got; i++)
            used += (size_t)snprintf(got + used, sizeof got - used, "%s%s", i ? ", " : "",
                                     sim_violation_get(s, i)->invariant);
        if (e->violations == EXPECT_NONE) {
            c->ok = nv == 0;
            snprintf(c->detail, sizeof c->detail, "expected none, got %s", nv ? got : "none");
        } else if (e->violations == EXPECT_SOME) {
            c->ok = nv > 0;
            snprintf(c->detail, sizeof c->detail, "expected some, got %s", nv ? got : "none");
        } else {
            c->ok = true;
            char missing[120] = "";
            size_t mu = 0;
            for (int i = 0; i < e->violation_count; i++) {
                bool found = false;
                for (int j = 0; j < nv; j++)
                    if (strcmp(sim_violation_get(s, j)->invariant, e->violation_names[i]) == 0)
                        found = true;
                if (!found) {
                    c->ok = false;
                    if (mu + 40 < sizeof missing)
                        mu += (size_t)snprintf(missing + mu, sizeof missing - mu, "%s%s",
                                               mu ? ", " : "", e->violation_names[i]);
                }
            }
            if (c->ok)
                snprintf(c->detail, sizeof c->detail, "expected reported, got %s", got);
            else
                snprintf(c->detail, sizeof c->detail, "missing %s; got %s", missing,
                         nv ? got : "none");
        }
    }
    if (e->linearizable >= 0 && (c = add_check(r, "linearizable"))) {
        static const char *const names[] = {"false", "true", "unknown"};
        c->ok = (int)r->linearizable == e->linearizable;
        snprintf(c->detail, sizeof c->detail, "expected %s, got %s",
                 e->linearizable ? "true" : "false",
                 r->linearizable == VERDICT_NOT_CHECKED ? "not checked" : names[r->linearizable]);
    }
    if (e->ok_ops_at_least >= 0 && (c = add_check(r, "ok_ops_at_least"))) {
        c->ok = (int64_t)st->ops_ok >= e->ok_ops_at_least;
        snprintf(c->detail, sizeof c->detail, "expected at least %lld, got %llu",
                 (long long)e->ok_ops_at_least, (unsigned long long)st->ops_ok);
    }
    if (e->availability_at_least >= 0 && (c = add_check(r, "availability_at_least"))) {
        /* answered (ok or a definite fail) / invoked; 0 of 0 never holds */
        double a = runner_answered(st);
        char got[16];
        runner_answered_text(st, got, sizeof got);
        c->ok = a >= 0 && a + 1e-12 >= e->availability_at_least;
        snprintf(c->detail, sizeof c->detail, "expected at least %.1f%% answered, got %s%s",
                 e->availability_at_least * 100.0, got, a < 0 ? " (no client ops)" : "");
    }
    check_count(r, "lost_writes", e->lost_writes, r->lost_writes);
    check_count(r, "stale_reads", e->stale_reads, r->stale_reads);
    check_count(r, "blocked_at_end", e->blocked_at_end, sim_metric_value(s, "blocked"));
    if (e->leader_within >= 0 && (c = add_check(r, "leader_within")))
        check_leader_within(e, st, c);
    if (e->max_leaders >= 0 && (c = add_check(r, "max_leaders"))) {
        c->ok = st->max_leaders == e->max_leaders;
        snprintf(c->detail, sizeof c->detail, "expected %d, got %d", e->max_leaders,
                 st->max_leaders);
    }
    for (int i = 0; i < e->metric_count; i++) {
        const struct metric_expect *m = &e->metrics[i];
        char key[48];
        snprintf(key, sizeof key, "metrics.%s", m->name);
        if (!(c = add_check(r, key)))
            break;
        int64_t v = sim_metric_value(s, m->name);
        c->ok = (!m->has_min || v >= m->min) && (!m->has_max || v <= m->max);
        if (m->has_min && m->has_max && m->min == m->max)
            snprintf(c->detail, sizeof c->detail, "expected %lld, got %lld", (long long)m->min,
                     (long long)v);
        else if (m->has_min && m->has_max)
            snprintf(c->detail, sizeof c->detail, "expected %lld..%lld, got %lld",
                     (long long)m->min, (long long)m->max, (long long)v);
        else
            snprintf(c->detail, sizeof c->detail, "expected %s %lld, got %lld",
                     m->has_min ? "at least" : "at most", (long long)(m->has_min ? m->min : m->max),
                     (long long)v);
    }
    r->has_expect = r->ncheck > 0;
    r->expect_ok = true;
    for (int i = 0; i < r->ncheck; i++)
        if (!r->checks[i].ok)
            r->expect_ok = false;
}

static bool wants_history_check(const struct scenario *sc)
{
    const struct expect_cfg *e = &sc->expect;
    return e->linearizable >= 0 || e->stale_reads != -1 || e->lost_writes != -1 ||
           sc->workload.clients > 0;
}

/* ---- the run ------------------------------------------------------------------------- */

int runner_run(const struct scenario *sc, const struct run_options *opt, struct run_result *out,
               char *err, size_t errcap)
{
    memset(out, 0, sizeof *out);
    out->linearizable = VERDICT_NOT_CHECKED;
    out->stale_reads = -1;
    out->lost_writes = -1;
    const struct sim_protocol *proto = protocol_find(sc->protocol);
    if (!proto) {
        char known[256] = "";
        size_t used = 0;
        for (const struct sim_protocol *const *p = protocol_all(); *p && used + 40 < sizeof known; p++)
            used += (size_t)snprintf(known + used, sizeof known - used, "%s%s",
                                     used ? ", " : "", (*p)->name);
        snprintf(err, errcap, "%s: protocol: unknown protocol \"%s\" (known: %s)", sc->file,
                 sc->protocol, known);
        return SIM_EINVAL;
    }
    struct sim_options so = {0};
    so.seed_set = opt->seed_set;
    so.seed = opt->seed;
    so.duration = opt->duration;
    so.trace_hash = !opt->no_trace_hash;
    so.story = opt->story;
    char trace_tmp[4200];
    FILE *tfp = NULL;
    if (opt->trace_path) {
        if (!(tfp = open_tmp(opt->trace_path, trace_tmp, sizeof trace_tmp, err, errcap)))
            return SIM_EIO;
        setvbuf(tfp, NULL, _IOFBF, 1 << 20);
        so.trace = tfp;
    }
    double t0 = wall_now();
    out->story = opt->story;
    int rc = sim_create(sc, proto, &so, &out->sim, err, errcap);
    if (rc == SIM_OK) {
        rc = sim_run(out->sim);
        if (rc < 0)
            snprintf(err, errcap, "%s: the simulation stopped: %s", sc->file, sim_strerror(rc));
    }
    out->wall_seconds = wall_now() - t0;
    if (tfp) {
        int crc = close_tmp(tfp, trace_tmp, opt->trace_path, rc == SIM_OK, err, errcap);
        if (rc == SIM_OK)
            rc = crc;
    }
    if (rc != SIM_OK) {
        runner_result_free(out);
        return rc;
    }
    out->trace_hash = sim_trace_hash(out->sim);
    size_t hlen;
    const char *hist = sim_history(out->sim, &hlen);
    if (opt->history_path) {
        char tmp[4200];
        FILE *hfp = open_tmp(opt->history_path, tmp, sizeof tmp, err, errcap);
        if (!hfp) {
            runner_result_free(out);
            return SIM_EIO;
        }
        fwrite(hist, 1, hlen, hfp);
        if ((rc = close_tmp(hfp, tmp, opt->history_path, true, err, errcap))) {
            runner_result_free(out);
            return rc;
        }
    }
    if (!opt->no_check && hlen > 0 && wants_history_check(sc)) {
        double c0 = wall_now();
        verdict_check(hist, hlen, sc->file, opt->check_timeout > 0 ? opt->check_timeout : 20.0,
                      out);
        out->check_seconds = wall_now() - c0;
    }
    evaluate(sc, out);
    return SIM_OK;
}

void runner_result_free(struct run_result *r)
{
    sim_destroy(r->sim);
    r->sim = NULL;
}
