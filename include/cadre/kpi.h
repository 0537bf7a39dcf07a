// cadre/kpi.h — the KPI engine: metric definitions, targets, scorecards, roll-ups.
//
// What is measured is configuration. A metric is either one of the built-in
// retail metrics (BuiltinMetrics() lists them with their exact meaning), a base
// metric that aggregates one field of some events (collection "metrics"), or a
// derived metric, a formula over other metrics (muparser syntax, checked when it
// is saved). Targets (collection "targets") say what each manager or org unit
// should reach in a period; a scorecard definition (collection "scorecards")
// weighs metrics into one total.
//
//   KpiEngine kpi(*workspace);
//   CADRE_RETURN_IF_ERROR(kpi.CatchUp());                 // reads only new events
//   ScorecardRequest req{.scorecard = "monthly", .period = *Period::Parse("2025-06")};
//   CADRE_ASSIGN_OR_RETURN(Scorecard june, kpi.GetScorecard(req));
//   // june.managers[i].figures[j]: value, target, attainment, score, previous ...
//
// Exact by construction. Every base figure is a pair of integers, numerator and
// denominator (money in minor units, counts, sums of scores); `value` is their
// quotient, and "no value" (denominator 0) is absent, never NaN or infinity.
// Roll-ups add numerators and denominators, so a team's rate is recomputed from
// its members' counts, never averaged. Derived formulas are evaluated in double
// precision from those values; a division by zero in a formula is "no value".
//
// Incremental by design. The engine keeps the facts it needs (sales, returns,
// interactions, survey responses) in compact columns, credited to the manager
// named on the event or else to the customer's owner when it happened. CatchUp
// applies new events (late ones, reversals and late assignments that move a
// credit included) and marks the managers they touch; a scorecard recomputes
// only those managers' cells. RecomputeScorecard is the reference: one pass over
// every held fact, no cache; the two always agree exactly.
//
// Thread-safety: safe to share between threads; one mutex serialises CatchUp and
// queries.
#ifndef CADRE_KPI_H_
#define CADRE_KPI_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "boost/describe.hpp"
#include "cadre/decimal.h"
#include "cadre/event.h"
#include "cadre/period.h"

namespace cadre {

class Workspace;
namespace json {
class Path;
}

// ---- Metric definitions -----------------------------------------------------------

enum class Aggregate { kSum, kCount, kDistinctCount, kAverage, kMin, kMax };
BOOST_DESCRIBE_ENUM(Aggregate, kSum, kCount, kDistinctCount, kAverage, kMin, kMax)

// The field of the events a base metric aggregates.
enum class MetricField {
  kAmount,     // amount_minor; a return counts negative when sales and returns are both selected
  kQuantity,   // quantity (1 when absent; a sale with lines: the sum of the lines' quantities)
  kScore,      // score (interactions, survey responses), in units of 10^-9
  kCustomer,   // the customer (for distinct counts)
  kReference,  // the reference, or the event id when absent (for distinct counts of orders)
};
BOOST_DESCRIBE_ENUM(MetricField, kAmount, kQuantity, kScore, kCustomer, kReference)

// kMinutes: a duration in minutes (first_response_time); new units only join at the end.
enum class MetricUnit { kMoney, kCount, kRatio, kScore, kPoints, kMinutes };
BOOST_DESCRIBE_ENUM(MetricUnit, kMoney, kCount, kRatio, kScore, kPoints, kMinutes)

// Which events a base metric reads. Every list that is not empty must match.
struct MetricFilter {
  std::vector<EventKind> kinds;  // sale, return, interaction, survey_response; empty: sale
  std::vector<std::string> categories;
  std::vector<std::string> skus;  // a sale with lines matches if one of its lines does
  std::vector<Channel> channels;
  std::map<std::string, std::string> attributes;  // every pair must be present with that value
  friend bool operator==(const MetricFilter&, const MetricFilter&) = default;
};
BOOST_DESCRIBE_STRUCT(MetricFilter, (), (kinds, categories, skus, channels, attributes))

// A metric as configuration (collection "metrics"). Exactly one of `aggregate`
// (a base metric) and `formula` (a derived one) is given. A formula names other
// metrics by id (built-in or defined) and uses muparser's syntax: + - * / ^,
// parentheses, min(), max(), abs(), if-then-else as `c ? a : b`. Saving checks
// the syntax, that every name is a metric, and that no metric depends on itself;
// a refusal names the position in the formula.
struct MetricDefinition {
  static constexpr std::string_view kRequired[] = {"id", "name"};
  static constexpr std::string_view kCollection = "metrics";

  std::string id;
  std::string name;
  std::optional<std::string> description;
  MetricUnit unit = MetricUnit::kCount;
  bool higher_is_better = true;  // false: attainment is target / value (e.g. return rate)
  std::optional<Aggregate> aggregate;
  std::optional<MetricField> field;  // required for every aggregate but count
  MetricFilter filter;
  std::optional<std::string> formula;

  // Rules that need no other document (the formula's names are checked by the
  // workspace when the metric is saved).
  absl::Status Validate(json::Path& path) const;
};
BOOST_DESCRIBE_STRUCT(MetricDefinition, (),
                      (id, name, description, unit, higher_is_better, aggregate, field, filter, formula))

// A built-in metric: its id (reserved: a "metrics" document may not take it),
// unit, direction and meaning.
struct BuiltinMetric {
  std::string_view id;
  MetricUnit unit;
  bool higher_is_better;
  std::string_view meaning;
};
std::span<const BuiltinMetric> BuiltinMetrics();
const BuiltinMetric* FindBuiltinMetric(std::string_view id);

// Checks a metric about to be saved against the metrics already saved (and
// `pending`, saved in the same batch): the names its formula uses exist, and no
// cycle forms. Errors name "formula", the position and the metric ids.
absl::Status CheckMetricGraph(const Workspace& workspace, const MetricDefinition& metric,
                              std::span<const MetricDefinition> pending = {});

// ---- Targets -----------------------------------------------------------------------

enum class TargetBasis {
  kAbsolute,                  // `value`
  kGrowthOverLastYear,        // the same period a year earlier, actual × (1 + growth)
  kGrowthOverPreviousPeriod,  // the period before, actual × (1 + growth)
};
BOOST_DESCRIBE_ENUM(TargetBasis, kAbsolute, kGrowthOverLastYear, kGrowthOverPreviousPeriod)

enum class Proration {
  kNone,          // the whole target, however long the manager was employed
  kEmployedDays,  // target × days employed in the period (hired_on .. left_on) / days in the period
};
BOOST_DESCRIBE_ENUM(Proration, kNone, kEmployedDays)

// What a manager or an org unit should reach for one metric in one period
// (collection "targets"). Exactly one of `manager` and `unit`.
struct Target {
  static constexpr std::string_view kRequired[] = {"id", "metric", "period"};
  static constexpr std::string_view kCollection = "targets";

  std::string id;
  std::string metric;
  std::optional<std::string> manager;
  std::optional<std::string> unit;
  std::string period;  // "2025-06", "2025-Q2", ... (Period::Parse)
  TargetBasis basis = TargetBasis::kAbsolute;
  std::optional<Decimal> value;                    // absolute: in the metric's unit (money: minor units; ratios: 0.25)
  std::optional<Decimal> growth;                   // growth bases: 0.1 = 10 % above the base period's actual
  Proration proration = Proration::kEmployedDays;  // managers only; a unit's target is never prorated

  absl::Status Validate(json::Path& path) const;
};
BOOST_DESCRIBE_STRUCT(Target, (), (id, metric, manager, unit, period, basis, value, growth, proration))

// ---- Scorecard definitions -----------------------------------------------------------

struct ScorecardItem {
  static constexpr std::string_view kRequired[] = {"metric"};
  std::string metric;
  Decimal weight = Decimal::FromUnits(Decimal::kOne);       // > 0
  Decimal floor = Decimal();                                // the score never goes below
  Decimal cap = Decimal::FromUnits(3 * Decimal::kOne / 2);  // nor above (1.5 = 150 %)
};
BOOST_DESCRIBE_STRUCT(ScorecardItem, (), (metric, weight, floor, cap))

// A weighted set of metrics (collection "scorecards"). Score of an item =
// attainment clamped to [floor, cap]; total = Σ weight × score / Σ weight over
// the items that have a score (an item without a target or a value is left out
// of both sums, and the row says so by its absent score).
struct ScorecardDefinition {
  static constexpr std::string_view kRequired[] = {"id", "name", "items"};
  static constexpr std::string_view kCollection = "scorecards";

  std::string id;
  std::string name;
  std::vector<ScorecardItem> items;

  absl::Status Validate(json::Path& path) const;
};
BOOST_DESCRIBE_STRUCT(ScorecardDefinition, (), (id, name, items))

// ---- Results --------------------------------------------------------------------------

// One metric for one subject and period.
struct Figure {
  std::optional<double> value;  // absent: no value (nothing to divide by)
  // Base and built-in metrics: the exact pair behind `value` (value =
  // numerator / denominator; money in minor units). Derived metrics: 0 and 0.
  int64_t numerator = 0;
  int64_t denominator = 0;
  std::optional<double> target;
  std::optional<double> attainment;  // value / target (target / value when lower is better)
  std::optional<double> score;       // attainment clamped to [floor, cap]
  std::optional<double> previous;    // the value in the period before
  std::optional<double> change;      // value / previous - 1
  friend bool operator==(const Figure&, const Figure&) = default;
};
BOOST_DESCRIBE_STRUCT(Figure, (), (value, numerator, denominator, target, attainment, score, previous, change))

struct ScorecardRow {
  std::string subject;              // manager id or unit id
  std::optional<std::string> team;  // managers: their team
  std::vector<Figure> figures;      // one per metric of the scorecard, in its order
  std::optional<double> total;      // the weighted total; absent when no item has a score
  friend bool operator==(const ScorecardRow&, const ScorecardRow&) = default;
};
BOOST_DESCRIBE_STRUCT(ScorecardRow, (), (subject, team, figures, total))

struct Scorecard {
  std::string period;
  std::optional<std::string> scorecard;  // the definition's id
  std::vector<std::string> metrics;
  std::vector<double> weights;
  std::vector<ScorecardRow> managers;  // by id
  std::vector<ScorecardRow> units;     // roll-ups, pre-order of the org tree
  friend bool operator==(const Scorecard&, const Scorecard&) = default;
};
BOOST_DESCRIBE_STRUCT(Scorecard, (), (period, scorecard, metrics, weights, managers, units))

struct ScorecardRequest {
  std::optional<std::string> scorecard;  // a definition's id; or else `metrics` (weights 1)
  std::vector<std::string> metrics;
  Period period = Period::Of(Granularity::kMonth, absl::CivilDay(2000, 1, 1));
  // Whose: one manager; or a unit (its managers and the units below it); or,
  // when both are absent, every manager and every unit. A manager has a row when
  // employed for at least a day of the period, or when facts of the period are
  // credited to them (a manager who left keeps the row of the returns that still
  // land on them; a credited id that is not in the org tree gets a row too).
  // `managers` restricts the manager rows further (the viewer's scope); empty:
  // no restriction. Unit rows add up every manager of the unit's subtree.
  std::optional<std::string> manager;
  std::optional<std::string> unit;
  std::vector<std::string> managers;
  bool units_rollup = true;  // include unit rows
  bool compare_previous = true;
};

struct LeaderboardEntry {
  int32_t rank = 0;  // 1-based; equal values share a rank
  std::string manager;
  std::optional<std::string> team;
  Figure figure;
};
BOOST_DESCRIBE_STRUCT(LeaderboardEntry, (), (rank, manager, team, figure))

struct Leaderboard {
  std::string metric;
  std::string period;
  std::optional<std::string> unit;
  std::vector<LeaderboardEntry> entries;  // best first; no value last; ties by id
};
BOOST_DESCRIBE_STRUCT(Leaderboard, (), (metric, period, unit, entries))

struct SeriesPoint {
  std::string period;
  Figure figure;
};
BOOST_DESCRIBE_STRUCT(SeriesPoint, (), (period, figure))

// One event behind a figure (lineage).
struct LineageEntry {
  std::string event;
  EventKind kind = EventKind::kSale;
  absl::Time occurred_at;
  int64_t contribution = 0;  // what it added to the numerator (money, count, score)
};
BOOST_DESCRIBE_STRUCT(LineageEntry, (), (event, kind, occurred_at, contribution))

// ---- The engine --------------------------------------------------------------------------

class KpiEngine {
 public:
  explicit KpiEngine(const Workspace& workspace);
  ~KpiEngine();
  KpiEngine(const KpiEngine&) = delete;
  KpiEngine& operator=(const KpiEngine&) = delete;

  // Applies the events logged since the last call, and re-reads configuration
  // (metrics, targets, scorecards, the org) written since then through this
  // process's Workspace. Queries call it first; hosts may call it after ingest.
  absl::Status CatchUp();

  // A scorecard from the incremental state.
  absl::StatusOr<Scorecard> GetScorecard(const ScorecardRequest& request);
  // The same from a full pass over the held facts, no cache: the reference.
  absl::StatusOr<Scorecard> RecomputeScorecard(const ScorecardRequest& request);

  // Managers ranked by one metric in a period, within `unit` (everyone if absent),
  // restricted to `managers` if not empty; at most `limit` entries (0: all).
  absl::StatusOr<Leaderboard> GetLeaderboard(std::string_view metric, const Period& period,
                                             std::optional<std::string> unit = std::nullopt,
                                             std::span<const std::string> managers = {}, std::size_t limit = 0);

  // A metric for one manager (or unit) over `count` consecutive periods from `first`.
  absl::StatusOr<std::vector<SeriesPoint>> GetTimeSeries(std::string_view metric, std::string_view subject,
                                                         bool subject_is_unit, const Period& first, int count);

  // The events behind one manager's figure of a base or built-in metric for a
  // period (fact-based metrics; derived metrics list nothing), by occurred_at.
  absl::StatusOr<std::vector<LineageEntry>> Lineage(std::string_view metric, std::string_view manager,
                                                    const Period& period);

  // Forgets every held fact and cache: the next CatchUp rebuilds from the log.
  void Reset();

  // Facts held, and the bytes the engine's own state holds for them (columns,
  // indexes; not the caches of computed periods).
  std::size_t facts_held() const;
  std::size_t FactBytes() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cadre

#endif  // CADRE_KPI_H_
