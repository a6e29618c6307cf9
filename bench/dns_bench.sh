#!/usr/bin/env bash
# The DNS front end against NSD on the same records: DNS_BENCH_NAMES names
# (default 1,000,000), each with an A and a URI record, served by our DnsServer
# (bench/dns_bench: the code blockstackd --dns runs) and, as one zone file, by
# Debian's NSD, each with DNS_BENCH_THREADS (default 1) threads or processes.
# dnsperf sends both the same query mix (70% A, 20% URI, 10% names that do not
# exist) for DNS_BENCH_SECONDS. Prints qps, latency and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/nginx.sh   # free_port, start_until_ready
names="${DNS_BENCH_NAMES:-1000000}"
secs="${DNS_BENCH_SECONDS:-10}"
# Server threads for us and server processes for NSD: the same number for both.
threads="${DNS_BENCH_THREADS:-1}"
bin=build/release/bench/dns_bench
work=$(mktemp -d)
ours_pid="" nsd_pid=""
cleanup() {
  [[ -n "$ours_pid" ]] && kill "$ours_pid" 2>/dev/null || true
  [[ -n "$nsd_pid" ]] && kill "$nsd_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "dns_bench: loading $names names into a name database, zone-file store and NSD zone (takes a while)"
start_until_ready "$work" ours "$bin" "$work" "$names" "$threads"
grep "names compiled" "$work/ours.err" || true

nsd_port=$(free_port)
cat > "$work/nsd/nsd.conf" <<CONF
server:
  ip-address: 127.0.0.1
  port: $nsd_port
  server-count: $threads
  username: ""
  database: ""
  zonelistfile: "$work/nsd/zone.list"
  xfrdfile: "$work/nsd/xfrd.state"
  pidfile: "$work/nsd/nsd.pid"
  zonesdir: "$work/nsd"
  logfile: "$work/nsd/nsd.log"
  verbosity: 0
  # Debian builds NSD with response rate limiting on; a benchmark from one address
  # would be throttled.
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: bench.
  zonefile: bench.zone
CONF
nsd -d -c "$work/nsd/nsd.conf" &
nsd_pid=$!
for _ in $(seq 1200); do
  kdig @127.0.0.1 -p "$nsd_port" +short +timeout=1 +retry=0 n1.bench A 2>/dev/null | grep -q . && break
  sleep 0.1
done
a=$(kdig @127.0.0.1 -p "$ours_port" +short n1.bench A) b=$(kdig @127.0.0.1 -p "$nsd_port" +short n1.bench A)
if [[ "$a" != "$b" || -z "$a" ]]; then echo "dns_bench: our server and NSD answer differently ($a vs $b)"; exit 1; fi

# run <port> -> "qps avg_latency_ms"
run() {
  # A short warm-up first (our answer caches, NSD's pages), then the measured run.
  dnsperf -s 127.0.0.1 -p "$1" -d "$work/queries" -l 3 -c 4 -T 2 -q 100 > /dev/null 2>&1
  dnsperf -s 127.0.0.1 -p "$1" -d "$work/queries" -l "$secs" -c 4 -T 2 -q 100 > "$work/perf.out" 2>&1
  [[ -n "${DNS_BENCH_VERBOSE:-}" ]] && cat "$work/perf.out" >&2
  if grep -q "Queries lost: *[1-9]" "$work/perf.out"; then grep "Queries lost" "$work/perf.out" >&2; fi
  echo "$(awk '/Queries per second/ {print $4}' "$work/perf.out") $(awk '/Average Latency/ {print $4 * 1000}' "$work/perf.out")"
}
read -r ours_qps ours_lat <<< "$(run "$ours_port")"
read -r nsd_qps nsd_lat <<< "$(run "$nsd_port")"
printf '%-8s %12s %16s\n' "" "qps" "avg latency ms"
printf '%-8s %12s %16s\n' "ours" "$ours_qps" "$ours_lat"
printf '%-8s %12s %16s\n' "nsd" "$nsd_qps" "$nsd_lat"
echo "ratio ours/nsd: $(python3 -c "print(f'{$ours_qps/$nsd_qps:.2f}x')") (target >= 1.0x)"
echo "names: $names, $threads server thread(s)/process(es) each, dnsperf 4 clients 2 threads 100 outstanding, ${secs}s each after a 3 s warm-up. Rerun: bench/dns_bench.sh (DNS_BENCH_NAMES, DNS_BENCH_SECONDS, DNS_BENCH_THREADS)"
exec 3>&-
