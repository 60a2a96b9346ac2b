/* test_storage.c - stable storage: buffered writes, sync, crash semantics. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sim/sim.h"
#include "sim/storage.h"

Test(storage, put_then_get_returns_a_copy)
{
    struct store *st = store_create();
    char buf[8] = "abc";
    cr_assert_eq(store_put(st, "k", buf, 4), 0);
    buf[0] = 'X';
    size_t len = 0;
    const char *v = store_get(st, "k", &len);
    cr_assert_not_null(v);
    cr_expect_eq(len, 4);
    cr_expect_str_eq(v, "abc");
    store_destroy(st);
}

Test(storage, crash_keeps_synced_and_unsynced_by_default)
{
    struct store *st = store_create();
    store_put(st, "a", "1", 1);
    store_sync(st);
    store_put(st, "b", "2", 1);
    store_crash(st, false);
    cr_expect_not_null(store_get(st, "a", NULL));
    cr_expect_not_null(store_get(st, "b", NULL));
    cr_expect_eq(store_count(st), 2);
    store_destroy(st);
}

Test(storage, crash_losing_unsynced_rolls_back_to_last_sync)
{
    struct store *st = store_create();
    store_put(st, "a", "old", 3);
    store_put(st, "gone", "x", 1);
    store_sync(st);
    store_put(st, "a", "new", 3);   /* overwrite, not synced */
    store_delete(st, "gone");       /* delete, not synced */
    store_put(st, "fresh", "y", 1); /* insert, not synced */
    cr_expect_eq(store_pending(st), 3);
    store_crash(st, true);
    size_t len;
    const char *a = store_get(st, "a", &len);
    cr_assert_not_null(a);
    cr_expect_eq(memcmp(a, "old", 3), 0);
    cr_expect_not_null(store_get(st, "gone", NULL));
    cr_expect_null(store_get(st, "fresh", NULL));
    cr_expect_eq(store_count(st), 2);
    cr_expect_eq(store_pending(st), 0);
    store_destroy(st);
}

Test(storage, delete_of_absent_key_reports_it)
{
    struct store *st = store_create();
    cr_expect_eq(store_delete(st, "nope"), SIM_ENOENT);
    cr_expect_eq(store_put(st, "", "x", 1), SIM_EINVAL);
    char longkey[100];
    memset(longkey, 'k', sizeof longkey - 1);
    longkey[99] = '\0';
    cr_expect_eq(store_put(st, longkey, "x", 1), SIM_EINVAL);
    store_destroy(st);
}

Test(storage, many_keys_survive_growth_and_crash)
{
    struct store *st = store_create();
    char key[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "e%d", i);
        cr_assert_eq(store_put(st, key, &i, sizeof i), 0);
        if (i == 2999)
            store_sync(st);
    }
    store_crash(st, true);
    cr_expect_eq(store_count(st), 3000);
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "e%d", i);
        const int *v = store_get(st, key, NULL);
        if (i < 3000) {
            cr_assert_not_null(v);
            cr_assert_eq(*v, i);
        } else
            cr_assert_null(v);
    }
    store_destroy(st);
}
