#!/usr/bin/env bash
# The layer check: every #include "<part/...>" in src/ must name a part that
# cmake/layers.txt allows the including part to use. A part is a folder under
# src/ (its detail/ and drivers/ folders belong to it). Prints each include the
# table does not allow, with its file and line, and exits 1 if there is one.
# Usage: scripts/check_layers.sh [SRC_DIR [TABLE]]
set -uo pipefail
cd "$(dirname "$0")/.."
src=${1:-src}
table=${2:-cmake/layers.txt}

# The part a path under src/ belongs to: its folder, less detail/ and drivers/.
part_of() {
  local dir=$1
  dir=${dir%/detail}
  dir=${dir%/drivers}
  echo "$dir"
}

declare -A allowed
declare -A known
while read -r line; do
  line=${line%%#*}
  [[ -z "${line// }" ]] && continue
  part=${line%%:*}
  part=${part// /}
  known[$part]=1
  allowed[$part]=" ${line#*:} "
done < "$table"

status=0
checked=0
while IFS= read -r file; do
  rel=${file#"$src"/}
  part=$(part_of "$(dirname "$rel")")
  if [[ -z "${known[$part]:-}" ]]; then
    echo "$file: part '$part' is not in $table"
    status=1
    continue
  fi
  while IFS=: read -r lineno include; do
    target=$(sed -E 's/^#include <(.*)\/[^/]+>.*/\1/' <<<"$include")
    target=$(part_of "$target")
    [[ -z "${known[$target]:-}" ]] && continue  # a third-party header
    checked=$((checked + 1))
    [[ "$target" == "$part" ]] && continue
    if [[ "${allowed[$part]}" != *" $target "* ]]; then
      echo "$file:$lineno: $part may not include $target ($include)"
      status=1
    fi
  done < <(grep -nE '^#include <[^>]+/[^>]+>' "$file")
done < <(find "$src" -name '*.h' -o -name '*.cpp' | sort)

if ((status == 0)); then
  echo "layers: ${checked} includes between parts, all allowed by $table"
fi
exit $status
