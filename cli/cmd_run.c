/* cmd_run.c - `faultline run`: run a scenario, print what happened, check
 * its expectations. Exit 0 when they hold, 1 when they do not, 2 on bad
 * input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/report.h"
#include "cli/runner.h"
#include "viz/viz.h"

static const char usage[] =
    "usage: faultline run [SCENARIO] [options]\n"
    "\n"
    "Runs a scenario file: boots the nodes, drives the clients, injects the\n"
    "faults, then prints what happened, the numbers, the checker's verdict on\n"
    "the client history, and whether the scenario's \"expect\" block holds.\n"
    "Without SCENARIO it runs the default lesson (pb-heartbeat-split-brain).\n"
    "\n"
    "options:\n"
    "  --seed N          use seed N instead of the scenario's (same seed, same run)\n"
    "  --duration D      simulate D instead of the scenario's duration (\"5s\", \"800ms\")\n"
    "  --trace FILE      write the trace (JSONL, every event) to FILE\n"
    "  --history FILE    write the client history (JSONL, Jepsen fields) to FILE\n"
    "  --no-check        skip the linearizability checker\n"
    "  --check-timeout S give the checker at most S seconds (default 20)\n"
    "  -v, --verbose     tell more of the story: every role change (candidacies,\n"
    "                    blocked participants...) with its term, ballot or view;\n"
    "                    -vv also every protocol note\n"
    "  --quiet           print nothing; only the exit status tells\n"
    "  --json            print the summary as one JSON object\n"
    "  --no-color        never colour the summary\n"
    "  --view            watch it live in the viewer first (faultline view --help)\n"
    "  -h, --help        this text\n"
    "\n"
    "exit status: 0 expectations hold (or none given), 1 they do not,\n"
    "             2 bad input (the message names file, JSON path and what was expected)\n";

/* Takes the value of an option given as "--opt VALUE" or "--opt=VALUE". */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) == 0 && argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (strcmp(argv[*i], name) == 0) {
        if (*i + 1 >= argc) {
            fprintf(stderr, "faultline run: %s needs a value\n", name);
            return NULL;
        }
        return argv[++*i];
    }
    return NULL;
}

static bool is_opt(const char *arg, const char *name)
{
    size_t n = strlen(name);
    return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

int cli_run_main(int argc, char **argv)
{
    struct run_options opt = {0};
    const char *path = NULL;
    bool quiet = false, json = false, color = isatty(STDOUT_FILENO), view = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            return CLI_OK;
        } else if (is_opt(a, "--seed")) {
            if (!(v = opt_value(argc, argv, &i, "--seed")))
                return CLI_BAD_INPUT;
            char *end;
            unsigned long long seed = strtoull(v, &end, 10);
            if (!*v || *end || *v == '-') {
                fprintf(stderr, "faultline run: --seed: expected a non-negative integer, got \"%s\"\n", v);
                return CLI_BAD_INPUT;
            }
            opt.seed_set = true;
            opt.seed = seed;
        } else if (is_opt(a, "--duration")) {
            if (!(v = opt_value(argc, argv, &i, "--duration")))
                return CLI_BAD_INPUT;
            if (scenario_parse_duration(v, false, &opt.duration) || opt.duration <= 0) {
                fprintf(stderr, "faultline run: --duration: expected a duration such as \"5s\" or \"800ms\", got \"%s\"\n", v);
                return CLI_BAD_INPUT;
            }
        } else if (is_opt(a, "--trace")) {
            if (!(opt.trace_path = opt_value(argc, argv, &i, "--trace")))
                return CLI_BAD_INPUT;
        } else if (is_opt(a, "--history")) {
            if (!(opt.history_path = opt_value(argc, argv, &i, "--history")))
                return CLI_BAD_INPUT;
        } else if (is_opt(a, "--check-timeout")) {
            if (!(v = opt_value(argc, argv, &i, "--check-timeout")))
                return CLI_BAD_INPUT;
            char *end;
            opt.check_timeout = strtod(v, &end);
            if (*end || opt.check_timeout <= 0) {
                fprintf(stderr, "faultline run: --check-timeout: expected seconds above 0, got \"%s\"\n", v);
                return CLI_BAD_INPUT;
            }
        } else if (strcmp(a, "--no-check") == 0) {
            opt.no_check = true;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            opt.story = opt.story < 2 ? opt.story + 1 : 2;
        } else if (strcmp(a, "-vv") == 0) {
            opt.story = 2;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            quiet = true;
        } else if (strcmp(a, "--json") == 0) {
            json = true;
        } else if (strcmp(a, "--view") == 0) {
            view = true;
        } else if (strcmp(a, "--no-color") == 0) {
            color = false;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "faultline run: unknown option \"%s\" (see faultline run --help)\n", a);
            return CLI_BAD_INPUT;
        } else if (!path) {
            path = a;
        } else {
            fprintf(stderr, "faultline run: one scenario at a time (got \"%s\" and \"%s\")\n", path, a);
            return CLI_BAD_INPUT;
        }
    }
    if (quiet && json) {
        fprintf(stderr, "faultline run: --quiet and --json exclude each other\n");
        return CLI_BAD_INPUT;
    }
    if (!path && !(path = runner_default_scenario())) {
        fprintf(stderr, "faultline run: no scenario given and the default scenario (scenarios/pb-heartbeat-split-brain.json) was not found\n");
        return CLI_BAD_INPUT;
    }
    path = runner_resolve_scenario(path);
    char err[1024];
    struct scenario *sc;
    if (scenario_load(path, &sc, err, sizeof err)) {
        fprintf(stderr, "faultline: %s\n", err);
        return CLI_BAD_INPUT;
    }
    if (view) { /* the window first; the summary of the scenario as written after */
        struct viz_view_opts vo = {.app = {.seed_set = opt.seed_set, .seed = opt.seed,
                                           .duration = opt.duration}};
        if (viz_view(path, &vo, err, sizeof err)) {
            fprintf(stderr, "faultline: %s\n", err);
            scenario_free(sc);
            return CLI_BAD_INPUT;
        }
    }
    struct run_result r;
    int rc = runner_run(sc, &opt, &r, err, sizeof err);
    if (rc) {
        fprintf(stderr, "faultline: %s\n", err);
        scenario_free(sc);
        return rc == SIM_EIO || rc == SIM_EINVAL ? CLI_BAD_INPUT : CLI_FAILED;
    }
    if (json)
        report_json(stdout, sc, &r);
    else if (!quiet)
        report_text(stdout, sc, &r, color);
    int status = !r.has_expect || r.expect_ok ? CLI_OK : CLI_FAILED;
    runner_result_free(&r);
    scenario_free(sc);
    return status;
}
