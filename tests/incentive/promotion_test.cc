// Career ladders and promotion eligibility, on memory and sqlite: the ladder's
// refusals, tenure on its boundary day, attainment N of M with a period exactly
// at the threshold (compared exactly, prorated targets too), scorecard totals and
// their average, certifications valid on their last day and expired the day
// after, the top level, roles without a ladder, effective-dating, and the
// "promotion_eligibility" query by viewer.
//
// The org: CO > T1 (lead L1: L1, M1), T2 (M2, M3, M4), in Asia/Shanghai.
//   L1 role lead, level 2, hired 2023-01-01
//   M1 role am, level 1, hired 2024-07-01
//   M2 role am, level 1, hired 2024-07-31
//   M3 role am, level 3 (the top), hired 2024-01-01
//   M4 role buyer (no ladder), level 1, hired 2024-01-01
// The ladder "am" (roles am, lead): 1 Account manager -> 2 Senior -> 3 Principal;
// each test gives level 1 its criteria.
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "boost/json/parse.hpp"
#include "cadre/event.h"
#include "cadre/json.h"
#include "cadre/kpi.h"
#include "cadre/promotion.h"
#include "cadre/query.h"
#include "cadre/status.h"
#include "cadre/workspace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/test_util.h"

namespace cadre {

inline void PrintTo(const CriterionCheck& v, std::ostream* os) { *os << json::ToText(v); }
inline void PrintTo(const PromotionCandidate& v, std::ostream* os) { *os << json::ToText(v); }

namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

Decimal D(const char* text) {
  absl::StatusOr<Decimal> d = Decimal::Parse(text);
  EXPECT_TRUE(d.ok()) << d.status();
  return d.ok() ? *d : Decimal();
}
absl::CivilDay Day(int y, int m, int d) { return absl::CivilDay(y, m, d); }

Event Sale(std::string id, const std::string& day, std::string manager, int64_t amount) {
  Event e;
  e.id = std::move(id);
  e.kind = EventKind::kSale;
  e.occurred_at = testing::T((day + "T10:00:00+08:00").c_str());
  e.manager = std::move(manager);
  e.amount_minor = amount;
  return e;
}

Event Completed(std::string id, const std::string& day, std::string manager, std::string course) {
  Event e;
  e.id = std::move(id);
  e.kind = EventKind::kTrainingCompleted;
  e.occurred_at = testing::T((day + "T10:00:00+08:00").c_str());
  e.manager = std::move(manager);
  e.reference = std::move(course);
  return e;
}

std::string PathOf(const absl::Status& s) {
  auto d = GetFieldErrorDetails(s);
  return d ? d->path : "<no path>";
}

class PromotionTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    WorkspaceOptions options;
    options.currency = "CNY";
    options.time_zone = "Asia/Shanghai";
    options.clock = [] { return testing::T("2025-07-01T12:00:00+08:00"); };
    const std::string uri = GetParam() == "memory" ? std::string("memory:") : "sqlite:" + dir_.File("promotion.db");
    absl::StatusOr<std::unique_ptr<Workspace>> ws = Workspace::Open(uri, options);
    ASSERT_TRUE(ws.ok()) << ws.status();
    ws_ = *std::move(ws);
    Put("org_units", "CO", R"({"name":"Co","kind":"company"})");
    Put("org_units", "T1", R"({"name":"Team 1","kind":"team","parent":"CO","lead":"L1"})");
    Put("org_units", "T2", R"({"name":"Team 2","kind":"team","parent":"CO"})");
    for (const auto& [id, team, role, level, hired] :
         {std::tuple{"L1", "T1", "lead", 2, "2023-01-01"}, std::tuple{"M1", "T1", "am", 1, "2024-07-01"},
          std::tuple{"M2", "T2", "am", 1, "2024-07-31"}, std::tuple{"M3", "T2", "am", 3, "2024-01-01"},
          std::tuple{"M4", "T2", "buyer", 1, "2024-01-01"}}) {
      Put("managers", id,
          absl::StrCat(R"({"name":")", id, R"(","team":")", team, R"(","role":")", role, R"(","level":)", level,
                       R"(,"hired_on":")", hired, R"("})"));
    }
  }

  void Put(std::string_view collection, std::string_view id, std::string_view body, PutOptions options = {}) {
    absl::StatusOr<Document> doc = ws_->Put(collection, id, body, options);
    ASSERT_TRUE(doc.ok()) << collection << "/" << id << ": " << doc.status();
  }

  // The ladder "am" with `criteria` (a JSON object) to go from level 1 to 2.
  void Ladder(const std::string& criteria, PutOptions options = {}) {
    Put("career_ladders", "am",
        absl::StrCat(R"({"name":"Account managers","roles":["am","lead"],"levels":[)",
                     R"({"level":1,"name":"Account manager","promotion":)", criteria, "},",
                     R"({"level":2,"name":"Senior account manager","promotion":{"tenure":{"months":24}}},)",
                     R"({"level":3,"name":"Principal account manager"}]})"),
        options);
  }

  void PutTarget(const std::string& manager, const std::string& period, int64_t value, const char* proration = "none") {
    Put("targets", absl::StrCat("ns-", manager, "-", period),
        absl::StrCat(R"({"metric":"net_sales","manager":")", manager, R"(","period":")", period, R"(","value":)", value,
                     R"(,"proration":")", proration, R"("})"));
  }

  void Ingest(std::vector<Event> events) {
    const std::size_t n = events.size();
    absl::StatusOr<IngestReport> report = ws_->Ingest(std::move(events));
    ASSERT_TRUE(report.ok()) << report.status();
    ASSERT_TRUE(report->rejected.empty()) << report->rejected[0].message;
    ASSERT_EQ(report->accepted, n);
  }

  PromotionEligibility List(absl::CivilDay as_of, PromotionRequest request = {}) {
    request.as_of = as_of;
    if (kpi_ == nullptr) kpi_ = std::make_unique<KpiEngine>(*ws_);
    absl::StatusOr<PromotionEligibility> list = BuildPromotionEligibility(*ws_, *kpi_, request);
    EXPECT_TRUE(list.ok()) << list.status();
    return list.ok() ? *std::move(list) : PromotionEligibility{};
  }

  PromotionCandidate Row(const std::string& manager, absl::CivilDay as_of) {
    PromotionEligibility list = List(as_of, {.managers = {manager}});
    if (list.managers.size() != 1) {
      ADD_FAILURE() << "no row for " << manager;
      return {};
    }
    return list.managers[0];
  }

  absl::Status PutStatus(std::string_view body) { return ws_->Put("career_ladders", "bad", body).status(); }

  testing::TempDir dir_;
  std::unique_ptr<Workspace> ws_;
  std::unique_ptr<KpiEngine> kpi_;
};
INSTANTIATE_TEST_SUITE_P(Backends, PromotionTest, ::testing::Values("memory", "sqlite"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

// ---- The document ----------------------------------------------------------------

TEST_P(PromotionTest, LadderRefusalsNamePathRuleAndValue) {
  auto lvl = [](const std::string& criteria) {
    return absl::StrCat(R"({"name":"L","levels":[{"level":1,"name":"A","promotion":)", criteria,
                        R"(},{"level":2,"name":"B"}]})");
  };
  struct Case {
    std::string body;
    std::string path;
    std::string message;
  };
  const std::vector<Case> cases = {
      {R"({"name":"L","levels":[{"level":1,"name":"A"},{"level":1,"name":"B"}]})", "levels[1].level",
       "levels[1].level: duplicates levels[0] (each level once), got 1"},
      {R"({"name":"L","levels":[{"level":2,"name":"A"},{"level":1,"name":"B"}]})", "levels[1].level",
       "levels[1].level: must be above the level before it (2): levels are listed in increasing order, got 1"},
      {R"({"name":"L","levels":[]})", "levels", "levels: must list at least one level, got []"},
      {R"({"name":"L","levels":[{"level":0,"name":"A"}]})", "levels[0].level",
       "levels[0].level: must be between 1 and 100, got 0"},
      {lvl(R"({"attainment":[{"metric":"net_sales","at_least":1,"periods":4,"of_last":3}]})"),
       "levels[0].promotion.attainment[0].periods",
       "levels[0].promotion.attainment[0].periods: must be between 1 and of_last (N of the last M periods, N <= M "
       "= 3), got 4"},
      {lvl(R"({"attainment":[{"metric":"net_sales","at_least":0,"periods":1,"of_last":3}]})"),
       "levels[0].promotion.attainment[0].at_least",
       R"(levels[0].promotion.attainment[0].at_least: must be positive and at most 100 (a fraction: 1 = 100 %), got "0")"},
      {lvl(R"({"attainment":[{"metric":"net_sales","at_least":1,"periods":1,"of_last":3,"granularity":"week"}]})"),
       "levels[0].promotion.attainment[0].granularity",
       R"(levels[0].promotion.attainment[0].granularity: must be month or quarter, got "week")"},
      {lvl(R"({"tenure":{"days":-1}})"), "levels[0].promotion.tenure.days",
       "levels[0].promotion.tenure.days: must be between 0 and 36500, got -1"},
      {lvl(R"({"tenure":{"days":30,"months":1}})"), "levels[0].promotion.tenure",
       R"(levels[0].promotion.tenure: give days or months, exactly one, got {"days":30,"months":1})"},
      {lvl(R"({"scorecards":[{"scorecard":"monthly","at_least":"1","average_of":61}]})"),
       "levels[0].promotion.scorecards[0].average_of",
       "levels[0].promotion.scorecards[0].average_of: must be between 1 and 60, got 61"},
      {lvl(R"({"certifications":["SAFE","SAFE"]})"), "levels[0].promotion.certifications[1]",
       R"(levels[0].promotion.certifications[1]: each course once, got "SAFE")"},
      {lvl(R"({"reviews":{"min_rating":4}})"), "levels[0].promotion.reviews",
       "levels[0].promotion.reviews: reviews are not available yet (cadre has no review module, so a ladder cannot "
       R"(require ratings); remove this criterion, got {"min_rating":4})"},
      {R"({"name":"L","levels":[{"level":1,"name":"A"},{"level":2,"name":"B","promotion":{"tenure":{"days":1}}}]})",
       "levels[1].promotion",
       R"(levels[1].promotion: the top level (2) has no next level, so it takes no criteria, got {"tenure":{"days":1}})"},
      {R"({"name":"L","roles":["am","am"],"levels":[{"level":1,"name":"A"}]})", "roles[1]",
       R"(roles[1]: each role once, got "am")"},
  };
  for (const Case& c : cases) {
    absl::Status s = PutStatus(c.body);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.body;
    EXPECT_EQ(PathOf(s), c.path) << c.body;
    EXPECT_EQ(s.message(), c.message) << c.body;
  }
  // An unknown granularity is refused by name, at its path.
  absl::Status s = PutStatus(
      lvl(R"({"attainment":[{"metric":"m","at_least":1,"periods":1,"of_last":1,"granularity":"fortnight"}]})"));
  EXPECT_EQ(PathOf(s), "levels[0].promotion.attainment[0].granularity");
  EXPECT_THAT(s.message(), HasSubstr(R"(got "fortnight")"));
  // Nothing refused was written.
  EXPECT_EQ(ws_->Get("career_ladders", "bad").status().code(), absl::StatusCode::kNotFound);
}

TEST_P(PromotionTest, LadderIsStoredInCanonicalForm) {
  Ladder(R"({"tenure":{"days":365},"attainment":[{"metric":"net_sales","at_least":"1.0","periods":2,"of_last":3}],)"
         R"("scorecards":[{"scorecard":"monthly","at_least":0.95}],"certifications":["SAFE"]})");
  absl::StatusOr<Document> doc = ws_->Get("career_ladders", "am");
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(
      doc->body,
      R"({"id":"am","name":"Account managers","roles":["am","lead"],"levels":[{"level":1,"name":"Account manager",)"
      R"("promotion":{"tenure":{"days":365},"attainment":[{"metric":"net_sales","at_least":"1","periods":2,)"
      R"("of_last":3,"granularity":"month"}],"scorecards":[{"scorecard":"monthly","at_least":"0.95",)"
      R"("average_of":1,"granularity":"month"}],"certifications":["SAFE"]}},{"level":2,)"
      R"("name":"Senior account manager","promotion":{"tenure":{"months":24}}},{"level":3,)"
      R"("name":"Principal account manager","promotion":{}}]})");
}

// ---- Tenure ----------------------------------------------------------------------

TEST_P(PromotionTest, TenureIsMetOnItsDayAndADayShortIsNot) {
  Ladder(R"({"tenure":{"days":365}})");  // M1 hired 2024-07-01: 365 days on 2025-07-01
  PromotionCandidate on_the_day = Row("M1", Day(2025, 7, 1));
  EXPECT_EQ(on_the_day.status, PromotionStatus::kQualifies);
  EXPECT_TRUE(on_the_day.qualifies);
  EXPECT_EQ(on_the_day.ladder, "am");
  EXPECT_EQ(on_the_day.level_name, "Account manager");
  EXPECT_EQ(on_the_day.next_level, 2);
  EXPECT_EQ(on_the_day.next_level_name, "Senior account manager");
  ASSERT_EQ(on_the_day.criteria.size(), 1u);
  EXPECT_TRUE(on_the_day.criteria[0].met);
  EXPECT_EQ(on_the_day.criteria[0].actual, D("365"));
  EXPECT_EQ(on_the_day.criteria[0].gap, std::nullopt);

  PromotionCandidate day_short = Row("M1", Day(2025, 6, 30));
  EXPECT_EQ(day_short.status, PromotionStatus::kNotYet);
  EXPECT_FALSE(day_short.qualifies);
  const CriterionCheck& t = day_short.criteria.at(0);
  EXPECT_EQ(t.kind, CriterionKind::kTenure);
  EXPECT_FALSE(t.met);
  EXPECT_EQ(t.unit, "days");
  EXPECT_EQ(t.required, D("365"));
  EXPECT_EQ(t.actual, D("364"));
  EXPECT_EQ(t.gap, D("1"));
  EXPECT_EQ(t.reached_on, Day(2025, 7, 1));

  const CriterionCheck short45 = Row("M1", Day(2025, 5, 17)).criteria.at(0);
  EXPECT_EQ(short45.gap, D("45"));
  EXPECT_EQ(short45.explanation, "45 days short: 320 of 365 days since hired on 2024-07-01; reached on 2025-07-01");
}

TEST_P(PromotionTest, TenureInMonthsEndsOnTheMonthsLastDayWhenShorter) {
  Ladder(R"({"tenure":{"months":11}})");  // M2 hired 2024-07-31: + 11 months = 2025-06-30
  const CriterionCheck before = Row("M2", Day(2025, 6, 29)).criteria.at(0);
  EXPECT_FALSE(before.met);
  EXPECT_EQ(before.unit, "months");
  EXPECT_EQ(before.actual, D("10"));
  EXPECT_EQ(before.gap, D("1"));
  EXPECT_EQ(before.reached_on, Day(2025, 6, 30));
  const CriterionCheck on = Row("M2", Day(2025, 6, 30)).criteria.at(0);
  EXPECT_TRUE(on.met);
  EXPECT_EQ(on.actual, D("11"));
}

// ---- Attainment ----------------------------------------------------------------------

TEST_P(PromotionTest, AttainmentNOfMCountsAPeriodExactlyAtTheThreshold) {
  Ladder(R"({"attainment":[{"metric":"net_sales","at_least":1,"periods":2,"of_last":3}]})");
  // As of 2025-07-01 the last three complete months are April, May and June.
  PutTarget("M1", "2025-04", 1000);
  PutTarget("M1", "2025-05", 1000);
  PutTarget("M1", "2025-03", 1);                  // outside the window as of 2025-07-01
  Ingest({Sale("A", "2025-04-10", "M1", 1000),    // exactly 1: met
          Sale("B", "2025-05-10", "M1", 999),     // 0.999: not
          Sale("C", "2025-06-10", "M1", 5000)});  // no June target: not met
  PromotionCandidate m1 = Row("M1", Day(2025, 7, 1));
  ASSERT_EQ(m1.criteria.size(), 1u);
  const CriterionCheck& a = m1.criteria[0];
  EXPECT_EQ(a.kind, CriterionKind::kAttainment);
  EXPECT_EQ(a.subject, "net_sales");
  EXPECT_FALSE(a.met);
  EXPECT_EQ(a.unit, "periods");
  EXPECT_EQ(a.required, D("2"));
  EXPECT_EQ(a.actual, D("1"));
  EXPECT_EQ(a.gap, D("1"));
  ASSERT_EQ(a.periods.size(), 3u);
  EXPECT_EQ(a.periods[0].period, "2025-04");
  EXPECT_TRUE(a.periods[0].met);
  EXPECT_TRUE(a.periods[0].exact);
  EXPECT_EQ(a.periods[0].attainment, D("1"));
  EXPECT_EQ(a.periods[1].period, "2025-05");
  EXPECT_FALSE(a.periods[1].met);
  EXPECT_EQ(a.periods[1].attainment, D("0.999"));
  EXPECT_EQ(a.periods[2].period, "2025-06");
  EXPECT_FALSE(a.periods[2].met);
  EXPECT_EQ(a.periods[2].note, "no target");
  EXPECT_EQ(a.periods[2].attainment, std::nullopt);
  EXPECT_EQ(a.explanation,
            "attainment of net_sales >= 1 in 2 of the last 3 months: met in 1, 1 more needed; not met in 2025-05 "
            "(0.999), 2025-06 (no target)");
  EXPECT_EQ(m1.status, PromotionStatus::kNotYet);

  // A June target reached: two of three.
  PutTarget("M1", "2025-06", 5000);
  m1 = Row("M1", Day(2025, 7, 1));
  EXPECT_TRUE(m1.criteria.at(0).met);
  EXPECT_EQ(m1.criteria.at(0).actual, D("2"));
  EXPECT_EQ(m1.status, PromotionStatus::kQualifies);

  // As of 2025-06-30 June is complete (its last day), so the window is the same;
  // on 2025-06-29 it is March, April and May.
  EXPECT_EQ(Row("M1", Day(2025, 6, 30)).criteria.at(0).periods.back().period, "2025-06");
  PromotionCandidate earlier = Row("M1", Day(2025, 6, 29));
  EXPECT_EQ(earlier.criteria.at(0).periods.front().period, "2025-03");
  EXPECT_EQ(earlier.criteria.at(0).actual, D("1"));  // March: 0 of 1; April met; May 0.999
}

TEST_P(PromotionTest, ProratedTargetsAreComparedExactly) {
  // Hired on 11 April: employed 20 of April's 30 days, so a target of 3000
  // prorates to exactly 2000.
  Put("managers", "M5", R"({"name":"M5","team":"T2","role":"am","level":1,"hired_on":"2025-04-11"})");
  Ladder(R"({"attainment":[{"metric":"net_sales","at_least":1,"periods":1,"of_last":1}]})");
  PutTarget("M5", "2025-04", 3000, "employed_days");
  Ingest({Sale("S1", "2025-04-20", "M5", 1999)});
  const CriterionCheck short_by_one = Row("M5", Day(2025, 5, 1)).criteria.at(0);
  ASSERT_EQ(short_by_one.periods.size(), 1u);
  EXPECT_EQ(short_by_one.periods[0].period, "2025-04");
  EXPECT_TRUE(short_by_one.periods[0].exact);
  EXPECT_FALSE(short_by_one.periods[0].met);
  EXPECT_EQ(short_by_one.periods[0].attainment, D("0.9995"));
  EXPECT_EQ(short_by_one.periods[0].target, 2000.0);

  Ingest({Sale("S2", "2025-04-21", "M5", 1)});
  const CriterionCheck exactly = Row("M5", Day(2025, 5, 1)).criteria.at(0);
  EXPECT_TRUE(exactly.periods[0].exact);
  EXPECT_TRUE(exactly.periods[0].met);
  EXPECT_EQ(exactly.periods[0].attainment, D("1"));
  EXPECT_TRUE(exactly.met);

  // Quarters: as of 2025-07-01 the last complete quarter is Q2. A growth target
  // is not a decimal document: compared from the engine's attainment, rounded.
  Ladder(R"({"attainment":[{"metric":"net_sales","at_least":"0.5","periods":1,"of_last":1,)"
         R"("granularity":"quarter"}]})");
  Put("targets", "q2", R"({"metric":"net_sales","manager":"M5","period":"2025-Q2","value":4000,"proration":"none"})");
  const CriterionCheck q2 = Row("M5", Day(2025, 7, 1)).criteria.at(0);
  ASSERT_EQ(q2.periods.size(), 1u);
  EXPECT_EQ(q2.periods[0].period, "2025-Q2");
  EXPECT_TRUE(q2.periods[0].exact);
  EXPECT_TRUE(q2.periods[0].met);  // 2000 / 4000 = 0.5 exactly
  EXPECT_EQ(q2.periods[0].attainment, D("0.5"));
  Put("targets", "q2",
      R"({"metric":"net_sales","manager":"M5","period":"2025-Q2","basis":"growth_over_previous_period",)"
      R"("growth":"0.5","proration":"none"})");
  const CriterionCheck growth = Row("M5", Day(2025, 7, 1)).criteria.at(0);
  EXPECT_FALSE(growth.periods[0].exact);
  EXPECT_FALSE(growth.periods[0].met);
  EXPECT_EQ(growth.periods[0].note, "the target is 0: no attainment");
}

// ---- Scorecards ----------------------------------------------------------------------

TEST_P(PromotionTest, ScorecardTotalInTheLastPeriodAndOnAverage) {
  Put("scorecards", "monthly", R"({"name":"Monthly","items":[{"metric":"net_sales"}]})");
  Ladder(R"({"scorecards":[{"scorecard":"monthly","at_least":1}]})");
  PutTarget("M1", "2025-06", 1000);
  PutTarget("M2", "2025-06", 1000);
  Ingest({Sale("A", "2025-06-05", "M1", 1000), Sale("B", "2025-06-05", "M2", 900)});
  PromotionEligibility list = List(Day(2025, 7, 1), {.managers = {"M1", "M2"}});
  ASSERT_EQ(list.managers.size(), 2u);
  const CriterionCheck& m1 = list.managers[0].criteria.at(0);
  EXPECT_EQ(m1.kind, CriterionKind::kScorecard);
  EXPECT_TRUE(m1.met);
  EXPECT_EQ(m1.actual, D("1"));
  const CriterionCheck& m2 = list.managers[1].criteria.at(0);
  EXPECT_FALSE(m2.met);
  EXPECT_EQ(m2.unit, "total");
  EXPECT_EQ(m2.required, D("1"));
  EXPECT_EQ(m2.actual, D("0.9"));
  EXPECT_EQ(m2.gap, D("0.1"));
  EXPECT_EQ(m2.explanation, "total of scorecard monthly >= 1 in the last complete month: 0.9, 0.1 short");
  EXPECT_THAT(list.qualifying, ElementsAre("M1"));

  // The average of three months: 1.2, (no total in May), 0.9 -> 1.05 over two.
  Ladder(R"({"scorecards":[{"scorecard":"monthly","at_least":"1.05","average_of":3}]})");
  PutTarget("M2", "2025-04", 1000);
  Ingest({Sale("C", "2025-04-05", "M2", 1200)});
  const CriterionCheck avg = Row("M2", Day(2025, 7, 1)).criteria.at(0);
  EXPECT_TRUE(avg.met);
  EXPECT_EQ(avg.actual, D("1.05"));
  ASSERT_EQ(avg.periods.size(), 3u);
  EXPECT_EQ(avg.periods[0].total, D("1.2"));
  EXPECT_FALSE(avg.periods[1].met);
  EXPECT_EQ(avg.periods[1].note, "no total (no item has a score)");
  EXPECT_EQ(avg.periods[2].total, D("0.9"));

  // An unknown scorecard is not met, and says so.
  Ladder(R"({"scorecards":[{"scorecard":"nope","at_least":1}]})");
  const CriterionCheck unknown = Row("M1", Day(2025, 7, 1)).criteria.at(0);
  EXPECT_FALSE(unknown.met);
  EXPECT_THAT(unknown.explanation, HasSubstr("no such scorecard"));
}

// ---- Certifications -------------------------------------------------------------------

TEST_P(PromotionTest, CertificationValidThroughItsLastDayAndExpiredTheDayAfter) {
  Put("courses", "SAFE",
      R"({"name":"Safety","topic":"compliance","modules":[{"id":"S","name":"Safety","hours":"0.5"}],)"
      R"("certification":{"valid_days":30}})");
  Put("courses", "PK",
      R"({"name":"Product knowledge","topic":"product_knowledge","modules":[{"id":"A","name":"A","hours":1}]})");
  Ladder(R"({"certifications":["SAFE","PK"]})");
  Ingest({Completed("S1", "2025-06-01", "M1", "SAFE"), Completed("P1", "2025-05-01", "M1", "PK")});

  PromotionCandidate last_day = Row("M1", Day(2025, 6, 30));  // valid 06-01 .. 06-30
  ASSERT_EQ(last_day.criteria.size(), 2u);
  EXPECT_TRUE(last_day.criteria[0].met);
  EXPECT_EQ(last_day.criteria[0].subject, "SAFE");
  EXPECT_EQ(last_day.criteria[0].expires_on, Day(2025, 6, 30));
  EXPECT_TRUE(last_day.criteria[1].met);  // PK does not certify: passing it suffices
  EXPECT_EQ(last_day.status, PromotionStatus::kQualifies);

  PromotionCandidate day_after = Row("M1", Day(2025, 7, 1));
  EXPECT_FALSE(day_after.criteria[0].met);
  EXPECT_EQ(day_after.criteria[0].gap, D("1"));
  EXPECT_EQ(day_after.criteria[0].explanation,
            "certification SAFE: expired, last valid on 2025-06-30 (earned on 2025-06-01)");
  EXPECT_EQ(day_after.criteria_met, 1);
  EXPECT_EQ(day_after.criteria_total, 2);
  EXPECT_EQ(day_after.status, PromotionStatus::kNotYet);

  // Never earned; and a course not in force.
  EXPECT_EQ(Row("M2", Day(2025, 7, 1)).criteria[0].explanation, "certification SAFE: never earned by 2025-07-01");
  Ladder(R"({"certifications":["GONE"]})");
  EXPECT_EQ(Row("M1", Day(2025, 7, 1)).criteria[0].explanation,
            "course GONE: no course with this id is in force on 2025-07-01");
}

// ---- Who is listed, and how ----------------------------------------------------------

TEST_P(PromotionTest, TopLevelNoLadderAndOffLadderAreListedAsSuch) {
  Ladder(R"({"tenure":{"days":0}})");
  Put("managers", "M6", R"({"name":"M6","team":"T2","role":"am","level":7,"hired_on":"2024-01-01"})");
  PromotionEligibility list = List(Day(2025, 7, 1));
  std::vector<std::pair<std::string, PromotionStatus>> statuses;
  for (const PromotionCandidate& c : list.managers) statuses.emplace_back(c.manager, c.status);
  EXPECT_THAT(statuses, ElementsAre(std::pair{std::string("L1"), PromotionStatus::kQualifies},
                                    std::pair{std::string("M1"), PromotionStatus::kQualifies},
                                    std::pair{std::string("M2"), PromotionStatus::kQualifies},
                                    std::pair{std::string("M3"), PromotionStatus::kTopLevel},
                                    std::pair{std::string("M4"), PromotionStatus::kNoLadder},
                                    std::pair{std::string("M6"), PromotionStatus::kNotOnLadder}));
  EXPECT_THAT(list.qualifying, ElementsAre("L1", "M1", "M2"));
  const PromotionCandidate& m3 = list.managers[3];
  EXPECT_EQ(m3.level_name, "Principal account manager");
  EXPECT_EQ(m3.next_level, std::nullopt);
  EXPECT_THAT(m3.criteria, IsEmpty());
  EXPECT_FALSE(m3.qualifies);
  EXPECT_EQ(list.managers[4].problem, R"(no career ladder applies to role "buyer")");
  EXPECT_EQ(list.managers[4].ladder, std::nullopt);
  EXPECT_EQ(list.managers[5].problem, R"(level 7 is not a level of ladder "am" (levels 1, 2, 3))");
  // L1 at level 2: 24 months from 2023-01-01 is 2025-01-01, so L1 qualifies for 3.
  EXPECT_EQ(list.managers[0].criteria.at(0).reached_on, Day(2025, 1, 1));
  EXPECT_TRUE(list.managers[0].criteria.at(0).met);

  // A second ladder naming "am": ambiguous, said so. A ladder for every role
  // applies to M4; a named one wins over it for the others.
  Put("career_ladders", "all", R"({"name":"Everyone","levels":[{"level":1,"name":"Staff"}]})");
  PromotionCandidate m4 = Row("M4", Day(2025, 7, 1));
  EXPECT_EQ(m4.ladder, "all");
  EXPECT_EQ(m4.status, PromotionStatus::kTopLevel);
  EXPECT_EQ(Row("M1", Day(2025, 7, 1)).ladder, "am");
  Put("career_ladders", "am2", R"({"name":"Other","roles":["am"],"levels":[{"level":1,"name":"X"}]})");
  PromotionCandidate m1 = Row("M1", Day(2025, 7, 1));
  EXPECT_EQ(m1.status, PromotionStatus::kAmbiguous);
  EXPECT_EQ(m1.problem, R"(role "am" is named by ladders "am", "am2": one ladder per role)");

  // Scoped to a unit; a manager asked by id who is not employed on the day.
  PromotionEligibility t1 = List(Day(2025, 7, 1), {.unit = "T1"});
  std::vector<std::string> ids;
  for (const PromotionCandidate& c : t1.managers) ids.push_back(c.manager);
  EXPECT_THAT(ids, ElementsAre("L1", "M1"));
  EXPECT_EQ(Row("M1", Day(2024, 6, 1)).status, PromotionStatus::kNotEmployed);
}

TEST_P(PromotionTest, ALadderChangedLaterDoesNotChangeAnEarlierAnswer) {
  Ladder(R"({"tenure":{"days":365}})");
  const PromotionEligibility before = List(Day(2025, 6, 1));
  EXPECT_EQ(before.managers.at(1).status, PromotionStatus::kNotYet);  // M1: 335 of 365 days
  // From 15 June the ladder asks 300 days only.
  Ladder(R"({"tenure":{"days":300}})", {.effective_from = testing::T("2025-06-15T00:00:00+08:00")});
  EXPECT_EQ(List(Day(2025, 6, 1)), before);
  EXPECT_EQ(Row("M1", Day(2025, 6, 14)).criteria.at(0).required, D("365"));
  const PromotionCandidate later = Row("M1", Day(2025, 6, 15));
  EXPECT_EQ(later.criteria.at(0).required, D("300"));
  EXPECT_EQ(later.status, PromotionStatus::kQualifies);
}

// ---- The query -----------------------------------------------------------------------

class PromotionQueryTest : public PromotionTest {
 protected:
  void SetUp() override {
    PromotionTest::SetUp();
    Ladder(R"({"tenure":{"days":365}})");
    engine_ = std::make_unique<QueryEngine>(*ws_, [] { return testing::T("2025-07-01T12:00:00+08:00"); });
  }

  absl::StatusOr<boost::json::value> Run(const std::string& viewer, const std::string& params = "") {
    absl::StatusOr<std::string> text = engine_->Run(R"({"query":"promotion_eligibility","viewer":)" + viewer +
                                                    (params.empty() ? "" : "," + params) + "}");
    if (!text.ok()) return text.status();
    return boost::json::parse(*text);
  }
  std::vector<std::string> Ids(const std::string& viewer, const std::string& params = "") {
    absl::StatusOr<boost::json::value> r = Run(viewer, params);
    EXPECT_TRUE(r.ok()) << r.status();
    std::vector<std::string> out;
    if (!r.ok()) return out;
    for (const auto& m : r->at("managers").as_array()) out.emplace_back(m.at("manager").as_string());
    return out;
  }

  static std::string Admin() { return R"({"admin":true})"; }
  static std::string As(const std::string& m) { return R"({"manager":")" + m + R"("})"; }

  std::unique_ptr<QueryEngine> engine_;
};
INSTANTIATE_TEST_SUITE_P(Backends, PromotionQueryTest, ::testing::Values("memory", "sqlite"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

TEST_P(PromotionQueryTest, AnswersByViewer) {
  absl::StatusOr<boost::json::value> all = Run(Admin());
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->at("as_of").as_string(), "2025-07-01");  // today in Shanghai by the engine's clock
  EXPECT_EQ(Ids(Admin()), (std::vector<std::string>{"L1", "M1", "M2", "M3", "M4"}));
  const boost::json::array& q = all->at("qualifying").as_array();
  ASSERT_EQ(q.size(), 2u);  // L1 (24 months since 2023) and M1 (365 days on 07-01)
  EXPECT_EQ(q[0].as_string(), "L1");
  EXPECT_EQ(q[1].as_string(), "M1");
  const boost::json::object& m2 = all->at("managers").as_array()[2].as_object();
  EXPECT_EQ(m2.at("status").as_string(), "not_yet");
  const boost::json::object& tenure = m2.at("criteria").as_array()[0].as_object();
  EXPECT_EQ(tenure.at("kind").as_string(), "tenure");
  EXPECT_EQ(tenure.at("required").as_string(), "365");
  EXPECT_EQ(tenure.at("actual").as_string(), "335");
  EXPECT_EQ(tenure.at("gap").as_string(), "30");

  EXPECT_EQ(Ids(As("L1")), (std::vector<std::string>{"L1", "M1"}));
  EXPECT_EQ(Ids(As("M2")), (std::vector<std::string>{"M2"}));
  EXPECT_EQ(Ids(As("L1"), R"("unit":"T1")"), (std::vector<std::string>{"L1", "M1"}));
  EXPECT_EQ(Ids(As("L1"), R"("manager":"M1","as_of":"2025-06-30")"), (std::vector<std::string>{"M1"}));
  EXPECT_EQ(Ids(Admin(), R"("unit":"T2")"), (std::vector<std::string>{"M2", "M3", "M4"}));
  absl::StatusOr<boost::json::value> early = Run(Admin(), R"("manager":"M1","as_of":"2025-06-30")");
  ASSERT_TRUE(early.ok()) << early.status();
  EXPECT_EQ(early->at("qualifying").as_array().size(), 0u);
}

TEST_P(PromotionQueryTest, OutOfScopeAndBadParametersAreRefused) {
  absl::Status s = Run(As("M2"), R"("manager":"M1")").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), R"(manager "M1" is not in the org tree)");
  s = Run(Admin(), R"("manager":"NOPE")").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), R"(manager "NOPE" is not in the org tree)");
  s = Run(As("M2"), R"("unit":"T1")").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(), R"(promotion_eligibility: manager "M2" does not lead unit "T1" or a unit above it)");
  s = Run(Admin(), R"("unit":"NOPE")").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), R"(request.unit: no such org unit, got "NOPE")");
  s = Run(Admin(), R"("manager":"M1","unit":"T1")").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "request.unit: give manager or unit, not both");
  s = Run(Admin(), R"("as_of":"2025-02-30")").status();
  EXPECT_EQ(PathOf(s), "request.as_of");
  s = Run(Admin(), R"("level":2)").status();
  EXPECT_EQ(PathOf(s), "request.level");
}

}  // namespace
}  // namespace cadre
