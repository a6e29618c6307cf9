#!/usr/bin/env bash
# Atlas sync against a raw copy: a fresh node fetches ATLAS_BENCH_FILES zone files
# (default 100,000, about 4 KB each) from three peers over loopback
# (bench/atlas_bench: the node's own Atlas code and HTTP server), then curl fetches
# the same bytes, back to back in one file, from Debian's nginx on loopback: the
# raw-copy limit. Prints seconds, MB/s and the ratio (target >= 0.5).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/nginx.sh
files="${ATLAS_BENCH_FILES:-100000}"
bin=build/release/bench/atlas_bench
work=$(mktemp -d)
nginx_pid=""
cleanup() {
  [[ -n "$nginx_pid" ]] && kill "$nginx_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "atlas_bench: $files zone files, three peers, one fresh node"
"$bin" "$work" "$files" > "$work/sync.out"
read -r _ secs bytes count cpu < <(grep '^sync' "$work/sync.out")

port=$(free_port)
start_nginx "$work" "$port" "    root $work;"
for _ in $(seq 100); do curl -sfI "http://127.0.0.1:$port/raw.bin" >/dev/null && break; sleep 0.05; done
raw_secs=$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$port/raw.bin")

python3 - "$secs" "$bytes" "$count" "$raw_secs" "$cpu" <<'PY'
import sys
secs, size, count, raw, cpu = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
mb = size / 1e6
print(f"{'':10} {'seconds':>9} {'MB/s':>9}")
print(f"{'atlas':10} {secs:9.2f} {mb / secs:9.1f}   ({count} zone files, {mb:.0f} MB, from 3 peers)")
print(f"{'curl raw':10} {raw:9.2f} {mb / raw:9.1f}   (the same bytes as one file from nginx)")
print(f"atlas CPU: {cpu:.2f} s for peers and node together, {cpu / count * 1e6:.0f} us per zone file")
print(f"ratio atlas/raw-copy: {raw / secs:.2f} (target >= 0.5)")
PY
echo "Rerun: bench/atlas_bench.sh (ATLAS_BENCH_FILES=N)"
