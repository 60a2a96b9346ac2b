/* layout.h - where everything goes on screen for a given window size: title
 * bar, the node circle, the optional space-time diagram, the stats panel,
 * the caption strip and the timeline; and each node's place on the circle. */
#ifndef FAULTLINE_VIZ_LAYOUT_H
#define FAULTLINE_VIZ_LAYOUT_H

#include <stdbool.h>

/* A node's text block, at scale 1 (pixels): width, height. */
#define VIZ_BLOCK_W 215.0f
#define VIZ_BLOCK_H 84.0f

struct viz_rect {
    float x, y, w, h;
};

struct viz_layout {
    int w, h;
    float s;                   /* UI scale: 1.0 at 1280x720 */
    struct viz_rect title, main, view, diagram, panel, caption, timeline, log;
    bool diagram_on;
    /* inputs kept between calls (set before viz_layout_compute): */
    float caption_want;        /* caption strip height the words need (0: the default) */
    bool log_on;               /* the event log ("What happened") beside the view */
    bool caption_marks;        /* the timeline has a row for caption labels */
    int nnodes;
    float cx, cy, ring_r;      /* the circle the nodes sit on */
    float node_r;              /* a node's radius */
    bool details;              /* room to write role, term, text and log beside each node */
    float *nx, *ny;            /* owned: node centres */
};

/* The tallest caption strip a w x h window gives (the rest pages). */
float viz_layout_caption_max(int w, int h);
/* Lays out a w x h window for `nnodes` nodes, with or without the diagram
 * (and with L->caption_want, L->log_on and L->caption_marks as set).
 * Returns 0 or SIM_ENOMEM. Call again after a resize (it reuses its arrays). */
int viz_layout_compute(struct viz_layout *L, int w, int h, int nnodes, bool diagram);
/* Frees the node arrays (the struct is the caller's). */
void viz_layout_free(struct viz_layout *L);
/* The node whose circle holds (x, y) (with a little slack), or -1. */
int viz_layout_node_at(const struct viz_layout *L, float x, float y);
/* Angle of node i on the circle (radians; n1 at the top, clockwise). */
float viz_layout_angle(const struct viz_layout *L, int i);
/* True when (x, y) lies inside r. */
bool viz_rect_has(const struct viz_rect *r, float x, float y);

#endif
