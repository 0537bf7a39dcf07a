// Promotion eligibility as of a day: for each manager, the ladder that applies,
// their level and the next, and every criterion to reach it checked with the
// required value, the actual one and the gap. The rules are declared in
// cadre/promotion.h and docs/promotion.md.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cadre/id.h"
#include "cadre/model.h"
#include "cadre/org.h"
#include "cadre/promotion.h"
#include "cadre/scope.h"
#include "cadre/status.h"
#include "cadre/training.h"
#include "cadre/workspace.h"

namespace cadre {
namespace {

constexpr Int128 kOne = Decimal::kOne;

bool Employed(const Manager& m, absl::CivilDay day) {
  if (m.hired_on && *m.hired_on > day) return false;
  if (m.left_on) return *m.left_on >= day;
  return m.status != EmploymentStatus::kLeft;
}

// `months` calendar months after `day`: the same day of the month, or the last
// day of that month when it is shorter (31 January + 1 month = 28 February).
absl::CivilDay AddMonths(absl::CivilDay day, int32_t months) {
  const absl::CivilMonth month = absl::CivilMonth(day) + months;
  const absl::CivilDay last = absl::CivilDay(month + 1) - 1;
  return absl::CivilDay(month.year(), month.month(), std::min(day.day(), last.day()));
}

// The last `count` periods complete on `as_of` (their last day is as_of or
// earlier), oldest first.
std::vector<Period> LastPeriods(Granularity granularity, int32_t count, absl::CivilDay as_of) {
  Period p = Period::Of(granularity, as_of);
  if (p.last_day() > as_of) p = p.Previous();
  std::vector<Period> out;
  for (int32_t i = 0; i < count; ++i, p = p.Previous()) out.push_back(p);
  std::reverse(out.begin(), out.end());
  return out;
}

std::string Word(Granularity g) { return g == Granularity::kQuarter ? "quarter" : "month"; }
std::string Periods(Granularity g, int64_t n) { return absl::StrCat(n, " ", Word(g), n == 1 ? "" : "s"); }

std::string Num(Decimal d) { return d.ToString(); }
Decimal Whole(int64_t n) { return Decimal::FromUnits(n * Decimal::kOne); }

// A double rounded half-even to nine decimals (the default floating-point
// rounding mode of nearbyint); nullopt when it does not fit a Decimal.
std::optional<Decimal> RoundDouble(double v) {
  const double scaled = v * static_cast<double>(Decimal::kOne);
  if (!std::isfinite(scaled) || std::fabs(scaled) >= 9.0e18) return std::nullopt;
  return Decimal::FromUnits(static_cast<int64_t>(std::nearbyint(scaled)));
}

bool Mul(Int128 a, Int128 b, Int128& out) { return !__builtin_mul_overflow(a, b, &out); }

// value / divisor (> 0) rounded half-even to a Decimal's units; nullopt out of range.
std::optional<Decimal> Quotient(Int128 value, Int128 divisor, RoundingMode mode = RoundingMode::kHalfEven) {
  const Int128 q = value / divisor;
  if (q > Int128(std::numeric_limits<int64_t>::max() / 2) || q < Int128(std::numeric_limits<int64_t>::min() / 2))
    return std::nullopt;
  return Decimal::FromUnits(DivideRounded(value, divisor, mode));
}

using Rows = absl::flat_hash_map<std::string, ScorecardRow>;  // by manager
using Fetched =
    std::map<std::pair<std::string, std::string>, std::optional<Rows>>;  // (id, period) -> rows; none: unknown

// What one candidate at a ladder level below the top must meet.
struct Pending {
  std::size_t row = 0;  // index into the result
  const Manager* manager = nullptr;
  const PromotionCriteria* criteria = nullptr;
};

class Evaluator {
 public:
  Evaluator(const PromotionConfig& config, const PromotionRequest& request) : config_(config), request_(request) {
    for (const Target& t : config.targets) {
      if (!t.manager) continue;
      absl::StatusOr<Period> p = Period::Parse(t.period);
      if (!p.ok()) continue;
      // As the KPI engine: a later document for the same key replaces an earlier one.
      targets_.insert_or_assign(std::make_tuple(t.metric, *t.manager, p->ToString()), &t);
    }
  }

  // The direction of a metric; nullopt when there is no such metric.
  std::optional<bool> HigherIsBetter(const std::string& metric) const {
    if (const BuiltinMetric* b = FindBuiltinMetric(metric)) return b->higher_is_better;
    for (const MetricDefinition& m : config_.metrics)
      if (m.id == metric) return m.higher_is_better;
    return std::nullopt;
  }

  CriterionCheck Tenure(const TenureCriterion& c, const Manager& m) const {
    CriterionCheck out;
    out.kind = CriterionKind::kTenure;
    const absl::CivilDay as_of = request_.as_of;
    out.unit = c.days ? "days" : "months";
    const int32_t required = c.days ? *c.days : *c.months;
    out.required = Whole(required);
    if (!m.hired_on) {
      out.explanation = absl::StrCat("no hired_on: tenure cannot be counted (", required, " ", out.unit, " required)");
      return out;
    }
    const absl::CivilDay hired = *m.hired_on;
    int64_t served = 0;
    if (c.days) {
      served = as_of - hired;
      out.reached_on = hired + required;
    } else {
      const absl::CivilMonth from(hired), to(as_of);
      served = to - from;
      if (served > 0 && AddMonths(hired, static_cast<int32_t>(served)) > as_of) --served;
      out.reached_on = AddMonths(hired, required);
    }
    out.actual = Whole(served);
    out.met = served >= required;
    const std::string what =
        absl::StrCat(served, " of ", required, " ", out.unit, " since hired on ", FormatDay(hired));
    if (out.met) {
      out.explanation = absl::StrCat(what, "; reached on ", FormatDay(*out.reached_on));
    } else {
      out.gap = Whole(required - served);
      out.explanation =
          absl::StrCat(*out.reached_on - as_of, " days short: ", what, "; reached on ", FormatDay(*out.reached_on));
    }
    return out;
  }

  // One period of an attainment criterion.
  PeriodCheck AttainmentPeriod(const AttainmentCriterion& c, bool higher, const Period& period, const Manager& m,
                               const Rows* rows) const {
    PeriodCheck pc;
    pc.period = period.ToString();
    const ScorecardRow* row = nullptr;
    if (rows != nullptr) {
      auto it = rows->find(m.id);
      if (it != rows->end() && !it->second.figures.empty()) row = &it->second;
    }
    if (row == nullptr) {
      pc.note = "no value and no target (no figure for the manager in the period)";
      return pc;
    }
    const Figure& f = row->figures[0];
    pc.value = f.value;
    pc.target = f.target;
    if (!f.target) {
      pc.note = f.value ? "no target" : "no target and no value";
      return pc;
    }
    if (!f.value) {
      pc.note = "no value";
      return pc;
    }
    if (Exact(c, higher, period, m, f, pc)) return pc;
    if (higher && *f.target == 0) {
      pc.note = "the target is 0: no attainment";
      return pc;
    }
    if (!higher && *f.value == 0) {
      pc.met = *f.target > 0;
      pc.note = pc.met ? "value 0 of a lower-is-better metric against a positive target: met" : "no attainment";
      return pc;
    }
    if (!f.attainment) {
      pc.note = "no attainment";
      return pc;
    }
    pc.attainment = RoundDouble(*f.attainment);
    if (!pc.attainment) {
      pc.note = "the attainment is out of range";
      return pc;
    }
    pc.met = *pc.attainment >= c.at_least;
    return pc;
  }

  // Compares exactly when the figure is an exact pair and the target an absolute
  // document whose value (prorated as the engine prorates it) is the engine's
  // target: value n/d against target t·e/(10^9·days) with threshold x/10^9.
  bool Exact(const AttainmentCriterion& c, bool higher, const Period& period, const Manager& m, const Figure& f,
             PeriodCheck& pc) const {
    auto it = targets_.find(std::make_tuple(c.metric, m.id, period.ToString()));
    if (it == targets_.end()) return false;
    const Target& doc = *it->second;
    if (doc.basis != TargetBasis::kAbsolute || !doc.value || doc.value->units() <= 0 || f.denominator <= 0)
      return false;
    int64_t e = 1, days = 1;
    double expected = static_cast<double>(doc.value->units()) / static_cast<double>(Decimal::kOne);
    if (doc.proration == Proration::kEmployedDays) {
      days = period.last_day() - period.first_day() + 1;
      const absl::CivilDay from = m.hired_on ? std::max(period.first_day(), *m.hired_on) : period.first_day();
      const absl::CivilDay to = m.left_on ? std::min(period.last_day(), *m.left_on) : period.last_day();
      e = to < from ? 0 : (to - from) + 1;
      expected *= static_cast<double>(e) / static_cast<double>(days);
    }
    // The document must be the target the engine used (same org, same version).
    if (e <= 0 || expected != *f.target) return false;
    const Int128 n = f.numerator, d = f.denominator, t = doc.value->units(), x = c.at_least.units();
    Int128 lhs, rhs, a, b;
    if (higher) {
      // n/d >= (x/K)·(t·e/(K·days))  <=>  n·K·K·days >= x·t·e·d
      if (!Mul(n, kOne * kOne, a) || !Mul(a, days, lhs) || !Mul(x, t, a) || !Mul(a, e, b) || !Mul(b, d, rhs))
        return false;
      Int128 den;
      if (!Mul(t, e, a) || !Mul(a, d, den)) return false;
      pc.met = lhs >= rhs;
      pc.attainment = Quotient(lhs, den);
    } else {
      if (n < 0) return false;
      if (n == 0) {
        pc.met = true;
        pc.exact = true;
        pc.note = "value 0 of a lower-is-better metric against a positive target: met";
        return true;
      }
      // (t·e/(K·days)) / (n/d) >= x/K  <=>  t·e·d >= x·n·days
      if (!Mul(t, e, a) || !Mul(a, d, lhs) || !Mul(x, n, b) || !Mul(b, days, rhs)) return false;
      Int128 den;
      if (!Mul(n, days, den)) return false;
      pc.met = lhs >= rhs;
      pc.attainment = Quotient(lhs, den);
    }
    pc.exact = true;
    return true;
  }

  CriterionCheck Attainment(const AttainmentCriterion& c, const Manager& m, const Fetched& fetched) const {
    CriterionCheck out;
    out.kind = CriterionKind::kAttainment;
    out.subject = c.metric;
    out.unit = "periods";
    out.required = Whole(c.periods);
    const std::string rule = absl::StrCat("attainment of ", c.metric, " >= ", Num(c.at_least), " in ", c.periods,
                                          " of the last ", Periods(c.granularity, c.of_last));
    std::optional<bool> higher = HigherIsBetter(c.metric);
    if (!higher) {
      out.actual = Whole(0);
      out.gap = out.required;
      out.explanation = absl::StrCat(rule, ": no such metric (neither a built-in nor a metrics document)");
      return out;
    }
    int32_t met = 0;
    std::vector<std::string> unmet;
    for (const Period& p : LastPeriods(c.granularity, c.of_last, request_.as_of)) {
      auto it = fetched.find({c.metric, p.ToString()});
      const Rows* rows = it == fetched.end() || !it->second ? nullptr : &*it->second;
      PeriodCheck pc = AttainmentPeriod(c, *higher, p, m, rows);
      if (pc.met) {
        ++met;
      } else {
        unmet.push_back(
            absl::StrCat(pc.period, " (", pc.attainment ? Num(*pc.attainment) : pc.note.value_or("-"), ")"));
      }
      out.periods.push_back(std::move(pc));
    }
    out.actual = Whole(met);
    out.met = met >= c.periods;
    if (out.met) {
      out.explanation = absl::StrCat(rule, ": met in ", met);
    } else {
      out.gap = Whole(c.periods - met);
      out.explanation = absl::StrCat(rule, ": met in ", met, ", ", c.periods - met, " more needed; not met in ",
                                     absl::StrJoin(unmet, ", "));
    }
    return out;
  }

  CriterionCheck ScorecardTotal(const ScorecardCriterion& c, const Manager& m, const Fetched& fetched) const {
    CriterionCheck out;
    out.kind = CriterionKind::kScorecard;
    out.subject = c.scorecard;
    out.unit = "total";
    out.required = c.at_least;
    const std::string rule = c.average_of == 1
                                 ? absl::StrCat("total of scorecard ", c.scorecard, " >= ", Num(c.at_least),
                                                " in the last complete ", Word(c.granularity))
                                 : absl::StrCat("average total of scorecard ", c.scorecard, " >= ", Num(c.at_least),
                                                " over the last ", Periods(c.granularity, c.average_of));
    Int128 sum = 0;
    int64_t counted = 0;
    bool unknown = false;
    for (const Period& p : LastPeriods(c.granularity, c.average_of, request_.as_of)) {
      PeriodCheck pc;
      pc.period = p.ToString();
      auto it = fetched.find({c.scorecard, pc.period});
      if (it == fetched.end() || !it->second) {
        unknown = true;
        pc.note = "no such scorecard";
      } else if (auto row = it->second->find(m.id); row == it->second->end()) {
        pc.note = "no row for the manager in the period";
      } else if (!row->second.total) {
        pc.note = "no total (no item has a score)";
      } else if (!(pc.total = RoundDouble(*row->second.total))) {
        pc.note = "the total is out of range";
      } else {
        pc.met = true;
        sum += pc.total->units();
        ++counted;
      }
      out.periods.push_back(std::move(pc));
    }
    if (unknown) {
      out.explanation = absl::StrCat(rule, ": no such scorecard");
      return out;
    }
    if (counted == 0) {
      out.explanation = absl::StrCat(rule, ": no total in the ", c.average_of == 1 ? "period" : "periods");
      return out;
    }
    // Truncated, so the average is below Y exactly when the criterion is not met.
    out.actual = Quotient(sum, counted, RoundingMode::kDown);
    out.met = sum >= Int128(c.at_least.units()) * counted;
    std::string actual = out.actual ? Num(*out.actual) : "?";
    if (c.average_of > 1) absl::StrAppend(&actual, " (", counted, " of ", c.average_of, " periods with a total)");
    if (out.met) {
      out.explanation = absl::StrCat(rule, ": ", actual);
    } else {
      if (out.actual) {
        absl::StatusOr<Decimal> gap = c.at_least.Sub(*out.actual);
        if (gap.ok()) out.gap = *gap;
      }
      out.explanation = absl::StrCat(rule, ": ", actual, ", ", out.gap ? Num(*out.gap) : "?", " short");
    }
    return out;
  }

  CriterionCheck Certificate(const std::string& course_id, const TrainingConfig& training_config,
                             const ManagerTraining* row) const {
    CriterionCheck out;
    out.kind = CriterionKind::kCertification;
    out.subject = course_id;
    out.unit = "certification";
    out.required = Whole(1);
    out.actual = Whole(0);
    const Course* course = nullptr;
    for (const Course& c : training_config.courses)
      if (c.id == course_id) course = &c;
    const std::string day = FormatDay(request_.as_of);
    if (course == nullptr) {
      out.explanation = absl::StrCat("course ", course_id, ": no course with this id is in force on ", day);
    } else if (course->certification) {
      const Certification* held = nullptr;
      if (row != nullptr)
        for (const Certification& c : row->certifications)
          if (c.course == course_id) held = &c;
      if (held == nullptr) {
        out.explanation = absl::StrCat("certification ", course_id, ": never earned by ", day);
      } else {
        out.expires_on = held->expires_on;
        out.met = request_.as_of <= held->expires_on;
        out.explanation =
            out.met ? absl::StrCat("certification ", course_id, ": earned on ", FormatDay(held->earned_on),
                                   ", valid through ", FormatDay(held->expires_on))
                    : absl::StrCat("certification ", course_id, ": expired, last valid on ",
                                   FormatDay(held->expires_on), " (earned on ", FormatDay(held->earned_on), ")");
      }
    } else {
      const PassedCourse* passed = nullptr;
      if (row != nullptr)
        for (const PassedCourse& p : row->passed)
          if (p.course == course_id) passed = &p;
      out.met = passed != nullptr;
      out.explanation =
          passed != nullptr
              ? absl::StrCat("course ", course_id, " (no certification): passed on ", FormatDay(passed->last_passed_on))
              : absl::StrCat("course ", course_id, " (no certification): not passed by ", day);
    }
    if (out.met) {
      out.actual = Whole(1);
    } else {
      out.gap = Whole(1);
    }
    return out;
  }

 private:
  const PromotionConfig& config_;
  const PromotionRequest& request_;
  std::map<std::tuple<std::string, std::string, std::string>, const Target*> targets_;
};

std::string QuotedList(const std::vector<const CareerLadder*>& ladders) {
  std::vector<std::string> ids;
  for (const CareerLadder* l : ladders) ids.push_back(QuoteJson(l->id));
  return absl::StrJoin(ids, ", ");
}

// Resolves the ladder of `row`; false (with status and problem set) when none applies.
const CareerLadder* ResolveLadder(const PromotionConfig& config, const Manager& m, PromotionCandidate& row) {
  std::vector<const CareerLadder*> named, general;
  for (const CareerLadder& l : config.ladders) {
    if (l.roles.empty()) {
      general.push_back(&l);
    } else if (m.role && std::find(l.roles.begin(), l.roles.end(), *m.role) != l.roles.end()) {
      named.push_back(&l);
    }
  }
  const std::string whom = m.role ? absl::StrCat("role ", QuoteJson(*m.role)) : "a manager without a role";
  if (named.size() == 1) return named[0];
  if (named.size() > 1) {
    row.status = PromotionStatus::kAmbiguous;
    row.problem = absl::StrCat(whom, " is named by ladders ", QuotedList(named), ": one ladder per role");
    return nullptr;
  }
  if (general.size() == 1) return general[0];
  if (general.size() > 1) {
    row.status = PromotionStatus::kAmbiguous;
    row.problem = absl::StrCat("ladders ", QuotedList(general), " are all for every role, and none names ", whom);
    return nullptr;
  }
  row.status = PromotionStatus::kNoLadder;
  row.problem = absl::StrCat("no career ladder applies to ", whom);
  return nullptr;
}

}  // namespace

absl::StatusOr<PromotionEligibility> BuildPromotionEligibility(const PromotionConfig& config, const OrgTree& tree,
                                                               KpiEngine& kpi, const TrainingProjection& training,
                                                               const TrainingConfig& training_config,
                                                               const PromotionRequest& request, absl::TimeZone zone) {
  PromotionEligibility result;
  result.as_of = request.as_of;

  std::vector<const Manager*> selected;
  if (!request.managers.empty()) {
    std::vector<std::string> ids = request.managers;
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    for (const std::string& id : ids) {
      const Manager* m = tree.FindManager(id);
      if (m == nullptr) return ManagerNotFound(id);
      selected.push_back(m);
    }
  } else if (request.unit) {
    CADRE_ASSIGN_OR_RETURN(std::vector<const Manager*> staff, tree.ManagersIn(*request.unit));
    for (const Manager* m : staff)
      if (Employed(*m, request.as_of)) selected.push_back(m);
  } else {
    for (const Manager& m : tree.managers())
      if (Employed(m, request.as_of)) selected.push_back(&m);
  }

  // First pass: ladders and levels, and what the criteria will need.
  std::vector<Pending> pending;
  std::map<std::pair<std::string, std::string>, std::set<std::string>> metric_needs, scorecard_needs;
  std::map<std::pair<std::string, std::string>, Period> period_of;
  std::vector<std::string> certified;  // managers with certification criteria
  Evaluator evaluator(config, request);
  for (const Manager* m : selected) {
    PromotionCandidate row;
    row.manager = m->id;
    row.team = m->team;
    row.role = m->role;
    row.level = m->level;
    if (!Employed(*m, request.as_of)) {
      row.status = PromotionStatus::kNotEmployed;
      row.problem = absl::StrCat("not employed on ", FormatDay(request.as_of));
      result.managers.push_back(std::move(row));
      continue;
    }
    const CareerLadder* ladder = ResolveLadder(config, *m, row);
    if (ladder != nullptr) {
      row.ladder = ladder->id;
      auto at = std::find_if(ladder->levels.begin(), ladder->levels.end(),
                             [&](const CareerLevel& l) { return l.level == m->level; });
      if (at == ladder->levels.end()) {
        std::vector<int32_t> numbers;
        for (const CareerLevel& l : ladder->levels) numbers.push_back(l.level);
        row.status = PromotionStatus::kNotOnLadder;
        row.problem = absl::StrCat("level ", m->level, " is not a level of ladder ", QuoteJson(ladder->id), " (levels ",
                                   absl::StrJoin(numbers, ", "), ")");
      } else {
        row.level_name = at->name;
        if (std::next(at) == ladder->levels.end()) {
          row.status = PromotionStatus::kTopLevel;
        } else {
          row.next_level = std::next(at)->level;
          row.next_level_name = std::next(at)->name;
          const PromotionCriteria& criteria = at->promotion;
          pending.push_back(Pending{result.managers.size(), m, &criteria});
          for (const AttainmentCriterion& c : criteria.attainment) {
            if (!evaluator.HigherIsBetter(c.metric)) continue;
            for (const Period& p : LastPeriods(c.granularity, c.of_last, request.as_of)) {
              metric_needs[{c.metric, p.ToString()}].insert(m->id);
              period_of.emplace(std::make_pair(c.metric, p.ToString()), p);
            }
          }
          for (const ScorecardCriterion& c : criteria.scorecards) {
            for (const Period& p : LastPeriods(c.granularity, c.average_of, request.as_of)) {
              scorecard_needs[{c.scorecard, p.ToString()}].insert(m->id);
              period_of.emplace(std::make_pair(c.scorecard, p.ToString()), p);
            }
          }
          if (!criteria.certifications.empty()) certified.push_back(m->id);
        }
      }
    }
    result.managers.push_back(std::move(row));
  }

  // The figures, one engine call per (metric or scorecard, period) for every
  // manager who needs it.
  Fetched metrics, scorecards;
  auto fetch = [&](const auto& needs, bool is_scorecard, Fetched& into) -> absl::Status {
    for (const auto& [key, managers] : needs) {
      ScorecardRequest req;
      if (is_scorecard) {
        req.scorecard = key.first;
      } else {
        req.metrics = {key.first};
      }
      req.period = period_of.at(key);
      req.managers.assign(managers.begin(), managers.end());
      req.units_rollup = false;
      req.compare_previous = false;
      absl::StatusOr<Scorecard> card = kpi.GetScorecard(req);
      if (absl::IsNotFound(card.status())) {
        into.emplace(key, std::nullopt);
        continue;
      }
      if (!card.ok()) return card.status();
      Rows rows;
      for (ScorecardRow& r : card->managers) {
        std::string id = r.subject;
        rows.emplace(std::move(id), std::move(r));
      }
      into.emplace(key, std::move(rows));
    }
    return absl::OkStatus();
  };
  CADRE_RETURN_IF_ERROR(fetch(metric_needs, false, metrics));
  CADRE_RETURN_IF_ERROR(fetch(scorecard_needs, true, scorecards));

  absl::flat_hash_map<std::string, ManagerTraining> trainings;
  if (!certified.empty()) {
    TrainingRequest tr;
    tr.as_of = request.as_of;
    tr.managers = certified;
    tr.units = false;
    CADRE_ASSIGN_OR_RETURN(TrainingReport report, BuildTrainingReport(training, training_config, tree, tr, zone));
    for (ManagerTraining& t : report.managers) {
      std::string id = t.manager;
      trainings.emplace(std::move(id), std::move(t));
    }
  }

  // Second pass: the criteria.
  for (const Pending& p : pending) {
    PromotionCandidate& row = result.managers[p.row];
    const PromotionCriteria& c = *p.criteria;
    if (c.tenure) row.criteria.push_back(evaluator.Tenure(*c.tenure, *p.manager));
    for (const AttainmentCriterion& a : c.attainment)
      row.criteria.push_back(evaluator.Attainment(a, *p.manager, metrics));
    for (const ScorecardCriterion& s : c.scorecards)
      row.criteria.push_back(evaluator.ScorecardTotal(s, *p.manager, scorecards));
    auto t = trainings.find(p.manager->id);
    for (const std::string& course : c.certifications)
      row.criteria.push_back(
          evaluator.Certificate(course, training_config, t == trainings.end() ? nullptr : &t->second));
    row.criteria_total = static_cast<int32_t>(row.criteria.size());
    for (const CriterionCheck& check : row.criteria)
      if (check.met) ++row.criteria_met;
    row.qualifies = row.criteria_met == row.criteria_total;
    row.status = row.qualifies ? PromotionStatus::kQualifies : PromotionStatus::kNotYet;
  }
  for (const PromotionCandidate& row : result.managers)
    if (row.qualifies) result.qualifying.push_back(row.manager);
  return result;
}

absl::StatusOr<PromotionEligibility> BuildPromotionEligibility(const Workspace& workspace, KpiEngine& kpi,
                                                               const PromotionRequest& request) {
  const absl::TimeZone zone = workspace.time_zone();
  CADRE_ASSIGN_OR_RETURN(PromotionConfig config, PromotionConfig::Load(workspace, request.as_of));
  CADRE_ASSIGN_OR_RETURN(OrgTree tree, OrgTree::Load(workspace, EndOfDay(request.as_of, zone)));
  TrainingProjection training;
  TrainingConfig training_config;
  bool certifications = false;
  for (const CareerLadder& l : config.ladders)
    for (const CareerLevel& level : l.levels) certifications |= !level.promotion.certifications.empty();
  if (certifications) {
    CADRE_RETURN_IF_ERROR(training.CatchUp(workspace));
    CADRE_ASSIGN_OR_RETURN(training_config, TrainingConfig::Load(workspace, request.as_of));
  }
  return BuildPromotionEligibility(config, tree, kpi, training, training_config, request, zone);
}

}  // namespace cadre
