/* order.c - order constraints for the search: real-time contradictions,
 * cycles (Tarjan's strongly connected components over the pairs and a
 * chain of history positions that stands for real time), and the counts
 * the search keeps while it places and takes back ops. */
#include "check/order.h"
#include "check/error.h"

#include <stdlib.h>
#include <string.h>

#define UNSEEN UINT32_MAX

/* The graph whose cycles are wanted: nodes 0..n-1 are ops, n + r is
 * history position r (of 2n). Real time: position r -> r + 1, the call of
 * op k -> k, k -> its return. So a path from a to b exists through
 * positions exactly when a returns before b is invoked. */
struct graph {
    size_t nodes;
    uint32_t *start;  /* edges of node v: to[start[v] .. start[v + 1]) */
    uint32_t *to;
};

/* Adds edge from -> to: on the first pass only counts it. */
static void add_edge(struct graph *g, uint32_t *cursor, int pass, size_t from, size_t to)
{
    if (pass == 0)
        cursor[from + 1]++;
    else
        g->to[cursor[from]++] = (uint32_t)to;
}

static int graph_build(struct graph *g, size_t n, const uint32_t *pairs, const bool *kept,
                       size_t n_pairs, const uint32_t *call_rank, const uint32_t *return_rank)
{
    g->nodes = 3 * n;
    g->start = calloc(g->nodes + 1, sizeof *g->start);
    size_t edges = 4 * n + n_pairs;
    g->to = malloc((edges ? edges : 1) * sizeof *g->to);
    uint32_t *fill = malloc((g->nodes + 1) * sizeof *fill);
    if (g->start == NULL || g->to == NULL || fill == NULL) {
        free(fill);
        return CHECK_ERR_NOMEM;
    }
    /* The same walk twice: count the edges of each node, then place them. */
    for (int pass = 0; pass < 2; pass++) {
        uint32_t *cursor = pass == 0 ? g->start : fill;
        for (size_t r = 0; r + 1 < 2 * n; r++)
            add_edge(g, cursor, pass, n + r, n + r + 1);
        for (size_t k = 0; k < n; k++) {
            add_edge(g, cursor, pass, n + call_rank[k], k);
            if (return_rank[k] != CHECK_ORDER_OPEN)
                add_edge(g, cursor, pass, k, n + return_rank[k]);
        }
        for (size_t i = 0; i < n_pairs; i++)
            if (kept[i])
                add_edge(g, cursor, pass, pairs[2 * i], pairs[2 * i + 1]);
        if (pass == 0) {
            for (size_t v = 0; v < g->nodes; v++)
                g->start[v + 1] += g->start[v];
            memcpy(fill, g->start, (g->nodes + 1) * sizeof *fill);
        }
    }
    free(fill);
    return 0;
}

/* Tarjan's algorithm, without recursion: writes each node's component
 * into comp[] and the size of each component into size[]. */
static int components(const struct graph *g, uint32_t *comp, uint32_t *size)
{
    size_t nodes = g->nodes;
    uint32_t *index = malloc((nodes ? nodes : 1) * sizeof *index);
    uint32_t *low = malloc((nodes ? nodes : 1) * sizeof *low);
    uint32_t *edge = malloc((nodes ? nodes : 1) * sizeof *edge);   /* next edge to follow */
    uint32_t *stack = malloc((nodes ? nodes : 1) * sizeof *stack); /* Tarjan's stack */
    uint32_t *calls = malloc((nodes ? nodes : 1) * sizeof *calls); /* the depth-first path */
    bool *on_stack = calloc(nodes ? nodes : 1, sizeof *on_stack);
    int rc = index && low && edge && stack && calls && on_stack ? 0 : CHECK_ERR_NOMEM;
    uint32_t counter = 0, n_comps = 0;
    size_t top = 0, depth = 0;
    for (size_t v = 0; v < nodes && rc == 0; v++)
        index[v] = UNSEEN;
    for (size_t root = 0; root < nodes && rc == 0; root++) {
        if (index[root] != UNSEEN)
            continue;
        calls[depth++] = (uint32_t)root;
        index[root] = low[root] = counter++;
        edge[root] = g->start[root];
        stack[top++] = (uint32_t)root;
        on_stack[root] = true;
        while (depth > 0) {
            uint32_t v = calls[depth - 1];
            if (edge[v] < g->start[v + 1]) {
                uint32_t w = g->to[edge[v]++];
                if (index[w] == UNSEEN) {
                    index[w] = low[w] = counter++;
                    edge[w] = g->start[w];
                    stack[top++] = w;
                    on_stack[w] = true;
                    calls[depth++] = w;
                } else if (on_stack[w] && index[w] < low[v]) {
                    low[v] = index[w];
                }
                continue;
            }
            if (low[v] == index[v]) {
                uint32_t w;
                size[n_comps] = 0;
                do {
                    w = stack[--top];
                    on_stack[w] = false;
                    comp[w] = n_comps;
                    size[n_comps]++;
                } while (w != v);
                n_comps++;
            }
            depth--;
            if (depth > 0 && low[v] < low[calls[depth - 1]])
                low[calls[depth - 1]] = low[v];
        }
    }
    free(index);
    free(low);
    free(edge);
    free(stack);
    free(calls);
    free(on_stack);
    return rc;
}

/* Leaves out the pairs that lie on a cycle. */
static int drop_cycles(struct check_order *o, const uint32_t *pairs, bool *kept, size_t n_pairs,
                       const uint32_t *call_rank, const uint32_t *return_rank)
{
    struct graph g = {0};
    size_t nodes = 3 * o->n;
    uint32_t *comp = malloc((nodes ? nodes : 1) * sizeof *comp);
    uint32_t *size = malloc((nodes ? nodes : 1) * sizeof *size);
    int rc = comp && size ? 0 : CHECK_ERR_NOMEM;
    if (rc == 0)
        rc = graph_build(&g, o->n, pairs, kept, n_pairs, call_rank, return_rank);
    if (rc == 0)
        rc = components(&g, comp, size);
    for (size_t i = 0; i < n_pairs && rc == 0; i++) {
        uint32_t a = pairs[2 * i], b = pairs[2 * i + 1];
        if (kept[i] && comp[a] == comp[b] && size[comp[a]] > 1) {
            kept[i] = false;
            o->refuted = true;
        }
    }
    free(g.start);
    free(g.to);
    free(comp);
    free(size);
    return rc;
}

int check_order_init(struct check_order *o, size_t n, const uint32_t *pairs, size_t n_pairs,
                     const uint32_t *call_rank, const uint32_t *return_rank)
{
    memset(o, 0, sizeof *o);
    o->n = n;
    o->waiting = calloc(n ? n : 1, sizeof *o->waiting);
    o->after_start = calloc(n + 1, sizeof *o->after_start);
    o->never = calloc(n ? n : 1, sizeof *o->never);
    bool *kept = calloc(n_pairs ? n_pairs : 1, sizeof *kept);
    int rc = o->waiting && o->after_start && o->never && kept ? 0 : CHECK_ERR_NOMEM;
    size_t n_kept = 0;
    for (size_t i = 0; i < n_pairs && rc == 0; i++) {
        uint32_t a = pairs[2 * i], b = pairs[2 * i + 1];
        bool b_returns = return_rank[b] != CHECK_ORDER_OPEN;
        if (a == b) {
            /* a can never take effect: a violation if a must (it returned). */
            if (return_rank[a] != CHECK_ORDER_OPEN)
                o->refuted = o->never[a] = true;
            continue;
        }
        if (b_returns && return_rank[b] < call_rank[a]) {
            /* a must come before an op that returned before a was invoked. */
            o->refuted = true;
            continue;
        }
        kept[i] = true;
        n_kept++;
    }
    if (rc == 0 && n_kept > 0)
        rc = drop_cycles(o, pairs, kept, n_pairs, call_rank, return_rank);
    if (rc == 0) {
        n_kept = 0;
        for (size_t i = 0; i < n_pairs; i++)
            if (kept[i]) {
                o->after_start[pairs[2 * i] + 1]++;
                n_kept++;
            }
        for (size_t k = 0; k < n; k++)
            o->after_start[k + 1] += o->after_start[k];
        o->after = malloc((n_kept ? n_kept : 1) * sizeof *o->after);
        if (o->after == NULL)
            rc = CHECK_ERR_NOMEM;
    }
    if (rc == 0) {
        uint32_t *fill = o->waiting; /* borrowed as the fill cursor, then zeroed */
        memcpy(fill, o->after_start, n * sizeof *fill);
        for (size_t i = 0; i < n_pairs; i++)
            if (kept[i])
                o->after[fill[pairs[2 * i]]++] = pairs[2 * i + 1];
        memset(o->waiting, 0, n * sizeof *o->waiting);
        for (size_t i = 0; i < n_pairs; i++)
            if (kept[i])
                o->waiting[pairs[2 * i + 1]]++;
    }
    free(kept);
    return rc;
}

void check_order_close(struct check_order *o)
{
    free(o->waiting);
    free(o->after_start);
    free(o->after);
    free(o->never);
    memset(o, 0, sizeof *o);
}
