/* mpi_sweep.c - starting MPI for a sweep, gathering every rank's verdicts
 * at rank 0 (MPI_Gatherv of the fixed-size records), and sharing rank 0's
 * exit status. Compiled to single-rank stubs without FAULTLINE_HAVE_MPI. */
#include "cli/mpi_sweep.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef FAULTLINE_HAVE_MPI
#include <mpi.h>
#endif

/* The size a launcher announces (Open MPI, PMIx, MPICH/Hydra), or 0. */
static long launched_size(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "PMI_SIZE",
                                       "MPI_LOCALNRANKS", NULL};
    for (int i = 0; vars[i]; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return strtol(v, NULL, 10);
    }
    return 0;
}

bool mpi_sweep_launched(void)
{
    return launched_size() > 1;
}

bool mpi_sweep_available(void)
{
#ifdef FAULTLINE_HAVE_MPI
    return true;
#else
    return false;
#endif
}

static void single(struct mpi_sweep *m)
{
    memset(m, 0, sizeof *m);
    m->size = 1;
    m->local_size = 1;
}

#ifdef FAULTLINE_HAVE_MPI

int mpi_sweep_init(struct mpi_sweep *m, bool allow, char *err, size_t errcap)
{
    single(m);
    if (!allow || !mpi_sweep_launched())
        return SIM_OK;
    int already = 0;
    MPI_Initialized(&already);
    if (!already && MPI_Init(NULL, NULL) != MPI_SUCCESS) {
        snprintf(err, errcap, "MPI_Init failed");
        return SIM_EIO;
    }
    m->active = true;
    MPI_Comm_rank(MPI_COMM_WORLD, &m->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &m->size);
    MPI_Comm local;
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, m->rank, MPI_INFO_NULL,
                            &local) == MPI_SUCCESS) {
        MPI_Comm_size(local, &m->local_size);
        MPI_Comm_free(&local);
    }
    return SIM_OK;
}

int mpi_sweep_gather(const struct mpi_sweep *m, const struct sweep_config *cfg,
                     struct sweep_outcome *o, char *err, size_t errcap)
{
    if (!m->active)
        return SIM_OK;
    int rc = SIM_OK;
    /* counts and the cut */
    uint64_t mine[2] = {o->total, o->done}, sums[2] = {0, 0};
    uint64_t stop = o->stop, min_stop = UINT64_MAX;
    double wall = o->wall_seconds, max_wall = 0;
    MPI_Reduce(mine, sums, 2, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
    MPI_Allreduce(&stop, &min_stop, 1, MPI_UINT64_T, MPI_MIN, MPI_COMM_WORLD);
    MPI_Reduce(&wall, &max_wall, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);

    /* the records: only what stays below the cut travels */
    sweep_outcome_finish(o, cfg->stop_at_first ? min_stop : UINT64_MAX);
    size_t rec = sizeof *o->bad;
    if (o->nbad > (size_t)INT32_MAX / rec) {
        snprintf(err, errcap, "too many failing seeds on one rank to gather (%zu)", o->nbad);
        o->nbad = (size_t)INT32_MAX / rec; /* still take part in the collective */
        rc = SIM_EIO;
    }
    int bytes = (int)(o->nbad * rec);
    int *counts = NULL, *displs = NULL;
    char *all = NULL;
    long total = 0;
    if (m->rank == 0) {
        counts = calloc((size_t)m->size, sizeof *counts);
        displs = calloc((size_t)m->size, sizeof *displs);
    }
    MPI_Gather(&bytes, 1, MPI_INT, counts, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (m->rank == 0 && counts && displs) {
        for (int i = 0; i < m->size; i++) {
            displs[i] = (int)total;
            total += counts[i];
        }
        if (total > INT32_MAX) {
            snprintf(err, errcap, "too many failing seeds to gather (%ld bytes)", total);
            rc = SIM_EIO;
            total = 0;
            memset(counts, 0, (size_t)m->size * sizeof *counts);
            memset(displs, 0, (size_t)m->size * sizeof *displs);
        }
        all = malloc((size_t)(total ? total : 1));
    }
    int ok = m->rank != 0 || (counts && displs && all);
    int all_ok = 0;
    MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (!all_ok) {
        free(counts);
        free(displs);
        free(all);
        snprintf(err, errcap, "out of memory gathering the ranks' verdicts");
        return SIM_ENOMEM;
    }
    MPI_Gatherv(o->bad, bytes, MPI_BYTE, all, counts, displs, MPI_BYTE, 0, MPI_COMM_WORLD);
    if (m->rank == 0) {
        struct sweep_outcome merged = {0};
        merged.total = sums[0];
        merged.done = sums[1];
        merged.stop = min_stop;
        merged.wall_seconds = max_wall;
        size_t n = (size_t)total / rec;
        for (size_t i = 0; i < n && !rc; i++) {
            struct sweep_seed s;
            memcpy(&s, all + i * rec, rec);
            if (sweep_outcome_add(&merged, &s)) {
                snprintf(err, errcap, "out of memory gathering the ranks' verdicts");
                rc = SIM_ENOMEM;
            }
        }
        sweep_outcome_finish(&merged, cfg->stop_at_first ? min_stop : UINT64_MAX);
        sweep_outcome_free(o);
        *o = merged;
    }
    free(counts);
    free(displs);
    free(all);
    return rc;
}

int mpi_sweep_status(const struct mpi_sweep *m, int status)
{
    if (!m->active)
        return status;
    MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return status;
}

void mpi_sweep_finalize(struct mpi_sweep *m)
{
    if (!m->active)
        return;
    int done = 0;
    MPI_Finalized(&done);
    if (!done)
        MPI_Finalize();
    m->active = false;
}

#else /* no MPI: one rank */

int mpi_sweep_init(struct mpi_sweep *m, bool allow, char *err, size_t errcap)
{
    single(m);
    if (allow && mpi_sweep_launched()) {
        snprintf(err, errcap, "started by mpirun as %ld ranks, but this faultline was built "
                 "without MPI (install libopenmpi-dev and rebuild; or run it alone with --jobs)",
                 launched_size());
        return SIM_EINVAL;
    }
    return SIM_OK;
}

int mpi_sweep_gather(const struct mpi_sweep *m, const struct sweep_config *cfg,
                     struct sweep_outcome *o, char *err, size_t errcap)
{
    (void)m;
    (void)cfg;
    (void)o;
    (void)err;
    (void)errcap;
    return SIM_OK;
}

int mpi_sweep_status(const struct mpi_sweep *m, int status)
{
    (void)m;
    return status;
}

void mpi_sweep_finalize(struct mpi_sweep *m)
{
    m->active = false;
}

#endif
