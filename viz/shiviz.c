/* shiviz.c - `faultline export --shiviz`: the run as a ShiViz log. Each
 * node is a host with a vector clock (Fidge/Mattern): a local event ticks
 * the host's own entry, a send carries the sender's clock, a receipt merges
 * it (entry-wise maximum) and ticks. Dropped messages stay sends without a
 * receipt, which is exactly how ShiViz shows a lost message. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "viz/jscan.h"
#include "viz/viz.h"

#define MAX_HOSTS 256

/* The regular expression ShiViz parses each line with (its first line). */
static const char regex[] =
    "(?<host>\\S+) (?<clock>\\{[^}]*\\}) (?<time>\\d+)us (?<event>.*)";

struct vc {
    int n;
    uint64_t *clock;    /* n x n: row i is host i's clock */
    uint64_t **msg;     /* per message index: the clock it carries, while in flight */
    char (*role)[24];   /* last role and term seen, to report changes only */
    int64_t *term;
};

static void print_clock(FILE *out, const uint64_t *c, int n)
{
    fputc('{', out);
    int first = 1;
    for (int i = 0; i < n; i++)
        if (c[i]) {
            fprintf(out, "%s\"n%d\":%llu", first ? "" : ",", i + 1, (unsigned long long)c[i]);
            first = 0;
        }
    fputc('}', out);
}

/* Writes one event line for host h (its clock already ticked). */
static void emit(FILE *out, const struct vc *v, int h, sim_time t, const char *text)
{
    fprintf(out, "n%d ", h + 1);
    print_clock(out, &v->clock[(size_t)h * (size_t)v->n], v->n);
    fprintf(out, " %lldus ", (long long)t);
    for (const char *p = text; *p; p++)
        fputc(*p == '\n' || *p == '\r' ? ' ' : *p, out);
    fputc('\n', out);
}

static const char *reason_text(uint8_t r)
{
    switch (r) {
    case VIZ_DROP_PARTITION: return "partition";
    case VIZ_DROP_LOSS: return "loss";
    case VIZ_DROP_DOWN: return "receiver down";
    case VIZ_DROP_BY_HAND: return "dropped by hand";
    default: return "dropped";
    }
}

static int write_log(const struct viz_store *s, const struct viz_shiviz_opts *o, FILE *out,
                     char *err, size_t errcap)
{
    int n = s->hdr.nodes;
    if (n > MAX_HOSTS) {
        snprintf(err, errcap, "ShiViz export handles up to %d nodes (this run has %d)", MAX_HOSTS, n);
        return SIM_EINVAL;
    }
    struct vc v = {n, calloc((size_t)n * (size_t)n, sizeof(uint64_t)),
                   calloc((size_t)(s->nmsg > 0 ? s->nmsg : 1), sizeof(uint64_t *)),
                   calloc((size_t)n, sizeof *v.role), calloc((size_t)n, sizeof(int64_t))};
    int rc = SIM_OK;
    if (!v.clock || !v.msg || !v.role || !v.term) {
        rc = SIM_ENOMEM;
        goto out;
    }
    fprintf(out, "%s\n\n", regex);
    char text[600], a[300], b[64];
    for (int32_t i = 0; i < s->nev && !rc; i++) {
        const struct viz_event *e = &s->ev[i];
        const char *line = viz_store_line(s, i);
        size_t len = viz_store_len(s, i);
        int h = e->node;
        struct viz_jval val;
        text[0] = '\0';
        switch (e->kind) {
        case VIZ_EV_SEND:
        case VIZ_EV_DROP: {
            const struct viz_msg *m = &s->msg[e->ref];
            if (m->send_ev != i)
                break; /* a drop at arrival: the send already tells it */
            a[0] = '\0';
            if (viz_json_get(line, len, "info", &val))
                viz_json_str(&val, a, sizeof a);
            const char *fate = m->end_kind == VIZ_END_DROP ? reason_text(m->reason)
                               : m->cut_ev != INT32_MAX ? "dropped by hand" : NULL;
            snprintf(text, sizeof text, "send %s to n%d%s%s%s%s%s", s->types[m->type], m->to + 1,
                     a[0] ? ": " : "", a, fate ? " (lost: " : "", fate ? fate : "", fate ? ")" : "");
            v.clock[(size_t)h * n + h]++;
            if (!fate && m->end_kind == VIZ_END_RECV) {
                uint64_t *c = malloc((size_t)n * sizeof *c);
                if (!c) {
                    rc = SIM_ENOMEM;
                    break;
                }
                memcpy(c, &v.clock[(size_t)h * n], (size_t)n * sizeof *c);
                v.msg[e->ref] = c;
            }
            break;
        }
        case VIZ_EV_RECV: {
            const struct viz_msg *m = &s->msg[e->ref];
            h = m->to;
            uint64_t *mine = &v.clock[(size_t)h * n], *c = v.msg[e->ref];
            if (c) {
                for (int k = 0; k < n; k++)
                    if (c[k] > mine[k])
                        mine[k] = c[k];
                free(c);
                v.msg[e->ref] = NULL;
            }
            mine[h]++;
            snprintf(text, sizeof text, "recv %s from n%d", s->types[m->type], m->from + 1);
            break;
        }
        case VIZ_EV_STATE: {
            struct viz_nodeinfo in;
            viz_nodeinfo_read(s, i, &in);
            if (strcmp(in.role, v.role[h]) == 0 && (!in.has_term || in.term == v.term[h]))
                break;
            snprintf(v.role[h], sizeof v.role[h], "%s", in.role);
            if (in.has_term) {
                v.term[h] = in.term;
                snprintf(text, sizeof text, "becomes %s (%s %lld)", in.role,
                         s->hdr.epoch[0] ? s->hdr.epoch : "term", (long long)in.term);
            } else
                snprintf(text, sizeof text, "becomes %s", in.role);
            v.clock[(size_t)h * n + h]++;
            break;
        }
        case VIZ_EV_TIMER:
            if (!o->timers)
                break;
            a[0] = '\0';
            if (viz_json_get(line, len, "name", &val))
                viz_json_str(&val, a, sizeof a);
            snprintf(text, sizeof text, "timer %s", a);
            v.clock[(size_t)h * n + h]++;
            break;
        case VIZ_EV_NOTE:
            a[0] = '\0';
            if (viz_json_get(line, len, "text", &val))
                viz_json_str(&val, a, sizeof a);
            snprintf(text, sizeof text, "note: %s", a);
            v.clock[(size_t)h * n + h]++;
            break;
        case VIZ_EV_BOOT:
        case VIZ_EV_CRASH:
        case VIZ_EV_RECOVER:
        case VIZ_EV_CLOCK:
        case VIZ_EV_SLOW:
            viz_describe_event(s, i, a, sizeof a);
            snprintf(text, sizeof text, "%s", a);
            v.clock[(size_t)h * n + h]++;
            if (e->kind == VIZ_EV_RECOVER || e->kind == VIZ_EV_CRASH)
                v.role[h][0] = '\0';
            break;
        case VIZ_EV_VIOLATION:
            if (h < 0)
                break;
            viz_describe_event(s, i, a, sizeof a);
            snprintf(text, sizeof text, "%s", a);
            v.clock[(size_t)h * n + h]++;
            break;
        case VIZ_EV_REQUEST:
            if (viz_json_get(line, len, "op", &val)) {
                int64_t op = 0;
                viz_json_int(&val, &op);
                snprintf(b, sizeof b, "%lld", (long long)op);
                snprintf(text, sizeof text, "client request op %s", b);
                v.clock[(size_t)h * n + h]++;
            }
            break;
        default:
            break;
        }
        if (text[0] && h >= 0 && h < n)
            emit(out, &v, h, e->t, text);
    }
out:
    if (v.msg)
        for (int32_t i = 0; i < s->nmsg; i++)
            free(v.msg[i]);
    free(v.msg);
    free(v.clock);
    free(v.role);
    free(v.term);
    if (rc == SIM_ENOMEM)
        snprintf(err, errcap, "out of memory exporting");
    return rc;
}

int viz_export_shiviz(const char *path, const struct viz_shiviz_opts *o, char *err, size_t errcap)
{
    struct viz_app_opts ao = o->app;
    ao.run_ahead = true;
    struct viz_app app;
    int rc = viz_app_open(&app, path, &ao, err, errcap);
    if (rc)
        return rc;
    if (!o->out) {
        rc = write_log(&app.tape.store, o, stdout, err, errcap);
        if (!rc && fflush(stdout) != 0) {
            snprintf(err, errcap, "cannot write to standard output: %s", strerror(errno));
            rc = SIM_EIO;
        }
        viz_app_close(&app);
        return rc;
    }
    size_t n = strlen(o->out);
    char *tmp = malloc(n + 16);
    if (!tmp) {
        viz_app_close(&app);
        snprintf(err, errcap, "out of memory");
        return SIM_ENOMEM;
    }
    snprintf(tmp, n + 16, "%s.tmp-XXXXXX", o->out);
    int fd = mkstemp(tmp);
    FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!fp) {
        snprintf(err, errcap, "%s: cannot write: %s", o->out, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        free(tmp);
        viz_app_close(&app);
        return SIM_EIO;
    }
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    rc = write_log(&app.tape.store, o, fp, err, errcap);
    if (fflush(fp) != 0 || fsync(fileno(fp)) != 0) {
        if (!rc) {
            snprintf(err, errcap, "%s: cannot write: %s", o->out, strerror(errno));
            rc = SIM_EIO;
        }
    }
    if (fclose(fp) != 0 && !rc) {
        snprintf(err, errcap, "%s: cannot write: %s", o->out, strerror(errno));
        rc = SIM_EIO;
    }
    if (!rc && rename(tmp, o->out) != 0) {
        snprintf(err, errcap, "%s: cannot write: %s", o->out, strerror(errno));
        rc = SIM_EIO;
    }
    if (rc)
        unlink(tmp);
    free(tmp);
    viz_app_close(&app);
    return rc;
}
