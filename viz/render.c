/* render.c - `faultline render`: frames drawn offscreen and written as PNG,
 * one moment or a numbered sequence for slides and video. A scenario is run
 * to its end first, so every frame's timeline shows the whole run. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "viz/offscreen.h"
#include "viz/viz.h"

#define MAX_FRAMES 100000

int viz_parse_size(const char *s, int *w, int *h)
{
    char *end;
    long x = strtol(s, &end, 10);
    if (end == s || (*end != 'x' && *end != 'X'))
        return SIM_EINVAL;
    const char *p = end + 1;
    long y = strtol(p, &end, 10);
    if (end == p || *end || x < 64 || y < 64 || x > 8192 || y > 8192)
        return SIM_EINVAL;
    *w = (int)x;
    *h = (int)y;
    return SIM_OK;
}

/* Checks that DIR exists (creating it if its parent does: *created) and is
 * writable. */
static int frames_dir_ready(const char *dir, bool *created, char *err, size_t errcap)
{
    struct stat st;
    *created = false;
    if (stat(dir, &st) != 0) {
        *created = mkdir(dir, 0777) == 0;
        if (!*created) {
            snprintf(err, errcap, "%s: cannot create the frames directory: %s", dir, strerror(errno));
            return SIM_EIO;
        }
    } else if (!S_ISDIR(st.st_mode)) {
        snprintf(err, errcap, "%s: exists and is not a directory", dir);
        return SIM_EIO;
    }
    if (access(dir, W_OK) != 0) {
        snprintf(err, errcap, "%s: cannot write there: %s", dir, strerror(errno));
        return SIM_EIO;
    }
    return SIM_OK;
}

int viz_render(const char *path, const struct viz_render_opts *o, FILE *progress, char *err,
               size_t errcap)
{
    int w = o->w > 0 ? o->w : 1280, h = o->h > 0 ? o->h : 720;
    bool frames = o->frames_dir != NULL;
    if (frames && !(o->fps > 0 && o->fps <= 240)) {
        snprintf(err, errcap, "--fps: expected frames per second from 1 to 240");
        return SIM_EINVAL;
    }
    struct viz_app_opts ao = o->app;
    ao.run_ahead = true;
    ao.paused = true;
    ao.start_at = 0;
    struct viz_app app;
    int rc = viz_app_open(&app, path, &ao, err, errcap);
    if (rc)
        return rc;
    sim_time end = viz_app_end(&app);
    sim_time at = o->at_end ? end : o->at;
    sim_time from = o->from, to = o->to > 0 ? o->to : end;
    if (to > end)
        to = end;
    double step_us = frames ? app.ui.speed * 1e6 / o->fps : 0;
    long nframes = 1;
    if (frames) {
        if (from < 0 || from > to) {
            snprintf(err, errcap, "--from/--to: expected 0 <= from <= to <= the run's end");
            viz_app_close(&app);
            return SIM_EINVAL;
        }
        double count = (double)(to - from) / step_us + 1;
        if (count > MAX_FRAMES) {
            snprintf(err, errcap,
                     "that would be %.0f frames (at most %d): raise --speed, lower --fps or narrow --from/--to",
                     count, MAX_FRAMES);
            viz_app_close(&app);
            return SIM_EINVAL;
        }
        nframes = (long)count;
    } else if (at < 0 || at > end) {
        char e[32];
        scenario_format_time(end, e, sizeof e);
        snprintf(err, errcap, "--at: expected a time from 0 to the run's end (%s)", e);
        viz_app_close(&app);
        return SIM_EINVAL;
    }
    bool created = false;
    if (frames && (rc = frames_dir_ready(o->frames_dir, &created, err, errcap))) {
        viz_app_close(&app);
        return rc;
    }
    struct viz_offscreen off;
    if ((rc = viz_offscreen_open(&off, w, h, err, errcap))) {
        viz_app_close(&app);
        if (created)
            rmdir(o->frames_dir);
        return rc;
    }
    if ((rc = viz_app_attach(&app, off.r, w, h, err, errcap))) {
        viz_app_close(&app); /* its textures first, then their renderer */
        viz_offscreen_close(&off);
        if (created)
            rmdir(o->frames_dir);
        return rc;
    }
    char *file = malloc(strlen(frames ? o->frames_dir : "") + 32);
    if (!file) {
        viz_app_close(&app);
        viz_offscreen_close(&off);
        snprintf(err, errcap, "out of memory");
        return SIM_ENOMEM;
    }
    /* The frames of a sequence are a recording of the run playing: no PAUSED
     * badge, no labels on every message (a still at --at is a paused view). */
    app.ui.paused = !frames;
    long written = 0;
    /* A sequence says up front how many frames it will make, then shows a
     * bar (on a terminal) or a line every tenth (in a log), and names the
     * span written at the end: thousands of file names would bury it. */
    bool bar = frames && progress && isatty(fileno(progress));
    if (frames && progress) {
        fprintf(progress, "rendering %ld frames (%.1fs of video at %g fps, speed %gx) into %s\n",
                nframes, (double)nframes / o->fps, o->fps, app.ui.speed, o->frames_dir);
        fflush(progress);
    }
    for (long i = 0; i < nframes && !rc; i++) {
        sim_time t = frames ? from + (sim_time)((double)i * step_us) : at;
        if ((rc = viz_app_seek(&app, t)) || (rc = viz_app_render(&app))) {
            char when[32];
            scenario_format_time(t, when, sizeof when);
            snprintf(err, errcap, "cannot draw the frame at %s: %s", when, sim_strerror(rc));
            break;
        }
        const char *target = o->out;
        if (frames) {
            sprintf(file, "%s/frame-%06ld.png", o->frames_dir, i + 1);
            target = file;
        }
        if ((rc = viz_png_write(off.surf, target, err, errcap)))
            break;
        written++;
        if (progress && !frames) {
            fprintf(progress, "%s\n", target);
        } else if (bar) {
            int filled = (int)(40 * written / nframes);
            fprintf(progress, "\r[%.*s%*s] %ld/%ld frames", filled,
                    "########################################", 40 - filled, "", written, nframes);
            fflush(progress);
        } else if (progress && (written * 10 / nframes != (written - 1) * 10 / nframes)) {
            fprintf(progress, "%ld/%ld frames\n", written, nframes);
            fflush(progress);
        }
    }
    if (bar)
        fputc('\n', progress);
    if (frames && progress && !rc)
        fprintf(progress, "wrote %s/frame-%06d.png .. frame-%06ld.png\n", o->frames_dir, 1, written);
    if (rc && frames) { /* nothing half-done: take back this call's frames */
        for (long i = 0; i < written; i++) {
            sprintf(file, "%s/frame-%06ld.png", o->frames_dir, i + 1);
            unlink(file);
        }
        if (created)
            rmdir(o->frames_dir);
    }
    free(file);
    viz_app_close(&app);
    viz_offscreen_close(&off);
    return rc;
}
