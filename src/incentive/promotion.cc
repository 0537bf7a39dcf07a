// Career ladders: the document's rules and loading the configuration that
// promotion eligibility reads. The eligibility computation itself is in
// promotion_eligibility.cc.
#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "cadre/id.h"
#include "cadre/json.h"
#include "cadre/promotion.h"
#include "cadre/status.h"
#include "cadre/training.h"
#include "cadre/workspace.h"
#include "model/text_rules.h"

namespace cadre {
namespace {

using model_internal::CheckAttributes;
using model_internal::CheckKey;
using model_internal::CheckOptionalText;
using model_internal::CheckText;
using model_internal::kMaxNameLength;
using model_internal::kMaxTextLength;
using model_internal::Quoted;

// A century, as the training module's day counts.
constexpr int32_t kMaxTenureDays = 36500;
constexpr int32_t kMaxTenureMonths = 1200;
// Five years of months: a longer look back is not a promotion rule.
constexpr int32_t kMaxPeriods = 60;
constexpr int64_t kMaxThreshold = 100;  // attainment and totals are fractions; 100 = 10,000 %
constexpr std::size_t kMaxCriteria = 20;
constexpr std::size_t kMaxCertifications = 50;
constexpr std::size_t kMaxLevels = 100;
constexpr int32_t kMaxLevel = 100;

absl::Status CheckRange(json::Path& path, std::string_view field, int64_t value, int64_t min, int64_t max) {
  if (value >= min && value <= max) return absl::OkStatus();
  json::PathScope scope(path, field);
  return FieldError(path.str(), absl::StrCat("must be between ", min, " and ", max), absl::StrCat(value));
}

absl::Status CheckThreshold(json::Path& path, Decimal at_least) {
  if (at_least > Decimal() && at_least <= Decimal::FromUnits(kMaxThreshold * Decimal::kOne)) return absl::OkStatus();
  json::PathScope scope(path, "at_least");
  return FieldError(path.str(),
                    absl::StrCat("must be positive and at most ", kMaxThreshold, " (a fraction: 1 = 100 %)"),
                    Quoted(at_least.ToString()));
}

absl::Status CheckGranularity(json::Path& path, Granularity granularity) {
  if (granularity == Granularity::kMonth || granularity == Granularity::kQuarter) return absl::OkStatus();
  json::PathScope scope(path, "granularity");
  return FieldError(path.str(), "must be month or quarter", Quoted(json::EnumName(granularity)));
}

}  // namespace

absl::Status TenureCriterion::Validate(json::Path& path) const {
  if (days.has_value() == months.has_value())
    return FieldError(path.str(), "give days or months, exactly one", json::ToText(*this));
  if (days) return CheckRange(path, "days", *days, 0, kMaxTenureDays);
  return CheckRange(path, "months", *months, 0, kMaxTenureMonths);
}

absl::Status AttainmentCriterion::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckKey(path, "metric", metric));
  CADRE_RETURN_IF_ERROR(CheckThreshold(path, at_least));
  CADRE_RETURN_IF_ERROR(CheckRange(path, "of_last", of_last, 1, kMaxPeriods));
  if (periods < 1 || periods > of_last) {
    json::PathScope scope(path, "periods");
    return FieldError(path.str(),
                      absl::StrCat("must be between 1 and of_last (N of the last M periods, N <= M = ", of_last, ")"),
                      absl::StrCat(periods));
  }
  return CheckGranularity(path, granularity);
}

absl::Status ScorecardCriterion::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckKey(path, "scorecard", scorecard));
  CADRE_RETURN_IF_ERROR(CheckThreshold(path, at_least));
  CADRE_RETURN_IF_ERROR(CheckRange(path, "average_of", average_of, 1, kMaxPeriods));
  return CheckGranularity(path, granularity);
}

absl::Status PromotionCriteria::Validate(json::Path& path) const {
  if (tenure) {
    json::PathScope scope(path, "tenure");
    CADRE_RETURN_IF_ERROR(tenure->Validate(path));
  }
  {
    json::PathScope scope(path, "attainment");
    if (attainment.size() > kMaxCriteria)
      return FieldError(path.str(), absl::StrCat("at most ", kMaxCriteria, " criteria"),
                        absl::StrCat(attainment.size()));
    for (std::size_t i = 0; i < attainment.size(); ++i) {
      json::PathScope item(path, i);
      // Items read from JSON were validated already; built in C++ they were not.
      CADRE_RETURN_IF_ERROR(attainment[i].Validate(path));
    }
  }
  {
    json::PathScope scope(path, "scorecards");
    if (scorecards.size() > kMaxCriteria)
      return FieldError(path.str(), absl::StrCat("at most ", kMaxCriteria, " criteria"),
                        absl::StrCat(scorecards.size()));
    for (std::size_t i = 0; i < scorecards.size(); ++i) {
      json::PathScope item(path, i);
      CADRE_RETURN_IF_ERROR(scorecards[i].Validate(path));
    }
  }
  {
    json::PathScope scope(path, "certifications");
    if (certifications.size() > kMaxCertifications)
      return FieldError(path.str(), absl::StrCat("at most ", kMaxCertifications, " courses"),
                        absl::StrCat(certifications.size()));
    absl::flat_hash_set<std::string_view> seen;
    for (std::size_t i = 0; i < certifications.size(); ++i) {
      json::PathScope item(path, i);
      CADRE_RETURN_IF_ERROR(ValidateId(certifications[i], path.str()));
      if (!seen.insert(certifications[i]).second)
        return FieldError(path.str(), "each course once", Quoted(certifications[i]));
    }
  }
  if (reviews) {
    json::PathScope scope(path, "reviews");
    return FieldError(path.str(),
                      "reviews are not available yet (cadre has no review module, so a ladder cannot require "
                      "ratings); remove this criterion",
                      json::Text(*reviews));
  }
  return absl::OkStatus();
}

absl::Status CareerLevel::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckRange(path, "level", level, 1, kMaxLevel));
  CADRE_RETURN_IF_ERROR(CheckText(path, "name", name, kMaxNameLength));
  json::PathScope scope(path, "promotion");
  return promotion.Validate(path);
}

absl::Status CareerLadder::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckKey(path, "id", id));
  CADRE_RETURN_IF_ERROR(CheckText(path, "name", name, kMaxNameLength));
  CADRE_RETURN_IF_ERROR(CheckOptionalText(path, "description", description, kMaxTextLength));
  {
    json::PathScope scope(path, "roles");
    absl::flat_hash_set<std::string_view> seen;
    for (std::size_t i = 0; i < roles.size(); ++i) {
      json::PathScope item(path, i);
      CADRE_RETURN_IF_ERROR(ValidateId(roles[i], path.str()));
      if (!seen.insert(roles[i]).second) return FieldError(path.str(), "each role once", Quoted(roles[i]));
    }
  }
  {
    json::PathScope scope(path, "levels");
    if (levels.empty()) return FieldError(path.str(), "must list at least one level", "[]");
    if (levels.size() > kMaxLevels)
      return FieldError(path.str(), absl::StrCat("at most ", kMaxLevels, " levels"), absl::StrCat(levels.size()));
    absl::flat_hash_map<int32_t, std::size_t> seen;  // level -> index
    for (std::size_t i = 0; i < levels.size(); ++i) {
      json::PathScope item(path, i);
      CADRE_RETURN_IF_ERROR(levels[i].Validate(path));
      auto [it, inserted] = seen.emplace(levels[i].level, i);
      if (!inserted) {
        json::PathScope field(path, "level");
        return FieldError(path.str(), absl::StrCat("duplicates levels[", it->second, "] (each level once)"),
                          absl::StrCat(levels[i].level));
      }
      if (i > 0 && levels[i].level < levels[i - 1].level) {
        json::PathScope field(path, "level");
        return FieldError(path.str(),
                          absl::StrCat("must be above the level before it (", levels[i - 1].level,
                                       "): levels are listed in increasing order"),
                          absl::StrCat(levels[i].level));
      }
    }
    const CareerLevel& top = levels.back();
    if (!top.promotion.empty()) {
      json::PathScope item(path, levels.size() - 1);
      json::PathScope field(path, "promotion");
      return FieldError(path.str(),
                        absl::StrCat("the top level (", top.level, ") has no next level, so it takes no criteria"),
                        json::ToText(top.promotion));
    }
  }
  return CheckAttributes(path, attributes);
}

const CareerLevel* CareerLadder::FindLevel(int32_t number) const {
  for (const CareerLevel& l : levels)
    if (l.level == number) return &l;
  return nullptr;
}

absl::StatusOr<PromotionConfig> PromotionConfig::Load(const Workspace& workspace, absl::CivilDay as_of) {
  PromotionConfig config;
  CADRE_ASSIGN_OR_RETURN(std::vector<Document> ladders,
                         workspace.List(CareerLadder::kCollection, EndOfDay(as_of, workspace.time_zone())));
  for (const Document& d : ladders) {
    CADRE_ASSIGN_OR_RETURN(CareerLadder l, json::FromText<CareerLadder>(d.body, absl::StrCat("career_ladders/", d.id)));
    config.ladders.push_back(std::move(l));
  }
  std::sort(config.ladders.begin(), config.ladders.end(),
            [](const CareerLadder& a, const CareerLadder& b) { return a.id < b.id; });
  // As the KPI engine reads them: the newest versions.
  CADRE_ASSIGN_OR_RETURN(std::vector<Document> metrics, workspace.List(MetricDefinition::kCollection));
  for (const Document& d : metrics) {
    CADRE_ASSIGN_OR_RETURN(MetricDefinition m, json::FromText<MetricDefinition>(d.body, "metrics"));
    config.metrics.push_back(std::move(m));
  }
  CADRE_ASSIGN_OR_RETURN(std::vector<Document> targets, workspace.List(Target::kCollection));
  for (const Document& d : targets) {
    CADRE_ASSIGN_OR_RETURN(Target t, json::FromText<Target>(d.body, "targets"));
    config.targets.push_back(std::move(t));
  }
  return config;
}

}  // namespace cadre
