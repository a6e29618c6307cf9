#!/usr/bin/env bash
# Indexing throughput: a synthetic chain of valid name operations (chaingen) is fed
# to blockstackd through the block-file source, so no Bitcoin node is in the
# measurement. Prints ops/s, blocks/s, peak RSS and database size, the CPU time of
# all the node's threads (the target is stated for one core), and the ratio of
# indexing time to the raw parse of the same blocks (bench/parse_bench --file).
#
# INDEX_BENCH_BLOCKS (default 25000) x INDEX_BENCH_OPS (default 40 per block) operations.
set -euo pipefail
cd "$(dirname "$0")/.."
blocks="${INDEX_BENCH_BLOCKS:-25000}"
per_block="${INDEX_BENCH_OPS:-40}"
bin=build/release
# shellcheck source=bench/synthetic_chain.sh
source bench/synthetic_chain.sh
synthetic_chain "$bin" "$blocks" "$per_block"
ops=$(grep -oE '"ops": [0-9]+' "$chain_json" | grep -oE '[0-9]+')
expect=$(grep -oE '"consensus_hash": "[0-9a-f]+"' "$chain_json" | grep -oE '[0-9a-f]{32}')
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
/usr/bin/time -f '%e %M %U %S' -o "$data/time" "$bin/apps/blockstackd" --network regtest --blocks-file "$chain" \
  --first-block 100 --data-dir "$data" --exit-at-tip --log-level info --api off 2> "$data/log"
read -r seconds rss_kb user_s sys_s < "$data/time"
got=$(grep -oE 'consensus hash [0-9a-f]{32}' "$data/log" | tail -1 | cut -d' ' -f3)
if [[ "$got" != "$expect" ]]; then echo "index_bench: consensus hash $got, expected $expect"; exit 1; fi
db_bytes=$(du -sb "$data" | cut -f1)
total_blocks=$((blocks + 4))
parse=$("$bin/bench/parse_bench" --file "$chain" | grep 'ours' | grep -oE '[0-9.]+ s$' | grep -oE '[0-9.]+')
awk -v ops="$ops" -v s="$seconds" -v b="$total_blocks" -v rss="$rss_kb" -v db="$db_bytes" -v p="$parse" \
    -v nb="$blocks" -v per="$per_block" -v user="$user_s" -v sys="$sys_s" 'BEGIN {
  cpu = user + sys
  printf "index_bench: %d operations in %d blocks\n", ops, b
  printf "  ours   index   %10.0f ops/s  %8.0f blocks/s  %.2f s  peak RSS %.0f MB  database %.0f MB\n", ops / s, b / s, s, rss / 1024, db / 1e6
  printf "  cpu    %.2f s user+sys over all threads: %.0f ops per CPU-second\n", cpu, ops / cpu
  printf "  floor  parse   %10.0f ops/s  %8.0f blocks/s  %.3f s\n", ops / p, b / p, p
  printf "  ratio  index time / parse time  %.1f\n", s / p
  printf "  rerun: INDEX_BENCH_BLOCKS=%d INDEX_BENCH_OPS=%d bench/index_bench.sh (or make bench)\n", nb, per
}'
