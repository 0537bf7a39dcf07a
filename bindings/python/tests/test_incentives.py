"""Incentives from Python: plans as documents, statements with their trace,
closing a period, a late sale becoming an adjustment, a dispute, and what-if.

The org: CO > T1 (lead L1: M1, M2). Role 'am' is on plan 'am': 5 % of net sales
with a clawback window of 30 days. Amounts are CNY fen.
"""

import os
import tempfile
import unittest

import cadre

ADMIN = cadre.ADMIN


def sale(id, day, manager, customer, amount):
    return {"id": id, "kind": "sale", "occurred_at": day + "T10:00:00+08:00", "manager": manager,
            "customer": customer, "amount_minor": amount}


def setup(ws):
    ws.put("org_units", "CO", {"name": "Co", "kind": "company"})
    ws.put("org_units", "T1", {"name": "Team 1", "kind": "team", "parent": "CO", "lead": "L1"})
    ws.put("roles", "am", {"name": "Account manager", "incentive_plan": "am"})
    ws.put("roles", "lead", {"name": "Lead"})
    for mid, role in (("L1", "lead"), ("M1", "am"), ("M2", "am")):
        ws.put("managers", mid, {"name": mid, "team": "T1", "role": role, "hired_on": "2025-01-01"})
    ws.put("incentive_plans", "am", {
        "name": "AM plan",
        "components": [{"id": "commission", "type": "commission",
                        "commission": {"tiers": [{"from": "0", "rate": "0.05"}], "clawback": {"window_days": 30}}}]})
    report = ws.ingest([sale("S1", "2025-05-10", "M1", "C1", 100000), sale("S2", "2025-06-10", "M1", "C2", 40000),
                        sale("S3", "2025-05-12", "M2", "C3", 30000)])
    assert report["accepted"] == 3, report


class IncentiveTest(unittest.TestCase):
    backend = "memory"

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        uri = "memory:" if self.backend == "memory" else "sqlite:" + os.path.join(self.tmp.name, "i.db")
        self.ws = cadre.open(uri, currency="CNY", time_zone="Asia/Shanghai")
        setup(self.ws)

    def tearDown(self):
        self.ws.close()
        self.tmp.cleanup()

    def test_statement_with_its_trace(self):
        st = self.ws.query("statement", viewer=cadre.as_manager("M1"), manager="M1", period="2025-05",
                           expand_credits=True)
        self.assertEqual(st["total_minor"], 5000)  # 100,000 × 5 %
        line = st["lines"][0]
        self.assertEqual(line["kind"], "commission")
        self.assertEqual(line["base"], "100000")
        self.assertEqual([c["event"] for c in line["trace"]["credits"]], ["S1"])
        # Another manager's statement is not visible to M1.
        with self.assertRaises(cadre.NotFoundError):
            self.ws.query("statement", viewer=cadre.as_manager("M1"), manager="M2", period="2025-05")

    def test_close_then_a_late_sale_is_an_adjustment(self):
        closed = self.ws.command("close_period", viewer=ADMIN, period="2025-05", by="finance")
        self.assertEqual(closed["state"], "closed")
        with self.assertRaises(cadre.FailedPreconditionError):
            self.ws.command("close_period", viewer=ADMIN, period="2025-05", by="finance")
        self.ws.ingest([sale("S-late", "2025-05-30", "M1", "C4", 20000)])
        may = self.ws.query("statement", viewer=ADMIN, manager="M1", period="2025-05")
        self.assertEqual((may["state"], may["total_minor"]), ("closed", 5000))  # frozen
        june = self.ws.query("statement", viewer=ADMIN, manager="M1", period="2025-06")
        by_id = {line["id"]: line for line in june["lines"]}
        self.assertEqual(by_id["commission@2025-05"]["amount_minor"], 1000)  # 20,000 × 5 %
        self.assertEqual(june["total_minor"], 3000)                          # 2,000 own + 1,000
        period = self.ws.query("incentive_period", viewer=ADMIN, period="2025-05")
        self.assertEqual(period["history"][0]["body"]["by"], "finance")

    def test_dispute_accepted_once(self):
        self.ws.command("raise_dispute", viewer=cadre.as_manager("M2"), id="D1", manager="M2", period="2025-05",
                        line="commission", reason="a sale is missing")
        self.ws.command("resolve_dispute", viewer=ADMIN, id="D1", accept=True, adjustment_minor=250,
                        resolution="keyed late", by="finance")
        with self.assertRaises(cadre.FailedPreconditionError):
            self.ws.command("resolve_dispute", viewer=ADMIN, id="D1", accept=False, resolution="no", by="x")
        june = self.ws.query("statement", viewer=ADMIN, manager="M2", period="2025-06")
        self.assertEqual(june["total_minor"], 250)  # no June sales; the dispute's adjustment

    def test_what_if_changes_nothing(self):
        candidate = {"id": "am-8", "name": "8 %", "components": [
            {"id": "commission", "type": "commission", "commission": {"tiers": [{"from": "0", "rate": "0.08"}]}}]}
        report = self.ws.query("what_if", viewer=ADMIN, plan="am", candidate=candidate, first="2025-05", periods=2)
        # In force: M1 5,000 + 2,000, M2 1,500 = 8,500; at 8 %: 8,000 + 3,200 + 2,400 = 13,600.
        self.assertEqual(report["current_minor"], 8500)
        self.assertEqual(report["candidate_minor"], 13600)
        self.assertEqual([m["manager"] for m in report["gainers"]], ["M1", "M2"])
        self.assertEqual(self.ws.query("statement", viewer=ADMIN, manager="M1", period="2025-05")["total_minor"], 5000)


class IncentiveSqliteTest(IncentiveTest):
    backend = "sqlite"


if __name__ == "__main__":
    unittest.main()
