#!/usr/bin/env bash
# Gaia hub throughput against nginx's WebDAV module on the same disk: writes/s and
# reads/s for 256 B and 64 KiB files at concurrency 1 and 16 (wrk, keep-alive).
# Hub writes carry a v1 token (verified, then cached); nginx has no authentication
# and does not fsync, so it is the ceiling. Writes are measured with the hub's
# default (fsync before rename) and with --no-fsync. Prints the ratios and the
# hub's peak RSS.
#
# GAIA_BENCH_SECONDS (default 5) per measurement.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/nginx.sh
secs="${GAIA_BENCH_SECONDS:-5}"
bin=build/release/apps
work=$(mktemp -d)
hub_pid="" fast_pid="" nginx_pid=""
cleanup() {
  [[ -n "$hub_pid" ]] && kill "$hub_pid" 2>/dev/null || true
  [[ -n "$fast_pid" ]] && kill "$fast_pid" 2>/dev/null || true
  [[ -n "$nginx_pid" ]] && kill "$nginx_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

hub_port=$(free_port)
fast_port=$(free_port)
nginx_port=$(free_port)
mkdir -p "$work/hub" "$work/fast" "$work/dav"

"$bin/gaia-hub" --listen "127.0.0.1:$hub_port" --storage-root "$work/hub" --log-level warn > "$work/hub.log" 2>&1 &
hub_pid=$!
# The same hub without fsync: nginx does not fsync either, so this is the like-for-like row.
"$bin/gaia-hub" --listen "127.0.0.1:$fast_port" --storage-root "$work/fast" --no-fsync --log-level warn \
  > "$work/fast.log" 2>&1 &
fast_pid=$!
start_nginx "$work" "$nginx_port" "    root $work/dav;
    client_max_body_size 25m;
    location / {
      dav_methods PUT DELETE;
      create_full_put_path on;
      dav_access user:rw;
    }"

for _ in $(seq 100); do
  if curl -sf "http://127.0.0.1:$hub_port/hub_info" >/dev/null && curl -sf "http://127.0.0.1:$fast_port/hub_info" >/dev/null &&
     curl -s -o /dev/null "http://127.0.0.1:$nginx_port/"; then break; fi
  sleep 0.05
done

key=e0a0eab434faf2c609cac5919b71a2348a747cdf7618cc8847c2d55d98e3df4e
address=16mHK3nMEhVGjSYGbzEGA37vej7HYzJ9Xn
auth=$(build/release/apps/blockstack gaia token --hub "http://127.0.0.1:$hub_port" --key "$key")
fast_auth=$(build/release/apps/blockstack gaia token --hub "http://127.0.0.1:$fast_port" --key "$key")

# rate <method> <url-prefix> <auth> <size> <connections> -> requests/s
rate() {
  local threads=$(( $5 < 2 ? 1 : 2 ))
  BENCH_METHOD=$1 BENCH_PREFIX=$(python3 -c 'import sys,urllib.parse as u; print(u.urlparse(sys.argv[1]).path)' "$2") \
    BENCH_AUTH=$3 BENCH_SIZE=$4 \
    wrk -t"$threads" -c"$5" -d"${secs}s" -s bench/gaia_write.lua "$2" > "$work/wrk.out" 2>&1
  if grep -q "Non-2xx" "$work/wrk.out"; then
    echo "gaia_bench: errors in $1 $2:" >&2
    cat "$work/wrk.out" >&2
  fi
  grep 'Requests/sec' "$work/wrk.out" | awk '{print $2}'
}

printf '%-28s %12s %12s %7s\n' "case" "hub req/s" "nginx req/s" "ratio"
for size in 256 65536; do
  head -c "$size" /dev/zero | tr '\0' 'x' > "$work/file"
  curl -sf -X POST -H "Authorization: $auth" --data-binary @"$work/file" \
    "http://127.0.0.1:$hub_port/store/$address/read-$size" >/dev/null
  mkdir -p "$work/dav/$address"
  cp "$work/file" "$work/dav/$address/read-$size"
  for conns in 1 16; do
    hw=$(rate POST "http://127.0.0.1:$hub_port/store/$address/w$size-" "$auth" "$size" "$conns")
    fw=$(rate POST "http://127.0.0.1:$fast_port/store/$address/w$size-" "$fast_auth" "$size" "$conns")
    nw=$(rate PUT "http://127.0.0.1:$nginx_port/$address/w$size-" "" "$size" "$conns")
    printf '%-28s %12s %12s %7s\n' "write ${size}B c=$conns fsync" "$hw" "$nw" "$(python3 -c "print(f'{$hw/$nw:.2f}x')")"
    printf '%-28s %12s %12s %7s\n' "write ${size}B c=$conns no-fsync" "$fw" "$nw" "$(python3 -c "print(f'{$fw/$nw:.2f}x')")"
    hr=$(rate GET "http://127.0.0.1:$hub_port/read/$address/read-$size" "" 0 "$conns")
    nr=$(rate GET "http://127.0.0.1:$nginx_port/$address/read-$size" "" 0 "$conns")
    printf '%-28s %12s %12s %7s\n' "read ${size}B c=$conns" "$hr" "$nr" "$(python3 -c "print(f'{$hr/$nr:.2f}x')")"
  done
done
rss=$(grep VmHWM "/proc/$hub_pid/status" | awk '{print $2}')
fast_rss=$(grep VmHWM "/proc/$fast_pid/status" | awk '{print $2}')
echo "gaia-hub peak RSS: $((rss / 1024)) MB with fsync, $((fast_rss / 1024)) MB without (target <= 50 MB)"
echo "targets: writes >= 0.5x nginx, reads >= 0.8x nginx. Rerun: make bench (or bench/gaia_bench.sh; GAIA_BENCH_SECONDS=N)"
