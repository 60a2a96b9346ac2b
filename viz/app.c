/* app.c - the viewer's controller: opens a trace or a live scenario, plays
 * time at a chosen speed, seeks and steps the cursor, turns the controls'
 * actions into recorded faults, saves sessions, and draws frames. */
#include "viz/app.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "viz/source.h"

#define TOAST_SECONDS 4.0

static const double speeds[] = {0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1,
                                2,     5,     10,    20,   50,   100,  200, 500, 1000};

void viz_app_toast(struct viz_app *a, bool bad, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->ui.toast, sizeof a->ui.toast, fmt, ap);
    va_end(ap);
    a->ui.toast_bad = bad;
    a->toast_left = TOAST_SECONDS;
}

sim_time viz_app_end(const struct viz_app *a)
{
    return a->tape.store.hdr.duration;
}

static void sync_ui(struct viz_app *a)
{
    /* the session is in time order: its first fault is where the run branched */
    a->ui.diverge_at = a->is_live && a->live.nsession > 0 ? a->live.session[0].at : SIM_TIME_NEVER;
    if (a->is_live) {
        a->ui.recorded = a->live.nsession;
        a->ui.session = a->live.session;
        a->ui.nsession = a->live.nsession;
        a->ui.sc = a->live.orig;
    }
}

/* A diagram span that shows messages as slanted lines (25 typical flight
 * times, the median of the first messages) without drowning in them (about
 * 400 messages at the rate they were sent), within 20ms..10s. */
sim_time viz_app_auto_window(const struct viz_store *s)
{
    enum { SAMPLE = 512 };
    sim_time f[SAMPLE];
    int n = 0;
    int32_t first = -1, last = -1;
    for (int32_t i = 0; i < s->nmsg && n < SAMPLE; i++)
        if (!(s->msg[i].flags & VIZ_MSG_AT_SEND)) {
            f[n++] = s->msg[i].arrive - s->msg[i].sent;
            if (first < 0)
                first = i;
            last = i;
        }
    if (n == 0)
        return 500 * SIM_MS;
    for (int i = 1; i < n; i++) /* insertion sort: a few hundred values */
        for (int j = i; j > 0 && f[j - 1] > f[j]; j--) {
            sim_time x = f[j];
            f[j] = f[j - 1];
            f[j - 1] = x;
        }
    sim_time w = f[n / 2] * 25;
    sim_time span = s->msg[last].sent - s->msg[first].sent;
    if (n >= 50 && span > 0) {
        sim_time by_rate = span * 400 / n;
        if (by_rate < w)
            w = by_rate;
    }
    return w < 20 * SIM_MS ? 20 * SIM_MS : w > 10 * SIM_S ? 10 * SIM_S : w;
}

int viz_app_open(struct viz_app *a, const char *path, const struct viz_app_opts *o, char *err,
                 size_t errcap)
{
    static const struct viz_app_opts none = {0};
    if (!o)
        o = &none;
    memset(a, 0, sizeof *a);
    viz_tape_init(&a->tape, path);
    a->ui.hover_node = -1;
    a->ui.hover_msg = -1;
    a->ui.hover_mark = -1;
    a->ui.speed = o->speed > 0 ? o->speed : 0.05;
    if (a->ui.speed < VIZ_SPEED_MIN)
        a->ui.speed = VIZ_SPEED_MIN;
    if (a->ui.speed > VIZ_SPEED_MAX)
        a->ui.speed = VIZ_SPEED_MAX;
    a->ui.paused = o->paused;
    a->ui.diagram = o->diagram;
    a->ui.log = o->log;
    a->ui.diverge_at = SIM_TIME_NEVER;
    a->caption_shown = -1;
    a->measured_ev = -2;
    a->ui.diagram_window = 500 * SIM_MS;
    a->press_node = -1;
    a->press_msg = -1;
    if (o->save_dir)
        snprintf(a->save_dir, sizeof a->save_dir, "%s", o->save_dir);
    enum viz_source_kind kind;
    int rc = viz_source_kind(path, &kind, err, errcap);
    if (rc)
        goto fail;
    if (kind == VIZ_SOURCE_TRACE) {
        if ((rc = viz_tape_load(&a->tape, path, err, errcap)))
            goto fail;
    } else {
        struct scenario *sc;
        if ((rc = scenario_load(path, &sc, err, errcap)))
            goto fail;
        struct viz_live_opts lo = {o->seed_set, o->seed, o->duration};
        rc = viz_live_open(&a->live, sc, &lo, &a->tape, err, errcap);
        a->has_live = true;
        if (rc)
            goto fail;
        a->is_live = !o->run_ahead;
        if (o->run_ahead && (rc = viz_live_cover(&a->live, SIM_TIME_NEVER - 1))) {
            snprintf(err, errcap, "%s: the run failed: %s", path,
                     a->live.error ? a->live.err : sim_strerror(rc));
            goto fail;
        }
    }
    a->ui.live = a->is_live;
    /* narrated playback is for lessons: runs with captions */
    bool captions = a->tape.store.captions.n > 0 || (a->has_live && a->live.orig->caption_count > 0);
    a->ui.narrate = captions && o->narrate && !o->no_narrate;
    a->L.caption_marks = captions;
    a->L.log_on = a->ui.log;
    a->ui.diagram_window = viz_app_auto_window(&a->tape.store);
    if ((rc = viz_cursor_init(&a->cur, &a->tape)))
        goto fail;
    a->info = calloc((size_t)a->tape.store.hdr.nodes, sizeof *a->info);
    if (!a->info) {
        rc = SIM_ENOMEM;
        snprintf(err, errcap, "out of memory");
        goto fail;
    }
    sync_ui(a);
    sim_time start = o->start_at < 0 ? 0 : o->start_at;
    if (start > viz_app_end(a))
        start = viz_app_end(a);
    if ((rc = viz_app_seek(a, start))) {
        snprintf(err, errcap, "%s: %s", path, a->live.error ? a->live.err : sim_strerror(rc));
        goto fail;
    }
    /* narrated: a caption right where we start is the first stop */
    if (a->ui.narrate && a->cur.m.caption_ev >= 0 &&
        a->tape.store.ev[a->cur.m.caption_ev].t == a->cur.m.t)
        a->ui.paused = true;
    return SIM_OK;
fail:
    viz_app_close(a);
    return rc;
}

void viz_app_close(struct viz_app *a)
{
    viz_text_close(a->tx);
    viz_gfx_free(&a->g);
    viz_layout_free(&a->L);
    free(a->info);
    free(a->labels);
    viz_cursor_free(&a->cur);
    if (a->has_live)
        viz_live_close(&a->live);
    viz_tape_free(&a->tape);
    memset(a, 0, sizeof *a);
}

int viz_app_attach(struct viz_app *a, SDL_Renderer *r, int w, int h, char *err, size_t errcap)
{
    a->r = r;
    a->w = w;
    a->h = h;
    viz_gfx_free(&a->g);
    viz_gfx_init(&a->g, r);
    int rc = viz_layout_compute(&a->L, w, h, a->tape.store.hdr.nodes, a->ui.diagram);
    if (rc) {
        snprintf(err, errcap, "out of memory");
        return rc;
    }
    viz_text_close(a->tx);
    a->tx = NULL;
    return viz_text_open(&a->tx, r, a->L.s, err, errcap);
}

int viz_app_resize(struct viz_app *a, int w, int h)
{
    float old = a->L.s;
    a->w = w;
    a->h = h;
    int rc = viz_layout_compute(&a->L, w, h, a->tape.store.hdr.nodes, a->ui.diagram);
    if (!rc && a->tx && fabsf(a->L.s - old) > 1e-4f)
        rc = viz_text_rescale(a->tx, a->L.s);
    return rc;
}

/* ---- time ------------------------------------------------------------------------- */

int viz_app_seek(struct viz_app *a, sim_time t)
{
    sim_time end = viz_app_end(a);
    if (t < 0)
        t = 0;
    if (t > end)
        t = end;
    if (a->is_live) {
        int rc = viz_live_cover(&a->live, t);
        if (rc)
            return rc;
    }
    int rc = viz_cursor_seek_time(&a->cur, &a->tape, t);
    sync_ui(a);
    return rc;
}

/* Says which event a step went over: "stepped: n3 receives AppendEntries from n1". */
static void step_toast(struct viz_app *a, int32_t ev, const char *how)
{
    char words[400], when[32];
    const struct viz_store *s = &a->tape.store;
    viz_event_words(s, ev, s->hdr.epoch[0] ? s->hdr.epoch : "term", words, sizeof words);
    scenario_format_time(s->ev[ev].t, when, sizeof when);
    viz_app_toast(a, false, "%s: %s (at %s)", how, words, when);
}

int viz_app_step(struct viz_app *a, int dir)
{
    a->ui.paused = true;
    int32_t k = a->cur.m.k;
    const struct viz_store *s = &a->tape.store;
    if (dir > 0) {
        if (a->is_live && k >= s->nev) {
            int rc = viz_live_extend(&a->live, k);
            if (rc)
                return rc;
        }
        if (k >= s->nev) {
            viz_app_toast(a, false, "stepped: nothing more, the run is over");
            return SIM_OK;
        }
        step_toast(a, k, "stepped");
        return viz_cursor_seek(&a->cur, &a->tape, k + 1, s->ev[k].t);
    }
    if (k == 0) {
        viz_app_toast(a, false, "stepped back: this is the start");
        return SIM_OK;
    }
    step_toast(a, k - 1, "stepped back over");
    return viz_cursor_seek(&a->cur, &a->tape, k - 1, k >= 2 ? s->ev[k - 2].t : 0);
}

int viz_app_tick(struct viz_app *a, double seconds)
{
    if (a->toast_left > 0) {
        a->toast_left -= seconds;
        if (a->toast_left <= 0)
            a->ui.toast[0] = '\0';
    }
    if (a->ui.paused || seconds <= 0)
        return SIM_OK;
    sim_time end = viz_app_end(a);
    if (a->cur.m.t >= end) {
        a->ui.paused = true;
        return SIM_OK;
    }
    double adv = seconds * a->ui.speed * 1e6 + a->frac_us;
    double whole = floor(adv);
    a->frac_us = adv - whole;
    sim_time t0 = a->cur.m.t, t = t0 + (sim_time)whole;
    if (t >= end) {
        t = end;
        a->ui.paused = true;
    }
    int rc = viz_app_seek(a, t);
    if (!rc)
        rc = viz_app_narrate_stop(a, t0, t);
    if (rc)
        viz_app_toast(a, true, "the engine stopped: %s", a->live.error ? a->live.err : sim_strerror(rc));
    else if (a->r) /* messages moved: what is under the mouse now? */
        viz_app_hover(a, a->ui.mouse_x, a->ui.mouse_y);
    return rc;
}

void viz_app_set_speed(struct viz_app *a, double speed)
{
    if (speed < VIZ_SPEED_MIN)
        speed = VIZ_SPEED_MIN;
    if (speed > VIZ_SPEED_MAX)
        speed = VIZ_SPEED_MAX;
    a->ui.speed = speed;
    a->frac_us = 0;
}

void viz_app_speed_step(struct viz_app *a, int dir)
{
    int n = (int)(sizeof speeds / sizeof speeds[0]);
    int i = 0;
    while (i + 1 < n && speeds[i] < a->ui.speed * 0.999)
        i++; /* the notch at or just above the current speed */
    if (dir > 0)
        i = speeds[i] > a->ui.speed * 1.001 ? i : i + 1;
    else
        i = i - 1;
    i = i < 0 ? 0 : i >= n ? n - 1 : i;
    viz_app_set_speed(a, speeds[i]);
    char buf[32];
    viz_speed_text(a->ui.speed, buf, sizeof buf);
    viz_app_toast(a, false, "speed %s of simulated time", buf);
}

/* ---- faults ------------------------------------------------------------------------- */

static bool need_live(struct viz_app *a)
{
    if (a->is_live)
        return true;
    viz_app_toast(a, true, "replaying a trace: open the scenario (faultline view SCENARIO) to click faults in");
    return false;
}

/* Injects f at the cursor and moves the cursor to where it shows. */
static int inject(struct viz_app *a, const struct fault *f, const char *what)
{
    char err[256];
    sim_time at;
    int branches = (int)a->live.branches;
    int rc = viz_live_inject(&a->live, f, a->cur.m.t, &at, err, sizeof err);
    if (rc) {
        viz_app_toast(a, true, "cannot %s: %s", what, err);
        return rc;
    }
    a->unsaved = true;
    if (a->cur.m.k > a->tape.store.nev) /* the tape was cut back: restart the cursor */
        viz_cursor_seek(&a->cur, &a->tape, 0, 0);
    sim_time t = a->cur.m.t > at ? a->cur.m.t : at;
    rc = viz_app_seek(a, t);
    char when[32];
    scenario_format_time(at, when, sizeof when);
    if (a->live.diverged)
        viz_app_toast(a, true, "%s at %s - but the re-run did not reproduce the recording (engine not deterministic?)",
                      what, when);
    else if ((int)a->live.branches > branches)
        viz_app_toast(a, false, "%s at %s (re-ran to here and branched; later clicks dropped) - S saves",
                      what, when);
    else
        viz_app_toast(a, false, "%s at %s (recorded: %d fault%s this session - S saves)", what, when,
                      a->live.nsession, a->live.nsession == 1 ? "" : "s");
    return rc;
}

int viz_app_toggle_node(struct viz_app *a, int node, bool lose_unsynced)
{
    if (!need_live(a) || node < 0 || node >= a->cur.m.nnodes)
        return SIM_EINVAL;
    struct fault f;
    memset(&f, 0, sizeof f);
    f.bridge = -1;
    f.target.node = node;
    char what[64];
    if (a->cur.m.nodes[node].up) {
        f.kind = FAULT_CRASH;
        f.lose_unsynced = lose_unsynced;
        snprintf(what, sizeof what, "crash n%d%s", node + 1, lose_unsynced ? " losing unsynced writes" : "");
    } else {
        f.kind = FAULT_RECOVER;
        snprintf(what, sizeof what, "recover n%d", node + 1);
    }
    return inject(a, &f, what);
}

int viz_app_partition(struct viz_app *a, float x0, float y0, float x1, float y1)
{
    if (!need_live(a))
        return SIM_EINVAL;
    int n = a->L.nnodes;
    int *side[2] = {malloc((size_t)n * sizeof(int)), malloc((size_t)n * sizeof(int))};
    int count[2] = {0, 0};
    if (!side[0] || !side[1]) {
        free(side[0]);
        free(side[1]);
        return SIM_ENOMEM;
    }
    float dx = x1 - x0, dy = y1 - y0;
    for (int i = 0; i < n; i++) {
        float cross = dx * (a->L.ny[i] - y0) - dy * (a->L.nx[i] - x0);
        int k = cross > 0 ? 1 : 0;
        side[k][count[k]++] = i;
    }
    int rc = SIM_EINVAL;
    if (count[0] == 0 || count[1] == 0)
        viz_app_toast(a, true, "draw the line between nodes: every node is on one side");
    else {
        struct fault f;
        memset(&f, 0, sizeof f);
        f.kind = FAULT_PARTITION;
        f.bridge = -1;
        f.target.node = -1;
        f.groups = side;
        f.group_sizes = count;
        f.group_count = 2;
        char what[160];
        size_t used = (size_t)snprintf(what, sizeof what, "partition {");
        for (int g = 0; g < 2 && used + 12 < sizeof what; g++)
            for (int i = 0; i < count[g] && used + 12 < sizeof what; i++)
                used += (size_t)snprintf(what + used, sizeof what - used, "%sn%d",
                                         i ? " " : g ? "} | {" : "", side[g][i] + 1);
        if (used + 2 < sizeof what)
            snprintf(what + used, sizeof what - used, "}");
        rc = inject(a, &f, what);
    }
    free(side[0]);
    free(side[1]);
    return rc;
}

int viz_app_heal(struct viz_app *a)
{
    if (!need_live(a))
        return SIM_EINVAL;
    struct fault f;
    memset(&f, 0, sizeof f);
    f.kind = FAULT_HEAL;
    f.bridge = -1;
    f.target.node = -1;
    return inject(a, &f, "heal every link");
}

int viz_app_drop_message(struct viz_app *a, int32_t msg)
{
    if (!need_live(a) || msg < 0 || msg >= a->tape.store.nmsg)
        return SIM_EINVAL;
    const struct viz_msg *m = &a->tape.store.msg[msg];
    struct fault f;
    memset(&f, 0, sizeof f);
    f.kind = FAULT_DROP_MESSAGE;
    f.bridge = -1;
    f.target.node = -1;
    f.msg_id = m->id;
    char what[96];
    snprintf(what, sizeof what, "drop %s n%d -> n%d", a->tape.store.types[m->type], m->from + 1,
             m->to + 1);
    return inject(a, &f, what);
}

int viz_app_save(struct viz_app *a, const char *path)
{
    if (!a->is_live) {
        viz_app_toast(a, true, "replaying a trace: there is no session to save (view a scenario to record one)");
        return SIM_EINVAL;
    }
    char buf[768], err[512];
    if (!path) {
        if (viz_live_session_path(&a->live, a->save_dir[0] ? a->save_dir : NULL, buf, sizeof buf)) {
            viz_app_toast(a, true, "cannot pick a file name for the session");
            return SIM_EIO;
        }
        path = buf;
    }
    int rc = viz_live_save(&a->live, path, err, sizeof err);
    if (rc) {
        viz_app_toast(a, true, "not saved: %s", err);
        return rc;
    }
    snprintf(a->last_saved, sizeof a->last_saved, "%s", path);
    a->unsaved = false;
    viz_app_toast(a, false, "saved %s (%d fault%s) - replay: faultline run %s", path,
                  a->live.nsession, a->live.nsession == 1 ? "" : "s", path);
    return SIM_OK;
}

int viz_app_autosave(struct viz_app *a)
{
    if (!a->is_live || !a->unsaved || a->live.nsession == 0)
        return 0;
    int rc = viz_app_save(a, NULL);
    return rc ? rc : 1;
}

/* ---- drawing ---------------------------------------------------------------------------- */

void viz_app_draw_ctx(struct viz_app *a, struct viz_draw *d)
{
    memset(d, 0, sizeof *d);
    d->g = &a->g;
    d->tx = a->tx;
    d->L = &a->L;
    d->tape = &a->tape;
    d->m = &a->cur.m;
    d->ui = &a->ui;
    d->info = a->info;
    d->s = a->L.s;
    d->epoch = a->tape.store.hdr.epoch[0] ? a->tape.store.hdr.epoch : "term";
}

int viz_app_render(struct viz_app *a)
{
    if (!a->r || !a->tx)
        return SIM_EINVAL;
    sync_ui(a);
    if (a->cur.m.caption_ev != a->caption_shown) { /* a new caption starts at its top */
        a->caption_shown = a->cur.m.caption_ev;
        a->ui.caption_scroll = 0;
    }
    struct viz_draw d;
    viz_app_draw_ctx(a, &d);
    /* the strip's words are measured again only when they or its width change */
    int32_t ce = a->cur.m.caption_ev;
    bool stale = viz_caption_stale(&a->tape.store, &a->ui, ce);
    float want = a->L.caption_want;
    if (ce != a->measured_ev || stale != a->measured_stale || a->L.caption.w != a->measured_w ||
        a->L.s != a->measured_s || want <= 0) {
        want = viz_caption_height(&d);
        a->measured_ev = ce;
        a->measured_stale = stale;
        a->measured_w = a->L.caption.w;
        a->measured_s = a->L.s;
        a->caption_pages = 0;
    }
    if (a->L.diagram_on != a->ui.diagram || a->L.log_on != a->ui.log ||
        fabsf(want - a->L.caption_want) > 0.5f) {
        a->L.caption_want = want;
        a->L.log_on = a->ui.log;
        int rc = viz_layout_compute(&a->L, a->w, a->h, a->tape.store.hdr.nodes, a->ui.diagram);
        if (rc)
            return rc;
    }
    if (a->caption_pages <= 0 || a->L.caption.w != a->measured_w)
        a->caption_pages = viz_caption_pages(&d);
    if (a->ui.caption_scroll >= a->caption_pages)
        a->ui.caption_scroll = a->caption_pages - 1;
    if (!a->labels && !(a->labels = malloc(sizeof *a->labels)))
        return SIM_ENOMEM;
    viz_labels_reset(a->labels, (float)a->w, (float)a->h);
    viz_app_draw_ctx(a, &d);
    d.labels = a->labels;
    int rc = viz_frame_prepare(&d);
    if (!rc)
        viz_frame_draw(&d);
    viz_frame_release(&d);
    viz_text_frame_end(a->tx);
    return rc;
}
