/* args.c - option values for the viewer commands, checked strictly: a bad
 * value is an error naming the option and what was expected. */
#include "viz/args.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario.h"
#include "viz/viz.h"

int viz_parse_speed(const char *s, double *out)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%s", s);
    size_t n = strlen(buf);
    if (n && (buf[n - 1] == 'x' || buf[n - 1] == 'X'))
        buf[--n] = '\0';
    if (!n)
        return SIM_EINVAL;
    char *end;
    double x;
    if (strncmp(buf, "1/", 2) == 0) {
        double d = strtod(buf + 2, &end);
        if (end == buf + 2 || *end || !(d > 0))
            return SIM_EINVAL;
        x = 1.0 / d;
    } else {
        x = strtod(buf, &end);
        if (end == buf || *end)
            return SIM_EINVAL;
    }
    if (!isfinite(x) || x < VIZ_SPEED_MIN * 0.9999 || x > VIZ_SPEED_MAX * 1.0001)
        return SIM_EINVAL;
    *out = x;
    return SIM_OK;
}

int viz_parse_time(const char *s, sim_time *out, bool *is_end)
{
    if (is_end)
        *is_end = false;
    if (strcmp(s, "end") == 0 && is_end) {
        *is_end = true;
        *out = 0;
        return SIM_OK;
    }
    return scenario_parse_duration(s, false, out);
}

const char *viz_opt(int argc, char **argv, int *i, const char *name, bool *missing)
{
    size_t n = strlen(name);
    *missing = false;
    if (strncmp(argv[*i], name, n) == 0 && argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (strcmp(argv[*i], name) == 0) {
        if (*i + 1 >= argc) {
            *missing = true;
            return NULL;
        }
        return argv[++*i];
    }
    return NULL;
}

int viz_common_opt(int argc, char **argv, int *i, int allowed, struct viz_app_opts *o, int *w,
                   int *h, char *err, size_t errcap)
{
    bool missing;
    const char *v;
    static const char *const names[] = {"--seed", "--duration", "--speed", "--size"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        if (!(allowed & (1 << k)))
            continue;
        v = viz_opt(argc, argv, i, names[k], &missing);
        if (missing) {
            snprintf(err, errcap, "%s needs a value", names[k]);
            return -1;
        }
        if (!v)
            continue;
        switch (k) {
        case 0: {
            char *end;
            unsigned long long seed = strtoull(v, &end, 10);
            if (!*v || *end || *v == '-') {
                snprintf(err, errcap, "--seed: expected a non-negative integer, got \"%s\"", v);
                return -1;
            }
            o->seed_set = true;
            o->seed = seed;
            return 1;
        }
        case 1:
            if (scenario_parse_duration(v, false, &o->duration) || o->duration <= 0) {
                snprintf(err, errcap, "--duration: expected a duration such as \"5s\" or \"800ms\", got \"%s\"", v);
                return -1;
            }
            return 1;
        case 2:
            if (viz_parse_speed(v, &o->speed)) {
                snprintf(err, errcap,
                         "--speed: expected simulated time per real time from 1/1000 to 1000, such as \"1/20\", \"0.05\" or \"2x\", got \"%s\"",
                         v);
                return -1;
            }
            return 1;
        case 3:
            if (viz_parse_size(v, w, h)) {
                snprintf(err, errcap, "--size: expected WIDTHxHEIGHT from 64x64 to 8192x8192, such as 1920x1080, got \"%s\"", v);
                return -1;
            }
            return 1;
        }
    }
    if ((allowed & VIZ_OPT_DIAGRAM) && strcmp(argv[*i], "--diagram") == 0) {
        o->diagram = true;
        return 1;
    }
    if ((allowed & VIZ_OPT_LOG) && strcmp(argv[*i], "--log") == 0) {
        o->log = true;
        return 1;
    }
    if ((allowed & VIZ_OPT_NARRATE) && strcmp(argv[*i], "--no-narrate") == 0) {
        o->no_narrate = true;
        return 1;
    }
    return 0;
}
