#!/bin/sh
# test.sh - Quick start, command 2: installs what is missing, builds with
# -Wall -Wextra -Werror, runs the whole test suite, then builds again with
# AddressSanitizer + UndefinedBehaviorSanitizer and runs it again.
set -eu
cd "$(dirname "$0")"
scripts/deps.sh
jobs="$(nproc)"

echo "== build (-Werror) and test"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFAULTLINE_WERROR=ON -DFAULTLINE_TESTS=ON >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure --no-tests=error -j"$jobs")

echo "== build with ASan + UBSan and test again"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFAULTLINE_WERROR=ON \
    -DFAULTLINE_SANITIZE=ON -DFAULTLINE_TESTS=ON >/dev/null
cmake --build build-asan -j"$jobs"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
(cd build-asan && ctest --output-on-failure --no-tests=error -j"$jobs")
echo "== all tests passed (plain and sanitized)"
