#!/usr/bin/env bash
# The README's first command: installs what cadre needs, builds it, and runs the
# retail demo on the embedded SQLite default (writes ./retail_demo.db).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DCADRE_BUILD_TESTS=OFF -DCADRE_BUILD_BENCHMARKS=OFF
cmake --build build/release --target retail_demo -j"$(nproc)"
./build/release/examples/retail_demo "${1:-retail_demo.db}"
