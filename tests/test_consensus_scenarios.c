/* test_consensus_scenarios.c - the consensus lessons (scenarios/raft-*,
 * paxos-*, multipaxos-*): each is a complete lesson, meets its "expect"
 * block, and every lesson that switches a bug on is safe on the very same
 * schedule once the bug is switched off. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/runner.h"

static const char *const prefixes[] = {"raft-", "paxos-", "multipaxos-", NULL};

/* Sorted paths of the consensus lessons; returns how many. */
static int list_lessons(char ***out)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/scenarios", FAULTLINE_SOURCE_DIR);
    char **all;
    int total = runner_list_scenarios(dir, &all);
    cr_assert_geq(total, 0, "cannot list %s", dir);
    int n = 0;
    for (int i = 0; i < total; i++) {
        const char *name = strrchr(all[i], '/') + 1;
        bool ours = false;
        for (int p = 0; prefixes[p]; p++)
            ours |= strncmp(name, prefixes[p], strlen(prefixes[p])) == 0;
        if (ours)
            all[n++] = all[i];
        else
            free(all[i]);
    }
    *out = all;
    return n;
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)len + 1);
    cr_assert_eq(fread(text, 1, (size_t)len, f), (size_t)len);
    text[len] = '\0';
    fclose(f);
    return text;
}

Test(consensus_scenarios, there_are_lessons_for_each_protocol)
{
    char **paths;
    int n = list_lessons(&paths);
    int per[3] = {0};
    for (int i = 0; i < n; i++) {
        const char *base = strrchr(paths[i], '/') + 1;
        for (int p = 0; prefixes[p]; p++)
            if (strncmp(base, prefixes[p], strlen(prefixes[p])) == 0)
                per[p]++;
    }
    cr_expect_geq(per[0], 5, "raft lessons: %d", per[0]);
    cr_expect_geq(per[1], 3, "paxos lessons: %d", per[1]);
    cr_expect_geq(per[2], 1, "multi-paxos lessons: %d", per[2]);
    runner_free_list(paths, n);
}

Test(consensus_scenarios, every_lesson_meets_its_expectations, .timeout = 900)
{
    char **paths;
    int n = list_lessons(&paths);
    cr_assert_gt(n, 0);
    for (int i = 0; i < n; i++) {
        char err[1024];
        struct scenario *sc;
        int rc = scenario_load(paths[i], &sc, err, sizeof err);
        cr_expect_eq(rc, 0, "%s", err);
        if (rc)
            continue;
        cr_expect(sc->title && *sc->title && sc->lesson && *sc->lesson && sc->caption_count > 0,
                  "%s: a lesson needs a title, a lesson text and captions", paths[i]);
        cr_expect(sc->expect.violations != EXPECT_UNSET, "%s: a lesson states its violations",
                  paths[i]);
        struct run_result r;
        rc = runner_run(sc, &(struct run_options){0}, &r, err, sizeof err);
        cr_expect_eq(rc, 0, "%s: %s", paths[i], err);
        if (rc == 0) {
            cr_expect(r.has_expect, "%s: no expectations", paths[i]);
            for (int k = 0; k < r.ncheck; k++)
                cr_expect(r.checks[k].ok, "%s: expect.%s: %s", paths[i], r.checks[k].key,
                          r.checks[k].detail);
            runner_result_free(&r);
        }
        scenario_free(sc);
    }
    runner_free_list(paths, n);
}

/* A bug lesson run again with its "bug" parameter removed: the same
 * faults at the same times must break nothing, and the history must be
 * linearizable. */
Test(consensus_scenarios, bug_lessons_are_safe_without_the_bug, .timeout = 900)
{
    char **paths;
    int n = list_lessons(&paths);
    int bugs = 0;
    for (int i = 0; i < n; i++) {
        char *text = read_text(paths[i]);
        cJSON *root = cJSON_Parse(text);
        free(text);
        cr_assert_not_null(root, "%s", paths[i]);
        cJSON *params = cJSON_GetObjectItemCaseSensitive(root, "params");
        if (!params || !cJSON_GetObjectItemCaseSensitive(params, "bug")) {
            cJSON_Delete(root);
            continue;
        }
        bugs++;
        cJSON_DeleteItemFromObjectCaseSensitive(params, "bug");
        char *fixed = cJSON_PrintUnformatted(root);
        cJSON_Delete(root);
        char err[1024];
        struct scenario *sc;
        cr_assert_eq(scenario_parse(fixed, strlen(fixed), paths[i], &sc, err, sizeof err), 0, "%s", err);
        free(fixed);
        struct run_result r;
        cr_assert_eq(runner_run(sc, &(struct run_options){0}, &r, err, sizeof err), 0, "%s", err);
        const struct sim_violation_info *v = sim_violation_get(r.sim, 0);
        cr_expect_null(v, "%s without its bug: %s: %s", paths[i], v ? v->invariant : "",
                       v ? v->text : "");
        if (sc->workload.clients > 0)
            cr_expect_eq(r.linearizable, VERDICT_YES, "%s without its bug: not linearizable: %s",
                         paths[i], r.lin_detail);
        runner_result_free(&r);
        scenario_free(sc);
    }
    cr_expect_geq(bugs, 3, "a lesson for each classic bug (commit_old_term, no_persist_vote, "
                           "no_persist_promise); found %d", bugs);
    runner_free_list(paths, n);
}

/* raft-figure8.json is raft-figure8-bug.json without the bug: same cluster,
 * network, workload and faults, so the two differ only by the rule. */
Test(consensus_scenarios, figure8_pair_shares_one_schedule)
{
    char path[2][4200];
    snprintf(path[0], sizeof path[0], "%s/scenarios/raft-figure8-bug.json", FAULTLINE_SOURCE_DIR);
    snprintf(path[1], sizeof path[1], "%s/scenarios/raft-figure8.json", FAULTLINE_SOURCE_DIR);
    cJSON *doc[2];
    for (int i = 0; i < 2; i++) {
        char *text = read_text(path[i]);
        doc[i] = cJSON_Parse(text);
        free(text);
        cr_assert_not_null(doc[i]);
    }
    cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc[0], "params"), "bug");
    static const char *const same[] = {"protocol", "params", "nodes", "seed", "duration",
                                       "network", "workload", "faults", NULL};
    for (int k = 0; same[k]; k++)
        cr_expect(cJSON_Compare(cJSON_GetObjectItemCaseSensitive(doc[0], same[k]),
                                cJSON_GetObjectItemCaseSensitive(doc[1], same[k]), true),
                  "raft-figure8*.json differ in \"%s\"", same[k]);
    cJSON_Delete(doc[0]);
    cJSON_Delete(doc[1]);
}

/* raft-figure7 shows what its lesson says on every seed: when the leader of
 * the new term takes over, n5's log is shorter than the leader's (it was
 * down) and n1's has entries the leader's lacks (it appended alone); then n1
 * drops those uncommitted entries, and n1 and n5 end with the leader's log. */
struct fig7 {
    int64_t len[5], commit[5];   /* each node's latest log state */
    int64_t at_takeover[5];      /* log lengths when the new leader appeared */
    bool taken_over, n1_dropped;
};

static void fig7_line(struct fig7 *f, const cJSON *j)
{
    const char *ev = cJSON_GetStringValue(cJSON_GetObjectItem(j, "ev"));
    const char *node = cJSON_GetStringValue(cJSON_GetObjectItem(j, "node"));
    if (!ev || !node || node[0] != 'n' || node[1] < '1' || node[1] > '5')
        return;
    int i = node[1] - '1';
    if (strcmp(ev, "note") == 0 && i == 0 &&
        strstr(cJSON_GetStringValue(cJSON_GetObjectItem(j, "text")), "uncommitted entr"))
        f->n1_dropped = true;
    if (strcmp(ev, "state") != 0)
        return;
    const cJSON *log = cJSON_GetObjectItem(j, "log");
    if (log) {
        f->len[i] = (int64_t)cJSON_GetObjectItem(log, "len")->valuedouble;
        f->commit[i] = (int64_t)cJSON_GetObjectItem(log, "commit")->valuedouble;
    }
    const char *role = cJSON_GetStringValue(cJSON_GetObjectItem(j, "role"));
    const cJSON *term = cJSON_GetObjectItem(j, "term");
    if (!f->taken_over && role && strcmp(role, "leader") == 0 && term && term->valuedouble >= 2) {
        f->taken_over = true;
        memcpy(f->at_takeover, f->len, sizeof f->len);
        f->at_takeover[i] = f->len[i];
    }
}

Test(consensus_scenarios, figure7_followers_with_missing_and_extra_entries_take_the_leaders_log,
     .timeout = 600)
{
    char path[4096], trace[256];
    snprintf(path, sizeof path, "%s/scenarios/raft-figure7.json", FAULTLINE_SOURCE_DIR);
    snprintf(trace, sizeof trace, "/tmp/faultline-fig7-%ld.jsonl", (long)getpid());
    char err[1024];
    struct scenario *sc;
    cr_assert_eq(scenario_load(path, &sc, err, sizeof err), 0, "%s", err);
    for (uint64_t seed = 1; seed <= 20; seed++) {
        struct run_options opt = {.seed_set = true, .seed = seed, .trace_path = trace, .no_check = true};
        struct run_result r;
        cr_assert_eq(runner_run(sc, &opt, &r, err, sizeof err), 0, "%s", err);
        runner_result_free(&r);
        FILE *fp = fopen(trace, "r");
        cr_assert_not_null(fp);
        struct fig7 f;
        memset(&f, 0, sizeof f);
        int64_t leader_len = 0;
        char line[65536];
        while (fgets(line, sizeof line, fp)) {
            cJSON *j = cJSON_Parse(line);
            bool before = !f.taken_over;
            if (j)
                fig7_line(&f, j);
            if (j && before && f.taken_over) {
                for (int i = 1; i < 4; i++) /* the leader is one of n2..n4 */
                    if (f.at_takeover[i] > leader_len)
                        leader_len = f.at_takeover[i];
            }
            cJSON_Delete(j);
        }
        fclose(fp);
        cr_assert(f.taken_over, "seed %llu: no leader of a new term", (unsigned long long)seed);
        cr_expect_lt(f.at_takeover[4], leader_len, "seed %llu: n5 should lack entries (%lld vs %lld)",
                     (unsigned long long)seed, (long long)f.at_takeover[4], (long long)leader_len);
        cr_expect(f.n1_dropped, "seed %llu: n1 never dropped its extra entries", (unsigned long long)seed);
        cr_expect_geq(f.commit[0], leader_len, "seed %llu: n1 did not catch up", (unsigned long long)seed);
        cr_expect_geq(f.commit[4], leader_len, "seed %llu: n5 did not catch up", (unsigned long long)seed);
    }
    unlink(trace);
    scenario_free(sc);
}
