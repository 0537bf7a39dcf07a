// Event builders shared by the crm tests.
#ifndef CADRE_TESTS_CRM_CRM_TEST_UTIL_H_
#define CADRE_TESTS_CRM_CRM_TEST_UTIL_H_

#include <memory>
#include <optional>
#include <string>

#include "cadre/event.h"
#include "cadre/workspace.h"
#include "gtest/gtest.h"
#include "testing/test_util.h"

namespace cadre::crm_testing {

inline Event Assignment(std::string id, const char* at, std::string customer, std::optional<std::string> manager,
                        std::optional<std::string> reason = std::nullopt) {
  Event e;
  e.id = std::move(id);
  e.kind = EventKind::kAssignment;
  e.occurred_at = testing::T(at);
  e.customer = std::move(customer);
  e.manager = std::move(manager);
  e.reason = std::move(reason);
  return e;
}

inline Event Reversal(std::string id, const char* at, std::string target) {
  Event e;
  e.id = std::move(id);
  e.kind = EventKind::kReversal;
  e.occurred_at = testing::T(at);
  e.reverses = std::move(target);
  return e;
}

inline Event Sale(std::string id, const char* at, std::string customer, std::optional<std::string> manager,
                  int64_t amount, std::optional<std::string> category = std::nullopt,
                  std::optional<std::string> reference = std::nullopt) {
  Event e;
  e.id = std::move(id);
  e.kind = EventKind::kSale;
  e.occurred_at = testing::T(at);
  e.customer = std::move(customer);
  e.manager = std::move(manager);
  e.amount_minor = amount;
  e.category = std::move(category);
  e.reference = std::move(reference);
  return e;
}

// A memory workspace in Asia/Shanghai whose clock is fixed (recorded_at is stable).
inline std::unique_ptr<Workspace> NewWorkspace() {
  WorkspaceOptions options;
  options.currency = "CNY";
  options.time_zone = "Asia/Shanghai";
  options.clock = [] { return testing::T("2025-12-31T00:00:00Z"); };
  absl::StatusOr<std::unique_ptr<Workspace>> ws = Workspace::Open("memory:", options);
  EXPECT_TRUE(ws.ok()) << ws.status();
  return ws.ok() ? *std::move(ws) : nullptr;
}

// Ingests atomically and expects every event to be accepted.
inline void IngestAll(Workspace& ws, std::vector<Event> events) {
  const std::size_t n = events.size();
  absl::StatusOr<IngestReport> report = ws.Ingest(std::move(events));
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_TRUE(report->rejected.empty()) << report->rejected[0].message;
  ASSERT_EQ(report->accepted, n);
}

}  // namespace cadre::crm_testing

#endif  // CADRE_TESTS_CRM_CRM_TEST_UTIL_H_
