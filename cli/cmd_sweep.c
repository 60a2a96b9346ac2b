/* cmd_sweep.c - `faultline sweep`: many seeds of a scenario on every core
 * (and across MPI ranks under mpirun), the failing seeds each with a
 * command that reproduces it, and optionally the lowest one shrunk to a
 * small scenario file. Exit 0 when no seed fails, 1 when one does, 2 on
 * bad input. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/runner.h"
#include "cli/mpi_sweep.h"
#include "cli/shrink.h"
#include "cli/sweep.h"
#include "cli/sweep_args.h"
#include "cli/sweep_progress.h"
#include "cli/sweep_report.h"

static const char usage[] =
    "usage: faultline sweep SCENARIO [--seeds A..B] [options]\n"
    "\n"
    "Runs the scenario once per seed, with its nemesis, on worker processes, and\n"
    "reports the seeds that fail: an invariant broke (unless the scenario expects\n"
    "violations), the history is not linearizable when the scenario expects it to\n"
    "be, or another expectation of its \"expect\" block is not met. Each failing\n"
    "seed comes with the one command that reproduces it.\n"
    "\n"
    "Under mpirun (mpirun -np N faultline sweep ...) the seeds are split across\n"
    "the ranks, on any number of machines, and rank 0 prints one report - the\n"
    "same report one process prints.\n"
    "\n"
    "options:\n"
    "  --seeds A..B        seeds to run, inclusive; N alone means 1..N (default 1..100)\n"
    "  --jobs N            worker processes (default: every core; under mpirun, the\n"
    "                      cores of each machine shared among its ranks)\n"
    "  --first             stop at the lowest failing seed\n"
    "  --linearizable      a non-linearizable history fails a seed even when the\n"
    "                      scenario does not say \"linearizable\": true\n"
    "  --duration D        simulate D instead of the scenario's duration\n"
    "  --check-timeout S   the checker's budget per seed, in seconds (default 20)\n"
    "  --shrink            shrink the lowest failing seed to a small scenario that\n"
    "                      still fails the same way (fewer faults, shorter, fewer\n"
    "                      clients) and write it as a scenario file\n"
    "  --shrink-out FILE   where to write it (default NAME-seedN-min.json here)\n"
    "  --shrink-runs N     simulation runs the shrinker may spend (default 400)\n"
    "  --show N|all        failing seeds listed in the text report (default 20)\n"
    "  --json              print the report as one JSON object\n"
    "  --quiet             no progress on standard error\n"
    "  --no-color          never colour the report\n"
    "  -h, --help          this text\n"
    "\n"
    "Progress and the rate (seeds per second) go to standard error: a bar on a\n"
    "terminal, a line every tenth otherwise. The report on standard output holds\n"
    "no timings, so the same sweep always prints the same report.\n"
    "\n"
    "exit status: 0 no seed failed, 1 some seed failed, 2 bad input\n";

struct sweep_cli {
    struct sweep_config cfg;
    const char *path;
    bool json, quiet, color, shrink, seeds_given;
    const char *shrink_out;
    int shrink_runs;
    int show;
    bool jobs_given, color_given;
};

/* Returns -1 to go on, or the exit status. */
static int parse(struct sweep_cli *c, int argc, char **argv)
{
    const char *cmd = "sweep";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            return CLI_OK;
        } else if (sweep_args_is(a, "--seeds")) {
            if (!(v = sweep_args_value(argc, argv, &i, "--seeds", cmd)) ||
                sweep_args_seeds(v, &c->cfg.first, &c->cfg.last, cmd))
                return CLI_BAD_INPUT;
            c->seeds_given = true;
        } else if (sweep_args_is(a, "--jobs") || sweep_args_is(a, "-j")) {
            const char *name = a[1] == 'j' ? "-j" : "--jobs";
            if (!(v = sweep_args_value(argc, argv, &i, name, cmd)) ||
                sweep_args_count(v, 4096, &c->cfg.jobs, name, cmd))
                return CLI_BAD_INPUT;
            c->jobs_given = true;
        } else if (strcmp(a, "--first") == 0) {
            c->cfg.stop_at_first = true;
        } else if (strcmp(a, "--linearizable") == 0) {
            c->cfg.require_linearizable = true;
        } else if (sweep_args_is(a, "--duration")) {
            if (!(v = sweep_args_value(argc, argv, &i, "--duration", cmd)))
                return CLI_BAD_INPUT;
            if (scenario_parse_duration(v, false, &c->cfg.duration) || c->cfg.duration <= 0) {
                fprintf(stderr, "faultline sweep: --duration: expected a duration such as \"5s\" or \"800ms\", got \"%s\"\n", v);
                return CLI_BAD_INPUT;
            }
        } else if (sweep_args_is(a, "--check-timeout")) {
            if (!(v = sweep_args_value(argc, argv, &i, "--check-timeout", cmd)))
                return CLI_BAD_INPUT;
            char *end;
            c->cfg.check_timeout = strtod(v, &end);
            if (*end || !(c->cfg.check_timeout > 0)) {
                fprintf(stderr, "faultline sweep: --check-timeout: expected seconds above 0, got \"%s\"\n", v);
                return CLI_BAD_INPUT;
            }
        } else if (strcmp(a, "--shrink") == 0) {
            c->shrink = true;
        } else if (sweep_args_is(a, "--shrink-out")) {
            if (!(c->shrink_out = sweep_args_value(argc, argv, &i, "--shrink-out", cmd)))
                return CLI_BAD_INPUT;
            c->shrink = true;
        } else if (sweep_args_is(a, "--shrink-runs")) {
            if (!(v = sweep_args_value(argc, argv, &i, "--shrink-runs", cmd)) ||
                sweep_args_count(v, 1000000, &c->shrink_runs, "--shrink-runs", cmd))
                return CLI_BAD_INPUT;
            c->shrink = true;
        } else if (sweep_args_is(a, "--show")) {
            if (!(v = sweep_args_value(argc, argv, &i, "--show", cmd)))
                return CLI_BAD_INPUT;
            if (strcmp(v, "all") == 0)
                c->show = -1;
            else if (sweep_args_count(v, 1000000, &c->show, "--show", cmd))
                return CLI_BAD_INPUT;
        } else if (strcmp(a, "--json") == 0) {
            c->json = true;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            c->quiet = true;
        } else if (strcmp(a, "--no-color") == 0) {
            c->color = false;
            c->color_given = true;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "faultline sweep: unknown option \"%s\" (see faultline sweep --help)\n", a);
            return CLI_BAD_INPUT;
        } else if (!c->path) {
            c->path = a;
        } else {
            fprintf(stderr, "faultline sweep: one scenario at a time (got \"%s\" and \"%s\")\n",
                    c->path, a);
            return CLI_BAD_INPUT;
        }
    }
    if (!c->path) {
        fprintf(stderr, "faultline sweep: which scenario? (see faultline sweep --help)\n");
        return CLI_BAD_INPUT;
    }
    return -1;
}

/* Shrinks the lowest failing seed and writes it; prints what it did.
 * Returns 0, or a negative SIM_E code after printing the error. */
static int do_shrink(struct sweep_cli *c, const struct sweep_report *rep, const char *self,
                     cJSON *json)
{
    const struct sweep_seed *worst = NULL;
    for (size_t i = 0; i < rep->outcome->nbad && !worst; i++)
        if (sweep_failed(&rep->outcome->bad[i]) &&
            (rep->outcome->bad[i].reasons & ~SWEEP_ERROR & SWEEP_FAILURE))
            worst = &rep->outcome->bad[i];
    if (!worst) {
        if (!c->json)
            printf("\nnothing to shrink: no seed failed with a verdict (run errors cannot be shrunk)\n");
        return SIM_OK;
    }
    struct shrink_options so = {&c->cfg, c->shrink_runs, c->quiet ? NULL : stderr};
    struct shrink_result res;
    char err[1024];
    int rc = shrink_seed(&so, worst->seed, &res, err, sizeof err);
    if (rc) {
        fprintf(stderr, "faultline sweep: shrinking seed %llu: %s\n", (unsigned long long)worst->seed, err);
        return rc;
    }
    char path[4096];
    if (c->shrink_out)
        snprintf(path, sizeof path, "%s", c->shrink_out);
    else
        shrink_default_path(&res, path, sizeof path);
    if ((rc = shrink_write(&res, path, err, sizeof err))) {
        fprintf(stderr, "faultline sweep: %s\n", err);
        shrink_result_free(&res);
        return rc;
    }
    char cmd[4400];
    snprintf(cmd, sizeof cmd, "%s run ", self);
    sweep_shell_arg(cmd, sizeof cmd, path);
    if (json) {
        cJSON *s = cJSON_AddObjectToObject(json, "shrunk");
        if (s) {
            cJSON_AddNumberToObject(s, "seed", (double)res.seed);
            cJSON_AddStringToObject(s, "file", path);
            cJSON_AddNumberToObject(s, "faults_before", res.faults_before);
            cJSON_AddNumberToObject(s, "faults_after", res.faults_after);
            cJSON_AddNumberToObject(s, "nemesis_faults", res.nemesis_faults);
            cJSON_AddBoolToObject(s, "nemesis_kept", res.nemesis_kept);
            cJSON_AddNumberToObject(s, "duration_before_us", (double)res.duration_before);
            cJSON_AddNumberToObject(s, "duration_after_us", (double)res.duration_after);
            cJSON_AddNumberToObject(s, "clients_before", res.clients_before);
            cJSON_AddNumberToObject(s, "clients_after", res.clients_after);
            cJSON_AddNumberToObject(s, "runs", res.runs);
            cJSON_AddStringToObject(s, "detail", res.failure.detail);
            cJSON_AddStringToObject(s, "reproduce", cmd);
        }
    } else {
        printf("\n");
        shrink_print(stdout, &res);
        printf("  wrote %s\n  reproduce: %s\n", path, cmd);
    }
    shrink_result_free(&res);
    return SIM_OK;
}

int cli_sweep_main(int argc, char **argv)
{
    struct sweep_cli c;
    memset(&c, 0, sizeof c);
    c.cfg.first = 1;
    c.cfg.last = 100;
    c.color = isatty(STDOUT_FILENO);
    int status = parse(&c, argc, argv);
    if (status >= 0)
        return status;

    char err[1024];
    struct mpi_sweep mpi;
    if (mpi_sweep_init(&mpi, true, err, sizeof err)) {
        fprintf(stderr, "faultline sweep: %s\n", err);
        return CLI_BAD_INPUT;
    }
    bool root = mpi.rank == 0;
    struct scenario *sc = NULL;
    c.path = runner_resolve_scenario(c.path);
    if (scenario_load(c.path, &sc, err, sizeof err)) {
        if (root)
            fprintf(stderr, "faultline: %s\n", err);
        mpi_sweep_finalize(&mpi);
        return CLI_BAD_INPUT;
    }
    c.cfg.sc = sc;
    c.cfg.scenario_path = c.path;
    if (!c.jobs_given) {
        int cores = sweep_default_jobs();
        c.cfg.jobs = cores / (mpi.local_size > 0 ? mpi.local_size : 1);
        if (c.cfg.jobs < 1)
            c.cfg.jobs = 1;
    }
    if (mpi.size > 1) {
        /* mpirun forwards output through pseudo-terminals: no colours, no
         * bar redrawn in place, whatever isatty says */
        if (!c.color_given)
            c.color = false;
        c.cfg.stride = mpi.size;
        c.cfg.offset = mpi.rank;
        c.cfg.chunk = 16;
    }
    /* A bad protocol or params fails every seed alike: say so once, up front. */
    {
        struct run_result r;
        struct run_options opt = {.seed_set = true, .seed = c.cfg.first, .duration = 1,
                                  .no_trace_hash = true, .no_check = true};
        if (runner_run(sc, &opt, &r, err, sizeof err)) {
            if (root)
                fprintf(stderr, "faultline: %s\n", err);
            scenario_free(sc);
            mpi_sweep_finalize(&mpi);
            return CLI_BAD_INPUT;
        }
        runner_result_free(&r);
    }

    struct sweep_progress prog;
    sweep_progress_init(&prog, stderr, c.quiet || !root, "seeds");
    if (mpi.size > 1) {
        snprintf(prog.label, sizeof prog.label, "rank 0 of %d: ", mpi.size);
        prog.tty = false;
    }
    c.cfg.progress = sweep_progress_update;
    c.cfg.progress_ctx = &prog;

    struct sweep_outcome out;
    int rc = sweep_run(&c.cfg, &out, err, sizeof err);
    sweep_progress_end(&prog, out.done, c.cfg.jobs);
    if (rc)
        fprintf(stderr, "faultline sweep: rank %d: %s\n", mpi.rank, err);
    int grc = mpi_sweep_gather(&mpi, &c.cfg, &out, err, sizeof err);
    if (grc && root)
        fprintf(stderr, "faultline sweep: %s\n", err);
    status = rc || grc ? CLI_BAD_INPUT : CLI_OK;

    if (root && !status) {
        if (mpi.size > 1 && !c.quiet)
            fprintf(stderr, "%llu seeds on %d ranks in %.2fs: %.1f seeds/s\n",
                    (unsigned long long)out.done, mpi.size, out.wall_seconds,
                    out.wall_seconds > 0 ? (double)out.done / out.wall_seconds : 0.0);
        char self[4200];
        sweep_self_command(self, sizeof self);
        struct sweep_report rep = {&c.cfg, &out, self, c.show};
        status = sweep_report_failures(&rep) ? CLI_FAILED : CLI_OK;
        cJSON *json = NULL;
        if (c.json) {
            if (!(json = sweep_report_json(&rep))) {
                fprintf(stderr, "faultline sweep: out of memory writing the report\n");
                status = CLI_BAD_INPUT;
            }
        } else {
            sweep_report_text(stdout, &rep, c.color);
        }
        fflush(stdout);
        if (c.shrink && status == CLI_FAILED) {
            /* the shrinker's own runs: one process, whatever the rank count */
            if (do_shrink(&c, &rep, self, json) < 0)
                status = CLI_BAD_INPUT;
        } else if (c.shrink && !c.json && status == CLI_OK) {
            printf("\nnothing to shrink: no seed failed\n");
        }
        if (json) {
            char *text = cJSON_Print(json);
            if (text) {
                printf("%s\n", text);
                cJSON_free(text);
            }
            cJSON_Delete(json);
        }
        fflush(stdout);
    }
    status = mpi_sweep_status(&mpi, status);
    sweep_outcome_free(&out);
    scenario_free(sc);
    mpi_sweep_finalize(&mpi);
    return status;
}
