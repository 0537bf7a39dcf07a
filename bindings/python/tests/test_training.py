"""Training from Python: courses, requirements and the 'training' query, by viewer.

The org: CO > T1 (lead L1: L1, M1), T2 (M2, M3); L1 has role 'lead', the others
'am'; all hired on 2025-01-01. As of 2025-06-15: L1 passed PK (1 of 1), M1 PK and
SAFE (2 of 2), M2 nothing (0 of 2), M3 PK (1 of 2). T1 3/3, T2 1/4, CO 4/7 (not
the 0.625 that averaging the teams' or the managers' ratios would give).
"""

import os
import tempfile
import unittest

import cadre

ADMIN = cadre.ADMIN
DAY = "2025-06-15"


def completed(id, day, manager, course, module=None, score=None):
    e = {"id": id, "kind": "training_completed", "occurred_at": day + "T10:00:00+08:00", "manager": manager,
         "reference": course}
    if module is not None:
        e["category"] = module
    if score is not None:
        e["score"] = score
    return e


def setup(ws):
    ws.put("org_units", "CO", {"name": "Co", "kind": "company"})
    ws.put("org_units", "T1", {"name": "Team 1", "kind": "team", "parent": "CO", "lead": "L1"})
    ws.put("org_units", "T2", {"name": "Team 2", "kind": "team", "parent": "CO"})
    for mid, team, role in (("L1", "T1", "lead"), ("M1", "T1", "am"), ("M2", "T2", "am"), ("M3", "T2", "am")):
        ws.put("managers", mid, {"name": mid, "team": team, "role": role, "hired_on": "2025-01-01"})
    ws.put("courses", "PK", {"name": "Product knowledge", "topic": "product_knowledge",
                             "modules": [{"id": "A", "name": "Appliances", "hours": 2},
                                         {"id": "B", "name": "Bedding", "hours": 3},
                                         {"id": "C", "name": "Care", "hours": "1.5"}]})
    ws.put("courses", "SAFE", {"name": "Safety", "topic": "compliance",
                               "modules": [{"id": "S", "name": "Safety", "hours": "0.5"}],
                               "certification": {"valid_days": 30}})
    ws.put("training_requirements", "am-pk", {"role": "am", "course": "PK", "within_days": 30})
    ws.put("training_requirements", "am-safe", {"role": "am", "course": "SAFE", "within_days": 30})
    ws.put("training_requirements", "lead-pk", {"role": "lead", "course": "PK", "within_days": 30})
    report = ws.ingest([
        completed("P-L1", "2025-03-01", "L1", "PK"),
        completed("A-M1", "2025-03-01", "M1", "PK", "A"),
        completed("B-M1", "2025-03-02", "M1", "PK", "B"),
        completed("C-M1", "2025-03-03", "M1", "PK", "C"),   # the last module: PK passed on 03-03
        completed("S-M1", "2025-06-01", "M1", "SAFE"),      # certified 06-01 .. 06-30
        completed("P-M3", "2025-03-01", "M3", "PK"),
    ])
    assert report["accepted"] == 6, report


def ids(result, rows="managers", key="manager"):
    return [r[key] for r in result.get(rows, [])]


class TrainingQueryTest(unittest.TestCase):
    backend = "memory"

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        uri = "memory:" if self.backend == "memory" else "sqlite:" + os.path.join(self.tmp.name, "t.db")
        self.ws = cadre.open(uri, currency="CNY", time_zone="Asia/Shanghai")
        setup(self.ws)

    def tearDown(self):
        self.ws.close()
        self.tmp.cleanup()

    def test_admin_report_and_roll_ups(self):
        r = self.ws.query("training", viewer=ADMIN, as_of=DAY)
        self.assertEqual(r["as_of"], DAY)
        self.assertEqual(ids(r), ["L1", "M1", "M2", "M3"])
        units = {u["unit"]: u for u in r["units"]}
        self.assertEqual([u["unit"] for u in r["units"]], ["CO", "T1", "T2"])
        self.assertEqual((units["CO"]["met"], units["CO"]["required"], units["CO"]["ratio"]), (4, 7, "0.571428571"))
        self.assertEqual((units["T1"]["met"], units["T1"]["required"], units["T1"]["ratio"]), (3, 3, "1"))
        self.assertEqual((units["T2"]["met"], units["T2"]["required"], units["T2"]["ratio"]), (1, 4, "0.25"))
        self.assertEqual(units["CO"]["managers_compliant"], 2)
        self.assertEqual(units["CO"]["hours"], "20")   # 6.5 + (6.5 + 0.5) + 6.5

        m1 = r["managers"][1]
        self.assertEqual(m1["passed"], [
            {"course": "PK", "first_passed_on": "2025-03-03", "last_passed_on": "2025-03-03", "passes": 1},
            {"course": "SAFE", "first_passed_on": "2025-06-01", "last_passed_on": "2025-06-01", "passes": 1}])
        self.assertEqual(m1["certifications"], [
            {"course": "SAFE", "earned_on": "2025-06-01", "expires_on": "2025-06-30", "days_left": 15,
             "status": "expiring"}])
        self.assertEqual([(q["requirement"], q["status"]) for q in m1["requirements"]],
                         [("am-pk", "met"), ("am-safe", "met")])
        m2 = r["managers"][2]
        self.assertEqual([q["status"] for q in m2["requirements"]], ["overdue", "overdue"])   # due 01-31
        self.assertFalse(m2["compliant"])

    def test_certification_boundary(self):
        last = self.ws.query("training", viewer=ADMIN, manager="M1", as_of="2025-06-30", expiring_within_days=0)
        self.assertEqual(last["managers"][0]["certifications"][0]["status"], "expiring")   # its last valid day
        self.assertEqual(last["managers"][0]["requirements"][1]["status"], "met")
        after = self.ws.query("training", viewer=ADMIN, manager="M1", as_of="2025-07-01", expiring_within_days=0)
        self.assertEqual(after["managers"][0]["certifications"][0]["status"], "expired")
        self.assertEqual(after["managers"][0]["requirements"][1]["status"], "lapsed")
        self.assertNotIn("units", after)

    def test_scope_by_viewer(self):
        lead = self.ws.query("training", viewer=cadre.as_manager("L1"), as_of=DAY)
        self.assertEqual(ids(lead), ["L1", "M1"])
        self.assertEqual(ids(lead, "units", "unit"), ["T1"])
        own = self.ws.query("training", viewer=cadre.as_manager("M2"), as_of=DAY)
        self.assertEqual(ids(own), ["M2"])
        self.assertNotIn("units", own)

        with self.assertRaises(cadre.NotFoundError) as hidden:
            self.ws.query("training", viewer=cadre.as_manager("M2"), manager="M1", as_of=DAY)
        with self.assertRaises(KeyError) as unknown:
            self.ws.query("training", viewer=ADMIN, manager="NOPE", as_of=DAY)
        self.assertEqual(str(hidden.exception).replace("M1", "X"), str(unknown.exception).replace("NOPE", "X"))
        with self.assertRaises(cadre.PermissionDeniedError):
            self.ws.query("training", viewer=cadre.as_manager("M2"), unit="T1", as_of=DAY)
        with self.assertRaises(PermissionError):
            self.ws.query("training", viewer=cadre.as_manager("L1"), unit="CO", as_of=DAY)
        with self.assertRaises(ValueError):
            self.ws.query("training", viewer=ADMIN, manager="M1", unit="T1")

    def test_unknown_course_is_reported(self):
        self.ws.ingest([completed("X-1", "2025-06-02", "M2", "NOPE")])
        r = self.ws.query("training", viewer=ADMIN, as_of=DAY)
        self.assertEqual(r["issues"], [{"event": "X-1", "manager": "M2", "course": "NOPE",
                                        "problem": "no course with this id is in force on 2025-06-15"}])

    def test_bad_documents_and_events_are_refused(self):
        with self.assertRaises(cadre.InvalidArgumentError) as raised:
            self.ws.put("courses", "EMPTY", {"name": "Empty", "topic": "other", "modules": []})
        self.assertIn("modules: must list at least one module", str(raised.exception))
        report = self.ws.ingest([completed("BAD", "2025-06-02", "M1", "PK", score="100.5")], mode=cadre.BEST_EFFORT)
        self.assertEqual(report["rejected"][0]["path"], "events[0].score")


class TrainingQuerySqliteTest(TrainingQueryTest):
    backend = "sqlite"


if __name__ == "__main__":
    unittest.main()
