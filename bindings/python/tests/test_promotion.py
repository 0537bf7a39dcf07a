"""Promotion from Python: a career ladder and the 'promotion_eligibility' query, by viewer.

The org: CO > T1 (lead L1: L1, M1), T2 (M2, M3); L1 has role 'lead' at level 2,
the others 'am' at level 1, but M3 is at the top level 3. The ladder 'am' asks,
to go from 1 to 2: 365 days of tenure, net_sales attainment >= 1 in 2 of the last
3 months, and a valid SAFE certification; from 2 to 3: 24 months.

As of 2025-07-01 (April, May, June complete):
  M1 hired 2024-07-01 (365 days: met), attainment 1.0 in April (exactly at the
     threshold), 1.2 in June, certified on 06-15: qualifies.
  M2 hired 2024-07-31 (335 days: 30 short), 0.5 in April, no target later,
     never certified: not yet.
  L1 hired 2023-01-01, level 2: 24 months reached on 2025-01-01: qualifies.
  M3 at the top.
"""

import os
import tempfile
import unittest

import cadre

ADMIN = cadre.ADMIN
DAY = "2025-07-01"


def sale(id, day, manager, amount):
    return {"id": id, "kind": "sale", "occurred_at": day + "T10:00:00+08:00", "manager": manager,
            "amount_minor": amount}


def setup(ws):
    ws.put("org_units", "CO", {"name": "Co", "kind": "company"})
    ws.put("org_units", "T1", {"name": "Team 1", "kind": "team", "parent": "CO", "lead": "L1"})
    ws.put("org_units", "T2", {"name": "Team 2", "kind": "team", "parent": "CO"})
    for mid, team, role, level, hired in (("L1", "T1", "lead", 2, "2023-01-01"), ("M1", "T1", "am", 1, "2024-07-01"),
                                          ("M2", "T2", "am", 1, "2024-07-31"), ("M3", "T2", "am", 3, "2024-01-01")):
        ws.put("managers", mid, {"name": mid, "team": team, "role": role, "level": level, "hired_on": hired})
    ws.put("courses", "SAFE", {"name": "Safety", "topic": "compliance",
                               "modules": [{"id": "S", "name": "Safety", "hours": "0.5"}],
                               "certification": {"valid_days": 30}})
    ws.put("career_ladders", "am", {
        "name": "Account managers", "roles": ["am", "lead"],
        "levels": [
            {"level": 1, "name": "Account manager", "promotion": {
                "tenure": {"days": 365},
                "attainment": [{"metric": "net_sales", "at_least": "1", "periods": 2, "of_last": 3}],
                "certifications": ["SAFE"]}},
            {"level": 2, "name": "Senior account manager", "promotion": {"tenure": {"months": 24}}},
            {"level": 3, "name": "Principal account manager"}]})
    for mid, period, value in (("M1", "2025-04", 1000), ("M1", "2025-06", 1000), ("M2", "2025-04", 1000)):
        ws.put("targets", "ns-%s-%s" % (mid, period),
               {"metric": "net_sales", "manager": mid, "period": period, "value": value, "proration": "none"})
    report = ws.ingest([
        sale("A1", "2025-04-10", "M1", 1000),   # exactly the target: attainment 1
        sale("J1", "2025-06-10", "M1", 1200),
        sale("A2", "2025-04-10", "M2", 500),
        {"id": "S-M1", "kind": "training_completed", "occurred_at": "2025-06-15T10:00:00+08:00", "manager": "M1",
         "reference": "SAFE"},
    ])
    assert report["accepted"] == 4, report


def ids(result):
    return [m["manager"] for m in result["managers"]]


class PromotionQueryTest(unittest.TestCase):
    backend = "memory"

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        uri = "memory:" if self.backend == "memory" else "sqlite:" + os.path.join(self.tmp.name, "p.db")
        self.ws = cadre.open(uri, currency="CNY", time_zone="Asia/Shanghai")
        setup(self.ws)

    def tearDown(self):
        self.ws.close()
        self.tmp.cleanup()

    def test_admin_list(self):
        r = self.ws.query("promotion_eligibility", viewer=ADMIN, as_of=DAY)
        self.assertEqual(r["as_of"], DAY)
        self.assertEqual(ids(r), ["L1", "M1", "M2", "M3"])
        self.assertEqual(r["qualifying"], ["L1", "M1"])
        rows = {m["manager"]: m for m in r["managers"]}
        self.assertEqual([rows[m]["status"] for m in ids(r)], ["qualifies", "qualifies", "not_yet", "top_level"])

        m1 = rows["M1"]
        self.assertEqual((m1["ladder"], m1["level"], m1["next_level"], m1["next_level_name"]),
                         ("am", 1, 2, "Senior account manager"))
        self.assertEqual((m1["criteria_met"], m1["criteria_total"]), (3, 3))
        attainment = m1["criteria"][1]
        self.assertEqual(attainment["kind"], "attainment")
        self.assertEqual([(p["period"], p["met"], p.get("attainment")) for p in attainment["periods"]],
                         [("2025-04", True, "1"), ("2025-05", False, None), ("2025-06", True, "1.2")])
        self.assertTrue(attainment["periods"][0]["exact"])
        self.assertEqual(attainment["periods"][1]["note"], "no target")

        m2 = rows["M2"]
        tenure, attainment, certification = m2["criteria"]
        self.assertEqual((tenure["met"], tenure["required"], tenure["actual"], tenure["gap"], tenure["reached_on"]),
                         (False, "365", "335", "30", "2025-07-31"))
        self.assertEqual((attainment["actual"], attainment["gap"]), ("0", "2"))
        self.assertEqual(attainment["periods"][0]["attainment"], "0.5")
        self.assertEqual(certification["explanation"], "certification SAFE: never earned by 2025-07-01")
        self.assertNotIn("next_level", rows["M3"])
        self.assertEqual(rows["M3"]["level_name"], "Principal account manager")

    def test_boundary_days(self):
        # A day earlier M1 is a day short of 365, and M1's certification (06-15 +
        # 30 days) expires after 07-14.
        before = self.ws.query("promotion_eligibility", viewer=ADMIN, manager="M1", as_of="2025-06-30")
        self.assertEqual(before["qualifying"], [])
        self.assertEqual(before["managers"][0]["criteria"][0]["gap"], "1")
        after = self.ws.query("promotion_eligibility", viewer=ADMIN, manager="M1", as_of="2025-07-15")
        cert = after["managers"][0]["criteria"][2]
        self.assertEqual((cert["met"], cert["expires_on"]), (False, "2025-07-14"))
        last = self.ws.query("promotion_eligibility", viewer=ADMIN, manager="M1", as_of="2025-07-14")
        self.assertEqual(last["qualifying"], ["M1"])

    def test_scope_by_viewer(self):
        lead = self.ws.query("promotion_eligibility", viewer=cadre.as_manager("L1"), as_of=DAY)
        self.assertEqual(ids(lead), ["L1", "M1"])
        own = self.ws.query("promotion_eligibility", viewer=cadre.as_manager("M2"), as_of=DAY)
        self.assertEqual(ids(own), ["M2"])
        self.assertEqual(own["qualifying"], [])
        team = self.ws.query("promotion_eligibility", viewer=ADMIN, unit="T2", as_of=DAY)
        self.assertEqual(ids(team), ["M2", "M3"])

        with self.assertRaises(cadre.NotFoundError) as hidden:
            self.ws.query("promotion_eligibility", viewer=cadre.as_manager("M2"), manager="M1", as_of=DAY)
        with self.assertRaises(KeyError) as unknown:
            self.ws.query("promotion_eligibility", viewer=ADMIN, manager="NOPE", as_of=DAY)
        self.assertEqual(str(hidden.exception).replace("M1", "X"), str(unknown.exception).replace("NOPE", "X"))
        with self.assertRaises(cadre.PermissionDeniedError):
            self.ws.query("promotion_eligibility", viewer=cadre.as_manager("M2"), unit="T1", as_of=DAY)
        with self.assertRaises(ValueError):
            self.ws.query("promotion_eligibility", viewer=ADMIN, manager="M1", unit="T1")

    def test_bad_ladders_are_refused(self):
        with self.assertRaises(cadre.InvalidArgumentError) as raised:
            self.ws.put("career_ladders", "bad", {"name": "Bad", "levels": [
                {"level": 1, "name": "A", "promotion": {
                    "attainment": [{"metric": "net_sales", "at_least": 1, "periods": 4, "of_last": 3}]}},
                {"level": 2, "name": "B"}]})
        self.assertIn("levels[0].promotion.attainment[0].periods: must be between 1 and of_last", str(raised.exception))
        with self.assertRaises(ValueError) as reviews:
            self.ws.put("career_ladders", "bad", {"name": "Bad", "levels": [
                {"level": 1, "name": "A", "promotion": {"reviews": {"min_rating": 4}}}, {"level": 2, "name": "B"}]})
        self.assertIn("reviews are not available yet", str(reviews.exception))


class PromotionQuerySqliteTest(PromotionQueryTest):
    backend = "sqlite"


if __name__ == "__main__":
    unittest.main()
