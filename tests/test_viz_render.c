/* test_viz_render.c - the viewer's frames, asserted on pixels (rendered
 * offscreen, as in CI without a display): a crashed node is grey, a
 * partition draws its boundary, a message mid-flight is a dot between its
 * two nodes, a violation turns the panel vermillion; a moment reached by
 * seeking back and forth is the same frame as one reached by playing; and
 * the controls do what the help overlay says. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "viz/app.h"
#include "viz/offscreen.h"

#define W 1280
#define H 720

/* Four echo nodes, slow constant links (a message flies 100ms), a crash,
 * a partition and a heal. */
static const char pixels_scenario[] =
    "{\"name\": \"pixels\", \"protocol\": \"echo\", \"params\": {\"interval\": \"200ms\"},\n"
    " \"nodes\": 4, \"seed\": 3, \"duration\": \"4s\", \"network\": {\"latency\": \"100ms\"},\n"
    " \"faults\": [{\"at\": \"1s\", \"crash\": \"n2\"},\n"
    "            {\"at\": \"2s\", \"partition\": [[\"n1\", \"n2\"], [\"n3\", \"n4\"]]},\n"
    "            {\"at\": \"3s\", \"heal\": true}],\n"
    " \"captions\": [{\"at\": \"0\", \"text\": \"Four nodes ping each other.\"}]}\n";

struct fixture {
    struct viz_app app;
    struct viz_offscreen off;
    char path[256];
};

static const char *write_temp(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "/tmp/faultline-vizr-%ld-%s", (long)getpid(), name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void open_fixture(struct fixture *fx, const char *path, const struct viz_app_opts *o)
{
    char err[512];
    snprintf(fx->path, sizeof fx->path, "%s", path);
    cr_assert_eq(viz_app_open(&fx->app, path, o, err, sizeof err), 0, "%s", err);
    cr_assert_eq(viz_offscreen_open(&fx->off, W, H, err, sizeof err), 0, "%s", err);
    cr_assert_eq(viz_app_attach(&fx->app, fx->off.r, W, H, err, sizeof err), 0, "%s", err);
}

static void close_fixture(struct fixture *fx)
{
    viz_app_close(&fx->app); /* its textures go before their renderer */
    viz_offscreen_close(&fx->off);
    if (strncmp(fx->path, "/tmp/faultline-vizr-", 20) == 0 && strstr(fx->path, ".json"))
        unlink(fx->path);
}

static void render_at(struct fixture *fx, sim_time t)
{
    cr_assert_eq(viz_app_seek(&fx->app, t), 0);
    cr_assert_eq(viz_app_render(&fx->app), 0);
}

static uint32_t px(struct fixture *fx, float x, float y)
{
    return viz_offscreen_pixel(&fx->off, (int)lroundf(x), (int)lroundf(y));
}

static bool near_rgb(uint32_t p, uint32_t want, int tol)
{
    int dr = (int)(p >> 16 & 255) - (int)(want >> 16 & 255);
    int dg = (int)(p >> 8 & 255) - (int)(want >> 8 & 255);
    int db = (int)(p & 255) - (int)(want & 255);
    return abs(dr) <= tol && abs(dg) <= tol && abs(db) <= tol;
}

static bool dark(uint32_t p)
{
    return (p >> 16 & 255) < 0x60 && (p >> 8 & 255) < 0x60 && (p & 255) < 0x60;
}

/* Copies the frame's pixels (to compare frames). */
static uint32_t *grab(struct fixture *fx)
{
    size_t n = (size_t)W * H;
    uint32_t *p = malloc(n * 4);
    cr_assert_not_null(p);
    for (int y = 0; y < H; y++)
        memcpy(p + (size_t)y * W, (uint8_t *)fx->off.surf->pixels + (size_t)y * (size_t)fx->off.surf->pitch,
               (size_t)W * 4);
    return p;
}

static void expect_same_frame(uint32_t *a, uint32_t *b, const char *what)
{
    size_t diff = 0;
    for (size_t i = 0; i < (size_t)W * H; i++)
        diff += a[i] != b[i];
    cr_expect_eq(diff, 0, "%s: %zu pixels differ", what, diff);
}

Test(viz_pixels, a_crashed_node_is_grey)
{
    struct fixture fx;
    struct viz_app_opts o = {.paused = true};
    open_fixture(&fx, write_temp("crash.json", pixels_scenario), &o);
    const struct viz_layout *L = &fx.app.L;
    /* between the cross's arms, above the name */
    float dy = -0.8f * L->node_r;
    render_at(&fx, 900 * SIM_MS);
    cr_expect(near_rgb(px(&fx, L->nx[1], L->ny[1] + dy), VIZ_NEUTRAL, 8), "n2 up: its role colour, got %06x",
              px(&fx, L->nx[1], L->ny[1] + dy));
    render_at(&fx, 1500 * SIM_MS);
    cr_assert(!fx.app.cur.m.nodes[1].up);
    uint32_t p = px(&fx, L->nx[1], L->ny[1] + dy);
    cr_expect(near_rgb(p, VIZ_DOWN, 4), "n2 crashed: grey, got %06x", p);
    cr_expect(near_rgb(px(&fx, L->nx[0], L->ny[0] + dy), VIZ_NEUTRAL, 8), "n1 still up");
    /* and the cross is there: dark pixels on the node's diagonal */
    int crossing = 0;
    for (float k = -0.5f; k <= 0.5f; k += 0.05f)
        crossing += dark(px(&fx, L->nx[1] + k * L->node_r, L->ny[1] + k * L->node_r));
    cr_expect_gt(crossing, 5, "a cross over the crashed node");
    close_fixture(&fx);
}

/* Dark pixels along the ray from the circle's centre at `deg` degrees. */
static int dark_on_ray(struct fixture *fx, float deg)
{
    const struct viz_layout *L = &fx->app.L;
    float a = deg * 3.14159265f / 180;
    int n = 0;
    for (float r = 0.15f * L->ring_r; r < 0.6f * L->ring_r; r += 1)
        n += dark(px(fx, L->cx + r * cosf(a), L->cy + r * sinf(a)));
    return n;
}

Test(viz_pixels, a_partition_draws_its_boundary)
{
    struct fixture fx;
    struct viz_app_opts o = {.paused = true};
    open_fixture(&fx, write_temp("part.json", pixels_scenario), &o);
    /* n1 at the top, n2 right, n3 bottom, n4 left: {n1 n2} | {n3 n4} is cut
     * along the 45 and 225 degree rays */
    render_at(&fx, 1900 * SIM_MS);
    cr_expect_eq(dark_on_ray(&fx, 45), 0, "no wall before the partition");
    render_at(&fx, 2500 * SIM_MS);
    cr_assert_eq(fx.app.cur.m.nblocks, 1);
    cr_expect_gt(dark_on_ray(&fx, 45), 20, "a dashed wall between n2 and n3");
    cr_expect_gt(dark_on_ray(&fx, 225), 20, "a dashed wall between n4 and n1");
    cr_expect_eq(dark_on_ray(&fx, -45), 0, "no wall inside a group");
    /* the two sides are shaded differently */
    const struct viz_layout *L = &fx.app.L;
    uint32_t a = px(&fx, L->cx + 0.3f * L->ring_r, L->cy - 0.1f * L->ring_r);
    uint32_t b = px(&fx, L->cx - 0.1f * L->ring_r, L->cy + 0.3f * L->ring_r);
    cr_expect_neq(a, b, "each side has its own tint");
    render_at(&fx, 3500 * SIM_MS);
    cr_expect_eq(dark_on_ray(&fx, 45), 0, "healed: the wall is gone");
    close_fixture(&fx);
}

Test(viz_pixels, a_message_mid_flight_is_a_dot_between_its_nodes)
{
    struct fixture fx;
    struct viz_app_opts o = {.paused = true, .run_ahead = true};
    open_fixture(&fx, write_temp("msg.json", pixels_scenario), &o);
    const struct viz_store *st = &fx.app.tape.store;
    /* a message n1 -> n2 before the crash, and a moment when no other
     * message is in the air on that link */
    int32_t pick = -1;
    for (int32_t i = 0; i < st->nmsg && pick < 0; i++) {
        const struct viz_msg *m = &st->msg[i];
        if (m->from == 0 && m->to == 1 && m->sent > 200 * SIM_MS && m->arrive < 950 * SIM_MS)
            pick = i;
    }
    cr_assert_geq(pick, 0, "the scenario has an n1 -> n2 message");
    const struct viz_msg *m = &st->msg[pick];
    sim_time mid = (m->sent + m->arrive) / 2;
    render_at(&fx, mid);
    const struct viz_layout *L = &fx.app.L;
    float mx = (L->nx[0] + L->nx[1]) / 2, my = (L->ny[0] + L->ny[1]) / 2;
    struct viz_rgba c = viz_draw_msg_color(st, m);
    uint32_t rgb = (uint32_t)c.r << 16 | (uint32_t)c.g << 8 | c.b;
    int hits = 0;
    float sx = 0, sy = 0;
    for (int dy = -14; dy <= 14; dy++)
        for (int dx = -14; dx <= 14; dx++)
            if (near_rgb(px(&fx, mx + (float)dx, my + (float)dy), rgb, 3)) {
                hits++;
                sx += (float)dx;
                sy += (float)dy;
            }
    cr_expect_gt(hits, 20, "a dot in the message type's colour near the middle of n1-n2");
    if (hits) {
        /* its centre is within a lane's width of the segment's middle */
        float cx = sx / (float)hits, cy = sy / (float)hits;
        cr_expect_lt(sqrtf(cx * cx + cy * cy), 9.5f * fx.app.L.s, "dot centred off the middle by %.1f,%.1f", cx, cy);
    }
    /* a quarter of the way: the dot is no longer in the middle */
    render_at(&fx, m->sent + (m->arrive - m->sent) / 8);
    int later = 0;
    for (int dy = -4; dy <= 4; dy++)
        for (int dx = -4; dx <= 4; dx++)
            later += near_rgb(px(&fx, mx + (float)dx, my + (float)dy), rgb, 3);
    cr_expect_eq(later, 0, "the middle is empty when the message is elsewhere");
    close_fixture(&fx);
}

static int count_rgb(struct fixture *fx, const struct viz_rect *r, uint32_t rgb)
{
    int n = 0;
    for (int y = (int)r->y; y < (int)(r->y + r->h); y++)
        for (int x = (int)r->x; x < (int)(r->x + r->w); x++)
            n += viz_offscreen_pixel(&fx->off, x, y) == rgb;
    return n;
}

Test(viz_pixels, a_violation_turns_the_panel_vermillion)
{
    struct fixture fx;
    struct viz_app_opts o = {.paused = true};
    open_fixture(&fx, FAULTLINE_SOURCE_DIR "/scenarios/pb-heartbeat-split-brain.json", &o);
    render_at(&fx, 1 * SIM_S);
    int before = count_rgb(&fx, &fx.app.L.panel, VIZ_BAD);
    render_at(&fx, 3 * SIM_S);
    cr_assert_gt(fx.app.cur.m.c.violations, 0);
    int after = count_rgb(&fx, &fx.app.L.panel, VIZ_BAD);
    cr_expect_lt(before, 300, "no vermillion before the violation (%d pixels)", before);
    cr_expect_gt(after, 4000, "the invariant box is vermillion after it (%d pixels)", after);
    close_fixture(&fx);
}

Test(viz_frames, seeking_back_then_forward_draws_the_same_frame_as_playing)
{
    struct fixture fx;
    struct viz_app_opts o = {.speed = 1};
    open_fixture(&fx, FAULTLINE_SOURCE_DIR "/scenarios/pb-heartbeat-split-brain.json", &o);
    /* straight play at 1x in 1/60 s ticks, drawing as a window would */
    for (int frame = 0; fx.app.cur.m.t < 2700 * SIM_MS; frame++) {
        cr_assert_eq(viz_app_tick(&fx.app, 1.0 / 60), 0);
        if (frame % 20 == 0)
            viz_app_render(&fx.app);
    }
    sim_time t2 = fx.app.cur.m.t;
    fx.app.ui.paused = true;
    viz_app_render(&fx.app);
    uint32_t *played = grab(&fx);
    /* back to before the partition, forward past it again */
    render_at(&fx, 1200 * SIM_MS);
    render_at(&fx, 600 * SIM_MS);
    render_at(&fx, t2);
    uint32_t *sought = grab(&fx);
    expect_same_frame(played, sought, "live: back then forward");
    /* and stepping events forward then back returns to the same frame */
    int32_t k = fx.app.cur.m.k;
    cr_assert_eq(viz_cursor_seek(&fx.app.cur, &fx.app.tape, k, fx.app.tape.store.ev[k - 1].t), 0);
    viz_app_render(&fx.app);
    uint32_t *at_event = grab(&fx);
    for (int i = 0; i < 7; i++)
        cr_assert_eq(viz_app_step(&fx.app, +1), 0);
    cr_expect_eq(fx.app.cur.m.k, k + 7);
    for (int i = 0; i < 7; i++)
        cr_assert_eq(viz_app_step(&fx.app, -1), 0);
    fx.app.ui.toast[0] = '\0'; /* the steps' notice is not part of the moment */
    viz_app_render(&fx.app);
    uint32_t *stepped = grab(&fx);
    expect_same_frame(at_event, stepped, "seven steps forward, seven back");
    free(played);
    free(sought);
    free(at_event);
    free(stepped);
    close_fixture(&fx);
}

Test(viz_frames, a_replayed_trace_draws_what_the_live_run_drew)
{
    char trace[256], cmd[1024];
    snprintf(trace, sizeof trace, "/tmp/faultline-vizr-%ld.jsonl", (long)getpid());
    snprintf(cmd, sizeof cmd, "%s run %s/scenarios/pb-heartbeat-split-brain.json --trace %s -q",
             FAULTLINE_BIN, FAULTLINE_SOURCE_DIR, trace);
    int status = system(cmd);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) <= 1);
    struct fixture live, replay;
    struct viz_app_opts o = {.paused = true};
    open_fixture(&live, FAULTLINE_SOURCE_DIR "/scenarios/pb-heartbeat-split-brain.json", &o);
    open_fixture(&replay, trace, &o);
    /* the timeline differs (a replay shows the whole run ahead), the rest not */
    live.app.L.timeline.h = 0;
    render_at(&live, 4200 * SIM_MS);
    render_at(&replay, 7 * SIM_S);
    render_at(&replay, 4200 * SIM_MS);
    struct viz_rect view = live.app.L.view;
    size_t diff = 0;
    for (int y = (int)view.y; y < (int)(view.y + view.h); y++)
        for (int x = (int)view.x; x < (int)(view.x + view.w); x++)
            diff += viz_offscreen_pixel(&live.off, x, y) != viz_offscreen_pixel(&replay.off, x, y);
    cr_expect_eq(diff, 0, "the node view differs in %zu pixels", diff);
    close_fixture(&live);
    close_fixture(&replay);
    unlink(trace);
}

/* ---- controls ---------------------------------------------------------------------------- */

static void key(struct viz_app *a, SDL_Keycode sym, Uint16 mod)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_KEYDOWN;
    e.key.keysym.sym = sym;
    e.key.keysym.mod = mod;
    viz_app_event(a, &e);
}

static void mouse(struct viz_app *a, Uint32 type, float x, float y)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = type;
    if (type == SDL_MOUSEMOTION) {
        e.motion.x = (int)x;
        e.motion.y = (int)y;
    } else {
        e.button.button = SDL_BUTTON_LEFT;
        e.button.x = (int)x;
        e.button.y = (int)y;
    }
    viz_app_event(a, &e);
}

Test(viz_controls, keys_pause_step_and_change_speed)
{
    struct fixture fx;
    struct viz_app_opts o = {0};
    open_fixture(&fx, FAULTLINE_SOURCE_DIR "/scenarios/pb-heartbeat-split-brain.json", &o);
    struct viz_app *a = &fx.app;
    cr_expect(!a->ui.paused);
    viz_app_tick(a, 0.5);
    sim_time t = a->cur.m.t;
    cr_expect_gt(t, 0, "playing: time moves");
    key(a, SDLK_SPACE, 0);
    cr_expect(a->ui.paused);
    viz_app_tick(a, 0.5);
    cr_expect_eq(a->cur.m.t, t, "paused: time stands");
    int32_t k = a->cur.m.k;
    key(a, SDLK_RIGHT, 0);
    cr_expect_eq(a->cur.m.k, k + 1, "right arrow: one event forward");
    key(a, SDLK_LEFT, 0);
    key(a, SDLK_LEFT, 0);
    cr_expect_eq(a->cur.m.k, k - 1, "left arrow: one event back");
    for (int i = 0; i < 40; i++)
        key(a, SDLK_PLUS, 0);
    cr_expect_eq(a->ui.speed, VIZ_SPEED_MAX, "+ stops at 1000x");
    for (int i = 0; i < 40; i++)
        key(a, SDLK_MINUS, 0);
    cr_expect_eq(a->ui.speed, VIZ_SPEED_MIN, "- stops at 1/1000x");
    key(a, SDLK_EQUALS, 0);
    cr_expect_eq(a->ui.speed, 0.002);
    key(a, SDLK_END, 0);
    cr_expect_eq(a->cur.m.t, viz_app_end(a));
    key(a, SDLK_HOME, 0);
    cr_expect_eq(a->cur.m.t, 0);
    close_fixture(&fx);
}

Test(viz_controls, help_diagram_and_timeline_drag)
{
    struct fixture fx;
    struct viz_app_opts o = {.paused = true};
    open_fixture(&fx, FAULTLINE_SOURCE_DIR "/scenarios/pb-heartbeat-split-brain.json", &o);
    struct viz_app *a = &fx.app;
    render_at(&fx, 2 * SIM_S);
    uint32_t without = px(&fx, W / 2.0f, H / 2.0f);
    key(a, SDLK_F1, 0);
    cr_expect(a->ui.help);
    viz_app_render(a);
    cr_expect_eq(px(&fx, W / 2.0f, H / 2.0f), 0xFFFFFFu, "the help card covers the middle");
    cr_expect_neq(without, 0xFFFFFFu);
    key(a, SDLK_ESCAPE, 0);
    cr_expect(!a->ui.help && !a->quit, "Esc closes the help first");
    key(a, SDLK_SLASH, KMOD_LSHIFT);
    cr_expect(a->ui.help, "? opens it");
    key(a, SDLK_F1, 0);
    cr_expect(!a->ui.help);
    key(a, SDLK_l, 0);
    cr_expect(a->ui.diagram);
    viz_app_render(a);
    cr_expect_gt(a->L.diagram.w, 100);
    cr_expect_lt(a->L.view.w, a->L.main.w);
    key(a, SDLK_l, 0);
    viz_app_render(a);
    cr_expect_eq(a->L.diagram.w, 0);
    /* drag along the timeline: the cursor follows */
    const struct viz_rect *tl = &a->L.timeline;
    float y = tl->y + 30 * a->L.s;
    float x5 = tl->x + 18 * a->L.s + (tl->w - 36 * a->L.s) * 0.5f;
    mouse(a, SDL_MOUSEBUTTONDOWN, tl->x + 100, y);
    mouse(a, SDL_MOUSEMOTION, x5, y);
    cr_expect(llabs(a->cur.m.t - 5 * SIM_S) < 30 * SIM_MS, "dragged to the middle: %lld", (long long)a->cur.m.t);
    mouse(a, SDL_MOUSEBUTTONUP, x5, y);
    key(a, SDLK_q, 0);
    cr_expect(a->quit);
    close_fixture(&fx);
}

Test(viz_controls, a_replay_explains_why_clicks_do_not_inject)
{
    char trace[256], cmd[1024];
    snprintf(trace, sizeof trace, "/tmp/faultline-vizc-%ld.jsonl", (long)getpid());
    snprintf(cmd, sizeof cmd, "%s run %s/scenarios/pb-heartbeat-split-brain.json --trace %s -q",
             FAULTLINE_BIN, FAULTLINE_SOURCE_DIR, trace);
    int status = system(cmd);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) <= 1);
    struct fixture fx;
    struct viz_app_opts o = {.paused = true};
    open_fixture(&fx, trace, &o);
    render_at(&fx, 1 * SIM_S);
    const struct viz_layout *L = &fx.app.L;
    mouse(&fx.app, SDL_MOUSEBUTTONDOWN, L->nx[0], L->ny[0]);
    mouse(&fx.app, SDL_MOUSEBUTTONUP, L->nx[0], L->ny[0]);
    cr_expect(fx.app.cur.m.nodes[0].up, "nothing injected into a recording");
    cr_expect_not_null(strstr(fx.app.ui.toast, "replaying a trace"), "%s", fx.app.ui.toast);
    key(&fx.app, SDLK_s, 0);
    cr_expect_not_null(strstr(fx.app.ui.toast, "no session"), "%s", fx.app.ui.toast);
    close_fixture(&fx);
    unlink(trace);
}

/* F2 shows the frame rate the window measured, top right of the view, on a
 * dark badge; pressing F2 again hides it and the frame is as before. */
Test(viz_pixels, f2_shows_the_frame_rate_and_hides_it_again)
{
    struct fixture fx;
    struct viz_app_opts o = {.paused = true, .run_ahead = true};
    open_fixture(&fx, FAULTLINE_SOURCE_DIR "/scenarios/pb-heartbeat-split-brain.json", &o);
    render_at(&fx, 2 * SIM_S);
    uint32_t *before = grab(&fx);
    SDL_Event e = {0};
    e.type = SDL_KEYDOWN;
    e.key.keysym.sym = SDLK_F2;
    viz_app_event(&fx.app, &e);
    cr_assert(fx.app.ui.show_fps);
    fx.app.ui.fps = 60;
    fx.app.ui.frame_ms = 4.2;
    render_at(&fx, 2 * SIM_S);
    uint32_t *shown = grab(&fx);
    const struct viz_rect *v = &fx.app.L.view;
    size_t badge = 0, elsewhere = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            size_t i = (size_t)y * W + (size_t)x;
            if (shown[i] == before[i])
                continue;
            bool top_right = x > v->x + v->w / 2 && y < v->y + 40;
            badge += top_right;
            elsewhere += !top_right;
        }
    cr_expect_gt(badge, 500, "the badge is drawn top right of the view");
    cr_expect_eq(elsewhere, 0, "nothing else changes");
    viz_app_event(&fx.app, &e);
    render_at(&fx, 2 * SIM_S);
    uint32_t *after = grab(&fx);
    expect_same_frame(before, after, "F2 twice");
    free(before);
    free(shown);
    free(after);
    close_fixture(&fx);
}
