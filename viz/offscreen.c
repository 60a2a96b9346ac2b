/* offscreen.c - the software renderer on a memory surface (no display, no
 * video driver: CI renders the same pixels as a laptop) and atomic PNG
 * output through SDL2_image. */
#include "viz/offscreen.h"

#include <SDL_image.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/sim.h"

int viz_offscreen_open(struct viz_offscreen *o, int w, int h, char *err, size_t errcap)
{
    memset(o, 0, sizeof *o);
    o->surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!o->surf) {
        snprintf(err, errcap, "cannot make a %dx%d frame: %s", w, h, SDL_GetError());
        return SIM_ENOMEM;
    }
    o->r = SDL_CreateSoftwareRenderer(o->surf);
    if (!o->r) {
        snprintf(err, errcap, "cannot start the software renderer: %s", SDL_GetError());
        SDL_FreeSurface(o->surf);
        o->surf = NULL;
        return SIM_ENOMEM;
    }
    return SIM_OK;
}

void viz_offscreen_close(struct viz_offscreen *o)
{
    if (o->r)
        SDL_DestroyRenderer(o->r);
    if (o->surf)
        SDL_FreeSurface(o->surf);
    memset(o, 0, sizeof *o);
}

uint32_t viz_offscreen_pixel(const struct viz_offscreen *o, int x, int y)
{
    if (!o->surf || x < 0 || y < 0 || x >= o->surf->w || y >= o->surf->h)
        return 0;
    const uint8_t *row = (const uint8_t *)o->surf->pixels + (size_t)y * (size_t)o->surf->pitch;
    uint32_t p;
    memcpy(&p, row + (size_t)x * 4, 4);
    return p & 0xFFFFFF; /* ARGB8888: the low 24 bits are RGB */
}

int viz_png_write(SDL_Surface *surf, const char *path, char *err, size_t errcap)
{
    size_t n = strlen(path);
    char *tmp = malloc(n + 16);
    if (!tmp) {
        snprintf(err, errcap, "%s: out of memory", path);
        return SIM_EIO;
    }
    snprintf(tmp, n + 16, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errcap, "%s: cannot write: %s", path, strerror(errno));
        free(tmp);
        return SIM_EIO;
    }
    mode_t mask = umask(0);
    umask(mask);
    int rc = fchmod(fd, 0666 & ~mask);
    close(fd);
    if (rc == 0 && IMG_SavePNG(surf, tmp) != 0) {
        snprintf(err, errcap, "%s: cannot write the PNG: %s", path, IMG_GetError());
        rc = -1;
    } else if (rc != 0)
        snprintf(err, errcap, "%s: cannot write: %s", path, strerror(errno));
    if (rc == 0 && rename(tmp, path) != 0) {
        snprintf(err, errcap, "%s: cannot write: %s", path, strerror(errno));
        rc = -1;
    }
    if (rc != 0)
        unlink(tmp);
    free(tmp);
    return rc == 0 ? SIM_OK : SIM_EIO;
}
