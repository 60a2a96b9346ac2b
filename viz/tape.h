/* tape.h - a trace as a seekable recording: the store, the model after its
 * last line (the head), and a checkpoint of the model every few thousand
 * lines, so that any moment is rebuilt exactly by copying the checkpoint at
 * or before it and applying the lines in between; and a cursor, the moment
 * being shown. */
#ifndef FAULTLINE_VIZ_TAPE_H
#define FAULTLINE_VIZ_TAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "viz/model.h"
#include "viz/store.h"

struct viz_tape {
    struct viz_store store;
    struct viz_model head;      /* model after every line (ready once the header is in) */
    bool head_ready;
    struct viz_model *cp;       /* cp[i]: the model after i * every lines */
    int32_t ncp, capcp;
    int32_t every;
};

/* Prepares an empty tape; `name` names the source in error messages. */
void viz_tape_init(struct viz_tape *t, const char *name);
/* Frees everything the tape owns (the struct is the caller's). */
void viz_tape_free(struct viz_tape *t);

/* Appends and indexes one trace line (the first must be the header).
 * Returns 0, SIM_EINVAL (err: "name:line: what was expected"; nothing is
 * added) or SIM_ENOMEM. */
int viz_tape_add(struct viz_tape *t, const char *line, size_t len, char *err, size_t errcap);
/* Reads a whole trace file. Returns 0; SIM_EIO when it cannot be read;
 * SIM_EINVAL for content that is not a faultline trace (err says which line
 * and why); SIM_ENOMEM. On error the tape is left empty. */
int viz_tape_load(struct viz_tape *t, const char *path, char *err, size_t errcap);
/* Forgets every line from `nev` on and rebuilds the head. Returns 0 or
 * SIM_ENOMEM. */
int viz_tape_truncate(struct viz_tape *t, int32_t nev);

/* The moment being shown: a model positioned on the tape. */
struct viz_cursor {
    struct viz_model m;
    bool ready;
};

/* Prepares a cursor at the start (nothing applied) of a tape whose header
 * is in. Returns 0 or SIM_ENOMEM. */
int viz_cursor_init(struct viz_cursor *c, const struct viz_tape *t);
/* Frees the cursor's model (the struct is the caller's). */
void viz_cursor_free(struct viz_cursor *c);
/* Moves to the state after the first k lines, shown at time t (raised to
 * the time of line k-1 if below it). Forward moves apply lines; backward
 * moves restart from a checkpoint. Returns 0 or SIM_ENOMEM. */
int viz_cursor_seek(struct viz_cursor *c, const struct viz_tape *t, int32_t k, sim_time time);
/* Moves to time `time`: every line at or before it applied. */
int viz_cursor_seek_time(struct viz_cursor *c, const struct viz_tape *t, sim_time time);

#endif
