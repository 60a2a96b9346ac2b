/* source.h - what a file given to view, render or export is: a faultline
 * trace (its first line is the trace header) or a scenario. */
#ifndef FAULTLINE_VIZ_SOURCE_H
#define FAULTLINE_VIZ_SOURCE_H

#include <stddef.h>

enum viz_source_kind { VIZ_SOURCE_TRACE, VIZ_SOURCE_SCENARIO };

/* Looks at the start of `path`. Returns 0 and *kind; SIM_EIO with `err`
 * when it cannot be read. Anything that is not a trace is taken to be a
 * scenario (whose loader then says precisely what is wrong with it). */
int viz_source_kind(const char *path, enum viz_source_kind *kind, char *err, size_t errcap);

#endif
