#!/usr/bin/env bash
# Installs every Debian and npm package the project uses, non-interactively.
# Does nothing (and needs no network) when everything is already present.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
  # toolchain
  g++ cmake ninja-build pkg-config make clang libclang-rt-14-dev clang-format
  # libraries
  libsecp256k1-dev libssl-dev libsqlite3-dev libboost-dev nlohmann-json3-dev libtomlplusplus-dev
  libspdlog-dev libfmt-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev libldns-dev libzstd-dev
  libopendht-dev libjemalloc-dev libicu-dev
  # functional tests, demo and benchmarks (kdig queries the DNS front end; curl
  # uploads with Expect: 100-continue; openssl makes the test TLS certificates;
  # ca-certificates is the system store https URLs are checked against)
  nodejs npm knot-dnsutils curl openssl ca-certificates
  # the explorer's pages are tested in Debian's Chromium (driven by puppeteer-core)
  chromium
  # the operator kit's systemd units are checked with systemd-analyze
  systemd
)
# The peers the benchmarks measure against (make bench): nginx with its WebDAV
# module, and wrk; NSD and dnsperf for the DNS front end. Installed only with --bench.
if [[ "${1:-}" == "--bench" ]]; then
  DEBIAN_PACKAGES+=(nginx-core wrk curl python3 dnsperf nsd)
fi

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    # node and npm may come from elsewhere than Debian; a working install is enough.
    if [[ "$pkg" == nodejs ]] && command -v node >/dev/null 2>&1; then continue; fi
    if [[ "$pkg" == npm ]] && command -v npm >/dev/null 2>&1; then continue; fi
    missing+=("$pkg")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # Installing nginx must not start a system service: policy-rc.d refuses it.
  policy=/usr/sbin/policy-rc.d
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee $policy >/dev/null && $SUDO chmod +x $policy
    trap '$SUDO rm -f '"$policy" EXIT
  fi
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages, pinned by package-lock.json; reinstalled only when the lock changes.
stamp=node_modules/.installed-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  echo "setup: installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  echo "$want" > "$stamp"
fi
