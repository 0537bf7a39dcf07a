// The incentive engine end to end, on both backends: statements computed from
// events and plans, with every expected amount worked out by hand beside it.
//
// The org: CO (company) > T1 (team, lead L1: L1, M1, M2), T2 (team: M3). L1 has
// role "lead", the others "am"; everyone was hired on 2025-01-01 unless a test
// says otherwise. Money is CNY in fen (minor units); the zone is Asia/Shanghai.
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "boost/json/parse.hpp"
#include "cadre/event.h"
#include "cadre/incentive.h"
#include "cadre/json.h"
#include "cadre/period.h"
#include "cadre/query.h"
#include "cadre/status.h"
#include "cadre/workspace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/test_util.h"

namespace cadre {
namespace {

using ::testing::HasSubstr;

absl::Time At(const std::string& day) { return testing::T((day + "T10:00:00+08:00").c_str()); }

Period P(const char* text) {
  absl::StatusOr<Period> p = Period::Parse(text);
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *p : Period::Of(Granularity::kMonth, absl::CivilDay(2025, 1, 1));
}

Event Sale(std::string id, const std::string& day, std::optional<std::string> manager, std::string customer,
           int64_t amount, std::optional<std::string> category = std::nullopt) {
  Event e;
  e.id = std::move(id);
  e.kind = EventKind::kSale;
  e.occurred_at = At(day);
  e.manager = std::move(manager);
  e.customer = std::move(customer);
  e.amount_minor = amount;
  e.category = std::move(category);
  return e;
}

Event Return(std::string id, const std::string& day, std::string customer, int64_t amount, std::string sale) {
  Event e;
  e.id = std::move(id);
  e.kind = EventKind::kReturn;
  e.occurred_at = At(day);
  e.customer = std::move(customer);
  e.amount_minor = amount;
  e.reference = std::move(sale);
  return e;
}

Event Csat(std::string id, const std::string& day, std::string manager, std::string customer, const char* score) {
  Event e;
  e.id = std::move(id);
  e.kind = EventKind::kSurveyResponse;
  e.occurred_at = At(day);
  e.manager = std::move(manager);
  e.customer = std::move(customer);
  e.category = "csat";
  absl::StatusOr<Decimal> s = Decimal::Parse(score);
  EXPECT_TRUE(s.ok());
  e.score = s.ok() ? *s : Decimal();
  return e;
}

const StatementLine* FindLine(const Statement& st, std::string_view id) {
  for (const StatementLine& l : st.lines) {
    if (l.id == id) return &l;
  }
  return nullptr;
}

class IncentiveEngineTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    WorkspaceOptions options;
    options.currency = "CNY";
    options.time_zone = "Asia/Shanghai";
    options.clock = [] { return testing::T("2025-07-15T12:00:00+08:00"); };
    const std::string uri = GetParam() == "memory" ? std::string("memory:") : "sqlite:" + dir_.File("inc.db");
    absl::StatusOr<std::unique_ptr<Workspace>> ws = Workspace::Open(uri, options);
    ASSERT_TRUE(ws.ok()) << ws.status();
    ws_ = *std::move(ws);
    Put("org_units", "CO", R"({"name":"Co","kind":"company"})");
    Put("org_units", "T1", R"({"name":"Team 1","kind":"team","parent":"CO","lead":"L1"})");
    Put("org_units", "T2", R"({"name":"Team 2","kind":"team","parent":"CO"})");
    Put("roles", "am", R"({"name":"Account manager","incentive_plan":"am"})");
    Put("roles", "lead", R"({"name":"Team lead"})");  // on no plan unless a test says so
    for (const auto& [id, team, role] : {std::tuple{"L1", "T1", "lead"}, std::tuple{"M1", "T1", "am"},
                                         std::tuple{"M2", "T1", "am"}, std::tuple{"M3", "T2", "am"}}) {
      Manager(id, team, role, "2025-01-01");
    }
    engine_ = std::make_unique<IncentiveEngine>(*ws_);
  }

  void Manager(const char* id, const char* team, const char* role, const char* hired_on) {
    Put("managers", id,
        absl::StrCat(R"({"name":")", id, R"(","team":")", team, R"(","role":")", role, R"(","hired_on":")", hired_on,
                     R"("})"));
  }

  void Put(std::string_view collection, std::string_view id, std::string_view body,
           std::optional<absl::Time> effective_from = std::nullopt) {
    PutOptions options;
    options.effective_from = effective_from;
    absl::StatusOr<Document> doc = ws_->Put(collection, id, body, options);
    ASSERT_TRUE(doc.ok()) << collection << "/" << id << ": " << doc.status();
  }

  // A plan of one component; `component` is the component's JSON without id.
  void Plan(const std::string& id, const std::string& components, const std::string& extra = "",
            std::optional<absl::Time> effective_from = std::nullopt) {
    Put("incentive_plans", id,
        absl::StrCat(R"({"name":"Plan )", id, R"(","components":[)", components, "]", extra, "}"), effective_from);
  }

  void Ingest(std::vector<Event> events) {
    const std::size_t n = events.size();
    absl::StatusOr<IngestReport> report = ws_->Ingest(std::move(events));
    ASSERT_TRUE(report.ok()) << report.status();
    ASSERT_TRUE(report->rejected.empty()) << report->rejected[0].message;
    ASSERT_EQ(report->accepted, n);
  }

  Statement Get(const char* manager, const char* period, bool expand = false) {
    absl::StatusOr<Statement> st = engine_->GetStatement(manager, P(period), {.expand_credits = expand});
    EXPECT_TRUE(st.ok()) << manager << " " << period << ": " << st.status();
    return st.ok() ? *st : Statement{};
  }

  testing::TempDir dir_;
  std::unique_ptr<Workspace> ws_;
  std::unique_ptr<IncentiveEngine> engine_;
};

const std::string kFivePercent =
    R"({"id":"commission","type":"commission","commission":{"tiers":[{"from":"0","rate":"0.05"}]}})";

TEST_P(IncentiveEngineTest, MarginalAndRetroactiveTiersOnTheSameSales) {
  // Quota 1,000.00; 2 % up to the quota, 4 % from it. M1 is on the marginal
  // table, M2 on the retroactive one; both sell 800.00 + 400.00 = 1,200.00.
  const std::string tiers = R"("quota_minor":100000,"tiers":[{"from":"0","rate":"0.02"},{"from":"1","rate":"0.04"}])";
  Plan("am", absl::StrCat(R"({"id":"commission","type":"commission","commission":{"method":"marginal",)", tiers, "}}"));
  Plan("retro",
       absl::StrCat(R"({"id":"commission","type":"commission","commission":{"method":"retroactive",)", tiers, "}}"));
  Put("plan_assignments", "M2-retro", R"({"plan":"retro","manager":"M2"})");
  Ingest({Sale("S1", "2025-06-03", "M1", "C1", 80000), Sale("S2", "2025-06-20", "M1", "C2", 40000),
          Sale("S3", "2025-06-03", "M2", "C3", 80000), Sale("S4", "2025-06-20", "M2", "C4", 40000)});
  // Marginal: 100,000 × 0.02 + 20,000 × 0.04 = 2,000 + 800 = 2,800.
  Statement m1 = Get("M1", "2025-06");
  EXPECT_EQ(m1.total_minor, 2800);
  ASSERT_EQ(m1.lines.size(), 1u);
  EXPECT_EQ(m1.lines[0].base, "120000");
  EXPECT_EQ(m1.lines[0].trace.attainment, "1.2");
  EXPECT_EQ(m1.lines[0].trace.tiers.size(), 2u);
  // Retroactive: the reached tier's 4 % on all of it: 120,000 × 0.04 = 4,800.
  Statement m2 = Get("M2", "2025-06");
  EXPECT_EQ(m2.total_minor, 4800);
  EXPECT_EQ(m2.lines[0].plan, "retro");
}

TEST_P(IncentiveEngineTest, SplitCustomerSharesTheSaleToTheFen) {
  Plan("am", kFivePercent);
  Put("credit_splits", "CS",
      R"({"customer":"C-S","shares":[{"manager":"M1","percent":"60"},)"
      R"({"manager":"M2","percent":"40"}]})");
  Ingest({Sale("S1", "2025-06-05", "M1", "C-S", 10001)});
  // 10,001 × 60 % = 6,000.6 and × 40 % = 4,000.4: whole fen 6,000 + 4,000 leave
  // 1, which goes to the larger remainder (M1's .6): 6,001 and 4,000.
  // M1: 6,001 × 0.05 = 300.05 → 300 (half-even); M2: 4,000 × 0.05 = 200.
  Statement m1 = Get("M1", "2025-06", /*expand=*/true);
  Statement m2 = Get("M2", "2025-06", /*expand=*/true);
  EXPECT_EQ(m1.lines[0].base, "6001");
  EXPECT_EQ(m1.lines[0].exact_amount, "300.05");
  EXPECT_EQ(m1.total_minor, 300);
  EXPECT_EQ(m2.lines[0].base, "4000");
  EXPECT_EQ(m2.total_minor, 200);
  ASSERT_EQ(m1.lines[0].trace.credits.size(), 1u);
  EXPECT_EQ(m1.lines[0].trace.credits[0].event, "S1");
  EXPECT_EQ(m1.lines[0].trace.credits[0].via, "split");
  EXPECT_EQ(m1.lines[0].trace.credits[0].percent, Decimal::FromUnits(60 * Decimal::kOne));
  EXPECT_EQ(m1.lines[0].trace.credits[0].event_amount_minor, 10001);
  EXPECT_EQ(m1.lines[0].trace.credits[0].amount_minor, 6001);
}

TEST_P(IncentiveEngineTest, OverlayCreditsTheLeadWithoutReducingTheTeam) {
  Plan("am", kFivePercent);
  Put("roles", "lead", R"({"name":"Team lead","incentive_plan":"lead"})");
  Plan("lead", R"({"id":"overlay","type":"commission","commission":{"credit":"overlay",)"
               R"("tiers":[{"from":"0","rate":"0.01"}]}})");
  Ingest({Sale("S1", "2025-06-05", "M1", "C1", 100000), Sale("S2", "2025-06-06", "M2", "C2", 50000),
          Sale("S3", "2025-06-07", "L1", "C3", 20000), Sale("S4", "2025-06-07", "M3", "C4", 70000)});
  // L1 leads T1 (M1, M2; their own sales are not overlay): 1 % of 150,000 = 1,500.
  // M3 is in T2, not led by L1.
  Statement lead = Get("L1", "2025-06", /*expand=*/true);
  EXPECT_EQ(lead.total_minor, 1500);
  EXPECT_EQ(lead.lines[0].base, "150000");
  ASSERT_EQ(lead.lines[0].trace.credits.size(), 2u);
  EXPECT_EQ(lead.lines[0].trace.credits[0].via, "overlay");
  EXPECT_EQ(lead.lines[0].trace.credits[0].from_manager, "M1");
  // The team keeps all of theirs: 5 % of 100,000 and of 50,000.
  EXPECT_EQ(Get("M1", "2025-06").total_minor, 5000);
  EXPECT_EQ(Get("M2", "2025-06").total_minor, 2500);
}

TEST_P(IncentiveEngineTest, SpiffPaysOnlyInsideItsWindow) {
  Plan("am", R"({"id":"tv","type":"spiff","spiff":{"amount_minor":5000,"from":"2025-06-10","to":"2025-06-20",)"
             R"("min_amount_minor":100000,"categories":["tv"]}})");
  Ingest({Sale("S1", "2025-06-09", "M1", "C1", 150000, "tv"),     // the day before: out
          Sale("S2", "2025-06-10", "M1", "C2", 150000, "tv"),     // first day: in
          Sale("S3", "2025-06-15", "M1", "C3", 99999, "tv"),      // below the minimum: out
          Sale("S4", "2025-06-20", "M1", "C4", 100000, "tv"),     // last day, exactly the minimum: in
          Sale("S5", "2025-06-15", "M1", "C5", 200000, "phone"),  // not a tv: out
          Sale("S6", "2025-06-21", "M1", "C6", 120000, "tv")});   // the day after: out
  // Two sales qualify: 2 × 5,000 = 10,000.
  Statement st = Get("M1", "2025-06", /*expand=*/true);
  ASSERT_EQ(st.lines.size(), 1u);
  EXPECT_EQ(st.lines[0].kind, LineKind::kSpiff);
  EXPECT_EQ(st.lines[0].base, "2");
  EXPECT_EQ(st.total_minor, 10000);
  ASSERT_EQ(st.lines[0].trace.credits.size(), 2u);
  EXPECT_EQ(st.lines[0].trace.credits[0].event, "S2");
  EXPECT_EQ(st.lines[0].trace.credits[1].event, "S4");
}

TEST_P(IncentiveEngineTest, ClawbackInALaterPeriodAtTheRateItWasPaid) {
  // Quota 1,000.00; 4 % up to it, 8 % above (marginal); returns within 30 days
  // of their sale are clawed back.
  Plan("am", R"({"id":"commission","type":"commission","commission":{"quota_minor":100000,)"
             R"("tiers":[{"from":"0","rate":"0.04"},{"from":"1","rate":"0.08"}],"clawback":{"window_days":30}}})");
  Ingest({Sale("S1", "2025-05-20", "M1", "C1", 100000), Sale("S2", "2025-05-25", "M1", "C2", 50000),
          Sale("S3", "2025-06-05", "M1", "C3", 160000),
          Return("R1", "2025-06-10", "C1", 40000, "S1"),    // 21 days after S1: clawed back
          Return("R2", "2025-06-30", "C2", 10000, "S2")});  // 36 days after S2: reduces June instead
  // May: 100,000 × 0.04 + 50,000 × 0.08 = 4,000 + 4,000 = 8,000 on a base of
  // 150,000: the rate paid is 8,000 / 150,000 = 4/75.
  Statement may = Get("M1", "2025-05");
  EXPECT_EQ(may.total_minor, 8000);
  // June: base 160,000 − 10,000 = 150,000 → 8,000 again. R1 takes back
  // 40,000 × 4/75 = 2,133.33… → −2,133 (half-even). Total 8,000 − 2,133 = 5,867.
  Statement june = Get("M1", "2025-06");
  const StatementLine* commission = FindLine(june, "commission");
  const StatementLine* clawback = FindLine(june, "commission:clawback");
  ASSERT_NE(commission, nullptr);
  ASSERT_NE(clawback, nullptr);
  EXPECT_EQ(commission->base, "150000");
  EXPECT_EQ(commission->amount_minor, 8000);
  EXPECT_EQ(clawback->kind, LineKind::kClawback);
  EXPECT_EQ(clawback->base, "-40000");
  EXPECT_EQ(clawback->exact_amount, "-2133.333333333~");
  EXPECT_EQ(clawback->amount_minor, -2133);
  EXPECT_EQ(june.total_minor, 5867);
  // May is untouched by the June return.
  EXPECT_EQ(Get("M1", "2025-05").total_minor, 8000);
}

TEST_P(IncentiveEngineTest, ClawbackOfReturnsFromSeveralSalePeriodsPaysEachAtItsRate) {
  // Quota 1,000.00; 4 % up to it, 8 % above (marginal); a 40-day window.
  Plan("am", R"({"id":"commission","type":"commission","commission":{"quota_minor":100000,)"
             R"("tiers":[{"from":"0","rate":"0.04"},{"from":"1","rate":"0.08"}],"clawback":{"window_days":40}}})");
  Ingest({Sale("S1", "2025-05-25", "M1", "C1", 100000), Sale("S2", "2025-05-28", "M1", "C2", 50000),
          Sale("S3", "2025-06-20", "M1", "C3", 50000), Sale("S4", "2025-07-02", "M1", "C4", 200000),
          Return("R1", "2025-07-01", "C1", 30001, "S1"),    // 37 days after S1
          Return("R2", "2025-07-03", "C2", 15001, "S2"),    // 36 days after S2
          Return("R3", "2025-07-05", "C3", 20000, "S3"),    // 15 days after S3
          Return("R4", "2025-07-10", "C4", 50000, "S4")});  // 8 days after S4, same month
  // Statements handed out by GetStatements first: July then reads what the
  // engine kept of May and June.
  for (const char* month : {"2025-05", "2025-06"}) ASSERT_TRUE(engine_->GetStatements(P(month)).ok());
  // May: 100,000 × 0.04 + 50,000 × 0.08 = 8,000 on 150,000: rate 4/75.
  // June: 50,000 × 0.04 = 2,000 on 50,000: rate 0.04.
  // July: base 200,000 (every return is clawed back, none reduces it):
  // 100,000 × 0.04 + 100,000 × 0.08 = 12,000, a rate of 0.06 for R4.
  // Clawback: (30,001 + 15,001) × 4/75 = 2,400.10666…, 20,000 × 0.04 = 800,
  // 50,000 × 0.06 = 3,000: −6,200.10666… → −6,200. Total 12,000 − 6,200 = 5,800.
  absl::StatusOr<std::vector<Statement>> july = engine_->GetStatements(P("2025-07"), std::vector<std::string>{"M1"});
  ASSERT_TRUE(july.ok()) << july.status();
  ASSERT_EQ(july->size(), 1u);
  const Statement& st = (*july)[0];
  const StatementLine* clawback = FindLine(st, "commission:clawback");
  ASSERT_NE(clawback, nullptr);
  EXPECT_EQ(clawback->base, "-115002");
  EXPECT_EQ(clawback->exact_amount, "-6200.106666667~");
  EXPECT_EQ(clawback->amount_minor, -6200);
  EXPECT_EQ(clawback->trace.credit_count, 4u);
  ASSERT_EQ(clawback->trace.notes.size(), 4u);
  EXPECT_THAT(clawback->trace.notes[0], HasSubstr("rate paid 0.053333333~ → -1600.053333333~"));
  EXPECT_EQ(st.total_minor, 5800);
  // The same statement from a fresh engine, and from this one asked again
  // (built again from what it kept), expanded or not.
  IncentiveEngine fresh(*ws_);
  absl::StatusOr<Statement> again = fresh.GetStatement("M1", P("2025-07"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, st);
  EXPECT_EQ(Get("M1", "2025-07"), st);
  Statement expanded = Get("M1", "2025-07", /*expand=*/true);
  const StatementLine* traced = FindLine(expanded, "commission:clawback");
  ASSERT_NE(traced, nullptr);
  ASSERT_EQ(traced->trace.credits.size(), 4u);
  EXPECT_EQ(traced->trace.credits[0].event, "R1");
  EXPECT_EQ(traced->trace.credits[3].event, "R4");
  EXPECT_EQ(expanded.total_minor, 5800);
}

TEST_P(IncentiveEngineTest, RecoverableDrawIsPaidBackOverTwoPeriods) {
  Plan("am", kFivePercent, R"(,"draw":{"kind":"recoverable","amount_minor":3000})");
  Ingest({Sale("S1", "2025-04-10", "M1", "C1", 20000), Sale("S2", "2025-05-10", "M1", "C2", 80000),
          Sale("S3", "2025-06-10", "M1", "C3", 100000)});
  // April: earns 1,000; the draw tops up 2,000 → pays 3,000, owes 2,000.
  Statement april = Get("M1", "2025-04");
  EXPECT_EQ(april.total_minor, 3000);
  EXPECT_EQ(april.draw_balance_minor, 2000);
  // May: earns 4,000, 1,000 above the draw: recovers 1,000 → pays 3,000, owes 1,000.
  Statement may = Get("M1", "2025-05");
  EXPECT_EQ(may.total_minor, 3000);
  EXPECT_EQ(may.draw_balance_minor, 1000);
  const StatementLine* recovery = FindLine(may, "draw");
  ASSERT_NE(recovery, nullptr);
  EXPECT_EQ(recovery->kind, LineKind::kDrawRecovery);
  EXPECT_EQ(recovery->amount_minor, -1000);
  // June: earns 5,000; recovers the last 1,000 → pays 4,000, owes nothing.
  Statement june = Get("M1", "2025-06");
  EXPECT_EQ(june.total_minor, 4000);
  EXPECT_EQ(june.draw_balance_minor, 0);
}

TEST_P(IncentiveEngineTest, MidPeriodHireProratesTheQuota) {
  Manager("M3", "T2", "am", "2025-06-11");  // on the plan 20 of June's 30 days
  Plan("am", R"({"id":"commission","type":"commission","commission":{"quota_minor":90000,)"
             R"("tiers":[{"from":"0","rate":"0.02"},{"from":"1","rate":"0.05"}]}})");
  Ingest({Sale("S1", "2025-06-12", "M3", "C1", 66000)});
  // Quota 90,000 × 20/30 = 60,000; attainment 66,000 / 60,000 = 1.1:
  // 60,000 × 0.02 + 6,000 × 0.05 = 1,200 + 300 = 1,500 (unprorated it would
  // have been 66,000 × 0.02 = 1,320).
  Statement st = Get("M3", "2025-06");
  EXPECT_EQ(st.total_minor, 1500);
  EXPECT_EQ(st.lines[0].trace.quota, "60000");
  EXPECT_EQ(st.lines[0].trace.attainment, "1.1");
  ASSERT_TRUE(st.lines[0].trace.proration.has_value());
  EXPECT_THAT(absl::StrJoin(st.notes, "\n"), HasSubstr("20 of 30 days"));
  // Not employed in May: no statement.
  EXPECT_TRUE(absl::IsNotFound(engine_->GetStatement("M3", P("2025-05")).status()));
}

TEST_P(IncentiveEngineTest, PlanVersionInForceOnEachDayPaysThatDay) {
  Plan("am", R"({"id":"commission","type":"commission","commission":{"tiers":[{"from":"0","rate":"0.05"}]}})");
  Plan("am", R"({"id":"commission","type":"commission","commission":{"tiers":[{"from":"0","rate":"0.1"}]}})", "",
       testing::T("2025-06-16T00:00:00+08:00"));
  Ingest({Sale("S1", "2025-06-10", "M1", "C1", 10000), Sale("S2", "2025-06-20", "M1", "C2", 10000)});
  // 1-15 June on version 1 (5 %): 500; 16-30 June on version 2 (10 %): 1,000.
  Statement st = Get("M1", "2025-06");
  const StatementLine* first = FindLine(st, "commission@2025-06-01");
  const StatementLine* second = FindLine(st, "commission@2025-06-16");
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(first->amount_minor, 500);
  EXPECT_EQ(first->plan_version, 1);
  EXPECT_EQ(second->amount_minor, 1000);
  EXPECT_EQ(second->plan_version, 2);
  EXPECT_EQ(st.total_minor, 1500);
}

TEST_P(IncentiveEngineTest, CsatGateWithholdsTheAcceleratorWhenItFires) {
  Plan("am", R"({"id":"commission","type":"commission","commission":{"quota_minor":100000,)"
             R"("tiers":[{"from":"0","rate":"0.02"},{"from":"1","rate":"0.04"}]},)"
             R"("gates":[{"id":"csat","when":"metric_below","metric":"csat","value":"4",)"
             R"("action":"cap_attainment","attainment_cap":"1"}]})");
  Ingest({Sale("S1", "2025-06-05", "M1", "C1", 120000), Sale("S2", "2025-06-05", "M2", "C2", 120000),
          Csat("Q1", "2025-06-10", "M1", "C1", "3"), Csat("Q2", "2025-06-11", "M1", "C1", "4"),
          Csat("Q3", "2025-06-10", "M2", "C2", "5"), Csat("Q4", "2025-06-11", "M2", "C2", "4")});
  // M1's CSAT is 3.5 < 4: attainment counts at most 1 → 100,000 × 0.02 = 2,000.
  Statement m1 = Get("M1", "2025-06");
  EXPECT_EQ(m1.total_minor, 2000);
  ASSERT_EQ(m1.lines[0].trace.gates.size(), 1u);
  EXPECT_TRUE(m1.lines[0].trace.gates[0].fired);
  EXPECT_EQ(m1.lines[0].trace.gates[0].actual, "3.5");
  // M2's is 4.5: the gate does not fire → 2,000 + 20,000 × 0.04 = 2,800.
  Statement m2 = Get("M2", "2025-06");
  EXPECT_EQ(m2.total_minor, 2800);
  EXPECT_FALSE(m2.lines[0].trace.gates[0].fired);
}

TEST_P(IncentiveEngineTest, LateEventForAClosedPeriodBecomesAnAdjustment) {
  Plan("am", kFivePercent);
  Ingest({Sale("S1", "2025-05-10", "M1", "C1", 100000), Sale("S2", "2025-06-10", "M1", "C2", 40000)});
  absl::StatusOr<IncentivePeriod> closed = engine_->ClosePeriod(*ws_, P("2025-05"), "finance", "May payroll");
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(closed->state, PeriodState::kClosed);
  const Statement may_closed = Get("M1", "2025-05");
  EXPECT_EQ(may_closed.state, PeriodState::kClosed);
  EXPECT_EQ(may_closed.total_minor, 5000);

  // A May sale logged after the close.
  Ingest({Sale("S-late", "2025-05-28", "M1", "C3", 20000)});
  const Statement may_after = Get("M1", "2025-05");
  EXPECT_EQ(may_after, may_closed);  // frozen: identical, line for line
  // June pays its own 40,000 × 5 % = 2,000 plus the late May sale's
  // 20,000 × 5 % = 1,000 as an adjustment naming May and the late sale.
  Statement june = Get("M1", "2025-06", /*expand=*/true);
  const StatementLine* adj = FindLine(june, "commission@2025-05");
  ASSERT_NE(adj, nullptr);
  EXPECT_EQ(adj->kind, LineKind::kAdjustment);
  EXPECT_EQ(adj->adjusts_period, "2025-05");
  EXPECT_EQ(adj->amount_minor, 1000);
  ASSERT_EQ(adj->trace.credits.size(), 1u);
  EXPECT_EQ(adj->trace.credits[0].event, "S-late");
  EXPECT_EQ(june.total_minor, 3000);

  // June closes with the adjustment in it; a second late May sale then lands
  // in July, for its own difference only.
  ASSERT_TRUE(engine_->ClosePeriod(*ws_, P("2025-06"), "finance").ok());
  Ingest({Sale("S-later", "2025-05-29", "M1", "C4", 10000), Sale("S3", "2025-07-02", "M1", "C5", 10000)});
  EXPECT_EQ(Get("M1", "2025-06").total_minor, 3000);
  Statement july = Get("M1", "2025-07");
  const StatementLine* again = FindLine(july, "commission@2025-05");
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->amount_minor, 500);  // 10,000 × 5 %; the 1,000 was settled in June
  EXPECT_EQ(july.total_minor, 1000);    // 500 own + 500 adjustment
}

TEST_P(IncentiveEngineTest, PeriodsCloseInOrderAndReopenFromTheLatest) {
  Plan("am", kFivePercent);
  Ingest({Sale("S1", "2025-05-10", "M1", "C1", 100000)});
  ASSERT_TRUE(engine_->ClosePeriod(*ws_, P("2025-05"), "finance").ok());
  absl::StatusOr<IncentivePeriod> skip = engine_->ClosePeriod(*ws_, P("2025-07"), "finance");
  EXPECT_EQ(skip.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(skip.status().message(), HasSubstr("close 2025-06"));
  EXPECT_EQ(engine_->ClosePeriod(*ws_, P("2025-05"), "finance").status().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(engine_->ClosePeriod(*ws_, P("2025-06"), "finance").ok());
  EXPECT_EQ(engine_->ReopenPeriod(*ws_, P("2025-05"), "finance", "fix").status().code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(engine_->ReopenPeriod(*ws_, P("2025-06"), "cfo", "late payroll fix").ok());
  absl::StatusOr<PeriodState> state = engine_->StateOf(P("2025-06"));
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(*state, PeriodState::kOpen);
  // The audit trail: closed by finance, reopened by the CFO with the reason.
  absl::StatusOr<std::vector<DocumentVersion>> history = ws_->History("incentive_periods", "2025-06");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_THAT((*history)[1].body, HasSubstr("late payroll fix"));
}

TEST_P(IncentiveEngineTest, AcceptedDisputeIsPaidInTheNextOpenPeriod) {
  Plan("am", kFivePercent);
  Ingest({Sale("S1", "2025-05-10", "M1", "C1", 100000), Sale("S2", "2025-06-10", "M1", "C2", 20000)});
  ASSERT_TRUE(engine_->ClosePeriod(*ws_, P("2025-05"), "finance").ok());
  StatementDispute d;
  d.id = "D1";
  d.manager = "M1";
  d.period = "2025-05";
  d.line = "nope";
  d.reason = "a sale to C9 is missing";
  EXPECT_EQ(engine_->RaiseDispute(*ws_, d).status().code(), absl::StatusCode::kNotFound);
  d.line = "commission";
  ASSERT_TRUE(engine_->RaiseDispute(*ws_, d).ok());
  absl::StatusOr<StatementDispute> accepted =
      engine_->ResolveDispute(*ws_, "D1", true, 1500, "the C9 sale was keyed late", "finance");
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_EQ(engine_->ResolveDispute(*ws_, "D1", false, std::nullopt, "no", "finance").status().code(),
            absl::StatusCode::kFailedPrecondition);
  // June: 20,000 × 5 % = 1,000, plus the dispute's 1,500.
  Statement june = Get("M1", "2025-06");
  const StatementLine* line = FindLine(june, "dispute:D1");
  ASSERT_NE(line, nullptr);
  EXPECT_EQ(line->kind, LineKind::kDisputeAdjustment);
  EXPECT_EQ(line->amount_minor, 1500);
  EXPECT_EQ(june.total_minor, 2500);
  EXPECT_EQ(Get("M1", "2025-05").total_minor, 5000);  // the closed statement stays
}

TEST_P(IncentiveEngineTest, RecomputingGivesTheIdenticalStatement) {
  Plan("am", R"({"id":"commission","type":"commission","commission":{"quota_minor":100000,)"
             R"("tiers":[{"from":"0","rate":"0.03"},{"from":"0.8","rate":"0.05"},{"from":"1.2","rate":"0.07"}]}})");
  std::vector<Event> events;
  for (int i = 0; i < 40; ++i) {
    events.push_back(Sale(absl::StrCat("S", i), absl::StrCat("2025-06-", 10 + i % 20), i % 2 ? "M1" : "M2",
                          absl::StrCat("C", i), 3001 + 137 * i));
  }
  Ingest(std::move(events));
  absl::StatusOr<std::vector<Statement>> first = engine_->GetStatements(P("2025-06"));
  ASSERT_TRUE(first.ok()) << first.status();
  IncentiveEngine fresh(*ws_);
  absl::StatusOr<std::vector<Statement>> second = fresh.GetStatements(P("2025-06"));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*first, *second);
  ASSERT_EQ(first->size(), 3u);  // M1, M2, M3; L1 is on no plan
  EXPECT_EQ((*first)[0].manager, "M1");
  EXPECT_TRUE(absl::IsNotFound(engine_->GetStatement("L1", P("2025-06")).status()));
}

TEST_P(IncentiveEngineTest, APlanThatIsNotInForceIsNamed) {
  Plan("am", kFivePercent);
  Put("roles", "lead", R"({"name":"Team lead","incentive_plan":"lead"})");
  Ingest({Sale("S1", "2025-06-05", "L1", "C1", 1000)});
  absl::StatusOr<Statement> st = engine_->GetStatement("L1", P("2025-06"));
  EXPECT_EQ(st.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(st.status().message(), HasSubstr("role \"lead\" puts manager \"L1\" on incentive plan \"lead\""));
}

TEST_P(IncentiveEngineTest, WhatIfComparesACandidateWithoutChangingAnything) {
  Plan("am", kFivePercent);
  Ingest({Sale("S1", "2025-06-05", "M1", "C1", 120000), Sale("S2", "2025-06-06", "M2", "C2", 20000),
          Sale("S3", "2025-06-07", "M3", "C3", 60000)});
  const Statement before = Get("M1", "2025-06");
  WhatIfRequest request;
  request.plan = "am";
  request.first = P("2025-06");
  absl::StatusOr<IncentivePlan> candidate = json::FromText<IncentivePlan>(
      R"({"id":"am-tiered","name":"Tiered","components":[{"id":"commission","type":"commission",)"
      R"("commission":{"quota_minor":50000,"tiers":[{"from":"0","rate":"0.02"},{"from":"1","rate":"0.08"}]}}]})");
  ASSERT_TRUE(candidate.ok()) << candidate.status();
  request.candidate = *candidate;
  absl::StatusOr<WhatIfReport> report = engine_->WhatIf(request);
  ASSERT_TRUE(report.ok()) << report.status();
  // In force (5 %): M1 6,000, M2 1,000, M3 3,000 = 10,000.
  // Candidate: M1 50,000 × 0.02 + 70,000 × 0.08 = 1,000 + 5,600 = 6,600;
  // M2 20,000 × 0.02 = 400; M3 1,000 + 10,000 × 0.08 = 1,800. Total 8,800.
  EXPECT_EQ(report->managers_compared, 3);  // L1 is on no plan
  EXPECT_EQ(report->current_minor, 10000);
  EXPECT_EQ(report->candidate_minor, 8800);
  EXPECT_EQ(report->change_minor, -1200);
  EXPECT_EQ(report->change_ratio, Decimal::FromUnits(-120'000'000));  // -0.12
  ASSERT_EQ(report->teams.size(), 2u);
  EXPECT_EQ(report->teams[0].team, "T1");
  EXPECT_EQ(report->teams[0].change_minor, 0);  // M1 +600, M2 -600
  EXPECT_EQ(report->teams[1].change_minor, -1200);
  ASSERT_EQ(report->gainers.size(), 1u);
  EXPECT_EQ(report->gainers[0].manager, "M1");
  EXPECT_EQ(report->gainers[0].change_minor, 600);
  ASSERT_EQ(report->losers.size(), 2u);
  EXPECT_EQ(report->losers[0].manager, "M3");
  EXPECT_EQ(report->losers[1].manager, "M2");
  // Nearest rank over 1,000 / 3,000 / 6,000.
  EXPECT_EQ(report->current_distribution.p25_minor, 1000);
  EXPECT_EQ(report->current_distribution.median_minor, 3000);
  EXPECT_EQ(report->current_distribution.max_minor, 6000);
  // Nothing changed: the statement, and no plan written.
  EXPECT_EQ(Get("M1", "2025-06"), before);
  absl::StatusOr<std::vector<Document>> plans = ws_->List("incentive_plans");
  ASSERT_TRUE(plans.ok());
  EXPECT_EQ(plans->size(), 1u);
  // A candidate that does not validate is refused with its path.
  request.candidate.components[0].commission->tiers[0].from = Decimal::FromUnits(1);
  EXPECT_THAT(engine_->WhatIf(request).status().message(), HasSubstr("candidate.components[0].commission.tiers"));
}

TEST_P(IncentiveEngineTest, KpiBonusPaysTheTargetTimesTheExactScorecardTotal) {
  Put("scorecards", "sc",
      R"({"name":"Monthly","items":[{"metric":"net_sales","weight":"2"},{"metric":"orders","weight":"1"}]})");
  Put("targets", "t1", R"({"metric":"net_sales","manager":"M1","period":"2025-06","value":"100000"})");
  Put("targets", "t2", R"({"metric":"orders","manager":"M1","period":"2025-06","value":"4"})");
  Plan("am", R"({"id":"bonus","type":"kpi_bonus","kpi_bonus":{"scorecard":"sc","target_incentive_minor":10000}})");
  Ingest({Sale("S1", "2025-06-05", "M1", "C1", 50000), Sale("S2", "2025-06-06", "M1", "C2", 40000),
          Sale("S3", "2025-06-07", "M1", "C3", 30000), Sale("S4", "2025-06-07", "M2", "C4", 30000)});
  // net_sales 120,000 / 100,000 = 1.2; orders 3 / 4 = 0.75.
  // Total (2 × 1.2 + 1 × 0.75) / 3 = 3.15 / 3 = 1.05 → 10,000 × 1.05 = 10,500.
  Statement m1 = Get("M1", "2025-06");
  ASSERT_EQ(m1.lines.size(), 1u);
  EXPECT_EQ(m1.lines[0].kind, LineKind::kKpiBonus);
  EXPECT_EQ(m1.lines[0].exact_amount, "10500");
  EXPECT_EQ(m1.total_minor, 10500);
  // M2 has no targets: no item has a score, so the total counts as 0 and the
  // floor (0) is paid.
  EXPECT_EQ(Get("M2", "2025-06").total_minor, 0);
}

TEST_P(IncentiveEngineTest, SpiffPerNewCustomerCountsFirstPurchasesOnly) {
  Plan("am", R"({"id":"new","type":"spiff","spiff":{"per":"new_customer","amount_minor":2000}})");
  Ingest({Sale("S0", "2025-05-20", "M2", "C2", 1000),    // C2's first purchase, in May
          Sale("S1", "2025-06-05", "M1", "C1", 5000),    // C1's first ever: counts
          Sale("S2", "2025-06-06", "M1", "C1", 5000),    // C1 again: not new
          Sale("S3", "2025-06-07", "M1", "C2", 5000)});  // C2 bought before: not new
  Statement st = Get("M1", "2025-06");
  EXPECT_EQ(st.lines[0].base, "1");
  EXPECT_EQ(st.total_minor, 2000);
  // A late, earlier sale to C1 by M2 makes S1 no longer C1's first.
  Ingest({Sale("S-early", "2025-04-01", "M2", "C1", 1000)});
  EXPECT_EQ(Get("M1", "2025-06").total_minor, 0);
}

TEST_P(IncentiveEngineTest, RoundingPerLineAndPerStatementDifferByACent) {
  const std::string two = R"({"id":"a","type":"commission","commission":{"tiers":[{"from":"0","rate":"0.05"}]}},)"
                          R"({"id":"b","type":"commission","commission":{"tiers":[{"from":"0","rate":"0.03"}]}})";
  Plan("am", two, R"(,"rounding":{"mode":"half_even","scope":"line"})");
  Plan("per-statement", two, R"(,"rounding":{"mode":"half_even","scope":"statement"})");
  Put("plan_assignments", "M2-st", R"({"plan":"per-statement","manager":"M2"})");
  Ingest({Sale("S1", "2025-06-05", "M1", "C1", 10010), Sale("S2", "2025-06-05", "M2", "C2", 10010)});
  // a: 10,010 × 0.05 = 500.5; b: 10,010 × 0.03 = 300.3.
  // Per line (half-even): 500 + 300 = 800. Per statement: 800.8 → 801.
  Statement line = Get("M1", "2025-06");
  Statement statement = Get("M2", "2025-06");
  EXPECT_EQ(line.total_minor, 800);
  EXPECT_EQ(statement.total_minor, 801);
  EXPECT_EQ(statement.exact_total, "800.8");
  EXPECT_EQ(statement.rounding, RoundingScope::kStatement);
}

// ---- Through the query layer (what C and Python reach) --------------------------------

TEST_P(IncentiveEngineTest, StatementsDisputesAndClosesThroughQueriesAndCommands) {
  Plan("am", kFivePercent);
  Ingest({Sale("S1", "2025-05-10", "M1", "C1", 100000), Sale("S2", "2025-05-11", "M3", "C2", 40000)});
  QueryEngine queries(*ws_, [] { return testing::T("2025-07-15T12:00:00+08:00"); });
  auto run = [&](const std::string& request) -> absl::StatusOr<boost::json::value> {
    absl::StatusOr<std::string> text = queries.Run(request);
    if (!text.ok()) return text.status();
    return boost::json::parse(*text);
  };
  auto command = [&](const std::string& request) -> absl::StatusOr<boost::json::value> {
    absl::StatusOr<std::string> text = queries.Command(*ws_, request);
    if (!text.ok()) return text.status();
    return boost::json::parse(*text);
  };
  // A manager sees their own statement; another manager's is NOT_FOUND.
  absl::StatusOr<boost::json::value> own =
      run(R"({"query":"statement","viewer":{"manager":"M1"},"manager":"M1","period":"2025-05","expand_credits":true})");
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_EQ(own->at("total_minor").as_int64(), 5000);
  EXPECT_EQ(own->at("lines").at(0).at("trace").at("credits").at(0).at("event").as_string(), "S1");
  EXPECT_TRUE(absl::IsNotFound(
      run(R"({"query":"statement","viewer":{"manager":"M1"},"manager":"M3","period":"2025-05"})").status()));
  // L1 leads T1 (M1, M2): statements for what L1 may see, M1 only (M2 sold nothing: still a statement).
  absl::StatusOr<boost::json::value> team =
      run(R"({"query":"statements","viewer":{"manager":"L1"},"period":"2025-05"})");
  ASSERT_TRUE(team.ok()) << team.status();
  std::vector<std::string> who;
  for (const auto& st : team->at("statements").as_array()) who.emplace_back(st.at("manager").as_string());
  EXPECT_EQ(who, (std::vector<std::string>{"M1", "M2"}));
  // Closing is an admin's command; a manager is refused.
  EXPECT_EQ(
      command(R"({"command":"close_period","viewer":{"manager":"M1"},"period":"2025-05","by":"M1"})").status().code(),
      absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(command(R"({"command":"close_period","viewer":{"admin":true},"period":"2025-05","by":"finance"})").ok());
  absl::StatusOr<boost::json::value> state =
      run(R"({"query":"incentive_period","viewer":{"admin":true},"period":"2025-05"})");
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->at("state").as_string(), "closed");
  EXPECT_EQ(state->at("history").as_array().size(), 1u);
  // M1 disputes their own line; M1 cannot dispute M3's.
  EXPECT_EQ(command(R"({"command":"raise_dispute","viewer":{"manager":"M1"},"id":"D2","manager":"M3",)"
                    R"("period":"2025-05","line":"commission","reason":"x"})")
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(command(R"({"command":"raise_dispute","viewer":{"manager":"M1"},"id":"D1","manager":"M1",)"
                      R"("period":"2025-05","line":"commission","reason":"the C9 sale is missing"})")
                  .ok());
  ASSERT_TRUE(command(R"({"command":"resolve_dispute","viewer":{"admin":true},"id":"D1","accept":true,)"
                      R"("adjustment_minor":700,"resolution":"keyed late","by":"finance"})")
                  .ok());
  absl::StatusOr<boost::json::value> disputes = run(R"({"query":"disputes","viewer":{"manager":"M1"}})");
  ASSERT_TRUE(disputes.ok());
  EXPECT_EQ(disputes->at("disputes").at(0).at("status").as_string(), "accepted");
  absl::StatusOr<boost::json::value> june =
      run(R"({"query":"statement","viewer":{"admin":true},"manager":"M1","period":"2025-06"})");
  ASSERT_TRUE(june.ok()) << june.status();
  EXPECT_EQ(june->at("total_minor").as_int64(), 700);
  // What-if through the query: 10 % instead of 5 % doubles May.
  absl::StatusOr<boost::json::value> what_if =
      run(R"({"query":"what_if","viewer":{"admin":true},"plan":"am","first":"2025-05","candidate":{"id":"am2",)"
          R"("name":"Ten","components":[{"id":"commission","type":"commission","commission":{"tiers":[{"from":"0",)"
          R"("rate":"0.1"}]}}]}})");
  ASSERT_TRUE(what_if.ok()) << what_if.status();
  EXPECT_EQ(what_if->at("current_minor").as_int64(), 7000);  // 5,000 + 2,000
  EXPECT_EQ(what_if->at("candidate_minor").as_int64(), 14000);
  // Unknown commands name the known ones.
  absl::StatusOr<boost::json::value> unknown = command(R"({"command":"pay_everyone","viewer":{"admin":true}})");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.status().message(), HasSubstr("close_period"));
}

INSTANTIATE_TEST_SUITE_P(Backends, IncentiveEngineTest, ::testing::Values("memory", "sqlite"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace cadre
