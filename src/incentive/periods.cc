// Validation of the period-close and dispute documents.
#include "absl/strings/str_cat.h"
#include "cadre/incentive.h"
#include "cadre/json.h"
#include "cadre/period.h"
#include "cadre/status.h"
#include "model/text_rules.h"

namespace cadre {
namespace {

using model_internal::CheckKey;
using model_internal::CheckOptionalKey;
using model_internal::CheckOptionalText;
using model_internal::CheckText;
using model_internal::kMaxNameLength;
using model_internal::kMaxTextLength;
using model_internal::Quoted;

// An incentive period is a month or a quarter, the periods a plan can have.
absl::Status CheckPeriodText(json::Path& path, std::string_view field, std::string_view text) {
  json::PathScope scope(path, field);
  absl::StatusOr<Period> period = Period::Parse(text);
  if (!period.ok()) return FieldError(path.str(), std::string(period.status().message()), Quoted(text));
  if (period->granularity() != Granularity::kMonth && period->granularity() != Granularity::kQuarter) {
    return FieldError(path.str(), "an incentive period is a month (\"2025-06\") or a quarter (\"2025-Q2\")",
                      Quoted(text));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status IncentivePeriod::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckPeriodText(path, "id", id));
  CADRE_RETURN_IF_ERROR(CheckText(path, "by", by, kMaxNameLength));
  CADRE_RETURN_IF_ERROR(CheckOptionalText(path, "reason", reason, kMaxTextLength));
  if (state == PeriodState::kOpen && !reason) {
    json::PathScope scope(path, "reason");
    return FieldError(path.str(), "reopening a closed period needs a reason");
  }
  if (state == PeriodState::kOpen && through_seq != 0) {
    json::PathScope scope(path, "through_seq");
    return FieldError(path.str(), "only a closed period records the log mark its statements saw",
                      absl::StrCat(through_seq));
  }
  return absl::OkStatus();
}

absl::Status ClosedStatement::Validate(json::Path& path) const {
  {
    json::PathScope scope(path, "statement");
    CADRE_RETURN_IF_ERROR(CheckKey(path, "manager", statement.manager));
    CADRE_RETURN_IF_ERROR(CheckPeriodText(path, "period", statement.period));
  }
  const std::string expected = absl::StrCat(statement.period, "/", statement.manager);
  if (id != expected) {
    json::PathScope scope(path, "id");
    return FieldError(path.str(), absl::StrCat("must be \"<period>/<manager>\" of its statement, ", Quoted(expected)),
                      Quoted(id));
  }
  return absl::OkStatus();
}

absl::Status StatementDispute::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckKey(path, "id", id));
  CADRE_RETURN_IF_ERROR(CheckKey(path, "manager", manager));
  CADRE_RETURN_IF_ERROR(CheckPeriodText(path, "period", period));
  CADRE_RETURN_IF_ERROR(CheckText(path, "line", line, kMaxNameLength));
  CADRE_RETURN_IF_ERROR(CheckText(path, "reason", reason, kMaxTextLength));
  CADRE_RETURN_IF_ERROR(CheckOptionalText(path, "resolution", resolution, kMaxTextLength));
  CADRE_RETURN_IF_ERROR(CheckOptionalText(path, "resolved_by", resolved_by, kMaxNameLength));
  switch (status) {
    case DisputeStatus::kOpen:
      for (auto [field, set] : {std::pair<std::string_view, bool>{"adjustment_minor", adjustment_minor.has_value()},
                                {"resolution", resolution.has_value()},
                                {"resolved_by", resolved_by.has_value()}}) {
        if (set) {
          json::PathScope scope(path, field);
          return FieldError(path.str(), "an open dispute is not resolved yet: leave it out");
        }
      }
      break;
    case DisputeStatus::kAccepted:
    case DisputeStatus::kRejected: {
      const bool accepted = status == DisputeStatus::kAccepted;
      if (!resolution || !resolved_by) {
        json::PathScope scope(path, resolution ? "resolved_by" : "resolution");
        return FieldError(path.str(), "a resolved dispute says why and who resolved it");
      }
      if (accepted && (!adjustment_minor || *adjustment_minor == 0)) {
        json::PathScope scope(path, "adjustment_minor");
        return FieldError(path.str(), "an accepted dispute pays an adjustment (not 0)",
                          adjustment_minor ? "0" : "null");
      }
      if (!accepted && adjustment_minor) {
        json::PathScope scope(path, "adjustment_minor");
        return FieldError(path.str(), "a rejected dispute pays nothing", absl::StrCat(*adjustment_minor));
      }
      break;
    }
  }
  return absl::OkStatus();
}

}  // namespace cadre
