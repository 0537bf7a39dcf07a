// Shared by the training tests: a small org in an Asia/Shanghai workspace on
// either backend, three courses, event builders and a report helper.
//
// The org: CO (company) > T1 (team, lead L1: L1, M1), T2 (team: M2, M3).
// L1 has role "lead", the others "am"; everyone was hired on 2025-01-01.
// Courses:
//   PK   product knowledge: modules A 2h, B 3h, C 1.5h; no pass mark; no certification
//   CMP  compliance: modules X 1h, Y 1h; pass mark 80; certifies for 365 days
//   SAFE compliance: module S 0.5h; no pass mark; certifies for 30 days
#ifndef CADRE_TESTS_TRAINING_TRAINING_TEST_UTIL_H_
#define CADRE_TESTS_TRAINING_TRAINING_TEST_UTIL_H_

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "cadre/decimal.h"
#include "cadre/event.h"
#include "cadre/json.h"
#include "cadre/model.h"
#include "cadre/org.h"
#include "cadre/training.h"
#include "cadre/workspace.h"
#include "gtest/gtest.h"
#include "testing/test_util.h"

namespace cadre {

// Readable failures: the result types print as their JSON.
#define CADRE_PRINT_AS_JSON(T) \
  inline void PrintTo(const T& v, std::ostream* os) { *os << json::ToText(v); }
CADRE_PRINT_AS_JSON(TrainingEnrolment)
CADRE_PRINT_AS_JSON(TrainingAttempt)
CADRE_PRINT_AS_JSON(PassedCourse)
CADRE_PRINT_AS_JSON(Certification)
CADRE_PRINT_AS_JSON(RequirementState)
CADRE_PRINT_AS_JSON(UnitTraining)
CADRE_PRINT_AS_JSON(TrainingIssue)
CADRE_PRINT_AS_JSON(TrainingCompliance)
CADRE_PRINT_AS_JSON(ExpiringCertification)
#undef CADRE_PRINT_AS_JSON

}  // namespace cadre

namespace cadre::training_testing {

inline Decimal D(const char* text) {
  absl::StatusOr<Decimal> d = Decimal::Parse(text);
  EXPECT_TRUE(d.ok()) << d.status();
  return d.ok() ? *d : Decimal();
}

inline absl::CivilDay Day(int y, int m, int d) { return absl::CivilDay(y, m, d); }

// An event at 10:00 Shanghai time on the day given as "YYYY-MM-DD", or at the
// instant given in full.
inline absl::Time At(const std::string& when) {
  return testing::T(when.size() == 10 ? (when + "T10:00:00+08:00").c_str() : when.c_str());
}

inline Event Enrol(std::string id, const std::string& when, std::string manager, std::string course,
                   std::optional<absl::CivilDay> due_on = std::nullopt) {
  Event e;
  e.id = std::move(id);
  e.kind = EventKind::kTrainingEnrolled;
  e.occurred_at = At(when);
  e.manager = std::move(manager);
  e.reference = std::move(course);
  e.due_on = due_on;
  return e;
}

inline Event Complete(std::string id, const std::string& when, std::string manager, std::string course,
                      std::optional<std::string> module = std::nullopt, const char* score = nullptr) {
  Event e;
  e.id = std::move(id);
  e.kind = EventKind::kTrainingCompleted;
  e.occurred_at = At(when);
  e.manager = std::move(manager);
  e.reference = std::move(course);
  e.category = std::move(module);
  if (score != nullptr) e.score = D(score);
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

inline std::string BackendName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

// Runs each test on a memory workspace and on a sqlite file workspace.
class TrainingTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    WorkspaceOptions options;
    options.currency = "CNY";
    options.time_zone = "Asia/Shanghai";
    options.clock = [] { return testing::T("2025-06-15T12:00:00+08:00"); };
    const std::string uri = GetParam() == "memory" ? std::string("memory:") : "sqlite:" + dir_.File("training.db");
    absl::StatusOr<std::unique_ptr<Workspace>> ws = Workspace::Open(uri, options);
    ASSERT_TRUE(ws.ok()) << ws.status();
    ws_ = *std::move(ws);
    Put("org_units", "CO", R"({"name":"Co","kind":"company"})");
    Put("org_units", "T1", R"({"name":"Team 1","kind":"team","parent":"CO","lead":"L1"})");
    Put("org_units", "T2", R"({"name":"Team 2","kind":"team","parent":"CO"})");
    for (const auto& [id, team, role] : {std::tuple{"L1", "T1", "lead"}, std::tuple{"M1", "T1", "am"},
                                         std::tuple{"M2", "T2", "am"}, std::tuple{"M3", "T2", "am"}}) {
      Put("managers", id,
          absl::StrCat(R"({"name":")", id, R"(","team":")", team, R"(","role":")", role,
                       R"(","hired_on":"2025-01-01"})"));
    }
    Put("courses", "PK",
        R"({"name":"Product knowledge","topic":"product_knowledge","modules":[)"
        R"({"id":"A","name":"Appliances","hours":"2"},{"id":"B","name":"Bedding","hours":3},)"
        R"({"id":"C","name":"Care","hours":"1.5"}]})");
    Put("courses", "CMP",
        R"({"name":"Compliance","topic":"compliance","modules":[)"
        R"({"id":"X","name":"Privacy","hours":1},{"id":"Y","name":"Anti-bribery","hours":1}],)"
        R"("pass_mark":80,"certification":{"valid_days":365}})");
    Put("courses", "SAFE",
        R"({"name":"Safety","topic":"compliance","modules":[{"id":"S","name":"Safety","hours":"0.5"}],)"
        R"("certification":{"valid_days":30}})");
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

  // The report as of `as_of`, from a projection caught up with the workspace.
  TrainingReport Report(absl::CivilDay as_of, TrainingRequest request = {}) {
    request.as_of = as_of;
    EXPECT_TRUE(training_.CatchUp(*ws_).ok());
    absl::StatusOr<TrainingConfig> config = TrainingConfig::Load(*ws_, as_of);
    EXPECT_TRUE(config.ok()) << config.status();
    absl::StatusOr<OrgTree> tree = OrgTree::Load(*ws_, EndOfDay(as_of, ws_->time_zone()));
    EXPECT_TRUE(tree.ok()) << tree.status();
    if (!config.ok() || !tree.ok()) return {};
    absl::StatusOr<TrainingReport> report = BuildTrainingReport(training_, *config, *tree, request, ws_->time_zone());
    EXPECT_TRUE(report.ok()) << report.status();
    return report.ok() ? *std::move(report) : TrainingReport{};
  }

  // One manager's row as of `as_of`.
  ManagerTraining Row(const std::string& manager, absl::CivilDay as_of, TrainingRequest request = {}) {
    request.managers = {manager};
    request.units = false;
    TrainingReport report = Report(as_of, std::move(request));
    if (report.managers.size() != 1) {
      ADD_FAILURE() << "no row for " << manager;
      return {};
    }
    return report.managers[0];
  }

  testing::TempDir dir_;
  std::unique_ptr<Workspace> ws_;
  TrainingProjection training_;
};

}  // namespace cadre::training_testing

#endif  // CADRE_TESTS_TRAINING_TRAINING_TEST_UTIL_H_
