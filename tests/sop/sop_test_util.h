// Shared by the SOP tests: a small org in an Asia/Shanghai workspace on either
// backend, a business calendar, three SOPs and event builders.
//
// The org: CO (company, lead L0) > T1 (team, lead L1: M1, M2), T2 (team: M3).
// Calendar "cn": Mon-Fri 09:00-12:00 and 13:00-18:00 Shanghai time, Labour Day
// (Friday 2026-05-01) off.
// SOPs:
//   complaint   case_opened ["complaint"], on "cn":
//               respond  owner, within 8 business hours, warn 2 before, completed by the case
//                        "responded"; escalations: notify_lead at the breach, reassign and
//                        raise_severity 4 business hours past due
//               resolve  owner, after [], within 5 days, completed by the case "resolved"
//   onboarding  customer_assigned, round the clock:
//               first_contact  owner, within 2 days, a call
//               welcome_visit  owner, after [], within 14 days, a visit
//   thanks      large_purchase of 5000.00 or more: call  owner, within 1 day, step_done with an outcome
#ifndef CADRE_TESTS_SOP_SOP_TEST_UTIL_H_
#define CADRE_TESTS_SOP_SOP_TEST_UTIL_H_

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cadre/event.h"
#include "cadre/json.h"
#include "cadre/sop.h"
#include "cadre/workspace.h"
#include "gtest/gtest.h"
#include "testing/test_util.h"

namespace cadre {

#define CADRE_PRINT_AS_JSON(T) \
  inline void PrintTo(const T& v, std::ostream* os) { *os << json::ToText(v); }
CADRE_PRINT_AS_JSON(SopStepState)
CADRE_PRINT_AS_JSON(SopInstanceView)
CADRE_PRINT_AS_JSON(TodayItem)
CADRE_PRINT_AS_JSON(SopOnTimeRow)
#undef CADRE_PRINT_AS_JSON

}  // namespace cadre

namespace cadre::sop_testing {

// A Shanghai wall-clock instant, "2026-05-04 16:00".
inline absl::Time Sh(const std::string& local) {
  return testing::T((local.substr(0, 10) + "T" + local.substr(11) + ":00+08:00").c_str());
}

inline Event Base(std::string id, EventKind kind, const std::string& at) {
  Event e;
  e.id = std::move(id);
  e.kind = kind;
  e.occurred_at = Sh(at);
  return e;
}

inline Event CaseEvent(std::string id, const std::string& at, std::string ref, std::string stage) {
  Event e = Base(std::move(id), EventKind::kCase, at);
  e.reference = std::move(ref);
  e.stage = std::move(stage);
  return e;
}

inline Event Complaint(std::string id, const std::string& at, std::string ref, std::string customer,
                       std::string manager, std::optional<Severity> severity = Severity::kLow) {
  Event e = CaseEvent(std::move(id), at, std::move(ref), "opened");
  e.category = "complaint";
  e.customer = std::move(customer);
  e.manager = std::move(manager);
  e.severity = severity;
  return e;
}

inline Event Assign(std::string id, const std::string& at, std::string customer, std::optional<std::string> manager) {
  Event e = Base(std::move(id), EventKind::kAssignment, at);
  e.customer = std::move(customer);
  e.manager = std::move(manager);
  return e;
}

inline Event Contact(std::string id, const std::string& at, std::string customer, Channel channel,
                     std::optional<std::string> manager = std::nullopt) {
  Event e = Base(std::move(id), EventKind::kInteraction, at);
  e.customer = std::move(customer);
  e.channel = channel;
  e.manager = std::move(manager);
  return e;
}

inline Event Sale(std::string id, const std::string& at, std::string customer, int64_t amount_minor) {
  Event e = Base(std::move(id), EventKind::kSale, at);
  e.customer = std::move(customer);
  e.amount_minor = amount_minor;
  return e;
}

inline Event StepDone(std::string id, const std::string& at, std::string instance, std::string step,
                      std::optional<std::string> outcome = std::nullopt) {
  Event e = Base(std::move(id), EventKind::kSopStepDone, at);
  e.reference = std::move(instance);
  e.stage = std::move(step);
  e.outcome = std::move(outcome);
  return e;
}

inline Event Reverse(std::string id, const std::string& at, std::string target) {
  Event e = Base(std::move(id), EventKind::kReversal, at);
  e.reverses = std::move(target);
  return e;
}

inline constexpr char kCalendar[] = R"({"id":"cn","time_zone":"Asia/Shanghai",)"
                                    R"("hours":[{"days":["mon","tue","wed","thu","fri"],"from":"09:00","to":"12:00"},)"
                                    R"({"days":["mon","tue","wed","thu","fri"],"from":"13:00","to":"18:00"}],)"
                                    R"("holidays":[{"on":"2026-05-01","name":"Labour Day"}]})";

inline constexpr char kComplaintSop[] =
    R"({"id":"complaint","name":"Complaint handling","calendar":"cn",)"
    R"("trigger":{"on":"case_opened","categories":["complaint"]},"steps":[)"
    R"({"id":"respond","name":"Respond to the customer","role":"owner","within":{"business_hours":8},)"
    R"("warn_before":{"business_hours":2},"completed_by":{"case_stage":"responded"},"escalations":[)"
    R"({"after":{"business_hours":0},"action":"notify_lead"},)"
    R"({"after":{"business_hours":4},"action":"reassign"},)"
    R"({"after":{"business_hours":4},"action":"raise_severity"}]},)"
    R"({"id":"resolve","name":"Resolve the complaint","role":"owner","after":[],"within":{"days":5},)"
    R"("completed_by":{"case_stage":"resolved"}}]})";

inline constexpr char kOnboardingSop[] =
    R"({"id":"onboarding","name":"Onboarding","trigger":{"on":"customer_assigned"},"steps":[)"
    R"({"id":"first_contact","name":"First contact","role":"owner","within":{"days":2},)"
    R"("completed_by":{"interaction":{"channel":"call"}}},)"
    R"({"id":"welcome_visit","name":"Welcome visit","role":"owner","after":[],"within":{"days":14},)"
    R"("completed_by":{"interaction":{"channel":"visit"}}}]})";

inline constexpr char kThanksSop[] =
    R"({"id":"thanks","name":"Large purchase thank-you","trigger":{"on":"large_purchase","min_amount_minor":500000},)"
    R"("steps":[{"id":"call","name":"Thank-you call","role":"owner","within":{"days":1},)"
    R"("completed_by":{"step_done":{"require":["outcome"]}}}]})";

inline std::string BackendName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

class SopTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    WorkspaceOptions options;
    options.currency = "CNY";
    options.time_zone = "Asia/Shanghai";
    options.clock = [] { return testing::T("2026-04-01T12:00:00+08:00"); };
    const std::string uri = GetParam() == "memory" ? std::string("memory:") : "sqlite:" + dir_.File("sop.db");
    absl::StatusOr<std::unique_ptr<Workspace>> ws = Workspace::Open(uri, options);
    ASSERT_TRUE(ws.ok()) << ws.status();
    ws_ = *std::move(ws);
    Put("org_units", "CO", R"({"name":"Co","kind":"company","lead":"L0"})");
    Put("org_units", "T1", R"({"name":"Team 1","kind":"team","parent":"CO","lead":"L1"})");
    Put("org_units", "T2", R"({"name":"Team 2","kind":"team","parent":"CO"})");
    for (const auto& [id, team] : {std::tuple{"L0", "CO"}, std::tuple{"L1", "T1"}, std::tuple{"M1", "T1"},
                                   std::tuple{"M2", "T1"}, std::tuple{"M3", "T2"}}) {
      Put("managers", id, absl::StrCat(R"({"name":")", id, R"(","team":")", team, R"(","hired_on":"2025-01-01"})"));
    }
    Put("calendars", "cn", kCalendar);
    Put("sops", "complaint", kComplaintSop);
    Put("sops", "onboarding", kOnboardingSop);
    Put("sops", "thanks", kThanksSop);
    engine_ = std::make_unique<SopEngine>(*ws_);
  }

  void Put(std::string_view collection, std::string_view id, std::string_view body) {
    absl::StatusOr<Document> doc = ws_->Put(collection, id, body);
    ASSERT_TRUE(doc.ok()) << collection << "/" << id << ": " << doc.status();
  }

  IngestReport Ingest(std::vector<Event> events) {
    absl::StatusOr<IngestReport> report = ws_->Ingest(std::move(events));
    EXPECT_TRUE(report.ok()) << report.status();
    if (!report.ok()) return {};
    EXPECT_TRUE(report->rejected.empty()) << report->rejected[0].message;
    return *report;
  }

  SopInstanceView Instance(const std::string& id, absl::Time now) {
    EXPECT_TRUE(engine_->CatchUp().ok());
    absl::StatusOr<SopInstanceView> view = engine_->Instance(id, now);
    EXPECT_TRUE(view.ok()) << view.status();
    return view.ok() ? *std::move(view) : SopInstanceView{};
  }

  SopStepState Step(const std::string& instance, const std::string& step, absl::Time now) {
    SopInstanceView view = Instance(instance, now);
    for (const SopStepState& s : view.steps)
      if (s.step == step) return s;
    ADD_FAILURE() << "no step " << step << " in " << instance;
    return {};
  }

  std::vector<SopInstanceView> Instances(SopInstanceFilter filter, absl::Time now) {
    EXPECT_TRUE(engine_->CatchUp().ok());
    absl::StatusOr<std::vector<SopInstanceView>> views = engine_->Instances(filter, now);
    EXPECT_TRUE(views.ok()) << views.status();
    return views.ok() ? *std::move(views) : std::vector<SopInstanceView>{};
  }

  testing::TempDir dir_;
  std::unique_ptr<Workspace> ws_;
  std::unique_ptr<SopEngine> engine_;
};

}  // namespace cadre::sop_testing

#endif  // CADRE_TESTS_SOP_SOP_TEST_UTIL_H_
