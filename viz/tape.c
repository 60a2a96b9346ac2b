/* tape.c - the seekable recording: lines go into the store and the head
 * model, a checkpoint every `every` lines; a cursor seeks by copying the
 * nearest checkpoint and applying forward, so a moment reached by seeking is
 * the very same as one reached by playing. */
#include "viz/tape.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHECKPOINT_EVERY 4096

void viz_tape_init(struct viz_tape *t, const char *name)
{
    memset(t, 0, sizeof *t);
    viz_store_init(&t->store, name);
    t->every = CHECKPOINT_EVERY;
}

void viz_tape_free(struct viz_tape *t)
{
    viz_store_free(&t->store);
    if (t->head_ready)
        viz_model_free(&t->head);
    for (int32_t i = 0; i < t->ncp; i++)
        viz_model_free(&t->cp[i]);
    free(t->cp);
    memset(t, 0, sizeof *t);
}

/* Keeps a copy of the head as checkpoint number ncp (head.k == ncp * every). */
static int checkpoint(struct viz_tape *t)
{
    if (t->ncp == t->capcp) {
        int32_t cap = t->capcp ? t->capcp * 2 : 64;
        struct viz_model *cp = realloc(t->cp, (size_t)cap * sizeof *cp);
        if (!cp)
            return SIM_ENOMEM;
        t->cp = cp;
        t->capcp = cap;
    }
    struct viz_model *m = &t->cp[t->ncp];
    int rc = viz_model_init(m, t->head.nnodes);
    if (!rc && (rc = viz_model_copy(m, &t->head)))
        viz_model_free(m);
    if (!rc)
        t->ncp++;
    return rc;
}

static int start_head(struct viz_tape *t)
{
    /* more nodes: more to copy per checkpoint, so fewer checkpoints */
    int n = t->store.hdr.nodes;
    if (n > CHECKPOINT_EVERY / 8)
        t->every = n * 8;
    int rc = viz_model_init(&t->head, n);
    if (rc)
        return rc;
    t->head_ready = true;
    return checkpoint(t);
}

/* Applies store lines head.k .. nev-1 to the head, checkpointing on the way. */
static int advance_head(struct viz_tape *t)
{
    while (t->head.k < t->store.nev) {
        int rc = viz_model_apply(&t->head, &t->store);
        if (rc)
            return rc;
        if (t->head.k % t->every == 0) {
            viz_model_prune(&t->head, &t->store);
            if ((rc = checkpoint(t)))
                return rc;
        }
    }
    return SIM_OK;
}

int viz_tape_add(struct viz_tape *t, const char *line, size_t len, char *err, size_t errcap)
{
    bool had_header = t->store.has_header;
    int rc = viz_store_add(&t->store, line, len, err, errcap);
    if (rc)
        return rc;
    if (!had_header)
        return start_head(t);
    return advance_head(t);
}

int viz_tape_load(struct viz_tape *t, const char *path, char *err, size_t errcap)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(err, errcap, "%s: cannot open: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return SIM_EIO;
    }
    if (!S_ISREG(st.st_mode) || st.st_size == 0) {
        snprintf(err, errcap, "%s: %s (expected a faultline trace file)", path,
                 S_ISREG(st.st_mode) ? "empty file" : "not a regular file");
        close(fd);
        return S_ISREG(st.st_mode) ? SIM_EINVAL : SIM_EIO;
    }
    /* Mapped, not read: a big trace is then indexed straight from the page
     * cache, with no copy of it in fresh memory. */
    size_t len = (size_t)st.st_size;
    char *text = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (text == MAP_FAILED) {
        snprintf(err, errcap, "%s: cannot read: %s", path, strerror(errno));
        return SIM_EIO;
    }
    viz_tape_free(t);
    viz_tape_init(t, path);
    int rc = viz_store_adopt(&t->store, text, len, true, err, errcap);
    if (!rc)
        rc = start_head(t);
    if (!rc)
        rc = advance_head(t);
    if (rc) {
        if (rc == SIM_ENOMEM)
            snprintf(err, errcap, "%s: out of memory reading the trace", path);
        viz_tape_free(t);
        viz_tape_init(t, path);
    }
    return rc;
}

int viz_tape_truncate(struct viz_tape *t, int32_t nev)
{
    if (nev >= t->store.nev)
        return SIM_OK;
    viz_store_truncate(&t->store, nev);
    if (!t->head_ready)
        return SIM_OK;
    int32_t keep = nev / t->every + 1;
    while (t->ncp > keep)
        viz_model_free(&t->cp[--t->ncp]);
    int rc = viz_model_copy(&t->head, &t->cp[t->ncp - 1]);
    if (rc)
        return rc;
    /* Re-applying up to nev never lands on a new checkpoint boundary: the
     * last kept checkpoint is the one at or before nev. */
    while (t->head.k < t->store.nev)
        if ((rc = viz_model_apply(&t->head, &t->store)))
            return rc;
    return SIM_OK;
}

int viz_cursor_init(struct viz_cursor *c, const struct viz_tape *t)
{
    memset(c, 0, sizeof *c);
    if (!t->head_ready)
        return SIM_EINVAL;
    int rc = viz_model_init(&c->m, t->head.nnodes);
    if (!rc)
        c->ready = true;
    return rc;
}

void viz_cursor_free(struct viz_cursor *c)
{
    if (c->ready)
        viz_model_free(&c->m);
    memset(c, 0, sizeof *c);
}

int viz_cursor_seek(struct viz_cursor *c, const struct viz_tape *t, int32_t k, sim_time time)
{
    const struct viz_store *s = &t->store;
    if (k < 0)
        k = 0;
    if (k > s->nev)
        k = s->nev;
    if (k > 0 && time < s->ev[k - 1].t)
        time = s->ev[k - 1].t;
    int32_t cpi = k / t->every;
    if (cpi >= t->ncp)
        cpi = t->ncp - 1;
    int32_t cpk = cpi * t->every;
    bool forward = k >= c->m.k && time >= c->m.t;
    /* Copy the checkpoint when going back, or when it saves a long replay. */
    if (!forward || cpk > c->m.k) {
        int rc = viz_model_copy(&c->m, &t->cp[cpi]);
        if (rc)
            return rc;
    }
    while (c->m.k < k) {
        int rc = viz_model_apply(&c->m, s);
        if (rc)
            return rc;
    }
    c->m.t = time;
    viz_model_prune(&c->m, s);
    return SIM_OK;
}

int viz_cursor_seek_time(struct viz_cursor *c, const struct viz_tape *t, sim_time time)
{
    return viz_cursor_seek(c, t, viz_store_count_until(&t->store, time), time);
}
