/* test_scenarios.c - every lesson under scenarios/ runs and meets its
 * "expect" block, and reruns to the same trace hash. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/runner.h"

/* Sorted paths of scenarios/ *.json; returns how many. */
static int list_scenarios(char ***out)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/scenarios", FAULTLINE_SOURCE_DIR);
    int n = runner_list_scenarios(dir, out);
    cr_assert_geq(n, 0, "cannot list %s", dir);
    return n;
}

Test(scenarios, every_lesson_meets_its_expectations, .timeout = 1800)
{
    char **paths;
    int n = list_scenarios(&paths);
    cr_assert_gt(n, 0);
    for (int i = 0; i < n; i++) {
        char err[1024];
        struct scenario *sc;
        int rc = scenario_load(paths[i], &sc, err, sizeof err);
        cr_expect_eq(rc, 0, "%s", err);
        if (rc)
            continue;
        cr_expect(sc->expect.violations != EXPECT_UNSET || sc->expect.linearizable >= 0 ||
                      sc->expect.max_leaders >= 0 || sc->expect.ok_ops_at_least >= 0 ||
                      sc->expect.metric_count > 0 || sc->expect.blocked_at_end != -1 ||
                      sc->expect.lost_writes != -1 || sc->expect.stale_reads != -1 ||
                      sc->expect.availability_at_least >= 0 || sc->expect.leader_within >= 0,
                  "%s: a lesson needs an expect block", paths[i]);
        cr_expect(sc->title && *sc->title && sc->lesson && *sc->lesson,
                  "%s: a lesson needs a title and a lesson text", paths[i]);
        struct run_options opt = {0};
        struct run_result r;
        rc = runner_run(sc, &opt, &r, err, sizeof err);
        cr_expect_eq(rc, 0, "%s: %s", paths[i], err);
        if (rc == 0) {
            for (int k = 0; k < r.ncheck; k++)
                cr_expect(r.checks[k].ok, "%s: expect.%s: %s", paths[i], r.checks[k].key,
                          r.checks[k].detail);
            /* and it replays to the same trace */
            struct run_result again;
            cr_assert_eq(runner_run(sc, &(struct run_options){.no_check = true}, &again, err, sizeof err), 0);
            cr_expect_eq(again.trace_hash, r.trace_hash, "%s: rerun changed the trace", paths[i]);
            runner_result_free(&again);
            runner_result_free(&r);
        }
        scenario_free(sc);
    }
    runner_free_list(paths, n);
}
