/* scenario_write.h - a scenario in memory written back as a scenario file
 * (with cJSON), optionally with more faults merged in: the viewer saves a
 * classroom session this way, and scenario_load reads it back to the very
 * same run (same trace hash). */
#ifndef FAULTLINE_SCENARIO_WRITE_H
#define FAULTLINE_SCENARIO_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/scenario.h"

struct cJSON;

struct scenario_write_opts {
    const struct fault *extra;  /* faults to merge in, by time; at equal times
                                   they follow the scenario's own faults */
    int extra_count;
    bool seed_set;              /* write `seed` instead of the scenario's */
    uint64_t seed;
    sim_time duration;          /* > 0: write this duration instead; faults
                                   after it are left out (they never fire) */
    bool drop_expect;           /* leave the "expect" block out */
};

/* A duration string that loads back to exactly `t` ("2s", "350ms",
 * "2000123us", "0"), into buf. */
void scenario_exact_duration(sim_time t, char *buf, size_t cap);

/* Builds the scenario as a cJSON object, every setting explicit (defaults
 * spelled out) so that the file means the same thing to any later loader.
 * `o` may be NULL. Returns a new object (free it with cJSON_Delete), or NULL
 * with `err` set (a fault kind it cannot write, or out of memory). */
struct cJSON *scenario_to_json(const struct scenario *sc, const struct scenario_write_opts *o,
                               char *err, size_t errcap);

/* The same as scenario file text: two-space indented, one fault, caption or
 * link per line, ending in a newline. Returns a malloc'd string the caller
 * frees, or NULL with `err` set. */
char *scenario_to_text(const struct scenario *sc, const struct scenario_write_opts *o,
                       char *err, size_t errcap);

/* Writes the scenario file to `path` atomically (a temporary file in the
 * same directory, synced, then renamed over `path`). Returns 0; SIM_EIO when
 * the file cannot be written (nothing is left behind, `err` names the path
 * and the reason); SIM_EINVAL or SIM_ENOMEM as scenario_to_json. */
int scenario_write_file(const char *path, const struct scenario *sc,
                        const struct scenario_write_opts *o, char *err, size_t errcap);

/* A new scenario equal to `sc` with the options applied (extra faults merged,
 * seed or duration replaced), made by writing and loading it back, so it is
 * exactly what the saved file would load as. Returns 0 and *out (free with
 * scenario_free), or a negative SIM_E code with `err` set. The new
 * scenario's file name is `sc`'s. */
int scenario_with_faults(const struct scenario *sc, const struct scenario_write_opts *o,
                         struct scenario **out, char *err, size_t errcap);

#endif
