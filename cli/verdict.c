/* verdict.c - hands a run's history to the checkers (check/) and copies
 * their verdicts into the run result: linearizability with an explanation,
 * the stale-read count of the consistency report, and lost writes. */
#include "cli/verdict.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"

/* How long a quoted value may be before it is abbreviated, how many of
 * its ';'-separated tokens are kept from each end, and how many of the
 * tokens that tell it from the other long values are kept in between. */
#define VALUE_LONG 40
#define TOKENS_HEAD 3
#define TOKENS_TAIL 2
#define TOKENS_TELLING 6
#define LONG_VALUES 64

/* Appends to out[*o] what fits, keeping room for the NUL. */
static void put(char *out, size_t cap, size_t *o, const char *s, size_t n)
{
    if (*o + 1 >= cap)
        return;
    if (n > cap - 1 - *o)
        n = cap - 1 - *o;
    memcpy(out + *o, s, n);
    *o += n;
    out[*o] = '\0';
}

struct span {
    const char *at;
    size_t len;
};

/* A list value: long, several tokens, each ending in ';'. */
static bool is_long_list(const char *v, size_t len)
{
    size_t tokens = 0;
    for (size_t i = 0; i < len; i++)
        tokens += v[i] == ';';
    return len > VALUE_LONG && tokens > TOKENS_HEAD + TOKENS_TAIL && v[len - 1] == ';';
}

/* Whether list value v holds the token t (with its ';'), whole. */
static bool has_token(struct span v, const char *t, size_t tlen)
{
    for (size_t i = 0; i + tlen <= v.len; i++)
        if ((i == 0 || v.at[i - 1] == ';') && memcmp(v.at + i, t, tlen) == 0)
            return true;
    return false;
}

/* One list value shortened in its middle: its first and last tokens, and
 * the tokens that not every other long list in the text holds (what tells
 * "v1;…;v134;v135;…;v149;" from "v1;…;v149;"); each run of other tokens
 * becomes "…;" when that is shorter. */
static void abbreviate_list(struct span v, const struct span *all, int nall, char *out,
                            size_t cap, size_t *o)
{
    static const char elided[] = "…;";
    size_t total = 0;
    for (size_t i = 0; i < v.len; i++)
        total += v.at[i] == ';';
    size_t index = 0, telling = 0;
    const char *run = NULL; /* the start of the tokens being skipped */
    for (const char *t = v.at; t < v.at + v.len; index++) {
        const char *semi = memchr(t, ';', (size_t)(v.at + v.len - t));
        size_t tlen = (size_t)(semi - t) + 1;
        bool keep = index < TOKENS_HEAD || index >= total - TOKENS_TAIL;
        if (!keep && telling < TOKENS_TELLING) {
            for (int k = 0; k < nall && !keep; k++)
                keep = !has_token(all[k], t, tlen);
            telling += keep;
        }
        if (keep && run) {
            if ((size_t)(t - run) > sizeof elided - 1)
                put(out, cap, o, elided, sizeof elided - 1);
            else
                put(out, cap, o, run, (size_t)(t - run));
            run = NULL;
        }
        if (keep)
            put(out, cap, o, t, tlen);
        else if (!run)
            run = t;
        t += tlen;
    }
}

/* Any other long value: its two ends. */
static void abbreviate_text(struct span v, char *out, size_t cap, size_t *o)
{
    static const char ellipsis[] = "…";
    if (v.len <= VALUE_LONG) {
        put(out, cap, o, v.at, v.len);
        return;
    }
    put(out, cap, o, v.at, VALUE_LONG / 2);
    put(out, cap, o, ellipsis, sizeof ellipsis - 1);
    put(out, cap, o, v.at + v.len - (VALUE_LONG / 2 - 4), VALUE_LONG / 2 - 4);
}

/* The next quoted value on one line at or after in: its opening quote and
 * its span, or NULL when there is none. */
static const char *next_value(const char *in, struct span *v)
{
    for (const char *q = strchr(in, '"'); q; q = strchr(q + 1, '"')) {
        const char *end = q + 1;
        while (*end && *end != '"' && *end != '\n')
            end += end[0] == '\\' && end[1] ? 2 : 1;
        if (*end == '"') {
            *v = (struct span){q + 1, (size_t)(end - q - 1)};
            return q;
        }
        if (!*end)
            return NULL;
    }
    return NULL;
}

void verdict_abbreviate_values(const char *in, char *out, size_t cap)
{
    struct span lists[LONG_VALUES], v;
    int nlists = 0;
    for (const char *p = in; next_value(p, &v); p = v.at + v.len + 1)
        if (is_long_list(v.at, v.len) && nlists < LONG_VALUES)
            lists[nlists++] = v;
    size_t o = 0;
    if (cap)
        out[0] = '\0';
    while (next_value(in, &v)) {
        put(out, cap, &o, in, (size_t)(v.at - in));
        if (is_long_list(v.at, v.len))
            abbreviate_list(v, lists, nlists, out, cap, &o);
        else
            abbreviate_text(v, out, cap, &o);
        put(out, cap, &o, "\"", 1);
        in = v.at + v.len + 1;
    }
    put(out, cap, &o, in, strlen(in));
}

/* Copies text into out; when it does not fit, ends at the last whole line
 * that does and says so, rather than cutting a line in the middle. */
static void copy_lines(const char *text, char *out, size_t cap)
{
    static const char cut[] = "… (cut: `faultline check` on the --history file explains it all)";
    assert(cap > sizeof cut + 1);
    if ((size_t)snprintf(out, cap, "%s", text) < cap)
        return;
    char *nl = out + cap - sizeof cut - 1;
    *nl = '\0';
    nl = strrchr(out, '\n');
    snprintf(nl ? nl + 1 : out, cap - (size_t)((nl ? nl + 1 : out) - out), "%s", cut);
}

/* The checker's full explanation lists the whole linearizable prefix; a run
 * summary needs its end only: the last two ops placed, then the op that
 * cannot be placed and what runs concurrently with it. */
static void compact_explanation(const char *text, char *out, size_t cap)
{
    const char *head = strstr(text, "Longest linearizable prefix found:");
    const char *stuck = strstr(text, "Cannot be placed next:");
    char *whole = NULL;
    if (head && stuck && stuck > head) {
        long ops = strtol(head + strlen("Longest linearizable prefix found:"), NULL, 10);
        /* Step back over four non-blank lines (two ops, each with its state). */
        const char *from = stuck;
        int lines = 0;
        while (from > head && lines < 4) {
            const char *end = from - 1; /* the newline ending the line above */
            const char *start = end;
            while (start > head && start[-1] != '\n')
                start--;
            if (end > start) /* not blank */
                lines++;
            from = start;
        }
        size_t need = (size_t)(stuck - from) + strlen(stuck) + 64;
        if ((whole = malloc(need)))
            snprintf(whole, need, "After %ld operations that linearize, ending with:\n%.*s%s",
                     ops, (int)(stuck - from), from, stuck);
    }
    const char *shown = whole ? whole : text;
    /* long list values shortened in their middle, told apart by what they
     * do not share with the other values shown */
    char *brief = malloc(strlen(shown) + 1);
    if (brief)
        verdict_abbreviate_values(shown, brief, strlen(shown) + 1);
    copy_lines(brief ? brief : shown, out, cap);
    free(brief);
    free(whole);
}

/* "k2 v141, k2 v143, k1 v150" for the first lost appends, in history
 * order (at most RUN_LOST_NAMED, fewer when they do not fit). */
static void name_lost(const struct check_history *h, const struct check_lost *lost,
                      struct run_result *r)
{
    size_t o = 0, cap = sizeof r->lost_named;
    r->lost_named[0] = '\0';
    for (size_t i = 0; i < lost->n_lost_ops && i < RUN_LOST_NAMED; i++) {
        const struct check_op *op = &h->ops[lost->lost_ops[i]];
        const char *key = check_history_string(h, op->key);
        const char *token = check_history_string(h, op->arg.str);
        char one[96]; /* "k2 v141", the token without its ';' */
        size_t tlen = token ? strlen(token) : 0;
        if (tlen && token[tlen - 1] == ';')
            tlen--;
        int n = snprintf(one, sizeof one, "%s%s %.*s", i ? ", " : "", key ? key : "?",
                         (int)(token ? tlen : 1), token ? token : "?");
        if (n < 0 || (size_t)n >= cap - o)
            break;
        put(r->lost_named, cap, &o, one, (size_t)n);
    }
}

void verdict_check(const char *history, size_t len, const char *name, double timeout_s,
                   struct run_result *r)
{
    struct check_history h;
    char err[512];
    if (check_history_read_buffer(&h, name, history, len, CHECK_FORMAT_JSONL, err, sizeof err)) {
        /* Our own history should always parse; say so rather than guess. */
        r->linearizable = VERDICT_UNKNOWN;
        snprintf(r->lin_detail, sizeof r->lin_detail, "history could not be read: %s", err);
        return;
    }
    struct check_options opt = {0};
    opt.timeout_us = (int64_t)(timeout_s * 1e6);
    opt.max_bytes = (size_t)2 << 30; /* past 2 GiB of search memory: unknown */
    struct check_result res;
    if (check_linearizability(&h, &opt, &res, err, sizeof err) == 0) {
        switch (res.verdict) {
        case CHECK_LINEARIZABLE:
            r->linearizable = VERDICT_YES;
            break;
        case CHECK_NOT_LINEARIZABLE: {
            r->linearizable = VERDICT_NO;
            char *text = check_explain_text(&h, &res);
            if (text) {
                compact_explanation(text, r->lin_detail, sizeof r->lin_detail);
                free(text);
            }
            break;
        }
        default:
            r->linearizable = VERDICT_UNKNOWN;
            break;
        }
        check_result_close(&res);
    } else {
        r->linearizable = VERDICT_UNKNOWN;
        snprintf(r->lin_detail, sizeof r->lin_detail, "%s", err);
    }
    struct check_consistency cons;
    if (check_consistency_run(&h, &cons, err, sizeof err) == 0) {
        r->stale_reads = (int64_t)cons.stale_reads;
        check_consistency_close(&cons);
    }
    struct check_lost lost;
    if (check_lost_writes(&h, &lost, err, sizeof err) == 0 && lost.keys_judged > 0) {
        r->lost_writes = (int64_t)lost.lost;
        name_lost(&h, &lost, r);
    }
    check_history_close(&h);
}
