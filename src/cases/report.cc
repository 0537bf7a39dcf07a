// The case figures: per manager and per org unit, for the cases opened in a
// period, in business time on a clock. The rules are declared in cadre/cases.h
// and docs/cases.md.
#include <algorithm>
#include <map>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "cadre/cases.h"
#include "cadre/id.h"
#include "cadre/json.h"
#include "cadre/model.h"
#include "cadre/org.h"
#include "cadre/period.h"
#include "cadre/scope.h"
#include "cadre/status.h"

namespace cadre {
namespace {

// Business time in [a, b) less the business time waited within it.
absl::StatusOr<absl::Duration> NetBusinessTime(const BusinessClock& clock, const Case& c, absl::Time a, absl::Time b,
                                               absl::Time as_of) {
  CADRE_ASSIGN_OR_RETURN(absl::Duration total, clock.BusinessTimeBetween(a, b));
  for (const CaseWait& w : c.waits) {
    const absl::Time from = std::max(w.from, a);
    const absl::Time until = std::min(w.until.value_or(as_of), b);
    if (until <= from) continue;
    CADRE_ASSIGN_OR_RETURN(absl::Duration waited, clock.BusinessTimeBetween(from, until));
    total -= waited;
  }
  return total;
}

// The SLA timeline of a clock started at the opening and stopped at `stop`:
// the waits before the stop, the last one left open when still waiting.
SlaTimeline TimelineOf(const Case& c, std::optional<absl::Time> stop) {
  SlaTimeline t;
  t.start = c.opened_at;
  t.stopped_at = stop;
  for (const CaseWait& w : c.waits) {
    if (stop && w.from >= *stop) break;
    SlaPause p{w.from, w.until};
    if (stop && (!p.until || *p.until > *stop)) p.until = *stop;
    t.pauses.push_back(p);
  }
  return t;
}

enum class SlaOutcome { kNone, kMet, kLate, kBreached, kPending };

absl::StatusOr<SlaOutcome> Judge(const BusinessClock& clock, const SlaTimeline& timeline, int64_t minutes,
                                 absl::Time as_of) {
  CADRE_ASSIGN_OR_RETURN(SlaState state, Evaluate(clock, timeline, SlaPolicy{absl::Minutes(minutes), {}}, as_of));
  switch (state.status) {
    case SlaStatus::kMet:
      return SlaOutcome::kMet;
    case SlaStatus::kMissed:
      return SlaOutcome::kLate;
    case SlaStatus::kBreached:
      return SlaOutcome::kBreached;
    default:
      return SlaOutcome::kPending;
  }
}

// What one case adds to the figures.
struct CaseFacts {
  const Case* c = nullptr;
  std::optional<int64_t> response_seconds;
  std::optional<int64_t> resolution_seconds;
  SlaOutcome resolution_sla = SlaOutcome::kNone;
  SlaOutcome response_sla = SlaOutcome::kNone;
};

absl::StatusOr<CaseFacts> FactsOf(const Case& c, const BusinessClock& clock, const CaseSlaPolicy& policy,
                                  absl::Time as_of) {
  CaseFacts f;
  f.c = &c;
  if (c.first_response_at) {
    CADRE_ASSIGN_OR_RETURN(absl::Duration d, NetBusinessTime(clock, c, c.opened_at, *c.first_response_at, as_of));
    f.response_seconds = absl::ToInt64Seconds(d);
  }
  const bool resolved = c.status == CaseStatus::kResolved;
  if (resolved) {
    CADRE_ASSIGN_OR_RETURN(absl::Duration d, NetBusinessTime(clock, c, c.opened_at, *c.resolved_at, as_of));
    f.resolution_seconds = absl::ToInt64Seconds(d);
  }
  const CaseSla* sla = policy.Find(c.category, c.severity);
  if (sla == nullptr) return f;
  CADRE_ASSIGN_OR_RETURN(f.resolution_sla, Judge(clock, TimelineOf(c, resolved ? c.resolved_at : std::nullopt),
                                                 sla->resolution.business_minutes, as_of));
  std::optional<absl::Time> answered = c.first_response_at;
  if (!c.resolutions.empty() && (!answered || c.resolutions.front().at < *answered))
    answered = c.resolutions.front().at;
  CADRE_ASSIGN_OR_RETURN(f.response_sla,
                         Judge(clock, TimelineOf(c, answered), sla->first_response.business_minutes, as_of));
  return f;
}

// The sums behind one row; rows of units add their managers' sums.
struct Sums {
  int64_t cases = 0, complaints = 0, support = 0;
  std::map<std::string, int64_t> by_category;
  int64_t by_severity[4] = {0, 0, 0, 0};
  std::vector<int64_t> response_seconds, resolution_seconds;
  int64_t resolved = 0, open = 0;
  int64_t in_sla = 0, late = 0, breached = 0, pending = 0, without_sla = 0;
  int64_t responded_in_sla = 0, response_late = 0, response_pending = 0;
  int64_t resolved_once = 0, reopened = 0;
  std::map<std::string, int64_t> root_causes;

  void Add(const CaseFacts& f) {
    const Case& c = *f.c;
    ++cases;
    ++(c.type == CaseType::kComplaint ? complaints : support);
    ++by_category[c.category];
    ++by_severity[static_cast<int>(c.severity)];
    if (f.response_seconds) response_seconds.push_back(*f.response_seconds);
    if (f.resolution_seconds) resolution_seconds.push_back(*f.resolution_seconds);
    if (c.status == CaseStatus::kResolved) {
      ++resolved;
      ++root_causes[c.root_cause.value_or("unspecified")];
    } else {
      ++open;
    }
    switch (f.resolution_sla) {
      case SlaOutcome::kNone:
        ++without_sla;
        break;
      case SlaOutcome::kMet:
        ++in_sla;
        break;
      case SlaOutcome::kLate:
        ++late;
        break;
      case SlaOutcome::kBreached:
        ++breached;
        break;
      case SlaOutcome::kPending:
        ++pending;
        break;
    }
    switch (f.response_sla) {
      case SlaOutcome::kMet:
        ++responded_in_sla;
        break;
      case SlaOutcome::kLate:
      case SlaOutcome::kBreached:
        ++response_late;
        break;
      case SlaOutcome::kPending:
        ++response_pending;
        break;
      case SlaOutcome::kNone:
        break;
    }
    if (!c.resolutions.empty()) ++resolved_once;
    if (c.reopened > 0) ++reopened;
  }

  void Add(const Sums& o) {
    cases += o.cases;
    complaints += o.complaints;
    support += o.support;
    for (const auto& [k, n] : o.by_category) by_category[k] += n;
    for (int i = 0; i < 4; ++i) by_severity[i] += o.by_severity[i];
    response_seconds.insert(response_seconds.end(), o.response_seconds.begin(), o.response_seconds.end());
    resolution_seconds.insert(resolution_seconds.end(), o.resolution_seconds.begin(), o.resolution_seconds.end());
    resolved += o.resolved;
    open += o.open;
    in_sla += o.in_sla;
    late += o.late;
    breached += o.breached;
    pending += o.pending;
    without_sla += o.without_sla;
    responded_in_sla += o.responded_in_sla;
    response_late += o.response_late;
    response_pending += o.response_pending;
    resolved_once += o.resolved_once;
    reopened += o.reopened;
    for (const auto& [k, n] : o.root_causes) root_causes[k] += n;
  }
};

absl::StatusOr<std::optional<Decimal>> OptionalRatio(int64_t numerator, int64_t denominator) {
  if (denominator == 0) return std::optional<Decimal>();
  CADRE_ASSIGN_OR_RETURN(Decimal r, Ratio(numerator, denominator, RoundingMode::kHalfEven));
  return std::optional<Decimal>(r);
}

absl::StatusOr<CaseDurations> DurationsOf(std::vector<int64_t> seconds) {
  CaseDurations d;
  d.count = static_cast<int64_t>(seconds.size());
  for (int64_t s : seconds)
    if (__builtin_add_overflow(d.total_seconds, s, &d.total_seconds))
      return absl::OutOfRangeError("cases: a sum of durations leaves int64");
  CADRE_ASSIGN_OR_RETURN(d.total_minutes, Ratio(d.total_seconds, 60, RoundingMode::kHalfEven));
  if (d.count == 0) return d;
  CADRE_ASSIGN_OR_RETURN(d.average_minutes, Ratio(d.total_seconds, d.count * 60, RoundingMode::kHalfEven));
  std::sort(seconds.begin(), seconds.end());
  const std::size_t mid = seconds.size() / 2;
  if (seconds.size() % 2 == 1) {
    CADRE_ASSIGN_OR_RETURN(d.median_minutes, Ratio(seconds[mid], 60, RoundingMode::kHalfEven));
  } else {
    CADRE_ASSIGN_OR_RETURN(d.median_minutes, Ratio(seconds[mid - 1] + seconds[mid], 120, RoundingMode::kHalfEven));
  }
  return d;
}

absl::StatusOr<CaseFigures> FiguresOf(const Sums& s) {
  CaseFigures f;
  f.cases = s.cases;
  f.complaints = s.complaints;
  f.support_requests = s.support;
  for (const auto& [k, n] : s.by_category) f.by_category.push_back(CaseCount{k, n});
  for (int i = 0; i < 4; ++i) {
    if (s.by_severity[i] == 0) continue;
    f.by_severity.push_back(CaseCount{std::string(json::EnumName(static_cast<Severity>(i))), s.by_severity[i]});
  }
  CADRE_ASSIGN_OR_RETURN(f.first_response, DurationsOf(s.response_seconds));
  CADRE_ASSIGN_OR_RETURN(f.resolution, DurationsOf(s.resolution_seconds));
  f.resolved = s.resolved;
  f.open = s.open;
  f.resolved_in_sla = s.in_sla;
  f.resolved_late = s.late;
  f.breached_open = s.breached;
  f.sla_pending = s.pending;
  f.without_sla = s.without_sla;
  CADRE_ASSIGN_OR_RETURN(f.in_sla_ratio, OptionalRatio(s.in_sla, s.in_sla + s.late + s.breached));
  f.responded_in_sla = s.responded_in_sla;
  f.response_late = s.response_late;
  f.response_pending = s.response_pending;
  CADRE_ASSIGN_OR_RETURN(f.response_in_sla_ratio,
                         OptionalRatio(s.responded_in_sla, s.responded_in_sla + s.response_late));
  f.resolved_once = s.resolved_once;
  f.reopened = s.reopened;
  CADRE_ASSIGN_OR_RETURN(f.reopen_rate, OptionalRatio(s.reopened, s.resolved_once));
  for (const auto& [k, n] : s.root_causes) f.root_causes.push_back(CaseCount{k, n});
  return f;
}

// The sums per credited manager ("" for nobody) of the cases opened in the period.
absl::StatusOr<std::map<std::string, Sums>> SumsByManager(const CaseProjection& projection,
                                                          const OwnershipProjection& ownership,
                                                          const BusinessClock& clock, const CaseSlaPolicy& policy,
                                                          const CaseReportRequest& request, absl::Time as_of) {
  if (!(request.from < request.until))
    return FieldError("until", "must be after from", QuoteJson(FormatInstant(request.until)));
  if (as_of < request.from) return FieldError("as_of", "must not be before from", QuoteJson(FormatInstant(as_of)));
  CaseFilter filter;
  filter.from = request.from;
  filter.until = request.until;
  filter.type = request.type;
  filter.as_of = as_of;
  std::vector<Case> cases = projection.List(filter, ownership);
  std::map<std::string, Sums> sums;
  for (const Case& c : cases) {
    CADRE_ASSIGN_OR_RETURN(CaseFacts f, FactsOf(c, clock, policy, as_of));
    sums[c.manager.value_or("")].Add(f);
  }
  return sums;
}

}  // namespace

absl::StatusOr<CaseReport> BuildCaseReport(const CaseProjection& cases, const OwnershipProjection& ownership,
                                           const OrgTree& tree, const BusinessClock& clock, const CaseSlaPolicy& policy,
                                           const CaseReportRequest& request) {
  const absl::Time as_of = request.as_of.value_or(request.until);
  CaseReport report;
  report.from = request.from;
  report.until = request.until;
  report.as_of = as_of;
  report.calendar = clock.calendar_id();

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
    CADRE_ASSIGN_OR_RETURN(selected, tree.ManagersIn(*request.unit));
  } else {
    for (const Manager& m : tree.managers()) selected.push_back(&m);
  }
  using SumsMap = std::map<std::string, Sums>;
  CADRE_ASSIGN_OR_RETURN(SumsMap sums, SumsByManager(cases, ownership, clock, policy, request, as_of));

  const Sums empty;
  auto sums_of = [&](const std::string& manager) -> const Sums& {
    auto it = sums.find(manager);
    return it == sums.end() ? empty : it->second;
  };
  for (const Manager* m : selected) {
    CADRE_ASSIGN_OR_RETURN(CaseFigures f, FiguresOf(sums_of(m->id)));
    f.manager = m->id;
    report.managers.push_back(std::move(f));
  }
  if (request.managers.empty() && !request.unit) {
    Sums nobody;
    for (const auto& [manager, s] : sums)
      if (manager.empty() || tree.FindManager(manager) == nullptr) nobody.Add(s);
    CADRE_ASSIGN_OR_RETURN(CaseFigures f, FiguresOf(nobody));
    report.uncredited = std::move(f);
  }

  if (!request.units || tree.root() == nullptr) return report;
  // Roll-ups: each selected manager's sums add to their team and every unit above it, up to the top.
  const std::string top = request.unit.value_or(tree.root()->id);
  CADRE_ASSIGN_OR_RETURN(std::vector<const OrgUnit*> subtree, tree.Subtree(top));
  absl::flat_hash_map<std::string, Sums> units;
  for (const OrgUnit* u : subtree) units.emplace(u->id, Sums{});
  for (const Manager* m : selected) {
    if (!units.contains(m->team)) continue;
    const Sums& s = sums_of(m->id);
    std::string unit = m->team;
    while (true) {
      units.at(unit).Add(s);
      if (unit == top) break;
      CADRE_ASSIGN_OR_RETURN(const OrgUnit* parent, tree.Parent(unit));
      if (parent == nullptr) break;
      unit = parent->id;
    }
  }
  for (const OrgUnit* u : subtree) {
    CADRE_ASSIGN_OR_RETURN(CaseFigures f, FiguresOf(units.at(u->id)));
    f.unit = u->id;
    report.units.push_back(std::move(f));
  }
  return report;
}

absl::StatusOr<std::vector<CaseSlaCounts>> CaseSlaCountsByManager(const CaseProjection& cases,
                                                                  const OwnershipProjection& ownership,
                                                                  const OrgTree& tree, const BusinessClock& clock,
                                                                  const CaseSlaPolicy& policy, absl::Time from,
                                                                  absl::Time until, std::optional<CaseType> type,
                                                                  std::vector<std::string> managers) {
  CaseReportRequest request;
  request.from = from;
  request.until = until;
  request.type = type;
  request.managers = std::move(managers);
  request.units = false;
  CADRE_ASSIGN_OR_RETURN(CaseReport report, BuildCaseReport(cases, ownership, tree, clock, policy, request));
  std::vector<CaseSlaCounts> out;
  out.reserve(report.managers.size());
  for (const CaseFigures& f : report.managers) {
    out.push_back(CaseSlaCounts{*f.manager, f.resolved_in_sla, f.resolved_in_sla + f.resolved_late,
                                f.resolved_in_sla + f.resolved_late + f.breached_open, f.first_response.total_minutes,
                                f.first_response.count});
  }
  return out;
}

}  // namespace cadre
