/* test_sweep.c - `faultline sweep`: it finds the known failing seeds (the
 * heartbeat split brain, each protocol's switchable bug, the canon's
 * breaks), gives the same failures on any number of worker processes or
 * rank shares, stops at the lowest failing seed, survives a worker that
 * dies, and its command line reports, reproduces and exits as documented. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/sweep.h"
#include "cli/sweep_pool.h"
#include "cli/sweep_report.h"

/* ---- fixture ---------------------------------------------------------------------- */

static struct scenario *parse(const char *json)
{
    struct scenario *sc;
    char err[1024];
    cr_assert_eq(scenario_parse(json, strlen(json), "test.json", &sc, err, sizeof err), 0, "%s", err);
    return sc;
}

static struct sweep_config config(const struct scenario *sc, uint64_t first, uint64_t last, int jobs)
{
    struct sweep_config c;
    memset(&c, 0, sizeof c);
    c.sc = sc;
    c.scenario_path = "test.json";
    c.first = first;
    c.last = last;
    c.jobs = jobs;
    return c;
}

static void sweep(const struct sweep_config *c, struct sweep_outcome *out)
{
    char err[512];
    cr_assert_eq(sweep_run(c, out, err, sizeof err), 0, "%s", err);
}

static size_t failures(const struct sweep_outcome *o)
{
    size_t n = 0;
    for (size_t i = 0; i < o->nbad; i++)
        n += sweep_failed(&o->bad[i]);
    return n;
}

static void expect_same(const struct sweep_outcome *a, const struct sweep_outcome *b, const char *what)
{
    cr_assert_eq(a->nbad, b->nbad, "%s: %zu against %zu seeds reported", what, a->nbad, b->nbad);
    for (size_t i = 0; i < a->nbad; i++)
        cr_expect_eq(memcmp(&a->bad[i], &b->bad[i], sizeof a->bad[i]), 0,
                     "%s: seed %llu reported differently", what, (unsigned long long)a->bad[i].seed);
}

/* Heartbeat failover under a partitioning nemesis: split brain (canon). */
static const char *const split_brain =
    "{\"name\": \"pb-split-brain-nemesis\", \"protocol\": \"primary-backup\","
    " \"params\": {\"failover\": \"heartbeat\", \"heartbeat\": \"100ms\", \"suspect_after\": \"300ms\","
    "   \"replica_timeout\": \"200ms\"},"
    " \"nodes\": 3, \"duration\": \"6s\","
    " \"network\": {\"latency\": {\"dist\": \"uniform\", \"min\": \"5ms\", \"max\": \"15ms\"}},"
    " \"workload\": {\"clients\": 3, \"rate\": \"50/s\", \"keys\": 1, \"mix\": {\"read\": 0.5, \"write\": 0.5},"
    "   \"timeout\": \"500ms\", \"connect\": \"random\"},"
    " \"nemesis\": {\"until\": \"5s\", \"interval\": {\"min\": \"300ms\", \"max\": \"1s\"},"
    "   \"duration\": {\"min\": \"200ms\", \"max\": \"1.5s\"}, \"faults\": {\"partition\": 1, \"isolate\": 1}},"
    " \"expect\": {\"violations\": \"none\", \"linearizable\": true}}";

/* ---- finding what is known to break ------------------------------------------------- */

Test(sweep, finds_the_heartbeat_split_brain_under_a_partition_nemesis, .timeout = 600)
{
    struct scenario *sc = parse(split_brain);
    struct sweep_config c = config(sc, 1, 24, 2);
    struct sweep_outcome out;
    sweep(&c, &out);
    cr_expect_eq(out.done, 24);
    cr_expect_geq(failures(&out), 12, "split brain in only %zu of 24 seeds", failures(&out));
    for (size_t i = 0; i < out.nbad; i++) {
        const struct sweep_seed *s = &out.bad[i];
        if (!(s->reasons & SWEEP_VIOLATION))
            continue;
        cr_expect_str_eq(s->invariant, "split-brain");
        cr_expect_geq(s->fail_at, 0);
        cr_expect_not_null(strstr(s->detail, "split-brain"), "%s", s->detail);
    }
    /* the verdict of a failing seed is the verdict of that seed run alone */
    struct sweep_seed again;
    sweep_one(&c, out.bad[0].seed, &again);
    cr_expect_eq(memcmp(&again, &out.bad[0], sizeof again), 0);
    sweep_outcome_free(&out);
    scenario_free(sc);
}

/* The same nemesis as the Raft/Paxos safety sweeps (test_consensus.h). */
static void hunt_json(char *buf, size_t cap, const char *protocol, const char *params,
                      const char *workload)
{
    snprintf(buf, cap,
             "{\"name\": \"hunt\", \"protocol\": \"%s\", \"params\": %s, \"nodes\": 3, \"duration\": \"7s\","
             " \"network\": {\"latency\": {\"dist\": \"uniform\", \"min\": \"1ms\", \"max\": \"12ms\"}},"
             " \"workload\": %s,"
             " \"nemesis\": {\"until\": \"4s\", \"interval\": {\"min\": \"30ms\", \"max\": \"250ms\"},"
             "   \"duration\": {\"min\": \"20ms\", \"max\": \"700ms\"}, \"lose_unsynced\": true,"
             "   \"faults\": {\"crash\": 3, \"partition\": 1, \"isolate\": 1, \"oneway\": 1,"
             "     \"bridge\": 1, \"clock\": 1, \"slow\": 1, \"flap\": 1, \"loss\": 1,"
             "     \"duplicate\": 1}}}",
             protocol, params, workload);
}

/* Sweeps 1..within stopping at the first failure; it must be found, be
 * the invariant named, and be the same seed on one worker and on two. */
static void expect_found(const char *json, uint64_t within, const char *invariant)
{
    struct scenario *sc = parse(json);
    struct sweep_config c = config(sc, 1, within, 2);
    c.stop_at_first = true;
    struct sweep_outcome out;
    sweep(&c, &out);
    cr_assert_eq(failures(&out), 1, "%s: nothing found in seeds 1..%llu", sc->protocol,
                 (unsigned long long)within);
    const struct sweep_seed *s = &out.bad[out.nbad - 1];
    cr_expect(sweep_failed(s));
    cr_expect_str_eq(s->invariant, invariant, "%s", s->detail);
    cr_log_info("%s: first failing seed %llu: %s", sc->protocol, (unsigned long long)s->seed, s->detail);
    struct sweep_config one = c;
    one.jobs = 1;
    struct sweep_outcome out1;
    sweep(&one, &out1);
    expect_same(&out, &out1, "stop at first, 2 workers vs 1");
    sweep_outcome_free(&out1);
    sweep_outcome_free(&out);
    scenario_free(sc);
}

static const char *const raft_workload =
    "{\"clients\": 4, \"rate\": \"60/s\", \"keys\": 2,"
    " \"mix\": {\"read\": 0.4, \"write\": 0.4, \"cas\": 0.2}, \"timeout\": \"400ms\", \"retries\": 1}";

/* Issue 4's stated counts: 300 seeds each for the persistence bugs. */
Test(sweep, finds_raft_no_persist_vote_within_300_seeds, .timeout = 900)
{
    char json[4096];
    hunt_json(json, sizeof json, "raft", "{\"bug\": \"no_persist_vote\"}", raft_workload);
    expect_found(json, 300, "vote-once");
}

Test(sweep, finds_paxos_no_persist_promise_within_300_seeds, .timeout = 900)
{
    char json[4096];
    hunt_json(json, sizeof json, "paxos", "{\"bug\": \"no_persist_promise\"}",
              "{\"clients\": 4, \"rate\": \"40/s\", \"keys\": 40, \"mix\": {\"read\": 0.5, \"write\": 0.5},"
              " \"timeout\": \"400ms\", \"retries\": 1}");
    expect_found(json, 300, "promise-kept");
}

/* ...and 1000 for the Figure 8 commit rule, with the hunting nemesis. */
Test(sweep, finds_raft_commit_old_term_within_1000_seeds, .timeout = 900)
{
    expect_found(
        "{\"name\": \"hunt\", \"protocol\": \"raft\","
        " \"params\": {\"bug\": \"commit_old_term\", \"noop\": false, \"batch\": 1},"
        " \"nodes\": 3, \"duration\": \"5s\","
        " \"network\": {\"latency\": {\"dist\": \"uniform\", \"min\": \"1ms\", \"max\": \"10ms\"}},"
        " \"workload\": {\"clients\": 3, \"rate\": \"10/s\", \"keys\": 1,"
        "   \"mix\": {\"read\": 0.3, \"write\": 0.7}, \"timeout\": \"300ms\"},"
        " \"nemesis\": {\"until\": \"4s\", \"interval\": {\"min\": \"50ms\", \"max\": \"200ms\"},"
        "   \"duration\": {\"min\": \"50ms\", \"max\": \"500ms\"}, \"faults\": {\"crash\": 2, \"isolate\": 4}}}",
        1000, "leader-completeness");
}

/* The canon: 3PC under a partition decides differently on the two sides. */
Test(sweep, finds_3pc_split_decisions_under_a_partition_nemesis, .timeout = 600)
{
    expect_found(
        "{\"name\": \"hunt\", \"protocol\": \"3pc\", \"nodes\": 4, \"duration\": \"6s\","
        " \"network\": {\"latency\": {\"dist\": \"uniform\", \"min\": \"2ms\", \"max\": \"10ms\"}},"
        " \"workload\": {\"clients\": 3, \"rate\": \"30/s\", \"keys\": 3, \"mix\": {\"get\": 0.5, \"append\": 0.5},"
        "   \"timeout\": \"1s\", \"connect\": \"random\"},"
        " \"nemesis\": {\"until\": \"5s\", \"interval\": {\"min\": \"200ms\", \"max\": \"800ms\"},"
        "   \"duration\": {\"min\": \"300ms\", \"max\": \"1.5s\"}, \"faults\": {\"partition\": 1, \"isolate\": 1}}}",
        300, "atomicity");
}

/* The canon: last-write-wins with skewed clocks drops acknowledged writes
 * (an expectation, not an invariant: nothing in the system notices), and
 * vector clocks under the same clock nemesis do not. */
static const char *lww_json(const char *resolve, char *buf, size_t cap)
{
    snprintf(buf, cap,
             "{\"name\": \"hunt\", \"protocol\": \"quorum\", \"params\": {\"resolve\": \"%s\"},"
             " \"nodes\": 3, \"duration\": \"6s\","
             " \"network\": {\"latency\": {\"dist\": \"uniform\", \"min\": \"2ms\", \"max\": \"10ms\"}},"
             " \"workload\": {\"clients\": 3, \"rate\": \"30/s\", \"keys\": 2, \"mix\": {\"get\": 0.5, \"append\": 0.5},"
             "   \"timeout\": \"500ms\", \"connect\": \"random\"},"
             " \"nemesis\": {\"until\": \"5s\", \"interval\": {\"min\": \"200ms\", \"max\": \"800ms\"},"
             "   \"duration\": {\"min\": \"300ms\", \"max\": \"1.5s\"}, \"faults\": {\"clock\": 1}, \"skew_max\": \"800ms\"},"
             " \"expect\": {\"metrics\": {\"lww_dropped\": 0}}}",
             resolve);
    return buf;
}

Test(sweep, finds_last_write_wins_losing_writes_under_clock_skew, .timeout = 600)
{
    char json[4096];
    struct scenario *sc = parse(lww_json("lww", json, sizeof json));
    struct sweep_config c = config(sc, 1, 20, 2);
    struct sweep_outcome out;
    sweep(&c, &out);
    cr_assert_gt(failures(&out), 0, "no seed of 1..20 dropped a write");
    for (size_t i = 0; i < out.nbad; i++) {
        cr_expect(out.bad[i].reasons & SWEEP_EXPECT, "seed %llu: %s",
                  (unsigned long long)out.bad[i].seed, out.bad[i].detail);
        cr_expect_str_eq(out.bad[i].failed, "metrics.lww_dropped");
    }
    sweep_outcome_free(&out);
    scenario_free(sc);

    sc = parse(lww_json("vector-clock", json, sizeof json));
    c = config(sc, 1, 20, 2);
    sweep(&c, &out);
    cr_expect_eq(failures(&out), 0, "vector clocks dropped a write at seed %llu",
                 out.nbad ? (unsigned long long)out.bad[0].seed : 0ULL);
    sweep_outcome_free(&out);
    scenario_free(sc);
}

Test(sweep, a_correct_protocol_passes_every_seed, .timeout = 600)
{
    char json[4096];
    hunt_json(json, sizeof json, "raft", "{}", raft_workload);
    struct scenario *sc = parse(json);
    struct sweep_config c = config(sc, 1, 12, 2);
    c.require_linearizable = true;
    struct sweep_outcome out;
    sweep(&c, &out);
    cr_expect_eq(out.done, 12);
    cr_expect_eq(failures(&out), 0, "seed %llu: %s", out.nbad ? (unsigned long long)out.bad[0].seed : 0ULL,
                 out.nbad ? out.bad[0].detail : "");
    sweep_outcome_free(&out);
    scenario_free(sc);
}

/* ---- splitting the work ------------------------------------------------------------- */

Test(sweep, seeds_split_across_jobs_give_the_same_failures, .timeout = 600)
{
    struct scenario *sc = parse(split_brain);
    struct sweep_outcome by[4];
    for (int jobs = 1; jobs <= 3; jobs++) {
        struct sweep_config c = config(sc, 5, 36, jobs);
        sweep(&c, &by[jobs]);
        cr_expect_eq(by[jobs].done, 32);
    }
    expect_same(&by[1], &by[2], "1 job vs 2");
    expect_same(&by[1], &by[3], "1 job vs 3");
    for (int jobs = 1; jobs <= 3; jobs++)
        sweep_outcome_free(&by[jobs]);
    scenario_free(sc);
}

Test(sweep, rank_shares_cover_the_range_once_in_order)
{
    struct sweep_config c;
    memset(&c, 0, sizeof c);
    for (uint64_t first = 1; first <= 3; first += 2)
        for (uint64_t n = 1; n <= 70; n += 3)
            for (int stride = 1; stride <= 5; stride++)
                for (uint64_t chunk = 1; chunk <= 17; chunk += 4) {
                    c.first = first;
                    c.last = first + n - 1;
                    c.stride = stride;
                    c.chunk = chunk;
                    int *seen = calloc(n, sizeof *seen);
                    uint64_t total = 0;
                    for (int r = 0; r < stride; r++) {
                        c.offset = r;
                        uint64_t count = sweep_local_count(&c), prev = 0;
                        total += count;
                        for (uint64_t i = 0; i < count; i++) {
                            uint64_t s = sweep_local_seed(&c, i);
                            cr_assert(s >= c.first && s <= c.last, "seed %llu outside", (unsigned long long)s);
                            cr_assert(i == 0 || s > prev, "not ascending");
                            seen[s - first]++;
                            prev = s;
                        }
                    }
                    cr_assert_eq(total, n);
                    for (uint64_t k = 0; k < n; k++)
                        cr_assert_eq(seen[k], 1, "seed %llu run %d times (stride %d chunk %llu)",
                                     (unsigned long long)(first + k), seen[k], stride,
                                     (unsigned long long)chunk);
                    free(seen);
                }
}

/* What mpi_sweep_gather does, without MPI: each rank's share, merged. */
static void merged_ranks(const struct sweep_config *base, int ranks, struct sweep_outcome *all)
{
    memset(all, 0, sizeof *all);
    all->stop = UINT64_MAX;
    for (int r = 0; r < ranks; r++) {
        struct sweep_config c = *base;
        c.stride = ranks;
        c.offset = r;
        c.chunk = 4;
        struct sweep_outcome part;
        sweep(&c, &part);
        for (size_t i = 0; i < part.nbad; i++)
            cr_assert_eq(sweep_outcome_add(all, &part.bad[i]), 0);
        if (part.stop < all->stop)
            all->stop = part.stop;
        sweep_outcome_free(&part);
    }
    sweep_outcome_finish(all, base->stop_at_first ? all->stop : UINT64_MAX);
}

Test(sweep, seeds_split_across_ranks_give_the_same_failures, .timeout = 600)
{
    struct scenario *sc = parse(split_brain);
    struct sweep_config c = config(sc, 1, 30, 1);
    struct sweep_outcome one, three;
    sweep(&c, &one);
    merged_ranks(&c, 3, &three);
    expect_same(&one, &three, "one process vs three rank shares");
    sweep_outcome_free(&three);
    sweep_outcome_free(&one);

    /* stopping at the first failure: the same lowest seed, whoever found it */
    c.stop_at_first = true;
    c.first = 1;
    sweep(&c, &one);
    merged_ranks(&c, 3, &three);
    expect_same(&one, &three, "stop at first: one process vs three rank shares");
    sweep_outcome_free(&three);
    sweep_outcome_free(&one);
    scenario_free(sc);
}

Test(sweep, stops_at_the_lowest_failing_seed)
{
    struct scenario *sc = parse(split_brain);
    struct sweep_config c = config(sc, 1, 30, 1);
    struct sweep_outcome all;
    sweep(&c, &all);
    uint64_t lowest = 0;
    for (size_t i = 0; i < all.nbad && !lowest; i++)
        if (sweep_failed(&all.bad[i]))
            lowest = all.bad[i].seed;
    cr_assert_neq(lowest, 0);
    for (int jobs = 1; jobs <= 2; jobs++) {
        c.jobs = jobs;
        c.stop_at_first = true;
        struct sweep_outcome first;
        sweep(&c, &first);
        cr_expect_eq(first.stop, lowest, "%d jobs stopped at %llu, not %llu", jobs,
                     (unsigned long long)first.stop, (unsigned long long)lowest);
        cr_expect_eq(failures(&first), 1);
        struct sweep_report rep = {&c, &first, "faultline", 0};
        cr_expect_eq(sweep_report_covered(&rep), lowest - c.first + 1);
        sweep_outcome_free(&first);
    }
    sweep_outcome_free(&all);
    scenario_free(sc);
}

/* ---- the worker pool ----------------------------------------------------------------- */

static void crashing_task(void *ctx, uint64_t task, void **blob, size_t *len)
{
    (void)ctx;
    if (task == 7) {
        signal(SIGSEGV, SIG_DFL);
        raise(SIGSEGV); /* a protocol bug that takes its worker down */
    }
    uint64_t *v = malloc(sizeof *v);
    *v = task * task;
    *blob = v;
    *len = sizeof *v;
}

struct seen {
    int results[40];
    char died[200];
    int ndied;
};

static uint64_t collect(void *ctx, uint64_t task, const void *blob, size_t len, const char *died)
{
    struct seen *s = ctx;
    if (died) {
        snprintf(s->died, sizeof s->died, "%s", died);
        s->ndied++;
        s->results[task] = -1;
    } else {
        cr_assert_eq(len, sizeof(uint64_t));
        uint64_t v;
        memcpy(&v, blob, sizeof v);
        cr_assert_eq(v, task * task);
        s->results[task]++;
    }
    return UINT64_MAX;
}

Test(sweep, a_worker_that_dies_costs_only_its_task)
{
    struct seen s;
    memset(&s, 0, sizeof s);
    struct sweep_pool_config pc = {.ntasks = 40, .jobs = 3, .chunk = 5, .run = crashing_task,
                                   .result = collect, .ctx = &s};
    char err[256];
    cr_assert_eq(sweep_pool_run(&pc, err, sizeof err), 0, "%s", err);
    cr_expect_eq(s.ndied, 1);
    cr_expect_not_null(strstr(s.died, "signal 11"), "%s", s.died);
    for (int t = 0; t < 40; t++)
        cr_expect_eq(s.results[t], t == 7 ? -1 : 1, "task %d delivered %d times", t, s.results[t]);
}

/* ---- judging ------------------------------------------------------------------------- */

Test(sweep, violations_a_scenario_expects_are_not_failures)
{
    /* the split-brain lesson expects its violation: what fails is a seed
     * where the bug does not show */
    char path[4096];
    snprintf(path, sizeof path, "%s/scenarios/pb-heartbeat-split-brain.json", FAULTLINE_SOURCE_DIR);
    struct scenario *sc;
    char err[1024];
    cr_assert_eq(scenario_load(path, &sc, err, sizeof err), 0, "%s", err);
    struct sweep_config c = config(sc, sc->seed, sc->seed, 1);
    struct sweep_seed s;
    sweep_one(&c, sc->seed, &s);
    cr_expect_eq(s.reasons, 0, "the lesson's own seed fails: %s", s.detail);
    cr_expect_str_eq(s.invariant, "split-brain");
    scenario_free(sc);
}

Test(sweep, a_bad_scenario_is_a_run_error_not_a_crash)
{
    struct scenario *sc = parse(
        "{\"name\": \"bad\", \"protocol\": \"raft\", \"params\": {\"election_min\": \"0\"},"
        " \"nodes\": 3, \"duration\": \"1s\"}");
    struct sweep_config c = config(sc, 1, 3, 2);
    struct sweep_outcome out;
    sweep(&c, &out);
    cr_expect_eq(failures(&out), 3);
    cr_expect_eq(out.bad[0].reasons, SWEEP_ERROR);
    cr_expect_not_null(strstr(out.bad[0].detail, "election_min"), "%s", out.bad[0].detail);
    sweep_outcome_free(&out);
    scenario_free(sc);
}

/* ---- the command line ---------------------------------------------------------------- */

static int run_cli(const char *args, char *out, size_t cap)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "%s %s 2>&1", FAULTLINE_BIN, args);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static char out[1 << 20];

Test(sweep_cli, reports_failing_seeds_with_a_command_that_reproduces_each, .timeout = 600)
{
    char path[256], args[1024];
    snprintf(path, sizeof path, "/tmp/faultline-sweep-%ld.json", (long)getpid());
    write_file(path, split_brain);
    snprintf(args, sizeof args, "sweep %s --seeds 1..12 --jobs 2 --no-color", path);
    cr_assert_eq(run_cli(args, out, sizeof out), 1, "%s", out);
    cr_expect_not_null(strstr(out, "failing seeds"), "%s", out);
    cr_expect_not_null(strstr(out, "seeds/s on 2 workers"), "%s", out);
    /* the first reproduce line, run as it stands, fails the same way */
    const char *cmd = strstr(out, " run ");
    cr_assert_not_null(cmd, "%s", out);
    while (cmd > out && cmd[-1] != ' ')
        cmd--;
    char line[2048];
    snprintf(line, sizeof line, "%.*s 2>&1", (int)strcspn(cmd, "\n"), cmd);
    FILE *p = popen(line, "r");
    cr_assert_not_null(p);
    char rout[1 << 16];
    size_t n = fread(rout, 1, sizeof rout - 1, p);
    rout[n] = '\0';
    int status = pclose(p);
    cr_expect_eq(WEXITSTATUS(status), 1, "%s\n%s", line, rout);
    cr_expect_not_null(strstr(rout, "split-brain"), "%s", rout);
    unlink(path);
}

Test(sweep_cli, the_report_is_the_same_on_one_worker_and_on_two, .timeout = 600)
{
    char path[256], args[1024];
    snprintf(path, sizeof path, "/tmp/faultline-sweep2-%ld.json", (long)getpid());
    write_file(path, split_brain);
    static char one[1 << 18];
    snprintf(args, sizeof args, "sweep %s --seeds 1..16 --jobs 1 --json --quiet", path);
    cr_expect_eq(run_cli(args, one, sizeof one), 1);
    snprintf(args, sizeof args, "sweep %s --seeds 1..16 --jobs 2 --json --quiet", path);
    cr_expect_eq(run_cli(args, out, sizeof out), 1);
    cr_expect_str_eq(out, one);
    cr_expect_not_null(strstr(out, "\"failures\""));
    unlink(path);
}

Test(sweep_cli, bad_input_exits_2_with_a_message)
{
    cr_expect_eq(run_cli("sweep", out, sizeof out), 2);
    cr_expect_not_null(strstr(out, "which scenario"), "%s", out);
    cr_expect_eq(run_cli("sweep /nonexistent.json", out, sizeof out), 2);
    cr_expect_not_null(strstr(out, "/nonexistent.json"), "%s", out);
    char path[4096], args[5000];
    snprintf(path, sizeof path, "%s/scenarios/raft-leader-crash.json", FAULTLINE_SOURCE_DIR);
    snprintf(args, sizeof args, "sweep %s --seeds 9..3", path);
    cr_expect_eq(run_cli(args, out, sizeof out), 2);
    cr_expect_not_null(strstr(out, "--seeds"), "%s", out);
    snprintf(args, sizeof args, "sweep %s --jobs 0", path);
    cr_expect_eq(run_cli(args, out, sizeof out), 2);
    cr_expect_not_null(strstr(out, "--jobs"), "%s", out);
    snprintf(args, sizeof args, "sweep %s --frobnicate", path);
    cr_expect_eq(run_cli(args, out, sizeof out), 2);
    cr_expect_not_null(strstr(out, "--frobnicate"), "%s", out);
}

Test(sweep_cli, a_passing_sweep_exits_0, .timeout = 600)
{
    char json[4096], path[256], args[1024];
    hunt_json(json, sizeof json, "raft", "{}", raft_workload);
    /* the same, with an expectation that holds */
    snprintf(json + strlen(json) - 1, sizeof json - strlen(json) + 1,
             ", \"expect\": {\"violations\": \"none\"}}");
    snprintf(path, sizeof path, "/tmp/faultline-sweep3-%ld.json", (long)getpid());
    write_file(path, json);
    snprintf(args, sizeof args, "sweep %s --seeds 1..6 --quiet --no-color", path);
    cr_expect_eq(run_cli(args, out, sizeof out), 0, "%s", out);
    cr_expect_not_null(strstr(out, "6 passed"), "%s", out);
    unlink(path);
}
