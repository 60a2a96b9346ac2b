/* help.c - the F1 / ? overlay: every key and mouse gesture the viewer
 * understands, and what the colours mean, in large type over a dimmed frame. */
#include <math.h>
#include <stdio.h>

#include "viz/draw.h"

static const char *const keys[][2] = {
    {"Space", "pause / resume"},
    {"\u2192  /  \u2190", "step one event forward / back (pauses)"},
    {"+  /  \u2212", "faster / slower (1/1000x to 1000x of simulated time)"},
    {"Home  /  End", "jump to the start / the end"},
    {"drag the timeline", "seek to any moment (exact: deterministic replay)"},
    {"click a node", "crash it, or recover it if it is down (shift: lose unsynced writes)"},
    {"drag across the view", "partition: nodes on each side of the line are cut apart"},
    {"H", "heal every partition and cut link"},
    {"click a message", "drop it in flight"},
    {"S", "save this session as a scenario that replays exactly"},
    {"L", "space-time diagram on / off   ( [ and ] zoom it )"},
    {"F  /  F11", "full screen"},
    {"F1  /  ?", "this help"},
    {"F2", "frame rate (check a projector machine)"},
    {"Esc", "close the help, leave full screen, or quit"},
    {"Q", "quit (clicked faults not yet saved are saved first)"},
    {"colours", "a node's role; a dot: its sender's role; vermillion: gone wrong"},
};

void viz_draw_help(struct viz_draw *d)
{
    const struct viz_layout *L = d->L;
    float s = d->s;
    int n = (int)(sizeof keys / sizeof keys[0]);
    int lh = viz_text_height(d->tx, VIZ_FONT_BODY);
    float row = (float)lh * 1.35f;
    float w = fminf(880 * s, (float)L->w - 40 * s);
    float h = row * (float)n + 110 * s;
    if (h > (float)L->h - 20 * s)
        h = (float)L->h - 20 * s;
    float x = ((float)L->w - w) / 2, y = ((float)L->h - h) / 2;
    viz_gfx_rect(d->g, 0, 0, (float)L->w, (float)L->h, VIZ_RGBA(0x000000, 110));
    viz_gfx_round_rect(d->g, x, y, w, h, 12 * s, VIZ_RGB(0xFFFFFF));
    viz_gfx_round_rect(d->g, x, y, w, 6 * s, 3 * s, VIZ_RGB(VIZ_BLUE));
    viz_gfx_flush(d->g);
    viz_text_draw(d->tx, VIZ_FONT_LARGE, "Controls", x + 28 * s, y + 22 * s, VIZ_RGB(VIZ_INK), VIZ_LEFT);
    const char *mode = d->ui->live
                           ? "live engine: faults you click in are recorded"
                           : "replaying a trace: open the scenario to click faults in";
    viz_text_draw(d->tx, VIZ_FONT_SMALL, mode, x + w - 28 * s, y + 30 * s, VIZ_RGB(VIZ_INK_SOFT),
                  VIZ_RIGHT);
    float ky = y + 70 * s;
    float col = x + 28 * s + 250 * s;
    for (int i = 0; i < n && ky + row < y + h; i++) {
        viz_text_draw(d->tx, VIZ_FONT_BOLD, keys[i][0], x + 28 * s, ky, VIZ_RGB(VIZ_BLUE), VIZ_LEFT);
        char fit[256];
        viz_text_draw(d->tx, VIZ_FONT_BODY,
                      viz_text_fit(d->tx, VIZ_FONT_BODY, keys[i][1], (int)(x + w - 24 * s - col), fit, sizeof fit),
                      col, ky, VIZ_RGB(VIZ_INK), VIZ_LEFT);
        ky += row;
    }
}
