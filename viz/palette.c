/* palette.c - which colour means what: roles by meaning (leaders orange,
 * followers sky blue, candidates purple...), message types by order of
 * first use, always from the colour-blind-safe set. */
#include "viz/palette.h"

#include <string.h>

struct role_color {
    const char *role;
    uint32_t rgb;
};

/* Roles by meaning, whatever the protocol calls them. */
static const struct role_color roles[] = {
    {"leader", VIZ_ORANGE},      {"primary", VIZ_ORANGE},     {"coordinator", VIZ_ORANGE},
    {"proposer", VIZ_PURPLE},    {"candidate", VIZ_PURPLE},   {"pre-candidate", VIZ_PURPLE},
    {"precandidate", VIZ_PURPLE}, {"follower", VIZ_SKY},      {"backup", VIZ_SKY},
    {"secondary", VIZ_SKY},      {"replica", VIZ_SKY},        {"acceptor", VIZ_SKY},
    {"participant", VIZ_SKY},    {"learner", VIZ_GREEN},      {"observer", VIZ_GREEN},
    {"monitor", VIZ_GREEN},      {"node", VIZ_BLUE},          {"blocked", VIZ_YELLOW},
    {"ready", VIZ_YELLOW},       {"prepared", VIZ_YELLOW},
};

static const uint32_t others[] = {VIZ_BLUE, VIZ_GREEN, VIZ_YELLOW, VIZ_PURPLE};

struct viz_rgba viz_role_color(const char *role)
{
    if (!role || !*role || strcmp(role, "down") == 0)
        return VIZ_RGB(VIZ_DOWN);
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (strcmp(role, roles[i].role) == 0)
            return VIZ_RGB(roles[i].rgb);
    /* An unknown role: a stable pick by its name. */
    uint32_t h = 2166136261u;
    for (const char *p = role; *p; p++)
        h = (h ^ (uint8_t)*p) * 16777619u;
    return VIZ_RGB(others[h % (sizeof others / sizeof others[0])]);
}

int viz_role_is_leader(const char *role)
{
    return role && (strcmp(role, "leader") == 0 || strcmp(role, "primary") == 0);
}

/* Message types: vermillion is kept for drops and violations. */
static const uint32_t types[] = {VIZ_BLUE, VIZ_ORANGE, VIZ_GREEN, VIZ_PURPLE, VIZ_SKY,
                                 VIZ_YELLOW, 0x555555};

struct viz_rgba viz_type_color(int type)
{
    if (type < 0)
        type = 0;
    return VIZ_RGB(types[(unsigned)type % (sizeof types / sizeof types[0])]);
}

struct viz_rgba viz_ink_on(struct viz_rgba bg)
{
    /* relative luminance, roughly (sRGB weights without the gamma curve) */
    int lum = 2126 * bg.r + 7152 * bg.g + 722 * bg.b;
    return lum > 1400000 ? VIZ_RGB(VIZ_INK) : VIZ_RGB(0xFFFFFF);
}

struct viz_rgba viz_alpha(struct viz_rgba c, uint8_t a)
{
    c.a = a;
    return c;
}

struct viz_rgba viz_shade(struct viz_rgba c, float t)
{
    float target = t > 0 ? 255.0f : 0.0f;
    float k = t > 0 ? t : -t;
    if (k > 1)
        k = 1;
    c.r = (uint8_t)(c.r + (target - c.r) * k);
    c.g = (uint8_t)(c.g + (target - c.g) * k);
    c.b = (uint8_t)(c.b + (target - c.b) * k);
    return c;
}
