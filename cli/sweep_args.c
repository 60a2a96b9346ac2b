/* sweep_args.c - option parsing shared by the sweep and compare commands. */
#include "cli/sweep_args.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool sweep_args_is(const char *arg, const char *name)
{
    size_t n = strlen(name);
    return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

const char *sweep_args_value(int argc, char **argv, int *i, const char *name, const char *cmd)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) == 0 && argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (*i + 1 >= argc) {
        fprintf(stderr, "faultline %s: %s needs a value\n", cmd, name);
        return NULL;
    }
    return argv[++*i];
}

/* A whole non-negative decimal number; false when s is anything else. */
static bool number(const char *s, size_t len, uint64_t *out)
{
    if (len == 0 || len > 19)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return true;
}

int sweep_args_seeds(const char *s, uint64_t *first, uint64_t *last, const char *cmd)
{
    const char *dots = strstr(s, "..");
    bool ok;
    if (dots)
        ok = number(s, (size_t)(dots - s), first) && number(dots + 2, strlen(dots + 2), last);
    else {
        *first = 1;
        ok = number(s, strlen(s), last) && *last >= 1;
    }
    /* scenario files hold seeds up to 2^53 (JSON numbers are exact that far) */
    if (!ok || *first > *last || *last > ((uint64_t)1 << 53)) {
        fprintf(stderr, "faultline %s: --seeds: expected a range such as \"1..1000\" (first <= last, "
                "at most 2^53) or a count such as \"500\", got \"%s\"\n", cmd, s);
        return -1;
    }
    return 0;
}

int sweep_args_count(const char *s, int max, int *out, const char *name, const char *cmd)
{
    uint64_t v;
    if (!number(s, strlen(s), &v) || v < 1 || v > (uint64_t)max) {
        fprintf(stderr, "faultline %s: %s: expected a whole number from 1 to %d, got \"%s\"\n", cmd,
                name, max, s);
        return -1;
    }
    *out = (int)v;
    return 0;
}
