/* app.h - the viewer as one object, independent of any window: what it
 * shows (a trace replayed, or a scenario running live), where the cursor
 * is, how fast time runs, and what the controls do. The window loop
 * (window.c), the offscreen renderer (render.c) and the tests all drive
 * the same object, the tests with synthetic SDL events. */
#ifndef FAULTLINE_VIZ_APP_H
#define FAULTLINE_VIZ_APP_H

#include <SDL.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "viz/draw.h"
#include "viz/live.h"
#include "viz/tape.h"

struct viz_app_opts {
    bool seed_set;           /* scenario: run with this seed */
    uint64_t seed;
    sim_time duration;       /* scenario: > 0 instead of its duration */
    double speed;            /* start speed; 0: 1/20x */
    sim_time start_at;       /* start here (clamped to the run) */
    bool diagram;            /* start with the space-time diagram */
    bool paused;             /* start paused */
    bool run_ahead;          /* scenario: run it to the end first and show it as a
                                replay (render, export: no clicking in) */
    const char *save_dir;    /* S writes sessions here (NULL: current directory) */
    bool narrate;            /* narrated: stop at each caption (`faultline view` sets it for
                                a lesson, a run with captions, unless no_narrate) */
    bool no_narrate;         /* --no-narrate: the viewer does not set narrate */
    bool log;                /* start with the event log ("What happened") */
};

struct viz_app {
    struct viz_tape tape;
    struct viz_cursor cur;
    struct viz_live live;
    bool is_live;            /* a live engine (else a replayed trace) */
    bool has_live;           /* live is open (also when run ahead) */
    struct viz_ui ui;
    struct viz_layout L;
    struct viz_text *tx;     /* fonts, once attached to a renderer */
    struct viz_gfx g;
    struct viz_nodeinfo *info;
    struct viz_labels *labels; /* the last frame's placed labels (owned; NULL before one) */
    SDL_Renderer *r;         /* borrowed */
    int w, h;
    double frac_us;          /* play time not yet applied (below 1us) */
    double toast_left;       /* seconds the notice stays up */
    bool quit;
    bool want_fullscreen;    /* toggled by F / F11; the window obeys */
    bool window_zoomed;      /* the diagram span was set by hand */
    /* the gesture in progress */
    bool pressed, press_timeline;
    float press_x, press_y;
    int press_node;
    int32_t press_msg;
    bool press_shift;
    char save_dir[512];
    char last_saved[768];    /* path of the last session saved */
    bool unsaved;            /* faults clicked in since the last save */
    int32_t caption_shown;   /* the caption the strip last showed (its scroll resets) */
    int caption_pages;       /* pages of the caption the last frame showed */
    /* what caption_want and caption_pages were measured for (measured again on change) */
    int32_t measured_ev;
    float measured_w, measured_s;
    bool measured_stale;
};

/* Opens `path`, a trace or a scenario file (told apart by the trace header).
 * Returns 0; SIM_EIO (cannot read), SIM_EINVAL (bad content: err names the
 * file, line or JSON path and what was expected), SIM_ENOMEM. On error the
 * app holds nothing. */
int viz_app_open(struct viz_app *a, const char *path, const struct viz_app_opts *o, char *err,
                 size_t errcap);
/* Frees everything the app holds, the live engine included; call it before
 * destroying the renderer it was attached to (its textures go first). */
void viz_app_close(struct viz_app *a);

/* Draws with `r` (borrowed) at w x h: opens the fonts and lays out.
 * Returns 0, SIM_EIO (no font: err says what to install) or SIM_ENOMEM. */
int viz_app_attach(struct viz_app *a, SDL_Renderer *r, int w, int h, char *err, size_t errcap);
/* The output size changed. Returns 0 or a negative SIM_E code. */
int viz_app_resize(struct viz_app *a, int w, int h);

/* Works out what is under the mouse at (x, y): a node, a message or a
 * timeline marker (for tooltips and clicks). */
void viz_app_hover(struct viz_app *a, float x, float y);
/* Handles one input event (keys, mouse, wheel; see help.c for the list). */
void viz_app_event(struct viz_app *a, const SDL_Event *e);
/* Advances the clock by `seconds` of real time at the current speed (when
 * playing) and ages notices. Returns 0 or a negative SIM_E code (engine). */
int viz_app_tick(struct viz_app *a, double seconds);
/* Moves the cursor to time t (every event at or before it applied). */
int viz_app_seek(struct viz_app *a, sim_time t);
/* Steps one event forward (dir > 0) or back; pauses. */
int viz_app_step(struct viz_app *a, int dir);
/* Draws the current frame to the attached renderer (not presented). */
int viz_app_render(struct viz_app *a);
/* Shows a notice for a few seconds (bad: in vermillion). */
void viz_app_toast(struct viz_app *a, bool bad, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The run's end time (the trace header's duration). */
sim_time viz_app_end(const struct viz_app *a);
/* A draw context for hit tests and frames (no decoding done). */
void viz_app_draw_ctx(struct viz_app *a, struct viz_draw *d);

/* Actions, as the controls trigger them (also for tests and scripts). Each
 * returns 0 or a negative SIM_E code, and shows a notice saying what
 * happened. In replay mode the fault actions only explain why they cannot. */
int viz_app_toggle_node(struct viz_app *a, int node, bool lose_unsynced);
int viz_app_partition(struct viz_app *a, float x0, float y0, float x1, float y1);
int viz_app_heal(struct viz_app *a);
int viz_app_drop_message(struct viz_app *a, int32_t msg);
/* Saves the session (S); `path` NULL picks NAME-session-N.json. */
int viz_app_save(struct viz_app *a, const char *path);
/* Before the viewer closes: saves a session with faults clicked in since the
 * last save (as S does) so that quitting never loses them. Returns 1 and
 * the path in a->last_saved when it saved, 0 when there was nothing to
 * save, or a negative SIM_E code (the notice says why). */
int viz_app_autosave(struct viz_app *a);
/* Sets the speed (simulated seconds per real second), clamped to the ladder's ends. */
void viz_app_set_speed(struct viz_app *a, double speed);
/* One notch faster (dir > 0) or slower on the 1-2-5 ladder. */
void viz_app_speed_step(struct viz_app *a, int dir);

/* A space-time diagram span that shows this run's messages as slanted
 * lines: 25 typical flight times, within 50ms..10s. */
sim_time viz_app_auto_window(const struct viz_store *s);

/* narrate.c */
/* Narrated mode on or off (T); says so in a notice. */
void viz_app_set_narrate(struct viz_app *a, bool on);
/* Seeks to the next (dir > 0, N) or previous (P) caption's moment and
 * pauses there; a live run is run ahead until its next caption is known.
 * Returns 0 (also when there is none: a notice says so) or a SIM_E code. */
int viz_app_caption_seek(struct viz_app *a, int dir);
/* True when paused at a caption in narrated mode (Space then continues). */
bool viz_app_at_caption(const struct viz_app *a);
/* Playback went from t0 to t1: in narrated mode, stops (paused) at the
 * first caption after t0 up to t1. Returns 0 or a SIM_E code (seeking). */
int viz_app_narrate_stop(struct viz_app *a, sim_time t0, sim_time t1);

/* The speed ladder's ends. */
#define VIZ_SPEED_MIN 0.001
#define VIZ_SPEED_MAX 1000.0

#endif
