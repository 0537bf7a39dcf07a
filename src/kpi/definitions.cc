// The KPI configuration documents: their rules, the built-in metrics, and the
// check of the graph that derived metrics form.
#include <algorithm>
#include <array>
#include <functional>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cadre/json.h"
#include "cadre/kpi.h"
#include "cadre/status.h"
#include "cadre/workspace.h"
#include "kpi/formula.h"
#include "model/text_rules.h"

namespace cadre {
namespace {

using model_internal::CheckAttributes;
using model_internal::CheckKey;
using model_internal::CheckOptionalText;
using model_internal::CheckText;
using model_internal::Quoted;

constexpr std::size_t kMaxName = 200;
constexpr std::size_t kMaxItems = 100;

// The meanings are the contract; docs/kpi.md repeats them with examples.
constexpr std::array<BuiltinMetric, 22> kBuiltins = {{
    {"net_sales", MetricUnit::kMoney, true,
     "sales minus returns (amount_minor), each counted in the period it happened, credited to the manager named on "
     "the event or else to the customer's owner when it happened"},
    {"gross_sales", MetricUnit::kMoney, true, "the amounts of the sales in the period"},
    {"returns", MetricUnit::kMoney, false, "the amounts refunded by the returns in the period"},
    {"orders", MetricUnit::kCount, true, "the sale events in the period (a sale's lines are one basket)"},
    {"average_order_value", MetricUnit::kMoney, true, "gross_sales / orders"},
    {"new_customers", MetricUnit::kCount, true,
     "customers whose first purchase ever (their earliest sale in the whole workspace) falls in the period, credited "
     "to the manager credited with that sale"},
    {"buyers", MetricUnit::kCount, true, "distinct customers with a sale credited to the manager in the period"},
    {"repeat_purchase_rate", MetricUnit::kRatio, true,
     "of the buyers, the share with two sales or more credited to the manager in the period"},
    {"return_rate", MetricUnit::kRatio, false, "returns / gross_sales (amounts)"},
    {"interactions", MetricUnit::kCount, true, "the interactions credited to the manager in the period"},
    {"contact_coverage", MetricUnit::kRatio, true,
     "of the customers the manager owns at the end of the period, the share with an interaction credited to the "
     "manager in the period"},
    {"follow_ups_on_time", MetricUnit::kRatio, true,
     "of the follow-up tasks credited to the manager and due in the period, the share done by the end of their due "
     "day"},
    {"win_rate", MetricUnit::kRatio, true,
     "of the opportunities credited to the manager that closed in the period, the share won"},
    {"weighted_pipeline", MetricUnit::kMoney, true,
     "the expected value of the manager's opportunities open at the end of the period, each times the win "
     "probability of its stage"},
    {"csat", MetricUnit::kScore, true, "the average csat survey score (1-5) of the responses in the period"},
    {"nps", MetricUnit::kPoints, true,
     "promoters (9-10) minus detractors (0-6), as a percentage of the nps responses in the period"},
    {"survey_responses", MetricUnit::kCount, true, "the survey responses (csat and nps) in the period"},
    {"complaints_resolved_in_sla", MetricUnit::kRatio, true,
     "the complaints opened in the period and resolved by its end within their case_slas resolution target, over "
     "those resolved with a target (business time on the calendar \"default\" if there is one, else round the "
     "clock)"},
    {"sop_compliance", MetricUnit::kRatio, true,
     "the SOP steps falling due in the period that were completed by their due instant, over those due, as "
     "evaluated at the period's end (open steps past due count as missed)"},
    {"training_completion", MetricUnit::kRatio, true,
     "the training requirements of the manager's role met on the period's last day (course passed; a renewing "
     "certification still valid), over those required of them then; no value when nothing is required"},
    {"first_response_time", MetricUnit::kMinutes, false,
     "the average business time to first response, in minutes, of the complaints opened in the period that have a "
     "first response by its end (waits on the customer left out; business time on the calendar \"default\" if there "
     "is one, else round the clock); the pair is the business seconds over 60 x those complaints"},
    {"certification_compliance", MetricUnit::kRatio, true,
     "of the training requirements of the manager's role whose course grants a certification, the share met on the "
     "period's last day (course passed; a renewing certification still valid); no value when none is required"},
}};

bool IsMetricName(std::string_view id) {
  if (id.empty() || id.size() > 64 || id[0] < 'a' || id[0] > 'z') return false;
  return std::all_of(id.begin(), id.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

absl::Status CheckDecimalRange(json::Path& path, std::string_view field, Decimal value, Decimal low,
                               std::string_view rule) {
  if (value >= low) return absl::OkStatus();
  json::PathScope scope(path, field);
  return FieldError(path.str(), rule, Quoted(value.ToString()));
}

}  // namespace

std::span<const BuiltinMetric> BuiltinMetrics() { return kBuiltins; }

const BuiltinMetric* FindBuiltinMetric(std::string_view id) {
  for (const BuiltinMetric& b : kBuiltins)
    if (b.id == id) return &b;
  return nullptr;
}

absl::Status MetricDefinition::Validate(json::Path& path) const {
  {
    json::PathScope scope(path, "id");
    if (!IsMetricName(id))
      return FieldError(
          path.str(), "must be 1-64 characters of a-z, 0-9 and _, starting with a letter (formulas name metrics by id)",
          Quoted(id));
    if (FindBuiltinMetric(id) != nullptr)
      return FieldError(path.str(), "is the id of a built-in metric (choose another id)", Quoted(id));
  }
  CADRE_RETURN_IF_ERROR(CheckText(path, "name", name, kMaxName));
  CADRE_RETURN_IF_ERROR(CheckOptionalText(path, "description", description, 2000));
  if (aggregate.has_value() == formula.has_value()) {
    json::PathScope scope(path, aggregate ? "formula" : "aggregate");
    return FieldError(path.str(), "give exactly one of aggregate (a base metric) and formula (a derived metric)");
  }
  if (formula) {
    if (field) {
      json::PathScope scope(path, "field");
      return FieldError(path.str(), "a derived metric has no field (its formula names the metrics it uses)");
    }
    json::PathScope scope(path, "formula");
    CADRE_ASSIGN_OR_RETURN(kpi_internal::Formula f, kpi_internal::Formula::Compile(*formula, path.str()));
    for (const std::string& name : f.variables())
      if (name == id)
        return FieldError(path.str(), absl::StrCat("uses the metric itself (", name, ")"), Quoted(*formula));
    return absl::OkStatus();
  }
  // A base metric.
  if (*aggregate != Aggregate::kCount && !field) {
    json::PathScope scope(path, "field");
    return FieldError(path.str(), absl::StrCat("required field is missing (", AbslView(json::EnumName(*aggregate)),
                                               " aggregates a field: amount, quantity, score, customer or reference)"));
  }
  if (field) {
    const bool identity = *field == MetricField::kCustomer || *field == MetricField::kReference;
    const bool distinct = *aggregate == Aggregate::kDistinctCount || *aggregate == Aggregate::kCount;
    if (identity != distinct && !(*aggregate == Aggregate::kCount)) {
      json::PathScope scope(path, "field");
      return FieldError(path.str(),
                        identity ? "customer and reference can only be counted (distinct_count)"
                                 : "distinct_count counts customers or references",
                        Quoted(json::EnumName(*field)));
    }
  }
  {
    json::PathScope filter_scope(path, "filter");
    json::PathScope kinds_scope(path, "kinds");
    for (std::size_t i = 0; i < filter.kinds.size(); ++i) {
      EventKind k = filter.kinds[i];
      if (k != EventKind::kSale && k != EventKind::kReturn && k != EventKind::kInteraction &&
          k != EventKind::kSurveyResponse) {
        json::PathScope index(path, i);
        return FieldError(path.str(), "a metric reads sale, return, interaction or survey_response events",
                          Quoted(json::EnumName(k)));
      }
    }
  }
  {
    json::PathScope filter_scope(path, "filter");
    CADRE_RETURN_IF_ERROR(CheckAttributes(path, filter.attributes));
    for (std::size_t i = 0; i < filter.categories.size(); ++i) {
      json::PathScope list(path, "categories");
      json::PathScope index(path, i);
      if (filter.categories[i].empty()) return FieldError(path.str(), "must not be empty", "\"\"");
    }
    for (std::size_t i = 0; i < filter.skus.size(); ++i) {
      json::PathScope list(path, "skus");
      json::PathScope index(path, i);
      if (filter.skus[i].empty()) return FieldError(path.str(), "must not be empty", "\"\"");
    }
  }
  return absl::OkStatus();
}

absl::Status Target::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckKey(path, "id", id));
  {
    json::PathScope scope(path, "metric");
    if (FindBuiltinMetric(metric) == nullptr && !IsMetricName(metric))
      return FieldError(path.str(), "must be a metric id (a built-in or a metrics document)", Quoted(metric));
  }
  if (manager.has_value() == unit.has_value()) {
    json::PathScope scope(path, manager ? "unit" : "manager");
    return FieldError(path.str(), "give exactly one of manager and unit (whose target it is)");
  }
  if (manager) CADRE_RETURN_IF_ERROR(CheckKey(path, "manager", *manager));
  if (unit) CADRE_RETURN_IF_ERROR(CheckKey(path, "unit", *unit));
  {
    json::PathScope scope(path, "period");
    absl::StatusOr<Period> p = Period::Parse(period);
    if (!p.ok()) {
      std::optional<FieldErrorDetails> details = GetFieldErrorDetails(p.status());
      return FieldError(path.str(), details ? details->rule : std::string(p.status().message()), Quoted(period));
    }
  }
  if (basis == TargetBasis::kAbsolute) {
    if (!value) {
      json::PathScope scope(path, "value");
      return FieldError(path.str(), "required field is missing (an absolute target gives its value)");
    }
    if (growth) {
      json::PathScope scope(path, "growth");
      return FieldError(path.str(), "only a growth target has a growth rate", Quoted(growth->ToString()));
    }
  } else {
    if (!growth) {
      json::PathScope scope(path, "growth");
      return FieldError(path.str(), "required field is missing (a growth target gives its rate, e.g. \"0.1\")");
    }
    if (value) {
      json::PathScope scope(path, "value");
      return FieldError(path.str(), "a growth target takes its value from the base period's actual",
                        Quoted(value->ToString()));
    }
    CADRE_RETURN_IF_ERROR(CheckDecimalRange(path, "growth", *growth, Decimal::FromUnits(-Decimal::kOne),
                                            "must be -1 or more (a fall of at most 100 %)"));
  }
  if (unit && proration != Proration::kEmployedDays && proration != Proration::kNone) {
    json::PathScope scope(path, "proration");
    return FieldError(path.str(), "unknown proration rule");
  }
  return absl::OkStatus();
}

absl::Status ScorecardDefinition::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckKey(path, "id", id));
  CADRE_RETURN_IF_ERROR(CheckText(path, "name", name, kMaxName));
  json::PathScope items_scope(path, "items");
  if (items.empty()) return FieldError(path.str(), "must list at least one metric", "[]");
  if (items.size() > kMaxItems)
    return FieldError(path.str(), absl::StrCat("at most ", kMaxItems, " items"), absl::StrCat(items.size()));
  absl::flat_hash_set<std::string> seen;
  for (std::size_t i = 0; i < items.size(); ++i) {
    json::PathScope index(path, i);
    const ScorecardItem& item = items[i];
    {
      json::PathScope scope(path, "metric");
      if (FindBuiltinMetric(item.metric) == nullptr && !IsMetricName(item.metric))
        return FieldError(path.str(), "must be a metric id (a built-in or a metrics document)", Quoted(item.metric));
      if (!seen.insert(item.metric).second)
        return FieldError(path.str(), "appears twice in the scorecard", Quoted(item.metric));
    }
    if (item.weight <= Decimal()) {
      json::PathScope scope(path, "weight");
      return FieldError(path.str(), "must be positive", Quoted(item.weight.ToString()));
    }
    if (item.floor < Decimal()) {
      json::PathScope scope(path, "floor");
      return FieldError(path.str(), "must not be negative", Quoted(item.floor.ToString()));
    }
    if (item.cap < item.floor) {
      json::PathScope scope(path, "cap");
      return FieldError(path.str(), absl::StrCat("must not be below floor (", item.floor.ToString(), ")"),
                        Quoted(item.cap.ToString()));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckMetricGraph(const Workspace& workspace, const MetricDefinition& metric,
                              std::span<const MetricDefinition> pending) {
  // Every metric's formula variables, the saved ones overridden by this batch's.
  absl::flat_hash_map<std::string, std::vector<std::string>> uses;
  CADRE_ASSIGN_OR_RETURN(std::vector<Document> saved, workspace.List(MetricDefinition::kCollection));
  auto add = [&](const MetricDefinition& m) -> absl::Status {
    std::vector<std::string>& vars = uses[m.id];
    vars.clear();
    if (!m.formula) return absl::OkStatus();
    CADRE_ASSIGN_OR_RETURN(kpi_internal::Formula f, kpi_internal::Formula::Compile(*m.formula, "formula"));
    vars = f.variables();
    return absl::OkStatus();
  };
  for (const Document& d : saved) {
    CADRE_ASSIGN_OR_RETURN(MetricDefinition m, json::FromText<MetricDefinition>(d.body));
    CADRE_RETURN_IF_ERROR(add(m));
  }
  for (const MetricDefinition& m : pending) CADRE_RETURN_IF_ERROR(add(m));
  CADRE_RETURN_IF_ERROR(add(metric));
  if (!metric.formula) return absl::OkStatus();

  // Unknown names, reported with their position in the formula.
  for (const std::string& name : uses[metric.id]) {
    if (FindBuiltinMetric(name) != nullptr || uses.contains(name)) continue;
    std::size_t at = metric.formula->find(name);
    return FieldError("formula",
                      absl::StrCat("names \"", name, "\" at position ", at == std::string::npos ? 0 : at + 1,
                                   ", which is neither a built-in metric nor a saved one"),
                      Quoted(*metric.formula));
  }
  // A cycle through `metric`: depth-first from it, over defined metrics.
  std::vector<std::string> trail = {metric.id};
  absl::flat_hash_set<std::string> done;
  std::function<std::optional<std::vector<std::string>>(const std::string&)> visit =
      [&](const std::string& id) -> std::optional<std::vector<std::string>> {
    auto it = uses.find(id);
    if (it == uses.end()) return std::nullopt;
    for (const std::string& next : it->second) {
      if (next == metric.id) {
        std::vector<std::string> cycle = trail;
        cycle.push_back(next);
        return cycle;
      }
      if (!done.insert(next).second) continue;
      trail.push_back(next);
      if (auto cycle = visit(next)) return cycle;
      trail.pop_back();
    }
    return std::nullopt;
  };
  if (std::optional<std::vector<std::string>> cycle = visit(metric.id)) {
    const std::string& first = (*cycle)[1];
    std::size_t at = metric.formula->find(first);
    return FieldError("formula",
                      absl::StrCat("names \"", first, "\" at position ", at == std::string::npos ? 0 : at + 1,
                                   ", which depends on this metric again: ", absl::StrJoin(*cycle, " -> ")),
                      Quoted(*metric.formula));
  }
  return absl::OkStatus();
}

}  // namespace cadre
