/* draw.h - what one frame is drawn from, shared by the drawing modules
 * (draw_nodes.c, draw_net.c, draw_msgs.c, draw_panel.c, draw_timeline.c,
 * spacetime.c, help.c) and composed by frame.c. A frame is a pure function of
 * the tape, the cursor's model and the UI state: the same moment always
 * draws the same pixels, however it was reached. */
#ifndef FAULTLINE_VIZ_DRAW_H
#define FAULTLINE_VIZ_DRAW_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/scenario.h"
#include "viz/gfx.h"
#include "viz/labels.h"
#include "viz/layout.h"
#include "viz/model.h"
#include "viz/tape.h"
#include "viz/text.h"

/* A node's last described state, read from its "state" line: the text the
 * protocol's describe and role hooks produced, never the protocol's memory. */
struct viz_nodeinfo {
    char role[24];
    bool has_term, has_log;
    int64_t term;
    int64_t log_len, commit;
    int64_t tail[16];
    int tail_n;
};

/* What the controls decide and the frame shows. */
struct viz_ui {
    bool live;               /* a live engine: faults can be clicked in */
    bool paused;
    bool help;               /* the F1 overlay */
    bool diagram;            /* the space-time diagram panel */
    double speed;            /* simulated seconds per real second */
    sim_time diagram_window; /* time span the diagram shows */
    int hover_node;          /* -1: none */
    int32_t hover_msg;       /* message index, -1: none */
    int32_t hover_mark;      /* event index of a timeline marker, -1: none */
    float mouse_x, mouse_y;
    bool drag_partition;     /* a partition line being drawn */
    float drag_x0, drag_y0, drag_x1, drag_y1;
    int recorded;            /* faults clicked in this session */
    const struct scenario *sc;  /* live: the schedule still to come */
    const struct fault *session; /* live: faults clicked in (ahead of a rewound cursor) */
    int nsession;
    char toast[256];         /* a short notice, "" for none */
    bool toast_bad;
    bool show_fps;           /* F2: the frame rate, for checking a projector machine */
    double fps;              /* frames drawn per second, measured by the window */
    double frame_ms;         /* time to draw one frame, measured by the window */
    bool narrate;            /* narrated: playback stops at each caption (T) */
    bool log;                /* the event log "What happened" (E) */
    int caption_scroll;      /* the page of a caption taller than its strip (PgUp / PgDn) */
    sim_time diverge_at;     /* live: the first fault clicked in (the run branched there);
                                SIM_TIME_NEVER when none */
};

/* A network fault in force, decoded from its line for this frame. */
struct viz_netblock {
    uint8_t kind;            /* enum viz_block_kind */
    uint8_t up;              /* flapping link currently up */
    int32_t ev;
    int *group;              /* partition, isolate: group per node (-1: bridge) */
    int ngroups;
    uint8_t *from, *to;      /* cut: link ends; flap: the two ends in `from` */
    bool both;
};

struct viz_draw {
    struct viz_gfx *g;
    struct viz_text *tx;
    const struct viz_layout *L;
    const struct viz_tape *tape;
    const struct viz_model *m;
    const struct viz_ui *ui;
    struct viz_nodeinfo *info;   /* per node, filled by viz_frame_prepare */
    struct viz_netblock *blocks; /* the model's blocks, decoded */
    int nblocks;
    const int *shade;            /* per node: group of the newest partition, or NULL */
    int shade_groups;
    int leaders;                 /* nodes up in a leader role */
    float s;                     /* UI scale */
    struct viz_labels *labels;   /* this frame's placed labels, or NULL: no checks */
    const char *epoch;           /* what the protocol calls its term ("term", "ballot"...) */
};

/* draw_label.c */
/* The box text `text` in font f takes when drawn at (x, y) aligned by `align`. */
struct viz_rect viz_label_rect(struct viz_draw *d, enum viz_font f, const char *text, float x,
                               float y, int align);
/* Draws `text` at (x, y) when its box fits (inside `within`, NULL: the
 * window; over no other label or obstacle), recording it. Returns true when
 * drawn (or empty), false when refused: nothing was drawn. */
bool viz_label(struct viz_draw *d, enum viz_font f, const char *text, float x, float y,
               struct viz_rgba c, int align, const struct viz_rect *within);
/* Reserves box r (a chip, a log strip) as a label. Returns true when placed. */
bool viz_label_box(struct viz_draw *d, struct viz_rect r, const struct viz_rect *within,
                   const char *what);

/* frame.c */
/* Decodes what the frame needs (node states, network faults). Returns 0 or
 * SIM_ENOMEM; release with viz_frame_release. */
int viz_frame_prepare(struct viz_draw *d);
void viz_frame_release(struct viz_draw *d);
/* Draws the whole frame (after viz_frame_prepare) and flushes it. */
void viz_frame_draw(struct viz_draw *d);
/* Reads node `node`'s state line (state_ev, or -1 for none) into *out. */
void viz_nodeinfo_read(const struct viz_store *s, int32_t state_ev, struct viz_nodeinfo *out);
/* Copies the "text" of a state line into buf (empty when none). */
void viz_nodeinfo_text(const struct viz_store *s, int32_t state_ev, char *buf, size_t cap);
/* A one-line description of event i for people ("crash n1", "partition
 * {n1} | {n2 n3}", "caption: ..."). */
void viz_describe_event(const struct viz_store *s, int32_t i, char *buf, size_t cap);

/* draw_net.c */
void viz_draw_network(struct viz_draw *d);
/* The partition's words (group letters, "partition" at the hub), placed
 * after the node labels so these keep their places. */
void viz_draw_network_words(struct viz_draw *d);
/* True when the link from a to b is cut at this moment. */
bool viz_net_blocked(const struct viz_draw *d, int a, int b);
/* Text of the network faults in force, one per line into buf. */
void viz_net_describe(const struct viz_draw *d, char *buf, size_t cap);
/* Decodes the model's blocks into d->blocks (frame.c calls it). */
int viz_net_decode(struct viz_draw *d);
void viz_net_release(struct viz_draw *d);

/* draw_nodes.c */
void viz_draw_nodes(struct viz_draw *d);
void viz_draw_node_labels(struct viz_draw *d);

/* draw_msgs.c */
void viz_draw_messages(struct viz_draw *d);
void viz_draw_message_labels(struct viz_draw *d);
/* Screen position of message index mi now; false when it is not shown.
 * *fall is 0 in flight, in (0, 1) while falling away. */
bool viz_msg_screen(const struct viz_draw *d, int32_t mi, float *x, float *y, double *fall);
/* Records the dots in flight as obstacles, so later labels (partition
 * letters, other dots' names) do not sit on them. */
void viz_msg_obstacles(struct viz_draw *d);
/* A message's colour: its sender's role when it was sent. */
struct viz_rgba viz_draw_msg_color(const struct viz_store *st, const struct viz_msg *m);
/* The in-flight (not falling) message nearest (x, y) within reach, or -1. */
int32_t viz_msg_hit(const struct viz_draw *d, float x, float y);

/* draw_panel.c */
void viz_draw_title(struct viz_draw *d);
void viz_draw_panel(struct viz_draw *d);
void viz_draw_caption(struct viz_draw *d);
void viz_draw_toast(struct viz_draw *d);
/* F2: frames per second and time per frame, top right of the view. */
void viz_draw_fps(struct viz_draw *d);
/* "1/20x", "2x" ... for a speed. */
void viz_speed_text(double speed, char *buf, size_t cap);

/* The caption strip's height for what it shows now: every line whole
 * (the layout caps it; beyond the cap it pages). */
float viz_caption_height(struct viz_draw *d);
/* How many pages the caption strip has now (1 when it shows it whole). */
int viz_caption_pages(struct viz_draw *d);
/* True when the frame is paused at a caption in narrated mode (the
 * "NARRATED · Space to continue" cue). */
bool viz_narrated_hold(const struct viz_draw *d);

/* draw_log.c */
/* The event log ("What happened"): the latest notes, role changes, faults,
 * violations and captions up to now, newest at the bottom, wrapped. */
void viz_draw_log(struct viz_draw *d);

/* narrate.c */
/* The text of caption line ev into buf ("" when none). */
void viz_caption_text(const struct viz_store *s, int32_t ev, char *buf, size_t cap);
/* A caption's first words for its timeline mark: whole words, at most
 * max_words of them, ending with the first clause ("The leader crashes"). */
void viz_caption_short(const char *text, int max_words, char *buf, size_t cap);
/* True when caption line ev was anchored to a time at or after the run
 * branched (a fault clicked in): it comes from the original run and may no
 * longer hold. A caption that fired on an event ("on") is never stale. */
bool viz_caption_stale(const struct viz_store *s, const struct viz_ui *ui, int32_t ev);
/* Event i in plain words, for the event log and the step key: "n3 receives
 * AppendEntries from n1", "n2 becomes leader (term 3)", "crash n1"... */
void viz_event_words(const struct viz_store *s, int32_t i, const char *epoch, char *buf, size_t cap);

/* draw_timeline.c */
void viz_draw_timeline(struct viz_draw *d);
/* The time under x on the timeline bar (clamped to the run). */
sim_time viz_timeline_time_at(const struct viz_layout *L, sim_time duration, float x);
/* The timeline's tick spacing for a run of `duration` in this layout, and a
 * tick's label: every tick of one step in one unit ("0.5s 1.0s", "20ms"). */
sim_time viz_timeline_tick_step(const struct viz_layout *L, sim_time duration);
void viz_timeline_tick_label(sim_time t, sim_time step, char *buf, size_t cap);
/* A fault marker's colour by event kind (enum viz_ev_kind); never a role hue. */
struct viz_rgba viz_timeline_mark_color(uint8_t kind);
/* The event index of the timeline marker under (x, y), or -1. */
int32_t viz_timeline_mark_at(const struct viz_draw *d, float x, float y);

/* spacetime.c */
void viz_draw_spacetime(struct viz_draw *d);

/* help.c */
void viz_draw_help(struct viz_draw *d);

#endif
