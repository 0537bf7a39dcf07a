// What-if: a candidate plan run over the historical events beside the plan in
// force, both recomputed the same way, on the engine's own credit ledger. Two
// simulation states borrow that ledger (nothing is read twice) and keep their
// own statement memos, so the engine's statements are untouched.
#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "cadre/json.h"
#include "cadre/money.h"
#include "cadre/status.h"
#include "incentive/engine.h"

namespace cadre::incentive_internal {

absl::StatusOr<EngineState::Totals> EngineState::TotalsOnPlan(std::string_view plan, const std::vector<Period>& periods,
                                                              std::span<const std::string> scope) {
  const absl::flat_hash_set<std::string> in_scope(scope.begin(), scope.end());
  Totals totals;
  absl::flat_hash_set<std::string> on_plan;
  for (const Period& period : periods) {
    CADRE_ASSIGN_OR_RETURN(PeriodFacts * facts, FactsOf(period));
    for (const Manager& m : facts->tree.managers()) {
      if (!scope.empty() && !in_scope.contains(m.id)) continue;
      absl::StatusOr<const Computed*> computed = Compute(m.id, period);
      if (absl::IsNotFound(computed.status())) continue;
      CADRE_RETURN_IF_ERROR(computed.status());
      const Statement& st = (*computed)->statement;
      if (plan.empty() || std::any_of(st.lines.begin(), st.lines.end(),
                                      [&](const StatementLine& l) { return l.plan && *l.plan == plan; })) {
        on_plan.insert(m.id);
      }
      auto& [team, total] = totals.by_manager[m.id];
      team = m.team;
      CADRE_ASSIGN_OR_RETURN(total, CheckedAdd(total, st.total_minor));
    }
  }
  // Managers never on the plan in any of the periods are not compared.
  for (auto it = totals.by_manager.begin(); it != totals.by_manager.end();) {
    it = on_plan.contains(it->first) ? std::next(it) : totals.by_manager.erase(it);
  }
  return totals;
}

namespace {

PayoutDistribution Distribution(std::vector<int64_t> values) {
  PayoutDistribution d;
  if (values.empty()) return d;
  std::sort(values.begin(), values.end());
  // Nearest rank: the smallest value with at least q of the values at or below it.
  auto rank = [&](int q) {
    const std::size_t n = values.size();
    const std::size_t r = (n * static_cast<std::size_t>(q) + 99) / 100;
    return values[std::max<std::size_t>(r, 1) - 1];
  };
  d.min_minor = values.front();
  d.p25_minor = rank(25);
  d.median_minor = rank(50);
  d.p75_minor = rank(75);
  d.max_minor = values.back();
  return d;
}

}  // namespace

}  // namespace cadre::incentive_internal

namespace cadre {

using incentive_internal::EngineState;

absl::StatusOr<WhatIfReport> IncentiveEngine::WhatIf(const WhatIfRequest& request) {
  {
    json::Path path;
    json::PathScope scope(path, "candidate");
    CADRE_RETURN_IF_ERROR(request.candidate.Validate(path));
  }
  if (request.plan.empty()) return FieldError("plan", "names the plan in force to compare against", "\"\"");
  if (request.periods < 1 || request.periods > 36) {
    return FieldError("periods", "must be between 1 and 36", absl::StrCat(request.periods));
  }
  if (request.top < 0 || request.top > 1000) {
    return FieldError("top", "must be between 0 and 1000", absl::StrCat(request.top));
  }
  if (request.first.granularity() != request.candidate.period) {
    return FieldError(
        "first",
        absl::StrCat("the candidate pays by ", request.candidate.period == Granularity::kQuarter ? "quarter" : "month",
                     "; the periods must be such periods"),
        absl::StrCat("\"", request.first.ToString(), "\""));
  }
  std::vector<Period> periods;
  for (Period p = request.first; static_cast<int32_t>(periods.size()) < request.periods; p = p.Next()) {
    periods.push_back(p);
  }

  absl::MutexLock lock(&impl_->mu);
  CADRE_RETURN_IF_ERROR(impl_->state.CatchUp());
  const incentive_internal::CreditLedger& ledger = impl_->state.ledger();
  // Both sides read the engine's KPI engine: one catch-up, not three.
  KpiEngine& kpi = impl_->state.kpi();
  EngineState current(impl_->ws, ledger, &kpi, std::nullopt);
  CADRE_RETURN_IF_ERROR(current.CatchUp());
  CADRE_ASSIGN_OR_RETURN(EngineState::Totals now, current.TotalsOnPlan(request.plan, periods, request.managers));
  std::vector<std::string> ids;
  for (const auto& [id, _] : now.by_manager) ids.push_back(id);

  EngineState::Simulation simulation{request.plan, incentive_internal::PlanVersion{0, request.candidate}};
  EngineState candidate(impl_->ws, ledger, &kpi, std::move(simulation));
  CADRE_RETURN_IF_ERROR(candidate.CatchUp());
  CADRE_ASSIGN_OR_RETURN(EngineState::Totals then, candidate.TotalsOnPlan("", periods, ids));

  WhatIfReport report;
  report.plan = request.plan;
  report.candidate = request.candidate.id;
  for (const Period& p : periods) report.periods.push_back(p.ToString());
  std::map<std::string, WhatIfTeam> teams;
  std::vector<int64_t> current_values, candidate_values;
  for (const auto& [id, entry] : now.by_manager) {
    WhatIfManager m;
    m.manager = id;
    m.team = entry.first;
    m.current_minor = entry.second;
    if (auto it = then.by_manager.find(id); it != then.by_manager.end()) m.candidate_minor = it->second.second;
    CADRE_ASSIGN_OR_RETURN(m.change_minor, CheckedAdd(m.candidate_minor, -m.current_minor));
    CADRE_ASSIGN_OR_RETURN(report.current_minor, CheckedAdd(report.current_minor, m.current_minor));
    CADRE_ASSIGN_OR_RETURN(report.candidate_minor, CheckedAdd(report.candidate_minor, m.candidate_minor));
    if (m.team) {
      WhatIfTeam& t = teams[*m.team];
      t.team = *m.team;
      ++t.managers;
      CADRE_ASSIGN_OR_RETURN(t.current_minor, CheckedAdd(t.current_minor, m.current_minor));
      CADRE_ASSIGN_OR_RETURN(t.candidate_minor, CheckedAdd(t.candidate_minor, m.candidate_minor));
      t.change_minor = t.candidate_minor - t.current_minor;
    }
    current_values.push_back(m.current_minor);
    candidate_values.push_back(m.candidate_minor);
    report.managers.push_back(std::move(m));
  }
  report.managers_compared = static_cast<int32_t>(report.managers.size());
  CADRE_ASSIGN_OR_RETURN(report.change_minor, CheckedAdd(report.candidate_minor, -report.current_minor));
  if (report.current_minor != 0) {
    CADRE_ASSIGN_OR_RETURN(Decimal ratio, Ratio(report.change_minor, report.current_minor, RoundingMode::kHalfEven));
    report.change_ratio = ratio;
  }
  report.current_distribution = incentive_internal::Distribution(std::move(current_values));
  report.candidate_distribution = incentive_internal::Distribution(std::move(candidate_values));
  for (auto& [_, t] : teams) report.teams.push_back(std::move(t));
  std::vector<WhatIfManager> by_change = report.managers;
  std::sort(by_change.begin(), by_change.end(), [](const WhatIfManager& a, const WhatIfManager& b) {
    return a.change_minor != b.change_minor ? a.change_minor > b.change_minor : a.manager < b.manager;
  });
  for (const WhatIfManager& m : by_change) {
    if (m.change_minor <= 0 || static_cast<int32_t>(report.gainers.size()) >= request.top) break;
    report.gainers.push_back(m);
  }
  std::stable_sort(by_change.begin(), by_change.end(), [](const WhatIfManager& a, const WhatIfManager& b) {
    return a.change_minor != b.change_minor ? a.change_minor < b.change_minor : a.manager < b.manager;
  });
  for (const WhatIfManager& m : by_change) {
    if (m.change_minor >= 0 || static_cast<int32_t>(report.losers.size()) >= request.top) break;
    report.losers.push_back(m);
  }
  return report;
}

}  // namespace cadre
