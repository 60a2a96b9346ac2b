#!/usr/bin/env python3
"""generate.py - writes the kv histories of this directory in Porcupine's
EDN form (one op event per line, string keys, "" for a key never written).

Each history comes from a real linearizable execution: every client runs
its ops one after another, each op takes effect at one instant chosen
inside its [invoke, complete] interval, and a sequential key-value store
applied in that order gives every get its result. So the "-ok" files are
linearizable by construction. Each "-bad" file is an "-ok" one with one get
changed so that no order can explain it (the changes and why are below).

The output is committed; the tests read the files and never run this.
Run from anywhere: python3 tests/data/histories/porcupine-kv/generate.py
Seeded, so the output is the same on every run.
"""

import os
import random
import sys


class Op:
    def __init__(self, index, process, f, key, value, invoke, complete, point):
        self.index = index          # generation order, breaks ties
        self.process = process
        self.f = f                  # "get", "put" or "append"
        self.key = key              # a string, as Porcupine's keys are
        self.value = value          # put/append: the token; get: the result
        self.invoke = invoke        # real time of the invoke event
        self.complete = complete    # real time of the ok event
        self.point = point          # the instant it takes effect
        self.before = ""            # put: the key's value just before it
        self.prev_put = None        # put: the put that value started from


def simulate(seed, clients, keys, total_ops, get_share=0.45, put_share=0.06):
    """Ops of `clients` clients on `keys` keys with results filled in."""
    rng = random.Random(seed)
    ops = []
    counters = [0] * clients
    for c in range(clients):
        clock = rng.uniform(0.0, 1.0)
        mine = total_ops // clients + (1 if c < total_ops % clients else 0)
        for _ in range(mine):
            invoke = clock + rng.uniform(0.0, 0.3)
            complete = invoke + rng.uniform(0.05, 2.0)
            point = rng.uniform(invoke, complete)
            clock = complete
            key = str(rng.randrange(keys))
            roll = rng.random()
            if roll < get_share:
                f, value = "get", None
            else:
                f = "put" if roll < get_share + put_share else "append"
                value = "x %d %d y" % (c, counters[c])
                counters[c] += 1
            ops.append(Op(len(ops), c, f, key, value, invoke, complete, point))
    state = {}        # key -> value; a key never written reads as ""
    last_put = {}     # key -> the put the value starts from, if any
    for op in sorted(ops, key=lambda o: (o.point, o.index)):
        if op.f == "get":
            op.value = state.get(op.key, "")
        elif op.f == "put":
            op.before = state.get(op.key, "")
            op.prev_put = last_put.get(op.key)
            state[op.key] = op.value
            last_put[op.key] = op
        else:
            state[op.key] = state.get(op.key, "") + op.value
    return ops


def miss_an_append(ops, rng):
    """A get misses an append acknowledged before it began, with no put on
    the key that could come between them: the append precedes the get in
    every order, tokens are unique and appends only add, so no order
    explains the get."""
    puts = [p for p in ops if p.f == "put"]
    candidates = []
    for g in ops:
        if g.f != "get":
            continue
        for a in ops:
            if (a.f != "append" or a.key != g.key or a.complete >= g.invoke
                    or a.value not in g.value):
                continue
            if any(p.key == g.key and p.complete > a.invoke and p.invoke < g.complete
                   for p in puts):
                continue
            candidates.append((g, a))
    g, a = candidates[rng.randrange(len(candidates))]
    g.value = g.value.replace(a.value, "", 1)
    return "a get of process %d on key %s misses %r" % (g.process, g.key, a.value)


def stale_get_after_a_put(ops, rng):
    """A get returns the value its key held just before a put that was
    acknowledged before the get began. That old value starts with an
    append's token (or is ""), or with a put that completed before this put
    began, so no put linearized after this one can give it back."""
    candidates = []
    for p in ops:
        if p.f != "put" or (p.prev_put is not None and p.prev_put.complete >= p.invoke):
            continue
        for g in ops:
            if (g.f == "get" and g.key == p.key and p.complete < g.invoke
                    and g.value != p.before):
                candidates.append((g, p))
    g, p = candidates[rng.randrange(len(candidates))]
    g.value = p.before
    return "a get of process %d on key %s returns %r, the value before put %r" % (
        g.process, g.key, g.value, p.value)


def edn_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(ops):
    events = []
    for op in ops:
        events.append((op.invoke, 0, op.index, op))
        events.append((op.complete, 1, op.index, op))
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    lines = []
    for _, done, _, op in events:
        if done:
            value = edn_string(op.value)
        else:
            value = "nil" if op.f == "get" else edn_string(op.value)
        lines.append("{:process %d, :type :%s, :f :%s, :key %s, :value %s}"
                     % (op.process, "ok" if done else "invoke", op.f, edn_string(op.key), value))
    return "\n".join(lines) + "\n"


# name, seed, clients, keys, ops, mutation (None: linearizable)
HISTORIES = [
    ("c01-ok", 101, 1, 5, 500, None),
    ("c01-bad", 101, 1, 5, 500, miss_an_append),
    ("c10-ok", 1001, 10, 10, 2000, None),
    ("c10-bad-missed-append", 1001, 10, 10, 2000, miss_an_append),
    ("c10-bad-stale-get", 1001, 10, 10, 2000, stale_get_after_a_put),
    ("c50-ok", 5001, 50, 5, 1000, None),
    ("c50-bad-missed-append", 5001, 50, 5, 1000, miss_an_append),
    ("c50-bad-stale-get", 5001, 50, 5, 1000, stale_get_after_a_put),
]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    only = set(sys.argv[1:])
    for name, seed, clients, keys, total, mutate in HISTORIES:
        if only and name not in only:
            continue
        ops = simulate(seed, clients, keys, total)
        note = mutate(ops, random.Random(seed + 1)) if mutate else "linearizable"
        with open(os.path.join(here, name + ".edn"), "w") as f:
            f.write(render(ops))
        print("%s: %d clients, %d keys, %d ops: %s" % (name, clients, keys, total, note))


if __name__ == "__main__":
    main()
