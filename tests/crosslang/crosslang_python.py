"""The Python path of the cross-language test: loads the shared input through the
cadre package (bindings/python) and prints what it answers.

    python3 crosslang_python.py URI SALES.ndjson DOCUMENTS.tsv

Prints one line per step, "<step>\\t<JSON>", in the order every path of the test
follows (see compare.py). Bodies and events go in the way a Python user sends
them: the JSON of the input is read into dicts first, and the package encodes
them again (ws.put(dict), ws.ingest(list of dicts)). Errors are
{"error": <the exception's details>}.
"""

import json
import sys

import cadre


def emit(step, value):
    print(f"{step}\t{json.dumps(value, ensure_ascii=False, separators=(',', ':'))}")


def run(step, fn, *args, **kwargs):
    try:
        value = fn(*args, **kwargs)
    except cadre.CadreError as e:
        value = {"error": e.details}
    emit(step, value)


def wrapped(key, fn):
    """ws.list/history/scan return the list inside the C ABI's object; put it back."""
    return lambda *args, **kwargs: {key: fn(*args, **kwargs)}


def main():
    uri, sales_path, documents_path = sys.argv[1:]
    with open(sales_path, encoding="utf-8") as f:
        events = [json.loads(line) for line in f if line.strip()]
    with cadre.open(uri, currency="CNY", time_zone="Asia/Shanghai") as ws:
        emit("settings", ws.settings)
        with open(documents_path, encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if not line or line.startswith("#"):
                    continue
                collection, id, effective_from, body = line.split("\t", 3)
                run(f"put {collection}/{id}", ws.put, collection, id, json.loads(body),
                    effective_from=None if effective_from == "-" else effective_from)
        run("ingest atomic", ws.ingest, events, mode=cadre.ATOMIC)
        run("ingest best_effort", ws.ingest, events, mode=cadre.BEST_EFFORT)
        run("ingest best_effort again", ws.ingest, events, mode=cadre.BEST_EFFORT)
        run("high_water_mark", ws.high_water_mark)
        for collection in ("org_units", "managers", "customers", "x_crm_notes"):
            run(f"list {collection}", wrapped("documents", ws.list), collection)
        run("get managers/M0001 as_of 2025-06-30", ws.get, "managers", "M0001", as_of="2025-06-30T12:00:00+08:00")
        run("get managers/M0001", ws.get, "managers", "M0001")
        run("history managers/M0001", wrapped("versions", ws.history), "managers", "M0001")
        run("delete customers/C000005", ws.delete, "customers", "C000005")
        run("get customers/C000005", ws.get, "customers", "C000005")
        run("history customers/C000005", wrapped("versions", ws.history), "customers", "C000005")
        scan = wrapped("events", ws.scan)
        run("scan all", scan, order="by_seq")
        run("scan by manager", scan, manager="M0001", kinds=["sale", "return"], from_="2025-06-01T00:00:00+08:00")
        run("scan by customer", scan, customer="C000004", until="2025-06-21T00:00:00+08:00")
        run("scan page", scan, order="by_seq", after_seq=4, limit=3)


if __name__ == "__main__":
    main()
