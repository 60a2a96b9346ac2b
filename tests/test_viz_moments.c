/* test_viz_moments.c - the classroom's named moments rendered offscreen
 * (2PC blocked after the coordinator crash, Raft Figure 8 with the bug, the
 * space-time diagram of a leader crash), each asserted on its layout - no
 * two labels overlap, none leaves the window, none is cut with "…" - and on
 * what the moment shows; the colour key (one meaning per hue), the
 * protocol's own word for its epoch, and refusals counted apart. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "viz/app.h"
#include "viz/model.h"
#include "viz/offscreen.h"
#include "viz/viz.h"

#define W 1280
#define H 720
#define SCENARIOS FAULTLINE_TEST_DATA "/../../scenarios/"

struct fixture {
    struct viz_app app;
    struct viz_offscreen off;
};

static void setup_env(void)
{
    setenv("SDL_VIDEODRIVER", "offscreen", 1);
}

TestSuite(viz_moments, .init = setup_env);
TestSuite(viz_colours, .init = setup_env);
TestSuite(viz_epoch, .init = setup_env);

static void open_at(struct fixture *fx, const char *path, bool diagram, sim_time t)
{
    char err[512];
    struct viz_app_opts o = {.paused = true, .run_ahead = true, .diagram = diagram};
    cr_assert_eq(viz_app_open(&fx->app, path, &o, err, sizeof err), 0, "%s: %s", path, err);
    cr_assert_eq(viz_offscreen_open(&fx->off, W, H, err, sizeof err), 0, "%s", err);
    cr_assert_eq(viz_app_attach(&fx->app, fx->off.r, W, H, err, sizeof err), 0, "%s", err);
    cr_assert_eq(viz_app_seek(&fx->app, t), 0);
    cr_assert_eq(viz_app_render(&fx->app), 0);
}

static void close_fixture(struct fixture *fx)
{
    viz_app_close(&fx->app); /* its textures go before their renderer */
    viz_offscreen_close(&fx->off);
}

static void save_png(struct fixture *fx, const char *name)
{
    const char *dir = getenv("FAULTLINE_TEST_PNG_DIR"); /* to look at the frames */
    if (!dir)
        return;
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/%s.png", dir, name);
    viz_png_write(fx->off.surf, path, err, sizeof err);
}

/* The layout properties every frame must have. */
static void expect_clean_layout(const struct viz_labels *l, const char *moment)
{
    cr_assert_gt(l->n, 0, "%s: labels were placed", moment);
    for (int i = 0; i < l->n; i++) {
        cr_expect(viz_rect_inside(&l->rect[i], &l->window), "%s: \"%s\" leaves the window", moment,
                  l->text[i]);
        cr_expect_null(strstr(l->text[i], "\u2026"), "%s: \"%s\" is cut", moment, l->text[i]);
        for (int j = i + 1; j < l->n; j++)
            cr_expect(!viz_rect_overlaps(&l->rect[i], &l->rect[j]),
                      "%s: \"%s\" and \"%s\" overlap", moment, l->text[i], l->text[j]);
    }
    if (l->has_tip)
        cr_expect(viz_rect_inside(&l->tip, &l->window), "%s: the tooltip leaves the window", moment);
}

static int find_label(const struct viz_labels *l, const char *prefix)
{
    for (int i = 0; i < l->n; i++)
        if (strncmp(l->text[i], prefix, strlen(prefix)) == 0)
            return i;
    return -1;
}

static uint32_t node_pixel(struct fixture *fx, int i)
{
    const struct viz_layout *L = &fx->app.L;
    /* below the name, inside the disc: the fill */
    return viz_offscreen_pixel(&fx->off, (int)L->nx[i], (int)(L->ny[i] + L->node_r * 0.7f));
}

Test(viz_moments, two_pc_coordinator_crash_at_4s_shows_blocked_participants_cleanly)
{
    struct fixture fx;
    open_at(&fx, SCENARIOS "2pc-coordinator-crash.json", false, 4 * SIM_S);
    save_png(&fx, "2pc-coordinator-crash-4s");
    expect_clean_layout(fx.app.labels, "2pc at 4s");
    int blocked = 0;
    for (int i = 0; i < fx.app.L.nnodes; i++)
        if (strcmp(fx.app.info[i].role, "blocked") == 0) {
            blocked++;
            cr_expect_eq(node_pixel(&fx, i), (uint32_t)VIZ_YELLOW, "n%d is drawn in the BLOCKED colour", i + 1);
        }
    cr_expect_eq(blocked, 3, "the three participants are blocked");
    cr_expect_eq(node_pixel(&fx, 0), (uint32_t)VIZ_DOWN, "the coordinator n1 is down");
    cr_expect_geq(find_label(fx.app.labels, "BLOCKED"), 0);
    /* the participants' state text is wrapped whole: its READY transactions show */
    cr_expect_geq(find_label(fx.app.labels, "READY"), 0, "the text after \"t51\" is on a row of its own");
    close_fixture(&fx);
}

Test(viz_moments, paused_message_labels_aggregate_instead_of_stacking)
{
    struct fixture fx;
    open_at(&fx, SCENARIOS "raft-figure8-bug.json", false, 1250 * SIM_MS);
    const struct viz_labels *l = fx.app.labels;
    int append = 0;
    for (int i = 0; i < l->n; i++)
        append += strncmp(l->text[i], "AppendEntries", 13) == 0;
    cr_expect_leq(append, 2, "AppendEntries is labelled at most once per group, not once per dot");
    cr_expect_geq(find_label(l, "AppendEntries \u00d7"), 0, "dots of one type together say how many");
    close_fixture(&fx);
}

Test(viz_moments, raft_figure8_bug_at_1250ms_shows_the_new_leader_and_its_messages)
{
    struct fixture fx;
    open_at(&fx, SCENARIOS "raft-figure8-bug.json", false, 1250 * SIM_MS);
    save_png(&fx, "raft-figure8-bug-1250ms");
    expect_clean_layout(fx.app.labels, "figure 8 at 1.25s");
    cr_expect_str_eq(fx.app.info[4].role, "leader");
    cr_expect_eq(node_pixel(&fx, 4), (uint32_t)VIZ_ORANGE, "n5 leads: orange");
    cr_expect_geq(find_label(fx.app.labels, "LEADER term 4"), 0);
    cr_expect_geq(find_label(fx.app.labels, "log"), 0, "log strips are placed");
    /* a message n5 sent as leader is an orange dot */
    struct viz_draw d;
    viz_app_draw_ctx(&fx.app, &d);
    const struct viz_store *st = &fx.app.tape.store;
    int checked = 0;
    for (int32_t k = 0; k < fx.app.cur.m.nlive; k++) {
        const struct viz_msg *m = &st->msg[fx.app.cur.m.live[k]];
        float x, y;
        double fall;
        if (m->from != 4 || !viz_msg_screen(&d, fx.app.cur.m.live[k], &x, &y, &fall) || fall > 0)
            continue;
        cr_expect_str_eq(st->roles[m->role], "leader");
        cr_expect_eq(viz_offscreen_pixel(&fx.off, (int)lroundf(x), (int)lroundf(y)), (uint32_t)VIZ_ORANGE);
        checked++;
    }
    cr_expect_gt(checked, 0, "n5 has messages in flight");
    close_fixture(&fx);
}

Test(viz_moments, space_time_diagram_fits_its_header_and_every_node)
{
    struct fixture fx;
    open_at(&fx, SCENARIOS "raft-leader-crash.json", true, 4 * SIM_S);
    /* zoomed out far enough that only the newest messages are drawn: the
     * longest header, with a long span ("last 2.345678s") */
    fx.app.window_zoomed = true;
    fx.app.ui.diagram_window = 2345678;
    cr_assert_eq(viz_app_render(&fx.app), 0);
    expect_clean_layout(fx.app.labels, "space-time diagram, 2.35s");
    cr_expect_geq(find_label(fx.app.labels, "SPACE-TIME"), 0, "the header is drawn");
    fx.app.ui.diagram_window = 4 * SIM_S;
    cr_assert_eq(viz_app_render(&fx.app), 0);
    save_png(&fx, "raft-leader-crash-diagram");
    const struct viz_labels *l = fx.app.labels;
    expect_clean_layout(l, "space-time diagram");
    const struct viz_layout *L = &fx.app.L;
    int zoom = find_label(l, "[ ] zoom"), head = find_label(l, "SPACE-TIME");
    cr_assert_geq(zoom, 0);
    cr_assert_geq(head, 0, "the header is drawn");
    cr_expect(viz_rect_inside(&l->rect[head], &L->diagram));
    cr_expect(viz_rect_inside(&l->rect[zoom], &L->diagram));
    char lane[8];
    for (int i = 0; i < L->nnodes; i++) {
        snprintf(lane, sizeof lane, "n%d", i + 1);
        cr_expect_geq(find_label(l, lane), 0, "lane %s is named", lane);
        /* every node with room for a leader's ring, inside the node view */
        float r = L->node_r + 11 * L->s;
        struct viz_rect disc = {L->nx[i] - r, L->ny[i] - r, 2 * r, 2 * r};
        cr_expect(viz_rect_inside(&disc, &L->view), "n%d is not clipped", i + 1);
    }
    close_fixture(&fx);
}

Test(viz_moments, a_tooltip_stays_inside_the_window)
{
    struct fixture fx;
    open_at(&fx, SCENARIOS "raft-leader-crash.json", true, 2 * SIM_S);
    const struct viz_layout *L = &fx.app.L;
    for (int i = 0; i < L->nnodes; i++) {
        viz_app_hover(&fx.app, L->nx[i], L->ny[i]);
        cr_assert_eq(viz_app_render(&fx.app), 0);
        cr_assert(fx.app.labels->has_tip, "hovering n%d shows its tooltip", i + 1);
        cr_expect(viz_rect_inside(&fx.app.labels->tip, &L->view), "n%d's tooltip is inside the view", i + 1);
    }
    close_fixture(&fx);
}

Test(viz_colours, only_roles_and_their_messages_use_role_hues)
{
    static const char *const roles[] = {"leader", "primary", "coordinator", "candidate", "proposer",
                                        "follower", "backup", "acceptor", "participant", "learner",
                                        "monitor", "blocked", "ready", "prepared"};
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        struct viz_rgba r = viz_role_color(roles[i]), m = viz_msg_color(roles[i]);
        cr_expect(viz_is_role_hue(r), "%s has a role hue", roles[i]);
        cr_expect(r.r == m.r && r.g == m.g && r.b == m.b, "a message from a %s takes its colour", roles[i]);
    }
    cr_expect(!viz_is_role_hue(viz_msg_color(NULL)), "a message from a node of no role yet: neutral");
    cr_expect(!viz_is_role_hue(viz_role_color("node")));
    cr_expect(!viz_is_role_hue(viz_role_color("down")));
    for (int k = 0; k < 2; k++)
        cr_expect(!viz_is_role_hue(viz_log_color(k)), "log cells are neutral");
    for (int g = -1; g < 6; g++)
        cr_expect(!viz_is_role_hue(viz_group_tint(g)), "partition group %d is neutral", g);
    for (int k = 0; k < VIZ_EV_KIND_COUNT; k++)
        cr_expect(!viz_is_role_hue(viz_timeline_mark_color((uint8_t)k)), "timeline marker %d", k);
    cr_expect(!viz_is_role_hue(VIZ_RGB(VIZ_BAD)));
    /* the leader, a candidate and a follower differ */
    struct viz_rgba a = viz_role_color("leader"), b = viz_role_color("candidate"), c = viz_role_color("follower");
    cr_expect(a.r != b.r || a.g != b.g || a.b != b.b);
    cr_expect(b.r != c.r || b.g != c.g || b.b != c.b);
}

Test(viz_colours, a_partition_is_drawn_without_role_hues)
{
    struct fixture fx;
    open_at(&fx, SCENARIOS "raft-minority-partition.json", false, 3 * SIM_S);
    save_png(&fx, "raft-minority-partition-3s");
    expect_clean_layout(fx.app.labels, "partition");
    cr_expect_geq(find_label(fx.app.labels, "A"), 0, "groups are named by letters");
    cr_expect_geq(find_label(fx.app.labels, "B"), 0);
    /* the slice between the centre and a node is a neutral grey */
    const struct viz_layout *L = &fx.app.L;
    uint32_t p = viz_offscreen_pixel(&fx.off, (int)((L->cx + L->nx[2]) / 2 + 3), (int)((L->cy + L->ny[2]) / 2 + 40));
    int r = p >> 16 & 255, g = p >> 8 & 255, b = p & 255;
    cr_expect(abs(r - g) < 12 && abs(g - b) < 16, "a grey, not a hue: %06x", p);
    close_fixture(&fx);
}

/* ---- the protocol's word for its epoch, and refusals ------------------------------------ */

static const char *write_trace(const char *name, const char *header_extra)
{
    static char path[256];
    snprintf(path, sizeof path, "/tmp/faultline-vizm-%ld-%s", (long)getpid(), name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f,
            "{\"trace\":\"faultline\",\"version\":1,\"scenario\":\"e\",\"title\":\"E\",\"lesson\":\"L\","
            "\"protocol\":\"paxos\",%s\"seed\":1,\"nodes\":3,\"clients\":1,\"keys\":1,"
            "\"model\":\"register\",\"duration\":1000000}\n",
            header_extra);
    for (int i = 1; i <= 3; i++)
        fprintf(f, "{\"t\":0,\"ev\":\"boot\",\"node\":\"n%d\"}\n", i);
    fprintf(f, "{\"t\":10,\"ev\":\"state\",\"node\":\"n1\",\"role\":\"proposer\",\"term\":3,"
               "\"text\":\"promised 3\"}\n");
    fprintf(f, "{\"t\":20,\"ev\":\"invoke\",\"client\":0,\"process\":0,\"op\":1,\"f\":\"read\",\"key\":\"x\",\"node\":\"n1\"}\n");
    fprintf(f, "{\"t\":30,\"ev\":\"complete\",\"client\":0,\"op\":1,\"type\":\"ok\",\"latency\":10}\n");
    fprintf(f, "{\"t\":40,\"ev\":\"invoke\",\"client\":0,\"process\":0,\"op\":2,\"f\":\"read\",\"key\":\"x\",\"node\":\"n1\"}\n");
    fprintf(f, "{\"t\":50,\"ev\":\"complete\",\"client\":0,\"op\":2,\"type\":\"fail\",\"error\":\"refused\",\"latency\":10}\n");
    fprintf(f, "{\"t\":60,\"ev\":\"invoke\",\"client\":0,\"process\":0,\"op\":3,\"f\":\"cas\",\"key\":\"x\",\"node\":\"n1\"}\n");
    fprintf(f, "{\"t\":70,\"ev\":\"complete\",\"client\":0,\"op\":3,\"type\":\"fail\",\"error\":\"mismatch\",\"latency\":10}\n");
    fprintf(f, "{\"t\":80,\"ev\":\"invoke\",\"client\":0,\"process\":0,\"op\":4,\"f\":\"read\",\"key\":\"x\",\"node\":\"n1\"}\n");
    fprintf(f, "{\"t\":90,\"ev\":\"complete\",\"client\":0,\"op\":4,\"type\":\"fail\",\"refused\":true,\"error\":\"no quorum\",\"latency\":10}\n");
    fprintf(f, "{\"t\":95,\"ev\":\"invoke\",\"client\":0,\"process\":0,\"op\":5,\"f\":\"read\",\"key\":\"x\",\"node\":\"n1\"}\n");
    fprintf(f, "{\"t\":99,\"ev\":\"complete\",\"client\":0,\"op\":5,\"type\":\"info\",\"error\":\"timeout\",\"latency\":4}\n");
    fclose(f);
    return path;
}

Test(viz_epoch, a_ballot_protocol_says_ballot_not_term)
{
    const char *path = write_trace("ballot.jsonl", "\"epoch\":\"ballot\",");
    struct fixture fx;
    open_at(&fx, path, false, 500);
    cr_expect_str_eq(fx.app.tape.store.hdr.epoch, "ballot");
    const struct viz_labels *l = fx.app.labels;
    cr_expect_geq(find_label(l, "PROPOSER ballot 3"), 0, "the node says ballot 3");
    for (int i = 0; i < l->n; i++)
        cr_expect_null(strstr(l->text[i], "term"), "\"%s\" says term", l->text[i]);
    close_fixture(&fx);
    unlink(path);
}

Test(viz_epoch, a_trace_without_epoch_says_term)
{
    const char *path = write_trace("term.jsonl", "");
    struct fixture fx;
    open_at(&fx, path, false, 500);
    cr_expect_str_eq(fx.app.tape.store.hdr.epoch, "term");
    cr_expect_geq(find_label(fx.app.labels, "PROPOSER term 3"), 0);
    close_fixture(&fx);
    unlink(path);
}

Test(viz_epoch, the_shiviz_export_names_the_epoch)
{
    const char *path = write_trace("shiviz.jsonl", "\"epoch\":\"ballot\",");
    char out[300], err[256], line[512];
    snprintf(out, sizeof out, "%s.shiviz", path);
    struct viz_shiviz_opts o = {.out = out};
    cr_assert_eq(viz_export_shiviz(path, &o, err, sizeof err), 0, "%s", err);
    FILE *f = fopen(out, "r");
    cr_assert_not_null(f);
    bool found = false;
    while (fgets(line, sizeof line, f))
        found |= strstr(line, "becomes proposer (ballot 3)") != NULL;
    fclose(f);
    cr_expect(found, "the role change names the ballot");
    unlink(out);
    unlink(path);
}

Test(viz_epoch, refusals_are_counted_apart_from_answers_and_timeouts)
{
    const char *path = write_trace("refused.jsonl", "");
    struct fixture fx;
    open_at(&fx, path, false, 500);
    const struct viz_counts *c = &fx.app.cur.m.c;
    cr_expect_eq(c->ok, 1);
    cr_expect_eq(c->fail, 1, "a cas mismatch is an answer");
    cr_expect_eq(c->refused, 2, "\"error\":\"refused\" and \"refused\":true are refusals");
    cr_expect_eq(c->info, 1);
    close_fixture(&fx);
    unlink(path);
}
