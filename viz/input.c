/* input.c - the controls: keys and mouse gestures turned into the app's
 * actions. A press on a node, a message, the timeline or empty space decides
 * what the gesture is; a small movement is still a click, a longer one over
 * empty space draws a partition line. */
#include <math.h>
#include <stdio.h>

#include "viz/app.h"

#define CLICK_SLOP 6.0f   /* pixels a click may wander and stay a click */

void viz_app_hover(struct viz_app *a, float x, float y)
{
    struct viz_draw d;
    viz_app_draw_ctx(a, &d);
    a->ui.mouse_x = x;
    a->ui.mouse_y = y;
    a->ui.hover_node = -1;
    a->ui.hover_msg = -1;
    a->ui.hover_mark = -1;
    if (viz_rect_has(&a->L.view, x, y)) {
        a->ui.hover_node = viz_layout_node_at(&a->L, x, y);
        if (a->ui.hover_node < 0)
            a->ui.hover_msg = viz_msg_hit(&d, x, y);
    } else if (viz_rect_has(&a->L.timeline, x, y))
        a->ui.hover_mark = viz_timeline_mark_at(&d, x, y);
}

static void seek_timeline(struct viz_app *a, float x)
{
    viz_app_seek(a, viz_timeline_time_at(&a->L, viz_app_end(a), x));
}

static void key(struct viz_app *a, const SDL_KeyboardEvent *k)
{
    SDL_Keycode sym = k->keysym.sym;
    bool shift = (k->keysym.mod & KMOD_SHIFT) != 0;
    switch (sym) {
    case SDLK_SPACE:
    case SDLK_RETURN:
    case SDLK_KP_ENTER:
        /* narrated, at a caption longer than its strip: its next page first */
        if (viz_app_at_caption(a) && a->ui.caption_scroll + 1 < a->caption_pages) {
            a->ui.caption_scroll++;
            break;
        }
        if (sym != SDLK_SPACE) { /* Enter only continues */
            if (a->ui.paused)
                a->ui.paused = a->cur.m.t >= viz_app_end(a);
            break;
        }
        if (a->ui.paused && a->cur.m.t >= viz_app_end(a))
            viz_app_seek(a, 0); /* at the end: play again from the start */
        a->ui.paused = !a->ui.paused;
        break;
    case SDLK_n:
        viz_app_caption_seek(a, +1);
        break;
    case SDLK_p:
        viz_app_caption_seek(a, -1);
        break;
    case SDLK_t:
        viz_app_set_narrate(a, !a->ui.narrate);
        break;
    case SDLK_e:
        a->ui.log = !a->ui.log;
        a->L.log_on = a->ui.log;
        viz_layout_compute(&a->L, a->w, a->h, a->tape.store.hdr.nodes, a->ui.diagram);
        break;
    case SDLK_PAGEDOWN:
        a->ui.caption_scroll++; /* the strip clamps it to the caption's last page */
        break;
    case SDLK_PAGEUP:
        if (a->ui.caption_scroll > 0)
            a->ui.caption_scroll--;
        break;
    case SDLK_RIGHT:
        viz_app_step(a, +1);
        break;
    case SDLK_LEFT:
        viz_app_step(a, -1);
        break;
    case SDLK_PLUS:
    case SDLK_KP_PLUS:
    case SDLK_EQUALS:
        viz_app_speed_step(a, +1);
        break;
    case SDLK_MINUS:
    case SDLK_KP_MINUS:
    case SDLK_UNDERSCORE:
        viz_app_speed_step(a, -1);
        break;
    case SDLK_HOME:
        viz_app_seek(a, 0);
        break;
    case SDLK_END:
        viz_app_seek(a, viz_app_end(a));
        break;
    case SDLK_h:
        viz_app_heal(a);
        break;
    case SDLK_s:
        viz_app_save(a, NULL);
        break;
    case SDLK_l:
        a->ui.diagram = !a->ui.diagram;
        if (a->ui.diagram && !a->window_zoomed)
            a->ui.diagram_window = viz_app_auto_window(&a->tape.store);
        viz_layout_compute(&a->L, a->w, a->h, a->tape.store.hdr.nodes, a->ui.diagram);
        break;
    case SDLK_LEFTBRACKET:
        a->window_zoomed = true;
        if (a->ui.diagram_window > 10 * SIM_MS)
            a->ui.diagram_window = a->ui.diagram_window * 2 / 3;
        break;
    case SDLK_RIGHTBRACKET:
        a->window_zoomed = true;
        if (a->ui.diagram_window < 3600 * SIM_S)
            a->ui.diagram_window = a->ui.diagram_window * 3 / 2;
        break;
    case SDLK_F2:
        a->ui.show_fps = !a->ui.show_fps;
        break;
    case SDLK_F1:
    case SDLK_QUESTION:
        a->ui.help = !a->ui.help;
        break;
    case SDLK_SLASH:
        if (shift)
            a->ui.help = !a->ui.help;
        break;
    case SDLK_f:
    case SDLK_F11:
        a->want_fullscreen = !a->want_fullscreen;
        break;
    case SDLK_ESCAPE:
        /* Esc backs out one level: the help, then full screen (a projector
         * demo must not end on a stray Esc), then the viewer. */
        if (a->ui.help)
            a->ui.help = false;
        else if (a->want_fullscreen)
            a->want_fullscreen = false;
        else
            a->quit = true;
        break;
    case SDLK_q:
        a->quit = true;
        break;
    default:
        break;
    }
}

static void press(struct viz_app *a, const SDL_MouseButtonEvent *b)
{
    float x = (float)b->x, y = (float)b->y;
    if (a->ui.help) {
        a->ui.help = false;
        return;
    }
    a->pressed = true;
    a->press_x = x;
    a->press_y = y;
    a->press_node = -1;
    a->press_msg = -1;
    a->press_timeline = false;
    a->press_shift = (SDL_GetModState() & KMOD_SHIFT) != 0;
    if (viz_rect_has(&a->L.timeline, x, y)) {
        a->press_timeline = true;
        struct viz_draw d;
        viz_app_draw_ctx(a, &d);
        int32_t mark = viz_timeline_mark_at(&d, x, y);
        if (mark >= 0 && a->tape.store.ev[mark].kind == VIZ_EV_CAPTION) {
            a->ui.paused = true; /* a caption's mark or label: go to its moment */
            viz_app_seek(a, a->tape.store.ev[mark].t);
        } else
            seek_timeline(a, x);
        return;
    }
    if (!viz_rect_has(&a->L.view, x, y)) {
        a->pressed = false;
        return;
    }
    a->press_node = viz_layout_node_at(&a->L, x, y);
    if (a->press_node < 0) {
        struct viz_draw d;
        viz_app_draw_ctx(a, &d);
        a->press_msg = viz_msg_hit(&d, x, y);
    }
}

static void motion(struct viz_app *a, const SDL_MouseMotionEvent *m)
{
    float x = (float)m->x, y = (float)m->y;
    viz_app_hover(a, x, y);
    if (!a->pressed)
        return;
    if (a->press_timeline) {
        seek_timeline(a, x);
        return;
    }
    float dx = x - a->press_x, dy = y - a->press_y;
    bool moved = dx * dx + dy * dy > CLICK_SLOP * CLICK_SLOP;
    if (moved && a->press_node < 0 && a->press_msg < 0) {
        a->ui.drag_partition = true;
        a->ui.drag_x0 = a->press_x;
        a->ui.drag_y0 = a->press_y;
        a->ui.drag_x1 = x;
        a->ui.drag_y1 = y;
    }
}

static void release(struct viz_app *a, const SDL_MouseButtonEvent *b)
{
    float x = (float)b->x, y = (float)b->y;
    if (!a->pressed)
        return;
    a->pressed = false;
    if (a->press_timeline) {
        a->press_timeline = false;
        return;
    }
    float dx = x - a->press_x, dy = y - a->press_y;
    bool moved = dx * dx + dy * dy > CLICK_SLOP * CLICK_SLOP;
    if (a->ui.drag_partition) {
        a->ui.drag_partition = false;
        viz_app_partition(a, a->press_x, a->press_y, x, y);
    } else if (!moved && a->press_node >= 0 && viz_layout_node_at(&a->L, x, y) == a->press_node) {
        viz_app_toggle_node(a, a->press_node, a->press_shift);
    } else if (!moved && a->press_msg >= 0) {
        viz_app_drop_message(a, a->press_msg);
    }
    a->press_node = -1;
    a->press_msg = -1;
    viz_app_hover(a, x, y);
}

void viz_app_event(struct viz_app *a, const SDL_Event *e)
{
    switch (e->type) {
    case SDL_QUIT:
        a->quit = true;
        break;
    case SDL_KEYDOWN:
        key(a, &e->key);
        break;
    case SDL_MOUSEBUTTONDOWN:
        if (e->button.button == SDL_BUTTON_LEFT)
            press(a, &e->button);
        break;
    case SDL_MOUSEBUTTONUP:
        if (e->button.button == SDL_BUTTON_LEFT)
            release(a, &e->button);
        break;
    case SDL_MOUSEMOTION:
        motion(a, &e->motion);
        break;
    case SDL_MOUSEWHEEL:
        if (viz_rect_has(&a->L.caption, a->ui.mouse_x, a->ui.mouse_y)) {
            if (e->wheel.y < 0)
                a->ui.caption_scroll++;
            else if (e->wheel.y > 0 && a->ui.caption_scroll > 0)
                a->ui.caption_scroll--;
        } else if (a->ui.diagram && viz_rect_has(&a->L.diagram, a->ui.mouse_x, a->ui.mouse_y)) {
            a->window_zoomed = true;
            if (e->wheel.y > 0 && a->ui.diagram_window > 10 * SIM_MS)
                a->ui.diagram_window = a->ui.diagram_window * 4 / 5;
            else if (e->wheel.y < 0 && a->ui.diagram_window < 3600 * SIM_S)
                a->ui.diagram_window = a->ui.diagram_window * 5 / 4;
        }
        break;
    default:
        break;
    }
}
