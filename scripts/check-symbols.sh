#!/usr/bin/env bash
# Checks what libcadre exports (STYLE.md rule 10): only cadre_* symbols may leave
# the shared library, and the exported set must equal the committed list, so that
# an accidental change to the ABI fails the build's tests. An intended change
# updates the list in the same commit.
#
#   scripts/check-symbols.sh build/libcadre.so                           # only cadre_*?
#   scripts/check-symbols.sh build/libcadre.so tests/capi/symbols.txt    # and exactly these?
#   scripts/check-symbols.sh --update build/libcadre.so tests/capi/symbols.txt
set -euo pipefail

update=0
if [ "${1:-}" = "--update" ]; then
  update=1
  shift
fi
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 [--update] LIBRARY [EXPECTED_LIST]" >&2
  exit 2
fi
lib=$1
expected=${2:-}
[ -f "$lib" ] || { echo "check-symbols: no such file: $lib" >&2; exit 2; }
command -v nm >/dev/null || { echo "check-symbols: nm (binutils) is needed" >&2; exit 2; }

# Defined dynamic symbols, names only. Version-script node names show up as
# absolute ('A') symbols and are not functions or data: they are skipped, and a
# version suffix (name@@NODE) is cut off.
exported=$(nm -D --defined-only "$lib" | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' | LC_ALL=C sort -u)

if [ -z "$exported" ]; then
  echo "check-symbols: $lib exports nothing at all" >&2
  exit 1
fi

stray=$(printf '%s\n' "$exported" | grep -v '^cadre_' || true)
if [ -n "$stray" ]; then
  echo "check-symbols: $lib exports symbols outside cadre_* (fix visibility or src/capi/cadre.map):" >&2
  printf '%s\n' "$stray" | head -n 40 | sed 's/^/  /' >&2
  count=$(printf '%s\n' "$stray" | wc -l)
  [ "$count" -le 40 ] || echo "  ... and $((count - 40)) more" >&2
  exit 1
fi

if [ -n "$expected" ]; then
  if [ $update = 1 ]; then
    printf '%s\n' "$exported" >"$expected"
    echo "check-symbols: wrote $(printf '%s\n' "$exported" | wc -l) symbols to $expected"
    exit 0
  fi
  [ -f "$expected" ] || { echo "check-symbols: no such list: $expected" >&2; exit 2; }
  if ! diff_out=$(diff -u --label "$expected (committed)" --label "$lib (built)" \
                    <(LC_ALL=C sort -u "$expected") <(printf '%s\n' "$exported")); then
    echo "check-symbols: the exported symbols differ from the committed list." >&2
    echo "  A removed or renamed symbol breaks every host built against the old header." >&2
    echo "  If the change is intended, run: $0 --update $lib $expected" >&2
    printf '%s\n' "$diff_out" >&2
    exit 1
  fi
fi

echo "check-symbols: $(printf '%s\n' "$exported" | wc -l) symbols, all cadre_*${expected:+, matching $expected}"
