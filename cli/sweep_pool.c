/* sweep_pool.c - forked worker processes for sweep and compare: each worker
 * reads chunks of task numbers from one pipe and writes one framed result
 * per task to another; the parent polls the result pipes, hands out the
 * next chunk, notices a worker that died (EOF before its chunk ended),
 * blames the task it was on and starts a replacement. */
#include "cli/sweep_pool.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/sim.h"

struct chunk_msg {        /* parent -> worker; count 0: exit */
    uint64_t start, count;
};

struct result_hdr {       /* worker -> parent, followed by len bytes */
    uint64_t task;
    uint64_t len;
};

struct worker {
    pid_t pid;            /* 0: no process */
    int task_fd;          /* the parent writes chunks here */
    int result_fd;        /* and reads results here */
    bool busy;
    uint64_t next, end;   /* the chunk in hand: next task expected .. end */
};

struct range {
    uint64_t start, end;
};

struct pool {
    const struct sweep_pool_config *cfg;
    struct worker *w;
    int nw;
    uint64_t frontier;    /* the lowest task never handed out */
    uint64_t limit;
    uint64_t chunk;
    struct range *requeue; /* the rest of chunks whose worker died */
    int nrequeue, caprequeue;
};

/* ---- plumbing ------------------------------------------------------------------------ */

static int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Returns 1 when all len bytes were read, 0 at end of file before any, -1
 * on error or a short read. */
static int read_all(int fd, void *buf, size_t len)
{
    char *p = buf;
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, p + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            return got == 0 ? 0 : -1;
        got += (size_t)n;
    }
    return 1;
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* ---- the worker's side --------------------------------------------------------------- */

static void worker_main(const struct sweep_pool_config *cfg, int task_fd, int result_fd)
{
    for (;;) {
        struct chunk_msg m;
        if (read_all(task_fd, &m, sizeof m) != 1 || m.count == 0)
            _exit(0);
        for (uint64_t t = m.start; t < m.start + m.count; t++) {
            void *blob = NULL;
            size_t len = 0;
            cfg->run(cfg->ctx, t, &blob, &len);
            struct result_hdr h = {t, blob ? len : 0};
            int rc = write_all(result_fd, &h, sizeof h);
            if (!rc && h.len)
                rc = write_all(result_fd, blob, h.len);
            free(blob);
            if (rc)
                _exit(1); /* the parent is gone */
        }
    }
}

/* ---- the parent's side --------------------------------------------------------------- */

static int spawn(struct pool *p, struct worker *w, char *err, size_t errcap)
{
    int tp[2], rp[2];
    if (pipe(tp) != 0) {
        snprintf(err, errcap, "cannot start a worker: pipe: %s", strerror(errno));
        return SIM_EIO;
    }
    if (pipe(rp) != 0) {
        snprintf(err, errcap, "cannot start a worker: pipe: %s", strerror(errno));
        close(tp[0]);
        close(tp[1]);
        return SIM_EIO;
    }
    fflush(NULL); /* nothing buffered is written twice */
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errcap, "cannot start a worker: fork: %s", strerror(errno));
        close(tp[0]);
        close(tp[1]);
        close(rp[0]);
        close(rp[1]);
        return SIM_EIO;
    }
    if (pid == 0) {
        /* The other workers' pipe ends would keep their EOFs from showing. */
        for (int i = 0; i < p->nw; i++) {
            if (&p->w[i] == w)
                continue;
            close_fd(&p->w[i].task_fd);
            close_fd(&p->w[i].result_fd);
        }
        close(tp[1]);
        close(rp[0]);
        signal(SIGPIPE, SIG_DFL);
        worker_main(p->cfg, tp[0], rp[1]);
        _exit(0);
    }
    close(tp[0]);
    close(rp[1]);
    w->pid = pid;
    w->task_fd = tp[1];
    w->result_fd = rp[0];
    w->busy = false;
    return SIM_OK;
}

static int requeue(struct pool *p, uint64_t start, uint64_t end)
{
    if (start >= end)
        return SIM_OK;
    if (p->nrequeue == p->caprequeue) {
        int cap = p->caprequeue ? p->caprequeue * 2 : 8;
        struct range *r = realloc(p->requeue, (size_t)cap * sizeof *r);
        if (!r)
            return SIM_ENOMEM;
        p->requeue = r;
        p->caprequeue = cap;
    }
    p->requeue[p->nrequeue++] = (struct range){start, end};
    return SIM_OK;
}

/* The next chunk to hand out, lowest tasks first; false when none is left
 * below the limit. */
static bool next_chunk(struct pool *p, uint64_t *start, uint64_t *end)
{
    int best = -1;
    for (int i = 0; i < p->nrequeue; i++)
        if (p->requeue[i].start < p->limit &&
            (best < 0 || p->requeue[i].start < p->requeue[best].start))
            best = i;
    if (best >= 0) {
        *start = p->requeue[best].start;
        *end = p->requeue[best].end;
        p->requeue[best] = p->requeue[--p->nrequeue];
        return true;
    }
    uint64_t stop = p->cfg->ntasks < p->limit ? p->cfg->ntasks : p->limit;
    if (p->frontier >= stop)
        return false;
    uint64_t n = p->chunk;
    if (!p->cfg->chunk) { /* smaller chunks near the end keep every worker busy */
        uint64_t left = stop - p->frontier;
        n = left / ((uint64_t)p->nw * 8);
        n = n < 1 ? 1 : n > 32 ? 32 : n;
    }
    *start = p->frontier;
    *end = p->frontier + n < stop ? p->frontier + n : stop;
    p->frontier = *end;
    return true;
}

static int dispatch(struct pool *p, struct worker *w)
{
    uint64_t start, end;
    if (!next_chunk(p, &start, &end))
        return SIM_OK;
    struct chunk_msg m = {start, end - start};
    if (write_all(w->task_fd, &m, sizeof m) != 0)
        return requeue(p, start, end); /* it died: the poll loop will see */
    w->busy = true;
    w->next = start;
    w->end = end;
    return SIM_OK;
}

static void describe_status(int status, char *buf, size_t cap)
{
    if (WIFSIGNALED(status))
        snprintf(buf, cap, "the worker was killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else if (WIFEXITED(status))
        snprintf(buf, cap, "the worker exited with status %d", WEXITSTATUS(status));
    else
        snprintf(buf, cap, "the worker stopped");
}

/* Workers whose chunk lies wholly at or above the limit compute what is no
 * longer wanted (a sweep that stops at its first failure): stop them. */
static void retire_unneeded(struct pool *p)
{
    for (int i = 0; i < p->nw; i++) {
        struct worker *w = &p->w[i];
        if (w->pid <= 0 || !w->busy || w->next < p->limit)
            continue;
        kill(w->pid, SIGKILL);
        close_fd(&w->task_fd);
        close_fd(&w->result_fd);
        while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
            ;
        w->pid = 0;
        w->busy = false;
    }
}

/* The worker died (or broke its pipe) in the middle of a chunk: blame the
 * task it was on, requeue the rest, and start a replacement. */
static int worker_died(struct pool *p, struct worker *w, char *err, size_t errcap)
{
    close_fd(&w->task_fd);
    close_fd(&w->result_fd);
    int status = 0;
    while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
        ;
    w->pid = 0;
    char why[160];
    describe_status(status, why, sizeof why);
    int rc = SIM_OK;
    if (w->busy && w->next < w->end) {
        uint64_t lim = p->cfg->result(p->cfg->ctx, w->next, NULL, 0, why);
        rc = requeue(p, w->next + 1, w->end);
        w->busy = false;
        if (lim < p->limit) {
            p->limit = lim;
            retire_unneeded(p);
        }
    }
    w->busy = false;
    if (rc)
        return rc;
    uint64_t s, e;
    if (!next_chunk(p, &s, &e))
        return SIM_OK; /* nothing left for a replacement */
    if ((rc = requeue(p, s, e)))
        return rc;
    if ((rc = spawn(p, w, err, errcap)))
        return rc;
    return dispatch(p, w);
}

static int read_result(struct pool *p, struct worker *w, char *err, size_t errcap)
{
    struct result_hdr h;
    int got = read_all(w->result_fd, &h, sizeof h);
    if (got != 1 || h.task != w->next || h.len > ((uint64_t)1 << 32))
        return worker_died(p, w, err, errcap);
    void *blob = NULL;
    if (h.len) {
        if (!(blob = malloc(h.len))) {
            snprintf(err, errcap, "out of memory reading a worker's result");
            return SIM_ENOMEM;
        }
        if (read_all(w->result_fd, blob, h.len) != 1) {
            free(blob);
            return worker_died(p, w, err, errcap);
        }
    }
    uint64_t lim = p->cfg->result(p->cfg->ctx, h.task, blob, h.len, NULL);
    free(blob);
    w->next++;
    if (lim < p->limit) {
        p->limit = lim;
        retire_unneeded(p);
    }
    if (w->pid > 0 && w->next == w->end) {
        w->busy = false;
        return dispatch(p, w);
    }
    return SIM_OK;
}

static void stop_workers(struct pool *p)
{
    for (int i = 0; i < p->nw; i++) {
        struct worker *w = &p->w[i];
        if (w->task_fd >= 0) {
            struct chunk_msg m = {0, 0};
            (void)write_all(w->task_fd, &m, sizeof m);
        }
        close_fd(&w->task_fd);
        close_fd(&w->result_fd);
    }
    for (int i = 0; i < p->nw; i++) {
        struct worker *w = &p->w[i];
        if (w->pid > 0) {
            if (w->busy) /* stopped early: its tasks are no longer wanted */
                kill(w->pid, SIGKILL);
            while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
                ;
            w->pid = 0;
        }
    }
}

static int run_here(const struct sweep_pool_config *cfg)
{
    uint64_t limit = UINT64_MAX;
    for (uint64_t t = 0; t < cfg->ntasks && t < limit; t++) {
        void *blob = NULL;
        size_t len = 0;
        cfg->run(cfg->ctx, t, &blob, &len);
        uint64_t lim = cfg->result(cfg->ctx, t, blob, blob ? len : 0, NULL);
        free(blob);
        if (lim < limit)
            limit = lim;
    }
    return SIM_OK;
}

int sweep_pool_run(const struct sweep_pool_config *cfg, char *err, size_t errcap)
{
    if (cfg->ntasks == 0)
        return SIM_OK;
    if (cfg->jobs <= 1 || cfg->ntasks == 1)
        return run_here(cfg);
    struct pool p = {0};
    p.cfg = cfg;
    p.limit = UINT64_MAX;
    p.chunk = cfg->chunk;
    p.nw = (uint64_t)cfg->jobs < cfg->ntasks ? cfg->jobs : (int)cfg->ntasks;
    p.w = calloc((size_t)p.nw, sizeof *p.w);
    struct pollfd *pfd = calloc((size_t)p.nw, sizeof *pfd);
    int *which = calloc((size_t)p.nw, sizeof *which);
    if (!p.w || !pfd || !which) {
        free(p.w);
        free(pfd);
        free(which);
        snprintf(err, errcap, "out of memory starting workers");
        return SIM_ENOMEM;
    }
    for (int i = 0; i < p.nw; i++)
        p.w[i].task_fd = p.w[i].result_fd = -1;
    /* A worker that dies must not take the parent with it on the next write. */
    struct sigaction ign = {0}, old;
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGPIPE, &ign, &old);

    int rc = SIM_OK;
    int started = 0;
    for (int i = 0; i < p.nw && !rc; i++) {
        if ((rc = spawn(&p, &p.w[i], err, errcap)))
            break;
        started++;
        rc = dispatch(&p, &p.w[i]);
    }
    if (rc && started > 0 && rc == SIM_EIO)
        rc = SIM_OK; /* fewer workers than asked for still get the job done */
    while (!rc) {
        int n = 0;
        for (int i = 0; i < p.nw; i++)
            if (p.w[i].busy) {
                pfd[n] = (struct pollfd){.fd = p.w[i].result_fd, .events = POLLIN};
                which[n++] = i;
            }
        if (n == 0) {
            /* every worker idle: anything requeued below the limit still runs */
            bool more = false;
            for (int i = 0; i < p.nw && !rc; i++)
                if (p.w[i].pid > 0 && !p.w[i].busy) {
                    rc = dispatch(&p, &p.w[i]);
                    more = more || p.w[i].busy;
                }
            if (!more)
                break;
            continue;
        }
        int ready = poll(pfd, (nfds_t)n, -1);
        if (ready < 0) {
            if (errno == EINTR)
                continue;
            snprintf(err, errcap, "waiting for workers: %s", strerror(errno));
            rc = SIM_EIO;
            break;
        }
        for (int k = 0; k < n && !rc; k++)
            if (pfd[k].revents && p.w[which[k]].busy) /* not retired meanwhile */
                rc = read_result(&p, &p.w[which[k]], err, errcap);
    }
    stop_workers(&p);
    sigaction(SIGPIPE, &old, NULL);
    free(p.requeue);
    free(p.w);
    free(pfd);
    free(which);
    return rc;
}
