// SOP instances on memory and sqlite: triggers, SLAs on the business calendar
// (weekend and holiday), pauses, warnings and breaches, reopened cases,
// escalations recorded exactly once, reversals, the today list and SopOnTime.
// Instants are Shanghai wall-clock times, computed by hand in the comments.
#include <string>
#include <vector>

#include "absl/strings/str_replace.h"
#include "cadre/crm.h"
#include "cadre/period.h"
#include "cadre/status.h"
#include "cadre/tasks.h"
#include "cadre/training.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sop/sop_test_util.h"

namespace cadre {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using namespace sop_testing;  // NOLINT: the builders read as a vocabulary here

std::vector<std::string> Ids(const std::vector<SopInstanceView>& views) {
  std::vector<std::string> out;
  for (const SopInstanceView& v : views) out.push_back(v.id);
  return out;
}

std::vector<std::string> What(const std::vector<SopHistoryEntry>& history) {
  std::vector<std::string> out;
  for (const SopHistoryEntry& h : history) out.push_back(h.what + ":" + h.event + (h.step ? "@" + *h.step : ""));
  return out;
}

class SopEngineTest : public SopTest {};

// Opened Thursday 2026-04-30 16:00. Respond: 8 business hours on "cn": Thu
// 16-18 (2h), Fri 05-01 Labour Day, the weekend, Mon 05-04 09-12 (5h) and
// 13-16 (8h): due Mon 16:00; the warning 2 business hours before: Mon 14:00.
// Resolve: 5 days of elapsed time: Tue 05-05 16:00.
TEST_P(SopEngineTest, BusinessHoursAcrossHolidayAndWeekend) {
  Ingest({Complaint("O1", "2026-04-30 16:00", "C1", "K1", "M1")});
  SopStepState respond = Step("complaint/C1", "respond", Sh("2026-05-04 13:30"));
  EXPECT_EQ(respond.ready_at, Sh("2026-04-30 16:00"));
  EXPECT_EQ(respond.due_at, Sh("2026-05-04 16:00"));
  EXPECT_EQ(respond.warning_at, Sh("2026-05-04 14:00"));
  EXPECT_EQ(respond.status, SopStepStatus::kRunning);
  EXPECT_EQ(respond.responsible, "M1");
  EXPECT_EQ(Step("complaint/C1", "respond", Sh("2026-05-04 14:00")).status, SopStepStatus::kWarning);
  EXPECT_EQ(Step("complaint/C1", "respond", Sh("2026-05-04 16:00")).status, SopStepStatus::kWarning);
  EXPECT_EQ(Step("complaint/C1", "respond", Sh("2026-05-04 16:01")).status, SopStepStatus::kBreached);
  EXPECT_EQ(Step("complaint/C1", "resolve", Sh("2026-05-04 16:01")).due_at, Sh("2026-05-05 16:00"));

  Ingest({CaseEvent("R1", "2026-05-04 15:00", "C1", "responded")});
  SopStepState met = Step("complaint/C1", "respond", Sh("2026-05-06 09:00"));
  EXPECT_EQ(met.status, SopStepStatus::kMet);
  EXPECT_EQ(met.completed_at, Sh("2026-05-04 15:00"));
  EXPECT_EQ(met.completed_by, "R1");
  // As of before the response, it had not happened yet.
  EXPECT_EQ(Step("complaint/C1", "respond", Sh("2026-05-04 14:30")).status, SopStepStatus::kWarning);

  SopInstanceView view = Instance("complaint/C1", Sh("2026-05-06 09:00"));
  EXPECT_EQ(view.manager, "M1");
  EXPECT_EQ(view.customer, "K1");
  EXPECT_EQ(view.sop_version, 1);
  EXPECT_EQ(view.severity, Severity::kLow);
  EXPECT_EQ(view.status, SopInstanceStatus::kOpen);
  EXPECT_EQ(Step("complaint/C1", "resolve", Sh("2026-05-06 09:00")).status, SopStepStatus::kBreached);
}

// Waiting on the customer Mon 10:00-11:00 moves both deadlines an hour later.
TEST_P(SopEngineTest, CaseWaitingPausesTheClocks) {
  Ingest({Complaint("O1", "2026-04-30 16:00", "C1", "K1", "M1"), CaseEvent("W1", "2026-05-04 10:00", "C1", "waiting"),
          CaseEvent("U1", "2026-05-04 11:00", "C1", "resumed")});
  SopStepState paused = Step("complaint/C1", "respond", Sh("2026-05-04 10:30"));
  EXPECT_EQ(paused.status, SopStepStatus::kPaused);
  SopStepState respond = Step("complaint/C1", "respond", Sh("2026-05-04 16:30"));
  EXPECT_EQ(respond.due_at, Sh("2026-05-04 17:00"));
  EXPECT_EQ(respond.warning_at, Sh("2026-05-04 15:00"));
  EXPECT_EQ(respond.status, SopStepStatus::kWarning);
  EXPECT_EQ(Step("complaint/C1", "resolve", Sh("2026-05-04 16:30")).due_at, Sh("2026-05-05 17:00"));
  EXPECT_THAT(What(Instance("complaint/C1", Sh("2026-05-04 16:30")).history),
              ElementsAre("triggered:O1", "paused:W1", "resumed:U1"));
}

// Escalations of respond (due Mon 16:00): notify_lead at the breach; reassign
// and raise_severity 4 business hours later: Mon 16-18, Tue 09-11 -> Tue 11:00.
TEST_P(SopEngineTest, EscalationsFireExactlyOnce) {
  Ingest({Complaint("O1", "2026-04-30 16:00", "C1", "K1", "M1")});
  ASSERT_TRUE(engine_->CatchUp().ok());
  absl::StatusOr<std::vector<DueEscalation>> due = engine_->DueEscalations(Sh("2026-05-04 16:00"));
  ASSERT_TRUE(due.ok()) << due.status();
  EXPECT_THAT(*due, IsEmpty());  // due_at itself is not a breach yet

  absl::StatusOr<std::vector<Event>> fired = engine_->RecordEscalations(*ws_, Sh("2026-05-04 16:30"));
  ASSERT_TRUE(fired.ok()) << fired.status();
  ASSERT_EQ(fired->size(), 1u);
  const Event& notify = (*fired)[0];
  EXPECT_EQ(notify.id, "sop-escalation:complaint/C1/respond/0");
  EXPECT_EQ(notify.kind, EventKind::kSopEscalation);
  EXPECT_EQ(notify.occurred_at, Sh("2026-05-04 16:00"));
  EXPECT_EQ(notify.reference, "complaint/C1");
  EXPECT_EQ(notify.stage, "respond");
  EXPECT_EQ(notify.category, "notify_lead");
  EXPECT_EQ(notify.manager, "L1");
  const absl::StatusOr<uint64_t> mark = ws_->HighWaterMark();
  ASSERT_TRUE(mark.ok());

  // Asked again: nothing new, the log unchanged.
  fired = engine_->RecordEscalations(*ws_, Sh("2026-05-04 17:00"));
  ASSERT_TRUE(fired.ok()) << fired.status();
  EXPECT_THAT(*fired, IsEmpty());
  EXPECT_EQ(*ws_->HighWaterMark(), *mark);
  // A fresh engine reads it from the log too.
  SopEngine fresh(*ws_);
  ASSERT_TRUE(fresh.CatchUp().ok());
  EXPECT_THAT(*fresh.DueEscalations(Sh("2026-05-04 17:00")), IsEmpty());

  SopStepState respond = Step("complaint/C1", "respond", Sh("2026-05-04 17:00"));
  EXPECT_EQ(respond.responsible, "M1");
  EXPECT_THAT(respond.notified, ElementsAre("L1"));
  ASSERT_EQ(respond.escalations.size(), 3u);
  EXPECT_TRUE(respond.escalations[0].taken);
  EXPECT_EQ(respond.escalations[1].escalate_at, Sh("2026-05-05 11:00"));
  EXPECT_FALSE(respond.escalations[1].due);
  // The lead sees the escalated step on their list.
  FollowUpProjection tasks;
  OwnershipProjection ownership;
  TrainingProjection training;
  ASSERT_TRUE(ownership.CatchUp(*ws_).ok());
  ASSERT_TRUE(tasks.CatchUp(*ws_, ownership).ok());
  absl::StatusOr<TodayList> lead = BuildTodayList(*ws_, *engine_, tasks, training, "L1", Sh("2026-05-04 17:00"));
  ASSERT_TRUE(lead.ok()) << lead.status();
  ASSERT_EQ(lead->items.size(), 1u);
  EXPECT_EQ(lead->items[0].ref, "complaint/C1#respond");
  EXPECT_EQ(lead->items[0].why, "escalated to you: M1's step is breached");

  // Tue 11:00: reassign and raise_severity, once.
  fired = engine_->RecordEscalations(*ws_, Sh("2026-05-05 11:00"));
  ASSERT_TRUE(fired.ok()) << fired.status();
  ASSERT_EQ(fired->size(), 2u);
  EXPECT_EQ((*fired)[0].id, "sop-escalation:complaint/C1/respond/1");
  EXPECT_EQ((*fired)[0].category, "reassign");
  EXPECT_EQ((*fired)[0].manager, "L1");
  EXPECT_EQ((*fired)[1].id, "sop-escalation:complaint/C1/respond/2");
  EXPECT_EQ((*fired)[1].category, "raise_severity");
  EXPECT_EQ((*fired)[1].severity, Severity::kMedium);
  EXPECT_THAT(*engine_->RecordEscalations(*ws_, Sh("2026-05-05 12:00")), IsEmpty());

  SopInstanceView view = Instance("complaint/C1", Sh("2026-05-05 12:00"));
  EXPECT_EQ(view.severity, Severity::kMedium);
  EXPECT_EQ(view.steps[0].responsible, "L1");
  EXPECT_THAT(What(view.history), ElementsAre("triggered:O1", "escalated:sop-escalation:complaint/C1/respond/0@respond",
                                              "escalated:sop-escalation:complaint/C1/respond/1@respond",
                                              "escalated:sop-escalation:complaint/C1/respond/2@respond"));
  // L1 is now responsible; M1's instance filter still finds it (the instance is theirs).
  EXPECT_THAT(Ids(Instances({.manager = "L1"}, Sh("2026-05-05 12:00"))), ElementsAre("complaint/C1"));

  // Reversing the reassignment undoes it, and it is not due again.
  Ingest({Reverse("X9", "2026-05-05 12:30", "sop-escalation:complaint/C1/respond/1")});
  EXPECT_EQ(Step("complaint/C1", "respond", Sh("2026-05-05 13:00")).responsible, "M1");
  EXPECT_THAT(*engine_->DueEscalations(Sh("2026-05-05 13:00")), IsEmpty());
  EXPECT_THAT(*engine_->RecordEscalations(*ws_, Sh("2026-05-05 13:00")), IsEmpty());
}

TEST_P(SopEngineTest, OneInstancePerCaseAndPerTriggerEvent) {
  Ingest({Complaint("O1", "2026-04-30 16:00", "C1", "K1", "M1")});
  IngestReport again = Ingest({Complaint("O1", "2026-04-30 16:00", "C1", "K1", "M1")});
  EXPECT_EQ(again.duplicates, 1u);
  // The same case opened again under another id.
  Ingest({Complaint("O1b", "2026-04-30 16:05", "C1", "K1", "M1")});
  std::vector<SopInstanceView> all = Instances({}, Sh("2026-05-04 09:00"));
  EXPECT_THAT(Ids(all), ElementsAre("complaint/C1"));
  SopInstanceView view = Instance("complaint/C1", Sh("2026-05-04 09:00"));
  EXPECT_EQ(view.trigger_event, "O1");
  EXPECT_THAT(What(view.history), ElementsAre("triggered:O1", "opened_again:O1b"));
  // Reversing the first opening: the second one is the trigger.
  Ingest({Reverse("X1", "2026-04-30 17:00", "O1")});
  view = Instance("complaint/C1", Sh("2026-05-04 09:00"));
  EXPECT_EQ(view.trigger_event, "O1b");
  EXPECT_EQ(view.status, SopInstanceStatus::kOpen);
  EXPECT_EQ(view.steps[0].due_at, Sh("2026-05-04 16:05"));

  // A duplicate assignment event starts one onboarding.
  Ingest({Assign("A1", "2026-06-01 10:00", "K2", "M2")});
  EXPECT_EQ(Ingest({Assign("A1", "2026-06-01 10:00", "K2", "M2")}).duplicates, 1u);
  EXPECT_THAT(Ids(Instances({.sop = "onboarding"}, Sh("2026-06-01 12:00"))), ElementsAre("onboarding/A1"));
}

// Resolved Tue, reopened Wed 10:00: resolve runs again, due 5 days later.
TEST_P(SopEngineTest, ReopenedCaseReopensResolution) {
  Ingest({Complaint("O2", "2026-05-04 09:00", "C2", "K1", "M1"), CaseEvent("S2", "2026-05-05 10:00", "C2", "resolved"),
          CaseEvent("RO2", "2026-05-06 10:00", "C2", "reopened")});
  EXPECT_EQ(Step("complaint/C2", "resolve", Sh("2026-05-05 12:00")).status, SopStepStatus::kMet);
  SopStepState reopened = Step("complaint/C2", "resolve", Sh("2026-05-06 12:00"));
  EXPECT_EQ(reopened.status, SopStepStatus::kRunning);
  EXPECT_EQ(reopened.ready_at, Sh("2026-05-06 10:00"));
  EXPECT_EQ(reopened.due_at, Sh("2026-05-11 10:00"));
  EXPECT_EQ(reopened.completed_at, std::nullopt);
  Ingest({CaseEvent("S3", "2026-05-07 09:00", "C2", "resolved")});
  SopStepState again = Step("complaint/C2", "resolve", Sh("2026-05-07 12:00"));
  EXPECT_EQ(again.status, SopStepStatus::kMet);
  EXPECT_EQ(again.completed_by, "S3");
  EXPECT_THAT(What(Instance("complaint/C2", Sh("2026-05-07 12:00")).history),
              ElementsAre("triggered:O2", "completed:S2@resolve", "reopened:RO2@resolve", "completed:S3@resolve"));
}

// Assigned Mon 2026-06-01 10:00: first contact (a call, by anyone) within 2
// days -> Wed 06-03 10:00; the welcome visit within 14 days -> 06-15 10:00.
TEST_P(SopEngineTest, OnboardingByInteractions) {
  Ingest({Contact("V0", "2026-05-31 10:00", "K2", Channel::kVisit), Assign("A1", "2026-06-01 10:00", "K2", "M2"),
          Contact("V1", "2026-06-01 15:00", "K2", Channel::kVisit, "M2"),
          Contact("C1", "2026-06-02 09:00", "K2", Channel::kCall, "M3")});
  SopInstanceView view = Instance("onboarding/A1", Sh("2026-06-15 11:00"));
  EXPECT_EQ(view.manager, "M2");
  ASSERT_EQ(view.steps.size(), 2u);
  EXPECT_EQ(view.steps[0].due_at, Sh("2026-06-03 10:00"));
  EXPECT_EQ(view.steps[0].status, SopStepStatus::kMet);
  EXPECT_EQ(view.steps[0].completed_by, "C1");
  EXPECT_EQ(view.steps[1].due_at, Sh("2026-06-15 10:00"));
  EXPECT_EQ(view.steps[1].status, SopStepStatus::kMet);  // the visit of 06-01 15:00, after the assignment
  EXPECT_EQ(view.steps[1].completed_by, "V1");
  EXPECT_EQ(view.status, SopInstanceStatus::kCompleted);

  // Another customer without any contact: both steps breach in turn.
  Ingest({Assign("A2", "2026-06-01 10:00", "K3", "M2")});
  EXPECT_EQ(Step("onboarding/A2", "first_contact", Sh("2026-06-03 10:01")).status, SopStepStatus::kBreached);
  EXPECT_EQ(Step("onboarding/A2", "welcome_visit", Sh("2026-06-03 10:01")).status, SopStepStatus::kRunning);
  Ingest({Contact("V2", "2026-06-16 09:00", "K3", Channel::kVisit, "M2")});
  EXPECT_EQ(Step("onboarding/A2", "welcome_visit", Sh("2026-06-16 10:00")).status, SopStepStatus::kMissed);
}

TEST_P(SopEngineTest, LargePurchaseThankYouCall) {
  Ingest({Assign("A1", "2026-06-01 10:00", "K2", "M2"), Sale("S1", "2026-06-05 14:00", "K2", 600000),
          Sale("S2", "2026-06-05 14:30", "K2", 100000),
          StepDone("D1", "2026-06-05 15:00", "thanks/S1", "call"),  // no outcome: does not count
          StepDone("D2", "2026-06-05 16:00", "thanks/S1", "call", "thanked, asked about delivery")});
  EXPECT_THAT(Ids(Instances({.sop = "thanks"}, Sh("2026-06-06 09:00"))), ElementsAre("thanks/S1"));
  SopStepState call = Step("thanks/S1", "call", Sh("2026-06-06 09:00"));
  EXPECT_EQ(call.responsible, "M2");  // the owner when the sale happened
  EXPECT_EQ(call.due_at, Sh("2026-06-06 14:00"));
  EXPECT_EQ(call.status, SopStepStatus::kMet);
  EXPECT_EQ(call.completed_by, "D2");
  // Reversing the completion reopens the step.
  Ingest({Reverse("X2", "2026-06-05 17:00", "D2")});
  call = Step("thanks/S1", "call", Sh("2026-06-06 09:00"));
  EXPECT_EQ(call.status, SopStepStatus::kRunning);
  EXPECT_EQ(call.completed_at, std::nullopt);
}

TEST_P(SopEngineTest, ReversedTriggerCancels) {
  Ingest({Assign("A2", "2026-06-01 10:00", "K3", "M1"), Reverse("X2", "2026-06-01 12:00", "A2")});
  SopInstanceView view = Instance("onboarding/A2", Sh("2026-06-05 12:00"));
  EXPECT_EQ(view.status, SopInstanceStatus::kCancelled);
  EXPECT_EQ(view.cancelled_by, "X2");
  EXPECT_EQ(view.steps[0].status, SopStepStatus::kCancelled);
  EXPECT_EQ(view.steps[1].status, SopStepStatus::kCancelled);
  EXPECT_THAT(Instances({.open_only = true}, Sh("2026-06-05 12:00")), IsEmpty());
  ASSERT_TRUE(engine_->CatchUp().ok());
  EXPECT_THAT(*engine_->DueEscalations(Sh("2026-07-01 12:00")), IsEmpty());
}

TEST_P(SopEngineTest, ReleaseGoesToThePreviousOwnerAndVersionsAreKept) {
  Put("sops", "farewell",
      R"({"id":"farewell","name":"Farewell","trigger":{"on":"customer_released"},"steps":[)"
      R"({"id":"note","name":"Hand-over note","role":"team_lead","within":{"days":3},"completed_by":{"step_done":{}}}]})");
  Ingest({Assign("A1", "2026-06-01 10:00", "K2", "M2"), Assign("A3", "2026-06-10 10:00", "K2", std::nullopt)});
  SopInstanceView view = Instance("farewell/A3", Sh("2026-06-10 12:00"));
  EXPECT_EQ(view.manager, "M2");
  EXPECT_EQ(view.steps[0].responsible, "L1");  // M2's team lead

  // A new version of the SOP from 06-20 on: the old instance keeps version 1.
  absl::StatusOr<Document> v2 = ws_->Put(
      "sops", "farewell",
      R"({"id":"farewell","name":"Farewell v2","trigger":{"on":"customer_released"},"steps":[)"
      R"({"id":"note","name":"Hand-over note","role":"owner","within":{"days":1},"completed_by":{"step_done":{}}}]})",
      {.effective_from = Sh("2026-06-20 00:00")});
  ASSERT_TRUE(v2.ok()) << v2.status();
  Ingest({Assign("A4", "2026-06-21 10:00", "K3", "M1"), Assign("A5", "2026-06-22 10:00", "K3", std::nullopt)});
  EXPECT_EQ(Instance("farewell/A3", Sh("2026-06-22 12:00")).sop_version, 1);
  SopInstanceView later = Instance("farewell/A5", Sh("2026-06-22 12:00"));
  EXPECT_EQ(later.sop_version, 2);
  EXPECT_EQ(later.steps[0].responsible, "M1");
  EXPECT_EQ(later.steps[0].due_at, Sh("2026-06-23 10:00"));
}

// M1 at Mon 2026-05-04 16:30: complaint C1's respond breached (due 16:00),
// complaint C3's respond in warning (opened 09:00, due 18:00, warning 16:00),
// a follow-up overdue (due 05-01) and one due today, a certification expiring
// 05-09 (passed 04-10, valid 30 days).
TEST_P(SopEngineTest, TodayListOrdering) {
  Put("courses", "CMP",
      R"({"name":"Compliance","topic":"compliance","modules":[{"id":"X","name":"Privacy","hours":1}],)"
      R"("certification":{"valid_days":30}})");
  Event follow_late = Base("F1", EventKind::kFollowUp, "2026-04-28 10:00");
  follow_late.customer = "K1";
  follow_late.manager = "M1";
  follow_late.due_on = absl::CivilDay(2026, 5, 1);
  follow_late.next_step = "send the quote";
  Event follow_today = Base("F2", EventKind::kFollowUp, "2026-04-29 10:00");
  follow_today.customer = "K1";
  follow_today.manager = "M1";
  follow_today.due_on = absl::CivilDay(2026, 5, 4);
  Event passed = Base("P1", EventKind::kTrainingCompleted, "2026-04-10 10:00");
  passed.manager = "M1";
  passed.reference = "CMP";
  Ingest({Complaint("O1", "2026-04-30 16:00", "C1", "K1", "M1"), Complaint("O3", "2026-05-04 09:00", "C3", "K5", "M1"),
          Assign("A9", "2026-05-04 08:00", "K4", "M1"), follow_late, follow_today, passed});
  OwnershipProjection ownership;
  FollowUpProjection tasks;
  TrainingProjection training;
  ASSERT_TRUE(ownership.CatchUp(*ws_).ok());
  ASSERT_TRUE(tasks.CatchUp(*ws_, ownership).ok());
  ASSERT_TRUE(training.CatchUp(*ws_).ok());
  ASSERT_TRUE(engine_->CatchUp().ok());
  absl::StatusOr<TodayList> today = BuildTodayList(*ws_, *engine_, tasks, training, "M1", Sh("2026-05-04 16:30"));
  ASSERT_TRUE(today.ok()) << today.status();
  EXPECT_EQ(today->day, absl::CivilDay(2026, 5, 4));
  std::vector<std::string> refs;
  for (const TodayItem& item : today->items) refs.push_back(item.ref);
  EXPECT_THAT(refs, ElementsAre("F1", "complaint/C1#respond", "complaint/C3#respond", "F2", "CMP"));
  ASSERT_EQ(today->items.size(), 5u);
  EXPECT_EQ(today->items[0].urgency, TodayUrgency::kBreached);
  EXPECT_EQ(today->items[0].why, "follow-up was due on 2026-05-01");
  EXPECT_EQ(today->items[0].what, "send the quote");
  EXPECT_EQ(today->items[1].why, "overdue since 2026-05-04T08:00:00Z");
  EXPECT_EQ(today->items[1].case_ref, "C1");
  EXPECT_EQ(today->items[2].urgency, TodayUrgency::kWarning);
  EXPECT_EQ(today->items[2].due_at, Sh("2026-05-04 18:00"));
  EXPECT_EQ(today->items[3].urgency, TodayUrgency::kDueToday);
  EXPECT_EQ(today->items[3].due_at, Sh("2026-05-05 00:00"));
  EXPECT_EQ(today->items[4].kind, TodayKind::kCertification);
  EXPECT_EQ(today->items[4].why, "certification expires on 2026-05-09 (5 days left)");
  // A window that ends before the expiry leaves the certification out.
  today = BuildTodayList(*ws_, *engine_, tasks, training, "M1", Sh("2026-05-04 16:30"), {.expiring_within_days = 4});
  ASSERT_TRUE(today.ok()) << today.status();
  EXPECT_EQ(today->items.size(), 4u);
}

// May: C1's respond (due 05-04 16:00) was met, its resolve (due 05-05 16:00)
// missed. C4 opened Fri 05-29 17:00: respond Fri 17-18 (1h), Mon 06-01 09-12
// (4h), 13-17 (8h): due Mon 06-01 17:00; resolve due 06-03 17:00: both June.
TEST_P(SopEngineTest, SopOnTimeCountsStepsDueInThePeriod) {
  Ingest({Complaint("O1", "2026-04-30 16:00", "C1", "K1", "M1"), CaseEvent("R1", "2026-05-04 15:00", "C1", "responded"),
          Complaint("O4", "2026-05-29 17:00", "C4", "K6", "M2")});
  ASSERT_TRUE(engine_->CatchUp().ok());
  absl::StatusOr<std::vector<SopOnTimeRow>> may =
      engine_->SopOnTime(Sh("2026-05-01 00:00"), Sh("2026-06-01 00:00"), Sh("2026-06-10 00:00"));
  ASSERT_TRUE(may.ok()) << may.status();
  EXPECT_THAT(*may, ElementsAre(SopOnTimeRow{"M1", 1, 2}));
  absl::StatusOr<std::vector<SopOnTimeRow>> june =
      engine_->SopOnTime(Sh("2026-06-01 00:00"), Sh("2026-07-01 00:00"), Sh("2026-06-02 12:00"));
  ASSERT_TRUE(june.ok()) << june.status();
  // At 06-02 12:00 respond is open past due (missed); resolve is not due yet (left out).
  EXPECT_THAT(*june, ElementsAre(SopOnTimeRow{"M2", 0, 1}));
  june = engine_->SopOnTime(Sh("2026-06-01 00:00"), Sh("2026-07-01 00:00"), Sh("2026-06-10 00:00"));
  ASSERT_TRUE(june.ok()) << june.status();
  EXPECT_THAT(*june, ElementsAre(SopOnTimeRow{"M2", 0, 2}));
}

TEST_P(SopEngineTest, UnknownCalendarIsReported) {
  Put("sops", "complaint", absl::StrReplaceAll(kComplaintSop, {{R"("calendar":"cn")", R"("calendar":"nope")"}}));
  Ingest({Complaint("O1", "2026-04-30 16:00", "C1", "K1", "M1")});
  ASSERT_TRUE(engine_->CatchUp().ok());
  absl::StatusOr<std::vector<SopInstanceView>> views = engine_->Instances({}, Sh("2026-05-04 16:30"));
  ASSERT_FALSE(views.ok());
  EXPECT_EQ(views.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(views.status().message(),
            R"(sop "complaint" names calendar "nope", which is not in the calendars collection)");
}

INSTANTIATE_TEST_SUITE_P(Backends, SopEngineTest, ::testing::Values("memory", "sqlite"), BackendName);

}  // namespace
}  // namespace cadre
