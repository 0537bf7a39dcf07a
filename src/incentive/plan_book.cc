#include "incentive/plan_book.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "cadre/json.h"
#include "cadre/status.h"
#include "cadre/training.h"
#include "cadre/workspace.h"
#include "model/text_rules.h"

namespace cadre::incentive_internal {

using model_internal::Quoted;

bool EmployedOn(const Manager& manager, absl::CivilDay day) {
  if (manager.hired_on && *manager.hired_on > day) return false;
  if (manager.left_on) return *manager.left_on >= day;
  return manager.status != EmploymentStatus::kLeft;
}

void PlanBook::Clear() {
  periods_.clear();
  days_.clear();
  configs_.clear();
  versions_.clear();
}

absl::StatusOr<const DayConfig*> PlanBook::At(absl::CivilDay day) {
  if (auto it = days_.find(day); it != days_.end()) return it->second;
  const absl::Time at = EndOfDay(day, workspace_.time_zone());
  auto config = std::make_unique<DayConfig>();
  CADRE_ASSIGN_OR_RETURN(std::vector<Document> plans, workspace_.List(IncentivePlan::kCollection, at));
  CADRE_ASSIGN_OR_RETURN(std::vector<Document> assignments, workspace_.List(PlanAssignment::kCollection, at));
  for (const Document& d : plans) config->fingerprint.emplace_back(absl::StrCat("p/", d.id), d.version);
  for (const Document& d : assignments) config->fingerprint.emplace_back(absl::StrCat("a/", d.id), d.version);
  // Days with the same documents in force share one configuration.
  for (const auto& existing : configs_) {
    if (existing->fingerprint == config->fingerprint) {
      days_.emplace(day, existing.get());
      return existing.get();
    }
  }
  for (const Document& d : plans) {
    auto& slot = versions_[{d.id, d.version}];
    if (!slot) {
      CADRE_ASSIGN_OR_RETURN(IncentivePlan plan,
                             json::FromText<IncentivePlan>(d.body, absl::StrCat("incentive_plans/", d.id)));
      slot = std::make_unique<PlanVersion>(PlanVersion{d.version, std::move(plan)});
    }
    config->plans.emplace(d.id, slot.get());
  }
  for (const Document& d : assignments) {
    CADRE_ASSIGN_OR_RETURN(PlanAssignment a,
                           json::FromText<PlanAssignment>(d.body, absl::StrCat("plan_assignments/", d.id)));
    auto& target = a.manager ? config->by_manager[*a.manager] : config->by_unit[*a.unit];
    // Two assignments for the same manager or unit: the one with the smaller id
    // wins, so the answer never depends on storage order.
    if (target.empty()) target = a.plan;
  }
  const DayConfig* result = config.get();
  configs_.push_back(std::move(config));
  days_.emplace(day, result);
  return result;
}

absl::StatusOr<const PlanVersion*> PlanBook::PlanOf(const DayConfig& config, const Manager& manager,
                                                    const OrgTree& tree, absl::CivilDay day) const {
  std::string source;
  const std::string* plan_id = nullptr;
  if (auto it = config.by_manager.find(manager.id); it != config.by_manager.end()) {
    plan_id = &it->second;
    source = absl::StrCat("the plan assignment of manager ", Quoted(manager.id));
  }
  if (plan_id == nullptr && !config.by_unit.empty()) {
    CADRE_ASSIGN_OR_RETURN(std::vector<const OrgUnit*> path, tree.PathFromRoot(manager.team));
    for (auto unit = path.rbegin(); unit != path.rend() && plan_id == nullptr; ++unit) {
      if (auto it = config.by_unit.find((*unit)->id); it != config.by_unit.end()) {
        plan_id = &it->second;
        source = absl::StrCat("the plan assignment of unit ", Quoted((*unit)->id));
      }
    }
  }
  if (plan_id == nullptr) {
    CADRE_ASSIGN_OR_RETURN(const Role* role, tree.RoleOf(manager.id));
    if (role == nullptr || !role->incentive_plan) return nullptr;
    plan_id = &*role->incentive_plan;
    source = absl::StrCat("role ", Quoted(role->id));
  }
  auto plan = config.plans.find(*plan_id);
  if (plan == config.plans.end()) {
    return absl::FailedPreconditionError(absl::StrCat(source, " puts manager ", Quoted(manager.id),
                                                      " on incentive plan ", Quoted(*plan_id),
                                                      ", which is not in force on ", absl::FormatCivilTime(day)));
  }
  return plan->second;
}

absl::StatusOr<const std::vector<const DayConfig*>*> PlanBook::DaysOf(const Period& period) {
  auto& slot = periods_[{period.first_day(), period.last_day()}];
  if (!slot) {
    auto days = std::make_unique<std::vector<const DayConfig*>>();
    for (absl::CivilDay day = period.first_day(); day <= period.last_day(); ++day) {
      CADRE_ASSIGN_OR_RETURN(const DayConfig* config, At(day));
      days->push_back(config);
    }
    slot = std::move(days);
  }
  return slot.get();
}

absl::StatusOr<std::vector<PlanSegment>> PlanBook::Segments(const Manager& manager, const OrgTree& tree,
                                                            const Period& period) {
  CADRE_ASSIGN_OR_RETURN(const std::vector<const DayConfig*>* configs, DaysOf(period));
  std::vector<PlanSegment> segments;
  const DayConfig* last_config = nullptr;
  const PlanVersion* plan = nullptr;
  absl::CivilDay day = period.first_day();
  for (const DayConfig* config : *configs) {
    const absl::CivilDay today = day++;
    if (!EmployedOn(manager, today)) continue;
    if (config != last_config) {
      CADRE_ASSIGN_OR_RETURN(plan, PlanOf(*config, manager, tree, today));
      last_config = config;
    }
    if (plan == nullptr) continue;
    if (!segments.empty() && segments.back().plan == plan && segments.back().last + 1 == today) {
      segments.back().last = today;
      ++segments.back().days;
    } else {
      segments.push_back(PlanSegment{plan, today, today, 1});
    }
  }
  return segments;
}

}  // namespace cadre::incentive_internal
