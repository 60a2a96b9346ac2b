/* test_paxos_nemesis.c - single-decree Paxos under a random nemesis on 3,
 * 5 and 7 nodes, 300 seeds each (crashes losing unsynced writes, every
 * partition mode, clock faults, slow nodes, flapping links, loss,
 * duplication, reordering). Forty keys are forty instances, so decisions
 * keep being taken while faults happen. Every seed keeps agreement,
 * stability and validity, gives a linearizable history, and completes an
 * operation within 1.5s of the last fault. */
#include "tests/test_consensus.h"

static const char *const workload =
    "{\"clients\": 4, \"rate\": \"40/s\", \"keys\": 40,"
    " \"mix\": {\"read\": 0.5, \"write\": 0.5}, \"timeout\": \"400ms\", \"retries\": 1}";

static void sweep_nodes(int nodes, const char *params)
{
    struct sweep sw = {"paxos", params, workload, nodes, 1, 300, false, 1500 * SIM_MS};
    sim_time worst = sweep_run(&sw);
    cr_log_info("paxos on %d nodes: %llu seeds clean; worst recovery %.3fs", nodes,
                (unsigned long long)sweep_seeds(300), (double)worst / 1e6);
}

Test(paxos_nemesis, three_nodes_300_seeds, .timeout = 900) { sweep_nodes(3, NULL); }
Test(paxos_nemesis, five_nodes_300_seeds, .timeout = 900) { sweep_nodes(5, NULL); }
Test(paxos_nemesis, seven_nodes_300_seeds, .timeout = 900) { sweep_nodes(7, NULL); }

/* Two proposers only: the others redirect clients to them. */
Test(paxos_nemesis, two_proposers_five_nodes_300_seeds, .timeout = 900)
{
    sweep_nodes(5, "{\"proposers\": 2}");
}
