/* model.h - what the viewer shows at one moment, rebuilt from trace lines
 * alone: which nodes are up, each node's last described state, the network
 * faults in force, counters for the stats panel, and the messages that may
 * be on screen. Applying lines in order is the only way it changes, so the
 * same lines always give the same picture. */
#ifndef FAULTLINE_VIZ_MODEL_H
#define FAULTLINE_VIZ_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "viz/store.h"

struct viz_nodeview {
    int32_t state_ev;       /* the node's last "state" line, or -1 */
    int32_t violation_ev;   /* the last violation blamed on it, or -1 */
    sim_time since;         /* when it last booted, crashed or recovered */
    int64_t drift_ppm;      /* clock rate: parts per million fast */
    sim_time offset;        /* clock offset from true time at offset_at */
    sim_time offset_at;
    sim_time slow;          /* gray failure: each event handled this late */
    uint8_t up, booted;
};

enum viz_block_kind { VIZ_BLOCK_PARTITION, VIZ_BLOCK_ISOLATE, VIZ_BLOCK_CUT, VIZ_BLOCK_FLAP };

/* A network fault in force; its line (ev) holds the groups or link ends. */
struct viz_blockview {
    int32_t id;
    int32_t ev;
    uint8_t kind;           /* enum viz_block_kind */
    uint8_t up;             /* a flapping link that is up again for now */
};

struct viz_counts {
    uint64_t sent, delivered, dropped, duplicated;
    uint64_t dropped_by[VIZ_DROP_OTHER + 1];
    uint64_t invoked, ok, fail, refused, info; /* fail: answered no; refused: not served */
    uint64_t violations, faults;
};

struct viz_model {
    int32_t k;              /* lines applied: events 0..k-1 */
    sim_time t;             /* the moment shown, >= time of event k-1 */
    int nnodes;
    struct viz_nodeview *nodes;
    struct viz_blockview *blocks;
    int nblocks, capblocks;
    struct viz_counts c;
    double loss, duplication;     /* network-wide rates set by faults */
    int32_t caption_ev;           /* the caption in force, or -1 */
    int32_t violation_ev;         /* the latest violation, or -1 */
    bool ended;
    int32_t *live;          /* messages that may be visible, by index, ascending */
    int32_t nlive, caplive;
};

/* Prepares an empty model (nothing applied, time 0) for `nnodes` nodes.
 * Returns 0 or SIM_ENOMEM. */
int viz_model_init(struct viz_model *m, int nnodes);
/* Frees the model's arrays; the struct is the caller's. */
void viz_model_free(struct viz_model *m);
/* Makes `dst` (initialised for the same node count) an exact copy of src.
 * Returns 0 or SIM_ENOMEM (dst is then unchanged in size, content undefined). */
int viz_model_copy(struct viz_model *dst, const struct viz_model *src);
/* Applies event m->k of the store and advances k (and t to at least the
 * event's time). Returns 0 or SIM_ENOMEM. */
int viz_model_apply(struct viz_model *m, const struct viz_store *s);
/* Forgets messages that can never be visible again from (k, t) on. */
void viz_model_prune(struct viz_model *m, const struct viz_store *s);

/* Where message `msg` is at (k, t). Returns false when it is not on screen.
 * Otherwise *progress is how far along its link it is (0 at the sender, 1 at
 * the receiver) and *fall is 0 while it flies, or in (0, 1) while a dropped
 * message falls away. */
bool viz_msg_at(const struct viz_store *s, const struct viz_msg *msg, int32_t k, sim_time t,
                double *progress, double *fall);
/* How long (simulated) a dropped message takes to fall away. */
sim_time viz_fall_time(const struct viz_msg *msg);

/* The clock a node shows at true time t (its drift and offset applied). */
sim_time viz_node_clock(const struct viz_nodeview *n, sim_time t);

#endif
