#!/usr/bin/env bash
# Everything `make test` runs: the layer check of every #include, the functional
# tests against the real binaries (optimised, assertions on) and a bcoin regtest
# node, and meanwhile the unit tests under ASan+UBSan and short fuzz runs.
# Ends with one line "test: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
werror=()
# On CI: warnings are errors, and debug information is line tables only (-g1):
# enough for every backtrace, and it takes a quarter off the optimised build and
# an eighth off the sanitizer build, which are most of the run. The sanitizer
# build there also leaves out UBSan's null, alignment and vptr checks, which were
# a quarter of its compile time: ASan reports a null dereference itself, x86-64
# reads unaligned data, and few classes here are polymorphic. Every other UBSan
# check (overflow, shifts, bounds, enums, ...) stays on.
[[ -n "${CI:-}" ]] && werror=(-DBLOCKSTACK_WERROR=ON)
asan_ci=() dev_ci=()
if [[ -n "${CI:-}" ]]; then
  asan_ci=("-DCMAKE_CXX_FLAGS_DEBUG=-g1 -fno-sanitize=vptr,null,alignment"
           "-DCMAKE_C_FLAGS_DEBUG=-g1 -fno-sanitize=null,alignment")
  dev_ci=("-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O2 -g1")
fi

passed=0
failed=0
status=0

step() { echo; echo "=== $*"; }

step "layer check (cmake/layers.txt)"
if scripts/check_layers.sh; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
fi

step "build (dev preset: the binaries the functional tests run)"
cmake --preset dev "${werror[@]}" "${dev_ci[@]}" >/dev/null && cmake --build --preset dev --target blockstackd blockstack gaia-hub bns-registrar chaingen snaptamper fault_fs zonefile_dump || exit 1

# The functional tests spend most of their time waiting on bcoin and on the
# daemons, so the sanitizer build, the unit tests and the fuzz build and runs go
# meanwhile, at the lowest CPU priority (they take only what the tests leave
# idle), their output kept for after.
background=$(mktemp -d)
(
  BG="$background" FUZZ_SECONDS="${FUZZ_SECONDS:-7}" nice -n 19 bash -c '
    if ! { cmake --preset asan "$@" && cmake --build --preset asan --target unit_tests; } >"$BG/build.log" 2>&1; then
      echo failed >"$BG/build.status"
      exit 0
    fi
    ctest --preset asan >"$BG/unit.log" 2>&1
    scripts/fuzz.sh >"$BG/fuzz.log" 2>&1
    echo $? >"$BG/fuzz.status"
  ' bash "${werror[@]}" "${asan_ci[@]}"
) &
background_pid=$!

step "functional tests"
log=$(mktemp)
# Two test files at a time: most of their time is spent waiting on bcoin and on
# the daemons, and the harness claims ports across processes (freePort). The
# files that time a process against its own clean run go alone afterwards (after
# the background work too), so neither a neighbour's load nor a compiler skews
# their clocks.
alone=(test/functional/crash.test.mjs)
together=()
for f in test/functional/*.test.mjs; do
  [[ " ${alone[*]} " == *" $f "* ]] || together+=("$f")
done
export BLOCKSTACK_BIN_DIR="$PWD/build/dev/apps"
node --test --test-concurrency=2 "${together[@]}" 2>&1 | tee "$log"

step "build (asan preset: the unit tests), in the background"
wait "$background_pid"
if [[ -e "$background/build.status" ]]; then
  tail -50 "$background/build.log"
  echo "the sanitizer build failed"
  exit 1
fi
tail -3 "$background/build.log"

step "unit tests"
grep -vE '^\s+Start |Passed' "$background/unit.log" || true
u_total=$(grep -oE 'tests failed out of [0-9]+' "$background/unit.log" | grep -oE '[0-9]+$' || echo 0)
u_failed=$(grep -oE '[0-9]+ tests failed' "$background/unit.log" | grep -oE '^[0-9]+' || echo 0)
if [[ "$u_total" == 0 ]]; then echo "unit tests did not run"; status=1; fi
passed=$((passed + u_total - u_failed))
failed=$((failed + u_failed))

step "fuzz targets (short runs)"
grep -E '^fuzz |FAILED|error' "$background/fuzz.log" || tail -20 "$background/fuzz.log"
if [[ "$(cat "$background/fuzz.status" 2>/dev/null)" == 0 ]]; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
fi

step "functional tests that time themselves"
node --test --test-concurrency=1 "${alone[@]}" 2>&1 | tee -a "$log"
f_pass=$(awk '/^# pass [0-9]+$/ {n += $3} END {print n + 0}' "$log")
f_fail=$(awk '/^# fail [0-9]+$/ {n += $3} END {print n + 0}' "$log")
if [[ "$f_pass" == 0 && "$f_fail" == 0 ]]; then echo "functional tests did not run"; status=1; fi
passed=$((passed + f_pass))
failed=$((failed + f_fail))
rm -rf "$log" "$background"

echo
echo "test: ${passed} passed, ${failed} failed"
if ((failed > 0 || status != 0)); then exit 1; fi
