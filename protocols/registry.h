/* registry.h - the table that maps a scenario's "protocol" string to its
 * plug-in (Lua's linit.c style: a NULL-terminated list). */
#ifndef FAULTLINE_REGISTRY_H
#define FAULTLINE_REGISTRY_H

#include "sim/sim.h"

/* The protocol named `name`, or NULL when there is none. */
const struct sim_protocol *protocol_find(const char *name);
/* Every registered protocol, NULL-terminated, in a stable order. */
const struct sim_protocol *const *protocol_all(void);

#endif
