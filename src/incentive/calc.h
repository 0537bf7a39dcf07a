// The exact money math of incentive plans: pure functions from a plan
// component and exact inputs to a statement line with its trace filled in.
// The engine (engine.cc) gathers the inputs — credited bases, quotas, metric
// values, training facts, what was paid earlier in the year — and calls these;
// nothing here reads a workspace, a clock or a floating-point number.
//
//   CADRE_ASSIGN_OR_RETURN(Exact proration, Proration(20, 30));
//   CommissionInputs in{.base = Exact::FromMinor(12'345'600), .quota_minor = 10'000'000, .proration = proration};
//   CADRE_ASSIGN_OR_RETURN(LineResult line, ComputeCommission(component, in));
//   std::vector<LineResult> lines = {line};
//   CADRE_ASSIGN_OR_RETURN(RoundedTotal total, Round(lines, plan.rounding));
//
// How a commission line is computed — in this order, exactly (docs/incentives.md
// repeats it with worked examples):
//   1. quota = quota_minor × proration (the quota for the days on the plan);
//      attainment = base / quota. Without a quota there is no attainment and
//      steps 2-4 are skipped (the plan then has a single tier from 0).
//   2. Attainment cap: the lowest of the plan's attainment_cap and the
//      attainment_cap of every fired cap_attainment gate. Above it, attainment
//      counts as the cap and the base counted is quota × cap.
//   3. Threshold: when the (capped) attainment is below it, the line pays 0.
//   4. Tiers, on the counted base. The highest tier reached is the last whose
//      `from` <= attainment (a tier includes its `from`, so an attainment of
//      exactly 1.0 reaches a tier from 1.0).
//      - marginal: each tier up to the one reached pays its rate on its slice of
//        the base, quota × [from, next from) (the reached tier up to the base);
//      - retroactive: the reached tier's rate on the whole counted base;
//      - flat amount: the reached tier's amount_minor × proration (a per-period
//        amount, prorated like the quota);
//      - no quota: the single tier's rate on the base (flat: its amount ×
//        proration).
//      A negative base (returns exceeding sales) is money given back: marginal
//      and retroactive tables pay base × the first tier's rate (negative); a
//      flat-amount table pays 0. (With a threshold, step 3 already paid 0.)
//   5. Fired scale gates multiply a positive amount by their factor, in order.
//   6. A fired withhold gate makes a positive amount 0.
//      (Gates never reduce what a manager gives back: a negative amount stays.)
//   7. cap_minor: at most this per period (not prorated).
//   8. annual_cap_minor: at most annual cap − paid_this_year (never below 0).
// A KPI bonus: target_incentive_minor × proration × the scorecard total raised
// to the floor, then lowered to the cap (the plan's, or a fired cap_attainment
// gate's when lower); then steps 5 and 6.
// Rounding happens once, in Round(), as the plan declares (per line or per
// statement); draws work on the rounded earnings, since a draw is money
// actually advanced.
//
// Errors: InvalidArgument when inputs contradict the component (no quota for a
// commission that has one, a proration outside (0, 1], gate facts that do not
// match the gates); OutOfRange naming the component when a figure overflows.
#ifndef CADRE_SRC_INCENTIVE_CALC_H_
#define CADRE_SRC_INCENTIVE_CALC_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cadre/incentive.h"
#include "incentive/exact.h"

namespace cadre::incentive_internal {

// A computed line: its exact amount and the public line with its trace.
// line.exact_amount is amount.ToText(); line.amount_minor is set by Round().
struct LineResult {
  Exact amount;
  StatementLine line;
};

// days_on_plan / days_in_period, in (0, 1]. InvalidArgument unless
// 0 < days_on_plan <= days_in_period.
absl::StatusOr<Exact> Proration(int days_on_plan, int days_in_period);

// What a gate looks at, gathered by the engine.
struct GateFacts {
  // The gate metric's exact value in the period (the figure's numerator /
  // denominator, scaled like the metric: a sum of scores in 10^-9 units is
  // divided by 10^9 more). Absent: the metric has no value in the period.
  std::optional<Exact> metric_value;
  bool training_overdue = false;    // a requirement is overdue or lapsed at the period's end
  bool certification_held = false;  // a valid certification of gate.course at the period's end
};

// Whether `gate` fires on `facts`: metric_below fires when value < gate.value,
// metric_at_least when value >= gate.value (exactly), a metric with no value
// when no_value_fires; training_overdue when a requirement is overdue;
// certification_missing when the certification is not held. The trace's effect
// is "none" when it does not fire, else what its action does ("withheld",
// "scaled by 0.5", "attainment capped at 1"); ComputeCommission and
// ComputeKpiBonus refine it with what it actually changed.
GateTrace EvaluateGate(const Gate& gate, const GateFacts& facts);

struct CommissionInputs {
  Exact base;                          // the credited measure, minor units (may be negative)
  std::optional<int64_t> quota_minor;  // the whole period's quota; required iff the commission has one
  Exact proration = Exact::FromMinor(1);
  std::vector<GateFacts> gates;  // one per gate of the component, in its order
  // What this component paid earlier in the calendar year (for the annual cap):
  // the rounded amounts under per-line rounding, the exact ones per statement.
  Exact paid_this_year;
};

// The commission line of `component` (type commission): kind commission, base,
// rate (when a single rate applied), tier (the highest reached), exact_amount
// and the trace (quota, proration, attainment, tiers, gates, notes).
absl::StatusOr<LineResult> ComputeCommission(const PlanComponent& component, const CommissionInputs& inputs);

struct KpiBonusInputs {
  // The scorecard's exact weighted total (1 = 100 %). Absent: no item has a
  // score; it counts as 0, so the floor is paid.
  std::optional<Exact> total;
  Exact proration = Exact::FromMinor(1);
  std::vector<GateFacts> gates;  // one per gate of the component, in its order
};

// The KPI bonus line of `component` (type kpi_bonus): base is the prorated
// target incentive, rate the clamped total (when it is a Decimal exactly),
// trace.attainment the total before clamping.
absl::StatusOr<LineResult> ComputeKpiBonus(const PlanComponent& component, const KpiBonusInputs& inputs);

struct DrawResult {
  std::vector<LineResult> lines;  // none, one draw line, or one recovery line (id and component "draw")
  int64_t balance_after_minor = 0;
};

// The draw for a period, on the statement's rounded earnings (the total of
// every other line). The draw is amount_minor × proration, rounded with `mode`.
// Recoverable: earnings below the draw are topped up to it by a draw line and
// the balance grows by the top-up; earnings above it with a balance outstanding
// pay back min(balance, earnings − draw) in a (negative) recovery line.
// Non-recoverable: the top-up only; the balance is never touched.
absl::StatusOr<DrawResult> ComputeDraw(const Draw& draw, int64_t earnings_minor, int64_t balance_before_minor,
                                       const Exact& proration, RoundingMode mode);

struct RoundedTotal {
  int64_t total_minor = 0;  // what the statement pays
  Exact exact_total;        // the sum of the lines' exact amounts
  std::string note;         // how it was rounded, with both sums
};

// The plan's one rounding. Per line: each line's amount_minor is its exact
// amount rounded with the mode; the total is the sum of the rounded lines.
// Per statement: the total is the exact sum rounded once; each line's
// amount_minor is rounded too, for display only. The note gives both sums.
absl::StatusOr<RoundedTotal> Round(std::vector<LineResult>& lines, const PlanRounding& rounding);

}  // namespace cadre::incentive_internal

#endif  // CADRE_SRC_INCENTIVE_CALC_H_
