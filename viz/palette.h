/* palette.h - the viewer's colours, one meaning each: the Okabe-Ito
 * colour-blind-safe set for roles (and messages, by their sender's role),
 * neutral greys for logs, partitions and crashed nodes, vermillion for what
 * went wrong, on a light background that survives a washed-out projector. */
#ifndef FAULTLINE_VIZ_PALETTE_H
#define FAULTLINE_VIZ_PALETTE_H

#include <stdbool.h>
#include <stdint.h>

struct viz_rgba {
    uint8_t r, g, b, a;
};

#define VIZ_RGB(hex) ((struct viz_rgba){(uint8_t)((hex) >> 16), (uint8_t)((hex) >> 8), (uint8_t)(hex), 255})
#define VIZ_RGBA(hex, alpha) ((struct viz_rgba){(uint8_t)((hex) >> 16), (uint8_t)((hex) >> 8), (uint8_t)(hex), (uint8_t)(alpha)})

/* Okabe & Ito, "Color Universal Design" (2008). */
#define VIZ_ORANGE 0xE69F00
#define VIZ_SKY 0x56B4E9
#define VIZ_GREEN 0x009E73
#define VIZ_YELLOW 0xF0E442
#define VIZ_BLUE 0x0072B2
#define VIZ_VERMILLION 0xD55E00
#define VIZ_PURPLE 0xCC79A7

#define VIZ_BG 0xFAFAF7        /* window background */
#define VIZ_PANEL 0xEDEDE8     /* side panel, bars */
#define VIZ_INK 0x1A1A1A       /* text and outlines */
#define VIZ_INK_SOFT 0x5A5A5A  /* secondary text */
#define VIZ_RULE 0xC8C8C0      /* thin separators, idle links */
#define VIZ_DOWN 0x9E9E9E      /* a crashed node's fill */
#define VIZ_BAD VIZ_VERMILLION /* violations, drops, cut links */
#define VIZ_REFUSED 0xA8A8A0  /* client operations the system refused */
#define VIZ_NEUTRAL 0xFFFFFF   /* a node of no known role, a message from one */

/* The fill colour of a node in `role` ("leader", "backup", ... or "down"). */
struct viz_rgba viz_role_color(const char *role);
/* True when the role counts as a leader (drawn with a double ring). */
int viz_role_is_leader(const char *role);
/* True when c is one of the five role hues (orange, purple, sky, green,
 * yellow): only roles, and messages by their sender's role, may use them. */
bool viz_is_role_hue(struct viz_rgba c);
/* A message's colour: its sender's role when it sent (NULL: not known yet,
 * neutral). The message's type is written by its label, never coloured. */
struct viz_rgba viz_msg_color(const char *sender_role);
/* A log cell's fill: two neutral greys, `shade` flipping where the term
 * changes (the term is written in the cell). */
struct viz_rgba viz_log_color(int shade);
/* A partition group's tint (neutral greys alternating by group; -1: a
 * bridge node); groups are told apart by letters, not hues. */
struct viz_rgba viz_group_tint(int group);
/* Black or white, whichever reads better on `bg`. */
struct viz_rgba viz_ink_on(struct viz_rgba bg);
/* `c` with alpha `a`. */
struct viz_rgba viz_alpha(struct viz_rgba c, uint8_t a);
/* `c` mixed toward white (t > 0) or black (t < 0) by |t| in 0..1. */
struct viz_rgba viz_shade(struct viz_rgba c, float t);

#endif
