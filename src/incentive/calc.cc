#include "incentive/calc.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cadre/json.h"
#include "cadre/money.h"
#include "cadre/status.h"

namespace cadre::incentive_internal {
namespace {

const Exact kExactOne = Exact::FromMinor(1);

// The same code, the message saying which component failed.
absl::Status InComponent(const absl::Status& status, std::string_view component) {
  return absl::Status(status.code(), absl::StrCat("component ", AbslView(component), ": ", status.message()));
}

absl::Status CheckProration(const Exact& proration) {
  if (proration.sign() > 0 && proration <= kExactOne) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("proration must be in (0, 1] (days on the plan / days in the period), got ", proration.ToText()));
}

absl::Status CheckGateFacts(const PlanComponent& component, const std::vector<GateFacts>& facts) {
  if (facts.size() == component.gates.size()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("the component has ", component.gates.size(), " gates but ",
                                                 facts.size(), " sets of gate facts were given"));
}

std::string DecimalText(Decimal d) { return d.ToString(); }

// The proration shown in the trace (a Decimal, rounded half-even to nine digits
// when it does not terminate; the exact fraction is in the notes).
absl::Status TraceProration(const Exact& proration, LineTrace& trace) {
  if (proration == kExactOne) return absl::OkStatus();
  CADRE_ASSIGN_OR_RETURN(Decimal shown, proration.ToDecimal(RoundingMode::kHalfEven));
  trace.proration = shown;
  return absl::OkStatus();
}

// Steps 5 and 6 of calc.h for a positive amount: scale gates, then withhold
// gates. Updates the gates' effects with what they changed.
absl::StatusOr<Exact> ApplyAmountGates(const PlanComponent& component, Exact amount, std::vector<GateTrace>& traces,
                                       std::vector<std::string>& notes) {
  for (std::size_t i = 0; i < component.gates.size(); ++i) {
    const Gate& gate = component.gates[i];
    if (gate.action != GateAction::kScale || !traces[i].fired) continue;
    if (amount.sign() <= 0) {
      traces[i].effect = "none (the amount is not positive)";
      continue;
    }
    CADRE_ASSIGN_OR_RETURN(Exact scaled, amount.Mul(Exact::FromDecimal(gate.factor.value_or(Decimal()))));
    traces[i].effect =
        absl::StrCat("scaled by ", DecimalText(gate.factor.value_or(Decimal())), " (was ", amount.ToText(), ")");
    notes.push_back(absl::StrCat("gate ", gate.id, " scaled ", amount.ToText(), " by ",
                                 DecimalText(gate.factor.value_or(Decimal())), ": ", scaled.ToText()));
    amount = scaled;
  }
  for (std::size_t i = 0; i < component.gates.size(); ++i) {
    const Gate& gate = component.gates[i];
    if (gate.action != GateAction::kWithhold || !traces[i].fired) continue;
    if (amount.sign() <= 0) {
      traces[i].effect = "none (the amount is not positive)";
      continue;
    }
    traces[i].effect = absl::StrCat("withheld (was ", amount.ToText(), ")");
    notes.push_back(absl::StrCat("gate ", gate.id, " withheld ", amount.ToText()));
    amount = Exact();
  }
  return amount;
}

// The attainment cap of step 2: the plan's and every fired cap_attainment
// gate's, the lowest. Sets the effects of those gates.
std::optional<Exact> AttainmentCap(const PlanComponent& component, std::optional<Decimal> plan_cap,
                                   const Exact& attainment, std::vector<GateTrace>& traces) {
  std::optional<Exact> cap;
  if (plan_cap) cap = Exact::FromDecimal(*plan_cap);
  for (std::size_t i = 0; i < component.gates.size(); ++i) {
    const Gate& gate = component.gates[i];
    if (gate.action != GateAction::kCapAttainment || !traces[i].fired || !gate.attainment_cap) continue;
    const Exact gate_cap = Exact::FromDecimal(*gate.attainment_cap);
    traces[i].effect = attainment > gate_cap
                           ? absl::StrCat("attainment capped at ", DecimalText(*gate.attainment_cap), " (was ",
                                          attainment.ToText(), ")")
                           : absl::StrCat("none (attainment ", attainment.ToText(), " is within the cap ",
                                          DecimalText(*gate.attainment_cap), ")");
    cap = cap ? Min(*cap, gate_cap) : gate_cap;
  }
  return cap;
}

// Step 4 of calc.h on a base >= 0: the tiers. `attainment` is absent without a
// quota. Fills line.tier, line.rate and trace.tiers.
absl::StatusOr<Exact> PayTiers(const Commission& c, const Exact& base, const std::optional<Exact>& quota,
                               const std::optional<Exact>& attainment, const Exact& proration, StatementLine& line) {
  const std::vector<CommissionTier>& tiers = c.tiers;
  std::size_t reached = 0;
  if (attainment) {
    for (std::size_t i = 1; i < tiers.size(); ++i)
      if (*attainment >= Exact::FromDecimal(tiers[i].from)) reached = i;
  }
  auto tier_trace = [&](std::size_t i) {
    TierTrace t;
    t.tier = static_cast<int32_t>(i);
    t.from = tiers[i].from;
    if (i + 1 < tiers.size()) t.to = tiers[i + 1].from;
    t.rate = tiers[i].rate;
    t.flat_minor = tiers[i].amount_minor;
    return t;
  };
  line.tier = static_cast<int32_t>(reached);
  Exact amount;
  switch (c.method) {
    case TierMethod::kMarginal: {
      // The single rate applied, when only one tier's slice is positive (or,
      // with a base of 0, the first tier's).
      std::vector<Decimal> paying_rates;
      paying_rates.reserve(reached + 1);
      line.trace.tiers.reserve(reached + 1);
      for (std::size_t i = 0; i <= reached; ++i) {
        // The slice from quota × from_i to quota × from_{i+1}, or to the base for
        // the tier reached (without a quota the single tier takes the base).
        Exact lower, upper = base;
        if (quota) {
          CADRE_ASSIGN_OR_RETURN(lower, quota->Mul(Exact::FromDecimal(tiers[i].from)));
          if (i < reached) {
            CADRE_ASSIGN_OR_RETURN(upper, quota->Mul(Exact::FromDecimal(tiers[i + 1].from)));
          }
        }
        CADRE_ASSIGN_OR_RETURN(Exact slice, upper.Sub(lower));
        const Decimal rate = tiers[i].rate.value_or(Decimal());
        CADRE_ASSIGN_OR_RETURN(Exact paid, slice.Mul(Exact::FromDecimal(rate)));
        CADRE_ASSIGN_OR_RETURN(amount, amount.Add(paid));
        if (slice.sign() > 0) paying_rates.push_back(rate);
        TierTrace t = tier_trace(i);
        t.base = slice.ToText();
        t.amount = paid.ToText();
        line.trace.tiers.push_back(std::move(t));
      }
      if (paying_rates.size() == 1) line.rate = paying_rates.front();
      if (paying_rates.empty()) line.rate = tiers.front().rate;
      break;
    }
    case TierMethod::kRetroactive: {
      const Decimal rate = tiers[reached].rate.value_or(Decimal());
      CADRE_ASSIGN_OR_RETURN(amount, base.Mul(Exact::FromDecimal(rate)));
      line.rate = rate;
      TierTrace t = tier_trace(reached);
      t.base = base.ToText();
      t.amount = amount.ToText();
      line.trace.tiers.push_back(std::move(t));
      break;
    }
    case TierMethod::kFlatAmount: {
      const int64_t flat = tiers[reached].amount_minor.value_or(0);
      CADRE_ASSIGN_OR_RETURN(amount, Exact::FromMinor(flat).Mul(proration));
      if (proration != kExactOne) {
        line.trace.notes.push_back(
            absl::StrCat("flat amount ", flat, " prorated by ", proration.ToFractionText(), ": ", amount.ToText()));
      }
      TierTrace t = tier_trace(reached);
      t.base = base.ToText();
      t.amount = amount.ToText();
      line.trace.tiers.push_back(std::move(t));
      break;
    }
  }
  return amount;
}

absl::StatusOr<LineResult> CommissionLine(const PlanComponent& component, const CommissionInputs& in) {
  if (!component.commission) {
    return absl::InvalidArgumentError("is not a commission (it has no commission member)");
  }
  const Commission& c = *component.commission;
  CADRE_RETURN_IF_ERROR(CheckProration(in.proration));
  CADRE_RETURN_IF_ERROR(CheckGateFacts(component, in.gates));
  const bool plan_has_quota = c.quota_minor.has_value() || c.quota_from_targets;
  if (plan_has_quota != in.quota_minor.has_value()) {
    return absl::InvalidArgumentError(plan_has_quota ? "the commission has a quota but none was given"
                                                     : "the commission has no quota but one was given");
  }
  if (in.quota_minor && *in.quota_minor <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("the quota must be positive, got ", *in.quota_minor));
  }

  LineResult result;
  StatementLine& line = result.line;
  LineTrace& trace = line.trace;
  line.id = component.id;
  line.component = component.id;
  line.kind = LineKind::kCommission;
  line.base = in.base.ToText();
  for (std::size_t i = 0; i < component.gates.size(); ++i) {
    trace.gates.push_back(EvaluateGate(component.gates[i], in.gates[i]));
  }

  // Steps 1-3: quota, attainment, its cap, the threshold.
  Exact counted_base = in.base;
  std::optional<Exact> quota, attainment;
  bool below_threshold = false;
  if (in.quota_minor) {
    trace.quota_minor = *in.quota_minor;
    CADRE_RETURN_IF_ERROR(TraceProration(in.proration, trace));
    CADRE_ASSIGN_OR_RETURN(quota, Exact::FromMinor(*in.quota_minor).Mul(in.proration));
    if (in.proration != kExactOne) {
      trace.notes.push_back(absl::StrCat("quota ", *in.quota_minor, " prorated by ", in.proration.ToFractionText(),
                                         " (days on the plan / days in the period): ", quota->ToText()));
    }
    trace.quota = quota->ToText();
    CADRE_ASSIGN_OR_RETURN(attainment, in.base.Div(*quota));
    trace.attainment = attainment->ToText();
    const std::optional<Exact> cap = AttainmentCap(component, c.attainment_cap, *attainment, trace.gates);
    if (cap && *attainment > *cap) {
      CADRE_ASSIGN_OR_RETURN(counted_base, quota->Mul(*cap));
      trace.notes.push_back(absl::StrCat("attainment capped at ", cap->ToText(), " (was ", attainment->ToText(),
                                         "): base counted ", counted_base.ToText(), " of ", in.base.ToText()));
      attainment = *cap;
    }
    if (c.threshold && *attainment < Exact::FromDecimal(*c.threshold)) {
      below_threshold = true;
      trace.notes.push_back(absl::StrCat("attainment ", attainment->ToText(), " is below the threshold ",
                                         DecimalText(*c.threshold), ": nothing is paid"));
    }
  }

  // Step 4: the tiers.
  Exact amount;
  if (!below_threshold) {
    if (counted_base.sign() < 0) {
      if (c.method == TierMethod::kFlatAmount) {
        trace.notes.push_back("negative base (returns exceed sales): a flat-amount table pays nothing");
      } else {
        const Decimal rate = c.tiers.front().rate.value_or(Decimal());
        CADRE_ASSIGN_OR_RETURN(amount, counted_base.Mul(Exact::FromDecimal(rate)));
        line.rate = rate;
        line.tier = 0;
        TierTrace t;
        t.tier = 0;
        t.from = c.tiers.front().from;
        if (c.tiers.size() > 1) t.to = c.tiers[1].from;
        t.rate = rate;
        t.base = counted_base.ToText();
        t.amount = amount.ToText();
        trace.tiers.push_back(std::move(t));
        trace.notes.push_back(absl::StrCat("negative base (returns exceed sales): given back at the first tier's rate ",
                                           DecimalText(rate)));
      }
    } else {
      CADRE_ASSIGN_OR_RETURN(amount, PayTiers(c, counted_base, quota, attainment, in.proration, line));
    }
  }

  // Steps 5-6: scale and withhold gates.
  CADRE_ASSIGN_OR_RETURN(amount, ApplyAmountGates(component, amount, trace.gates, trace.notes));

  // Steps 7-8: the caps.
  if (c.cap_minor && amount > Exact::FromMinor(*c.cap_minor)) {
    trace.notes.push_back(absl::StrCat("capped at ", *c.cap_minor, " per period (was ", amount.ToText(), ")"));
    amount = Exact::FromMinor(*c.cap_minor);
  }
  if (c.annual_cap_minor) {
    CADRE_ASSIGN_OR_RETURN(Exact remaining, Exact::FromMinor(*c.annual_cap_minor).Sub(in.paid_this_year));
    remaining = Max(remaining, Exact());
    if (amount > remaining) {
      trace.notes.push_back(absl::StrCat("annual cap ", *c.annual_cap_minor, ": ", in.paid_this_year.ToText(),
                                         " paid earlier this year, ", remaining.ToText(), " remaining (was ",
                                         amount.ToText(), ")"));
      amount = remaining;
    }
  }

  line.exact_amount = amount.ToText();
  result.amount = amount;
  return result;
}

absl::StatusOr<LineResult> KpiBonusLine(const PlanComponent& component, const KpiBonusInputs& in) {
  if (!component.kpi_bonus) return absl::InvalidArgumentError("is not a KPI bonus (it has no kpi_bonus member)");
  const KpiBonus& bonus = *component.kpi_bonus;
  CADRE_RETURN_IF_ERROR(CheckProration(in.proration));
  CADRE_RETURN_IF_ERROR(CheckGateFacts(component, in.gates));

  LineResult result;
  StatementLine& line = result.line;
  LineTrace& trace = line.trace;
  line.id = component.id;
  line.component = component.id;
  line.kind = LineKind::kKpiBonus;
  for (std::size_t i = 0; i < component.gates.size(); ++i) {
    trace.gates.push_back(EvaluateGate(component.gates[i], in.gates[i]));
  }

  CADRE_RETURN_IF_ERROR(TraceProration(in.proration, trace));
  CADRE_ASSIGN_OR_RETURN(Exact target, Exact::FromMinor(bonus.target_incentive_minor).Mul(in.proration));
  if (in.proration != kExactOne) {
    trace.notes.push_back(absl::StrCat("target incentive ", bonus.target_incentive_minor, " prorated by ",
                                       in.proration.ToFractionText(), ": ", target.ToText()));
  }
  line.base = target.ToText();

  Exact total;
  if (in.total) {
    total = *in.total;
  } else {
    trace.notes.push_back("the scorecard has no total (no item has a score): counted as 0");
  }
  trace.attainment = total.ToText();
  Exact clamped = total;
  const Exact floor = Exact::FromDecimal(bonus.floor);
  if (clamped < floor) {
    trace.notes.push_back(
        absl::StrCat("scorecard total ", total.ToText(), " raised to the floor ", DecimalText(bonus.floor)));
    clamped = floor;
  }
  const std::optional<Exact> cap = AttainmentCap(component, bonus.cap, clamped, trace.gates);
  if (cap && clamped > *cap) {
    trace.notes.push_back(absl::StrCat("scorecard total ", clamped.ToText(), " lowered to the cap ", cap->ToText()));
    clamped = *cap;
  }
  if (clamped.IsDecimal()) {
    CADRE_ASSIGN_OR_RETURN(Decimal rate, clamped.ToDecimal(RoundingMode::kHalfEven));
    line.rate = rate;
  }
  CADRE_ASSIGN_OR_RETURN(Exact amount, target.Mul(clamped));
  CADRE_ASSIGN_OR_RETURN(amount, ApplyAmountGates(component, amount, trace.gates, trace.notes));
  line.exact_amount = amount.ToText();
  result.amount = amount;
  return result;
}

LineResult DrawLine(LineKind kind, int64_t amount_minor, int64_t earnings_minor, std::string note) {
  LineResult result;
  result.amount = Exact::FromMinor(amount_minor);
  StatementLine& line = result.line;
  line.id = "draw";
  line.component = "draw";
  line.kind = kind;
  line.base = absl::StrCat(earnings_minor);
  line.exact_amount = result.amount.ToText();
  line.amount_minor = amount_minor;
  line.trace.notes.push_back(std::move(note));
  return result;
}

}  // namespace

absl::StatusOr<Exact> Proration(int days_on_plan, int days_in_period) {
  if (days_in_period <= 0 || days_on_plan <= 0 || days_on_plan > days_in_period) {
    return absl::InvalidArgumentError(absl::StrCat("proration of ", days_on_plan, " days on the plan in a period of ",
                                                   days_in_period,
                                                   " days: expected 0 < days on the plan <= days in the period"));
  }
  return Exact::Ratio(days_on_plan, days_in_period);
}

GateTrace EvaluateGate(const Gate& gate, const GateFacts& facts) {
  GateTrace trace;
  trace.gate = gate.id;
  trace.when = gate.when;
  trace.metric = gate.metric;
  trace.value = gate.value;
  switch (gate.when) {
    case GateCondition::kMetricBelow:
    case GateCondition::kMetricAtLeast:
      if (!facts.metric_value) {
        trace.fired = gate.no_value_fires;
      } else {
        trace.actual = facts.metric_value->ToText();
        const Exact threshold = Exact::FromDecimal(gate.value.value_or(Decimal()));
        trace.fired = gate.when == GateCondition::kMetricBelow ? *facts.metric_value < threshold
                                                               : *facts.metric_value >= threshold;
      }
      break;
    case GateCondition::kTrainingOverdue:
      trace.actual = facts.training_overdue ? "overdue" : "none overdue";
      trace.fired = facts.training_overdue;
      break;
    case GateCondition::kCertificationMissing:
      trace.actual = facts.certification_held ? "held" : "missing";
      trace.fired = !facts.certification_held;
      break;
  }
  if (!trace.fired) {
    trace.effect = "none";
  } else {
    switch (gate.action) {
      case GateAction::kWithhold:
        trace.effect = "withheld";
        break;
      case GateAction::kCapAttainment:
        trace.effect = absl::StrCat("attainment capped at ", DecimalText(gate.attainment_cap.value_or(Decimal())));
        break;
      case GateAction::kScale:
        trace.effect = absl::StrCat("scaled by ", DecimalText(gate.factor.value_or(Decimal())));
        break;
    }
  }
  return trace;
}

absl::StatusOr<LineResult> ComputeCommission(const PlanComponent& component, const CommissionInputs& inputs) {
  absl::StatusOr<LineResult> line = CommissionLine(component, inputs);
  if (!line.ok()) return InComponent(line.status(), component.id);
  return line;
}

absl::StatusOr<LineResult> ComputeKpiBonus(const PlanComponent& component, const KpiBonusInputs& inputs) {
  absl::StatusOr<LineResult> line = KpiBonusLine(component, inputs);
  if (!line.ok()) return InComponent(line.status(), component.id);
  return line;
}

absl::StatusOr<DrawResult> ComputeDraw(const Draw& draw, int64_t earnings_minor, int64_t balance_before_minor,
                                       const Exact& proration, RoundingMode mode) {
  CADRE_RETURN_IF_ERROR(CheckProration(proration));
  if (balance_before_minor < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("the draw balance must not be negative, got ", balance_before_minor));
  }
  CADRE_ASSIGN_OR_RETURN(Exact exact_draw, Exact::FromMinor(draw.amount_minor).Mul(proration));
  CADRE_ASSIGN_OR_RETURN(int64_t draw_minor, exact_draw.RoundToMinor(mode));
  const std::string prorated =
      proration == kExactOne ? std::string()
                             : absl::StrCat(" (", draw.amount_minor, " prorated by ", proration.ToFractionText(), ")");
  const bool recoverable = draw.kind == DrawKind::kRecoverable;
  DrawResult result;
  result.balance_after_minor = balance_before_minor;
  if (earnings_minor < draw_minor) {
    CADRE_ASSIGN_OR_RETURN(int64_t top_up, CheckedAdd(draw_minor, -earnings_minor));
    std::string note = absl::StrCat(recoverable ? "recoverable draw " : "guaranteed draw ", draw_minor, prorated,
                                    ": earnings ", earnings_minor, " topped up by ", top_up);
    if (recoverable) {
      CADRE_ASSIGN_OR_RETURN(result.balance_after_minor, CheckedAdd(balance_before_minor, top_up));
      absl::StrAppend(&note, ", an advance recovered from later earnings above the draw; balance ",
                      balance_before_minor, " -> ", result.balance_after_minor);
    } else {
      absl::StrAppend(&note, ", never recovered");
    }
    result.lines.push_back(DrawLine(LineKind::kDraw, top_up, earnings_minor, std::move(note)));
  } else if (recoverable && earnings_minor > draw_minor && balance_before_minor > 0) {
    CADRE_ASSIGN_OR_RETURN(int64_t above, CheckedAdd(earnings_minor, -draw_minor));
    const int64_t recovery = std::min(balance_before_minor, above);
    result.balance_after_minor = balance_before_minor - recovery;
    result.lines.push_back(
        DrawLine(LineKind::kDrawRecovery, -recovery, earnings_minor,
                 absl::StrCat("recoverable draw ", draw_minor, prorated, ": earnings ", earnings_minor, " are ", above,
                              " above it; ", recovery, " of the outstanding advance recovered; balance ",
                              balance_before_minor, " -> ", result.balance_after_minor)));
  }
  return result;
}

absl::StatusOr<RoundedTotal> Round(std::vector<LineResult>& lines, const PlanRounding& rounding) {
  RoundedTotal out;
  int64_t sum_of_rounded = 0;
  for (LineResult& line : lines) {
    CADRE_ASSIGN_OR_RETURN(line.line.amount_minor, line.amount.RoundToMinor(rounding.mode));
    line.line.exact_amount = line.amount.ToText();
    CADRE_ASSIGN_OR_RETURN(sum_of_rounded, CheckedAdd(sum_of_rounded, line.line.amount_minor));
    CADRE_ASSIGN_OR_RETURN(out.exact_total, out.exact_total.Add(line.amount));
  }
  CADRE_ASSIGN_OR_RETURN(const int64_t rounded_once, out.exact_total.RoundToMinor(rounding.mode));
  const std::string mode(json::EnumName(rounding.mode));
  if (rounding.scope == RoundingScope::kLine) {
    out.total_minor = sum_of_rounded;
    out.note = absl::StrCat("rounded per line (", mode, "): the lines add up to ", sum_of_rounded,
                            "; their exact sum is ", out.exact_total.ToText(), " (", rounded_once, " rounded once)");
  } else {
    out.total_minor = rounded_once;
    out.note =
        absl::StrCat("rounded once on the statement (", mode, "): the exact sum ", out.exact_total.ToText(), " is ",
                     rounded_once, "; the lines as shown, each rounded for display, add up to ", sum_of_rounded);
  }
  return out;
}

}  // namespace cadre::incentive_internal
