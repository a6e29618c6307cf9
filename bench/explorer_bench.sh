#!/usr/bin/env bash
# The explorer's name page at EXPLORER_BENCH_NAMES names (default 1,000,000):
# rendered by the explorer blockstackd serves (bench/explorer_bench: the API and the
# explorer in one process, as the node mounts them), against Debian's nginx serving
# the same pages as static files (the floor for an answer of that size). wrk asks
# both for random names among the first EXPLORER_BENCH_PAGES, first with one
# connection (the latency a reader sees; target p99 under 100 ms), then with 64.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/nginx.sh
names="${EXPLORER_BENCH_NAMES:-1000000}"
pages="${EXPLORER_BENCH_PAGES:-10000}"
secs="${EXPLORER_BENCH_SECONDS:-10}"
bin="${EXPLORER_BENCH_BIN:-build/release/bench/explorer_bench}"
work=$(mktemp -d)
ex_pid="" nginx_pid=""
cleanup() {
  [[ -n "$ex_pid" ]] && kill "$ex_pid" 2>/dev/null || true
  [[ -n "$nginx_pid" ]] && kill "$nginx_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "explorer_bench: loading $names names and writing $pages static pages (takes a while)"
start_until_ready "$work" ex "$bin" "$work" "$names" "$pages"
nginx_port=$(free_port)
start_nginx "$work" "$nginx_port" "    root $work/static;
    default_type text/html;"
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$nginx_port/explorer/names/n0.bench" >/dev/null && break; sleep 0.05; done
if ! cmp -s <(curl -s "http://127.0.0.1:$ex_port/explorer/names/n1.bench") \
            <(curl -s "http://127.0.0.1:$nginx_port/explorer/names/n1.bench"); then
  echo "explorer_bench: the explorer and nginx answer differently"; exit 1
fi
bytes=$(curl -s "http://127.0.0.1:$ex_port/explorer/names/n1.bench" | wc -c)

# run <port> <connections> -> "requests/s p50 p99"
run() {
  EXPLORER_BENCH_PAGES=$pages wrk -t"$(( $2 < 2 ? 1 : 2 ))" -c"$2" -d"${secs}s" --latency -s bench/explorer_random.lua \
    "http://127.0.0.1:$1" > "$work/wrk.out"
  if grep -q "Non-2xx" "$work/wrk.out"; then echo "explorer_bench: errors:" >&2; cat "$work/wrk.out" >&2; fi
  echo "$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out") $(awk '$1 == "50%" {print $2}' "$work/wrk.out") $(awk '$1 == "99%" {print $2}' "$work/wrk.out")"
}
printf '%-10s %5s %12s %10s %10s\n' "" "conns" "pages/s" "p50" "p99"
for c in 1 64; do
  read -r ex_rps ex_p50 ex_p99 <<< "$(run "$ex_port" "$c")"
  read -r ng_rps ng_p50 ng_p99 <<< "$(run "$nginx_port" "$c")"
  printf '%-10s %5s %12s %10s %10s\n' "explorer" "$c" "$ex_rps" "$ex_p50" "$ex_p99"
  printf '%-10s %5s %12s %10s %10s\n' "nginx" "$c" "$ng_rps" "$ng_p50" "$ng_p99"
  echo "ratio explorer/nginx at $c connection(s): $(python3 -c "print(f'{$ex_rps/$ng_rps:.3f}x')")"
done
echo "names: $names, pages asked: $pages, page size: $bytes bytes, ${secs}s each. Target: a name page under 100 ms."
echo "Rerun: bench/explorer_bench.sh (EXPLORER_BENCH_NAMES, EXPLORER_BENCH_PAGES, EXPLORER_BENCH_SECONDS, EXPLORER_BENCH_BIN)"
exec 3>&-
