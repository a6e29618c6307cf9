#!/usr/bin/env bash
# Builds the libFuzzer targets (preset "fuzz", clang) and runs each for FUZZ_SECONDS,
# starting from the seeds in test/fuzz/corpus. Fails when a target finds a crash.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-7}"
werror=()
# On CI, as in scripts/test.sh: warnings are errors, line tables only (-g1).
[[ -n "${CI:-}" ]] && werror=(-DBLOCKSTACK_WERROR=ON "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1"
  "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O2 -g1")
cmake --preset fuzz "${werror[@]}" >/dev/null
cmake --build --preset fuzz
work=build/fuzz/runs
# One target's run; its verdict goes to $work/$target.result (two run at a time,
# one per core).
fuzz_one() {
  local target=$1
  rm -rf "${work:?}/$target"
  mkdir -p "$work/$target"
  cp test/fuzz/corpus/$target/* "$work/$target/"
  if build/fuzz/test/fuzz/$target -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 \
       -artifact_prefix="$work/$target-" -print_final_stats=0 "$work/$target" \
       >"$work/$target.log" 2>&1; then
    echo "fuzz $target: ok ($(grep -oE '#[0-9]+' "$work/$target.log" | tail -1 | tr -d '#') runs in ${seconds}s)" \
      > "$work/$target.result"
  else
    { echo "fuzz $target: FAILED; last lines of $work/$target.log:"; tail -30 "$work/$target.log"; } \
      > "$work/$target.result"
  fi
}
targets=(tx_fuzz block_fuzz script_fuzz engine_fuzz gaia_auth_fuzz ecies_fuzz zonefile_fuzz dns_fuzz dht_fuzz
  snapshot_fuzz atlas_frames_fuzz records_fuzz subdomain_fuzz mnemonic_fuzz batch_reply_fuzz proofs_fuzz
  explorer_html_fuzz auth_request_fuzz)
mkdir -p "$work"
for target in "${targets[@]}"; do
  rm -f "$work/$target.result"
  fuzz_one "$target" &
  # Two at a time.
  while (( $(jobs -rp | wc -l) >= 2 )); do wait -n || true; done
done
wait
rc=0
for target in "${targets[@]}"; do
  if [[ ! -s "$work/$target.result" ]]; then echo "fuzz $target: did not run"; rc=1; continue; fi
  cat "$work/$target.result"
  grep -q ': ok (' "$work/$target.result" || rc=1
done
exit $rc
