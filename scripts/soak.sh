#!/bin/sh
# soak.sh - the soak that would have caught the verdict bugs: every protocol
# that promises linearizability, under a nemesis with every fault kind, with
# register and key-value workloads (one scenario per cell in scripts/soak/),
# swept over many seeds on every core. Prints seeds/s and pass/fail counts
# per cell and the command that reproduces each failing seed; exits 1 when
# any seed of any cell fails. CI runs the same cells at 300 seeds
# (tests/test_soak.c).
#
#   scripts/soak.sh [--seeds N] [--jobs N] [--cells PATTERN,...] [--list]
#
#   --seeds N        seeds 1..N per cell (default 10000)
#   --jobs N         worker processes per sweep (default: every core)
#   --cells P1,P2    only the cells whose name contains one of the patterns
#                    (raft, kv, pb-sync-lease-register, ...)
#   --list           list the cells and what each soaks, and exit
#
# FAULTLINE=path uses that binary; otherwise ./build is built (as run.sh
# does) and build/faultline used. Exit status: 0 every seed passed, 1 some
# seed failed, 2 bad usage or a sweep that could not run.
set -eu
cd "$(dirname "$0")/.."

seeds=10000
jobs=""
cells=""
list=false
usage() {
    sed -n '/^#   scripts/,/^#   --list/p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}
while [ $# -gt 0 ]; do
    case "$1" in
    --seeds) [ $# -ge 2 ] || usage; seeds="$2"; shift 2 ;;
    --jobs) [ $# -ge 2 ] || usage; jobs="$2"; shift 2 ;;
    --cells) [ $# -ge 2 ] || usage; cells="$2"; shift 2 ;;
    --list) list=true; shift ;;
    -h | --help) usage ;;
    *) echo "soak.sh: unknown argument: $1" >&2; usage ;;
    esac
done
case "$seeds" in '' | *[!0-9]* | 0) echo "soak.sh: --seeds wants a positive number, not \"$seeds\"" >&2; exit 2 ;; esac
[ -n "$jobs" ] || jobs="$(nproc)"
case "$jobs" in '' | *[!0-9]* | 0) echo "soak.sh: --jobs wants a positive number, not \"$jobs\"" >&2; exit 2 ;; esac

# The cells picked: every scripts/soak/*.json whose name matches.
picked=""
for f in scripts/soak/*.json; do
    name="$(basename "$f" .json)"
    if [ -n "$cells" ]; then
        match=false
        for pat in $(echo "$cells" | tr ',' ' '); do
            case "$name" in *"$pat"*) match=true ;; esac
        done
        $match || continue
    fi
    picked="$picked $f"
done
if [ -z "$picked" ]; then
    echo "soak.sh: no cell matches \"$cells\" (--list shows them)" >&2
    exit 2
fi
if $list; then
    for f in $picked; do
        title="$(sed -n 's/^ *"title": *"\(.*\)",$/\1/p' "$f")"
        printf '%-26s %s\n' "$(basename "$f" .json)" "$title"
    done
    exit 0
fi

if [ -z "${FAULTLINE:-}" ]; then
    echo "== checking the Debian packages faultline needs" >&2
    scripts/deps.sh
    echo "== configuring and building faultline (build/)" >&2
    cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build build -j"$(nproc)" --target faultline >&2
    FAULTLINE=build/faultline
fi
if [ ! -x "$FAULTLINE" ]; then
    echo "soak.sh: $FAULTLINE is not an executable faultline" >&2
    exit 2
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT INT TERM
now() { date +%s%N; }

echo "soak: seeds 1..$seeds per cell, $jobs worker(s), $FAULTLINE"
status=0
summary=""
total_start="$(now)"
for f in $picked; do
    name="$(basename "$f" .json)"
    printf '%-26s ' "$name"
    start="$(now)"
    rc=0
    "$FAULTLINE" sweep "$f" --seeds "1..$seeds" --jobs "$jobs" >"$out/report" 2>"$out/progress" || rc=$?
    end="$(now)"
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
        echo "ERROR (sweep exit status $rc)"
        sed 's/^/    /' "$out/progress" "$out/report" | grep -v 'seeds (' | tail -n 20
        status=2
        summary="$summary
$(printf '%-26s %7s %9s %8s %8s %10s' "$name" "-" "-" "-" "-" "error")"
        continue
    fi
    # "  10000 seeds: 9998 passed · 2 failed[ · 1 undecided ...]"
    counts="$(sed -n 's/^ *\([0-9]*\) seeds\{0,1\}: \([0-9]*\) passed[^0-9]*\([0-9]*\) failed\(.*\)$/\1 \2 \3 \4/p' "$out/report" | head -n 1)"
    ran="$(echo "$counts" | cut -d' ' -f1)"
    passed="$(echo "$counts" | cut -d' ' -f2)"
    failed="$(echo "$counts" | cut -d' ' -f3)"
    undecided="$(echo "$counts" | sed -n 's/.* \([0-9]*\) undecided.*/\1/p')"
    [ -n "$undecided" ] || undecided=0
    rate="$(awk -v n="$ran" -v a="$start" -v b="$end" 'BEGIN { s = (b - a) / 1e9; printf "%.1f", (s > 0 ? n / s : 0) }')"
    secs="$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')"
    if [ "$failed" = 0 ]; then
        echo "ok     $ran seeds in ${secs}s ($rate seeds/s), $passed passed, 0 failed${undecided:+, $undecided undecided}" | sed 's/, 0 undecided//'
    else
        echo "FAILED $ran seeds in ${secs}s ($rate seeds/s), $passed passed, $failed failed"
        sed -n '/^failing seeds/,$p' "$out/report" | sed 's/^/    /'
        [ "$status" -ne 0 ] || status=1
    fi
    summary="$summary
$(printf '%-26s %7s %9s %8s %8s %10s' "$name" "$ran" "$rate" "$passed" "$failed" "$undecided")"
done
total="$(awk -v a="$total_start" -v b="$(now)" 'BEGIN { printf "%.0f", (b - a) / 1e9 }')"

echo
printf '%-26s %7s %9s %8s %8s %10s\n' "cell" "seeds" "seeds/s" "passed" "failed" "undecided"
echo "$summary" | sed '/^$/d'
case "$status" in
0) echo "soak: every seed of every cell passed (${total}s)" ;;
1) echo "soak: FAILED - the failing seeds are listed above with the command that reproduces each (${total}s)" ;;
*) echo "soak: a sweep could not run (${total}s)" ;;
esac
exit "$status"
