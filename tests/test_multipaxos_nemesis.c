/* test_multipaxos_nemesis.c - Multi-Paxos under a random nemesis on 3, 5
 * and 7 nodes, 300 seeds each (crashes losing unsynced writes, every
 * partition mode, clock faults, slow nodes, flapping links, loss,
 * duplication, reordering), with a key-value workload. Every seed keeps
 * every invariant, gives a linearizable history, and has a leader and a
 * completed operation within 1.5s of the last fault. */
#include "tests/test_consensus.h"

static const char *const workload =
    "{\"clients\": 4, \"rate\": \"60/s\", \"keys\": 3,"
    " \"mix\": {\"get\": 0.4, \"put\": 0.3, \"append\": 0.3}, \"timeout\": \"400ms\", \"retries\": 1}";

static void sweep_nodes(int nodes, const char *params, const char *load)
{
    struct sweep sw = {"multi-paxos", params, load, nodes, 1, 300, true, 1500 * SIM_MS};
    sim_time worst = sweep_run(&sw);
    cr_log_info("multi-paxos on %d nodes: %llu seeds clean; worst recovery %.3fs", nodes,
                (unsigned long long)sweep_seeds(300), (double)worst / 1e6);
}

Test(multipaxos_nemesis, three_nodes_300_seeds, .timeout = 900) { sweep_nodes(3, NULL, workload); }
Test(multipaxos_nemesis, five_nodes_300_seeds, .timeout = 900) { sweep_nodes(5, NULL, workload); }
Test(multipaxos_nemesis, seven_nodes_300_seeds, .timeout = 900) { sweep_nodes(7, NULL, workload); }

/* Registers with cas, and one slot per Accept. */
Test(multipaxos_nemesis, registers_batch_1_five_nodes_300_seeds, .timeout = 900)
{
    sweep_nodes(5, "{\"batch\": 1}",
                "{\"clients\": 4, \"rate\": \"60/s\", \"keys\": 2,"
                " \"mix\": {\"read\": 0.4, \"write\": 0.4, \"cas\": 0.2}, \"timeout\": \"400ms\","
                " \"retries\": 1}");
}
