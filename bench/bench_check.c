/* bench_check.c - speed and memory of the history checkers, against the
 * targets of issue 3: all 102 Jepsen etcd histories in under 0.2 s with
 * none over 50 ms (Porcupine: about 0.65 s and 0.25 s on this machine
 * class), and a 50-client, 3 500-event kv history in under 100 ms; and
 * (issue 10) 50 clients on one single key, 1 000 ops, in under 100 ms. Times
 * include reading and parsing. Each figure is the median of several runs.
 * Run: cmake --build build --target bench_check && build/bench/bench_check */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "check/check.h"
#include "tests/splitmix.h"

#define ETCD_DIR FAULTLINE_TEST_DATA "/jepsen-etcd"
#define RUNS 15
#define MAX_FILES 128

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, compare_double);
    return v[n / 2];
}

static long peak_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss; /* KiB on Linux */
}

/* Reads, parses and checks one history from memory; returns seconds. */
static double check_once(const char *name, const char *text, size_t len,
                         const struct check_options *opt, enum check_verdict *verdict,
                         size_t *peak_bytes)
{
    char err[1024];
    double t0 = now();
    struct check_history h;
    if (check_history_read_buffer(&h, name, text, len, CHECK_FORMAT_AUTO, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        exit(2);
    }
    struct check_result r;
    if (check_linearizability(&h, opt, &r, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        exit(2);
    }
    double t = now() - t0;
    *verdict = r.verdict;
    if (peak_bytes != NULL && r.peak_bytes > *peak_bytes)
        *peak_bytes = r.peak_bytes;
    check_result_close(&r);
    check_history_close(&h);
    return t;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)size + 1);
    *len = fread(text, 1, (size_t)size, f);
    fclose(f);
    return text;
}

static void bench_etcd(void)
{
    char names[MAX_FILES][64], expected[MAX_FILES][32];
    char *texts[MAX_FILES];
    size_t lens[MAX_FILES], n = 0;
    FILE *v = fopen(ETCD_DIR "/verdicts.tsv", "r");
    if (v == NULL) {
        perror("verdicts.tsv");
        exit(2);
    }
    char line[256], path[512];
    while (n < MAX_FILES && fgets(line, sizeof line, v))
        if (sscanf(line, "%63s %31s", names[n], expected[n]) == 2) {
            snprintf(path, sizeof path, "%s/%s", ETCD_DIR, names[n]);
            texts[n] = read_file(path, &lens[n]);
            n++;
        }
    fclose(v);

    static double per_file[MAX_FILES][RUNS];
    double totals[RUNS];
    size_t wrong = 0, peak_bytes = 0;
    for (int run = 0; run < RUNS; run++) {
        totals[run] = 0;
        for (size_t i = 0; i < n; i++) {
            enum check_verdict got;
            per_file[i][run] = check_once(names[i], texts[i], lens[i], NULL, &got, &peak_bytes);
            totals[run] += per_file[i][run];
            if (run == 0 && strcmp(check_verdict_name(got), expected[i]) != 0)
                wrong++;
        }
    }
    double slowest = 0;
    size_t slowest_i = 0;
    for (size_t i = 0; i < n; i++) {
        double t = median(per_file[i], RUNS);
        if (t > slowest) {
            slowest = t;
            slowest_i = i;
        }
    }
    double total = median(totals, RUNS);
    printf("jepsen etcd: %zu histories, %zu wrong verdicts\n", n, wrong);
    printf("  all histories (read, parse, check): %8.2f ms   target < 200 ms   Porcupine ~650 ms   %s\n",
           total * 1e3, total < 0.2 ? "ok" : "MISSED");
    printf("  slowest single history (%s):  %8.2f ms   target <  50 ms   Porcupine ~250 ms   %s\n",
           names[slowest_i], slowest * 1e3, slowest < 0.05 ? "ok" : "MISSED");
    printf("  largest search memory of one history: %zu KiB\n", peak_bytes / 1024);
    for (size_t i = 0; i < n; i++)
        free(texts[i]);
}

/* ---- a generated 50-client kv workload ---- */

static int64_t between(struct splitmix *r, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(splitmix_next(r) % (uint64_t)(hi - lo + 1));
}

struct wop {
    int64_t invoke, at, complete;  /* at: the instant it takes effect */
    int client, process, key, kind; /* kind: 0 get, 1 put, 2 append */
    int outcome;                    /* 0 ok, 1 info applied, 2 info lost */
    char value[32];
    char *result;                   /* get: value seen (NULL: absent) */
};

struct wevent {
    int64_t time;
    int op;
    int completion;
};

static int compare_at(const void *a, const void *b)
{
    const struct wop *x = *(const struct wop *const *)a, *y = *(const struct wop *const *)b;
    return (x->at > y->at) - (x->at < y->at);
}

static int compare_wevents(const void *a, const void *b)
{
    const struct wevent *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return x->op != y->op ? (x->op < y->op ? -1 : 1) : x->completion - y->completion;
}

/* A linearizable kv history: 50 clients, `events` events, `keys` keys;
 * about 3% of ops time out (half of those took effect). When stale is
 * set, one late get returns the value of an earlier get instead. */
static char *generate_kv(uint64_t seed, int clients, int events, int keys, bool stale, size_t *len)
{
    struct splitmix r = {seed};
    int n = events / 2;
    struct wop *ops = calloc((size_t)n, sizeof *ops);
    struct wop **by_at = malloc((size_t)n * sizeof *by_at);
    int64_t *clock = calloc((size_t)clients, sizeof *clock);
    int *process = malloc((size_t)clients * sizeof *process);
    for (int c = 0; c < clients; c++)
        process[c] = c;
    int next_process = clients;
    for (int i = 0; i < n; i++) {
        struct wop *op = &ops[i];
        int c = (int)between(&r, 0, clients - 1);
        op->client = c;
        op->process = process[c];
        op->invoke = clock[c] + between(&r, 100, 5000);
        op->at = op->invoke + between(&r, 200, 3000);
        op->complete = op->at + between(&r, 200, 3000);
        op->key = (int)between(&r, 0, keys - 1);
        op->kind = (int)between(&r, 0, 9) < 5 ? 0 : (int)between(&r, 0, 9) < 2 ? 1 : 2;
        int roll = (int)between(&r, 0, 99);
        op->outcome = roll < 97 ? 0 : roll < 99 ? 1 : 2;
        if (op->kind == 1)
            snprintf(op->value, sizeof op->value, "p%d;", i);
        else if (op->kind == 2)
            snprintf(op->value, sizeof op->value, "a%d;", i);
        if (op->outcome != 0) {
            op->complete = op->invoke + 50000; /* the client gave up */
            process[c] = next_process++;       /* and goes on as a new process */
        }
        clock[c] = op->complete;
        by_at[i] = op;
    }
    /* Apply the ops in the order they take effect. */
    qsort(by_at, (size_t)n, sizeof *by_at, compare_at);
    char **value = calloc((size_t)keys, sizeof *value);
    for (int i = 0; i < n; i++) {
        struct wop *op = by_at[i];
        char **v = &value[op->key];
        if (op->kind == 0) {
            op->result = *v ? strdup(*v) : NULL;
        } else if (op->outcome != 2) {
            size_t old = op->kind == 2 && *v ? strlen(*v) : 0;
            char *next = malloc(old + strlen(op->value) + 1);
            memcpy(next, *v ? *v : "", old);
            strcpy(next + old, op->value);
            free(*v);
            *v = next;
        }
    }
    if (stale) {
        /* The last ok get of key 0 returns what the first non-empty one saw. */
        struct wop *first = NULL, *last = NULL;
        for (int i = 0; i < n; i++) {
            struct wop *op = by_at[i];
            if (op->kind == 0 && op->key == 0 && op->outcome == 0 && op->result) {
                if (first == NULL)
                    first = op;
                last = op;
            }
        }
        if (first && last && first != last && strcmp(first->result, last->result) != 0) {
            free(last->result);
            last->result = strdup(first->result);
        }
    }
    struct wevent *ev = malloc(2 * (size_t)n * sizeof *ev);
    for (int i = 0; i < n; i++) {
        ev[2 * i] = (struct wevent){ops[i].invoke, i, 0};
        ev[2 * i + 1] = (struct wevent){ops[i].complete, i, 1};
    }
    qsort(ev, 2 * (size_t)n, sizeof *ev, compare_wevents);
    static const char *const fns[] = {"get", "put", "append"};
    struct check_buf b;
    check_buf_init(&b);
    for (int e = 0; e < 2 * n; e++) {
        const struct wop *op = &ops[ev[e].op];
        const char *type = !ev[e].completion ? "invoke" : op->outcome == 0 ? "ok" : "info";
        check_buf_printf(&b, "{\"index\":%d,\"time\":%" PRId64 ",\"process\":%d,\"type\":\"%s\",\"f\":\"%s\",\"key\":\"k%d\",\"value\":",
                         e, ev[e].time, op->process, type, fns[op->kind], op->key);
        if (op->kind != 0)
            check_buf_printf(&b, "\"%s\"}\n", op->value);
        else if (ev[e].completion && op->outcome == 0 && op->result)
            check_buf_printf(&b, "\"%s\"}\n", op->result);
        else
            check_buf_printf(&b, "null}\n");
    }
    for (int i = 0; i < n; i++)
        free(ops[i].result);
    for (int k = 0; k < keys; k++)
        free(value[k]);
    free(value);
    free(ev);
    free(ops);
    free(by_at);
    free(clock);
    free(process);
    *len = b.len;
    return check_buf_take(&b);
}

/* Checks a generated history `runs` times (under a 10 s budget) and
 * prints the median time. */
static void bench_generated(const char *what, const char *text, size_t len, double target_ms,
                            int runs)
{
    double times[RUNS];
    enum check_verdict verdict = CHECK_UNKNOWN;
    size_t peak_bytes = 0;
    struct check_options opt = {.timeout_us = 10000000, .max_bytes = (size_t)4 << 30};
    for (int run = 0; run < runs; run++)
        times[run] = check_once(what, text, len, &opt, &verdict, &peak_bytes);
    double t = median(times, (size_t)runs);
    printf("  %-44s %8.2f ms  %-17s search memory %6zu KiB", what, t * 1e3,
           check_verdict_name(verdict), peak_bytes / 1024);
    if (target_ms > 0)
        printf("   target < %.0f ms   %s", target_ms, t * 1e3 < target_ms ? "ok" : "MISSED");
    printf("\n");
}

static void bench_consistency(const char *what, const char *text, size_t len)
{
    double times[RUNS];
    size_t stale = 0;
    char err[1024];
    struct check_history h;
    if (check_history_read_buffer(&h, what, text, len, CHECK_FORMAT_AUTO, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        exit(2);
    }
    for (int run = 0; run < RUNS; run++) {
        double t0 = now();
        struct check_consistency c;
        if (check_consistency_run(&h, &c, err, sizeof err) != 0) {
            fprintf(stderr, "%s\n", err);
            exit(2);
        }
        times[run] = now() - t0;
        stale = c.stale_reads;
        check_consistency_close(&c);
    }
    check_history_close(&h);
    printf("  %-44s %8.2f ms  (%zu stale reads)\n", what, median(times, RUNS) * 1e3, stale);
}

int main(void)
{
    printf("faultline checker benchmark (median of %d runs; times include parsing)\n\n", RUNS);
    bench_etcd();

    printf("\ngenerated kv histories (~3%% of ops time out; each key checked alone):\n");
    size_t len;
    char *kv = generate_kv(1, 50, 3500, 10, false, &len);
    bench_generated("50 clients, 3 500 events, 10 keys", kv, len, 100, RUNS);
    char *kv_stale = generate_kv(1, 50, 3500, 10, true, &len);
    bench_generated("same with one stale get", kv_stale, len, 100, RUNS);
    free(kv_stale);
    char *kv_big = generate_kv(3, 50, 100000, 100, false, &len);
    bench_generated("50 clients, 100 000 events, 100 keys", kv_big, len, 0, 5);

    printf("  peak resident memory so far (the targets above): %ld KiB\n", peak_rss_kib());

    printf("\none key only (no partitioning; concurrency grows with clients; 10 s budget):\n");
    int clients[] = {10, 20, 30, 40, 50};
    for (size_t c = 0; c < sizeof clients / sizeof clients[0]; c++) {
        char what[64];
        snprintf(what, sizeof what, "%d clients, 3 500 events, 1 key", clients[c]);
        char *one = generate_kv(2, clients[c], 3500, 1, false, &len);
        bench_generated(what, one, len, 0, 5);
        free(one);
    }
    /* Issue 10: 50 clients on one key used to end unknown after 10 s;
     * Porcupine decides its 50-client kv histories in well under a second. */
    char *one = generate_kv(4, 50, 2000, 1, false, &len);
    bench_generated("50 clients, 2 000 events, 1 key", one, len, 100, RUNS);
    free(one);
    char *one_stale = generate_kv(4, 50, 2000, 1, true, &len);
    bench_generated("same with one stale get", one_stale, len, 100, RUNS);
    free(one_stale);

    printf("\nconsistency report (stale reads, sessions):\n");
    size_t kv_len = strlen(kv);
    bench_consistency("3 500 events, 10 keys", kv, kv_len);
    bench_consistency("100 000 events, 100 keys", kv_big, strlen(kv_big));
    free(kv);
    free(kv_big);

    printf("\npeak resident memory of this whole process (the one-key stress included): %ld KiB\n",
           peak_rss_kib());
    return 0;
}
