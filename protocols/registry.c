/* registry.c - every protocol faultline knows, by name. Adding a protocol is
 * one extern line and one table entry here. */
#include "protocols/registry.h"

#include <string.h>

extern const struct sim_protocol echo_protocol;
extern const struct sim_protocol primary_backup_protocol;
extern const struct sim_protocol raft_protocol;
extern const struct sim_protocol paxos_protocol;
extern const struct sim_protocol twopc_protocol, threepc_protocol;
extern const struct sim_protocol quorum_protocol;
extern const struct sim_protocol chain_protocol;
extern const struct sim_protocol multi_paxos_protocol;
/* new protocols: one extern line each, above this comment */

static const struct sim_protocol *const protocols[] = {
    &primary_backup_protocol,
    &raft_protocol,
    &paxos_protocol,
    &twopc_protocol, &threepc_protocol,
    &quorum_protocol,
    &chain_protocol,
    &multi_paxos_protocol,
    /* new protocols: one entry each, above this comment */
    &echo_protocol,
    NULL,
};

const struct sim_protocol *protocol_find(const char *name)
{
    for (int i = 0; protocols[i]; i++)
        if (strcmp(protocols[i]->name, name) == 0)
            return protocols[i];
    return NULL;
}

const struct sim_protocol *const *protocol_all(void)
{
    return protocols;
}
