// The "what should I do today" list: SOP steps, follow-up tasks and expiring
// certifications of one manager, ordered by urgency.
#include <algorithm>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "cadre/json.h"
#include "cadre/org.h"
#include "cadre/period.h"
#include "cadre/sop.h"
#include "cadre/status.h"
#include "cadre/tasks.h"
#include "cadre/training.h"
#include "cadre/workspace.h"

namespace cadre {

absl::StatusOr<TodayList> BuildTodayList(const Workspace& workspace, const SopEngine& sops,
                                         const FollowUpProjection& tasks, const TrainingProjection& training,
                                         std::string_view manager, absl::Time now, const TodayOptions& options) {
  const absl::TimeZone zone = workspace.time_zone();
  TodayList list;
  list.manager = std::string(manager);
  list.now = now;
  list.day = absl::ToCivilDay(now, zone);
  const absl::Time end_of_day = TaskDeadline(list.day, zone);  // the start of the next day
  const std::string me(manager);

  // SOP steps.
  CADRE_ASSIGN_OR_RETURN(std::vector<SopInstanceView> instances,
                         sops.Instances({.manager = me, .open_only = true}, now));
  for (const SopInstanceView& inst : instances) {
    for (const SopStepState& step : inst.steps) {
      const bool open = step.status == SopStepStatus::kRunning || step.status == SopStepStatus::kPaused ||
                        step.status == SopStepStatus::kWarning || step.status == SopStepStatus::kBreached;
      if (!open || !step.due_at) continue;
      const bool mine = step.responsible == me;
      const bool notified = std::find(step.notified.begin(), step.notified.end(), me) != step.notified.end();
      const bool breached = step.status == SopStepStatus::kBreached;
      const bool warning = step.status == SopStepStatus::kWarning;
      const bool due_today = *step.due_at < end_of_day;
      if (!(notified || (mine && (breached || warning || due_today)))) continue;
      TodayItem item;
      item.kind = TodayKind::kSopStep;
      item.urgency = breached    ? TodayUrgency::kBreached
                     : warning   ? TodayUrgency::kWarning
                     : due_today ? TodayUrgency::kDueToday
                                 : TodayUrgency::kLater;
      item.what = absl::StrCat(inst.sop_name, ": ", step.name);
      item.ref = absl::StrCat(inst.id, "#", step.step);
      item.customer = inst.customer;
      item.case_ref = inst.case_ref;
      item.due_at = step.due_at;
      item.status = std::string(json::EnumName(step.status));
      if (notified && !mine) {
        item.why = absl::StrCat("escalated to you: ", step.responsible ? *step.responsible : "the support desk",
                                "'s step is ", item.status);
      } else if (breached) {
        item.why = absl::StrCat("overdue since ", FormatInstant(*step.due_at));
      } else if (warning) {
        item.why = absl::StrCat("due at ", FormatInstant(*step.due_at), "; the warning time has passed");
      } else {
        item.why = absl::StrCat("due today at ", FormatInstant(*step.due_at));
      }
      if (mine && step.role != SopRole::kOwner)
        absl::StrAppend(&item.why, " (you are its ", AbslView(json::EnumName(step.role)), ")");
      list.items.push_back(std::move(item));
    }
  }

  // Follow-up tasks due today or overdue.
  for (const FollowUpTask& task :
       tasks.ManagerTasks(manager, now, zone, {.statuses = {TaskStatus::kOpen, TaskStatus::kOverdue}})) {
    const bool overdue = task.status == TaskStatus::kOverdue;
    if (!overdue && task.due_on > list.day) continue;
    TodayItem item;
    item.kind = TodayKind::kFollowUp;
    item.urgency = overdue ? TodayUrgency::kBreached : TodayUrgency::kDueToday;
    item.what = task.next_step.value_or("follow up");
    item.ref = task.id;
    item.customer = task.customer;
    item.due_at = TaskDeadline(task.due_on, zone);
    item.status = std::string(json::EnumName(task.status));
    item.why =
        overdue ? absl::StrCat("follow-up was due on ", FormatDay(task.due_on)) : std::string("follow-up due today");
    list.items.push_back(std::move(item));
  }

  // Certifications expiring soon.
  CADRE_ASSIGN_OR_RETURN(TrainingConfig config, TrainingConfig::Load(workspace, list.day));
  CADRE_ASSIGN_OR_RETURN(OrgTree tree, OrgTree::Load(workspace, EndOfDay(list.day, zone)));
  if (tree.FindManager(manager) != nullptr) {
    CADRE_ASSIGN_OR_RETURN(
        std::vector<ExpiringCertification> expiring,
        ExpiringCertifications(training, config, tree, list.day, options.expiring_within_days, zone, {me}));
    for (const ExpiringCertification& c : expiring) {
      TodayItem item;
      item.kind = TodayKind::kCertification;
      item.urgency = c.days_left == 0 ? TodayUrgency::kDueToday : TodayUrgency::kLater;
      item.what = absl::StrCat("renew certification ", c.course);
      item.ref = c.course;
      item.due_at = TaskDeadline(c.expires_on, zone);
      item.status = "expiring";
      item.why = c.days_left == 0 ? std::string("certification expires at the end of today")
                                  : absl::StrCat("certification expires on ", FormatDay(c.expires_on), " (",
                                                 c.days_left, c.days_left == 1 ? " day" : " days", " left)");
      list.items.push_back(std::move(item));
    }
  }

  std::stable_sort(list.items.begin(), list.items.end(), [](const TodayItem& a, const TodayItem& b) {
    return std::tie(a.urgency, a.due_at, a.kind, a.ref) < std::tie(b.urgency, b.due_at, b.kind, b.ref);
  });
  return list;
}

}  // namespace cadre
