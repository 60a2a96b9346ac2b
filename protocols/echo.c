/* echo.c - the ping protocol: nodes ping peers and answer pongs. It exists
 * to exercise the engine (tests, benchmarks, the 100 000-node heartbeat
 * scenario), not to replicate anything: each node serves clients from its
 * own unreplicated register. It counts boots in stable storage, so tests can
 * see volatile state vanish at a crash while stable state stays. */
#include <string.h>

#include "sim/sim.h"

enum { MSG_PING, MSG_PONG };
enum { TIMER_PING };

struct echo_config {
    sim_time interval;  /* each node pings one peer this often (0: never) */
    int64_t window;     /* pings kept in flight per node (closed loop; 0: none) */
    bool ring;          /* ping the ring successor instead of a random peer */
};

struct echo_state {
    int64_t boots;      /* read from stable storage at each start */
    int64_t pings_sent, pongs_received, pings_answered;
    struct sim_sm *sm;
};

struct ping {
    int64_t seq;
};

static int echo_configure(struct sim_params *p, void *config)
{
    struct echo_config *c = config;
    int rc = sim_param_duration(p, "interval", 100 * SIM_MS, &c->interval);
    if (!rc)
        rc = sim_param_int(p, "window", 0, 0, 1000000, &c->window);
    if (!rc)
        rc = sim_param_bool(p, "ring", false, &c->ring);
    return rc;
}

static int peer(struct sim_node *n, const struct echo_config *c)
{
    int self = sim_self(n), count = sim_node_count(n);
    if (c->ring)
        return (self + 1) % count;
    int k = (int)sim_random_below(n, (uint64_t)count - 1);
    return k >= self ? k + 1 : k;
}

static void ping(struct sim_node *n, struct echo_state *st, const struct echo_config *c)
{
    struct ping msg = {++st->pings_sent};
    sim_send(n, peer(n, c), MSG_PING, &msg, sizeof msg);
}

static void echo_start(struct sim_node *n, void *state)
{
    struct echo_state *st = state;
    const struct echo_config *c = sim_config(n);
    st->boots = sim_store_get_i64(n, "boots", 0) + 1;
    sim_store_put_i64(n, "boots", st->boots);
    sim_store_sync(n);
    st->sm = sim_sm_create();
    if (sim_node_count(n) < 2)
        return;
    for (int64_t i = 0; i < c->window; i++)
        ping(n, st, c);
    if (c->interval > 0)
        sim_set_timer(n, sim_random_between(n, 0, c->interval), TIMER_PING, 0);
}

static void echo_crash(struct sim_node *n, void *state)
{
    (void)n;
    struct echo_state *st = state;
    sim_sm_destroy(st->sm);
    st->sm = NULL;
}

static void echo_message(struct sim_node *n, void *state, int from, int type, const void *body,
                         size_t len)
{
    struct echo_state *st = state;
    if (len != sizeof(struct ping))
        return;
    if (type == MSG_PING) {
        st->pings_answered++;
        sim_send(n, from, MSG_PONG, body, len);
    } else if (type == MSG_PONG) {
        st->pongs_received++;
        const struct echo_config *c = sim_config(n);
        if (c->window > 0)
            ping(n, st, c);
    }
}

static void echo_timer(struct sim_node *n, void *state, int kind, uint64_t arg)
{
    (void)kind;
    (void)arg;
    const struct echo_config *c = sim_config(n);
    ping(n, state, c);
    sim_set_timer(n, c->interval, TIMER_PING, 0);
}

static void echo_client_request(struct sim_node *n, void *state, const struct sim_op *op)
{
    struct echo_state *st = state;
    struct sim_result r;
    if (!st->sm || sim_sm_apply(st->sm, op, &r) != SIM_OK)
        r = (struct sim_result){.outcome = SIM_OUT_FAIL};
    sim_reply(n, op, &r);
}

static void echo_describe(const void *state, struct sim_describe *d)
{
    const struct echo_state *st = state;
    sim_describe_text(d, "boot %lld · pings %lld · pongs %lld", (long long)st->boots,
                      (long long)st->pings_sent, (long long)st->pongs_received);
}

static const char *echo_message_name(int type)
{
    return type == MSG_PING ? "Ping" : type == MSG_PONG ? "Pong" : "?";
}

static const char *echo_timer_name(int kind)
{
    return kind == TIMER_PING ? "ping" : "?";
}

static void echo_message_describe(int type, const void *body, size_t len, struct sim_describe *d)
{
    (void)type;
    struct ping p;
    if (len == sizeof p) {
        memcpy(&p, body, sizeof p);
        sim_describe_text(d, "seq %lld", (long long)p.seq);
    }
}

const struct sim_protocol echo_protocol = {
    .version = SIM_PROTOCOL_VERSION,
    .name = "echo",
    .summary = "ping/pong between nodes; exercises the engine (tests, benchmarks)",
    .config_size = sizeof(struct echo_config),
    .state_size = sizeof(struct echo_state),
    .configure = echo_configure,
    .start = echo_start,
    .crash = echo_crash,
    .message = echo_message,
    .timer = echo_timer,
    .client_request = echo_client_request,
    .describe = echo_describe,
    .message_name = echo_message_name,
    .timer_name = echo_timer_name,
    .message_describe = echo_message_describe,
};
