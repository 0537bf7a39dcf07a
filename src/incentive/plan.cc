// Validation of incentive plans (collection "incentive_plans"): every rule a plan
// must keep before it can pay anything, each refusal naming the JSON path, the
// value and the rule. (Plan assignments and credit splits: assignment.cc.)
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "cadre/id.h"
#include "cadre/incentive.h"
#include "cadre/json.h"
#include "cadre/period.h"
#include "cadre/status.h"
#include "model/text_rules.h"

namespace cadre {
namespace {

using model_internal::CheckKey;
using model_internal::CheckOptionalText;
using model_internal::CheckText;
using model_internal::kMaxNameLength;
using model_internal::Quoted;

constexpr std::size_t kMaxComponents = 50;
constexpr std::size_t kMaxTiers = 100;
constexpr std::size_t kMaxGates = 20;
constexpr std::size_t kMaxSpiffKeys = 1000;
constexpr int32_t kMaxClawbackDays = 3650;
constexpr Decimal kZero = Decimal();
constexpr Decimal kOne = Decimal::FromUnits(Decimal::kOne);
constexpr Decimal kMaxRate = Decimal::FromUnits(10 * Decimal::kOne);
// Statement lines of the draw take this id; a component may not.
constexpr std::string_view kDrawLineId = "draw";

std::string DecimalValue(Decimal d) { return Quoted(d.ToString()); }

// Metric ids, as the KPI module names them (formulas name metrics by id).
bool IsMetricId(std::string_view id) {
  if (id.empty() || id.size() > 64 || id[0] < 'a' || id[0] > 'z') return false;
  return std::all_of(id.begin(), id.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

absl::Status CheckMetricId(json::Path& path, std::string_view field, std::string_view value) {
  if (IsMetricId(value)) return absl::OkStatus();
  json::PathScope scope(path, field);
  return FieldError(path.str(), "must be a metric id: 1-64 characters of a-z, 0-9 and _, starting with a letter",
                    Quoted(value));
}

absl::Status Refuse(json::Path& path, std::string_view field, std::string_view rule, std::string_view value_json) {
  json::PathScope scope(path, field);
  return FieldError(path.str(), rule, value_json);
}

absl::Status CheckPositive(json::Path& path, std::string_view field, int64_t value) {
  if (value > 0) return absl::OkStatus();
  return Refuse(path, field, "must be greater than 0 (minor units)", absl::StrCat(value));
}

absl::Status CheckNotNegative(json::Path& path, std::string_view field, Decimal value) {
  if (value >= kZero) return absl::OkStatus();
  return Refuse(path, field, "must not be negative", DecimalValue(value));
}

// A member that only has a meaning with another setting.
template <class T>
absl::Status Forbid(json::Path& path, std::string_view field, const std::optional<T>& value, std::string_view rule) {
  if (!value) return absl::OkStatus();
  if constexpr (std::is_same_v<T, Decimal>) {
    return Refuse(path, field, rule, DecimalValue(*value));
  } else {
    return Refuse(path, field, rule, Quoted(*value));
  }
}

absl::Status Require(json::Path& path, std::string_view field, bool present, std::string_view rule) {
  if (present) return absl::OkStatus();
  json::PathScope scope(path, field);
  return FieldError(path.str(), absl::StrCat("required field is missing (", AbslView(rule), ")"));
}

absl::Status CheckKeys(json::Path& path, std::string_view field, const std::vector<std::string>& keys) {
  if (keys.empty()) return absl::OkStatus();
  json::PathScope scope(path, field);
  if (keys.size() > kMaxSpiffKeys) {
    return FieldError(path.str(), absl::StrCat("at most ", kMaxSpiffKeys, " entries"), absl::StrCat(keys.size()));
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (absl::Status key = ValidateId(keys[i], {}); !key.ok()) {
      json::PathScope item(path, i);
      return ValidateId(keys[i], path.str());
    }
  }
  return absl::OkStatus();
}

bool IsMetricCondition(GateCondition when) {
  return when == GateCondition::kMetricBelow || when == GateCondition::kMetricAtLeast;
}

}  // namespace

absl::Status CommissionTier::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckNotNegative(path, "from", from));
  if (rate && (*rate < kZero || *rate > kMaxRate)) {
    return Refuse(path, "rate", "must be between 0 and 10 (0.035 = 3.5 %)", DecimalValue(*rate));
  }
  if (amount_minor && *amount_minor < 0) {
    return Refuse(path, "amount_minor", "must not be negative", absl::StrCat(*amount_minor));
  }
  if (rate && amount_minor) {
    return Refuse(path, "amount_minor",
                  "give rate (marginal and retroactive tiers) or amount_minor (flat-amount tiers), not both",
                  absl::StrCat(*amount_minor));
  }
  return absl::OkStatus();
}

absl::Status Clawback::Validate(json::Path& path) const {
  if (window_days >= 1 && window_days <= kMaxClawbackDays) return absl::OkStatus();
  return Refuse(path, "window_days", absl::StrCat("must be between 1 and ", kMaxClawbackDays),
                absl::StrCat(window_days));
}

absl::Status Commission::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckMetricId(path, "measure", measure));
  if (quota_minor) CADRE_RETURN_IF_ERROR(CheckPositive(path, "quota_minor", *quota_minor));
  if (quota_minor && quota_from_targets) {
    return Refuse(path, "quota_from_targets", "give quota_minor or quota_from_targets, not both", "true");
  }
  const bool has_quota = quota_minor.has_value() || quota_from_targets;
  {
    json::PathScope tiers_scope(path, "tiers");
    if (tiers.empty()) return FieldError(path.str(), "must list at least one tier", "[]");
    if (tiers.size() > kMaxTiers) {
      return FieldError(path.str(), absl::StrCat("at most ", kMaxTiers, " tiers"), absl::StrCat(tiers.size()));
    }
    if (!has_quota && tiers.size() != 1) {
      return FieldError(path.str(),
                        "without a quota (quota_minor or quota_from_targets) there is no attainment: give exactly one "
                        "tier, from 0",
                        absl::StrCat(tiers.size()));
    }
    const bool flat = method == TierMethod::kFlatAmount;
    for (std::size_t i = 0; i < tiers.size(); ++i) {
      json::PathScope item(path, i);
      // Tiers read from JSON were validated already; built in C++ they were not.
      CADRE_RETURN_IF_ERROR(tiers[i].Validate(path));
      if (i == 0 && tiers[i].from != kZero) {
        return Refuse(path, "from", "the first tier starts at 0", DecimalValue(tiers[i].from));
      }
      if (i > 0 && tiers[i].from <= tiers[i - 1].from) {
        return Refuse(path, "from",
                      absl::StrCat("tiers must be in strictly ascending order of from (the tier before starts at ",
                                   tiers[i - 1].from.ToString(), ")"),
                      DecimalValue(tiers[i].from));
      }
      if (flat && tiers[i].rate) {
        return Refuse(path, "rate", "a flat_amount tier pays amount_minor, not a rate", DecimalValue(*tiers[i].rate));
      }
      if (flat && !tiers[i].amount_minor) {
        CADRE_RETURN_IF_ERROR(Require(path, "amount_minor", false, "a flat_amount tier pays amount_minor"));
      }
      if (!flat && tiers[i].amount_minor) {
        return Refuse(path, "amount_minor",
                      absl::StrCat("a ", AbslView(json::EnumName(method)), " tier pays a rate, not amount_minor"),
                      absl::StrCat(*tiers[i].amount_minor));
      }
      if (!flat && !tiers[i].rate) {
        CADRE_RETURN_IF_ERROR(
            Require(path, "rate", false, absl::StrCat("a ", AbslView(json::EnumName(method)), " tier pays a rate")));
      }
    }
  }
  if (threshold) {
    CADRE_RETURN_IF_ERROR(CheckNotNegative(path, "threshold", *threshold));
    if (!has_quota)
      return Refuse(path, "threshold", "needs a quota (attainment is base / quota)", DecimalValue(*threshold));
  }
  if (attainment_cap) {
    CADRE_RETURN_IF_ERROR(CheckNotNegative(path, "attainment_cap", *attainment_cap));
    if (!has_quota) {
      return Refuse(path, "attainment_cap", "needs a quota (attainment is base / quota)",
                    DecimalValue(*attainment_cap));
    }
  }
  if (cap_minor) CADRE_RETURN_IF_ERROR(CheckPositive(path, "cap_minor", *cap_minor));
  if (annual_cap_minor) CADRE_RETURN_IF_ERROR(CheckPositive(path, "annual_cap_minor", *annual_cap_minor));
  if (clawback) {
    json::PathScope scope(path, "clawback");
    CADRE_RETURN_IF_ERROR(clawback->Validate(path));
  }
  return absl::OkStatus();
}

absl::Status KpiBonus::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckKey(path, "scorecard", scorecard));
  CADRE_RETURN_IF_ERROR(CheckPositive(path, "target_incentive_minor", target_incentive_minor));
  CADRE_RETURN_IF_ERROR(CheckNotNegative(path, "floor", floor));
  if (floor > cap) {
    return Refuse(path, "cap", absl::StrCat("must be at least floor (", floor.ToString(), ")"), DecimalValue(cap));
  }
  return absl::OkStatus();
}

absl::Status Spiff::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckPositive(path, "amount_minor", amount_minor));
  if (from && to && *from > *to) {
    return Refuse(path, "to", absl::StrCat("must not be before from (", FormatDay(*from), ")"), Quoted(FormatDay(*to)));
  }
  if (min_amount_minor < 0) {
    return Refuse(path, "min_amount_minor", "must not be negative", absl::StrCat(min_amount_minor));
  }
  CADRE_RETURN_IF_ERROR(CheckKeys(path, "categories", categories));
  return CheckKeys(path, "skus", skus);
}

absl::Status Gate::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckKey(path, "id", id));
  const std::string when_name(json::EnumName(when));
  if (IsMetricCondition(when)) {
    CADRE_RETURN_IF_ERROR(Require(path, "metric", metric.has_value(), absl::StrCat(when_name, " compares a metric")));
    CADRE_RETURN_IF_ERROR(CheckMetricId(path, "metric", *metric));
    CADRE_RETURN_IF_ERROR(
        Require(path, "value", value.has_value(), absl::StrCat(when_name, " compares the metric with a value")));
  } else {
    const std::string rule =
        absl::StrCat("only metric_below and metric_at_least compare a metric (when is ", when_name, ")");
    CADRE_RETURN_IF_ERROR(Forbid(path, "metric", metric, rule));
    CADRE_RETURN_IF_ERROR(Forbid(path, "value", value, rule));
    if (no_value_fires) return Refuse(path, "no_value_fires", rule, "true");
  }
  if (when == GateCondition::kCertificationMissing) {
    CADRE_RETURN_IF_ERROR(
        Require(path, "course", course.has_value(), "certification_missing names the certifying course"));
    CADRE_RETURN_IF_ERROR(CheckKey(path, "course", *course));
  } else {
    CADRE_RETURN_IF_ERROR(Forbid(path, "course", course,
                                 absl::StrCat("only certification_missing names a course (when is ", when_name, ")")));
  }
  const std::string action_name(json::EnumName(action));
  if (action == GateAction::kCapAttainment) {
    CADRE_RETURN_IF_ERROR(Require(path, "attainment_cap", attainment_cap.has_value(),
                                  "cap_attainment caps attainment at attainment_cap"));
    CADRE_RETURN_IF_ERROR(CheckNotNegative(path, "attainment_cap", *attainment_cap));
  } else {
    CADRE_RETURN_IF_ERROR(
        Forbid(path, "attainment_cap", attainment_cap,
               absl::StrCat("only the action cap_attainment takes an attainment_cap (action is ", action_name, ")")));
  }
  if (action == GateAction::kScale) {
    CADRE_RETURN_IF_ERROR(Require(path, "factor", factor.has_value(), "scale multiplies the amount by factor"));
    if (*factor < kZero || *factor > kOne) {
      return Refuse(path, "factor", "must be between 0 and 1", DecimalValue(*factor));
    }
  } else {
    CADRE_RETURN_IF_ERROR(Forbid(path, "factor", factor,
                                 absl::StrCat("only the action scale takes a factor (action is ", action_name, ")")));
  }
  return absl::OkStatus();
}

absl::Status PlanComponent::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckKey(path, "id", id));
  if (id == kDrawLineId) {
    return Refuse(path, "id", "\"draw\" is the id of the statement's draw lines; choose another", Quoted(id));
  }
  CADRE_RETURN_IF_ERROR(CheckOptionalText(path, "name", name, kMaxNameLength));
  const std::string type_name(json::EnumName(type));
  const std::string rule = absl::StrCat("a component of type ", type_name, " gives only its ", type_name, " member");
  struct Member {
    ComponentType type;
    std::string_view field;
    bool present;
  };
  const Member members[] = {{ComponentType::kCommission, "commission", commission.has_value()},
                            {ComponentType::kKpiBonus, "kpi_bonus", kpi_bonus.has_value()},
                            {ComponentType::kSpiff, "spiff", spiff.has_value()}};
  for (const Member& m : members) {
    if (m.type == type) {
      CADRE_RETURN_IF_ERROR(Require(path, m.field, m.present, rule));
    } else if (m.present) {
      json::PathScope scope(path, m.field);
      return FieldError(path.str(), rule);
    }
  }
  if (commission) {
    json::PathScope scope(path, "commission");
    CADRE_RETURN_IF_ERROR(commission->Validate(path));
  }
  if (kpi_bonus) {
    json::PathScope scope(path, "kpi_bonus");
    CADRE_RETURN_IF_ERROR(kpi_bonus->Validate(path));
  }
  if (spiff) {
    json::PathScope scope(path, "spiff");
    CADRE_RETURN_IF_ERROR(spiff->Validate(path));
  }
  json::PathScope gates_scope(path, "gates");
  if (gates.size() > kMaxGates) {
    return FieldError(path.str(), absl::StrCat("at most ", kMaxGates, " gates"), absl::StrCat(gates.size()));
  }
  // Attainment exists for a commission with a quota (base / quota) and for a KPI
  // bonus (the scorecard total); a SPIFF has none.
  const bool has_attainment =
      (commission && (commission->quota_minor || commission->quota_from_targets)) || kpi_bonus.has_value();
  absl::flat_hash_set<std::string_view> seen;
  for (std::size_t i = 0; i < gates.size(); ++i) {
    json::PathScope item(path, i);
    CADRE_RETURN_IF_ERROR(gates[i].Validate(path));
    if (!seen.insert(gates[i].id).second) {
      return Refuse(path, "id", "gate ids must be unique within the component", Quoted(gates[i].id));
    }
    if (gates[i].action == GateAction::kCapAttainment && !has_attainment) {
      return Refuse(path, "action",
                    "cap_attainment needs an attainment: a commission with a quota, or a KPI bonus (its scorecard "
                    "total)",
                    Quoted("cap_attainment"));
    }
  }
  return absl::OkStatus();
}

absl::Status Draw::Validate(json::Path& path) const { return CheckPositive(path, "amount_minor", amount_minor); }

absl::Status IncentivePlan::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckKey(path, "id", id));
  CADRE_RETURN_IF_ERROR(CheckText(path, "name", name, kMaxNameLength));
  if (period != Granularity::kMonth && period != Granularity::kQuarter) {
    return Refuse(path, "period", "a plan pays by month or quarter", Quoted(json::EnumName(period)));
  }
  {
    json::PathScope scope(path, "components");
    if (components.empty()) return FieldError(path.str(), "must list at least one component", "[]");
    if (components.size() > kMaxComponents) {
      return FieldError(path.str(), absl::StrCat("at most ", kMaxComponents, " components"),
                        absl::StrCat(components.size()));
    }
    absl::flat_hash_set<std::string_view> seen;
    for (std::size_t i = 0; i < components.size(); ++i) {
      json::PathScope item(path, i);
      CADRE_RETURN_IF_ERROR(components[i].Validate(path));
      if (!seen.insert(components[i].id).second) {
        return Refuse(path, "id", "component ids must be unique within the plan", Quoted(components[i].id));
      }
    }
  }
  if (draw) {
    json::PathScope scope(path, "draw");
    CADRE_RETURN_IF_ERROR(draw->Validate(path));
  }
  return absl::OkStatus();
}

}  // namespace cadre
