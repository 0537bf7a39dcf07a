"""KPI queries from Python: scorecards and leaderboards through Workspace.query, by viewer."""

import unittest

import cadre

ADMIN = cadre.ADMIN


def sale(id, customer, amount, when="2025-06-10T10:00:00+08:00", kind="sale"):
    # No manager on the event: the customer's owner is credited.
    return {"id": id, "kind": kind, "occurred_at": when, "customer": customer, "amount_minor": amount}


def survey(id, customer, scale, score, when="2025-06-12T10:00:00+08:00"):
    return {"id": id, "kind": "survey_response", "occurred_at": when, "customer": customer, "category": scale,
            "score": score}


def org(ws):
    """CO > T1 (lead L1: L1, M1), T2 (M2); one customer each."""
    ws.put("org_units", "CO", {"name": "Co", "kind": "company"})
    ws.put("org_units", "T1", {"name": "Team 1", "kind": "team", "parent": "CO", "lead": "L1"})
    ws.put("org_units", "T2", {"name": "Team 2", "kind": "team", "parent": "CO"})
    for mid, team in (("L1", "T1"), ("M1", "T1"), ("M2", "T2")):
        ws.put("managers", mid, {"name": mid, "team": team})
    for cid, owner in (("C1", "M1"), ("C2", "M2"), ("C3", "L1")):
        ws.put("customers", cid, {"name": cid})
        ws.ingest([{"id": "A-" + cid, "kind": "assignment", "occurred_at": "2025-01-01T00:00:00+08:00",
                    "customer": cid, "manager": owner}])
    ws.ingest([
        sale("S0", "C1", 40000, when="2025-05-10T10:00:00+08:00"),
        sale("S1", "C1", 120000),
        sale("R1", "C1", 20000, kind="return"),   # M1: 100000 net in June
        sale("S2", "C2", 60000),                  # M2: 60000
        sale("S3", "C3", 60000),                  # L1: 60000, a tie with M2
        survey("V1", "C1", "csat", 5),
        survey("V2", "C1", "csat", 4),            # M1: 4.5
        survey("V3", "C2", "csat", 3),            # M2: 3
    ])
    for tid, manager, metric, value in (("t1", "M1", "net_sales", "80000"), ("t2", "M2", "net_sales", "60000"),
                                        ("t3", "M1", "csat", "4"), ("t4", "M2", "csat", "4")):
        ws.put("targets", tid, {"metric": metric, "manager": manager, "period": "2025-06", "value": value})
    ws.put("scorecards", "monthly",
           {"name": "Monthly", "items": [{"metric": "net_sales", "weight": "2"}, {"metric": "csat"}]})


def rows(card, key="managers"):
    return {r["subject"]: r for r in card.get(key, [])}


class KpiQueryTest(unittest.TestCase):
    def setUp(self):
        self.ws = cadre.open("memory:", currency="CNY", time_zone="Asia/Shanghai")
        org(self.ws)

    def tearDown(self):
        self.ws.close()

    def test_scorecard_by_viewer(self):
        card = self.ws.query("scorecard", viewer=ADMIN, scorecard="monthly", period="2025-06")
        self.assertEqual(card["metrics"], ["net_sales", "csat"])
        self.assertEqual(card["weights"], [2, 1])
        self.assertEqual(sorted(rows(card)), ["L1", "M1", "M2"])
        self.assertEqual([u["subject"] for u in card["units"]], ["CO", "T1", "T2"])
        m1 = rows(card)["M1"]
        net, csat = m1["figures"]
        self.assertEqual(net["numerator"], 100000)
        self.assertEqual(net["value"], 100000)
        self.assertEqual(net["previous"], 40000)
        self.assertAlmostEqual(net["attainment"], 1.25)
        self.assertAlmostEqual(net["score"], 1.25)
        self.assertAlmostEqual(csat["value"], 4.5)
        self.assertAlmostEqual(csat["score"], 1.125)
        self.assertAlmostEqual(m1["total"], (2 * 1.25 + 1.125) / 3)
        m2 = rows(card)["M2"]
        self.assertAlmostEqual(m2["total"], (2 * 1.0 + 0.75) / 3)
        self.assertNotIn("total", rows(card)["L1"], "no target: no score, no total")
        # T1 adds its members' targets (80000; L1 has none); csat is recomputed from the responses.
        t1 = rows(card, "units")["T1"]
        self.assertEqual(t1["figures"][0]["value"], 160000)
        self.assertEqual(t1["figures"][0]["target"], 80000)
        self.assertAlmostEqual(t1["figures"][1]["value"], 4.5)
        self.assertAlmostEqual(rows(card, "units")["CO"]["figures"][1]["value"], 4.0)

        # A plain manager: only themselves, no units.
        mine = self.ws.query("scorecard", viewer=cadre.as_manager("M2"), scorecard="monthly", period="2025-06")
        self.assertEqual(list(rows(mine)), ["M2"])
        self.assertEqual(mine.get("units", []), [])
        self.assertEqual(rows(mine)["M2"], m2)
        # A lead: the team's managers, and the team when asked for it.
        lead = self.ws.query("scorecard", viewer=cadre.as_manager("L1"), scorecard="monthly", period="2025-06")
        self.assertEqual(sorted(rows(lead)), ["L1", "M1"])
        team = self.ws.query("scorecard", viewer=cadre.as_manager("L1"), scorecard="monthly", period="2025-06",
                             unit="T1")
        self.assertEqual([u["subject"] for u in team["units"]], ["T1"])
        self.assertEqual(rows(team, "units")["T1"], t1)

    def test_leaderboard_by_viewer(self):
        board = self.ws.query("leaderboard", viewer=ADMIN, metric="net_sales", period="2025-06")
        self.assertEqual([(e["manager"], e["rank"]) for e in board["entries"]], [("M1", 1), ("L1", 2), ("M2", 2)])
        self.assertEqual(board["entries"][0]["figure"]["value"], 100000)
        self.assertEqual(board["entries"][0]["team"], "T1")
        top = self.ws.query("leaderboard", viewer=ADMIN, metric="net_sales", period="2025-06", limit=1)
        self.assertEqual([e["manager"] for e in top["entries"]], ["M1"])
        csat = self.ws.query("leaderboard", viewer=ADMIN, metric="csat", period="2025-06")
        self.assertEqual([e["manager"] for e in csat["entries"]], ["M1", "M2", "L1"], "no value last")
        lead = self.ws.query("leaderboard", viewer=cadre.as_manager("L1"), metric="net_sales", period="2025-06")
        self.assertEqual([(e["manager"], e["rank"]) for e in lead["entries"]], [("M1", 1), ("L1", 2)])
        alone = self.ws.query("leaderboard", viewer=cadre.as_manager("M2"), metric="net_sales", period="2025-06")
        self.assertEqual([(e["manager"], e["rank"]) for e in alone["entries"]], [("M2", 1)])

    def test_bad_period_is_a_value_error_naming_the_path(self):
        for name, params in (("scorecard", {"scorecard": "monthly"}), ("leaderboard", {"metric": "net_sales"})):
            with self.subTest(query=name):
                with self.assertRaises(ValueError) as raised:
                    self.ws.query(name, viewer=ADMIN, period="2025-13", **params)
                self.assertIsInstance(raised.exception, cadre.InvalidArgumentError)
                self.assertEqual(raised.exception.path, "request.period")
                self.assertIn("request.period", str(raised.exception))
                self.assertIn("2025-13", str(raised.exception))
        with self.assertRaises(cadre.InvalidArgumentError) as both:
            self.ws.query("scorecard", viewer=ADMIN, scorecard="monthly", period="2025-06", manager="M1", unit="T1")
        self.assertEqual(both.exception.path, "request.unit")

    def test_out_of_scope(self):
        # A manager outside the scope reads exactly as an unknown one.
        with self.assertRaises(cadre.NotFoundError) as hidden:
            self.ws.query("scorecard", viewer=cadre.as_manager("M2"), scorecard="monthly", period="2025-06",
                          manager="M1")
        with self.assertRaises(KeyError) as unknown:
            self.ws.query("scorecard", viewer=cadre.as_manager("M2"), scorecard="monthly", period="2025-06",
                          manager="M9")
        self.assertEqual(str(hidden.exception).replace("M1", "X"), str(unknown.exception).replace("M9", "X"))
        with self.assertRaises(cadre.NotFoundError):
            self.ws.query("kpi_lineage", viewer=cadre.as_manager("L1"), metric="net_sales", manager="M2",
                          period="2025-06")
        # A unit the viewer does not lead.
        with self.assertRaises(cadre.PermissionDeniedError):
            self.ws.query("scorecard", viewer=cadre.as_manager("L1"), scorecard="monthly", period="2025-06",
                          unit="T2")
        with self.assertRaises(PermissionError):
            self.ws.query("scorecard", viewer=cadre.as_manager("M1"), scorecard="monthly", period="2025-06",
                          unit="T1")
        with self.assertRaises(cadre.PermissionDeniedError):
            self.ws.query("kpi_series", viewer=cadre.as_manager("M2"), metric="net_sales", unit="CO",
                          **{"from": "2025-05"}, count=2)


if __name__ == "__main__":
    unittest.main()
