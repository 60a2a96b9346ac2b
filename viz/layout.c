/* layout.c - screen regions scaled to the window (designed at 1280x720 and
 * scaled up for a projector's 1920x1080), nodes evenly on a circle with
 * room left around it for their labels. */
#include "viz/layout.h"

#include <math.h>
#include <stdlib.h>

#include "sim/sim.h"

#define PI_F 3.14159265358979f

bool viz_rect_has(const struct viz_rect *r, float x, float y)
{
    return x >= r->x && x < r->x + r->w && y >= r->y && y < r->y + r->h;
}

float viz_layout_angle(const struct viz_layout *L, int i)
{
    return -PI_F / 2 + 2 * PI_F * (float)i / (float)(L->nnodes > 0 ? L->nnodes : 1);
}

static float scale_of(int w, int h)
{
    float s = fminf((float)w / 1280.0f, (float)h / 720.0f);
    return s < 0.5f ? 0.5f : s;
}

float viz_layout_caption_max(int w, int h)
{
    float s = scale_of(w, h);
    /* at most 40% of what lies between the title and the timeline */
    return floorf(((float)h - 44 * s - 92 * s) * 0.4f);
}

int viz_layout_compute(struct viz_layout *L, int w, int h, int nnodes, bool diagram)
{
    if (L->nnodes != nnodes || !L->nx) {
        free(L->nx);
        free(L->ny);
        L->nx = calloc((size_t)(nnodes > 0 ? nnodes : 1), sizeof *L->nx);
        L->ny = calloc((size_t)(nnodes > 0 ? nnodes : 1), sizeof *L->ny);
        if (!L->nx || !L->ny) {
            free(L->nx);
            free(L->ny);
            L->nx = L->ny = NULL;
            return SIM_ENOMEM;
        }
    }
    L->w = w;
    L->h = h;
    L->nnodes = nnodes;
    L->diagram_on = diagram;
    float s = scale_of(w, h);
    L->s = s;
    float title_h = floorf(44 * s), timeline_h = floorf((L->caption_marks ? 92 : 74) * s);
    float caption_h = floorf(78 * s), cmax = viz_layout_caption_max(w, h);
    if (L->caption_want > caption_h)
        caption_h = floorf(fminf(L->caption_want, cmax));
    float panel_w = floorf(340 * s);
    if (panel_w > (float)w * 0.4f)
        panel_w = floorf((float)w * 0.4f);
    L->title = (struct viz_rect){0, 0, (float)w, title_h};
    L->timeline = (struct viz_rect){0, (float)h - timeline_h, (float)w, timeline_h};
    L->panel = (struct viz_rect){(float)w - panel_w, title_h, panel_w,
                                 (float)h - title_h - timeline_h};
    L->caption = (struct viz_rect){0, (float)h - timeline_h - caption_h, (float)w - panel_w,
                                   caption_h};
    L->main = (struct viz_rect){0, title_h, (float)w - panel_w,
                                (float)h - title_h - timeline_h - caption_h};
    L->view = L->main;
    L->diagram = (struct viz_rect){0, 0, 0, 0};
    L->log = (struct viz_rect){0, 0, 0, 0};
    if (L->log_on) { /* the event log takes the right of the main area */
        float lw = floorf(fminf(320 * s, L->main.w * 0.38f));
        L->view.w -= lw;
        L->log = (struct viz_rect){L->main.x + L->main.w - lw, L->main.y, lw, L->main.h};
    }
    if (diagram) {
        float vw = floorf(L->view.w * 0.46f);
        L->diagram = (struct viz_rect){L->view.x + vw, L->view.y, L->view.w - vw, L->view.h};
        L->view.w = vw;
    }
    L->cx = L->view.x + L->view.w / 2;
    L->cy = L->view.y + L->view.h / 2;
    /* Room around the circle: wide for the per-node text blocks when there
     * are few nodes, narrow otherwise. */
    float half_w = L->view.w / 2, half_h = L->view.h / 2;
    /* A node's text block (role, describe text, log strip) goes outward:
     * beside the node for the left and right ones, and - with six nodes or
     * fewer - for the top and bottom ones too; with more, above and below
     * them, which takes height. */
    float node_r = 36 * s;
    float block_w = VIZ_BLOCK_W * s, block_h = VIZ_BLOCK_H * s;
    float vmargin = nnodes <= 6 ? fmaxf(node_r + 14 * s, block_h / 2 + 10 * s)
                                : node_r + block_h + 16 * s;
    float r_detail = fminf(half_w - node_r - block_w - 20 * s, half_h - vmargin);
    /* without details: room for a leader's double ring and a label outside */
    float r_plain = fminf(half_w, half_h) - 52 * s;
    L->details = nnodes <= 12 && r_detail >= 70 * s;
    L->ring_r = L->details ? r_detail : r_plain;
    if (L->ring_r < 20 * s)
        L->ring_r = 20 * s;
    float spacing = nnodes > 1 ? L->ring_r * sinf(PI_F / (float)nnodes) : L->ring_r;
    L->node_r = fminf(L->details ? node_r : 30 * s, spacing * (L->details ? 0.8f : 0.75f));
    if (L->node_r < 3 * s)
        L->node_r = 3 * s;
    for (int i = 0; i < nnodes; i++) {
        if (nnodes == 1) {
            L->nx[i] = L->cx;
            L->ny[i] = L->cy;
            continue;
        }
        float a = viz_layout_angle(L, i);
        L->nx[i] = L->cx + L->ring_r * cosf(a);
        L->ny[i] = L->cy + L->ring_r * sinf(a);
    }
    return SIM_OK;
}

void viz_layout_free(struct viz_layout *L)
{
    free(L->nx);
    free(L->ny);
    L->nx = L->ny = NULL;
    L->nnodes = 0;
}

int viz_layout_node_at(const struct viz_layout *L, float x, float y)
{
    float slack = 4 * L->s;
    int best = -1;
    float best_d = 0;
    for (int i = 0; i < L->nnodes; i++) {
        float dx = x - L->nx[i], dy = y - L->ny[i];
        float d = dx * dx + dy * dy;
        float r = L->node_r + slack;
        if (d <= r * r && (best < 0 || d < best_d)) {
            best = i;
            best_d = d;
        }
    }
    return best;
}
