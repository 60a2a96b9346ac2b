/* cmd_view.c - `faultline view`: the interactive SDL2 window on a scenario
 * (live engine: click faults in, save the session) or a trace (replay).
 * Exit 0 when the window is closed, 2 on bad input or no display. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/runner.h"
#include "viz/args.h"
#include "viz/viz.h"

static const char usage[] =
    "usage: faultline view SCENARIO|TRACE [options]\n"
    "\n"
    "Opens the viewer. A scenario runs live: click a node to crash or recover\n"
    "it, drag across the view to partition, H heals, click a message to drop\n"
    "it, S saves the session as a scenario that replays the very same run. A\n"
    "trace (faultline run --trace) is replayed. F1 or ? lists every control.\n"
    "\n"
    "options:\n"
    "  --seed N          run the scenario with seed N\n"
    "  --duration D      simulate D instead of the scenario's duration\n"
    "  --speed X         simulated time per real time: 1/1000 .. 1000 (default 1/20)\n"
    "  --at T            start at time T (\"2.5s\", \"end\")\n"
    "  --paused          start paused\n"
    "  --diagram         show the space-time diagram\n"
    "  --log             show the event log (\"What happened\"; E toggles it)\n"
    "  --no-narrate      play through captions (narrated mode, the default for\n"
    "                    lessons, pauses at each until Space; T toggles it)\n"
    "  --size WxH        window size (default 1280x720)\n"
    "  --fullscreen      full screen (a projector)\n"
    "  --save-dir DIR    where S saves sessions (default: the current directory)\n"
    "  --quit-after N    close after N frames (scripted demos, tests)\n"
    "  -h, --help        this text\n"
    "\n"
    "exit status: 0 closed, 2 bad input or no display\n";

int cli_view_main(int argc, char **argv)
{
    struct viz_view_opts o;
    memset(&o, 0, sizeof o);
    const char *path = NULL;
    char err[1024];
    bool at_end = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        bool missing;
        int c = viz_common_opt(argc, argv, &i, VIZ_OPT_ALL, &o.app, &o.w, &o.h, err, sizeof err);
        if (c < 0) {
            fprintf(stderr, "faultline view: %s\n", err);
            return CLI_BAD_INPUT;
        }
        if (c > 0)
            continue;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            return CLI_OK;
        } else if ((v = viz_opt(argc, argv, &i, "--at", &missing)) || missing) {
            if (missing || viz_parse_time(v, &o.app.start_at, &at_end)) {
                fprintf(stderr, "faultline view: --at: expected a time such as \"2.5s\" or \"end\"%s%s%s\n",
                        missing ? "" : ", got \"", missing ? "" : v, missing ? "" : "\"");
                return CLI_BAD_INPUT;
            }
        } else if ((v = viz_opt(argc, argv, &i, "--save-dir", &missing)) || missing) {
            if (missing) {
                fprintf(stderr, "faultline view: --save-dir needs a directory\n");
                return CLI_BAD_INPUT;
            }
            o.app.save_dir = v;
        } else if ((v = viz_opt(argc, argv, &i, "--quit-after", &missing)) || missing) {
            char *end;
            o.quit_after = missing ? 0 : strtol(v, &end, 10);
            if (missing || end == v || *end || o.quit_after <= 0) {
                fprintf(stderr, "faultline view: --quit-after: expected a number of frames above 0\n");
                return CLI_BAD_INPUT;
            }
        } else if (strcmp(a, "--paused") == 0) {
            o.app.paused = true;
        } else if (strcmp(a, "--fullscreen") == 0) {
            o.fullscreen = true;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "faultline view: unknown option \"%s\" (see faultline view --help)\n", a);
            return CLI_BAD_INPUT;
        } else if (!path) {
            path = a;
        } else {
            fprintf(stderr, "faultline view: one file at a time (got \"%s\" and \"%s\")\n", path, a);
            return CLI_BAD_INPUT;
        }
    }
    if (!path) {
        fprintf(stderr, "faultline view: which scenario or trace? (see faultline view --help)\n");
        return CLI_BAD_INPUT;
    }
    if (at_end)
        o.app.start_at = INT64_MAX / 2; /* clamped to the run's end */
    path = runner_resolve_scenario(path);
    if (viz_view(path, &o, err, sizeof err)) {
        fprintf(stderr, "faultline: %s\n", err);
        return CLI_BAD_INPUT;
    }
    return CLI_OK;
}
