/* test_viz_narration.c - the lesson told on every click: captions drawn
 * whole however long (the strip grows, then pages), narrated playback that
 * stops at each caption until Space, N and P between captions, the event
 * log ("What happened") in the protocol's own epoch word, the step key
 * naming the event it stepped over, and captions of a branched live run
 * told apart: time-anchored ones come from the original run, triggered ones
 * fire truthfully. Offscreen; the app is driven through its functions and
 * synthetic key events, and asserted on through the frame's label record. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "viz/app.h"
#include "viz/offscreen.h"

#define W 1280
#define H 720
#define SCENARIOS FAULTLINE_SOURCE_DIR "/scenarios/"
#define CAPTION_MAX 64

struct fixture {
    struct viz_app app;
    struct viz_offscreen off;
};

static void setup_env(void)
{
    setenv("SDL_VIDEODRIVER", "offscreen", 1);
}

TestSuite(viz_caption, .init = setup_env);
TestSuite(viz_narrated, .init = setup_env);
TestSuite(viz_log, .init = setup_env);
TestSuite(viz_branch, .init = setup_env);

static void open_fixture(struct fixture *fx, const char *path, const struct viz_app_opts *o)
{
    char err[512];
    cr_assert_eq(viz_app_open(&fx->app, path, o, err, sizeof err), 0, "%s: %s", path, err);
    cr_assert_eq(viz_offscreen_open(&fx->off, W, H, err, sizeof err), 0, "%s", err);
    cr_assert_eq(viz_app_attach(&fx->app, fx->off.r, W, H, err, sizeof err), 0, "%s", err);
}

static const char *write_lesson(void);

static void close_fixture(struct fixture *fx)
{
    viz_app_close(&fx->app); /* its textures go before their renderer */
    viz_offscreen_close(&fx->off);
    char path[256];
    snprintf(path, sizeof path, "/tmp/faultline-vizn-%ld-lesson.json", (long)getpid());
    unlink(path);
}

static void key(struct viz_app *a, SDL_Keycode sym)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_KEYDOWN;
    e.key.keysym.sym = sym;
    viz_app_event(a, &e);
}

/* Writes the frame to $FAULTLINE_TEST_PNG_DIR/name.png when set (to look at it). */
static void save_png(struct fixture *fx, const char *name)
{
    const char *dir = getenv("FAULTLINE_TEST_PNG_DIR");
    if (!dir)
        return;
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/%s.png", dir, name);
    viz_png_write(fx->off.surf, path, err, sizeof err);
}

/* The label whose text contains `part`, or -1. */
static int label_with(const struct viz_labels *l, const char *part)
{
    for (int i = 0; i < l->n; i++)
        if (strstr(l->text[i], part))
            return i;
    return -1;
}

/* Labels never overlap, never leave the window, are never cut. */
static void expect_clean(const struct viz_labels *l)
{
    for (int i = 0; i < l->n; i++) {
        cr_expect(viz_rect_inside(&l->rect[i], &l->window), "\"%s\" leaves the window", l->text[i]);
        cr_expect_null(strstr(l->text[i], "\u2026"), "\"%s\" is cut", l->text[i]);
        for (int j = i + 1; j < l->n; j++)
            cr_expect(!viz_rect_overlaps(&l->rect[i], &l->rect[j]), "\"%s\" and \"%s\" overlap",
                      l->text[i], l->text[j]);
    }
}

/* Appends to `out` the words of the labels inside the caption strip, in
 * the order drawn (the pager and the "original run" header excepted). */
static void caption_words(const struct fixture *fx, char *out, size_t cap)
{
    const struct viz_labels *l = fx->app.labels;
    for (int i = 0; i < l->n; i++) {
        if (!viz_rect_inside(&l->rect[i], &fx->app.L.caption) || strstr(l->text[i], "PgUp / PgDn") ||
            strstr(l->text[i], "FROM THE ORIGINAL RUN"))
            continue;
        size_t n = strlen(out);
        snprintf(out + n, cap - n, "%s%s", n ? " " : "", l->text[i]);
    }
}

/* A Raft lesson of our own (the shipped lessons change as they are
 * improved): the leader crashes at 2s; captions anchored at 0s, 1s, 2s,
 * 2.2s and 2.5s. */
static const char *write_lesson(void)
{
    static char path[256];
    snprintf(path, sizeof path, "/tmp/faultline-vizn-%ld-lesson.json", (long)getpid());
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("{\"name\": \"narration\", \"title\": \"Narration\", \"lesson\": \"A leader crashes.\","
          " \"protocol\": \"raft\", \"nodes\": 5, \"seed\": 3, \"duration\": \"5s\","
          " \"faults\": [{\"at\": \"2s\", \"crash\": \"leader\"}],"
          " \"captions\": [{\"at\": \"0s\", \"text\": \"Five followers wait.\"},"
          "  {\"at\": \"1s\", \"text\": \"The leader appends each command to its log.\"},"
          "  {\"at\": \"2s\", \"text\": \"The leader crashes. Its heartbeats stop.\"},"
          "  {\"at\": \"2.2s\", \"text\": \"A follower times out and stands for election.\"},"
          "  {\"at\": \"2.5s\", \"text\": \"The new leader sends its log to everyone.\"}]}\n", f);
    fclose(f);
    return path;
}

/* A trace with one node and captions at 1s, 2s and 3s; the one at 2s is
 * `long_caption`. */
static const char *write_trace(const char *name, const char *long_caption)
{
    static char path[256];
    snprintf(path, sizeof path, "/tmp/faultline-vizn-%ld-%s", (long)getpid(), name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "{\"trace\":\"faultline\",\"version\":1,\"scenario\":\"n\",\"title\":\"N\",\"lesson\":\"L\","
               "\"protocol\":\"raft\",\"epoch\":\"term\",\"seed\":1,\"nodes\":3,\"clients\":0,\"keys\":1,"
               "\"model\":\"register\",\"duration\":4000000}\n");
    for (int i = 1; i <= 3; i++)
        fprintf(f, "{\"t\":0,\"ev\":\"boot\",\"node\":\"n%d\"}\n", i);
    fprintf(f, "{\"t\":1000000,\"ev\":\"caption\",\"text\":\"First caption.\"}\n");
    fprintf(f, "{\"t\":2000000,\"ev\":\"caption\",\"text\":\"%s\"}\n", long_caption);
    fprintf(f, "{\"t\":3000000,\"ev\":\"caption\",\"text\":\"Third caption.\"}\n");
    fclose(f);
    return path;
}

/* "w001 w002 ..." up to about `chars` characters. */
static void numbered_words(char *buf, size_t cap, int chars)
{
    size_t n = 0;
    for (int i = 1; (int)n < chars && n + 8 < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%sw%03d", i > 1 ? " " : "", i);
}

/* ---- captions whole ------------------------------------------------------------------- */

Test(viz_caption, a_400_character_caption_is_drawn_whole)
{
    char text[512], seen[4096] = "";
    numbered_words(text, sizeof text, 400);
    cr_assert_geq(strlen(text), 400);
    const char *path = write_trace("long.jsonl", text);
    struct fixture fx;
    struct viz_app_opts o = {.paused = true};
    open_fixture(&fx, path, &o);
    cr_assert_eq(viz_app_seek(&fx.app, 2500 * SIM_MS), 0);
    cr_assert_eq(viz_app_render(&fx.app), 0);
    cr_expect_gt(fx.app.L.caption.h, 78 * fx.app.L.s, "the strip grew for the long caption");
    caption_words(&fx, seen, sizeof seen);
    cr_expect_str_eq(seen, text, "every word of the caption is drawn, in order");
    cr_expect_lt(label_with(fx.app.labels, "PgUp / PgDn"), 0, "400 characters fit without paging");
    expect_clean(fx.app.labels);
    close_fixture(&fx);
    unlink(path);
}

Test(viz_caption, a_caption_taller_than_its_strip_pages_and_every_word_is_on_a_page)
{
    char text[3000], seen[8192] = "";
    numbered_words(text, sizeof text, 1600);
    const char *path = write_trace("huge.jsonl", text);
    struct fixture fx;
    struct viz_app_opts o = {.paused = true};
    open_fixture(&fx, path, &o);
    cr_assert_eq(viz_app_seek(&fx.app, 2500 * SIM_MS), 0);
    cr_assert_eq(viz_app_render(&fx.app), 0);
    cr_expect_leq(fx.app.L.caption.h, viz_layout_caption_max(W, H) + 0.5f, "the strip grows up to its cap");
    cr_expect_geq(label_with(fx.app.labels, "PgUp / PgDn"), 0, "the pager says there is more");
    /* page down to the end, keeping each line by its number ("lines 9-16 of 31") */
    static char by_number[CAPTION_MAX][160];
    int total = 0, pages = 0;
    for (int p = 0; p < 50; p++, pages++) {
        const struct viz_labels *l = fx.app.labels;
        expect_clean(l);
        int pager = label_with(l, "PgUp / PgDn"), first = 0, last = 0;
        cr_assert_geq(pager, 0);
        cr_assert_eq(sscanf(l->text[pager], "lines %d\u2013%d of %d", &first, &last, &total), 3,
                     "\"%s\"", l->text[pager]);
        cr_assert_leq(total, CAPTION_MAX);
        int line = first;
        for (int i = 0; i < l->n; i++)
            if (viz_rect_inside(&l->rect[i], &fx.app.L.caption) && i != pager && line <= last)
                snprintf(by_number[line++ - 1], sizeof by_number[0], "%s", l->text[i]);
        cr_expect_eq(line, last + 1, "lines %d..%d drawn", first, last);
        if (last == total)
            break;
        key(&fx.app, SDLK_PAGEDOWN);
        cr_assert_eq(viz_app_render(&fx.app), 0);
    }
    cr_expect_lt(pages, total, "PgDn moves a page, not a line");
    for (int i = 0; i < total; i++) {
        size_t n = strlen(seen);
        snprintf(seen + n, sizeof seen - n, "%s%s", n ? " " : "", by_number[i]);
    }
    key(&fx.app, SDLK_PAGEDOWN); /* past the end: stays on the last page */
    key(&fx.app, SDLK_PAGEUP);
    cr_assert_eq(viz_app_render(&fx.app), 0);
    cr_expect_lt(label_with(fx.app.labels, "lines 1\u2013"), 0, "one page up from the last");
    cr_expect_str_eq(seen, text, "paging shows every word");
    close_fixture(&fx);
    unlink(path);
}

/* ---- narrated playback ------------------------------------------------------------------- */

static sim_time caption_time(const struct viz_app *a, int i)
{
    const struct viz_store *s = &a->tape.store;
    cr_assert_lt(i, s->captions.n);
    return s->ev[s->captions.ev[i]].t;
}

/* Plays in 1/60 s ticks until the app pauses (at most `frames`). */
static void play_until_paused(struct fixture *fx, int frames)
{
    fx->app.ui.paused = false;
    for (int f = 0; f < frames && !fx->app.ui.paused; f++)
        cr_assert_eq(viz_app_tick(&fx->app, 1.0 / 60), 0);
}

Test(viz_narrated, playback_stops_at_each_caption_until_space)
{
    struct fixture fx;
    struct viz_app_opts o = {.narrate = true, .speed = 1};
    open_fixture(&fx, write_lesson(), &o);
    cr_assert(fx.app.ui.narrate, "a lesson is narrated");
    cr_expect(fx.app.ui.paused, "it opens stopped at its caption at 0s");
    play_until_paused(&fx, 600);
    cr_assert(fx.app.ui.paused);
    cr_expect_eq(fx.app.cur.m.t, 1 * SIM_S, "stopped at the 1s caption, not past it");
    cr_assert_eq(viz_app_render(&fx.app), 0);
    cr_expect_geq(label_with(fx.app.labels, "NARRATED \u00b7 Space to continue"), 0, "the cue shows");
    save_png(&fx, "narrated-stop");
    expect_clean(fx.app.labels);
    key(&fx.app, SDLK_SPACE);
    cr_expect(!fx.app.ui.paused, "Space continues");
    play_until_paused(&fx, 600);
    cr_expect_eq(fx.app.cur.m.t, 2 * SIM_S, "and stops at the next caption");
    key(&fx.app, SDLK_RETURN);
    cr_expect(!fx.app.ui.paused, "Enter continues too");
    /* once playing on, the cue is gone */
    cr_assert_eq(viz_app_tick(&fx.app, 1.0 / 60), 0);
    cr_assert_eq(viz_app_render(&fx.app), 0);
    cr_expect_lt(label_with(fx.app.labels, "NARRATED"), 0);
    close_fixture(&fx);
}

Test(viz_narrated, without_narration_playback_runs_through_captions)
{
    struct fixture fx;
    struct viz_app_opts o = {.paused = true, .narrate = true, .speed = 1};
    open_fixture(&fx, write_lesson(), &o);
    key(&fx.app, SDLK_t);
    cr_assert(!fx.app.ui.narrate, "T turns narration off");
    fx.app.ui.paused = false;
    for (int f = 0; f < 200; f++)
        cr_assert_eq(viz_app_tick(&fx.app, 1.0 / 60), 0);
    cr_expect(!fx.app.ui.paused);
    cr_expect_gt(fx.app.cur.m.t, 3 * SIM_S, "played past the captions at 1s, 2s and 2.2s");
    close_fixture(&fx);
}

Test(viz_narrated, n_and_p_seek_to_the_next_and_previous_caption_live)
{
    struct fixture fx;
    struct viz_app_opts o = {.paused = true, .narrate = true};
    open_fixture(&fx, write_lesson(), &o);
    cr_assert(fx.app.is_live);
    key(&fx.app, SDLK_n);
    cr_expect_eq(fx.app.cur.m.t, 1 * SIM_S);
    key(&fx.app, SDLK_n);
    cr_expect_eq(fx.app.cur.m.t, 2 * SIM_S);
    key(&fx.app, SDLK_n);
    cr_expect_eq(fx.app.cur.m.t, 2200 * SIM_MS);
    cr_expect(fx.app.ui.paused);
    key(&fx.app, SDLK_p);
    cr_expect_eq(fx.app.cur.m.t, 2 * SIM_S);
    key(&fx.app, SDLK_p);
    cr_expect_eq(fx.app.cur.m.t, 1 * SIM_S);
    cr_assert_eq(viz_app_render(&fx.app), 0);
    cr_expect_geq(label_with(fx.app.labels, "NARRATED"), 0, "paused at a caption: the cue");
    close_fixture(&fx);
}

Test(viz_narrated, n_and_p_in_a_replayed_trace_and_at_the_ends)
{
    const char *path = write_trace("np.jsonl", "Second caption.");
    struct fixture fx;
    struct viz_app_opts o = {.paused = true, .narrate = true};
    open_fixture(&fx, path, &o);
    cr_expect_eq(caption_time(&fx.app, 0), 1 * SIM_S);
    key(&fx.app, SDLK_p);
    cr_expect_eq(fx.app.cur.m.t, 0, "nothing before the first caption: stays");
    for (int i = 0; i < 3; i++)
        key(&fx.app, SDLK_n);
    cr_expect_eq(fx.app.cur.m.t, 3 * SIM_S);
    key(&fx.app, SDLK_n);
    cr_expect_eq(fx.app.cur.m.t, 3 * SIM_S, "nothing after the last: stays");
    cr_expect_not_null(strstr(fx.app.ui.toast, "no caption after"));
    close_fixture(&fx);
    unlink(path);
}

Test(viz_narrated, the_timeline_labels_captions_without_overlap)
{
    struct fixture fx;
    struct viz_app_opts o = {.paused = true, .run_ahead = true};
    open_fixture(&fx, write_lesson(), &o);
    cr_assert_eq(viz_app_seek(&fx.app, 4 * SIM_S), 0);
    cr_assert_eq(viz_app_render(&fx.app), 0);
    int i = label_with(fx.app.labels, "The leader crashes");
    cr_assert_geq(i, 0, "the 2s caption is labelled by its first words");
    cr_expect(viz_rect_inside(&fx.app.labels->rect[i], &fx.app.L.timeline));
    expect_clean(fx.app.labels);
    /* hovering the label shows the whole caption */
    const struct viz_rect *r = &fx.app.labels->rect[i];
    viz_app_hover(&fx.app, r->x + r->w / 2, r->y + r->h / 2);
    cr_assert_geq(fx.app.ui.hover_mark, 0);
    cr_expect_eq(fx.app.tape.store.ev[fx.app.ui.hover_mark].kind, VIZ_EV_CAPTION);
    cr_assert_eq(viz_app_render(&fx.app), 0);
    cr_expect(fx.app.labels->has_tip);
    cr_expect(viz_rect_inside(&fx.app.labels->tip, &fx.app.labels->window));
    save_png(&fx, "caption-tooltip");
    /* clicking the label goes to the caption's moment */
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_MOUSEBUTTONDOWN;
    e.button.button = SDL_BUTTON_LEFT;
    e.button.x = (int)(r->x + r->w / 2);
    e.button.y = (int)(r->y + r->h / 2);
    viz_app_event(&fx.app, &e);
    e.type = SDL_MOUSEBUTTONUP;
    viz_app_event(&fx.app, &e);
    cr_expect_eq(fx.app.cur.m.t, 2 * SIM_S);
    close_fixture(&fx);
}

/* ---- the event log ------------------------------------------------------------------------ */

static void open_log(struct fixture *fx, const char *lesson, sim_time t)
{
    struct viz_app_opts o = {.paused = true, .run_ahead = true, .log = true};
    open_fixture(fx, lesson, &o);
    cr_assert_eq(viz_app_seek(&fx->app, t), 0);
    cr_assert_eq(viz_app_render(&fx->app), 0);
    cr_assert_gt(fx->app.L.log.w, 0, "the log has its place");
}

/* The label containing `part` lies in the log. */
static void expect_in_log(const struct fixture *fx, const char *part)
{
    int i = label_with(fx->app.labels, part);
    cr_assert_geq(i, 0, "the log says \"%s\"", part);
    cr_expect(viz_rect_inside(&fx->app.labels->rect[i], &fx->app.L.log));
}

Test(viz_log, a_raft_lesson_says_who_becomes_leader_in_which_term)
{
    struct fixture fx;
    open_log(&fx, write_lesson(), 4 * SIM_S);
    expect_in_log(&fx, "becomes leader (term ");
    expect_in_log(&fx, "becomes candidate (term ");
    expect_in_log(&fx, "(the leader)");
    expect_in_log(&fx, "caption:");
    expect_clean(fx.app.labels);
    close_fixture(&fx);
}

Test(viz_log, a_paxos_lesson_says_ballot)
{
    struct fixture fx;
    open_log(&fx, SCENARIOS "paxos-dueling-backoff.json", 1 * SIM_S);
    expect_in_log(&fx, "moves to ballot");
    for (int i = 0; i < fx.app.labels->n; i++)
        if (viz_rect_inside(&fx.app.labels->rect[i], &fx.app.L.log))
            cr_expect_null(strstr(fx.app.labels->text[i], " term "), "\"%s\"", fx.app.labels->text[i]);
    expect_clean(fx.app.labels);
    close_fixture(&fx);
}

Test(viz_log, it_shows_only_what_happened_up_to_now_and_e_toggles_it)
{
    struct fixture fx;
    open_log(&fx, write_lesson(), 1500 * SIM_MS);
    cr_expect_geq(label_with(fx.app.labels, "becomes leader (term 1)"), 0, "the first election");
    cr_expect_lt(label_with(fx.app.labels, "(the leader)"), 0, "the 2s crash has not happened yet");
    key(&fx.app, SDLK_e);
    cr_assert_eq(viz_app_render(&fx.app), 0);
    cr_expect(!fx.app.L.log_on);
    cr_expect_lt(label_with(fx.app.labels, "WHAT HAPPENED"), 0);
    close_fixture(&fx);
}

Test(viz_log, the_step_key_says_which_event_it_stepped_over)
{
    struct fixture fx;
    struct viz_app_opts o = {.paused = true};
    open_fixture(&fx, write_lesson(), &o);
    cr_assert_eq(viz_app_seek(&fx.app, 3 * SIM_S), 0);
    /* step until a delivery: the notice names it in words */
    bool seen = false;
    for (int i = 0; i < 200 && !seen; i++) {
        int32_t k = fx.app.cur.m.k;
        key(&fx.app, SDLK_RIGHT);
        cr_assert_eq(fx.app.cur.m.k, k + 1);
        cr_expect_eq(strncmp(fx.app.ui.toast, "stepped: ", 9), 0, "\"%s\"", fx.app.ui.toast);
        if (fx.app.tape.store.ev[k].kind == VIZ_EV_RECV) {
            const struct viz_msg *m = &fx.app.tape.store.msg[fx.app.tape.store.ev[k].ref];
            char want[96];
            snprintf(want, sizeof want, "stepped: n%d receives %s from n%d", m->to + 1,
                     fx.app.tape.store.types[m->type], m->from + 1);
            cr_expect_eq(strncmp(fx.app.ui.toast, want, strlen(want)), 0, "\"%s\" for \"%s\"",
                         fx.app.ui.toast, want);
            seen = true;
        }
    }
    cr_expect(seen, "a delivery was stepped over");
    key(&fx.app, SDLK_LEFT);
    cr_expect_eq(strncmp(fx.app.ui.toast, "stepped back over: ", 19), 0, "\"%s\"", fx.app.ui.toast);
    cr_assert_eq(viz_app_render(&fx.app), 0);
    close_fixture(&fx);
}

/* ---- captions of a branched run ------------------------------------------------------------- */

Test(viz_branch, time_anchored_captions_after_a_clicked_fault_are_from_the_original_run)
{
    struct fixture fx;
    struct viz_app_opts o = {.paused = true};
    open_fixture(&fx, write_lesson(), &o);
    cr_assert_eq(viz_app_seek(&fx.app, 1500 * SIM_MS), 0);
    cr_assert_eq(viz_app_render(&fx.app), 0);
    cr_expect_lt(label_with(fx.app.labels, "FROM THE ORIGINAL RUN"), 0, "nothing clicked in yet");
    /* crash n2 at 0.5s: rewinds, re-runs, branches */
    cr_assert_eq(viz_app_seek(&fx.app, 500 * SIM_MS), 0);
    cr_assert_eq(viz_app_toggle_node(&fx.app, 1, false), 0);
    cr_assert_eq(viz_app_seek(&fx.app, 1500 * SIM_MS), 0);
    cr_assert_eq(viz_app_render(&fx.app), 0);
    int32_t ce = fx.app.cur.m.caption_ev;
    cr_assert_geq(ce, 0);
    cr_expect(viz_caption_stale(&fx.app.tape.store, &fx.app.ui, ce), "the 1s caption is from the original run");
    cr_expect_geq(label_with(fx.app.labels, "FROM THE ORIGINAL RUN"), 0, "the strip says so");
    save_png(&fx, "branched-caption");
    expect_clean(fx.app.labels);
    /* the caption at 0s came before the fault: still the truth */
    cr_expect(!viz_caption_stale(&fx.app.tape.store, &fx.app.ui, fx.app.tape.store.captions.ev[0]));
    close_fixture(&fx);
}

Test(viz_branch, a_caption_that_fired_on_an_event_keeps_firing_truthfully)
{
    char path[256];
    snprintf(path, sizeof path, "/tmp/faultline-vizn-%ld-on.json", (long)getpid());
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("{\"version\": 2, \"name\": \"on\", \"title\": \"On\", \"protocol\": \"raft\", \"nodes\": 3,"
          " \"seed\": 3, \"duration\": \"3s\","
          " \"captions\": [{\"at\": \"1s\", \"text\": \"Anchored to one second.\"},"
          "  {\"on\": {\"role\": \"leader\", \"repeat\": \"every\"}, \"text\": \"New leader: $node.\"}]}\n", f);
    fclose(f);
    struct fixture fx;
    struct viz_app_opts o = {.paused = true};
    open_fixture(&fx, path, &o);
    /* crash n1 early, then look at every caption the new branch wrote */
    cr_assert_eq(viz_app_seek(&fx.app, 100 * SIM_MS), 0);
    cr_assert_eq(viz_app_toggle_node(&fx.app, 0, false), 0);
    cr_assert_eq(viz_app_seek(&fx.app, 2500 * SIM_MS), 0);
    const struct viz_store *s = &fx.app.tape.store;
    int triggered = 0, anchored = 0;
    for (int32_t i = 0; i < s->captions.n; i++) {
        int32_t ev = s->captions.ev[i];
        if (s->ev[ev].t < fx.app.ui.diverge_at)
            continue;
        if (s->ev[ev].flags & VIZ_EVF_ON) {
            triggered++;
            cr_expect(!viz_caption_stale(s, &fx.app.ui, ev), "a triggered caption is the truth");
        } else {
            anchored++;
            cr_expect(viz_caption_stale(s, &fx.app.ui, ev), "a timed caption is from the original run");
        }
    }
    cr_expect_gt(triggered, 0, "a leader was elected after the crash, and said so");
    cr_expect_eq(anchored, 1);
    close_fixture(&fx);
    unlink(path);
}

Test(viz_caption, the_help_lists_the_narration_keys)
{
    struct fixture fx;
    struct viz_app_opts o = {.paused = true, .run_ahead = true};
    open_fixture(&fx, SCENARIOS "2pc-coordinator-crash.json", &o);
    cr_assert_eq(viz_app_seek(&fx.app, 4 * SIM_S), 0);
    key(&fx.app, SDLK_F1);
    cr_assert(fx.app.ui.help);
    cr_assert_eq(viz_app_render(&fx.app), 0);
    save_png(&fx, "help");
    key(&fx.app, SDLK_F1);
    key(&fx.app, SDLK_e);
    cr_assert_eq(viz_app_render(&fx.app), 0);
    save_png(&fx, "2pc-log");
    cr_expect_geq(label_with(fx.app.labels, "becomes"), 0, "2PC state changes are in the log");
    expect_clean(fx.app.labels);
    close_fixture(&fx);
}

/* ---- the panel's words, whole ------------------------------------------------------------- */

TestSuite(viz_panel_words, .init = setup_env);

/* The words of the labels inside r, joined by spaces. */
static void words_in(const struct fixture *fx, const struct viz_rect *r, char *out, size_t cap)
{
    const struct viz_labels *l = fx->app.labels;
    out[0] = '\0';
    for (int i = 0; i < l->n; i++)
        if (viz_rect_inside(&l->rect[i], r)) {
            size_t n = strlen(out);
            snprintf(out + n, cap - n, "%s%s", n ? " " : "", l->text[i]);
        }
}

Test(viz_panel_words, dropped_leaders_and_network_faults_wrap_instead_of_being_cut)
{
    char path[256];
    snprintf(path, sizeof path, "/tmp/faultline-vizn-%ld-panel.jsonl", (long)getpid());
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "{\"trace\":\"faultline\",\"version\":1,\"scenario\":\"p\",\"title\":\"P\",\"lesson\":\"L\","
               "\"protocol\":\"raft\",\"epoch\":\"term\",\"seed\":1,\"nodes\":12,\"clients\":0,\"keys\":1,"
               "\"model\":\"register\",\"duration\":1000000}\n");
    for (int i = 1; i <= 12; i++)
        fprintf(f, "{\"t\":0,\"ev\":\"boot\",\"node\":\"n%d\"}\n", i);
    for (int i = 1; i <= 12; i++)
        fprintf(f, "{\"t\":10,\"ev\":\"state\",\"node\":\"n%d\",\"role\":\"leader\",\"term\":%d}\n", i, 100 + i);
    static const char *const why[] = {"partition", "loss", "down", "by hand", "other"};
    for (int i = 0; i < 5; i++)
        fprintf(f, "{\"t\":%d,\"ev\":\"drop\",\"id\":%d,\"from\":\"n1\",\"to\":\"n2\",\"type\":\"Ping\",\"reason\":\"%s\"}\n",
                20 + i, i + 1, why[i]);
    fprintf(f, "{\"t\":30,\"ev\":\"partition\",\"id\":1,\"groups\":[[\"n1\",\"n2\",\"n3\",\"n4\",\"n5\",\"n6\"],"
               "[\"n7\",\"n8\",\"n9\",\"n10\",\"n11\",\"n12\"]]}\n");
    fclose(f);
    struct fixture fx;
    struct viz_app_opts o = {.paused = true};
    open_fixture(&fx, path, &o);
    cr_assert_eq(viz_app_seek(&fx.app, 500 * SIM_MS), 0);
    cr_assert_eq(viz_app_render(&fx.app), 0);
    save_png(&fx, "panel-words");
    char words[8192];
    words_in(&fx, &fx.app.L.panel, words, sizeof words);
    cr_expect_not_null(strstr(words, "dropped 5 (partition 1, loss 1,"), "%s", words);
    cr_expect_not_null(strstr(words, "other 1)"), "the dropped line ends whole: %s", words);
    cr_expect_not_null(strstr(words, "12 at once: n1 (term 101)"), "%s", words);
    cr_expect_not_null(strstr(words, "n12 (term 112)"), "the leaders line ends whole: %s", words);
    cr_expect_not_null(strstr(words, "n12}"), "the partition is written whole: %s", words);
    expect_clean(fx.app.labels);
    close_fixture(&fx);
    unlink(path);
}

Test(viz_narrated, space_at_a_long_caption_shows_its_next_page_before_playing_on)
{
    char text[3000];
    numbered_words(text, sizeof text, 1600);
    const char *path = write_trace("space.jsonl", text);
    struct fixture fx;
    struct viz_app_opts o = {.paused = true, .narrate = true};
    open_fixture(&fx, path, &o);
    key(&fx.app, SDLK_n);
    key(&fx.app, SDLK_n);
    cr_assert_eq(fx.app.cur.m.t, 2 * SIM_S);
    cr_assert_eq(viz_app_render(&fx.app), 0);
    cr_assert_gt(fx.app.caption_pages, 1);
    cr_expect_geq(label_with(fx.app.labels, "Space for more"), 0);
    int pages = fx.app.caption_pages;
    for (int p = 1; p < pages; p++) {
        key(&fx.app, SDLK_SPACE);
        cr_expect(fx.app.ui.paused, "page %d: still paused", p);
        cr_expect_eq(fx.app.ui.caption_scroll, p);
        cr_assert_eq(viz_app_render(&fx.app), 0);
    }
    cr_expect_geq(label_with(fx.app.labels, "Space to continue"), 0, "the last page");
    key(&fx.app, SDLK_SPACE);
    cr_expect(!fx.app.ui.paused, "then Space plays on");
    close_fixture(&fx);
    unlink(path);
}
