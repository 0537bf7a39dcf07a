// cadre/promotion.h — career ladders and promotion eligibility.
//
// A career ladder is configuration (collection "career_ladders"): the roles it
// applies to, its levels (numbers matching Manager::level) and, for every level
// but the top, the criteria to be promoted to the next level listed. Ladders are
// effective-dated like every document, so "who qualified on 30 June" is answered
// with the ladder in force on 30 June even after it changed in July.
//
//   KpiEngine kpi(*workspace);
//   CADRE_ASSIGN_OR_RETURN(PromotionEligibility list,
//                          BuildPromotionEligibility(*workspace, kpi, {.as_of = absl::CivilDay(2025, 7, 1)}));
//   // list.managers[i].status, .criteria[j].met / .required / .actual / .gap / .explanation
//
// The criteria (docs/promotion.md has them with examples). All days are civil
// days in the workspace zone; "as of D" means at the end of D.
// - Tenure: days = D - hired_on, met when at least `days`; or whole months, met
//   from the day hired_on + `months` (same day of month, or the month's last day
//   when it has fewer). No hired_on: not met.
// - Attainment: the KPI engine's attainment of `metric` against the manager's
//   target is at least `at_least` in at least `periods` of the last `of_last`
//   complete periods (month or quarter; a period is complete on D when its last
//   day is D or earlier). A period without a target or without a value counts as
//   not met. Compared exactly, from the figure's numerator and denominator and
//   the target document's decimal, whenever the figure is a base or built-in
//   metric and the target an absolute one (prorated or not); otherwise the
//   engine's double attainment rounded half-even to nine decimals is compared.
// - Scorecard: the total of `scorecard` in the last complete period (or the
//   average of the totals of the last `average_of` periods that have one) is at
//   least `at_least`; totals are rounded half-even to nine decimals first.
// - Certifications: for each course id, a certification of that course valid on
//   D (earned_on <= D <= expires_on), as the training report computes it; for a
//   course that does not certify, having passed it on or before D.
// - Reviews: reserved. There is no review module yet; a ladder that gives
//   `reviews` is refused with an error saying so.
//
// Thread-safety: the functions are pure functions of their inputs; the KpiEngine
// they are given serialises itself.
#ifndef CADRE_PROMOTION_H_
#define CADRE_PROMOTION_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "boost/describe.hpp"
#include "boost/json/value.hpp"
#include "cadre/decimal.h"
#include "cadre/kpi.h"
#include "cadre/period.h"

namespace cadre {

class Workspace;
class OrgTree;
class TrainingProjection;
struct TrainingConfig;
namespace json {
class Path;
}

// ---- Configuration ----------------------------------------------------------------

// Exactly one of `days` and `months`.
struct TenureCriterion {
  std::optional<int32_t> days;    // 0 .. 36500: days since hired_on
  std::optional<int32_t> months;  // 0 .. 1200: whole months since hired_on

  absl::Status Validate(json::Path& path) const;
  friend bool operator==(const TenureCriterion&, const TenureCriterion&) = default;
};
BOOST_DESCRIBE_STRUCT(TenureCriterion, (), (days, months))

// Attainment of `metric` at least `at_least` in at least `periods` (N) of the
// last `of_last` (M) complete periods.
struct AttainmentCriterion {
  static constexpr std::string_view kRequired[] = {"metric", "at_least", "periods", "of_last"};

  std::string metric;                             // a built-in metric or a metrics document
  Decimal at_least;                               // X, a fraction (1 = 100 %): > 0 and at most 100
  int32_t periods = 0;                            // N: 1 .. of_last
  int32_t of_last = 0;                            // M: 1 .. 60
  Granularity granularity = Granularity::kMonth;  // month or quarter

  absl::Status Validate(json::Path& path) const;
  friend bool operator==(const AttainmentCriterion&, const AttainmentCriterion&) = default;
};
BOOST_DESCRIBE_STRUCT(AttainmentCriterion, (), (metric, at_least, periods, of_last, granularity))

// The total of a scorecard at least `at_least` in the last complete period, or
// on average over the last `average_of` complete periods.
struct ScorecardCriterion {
  static constexpr std::string_view kRequired[] = {"scorecard", "at_least"};

  std::string scorecard;                          // a scorecards document's id
  Decimal at_least;                               // Y: > 0 and at most 100
  int32_t average_of = 1;                         // 1 .. 60
  Granularity granularity = Granularity::kMonth;  // month or quarter

  absl::Status Validate(json::Path& path) const;
  friend bool operator==(const ScorecardCriterion&, const ScorecardCriterion&) = default;
};
BOOST_DESCRIBE_STRUCT(ScorecardCriterion, (), (scorecard, at_least, average_of, granularity))

// What a manager at one level must meet to be promoted to the next. Every
// criterion given must be met; none given: everyone at the level qualifies.
struct PromotionCriteria {
  std::optional<TenureCriterion> tenure;
  std::vector<AttainmentCriterion> attainment;  // at most 20
  std::vector<ScorecardCriterion> scorecards;   // at most 20
  std::vector<std::string> certifications;      // course ids, unique, at most 50
  // Reserved for review ratings. There is no review module yet: any value is
  // refused ("reviews are not available yet"), so the key keeps its meaning for
  // the module that will define it.
  std::optional<boost::json::value> reviews;

  absl::Status Validate(json::Path& path) const;
  bool empty() const { return !tenure && attainment.empty() && scorecards.empty() && certifications.empty(); }
};
BOOST_DESCRIBE_STRUCT(PromotionCriteria, (), (tenure, attainment, scorecards, certifications, reviews))

struct CareerLevel {
  static constexpr std::string_view kRequired[] = {"level", "name"};

  int32_t level = 0;  // 1 .. 100, as Manager::level
  std::string name;   // the title, e.g. "Senior account manager"
  // To be promoted from this level to the next one listed. The top level may not
  // have any.
  PromotionCriteria promotion;

  absl::Status Validate(json::Path& path) const;
};
BOOST_DESCRIBE_STRUCT(CareerLevel, (), (level, name, promotion))

// A career ladder (collection "career_ladders").
struct CareerLadder {
  static constexpr std::string_view kRequired[] = {"id", "name", "levels"};
  static constexpr std::string_view kCollection = "career_ladders";

  std::string id;
  std::string name;
  std::optional<std::string> description;
  // The role ids (Manager::role) it applies to, unique; empty: every role (and
  // managers without one). A ladder naming a role wins over one for every role.
  std::vector<std::string> roles;
  std::vector<CareerLevel> levels;  // 1 .. 100 levels, in increasing order, no duplicates
  std::map<std::string, std::string> attributes;

  absl::Status Validate(json::Path& path) const;
  // The level numbered `level`, or null.
  const CareerLevel* FindLevel(int32_t level) const;
};
BOOST_DESCRIBE_STRUCT(CareerLadder, (), (id, name, description, roles, levels, attributes))

// What eligibility reads besides the org tree and training: the ladders in force
// at the end of a day, and (as the KPI engine reads them) the newest metric and
// target documents, for the direction of each metric and the exact targets.
struct PromotionConfig {
  std::vector<CareerLadder> ladders;  // ordered by id
  std::vector<MetricDefinition> metrics;
  std::vector<Target> targets;

  static absl::StatusOr<PromotionConfig> Load(const Workspace& workspace, absl::CivilDay as_of);
};

// ---- Results ------------------------------------------------------------------------

enum class CriterionKind { kTenure, kAttainment, kScorecard, kCertification };
BOOST_DESCRIBE_ENUM(CriterionKind, kTenure, kAttainment, kScorecard, kCertification)

// One period of an attainment or scorecard criterion.
struct PeriodCheck {
  std::string period;                 // "2025-06"
  bool met = false;                   // attainment >= X (attainment criteria); has a total (scorecards)
  std::optional<double> value;        // the engine's figure (attainment criteria)
  std::optional<double> target;       // the engine's target (attainment criteria)
  std::optional<Decimal> attainment;  // rounded half-even to nine decimals (attainment criteria)
  std::optional<Decimal> total;       // rounded half-even to nine decimals (scorecards)
  bool exact = false;                 // compared from exact integers and decimals (attainment criteria)
  std::optional<std::string>
      note;  // why there is no attainment / total ("no target", "no value", ...), or a rule applied

  friend bool operator==(const PeriodCheck&, const PeriodCheck&) = default;
};
BOOST_DESCRIBE_STRUCT(PeriodCheck, (), (period, met, value, target, attainment, total, exact, note))

// One criterion for one manager. `required`, `actual` and `gap` are in `unit`:
//   tenure         "days" or "months": served vs required; gap = required - actual
//   attainment     "periods": periods met vs N; gap = periods more needed
//   scorecard      "total": the total (or average) vs Y; gap = Y - actual
//   certification  "certification": 1 when held, 0 when not; gap 1
// `gap` is present only when the criterion is not met.
struct CriterionCheck {
  CriterionKind kind = CriterionKind::kTenure;
  std::optional<std::string> subject;  // the metric, scorecard or course id
  bool met = false;
  std::string unit;
  Decimal required;
  std::optional<Decimal> actual;  // absent: nothing to measure (no hired_on, no scorecard total ...)
  std::optional<Decimal> gap;
  std::optional<absl::CivilDay> reached_on;  // tenure: the day it is (or was) reached
  std::optional<absl::CivilDay> expires_on;  // certification: the last valid day of the one held (or lapsed)
  std::vector<PeriodCheck> periods;          // attainment and scorecard criteria, oldest first
  std::string explanation;                   // the same in words, e.g. "45 days short: 320 of 365 days"

  friend bool operator==(const CriterionCheck&, const CriterionCheck&) = default;
};
BOOST_DESCRIBE_STRUCT(CriterionCheck, (),
                      (kind, subject, met, unit, required, actual, gap, reached_on, expires_on, periods, explanation))

enum class PromotionStatus {
  kQualifies,    // every criterion to the next level is met
  kNotYet,       // at least one is not
  kTopLevel,     // at the ladder's top level: nothing to be promoted to
  kNoLadder,     // no ladder applies to the manager's role
  kNotOnLadder,  // the manager's level is not a level of the ladder
  kAmbiguous,    // more than one ladder names the role (or more than one is for every role)
  kNotEmployed,  // asked by id, but not employed on the day
};
BOOST_DESCRIBE_ENUM(PromotionStatus, kQualifies, kNotYet, kTopLevel, kNoLadder, kNotOnLadder, kAmbiguous, kNotEmployed)

struct PromotionCandidate {
  std::string manager;
  std::string team;
  std::optional<std::string> role;
  int32_t level = 0;
  std::optional<std::string> ladder;
  std::optional<std::string> level_name;
  std::optional<int32_t> next_level;
  std::optional<std::string> next_level_name;
  PromotionStatus status = PromotionStatus::kNoLadder;
  bool qualifies = false;  // status == qualifies
  int32_t criteria_met = 0;
  int32_t criteria_total = 0;
  std::vector<CriterionCheck> criteria;  // tenure, attainment, scorecards, certifications, in the ladder's order
  std::optional<std::string> problem;    // no ladder, not on the ladder, ambiguous: in words

  friend bool operator==(const PromotionCandidate&, const PromotionCandidate&) = default;
};
BOOST_DESCRIBE_STRUCT(PromotionCandidate, (),
                      (manager, team, role, level, ladder, level_name, next_level, next_level_name, status, qualifies,
                       criteria_met, criteria_total, criteria, problem))

struct PromotionEligibility {
  absl::CivilDay as_of;
  std::vector<PromotionCandidate> managers;  // ordered by manager id
  std::vector<std::string> qualifying;       // the ids of those who qualify, ordered by id

  friend bool operator==(const PromotionEligibility&, const PromotionEligibility&) = default;
};
BOOST_DESCRIBE_STRUCT(PromotionEligibility, (), (as_of, managers, qualifying))

struct PromotionRequest {
  absl::CivilDay as_of;
  // Only these managers (each listed, with status not_employed when they are not
  // employed on the day); empty: every manager of the tree (of `unit` and the
  // units below it, when given) employed on the day.
  std::vector<std::string> managers;
  std::optional<std::string> unit;
};

// ---- Computing ----------------------------------------------------------------------

// The eligibility list as of request.as_of from its inputs: `config` and
// `training_config` loaded as of that day, `tree` at EndOfDay(as_of), `training`
// caught up, and `kpi` (caught up by the call). NOT_FOUND for a request naming a
// manager or unit not in the tree; the KPI engine's errors otherwise. A criterion
// naming a metric, scorecard or course that does not exist is not met and says so
// in its explanation; it is not an error.
absl::StatusOr<PromotionEligibility> BuildPromotionEligibility(const PromotionConfig& config, const OrgTree& tree,
                                                               KpiEngine& kpi, const TrainingProjection& training,
                                                               const TrainingConfig& training_config,
                                                               const PromotionRequest& request, absl::TimeZone zone);

// The same, loading every input from `workspace` as of request.as_of.
absl::StatusOr<PromotionEligibility> BuildPromotionEligibility(const Workspace& workspace, KpiEngine& kpi,
                                                               const PromotionRequest& request);

}  // namespace cadre

#endif  // CADRE_PROMOTION_H_
