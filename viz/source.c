/* source.c - tells a trace from a scenario by the first line: a trace's is
 * {"trace":"faultline", ...}. */
#include "viz/source.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/sim.h"
#include "viz/jscan.h"

int viz_source_kind(const char *path, enum viz_source_kind *kind, char *err, size_t errcap)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, errcap, "%s: cannot open: %s", path, strerror(errno));
        return SIM_EIO;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(err, errcap, "%s: is a directory (expected a scenario or a trace file)", path);
        return SIM_EIO;
    }
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(err, errcap, "%s: cannot open: %s", path, strerror(errno));
        return SIM_EIO;
    }
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    char *nl = memchr(buf, '\n', n);
    size_t len = nl ? (size_t)(nl - buf) : n;
    *kind = VIZ_SOURCE_SCENARIO;
    struct viz_jiter it;
    struct viz_jval k, v;
    if (!viz_json_object(&it, buf, len))
        return SIM_OK;
    while (viz_json_member(&it, &k, &v) == 1)
        if (viz_json_is(&k, "trace")) {
            *kind = VIZ_SOURCE_TRACE;
            break;
        }
    return SIM_OK;
}
