/* test_viz_session.c - faults clicked into a live run: each control injects
 * and records its fault, a saved session is a scenario that replays the
 * very same run (same trace hash, through the engine and through
 * `faultline run`), and a fault clicked in after rewinding re-runs the
 * engine to that moment and branches there. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "protocols/registry.h"
#include "sim/engine.h"
#include "viz/app.h"
#include "viz/offscreen.h"

#define W 1280
#define H 720
#define LESSON FAULTLINE_SOURCE_DIR "/scenarios/pb-heartbeat-split-brain.json"

struct fixture {
    struct viz_app app;
    struct viz_offscreen off;
    char dir[256];
};

static void open_live(struct fixture *fx, const char *path)
{
    char err[512];
    snprintf(fx->dir, sizeof fx->dir, "/tmp/faultline-vizs-%ld", (long)getpid());
    mkdir(fx->dir, 0777);
    struct viz_app_opts o = {.paused = true, .save_dir = fx->dir};
    cr_assert_eq(viz_app_open(&fx->app, path, &o, err, sizeof err), 0, "%s", err);
    cr_assert(fx->app.is_live);
    cr_assert_eq(viz_offscreen_open(&fx->off, W, H, err, sizeof err), 0, "%s", err);
    cr_assert_eq(viz_app_attach(&fx->app, fx->off.r, W, H, err, sizeof err), 0, "%s", err);
}

static void close_fixture(struct fixture *fx)
{
    viz_app_close(&fx->app);
    viz_offscreen_close(&fx->off);
    DIR *d = opendir(fx->dir);
    if (d) {
        struct dirent *de;
        while ((de = readdir(d))) {
            if (de->d_name[0] == '.')
                continue;
            char p[600];
            snprintf(p, sizeof p, "%s/%s", fx->dir, de->d_name);
            unlink(p);
        }
        closedir(d);
        rmdir(fx->dir);
    }
}

static void mouse(struct viz_app *a, Uint32 type, float x, float y)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = type;
    if (type == SDL_MOUSEMOTION) {
        e.motion.x = (int)lroundf(x);
        e.motion.y = (int)lroundf(y);
    } else {
        e.button.button = SDL_BUTTON_LEFT;
        e.button.x = (int)lroundf(x);
        e.button.y = (int)lroundf(y);
    }
    viz_app_event(a, &e);
}

static void click(struct viz_app *a, float x, float y)
{
    mouse(a, SDL_MOUSEMOTION, x, y);
    mouse(a, SDL_MOUSEBUTTONDOWN, x, y);
    mouse(a, SDL_MOUSEBUTTONUP, x, y);
}

static void key(struct viz_app *a, SDL_Keycode sym)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_KEYDOWN;
    e.key.keysym.sym = sym;
    viz_app_event(a, &e);
}

static void seek(struct fixture *fx, sim_time t)
{
    cr_assert_eq(viz_app_seek(&fx->app, t), 0);
    cr_assert_eq(viz_app_render(&fx->app), 0);
}

/* Runs a scenario file through the engine alone; returns its trace hash. */
static uint64_t replay_hash(const char *path)
{
    struct scenario *sc;
    char err[512];
    cr_assert_eq(scenario_load(path, &sc, err, sizeof err), 0, "%s", err);
    struct sim_options o = {.trace_hash = true};
    struct sim *s;
    cr_assert_eq(sim_create(sc, protocol_find(sc->protocol), &o, &s, err, sizeof err), 0, "%s", err);
    cr_assert_eq(sim_run(s), 0);
    uint64_t h = sim_trace_hash(s);
    sim_destroy(s);
    scenario_free(sc);
    return h;
}

/* Runs a saved session through the engine alone under the name and title of
 * the scenario it was recorded on (the file has its own: "NAME-session-N",
 * "TITLE (session N)", which the trace header carries); returns its trace
 * hash, comparable with the live run's. */
static uint64_t session_hash(const char *path, const struct scenario *orig)
{
    struct scenario *sc;
    char err[512];
    cr_assert_eq(scenario_load(path, &sc, err, sizeof err), 0, "%s", err);
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    char want[512];
    snprintf(want, sizeof want, "%s.json", sc->name);
    cr_expect_str_eq(base, want, "the session is named for its file");
    cr_expect(strncmp(sc->name, orig->name, strlen(orig->name)) == 0 &&
                  strncmp(sc->name + strlen(orig->name), "-session-", 9) == 0,
              "%s", sc->name);
    int n = atoi(sc->name + strlen(orig->name) + 9);
    snprintf(want, sizeof want, "%s (session %d)", orig->title, n);
    cr_expect_str_eq(sc->title, want);
    char *own_name = sc->name, *own_title = sc->title;
    sc->name = orig->name;
    sc->title = orig->title;
    struct sim_options o = {.trace_hash = true};
    struct sim *s;
    cr_assert_eq(sim_create(sc, protocol_find(sc->protocol), &o, &s, err, sizeof err), 0, "%s", err);
    cr_assert_eq(sim_run(s), 0);
    uint64_t h = sim_trace_hash(s);
    sim_destroy(s);
    sc->name = own_name;
    sc->title = own_title;
    scenario_free(sc);
    return h;
}

/* Runs the live session to its end; returns its trace hash. */
static uint64_t finish(struct fixture *fx)
{
    seek(fx, viz_app_end(&fx->app));
    cr_assert(viz_live_done(&fx->app.live));
    return sim_trace_hash(fx->app.live.sim);
}

Test(viz_session, every_control_records_a_fault_and_the_session_replays_exactly)
{
    struct fixture fx;
    open_live(&fx, LESSON);
    struct viz_app *a = &fx.app;
    const struct viz_layout *L = &a->L;
    /* click n2: crash; click again later: recover */
    seek(&fx, 700 * SIM_MS);
    click(a, L->nx[1], L->ny[1]);
    cr_expect(!a->cur.m.nodes[1].up, "%s", a->ui.toast);
    cr_assert_eq(a->live.nsession, 1);
    cr_expect(a->live.session[0].at >= 700 * SIM_MS && a->live.session[0].at < 701 * SIM_MS,
              "the crash lands at the moment on screen, not at the engine's last event: %lld",
              (long long)a->live.session[0].at);
    seek(&fx, 1100 * SIM_MS);
    click(a, L->nx[1], L->ny[1]);
    cr_expect(a->cur.m.nodes[1].up, "%s", a->ui.toast);
    /* drag a line between n3 (left) and the others: a partition */
    seek(&fx, 1300 * SIM_MS);
    float x = L->cx - 0.45f * L->ring_r;
    mouse(a, SDL_MOUSEMOTION, x, L->view.y + 4);
    mouse(a, SDL_MOUSEBUTTONDOWN, x, L->view.y + 4);
    mouse(a, SDL_MOUSEMOTION, x + 2, L->cy);
    cr_expect(a->ui.drag_partition, "dragging draws a line");
    mouse(a, SDL_MOUSEMOTION, x + 4, L->view.y + L->view.h - 4);
    mouse(a, SDL_MOUSEBUTTONUP, x + 4, L->view.y + L->view.h - 4);
    cr_expect(!a->ui.drag_partition);
    cr_assert_eq(a->cur.m.nblocks, 1, "%s", a->ui.toast);
    /* H heals */
    seek(&fx, 1600 * SIM_MS);
    key(a, SDLK_h);
    cr_expect_eq(a->cur.m.nblocks, 0, "%s", a->ui.toast);
    /* click a message in flight: it is dropped */
    int32_t hit = -1;
    float mx = 0, my = 0;
    for (sim_time t = 1700 * SIM_MS; hit < 0 && t < 3 * SIM_S; t += SIM_MS) {
        seek(&fx, t);
        struct viz_draw d;
        viz_app_draw_ctx(a, &d);
        for (int32_t k = 0; k < a->cur.m.nlive && hit < 0; k++) {
            double fall;
            if (viz_msg_screen(&d, a->cur.m.live[k], &mx, &my, &fall) && fall == 0 &&
                viz_layout_node_at(L, mx, my) < 0 && viz_msg_hit(&d, mx, my) == a->cur.m.live[k])
                hit = a->cur.m.live[k];
        }
    }
    cr_assert_geq(hit, 0, "a message to click");
    int before = a->live.nsession;
    click(a, mx, my);
    cr_expect_eq(a->live.nsession, before + 1, "%s", a->ui.toast);
    cr_expect_eq(a->live.session[a->live.nsession - 1].kind, FAULT_DROP_MESSAGE);
    cr_expect_eq(a->live.session[a->live.nsession - 1].msg_id, a->tape.store.msg[hit].id);
    cr_expect_eq(a->live.nsession, 5);
    cr_expect_eq(a->live.branches, 0, "going forward never re-runs");
    /* to the end, then S saves the session */
    uint64_t live = finish(&fx);
    cr_expect_neq(live, replay_hash(LESSON), "the clicks changed the run");
    key(a, SDLK_s);
    cr_assert_neq(a->last_saved[0], '\0', "%s", a->ui.toast);
    cr_expect_not_null(strstr(a->last_saved, "pb-heartbeat-split-brain-session-1.json"), "%s", a->last_saved);
    cr_expect_eq(session_hash(a->last_saved, a->live.orig), live, "the saved session replays the same run");
    /* and through the command line, as a student would */
    char cmd[1024], out[8192];
    snprintf(cmd, sizeof cmd, "%s run %s --no-color 2>&1", FAULTLINE_BIN, a->last_saved);
    FILE *p = popen(cmd, "r");
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    cr_expect_eq(WEXITSTATUS(status), 0, "no expectations in a session: %s", out);
    char hash[32];
    snprintf(hash, sizeof hash, "%016llx", (unsigned long long)replay_hash(a->last_saved));
    cr_expect_not_null(strstr(out, hash), "faultline run prints the session's hash %s:\n%s", hash, out);
    cr_expect_not_null(strstr(out, "pb-heartbeat-split-brain-session-1 — Heartbeat failover makes two "
                                   "primaries (session 1)"),
                       "the run names the session:\n%s", out);
    /* a second save does not overwrite the first */
    char first[768];
    snprintf(first, sizeof first, "%s", a->last_saved);
    key(a, SDLK_s);
    cr_expect_str_neq(a->last_saved, first);
    cr_expect_not_null(strstr(a->last_saved, "-session-2.json"));
    close_fixture(&fx);
}

Test(viz_session, a_fault_clicked_in_after_rewinding_branches_by_deterministic_rerun)
{
    struct fixture fx;
    open_live(&fx, LESSON);
    struct viz_app *a = &fx.app;
    const struct viz_layout *L = &a->L;
    seek(&fx, 2 * SIM_S);
    click(a, L->nx[2], L->ny[2]); /* crash n3 at 2s */
    cr_assert_eq(a->live.nsession, 1);
    seek(&fx, 4 * SIM_S);
    int32_t recorded = a->tape.store.nev;
    /* back to 1s: the tape shows it exactly, the engine is still at 4s */
    seek(&fx, 1 * SIM_S);
    cr_expect_eq(a->tape.store.nev, recorded, "seeking back only reads the recording");
    cr_expect(a->cur.m.nodes[2].up);
    click(a, L->nx[0], L->ny[0]); /* crash n1 at 1s: the engine must go back */
    cr_expect_eq(a->live.branches, 1, "re-ran to 1s: %s", a->ui.toast);
    cr_expect(!a->live.diverged, "the re-run reproduced the recording");
    cr_expect_eq(a->live.nsession, 1, "the 2s crash belonged to the abandoned future");
    cr_expect_eq(a->live.session[0].target.node, 0);
    cr_expect(!a->cur.m.nodes[0].up);
    cr_expect_lt(a->tape.store.nev, recorded, "the old future is cut off the tape");
    uint64_t live = finish(&fx);
    cr_expect(a->cur.m.nodes[2].up, "n3 was never crashed in this branch");
    key(a, SDLK_s);
    cr_assert_neq(a->last_saved[0], '\0', "%s", a->ui.toast);
    cr_expect_eq(session_hash(a->last_saved, a->live.orig), live);
    close_fixture(&fx);
}

Test(viz_session, a_seed_given_on_the_command_line_is_saved_with_the_session)
{
    struct fixture fx;
    char err[512];
    snprintf(fx.dir, sizeof fx.dir, "/tmp/faultline-vizs2-%ld", (long)getpid());
    mkdir(fx.dir, 0777);
    /* 7s: shorter than the lesson, but past its heal at 6s, on which a caption fires */
    struct viz_app_opts o = {.paused = true, .save_dir = fx.dir, .seed_set = true, .seed = 12345,
                             .duration = 7 * SIM_S};
    cr_assert_eq(viz_app_open(&fx.app, LESSON, &o, err, sizeof err), 0, "%s", err);
    cr_assert_eq(viz_offscreen_open(&fx.off, W, H, err, sizeof err), 0, "%s", err);
    cr_assert_eq(viz_app_attach(&fx.app, fx.off.r, W, H, err, sizeof err), 0, "%s", err);
    seek(&fx, 1500 * SIM_MS);
    cr_assert_eq(viz_app_heal(&fx.app), 0);
    uint64_t live = finish(&fx);
    cr_assert_eq(viz_app_save(&fx.app, NULL), 0, "%s", fx.app.ui.toast);
    struct scenario *sc;
    cr_assert_eq(scenario_load(fx.app.last_saved, &sc, err, sizeof err), 0, "%s", err);
    cr_expect_eq(sc->seed, 12345u);
    cr_expect_eq(sc->duration, 7 * SIM_S);
    cr_expect_eq(sc->expect.violations, EXPECT_UNSET, "clicked-in faults change the outcome: no expect");
    scenario_free(sc);
    cr_expect_eq(session_hash(fx.app.last_saved, fx.app.live.orig), live);
    close_fixture(&fx);
}

/* Esc backs out one level at a time: a stray Esc during a projector demo
 * leaves full screen instead of ending the session (issue 12). */
Test(viz_session, escape_leaves_full_screen_before_it_quits)
{
    struct fixture fx;
    open_live(&fx, LESSON);
    struct viz_app *a = &fx.app;
    a->want_fullscreen = true;
    key(a, SDLK_ESCAPE);
    cr_expect(!a->want_fullscreen, "Esc leaves full screen");
    cr_expect(!a->quit, "and does not quit");
    key(a, SDLK_F1);
    cr_expect(a->ui.help);
    key(a, SDLK_ESCAPE);
    cr_expect(!a->ui.help && !a->quit, "Esc closes the help first");
    key(a, SDLK_ESCAPE);
    cr_expect(a->quit, "outside full screen and help, Esc quits");
    close_fixture(&fx);
}

/* Quitting never loses clicked-in faults: they are saved as S would, once,
 * and a session with nothing new is not saved again. */
Test(viz_session, quitting_saves_the_faults_clicked_in_since_the_last_save)
{
    struct fixture fx;
    open_live(&fx, LESSON);
    struct viz_app *a = &fx.app;
    cr_expect_eq(viz_app_autosave(a), 0, "nothing clicked in: nothing to save");
    seek(&fx, 1500 * SIM_MS);
    cr_assert_eq(viz_app_heal(a), 0);
    uint64_t live = finish(&fx);
    cr_assert_eq(viz_app_autosave(a), 1, "%s", a->ui.toast);
    cr_expect_not_null(strstr(a->last_saved, fx.dir), "saved in the save directory: %s",
                       a->last_saved);
    cr_expect_eq(session_hash(a->last_saved, a->live.orig), live, "the autosaved session replays exactly");
    cr_expect_eq(viz_app_autosave(a), 0, "already saved: not saved twice");
    close_fixture(&fx);
}
