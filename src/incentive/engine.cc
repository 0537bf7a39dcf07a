// The incentive engine: statements from the credit ledger, the plan book and
// the KPI and training facts a plan's gates and bonuses read.
//
// A statement is built in three layers, each memoised per (manager, period)
// until the next CatchUp that changes anything:
//   1. own lines: per plan segment, each component's line (commission, KPI
//      bonus, SPIFF) and the clawbacks of returns within their window;
//   2. corrections: in the first open period after the last closed one, the
//      adjustments for closed periods (what a recomputation pays now minus what
//      was paid), and the accepted disputes that land there;
//   3. the plan's rounding, then the draw on the rounded earnings.
// Closed periods are read from their frozen statements (engine_close.cc).
#include "incentive/engine.h"

#include <algorithm>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cadre/json.h"
#include "cadre/kpi.h"
#include "cadre/status.h"
#include "cadre/training.h"
#include "cadre/workspace.h"
#include "model/text_rules.h"

namespace cadre::incentive_internal {

using model_internal::Quoted;

namespace {

bool IsYearOf(const Period& p, int64_t year) { return p.first_day().year() == year; }

// What the memo keeps of a statement handed out: every field later statements
// (draw balances, clawback rates, annual caps) and what-if totals read; not the
// lines' traces nor the notes.
Statement Trimmed(const Statement& st) {
  Statement out;
  out.manager = st.manager;
  out.period = st.period;
  out.currency = st.currency;
  out.state = st.state;
  out.total_minor = st.total_minor;
  out.exact_total = st.exact_total;
  out.rounding = st.rounding;
  out.draw_balance_minor = st.draw_balance_minor;
  out.lines.reserve(st.lines.size());
  for (const StatementLine& line : st.lines) {
    StatementLine& l = out.lines.emplace_back();
    l.id = line.id;
    l.component = line.component;
    l.kind = line.kind;
    l.plan = line.plan;
    l.plan_version = line.plan_version;
    l.base = line.base;
    l.rate = line.rate;
    l.tier = line.tier;
    l.exact_amount = line.exact_amount;
    l.amount_minor = line.amount_minor;
    l.adjusts_period = line.adjusts_period;
  }
  return out;
}

std::string LineId(const PlanComponent& c, const PlanSegment& s, std::size_t segments) {
  if (segments <= 1) return c.id;
  return absl::StrCat(c.id, "@", FormatDay(s.first));
}

}  // namespace

// ---- Plans ----------------------------------------------------------------------------------

absl::StatusOr<std::vector<PlanSegment>> EngineState::SegmentsOf(const Manager& manager, const OrgTree& tree,
                                                                 const Period& period) {
  CADRE_ASSIGN_OR_RETURN(std::vector<PlanSegment> segments, book_.Segments(manager, tree, period));
  if (!simulation_) return segments;
  std::vector<PlanSegment> out;
  for (PlanSegment s : segments) {
    if (s.plan->plan.id == simulation_->replaces) s.plan = &simulation_->candidate;
    // Versions of the replaced plan side by side become one candidate segment.
    if (!out.empty() && out.back().plan == s.plan && out.back().last + 1 == s.first) {
      out.back().last = s.last;
      out.back().days += s.days;
    } else {
      out.push_back(s);
    }
  }
  return out;
}

// ---- Configuration and facts per period ------------------------------------------

absl::StatusOr<EngineState::PeriodFacts*> EngineState::FactsOf(const Period& period) {
  auto& slot = periods_[period.ToString()];
  if (!slot) {
    slot = std::make_unique<PeriodFacts>();
    CADRE_ASSIGN_OR_RETURN(slot->tree, OrgTree::Load(ws_, EndOfDay(period.last_day(), ws_.time_zone())));
  }
  return slot.get();
}

absl::StatusOr<const MetricDefinition*> EngineState::DefinedMetric(std::string_view id) {
  auto it = metrics_.find(AbslView(id));
  if (it != metrics_.end()) return it->second.get();
  absl::StatusOr<Document> doc = ws_.Get(MetricDefinition::kCollection, id);
  std::unique_ptr<MetricDefinition> def;
  if (doc.ok()) {
    CADRE_ASSIGN_OR_RETURN(MetricDefinition parsed,
                           json::FromText<MetricDefinition>(doc->body, absl::StrCat("metrics/", AbslView(id))));
    def = std::make_unique<MetricDefinition>(std::move(parsed));
  } else if (!absl::IsNotFound(doc.status())) {
    return doc.status();
  }
  const MetricDefinition* result = def.get();
  metrics_.emplace(std::string(id), std::move(def));
  return result;
}

absl::StatusOr<std::optional<Exact>> EngineState::MetricValue(const Period& period, std::string_view metric,
                                                              std::string_view manager, std::string_view used_by) {
  // Only metrics whose figure is an exact pair can decide money.
  Exact scale = Exact::FromMinor(1);
  if (FindBuiltinMetric(metric) == nullptr) {
    CADRE_ASSIGN_OR_RETURN(const MetricDefinition* def, DefinedMetric(metric));
    if (def == nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat(AbslView(used_by), " reads metric ", Quoted(metric), ", which is neither built in nor defined"));
    }
    if (def->formula) {
      return absl::FailedPreconditionError(
          absl::StrCat(AbslView(used_by), " reads metric ", Quoted(metric),
                       ", a derived metric (a formula, evaluated in floating point): money can only be decided by "
                       "base or built-in metrics, whose figures are exact"));
    }
    if (def->field == MetricField::kScore) scale = Exact::FromDecimal(Decimal::FromUnits(1));
  }
  CADRE_ASSIGN_OR_RETURN(PeriodFacts * facts, FactsOf(period));
  auto figures = facts->figures.find(AbslView(metric));
  if (figures == facts->figures.end()) {
    // One scorecard of every manager per (period, metric): gates and bonuses of
    // thousands of managers then cost one KPI pass.
    CADRE_RETURN_IF_ERROR(kpi().CatchUp());
    ScorecardRequest request;
    request.metrics = {std::string(metric)};
    request.period = period;
    request.units_rollup = false;
    request.compare_previous = false;
    CADRE_ASSIGN_OR_RETURN(Scorecard card, kpi_->GetScorecard(request));
    absl::flat_hash_map<std::string, std::pair<int64_t, int64_t>> by_manager;
    for (const ScorecardRow& row : card.managers) {
      if (!row.figures.empty()) by_manager[row.subject] = {row.figures[0].numerator, row.figures[0].denominator};
    }
    figures = facts->figures.emplace(std::string(metric), std::move(by_manager)).first;
  }
  auto pair = figures->second.find(AbslView(manager));
  if (pair == figures->second.end() || pair->second.second == 0) return std::optional<Exact>();
  CADRE_ASSIGN_OR_RETURN(Exact value, Exact::Ratio(pair->second.first, pair->second.second));
  CADRE_ASSIGN_OR_RETURN(value, value.Mul(scale));
  return std::optional<Exact>(value);
}

absl::StatusOr<const ManagerTraining*> EngineState::TrainingOf(const Period& period, std::string_view manager) {
  CADRE_ASSIGN_OR_RETURN(PeriodFacts * facts, FactsOf(period));
  if (!facts->training) {
    if (!training_) training_ = std::make_unique<TrainingProjection>();
    CADRE_RETURN_IF_ERROR(training_->CatchUp(ws_));
    CADRE_ASSIGN_OR_RETURN(TrainingConfig config, TrainingConfig::Load(ws_, period.last_day()));
    TrainingRequest request;
    request.as_of = period.last_day();
    request.units = false;
    CADRE_ASSIGN_OR_RETURN(TrainingReport report,
                           BuildTrainingReport(*training_, config, facts->tree, request, ws_.time_zone()));
    facts->training = std::make_unique<TrainingReport>(std::move(report));
  }
  for (const ManagerTraining& m : facts->training->managers) {
    if (m.manager == manager) return &m;
  }
  return nullptr;
}

absl::StatusOr<const Target*> EngineState::TargetOf(const Period& period, std::string_view metric,
                                                    std::string_view manager) {
  CADRE_ASSIGN_OR_RETURN(PeriodFacts * facts, FactsOf(period));
  if (!facts->targets_loaded) {
    CADRE_ASSIGN_OR_RETURN(std::vector<Document> docs,
                           ws_.List(Target::kCollection, EndOfDay(period.last_day(), ws_.time_zone())));
    const std::string text = period.ToString();
    for (const Document& d : docs) {
      CADRE_ASSIGN_OR_RETURN(Target t, json::FromText<Target>(d.body, absl::StrCat("targets/", d.id)));
      if (t.period != text || !t.manager) continue;
      std::string key = absl::StrCat(*t.manager, "\x1f", t.metric);
      // Two targets for one manager and metric: the smaller id wins (as the KPI engine reads them).
      facts->targets.emplace(std::move(key), std::move(t));
    }
    facts->targets_loaded = true;
  }
  auto it = facts->targets.find(absl::StrCat(AbslView(manager), "\x1f", AbslView(metric)));
  return it == facts->targets.end() ? nullptr : &it->second;
}

// ---- Gates ------------------------------------------------------------------------

absl::StatusOr<std::vector<GateFacts>> EngineState::GatherGates(const PlanComponent& c, const Period& period,
                                                                const Manager& manager) {
  std::vector<GateFacts> out;
  for (const Gate& g : c.gates) {
    GateFacts f;
    const std::string used_by = absl::StrCat("gate ", Quoted(g.id), " of component ", Quoted(c.id));
    switch (g.when) {
      case GateCondition::kMetricBelow:
      case GateCondition::kMetricAtLeast: {
        CADRE_ASSIGN_OR_RETURN(f.metric_value, MetricValue(period, *g.metric, manager.id, used_by));
        break;
      }
      case GateCondition::kTrainingOverdue:
      case GateCondition::kCertificationMissing: {
        CADRE_ASSIGN_OR_RETURN(const ManagerTraining* t, TrainingOf(period, manager.id));
        if (t != nullptr) {
          for (const RequirementState& r : t->requirements) {
            if (r.status == RequirementStatus::kOverdue || r.status == RequirementStatus::kLapsed) {
              f.training_overdue = true;
            }
          }
          for (const Certification& cert : t->certifications) {
            if (g.course && cert.course == *g.course && cert.status != CertificationStatus::kExpired) {
              f.certification_held = true;
            }
          }
        }
        break;
      }
    }
    out.push_back(std::move(f));
  }
  return out;
}

// ---- Own lines ------------------------------------------------------------------------

absl::StatusOr<std::vector<uint32_t>> EngineState::CreditedManagers(const PlanComponent& c, const Manager& manager,
                                                                    const OrgTree& tree) {
  std::vector<uint32_t> out;
  const bool overlay = c.commission && c.commission->credit == CreditBasis::kOverlay;
  if (!overlay) {
    if (std::optional<uint32_t> m = ledger_.ManagerIndex(manager.id)) out.push_back(*m);
    return out;
  }
  // A lead's members are the same for every statement of the period (and
  // every component): found once per tree.
  auto cached = overlay_members_.find(std::make_pair(&tree, manager.id));
  if (cached != overlay_members_.end()) return cached->second;
  CADRE_ASSIGN_OR_RETURN(std::vector<const OrgUnit*> led, tree.UnitsLedBy(manager.id));
  absl::flat_hash_set<std::string_view> seen;
  for (const OrgUnit* unit : led) {
    CADRE_ASSIGN_OR_RETURN(std::vector<const Manager*> members, tree.ManagersIn(unit->id));
    for (const Manager* member : members) {
      if (member->id == manager.id || !seen.insert(member->id).second) continue;
      if (std::optional<uint32_t> m = ledger_.ManagerIndex(member->id)) out.push_back(*m);
    }
  }
  std::sort(out.begin(), out.end());
  overlay_members_.emplace(std::make_pair(&tree, manager.id), out);
  return out;
}

absl::StatusOr<Exact> EngineState::RatePaid(const Manager& manager, const PlanComponent& c, absl::CivilDay sale_day,
                                            Granularity granularity) {
  const Period sale_period = Period::Of(granularity, sale_day);
  absl::StatusOr<const Computed*> computed = Compute(manager.id, sale_period);
  if (absl::IsNotFound(computed.status())) return Exact();
  CADRE_RETURN_IF_ERROR(computed.status());
  // What the component's commission lines paid over what they were paid on:
  // the money actually paid, in minor units, per minor unit of base.
  Exact paid;
  Exact base;
  for (const StatementLine& line : (*computed)->statement.lines) {
    if (line.component != c.id || line.kind != LineKind::kCommission) continue;
    int64_t b = 0;
    if (!absl::SimpleAtoi(line.base, &b)) continue;  // bases of commissions are whole minor units
    CADRE_ASSIGN_OR_RETURN(paid, paid.Add(Exact::FromMinor(line.amount_minor)));
    CADRE_ASSIGN_OR_RETURN(base, base.Add(Exact::FromMinor(b)));
  }
  if (base.sign() <= 0) return Exact();
  return paid.Div(base);
}

absl::StatusOr<Exact> EngineState::PaidThisYear(const Manager& manager, const PlanComponent& c, const Period& period,
                                                RoundingScope scope) {
  Exact paid;
  const int64_t year = period.first_day().year();
  for (Period p = period.Previous(); IsYearOf(p, year); p = p.Previous()) {
    absl::StatusOr<const Computed*> computed = Compute(manager.id, p);
    if (absl::IsNotFound(computed.status())) continue;
    CADRE_RETURN_IF_ERROR(computed.status());
    for (std::size_t i = 0; i < (*computed)->statement.lines.size(); ++i) {
      const StatementLine& line = (*computed)->statement.lines[i];
      if (line.component != c.id || line.kind != LineKind::kCommission) continue;
      const Exact amount = scope == RoundingScope::kLine || i >= (*computed)->exact.size()
                               ? Exact::FromMinor(line.amount_minor)
                               : (*computed)->exact[i];
      CADRE_ASSIGN_OR_RETURN(paid, paid.Add(amount));
    }
  }
  return paid;
}

absl::Status EngineState::CommissionLines(const Manager& manager, const Period& period, const PlanSegment& seg,
                                          std::size_t segments, const PlanComponent& c, const OrgTree& tree,
                                          std::vector<LineResult>& lines, std::vector<LineCredits>& credits) {
  const Commission& com = *c.commission;
  const IncentivePlan& plan = seg.plan->plan;
  const int32_t from_day = DayNumber(seg.first), to_day = DayNumber(seg.last);
  CADRE_ASSIGN_OR_RETURN(std::vector<uint32_t> credited, CreditedManagers(c, manager, tree));
  CADRE_ASSIGN_OR_RETURN(Exact proration, Proration(seg.days, period.last_day() - period.first_day() + 1));

  CommissionInputs in;
  in.proration = proration;
  LineCredits base_credits;  // only when collecting (traces expanded, adjustments)
  std::size_t base_count = 0;
  LineCredits clawed;
  std::vector<std::pair<const Credit*, uint32_t>> clawbacks;  // (return credit, credited manager)
  if (com.measure == "net_sales") {
    // The hot loop of a statement: whole minor units summed in 128 bits (no
    // int64 sum of credits can overflow it), one Exact at the end.
    Int128 base = 0;
    for (uint32_t m : credited) {
      for (const Credit& cr : ledger_.CreditsOfDays(m, from_day, to_day)) {
        if (cr.is_return && com.clawback) {
          if (cr.sale_day != Credit::kNoSaleDay && cr.day - cr.sale_day <= com.clawback->window_days) {
            clawbacks.emplace_back(&cr, m);
            continue;
          }
        }
        base += cr.amount_minor;
        ++base_count;
        if (collect_credits_) base_credits.push_back({&cr, m});
      }
    }
    CADRE_ASSIGN_OR_RETURN(in.base, Exact::Ratio(base, 1));
  } else {
    if (segments > 1) {
      return absl::FailedPreconditionError(absl::StrCat(
          "component ", Quoted(c.id), " of plan ", Quoted(plan.id), " measures metric ", Quoted(com.measure),
          ", whose figure covers the whole period, but manager ", Quoted(manager.id), " changed plan within ",
          period.ToString(), "; only net_sales commissions can be split by days"));
    }
    if (com.credit == CreditBasis::kOverlay) {
      return absl::FailedPreconditionError(absl::StrCat("component ", Quoted(c.id), " of plan ", Quoted(plan.id),
                                                        ": overlay credit is for net_sales commissions"));
    }
    const std::string used_by = absl::StrCat("component ", Quoted(c.id), " of plan ", Quoted(plan.id));
    CADRE_ASSIGN_OR_RETURN(std::optional<Exact> value, MetricValue(period, com.measure, manager.id, used_by));
    if (value) in.base = *value;
  }
  if (com.quota_minor) {
    in.quota_minor = *com.quota_minor;
  } else if (com.quota_from_targets) {
    CADRE_ASSIGN_OR_RETURN(const Target* target, TargetOf(period, com.measure, manager.id));
    if (target == nullptr || target->basis != TargetBasis::kAbsolute || !target->value ||
        target->value->units() % Decimal::kOne != 0 || target->value->units() <= 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("component ", Quoted(c.id), " of plan ", Quoted(plan.id),
                       " takes its quota from the targets, but manager ", Quoted(manager.id), " has ",
                       target == nullptr ? "no target" : "no absolute target in whole minor units above 0",
                       " for metric ", Quoted(com.measure), " in ", period.ToString()));
    }
    in.quota_minor = target->value->units() / Decimal::kOne;
  }
  CADRE_ASSIGN_OR_RETURN(in.gates, GatherGates(c, period, manager));
  // Only an annual cap reads what was paid earlier in the year; without one,
  // walking the year's statements is wasted work.
  if (com.annual_cap_minor) {
    CADRE_ASSIGN_OR_RETURN(in.paid_this_year, PaidThisYear(manager, c, period, plan.rounding.scope));
  }
  CADRE_ASSIGN_OR_RETURN(LineResult line, ComputeCommission(c, in));
  line.line.id = LineId(c, seg, segments);
  line.line.plan = plan.id;
  line.line.plan_version = seg.plan->version;
  line.line.trace.credit_count = base_count;
  const Exact commission_amount = line.amount;
  lines.push_back(std::move(line));
  credits.push_back(std::move(base_credits));

  if (clawbacks.empty()) return absl::OkStatus();
  // A return within the window takes back what its sale earned, at the rate
  // the sale's period paid, here in the period of the return. Every return of
  // one sale period pays back at that period's rate, so the returns are summed
  // per sale period and each sum is multiplied once: exactly the sum of the
  // products, without an exact product per return (a region lead's line holds
  // thousands).
  struct SalePeriod {
    int32_t first_day, last_day;  // the period's, as DayNumber
    Exact rate;
    Int128 returned = 0;
  };
  std::vector<SalePeriod> by_sale_period;  // one or two: the window is days long
  Int128 returned = 0;
  std::vector<std::string> notes;
  for (const auto& [ret, m] : clawbacks) {
    const int32_t sale_day = ret->sale_day;  // matched: only such returns are clawed back
    const absl::CivilDay sold_on = absl::CivilDay(1970, 1, 1) + sale_day;
    auto group = std::find_if(by_sale_period.begin(), by_sale_period.end(),
                              [&](const SalePeriod& g) { return sale_day >= g.first_day && sale_day <= g.last_day; });
    if (group == by_sale_period.end()) {
      const Period sale_period = Period::Of(plan.period, sold_on);
      Exact rate;
      if (sale_period == period) {
        // Sold and returned in this period: the rate this very line pays.
        if (in.base.sign() > 0) {
          CADRE_ASSIGN_OR_RETURN(rate, commission_amount.Div(in.base));
        }
      } else {
        CADRE_ASSIGN_OR_RETURN(rate, RatePaid(manager, c, sold_on, plan.period));
      }
      by_sale_period.push_back(SalePeriod{DayNumber(sale_period.first_day()), DayNumber(sale_period.last_day()), rate});
      group = by_sale_period.end() - 1;
    }
    group->returned += ret->amount_minor;
    returned += ret->amount_minor;
    if (notes.size() < 50) {
      CADRE_ASSIGN_OR_RETURN(Exact amount, Exact::FromMinor(ret->amount_minor).Mul(group->rate));
      notes.push_back(absl::StrCat("return of ", ret->amount_minor, " on ", FormatDay(ret->civil_day()),
                                   " for a sale of ", FormatDay(sold_on), " (", ret->day - sale_day, " days, window ",
                                   com.clawback->window_days, "): rate paid ", group->rate.ToText(), " → ",
                                   amount.ToText()));
    }
    if (collect_credits_) clawed.push_back({ret, m});
  }
  Exact total;
  for (const SalePeriod& g : by_sale_period) {
    CADRE_ASSIGN_OR_RETURN(Exact sum, Exact::Ratio(g.returned, 1));
    CADRE_ASSIGN_OR_RETURN(Exact amount, sum.Mul(g.rate));
    CADRE_ASSIGN_OR_RETURN(total, total.Add(amount));
  }
  CADRE_ASSIGN_OR_RETURN(Exact returned_exact, Exact::Ratio(returned, 1));
  LineResult claw;
  claw.amount = total;
  claw.line.id = absl::StrCat(LineId(c, seg, segments), ":clawback");
  claw.line.component = c.id;
  claw.line.kind = LineKind::kClawback;
  claw.line.plan = plan.id;
  claw.line.plan_version = seg.plan->version;
  claw.line.base = returned_exact.ToText();
  claw.line.exact_amount = total.ToText();
  claw.line.trace.credit_count = clawbacks.size();
  claw.line.trace.notes = std::move(notes);
  if (clawbacks.size() > 50) {
    claw.line.trace.notes.push_back(absl::StrCat("... and ", clawbacks.size() - 50, " more"));
  }
  lines.push_back(std::move(claw));
  credits.push_back(std::move(clawed));
  return absl::OkStatus();
}

absl::Status EngineState::SpiffLine(const Manager& manager, const Period& /*period*/, const PlanSegment& seg,
                                    std::size_t segments, const PlanComponent& c, std::vector<LineResult>& lines,
                                    std::vector<LineCredits>& credits) {
  const Spiff& spiff = *c.spiff;
  const IncentivePlan& plan = seg.plan->plan;
  int32_t from_day = DayNumber(seg.first), to_day = DayNumber(seg.last);
  if (spiff.from) from_day = std::max(from_day, DayNumber(*spiff.from));
  if (spiff.to) to_day = std::min(to_day, DayNumber(*spiff.to));
  const bool any_item = !spiff.categories.empty() || !spiff.skus.empty();
  const ItemSet items = any_item ? ledger_.Items(spiff.categories, spiff.skus) : ItemSet{};
  Exact amount;
  int64_t qualifying = 0;
  LineCredits used;
  if (std::optional<uint32_t> m = ledger_.ManagerIndex(manager.id); m && from_day <= to_day) {
    for (const Credit& cr : ledger_.CreditsOfDays(*m, from_day, to_day)) {
      if (cr.is_return || cr.amount_minor <= 0) continue;
      const int64_t whole = ledger_.EventAmount(cr);
      if (whole < spiff.min_amount_minor) continue;
      if (any_item && !ledger_.HasItem(cr, items)) continue;
      if (spiff.per == SpiffPer::kNewCustomer && !ledger_.IsFirstSale(cr)) continue;
      // A split sale pays each manager the SPIFF in proportion to their part.
      CADRE_ASSIGN_OR_RETURN(Exact share, Exact::Ratio(cr.amount_minor, whole));
      CADRE_ASSIGN_OR_RETURN(Exact pay, Exact::FromMinor(spiff.amount_minor).Mul(share));
      CADRE_ASSIGN_OR_RETURN(amount, amount.Add(pay));
      ++qualifying;
      if (collect_credits_) used.push_back({&cr, *m});
    }
  }
  LineResult line;
  line.amount = amount;
  line.line.id = LineId(c, seg, segments);
  line.line.component = c.id;
  line.line.kind = LineKind::kSpiff;
  line.line.plan = plan.id;
  line.line.plan_version = seg.plan->version;
  line.line.base = absl::StrCat(qualifying);
  line.line.exact_amount = amount.ToText();
  line.line.trace.credit_count = static_cast<std::size_t>(qualifying);
  line.line.trace.notes.push_back(
      absl::StrCat(qualifying, spiff.per == SpiffPer::kNewCustomer ? " new customers" : " sales", " qualify × ",
                   spiff.amount_minor, " (days ", FormatDay(absl::CivilDay(1970, 1, 1) + from_day), " .. ",
                   FormatDay(absl::CivilDay(1970, 1, 1) + to_day), ", at least ", spiff.min_amount_minor, ")"));
  lines.push_back(std::move(line));
  credits.push_back(std::move(used));
  return absl::OkStatus();
}

absl::StatusOr<std::optional<Exact>> EngineState::ScorecardTotal(const Period& period, const Manager& manager,
                                                                 std::string_view scorecard_id,
                                                                 std::vector<std::string>& notes) {
  CADRE_ASSIGN_OR_RETURN(Document doc, ws_.Get(ScorecardDefinition::kCollection, scorecard_id,
                                               EndOfDay(period.last_day(), ws_.time_zone())));
  CADRE_ASSIGN_OR_RETURN(ScorecardDefinition def, json::FromText<ScorecardDefinition>(
                                                      doc.body, absl::StrCat("scorecards/", AbslView(scorecard_id))));
  Exact weighted, weights;
  for (const ScorecardItem& item : def.items) {
    const std::string used_by = absl::StrCat("the KPI bonus's scorecard ", Quoted(scorecard_id));
    CADRE_ASSIGN_OR_RETURN(std::optional<Exact> value, MetricValue(period, item.metric, manager.id, used_by));
    CADRE_ASSIGN_OR_RETURN(const Target* target, TargetOf(period, item.metric, manager.id));
    if (target != nullptr && (target->basis != TargetBasis::kAbsolute || !target->value)) {
      return absl::FailedPreconditionError(
          absl::StrCat(AbslView(used_by), ": the target of manager ", Quoted(manager.id), " for ", Quoted(item.metric),
                       " in ", period.ToString(), " is not absolute; a bonus needs an exact target"));
    }
    if (!value || target == nullptr) {
      notes.push_back(absl::StrCat(item.metric, ": ", !value ? "no value" : "no target", ", left out"));
      continue;
    }
    Exact goal = Exact::FromDecimal(*target->value);
    if (target->proration == Proration::kEmployedDays) {
      int employed = 0;
      for (absl::CivilDay d = period.first_day(); d <= period.last_day(); ++d) employed += EmployedOn(manager, d);
      if (employed == 0) continue;
      CADRE_ASSIGN_OR_RETURN(Exact p, Proration(employed, period.last_day() - period.first_day() + 1));
      CADRE_ASSIGN_OR_RETURN(goal, goal.Mul(p));
    }
    bool higher = true;
    if (const BuiltinMetric* b = FindBuiltinMetric(item.metric)) {
      higher = b->higher_is_better;
    } else {
      CADRE_ASSIGN_OR_RETURN(const MetricDefinition* d, DefinedMetric(item.metric));
      if (d != nullptr) higher = d->higher_is_better;
    }
    if (goal.is_zero() || (!higher && value->is_zero())) {
      notes.push_back(absl::StrCat(item.metric, ": no attainment (nothing to divide by), left out"));
      continue;
    }
    CADRE_ASSIGN_OR_RETURN(Exact attainment, higher ? value->Div(goal) : goal.Div(*value));
    const Exact score = Min(Max(attainment, Exact::FromDecimal(item.floor)), Exact::FromDecimal(item.cap));
    CADRE_ASSIGN_OR_RETURN(Exact w_score, score.Mul(Exact::FromDecimal(item.weight)));
    CADRE_ASSIGN_OR_RETURN(weighted, weighted.Add(w_score));
    CADRE_ASSIGN_OR_RETURN(weights, weights.Add(Exact::FromDecimal(item.weight)));
    notes.push_back(absl::StrCat(item.metric, ": value ", value->ToText(), " / target ", goal.ToText(),
                                 " = attainment ", attainment.ToText(), ", score ", score.ToText(), " × weight ",
                                 item.weight.ToString()));
  }
  if (weights.is_zero()) return std::optional<Exact>();
  CADRE_ASSIGN_OR_RETURN(Exact total, weighted.Div(weights));
  return std::optional<Exact>(total);
}

absl::Status EngineState::BonusLine(const Manager& manager, const Period& period, const PlanSegment& seg,
                                    std::size_t segments, const PlanComponent& c, std::vector<LineResult>& lines,
                                    std::vector<LineCredits>& credits) {
  const IncentivePlan& plan = seg.plan->plan;
  KpiBonusInputs in;
  CADRE_ASSIGN_OR_RETURN(in.proration, Proration(seg.days, period.last_day() - period.first_day() + 1));
  std::vector<std::string> notes;
  CADRE_ASSIGN_OR_RETURN(in.total, ScorecardTotal(period, manager, c.kpi_bonus->scorecard, notes));
  CADRE_ASSIGN_OR_RETURN(in.gates, GatherGates(c, period, manager));
  CADRE_ASSIGN_OR_RETURN(LineResult line, ComputeKpiBonus(c, in));
  line.line.id = LineId(c, seg, segments);
  line.line.plan = plan.id;
  line.line.plan_version = seg.plan->version;
  for (std::string& n : notes) line.line.trace.notes.push_back(std::move(n));
  lines.push_back(std::move(line));
  credits.emplace_back();
  return absl::OkStatus();
}

absl::Status EngineState::OwnLines(const Manager& manager, const Period& period, const OrgTree& tree,
                                   const std::vector<PlanSegment>& segments, std::vector<LineResult>& lines,
                                   std::vector<LineCredits>& credits) {
  for (const PlanSegment& seg : segments) {
    const IncentivePlan& plan = seg.plan->plan;
    if (plan.period != period.granularity()) {
      return absl::FailedPreconditionError(absl::StrCat("plan ", Quoted(plan.id), " of manager ", Quoted(manager.id),
                                                        " pays by ",
                                                        plan.period == Granularity::kQuarter ? "quarter" : "month",
                                                        "; ", period.ToString(), " is not such a period"));
    }
    for (const PlanComponent& c : plan.components) {
      switch (c.type) {
        case ComponentType::kCommission:
          CADRE_RETURN_IF_ERROR(CommissionLines(manager, period, seg, segments.size(), c, tree, lines, credits));
          break;
        case ComponentType::kSpiff:
          CADRE_RETURN_IF_ERROR(SpiffLine(manager, period, seg, segments.size(), c, lines, credits));
          break;
        case ComponentType::kKpiBonus:
          CADRE_RETURN_IF_ERROR(BonusLine(manager, period, seg, segments.size(), c, lines, credits));
          break;
      }
    }
  }
  return absl::OkStatus();
}

// ---- The whole statement -----------------------------------------------------------

absl::StatusOr<EngineState::Computed*> EngineState::Compute(std::string_view manager_id, const Period& period) {
  // Keyed by the period's first day and granularity, not its text: this
  // lookup runs several times per statement.
  const MemoKey key{int64_t{DayNumber(period.first_day())} * 8 + static_cast<int>(period.granularity()),
                    std::string(manager_id)};
  if (auto it = computed_.find(key); it != computed_.end()) {
    if (!it->second) {
      return absl::NotFoundError(
          absl::StrCat("manager ", Quoted(manager_id), " has no incentive statement for ", period.ToString()));
    }
    return it->second.get();
  }
  if (in_progress_.contains(key)) {
    return absl::InternalError(
        absl::StrCat("statement of ", AbslView(manager_id), " for ", period.ToString(), " depends on itself"));
  }
  in_progress_.insert(key);
  absl::StatusOr<std::unique_ptr<Computed>> built = Build(manager_id, period);
  in_progress_.erase(key);
  if (absl::IsNotFound(built.status())) {
    computed_.emplace(key, nullptr);
    return built.status();
  }
  CADRE_RETURN_IF_ERROR(built.status());
  return computed_.emplace(key, std::move(*built)).first->second.get();
}

absl::StatusOr<std::unique_ptr<EngineState::Computed>> EngineState::Build(std::string_view manager_id,
                                                                          const Period& period) {
  CADRE_ASSIGN_OR_RETURN(PeriodState state, StateOf(period));
  if (state == PeriodState::kClosed) return Frozen(manager_id, period);
  CADRE_ASSIGN_OR_RETURN(PeriodFacts * facts, FactsOf(period));
  const Manager* manager = facts->tree.FindManager(manager_id);
  if (manager == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("manager ", Quoted(manager_id), " is not in the org tree at the end of ", period.ToString()));
  }
  // Before the first period the log has facts for there is nothing to pay, and
  // no draw to advance: this bounds the walk back that balances and caps make.
  if (first_day_ && period.last_day() < *first_day_) {
    return absl::NotFoundError(absl::StrCat("manager ", Quoted(manager_id), " has no incentive statement for ",
                                            period.ToString(), ": it is before the first event"));
  }
  CADRE_ASSIGN_OR_RETURN(std::vector<PlanSegment> segments, SegmentsOf(*manager, facts->tree, period));
  if (segments.empty()) {
    return absl::NotFoundError(
        absl::StrCat("manager ", Quoted(manager_id), " is on no incentive plan in ", period.ToString()));
  }
  auto out = std::make_unique<Computed>();
  out->credits_collected = collect_credits_;
  std::vector<LineResult> lines;
  lines.reserve(8);  // a few components, a clawback, a draw: no regrowth moving lines around
  CADRE_RETURN_IF_ERROR(OwnLines(*manager, period, facts->tree, segments, lines, out->credits));
  out->own_lines = lines.size();
  CADRE_RETURN_IF_ERROR(Corrections(*manager, period, lines, out->credits));

  const IncentivePlan& last_plan = segments.back().plan->plan;
  CADRE_ASSIGN_OR_RETURN(RoundedTotal rounded, Round(lines, last_plan.rounding));
  Statement& st = out->statement;
  st.manager = manager->id;
  st.period = period.ToString();
  st.currency = std::string(ws_.currency().code());
  st.state = PeriodState::kOpen;
  st.rounding = last_plan.rounding.scope;
  st.total_minor = rounded.total_minor;
  st.exact_total = rounded.exact_total.ToText();
  st.notes.push_back(rounded.note);
  if (segments.size() > 1) {
    for (const PlanSegment& s : segments) {
      st.notes.push_back(absl::StrCat("plan ", s.plan->plan.id, " v", s.plan->version, " from ", FormatDay(s.first),
                                      " to ", FormatDay(s.last), " (", s.days, " days)"));
    }
  } else if (segments[0].days != period.last_day() - period.first_day() + 1) {
    st.notes.push_back(absl::StrCat("on plan ", segments[0].plan->plan.id, " ", segments[0].days, " of ",
                                    period.last_day() - period.first_day() + 1, " days (", FormatDay(segments[0].first),
                                    " to ", FormatDay(segments[0].last), ")"));
  }
  // The draw works on the rounded earnings, with the balance the previous
  // period left.
  int64_t balance = 0;
  if (std::optional<Draw> draw = last_plan.draw) {
    absl::StatusOr<const Computed*> previous = Compute(manager_id, period.Previous());
    if (previous.ok()) {
      balance = (*previous)->statement.draw_balance_minor;
    } else if (!absl::IsNotFound(previous.status())) {
      return previous.status();
    }
    int on_plan_days = 0;
    for (const PlanSegment& s : segments) {
      if (s.plan->plan.draw) on_plan_days += s.days;
    }
    CADRE_ASSIGN_OR_RETURN(Exact proration, Proration(on_plan_days, period.last_day() - period.first_day() + 1));
    CADRE_ASSIGN_OR_RETURN(DrawResult d,
                           ComputeDraw(*draw, rounded.total_minor, balance, proration, last_plan.rounding.mode));
    balance = d.balance_after_minor;
    for (LineResult& l : d.lines) {
      CADRE_ASSIGN_OR_RETURN(int64_t sum, CheckedAdd(st.total_minor, l.line.amount_minor));
      st.total_minor = sum;
      CADRE_ASSIGN_OR_RETURN(rounded.exact_total, rounded.exact_total.Add(l.amount));
      lines.push_back(std::move(l));
      out->credits.emplace_back();
    }
    st.exact_total = rounded.exact_total.ToText();
  }
  st.draw_balance_minor = balance;
  out->exact.reserve(lines.size());
  st.lines.reserve(lines.size());
  for (LineResult& l : lines) {
    out->exact.push_back(l.amount);
    st.lines.push_back(std::move(l.line));
  }
  return out;
}

// ---- The engine --------------------------------------------------------------------------

EngineState::EngineState(const Workspace& workspace, KpiEngine* kpi)
    : ws_(workspace),
      owned_ledger_(std::make_unique<CreditLedger>()),
      ledger_(*owned_ledger_),
      book_(workspace),
      kpi_(kpi) {}

KpiEngine& EngineState::kpi() {
  if (kpi_ == nullptr) {
    owned_kpi_ = std::make_unique<KpiEngine>(ws_);
    kpi_ = owned_kpi_.get();
  }
  return *kpi_;
}

EngineState::EngineState(const Workspace& workspace, const CreditLedger& ledger, KpiEngine* kpi,
                         std::optional<Simulation> simulation)
    : ws_(workspace),
      ledger_(ledger),
      simulation_(std::move(simulation)),
      simulating_(true),
      book_(workspace),
      kpi_(kpi) {}
EngineState::~EngineState() = default;

absl::Status EngineState::CatchUp() {
  const uint64_t mark_before = ledger_.high_water_mark();
  if (owned_ledger_) CADRE_RETURN_IF_ERROR(owned_ledger_->CatchUp(ws_));
  const uint64_t generation = ws_.document_generation();
  if (ledger_.high_water_mark() != mark_before || generation != generation_ || !caught_up_) {
    // Anything new may change any statement: forget what was computed. A
    // period's org tree and targets are documents: they stay while no document
    // was written (events arrive far more often than configuration changes).
    computed_.clear();
    overlay_members_.clear();  // the ledger may know more managers now
    if (generation != generation_) {
      periods_.clear();
    } else {
      for (auto& [_, facts] : periods_) {
        facts->figures.clear();
        facts->training.reset();
      }
    }
    period_states_.clear();
    periods_loaded_ = false;
    accepted_.clear();
    disputes_loaded_ = false;
    metrics_.clear();
    if (generation != generation_) book_.Clear();
    generation_ = generation;
    caught_up_ = true;
    first_day_.reset();
    for (std::size_t m = 0; m < ledger_.manager_count(); ++m) {
      std::span<const Credit> all = ledger_.AllCredits(static_cast<uint32_t>(m));
      if (all.empty()) continue;
      const absl::CivilDay d = all.front().civil_day();
      if (!first_day_ || d < *first_day_) first_day_ = d;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Statement> EngineState::Get(std::string_view manager, const Period& period,
                                           const StatementOptions& options) {
  CADRE_ASSIGN_OR_RETURN(const Computed* computed, Compute(manager, period));
  std::unique_ptr<Computed> again;
  if ((options.expand_credits && !computed->credits_collected) || computed->trimmed) {
    // Statements are memoised without their credits (most are never
    // expanded), and GetAll hands theirs out: this one is built again, from
    // the same state, so it is the same statement.
    std::optional<CreditCollection> on;
    if (options.expand_credits) on.emplace(*this);
    CADRE_ASSIGN_OR_RETURN(again, Build(manager, period));
    computed = again.get();
  }
  Statement st = again ? std::move(again->statement) : computed->statement;
  if (options.expand_credits) {
    for (std::size_t i = 0; i < st.lines.size() && i < computed->credits.size(); ++i) {
      const LineCredits& lc = computed->credits[i];
      if (lc.empty()) continue;
      std::vector<Credit> plain;
      plain.reserve(lc.size());
      for (const auto& [credit, _] : lc) plain.push_back(*credit);
      CADRE_ASSIGN_OR_RETURN(std::vector<CreditTrace> traces, ledger_.Traces(ws_, plain));
      for (std::size_t k = 0; k < traces.size(); ++k) {
        const std::string_view from = ledger_.ManagerId(lc[k].second);
        if (from != manager) {
          traces[k].from_manager = std::string(from);
          if (st.lines[i].kind == LineKind::kCommission) traces[k].via = "overlay";
        }
      }
      st.lines[i].trace.credits = std::move(traces);
    }
  }
  return st;
}

absl::StatusOr<std::vector<Statement>> EngineState::GetAll(const Period& period,
                                                           std::span<const std::string> managers) {
  std::vector<std::string> ids;
  if (!managers.empty()) {
    ids.assign(managers.begin(), managers.end());
  } else {
    CADRE_ASSIGN_OR_RETURN(PeriodState state, StateOf(period));
    if (state == PeriodState::kClosed) {
      CADRE_ASSIGN_OR_RETURN(ids, FrozenManagers(period));
    } else {
      CADRE_ASSIGN_OR_RETURN(PeriodFacts * facts, FactsOf(period));
      for (const Manager& m : facts->tree.managers()) ids.push_back(m.id);
    }
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::vector<Statement> out;
  out.reserve(ids.size());
  for (const std::string& id : ids) {
    absl::StatusOr<Computed*> computed = Compute(id, period);
    if (absl::IsNotFound(computed.status())) continue;
    CADRE_RETURN_IF_ERROR(computed.status());
    Computed& c = **computed;
    if (c.frozen) {
      out.push_back(c.statement);
    } else if (c.trimmed) {  // handed out by an earlier call
      CADRE_ASSIGN_OR_RETURN(std::unique_ptr<Computed> again, Build(id, period));
      out.push_back(std::move(again->statement));
    } else {
      // Moved, not copied: later statements read only the trimmed rest.
      out.push_back(std::move(c.statement));
      c.statement = Trimmed(out.back());
      c.trimmed = true;
    }
  }
  return out;
}

}  // namespace cadre::incentive_internal

namespace cadre {

IncentiveEngine::IncentiveEngine(const Workspace& workspace, KpiEngine* kpi)
    : impl_(std::make_unique<Impl>(workspace, kpi)) {}
IncentiveEngine::~IncentiveEngine() = default;

absl::Status IncentiveEngine::CatchUp() {
  absl::MutexLock lock(&impl_->mu);
  return impl_->state.CatchUp();
}

absl::StatusOr<Statement> IncentiveEngine::GetStatement(std::string_view manager, const Period& period,
                                                        const StatementOptions& options) {
  absl::MutexLock lock(&impl_->mu);
  CADRE_RETURN_IF_ERROR(impl_->state.CatchUp());
  return impl_->state.Get(manager, period, options);
}

absl::StatusOr<std::vector<Statement>> IncentiveEngine::GetStatements(const Period& period,
                                                                      std::span<const std::string> managers) {
  absl::MutexLock lock(&impl_->mu);
  CADRE_RETURN_IF_ERROR(impl_->state.CatchUp());
  return impl_->state.GetAll(period, managers);
}

absl::StatusOr<IncentivePeriod> IncentiveEngine::ClosePeriod(Workspace& workspace, const Period& period,
                                                             std::string_view by, std::optional<std::string> reason) {
  absl::MutexLock lock(&impl_->mu);
  CADRE_RETURN_IF_ERROR(impl_->state.CatchUp());
  return impl_->state.Close(workspace, period, by, std::move(reason));
}

absl::StatusOr<IncentivePeriod> IncentiveEngine::ReopenPeriod(Workspace& workspace, const Period& period,
                                                              std::string_view by, std::string_view reason) {
  absl::MutexLock lock(&impl_->mu);
  CADRE_RETURN_IF_ERROR(impl_->state.CatchUp());
  return impl_->state.Reopen(workspace, period, by, reason);
}

absl::StatusOr<PeriodState> IncentiveEngine::StateOf(const Period& period) {
  absl::MutexLock lock(&impl_->mu);
  CADRE_RETURN_IF_ERROR(impl_->state.CatchUp());
  return impl_->state.StateOf(period);
}

absl::StatusOr<StatementDispute> IncentiveEngine::RaiseDispute(Workspace& workspace, const StatementDispute& dispute) {
  absl::MutexLock lock(&impl_->mu);
  CADRE_RETURN_IF_ERROR(impl_->state.CatchUp());
  return impl_->state.Raise(workspace, dispute);
}

absl::StatusOr<StatementDispute> IncentiveEngine::ResolveDispute(Workspace& workspace, std::string_view id, bool accept,
                                                                 std::optional<int64_t> adjustment_minor,
                                                                 std::string_view resolution, std::string_view by) {
  absl::MutexLock lock(&impl_->mu);
  CADRE_RETURN_IF_ERROR(impl_->state.CatchUp());
  return impl_->state.Resolve(workspace, id, accept, adjustment_minor, resolution, by);
}

std::size_t IncentiveEngine::credit_count() const {
  absl::MutexLock lock(&impl_->mu);
  return impl_->state.ledger().credit_count();
}

std::size_t IncentiveEngine::FactBytes() const {
  absl::MutexLock lock(&impl_->mu);
  return impl_->state.ledger().FactBytes();
}

}  // namespace cadre
