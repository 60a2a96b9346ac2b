/* args.h - command-line options shared by `faultline view`, `render` and
 * `export`: seed, duration, speed, size, start time, diagram. Each parser
 * prints nothing: it fills an error message the command prints. */
#ifndef FAULTLINE_VIZ_ARGS_H
#define FAULTLINE_VIZ_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/sim.h"
#include "viz/app.h"

/* Parses a speed: "0.05", "1/20", "20x", "1/20x". Returns 0 or SIM_EINVAL. */
int viz_parse_speed(const char *s, double *out);
/* Parses a moment: a duration such as "2.5s" or "800ms", or "end" (then
 * *is_end is set). Returns 0 or SIM_EINVAL. */
int viz_parse_time(const char *s, sim_time *out, bool *is_end);

/* Takes the value of "--name VALUE" or "--name=VALUE" at argv[*i]: returns
 * it (advancing *i past a separate value), or NULL when argv[*i] is not that
 * option; sets *missing when the option is there without a value. */
const char *viz_opt(int argc, char **argv, int *i, const char *name, bool *missing);

/* Which common options a command takes. */
enum {
    VIZ_OPT_SEED = 1, VIZ_OPT_DURATION = 2, VIZ_OPT_SPEED = 4, VIZ_OPT_SIZE = 8,
    VIZ_OPT_DIAGRAM = 16, VIZ_OPT_LOG = 32, VIZ_OPT_NARRATE = 64, VIZ_OPT_ALL = 127,
};

/* Consumes one option common to the viewer commands at argv[*i], among those
 * in `allowed`, into `o` (--seed, --duration, --speed, --diagram, --log,
 * --no-narrate) and *w, *h
 * (--size). Returns 1 when consumed, 0 when argv[*i] is not one of them, -1
 * with `err` when its value is bad. */
int viz_common_opt(int argc, char **argv, int *i, int allowed, struct viz_app_opts *o, int *w,
                   int *h, char *err, size_t errcap);

#endif
