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
    struct viz_rgba mc = d->ui->live ? VIZ_RGB(VIZ_INK) : VIZ_RGB(VIZ_BLUE);
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
    /* the title whole: without the subtitle, or smaller, before it is cut */
    const char *title = h->title[0] ? h->title : h->scenario;
    float room = chip_x - 30 * s - 14 * s, gap = 16 * s;
    float subw = (float)viz_text_width(d->tx, VIZ_FONT_BODY, sub);
    static const enum viz_font fonts[3] = {VIZ_FONT_LARGE, VIZ_FONT_LARGE, VIZ_FONT_BOLD};
    for (int k = 0; k < 3; k++) {
        bool with_sub = k == 0;
        float tw = (float)viz_text_width(d->tx, fonts[k], title);
        if (tw + (with_sub ? gap + subw : 0) > room)
            continue;
        viz_text_draw(d->tx, fonts[k], title, 14 * s, my, VIZ_RGB(VIZ_INK), VIZ_LEFT | VIZ_MIDDLE);
        if (with_sub)
            viz_text_draw(d->tx, VIZ_FONT_BODY, sub, 14 * s + tw + gap, my, VIZ_RGB(VIZ_INK_SOFT),
                          VIZ_LEFT | VIZ_MIDDLE);
        return;
    }
    viz_text_draw(d->tx, VIZ_FONT_BOLD, viz_text_fit(d->tx, VIZ_FONT_BOLD, title, (int)room, fit, sizeof fit),
                  14 * s, my, VIZ_RGB(VIZ_INK), VIZ_LEFT | VIZ_MIDDLE);
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

/* Draws pieces of text left to right from (x, y), "  ·  " between them, a
 * piece that would pass x + w going to the next line (never cut). Returns
 * the y below the last line. */
static float flow(struct viz_draw *d, const char *const *text, const struct viz_rgba *col, int n,
                  enum viz_font f, float x, float y, float w)
{
    int lh = viz_text_height(d->tx, f);
    float sep = (float)viz_text_width(d->tx, f, "  \u00b7  "), cx = x;
    for (int k = 0; k < n; k++) {
        float tw = (float)viz_text_width(d->tx, f, text[k]);
        if (cx > x && cx + sep + tw > x + w) {
            cx = x;
            y += (float)lh;
        } else if (cx > x) {
            viz_text_draw(d->tx, f, "  \u00b7  ", cx, y, VIZ_RGB(VIZ_INK_SOFT), VIZ_LEFT);
            cx += sep;
        }
        cx += (float)viz_text_draw(d->tx, f, text[k], cx, y, col[k], VIZ_LEFT);
    }
    return y + (float)lh;
}

/* Draws `text` broken into lines of at most w pixels (at spaces; never cut,
 * up to 12 lines). Returns the y below the last line. */
static float wrapped(struct viz_draw *d, enum viz_font f, const char *text, float x, float y,
                     float w, struct viz_rgba c)
{
    char lines[12][160];
    int n = viz_text_break(d->tx, f, text, (int)w, lines, 12, NULL);
    int lh = viz_text_height(d->tx, f);
    for (int i = 0; i < n; i++) /* recorded as labels: tests read the panel's words */
        viz_label(d, f, lines[i], x, y + (float)(i * lh), c, VIZ_LEFT, &d->L->panel);
    return y + (float)((n < 1 ? 1 : n) * lh);
}

/* Client operations in the three categories `faultline run` counts:
 * answered (ok, or a definite fail), refused (the system declined: no
 * quorum...) and timed out (unknown); availability = answered / done, "–"
 * for none done. Returns the y below. */
static float client_ops(struct viz_draw *d, float x, float y, float w)
{
    const struct viz_counts *c = &d->m->c;
    float s = d->s, bh = 8 * s;
    y = heading(d, "CLIENT OPERATIONS", x, y, w);
    uint64_t answered = c->ok + c->fail, done = answered + c->refused + c->info;
    if (done) {
        float wa = w * (float)answered / (float)done, wr = w * (float)c->refused / (float)done;
        viz_gfx_rect(d->g, x, y, wa, bh, VIZ_RGB(VIZ_INK));
        viz_gfx_rect(d->g, x + wa, y, wr, bh, VIZ_RGB(VIZ_REFUSED));
        viz_gfx_rect(d->g, x + wa + wr, y, w - wa - wr, bh, VIZ_RGB(VIZ_BAD));
    } else
        viz_gfx_rect(d->g, x, y, w, bh, VIZ_RGB(VIZ_RULE));
    viz_gfx_flush(d->g);
    y += bh + 4 * s;
    char t[3][48], pct[16], more[160];
    snprintf(t[0], sizeof t[0], "answered %llu", (unsigned long long)answered);
    snprintf(t[1], sizeof t[1], "refused %llu", (unsigned long long)c->refused);
    snprintf(t[2], sizeof t[2], "timed out %llu", (unsigned long long)c->info);
    struct viz_rgba col[3] = {VIZ_RGB(VIZ_INK), VIZ_RGB(VIZ_INK_SOFT),
                              c->info ? VIZ_RGB(VIZ_BAD) : VIZ_RGB(VIZ_INK_SOFT)};
    y = flow(d, (const char *const[]){t[0], t[1], t[2]}, col, 3, VIZ_FONT_BOLD, x, y, w);
    if (done)
        snprintf(pct, sizeof pct, "%.1f%%", 100.0 * (double)answered / (double)done);
    else
        snprintf(pct, sizeof pct, "\u2013");
    snprintf(t[0], sizeof t[0], "ok %llu", (unsigned long long)c->ok);
    snprintf(t[1], sizeof t[1], "fail %llu", (unsigned long long)c->fail);
    snprintf(more, sizeof more, "available %s of %llu done", pct, (unsigned long long)done);
    struct viz_rgba soft[3] = {VIZ_RGB(VIZ_INK_SOFT), VIZ_RGB(VIZ_INK_SOFT), VIZ_RGB(VIZ_INK_SOFT)};
    return flow(d, (const char *const[]){t[0], t[1], more}, soft, 3, VIZ_FONT_SMALL, x, y, w);
}


/* The colour key: the roles this run has (a node's fill, and a message's
 * dot by its sender's role), then what vermillion and grey mean. */
static void colour_key(struct viz_draw *d, float x, float y, float w, float bottom)
{
    const struct viz_store *st = &d->tape->store;
    float s = d->s, colw = w / 2;
    int lsh = viz_text_height(d->tx, VIZ_FONT_SMALL);
    y = heading(d, "COLOUR = ROLE (nodes; dots: sender)", x, y, w);
    const char *names[VIZ_MAX_ROLES + 2];
    struct viz_rgba cols[VIZ_MAX_ROLES + 2];
    int n = 0;
    for (int r = 0; r < st->nroles && n < VIZ_MAX_ROLES; r++, n++) {
        names[n] = st->roles[r];
        cols[n] = viz_role_color(st->roles[r]);
    }
    names[n] = "dropped / broken";
    cols[n++] = VIZ_RGB(VIZ_BAD);
    names[n] = "down";
    cols[n++] = VIZ_RGB(VIZ_DOWN);
    for (int t = 0; t < n; t++) {
        float cx = x + (float)(t % 2) * colw, cy = y + (float)(t / 2) * (float)lsh;
        if (cy + (float)lsh > bottom)
            break;
        viz_gfx_circle(d->g, cx + 6 * s, cy + (float)lsh / 2, 5.5f * s, cols[t]);
        viz_gfx_ring(d->g, cx + 6 * s, cy + (float)lsh / 2, 5.5f * s, 1.2f * s, VIZ_RGB(VIZ_INK));
        viz_gfx_flush(d->g);
        viz_text_draw(d->tx, VIZ_FONT_SMALL, names[t], cx + 16 * s, cy, VIZ_RGB(VIZ_INK), VIZ_LEFT);
    }
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
                  d->ui->paused || at_end ? VIZ_RGB(VIZ_BLUE) : VIZ_RGB(VIZ_INK), VIZ_LEFT);
    y += (float)lh + 10 * s;
    if (viz_narrated_hold(d)) { /* stopped at a caption: say how to go on */
        const char *cue = d->ui->caption_scroll + 1 < viz_caption_pages(d)
                              ? "NARRATED \u00b7 Space for more"
                              : "NARRATED \u00b7 Space to continue";
        int cw = viz_text_width(d->tx, VIZ_FONT_BOLD, cue), ch = viz_text_height(d->tx, VIZ_FONT_BOLD);
        viz_gfx_round_rect(d->g, x, y - 4 * s, (float)cw + 16 * s, (float)ch + 6 * s, 6 * s, VIZ_RGB(VIZ_BLUE));
        viz_gfx_flush(d->g);
        viz_label(d, VIZ_FONT_BOLD, cue, x + 8 * s, y - 1 * s, VIZ_RGB(0xFFFFFF), VIZ_LEFT, &d->L->panel);
        y += (float)ch + 12 * s;
    }

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
        y = wrapped(d, VIZ_FONT_BODY, buf, x, y, w, VIZ_RGB(VIZ_BAD));
    } else {
        viz_text_draw(d->tx, VIZ_FONT_BODY, "dropped 0", x, y, VIZ_RGB(VIZ_INK_SOFT), VIZ_LEFT);
        y += (float)lh;
    }
    if (c->duplicated) {
        snprintf(buf, sizeof buf, "duplicated %llu", (unsigned long long)c->duplicated);
        viz_text_draw(d->tx, VIZ_FONT_BODY, buf, x, y, VIZ_RGB(VIZ_INK_SOFT), VIZ_LEFT);
        y += (float)lh;
    }
    y += 8 * s;

    /* client operations: answered, refused, timed out (as `faultline run`) */
    if (st->hdr.clients > 0 && y + 3 * lh < bottom)
        y = client_ops(d, x, y, w) + 8 * s;

    /* leaders */
    if (y + 2 * lh < bottom) {
        y = heading(d, "LEADERS", x, y, w);
        size_t used = 0;
        buf[0] = '\0';
        for (int i = 0; i < m->nnodes && used + 40 < sizeof buf; i++)
            if (m->nodes[i].up && viz_role_is_leader(d->info[i].role)) {
                if (d->info[i].has_term)
                    used += (size_t)snprintf(buf + used, sizeof buf - used, "%sn%d (%s %lld)",
                                             used ? ", " : "", i + 1, d->epoch ? d->epoch : "term",
                                             (long long)d->info[i].term);
                else
                    used += (size_t)snprintf(buf + used, sizeof buf - used, "%sn%d", used ? ", " : "", i + 1);
            }
        if (d->leaders == 0) {
            viz_text_draw(d->tx, VIZ_FONT_BODY, "none right now", x, y, VIZ_RGB(VIZ_INK_SOFT), VIZ_LEFT);
            y += (float)lh;
        } else if (d->leaders > 1) {
            char all[560];
            snprintf(all, sizeof all, "%d at once: %s", d->leaders, buf);
            y = wrapped(d, VIZ_FONT_BOLD, all, x, y, w, VIZ_RGB(VIZ_BAD));
        } else
            y = wrapped(d, VIZ_FONT_BOLD, buf, x, y, w, VIZ_RGB(VIZ_INK));
        y += 8 * s;
    }

    /* invariants: vermillion once one broke, with what broke */
    if (y + 2 * lh < bottom) {
        y = heading(d, "INVARIANTS", x, y, w);
        if (c->violations == 0) {
            viz_text_draw(d->tx, VIZ_FONT_BOLD, "\u2713 all hold so far", x, y, VIZ_RGB(VIZ_INK), VIZ_LEFT);
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
            if (room > 6)
                room = 6;
            /* the violation's words whole; when they do not fit, where to read them */
            char vl[8][160];
            bool more = false;
            int lines = room > 0 ? viz_text_break(d->tx, VIZ_FONT_SMALL, text, (int)w, vl, room, &more) : 0;
            if (more)
                lines = viz_text_break(d->tx, VIZ_FONT_SMALL, "the whole text: hover its diamond on the timeline, or E (event log)",
                                       (int)w, vl, room, NULL);
            viz_gfx_round_rect(d->g, x - 6 * s, box_y - 3 * s, w + 12 * s,
                               (float)lh + (float)(lines * slh) + 8 * s, 5 * s, VIZ_RGB(VIZ_BAD));
            viz_gfx_flush(d->g);
            viz_text_draw(d->tx, VIZ_FONT_BOLD, a, x, y, VIZ_RGB(0xFFFFFF), VIZ_LEFT);
            y += (float)lh;
            for (int i = 0; i < lines; i++, y += (float)slh)
                viz_text_draw(d->tx, VIZ_FONT_SMALL, vl[i], x, y, VIZ_RGB(0xFFFFFF), VIZ_LEFT);
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
        /* each fault whole (wrapped, never cut), as many as fit; then how many more */
        int room = (int)((bottom - y) / (float)lsh) - 1, left = 0;
        for (char *p = net; p && *p;) {
            char *nl = strchr(p, '\n');
            if (nl)
                *nl = '\0';
            char lines[8][160];
            int n = viz_text_break(d->tx, VIZ_FONT_SMALL, p, (int)w, lines, 8, NULL);
            if (left || n > room - (nl ? 1 : 0)) {
                left++;
            } else {
                for (int i = 0; i < n; i++)
                    viz_label(d, VIZ_FONT_SMALL, lines[i], x, y + (float)(i * lsh), VIZ_RGB(VIZ_INK),
                              VIZ_LEFT, &L->panel);
                y += (float)(n * lsh);
                room -= n;
            }
            p = nl ? nl + 1 : NULL;
        }
        if (left) {
            snprintf(buf, sizeof buf, "and %d more", left);
            viz_text_draw(d->tx, VIZ_FONT_SMALL, buf, x, y, VIZ_RGB(VIZ_INK_SOFT), VIZ_LEFT);
            y += (float)lsh;
        }
        y += 8 * s;
    }

    /* the colour key */
    if (y + 2 * lh < bottom)
        colour_key(d, x, y, w, bottom - (d->ui->live ? (float)lh * 2 : 0));

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

/* What the caption strip says now: the caption in force (its font, and
 * whether it comes from the original run of a branched one), or before the
 * first the lesson text. */
struct caption_view {
    char text[2048];
    enum viz_font font;
    struct viz_rgba colour;
    bool stale;
};

#define CAPTION_LINES 64

static void caption_view(struct viz_draw *d, struct caption_view *cv)
{
    const struct viz_store *st = &d->tape->store;
    int32_t ce = d->m->caption_ev;
    cv->stale = false;
    if (ce >= 0) {
        viz_caption_text(st, ce, cv->text, sizeof cv->text);
        cv->font = VIZ_FONT_CAPTION;
        cv->stale = viz_caption_stale(st, d->ui, ce);
        cv->colour = cv->stale ? VIZ_RGB(VIZ_INK_SOFT) : VIZ_RGB(VIZ_INK);
    } else {
        snprintf(cv->text, sizeof cv->text, "%s",
                 st->hdr.lesson && st->hdr.lesson[0] ? st->hdr.lesson
                 : "(no narration: this scenario has no lesson text or captions)");
        cv->font = VIZ_FONT_BODY;
        cv->colour = VIZ_RGB(VIZ_INK_SOFT);
    }
}

static const char stale_words[] =
    "FROM THE ORIGINAL RUN \u00b7 your fault changed the run: this caption may no longer hold";

/* The lines of the caption at width maxw, and the header's height. */
static int caption_lines(struct viz_draw *d, const struct caption_view *cv, int maxw,
                         char lines[][160], float *head_h)
{
    bool more;
    *head_h = cv->stale ? (float)viz_text_height(d->tx, VIZ_FONT_SMALL) : 0;
    return viz_text_break(d->tx, cv->font, cv->text, maxw, lines, CAPTION_LINES, &more);
}

float viz_caption_height(struct viz_draw *d)
{
    char lines[CAPTION_LINES][160];
    struct caption_view cv;
    float head;
    caption_view(d, &cv);
    int n = caption_lines(d, &cv, (int)(d->L->caption.w - 44 * d->s), lines, &head);
    return (float)(n < 1 ? 1 : n) * (float)viz_text_height(d->tx, cv.font) + head + 20 * d->s;
}

bool viz_narrated_hold(const struct viz_draw *d)
{
    int32_t ce = d->m->caption_ev;
    return d->ui->narrate && d->ui->paused && ce >= 0 && d->tape->store.ev[ce].t == d->m->t &&
           d->m->t < d->tape->store.hdr.duration;
}

/* How the caption strip lays its words out: the lines (at width *maxw, less
 * the pager's room when it pages), how many fit (*room), the header's
 * height, and the first line shown for page `page` (pages overlap by a line). */
static int caption_layout(struct viz_draw *d, const struct caption_view *cv, int page,
                          char lines[][160], int *maxw, int *room, float *head, int *first,
                          char *pager, size_t pcap)
{
    const struct viz_rect *r = &d->L->caption;
    float s = d->s;
    int lh = viz_text_height(d->tx, cv->font);
    *maxw = (int)(r->w - 44 * s);
    int n = caption_lines(d, cv, *maxw, lines, head);
    *room = (int)((r->h - 16 * s - *head) / (float)lh);
    if (*room < 1)
        *room = 1;
    pager[0] = '\0';
    if (n > *room) { /* taller than the strip may grow: page it, the pager beside */
        snprintf(pager, pcap, "lines %d\u2013%d of %d  \u00b7  PgUp / PgDn", n, n, n);
        *maxw -= viz_text_width(d->tx, VIZ_FONT_SMALL, pager) + (int)(12 * s);
        n = caption_lines(d, cv, *maxw, lines, head);
    }
    int step = *room > 1 ? *room - 1 : 1;
    *first = page * step;
    if (*first > n - *room)
        *first = n - *room;
    if (*first < 0)
        *first = 0;
    if (n > *room)
        snprintf(pager, pcap, "lines %d\u2013%d of %d  \u00b7  PgUp / PgDn", *first + 1,
                 *first + *room < n ? *first + *room : n, n);
    return n;
}

int viz_caption_pages(struct viz_draw *d)
{
    char lines[CAPTION_LINES][160], pager[96];
    struct caption_view cv;
    int maxw, room, first;
    float head;
    caption_view(d, &cv);
    int n = caption_layout(d, &cv, 0, lines, &maxw, &room, &head, &first, pager, sizeof pager);
    int step = room > 1 ? room - 1 : 1;
    return n <= room ? 1 : 1 + (n - room + step - 1) / step;
}

void viz_draw_caption(struct viz_draw *d)
{
    char lines[CAPTION_LINES][160], pager[96];
    const struct viz_layout *L = d->L;
    float s = d->s;
    const struct viz_rect *r = &L->caption;
    struct caption_view cv;
    caption_view(d, &cv);
    viz_gfx_rect(d->g, r->x, r->y, r->w, r->h, VIZ_RGB(0xFFFFFF));
    viz_gfx_rect(d->g, r->x, r->y, r->w, 1 * s, VIZ_RGB(VIZ_RULE));
    viz_gfx_rect(d->g, r->x + 14 * s, r->y + 12 * s, 5 * s, r->h - 24 * s,
                 cv.stale ? VIZ_RGB(VIZ_RULE) : VIZ_RGB(VIZ_BLUE));
    viz_gfx_flush(d->g);
    float x = r->x + 30 * s, y = r->y + 10 * s, head;
    int maxw, room, first, lh = viz_text_height(d->tx, cv.font);
    int n = caption_layout(d, &cv, d->ui->caption_scroll, lines, &maxw, &room, &head, &first,
                           pager, sizeof pager);
    if (cv.stale) {
        viz_label(d, VIZ_FONT_SMALL, stale_words, x, y, VIZ_RGB(VIZ_INK_SOFT), VIZ_LEFT, r);
        y += head;
    }
    for (int i = first; i < n && i < first + room; i++)
        viz_label(d, cv.font, lines[i], x, y + (float)((i - first) * lh), cv.colour, VIZ_LEFT, r);
    if (pager[0])
        viz_label(d, VIZ_FONT_SMALL, pager, r->x + r->w - 12 * s, y, VIZ_RGB(VIZ_BLUE), VIZ_RIGHT, r);
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
    char lines[6][160];
    int n = viz_text_break(d->tx, VIZ_FONT_BODY, t, (int)(v->w - 60 * s), lines, 6, NULL);
    int w = 0, h = viz_text_height(d->tx, VIZ_FONT_BODY);
    for (int i = 0; i < n; i++) {
        int lw = viz_text_width(d->tx, VIZ_FONT_BODY, lines[i]);
        w = lw > w ? lw : w;
    }
    float bw = (float)w + 28 * s, bh = (float)(n * h) + 16 * s;
    float x = v->x + (v->w - bw) / 2, y = v->y + v->h - bh - 12 * s;
    viz_gfx_round_rect(d->g, x, y, bw, bh, 8 * s,
                       d->ui->toast_bad ? VIZ_RGBA(VIZ_BAD, 240) : VIZ_RGBA(0x222222, 235));
    viz_gfx_flush(d->g);
    for (int i = 0; i < n; i++)
        viz_text_draw(d->tx, VIZ_FONT_BODY, lines[i], x + 14 * s, y + 8 * s + (float)(i * h),
                      VIZ_RGB(0xFFFFFF), VIZ_LEFT);
}
