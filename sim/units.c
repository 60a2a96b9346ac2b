/* units.c - durations with units ("10ms", "1.5s"), node names, kind names.
 * Durations are parsed with integer arithmetic only: time is never a float. */
#include <stdio.h>
#include <string.h>

#include "sim/scenario.h"

int scenario_parse_duration(const char *s, bool allow_negative, sim_time *out)
{
    if (!s || !*s)
        return SIM_EINVAL;
    int sign = 1;
    if (*s == '-' || *s == '+') {
        if (*s == '-') {
            if (!allow_negative)
                return SIM_EINVAL;
            sign = -1;
        }
        s++;
    }
    if (*s < '0' || *s > '9')
        return SIM_EINVAL;
    int64_t whole = 0, frac = 0, frac_scale = 1;
    while (*s >= '0' && *s <= '9') {
        if (whole > (INT64_MAX - 9) / 10)
            return SIM_EINVAL;
        whole = whole * 10 + (*s++ - '0');
    }
    if (*s == '.') {
        s++;
        if (*s < '0' || *s > '9')
            return SIM_EINVAL;
        while (*s >= '0' && *s <= '9') {
            if (frac_scale >= 1000000000LL)
                return SIM_EINVAL; /* more than 9 decimals is nonsense */
            frac = frac * 10 + (*s++ - '0');
            frac_scale *= 10;
        }
    }
    int64_t unit;
    if (strcmp(s, "us") == 0)
        unit = SIM_US;
    else if (strcmp(s, "ms") == 0)
        unit = SIM_MS;
    else if (strcmp(s, "s") == 0)
        unit = SIM_S;
    else if (*s == '\0' && whole == 0 && frac == 0)
        unit = 1; /* a bare "0" needs no unit */
    else
        return SIM_EINVAL;
    if (whole > INT64_MAX / unit / 2)
        return SIM_EINVAL;
    int64_t frac_us = frac * unit / frac_scale;
    if (frac * unit % frac_scale != 0)
        return SIM_EINVAL; /* finer than a microsecond */
    *out = sign * (whole * unit + frac_us);
    return SIM_OK;
}

void scenario_format_duration(sim_time t, char *buf, size_t cap)
{
    const char *sign = "";
    if (t < 0) {
        sign = "-";
        t = -t;
    }
    if (t == 0)
        snprintf(buf, cap, "0");
    else if (t % SIM_S == 0)
        snprintf(buf, cap, "%s%llds", sign, (long long)(t / SIM_S));
    else if (t >= SIM_S)
        snprintf(buf, cap, "%s%lld.%03llds", sign, (long long)(t / SIM_S),
                 (long long)(t % SIM_S / SIM_MS));
    else if (t % SIM_MS == 0)
        snprintf(buf, cap, "%s%lldms", sign, (long long)(t / SIM_MS));
    else if (t >= SIM_MS)
        snprintf(buf, cap, "%s%lld.%03lldms", sign, (long long)(t / SIM_MS),
                 (long long)(t % SIM_MS));
    else
        snprintf(buf, cap, "%s%lldus", sign, (long long)t);
}

void scenario_format_time(sim_time t, char *buf, size_t cap)
{
    const char *sign = t < 0 ? "-" : "";
    if (t < 0)
        t = -t;
    snprintf(buf, cap, "%s%lld.%03llds", sign, (long long)(t / SIM_S),
             (long long)(t % SIM_S / SIM_MS));
}

int scenario_node_id(const char *name, int nodes)
{
    if (!name || name[0] != 'n' || name[1] < '1' || name[1] > '9')
        return -1;
    long v = 0;
    for (const char *p = name + 1; *p; p++) {
        if (*p < '0' || *p > '9' || v > 100000000)
            return -1;
        v = v * 10 + (*p - '0');
    }
    return v >= 1 && v <= nodes ? (int)(v - 1) : -1;
}

static const char *const fault_names[FAULT_KIND_COUNT] = {
    [FAULT_CRASH] = "crash",         [FAULT_RECOVER] = "recover",
    [FAULT_PARTITION] = "partition", [FAULT_ISOLATE] = "isolate",
    [FAULT_CUT] = "cut",             [FAULT_HEAL] = "heal",
    [FAULT_FLAP] = "flap",           [FAULT_CLOCK] = "clock",
    [FAULT_SLOW] = "slow",           [FAULT_DROP] = "drop",
    [FAULT_DUPLICATE] = "duplicate", [FAULT_DROP_MESSAGE] = "drop_message",
};

const char *scenario_fault_name(enum fault_kind kind)
{
    return (unsigned)kind < FAULT_KIND_COUNT ? fault_names[kind] : "?";
}

static const char *const nemesis_names[NEM_KIND_COUNT] = {
    [NEM_CRASH] = "crash",   [NEM_PARTITION] = "partition", [NEM_ISOLATE] = "isolate",
    [NEM_ONEWAY] = "oneway", [NEM_BRIDGE] = "bridge",       [NEM_CLOCK] = "clock",
    [NEM_SLOW] = "slow",     [NEM_FLAP] = "flap",           [NEM_LOSS] = "loss",
    [NEM_DUPLICATE] = "duplicate",
};

const char *scenario_nemesis_name(enum nemesis_kind kind)
{
    return (unsigned)kind < NEM_KIND_COUNT ? nemesis_names[kind] : "?";
}
