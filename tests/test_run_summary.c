/* test_run_summary.c - the numbers `faultline run` prints, as a user reads
 * them: answered vs refused vs unknown ops, leader_within with what it counts
 * from and a unit, violation counts, and lost writes by name. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/verdict.h"

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

static char out[1 << 20];

/* Writes `json` to a temporary scenario and runs it with `opts`; the path
 * is removed after. Returns the exit status; output in `out`. */
static int run_scenario(const char *name, const char *json, const char *opts)
{
    char path[512];
    snprintf(path, sizeof path, "/tmp/faultline-summary-%ld-%s.json", (long)getpid(), name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(json, f);
    fclose(f);
    char args[1024];
    snprintf(args, sizeof args, "run --no-color %s %s", opts, path);
    int rc = run_cli(args, out, sizeof out);
    unlink(path);
    return rc;
}

static cJSON *json_of(const char *text)
{
    cJSON *j = cJSON_Parse(text);
    cr_assert_not_null(j, "not JSON: %s", text);
    return j;
}

static double num(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    cr_assert(cJSON_IsNumber(v), "no number \"%s\"", key);
    return v->valuedouble;
}

/* ---- 1. answered, refused, unknown ---------------------------------------------------- */

/* R=3 of 3 with a replica down: reads cannot reach R (refused); cas is not
 * supported by quorum replication at all (refused). */
static const char quorum_refuses[] =
    "{\"name\": \"refusals\", \"protocol\": \"quorum\", \"nodes\": 3, \"seed\": 5, \"duration\": \"4s\","
    " \"params\": {\"n\": 3, \"w\": 2, \"r\": 3, \"request_timeout\": \"200ms\"},"
    " \"workload\": {\"clients\": 3, \"rate\": \"40/s\", \"keys\": 2, \"mix\": {\"read\": 0.5, \"write\": 0.3, \"cas\": 0.2},"
    "   \"timeout\": \"500ms\", \"connect\": \"n1\"},"
    " \"faults\": [{\"at\": \"1s\", \"crash\": \"n3\", \"for\": \"2s\"}],"
    " \"expect\": {\"availability_at_least\": 0.5}}";

Test(run_summary, refusals_are_counted_apart_from_answers_in_json)
{
    cr_assert_eq(run_scenario("refuse-json", quorum_refuses, "--json"), 0, "%s", out);
    cJSON *j = json_of(out);
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(j, "stats");
    double invoked = num(st, "ops_invoked"), ok = num(st, "ops_ok"), fail = num(st, "ops_fail");
    double refused = num(st, "ops_refused"), info = num(st, "ops_info");
    cr_expect_gt(refused, 10, "cas and quorum-less reads are refused");
    cr_expect_eq(ok + fail + refused + info, invoked, "every op ends one way");
    cr_expect_eq(num(st, "ops_answered"), ok + fail);
    cr_expect_float_eq(num(st, "availability"), (ok + fail) / invoked, 1e-9);
    cJSON_Delete(j);
}

Test(run_summary, refusals_are_printed_and_not_counted_as_answered)
{
    cr_assert_eq(run_scenario("refuse-text", quorum_refuses, ""), 0, "%s", out);
    const char *line = strstr(out, "client ops   ");
    cr_assert_not_null(line, "%s", out);
    unsigned long invoked, ok, fail, refused, info;
    double pct;
    cr_assert_eq(sscanf(line, "client ops   %lu: %lu ok · %lu failed · %lu refused · %lu unknown — answered %lf%%",
                        &invoked, &ok, &fail, &refused, &info, &pct), 6, "%s", line);
    cr_expect_gt(refused, 0);
    cr_expect_float_eq(pct, 100.0 * (double)(ok + fail) / (double)invoked, 0.051);
    cr_expect_not_null(strstr(out, "refused = declined"), "the word is explained: %s", out);
    cr_expect_not_null(strstr(out, "expected at least 50.0% answered, got"), "%s", out);
}

Test(run_summary, a_refusal_is_a_fail_marked_refused_in_the_history)
{
    char hist[512], opts[600];
    snprintf(hist, sizeof hist, "/tmp/faultline-summary-%ld-refused.jsonl", (long)getpid());
    snprintf(opts, sizeof opts, "--history %s", hist);
    cr_assert_eq(run_scenario("refuse-history", quorum_refuses, opts), 0, "%s", out);
    FILE *f = fopen(hist, "r");
    cr_assert_not_null(f);
    size_t n = fread(out, 1, sizeof out - 1, f);
    out[n] = '\0';
    fclose(f);
    unlink(hist);
    cr_expect_not_null(strstr(out, "\"type\":\"fail\",\"f\":\"cas\""), "cas is refused");
    cr_expect_not_null(strstr(out, "\"error\":\"refused\""), "the history says why");
}

Test(run_summary, a_cas_mismatch_is_an_answer_not_unavailability)
{
    /* Raft before any fault: cas mismatches fail, yet everything is answered. */
    const char *json =
        "{\"name\": \"cas\", \"protocol\": \"raft\", \"nodes\": 3, \"seed\": 2, \"duration\": \"3s\","
        " \"workload\": {\"clients\": 4, \"rate\": \"60/s\", \"keys\": 1, \"mix\": {\"read\": 0.2, \"write\": 0.2, \"cas\": 0.6},"
        "   \"timeout\": \"1s\", \"start\": \"500ms\", \"stop\": \"2s\"},"
        " \"expect\": {\"availability_at_least\": 1.0}}";
    cr_assert_eq(run_scenario("cas", json, "--json"), 0, "%s", out);
    cJSON *j = json_of(out);
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(j, "stats");
    cr_expect_gt(num(st, "ops_fail"), 5, "cas mismatches fail");
    cr_expect_eq(num(st, "ops_refused"), 0);
    cr_expect_float_eq(num(st, "availability"), 1.0, 1e-9);
    cJSON_Delete(j);
}

Test(run_summary, no_ops_at_all_shows_a_dash_not_a_share)
{
    const char *json =
        "{\"name\": \"idle\", \"protocol\": \"echo\", \"nodes\": 3, \"duration\": \"1s\","
        " \"workload\": {\"clients\": 2, \"rate\": \"10/s\", \"start\": \"2s\", \"stop\": \"3s\"},"
        " \"expect\": {\"availability_at_least\": 0.5}}";
    cr_expect_eq(run_scenario("idle", json, ""), 1, "0 of 0 does not meet a bound: %s", out);
    cr_expect_not_null(strstr(out, "client ops   0: 0 ok · 0 failed · 0 refused · 0 unknown — answered –"),
                       "%s", out);
    cr_expect_not_null(strstr(out, "got – (no client ops)"), "%s", out);
    run_scenario("idle-json", json, "--json");
    cJSON *j = json_of(out);
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "stats"),
                                                      "availability");
    cr_expect(cJSON_IsNull(a), "availability is null for 0 of 0");
    cJSON_Delete(j);
}

/* ---- 2. leader_within -------------------------------------------------------------- */

/* The leader is isolated at 1s for 1.5s: the majority elects a new one,
 * while the isolated old leader may keep its role for a while. */
static const char raft_isolated[] =
    "{\"name\": \"isolate\", \"protocol\": \"raft\", \"nodes\": 5, \"seed\": 4, \"duration\": \"4s\","
    " \"faults\": [{\"at\": \"1s\", \"isolate\": \"leader\", \"for\": \"1500ms\"}],"
    " \"expect\": {\"leader_within\": %s}}";

static int run_leader_within(const char *name, const char *form)
{
    char json[2048];
    snprintf(json, sizeof json, raft_isolated, form);
    return run_scenario(name, json, "");
}

Test(run_summary, leader_within_after_fault_waits_for_a_new_leader_and_prints_a_unit)
{
    cr_expect_eq(run_leader_within("lw-fault", "{\"after\": \"fault\", \"within\": \"1s\"}"), 0, "%s",
                 out);
    const char *line = strstr(out, "leader_within");
    cr_assert_not_null(line, "%s", out);
    cr_expect_not_null(strstr(line, "a new leader within 1s of the last fault (at 1.000s), got "),
                       "%s", line);
    double ms = 0;
    const char *got = strstr(line, "got ");
    cr_assert_not_null(got);
    cr_expect_eq(sscanf(got, "got %lfms", &ms), 1, "a time in ms: %s", got);
    cr_expect_gt(ms, 100, "a new election takes a timeout or more: %s", got);
}

Test(run_summary, leader_within_after_fault_fails_when_too_short)
{
    cr_expect_eq(run_leader_within("lw-short", "{\"after\": \"fault\", \"within\": \"10ms\"}"), 1, "%s",
                 out);
    cr_expect_not_null(strstr(out, "✗ leader_within"), "%s", out);
}

Test(run_summary, leader_within_after_heal_counts_a_leader_in_place_as_at_once)
{
    cr_expect_eq(run_leader_within("lw-heal", "{\"after\": \"heal\", \"within\": \"100ms\"}"), 0, "%s",
                 out);
    cr_expect_not_null(strstr(out, "a leader within 100ms of the last heal (at 2.500s), got 0ms"),
                       "%s", out);
}

Test(run_summary, leader_within_as_a_string_keeps_its_meaning_with_a_unit)
{
    /* the last fault event is the heal at 2.5s, and a leader was in place */
    cr_expect_eq(run_leader_within("lw-string", "\"100ms\""), 0, "%s", out);
    cr_expect_not_null(strstr(out, "within 100ms of the last fault event (at 2.500s), got 0ms"), "%s",
                       out);
}

/* ---- 3. violations: counts and the first few texts ------------------------------------ */

Test(run_summary, each_violation_shows_its_report_count_and_first_texts)
{
    cr_assert_eq(run_cli("run pb-heartbeat-split-brain --json", out, sizeof out), 0, "%s", out);
    cJSON *j = json_of(out);
    const cJSON *vs = cJSON_GetObjectItemCaseSensitive(j, "violations");
    cr_assert_gt(cJSON_GetArraySize(vs), 0);
    char want[64] = "";
    const cJSON *many = NULL;
    for (const cJSON *v = vs->child; v; v = v->next)
        if (num(v, "reports") > 1)
            many = v;
    cr_assert_not_null(many, "a violation reported more than once");
    const cJSON *texts = cJSON_GetObjectItemCaseSensitive(many, "texts");
    cr_expect_eq(cJSON_GetArraySize(texts), 3, "the first three distinct texts");
    cr_expect_str_eq(cJSON_GetArrayItem(texts, 0)->valuestring,
                     cJSON_GetObjectItemCaseSensitive(many, "text")->valuestring);
    cr_expect_str_neq(cJSON_GetArrayItem(texts, 0)->valuestring,
                      cJSON_GetArrayItem(texts, 1)->valuestring);
    snprintf(want, sizeof want, "%s ×%d, first at ",
             cJSON_GetObjectItemCaseSensitive(many, "invariant")->valuestring, (int)num(many, "reports"));
    char second[256];
    snprintf(second, sizeof second, "then: %s", cJSON_GetArrayItem(texts, 1)->valuestring);
    cJSON_Delete(j);
    cr_assert_eq(run_cli("run pb-heartbeat-split-brain --no-color", out, sizeof out), 0, "%s", out);
    cr_expect_not_null(strstr(out, want), "%s in:\n%s", want, out);
    cr_expect_not_null(strstr(out, second), "%s in:\n%s", second, out);
    cr_expect_not_null(strstr(out, "more reports of"), "%s", out);
}

/* ---- 4. lost writes by name, long values abbreviated in the middle ------------------------ */

Test(run_summary, lost_writes_are_named)
{
    cr_assert_eq(run_cli("run pb-async-lost-writes --no-color", out, sizeof out), 0, "%s", out);
    const char *line = strstr(out, "lost writes  ");
    cr_assert_not_null(line, "%s", out);
    cr_expect_not_null(strstr(line, "missing at the end: k"), "named by key and token: %.200s", line);
    cr_assert_eq(run_cli("run pb-async-lost-writes --json", out, sizeof out), 0, "%s", out);
    cJSON *j = json_of(out);
    const cJSON *first = cJSON_GetObjectItemCaseSensitive(j, "lost_writes_first");
    cr_assert(cJSON_IsString(first));
    int commas = 0;
    for (const char *p = first->valuestring; *p; p++)
        commas += *p == ',';
    cr_expect_eq(commas + 1, (int)num(j, "lost_writes"), "every lost write named: %s",
                 first->valuestring);
    cJSON_Delete(j);
}

Test(run_summary, the_explanation_cuts_no_line_and_abbreviates_lists_in_the_middle)
{
    cr_assert_eq(run_cli("run pb-async-lost-writes --no-color", out, sizeof out), 0, "%s", out);
    const char *from = strstr(out, "history      NOT linearizable");
    const char *to = strstr(out, "stale reads");
    cr_assert(from && to && to > from, "%s", out);
    cr_expect_not_null(strstr(from, "\"v1;v2;v3;…;"), "%s", out);
    for (const char *p = from; p < to;) {
        const char *nl = strchr(p, '\n');
        cr_expect_lt(nl - p, 240, "a long line: %.*s", (int)(nl - p), p);
        int quotes = 0;
        for (const char *q = p; q < nl; q++)
            quotes += *q == '"';
        cr_expect_eq(quotes % 2, 0, "a value cut mid-line: %.*s", (int)(nl - p), p);
        p = nl + 1;
    }
}

Test(run_summary, a_long_list_keeps_its_ends)
{
    char in[2048] = "=> \"", outbuf[2048];
    size_t o = strlen(in);
    for (int v = 1; v <= 98; v++)
        o += (size_t)snprintf(in + o, sizeof in - o, "v%d;", v);
    snprintf(in + o, sizeof in - o, "\" ok \"short;\"");
    verdict_abbreviate_values(in, outbuf, sizeof outbuf);
    cr_expect_str_eq(outbuf, "=> \"v1;v2;v3;…;v97;v98;\" ok \"short;\"");
}

Test(run_summary, abbreviated_lists_keep_what_tells_them_apart)
{
    char a[1024] = "", b[1024] = "", in[4096], outbuf[4096];
    size_t oa = 0, ob = 0;
    for (int v = 1; v <= 60; v++) {
        oa += (size_t)snprintf(a + oa, sizeof a - oa, "v%d;", v);
        if (v != 30 && v != 31)
            ob += (size_t)snprintf(b + ob, sizeof b - ob, "v%d;", v);
    }
    snprintf(in, sizeof in, "get -> \"%s\"\nin state \"%s\"", b, a);
    verdict_abbreviate_values(in, outbuf, sizeof outbuf);
    cr_expect_str_eq(outbuf, "get -> \"v1;v2;v3;…;v59;v60;\"\nin state \"v1;v2;v3;…;v30;v31;…;v59;v60;\"");
    cr_expect_leq(strlen(outbuf), strlen(in));
}

Test(run_summary, short_values_and_plain_text_are_left_alone)
{
    const char *in = "p1 append k1 \"v1;v2;\" ok, 3 \"a\" and an odd \" quote\nnext line";
    char outbuf[256];
    verdict_abbreviate_values(in, outbuf, sizeof outbuf);
    cr_expect_str_eq(outbuf, in);
}

/* ---- captions and the lesson text, wrapped not cut ---------------------------------- */

Test(run_summary, a_long_caption_is_printed_whole_in_wrapped_lines)
{
    /* 400 characters in 40 numbered words: each must be printed */
    char caption[1024] = "";
    for (int i = 0; i < 40; i++) {
        char w[16];
        snprintf(w, sizeof w, "%sword%02d", i ? " " : "", i);
        strcat(caption, w);
        strcat(caption, "...");
    }
    char json[2048];
    snprintf(json, sizeof json,
             "{\"name\": \"long-caption\", \"protocol\": \"echo\", \"nodes\": 2, \"duration\": \"1s\","
             " \"lesson\": \"%s\", \"captions\": [{\"at\": \"0.5s\", \"text\": \"%s\"}]}",
             caption, caption);
    cr_assert_eq(run_scenario("long-caption", json, ""), 0, "%s", out);
    for (int i = 0; i < 40; i++) {
        char w[16];
        snprintf(w, sizeof w, "word%02d...", i);
        const char *first = strstr(out, w);
        cr_expect_not_null(first, "%s missing from the lesson text: %s", w, out);
        cr_expect(first && strstr(first + 1, w), "%s missing from the caption: %s", w, out);
    }
    /* no line of the output is wider than 80 columns */
    for (const char *line = out; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        size_t cols = 0;
        for (size_t k = 0; k < len; k++)
            cols += ((unsigned char)line[k] & 0xC0) != 0x80; /* count UTF-8 characters */
        char copy[512];
        snprintf(copy, sizeof copy, "%.*s", (int)(len < 511 ? len : 511), line);
        if (strstr(copy, "word"))
            cr_expect_leq(cols, 80, "a line of %zu columns: %s", cols, copy);
        line = end ? end + 1 : line + len;
    }
}

/* ---- how much of the story: -v role changes with their epoch, -vv notes ------------- */

Test(run_summary, verbosity_adds_role_changes_then_notes)
{
    cr_assert_eq(run_cli("run --no-color raft-leader-crash.json", out, sizeof out), 0, "%s", out);
    cr_expect_not_null(strstr(out, "became leader in term 1 (1 leader now)"), "%s", out);
    cr_expect_null(strstr(out, "became candidate"), "%s", out);
    cr_expect_null(strstr(out, ": election timeout: "), "%s", out);
    cr_assert_eq(run_cli("run --no-color -v raft-leader-crash.json", out, sizeof out), 0, "%s", out);
    cr_expect_not_null(strstr(out, "became candidate in term 2"), "%s", out);
    cr_expect_null(strstr(out, "n3: election timeout"), "%s", out);
    cr_assert_eq(run_cli("run --no-color -vv raft-leader-crash.json", out, sizeof out), 0, "%s", out);
    cr_expect_not_null(strstr(out, ": election timeout: n"), "%s", out);
    cr_expect_not_null(strstr(out, "stands for term 2"), "%s", out);
    /* Paxos says ballot, primary-backup view */
    cr_assert_eq(run_cli("run --no-color -v paxos-dueling-backoff.json", out, sizeof out), 0, "%s", out);
    cr_expect_not_null(strstr(out, "in ballot "), "%s", out);
    cr_expect_null(strstr(out, "in term "), "%s", out);
    cr_assert_eq(run_cli("run --no-color pb-heartbeat-split-brain.json", out, sizeof out), 0, "%s", out);
    cr_expect_not_null(strstr(out, "became primary in view "), "%s", out);
}
