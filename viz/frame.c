/* frame.c - one frame: decodes the moment (node states from their "state"
 * lines, network faults from theirs) and draws the parts back to front;
 * also the plain-words description of an event used by tooltips. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "viz/draw.h"
#include "viz/jscan.h"

void viz_nodeinfo_read(const struct viz_store *s, int32_t state_ev, struct viz_nodeinfo *out)
{
    memset(out, 0, sizeof *out);
    if (state_ev < 0)
        return;
    struct viz_jiter it;
    struct viz_jval k, v;
    if (!viz_json_object(&it, viz_store_line(s, state_ev), viz_store_len(s, state_ev)))
        return;
    while (viz_json_member(&it, &k, &v) == 1) {
        if (viz_json_is(&k, "role"))
            viz_json_str(&v, out->role, sizeof out->role);
        else if (viz_json_is(&k, "term"))
            out->has_term = viz_json_int(&v, &out->term);
        else if (viz_json_is(&k, "log") && v.type == VIZ_J_OBJ) {
            struct viz_jiter li;
            struct viz_jval lk, lv;
            viz_json_enter(&li, &v);
            out->has_log = true;
            while (viz_json_member(&li, &lk, &lv) == 1) {
                if (viz_json_is(&lk, "len"))
                    viz_json_int(&lv, &out->log_len);
                else if (viz_json_is(&lk, "commit"))
                    viz_json_int(&lv, &out->commit);
                else if (viz_json_is(&lk, "tail") && lv.type == VIZ_J_ARR) {
                    struct viz_jiter ti;
                    struct viz_jval tv;
                    viz_json_enter(&ti, &lv);
                    while (out->tail_n < 16 && viz_json_element(&ti, &tv) == 1)
                        if (viz_json_int(&tv, &out->tail[out->tail_n]))
                            out->tail_n++;
                }
            }
        }
    }
}

void viz_nodeinfo_text(const struct viz_store *s, int32_t state_ev, char *buf, size_t cap)
{
    struct viz_jval v;
    if (cap)
        buf[0] = '\0';
    if (state_ev >= 0 &&
        viz_json_get(viz_store_line(s, state_ev), viz_store_len(s, state_ev), "text", &v))
        viz_json_str(&v, buf, cap);
}

/* Writes a list of node names ["n1","n2"] as "n1 n2" (at most 8, then
 * " ...", as sim/fault.c words them); returns how many names it holds. */
static int names(const struct viz_jval *arr, char *buf, size_t cap)
{
    size_t used = 0;
    struct viz_jiter it;
    struct viz_jval v;
    if (cap)
        buf[0] = '\0';
    if (!viz_json_enter(&it, arr))
        return 0;
    int shown = 0;
    while (viz_json_element(&it, &v) == 1 && used + 8 < cap) {
        char name[16];
        viz_json_str(&v, name, sizeof name);
        if (shown == 8) {
            used += (size_t)snprintf(buf + used, cap - used, " ...");
            shown++;
            break;
        }
        used += (size_t)snprintf(buf + used, cap - used, "%s%s", shown++ ? " " : "", name);
    }
    return shown;
}

/* A network fault's trace line (partition, isolate, cut, flap start) in the
 * words its heal restores: "partition {n1} | {n2 n3}", "n3", "link n1 -> n2",
 * "cut {n1} -> {n2 n3}". */
static void network_what(const struct viz_store *s, int32_t i, char *buf, size_t cap)
{
    const struct viz_event *e = &s->ev[i];
    const char *line = viz_store_line(s, i);
    size_t len = viz_store_len(s, i);
    struct viz_jval v, w;
    char a[160] = "", b[160] = "";
    if (cap)
        buf[0] = '\0';
    if (e->kind == VIZ_EV_PARTITION) {
        size_t used = (size_t)snprintf(buf, cap, "partition ");
        if (viz_json_get(line, len, "groups", &v)) {
            struct viz_jiter it;
            viz_json_enter(&it, &v);
            int g = 0;
            while (viz_json_element(&it, &w) == 1 && used + 8 < cap) {
                names(&w, a, sizeof a);
                used += (size_t)snprintf(buf + used, cap - used, "%s{%s}", g++ ? " | " : "", a);
            }
        }
        if (viz_json_get(line, len, "bridge", &v) && used + 8 < cap) {
            viz_json_str(&v, a, sizeof a);
            snprintf(buf + used, cap - used, ", bridge %s", a);
        }
    } else if (e->kind == VIZ_EV_ISOLATE) {
        if (viz_json_get(line, len, "node", &v))
            viz_json_str(&v, buf, cap);
    } else {
        int nf = 0, nt = 0;
        if (viz_json_get(line, len, "from", &v))
            nf = names(&v, a, sizeof a);
        if (viz_json_get(line, len, "to", &v))
            nt = names(&v, b, sizeof b);
        bool both = e->kind == VIZ_EV_FLAP ||
                    (viz_json_get(line, len, "direction", &v) && viz_json_is(&v, "both"));
        if (nf == 1 && nt == 1)
            snprintf(buf, cap, "link %s %s %s", a, both ? "<->" : "->", b);
        else
            snprintf(buf, cap, "cut {%s} %s {%s}", a, both ? "<->" : "->", b);
    }
}

/* The trace line that started network fault `id`, at or before event i; -1. */
static int32_t network_fault_start(const struct viz_store *s, int32_t i, int32_t id)
{
    for (int32_t j = i; j >= 0; j--) {
        const struct viz_event *e = &s->ev[j];
        bool starts = e->kind == VIZ_EV_PARTITION || e->kind == VIZ_EV_ISOLATE ||
                      e->kind == VIZ_EV_CUT ||
                      (e->kind == VIZ_EV_FLAP && (e->flags & VIZ_EVF_START));
        if (starts && e->ref == id)
            return j;
    }
    return -1;
}

void viz_describe_event(const struct viz_store *s, int32_t i, char *buf, size_t cap)
{
    const struct viz_event *e = &s->ev[i];
    const char *line = viz_store_line(s, i);
    size_t len = viz_store_len(s, i);
    struct viz_jval v;
    char a[160] = "", b[160] = "", node[16] = "";
    if (viz_json_get(line, len, "node", &v))
        viz_json_str(&v, node, sizeof node);
    const char *by = (e->flags & VIZ_EVF_NEMESIS) ? " (nemesis)" : "";
    int64_t x = 0;
    /* "(the leader)": the scenario named the node by its role */
    char role[48] = "";
    if (viz_json_get(line, len, "target", &v)) {
        viz_json_str(&v, a, sizeof a);
        snprintf(role, sizeof role, " (the %s)", a);
    }
    switch (e->kind) {
    case VIZ_EV_CRASH:
        if (viz_json_get(line, len, "lost_writes", &v) && viz_json_int(&v, &x) && x > 0)
            snprintf(buf, cap, "crash %s%s, losing %lld unsynced write%s%s", node, role,
                     (long long)x, x == 1 ? "" : "s", by);
        else
            snprintf(buf, cap, "crash %s%s%s", node, role, by);
        return;
    case VIZ_EV_RECOVER:
        snprintf(buf, cap, "recover %s%s", node, by);
        return;
    case VIZ_EV_PARTITION:
    case VIZ_EV_CUT:
        network_what(s, i, a, sizeof a);
        snprintf(buf, cap, "%s%s%s", e->kind == VIZ_EV_CUT && strncmp(a, "link ", 5) == 0 ? "cut " : "",
                 a, by);
        return;
    case VIZ_EV_ISOLATE:
        snprintf(buf, cap, "isolate %s%s%s", node, role, by);
        return;
    case VIZ_EV_FLAP:
        if (e->flags & VIZ_EVF_START) {
            network_what(s, i, a, sizeof a);
            char per[32] = "";
            if (viz_json_get(line, len, "period", &v) && viz_json_int(&v, &x))
                scenario_format_duration(x, per, sizeof per);
            snprintf(buf, cap, "%s flaps every %s%s", a, per, by);
        } else
            snprintf(buf, cap, "flapping link %s", (e->flags & VIZ_EVF_UP) ? "up" : "down");
        return;
    case VIZ_EV_HEAL: {
        int32_t start = (e->flags & VIZ_EVF_ALL) ? -1 : network_fault_start(s, i, e->ref);
        if (e->flags & VIZ_EVF_ALL)
            snprintf(buf, cap, "heal: every link restored");
        else if (start < 0)
            snprintf(buf, cap, "heal: network fault %d ends", (int)e->ref);
        else {
            network_what(s, start, a, sizeof a);
            enum viz_ev_kind k = (enum viz_ev_kind)s->ev[start].kind;
            if (k == VIZ_EV_ISOLATE)
                snprintf(buf, cap, "heal: %s no longer isolated", a);
            else if (k == VIZ_EV_FLAP)
                snprintf(buf, cap, "heal: %s stops flapping", a);
            else
                snprintf(buf, cap, "heal: %s %s", a, strncmp(a, "link ", 5) == 0 ? "restored" : "ends");
        }
        return;
    }
    case VIZ_EV_CLOCK: {
        int64_t ppm = 0, off = 0, jump = 0;
        if (viz_json_get(line, len, "drift_ppm", &v))
            viz_json_int(&v, &ppm);
        if (viz_json_get(line, len, "offset", &v))
            viz_json_int(&v, &off);
        if (viz_json_get(line, len, "jump", &v))
            viz_json_int(&v, &jump);
        scenario_describe_clock(node, ppm, jump, off, a, sizeof a);
        snprintf(buf, cap, "%s%s", a, by);
        return;
    }
    case VIZ_EV_SLOW:
        if (!viz_json_get(line, len, "delay", &v) || !viz_json_int(&v, &x))
            x = 0;
        scenario_describe_slow(node, x, a, sizeof a);
        snprintf(buf, cap, "%s%s", a, by);
        return;
    case VIZ_EV_LOSS:
    case VIZ_EV_DUPLICATION: {
        double p = 0;
        if (viz_json_get(line, len, "probability", &v))
            viz_json_double(&v, &p);
        scenario_describe_rate(e->kind == VIZ_EV_LOSS, p, a, sizeof a);
        snprintf(buf, cap, "%s%s", a, by);
        return;
    }
    case VIZ_EV_DROP_MESSAGE:
        if (e->ref >= 0) {
            const struct viz_msg *m = &s->msg[e->ref];
            snprintf(buf, cap, "message %llu (%s n%d -> n%d) dropped by hand", /* as sim/fault.c */
                     (unsigned long long)m->id, s->types[m->type], m->from + 1, m->to + 1);
        } else
            snprintf(buf, cap, "a message dropped by hand");
        return;
    case VIZ_EV_FAULT_SKIPPED:
        if (viz_json_get(line, len, "fault", &v))
            viz_json_str(&v, a, sizeof a);
        if (viz_json_get(line, len, "reason", &v))
            viz_json_str(&v, b, sizeof b);
        snprintf(buf, cap, "%s skipped: %s", a, b);
        return;
    case VIZ_EV_VIOLATION:
        if (viz_json_get(line, len, "invariant", &v))
            viz_json_str(&v, a, sizeof a);
        if (viz_json_get(line, len, "text", &v))
            viz_json_str(&v, b, sizeof b);
        snprintf(buf, cap, "VIOLATION %s: %s", a, b);
        return;
    case VIZ_EV_CAPTION:
        if (viz_json_get(line, len, "text", &v))
            viz_json_str(&v, a, sizeof a);
        snprintf(buf, cap, "\u201c%s\u201d", a);
        return;
    default:
        snprintf(buf, cap, "%s%s%s", viz_ev_name((enum viz_ev_kind)e->kind), *node ? " " : "", node);
        return;
    }
}

int viz_frame_prepare(struct viz_draw *d)
{
    const struct viz_model *m = d->m;
    d->leaders = 0;
    for (int i = 0; i < m->nnodes; i++) {
        struct viz_nodeinfo *in = &d->info[i];
        if (m->nodes[i].up)
            viz_nodeinfo_read(&d->tape->store, m->nodes[i].state_ev, in);
        else {
            /* down: keep the last term and log dimmed, but no role */
            viz_nodeinfo_read(&d->tape->store, m->nodes[i].state_ev, in);
            snprintf(in->role, sizeof in->role, "down");
        }
        if (!in->role[0])
            snprintf(in->role, sizeof in->role, "%s", m->nodes[i].booted ? "node" : "down");
        if (m->nodes[i].up && viz_role_is_leader(in->role))
            d->leaders++;
    }
    return viz_net_decode(d);
}

void viz_frame_release(struct viz_draw *d)
{
    viz_net_release(d);
}

void viz_frame_draw(struct viz_draw *d)
{
    SDL_Renderer *r = d->g->r;
    const struct viz_layout *L = d->L;
    struct viz_rgba bg = VIZ_RGB(VIZ_BG);
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(r, bg.r, bg.g, bg.b, 255);
    SDL_RenderClear(r);

    /* the node view, back to front: shading, links, nodes, messages, labels */
    SDL_Rect clip = {(int)L->view.x, (int)L->view.y, (int)L->view.w, (int)L->view.h};
    SDL_RenderSetClipRect(r, &clip);
    viz_draw_network(d);
    viz_draw_nodes(d);
    viz_draw_messages(d);
    viz_gfx_flush(d->g);
    viz_draw_node_labels(d);
    viz_msg_obstacles(d);
    viz_draw_network_words(d);
    viz_draw_message_labels(d);
    if (d->ui->drag_partition) {
        const struct viz_ui *ui = d->ui;
        viz_gfx_dashed(d->g, ui->drag_x0, ui->drag_y0, ui->drag_x1, ui->drag_y1, 3 * d->s,
                       10 * d->s, 6 * d->s, VIZ_RGB(VIZ_INK));
        viz_gfx_flush(d->g);
    }
    viz_draw_toast(d);
    viz_draw_fps(d);
    viz_gfx_flush(d->g);
    SDL_RenderSetClipRect(r, NULL);

    if (L->diagram_on)
        viz_draw_spacetime(d);
    if (L->log_on)
        viz_draw_log(d);
    viz_draw_title(d);
    viz_draw_panel(d);
    viz_draw_caption(d);
    viz_draw_timeline(d);
    if (d->ui->help)
        viz_draw_help(d);
    viz_gfx_flush(d->g);
}
