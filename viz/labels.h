/* labels.h - where a frame's words may go: every label placed in the node
 * view and the space-time diagram is a rectangle recorded here for the frame.
 * A label that would overlap one already placed (or an obstacle: a node's
 * disc) or leave its region is refused, and the caller moves, aggregates or
 * drops it: labels never stack and are never cut. Tests read the record. */
#ifndef FAULTLINE_VIZ_LABELS_H
#define FAULTLINE_VIZ_LABELS_H

#include <stdbool.h>

#include "viz/layout.h"

#define VIZ_LABELS_MAX 768
#define VIZ_OBSTACLES_MAX 256

struct viz_labels {
    struct viz_rect window;                   /* nothing may leave it */
    struct viz_rect rect[VIZ_LABELS_MAX];     /* placed labels, in order */
    char text[VIZ_LABELS_MAX][160];           /* their words (a line's worth), for tests */
    int n;
    struct viz_rect obstacle[VIZ_OBSTACLES_MAX]; /* not labels, but not to be covered */
    int nobstacles;
    int refused;                              /* placements refused this frame */
    struct viz_rect tip;                      /* the tooltip drawn, if any */
    bool has_tip;
};

/* Starts a frame in a w x h window: no labels, no obstacles. */
void viz_labels_reset(struct viz_labels *l, float w, float h);
/* True when rectangles a and b share any area. */
bool viz_rect_overlaps(const struct viz_rect *a, const struct viz_rect *b);
/* True when r lies wholly inside `within`. */
bool viz_rect_inside(const struct viz_rect *r, const struct viz_rect *within);
/* Records an area labels must not cover (a node's disc). Ignored when full. */
void viz_labels_obstacle(struct viz_labels *l, struct viz_rect r);
/* True when r could be placed: inside `within` (and the window), over no
 * placed label and no obstacle. */
bool viz_labels_fits(const struct viz_labels *l, const struct viz_rect *r,
                     const struct viz_rect *within);
/* Places r (text: what it says, copied in part) when it fits as above.
 * Returns true when placed; false (counted in `refused`) when not: the
 * caller must then not draw it there. */
bool viz_labels_place(struct viz_labels *l, struct viz_rect r, const struct viz_rect *within,
                      const char *text);
/* Moves a tooltip's box *r (of its own size) inside `within` and records it. */
void viz_labels_tip(struct viz_labels *l, struct viz_rect *r, const struct viz_rect *within);

#endif
