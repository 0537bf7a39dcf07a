// The case SLA documents (collection "case_slas"), the policy they form, and
// the always-open calendar of figures asked without one.
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "cadre/cases.h"
#include "cadre/json.h"
#include "cadre/status.h"
#include "cadre/workspace.h"
#include "model/text_rules.h"

namespace cadre {
namespace {

absl::Status CheckMinutes(json::Path& path, std::string_view field, const BusinessMinutes& target) {
  if (target.business_minutes >= 1 && target.business_minutes <= CaseSla::kMaxBusinessMinutes) return absl::OkStatus();
  json::PathScope scope(path, field);
  json::PathScope minutes(path, "business_minutes");
  return FieldError(path.str(), absl::StrCat("must be between 1 and ", CaseSla::kMaxBusinessMinutes),
                    absl::StrCat(target.business_minutes));
}

std::string RuleKey(const CaseSla& rule) {
  return absl::StrCat(rule.category, "/", AbslView(rule.severity ? json::EnumName(*rule.severity) : "*"));
}

}  // namespace

absl::Status CaseSla::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(model_internal::CheckKey(path, "id", id));
  if (category != "*") CADRE_RETURN_IF_ERROR(model_internal::CheckKey(path, "category", category));
  CADRE_RETURN_IF_ERROR(CheckMinutes(path, "first_response", first_response));
  CADRE_RETURN_IF_ERROR(CheckMinutes(path, "resolution", resolution));
  if (first_response.business_minutes > resolution.business_minutes) {
    json::PathScope scope(path, "first_response");
    json::PathScope minutes(path, "business_minutes");
    return FieldError(
        path.str(),
        absl::StrCat("must not exceed the resolution target (", resolution.business_minutes, " business minutes)"),
        absl::StrCat(first_response.business_minutes));
  }
  return absl::OkStatus();
}

const CaseSla* CaseSlaPolicy::Find(std::string_view category, Severity severity) const {
  const CaseSla* best = nullptr;
  int best_rank = 4;
  for (const CaseSla& rule : rules) {
    int rank;
    if (rule.category == category) {
      rank = rule.severity == severity ? 0 : !rule.severity ? 1 : 4;
    } else if (rule.category == "*") {
      rank = rule.severity == severity ? 2 : !rule.severity ? 3 : 4;
    } else {
      continue;
    }
    if (rank < best_rank) {
      best = &rule;
      best_rank = rank;
    }
  }
  return best;
}

absl::Status CaseSlaPolicy::Validate(json::Path& path) const {
  json::PathScope rules_scope(path, "rules");
  absl::flat_hash_map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    json::PathScope item(path, i);
    CADRE_RETURN_IF_ERROR(rules[i].Validate(path));
    auto [it, inserted] = seen.emplace(RuleKey(rules[i]), i);
    if (!inserted) {
      json::PathScope field(path, "category");
      return FieldError(
          path.str(),
          absl::StrCat("repeats the category and severity of rules[", it->second, "] (", rules[it->second].id, ")"),
          model_internal::Quoted(rules[i].category));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<CaseSlaPolicy> CaseSlaPolicy::Load(const Workspace& workspace, absl::Time as_of) {
  CaseSlaPolicy policy;
  CADRE_ASSIGN_OR_RETURN(std::vector<Document> docs, workspace.List(CaseSla::kCollection, as_of));
  for (const Document& d : docs) {
    CADRE_ASSIGN_OR_RETURN(CaseSla rule, json::FromText<CaseSla>(d.body, absl::StrCat("case_slas/", d.id)));
    policy.rules.push_back(std::move(rule));
  }
  absl::flat_hash_map<std::string, std::string> seen;
  for (const CaseSla& rule : policy.rules) {
    auto [it, inserted] = seen.emplace(RuleKey(rule), rule.id);
    if (!inserted)
      return FieldError(absl::StrCat("case_slas/", rule.id, ".category"),
                        absl::StrCat("repeats the category and severity of case_slas/", it->second),
                        model_internal::Quoted(rule.category));
  }
  return policy;
}

BusinessCalendar AlwaysOpenCalendar() {
  BusinessCalendar calendar;
  calendar.id = "24x7";
  calendar.name = "Always open";
  calendar.hours.push_back(WorkingHours{
      {Weekday::kMon, Weekday::kTue, Weekday::kWed, Weekday::kThu, Weekday::kFri, Weekday::kSat, Weekday::kSun},
      "00:00",
      "24:00"});
  return calendar;
}

}  // namespace cadre
