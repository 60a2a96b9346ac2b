/* test_scenario_errors.c - the scenario loader rejects bad input with a
 * message naming the file, the JSON path and what was expected: one test
 * per class of error. */
#include <criterion/criterion.h>
#include <string.h>

#include "cli/runner.h"
#include "sim/scenario.h"

#define HEAD "\"name\":\"x\",\"protocol\":\"echo\",\"nodes\":3,\"duration\":\"1s\""

/* Loads `json` expecting failure; returns the message (static buffer). */
static const char *load_error(const char *json)
{
    static char err[1024];
    struct scenario *sc = NULL;
    int rc = scenario_parse(json, strlen(json), "bad.json", &sc, err, sizeof err);
    cr_assert_eq(rc, SIM_EINVAL, "expected SIM_EINVAL for %s (got %d)", json, rc);
    cr_assert_null(sc);
    return err;
}

#define EXPECT_MSG(json, ...)                                                        \
    do {                                                                             \
        const char *msg_ = load_error(json);                                         \
        const char *want_[] = {__VA_ARGS__};                                         \
        for (size_t i_ = 0; i_ < sizeof want_ / sizeof want_[0]; i_++)               \
            cr_expect(strstr(msg_, want_[i_]) != NULL, "message \"%s\" lacks \"%s\"", \
                      msg_, want_[i_]);                                              \
    } while (0)

Test(scenario_errors, a_valid_scenario_loads)
{
    char err[256];
    struct scenario *sc;
    const char *json = "{" HEAD ",\"faults\":[{\"at\":\"0.5s\",\"crash\":\"n2\",\"for\":\"100ms\"}]}";
    cr_assert_eq(scenario_parse(json, strlen(json), "ok.json", &sc, err, sizeof err), 0, "%s", err);
    cr_expect_eq(sc->nodes, 3);
    cr_expect_eq(sc->duration, 1000000);
    cr_expect_eq(sc->faults[0].at, 500000);
    cr_expect_eq(sc->faults[0].target.node, 1);
    scenario_free(sc);
}

Test(scenario_errors, malformed_json_reports_line_and_column)
{
    EXPECT_MSG("{\n  \"name\": \"x\",\n  \"nodes\": 3,,\n}", "bad.json:3:14:", "malformed JSON");
}

Test(scenario_errors, truncated_json_says_so)
{
    EXPECT_MSG("{\"name\": \"x\", \"nodes\": [1, 2", "bad.json:1:", "unexpected end");
}

Test(scenario_errors, unknown_top_level_key)
{
    EXPECT_MSG("{" HEAD ",\"nemisis\":{}}", "bad.json: nemisis:", "unknown key \"nemisis\"",
               "expected one of", "nemesis");
}

Test(scenario_errors, unknown_nested_key)
{
    EXPECT_MSG("{" HEAD ",\"network\":{\"latencyy\":\"5ms\"}}", "network.latencyy",
               "unknown key");
}

Test(scenario_errors, missing_required_key)
{
    EXPECT_MSG("{\"name\":\"x\",\"protocol\":\"echo\",\"duration\":\"1s\"}",
               "missing required key \"nodes\"");
}

Test(scenario_errors, wrong_type)
{
    EXPECT_MSG("{\"name\":\"x\",\"protocol\":\"echo\",\"nodes\":\"three\",\"duration\":\"1s\"}",
               "bad.json: nodes:", "expected an integer", "got a string");
}

Test(scenario_errors, number_out_of_range)
{
    EXPECT_MSG("{" HEAD ",\"network\":{\"drop\":1.5}}", "network.drop", "from 0 to 1");
}

Test(scenario_errors, bad_duration)
{
    EXPECT_MSG("{" HEAD ",\"workload\":{\"clients\":1,\"timeout\":\"10 ms\"}}", "workload.timeout",
               "expected a duration", "\"10 ms\"");
    EXPECT_MSG("{" HEAD ",\"workload\":{\"clients\":1,\"timeout\":500}}", "workload.timeout",
               "duration string", "got a number");
    EXPECT_MSG("{" HEAD ",\"faults\":[{\"at\":\"-1s\",\"heal\":true}]}", "faults[0].at",
               "expected a duration");
    EXPECT_MSG("{" HEAD ",\"faults\":[{\"at\":\"1.0000001s\",\"heal\":true}]}", "faults[0].at");
}

Test(scenario_errors, unknown_node)
{
    EXPECT_MSG("{" HEAD ",\"faults\":[{\"at\":\"1s\",\"crash\":\"n7\"}]}", "faults[0].crash",
               "unknown node \"n7\"", "n1..n3");
    EXPECT_MSG("{" HEAD ",\"faults\":[{\"at\":\"1s\",\"partition\":[[\"n1\"],[\"n4\"]]}]}",
               "faults[0].partition[1][0]", "n1..n3");
}

Test(scenario_errors, overlapping_partition_groups)
{
    EXPECT_MSG("{" HEAD ",\"faults\":[{\"at\":\"1s\",\"partition\":[[\"n1\",\"n2\"],[\"n2\",\"n3\"]]}]}",
               "faults[0].partition[1][0]", "already in group 0", "must not overlap");
}

Test(scenario_errors, bridge_inside_a_group)
{
    EXPECT_MSG("{" HEAD ",\"faults\":[{\"at\":\"1s\",\"partition\":[[\"n1\"],[\"n2\"]],\"bridge\":\"n2\"}]}",
               "faults[0].bridge", "must not be in a group");
}

Test(scenario_errors, fault_with_two_actions)
{
    EXPECT_MSG("{" HEAD ",\"faults\":[{\"at\":\"1s\",\"crash\":\"n1\",\"heal\":true}]}", "faults[0]",
               "one action per fault");
}

Test(scenario_errors, fault_without_action)
{
    EXPECT_MSG("{" HEAD ",\"faults\":[{\"at\":\"1s\"}]}", "faults[0]", "expected one action");
}

Test(scenario_errors, modifier_not_allowed_for_action)
{
    EXPECT_MSG("{" HEAD ",\"faults\":[{\"at\":\"1s\",\"heal\":true,\"for\":\"1s\"}]}", "faults[0].for",
               "unknown key");
}

Test(scenario_errors, fault_after_the_end)
{
    EXPECT_MSG("{" HEAD ",\"faults\":[{\"at\":\"2s\",\"heal\":true}]}", "faults[0]", "after the end");
}

Test(scenario_errors, duplicate_key)
{
    EXPECT_MSG("{" HEAD ",\"seed\":1,\"seed\":2}", "seed", "duplicate key");
}

Test(scenario_errors, mixed_register_and_kv_operations)
{
    EXPECT_MSG("{" HEAD ",\"workload\":{\"clients\":1,\"mix\":{\"read\":1,\"append\":1}}}",
               "workload.mix", "cannot be mixed");
}

Test(scenario_errors, rate_and_think_together)
{
    EXPECT_MSG("{" HEAD ",\"workload\":{\"clients\":1,\"rate\":\"5/s\",\"think\":\"1ms\"}}",
               "workload", "not both");
}

Test(scenario_errors, bad_latency_distribution)
{
    EXPECT_MSG("{" HEAD ",\"network\":{\"latency\":{\"dist\":\"gaussian\"}}}", "network.latency.dist",
               "\"normal\"");
    EXPECT_MSG("{" HEAD ",\"network\":{\"latency\":{\"dist\":\"uniform\",\"min\":\"5ms\"}}}",
               "network.latency", "missing \"max\"");
}

Test(scenario_errors, bad_expectation)
{
    EXPECT_MSG("{" HEAD ",\"expect\":{\"violations\":\"maybe\"}}", "expect.violations",
               "\"none\", \"some\"");
    EXPECT_MSG("{" HEAD ",\"expect\":{\"max_leader\":1}}", "expect.max_leader", "unknown key");
}

Test(scenario_errors, recover_by_role_is_refused)
{
    EXPECT_MSG("{" HEAD ",\"faults\":[{\"at\":\"1s\",\"recover\":\"leader\"}]}", "faults[0].recover",
               "needs a node name");
}

/* Errors found when the scenario meets its protocol (at run time). */
static const char *run_error(const char *json)
{
    static char err[1024];
    struct scenario *sc;
    cr_assert_eq(scenario_parse(json, strlen(json), "bad.json", &sc, err, sizeof err), 0, "%s", err);
    struct run_options opt = {0};
    struct run_result r;
    int rc = runner_run(sc, &opt, &r, err, sizeof err);
    scenario_free(sc);
    cr_assert_eq(rc, SIM_EINVAL);
    return err;
}

Test(scenario_errors, unknown_protocol)
{
    const char *msg = run_error("{\"name\":\"x\",\"protocol\":\"rafft\",\"nodes\":3,\"duration\":\"1s\"}");
    cr_expect(strstr(msg, "bad.json: protocol: unknown protocol \"rafft\"") != NULL, "%s", msg);
    cr_expect(strstr(msg, "known: ") != NULL, "%s", msg);
}

Test(scenario_errors, unknown_protocol_parameter)
{
    const char *msg = run_error("{" HEAD ",\"params\":{\"intervall\":\"5ms\"}}");
    cr_expect(strstr(msg, "bad.json: params.intervall: unknown parameter for protocol \"echo\"") != NULL,
              "%s", msg);
}

Test(scenario_errors, protocol_parameter_of_wrong_type)
{
    const char *msg = run_error("{" HEAD ",\"params\":{\"interval\":5}}");
    cr_expect(strstr(msg, "bad.json: params.interval: expected a duration") != NULL, "%s", msg);
    msg = run_error("{\"name\":\"x\",\"protocol\":\"primary-backup\",\"nodes\":3,\"duration\":\"1s\","
                    "\"params\":{\"failover\":\"vote\"}}");
    cr_expect(strstr(msg, "params.failover: expected one of \"heartbeat\"") != NULL, "%s", msg);
    msg = run_error("{\"name\":\"x\",\"protocol\":\"primary-backup\",\"nodes\":3,\"duration\":\"1s\","
                    "\"params\":{\"monitor\":\"n9\"}}");
    cr_expect(strstr(msg, "params.monitor: expected a node name (n1..n3)") != NULL, "%s", msg);
}

Test(scenario_errors, unreadable_file)
{
    char err[512];
    struct scenario *sc;
    cr_expect_eq(scenario_load("/nonexistent/x.json", &sc, err, sizeof err), SIM_EIO);
    cr_expect(strstr(err, "/nonexistent/x.json: cannot open") != NULL, "%s", err);
}

Test(scenario_errors, durations_parse_with_units)
{
    sim_time t;
    cr_expect_eq(scenario_parse_duration("1.5s", false, &t), 0);
    cr_expect_eq(t, 1500000);
    cr_expect_eq(scenario_parse_duration("250us", false, &t), 0);
    cr_expect_eq(t, 250);
    cr_expect_eq(scenario_parse_duration("0", false, &t), 0);
    cr_expect_eq(t, 0);
    cr_expect_eq(scenario_parse_duration("-200ms", true, &t), 0);
    cr_expect_eq(t, -200000);
    cr_expect_neq(scenario_parse_duration("-200ms", false, &t), 0);
    cr_expect_neq(scenario_parse_duration("5", false, &t), 0);
    cr_expect_neq(scenario_parse_duration("5 s", false, &t), 0);
    cr_expect_neq(scenario_parse_duration("1.5us", false, &t), 0);
    cr_expect_neq(scenario_parse_duration("s", false, &t), 0);
}

Test(scenario_errors, leader_within_takes_a_duration_or_after_and_within)
{
    char err[256];
    struct scenario *sc;
    const char *json = "{" HEAD ",\"expect\":{\"leader_within\":{\"after\":\"fault\",\"within\":\"1s\"}}}";
    cr_assert_eq(scenario_parse(json, strlen(json), "ok.json", &sc, err, sizeof err), 0, "%s", err);
    cr_expect_eq(sc->expect.leader_from, LEADER_FROM_FAULT);
    cr_expect_eq(sc->expect.leader_within, 1000000);
    scenario_free(sc);
    json = "{" HEAD ",\"expect\":{\"leader_within\":{\"within\":\"250ms\",\"after\":\"heal\"}}}";
    cr_assert_eq(scenario_parse(json, strlen(json), "ok.json", &sc, err, sizeof err), 0, "%s", err);
    cr_expect_eq(sc->expect.leader_from, LEADER_FROM_HEAL);
    cr_expect_eq(sc->expect.leader_within, 250000);
    scenario_free(sc);
    json = "{" HEAD ",\"expect\":{\"leader_within\":\"700ms\"}}";
    cr_assert_eq(scenario_parse(json, strlen(json), "ok.json", &sc, err, sizeof err), 0, "%s", err);
    cr_expect_eq(sc->expect.leader_from, LEADER_FROM_ANY, "the string form keeps its meaning");
    cr_expect_eq(sc->expect.leader_within, 700000);
    scenario_free(sc);
}

Test(scenario_errors, leader_within_after_must_be_fault_or_heal)
{
    EXPECT_MSG("{" HEAD ",\"expect\":{\"leader_within\":{\"after\":\"crash\",\"within\":\"1s\"}}}",
               "bad.json: expect.leader_within.after:", "\"fault\" or \"heal\"", "\"crash\"");
    EXPECT_MSG("{" HEAD ",\"expect\":{\"leader_within\":{\"after\":1,\"within\":\"1s\"}}}",
               "bad.json: expect.leader_within.after:", "a number");
}

Test(scenario_errors, leader_within_needs_after_and_a_within_duration)
{
    EXPECT_MSG("{" HEAD ",\"expect\":{\"leader_within\":{\"within\":\"1s\"}}}",
               "bad.json: expect.leader_within:", "missing \"after\"");
    EXPECT_MSG("{" HEAD ",\"expect\":{\"leader_within\":{\"after\":\"fault\"}}}",
               "bad.json: expect.leader_within:", "missing \"within\"");
    EXPECT_MSG("{" HEAD ",\"expect\":{\"leader_within\":{\"after\":\"fault\",\"within\":\"soon\"}}}",
               "bad.json: expect.leader_within.within:", "\"soon\"");
    EXPECT_MSG("{" HEAD ",\"expect\":{\"leader_within\":{\"after\":\"fault\",\"within\":\"1s\",\"of\":1}}}",
               "bad.json: expect.leader_within.of:", "unknown key \"of\"");
    EXPECT_MSG("{" HEAD ",\"expect\":{\"leader_within\":5}}", "bad.json: expect.leader_within:",
               "{\"after\": \"fault\" or \"heal\"", "a number");
}
