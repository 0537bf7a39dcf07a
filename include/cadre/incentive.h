// cadre/incentive.h — incentive plans (commission, KPI bonus, SPIFF), credit
// rules, draws, and the statements that pay them.
//
// This is where cadre's numbers become money, so every figure is exact and
// explains itself. Money is integer minor units of the workspace currency;
// rates, attainments and shares are Decimals; the only rounding is the one the
// plan declares, applied once (per line or per statement). No binary floating
// point is on the way to a payout.
//
// What is paid is configuration:
// - An IncentivePlan (collection "incentive_plans") combines components: a
//   commission on a credited measure against a quota, with a tier table, a
//   threshold, caps and gates; a KPI bonus (target incentive × the exact
//   weighted scorecard total, with floor and cap); SPIFFs (a flat amount per
//   qualifying sale or new customer). Plans are versioned and effective-dated by
//   their documents: the version in force on the day a credit happened pays it.
// - Who is on which plan: a PlanAssignment (collection "plan_assignments") names
//   a manager or an org unit (the nearest unit up the tree wins), else the
//   manager's role's `incentive_plan` (cadre/org.h) applies.
// - How a sale is credited: to the manager named on it or else to the
//   customer's owner when it happened; a CreditSplit (collection
//   "credit_splits") shares one customer's sales between managers by declared
//   percentages (summing to exactly 100); a commission with `credit: overlay`
//   credits a team lead with the sales of the teams they lead, without reducing
//   anyone's own credit.
//
//   IncentiveEngine incentives(*workspace);
//   CADRE_ASSIGN_OR_RETURN(Statement june,
//                          incentives.GetStatement("M-7", *Period::Parse("2025-06"), {.expand_credits = true}));
//   // june.lines[i]: component, kind, base, rate, tier, amount_minor and its trace
//
// docs/incentives.md has every rule with worked examples.
#ifndef CADRE_INCENTIVE_H_
#define CADRE_INCENTIVE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "boost/describe.hpp"
#include "cadre/decimal.h"
#include "cadre/event.h"
#include "cadre/period.h"

namespace cadre {

class Workspace;
class KpiEngine;
namespace json {
class Path;
}

// ---- Plans -------------------------------------------------------------------------

// How a tier table turns attainment into money.
enum class TierMethod {
  // Each slice of attainment is paid at its own tier's rate: with tiers from 0
  // at 2 % and from 1.0 at 4 %, a base of 120 % of quota pays 2 % of the first
  // quota and 4 % of the 20 % above it.
  kMarginal,
  // The rate of the highest tier reached applies to the whole base.
  kRetroactive,
  // The flat `amount_minor` of the highest tier reached (no rate).
  kFlatAmount,
};
BOOST_DESCRIBE_ENUM(TierMethod, kMarginal, kRetroactive, kFlatAmount)

// One row of a tier table. Tiers are listed by ascending `from`; the first
// starts at 0. A tier runs from its `from` (included) to the next one's `from`
// (excluded). Accelerators are tiers above 1.0 with higher rates, decelerators
// tiers with lower ones.
struct CommissionTier {
  static constexpr std::string_view kRequired[] = {"from"};
  Decimal from;                         // attainment (base / quota) where the tier starts
  std::optional<Decimal> rate;          // marginal, retroactive: 0 .. 10 (0.035 = 3.5 %)
  std::optional<int64_t> amount_minor;  // flat amount: paid when this is the highest tier reached
  absl::Status Validate(json::Path& path) const;
  friend bool operator==(const CommissionTier&, const CommissionTier&) = default;
};
BOOST_DESCRIBE_STRUCT(CommissionTier, (), (from, rate, amount_minor))

// What is credited to a commission: the manager's own credits, or (overlay) the
// credits of every manager in the units the manager leads.
enum class CreditBasis { kDirect, kOverlay };
BOOST_DESCRIBE_ENUM(CreditBasis, kDirect, kOverlay)

// A return of a sale within `window_days` of the sale (counted in days of the
// workspace zone, the sale's day being day 0) reverses the commission the sale
// earned, at the rate it was paid, in the period the return happens. Returns
// later than that reduce the measure of their own period instead.
struct Clawback {
  static constexpr std::string_view kRequired[] = {"window_days"};
  int32_t window_days = 0;  // 1 .. 3650
  absl::Status Validate(json::Path& path) const;
  friend bool operator==(const Clawback&, const Clawback&) = default;
};
BOOST_DESCRIBE_STRUCT(Clawback, (), (window_days))

// A commission on a credited measure against a quota.
//
// Measure: "net_sales" (the default) is the credited sales of the period minus
// its credited returns that no clawback reverses; any other value names a KPI
// metric in money units whose exact figure is the base (a base or built-in
// metric; derived metrics are refused, they are not exact).
// Quota: `quota_minor` per period, or the manager's KPI Target for the measure
// and period when `quota_from_targets`; prorated by the days the manager is
// employed on the plan in the period. Without a quota only a single tier from 0
// is allowed (attainment is then undefined and the rate applies to the base).
struct Commission {
  static constexpr std::string_view kRequired[] = {"tiers"};
  std::string measure = "net_sales";
  std::optional<int64_t> quota_minor;  // > 0
  bool quota_from_targets = false;
  TierMethod method = TierMethod::kMarginal;
  std::vector<CommissionTier> tiers;
  std::optional<Decimal> threshold;         // attainment below which nothing is paid
  std::optional<Decimal> attainment_cap;    // attainment counted at most this (e.g. 2.0)
  std::optional<int64_t> cap_minor;         // at most this per period
  std::optional<int64_t> annual_cap_minor;  // at most this per calendar year (workspace zone)
  CreditBasis credit = CreditBasis::kDirect;
  std::optional<Clawback> clawback;
  absl::Status Validate(json::Path& path) const;
  friend bool operator==(const Commission&, const Commission&) = default;
};
BOOST_DESCRIBE_STRUCT(Commission, (),
                      (measure, quota_minor, quota_from_targets, method, tiers, threshold, attainment_cap, cap_minor,
                       annual_cap_minor, credit, clawback))

// A target incentive times the exact weighted total of a KPI scorecard (the
// scorecard's items must be base or built-in metrics with targets), clamped to
// [floor, cap] (1.0 = the whole target incentive).
struct KpiBonus {
  static constexpr std::string_view kRequired[] = {"scorecard", "target_incentive_minor"};
  std::string scorecard;
  int64_t target_incentive_minor = 0;  // per period, > 0; prorated like a quota
  Decimal floor = Decimal();
  Decimal cap = Decimal::FromUnits(2 * Decimal::kOne);
  absl::Status Validate(json::Path& path) const;
  friend bool operator==(const KpiBonus&, const KpiBonus&) = default;
};
BOOST_DESCRIBE_STRUCT(KpiBonus, (), (scorecard, target_incentive_minor, floor, cap))

enum class SpiffPer {
  kSale,         // each qualifying sale credited to the manager
  kNewCustomer,  // each customer whose first purchase ever is a qualifying sale credited to the manager
};
BOOST_DESCRIBE_ENUM(SpiffPer, kSale, kNewCustomer)

// A flat amount per qualifying sale (or new customer). A sale qualifies when it
// happened on a day in [from, to] (workspace zone), its amount is at least
// `min_amount_minor`, and (when listed) its category or SKU, or one of its
// lines', is among `categories` / `skus`. A split sale pays each manager their
// share of the amount (largest remainder, so the shares add up).
struct Spiff {
  static constexpr std::string_view kRequired[] = {"amount_minor"};
  SpiffPer per = SpiffPer::kSale;
  int64_t amount_minor = 0;  // > 0
  std::optional<absl::CivilDay> from;
  std::optional<absl::CivilDay> to;
  int64_t min_amount_minor = 0;
  std::vector<std::string> categories;
  std::vector<std::string> skus;
  absl::Status Validate(json::Path& path) const;
  friend bool operator==(const Spiff&, const Spiff&) = default;
};
BOOST_DESCRIBE_STRUCT(Spiff, (), (per, amount_minor, from, to, min_amount_minor, categories, skus))

// When a gate fires.
enum class GateCondition {
  kMetricBelow,           // the manager's `metric` in the period is below `value`
  kMetricAtLeast,         // ... at least `value`
  kTrainingOverdue,       // a training requirement of the manager is overdue (or lapsed) at the period's end
  kCertificationMissing,  // the manager holds no valid certification of `course` at the period's end
};
BOOST_DESCRIBE_ENUM(GateCondition, kMetricBelow, kMetricAtLeast, kTrainingOverdue, kCertificationMissing)

// What a fired gate does to its component.
enum class GateAction {
  kWithhold,       // the component pays nothing this period
  kCapAttainment,  // attainment counts at most `attainment_cap` (withholds the tiers above it)
  kScale,          // the component's amount is multiplied by `factor` (0 .. 1)
};
BOOST_DESCRIBE_ENUM(GateAction, kWithhold, kCapAttainment, kScale)

// A condition on another KPI (or on training) that changes a component. The
// metric must be a base or built-in metric (its exact numerator and denominator
// are compared with `value`, no floating point); a metric with no value in the
// period fires the gate when `no_value_fires`.
struct Gate {
  static constexpr std::string_view kRequired[] = {"id", "when", "action"};
  std::string id;
  GateCondition when = GateCondition::kMetricBelow;
  std::optional<std::string> metric;
  std::optional<Decimal> value;
  std::optional<std::string> course;
  bool no_value_fires = false;
  GateAction action = GateAction::kWithhold;
  std::optional<Decimal> attainment_cap;
  std::optional<Decimal> factor;
  absl::Status Validate(json::Path& path) const;
  friend bool operator==(const Gate&, const Gate&) = default;
};
BOOST_DESCRIBE_STRUCT(Gate, (), (id, when, metric, value, course, no_value_fires, action, attainment_cap, factor))

enum class ComponentType { kCommission, kKpiBonus, kSpiff };
BOOST_DESCRIBE_ENUM(ComponentType, kCommission, kKpiBonus, kSpiff)

// One component of a plan: exactly the member its `type` names is present.
struct PlanComponent {
  static constexpr std::string_view kRequired[] = {"id", "type"};
  std::string id;
  std::optional<std::string> name;
  ComponentType type = ComponentType::kCommission;
  std::optional<Commission> commission;
  std::optional<KpiBonus> kpi_bonus;
  std::optional<Spiff> spiff;
  std::vector<Gate> gates;  // applied in order
  absl::Status Validate(json::Path& path) const;
  friend bool operator==(const PlanComponent&, const PlanComponent&) = default;
};
BOOST_DESCRIBE_STRUCT(PlanComponent, (), (id, name, type, commission, kpi_bonus, spiff, gates))

enum class DrawKind {
  kRecoverable,     // a shortfall below the draw is advanced and recovered from later earnings above it
  kNonRecoverable,  // a guarantee: the shortfall is paid and never recovered
};
BOOST_DESCRIBE_ENUM(DrawKind, kRecoverable, kNonRecoverable)

// A draw against earnings, per period, prorated like a quota.
struct Draw {
  static constexpr std::string_view kRequired[] = {"kind", "amount_minor"};
  DrawKind kind = DrawKind::kRecoverable;
  int64_t amount_minor = 0;  // > 0
  absl::Status Validate(json::Path& path) const;
  friend bool operator==(const Draw&, const Draw&) = default;
};
BOOST_DESCRIBE_STRUCT(Draw, (), (kind, amount_minor))

// Where the plan's one rounding happens.
enum class RoundingScope {
  kLine,       // each line is rounded to minor units; the statement adds the rounded lines
  kStatement,  // lines keep their exact amounts; only the statement's total is rounded
};
BOOST_DESCRIBE_ENUM(RoundingScope, kLine, kStatement)

struct PlanRounding {
  RoundingMode mode = RoundingMode::kHalfEven;
  RoundingScope scope = RoundingScope::kLine;
  friend bool operator==(const PlanRounding&, const PlanRounding&) = default;
};
BOOST_DESCRIBE_STRUCT(PlanRounding, (), (mode, scope))

// An incentive plan (collection "incentive_plans"). Its period is a month or a
// quarter of the workspace zone.
struct IncentivePlan {
  static constexpr std::string_view kRequired[] = {"id", "name", "components"};
  static constexpr std::string_view kCollection = "incentive_plans";

  std::string id;
  std::string name;
  Granularity period = Granularity::kMonth;
  std::vector<PlanComponent> components;  // ids unique within the plan
  std::optional<Draw> draw;
  PlanRounding rounding;
  absl::Status Validate(json::Path& path) const;
  friend bool operator==(const IncentivePlan&, const IncentivePlan&) = default;
};
BOOST_DESCRIBE_STRUCT(IncentivePlan, (), (id, name, period, components, draw, rounding))

// Puts a manager, or every manager of an org unit and the units below it, on a
// plan (collection "plan_assignments"). Exactly one of `manager` and `unit`.
// Most specific wins: the manager's own assignment, then the nearest unit's up
// the tree, then the role's `incentive_plan`. Effective-dated by its versions.
struct PlanAssignment {
  static constexpr std::string_view kRequired[] = {"id", "plan"};
  static constexpr std::string_view kCollection = "plan_assignments";
  std::string id;
  std::string plan;
  std::optional<std::string> manager;
  std::optional<std::string> unit;
  absl::Status Validate(json::Path& path) const;
  friend bool operator==(const PlanAssignment&, const PlanAssignment&) = default;
};
BOOST_DESCRIBE_STRUCT(PlanAssignment, (), (id, plan, manager, unit))

struct CreditShare {
  static constexpr std::string_view kRequired[] = {"manager", "percent"};
  std::string manager;
  Decimal percent;  // > 0; the shares of a split add up to exactly 100
  friend bool operator==(const CreditShare&, const CreditShare&) = default;
};
BOOST_DESCRIBE_STRUCT(CreditShare, (), (manager, percent))

// Shares the sales (and returns) of one customer between managers (collection
// "credit_splits"), in force by its versions' effective dates at each sale's
// time. A sale's amount is divided in whole minor units by largest remainder
// (ties to the earlier share), so the parts add up to the sale exactly.
struct CreditSplit {
  static constexpr std::string_view kRequired[] = {"id", "customer", "shares"};
  static constexpr std::string_view kCollection = "credit_splits";
  std::string id;
  std::string customer;
  std::vector<CreditShare> shares;  // 2 .. 20 managers, each once, percents summing to 100
  absl::Status Validate(json::Path& path) const;
  friend bool operator==(const CreditSplit&, const CreditSplit&) = default;
};
BOOST_DESCRIBE_STRUCT(CreditSplit, (), (id, customer, shares))

// ---- Statements ----------------------------------------------------------------------

enum class LineKind {
  kCommission,
  kKpiBonus,
  kSpiff,
  kClawback,           // a return within the window reverses what its sale's commission paid
  kDraw,               // the draw tops earnings up to it (recoverable: an advance; else a guarantee)
  kDrawRecovery,       // earnings above the draw pay back an outstanding advance
  kAdjustment,         // a late event or correction for a closed period, paid in this one
  kDisputeAdjustment,  // an accepted dispute
};
BOOST_DESCRIBE_ENUM(LineKind, kCommission, kKpiBonus, kSpiff, kClawback, kDraw, kDrawRecovery, kAdjustment,
                    kDisputeAdjustment)

// One credit behind a line: an event, and the part of it credited here.
struct CreditTrace {
  std::string event;
  EventKind kind = EventKind::kSale;
  absl::Time occurred_at;
  int64_t event_amount_minor = 0;  // the event's whole amount (a return's is negative here)
  int64_t amount_minor = 0;        // the part credited to this line's base (signed)
  // How it was credited: "named" (the event names the manager), "owner" (the
  // customer's owner when it happened), "split" (a credit split; `percent` is
  // the share), "overlay" (`from_manager`'s credit, to their lead).
  std::string via;
  std::optional<Decimal> percent;
  std::optional<std::string> from_manager;
  friend bool operator==(const CreditTrace&, const CreditTrace&) = default;
};
BOOST_DESCRIBE_STRUCT(CreditTrace, (),
                      (event, kind, occurred_at, event_amount_minor, amount_minor, via, percent, from_manager))

// One tier of a commission as applied: the slice of the base that fell in it
// (marginal), or the tier reached (retroactive, flat amount). Exact amounts are
// decimal text in minor units ("4320.96" is 4320.96 minor units); a value that
// does not end within 9 fractional digits is shown rounded half-even, marked
// with a trailing "~" (the computation keeps it exact).
struct TierTrace {
  int32_t tier = 0;  // 0-based index in the plan's table
  Decimal from;
  std::optional<Decimal> to;  // absent: the top tier
  std::optional<Decimal> rate;
  std::optional<int64_t> flat_minor;
  std::string base;    // exact: the base in this tier
  std::string amount;  // exact: what it paid
  friend bool operator==(const TierTrace&, const TierTrace&) = default;
};
BOOST_DESCRIBE_STRUCT(TierTrace, (), (tier, from, to, rate, flat_minor, base, amount))

struct GateTrace {
  std::string gate;
  GateCondition when = GateCondition::kMetricBelow;
  std::optional<std::string> metric;
  std::optional<std::string> actual;  // the exact value compared (absent: no value)
  std::optional<Decimal> value;       // the gate's threshold
  bool fired = false;
  std::string effect;  // what it did: "withheld", "attainment capped at 1 (was 1.25)", "scaled by 0.5", "none"
  friend bool operator==(const GateTrace&, const GateTrace&) = default;
};
BOOST_DESCRIBE_STRUCT(GateTrace, (), (gate, when, metric, actual, value, fired, effect))

// Why a line pays what it pays.
struct LineTrace {
  std::size_t credit_count = 0;
  std::vector<CreditTrace> credits;       // listed only when the statement is asked with expand_credits
  std::optional<int64_t> quota_minor;     // the plan's (or target's) quota for the whole period
  std::optional<Decimal> proration;       // days on the plan / days in the period, when not 1
  std::optional<std::string> quota;       // exact: the quota after proration
  std::optional<std::string> attainment;  // exact: base / quota
  std::vector<TierTrace> tiers;
  std::vector<GateTrace> gates;
  std::vector<std::string> notes;  // threshold, caps, clawback rate, draw balance, adjustment cause ...
  friend bool operator==(const LineTrace&, const LineTrace&) = default;
};
BOOST_DESCRIBE_STRUCT(LineTrace, (),
                      (credit_count, credits, quota_minor, proration, quota, attainment, tiers, gates, notes))

struct StatementLine {
  std::string id;         // "<component>" or "<component>@<period it adjusts>", unique in the statement
  std::string component;  // the plan component's id ("draw" for draw lines)
  LineKind kind = LineKind::kCommission;
  std::optional<std::string> plan;  // the plan (and its version) that pays it
  std::optional<int64_t> plan_version;
  std::string base;                           // exact: the credited base (minor units), or the count for SPIFFs
  std::optional<Decimal> rate;                // the single rate applied, when there is one
  std::optional<int32_t> tier;                // the highest tier reached
  std::string exact_amount;                   // exact, before rounding
  int64_t amount_minor = 0;                   // rounded with the plan's mode (statement scope: for display only)
  std::optional<std::string> adjusts_period;  // adjustments: the closed period they correct
  LineTrace trace;
  friend bool operator==(const StatementLine&, const StatementLine&) = default;
};
BOOST_DESCRIBE_STRUCT(StatementLine, (),
                      (id, component, kind, plan, plan_version, base, rate, tier, exact_amount, amount_minor,
                       adjusts_period, trace))

enum class PeriodState { kOpen, kClosed };
BOOST_DESCRIBE_ENUM(PeriodState, kOpen, kClosed)

// A manager's statement for one period.
struct Statement {
  std::string manager;
  std::string period;
  std::string currency;
  PeriodState state = PeriodState::kOpen;
  std::vector<StatementLine> lines;
  int64_t total_minor = 0;  // what is payable for the period
  std::string exact_total;  // the exact sum of the lines before rounding
  RoundingScope rounding = RoundingScope::kLine;
  int64_t draw_balance_minor = 0;  // recoverable advance outstanding after this period
  std::vector<std::string> notes;  // proration, plan changes, rounding
  friend bool operator==(const Statement&, const Statement&) = default;
};
BOOST_DESCRIBE_STRUCT(Statement, (),
                      (manager, period, currency, state, lines, total_minor, exact_total, rounding, draw_balance_minor,
                       notes))

// ---- Period close and disputes -----------------------------------------------------------

// The state of an incentive period (collection "incentive_periods"; the id is
// the period's text, "2025-06" or "2025-Q2"). IncentiveEngine::ClosePeriod
// writes it in the same transaction as the frozen statements; its versions
// (Workspace::History) are the audit trail of every close and reopen, with who,
// why and when. Periods close in order (the one after the last closed period)
// and reopen from the latest closed one backwards.
struct IncentivePeriod {
  static constexpr std::string_view kRequired[] = {"id", "state", "by"};
  static constexpr std::string_view kCollection = "incentive_periods";
  std::string id;
  PeriodState state = PeriodState::kClosed;
  std::string by;                     // who closed or reopened it
  std::optional<std::string> reason;  // why (required to reopen)
  uint64_t through_seq = 0;           // closed: the event log's high-water mark the statements saw
  absl::Status Validate(json::Path& path) const;
  friend bool operator==(const IncentivePeriod&, const IncentivePeriod&) = default;
};
BOOST_DESCRIBE_STRUCT(IncentivePeriod, (), (id, state, by, reason, through_seq))

// A statement frozen when its period closed (collection
// "incentive_statements", id "<period>/<manager>"). Written by ClosePeriod only;
// a closed period's statement is read from here, never recomputed.
struct ClosedStatement {
  static constexpr std::string_view kRequired[] = {"id", "statement"};
  static constexpr std::string_view kCollection = "incentive_statements";
  std::string id;
  Statement statement;
  absl::Status Validate(json::Path& path) const;
};
BOOST_DESCRIBE_STRUCT(ClosedStatement, (), (id, statement))

enum class DisputeStatus { kOpen, kAccepted, kRejected };
BOOST_DESCRIBE_ENUM(DisputeStatus, kOpen, kAccepted, kRejected)

// A manager's dispute of one statement line (collection "statement_disputes").
// Raised open with a reason; resolved once, accepted with an adjustment (paid
// in the first period after the disputed one that was open when it was
// accepted) or rejected, each with the resolution's reason and who resolved it.
// Its versions are the audit trail.
struct StatementDispute {
  static constexpr std::string_view kRequired[] = {"id", "manager", "period", "line", "reason"};
  static constexpr std::string_view kCollection = "statement_disputes";
  std::string id;
  std::string manager;
  std::string period;
  std::string line;  // the StatementLine id disputed
  std::string reason;
  DisputeStatus status = DisputeStatus::kOpen;
  std::optional<int64_t> adjustment_minor;  // accepted: what it pays (signed, not 0)
  std::optional<std::string> resolution;    // accepted or rejected: why
  std::optional<std::string> resolved_by;
  absl::Status Validate(json::Path& path) const;
  friend bool operator==(const StatementDispute&, const StatementDispute&) = default;
};
BOOST_DESCRIBE_STRUCT(StatementDispute, (),
                      (id, manager, period, line, reason, status, adjustment_minor, resolution, resolved_by))

// ---- What-if -----------------------------------------------------------------------------

// A candidate plan run over the historical events in place of a plan in force,
// changing nothing: both sides are recomputed the same way (every period as if
// open: no adjustments, no disputes), so the difference is the plan's alone.
struct WhatIfRequest {
  std::string plan;         // the plan in force whose managers are simulated
  IncentivePlan candidate;  // replaces every version of `plan` on every day it is in force
  Period first = Period::Of(Granularity::kMonth, absl::CivilDay(2000, 1, 1));
  int32_t periods = 1;                // consecutive periods from `first`, 1 .. 36
  std::vector<std::string> managers;  // restricts who is compared; empty: everyone on the plan
  int32_t top = 10;                   // gainers and losers listed, 0 .. 1000
};

struct WhatIfManager {
  std::string manager;
  std::optional<std::string> team;
  int64_t current_minor = 0;  // what the plan in force pays over the periods
  int64_t candidate_minor = 0;
  int64_t change_minor = 0;  // candidate − current
  friend bool operator==(const WhatIfManager&, const WhatIfManager&) = default;
};
BOOST_DESCRIBE_STRUCT(WhatIfManager, (), (manager, team, current_minor, candidate_minor, change_minor))

struct WhatIfTeam {
  std::string team;
  int32_t managers = 0;
  int64_t current_minor = 0;
  int64_t candidate_minor = 0;
  int64_t change_minor = 0;
  friend bool operator==(const WhatIfTeam&, const WhatIfTeam&) = default;
};
BOOST_DESCRIBE_STRUCT(WhatIfTeam, (), (team, managers, current_minor, candidate_minor, change_minor))

// Payouts per manager over the periods, by nearest rank.
struct PayoutDistribution {
  int64_t min_minor = 0;
  int64_t p25_minor = 0;
  int64_t median_minor = 0;
  int64_t p75_minor = 0;
  int64_t max_minor = 0;
  friend bool operator==(const PayoutDistribution&, const PayoutDistribution&) = default;
};
BOOST_DESCRIBE_STRUCT(PayoutDistribution, (), (min_minor, p25_minor, median_minor, p75_minor, max_minor))

struct WhatIfReport {
  std::string plan;
  std::string candidate;
  std::vector<std::string> periods;
  int32_t managers_compared = 0;
  int64_t current_minor = 0;
  int64_t candidate_minor = 0;
  int64_t change_minor = 0;
  std::optional<Decimal> change_ratio;  // change / current, half-even to 9 digits; absent when current is 0
  PayoutDistribution current_distribution;
  PayoutDistribution candidate_distribution;
  std::vector<WhatIfTeam> teams;        // by team id
  std::vector<WhatIfManager> managers;  // by manager id
  std::vector<WhatIfManager> gainers;   // largest change first (ties by id), change > 0 only
  std::vector<WhatIfManager> losers;    // most negative change first, change < 0 only
  friend bool operator==(const WhatIfReport&, const WhatIfReport&) = default;
};
BOOST_DESCRIBE_STRUCT(WhatIfReport, (),
                      (plan, candidate, periods, managers_compared, current_minor, candidate_minor, change_minor,
                       change_ratio, current_distribution, candidate_distribution, teams, managers, gainers, losers))

// ---- The engine ------------------------------------------------------------------------------

struct StatementOptions {
  bool expand_credits = false;  // list every credit behind each line (one statement: fine; all: heavy)
};

// Computes statements from the event log and configuration, closes periods and
// records disputes.
//
// A statement is a deterministic function of the log and the configuration: the
// same inputs give the identical statement. An open period's statement is
// recomputed; a closed one's is read back exactly as it was frozen. Late events
// and corrections for a closed period become adjustment lines in the first
// open period after the last closed one.
//
// Thread-safety: safe to share between threads; one mutex serialises CatchUp,
// queries and writes.
class IncentiveEngine {
 public:
  // `kpi`, when given, is the host's KPI engine over the same workspace, shared
  // for gates and bonuses (it must outlive this engine); otherwise the engine
  // makes its own the first time a plan needs one.
  explicit IncentiveEngine(const Workspace& workspace, KpiEngine* kpi = nullptr);
  ~IncentiveEngine();
  IncentiveEngine(const IncentiveEngine&) = delete;
  IncentiveEngine& operator=(const IncentiveEngine&) = delete;

  // Applies the events logged since the last call and notices configuration
  // written since then through this process's Workspace. Queries call it first.
  absl::Status CatchUp();

  // One manager's statement. NOT_FOUND when the manager is not in the org tree
  // at the period's end, or was on no plan in the period (and, for a closed
  // period, had no statement frozen); FAILED_PRECONDITION when the
  // configuration cannot pay the period (a plan paid by quarter asked for a
  // month, a gate on a derived metric, a missing target, ...), naming what.
  absl::StatusOr<Statement> GetStatement(std::string_view manager, const Period& period,
                                         const StatementOptions& options = {});

  // The statements of every manager on a plan in `period` (only `managers`
  // when not empty), by manager id; traces without credits.
  absl::StatusOr<std::vector<Statement>> GetStatements(const Period& period,
                                                       std::span<const std::string> managers = {});

  // Closes `period`: freezes every statement of it and marks it closed, in one
  // transaction. FAILED_PRECONDITION when it is closed already, or when a
  // period before it is open while another is closed (periods close in order).
  absl::StatusOr<IncentivePeriod> ClosePeriod(Workspace& workspace, const Period& period, std::string_view by,
                                              std::optional<std::string> reason = std::nullopt);
  // Reopens the latest closed period (its frozen statements are no longer
  // read; recomputing it includes what arrived since). FAILED_PRECONDITION when
  // it is not closed or a later period is.
  absl::StatusOr<IncentivePeriod> ReopenPeriod(Workspace& workspace, const Period& period, std::string_view by,
                                               std::string_view reason);
  // The state of a period: open unless closed.
  absl::StatusOr<PeriodState> StateOf(const Period& period);

  // A manager disputes a line of one of their statements (the line must exist).
  absl::StatusOr<StatementDispute> RaiseDispute(Workspace& workspace, const StatementDispute& dispute);
  // Accepts (with an adjustment) or rejects an open dispute, once.
  absl::StatusOr<StatementDispute> ResolveDispute(Workspace& workspace, std::string_view id, bool accept,
                                                  std::optional<int64_t> adjustment_minor, std::string_view resolution,
                                                  std::string_view by);

  // Runs `request.candidate` in place of `request.plan` over the periods asked
  // and compares it with the plan in force. Writes nothing. INVALID_ARGUMENT for
  // a candidate that does not validate (naming the path) or a bad range;
  // FAILED_PRECONDITION as for statements.
  absl::StatusOr<WhatIfReport> WhatIf(const WhatIfRequest& request);

  // Credits held, and the bytes the engine's credit ledger holds for them.
  std::size_t credit_count() const;
  std::size_t FactBytes() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cadre

#endif  // CADRE_INCENTIVE_H_
