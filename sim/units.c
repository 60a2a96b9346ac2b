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

/* "whole.frac" with the fraction's trailing zeros dropped ("175.3", "1"). */
static void decimal(const char *sign, long long whole, long long frac, const char *unit,
                    char *buf, size_t cap)
{
    int digits = 3;
    while (digits > 0 && frac % 10 == 0) {
        frac /= 10;
        digits--;
    }
    if (digits)
        snprintf(buf, cap, "%s%lld.%0*lld%s", sign, whole, digits, frac, unit);
    else
        snprintf(buf, cap, "%s%lld%s", sign, whole, unit);
}

/* One unit per magnitude, never more than three decimals: "1.5s", "175.3ms",
 * "40us". Below a second, microseconds are kept; from a second on, the
 * milliseconds (a display form: scenario_write has the exact one). */
void scenario_format_duration(sim_time t, char *buf, size_t cap)
{
    const char *sign = "";
    if (t < 0) {
        sign = "-";
        t = -t;
    }
    if (t == 0)
        snprintf(buf, cap, "0");
    else if (t >= SIM_S)
        decimal(sign, (long long)(t / SIM_S), (long long)(t % SIM_S / SIM_MS), "s", buf, cap);
    else if (t >= SIM_MS)
        decimal(sign, (long long)(t / SIM_MS), (long long)(t % SIM_MS), "ms", buf, cap);
    else
        snprintf(buf, cap, "%s%lldus", sign, (long long)t);
}

void sim_format_duration(sim_time t, char *buf, size_t cap)
{
    scenario_format_duration(t, buf, cap);
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

/* ---- plain words for faults, shared by the run's timeline and the viewer --------- */

void scenario_describe_clock(const char *node, int64_t drift_ppm, sim_time jump, sim_time offset,
                             char *buf, size_t cap)
{
    if (drift_ppm == 0 && offset == 0) {
        snprintf(buf, cap, "clock of %s restored", node);
        return;
    }
    size_t used = (size_t)snprintf(buf, cap, "clock of %s", node);
    if (drift_ppm != 0 && used < cap) {
        /* a percentage with two to four decimals, from integer ppm */
        int64_t mag = drift_ppm < 0 ? -drift_ppm : drift_ppm;
        int64_t frac = mag % 10000;
        int digits = 4;
        while (digits > 2 && frac % 10 == 0) {
            frac /= 10;
            digits--;
        }
        used += (size_t)snprintf(buf + used, cap - used, " runs %lld.%0*lld%% %s",
                                 (long long)(mag / 10000), digits, (long long)frac,
                                 drift_ppm > 0 ? "fast" : "slow");
    }
    if (jump != 0 && used < cap) {
        char d[32];
        scenario_format_duration(jump < 0 ? -jump : jump, d, sizeof d);
        used += (size_t)snprintf(buf + used, cap - used, "%s jumps %s %s", drift_ppm ? "," : "",
                                 jump < 0 ? "back" : "ahead", d);
    }
    if (drift_ppm == 0 && jump == 0 && used < cap) {
        char d[32];
        scenario_format_duration(offset < 0 ? -offset : offset, d, sizeof d);
        snprintf(buf + used, cap - used, " keeps its rate, %s %s", d,
                 offset < 0 ? "behind" : "ahead");
    }
}

void scenario_describe_slow(const char *node, sim_time delay, char *buf, size_t cap)
{
    if (delay <= 0) {
        snprintf(buf, cap, "%s runs at normal speed again", node);
        return;
    }
    char d[32];
    scenario_format_duration(delay, d, sizeof d);
    snprintf(buf, cap, "%s turns slow: %s per event", node, d);
}

void scenario_describe_rate(bool loss, double probability, char *buf, size_t cap)
{
    if (probability <= 0)
        snprintf(buf, cap, "network %s ends", loss ? "loss" : "duplication");
    else
        snprintf(buf, cap, "network %s %.3g%% of messages", loss ? "loses" : "duplicates",
                 probability * 100);
}
