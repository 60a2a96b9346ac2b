/* test_raft_nemesis.c - Raft under a random nemesis on 3, 5 and 7 nodes,
 * 300 seeds each: crashes that lose unsynced writes, every partition mode,
 * clock faults, slow nodes, flapping links, loss, duplication and
 * reordering. Every seed keeps every invariant, gives a linearizable
 * history, and has a leader and a completed operation within 1.5s of the
 * last fault. */
#include "tests/test_consensus.h"

static const char *const workload =
    "{\"clients\": 4, \"rate\": \"60/s\", \"keys\": 2,"
    " \"mix\": {\"read\": 0.4, \"write\": 0.4, \"cas\": 0.2}, \"timeout\": \"400ms\", \"retries\": 1}";

static void sweep_nodes(int nodes)
{
    struct sweep sw = {"raft", NULL, workload, nodes, 1, 300, true, 1500 * SIM_MS};
    sim_time worst = sweep_run(&sw);
    cr_log_info("raft on %d nodes: %llu seeds clean; worst recovery %.3fs", nodes,
                (unsigned long long)sweep_seeds(300), (double)worst / 1e6);
}

Test(raft_nemesis, three_nodes_300_seeds, .timeout = 900) { sweep_nodes(3); }
Test(raft_nemesis, five_nodes_300_seeds, .timeout = 900) { sweep_nodes(5); }
Test(raft_nemesis, seven_nodes_300_seeds, .timeout = 900) { sweep_nodes(7); }

/* ReadIndex is the default; reads through the log must be as safe. */
Test(raft_nemesis, reads_through_the_log_five_nodes_100_seeds, .timeout = 900)
{
    struct sweep sw = {"raft", "{\"reads\": \"log\", \"batch\": 4}", workload, 5, 1001, 100, true,
                       1500 * SIM_MS};
    sweep_run(&sw);
}

/* Key-value operations (get, put, append) over the same log. */
Test(raft_nemesis, key_value_workload_five_nodes_100_seeds, .timeout = 900)
{
    struct sweep sw = {"raft", NULL,
                       "{\"clients\": 4, \"rate\": \"60/s\", \"keys\": 3,"
                       " \"mix\": {\"get\": 0.4, \"put\": 0.3, \"append\": 0.3}, \"timeout\": \"400ms\","
                       " \"retries\": 1}",
                       5, 2001, 100, true, 1500 * SIM_MS};
    sweep_run(&sw);
}
