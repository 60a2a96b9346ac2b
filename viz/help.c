/* help.c - the F1 / ? overlay: every key and mouse gesture the viewer
 * understands, and what the colours mean, in large type over a dimmed frame. */
#include <math.h>
#include <stdio.h>

#include "viz/draw.h"

static const char *const keys[][2] = {
    {"Space  /  Enter", "pause / resume; narrated: continue from a caption (its next page first)"},
    {"N  /  P", "next / previous caption (seeks there, paused)"},
    {"T", "narrated mode on / off: playback stops at each caption"},
    {"E", "event log \u201cWhat happened\u201d on / off"},
    {"PgUp  /  PgDn", "page a caption longer than its strip"},
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

/* Breaks row i's description at width w into lines; returns how many. */
static int row_lines(struct viz_draw *d, enum viz_font f, int i, int w, char lines[][160])
{
    int n = viz_text_break(d->tx, f, keys[i][1], w, lines, 4, NULL);
    return n < 1 ? 1 : n;
}

void viz_draw_help(struct viz_draw *d)
{
    const struct viz_layout *L = d->L;
    float s = d->s;
    int n = (int)(sizeof keys / sizeof keys[0]);
    float w = fminf(880 * s, (float)L->w - 40 * s);
    float x = ((float)L->w - w) / 2;
    float keyw = 250 * s, descw = w - 28 * s - keyw - 24 * s;
    /* every row whole: in the body font, or the small one when they would
     * not all fit the window */
    char lines[4][160];
    enum viz_font kf = VIZ_FONT_BOLD, f = VIZ_FONT_BODY;
    float h = 0, gap = 0;
    for (int pass = 0; pass < 2; pass++) {
        int lh = viz_text_height(d->tx, f);
        gap = (float)lh * 0.35f;
        h = 100 * s;
        for (int i = 0; i < n; i++)
            h += (float)(row_lines(d, f, i, (int)descw, lines) * lh) + gap;
        if (h <= (float)L->h - 20 * s || pass == 1)
            break;
        kf = VIZ_FONT_SMALL;
        f = VIZ_FONT_SMALL;
    }
    float y = ((float)L->h - h) / 2;
    if (y < 10 * s)
        y = 10 * s;
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
    float col = x + 28 * s + keyw;
    int lh = viz_text_height(d->tx, f);
    for (int i = 0; i < n; i++) {
        int k = row_lines(d, f, i, (int)descw, lines);
        if (ky + (float)(k * lh) > y + h)
            break;
        viz_text_draw(d->tx, kf, keys[i][0], x + 28 * s, ky, VIZ_RGB(VIZ_BLUE), VIZ_LEFT);
        for (int j = 0; j < k; j++)
            viz_text_draw(d->tx, f, lines[j], col, ky + (float)(j * lh), VIZ_RGB(VIZ_INK), VIZ_LEFT);
        ky += (float)(k * lh) + gap;
    }
}
