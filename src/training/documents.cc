// The training configuration documents (courses, training requirements) and
// loading them as of a day.
#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "cadre/json.h"
#include "cadre/status.h"
#include "cadre/training.h"
#include "cadre/workspace.h"
#include "model/text_rules.h"

namespace cadre {
namespace {

using model_internal::CheckAttributes;
using model_internal::CheckKey;
using model_internal::CheckText;
using model_internal::kMaxNameLength;
using model_internal::Quoted;

constexpr std::size_t kMaxModules = 200;
// A century: long enough for any real rule, short enough that day arithmetic
// (hired_on + within_days, earned_on + valid_days) never leaves the calendar.
constexpr int32_t kMaxDays = 36500;
constexpr int64_t kMaxModuleHours = 1000;

absl::Status CheckDays(json::Path& path, std::string_view field, int32_t days) {
  if (days >= 1 && days <= kMaxDays) return absl::OkStatus();
  json::PathScope scope(path, field);
  return FieldError(path.str(), absl::StrCat("must be between 1 and ", kMaxDays), absl::StrCat(days));
}

}  // namespace

absl::Status CourseModule::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckKey(path, "id", id));
  CADRE_RETURN_IF_ERROR(CheckText(path, "name", name, kMaxNameLength));
  if (hours <= Decimal() || hours > Decimal::FromUnits(kMaxModuleHours * Decimal::kOne)) {
    json::PathScope scope(path, "hours");
    return FieldError(path.str(), absl::StrCat("must be positive and at most ", kMaxModuleHours),
                      Quoted(hours.ToString()));
  }
  return absl::OkStatus();
}

absl::Status Course::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckKey(path, "id", id));
  CADRE_RETURN_IF_ERROR(CheckText(path, "name", name, kMaxNameLength));
  {
    json::PathScope scope(path, "modules");
    if (modules.empty()) return FieldError(path.str(), "must list at least one module", "[]");
    if (modules.size() > kMaxModules)
      return FieldError(path.str(), absl::StrCat("at most ", kMaxModules, " modules"), absl::StrCat(modules.size()));
    absl::flat_hash_set<std::string_view> seen;
    for (std::size_t i = 0; i < modules.size(); ++i) {
      json::PathScope item(path, i);
      // Modules read from JSON were validated already; built in C++ they were not.
      CADRE_RETURN_IF_ERROR(modules[i].Validate(path));
      if (!seen.insert(modules[i].id).second) {
        json::PathScope field(path, "id");
        return FieldError(path.str(), "module ids must be unique within the course", Quoted(modules[i].id));
      }
    }
  }
  if (pass_mark && (*pass_mark < Decimal() || *pass_mark > Decimal::FromUnits(100 * Decimal::kOne) ||
                    pass_mark->units() % (Decimal::kOne / 100) != 0)) {
    json::PathScope scope(path, "pass_mark");
    return FieldError(path.str(), "must be between 0 and 100 with at most two decimals", Quoted(pass_mark->ToString()));
  }
  if (certification) {
    json::PathScope scope(path, "certification");
    CADRE_RETURN_IF_ERROR(CheckDays(path, "valid_days", certification->valid_days));
  }
  return CheckAttributes(path, attributes);
}

const CourseModule* Course::FindModule(std::string_view module_id) const {
  for (const CourseModule& m : modules)
    if (m.id == module_id) return &m;
  return nullptr;
}

absl::Status TrainingRequirement::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckKey(path, "id", id));
  CADRE_RETURN_IF_ERROR(CheckKey(path, "role", role));
  CADRE_RETURN_IF_ERROR(CheckKey(path, "course", course));
  CADRE_RETURN_IF_ERROR(CheckDays(path, "within_days", within_days));
  return CheckAttributes(path, attributes);
}

absl::Time EndOfDay(absl::CivilDay day, absl::TimeZone zone) {
  // The start of the next day, as Period::Start reads it, less one nanosecond.
  return absl::FromCivil(absl::CivilSecond(day + 1), zone) - absl::Nanoseconds(1);
}

absl::StatusOr<TrainingConfig> TrainingConfig::Load(const Workspace& workspace, absl::CivilDay as_of) {
  const absl::Time at = EndOfDay(as_of, workspace.time_zone());
  TrainingConfig config;
  CADRE_ASSIGN_OR_RETURN(std::vector<Document> courses, workspace.List(Course::kCollection, at));
  for (const Document& d : courses) {
    CADRE_ASSIGN_OR_RETURN(Course c, json::FromText<Course>(d.body, absl::StrCat("courses/", d.id)));
    config.courses.push_back(std::move(c));
  }
  CADRE_ASSIGN_OR_RETURN(std::vector<Document> requirements, workspace.List(TrainingRequirement::kCollection, at));
  for (const Document& d : requirements) {
    CADRE_ASSIGN_OR_RETURN(TrainingRequirement r,
                           json::FromText<TrainingRequirement>(d.body, absl::StrCat("training_requirements/", d.id)));
    config.requirements.push_back(std::move(r));
  }
  return config;
}

}  // namespace cadre
