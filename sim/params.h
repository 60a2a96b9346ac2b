/* params.h - the engine side of protocol parameters: runs a protocol's
 * configure hook over the scenario's "params" and rejects unknown keys. */
#ifndef FAULTLINE_PARAMS_H
#define FAULTLINE_PARAMS_H

#include <stddef.h>

#include "sim/scenario.h"
#include "sim/sim.h"

/* Fills `config` from sc->params through proto->configure. Returns 0, or
 * SIM_EINVAL with `err` naming the file, "params.<key>" and what was
 * expected (including unknown keys), or SIM_ENOMEM. */
int params_configure(const struct scenario *sc, const struct sim_protocol *proto, void *config,
                     char *err, size_t errcap);

#endif
