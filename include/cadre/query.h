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
//                          engine.Run(R"({"query":"customer_360","customer":"C000042"})"));
//
// Queries (parameters besides "query"; instants are RFC 3339):
//   customer_360  customer, as_of?, recent_interactions? (10), favourite_categories? (3)
//                 -> the Customer360 of cadre/crm.h
//   ownership     customer, as_of?  -> {"customer","owner","history":[...]}
//   holdings      manager, as_of?   -> {"manager","customers":[ids, ordered]}
//   org_tree      as_of?, unit?     -> {"units":[{...unit..., "children":[ids], "managers":[ids]}]}
//                 (unit: only that unit's subtree; units in pre-order)
// Planning queries (cadre/pool.h). They write nothing: each result carries the
// events that carry the plan out, for the host to ingest.
//   pool_sweep        policy, now            -> {"plan":{...PoolPlan...}, "events":[...]}
//   pool_claim        policy, manager, customer, now   -> {"events":[assignment]}
//   assign_customers  policy, team, customers:[ids], strategy? ("round_robin" |
//                     "least_loaded"), now   -> {"events":[assignments]}
// Unknown queries and unknown or ill-typed parameters are INVALID_ARGUMENT naming
// the key (e.g. "request.as_of").
//
// Thread-safety: Run may be called from many threads at once. The engine keeps
// projections (customer ownership) that catch up with the event log on each call.
// The workspace must outlive the engine.
#ifndef CADRE_QUERY_H_
#define CADRE_QUERY_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "cadre/crm.h"

namespace cadre {

class Workspace;

class QueryEngine {
 public:
  explicit QueryEngine(const Workspace& workspace);
  QueryEngine(const QueryEngine&) = delete;
  QueryEngine& operator=(const QueryEngine&) = delete;

  // Answers `request_json` (a JSON object with "query" and its parameters).
  absl::StatusOr<std::string> Run(std::string_view request_json);

  // The names of the queries this version answers, sorted.
  static std::vector<std::string> QueryNames();

  OwnershipProjection& ownership() { return ownership_; }

 private:
  const Workspace& workspace_;
  OwnershipProjection ownership_;
};

}  // namespace cadre

#endif  // CADRE_QUERY_H_
