#!/bin/sh
# run.sh - Quick start, command 1: installs what is missing, builds, and runs
# the default lesson (primary-backup split brain). Extra arguments go to
# `faultline run`, e.g. ./run.sh scenarios/pb-heartbeat-split-brain.json --seed 3
set -eu
cd "$(dirname "$0")"
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
exec build/faultline run "$@"
