#!/bin/sh
# run.sh - Quick start, command 1: installs what is missing, builds, and runs
# the default lesson (primary-backup split brain). Extra arguments go to
# `faultline run`, e.g. ./run.sh scenarios/pb-heartbeat-split-brain.json --seed 3
set -eu
cd "$(dirname "$0")"
echo "== checking the Debian packages faultline needs" >&2
scripts/deps.sh
echo "== configuring (build/)" >&2
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
echo "== building faultline (the first build takes a few minutes on 2 cores)" >&2
# cmake's own lines ("[ 42%] Building C object ...") are the progress; only
# the faultline target is needed to run a lesson.
cmake --build build -j"$(nproc)" --target faultline >&2
echo "== running" >&2
exec build/faultline run "$@"
