/* threepc.c - three-phase commit ("3pc"): two-phase commit with a
 * pre-commit phase between the vote and the commit, so that no participant
 * commits while another is still uncertain, and a termination protocol by
 * which the participants decide without the coordinator (Skeen 1981,
 * "Nonblocking commit protocols"; Bernstein, Hadzilacos & Goodman 1987,
 * §7.5). It does not block when the coordinator crashes; under a network
 * partition each side terminates on its own and the two can decide
 * differently. The machinery is shared with 2PC (twopc*.c): the coordinator's
 * extra phase is in twopc_coordinator.c, the termination rule in
 * twopc_participant.c; docs/protocols/3pc.md tells it all.
 *
 * Parameters: as 2pc (coordinator, spread, vote_timeout - also the wait for
 * pre-commit acknowledgements -, decision_timeout - before terminating -,
 * decision_delay, retry - also how long termination gathers answers -),
 * with cooperative off by default (termination replaces it). */
#include "protocols/twopc.h"

static int threepc_configure(struct sim_params *p, void *config)
{
    return twopc_configure_common(p, config, 3);
}

/* Every role twopc_role returns (for scenario triggers). */
static const char *const threepc_roles[] = {"coordinator", "blocked", "participant", NULL};

const struct sim_protocol threepc_protocol = {
    .version = SIM_PROTOCOL_VERSION,
    .name = "3pc",
    .summary = "three-phase commit: pre-commit and termination; no blocking on a coordinator crash, split decisions under partition",
    .config_size = sizeof(struct twopc_config),
    .state_size = sizeof(struct twopc_state),
    .ghost_size = sizeof(struct twopc_ghost),
    .configure = threepc_configure,
    .start = twopc_start,
    .crash = twopc_crash,
    .message = twopc_message,
    .timer = twopc_timer,
    .client_request = twopc_client_request,
    .check_cluster = twopc_check_cluster,
    .ghost_free = twopc_ghost_free,
    .describe = twopc_describe,
    .role = twopc_role,
    .roles = threepc_roles,
    .message_name = twopc_message_name,
    .timer_name = twopc_timer_name,
    .message_describe = twopc_message_describe,
};
