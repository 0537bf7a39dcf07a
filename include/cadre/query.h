// cadre/query.h — queries as JSON requests with JSON results.
//
// Hosts ask cadre questions through one door: a JSON request naming the query and
// its parameters, answered with a JSON result. New queries are new names, so the
// C ABI (cadre_query) and the Python package (Workspace.query) never change for
// them. The C++ API can call the typed functions (BuildCustomer360, OrgTree, ...)
// directly; this engine is what the other languages reach.
//
//   QueryEngine engine(*workspace);
//   CADRE_ASSIGN_OR_RETURN(std::string result,
//                          engine.Run(R"({"query":"customer_360","customer":"C000042",
//                                         "viewer":{"manager":"M0007"}})"));
//
// Every request names its viewer (cadre/scope.h): {"admin":true} or
// {"manager":"<id>"}. A manager sees their own customers, a lead those of the
// managers in the units they lead, an admin everything. A customer outside the
// viewer's scope is NOT_FOUND, worded exactly as for one that does not exist; a
// manager outside it is NOT_FOUND too; a query reserved to admins, or a unit the
// viewer does not lead, is PERMISSION_DENIED.
//
// Queries (parameters besides "query" and "viewer"; instants are RFC 3339; "now"
// and "as_of" default to the engine's clock where marked *):
//   customer_360  customer, as_of?, recent_interactions? (10), favourite_categories? (3)
//                 -> the Customer360 of cadre/crm.h (open opportunities and tasks included)
//   ownership     customer, as_of?  -> {"customer","owner","history":[...]}
//   holdings      manager, as_of?   -> {"manager","customers":[ids, ordered]}
//   org_tree      as_of?, unit?     -> {"units":[{...unit..., "children":[ids], "managers":[ids]}]}
//                 (unit: only that unit's subtree; units in pre-order)
//   opportunities customer? | manager?, as_of?, open_only? -> {"opportunities":[...]}
//                 (neither: every opportunity credited to a visible manager)
//   pipeline      as_of?*, pipeline? -> the PipelineValueReport of cadre/opportunity.h
//                 (weighted value per manager and org unit, within the scope)
//   pipeline_conversion  pipeline, from, until, as_of?*  (admin only)
//                 -> {"conversion":{...},"time_in_stage":{...}}
//   follow_ups    customer | manager, now?*, statuses? (["open","overdue","done"])
//                 -> {"now","tasks":[...]} (cadre/tasks.h)
//   follow_up_counts  from_day, until_day, now?* -> {"now","managers":[TaskCounts...]}
// KPI queries (cadre/kpi.h). `period` is "2025-06", "2025-Q2", "2025-W23", ...
//   scorecard     period, scorecard? | metrics?, manager? | unit?, compare_previous? (true),
//                 units? (true)  -> the Scorecard of cadre/kpi.h. Neither manager nor unit:
//                 an admin gets every manager and unit; a manager gets the managers they
//                 may see (themselves, and those under the units they lead), no units.
//                 A unit is asked by an admin or a lead of it (or of a unit above it).
//   leaderboard   metric, period, unit?, limit? (0: all) -> the Leaderboard of cadre/kpi.h,
//                 ranked among the managers the viewer may see
//   kpi_series    metric, manager | unit, from (a period), count (1-1000) -> {"points":[...]}
//   kpi_lineage   metric, manager, period -> {"events":[{event, kind, occurred_at, contribution}]}
// Planning queries (cadre/pool.h). They write nothing: each result carries the
// events that carry the plan out, for the host to ingest.
//   pool_sweep        policy, now  (admin only)  -> {"plan":{...PoolPlan...}, "events":[...]}
//   pool_claim        policy, manager, customer, now   -> {"events":[assignment]}
//                     (the viewer is the manager, a lead of theirs, or an admin)
//   assign_customers  policy, team, customers:[ids], strategy? ("round_robin" |
//                     "least_loaded"), now   -> {"events":[assignments]}
//                     (an admin, or a lead of the team or a unit above it)
// Incentive queries (cadre/incentive.h, docs/incentives.md). `period` is a month or a quarter.
//   statement     manager, period, expand_credits? (false) -> the Statement (every line
//                 with its trace; the credits behind each line when expanded)
//   statements    period, unit? -> {"period","statements":[...]} (no unit: an admin gets
//                 every manager on a plan, a manager those they may see)
//   what_if       plan, candidate (an IncentivePlan), first (a period), periods? (1),
//                 managers?, top? (10) -> the WhatIfReport; writes nothing
//   incentive_period  period -> {"period","state","history":[{version,recorded_at,body}]}
//   disputes      manager?, period? -> {"disputes":[...]} (those the viewer may see)
// Commands change state through an engine's rules (Command, cadre_command):
//   close_period  period, by, reason?   (admin) -> the IncentivePeriod written
//   reopen_period period, by, reason    (admin) -> the IncentivePeriod written
//   raise_dispute id, manager, period, line, reason  (the manager, or an admin)
//   resolve_dispute  id, accept, adjustment_minor? (accepting), resolution, by  (admin)
// Unknown queries and unknown or ill-typed parameters are INVALID_ARGUMENT naming
// the key (e.g. "request.as_of").
//
// Thread-safety: Run may be called from many threads at once. The engine keeps
// projections (ownership, opportunities, follow-up tasks, the KPI engine) that
// catch up with the event log on each call. The workspace must outlive the engine.
#ifndef CADRE_QUERY_H_
#define CADRE_QUERY_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cadre/crm.h"
#include "cadre/incentive.h"
#include "cadre/kpi.h"
#include "cadre/opportunity.h"
#include "cadre/tasks.h"

namespace cadre {

class Workspace;

class QueryEngine {
 public:
  // `clock` gives "now" for the queries whose instant defaults to now (absl::Now
  // when empty); tests inject a fixed one.
  explicit QueryEngine(const Workspace& workspace, std::function<absl::Time()> clock = {});
  ~QueryEngine();
  QueryEngine(const QueryEngine&) = delete;
  QueryEngine& operator=(const QueryEngine&) = delete;

  // Answers `request_json` (a JSON object with "query" and its parameters).
  absl::StatusOr<std::string> Run(std::string_view request_json);

  // The names of the queries this version answers, sorted.
  static std::vector<std::string> QueryNames();

  // Runs `request_json` (a JSON object with "command", "viewer" and its
  // parameters): a change that goes through an engine's rules, one transaction
  // each — close_period, reopen_period (admin), raise_dispute (the manager, or
  // an admin), resolve_dispute (admin). `workspace` must be the one this engine
  // reads, writable. Errors as for Run, plus FAILED_PRECONDITION when a rule
  // refuses (a period closed out of order, a dispute resolved twice).
  absl::StatusOr<std::string> Command(Workspace& workspace, std::string_view request_json);
  static std::vector<std::string> CommandNames();

  OwnershipProjection& ownership() { return ownership_; }
  OpportunityProjection& opportunities() { return opportunities_; }
  FollowUpProjection& tasks() { return tasks_; }
  KpiEngine& kpi() { return *kpi_; }
  IncentiveEngine& incentives() { return *incentives_; }
  absl::Time Now() const { return clock_(); }

 private:
  const Workspace& workspace_;
  std::function<absl::Time()> clock_;
  OwnershipProjection ownership_;
  OpportunityProjection opportunities_;
  FollowUpProjection tasks_;
  std::unique_ptr<KpiEngine> kpi_;
  std::unique_ptr<IncentiveEngine> incentives_;
};

}  // namespace cadre

#endif  // CADRE_QUERY_H_
