"""Cases from Python: complaint and support case events, and the 'cases' and
'case_figures' queries, by viewer.

The org: CO > T1 (lead L1: L1, M1), T2 (M2, M3). C1 is owned by M1, C2 by M2.
With a complaint SLA of 30 / 60 minutes on the 24x7 clock, for 06-01 .. 06-08:
  Q1 complaint C1, M1, opened 06-02 10:00, waited 10:10 .. 10:40, resolved 11:00:
     30 minutes of business time (the 30 waited do not count), in SLA (due 11:30)
  Q2 complaint C2, M2, opened 06-03 10:00, resolved 12:00, reopened, resolved 13:00: late
  Q3 technical support request of L1, open: no SLA
  Q4 complaint C2 naming nobody (credited to the owner M2), open: breached
CO: 1 of 3 within SLA (0.333333333); T1 1 of 1; T2 0 of 2.
"""

import os
import tempfile
import unittest

import cadre

ADMIN = cadre.ADMIN
WEEK = {"from": "2025-06-01", "until": "2025-06-08"}
SLAS = [{"id": "c", "category": "complaint", "first_response": {"business_minutes": 30},
         "resolution": {"business_minutes": 60}}]


def case(id, when, case_id, stage, **fields):
    e = {"id": id, "kind": "case", "occurred_at": when + ":00+08:00", "reference": case_id, "stage": stage}
    e.update(fields)
    return e


def setup(ws):
    ws.put("org_units", "CO", {"name": "Co", "kind": "company"})
    ws.put("org_units", "T1", {"name": "Team 1", "kind": "team", "parent": "CO", "lead": "L1"})
    ws.put("org_units", "T2", {"name": "Team 2", "kind": "team", "parent": "CO"})
    for mid, team in (("L1", "T1"), ("M1", "T1"), ("M2", "T2"), ("M3", "T2")):
        ws.put("managers", mid, {"name": mid, "team": team})
    for cid in ("C1", "C2"):
        ws.put("customers", cid, {"name": cid})
    report = ws.ingest([
        {"id": "A1", "kind": "assignment", "occurred_at": "2025-05-01T10:00:00+08:00", "customer": "C1",
         "manager": "M1"},
        {"id": "A2", "kind": "assignment", "occurred_at": "2025-05-01T10:00:00+08:00", "customer": "C2",
         "manager": "M2"},
        case("Q1-o", "2025-06-02T10:00", "Q1", "opened", category="complaint", customer="C1", manager="M1",
             severity="high", channel="call"),
        case("Q1-w", "2025-06-02T10:10", "Q1", "waiting"),
        case("Q1-u", "2025-06-02T10:40", "Q1", "resumed"),
        case("Q1-s", "2025-06-02T11:00", "Q1", "resolved", reason="billing", outcome="refund"),
        case("Q2-o", "2025-06-03T10:00", "Q2", "opened", category="complaint", customer="C2", manager="M2"),
        case("Q2-s", "2025-06-03T12:00", "Q2", "resolved", reason="delivery"),
        case("Q2-re", "2025-06-03T12:30", "Q2", "reopened"),
        case("Q2-s2", "2025-06-03T13:00", "Q2", "resolved"),
        case("Q3-o", "2025-06-04T10:00", "Q3", "opened", category="technical", manager="L1"),
        case("Q4-o", "2025-06-05T10:00", "Q4", "opened", category="complaint", customer="C2"),
    ])
    assert report["accepted"] == 12, report


def ids(result, rows, key):
    return [r[key] for r in result.get(rows, [])]


class CaseQueryTest(unittest.TestCase):
    backend = "memory"

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        uri = "memory:" if self.backend == "memory" else "sqlite:" + os.path.join(self.tmp.name, "c.db")
        self.ws = cadre.open(uri, currency="CNY", time_zone="Asia/Shanghai")
        setup(self.ws)

    def tearDown(self):
        self.ws.close()
        self.tmp.cleanup()

    def test_cases_list_and_lifecycle(self):
        r = self.ws.query("cases", viewer=ADMIN)
        self.assertEqual(ids(r, "cases", "id"), ["Q1", "Q2", "Q3", "Q4"])
        q1, q2, q3, q4 = r["cases"]
        self.assertEqual(q1["waits"], [{"from": "2025-06-02T02:10:00Z", "until": "2025-06-02T02:40:00Z"}])
        self.assertEqual((q1["status"], q1["root_cause"], q1["severity"]), ("resolved", "billing", "high"))
        self.assertEqual((q2["reopened"], len(q2["resolutions"])), (1, 2))
        self.assertNotIn("root_cause", q2)  # the latest resolution gave none
        self.assertEqual(q3["type"], "support")
        self.assertEqual((q4["manager"], q4["manager_is_owner"]), ("M2", True))
        self.assertEqual(ids(self.ws.query("cases", viewer={"manager": "L1"}), "cases", "id"), ["Q1", "Q3"])
        self.assertEqual(ids(self.ws.query("cases", viewer={"manager": "M2"}), "cases", "id"), ["Q2", "Q4"])
        self.assertEqual(ids(self.ws.query("cases", viewer=ADMIN, status="open"), "cases", "id"), ["Q3", "Q4"])

    def test_figures_by_viewer(self):
        r = self.ws.query("case_figures", viewer=ADMIN, slas=SLAS, **WEEK)
        self.assertEqual(r["calendar"], "24x7")
        units = {u["unit"]: u for u in r["units"]}
        self.assertEqual([u["unit"] for u in r["units"]], ["CO", "T1", "T2"])
        co = units["CO"]
        self.assertEqual((co["resolved_in_sla"], co["resolved_late"], co["breached_open"], co["without_sla"]),
                         (1, 1, 1, 1))
        self.assertEqual(co["in_sla_ratio"], "0.333333333")
        self.assertEqual(units["T1"]["in_sla_ratio"], "1")
        self.assertEqual(units["T2"]["in_sla_ratio"], "0")
        # Q1 30 minutes, Q2 180 (opening to the latest resolution): average 105, median 105.
        self.assertEqual(co["resolution"]["average_minutes"], "105")
        self.assertEqual(co["resolution"]["median_minutes"], "105")
        self.assertEqual(co["reopen_rate"], "0.5")
        self.assertEqual(co["root_causes"], [{"key": "billing", "count": 1}, {"key": "unspecified", "count": 1}])

        lead = self.ws.query("case_figures", viewer={"manager": "L1"}, slas=SLAS, **WEEK)
        self.assertEqual(ids(lead, "managers", "manager"), ["L1", "M1"])
        self.assertEqual(ids(lead, "units", "unit"), ["T1"])
        own = self.ws.query("case_figures", viewer={"manager": "M2"}, slas=SLAS, **WEEK)
        self.assertEqual(ids(own, "managers", "manager"), ["M2"])
        self.assertEqual(own["managers"][0]["in_sla_ratio"], "0")

    def test_scope_and_refusals(self):
        with self.assertRaises(KeyError):
            self.ws.query("cases", viewer={"manager": "M2"}, manager="M1")
        with self.assertRaises(KeyError):
            self.ws.query("cases", viewer={"manager": "M2"}, customer="C1")
        with self.assertRaises(PermissionError):
            self.ws.query("case_figures", viewer={"manager": "M2"}, unit="T1", slas=SLAS, **WEEK)
        with self.assertRaises(ValueError) as raised:
            self.ws.query("case_figures", viewer=ADMIN, **{"from": "2025-06-08", "until": "2025-06-01"})
        self.assertIn("request.until", str(raised.exception))
        # An opening names its category.
        report = self.ws.ingest([case("X-o", "2025-06-02T10:00", "X", "opened")], mode=cadre.BEST_EFFORT)
        self.assertEqual(report["rejected"][0]["path"], "events[0].category")


class CaseQuerySqliteTest(CaseQueryTest):
    backend = "sqlite"


if __name__ == "__main__":
    unittest.main()
