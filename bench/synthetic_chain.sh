# Sourced by the benchmarks that index a synthetic chain: synthetic_chain BIN
# BLOCKS OPS_PER_BLOCK makes (once, kept in $TMPDIR for later runs) chaingen's
# chain of valid name operations and sets $chain (the block file) and $chain_json
# (chaingen's summary: operations, final consensus hash).
synthetic_chain() {
  chain="${TMPDIR:-/tmp}/blockstack-bench-chain-${2}x${3}.blk"
  chain_json="$chain.json"
  if [[ ! -s "$chain" ]]; then
    echo "generating $chain (kept for later runs)"
    "$1/test/tools/chaingen" --out "$chain.tmp" --blocks "$2" --ops-per-block "$3" > "$chain_json"
    mv "$chain.tmp" "$chain"
  fi
}
