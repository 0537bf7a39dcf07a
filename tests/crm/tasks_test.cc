// Follow-up tasks: status around midnight in the workspace zone, crediting to the
// owner of the moment, several and early done events, reversals, queries and
// counts, hosts feeding events out of order, and incremental equals rebuild.
#include "cadre/tasks.h"

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "cadre/crm.h"
#include "cadre/json.h"
#include "cadre/period.h"
#include "cadre/workspace.h"
#include "crm/crm_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/test_util.h"

namespace cadre {
namespace {

using crm_testing::Assignment;
using crm_testing::IngestAll;
using crm_testing::Reversal;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::T;

absl::CivilDay Day(int y, int m, int d) { return absl::CivilDay(y, m, d); }

absl::TimeZone Shanghai() {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone("Asia/Shanghai", &tz));
  return tz;
}

Event FollowUp(std::string id, const char* at, std::string customer, absl::CivilDay due_on,
               std::optional<std::string> manager = std::nullopt, std::optional<std::string> next_step = std::nullopt) {
  Event e;
  e.id = std::move(id);
  e.kind = EventKind::kFollowUp;
  e.occurred_at = T(at);
  e.customer = std::move(customer);
  e.manager = std::move(manager);
  e.due_on = due_on;
  e.next_step = std::move(next_step);
  return e;
}

Event Interaction(std::string id, const char* at, std::string customer, std::optional<absl::CivilDay> due_on,
                  std::optional<std::string> manager = std::nullopt) {
  Event e;
  e.id = std::move(id);
  e.kind = EventKind::kInteraction;
  e.occurred_at = T(at);
  e.customer = std::move(customer);
  e.manager = std::move(manager);
  e.channel = Channel::kCall;
  e.due_on = due_on;
  if (due_on) e.next_step = "send the brochure";
  return e;
}

Event Done(std::string id, const char* at, std::string task, std::optional<std::string> outcome = std::nullopt) {
  Event e;
  e.id = std::move(id);
  e.kind = EventKind::kFollowUpDone;
  e.occurred_at = T(at);
  e.reference = std::move(task);
  e.outcome = std::move(outcome);
  return e;
}

std::vector<std::string> Ids(const std::vector<FollowUpTask>& tasks) {
  std::vector<std::string> out;
  for (const FollowUpTask& t : tasks) out.push_back(t.id);
  return out;
}

// ---- The pure status functions -------------------------------------------------

TEST(TaskStatusTest, DueDayEndsAtMidnightInTheZone) {
  const absl::TimeZone sh = Shanghai();
  const absl::TimeZone utc = absl::UTCTimeZone();
  const absl::CivilDay due = Day(2025, 6, 30);
  EXPECT_EQ(TaskDeadline(due, sh), T("2025-07-01T00:00:00+08:00"));
  EXPECT_EQ(TaskDeadline(due, utc), T("2025-07-01T00:00:00Z"));

  // 23:30 in Shanghai on the due day: on time.
  EXPECT_TRUE(DoneOnTime(due, T("2025-06-30T23:30:00+08:00"), sh));
  // 00:10 the next day in Shanghai is late, though it is still 30 June in UTC.
  const absl::Time ten_past = T("2025-07-01T00:10:00+08:00");
  EXPECT_FALSE(DoneOnTime(due, ten_past, sh));
  EXPECT_TRUE(DoneOnTime(due, ten_past, utc)) << "16:10 on 30 June in UTC";
  EXPECT_FALSE(DoneOnTime(due, T("2025-07-01T00:00:00+08:00"), sh)) << "midnight itself is the next day";
  EXPECT_TRUE(DoneOnTime(due, T("2025-06-30T23:59:59.999+08:00"), sh));

  // Not done: open until the day ends in the zone, then overdue.
  EXPECT_EQ(FollowUpStatus(due, std::nullopt, T("2025-06-30T23:59:59+08:00"), sh), TaskStatus::kOpen);
  EXPECT_EQ(FollowUpStatus(due, std::nullopt, T("2025-07-01T00:00:00+08:00"), sh), TaskStatus::kOverdue);
  EXPECT_EQ(FollowUpStatus(due, std::nullopt, ten_past, sh), TaskStatus::kOverdue);
  EXPECT_EQ(FollowUpStatus(due, std::nullopt, ten_past, utc), TaskStatus::kOpen);
  EXPECT_EQ(FollowUpStatus(due, std::nullopt, T("2025-07-01T00:00:00Z"), utc), TaskStatus::kOverdue);

  // Done counts from its instant on, whether on time or late.
  EXPECT_EQ(FollowUpStatus(due, ten_past, ten_past, sh), TaskStatus::kDone);
  EXPECT_EQ(FollowUpStatus(due, ten_past, T("2025-07-01T00:09:59+08:00"), sh), TaskStatus::kOverdue)
      << "a task done later is not done yet";
  EXPECT_EQ(FollowUpStatus(due, T("2025-06-20T10:00:00+08:00"), T("2025-06-19T10:00:00+08:00"), sh), TaskStatus::kOpen);
}

// ---- The projection ---------------------------------------------------------------

class TasksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_ = crm_testing::NewWorkspace();
    ASSERT_NE(ws_, nullptr);
    zone_ = ws_->time_zone();
  }
  void CatchUp() {
    ASSERT_TRUE(ownership_.CatchUp(*ws_).ok());
    ASSERT_TRUE(tasks_.CatchUp(*ws_, ownership_).ok());
  }
  std::optional<FollowUpTask> Find(std::string_view id, const char* now = "2025-12-31T00:00:00Z") {
    return tasks_.Find(id, T(now), zone_);
  }

  std::unique_ptr<Workspace> ws_;
  absl::TimeZone zone_;
  OwnershipProjection ownership_;
  FollowUpProjection tasks_;
};

TEST_F(TasksTest, FollowUpsAndInteractionsWithADueDayAreTasks) {
  IngestAll(*ws_, {Assignment("A1", "2025-01-01T00:00:00+08:00", "C1", "M1"),
                   FollowUp("F1", "2025-06-01T10:00:00+08:00", "C1", Day(2025, 6, 5), "M2", "call about the sofa"),
                   FollowUp("F2", "2025-06-02T10:00:00+08:00", "C1", Day(2025, 6, 3)),
                   Interaction("I1", "2025-06-03T10:00:00+08:00", "C1", Day(2025, 6, 4)),
                   Interaction("I2", "2025-06-03T11:00:00+08:00", "C1", std::nullopt),
                   FollowUp("F3", "2025-06-01T10:00:00+08:00", "C9", Day(2025, 6, 5))});
  CatchUp();
  EXPECT_EQ(tasks_.high_water_mark(), 6u);

  std::optional<FollowUpTask> f1 = Find("F1", "2025-06-04T12:00:00+08:00");
  ASSERT_TRUE(f1.has_value());
  EXPECT_EQ(f1->source, TaskSource::kFollowUp);
  EXPECT_EQ(f1->customer, "C1");
  EXPECT_EQ(f1->manager, "M2") << "the named manager, not the owner";
  EXPECT_EQ(f1->next_step, "call about the sofa");
  EXPECT_EQ(f1->due_on, Day(2025, 6, 5));
  EXPECT_EQ(f1->created_at, T("2025-06-01T10:00:00+08:00"));
  EXPECT_EQ(f1->seq, 2u);
  EXPECT_EQ(f1->status, TaskStatus::kOpen);
  EXPECT_EQ(f1->done_at, std::nullopt);
  EXPECT_EQ(f1->done_on_time, std::nullopt);

  EXPECT_EQ(Find("F2")->manager, "M1") << "no manager named: the owner's";
  std::optional<FollowUpTask> i1 = Find("I1");
  ASSERT_TRUE(i1.has_value());
  EXPECT_EQ(i1->source, TaskSource::kInteraction);
  EXPECT_EQ(i1->manager, "M1");
  EXPECT_EQ(i1->next_step, "send the brochure");
  EXPECT_EQ(Find("I2"), std::nullopt) << "an interaction without a due day is no task";
  EXPECT_EQ(Find("F3")->manager, std::nullopt) << "a customer in the pool: credited to nobody";
  EXPECT_EQ(Find("nope"), std::nullopt);

  // Ordered by due day, then creation, then id.
  EXPECT_THAT(Ids(tasks_.CustomerTasks("C1", T("2025-12-31T00:00:00Z"), zone_)), ElementsAre("F2", "I1", "F1"));
  EXPECT_THAT(Ids(tasks_.ManagerTasks("M1", T("2025-12-31T00:00:00Z"), zone_)), ElementsAre("F2", "I1"));
  EXPECT_THAT(Ids(tasks_.ManagerTasks("M2", T("2025-12-31T00:00:00Z"), zone_)), ElementsAre("F1"));
  EXPECT_THAT(tasks_.ManagerTasks("M-unknown", T("2025-12-31T00:00:00Z"), zone_), IsEmpty());
  EXPECT_THAT(tasks_.CustomerTasks("C-unknown", T("2025-12-31T00:00:00Z"), zone_), IsEmpty());
}

TEST_F(TasksTest, TheWireForm) {
  IngestAll(*ws_, {FollowUp("F1", "2025-06-01T10:00:00+08:00", "C1", Day(2025, 6, 5), "M2", "call"),
                   Done("D1", "2025-06-05T20:00:00+08:00", "F1", "booked a visit")});
  CatchUp();
  EXPECT_EQ(json::ToText(*Find("F1")),
            R"({"id":"F1","source":"follow_up","customer":"C1","manager":"M2","next_step":"call",)"
            R"("due_on":"2025-06-05","created_at":"2025-06-01T02:00:00Z","seq":1,)"
            R"("done_at":"2025-06-05T12:00:00Z","done_event":"D1","outcome":"booked a visit",)"
            R"("status":"done","done_on_time":true})");
}

TEST_F(TasksTest, CreditsTheOwnerWhenCreatedAndFollowsLateAssignments) {
  IngestAll(*ws_,
            {Assignment("A1", "2025-01-01T00:00:00Z", "C1", "M1"), Assignment("A3", "2025-09-01T00:00:00Z", "C1", "M3"),
             FollowUp("F1", "2025-07-01T00:00:00Z", "C1", Day(2025, 7, 10))});
  CatchUp();
  EXPECT_EQ(Find("F1")->manager, "M1") << "today's owner is M3, but M1 owned C1 in July";
  // A reassignment in June is logged only now: the task goes to M2.
  IngestAll(*ws_, {Assignment("A2", "2025-06-01T00:00:00Z", "C1", "M2")});
  CatchUp();
  EXPECT_EQ(Find("F1")->manager, "M2");
  EXPECT_THAT(tasks_.ManagerTasks("M1", T("2025-12-31T00:00:00Z"), zone_), IsEmpty());
  EXPECT_THAT(Ids(tasks_.ManagerTasks("M2", T("2025-12-31T00:00:00Z"), zone_)), ElementsAre("F1"));
  // And back to M1 when that reassignment is reversed.
  IngestAll(*ws_, {Reversal("X1", "2025-10-01T00:00:00Z", "A2")});
  CatchUp();
  EXPECT_EQ(Find("F1")->manager, "M1");
  EXPECT_THAT(tasks_.ManagerTasks("M2", T("2025-12-31T00:00:00Z"), zone_), IsEmpty());
}

TEST_F(TasksTest, TheEarliestDoneCountsAndReversingItFallsBack) {
  IngestAll(*ws_, {FollowUp("F1", "2025-06-01T10:00:00+08:00", "C1", Day(2025, 6, 30), "M1"),
                   Done("D-late", "2025-07-01T00:10:00+08:00", "F1", "second try"),
                   Done("D-first", "2025-06-30T23:30:00+08:00", "F1", "reached her")});
  CatchUp();
  std::optional<FollowUpTask> f1 = Find("F1");
  EXPECT_EQ(f1->status, TaskStatus::kDone);
  EXPECT_EQ(f1->done_event, "D-first") << "logged later, but occurred earlier";
  EXPECT_EQ(f1->outcome, "reached her");
  EXPECT_EQ(f1->done_at, T("2025-06-30T23:30:00+08:00"));
  EXPECT_EQ(f1->done_on_time, true);

  IngestAll(*ws_, {Reversal("X1", "2025-07-02T00:00:00Z", "D-first")});
  CatchUp();
  f1 = Find("F1");
  EXPECT_EQ(f1->status, TaskStatus::kDone);
  EXPECT_EQ(f1->done_event, "D-late");
  EXPECT_EQ(f1->done_on_time, false) << "ten past midnight in Shanghai is the next day";

  IngestAll(*ws_, {Reversal("X2", "2025-07-02T00:00:00Z", "D-late")});
  CatchUp();
  f1 = Find("F1");
  EXPECT_EQ(f1->status, TaskStatus::kOverdue) << "every done event reversed: reopened";
  EXPECT_EQ(f1->done_at, std::nullopt);
  EXPECT_EQ(f1->done_event, std::nullopt);
  EXPECT_EQ(f1->done_on_time, std::nullopt);
  EXPECT_EQ(Find("F1", "2025-06-15T00:00:00Z")->status, TaskStatus::kOpen);
}

TEST_F(TasksTest, ADoneEventBeforeTheTaskWasCreatedCountsFromItsCreation) {
  IngestAll(*ws_, {FollowUp("F1", "2025-06-01T10:00:00+08:00", "C1", Day(2025, 6, 1), "M1"),
                   Done("D1", "2025-06-01T09:58:00+08:00", "F1")});
  CatchUp();
  std::optional<FollowUpTask> f1 = Find("F1", "2025-06-01T10:00:00+08:00");
  ASSERT_TRUE(f1.has_value());
  EXPECT_EQ(f1->status, TaskStatus::kDone);
  EXPECT_EQ(f1->done_at, T("2025-06-01T10:00:00+08:00")) << "never before created_at";
  EXPECT_EQ(f1->done_event, "D1");
  EXPECT_EQ(Find("F1", "2025-06-01T09:59:00+08:00"), std::nullopt) << "the task did not exist yet";
}

TEST_F(TasksTest, ReversingTheCreatingEventRemovesTheTask) {
  IngestAll(*ws_, {FollowUp("F1", "2025-06-01T10:00:00+08:00", "C1", Day(2025, 6, 5), "M1"),
                   Interaction("I1", "2025-06-01T11:00:00+08:00", "C1", Day(2025, 6, 6), "M1"),
                   FollowUp("F2", "2025-06-01T12:00:00+08:00", "C1", Day(2025, 6, 7), "M1"),
                   Done("D1", "2025-06-02T10:00:00+08:00", "F1")});
  CatchUp();
  EXPECT_THAT(Ids(tasks_.ManagerTasks("M1", T("2025-12-31T00:00:00Z"), zone_)), ElementsAre("F1", "I1", "F2"));
  IngestAll(*ws_, {Reversal("X1", "2025-06-03T00:00:00Z", "F1"), Reversal("X2", "2025-06-03T00:00:00Z", "I1")});
  CatchUp();
  EXPECT_EQ(Find("F1"), std::nullopt);
  EXPECT_EQ(Find("I1"), std::nullopt);
  EXPECT_THAT(Ids(tasks_.ManagerTasks("M1", T("2025-12-31T00:00:00Z"), zone_)), ElementsAre("F2"));
  EXPECT_THAT(Ids(tasks_.CustomerTasks("C1", T("2025-12-31T00:00:00Z"), zone_)), ElementsAre("F2"));
  EXPECT_THAT(tasks_.CountsByManager(Day(2025, 6, 1), Day(2025, 7, 1), T("2025-12-31T00:00:00Z"), zone_),
              ElementsAre(TaskCounts{"M1", 1, 0, 1, 0, 0}));
}

TEST_F(TasksTest, FiltersByStatusAtNow) {
  IngestAll(*ws_, {FollowUp("F-open", "2025-06-01T10:00:00+08:00", "C1", Day(2025, 6, 30), "M1"),
                   FollowUp("F-overdue", "2025-06-01T10:00:00+08:00", "C1", Day(2025, 6, 29), "M1"),
                   FollowUp("F-done", "2025-06-01T10:00:00+08:00", "C1", Day(2025, 6, 20), "M1"),
                   FollowUp("F-done-later", "2025-06-01T10:00:00+08:00", "C1", Day(2025, 6, 30), "M1"),
                   FollowUp("F-future", "2025-07-01T10:00:00+08:00", "C1", Day(2025, 7, 2), "M1"),
                   Done("D1", "2025-06-19T10:00:00+08:00", "F-done"),
                   Done("D2", "2025-07-01T09:00:00+08:00", "F-done-later")});
  CatchUp();
  const absl::Time now = T("2025-06-30T12:00:00+08:00");
  auto with = [&](std::vector<TaskStatus> statuses) {
    return Ids(tasks_.ManagerTasks("M1", now, zone_, TaskFilter{std::move(statuses)}));
  };
  EXPECT_THAT(with({}), ElementsAre("F-done", "F-overdue", "F-done-later", "F-open"))
      << "F-future was created after now";
  EXPECT_THAT(with({TaskStatus::kOpen}), ElementsAre("F-done-later", "F-open")) << "done only after now";
  EXPECT_THAT(with({TaskStatus::kOverdue}), ElementsAre("F-overdue"));
  EXPECT_THAT(with({TaskStatus::kDone}), ElementsAre("F-done"));
  EXPECT_THAT(with({TaskStatus::kOpen, TaskStatus::kOverdue}), ElementsAre("F-overdue", "F-done-later", "F-open"));
  EXPECT_THAT(Ids(tasks_.CustomerTasks("C1", now, zone_, TaskFilter{{TaskStatus::kOverdue}})),
              ElementsAre("F-overdue"));
}

TEST_F(TasksTest, CountsPerManagerForTasksDueInAPeriod) {
  IngestAll(*ws_, {Assignment("A1", "2025-01-01T00:00:00Z", "C2", "M2"),
                   FollowUp("F1", "2025-06-01T10:00:00+08:00", "C1", Day(2025, 6, 30), "M1"),
                   FollowUp("F2", "2025-06-01T10:00:00+08:00", "C1", Day(2025, 6, 10), "M1"),
                   FollowUp("F3", "2025-06-01T10:00:00+08:00", "C1", Day(2025, 6, 10), "M1"),
                   FollowUp("F4", "2025-06-01T10:00:00+08:00", "C1", Day(2025, 6, 10), "M1"),
                   FollowUp("F5", "2025-06-01T10:00:00+08:00", "C2", Day(2025, 6, 1)),
                   FollowUp("F6", "2025-06-01T10:00:00+08:00", "C3", Day(2025, 6, 1)),
                   FollowUp("F7", "2025-06-01T10:00:00+08:00", "C1", Day(2025, 7, 1), "M1"),
                   FollowUp("F8", "2025-05-01T10:00:00+08:00", "C1", Day(2025, 5, 31), "M1"),
                   Done("D2", "2025-06-10T23:30:00+08:00", "F2"), Done("D3", "2025-06-11T00:10:00+08:00", "F3"),
                   Done("D5", "2025-06-01T11:00:00+08:00", "F5")});
  CatchUp();
  absl::StatusOr<Period> june = Period::Parse("2025-06");
  ASSERT_TRUE(june.ok());
  const std::vector<TaskCounts> counts =
      tasks_.CountsByManager(june->first_day(), june->Next().first_day(), T("2025-06-20T12:00:00+08:00"), zone_);
  // total, open, overdue, done, done_on_time
  EXPECT_THAT(counts, ElementsAre(TaskCounts{std::nullopt, 1, 0, 1, 0, 0}, TaskCounts{"M1", 4, 1, 1, 2, 1},
                                  TaskCounts{"M2", 1, 0, 0, 1, 1}));
  EXPECT_THAT(tasks_.CountsByManager(Day(2025, 6, 10), Day(2025, 6, 10), T("2025-06-20T12:00:00+08:00"), zone_),
              IsEmpty())
      << "an empty period";
}

TEST_F(TasksTest, CatchUpReadsNoFurtherThanTheOwnership) {
  IngestAll(*ws_, {Assignment("A1", "2025-01-01T00:00:00Z", "C1", "M1")});
  ASSERT_TRUE(ownership_.CatchUp(*ws_).ok());
  IngestAll(*ws_, {FollowUp("F1", "2025-07-01T00:00:00Z", "C1", Day(2025, 7, 10)),
                   Assignment("A2", "2025-06-01T00:00:00Z", "C1", "M2")});
  ASSERT_TRUE(tasks_.CatchUp(*ws_, ownership_).ok());
  EXPECT_EQ(tasks_.high_water_mark(), 1u) << "the ownership has not seen F1's time yet";
  EXPECT_EQ(Find("F1"), std::nullopt);
  CatchUp();
  EXPECT_EQ(tasks_.high_water_mark(), 3u);
  EXPECT_EQ(Find("F1")->manager, "M2");
}

TEST_F(TasksTest, HostsFeedingOutOfOrderGetTheSameState) {
  const StoredEvent a1{1, Assignment("A1", "2025-01-01T00:00:00Z", "C1", "M1")};
  const StoredEvent f1{2, FollowUp("F1", "2025-06-01T00:00:00Z", "C1", Day(2025, 6, 5))};
  const StoredEvent f2{3, FollowUp("F2", "2025-06-01T00:00:00Z", "C1", Day(2025, 6, 5))};
  const StoredEvent d1{4, Done("D1", "2025-06-02T00:00:00Z", "F1")};
  const StoredEvent d2{5, Done("D2", "2025-06-02T00:00:00Z", "F2")};
  const StoredEvent x1{6, Reversal("X1", "2025-06-03T00:00:00Z", "F2")};
  const StoredEvent x2{7, Reversal("X2", "2025-06-03T00:00:00Z", "D1")};
  OwnershipProjection ownership;
  ownership.Apply(a1);
  FollowUpProjection fed;
  // Reversals and done events before their targets, everything twice.
  for (const StoredEvent* e : {&x2, &d1, &x1, &d2, &f2, &f1, &a1, &d1, &f1, &x1, &x2, &f2}) fed.Apply(*e, ownership);
  EXPECT_EQ(fed.high_water_mark(), 7u);
  const absl::Time now = T("2025-12-31T00:00:00Z");
  std::vector<FollowUpTask> tasks = fed.CustomerTasks("C1", now, zone_);
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].id, "F1");
  EXPECT_EQ(tasks[0].manager, "M1");
  EXPECT_EQ(tasks[0].status, TaskStatus::kOverdue) << "its only done event was reversed";

  // A done event that arrives before its task counts once the task does.
  FollowUpProjection early;
  early.Apply(d1, ownership);
  early.Apply(f1, ownership);
  EXPECT_EQ(early.Find("F1", now, zone_)->done_event, "D1");

  fed.Reset();
  EXPECT_EQ(fed.high_water_mark(), 0u);
  EXPECT_THAT(fed.CustomerTasks("C1", now, zone_), IsEmpty());
}

// Everything the projection answers, for comparison.
std::map<std::string, std::vector<FollowUpTask>> Snapshot(const FollowUpProjection& p, int customers, bool with_seq,
                                                          absl::TimeZone zone) {
  std::map<std::string, std::vector<FollowUpTask>> out;
  for (int c = 0; c < customers; ++c) {
    const std::string id = "C" + std::to_string(c);
    std::vector<FollowUpTask> tasks = p.CustomerTasks(id, T("2025-12-31T00:00:00Z"), zone);
    if (!with_seq)
      for (FollowUpTask& t : tasks) t.seq = 0;
    out[id] = std::move(tasks);
  }
  return out;
}

TEST_F(TasksTest, IncrementalEqualsRebuildWhateverTheIngestOrder) {
  constexpr int kCustomers = 12;
  std::mt19937 rng(7);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  auto at = [](int day, int hour) {
    return absl::FormatTime("%Y-%m-%dT%H:00:00Z",
                            absl::FromCivil(absl::CivilHour(2025, 3, day, hour), absl::UTCTimeZone()),
                            absl::UTCTimeZone());
  };
  // Tasks and assignments first (any order among them), then done events, then reversals.
  std::vector<Event> base, dones, reversals;
  std::vector<std::string> task_ids, done_ids, assignment_ids;
  for (int i = 0; i < 40; ++i) {
    const std::string customer = "C" + std::to_string(pick(kCustomers));
    const std::string when = at(1 + pick(28), pick(24));
    const absl::CivilDay due = Day(2025, 3, 1) + pick(40);
    if (i % 3 == 0) {
      base.push_back(
          Assignment("A" + std::to_string(i), when.c_str(), customer,
                     pick(4) == 0 ? std::nullopt : std::optional<std::string>("M" + std::to_string(pick(3)))));
      assignment_ids.push_back(base.back().id);
    } else if (i % 3 == 1) {
      base.push_back(FollowUp("F" + std::to_string(i), when.c_str(), customer, due,
                              pick(3) == 0 ? std::optional<std::string>("M9") : std::nullopt));
      task_ids.push_back(base.back().id);
    } else {
      base.push_back(Interaction("I" + std::to_string(i), when.c_str(), customer,
                                 pick(4) == 0 ? std::nullopt : std::optional<absl::CivilDay>(due)));
      if (base.back().due_on) task_ids.push_back(base.back().id);
    }
  }
  for (int i = 0; i < 30; ++i) {
    dones.push_back(Done("D" + std::to_string(i), at(1 + pick(28), pick(24)).c_str(), task_ids[pick(task_ids.size())]));
    done_ids.push_back(dones.back().id);
  }
  for (int i = 0; i < 4; ++i) {
    reversals.push_back(Reversal("XT" + std::to_string(i), "2025-05-01T00:00:00Z", task_ids[i * 3]));
    reversals.push_back(Reversal("XD" + std::to_string(i), "2025-05-01T00:00:00Z", done_ids[i * 5]));
    reversals.push_back(Reversal("XA" + std::to_string(i), "2025-05-01T00:00:00Z", assignment_ids[i * 2]));
  }

  auto build = [&](std::vector<Event> events, std::size_t batch, FollowUpProjection& incremental,
                   OwnershipProjection& ownership) -> std::unique_ptr<Workspace> {
    std::unique_ptr<Workspace> ws = crm_testing::NewWorkspace();
    for (std::size_t i = 0; i < events.size(); i += batch) {
      IngestAll(*ws, std::vector<Event>(events.begin() + i, events.begin() + std::min(events.size(), i + batch)));
      EXPECT_TRUE(ownership.CatchUp(*ws).ok());
      EXPECT_TRUE(incremental.CatchUp(*ws, ownership).ok());
    }
    return ws;
  };

  std::vector<Event> ordered = base;
  ordered.insert(ordered.end(), dones.begin(), dones.end());
  ordered.insert(ordered.end(), reversals.begin(), reversals.end());
  OwnershipProjection reference_ownership;
  FollowUpProjection reference;
  build(ordered, ordered.size(), reference, reference_ownership);
  const auto expected = Snapshot(reference, kCustomers, /*with_seq=*/false, zone_);
  std::size_t total = 0;
  for (const auto& [c, tasks] : expected) total += tasks.size();
  ASSERT_GT(total, 10u);

  for (uint32_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE(seed);
    std::mt19937 shuffle_rng(seed);
    std::vector<Event> b = base, d = dones, r = reversals;
    std::shuffle(b.begin(), b.end(), shuffle_rng);
    std::shuffle(d.begin(), d.end(), shuffle_rng);
    std::shuffle(r.begin(), r.end(), shuffle_rng);
    std::vector<Event> events = b;
    events.insert(events.end(), d.begin(), d.end());
    events.insert(events.end(), r.begin(), r.end());

    OwnershipProjection ownership;
    FollowUpProjection incremental;
    std::unique_ptr<Workspace> ws = build(events, 7, incremental, ownership);
    OwnershipProjection rebuilt_ownership;
    ASSERT_TRUE(rebuilt_ownership.CatchUp(*ws).ok());
    FollowUpProjection rebuilt;
    ASSERT_TRUE(rebuilt.CatchUp(*ws, rebuilt_ownership).ok());
    EXPECT_TRUE(Snapshot(incremental, kCustomers, true, zone_) == Snapshot(rebuilt, kCustomers, true, zone_))
        << "incremental and rebuilt differ";
    EXPECT_TRUE(Snapshot(rebuilt, kCustomers, false, zone_) == expected) << "the ingest order changed the state";
  }
}

}  // namespace
}  // namespace cadre
