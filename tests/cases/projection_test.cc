// The case projection: the lifecycle folded in (occurred_at, seq) order, waits,
// reopenings, duplicate openings, stages before the opening, reversals, late
// arrivals and crediting a complaint to the customer's owner. On memory and sqlite.
#include <optional>
#include <string>
#include <vector>

#include "cases/cases_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cadre {
namespace {

using cases_testing::Assign;
using cases_testing::At;
using cases_testing::Open;
using cases_testing::Resolve;
using cases_testing::Reverse;
using cases_testing::Stage;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

class CaseProjectionTest : public cases_testing::CasesTest {};
INSTANTIATE_TEST_SUITE_P(Backends, CaseProjectionTest, ::testing::Values("memory", "sqlite"),
                         cases_testing::BackendName);

TEST_P(CaseProjectionTest, LifecycleWithWaitAndReopening) {
  Event open = Open("K1-o", "2025-06-02 10:00", "K1", "complaint", "C1", "M1", Severity::kHigh);
  open.channel = Channel::kCall;
  Ingest({open, Stage("K1-r", "2025-06-02 11:00", "K1", "responded"),
          Stage("K1-w", "2025-06-02 12:00", "K1", "waiting"), Stage("K1-u", "2025-06-02 14:00", "K1", "resumed"),
          Resolve("K1-s1", "2025-06-02 16:00", "K1", "billing", "refund"),
          Stage("K1-re", "2025-06-03 09:30", "K1", "reopened"),
          Resolve("K1-s2", "2025-06-03 11:00", "K1", "delivery", "redelivered")});

  std::optional<Case> c = FindCase("K1");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->type, CaseType::kComplaint);
  EXPECT_EQ(c->category, "complaint");
  EXPECT_EQ(c->severity, Severity::kHigh);
  EXPECT_EQ(c->channel, Channel::kCall);
  EXPECT_EQ(c->customer, "C1");
  EXPECT_EQ(c->manager, "M1");
  EXPECT_FALSE(c->manager_is_owner);
  EXPECT_EQ(c->opening_event, "K1-o");
  EXPECT_EQ(c->opened_at, At("2025-06-02 10:00"));
  EXPECT_EQ(c->first_response_at, At("2025-06-02 11:00"));
  EXPECT_THAT(c->waits, ElementsAre(CaseWait{At("2025-06-02 12:00"), At("2025-06-02 14:00")}));
  EXPECT_EQ(c->status, CaseStatus::kResolved);
  EXPECT_EQ(c->resolved_at, At("2025-06-03 11:00"));
  ASSERT_THAT(c->resolutions, SizeIs(2));
  EXPECT_EQ(c->resolutions[0].reason, "billing");
  EXPECT_EQ(c->resolutions[1].event, "K1-s2");
  EXPECT_EQ(c->reopened, 1);
  EXPECT_EQ(c->root_cause, "delivery");
  EXPECT_EQ(c->outcome, "redelivered");
  EXPECT_THAT(c->history, SizeIs(7));
  EXPECT_THAT(c->anomalies, IsEmpty());

  // As of earlier instants.
  std::optional<Case> waiting = cases_.Find("K1", ownership_, At("2025-06-02 13:00"));
  ASSERT_TRUE(waiting.has_value());
  EXPECT_EQ(waiting->status, CaseStatus::kWaiting);
  EXPECT_THAT(waiting->waits, ElementsAre(CaseWait{At("2025-06-02 12:00"), std::nullopt}));
  std::optional<Case> reopened = cases_.Find("K1", ownership_, At("2025-06-03 10:00"));
  ASSERT_TRUE(reopened.has_value());
  EXPECT_EQ(reopened->status, CaseStatus::kOpen);
  EXPECT_EQ(reopened->reopened, 1);
  EXPECT_EQ(reopened->resolved_at, At("2025-06-02 16:00"));  // the latest resolution, no longer standing
  EXPECT_FALSE(cases_.Find("K1", ownership_, At("2025-06-02 09:59")).has_value());
}

TEST_P(CaseProjectionTest, SecondOpeningIsReportedAndTheFirstCounts) {
  Ingest({Open("K6-a", "2025-06-02 10:00", "K6", "complaint", "C1", "M1"),
          Open("K6-b", "2025-06-02 11:00", "K6", "product", std::nullopt, "M2", Severity::kLow)});
  std::optional<Case> c = FindCase("K6");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->opening_event, "K6-a");
  EXPECT_EQ(c->category, "complaint");
  EXPECT_EQ(c->manager, "M1");
  EXPECT_EQ(c->severity, Severity::kMedium);  // a second opening changes nothing
  ASSERT_THAT(c->anomalies, SizeIs(1));
  EXPECT_EQ(c->anomalies[0].event, "K6-b");
  EXPECT_EQ(c->anomalies[0].problem, "opened again; the first opening (K6-a) counts");
  EXPECT_THAT(cases_.Anomalies(ownership_), ElementsAre(c->anomalies[0]));
}

TEST_P(CaseProjectionTest, OutOfOrderArrivalFoldsByOccurredAt) {
  // Logged resolution first, opening last; an opening logged later but
  // occurring earlier becomes the first opening.
  Ingest({Resolve("K2-s", "2025-06-02 12:00", "K2", "stock")});
  Ingest({Stage("K2-r", "2025-06-02 11:00", "K2", "responded")});
  EXPECT_FALSE(FindCase("K2").has_value());
  std::vector<CaseAnomaly> orphans = cases_.Anomalies(ownership_);
  ASSERT_THAT(orphans, SizeIs(2));
  EXPECT_EQ(orphans[0].event, "K2-r");
  EXPECT_EQ(orphans[0].problem, "a responded stage before the case was opened");

  Ingest({Open("K2-o", "2025-06-02 10:00", "K2", "technical", std::nullopt, "M2")});
  std::optional<Case> c = FindCase("K2");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->type, CaseType::kSupport);
  EXPECT_EQ(c->first_response_at, At("2025-06-02 11:00"));
  EXPECT_EQ(c->status, CaseStatus::kResolved);
  EXPECT_EQ(c->root_cause, "stock");
  EXPECT_THAT(c->anomalies, IsEmpty());
  EXPECT_THAT(cases_.Anomalies(ownership_), IsEmpty());

  Ingest({Open("K2-o0", "2025-06-02 09:00", "K2", "marketing", std::nullopt, "M3")});
  c = FindCase("K2");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->opening_event, "K2-o0");
  EXPECT_EQ(c->category, "marketing");
  ASSERT_THAT(c->anomalies, SizeIs(1));
  EXPECT_EQ(c->anomalies[0].event, "K2-o");

  // A stage before the opening in occurred_at order is reported, not applied.
  Ingest({Stage("K2-early", "2025-06-02 08:00", "K2", "waiting")});
  c = FindCase("K2");
  ASSERT_THAT(c->anomalies, SizeIs(2));
  EXPECT_EQ(c->anomalies[0].event, "K2-early");
  EXPECT_EQ(c->anomalies[0].problem, "a waiting stage before the case was opened");
  EXPECT_THAT(c->waits, IsEmpty());
}

TEST_P(CaseProjectionTest, ReversedResolutionAndReversedOpening) {
  Ingest({Open("K7-o", "2025-06-02 10:00", "K7", "complaint", "C1", "M1"),
          Resolve("K7-s", "2025-06-02 12:00", "K7", "billing")});
  EXPECT_EQ(FindCase("K7")->status, CaseStatus::kResolved);
  Ingest({Reverse("K7-x", "2025-06-02 13:00", "K7-s")});
  std::optional<Case> c = FindCase("K7");
  EXPECT_EQ(c->status, CaseStatus::kOpen);
  EXPECT_THAT(c->resolutions, IsEmpty());
  EXPECT_FALSE(c->resolved_at.has_value());
  EXPECT_FALSE(c->root_cause.has_value());

  Ingest({Reverse("K7-y", "2025-06-02 13:00", "K7-o")});
  EXPECT_FALSE(FindCase("K7").has_value());

  // Fed by the host: a reversal applied before its target keeps it out.
  CaseProjection fed;
  fed.Apply(StoredEvent{1, Reverse("X", "2025-06-02 13:00", "K9-o")});
  fed.Apply(StoredEvent{2, Open("K9-o", "2025-06-02 10:00", "K9", "technical", std::nullopt, "M1")});
  fed.Apply(StoredEvent{2, Open("K9-o", "2025-06-02 10:00", "K9", "technical", std::nullopt, "M1")});
  EXPECT_FALSE(fed.Find("K9", ownership_).has_value());
  EXPECT_EQ(fed.high_water_mark(), 2u);
}

TEST_P(CaseProjectionTest, StagesThatDoNotFitTheStatusAreAnomalies) {
  Ingest({Open("K3-o", "2025-06-02 10:00", "K3", "technical", std::nullopt, "M1"),
          Stage("K3-u", "2025-06-02 10:30", "K3", "resumed"), Stage("K3-re", "2025-06-02 10:40", "K3", "reopened"),
          Stage("K3-w", "2025-06-02 11:00", "K3", "waiting"), Stage("K3-w2", "2025-06-02 11:30", "K3", "waiting"),
          Resolve("K3-s", "2025-06-02 12:00", "K3"), Resolve("K3-s2", "2025-06-02 13:00", "K3", "training")});
  std::optional<Case> c = FindCase("K3");
  ASSERT_TRUE(c.has_value());
  std::vector<std::string> problems;
  for (const CaseAnomaly& a : c->anomalies) problems.push_back(a.problem);
  EXPECT_THAT(problems, ElementsAre("resumed while the case is open", "reopened while the case is open",
                                    "waiting while the case is waiting",
                                    "resolved again without a reopening; the latest resolution counts"));
  // The resolution ended the wait; the latest resolution counts.
  EXPECT_THAT(c->waits, ElementsAre(CaseWait{At("2025-06-02 11:00"), At("2025-06-02 12:00")}));
  EXPECT_EQ(c->resolved_at, At("2025-06-02 13:00"));
  EXPECT_EQ(c->root_cause, "training");
  EXPECT_EQ(c->reopened, 0);
}

TEST_P(CaseProjectionTest, SeverityFollowsLaterCaseEvents) {
  Event raise = Stage("K4-r", "2025-06-02 11:00", "K4", "responded");
  raise.severity = Severity::kCritical;
  Ingest({Open("K4-o", "2025-06-02 10:00", "K4", "complaint", "C1", "M1", Severity::kLow), raise});
  EXPECT_EQ(FindCase("K4")->severity, Severity::kCritical);
  EXPECT_EQ(cases_.Find("K4", ownership_, At("2025-06-02 10:30"))->severity, Severity::kLow);
}

TEST_P(CaseProjectionTest, ComplaintWithoutManagerIsCreditedToTheOwnerAtTheOpening) {
  Ingest({Assign("A1", "2025-06-01 10:00", "C9", "M3"),
          Open("K8-o", "2025-06-02 10:00", "K8", "complaint", "C9", std::nullopt),
          Open("K5-o", "2025-06-02 10:00", "K5", "technical", "C9", std::nullopt),
          Assign("A2", "2025-06-05 10:00", "C9", "M2")});
  std::optional<Case> c = FindCase("K8");
  EXPECT_EQ(c->manager, "M3");  // the later reassignment does not move it
  EXPECT_TRUE(c->manager_is_owner);
  EXPECT_FALSE(FindCase("K5")->manager.has_value());  // a support request is not credited to the owner

  // A late assignment in force at the opening does.
  Ingest({Assign("A0", "2025-06-01 12:00", "C9", "M2")});
  c = FindCase("K8");
  EXPECT_EQ(c->manager, "M2");

  CaseFilter filter;
  filter.manager = "M2";
  std::vector<Case> listed = cases_.List(filter, ownership_);
  ASSERT_THAT(listed, SizeIs(1));
  EXPECT_EQ(listed[0].id, "K8");
}

TEST_P(CaseProjectionTest, ListFiltersAndOrder) {
  Ingest({Open("B-o", "2025-06-03 10:00", "B", "complaint", "C1", "M1"),
          Open("A-o", "2025-06-03 10:00", "A", "technical", std::nullopt, "M1"),
          Open("C-o", "2025-06-01 10:00", "C", "complaint", "C2", "M2"), Resolve("C-s", "2025-06-02 10:00", "C")});
  CatchUp();
  auto ids = [&](CaseFilter f) {
    std::vector<std::string> out;
    for (const Case& c : cases_.List(f, ownership_)) out.push_back(c.id);
    return out;
  };
  EXPECT_THAT(ids({}), ElementsAre("C", "A", "B"));
  EXPECT_THAT(ids({.manager = "M1"}), ElementsAre("A", "B"));
  EXPECT_THAT(ids({.customer = "C1"}), ElementsAre("B"));
  EXPECT_THAT(ids({.category = "complaint"}), ElementsAre("C", "B"));
  EXPECT_THAT(ids({.type = CaseType::kSupport}), ElementsAre("A"));
  EXPECT_THAT(ids({.status = CaseStatus::kResolved}), ElementsAre("C"));
  EXPECT_THAT(ids({.from = At("2025-06-02 00:00"), .until = At("2025-06-04 00:00")}), ElementsAre("A", "B"));
  EXPECT_THAT(ids({.status = CaseStatus::kOpen, .as_of = At("2025-06-01 12:00")}), ElementsAre("C"));
}

}  // namespace
}  // namespace cadre
