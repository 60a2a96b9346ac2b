/* sweep_report.c - the sweep's report: totals, reasons, the invariants that
 * broke, and every failing seed with a command that reproduces it; text or
 * JSON. Deterministic: the same sweep prints the same report however it
 * was split across workers and ranks. */
#include "cli/sweep_report.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct {
    unsigned bit;
    const char *key, *text;
} reasons[] = {
    {SWEEP_VIOLATION, "violation", "invariant violated"},
    {SWEEP_NOT_LINEARIZABLE, "not_linearizable", "not linearizable"},
    {SWEEP_EXPECT, "expectation", "expectation not met"},
    {SWEEP_ERROR, "error", "run error"},
};
#define NREASONS (sizeof reasons / sizeof reasons[0])

uint64_t sweep_report_covered(const struct sweep_report *rep)
{
    const struct sweep_config *c = rep->cfg;
    uint64_t last = c->last;
    if (c->stop_at_first && rep->outcome->stop != UINT64_MAX && rep->outcome->stop < last)
        last = rep->outcome->stop;
    return last - c->first + 1;
}

uint64_t sweep_report_failures(const struct sweep_report *rep)
{
    uint64_t n = 0;
    for (size_t i = 0; i < rep->outcome->nbad; i++)
        n += sweep_failed(&rep->outcome->bad[i]);
    return n;
}

/* ---- command lines ------------------------------------------------------------------- */

void sweep_shell_arg(char *buf, size_t cap, const char *arg)
{
    size_t used = strlen(buf);
    bool plain = *arg != '\0';
    for (const char *p = arg; *p; p++)
        if (!(('a' <= *p && *p <= 'z') || ('A' <= *p && *p <= 'Z') || ('0' <= *p && *p <= '9') ||
              strchr("_./:=@%+-,", *p)))
            plain = false;
    if (plain) {
        snprintf(buf + used, cap > used ? cap - used : 0, "%s", arg);
        return;
    }
    /* 'it'\''s' */
    if (used + 1 < cap)
        buf[used++] = '\'';
    for (const char *p = arg; *p && used + 5 < cap; p++) {
        if (*p == '\'') {
            memcpy(buf + used, "'\\''", 4);
            used += 4;
        } else
            buf[used++] = *p;
    }
    if (used + 1 < cap)
        buf[used++] = '\'';
    buf[used < cap ? used : cap - 1] = '\0';
}

const char *sweep_self_command(char *buf, size_t cap)
{
    char exe[PATH_MAX], cwd[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        snprintf(buf, cap, "faultline");
        return buf;
    }
    exe[n] = '\0';
    buf[0] = '\0';
    size_t cl;
    if (getcwd(cwd, sizeof cwd) && (cl = strlen(cwd)) > 1 && strncmp(exe, cwd, cl) == 0 &&
        exe[cl] == '/') {
        /* "./faultline": a bare name would be looked up on PATH instead */
        if (!strchr(exe + cl + 1, '/'))
            snprintf(buf, cap, "./");
        sweep_shell_arg(buf, cap, exe + cl + 1);
    }
    else
        sweep_shell_arg(buf, cap, exe);
    return buf;
}

void sweep_report_reproduce(const struct sweep_report *rep, uint64_t seed, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s run ", rep->command ? rep->command : "faultline");
    sweep_shell_arg(buf, cap, rep->cfg->scenario_path ? rep->cfg->scenario_path : "SCENARIO");
    size_t used = strlen(buf);
    snprintf(buf + used, cap - used, " --seed %llu", (unsigned long long)seed);
    if (rep->cfg->duration > 0) {
        char d[32];
        scenario_format_duration(rep->cfg->duration, d, sizeof d);
        used = strlen(buf);
        snprintf(buf + used, cap - used, " --duration %s", d);
    }
}

/* ---- counting ------------------------------------------------------------------------ */

struct tally {
    uint64_t failed, undecided;
    uint64_t by_reason[NREASONS];
    char names[16][32];     /* invariants broken first, in order of first seen */
    uint64_t counts[16];
    int nnames;
};

static void tally(const struct sweep_report *rep, struct tally *t)
{
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < rep->outcome->nbad; i++) {
        const struct sweep_seed *s = &rep->outcome->bad[i];
        if (!sweep_failed(s)) {
            t->undecided++;
            continue;
        }
        t->failed++;
        for (size_t k = 0; k < NREASONS; k++)
            if (s->reasons & reasons[k].bit)
                t->by_reason[k]++;
        if (!(s->reasons & SWEEP_VIOLATION))
            continue;
        int j = 0;
        while (j < t->nnames && strcmp(t->names[j], s->invariant) != 0)
            j++;
        if (j == t->nnames && t->nnames < 16)
            snprintf(t->names[t->nnames++], sizeof t->names[0], "%s", s->invariant);
        if (j < t->nnames)
            t->counts[j]++;
    }
}

/* ---- text ---------------------------------------------------------------------------- */

void sweep_report_text(FILE *out, const struct sweep_report *rep, bool color)
{
    const char *bold = color ? "\033[1m" : "", *red = color ? "\033[31m" : "",
               *green = color ? "\033[32m" : "", *dim = color ? "\033[2m" : "",
               *reset = color ? "\033[0m" : "";
    const struct sweep_config *c = rep->cfg;
    const struct scenario *sc = c->sc;
    struct tally t;
    tally(rep, &t);
    uint64_t covered = sweep_report_covered(rep);
    uint64_t passed = covered - t.failed - t.undecided;

    fprintf(out, "%ssweep %s%s: %s on %d node%s, seeds %llu..%llu\n", bold, sc->name, reset,
            sc->protocol, sc->nodes, sc->nodes == 1 ? "" : "s", (unsigned long long)c->first,
            (unsigned long long)c->last);
    if (c->stop_at_first && t.failed)
        fprintf(out, "  stopped at the first failing seed, %llu: seeds %llu..%llu were run\n",
                (unsigned long long)(c->first + covered - 1), (unsigned long long)c->first,
                (unsigned long long)(c->first + covered - 1));
    fprintf(out, "  %llu seed%s: %s%llu passed%s · %s%llu failed%s", (unsigned long long)covered,
            covered == 1 ? "" : "s", green, (unsigned long long)passed, reset,
            t.failed ? red : "", (unsigned long long)t.failed, t.failed ? reset : "");
    if (t.undecided)
        fprintf(out, " · %llu undecided (the checker's budget ran out)",
                (unsigned long long)t.undecided);
    fprintf(out, "\n");
    if (t.failed) {
        fprintf(out, "  why (a seed may have several reasons):");
        int shown = 0;
        for (size_t k = 0; k < NREASONS; k++)
            if (t.by_reason[k])
                fprintf(out, "%s %s %llu", shown++ ? " ·" : "", reasons[k].text,
                        (unsigned long long)t.by_reason[k]);
        fprintf(out, "\n");
    }
    if (t.nnames) {
        fprintf(out, "  first invariant broken:");
        for (int j = 0; j < t.nnames; j++)
            fprintf(out, "%s %s (%llu seed%s)", j ? "," : "", t.names[j],
                    (unsigned long long)t.counts[j], t.counts[j] == 1 ? "" : "s");
        fprintf(out, "\n");
    }
    if (!t.failed && !t.undecided)
        return;
    int show = rep->show == 0 ? 20 : rep->show;
    if (t.failed) {
        fprintf(out, "\n%sfailing seeds%s\n", bold, reset);
        int shown = 0;
        for (size_t i = 0; i < rep->outcome->nbad; i++) {
            const struct sweep_seed *s = &rep->outcome->bad[i];
            if (!sweep_failed(s))
                continue;
            if (show >= 0 && shown == show) {
                fprintf(out, "  %s... %llu more (--show all, or --json)%s\n", dim,
                        (unsigned long long)(t.failed - (uint64_t)shown), reset);
                break;
            }
            char cmd[1200];
            sweep_report_reproduce(rep, s->seed, cmd, sizeof cmd);
            fprintf(out, "  seed %-8llu %s%s%s\n  %14s%s%s%s\n", (unsigned long long)s->seed, red,
                    s->detail[0] ? s->detail : "failed", reset, "", dim, cmd, reset);
            shown++;
        }
    }
    if (t.undecided) {
        fprintf(out, "\n%sundecided seeds%s (the checker gave up; --check-timeout raises its budget):",
                bold, reset);
        uint64_t shown = 0;
        for (size_t i = 0; i < rep->outcome->nbad; i++) {
            const struct sweep_seed *s = &rep->outcome->bad[i];
            if (sweep_failed(s))
                continue;
            if (show >= 0 && shown == (uint64_t)show) {
                fprintf(out, " ...");
                break;
            }
            fprintf(out, " %llu", (unsigned long long)s->seed);
            shown++;
        }
        fprintf(out, "\n");
    }
}

/* ---- JSON ---------------------------------------------------------------------------- */

static const char *const verdict_names[] = {"no", "yes", "unknown"};

cJSON *sweep_report_json(const struct sweep_report *rep)
{
    const struct sweep_config *c = rep->cfg;
    struct tally t;
    tally(rep, &t);
    uint64_t covered = sweep_report_covered(rep);
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return NULL;
    cJSON_AddStringToObject(root, "scenario", c->sc->name);
    cJSON_AddStringToObject(root, "file", c->scenario_path ? c->scenario_path : "");
    cJSON_AddStringToObject(root, "protocol", c->sc->protocol);
    cJSON_AddNumberToObject(root, "first_seed", (double)c->first);
    cJSON_AddNumberToObject(root, "last_seed", (double)c->last);
    cJSON_AddBoolToObject(root, "stop_at_first", c->stop_at_first);
    cJSON_AddNumberToObject(root, "seeds", (double)covered);
    cJSON_AddNumberToObject(root, "passed", (double)(covered - t.failed - t.undecided));
    cJSON_AddNumberToObject(root, "failed", (double)t.failed);
    cJSON_AddNumberToObject(root, "undecided", (double)t.undecided);
    cJSON *why = cJSON_AddObjectToObject(root, "reasons");
    for (size_t k = 0; why && k < NREASONS; k++)
        cJSON_AddNumberToObject(why, reasons[k].key, (double)t.by_reason[k]);
    cJSON *inv = cJSON_AddObjectToObject(root, "invariants");
    for (int j = 0; inv && j < t.nnames; j++)
        cJSON_AddNumberToObject(inv, t.names[j], (double)t.counts[j]);
    cJSON *fails = cJSON_AddArrayToObject(root, "failures");
    cJSON *und = cJSON_AddArrayToObject(root, "undecided_seeds");
    for (size_t i = 0; fails && und && i < rep->outcome->nbad; i++) {
        const struct sweep_seed *s = &rep->outcome->bad[i];
        if (!sweep_failed(s)) {
            cJSON_AddItemToArray(und, cJSON_CreateNumber((double)s->seed));
            continue;
        }
        cJSON *f = cJSON_CreateObject();
        if (!f)
            break;
        cJSON_AddNumberToObject(f, "seed", (double)s->seed);
        cJSON *rs = cJSON_AddArrayToObject(f, "reasons");
        for (size_t k = 0; rs && k < NREASONS; k++)
            if (s->reasons & reasons[k].bit)
                cJSON_AddItemToArray(rs, cJSON_CreateString(reasons[k].key));
        if (s->invariant[0])
            cJSON_AddStringToObject(f, "invariant", s->invariant);
        if (s->fail_at >= 0)
            cJSON_AddNumberToObject(f, "violation_at_us", (double)s->fail_at);
        if (s->violations)
            cJSON_AddNumberToObject(f, "violations", s->violations);
        if (s->linearizable >= 0 && s->linearizable <= 2)
            cJSON_AddStringToObject(f, "linearizable", verdict_names[s->linearizable]);
        if (s->failed[0]) {
            cJSON *keys = cJSON_AddArrayToObject(f, "failed_expectations");
            char tmp[sizeof s->failed];
            snprintf(tmp, sizeof tmp, "%s", s->failed);
            for (char *save = NULL, *k = strtok_r(tmp, ", ", &save); keys && k;
                 k = strtok_r(NULL, ", ", &save))
                cJSON_AddItemToArray(keys, cJSON_CreateString(k));
        }
        cJSON_AddStringToObject(f, "detail", s->detail);
        char cmd[1200];
        sweep_report_reproduce(rep, s->seed, cmd, sizeof cmd);
        cJSON_AddStringToObject(f, "reproduce", cmd);
        cJSON_AddItemToArray(fails, f);
    }
    return root;
}
