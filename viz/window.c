/* window.c - `faultline view`: the interactive window. Input is checked
 * before a window opens; then events go to the app, time advances with the
 * wall clock (the viewer's only use of it: the engine never sees it), and
 * each frame is presented in step with the display. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "viz/viz.h"

static void handle_event(struct viz_app *app, const SDL_Event *e, SDL_Renderer *r)
{
    if (e->type == SDL_WINDOWEVENT && e->window.event == SDL_WINDOWEVENT_SIZE_CHANGED) {
        int w, h;
        SDL_GetRendererOutputSize(r, &w, &h);
        viz_app_resize(app, w, h);
    } else {
        viz_app_event(app, e);
    }
}

int viz_view(const char *path, struct viz_view_opts *o, char *err, size_t errcap)
{
    struct viz_app app;
    o->app.narrate = !o->app.no_narrate; /* a lesson is narrated in the window */
    int rc = viz_app_open(&app, path, &o->app, err, errcap);
    if (rc)
        return rc;
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        snprintf(err, errcap, "cannot open a window: %s (no display? `faultline render` draws without one)",
                 SDL_GetError());
        viz_app_close(&app);
        return SIM_EIO;
    }
    /* With no display SDL falls back to its offscreen driver by itself, and
     * the viewer would run invisibly forever. Only a driver asked for by
     * name (SDL_VIDEODRIVER=offscreen, as the tests do) may be headless. */
    const char *chosen = SDL_GetCurrentVideoDriver();
    const char *asked = getenv("SDL_VIDEODRIVER");
    if (chosen && (strcmp(chosen, "offscreen") == 0 || strcmp(chosen, "dummy") == 0) &&
        !(asked && strcmp(asked, chosen) == 0)) {
        snprintf(err, errcap, "no display: use `faultline render` to draw frames without one "
                              "(or set DISPLAY to an X server)");
        SDL_Quit();
        viz_app_close(&app);
        return SIM_EIO;
    }
    int w = o->w > 0 ? o->w : 1280, h = o->h > 0 ? o->h : 720;
    char title[300];
    const struct viz_header *hd = &app.tape.store.hdr;
    snprintf(title, sizeof title, "faultline - %s", hd->title[0] ? hd->title : hd->scenario);
    Uint32 flags = SDL_WINDOW_RESIZABLE | (o->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
    SDL_Window *win = SDL_CreateWindow(title, SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, w, h, flags);
    SDL_Renderer *r = NULL;
    if (win) {
        /* With no screen behind it (the offscreen or dummy driver, in CI), a
         * GPU renderer would only load a software GL stack: draw in software. */
        const char *driver = SDL_GetCurrentVideoDriver();
        bool headless = driver && (strcmp(driver, "offscreen") == 0 || strcmp(driver, "dummy") == 0);
        if (headless) /* and present through a plain framebuffer, not a GL texture */
            SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
        else
            r = SDL_CreateRenderer(win, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
        if (!r)
            r = SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE);
    }
    if (!win || !r) {
        snprintf(err, errcap, "cannot open a window: %s", SDL_GetError());
        rc = SIM_EIO;
        goto out;
    }
    SDL_GetRendererOutputSize(r, &w, &h);
    if ((rc = viz_app_attach(&app, r, w, h, err, errcap)))
        goto out;
    app.want_fullscreen = o->fullscreen;
    bool fullscreen = o->fullscreen;
    Uint64 freq = SDL_GetPerformanceFrequency(), last = SDL_GetPerformanceCounter();
    double drawing = 0, presenting = 0;
    long frames = 0;
    /* The frame rate shown by F2: frames over the last half second. */
    Uint64 rate_since = last;
    long rate_frames = 0;
    double rate_drawing = 0;
    /* Nothing moves while paused with no gesture and no notice up: then the
     * window sleeps until an event comes instead of redrawing the same
     * frame (a paused classroom demo must not keep a core busy). Scripted
     * runs (--quit-after counts frames) always draw. */
    bool redraw = true;
    while (!app.quit && (o->quit_after <= 0 || frames < o->quit_after)) {
        SDL_Event e;
        bool still = app.ui.paused && !app.pressed && app.toast_left <= 0 && !app.ui.drag_partition;
        bool woke = false;
        if (still && !redraw && o->quit_after <= 0) {
            if (!SDL_WaitEventTimeout(&e, 1000))
                continue;
            handle_event(&app, &e, r);
            woke = true;
            last = SDL_GetPerformanceCounter(); /* the sleep is not play time */
        }
        redraw = woke;
        while (SDL_PollEvent(&e)) {
            handle_event(&app, &e, r);
            redraw = true;
        }
        if (app.want_fullscreen != fullscreen) {
            fullscreen = app.want_fullscreen;
            SDL_SetWindowFullscreen(win, fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
        }
        Uint64 now = SDL_GetPerformanceCounter();
        double dt = (double)(now - last) / (double)freq;
        last = now;
        if (dt > 0.1) /* after a stall, do not leap ahead */
            dt = 0.1;
        bool was_paused = app.ui.paused;
        viz_app_tick(&app, dt);
        if (app.ui.paused != was_paused)
            redraw = true; /* the run reached its end: draw it paused */
        Uint64 draw_start = SDL_GetPerformanceCounter();
        viz_app_render(&app);
        Uint64 drawn = SDL_GetPerformanceCounter();
        SDL_RenderPresent(r);
        Uint64 draw_end = SDL_GetPerformanceCounter();
        drawing += (double)(draw_end - draw_start) / (double)freq;
        presenting += (double)(draw_end - drawn) / (double)freq;
        frames++;
        rate_frames++;
        rate_drawing += (double)(drawn - draw_start) / (double)freq;
        double window = (double)(draw_end - rate_since) / (double)freq;
        if (window >= 0.5) {
            app.ui.fps = (double)rate_frames / window;
            app.ui.frame_ms = rate_drawing * 1000 / (double)rate_frames;
            rate_since = draw_end;
            rate_frames = 0;
            rate_drawing = 0;
        }
        /* without vsync (software renderer), do not spin faster than ~120 Hz */
        double spent = (double)(draw_end - now) / (double)freq;
        if (spent < 1.0 / 120)
            SDL_Delay((Uint32)((1.0 / 120 - spent) * 1000));
    }
    o->frame_ms = frames ? drawing * 1000 / (double)frames : 0;
    o->present_ms = frames ? presenting * 1000 / (double)frames : 0;
    /* Quitting never loses the faults clicked in: they are saved as S
     * would, and the path is printed with the command that replays it. */
    if (viz_app_autosave(&app) > 0)
        fprintf(stderr, "faultline view: the faults you clicked in were saved to %s - replay: faultline run %s\n",
                app.last_saved, app.last_saved);
out:
    viz_app_close(&app);
    if (r)
        SDL_DestroyRenderer(r);
    if (win)
        SDL_DestroyWindow(win);
    SDL_Quit();
    return rc;
}
