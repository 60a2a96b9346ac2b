/* viz.h - the viewer's entry points for the command line: an interactive
 * window (faultline view, run --view), offscreen frames as PNG (faultline
 * render), and the ShiViz log export (faultline export --shiviz). Every
 * input is a scenario (run live) or a trace (replayed). */
#ifndef FAULTLINE_VIZ_H
#define FAULTLINE_VIZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/sim.h"
#include "viz/app.h"

struct viz_view_opts {
    struct viz_app_opts app;
    int w, h;                /* window size; 0: 1280 x 720 */
    bool fullscreen;
    long quit_after;         /* > 0: close after this many frames (scripts, tests) */
    double frame_ms;         /* out: mean time to draw and present a frame */
    double present_ms;       /* out: of which presenting (waiting for vsync, copying) */
};

/* Opens a window on `path` and runs it until closed. Bad input is reported
 * before any window opens. Returns 0; SIM_EINVAL or SIM_EIO with `err`
 * (bad input, no display); SIM_ENOMEM. */
int viz_view(const char *path, struct viz_view_opts *o, char *err, size_t errcap);

struct viz_render_opts {
    struct viz_app_opts app;
    int w, h;                /* frame size; 0: 1280 x 720 */
    sim_time at;             /* one frame: this moment */
    bool at_end;             /* one frame: the run's last moment (at is ignored) */
    const char *out;         /* one frame: the PNG to write */
    const char *frames_dir;  /* a sequence: DIR/frame-000001.png ... */
    double fps;              /* a sequence: frames per second of video */
    sim_time from, to;       /* a sequence: the span (to <= 0: the end) */
};

/* Renders offscreen (no display needed): one frame at `at` into `out`, or a
 * numbered sequence into `frames_dir` at `fps` frames per second with
 * simulated time running at the app's speed. Every file is written
 * atomically; on failure the frames of this call are removed again.
 * Returns 0 or a negative SIM_E code with `err`; `progress` (may be NULL)
 * gets one line per file written. */
int viz_render(const char *path, const struct viz_render_opts *o, FILE *progress, char *err,
               size_t errcap);

struct viz_shiviz_opts {
    struct viz_app_opts app; /* seed and duration for a scenario */
    bool timers;             /* include timer firings as events */
    const char *out;         /* file to write (atomically); NULL: stdout */
};

/* Writes the run as a ShiViz log (https://bestchai.bitbucket.io/shiviz/):
 * first line the parsing regular expression, second line an empty
 * multi-execution delimiter, then one event per line with its host, vector
 * clock and time. Returns 0 or a negative SIM_E code with `err`. */
int viz_export_shiviz(const char *path, const struct viz_shiviz_opts *o, char *err, size_t errcap);

/* Parses "1280x720" into *w, *h (each 64..8192). Returns 0 or SIM_EINVAL. */
int viz_parse_size(const char *s, int *w, int *h);

#endif
