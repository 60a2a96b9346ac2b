/* test_raft.c - Raft behaviours one at a time: elections, replication,
 * redirects, persistence across crashes that lose unsynced writes, the two
 * read paths, batching, retries, parameters, determinism, description. */
#include "tests/test_consensus.h"

#include "protocols/registry.h"

/* The number after `key` in node `node`'s description ("log 12"), or -1. */
static int64_t describe_number(const struct crun *cr, int node, const char *key)
{
    char text[512];
    sim_node_describe(cr->r.sim, node, text, sizeof text);
    const char *p = strstr(text, key);
    return p ? strtoll(p + strlen(key), NULL, 10) : -1;
}

static int count_role(const struct crun *cr, const char *role)
{
    int k = 0;
    for (int i = 0; i < sim_nodes(cr->r.sim); i++)
        k += strcmp(sim_node_role(cr->r.sim, i), role) == 0;
    return k;
}

static void run_raft(struct crun *cr, int nodes, const char *params, const char *workload,
                     const char *faults, const char *duration)
{
    char json[4096];
    snprintf(json, sizeof json,
             "{\"name\": \"t\", \"protocol\": \"raft\", \"params\": %s, \"nodes\": %d, \"seed\": 5,"
             " \"duration\": \"%s\","
             " \"network\": {\"latency\": {\"dist\": \"uniform\", \"min\": \"1ms\", \"max\": \"6ms\"}},"
             " \"workload\": %s, \"faults\": %s}",
             params ? params : "{}", nodes, duration, workload, faults ? faults : "[]");
    crun_json(cr, json, 0, true);
}

static const char *const rw =
    "{\"clients\": 3, \"rate\": \"60/s\", \"keys\": 2, \"mix\": {\"read\": 0.5, \"write\": 0.5},"
    " \"timeout\": \"400ms\", \"stop\": \"3s\"}";

Test(raft, elects_exactly_one_leader_on_3_5_and_7_nodes)
{
    for (int nodes = 3; nodes <= 7; nodes += 2) {
        struct crun cr;
        run_raft(&cr, nodes, NULL, rw, NULL, "4s");
        cr_expect_eq(sim_get_stats(cr.r.sim)->max_leaders, 1, "%d nodes", nodes);
        cr_expect_eq(count_role(&cr, "leader"), 1, "%d nodes", nodes);
        cr_expect_eq(count_role(&cr, "follower"), nodes - 1, "%d nodes", nodes);
        int64_t term = describe_number(&cr, 0, "term ");
        for (int i = 1; i < nodes; i++)
            cr_expect_eq(describe_number(&cr, i, "term "), term, "%d nodes: n%d's term", nodes, i + 1);
        cr_expect_eq(sim_violation_count(cr.r.sim), 0);
        crun_free(&cr);
    }
}

Test(raft, every_node_ends_with_the_whole_log_committed)
{
    struct crun cr;
    run_raft(&cr, 5, NULL, rw, NULL, "4s");
    int64_t len = describe_number(&cr, 0, "log ");
    cr_expect_gt(len, 50, "the log holds the writes");
    for (int i = 0; i < 5; i++) {
        cr_expect_eq(describe_number(&cr, i, "log "), len, "n%d log length", i + 1);
        cr_expect_eq(describe_number(&cr, i, "commit "), len, "n%d commit index", i + 1);
    }
    cr_expect_eq(cr.r.linearizable, VERDICT_YES);
    crun_free(&cr);
}

Test(raft, followers_redirect_and_only_the_leader_answers)
{
    struct crun cr;
    run_raft(&cr, 5, NULL,
             "{\"clients\": 4, \"rate\": \"60/s\", \"mix\": {\"read\": 0.5, \"write\": 0.5},"
             " \"timeout\": \"400ms\", \"connect\": \"random\", \"start\": \"500ms\"}",
             NULL, "3s");
    const struct sim_stats *st = sim_get_stats(cr.r.sim);
    cr_expect_gt(st->redirects, 20, "a random node is usually a follower");
    cr_expect_gt(st->ops_ok, 100);
    int leader = -1;
    for (int i = 0; i < 5; i++)
        if (strcmp(sim_node_role(cr.r.sim, i), "leader") == 0)
            leader = i;
    cr_assert_geq(leader, 0);
    char want[32];
    snprintf(want, sizeof want, "\"node\":\"n%d\"", leader + 1);
    size_t len;
    const char *h = sim_history(cr.r.sim, &len);
    int answered = 0, by_leader = 0;
    for (const char *line = h; line < h + len;) {
        const char *end = memchr(line, '\n', (size_t)(h + len - line));
        if (!end)
            end = h + len;
        const char *ok = strstr(line, "\"type\":\"ok\"");
        if (ok && ok < end) {
            answered++;
            const char *w = strstr(line, want);
            by_leader += w && w < end;
        }
        line = end + 1;
    }
    cr_expect_eq(by_leader, answered, "%d of %d answers came from the leader", by_leader, answered);
    crun_free(&cr);
}

/* Every node crashes at once and loses whatever it had not synced; what was
 * acknowledged before must still be there afterwards (Figure 2: persist
 * before answering). */
Test(raft, acknowledged_writes_survive_a_whole_cluster_crash_losing_unsynced_data)
{
    struct crun cr;
    run_raft(&cr, 3, NULL,
             "{\"clients\": 3, \"rate\": \"100/s\", \"keys\": 1, \"mix\": {\"read\": 0.5, \"write\": 0.5},"
             " \"timeout\": \"300ms\"}",
             "[{\"at\": \"1s\", \"crash\": \"n1\", \"for\": \"200ms\", \"lose_unsynced\": true},"
             " {\"at\": \"1s\", \"crash\": \"n2\", \"for\": \"200ms\", \"lose_unsynced\": true},"
             " {\"at\": \"1s\", \"crash\": \"n3\", \"for\": \"200ms\", \"lose_unsynced\": true},"
             " {\"at\": \"2s\", \"crash\": \"leader\", \"for\": \"50ms\", \"lose_unsynced\": true}]",
             "4s");
    cr_expect_eq(sim_violation_count(cr.r.sim), 0);
    cr_expect_eq(cr.r.linearizable, VERDICT_YES, "%s", cr.r.lin_detail);
    cr_expect_gt(crun_first_completion(&cr, "ok", 1300 * SIM_MS), 0, "service resumes");
    crun_free(&cr);
}

/* ReadIndex answers reads without appending to the log; reads through the
 * log append one entry each. Both are linearizable. */
Test(raft, read_index_keeps_reads_out_of_the_log)
{
    static const char *const reads =
        "{\"clients\": 3, \"rate\": \"100/s\", \"keys\": 1, \"mix\": {\"read\": 1},"
        " \"timeout\": \"400ms\", \"stop\": \"2s\"}";
    struct crun a, b;
    run_raft(&a, 3, "{\"reads\": \"read_index\"}", reads, NULL, "3s");
    run_raft(&b, 3, "{\"reads\": \"log\"}", reads, NULL, "3s");
    cr_expect_gt(sim_get_stats(a.r.sim)->ops_ok, 150);
    cr_expect_gt(sim_get_stats(b.r.sim)->ops_ok, 150);
    cr_expect_leq(describe_number(&a, 0, "log "), 2, "only the leader's no-op");
    cr_expect_gt(describe_number(&b, 0, "log "), 150, "one entry per read");
    cr_expect_eq(a.r.linearizable, VERDICT_YES);
    cr_expect_eq(b.r.linearizable, VERDICT_YES);
    crun_free(&a);
    crun_free(&b);
}

Test(raft, batching_sends_fewer_messages_under_load)
{
    static const char *const load =
        "{\"clients\": 30, \"think\": \"1ms\", \"keys\": 4, \"mix\": {\"write\": 1},"
        " \"timeout\": \"500ms\", \"stop\": \"2s\"}";
    struct crun one, many;
    run_raft(&one, 5, "{\"batch\": 1}", load, NULL, "2.5s");
    run_raft(&many, 5, "{\"batch\": 64}", load, NULL, "2.5s");
    const struct sim_stats *s1 = sim_get_stats(one.r.sim), *s64 = sim_get_stats(many.r.sim);
    double per_op_1 = (double)s1->messages_sent / (double)s1->ops_ok;
    double per_op_64 = (double)s64->messages_sent / (double)s64->ops_ok;
    cr_expect_lt(per_op_64 * 2, per_op_1, "messages per write: batch 64 %.2f, batch 1 %.2f",
                 per_op_64, per_op_1);
    cr_expect_eq(one.r.linearizable, VERDICT_YES);
    cr_expect_eq(many.r.linearizable, VERDICT_YES);
    crun_free(&one);
    crun_free(&many);
}

/* Clients give up after 15ms while a round trip takes up to 24ms, then
 * resend the same operation: the session table applies each write once. */
Test(raft, retried_writes_take_effect_once)
{
    char json[2048];
    snprintf(json, sizeof json,
             "{\"name\": \"t\", \"protocol\": \"raft\", \"nodes\": 3, \"seed\": 9, \"duration\": \"4s\","
             " \"network\": {\"latency\": {\"dist\": \"uniform\", \"min\": \"2ms\", \"max\": \"12ms\"},"
             "   \"clients\": {\"latency\": {\"dist\": \"uniform\", \"min\": \"1ms\", \"max\": \"10ms\"}}},"
             " \"workload\": {\"clients\": 3, \"rate\": \"50/s\", \"keys\": 1,"
             "   \"mix\": {\"read\": 0.3, \"write\": 0.4, \"cas\": 0.3}, \"timeout\": \"15ms\","
             "   \"retries\": 5, \"retry_backoff\": \"1ms\"}}");
    struct crun cr;
    crun_json(&cr, json, 0, true);
    cr_expect_gt(sim_get_stats(cr.r.sim)->retries, 30, "operations were retried");
    cr_expect_eq(sim_violation_count(cr.r.sim), 0);
    cr_expect_eq(cr.r.linearizable, VERDICT_YES, "%s", cr.r.lin_detail);
    crun_free(&cr);
}

Test(raft, a_single_node_commits_alone)
{
    struct crun cr;
    run_raft(&cr, 1, NULL, rw, NULL, "2s");
    cr_expect_gt(sim_get_stats(cr.r.sim)->ops_ok, 50);
    cr_expect_eq(count_role(&cr, "leader"), 1);
    cr_expect_eq(cr.r.linearizable, VERDICT_YES);
    crun_free(&cr);
}

Test(raft, bad_params_are_rejected_with_their_path)
{
    static const char *const bad[][2] = {
        {"{\"election_min\": \"300ms\", \"election_max\": \"200ms\"}", "params.election_max"},
        {"{\"heartbeat\": \"0\"}", "params.heartbeat"},
        {"{\"batch\": 0}", "params.batch"},
        {"{\"reads\": \"local\"}", "params.reads"},
        {"{\"bug\": \"forget_everything\"}", "params.bug"},
        {"{\"election_timeout_n9\": \"100ms\"}", "params.election_timeout_n9"},
        {"{\"heartbeats\": \"50ms\"}", "params.heartbeats"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char json[1024], err[1024];
        snprintf(json, sizeof json,
                 "{\"name\": \"t\", \"protocol\": \"raft\", \"params\": %s, \"nodes\": 3, \"duration\": \"1s\"}",
                 bad[i][0]);
        struct scenario *sc;
        cr_assert_eq(scenario_parse(json, strlen(json), "t.json", &sc, err, sizeof err), 0, "%s", err);
        struct run_result r;
        int rc = runner_run(sc, &(struct run_options){0}, &r, err, sizeof err);
        cr_expect_eq(rc, SIM_EINVAL, "%s accepted", bad[i][0]);
        cr_expect_not_null(strstr(err, bad[i][1]), "%s: error \"%s\" does not name %s", bad[i][0],
                           err, bad[i][1]);
        if (rc == 0)
            runner_result_free(&r);
        scenario_free(sc);
    }
}

Test(raft, same_seed_same_trace_under_faults)
{
    const char *json =
        "{\"name\": \"t\", \"protocol\": \"raft\", \"nodes\": 5, \"seed\": 11, \"duration\": \"3s\","
        " \"network\": {\"latency\": {\"dist\": \"exponential\", \"mean\": \"4ms\", \"floor\": \"1ms\"},"
        "   \"drop\": 0.05, \"duplicate\": 0.05},"
        " \"workload\": {\"clients\": 3, \"rate\": \"60/s\", \"retries\": 1},"
        " \"nemesis\": {\"until\": \"2s\", \"interval\": \"100ms\", \"duration\": \"150ms\"}}";
    uint64_t hash[2];
    for (int k = 0; k < 2; k++) {
        char err[512];
        struct scenario *sc;
        cr_assert_eq(scenario_parse(json, strlen(json), "t.json", &sc, err, sizeof err), 0, "%s", err);
        struct run_result r;
        cr_assert_eq(runner_run(sc, &(struct run_options){.no_check = true}, &r, err, sizeof err), 0);
        hash[k] = r.trace_hash;
        runner_result_free(&r);
        scenario_free(sc);
    }
    cr_expect_eq(hash[0], hash[1]);
    cr_expect_neq(hash[0], 0);
}

Test(raft, describe_and_roles_for_the_viewer)
{
    struct crun cr;
    run_raft(&cr, 3, NULL, rw, NULL, "1s");
    char text[512];
    for (int i = 0; i < 3; i++) {
        sim_node_describe(cr.r.sim, i, text, sizeof text);
        cr_expect_not_null(strstr(text, "term "), "%s", text);
        cr_expect_not_null(strstr(text, " · log "), "%s", text);
        cr_expect_not_null(strstr(text, " · commit "), "%s", text);
        const char *role = sim_node_role(cr.r.sim, i);
        cr_expect(strcmp(role, "leader") == 0 || strcmp(role, "follower") == 0, "%s", role);
        if (strcmp(role, "follower") == 0)
            cr_expect_not_null(strstr(text, " · leader n"), "a follower names its leader: %s", text);
    }
    const struct sim_protocol *p = protocol_find("raft");
    cr_assert_not_null(p);
    cr_expect_str_eq(p->message_name(0), "RequestVote");
    cr_expect_str_eq(p->message_name(2), "AppendEntries");
    crun_free(&cr);
}
