// The SOP document's rules: durations, triggers, steps and the graph the
// steps' dependencies form.
#include <algorithm>
#include <functional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cadre/id.h"
#include "cadre/json.h"
#include "cadre/sop.h"
#include "cadre/status.h"
#include "model/text_rules.h"

namespace cadre {
namespace {

using model_internal::CheckKey;
using model_internal::CheckOptionalKey;
using model_internal::CheckOptionalText;
using model_internal::CheckText;
using model_internal::Quoted;

// Ten years in each unit: an SLA longer than that is a typing mistake.
constexpr int64_t kMaxDays = 3650;
constexpr int64_t kMaxBusinessHours = 87600;
constexpr int64_t kMaxBusinessMinutes = kMaxBusinessHours * 60;

std::string_view UnitOf(const SopDuration& d) {
  if (d.days) return "days";
  if (d.business_hours) return "business_hours";
  return "business_minutes";
}

int64_t AmountOf(const SopDuration& d) {
  if (d.days) return *d.days;
  if (d.business_hours) return *d.business_hours;
  return d.business_minutes.value_or(0);
}

// `allow_zero`: escalations may fire at the breach itself.
absl::Status CheckDuration(json::Path& path, const SopDuration& d, bool allow_zero) {
  const int given = int(d.days.has_value()) + int(d.business_hours.has_value()) + int(d.business_minutes.has_value());
  if (given != 1) return FieldError(path.str(), "give exactly one of days, business_hours and business_minutes");
  const std::string_view unit = UnitOf(d);
  const int64_t amount = AmountOf(d);
  const int64_t max = d.days ? kMaxDays : d.business_hours ? kMaxBusinessHours : kMaxBusinessMinutes;
  json::PathScope scope(path, unit);
  if (amount < (allow_zero ? 0 : 1) || amount > max)
    return FieldError(path.str(), absl::StrCat("must be between ", allow_zero ? 0 : 1, " and ", max),
                      absl::StrCat(amount));
  return absl::OkStatus();
}

}  // namespace

absl::Duration SopDuration::length() const {
  if (days) return absl::Hours(24 * *days);
  if (business_hours) return absl::Hours(*business_hours);
  return absl::Minutes(business_minutes.value_or(0));
}

std::vector<std::vector<std::string>> SopDefinition::Dependencies() const {
  std::vector<std::vector<std::string>> out(steps.size());
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].after) {
      out[i] = *steps[i].after;
    } else if (i > 0) {
      out[i] = {steps[i - 1].id};
    }
  }
  return out;
}

absl::Status SopDefinition::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckKey(path, "id", id));
  if (id.size() > kMaxIdLength || id.find('/') != std::string::npos) {
    json::PathScope scope(path, "id");
    return FieldError(
        path.str(),
        absl::StrCat("must be at most ", kMaxIdLength, " bytes without \"/\" (instance ids are \"<sop id>/<key>\")"),
        Quoted(id));
  }
  CADRE_RETURN_IF_ERROR(CheckText(path, "name", name, model_internal::kMaxNameLength));
  CADRE_RETURN_IF_ERROR(CheckOptionalText(path, "description", description, model_internal::kMaxTextLength));
  CADRE_RETURN_IF_ERROR(CheckOptionalKey(path, "calendar", calendar));
  const bool case_sop = trigger.on == SopTriggerKind::kCaseOpened;
  const bool training_sop = trigger.on == SopTriggerKind::kTrainingOverdue;
  {
    json::PathScope trigger_scope(path, "trigger");
    if (!case_sop && !trigger.categories.empty()) {
      json::PathScope scope(path, "categories");
      return FieldError(path.str(), "only case_opened triggers name case categories", json::ToText(trigger.categories));
    }
    for (std::size_t i = 0; i < trigger.categories.size(); ++i) {
      json::PathScope list(path, "categories");
      json::PathScope item(path, i);
      CADRE_RETURN_IF_ERROR(ValidateId(trigger.categories[i], path.str()));
      for (std::size_t j = 0; j < i; ++j)
        if (trigger.categories[j] == trigger.categories[i])
          return FieldError(path.str(), absl::StrCat("repeats categories[", j, "]"), Quoted(trigger.categories[i]));
    }
    const bool large = trigger.on == SopTriggerKind::kLargePurchase;
    if (large && !trigger.min_amount_minor) {
      json::PathScope scope(path, "min_amount_minor");
      return FieldError(path.str(), "required field is missing (large_purchase: the smallest sale that triggers)");
    }
    if (!large && trigger.min_amount_minor) {
      json::PathScope scope(path, "min_amount_minor");
      return FieldError(path.str(), "only large_purchase triggers have a minimum amount",
                        absl::StrCat(*trigger.min_amount_minor));
    }
    if (large && *trigger.min_amount_minor <= 0) {
      json::PathScope scope(path, "min_amount_minor");
      return FieldError(path.str(), "must be positive", absl::StrCat(*trigger.min_amount_minor));
    }
  }

  json::PathScope steps_scope(path, "steps");
  if (steps.empty()) return FieldError(path.str(), "must give at least one step", "[]");
  if (steps.size() > kMaxSteps)
    return FieldError(path.str(), absl::StrCat("must give at most ", kMaxSteps, " steps"), absl::StrCat(steps.size()));
  absl::flat_hash_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    json::PathScope step_scope(path, i);
    const SopStep& s = steps[i];
    CADRE_RETURN_IF_ERROR(CheckKey(path, "id", s.id));
    if (auto [it, fresh] = index.emplace(s.id, i); !fresh) {
      json::PathScope scope(path, "id");
      return FieldError(path.str(), absl::StrCat("repeats steps[", it->second, "].id"), Quoted(s.id));
    }
    CADRE_RETURN_IF_ERROR(CheckText(path, "name", s.name, model_internal::kMaxNameLength));
    {
      json::PathScope scope(path, "within");
      CADRE_RETURN_IF_ERROR(CheckDuration(path, s.within, /*allow_zero=*/false));
    }
    if (s.warn_before) {
      json::PathScope scope(path, "warn_before");
      CADRE_RETURN_IF_ERROR(CheckDuration(path, *s.warn_before, /*allow_zero=*/false));
      json::PathScope unit(path, UnitOf(*s.warn_before));
      if (UnitOf(*s.warn_before) != UnitOf(s.within))
        return FieldError(path.str(), absl::StrCat("must use within's unit (", AbslView(UnitOf(s.within)), ")"),
                          absl::StrCat(AmountOf(*s.warn_before)));
      if (AmountOf(*s.warn_before) >= AmountOf(s.within))
        return FieldError(path.str(), absl::StrCat("must be less than within (", AmountOf(s.within), ")"),
                          absl::StrCat(AmountOf(*s.warn_before)));
    }
    {
      json::PathScope scope(path, "completed_by");
      const SopCompletion& c = s.completed_by;
      const int ways = int(c.step_done.has_value()) + int(c.interaction.has_value()) + int(c.case_stage.has_value()) +
                       int(c.training.has_value());
      if (ways != 1)
        return FieldError(path.str(), "give exactly one of step_done, interaction, case_stage and training",
                          json::ToText(c));
      if (c.step_done) {
        json::PathScope done(path, "step_done");
        json::PathScope req(path, "require");
        for (std::size_t k = 0; k < c.step_done->require.size(); ++k) {
          json::PathScope item(path, k);
          const std::string& field = c.step_done->require[k];
          if (field != "outcome" && field != "note")
            return FieldError(path.str(), "must be \"outcome\" or \"note\"", Quoted(field));
          for (std::size_t j = 0; j < k; ++j)
            if (c.step_done->require[j] == field)
              return FieldError(path.str(), absl::StrCat("repeats require[", j, "]"), Quoted(field));
        }
      }
      if (c.case_stage && !case_sop) {
        json::PathScope stage(path, "case_stage");
        return FieldError(path.str(), "completes a step only in an SOP triggered by case_opened",
                          Quoted(json::EnumName(*c.case_stage)));
      }
      if (c.training && !training_sop) {
        json::PathScope stage(path, "training");
        return FieldError(path.str(), "completes a step only in an SOP triggered by training_overdue",
                          Quoted(json::EnumName(*c.training)));
      }
    }
    if (s.escalations.size() > kMaxEscalations) {
      json::PathScope scope(path, "escalations");
      return FieldError(path.str(), absl::StrCat("must give at most ", kMaxEscalations, " escalations"),
                        absl::StrCat(s.escalations.size()));
    }
    for (std::size_t k = 0; k < s.escalations.size(); ++k) {
      json::PathScope list(path, "escalations");
      json::PathScope item(path, k);
      {
        json::PathScope after(path, "after");
        CADRE_RETURN_IF_ERROR(CheckDuration(path, s.escalations[k].after, /*allow_zero=*/true));
      }
      if (s.escalations[k].action == EscalationAction::kRaiseSeverity && !case_sop) {
        json::PathScope action(path, "action");
        return FieldError(path.str(), "raise_severity needs a case (the SOP must be triggered by case_opened)",
                          "\"raise_severity\"");
      }
    }
  }
  // Dependencies: known, not the step itself, not repeated, no cycle.
  const std::vector<std::vector<std::string>> deps = Dependencies();
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (!steps[i].after) continue;
    json::PathScope step_scope(path, i);
    json::PathScope after_scope(path, "after");
    for (std::size_t k = 0; k < deps[i].size(); ++k) {
      json::PathScope item(path, k);
      const std::string& dep = deps[i][k];
      if (dep == steps[i].id) return FieldError(path.str(), "a step cannot wait for itself", Quoted(dep));
      if (!index.contains(dep)) return FieldError(path.str(), "names no step of this SOP", Quoted(dep));
      for (std::size_t j = 0; j < k; ++j)
        if (deps[i][j] == dep) return FieldError(path.str(), absl::StrCat("repeats after[", j, "]"), Quoted(dep));
    }
  }
  // Depth-first search; 0 unvisited, 1 on the stack, 2 done.
  std::vector<int> mark(steps.size(), 0);
  std::vector<std::size_t> stack;
  std::function<std::optional<std::vector<std::size_t>>(std::size_t)> visit =
      [&](std::size_t i) -> std::optional<std::vector<std::size_t>> {
    mark[i] = 1;
    stack.push_back(i);
    for (const std::string& dep : deps[i]) {
      const std::size_t j = index.at(dep);
      if (mark[j] == 1) {
        std::vector<std::size_t> cycle(std::find(stack.begin(), stack.end(), j), stack.end());
        cycle.push_back(j);
        return cycle;
      }
      if (mark[j] == 0)
        if (auto found = visit(j)) return found;
    }
    stack.pop_back();
    mark[i] = 2;
    return std::nullopt;
  };
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (mark[i] != 0) continue;
    if (std::optional<std::vector<std::size_t>> cycle = visit(i)) {
      std::vector<std::string> names;
      for (std::size_t k : *cycle) names.push_back(steps[k].id);
      json::PathScope step_scope(path, cycle->front());
      json::PathScope after_scope(path, "after");
      return FieldError(
          path.str(),
          absl::StrCat("the steps wait for each other in a cycle (", absl::StrJoin(names, " waits for "), ")"),
          json::ToText(deps[cycle->front()]));
    }
  }
  return absl::OkStatus();
}

}  // namespace cadre
