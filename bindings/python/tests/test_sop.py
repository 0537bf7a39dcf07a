"""SOPs from Python: a calendar and two SOPs as documents, instances started by
events, the sop_instances / sop_instance / today / sop_escalate queries by viewer.

The org: CO (lead L0) > T1 (lead L1: M1, M2), T2 (M3). Calendar "cn": Mon-Fri
09:00-12:00 and 13:00-18:00 Shanghai time, Labour Day (Fri 2026-05-01) off.
A complaint opened Thu 2026-04-30 16:00 must be answered within 8 business
hours: Thu 16-18 (2h), the holiday and the weekend skipped, Mon 09-12 (5h) and
13-16 (8h): due Mon 2026-05-04 16:00 (08:00Z).
"""

import os
import tempfile
import unittest

import cadre

ADMIN = cadre.ADMIN
NOW = "2026-05-04T16:30:00+08:00"

CALENDAR = {"time_zone": "Asia/Shanghai",
            "hours": [{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "12:00"},
                      {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "13:00", "to": "18:00"}],
            "holidays": [{"on": "2026-05-01", "name": "Labour Day"}]}

COMPLAINT = {"name": "Complaint handling", "calendar": "cn",
             "trigger": {"on": "case_opened", "categories": ["complaint"]},
             "steps": [{"id": "respond", "name": "Respond", "role": "owner", "within": {"business_hours": 8},
                        "completed_by": {"case_stage": "responded"},
                        "escalations": [{"after": {"business_hours": 0}, "action": "notify_lead"}]}]}

ONBOARDING = {"name": "Onboarding", "trigger": {"on": "customer_assigned"},
              "steps": [{"id": "first_contact", "name": "First contact", "role": "owner", "within": {"days": 2},
                         "completed_by": {"interaction": {"channel": "call"}}}]}


def setup(ws):
    ws.put("org_units", "CO", {"name": "Co", "kind": "company", "lead": "L0"})
    ws.put("org_units", "T1", {"name": "Team 1", "kind": "team", "parent": "CO", "lead": "L1"})
    ws.put("org_units", "T2", {"name": "Team 2", "kind": "team", "parent": "CO"})
    for mid, team in (("L0", "CO"), ("L1", "T1"), ("M1", "T1"), ("M2", "T1"), ("M3", "T2")):
        ws.put("managers", mid, {"name": mid, "team": team})
    ws.put("calendars", "cn", CALENDAR)
    ws.put("sops", "complaint", COMPLAINT)
    ws.put("sops", "onboarding", ONBOARDING)
    report = ws.ingest([
        {"id": "O1", "kind": "case", "occurred_at": "2026-04-30T16:00:00+08:00", "reference": "C1",
         "stage": "opened", "category": "complaint", "customer": "K1", "manager": "M1", "severity": "low"},
        {"id": "A3", "kind": "assignment", "occurred_at": "2026-05-04T08:00:00+08:00", "customer": "K3",
         "manager": "M3"},
    ])
    assert report["accepted"] == 2, report


def ids(result):
    return [i["id"] for i in result.get("instances", [])]


class SopQueryTest(unittest.TestCase):
    backend = "memory"

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        uri = "memory:" if self.backend == "memory" else "sqlite:" + os.path.join(self.tmp.name, "s.db")
        self.ws = cadre.open(uri, currency="CNY", time_zone="Asia/Shanghai")
        setup(self.ws)

    def tearDown(self):
        self.ws.close()
        self.tmp.cleanup()

    def test_instances_by_viewer(self):
        self.assertEqual(ids(self.ws.query("sop_instances", viewer=ADMIN, now=NOW)), ["complaint/C1", "onboarding/A3"])
        self.assertEqual(ids(self.ws.query("sop_instances", viewer=cadre.as_manager("L1"), now=NOW)),
                         ["complaint/C1"])
        self.assertEqual(ids(self.ws.query("sop_instances", viewer=cadre.as_manager("M2"), now=NOW)), [])
        with self.assertRaises(cadre.NotFoundError):
            self.ws.query("sop_instances", viewer=cadre.as_manager("M3"), manager="M1", now=NOW)

    def test_business_hours_across_the_holiday(self):
        c1 = self.ws.query("sop_instance", viewer=ADMIN, id="complaint/C1", now="2026-05-04T13:00:00+08:00")
        step = c1["steps"][0]
        self.assertEqual(step["due_at"], "2026-05-04T08:00:00Z")
        self.assertEqual(step["status"], "running")
        late = self.ws.query("sop_instance", viewer=ADMIN, id="complaint/C1", now=NOW)
        self.assertEqual(late["steps"][0]["status"], "breached")
        with self.assertRaises(KeyError):
            self.ws.query("sop_instance", viewer=cadre.as_manager("M3"), id="complaint/C1", now=NOW)

    def test_escalation_once_and_today(self):
        with self.assertRaises(PermissionError):
            self.ws.query("sop_escalate", viewer=cadre.as_manager("L1"), now=NOW)
        first = self.ws.query("sop_escalate", viewer=ADMIN, now=NOW)
        self.assertEqual([e["id"] for e in first["events"]], ["sop-escalation:complaint/C1/respond/0"])
        self.assertEqual(first["events"][0]["manager"], "L1")
        # A plan: written only when ingested, and recorded once however often.
        self.assertEqual(self.ws.query("sop_escalate", viewer=ADMIN, now=NOW), first)
        self.ws.ingest(first["events"])
        self.ws.ingest(first["events"])
        self.assertEqual(self.ws.query("sop_escalate", viewer=ADMIN, now=NOW)["events"], [])
        mine = self.ws.query("today", viewer=cadre.as_manager("M1"), now=NOW)
        self.assertEqual([(i["ref"], i["urgency"]) for i in mine["items"]], [("complaint/C1#respond", "breached")])
        lead = self.ws.query("today", viewer=cadre.as_manager("L1"), now=NOW)
        self.assertEqual([i["ref"] for i in lead["items"]], ["complaint/C1#respond"])
        self.assertTrue(lead["items"][0]["why"].startswith("escalated to you"))
        with self.assertRaises(ValueError):
            self.ws.query("today", viewer=ADMIN, now=NOW)

    def test_bad_sop_refused_with_its_path(self):
        bad = dict(ONBOARDING, steps=[dict(ONBOARDING["steps"][0], within={"days": 2, "business_hours": 8})])
        with self.assertRaises(cadre.InvalidArgumentError) as raised:
            self.ws.put("sops", "bad", bad)
        self.assertIn("steps[0].within: give exactly one of days, business_hours and business_minutes",
                      str(raised.exception))


class SopQuerySqliteTest(SopQueryTest):
    backend = "sqlite"


if __name__ == "__main__":
    unittest.main()
