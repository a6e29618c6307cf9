#!/usr/bin/env bash
# REST API against nginx on the same JSON: a database of API_BENCH_NAMES names
# (default 1,000,000) is served by the API code blockstackd runs (bench/api_bench)
# and, as static files holding the API's own answers, by Debian's nginx. wrk with
# keep-alive and 64 connections asks both for random names. Prints requests/s, p99
# latency and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/nginx.sh
names="${API_BENCH_NAMES:-1000000}"
secs="${API_BENCH_SECONDS:-10}"
bin=build/release/bench/api_bench
work=$(mktemp -d)
api_pid="" nginx_pid=""
cleanup() {
  [[ -n "$api_pid" ]] && kill "$api_pid" 2>/dev/null || true
  [[ -n "$nginx_pid" ]] && kill "$nginx_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "api_bench: loading $names names and writing their static copies (takes a while)"
start_until_ready "$work" api "$bin" "$work" "$names"

nginx_port=$(free_port)
start_nginx "$work" "$nginx_port" "    root $work/static;
    default_type application/json;
    add_header Access-Control-Allow-Origin *;"
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$nginx_port/v1/names/n0.bench" >/dev/null && break; sleep 0.05; done
if ! cmp -s <(curl -s "http://127.0.0.1:$api_port/v1/names/n1.bench") <(curl -s "http://127.0.0.1:$nginx_port/v1/names/n1.bench"); then
  echo "api_bench: the API and nginx answer differently"; exit 1
fi

# run <port> -> "requests/s p99"
run() {
  API_BENCH_NAMES=$names wrk -t2 -c64 -d"${secs}s" --latency -s bench/api_random.lua "http://127.0.0.1:$1" > "$work/wrk.out"
  if grep -q "Non-2xx" "$work/wrk.out"; then echo "api_bench: errors:" >&2; cat "$work/wrk.out" >&2; fi
  echo "$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out") $(awk '$1 == "99%" {print $2}' "$work/wrk.out")"
}
read -r api_rps api_p99 <<< "$(run "$api_port")"
read -r ng_rps ng_p99 <<< "$(run "$nginx_port")"
printf '%-8s %12s %10s\n' "" "req/s" "p99"
printf '%-8s %12s %10s\n' "api" "$api_rps" "$api_p99"
printf '%-8s %12s %10s\n' "nginx" "$ng_rps" "$ng_p99"
grep -h "name table" "$work/api.err" || true
echo "ratio api/nginx: $(python3 -c "print(f'{$api_rps/$ng_rps:.2f}x')") (target >= 1.0x)"
echo "names: $names, 64 connections, ${secs}s each. Rerun: bench/api_bench.sh (API_BENCH_NAMES, API_BENCH_SECONDS)"
exec 3>&-
