// Validation of who is on which plan (plan_assignments) and of credit splits
// (credit_splits): the configuration that decides whose statement a credit
// lands on.
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "cadre/incentive.h"
#include "cadre/json.h"
#include "cadre/status.h"
#include "model/text_rules.h"

namespace cadre {
namespace {

using model_internal::CheckKey;
using model_internal::CheckOptionalKey;
using model_internal::Quoted;

constexpr std::size_t kMinShares = 2;
constexpr std::size_t kMaxShares = 20;

}  // namespace

absl::Status PlanAssignment::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckKey(path, "id", id));
  CADRE_RETURN_IF_ERROR(CheckKey(path, "plan", plan));
  CADRE_RETURN_IF_ERROR(CheckOptionalKey(path, "manager", manager));
  CADRE_RETURN_IF_ERROR(CheckOptionalKey(path, "unit", unit));
  if (manager.has_value() == unit.has_value()) {
    json::PathScope scope(path, manager ? "unit" : "manager");
    return FieldError(path.str(), "exactly one of manager and unit names who is on the plan",
                      manager ? Quoted(*unit) : "null");
  }
  return absl::OkStatus();
}

absl::Status CreditSplit::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckKey(path, "id", id));
  CADRE_RETURN_IF_ERROR(CheckKey(path, "customer", customer));
  json::PathScope shares_scope(path, "shares");
  if (shares.size() < kMinShares || shares.size() > kMaxShares) {
    return FieldError(path.str(),
                      absl::StrCat("a split shares a customer between ", kMinShares, " and ", kMaxShares, " managers"),
                      absl::StrCat(shares.size(), " shares"));
  }
  const Decimal hundred = Decimal::FromUnits(100 * Decimal::kOne);
  Decimal sum;
  absl::flat_hash_set<std::string_view> seen;
  for (std::size_t i = 0; i < shares.size(); ++i) {
    json::PathScope item(path, i);
    CADRE_RETURN_IF_ERROR(CheckKey(path, "manager", shares[i].manager));
    if (!seen.insert(shares[i].manager).second) {
      json::PathScope field(path, "manager");
      return FieldError(path.str(), "each manager takes one share", Quoted(shares[i].manager));
    }
    if (shares[i].percent <= Decimal() || shares[i].percent > hundred) {
      json::PathScope field(path, "percent");
      return FieldError(path.str(), "must be above 0 and at most 100", shares[i].percent.ToString());
    }
    // Each share is at most 100 and there are at most 20, so the sum cannot overflow.
    sum = Decimal::FromUnits(sum.units() + shares[i].percent.units());
  }
  if (sum != hundred) {
    return FieldError(path.str(), "the percents must add up to exactly 100", sum.ToString());
  }
  return absl::OkStatus();
}

}  // namespace cadre
