/* test_cli.c - the `faultline` command as a user meets it: exit statuses,
 * error messages on stderr, files written whole or not at all. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs `faultline ARGS`, capturing stdout+stderr; returns the exit status. */
static int run_cli(const char *args, char *out, size_t cap)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "%s %s 2>&1", FAULTLINE_BIN, args);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static char *tmp_path(const char *name)
{
    static char path[512];
    snprintf(path, sizeof path, "/tmp/faultline-test-%ld-%s", (long)getpid(), name);
    return path;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static char out[1 << 20];

Test(cli, default_run_passes_its_expectations)
{
    int rc = run_cli("", out, sizeof out);
    cr_expect_eq(rc, 0, "%s", out);
    cr_expect_not_null(strstr(out, "split-brain"));
    cr_expect_not_null(strstr(out, "PASS"));
    cr_expect_not_null(strstr(out, "trace hash"));
}

Test(cli, help_lists_commands)
{
    cr_expect_eq(run_cli("--help", out, sizeof out), 0);
    cr_expect_not_null(strstr(out, "run"));
    cr_expect_not_null(strstr(out, "check"));
    cr_expect_eq(run_cli("run --help", out, sizeof out), 0);
    cr_expect_not_null(strstr(out, "--seed"));
    cr_expect_not_null(strstr(out, "exit status"));
}

Test(cli, bad_scenario_exits_2_naming_file_and_path)
{
    char *p = tmp_path("bad.json");
    write_file(p, "{\"name\":\"x\",\"protocol\":\"echo\",\"nodes\":3,\"duration\":\"1s\","
                  "\"faults\":[{\"at\":\"1s\",\"crash\":\"n9\"}]}");
    char args[600];
    snprintf(args, sizeof args, "run %s", p);
    cr_expect_eq(run_cli(args, out, sizeof out), 2);
    cr_expect_not_null(strstr(out, "faults[0].crash"), "%s", out);
    cr_expect_not_null(strstr(out, "bad.json"), "%s", out);
    unlink(p);
}

Test(cli, unmet_expectation_exits_1)
{
    char *p = tmp_path("unmet.json");
    write_file(p, "{\"name\":\"x\",\"title\":\"t\",\"lesson\":\"l\",\"protocol\":\"primary-backup\",\"nodes\":3,"
                  "\"duration\":\"1s\",\"expect\":{\"max_leaders\":2}}");
    char args[600];
    snprintf(args, sizeof args, "run --no-color %s", p);
    cr_expect_eq(run_cli(args, out, sizeof out), 1);
    cr_expect_not_null(strstr(out, "max_leaders"));
    cr_expect_not_null(strstr(out, "expected 2, got 1"), "%s", out);
    cr_expect_not_null(strstr(out, "FAIL"));
    unlink(p);
}

Test(cli, bad_options_exit_2)
{
    cr_expect_eq(run_cli("run --seed -4", out, sizeof out), 2);
    cr_expect_eq(run_cli("run --duration fast", out, sizeof out), 2);
    cr_expect_not_null(strstr(out, "--duration"));
    cr_expect_eq(run_cli("run --frobnicate", out, sizeof out), 2);
    cr_expect_eq(run_cli("frobnicate", out, sizeof out), 2);
    cr_expect_eq(run_cli("run /nonexistent.json", out, sizeof out), 2);
    cr_expect_not_null(strstr(out, "cannot open"));
}

Test(cli, trace_and_history_are_written_whole)
{
    char trace[512], hist[512];
    snprintf(trace, sizeof trace, "%s", tmp_path("t.jsonl"));
    snprintf(hist, sizeof hist, "%s", tmp_path("h.jsonl"));
    char args[1200];
    snprintf(args, sizeof args, "run --quiet --trace %s --history %s", trace, hist);
    cr_expect_eq(run_cli(args, out, sizeof out), 0, "%s", out);
    FILE *f = fopen(trace, "r");
    cr_assert_not_null(f);
    char line[4096];
    cr_assert_not_null(fgets(line, sizeof line, f));
    cr_expect_not_null(strstr(line, "\"trace\":\"faultline\""));
    long lines = 1;
    char last[4096] = "";
    while (fgets(line, sizeof line, f)) {
        lines++;
        strcpy(last, line);
    }
    fclose(f);
    cr_expect_gt(lines, 1000);
    cr_expect_not_null(strstr(last, "\"ev\":\"end\""));
    struct stat st;
    cr_expect_eq(stat(hist, &st), 0);
    cr_expect_gt(st.st_size, 1000);
    /* the checker reads the history we wrote */
    snprintf(args, sizeof args, "check %s", hist);
    cr_expect_eq(run_cli(args, out, sizeof out), 1, "%s", out);
    unlink(trace);
    unlink(hist);
}

Test(cli, unwritable_output_exits_2_and_leaves_nothing)
{
    cr_expect_eq(run_cli("run --quiet --trace /nonexistent-dir/t.jsonl", out, sizeof out), 2);
    cr_expect_not_null(strstr(out, "/nonexistent-dir/t.jsonl"), "%s", out);
}

Test(cli, seed_changes_the_run_and_the_hash)
{
    char a[256], b[256];
    cr_expect_eq(run_cli("run --json --seed 7", out, sizeof out), 0);
    cJSON *j = cJSON_Parse(out);
    cr_assert_not_null(j, "--json output is not JSON: %.200s", out);
    snprintf(a, sizeof a, "%s", cJSON_GetObjectItem(j, "trace_hash")->valuestring);
    cJSON_Delete(j);
    cr_expect_eq(run_cli("run --json --seed 7", out, sizeof out), 0);
    j = cJSON_Parse(out);
    cr_expect_str_eq(cJSON_GetObjectItem(j, "trace_hash")->valuestring, a);
    cJSON_Delete(j);
    run_cli("run --json --seed 8", out, sizeof out);
    j = cJSON_Parse(out);
    snprintf(b, sizeof b, "%s", cJSON_GetObjectItem(j, "trace_hash")->valuestring);
    cJSON_Delete(j);
    cr_expect_str_neq(a, b);
}

Test(cli, json_summary_carries_the_verdicts)
{
    cr_expect_eq(run_cli("run --json", out, sizeof out), 0);
    cJSON *j = cJSON_Parse(out);
    cr_assert_not_null(j);
    cr_expect_str_eq(cJSON_GetObjectItem(j, "linearizable")->valuestring, "false");
    cJSON *v = cJSON_GetObjectItem(j, "violations");
    cr_expect_gt(cJSON_GetArraySize(v), 0);
    cr_expect_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(v, 0), "invariant")->valuestring, "split-brain");
    cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "expect"), "ok")));
    cJSON_Delete(j);
}

/* Runs `faultline ARGS` with the root directory as working directory. */
static int run_cli_elsewhere(const char *args)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "cd / && %s %s 2>&1", FAULTLINE_BIN, args);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* `faultline lessons` lists bare names; each command takes one from any
 * working directory (issue 12). */
Test(cli, a_bare_lesson_name_runs_from_any_directory)
{
    cr_expect_eq(run_cli_elsewhere("run 2pc-blocked --quiet"), 0, "%s", out);
    cr_expect_eq(run_cli_elsewhere("run raft-leader-crash.json --quiet"), 0, "%s", out);
    cr_expect_eq(run_cli_elsewhere("sweep raft-leader-crash --seeds 1..3"), 0, "%s", out);
    cr_expect_eq(run_cli_elsewhere("compare raft-leader-crash --protocols raft --seeds 1..2"), 0,
                 "%s", out);
    char args[600], png[512];
    snprintf(png, sizeof png, "/tmp/faultline-cli-%ld-lesson.png", (long)getpid());
    snprintf(args, sizeof args, "render raft-leader-crash --at 1s --out %s", png);
    cr_expect_eq(run_cli_elsewhere(args), 0, "%s", out);
    cr_expect_eq(access(png, R_OK), 0, "%s was not written", png);
    unlink(png);
    /* a name that is neither a file nor a lesson is still bad input */
    cr_expect_eq(run_cli_elsewhere("run no-such-lesson"), 2, "%s", out);
    cr_expect_not_null(strstr(out, "no-such-lesson"), "%s", out);
}

Test(cli, protocols_help_prints_usage_and_a_stray_argument_is_bad_input)
{
    cr_expect_eq(run_cli("protocols --help", out, sizeof out), 0, "%s", out);
    cr_expect_eq(strncmp(out, "usage: faultline protocols", 26), 0, "%s", out);
    cr_expect_eq(run_cli("protocols raft", out, sizeof out), 2, "%s", out);
    cr_expect_eq(run_cli("protocols", out, sizeof out), 0, "%s", out);
    cr_expect_not_null(strstr(out, "raft "), "%s", out);
}

/* The trace header names what each protocol calls its epoch number. */
static void expect_epoch(const char *scenario, const char *epoch)
{
    char trace[512], args[1200];
    snprintf(trace, sizeof trace, "%s", tmp_path("epoch.jsonl"));
    snprintf(args, sizeof args, "run --quiet %s --trace %s", scenario, trace);
    run_cli(args, out, sizeof out);
    FILE *f = fopen(trace, "r");
    cr_assert_not_null(f, "%s: %s", scenario, out);
    char line[4096] = "";
    cr_assert_not_null(fgets(line, sizeof line, f));
    fclose(f);
    unlink(trace);
    char want[64];
    snprintf(want, sizeof want, "\"epoch\":\"%s\"", epoch);
    cr_expect_not_null(strstr(line, want), "%s: %s", scenario, line);
}

Test(cli, trace_header_names_each_protocols_epoch)
{
    expect_epoch("raft-leader-crash.json", "term");
    expect_epoch("paxos-chosen-stays.json", "ballot");
    expect_epoch("multipaxos-stable-leader.json", "ballot");
    expect_epoch("pb-reconcile.json", "view");
    expect_epoch("chain-tail-crash.json", "epoch");
}
