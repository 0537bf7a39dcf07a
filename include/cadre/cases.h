// cadre/cases.h — cases: customer complaints and account managers' support
// requests, and the complaint figures per manager and per team.
//
// A case is a run of `case` events naming it by `reference`: an opening, then
// responses, waits on the customer (waiting .. resumed), resolutions and
// reopenings. The CaseProjection keeps each case's events and folds them in
// (occurred_at, seq) order whenever it is asked, so late and out-of-order
// arrivals and reversals are honoured. BuildCaseReport turns the cases opened in
// a period into figures: volume, time to first response and to resolution in
// business time, the share resolved within SLA, the reopen rate and root causes.
//
//   OwnershipProjection ownership;
//   CaseProjection cases;
//   CADRE_RETURN_IF_ERROR(ownership.CatchUp(*workspace));
//   CADRE_RETURN_IF_ERROR(cases.CatchUp(*workspace));
//   CADRE_ASSIGN_OR_RETURN(BusinessClock clock, BusinessClock::Create(AlwaysOpenCalendar(), workspace->time_zone()));
//   CADRE_ASSIGN_OR_RETURN(CaseSlaPolicy slas, CaseSlaPolicy::Load(*workspace, june_end));
//   CADRE_ASSIGN_OR_RETURN(OrgTree tree, OrgTree::Load(*workspace, june_end));
//   CADRE_ASSIGN_OR_RETURN(CaseReport report,
//                          BuildCaseReport(cases, ownership, tree, clock, slas, {.from = june, .until = july}));
//
// The rules (docs/cases.md has them with examples):
// - Folding. A case's events are read in (occurred_at, seq) order, up to the
//   instant asked about (`as_of`; later events are left out). The first
//   `opened` event opens the case; a stage before it is an anomaly (reported,
//   not applied); a second `opened` event is an anomaly (the first counts).
//   `responded`: the first one after the opening is the first response.
//   `waiting` (when open) starts a wait, `resumed` (when waiting) ends it; a
//   resolution ends an open wait. `resolved` makes the case resolved (a second
//   one without a reopening is an anomaly, but the latest resolution counts);
//   `reopened` (when resolved) makes it open again and counts a reopening. A
//   stage that does not fit the status (resumed when not waiting, waiting when
//   not open, reopened when not resolved) is an anomaly and changes nothing.
// - Severity: the opening's (medium without one); a later case event that
//   carries one changes it from then on.
// - Manager: the one the opening names; for a complaint that names none, the
//   customer's owner at the opening (OwnershipProjection::OwnerAt); a support
//   request that names none is credited to nobody.
// - Reversals: a reversed case event is left out as if never logged (a
//   reversed opening leaves the next opening, if any, to open the case).
// - Business time: durations are counted on a BusinessClock, with the waits
//   left out: time to first response = business time from the opening to the
//   first response less the business time waited in between; time to resolve
//   = the same up to the latest resolution (time between an earlier resolution
//   and its reopening counts, the customer was not served).
// - SLA: each case's targets come from CaseSlaPolicy::Find (see there). The
//   resolution clock (cadre::Evaluate) starts at the opening, stands still
//   while waiting, stops at the latest standing resolution; its deadline is
//   AddBusinessTime(opened, target) pushed by the waits. Resolved at or before
//   the deadline: within SLA; resolved after it: late; still open at `as_of`
//   and past it: breached (not within SLA); open and not yet due: pending (left
//   out of the share). The first-response clock is the same, stopped at the
//   first response or, without one, at the first resolution.
// - Figures count the cases opened in [from, until) (every case, complaint or
//   support, unless a type is asked for). Ratios are recomputed from sums, a
//   unit's from its managers' sums, never an average of averages; medians
//   from the pooled cases.
#ifndef CADRE_CASES_H_
#define CADRE_CASES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "boost/describe.hpp"
#include "cadre/calendar.h"
#include "cadre/decimal.h"
#include "cadre/event.h"

namespace cadre {

class Workspace;
class OrgTree;
class OwnershipProjection;
namespace json {
class Path;
}

// ---- SLA targets (collection "case_slas") --------------------------------------------

// A business duration, in whole minutes of business time.
struct BusinessMinutes {
  static constexpr std::string_view kRequired[] = {"business_minutes"};

  int64_t business_minutes = 0;  // 1 .. kMaxBusinessMinutes

  friend bool operator==(const BusinessMinutes&, const BusinessMinutes&) = default;
};
BOOST_DESCRIBE_STRUCT(BusinessMinutes, (), (business_minutes))

// The targets of the cases of one category (and optionally one severity).
//
//   {"id": "complaint-high", "category": "complaint", "severity": "high",
//    "first_response": {"business_minutes": 60}, "resolution": {"business_minutes": 480}}
struct CaseSla {
  static constexpr std::string_view kRequired[] = {"id", "category", "first_response", "resolution"};
  static constexpr std::string_view kCollection = "case_slas";
  // A year of minutes, ten times over: longer targets are typos.
  static constexpr int64_t kMaxBusinessMinutes = 10 * 366 * 24 * 60;

  std::string id;
  std::string category;              // "complaint", a support category, or "*" for any category
  std::optional<Severity> severity;  // absent: any severity
  BusinessMinutes first_response;
  BusinessMinutes resolution;

  // Refuses an empty or malformed category, a target out of 1 ..
  // kMaxBusinessMinutes, and a first-response target longer than the
  // resolution target, naming the path, the rule and the value.
  absl::Status Validate(json::Path& path) const;
  friend bool operator==(const CaseSla&, const CaseSla&) = default;
};
BOOST_DESCRIBE_STRUCT(CaseSla, (), (id, category, severity, first_response, resolution))

// The SLA targets in force; the SOP engine may supply them instead of the documents.
struct CaseSlaPolicy {
  std::vector<CaseSla> rules;

  // The rule for a case, most specific first: the category and the severity;
  // the category with no severity; "*" and the severity; "*" with no severity.
  // nullptr when none applies (the case has no SLA: counted in `without_sla`).
  const CaseSla* Find(std::string_view category, Severity severity) const;

  // Validates every rule (paths "rules[i]...") and refuses two rules for the
  // same category and severity.
  absl::Status Validate(json::Path& path) const;

  // The case_slas documents in force at `as_of`, ordered by id. Errors are the
  // store's, a stored document that no longer parses, or two documents for the
  // same category and severity (INVALID_ARGUMENT naming both).
  static absl::StatusOr<CaseSlaPolicy> Load(const Workspace& workspace, absl::Time as_of);
};
BOOST_DESCRIBE_STRUCT(CaseSlaPolicy, (), (rules))

// A calendar open every hour of every day (business time is elapsed time), for
// figures asked without a calendar. Its id is "24x7".
BusinessCalendar AlwaysOpenCalendar();

// ---- Cases ---------------------------------------------------------------------------

enum class CaseType {
  kComplaint,  // category "complaint": a customer's complaint
  kSupport,    // any other category: an account manager's support request
};
BOOST_DESCRIBE_ENUM(CaseType, kComplaint, kSupport)

enum class CaseStatus { kOpen, kWaiting, kResolved };
BOOST_DESCRIBE_ENUM(CaseStatus, kOpen, kWaiting, kResolved)

// A wait on the customer: from `waiting` to `resumed` (or the resolution).
struct CaseWait {
  absl::Time from;
  std::optional<absl::Time> until;  // absent: still waiting

  friend bool operator==(const CaseWait&, const CaseWait&) = default;
};
BOOST_DESCRIBE_STRUCT(CaseWait, (), (from, until))

struct CaseResolution {
  std::string event;
  absl::Time at;
  std::optional<std::string> outcome;
  std::optional<std::string> reason;   // the root cause
  std::optional<std::string> manager;  // who resolved it, when named

  friend bool operator==(const CaseResolution&, const CaseResolution&) = default;
};
BOOST_DESCRIBE_STRUCT(CaseResolution, (), (event, at, outcome, reason, manager))

// A case event that could not be applied as it stands, with the reason.
struct CaseAnomaly {
  std::string case_id;
  std::string event;
  std::string stage;
  absl::Time occurred_at;
  std::string problem;

  friend bool operator==(const CaseAnomaly&, const CaseAnomaly&) = default;
};
BOOST_DESCRIBE_STRUCT(CaseAnomaly, (), (case_id, event, stage, occurred_at, problem))

// One case as folded at an instant.
struct Case {
  std::string id;
  CaseType type = CaseType::kComplaint;
  std::string category;
  Severity severity = Severity::kMedium;  // current
  std::optional<Channel> channel;
  std::optional<std::string> customer;
  std::optional<std::string> manager;  // credited (see the rules)
  bool manager_is_owner = false;       // credited to the customer's owner, not named
  std::string opening_event;
  absl::Time opened_at;
  std::optional<absl::Time> first_response_at;
  std::vector<CaseWait> waits;
  // The latest resolution (kept after a reopening; `status` says whether it stands).
  std::optional<absl::Time> resolved_at;
  std::vector<CaseResolution> resolutions;  // oldest first
  int32_t reopened = 0;                     // reopenings counted
  std::optional<std::string> outcome;       // of the latest resolution
  std::optional<std::string> root_cause;    // of the latest resolution
  CaseStatus status = CaseStatus::kOpen;
  std::vector<Event> history;  // the applied events and the anomalous ones after the opening, in order
  std::vector<CaseAnomaly> anomalies;

  friend bool operator==(const Case&, const Case&) = default;
};
BOOST_DESCRIBE_STRUCT(Case, (),
                      (id, type, category, severity, channel, customer, manager, manager_is_owner, opening_event,
                       opened_at, first_response_at, waits, resolved_at, resolutions, reopened, outcome, root_cause,
                       status, history, anomalies))

// Which cases List returns (all given filters apply).
struct CaseFilter {
  std::optional<std::string> manager;  // credited manager
  std::optional<std::string> customer;
  std::optional<std::string> category;
  std::optional<CaseType> type;
  std::optional<CaseStatus> status;  // at as_of
  std::optional<absl::Time> from;    // opened_at >= from
  std::optional<absl::Time> until;   // opened_at < until
  absl::Time as_of = absl::InfiniteFuture();
};

// The case events of a workspace.
//
// Incremental: CatchUp() reads only the case and reversal events logged after
// its high-water mark. Each case keeps its events ordered by (occurred_at, seq)
// and is folded when asked, as of the instant asked, so the answer equals that
// of a projection rebuilt from the log whatever order events arrived in.
// Crediting reads `ownership` at the time of the question: catch it up with the
// same workspace first.
//
// Thread-safety: safe to share between threads; one mutex guards the state.
// Queries take it (then ownership's own mutex) and return copies.
class CaseProjection {
 public:
  CaseProjection() = default;
  CaseProjection(const CaseProjection&) = delete;
  CaseProjection& operator=(const CaseProjection&) = delete;

  // Applies the case and reversal events logged after high_water_mark(). On a
  // store error the events applied before it stay applied; a later call resumes.
  absl::Status CatchUp(const Workspace& workspace);
  // Applies one logged event (other kinds are ignored; applying one twice
  // changes nothing). The mark becomes max(mark, event.seq).
  void Apply(const StoredEvent& event);
  // Forgets everything (mark 0).
  void Reset();
  uint64_t high_water_mark() const;

  // The case as of `as_of`; empty when it was not opened by then.
  std::optional<Case> Find(std::string_view case_id, const OwnershipProjection& ownership,
                           absl::Time as_of = absl::InfiniteFuture()) const;
  // The cases passing `filter`, ordered by opened_at, then id.
  std::vector<Case> List(const CaseFilter& filter, const OwnershipProjection& ownership) const;
  // Every anomaly as of `as_of`, of opened cases and of events naming a case
  // never opened, ordered by case id, then occurred_at, then event id.
  std::vector<CaseAnomaly> Anomalies(const OwnershipProjection& ownership,
                                     absl::Time as_of = absl::InfiniteFuture()) const;

 private:
  void ApplyLocked(const StoredEvent& event) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  uint64_t high_water_mark_ ABSL_GUARDED_BY(mu_) = 0;
  // Per case id, its events by (occurred_at, seq).
  absl::flat_hash_map<std::string, std::vector<StoredEvent>> events_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::string> event_case_ ABSL_GUARDED_BY(mu_);  // event id -> case id
  absl::flat_hash_set<std::string> reversed_ ABSL_GUARDED_BY(mu_);                 // every id a reversal named
};

// Folds one case's events (any order; they are sorted by (occurred_at, seq)) as
// of `as_of`, by the rules above. Empty when no opening occurred by then; the
// anomalies of the events are appended to `orphans` in that case, if given.
std::optional<Case> FoldCase(std::vector<StoredEvent> events, const OwnershipProjection& ownership, absl::Time as_of,
                             std::vector<CaseAnomaly>* orphans = nullptr);

// ---- Figures ---------------------------------------------------------------------------

// Business durations of some cases: count, total, average and median in
// minutes (nine decimals, half-even; absent when count is 0). Durations are
// counted in whole seconds (fractions of a second are dropped per case).
struct CaseDurations {
  int64_t count = 0;
  int64_t total_seconds = 0;
  Decimal total_minutes;
  std::optional<Decimal> average_minutes;
  std::optional<Decimal> median_minutes;  // of an even count: the mean of the two middle values

  friend bool operator==(const CaseDurations&, const CaseDurations&) = default;
};
BOOST_DESCRIBE_STRUCT(CaseDurations, (), (count, total_seconds, total_minutes, average_minutes, median_minutes))

struct CaseCount {
  std::string key;
  int64_t count = 0;

  friend bool operator==(const CaseCount&, const CaseCount&) = default;
};
BOOST_DESCRIBE_STRUCT(CaseCount, (), (key, count))

// The figures of one manager, one unit, or the cases credited to nobody.
struct CaseFigures {
  std::optional<std::string> manager;
  std::optional<std::string> unit;
  int64_t cases = 0;
  int64_t complaints = 0;
  int64_t support_requests = 0;
  std::vector<CaseCount> by_category;  // by key
  std::vector<CaseCount> by_severity;  // critical, high, medium, low (those with cases)
  CaseDurations first_response;        // the cases with a first response by as_of
  CaseDurations resolution;            // the cases resolved at as_of
  int64_t resolved = 0;                // resolved at as_of
  int64_t open = 0;                    // open or waiting at as_of
  // Resolution SLA.
  int64_t resolved_in_sla = 0;  // resolved at or before the deadline
  int64_t resolved_late = 0;    // resolved after it
  int64_t breached_open = 0;    // open at as_of past the deadline
  int64_t sla_pending = 0;      // open, not yet due
  int64_t without_sla = 0;      // no rule of the policy applies
  // resolved_in_sla / (resolved_in_sla + resolved_late + breached_open); absent when that is 0.
  std::optional<Decimal> in_sla_ratio;
  // First-response SLA, the same way.
  int64_t responded_in_sla = 0;
  int64_t response_late = 0;  // responded after the deadline, or open past it without a response
  int64_t response_pending = 0;
  std::optional<Decimal> response_in_sla_ratio;  // responded_in_sla / (responded_in_sla + response_late)
  // Reopenings.
  int64_t resolved_once = 0;           // cases resolved at least once
  int64_t reopened = 0;                // cases reopened at least once
  std::optional<Decimal> reopen_rate;  // reopened / resolved_once
  // Root causes of the resolved cases (latest resolution's reason; none = "unspecified"), by key.
  std::vector<CaseCount> root_causes;

  friend bool operator==(const CaseFigures&, const CaseFigures&) = default;
};
BOOST_DESCRIBE_STRUCT(CaseFigures, (),
                      (manager, unit, cases, complaints, support_requests, by_category, by_severity, first_response,
                       resolution, resolved, open, resolved_in_sla, resolved_late, breached_open, sla_pending,
                       without_sla, in_sla_ratio, responded_in_sla, response_late, response_pending,
                       response_in_sla_ratio, resolved_once, reopened, reopen_rate, root_causes))

struct CaseReport {
  absl::Time from;
  absl::Time until;
  absl::Time as_of;
  std::string calendar;               // the clock's calendar id
  std::vector<CaseFigures> managers;  // by id
  std::vector<CaseFigures> units;     // pre-order (children by id)
  // The cases credited to nobody, or to a manager not in the tree; only in a
  // report over the whole workspace (no managers or unit asked for).
  std::optional<CaseFigures> uncredited;

  friend bool operator==(const CaseReport&, const CaseReport&) = default;
};
BOOST_DESCRIBE_STRUCT(CaseReport, (), (from, until, as_of, calendar, managers, units, uncredited))

struct CaseReportRequest {
  absl::Time from;
  absl::Time until;
  // Events after as_of are left out; open cases are judged against their
  // deadlines at as_of. Absent: `until` (the period end).
  std::optional<absl::Time> as_of;
  // Only these managers (each gets a row even without cases); empty: every
  // manager of the tree (of `unit` when given).
  std::vector<std::string> managers;
  std::optional<std::string> unit;  // the roll-ups of this unit and below; absent: the whole tree
  bool units = true;                // false: no roll-ups
  std::optional<CaseType> type;     // only complaints, or only support requests
};

// The figures of the cases opened in [from, until). NOT_FOUND for a manager or
// unit not in the tree (worded as OrgTree words it); INVALID_ARGUMENT when
// until <= from or as_of < from; OUT_OF_RANGE from the clock.
absl::StatusOr<CaseReport> BuildCaseReport(const CaseProjection& cases, const OwnershipProjection& ownership,
                                           const OrgTree& tree, const BusinessClock& clock, const CaseSlaPolicy& policy,
                                           const CaseReportRequest& request);

// For the KPI engine: one manager's SLA and response sums for [from, until).
struct CaseSlaCounts {
  std::string manager;
  int64_t resolved_in_sla = 0;     // as CaseFigures
  int64_t resolved = 0;            // resolved cases with an SLA (in SLA or late)
  int64_t sla_cases = 0;           // resolved with an SLA, plus open past the deadline
  Decimal first_response_minutes;  // sum
  int64_t responded = 0;           // cases with a first response

  friend bool operator==(const CaseSlaCounts&, const CaseSlaCounts&) = default;
};
BOOST_DESCRIBE_STRUCT(CaseSlaCounts, (),
                      (manager, resolved_in_sla, resolved, sla_cases, first_response_minutes, responded))

// Per manager of `managers` (empty: every manager of the tree), ordered by id,
// for the cases of `type` (absent: all) opened in [from, until), as of `until`.
// Errors as BuildCaseReport.
absl::StatusOr<std::vector<CaseSlaCounts>> CaseSlaCountsByManager(
    const CaseProjection& cases, const OwnershipProjection& ownership, const OrgTree& tree, const BusinessClock& clock,
    const CaseSlaPolicy& policy, absl::Time from, absl::Time until, std::optional<CaseType> type = CaseType::kComplaint,
    std::vector<std::string> managers = {});

}  // namespace cadre

#endif  // CADRE_CASES_H_
