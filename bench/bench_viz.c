/* bench_viz.c - the viewer's speed targets: frame times while playing 50
 * nodes with about 1 000 messages in flight (60 fps needs under 16.7 ms),
 * and opening and seeking a trace of over a million events (under a
 * second). Run by hand: `cmake --build build --target bench`, then
 * build/bench/bench_viz [--window]. With --window it also times the real
 * window path (SDL's video driver from the environment, e.g. under xvfb-run). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "protocols/registry.h"
#include "sim/engine.h"
#include "viz/app.h"
#include "viz/offscreen.h"
#include "viz/viz.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static const char *write_file(const char *name, const char *text)
{
    static char path[2][256];
    static int k;
    char *p = path[k++ % 2];
    snprintf(p, 256, "/tmp/faultline-bench-viz-%ld-%s", (long)getpid(), name);
    FILE *f = fopen(p, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        perror(p);
        exit(1);
    }
    return p;
}

/* 50 echo nodes each keeping 20 pings out: ~1 000 messages always in flight. */
static const char busy[] =
    "{\"name\": \"bench-busy\", \"title\": \"50 nodes, 1000 messages in flight\", \"protocol\": \"echo\",\n"
    " \"params\": {\"interval\": \"0\", \"window\": 20}, \"nodes\": 50, \"seed\": 1, \"duration\": \"20s\",\n"
    " \"network\": {\"latency\": {\"dist\": \"uniform\", \"min\": \"200ms\", \"max\": \"400ms\"}, \"drop\": 0.01},\n"
    " \"faults\": [{\"at\": \"5s\", \"crash\": \"n7\"}, {\"at\": \"8s\", \"isolate\": \"n20\", \"for\": \"3s\"}]}\n";

static void frame_times(const char *scenario, int w, int h, bool diagram)
{
    struct viz_app app;
    struct viz_offscreen off;
    char err[512];
    struct viz_app_opts o = {.speed = 0.05, .diagram = diagram};
    if (viz_app_open(&app, scenario, &o, err, sizeof err) ||
        viz_offscreen_open(&off, w, h, err, sizeof err) ||
        viz_app_attach(&app, off.r, w, h, err, sizeof err)) {
        fprintf(stderr, "bench_viz: %s\n", err);
        exit(1);
    }
    viz_app_seek(&app, 6 * SIM_S);
    enum { FRAMES = 600 };
    double t[FRAMES];
    long shown = 0;
    for (int i = 0; i < FRAMES; i++) {
        double a = now();
        viz_app_tick(&app, 1.0 / 60); /* what a window does each frame: advance, draw */
        viz_app_render(&app);
        t[i] = (now() - a) * 1000;
        shown += app.cur.m.nlive;
    }
    qsort(t, FRAMES, sizeof t[0], cmp_double);
    double sum = 0;
    for (int i = 0; i < FRAMES; i++)
        sum += t[i];
    printf("  %4dx%-4d %-10s software renderer: mean %.2f ms, median %.2f, p95 %.2f, max %.2f  "
           "(%.0f messages on screen per frame, %s)\n",
           w, h, diagram ? "+diagram" : "", sum / FRAMES, t[FRAMES / 2], t[FRAMES * 95 / 100],
           t[FRAMES - 1], (double)shown / FRAMES, sum / FRAMES < 1000.0 / 60 ? "60 fps" : "below 60 fps");
    viz_app_close(&app);
    viz_offscreen_close(&off);
}

static void big_trace(void)
{
    /* the lesson, run for 2 000 simulated seconds: ~1.2 million events */
    struct scenario *sc;
    char err[512];
    if (scenario_load(FAULTLINE_SOURCE_DIR "/scenarios/pb-heartbeat-split-brain.json", &sc, err,
                      sizeof err)) {
        fprintf(stderr, "bench_viz: %s\n", err);
        exit(1);
    }
    sc->duration = 2000 * SIM_S; /* clients and all: the lesson, long */
    sc->workload.stop = sc->duration;
    const char *path = write_file("big.jsonl", "");
    FILE *fp = fopen(path, "w");
    struct sim_options o = {.trace = fp};
    struct sim *s;
    if (!fp || sim_create(sc, protocol_find(sc->protocol), &o, &s, err, sizeof err) || sim_run(s)) {
        fprintf(stderr, "bench_viz: cannot make the big trace: %s\n", err);
        exit(1);
    }
    uint64_t events = sim_get_stats(s)->events;
    sim_destroy(s);
    fclose(fp);
    scenario_free(sc);

    double a = now();
    struct viz_app app;
    struct viz_app_opts ao = {.paused = true};
    if (viz_app_open(&app, path, &ao, err, sizeof err)) {
        fprintf(stderr, "bench_viz: %s\n", err);
        exit(1);
    }
    double opened = now() - a;
    struct viz_offscreen off;
    viz_offscreen_open(&off, 1280, 720, err, sizeof err);
    viz_app_attach(&app, off.r, 1280, 720, err, sizeof err);
    a = now();
    viz_app_seek(&app, 1000 * SIM_S);
    viz_app_render(&app);
    double first = now() - a;
    enum { SEEKS = 200 };
    double worst = 0, total = 0;
    unsigned x = 12345;
    for (int i = 0; i < SEEKS; i++) {
        x = x * 1103515245u + 12345u;
        sim_time t = (sim_time)((double)(x >> 8) / (double)(1u << 24) * 2000.0 * SIM_S);
        double b = now();
        viz_app_seek(&app, t);
        double d = now() - b;
        total += d;
        worst = d > worst ? d : worst;
    }
    printf("  trace of %llu events (%d lines, %.0f MB): open %.3f s, seek to the middle and draw %.1f ms,\n"
           "  %d random seeks: mean %.2f ms, worst %.2f ms  (%s)\n",
           (unsigned long long)events, (int)app.tape.store.nev, (double)app.tape.store.len / 1e6, opened,
           first * 1000, SEEKS, total / SEEKS * 1000, worst * 1000,
           opened + worst < 1.0 ? "under a second" : "OVER a second");
    viz_app_close(&app);
    viz_offscreen_close(&off);
    unlink(path);
}

int main(int argc, char **argv)
{
    bool window = argc > 1 && strcmp(argv[1], "--window") == 0;
    const char *scenario = write_file("busy.json", busy);
    printf("viewer frame times, 50 nodes, ~1000 messages in flight (60 fps = 16.7 ms):\n");
    frame_times(scenario, 1280, 720, false);
    frame_times(scenario, 1920, 1080, false);
    frame_times(scenario, 1280, 720, true);
    if (window) {
        struct viz_view_opts vo = {.w = 1280, .h = 720, .quit_after = 600};
        vo.app.speed = 0.05;
        vo.app.start_at = 6 * SIM_S;
        char err[512];
        if (viz_view(scenario, &vo, err, sizeof err))
            printf("  window: %s\n", err);
        else
            printf("  1280x720 window (%s video driver): draw + present %.2f ms per frame, of which present %.2f ms\n",
                   getenv("SDL_VIDEODRIVER") ? getenv("SDL_VIDEODRIVER") : "default", vo.frame_ms,
                   vo.present_ms);
    }
    printf("big trace:\n");
    big_trace();
    unlink(scenario);
    return 0;
}
