#!/usr/bin/env python3
"""analysis.py — monthly net sales and top customers from a cadre workspace.

    python3 analysis.py                              # the sample sales, in memory
    python3 analysis.py my_sales.ndjson more.csv     # your own files, in memory
    python3 analysis.py --workspace sqlite:crm.db    # what a workspace already holds
                                                     # (e.g. after `crm_tool crm.db load`)

Files given are ingested first (best effort: good rows are kept, bad rows are
listed). Then the script reads the sales and returns back from the event log
and adds them up with the standard library only. Months are the workspace's
months: a sale at 00:10 on 1 June in Shanghai counts for June, although it was
still 31 May in UTC.

Needs libcadre: set CADRE_LIBRARY to its path unless it is installed.
"""

import argparse
import collections
import datetime as dt
import os
import sys
import zoneinfo

import cadre

SAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "sales.ndjson")


def logged_events(ws, page_size=10000, **query):
    """Every event matching the query, read in pages so a large log never has to
    fit in one result: by sequence number, each page after the last seq seen."""
    after_seq = 0
    while True:
        page = ws.scan(order="by_seq", after_seq=after_seq, limit=page_size, **query)
        yield from (row["event"] for row in page)
        if len(page) < page_size:
            return
        after_seq = page[-1]["seq"]


def instant(text):
    """An instant as cadre writes it: RFC 3339 in UTC, "2025-06-18T02:00:00Z",
    perhaps with a fraction of up to nine digits (more than datetime holds)."""
    seconds, _, fraction = text.rstrip("Z").partition(".")
    t = dt.datetime.fromisoformat(seconds).replace(tzinfo=dt.timezone.utc)
    return t + dt.timedelta(microseconds=int(fraction[:6].ljust(6, "0"))) if fraction else t


def money(minor):
    """'1,234.50' from minor units (fen), exactly: no floating point."""
    whole, cents = divmod(abs(minor), 100)
    return f"{'-' if minor < 0 else ''}{whole:,}.{cents:02d}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", help="NDJSON or CSV files of events to ingest first")
    parser.add_argument("--workspace", default="memory:", help="memory: (default) or sqlite:PATH")
    parser.add_argument("--top", type=int, default=5, help="how many customers to list")
    args = parser.parse_args()
    files = args.files or ([SAMPLE] if args.workspace == "memory:" else [])

    # Currency and time zone are fixed when a workspace is created; opening an
    # existing one with others raises cadre.FailedPreconditionError.
    with cadre.open(args.workspace, currency="CNY", time_zone="Asia/Shanghai") as ws:
        for path in files:
            report = ws.ingest_file(path, mode=cadre.BEST_EFFORT)
            rejected = report.get("rejected", [])  # the key is absent when no row was refused
            print(f"{os.path.basename(path)}: {report['received']} rows, {report['accepted']} new, "
                  f"{report['duplicates']} duplicates, {len(rejected)} rejected")
            for row in rejected:
                print(f"  line {row['line']}: {row['message']}")

        zone = zoneinfo.ZoneInfo(ws.settings["time_zone"])
        months = collections.defaultdict(lambda: [0, 0, 0])  # month -> [sales, returns, count]
        customers = collections.Counter()  # customer -> net sales
        for event in logged_events(ws, kinds=["sale", "return"]):
            amount = event["amount_minor"]
            month = instant(event["occurred_at"]).astimezone(zone).strftime("%Y-%m")
            if event["kind"] == "sale":
                months[month][0] += amount
                months[month][2] += 1
            else:
                months[month][1] += amount
                amount = -amount
            customers[event.get("customer", "(none)")] += amount

        print(f"\nMonthly net sales ({ws.settings['currency']}, months in {zone.key})")
        print(f"{'month':<8} {'sales':>6} {'gross':>16} {'returns':>14} {'net':>16}")
        for month, (gross, returns, count) in sorted(months.items()):
            print(f"{month:<8} {count:>6} {money(gross):>16} {money(returns):>14} {money(gross - returns):>16}")
        total = sum(gross - returns for gross, returns, _ in months.values())
        print(f"{'total':<8} {'':>6} {'':>16} {'':>14} {money(total):>16}")

        print(f"\nTop {args.top} customers by net sales")
        for rank, (customer, net) in enumerate(customers.most_common(args.top), 1):
            try:
                name = ws.get("customers", customer)["body"]["name"]
            except KeyError:  # cadre.NotFoundError is a KeyError: no document for this id
                name = ""
            print(f"{rank:>2}. {customer:<10} {name:<20} {money(net):>16}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
