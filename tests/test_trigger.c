/* test_trigger.c - event triggers (scenario format version 2): faults and
 * captions that fire on a role change, a message sent or delivered, a note,
 * a violation or another fault, on real protocol runs; "$node" targets,
 * "repeat", "count", "delay" and "at" as "not before"; the loader's and the
 * protocol check's errors; writing triggers back; determinism. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "protocols/registry.h"
#include "sim/engine.h"
#include "sim/scenario.h"
#include "sim/scenario_write.h"

/* ---- a run and its trace, one parsed JSON object per line --------------------------- */

struct run {
    cJSON **line;
    int n, cap;
    uint64_t hash;
    char *text;           /* the whole trace */
    size_t len, textcap;
};

static void sink(void *ctx, const char *line, size_t len)
{
    struct run *r = ctx;
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 1024;
        r->line = realloc(r->line, (size_t)r->cap * sizeof *r->line);
        cr_assert_not_null(r->line);
    }
    r->line[r->n] = cJSON_ParseWithLength(line, len);
    cr_assert_not_null(r->line[r->n], "trace line is not JSON: %.*s", (int)len, line);
    r->n++;
    if (r->len + len + 1 > r->textcap) {
        r->textcap = (r->len + len + 1) * 2;
        r->text = realloc(r->text, r->textcap);
        cr_assert_not_null(r->text);
    }
    memcpy(r->text + r->len, line, len);
    r->len += len;
    r->text[r->len] = '\0';
}

static void run_free(struct run *r)
{
    for (int i = 0; i < r->n; i++)
        cJSON_Delete(r->line[i]);
    free(r->line);
    free(r->text);
    memset(r, 0, sizeof *r);
}

static struct scenario *parse(const char *json)
{
    struct scenario *sc;
    char err[1024];
    int rc = scenario_parse(json, strlen(json), "t.json", &sc, err, sizeof err);
    cr_assert_eq(rc, 0, "%s\n%s", err, json);
    return sc;
}

static void run_scenario(const struct scenario *sc, struct run *r)
{
    memset(r, 0, sizeof *r);
    const struct sim_protocol *p = protocol_find(sc->protocol);
    cr_assert_not_null(p);
    struct sim_options o = {.trace_sink = sink, .sink_ctx = r};
    struct sim *s;
    char err[1024];
    cr_assert_eq(sim_create(sc, p, &o, &s, err, sizeof err), 0, "%s", err);
    cr_assert_eq(sim_run(s), 0);
    r->hash = sim_trace_hash(s);
    sim_destroy(s);
}

static void run_json(const char *json, struct run *r)
{
    struct scenario *sc = parse(json);
    run_scenario(sc, r);
    scenario_free(sc);
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static long long num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? (long long)v->valuedouble : -1;
}

static bool is_ev(const cJSON *o, const char *ev)
{
    const char *e = str(o, "ev");
    return e && strcmp(e, ev) == 0;
}

/* Index of the k-th line (from 0) with this "ev", from `from`; -1 if none. */
static int find_ev(const struct run *r, const char *ev, int from, int k)
{
    for (int i = from; i < r->n; i++)
        if (is_ev(r->line[i], ev) && k-- == 0)
            return i;
    return -1;
}

static int count_ev(const struct run *r, const char *ev)
{
    int c = 0;
    for (int i = 0; i < r->n; i++)
        c += is_ev(r->line[i], ev);
    return c;
}

/* The first "state" line that shows a node as `role`; -1 if none. */
static int first_state(const struct run *r, const char *role)
{
    for (int i = 0; i < r->n; i++)
        if (is_ev(r->line[i], "state") && str(r->line[i], "role") &&
            strcmp(str(r->line[i], "role"), role) == 0)
            return i;
    return -1;
}

/* Times a node took `role` (its state line says so, its last one did not). */
static int count_took(const struct run *r, const char *role)
{
    char last[64][32];
    memset(last, 0, sizeof last);
    int c = 0;
    for (int i = 0; i < r->n; i++) {
        const cJSON *o = r->line[i];
        if (!is_ev(o, "state"))
            continue;
        int node = atoi(str(o, "node") + 1) - 1;
        const char *now = str(o, "role");
        c += strcmp(now, role) == 0 && strcmp(last[node], role) != 0;
        snprintf(last[node], sizeof last[node], "%s", now);
    }
    return c;
}

/* ---- scenarios ------------------------------------------------------------------------ */

/* A 3-node Raft run with `extra` spliced in at the top level. */
static char *raft(const char *extra)
{
    static char buf[8192];
    snprintf(buf, sizeof buf,
             "{\"name\": \"t\", \"protocol\": \"raft\", \"nodes\": 3, \"seed\": 3, \"duration\": \"4s\","
             " \"workload\": {\"clients\": 2, \"rate\": \"20/s\"}%s%s}",
             extra[0] ? ", " : "", extra);
    return buf;
}

/* The 2PC coordinator-on-n1 run of scenarios/2pc-blocked.json, shorter. */
static char *twopc(const char *extra)
{
    static char buf[8192];
    snprintf(buf, sizeof buf,
             "{\"name\": \"t\", \"protocol\": \"2pc\", \"nodes\": 4, \"seed\": 5, \"duration\": \"3s\","
             " \"params\": {\"coordinator\": \"n1\", \"vote_timeout\": \"300ms\", \"decision_timeout\": \"600ms\","
             "   \"decision_delay\": \"50ms\", \"retry\": \"200ms\"},"
             " \"network\": {\"latency\": {\"dist\": \"uniform\", \"min\": \"5ms\", \"max\": \"15ms\"}},"
             " \"workload\": {\"clients\": 4, \"rate\": \"40/s\", \"keys\": 3, \"mix\": {\"get\": 0.5, \"append\": 0.5},"
             "   \"timeout\": \"1s\", \"connect\": \"random\"}%s%s}",
             extra[0] ? ", " : "", extra);
    return buf;
}

/* ---- matching on real runs --------------------------------------------------------------- */

Test(trigger, caption_on_role_fires_when_the_first_leader_appears)
{
    struct run r;
    run_json(raft("\"captions\": [{\"on\": {\"role\": \"leader\"}, \"text\": \"$node leads\"}]"), &r);
    int leader = first_state(&r, "leader");
    cr_assert_geq(leader, 0);
    int cap = find_ev(&r, "caption", 0, 0);
    cr_assert_geq(cap, 0);
    cr_assert_eq(count_ev(&r, "caption"), 1, "\"once\" is the default");
    const cJSON *l = r.line[leader], *c = r.line[cap];
    cr_expect_eq(num(c, "t"), num(l, "t"));
    cr_expect_gt(cap, leader);
    char want[64];
    snprintf(want, sizeof want, "%s leads", str(l, "node"));
    cr_expect_str_eq(str(c, "text"), want);
    snprintf(want, sizeof want, "role leader %s", str(l, "node"));
    cr_expect_str_eq(str(c, "on"), want);
    run_free(&r);
}

Test(trigger, crash_after_the_coordinators_third_vote)
{
    struct run r;
    run_json(twopc("\"faults\": [{\"on\": {\"deliver\": \"Vote\", \"to\": \"n1\", \"count\": 3}, \"crash\": \"$node\"}]"),
             &r);
    /* Message ids of Votes (the recv lines name only the id). */
    int third = -1, votes = 0;
    for (int i = 0; i < r.n && third < 0; i++) {
        const cJSON *o = r.line[i];
        if (!is_ev(o, "recv") || strcmp(str(o, "to"), "n1") != 0)
            continue;
        long long id = num(o, "id");
        for (int j = 0; j < i; j++)
            if (is_ev(r.line[j], "send") && num(r.line[j], "id") == id &&
                strcmp(str(r.line[j], "type"), "Vote") == 0 && ++votes == 3)
                third = i;
    }
    cr_assert_geq(third, 0, "three Votes reach the coordinator");
    int crash = find_ev(&r, "crash", 0, 0);
    cr_assert_gt(crash, third, "the crash comes after the third Vote arrives");
    cr_expect_eq(num(r.line[crash], "t"), num(r.line[third], "t"));
    cr_expect_str_eq(str(r.line[crash], "node"), "n1");
    cr_expect_neq(strstr(str(r.line[crash], "on"), "deliver Vote"), NULL);
    cr_expect_neq(strstr(str(r.line[crash], "on"), "->n1 #3"), NULL);
    cr_expect_eq(count_ev(&r, "crash"), 1);
    run_free(&r);
}

Test(trigger, dollar_node_isolates_the_new_leader)
{
    struct run r;
    run_json(raft("\"faults\": [{\"on\": {\"role\": \"leader\"}, \"isolate\": \"$node\", \"for\": \"1s\"}]"), &r);
    int leader = first_state(&r, "leader");
    int iso = find_ev(&r, "isolate", 0, 0);
    cr_assert(leader >= 0 && iso > leader);
    cr_expect_str_eq(str(r.line[iso], "node"), str(r.line[leader], "node"));
    cr_expect_eq(num(r.line[iso], "t"), num(r.line[leader], "t"));
    cr_expect_eq(find_ev(&r, "heal", 0, 0) >= 0, true, "\"for\" still reverts it");
    run_free(&r);
}

Test(trigger, repeat_every_fires_at_each_match)
{
    struct run r;
    run_json(raft("\"faults\": [{\"at\": \"1s\", \"crash\": \"leader\", \"for\": \"200ms\"},"
                  "             {\"at\": \"2s\", \"crash\": \"leader\", \"for\": \"200ms\"}],"
                  " \"captions\": [{\"on\": {\"role\": \"leader\", \"repeat\": \"every\"}, \"text\": \"new leader $node\"}]"),
             &r);
    int took = count_took(&r, "leader");
    cr_assert_geq(took, 3, "a first leader and one after each crash");
    cr_expect_eq(count_ev(&r, "caption"), took);
    run_free(&r);
}

Test(trigger, count_with_every_fires_at_every_count_th)
{
    struct run r;
    run_json(raft("\"captions\": [{\"on\": {\"send\": \"AppendEntries\", \"from\": \"n1\", \"count\": 5, \"repeat\": \"every\"},"
                  " \"text\": \"five more\"}]"),
             &r);
    int sends = 0;
    for (int i = 0; i < r.n; i++)
        sends += (is_ev(r.line[i], "send") || is_ev(r.line[i], "drop")) && str(r.line[i], "type") &&
                 strcmp(str(r.line[i], "type"), "AppendEntries") == 0 &&
                 strcmp(str(r.line[i], "from"), "n1") == 0 && !str(r.line[i], "copy") &&
                 (is_ev(r.line[i], "send") || strcmp(str(r.line[i], "reason"), "partition") == 0);
    int caps = count_ev(&r, "caption");
    /* the last firings may fall after the end */
    cr_expect(caps == sends / 5 || caps == sends / 5 - 1, "%d captions for %d sends", caps, sends);
    run_free(&r);
}

Test(trigger, delay_postpones_the_firing)
{
    struct run r;
    run_json(raft("\"captions\": [{\"on\": {\"role\": \"leader\", \"delay\": \"10ms\"}, \"text\": \"later\"}]"), &r);
    int leader = first_state(&r, "leader"), cap = find_ev(&r, "caption", 0, 0);
    cr_assert(leader >= 0 && cap >= 0);
    cr_expect_eq(num(r.line[cap], "t"), num(r.line[leader], "t") + 10000);
    cr_expect_str_eq(str(r.line[cap], "on") + strlen(str(r.line[cap], "on")) - 6, " +10ms");
    run_free(&r);
}

Test(trigger, at_means_not_before)
{
    struct run r;
    run_json(raft("\"faults\": [{\"at\": \"2s\", \"crash\": \"leader\", \"for\": \"300ms\"}],"
                  " \"captions\": [{\"at\": \"1.5s\", \"on\": {\"role\": \"leader\"}, \"text\": \"after\"}]"),
             &r);
    int first = first_state(&r, "leader"), cap = find_ev(&r, "caption", 0, 0);
    cr_assert(first >= 0 && cap >= 0);
    cr_expect_lt(num(r.line[first], "t"), 1500000);
    cr_expect_gt(num(r.line[cap], "t"), 2000000, "the first leader after 1.5s comes after the 2s crash");
    run_free(&r);
}

Test(trigger, send_matches_sender_and_receiver)
{
    struct run r;
    run_json(raft("\"captions\": [{\"on\": {\"send\": \"RequestVote\", \"to\": \"n2\"}, \"text\": \"asks n2\"}]"), &r);
    int first = -1;
    for (int i = 0; i < r.n && first < 0; i++)
        if (is_ev(r.line[i], "send") && strcmp(str(r.line[i], "type"), "RequestVote") == 0 &&
            strcmp(str(r.line[i], "to"), "n2") == 0)
            first = i;
    int cap = find_ev(&r, "caption", 0, 0);
    cr_assert(first >= 0 && cap > first);
    cr_expect_eq(num(r.line[cap], "t"), num(r.line[first], "t"));
    char want[64];
    snprintf(want, sizeof want, "send RequestVote %s->n2", str(r.line[first], "from"));
    cr_expect_str_eq(str(r.line[cap], "on"), want);
    run_free(&r);
}

Test(trigger, note_matches_a_substring)
{
    struct run r;
    run_json(raft("\"faults\": [{\"on\": {\"note\": \"wins term\"}, \"crash\": \"$node\", \"for\": \"500ms\"}]"), &r);
    int note = -1;
    for (int i = 0; i < r.n && note < 0; i++)
        if (is_ev(r.line[i], "note") && strstr(str(r.line[i], "text"), "wins term"))
            note = i;
    int crash = find_ev(&r, "crash", 0, 0);
    cr_assert(note >= 0 && crash > note);
    cr_expect_eq(num(r.line[crash], "t"), num(r.line[note], "t"));
    cr_expect_str_eq(str(r.line[crash], "node"), str(r.line[note], "node"));
    run_free(&r);
}

Test(trigger, notes_match_with_tracing_off_too)
{
    /* A run without a trace must do what the traced run does. */
    struct scenario *sc = parse(raft("\"faults\": [{\"on\": {\"note\": \"wins term\"}, \"crash\": \"$node\"}]"));
    struct sim *s;
    char err[512];
    cr_assert_eq(sim_create(sc, protocol_find("raft"), NULL, &s, err, sizeof err), 0, "%s", err);
    cr_assert_eq(sim_run(s), 0);
    cr_expect_eq(sim_get_stats(s)->crashes, 1);
    sim_destroy(s);
    scenario_free(sc);
}

Test(trigger, violation_sets_off_a_caption)
{
    /* scenarios/pb-heartbeat-split-brain.json's setting: two primaries. */
    const char *json =
        "{\"name\": \"t\", \"protocol\": \"primary-backup\", \"nodes\": 3, \"seed\": 7, \"duration\": \"6s\","
        " \"params\": {\"failover\": \"heartbeat\", \"heartbeat\": \"100ms\", \"suspect_after\": \"300ms\", \"monitor\": \"n3\"},"
        " \"network\": {\"latency\": {\"dist\": \"uniform\", \"min\": \"5ms\", \"max\": \"15ms\"}},"
        " \"workload\": {\"clients\": 3, \"rate\": \"50/s\", \"timeout\": \"500ms\", \"connect\": \"random\"},"
        " \"faults\": [{\"at\": \"2s\", \"partition\": [[\"n1\"], [\"n2\", \"n3\"]]}],"
        " \"captions\": [{\"on\": {\"violation\": \"any\"}, \"text\": \"broken\"},"
        "              {\"on\": {\"violation\": \"no-such-invariant\"}, \"text\": \"never\"}]}";
    struct run r;
    run_json(json, &r);
    int v = find_ev(&r, "violation", 0, 0), cap = find_ev(&r, "caption", 0, 0);
    cr_assert(v >= 0, "the lesson breaks an invariant");
    cr_assert_gt(cap, v);
    cr_expect_eq(num(r.line[cap], "t"), num(r.line[v], "t"));
    cr_expect_str_eq(str(r.line[cap], "text"), "broken");
    cr_expect_eq(count_ev(&r, "caption"), 1);
    int unfired = find_ev(&r, "unfired", 0, 0);
    cr_assert_geq(unfired, 0, "the one that never fired is reported");
    cr_expect_str_eq(str(r.line[unfired], "caption"), "captions[1]");
    cr_expect_eq(find_ev(&r, "end", 0, 0), unfired + 1);
    run_free(&r);
}

Test(trigger, fault_sets_off_a_fault_by_index_and_by_kind)
{
    struct run r;
    run_json(raft("\"faults\": [{\"at\": \"2s\", \"crash\": \"n2\"},"
                  "             {\"on\": {\"fault\": 0, \"delay\": \"500ms\"}, \"recover\": \"$node\"},"
                  "             {\"on\": {\"fault\": \"recover\"}, \"clock\": \"$node\", \"skew\": \"5ms\"}]"),
             &r);
    int crash = find_ev(&r, "crash", 0, 0), rec = find_ev(&r, "recover", 0, 0);
    int clock = find_ev(&r, "clock", 0, 0);
    cr_assert(crash >= 0 && rec > crash && clock > rec);
    cr_expect_eq(num(r.line[rec], "t"), 2500000);
    cr_expect_str_eq(str(r.line[rec], "node"), "n2");
    cr_expect_str_eq(str(r.line[rec], "on"), "fault crash faults[0] n2 +500ms");
    cr_expect_str_eq(str(r.line[clock], "node"), "n2");
    cr_expect_eq(num(r.line[clock], "t"), 2500000);
    run_free(&r);
}

/* The end of a crash's "for" is a recovery, the end of a partition's a
 * heal, to what waits for one (a lesson's "n3 is back" caption). */
Test(trigger, the_end_of_a_fault_counts_as_a_recovery_or_a_heal)
{
    struct run r;
    run_json(raft("\"faults\": [{\"at\": \"1s\", \"crash\": \"n2\", \"for\": \"500ms\"},"
                  "             {\"at\": \"2s\", \"isolate\": \"n3\", \"for\": \"300ms\"},"
                  "             {\"on\": {\"fault\": \"recover\"}, \"slow\": \"$node\", \"delay\": \"1ms\"},"
                  "             {\"on\": {\"fault\": \"heal\"}, \"clock\": \"n1\", \"skew\": \"5ms\"}]"),
             &r);
    int rec = find_ev(&r, "recover", 0, 0), slow = find_ev(&r, "slow", 0, 0);
    int clock = find_ev(&r, "clock", 0, 0);
    cr_assert(rec >= 0 && slow > rec, "the recovery at the end of the crash set off the slow fault");
    cr_expect_eq(num(r.line[slow], "t"), 1500000);
    cr_expect_str_eq(str(r.line[slow], "node"), "n2");
    cr_assert_geq(clock, 0, "the end of the isolation set off the clock fault");
    cr_expect_eq(num(r.line[clock], "t"), 2300000);
    run_free(&r);
}

Test(trigger, term_filter_matches_the_term_the_node_describes)
{
    struct run first;
    run_json(raft(""), &first);
    int leader = first_state(&first, "leader");
    cr_assert_geq(leader, 0);
    long long term = num(first.line[leader], "term");
    cr_assert_gt(term, 0);
    char extra[256];
    snprintf(extra, sizeof extra, "\"captions\": [{\"on\": {\"role\": \"leader\", \"term\": %lld}, \"text\": \"x\"}]", term);
    struct run r;
    run_json(raft(extra), &r);
    int cap = find_ev(&r, "caption", 0, 0);
    cr_assert_geq(cap, 0);
    cr_expect_eq(num(r.line[cap], "t"), num(first.line[leader], "t"));
    char want[64];
    snprintf(want, sizeof want, "role leader %s term %lld", str(first.line[leader], "node"), term);
    cr_expect_str_eq(str(r.line[cap], "on"), want);
    run_free(&first);
    run_free(&r);
}

Test(trigger, term_filter_waits_for_that_term)
{
    struct run r;
    run_json(raft("\"faults\": [{\"at\": \"1s\", \"crash\": \"leader\", \"for\": \"300ms\"}],"
                  " \"captions\": [{\"on\": {\"role\": \"leader\", \"term\": 99}, \"text\": \"never\"},"
                  "              {\"on\": {\"role\": \"candidate\", \"node\": \"n3\"}, \"text\": \"n3 stands\"}]"),
             &r);
    for (int i = 0; i < r.n; i++)
        if (is_ev(r.line[i], "caption"))
            cr_expect_str_eq(str(r.line[i], "text"), "n3 stands");
    cr_expect_eq(find_ev(&r, "unfired", 0, 0) >= 0, true);
    run_free(&r);
}

Test(trigger, a_triggered_fault_that_cannot_apply_is_skipped_and_says_why)
{
    struct run r;
    run_json(raft("\"faults\": [{\"at\": \"1s\", \"crash\": \"n1\"},"
                  "             {\"on\": {\"fault\": \"crash\", \"repeat\": \"every\", \"delay\": \"1ms\"}, \"crash\": \"$node\"}]"),
             &r);
    /* The chained crash targets a node already down: skipped, and it says why. */
    int sk = find_ev(&r, "fault_skipped", 0, 0);
    cr_assert_geq(sk, 0);
    cr_expect_neq(str(r.line[sk], "on"), NULL);
    run_free(&r);
}

/* ---- determinism and version 1 ------------------------------------------------------------ */

static const char many[] =
    "\"faults\": [{\"at\": \"1s\", \"crash\": \"leader\", \"for\": \"300ms\"},"
    "  {\"on\": {\"role\": \"leader\", \"repeat\": \"every\", \"delay\": \"1ms\"}, \"slow\": \"$node\", \"delay\": \"2ms\", \"for\": \"50ms\"},"
    "  {\"on\": {\"deliver\": \"VoteReply\", \"count\": 2}, \"drop\": 0.1, \"for\": \"100ms\"},"
    "  {\"at\": \"500ms\", \"on\": {\"fault\": \"crash\"}, \"isolate\": \"$node\", \"for\": \"1s\"}],"
    " \"captions\": [{\"at\": \"0s\", \"text\": \"start\"}, {\"on\": {\"note\": \"steps down\"}, \"text\": \"$node steps down\"}]";

Test(trigger, same_scenario_and_seed_give_the_same_trace)
{
    struct run a, b;
    run_json(raft(many), &a);
    run_json(raft(many), &b);
    cr_assert_eq(a.len, b.len);
    cr_expect_eq(memcmp(a.text, b.text, a.len), 0);
    cr_expect_eq(a.hash, b.hash);
    cr_expect_gt(count_ev(&a, "slow"), 0);
    run_free(&a);
    run_free(&b);
}

Test(trigger, version_one_files_keep_their_traces)
{
    /* Saying "version": 1 changes nothing, and the trace has no trigger fields. */
    struct run a, b;
    const char *v1 = raft("\"faults\": [{\"at\": \"1s\", \"crash\": \"leader\", \"for\": \"300ms\"}],"
                          " \"captions\": [{\"at\": \"1s\", \"text\": \"crash\"}]");
    run_json(v1, &a);
    char with[8192];
    snprintf(with, sizeof with, "{\"version\": 1, %s", v1 + 1);
    run_json(with, &b);
    cr_expect_eq(a.hash, b.hash);
    cr_expect_eq(strstr(a.text, "\"on\":"), NULL);
    cr_expect_eq(strstr(a.text, "unfired"), NULL);
    run_free(&a);
    run_free(&b);
}

Test(trigger, every_protocol_runs_deterministically_with_triggers_on_all_its_names)
{
    /* For each protocol: a caption on every message type sent and
     * delivered, a fault on every role it lists, and chained faults; the run
     * must finish, twice to the same trace. */
    for (const struct sim_protocol *const *pp = protocol_all(); *pp; pp++) {
        const struct sim_protocol *p = *pp;
        char faults[4096] = "", caps[8192] = "";
        size_t fu = 0, cu = 0;
        for (int type = 0; p->message_name && type < 64; type++) {
            const char *m = p->message_name(type);
            if (!m || strcmp(m, "?") == 0)
                break;
            cu += (size_t)snprintf(caps + cu, sizeof caps - cu,
                                   "%s{\"on\": {\"send\": \"%s\", \"count\": %d, \"repeat\": \"every\"}, \"text\": \"s $node\"},"
                                   "{\"on\": {\"deliver\": \"%s\", \"delay\": \"3ms\"}, \"text\": \"d $node\"}",
                                   cu ? "," : "", m, 7 + type, m);
        }
        for (int i = 0; p->roles && p->roles[i]; i++)
            fu += (size_t)snprintf(faults + fu, sizeof faults - fu,
                                   "%s{\"at\": \"%dms\", \"on\": {\"role\": \"%s\"}, \"slow\": \"$node\", \"delay\": \"1ms\", \"for\": \"100ms\"}",
                                   fu ? "," : "", 200 * i, p->roles[i]);
        fu += (size_t)snprintf(faults + fu, sizeof faults - fu,
                               "%s{\"at\": \"1s\", \"crash\": \"n2\", \"for\": \"300ms\"},"
                               "{\"on\": {\"fault\": \"crash\", \"delay\": \"100ms\"}, \"isolate\": \"$node\", \"for\": \"50ms\"},"
                               "{\"on\": {\"fault\": \"any\", \"repeat\": \"every\", \"delay\": \"7ms\"}, \"clock\": \"$node\", \"skew\": \"1ms\"},"
                               "{\"on\": {\"violation\": \"any\"}, \"heal\": true},"
                               "{\"on\": {\"note\": \" \", \"count\": 3}, \"crash\": \"$node\", \"for\": \"200ms\"}",
                               fu ? "," : "");
        char json[16384];
        snprintf(json, sizeof json,
                 "{\"name\": \"t\", \"protocol\": \"%s\", \"nodes\": 4, \"seed\": 9, \"duration\": \"2s\","
                 " \"workload\": {\"clients\": 2, \"rate\": \"30/s\"%s},"
                 " \"faults\": [%s], \"captions\": [%s]}",
                 p->name, strcmp(p->name, "2pc") == 0 || strcmp(p->name, "3pc") == 0 ? ", \"mix\": {\"get\": 1, \"append\": 1}" : "",
                 faults, caps[0] ? caps : "{\"at\": \"0s\", \"text\": \"x\"}");
        struct run a, b;
        run_json(json, &a);
        run_json(json, &b);
        cr_expect_eq(a.hash, b.hash, "%s", p->name);
        cr_expect_gt(count_ev(&a, "caption"), 0, "%s", p->name);
        run_free(&a);
        run_free(&b);
    }
}

/* ---- writing back ------------------------------------------------------------------------- */

Test(trigger, triggers_round_trip_through_the_writer)
{
    /* faults[0] is later than faults[1]: written in time order, the trigger's
     * index must follow it. */
    const char *json = raft(
        "\"faults\": [{\"at\": \"2s\", \"crash\": \"n1\"}, {\"at\": \"1s\", \"crash\": \"n2\", \"for\": \"100ms\"},"
        "  {\"on\": {\"fault\": 0, \"delay\": \"300ms\"}, \"recover\": \"$node\"},"
        "  {\"at\": \"100ms\", \"on\": {\"send\": \"AppendEntries\", \"from\": \"n3\", \"to\": \"n1\", \"count\": 4, \"repeat\": \"every\"}, \"drop\": 0.01},"
        "  {\"on\": {\"role\": \"candidate\", \"node\": \"n2\", \"term\": 2}, \"isolate\": \"$node\", \"for\": \"10ms\"},"
        "  {\"on\": {\"violation\": \"any\", \"node\": \"n1\"}, \"heal\": true},"
        "  {\"on\": {\"deliver\": \"VoteReply\", \"from\": \"n1\"}, \"clock\": \"$node\", \"drift\": 0.01}],"
        " \"captions\": [{\"on\": {\"note\": \"wins\"}, \"text\": \"$node won\"}, {\"at\": \"1s\", \"text\": \"t\"}]");
    struct scenario *a = parse(json);
    cr_expect_eq(a->version, 2);
    char err[512];
    char *text = scenario_to_text(a, NULL, err, sizeof err);
    cr_assert_not_null(text, "%s", err);
    cr_expect_neq(strstr(text, "\"version\": 2"), NULL);
    cr_expect_neq(strstr(text, "{\"on\": {\"fault\": 0, \"delay\": \"300ms\"}, \"recover\": \"$node\"}"), NULL, "%s", text);
    struct scenario *b = parse(text);
    char *again = scenario_to_text(b, NULL, err, sizeof err);
    cr_assert_not_null(again, "%s", err);
    cr_expect_str_eq(again, text);
    for (int i = 0; i < a->fault_count; i++) {
        const struct trigger *x = &a->faults[i].on, *y = &b->faults[i].on;
        cr_expect_eq(x->kind, y->kind);
        cr_expect_str_eq(x->name, y->name);
        cr_expect(x->node == y->node && x->peer == y->peer && x->count == y->count &&
                  x->every == y->every && x->delay == y->delay && x->has_term == y->has_term &&
                  x->term == y->term && x->fault_kind == y->fault_kind);
        cr_expect_eq(a->faults[i].target.node, b->faults[i].target.node);
    }
    cr_expect_eq(b->faults[0].on.fault_index, 0, "faults keep their places in the file");
    cr_expect_eq(b->faults[0].index, 2);
    struct run ra, rb;
    run_scenario(a, &ra);
    run_scenario(b, &rb);
    cr_expect_eq(ra.hash, rb.hash);
    run_free(&ra);
    run_free(&rb);
    free(text);
    free(again);
    scenario_free(a);
    scenario_free(b);
}

Test(trigger, writer_renumbers_fault_references_when_faults_are_left_out)
{
    struct scenario *a = parse(raft("\"faults\": [{\"at\": \"3s\", \"crash\": \"n1\"}, {\"at\": \"1s\", \"crash\": \"n2\"},"
                                    "  {\"on\": {\"fault\": 1}, \"recover\": \"$node\"}]"));
    struct scenario_write_opts o = {.duration = 2 * SIM_S};
    char err[512];
    char *text = scenario_to_text(a, &o, err, sizeof err);
    cr_assert_not_null(text, "%s", err);
    cr_expect_eq(strstr(text, "\"crash\": \"n1\""), NULL, "the 3s fault is left out");
    cr_expect_neq(strstr(text, "{\"on\": {\"fault\": 0}, \"recover\": \"$node\"}"), NULL, "%s", text);
    struct scenario *b = parse(text);
    free(text);
    /* What waits for a fault that is left out (after the end, so it never
     * fires) never fires either: it is left out too, faults and captions
     * alike, down a chain; a session cut short saves (issue: saving a
     * shortened pb-heartbeat-split-brain failed on its heal caption). */
    struct scenario *c = parse(raft("\"faults\": [{\"at\": \"3s\", \"crash\": \"n1\"},"
                                    "  {\"on\": {\"fault\": 0}, \"recover\": \"$node\"},"
                                    "  {\"on\": {\"fault\": 1}, \"clock\": \"$node\", \"skew\": \"1s\"},"
                                    "  {\"at\": \"1s\", \"crash\": \"n2\"}],"
                                    " \"captions\": [{\"on\": {\"fault\": 0}, \"text\": \"gone\"},"
                                    "  {\"on\": {\"fault\": 3}, \"text\": \"kept\"}]"));
    char *short_text = scenario_to_text(c, &o, err, sizeof err);
    cr_assert_not_null(short_text, "%s", err);
    cr_expect_null(strstr(short_text, "\"recover\""), "%s", short_text);
    cr_expect_null(strstr(short_text, "\"clock\""), "%s", short_text);
    cr_expect_null(strstr(short_text, "gone"), "%s", short_text);
    cr_expect_not_null(strstr(short_text, "{\"on\": {\"fault\": 0}, \"text\": \"kept\"}"), "%s", short_text);
    struct scenario *d = parse(short_text);
    free(short_text);
    scenario_free(d);
    scenario_free(a);
    scenario_free(b);
    scenario_free(c);
}

Test(trigger, version_one_scenarios_are_written_as_before)
{
    struct scenario *sc = parse(raft("\"faults\": [{\"at\": \"1s\", \"crash\": \"n1\"}]"));
    cr_expect_eq(sc->version, 1);
    char err[512];
    char *text = scenario_to_text(sc, NULL, err, sizeof err);
    cr_assert_not_null(text);
    cr_expect_eq(strstr(text, "version"), NULL);
    cr_expect_eq(strstr(text, "\"on\""), NULL);
    free(text);
    scenario_free(sc);
}

/* ---- errors --------------------------------------------------------------------------------- */

/* The loader refuses `json` with an error that contains `want`. */
static void refused(const char *json, const char *want)
{
    struct scenario *sc = NULL;
    char err[1024];
    int rc = scenario_parse(json, strlen(json), "t.json", &sc, err, sizeof err);
    cr_expect_eq(rc, SIM_EINVAL, "accepted: %s", json);
    cr_expect_null(sc);
    cr_expect_neq(strstr(err, want), NULL, "error \"%s\" lacks \"%s\"", err, want);
    scenario_free(sc);
}

Test(trigger_errors, the_loader_names_the_path)
{
    refused(raft("\"faults\": [{\"on\": {\"rol\": \"leader\"}, \"crash\": \"n1\"}]"),
            "t.json: faults[0].on: expected one event: role, send, deliver, note, violation or fault");
    refused(raft("\"faults\": [{\"on\": {\"role\": \"leader\", \"nod\": \"n1\"}, \"crash\": \"n1\"}]"),
            "t.json: faults[0].on.nod: unknown key \"nod\" (expected one of: role, node, term, count, delay, repeat)");
    refused(raft("\"faults\": [{\"on\": {\"role\": \"leader\", \"send\": \"Vote\"}, \"crash\": \"n1\"}]"),
            "faults[0].on: one event per trigger");
    refused(raft("\"faults\": [{\"on\": {\"role\": \"leader\", \"node\": \"n9\"}, \"crash\": \"n1\"}]"),
            "faults[0].on.node: expected a node name (n1..n3), got \"n9\"");
    refused(raft("\"faults\": [{\"on\": {\"deliver\": \"Vote\", \"from\": \"x\"}, \"crash\": \"n1\"}]"),
            "faults[0].on.from: expected a node name");
    refused(raft("\"faults\": [{\"at\": \"1s\", \"crash\": \"$node\"}]"),
            "faults[0].crash: \"$node\" stands for the node of the event in \"on\"");
    refused(raft("\"faults\": [{\"at\": \"1s\", \"heal\": true}, {\"on\": {\"fault\": 0}, \"isolate\": \"$node\"}]"),
            "faults[1].isolate: \"$node\" needs an event with a node, and faults[0] (heal) hits no node");
    refused(raft("\"faults\": [{\"on\": {\"fault\": \"partition\"}, \"crash\": \"$node\"}]"),
            "faults[0].crash: \"$node\" needs an event with a node, and a partition fault hits no node");
    refused(raft("\"faults\": [{\"on\": {\"role\": \"leader\", \"repeat\": \"twice\"}, \"crash\": \"n1\"}]"),
            "faults[0].on.repeat: expected \"once\" (the default) or \"every\", got \"twice\"");
    refused(raft("\"faults\": [{\"on\": {\"role\": \"leader\", \"count\": 0}, \"crash\": \"n1\"}]"),
            "faults[0].on.count: expected an integer from 1");
    refused(raft("\"faults\": [{\"on\": {\"role\": \"leader\", \"delay\": \"soon\"}, \"crash\": \"n1\"}]"),
            "faults[0].on.delay: expected a duration");
    refused(raft("\"faults\": [{\"on\": {\"fault\": 3}, \"crash\": \"n1\"}]"),
            "faults[0].on.fault: there is no faults[3] (this scenario has 1 fault)");
    refused(raft("\"faults\": [{\"on\": {\"fault\": 0}, \"crash\": \"n1\"}]"),
            "faults[0].on.fault: a fault cannot wait for itself");
    refused(raft("\"faults\": [{\"on\": {\"fault\": \"drop\", \"repeat\": \"every\"}, \"drop\": 0.1}]"),
            "faults[0].on.fault: with \"repeat\": \"every\" and no \"delay\"");
    refused(raft("\"faults\": [{\"on\": {\"fault\": \"explode\"}, \"crash\": \"n1\"}]"),
            "faults[0].on.fault: expected a fault kind");
    refused(raft("\"faults\": [{\"on\": {\"role\": 3}, \"crash\": \"n1\"}]"),
            "faults[0].on.role: expected a role name such as \"leader\", got a number");
    refused(raft("\"faults\": [{\"on\": \"leader\", \"crash\": \"n1\"}]"),
            "faults[0].on: expected an object, got a string");
    refused(raft("\"faults\": [{\"crash\": \"n1\"}]"),
            "faults[0]: missing \"at\" (when the fault happens, e.g. \"2s\") or \"on\"");
    refused(raft("\"captions\": [{\"on\": {\"send\": \"\"}, \"text\": \"x\"}]"),
            "captions[0].on.send: expected a message type such as \"AppendEntries\", got an empty string");
    refused(raft("\"captions\": [{\"text\": \"x\"}]"), "captions[0]: a caption needs \"at\" (or \"on\"");
    refused(raft("\"captions\": [{\"on\": {\"fault\": 0}, \"text\": \"x\"}]"),
            "captions[0].on.fault: there is no faults[0] (this scenario has 0 faults)");
    char v1[8192];
    snprintf(v1, sizeof v1, "{\"version\": 1, %s",
             raft("\"captions\": [{\"on\": {\"role\": \"leader\"}, \"text\": \"x\"}]") + 1);
    refused(v1, "captions[0].on: event triggers need scenario format version 2");
    snprintf(v1, sizeof v1, "{\"version\": 3, %s", raft("") + 1);
    refused(v1, "version: expected an integer from 1 to 2, got 3");
}

/* sim_create refuses `json` (names checked against the protocol). */
static void refused_by_protocol(const char *json, const char *want)
{
    struct scenario *sc = parse(json);
    struct sim *s = NULL;
    char err[1024];
    int rc = sim_create(sc, protocol_find(sc->protocol), NULL, &s, err, sizeof err);
    cr_expect_eq(rc, SIM_EINVAL);
    cr_expect_null(s);
    cr_expect_neq(strstr(err, want), NULL, "error \"%s\" lacks \"%s\"", err, want);
    sim_destroy(s);
    scenario_free(sc);
}

Test(trigger_errors, names_are_checked_against_the_protocol)
{
    refused_by_protocol(twopc("\"faults\": [{\"at\": \"1s\", \"crash\": \"n2\"}, {\"on\": {\"deliver\": \"Vot\"}, \"crash\": \"n1\"}]"),
                        "t.json: faults[1].on.deliver: unknown message type \"Vot\" for protocol 2pc (known: Prepare, Vote, PreCommit,");
    refused_by_protocol(raft("\"captions\": [{\"on\": {\"send\": \"Vote\"}, \"text\": \"x\"}]"),
                        "t.json: captions[0].on.send: unknown message type \"Vote\" for protocol raft (known: RequestVote, VoteReply, AppendEntries, AppendReply)");
    refused_by_protocol(raft("\"faults\": [{\"on\": {\"role\": \"primary\"}, \"crash\": \"$node\"}]"),
                        "t.json: faults[0].on.role: unknown role \"primary\" for protocol raft (known: follower, candidate, leader, down)");
    refused_by_protocol(twopc("\"captions\": [{\"on\": {\"role\": \"ready\"}, \"text\": \"x\"}]"),
                        "unknown role \"ready\" for protocol 2pc (known: coordinator, blocked, participant, down)");
}

Test(trigger_errors, the_command_exits_2_on_a_bad_trigger_name)
{
    char path[256];
    snprintf(path, sizeof path, "/tmp/faultline-trigger-%ld.json", (long)getpid());
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(twopc("\"faults\": [{\"on\": {\"deliver\": \"Vot\", \"to\": \"n1\"}, \"crash\": \"n1\"}]"), f);
    fclose(f);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s run %s 2>&1", FAULTLINE_BIN, path);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    char out[4096];
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    unlink(path);
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 2, "status %d: %s", status, out);
    cr_expect_neq(strstr(out, "faults[0].on.deliver: unknown message type \"Vot\" for protocol 2pc"), NULL,
                  "%s", out);
}
