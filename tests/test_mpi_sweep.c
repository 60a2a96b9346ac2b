/* test_mpi_sweep.c - `mpirun -np N faultline sweep ...` prints the report
 * one process prints: the same failing seeds, the same lowest seed with
 * --first, the same shrunk scenario. Runs when faultline was built with MPI
 * and mpirun is on PATH (CI: mpirun --allow-run-as-root --oversubscribe);
 * without MPI, a launch under mpirun is refused instead of run N times. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/mpi_sweep.h"

static const char *const split_brain =
    "{\"name\": \"pb-split-brain-nemesis\", \"protocol\": \"primary-backup\","
    " \"params\": {\"failover\": \"heartbeat\", \"heartbeat\": \"100ms\", \"suspect_after\": \"300ms\","
    "   \"replica_timeout\": \"200ms\"},"
    " \"nodes\": 3, \"duration\": \"6s\","
    " \"network\": {\"latency\": {\"dist\": \"uniform\", \"min\": \"5ms\", \"max\": \"15ms\"}},"
    " \"workload\": {\"clients\": 3, \"rate\": \"50/s\", \"keys\": 1, \"mix\": {\"read\": 0.5, \"write\": 0.5},"
    "   \"timeout\": \"500ms\", \"connect\": \"random\"},"
    " \"nemesis\": {\"until\": \"5s\", \"interval\": {\"min\": \"300ms\", \"max\": \"1s\"},"
    "   \"duration\": {\"min\": \"200ms\", \"max\": \"1.5s\"}, \"faults\": {\"partition\": 1, \"isolate\": 1}},"
    " \"expect\": {\"violations\": \"none\", \"linearizable\": true}}";

/* Runs `cmd`, standard output into out (standard error into errf);
 * returns the exit status, or -1 when it did not exit. */
static int capture(const char *cmd, char *out, size_t cap)
{
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static bool have_mpirun(void)
{
    return system("command -v mpirun >/dev/null 2>&1") == 0;
}

#ifdef FAULTLINE_HAVE_MPI

static char scenario[256], errfile[256];
static char one[1 << 18], many[1 << 18];

static void setup(void)
{
    snprintf(scenario, sizeof scenario, "/tmp/faultline-mpi-%ld.json", (long)getpid());
    snprintf(errfile, sizeof errfile, "/tmp/faultline-mpi-%ld.err", (long)getpid());
    FILE *f = fopen(scenario, "w");
    cr_assert_not_null(f);
    fputs(split_brain, f);
    fclose(f);
}

static void teardown(void)
{
    unlink(scenario);
    unlink(errfile);
}

/* The report of `sweep ARGS` on one process, then under mpirun with `np`
 * ranks: they must be equal, byte for byte. */
static void expect_same_report(int np, const char *args)
{
    if (!have_mpirun())
        cr_skip_test("mpirun is not on PATH");
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "%s sweep %s %s --jobs 1 --quiet 2>%s", FAULTLINE_BIN, scenario, args,
             errfile);
    int rc1 = capture(cmd, one, sizeof one);
    cr_assert(rc1 == 0 || rc1 == 1, "one process: exit %d: %s", rc1, one);
    /* Open MPI's own allocations are not ours to leak-check */
    snprintf(cmd, sizeof cmd,
             "ASAN_OPTIONS=detect_leaks=0 mpirun --allow-run-as-root --oversubscribe -np %d "
             "%s sweep %s %s --jobs 1 --quiet 2>%s",
             np, FAULTLINE_BIN, scenario, args, errfile);
    int rc = capture(cmd, many, sizeof many);
    char err[4096] = "";
    FILE *e = fopen(errfile, "r");
    if (e) {
        size_t n = fread(err, 1, sizeof err - 1, e);
        err[n] = '\0';
        fclose(e);
    }
    cr_assert(many[0], "mpirun -np %d printed nothing (exit %d): %s", np, rc, err);
    cr_expect_eq(rc, rc1, "exit %d under mpirun, %d alone: %s", rc, rc1, err);
    cr_expect_str_eq(many, one, "-np %d: the reports differ", np);
}

TestSuite(mpi_sweep, .init = setup, .fini = teardown);

Test(mpi_sweep, two_ranks_print_the_report_of_one_process, .timeout = 600)
{
    expect_same_report(2, "--seeds 1..60 --json");
}

Test(mpi_sweep, three_ranks_agree_on_the_lowest_failing_seed, .timeout = 600)
{
    expect_same_report(3, "--seeds 1..60 --first --json");
    cr_expect_not_null(strstr(many, "\"stop_at_first\":\ttrue"), "%s", many);
}

Test(mpi_sweep, ranks_shrink_like_one_process, .timeout = 600)
{
    char args[600];
    snprintf(args, sizeof args, "--seeds 3..30 --shrink --shrink-out %s.min.json", scenario);
    expect_same_report(2, args);
    cr_expect_not_null(strstr(many, "shrunk seed"), "%s", many);
    char path[300];
    snprintf(path, sizeof path, "%s.min.json", scenario);
    unlink(path);
}

#else

Test(mpi_sweep, without_mpi_a_launch_under_mpirun_is_refused)
{
    setenv("OMPI_COMM_WORLD_SIZE", "2", 1);
    struct mpi_sweep m;
    char err[512];
    cr_expect_eq(mpi_sweep_init(&m, true, err, sizeof err), SIM_EINVAL);
    cr_expect_not_null(strstr(err, "without MPI"), "%s", err);
    cr_expect_eq(mpi_sweep_init(&m, false, err, sizeof err), SIM_OK);
    cr_expect_eq(m.size, 1);
    unsetenv("OMPI_COMM_WORLD_SIZE");
    cr_expect(!mpi_sweep_available());
    (void)have_mpirun;
    (void)capture;
    (void)split_brain;
}

#endif

Test(mpi_sweep, alone_it_is_one_rank)
{
    struct mpi_sweep m;
    char err[512];
    unsetenv("OMPI_COMM_WORLD_SIZE");
    unsetenv("PMIX_SIZE");
    unsetenv("PMI_SIZE");
    cr_assert_eq(mpi_sweep_init(&m, true, err, sizeof err), SIM_OK, "%s", err);
    cr_expect(!m.active);
    cr_expect_eq(m.rank, 0);
    cr_expect_eq(m.size, 1);
    cr_expect_eq(mpi_sweep_status(&m, 7), 7);
    mpi_sweep_finalize(&m);
}
