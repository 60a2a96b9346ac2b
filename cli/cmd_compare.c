/* cmd_compare.c - `faultline compare`: one scenario's network, faults and
 * nemesis against several protocols, one row each, as a table, CSV or
 * JSON, and a chart. Exit 0 when every run ran (whatever the protocols
 * did), 1 when a run failed to run, 2 on bad input. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/runner.h"
#include "cli/compare.h"
#include "cli/compare_report.h"
#include "cli/sweep.h"
#include "cli/sweep_args.h"
#include "cli/sweep_progress.h"

static const char usage[] =
    "usage: faultline compare SCENARIO [--protocols LIST] [--seeds A..B] [options]\n"
    "\n"
    "Runs the scenario's network, faults and nemesis against each protocol of\n"
    "LIST - the same schedule for all: the nemesis draws from its own random\n"
    "stream, whatever the protocol does - and prints one row per protocol:\n"
    "availability (share of client operations answered - ok or a definite\n"
    "fail, not refused or timed out - of writes answered, the longest time\n"
    "without an ok operation), throughput, latency p50/p99, messages per\n"
    "ok operation, the worst time to recover after a fault, and safety\n"
    "(invariant violations, linearizable, stale reads, lost writes, blocked\n"
    "transactions). With --seeds, the mean and spread over the seeds.\n"
    "\n"
    "LIST is comma-separated; each item is a protocol name, optionally with\n"
    "params after colons: raft,primary-backup:failover=lease:lease=2s,quorum:w=1:r=1\n"
    "(values are JSON when they parse as JSON, else strings). \"all\" (the\n"
    "default) is every protocol but echo. A row running the scenario's own\n"
    "protocol starts from the scenario's params; others from their defaults.\n"
    "\n"
    "options:\n"
    "  --protocols LIST    the rows (default: all)\n"
    "  --params FILE       a JSON object of params per protocol or per row label:\n"
    "                      {\"quorum\": {\"w\": 1}, \"primary-backup:failover=lease\": {...}}\n"
    "  --seeds A..B        run every row with each seed (N alone: 1..N);\n"
    "                      default: the scenario's seed\n"
    "  --jobs N            worker processes (default: every core)\n"
    "  --duration D        simulate D instead of the scenario's duration\n"
    "  --check-timeout S   the checker's budget per run, in seconds (default 20)\n"
    "  --csv               print the table as CSV\n"
    "  --json              print everything (every run, every fault) as JSON\n"
    "  --plot FILE.png     draw ok operations over time per protocol, faults marked\n"
    "  --ops KIND          what --plot counts: write (the default: a write stall\n"
    "                      is what a fault shows), read or all\n"
    "  --quiet             no progress on standard error\n"
    "  --no-color          never colour the table\n"
    "  -h, --help          this text\n"
    "\n"
    "exit status: 0 compared, 1 a run could not be made (its row says why),\n"
    "             2 bad input\n";

static void note(void *ctx, const char *text)
{
    if (!*(bool *)ctx)
        fprintf(stderr, "faultline compare: %s\n", text);
}

/* Reads the --params file. Returns 0 and *out, or prints the error. */
static int load_params(const char *path, cJSON **out)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        fprintf(stderr, "faultline compare: --params: %s: cannot read: %s\n", path, strerror(errno));
        return -1;
    }
    char *text = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *t = realloc(text, cap);
            if (!t) {
                free(text);
                fclose(fp);
                fprintf(stderr, "faultline compare: --params: %s: out of memory\n", path);
                return -1;
            }
            text = t;
        }
        size_t n = fread(text + len, 1, 4096, fp);
        len += n;
        if (n < 4096)
            break;
    }
    fclose(fp);
    text[len] = '\0';
    const char *end = NULL;
    *out = cJSON_ParseWithOpts(text, &end, true);
    if (!*out) {
        fprintf(stderr, "faultline compare: --params: %s: not valid JSON near byte %ld\n", path,
                end ? (long)(end - text) : 0L);
        free(text);
        return -1;
    }
    free(text);
    return 0;
}

int cli_compare_main(int argc, char **argv)
{
    const char *cmd = "compare", *path = NULL, *plot = NULL, *params_path = NULL, *ops_text = NULL;
    enum compare_plot_ops ops = COMPARE_OPS_WRITE;
    struct compare_options o;
    memset(&o, 0, sizeof o);
    o.jobs = sweep_default_jobs();
    bool csv = false, json = false, quiet = false, color = isatty(STDOUT_FILENO);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            return CLI_OK;
        } else if (sweep_args_is(a, "--protocols")) {
            if (!(o.protocols = sweep_args_value(argc, argv, &i, "--protocols", cmd)))
                return CLI_BAD_INPUT;
        } else if (sweep_args_is(a, "--params")) {
            if (!(params_path = sweep_args_value(argc, argv, &i, "--params", cmd)))
                return CLI_BAD_INPUT;
        } else if (sweep_args_is(a, "--seeds")) {
            if (!(v = sweep_args_value(argc, argv, &i, "--seeds", cmd)) ||
                sweep_args_seeds(v, &o.first, &o.last, cmd))
                return CLI_BAD_INPUT;
            if (o.last - o.first >= 1000000) {
                fprintf(stderr, "faultline compare: --seeds: at most a million seeds\n");
                return CLI_BAD_INPUT;
            }
            o.seeds_given = true;
        } else if (sweep_args_is(a, "--jobs") || sweep_args_is(a, "-j")) {
            const char *name = a[1] == 'j' ? "-j" : "--jobs";
            if (!(v = sweep_args_value(argc, argv, &i, name, cmd)) ||
                sweep_args_count(v, 4096, &o.jobs, name, cmd))
                return CLI_BAD_INPUT;
        } else if (sweep_args_is(a, "--duration")) {
            if (!(v = sweep_args_value(argc, argv, &i, "--duration", cmd)))
                return CLI_BAD_INPUT;
            if (scenario_parse_duration(v, false, &o.duration) || o.duration <= 0) {
                fprintf(stderr, "faultline compare: --duration: expected a duration such as \"5s\" or \"800ms\", got \"%s\"\n", v);
                return CLI_BAD_INPUT;
            }
        } else if (sweep_args_is(a, "--check-timeout")) {
            if (!(v = sweep_args_value(argc, argv, &i, "--check-timeout", cmd)))
                return CLI_BAD_INPUT;
            char *end;
            o.check_timeout = strtod(v, &end);
            if (*end || !(o.check_timeout > 0)) {
                fprintf(stderr, "faultline compare: --check-timeout: expected seconds above 0, got \"%s\"\n", v);
                return CLI_BAD_INPUT;
            }
        } else if (sweep_args_is(a, "--plot")) {
            if (!(plot = sweep_args_value(argc, argv, &i, "--plot", cmd)))
                return CLI_BAD_INPUT;
        } else if (sweep_args_is(a, "--ops")) {
            char e[256];
            if (!(ops_text = sweep_args_value(argc, argv, &i, "--ops", cmd)))
                return CLI_BAD_INPUT;
            if (compare_plot_ops_parse(ops_text, &ops, e, sizeof e)) {
                fprintf(stderr, "faultline compare: %s\n", e);
                return CLI_BAD_INPUT;
            }
        } else if (strcmp(a, "--csv") == 0) {
            csv = true;
        } else if (strcmp(a, "--json") == 0) {
            json = true;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            quiet = true;
        } else if (strcmp(a, "--no-color") == 0) {
            color = false;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "faultline compare: unknown option \"%s\" (see faultline compare --help)\n", a);
            return CLI_BAD_INPUT;
        } else if (!path) {
            path = a;
        } else {
            fprintf(stderr, "faultline compare: one scenario at a time (got \"%s\" and \"%s\")\n", path, a);
            return CLI_BAD_INPUT;
        }
    }
    if (!path) {
        fprintf(stderr, "faultline compare: which scenario? (see faultline compare --help)\n");
        return CLI_BAD_INPUT;
    }
    if (ops_text && !plot) {
        fprintf(stderr, "faultline compare: --ops chooses what the chart counts: give --plot FILE.png too\n");
        return CLI_BAD_INPUT;
    }
    if (csv && json) {
        fprintf(stderr, "faultline compare: --csv and --json exclude each other\n");
        return CLI_BAD_INPUT;
    }
    cJSON *params = NULL;
    if (params_path && load_params(params_path, &params))
        return CLI_BAD_INPUT;
    o.params_file = params;
    o.note = note;
    o.note_ctx = &quiet;

    char err[2048];
    struct scenario *sc;
    path = runner_resolve_scenario(path);
    if (scenario_load(path, &sc, err, sizeof err)) {
        fprintf(stderr, "faultline: %s\n", err);
        cJSON_Delete(params);
        return CLI_BAD_INPUT;
    }
    struct compare cmp;
    if (compare_prepare(sc, path, &o, &cmp, err, sizeof err)) {
        fprintf(stderr, "faultline compare: %s\n", err);
        scenario_free(sc);
        cJSON_Delete(params);
        return CLI_BAD_INPUT;
    }
    struct sweep_progress prog;
    sweep_progress_init(&prog, stderr, quiet, "runs");
    prog.hide_failing = true;
    o.progress = sweep_progress_update;
    o.progress_ctx = &prog;
    int rc = compare_run(&cmp, &o, err, sizeof err);
    uint64_t runs = (uint64_t)cmp.nrows * (cmp.last - cmp.first + 1);
    sweep_progress_end(&prog, rc ? 0 : runs, o.jobs);
    int status = CLI_OK;
    if (rc) {
        fprintf(stderr, "faultline compare: %s\n", err);
        status = CLI_BAD_INPUT;
    } else {
        if (json) {
            cJSON *j = compare_report_json(&cmp);
            char *text = j ? cJSON_Print(j) : NULL;
            if (text)
                printf("%s\n", text);
            else
                fprintf(stderr, "faultline compare: out of memory writing JSON\n");
            cJSON_free(text);
            cJSON_Delete(j);
        } else if (csv) {
            compare_report_csv(stdout, &cmp);
        } else {
            compare_report_text(stdout, &cmp, color);
        }
        for (int i = 0; i < cmp.nrows; i++)
            if (cmp.rows[i].errors)
                status = CLI_FAILED;
        if (plot) {
            if (compare_report_plot(&cmp, plot, ops, err, sizeof err)) {
                fprintf(stderr, "faultline compare: --plot: %s\n", err);
                status = CLI_BAD_INPUT;
            } else if (!quiet) {
                fprintf(stderr, "wrote %s\n", plot);
            }
        }
    }
    compare_free(&cmp);
    scenario_free(sc);
    cJSON_Delete(params);
    return status;
}
