/* test_consensus_bugs.c - every classic bug a consensus protocol can switch
 * on is found by the random nemesis alone, within a stated number of seeds
 * (each is also caught by its scripted lesson: test_consensus_scenarios).
 * The general sweeps catch the broken rule (vote-once, promise-kept); a
 * nemesis aimed at the weak spot also finds the consequence (two leaders
 * of a term, two values chosen, a committed entry lost). The correct
 * protocols pass the same sweeps in test_*_nemesis.c. */
#include "tests/test_consensus.h"

static const char *const raft_workload =
    "{\"clients\": 4, \"rate\": \"60/s\", \"keys\": 2,"
    " \"mix\": {\"read\": 0.4, \"write\": 0.4, \"cas\": 0.2}, \"timeout\": \"400ms\", \"retries\": 1}";

static const char *const paxos_workload =
    "{\"clients\": 4, \"rate\": \"40/s\", \"keys\": 40,"
    " \"mix\": {\"read\": 0.5, \"write\": 0.5}, \"timeout\": \"400ms\", \"retries\": 1}";

/* Some seed of 1..within must report `invariant` (any, when NULL). */
static void expect_found(const char *what, const char *json, uint64_t within,
                         const char *invariant)
{
    int hits = 0;
    uint64_t first = hunt_bug(json, within, invariant, &hits);
    cr_expect_neq(first, 0, "%s: no seed of 1..%llu reports %s", what, (unsigned long long)within,
                  invariant ? invariant : "a violation");
    cr_log_info("%s: %s first at seed %llu; %d of %llu seeds", what,
                invariant ? invariant : "caught", (unsigned long long)first, hits,
                (unsigned long long)within);
}

/* votedFor in memory only: a node that crashes right after voting can vote
 * again in the same term (vote-once), and two leaders of one term follow
 * (election-safety) when a second candidate asks it. The same nemesis as
 * the 300-seed safety sweep of test_raft_nemesis.c. */
Test(consensus_bugs, raft_no_persist_vote_found_within_300_seeds, .timeout = 900)
{
    char json[4096];
    struct sweep sw = {"raft", "{\"bug\": \"no_persist_vote\"}", raft_workload, 3, 1, 300, true, 0};
    sweep_json(&sw, json, sizeof json);
    expect_found("raft no_persist_vote, 3 nodes, sweep nemesis", json, 300, NULL);
}

/* Promises in memory only: an acceptor that restarts accepts a ballot it
 * had promised to refuse (promise-kept), and with a dueling proposer two
 * values get chosen (agreement). The nemesis of test_paxos_nemesis.c. */
Test(consensus_bugs, paxos_no_persist_promise_found_within_300_seeds, .timeout = 900)
{
    char json[4096];
    struct sweep sw = {"paxos", "{\"bug\": \"no_persist_promise\"}", paxos_workload, 3, 1, 300,
                       false, 0};
    sweep_json(&sw, json, sizeof json);
    expect_found("paxos no_persist_promise, 3 nodes, sweep nemesis", json, 300, NULL);
}

/* Counting replicas of an old-term entry needs the whole Figure 8 chain to
 * show: an entry left on a minority by one leader, a conflicting entry
 * from a leader cut off right after winning, the first leader back and
 * committing by count, then a crash before its own term's entries spread.
 * The paper's setting (no no-op at the start of a term, one entry per
 * message) and a nemesis that mostly isolates and crashes nodes make that
 * chain common enough to find by chance. */
Test(consensus_bugs, raft_commit_old_term_found_within_1000_seeds, .timeout = 900)
{
    const char *json =
        "{\"name\": \"hunt\", \"protocol\": \"raft\","
        " \"params\": {\"bug\": \"commit_old_term\", \"noop\": false, \"batch\": 1},"
        " \"nodes\": 3, \"duration\": \"5s\","
        " \"network\": {\"latency\": {\"dist\": \"uniform\", \"min\": \"1ms\", \"max\": \"10ms\"}},"
        " \"workload\": {\"clients\": 3, \"rate\": \"10/s\", \"keys\": 1,"
        "   \"mix\": {\"read\": 0.3, \"write\": 0.7}, \"timeout\": \"300ms\"},"
        " \"nemesis\": {\"until\": \"4s\", \"interval\": {\"min\": \"50ms\", \"max\": \"200ms\"},"
        "   \"duration\": {\"min\": \"50ms\", \"max\": \"500ms\"}, \"faults\": {\"crash\": 2, \"isolate\": 4}}}";
    expect_found("raft commit_old_term, 3 nodes, isolate-and-crash nemesis", json, 1000,
                 "leader-completeness");
}

/* The same hunting nemesis finds nothing when the rule is obeyed. */
Test(consensus_bugs, raft_commit_rule_holds_under_the_hunting_nemesis, .timeout = 900)
{
    const char *json =
        "{\"name\": \"hunt\", \"protocol\": \"raft\", \"params\": {\"noop\": false, \"batch\": 1},"
        " \"nodes\": 3, \"duration\": \"5s\","
        " \"network\": {\"latency\": {\"dist\": \"uniform\", \"min\": \"1ms\", \"max\": \"10ms\"}},"
        " \"workload\": {\"clients\": 3, \"rate\": \"10/s\", \"keys\": 1,"
        "   \"mix\": {\"read\": 0.3, \"write\": 0.7}, \"timeout\": \"300ms\"},"
        " \"nemesis\": {\"until\": \"4s\", \"interval\": {\"min\": \"50ms\", \"max\": \"200ms\"},"
        "   \"duration\": {\"min\": \"50ms\", \"max\": \"500ms\"}, \"faults\": {\"crash\": 2, \"isolate\": 4}}}";
    int hits = 0;
    uint64_t first = hunt_bug(json, 1000, NULL, &hits);
    cr_expect_eq(first, 0, "the correct commit rule broke an invariant at seed %llu",
                 (unsigned long long)first);
}

/* The consequences themselves, not only the broken rule: with elections
 * made frequent and close (a narrow timeout range, crashes and isolations
 * every few tens of milliseconds), a forgotten vote elects two leaders of
 * one term. `%s` takes the bug, or nothing. */
static const char *const fast_elections =
    "{\"name\": \"hunt\", \"protocol\": \"raft\","
    " \"params\": {%s \"election_min\": \"100ms\", \"election_max\": \"110ms\", \"heartbeat\": \"20ms\"},"
    " \"nodes\": 5, \"duration\": \"6s\","
    " \"network\": {\"latency\": {\"dist\": \"uniform\", \"min\": \"1ms\", \"max\": \"10ms\"}},"
    " \"workload\": {\"clients\": 3, \"rate\": \"60/s\", \"keys\": 1,"
    "   \"mix\": {\"read\": 0.5, \"write\": 0.5}, \"timeout\": \"300ms\"},"
    " \"nemesis\": {\"until\": \"5s\", \"interval\": {\"min\": \"10ms\", \"max\": \"40ms\"},"
    "   \"duration\": {\"min\": \"2ms\", \"max\": \"30ms\"}, \"faults\": {\"crash\": 4, \"isolate\": 2}}}";

/* Eight clients write one key through random proposers at once with no
 * backoff, and the nemesis crashes a node every few milliseconds: an
 * acceptor that forgets a promise mid-duel lets two values be chosen. */
static const char *const dueling_crashes =
    "{\"name\": \"hunt\", \"protocol\": \"paxos\", \"params\": {%s \"backoff\": \"0\"},"
    " \"nodes\": 3, \"duration\": \"5s\","
    " \"network\": {\"latency\": {\"dist\": \"uniform\", \"min\": \"1ms\", \"max\": \"10ms\"}},"
    " \"workload\": {\"clients\": 8, \"think\": \"10ms\", \"keys\": 1, \"mix\": {\"write\": 1},"
    "   \"timeout\": \"300ms\", \"connect\": \"random\", \"start\": \"200ms\"},"
    " \"nemesis\": {\"until\": \"4s\", \"interval\": {\"min\": \"5ms\", \"max\": \"20ms\"},"
    "   \"duration\": {\"min\": \"1ms\", \"max\": \"10ms\"}, \"faults\": {\"crash\": 1}}}";

Test(consensus_bugs, raft_no_persist_vote_two_leaders_within_1000_seeds, .timeout = 900)
{
    char json[2048];
    snprintf(json, sizeof json, fast_elections, "\"bug\": \"no_persist_vote\",");
    expect_found("raft no_persist_vote, 5 nodes, fast crash/isolate nemesis", json, 1000,
                 "election-safety");
}

Test(consensus_bugs, paxos_no_persist_promise_two_values_within_1000_seeds, .timeout = 900)
{
    char json[2048];
    snprintf(json, sizeof json, dueling_crashes, "\"bug\": \"no_persist_promise\",");
    expect_found("paxos no_persist_promise, 3 nodes, dueling writers and fast crashes", json, 1000,
                 "agreement");
}

/* The aimed nemeses find nothing when votes and promises are persisted. */
Test(consensus_bugs, persisted_votes_and_promises_hold_under_the_aimed_nemeses, .timeout = 900)
{
    char json[2048];
    int hits = 0;
    snprintf(json, sizeof json, fast_elections, "");
    uint64_t first = hunt_bug(json, 1000, NULL, &hits);
    cr_expect_eq(first, 0, "raft broke an invariant at seed %llu", (unsigned long long)first);
    snprintf(json, sizeof json, dueling_crashes, "");
    first = hunt_bug(json, 1000, NULL, &hits);
    cr_expect_eq(first, 0, "paxos broke an invariant at seed %llu", (unsigned long long)first);
}

/* ---- ReadIndex and stale acknowledgements (issue 10) -------------------------------- */

static char *read_file_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    cr_assert_eq(fseek(f, 0, SEEK_END), 0);
    long len = ftell(f);
    cr_assert_geq(len, 0);
    cr_assert_eq(fseek(f, 0, SEEK_SET), 0);
    char *text = malloc((size_t)len + 1);
    cr_assert_not_null(text);
    cr_assert_eq(fread(text, 1, (size_t)len, f), (size_t)len);
    text[len] = '\0';
    fclose(f);
    return text;
}

/* The scenario that found it: every nemesis fault kind, duplicates and lost
 * unsynced writes included. On seed 1796 n4 leads term 24, is deposed, and
 * wins term 32; an AppendEntries it sent in term 24 reaches n3 late, and
 * n3's refusal carries n3's term, 32. */
static char *readindex_scenario(const char *params)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/regress/raft-nemesis-readindex.json", FAULTLINE_TEST_DATA);
    char *text = read_file_text(path);
    if (!params)
        return text;
    const char *at = strstr(text, "\"protocol\": \"raft\",");
    cr_assert_not_null(at, "%s: no protocol line to add params to", path);
    size_t cut = (size_t)(at - text) + strlen("\"protocol\": \"raft\",");
    size_t cap = strlen(text) + strlen(params) + 32;
    char *out = malloc(cap);
    cr_assert_not_null(out);
    snprintf(out, cap, "%.*s \"params\": %s,%s", (int)cut, text, params, text + cut);
    free(text);
    return out;
}

/* The regression: the seed of the report keeps every invariant (the new
 * read-index-ack among them), is linearizable and meets its expectations. */
Test(consensus_bugs, raft_read_index_ignores_refusals_of_an_earlier_term)
{
    char *json = readindex_scenario(NULL);
    struct crun cr;
    crun_json(&cr, json, 1796, true);
    char v[400];
    cr_expect_eq(sim_violation_count(cr.r.sim), 0, "%s", crun_violation(&cr, v, sizeof v));
    cr_expect_eq(cr.r.linearizable, VERDICT_YES, "%s", cr.r.lin_detail);
    cr_expect(cr.r.has_expect && cr.r.expect_ok, "the scenario's expect block must hold");
    crun_free(&cr);
    free(json);
}

/* With the bug switched back on, the same seed shows both the broken rule
 * (read-index-ack: an acknowledgement of an AppendEntries this leader never
 * sent in its term) and its consequence (a stale read). */
Test(consensus_bugs, raft_stale_ack_gives_a_stale_read_on_the_reported_seed)
{
    char *json = readindex_scenario("{\"bug\": \"stale_ack\"}");
    struct crun cr;
    crun_json(&cr, json, 1796, true);
    cr_expect(crun_reported(&cr, "read-index-ack"), "read-index-ack must be reported");
    cr_expect_eq(cr.r.linearizable, VERDICT_NO, "the stale read must make it non-linearizable");
    crun_free(&cr);
    free(json);
}

/* The invariant finds the broken rule on many more seeds than the checker
 * finds a stale read (a late refusal need not meet a read to be wrong). */
Test(consensus_bugs, raft_stale_ack_found_within_300_seeds, .timeout = 900)
{
    char *json = readindex_scenario("{\"bug\": \"stale_ack\"}");
    expect_found("raft stale_ack, 5 nodes, readindex nemesis", json, 300, "read-index-ack");
    free(json);
}
