"""The CRM from Python: viewers, import and export, pipeline and follow-ups."""

import io
import os
import tempfile
import unittest

import cadre

ADMIN = cadre.ADMIN


def org(ws):
    ws.put("org_units", "CO", {"name": "Co", "kind": "company"})
    ws.put("org_units", "T1", {"name": "Team 1", "kind": "team", "parent": "CO", "lead": "L1"})
    ws.put("org_units", "T2", {"name": "Team 2", "kind": "team", "parent": "CO"})
    for mid, team in (("L1", "T1"), ("M1", "T1"), ("M2", "T2")):
        ws.put("managers", mid, {"name": mid, "team": team})
    ws.put("pipelines", "default", {
        "id": "default", "name": "Retail",
        "stages": [{"id": "lead", "name": "Lead", "win_probability": "0.2"},
                   {"id": "won", "name": "Won", "win_probability": "1", "outcome": "won"},
                   {"id": "lost", "name": "Lost", "win_probability": "0", "outcome": "lost"}]})
    for cid, owner in (("C1", "M1"), ("C2", "M2")):
        ws.put("customers", cid, {"name": cid})
        ws.ingest([{"id": "A-" + cid, "kind": "assignment", "occurred_at": "2025-01-01T00:00:00+08:00",
                    "customer": cid, "manager": owner}])


class ViewerTest(unittest.TestCase):
    def setUp(self):
        self.ws = cadre.open("memory:", currency="CNY", time_zone="Asia/Shanghai")
        org(self.ws)

    def tearDown(self):
        self.ws.close()

    def test_viewer_is_required_and_scopes_customers(self):
        with self.assertRaises(TypeError):
            self.ws.query("org_tree")  # pylint: disable=missing-kwoa
        self.assertEqual(self.ws.query("customer_360", viewer=cadre.as_manager("M1"), customer="C1")["owner"], "M1")
        # The lead of T1 sees M1's customer; M2's customer reads as missing, to both.
        self.assertEqual(self.ws.query("customer_360", viewer=cadre.as_manager("L1"), customer="C1")["owner"], "M1")
        with self.assertRaises(cadre.NotFoundError) as probed:
            self.ws.query("customer_360", viewer=cadre.as_manager("L1"), customer="C2")
        with self.assertRaises(cadre.NotFoundError) as missing:
            self.ws.query("customer_360", viewer=cadre.as_manager("L1"), customer="C9")
        self.assertEqual(str(probed.exception).replace("C2", "X"), str(missing.exception).replace("C9", "X"))
        with self.assertRaises(KeyError):
            self.ws.query("customer_360", viewer=cadre.as_manager("M2"), customer="C1")
        with self.assertRaises(cadre.PermissionDeniedError):
            self.ws.query("pool_sweep", viewer=cadre.as_manager("M1"), policy="p", now="2025-06-01T00:00:00Z")

    def test_pipeline_and_follow_ups(self):
        self.ws.ingest([
            {"id": "O1-a", "kind": "opportunity", "occurred_at": "2025-03-01T10:00:00+08:00", "customer": "C1",
             "reference": "O1", "stage": "lead", "amount_minor": 100000},
            {"id": "O2-a", "kind": "opportunity", "occurred_at": "2025-03-02T10:00:00+08:00", "customer": "C2",
             "reference": "O2", "stage": "lead", "amount_minor": 50000},
            {"id": "F1", "kind": "follow_up", "occurred_at": "2025-03-01T10:00:00+08:00", "customer": "C1",
             "next_step": "call back", "due_on": "2025-03-03"},
            {"id": "F1-done", "kind": "follow_up_done", "occurred_at": "2025-03-03T23:30:00+08:00",
             "reference": "F1"},
        ])
        everyone = self.ws.query("pipeline", viewer=ADMIN, as_of="2025-04-01T00:00:00+08:00")
        self.assertEqual(everyone["total"]["weighted_minor"], 20000 + 10000)
        lead = self.ws.query("pipeline", viewer=cadre.as_manager("L1"), as_of="2025-04-01T00:00:00+08:00")
        self.assertEqual(lead["total"]["weighted_minor"], 20000)
        self.assertEqual([m["manager"] for m in lead["managers"]], ["L1", "M1"])
        view = self.ws.query("customer_360", viewer=ADMIN, customer="C1", as_of="2025-03-02T00:00:00+08:00")
        self.assertEqual([o["id"] for o in view["open_opportunities"]], ["O1"])
        self.assertEqual([t["id"] for t in view["open_tasks"]], ["F1"])
        tasks = self.ws.query("follow_ups", viewer=cadre.as_manager("M1"), manager="M1",
                              now="2025-03-05T00:00:00+08:00")["tasks"]
        self.assertEqual(len(tasks), 1)
        self.assertEqual(tasks[0]["status"], "done")
        self.assertTrue(tasks[0]["done_on_time"], "23:30 in Shanghai is still the due day")


class ImportExportTest(unittest.TestCase):
    def setUp(self):
        self.ws = cadre.open("memory:", currency="CNY", time_zone="Asia/Shanghai")

    def tearDown(self):
        self.ws.close()

    CSV = ("id,occurred_at,customer,amount_minor,category,attributes.till\n"
           "S1,2025-06-18T10:00:00+08:00,C1,500,tea,T1\n"
           "S2,2025-06-18T11:00:00+08:00,C1,12k,tea,T2\n"
           "S3,2025-06-18T12:00:00+08:00,C2,900,\"rice, brown\",\n")

    def test_import_from_a_file_object_with_progress_and_errors(self):
        seen = []
        report = self.ws.import_records("purchases", io.BytesIO(self.CSV.encode()), mode=cadre.BEST_EFFORT,
                                        batch_size=1, progress=seen.append)
        self.assertEqual((report["accepted"], report["rejected"]), (2, 1))
        error = report["errors"][0]
        self.assertEqual((error["row"], error["line"], error["column"], error["value"]), (2, 3, "amount_minor", "12k"))
        self.assertEqual([p["rows_read"] for p in seen], [1, 2, 3])
        self.assertEqual(seen[-1]["rows_committed"], 2)
        # Again: duplicates, nothing counted twice.
        again = self.ws.import_records("purchases", io.BytesIO(self.CSV.encode()), mode=cadre.BEST_EFFORT)
        self.assertEqual((again["accepted"], again["duplicates"]), (0, 2))

    def test_progress_can_stop_and_its_exception_comes_back(self):
        report = self.ws.import_records("purchases", io.BytesIO(self.CSV.encode()), mode=cadre.BEST_EFFORT,
                                        batch_size=1, progress=lambda p: False)
        self.assertTrue(report["stopped"])
        self.assertEqual(report["rows_read"], 1)

        def boom(_):
            raise RuntimeError("host gave up")

        with self.assertRaises(RuntimeError):
            self.ws.import_records("purchases", io.BytesIO(self.CSV.encode()), progress=boom)

    def test_export_and_reimport_through_files(self):
        self.ws.import_records("purchases", io.BytesIO(self.CSV.encode()), mode=cadre.BEST_EFFORT)
        with tempfile.TemporaryDirectory() as d:
            for name in ("p.csv", "p.ndjson"):
                path = os.path.join(d, name)
                self.assertEqual(self.ws.export_records("purchases", path)["rows"], 2)
                with cadre.open("memory:", currency="CNY", time_zone="Asia/Shanghai") as copy:
                    self.assertEqual(copy.import_records("purchases", path)["accepted"], 2)
                    self.assertEqual([e["event"]["id"] for e in copy.scan()], ["S1", "S3"])
                    self.assertEqual(copy.scan()[1]["event"]["category"], "rice, brown")
        out = io.BytesIO()
        result = self.ws.export_records("purchases", out, format="ndjson", customer="C2")
        self.assertEqual(result["rows"], 1)
        self.assertIn(b'"category":"rice, brown"', out.getvalue())

    def test_bad_options_name_the_key(self):
        with self.assertRaises(cadre.InvalidArgumentError) as cm:
            self.ws.import_records("pets", io.BytesIO(b""))
        self.assertEqual(cm.exception.path, "options.kind")
        with self.assertRaises(cadre.NotFoundError):
            self.ws.import_records("customers", "/nonexistent/customers.csv")


if __name__ == "__main__":
    unittest.main()
