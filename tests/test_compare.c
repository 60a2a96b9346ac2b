/* test_compare.c - `faultline compare`: every protocol gets the same fault
 * schedule and the same nemesis faults; the canon's CAP table comes out
 * with the canon's verdicts; rows take their params as documented; seeds
 * give a mean and a spread that do not depend on the worker count; a
 * fault naming a role says per row which node it hit or that it was
 * skipped; the table prints as text, CSV and JSON, and the chart as a PNG
 * counting writes, reads or both, its lines apart and its legend inside. */
#include <SDL_image.h>
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/compare.h"
#include "cli/compare_report.h"
#include "protocols/registry.h"
#include "viz/plot.h"

static struct scenario *load(const char *name)
{
    char path[4096], err[1024];
    snprintf(path, sizeof path, "%s/scenarios/%s", FAULTLINE_SOURCE_DIR, name);
    struct scenario *sc;
    cr_assert_eq(scenario_load(path, &sc, err, sizeof err), 0, "%s", err);
    return sc;
}

static struct scenario *parse(const char *json)
{
    struct scenario *sc;
    char err[1024];
    cr_assert_eq(scenario_parse(json, strlen(json), "test.json", &sc, err, sizeof err), 0, "%s", err);
    return sc;
}

static void prepare(const struct scenario *sc, struct compare_options *o, struct compare *cmp)
{
    char err[2048];
    cr_assert_eq(compare_prepare(sc, "test.json", o, cmp, err, sizeof err), 0, "%s", err);
}

static void run(struct compare *cmp, const struct compare_options *o)
{
    char err[1024];
    cr_assert_eq(compare_run(cmp, o, err, sizeof err), 0, "%s", err);
}

static const struct compare_row *row(const struct compare *cmp, const char *label)
{
    for (int i = 0; i < cmp->nrows; i++)
        if (strcmp(cmp->rows[i].label, label) == 0)
            return &cmp->rows[i];
    cr_assert_fail("no row %s", label);
    return NULL;
}

/* ---- one schedule for all ------------------------------------------------------------ */

static const char *const nemesis_every_kind =
    "{\"name\": \"same-faults\", \"protocol\": \"raft\", \"nodes\": 5, \"duration\": \"4s\","
    " \"network\": {\"latency\": {\"dist\": \"uniform\", \"min\": \"1ms\", \"max\": \"12ms\"}},"
    " \"workload\": {\"clients\": 3, \"rate\": \"40/s\", \"keys\": 20, \"mix\": {\"read\": 0.5, \"write\": 0.5},"
    "   \"timeout\": \"400ms\", \"connect\": \"random\"},"
    " \"faults\": [{\"at\": \"1s\", \"crash\": \"n2\", \"for\": \"300ms\"}],"
    " \"nemesis\": {\"until\": \"3.5s\", \"interval\": {\"min\": \"40ms\", \"max\": \"250ms\"},"
    "   \"duration\": {\"min\": \"20ms\", \"max\": \"600ms\"}, \"lose_unsynced\": true,"
    "   \"faults\": {\"crash\": 3, \"partition\": 1, \"isolate\": 1, \"oneway\": 1,"
    "     \"bridge\": 1, \"clock\": 1, \"slow\": 1, \"flap\": 1, \"loss\": 1, \"duplicate\": 1}}}";

static bool same_fault(const struct fault *a, const struct fault *b)
{
    if (a->at != b->at || a->duration != b->duration || a->kind != b->kind ||
        a->target.node != b->target.node || a->lose_unsynced != b->lose_unsynced ||
        a->bridge != b->bridge || a->group_count != b->group_count ||
        a->from.count != b->from.count || a->to.count != b->to.count || a->both != b->both ||
        a->period != b->period || a->drift_ppm != b->drift_ppm || a->skew != b->skew ||
        a->delay != b->delay || a->probability != b->probability)
        return false;
    for (int g = 0; g < a->group_count; g++)
        if (a->group_sizes[g] != b->group_sizes[g] ||
            memcmp(a->groups[g], b->groups[g], (size_t)a->group_sizes[g] * sizeof(int)) != 0)
            return false;
    return (!a->from.count || memcmp(a->from.nodes, b->from.nodes, (size_t)a->from.count * sizeof(int)) == 0) &&
           (!a->to.count || memcmp(a->to.nodes, b->to.nodes, (size_t)a->to.count * sizeof(int)) == 0);
}

Test(compare, every_protocol_gets_the_same_nemesis_faults, .timeout = 600)
{
    struct scenario *sc = parse(nemesis_every_kind);
    struct compare_options o = {.protocols = "raft,primary-backup,quorum,2pc,3pc,chain,multi-paxos,paxos",
                                .jobs = 2};
    struct compare cmp;
    prepare(sc, &o, &cmp);
    cr_assert_eq(cmp.nrows, 8);
    for (uint64_t seed = 1; seed <= 3; seed++) {
        struct run_result base;
        char err[1024];
        struct run_options opt = {.seed_set = true, .seed = seed, .no_check = true};
        cr_assert_eq(runner_run(cmp.rows[0].sc, &opt, &base, err, sizeof err), 0, "%s", err);
        int n = sim_nemesis_count(base.sim);
        cr_assert_gt(n, 8, "seed %llu: only %d nemesis faults", (unsigned long long)seed, n);
        for (int i = 1; i < cmp.nrows; i++) {
            struct run_result r;
            cr_assert_eq(runner_run(cmp.rows[i].sc, &opt, &r, err, sizeof err), 0, "%s", err);
            cr_expect_eq(sim_nemesis_count(r.sim), n, "%s, seed %llu: %d faults, raft %d",
                         cmp.rows[i].label, (unsigned long long)seed, sim_nemesis_count(r.sim), n);
            for (int k = 0; k < n && k < sim_nemesis_count(r.sim); k++)
                cr_expect(same_fault(sim_nemesis_get(base.sim, k), sim_nemesis_get(r.sim, k)),
                          "%s, seed %llu: nemesis fault %d differs from raft's", cmp.rows[i].label,
                          (unsigned long long)seed, k);
            /* the scheduled faults too: the same timeline of faults */
            cr_expect_eq(sim_get_stats(r.sim)->crashes, sim_get_stats(base.sim)->crashes);
            runner_result_free(&r);
        }
        runner_result_free(&base);
    }
    /* and compare itself checks it, seed by seed */
    o.seeds_given = true;
    o.first = 1;
    o.last = 3;
    compare_free(&cmp);
    prepare(sc, &o, &cmp);
    run(&cmp, &o);
    cr_expect(cmp.same_schedule);
    compare_free(&cmp);
    scenario_free(sc);
}

/* ---- the canon's CAP table ------------------------------------------------------------- */

static const char *const cap_rows =
    "primary-backup:failover=heartbeat,primary-backup:failover=lease,quorum,quorum:w=1:r=1,"
    "2pc,3pc,paxos,multi-paxos,raft,chain";

/* The run's recovery after the partition (the scenario's first fault). */
static double recovery_after_partition(const struct compare_run *r)
{
    for (int f = 0; f < r->nfaults; f++)
        if (strncmp(r->faults[f].text, "partition", 9) == 0)
            return r->faults[f].recover >= 0 ? (double)r->faults[f].recover / 1e6 : 1e9;
    cr_assert_fail("no partition in the run's faults");
    return 0;
}

/* Consistent: no invariant broke and every history is linearizable. */
static void expect_consistent(const struct compare_row *r)
{
    cr_expect_eq(r->errors, 0, "%s: runs failed", r->label);
    cr_expect_eq(r->seeds_violating, 0, "%s: an invariant broke", r->label);
    cr_expect_eq(r->seeds_linearizable, r->nruns, "%s: linearizable in %d of %d seeds", r->label,
                 r->seeds_linearizable, r->nruns);
}

Test(compare, the_cap_table_has_the_canons_verdicts, .timeout = 900)
{
    struct scenario *sc = load("cap-partition.json");
    struct compare_options o = {.protocols = cap_rows, .jobs = 2, .seeds_given = true, .first = 1,
                                .last = 3};
    struct compare cmp;
    prepare(sc, &o, &cmp);
    run(&cmp, &o);
    cr_expect(cmp.same_schedule);
    double lease = 1.0; /* the scenario's lease */

    /* lease: consistent, unavailable until the lease expires */
    const struct compare_row *r = row(&cmp, "primary-backup:failover=lease");
    expect_consistent(r);
    cr_expect_geq(r->longest_write_gap.min, lease, "lease: writes resumed within %.2fs",
                  r->longest_write_gap.min);
    cr_expect_leq(r->longest_write_gap.max, 2.5 * lease, "lease: %.2fs without writes",
                  r->longest_write_gap.max);
    for (int k = 0; k < r->nruns; k++)
        cr_expect_geq(recovery_after_partition(&r->runs[k]), lease);

    /* heartbeat failover, for contrast: available, two primaries */
    r = row(&cmp, "primary-backup:failover=heartbeat");
    cr_expect_eq(r->seeds_violating, r->nruns, "heartbeat: split brain in %d of %d seeds",
                 r->seeds_violating, r->nruns);
    cr_expect_eq(r->seeds_not_linearizable, r->nruns);
    cr_expect_geq(r->write_availability.min, 0.95);

    /* quorum: available; only partly consistent (W+R>N is, W=R=1 reads stale) */
    r = row(&cmp, "quorum");
    cr_expect_eq(r->seeds_violating, 0);
    cr_expect_geq(r->write_availability.min, 0.8, "quorum: %.2f of writes ok", r->write_availability.min);
    cr_expect_lt(r->longest_write_gap.max, 2.0);
    r = row(&cmp, "quorum:w=1:r=1");
    cr_expect_geq(r->write_availability.min, 0.9);
    cr_expect_lt(r->longest_write_gap.max, 1.0);
    cr_expect_gt(r->stale_reads.max, 0, "W=R=1 read no stale value");
    cr_expect_lt(r->seeds_linearizable, r->nruns);

    /* 2PC: consistent, poor availability: no writes for the whole partition */
    r = row(&cmp, "2pc");
    expect_consistent(r);
    cr_expect_geq(r->longest_write_gap.min, 3.5, "2pc: writes resumed after %.2fs",
                  r->longest_write_gap.min);
    for (int k = 0; k < r->nruns; k++)
        cr_expect_geq(recovery_after_partition(&r->runs[k]), 3.5);
    cr_expect_lt(r->write_availability.max, 0.85);

    /* Paxos, Multi-Paxos, Raft: consistent, available on the majority side */
    const char *consensus[] = {"paxos", "multi-paxos", "raft"};
    for (int i = 0; i < 3; i++) {
        r = row(&cmp, consensus[i]);
        expect_consistent(r);
        for (int k = 0; k < r->nruns; k++)
            cr_expect_lt(recovery_after_partition(&r->runs[k]), 1.0, "%s seed %llu: %.2fs to write again",
                         r->label, (unsigned long long)r->runs[k].seed,
                         recovery_after_partition(&r->runs[k]));
    }
    cr_expect_geq(row(&cmp, "raft")->write_availability.min, 0.8);
    cr_expect_geq(row(&cmp, "multi-paxos")->write_availability.min, 0.8);

    /* 3PC: does not block, and the two sides may decide differently */
    r = row(&cmp, "3pc");
    cr_expect_eq(r->errors, 0);
    compare_free(&cmp);
    scenario_free(sc);
}

/* ---- rows and params ------------------------------------------------------------------- */

Test(compare, rows_take_params_from_the_scenario_the_file_and_the_label)
{
    struct scenario *sc = load("cap-partition.json");
    const char *file = "{\"raft\": {\"heartbeat\": \"30ms\"}, \"quorum:w=1:r=1\": {\"r\": 2, \"n\": 3},"
                       " \"quorum\": {\"resolve\": \"vector-clock\"}}";
    cJSON *params = cJSON_Parse(file);
    struct compare_options o = {.protocols = "primary-backup:failover=heartbeat,quorum:w=1:r=1,raft,2pc",
                                .params_file = params, .jobs = 1};
    struct compare cmp;
    prepare(sc, &o, &cmp);
    cr_assert_eq(cmp.nrows, 4);
    char *p = cJSON_PrintUnformatted(cmp.rows[0].params);
    cr_expect_str_eq(p, "{\"failover\":\"heartbeat\",\"lease\":\"1s\"}");
    cr_expect(cmp.rows[0].scenario_params);
    cJSON_free(p);
    /* protocol entry, then label entry, then inline: r=1 wins over the file's 2 */
    p = cJSON_PrintUnformatted(cmp.rows[1].params);
    cr_expect_str_eq(p, "{\"resolve\":\"vector-clock\",\"r\":1,\"n\":3,\"w\":1}");
    cr_expect(!cmp.rows[1].scenario_params);
    cJSON_free(p);
    p = cJSON_PrintUnformatted(cmp.rows[2].params);
    cr_expect_str_eq(p, "{\"heartbeat\":\"30ms\"}");
    cJSON_free(p);
    cr_expect_null(cmp.rows[3].params, "2pc: defaults");
    cr_expect_str_eq(cmp.rows[3].sc->protocol, "2pc");
    cr_expect_eq(cmp.rows[3].sc->expect.violations, EXPECT_UNSET, "the scenario's expect block is its own");
    compare_free(&cmp);
    cJSON_Delete(params);
    scenario_free(sc);
}

static void expect_error(const struct scenario *sc, const char *protocols, const char *want1,
                         const char *want2)
{
    struct compare_options o = {.protocols = protocols, .jobs = 1};
    struct compare cmp;
    char err[2048];
    cr_expect_eq(compare_prepare(sc, "test.json", &o, &cmp, err, sizeof err), SIM_EINVAL, "%s", protocols);
    cr_expect_not_null(strstr(err, want1), "%s: %s", protocols, err);
    if (want2)
        cr_expect_not_null(strstr(err, want2), "%s: %s", protocols, err);
}

Test(compare, bad_rows_are_refused_with_what_was_expected)
{
    struct scenario *sc = load("cap-partition.json");
    expect_error(sc, "raft,nope", "unknown protocol \"nope\"", "known:");
    expect_error(sc, "raft:election_min=0", "raft:election_min=0", "params.election_min");
    expect_error(sc, "raft:heartbeat", "key=value", NULL);
    expect_error(sc, "raft,,2pc", "empty", NULL);
    expect_error(sc, "quorum:frobs=3", "quorum:frobs=3", "frobs");
    scenario_free(sc);
}

static int count_all(void)
{
    int n = 0;
    for (const struct sim_protocol *const *p = protocol_all(); *p; p++)
        n += (*p)->client_request && strcmp((*p)->name, "echo") != 0;
    return n;
}

static void skip_note(void *ctx, const char *text)
{
    (void)text;
    (*(int *)ctx)++;
}

Test(compare, all_means_every_protocol_but_echo)
{
    struct scenario *sc = load("cap-partition.json");
    int skipped = 0;
    struct compare_options o = {.protocols = "all", .jobs = 1, .note = skip_note, .note_ctx = &skipped};
    struct compare cmp;
    prepare(sc, &o, &cmp);
    cr_expect_eq(cmp.nrows + skipped, count_all());
    cr_expect_geq(cmp.nrows, 8, "protocols left out: %d", skipped);
    for (int i = 0; i < cmp.nrows; i++)
        cr_expect_str_neq(cmp.rows[i].protocol, "echo");
    compare_free(&cmp);
    scenario_free(sc);
}

/* ---- seeds, workers, outputs ----------------------------------------------------------- */

static char *json_text(const struct compare *cmp)
{
    cJSON *j = compare_report_json(cmp);
    cr_assert_not_null(j);
    char *t = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return t;
}

Test(compare, seeds_give_a_mean_and_a_spread_whatever_the_workers, .timeout = 600)
{
    struct scenario *sc = load("cap-partition.json");
    char *text[3] = {NULL};
    for (int jobs = 1; jobs <= 2; jobs++) {
        struct compare_options o = {.protocols = "raft,2pc,quorum", .jobs = jobs, .seeds_given = true,
                                    .first = 3, .last = 6, .duration = 6 * SIM_S};
        struct compare cmp;
        prepare(sc, &o, &cmp);
        run(&cmp, &o);
        for (int i = 0; i < cmp.nrows; i++) {
            const struct compare_row *r = &cmp.rows[i];
            cr_expect_eq(r->nruns, 4);
            cr_expect_eq(r->availability.n, 4);
            cr_expect(r->availability.min <= r->availability.mean &&
                      r->availability.mean <= r->availability.max);
            cr_expect_geq(r->availability.sd, 0);
            cr_expect_eq(r->runs[0].seed, 3);
            cr_expect_eq(r->runs[3].seed, 6);
            cr_expect(r->p50.mean <= r->p99.mean, "%s: p50 above p99", r->label);
        }
        text[jobs] = json_text(&cmp);
        compare_free(&cmp);
    }
    cr_expect_str_eq(text[1], text[2], "one worker and two disagree");
    cJSON_free(text[1]);
    cJSON_free(text[2]);
    scenario_free(sc);
}

Test(compare, the_table_prints_as_text_csv_and_json, .timeout = 600)
{
    struct scenario *sc = load("cap-partition.json");
    struct compare_options o = {.protocols = "raft,2pc,primary-backup:failover=heartbeat", .jobs = 2};
    struct compare cmp;
    prepare(sc, &o, &cmp);
    run(&cmp, &o);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    compare_report_text(m, &cmp, false);
    fclose(m);
    cr_expect_not_null(strstr(buf, "linearizable"));
    cr_expect_not_null(strstr(buf, "2 split-brain"), "%s", buf);
    cr_expect_not_null(strstr(buf, "partition {n1 n2} | {n3 n4 n5}"), "%s", buf);
    cr_expect_not_null(strstr(buf, "time to recover after each fault"), "%s", buf);
    free(buf);

    m = open_memstream(&buf, &len);
    compare_report_csv(m, &cmp);
    fclose(m);
    int lines = 0;
    for (const char *p = buf; *p; p++)
        lines += *p == '\n';
    cr_expect_eq(lines, 4, "%s", buf);
    cr_expect_eq(strncmp(buf, "label,protocol,seeds,errors,availability,", 41), 0, "%s", buf);
    cr_expect_not_null(strstr(buf, "\"primary-backup:failover=heartbeat\",primary-backup,1,0,"), "%s", buf);
    free(buf);

    cJSON *j = compare_report_json(&cmp);
    cJSON *rows = cJSON_GetObjectItem(j, "rows");
    cr_expect_eq(cJSON_GetArraySize(rows), 3);
    cJSON *run0 = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(rows, 1), "runs"), 0);
    cJSON *faults = cJSON_GetObjectItem(run0, "faults");
    cr_expect_eq(cJSON_GetArraySize(faults), 2);
    cr_expect(cJSON_IsNumber(cJSON_GetObjectItem(cJSON_GetArrayItem(faults, 0), "recover_us")));
    cr_expect_geq(cJSON_GetObjectItem(cJSON_GetArrayItem(faults, 0), "recover_us")->valuedouble, 3.5e6,
                  "2pc takes writes again only after the heal");
    cJSON_Delete(j);
    compare_free(&cmp);
    scenario_free(sc);
}

Test(compare, the_plot_is_a_png_drawn_by_the_viewer, .timeout = 600)
{
    struct scenario *sc = load("cap-partition.json");
    struct compare_options o = {.protocols = "raft,2pc", .jobs = 1};
    struct compare cmp;
    prepare(sc, &o, &cmp);
    run(&cmp, &o);
    char path[256], err[512];
    snprintf(path, sizeof path, "/tmp/faultline-plot-%ld.png", (long)getpid());
    cr_assert_eq(compare_report_plot(&cmp, path, COMPARE_OPS_ALL, err, sizeof err), 0, "%s", err);
    SDL_Surface *img = IMG_Load(path);
    cr_assert_not_null(img, "%s", IMG_GetError());
    cr_expect_eq(img->w, 1280);
    cr_expect_eq(img->h, 720);
    /* more than the background: count pixels far from it */
    SDL_Surface *rgb = SDL_ConvertSurfaceFormat(img, SDL_PIXELFORMAT_ARGB8888, 0);
    cr_assert_not_null(rgb);
    long inked = 0;
    for (int y = 0; y < rgb->h; y += 2)
        for (int x = 0; x < rgb->w; x += 2) {
            uint32_t p;
            memcpy(&p, (const uint8_t *)rgb->pixels + (size_t)y * (size_t)rgb->pitch + (size_t)x * 4, 4);
            inked += (p & 0xFFFFFF) != 0xFAFAF7;
        }
    cr_expect_gt(inked, 5000, "an empty chart");
    SDL_FreeSurface(rgb);
    SDL_FreeSurface(img);
    unlink(path);
    /* a path that cannot be written is an error, and nothing is left */
    cr_expect_neq(compare_report_plot(&cmp, "/nonexistent/dir/x.png", COMPARE_OPS_WRITE, err, sizeof err), 0);
    compare_free(&cmp);
    scenario_free(sc);
}

/* ---- faults that name a role ------------------------------------------------------------ */

static const char *const isolate_leader =
    "{\"name\": \"isolate-leader\", \"protocol\": \"raft\", \"nodes\": 5, \"seed\": 1, \"duration\": \"6s\","
    " \"network\": {\"latency\": {\"dist\": \"uniform\", \"min\": \"2ms\", \"max\": \"8ms\"}},"
    " \"workload\": {\"clients\": 3, \"rate\": \"40/s\", \"keys\": 20, \"mix\": {\"read\": 0.5, \"write\": 0.5},"
    "   \"timeout\": \"400ms\", \"connect\": \"random\"},"
    " \"faults\": [{\"at\": \"2s\", \"isolate\": \"leader\", \"for\": \"2s\"},"
    "   {\"at\": \"5s\", \"crash\": \"n2\", \"for\": \"500ms\"}]}";

/* The line of `text` that starts with "label " (a table row). */
static const char *line_of(const char *text, const char *label, char *buf, size_t cap)
{
    size_t len = strlen(label);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, label, len) == 0 && p[len] == ' ') {
            snprintf(buf, cap, "%.*s", (int)strcspn(p, "\n"), p);
            return buf;
        }
    snprintf(buf, cap, "(no line for %s)", label);
    return buf;
}

Test(compare, a_role_fault_says_per_row_which_node_it_hit_or_that_it_was_skipped, .timeout = 600)
{
    struct scenario *sc = parse(isolate_leader);
    struct compare_options o = {.protocols = "raft,quorum", .jobs = 2};
    struct compare cmp;
    prepare(sc, &o, &cmp);
    run(&cmp, &o);
    const struct compare_run *raft = &row(&cmp, "raft")->runs[0];
    const struct compare_run *quorum = &row(&cmp, "quorum")->runs[0];
    /* raft: the isolation hit its leader, a node; its end is marked too */
    const struct compare_fault *hit = NULL, *end = NULL;
    for (int f = 0; f < raft->nfaults; f++) {
        if (raft->faults[f].role[0] && !raft->faults[f].end)
            hit = &raft->faults[f];
        if (raft->faults[f].end)
            end = &raft->faults[f];
    }
    cr_assert_not_null(hit, "raft: no role fault recorded");
    cr_expect(!hit->skipped);
    cr_expect_str_eq(hit->role, "leader");
    cr_expect_str_eq(hit->kind, "isolate");
    cr_expect(hit->target[0] == 'n' && strstr(hit->text, hit->target), "raft: hit \"%s\" (%s)",
              hit->target, hit->text);
    cr_assert_not_null(end, "raft: the isolation's end is not marked");
    cr_expect_eq(end->at, 4 * SIM_S);
    /* quorum has no leader: skipped, recorded in its place, never "recovered" */
    const struct compare_fault *skip = NULL;
    for (int f = 0; f < quorum->nfaults; f++)
        if (quorum->faults[f].role[0])
            skip = &quorum->faults[f];
    cr_assert_not_null(skip, "quorum: the skipped fault is missing");
    cr_expect(skip->skipped);
    cr_expect_eq(skip->at, 2 * SIM_S);
    cr_expect_eq(skip->recover, -2);
    cr_expect_str_eq(skip->target, "");

    char *buf = NULL, want[64], line[1024];
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    compare_report_text(m, &cmp, false);
    fclose(m);
    snprintf(want, sizeof want, "isolate \u2192 %s", hit->target);
    cr_expect_not_null(strstr(line_of(buf, "raft", line, sizeof line), want), "%s", buf);
    cr_expect_not_null(strstr(line_of(buf, "quorum", line, sizeof line), "isolate skipped: no leader"),
                       "%s", buf);
    cr_expect_not_null(strstr(buf, "\nrole faults: a fault that names a role"), "no note: %s", buf);
    cr_expect_not_null(strstr(buf, "isolate the leader (each protocol's own"), "%s", buf);
    cr_expect_null(strstr(buf, "(the leader)"), "one protocol's node heads the list: %s", buf);
    const char *recovery = strstr(buf, "time to recover after each fault");
    cr_assert_not_null(recovery, "%s", buf);
    cr_expect_not_null(strstr(line_of(recovery, "  quorum", line, sizeof line), "skipped"), "%s", buf);
    free(buf);

    m = open_memstream(&buf, &len);
    compare_report_csv(m, &cmp);
    fclose(m);
    cr_expect_not_null(strstr(buf, ",params,role_faults\n"), "%s", buf);
    char csv_want[80];
    snprintf(csv_want, sizeof csv_want, ",\"isolate \u2192 %s\"\n", hit->target);
    cr_expect_not_null(strstr(buf, csv_want), "%s", buf);
    cr_expect_not_null(strstr(buf, ",\"isolate skipped: no leader\"\n"), "%s", buf);
    free(buf);

    cJSON *j = compare_report_json(&cmp);
    cJSON *rows = cJSON_GetObjectItem(j, "rows");
    cJSON *q = cJSON_GetArrayItem(rows, 1);
    cr_expect_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(q, "role_faults"), 0)->valuestring,
                     "isolate skipped: no leader");
    cJSON *qf = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(q, "runs"), 0),
                                                       "faults"), 0);
    cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(qf, "skipped")));
    cr_expect(cJSON_IsNull(cJSON_GetObjectItem(qf, "target")));
    cJSON *rf = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(
                                       cJSON_GetArrayItem(rows, 0), "runs"), 0), "faults"), 0);
    cr_expect_str_eq(cJSON_GetObjectItem(rf, "target")->valuestring, hit->target);
    cJSON_Delete(j);
    compare_free(&cmp);
    scenario_free(sc);
}

Test(compare, a_role_fault_over_seeds_counts_each_node_it_hit, .timeout = 600)
{
    struct scenario *sc = parse(isolate_leader);
    struct compare_options o = {.protocols = "raft,quorum", .jobs = 2, .seeds_given = true, .first = 1,
                                .last = 3};
    struct compare cmp;
    prepare(sc, &o, &cmp);
    run(&cmp, &o);
    char *buf = NULL, line[1024];
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    compare_report_text(m, &cmp, false);
    fclose(m);
    /* one outcome in every seed: said once; several: each with a count */
    cr_expect_not_null(strstr(line_of(buf, "quorum", line, sizeof line), "isolate skipped: no leader"),
                       "%s", buf);
    cr_expect_null(strstr(line, "\u00d7"), "%s", line);
    const char *r = line_of(buf, "raft", line, sizeof line);
    cr_expect_not_null(strstr(r, "isolate \u2192 n"), "%s", r);
    free(buf);
    compare_free(&cmp);
    scenario_free(sc);
}

Test(compare, a_scenario_without_role_faults_has_no_role_column, .timeout = 600)
{
    struct scenario *sc = load("cap-partition.json");
    struct compare_options o = {.protocols = "raft,quorum", .jobs = 2, .duration = 4 * SIM_S};
    struct compare cmp;
    prepare(sc, &o, &cmp);
    run(&cmp, &o);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    compare_report_text(m, &cmp, false);
    fclose(m);
    cr_expect_null(strstr(buf, "role faults"), "%s", buf);
    cr_expect_not_null(strstr(buf, "partition {n1 n2} | {n3 n4 n5}"), "%s", buf);
    free(buf);
    compare_free(&cmp);
    scenario_free(sc);
}

/* ---- the chart: what it counts, its lines, its legend ------------------------------------ */

Test(compare, writes_are_counted_apart_so_2pcs_write_stall_shows, .timeout = 600)
{
    struct scenario *sc = load("cap-partition.json");
    struct compare_options o = {.protocols = "2pc,raft", .jobs = 2};
    struct compare cmp;
    prepare(sc, &o, &cmp);
    run(&cmp, &o);
    for (int i = 0; i < cmp.nrows; i++) {
        const struct compare_run *r = &cmp.rows[i].runs[0];
        uint64_t writes = 0, all = 0;
        for (int b = 0; b < r->nbuckets; b++) {
            cr_expect_leq(r->write_buckets[b], r->buckets[b]);
            writes += r->write_buckets[b];
            all += r->buckets[b];
        }
        cr_expect_eq(writes, r->writes_ok, "%s", cmp.rows[i].label);
        cr_expect_eq(all, r->ops_ok, "%s", cmp.rows[i].label);
    }
    /* 2PC in the partition (3s..7s): no write completes, reads do */
    const struct compare_run *r = &row(&cmp, "2pc")->runs[0];
    uint64_t writes = 0, reads = 0;
    for (int b = 0; b < r->nbuckets; b++)
        if (b * r->bucket >= 3500 * SIM_MS && (b + 1) * r->bucket <= 6500 * SIM_MS) {
            writes += r->write_buckets[b];
            reads += r->buckets[b] - r->write_buckets[b];
        }
    cr_expect_eq(writes, 0, "2pc wrote %llu times in the partition", (unsigned long long)writes);
    cr_expect_gt(reads, 10, "2pc's reads stalled too");
    compare_free(&cmp);
    scenario_free(sc);
}

static uint32_t pixel(const SDL_Surface *s, int x, int y)
{
    uint32_t p;
    memcpy(&p, (const uint8_t *)s->pixels + (size_t)y * (size_t)s->pitch + (size_t)x * 4, 4);
    return p & 0xFFFFFF;
}

static int rgb_distance(uint32_t a, uint32_t b)
{
    return abs((int)(a >> 16 & 255) - (int)(b >> 16 & 255)) +
           abs((int)(a >> 8 & 255) - (int)(b >> 8 & 255)) + abs((int)(a & 255) - (int)(b & 255));
}

/* Draws `n` series with long labels at w x h and checks the picture: the
 * legend box inside the image, nothing touching the right edge, each
 * swatch inked, and every two swatches apart in colour or dash. */
static void check_legend(int n, int w, int h, int min_columns, bool apart)
{
    double *ys = calloc((size_t)n * 50, sizeof *ys);
    struct viz_plot_series *series = calloc((size_t)n, sizeof *series);
    char(*labels)[64] = calloc((size_t)n, sizeof *labels);
    cr_assert(ys && series && labels);
    for (int i = 0; i < n; i++) {
        snprintf(labels[i], sizeof labels[i], "primary-backup:failover=heartbeat:row=%d", i);
        for (int k = 0; k < 50; k++)
            ys[i * 50 + k] = k * (1.0 + 0.05 * i);
        series[i] = (struct viz_plot_series){labels[i], ys + i * 50, 50};
    }
    struct viz_plot p = {.title = "t", .xlabel = "x", .ylabel = "ok writes so far", .dx = 0.1,
                         .series = series, .nseries = n, .w = w, .h = h};
    char path[256], err[512];
    snprintf(path, sizeof path, "/tmp/faultline-legend-%ld.png", (long)getpid());
    struct viz_plot_layout lay;
    cr_assert_eq(viz_plot_png(&p, path, &lay, err, sizeof err), 0, "%s", err);
    SDL_Surface *img = IMG_Load(path);
    cr_assert_not_null(img, "%s", IMG_GetError());
    SDL_Surface *rgb = SDL_ConvertSurfaceFormat(img, SDL_PIXELFORMAT_ARGB8888, 0);
    cr_assert_not_null(rgb);
    cr_expect_eq(rgb->w, w);
    cr_expect(lay.legend_x >= 0 && lay.legend_y >= 0 && lay.legend_x + lay.legend_w <= w &&
              lay.legend_y + lay.legend_h <= h, "%dx%d: legend %d,%d %dx%d outside", w, h,
              lay.legend_x, lay.legend_y, lay.legend_w, lay.legend_h);
    cr_expect_geq(lay.columns, min_columns, "%d series at %dx%d: %d columns", n, w, h, lay.columns);
    const uint32_t bg = 0xFAFAF7;
    for (int y = 0; y < h; y++)
        for (int x = w - 3; x < w; x++)
            cr_assert_leq(rgb_distance(pixel(rgb, x, y), bg), 30,
                          "%dx%d: ink at the right edge (%d, %d): the legend runs out", w, h, x, y);
    cr_assert_eq(lay.nswatches, n);
    for (int i = 0; i < n; i++) {
        cr_expect(lay.swatch[i].x0 >= lay.legend_x && lay.swatch[i].x1 <= lay.legend_x + lay.legend_w &&
                  lay.swatch[i].y >= lay.legend_y && lay.swatch[i].y <= lay.legend_y + lay.legend_h,
                  "swatch %d outside the legend box", i);
        int inked = 0;
        for (int x = lay.swatch[i].x0; x < lay.swatch[i].x1; x++)
            inked += rgb_distance(pixel(rgb, x, lay.swatch[i].y), bg) > 60;
        cr_expect_gt(inked, 3, "%dx%d: swatch %d is blank (%d,%d..%d)", w, h, i, lay.swatch[i].y, lay.swatch[i].x0, lay.swatch[i].x1);
    }
    /* two series differ when their swatches differ somewhere, pixel by
     * pixel from their starts: another colour, or a dash where the other
     * has a gap */
    for (int i = 0; i < n && apart; i++)
        for (int j = i + 1; j < n; j++) {
            int len = lay.swatch[i].x1 - lay.swatch[i].x0, most = 0;
            for (int dy = -1; dy <= 1; dy++)
                for (int k = 0; k < len; k++) {
                    int d = rgb_distance(pixel(rgb, lay.swatch[i].x0 + k, lay.swatch[i].y + dy),
                                         pixel(rgb, lay.swatch[j].x0 + k, lay.swatch[j].y + dy));
                    if (d > most)
                        most = d;
                }
            cr_expect_gt(most, 100, "series %d and %d look alike (colour %06x/%06x, style %d/%d)", i, j,
                         viz_plot_series_rgb(i), viz_plot_series_rgb(j), viz_plot_series_style(i),
                         viz_plot_series_style(j));
        }
    SDL_FreeSurface(rgb);
    SDL_FreeSurface(img);
    unlink(path);
    free(ys);
    free(series);
    free(labels);
}

Test(compare, ten_lines_differ_and_the_legend_stays_inside_the_image)
{
    check_legend(10, 1280, 720, 1, true);
    check_legend(10, 640, 360, 1, true);
}

Test(compare, a_long_legend_wraps_to_columns_inside_a_small_image)
{
    check_legend(24, 640, 360, 2, false);
    check_legend(40, 480, 320, 2, false);
}

/* ---- the command line ------------------------------------------------------------------ */

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

Test(compare_cli, prints_a_row_per_protocol_and_exits_0, .timeout = 600)
{
    char args[8192];
    snprintf(args, sizeof args, "compare %s/scenarios/cap-partition.json --protocols raft,2pc --csv --quiet",
             FAULTLINE_SOURCE_DIR);
    cr_expect_eq(run_cli(args, out, sizeof out), 0, "%s", out);
    cr_expect_not_null(strstr(out, "\"raft\",raft,1,0,"), "%s", out);
    cr_expect_not_null(strstr(out, "\"2pc\",2pc,1,0,"), "%s", out);
}

Test(compare_cli, bad_input_exits_2_naming_what_was_wrong)
{
    char args[8192];
    snprintf(args, sizeof args, "compare %s/scenarios/cap-partition.json --protocols raft,nope",
             FAULTLINE_SOURCE_DIR);
    cr_expect_eq(run_cli(args, out, sizeof out), 2);
    cr_expect_not_null(strstr(out, "\"nope\""), "%s", out);
    snprintf(args, sizeof args, "compare %s/scenarios/cap-partition.json --csv --json", FAULTLINE_SOURCE_DIR);
    cr_expect_eq(run_cli(args, out, sizeof out), 2);
    snprintf(args, sizeof args, "compare %s/scenarios/cap-partition.json --params /nonexistent.json",
             FAULTLINE_SOURCE_DIR);
    cr_expect_eq(run_cli(args, out, sizeof out), 2);
    cr_expect_not_null(strstr(out, "/nonexistent.json"), "%s", out);
    cr_expect_eq(run_cli("compare", out, sizeof out), 2);
}

Test(compare_cli, ops_chooses_what_the_chart_counts_and_is_checked)
{
    char args[8192], png[256];
    snprintf(png, sizeof png, "/tmp/faultline-ops-%ld.png", (long)getpid());
    snprintf(args, sizeof args, "compare %s/scenarios/cap-partition.json --protocols raft --plot %s --ops writes",
             FAULTLINE_SOURCE_DIR, png);
    cr_expect_eq(run_cli(args, out, sizeof out), 2, "%s", out);
    cr_expect_not_null(strstr(out, "--ops: expected write, read or all"), "%s", out);
    cr_expect_not_null(strstr(out, "\"writes\""), "%s", out);
    cr_expect_neq(access(png, F_OK), 0, "a chart was drawn for bad input");
    snprintf(args, sizeof args, "compare %s/scenarios/cap-partition.json --protocols raft --ops read",
             FAULTLINE_SOURCE_DIR);
    cr_expect_eq(run_cli(args, out, sizeof out), 2, "%s", out);
    cr_expect_not_null(strstr(out, "--plot"), "%s", out);
    snprintf(args, sizeof args, "compare %s/scenarios/cap-partition.json --protocols raft --ops",
             FAULTLINE_SOURCE_DIR);
    cr_expect_eq(run_cli(args, out, sizeof out), 2, "%s", out);
    snprintf(args, sizeof args, "compare %s/scenarios/cap-partition.json --protocols raft,2pc --quiet "
             "--duration 4s --plot %s --ops read", FAULTLINE_SOURCE_DIR, png);
    cr_expect_eq(run_cli(args, out, sizeof out), 0, "%s", out);
    cr_expect_eq(access(png, F_OK), 0, "no chart");
    unlink(png);
    cr_expect_eq(run_cli("compare --help", out, sizeof out), 0);
    cr_expect_not_null(strstr(out, "--ops KIND"), "%s", out);
    cr_expect_not_null(strstr(out, "write (the default"), "%s", out);
}
