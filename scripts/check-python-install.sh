#!/usr/bin/env bash
# Installs the Python package offline into a fresh virtual environment, with the
# built libcadre bundled (CADRE_LIBRARY names it at build time), then uses it from
# another directory with no CADRE_LIBRARY set: what a user of the wheel gets.
#   check-python-install.sh PYTHON PACKAGE_DIR
set -euo pipefail
python=$1
package=$2
: "${CADRE_LIBRARY:?set CADRE_LIBRARY to the built libcadre.so}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$python" -m venv "$work/venv"
# Offline: no index, and the package's build backend needs nothing from one.
"$work/venv/bin/python" -m pip install --quiet --no-index --no-cache-dir "$package"
cd "$work"
env -u CADRE_LIBRARY -u PYTHONPATH "$work/venv/bin/python" - <<'PY'
import os, cadre
assert os.path.dirname(cadre.__file__).startswith(os.getcwd()), cadre.__file__
with cadre.open("sqlite:" + os.path.join(os.getcwd(), "t.db"), currency="CNY") as ws:
    r = ws.ingest([{"id": "S1", "kind": "sale", "occurred_at": "2025-06-18T10:00:00+08:00",
                    "customer": "C1", "amount_minor": 100}])
    assert r["accepted"] == 1, r
    assert ws.high_water_mark() == 1
print("installed package works:", cadre.library_version())
PY
