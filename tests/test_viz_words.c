/* test_viz_words.c - words and units on screen (issue 12): one fault, one
 * name in the run's timeline (sim/fault.c) and the viewer (viz/frame.c), for
 * every fault kind; durations in one unit ("175.3ms", never "175300us");
 * timeline ticks in one unit per scale; frames of a sequence drawn playing,
 * not PAUSED. */
#include <SDL_image.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "protocols/registry.h"
#include "sim/engine.h"
#include "sim/scenario.h"
#include "viz/draw.h"
#include "viz/layout.h"
#include "viz/palette.h"
#include "viz/store.h"
#include "viz/viz.h"

#define SCENARIO_HEAD                                                                             \
    "{\"name\":\"words\",\"title\":\"Words\",\"protocol\":\"raft\",\"nodes\":3,\"seed\":5,"       \
    "\"duration\":\"8s\",\"network\":{\"latency\":{\"dist\":\"uniform\",\"min\":\"2ms\","          \
    "\"max\":\"8ms\"}},\"workload\":{\"clients\":2,\"rate\":\"40/s\",\"keys\":1,"                 \
    "\"mix\":{\"read\":0.5,\"write\":0.5},\"timeout\":\"400ms\"},"                              \
    "\"faults\":["                                                                                \
    "{\"at\":\"1s\",\"crash\":\"leader\",\"lose_unsynced\":true,\"for\":\"500ms\"},"              \
    "{\"at\":\"2s\",\"partition\":[[\"n3\",\"n1\"],[\"n2\"]],\"for\":\"500ms\"},"                 \
    "{\"at\":\"2.6s\",\"partition\":[[\"n1\"]],\"bridge\":\"n2\",\"for\":\"300ms\"},"             \
    "{\"at\":\"3s\",\"isolate\":\"n3\",\"for\":\"300ms\"},"                                       \
    "{\"at\":\"3.5s\",\"cut\":{\"from\":[\"n1\"],\"to\":[\"n2\"]},\"for\":\"200ms\"},"            \
    "{\"at\":\"3.8s\",\"cut\":{\"from\":[\"n1\"],\"to\":[\"n2\",\"n3\"],\"both\":true},"          \
    "\"for\":\"200ms\"},"                                                                         \
    "{\"at\":\"4.1s\",\"flap\":[\"n1\",\"n2\"],\"period\":\"50ms\",\"for\":\"300ms\"},"           \
    "{\"at\":\"4.5s\",\"clock\":\"n2\",\"drift\":0.005,\"skew\":\"-1s\",\"for\":\"500ms\"},"      \
    "{\"at\":\"5.1s\",\"clock\":\"n1\",\"skew\":\"1.5s\",\"for\":\"100ms\"},"                     \
    "{\"at\":\"5.3s\",\"slow\":\"n3\",\"delay\":\"175.3ms\",\"for\":\"400ms\"},"                  \
    "{\"at\":\"5.8s\",\"drop\":0.2,\"for\":\"200ms\"},"                                           \
    "{\"at\":\"5.8s\",\"duplicate\":0.1,\"for\":\"200ms\"},"                                      \
    "{\"at\":\"6.1s\",\"isolate\":\"leader\"},"                                                   \
    "{\"at\":\"6.3s\",\"heal\":true},"                                                            \
    "{\"at\":\"6.4s\",\"recover\":\"n1\"}"

#define DROP_AFTER (6800 * SIM_MS)

static void store_sink(void *ctx, const char *line, size_t len)
{
    char err[256];
    int rc = viz_store_add(ctx, line, len, err, sizeof err);
    cr_assert_eq(rc, 0, "%.*s: %s", (int)len, line, err);
}

/* Runs the scenario text, its trace filling *store; returns the sim. */
static struct sim *run(const char *text, struct viz_store *store, struct scenario **sc)
{
    char err[512];
    cr_assert_eq(scenario_parse(text, strlen(text), "words", sc, err, sizeof err), 0, "%s", err);
    viz_store_init(store, "words");
    struct sim_options o = {.trace_sink = store_sink, .sink_ctx = store};
    struct sim *s;
    cr_assert_eq(sim_create(*sc, protocol_find((*sc)->protocol), &o, &s, err, sizeof err), 0, "%s",
                 err);
    cr_assert_eq(sim_run(s), 0);
    return s;
}

/* A protocol message sent after DROP_AFTER in the run without the drop (the
 * run up to the drop is the same with it): its id, and *at a moment it is in
 * flight. */
static uint64_t message_in_flight(const struct viz_store *store, sim_time *at)
{
    for (int32_t m = 0; m < store->nmsg; m++) {
        const struct viz_msg *msg = &store->msg[m];
        if (msg->sent >= DROP_AFTER && msg->arrive > msg->sent + 1 && msg->end > msg->sent + 1) {
            *at = msg->sent + 1;
            return msg->id;
        }
    }
    cr_assert_fail("no message in flight at the drop");
    return 0;
}

/* True when text holds a number of microseconds of 1000 or more ("175300us"). */
static bool has_long_us(const char *text)
{
    for (const char *p = strstr(text, "us"); p; p = strstr(p + 1, "us")) {
        const char *d = p;
        while (d > text && d[-1] >= '0' && d[-1] <= '9')
            d--;
        if (d < p && atoll(d) >= 1000)
            return true;
    }
    return false;
}

Test(viz_words, run_timeline_and_viewer_name_every_fault_alike)
{
    char text[4096];
    snprintf(text, sizeof text, "%s]}", SCENARIO_HEAD);
    struct viz_store first;
    struct scenario *sc;
    struct sim *s = run(text, &first, &sc);
    sim_time at;
    uint64_t id = message_in_flight(&first, &at);
    sim_destroy(s);
    scenario_free(sc);
    viz_store_free(&first);

    snprintf(text, sizeof text, "%s,{\"at\":\"%lldus\",\"drop_message\":%llu}]}", SCENARIO_HEAD,
             (long long)at, (unsigned long long)id);
    struct viz_store store;
    s = run(text, &store, &sc);

    /* the fault entries of the timeline and the fault lines of the trace, in order */
    int t = 0, n = sim_timeline_count(s), compared = 0;
    bool seen[VIZ_EV_KIND_COUNT] = {false};
    for (int32_t k = 0; k < store.faults.n; k++) {
        int32_t ev = store.faults.ev[k];
        while (t < n && sim_timeline_get(s, t)->kind != TL_FAULT &&
               sim_timeline_get(s, t)->kind != TL_SKIPPED)
            t++;
        cr_assert_lt(t, n, "a trace fault line has no timeline entry");
        const struct sim_timeline_entry *e = sim_timeline_get(s, t++);
        char viewer[256];
        viz_describe_event(&store, ev, viewer, sizeof viewer);
        cr_expect_eq(e->time, store.ev[ev].t);
        cr_expect_str_eq(e->text, viewer, "at %lld", (long long)e->time);
        cr_expect(!has_long_us(viewer), "a duration in bare microseconds: %s", viewer);
        seen[store.ev[ev].kind] = true;
        compared++;
    }
    cr_expect_gt(compared, 25);
    const enum viz_ev_kind kinds[] = {VIZ_EV_CRASH, VIZ_EV_RECOVER, VIZ_EV_PARTITION, VIZ_EV_ISOLATE,
                                      VIZ_EV_CUT, VIZ_EV_FLAP, VIZ_EV_HEAL, VIZ_EV_CLOCK,
                                      VIZ_EV_SLOW, VIZ_EV_LOSS, VIZ_EV_DUPLICATION,
                                      VIZ_EV_DROP_MESSAGE};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        cr_expect(seen[kinds[k]], "no %s in the run", viz_ev_name(kinds[k]));

    /* a few by their very words */
    const char *want[] = {
        "crash n", /* the leader, whichever it is */
        "heal: partition {n3 n1} | {n2} ends",
        "partition {n1} | {n3}, bridge n2",
        "heal: n3 no longer isolated",
        "cut link n1 -> n2",
        "heal: link n1 -> n2 restored",
        "heal: cut {n1} <-> {n2 n3} ends",
        "link n1 <-> n2 flaps every 50ms",
        "heal: link n1 <-> n2 stops flapping",
        "clock of n2 runs 0.50% fast, jumps back 1s",
        "clock of n1 jumps ahead 1.5s",
        "n3 turns slow: 175.3ms per event",
        "network loses 20% of messages",
        "network duplication ends",
        "heal: every link restored",
    };
    for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
        bool found = false;
        for (int i = 0; i < n && !found; i++)
            found = strstr(sim_timeline_get(s, i)->text, want[w]) != NULL;
        cr_expect(found, "no timeline entry says \"%s\"", want[w]);
    }
    for (int i = 0; i < n; i++)
        cr_expect(!has_long_us(sim_timeline_get(s, i)->text), "%s", sim_timeline_get(s, i)->text);
    sim_destroy(s);
    scenario_free(sc);
    viz_store_free(&store);
}

Test(viz_words, durations_take_one_unit_and_no_trailing_zeros)
{
    struct {
        sim_time t;
        const char *text;
    } cases[] = {
        {0, "0"},           {40, "40us"},         {999, "999us"},         {1000, "1ms"},
        {175300, "175.3ms"}, {175312, "175.312ms"}, {1500000, "1.5s"},   {2000000, "2s"},
        {2744683, "2.744s"}, {-250000, "-250ms"},  {60 * SIM_S, "60s"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[32];
        scenario_format_duration(cases[i].t, buf, sizeof buf);
        cr_expect_str_eq(buf, cases[i].text, "%lld", (long long)cases[i].t);
    }
}

Test(viz_ticks, every_tick_of_a_scale_has_one_unit)
{
    struct viz_layout L = {0};
    char lab_check[32];
    cr_assert_eq(viz_layout_compute(&L, 1280, 720, 3, false), 0);
    const sim_time durations[] = {150 * SIM_MS, 800 * SIM_MS, 3 * SIM_S,   8 * SIM_S,
                                  10 * SIM_S,   25 * SIM_S,   300 * SIM_S, 7200 * SIM_S};
    for (size_t i = 0; i < sizeof durations / sizeof durations[0]; i++) {
        sim_time step = viz_timeline_tick_step(&L, durations[i]);
        char first[32] = "", lab[32];
        const char *unit = NULL;
        size_t decimals = 0;
        for (sim_time t = 0; t <= durations[i]; t += step) {
            viz_timeline_tick_label(t, step, lab, sizeof lab);
            const char *u = strpbrk(lab, "mus");
            const char *dot = strchr(lab, '.');
            size_t dec = dot ? (size_t)(u - dot - 1) : 0;
            cr_assert_not_null(u, "%s", lab);
            if (!unit) {
                unit = strcmp(u, "s") == 0 ? "s" : strcmp(u, "ms") == 0 ? "ms" : "us";
                decimals = dec;
                snprintf(first, sizeof first, "%s", lab);
            }
            cr_expect_str_eq(u, unit, "%s then %s (step %lldus)", first, lab, (long long)step);
            cr_expect_eq(dec, decimals, "%s then %s", first, lab);
        }
    }
    viz_timeline_tick_label(1500 * SIM_MS, 500 * SIM_MS, lab_check, sizeof lab_check);
    cr_expect_str_eq(lab_check, "1.5s");
    viz_timeline_tick_label(SIM_S, 500 * SIM_MS, lab_check, sizeof lab_check);
    cr_expect_str_eq(lab_check, "1.0s", "not \"1s\" beside \"0.5s\"");
    viz_timeline_tick_label(1040 * SIM_MS, 20 * SIM_MS, lab_check, sizeof lab_check);
    cr_expect_str_eq(lab_check, "1040ms");
    viz_timeline_tick_label(6 * SIM_S, 2 * SIM_S, lab_check, sizeof lab_check);
    cr_expect_str_eq(lab_check, "6s");
    viz_layout_free(&L);
}

/* Pixels of exactly `rgb` in the panel of a PNG. */
static int count_color(const char *png, const struct viz_layout *L, uint32_t rgb)
{
    SDL_Surface *raw = IMG_Load(png);
    cr_assert_not_null(raw, "%s: %s", png, IMG_GetError());
    SDL_Surface *surf = SDL_ConvertSurfaceFormat(raw, SDL_PIXELFORMAT_RGBA32, 0);
    SDL_FreeSurface(raw);
    cr_assert_not_null(surf);
    int count = 0;
    for (int y = (int)L->panel.y; y < (int)(L->panel.y + L->panel.h) && y < surf->h; y++)
        for (int x = (int)L->panel.x; x < (int)(L->panel.x + L->panel.w) && x < surf->w; x++) {
            const uint8_t *p = (const uint8_t *)surf->pixels + y * surf->pitch + x * 4;
            count += ((uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]) == rgb;
        }
    SDL_FreeSurface(surf);
    return count;
}

Test(viz_frames_badge, a_sequence_is_drawn_playing_and_a_still_paused)
{
    char dir[128], still[160], frame[200], err[512];
    snprintf(dir, sizeof dir, "/tmp/faultline-words-%ld", (long)getpid());
    snprintf(still, sizeof still, "%s-still.png", dir);
    snprintf(frame, sizeof frame, "%s/frame-000001.png", dir);
    const char *lesson = FAULTLINE_SOURCE_DIR "/scenarios/pb-heartbeat-split-brain.json";
    struct viz_render_opts o = {0};
    o.at = 2500 * SIM_MS;
    o.out = still;
    cr_assert_eq(viz_render(lesson, &o, NULL, err, sizeof err), 0, "%s", err);
    struct viz_render_opts q = {0};
    q.frames_dir = dir;
    q.fps = 10;
    q.from = q.to = 2500 * SIM_MS;
    cr_assert_eq(viz_render(lesson, &q, NULL, err, sizeof err), 0, "%s", err);
    struct viz_layout L = {0};
    cr_assert_eq(viz_layout_compute(&L, 1280, 720, 3, false), 0);
    int ink_still = count_color(still, &L, VIZ_INK), ink_frame = count_color(frame, &L, VIZ_INK);
    int blue_still = count_color(still, &L, VIZ_BLUE), blue_frame = count_color(frame, &L, VIZ_BLUE);
    cr_expect_gt(ink_frame, ink_still, "the frame says PLAYING in ink (%d, still %d)",
                 ink_frame, ink_still);
    cr_expect_gt(blue_still, blue_frame, "the still says PAUSED in blue (%d, frame %d)", blue_still,
                 blue_frame);
    viz_layout_free(&L);
    unlink(still);
    unlink(frame);
    rmdir(dir);
}
