"""Tests of the cadre Python package (run with: python3 -m unittest discover -s tests).

They need libcadre: set CADRE_LIBRARY to the built library (ctest does).
"""

import datetime as dt
import decimal
import os
import tempfile
import threading
import unittest

import cadre

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def sale(id, amount, customer="C1", manager="M1", when="2025-06-18T10:00:00+08:00"):
    return {"id": id, "kind": "sale", "occurred_at": when, "customer": customer, "manager": manager,
            "amount_minor": amount}


class WorkspaceTest(unittest.TestCase):
    def setUp(self):
        self.ws = cadre.open("memory:", currency="CNY", time_zone="Asia/Shanghai")

    def tearDown(self):
        self.ws.close()

    def test_settings_and_version(self):
        self.assertEqual(self.ws.settings["currency"], "CNY")
        self.assertEqual(self.ws.settings["time_zone"], "Asia/Shanghai")
        self.assertEqual(cadre.library_version(), cadre.__version__)

    def test_put_get_list_history_delete(self):
        meta = self.ws.put("managers", "M1", {"name": "Li Wei", "team": "T1", "level": 2})
        self.assertEqual(meta["version"], 1)
        doc = self.ws.get("managers", "M1")
        self.assertEqual(doc["body"], {"id": "M1", "name": "Li Wei", "team": "T1", "level": 2, "status": "active"})
        self.ws.put("managers", "M1", {"name": "Li Wei", "team": "T2", "level": 3},
                    effective_from=dt.datetime(2025, 7, 1, tzinfo=SHANGHAI))
        self.assertEqual(self.ws.get("managers", "M1", as_of="2025-06-30T00:00:00Z")["body"]["level"], 2)
        self.assertEqual(self.ws.get("managers", "M1")["body"]["level"], 3)
        self.assertEqual([d["id"] for d in self.ws.list("managers")], ["M1"])
        self.assertEqual([v["version"] for v in self.ws.history("managers", "M1")], [1, 2])
        self.assertEqual(self.ws.delete("managers", "M1"), 3)
        with self.assertRaises(KeyError):
            self.ws.get("managers", "M1")

    def test_errors_are_builtin_subclasses_with_details(self):
        with self.assertRaises(ValueError) as cm:
            self.ws.put("managers", "M1", {"name": "Li", "team": "T1", "level": "senior"})
        e = cm.exception
        self.assertIsInstance(e, cadre.InvalidArgumentError)
        self.assertEqual(e.path, "level")
        self.assertEqual(e.value, "senior")
        self.assertIn("expected integer", str(e))
        with self.assertRaises(cadre.NotFoundError) as cm:
            self.ws.get("customers", "nobody")
        self.assertIsInstance(cm.exception, KeyError)
        self.assertIn("nobody", str(cm.exception))

    def test_stale_version_is_conflict(self):
        self.ws.put("customers", "C1", {"name": "A"})
        self.ws.put("customers", "C1", {"name": "B"}, expected_version=1)
        with self.assertRaises(cadre.ConflictError):
            self.ws.put("customers", "C1", {"name": "C"}, expected_version=1)
        self.assertEqual(self.ws.get("customers", "C1")["body"]["name"], "B")

    def test_ingest_dicts_duplicates_and_rejections(self):
        report = self.ws.ingest([sale("S1", 100), sale("S2", 250)])
        self.assertEqual((report["accepted"], report["duplicates"], report["committed"]), (2, 0, True))
        bad = sale("S3", 1)
        bad["amount_minor"] = "12k"
        report = self.ws.ingest([sale("S1", 100), bad], mode=cadre.BEST_EFFORT)
        self.assertEqual(report["duplicates"], 1)
        self.assertEqual(report["rejected"][0]["path"], "events[1].amount_minor")
        self.assertEqual(report["rejected"][0]["message"], 'events[1].amount_minor: expected integer, got "12k"')
        report = self.ws.ingest([sale("S4", 1), bad])  # atomic: nothing written
        self.assertFalse(report["committed"])
        self.assertEqual(self.ws.high_water_mark(), 2)
        with self.assertRaises(ValueError):
            self.ws.ingest([], mode="sometimes")

    def test_datetime_and_decimal_values(self):
        event = {"id": "I1", "kind": "interaction", "occurred_at": dt.datetime(2025, 3, 1, 9, 30, tzinfo=SHANGHAI),
                 "customer": "C1", "channel": "visit", "score": decimal.Decimal("4.5")}
        self.assertEqual(self.ws.ingest([event])["accepted"], 1)
        logged = self.ws.scan()[0]["event"]
        self.assertEqual(logged["occurred_at"], "2025-03-01T01:30:00Z")
        self.assertEqual(logged["score"], "4.5")
        with self.assertRaises(ValueError):
            self.ws.ingest([dict(event, id="I2", occurred_at=dt.datetime(2025, 3, 1))])

    def test_scan_filters(self):
        self.ws.ingest([sale("S1", 1, manager="M1"), sale("S2", 2, manager="M2"),
                        sale("S3", 3, manager="M1", when="2025-07-01T10:00:00+08:00")])
        self.assertEqual([e["event"]["id"] for e in self.ws.scan(manager="M1")], ["S1", "S3"])
        june = self.ws.scan(from_="2025-06-01T00:00:00+08:00", until=dt.datetime(2025, 7, 1, tzinfo=SHANGHAI))
        self.assertEqual(len(june), 2)
        self.assertEqual([e["seq"] for e in self.ws.scan(order="by_seq", after_seq=1, limit=1)], [2])
        with self.assertRaises(cadre.InvalidArgumentError) as cm:
            self.ws.scan(colour="red")
        self.assertEqual(cm.exception.path, "colour")

    def test_csv_and_ndjson_files(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "sales.csv")
            with open(path, "w", encoding="utf-8") as f:
                f.write("id,kind,occurred_at,customer,amount_minor,quantity,attributes.promo\n"
                        "S1,sale,2025-06-18T10:00:00+08:00,C1,1000,2,618\n"
                        "S2,sale,2025-06-18T11:00:00+08:00,C2,12k,,\n")
            report = self.ws.ingest_file(path, mode=cadre.BEST_EFFORT)
            self.assertEqual(report["accepted"], 1)
            self.assertEqual(report["rejected"][0]["path"], "events[1].amount_minor")
            logged = self.ws.scan()[0]["event"]
            self.assertEqual(logged["attributes"], {"promo": "618"})
            self.assertEqual(logged["quantity"], 2)
            ndjson = os.path.join(d, "more.ndjson")
            with open(ndjson, "w", encoding="utf-8") as f:
                f.write('{"id":"R1","kind":"return","occurred_at":"2025-06-20T10:00:00+08:00",'
                        '"customer":"C1","amount_minor":400,"reference":"S1"}\n\n')
            self.assertEqual(self.ws.ingest_file(ndjson)["accepted"], 1)

    def test_fast_path_sales(self):
        when = dt.datetime(2025, 6, 18, 10, tzinfo=SHANGHAI)
        report = self.ws.ingest_sales([
            {"id": "F1", "customer": "C1", "occurred_at": when, "amount_minor": 500, "quantity": 1},
            {"id": "F2", "customer": "C1", "occurred_at": when, "amount_minor": 200, "kind": "return"},
            {"id": "F3", "occurred_at": when, "amount_minor": 200},  # neither customer nor manager
        ], mode=cadre.BEST_EFFORT)
        self.assertEqual(report["accepted"], 2)
        self.assertEqual(report["rejected"][0]["index"], 2)
        kinds = [e["event"]["kind"] for e in self.ws.scan(order="by_seq")]
        self.assertEqual(kinds, ["sale", "return"])
        with self.assertRaises(cadre.InvalidArgumentError) as cm:
            self.ws.ingest_sales([{"id": "F4", "customer": "C1", "occurred_at": when, "amount_minor": 1,
                                   "kind": "refund"}])
        self.assertEqual(cm.exception.path, "rows[0].kind")
        with self.assertRaises(ValueError) as cm:
            self.ws.ingest_sales([{"id": "F5", "customer": "C1", "occurred_at": when, "amount_minor": 2**64}])
        self.assertEqual(cm.exception.path, "rows[0].amount_minor")
        self.assertEqual(self.ws.high_water_mark(), 2, "refused rows write nothing")

    def test_queries(self):
        self.ws.put("org_units", "CO", {"name": "Co", "kind": "company"})
        self.ws.put("org_units", "T1", {"name": "Team", "kind": "team", "parent": "CO"})
        self.ws.put("managers", "M1", {"name": "Li", "team": "T1"})
        self.ws.put("customers", "C1", {"name": "Wang", "tier": "gold"})
        self.ws.ingest([
            {"id": "A1", "kind": "assignment", "occurred_at": "2025-01-01T00:00:00+08:00", "customer": "C1",
             "manager": "M1"},
            dict(sale("S1", 1200, manager=None), category="beauty"),
            dict(sale("S2", 300, manager=None, when="2025-07-01T10:00:00+08:00"), category="home"),
        ])
        view = self.ws.query("customer_360", viewer=cadre.ADMIN, customer="C1", as_of=dt.datetime(2025, 6, 30, tzinfo=SHANGHAI))
        self.assertEqual(view["owner"], "M1")
        self.assertEqual(view["purchases"]["net_minor"], 1200, "the July sale is after as_of")
        self.assertEqual(view["purchases"]["favourite_categories"], [{"category": "beauty", "net_minor": 1200}])
        self.assertEqual(self.ws.query("holdings", viewer=cadre.ADMIN, manager="M1")["customers"], ["C1"])
        units = [u["id"] for u in self.ws.query("org_tree", viewer=cadre.ADMIN)["units"]]
        self.assertEqual(units, ["CO", "T1"])
        with self.assertRaises(cadre.InvalidArgumentError) as cm:
            self.ws.query("customer_360", viewer=cadre.ADMIN, customer="C1", colour="red")
        self.assertEqual(cm.exception.path, "request.colour")
        with self.assertRaises(KeyError):
            self.ws.query("customer_360", viewer=cadre.ADMIN, customer="nobody")

    def test_closed_workspace(self):
        ws = cadre.open("memory:")
        with ws:
            pass
        self.assertTrue(ws.closed)
        ws.close()  # idempotent
        with self.assertRaises(ValueError):
            ws.get("managers", "M1")

    def test_threads_share_one_workspace(self):
        errors = []

        def writer(t):
            try:
                for b in range(10):
                    self.ws.ingest([sale(f"T{t}-{b}-{i}", 1) for i in range(20)])
            except Exception as e:  # reported below
                errors.append(e)

        threads = [threading.Thread(target=writer, args=(t,)) for t in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(self.ws.high_water_mark(), 800)


class PersistenceTest(unittest.TestCase):
    def test_reopen_sqlite(self):
        with tempfile.TemporaryDirectory() as d:
            uri = "sqlite:" + os.path.join(d, "crm.db")
            with cadre.open(uri, currency="JPY", time_zone="Asia/Tokyo") as ws:
                ws.ingest([sale("S1", 100)])
            with cadre.open(uri) as ws:
                self.assertEqual(ws.settings["currency"], "JPY")
                self.assertEqual(ws.high_water_mark(), 1)
            with self.assertRaises(cadre.FailedPreconditionError):
                cadre.open(uri, currency="CNY")

    def test_bad_uri(self):
        with self.assertRaises(cadre.InvalidArgumentError):
            cadre.open("oracle://nowhere")


if __name__ == "__main__":
    unittest.main()
