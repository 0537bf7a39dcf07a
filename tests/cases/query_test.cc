// The "cases" and "case_figures" queries through the query layer, per viewer:
// an admin sees every case, manager and unit; a lead the managers and units
// they lead; a plain manager their own. Out-of-scope managers, customers and
// units are refused as the other queries refuse them. On memory and sqlite.
//
// C1 is owned by M1, C2 by M2, C3 by nobody. With a complaint SLA of 30 / 60
// minutes on the 24x7 clock, for the week of 06-01 .. 06-08:
//   Q1 complaint C1, M1, 06-02 10:00, resolved 10:30           in SLA
//   Q2 complaint C2, M2, 06-03 10:00, resolved 12:00           late
//   Q3 technical request of L1, 06-04 10:00, open               no SLA
//   Q4 complaint C2 naming nobody (so M2's), 06-05 10:00, open  breached
// CO: 1 of 3 within SLA; T1 1 of 1; T2 0 of 2.
#include <string>
#include <vector>

#include "boost/json/parse.hpp"
#include "cadre/query.h"
#include "cadre/scope.h"
#include "cadre/status.h"
#include "cases/cases_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cadre {
namespace {

using cases_testing::Assign;
using cases_testing::Open;
using cases_testing::Resolve;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kSlas[] = R"("slas":[{"id":"c","category":"complaint","first_response":{"business_minutes":30},)"
                         R"("resolution":{"business_minutes":60}}])";
constexpr char kWeek[] = R"("from":"2025-06-01","until":"2025-06-08")";

std::string PathOf(const absl::Status& s) {
  auto d = GetFieldErrorDetails(s);
  return d ? d->path : "<no path>";
}

std::vector<std::string> Ids(const boost::json::value& result, std::string_view rows, std::string_view key) {
  std::vector<std::string> out;
  const boost::json::value* a = result.as_object().if_contains(rows);
  if (a == nullptr) return out;
  for (const auto& r : a->as_array()) out.emplace_back(r.at(key).as_string());
  return out;
}

const boost::json::object& RowOf(const boost::json::value& result, std::string_view rows, std::string_view key,
                                 std::string_view id) {
  for (const auto& r : result.at(rows).as_array())
    if (r.at(key).as_string() == id) return r.as_object();
  static const boost::json::object empty;
  ADD_FAILURE() << "no row " << id;
  return empty;
}

class CaseQueryTest : public cases_testing::CasesTest {
 protected:
  void SetUp() override {
    CasesTest::SetUp();
    Ingest({Assign("A1", "2025-05-01 10:00", "C1", "M1"), Assign("A2", "2025-05-01 10:00", "C2", "M2"),
            Open("Q1-o", "2025-06-02 10:00", "Q1", "complaint", "C1", "M1"),
            Resolve("Q1-s", "2025-06-02 10:30", "Q1", "billing"),
            Open("Q2-o", "2025-06-03 10:00", "Q2", "complaint", "C2", "M2"), Resolve("Q2-s", "2025-06-03 12:00", "Q2"),
            Open("Q3-o", "2025-06-04 10:00", "Q3", "technical", std::nullopt, "L1"),
            Open("Q4-o", "2025-06-05 10:00", "Q4", "complaint", "C2", std::nullopt)});
    engine_ = std::make_unique<QueryEngine>(*ws_, [] { return testing::T("2025-06-30T12:00:00+08:00"); });
  }

  absl::StatusOr<boost::json::value> Run(const std::string& query, const std::string& viewer,
                                         const std::string& params = "") {
    absl::StatusOr<std::string> text =
        engine_->Run(R"({"query":")" + query + R"(","viewer":)" + viewer + (params.empty() ? "" : "," + params) + "}");
    if (!text.ok()) return text.status();
    return boost::json::parse(*text);
  }
  boost::json::value MustRun(const std::string& query, const std::string& viewer, const std::string& params = "") {
    absl::StatusOr<boost::json::value> r = Run(query, viewer, params);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : boost::json::value(boost::json::object());
  }

  static std::string Admin() { return R"({"admin":true})"; }
  static std::string As(const std::string& m) { return R"({"manager":")" + m + R"("})"; }

  std::unique_ptr<QueryEngine> engine_;
};
INSTANTIATE_TEST_SUITE_P(Backends, CaseQueryTest, ::testing::Values("memory", "sqlite"), cases_testing::BackendName);

TEST_P(CaseQueryTest, CasesPerViewer) {
  boost::json::value all = MustRun("cases", Admin());
  EXPECT_THAT(Ids(all, "cases", "id"), ElementsAre("Q1", "Q2", "Q3", "Q4"));
  const boost::json::object& q4 = all.at("cases").as_array()[3].as_object();
  EXPECT_EQ(q4.at("manager").as_string(), "M2");
  EXPECT_TRUE(q4.at("manager_is_owner").as_bool());
  EXPECT_EQ(q4.at("status").as_string(), "open");
  EXPECT_EQ(all.at("cases").as_array()[0].at("history").as_array().size(), 2u);

  EXPECT_FALSE(all.as_object().contains("anomalies"));
  // A stage of a case never opened, and a second opening of Q3: reported, not dropped.
  Ingest({Resolve("Z-s", "2025-06-06 10:00", "Z"),
          Open("Q3-again", "2025-06-06 10:00", "Q3", "product", std::nullopt, "L1")});
  EXPECT_THAT(Ids(MustRun("cases", Admin()), "anomalies", "event"), ElementsAre("Q3-again", "Z-s"));
  EXPECT_THAT(Ids(MustRun("cases", As("L1")), "anomalies", "event"), ElementsAre("Q3-again"));
  EXPECT_THAT(Ids(MustRun("cases", As("M2")), "anomalies", "event"), IsEmpty());

  EXPECT_THAT(Ids(MustRun("cases", As("L1")), "cases", "id"), ElementsAre("Q1", "Q3"));
  EXPECT_THAT(Ids(MustRun("cases", As("M2")), "cases", "id"), ElementsAre("Q2", "Q4"));
  EXPECT_THAT(Ids(MustRun("cases", As("M1"), R"("customer":"C1")"), "cases", "id"), ElementsAre("Q1"));
  EXPECT_THAT(Ids(MustRun("cases", As("L1"), R"("manager":"M1")"), "cases", "id"), ElementsAre("Q1"));

  // Filters.
  EXPECT_THAT(Ids(MustRun("cases", Admin(), R"("status":"resolved")"), "cases", "id"), ElementsAre("Q1", "Q2"));
  EXPECT_THAT(Ids(MustRun("cases", Admin(), R"("category":"technical")"), "cases", "id"), ElementsAre("Q3"));
  EXPECT_THAT(Ids(MustRun("cases", Admin(), R"("type":"complaint","customer":"C2")"), "cases", "id"),
              ElementsAre("Q2", "Q4"));
  EXPECT_THAT(Ids(MustRun("cases", Admin(), R"("from":"2025-06-03","until":"2025-06-05")"), "cases", "id"),
              ElementsAre("Q2", "Q3"));
  EXPECT_THAT(Ids(MustRun("cases", Admin(), R"("as_of":"2025-06-03T11:00:00+08:00","status":"open")"), "cases", "id"),
              ElementsAre("Q2"));

  // Out of scope: worded exactly as a manager or customer that does not exist.
  absl::Status s = Run("cases", As("M2"), R"("manager":"M1")").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), R"(manager "M1" is not in the org tree)");
  s = Run("cases", As("M2"), R"("customer":"C1")").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), CustomerNotFoundMessage("C1"));
  s = Run("cases", Admin(), R"("status":"closed")").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PathOf(s), "request.status");
}

TEST_P(CaseQueryTest, FiguresPerViewer) {
  boost::json::value admin = MustRun("case_figures", Admin(), std::string(kWeek) + "," + kSlas);
  EXPECT_EQ(admin.at("calendar").as_string(), "24x7");
  EXPECT_EQ(admin.at("as_of").as_string(), "2025-06-07T16:00:00Z");  // the period end, in UTC
  EXPECT_THAT(Ids(admin, "managers", "manager"), ElementsAre("L1", "M1", "M2", "M3"));
  EXPECT_THAT(Ids(admin, "units", "unit"), ElementsAre("CO", "T1", "T2"));
  const boost::json::object& co = RowOf(admin, "units", "unit", "CO");
  EXPECT_EQ(co.at("cases").as_int64(), 4);
  EXPECT_EQ(co.at("resolved_in_sla").as_int64(), 1);
  EXPECT_EQ(co.at("resolved_late").as_int64(), 1);
  EXPECT_EQ(co.at("breached_open").as_int64(), 1);
  EXPECT_EQ(co.at("without_sla").as_int64(), 1);
  EXPECT_EQ(co.at("in_sla_ratio").as_string(), "0.333333333");
  EXPECT_EQ(RowOf(admin, "units", "unit", "T1").at("in_sla_ratio").as_string(), "1");
  EXPECT_EQ(RowOf(admin, "units", "unit", "T2").at("in_sla_ratio").as_string(), "0");
  EXPECT_EQ(co.at("resolution").at("average_minutes").as_string(), "75");  // (30 + 120) / 2
  EXPECT_EQ(admin.at("uncredited").at("cases").as_int64(), 0);

  boost::json::value lead = MustRun("case_figures", As("L1"), std::string(kWeek) + "," + kSlas);
  EXPECT_THAT(Ids(lead, "managers", "manager"), ElementsAre("L1", "M1"));
  EXPECT_THAT(Ids(lead, "units", "unit"), ElementsAre("T1"));
  EXPECT_FALSE(lead.as_object().contains("uncredited"));
  boost::json::value team = MustRun("case_figures", As("L1"), std::string(kWeek) + "," + kSlas + R"(,"unit":"T1")");
  EXPECT_THAT(Ids(team, "units", "unit"), ElementsAre("T1"));

  boost::json::value self = MustRun("case_figures", As("M2"), std::string(kWeek) + "," + kSlas);
  EXPECT_THAT(Ids(self, "managers", "manager"), ElementsAre("M2"));
  EXPECT_THAT(Ids(self, "units", "unit"), IsEmpty());
  EXPECT_EQ(self.at("managers").as_array()[0].at("in_sla_ratio").as_string(), "0");

  // Only complaints, one manager.
  boost::json::value m1 =
      MustRun("case_figures", Admin(), std::string(kWeek) + "," + kSlas + R"(,"manager":"L1","type":"complaint")");
  EXPECT_THAT(Ids(m1, "managers", "manager"), ElementsAre("L1"));
  EXPECT_EQ(m1.at("managers").as_array()[0].at("cases").as_int64(), 0);
}

TEST_P(CaseQueryTest, FiguresRefusals) {
  absl::Status s = Run("case_figures", As("M2"), std::string(kWeek) + "," + kSlas + R"(,"manager":"M1")").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), R"(manager "M1" is not in the org tree)");
  s = Run("case_figures", As("M2"), std::string(kWeek) + "," + kSlas + R"(,"unit":"T1")").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(), R"(case_figures: manager "M2" does not lead unit "T1" or a unit above it)");
  s = Run("case_figures", Admin(), std::string(kWeek) + "," + kSlas + R"(,"unit":"NOPE")").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(PathOf(s), "request.unit");
  s = Run("case_figures", Admin(), std::string(kWeek) + R"(,"manager":"M1","unit":"T1")").status();
  EXPECT_EQ(PathOf(s), "request.unit");
  s = Run("case_figures", Admin(), R"("from":"2025-06-08","until":"2025-06-08")").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PathOf(s), "request.until");
  s = Run("case_figures", Admin(), R"("until":"2025-06-08")").status();
  EXPECT_EQ(PathOf(s), "request.from");
  s = Run("case_figures", Admin(),
          std::string(kWeek) + R"(,"slas":[{"id":"a","category":"complaint","first_response":{"business_minutes":1},)"
                               R"("resolution":{"business_minutes":2}},{"id":"b","category":"complaint",)"
                               R"("first_response":{"business_minutes":1},"resolution":{"business_minutes":2}}])")
          .status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), R"(request.slas[1].category: repeats the category and severity of slas[0], got "complaint")");
  s = Run("case_figures", Admin(),
          std::string(kWeek) + R"(,"slas":[{"id":"a","category":"complaint","first_response":{"business_minutes":0},)"
                               R"("resolution":{"business_minutes":2}}])")
          .status();
  EXPECT_EQ(PathOf(s), "request.slas[0].first_response.business_minutes");
}

// The SLA rules and calendars as documents, once their collections are typed
// in the workspace.
TEST_P(CaseQueryTest, FiguresFromDocuments) {
  absl::StatusOr<Document> sla = ws_->Put(
      "case_slas", "c",
      R"({"category":"complaint","first_response":{"business_minutes":30},"resolution":{"business_minutes":60}})");
  ASSERT_TRUE(sla.ok()) << sla.status();
  absl::StatusOr<Document> bad = ws_->Put(
      "case_slas", "d",
      R"({"category":"complaint","first_response":{"business_minutes":90},"resolution":{"business_minutes":60}})");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  boost::json::value r = MustRun("case_figures", Admin(), kWeek);
  EXPECT_EQ(RowOf(r, "units", "unit", "CO").at("in_sla_ratio").as_string(), "0.333333333");

  absl::StatusOr<Document> cal = ws_->Put(
      "calendars", "weekdays", R"({"hours":[{"days":["mon","tue","wed","thu","fri"],"from":"09:00","to":"18:00"}]})");
  ASSERT_TRUE(cal.ok()) << cal.status();
  r = MustRun("case_figures", Admin(), std::string(kWeek) + R"(,"calendar":"weekdays")");
  EXPECT_EQ(r.at("calendar").as_string(), "weekdays");
  absl::Status s = Run("case_figures", Admin(), std::string(kWeek) + R"(,"calendar":"nope")").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(PathOf(s), "request.calendar");
}

}  // namespace
}  // namespace cadre
