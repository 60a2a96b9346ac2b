/* live.h - a scenario running live under the viewer: the engine's trace
 * lines stream onto a tape as the display reaches them, clicks become
 * recorded faults (sim_inject), and a fault clicked in at an earlier moment
 * re-runs the engine deterministically to that moment and branches there.
 * The session (every fault clicked in) saves as a scenario that replays the
 * identical run. */
#ifndef FAULTLINE_VIZ_LIVE_H
#define FAULTLINE_VIZ_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/engine.h"
#include "sim/scenario.h"
#include "viz/tape.h"

struct viz_live_opts {
    bool seed_set;
    uint64_t seed;
    sim_time duration;   /* > 0: instead of the scenario's */
};

struct viz_live {
    struct scenario *orig;       /* owned: the scenario as loaded */
    struct scenario *branch;     /* owned: what the engine runs after a branch, or NULL */
    const struct sim_protocol *proto;
    struct viz_live_opts opts;
    struct sim *sim;             /* owned */
    struct viz_tape *tape;       /* borrowed: the engine's lines go here */
    struct fault *session;       /* owned deep copies, in time order */
    int nsession, capsession;
    int64_t lines;               /* lines the current engine emitted (header included) */
    int64_t branches;            /* re-runs done for faults injected in the past */
    bool diverged;               /* a re-run did not reproduce the recorded lines */
    int error;                   /* first error from the sink (SIM_ENOMEM, SIM_EINVAL) */
    char err[256];
};

/* Starts `sc` (ownership passes to the live run, even on error) on an empty
 * tape. The header line is on the tape when this returns. Returns 0;
 * SIM_EINVAL with `err` (unknown protocol, bad params); SIM_ENOMEM. */
int viz_live_open(struct viz_live *lv, struct scenario *sc, const struct viz_live_opts *o,
                  struct viz_tape *tape, char *err, size_t errcap);
/* Stops the engine and frees the session (the tape stays the caller's). */
void viz_live_close(struct viz_live *lv);

/* Runs the engine until every event at or before `t` is on the tape (or the
 * run is over). Returns 0 or a negative SIM_E code. */
int viz_live_cover(struct viz_live *lv, sim_time t);
/* Runs until the tape holds more than `nev` event lines, or the run ends.
 * Returns 0 or a negative SIM_E code. */
int viz_live_extend(struct viz_live *lv, int32_t nev);
/* True once the engine has run to the end. */
bool viz_live_done(const struct viz_live *lv);
/* Every event at or before this time is on the tape. */
sim_time viz_live_covered(const struct viz_live *lv);

/* Injects `f` (its pointers are copied) as seen from the moment time `t`:
 * when the engine is past `t`, it first re-runs from the scenario plus the
 * session's faults up to `t` (checking it reproduces the tape), forgets the
 * later part of the tape and of the session, and continues from there. The
 * fault takes effect at `t` itself when nothing else is due then, else at
 * the first free microsecond after it (sim_inject); *at receives that time.
 * Returns 0, or SIM_EINVAL with `err` (the run is over), or SIM_ENOMEM. */
int viz_live_inject(struct viz_live *lv, const struct fault *f, sim_time t, sim_time *at,
                    char *err, size_t errcap);

/* Writes the session as a scenario file (atomically): the scenario with the
 * session's faults merged in, the seed and duration actually used, and no
 * "expect" block (clicked-in faults change the outcome); saved to
 * "NAME-session-N.json" it is named "NAME-session-N" and titled "TITLE
 * (session N)". Returns 0 or a negative SIM_E code with `err`. */
int viz_live_save(const struct viz_live *lv, const char *path, char *err, size_t errcap);

/* Picks "NAME-session-N.json" in `dir` (NULL: the current directory) that
 * does not exist yet, into buf. Returns 0 or SIM_EIO when none is free. */
int viz_live_session_path(const struct viz_live *lv, const char *dir, char *buf, size_t cap);

#endif
