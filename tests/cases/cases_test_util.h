// Shared by the case tests: a small org in an Asia/Shanghai workspace on either
// backend, event builders, a weekday calendar and a report helper.
//
// The org: CO (company) > T1 (team, lead L1: L1, M1), T2 (team: M2, M3).
// June 2025: Sunday 06-01, Monday 06-02 ... Friday 06-06, weekend 06-07/08,
// Monday 06-09 (a holiday on the weekday calendar), Tuesday 06-10.
#ifndef CADRE_TESTS_CASES_CASES_TEST_UTIL_H_
#define CADRE_TESTS_CASES_CASES_TEST_UTIL_H_

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cadre/calendar.h"
#include "cadre/cases.h"
#include "cadre/crm.h"
#include "cadre/decimal.h"
#include "cadre/event.h"
#include "cadre/json.h"
#include "cadre/org.h"
#include "cadre/workspace.h"
#include "gtest/gtest.h"
#include "testing/test_util.h"

namespace cadre {

#define CADRE_PRINT_AS_JSON(T) \
  inline void PrintTo(const T& v, std::ostream* os) { *os << json::ToText(v); }
CADRE_PRINT_AS_JSON(Case)
CADRE_PRINT_AS_JSON(CaseWait)
CADRE_PRINT_AS_JSON(CaseAnomaly)
CADRE_PRINT_AS_JSON(CaseCount)
CADRE_PRINT_AS_JSON(CaseDurations)
CADRE_PRINT_AS_JSON(CaseFigures)
CADRE_PRINT_AS_JSON(CaseSlaCounts)
#undef CADRE_PRINT_AS_JSON

}  // namespace cadre

namespace cadre::cases_testing {

inline Decimal D(const char* text) {
  absl::StatusOr<Decimal> d = Decimal::Parse(text);
  EXPECT_TRUE(d.ok()) << d.status();
  return d.ok() ? *d : Decimal();
}

// "2025-06-02 10:00" in Shanghai time.
inline absl::Time At(const std::string& when) {
  return testing::T((when.substr(0, 10) + "T" + when.substr(11) + ":00+08:00").c_str());
}

inline Event Stage(std::string id, const std::string& when, std::string case_id, std::string stage) {
  Event e;
  e.id = std::move(id);
  e.kind = EventKind::kCase;
  e.occurred_at = At(when);
  e.reference = std::move(case_id);
  e.stage = std::move(stage);
  return e;
}

inline Event Open(std::string id, const std::string& when, std::string case_id, std::string category,
                  std::optional<std::string> customer, std::optional<std::string> manager,
                  std::optional<Severity> severity = std::nullopt) {
  Event e = Stage(std::move(id), when, std::move(case_id), "opened");
  e.category = std::move(category);
  e.customer = std::move(customer);
  e.manager = std::move(manager);
  e.severity = severity;
  return e;
}

inline Event Resolve(std::string id, const std::string& when, std::string case_id,
                     std::optional<std::string> reason = std::nullopt,
                     std::optional<std::string> outcome = std::nullopt) {
  Event e = Stage(std::move(id), when, std::move(case_id), "resolved");
  e.reason = std::move(reason);
  e.outcome = std::move(outcome);
  return e;
}

inline Event Reverse(std::string id, const std::string& when, std::string target) {
  Event e;
  e.id = std::move(id);
  e.kind = EventKind::kReversal;
  e.occurred_at = At(when);
  e.reverses = std::move(target);
  return e;
}

inline Event Assign(std::string id, const std::string& when, std::string customer, std::string manager) {
  Event e;
  e.id = std::move(id);
  e.kind = EventKind::kAssignment;
  e.occurred_at = At(when);
  e.customer = std::move(customer);
  e.manager = std::move(manager);
  return e;
}

// Monday to Friday 09:00-18:00 in Shanghai, Monday 2025-06-09 a holiday.
inline BusinessCalendar WeekdayCalendar() {
  BusinessCalendar c;
  c.id = "weekdays";
  c.time_zone = "Asia/Shanghai";
  c.hours.push_back(
      WorkingHours{{Weekday::kMon, Weekday::kTue, Weekday::kWed, Weekday::kThu, Weekday::kFri}, "09:00", "18:00"});
  Holiday h;
  h.on = absl::CivilDay(2025, 6, 9);
  c.holidays.push_back(h);
  return c;
}

inline BusinessClock ClockOf(const BusinessCalendar& calendar) {
  absl::StatusOr<BusinessClock> clock = BusinessClock::Create(calendar, absl::UTCTimeZone());
  EXPECT_TRUE(clock.ok()) << clock.status();
  return *std::move(clock);
}

inline CaseSla Sla(std::string id, std::string category, std::optional<Severity> severity, int64_t first_response,
                   int64_t resolution) {
  return CaseSla{std::move(id), std::move(category), severity, BusinessMinutes{first_response},
                 BusinessMinutes{resolution}};
}

inline std::string BackendName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

// Runs each test on a memory workspace and on a sqlite file workspace.
class CasesTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    WorkspaceOptions options;
    options.currency = "CNY";
    options.time_zone = "Asia/Shanghai";
    options.clock = [] { return testing::T("2025-06-30T12:00:00+08:00"); };
    const std::string uri = GetParam() == "memory" ? std::string("memory:") : "sqlite:" + dir_.File("cases.db");
    absl::StatusOr<std::unique_ptr<Workspace>> ws = Workspace::Open(uri, options);
    ASSERT_TRUE(ws.ok()) << ws.status();
    ws_ = *std::move(ws);
    Put("org_units", "CO", R"({"name":"Co","kind":"company"})");
    Put("org_units", "T1", R"({"name":"Team 1","kind":"team","parent":"CO","lead":"L1"})");
    Put("org_units", "T2", R"({"name":"Team 2","kind":"team","parent":"CO"})");
    for (const auto& [id, team] :
         {std::pair{"L1", "T1"}, std::pair{"M1", "T1"}, std::pair{"M2", "T2"}, std::pair{"M3", "T2"}}) {
      Put("managers", id, absl::StrCat(R"({"name":")", id, R"(","team":")", team, R"("})"));
    }
    for (const char* c : {"C1", "C2", "C3", "C9"}) Put("customers", c, absl::StrCat(R"({"name":")", c, R"("})"));
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

  void CatchUp() {
    ASSERT_TRUE(ownership_.CatchUp(*ws_).ok());
    ASSERT_TRUE(cases_.CatchUp(*ws_).ok());
  }

  std::optional<Case> FindCase(const std::string& id, absl::Time as_of = absl::InfiniteFuture()) {
    CatchUp();
    return cases_.Find(id, ownership_, as_of);
  }

  CaseReport Report(const BusinessCalendar& calendar, const CaseSlaPolicy& policy, CaseReportRequest request) {
    CatchUp();
    absl::StatusOr<OrgTree> tree = OrgTree::Load(*ws_);
    EXPECT_TRUE(tree.ok()) << tree.status();
    absl::StatusOr<BusinessClock> clock = BusinessClock::Create(calendar, ws_->time_zone());
    EXPECT_TRUE(clock.ok()) << clock.status();
    if (!tree.ok() || !clock.ok()) return {};
    absl::StatusOr<CaseReport> report = BuildCaseReport(cases_, ownership_, *tree, *clock, policy, request);
    EXPECT_TRUE(report.ok()) << report.status();
    return report.ok() ? *std::move(report) : CaseReport{};
  }

  static const CaseFigures* Row(const CaseReport& report, const std::string& key) {
    for (const CaseFigures& f : report.managers)
      if (f.manager == key) return &f;
    for (const CaseFigures& f : report.units)
      if (f.unit == key) return &f;
    ADD_FAILURE() << "no row " << key;
    return nullptr;
  }

  testing::TempDir dir_;
  std::unique_ptr<Workspace> ws_;
  OwnershipProjection ownership_;
  CaseProjection cases_;
};

}  // namespace cadre::cases_testing

#endif  // CADRE_TESTS_CASES_CASES_TEST_UTIL_H_
