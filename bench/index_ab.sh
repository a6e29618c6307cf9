#!/usr/bin/env bash
# Alternating runs of two (or more) blockstackd binaries on the same bench chain:
# on a machine whose speed drifts between runs, taking the binaries in turn gives
# a fairer comparison than a block of runs of each. Prints min / median / max wall
# time per binary. The chain is the 2,500-block one unless INDEX_AB_CHAIN is set
# (make it with INDEX_BENCH_BLOCKS=2500 INDEX_BENCH_OPS=40 bench/index_bench.sh).
#
# usage: bench/index_ab.sh ROUNDS BINARY BINARY...
set -euo pipefail
if [[ $# -lt 3 ]]; then
  echo "usage: $0 ROUNDS BINARY BINARY..." >&2
  exit 2
fi
rounds=$1
shift
chain="${INDEX_AB_CHAIN:-${TMPDIR:-/tmp}/blockstack-bench-chain-2500x40.blk}"
if [[ ! -s "$chain" ]]; then
  echo "index_ab: no chain at $chain" >&2
  exit 2
fi
declare -A times
for _ in $(seq "$rounds"); do
  for bin in "$@"; do
    data=$(mktemp -d)
    /usr/bin/time -f '%e' -o "$data/time" "$bin" --network regtest --blocks-file "$chain" --first-block 100 \
      --data-dir "$data" --exit-at-tip --log-level warn --api off 2> /dev/null
    times[$bin]+="$(cat "$data/time") "
    rm -rf "$data"
  done
done
for bin in "$@"; do
  echo "$bin: $(tr ' ' '\n' <<< "${times[$bin]}" | grep . | sort -n | awk '{ a[NR] = $1 }
    END { printf "min %.2f s, median %.2f s, max %.2f s over %d runs", a[1], a[int((NR + 1) / 2)], a[NR], NR }')"
  echo "  runs: ${times[$bin]}"
done
