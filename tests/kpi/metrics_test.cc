// The built-in metrics of the KPI engine, each against hand-computed numbers in
// an Asia/Shanghai workspace: period boundaries in the workspace zone, returns
// in a later period than their sale, reversals, crediting to the owner at the
// time of the event (late assignments included), and the empty manager.
#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cadre/kpi.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpi/kpi_test_util.h"

namespace cadre {
namespace {

using kpi_testing::Assign;
using kpi_testing::Done;
using kpi_testing::FollowUp;
using kpi_testing::Interaction;
using kpi_testing::Opp;
using kpi_testing::Return;
using kpi_testing::Reverse;
using kpi_testing::Sale;
using kpi_testing::Survey;
using ::testing::DoubleEq;
using ::testing::DoubleNear;
using ::testing::Eq;
using ::testing::Optional;

using Day = absl::CivilDay;

class MetricsTest : public kpi_testing::KpiTest {};

INSTANTIATE_TEST_SUITE_P(Backends, MetricsTest, ::testing::Values("memory", "sqlite"), kpi_testing::BackendName);

// A figure that is an exact pair.
void ExpectPair(const Figure& f, int64_t numerator, int64_t denominator, const char* what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(f.numerator, numerator);
  EXPECT_EQ(f.denominator, denominator);
  if (denominator == 0) {
    EXPECT_EQ(f.value, std::nullopt);
  } else {
    EXPECT_THAT(f.value, Optional(DoubleEq(static_cast<double>(numerator) / static_cast<double>(denominator))));
  }
}

TEST_P(MetricsTest, SalesReturnsOrdersAverageOrderValueAndReturnRate) {
  Ingest({Sale("S0", "2025-05-20T10:00:00+08:00", "C3", "M1", 8000),
          Sale("S1", "2025-06-03T10:00:00+08:00", "C1", "M1", 10000),
          Sale("S2", "2025-06-10T10:00:00+08:00", "C2", "M1", 5000),
          // The last second of June in Shanghai, and 00:30 on 1 July there (16:30 UTC on 30 June).
          Sale("S3", "2025-06-30T23:59:59+08:00", "C1", "M1", 1000),
          Sale("S4", "2025-06-30T16:30:00Z", "C1", "M1", 700),
          Sale("S5", "2025-06-15T10:00:00+08:00", "C2", "M1", 9999), Reverse("X5", "2025-06-16T10:00:00+08:00", "S5"),
          Return("R1", "2025-06-12T10:00:00+08:00", "C1", "M1", 2000),
          // Returned in June, bought in May: lowers June.
          Return("R2", "2025-06-05T10:00:00+08:00", "C3", "M1", 3000),
          Return("R3", "2025-06-20T10:00:00+08:00", "C2", "M1", 400), Reverse("X3", "2025-06-21T10:00:00+08:00", "R3"),
          Sale("S6", "2025-06-04T10:00:00+08:00", "C9", "M2", 2500)});

  // June, M1: sales S1 + S2 + S3 = 16000 (S4 is July, S5 reversed); returns R1 + R2 = 5000.
  ExpectPair(Fig("gross_sales", "M1", "2025-06"), 16000, 1, "gross_sales");
  ExpectPair(Fig("returns", "M1", "2025-06"), 5000, 1, "returns");
  ExpectPair(Fig("net_sales", "M1", "2025-06"), 11000, 1, "net_sales");
  ExpectPair(Fig("orders", "M1", "2025-06"), 3, 1, "orders");
  ExpectPair(Fig("average_order_value", "M1", "2025-06"), 16000, 3, "average_order_value");
  ExpectPair(Fig("return_rate", "M1", "2025-06"), 5000, 16000, "return_rate");
  EXPECT_THAT(Value("return_rate", "M1", "2025-06"), Optional(DoubleEq(0.3125)));

  // May: the sale whose return came in June is whole.
  EXPECT_THAT(Value("net_sales", "M1", "2025-05"), Optional(DoubleEq(8000)));
  EXPECT_THAT(Value("returns", "M1", "2025-05"), Optional(DoubleEq(0)));
  EXPECT_THAT(Value("return_rate", "M1", "2025-05"), Optional(DoubleEq(0)));
  EXPECT_THAT(Value("orders", "M1", "2025-05"), Optional(DoubleEq(1)));

  // July: only the sale at 00:30 Shanghai time.
  EXPECT_THAT(Value("gross_sales", "M1", "2025-07"), Optional(DoubleEq(700)));
  EXPECT_THAT(Value("net_sales", "M1", "2025-07"), Optional(DoubleEq(700)));
  EXPECT_THAT(Value("orders", "M1", "2025-07"), Optional(DoubleEq(1)));

  // Day periods are civil days in Shanghai too.
  EXPECT_THAT(Value("gross_sales", "M1", "2025-06-30"), Optional(DoubleEq(1000)));
  EXPECT_THAT(Value("gross_sales", "M1", "2025-07-01"), Optional(DoubleEq(700)));

  // Quarter Q2: 8000 + 16000 gross, 5000 returned.
  EXPECT_THAT(Value("net_sales", "M1", "2025-Q2"), Optional(DoubleEq(19000)));
  EXPECT_THAT(Value("orders", "M1", "2025-Q2"), Optional(DoubleEq(4)));

  // The other managers.
  EXPECT_THAT(Value("net_sales", "M2", "2025-06"), Optional(DoubleEq(2500)));
  EXPECT_THAT(Value("average_order_value", "M2", "2025-06"), Optional(DoubleEq(2500)));
  EXPECT_THAT(Value("net_sales", "M3", "2025-06"), Optional(DoubleEq(0)));
  EXPECT_EQ(Value("average_order_value", "M3", "2025-06"), std::nullopt);
  EXPECT_EQ(Value("return_rate", "M3", "2025-06"), std::nullopt);
}

TEST_P(MetricsTest, BuiltinsAreListed) {
  const std::vector<std::string> ids = {"net_sales",
                                        "gross_sales",
                                        "returns",
                                        "orders",
                                        "average_order_value",
                                        "new_customers",
                                        "buyers",
                                        "repeat_purchase_rate",
                                        "return_rate",
                                        "interactions",
                                        "contact_coverage",
                                        "follow_ups_on_time",
                                        "win_rate",
                                        "weighted_pipeline",
                                        "csat",
                                        "nps",
                                        "complaints_resolved_in_sla",
                                        "sop_compliance",
                                        "training_completion",
                                        "first_response_time",
                                        "certification_compliance"};
  for (const std::string& id : ids) {
    const BuiltinMetric* m = FindBuiltinMetric(id);
    ASSERT_NE(m, nullptr) << id;
    EXPECT_EQ(m->id, id);
  }
  // Lower is better for the return rate (and so attainment is target / value).
  EXPECT_FALSE(FindBuiltinMetric("return_rate")->higher_is_better);
  for (const char* id : {"net_sales", "gross_sales", "orders", "new_customers", "win_rate", "csat", "nps"})
    EXPECT_TRUE(FindBuiltinMetric(id)->higher_is_better) << id;
  EXPECT_EQ(FindBuiltinMetric("no_such_metric"), nullptr);
  EXPECT_EQ(FindBuiltinMetric("net_sales")->unit, MetricUnit::kMoney);
  EXPECT_EQ(FindBuiltinMetric("weighted_pipeline")->unit, MetricUnit::kMoney);
  EXPECT_EQ(FindBuiltinMetric("orders")->unit, MetricUnit::kCount);
  EXPECT_EQ(FindBuiltinMetric("return_rate")->unit, MetricUnit::kRatio);
  EXPECT_EQ(FindBuiltinMetric("csat")->unit, MetricUnit::kScore);
  EXPECT_EQ(FindBuiltinMetric("nps")->unit, MetricUnit::kPoints);
  // A duration: lower is better, in minutes; a share of certifications: higher is better.
  EXPECT_EQ(FindBuiltinMetric("first_response_time")->unit, MetricUnit::kMinutes);
  EXPECT_FALSE(FindBuiltinMetric("first_response_time")->higher_is_better);
  EXPECT_EQ(FindBuiltinMetric("certification_compliance")->unit, MetricUnit::kRatio);
  EXPECT_TRUE(FindBuiltinMetric("certification_compliance")->higher_is_better);
  EXPECT_EQ(json::EnumName(MetricUnit::kMinutes), "minutes");
}

TEST_P(MetricsTest, ManagerWithNoEventsGetsZerosAndNoRatios) {
  Ingest({Sale("S1", "2025-06-03T10:00:00+08:00", "C1", "M1", 10000),
          Interaction("I1", "2025-06-03T11:00:00+08:00", "C1", "M1"),
          Survey("V1", "2025-06-03T12:00:00+08:00", "C1", "M1", "csat", "5")});
  const std::vector<std::string> sums = {"net_sales",     "gross_sales", "returns",      "orders",
                                         "new_customers", "buyers",      "interactions", "weighted_pipeline"};
  const std::vector<std::string> ratios = {"average_order_value",
                                           "repeat_purchase_rate",
                                           "return_rate",
                                           "contact_coverage",
                                           "follow_ups_on_time",
                                           "win_rate",
                                           "csat",
                                           "nps",
                                           "complaints_resolved_in_sla",
                                           "sop_compliance",
                                           "training_completion",
                                           "first_response_time",
                                           "certification_compliance"};
  std::vector<std::string> all = sums;
  all.insert(all.end(), ratios.begin(), ratios.end());
  Scorecard card = Card(all, "2025-06");
  const ScorecardRow* m4 = Row(card.managers, "M4");
  ASSERT_NE(m4, nullptr);
  ASSERT_EQ(m4->figures.size(), all.size());
  EXPECT_EQ(m4->team, "T2");
  for (std::size_t i = 0; i < all.size(); ++i) {
    SCOPED_TRACE(all[i]);
    const Figure& f = m4->figures[i];
    EXPECT_EQ(f.numerator, 0);
    if (i < sums.size()) {
      EXPECT_THAT(f.value, Optional(DoubleEq(0)));
    } else {
      EXPECT_EQ(f.value, std::nullopt);
      EXPECT_EQ(f.denominator, 0);
    }
    EXPECT_EQ(f.target, std::nullopt);
    EXPECT_EQ(f.attainment, std::nullopt);
    EXPECT_EQ(f.score, std::nullopt);
    EXPECT_EQ(f.change, std::nullopt);
  }
  EXPECT_EQ(m4->total, std::nullopt);
  // Every manager of the org has a row, by id.
  std::vector<std::string> subjects;
  for (const ScorecardRow& r : card.managers) subjects.push_back(r.subject);
  EXPECT_THAT(subjects, ::testing::ElementsAre("M1", "M2", "M3", "M4"));
}

TEST_P(MetricsTest, NewCustomersAtPeriodBoundariesTiesAndReversedFirstSales) {
  Ingest({Assign("A5", "2025-01-01T00:00:00+08:00", "C5", "M2"),
          // C0 first bought in April: not new in June.
          Sale("N0", "2025-04-10T10:00:00+08:00", "C0", "M1", 100),
          Sale("N0b", "2025-06-02T10:00:00+08:00", "C0", "M1", 100),
          // Exactly at the start of June in Shanghai (16:00 UTC on 31 May).
          Sale("N1", "2025-06-01T00:00:00+08:00", "C1", "M1", 100),
          // The last second of May in Shanghai.
          Sale("N2", "2025-05-31T23:59:59+08:00", "C2", "M1", 100),
          Sale("N2b", "2025-06-03T10:00:00+08:00", "C2", "M1", 100),
          // C3 first bought in May through M2, then in June through M1.
          Sale("N3", "2025-05-15T10:00:00+08:00", "C3", "M2", 100),
          Sale("N3b", "2025-06-20T10:00:00+08:00", "C3", "M1", 100),
          // Two first purchases at the same instant: the first logged wins.
          Sale("N4a", "2025-06-05T10:00:00+08:00", "C4", "M2", 100),
          Sale("N4b", "2025-06-05T10:00:00+08:00", "C4", "M1", 100),
          // No manager named: the owner at the time, M2.
          Sale("N5", "2025-06-07T10:00:00+08:00", "C5", std::nullopt, 100)});

  EXPECT_THAT(Value("new_customers", "M1", "2025-06"), Optional(DoubleEq(1)));  // C1
  EXPECT_THAT(Value("new_customers", "M2", "2025-06"), Optional(DoubleEq(2)));  // C4, C5
  EXPECT_THAT(Value("new_customers", "M1", "2025-05"), Optional(DoubleEq(1)));  // C2
  EXPECT_THAT(Value("new_customers", "M2", "2025-05"), Optional(DoubleEq(1)));  // C3
  EXPECT_THAT(Value("new_customers", "M1", "2025-04"), Optional(DoubleEq(1)));  // C0
  EXPECT_THAT(Value("new_customers", "M1", "2025-06-01"), Optional(DoubleEq(1)));
  EXPECT_THAT(Value("new_customers", "M1", "2025-05-31"), Optional(DoubleEq(1)));

  // Reversing C3's first sale makes the June sale the first.
  Ingest({Reverse("X3", "2025-06-25T10:00:00+08:00", "N3")});
  EXPECT_THAT(Value("new_customers", "M2", "2025-05"), Optional(DoubleEq(0)));
  EXPECT_THAT(Value("new_customers", "M1", "2025-06"), Optional(DoubleEq(2)));  // C1, C3
  EXPECT_THAT(Value("new_customers", "M2", "2025-06"), Optional(DoubleEq(2)));  // C4, C5
  // Q2, M1: C0 (April), C2 (May), C1 and C3 (June).
  EXPECT_THAT(Value("new_customers", "M1", "2025-Q2"), Optional(DoubleEq(4)));
}

TEST_P(MetricsTest, BuyersAndRepeatPurchaseRate) {
  Ingest({Sale("B1", "2025-06-01T10:00:00+08:00", "C1", "M1", 100),
          Sale("B2", "2025-06-21T10:00:00+08:00", "C1", "M1", 100),
          Sale("B3", "2025-05-21T10:00:00+08:00", "C2", "M1", 100),  // May: C2 is no repeat buyer in June
          Sale("B4", "2025-06-02T10:00:00+08:00", "C2", "M1", 100),
          Return("R4", "2025-06-03T10:00:00+08:00", "C2", "M1", 50),
          Sale("B5", "2025-06-02T10:00:00+08:00", "C3", "M1", 100),
          Sale("B6", "2025-06-12T10:00:00+08:00", "C3", "M1", 100),
          Sale("B7", "2025-06-22T10:00:00+08:00", "C3", "M1", 100),
          Sale("B8", "2025-06-22T10:00:00+08:00", "C4", "M1", 100), Reverse("X8", "2025-06-23T10:00:00+08:00", "B8"),
          Sale("B9", "2025-06-22T10:00:00+08:00", "C5", "M2", 100),
          Sale("B10", "2025-06-23T10:00:00+08:00", "C1", "M2", 100)});
  // M1: C1 (2 sales), C2 (1), C3 (3); C4's only sale is reversed.
  ExpectPair(Fig("buyers", "M1", "2025-06"), 3, 1, "buyers M1");
  ExpectPair(Fig("repeat_purchase_rate", "M1", "2025-06"), 2, 3, "repeat M1");
  // M2: C5 and C1 once each (C1's other sales are M1's).
  ExpectPair(Fig("buyers", "M2", "2025-06"), 2, 1, "buyers M2");
  ExpectPair(Fig("repeat_purchase_rate", "M2", "2025-06"), 0, 2, "repeat M2");
  EXPECT_THAT(Value("buyers", "M3", "2025-06"), Optional(DoubleEq(0)));
  EXPECT_EQ(Value("repeat_purchase_rate", "M3", "2025-06"), std::nullopt);
  // Q2, M1: C1 2, C2 2, C3 3.
  ExpectPair(Fig("repeat_purchase_rate", "M1", "2025-Q2"), 3, 3, "repeat M1 Q2");
}

TEST_P(MetricsTest, InteractionsAndContactCoverage) {
  Ingest({Assign("A1", "2025-05-01T10:00:00+08:00", "C1", "M1"), Assign("A2", "2025-05-01T10:00:00+08:00", "C2", "M1"),
          Assign("A3", "2025-05-01T10:00:00+08:00", "C3", "M1"), Assign("A4", "2025-05-01T10:00:00+08:00", "C4", "M1"),
          Assign("A4b", "2025-06-20T10:00:00+08:00", "C4", "M2"),  // moves to M2
          Assign("A5", "2025-06-25T10:00:00+08:00", "C5", "M1"),   // new in June
          Assign("A6", "2025-05-01T10:00:00+08:00", "C6", "M1"),
          Assign("A6b", "2025-06-28T10:00:00+08:00", "C6", std::nullopt),  // released
          Assign("A7", "2025-07-01T00:00:00+08:00", "C7", "M1"),           // July
          Assign("A8", "2025-06-30T23:59:59+08:00", "C8", "M1"),           // still June
          Interaction("I1", "2025-06-05T10:00:00+08:00", "C1", "M1"),
          Interaction("I2", "2025-06-06T10:00:00+08:00", "C1", std::nullopt),
          Interaction("I3", "2025-06-07T10:00:00+08:00", "C2", "M2"),
          Interaction("I4", "2025-06-10T10:00:00+08:00", "C4", std::nullopt),  // M1 owned C4 then
          Interaction("I5", "2025-06-11T10:00:00+08:00", "C6", std::nullopt),
          Interaction("I6", "2025-05-31T23:00:00+08:00", "C3", std::nullopt),  // May
          Interaction("I7", "2025-06-26T10:00:00+08:00", "C5", std::nullopt),
          Interaction("I8", "2025-06-15T10:00:00+08:00", "C3", std::nullopt),
          Reverse("X8", "2025-06-16T10:00:00+08:00", "I8")});

  // M1 in June: I1, I2, I4, I5, I7. Owned at the end of June: C1, C2, C3, C5, C8;
  // of those, C1 and C5 had an interaction credited to M1.
  ExpectPair(Fig("interactions", "M1", "2025-06"), 5, 1, "interactions M1");
  ExpectPair(Fig("contact_coverage", "M1", "2025-06"), 2, 5, "coverage M1");
  // M2: I3; owns C4, whose June interaction was credited to M1.
  ExpectPair(Fig("interactions", "M2", "2025-06"), 1, 1, "interactions M2");
  ExpectPair(Fig("contact_coverage", "M2", "2025-06"), 0, 1, "coverage M2");
  // May, M1: I6; owns C1, C2, C3, C4, C6 at the end of May.
  ExpectPair(Fig("interactions", "M1", "2025-05"), 1, 1, "interactions M1 May");
  ExpectPair(Fig("contact_coverage", "M1", "2025-05"), 1, 5, "coverage M1 May");
  // M3 owns nobody.
  EXPECT_THAT(Value("interactions", "M3", "2025-06"), Optional(DoubleEq(0)));
  EXPECT_EQ(Value("contact_coverage", "M3", "2025-06"), std::nullopt);
}

TEST_P(MetricsTest, FollowUpsOnTime) {
  Ingest({Assign("A2", "2025-05-01T10:00:00+08:00", "C2", "M1"),
          FollowUp("F1", "2025-06-01T10:00:00+08:00", "C1", "M1", Day(2025, 6, 10)),
          Done("D1", "2025-06-10T23:59:59+08:00", "F1"),  // the last second of the due day
          FollowUp("F2", "2025-06-01T10:00:00+08:00", "C1", "M1", Day(2025, 6, 15)),
          Done("D2", "2025-06-16T00:00:00+08:00", "F2"),                                      // a second late
          FollowUp("F3", "2025-06-01T10:00:00+08:00", "C2", std::nullopt, Day(2025, 6, 20)),  // the owner's, undone
          FollowUp("F4", "2025-06-01T10:00:00+08:00", "C1", "M1", Day(2025, 7, 1)),           // due in July
          FollowUp("F5", "2025-06-01T10:00:00+08:00", "C1", "M1", Day(2025, 6, 25)),
          Done("D5", "2025-06-20T10:00:00+08:00", "F5"),
          Reverse("X5", "2025-06-21T10:00:00+08:00", "D5"),  // not done after all
          FollowUp("F6", "2025-06-01T10:00:00+08:00", "C3", "M2", Day(2025, 6, 30)),
          Done("D6", "2025-06-30T12:00:00+08:00", "F6"),
          FollowUp("F7", "2025-05-20T10:00:00+08:00", "C1", "M1", Day(2025, 5, 31)),
          Done("D7", "2025-06-01T00:00:00+08:00", "F7")});
  // M1, due in June: F1 (on time), F2 (late), F3 (not done), F5 (done reversed).
  ExpectPair(Fig("follow_ups_on_time", "M1", "2025-06"), 1, 4, "M1 June");
  ExpectPair(Fig("follow_ups_on_time", "M2", "2025-06"), 1, 1, "M2 June");
  ExpectPair(Fig("follow_ups_on_time", "M1", "2025-05"), 0, 1, "M1 May");
  ExpectPair(Fig("follow_ups_on_time", "M1", "2025-07"), 0, 1, "M1 July");
  EXPECT_EQ(Value("follow_ups_on_time", "M3", "2025-06"), std::nullopt);
}

TEST_P(MetricsTest, WinRateAndWeightedPipeline) {
  Ingest({Assign("A9", "2025-01-01T00:00:00+08:00", "C9", "M2"),
          Opp("O1a", "2025-05-10T10:00:00+08:00", "O1", "qualify", "C1", "M1").Amount(100000),
          Opp("O1b", "2025-06-05T10:00:00+08:00", "O1", "won", "C1", "M1"),
          Opp("O2a", "2025-06-01T10:00:00+08:00", "O2", "propose", "C2", "M1").Amount(50000),
          Opp("O2b", "2025-06-20T10:00:00+08:00", "O2", "lost", "C2", "M1"),
          Opp("O3a", "2025-06-02T10:00:00+08:00", "O3", "negotiate", "C3", "M1").Amount(200000),
          Opp("O3b", "2025-07-02T10:00:00+08:00", "O3", "won", "C3", "M1"),
          Opp("O4a", "2025-06-03T10:00:00+08:00", "O4", "qualify", "C4", "M1").Amount(30000),
          Opp("O5a", "2025-05-01T10:00:00+08:00", "O5", "propose", "C5", "M1").Amount(10000),
          Opp("O5b", "2025-05-20T10:00:00+08:00", "O5", "lost", "C5", "M1"),
          Opp("O6a", "2025-06-04T10:00:00+08:00", "O6", "propose", "C6", "M1").Amount(40000),
          Opp("O6b", "2025-06-28T10:00:00+08:00", "O6", "lost", "C6", "M1"),
          // Credited to C9's owner.
          Opp("O7a", "2025-06-10T10:00:00+08:00", "O7", "propose", "C9", std::nullopt).Amount(25000),
          // Won at the first instant of July: still open at the end of June.
          Opp("O8a", "2025-06-05T10:00:00+08:00", "O8", "propose", "C7", "M1").Amount(60000),
          Opp("O8b", "2025-07-01T00:00:00+08:00", "O8", "won", "C7", "M1")});
  // June, M1: closed O1 (won), O2 and O6 (lost).
  ExpectPair(Fig("win_rate", "M1", "2025-06"), 1, 3, "win_rate M1 June");
  // Open at the end of June: O3 200000 × 0.7 + O4 30000 × 0.1 + O8 60000 × 0.4.
  EXPECT_THAT(Value("weighted_pipeline", "M1", "2025-06"), Optional(DoubleEq(167000)));
  // May: O5 lost; O1 open in qualify.
  ExpectPair(Fig("win_rate", "M1", "2025-05"), 0, 1, "win_rate M1 May");
  EXPECT_THAT(Value("weighted_pipeline", "M1", "2025-05"), Optional(DoubleEq(10000)));
  // July: O3 and O8 won; O4 remains.
  ExpectPair(Fig("win_rate", "M1", "2025-07"), 2, 2, "win_rate M1 July");
  EXPECT_THAT(Value("weighted_pipeline", "M1", "2025-07"), Optional(DoubleEq(3000)));
  // M2: O7 only.
  EXPECT_EQ(Value("win_rate", "M2", "2025-06"), std::nullopt);
  EXPECT_THAT(Value("weighted_pipeline", "M2", "2025-06"), Optional(DoubleEq(10000)));
  EXPECT_THAT(Value("weighted_pipeline", "M3", "2025-06"), Optional(DoubleEq(0)));
}

TEST_P(MetricsTest, CsatAndNpsAttributedToTheOwnerWhenNoManagerIsNamed) {
  Ingest({Assign("A2", "2025-01-01T00:00:00+08:00", "C2", "M1"), Assign("A3", "2025-01-01T00:00:00+08:00", "C3", "M2"),
          Assign("A4", "2025-01-01T00:00:00+08:00", "C4", "M1"),
          Assign("A2b", "2025-07-01T00:00:00+08:00", "C2", "M2"),  // after June: June stays M1's
          Survey("V1", "2025-06-02T10:00:00+08:00", "C1", "M1", "csat", "5"),
          Survey("V2", "2025-06-03T10:00:00+08:00", "C2", std::nullopt, "csat", "3"),
          Survey("V3", "2025-06-04T10:00:00+08:00", "C3", std::nullopt, "csat", "4"),
          Survey("V4", "2025-05-04T10:00:00+08:00", "C1", "M1", "csat", "2"),
          Survey("V5", "2025-06-05T10:00:00+08:00", "C1", "M1", "csat", "1"),
          Reverse("X5", "2025-06-06T10:00:00+08:00", "V5"),
          Survey("P1", "2025-06-02T10:00:00+08:00", "C1", "M1", "nps", "10"),
          Survey("P2", "2025-06-02T11:00:00+08:00", "C4", std::nullopt, "nps", "9"),
          Survey("P3", "2025-06-02T12:00:00+08:00", "C1", "M1", "nps", "9"),
          Survey("P4", "2025-06-02T13:00:00+08:00", "C1", "M1", "nps", "8"),
          Survey("P5", "2025-06-02T14:00:00+08:00", "C1", "M1", "nps", "6"),
          Survey("P6", "2025-06-02T15:00:00+08:00", "C4", std::nullopt, "nps", "3"),
          Survey("P7", "2025-06-02T16:00:00+08:00", "C3", std::nullopt, "nps", "0"),
          // C6 has no owner yet: credited to nobody.
          Survey("V6", "2025-06-10T10:00:00+08:00", "C6", std::nullopt, "csat", "5")});

  // M1 csat in June: V1 5 and V2 3 (C2's owner); V5 reversed, V4 in May.
  Figure csat = Fig("csat", "M1", "2025-06");
  EXPECT_THAT(csat.value, Optional(DoubleEq(4)));
  EXPECT_EQ(csat.denominator, 2);
  EXPECT_THAT(Value("csat", "M1", "2025-05"), Optional(DoubleEq(2)));
  EXPECT_THAT(Value("csat", "M2", "2025-06"), Optional(DoubleEq(4)));
  EXPECT_EQ(Value("csat", "M3", "2025-06"), std::nullopt);

  // M1 nps: 10, 9, 9, 8, 6, 3 -> 3 promoters, 2 detractors of 6.
  ExpectPair(Fig("nps", "M1", "2025-06"), 100, 6, "nps M1");
  EXPECT_THAT(Value("nps", "M1", "2025-06"), Optional(DoubleNear(16.6666667, 1e-6)));
  // M2: a single 0.
  ExpectPair(Fig("nps", "M2", "2025-06"), -100, 1, "nps M2");

  // A late assignment of C6 to M2 from 1 June moves V6 to M2: (4 + 5) / 2.
  Ingest({Assign("A6", "2025-06-01T00:00:00+08:00", "C6", "M2")});
  EXPECT_THAT(Value("csat", "M2", "2025-06"), Optional(DoubleEq(4.5)));
  EXPECT_EQ(Fig("csat", "M2", "2025-06").denominator, 2);
  EXPECT_THAT(Value("csat", "M1", "2025-06"), Optional(DoubleEq(4)));
}

TEST_P(MetricsTest, LateAssignmentMovesTheCreditOfAnEarlierSaleThatNamedNoManager) {
  Ingest({Assign("A2", "2025-05-01T10:00:00+08:00", "C2", "M1"),
          Sale("S1", "2025-06-10T10:00:00+08:00", "C1", std::nullopt, 10000),  // C1 has no owner yet
          Sale("S2", "2025-06-15T10:00:00+08:00", "C2", std::nullopt, 5000),   // C2's owner: M1
          Sale("S3", "2025-06-16T10:00:00+08:00", "C2", "M3", 700)});          // named: stays M3's
  EXPECT_THAT(Value("net_sales", "M1", "2025-06"), Optional(DoubleEq(5000)));
  EXPECT_THAT(Value("net_sales", "M2", "2025-06"), Optional(DoubleEq(0)));
  EXPECT_THAT(Value("net_sales", "M3", "2025-06"), Optional(DoubleEq(700)));
  EXPECT_THAT(Value("new_customers", "M1", "2025-06"), Optional(DoubleEq(1)));  // C2

  // Logged later, effective earlier: C1 is M1's from 1 June, C2 M2's from 12 June.
  Ingest(
      {Assign("A1", "2025-06-01T10:00:00+08:00", "C1", "M1"), Assign("A2b", "2025-06-12T10:00:00+08:00", "C2", "M2")});
  EXPECT_THAT(Value("net_sales", "M1", "2025-06"), Optional(DoubleEq(10000)));
  EXPECT_THAT(Value("net_sales", "M2", "2025-06"), Optional(DoubleEq(5000)));
  EXPECT_THAT(Value("net_sales", "M3", "2025-06"), Optional(DoubleEq(700)));
  EXPECT_THAT(Value("orders", "M2", "2025-06"), Optional(DoubleEq(1)));
  EXPECT_THAT(Value("new_customers", "M1", "2025-06"), Optional(DoubleEq(1)));  // C1
  EXPECT_THAT(Value("new_customers", "M2", "2025-06"), Optional(DoubleEq(1)));  // C2

  // Reversing the move gives S2 back to M1.
  Ingest({Reverse("XA2b", "2025-06-20T10:00:00+08:00", "A2b")});
  EXPECT_THAT(Value("net_sales", "M1", "2025-06"), Optional(DoubleEq(15000)));
  EXPECT_THAT(Value("net_sales", "M2", "2025-06"), Optional(DoubleEq(0)));
  EXPECT_THAT(Value("new_customers", "M1", "2025-06"), Optional(DoubleEq(2)));
  EXPECT_THAT(Value("new_customers", "M2", "2025-06"), Optional(DoubleEq(0)));
}

// complaints_resolved_in_sla: complaints opened in the period and resolved by
// the end of it, within their case_slas resolution target, over those resolved.
TEST_P(MetricsTest, ComplaintsResolvedInSlaCountCasesOpenedInThePeriod) {
  Put("case_slas", "complaints",
      R"({"category":"complaint","first_response":{"business_minutes":30},"resolution":{"business_minutes":120}})");
  auto step = [](std::string id, const char* at, const char* ref, const char* stage) {
    kpi_testing::Ev e(std::move(id), EventKind::kCase, at);
    e.Ref(ref).Stage(stage);
    return e;
  };
  auto open = [&](std::string id, const char* at, const char* ref, const char* manager) {
    kpi_testing::Ev e = step(std::move(id), at, ref, "opened");
    e.Category("complaint").Customer("C1").Manager(std::string(manager));
    return e;
  };
  Ingest({open("K1", "2025-06-03T10:00:00+08:00", "CASE1", "M1"),
          step("K1r", "2025-06-03T11:30:00+08:00", "CASE1", "resolved"),  // 90 minutes: in
          open("K2", "2025-06-05T10:00:00+08:00", "CASE2", "M1"),
          step("K2r", "2025-06-05T13:00:00+08:00", "CASE2", "resolved"),  // 180 minutes: late
          open("K3", "2025-06-06T10:00:00+08:00", "CASE3", "M2"),
          step("K3r", "2025-06-06T12:00:00+08:00", "CASE3", "resolved"),  // exactly 120: in
          // Opened in June, resolved in July within the target: June's.
          open("K4", "2025-06-30T23:00:00+08:00", "CASE4", "M2"),
          step("K4r", "2025-07-01T00:30:00+08:00", "CASE4", "resolved")});
  ExpectPair(Fig("complaints_resolved_in_sla", "M1", "2025-06"), 1, 2, "M1");
  ExpectPair(Fig("complaints_resolved_in_sla", "M2", "2025-06"), 1, 1, "M2 as of June's end");
  ExpectPair(Fig("complaints_resolved_in_sla", "T1", "2025-06", /*unit=*/true), 2, 3, "T1");
  ExpectPair(Fig("complaints_resolved_in_sla", "M2", "2025-07"), 0, 0, "M2 July: nothing opened");
  // A quarter holds the June case resolved in July.
  ExpectPair(Fig("complaints_resolved_in_sla", "M2", "2025-Q2"), 1, 1, "M2 Q2 as of June's end");
  ExpectPair(Fig("complaints_resolved_in_sla", "M2", "2025"), 2, 2, "M2 2025");
  // A reversed resolution takes the case out of the resolved ones.
  Ingest({Reverse("XK1r", "2025-07-02T10:00:00+08:00", "K1r")});
  ExpectPair(Fig("complaints_resolved_in_sla", "M1", "2025-06"), 0, 1, "M1 after the reversal");
}

// sop_compliance: SOP steps falling due in the period met on time, over those
// due, as evaluated at the period's end.
TEST_P(MetricsTest, SopComplianceCountsStepsFallingDueInThePeriod) {
  Put("sops", "thanks",
      R"({"name":"Thank-you call","trigger":{"on":"large_purchase","min_amount_minor":50000},)"
      R"("steps":[{"id":"call","name":"Call","role":"owner","within":{"days":2},)"
      R"("completed_by":{"interaction":{}}}]})");
  Ingest({Sale("S1", "2025-06-10T10:00:00+08:00", "C1", "M1", 60000),
          Interaction("I1", "2025-06-11T09:00:00+08:00", "C1", "M1"),    // met
          Sale("S2", "2025-06-20T10:00:00+08:00", "C2", "M1", 40000),    // too small
          Sale("S3", "2025-06-28T10:00:00+08:00", "C3", "M2", 70000),    // due 30 June 10:00, never done
          Sale("S4", "2025-06-30T10:00:00+08:00", "C4", "M2", 90000)});  // due 2 July: July's
  ExpectPair(Fig("sop_compliance", "M1", "2025-06"), 1, 1, "M1");
  ExpectPair(Fig("sop_compliance", "M2", "2025-06"), 0, 1, "M2");
  ExpectPair(Fig("sop_compliance", "T1", "2025-06", /*unit=*/true), 1, 2, "T1");
  ExpectPair(Fig("sop_compliance", "M2", "2025-07"), 0, 1, "M2 July: S4's call missed");
  Ingest({Interaction("I4", "2025-07-01T09:00:00+08:00", "C4", "M2")});
  ExpectPair(Fig("sop_compliance", "M2", "2025-07"), 1, 1, "M2 July after the call");
}

TEST_P(MetricsTest, SlotsWithoutDataHaveNoValue) {
  Ingest({Sale("S1", "2025-06-03T10:00:00+08:00", "C1", "M1", 10000),
          Interaction("I1", "2025-06-03T11:00:00+08:00", "C1", "M1")});
  for (const char* id : {"complaints_resolved_in_sla", "sop_compliance", "training_completion", "first_response_time",
                         "certification_compliance"}) {
    ExpectPair(Fig(id, "M1", "2025-06"), 0, 0, id);
    ExpectPair(Fig(id, "T1", "2025-06", /*unit=*/true), 0, 0, id);
  }
}

// training_completion: the requirements of a manager's role met on the period's
// last day, over those required then (met / required), summed for units.
TEST_P(MetricsTest, TrainingCompletionCountsRequirementsMetOnThePeriodsLastDay) {
  for (const char* id : {"M1", "M2", "M3"}) {
    Put("managers", id,
        absl::StrCat(R"({"name":")", id, R"(","team":")", id == std::string("M3") ? "T2" : "T1",
                     R"(","role":"am","hired_on":"2025-01-01"})"));
  }
  Put("courses", "PK",
      R"({"name":"Product knowledge","topic":"product_knowledge","modules":[{"id":"A","name":"A","hours":2}]})");
  Put("courses", "CMP",
      R"({"name":"Compliance","topic":"compliance","modules":[{"id":"X","name":"X","hours":1}],)"
      R"("pass_mark":80,"certification":{"valid_days":30}})");
  Put("training_requirements", "am-pk", R"({"role":"am","course":"PK","within_days":30})");
  Put("training_requirements", "am-cmp", R"({"role":"am","course":"CMP","within_days":30})");
  auto done = [](std::string id, const char* at, const char* manager, const char* course, const char* score) {
    kpi_testing::Ev e(std::move(id), EventKind::kTrainingCompleted, at);
    e.Manager(std::string(manager)).Ref(course);
    if (score != nullptr) e.Score(score);
    return e;
  };
  Ingest({done("P1", "2025-05-10T10:00:00+08:00", "M1", "PK", nullptr),
          // Passed on 20 May: valid through 18 June (30 days), so met at the end of May, lapsed by the end of June.
          done("C1", "2025-05-20T10:00:00+08:00", "M1", "CMP", "85"),
          // Below the pass mark: not met.
          done("C2", "2025-05-20T10:00:00+08:00", "M2", "CMP", "79.5"),
          done("P2", "2025-06-30T23:59:59+08:00", "M2", "PK", nullptr)});
  ExpectPair(Fig("training_completion", "M1", "2025-05"), 2, 2, "M1 May");
  ExpectPair(Fig("training_completion", "M1", "2025-06"), 1, 2, "M1 June: the certification lapsed");
  ExpectPair(Fig("training_completion", "M2", "2025-05"), 0, 2, "M2 May");
  ExpectPair(Fig("training_completion", "M2", "2025-06"), 1, 2, "M2 June: PK on the last second");
  ExpectPair(Fig("training_completion", "M3", "2025-06"), 0, 2, "M3 June");
  // M4 has no role, so nothing is required of them and they have no value.
  ExpectPair(Fig("training_completion", "M4", "2025-06"), 0, 0, "M4");
  // Units add the pairs: T1 = (1 + 1) / (2 + 2); the store (1 + 1 + 0) / 6.
  ExpectPair(Fig("training_completion", "T1", "2025-06", /*unit=*/true), 2, 4, "T1");
  ExpectPair(Fig("training_completion", "ST1", "2025-06", /*unit=*/true), 2, 6, "ST1");
  // A completion reversed later no longer counts, and the cached cells follow.
  Ingest({Reverse("XP1", "2025-07-02T10:00:00+08:00", "P1")});
  ExpectPair(Fig("training_completion", "M1", "2025-05"), 1, 2, "M1 May after the reversal");
}

// first_response_time: the complaints opened in the period with a first response
// by its end, their business time to it (waits left out) on the calendar
// "default", as the pair (seconds, 60 x cases) so the value is exact minutes.
TEST_P(MetricsTest, FirstResponseTimeAveragesBusinessMinutesOfComplaintsAnswered) {
  Put("calendars", "default", R"({"hours":[{"days":["mon","tue","wed","thu","fri"],"from":"09:00","to":"18:00"}]})");
  auto step = [](std::string id, const char* at, const char* ref, const char* stage) {
    kpi_testing::Ev e(std::move(id), EventKind::kCase, at);
    e.Ref(ref).Stage(stage);
    return e;
  };
  auto open = [&](std::string id, const char* at, const char* ref, const char* manager,
                  const char* category = "complaint") {
    kpi_testing::Ev e = step(std::move(id), at, ref, "opened");
    e.Category(category).Customer("C1").Manager(std::string(manager));
    return e;
  };
  Ingest({// M1: 30 minutes (Tuesday 10:00 to 10:30).
          open("K1", "2025-06-03T10:00:00+08:00", "CASE1", "M1"),
          step("K1a", "2025-06-03T10:30:00+08:00", "CASE1", "responded"),
          // M1: 80 minutes less a 30-minute wait on the customer: 50.
          open("K2", "2025-06-05T10:00:00+08:00", "CASE2", "M1"),
          step("K2w", "2025-06-05T10:10:00+08:00", "CASE2", "waiting"),
          step("K2u", "2025-06-05T10:40:00+08:00", "CASE2", "resumed"),
          step("K2a", "2025-06-05T11:20:00+08:00", "CASE2", "responded"),
          // M1: Friday 17:30 to Monday 09:30 is 30 + 30 business minutes (not 64 hours).
          open("K6", "2025-06-13T17:30:00+08:00", "CASE6", "M1"),
          step("K6a", "2025-06-16T09:30:00+08:00", "CASE6", "responded"),
          // M1: a support request, not a complaint: left out.
          open("S1", "2025-06-04T10:00:00+08:00", "SUP1", "M1", "it"),
          step("S1a", "2025-06-04T12:00:00+08:00", "SUP1", "responded"),
          // M2: never answered: left out.
          open("K3", "2025-06-06T10:00:00+08:00", "CASE3", "M2"),
          // M2: opened Monday 30 June 17:00, answered Tuesday 1 July 09:30 (60 + 30 minutes):
          // not answered by June's end, so not June's; the year's.
          open("K4", "2025-06-30T17:00:00+08:00", "CASE4", "M2"),
          step("K4a", "2025-07-01T09:30:00+08:00", "CASE4", "responded"),
          // M3: 45 seconds.
          open("K5", "2025-06-10T10:00:00+08:00", "CASE5", "M3"),
          step("K5a", "2025-06-10T10:00:45+08:00", "CASE5", "responded")});
  // M1: (30 + 50 + 60) minutes = 8400 seconds over 3 complaints: 46.67 minutes.
  ExpectPair(Fig("first_response_time", "M1", "2025-06"), 8400, 180, "M1");
  EXPECT_THAT(Value("first_response_time", "M1", "2025-06"), Optional(DoubleEq(140.0 / 3.0)));
  ExpectPair(Fig("first_response_time", "M2", "2025-06"), 0, 0, "M2: nothing answered in June");
  ExpectPair(Fig("first_response_time", "M3", "2025-06"), 45, 60, "M3");
  EXPECT_THAT(Value("first_response_time", "M3", "2025-06"), Optional(DoubleEq(0.75)));
  ExpectPair(Fig("first_response_time", "M4", "2025-06"), 0, 0, "M4");
  // Units add seconds and cases: never an average of the managers' averages.
  ExpectPair(Fig("first_response_time", "T1", "2025-06", /*unit=*/true), 8400, 180, "T1");
  ExpectPair(Fig("first_response_time", "ST1", "2025-06", /*unit=*/true), 8445, 240, "ST1");
  ExpectPair(Fig("first_response_time", "M2", "2025-Q2"), 0, 0, "M2 Q2, as of June's end");
  ExpectPair(Fig("first_response_time", "M2", "2025-07"), 0, 0, "M2 July: opened in June");
  ExpectPair(Fig("first_response_time", "M2", "2025"), 5400, 60, "M2 2025: 90 minutes");
  // Lower is better: a target of 60 minutes is attained 60 / 46.67 by M1.
  Put("targets", "frt-m1", R"({"metric":"first_response_time","manager":"M1","period":"2025-06","value":"60"})");
  Figure m1 = Fig("first_response_time", "M1", "2025-06");
  EXPECT_THAT(m1.attainment, Optional(DoubleNear(60.0 / (140.0 / 3.0), 1e-12)));
  // A reversed response takes its complaint out, and the cached cells follow.
  Ingest({Reverse("XK1a", "2025-07-02T10:00:00+08:00", "K1a")});
  ExpectPair(Fig("first_response_time", "M1", "2025-06"), 6600, 120, "M1 after the reversal");
}

// certification_compliance: of the requirements whose course certifies, those met
// on the period's last day (a renewing certification must still be valid).
TEST_P(MetricsTest, CertificationComplianceCountsCertifyingRequirementsMetOnTheLastDay) {
  for (const char* id : {"M1", "M2", "M3"}) {
    Put("managers", id,
        absl::StrCat(R"({"name":")", id, R"(","team":")", id == std::string("M3") ? "T2" : "T1",
                     R"(","role":"am","hired_on":"2025-01-01"})"));
  }
  Put("courses", "PK",
      R"({"name":"Product knowledge","topic":"product_knowledge","modules":[{"id":"A","name":"A","hours":2}]})");
  Put("courses", "CMP",
      R"({"name":"Compliance","topic":"compliance","modules":[{"id":"X","name":"X","hours":1}],)"
      R"("pass_mark":80,"certification":{"valid_days":30}})");
  Put("courses", "SAFE",
      R"({"name":"Safety","topic":"compliance","modules":[{"id":"S","name":"S","hours":1}],)"
      R"("certification":{"valid_days":30}})");
  Put("training_requirements", "am-pk", R"({"role":"am","course":"PK","within_days":30})");
  Put("training_requirements", "am-cmp", R"({"role":"am","course":"CMP","within_days":30})");
  // A certifying course whose certification need not stay valid: passing once meets it.
  Put("training_requirements", "am-safe", R"({"role":"am","course":"SAFE","within_days":30,"renew":false})");
  auto done = [](std::string id, const char* at, const char* manager, const char* course, const char* score) {
    kpi_testing::Ev e(std::move(id), EventKind::kTrainingCompleted, at);
    e.Manager(std::string(manager)).Ref(course);
    if (score != nullptr) e.Score(score);
    return e;
  };
  Ingest({done("P1", "2025-05-10T10:00:00+08:00", "M1", "PK", nullptr),
          // Passed on 20 May: valid through 18 June, so met at the end of May, lapsed by the end of June.
          done("C1", "2025-05-20T10:00:00+08:00", "M1", "CMP", "85"),
          // Passed on 1 May: expired by June's end, but it does not renew.
          done("F1", "2025-05-01T10:00:00+08:00", "M1", "SAFE", nullptr),
          // Below the pass mark: not met.
          done("C2", "2025-05-20T10:00:00+08:00", "M2", "CMP", "79.5"),
          done("F2", "2025-06-30T23:59:59+08:00", "M2", "SAFE", nullptr)});
  ExpectPair(Fig("certification_compliance", "M1", "2025-05"), 2, 2, "M1 May");
  ExpectPair(Fig("certification_compliance", "M1", "2025-06"), 1, 2, "M1 June: CMP lapsed");
  // PK does not certify: training_completion counts it, certification_compliance does not.
  ExpectPair(Fig("training_completion", "M1", "2025-06"), 2, 3, "M1 June, every requirement");
  ExpectPair(Fig("certification_compliance", "M2", "2025-05"), 0, 2, "M2 May");
  ExpectPair(Fig("certification_compliance", "M2", "2025-06"), 1, 2, "M2 June: SAFE on the last second");
  ExpectPair(Fig("certification_compliance", "M3", "2025-06"), 0, 2, "M3 June");
  ExpectPair(Fig("certification_compliance", "M4", "2025-06"), 0, 0, "M4: no role, nothing required");
  ExpectPair(Fig("certification_compliance", "T1", "2025-06", /*unit=*/true), 2, 4, "T1");
  ExpectPair(Fig("certification_compliance", "ST1", "2025-06", /*unit=*/true), 2, 6, "ST1");
  // Renewed on 25 June: met again at June's end; a reversal of the renewal undoes it.
  Ingest({done("C3", "2025-06-25T10:00:00+08:00", "M1", "CMP", "90")});
  ExpectPair(Fig("certification_compliance", "M1", "2025-06"), 2, 2, "M1 June after renewing");
  Ingest({Reverse("XC3", "2025-07-02T10:00:00+08:00", "C3")});
  ExpectPair(Fig("certification_compliance", "M1", "2025-06"), 1, 2, "M1 June after the reversal");
}

TEST_P(MetricsTest, AFreshEngineAndAResetOneAgreeWithTheIncrementalOne) {
  Ingest({Assign("A1", "2025-05-01T10:00:00+08:00", "C1", "M1"),
          Sale("S1", "2025-06-10T10:00:00+08:00", "C1", std::nullopt, 10000),
          Return("R1", "2025-06-11T10:00:00+08:00", "C1", std::nullopt, 1000),
          Interaction("I1", "2025-06-12T10:00:00+08:00", "C1", std::nullopt),
          Survey("V1", "2025-06-13T10:00:00+08:00", "C1", std::nullopt, "csat", "4")});
  const std::vector<std::string> metrics = {"net_sales", "return_rate", "new_customers", "contact_coverage", "csat"};
  Scorecard before = Card(metrics, "2025-06");
  Ingest({Assign("A1b", "2025-06-01T00:00:00+08:00", "C1", "M2"),
          Sale("S2", "2025-06-20T10:00:00+08:00", "C1", std::nullopt, 3000)});
  Scorecard after = Card(metrics, "2025-06");
  const ScorecardRow* m2 = Row(after.managers, "M2");
  ASSERT_NE(m2, nullptr);
  EXPECT_THAT(m2->figures[0].value, Optional(DoubleEq(12000)));  // 10000 - 1000 + 3000
  EXPECT_THAT(m2->figures[1].value, Optional(DoubleEq(1000.0 / 13000.0)));
  EXPECT_THAT(m2->figures[2].value, Optional(DoubleEq(1)));
  EXPECT_THAT(m2->figures[3].value, Optional(DoubleEq(1)));
  EXPECT_THAT(m2->figures[4].value, Optional(DoubleEq(4)));
  const ScorecardRow* m1 = Row(after.managers, "M1");
  ASSERT_NE(m1, nullptr);
  EXPECT_THAT(m1->figures[0].value, Optional(DoubleEq(0)));
  EXPECT_NE(before, after);

  KpiEngine fresh(*ws_);
  ScorecardRequest request;
  request.metrics = metrics;
  request.period = kpi_testing::P("2025-06");
  absl::StatusOr<Scorecard> from_fresh = fresh.GetScorecard(request);
  ASSERT_TRUE(from_fresh.ok()) << from_fresh.status();
  EXPECT_EQ(*from_fresh, after);
  EXPECT_GT(fresh.facts_held(), 0u);

  engine_->Reset();
  EXPECT_EQ(Card(metrics, "2025-06"), after);
}

TEST_P(MetricsTest, ReturnsWithoutAManagerGoToTheOwnerWhenReturned) {
  Ingest({Assign("A1", "2025-05-01T10:00:00+08:00", "C1", "M1"),
          Sale("S1", "2025-06-02T10:00:00+08:00", "C1", std::nullopt, 10000),
          Assign("A1b", "2025-06-10T10:00:00+08:00", "C1", "M2"),
          Return("R1", "2025-06-12T10:00:00+08:00", "C1", std::nullopt, 4000),
          Assign("A1c", "2025-06-20T10:00:00+08:00", "C1", std::nullopt),  // released
          Sale("S2", "2025-06-22T10:00:00+08:00", "C1", std::nullopt, 500)});
  EXPECT_THAT(Value("net_sales", "M1", "2025-06"), Optional(DoubleEq(10000)));
  EXPECT_THAT(Value("returns", "M2", "2025-06"), Optional(DoubleEq(4000)));
  EXPECT_THAT(Value("net_sales", "M2", "2025-06"), Optional(DoubleEq(-4000)));
  EXPECT_EQ(Value("return_rate", "M2", "2025-06"), std::nullopt);  // no gross sales
  // S2 belongs to nobody: no manager's orders, no unit's either.
  EXPECT_THAT(Value("orders", "M1", "2025-06"), Optional(DoubleEq(1)));
  EXPECT_THAT(Value("orders", "CO", "2025-06", /*unit=*/true), Optional(DoubleEq(1)));
  EXPECT_THAT(Value("net_sales", "CO", "2025-06", /*unit=*/true), Optional(DoubleEq(6000)));
}

TEST_P(MetricsTest, DuplicatesCountOnce) {
  Ingest({Sale("S1", "2025-06-02T10:00:00+08:00", "C1", "M1", 10000)});
  EXPECT_THAT(Value("gross_sales", "M1", "2025-06"), Optional(DoubleEq(10000)));
  std::vector<Event> again = {Sale("S1", "2025-06-02T10:00:00+08:00", "C1", "M1", 10000),
                              Sale("S2", "2025-06-03T10:00:00+08:00", "C1", "M1", 1)};
  absl::StatusOr<IngestReport> report = ws_->Ingest(again);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->duplicates, 1u);
  EXPECT_THAT(Value("gross_sales", "M1", "2025-06"), Optional(DoubleEq(10001)));
  EXPECT_THAT(Value("orders", "M1", "2025-06"), Optional(DoubleEq(2)));
}

// Amounts beyond 32 bits of minor units (a 30-million-yuan contract) are held
// aside by the engine's compact column; the figures must still be exact,
// incrementally and in the full recompute.
TEST_P(MetricsTest, AmountsBeyond32BitsStayExact) {
  Ingest({Sale("S1", "2025-06-02T10:00:00+08:00", "C1", "M1", 3'000'000'000),
          Sale("S2", "2025-06-03T10:00:00+08:00", "C2", "M1", 2'147'483'647),
          Return("R1", "2025-06-04T10:00:00+08:00", "C1", "M1", 2'147'483'648)});
  ExpectPair(Fig("gross_sales", "M1", "2025-06"), 5'147'483'647, 1, "gross_sales");
  ExpectPair(Fig("returns", "M1", "2025-06"), 2'147'483'648, 1, "returns");
  ExpectPair(Fig("net_sales", "M1", "2025-06"), 2'999'999'999, 1, "net_sales");
  ScorecardRequest request;
  request.metrics = {"net_sales", "gross_sales"};
  request.period = kpi_testing::P("2025-06");
  request.manager = "M1";
  absl::StatusOr<Scorecard> incremental = engine_->GetScorecard(request);
  absl::StatusOr<Scorecard> recomputed = engine_->RecomputeScorecard(request);
  ASSERT_TRUE(incremental.ok()) << incremental.status();
  ASSERT_TRUE(recomputed.ok()) << recomputed.status();
  EXPECT_EQ(*incremental, *recomputed);
}

// The engine shares its interners with its ownership projection, and the
// opportunity projection catches that projection up too, in the middle of a
// scorecard. Assignments to managers the engine has never seen, ingested while
// scorecards with opportunity and coverage figures are asked for, must not leave
// the engine's per-manager arrays short (under ASan an out-of-bounds read fails
// this test); every scorecard must be whole, and afterwards equal the recompute.
TEST_P(MetricsTest, OwnersInternedByAProjectionMidScorecardAreSized) {
  Ingest({Assign("A0", "2025-01-01T00:00:00+08:00", "C1", "M1"),
          Interaction("I1", "2025-02-03T10:00:00+08:00", "C1", "M1"),
          Opp("O1a", "2025-02-10T10:00:00+08:00", "O1", "propose", "C1", "M1").Amount(1000),
          Opp("O1b", "2025-02-20T10:00:00+08:00", "O1", "won", "C1", "M1")});
  constexpr int kManagers = 150;
  std::atomic<bool> done = false;
  std::thread writer([&] {
    for (int i = 0; i < kManagers; ++i) {
      std::vector<Event> batch = {
          Assign(absl::StrCat("AN", i), "2025-01-15T00:00:00+08:00", absl::StrCat("CN", i), absl::StrCat("NM", i))};
      absl::StatusOr<IngestReport> report = ws_->Ingest(std::move(batch));
      EXPECT_TRUE(report.ok() && report->accepted == 1) << (report.ok() ? "" : report.status().ToString());
    }
    done = true;
  });
  ScorecardRequest request;
  request.metrics = {"win_rate", "contact_coverage"};
  for (int round = 0; !done || round < 24; ++round) {
    // A period not asked before each time (fresh cells), with the one before it.
    request.period = Period::Of(Granularity::kDay, absl::CivilDay(2025, 1, 1) + round);
    absl::StatusOr<Scorecard> card = engine_->GetScorecard(request);
    ASSERT_TRUE(card.ok()) << card.status();
  }
  writer.join();
  request.period = kpi_testing::P("2025-02");
  absl::StatusOr<Scorecard> incremental = engine_->GetScorecard(request);
  absl::StatusOr<Scorecard> recomputed = engine_->RecomputeScorecard(request);
  ASSERT_TRUE(incremental.ok()) << incremental.status();
  ASSERT_TRUE(recomputed.ok()) << recomputed.status();
  EXPECT_EQ(*incremental, *recomputed);
  // M1 won one of one in February and contacted its one customer.
  EXPECT_THAT(Value("win_rate", "M1", "2025-02"), Optional(DoubleEq(1)));
  EXPECT_THAT(Value("contact_coverage", "M1", "2025-02"), Optional(DoubleEq(1)));
}

TEST_P(MetricsTest, IsoWeeksAndYearsAreCivilInTheWorkspaceZone) {
  Ingest({Sale("S1", "2025-06-01T23:59:59+08:00", "C1", "M1", 100),  // Sunday: week 22
          Sale("S2", "2025-06-02T00:00:00+08:00", "C1", "M1", 20),   // Monday: week 23
          Sale("S3", "2024-12-31T23:59:59+08:00", "C1", "M1", 3),    // 2024, but ISO week 2025-W01
          Sale("S4", "2024-12-31T16:00:00Z", "C1", "M1", 4000)});    // 2025-01-01 00:00 in Shanghai
  EXPECT_THAT(Value("gross_sales", "M1", "2025-W22"), Optional(DoubleEq(100)));
  EXPECT_THAT(Value("gross_sales", "M1", "2025-W23"), Optional(DoubleEq(20)));
  EXPECT_THAT(Value("gross_sales", "M1", "2025-W01"), Optional(DoubleEq(4003)));
  EXPECT_THAT(Value("gross_sales", "M1", "2024"), Optional(DoubleEq(3)));
  EXPECT_THAT(Value("gross_sales", "M1", "2025"), Optional(DoubleEq(4120)));
  EXPECT_THAT(Value("orders", "M1", "2025"), Optional(DoubleEq(3)));
}

// Only a file outlives its handle, so this one runs on SQLite alone.
class ReopenTest : public kpi_testing::KpiTest {};
INSTANTIATE_TEST_SUITE_P(Backends, ReopenTest, ::testing::Values("sqlite"), kpi_testing::BackendName);

TEST_P(ReopenTest, AReopenedWorkspaceGivesTheSameFigures) {
  Ingest({Assign("A1", "2025-05-01T10:00:00+08:00", "C1", "M1"),
          Sale("S1", "2025-06-10T10:00:00+08:00", "C1", std::nullopt, 10000),
          Return("R1", "2025-06-11T10:00:00+08:00", "C1", std::nullopt, 1000),
          Interaction("I1", "2025-06-12T10:00:00+08:00", "C1", std::nullopt)});
  Put("metrics", "aov2", R"({"id":"aov2","name":"AOV","unit":"money","formula":"gross_sales / orders"})");
  Put("targets", "t1", R"({"id":"t1","metric":"net_sales","manager":"M1","period":"2025-06","value":"18000"})");
  const std::vector<std::string> metrics = {"net_sales", "return_rate", "contact_coverage", "aov2"};
  Scorecard before = Card(metrics, "2025-06");
  EXPECT_THAT(Row(before.managers, "M1")->figures[0].attainment, Optional(DoubleEq(0.5)));
  engine_.reset();
  ws_.reset();
  WorkspaceOptions options;
  options.clock = [] { return testing::T("2026-01-31T00:00:00Z"); };
  absl::StatusOr<std::unique_ptr<Workspace>> ws = Workspace::Open("sqlite:" + dir_.File("kpi.db"), options);
  ASSERT_TRUE(ws.ok()) << ws.status();
  ws_ = *std::move(ws);
  engine_ = std::make_unique<KpiEngine>(*ws_);
  EXPECT_EQ(Card(metrics, "2025-06"), before);
}

TEST_P(MetricsTest, ReversedStageMovesAndValueUpdatesOfOpportunities) {
  Ingest({Opp("O1a", "2025-06-01T10:00:00+08:00", "O1", "propose", "C1", "M1").Amount(10000),
          Opp("O1b", "2025-06-10T10:00:00+08:00", "O1", "won", "C1", "M1"),
          Opp("O2a", "2025-06-02T10:00:00+08:00", "O2", "qualify", "C2", "M2").Amount(20000),
          Opp("O2b", "2025-06-03T10:00:00+08:00", "O2", "negotiate", "C2", "M2").Amount(30000)});
  ExpectPair(Fig("win_rate", "M1", "2025-06"), 1, 1, "M1 won");
  EXPECT_THAT(Value("weighted_pipeline", "M1", "2025-06"), Optional(DoubleEq(0)));
  EXPECT_THAT(Value("weighted_pipeline", "M2", "2025-06"), Optional(DoubleEq(21000)));  // 30000 × 0.7
  EXPECT_THAT(Value("weighted_pipeline", "T1", "2025-06", /*unit=*/true), Optional(DoubleEq(21000)));
  ExpectPair(Fig("win_rate", "T1", "2025-06", /*unit=*/true), 1, 1, "T1");

  // Reversing the win reopens O1 in propose.
  Ingest({Reverse("X1", "2025-06-12T10:00:00+08:00", "O1b")});
  EXPECT_EQ(Value("win_rate", "M1", "2025-06"), std::nullopt);
  EXPECT_THAT(Value("weighted_pipeline", "M1", "2025-06"), Optional(DoubleEq(4000)));
  EXPECT_THAT(Value("weighted_pipeline", "T1", "2025-06", /*unit=*/true), Optional(DoubleEq(25000)));
  EXPECT_EQ(Value("win_rate", "T1", "2025-06", /*unit=*/true), std::nullopt);
}

TEST_P(MetricsTest, AFollowUpStaysWithTheOwnerWhenItWasCreated) {
  Ingest({Assign("A1", "2025-05-01T10:00:00+08:00", "C1", "M1"),
          FollowUp("F1", "2025-06-01T10:00:00+08:00", "C1", std::nullopt, Day(2025, 6, 20)),
          Assign("A1b", "2025-06-10T10:00:00+08:00", "C1", "M2"), Done("D1", "2025-06-15T10:00:00+08:00", "F1"),
          Done("D1b", "2025-06-16T10:00:00+08:00", "F1")});  // done twice: still one task
  ExpectPair(Fig("follow_ups_on_time", "M1", "2025-06"), 1, 1, "M1");
  EXPECT_EQ(Value("follow_ups_on_time", "M2", "2025-06"), std::nullopt);
  ExpectPair(Fig("follow_ups_on_time", "T1", "2025-06", /*unit=*/true), 1, 1, "T1");
}

TEST_P(MetricsTest, CsatReadsOnlyCsatAnswers) {
  Ingest({Interaction("I1", "2025-06-02T10:00:00+08:00", "C1", "M1").Score("80"),
          Survey("P1", "2025-06-02T11:00:00+08:00", "C1", "M1", "nps", "10"),
          Survey("V1", "2025-06-02T12:00:00+08:00", "C1", "M1", "csat", "3")});
  EXPECT_THAT(Value("csat", "M1", "2025-06"), Optional(DoubleEq(3)));
  EXPECT_EQ(Fig("csat", "M1", "2025-06").denominator, 1);
  ExpectPair(Fig("nps", "M1", "2025-06"), 100, 1, "nps");
  EXPECT_THAT(Value("interactions", "M1", "2025-06"), Optional(DoubleEq(1)));
}

}  // namespace
}  // namespace cadre
