/* cmd_export.c - `faultline export --shiviz`: a scenario's run or a trace
 * as a ShiViz log (hosts, vector clocks), for ShiViz's space-time diagrams.
 * Exit 0 when written, 2 on bad input (nothing half-written). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "viz/args.h"
#include "viz/viz.h"

static const char usage[] =
    "usage: faultline export --shiviz SCENARIO|TRACE [--out FILE] [options]\n"
    "\n"
    "Writes the run as a ShiViz log: the first line is the regular expression\n"
    "to parse it with, the second the (empty) execution delimiter, then one\n"
    "event per line - host, vector clock, time, what happened. Load it in\n"
    "ShiViz (https://bestchai.bitbucket.io/shiviz/) with \"upload a file\".\n"
    "Messages become send/receive pairs; a lost message is a send without a\n"
    "receive.\n"
    "\n"
    "options:\n"
    "  --shiviz          the ShiViz format (the only one for now)\n"
    "  --out FILE        write to FILE (atomically) instead of standard output\n"
    "  --timers          include timer firings as events\n"
    "  --seed N          run the scenario with seed N\n"
    "  --duration D      simulate D instead of the scenario's duration\n"
    "  -h, --help        this text\n"
    "\n"
    "exit status: 0 written, 2 bad input\n";

int cli_export_main(int argc, char **argv)
{
    struct viz_shiviz_opts o;
    memset(&o, 0, sizeof o);
    const char *path = NULL;
    bool shiviz = false;
    char err[1024];
    int w = 0, h = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        bool missing;
        int c = viz_common_opt(argc, argv, &i, VIZ_OPT_SEED | VIZ_OPT_DURATION, &o.app, &w, &h,
                               err, sizeof err);
        if (c < 0) {
            fprintf(stderr, "faultline export: %s\n", err);
            return CLI_BAD_INPUT;
        }
        if (c > 0)
            continue;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            return CLI_OK;
        } else if (strcmp(a, "--shiviz") == 0) {
            shiviz = true;
        } else if (strcmp(a, "--timers") == 0) {
            o.timers = true;
        } else if ((v = viz_opt(argc, argv, &i, "--out", &missing)) || missing) {
            if (missing || !*v) {
                fprintf(stderr, "faultline export: --out needs a file name\n");
                return CLI_BAD_INPUT;
            }
            o.out = v;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "faultline export: unknown option \"%s\" (see faultline export --help)\n", a);
            return CLI_BAD_INPUT;
        } else if (!path) {
            path = a;
        } else {
            fprintf(stderr, "faultline export: one file at a time (got \"%s\" and \"%s\")\n", path, a);
            return CLI_BAD_INPUT;
        }
    }
    if (!shiviz) {
        fprintf(stderr, "faultline export: say which format: --shiviz (see faultline export --help)\n");
        return CLI_BAD_INPUT;
    }
    if (!path) {
        fprintf(stderr, "faultline export: which scenario or trace? (see faultline export --help)\n");
        return CLI_BAD_INPUT;
    }
    if (viz_export_shiviz(path, &o, err, sizeof err)) {
        fprintf(stderr, "faultline: %s\n", err);
        return CLI_BAD_INPUT;
    }
    return CLI_OK;
}
