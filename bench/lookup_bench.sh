#!/usr/bin/env bash
# Lookups against plain HTTP: LOOKUP_BENCH_COUNT (default 10,000) warm lookups, each
# name -> record (blockstackd) -> zone file (hash checked) -> profile (gaia-hub,
# signature checked against the owner), by the client library's resolver
# (bench/lookup_bench), against plain GETs of the same profile files from Debian's
# nginx with the same HTTP client. Also times the blockstack CLI's own `lookup`
# (one process per lookup). Prints p50/p99 and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/nginx.sh
count="${LOOKUP_BENCH_COUNT:-10000}"
work=$(mktemp -d)
nginx_pid="" setup_pid=""
cleanup() {
  [[ -n "$nginx_pid" ]] && kill "$nginx_pid" 2>/dev/null || true
  exec 3>&- 2>/dev/null || true
  [[ -n "$setup_pid" ]] && wait "$setup_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "lookup_bench: registering ${LOOKUP_BENCH_NAMES:-10} names with profiles on bcoin regtest, blockstackd and gaia-hub"
mkfifo "$work/in"
node bench/lookup_setup.mjs "$work" < "$work/in" &
setup_pid=$!
exec 3> "$work/in"
for _ in $(seq 3000); do
  [[ -f "$work/ready" ]] && break
  if ! kill -0 "$setup_pid" 2>/dev/null; then echo "lookup_bench: setup failed"; exit 1; fi
  sleep 0.1
done
[[ -f "$work/ready" ]] || { echo "lookup_bench: setup timed out"; exit 1; }
node_url=$(cat "$work/node_url")

port=$(free_port)
start_nginx "$work" "$port" "    root $(cat "$work/gaia_root");
    default_type application/json;"
awk -v p="$port" '{print $1, "http://127.0.0.1:" p "/" $2}' "$work/targets" > "$work/lines"
for _ in $(seq 100); do curl -sf "$(awk 'NR==1 {print $2}' "$work/lines")" >/dev/null && break; sleep 0.05; done

build/release/bench/lookup_bench "$node_url" "$count" < "$work/lines" > "$work/out"
cli_ms=$(python3 - "$node_url" "$(awk 'NR==1 {print $1}' "$work/lines")" <<'PY'
import subprocess, sys, time
times = []
for _ in range(200):
    t = time.perf_counter()
    subprocess.run(["build/release/apps/blockstack", "--node", sys.argv[1], "lookup", sys.argv[2]], check=True,
                   stdout=subprocess.DEVNULL)
    times.append((time.perf_counter() - t) * 1000)
times.sort()
print(f"{times[len(times)//2]:.2f} {times[int(len(times)*0.99)]:.2f}")
PY
)
python3 - "$count" "$cli_ms" "$work/out" <<'PY'
import sys
rows = {l.split()[0]: l.split() for l in open(sys.argv[3])}
count = sys.argv[1]
cli_p50, cli_p99 = sys.argv[2].split()
l, n = rows["lookups"], rows["nginx"]
print(f"{'':26} {'p50 ms':>9} {'p99 ms':>9}")
print(f"{'lookup (resolver)':26} {l[3]:>9} {l[5]:>9}")
print(f"{'GET profile from nginx':26} {n[3]:>9} {n[5]:>9}")
print(f"{'blockstack lookup (CLI)':26} {cli_p50:>9} {cli_p99:>9}")
print(f"ratio lookup/nginx: p50 {float(l[3])/float(n[3]):.1f}x, p99 {float(l[5])/float(n[5]):.1f}x "
      f"(a lookup is 3 requests plus hash and signature checks; one GET is 1 request)")
print(f"{count} lookups and {count} GETs, warm, keep-alive. CLI: 200 runs, one process each. "
      f"Rerun: bench/lookup_bench.sh (LOOKUP_BENCH_COUNT, LOOKUP_BENCH_NAMES)")
PY
