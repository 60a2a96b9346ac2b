/* test_soak.c - the soak matrix of scripts/soak/ (one scenario per protocol
 * that promises linearizability x workload) in CI: each cell swept over
 * seeds 1..300 (FAULTLINE_SOAK_SEEDS for more) with the library's sweep, on
 * every core, and every seed must pass - no invariant broken, a
 * linearizable history, no acknowledged write lost, the cell's liveness
 * expectations met. A failure names the cell, the seed, what broke and the
 * command that reproduces it. scripts/soak.sh runs the same files at
 * 10 000 seeds; a first test checks that the matrix still soaks what it
 * claims to (every nemesis fault kind weighted in, both workloads). */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/runner.h"
#include "cli/sweep.h"

#define SOAK_DIR FAULTLINE_SOURCE_DIR "/scripts/soak"

/* One cell: a scenario file of the matrix (fixed size: parameters are
 * copied into each test's process). */
struct soak_cell {
    char path[1024];
    char name[128];
};

static uint64_t soak_seeds(void)
{
    const char *env = getenv("FAULTLINE_SOAK_SEEDS");
    long long n = env ? atoll(env) : 0;
    return n > 0 ? (uint64_t)n : 300;
}

static void free_cells(struct criterion_test_params *params)
{
    cr_free(params->params);
}

ParameterizedTestParameters(soak, every_seed_of_the_cell_passes)
{
    char **paths;
    int n = runner_list_scenarios(SOAK_DIR, &paths);
    if (n <= 0)
        return cr_make_param_array(struct soak_cell, NULL, 0);
    struct soak_cell *cells = cr_malloc((size_t)n * sizeof *cells);
    for (int i = 0; i < n; i++) {
        snprintf(cells[i].path, sizeof cells[i].path, "%s", paths[i]);
        const char *base = strrchr(paths[i], '/');
        snprintf(cells[i].name, sizeof cells[i].name, "%s", base ? base + 1 : paths[i]);
        char *dot = strrchr(cells[i].name, '.');
        if (dot)
            *dot = '\0';
    }
    runner_free_list(paths, n);
    return cr_make_param_array(struct soak_cell, cells, (size_t)n, free_cells);
}

ParameterizedTest(struct soak_cell *cell, soak, every_seed_of_the_cell_passes, .timeout = 1800)
{
    char err[1024];
    struct scenario *sc;
    cr_assert_eq(scenario_load(cell->path, &sc, err, sizeof err), 0, "%s: %s", cell->name, err);
    struct sweep_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.sc = sc;
    cfg.scenario_path = cell->path;
    cfg.first = 1;
    cfg.last = soak_seeds();
    cfg.jobs = sweep_default_jobs();
    cfg.require_linearizable = true;
    struct sweep_outcome out;
    memset(&out, 0, sizeof out);
    cr_assert_eq(sweep_run(&cfg, &out, err, sizeof err), 0, "%s: %s", cell->name, err);
    cr_assert_eq(out.done, cfg.last, "%s: %llu of %llu seeds ran", cell->name,
                 (unsigned long long)out.done, (unsigned long long)cfg.last);
    size_t failed = 0, undecided = 0;
    for (size_t i = 0; i < out.nbad; i++) {
        const struct sweep_seed *s = &out.bad[i];
        if (!sweep_failed(s)) {
            undecided++;
            continue;
        }
        failed++;
        cr_log_error("soak cell %s: seed %llu failed: %s%s%s\n    reproduce: %s run %s --seed %llu",
                     cell->name, (unsigned long long)s->seed, s->detail,
                     s->failed[0] ? " (expect." : "", s->failed[0] ? s->failed : "",
                     FAULTLINE_BIN, cell->path, (unsigned long long)s->seed);
    }
    if (undecided)
        cr_log_warn("soak cell %s: %zu seeds undecided (the checker's budget ran out)", cell->name,
                    undecided);
    cr_log_info("soak cell %s: %llu seeds in %.1fs (%.0f seeds/s), %zu failed", cell->name,
                (unsigned long long)out.done, out.wall_seconds,
                out.wall_seconds > 0 ? (double)out.done / out.wall_seconds : 0.0, failed);
    cr_expect_eq(failed, 0, "soak cell %s: %zu of %llu seeds failed (each is named above)",
                 cell->name, failed, (unsigned long long)out.done);
    sweep_outcome_free(&out);
    scenario_free(sc);
}

/* ---- what the matrix promises -------------------------------------------------------- */

static cJSON *load_json(const char *path)
{
    FILE *fp = fopen(path, "rb");
    cr_assert_not_null(fp, "cannot open %s", path);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *text = malloc((size_t)n + 1);
    cr_assert_not_null(text);
    cr_assert_eq(fread(text, 1, (size_t)n, fp), (size_t)n);
    text[n] = '\0';
    fclose(fp);
    cJSON *j = cJSON_Parse(text);
    free(text);
    cr_assert_not_null(j, "%s: not JSON", path);
    return j;
}

static double number_at(const cJSON *o, const char *a, const char *b)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, a);
    if (b)
        x = cJSON_GetObjectItemCaseSensitive(x, b);
    return cJSON_IsNumber(x) ? x->valuedouble : -1;
}

Test(soak, the_matrix_weighs_in_every_fault_and_both_workloads)
{
    static const char *const cells[] = {
        "raft-readindex-register", "raft-readindex-kv", "raft-log-register", "raft-log-kv",
        "multipaxos-register",     "multipaxos-kv",     "pb-sync-lease-register",
        "pb-sync-lease-kv",        "chain-register",    "chain-kv"};
    static const char *const kinds[] = {"crash", "partition", "bridge", "isolate", "oneway",
                                        "clock", "slow",      "flap",   "loss",    "duplicate"};
    for (size_t i = 0; i < sizeof cells / sizeof *cells; i++) {
        char path[1200];
        snprintf(path, sizeof path, "%s/%s.json", SOAK_DIR, cells[i]);
        cJSON *j = load_json(path);
        const cJSON *nemesis = cJSON_GetObjectItemCaseSensitive(j, "nemesis");
        const cJSON *faults = cJSON_GetObjectItemCaseSensitive(nemesis, "faults");
        for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++)
            cr_expect_gt(number_at(faults, kinds[k], NULL), 0, "%s: nemesis.faults.%s", cells[i],
                         kinds[k]);
        cr_expect(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(nemesis, "lose_unsynced")),
                  "%s: nemesis.lose_unsynced", cells[i]);
        cr_expect_gt(number_at(j, "network", "drop"), 0, "%s: network.drop", cells[i]);
        cr_expect_gt(number_at(j, "network", "duplicate"), 0, "%s: network.duplicate", cells[i]);
        const cJSON *workload = cJSON_GetObjectItemCaseSensitive(j, "workload");
        double clients = number_at(workload, "clients", NULL);
        cr_expect(clients >= 4 && clients <= 6, "%s: 4 to 6 clients", cells[i]);
        cr_expect_gt(number_at(workload, "retries", NULL), 0, "%s: workload.retries", cells[i]);
        cr_expect_not_null(cJSON_GetObjectItemCaseSensitive(workload, "timeout"), "%s", cells[i]);
        const cJSON *mix = cJSON_GetObjectItemCaseSensitive(workload, "mix");
        const cJSON *expect = cJSON_GetObjectItemCaseSensitive(j, "expect");
        const cJSON *violations = cJSON_GetObjectItemCaseSensitive(expect, "violations");
        cr_expect(cJSON_IsString(violations) && strcmp(violations->valuestring, "none") == 0,
                  "%s: expect.violations none", cells[i]);
        cr_expect(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(expect, "linearizable")),
                  "%s: expect.linearizable true", cells[i]);
        if (strstr(cells[i], "-kv")) {
            cr_expect_gt(number_at(mix, "append", NULL), 0, "%s: appends", cells[i]);
            cr_expect_gt(number_at(mix, "put", NULL), 0, "%s: puts", cells[i]);
            cr_expect_gt(number_at(mix, "get", NULL), 0, "%s: gets", cells[i]);
            cr_expect_eq(number_at(expect, "lost_writes", NULL), 0, "%s: expect.lost_writes 0",
                         cells[i]);
        } else {
            cr_expect_gt(number_at(mix, "cas", NULL), 0, "%s: cas", cells[i]);
            cr_expect_gt(number_at(mix, "write", NULL), 0, "%s: writes", cells[i]);
            cr_expect_gt(number_at(mix, "read", NULL), 0, "%s: reads", cells[i]);
        }
        cJSON_Delete(j);
    }
    char **paths;
    int n = runner_list_scenarios(SOAK_DIR, &paths);
    cr_expect_eq(n, (int)(sizeof cells / sizeof *cells), "scripts/soak/ holds the matrix and no more");
    runner_free_list(paths, n);
}
