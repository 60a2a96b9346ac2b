/* test_viz_cli.c - `faultline view`, `render`, `export` and `run --view` as a
 * user meets them: PNGs written whole at the size asked, numbered frame
 * sequences, a ShiViz log with consistent vector clocks, bad input refused
 * with exit status 2 and nothing written, and the window itself opening and
 * closing under SDL's offscreen video driver. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#define LESSON FAULTLINE_SOURCE_DIR "/scenarios/pb-heartbeat-split-brain.json"

static char out[1 << 20];

/* Runs `ENV faultline ARGS`, capturing stdout+stderr; returns the exit status. */
static int run_cli(const char *env, const char *args)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "%s %s %s 2>&1", env ? env : "", FAULTLINE_BIN, args);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static const char *tmp(const char *name)
{
    static char paths[4][512];
    static int next;
    char *p = paths[next++ % 4];
    snprintf(p, 512, "/tmp/faultline-vizcli-%ld-%s", (long)getpid(), name);
    return p;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Width and height from a PNG's IHDR chunk; false when it is not a PNG. */
static bool png_size(const char *path, unsigned *w, unsigned *h)
{
    unsigned char b[24];
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t n = fread(b, 1, sizeof b, f);
    fclose(f);
    if (n < 24 || memcmp(b, "\x89PNG\r\n\x1a\n", 8) != 0 || memcmp(b + 12, "IHDR", 4) != 0)
        return false;
    *w = (unsigned)b[16] << 24 | (unsigned)b[17] << 16 | (unsigned)b[18] << 8 | b[19];
    *h = (unsigned)b[20] << 24 | (unsigned)b[21] << 16 | (unsigned)b[22] << 8 | b[23];
    return true;
}

Test(viz_cli, render_writes_one_png_of_the_size_asked)
{
    const char *png = tmp("frame.png");
    char args[1024];
    snprintf(args, sizeof args, "render %s --at 2.4s --out %s --size 640x360", LESSON, png);
    cr_assert_eq(run_cli(NULL, args), 0, "%s", out);
    unsigned w, h;
    cr_assert(png_size(png, &w, &h), "a PNG was written");
    cr_expect_eq(w, 640);
    cr_expect_eq(h, 360);
    snprintf(args, sizeof args, "render %s --at end --out %s --diagram -q", LESSON, png);
    cr_assert_eq(run_cli(NULL, args), 0, "%s", out);
    cr_assert(png_size(png, &w, &h));
    cr_expect_eq(w, 1280);
    cr_expect_eq(out[0], '\0', "--quiet prints nothing");
    unlink(png);
}

Test(viz_cli, render_and_view_take_the_log_and_no_narrate_options)
{
    const char *png = tmp("log.png");
    char args[1024];
    snprintf(args, sizeof args, "render %s --at 2.4s --out %s --log -q", LESSON, png);
    cr_assert_eq(run_cli(NULL, args), 0, "%s", out);
    unsigned w, h;
    cr_expect(png_size(png, &w, &h), "a PNG was written");
    snprintf(args, sizeof args, "view %s --no-narrate --log --quit-after 3", LESSON);
    cr_expect_eq(run_cli("SDL_VIDEODRIVER=offscreen", args), 0, "%s", out);
    unlink(png);
}

Test(viz_cli, render_writes_a_numbered_sequence)
{
    const char *dir = tmp("frames");
    char args[1024];
    snprintf(args, sizeof args, "render %s --frames %s --fps 10 --speed 1 --from 2s --to 2.5s --size 320x180 -q",
             LESSON, dir);
    cr_assert_eq(run_cli(NULL, args), 0, "%s", out);
    for (int i = 1; i <= 6; i++) {
        char f[600];
        unsigned w, h;
        snprintf(f, sizeof f, "%s/frame-%06d.png", dir, i);
        cr_expect(png_size(f, &w, &h), "%s", f);
        unlink(f);
    }
    char f7[600];
    snprintf(f7, sizeof f7, "%s/frame-000007.png", dir);
    cr_expect(!exists(f7), "0.5s at 1x and 10 fps: six frames");
    rmdir(dir);
}

/* Without -q a sequence says first how many frames it will make, then its
 * progress, then the span written, not thousands of file names (issue 12). */
Test(viz_cli, render_says_how_many_frames_before_it_starts)
{
    const char *dir = tmp("frames2");
    char args[1024];
    snprintf(args, sizeof args, "render %s --frames %s --fps 10 --speed 1 --from 2s --to 2.5s --size 320x180",
             LESSON, dir);
    cr_assert_eq(run_cli(NULL, args), 0, "%s", out);
    cr_expect_eq(strncmp(out, "rendering 6 frames", 18), 0, "the count comes first: %s", out);
    cr_expect_not_null(strstr(out, "6/6 frames"), "%s", out);
    cr_expect_not_null(strstr(out, "frame-000001.png .. frame-000006.png"), "%s", out);
    cr_expect_null(strstr(out, "frame-000003.png"), "no list of every file: %s", out);
    for (int i = 1; i <= 6; i++) {
        char f[600];
        snprintf(f, sizeof f, "%s/frame-%06d.png", dir, i);
        unlink(f);
    }
    rmdir(dir);
}

Test(viz_cli, bad_input_exits_2_and_writes_nothing)
{
    const char *png = tmp("bad.png");
    const char *bad_trace = tmp("bad.jsonl");
    FILE *f = fopen(bad_trace, "w");
    fputs("{\"trace\":\"faultline\",\"version\":1,\"nodes\":3,\"duration\":100}\n{\"t\":1,\"ev\":\"boot\",\"node\":\"n1\"\n", f);
    fclose(f);
    struct {
        const char *args;
        const char *says;
    } cases[] = {
        {"render /nonexistent.json --at 1s --out %s", "cannot open"},
        {"render " LESSON " --at 99s --out %s", "--at"},
        {"render " LESSON " --at soon --out %s", "--at"},
        {"render " LESSON " --at 1s --out %s --size 10x10", "--size"},
        {"render " LESSON " --at 1s --out %s --speed 5000", "--speed"},
        {"render " LESSON " --at 1s", "--out"},
        {"render " LESSON " --out %s", "--at"},
        {"render " LESSON " --at 1s --out %s --frobnicate", "unknown option"},
        {"render %s --at 0 --out %s", ":2: malformed"},
        {"view /nonexistent.json", "cannot open"},
        {"view " LESSON " --speed 0", "--speed"},
        {"export " LESSON, "--shiviz"},
        {"export --shiviz /nonexistent.json", "cannot open"},
        {"export --shiviz " LESSON " --speed 2", "unknown option"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char args[2048];
        if (strstr(cases[i].args, "render %s"))
            snprintf(args, sizeof args, cases[i].args, bad_trace, png);
        else
            snprintf(args, sizeof args, cases[i].args, png);
        cr_expect_eq(run_cli(NULL, args), 2, "%s -> %s", args, out);
        cr_expect_not_null(strstr(out, cases[i].says), "%s: expected \"%s\" in: %s", args, cases[i].says, out);
        cr_expect(!exists(png), "%s left a file", args);
    }
    /* a directory that cannot be written: nothing half-written anywhere */
    char args[1024];
    snprintf(args, sizeof args, "render %s --at 1s --out /nonexistent-dir/x.png", LESSON);
    cr_expect_eq(run_cli(NULL, args), 2, "%s", out);
    cr_expect_not_null(strstr(out, "/nonexistent-dir/x.png"), "%s", out);
    unlink(bad_trace);
}

Test(viz_cli, export_shiviz_writes_a_consistent_vector_clock_log)
{
    const char *log = tmp("shiviz.log");
    char args[1024];
    snprintf(args, sizeof args, "export --shiviz %s --out %s", LESSON, log);
    cr_assert_eq(run_cli(NULL, args), 0, "%s", out);
    FILE *f = fopen(log, "r");
    cr_assert_not_null(f);
    char line[8192];
    cr_assert_not_null(fgets(line, sizeof line, f));
    cr_expect_not_null(strstr(line, "(?<host>"), "first line: the parsing regex");
    cr_expect_not_null(strstr(line, "(?<clock>"));
    cr_expect_not_null(strstr(line, "(?<event>"));
    cr_assert_not_null(fgets(line, sizeof line, f));
    cr_expect_str_eq(line, "\n", "second line: the (empty) delimiter");
    long own[4] = {0}; /* each host's own entry: +1 per event, as ShiViz requires */
    int events = 0, sends = 0, recvs = 0;
    while (fgets(line, sizeof line, f)) {
        int host;
        cr_assert_eq(sscanf(line, "n%d ", &host), 1, "%s", line);
        cr_assert(host >= 1 && host <= 3, "%s", line);
        char *brace = strchr(line, '{'), *end = strchr(line, '}');
        cr_assert(brace && end && end > brace, "%s", line);
        char clock[1024];
        memcpy(clock, brace, (size_t)(end - brace + 1));
        clock[end - brace + 1] = '\0';
        cJSON *c = cJSON_Parse(clock);
        cr_assert_not_null(c, "the clock is JSON: %s", clock);
        char name[8];
        snprintf(name, sizeof name, "n%d", host);
        cJSON *mine = cJSON_GetObjectItem(c, name);
        cr_assert_not_null(mine, "a host's clock has its own entry: %s", line);
        cr_expect_eq((long)mine->valuedouble, own[host] + 1, "%s", line);
        own[host] = (long)mine->valuedouble;
        cJSON_Delete(c);
        cr_expect_not_null(strstr(end, "us "), "the time: %s", line);
        sends += strstr(end, " send ") != NULL;
        recvs += strstr(end, " recv ") != NULL;
        events++;
    }
    fclose(f);
    cr_expect_gt(events, 1000);
    cr_expect_gt(sends, recvs, "dropped messages are sends without a receipt");
    cr_expect_gt(recvs, 500);
    unlink(log);
}

/* Over ssh with no DISPLAY, SDL picks its offscreen driver by itself: the
 * viewer must say so and stop instead of running invisibly (issue 12). A
 * time limit keeps the old behaviour from hanging the suite. */
Test(viz_cli, with_no_display_the_viewer_says_so_and_exits_2, .timeout = 60)
{
    /* run_cli only adds to the environment: clear the display with env -u */
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER timeout 20 %s view %s 2>&1",
             FAULTLINE_BIN, LESSON);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 2, "exit %d: %s",
              WIFEXITED(status) ? WEXITSTATUS(status) : -1, out);
    cr_expect_not_null(strstr(out, "no display"), "%s", out);
    cr_expect_not_null(strstr(out, "faultline render"), "%s", out);
}

Test(viz_cli, the_window_opens_and_closes_without_a_display)
{
    char args[1024];
    snprintf(args, sizeof args, "view %s --quit-after 20 --diagram --size 800x450", LESSON);
    cr_expect_eq(run_cli("SDL_VIDEODRIVER=offscreen", args), 0, "%s", out);
    snprintf(args, sizeof args, "view %s --quit-after 5", LESSON);
    cr_expect_eq(run_cli("SDL_VIDEODRIVER=nosuchdriver", args), 2, "%s", out);
    cr_expect_not_null(strstr(out, "cannot open a window"), "%s", out);
    cr_expect_not_null(strstr(out, "render"), "it suggests rendering instead: %s", out);
    /* run --view: the window first, then the usual summary */
    snprintf(args, sizeof args, "run %s --view --no-color", LESSON);
    cr_expect_eq(run_cli("SDL_VIDEODRIVER=nosuchdriver", args), 2, "%s", out);
    cr_expect_not_null(strstr(out, "cannot open a window"), "%s", out);
    cr_expect_eq(run_cli(NULL, "run --help"), 0);
    cr_expect_not_null(strstr(out, "--view"));
    cr_expect_eq(run_cli(NULL, "--help"), 0);
    cr_expect_not_null(strstr(out, "view"));
    cr_expect_not_null(strstr(out, "render"));
    cr_expect_not_null(strstr(out, "export"));
}
