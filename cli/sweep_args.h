/* sweep_args.h - option parsing shared by `faultline sweep` and `faultline
 * compare`: "--opt VALUE" and "--opt=VALUE", seed ranges ("1..100"), job
 * counts. Messages name the command and the option. */
#ifndef FAULTLINE_SWEEP_ARGS_H
#define FAULTLINE_SWEEP_ARGS_H

#include <stdbool.h>
#include <stdint.h>

/* True when `arg` is option `name`, alone or as "name=value". */
bool sweep_args_is(const char *arg, const char *name);

/* The value of option `name` at argv[*i] ("--opt VALUE" advances *i, or
 * "--opt=VALUE"). Returns it, or NULL after printing "faultline CMD: --opt
 * needs a value" to stderr. */
const char *sweep_args_value(int argc, char **argv, int *i, const char *name, const char *cmd);

/* Parses a seed range: "A..B" (inclusive, A <= B) or "N" (1..N). Returns
 * 0, or -1 after printing what was expected. */
int sweep_args_seeds(const char *s, uint64_t *first, uint64_t *last, const char *cmd);

/* Parses a positive count (jobs, runs) at most `max`. Returns 0, or -1
 * after printing what was expected for option `name`. */
int sweep_args_count(const char *s, int max, int *out, const char *name, const char *cmd);

#endif
