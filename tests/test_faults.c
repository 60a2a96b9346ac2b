/* test_faults.c - every fault kind shows its effect: partitions, one-way
 * cuts, isolation, bridges, crashes (volatile lost, stable kept, unsynced
 * lost on request), down nodes, clock drift and skew, slow nodes, flapping
 * links, loss, duplication, hand-dropped messages, role targets, heal, and
 * the nemesis. Each runs the probe protocol (tests/probe.h) and reads the
 * captured trace. */
#include "tests/probe.h"

#include "protocols/registry.h"

#define BASE(extra_faults)                                                                   \
    "{\"name\":\"t\",\"protocol\":\"probe\",\"nodes\":3,\"duration\":\"1s\","                \
    "\"network\":{\"latency\":\"5ms\"}," extra_faults "}"

Test(faults, partition_stops_messages_between_groups)
{
    struct run r;
    run_json(&r, BASE("\"faults\":[{\"at\":\"300ms\",\"partition\":[[\"n1\"],[\"n2\",\"n3\"]],\"for\":\"300ms\"}]"));
    /* nothing from n1 reaches n2 while the partition stands (+ one latency) */
    cr_expect_eq(COUNT(&r, 300 * SIM_MS + 1, 600 * SIM_MS, "\"ev\":\"recv\"", "\"from\":\"n1\"", "\"to\":\"n2\""), 0);
    cr_expect_gt(COUNT(&r, 0, 299 * SIM_MS, "\"ev\":\"recv\"", "\"from\":\"n1\"", "\"to\":\"n2\""), 0);
    cr_expect_gt(COUNT(&r, 620 * SIM_MS, SIM_S, "\"ev\":\"recv\"", "\"from\":\"n1\"", "\"to\":\"n2\""), 0);
    /* n2 and n3 still talk */
    cr_expect_gt(COUNT(&r, 310 * SIM_MS, 590 * SIM_MS, "\"ev\":\"recv\"", "\"from\":\"n2\"", "\"to\":\"n3\""), 0);
    cr_expect_gt(COUNT(&r, 300 * SIM_MS, 600 * SIM_MS, "\"ev\":\"drop\"", "\"reason\":\"partition\""), 0);
    run_free(&r);
}

Test(faults, oneway_cut_blocks_one_direction_only)
{
    struct run r;
    run_json(&r, BASE("\"faults\":[{\"at\":\"200ms\",\"cut\":{\"from\":\"n1\",\"to\":\"n2\"}}]"));
    cr_expect_eq(COUNT(&r, 206 * SIM_MS, SIM_S, "\"ev\":\"recv\"", "\"from\":\"n1\"", "\"to\":\"n2\""), 0);
    cr_expect_gt(COUNT(&r, 206 * SIM_MS, SIM_S, "\"ev\":\"recv\"", "\"from\":\"n2\"", "\"to\":\"n1\""), 50);
    cr_expect_gt(COUNT(&r, 206 * SIM_MS, SIM_S, "\"ev\":\"recv\"", "\"from\":\"n1\"", "\"to\":\"n3\""), 50);
    run_free(&r);
}

Test(faults, isolate_cuts_one_node_from_all)
{
    struct run r;
    run_json(&r, BASE("\"faults\":[{\"at\":\"200ms\",\"isolate\":\"n3\"}]"));
    cr_expect_eq(COUNT(&r, 206 * SIM_MS, SIM_S, "\"ev\":\"recv\"", "\"to\":\"n3\""), 0);
    cr_expect_eq(COUNT(&r, 206 * SIM_MS, SIM_S, "\"ev\":\"recv\"", "\"from\":\"n3\""), 0);
    cr_expect_gt(COUNT(&r, 206 * SIM_MS, SIM_S, "\"ev\":\"recv\"", "\"from\":\"n1\"", "\"to\":\"n2\""), 50);
    run_free(&r);
}

Test(faults, bridge_node_talks_to_both_sides)
{
    struct run r;
    run_json(&r, BASE("\"faults\":[{\"at\":\"200ms\",\"partition\":[[\"n1\"],[\"n3\"]],\"bridge\":\"n2\"}]"));
    cr_expect_eq(COUNT(&r, 206 * SIM_MS, SIM_S, "\"ev\":\"recv\"", "\"from\":\"n1\"", "\"to\":\"n3\""), 0);
    cr_expect_eq(COUNT(&r, 206 * SIM_MS, SIM_S, "\"ev\":\"recv\"", "\"from\":\"n3\"", "\"to\":\"n1\""), 0);
    cr_expect_gt(COUNT(&r, 206 * SIM_MS, SIM_S, "\"ev\":\"recv\"", "\"from\":\"n1\"", "\"to\":\"n2\""), 50);
    cr_expect_gt(COUNT(&r, 206 * SIM_MS, SIM_S, "\"ev\":\"recv\"", "\"from\":\"n2\"", "\"to\":\"n3\""), 50);
    run_free(&r);
}

Test(faults, crash_discards_volatile_state_and_keeps_stable_state)
{
    struct run r;
    run_json(&r, BASE("\"faults\":[{\"at\":\"500ms\",\"crash\":\"n2\",\"for\":\"100ms\"}]"));
    char text[200];
    sim_node_describe(r.sim, 1, text, sizeof text);
    /* booted twice (stable counter), but pings counted only since recovery */
    cr_expect(strstr(text, "boots=2") != NULL, "got %s", text);
    long long since_recovery = strtoll(strstr(text, "received=") + 9, NULL, 10);
    sim_node_describe(r.sim, 0, text, sizeof text);
    long long never_crashed = strtoll(strstr(text, "received=") + 9, NULL, 10);
    cr_expect_lt(since_recovery, never_crashed * 6 / 10, "%lld vs %lld", since_recovery,
                 never_crashed);
    cr_expect_gt(since_recovery, 0);
    /* a plain crash keeps even unsynced writes */
    sim_node_describe(r.sim, 1, text, sizeof text);
    cr_expect(strstr(text, "synced=1 unsynced=1") != NULL, "got %s", text);
    run_free(&r);
}

Test(faults, crash_with_lose_unsynced_loses_only_unsynced_writes)
{
    struct run r;
    run_json(&r, BASE("\"faults\":[{\"at\":\"500ms\",\"crash\":\"n2\",\"for\":\"100ms\",\"lose_unsynced\":true}]"));
    char text[200];
    sim_node_describe(r.sim, 1, text, sizeof text);
    cr_expect(strstr(text, "boots=2") != NULL, "got %s", text);
    cr_expect(strstr(text, "synced=1 unsynced=0") != NULL, "got %s", text);
    cr_expect_eq(COUNT(&r, 500 * SIM_MS, 500 * SIM_MS, "\"ev\":\"crash\"", "\"lost_writes\":1"), 1);
    run_free(&r);
}

Test(faults, messages_to_a_down_node_are_dropped_and_its_timers_die)
{
    struct run r;
    run_json(&r, BASE("\"faults\":[{\"at\":\"300ms\",\"crash\":\"n2\"}]"));
    cr_expect_eq(COUNT(&r, 306 * SIM_MS, SIM_S, "\"ev\":\"recv\"", "\"to\":\"n2\""), 0);
    cr_expect_gt(COUNT(&r, 301 * SIM_MS, SIM_S, "\"ev\":\"drop\"", "\"to\":\"n2\"", "\"reason\":\"down\""), 50);
    cr_expect_eq(COUNT(&r, 300 * SIM_MS, SIM_S, "\"ev\":\"timer\"", "\"node\":\"n2\""), 0);
    cr_expect_gt(COUNT(&r, 300 * SIM_MS, SIM_S, "\"ev\":\"timer\"", "\"node\":\"n1\""), 50);
    cr_expect_eq(sim_get_stats(r.sim)->crashes, 1);
    run_free(&r);
}

/* Times of the timer events of one node. */
static int timer_times(const struct run *r, const char *node, sim_time *out, int max)
{
    int n = 0;
    char want[32];
    snprintf(want, sizeof want, "\"node\":\"%s\"", node);
    size_t pos = 0;
    for (char *line; n < max && (line = next_line(&r->trace, &pos)); free(line))
        if (strstr(line, "\"ev\":\"timer\"") && strstr(line, want))
            out[n++] = line_int(line, "t");
    return n;
}

Test(faults, clock_drift_stretches_a_nodes_timers)
{
    struct run r;
    /* n2's clock runs 25% fast from the start: its 100ms timers fire every 80ms */
    run_json(&r, "{\"name\":\"t\",\"protocol\":\"probe\",\"nodes\":2,\"duration\":\"1s\","
                 "\"params\":{\"interval\":\"100ms\"},"
                 "\"faults\":[{\"at\":\"0\",\"clock\":\"n2\",\"drift\":0.25}]}");
    sim_time t1[32], t2[32];
    int n1 = timer_times(&r, "n1", t1, 32), n2 = timer_times(&r, "n2", t2, 32);
    cr_assert_geq(n1, 9);
    cr_assert_geq(n2, 11);
    cr_expect_eq(t1[1] - t1[0], 100 * SIM_MS);
    cr_expect_eq(t2[1] - t2[0], 80 * SIM_MS);
    cr_expect_eq(t2[5] - t2[4], 80 * SIM_MS);
    run_free(&r);
}

Test(faults, drift_change_moves_pending_timers)
{
    struct run r;
    /* a one-shot 1s timer on n2; at 500ms its clock starts running at 2x:
     * the remaining 500ms of local time take 250ms of real time */
    run_json(&r, "{\"name\":\"t\",\"protocol\":\"probe\",\"nodes\":2,\"duration\":\"2s\","
                 "\"params\":{\"interval\":\"0\",\"once\":\"1s\"},"
                 "\"faults\":[{\"at\":\"500ms\",\"clock\":\"n2\",\"drift\":0.5}]}");
    cr_expect_eq(COUNT(&r, SIM_S, SIM_S, "\"ev\":\"timer\"", "\"node\":\"n1\""), 1);
    cr_expect_eq(COUNT(&r, 833333, 833334, "\"ev\":\"timer\"", "\"node\":\"n2\""), 1);
    run_free(&r);
}

Test(faults, skew_jumps_the_clock_but_not_timers)
{
    struct run r;
    run_json(&r, "{\"name\":\"t\",\"protocol\":\"probe\",\"nodes\":2,\"duration\":\"1s\","
                 "\"params\":{\"interval\":\"100ms\"},"
                 "\"faults\":[{\"at\":\"250ms\",\"clock\":\"n2\",\"skew\":\"-2s\"}]}");
    cr_expect_eq(COUNT(&r, 250 * SIM_MS, 250 * SIM_MS, "\"ev\":\"clock\"", "\"offset\":-2000000"), 1);
    sim_time t2[32];
    int n2 = timer_times(&r, "n2", t2, 32);
    cr_assert_geq(n2, 9);
    for (int i = 1; i < n2; i++)
        cr_expect_eq(t2[i] - t2[i - 1], 100 * SIM_MS);
    run_free(&r);
}

Test(faults, slow_node_handles_events_late)
{
    struct run r;
    run_json(&r, BASE("\"faults\":[{\"at\":\"300ms\",\"slow\":\"n3\",\"delay\":\"30ms\",\"for\":\"300ms\"}]"));
    /* each event waits 30ms behind the previous: n3 handles far fewer
     * messages while slow than n2 does */
    size_t slow = COUNT(&r, 350 * SIM_MS, 600 * SIM_MS, "\"ev\":\"recv\"", "\"to\":\"n3\"");
    size_t fast = COUNT(&r, 350 * SIM_MS, 600 * SIM_MS, "\"ev\":\"recv\"", "\"to\":\"n2\"");
    cr_expect_lt(slow * 3, fast, "slow %zu, fast %zu", slow, fast);
    cr_expect_eq(COUNT(&r, 300 * SIM_MS, 300 * SIM_MS, "\"ev\":\"slow\"", "\"delay\":30000"), 1);
    cr_expect_eq(COUNT(&r, 600 * SIM_MS, 600 * SIM_MS, "\"ev\":\"slow\"", "\"delay\":0"), 1);
    run_free(&r);
}

Test(faults, flapping_link_goes_down_and_up)
{
    struct run r;
    run_json(&r, BASE("\"faults\":[{\"at\":\"100ms\",\"flap\":[\"n1\",\"n2\"],\"period\":\"50ms\",\"for\":\"600ms\"}]"));
    /* down 100-150, up 150-200, down 200-250 ... */
    cr_expect_eq(COUNT(&r, 106 * SIM_MS, 149 * SIM_MS, "\"ev\":\"recv\"", "\"from\":\"n1\"", "\"to\":\"n2\""), 0);
    cr_expect_gt(COUNT(&r, 156 * SIM_MS, 199 * SIM_MS, "\"ev\":\"recv\"", "\"from\":\"n1\"", "\"to\":\"n2\""), 0);
    cr_expect_eq(COUNT(&r, 206 * SIM_MS, 249 * SIM_MS, "\"ev\":\"recv\"", "\"from\":\"n2\"", "\"to\":\"n1\""), 0);
    cr_expect_gt(COUNT(&r, 100 * SIM_MS, 700 * SIM_MS, "\"ev\":\"flap\"", "\"up\":true"), 4);
    cr_expect_gt(COUNT(&r, 720 * SIM_MS, SIM_S, "\"ev\":\"recv\"", "\"from\":\"n1\"", "\"to\":\"n2\""), 0);
    run_free(&r);
}

Test(faults, loss_fault_drops_messages_while_it_lasts)
{
    struct run r;
    run_json(&r, BASE("\"faults\":[{\"at\":\"200ms\",\"drop\":1.0,\"for\":\"200ms\"}]"));
    cr_expect_eq(COUNT(&r, 206 * SIM_MS, 399 * SIM_MS, "\"ev\":\"recv\""), 0);
    cr_expect_gt(COUNT(&r, 206 * SIM_MS, 404 * SIM_MS, "\"ev\":\"drop\"", "\"reason\":\"loss\""), 50);
    cr_expect_gt(COUNT(&r, 406 * SIM_MS, SIM_S, "\"ev\":\"recv\""), 50);
    run_free(&r);
}

Test(faults, duplication_fault_delivers_twice)
{
    struct run r;
    run_json(&r, BASE("\"faults\":[{\"at\":\"0\",\"duplicate\":1.0}]"));
    const struct sim_stats *st = sim_get_stats(r.sim);
    cr_expect_eq(st->messages_duplicated, st->messages_sent);
    cr_expect_eq(COUNT(&r, 0, SIM_S, "\"copy\":\"duplicate\""), st->messages_sent);
    char text[200];
    sim_node_describe(r.sim, 0, text, sizeof text);
    long long got = strtoll(strstr(text, "received=") + 9, NULL, 10);
    /* n1 hears two pings from each of two peers every 10ms */
    cr_expect_geq(got, 4 * 98);
    run_free(&r);
}

Test(faults, drop_message_loses_exactly_that_message)
{
    struct run r;
    /* message 1 is n1's first ping to n2, sent at 10ms, arriving at 15ms */
    run_json(&r, BASE("\"faults\":[{\"at\":\"12ms\",\"drop_message\":1}]"));
    cr_expect_eq(COUNT(&r, 0, SIM_S, "\"ev\":\"drop\"", "\"id\":1,", "\"reason\":\"by hand\""), 1);
    cr_expect_eq(COUNT(&r, 0, SIM_S, "\"ev\":\"drop\""), 1);
    run_free(&r);
}

Test(faults, heal_restores_every_link)
{
    struct run r;
    run_json(&r, BASE("\"faults\":[{\"at\":\"100ms\",\"isolate\":\"n1\"},"
                      "{\"at\":\"100ms\",\"cut\":{\"from\":\"n2\",\"to\":\"n3\"}},"
                      "{\"at\":\"500ms\",\"heal\":true}]"));
    cr_expect_eq(COUNT(&r, 106 * SIM_MS, 499 * SIM_MS, "\"ev\":\"recv\"", "\"from\":\"n2\"", "\"to\":\"n3\""), 0);
    cr_expect_gt(COUNT(&r, 506 * SIM_MS, SIM_S, "\"ev\":\"recv\"", "\"from\":\"n2\"", "\"to\":\"n3\""), 0);
    cr_expect_gt(COUNT(&r, 506 * SIM_MS, SIM_S, "\"ev\":\"recv\"", "\"from\":\"n1\""), 0);
    run_free(&r);
}

Test(faults, crash_by_role_targets_the_role_holder)
{
    struct run r;
    run_json_with(&r,
                  "{\"name\":\"t\",\"protocol\":\"primary-backup\",\"nodes\":3,\"duration\":\"2s\","
                  "\"faults\":[{\"at\":\"1s\",\"crash\":\"primary\"}]}",
                  protocol_find("primary-backup"));
    cr_expect_eq(COUNT(&r, SIM_S, SIM_S, "\"ev\":\"crash\"", "\"node\":\"n1\""), 1);
    cr_expect_not(sim_node_up(r.sim, 0));
    run_free(&r);
}

Test(faults, role_target_without_holder_is_skipped)
{
    struct run r;
    run_json(&r, BASE("\"faults\":[{\"at\":\"100ms\",\"crash\":\"leader\"}]"));
    cr_expect_eq(COUNT(&r, 100 * SIM_MS, 100 * SIM_MS, "\"ev\":\"fault_skipped\""), 1);
    cr_expect_eq(sim_get_stats(r.sim)->faults_skipped, 1);
    cr_expect_eq(sim_get_stats(r.sim)->crashes, 0);
    run_free(&r);
}

Test(faults, nemesis_injects_many_kinds_and_reverts_them)
{
    struct run r;
    run_json(&r, "{\"name\":\"t\",\"protocol\":\"probe\",\"nodes\":5,\"duration\":\"20s\","
                 "\"nemesis\":{\"interval\":{\"min\":\"100ms\",\"max\":\"300ms\"},"
                 "\"duration\":{\"min\":\"50ms\",\"max\":\"400ms\"},\"until\":\"18s\"}}");
    const struct sim_stats *st = sim_get_stats(r.sim);
    cr_expect_gt(st->faults_applied, 50);
    cr_expect_gt(st->crashes, 0);
    const char *kinds[] = {"\"ev\":\"crash\"", "\"ev\":\"partition\"", "\"ev\":\"isolate\"",
                           "\"ev\":\"cut\"", "\"ev\":\"clock\"", "\"ev\":\"slow\"",
                           "\"ev\":\"flap\"", "\"ev\":\"loss\"", "\"ev\":\"duplication\""};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        cr_expect_gt(COUNT(&r, 0, 20 * SIM_S, kinds[i]), 0, "no %s", kinds[i]);
    /* everything is back to normal by "until": all nodes up, links heal */
    for (int i = 0; i < 5; i++)
        cr_expect(sim_node_up(r.sim, i), "n%d still down", i + 1);
    cr_expect_gt(COUNT(&r, 18 * SIM_S + 10 * SIM_MS, 20 * SIM_S, "\"ev\":\"recv\""), 1000);
    cr_expect_eq(COUNT(&r, 18 * SIM_S + 10 * SIM_MS, 20 * SIM_S, "\"ev\":\"drop\""), 0);
    run_free(&r);
}

Test(faults, fifo_links_deliver_in_send_order)
{
    struct run r;
    run_json(&r, "{\"name\":\"t\",\"protocol\":\"probe\",\"nodes\":2,\"duration\":\"1s\","
                 "\"params\":{\"interval\":\"1ms\"},"
                 "\"network\":{\"fifo\":true,\"latency\":{\"dist\":\"uniform\",\"min\":\"1ms\",\"max\":\"20ms\"}}}");
    long long last = 0;
    size_t inversions = 0, seen = 0;
    size_t pos = 0;
    for (char *line; (line = next_line(&r.trace, &pos));) {
        if (strstr(line, "\"ev\":\"recv\"") && strstr(line, "\"from\":\"n1\"")) {
            long long id = line_int(line, "id");
            inversions += id < last;
            last = id;
            seen++;
        }
        free(line);
    }
    cr_expect_gt(seen, 500);
    cr_expect_eq(inversions, 0);
    run_free(&r);
}

Test(faults, jitter_reorders_without_fifo)
{
    struct run r;
    run_json(&r, "{\"name\":\"t\",\"protocol\":\"probe\",\"nodes\":2,\"duration\":\"1s\","
                 "\"params\":{\"interval\":\"1ms\"},"
                 "\"network\":{\"latency\":{\"dist\":\"uniform\",\"min\":\"1ms\",\"max\":\"20ms\"}}}");
    long long last = 0;
    size_t inversions = 0;
    size_t pos = 0;
    for (char *line; (line = next_line(&r.trace, &pos));) {
        if (strstr(line, "\"ev\":\"recv\"") && strstr(line, "\"from\":\"n1\"")) {
            long long id = line_int(line, "id");
            inversions += id < last;
            last = id;
        }
        free(line);
    }
    cr_expect_gt(inversions, 50);
    run_free(&r);
}

/* Latencies of delivered messages, from send lines (arrive - t). */
static void latency_bounds(const char *json, sim_time *lo, sim_time *hi, double *mean)
{
    struct run r;
    run_json(&r, json);
    *lo = SIM_TIME_NEVER;
    *hi = 0;
    double sum = 0;
    size_t n = 0;
    size_t pos = 0;
    for (char *line; (line = next_line(&r.trace, &pos));) {
        if (strstr(line, "\"ev\":\"send\"")) {
            sim_time l = line_int(line, "arrive") - line_int(line, "t");
            *lo = l < *lo ? l : *lo;
            *hi = l > *hi ? l : *hi;
            sum += (double)l;
            n++;
        }
        free(line);
    }
    *mean = n ? sum / (double)n : 0;
    run_free(&r);
}

Test(faults, latency_distributions_respect_their_parameters)
{
    sim_time lo, hi;
    double mean;
    latency_bounds("{\"name\":\"t\",\"protocol\":\"probe\",\"nodes\":3,\"duration\":\"2s\","
                   "\"network\":{\"latency\":{\"dist\":\"constant\",\"value\":\"7ms\"}}}",
                   &lo, &hi, &mean);
    cr_expect_eq(lo, 7 * SIM_MS);
    cr_expect_eq(hi, 7 * SIM_MS);
    latency_bounds("{\"name\":\"t\",\"protocol\":\"probe\",\"nodes\":3,\"duration\":\"2s\","
                   "\"network\":{\"latency\":{\"dist\":\"uniform\",\"min\":\"2ms\",\"max\":\"4ms\"}}}",
                   &lo, &hi, &mean);
    cr_expect_geq(lo, 2 * SIM_MS);
    cr_expect_leq(hi, 4 * SIM_MS);
    cr_expect(mean > 2.9e3 && mean < 3.1e3, "uniform mean %f", mean);
    latency_bounds("{\"name\":\"t\",\"protocol\":\"probe\",\"nodes\":3,\"duration\":\"2s\","
                   "\"network\":{\"latency\":{\"dist\":\"exponential\",\"mean\":\"5ms\",\"floor\":\"1ms\"}}}",
                   &lo, &hi, &mean);
    cr_expect_geq(lo, 1 * SIM_MS);
    cr_expect(mean > 5.5e3 && mean < 6.5e3, "exponential mean %f", mean);
    latency_bounds("{\"name\":\"t\",\"protocol\":\"probe\",\"nodes\":3,\"duration\":\"2s\","
                   "\"network\":{\"latency\":{\"dist\":\"normal\",\"mean\":\"10ms\",\"stddev\":\"5ms\",\"floor\":\"8ms\"}}}",
                   &lo, &hi, &mean);
    cr_expect_eq(lo, 8 * SIM_MS);
    cr_expect_gt(hi, 15 * SIM_MS);
}

Test(faults, per_link_override_applies_to_that_link_only)
{
    sim_time lo, hi;
    double mean;
    latency_bounds("{\"name\":\"t\",\"protocol\":\"probe\",\"nodes\":3,\"duration\":\"1s\","
                   "\"network\":{\"latency\":\"5ms\",\"links\":[{\"from\":\"n1\",\"to\":\"n2\",\"latency\":\"50ms\"}]}}",
                   &lo, &hi, &mean);
    cr_expect_eq(lo, 5 * SIM_MS);
    cr_expect_eq(hi, 50 * SIM_MS);
}

Test(faults, overlapping_faults_of_one_kind_restore_what_is_still_in_force)
{
    struct run r;
    /* regression: a revert used to restore the value saved when its fault
     * began, resurrecting a fault that had already ended */
    run_json(&r, BASE("\"faults\":[{\"at\":\"100ms\",\"drop\":0.5,\"for\":\"400ms\"},"
                      "{\"at\":\"200ms\",\"drop\":1.0,\"for\":\"100ms\"},"
                      "{\"at\":\"100ms\",\"slow\":\"n2\",\"delay\":\"5ms\",\"for\":\"100ms\"},"
                      "{\"at\":\"150ms\",\"slow\":\"n2\",\"delay\":\"9ms\",\"for\":\"300ms\"}]"));
    cr_expect_eq(COUNT(&r, 300 * SIM_MS, 300 * SIM_MS, "\"ev\":\"loss\"", "\"probability\":0.5"), 1);
    cr_expect_eq(COUNT(&r, 500 * SIM_MS, 500 * SIM_MS, "\"ev\":\"loss\"", "\"probability\":0}"), 1);
    cr_expect_gt(COUNT(&r, 506 * SIM_MS, SIM_S, "\"ev\":\"recv\""), 100);
    /* (n2 is still working off its slow backlog then: look at n1 -> n3) */
    cr_expect_eq(COUNT(&r, 506 * SIM_MS, SIM_S, "\"ev\":\"drop\"", "\"from\":\"n1\"", "\"to\":\"n3\""), 0);
    cr_expect_eq(COUNT(&r, 200 * SIM_MS, 200 * SIM_MS, "\"ev\":\"slow\"", "\"delay\":9000"), 1);
    cr_expect_eq(COUNT(&r, 450 * SIM_MS, 450 * SIM_MS, "\"ev\":\"slow\"", "\"delay\":0"), 1);
    run_free(&r);
}
