/* mpi_sweep.h - a sweep across MPI ranks, on any number of machines: each
 * rank runs interleaved chunks of the seed range (on its own worker
 * processes) and rank 0 gathers every rank's verdicts into one report,
 * the same report one process would print. Built with MPI when CMake finds
 * it (FAULTLINE_HAVE_MPI); without it every function acts as a single rank
 * and a launch under mpirun is refused rather than run N times over. */
#ifndef FAULTLINE_MPI_SWEEP_H
#define FAULTLINE_MPI_SWEEP_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/sweep.h"

struct mpi_sweep {
    bool active;      /* MPI was started (launched by mpirun, built with MPI) */
    int rank, size;   /* 0 and 1 when not active */
    int local_size;   /* ranks on this machine */
};

/* True when faultline was built with MPI. */
bool mpi_sweep_available(void);

/* True when this process was started by mpirun/mpiexec (Open MPI, MPICH,
 * PMIx) as one of several ranks. */
bool mpi_sweep_launched(void);

/* Starts MPI when launched by mpirun with more than one rank (and `allow`);
 * otherwise fills a single rank. Returns 0; SIM_EINVAL when launched as
 * several ranks but built without MPI, SIM_EIO when MPI fails to start
 * (err says why). */
int mpi_sweep_init(struct mpi_sweep *m, bool allow, char *err, size_t errcap);

/* Gathers every rank's outcome into rank 0's `o`: the non-passing seeds of
 * all, sorted, cut at the lowest failing seed when the sweep stops at the
 * first; counts summed, wall time the slowest rank's. Other ranks' `o`
 * keep their own. Collective. Returns 0, SIM_ENOMEM or SIM_EIO. */
int mpi_sweep_gather(const struct mpi_sweep *m, const struct sweep_config *cfg,
                     struct sweep_outcome *o, char *err, size_t errcap);

/* Rank 0's exit status, sent to every rank, so that all exit alike.
 * Collective; returns `status` when not active. */
int mpi_sweep_status(const struct mpi_sweep *m, int status);

/* Ends MPI if it was started. */
void mpi_sweep_finalize(struct mpi_sweep *m);

#endif
