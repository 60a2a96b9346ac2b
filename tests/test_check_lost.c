/* test_check_lost.c - lost writes: acknowledged appends missing from the
 * final get of their key. */
#include <criterion/criterion.h>
#include <string.h>

#include "check/check.h"

static size_t lost_in(const char *text, int *rc_out)
{
    struct check_history h;
    char err[256];
    cr_assert_eq(check_history_read_buffer(&h, "t", text, strlen(text), CHECK_FORMAT_JSONL, err, sizeof err), 0, "%s", err);
    struct check_lost l;
    int rc = check_lost_writes(&h, &l, err, sizeof err);
    check_history_close(&h);
    if (rc_out)
        *rc_out = rc;
    return rc ? (size_t)-1 : l.lost;
}

#define L(i, p, type, f, v) "{\"index\":" #i ",\"process\":" #p ",\"type\":\"" type "\",\"f\":\"" f "\",\"key\":\"k1\",\"value\":" v "}\n"

Test(check_lost, an_acknowledged_append_missing_from_the_final_get_is_lost)
{
    const char *h = L(0, 0, "invoke", "append", "\"v1;\"") L(1, 0, "ok", "append", "\"v1;\"")
        L(2, 1, "invoke", "append", "\"v2;\"") L(3, 1, "ok", "append", "\"v2;\"")
        L(4, 0, "invoke", "get", "null") L(5, 0, "ok", "get", "\"v1;\"");
    cr_expect_eq(lost_in(h, NULL), 1);
}

Test(check_lost, appends_in_the_final_get_are_not_lost)
{
    const char *h = L(0, 0, "invoke", "append", "\"v1;\"") L(1, 0, "ok", "append", "\"v1;\"")
        L(2, 1, "invoke", "append", "\"v2;\"") L(3, 1, "ok", "append", "\"v2;\"")
        L(4, 0, "invoke", "get", "null") L(5, 0, "ok", "get", "\"v1;v2;\"");
    cr_expect_eq(lost_in(h, NULL), 0);
}

Test(check_lost, an_append_concurrent_with_the_final_get_is_not_judged)
{
    const char *h = L(0, 0, "invoke", "append", "\"v1;\"") L(1, 1, "invoke", "get", "null")
        L(2, 0, "ok", "append", "\"v1;\"") L(3, 1, "ok", "get", "null");
    cr_expect_eq(lost_in(h, NULL), 0);
}

Test(check_lost, a_later_put_may_overwrite_an_append)
{
    const char *h = L(0, 0, "invoke", "append", "\"v1;\"") L(1, 0, "ok", "append", "\"v1;\"")
        L(2, 1, "invoke", "put", "\"v2;\"") L(3, 1, "ok", "put", "\"v2;\"")
        L(4, 0, "invoke", "get", "null") L(5, 0, "ok", "get", "\"v2;\"");
    cr_expect_eq(lost_in(h, NULL), 0);
}

Test(check_lost, unacknowledged_appends_are_not_lost)
{
    const char *h = L(0, 0, "invoke", "append", "\"v1;\"") L(1, 0, "info", "append", "\"v1;\"")
        L(2, 1, "invoke", "get", "null") L(3, 1, "ok", "get", "null");
    cr_expect_eq(lost_in(h, NULL), 0);
}

Test(check_lost, register_histories_are_refused)
{
    int rc;
    const char *h = "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1}\n"
                    "{\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"value\":1}\n";
    lost_in(h, &rc);
    cr_expect_eq(rc, CHECK_ERR_INPUT);
}
