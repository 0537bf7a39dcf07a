#!/usr/bin/env bash
# Checks that the binary interface of libcadre (the C ABI of include/cadre/cadre.h:
# exported functions, their parameter and return types, the layout of the public
# structs) equals the committed baseline, so that a change that would break hosts
# built against an earlier libcadre fails the tests. Uses libabigail (Debian
# package abigail-tools): abidw writes the ABI of the built library, reading its
# DWARF and keeping only types defined under include/cadre; abidiff compares it
# with the baseline.
#
#   scripts/check-abi.sh build/check/libcadre.so             # compare with the baseline
#   scripts/check-abi.sh --update build/check/libcadre.so    # an intended change: rewrite it
#   scripts/check-abi.sh LIBRARY BASELINE                    # another baseline file
#
# The library must carry debug info (RelWithDebInfo or Debug); without it the
# check cannot see types and exits with 77, which ctest reports as skipped.
# An intended change (a new function, a struct grown at its end, a new struct)
# updates the baseline in the same commit: run --update, review the diff of the
# baseline file, commit it with the header.
#
# What this does not see: the values of #define constants (status codes, kinds,
# modes) and the meaning of JSON. tests/capi and tests/golden pin those.
#
# Exit status: 0 same ABI (or baseline written); 1 the ABI differs; 2 usage or
# tool error; 77 the library has no debug info.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
default_baseline=$root/tests/capi/abi/libcadre.abi

update=0
if [ "${1:-}" = "--update" ]; then
  update=1
  shift
fi
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 [--update] LIBRARY [BASELINE]   (default baseline: tests/capi/abi/libcadre.abi)" >&2
  exit 2
fi
lib=$1
baseline=${2:-$default_baseline}
[ -f "$lib" ] || { echo "check-abi: no such file: $lib" >&2; exit 2; }
for tool in abidw abidiff readelf; do
  command -v "$tool" >/dev/null || {
    echo "check-abi: $tool is needed (abidw, abidiff: Debian package abigail-tools; readelf: binutils)." >&2
    echo "  Run scripts/install-deps.sh." >&2
    exit 2
  }
done
sections=$(readelf -S --wide "$lib" 2>&1) || {
  echo "check-abi: cannot read $lib as an ELF file: $sections" >&2
  exit 2
}
if ! grep -q '\.debug_info' <<<"$sections"; then
  echo "check-abi: $lib has no debug info, so its types cannot be compared." >&2
  echo "  Build with -DCMAKE_BUILD_TYPE=RelWithDebInfo (scripts/test.sh does) or Debug." >&2
  exit 77
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# The ABI of `lib` as abixml on stdout, stable across builds of the same source:
#   --headers-dir, --drop-private-types   only types defined in the public headers
#                                         count: cadre_workspace stays opaque
#   --exported-interfaces-only            only what the exported cadre_* functions
#                                         reach, not every C++ type of the library
#   --no-elf-needed                       the library's own dependencies are not
#                                         the host's business
#   --no-corpus-path, --no-comp-dir-path, --no-show-locs, --type-id-style hash
#                                         no build directory, line numbers or
#                                         numbering that shift with harmless edits
# The translation units keep their source path; it is cut to src/... so that the
# baseline does not depend on where the checkout lives (abidiff ignores it anyway).
dump_abi() {
  abidw --headers-dir "$root/include/cadre" --drop-private-types --exported-interfaces-only --no-elf-needed \
    --no-corpus-path --no-comp-dir-path --no-show-locs --type-id-style hash --out-file "$scratch/raw.abi" "$lib"
  sed -E "s#(<abi-instr [^>]*path=')[^']*/(src/[^']*')#\1\2#" "$scratch/raw.abi"
}

if ! dump_abi >"$scratch/current.abi" 2>"$scratch/abidw.err"; then
  echo "check-abi: abidw failed on $lib:" >&2
  cat "$scratch/abidw.err" >&2
  exit 2
fi
if ! grep -q "<function-decl name='cadre_" "$scratch/current.abi"; then
  echo "check-abi: abidw found no cadre_* function with its types in $lib; refusing to compare." >&2
  exit 2
fi

if [ $update = 1 ]; then
  mkdir -p "$(dirname "$baseline")"
  cp "$scratch/current.abi" "$baseline"
  count=$(grep -c "<function-decl name='cadre_" "$baseline")
  echo "check-abi: wrote the ABI of $lib ($count functions) to $baseline"
  echo "  Review it (git diff -- $baseline) and commit it with the header change."
  exit 0
fi
[ -f "$baseline" ] || {
  echo "check-abi: no baseline at $baseline; create it with: $0 --update $lib" >&2
  exit 2
}

# abidiff's exit status is a bit field (man abidiff, RETURN VALUES):
#   1 ERROR, 2 USAGE_ERROR (with ERROR), 4 ABI_CHANGE, 8 ABI_INCOMPATIBLE_CHANGE
#   (with ABI_CHANGE). Changes libabigail classes as harmless (a typedef renamed
# to the same type, a parameter renamed, ...) are filtered out by default and do
# not set a bit. --no-architecture: the baseline is x86_64; LP64 platforms have
# the same layout.
set +e
abidiff --no-architecture "$baseline" "$scratch/current.abi" >"$scratch/diff.txt" 2>&1
rc=$?
set -e

if [ $((rc & 1)) -ne 0 ]; then
  echo "check-abi: abidiff failed (exit status $rc):" >&2
  cat "$scratch/diff.txt" >&2
  exit 2
fi
if [ $rc -eq 0 ]; then
  echo "check-abi: the ABI of $lib equals $baseline ($(grep -c "<function-decl name='cadre_" "$baseline") functions)"
  exit 0
fi
if [ $((rc & 8)) -ne 0 ]; then
  echo "check-abi: INCOMPATIBLE ABI change: hosts built against the baseline would break." >&2
  echo "  A stable declaration never changes within a major version (cadre.h, Lifecycle): add a" >&2
  echo "  new function (cadre_x_v2) or grow a struct at its end instead." >&2
else
  echo "check-abi: the ABI differs from the baseline (abidiff cannot tell whether compatibly):" >&2
  echo "  an added function or a struct grown at its end is fine once reviewed; anything else" >&2
  echo "  breaks hosts built against the baseline." >&2
fi
echo "  If the change is intended, refresh the baseline and commit it with the header:" >&2
echo "    $0 --update $lib" >&2
echo "  (from a CMake build directory: cmake --build BUILD_DIR --target cadre_abi_update)" >&2
echo >&2
cat "$scratch/diff.txt" >&2
exit 1
