"""python_ingest_benchmark — Python ingest paths against the C fast path.

    CADRE_LIBRARY=build/bench/libcadre.so python3 benchmarks/python_ingest_benchmark.py
        [--rows 100000] [--repeat 5] [--backends memory,sqlite]

Build libcadre in Release first (see README.md: a RelWithDebInfo build says
nothing about speed):

    cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DCADRE_BUILD_TESTS=OFF
    cmake --build build/bench --target cadre_c -j"$(nproc)"

In one process, the same deterministic rows (100,000 sales and returns of a
year, about 5 % returns, generated once before any timing; occurred_at is an
aware datetime, as a database driver hands it out) go into a fresh workspace
per run, once per path:

  (a) C fast path   cadre_events_ingest_sales through ctypes on an array of
                    cadre_sale built before the clock starts: the timed part is
                    the C call (and reading its short report). The baseline.
  (b) ingest        ws.ingest(list of dicts), end to end: JSON encoding in Python,
                    then NDJSON parsed by the library.
  (c) ingest_sales  ws.ingest_sales(list of dicts), end to end: the cadre_sale
                    array filled in Python, then the C fast path.

and, to show where the time of (b) goes, its two halves timed apart:

  (b1) encode       the dicts to NDJSON bytes, as ws.ingest does it
  (b2) ndjson call  cadre_events_ingest_ndjson on those bytes (the C side)

Each path runs --repeat times per backend ("memory:" and "sqlite:" on a fresh
temporary file; opening the workspace is not timed) in one batch, atomic mode.
The figures are the median run's rows/s by wall time and, in brackets, by the
process's CPU time (on a machine shared with other work, trust the CPU figures:
they do not count waiting for a core). The ratios b/a and c/a are what the issue
sets a target for: Python ingest of a list of dicts at no less than a quarter of
the C fast path's rate (b/a >= 0.25).
"""

import argparse
import ctypes
import datetime as dt
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time

try:
    import cadre
except ImportError:  # run from a checkout: use the package beside the benchmarks
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bindings", "python"))
    import cadre
from cadre import _native

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
CATEGORIES = ["appliances", "beauty", "food", "sports", "home", "baby", "apparel", "digital"]


def generate_rows(n, seed=20250618):
    """n sales and returns of 2025, deterministic: the same seed, the same rows."""
    rng = random.Random(seed)
    start = dt.datetime(2025, 1, 1, tzinfo=SHANGHAI)
    rows, sales = [], []
    for i in range(n):
        when = start + dt.timedelta(seconds=i * (365 * 86400 // n) + rng.randrange(60))
        if sales and rng.randrange(100) < 5:  # a return of an earlier sale
            sale = sales[rng.randrange(len(sales))]
            rows.append({"id": f"RT{i:07d}", "kind": "return", "occurred_at": when,
                         "customer": sale["customer"], "manager": sale["manager"],
                         "amount_minor": sale["amount_minor"], "quantity": 1,
                         "category": sale["category"], "sku": sale["sku"], "reference": sale["id"]})
            continue
        category = rng.randrange(len(CATEGORIES))
        row = {"id": f"S{i:08d}", "kind": "sale", "occurred_at": when,
               "customer": f"C{rng.randrange(20000) + 1:06d}", "manager": f"M{rng.randrange(144) + 1:04d}",
               "amount_minor": rng.randrange(990, 999900), "quantity": rng.randrange(1, 4),
               "category": CATEGORIES[category], "sku": f"{CATEGORIES[category][:3].upper()}-{rng.randrange(40):02d}",
               "reference": f"ORDER-{i:08d}"}
        rows.append(row)
        sales.append(row)
    return rows


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def sale_array(rows):
    """The rows as a cadre_sale array, built untimed for path (a). Returns the
    array and the bytes objects its pointers point into (keep both alive)."""
    array = (_native.Sale * len(rows))()
    keep = []
    for s, row in zip(array, rows):
        for field in ("id", "manager", "customer", "category", "sku", "reference"):
            b = row[field].encode()
            keep.append(b)
            setattr(s, field, b)
        s.occurred_at = (row["occurred_at"] - EPOCH) // dt.timedelta(microseconds=1)
        s.amount_minor = row["amount_minor"]
        s.quantity = row["quantity"]
        s.kind = 1 if row["kind"] == "return" else 0
    return array, keep


def encode_ndjson(rows):
    """The dicts as the NDJSON bytes ws.ingest sends, by the package's own encoder."""
    return cadre._ndjson(rows)


def check(report, n):
    if report["accepted"] != n or not report["committed"]:
        sys.exit(f"python_ingest_benchmark: expected {n} rows accepted, got {report}")


def c_call(ws, fn, *args):
    out = ctypes.c_void_p()
    if fn(ctypes.byref(out), ws._handle, *args) != 0:
        sys.exit(f"python_ingest_benchmark: {fn.__name__}: {_native.cadre_error_message().decode()}")
    return json.loads(_native.take_string(out))


class Backend:
    def __init__(self, name):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix="cadre-pybench-") if name == "sqlite" else None
        self.count = 0

    def fresh(self):
        if self.name == "memory":
            return cadre.open("memory:", currency="CNY", time_zone="Asia/Shanghai")
        self.count += 1
        return cadre.open(f"sqlite:{os.path.join(self.dir, f'w{self.count}.db')}", currency="CNY",
                          time_zone="Asia/Shanghai")

    def close(self):
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)


def timed(fn):
    w0, c0 = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - w0, time.process_time() - c0, result


def measure(backend, repeat, n, run):
    """Median wall and CPU seconds of `run(ws)` over `repeat` fresh workspaces."""
    walls, cpus = [], []
    for _ in range(repeat):
        with backend.fresh() as ws:
            wall, cpu, result = run(ws)
            if isinstance(result, dict):  # an ingest report (b1 returns bytes)
                check(result, n)
        walls.append(wall)
        cpus.append(cpu)
    return statistics.median(walls), statistics.median(cpus)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--backends", default="memory,sqlite")
    args = parser.parse_args()
    n = args.rows

    print(f"libcadre {cadre.library_version()} from {_native.lib._name}")
    t0 = time.perf_counter()
    rows = generate_rows(n)
    array, keep = sale_array(rows)
    ndjson = encode_ndjson(rows)
    returns = sum(r["kind"] == "return" for r in rows)
    print(f"{n:,} rows ({returns:,} returns), generated in {time.perf_counter() - t0:.1f} s; "
          f"median of {args.repeat} runs each\n")

    paths = [
        ("(a) C fast path", lambda ws: timed(lambda: c_call(
            ws, _native.cadre_events_ingest_sales, array, n, ctypes.sizeof(_native.Sale), 0))),
        ("(b) ws.ingest(dicts)", lambda ws: timed(lambda: ws.ingest(rows))),
        ("(c) ws.ingest_sales(dicts)", lambda ws: timed(lambda: ws.ingest_sales(rows))),
        ("(b1)  encode to NDJSON", lambda ws: timed(lambda: encode_ndjson(rows))),
        ("(b2)  cadre_events_ingest_ndjson", lambda ws: timed(lambda: c_call(
            ws, _native.cadre_events_ingest_ndjson, ndjson, len(ndjson), 0))),
    ]
    for name in args.backends.split(","):
        backend = Backend(name)
        try:
            results = {label: measure(backend, args.repeat, n, run) for label, run in paths}
        finally:
            backend.close()
        print(f"{name}:")
        for label, (wall, cpu) in results.items():
            print(f"  {label:<34} {n / wall / 1e3:9.1f} k rows/s  ({n / cpu / 1e3:9.1f})   {wall * 1e3:8.1f} ms")
        a_wall, a_cpu = results["(a) C fast path"]
        for label, key in (("b/a", "(b) ws.ingest(dicts)"), ("c/a", "(c) ws.ingest_sales(dicts)")):
            wall, cpu = results[key]
            target = "   target >= 0.25: " + ("met" if a_cpu / cpu >= 0.25 else "MISSED") if label == "b/a" else ""
            print(f"  {label:<34} {a_wall / wall:9.2f}              ({a_cpu / cpu:9.2f}){target}")
        b1, b2 = results["(b1)  encode to NDJSON"], results["(b2)  cadre_events_ingest_ndjson"]
        print(f"  (b) split: Python encoding {b1[1] / (b1[1] + b2[1]):.0%} of the CPU time, "
              f"NDJSON parse and ingest in C++ {b2[1] / (b1[1] + b2[1]):.0%}\n")
    del keep
    return 0


if __name__ == "__main__":
    sys.exit(main())
