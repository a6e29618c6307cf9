#!/usr/bin/env bash
# Verifiable lookups (doc/proofs.md): bundle sizes and verification times, the
# name-state tree at a million names (bench/proofs_bench.cpp), and the cost of
# keeping the tree while indexing: blockstackd indexes the same synthetic chain
# (chaingen, through the block-file source) with the API on and --proofs false,
# then --proofs true, three times each in turn, in the same run; the ratio of the
# best times is the cost.
#
# PROOFS_BENCH_NAMES (default 1000000) names in the tree; PROOFS_BENCH_BLOCKS
# (default 25000) x PROOFS_BENCH_OPS (default 40 per block) operations indexed.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${BENCH_BIN:-build/release}"
names="${PROOFS_BENCH_NAMES:-1000000}"
blocks="${PROOFS_BENCH_BLOCKS:-25000}"
per_block="${PROOFS_BENCH_OPS:-40}"
"$bin/bench/proofs_bench" "$names"
# shellcheck source=bench/synthetic_chain.sh
source bench/synthetic_chain.sh
synthetic_chain "$bin" "$blocks" "$per_block"
ops=$(grep -oE '"ops": [0-9]+' "$chain_json" | grep -oE '[0-9]+')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
index() {  # $1: true/false; prints seconds
  rm -rf "$work/data"
  /usr/bin/time -f '%e %M' -o "$work/time" "$bin/apps/blockstackd" --network regtest --blocks-file "$chain" \
    --first-block 100 --data-dir "$work/data" --exit-at-tip --log-level warn --api 127.0.0.1:0 \
    --names-in-memory false --no-atlas --proofs "$1" 2> "$work/log-$1" || { cat "$work/log-$1"; exit 1; }
  cat "$work/time"
}
best() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b < a) ? b : a }'; }
without="" with=""
for run in 1 2 3; do
  read -r t rss_without < <(index false)
  without=$(best "$without" "$t")
  read -r t rss_with < <(index true)
  with=$(best "$with" "$t")
done
awk -v a="$without" -v b="$with" -v ops="$ops" -v ra="$rss_without" -v rb="$rss_with" -v nb="$blocks" -v per="$per_block" 'BEGIN {
  printf "  index   %d operations: without the tree %.2f s best of 3 (%.0f ops/s, peak RSS %.0f MB); with it %.2f s best of 3 (%.0f ops/s, peak RSS %.0f MB)\n", ops, a, ops / a, ra / 1024, b, ops / b, rb / 1024
  printf "  ratio   time with the tree / without  %.3f (the tree costs %.1f%% of indexing time; target under 10%%)\n", b / a, (b / a - 1) * 100
  printf "  rerun: PROOFS_BENCH_BLOCKS=%d PROOFS_BENCH_OPS=%d bench/proofs_bench.sh (or make bench)\n", nb, per
}'
