#include "cadre/query.h"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "boost/json/serialize.hpp"
#include "cadre/json.h"
#include "cadre/org.h"
#include "cadre/pool.h"
#include "cadre/workspace.h"

namespace cadre {
namespace {

// ---- Parameters of each query (described, so they are read with paths) ----------

struct Customer360Params {
  static constexpr std::string_view kRequired[] = {"customer"};
  std::string customer;
  std::optional<absl::Time> as_of;
  int32_t recent_interactions = 10;
  int32_t favourite_categories = 3;
  absl::Status Validate(json::Path& path) const {
    if (recent_interactions < 0 || recent_interactions > 1000) {
      json::PathScope scope(path, "recent_interactions");
      return FieldError(path.str(), "must be between 0 and 1000", absl::StrCat(recent_interactions));
    }
    if (favourite_categories < 0 || favourite_categories > 100) {
      json::PathScope scope(path, "favourite_categories");
      return FieldError(path.str(), "must be between 0 and 100", absl::StrCat(favourite_categories));
    }
    return absl::OkStatus();
  }
};
BOOST_DESCRIBE_STRUCT(Customer360Params, (), (customer, as_of, recent_interactions, favourite_categories))

struct OwnershipParams {
  static constexpr std::string_view kRequired[] = {"customer"};
  std::string customer;
  std::optional<absl::Time> as_of;
};
BOOST_DESCRIBE_STRUCT(OwnershipParams, (), (customer, as_of))

struct OwnershipResult {
  std::string customer;
  std::optional<std::string> owner;
  std::vector<OwnershipRecord> history;
};
BOOST_DESCRIBE_STRUCT(OwnershipResult, (), (customer, owner, history))

struct HoldingsParams {
  static constexpr std::string_view kRequired[] = {"manager"};
  std::string manager;
  std::optional<absl::Time> as_of;
};
BOOST_DESCRIBE_STRUCT(HoldingsParams, (), (manager, as_of))

struct HoldingsResult {
  std::string manager;
  std::vector<std::string> customers;
};
BOOST_DESCRIBE_STRUCT(HoldingsResult, (), (manager, customers))

struct OrgTreeParams {
  std::optional<absl::Time> as_of;
  std::optional<std::string> unit;
};
BOOST_DESCRIBE_STRUCT(OrgTreeParams, (), (as_of, unit))

struct PoolSweepParams {
  static constexpr std::string_view kRequired[] = {"policy", "now"};
  std::string policy;
  absl::Time now;
};
BOOST_DESCRIBE_STRUCT(PoolSweepParams, (), (policy, now))

struct PoolSweepResult {
  PoolPlan plan;
  std::vector<Event> events;
};
BOOST_DESCRIBE_STRUCT(PoolSweepResult, (), (plan, events))

struct PoolClaimParams {
  static constexpr std::string_view kRequired[] = {"policy", "manager", "customer", "now"};
  std::string policy;
  std::string manager;
  std::string customer;
  absl::Time now;
};
BOOST_DESCRIBE_STRUCT(PoolClaimParams, (), (policy, manager, customer, now))

struct AssignParams {
  static constexpr std::string_view kRequired[] = {"policy", "team", "customers", "now"};
  std::string policy;
  std::string team;
  std::vector<std::string> customers;
  AssignmentStrategy strategy = AssignmentStrategy::kRoundRobin;
  absl::Time now;
};
BOOST_DESCRIBE_STRUCT(AssignParams, (), (policy, team, customers, strategy, now))

struct EventsResult {
  std::vector<Event> events;
};
BOOST_DESCRIBE_STRUCT(EventsResult, (), (events))

using Handler =
    std::function<absl::StatusOr<boost::json::value>(QueryEngine&, const Workspace&, const boost::json::value& params)>;

template <class Params>
absl::StatusOr<Params> ReadParams(const boost::json::value& params) {
  Params p{};
  CADRE_RETURN_IF_ERROR(json::FromValue(params, p, "request"));
  return p;
}

absl::StatusOr<boost::json::value> Customer360Query(QueryEngine& engine, const Workspace& ws,
                                                    const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(Customer360Params p, ReadParams<Customer360Params>(params));
  Customer360Options options;
  options.as_of = p.as_of;
  options.recent_interactions = static_cast<std::size_t>(p.recent_interactions);
  options.favourite_categories = static_cast<std::size_t>(p.favourite_categories);
  CADRE_ASSIGN_OR_RETURN(Customer360 view, BuildCustomer360(ws, engine.ownership(), p.customer, options));
  return json::Write(view);
}

absl::StatusOr<boost::json::value> OwnershipQuery(QueryEngine& engine, const Workspace& ws,
                                                  const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(OwnershipParams p, ReadParams<OwnershipParams>(params));
  CADRE_RETURN_IF_ERROR(engine.ownership().CatchUp(ws));
  OwnershipResult r;
  r.customer = p.customer;
  r.owner = engine.ownership().OwnerAt(p.customer, p.as_of);
  r.history = engine.ownership().History(p.customer, p.as_of);
  return json::Write(r);
}

absl::StatusOr<boost::json::value> HoldingsQuery(QueryEngine& engine, const Workspace& ws,
                                                 const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(HoldingsParams p, ReadParams<HoldingsParams>(params));
  CADRE_RETURN_IF_ERROR(engine.ownership().CatchUp(ws));
  HoldingsResult r;
  r.manager = p.manager;
  r.customers = p.as_of ? engine.ownership().HoldingsAt(p.manager, *p.as_of) : engine.ownership().Holdings(p.manager);
  std::sort(r.customers.begin(), r.customers.end());
  return json::Write(r);
}

absl::StatusOr<boost::json::value> OrgTreeQuery(QueryEngine&, const Workspace& ws, const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(OrgTreeParams p, ReadParams<OrgTreeParams>(params));
  CADRE_ASSIGN_OR_RETURN(OrgTree tree, OrgTree::Load(ws, p.as_of));
  boost::json::array units;
  if (tree.root() == nullptr) return boost::json::object{{"units", units}};
  std::string top = p.unit.value_or(tree.root()->id);
  absl::StatusOr<std::vector<const OrgUnit*>> subtree = tree.Subtree(top);
  if (!subtree.ok()) {
    if (absl::IsNotFound(subtree.status()))
      return FieldError(absl::StatusCode::kNotFound, "request.unit", "no such org unit",
                        boost::json::serialize(boost::json::string(top)));
    return subtree.status();
  }
  for (const OrgUnit* unit : *subtree) {
    boost::json::object o = json::Write(*unit).as_object();
    boost::json::array children, managers;
    CADRE_ASSIGN_OR_RETURN(std::vector<const OrgUnit*> kids, tree.Children(unit->id));
    for (const OrgUnit* c : kids) children.emplace_back(c->id);
    for (const Manager& m : tree.managers())
      if (m.team == unit->id) managers.emplace_back(m.id);
    o["children"] = std::move(children);
    o["managers"] = std::move(managers);
    units.emplace_back(std::move(o));
  }
  return boost::json::object{{"units", std::move(units)}};
}

// The pool and assignment queries plan; they write nothing. Their results carry
// the events that carry the plan out, for the host to ingest (ids are derived
// from the inputs, so ingesting the same plan twice records it once).
absl::StatusOr<boost::json::value> PoolSweepQuery(QueryEngine& engine, const Workspace& ws,
                                                  const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(PoolSweepParams p, ReadParams<PoolSweepParams>(params));
  CADRE_ASSIGN_OR_RETURN(PoolPolicy policy, LoadPoolPolicy(ws, p.policy, p.now));
  PoolSweepResult r;
  CADRE_ASSIGN_OR_RETURN(r.plan, PoolSweep(ws, engine.ownership(), policy, p.now));
  r.events = PoolPlanEvents(r.plan);
  return json::Write(r);
}

absl::StatusOr<boost::json::value> PoolClaimQuery(QueryEngine& engine, const Workspace& ws,
                                                  const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(PoolClaimParams p, ReadParams<PoolClaimParams>(params));
  CADRE_ASSIGN_OR_RETURN(PoolPolicy policy, LoadPoolPolicy(ws, p.policy, p.now));
  EventsResult r;
  CADRE_ASSIGN_OR_RETURN(Event claim, Claim(ws, engine.ownership(), policy, p.manager, p.customer, p.now));
  r.events.push_back(std::move(claim));
  return json::Write(r);
}

absl::StatusOr<boost::json::value> AssignQuery(QueryEngine& engine, const Workspace& ws,
                                               const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(AssignParams p, ReadParams<AssignParams>(params));
  CADRE_ASSIGN_OR_RETURN(PoolPolicy policy, LoadPoolPolicy(ws, p.policy, p.now));
  EventsResult r;
  CADRE_ASSIGN_OR_RETURN(r.events,
                         AssignNewCustomers(ws, engine.ownership(), policy, p.team, p.customers, p.strategy, p.now));
  return json::Write(r);
}

const std::map<std::string, Handler, std::less<>>& Handlers() {
  static const auto* const handlers = new std::map<std::string, Handler, std::less<>>{
      {"assign_customers", &AssignQuery}, {"customer_360", &Customer360Query}, {"holdings", &HoldingsQuery},
      {"org_tree", &OrgTreeQuery},        {"ownership", &OwnershipQuery},      {"pool_claim", &PoolClaimQuery},
      {"pool_sweep", &PoolSweepQuery},
  };
  return *handlers;
}

}  // namespace

QueryEngine::QueryEngine(const Workspace& workspace) : workspace_(workspace) {}

std::vector<std::string> QueryEngine::QueryNames() {
  std::vector<std::string> names;
  for (const auto& [name, _] : Handlers()) names.push_back(name);
  return names;
}

absl::StatusOr<std::string> QueryEngine::Run(std::string_view request_json) {
  CADRE_ASSIGN_OR_RETURN(boost::json::value request, json::ParseText(request_json, "request"));
  if (!request.is_object()) return json::Mismatch(json::Path("request"), "a JSON object", request);
  boost::json::object& object = request.get_object();
  const boost::json::value* name = object.if_contains("query");
  if (name == nullptr) return FieldError("request.query", "required field is missing");
  std::string_view query =
      name->is_string() ? std::string_view(name->get_string().data(), name->get_string().size()) : std::string_view();
  auto handler = Handlers().find(query);
  if (handler == Handlers().end()) {
    std::vector<std::string> quoted;
    for (const std::string& n : QueryNames()) quoted.push_back(absl::StrCat("\"", n, "\""));
    return FieldError("request.query", absl::StrCat("unknown query (known: ", absl::StrJoin(quoted, ", "), ")"),
                      json::Text(*name));
  }
  object.erase("query");
  CADRE_ASSIGN_OR_RETURN(boost::json::value result, handler->second(*this, workspace_, request));
  return json::Text(result);
}

}  // namespace cadre
