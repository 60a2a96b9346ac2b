/* test_check_jepsen.c - the 102 Jepsen etcd histories against the verdicts
 * that Knossos and Porcupine established (tests/data/jepsen-etcd). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "check/check.h"

#define DIR FAULTLINE_TEST_DATA "/jepsen-etcd"

struct expected {
    char name[64];
    enum check_verdict verdict;
};

/* Reads verdicts.tsv into list; returns how many. */
static size_t read_verdicts(struct expected *list, size_t cap)
{
    FILE *f = fopen(DIR "/verdicts.tsv", "r");
    cr_assert_not_null(f, "cannot open verdicts.tsv");
    char line[256], verdict[64];
    size_t n = 0;
    while (fgets(line, sizeof line, f) && n < cap) {
        if (sscanf(line, "%63s %63s", list[n].name, verdict) != 2)
            continue;
        cr_assert(strcmp(verdict, "linearizable") == 0 || strcmp(verdict, "not-linearizable") == 0,
                  "unexpected verdict %s", verdict);
        list[n].verdict = strcmp(verdict, "linearizable") == 0 ? CHECK_LINEARIZABLE
                                                               : CHECK_NOT_LINEARIZABLE;
        n++;
    }
    fclose(f);
    return n;
}

static enum check_verdict check_file(const char *name, const struct check_model *m)
{
    char path[512], err[1024];
    snprintf(path, sizeof path, "%s/%s", DIR, name);
    struct check_history h;
    cr_assert_eq(check_history_read_file(&h, path, CHECK_FORMAT_AUTO, err, sizeof err), 0, "%s", err);
    struct check_options opt = {.model = m};
    struct check_result r;
    cr_assert_eq(check_linearizability(&h, &opt, &r, err, sizeof err), 0, "%s", err);
    enum check_verdict v = r.verdict;
    check_result_close(&r);
    check_history_close(&h);
    return v;
}

Test(jepsen_etcd, all_102_histories_match_their_verdicts)
{
    struct expected list[128];
    size_t n = read_verdicts(list, 128);
    cr_assert_eq(n, 102);
    size_t linearizable = 0;
    for (size_t i = 0; i < n; i++) {
        enum check_verdict got = check_file(list[i].name, NULL);
        cr_expect_eq(got, list[i].verdict, "%s: got %s, expected %s", list[i].name,
                     check_verdict_name(got), check_verdict_name(list[i].verdict));
        linearizable += list[i].verdict == CHECK_LINEARIZABLE;
    }
    cr_assert_eq(linearizable, 23);
}

Test(jepsen_etcd, verdicts_do_not_depend_on_pruning)
{
    /* Pruning open ops is an optimisation: with it off, every verdict stays. */
    struct check_model unpruned = check_model_register;
    unpruned.prune = NULL;
    struct expected list[128];
    size_t n = read_verdicts(list, 128);
    for (size_t i = 0; i < n; i++)
        cr_expect_eq(check_file(list[i].name, &unpruned), list[i].verdict, "%s", list[i].name);
}
