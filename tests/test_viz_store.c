/* test_viz_store.c - the viewer's trace reading: the JSON line scanner,
 * message flights matched by id, bad traces refused with the line and the
 * reason, truncation for a branching live run, and seeking on the tape
 * agreeing with plain playing. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "viz/jscan.h"
#include "viz/model.h"
#include "viz/store.h"
#include "viz/tape.h"

#define HEADER "{\"trace\":\"faultline\",\"version\":1,\"scenario\":\"t\",\"title\":\"T\",\"lesson\":\"L\"," \
               "\"protocol\":\"echo\",\"seed\":1,\"nodes\":3,\"clients\":0,\"keys\":1,\"model\":\"register\",\"duration\":1000000}"

static void add(struct viz_store *s, const char *line)
{
    char err[256];
    int rc = viz_store_add(s, line, strlen(line), err, sizeof err);
    cr_assert_eq(rc, 0, "%s: %s", line, err);
}

static int add_bad(struct viz_store *s, const char *line, char *err, size_t cap)
{
    int32_t before = s->nev;
    int rc = viz_store_add(s, line, strlen(line), err, cap);
    cr_expect_eq(s->nev, before, "a bad line adds nothing");
    return rc;
}

Test(viz_jscan, walks_members_and_skips_nested_values)
{
    const char *t = "{\"a\": [1, {\"x\": \"]}\"}, [2]], \"b\":\"q\\\"\\u00e9\\n\", \"c\": -12, \"d\": true, \"e\": null}";
    struct viz_jiter it;
    struct viz_jval k, v;
    cr_assert(viz_json_object(&it, t, strlen(t)));
    cr_assert_eq(viz_json_member(&it, &k, &v), 1);
    cr_expect(viz_json_is(&k, "a"));
    cr_expect_eq(v.type, VIZ_J_ARR);
    cr_assert_eq(viz_json_member(&it, &k, &v), 1);
    cr_expect(viz_json_is(&k, "b"));
    char buf[16];
    viz_json_str(&v, buf, sizeof buf);
    cr_expect_str_eq(buf, "q\"é\n");
    int64_t x;
    cr_assert_eq(viz_json_member(&it, &k, &v), 1);
    cr_expect(viz_json_int(&v, &x) && x == -12);
    cr_assert_eq(viz_json_member(&it, &k, &v), 1);
    cr_expect_eq(v.type, VIZ_J_BOOL);
    cr_assert_eq(viz_json_member(&it, &k, &v), 1);
    cr_expect_eq(v.type, VIZ_J_NULL);
    cr_expect_eq(viz_json_member(&it, &k, &v), 0);
    cr_expect(viz_json_at_end(&it));
    const char *bad = "{\"a\": 1 \"b\": 2}";
    cr_assert(viz_json_object(&it, bad, strlen(bad)));
    cr_expect_eq(viz_json_member(&it, &k, &v), 1);
    cr_expect_eq(viz_json_member(&it, &k, &v), -1, "a missing comma is malformed");
    char small[4];
    struct viz_jval s = {VIZ_J_STR, "\xc3\xa9\xc3\xa9", 4, false};
    viz_json_str(&s, small, sizeof small);
    cr_expect_str_eq(small, "\xc3\xa9", "truncation keeps whole UTF-8 characters");
}

Test(viz_store, message_flights_are_matched_by_id)
{
    struct viz_store s;
    viz_store_init(&s, "t.jsonl");
    add(&s, HEADER);
    add(&s, "{\"t\":0,\"ev\":\"boot\",\"node\":\"n1\"}");
    add(&s, "{\"t\":0,\"ev\":\"send\",\"id\":1,\"from\":\"n1\",\"to\":\"n2\",\"type\":\"Ping\",\"arrive\":100,\"info\":\"x\"}");
    add(&s, "{\"t\":0,\"ev\":\"send\",\"id\":2,\"from\":\"n1\",\"to\":\"n2\",\"type\":\"Ping\",\"arrive\":90,\"copy\":\"duplicate\"}");
    add(&s, "{\"t\":5,\"ev\":\"drop\",\"id\":3,\"from\":\"n1\",\"to\":\"n3\",\"type\":\"Pong\",\"reason\":\"partition\"}");
    add(&s, "{\"t\":50,\"ev\":\"drop_message\",\"id\":1}");
    add(&s, "{\"t\":90,\"ev\":\"recv\",\"id\":2,\"from\":\"n1\",\"to\":\"n2\",\"unknown\":[1,2]}");
    add(&s, "{\"t\":100,\"ev\":\"drop\",\"id\":1,\"from\":\"n1\",\"to\":\"n2\",\"type\":\"Ping\",\"reason\":\"by hand\"}");
    add(&s, "{\"t\":120,\"ev\":\"something_new\",\"x\":1}");
    cr_assert_eq(s.nmsg, 3);
    cr_expect_eq(s.ntypes, 2);
    cr_expect_str_eq(s.types[s.msg[2].type], "Pong");
    cr_expect(s.msg[1].flags & VIZ_MSG_DUP);
    cr_expect(s.msg[2].flags & VIZ_MSG_AT_SEND);
    cr_expect_eq(s.msg[1].end_kind, VIZ_END_RECV);
    cr_expect_eq(s.msg[1].end, 90);
    cr_expect_eq(s.msg[0].end_kind, VIZ_END_DROP);
    cr_expect_eq(s.msg[0].reason, VIZ_DROP_BY_HAND);
    cr_expect_eq(s.ev[s.msg[0].cut_ev].t, 50);
    cr_expect_eq(s.ev[7].kind, VIZ_EV_OTHER, "unknown events are kept and ignored");
    cr_expect_eq(s.faults.n, 1);
    /* flights as the viewer draws them */
    double p, f;
    cr_expect(viz_msg_at(&s, &s.msg[0], 4, 25, &p, &f) && f == 0 && p > 0.24 && p < 0.26);
    cr_expect(viz_msg_at(&s, &s.msg[0], 6, 60, &p, &f) && f > 0, "cut by hand: it falls");
    cr_expect(!viz_msg_at(&s, &s.msg[1], 6, 90, &p, &f), "received: gone");
    cr_expect(viz_msg_at(&s, &s.msg[1], 5, 90, &p, &f), "in step mode it stays until its recv line is applied");
    viz_store_truncate(&s, 4);
    cr_expect_eq(s.nev, 4);
    cr_expect_eq(s.msg[1].end_kind, VIZ_END_NONE, "its receipt was cut off");
    cr_expect_eq(s.msg[0].cut_ev, INT32_MAX);
    cr_expect_eq(s.faults.n, 0);
    add(&s, "{\"t\":60,\"ev\":\"recv\",\"id\":1,\"from\":\"n1\",\"to\":\"n2\"}");
    cr_expect_eq(s.msg[0].end_kind, VIZ_END_RECV, "a new branch continues from there");
    viz_store_free(&s);
}

Test(viz_store, bad_traces_are_refused_with_the_line_and_the_reason)
{
    struct viz_store s;
    char err[256];
    viz_store_init(&s, "t.jsonl");
    cr_expect_eq(add_bad(&s, "{\"scenario\":\"x\"}", err, sizeof err), SIM_EINVAL);
    cr_expect_not_null(strstr(err, "t.jsonl:1: not a faultline trace"), "%s", err);
    cr_expect_eq(add_bad(&s, "{\"trace\":\"faultline\",\"version\":2,\"nodes\":3,\"duration\":5}", err, sizeof err), SIM_EINVAL);
    cr_expect_not_null(strstr(err, "version 2"), "%s", err);
    add(&s, HEADER);
    cr_expect_eq(add_bad(&s, "{\"t\":5,\"ev\":\"boot\",\"node\":\"n9\"}", err, sizeof err), SIM_EINVAL);
    cr_expect_not_null(strstr(err, "t.jsonl:2:"), "%s", err);
    cr_expect_not_null(strstr(err, "node"), "%s", err);
    add(&s, "{\"t\":5,\"ev\":\"boot\",\"node\":\"n1\"}");
    cr_expect_eq(add_bad(&s, "{\"t\":4,\"ev\":\"boot\",\"node\":\"n2\"}", err, sizeof err), SIM_EINVAL);
    cr_expect_not_null(strstr(err, "backwards"), "%s", err);
    cr_expect_eq(add_bad(&s, "{\"t\":6,\"ev\":\"recv\",\"id\":7,\"from\":\"n1\",\"to\":\"n2\"}", err, sizeof err), SIM_EINVAL);
    cr_expect_not_null(strstr(err, "never sent"), "%s", err);
    cr_expect_eq(add_bad(&s, "{\"t\":6,\"ev\":\"boot\",", err, sizeof err), SIM_EINVAL);
    cr_expect_not_null(strstr(err, "t.jsonl:3: malformed"), "%s", err);
    cr_expect_eq(add_bad(&s, "{\"t\":6,\"ev\":\"send\",\"id\":1,\"from\":\"n1\",\"to\":\"n2\"}", err, sizeof err), SIM_EINVAL);
    cr_expect_not_null(strstr(err, "arrive"), "%s", err);
    cr_expect_eq(s.nmsg, 0, "the refused send left no message behind");
    viz_store_free(&s);
}

/* Writes the default lesson's trace with the real engine, via the CLI. */
static const char *lesson_trace(void)
{
    static char path[256];
    snprintf(path, sizeof path, "/tmp/faultline-vizstore-%ld.jsonl", (long)getpid());
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s run %s/scenarios/pb-heartbeat-split-brain.json --trace %s -q",
             FAULTLINE_BIN, FAULTLINE_SOURCE_DIR, path);
    int status = system(cmd);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) <= 1, "%s", cmd); /* 1: an expectation failed */
    cr_assert_eq(access(path, R_OK), 0);
    return path;
}

static void expect_same_model(const struct viz_model *a, const struct viz_model *b)
{
    cr_assert_eq(a->k, b->k);
    cr_expect_eq(a->t, b->t);
    cr_expect_eq(memcmp(a->nodes, b->nodes, (size_t)a->nnodes * sizeof *a->nodes), 0);
    cr_expect_eq(memcmp(&a->c, &b->c, sizeof a->c), 0);
    cr_expect_eq(a->nblocks, b->nblocks);
    cr_expect_eq(a->caption_ev, b->caption_ev);
    cr_expect_eq(a->violation_ev, b->violation_ev);
}

Test(viz_tape, any_seek_equals_playing_there)
{
    const char *path = lesson_trace();
    struct viz_tape t;
    char err[512];
    viz_tape_init(&t, path);
    cr_assert_eq(viz_tape_load(&t, path, err, sizeof err), 0, "%s", err);
    cr_assert_gt(t.store.nev, 4096, "the lesson crosses a checkpoint");
    cr_expect_gt(t.ncp, 1);
    struct viz_cursor jump, play;
    cr_assert_eq(viz_cursor_init(&jump, &t), 0);
    cr_assert_eq(viz_cursor_init(&play, &t), 0);
    sim_time end = t.store.hdr.duration;
    /* seek to scattered moments, forwards and back, and compare with a
     * cursor that only ever plays forward from the start */
    sim_time moments[] = {end / 2, end / 7, end - 1, 3, end / 3, end / 3 + 1, end / 9, end};
    for (size_t i = 0; i < sizeof moments / sizeof moments[0]; i++) {
        cr_assert_eq(viz_cursor_seek_time(&jump, &t, moments[i]), 0);
        viz_cursor_free(&play);
        viz_cursor_init(&play, &t);
        for (sim_time x = 0; x < moments[i]; x += end / 50)
            viz_cursor_seek_time(&play, &t, x);
        viz_cursor_seek_time(&play, &t, moments[i]);
        expect_same_model(&jump.m, &play.m);
        /* the messages on screen are the same too */
        int shown_a = 0, shown_b = 0;
        for (int32_t k = 0; k < jump.m.nlive; k++) {
            double p, f;
            shown_a += viz_msg_at(&t.store, &t.store.msg[jump.m.live[k]], jump.m.k, jump.m.t, &p, &f);
        }
        for (int32_t k = 0; k < play.m.nlive; k++) {
            double p, f;
            shown_b += viz_msg_at(&t.store, &t.store.msg[play.m.live[k]], play.m.k, play.m.t, &p, &f);
        }
        cr_expect_eq(shown_a, shown_b, "at %lld", (long long)moments[i]);
    }
    /* a truncated tape keeps exactly its prefix */
    int32_t cut = t.store.nev / 2 + 17;
    struct viz_cursor before;
    viz_cursor_init(&before, &t);
    viz_cursor_seek(&before, &t, cut, t.store.ev[cut - 1].t);
    cr_assert_eq(viz_tape_truncate(&t, cut), 0);
    cr_expect_eq(t.store.nev, cut);
    expect_same_model(&t.head, &before.m);
    viz_cursor_free(&before);
    viz_cursor_free(&jump);
    viz_cursor_free(&play);
    viz_tape_free(&t);
    unlink(path);
}

Test(viz_tape, unreadable_and_empty_files_say_so)
{
    struct viz_tape t;
    char err[512];
    viz_tape_init(&t, "x");
    cr_expect_eq(viz_tape_load(&t, "/nonexistent/trace.jsonl", err, sizeof err), SIM_EIO);
    cr_expect_not_null(strstr(err, "cannot open"), "%s", err);
    char path[256];
    snprintf(path, sizeof path, "/tmp/faultline-vizempty-%ld", (long)getpid());
    FILE *f = fopen(path, "w");
    fclose(f);
    cr_expect_eq(viz_tape_load(&t, path, err, sizeof err), SIM_EINVAL);
    cr_expect_not_null(strstr(err, "empty"), "%s", err);
    unlink(path);
    viz_tape_free(&t);
}
