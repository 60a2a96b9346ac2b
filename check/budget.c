/* budget.c - wall-time, memory and step limits of a check. The checker may
 * read the clock (it is not the engine): time only decides when to give
 * up, never what the verdict is. */
#include "check/budget.h"

#include <time.h>

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void check_budget_start(struct check_budget *b, int64_t timeout_us, size_t max_bytes,
                        uint64_t max_steps)
{
    b->deadline_ns = timeout_us > 0 ? now_ns() + timeout_us * 1000 : 0;
    b->max_bytes = max_bytes;
    b->max_steps = max_steps;
    b->steps = 0;
    b->hit = CHECK_LIMIT_NONE;
}

bool check_budget_step(struct check_budget *b, size_t bytes_in_use)
{
    if (b->hit != CHECK_LIMIT_NONE)
        return false;
    b->steps++;
    if (b->max_steps != 0 && b->steps > b->max_steps)
        b->hit = CHECK_LIMIT_STEPS;
    else if (b->max_bytes != 0 && bytes_in_use > b->max_bytes)
        b->hit = CHECK_LIMIT_MEMORY;
    else if (b->deadline_ns != 0 && (b->steps & 1023) == 0 && now_ns() > b->deadline_ns)
        b->hit = CHECK_LIMIT_TIME;
    return b->hit == CHECK_LIMIT_NONE;
}

const char *check_limit_name(enum check_limit limit)
{
    switch (limit) {
    case CHECK_LIMIT_NONE: return "none";
    case CHECK_LIMIT_TIME: return "time";
    case CHECK_LIMIT_MEMORY: return "memory";
    case CHECK_LIMIT_STEPS: return "steps";
    }
    return "?";
}
