// The case figures, against hand-computed expectations: business time across a
// weekend and a holiday with waits left out, the SLA deadline pushed by waits
// and met on its exact boundary, an open case breached by the period end,
// ratios and medians pooled (not averaged) in the roll-ups, the root causes,
// the reopen rate, the SLA lookup and the SLA documents' validation messages.
#include <optional>
#include <string>
#include <vector>

#include "cadre/status.h"
#include "cases/cases_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cadre {
namespace {

using cases_testing::At;
using cases_testing::D;
using cases_testing::Open;
using cases_testing::Resolve;
using cases_testing::Sla;
using cases_testing::Stage;
using cases_testing::WeekdayCalendar;
using ::testing::ElementsAre;

class CaseReportTest : public cases_testing::CasesTest {};
INSTANTIATE_TEST_SUITE_P(Backends, CaseReportTest, ::testing::Values("memory", "sqlite"), cases_testing::BackendName);

// On the weekday calendar (Mon-Fri 09:00-18:00, Monday 06-09 a holiday), with a
// complaint SLA of 60 business minutes to respond and 180 to resolve:
//   K2 opened Fri 06-06 16:00, responded 16:30, waiting 17:00 .. Tue 06-10 10:00,
//      resolved Tue 12:00. Business time 2h (Fri) + 3h (Tue) less the wait's
//      1h + 1h = 180 min. The deadline: 1h on Friday, the wait, 2h on Tuesday =
//      Tue 12:00, met exactly: within SLA.
//   K3 the same, resolved 12:01: 181 min, late.
//   K4 opened Tue 06-10 09:00, never resolved nor answered: due 12:00, breached
//      at the period end (06-11 00:00); its response was due 10:00.
//   K5 opened Tue 06-10 17:00: due Wed 11:00, pending at the period end; its
//      response was due Tue 18:00, late.
TEST_P(CaseReportTest, BusinessTimeWaitsAndSlaBoundary) {
  for (const char* k : {"K2", "K3"}) {
    const std::string id = k;
    Ingest({Open(id + "-o", "2025-06-06 16:00", id, "complaint", "C1", "M1"),
            Stage(id + "-r", "2025-06-06 16:30", id, "responded"), Stage(id + "-w", "2025-06-06 17:00", id, "waiting"),
            Stage(id + "-u", "2025-06-10 10:00", id, "resumed"),
            Resolve(id + "-s", id == "K2" ? "2025-06-10 12:00" : "2025-06-10 12:01", id, "billing")});
  }
  Ingest({Open("K4-o", "2025-06-10 09:00", "K4", "complaint", "C1", "M1"),
          Open("K5-o", "2025-06-10 17:00", "K5", "complaint", "C1", "M1")});
  CaseSlaPolicy policy{{Sla("c", "complaint", std::nullopt, 60, 180)}};
  CaseReport report =
      Report(WeekdayCalendar(), policy,
             {.from = At("2025-06-01 00:00"), .until = At("2025-06-11 00:00"), .managers = {"M1"}, .units = false});
  EXPECT_EQ(report.calendar, "weekdays");
  EXPECT_EQ(report.as_of, At("2025-06-11 00:00"));
  ASSERT_EQ(report.managers.size(), 1u);
  EXPECT_TRUE(report.units.empty());
  EXPECT_FALSE(report.uncredited.has_value());
  const CaseFigures& m1 = report.managers[0];
  EXPECT_EQ(m1.cases, 4);
  EXPECT_EQ(m1.complaints, 4);
  EXPECT_THAT(m1.by_severity, ElementsAre(CaseCount{"medium", 4}));
  EXPECT_EQ(m1.first_response, (CaseDurations{2, 3600, D("60"), D("30"), D("30")}));
  EXPECT_EQ(m1.resolution, (CaseDurations{2, 21660, D("361"), D("180.5"), D("180.5")}));
  EXPECT_EQ(m1.resolved, 2);
  EXPECT_EQ(m1.open, 2);
  EXPECT_EQ(m1.resolved_in_sla, 1);
  EXPECT_EQ(m1.resolved_late, 1);
  EXPECT_EQ(m1.breached_open, 1);
  EXPECT_EQ(m1.sla_pending, 1);
  EXPECT_EQ(m1.without_sla, 0);
  EXPECT_EQ(m1.in_sla_ratio, D("0.333333333"));
  EXPECT_EQ(m1.responded_in_sla, 2);
  EXPECT_EQ(m1.response_late, 2);
  EXPECT_EQ(m1.response_in_sla_ratio, D("0.5"));
  EXPECT_THAT(m1.root_causes, ElementsAre(CaseCount{"billing", 2}));

  // Earlier, as of Tue 09:30: K4 is not yet due, K5 not opened; K2 and K3 still waiting.
  report = Report(WeekdayCalendar(), policy,
                  {.from = At("2025-06-01 00:00"),
                   .until = At("2025-06-11 00:00"),
                   .as_of = At("2025-06-10 09:30"),
                   .managers = {"M1"},
                   .units = false});
  EXPECT_EQ(report.managers[0].cases, 3);
  EXPECT_EQ(report.managers[0].sla_pending, 3);
  EXPECT_EQ(report.managers[0].in_sla_ratio, std::nullopt);
}

// Fri 06-06 17:00 to Tue 06-10 10:00 is 1h + 1h of business time: the weekend
// and the Monday holiday do not count (on a 24x7 clock it is 89 hours).
TEST_P(CaseReportTest, BusinessTimeAcrossAWeekendAndAHoliday) {
  Ingest({Open("K6-o", "2025-06-06 17:00", "K6", "complaint", "C2", "M2"), Resolve("K6-s", "2025-06-10 10:00", "K6")});
  CaseSlaPolicy policy{{Sla("c", "complaint", std::nullopt, 60, 120)}};
  CaseReportRequest request{.from = At("2025-06-01 00:00"), .until = At("2025-06-15 00:00"), .managers = {"M2"}};
  request.units = false;
  CaseReport weekdays = Report(WeekdayCalendar(), policy, request);
  EXPECT_EQ(weekdays.managers[0].resolution.average_minutes, D("120"));
  EXPECT_EQ(weekdays.managers[0].resolved_in_sla, 1);  // due Tue 10:00 exactly
  EXPECT_EQ(weekdays.managers[0].response_late, 1);    // a resolution without a response stops that clock late
  CaseReport always = Report(AlwaysOpenCalendar(), policy, request);
  EXPECT_EQ(always.calendar, "24x7");
  EXPECT_EQ(always.managers[0].resolution.average_minutes, D("5340"));
  EXPECT_EQ(always.managers[0].resolved_late, 1);
}

// On a 24x7 clock, complaint SLA 30 / 60 minutes; support requests have none.
//   M1: P1 resolved in 30 min (delivery)                         in SLA
//   M2: P2 responded in 10, resolved in 40 (billing)             in SLA
//       P3 resolved in 90 (billing)                              late
//       P4 resolved in 60 (x), reopened, resolved at 120 (none)  late, reopened
//   M3: S1 a technical support request, high, never resolved     without SLA
//   nobody: U1, a complaint of C3 who has no owner, open         breached
// Pooled, CO resolves 2 of 4 within SLA (0.5), where averaging M1's 1 and
// M2's 1/3 would give 0.667; its median is 65 (30, 40, 90, 120), not the mean
// of the medians 60; its average 70, not 56.67.
TEST_P(CaseReportTest, RollUpsPoolSumsAndCases) {
  Ingest({Open("P1-o", "2025-06-02 10:00", "P1", "complaint", "C1", "M1"),
          Resolve("P1-s", "2025-06-02 10:30", "P1", "delivery"),
          Open("P2-o", "2025-06-02 10:00", "P2", "complaint", "C2", "M2"),
          Stage("P2-r", "2025-06-02 10:10", "P2", "responded"), Resolve("P2-s", "2025-06-02 10:40", "P2", "billing"),
          Open("P3-o", "2025-06-03 10:00", "P3", "complaint", "C2", "M2"),
          Resolve("P3-s", "2025-06-03 11:30", "P3", "billing"),
          Open("P4-o", "2025-06-04 10:00", "P4", "complaint", "C2", "M2"),
          Resolve("P4-s1", "2025-06-04 11:00", "P4", "x"), Stage("P4-re", "2025-06-04 11:30", "P4", "reopened"),
          Resolve("P4-s2", "2025-06-04 12:00", "P4"),
          Open("S1-o", "2025-06-05 10:00", "S1", "technical", std::nullopt, "M3", Severity::kHigh),
          Open("U1-o", "2025-06-06 10:00", "U1", "complaint", "C3", std::nullopt),
          // Opened before the period: not counted.
          Open("Z-o", "2025-05-31 23:59", "Z", "complaint", "C1", "M1")});
  CaseSlaPolicy policy{{Sla("c", "complaint", std::nullopt, 30, 60)}};
  CaseReport report =
      Report(AlwaysOpenCalendar(), policy, {.from = At("2025-06-01 00:00"), .until = At("2025-06-15 00:00")});
  ASSERT_EQ(report.managers.size(), 4u);  // L1, M1, M2, M3
  EXPECT_EQ(report.managers[0].manager, "L1");
  EXPECT_EQ(report.managers[0].cases, 0);
  const CaseFigures* m1 = Row(report, "M1");
  const CaseFigures* m2 = Row(report, "M2");
  const CaseFigures* m3 = Row(report, "M3");
  const CaseFigures* t1 = Row(report, "T1");
  const CaseFigures* t2 = Row(report, "T2");
  const CaseFigures* co = Row(report, "CO");
  ASSERT_TRUE(m1 && m2 && m3 && t1 && t2 && co);
  EXPECT_EQ(m1->in_sla_ratio, D("1"));
  EXPECT_EQ(m2->in_sla_ratio, D("0.333333333"));
  EXPECT_EQ(t1->in_sla_ratio, D("1"));
  EXPECT_EQ(t2->in_sla_ratio, D("0.333333333"));
  EXPECT_EQ(co->in_sla_ratio, D("0.5"));
  EXPECT_EQ(m2->resolution.median_minutes, D("90"));
  EXPECT_EQ(co->resolution, (CaseDurations{4, 16800, D("280"), D("70"), D("65")}));
  EXPECT_EQ(co->first_response, (CaseDurations{1, 600, D("10"), D("10"), D("10")}));
  EXPECT_EQ(m2->reopened, 1);
  EXPECT_EQ(m2->resolved_once, 3);
  EXPECT_EQ(m2->reopen_rate, D("0.333333333"));
  EXPECT_EQ(m1->reopen_rate, D("0"));
  EXPECT_EQ(co->reopen_rate, D("0.25"));
  EXPECT_THAT(m2->root_causes, ElementsAre(CaseCount{"billing", 2}, CaseCount{"unspecified", 1}));
  EXPECT_THAT(co->root_causes,
              ElementsAre(CaseCount{"billing", 2}, CaseCount{"delivery", 1}, CaseCount{"unspecified", 1}));
  EXPECT_EQ(m3->without_sla, 1);
  EXPECT_EQ(m3->support_requests, 1);
  EXPECT_EQ(co->cases, 5);
  EXPECT_EQ(co->complaints, 4);
  EXPECT_EQ(co->support_requests, 1);
  EXPECT_THAT(co->by_category, ElementsAre(CaseCount{"complaint", 4}, CaseCount{"technical", 1}));
  EXPECT_THAT(co->by_severity, ElementsAre(CaseCount{"high", 1}, CaseCount{"medium", 4}));
  EXPECT_EQ(co->open, 1);
  ASSERT_TRUE(report.uncredited.has_value());
  EXPECT_EQ(report.uncredited->cases, 1);
  EXPECT_EQ(report.uncredited->breached_open, 1);
  EXPECT_EQ(report.uncredited->in_sla_ratio, D("0"));
  EXPECT_EQ(report.units.size(), 3u);
  EXPECT_EQ(report.units[0].unit, "CO");

  // Only complaints: M3's support request drops out.
  report = Report(AlwaysOpenCalendar(), policy,
                  {.from = At("2025-06-01 00:00"), .until = At("2025-06-15 00:00"), .type = CaseType::kComplaint});
  EXPECT_EQ(Row(report, "CO")->cases, 4);

  // For the KPI engine: (in SLA, resolved, decided) and the response sums.
  CatchUp();
  absl::StatusOr<OrgTree> tree = OrgTree::Load(*ws_);
  ASSERT_TRUE(tree.ok());
  absl::StatusOr<BusinessClock> clock = BusinessClock::Create(AlwaysOpenCalendar(), ws_->time_zone());
  ASSERT_TRUE(clock.ok());
  absl::StatusOr<std::vector<CaseSlaCounts>> counts =
      CaseSlaCountsByManager(cases_, ownership_, *tree, *clock, policy, At("2025-06-01 00:00"), At("2025-06-15 00:00"));
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_THAT(*counts, ElementsAre(CaseSlaCounts{"L1", 0, 0, 0, D("0"), 0}, CaseSlaCounts{"M1", 1, 1, 1, D("0"), 0},
                                   CaseSlaCounts{"M2", 1, 3, 3, D("10"), 1}, CaseSlaCounts{"M3", 0, 0, 0, D("0"), 0}));

  // A unit: its managers and its roll-ups only; an unknown one is NOT_FOUND.
  report = Report(AlwaysOpenCalendar(), policy,
                  {.from = At("2025-06-01 00:00"), .until = At("2025-06-15 00:00"), .unit = "T2"});
  ASSERT_EQ(report.managers.size(), 2u);
  ASSERT_EQ(report.units.size(), 1u);
  EXPECT_EQ(report.units[0].in_sla_ratio, D("0.333333333"));
  EXPECT_FALSE(report.uncredited.has_value());
  absl::StatusOr<CaseReport> bad = BuildCaseReport(cases_, ownership_, *tree, *clock, policy,
                                                   {.from = At("2025-06-01 00:00"), .until = At("2025-06-01 00:00")});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  bad = BuildCaseReport(cases_, ownership_, *tree, *clock, policy,
                        {.from = At("2025-06-01 00:00"), .until = At("2025-06-02 00:00"), .managers = {"NOPE"}});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kNotFound);
}

TEST(CaseSlaPolicyTest, LookupMostSpecificFirst) {
  CaseSlaPolicy policy{{Sla("any", "*", std::nullopt, 60, 120), Sla("crit", "*", Severity::kCritical, 5, 10),
                        Sla("c", "complaint", std::nullopt, 30, 60), Sla("ch", "complaint", Severity::kHigh, 10, 20)}};
  EXPECT_EQ(policy.Find("complaint", Severity::kHigh)->id, "ch");
  EXPECT_EQ(policy.Find("complaint", Severity::kCritical)->id, "c");
  EXPECT_EQ(policy.Find("technical", Severity::kCritical)->id, "crit");
  EXPECT_EQ(policy.Find("technical", Severity::kLow)->id, "any");
  EXPECT_EQ(CaseSlaPolicy{}.Find("complaint", Severity::kHigh), nullptr);
}

TEST(CaseSlaPolicyTest, ValidationMessages) {
  auto error = [](const char* text) {
    absl::StatusOr<CaseSla> sla = json::FromText<CaseSla>(text, "case_slas/x");
    return sla.ok() ? std::string("ok") : std::string(sla.status().message());
  };
  EXPECT_EQ(error(R"({"id":"x","category":"complaint","first_response":{"business_minutes":0},)"
                  R"("resolution":{"business_minutes":60}})"),
            "case_slas/x.first_response.business_minutes: must be between 1 and 5270400, got 0");
  EXPECT_EQ(error(R"({"id":"x","category":"complaint","first_response":{"business_minutes":90},)"
                  R"("resolution":{"business_minutes":60}})"),
            "case_slas/x.first_response.business_minutes: must not exceed the resolution target (60 business "
            "minutes), got 90");
  EXPECT_EQ(error(R"({"id":"x","category":"complaint","severity":"urgent","first_response":{"business_minutes":9},)"
                  R"("resolution":{"business_minutes":60}})")
                .substr(0, 21),
            "case_slas/x.severity:");
  EXPECT_EQ(error(R"({"id":"x","category":"complaint","first_response":{"business_minutes":9}})"),
            "case_slas/x.resolution: required field is missing");
  EXPECT_EQ(error(R"({"id":"x","category":"*","first_response":{"business_minutes":9},)"
                  R"("resolution":{"business_minutes":9}})"),
            "ok");

  json::Path path("slas");
  CaseSlaPolicy twice{{Sla("a", "complaint", Severity::kHigh, 1, 2), Sla("b", "complaint", Severity::kHigh, 1, 2)}};
  absl::Status s = twice.Validate(path);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            R"(slas.rules[1].category: repeats the category and severity of rules[0] (a), got "complaint")");
}

}  // namespace
}  // namespace cadre
