"""The cross-language equality test: the same input loaded through C++, through
the C ABI from C, and through Python must give the same results.

    python3 compare.py --cpp crosslang_cpp --c crosslang_c --python-path crosslang_python.py \\
        --sales examples/data/sales.ndjson --documents tests/crosslang/documents.tsv --scratch DIR

Each path (crosslang_cpp.cc, crosslang_c.c, crosslang_python.py) runs the same
steps — put the documents (two of them invalid), ingest the sales atomically,
best effort and again, list, get, history, delete, scan with several queries —
into a fresh workspace, once in memory and once in a SQLite file, and prints
"<step>\\t<JSON>" per step. The six transcripts must agree step by step after
canonicalisation: JSON parsed, object keys sorted, and the wall-clock stamps
"recorded_at" and "created_at" left out (they differ between any two runs).
Everything else counts: ingest reports (rejections with their paths and
messages), error details, document bodies and metadata, event contents and seqs.

So that agreement cannot be vacuous (every path failing the same way), the
reference transcript is also checked for what the input must produce.
"""

import argparse
import difflib
import json
import os
import subprocess
import sys

STAMPS = {"recorded_at", "created_at"}


def canonical(value):
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items() if k not in STAMPS}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


def run_path(name, command):
    proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        sys.exit(f"crosslang: the {name} path failed (exit status {proc.returncode}):\n"
                 f"{proc.stderr.decode('utf-8', 'replace')}")
    try:
        stdout = proc.stdout.decode("utf-8")
    except UnicodeDecodeError as e:
        sys.exit(f"crosslang: the {name} path printed text that is not UTF-8: {e}")
    steps = []
    for number, line in enumerate(stdout.splitlines(), 1):
        step, sep, text = line.partition("\t")
        if not sep:
            sys.exit(f"crosslang: {name}, output line {number} is not '<step>\\t<JSON>': {line!r}")
        try:
            value = json.loads(text)
        except ValueError as e:
            sys.exit(f"crosslang: {name}, step {step!r}: not JSON ({e}): {text!r}")
        steps.append((step, canonical(value)))
    return steps


def pretty(value):
    return json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False).splitlines()


def compare(reference_name, reference, name, transcript):
    """Returns a description of the first difference, or None."""
    for i in range(max(len(reference), len(transcript))):
        if i >= len(transcript):
            return f"{name} stops after {len(transcript)} steps; {reference_name} goes on with {reference[i][0]!r}"
        if i >= len(reference):
            return f"{name} has an extra step {transcript[i][0]!r}"
        (ref_step, ref_value), (step, value) = reference[i], transcript[i]
        if ref_step != step:
            return f"step {i + 1}: {reference_name} does {ref_step!r}, {name} does {step!r}"
        if json.dumps(ref_value, sort_keys=True) != json.dumps(value, sort_keys=True):
            diff = difflib.unified_diff(pretty(ref_value), pretty(value), reference_name, name, lineterm="")
            return f"step {i + 1} {step!r} differs:\n" + "\n".join(diff)
    return None


def check_reference(steps, documents_path):
    """What the shared input must produce, whatever the path: a failed check here
    means the input or the library changed, not that the paths diverged."""
    problems = []
    by_step = {}
    for step, value in steps:
        by_step.setdefault(step, value)

    def expect(condition, what):
        if not condition:
            problems.append(what)

    with open(documents_path, encoding="utf-8") as f:
        lines = [ln for ln in f.read().splitlines() if ln and not ln.startswith("#")]
    puts = [value for step, value in steps if step.startswith("put ")]
    expect(len(puts) == len(lines), f"{len(lines)} documents put, got {len(puts)} put steps")
    errors = [p["error"] for p in puts if "error" in p]
    expect(len(errors) == 2 and all(e.get("code") == "invalid_argument" and e.get("path") for e in errors),
           f"exactly the two invalid documents refused with a path, got {errors}")
    expect(all("version" in p for p in puts if "error" not in p), "every other put returns its version")

    atomic, best, again = (by_step.get(s, {}) for s in
                           ("ingest atomic", "ingest best_effort", "ingest best_effort again"))
    expect(atomic.get("committed") is False and atomic.get("accepted") == 0 and atomic.get("rejected"),
           f"the atomic ingest is refused because of the bad row: {atomic}")
    expect(best.get("committed") is True and best.get("accepted", 0) > 0 and best.get("duplicates", 0) > 0
           and len(best.get("rejected", [])) == 1, f"best effort writes the good rows: {best}")
    expect(again.get("accepted") == 0
           and again.get("duplicates") == again.get("received", -1) - len(again.get("rejected", [])),
           f"the second best-effort ingest only finds duplicates: {again}")
    events = by_step.get("scan all", {}).get("events", [])
    expect(len(events) == best.get("accepted") and by_step.get("high_water_mark") == len(events),
           f"the log holds the accepted events: {len(events)} scanned, high water mark "
           f"{by_step.get('high_water_mark')}")
    expect(by_step.get("get customers/C000005", {}).get("error", {}).get("code") == "not_found",
           "a deleted document is not found")
    expect(len(by_step.get("scan page", {}).get("events", [])) == 3, "a page of three events")
    expect(by_step.get("scan by manager", {}).get("events"), "the manager's June events")
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cpp", required=True)
    parser.add_argument("--c", required=True)
    parser.add_argument("--python-path", required=True, help="crosslang_python.py")
    parser.add_argument("--sales", required=True)
    parser.add_argument("--documents", required=True)
    parser.add_argument("--scratch", required=True, help="a directory for the SQLite files")
    args = parser.parse_args()
    os.makedirs(args.scratch, exist_ok=True)

    paths = {
        "C++": [args.cpp],
        "C": [args.c],
        "Python": [sys.executable, args.python_path],
    }
    transcripts = []
    for backend in ("memory", "sqlite"):
        for name, command in paths.items():
            if backend == "memory":
                uri = "memory:"
            else:
                db = os.path.join(args.scratch, f"crosslang_{name.lower().replace('+', 'p')}.db")
                for suffix in ("", "-wal", "-shm"):
                    if os.path.exists(db + suffix):
                        os.remove(db + suffix)
                uri = "sqlite:" + db
            label = f"{name} ({backend})"
            transcripts.append((label, run_path(label, command + [uri, args.sales, args.documents])))

    reference_name, reference = transcripts[0]
    failures = [f"{reference_name}: {p}" for p in check_reference(reference, args.documents)]
    for name, transcript in transcripts[1:]:
        difference = compare(reference_name, reference, name, transcript)
        if difference:
            failures.append(difference)
    if failures:
        print("crosslang: FAILED\n" + "\n\n".join(failures), file=sys.stderr)
        return 1
    print(f"crosslang: {len(transcripts)} transcripts ({', '.join(n for n, _ in transcripts)}) agree on "
          f"{len(reference)} steps")
    return 0


if __name__ == "__main__":
    sys.exit(main())
