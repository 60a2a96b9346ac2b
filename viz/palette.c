/* palette.c - which colour means what: roles by meaning (leaders orange,
 * followers sky blue, candidates purple...), messages by their sender's
 * role, logs and partition groups in neutral greys; one meaning per hue. */
#include "viz/palette.h"

#include <string.h>

struct role_color {
    const char *role;
    uint32_t rgb;
};

/* Roles by meaning, whatever the protocol calls them. These five hues mean
 * a role and nothing else anywhere in the viewer: a message takes its
 * sender's, logs and partitions use greys, faults vermillion. */
static const struct role_color roles[] = {
    {"leader", VIZ_ORANGE},      {"primary", VIZ_ORANGE},     {"coordinator", VIZ_ORANGE},
    {"proposer", VIZ_PURPLE},    {"candidate", VIZ_PURPLE},   {"pre-candidate", VIZ_PURPLE},
    {"precandidate", VIZ_PURPLE}, {"follower", VIZ_SKY},      {"backup", VIZ_SKY},
    {"secondary", VIZ_SKY},      {"replica", VIZ_SKY},        {"acceptor", VIZ_SKY},
    {"participant", VIZ_SKY},    {"standby", VIZ_SKY},        {"head", VIZ_SKY},
    {"middle", VIZ_SKY},         {"tail", VIZ_SKY},           {"head-tail", VIZ_SKY},
    {"learner", VIZ_GREEN},      {"observer", VIZ_GREEN},     {"monitor", VIZ_GREEN},
    {"master", VIZ_GREEN},       {"blocked", VIZ_YELLOW},     {"ready", VIZ_YELLOW},
    {"prepared", VIZ_YELLOW},
};

static const uint32_t role_hues[] = {VIZ_ORANGE, VIZ_PURPLE, VIZ_SKY, VIZ_GREEN, VIZ_YELLOW};

struct viz_rgba viz_role_color(const char *role)
{
    if (!role || !*role || strcmp(role, "down") == 0)
        return VIZ_RGB(VIZ_DOWN);
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (strcmp(role, roles[i].role) == 0)
            return VIZ_RGB(roles[i].rgb);
    /* "node" and roles of no known meaning: neutral, named by their label */
    return VIZ_RGB(VIZ_NEUTRAL);
}

int viz_role_is_leader(const char *role)
{
    return role && (strcmp(role, "leader") == 0 || strcmp(role, "primary") == 0);
}

bool viz_is_role_hue(struct viz_rgba c)
{
    for (size_t i = 0; i < sizeof role_hues / sizeof role_hues[0]; i++)
        if (c.r == (uint8_t)(role_hues[i] >> 16) && c.g == (uint8_t)(role_hues[i] >> 8) &&
            c.b == (uint8_t)role_hues[i])
            return true;
    return false;
}

struct viz_rgba viz_msg_color(const char *sender_role)
{
    if (!sender_role || strcmp(sender_role, "down") == 0)
        return VIZ_RGB(VIZ_NEUTRAL); /* sent before the sender described itself */
    return viz_role_color(sender_role);
}

struct viz_rgba viz_log_color(int shade)
{
    return VIZ_RGB(shade & 1 ? 0xBDBDB4 : 0xE2E2DA);
}

struct viz_rgba viz_group_tint(int group)
{
    if (group < 0)
        return VIZ_RGB(0xE0E0D8); /* a bridge node's slice */
    return VIZ_RGB(group & 1 ? 0xEAEAE2 : 0xF4F4EE);
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
