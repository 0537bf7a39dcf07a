#!/usr/bin/env bash
# The README's second command, and what CI runs: installs what cadre needs, builds
# everything, runs every test, checks formatting, then builds and runs the whole
# suite once more under AddressSanitizer and UndefinedBehaviorSanitizer.
#
#   CADRE_SKIP_SANITIZERS=1 ./scripts/test.sh   # the quick loop while developing
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

./scripts/install-deps.sh

echo "== format check"
./scripts/check-format.sh

echo "== build and test (RelWithDebInfo)"
cmake -S . -B build/check -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCADRE_WERROR=ON
cmake --build build/check -j"$jobs"
ctest --test-dir build/check --output-on-failure -j"$jobs"

if [ "${CADRE_SKIP_SANITIZERS:-0}" != 1 ]; then
  echo "== build and test under AddressSanitizer + UndefinedBehaviorSanitizer"
  cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DCADRE_SANITIZE=address,undefined \
    -DCADRE_BUILD_BENCHMARKS=OFF -DCADRE_BUILD_EXAMPLES=OFF
  cmake --build build/asan -j"$jobs"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build/asan --output-on-failure -j"$jobs" -LE no_sanitizer
fi
