/* sweep_progress.c - the progress bar (terminal) or progress lines (pipes
 * and logs) of sweep and compare, rate-limited to a few updates a second. */
#include "cli/sweep_progress.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void sweep_progress_init(struct sweep_progress *p, FILE *out, bool quiet, const char *what)
{
    memset(p, 0, sizeof *p);
    p->out = out;
    p->quiet = quiet;
    p->what = what ? what : "seeds";
    p->tty = out && isatty(fileno(out));
    p->t0 = p->last = wall_now();
}

double sweep_progress_elapsed(const struct sweep_progress *p)
{
    return wall_now() - p->t0;
}

static void eta(double seconds, char *buf, size_t cap)
{
    long s = (long)(seconds + 0.5);
    if (s >= 3600)
        snprintf(buf, cap, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, cap, "%ld:%02ld", s / 60, s % 60);
}

void sweep_progress_update(void *ctx, uint64_t done, uint64_t total, uint64_t failing)
{
    struct sweep_progress *p = ctx;
    if (p->quiet || !p->out || total == 0)
        return;
    double now = wall_now(), elapsed = now - p->t0;
    double rate = elapsed > 0 ? (double)done / elapsed : 0;
    double frac = (double)done / (double)total;
    if (p->tty) {
        if (now - p->last < 0.1 && done < total)
            return;
        p->last = now;
        enum { WIDTH = 28 };
        char bar[WIDTH + 1];
        int fill = (int)(frac * WIDTH);
        for (int i = 0; i < WIDTH; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[WIDTH] = '\0';
        char left[32] = "-";
        if (rate > 0 && done < total)
            eta((double)(total - done) / rate, left, sizeof left);
        fprintf(p->out, "\r\033[K%s[%s] %llu/%llu %s %3.0f%%  %.1f/s  eta %s", p->label, bar,
                (unsigned long long)done, (unsigned long long)total, p->what, frac * 100.0, rate,
                left);
        if (!p->hide_failing)
            fprintf(p->out, "  failing %llu", (unsigned long long)failing);
        fflush(p->out);
        p->drawn = true;
        return;
    }
    int tenth = (int)(frac * 10.0);
    if (tenth <= p->tenth && now - p->last < 30.0)
        return;
    p->tenth = tenth > p->tenth ? tenth : p->tenth;
    p->last = now;
    char fails[48] = "";
    if (!p->hide_failing)
        snprintf(fails, sizeof fails, ", %llu failing", (unsigned long long)failing);
    fprintf(p->out, "%s%llu/%llu %s (%.0f%%)%s, %.1f %s/s\n", p->label, (unsigned long long)done,
            (unsigned long long)total, p->what, frac * 100.0, fails, rate, p->what);
    fflush(p->out);
}

void sweep_progress_end(struct sweep_progress *p, uint64_t done, int jobs)
{
    if (p->quiet || !p->out)
        return;
    if (p->drawn)
        fprintf(p->out, "\r\033[K");
    double elapsed = sweep_progress_elapsed(p);
    fprintf(p->out, "%s%llu %s in %.2fs: %.1f %s/s on %d worker%s\n", p->label,
            (unsigned long long)done, p->what, elapsed, elapsed > 0 ? (double)done / elapsed : 0.0,
            p->what, jobs, jobs == 1 ? "" : "s");
    fflush(p->out);
}
