/* draw_panel.c - the words around the picture: the title bar, the live
 * stats panel (clock and speed, message rates, client outcomes, leaders,
 * invariant status in vermillion when broken, network faults in force,
 * legend, session), the caption strip with the lesson's narration, and
 * short notices. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "viz/draw.h"
#include "viz/jscan.h"

void viz_speed_text(double speed, char *buf, size_t cap)
{
    if (speed >= 1)
        snprintf(buf, cap, "%gx", speed);
    else
        snprintf(buf, cap, "1/%gx", 1.0 / speed);
}

void viz_draw_title(struct viz_draw *d)
{
    const struct viz_layout *L = d->L;
    const struct viz_header *h = &d->tape->store.hdr;
    float s = d->s;
    viz_gfx_rect(d->g, L->title.x, L->title.y, L->title.w, L->title.h, VIZ_RGB(VIZ_PANEL));
    viz_gfx_rect(d->g, L->title.x, L->title.y + L->title.h - 1 * s, L->title.w, 1 * s,
                 VIZ_RGB(VIZ_RULE));
    /* the mode chip on the right */
    const char *mode = d->ui->live ? "LIVE" : "REPLAY";
    struct viz_rgba mc = d->ui->live ? VIZ_RGB(VIZ_GREEN) : VIZ_RGB(VIZ_BLUE);
    int mw = viz_text_width(d->tx, VIZ_FONT_BOLD, mode);
    int hw = viz_text_width(d->tx, VIZ_FONT_SMALL, "F1 / ?  help");
    float my = L->title.y + L->title.h / 2;
    float chip_x = L->title.w - (float)hw - (float)mw - 44 * s;
    viz_gfx_round_rect(d->g, chip_x, my - 13 * s, (float)mw + 16 * s, 26 * s, 6 * s, mc);
    viz_gfx_flush(d->g);
    viz_text_draw(d->tx, VIZ_FONT_BOLD, mode, chip_x + 8 * s, my, VIZ_RGB(0xFFFFFF),
                  VIZ_LEFT | VIZ_MIDDLE);
    viz_text_draw(d->tx, VIZ_FONT_SMALL, "F1 / ?  help", L->title.w - 14 * s, my,
                  VIZ_RGB(VIZ_INK_SOFT), VIZ_RIGHT | VIZ_MIDDLE);
    char sub[256], fit[512];
    snprintf(sub, sizeof sub, "%s · %d node%s · seed %llu", h->protocol, h->nodes,
             h->nodes == 1 ? "" : "s", (unsigned long long)h->seed);
    int subw = viz_text_width(d->tx, VIZ_FONT_BODY, sub);
    int room = (int)(chip_x - 30 * s) - subw - (int)(16 * s);
    const char *title = h->title[0] ? h->title : h->scenario;
    int tw = viz_text_draw(d->tx, VIZ_FONT_LARGE,
                           viz_text_fit(d->tx, VIZ_FONT_LARGE, title, room > 40 ? room : 40, fit, sizeof fit),
                           14 * s, my, VIZ_RGB(VIZ_INK), VIZ_LEFT | VIZ_MIDDLE);
    viz_text_draw(d->tx, VIZ_FONT_BODY, sub, 14 * s + (float)tw + 16 * s, my, VIZ_RGB(VIZ_INK_SOFT),
                  VIZ_LEFT | VIZ_MIDDLE);
}

/* A section heading; returns the y below it. */
static float heading(struct viz_draw *d, const char *text, float x, float y, float w)
{
    float s = d->s;
    viz_gfx_rect(d->g, x, y, w, 1 * s, VIZ_RGB(VIZ_RULE));
    viz_gfx_flush(d->g);
    viz_text_draw(d->tx, VIZ_FONT_SMALL, text, x, y + 5 * s, VIZ_RGB(VIZ_INK_SOFT), VIZ_LEFT);
    return y + 5 * s + (float)viz_text_height(d->tx, VIZ_FONT_SMALL) + 2 * s;
}

static int count_in_flight(const struct viz_draw *d)
{
    int n = 0;
    const struct viz_store *st = &d->tape->store;
    for (int32_t k = 0; k < d->m->nlive; k++) {
        double p, f;
        if (viz_msg_at(st, &st->msg[d->m->live[k]], d->m->k, d->m->t, &p, &f) && f == 0)
            n++;
    }
    return n;
}

void viz_draw_panel(struct viz_draw *d)
{
    const struct viz_layout *L = d->L;
    const struct viz_model *m = d->m;
    const struct viz_store *st = &d->tape->store;
    const struct viz_counts *c = &m->c;
    float s = d->s;
    float x = L->panel.x + 16 * s, w = L->panel.w - 30 * s, y = L->panel.y + 10 * s;
    float bottom = L->panel.y + L->panel.h - 8 * s;
    int lh = viz_text_height(d->tx, VIZ_FONT_BODY);
    char buf[512], a[64], b[64];
    viz_gfx_rect(d->g, L->panel.x, L->panel.y, L->panel.w, L->panel.h, VIZ_RGB(VIZ_PANEL));
    viz_gfx_rect(d->g, L->panel.x, L->panel.y, 1 * s, L->panel.h, VIZ_RGB(VIZ_RULE));
    viz_gfx_flush(d->g);

    /* the clock */
    scenario_format_time(m->t, a, sizeof a);
    snprintf(buf, sizeof buf, "t = %s", a);
    viz_text_draw(d->tx, VIZ_FONT_HUGE, buf, x, y, VIZ_RGB(VIZ_INK), VIZ_LEFT);
    y += (float)viz_text_height(d->tx, VIZ_FONT_HUGE);
    scenario_format_duration(st->hdr.duration, a, sizeof a);
    viz_speed_text(d->ui->speed, b, sizeof b);
    bool at_end = m->ended || m->t >= st->hdr.duration;
    const char *state = at_end ? "END" : d->ui->paused ? "PAUSED" : "PLAYING";
    snprintf(buf, sizeof buf, "of %s  ·  speed %s  ·  ", a, b);
    int bw = viz_text_draw(d->tx, VIZ_FONT_BODY, buf, x, y, VIZ_RGB(VIZ_INK_SOFT), VIZ_LEFT);
    viz_text_draw(d->tx, VIZ_FONT_BOLD, state, x + (float)bw, y,
                  d->ui->paused || at_end ? VIZ_RGB(VIZ_BLUE) : VIZ_RGB(VIZ_GREEN), VIZ_LEFT);
    y += (float)lh + 10 * s;

    /* messages */
    y = heading(d, "MESSAGES", x, y, w);
    int32_t recent = viz_store_msgs_until(st, m->t) - viz_store_msgs_until(st, m->t - SIM_S);
    snprintf(buf, sizeof buf, "in flight %d  ·  %d/s", count_in_flight(d), (int)recent);
    viz_text_draw(d->tx, VIZ_FONT_BOLD, buf, x, y, VIZ_RGB(VIZ_INK), VIZ_LEFT);
    y += (float)lh;
    snprintf(buf, sizeof buf, "sent %llu  ·  delivered %llu", (unsigned long long)c->sent,
             (unsigned long long)c->delivered);
    viz_text_draw(d->tx, VIZ_FONT_BODY, buf, x, y, VIZ_RGB(VIZ_INK), VIZ_LEFT);
    y += (float)lh;
    if (c->dropped) {
        static const char *const why[] = {"", "partition", "loss", "down", "by hand", "other"};
        size_t used = (size_t)snprintf(buf, sizeof buf, "dropped %llu (", (unsigned long long)c->dropped);
        int any = 0;
        for (int r = 1; r <= VIZ_DROP_OTHER && used + 24 < sizeof buf; r++)
            if (c->dropped_by[r])
                used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s %llu", any++ ? ", " : "",
                                         why[r], (unsigned long long)c->dropped_by[r]);
        snprintf(buf + used, sizeof buf - used, ")");
        char fit[512];
        viz_text_draw(d->tx, VIZ_FONT_BODY, viz_text_fit(d->tx, VIZ_FONT_BODY, buf, (int)w, fit, sizeof fit),
                      x, y, VIZ_RGB(VIZ_BAD), VIZ_LEFT);
    } else
        viz_text_draw(d->tx, VIZ_FONT_BODY, "dropped 0", x, y, VIZ_RGB(VIZ_INK_SOFT), VIZ_LEFT);
    y += (float)lh;
    if (c->duplicated) {
        snprintf(buf, sizeof buf, "duplicated %llu", (unsigned long long)c->duplicated);
        viz_text_draw(d->tx, VIZ_FONT_BODY, buf, x, y, VIZ_RGB(VIZ_INK_SOFT), VIZ_LEFT);
        y += (float)lh;
    }
    y += 8 * s;

    /* client operations: the three outcomes */
    if (st->hdr.clients > 0 && y + 3 * lh < bottom) {
        y = heading(d, "CLIENT OPERATIONS", x, y, w);
        uint64_t done = c->ok + c->fail + c->info;
        float bx = x, bh = 8 * s;
        if (done) {
            float wok = w * (float)c->ok / (float)done, wf = w * (float)c->fail / (float)done;
            viz_gfx_rect(d->g, bx, y, wok, bh, VIZ_RGB(VIZ_GREEN));
            viz_gfx_rect(d->g, bx + wok, y, wf, bh, VIZ_RGB(VIZ_BAD));
            viz_gfx_rect(d->g, bx + wok + wf, y, w - wok - wf, bh, VIZ_RGB(VIZ_ORANGE));
        } else
            viz_gfx_rect(d->g, bx, y, w, bh, VIZ_RGB(VIZ_RULE));
        viz_gfx_flush(d->g);
        y += bh + 4 * s;
        float cx = x;
        snprintf(buf, sizeof buf, "ok %llu", (unsigned long long)c->ok);
        cx += (float)viz_text_draw(d->tx, VIZ_FONT_BOLD, buf, cx, y, VIZ_RGB(VIZ_GREEN), VIZ_LEFT) + 14 * s;
        snprintf(buf, sizeof buf, "fail %llu", (unsigned long long)c->fail);
        cx += (float)viz_text_draw(d->tx, VIZ_FONT_BOLD, buf, cx, y, VIZ_RGB(VIZ_BAD), VIZ_LEFT) + 14 * s;
        snprintf(buf, sizeof buf, "info %llu", (unsigned long long)c->info);
        viz_text_draw(d->tx, VIZ_FONT_BOLD, buf, cx, y, VIZ_RGB(0xA86F00), VIZ_LEFT);
        y += (float)lh;
        if (c->invoked) {
            snprintf(buf, sizeof buf, "invoked %llu  ·  available %.1f%%", (unsigned long long)c->invoked,
                     done ? 100.0 * (double)c->ok / (double)done : 100.0);
            viz_text_draw(d->tx, VIZ_FONT_BODY, buf, x, y, VIZ_RGB(VIZ_INK_SOFT), VIZ_LEFT);
            y += (float)lh;
        }
        y += 8 * s;
    }

    /* leaders */
    if (y + 2 * lh < bottom) {
        y = heading(d, "LEADERS", x, y, w);
        size_t used = 0;
        buf[0] = '\0';
        for (int i = 0; i < m->nnodes && used + 40 < sizeof buf; i++)
            if (m->nodes[i].up && viz_role_is_leader(d->info[i].role)) {
                if (d->info[i].has_term)
                    used += (size_t)snprintf(buf + used, sizeof buf - used, "%sn%d (term %lld)",
                                             used ? ", " : "", i + 1, (long long)d->info[i].term);
                else
                    used += (size_t)snprintf(buf + used, sizeof buf - used, "%sn%d", used ? ", " : "", i + 1);
            }
        if (d->leaders == 0)
            viz_text_draw(d->tx, VIZ_FONT_BODY, "none right now", x, y, VIZ_RGB(VIZ_INK_SOFT), VIZ_LEFT);
        else {
            struct viz_rgba col = d->leaders > 1 ? VIZ_RGB(VIZ_BAD) : VIZ_RGB(VIZ_INK);
            char fit[512];
            if (d->leaders > 1) {
                snprintf(a, sizeof a, "%d at once: ", d->leaders);
                int aw = viz_text_draw(d->tx, VIZ_FONT_BOLD, a, x, y, col, VIZ_LEFT);
                viz_text_draw(d->tx, VIZ_FONT_BODY, viz_text_fit(d->tx, VIZ_FONT_BODY, buf, (int)w - aw, fit, sizeof fit),
                              x + (float)aw, y, col, VIZ_LEFT);
            } else
                viz_text_draw(d->tx, VIZ_FONT_BOLD, viz_text_fit(d->tx, VIZ_FONT_BOLD, buf, (int)w, fit, sizeof fit),
                              x, y, col, VIZ_LEFT);
        }
        y += (float)lh + 8 * s;
    }

    /* invariants: vermillion once one broke, with what broke */
    if (y + 2 * lh < bottom) {
        y = heading(d, "INVARIANTS", x, y, w);
        if (c->violations == 0) {
            viz_text_draw(d->tx, VIZ_FONT_BOLD, "\u2713 all hold so far", x, y, VIZ_RGB(VIZ_GREEN), VIZ_LEFT);
            y += (float)lh;
        } else {
            float box_y = y;
            char what[400];
            viz_describe_event(st, m->violation_ev, what, sizeof what);
            const char *text = strncmp(what, "VIOLATION ", 10) == 0 ? what + 10 : what;
            snprintf(a, sizeof a, "\u2717 VIOLATED");
            if (c->violations > 1)
                snprintf(a, sizeof a, "\u2717 VIOLATED (%llu reports)", (unsigned long long)c->violations);
            int slh = viz_text_height(d->tx, VIZ_FONT_SMALL);
            int room = (int)((bottom - y - (float)lh - 40 * s) / (float)slh);
            if (room > 4)
                room = 4;
            int lines = room > 0 ? viz_text_wrap_lines(d->tx, VIZ_FONT_SMALL, text, (int)w, room) : 0;
            viz_gfx_round_rect(d->g, x - 6 * s, box_y - 3 * s, w + 12 * s,
                               (float)lh + (float)(lines * slh) + 8 * s, 5 * s, VIZ_RGB(VIZ_BAD));
            viz_gfx_flush(d->g);
            viz_text_draw(d->tx, VIZ_FONT_BOLD, a, x, y, VIZ_RGB(0xFFFFFF), VIZ_LEFT);
            y += (float)lh;
            if (lines > 0)
                y += (float)viz_text_wrap(d->tx, VIZ_FONT_SMALL, text, x, y, (int)w, lines,
                                          VIZ_RGB(0xFFFFFF), VIZ_LEFT);
            y += 6 * s;
        }
        y += 8 * s;
    }

    /* network faults in force */
    if (y + 2 * lh < bottom && (m->nblocks || m->loss > 0 || m->duplication > 0)) {
        y = heading(d, "NETWORK FAULTS", x, y, w);
        char net[1024];
        viz_net_describe(d, net, sizeof net);
        int lsh = viz_text_height(d->tx, VIZ_FONT_SMALL);
        size_t used = strlen(net);
        if (m->loss > 0)
            used += (size_t)snprintf(net + used, sizeof net - used, "%sloss %.0f%%", used ? "\n" : "", m->loss * 100);
        if (m->duplication > 0)
            snprintf(net + used, sizeof net - used, "%sduplication %.0f%%", used ? "\n" : "",
                     m->duplication * 100);
        int room = (int)((bottom - y) / (float)lsh) - 3;
        if (room > 3)
            room = 3;
        if (room > 0)
            y += (float)viz_text_wrap(d->tx, VIZ_FONT_SMALL, net, x, y, (int)w, room, VIZ_RGB(0x7A3E63), VIZ_LEFT);
        y += 8 * s;
    }

    /* legend: message types, in the order they first appeared */
    if (st->ntypes > 0 && y + 2 * lh < bottom) {
        y = heading(d, "MESSAGE TYPES", x, y, w);
        int lsh = viz_text_height(d->tx, VIZ_FONT_SMALL);
        float colw = w / 2;
        for (int t = 0; t < st->ntypes && t < 12; t++) {
            float cx = x + (float)(t % 2) * colw, cy = y + (float)(t / 2) * (float)lsh;
            if (cy + (float)lsh > bottom - (d->ui->live ? (float)lh * 2 : 0))
                break;
            viz_gfx_circle(d->g, cx + 6 * s, cy + (float)lsh / 2, 5.5f * s, viz_type_color(t));
            viz_gfx_ring(d->g, cx + 6 * s, cy + (float)lsh / 2, 5.5f * s, 1.2f * s, VIZ_RGB(VIZ_INK));
            viz_gfx_flush(d->g);
            char fit[64];
            viz_text_draw(d->tx, VIZ_FONT_SMALL,
                          viz_text_fit(d->tx, VIZ_FONT_SMALL, st->types[t], (int)(colw - 20 * s), fit, sizeof fit),
                          cx + 16 * s, cy, VIZ_RGB(VIZ_INK), VIZ_LEFT);
        }
    }

    /* the session: what has been clicked in */
    if (d->ui->live) {
        float sy = bottom - (float)lh * 1.1f;
        snprintf(buf, sizeof buf, "%d fault%s clicked in  ·  S saves", d->ui->recorded,
                 d->ui->recorded == 1 ? "" : "s");
        viz_gfx_rect(d->g, x, sy - 4 * s, w, 1 * s, VIZ_RGB(VIZ_RULE));
        viz_gfx_flush(d->g);
        viz_text_draw(d->tx, VIZ_FONT_BODY, buf, x, sy, VIZ_RGB(VIZ_INK_SOFT), VIZ_LEFT);
    }
}

void viz_draw_caption(struct viz_draw *d)
{
    const struct viz_layout *L = d->L;
    const struct viz_store *st = &d->tape->store;
    float s = d->s;
    const struct viz_rect *r = &L->caption;
    viz_gfx_rect(d->g, r->x, r->y, r->w, r->h, VIZ_RGB(0xFFFFFF));
    viz_gfx_rect(d->g, r->x, r->y, r->w, 1 * s, VIZ_RGB(VIZ_RULE));
    viz_gfx_rect(d->g, r->x + 14 * s, r->y + 12 * s, 5 * s, r->h - 24 * s, VIZ_RGB(VIZ_BLUE));
    viz_gfx_flush(d->g);
    float x = r->x + 30 * s, y = r->y + 10 * s;
    int maxw = (int)(r->w - 44 * s);
    int lines = (int)((r->h - 16 * s) / (float)viz_text_height(d->tx, VIZ_FONT_CAPTION));
    if (lines < 1)
        lines = 1;
    int32_t ce = d->m->caption_ev;
    if (ce >= 0) {
        struct viz_jval v;
        char text[1024] = "";
        if (viz_json_get(viz_store_line(st, ce), viz_store_len(st, ce), "text", &v))
            viz_json_str(&v, text, sizeof text);
        viz_text_wrap(d->tx, VIZ_FONT_CAPTION, text, x, y, maxw, lines, VIZ_RGB(VIZ_INK), VIZ_LEFT);
    } else {
        const char *lesson = st->hdr.lesson && st->hdr.lesson[0] ? st->hdr.lesson
                             : "(no narration: this scenario has no lesson text or captions)";
        int ls = (int)((r->h - 16 * s) / (float)viz_text_height(d->tx, VIZ_FONT_BODY));
        viz_text_wrap(d->tx, VIZ_FONT_BODY, lesson, x, y, maxw, ls < 1 ? 1 : ls, VIZ_RGB(VIZ_INK_SOFT), VIZ_LEFT);
    }
}

void viz_draw_fps(struct viz_draw *d)
{
    if (!d->ui->show_fps)
        return;
    const struct viz_rect *v = &d->L->view;
    float s = d->s;
    char t[96];
    if (d->ui->fps > 0)
        snprintf(t, sizeof t, "%.0f fps · %.1f ms to draw%s", d->ui->fps, d->ui->frame_ms,
                 d->ui->paused ? " · idle while paused" : "");
    else
        snprintf(t, sizeof t, "measuring the frame rate…");
    int w = viz_text_width(d->tx, VIZ_FONT_SMALL, t), h = viz_text_height(d->tx, VIZ_FONT_SMALL);
    float x = v->x + v->w - (float)w - 20 * s, y = v->y + 8 * s;
    viz_gfx_round_rect(d->g, x - 6 * s, y - 3 * s, (float)w + 12 * s, (float)h + 6 * s, 5 * s,
                       VIZ_RGBA(0x222222, 220));
    viz_gfx_flush(d->g);
    viz_text_draw(d->tx, VIZ_FONT_SMALL, t, x, y, VIZ_RGB(0xFFFFFF), VIZ_LEFT);
}

void viz_draw_toast(struct viz_draw *d)
{
    const char *t = d->ui->toast;
    if (!t[0])
        return;
    const struct viz_rect *v = &d->L->view;
    float s = d->s;
    char fit[512];
    viz_text_fit(d->tx, VIZ_FONT_BODY, t, (int)(v->w - 60 * s), fit, sizeof fit);
    int w = viz_text_width(d->tx, VIZ_FONT_BODY, fit), h = viz_text_height(d->tx, VIZ_FONT_BODY);
    float bw = (float)w + 28 * s, bh = (float)h + 16 * s;
    float x = v->x + (v->w - bw) / 2, y = v->y + v->h - bh - 12 * s;
    viz_gfx_round_rect(d->g, x, y, bw, bh, 8 * s,
                       d->ui->toast_bad ? VIZ_RGBA(VIZ_BAD, 240) : VIZ_RGBA(0x222222, 235));
    viz_gfx_flush(d->g);
    viz_text_draw(d->tx, VIZ_FONT_BODY, fit, x + 14 * s, y + 8 * s, VIZ_RGB(0xFFFFFF), VIZ_LEFT);
}
