#!/usr/bin/env bash
# Runs every benchmark from the release build. Each prints its figures, the peer's
# figures from the same run, and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
build/release/bench/parse_bench "${PARSE_BENCH_BLOCKS:-10000}"
bench/index_bench.sh
bench/index_pages.sh
bench/gaia_bench.sh
bench/api_bench.sh
bench/explorer_bench.sh
bench/atlas_bench.sh
bench/lookup_bench.sh
bench/dns_bench.sh
bench/snapshot_bench.sh
node bench/registrar_bench.mjs
build/release/bench/dht_bench "${DHT_BENCH_RECORDS:-1000}"
bench/proofs_bench.sh
node bench/catchup_bench.mjs "${CATCHUP_BENCH_BLOCKS:-1000}"
