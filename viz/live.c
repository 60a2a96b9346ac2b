/* live.c - drives the engine for the viewer: streams its trace onto the
 * tape, injects clicked faults, branches by deterministic re-run when a
 * fault is clicked in at an earlier moment, and saves the session. */
#include "viz/live.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "protocols/registry.h"
#include "sim/scenario_write.h"

/* ---- faults: deep copies for the session ------------------------------------------ */

static void fault_clear(struct fault *f)
{
    for (int g = 0; g < f->group_count; g++)
        free(f->groups[g]);
    free(f->groups);
    free(f->group_sizes);
    free(f->from.nodes);
    free(f->to.nodes);
    memset(f, 0, sizeof *f);
}

static int set_copy(struct node_set *dst, const struct node_set *src)
{
    *dst = *src;
    dst->nodes = NULL;
    if (src->count > 0) {
        dst->nodes = malloc((size_t)src->count * sizeof *dst->nodes);
        if (!dst->nodes)
            return SIM_ENOMEM;
        memcpy(dst->nodes, src->nodes, (size_t)src->count * sizeof *dst->nodes);
    }
    return SIM_OK;
}

static int fault_copy(struct fault *dst, const struct fault *src)
{
    *dst = *src;
    dst->groups = NULL;
    dst->group_sizes = NULL;
    dst->group_count = 0;
    dst->from.nodes = dst->to.nodes = NULL;
    if (set_copy(&dst->from, &src->from) || set_copy(&dst->to, &src->to))
        goto oom;
    if (src->group_count > 0) {
        dst->groups = calloc((size_t)src->group_count, sizeof *dst->groups);
        dst->group_sizes = calloc((size_t)src->group_count, sizeof *dst->group_sizes);
        if (!dst->groups || !dst->group_sizes)
            goto oom;
        dst->group_count = src->group_count;
        for (int g = 0; g < src->group_count; g++) {
            size_t n = (size_t)src->group_sizes[g];
            dst->groups[g] = malloc((n ? n : 1) * sizeof **dst->groups);
            if (!dst->groups[g])
                goto oom;
            memcpy(dst->groups[g], src->groups[g], n * sizeof **dst->groups);
            dst->group_sizes[g] = src->group_sizes[g];
        }
    }
    return SIM_OK;
oom:
    fault_clear(dst);
    return SIM_ENOMEM;
}

/* ---- the sink: engine lines onto the tape ------------------------------------------- */

/* The recorded text of line i (0: the header) or NULL past the tape's end. */
static const char *tape_line(const struct viz_tape *t, int64_t i, size_t *len)
{
    const struct viz_store *s = &t->store;
    if (i == 0) {
        if (!s->has_header)
            return NULL;
        size_t end = s->nev ? viz_ev_off(&s->ev[0]) : s->len;
        *len = end ? end - 1 : 0;
        return s->text;
    }
    if (i - 1 >= s->nev)
        return NULL;
    *len = viz_store_len(s, (int32_t)(i - 1));
    return viz_store_line(s, (int32_t)(i - 1));
}

static void sink(void *ctx, const char *line, size_t len)
{
    struct viz_live *lv = ctx;
    if (lv->error)
        return;
    size_t n = len;
    while (n && line[n - 1] == '\n')
        n--;
    size_t have;
    const char *rec = tape_line(lv->tape, lv->lines, &have);
    lv->lines++;
    if (rec) {
        /* A re-run: it must say exactly what it said before. */
        if (have != n || memcmp(rec, line, n) != 0)
            lv->diverged = true;
        return;
    }
    int rc = viz_tape_add(lv->tape, line, n, lv->err, sizeof lv->err);
    if (rc)
        lv->error = rc;
}

/* ---- lifetime ------------------------------------------------------------------------ */

static int start_sim(struct viz_live *lv, const struct scenario *sc, const struct sim_options *o,
                     char *err, size_t errcap)
{
    struct sim_options so = *o;
    so.trace_sink = sink;
    so.sink_ctx = lv;
    so.trace_hash = true;
    lv->lines = 0;
    return sim_create(sc, lv->proto, &so, &lv->sim, err, errcap);
}

int viz_live_open(struct viz_live *lv, struct scenario *sc, const struct viz_live_opts *o,
                  struct viz_tape *tape, char *err, size_t errcap)
{
    memset(lv, 0, sizeof *lv);
    lv->orig = sc;
    lv->tape = tape;
    if (o)
        lv->opts = *o;
    lv->proto = protocol_find(sc->protocol);
    if (!lv->proto) {
        snprintf(err, errcap, "%s: protocol: unknown protocol \"%s\" (faultline protocols lists them)",
                 sc->file, sc->protocol);
        return SIM_EINVAL;
    }
    struct sim_options so = {0};
    so.seed_set = lv->opts.seed_set;
    so.seed = lv->opts.seed;
    so.duration = lv->opts.duration;
    int rc = start_sim(lv, sc, &so, err, errcap);
    if (!rc && lv->error) {
        snprintf(err, errcap, "%s", lv->err);
        rc = lv->error;
    }
    return rc;
}

void viz_live_close(struct viz_live *lv)
{
    sim_destroy(lv->sim);
    for (int i = 0; i < lv->nsession; i++)
        fault_clear(&lv->session[i]);
    free(lv->session);
    scenario_free(lv->branch);
    scenario_free(lv->orig);
    memset(lv, 0, sizeof *lv);
}

/* ---- running ------------------------------------------------------------------------- */

static int check(struct viz_live *lv, int rc)
{
    if (rc < 0)
        return rc;
    return lv->error;
}

int viz_live_cover(struct viz_live *lv, sim_time t)
{
    if (sim_done(lv->sim) || sim_next_time(lv->sim) > t)
        return check(lv, 0);
    return check(lv, sim_run_until(lv->sim, t));
}

int viz_live_extend(struct viz_live *lv, int32_t nev)
{
    while (lv->tape->store.nev <= nev && !sim_done(lv->sim) && !lv->error) {
        int rc = sim_step(lv->sim);
        if (rc < 0)
            return rc;
    }
    return check(lv, 0);
}

bool viz_live_done(const struct viz_live *lv)
{
    return sim_done(lv->sim);
}

sim_time viz_live_covered(const struct viz_live *lv)
{
    if (sim_done(lv->sim))
        return SIM_TIME_NEVER;
    sim_time next = sim_next_time(lv->sim);
    return next == SIM_TIME_NEVER ? SIM_TIME_NEVER : next - 1;
}

/* The engine ran past `t`: run again to `t` from the scenario plus the
 * session's faults up to `t`, and forget what came after. */
static int branch(struct viz_live *lv, sim_time t, char *err, size_t errcap)
{
    int keep = 0;
    while (keep < lv->nsession && lv->session[keep].at <= t)
        keep++;
    struct scenario_write_opts wo = {0};
    wo.extra = lv->session;
    wo.extra_count = keep;
    wo.seed_set = true;
    wo.seed = sim_seed(lv->sim);
    wo.duration = sim_end_time(lv->sim);
    struct scenario *sc;
    int rc = scenario_with_faults(lv->orig, &wo, &sc, err, errcap);
    if (rc)
        return rc;
    struct sim *old = lv->sim;
    int64_t old_lines = lv->lines;
    struct sim_options so = {0};
    lv->diverged = false;
    rc = start_sim(lv, sc, &so, err, errcap);
    if (!rc)
        rc = sim_run_until(lv->sim, t);
    if (!rc)
        rc = lv->error;
    if (rc) {
        if (lv->error) {
            snprintf(err, errcap, "%s", lv->err);
            lv->error = 0;
        }
        sim_destroy(lv->sim);
        lv->sim = old;
        lv->lines = old_lines;
        scenario_free(sc);
        return rc;
    }
    sim_destroy(old);
    scenario_free(lv->branch);
    lv->branch = sc;
    for (int i = keep; i < lv->nsession; i++)
        fault_clear(&lv->session[i]);
    lv->nsession = keep;
    lv->branches++;
    return viz_tape_truncate(lv->tape, (int32_t)(lv->lines - 1));
}

int viz_live_inject(struct viz_live *lv, const struct fault *f, sim_time t, sim_time *at,
                    char *err, size_t errcap)
{
    if (lv->error) {
        snprintf(err, errcap, "%s", lv->err);
        return lv->error;
    }
    if (sim_clock(lv->sim) > t) {
        int rc = branch(lv, t, err, errcap);
        if (rc)
            return rc;
    }
    if (lv->nsession == lv->capsession) {
        int cap = lv->capsession ? lv->capsession * 2 : 16;
        struct fault *s = realloc(lv->session, (size_t)cap * sizeof *s);
        if (!s) {
            snprintf(err, errcap, "out of memory");
            return SIM_ENOMEM;
        }
        lv->session = s;
        lv->capsession = cap;
    }
    /* at the moment on screen (the engine never passed it: see above) */
    struct fault here = *f;
    here.at = t;
    int rc = sim_inject(lv->sim, &here, err, errcap);
    if (rc)
        return rc;
    const struct fault *rec = sim_recorded_get(lv->sim, sim_recorded_count(lv->sim) - 1);
    struct fault *mine = &lv->session[lv->nsession];
    if ((rc = fault_copy(mine, rec))) {
        snprintf(err, errcap, "out of memory");
        return rc;
    }
    snprintf(mine->path, sizeof mine->path, "session[%d]", lv->nsession);
    lv->nsession++;
    if (at)
        *at = rec->at;
    return SIM_OK;
}

/* The session number N of a path ".../NAME-session-N.json", or 0. */
static int session_number(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *p = NULL;
    for (const char *q = strstr(base, "-session-"); q; q = strstr(q + 1, "-session-"))
        p = q;
    if (!p)
        return 0;
    char *end;
    long n = strtol(p + strlen("-session-"), &end, 10);
    return n > 0 && n < 1000000 && strcmp(end, ".json") == 0 ? (int)n : 0;
}

int viz_live_save(const struct viz_live *lv, const char *path, char *err, size_t errcap)
{
    /* The file is a scenario of its own: "NAME-session-N", "TITLE (session
     * N)", so `faultline lessons`, the run summary and the viewer's title
     * tell it from the lesson it came from. A path of another form: its
     * file name, and "(session)". */
    struct scenario named = *lv->orig;
    char name[256], title[512];
    int n = session_number(path);
    const char *orig_title = lv->orig->title ? lv->orig->title : lv->orig->name;
    if (n > 0) {
        snprintf(name, sizeof name, "%s-session-%d", lv->orig->name, n);
        snprintf(title, sizeof title, "%s (session %d)", orig_title, n);
    } else {
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        size_t len = strlen(base);
        if (len > 5 && strcmp(base + len - 5, ".json") == 0)
            len -= 5;
        snprintf(name, sizeof name, "%.*s", (int)(len < sizeof name ? len : sizeof name - 1), base);
        snprintf(title, sizeof title, "%s (session)", orig_title);
    }
    named.name = name;
    named.title = title;
    struct scenario_write_opts wo = {0};
    wo.extra = lv->session;
    wo.extra_count = lv->nsession;
    wo.seed_set = true;
    wo.seed = sim_seed(lv->sim);
    wo.duration = sim_end_time(lv->sim);
    wo.drop_expect = true;
    return scenario_write_file(path, &named, &wo, err, errcap);
}

int viz_live_session_path(const struct viz_live *lv, const char *dir, char *buf, size_t cap)
{
    char name[128];
    size_t k = 0;
    for (const char *p = lv->orig->name; *p && k + 1 < sizeof name; p++)
        name[k++] = (*p == '/' || *p == ' ') ? '-' : *p;
    name[k] = '\0';
    for (int i = 1; i < 100000; i++) {
        snprintf(buf, cap, "%s%s%s-session-%d.json", dir ? dir : "", dir && *dir ? "/" : "",
                 name, i);
        struct stat st;
        if (stat(buf, &st) != 0)
            return SIM_OK;
    }
    return SIM_EIO;
}
