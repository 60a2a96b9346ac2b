/* shrink.c - shrinking a failing seed. The scenario is handled as JSON (as
 * sim/scenario_write.h writes it, every setting explicit): the nemesis's
 * faults become ordinary timed faults, and each candidate is the base
 * document plus a subset of the faults, a duration and a client count,
 * loaded back with the scenario loader and run with the same seed. Random
 * streams are per purpose, so removing the nemesis or a fault leaves the
 * rest of the run as it was: the candidate fails for the same reason or it
 * is rejected. */
#include "cli/shrink.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario_write.h"

struct shrinker {
    const struct shrink_options *o;
    struct sweep_config cfg;     /* the caller's rules; sc and duration per candidate */
    uint64_t seed;
    const char *file;            /* names the candidates in messages */
    cJSON *doc;                  /* the base: no faults, no captions */
    cJSON **faults;              /* each fault of the schedule, detached */
    sim_time *fault_at;
    int nfaults;
    bool *keep;                  /* the current subset */
    sim_time duration;
    int clients;
    struct sweep_seed want;      /* the failure to keep */
    struct sweep_seed last;      /* the latest candidate that kept it */
    int runs, max_runs;
    bool oom;
};

static void set_item(struct shrinker *sh, cJSON *obj, const char *key, cJSON *item)
{
    if (!item) {
        sh->oom = true;
        return;
    }
    if (cJSON_GetObjectItemCaseSensitive(obj, key))
        cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item);
    else
        cJSON_AddItemToObject(obj, key, item);
}

static void set_duration(struct shrinker *sh, cJSON *obj, const char *key, sim_time t)
{
    char buf[40];
    scenario_exact_duration(t, buf, sizeof buf);
    set_item(sh, obj, key, cJSON_CreateString(buf));
}

/* The candidate document: base + kept faults (those within the duration). */
static cJSON *build(struct shrinker *sh, const bool *keep, sim_time duration, int clients)
{
    cJSON *d = cJSON_Duplicate(sh->doc, true);
    if (!d) {
        sh->oom = true;
        return NULL;
    }
    set_duration(sh, d, "duration", duration);
    cJSON *w = cJSON_GetObjectItemCaseSensitive(d, "workload");
    if (w) {
        set_item(sh, w, "clients", cJSON_CreateNumber(clients));
        cJSON *stop = cJSON_GetObjectItemCaseSensitive(w, "stop");
        sim_time t;
        if (cJSON_IsString(stop) && scenario_parse_duration(stop->valuestring, false, &t) == 0 &&
            t > duration)
            set_duration(sh, w, "stop", duration);
    }
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; arr && i < sh->nfaults; i++)
        if (keep[i] && sh->fault_at[i] <= duration) {
            cJSON *f = cJSON_Duplicate(sh->faults[i], true);
            if (!f || !cJSON_AddItemToArray(arr, f))
                sh->oom = true;
        }
    if (arr && cJSON_GetArraySize(arr) > 0)
        cJSON_AddItemToObject(d, "faults", arr);
    else
        cJSON_Delete(arr);
    return d;
}

static bool has_key(const char *list, const char *key)
{
    size_t n = strlen(key);
    for (const char *p = list; (p = strstr(p, key)); p += n)
        if ((p == list || p[-1] == ' ' || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
            return true;
    return false;
}

/* The failure kept: every reason of the original (a run error aside), the
 * same invariant among those broken, the same expectations unmet. */
static bool same_failure(const struct sweep_seed *want, const struct run_result *r,
                         const struct sweep_seed *got)
{
    uint32_t need = want->reasons & (SWEEP_VIOLATION | SWEEP_NOT_LINEARIZABLE | SWEEP_EXPECT);
    if ((got->reasons & need) != need)
        return false;
    if (need & SWEEP_VIOLATION) {
        bool found = false;
        for (int i = 0; i < sim_violation_count(r->sim) && !found; i++)
            found = strcmp(sim_violation_get(r->sim, i)->invariant, want->invariant) == 0;
        if (!found)
            return false;
    }
    if (need & SWEEP_EXPECT) {
        char tmp[sizeof want->failed];
        snprintf(tmp, sizeof tmp, "%s", want->failed);
        for (char *save = NULL, *k = strtok_r(tmp, ", ", &save); k; k = strtok_r(NULL, ", ", &save))
            if (!has_key(got->failed, k))
                return false;
    }
    return true;
}

/* Runs a document; true when it fails as wanted (then *judged says how). */
static bool fails(struct shrinker *sh, cJSON *doc, struct sweep_seed *judged)
{
    if (!doc || sh->oom)
        return false;
    char *text = cJSON_PrintUnformatted(doc);
    if (!text) {
        sh->oom = true;
        return false;
    }
    struct scenario *sc;
    char err[512];
    int rc = scenario_parse(text, strlen(text), sh->file, &sc, err, sizeof err);
    cJSON_free(text);
    if (rc)
        return false;
    struct sweep_config cfg = sh->cfg;
    cfg.sc = sc;
    cfg.duration = 0;
    struct run_options opt;
    sweep_run_options(&cfg, sh->seed, &opt);
    struct run_result r;
    sh->runs++;
    bool ok = false;
    if (runner_run(sc, &opt, &r, err, sizeof err) == SIM_OK) {
        struct sweep_seed got;
        sweep_judge(&cfg, sh->seed, &r, &got);
        ok = same_failure(&sh->want, &r, &got);
        if (ok && judged)
            *judged = got;
        runner_result_free(&r);
    }
    scenario_free(sc);
    return ok;
}

static bool try_candidate(struct shrinker *sh, const bool *keep, sim_time duration, int clients)
{
    if (sh->runs >= sh->max_runs || sh->oom)
        return false;
    cJSON *d = build(sh, keep, duration, clients);
    struct sweep_seed got;
    bool ok = fails(sh, d, &got);
    cJSON_Delete(d);
    if (ok)
        sh->last = got;
    return ok;
}

static int kept(const struct shrinker *sh)
{
    int n = 0;
    for (int i = 0; i < sh->nfaults; i++)
        n += sh->keep[i] && sh->fault_at[i] <= sh->duration;
    return n;
}

static void note(const struct shrinker *sh, const char *what)
{
    if (!sh->o->log)
        return;
    char d[32];
    scenario_format_duration(sh->duration, d, sizeof d);
    fprintf(sh->o->log, "shrink: %s: %d fault%s, %s, %d client%s (%d runs)\n", what, kept(sh),
            kept(sh) == 1 ? "" : "s", d, sh->clients, sh->clients == 1 ? "" : "s", sh->runs);
}

/* ---- the passes ------------------------------------------------------------------------ */

static sim_time ceil_ms(sim_time t)
{
    return (t + SIM_MS - 1) / SIM_MS * SIM_MS;
}

/* The shortest run that still fails: just past the first violation when
 * that is enough, else a binary search to the millisecond. */
static bool shorten(struct shrinker *sh)
{
    sim_time lo = 0, hi = sh->duration;
    if ((sh->want.reasons & SWEEP_VIOLATION) && sh->last.fail_at >= 0) {
        sim_time d = ceil_ms(sh->last.fail_at + 1);
        if (d < hi && try_candidate(sh, sh->keep, d, sh->clients))
            hi = d;
        else
            lo = sh->last.fail_at;
    }
    while (hi - lo > SIM_MS && sh->runs < sh->max_runs && !sh->oom) {
        sim_time mid = ceil_ms(lo + (hi - lo) / 2);
        if (mid >= hi)
            break;
        if (try_candidate(sh, sh->keep, mid, sh->clients))
            hi = mid;
        else
            lo = mid;
    }
    bool changed = hi < sh->duration;
    sh->duration = hi;
    return changed;
}

/* Delta debugging (Zeller & Hildebrandt 2002), complements only: remove a
 * chunk of the kept faults while the run still fails, chunks halving. */
static bool drop_faults(struct shrinker *sh)
{
    int n = 0;
    size_t nf = sh->nfaults > 0 ? (size_t)sh->nfaults : 1;
    int *list = malloc(nf * sizeof *list);
    bool *trial = malloc(nf * sizeof *trial);
    if (!list || !trial) {
        free(list);
        free(trial);
        sh->oom = true;
        return false;
    }
    for (int i = 0; i < sh->nfaults; i++)
        if (sh->keep[i] && sh->fault_at[i] <= sh->duration)
            list[n++] = i;
    int before = n, g = 2;
    /* none at all, first: some failures need no fault */
    memset(trial, 0, nf * sizeof *trial);
    if (n > 0 && try_candidate(sh, trial, sh->duration, sh->clients))
        n = 0;
    while (n > 0 && sh->runs < sh->max_runs && !sh->oom) {
        if (g > n)
            g = n;
        int chunk = (n + g - 1) / g;
        bool reduced = false;
        for (int start = 0; start < n && !reduced; start += chunk) {
            memset(trial, 0, nf * sizeof *trial);
            for (int k = 0; k < n; k++)
                if (k < start || k >= start + chunk)
                    trial[list[k]] = true;
            if (try_candidate(sh, trial, sh->duration, sh->clients)) {
                int removed = chunk < n - start ? chunk : n - start;
                memmove(list + start, list + start + removed,
                        (size_t)(n - start - removed) * sizeof *list);
                n -= removed;
                g = g > 2 ? g - 1 : 2;
                reduced = true;
            }
        }
        if (!reduced) {
            if (g >= n)
                break;
            g = 2 * g < n ? 2 * g : n;
        }
    }
    memset(sh->keep, 0, nf * sizeof *sh->keep);
    for (int k = 0; k < n; k++)
        sh->keep[list[k]] = true;
    free(list);
    free(trial);
    return n < before;
}

/* The fewest clients that still fail it. */
static bool fewer_clients(struct shrinker *sh)
{
    for (int c = 1; c < sh->clients && sh->runs < sh->max_runs; c++)
        if (try_candidate(sh, sh->keep, sh->duration, c)) {
            sh->clients = c;
            return true;
        }
    return false;
}

/* ---- setting up ------------------------------------------------------------------------ */

/* Loads the base document: the scenario as written, with the extra faults,
 * the seed and duration of the run; faults detached into sh->faults. */
static int base(struct shrinker *sh, const struct fault *extra, int nextra, bool drop_nemesis,
                char *err, size_t errcap)
{
    struct scenario_write_opts wo = {.extra = extra, .extra_count = nextra, .seed_set = true,
                                     .seed = sh->seed, .duration = sh->cfg.duration};
    cJSON_Delete(sh->doc);
    for (int i = 0; i < sh->nfaults; i++)
        cJSON_Delete(sh->faults[i]);
    free(sh->faults);
    free(sh->fault_at);
    free(sh->keep);
    sh->faults = NULL;
    sh->fault_at = NULL;
    sh->keep = NULL;
    sh->nfaults = 0;
    if (!(sh->doc = scenario_to_json(sh->cfg.sc, &wo, err, errcap)))
        return strstr(err, "memory") ? SIM_ENOMEM : SIM_EINVAL;
    if (drop_nemesis)
        cJSON_DeleteItemFromObjectCaseSensitive(sh->doc, "nemesis");
    cJSON_DeleteItemFromObjectCaseSensitive(sh->doc, "captions");
    cJSON *arr = cJSON_DetachItemFromObjectCaseSensitive(sh->doc, "faults");
    int n = arr ? cJSON_GetArraySize(arr) : 0;
    sh->faults = calloc((size_t)(n ? n : 1), sizeof *sh->faults);
    sh->fault_at = calloc((size_t)(n ? n : 1), sizeof *sh->fault_at);
    sh->keep = calloc((size_t)(n ? n : 1), sizeof *sh->keep);
    if (!sh->faults || !sh->fault_at || !sh->keep) {
        cJSON_Delete(arr);
        snprintf(err, errcap, "out of memory shrinking");
        return SIM_ENOMEM;
    }
    for (int i = 0; i < n; i++) {
        cJSON *f = cJSON_DetachItemFromArray(arr, 0);
        cJSON *at = cJSON_GetObjectItemCaseSensitive(f, "at");
        sh->faults[i] = f;
        sh->keep[i] = true;
        if (!cJSON_IsString(at) ||
            scenario_parse_duration(at->valuestring, false, &sh->fault_at[i]) != 0)
            sh->fault_at[i] = 0;
    }
    sh->nfaults = n;
    cJSON_Delete(arr);
    cJSON *dur = cJSON_GetObjectItemCaseSensitive(sh->doc, "duration");
    if (!cJSON_IsString(dur) || scenario_parse_duration(dur->valuestring, false, &sh->duration)) {
        snprintf(err, errcap, "cannot read back the scenario's duration");
        return SIM_EINVAL;
    }
    sh->clients = sh->cfg.sc->workload.clients;
    return SIM_OK;
}

/* Names the small scenario and states, in its expect block, what should
 * hold, so that `faultline run` on it fails. */
static void finish_doc(struct shrinker *sh, cJSON *d, const struct shrink_result *res)
{
    const struct scenario *sc = sh->cfg.sc;
    char buf[1400], dur[32], odur[32];
    snprintf(buf, sizeof buf, "%s-seed%llu-min", sc->name, (unsigned long long)sh->seed);
    set_item(sh, d, "name", cJSON_CreateString(buf));
    snprintf(buf, sizeof buf, "%s: seed %llu, shrunk", sc->title && *sc->title ? sc->title : sc->name,
             (unsigned long long)sh->seed);
    set_item(sh, d, "title", cJSON_CreateString(buf));
    scenario_format_duration(res->duration_after, dur, sizeof dur);
    scenario_format_duration(res->duration_before, odur, sizeof odur);
    snprintf(buf, sizeof buf,
             "Found by faultline sweep: seed %llu of %s failed (%s). Shrunk from %d fault%s%s, "
             "%s and %d client%s to %d fault%s, %s and %d client%s; it still fails the same way.",
             (unsigned long long)sh->seed, sc->name, sh->want.detail, res->faults_before,
             res->faults_before == 1 ? "" : "s",
             res->nemesis_kept ? " besides the nemesis" : " (the nemesis's included)", odur,
             res->clients_before, res->clients_before == 1 ? "" : "s", res->faults_after,
             res->faults_after == 1 ? "" : "s", dur, res->clients_after,
             res->clients_after == 1 ? "" : "s");
    set_item(sh, d, "lesson", cJSON_CreateString(buf));
    cJSON *e = cJSON_GetObjectItemCaseSensitive(d, "expect");
    if (!e) {
        e = cJSON_CreateObject();
        if (!e) {
            sh->oom = true;
            return;
        }
        cJSON_AddItemToObject(d, "expect", e);
    }
    if ((sh->want.reasons & SWEEP_VIOLATION) && !cJSON_GetObjectItemCaseSensitive(e, "violations"))
        set_item(sh, e, "violations", cJSON_CreateString("none"));
    if ((sh->want.reasons & SWEEP_NOT_LINEARIZABLE) &&
        !cJSON_GetObjectItemCaseSensitive(e, "linearizable"))
        set_item(sh, e, "linearizable", cJSON_CreateBool(1));
}

static void shrinker_free(struct shrinker *sh)
{
    cJSON_Delete(sh->doc);
    for (int i = 0; i < sh->nfaults; i++)
        cJSON_Delete(sh->faults[i]);
    free(sh->faults);
    free(sh->fault_at);
    free(sh->keep);
}

int shrink_seed(const struct shrink_options *o, uint64_t seed, struct shrink_result *out,
                char *err, size_t errcap)
{
    memset(out, 0, sizeof *out);
    out->seed = seed;
    struct shrinker sh = {0};
    sh.o = o;
    sh.cfg = *o->cfg;
    sh.cfg.jobs = 1;
    sh.seed = seed;
    sh.file = o->cfg->sc->file ? o->cfg->sc->file : o->cfg->sc->name;
    sh.max_runs = o->max_runs > 0 ? o->max_runs : 400;

    /* the original run, and the faults its nemesis applied */
    struct run_options opt;
    sweep_run_options(&sh.cfg, seed, &opt);
    struct run_result r;
    int rc = runner_run(sh.cfg.sc, &opt, &r, err, errcap);
    if (rc)
        return rc;
    sh.runs = 1;
    sweep_judge(&sh.cfg, seed, &r, &sh.want);
    out->original = sh.want;
    if (!sweep_failed(&sh.want) || !(sh.want.reasons & ~SWEEP_ERROR & SWEEP_FAILURE)) {
        snprintf(err, errcap, "seed %llu does not fail: nothing to shrink", (unsigned long long)seed);
        runner_result_free(&r);
        return SIM_EINVAL;
    }
    sh.last = sh.want;
    int nnem = sim_nemesis_count(r.sim);
    out->nemesis_faults = nnem;
    rc = base(&sh, nnem ? sim_nemesis_get(r.sim, 0) : NULL, nnem, nnem > 0, err, errcap);
    runner_result_free(&r);
    if (rc) {
        shrinker_free(&sh);
        return rc;
    }
    /* Does the schedule replay as explicit faults? (A tie at one microsecond
     * with another event can order it differently; then keep the nemesis.) */
    if (!try_candidate(&sh, sh.keep, sh.duration, sh.clients)) {
        if (nnem == 0 || (rc = base(&sh, NULL, 0, false, err, errcap)) ||
            !try_candidate(&sh, sh.keep, sh.duration, sh.clients)) {
            if (!rc) {
                snprintf(err, errcap, "seed %llu does not fail the same way when its scenario is "
                         "written out and loaded again", (unsigned long long)seed);
                rc = SIM_EINVAL;
            }
            shrinker_free(&sh);
            return sh.oom ? SIM_ENOMEM : rc;
        }
        out->nemesis_kept = true;
    }
    out->faults_before = kept(&sh);
    out->duration_before = sh.duration;
    out->clients_before = sh.clients;
    note(&sh, out->nemesis_kept ? "replays with the nemesis" : "replays without the nemesis");

    for (int round = 0; round < 3 && sh.runs < sh.max_runs && !sh.oom; round++) {
        bool changed = false;
        if (shorten(&sh)) {
            changed = true;
            note(&sh, "shortened");
        }
        if (drop_faults(&sh)) {
            changed = true;
            note(&sh, "dropped faults");
        }
        if (fewer_clients(&sh)) {
            changed = true;
            note(&sh, "fewer clients");
        }
        if (!changed)
            break;
    }
    out->faults_after = kept(&sh);
    out->duration_after = sh.duration;
    out->clients_after = sh.clients;
    out->failure = sh.last;
    out->runs = sh.runs;

    cJSON *d = build(&sh, sh.keep, sh.duration, sh.clients);
    if (d)
        finish_doc(&sh, d, out);
    char *text = d && !sh.oom ? cJSON_PrintUnformatted(d) : NULL;
    cJSON_Delete(d);
    if (!text) {
        shrinker_free(&sh);
        snprintf(err, errcap, "out of memory shrinking");
        return SIM_ENOMEM;
    }
    rc = scenario_parse(text, strlen(text), sh.file, &out->sc, err, errcap);
    cJSON_free(text);
    shrinker_free(&sh);
    return rc;
}

void shrink_result_free(struct shrink_result *r)
{
    scenario_free(r->sc);
    r->sc = NULL;
}

int shrink_write(const struct shrink_result *r, const char *path, char *err, size_t errcap)
{
    return scenario_write_file(path, r->sc, NULL, err, errcap);
}

void shrink_default_path(const struct shrink_result *r, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s.json", r->sc ? r->sc->name : "shrunk");
}

void shrink_print(FILE *out, const struct shrink_result *r)
{
    char a[32], b[32];
    scenario_format_duration(r->duration_before, a, sizeof a);
    scenario_format_duration(r->duration_after, b, sizeof b);
    fprintf(out, "shrunk seed %llu: %d fault%s -> %d, %s -> %s, %d client%s -> %d, in %d runs\n",
            (unsigned long long)r->seed, r->faults_before, r->faults_before == 1 ? "" : "s",
            r->faults_after, a, b, r->clients_before, r->clients_before == 1 ? "" : "s",
            r->clients_after, r->runs);
    if (r->nemesis_faults && !r->nemesis_kept)
        fprintf(out, "  the nemesis's %d fault%s became an explicit schedule, then were pruned\n",
                r->nemesis_faults, r->nemesis_faults == 1 ? "" : "s");
    else if (r->nemesis_kept)
        fprintf(out, "  the nemesis stays (its faults did not replay exactly as a schedule)\n");
    fprintf(out, "  still fails: %s\n", r->failure.detail);
}
