// The training_overdue trigger on memory and sqlite: an instance starts at the
// start of the day after a requirement's due day, for the manager who holds it,
// unless it was met by the end of that day; it is one instance however often it
// is asked; its steps are completed by enrolling in and passing the course, and
// a reversed completion opens the step again.
//
// The requirement "am-cmp": managers in role "am" pass course CMP (modules X and
// Y, pass mark 80) within 30 days of hired_on. M1, M2 and M3 are in role "am",
// hired Monday 2026-03-02, so it is due Wednesday 2026-04-01 and the instance
// starts Thursday 2026-04-02 00:00 in Shanghai. The SOP "cert-overdue" on the
// calendar "cn" (Mon-Fri 09:00-12:00 and 13:00-18:00):
//   enrol  owner, within 16 business hours: Thu 04-02 09-12 and 13-18 (8 h),
//          Fri 04-03 the same (16 h): due Friday 2026-04-03 18:00
//   pass   owner, after [], within 30 days: due 2026-05-02 00:00; the lead is
//          told at the breach
#include <string>
#include <utility>
#include <vector>

#include "cadre/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sop/sop_test_util.h"

namespace cadre {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using namespace sop_testing;  // NOLINT: the builders read as a vocabulary here

constexpr char kCertOverdueSop[] =
    R"({"id":"cert-overdue","name":"Overdue certification","calendar":"cn",)"
    R"("trigger":{"on":"training_overdue"},"steps":[)"
    R"({"id":"enrol","name":"Enrol in the course","role":"owner","within":{"business_hours":16},)"
    R"("completed_by":{"training":"enrolled"}},)"
    R"({"id":"pass","name":"Pass the course","role":"owner","after":[],"within":{"days":30},)"
    R"("completed_by":{"training":"passed"},"escalations":[{"after":{"days":0},"action":"notify_lead"}]}]})";

constexpr char kM1Instance[] = "cert-overdue/M1/am-cmp/2026-04-01";

Event Enrol(std::string id, const std::string& at, std::string manager, std::string course) {
  Event e = Base(std::move(id), EventKind::kTrainingEnrolled, at);
  e.manager = std::move(manager);
  e.reference = std::move(course);
  return e;
}

// A completion of the course (module `module`, or the whole course when empty) with `score`.
Event Completed(std::string id, const std::string& at, std::string manager, std::string course, std::string module,
                const char* score) {
  Event e = Base(std::move(id), EventKind::kTrainingCompleted, at);
  e.manager = std::move(manager);
  e.reference = std::move(course);
  if (!module.empty()) e.category = std::move(module);
  absl::StatusOr<Decimal> s = Decimal::Parse(score);
  EXPECT_TRUE(s.ok()) << s.status();
  if (s.ok()) e.score = *s;
  return e;
}

std::vector<std::string> Ids(const std::vector<SopInstanceView>& views) {
  std::vector<std::string> out;
  for (const SopInstanceView& v : views) out.push_back(v.id);
  return out;
}

class TrainingTriggerTest : public SopTest {
 protected:
  void SetUp() override {
    SopTest::SetUp();
    if (HasFatalFailure()) return;
    for (const auto& [id, team] : {std::pair{"M1", "T1"}, std::pair{"M2", "T1"}, std::pair{"M3", "T2"}}) {
      Put("managers", id,
          absl::StrCat(R"({"name":")", id, R"(","team":")", team, R"(","role":"am","hired_on":"2026-03-02"})"));
    }
    Put("courses", "CMP",
        R"({"name":"Compliance","topic":"compliance","pass_mark":80,)"
        R"("modules":[{"id":"X","name":"Privacy","hours":1},{"id":"Y","name":"Anti-bribery","hours":1}]})");
    Put("training_requirements", "am-cmp", R"({"role":"am","course":"CMP","within_days":30})");
    Put("sops", "cert-overdue", kCertOverdueSop);
  }

  std::vector<SopInstanceView> Overdue(absl::Time now) { return Instances({.sop = "cert-overdue"}, now); }
};

INSTANTIATE_TEST_SUITE_P(Backends, TrainingTriggerTest, ::testing::Values("memory", "sqlite"), BackendName);

TEST_P(TrainingTriggerTest, StartsTheDayAfterTheDueDayAndNotBefore) {
  // Not on the due day itself, to its last second.
  EXPECT_THAT(Overdue(Sh("2026-04-01 23:59")), IsEmpty());
  EXPECT_THAT(Ids(Overdue(Sh("2026-04-02 00:00"))),
              ElementsAre("cert-overdue/M1/am-cmp/2026-04-01", "cert-overdue/M2/am-cmp/2026-04-01",
                          "cert-overdue/M3/am-cmp/2026-04-01"));
  EXPECT_EQ(engine_->Instance(kM1Instance, Sh("2026-04-01 23:59")).status().code(), absl::StatusCode::kNotFound);

  SopInstanceView view = Instance(kM1Instance, Sh("2026-04-02 10:00"));
  EXPECT_EQ(view.trigger, SopTriggerKind::kTrainingOverdue);
  EXPECT_EQ(view.trigger_event, "am-cmp");
  EXPECT_EQ(view.start, Sh("2026-04-02 00:00"));
  EXPECT_EQ(view.manager, "M1");
  EXPECT_EQ(view.customer, std::nullopt);
  EXPECT_EQ(view.requirement, "am-cmp");
  EXPECT_EQ(view.course, "CMP");
  EXPECT_EQ(view.due_on, absl::CivilDay(2026, 4, 1));
  EXPECT_EQ(view.status, SopInstanceStatus::kOpen);
  ASSERT_EQ(view.steps.size(), 2u);
  EXPECT_EQ(view.steps[0].responsible, "M1");
  EXPECT_EQ(view.steps[0].ready_at, Sh("2026-04-02 00:00"));
  EXPECT_EQ(view.steps[0].due_at, Sh("2026-04-03 18:00"));
  EXPECT_EQ(view.steps[0].status, SopStepStatus::kRunning);
  EXPECT_EQ(view.steps[1].due_at, Sh("2026-05-02 00:00"));
  EXPECT_EQ(Step(kM1Instance, "enrol", Sh("2026-04-03 18:00")).status, SopStepStatus::kRunning);
  EXPECT_EQ(Step(kM1Instance, "enrol", Sh("2026-04-03 18:01")).status, SopStepStatus::kBreached);
  // The instance belongs to its manager: on M1's list, not on M2's.
  EXPECT_THAT(Ids(Instances({.manager = "M1", .sop = "cert-overdue"}, Sh("2026-04-02 10:00"))),
              ElementsAre(kM1Instance));
  // A manager hired later is due later: M4 (hired 2026-03-10) on 2026-04-09.
  Put("managers", "M4", R"({"name":"M4","team":"T2","role":"am","hired_on":"2026-03-10"})");
  EXPECT_THAT(Ids(Instances({.manager = "M4"}, Sh("2026-04-09 23:59"))), IsEmpty());
  EXPECT_THAT(Ids(Instances({.manager = "M4"}, Sh("2026-04-10 00:00"))),
              ElementsAre("cert-overdue/M4/am-cmp/2026-04-09"));
}

TEST_P(TrainingTriggerTest, NotStartedWhenTheRequirementWasMetInTime) {
  Ingest({// M2 passes on the due day itself, in its last minute: met in time.
          Completed("P2", "2026-04-01 23:59", "M2", "CMP", "", "85"),
          // M3 completes below the pass mark: not met.
          Completed("F3", "2026-03-20 10:00", "M3", "CMP", "", "70"),
          // M1 passes the day after: too late, the instance stands (and its step is met).
          Completed("P1", "2026-04-02 09:30", "M1", "CMP", "", "90")});
  EXPECT_THAT(Ids(Overdue(Sh("2026-04-02 10:00"))),
              ElementsAre("cert-overdue/M1/am-cmp/2026-04-01", "cert-overdue/M3/am-cmp/2026-04-01"));
  EXPECT_EQ(Step(kM1Instance, "pass", Sh("2026-04-02 10:00")).status, SopStepStatus::kMet);
  // A manager who left by the day after holds nothing then.
  Put("managers", "M3",
      R"({"name":"M3","team":"T2","role":"am","hired_on":"2026-03-02","left_on":"2026-04-01","status":"left"})");
  EXPECT_THAT(Ids(Overdue(Sh("2026-04-02 10:00"))), ElementsAre("cert-overdue/M1/am-cmp/2026-04-01"));
  // Reversing M2's pass leaves the requirement unmet at the due day: M2's instance appears.
  Ingest({Reverse("XP2", "2026-04-05 10:00", "P2")});
  EXPECT_THAT(Ids(Overdue(Sh("2026-04-06 10:00"))),
              ElementsAre("cert-overdue/M1/am-cmp/2026-04-01", "cert-overdue/M2/am-cmp/2026-04-01"));
}

TEST_P(TrainingTriggerTest, TheSameRequirementAskedTwiceIsOneInstance) {
  EXPECT_THAT(Ids(Instances({.manager = "M1"}, Sh("2026-04-02 10:00"))), ElementsAre(kM1Instance));
  // Again, after more events, from a fresh engine, and after a reset: the same one instance.
  Ingest({Enrol("E9", "2026-04-02 11:00", "M2", "CMP")});
  EXPECT_THAT(Ids(Instances({.manager = "M1"}, Sh("2026-05-10 10:00"))), ElementsAre(kM1Instance));
  SopEngine fresh(*ws_);
  ASSERT_TRUE(fresh.CatchUp().ok());
  absl::StatusOr<std::vector<SopInstanceView>> again = fresh.Instances({.manager = "M1"}, Sh("2026-05-10 10:00"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_THAT(Ids(*again), ElementsAre(kM1Instance));

  // The pass step breaches at 2026-05-02 00:00: its lead (L1) is told, once.
  absl::StatusOr<std::vector<Event>> fired = engine_->RecordEscalations(*ws_, Sh("2026-05-02 08:00"));
  ASSERT_TRUE(fired.ok()) << fired.status();
  std::vector<std::string> told;
  for (const Event& e : *fired)
    if (e.reference == kM1Instance) told.push_back(e.id + ">" + e.manager.value_or("-"));
  EXPECT_THAT(told, ElementsAre("sop-escalation:cert-overdue/M1/am-cmp/2026-04-01/pass/0>L1"));
  fired = engine_->RecordEscalations(*ws_, Sh("2026-05-02 09:00"));
  ASSERT_TRUE(fired.ok()) << fired.status();
  EXPECT_THAT(*fired, IsEmpty());
  SopStepState pass = Step(kM1Instance, "pass", Sh("2026-05-02 09:00"));
  EXPECT_EQ(pass.status, SopStepStatus::kBreached);
  EXPECT_THAT(pass.notified, ElementsAre("L1"));
  EXPECT_THAT(Ids(Instances({.manager = "M1"}, Sh("2026-05-02 09:00"))), ElementsAre(kM1Instance));
}

TEST_P(TrainingTriggerTest, EnrollingAndPassingTheCourseCompleteTheSteps) {
  Ingest({// Before the instance started: does not count for it.
          Enrol("E0", "2026-03-15 10:00", "M1", "CMP"),
          // Another course: does not count.
          Enrol("E1", "2026-04-02 09:00", "M1", "SAFE"), Enrol("E2", "2026-04-02 10:00", "M1", "CMP"),
          Completed("X1", "2026-04-10 10:00", "M1", "CMP", "X", "90"),
          // Module Y below the mark, then passed: the course is passed with that completion.
          Completed("Y1", "2026-04-11 10:00", "M1", "CMP", "Y", "70"),
          Completed("Y2", "2026-04-12 15:00", "M1", "CMP", "Y", "85")});
  SopStepState enrol = Step(kM1Instance, "enrol", Sh("2026-04-02 12:00"));
  EXPECT_EQ(enrol.status, SopStepStatus::kMet);
  EXPECT_EQ(enrol.completed_at, Sh("2026-04-02 10:00"));
  EXPECT_EQ(enrol.completed_by, "E2");
  // Before the enrolment it was running.
  EXPECT_EQ(Step(kM1Instance, "enrol", Sh("2026-04-02 09:59")).status, SopStepStatus::kRunning);

  SopStepState pass = Step(kM1Instance, "pass", Sh("2026-04-11 12:00"));
  EXPECT_EQ(pass.status, SopStepStatus::kRunning);
  EXPECT_EQ(pass.completed_at, std::nullopt);
  pass = Step(kM1Instance, "pass", Sh("2026-04-13 09:00"));
  EXPECT_EQ(pass.status, SopStepStatus::kMet);
  EXPECT_EQ(pass.completed_at, Sh("2026-04-12 15:00"));
  EXPECT_EQ(pass.completed_by, "Y2");
  EXPECT_EQ(Instance(kM1Instance, Sh("2026-04-13 09:00")).status, SopInstanceStatus::kCompleted);

  // A whole-course completion of another manager passes at once, enrolling them too.
  Ingest({Completed("P3", "2026-04-03 11:00", "M3", "CMP", "", "80")});
  const std::string m3 = "cert-overdue/M3/am-cmp/2026-04-01";
  EXPECT_EQ(Step(m3, "enrol", Sh("2026-04-03 12:00")).completed_by, "P3");
  EXPECT_EQ(Step(m3, "pass", Sh("2026-04-03 12:00")).completed_by, "P3");
  EXPECT_EQ(Instance(m3, Sh("2026-04-03 12:00")).status, SopInstanceStatus::kCompleted);
}

TEST_P(TrainingTriggerTest, AReversedCompletionReopensTheStep) {
  Ingest({Enrol("E2", "2026-04-02 10:00", "M1", "CMP"), Completed("P1", "2026-04-10 10:00", "M1", "CMP", "", "90")});
  EXPECT_EQ(Step(kM1Instance, "pass", Sh("2026-04-13 09:00")).status, SopStepStatus::kMet);
  EXPECT_EQ(Instance(kM1Instance, Sh("2026-04-13 09:00")).status, SopInstanceStatus::kCompleted);

  Ingest({Reverse("XP1", "2026-04-13 10:00", "P1")});
  SopStepState pass = Step(kM1Instance, "pass", Sh("2026-04-13 11:00"));
  EXPECT_EQ(pass.status, SopStepStatus::kRunning);
  EXPECT_EQ(pass.completed_at, std::nullopt);
  EXPECT_EQ(pass.completed_by, std::nullopt);
  EXPECT_EQ(Instance(kM1Instance, Sh("2026-04-13 11:00")).status, SopInstanceStatus::kOpen);
  // The enrolment still stands; a later pass completes the step again.
  EXPECT_EQ(Step(kM1Instance, "enrol", Sh("2026-04-13 11:00")).status, SopStepStatus::kMet);
  Ingest({Completed("P2", "2026-04-14 10:00", "M1", "CMP", "", "95")});
  EXPECT_EQ(Step(kM1Instance, "pass", Sh("2026-04-14 11:00")).completed_by, "P2");
}

TEST_P(TrainingTriggerTest, TrainingCompletionsBelongToTrainingSops) {
  absl::StatusOr<Document> doc =
      ws_->Put("sops", "bad",
               R"({"name":"Bad","trigger":{"on":"customer_assigned"},"steps":[{"id":"a","name":"A","role":"owner",)"
               R"("within":{"days":1},"completed_by":{"training":"passed"}}]})");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      std::string(doc.status().message()),
      ::testing::HasSubstr(
          R"(steps[0].completed_by.training: completes a step only in an SOP triggered by training_overdue, got "passed")"));
}

}  // namespace
}  // namespace cadre
