// Scorecards of the KPI engine against hand-computed numbers: targets (absolute,
// growth over last year and over the previous period, proration by employed
// days, zero targets), scores clamped to floor and cap, weighted totals, unit
// roll-ups that recompute ratios, previous and change, derived metrics and the
// errors refused when they are saved, configured base metrics, leaderboards,
// time series and lineage. Every scorecard is also checked against
// RecomputeScorecard (see KpiTest::Card).
#include <optional>
#include <string>
#include <vector>

#include "cadre/kpi.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpi/kpi_test_util.h"

namespace cadre {
namespace {

using kpi_testing::Assign;
using kpi_testing::Done;
using kpi_testing::Interaction;
using kpi_testing::P;
using kpi_testing::Return;
using kpi_testing::Reverse;
using kpi_testing::Sale;
using kpi_testing::Survey;
using ::testing::AnyOf;
using ::testing::DoubleEq;
using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Optional;

using Day = absl::CivilDay;

class ScorecardTest : public kpi_testing::KpiTest {
 protected:
  std::vector<std::string> Subjects(const std::vector<ScorecardRow>& rows) {
    std::vector<std::string> out;
    for (const ScorecardRow& r : rows) out.push_back(r.subject);
    return out;
  }
  const ScorecardRow& MustRow(const std::vector<ScorecardRow>& rows, std::string_view subject) {
    const ScorecardRow* row = Row(rows, subject);
    EXPECT_NE(row, nullptr) << subject;
    static const ScorecardRow kEmpty{.figures = std::vector<Figure>(8)};
    return row != nullptr ? *row : kEmpty;
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, ScorecardTest, ::testing::Values("memory", "sqlite"), kpi_testing::BackendName);

std::string AbsoluteTarget(const char* id, const char* metric, const char* subject_key, const char* subject,
                           const char* period, const char* value) {
  return absl::StrCat(R"({"id":")", id, R"(","metric":")", metric, R"(",")", subject_key, R"(":")", subject,
                      R"(","period":")", period, R"(","value":")", value, R"("})");
}

TEST_P(ScorecardTest, AbsoluteTargetsScoresFloorCapAndWeightedTotal) {
  Ingest({Sale("P0", "2025-05-10T10:00:00+08:00", "C1", "M1", 1000),
          Sale("P1", "2025-04-10T10:00:00+08:00", "C3", "M1", 1000),
          Sale("S1", "2025-06-02T10:00:00+08:00", "C1", "M1", 5000),
          Sale("S2", "2025-06-03T10:00:00+08:00", "C1", "M1", 5000),
          Sale("S3", "2025-06-04T10:00:00+08:00", "C2", "M1", 3000),
          Sale("S4", "2025-06-05T10:00:00+08:00", "C3", "M1", 3000),
          Return("R1", "2025-06-06T10:00:00+08:00", "C1", "M1", 4000),
          Sale("S5", "2025-06-07T10:00:00+08:00", "C5", "M2", 1000)});
  Put("scorecards", "monthly",
      R"({"id":"monthly","name":"Monthly","items":[{"metric":"net_sales","weight":"2"},{"metric":"orders"},)"
      R"({"metric":"return_rate","cap":"1.2"},{"metric":"new_customers","floor":"0.5"}]})");
  Put("targets", "t1", AbsoluteTarget("t1", "net_sales", "manager", "M1", "2025-06", "10000"));
  Put("targets", "t2", AbsoluteTarget("t2", "orders", "manager", "M1", "2025-06", "2"));
  Put("targets", "t3", R"({"id":"t3","metric":"return_rate","manager":"M1","period":"2025-06","value":0.2})");
  Put("targets", "t4", AbsoluteTarget("t4", "new_customers", "manager", "M1", "2025-06", "4"));
  // Other periods never match June.
  Put("targets", "t5", AbsoluteTarget("t5", "net_sales", "manager", "M1", "2025-07", "999"));
  Put("targets", "t6", AbsoluteTarget("t6", "net_sales", "manager", "M1", "2025-Q2", "1"));
  Put("targets", "u1", AbsoluteTarget("u1", "net_sales", "manager", "M2", "2025-06", "2000"));
  Put("targets", "u2", AbsoluteTarget("u2", "orders", "manager", "M2", "2025-06", "0"));
  Put("targets", "u3", AbsoluteTarget("u3", "return_rate", "manager", "M2", "2025-06", "0.1"));

  ScorecardRequest request;
  request.scorecard = "monthly";
  request.period = P("2025-06");
  Scorecard card = Card(request);
  EXPECT_EQ(card.period, "2025-06");
  EXPECT_EQ(card.scorecard, "monthly");
  EXPECT_THAT(card.metrics, ElementsAre("net_sales", "orders", "return_rate", "new_customers"));
  EXPECT_THAT(card.weights, ElementsAre(2, 1, 1, 1));
  EXPECT_THAT(Subjects(card.managers), ElementsAre("M1", "M2", "M3", "M4"));

  // M1: net 16000 - 4000 = 12000 of 10000 -> 1.2; orders 4 of 2 -> 2, capped at 1.5;
  // return rate 0.25 against 0.2, lower is better -> 0.8; one new customer (C2) of 4
  // -> 0.25, floored at 0.5.
  const ScorecardRow& m1 = MustRow(card.managers, "M1");
  EXPECT_EQ(m1.team, "T1");
  ASSERT_EQ(m1.figures.size(), 4u);
  EXPECT_THAT(m1.figures[0].value, Optional(DoubleEq(12000)));
  EXPECT_THAT(m1.figures[0].target, Optional(DoubleEq(10000)));
  EXPECT_THAT(m1.figures[0].attainment, Optional(DoubleEq(1.2)));
  EXPECT_THAT(m1.figures[0].score, Optional(DoubleEq(1.2)));
  EXPECT_THAT(m1.figures[1].value, Optional(DoubleEq(4)));
  EXPECT_THAT(m1.figures[1].attainment, Optional(DoubleEq(2)));
  EXPECT_THAT(m1.figures[1].score, Optional(DoubleEq(1.5)));
  EXPECT_THAT(m1.figures[2].value, Optional(DoubleEq(0.25)));
  EXPECT_THAT(m1.figures[2].target, Optional(DoubleEq(0.2)));
  EXPECT_THAT(m1.figures[2].attainment, Optional(DoubleEq(0.8)));
  EXPECT_THAT(m1.figures[2].score, Optional(DoubleEq(0.8)));
  EXPECT_THAT(m1.figures[3].value, Optional(DoubleEq(1)));
  EXPECT_THAT(m1.figures[3].attainment, Optional(DoubleEq(0.25)));
  EXPECT_THAT(m1.figures[3].score, Optional(DoubleEq(0.5)));
  // (2 × 1.2 + 1.5 + 0.8 + 0.5) / 5
  EXPECT_THAT(m1.total, Optional(DoubleEq(1.04)));
  // Previous: May had one sale of 1000.
  EXPECT_THAT(m1.figures[0].previous, Optional(DoubleEq(1000)));
  EXPECT_THAT(m1.figures[0].change, Optional(DoubleEq(11)));
  EXPECT_THAT(m1.figures[1].previous, Optional(DoubleEq(1)));
  EXPECT_THAT(m1.figures[1].change, Optional(DoubleEq(3)));
  EXPECT_THAT(m1.figures[2].previous, Optional(DoubleEq(0)));
  EXPECT_EQ(m1.figures[2].change, std::nullopt);  // previous 0

  // M2: net 1000 of 2000 -> 0.5; a zero orders target -> no attainment, no score;
  // return rate 0 against 0.1 -> no attainment, score = the item's cap 1.2; no
  // new-customer target.
  const ScorecardRow& m2 = MustRow(card.managers, "M2");
  ASSERT_EQ(m2.figures.size(), 4u);
  EXPECT_THAT(m2.figures[0].score, Optional(DoubleEq(0.5)));
  EXPECT_THAT(m2.figures[1].value, Optional(DoubleEq(1)));
  EXPECT_THAT(m2.figures[1].target, Optional(DoubleEq(0)));
  EXPECT_EQ(m2.figures[1].attainment, std::nullopt);
  EXPECT_EQ(m2.figures[1].score, std::nullopt);
  EXPECT_THAT(m2.figures[2].value, Optional(DoubleEq(0)));
  EXPECT_EQ(m2.figures[2].attainment, std::nullopt);
  EXPECT_THAT(m2.figures[2].score, Optional(DoubleEq(1.2)));
  EXPECT_THAT(m2.figures[3].value, Optional(DoubleEq(1)));
  EXPECT_EQ(m2.figures[3].target, std::nullopt);
  EXPECT_EQ(m2.figures[3].score, std::nullopt);
  // (2 × 0.5 + 1 × 1.2) / 3
  EXPECT_THAT(m2.total, Optional(DoubleNear(2.2 / 3, 1e-12)));
  EXPECT_THAT(m2.figures[0].previous, Optional(DoubleEq(0)));
  EXPECT_EQ(m2.figures[0].change, std::nullopt);

  // M3: nothing to score.
  const ScorecardRow& m3 = MustRow(card.managers, "M3");
  EXPECT_EQ(m3.total, std::nullopt);
  for (const Figure& f : m3.figures) EXPECT_EQ(f.target, std::nullopt);

  // Without the comparison, previous and change stay absent.
  request.compare_previous = false;
  Scorecard plain = Card(request);
  const ScorecardRow& m1_plain = MustRow(plain.managers, "M1");
  EXPECT_EQ(m1_plain.figures[0].previous, std::nullopt);
  EXPECT_EQ(m1_plain.figures[0].change, std::nullopt);
  EXPECT_EQ(m1_plain.total, m1.total);

  // A metric list instead of a definition: weights 1, targets still apply.
  Scorecard listed = Card({"net_sales", "orders"}, "2025-06");
  EXPECT_THAT(listed.weights, ElementsAre(1, 1));
  EXPECT_EQ(listed.scorecard, std::nullopt);
  EXPECT_THAT(MustRow(listed.managers, "M1").total, Optional(DoubleEq((1.2 + 1.5) / 2)));
}

TEST_P(ScorecardTest, GrowthTargetsPreviousAndChange) {
  Ingest({Sale("Y1", "2024-06-15T10:00:00+08:00", "C1", "M1", 10000),
          Sale("A1", "2025-05-15T10:00:00+08:00", "C1", "M1", 8000),
          Sale("B1", "2025-06-15T10:00:00+08:00", "C1", "M1", 11000),
          Sale("A2", "2025-05-15T10:00:00+08:00", "C2", "M2", 4000),
          Sale("B2", "2025-06-15T10:00:00+08:00", "C2", "M2", 6000),
          Sale("B3", "2025-06-15T10:00:00+08:00", "C3", "M3", 500)});
  Put("targets", "g1",
      R"({"id":"g1","metric":"net_sales","manager":"M1","period":"2025-06","basis":"growth_over_last_year","growth":"0.1"})");
  Put("targets", "g2",
      R"({"id":"g2","metric":"net_sales","manager":"M2","period":"2025-06","basis":"growth_over_previous_period","growth":"0.25"})");
  Put("targets", "g3",
      R"({"id":"g3","metric":"net_sales","manager":"M3","period":"2025-06","basis":"growth_over_previous_period","growth":"0.5"})");
  Put("targets", "g4",
      R"({"id":"g4","metric":"net_sales","manager":"M1","period":"2025-Q2","basis":"growth_over_last_year","growth":"0.1"})");

  Scorecard card = Card({"net_sales"}, "2025-06");
  // M1: June 2024 10000 × 1.1 = 11000 against 11000.
  const Figure& m1 = MustRow(card.managers, "M1").figures[0];
  EXPECT_THAT(m1.target, Optional(DoubleNear(11000, 1e-9)));
  EXPECT_THAT(m1.attainment, Optional(DoubleNear(1, 1e-12)));
  EXPECT_THAT(m1.previous, Optional(DoubleEq(8000)));
  EXPECT_THAT(m1.change, Optional(DoubleEq(0.375)));
  // M2: May 4000 × 1.25 = 5000 against 6000.
  const Figure& m2 = MustRow(card.managers, "M2").figures[0];
  EXPECT_THAT(m2.target, Optional(DoubleNear(5000, 1e-9)));
  EXPECT_THAT(m2.attainment, Optional(DoubleNear(1.2, 1e-12)));
  EXPECT_THAT(m2.score, Optional(DoubleNear(1.2, 1e-12)));
  EXPECT_THAT(m2.previous, Optional(DoubleEq(4000)));
  EXPECT_THAT(m2.change, Optional(DoubleEq(0.5)));
  // M3: nothing in May, so the target is 0: no attainment, no score; no change.
  const Figure& m3 = MustRow(card.managers, "M3").figures[0];
  EXPECT_THAT(m3.value, Optional(DoubleEq(500)));
  EXPECT_THAT(m3.target, Optional(DoubleEq(0)));
  EXPECT_EQ(m3.attainment, std::nullopt);
  EXPECT_EQ(m3.score, std::nullopt);
  EXPECT_THAT(m3.previous, Optional(DoubleEq(0)));
  EXPECT_EQ(m3.change, std::nullopt);

  // Q2 2025 (8000 + 11000) against Q2 2024 10000 × 1.1; previous is Q1 (nothing).
  Scorecard q2 = Card({"net_sales"}, "2025-Q2");
  const Figure& m1_q2 = MustRow(q2.managers, "M1").figures[0];
  EXPECT_THAT(m1_q2.value, Optional(DoubleEq(19000)));
  EXPECT_THAT(m1_q2.target, Optional(DoubleNear(11000, 1e-9)));
  EXPECT_THAT(m1_q2.attainment, Optional(DoubleNear(19000.0 / 11000.0, 1e-12)));
  EXPECT_THAT(m1_q2.score, Optional(DoubleNear(19000.0 / 11000.0 > 1.5 ? 1.5 : 19000.0 / 11000.0, 1e-12)));

  // A later sale in the base period moves the growth target (and the previous value).
  Ingest({Sale("A3", "2025-05-20T10:00:00+08:00", "C2", "M2", 800)});
  const Figure m2_after = MustRow(Card({"net_sales"}, "2025-06").managers, "M2").figures[0];
  EXPECT_THAT(m2_after.target, Optional(DoubleNear(6000, 1e-9)));  // 4800 × 1.25
  EXPECT_THAT(m2_after.attainment, Optional(DoubleNear(1, 1e-12)));
  EXPECT_THAT(m2_after.previous, Optional(DoubleEq(4800)));
  EXPECT_THAT(m2_after.change, Optional(DoubleEq(0.25)));
}

TEST_P(ScorecardTest, ManagerTargetsAreProratedByEmployedDays) {
  PutManager("M5", "T2", Day(2025, 6, 11));                   // 11..30 June: 20 of 30 days
  PutManager("M6", "T2", Day(2024, 1, 1), Day(2025, 6, 5));   // 1..5 June: 5 days
  PutManager("M7", "T2", Day(2025, 6, 16));                   // not prorated by choice
  PutManager("M8", "T2", Day(2025, 6, 1), Day(2025, 6, 30));  // the whole month
  Ingest({Sale("S5", "2025-06-15T10:00:00+08:00", "C5", "M5", 10000),
          Sale("S6", "2025-06-02T10:00:00+08:00", "C6", "M6", 2500),
          Sale("S7", "2025-06-20T10:00:00+08:00", "C7", "M7", 3000),
          Sale("S8", "2025-06-20T10:00:00+08:00", "C8", "M8", 15000)});
  Put("targets", "p5", AbsoluteTarget("p5", "net_sales", "manager", "M5", "2025-06", "30000"));
  Put("targets", "p6", AbsoluteTarget("p6", "net_sales", "manager", "M6", "2025-06", "30000"));
  Put("targets", "p7",
      R"({"id":"p7","metric":"net_sales","manager":"M7","period":"2025-06","value":"30000","proration":"none"})");
  Put("targets", "p8", AbsoluteTarget("p8", "net_sales", "manager", "M8", "2025-06", "30000"));
  // A quarter: Q2 has 91 days, M5 was employed 20 of them.
  Put("targets", "q5", AbsoluteTarget("q5", "net_sales", "manager", "M5", "2025-Q2", "91000"));

  Scorecard card = Card({"net_sales"}, "2025-06");
  const Figure& m5 = MustRow(card.managers, "M5").figures[0];
  EXPECT_THAT(m5.target, Optional(DoubleNear(20000, 1e-6)));
  EXPECT_THAT(m5.attainment, Optional(DoubleNear(0.5, 1e-12)));
  const Figure& m6 = MustRow(card.managers, "M6").figures[0];
  EXPECT_THAT(m6.target, Optional(DoubleNear(5000, 1e-6)));
  EXPECT_THAT(m6.attainment, Optional(DoubleNear(0.5, 1e-12)));
  const Figure& m7 = MustRow(card.managers, "M7").figures[0];
  EXPECT_THAT(m7.target, Optional(DoubleEq(30000)));
  EXPECT_THAT(m7.attainment, Optional(DoubleNear(0.1, 1e-12)));
  const Figure& m8 = MustRow(card.managers, "M8").figures[0];
  EXPECT_THAT(m8.target, Optional(DoubleEq(30000)));
  EXPECT_THAT(m8.attainment, Optional(DoubleNear(0.5, 1e-12)));

  Scorecard q2 = Card({"net_sales"}, "2025-Q2");
  const Figure& m5_q2 = MustRow(q2.managers, "M5").figures[0];
  EXPECT_THAT(m5_q2.target, Optional(DoubleNear(20000, 1e-6)));
  EXPECT_THAT(m5_q2.attainment, Optional(DoubleNear(0.5, 1e-12)));
}

TEST_P(ScorecardTest, UnitRollupsAddNumeratorsAndDenominators) {
  Ingest({Sale("S1", "2025-06-02T10:00:00+08:00", "C1", "M1", 6000),
          Sale("S2", "2025-06-03T10:00:00+08:00", "C1", "M1", 4000),
          Return("R1", "2025-06-04T10:00:00+08:00", "C1", "M1", 1000),
          Sale("S3", "2025-06-05T10:00:00+08:00", "C2", "M2", 1000),
          Return("R3", "2025-06-06T10:00:00+08:00", "C2", "M2", 500),
          Sale("S4", "2025-06-07T10:00:00+08:00", "C3", "M3", 4000),
          Survey("V1", "2025-06-08T10:00:00+08:00", "C1", "M1", "csat", "5"),
          Survey("V2", "2025-06-08T10:00:00+08:00", "C2", "M2", "csat", "3"),
          Survey("V3", "2025-06-09T10:00:00+08:00", "C2", "M2", "csat", "3"),
          Survey("V4", "2025-06-10T10:00:00+08:00", "C2", "M2", "csat", "3")});
  // T1 has its own net_sales target (equal to its members' sum, so that ST1's
  // sum is the same whether it adds managers or child units); T2 does not.
  Put("targets", "m1", AbsoluteTarget("m1", "net_sales", "manager", "M1", "2025-06", "8000"));
  Put("targets", "m2", AbsoluteTarget("m2", "net_sales", "manager", "M2", "2025-06", "1000"));
  Put("targets", "m3", AbsoluteTarget("m3", "net_sales", "manager", "M3", "2025-06", "5000"));
  Put("targets", "m4", AbsoluteTarget("m4", "net_sales", "manager", "M4", "2025-06", "1000"));
  Put("targets", "t1", AbsoluteTarget("t1", "net_sales", "unit", "T1", "2025-06", "9000"));
  // Orders: T1's own target wins over its members' sum (1 + 1).
  Put("targets", "o1", AbsoluteTarget("o1", "orders", "manager", "M1", "2025-06", "1"));
  Put("targets", "o2", AbsoluteTarget("o2", "orders", "manager", "M2", "2025-06", "1"));
  Put("targets", "o3", AbsoluteTarget("o3", "orders", "unit", "T1", "2025-06", "10"));
  // A ratio target of a member does not add up to a unit target.
  Put("targets", "r1", AbsoluteTarget("r1", "return_rate", "manager", "M1", "2025-06", "0.2"));

  const std::vector<std::string> metrics = {"net_sales", "return_rate", "average_order_value", "orders", "csat"};
  Scorecard card = Card(metrics, "2025-06");
  EXPECT_THAT(Subjects(card.units), ElementsAre("CO", "ST1", "T1", "T2"));

  const ScorecardRow& t1 = MustRow(card.units, "T1");
  EXPECT_EQ(t1.team, std::nullopt);
  ASSERT_EQ(t1.figures.size(), metrics.size());
  // net 9000 + 500 against its own 9000.
  EXPECT_EQ(t1.figures[0].numerator, 9500);
  EXPECT_THAT(t1.figures[0].value, Optional(DoubleEq(9500)));
  EXPECT_THAT(t1.figures[0].target, Optional(DoubleEq(9000)));
  EXPECT_THAT(t1.figures[0].attainment, Optional(DoubleNear(9500.0 / 9000.0, 1e-12)));
  // Return rate (1000 + 500) / (10000 + 1000), not the mean of 0.1 and 0.5.
  EXPECT_EQ(t1.figures[1].numerator, 1500);
  EXPECT_EQ(t1.figures[1].denominator, 11000);
  EXPECT_THAT(t1.figures[1].value, Optional(DoubleEq(1500.0 / 11000.0)));
  EXPECT_EQ(t1.figures[1].target, std::nullopt);
  // Average order value 11000 / 3, not the mean of 5000 and 1000.
  EXPECT_EQ(t1.figures[2].numerator, 11000);
  EXPECT_EQ(t1.figures[2].denominator, 3);
  EXPECT_THAT(t1.figures[2].value, Optional(DoubleEq(11000.0 / 3.0)));
  EXPECT_THAT(t1.figures[3].value, Optional(DoubleEq(3)));
  EXPECT_THAT(t1.figures[3].target, Optional(DoubleEq(10)));
  EXPECT_THAT(t1.figures[3].attainment, Optional(DoubleEq(0.3)));
  // CSAT (5 + 3 + 3 + 3) / 4, not the mean of 5 and 3.
  EXPECT_THAT(t1.figures[4].value, Optional(DoubleEq(3.5)));
  EXPECT_EQ(t1.figures[4].denominator, 4);
  EXPECT_THAT(t1.total, Optional(DoubleNear(((9500.0 / 9000.0) + 0.3) / 2, 1e-12)));

  // T2: M3 and M4; no own target, so the members' 5000 + 1000.
  const ScorecardRow& t2 = MustRow(card.units, "T2");
  EXPECT_THAT(t2.figures[0].value, Optional(DoubleEq(4000)));
  EXPECT_THAT(t2.figures[0].target, Optional(DoubleEq(6000)));
  EXPECT_THAT(t2.figures[0].attainment, Optional(DoubleNear(4000.0 / 6000.0, 1e-12)));
  EXPECT_EQ(t2.figures[1].numerator, 0);
  EXPECT_EQ(t2.figures[1].denominator, 4000);
  EXPECT_THAT(t2.figures[1].value, Optional(DoubleEq(0)));
  EXPECT_EQ(t2.figures[4].value, std::nullopt);

  // ST1 and CO: everything.
  for (const char* unit : {"ST1", "CO"}) {
    SCOPED_TRACE(unit);
    const ScorecardRow& u = MustRow(card.units, unit);
    EXPECT_THAT(u.figures[0].value, Optional(DoubleEq(13500)));
    EXPECT_THAT(u.figures[0].target, Optional(DoubleEq(15000)));
    EXPECT_THAT(u.figures[0].attainment, Optional(DoubleNear(0.9, 1e-12)));
    EXPECT_EQ(u.figures[1].numerator, 1500);
    EXPECT_EQ(u.figures[1].denominator, 15000);
    EXPECT_THAT(u.figures[1].value, Optional(DoubleEq(0.1)));
    EXPECT_THAT(u.figures[2].value, Optional(DoubleEq(3750)));
    EXPECT_THAT(u.figures[4].value, Optional(DoubleEq(3.5)));
  }

  // One unit: its managers and the units below it.
  ScorecardRequest for_t1;
  for_t1.metrics = metrics;
  for_t1.period = P("2025-06");
  for_t1.unit = "T1";
  Scorecard t1_card = Card(for_t1);
  EXPECT_THAT(Subjects(t1_card.managers), ElementsAre("M1", "M2"));
  EXPECT_THAT(Subjects(t1_card.units), ElementsAre("T1"));
  EXPECT_EQ(MustRow(t1_card.units, "T1"), t1);
  ScorecardRequest for_st1 = for_t1;
  for_st1.unit = "ST1";
  EXPECT_THAT(Subjects(Card(for_st1).units), ElementsAre("ST1", "T1", "T2"));

  // One manager.
  ScorecardRequest for_m3 = for_t1;
  for_m3.unit.reset();
  for_m3.manager = "M3";
  Scorecard m3_card = Card(for_m3);
  EXPECT_THAT(Subjects(m3_card.managers), ElementsAre("M3"));
  EXPECT_EQ(MustRow(m3_card.managers, "M3"), MustRow(card.managers, "M3"));

  // No roll-ups.
  ScorecardRequest flat = for_t1;
  flat.unit.reset();
  flat.units_rollup = false;
  Scorecard flat_card = Card(flat);
  EXPECT_THAT(flat_card.units, IsEmpty());
  EXPECT_EQ(flat_card.managers, card.managers);

  // The viewer's scope restricts the manager rows.
  ScorecardRequest scoped = flat;
  scoped.managers = {"M1", "M3"};
  EXPECT_THAT(Subjects(Card(scoped).managers), ElementsAre("M1", "M3"));
}

TEST_P(ScorecardTest, DerivedMetrics) {
  Ingest({Sale("S1", "2025-06-02T10:00:00+08:00", "C1", "M1", 5000),
          Sale("S2", "2025-06-03T10:00:00+08:00", "C1", "M1", 5000),
          Sale("S3", "2025-06-04T10:00:00+08:00", "C2", "M1", 3000),
          Sale("S4", "2025-06-05T10:00:00+08:00", "C3", "M1", 3000),
          Return("R1", "2025-06-06T10:00:00+08:00", "C1", "M1", 4000),
          Sale("S5", "2025-06-07T10:00:00+08:00", "C5", "M2", 1000),
          Sale("S6", "2025-05-07T10:00:00+08:00", "C5", "M1", 2000)});
  Put("metrics", "aov2", R"({"id":"aov2","name":"AOV","unit":"money","formula":"gross_sales / orders"})");
  Put("metrics", "aov_k", R"({"id":"aov_k","name":"AOV in hundreds","unit":"money","formula":"aov2 / 100"})");
  Put("metrics", "rr_pct", R"({"id":"rr_pct","name":"Return %","unit":"ratio","formula":"return_rate * 100"})");
  Put("metrics", "busy", R"({"id":"busy","name":"Busy","formula":"orders > 3 ? 1 : 0"})");
  Put("targets", "a1", AbsoluteTarget("a1", "aov2", "manager", "M1", "2025-06", "5000"));

  const std::vector<std::string> metrics = {"aov2", "aov_k", "rr_pct", "busy"};
  Scorecard card = Card(metrics, "2025-06");
  // M1: 16000 / 4; 25 % returned.
  const ScorecardRow& m1 = MustRow(card.managers, "M1");
  ASSERT_EQ(m1.figures.size(), 4u);
  EXPECT_THAT(m1.figures[0].value, Optional(DoubleEq(4000)));
  EXPECT_EQ(m1.figures[0].numerator, 0);
  EXPECT_EQ(m1.figures[0].denominator, 0);
  EXPECT_THAT(m1.figures[0].target, Optional(DoubleEq(5000)));
  EXPECT_THAT(m1.figures[0].attainment, Optional(DoubleEq(0.8)));
  EXPECT_THAT(m1.figures[0].previous, Optional(DoubleEq(2000)));
  EXPECT_THAT(m1.figures[0].change, Optional(DoubleEq(1)));
  EXPECT_THAT(m1.figures[1].value, Optional(DoubleEq(40)));
  EXPECT_THAT(m1.figures[2].value, Optional(DoubleEq(25)));
  EXPECT_THAT(m1.figures[3].value, Optional(DoubleEq(1)));
  EXPECT_THAT(m1.total, Optional(DoubleEq(0.8)));
  // M2: 1000 / 1; no returns.
  const ScorecardRow& m2 = MustRow(card.managers, "M2");
  EXPECT_THAT(m2.figures[0].value, Optional(DoubleEq(1000)));
  EXPECT_THAT(m2.figures[2].value, Optional(DoubleEq(0)));
  EXPECT_THAT(m2.figures[3].value, Optional(DoubleEq(0)));
  // M3: orders 0 -> a division by zero -> no value, and none for what uses it.
  const ScorecardRow& m3 = MustRow(card.managers, "M3");
  EXPECT_EQ(m3.figures[0].value, std::nullopt);
  EXPECT_EQ(m3.figures[1].value, std::nullopt);
  EXPECT_EQ(m3.figures[2].value, std::nullopt);  // return_rate has no value
  EXPECT_THAT(m3.figures[3].value, Optional(DoubleEq(0)));
  // T1 from T1's own values: 17000 / 5, not a mean of the members' 4000 and 1000.
  const ScorecardRow& t1 = MustRow(card.units, "T1");
  EXPECT_THAT(t1.figures[0].value, Optional(DoubleEq(3400)));
  EXPECT_THAT(t1.figures[2].value, Optional(DoubleNear(400.0 / 17.0, 1e-9)));

  // Editing a formula takes effect.
  Put("metrics", "aov2", R"({"id":"aov2","name":"AOV","unit":"money","formula":"net_sales / orders"})");
  EXPECT_THAT(Value("aov2", "M1", "2025-06"), Optional(DoubleEq(3000)));
  EXPECT_THAT(Value("aov_k", "M1", "2025-06"), Optional(DoubleEq(30)));
}

TEST_P(ScorecardTest, FormulasAreCheckedWhenSaved) {
  Put("metrics", "x1", R"({"id":"x1","name":"x1","formula":"orders * 2"})");
  Put("metrics", "x2", R"({"id":"x2","name":"x2","formula":"x1 + 1"})");

  absl::Status unknown = TryPut("metrics", "bad1", R"({"id":"bad1","name":"b","formula":"gross_sales / nosuch"})");
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInvalidArgument) << unknown;
  EXPECT_THAT(unknown.message(), HasSubstr("nosuch"));
  // "nosuch" starts at offset 14 (the 15th character).
  EXPECT_THAT(unknown.message(), AnyOf(HasSubstr("14"), HasSubstr("15")));

  absl::Status syntax = TryPut("metrics", "bad2", R"({"id":"bad2","name":"b","formula":"gross_sales / (orders"})");
  EXPECT_EQ(syntax.code(), absl::StatusCode::kInvalidArgument) << syntax;
  EXPECT_THAT(syntax.message(), HasSubstr("formula"));

  absl::Status self = TryPut("metrics", "bad3", R"({"id":"bad3","name":"b","formula":"bad3 + 1"})");
  EXPECT_EQ(self.code(), absl::StatusCode::kInvalidArgument) << self;

  // x1 -> x2 -> x1.
  absl::Status cycle = TryPut("metrics", "x1", R"({"id":"x1","name":"x1","formula":"x2 * 2"})");
  EXPECT_EQ(cycle.code(), absl::StatusCode::kInvalidArgument) << cycle;
  EXPECT_THAT(cycle.message(), HasSubstr("x2"));

  // Built-in ids are reserved; exactly one of aggregate and formula; sum needs a field.
  EXPECT_EQ(TryPut("metrics", "net_sales", R"({"id":"net_sales","name":"n","formula":"orders"})").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(TryPut("metrics", "both", R"({"id":"both","name":"b","aggregate":"count","formula":"orders"})").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(TryPut("metrics", "neither", R"({"id":"neither","name":"n"})").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(TryPut("metrics", "nofield", R"({"id":"nofield","name":"n","aggregate":"sum"})").code(),
            absl::StatusCode::kInvalidArgument);

  // The same checks, called directly.
  MetricDefinition direct;
  direct.id = "direct";
  direct.name = "direct";
  direct.formula = "orders + nosuch";
  EXPECT_EQ(CheckMetricGraph(*ws_, direct).code(), absl::StatusCode::kInvalidArgument);
  direct.formula = "orders + x2";
  EXPECT_TRUE(CheckMetricGraph(*ws_, direct).ok());

  // Nothing refused was saved; x1 is unchanged.
  EXPECT_FALSE(ws_->Get("metrics", "bad1").ok());
  EXPECT_FALSE(ws_->Get("metrics", "bad3").ok());
  Ingest({Sale("S1", "2025-06-02T10:00:00+08:00", "C1", "M1", 5000),
          Sale("S2", "2025-06-03T10:00:00+08:00", "C1", "M1", 5000)});
  EXPECT_THAT(Value("x1", "M1", "2025-06"), Optional(DoubleEq(4)));
  EXPECT_THAT(Value("x2", "M1", "2025-06"), Optional(DoubleEq(5)));
}

TEST_P(ScorecardTest, ConfiguredBaseMetrics) {
  Ingest({Sale("S1", "2025-06-02T10:00:00+08:00", "C1", "M1", 30000)
              .Category("appliances")
              .Via(Channel::kStore)
              .Ref("ORD-1"),
          Sale("S2", "2025-06-03T10:00:00+08:00", "C1", "M1", 12000).Category("furniture").Ref("ORD-1"),
          Sale("S3", "2025-06-04T10:00:00+08:00", "C2", "M1", 8000).Category("appliances"),
          Reverse("X3", "2025-06-05T10:00:00+08:00", "S3"),
          Sale("S4", "2025-06-06T10:00:00+08:00", "C3", "M1", 5000).Category("appliances").Attr("promo", "618"),
          Return("R1", "2025-06-07T10:00:00+08:00", "C1", "M1", 4000).Category("appliances"),
          Interaction("I1", "2025-06-08T10:00:00+08:00", "C1", "M1", Channel::kVisit),
          Interaction("I2", "2025-06-09T10:00:00+08:00", "C1", "M1", Channel::kCall),
          Interaction("I3", "2025-06-10T10:00:00+08:00", "C2", "M1", Channel::kVisit),
          Reverse("X13", "2025-06-11T10:00:00+08:00", "I3"),
          Sale("S5", "2025-06-12T10:00:00+08:00", "C2", "M2", 23000)
              .Line("TV-1", "appliances", 2, 20000)
              .Line("CAB-1", "furniture", 1, 3000),
          Sale("S6", "2025-06-13T10:00:00+08:00", "C4", "M2", 1000).Category("furniture")});
  Put("metrics", "big_sales",
      R"({"id":"big_sales","name":"Appliances","unit":"money","aggregate":"sum","field":"amount",)"
      R"("filter":{"kinds":["sale"],"categories":["appliances"]}})");
  Put("metrics", "net_appliances",
      R"({"id":"net_appliances","name":"Net appliances","unit":"money","aggregate":"sum","field":"amount",)"
      R"("filter":{"kinds":["sale","return"],"categories":["appliances"]}})");
  Put("metrics", "customers",
      R"({"id":"customers","name":"Customers","aggregate":"distinct_count","field":"customer"})");
  Put("metrics", "order_refs",
      R"({"id":"order_refs","name":"Orders by reference","aggregate":"distinct_count","field":"reference"})");
  Put("metrics", "min_sale", R"({"id":"min_sale","name":"Min","unit":"money","aggregate":"min","field":"amount"})");
  Put("metrics", "max_sale", R"({"id":"max_sale","name":"Max","unit":"money","aggregate":"max","field":"amount"})");
  Put("metrics", "avg_sale", R"({"id":"avg_sale","name":"Avg","unit":"money","aggregate":"average","field":"amount"})");
  Put("metrics", "sale_count", R"({"id":"sale_count","name":"Sales","aggregate":"count"})");
  Put("metrics", "promo_sales",
      R"({"id":"promo_sales","name":"618","unit":"money","aggregate":"sum","field":"amount",)"
      R"("filter":{"attributes":{"promo":"618"}}})");
  Put("metrics", "visits",
      R"({"id":"visits","name":"Visits","aggregate":"count","filter":{"kinds":["interaction"],"channels":["visit"]}})");
  Put("metrics", "units_sold", R"({"id":"units_sold","name":"Units","aggregate":"sum","field":"quantity"})");
  Put("metrics", "tv_sales", R"({"id":"tv_sales","name":"TVs","aggregate":"count","filter":{"skus":["TV-1"]}})");
  Put("metrics", "store_sales",
      R"({"id":"store_sales","name":"In store","unit":"money","aggregate":"sum","field":"amount",)"
      R"("filter":{"channels":["store"]}})");

  const std::vector<std::string> metrics = {"big_sales",  "net_appliances", "customers",  "order_refs",  "min_sale",
                                            "max_sale",   "avg_sale",       "sale_count", "promo_sales", "visits",
                                            "units_sold", "tv_sales",       "store_sales"};
  Scorecard card = Card(metrics, "2025-06");
  const ScorecardRow& m1 = MustRow(card.managers, "M1");
  ASSERT_EQ(m1.figures.size(), metrics.size());
  auto value = [&](const ScorecardRow& row, const char* id) -> std::optional<double> {
    for (std::size_t i = 0; i < metrics.size(); ++i)
      if (metrics[i] == id) return row.figures[i].value;
    ADD_FAILURE() << id;
    return std::nullopt;
  };
  // M1's live sales: S1 30000 appliances, S2 12000 furniture, S4 5000 appliances.
  EXPECT_THAT(value(m1, "big_sales"), Optional(DoubleEq(35000)));
  EXPECT_THAT(value(m1, "net_appliances"), Optional(DoubleEq(31000)));
  EXPECT_THAT(value(m1, "customers"), Optional(DoubleEq(2)));   // C1, C3
  EXPECT_THAT(value(m1, "order_refs"), Optional(DoubleEq(2)));  // ORD-1, S4
  EXPECT_THAT(value(m1, "min_sale"), Optional(DoubleEq(5000)));
  EXPECT_THAT(value(m1, "max_sale"), Optional(DoubleEq(30000)));
  EXPECT_THAT(value(m1, "avg_sale"), Optional(DoubleEq(47000.0 / 3.0)));
  EXPECT_EQ(m1.figures[6].numerator, 47000);
  EXPECT_EQ(m1.figures[6].denominator, 3);
  EXPECT_THAT(value(m1, "sale_count"), Optional(DoubleEq(3)));
  EXPECT_THAT(value(m1, "promo_sales"), Optional(DoubleEq(5000)));
  EXPECT_THAT(value(m1, "visits"), Optional(DoubleEq(1)));
  EXPECT_THAT(value(m1, "units_sold"), Optional(DoubleEq(3)));
  EXPECT_THAT(value(m1, "tv_sales"), Optional(DoubleEq(0)));
  EXPECT_THAT(value(m1, "store_sales"), Optional(DoubleEq(30000)));

  // M2: S5 with lines (2 + 1 units, one TV line) and S6.
  const ScorecardRow& m2 = MustRow(card.managers, "M2");
  EXPECT_THAT(value(m2, "customers"), Optional(DoubleEq(2)));  // C2, C4
  EXPECT_THAT(value(m2, "units_sold"), Optional(DoubleEq(4)));
  EXPECT_THAT(value(m2, "tv_sales"), Optional(DoubleEq(1)));
  EXPECT_THAT(value(m2, "min_sale"), Optional(DoubleEq(1000)));
  EXPECT_THAT(value(m2, "max_sale"), Optional(DoubleEq(23000)));

  // M3: zeros for sums and counts, nothing for min, max and average.
  const ScorecardRow& m3 = MustRow(card.managers, "M3");
  EXPECT_THAT(value(m3, "big_sales"), Optional(DoubleEq(0)));
  EXPECT_THAT(value(m3, "customers"), Optional(DoubleEq(0)));
  EXPECT_THAT(value(m3, "sale_count"), Optional(DoubleEq(0)));
  EXPECT_EQ(value(m3, "min_sale"), std::nullopt);
  EXPECT_EQ(value(m3, "max_sale"), std::nullopt);
  EXPECT_EQ(value(m3, "avg_sale"), std::nullopt);

  // T1 adds its members' numerators and denominators.
  const ScorecardRow& t1 = MustRow(card.units, "T1");
  EXPECT_THAT(value(t1, "customers"), Optional(DoubleEq(4)));
  EXPECT_THAT(value(t1, "sale_count"), Optional(DoubleEq(5)));
  EXPECT_THAT(value(t1, "avg_sale"), Optional(DoubleEq(71000.0 / 5.0)));

  // Lineage of a configured metric.
  absl::StatusOr<std::vector<LineageEntry>> lineage = engine_->Lineage("big_sales", "M1", P("2025-06"));
  ASSERT_TRUE(lineage.ok()) << lineage.status();
  std::vector<std::pair<std::string, int64_t>> got;
  for (const LineageEntry& e : *lineage) got.emplace_back(e.event, e.contribution);
  EXPECT_THAT(got,
              ElementsAre(std::pair<std::string, int64_t>("S1", 30000), std::pair<std::string, int64_t>("S4", 5000)));
}

class LeaderboardFixture {
 public:
  static std::vector<Event> Events() {
    return {Sale("S1", "2025-06-02T10:00:00+08:00", "C1", "M1", 6000),
            Return("R1", "2025-06-03T10:00:00+08:00", "C1", "M1", 1000),
            Sale("S2", "2025-06-04T10:00:00+08:00", "C2", "M2", 8000),
            Sale("S3", "2025-06-05T10:00:00+08:00", "C3", "M3", 6250),
            Return("R3", "2025-06-06T10:00:00+08:00", "C3", "M3", 1250)};
  }
};

std::vector<std::pair<std::string, int32_t>> Ranks(const Leaderboard& board) {
  std::vector<std::pair<std::string, int32_t>> out;
  for (const LeaderboardEntry& e : board.entries) out.emplace_back(e.manager, e.rank);
  return out;
}
using Ranked = std::pair<std::string, int32_t>;

TEST_P(ScorecardTest, LeaderboardRanksWithTiesAndNoValueLast) {
  Ingest(LeaderboardFixture::Events());
  // Net: M2 8000, M1 5000, M3 5000, M4 0.
  absl::StatusOr<Leaderboard> net = engine_->GetLeaderboard("net_sales", P("2025-06"));
  ASSERT_TRUE(net.ok()) << net.status();
  EXPECT_EQ(net->metric, "net_sales");
  EXPECT_EQ(net->period, "2025-06");
  EXPECT_EQ(net->unit, std::nullopt);
  ASSERT_EQ(net->entries.size(), 4u);
  EXPECT_THAT(Ranks(*net), ElementsAre(Ranked("M2", 1), Ranked("M1", 2), Ranked("M3", 2), ::testing::_));
  EXPECT_EQ(net->entries[3].manager, "M4");
  EXPECT_THAT(net->entries[3].rank, AnyOf(3, 4));  // after a tie of two at 2
  EXPECT_EQ(net->entries[0].team, "T1");
  EXPECT_THAT(net->entries[0].figure.value, Optional(DoubleEq(8000)));
  const Figure m1 = MustRow(Card({"net_sales"}, "2025-06").managers, "M1").figures[0];
  EXPECT_EQ(net->entries[1].figure.value, m1.value);
  EXPECT_EQ(net->entries[1].figure.numerator, m1.numerator);
  EXPECT_EQ(net->entries[1].figure.denominator, m1.denominator);

  // Return rate, lower first: M2 0, M1 1/6, M3 0.2; M4 has no value and comes last.
  absl::StatusOr<Leaderboard> rr = engine_->GetLeaderboard("return_rate", P("2025-06"));
  ASSERT_TRUE(rr.ok()) << rr.status();
  EXPECT_THAT(Ranks(*rr), ElementsAre(Ranked("M2", 1), Ranked("M1", 2), Ranked("M3", 3), Ranked("M4", 4)));
  EXPECT_EQ(rr->entries[3].figure.value, std::nullopt);

  // Within T1.
  absl::StatusOr<Leaderboard> t1 = engine_->GetLeaderboard("net_sales", P("2025-06"), "T1");
  ASSERT_TRUE(t1.ok()) << t1.status();
  EXPECT_EQ(t1->unit, "T1");
  EXPECT_THAT(Ranks(*t1), ElementsAre(Ranked("M2", 1), Ranked("M1", 2)));

  // Restricted to two managers who tie: ordered by id.
  const std::vector<std::string> scope = {"M3", "M1"};
  absl::StatusOr<Leaderboard> tied = engine_->GetLeaderboard("net_sales", P("2025-06"), std::nullopt, scope);
  ASSERT_TRUE(tied.ok()) << tied.status();
  EXPECT_THAT(Ranks(*tied), ElementsAre(Ranked("M1", 1), Ranked("M3", 1)));

  // A limit keeps the best.
  absl::StatusOr<Leaderboard> top2 = engine_->GetLeaderboard("net_sales", P("2025-06"), std::nullopt, {}, 2);
  ASSERT_TRUE(top2.ok()) << top2.status();
  EXPECT_THAT(Ranks(*top2), ElementsAre(Ranked("M2", 1), Ranked("M1", 2)));

  // A derived metric ranks too; no value last.
  Put("metrics", "aov2", R"({"id":"aov2","name":"AOV","unit":"money","formula":"gross_sales / orders"})");
  absl::StatusOr<Leaderboard> aov = engine_->GetLeaderboard("aov2", P("2025-06"));
  ASSERT_TRUE(aov.ok()) << aov.status();
  EXPECT_THAT(Ranks(*aov), ElementsAre(Ranked("M2", 1), Ranked("M3", 2), Ranked("M1", 3), Ranked("M4", 4)));
}

TEST_P(ScorecardTest, TimeSeries) {
  Ingest({Sale("S1", "2025-04-10T10:00:00+08:00", "C1", "M1", 1000),
          Sale("S2", "2025-06-10T10:00:00+08:00", "C1", "M1", 5000),
          Sale("S3", "2025-07-10T10:00:00+08:00", "C1", "M1", 2000),
          Sale("S4", "2025-06-11T10:00:00+08:00", "C2", "M2", 8000),
          Return("R1", "2025-07-11T10:00:00+08:00", "C1", "M1", 500)});
  absl::StatusOr<std::vector<SeriesPoint>> m1 = engine_->GetTimeSeries("net_sales", "M1", false, P("2025-04"), 4);
  ASSERT_TRUE(m1.ok()) << m1.status();
  ASSERT_EQ(m1->size(), 4u);
  const char* periods[] = {"2025-04", "2025-05", "2025-06", "2025-07"};
  const double values[] = {1000, 0, 5000, 1500};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ((*m1)[i].period, periods[i]);
    EXPECT_THAT((*m1)[i].figure.value, Optional(DoubleEq(values[i]))) << periods[i];
  }

  absl::StatusOr<std::vector<SeriesPoint>> t1 = engine_->GetTimeSeries("net_sales", "T1", true, P("2025-05"), 2);
  ASSERT_TRUE(t1.ok()) << t1.status();
  ASSERT_EQ(t1->size(), 2u);
  EXPECT_EQ((*t1)[1].period, "2025-06");
  EXPECT_THAT((*t1)[0].figure.value, Optional(DoubleEq(0)));
  EXPECT_THAT((*t1)[1].figure.value, Optional(DoubleEq(13000)));

  absl::StatusOr<std::vector<SeriesPoint>> rr = engine_->GetTimeSeries("return_rate", "M1", false, P("2025-05"), 3);
  ASSERT_TRUE(rr.ok()) << rr.status();
  ASSERT_EQ(rr->size(), 3u);
  EXPECT_EQ((*rr)[0].figure.value, std::nullopt);
  EXPECT_THAT((*rr)[1].figure.value, Optional(DoubleEq(0)));
  EXPECT_THAT((*rr)[2].figure.value, Optional(DoubleEq(0.25)));

  absl::StatusOr<std::vector<SeriesPoint>> quarters =
      engine_->GetTimeSeries("gross_sales", "M1", false, P("2025-Q2"), 2);
  ASSERT_TRUE(quarters.ok()) << quarters.status();
  ASSERT_EQ(quarters->size(), 2u);
  EXPECT_EQ((*quarters)[0].period, "2025-Q2");
  EXPECT_EQ((*quarters)[1].period, "2025-Q3");
  EXPECT_THAT((*quarters)[0].figure.value, Optional(DoubleEq(6000)));
  EXPECT_THAT((*quarters)[1].figure.value, Optional(DoubleEq(2000)));

  // The series agrees with the scorecard of each period.
  EXPECT_EQ((*m1)[2].figure.value, Value("net_sales", "M1", "2025-06"));
}

// A sale may name its manager and no customer: it is an order, never a new
// customer, in the figure and in its lineage (which once looked such a sale's
// customer up with an index of -1).
TEST_P(ScorecardTest, ASaleWithoutACustomerIsNoNewCustomer) {
  kpi_testing::Ev walk_in = Sale("S2", "2025-06-05T10:00:00+08:00", "unused", "M1", 300);
  walk_in.e.customer.reset();
  Ingest({Sale("S1", "2025-06-03T10:00:00+08:00", "C1", "M1", 6000), walk_in});
  EXPECT_EQ(Fig("orders", "M1", "2025-06").numerator, 2);
  EXPECT_EQ(Fig("new_customers", "M1", "2025-06").numerator, 1);
  absl::StatusOr<std::vector<LineageEntry>> fresh = engine_->Lineage("new_customers", "M1", P("2025-06"));
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  std::vector<std::string> ids;
  for (const LineageEntry& e : *fresh) {
    if (e.contribution != 0) ids.push_back(e.event);
  }
  EXPECT_THAT(ids, ElementsAre("S1"));
}

TEST_P(ScorecardTest, LineageListsTheEventsBehindAFigure) {
  Ingest({Assign("A1", "2025-05-01T10:00:00+08:00", "C1", "M1"),
          Sale("S1", "2025-06-03T10:00:00+08:00", "C1", "M1", 6000),
          Return("R1", "2025-06-04T10:00:00+08:00", "C1", "M1", 1000),
          Sale("S2", "2025-06-10T10:00:00+08:00", "C1", std::nullopt, 2000),  // the owner's
          Sale("S3", "2025-06-11T10:00:00+08:00", "C1", "M1", 900), Reverse("X3", "2025-06-12T10:00:00+08:00", "S3"),
          Sale("S4", "2025-06-12T10:00:00+08:00", "C1", "M2", 700),  // M2's
          Sale("S5", "2025-07-01T00:00:00+08:00", "C1", "M1", 500),  // July
          Interaction("I1", "2025-06-05T10:00:00+08:00", "C1", std::nullopt)});

  absl::StatusOr<std::vector<LineageEntry>> net = engine_->Lineage("net_sales", "M1", P("2025-06"));
  ASSERT_TRUE(net.ok()) << net.status();
  ASSERT_EQ(net->size(), 3u);
  EXPECT_EQ((*net)[0].event, "S1");
  EXPECT_EQ((*net)[0].kind, EventKind::kSale);
  EXPECT_EQ((*net)[0].occurred_at, testing::T("2025-06-03T10:00:00+08:00"));
  EXPECT_EQ((*net)[0].contribution, 6000);
  EXPECT_EQ((*net)[1].event, "R1");
  EXPECT_EQ((*net)[1].kind, EventKind::kReturn);
  EXPECT_EQ((*net)[1].contribution, -1000);
  EXPECT_EQ((*net)[2].event, "S2");
  EXPECT_EQ((*net)[2].contribution, 2000);
  int64_t sum = 0;
  for (const LineageEntry& e : *net) sum += e.contribution;
  EXPECT_EQ(sum, Fig("net_sales", "M1", "2025-06").numerator);

  absl::StatusOr<std::vector<LineageEntry>> orders = engine_->Lineage("orders", "M1", P("2025-06"));
  ASSERT_TRUE(orders.ok()) << orders.status();
  std::vector<std::string> ids;
  for (const LineageEntry& e : *orders) {
    ids.push_back(e.event);
    EXPECT_EQ(e.contribution, 1);
  }
  EXPECT_THAT(ids, ElementsAre("S1", "S2"));

  absl::StatusOr<std::vector<LineageEntry>> interactions = engine_->Lineage("interactions", "M1", P("2025-06"));
  ASSERT_TRUE(interactions.ok()) << interactions.status();
  ASSERT_EQ(interactions->size(), 1u);
  EXPECT_EQ((*interactions)[0].event, "I1");
  EXPECT_EQ((*interactions)[0].kind, EventKind::kInteraction);

  absl::StatusOr<std::vector<LineageEntry>> m2 = engine_->Lineage("net_sales", "M2", P("2025-06"));
  ASSERT_TRUE(m2.ok()) << m2.status();
  ASSERT_EQ(m2->size(), 1u);
  EXPECT_EQ((*m2)[0].event, "S4");

  Put("metrics", "aov2", R"({"id":"aov2","name":"AOV","unit":"money","formula":"gross_sales / orders"})");
  absl::StatusOr<std::vector<LineageEntry>> derived = engine_->Lineage("aov2", "M1", P("2025-06"));
  ASSERT_TRUE(derived.ok()) << derived.status();
  EXPECT_THAT(*derived, IsEmpty());

  // A late assignment moves S2 and its lineage to M2.
  Ingest({Assign("A1b", "2025-06-08T10:00:00+08:00", "C1", "M2")});
  absl::StatusOr<std::vector<LineageEntry>> moved = engine_->Lineage("net_sales", "M2", P("2025-06"));
  ASSERT_TRUE(moved.ok()) << moved.status();
  std::vector<std::string> moved_ids;
  for (const LineageEntry& e : *moved) moved_ids.push_back(e.event);
  EXPECT_THAT(moved_ids, ElementsAre("S2", "S4"));
}

TEST_P(ScorecardTest, UnknownNamesAreRefused) {
  ScorecardRequest request;
  request.scorecard = "no_such_scorecard";
  request.period = P("2025-06");
  EXPECT_EQ(engine_->GetScorecard(request).status().code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(engine_->GetLeaderboard("no_such_metric", P("2025-06")).ok());
  ScorecardRequest bad_metric;
  bad_metric.metrics = {"no_such_metric"};
  bad_metric.period = P("2025-06");
  EXPECT_FALSE(engine_->GetScorecard(bad_metric).ok());
  // A scorecard item needs a positive weight.
  EXPECT_EQ(
      TryPut("scorecards", "w0", R"({"id":"w0","name":"w0","items":[{"metric":"net_sales","weight":"0"}]})").code(),
      absl::StatusCode::kInvalidArgument);
  // A target names a manager or a unit, not both.
  EXPECT_EQ(TryPut("targets", "both",
                   R"({"id":"both","metric":"net_sales","manager":"M1","unit":"T1","period":"2025-06","value":"1"})")
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(ScorecardTest, ScoresAtTheFloorAndTotalsOfZero) {
  Ingest({Sale("S0", "2025-05-02T10:00:00+08:00", "C1", "M1", 5000),
          Sale("S1", "2025-06-02T10:00:00+08:00", "C1", "M1", 1000),
          Return("R1", "2025-06-03T10:00:00+08:00", "C1", "M1", 3000)});  // of May's sale
  Put("scorecards", "sc",
      R"({"id":"sc","name":"sc","items":[{"metric":"net_sales"},{"metric":"orders"},)"
      R"({"metric":"return_rate","floor":"0.2"}]})");
  Put("targets", "n1", AbsoluteTarget("n1", "net_sales", "manager", "M1", "2025-06", "1000"));
  Put("targets", "o1", AbsoluteTarget("o1", "orders", "manager", "M1", "2025-06", "1"));
  Put("targets", "r1", AbsoluteTarget("r1", "return_rate", "manager", "M1", "2025-06", "0.3"));
  Put("targets", "n2", AbsoluteTarget("n2", "net_sales", "manager", "M2", "2025-06", "1000"));
  Put("targets", "r2", AbsoluteTarget("r2", "return_rate", "manager", "M2", "2025-06", "0.3"));
  ScorecardRequest request;
  request.scorecard = "sc";
  request.period = P("2025-06");
  Scorecard card = Card(request);
  // M1: net -2000 of 1000 -> attainment -2, score 0; orders 1 of 1; return rate 3
  // against 0.3 -> 0.1, floored at 0.2.
  const ScorecardRow& m1 = MustRow(card.managers, "M1");
  EXPECT_THAT(m1.figures[0].value, Optional(DoubleEq(-2000)));
  EXPECT_THAT(m1.figures[0].attainment, Optional(DoubleEq(-2)));
  EXPECT_THAT(m1.figures[0].score, Optional(DoubleEq(0)));
  EXPECT_THAT(m1.figures[1].score, Optional(DoubleEq(1)));
  EXPECT_THAT(m1.figures[2].value, Optional(DoubleEq(3)));
  EXPECT_THAT(m1.figures[2].attainment, Optional(DoubleNear(0.1, 1e-12)));
  EXPECT_THAT(m1.figures[2].score, Optional(DoubleEq(0.2)));
  EXPECT_THAT(m1.total, Optional(DoubleNear(1.2 / 3, 1e-12)));
  // M2: nothing sold: net 0 of 1000 scores 0 (and counts); no return rate, no score.
  const ScorecardRow& m2 = MustRow(card.managers, "M2");
  EXPECT_THAT(m2.figures[0].attainment, Optional(DoubleEq(0)));
  EXPECT_THAT(m2.figures[0].score, Optional(DoubleEq(0)));
  EXPECT_EQ(m2.figures[2].value, std::nullopt);
  EXPECT_THAT(m2.figures[2].target, Optional(DoubleEq(0.3)));
  EXPECT_EQ(m2.figures[2].attainment, std::nullopt);
  EXPECT_EQ(m2.figures[2].score, std::nullopt);
  EXPECT_THAT(m2.total, Optional(DoubleEq(0)));
  // Change from May (5000) to June (-2000).
  EXPECT_THAT(m1.figures[0].previous, Optional(DoubleEq(5000)));
  EXPECT_THAT(m1.figures[0].change, Optional(DoubleEq(-1.4)));
}

TEST_P(ScorecardTest, ConfigurationChangesAfterAQueryAreSeen) {
  Ingest({Sale("S1", "2025-06-02T10:00:00+08:00", "C1", "M1", 6000),
          Sale("S3", "2025-06-02T10:00:00+08:00", "C3", "M3", 3000)});
  EXPECT_EQ(Fig("net_sales", "M1", "2025-06").target, std::nullopt);

  Put("targets", "t1", AbsoluteTarget("t1", "net_sales", "manager", "M1", "2025-06", "5000"));
  EXPECT_THAT(Fig("net_sales", "M1", "2025-06").attainment, Optional(DoubleEq(1.2)));
  Put("targets", "t1", AbsoluteTarget("t1", "net_sales", "manager", "M1", "2025-06", "12000"));
  EXPECT_THAT(Fig("net_sales", "M1", "2025-06").attainment, Optional(DoubleEq(0.5)));
  ASSERT_TRUE(ws_->Delete("targets", "t1").ok());
  EXPECT_EQ(Fig("net_sales", "M1", "2025-06").target, std::nullopt);

  // A hire date set later prorates: 16..30 June is 15 of 30 days.
  Put("targets", "t2", AbsoluteTarget("t2", "net_sales", "manager", "M1", "2025-06", "30000"));
  EXPECT_THAT(Fig("net_sales", "M1", "2025-06").target, Optional(DoubleEq(30000)));
  PutManager("M1", "T1", Day(2025, 6, 16));
  EXPECT_THAT(Fig("net_sales", "M1", "2025-06").target, Optional(DoubleNear(15000, 1e-6)));

  // M3 moves to T1: the roll-ups follow.
  EXPECT_THAT(Value("net_sales", "T1", "2025-06", /*unit=*/true), Optional(DoubleEq(6000)));
  EXPECT_THAT(Value("net_sales", "T2", "2025-06", /*unit=*/true), Optional(DoubleEq(3000)));
  PutManager("M3", "T1");
  Scorecard card = Card({"net_sales"}, "2025-06");
  EXPECT_EQ(MustRow(card.managers, "M3").team, "T1");
  EXPECT_THAT(MustRow(card.units, "T1").figures[0].value, Optional(DoubleEq(9000)));
  EXPECT_THAT(MustRow(card.units, "T2").figures[0].value, Optional(DoubleEq(0)));

  // A scorecard definition edited.
  Put("scorecards", "sc", R"({"id":"sc","name":"sc","items":[{"metric":"net_sales"}]})");
  ScorecardRequest request;
  request.scorecard = "sc";
  request.period = P("2025-06");
  EXPECT_THAT(Card(request).metrics, ElementsAre("net_sales"));
  Put("scorecards", "sc",
      R"({"id":"sc","name":"sc","items":[{"metric":"net_sales"},{"metric":"orders","weight":"3"}]})");
  Scorecard edited = Card(request);
  EXPECT_THAT(edited.metrics, ElementsAre("net_sales", "orders"));
  EXPECT_THAT(edited.weights, ElementsAre(1, 3));
}

TEST_P(ScorecardTest, LateEventsReachEveryViewAfterItWasComputed) {
  Ingest({Assign("A1", "2025-05-01T10:00:00+08:00", "C1", "M1"), Assign("A2", "2025-05-01T10:00:00+08:00", "C2", "M2"),
          Sale("S1", "2025-06-05T10:00:00+08:00", "C1", std::nullopt, 10000),
          Sale("S2", "2025-06-06T10:00:00+08:00", "C2", std::nullopt, 4000),
          kpi_testing::FollowUp("F1", "2025-06-01T10:00:00+08:00", "C1", std::nullopt, Day(2025, 6, 10)),
          kpi_testing::Opp("O1a", "2025-06-01T10:00:00+08:00", "O1", "propose", "C1", "M1").Amount(10000),
          Survey("V1", "2025-06-07T10:00:00+08:00", "C1", std::nullopt, "csat", "4"),
          Interaction("I1", "2025-06-08T10:00:00+08:00", "C2", std::nullopt)});
  const std::vector<std::string> metrics = {"net_sales",         "new_customers", "follow_ups_on_time", "win_rate",
                                            "weighted_pipeline", "csat",          "contact_coverage",   "buyers"};
  auto figures = [&](const char* manager) {
    Scorecard card = Card(metrics, "2025-06");
    return MustRow(card.managers, manager).figures;
  };
  std::vector<Figure> m1 = figures("M1");
  std::vector<Figure> m2 = figures("M2");
  EXPECT_THAT(m1[0].value, Optional(DoubleEq(10000)));
  EXPECT_THAT(m1[1].value, Optional(DoubleEq(1)));
  EXPECT_THAT(m1[2].value, Optional(DoubleEq(0)));
  EXPECT_EQ(m1[3].value, std::nullopt);
  EXPECT_THAT(m1[4].value, Optional(DoubleEq(4000)));
  EXPECT_THAT(m1[5].value, Optional(DoubleEq(4)));
  EXPECT_THAT(m1[6].value, Optional(DoubleEq(0)));
  EXPECT_THAT(m2[0].value, Optional(DoubleEq(4000)));
  EXPECT_EQ(m2[5].value, std::nullopt);
  EXPECT_THAT(m2[6].value, Optional(DoubleEq(1)));
  absl::StatusOr<Leaderboard> board = engine_->GetLeaderboard("net_sales", P("2025-06"));
  ASSERT_TRUE(board.ok()) << board.status();
  absl::StatusOr<std::vector<SeriesPoint>> series = engine_->GetTimeSeries("net_sales", "M1", false, P("2025-05"), 2);
  ASSERT_TRUE(series.ok()) << series.status();
  EXPECT_THAT((*series)[0].figure.value, Optional(DoubleEq(0)));
  absl::StatusOr<std::vector<LineageEntry>> lineage = engine_->Lineage("net_sales", "M2", P("2025-06"));
  ASSERT_TRUE(lineage.ok()) << lineage.status();
  ASSERT_EQ(lineage->size(), 1u);

  Ingest({Sale("S4", "2025-05-03T10:00:00+08:00", "C1", std::nullopt, 700),  // C1's first purchase now
          Reverse("X2", "2025-06-20T10:00:00+08:00", "S2"), Done("D1", "2025-06-09T10:00:00+08:00", "F1"),
          kpi_testing::Opp("O1b", "2025-06-20T10:00:00+08:00", "O1", "won", "C1", "M1"),
          Assign("A1b", "2025-06-06T10:00:00+08:00", "C1", "M2")});  // after S1, before V1

  m1 = figures("M1");
  m2 = figures("M2");
  EXPECT_THAT(m1[0].value, Optional(DoubleEq(10000)));
  EXPECT_THAT(m1[0].previous, Optional(DoubleEq(700)));
  EXPECT_THAT(m1[1].value, Optional(DoubleEq(0)));
  EXPECT_THAT(m1[2].value, Optional(DoubleEq(1)));
  EXPECT_THAT(m1[3].value, Optional(DoubleEq(1)));
  EXPECT_THAT(m1[4].value, Optional(DoubleEq(0)));
  EXPECT_EQ(m1[5].value, std::nullopt);
  EXPECT_EQ(m1[6].value, std::nullopt);  // owns nobody at the end of June
  EXPECT_THAT(m1[7].value, Optional(DoubleEq(1)));
  EXPECT_THAT(m2[0].value, Optional(DoubleEq(0)));
  EXPECT_THAT(m2[5].value, Optional(DoubleEq(4)));
  EXPECT_THAT(m2[6].value, Optional(DoubleEq(0.5)));  // owns C1 and C2; I1 was with C2
  EXPECT_THAT(m2[7].value, Optional(DoubleEq(0)));

  board = engine_->GetLeaderboard("net_sales", P("2025-06"));
  ASSERT_TRUE(board.ok()) << board.status();
  ASSERT_EQ(board->entries.size(), 4u);
  EXPECT_THAT(Ranks(*board), ElementsAre(Ranked("M1", 1), Ranked("M2", 2), Ranked("M3", 2), Ranked("M4", 2)));
  series = engine_->GetTimeSeries("net_sales", "M1", false, P("2025-05"), 2);
  ASSERT_TRUE(series.ok()) << series.status();
  EXPECT_THAT((*series)[0].figure.value, Optional(DoubleEq(700)));
  EXPECT_THAT((*series)[1].figure.value, Optional(DoubleEq(10000)));
  lineage = engine_->Lineage("net_sales", "M2", P("2025-06"));
  ASSERT_TRUE(lineage.ok()) << lineage.status();
  EXPECT_THAT(*lineage, IsEmpty());

  // A fresh engine over the same log agrees with the one that caught up.
  KpiEngine fresh(*ws_);
  absl::StatusOr<Leaderboard> fresh_board = fresh.GetLeaderboard("net_sales", P("2025-06"));
  ASSERT_TRUE(fresh_board.ok()) << fresh_board.status();
  EXPECT_EQ(Ranks(*fresh_board), Ranks(*board));
  ScorecardRequest request;
  request.metrics = metrics;
  request.period = P("2025-06");
  absl::StatusOr<Scorecard> fresh_card = fresh.GetScorecard(request);
  ASSERT_TRUE(fresh_card.ok()) << fresh_card.status();
  EXPECT_EQ(*fresh_card, Card(request));
}

TEST_P(ScorecardTest, UnitGrowthTargetsAndZeroEmployedDays) {
  PutManager("M5", "T2", Day(2025, 7, 1));  // hired after June
  Ingest({Sale("S1", "2025-05-02T10:00:00+08:00", "C1", "M1", 1000),
          Sale("S2", "2025-05-02T10:00:00+08:00", "C2", "M2", 1000),
          Sale("S3", "2025-06-02T10:00:00+08:00", "C1", "M1", 1200),
          Sale("S4", "2025-06-02T10:00:00+08:00", "C2", "M2", 1000)});
  Put("targets", "u1",
      R"({"id":"u1","metric":"net_sales","unit":"T1","period":"2025-06","basis":"growth_over_previous_period","growth":"0.1"})");
  Put("targets", "p5", AbsoluteTarget("p5", "net_sales", "manager", "M5", "2025-06", "30000"));
  Scorecard card = Card({"net_sales"}, "2025-06");
  // T1 in May: 2000; × 1.1 = 2200, reached exactly.
  const Figure& t1 = MustRow(card.units, "T1").figures[0];
  EXPECT_THAT(t1.value, Optional(DoubleEq(2200)));
  EXPECT_THAT(t1.target, Optional(DoubleNear(2200, 1e-9)));
  EXPECT_THAT(t1.attainment, Optional(DoubleNear(1, 1e-12)));
  EXPECT_THAT(t1.previous, Optional(DoubleEq(2000)));
  EXPECT_THAT(t1.change, Optional(DoubleNear(0.1, 1e-12)));
  // M5 was employed no day of June: no row in June (the engine lists the managers
  // employed during the period), a row in July.
  EXPECT_EQ(Row(card.managers, "M5"), nullptr);
  EXPECT_NE(Row(Card({"net_sales"}, "2025-07").managers, "M5"), nullptr);
  // Nor does M5's zero prorated June target add to T2's.
  EXPECT_EQ(MustRow(card.units, "T2").figures[0].attainment, std::nullopt);
}

TEST_P(ScorecardTest, DerivedFunctionsReturnsOnlyAndLowerIsBetterDefinitions) {
  Ingest({Sale("S1", "2025-06-02T10:00:00+08:00", "C1", "M1", 12000),
          Return("R1", "2025-06-03T10:00:00+08:00", "C1", "M1", 3000),
          Sale("S2", "2025-06-02T10:00:00+08:00", "C2", "M2", 10000),
          Return("R2", "2025-06-03T10:00:00+08:00", "C2", "M2", 1000)});
  Put("metrics", "fx", R"({"id":"fx","name":"fx","formula":"max(orders, 2) + abs(0 - 3) + 2^3"})");
  Put("metrics", "refunds",
      R"({"id":"refunds","name":"Refunds","unit":"money","aggregate":"sum","field":"amount","filter":{"kinds":["return"]}})");
  Put("metrics", "returns_pct",
      R"({"id":"returns_pct","name":"Returns %","unit":"ratio","higher_is_better":false,"formula":"return_rate * 100"})");
  Put("targets", "r1", AbsoluteTarget("r1", "returns_pct", "manager", "M1", "2025-06", "10"));
  Scorecard card = Card({"fx", "refunds", "returns_pct"}, "2025-06");
  const ScorecardRow& m1 = MustRow(card.managers, "M1");
  EXPECT_THAT(m1.figures[0].value, Optional(DoubleEq(13)));
  EXPECT_THAT(m1.figures[1].value, Optional(DoubleEq(3000)));
  EXPECT_THAT(m1.figures[2].value, Optional(DoubleEq(25)));
  EXPECT_THAT(m1.figures[2].attainment, Optional(DoubleEq(0.4)));                      // 10 / 25: lower is better
  EXPECT_THAT(MustRow(card.managers, "M3").figures[0].value, Optional(DoubleEq(13)));  // max(0, 2) + 3 + 8
  EXPECT_THAT(MustRow(card.managers, "M3").figures[1].value, Optional(DoubleEq(0)));

  // Lower first: M2 10, M1 25; M3 and M4 have no value.
  absl::StatusOr<Leaderboard> board = engine_->GetLeaderboard("returns_pct", P("2025-06"), "ST1");
  ASSERT_TRUE(board.ok()) << board.status();
  ASSERT_EQ(board->entries.size(), 4u);
  EXPECT_EQ(board->entries[0].manager, "M2");
  EXPECT_EQ(board->entries[1].manager, "M1");
  EXPECT_EQ(board->entries[0].rank, 1);
  EXPECT_EQ(board->entries[1].rank, 2);
  EXPECT_EQ(board->entries[2].figure.value, std::nullopt);
  EXPECT_EQ(board->entries[3].figure.value, std::nullopt);
  EXPECT_EQ(board->entries[2].manager, "M3");
  EXPECT_EQ(board->entries[3].manager, "M4");

  absl::StatusOr<std::vector<SeriesPoint>> series = engine_->GetTimeSeries("returns_pct", "T1", true, P("2025-05"), 2);
  ASSERT_TRUE(series.ok()) << series.status();
  ASSERT_EQ(series->size(), 2u);
  EXPECT_EQ((*series)[0].figure.value, std::nullopt);
  EXPECT_THAT((*series)[1].figure.value, Optional(DoubleNear(4000.0 / 22000.0 * 100, 1e-9)));
}

}  // namespace
}  // namespace cadre
