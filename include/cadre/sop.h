// cadre/sop.h — standard operating procedures: SOPs as configuration, instances
// started by events, steps with SLAs on business calendars, escalations, and the
// "what should I do today" list.
//
// An SOP (collection "sops") says what must happen after a trigger — a customer
// assigned or released, a case opened, a large purchase — as ordered steps, each
// with a responsible role, an SLA and what completes it. Every event that
// matches a trigger starts an SOP instance; what completes its steps are events
// too (sop_step_done, an interaction with the customer, the case reaching a
// stage). Nothing runs on a timer: the host passes "now" and every status is a
// pure function of the event log, the documents and that instant.
//
//   SopEngine sops(*workspace);
//   CADRE_RETURN_IF_ERROR(sops.CatchUp());                          // reads only new events
//   CADRE_ASSIGN_OR_RETURN(std::vector<SopInstanceView> open,
//                          sops.Instances({.manager = "M-7", .open_only = true}, now));
//   CADRE_ASSIGN_OR_RETURN(std::vector<Event> fired, sops.RecordEscalations(*workspace, now));
//   CADRE_ASSIGN_OR_RETURN(TodayList today, BuildTodayList(*workspace, sops, tasks, training, "M-7", now));
//
// The rules (docs/sop.md repeats them with examples):
// - Triggers. customer_assigned: an assignment naming a manager (the new owner
//   is responsible). customer_released: an assignment naming none (the previous
//   owner is responsible). large_purchase: a sale of at least min_amount_minor
//   (the credited manager: the one named on the sale, else the owner when it
//   happened). case_opened: a case event of stage "opened" whose category is
//   among `categories` (any when empty); the case's manager, else the
//   customer's owner at the opening, is responsible. training_overdue: a
//   training requirement a manager holds (training.h) that is not met at the
//   end of its due day (hired_on + within_days) starts an instance at the start
//   of the next day in the workspace zone, for that manager, when they are
//   still employed then; no event triggers it. The requirements, courses and
//   managers are the documents as they stand now; whether it was met is read
//   as of the due day by training.h's rules. The engine keeps its own
//   TrainingProjection, caught up only while some SOP has this trigger.
// - The SOP version in force at the trigger's occurred_at (effective-dated, as
//   Workspace::Get) is the one the instance runs; later edits do not touch it.
// - Instance ids are "<sop id>/<key>": the key is the case reference for
//   case_opened (one instance per case, however often it is opened) and the
//   trigger event's id otherwise; "<manager>/<requirement>/<due day>" for
//   training_overdue (its trigger_event is the requirement's id), so it is one
//   instance however often it is asked. An id longer than kMaxIdLength becomes
//   "<sop id>/" and the 64-bit FNV-1a hash of it in hex. For a case opened twice
//   the earliest opening (occurred_at, then seq) that is not reversed is the trigger.
// - Reversals. A reversed trigger cancels the instance (every step not yet
//   completed is cancelled); when every opening of a case is reversed its
//   instance is cancelled. A reversed completing event no longer completes.
// - Readiness. A step with no dependencies is ready at the instance's start;
//   otherwise when the last of its dependencies is completed. A step that is
//   not ready is pending and has no due instant.
// - Completion. step_done: the earliest sop_step_done event naming the instance
//   (reference) and the step (stage) that carries every field in `require`
//   (outcome, note); it completes the step at max(its occurred_at, ready_at).
//   interaction: the earliest interaction with the instance's customer, by
//   anyone, with the channel when one is given, at or after ready_at.
//   case_stage: the earliest case event of the instance's case entering that
//   stage at or after ready_at. A "reopened" case event after the completion of
//   a step completed by case_stage "resolved" reopens it: it is ready again from
//   the reopening, with a new due instant, and waits for the next resolution.
//   training: the earliest training event of the instance's manager naming the
//   requirement's course at or after ready_at that enrols them (enrolled: an
//   enrolment or any completion) or makes them pass it (passed: by training.h's
//   passing rule, on the course as it stands now). A reversed training event
//   counts for no instant, so the step it completed is open again.
// - SLAs. `within` counts from ready_at: {days: N} is N x 24 hours of elapsed
//   time; {business_hours: H} and {business_minutes: M} count on the SOP's
//   calendar (round the clock when it names none). While the instance's case
//   is waiting (a case event "waiting" until the next "resumed") the clocks of
//   its open steps stand still (SlaTimeline pauses). Statuses follow Evaluate():
//   running, paused, warning, breached, met, missed; plus pending and cancelled.
// - Events are read as of "now": events that occurred after it do not count.
// - Escalations. Rule k of a step is due when the step is breached (open and
//   past due) and now >= escalate_at = due_at + after (on the clock of the
//   rule's unit). RecordEscalations ingests one sop_escalation event per due
//   rule, with id "sop-escalation:<instance>/<step>/<k>" and occurred_at =
//   escalate_at, so asking twice records it once. notify_lead and reassign go
//   to the lead of the responsible manager (the lead of their team, or of the
//   unit above when they lead their own team); reassign makes that lead the
//   step's responsible from then on; notify_lead puts the step on the lead's
//   today list; raise_severity raises the case's severity one level (low ->
//   medium -> high -> critical; a case without one counts as medium) and
//   records it on the event. A reversed escalation event undoes its effect and
//   is not due again (its id stays in the log).
//
// Thread-safety: an SopEngine is safe to share between threads; one mutex
// serialises CatchUp and the queries.
#ifndef CADRE_SOP_H_
#define CADRE_SOP_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "boost/describe.hpp"
#include "cadre/calendar.h"
#include "cadre/event.h"

namespace cadre {

class Workspace;
class FollowUpProjection;
class OwnershipProjection;
class TrainingProjection;
namespace json {
class Path;
}

// ---- The SOP document ---------------------------------------------------------------

// New kinds join at the end.
enum class SopTriggerKind { kCustomerAssigned, kCaseOpened, kLargePurchase, kCustomerReleased, kTrainingOverdue };
BOOST_DESCRIBE_ENUM(SopTriggerKind, kCustomerAssigned, kCaseOpened, kLargePurchase, kCustomerReleased, kTrainingOverdue)

// Who is responsible for a step: the instance's manager, that manager's team
// lead, or the support desk (no manager; shown to nobody's today list).
enum class SopRole { kOwner, kTeamLead, kSupportDesk };
BOOST_DESCRIBE_ENUM(SopRole, kOwner, kTeamLead, kSupportDesk)

enum class EscalationAction { kNotifyLead, kReassign, kRaiseSeverity };
BOOST_DESCRIBE_ENUM(EscalationAction, kNotifyLead, kReassign, kRaiseSeverity)

// The case stages that can complete a step.
enum class SopCaseStage { kResponded, kResolved };
BOOST_DESCRIBE_ENUM(SopCaseStage, kResponded, kResolved)

// What the manager of a training_overdue instance does with the requirement's
// course that completes a step: enrols in it (an enrolment or any completion of
// the course), or passes it.
enum class SopTrainingStage { kEnrolled, kPassed };
BOOST_DESCRIBE_ENUM(SopTrainingStage, kEnrolled, kPassed)

// A length of time, in exactly one unit: {"days": 2} (elapsed time, 48 hours),
// {"business_hours": 8} or {"business_minutes": 90} (on the SOP's calendar).
struct SopDuration {
  std::optional<int64_t> days;
  std::optional<int64_t> business_hours;
  std::optional<int64_t> business_minutes;

  // The length, and whether it counts on the business calendar.
  absl::Duration length() const;
  bool business() const { return !days.has_value(); }
  friend bool operator==(const SopDuration&, const SopDuration&) = default;
};
BOOST_DESCRIBE_STRUCT(SopDuration, (), (days, business_hours, business_minutes))

struct SopTrigger {
  static constexpr std::string_view kRequired[] = {"on"};

  SopTriggerKind on = SopTriggerKind::kCustomerAssigned;
  std::vector<std::string> categories;      // case_opened: the case categories; empty: any
  std::optional<int64_t> min_amount_minor;  // large_purchase: required, > 0
  friend bool operator==(const SopTrigger&, const SopTrigger&) = default;
};
BOOST_DESCRIBE_STRUCT(SopTrigger, (), (on, categories, min_amount_minor))

// completed_by {"step_done": {"require": ["outcome", "note"]}}. (`requires` is a
// C++20 keyword, so the key is `require`.)
struct StepDoneCompletion {
  std::vector<std::string> require;  // a subset of "outcome", "note"
  friend bool operator==(const StepDoneCompletion&, const StepDoneCompletion&) = default;
};
BOOST_DESCRIBE_STRUCT(StepDoneCompletion, (), (require))

// completed_by {"interaction": {"channel": "visit"}} (channel optional: any).
struct InteractionCompletion {
  std::optional<Channel> channel;
  friend bool operator==(const InteractionCompletion&, const InteractionCompletion&) = default;
};
BOOST_DESCRIBE_STRUCT(InteractionCompletion, (), (channel))

// Exactly one of the four. case_stage only in SOPs triggered by case_opened,
// training only in SOPs triggered by training_overdue.
struct SopCompletion {
  std::optional<StepDoneCompletion> step_done;
  std::optional<InteractionCompletion> interaction;
  std::optional<SopCaseStage> case_stage;
  std::optional<SopTrainingStage> training;
  friend bool operator==(const SopCompletion&, const SopCompletion&) = default;
};
BOOST_DESCRIBE_STRUCT(SopCompletion, (), (step_done, interaction, case_stage, training))

struct SopEscalationRule {
  static constexpr std::string_view kRequired[] = {"after", "action"};

  SopDuration after;  // past due_at; 0 allowed (at the breach)
  EscalationAction action = EscalationAction::kNotifyLead;
  friend bool operator==(const SopEscalationRule&, const SopEscalationRule&) = default;
};
BOOST_DESCRIBE_STRUCT(SopEscalationRule, (), (after, action))

struct SopStep {
  static constexpr std::string_view kRequired[] = {"id", "name", "role", "within", "completed_by"};

  std::string id;
  std::string name;
  SopRole role = SopRole::kOwner;
  // The steps this one waits for. Absent: the previous step (none for the
  // first); [] : none.
  std::optional<std::vector<std::string>> after;
  SopDuration within;
  std::optional<SopDuration> warn_before;  // same unit as within, less than it
  SopCompletion completed_by;
  std::vector<SopEscalationRule> escalations;
  friend bool operator==(const SopStep&, const SopStep&) = default;
};
BOOST_DESCRIBE_STRUCT(SopStep, (), (id, name, role, after, within, warn_before, completed_by, escalations))

// An SOP as configuration (collection "sops").
//
//   {"id": "onboarding", "name": "New customer onboarding", "calendar": "cn-retail",
//    "trigger": {"on": "customer_assigned"},
//    "steps": [
//      {"id": "first_contact", "name": "First contact", "role": "owner", "within": {"days": 2},
//       "completed_by": {"interaction": {"channel": "call"}},
//       "escalations": [{"after": {"days": 0}, "action": "notify_lead"}]},
//      {"id": "welcome_visit", "name": "Welcome visit", "role": "owner", "after": [],
//       "within": {"days": 14}, "completed_by": {"interaction": {"channel": "visit"}}}]}
struct SopDefinition {
  static constexpr std::string_view kRequired[] = {"id", "name", "trigger", "steps"};
  static constexpr std::string_view kCollection = "sops";
  static constexpr std::size_t kMaxIdLength = 40;
  static constexpr std::size_t kMaxSteps = 50;
  static constexpr std::size_t kMaxEscalations = 10;

  std::string id;
  std::string name;
  std::optional<std::string> description;
  std::optional<std::string> calendar;  // a "calendars" document; absent: round the clock
  SopTrigger trigger;
  std::vector<SopStep> steps;

  // Refuses, naming the path, the rule and the value (docs/sop.md lists every
  // message): an id longer than kMaxIdLength or holding "/", no steps, a
  // repeated step id, a dependency on an unknown step, on the step itself, or
  // in a cycle, a duration not in exactly one unit or out of range, a warning
  // not in within's unit or not shorter than it, completed_by not exactly one
  // way, a step_done requirement other than outcome and note, a case_stage
  // completion or raise_severity escalation in an SOP not triggered by cases,
  // trigger fields that do not belong to its kind.
  absl::Status Validate(json::Path& path) const;

  // The steps each step waits for, resolved (`after` absent: the previous step).
  std::vector<std::vector<std::string>> Dependencies() const;
};
BOOST_DESCRIBE_STRUCT(SopDefinition, (), (id, name, description, calendar, trigger, steps))

// ---- Instances, as evaluated at an instant ------------------------------------------

enum class SopStepStatus { kPending, kRunning, kWarning, kBreached, kPaused, kMet, kMissed, kCancelled };
BOOST_DESCRIBE_ENUM(SopStepStatus, kPending, kRunning, kWarning, kBreached, kPaused, kMet, kMissed, kCancelled)

enum class SopInstanceStatus { kOpen, kCompleted, kCancelled };
BOOST_DESCRIBE_ENUM(SopInstanceStatus, kOpen, kCompleted, kCancelled)

struct SopEscalationState {
  int32_t rule = 0;  // index in the step's escalations
  EscalationAction action = EscalationAction::kNotifyLead;
  std::string event_id;                   // the id its sop_escalation event has (or will have)
  std::optional<absl::Time> escalate_at;  // due_at + after, while the step has a due instant
  bool due = false;                       // due now and not yet recorded
  bool taken = false;                     // its event is in the log
  std::optional<std::string> manager;     // whom the recorded event went to
  std::optional<Severity> severity;       // raise_severity: the severity it recorded
  friend bool operator==(const SopEscalationState&, const SopEscalationState&) = default;
};
BOOST_DESCRIBE_STRUCT(SopEscalationState, (), (rule, action, event_id, escalate_at, due, taken, manager, severity))

struct SopStepState {
  std::string step;
  std::string name;
  SopRole role = SopRole::kOwner;
  // The manager responsible now (after a reassignment: the lead it went to);
  // absent for the support desk or when no manager could be found.
  std::optional<std::string> responsible;
  std::optional<absl::Time> ready_at;
  std::optional<absl::Time> due_at;
  std::optional<absl::Time> warning_at;
  SopStepStatus status = SopStepStatus::kPending;
  std::optional<absl::Time> completed_at;
  std::optional<std::string> completed_by;  // the completing event's id
  // Managers the step was escalated to by notify_lead (they see it on their today list).
  std::vector<std::string> notified;
  std::vector<SopEscalationState> escalations;
  friend bool operator==(const SopStepState&, const SopStepState&) = default;
};
BOOST_DESCRIBE_STRUCT(SopStepState, (),
                      (step, name, role, responsible, ready_at, due_at, warning_at, status, completed_at, completed_by,
                       notified, escalations))

// One entry of an instance's history, in time order.
struct SopHistoryEntry {
  absl::Time at;
  std::string event;  // the event's id
  // "triggered", "opened_again", "completed", "paused", "resumed", "reopened",
  // "escalated", "cancelled"
  std::string what;
  std::optional<std::string> step;
  std::optional<std::string> detail;
  friend bool operator==(const SopHistoryEntry&, const SopHistoryEntry&) = default;
};
BOOST_DESCRIBE_STRUCT(SopHistoryEntry, (), (at, event, what, step, detail))

struct SopInstanceView {
  std::string id;
  std::string sop;
  int64_t sop_version = 0;
  std::string sop_name;
  SopTriggerKind trigger = SopTriggerKind::kCustomerAssigned;
  std::string trigger_event;
  absl::Time start;
  std::optional<std::string> customer;
  std::optional<std::string> manager;      // the manager the instance is about (see the trigger rules)
  std::optional<std::string> case_ref;     // case_opened: the case
  std::optional<Severity> severity;        // case_opened: the case's severity now
  std::optional<std::string> requirement;  // training_overdue: the training requirement
  std::optional<std::string> course;       // training_overdue: its course
  std::optional<absl::CivilDay> due_on;    // training_overdue: the day it was due
  SopInstanceStatus status = SopInstanceStatus::kOpen;
  std::optional<std::string> cancelled_by;  // the reversal's id
  std::vector<SopStepState> steps;
  std::vector<SopHistoryEntry> history;  // only in SopEngine::Instance()
  friend bool operator==(const SopInstanceView&, const SopInstanceView&) = default;
};
BOOST_DESCRIBE_STRUCT(SopInstanceView, (),
                      (id, sop, sop_version, sop_name, trigger, trigger_event, start, customer, manager, case_ref,
                       severity, requirement, course, due_on, status, cancelled_by, steps, history))

struct SopInstanceFilter {
  std::optional<std::string> manager;  // the instance's manager, or responsible for / notified of a step
  std::optional<std::string> customer;
  std::optional<std::string> sop;
  bool open_only = false;
};

// A rule that is due at an instant and not yet recorded, with the event that records it.
struct DueEscalation {
  std::string instance;
  std::string step;
  int32_t rule = 0;
  EscalationAction action = EscalationAction::kNotifyLead;
  absl::Time escalate_at;
  Event event;  // the sop_escalation event RecordEscalations ingests
  friend bool operator==(const DueEscalation&, const DueEscalation&) = default;
};
BOOST_DESCRIBE_STRUCT(DueEscalation, (), (instance, step, rule, action, escalate_at, event))

// Per manager: SOP steps due in a period met on time, of those due (SopOnTime).
struct SopOnTimeRow {
  std::string manager;
  int64_t met = 0;
  int64_t due = 0;
  friend bool operator==(const SopOnTimeRow&, const SopOnTimeRow&) = default;
};
BOOST_DESCRIBE_STRUCT(SopOnTimeRow, (), (manager, met, due))

// The SOP instances of a workspace, projected from its event log and its
// "sops", "calendars", "org_units" and "managers" documents.
//
// CatchUp() reads the events logged since the last call (and re-reads the
// documents when the workspace's document generation moved); the instances are
// derived again from what was read, so the result never depends on the order
// events were logged in. Queries evaluate at the `now` they are given.
class SopEngine {
 public:
  explicit SopEngine(const Workspace& workspace);
  ~SopEngine();
  SopEngine(const SopEngine&) = delete;
  SopEngine& operator=(const SopEngine&) = delete;

  // Reads new events and changed documents. The store's errors; FAILED_PRECONDITION
  // when an SOP names a calendar that does not exist or is invalid.
  absl::Status CatchUp();
  // Forgets everything read: the next CatchUp reads the whole log again.
  void Reset();

  // The instances started at or before `now` that pass `filter`, ordered by
  // start, then id. Steps evaluated at `now`; no history.
  absl::StatusOr<std::vector<SopInstanceView>> Instances(const SopInstanceFilter& filter, absl::Time now) const;
  // One instance with its history; NOT_FOUND if there is none (or it starts after `now`).
  absl::StatusOr<SopInstanceView> Instance(std::string_view id, absl::Time now) const;
  // The escalation rules due at `now` that are not in the log yet, ordered by
  // escalate_at, then instance, step and rule.
  absl::StatusOr<std::vector<DueEscalation>> DueEscalations(absl::Time now) const;
  // Catches up, ingests DueEscalations(now) (best effort: one that the log
  // already holds is a duplicate) and catches up again; returns the events
  // newly written. `workspace` must be the engine's.
  absl::StatusOr<std::vector<Event>> RecordEscalations(Workspace& workspace, absl::Time now);

  // For steps whose due_at falls in [from, until), per manager responsible when
  // they fell due, as evaluated at `now`: due counts those met (completed at or
  // before due_at) and those missed (completed after due_at, or still open with
  // due_at <= now); met counts the former. Steps still open and not due yet at
  // `now`, cancelled steps and support desk steps are left out. Ordered by manager.
  absl::StatusOr<std::vector<SopOnTimeRow>> SopOnTime(absl::Time from, absl::Time until, absl::Time now) const;

  // The zone of the workspace (the today list reads days in it).
  absl::TimeZone time_zone() const;

 private:
  struct State;
  const Workspace& workspace_;
  mutable absl::Mutex mu_;
  std::unique_ptr<State> state_ ABSL_GUARDED_BY(mu_);
};

// ---- Today --------------------------------------------------------------------------

enum class TodayKind { kSopStep, kFollowUp, kCertification };
BOOST_DESCRIBE_ENUM(TodayKind, kSopStep, kFollowUp, kCertification)

// How urgent an item is, most urgent first.
enum class TodayUrgency { kBreached, kWarning, kDueToday, kLater };
BOOST_DESCRIBE_ENUM(TodayUrgency, kBreached, kWarning, kDueToday, kLater)

struct TodayItem {
  TodayKind kind = TodayKind::kSopStep;
  TodayUrgency urgency = TodayUrgency::kLater;
  std::string what;  // step name, next step of a task, course
  std::string ref;   // "<instance>#<step>", the task's id, the course's id
  std::optional<std::string> customer;
  std::optional<std::string> case_ref;
  std::optional<absl::Time> due_at;
  std::string status;  // the step's status, the task's status, "expiring"
  std::string why;     // why it is on the list
  friend bool operator==(const TodayItem&, const TodayItem&) = default;
};
BOOST_DESCRIBE_STRUCT(TodayItem, (), (kind, urgency, what, ref, customer, case_ref, due_at, status, why))

struct TodayList {
  std::string manager;
  absl::Time now;
  absl::CivilDay day;  // now's day in the workspace zone
  std::vector<TodayItem> items;
  friend bool operator==(const TodayList&, const TodayList&) = default;
};
BOOST_DESCRIBE_STRUCT(TodayList, (), (manager, now, day, items))

struct TodayOptions {
  int32_t expiring_within_days = 30;  // certifications expiring on day .. day + N
};

// The list for `manager` at `now` (day = now's day in the workspace zone):
// - SOP steps they are responsible for that are open (running, paused, warning
//   or breached) and breached, warning, or due before the end of the day; and
//   open steps escalated to them (notify_lead), whatever their due instant;
// - their follow-up tasks overdue or due today (`tasks` caught up by the caller);
// - their certifications expiring within the days asked (`training` caught up).
// Ordered by urgency: breached (the most overdue, i.e. earliest due_at, first), then
// warning, then due today, then the rest, each by due_at, then kind, then ref.
// A follow-up overdue counts as breached and one due today as due today; a
// certification expiring today as due today, later ones as the rest.
absl::StatusOr<TodayList> BuildTodayList(const Workspace& workspace, const SopEngine& sops,
                                         const FollowUpProjection& tasks, const TrainingProjection& training,
                                         std::string_view manager, absl::Time now, const TodayOptions& options = {});

}  // namespace cadre

#endif  // CADRE_SOP_H_
