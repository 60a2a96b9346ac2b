/* text.c - fonts and the label texture cache: fontconfig finds DejaVu Sans,
 * SDL2_ttf rasterises each distinct (font, colour, string) once into a
 * texture, and a frame counter evicts textures no longer drawn. */
#include "viz/text.h"

#include <SDL_ttf.h>
#include <fontconfig/fontconfig.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"

#define CACHE_CAP 4096      /* slots (a power of two) */
#define CACHE_HIGH 3000     /* above this many entries, evict */
#define KEEP_FRAMES 90      /* unused this many frames: evicted */

struct entry {
    uint64_t hash;
    char *s;                /* NULL: empty slot */
    uint8_t font;
    struct viz_rgba c;
    SDL_Texture *tex;
    int w, h;
    uint64_t used;          /* frame last drawn */
};

struct viz_text {
    SDL_Renderer *r;
    TTF_Font *font[VIZ_FONT_COUNT];
    int height[VIZ_FONT_COUNT];
    char regular[1024], bold[1024];
    struct entry *tab;
    int count;
    uint64_t frame;
};

static const float base_px[VIZ_FONT_COUNT] = {
    [VIZ_FONT_SMALL] = 14, [VIZ_FONT_BODY] = 17, [VIZ_FONT_BOLD] = 17,
    [VIZ_FONT_LARGE] = 22, [VIZ_FONT_HUGE] = 30, [VIZ_FONT_CAPTION] = 22,
};
static const bool is_bold[VIZ_FONT_COUNT] = {
    [VIZ_FONT_BOLD] = true, [VIZ_FONT_LARGE] = true, [VIZ_FONT_HUGE] = true,
};

/* Asks fontconfig for the file of `name` ("DejaVu Sans:bold"). */
static bool fc_find(const char *name, char *out, size_t cap)
{
    bool found = false;
    FcConfig *cfg = FcInitLoadConfigAndFonts();
    if (!cfg)
        return false;
    FcPattern *pat = FcNameParse((const FcChar8 *)name);
    if (pat) {
        FcConfigSubstitute(cfg, pat, FcMatchPattern);
        FcDefaultSubstitute(pat);
        FcResult res;
        FcPattern *match = FcFontMatch(cfg, pat, &res);
        FcChar8 *file = NULL;
        if (match && FcPatternGetString(match, FC_FILE, 0, &file) == FcResultMatch && file) {
            snprintf(out, cap, "%s", (const char *)file);
            found = true;
        }
        if (match)
            FcPatternDestroy(match);
        FcPatternDestroy(pat);
    }
    FcConfigDestroy(cfg);
    return found;
}

static bool readable(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return false;
    fclose(fp);
    return true;
}

static bool find_font(bool bold, char *out, size_t cap)
{
    const char *env = getenv(bold ? "FAULTLINE_FONT_BOLD" : "FAULTLINE_FONT");
    if (env && *env && readable(env)) {
        snprintf(out, cap, "%s", env);
        return true;
    }
    if (fc_find(bold ? "DejaVu Sans:bold" : "DejaVu Sans", out, cap) && readable(out))
        return true;
    /* fontconfig may be unconfigured in a bare container: the Debian path */
    const char *fallback = bold ? "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
                                : "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    if (readable(fallback)) {
        snprintf(out, cap, "%s", fallback);
        return true;
    }
    return false;
}

static void close_fonts(struct viz_text *t)
{
    for (int f = 0; f < VIZ_FONT_COUNT; f++) {
        if (t->font[f])
            TTF_CloseFont(t->font[f]);
        t->font[f] = NULL;
    }
}

static void clear_cache(struct viz_text *t)
{
    for (int i = 0; i < CACHE_CAP; i++) {
        struct entry *e = &t->tab[i];
        if (e->s) {
            free(e->s);
            if (e->tex)
                SDL_DestroyTexture(e->tex);
        }
        memset(e, 0, sizeof *e);
    }
    t->count = 0;
}

int viz_text_rescale(struct viz_text *t, float scale)
{
    close_fonts(t);
    clear_cache(t);
    if (scale < 0.5f)
        scale = 0.5f;
    for (int f = 0; f < VIZ_FONT_COUNT; f++) {
        int px = (int)(base_px[f] * scale + 0.5f);
        t->font[f] = TTF_OpenFont(is_bold[f] ? t->bold : t->regular, px < 6 ? 6 : px);
        if (!t->font[f]) {
            close_fonts(t);
            return SIM_EIO;
        }
        TTF_SetFontHinting(t->font[f], TTF_HINTING_LIGHT);
        t->height[f] = TTF_FontLineSkip(t->font[f]);
    }
    return SIM_OK;
}

int viz_text_open(struct viz_text **out, SDL_Renderer *r, float scale, char *err, size_t errcap)
{
    *out = NULL;
    if (!TTF_WasInit() && TTF_Init() != 0) {
        snprintf(err, errcap, "cannot start SDL2_ttf: %s", TTF_GetError());
        return SIM_EIO;
    }
    struct viz_text *t = calloc(1, sizeof *t);
    if (!t || !(t->tab = calloc(CACHE_CAP, sizeof *t->tab))) {
        free(t);
        snprintf(err, errcap, "out of memory opening fonts");
        return SIM_ENOMEM;
    }
    t->r = r;
    if (!find_font(false, t->regular, sizeof t->regular) ||
        !find_font(true, t->bold, sizeof t->bold)) {
        snprintf(err, errcap,
                 "no font found: install DejaVu Sans (Debian: apt-get install fonts-dejavu-core) "
                 "or set FAULTLINE_FONT and FAULTLINE_FONT_BOLD to .ttf files");
        viz_text_close(t);
        return SIM_EIO;
    }
    if (viz_text_rescale(t, scale)) {
        snprintf(err, errcap, "cannot open font %s: %s", t->regular, TTF_GetError());
        viz_text_close(t);
        return SIM_EIO;
    }
    *out = t;
    return SIM_OK;
}

void viz_text_close(struct viz_text *t)
{
    if (!t)
        return;
    if (t->tab) {
        clear_cache(t);
        free(t->tab);
    }
    close_fonts(t);
    free(t);
}

static uint64_t hash_of(int font, struct viz_rgba c, const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    h = (h ^ (uint64_t)font) * 1099511628211ULL;
    uint32_t rgba = (uint32_t)c.r << 24 | (uint32_t)c.g << 16 | (uint32_t)c.b << 8 | c.a;
    h = (h ^ rgba) * 1099511628211ULL;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h;
}

/* Drops entries unused for KEEP_FRAMES frames (or, when still too full, all
 * but this frame's), then re-inserts the survivors: probing stays simple
 * because the table never holds tombstones. */
static void evict(struct viz_text *t, bool hard)
{
    struct entry *old = t->tab;
    struct entry *fresh = calloc(CACHE_CAP, sizeof *fresh);
    if (!fresh) {
        clear_cache(t);
        return;
    }
    int count = 0;
    for (int i = 0; i < CACHE_CAP; i++) {
        struct entry *e = &old[i];
        if (!e->s)
            continue;
        bool keep = hard ? e->used == t->frame : e->used + KEEP_FRAMES > t->frame;
        if (!keep) {
            free(e->s);
            if (e->tex)
                SDL_DestroyTexture(e->tex);
            continue;
        }
        uint32_t slot = (uint32_t)e->hash & (CACHE_CAP - 1);
        while (fresh[slot].s)
            slot = (slot + 1) & (CACHE_CAP - 1);
        fresh[slot] = *e;
        count++;
    }
    free(old);
    t->tab = fresh;
    t->count = count;
}

static struct entry *lookup(struct viz_text *t, enum viz_font f, const char *s, struct viz_rgba c)
{
    uint64_t h = hash_of(f, c, s);
    uint32_t slot = (uint32_t)h & (CACHE_CAP - 1);
    while (t->tab[slot].s) {
        struct entry *e = &t->tab[slot];
        if (e->hash == h && e->font == f && e->c.r == c.r && e->c.g == c.g && e->c.b == c.b &&
            e->c.a == c.a && strcmp(e->s, s) == 0) {
            e->used = t->frame;
            return e;
        }
        slot = (slot + 1) & (CACHE_CAP - 1);
    }
    if (t->count >= CACHE_HIGH) {
        evict(t, false);
        if (t->count >= CACHE_HIGH)
            evict(t, true);
        slot = (uint32_t)h & (CACHE_CAP - 1);
        while (t->tab[slot].s)
            slot = (slot + 1) & (CACHE_CAP - 1);
    }
    SDL_Color col = {c.r, c.g, c.b, 255};
    SDL_Surface *surf = TTF_RenderUTF8_Blended(t->font[f], s, col);
    if (!surf)
        return NULL;
    SDL_Texture *tex = SDL_CreateTextureFromSurface(t->r, surf);
    int w = surf->w, hgt = surf->h;
    SDL_FreeSurface(surf);
    char *copy = strdup(s);
    if (!tex || !copy) {
        if (tex)
            SDL_DestroyTexture(tex);
        free(copy);
        return NULL;
    }
    SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_BLEND);
    if (c.a != 255)
        SDL_SetTextureAlphaMod(tex, c.a);
    struct entry *e = &t->tab[slot];
    *e = (struct entry){h, copy, (uint8_t)f, c, tex, w, hgt, t->frame};
    t->count++;
    return e;
}

int viz_text_draw(struct viz_text *t, enum viz_font f, const char *s, float x, float y,
                  struct viz_rgba c, int align)
{
    if (!s || !*s)
        return 0;
    struct entry *e = lookup(t, f, s, c);
    if (!e)
        return 0;
    float dx = x, dy = y;
    if ((align & 3) == VIZ_CENTER)
        dx -= (float)e->w / 2;
    else if ((align & 3) == VIZ_RIGHT)
        dx -= (float)e->w;
    if (align & VIZ_MIDDLE)
        dy -= (float)e->h / 2;
    else if (align & VIZ_BOTTOM)
        dy -= (float)e->h;
    SDL_Rect dst = {(int)(dx + 0.5f), (int)(dy + 0.5f), e->w, e->h};
    SDL_RenderCopy(t->r, e->tex, NULL, &dst);
    return e->w;
}

int viz_text_width(struct viz_text *t, enum viz_font f, const char *s)
{
    int w = 0, h = 0;
    if (!s || !*s || TTF_SizeUTF8(t->font[f], s, &w, &h) != 0)
        return 0;
    return w;
}

int viz_text_height(struct viz_text *t, enum viz_font f)
{
    return t->height[f];
}

/* Length of the longest prefix of s (ending on a UTF-8 boundary, at most
 * n bytes) that fits maxw pixels with `tail` appended. */
static size_t fit_len(struct viz_text *t, enum viz_font f, const char *s, size_t n, int maxw,
                      const char *tail)
{
    enum { MAXB = 1000 };
    size_t bounds[MAXB + 1];
    int nb = 0;
    if (n > MAXB)
        n = MAXB;
    for (size_t i = 0; i <= n; i++)
        if (i == n || ((unsigned char)s[i] & 0xC0) != 0x80)
            bounds[nb++] = i;
    char buf[MAXB + 16];
    int lo = 0, hi = nb - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        memcpy(buf, s, bounds[mid]);
        snprintf(buf + bounds[mid], sizeof buf - bounds[mid], "%s", tail);
        if (viz_text_width(t, f, buf) <= maxw)
            lo = mid;
        else
            hi = mid - 1;
    }
    return bounds[lo];
}

const char *viz_text_fit(struct viz_text *t, enum viz_font f, const char *s, int maxw, char *buf,
                         size_t cap)
{
    snprintf(buf, cap, "%s", s);
    if (viz_text_width(t, f, buf) <= maxw)
        return buf;
    size_t n = fit_len(t, f, s, strlen(s), maxw, "…");
    if (n + 4 > cap)
        n = cap - 4;
    memcpy(buf, s, n);
    snprintf(buf + n, cap - n, "…");
    return buf;
}

/* Lays out `s` in lines of at most maxw pixels; draws them when `draw`.
 * Returns the number of lines. */
static int wrap(struct viz_text *t, enum viz_font f, const char *s, float x, float y, int maxw,
                int max_lines, struct viz_rgba c, int align, bool draw)
{
    int lh = t->height[f];
    int lines = 0;
    const char *p = s;
    char line[1024];
    while (*p && lines < max_lines) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        size_t rest = strlen(p);
        const char *nl = strchr(p, '\n');
        size_t para = nl ? (size_t)(nl - p) : rest;
        size_t take = para;
        if (take >= sizeof line - 8)
            take = sizeof line - 9;
        memcpy(line, p, take);
        line[take] = '\0';
        bool last = lines + 1 == max_lines;
        if (viz_text_width(t, f, line) > maxw) {
            size_t fit = fit_len(t, f, p, take, maxw, last ? "…" : "");
            size_t cut = fit;
            if (!last) { /* break at the last space that fits */
                while (cut > 0 && p[cut] != ' ')
                    cut--;
                if (cut == 0)
                    cut = fit ? fit : 1;
            }
            take = cut;
            memcpy(line, p, take);
            line[take] = '\0';
            if (last)
                snprintf(line + take, sizeof line - take, "…");
        } else if (last && take < rest) {
            snprintf(line + take, sizeof line - take, "…");
        }
        if (draw)
            viz_text_draw(t, f, line, x, y + (float)(lines * lh), c, (align & 3) | VIZ_TOP);
        lines++;
        p += take;
        if (*p == '\n')
            p++;
    }
    return lines;
}

int viz_text_wrap(struct viz_text *t, enum viz_font f, const char *s, float x, float y, int maxw,
                  int max_lines, struct viz_rgba c, int align)
{
    return wrap(t, f, s, x, y, maxw, max_lines, c, align, true) * t->height[f];
}

int viz_text_wrap_lines(struct viz_text *t, enum viz_font f, const char *s, int maxw,
                        int max_lines)
{
    return wrap(t, f, s, 0, 0, maxw, max_lines, (struct viz_rgba){0, 0, 0, 0}, VIZ_LEFT, false);
}

int viz_text_break(struct viz_text *t, enum viz_font f, const char *s, int maxw,
                   char lines[][160], int max_lines, bool *more)
{
    int n = 0;
    const char *p = s;
    while (*p && n < max_lines) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *nl = strchr(p, '\n');
        size_t take = nl ? (size_t)(nl - p) : strlen(p);
        if (take > 159)
            take = 159;
        memcpy(lines[n], p, take);
        lines[n][take] = '\0';
        if (viz_text_width(t, f, lines[n]) > maxw) {
            size_t fit = fit_len(t, f, p, take, maxw, "");
            size_t cut = fit;
            while (cut > 0 && p[cut] != ' ')
                cut--;
            take = cut ? cut : fit ? fit : 1;
            while (take < strlen(p) && ((unsigned char)p[take] & 0xC0) == 0x80)
                take++; /* never split a UTF-8 sequence */
            memcpy(lines[n], p, take);
            lines[n][take] = '\0';
        }
        n++;
        p += take;
        if (*p == '\n')
            p++;
    }
    while (*p == ' ' || *p == '\n')
        p++;
    if (more)
        *more = *p != '\0';
    return n;
}

void viz_text_frame_end(struct viz_text *t)
{
    t->frame++;
    if (t->count > CACHE_HIGH / 2 && t->frame % 60 == 0)
        evict(t, false);
}
