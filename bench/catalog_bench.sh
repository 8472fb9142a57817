#!/usr/bin/env bash
# Catalog benchmark: fill a catalog with MODELS x VERSIONS versions (1000 x 100 by default,
# each with the real metrics, curves, recipe and model of a 5-fold run on
# assets/breast_cancer.csv), then time the listings the Catalog view and the command line
# use, and one registration through the normal API. Prints medians and 90th percentiles
# over REPS runs as a Markdown table; nothing is asserted. Targets: first page of versions
# filtered by stage < 50 ms, registering one version < 20 ms.
#
# Environment (all optional):
#   BENCH_DIR  where the catalog file is written (/tmp/modeldesk-bench; ~6.6 GB at 100,000)
#   MODELS     registered models                  (1000)
#   VERSIONS   versions per model                 (100)
#   REPS       runs per timed operation           (15)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
cd "$ROOT"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -sr)"
cargo run --quiet --release --example catalog_bench
