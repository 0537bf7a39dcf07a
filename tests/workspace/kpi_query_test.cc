// The KPI queries of the query layer ("scorecard", "leaderboard", "kpi_series",
// "kpi_lineage") against hand-computed figures on a small org, asked by an admin,
// a plain manager and a team lead, plus the scope rules and the bad requests.
//
// The org: CO (company) > R1 (region) > T1 (team, lead L1: L1, M1), T2 (team: M2, M3).
// June 2025 in Asia/Shanghai, net sales (minor units):
//   M1 60000 (owner credit) + 50000 - 10000 = 100000   target 100000  csat 4, 5 (target 4)
//   L1 80000                                           target 100000  nps 10
//   M2 80000                                           target  50000  csat 3 (target 4), nps 6
//   M3 30000                                           no target
// T1 has its own net_sales target of 200000; T2, R1 and CO add their managers'.
#include <optional>
#include <string>
#include <vector>

#include "boost/json/parse.hpp"
#include "boost/json/serialize.hpp"
#include "cadre/json.h"
#include "cadre/query.h"
#include "cadre/workspace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpi/kpi_test_util.h"

namespace cadre {
namespace {

using kpi_testing::Assign;
using kpi_testing::Return;
using kpi_testing::Sale;
using kpi_testing::Survey;
using ::testing::DoubleEq;
using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Optional;

std::string PathOf(const absl::Status& s) {
  auto d = GetFieldErrorDetails(s);
  return d ? d->path : "<no path>";
}

std::string Admin() { return R"("viewer":{"admin":true})"; }
std::string As(const std::string& manager) { return R"("viewer":{"manager":")" + manager + R"("})"; }

// A number of the result (boost writes whole doubles as 1E5, integers as integers).
std::optional<double> Num(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  return v->to_number<double>();
}

// An array member of the result; an empty array may be left out of the JSON.
const boost::json::array& Array(const boost::json::value& v, std::string_view key) {
  static const boost::json::array kEmpty;
  const boost::json::value* a = v.as_object().if_contains(key);
  return a != nullptr ? a->as_array() : kEmpty;
}

std::vector<std::string> Subjects(const boost::json::value& card, std::string_view rows) {
  std::vector<std::string> out;
  for (const auto& r : Array(card, rows)) out.emplace_back(r.at("subject").as_string());
  return out;
}

class KpiQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WorkspaceOptions options;
    options.currency = "CNY";
    options.time_zone = "Asia/Shanghai";
    auto ws = Workspace::Open("memory:", options);
    ASSERT_TRUE(ws.ok()) << ws.status();
    ws_ = *std::move(ws);
    Put("org_units", "CO", R"({"name":"Co","kind":"company"})");
    Put("org_units", "R1", R"({"name":"North","kind":"region","parent":"CO"})");
    Put("org_units", "T1", R"({"name":"Team 1","kind":"team","parent":"R1","lead":"L1"})");
    Put("org_units", "T2", R"({"name":"Team 2","kind":"team","parent":"R1"})");
    for (const auto& [id, team] : {std::pair{"L1", "T1"}, {"M1", "T1"}, {"M2", "T2"}, {"M3", "T2"}})
      Put("managers", id, absl::StrCat(R"({"name":")", id, R"(","team":")", team, R"("})"));
    for (const char* c : {"C1", "C2", "C3", "C4"}) Put("customers", c, absl::StrCat(R"({"name":")", c, R"("})"));
    Ingest(
        {Assign("A1", "2025-01-01T09:00:00+08:00", "C1", "M1"), Assign("A2", "2025-01-01T09:00:00+08:00", "C2", "L1"),
         Assign("A3", "2025-01-01T09:00:00+08:00", "C3", "M2"), Assign("A4", "2025-01-01T09:00:00+08:00", "C4", "M3"),
         // May.
         Sale("S0", "2025-05-20T10:00:00+08:00", "C1", "M1", 40000),
         // June. S1, S3 and V4 name no manager: the owner is credited.
         Sale("S1", "2025-06-02T10:00:00+08:00", "C1", std::nullopt, 60000),
         Sale("S2", "2025-06-10T10:00:00+08:00", "C1", "M1", 50000),
         Return("R1", "2025-06-15T10:00:00+08:00", "C1", "M1", 10000),
         Sale("S3", "2025-06-05T10:00:00+08:00", "C2", std::nullopt, 80000),
         Sale("S4", "2025-06-06T10:00:00+08:00", "C3", "M2", 80000),
         Sale("S5", "2025-06-07T10:00:00+08:00", "C4", "M3", 30000),
         Survey("V1", "2025-06-03T10:00:00+08:00", "C1", "M1", "csat", "4"),
         Survey("V2", "2025-06-04T10:00:00+08:00", "C1", "M1", "csat", "5"),
         Survey("V3", "2025-06-08T10:00:00+08:00", "C3", "M2", "csat", "3"),
         Survey("V4", "2025-06-09T10:00:00+08:00", "C2", std::nullopt, "nps", "10"),
         Survey("V5", "2025-06-09T10:00:00+08:00", "C3", "M2", "nps", "6"),
         // 00:30 on 1 July in Shanghai is still 30 June in UTC: July's.
         Sale("S6", "2025-07-01T00:30:00+08:00", "C1", "M1", 7000)});
    Put("targets", "t-m1", R"({"metric":"net_sales","manager":"M1","period":"2025-06","value":"100000"})");
    Put("targets", "t-l1", R"({"metric":"net_sales","manager":"L1","period":"2025-06","value":"100000"})");
    Put("targets", "t-m2", R"({"metric":"net_sales","manager":"M2","period":"2025-06","value":"50000"})");
    Put("targets", "t-t1", R"({"metric":"net_sales","unit":"T1","period":"2025-06","value":"200000"})");
    Put("targets", "c-m1", R"({"metric":"csat","manager":"M1","period":"2025-06","value":"4"})");
    Put("targets", "c-m2", R"({"metric":"csat","manager":"M2","period":"2025-06","value":"4"})");
    Put("scorecards", "monthly",
        R"({"name":"Monthly","items":[{"metric":"net_sales","weight":"2"},{"metric":"csat"}]})");
    engine_ = std::make_unique<QueryEngine>(*ws_, [] { return testing::T("2025-12-31T00:00:00Z"); });
  }

  void Put(std::string_view collection, std::string_view id, std::string_view body) {
    absl::StatusOr<Document> doc = ws_->Put(collection, id, body);
    ASSERT_TRUE(doc.ok()) << collection << "/" << id << ": " << doc.status();
  }
  void Ingest(std::vector<Event> events) {
    const std::size_t n = events.size();
    absl::StatusOr<IngestReport> report = ws_->Ingest(std::move(events));
    ASSERT_TRUE(report.ok()) << report.status();
    ASSERT_TRUE(report->rejected.empty()) << report->rejected[0].message;
    ASSERT_EQ(report->accepted, n);
  }

  // `body` is the request without its braces: R"("query":"scorecard",...)".
  boost::json::value Run(const std::string& body) {
    absl::StatusOr<std::string> r = engine_->Run("{" + body + "}");
    EXPECT_TRUE(r.ok()) << r.status() << "\n  request: {" << body << "}";
    return r.ok() ? boost::json::parse(*r) : boost::json::value(boost::json::object());
  }
  absl::Status Fail(const std::string& body) {
    absl::StatusOr<std::string> r = engine_->Run("{" + body + "}");
    EXPECT_FALSE(r.ok()) << "unexpectedly answered {" << body << "}: " << r.value_or("");
    return r.status();
  }

  static const boost::json::object& Row(const boost::json::value& card, std::string_view rows,
                                        std::string_view subject) {
    for (const auto& r : Array(card, rows))
      if (r.at("subject").as_string() == subject) return r.as_object();
    ADD_FAILURE() << "no " << rows << " row " << subject << " in " << boost::json::serialize(card);
    static const boost::json::object kEmpty;
    return kEmpty;
  }
  // Figure `i` of a row (0: net_sales, 1: csat in the monthly scorecard).
  static const boost::json::object& Fig(const boost::json::object& row, std::size_t i) {
    static const boost::json::object kEmpty;
    const boost::json::value* figures = row.if_contains("figures");
    if (figures == nullptr || figures->as_array().size() <= i) {
      ADD_FAILURE() << "no figure " << i << " in " << boost::json::serialize(row);
      return kEmpty;
    }
    return figures->as_array()[i].as_object();
  }

  std::unique_ptr<Workspace> ws_;
  std::unique_ptr<QueryEngine> engine_;
};

const std::string kMonthly = R"("query":"scorecard","scorecard":"monthly","period":"2025-06")";

TEST_F(KpiQueryTest, AdminScorecardHasEveryManagerAndUnit) {
  boost::json::value card = Run(kMonthly + "," + Admin());
  EXPECT_EQ(card.at("period").as_string(), "2025-06");
  EXPECT_EQ(card.at("scorecard").as_string(), "monthly");
  ASSERT_EQ(Array(card, "metrics").size(), 2u);
  EXPECT_EQ(Array(card, "metrics")[0].as_string(), "net_sales");
  EXPECT_EQ(Array(card, "metrics")[1].as_string(), "csat");
  ASSERT_EQ(Array(card, "weights").size(), 2u);
  EXPECT_DOUBLE_EQ(Array(card, "weights")[0].to_number<double>(), 2.0);
  EXPECT_DOUBLE_EQ(Array(card, "weights")[1].to_number<double>(), 1.0);
  EXPECT_THAT(Subjects(card, "managers"), ElementsAre("L1", "M1", "M2", "M3"));
  EXPECT_THAT(Subjects(card, "units"), ElementsAre("CO", "R1", "T1", "T2")) << "pre-order of the org tree";

  // M1: 100000 of 100000; csat 4.5 of 4; May's 40000 before.
  const boost::json::object& m1 = Row(card, "managers", "M1");
  EXPECT_EQ(m1.at("team").as_string(), "T1");
  EXPECT_EQ(Fig(m1, 0).at("numerator").to_number<int64_t>(), 100000);
  EXPECT_THAT(Num(Fig(m1, 0), "value"), Optional(DoubleEq(100000)));
  EXPECT_THAT(Num(Fig(m1, 0), "target"), Optional(DoubleEq(100000)));
  EXPECT_THAT(Num(Fig(m1, 0), "attainment"), Optional(DoubleEq(1.0)));
  EXPECT_THAT(Num(Fig(m1, 0), "score"), Optional(DoubleEq(1.0)));
  EXPECT_THAT(Num(Fig(m1, 0), "previous"), Optional(DoubleEq(40000)));
  EXPECT_THAT(Num(Fig(m1, 0), "change"), Optional(DoubleNear(1.5, 1e-12)));
  EXPECT_THAT(Num(Fig(m1, 1), "value"), Optional(DoubleEq(4.5)));
  EXPECT_EQ(Fig(m1, 1).at("denominator").to_number<int64_t>(), 2);
  EXPECT_THAT(Num(Fig(m1, 1), "attainment"), Optional(DoubleNear(1.125, 1e-12)));
  EXPECT_EQ(Num(Fig(m1, 1), "previous"), std::nullopt) << "no csat response in May";
  EXPECT_THAT(Num(m1, "total"), Optional(DoubleNear((2 * 1.0 + 1.125) / 3, 1e-12)));

  // L1: 80000 of 100000; no csat response, so the total is net_sales' score alone.
  const boost::json::object& l1 = Row(card, "managers", "L1");
  EXPECT_THAT(Num(Fig(l1, 0), "score"), Optional(DoubleNear(0.8, 1e-12)));
  EXPECT_EQ(Num(Fig(l1, 1), "value"), std::nullopt);
  EXPECT_EQ(Num(Fig(l1, 1), "score"), std::nullopt);
  EXPECT_THAT(Num(l1, "total"), Optional(DoubleNear(0.8, 1e-12)));

  // M2: 80000 of 50000 is 1.6, capped at 1.5; csat 3 of 4.
  const boost::json::object& m2 = Row(card, "managers", "M2");
  EXPECT_THAT(Num(Fig(m2, 0), "attainment"), Optional(DoubleNear(1.6, 1e-12)));
  EXPECT_THAT(Num(Fig(m2, 0), "score"), Optional(DoubleNear(1.5, 1e-12)));
  EXPECT_THAT(Num(Fig(m2, 1), "score"), Optional(DoubleNear(0.75, 1e-12)));
  EXPECT_THAT(Num(m2, "total"), Optional(DoubleNear((2 * 1.5 + 0.75) / 3, 1e-12)));

  // M3: a value, no target, so no score and no total.
  const boost::json::object& m3 = Row(card, "managers", "M3");
  EXPECT_THAT(Num(Fig(m3, 0), "value"), Optional(DoubleEq(30000)));
  EXPECT_EQ(Num(Fig(m3, 0), "target"), std::nullopt);
  EXPECT_EQ(Num(m3, "total"), std::nullopt);

  // T1: its own target; csat recomputed from the responses, (4 + 5) / 2.
  const boost::json::object& t1 = Row(card, "units", "T1");
  EXPECT_FALSE(t1.contains("team"));
  EXPECT_THAT(Num(Fig(t1, 0), "value"), Optional(DoubleEq(180000)));
  EXPECT_THAT(Num(Fig(t1, 0), "target"), Optional(DoubleEq(200000)));
  EXPECT_THAT(Num(Fig(t1, 1), "value"), Optional(DoubleEq(4.5)));
  EXPECT_THAT(Num(t1, "total"), Optional(DoubleNear(0.9, 1e-12)));
  // T2: its managers' targets (M2's 50000; M3 has none).
  const boost::json::object& t2 = Row(card, "units", "T2");
  EXPECT_THAT(Num(Fig(t2, 0), "value"), Optional(DoubleEq(110000)));
  EXPECT_THAT(Num(Fig(t2, 0), "target"), Optional(DoubleEq(50000)));
  EXPECT_THAT(Num(Fig(t2, 0), "score"), Optional(DoubleNear(1.5, 1e-12)));
  // R1 and CO: everyone; csat (4 + 5 + 3) / 3, not the mean of the teams' 4.5 and 3.
  for (const char* unit : {"R1", "CO"}) {
    SCOPED_TRACE(unit);
    const boost::json::object& u = Row(card, "units", unit);
    EXPECT_THAT(Num(Fig(u, 0), "value"), Optional(DoubleEq(290000)));
    EXPECT_THAT(Num(Fig(u, 0), "target"), Optional(DoubleEq(250000)));
    EXPECT_THAT(Num(Fig(u, 1), "value"), Optional(DoubleEq(4.0)));
    EXPECT_EQ(Fig(u, 1).at("denominator").to_number<int64_t>(), 3);
    EXPECT_THAT(Num(u, "total"), Optional(DoubleNear(1.16, 1e-12)));
  }

  // The same through the typed call.
  ScorecardRequest request;
  request.scorecard = "monthly";
  request.period = kpi_testing::P("2025-06");
  absl::StatusOr<Scorecard> typed = engine_->kpi().GetScorecard(request);
  ASSERT_TRUE(typed.ok()) << typed.status();
  EXPECT_EQ(boost::json::serialize(card), json::ToText(*typed));
}

TEST_F(KpiQueryTest, MetricsInsteadOfAScorecard) {
  boost::json::value card =
      Run(R"("query":"scorecard","metrics":["nps","survey_responses"],"period":"2025-06","units":false,)" + Admin());
  EXPECT_FALSE(card.as_object().contains("scorecard"));
  EXPECT_THAT(Subjects(card, "units"), IsEmpty()) << "units: false";
  // L1: one promoter of one; M2: one detractor of one.
  EXPECT_THAT(Num(Fig(Row(card, "managers", "L1"), 0), "value"), Optional(DoubleEq(100)));
  EXPECT_THAT(Num(Fig(Row(card, "managers", "M2"), 0), "value"), Optional(DoubleEq(-100)));
  EXPECT_EQ(Num(Fig(Row(card, "managers", "M3"), 0), "value"), std::nullopt);
  EXPECT_THAT(Num(Fig(Row(card, "managers", "M2"), 1), "value"), Optional(DoubleEq(2)));
  EXPECT_THAT(Num(Fig(Row(card, "managers", "M1"), 1), "value"), Optional(DoubleEq(2)));
}

TEST_F(KpiQueryTest, APlainManagerSeesOnlyThemselves) {
  boost::json::value card = Run(kMonthly + "," + As("M2"));
  EXPECT_THAT(Subjects(card, "managers"), ElementsAre("M2"));
  EXPECT_THAT(Subjects(card, "units"), IsEmpty());
  EXPECT_THAT(Num(Row(card, "managers", "M2"), "total"), Optional(DoubleNear(1.25, 1e-12)));
  // Asking for units changes nothing; asking for themselves works.
  EXPECT_THAT(Subjects(Run(kMonthly + R"(,"units":true,)" + As("M2")), "units"), IsEmpty());
  boost::json::value own = Run(kMonthly + R"(,"manager":"M2",)" + As("M2"));
  EXPECT_THAT(Subjects(own, "managers"), ElementsAre("M2"));
  EXPECT_THAT(Subjects(own, "units"), IsEmpty());
  // Their own team's unit is not theirs to ask: they do not lead it.
  absl::Status team = Fail(kMonthly + R"(,"unit":"T2",)" + As("M2"));
  EXPECT_EQ(team.code(), absl::StatusCode::kPermissionDenied) << team;
  EXPECT_THAT(team.message(), HasSubstr("T2"));
}

TEST_F(KpiQueryTest, AManagerOutsideTheScopeReadsAsUnknown) {
  for (const char* viewer : {"M2", "L1"}) {
    SCOPED_TRACE(viewer);
    const std::string other = std::string(viewer) == "M2" ? "M1" : "M3";
    absl::Status probe = Fail(kMonthly + R"(,"manager":")" + other + R"(",)" + As(viewer));
    absl::Status missing = Fail(kMonthly + R"(,"manager":"M-nobody",)" + As(viewer));
    EXPECT_EQ(probe.code(), absl::StatusCode::kNotFound) << probe;
    EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound) << missing;
    std::string probe_text(probe.message()), missing_text(missing.message());
    ASSERT_NE(probe_text.find(other), std::string::npos) << probe_text;
    ASSERT_NE(missing_text.find("M-nobody"), std::string::npos) << missing_text;
    probe_text.replace(probe_text.find(other), other.size(), "X");
    missing_text.replace(missing_text.find("M-nobody"), std::string("M-nobody").size(), "X");
    EXPECT_EQ(probe_text, missing_text) << "nothing but the id tells a hidden manager from an unknown one";
    // The same for the other per-manager queries.
    for (const std::string& query :
         {std::string(R"("query":"kpi_series","metric":"net_sales","from":"2025-05","count":3)"),
          std::string(R"("query":"kpi_lineage","metric":"net_sales","period":"2025-06")")}) {
      absl::Status p = Fail(query + R"(,"manager":")" + other + R"(",)" + As(viewer));
      absl::Status m = Fail(query + R"(,"manager":"M-nobody",)" + As(viewer));
      EXPECT_EQ(p.code(), absl::StatusCode::kNotFound) << query << ": " << p;
      EXPECT_EQ(m.code(), absl::StatusCode::kNotFound) << query << ": " << m;
    }
  }
}

TEST_F(KpiQueryTest, ALeadSeesTheManagersOfTheTeam) {
  boost::json::value card = Run(kMonthly + "," + As("L1"));
  EXPECT_THAT(Subjects(card, "managers"), ElementsAre("L1", "M1"));
  EXPECT_THAT(Subjects(card, "units"), IsEmpty()) << "neither manager nor unit: a manager gets no units";
  EXPECT_THAT(Num(Row(card, "managers", "M1"), "total"), Optional(DoubleNear((2 * 1.0 + 1.125) / 3, 1e-12)));

  // The team they lead: its managers and the team's row.
  boost::json::value team = Run(kMonthly + R"(,"unit":"T1",)" + As("L1"));
  EXPECT_THAT(Subjects(team, "managers"), ElementsAre("L1", "M1"));
  EXPECT_THAT(Subjects(team, "units"), ElementsAre("T1"));
  EXPECT_THAT(Num(Row(team, "units", "T1"), "total"), Optional(DoubleNear(0.9, 1e-12)));
  // A member, by name.
  EXPECT_THAT(Subjects(Run(kMonthly + R"(,"manager":"M1",)" + As("L1")), "managers"), ElementsAre("M1"));

  // Units they do not lead: a sibling team and the region above theirs.
  for (const char* unit : {"T2", "R1", "CO"}) {
    absl::Status s = Fail(kMonthly + R"(,"unit":")" + unit + R"(",)" + As("L1"));
    EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << unit << ": " << s;
    EXPECT_THAT(s.message(), HasSubstr(unit));
  }
  // An admin may ask any unit.
  EXPECT_THAT(Subjects(Run(kMonthly + R"(,"unit":"R1",)" + Admin()), "units"), ElementsAre("R1", "T1", "T2"));
}

std::vector<std::pair<std::string, int64_t>> Ranking(const boost::json::value& board) {
  std::vector<std::pair<std::string, int64_t>> out;
  for (const auto& e : Array(board, "entries"))
    out.emplace_back(std::string(e.at("manager").as_string()), e.at("rank").to_number<int64_t>());
  return out;
}
using Ranks = std::vector<std::pair<std::string, int64_t>>;

TEST_F(KpiQueryTest, LeaderboardRanksTiesAndLimits) {
  const std::string net = R"("query":"leaderboard","metric":"net_sales","period":"2025-06")";
  boost::json::value all = Run(net + "," + Admin());
  EXPECT_EQ(all.at("metric").as_string(), "net_sales");
  EXPECT_EQ(all.at("period").as_string(), "2025-06");
  // L1 and M2 both at 80000 share rank 2, ordered by id; M3 is 4th, not 3rd.
  EXPECT_EQ(Ranking(all), (Ranks{{"M1", 1}, {"L1", 2}, {"M2", 2}, {"M3", 4}}));
  ASSERT_EQ(Array(all, "entries").size(), 4u);
  const boost::json::object& first = Array(all, "entries")[0].as_object();
  EXPECT_EQ(first.at("team").as_string(), "T1");
  EXPECT_THAT(Num(first.at("figure").as_object(), "value"), Optional(DoubleEq(100000)));
  EXPECT_THAT(Num(first.at("figure").as_object(), "target"), Optional(DoubleEq(100000)));

  EXPECT_EQ(Ranking(Run(net + R"(,"limit":2,)" + Admin())), (Ranks{{"M1", 1}, {"L1", 2}}));
  EXPECT_EQ(Ranking(Run(net + R"(,"limit":0,)" + Admin())).size(), 4u) << "0: all";
  EXPECT_EQ(Ranking(Run(net + R"(,"unit":"T2",)" + Admin())), (Ranks{{"M2", 1}, {"M3", 2}}));

  // csat: no value last (sharing a rank), ties of no value by id.
  EXPECT_EQ(Ranking(Run(R"("query":"leaderboard","metric":"csat","period":"2025-06",)" + Admin())),
            (Ranks{{"M1", 1}, {"M2", 2}, {"L1", 3}, {"M3", 3}}));
  // returns: lower is better; M1 is the only one with any.
  EXPECT_EQ(Ranking(Run(R"("query":"leaderboard","metric":"returns","period":"2025-06",)" + Admin())),
            (Ranks{{"L1", 1}, {"M2", 1}, {"M3", 1}, {"M1", 4}}));
}

TEST_F(KpiQueryTest, LeaderboardIsRestrictedToVisibleManagers) {
  const std::string net = R"("query":"leaderboard","metric":"net_sales","period":"2025-06")";
  EXPECT_EQ(Ranking(Run(net + "," + As("L1"))), (Ranks{{"M1", 1}, {"L1", 2}}));
  EXPECT_EQ(Ranking(Run(net + "," + As("M2"))), (Ranks{{"M2", 1}}));
  EXPECT_EQ(Ranking(Run(net + "," + As("M3"))), (Ranks{{"M3", 1}}));
  // The unit they lead shows everyone in it.
  EXPECT_EQ(Ranking(Run(net + R"(,"unit":"T1",)" + As("L1"))), (Ranks{{"M1", 1}, {"L1", 2}}));
  // A unit they do not lead shows only whom they may see: nobody of T2 for L1, M2 alone for M2.
  EXPECT_THAT(Ranking(Run(net + R"(,"unit":"T2",)" + As("L1"))), IsEmpty());
  EXPECT_EQ(Ranking(Run(net + R"(,"unit":"T2",)" + As("M2"))), (Ranks{{"M2", 1}}));
  EXPECT_EQ(Ranking(Run(net + R"(,"unit":"R1",)" + As("L1"))), (Ranks{{"M1", 1}, {"L1", 2}}));
}

TEST_F(KpiQueryTest, SeriesOverThreeMonths) {
  boost::json::value m1 =
      Run(R"("query":"kpi_series","metric":"net_sales","manager":"M1","from":"2025-05","count":3,)" + Admin());
  const boost::json::array& points = Array(m1, "points");
  ASSERT_EQ(points.size(), 3u) << boost::json::serialize(m1);
  EXPECT_EQ(points[0].at("period").as_string(), "2025-05");
  EXPECT_EQ(points[1].at("period").as_string(), "2025-06");
  EXPECT_EQ(points[2].at("period").as_string(), "2025-07");
  EXPECT_THAT(Num(points[0].at("figure").as_object(), "value"), Optional(DoubleEq(40000)));
  EXPECT_THAT(Num(points[1].at("figure").as_object(), "value"), Optional(DoubleEq(100000)));
  EXPECT_THAT(Num(points[1].at("figure").as_object(), "target"), Optional(DoubleEq(100000)));
  EXPECT_THAT(Num(points[2].at("figure").as_object(), "value"), Optional(DoubleEq(7000)))
      << "00:30 on 1 July in Shanghai is July's";
  // The manager themselves, and their lead, get the same.
  EXPECT_EQ(boost::json::serialize(Run(
                R"("query":"kpi_series","metric":"net_sales","manager":"M1","from":"2025-05","count":3,)" + As("M1"))),
            boost::json::serialize(m1));
  EXPECT_EQ(boost::json::serialize(Run(
                R"("query":"kpi_series","metric":"net_sales","manager":"M1","from":"2025-05","count":3,)" + As("L1"))),
            boost::json::serialize(m1));

  boost::json::value t1 =
      Run(R"("query":"kpi_series","metric":"net_sales","unit":"T1","from":"2025-05","count":3,)" + As("L1"));
  std::vector<double> values;
  for (const auto& p : Array(t1, "points")) values.push_back(*Num(p.at("figure").as_object(), "value"));
  EXPECT_THAT(values, ElementsAre(40000, 180000, 7000));
  EXPECT_EQ(
      Fail(R"("query":"kpi_series","metric":"net_sales","unit":"T2","from":"2025-05","count":3,)" + As("L1")).code(),
      absl::StatusCode::kPermissionDenied);
}

TEST_F(KpiQueryTest, LineageListsTheEventsBehindAFigure) {
  auto events = [&](const std::string& metric, const std::string& viewer) {
    std::vector<std::pair<std::string, int64_t>> out;
    boost::json::value r =
        Run(R"("query":"kpi_lineage","metric":")" + metric + R"(","manager":"M1","period":"2025-06",)" + viewer);
    for (const auto& e : Array(r, "events"))
      out.emplace_back(std::string(e.at("event").as_string()), e.at("contribution").to_number<int64_t>());
    return out;
  };
  // By occurred_at; S1 names no manager but M1 owned C1; May's S0 and July's S6 are not June's.
  EXPECT_EQ(events("net_sales", Admin()), (Ranks{{"S1", 60000}, {"S2", 50000}, {"R1", -10000}}));
  EXPECT_EQ(events("net_sales", As("M1")), events("net_sales", Admin()));
  EXPECT_EQ(events("net_sales", As("L1")), events("net_sales", Admin()));
  // csat: the built-in's numerator is the sum of whole points, so each answer adds its score.
  EXPECT_EQ(events("csat", Admin()), (Ranks{{"V1", 4}, {"V2", 5}}));
  // The contributions add up to the figure's numerator.
  boost::json::value card = Run(kMonthly + R"(,"manager":"M1",)" + Admin());
  for (std::size_t i = 0; i < 2; ++i) {
    int64_t sum = 0;
    for (const auto& [_, c] : events(i == 0 ? "net_sales" : "csat", Admin())) sum += c;
    EXPECT_EQ(Fig(Row(card, "managers", "M1"), i).at("numerator").to_number<int64_t>(), sum) << i;
  }
  boost::json::value r =
      Run(R"("query":"kpi_lineage","metric":"net_sales","manager":"M1","period":"2025-06",)" + Admin());
  const boost::json::object& first = Array(r, "events")[0].as_object();
  EXPECT_EQ(first.at("kind").as_string(), "sale");
  EXPECT_EQ(Array(r, "events")[2].at("kind").as_string(), "return");
  EXPECT_TRUE(first.contains("occurred_at"));
}

TEST_F(KpiQueryTest, BadRequestsNameTheKey) {
  auto expect_invalid = [&](const std::string& body, const std::string& path) {
    absl::Status s = Fail(body);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << body << ": " << s;
    EXPECT_EQ(PathOf(s), path) << body << ": " << s;
    return std::string(s.message());
  };
  std::string month =
      expect_invalid(R"("query":"scorecard","scorecard":"monthly","period":"2025-13",)" + Admin(), "request.period");
  EXPECT_THAT(month, HasSubstr("2025-13"));
  expect_invalid(R"("query":"leaderboard","metric":"net_sales","period":"2025-13",)" + Admin(), "request.period");
  expect_invalid(R"("query":"kpi_lineage","metric":"net_sales","manager":"M1","period":"2025-13",)" + Admin(),
                 "request.period");
  expect_invalid(R"("query":"kpi_series","metric":"net_sales","manager":"M1","from":"2025-13","count":3,)" + Admin(),
                 "request.from");
  expect_invalid(R"("query":"scorecard","scorecard":"monthly",)" + Admin(), "request.period");
  expect_invalid(R"("query":"scorecard","scorecard":"monthly","period":202506,)" + Admin(), "request.period");
  expect_invalid(kMonthly + R"(,"manager":"M1","unit":"T1",)" + Admin(), "request.unit");
  expect_invalid(kMonthly + R"(,"colour":"red",)" + Admin(), "request.colour");
  expect_invalid(
      R"("query":"kpi_series","metric":"net_sales","manager":"M1","unit":"T1","from":"2025-05","count":3,)" + Admin(),
      "request.manager");
  expect_invalid(R"("query":"kpi_series","metric":"net_sales","from":"2025-05","count":3,)" + Admin(),
                 "request.manager");
  expect_invalid(R"("query":"kpi_series","metric":"net_sales","manager":"M1","from":"2025-05","count":0,)" + Admin(),
                 "request.count");
  expect_invalid(R"("query":"kpi_series","metric":"net_sales","manager":"M1","from":"2025-05","count":1001,)" + Admin(),
                 "request.count");
  expect_invalid(R"("query":"leaderboard","metric":"net_sales","period":"2025-06","limit":-1,)" + Admin(),
                 "request.limit");
  expect_invalid(R"("query":"kpi_lineage","metric":"net_sales","period":"2025-06",)" + Admin(), "request.manager");
  // Bad input is refused before scope is looked at: a manager gets the same.
  expect_invalid(R"("query":"scorecard","scorecard":"monthly","period":"2025-13",)" + As("M2"), "request.period");

  // An unknown metric or scorecard is not found, and named.
  for (const std::string& body :
       {std::string(R"("query":"scorecard","metrics":["nope"],"period":"2025-06",)") + Admin(),
        std::string(R"("query":"leaderboard","metric":"nope","period":"2025-06",)") + Admin(),
        std::string(R"("query":"kpi_series","metric":"nope","manager":"M1","from":"2025-05","count":3,)") + Admin(),
        std::string(R"("query":"kpi_lineage","metric":"nope","manager":"M1","period":"2025-06",)") + Admin(),
        std::string(R"("query":"leaderboard","metric":"nope","period":"2025-06",)") + As("M2")}) {
    absl::Status s = Fail(body);
    EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << body << ": " << s;
    EXPECT_THAT(s.message(), HasSubstr(R"("nope")")) << body;
  }
  absl::Status card = Fail(R"("query":"scorecard","scorecard":"weekly","period":"2025-06",)" + Admin());
  EXPECT_EQ(card.code(), absl::StatusCode::kNotFound) << card;
  EXPECT_THAT(card.message(), HasSubstr(R"("weekly")"));
}

}  // namespace
}  // namespace cadre
