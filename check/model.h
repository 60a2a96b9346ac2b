/* model.h - the sequential specification a history is checked against, as
 * a plug-in vtable (SQLite's sqlite3_vfs is the pattern): version, name, the
 * sizes the checker allocates for the model, then hooks. A model describes
 * ONE object (one register, one key's value); the checker applies it to
 * each key separately, which is sound because linearizability is local
 * (Herlihy & Wing 1990, Theorem 1). A new model is one file plus one line in
 * model.c's table. Hooks are called only through the check_model_* wrappers. */
#ifndef FAULTLINE_CHECK_MODEL_H
#define FAULTLINE_CHECK_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check/buf.h"
#include "check/history.h"

#define CHECK_MODEL_VERSION 1

struct check_model {
    int version;            /* CHECK_MODEL_VERSION */
    const char *name;       /* "register", "kv": the --model name */
    const char *summary;    /* one line for --help */
    size_t state_size;      /* bytes of one state, a multiple of 8, kept inline by the checker */
    size_t context_size;    /* bytes of per-check scratch, allocated zeroed (0: none) */

    /* Returns 0 when op is one of the model's operations with values of the
     * right types, else CHECK_ERR_INPUT with what was expected in err (no
     * file or line; the wrapper adds them) and *in_completion set when the
     * fault is in the completion's value rather than the invoke's. Required. */
    int (*validate)(const struct check_history *h, const struct check_op *op,
                    bool *in_completion, char *err, size_t err_len);

    /* Prepares ctx for checking the n ops at indices ops[] of h (one key;
     * h and ops outlive ctx) and writes the initial state. Returns 0 or
     * CHECK_ERR_NOMEM (close is still called). Required. */
    int (*init)(void *ctx, const struct check_history *h, const uint32_t *ops, size_t n,
                void *state);

    /* Applies op to state, writing the next state into next (never the same
     * memory as state). Returns 1 when op, with the result it returned, is
     * legal in state; 0 when it is not; CHECK_ERR_NOMEM. An open (info) op
     * must always be legal: it takes effect if it can (a cas whose expected
     * value matches) and otherwise leaves the state as it was, so that
     * placing it last stands for "never took effect". Required. */
    int (*step)(void *ctx, const void *state, const struct check_op *op, void *next);

    /* True when a and b are the same state. NULL: compare state_size bytes. */
    bool (*equal)(const void *a, const void *b);

    /* Returns a hash of state, equal for equal states. NULL: hash the bytes. */
    uint64_t (*hash)(const void *state);

    /* Appends state as short text ("5", "\"a1;a2;\"", "null") to out.
     * Returns 0 or CHECK_ERR_NOMEM. Required. */
    int (*describe)(void *ctx, const void *state, struct check_buf *out);

    /* Marks in drop[i] the ops (indices ops[0..n) into h->ops, all of one
     * key, fail ops already removed) whose presence cannot change the
     * verdict, such as open reads or open writes of a value nobody ever
     * observes; the checker then leaves them out. NULL: drop nothing. */
    void (*prune)(const struct check_history *h, const uint32_t *ops, size_t n, bool *drop);

    /* Dead-end pruning. Writes into need the state op must meet to be legal
     * (*needs: asked only of ops with a known outcome), and into make the
     * state op leaves when it takes effect (*makes). The search then stops
     * as soon as an op still to place needs a state that is not the current
     * one and that no op still to place can make. Offer it only when every
     * op that changes the state leaves a state fixed in advance (true of the
     * register; not of kv's append). NULL: no such pruning. */
    void (*needs_makes)(const struct check_op *op, bool *needs, void *need, bool *makes,
                        void *make);

    /* Dead-end pruning, second form: true when op, a closed op still to
     * place, can never become legal from state, unless the op at history
     * index *unless (set it; CHECK_NEVER for none) is still to be placed
     * (the kv model: a get whose string does not extend the current value,
     * unless the one put it could restart from is still to come). The search
     * asks it of the ops concurrent with the next deadline. NULL: none. */
    bool (*doomed)(void *ctx, const void *state, const struct check_op *op, uint32_t *unless);

    /* True when op never changes the state, whatever the state (a read).
     * The search then linearizes such an op as soon as it is legal and
     * tries nothing else in its place. NULL: no op is taken as read-only. */
    bool (*read_only)(const struct check_op *op);

    /* Order constraints: points *pairs at 2 * *n_pairs history op indices
     * (a, b, a, b, ...) among init's ops such that a takes effect before b
     * in every linearization where each closed op takes effect legally; a
     * pair (a, a) says a can never take effect. The search then places b
     * only after a, and a pair that real time contradicts proves the
     * violation (check/order.h). It asks only when it does not find its
     * way quickly, so the pairs may take a pass over the ops to find. They
     * belong to ctx and live until close. Returns 0 or CHECK_ERR_NOMEM.
     * NULL: none. */
    int (*order)(void *ctx, const uint32_t **pairs, size_t *n_pairs);

    /* Frees what init allocated in ctx. NULL: nothing to free. */
    void (*close)(void *ctx);
};

/* The two models (immutable tables). */
extern const struct check_model check_model_register;
extern const struct check_model check_model_kv;

/* Returns the model called name, or NULL. Never fails otherwise. */
const struct check_model *check_model_find(const char *name);

/* Returns the i-th registered model (i from 0), or NULL past the last. */
const struct check_model *check_model_at(size_t i);

/* Picks the model for h from its operations: read/write/cas -> register,
 * get/put/append -> kv (an empty history -> register). Returns the model,
 * or NULL with "name:line: ..." in err when h mixes the two families or
 * has an operation neither knows. */
const struct check_model *check_model_for_history(const struct check_history *h,
                                                  char *err, size_t err_len);

/* The wrappers below are the only callers of the hooks; the defaults for
 * NULL hooks live in them. None allocates; pointers are borrowed. */

/* Returns 0, or validate's CHECK_ERR_INPUT with "name:line: expected ..."
 * in err (the completion's line when the fault is in its value). */
int check_model_validate(const struct check_model *m, const struct check_history *h,
                         const struct check_op *op, char *err, size_t err_len);

/* Zeroes state (state_size bytes) and runs init over ctx (context_size
 * bytes, zeroed by the caller). Returns 0 or CHECK_ERR_NOMEM; the caller
 * runs check_model_close either way. */
int check_model_init(const struct check_model *m, void *ctx, const struct check_history *h,
                     const uint32_t *ops, size_t n, void *state);

/* Returns step's 1 (legal, next written), 0 (illegal) or CHECK_ERR_NOMEM. */
int check_model_step(const struct check_model *m, void *ctx, const void *state,
                     const struct check_op *op, void *next);

/* Returns whether a and b are the same state (bytes compared if no hook). */
bool check_model_equal(const struct check_model *m, const void *a, const void *b);

/* Returns the state's hash (of its bytes if no hook). */
uint64_t check_model_hash(const struct check_model *m, const void *state);

/* Appends the state's text to out. Returns 0 or CHECK_ERR_NOMEM. */
int check_model_describe(const struct check_model *m, void *ctx, const void *state,
                         struct check_buf *out);

/* Marks droppable ops in drop[] (nothing without a hook). Cannot fail. */
void check_model_prune(const struct check_model *m, const struct check_history *h,
                       const uint32_t *ops, size_t n, bool *drop);

/* Fills the needs/makes of op; returns false (both flags false) when the
 * model has no needs_makes hook. need and make are state_size bytes. */
bool check_model_needs_makes(const struct check_model *m, const struct check_op *op, bool *needs,
                             void *need, bool *makes, void *make);

/* Returns whether op can never become legal from state (see doomed), with
 * *unless set; false without a hook. */
bool check_model_doomed(const struct check_model *m, void *ctx, const void *state,
                        const struct check_op *op, uint32_t *unless);

/* Returns whether op never changes any state; false without a hook. */
bool check_model_read_only(const struct check_model *m, const struct check_op *op);

/* Points *pairs at the model's order constraints and sets *n_pairs (see
 * order): none without a hook. Returns 0 or CHECK_ERR_NOMEM. */
int check_model_order(const struct check_model *m, void *ctx, const uint32_t **pairs,
                      size_t *n_pairs);

/* Frees what init allocated in ctx (nothing without a hook). */
void check_model_close(const struct check_model *m, void *ctx);

#endif
