#!/usr/bin/env bash
# Snapshot and restore: chaingen builds a chain that imports SNAPSHOT_BENCH_NAMES
# names (default 1,000,000; one NAME_IMPORT each), the first SNAPSHOT_BENCH_ZONEFILES
# (default 100,000) with a zone file of about 4 KB, and blockstackd indexes it from
# the block file. Then `blockstackd snapshot` writes it and `blockstackd restore`
# rebuilds and checks it in a fresh directory against the final consensus hash.
# Prints the snapshot's size, the time to write it, the time to restore and verify
# it (target: under 60 s), and the ratio of the restore to indexing the same chain
# from scratch (the peer: what a new node does without a snapshot).
set -euo pipefail
cd "$(dirname "$0")/.."
names="${SNAPSHOT_BENCH_NAMES:-1000000}"
zonefiles="${SNAPSHOT_BENCH_ZONEFILES:-100000}"
bin=build/release
cache="${TMPDIR:-/tmp}/blockstack-bench-imports-${names}-${zonefiles}"
if [[ ! -s "$cache/chain.blk" ]]; then
  echo "snapshot_bench: generating $names imports and $zonefiles zone files in $cache (kept for later runs)"
  rm -rf "$cache" && mkdir -p "$cache.tmp"
  "$bin/test/tools/chaingen" --out "$cache.tmp/chain.blk" --blocks 0 --imports "$names" --imports-per-block 1000 \
    --zonefiles "$zonefiles" --zonefiles-db "$cache.tmp/zonefiles.db" > "$cache.tmp/chain.json"
  mv "$cache.tmp" "$cache"
fi
expect=$(grep -oE '"consensus_hash": "[0-9a-f]+"' "$cache/chain.json" | grep -oE '[0-9a-f]{32}')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Each timed step starts after the previous one's writes reached the disk (sync),
# so no step pays for another's writeback.
# The peer: indexing the chain from scratch (no Bitcoin node in the measurement).
sync
/usr/bin/time -f '%e %M' -o "$work/index.time" "$bin/apps/blockstackd" --network regtest --blocks-file "$cache/chain.blk" \
  --first-block 100 --data-dir "$work/source" --exit-at-tip --log-level warn --api off
# The store's index and its pack (a cache from before the pack holds only the
# index, which the node moves into a pack when it opens it).
cp "$cache/zonefiles.db" "$work/source/zonefiles.db"
if [[ -f "$cache/zonefiles.db.pack" ]]; then cp "$cache/zonefiles.db.pack" "$work/source/zonefiles.db.pack"; fi
sync
/usr/bin/time -f '%e %M' -o "$work/snapshot.time" "$bin/apps/blockstackd" snapshot --data-dir "$work/source" \
  --out "$work/node.bss" --log-level warn > "$work/snapshot.json"
got=$(grep -oE '"consensus_hash":"[0-9a-f]+"' "$work/snapshot.json" | grep -oE '[0-9a-f]{32}')
if [[ "$got" != "$expect" ]]; then echo "snapshot_bench: snapshot at $got, expected $expect"; exit 1; fi
rm -rf "$work/source"  # the disk holds the snapshot and the restored copy, not three databases
sync
/usr/bin/time -f '%e %M' -o "$work/restore.time" "$bin/apps/blockstackd" restore "$work/node.bss" \
  --trusted-consensus-hash "$expect" --network regtest --first-block 100 --data-dir "$work/restored" --log-level warn
restored=$("$bin/apps/blockstackd" query --data-dir "$work/restored" consensus | grep -oE '"consensus_hash": "[0-9a-f]+"' | grep -oE '[0-9a-f]{32}')
if [[ "$restored" != "$expect" ]]; then echo "snapshot_bench: restored to $restored, expected $expect"; exit 1; fi

read -r index_s index_kb < "$work/index.time"
read -r snap_s snap_kb < "$work/snapshot.time"
read -r restore_s restore_kb < "$work/restore.time"
snap_bytes=$(stat -c %s "$work/node.bss")
db_bytes=$(du -sb "$work/restored" | cut -f1)
ops=$(grep -oE '"ops":[0-9]+' "$work/snapshot.json" | grep -oE '[0-9]+')
zf=$(grep -oE '"zonefiles":[0-9]+' "$work/snapshot.json" | grep -oE '[0-9]+')
awk -v n="$names" -v zf="$zf" -v ops="$ops" -v sb="$snap_bytes" -v db="$db_bytes" -v is="$index_s" -v ik="$index_kb" \
    -v ss="$snap_s" -v sk="$snap_kb" -v rs="$restore_s" -v rk="$restore_kb" -v nz="$zonefiles" 'BEGIN {
  printf "snapshot_bench: %d names (%d operations), %d zone files\n", n, ops, zf
  printf "  snapshot file       %8.1f MB   (restored data directory %.1f MB)\n", sb / 1e6, db / 1e6
  printf "  ours   snapshot     %8.1f s    peak RSS %.0f MB\n", ss, sk / 1024
  printf "  ours   restore      %8.1f s    peak RSS %.0f MB   (rebuild, every consensus hash, every zone file)\n", rs, rk / 1024
  printf "  peer   index        %8.1f s    peak RSS %.0f MB   (the same chain from scratch, no zone files)\n", is, ik / 1024
  printf "  ratio  restore / index  %.2f    target: restore under 60 s (%s)\n", rs / is, rs < 60 ? "met" : "not met"
  printf "  rerun: SNAPSHOT_BENCH_NAMES=%d SNAPSHOT_BENCH_ZONEFILES=%d bench/snapshot_bench.sh (or make bench)\n", n, nz
}'
