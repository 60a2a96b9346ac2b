/* cmd_render.c - `faultline render`: viewer frames drawn offscreen (no
 * display needed) and written as PNG: one moment, or a numbered sequence for
 * slides and video. Exit 0 when written, 2 on bad input (nothing written). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/runner.h"
#include "viz/args.h"
#include "viz/viz.h"

static const char usage[] =
    "usage: faultline render SCENARIO|TRACE --at T --out FRAME.png [options]\n"
    "       faultline render SCENARIO|TRACE --frames DIR --fps N [options]\n"
    "\n"
    "Draws what the viewer shows, without a display. With --at and --out, one\n"
    "frame; with --frames, DIR/frame-000001.png, ... with simulated time running\n"
    "at --speed (default 1/20: one simulated second is 20 s of video). A\n"
    "scenario is run to its end first, so the timeline shows the whole run.\n"
    "\n"
    "options:\n"
    "  --at T            the moment to draw (\"2.5s\", \"800ms\", \"end\")\n"
    "  --out FILE        the PNG to write\n"
    "  --frames DIR      write a numbered sequence into DIR (created if needed)\n"
    "  --fps N           frames per second of the sequence (1..240)\n"
    "  --from T, --to T  the span of the sequence (default: the whole run)\n"
    "  --speed X         simulated time per video time: 1/1000 .. 1000\n"
    "  --size WxH        frame size (default 1280x720)\n"
    "  --diagram         include the space-time diagram\n"
    "  --log             include the event log (\"What happened\")\n"
    "  --seed N          run the scenario with seed N\n"
    "  --duration D      simulate D instead of the scenario's duration\n"
    "  -q, --quiet       print nothing (else: the frame count first, then progress)\n"
    "  -h, --help        this text\n"
    "\n"
    "exit status: 0 written, 2 bad input (nothing is left half-written)\n";

static int bad(const char *msg, const char *v)
{
    if (v)
        fprintf(stderr, "faultline render: %s, got \"%s\"\n", msg, v);
    else
        fprintf(stderr, "faultline render: %s\n", msg);
    return CLI_BAD_INPUT;
}

int cli_render_main(int argc, char **argv)
{
    struct viz_render_opts o;
    memset(&o, 0, sizeof o);
    const char *path = NULL;
    char err[1024];
    bool have_at = false, at_end = false, to_end = false, quiet = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        bool missing;
        int c = viz_common_opt(argc, argv, &i, VIZ_OPT_ALL, &o.app, &o.w, &o.h, err, sizeof err);
        if (c < 0)
            return bad(err, NULL);
        if (c > 0)
            continue;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            return CLI_OK;
        } else if ((v = viz_opt(argc, argv, &i, "--at", &missing)) || missing) {
            if (missing || viz_parse_time(v, &o.at, &at_end))
                return bad("--at: expected a time such as \"2.5s\", \"800ms\" or \"end\"", v);
            have_at = true;
        } else if ((v = viz_opt(argc, argv, &i, "--out", &missing)) || missing) {
            if (missing || !*v)
                return bad("--out needs a file name", NULL);
            o.out = v;
        } else if ((v = viz_opt(argc, argv, &i, "--frames", &missing)) || missing) {
            if (missing || !*v)
                return bad("--frames needs a directory", NULL);
            o.frames_dir = v;
        } else if ((v = viz_opt(argc, argv, &i, "--fps", &missing)) || missing) {
            char *end;
            if (missing)
                return bad("--fps needs a number", NULL);
            o.fps = strtod(v, &end);
            if (end == v || *end || !(o.fps >= 1 && o.fps <= 240))
                return bad("--fps: expected frames per second from 1 to 240", v);
        } else if ((v = viz_opt(argc, argv, &i, "--from", &missing)) || missing) {
            if (missing || viz_parse_time(v, &o.from, NULL))
                return bad("--from: expected a time such as \"2s\"", v);
        } else if ((v = viz_opt(argc, argv, &i, "--to", &missing)) || missing) {
            if (missing || viz_parse_time(v, &o.to, &to_end))
                return bad("--to: expected a time such as \"8s\" or \"end\"", v);
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            quiet = true;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "faultline render: unknown option \"%s\" (see faultline render --help)\n", a);
            return CLI_BAD_INPUT;
        } else if (!path) {
            path = a;
        } else {
            fprintf(stderr, "faultline render: one file at a time (got \"%s\" and \"%s\")\n", path, a);
            return CLI_BAD_INPUT;
        }
    }
    if (!path)
        return bad("which scenario or trace? (see faultline render --help)", NULL);
    if (o.frames_dir) {
        if (o.out || have_at)
            return bad("--frames writes a sequence: give it --fps (and --from/--to), not --at/--out", NULL);
        if (o.fps <= 0)
            return bad("--frames needs --fps N", NULL);
    } else {
        if (!o.out)
            return bad("say where: --out FRAME.png (or --frames DIR --fps N for a sequence)", NULL);
        if (!have_at)
            return bad("say when: --at T, such as --at 2.5s", NULL);
        if (o.fps > 0 || o.from || o.to || to_end)
            return bad("--fps, --from and --to go with --frames", NULL);
        size_t n = strlen(o.out);
        if (n < 4 || strcmp(o.out + n - 4, ".png") != 0)
            return bad("--out: the frame is written as PNG: give a file name ending in .png", o.out);
    }
    o.at_end = at_end;
    if (to_end)
        o.to = 0;
    path = runner_resolve_scenario(path);
    int rc = viz_render(path, &o, quiet ? NULL : stdout, err, sizeof err);
    if (rc) {
        fprintf(stderr, "faultline: %s\n", err);
        return CLI_BAD_INPUT;
    }
    return CLI_OK;
}
