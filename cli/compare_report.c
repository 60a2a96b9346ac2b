/* compare_report.c - the comparison as a text table (columns sized to fit,
 * mean ± sd over seeds), as CSV and as JSON, the recovery after each fault
 * per protocol, and the chart of ok operations over time. */
#include "cli/compare_report.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "viz/plot.h"

/* The last column, "role faults", is printed only when a fault names a role. */
enum { NCOLS = 16, ROLE_COL = 15, CELL = 160 };

static const char *const headers[NCOLS] = {
    "protocol", "answered", "writes answered", "write gap", "gap", "ok ops/s", "p50", "p99", "msgs/op",
    "recovery", "violations", "linearizable", "stale", "lost", "blocked", "role faults"};

static bool single(const struct compare *cmp)
{
    return cmp->first == cmp->last;
}

/* ---- cells ------------------------------------------------------------------------------ */

static void fmt_secs(double s, char *buf, size_t cap)
{
    if (s < 1.0)
        snprintf(buf, cap, "%.0fms", s * 1000.0);
    else
        snprintf(buf, cap, "%.2fs", s);
}

enum unit { U_PCT, U_SECS, U_MS, U_NUM1, U_INT };

static void fmt_value(double v, enum unit u, char *buf, size_t cap)
{
    switch (u) {
    case U_PCT: snprintf(buf, cap, "%.1f%%", v * 100.0); break;
    case U_SECS: fmt_secs(v, buf, cap); break;
    case U_MS: snprintf(buf, cap, v < 10 ? "%.1fms" : "%.0fms", v); break;
    case U_NUM1: snprintf(buf, cap, "%.1f", v); break;
    case U_INT: snprintf(buf, cap, "%.0f", v); break;
    }
}

/* "97.1%", or over seeds "97.1% ±1.2" (the spread in the same unit). */
static void fmt_stat(const struct compare_stat *s, enum unit u, bool one, char *buf, size_t cap)
{
    if (s->n == 0) {
        snprintf(buf, cap, "-");
        return;
    }
    char m[32], d[32];
    fmt_value(s->mean, u, m, sizeof m);
    if (one || s->n < 2) {
        snprintf(buf, cap, "%s", m);
        return;
    }
    switch (u) { /* the spread in the mean's unit */
    case U_PCT: snprintf(d, sizeof d, "%.1f%%", s->sd * 100.0); break;
    case U_SECS: fmt_secs(s->sd, d, sizeof d); break;
    case U_MS: snprintf(d, sizeof d, s->sd < 10 ? "%.1fms" : "%.0fms", s->sd); break;
    default: snprintf(d, sizeof d, "%.1f", s->sd); break;
    }
    snprintf(buf, cap, "%s ±%s", m, d);
}

/* ---- faults that name a role -------------------------------------------------------------- */

static bool any_role_fault(const struct compare *cmp)
{
    for (int i = 0; i < cmp->nrows; i++)
        for (int k = 0; k < cmp->rows[i].nruns; k++)
            for (int f = 0; f < cmp->rows[i].runs[k].nfaults; f++)
                if (cmp->rows[i].runs[k].faults[f].role[0])
                    return true;
    return false;
}

/* The m-th fault of `r` that names a role, or NULL. */
static const struct compare_fault *role_fault(const struct compare_run *r, int m)
{
    for (int f = 0; !r->error && f < r->nfaults; f++)
        if (r->faults[f].role[0] && !r->faults[f].end && m-- == 0)
            return &r->faults[f];
    return NULL;
}

/* What the m-th role fault did in one run: "isolate → n3" or "isolate
 * skipped: no leader". Returns false when the run has no such fault. */
static bool role_outcome(const struct compare_run *r, int m, char *buf, size_t cap)
{
    const struct compare_fault *f = role_fault(r, m);
    if (!f)
        return false;
    if (f->skipped)
        snprintf(buf, cap, "%s skipped: no %s", f->kind, f->role);
    else
        snprintf(buf, cap, "%s \u2192 %s", f->kind, f->target[0] ? f->target : "?");
    return true;
}

/* The m-th role fault of a row over its seeds: the one outcome, or each
 * outcome with how many seeds had it ("isolate → n3 ×2, skipped ×1").
 * Returns false past the row's last role fault. */
static bool role_summary(const struct compare_row *row, int m, char *buf, size_t cap)
{
    enum { MAX_SEEN = 6 };
    char seen[MAX_SEEN][64];
    int count[MAX_SEEN] = {0}, nseen = 0, other = 0;
    const struct compare_fault *first = NULL;
    for (int k = 0; k < row->nruns; k++) {
        char o[64];
        if (!role_outcome(&row->runs[k], m, o, sizeof o))
            continue;
        if (!first)
            first = role_fault(&row->runs[k], m);
        int j = 0;
        while (j < nseen && strcmp(seen[j], o) != 0)
            j++;
        if (j == nseen && nseen < MAX_SEEN)
            snprintf(seen[nseen++], sizeof seen[0], "%s", o);
        if (j < nseen)
            count[j]++;
        else
            other++;
    }
    if (!first)
        return false;
    if (nseen == 1 && !other) {
        snprintf(buf, cap, "%s", seen[0]);
        return true;
    }
    size_t used = (size_t)snprintf(buf, cap, "%s", first->kind);
    for (int j = 0; j < nseen && used < cap; j++) {
        /* the outcome without the fault's name: "→ n3", "skipped: no leader" */
        const char *what = seen[j] + strlen(first->kind) + 1;
        used += (size_t)snprintf(buf + used, cap - used, "%s %s \u00d7%d", j ? "," : "", what, count[j]);
    }
    if (other && used < cap)
        snprintf(buf + used, cap - used, ", others \u00d7%d", other);
    return true;
}

/* Every role fault of a row, "; "-separated, or "" when none. */
static void role_cell(const struct compare_row *row, char *buf, size_t cap)
{
    buf[0] = '\0';
    size_t used = 0;
    char one[CELL];
    for (int m = 0; used < cap && role_summary(row, m, one, sizeof one); m++)
        used += (size_t)snprintf(buf + used, cap - used, "%s%s", m ? "; " : "", one);
}

/* How a fault reads in a list common to every row: a role fault names the
 * role, not the node it hit in one protocol's run. */
static void fault_label(const struct compare_fault *f, char *buf, size_t cap)
{
    if (f->role[0] && f->end)
        snprintf(buf, cap, "end of: %s the %s", f->kind, f->role);
    else if (f->role[0])
        snprintf(buf, cap, "%s the %s (each protocol's own: see role faults)", f->kind, f->role);
    else
        snprintf(buf, cap, "%s", f->text);
}

/* The run whose faults head the recovery list and mark the chart: the
 * first seed's run with the most fault entries (a role fault skipped in
 * one row has no end there). NULL when no run ran. */
static const struct compare_run *base_run(const struct compare *cmp)
{
    const struct compare_run *base = NULL;
    for (int i = 0; i < cmp->nrows; i++)
        if (cmp->rows[i].nruns && !cmp->rows[i].runs[0].error &&
            (!base || cmp->rows[i].runs[0].nfaults > base->nfaults))
            base = &cmp->rows[i].runs[0];
    return base;
}

/* The fault of `r` that is base's fault `f`: the same instant, the same
 * place among that instant's faults. NULL when `r` has none there. */
static const struct compare_fault *same_fault(const struct compare_run *r,
                                              const struct compare_run *base, int f)
{
    int k = 0;
    for (int j = 0; j < f; j++)
        k += base->faults[j].at == base->faults[f].at;
    for (int j = 0; r && !r->error && j < r->nfaults; j++)
        if (r->faults[j].at == base->faults[f].at && k-- == 0)
            return &r->faults[j];
    return NULL;
}

static void row_cells(const struct compare *cmp, const struct compare_row *row, char cells[NCOLS][CELL])
{
    bool one = single(cmp);
    const struct compare_run *r = row->nruns ? &row->runs[0] : NULL;
    snprintf(cells[0], CELL, "%s", row->label);
    fmt_stat(&row->availability, U_PCT, one, cells[1], CELL);
    fmt_stat(&row->write_availability, U_PCT, one, cells[2], CELL);
    fmt_stat(&row->longest_write_gap, U_SECS, one, cells[3], CELL);
    fmt_stat(&row->longest_gap, U_SECS, one, cells[4], CELL);
    fmt_stat(&row->throughput, U_NUM1, one, cells[5], CELL);
    fmt_stat(&row->p50, U_MS, one, cells[6], CELL);
    fmt_stat(&row->p99, U_MS, one, cells[7], CELL);
    fmt_stat(&row->msgs_per_op, U_NUM1, one, cells[8], CELL);
    fmt_stat(&row->recover_worst, U_SECS, one, cells[9], CELL);
    if (row->never_recovered) {
        char never[32];
        snprintf(never, sizeof never, "never x%d", row->never_recovered);
        if (row->recover_worst.n) {
            size_t used = strlen(cells[9]);
            snprintf(cells[9] + used, CELL - used, ", %s", never);
        } else
            snprintf(cells[9], CELL, "%s", never);
    }
    int ok_runs = row->nruns - row->errors;
    if (one) {
        if (!r || r->error)
            snprintf(cells[10], CELL, "-");
        else if (r->violations)
            snprintf(cells[10], CELL, "%d %s", r->violations, r->invariant);
        else
            snprintf(cells[10], CELL, "none");
        static const char *const v[] = {"NO", "yes", "unknown"};
        snprintf(cells[11], CELL, "%s", r && !r->error && r->linearizable >= 0 && r->linearizable <= 2
                                            ? v[r->linearizable] : "-");
    } else {
        snprintf(cells[10], CELL, "%d/%d seeds", row->seeds_violating, ok_runs);
        snprintf(cells[11], CELL, "%d/%d", row->seeds_linearizable, ok_runs);
        if (row->seeds_unknown) {
            size_t used = strlen(cells[11]);
            snprintf(cells[11] + used, CELL - used, " (%d unknown)", row->seeds_unknown);
        }
    }
    fmt_stat(&row->stale_reads, U_INT, one, cells[12], CELL);
    fmt_stat(&row->lost_writes, U_INT, one, cells[13], CELL);
    fmt_stat(&row->blocked, U_INT, one, cells[14], CELL);
    role_cell(row, cells[ROLE_COL], CELL);
}

/* ---- text -------------------------------------------------------------------------------- */

static bool ends_fault(const char *text)
{
    return strncmp(text, "recover ", 8) == 0 || strncmp(text, "heal", 4) == 0 ||
           strstr(text, "restored") || strstr(text, " is less slow") ||
           strstr(text, " is fast again") || strstr(text, " eases") || strstr(text, " ends");
}

static void print_params(FILE *out, const struct compare_row *row, int label_w)
{
    char *p = row->params ? cJSON_PrintUnformatted(row->params) : NULL;
    fprintf(out, "  %-*s  %s%s\n", label_w, row->label, p ? p : "its defaults",
            row->scenario_params ? "  (from the scenario, which runs this protocol)" : "");
    cJSON_free(p);
}

/* Recovery after each fault of the first seed: the faults numbered, then
 * one line per protocol, at most COLS faults to a block. */
static void print_recovery(FILE *out, const struct compare *cmp, int label_w, const char *bold,
                           const char *reset)
{
    const struct compare_run *base = base_run(cmp);
    if (!base || base->nfaults == 0)
        return;
    enum { MAX_FAULTS = 48, COLS = 10 };
    int nf = base->nfaults < MAX_FAULTS ? base->nfaults : MAX_FAULTS;
    fprintf(out, "\n%sfaults%s (seed %llu)\n", bold, reset, (unsigned long long)base->seed);
    for (int f = 0; f < nf; f++) {
        char at[32], label[160];
        scenario_format_time(base->faults[f].at, at, sizeof at);
        fault_label(&base->faults[f], label, sizeof label);
        fprintf(out, "  #%-3d %9s  %s\n", f + 1, at, label);
    }
    if (base->nfaults > nf)
        fprintf(out, "  ... %d more (--json lists every one)\n", base->nfaults - nf);
    fprintf(out, "\n%stime to recover after each fault%s: until the first write invoked after it "
            "completed ok (never: none did; -: none was invoked; skipped: the fault did nothing)\n",
            bold, reset);
    for (int from = 0; from < nf; from += COLS) {
        int to = from + COLS < nf ? from + COLS : nf;
        fprintf(out, "  %-*s", label_w, "");
        for (int f = from; f < to; f++) {
            char h[16];
            snprintf(h, sizeof h, "#%d", f + 1);
            fprintf(out, "  %7s", h);
        }
        fprintf(out, "\n");
        for (int i = 0; i < cmp->nrows; i++) {
            const struct compare_row *row = &cmp->rows[i];
            const struct compare_run *r = row->nruns ? &row->runs[0] : NULL;
            fprintf(out, "  %-*s", label_w, row->label);
            for (int f = from; f < to; f++) {
                char cell[32] = "";
                /* role-targeted faults differ per protocol: matched by instant */
                const struct compare_fault *rf = same_fault(r, base, f);
                if (rf && rf->skipped)
                    snprintf(cell, sizeof cell, "skipped");
                else if (rf && rf->recover == -1)
                    snprintf(cell, sizeof cell, "never");
                else if (rf && rf->recover == -2)
                    snprintf(cell, sizeof cell, "-");
                else if (rf)
                    fmt_secs((double)rf->recover / 1e6, cell, sizeof cell);
                fprintf(out, "  %7s", cell);
            }
            fprintf(out, "\n");
        }
    }
}

/* Columns a UTF-8 string takes on a terminal ("±", "→" and "×" take one). */
static int display_width(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void print_cell(FILE *out, const char *s, int width, bool left)
{
    int pad = width - display_width(s);
    if (!left)
        fprintf(out, "%*s", pad > 0 ? pad : 0, "");
    fputs(s, out);
    if (left)
        fprintf(out, "%*s", pad > 0 ? pad : 0, "");
}

void compare_report_text(FILE *out, const struct compare *cmp, bool color)
{
    const char *bold = color ? "\033[1m" : "", *dim = color ? "\033[2m" : "",
               *red = color ? "\033[31m" : "", *reset = color ? "\033[0m" : "";
    const struct scenario *sc = cmp->sc;
    char dur[32];
    scenario_format_duration(cmp->nrows ? cmp->rows[0].sc->duration : sc->duration, dur, sizeof dur);
    fprintf(out, "%scompare %s%s: %d nodes, %s", bold, sc->name, reset, sc->nodes, dur);
    if (single(cmp))
        fprintf(out, ", seed %llu\n", (unsigned long long)cmp->first);
    else
        fprintf(out, ", seeds %llu..%llu (mean ±sd over %llu seeds)\n", (unsigned long long)cmp->first,
                (unsigned long long)cmp->last, (unsigned long long)(cmp->last - cmp->first + 1));
    if (sc->title && *sc->title)
        fprintf(out, "  %s\n", sc->title);
    fprintf(out, "\n");

    /* the table, columns as wide as their widest cell */
    char(*cells)[NCOLS][CELL] = calloc((size_t)cmp->nrows + 1, sizeof *cells);
    if (!cells)
        return;
    for (int c = 0; c < NCOLS; c++)
        snprintf(cells[0][c], CELL, "%s", headers[c]);
    for (int i = 0; i < cmp->nrows; i++)
        row_cells(cmp, &cmp->rows[i], cells[i + 1]);
    bool roles = any_role_fault(cmp);
    int ncols = roles ? NCOLS : ROLE_COL, width[NCOLS] = {0};
    for (int i = 0; i <= cmp->nrows; i++)
        for (int c = 0; c < ncols; c++) {
            int len = display_width(cells[i][c]);
            if (len > width[c])
                width[c] = len;
        }
    for (int i = 0; i <= cmp->nrows; i++) {
        fprintf(out, "%s", i == 0 ? bold : "");
        for (int c = 0; c < ncols; c++) {
            fputs(c ? "  " : "", out);
            /* names left, numbers right; the last column left, unpadded */
            print_cell(out, cells[i][c], c == ROLE_COL ? 0 : width[c], c == 0 || c == ROLE_COL);
        }
        fprintf(out, "%s\n", i == 0 ? reset : "");
    }
    free(cells);
    if (roles)
        fprintf(out, "\n%srole faults: a fault that names a role (\"isolate\": \"leader\") hits the "
                "node holding that role when it fires in each protocol's own run, so each row says "
                "which node it hit (over seeds: how often each); \"skipped: no leader\": no up node "
                "held the role (a leaderless protocol such as quorum), the fault did nothing and "
                "the row ran without it%s\n", dim, reset);

    int label_w = 8;
    for (int i = 0; i < cmp->nrows; i++)
        if ((int)strlen(cmp->rows[i].label) > label_w)
            label_w = (int)strlen(cmp->rows[i].label);
    fprintf(out, "\n%sparams%s\n", bold, reset);
    for (int i = 0; i < cmp->nrows; i++)
        print_params(out, &cmp->rows[i], label_w);
    for (int i = 0; i < cmp->nrows; i++) {
        const struct compare_row *row = &cmp->rows[i];
        for (int k = 0; k < row->nruns; k++)
            if (row->runs[k].error) {
                fprintf(out, "  %s%s, seed %llu: %s%s\n", red, row->label,
                        (unsigned long long)row->runs[k].seed, row->runs[k].error_text, reset);
                break;
            }
    }
    if (sc->nemesis.enabled)
        fprintf(out, "\n  %sthe nemesis applied %s faults to every protocol, seed by seed%s%s\n",
                cmp->same_schedule ? dim : red, cmp->same_schedule ? "the same" : "DIFFERENT",
                cmp->same_schedule ? "" : " (a determinism bug: please report it)", reset);
    print_recovery(out, cmp, label_w, bold, reset);
    fprintf(out, "\n%sanswered: client operations the system answered, ok or a definite "
            "fail such as a cas mismatch (not refused, not timed out); write gap, gap: the longest time without "
            "an ok write, an ok operation (after the first); recovery: the longest wait after a "
            "fault until a write invoked after it succeeded%s\n", dim, reset);
}

/* ---- CSV ---------------------------------------------------------------------------------- */

static void csv_str(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void csv_stat(FILE *out, const struct compare_stat *s)
{
    if (s->n)
        fprintf(out, ",%.6g,%.6g", s->mean, s->sd);
    else
        fprintf(out, ",,");
}

void compare_report_csv(FILE *out, const struct compare *cmp)
{
    static const char *const names[] = {"availability", "write_availability", "longest_gap_s",
                                        "longest_write_gap_s", "throughput_ops_s", "p50_ms",
                                        "p99_ms", "msgs_per_op", "worst_recovery_s", "violations",
                                        "stale_reads", "lost_writes", "blocked"};
    fprintf(out, "label,protocol,seeds,errors");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        fprintf(out, ",%s,%s_sd", names[i], names[i]);
    fprintf(out, ",never_recovered,seeds_violating,seeds_linearizable,seeds_not_linearizable,"
            "seeds_unknown,params,role_faults\n");
    for (int i = 0; i < cmp->nrows; i++) {
        const struct compare_row *r = &cmp->rows[i];
        csv_str(out, r->label);
        fprintf(out, ",%s,%d,%d", r->protocol, r->nruns, r->errors);
        const struct compare_stat *all[] = {&r->availability, &r->write_availability,
                                            &r->longest_gap, &r->longest_write_gap, &r->throughput,
                                            &r->p50, &r->p99, &r->msgs_per_op, &r->recover_worst,
                                            &r->violations, &r->stale_reads, &r->lost_writes,
                                            &r->blocked};
        for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
            csv_stat(out, all[k]);
        fprintf(out, ",%d,%d,%d,%d,%d,", r->never_recovered, r->seeds_violating,
                r->seeds_linearizable, r->seeds_not_linearizable, r->seeds_unknown);
        char *p = r->params ? cJSON_PrintUnformatted(r->params) : NULL;
        csv_str(out, p ? p : "");
        cJSON_free(p);
        char roles[CELL];
        role_cell(r, roles, sizeof roles);
        fputc(',', out);
        csv_str(out, roles);
        fprintf(out, "\n");
    }
}

/* ---- JSON --------------------------------------------------------------------------------- */

static void json_stat(cJSON *o, const char *key, const struct compare_stat *s)
{
    if (!s->n) {
        cJSON_AddNullToObject(o, key);
        return;
    }
    cJSON *x = cJSON_AddObjectToObject(o, key);
    if (!x)
        return;
    cJSON_AddNumberToObject(x, "mean", s->mean);
    cJSON_AddNumberToObject(x, "sd", s->sd);
    cJSON_AddNumberToObject(x, "min", s->min);
    cJSON_AddNumberToObject(x, "max", s->max);
    cJSON_AddNumberToObject(x, "n", s->n);
}

static cJSON *json_run(const struct compare_run *r)
{
    static const char *const v[] = {"no", "yes", "unknown"};
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "seed", (double)r->seed);
    if (r->error) {
        cJSON_AddStringToObject(o, "error", r->error_text);
        return o;
    }
    cJSON_AddNumberToObject(o, "ops_invoked", (double)r->ops_invoked);
    cJSON_AddNumberToObject(o, "ops_ok", (double)r->ops_ok);
    cJSON_AddNumberToObject(o, "ops_fail", (double)r->ops_fail);
    cJSON_AddNumberToObject(o, "ops_refused", (double)r->ops_refused);
    cJSON_AddNumberToObject(o, "ops_info", (double)r->ops_info);
    cJSON_AddNumberToObject(o, "writes_invoked", (double)r->writes_invoked);
    cJSON_AddNumberToObject(o, "writes_ok", (double)r->writes_ok);
    cJSON_AddNumberToObject(o, "writes_answered", (double)r->writes_answered);
    cJSON_AddNumberToObject(o, "longest_gap_us", (double)r->longest_gap);
    cJSON_AddNumberToObject(o, "longest_gap_at_us", (double)r->longest_gap_at);
    cJSON_AddNumberToObject(o, "longest_write_gap_us", (double)r->longest_write_gap);
    cJSON_AddNumberToObject(o, "longest_write_gap_at_us", (double)r->longest_write_gap_at);
    cJSON_AddNumberToObject(o, "p50_us", (double)r->p50);
    cJSON_AddNumberToObject(o, "p99_us", (double)r->p99);
    cJSON_AddNumberToObject(o, "messages", (double)r->messages);
    cJSON_AddNumberToObject(o, "violations", r->violations);
    if (r->violations)
        cJSON_AddStringToObject(o, "first_violation", r->invariant);
    if (r->linearizable >= 0 && r->linearizable <= 2)
        cJSON_AddStringToObject(o, "linearizable", v[r->linearizable]);
    else
        cJSON_AddNullToObject(o, "linearizable");
    if (r->stale_reads >= 0)
        cJSON_AddNumberToObject(o, "stale_reads", (double)r->stale_reads);
    if (r->lost_writes >= 0)
        cJSON_AddNumberToObject(o, "lost_writes", (double)r->lost_writes);
    cJSON_AddNumberToObject(o, "blocked", (double)r->blocked);
    cJSON_AddNumberToObject(o, "max_leaders", r->max_leaders);
    cJSON_AddNumberToObject(o, "nemesis_faults", r->nemesis_faults);
    char hash[20];
    snprintf(hash, sizeof hash, "%016llx", (unsigned long long)r->schedule_hash);
    cJSON_AddStringToObject(o, "nemesis_schedule", hash);
    cJSON *faults = cJSON_AddArrayToObject(o, "faults");
    for (int f = 0; faults && f < r->nfaults; f++) {
        cJSON *x = cJSON_CreateObject();
        if (!x)
            break;
        cJSON_AddNumberToObject(x, "at_us", (double)r->faults[f].at);
        cJSON_AddStringToObject(x, "fault", r->faults[f].text);
        cJSON_AddBoolToObject(x, "skipped", r->faults[f].skipped);
        if (r->faults[f].role[0]) {
            cJSON_AddStringToObject(x, "role", r->faults[f].role);
            cJSON_AddBoolToObject(x, "role_fault_end", r->faults[f].end);
            if (r->faults[f].skipped)
                cJSON_AddNullToObject(x, "target");
            else
                cJSON_AddStringToObject(x, "target", r->faults[f].target);
        }
        if (r->faults[f].recover >= 0)
            cJSON_AddNumberToObject(x, "recover_us", (double)r->faults[f].recover);
        else
            cJSON_AddStringToObject(x, "recover_us", r->faults[f].skipped ? "skipped"
                                                     : r->faults[f].recover == -1 ? "never"
                                                                                  : "no ops after it");
        cJSON_AddItemToArray(faults, x);
    }
    cJSON_AddNumberToObject(o, "bucket_us", (double)r->bucket);
    cJSON *b = cJSON_AddArrayToObject(o, "ok_per_bucket");
    for (int i = 0; b && i < r->nbuckets; i++)
        cJSON_AddItemToArray(b, cJSON_CreateNumber(r->buckets[i]));
    return o;
}

cJSON *compare_report_json(const struct compare *cmp)
{
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return NULL;
    cJSON_AddStringToObject(root, "scenario", cmp->sc->name);
    cJSON_AddStringToObject(root, "file", cmp->scenario_path ? cmp->scenario_path : "");
    cJSON_AddNumberToObject(root, "first_seed", (double)cmp->first);
    cJSON_AddNumberToObject(root, "last_seed", (double)cmp->last);
    cJSON_AddBoolToObject(root, "same_nemesis_schedule", cmp->same_schedule);
    cJSON *rows = cJSON_AddArrayToObject(root, "rows");
    for (int i = 0; rows && i < cmp->nrows; i++) {
        const struct compare_row *r = &cmp->rows[i];
        cJSON *o = cJSON_CreateObject();
        if (!o)
            break;
        cJSON_AddStringToObject(o, "label", r->label);
        cJSON_AddStringToObject(o, "protocol", r->protocol);
        if (r->params)
            cJSON_AddItemToObject(o, "params", cJSON_Duplicate(r->params, true));
        else
            cJSON_AddObjectToObject(o, "params");
        cJSON_AddBoolToObject(o, "scenario_params", r->scenario_params);
        cJSON_AddNumberToObject(o, "errors", r->errors);
        json_stat(o, "availability", &r->availability);
        json_stat(o, "write_availability", &r->write_availability);
        json_stat(o, "longest_gap_s", &r->longest_gap);
        json_stat(o, "longest_write_gap_s", &r->longest_write_gap);
        json_stat(o, "throughput_ops_s", &r->throughput);
        json_stat(o, "p50_ms", &r->p50);
        json_stat(o, "p99_ms", &r->p99);
        json_stat(o, "msgs_per_op", &r->msgs_per_op);
        json_stat(o, "worst_recovery_s", &r->recover_worst);
        cJSON_AddNumberToObject(o, "never_recovered", r->never_recovered);
        json_stat(o, "violations", &r->violations);
        cJSON_AddNumberToObject(o, "seeds_violating", r->seeds_violating);
        cJSON_AddNumberToObject(o, "seeds_linearizable", r->seeds_linearizable);
        cJSON_AddNumberToObject(o, "seeds_not_linearizable", r->seeds_not_linearizable);
        cJSON_AddNumberToObject(o, "seeds_unknown", r->seeds_unknown);
        json_stat(o, "stale_reads", &r->stale_reads);
        json_stat(o, "lost_writes", &r->lost_writes);
        json_stat(o, "blocked", &r->blocked);
        cJSON *roles = cJSON_AddArrayToObject(o, "role_faults");
        char one[CELL];
        for (int m = 0; roles && role_summary(r, m, one, sizeof one); m++)
            cJSON_AddItemToArray(roles, cJSON_CreateString(one));
        cJSON *runs = cJSON_AddArrayToObject(o, "runs");
        for (int k = 0; runs && k < r->nruns; k++)
            cJSON_AddItemToArray(runs, json_run(&r->runs[k]));
        cJSON_AddItemToArray(rows, o);
    }
    return root;
}

/* ---- the chart ---------------------------------------------------------------------------- */

int compare_plot_ops_parse(const char *text, enum compare_plot_ops *out, char *err, size_t errcap)
{
    static const char *const names[] = {"write", "read", "all"};
    for (int i = 0; i < 3; i++)
        if (strcmp(text, names[i]) == 0) {
            *out = (enum compare_plot_ops)i;
            return SIM_OK;
        }
    snprintf(err, errcap, "--ops: expected write, read or all (the operations the chart counts), "
             "got \"%s\"", text);
    return SIM_EINVAL;
}

/* ok completions of the kind `ops` plots in bucket b of run r */
static double bucket_count(const struct compare_run *r, int b, enum compare_plot_ops ops)
{
    switch (ops) {
    case COMPARE_OPS_WRITE: return r->write_buckets[b];
    case COMPARE_OPS_READ: return (double)r->buckets[b] - r->write_buckets[b];
    case COMPARE_OPS_ALL: break;
    }
    return r->buckets[b];
}

int compare_report_plot(const struct compare *cmp, const char *path, enum compare_plot_ops ops,
                        char *err, size_t errcap)
{
    static const char *const what[] = {"writes", "reads", "client operations"};
    int n = 0;
    sim_time bucket = cmp->bucket;
    for (int i = 0; i < cmp->nrows; i++)
        for (int k = 0; k < cmp->rows[i].nruns; k++)
            if (!cmp->rows[i].runs[k].error && cmp->rows[i].runs[k].buckets &&
                cmp->rows[i].runs[k].nbuckets > n)
                n = cmp->rows[i].runs[k].nbuckets;
    if (n == 0) {
        snprintf(err, errcap, "no run to plot");
        return SIM_EINVAL;
    }
    n++; /* a point at 0, then one at the end of each bucket */
    double *ys = calloc((size_t)cmp->nrows * (size_t)n, sizeof *ys);
    struct viz_plot_series *series = calloc((size_t)cmp->nrows, sizeof *series);
    const struct compare_run *base = base_run(cmp);
    int nmark = base ? base->nfaults : 0;
    struct viz_plot_marker *marks = calloc((size_t)(nmark ? nmark : 1), sizeof *marks);
    char(*mark_text)[160] = calloc((size_t)(nmark ? nmark : 1), sizeof *mark_text);
    if (!ys || !series || !marks || !mark_text) {
        free(ys);
        free(series);
        free(marks);
        free(mark_text);
        snprintf(err, errcap, "out of memory drawing the chart");
        return SIM_ENOMEM;
    }
    /* ok operations completed so far, the mean over seeds: a stall is a
     * flat stretch, a slower protocol a flatter line */
    for (int i = 0; i < cmp->nrows; i++) {
        const struct compare_row *row = &cmp->rows[i];
        double *y = ys + (size_t)i * (size_t)n;
        int used = 0;
        for (int k = 0; k < row->nruns; k++) {
            const struct compare_run *r = &row->runs[k];
            if (r->error || !r->buckets || !r->write_buckets)
                continue;
            used++;
            for (int b = 0; b < r->nbuckets && b + 1 < n; b++)
                y[b + 1] += bucket_count(r, b, ops);
        }
        for (int b = 1; b < n; b++)
            y[b] = y[b - 1] + (used ? y[b] / used : 0);
        series[i] = (struct viz_plot_series){row->label, y, n};
    }
    for (int f = 0; f < nmark; f++) {
        if (base->faults[f].role[0]) /* each protocol's own node: name the role */
            snprintf(mark_text[f], sizeof mark_text[f], "%s%s the %s",
                     base->faults[f].end ? "end of: " : "", base->faults[f].kind,
                     base->faults[f].role);
        else
            snprintf(mark_text[f], sizeof mark_text[f], "%s", base->faults[f].text);
        marks[f] = (struct viz_plot_marker){(double)base->faults[f].at / 1e6, mark_text[f],
                                            ends_fault(base->faults[f].text)};
    }
    char title[300], sub[400], bk[32], ylabel[64];
    snprintf(title, sizeof title, "%s: %s completed ok", cmp->sc->name, what[ops]);
    snprintf(ylabel, sizeof ylabel, "ok %s so far", ops == COMPARE_OPS_ALL ? "operations" : what[ops]);
    scenario_format_duration(bucket, bk, sizeof bk);
    if (single(cmp))
        snprintf(sub, sizeof sub, "%d nodes, seed %llu, counted every %s; a flat stretch is a stall; "
                 "dashed: faults (red) and their ends (green)", cmp->sc->nodes,
                 (unsigned long long)cmp->first, bk);
    else
        snprintf(sub, sizeof sub, "%d nodes, the mean of seeds %llu..%llu, counted every %s; a flat "
                 "stretch is a stall; dashed: seed %llu's faults (red) and their ends (green)",
                 cmp->sc->nodes, (unsigned long long)cmp->first, (unsigned long long)cmp->last, bk,
                 (unsigned long long)cmp->first);
    struct viz_plot p = {
        .title = title,
        .subtitle = sub,
        .xlabel = "simulated time (s)",
        .ylabel = ylabel,
        .x0 = 0,
        .dx = (double)bucket / 1e6,
        .series = series,
        .nseries = cmp->nrows,
        .markers = marks,
        .nmarkers = nmark,
    };
    int rc = viz_plot_png(&p, path, NULL, err, errcap);
    free(ys);
    free(series);
    free(marks);
    free(mark_text);
    return rc;
}
