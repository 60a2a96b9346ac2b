/* palette.h - the viewer's colours: the Okabe-Ito colour-blind-safe set for
 * roles and message types, greys for crashed nodes, vermillion for what went
 * wrong, on a light background that survives a washed-out projector. */
#ifndef FAULTLINE_VIZ_PALETTE_H
#define FAULTLINE_VIZ_PALETTE_H

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

/* The fill colour of a node in `role` ("leader", "backup", ... or "down"). */
struct viz_rgba viz_role_color(const char *role);
/* True when the role counts as a leader (drawn with a double ring). */
int viz_role_is_leader(const char *role);
/* The colour of message type number `type` (types in order of first use). */
struct viz_rgba viz_type_color(int type);
/* Black or white, whichever reads better on `bg`. */
struct viz_rgba viz_ink_on(struct viz_rgba bg);
/* `c` with alpha `a`. */
struct viz_rgba viz_alpha(struct viz_rgba c, uint8_t a);
/* `c` mixed toward white (t > 0) or black (t < 0) by |t| in 0..1. */
struct viz_rgba viz_shade(struct viz_rgba c, float t);

#endif
