#include "cadre/query.h"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "boost/json/serialize.hpp"
#include "cadre/calendar.h"
#include "cadre/cases.h"
#include "cadre/incentive.h"
#include "cadre/json.h"
#include "cadre/opportunity.h"
#include "cadre/org.h"
#include "cadre/period.h"
#include "cadre/pool.h"
#include "cadre/promotion.h"
#include "cadre/scope.h"
#include "cadre/sop.h"
#include "cadre/tasks.h"
#include "cadre/training.h"
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

struct ScorecardParams {
  static constexpr std::string_view kRequired[] = {"period"};
  std::string period;
  std::optional<std::string> scorecard;
  std::vector<std::string> metrics;
  std::optional<std::string> manager;
  std::optional<std::string> unit;
  bool compare_previous = true;
  bool units = true;
};
BOOST_DESCRIBE_STRUCT(ScorecardParams, (), (period, scorecard, metrics, manager, unit, compare_previous, units))

struct LeaderboardParams {
  static constexpr std::string_view kRequired[] = {"metric", "period"};
  std::string metric;
  std::string period;
  std::optional<std::string> unit;
  int32_t limit = 0;
};
BOOST_DESCRIBE_STRUCT(LeaderboardParams, (), (metric, period, unit, limit))

struct SeriesParams {
  static constexpr std::string_view kRequired[] = {"metric", "from", "count"};
  std::string metric;
  std::optional<std::string> manager;
  std::optional<std::string> unit;
  std::string from;
  int32_t count = 0;
};
BOOST_DESCRIBE_STRUCT(SeriesParams, (), (metric, manager, unit, from, count))

struct LineageParams {
  static constexpr std::string_view kRequired[] = {"metric", "manager", "period"};
  std::string metric;
  std::string manager;
  std::string period;
};
BOOST_DESCRIBE_STRUCT(LineageParams, (), (metric, manager, period))

using Handler = std::function<absl::StatusOr<boost::json::value>(QueryEngine&, const Workspace&, const ViewerScope&,
                                                                 const boost::json::value& params)>;

absl::Status RequireAdmin(const ViewerScope& viewer, std::string_view query, std::string_view why) {
  if (viewer.admin()) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(AbslView(query), ": only an admin viewer may ask this (",
                                                  AbslView(why), "); the viewer is manager ",
                                                  QuoteJson(viewer.manager().value_or(""))));
}

// OK for an admin, or a lead of `unit` or of a unit above it.
absl::Status RequireUnit(const Workspace& ws, const ViewerScope& viewer, std::string_view unit,
                         std::string_view query) {
  if (viewer.admin()) return absl::OkStatus();
  CADRE_ASSIGN_OR_RETURN(OrgTree tree, OrgTree::Load(ws));
  for (const std::string& led : viewer.led_units()) {
    absl::StatusOr<bool> within = tree.IsWithin(unit, led);
    if (within.ok() && *within) return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat(AbslView(query), ": manager ",
                                                  QuoteJson(viewer.manager().value_or("")), " does not lead unit ",
                                                  QuoteJson(unit), " or a unit above it"));
}

template <class Params>
absl::StatusOr<Params> ReadParams(const boost::json::value& params) {
  Params p{};
  CADRE_RETURN_IF_ERROR(json::FromValue(params, p, "request"));
  return p;
}

absl::StatusOr<boost::json::value> Customer360Query(QueryEngine& engine, const Workspace& ws, const ViewerScope& viewer,
                                                    const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(Customer360Params p, ReadParams<Customer360Params>(params));
  Customer360Options options;
  options.as_of = p.as_of;
  options.recent_interactions = static_cast<std::size_t>(p.recent_interactions);
  options.favourite_categories = static_cast<std::size_t>(p.favourite_categories);
  options.opportunities = &engine.opportunities();
  options.tasks = &engine.tasks();
  options.now = engine.Now();
  options.viewer = &viewer;
  CADRE_ASSIGN_OR_RETURN(Customer360 view, BuildCustomer360(ws, engine.ownership(), p.customer, options));
  return json::Write(view);
}

absl::StatusOr<boost::json::value> OwnershipQuery(QueryEngine& engine, const Workspace& ws, const ViewerScope& viewer,
                                                  const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(OwnershipParams p, ReadParams<OwnershipParams>(params));
  CADRE_RETURN_IF_ERROR(engine.ownership().CatchUp(ws));
  CADRE_RETURN_IF_ERROR(viewer.CheckCustomer(p.customer, engine.ownership(), p.as_of));
  OwnershipResult r;
  r.customer = p.customer;
  r.owner = engine.ownership().OwnerAt(p.customer, p.as_of);
  r.history = engine.ownership().History(p.customer, p.as_of);
  return json::Write(r);
}

absl::StatusOr<boost::json::value> HoldingsQuery(QueryEngine& engine, const Workspace& ws, const ViewerScope& viewer,
                                                 const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(HoldingsParams p, ReadParams<HoldingsParams>(params));
  CADRE_RETURN_IF_ERROR(viewer.CheckManager(p.manager));
  CADRE_RETURN_IF_ERROR(engine.ownership().CatchUp(ws));
  HoldingsResult r;
  r.manager = p.manager;
  r.customers = p.as_of ? engine.ownership().HoldingsAt(p.manager, *p.as_of) : engine.ownership().Holdings(p.manager);
  std::sort(r.customers.begin(), r.customers.end());
  return json::Write(r);
}

absl::StatusOr<boost::json::value> OrgTreeQuery(QueryEngine&, const Workspace& ws, const ViewerScope&,
                                                const boost::json::value& params) {
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
absl::StatusOr<boost::json::value> PoolSweepQuery(QueryEngine& engine, const Workspace& ws, const ViewerScope& viewer,
                                                  const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(PoolSweepParams p, ReadParams<PoolSweepParams>(params));
  CADRE_RETURN_IF_ERROR(RequireAdmin(viewer, "pool_sweep", "the sweep moves every manager's customers"));
  CADRE_ASSIGN_OR_RETURN(PoolPolicy policy, LoadPoolPolicy(ws, p.policy, p.now));
  PoolSweepResult r;
  CADRE_ASSIGN_OR_RETURN(r.plan, PoolSweep(ws, engine.ownership(), policy, p.now));
  r.events = PoolPlanEvents(r.plan);
  return json::Write(r);
}

absl::StatusOr<boost::json::value> PoolClaimQuery(QueryEngine& engine, const Workspace& ws, const ViewerScope& viewer,
                                                  const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(PoolClaimParams p, ReadParams<PoolClaimParams>(params));
  CADRE_RETURN_IF_ERROR(viewer.CheckManager(p.manager));
  CADRE_ASSIGN_OR_RETURN(PoolPolicy policy, LoadPoolPolicy(ws, p.policy, p.now));
  EventsResult r;
  CADRE_ASSIGN_OR_RETURN(Event claim, Claim(ws, engine.ownership(), policy, p.manager, p.customer, p.now));
  r.events.push_back(std::move(claim));
  return json::Write(r);
}

absl::StatusOr<boost::json::value> AssignQuery(QueryEngine& engine, const Workspace& ws, const ViewerScope& viewer,
                                               const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(AssignParams p, ReadParams<AssignParams>(params));
  CADRE_RETURN_IF_ERROR(RequireUnit(ws, viewer, p.team, "assign_customers"));
  CADRE_ASSIGN_OR_RETURN(PoolPolicy policy, LoadPoolPolicy(ws, p.policy, p.now));
  EventsResult r;
  CADRE_ASSIGN_OR_RETURN(r.events,
                         AssignNewCustomers(ws, engine.ownership(), policy, p.team, p.customers, p.strategy, p.now));
  return json::Write(r);
}

// ---- Opportunities, the pipeline and follow-up tasks ------------------------------

struct OpportunitiesParams {
  std::optional<std::string> customer;
  std::optional<std::string> manager;
  std::optional<absl::Time> as_of;
  bool open_only = false;
  absl::Status Validate(json::Path& path) const {
    if (customer && manager) return FieldError(path.str(), "give customer or manager, not both");
    return absl::OkStatus();
  }
};
BOOST_DESCRIBE_STRUCT(OpportunitiesParams, (), (customer, manager, as_of, open_only))

struct OpportunitiesResult {
  std::vector<Opportunity> opportunities;
};
BOOST_DESCRIBE_STRUCT(OpportunitiesResult, (), (opportunities))

absl::StatusOr<boost::json::value> OpportunitiesQuery(QueryEngine& engine, const Workspace& ws,
                                                      const ViewerScope& viewer, const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(OpportunitiesParams p, ReadParams<OpportunitiesParams>(params));
  CADRE_RETURN_IF_ERROR(engine.opportunities().CatchUp(ws, engine.ownership()));
  OpportunityListOptions options{.as_of = p.as_of, .open_only = p.open_only};
  OpportunitiesResult r;
  if (p.customer) {
    CADRE_RETURN_IF_ERROR(viewer.CheckCustomer(*p.customer, engine.ownership(), p.as_of));
    r.opportunities = engine.opportunities().OfCustomer(*p.customer, options);
  } else if (p.manager) {
    CADRE_RETURN_IF_ERROR(viewer.CheckManager(*p.manager));
    r.opportunities = engine.opportunities().OfManager(*p.manager, options);
  } else {
    for (Opportunity& o : engine.opportunities().All(p.as_of)) {
      if (p.open_only && o.outcome != StageOutcome::kOpen) continue;
      if (!viewer.admin() && !(o.manager && viewer.CanSeeManager(*o.manager))) continue;
      r.opportunities.push_back(std::move(o));
    }
  }
  return json::Write(r);
}

struct PipelineParams {
  std::optional<absl::Time> as_of;      // default: now
  std::optional<std::string> pipeline;  // default: every pipeline
};
BOOST_DESCRIBE_STRUCT(PipelineParams, (), (as_of, pipeline))

// Adds `from` into `into` (counts, sums and stage rows by pipeline and stage).
absl::Status AddPipelineValue(PipelineValue& into, const PipelineValue& from) {
  auto add = [](int64_t& a, int64_t b) {
    if (__builtin_add_overflow(a, b, &a)) return absl::OutOfRangeError("pipeline: a sum leaves int64");
    return absl::OkStatus();
  };
  CADRE_RETURN_IF_ERROR(add(into.count, from.count));
  CADRE_RETURN_IF_ERROR(add(into.open_minor, from.open_minor));
  CADRE_RETURN_IF_ERROR(add(into.weighted_minor, from.weighted_minor));
  for (const StageValue& s : from.stages) {
    auto it = std::find_if(into.stages.begin(), into.stages.end(),
                           [&](const StageValue& t) { return t.pipeline == s.pipeline && t.stage == s.stage; });
    if (it == into.stages.end()) {
      into.stages.push_back(s);
      continue;
    }
    CADRE_RETURN_IF_ERROR(add(it->count, s.count));
    CADRE_RETURN_IF_ERROR(add(it->open_minor, s.open_minor));
    CADRE_RETURN_IF_ERROR(add(it->weighted_minor, s.weighted_minor));
  }
  return absl::OkStatus();
}

// The weighted pipeline per manager and org unit. A non-admin viewer gets the
// managers they may see and the units they lead (and those below); their total
// is the sum over those managers, and the unassigned bucket is left out.
absl::StatusOr<boost::json::value> PipelineQuery(QueryEngine& engine, const Workspace& ws, const ViewerScope& viewer,
                                                 const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(PipelineParams p, ReadParams<PipelineParams>(params));
  const absl::Time as_of = p.as_of.value_or(engine.Now());
  CADRE_RETURN_IF_ERROR(engine.opportunities().CatchUp(ws, engine.ownership()));
  CADRE_ASSIGN_OR_RETURN(std::vector<Pipeline> pipelines, LoadPipelines(ws, as_of));
  if (p.pipeline) {
    std::erase_if(pipelines, [&](const Pipeline& x) { return x.id != *p.pipeline; });
    if (pipelines.empty())
      return FieldError(absl::StatusCode::kNotFound, "request.pipeline", "no pipeline with this id in force at as_of",
                        QuoteJson(*p.pipeline));
  }
  CADRE_ASSIGN_OR_RETURN(OrgTree tree, OrgTree::Load(ws, as_of));
  CADRE_ASSIGN_OR_RETURN(PipelineValueReport report, WeightedPipeline(engine.opportunities(), pipelines, tree, as_of));
  if (!viewer.admin()) {
    std::erase_if(report.managers, [&](const ManagerPipelineValue& m) { return !viewer.CanSeeManager(m.manager); });
    std::erase_if(report.units, [&](const UnitPipelineValue& u) {
      for (const std::string& led : viewer.led_units()) {
        absl::StatusOr<bool> within = tree.IsWithin(u.unit, led);
        if (within.ok() && *within) return false;
      }
      return true;
    });
    report.unassigned = PipelineValue{};
    report.total = PipelineValue{};
    for (const ManagerPipelineValue& m : report.managers)
      CADRE_RETURN_IF_ERROR(AddPipelineValue(report.total, m.value));
  }
  return json::Write(report);
}

struct ConversionParams {
  static constexpr std::string_view kRequired[] = {"pipeline", "from", "until"};
  std::string pipeline;
  absl::Time from;
  absl::Time until;
  std::optional<absl::Time> as_of;  // default: now
};
BOOST_DESCRIBE_STRUCT(ConversionParams, (), (pipeline, from, until, as_of))

struct ConversionResult {
  ConversionReport conversion;
  TimeInStageReport time_in_stage;
};
BOOST_DESCRIBE_STRUCT(ConversionResult, (), (conversion, time_in_stage))

// Stage conversion and time in stage cover the whole company's opportunities,
// so only an admin may ask (a per-team breakdown would need a filtered projection).
absl::StatusOr<boost::json::value> ConversionQuery(QueryEngine& engine, const Workspace& ws, const ViewerScope& viewer,
                                                   const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(ConversionParams p, ReadParams<ConversionParams>(params));
  CADRE_RETURN_IF_ERROR(
      RequireAdmin(viewer, "pipeline_conversion", "conversion is computed over every manager's opportunities"));
  const absl::Time as_of = p.as_of.value_or(engine.Now());
  CADRE_RETURN_IF_ERROR(engine.opportunities().CatchUp(ws, engine.ownership()));
  absl::StatusOr<Document> doc = ws.Get(Pipeline::kCollection, p.pipeline, as_of);
  if (absl::IsNotFound(doc.status()))
    return FieldError(absl::StatusCode::kNotFound, "request.pipeline", "no pipeline with this id in force at as_of",
                      QuoteJson(p.pipeline));
  if (!doc.ok()) return doc.status();
  CADRE_ASSIGN_OR_RETURN(Pipeline pipeline, json::FromText<Pipeline>(doc->body, "pipeline"));
  if (!(p.from < p.until)) return FieldError("request.until", "must be after from", QuoteJson(FormatInstant(p.until)));
  ConversionResult r;
  CADRE_ASSIGN_OR_RETURN(r.conversion, PipelineConversion(engine.opportunities(), pipeline, p.from, p.until, as_of));
  CADRE_ASSIGN_OR_RETURN(r.time_in_stage, TimeInStage(engine.opportunities(), pipeline, p.from, p.until, as_of));
  return json::Write(r);
}

struct FollowUpsParams {
  std::optional<std::string> customer;
  std::optional<std::string> manager;
  std::optional<absl::Time> now;  // default: now
  std::vector<TaskStatus> statuses;
  absl::Status Validate(json::Path& path) const {
    if (customer.has_value() == manager.has_value())
      return FieldError(path.str(), "give exactly one of customer and manager");
    return absl::OkStatus();
  }
};
BOOST_DESCRIBE_STRUCT(FollowUpsParams, (), (customer, manager, now, statuses))

struct FollowUpsResult {
  absl::Time now;
  std::vector<FollowUpTask> tasks;
};
BOOST_DESCRIBE_STRUCT(FollowUpsResult, (), (now, tasks))

absl::StatusOr<boost::json::value> FollowUpsQuery(QueryEngine& engine, const Workspace& ws, const ViewerScope& viewer,
                                                  const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(FollowUpsParams p, ReadParams<FollowUpsParams>(params));
  CADRE_RETURN_IF_ERROR(engine.ownership().CatchUp(ws));
  CADRE_RETURN_IF_ERROR(engine.tasks().CatchUp(ws, engine.ownership()));
  FollowUpsResult r;
  r.now = p.now.value_or(engine.Now());
  TaskFilter filter{.statuses = p.statuses};
  if (p.customer) {
    CADRE_RETURN_IF_ERROR(viewer.CheckCustomer(*p.customer, engine.ownership(), p.now));
    r.tasks = engine.tasks().CustomerTasks(*p.customer, r.now, ws.time_zone(), filter);
  } else {
    CADRE_RETURN_IF_ERROR(viewer.CheckManager(*p.manager));
    r.tasks = engine.tasks().ManagerTasks(*p.manager, r.now, ws.time_zone(), filter);
  }
  return json::Write(r);
}

struct FollowUpCountsParams {
  static constexpr std::string_view kRequired[] = {"from_day", "until_day"};
  absl::CivilDay from_day;
  absl::CivilDay until_day;
  std::optional<absl::Time> now;  // default: now
  absl::Status Validate(json::Path& path) const {
    if (from_day < until_day) return absl::OkStatus();
    json::PathScope scope(path, "until_day");
    return FieldError(path.str(), "must be after from_day", QuoteJson(FormatDay(until_day)));
  }
};
BOOST_DESCRIBE_STRUCT(FollowUpCountsParams, (), (from_day, until_day, now))

struct FollowUpCountsResult {
  absl::Time now;
  std::vector<TaskCounts> managers;
};
BOOST_DESCRIBE_STRUCT(FollowUpCountsResult, (), (now, managers))

absl::StatusOr<Period> ReadPeriod(std::string_view text, std::string_view path) {
  absl::StatusOr<Period> period = Period::Parse(text);
  if (period.ok()) return period;
  std::optional<FieldErrorDetails> details = GetFieldErrorDetails(period.status());
  if (details) return FieldError(path, details->rule, details->value);
  return FieldError(path, std::string(period.status().message()), QuoteJson(text));
}

// The KPI engine names the fields of its request; a query names them under
// "request" (and calls `metrics` what the engine calls it, when asked for one).
absl::Status RequestPath(const absl::Status& status, bool single_metric = false) {
  std::optional<FieldErrorDetails> d = GetFieldErrorDetails(status);
  if (!d) return status;
  std::string path = d->path;
  if (single_metric && path.rfind("metrics", 0) == 0) path = "metric" + path.substr(7);
  return FieldError(status.code(), absl::StrCat("request.", path), d->rule, d->value);
}

absl::StatusOr<boost::json::value> ScorecardQuery(QueryEngine& engine, const Workspace& ws, const ViewerScope& viewer,
                                                  const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(ScorecardParams p, ReadParams<ScorecardParams>(params));
  if (p.manager && p.unit) return FieldError("request.unit", "give manager or unit, not both");
  if (p.scorecard && !p.metrics.empty()) return FieldError("request.metrics", "give a scorecard or metrics, not both");
  if (!p.scorecard && p.metrics.empty())
    return FieldError("request.metrics", "name a scorecard or at least one metric", "[]");
  ScorecardRequest req;
  CADRE_ASSIGN_OR_RETURN(req.period, ReadPeriod(p.period, "request.period"));
  req.scorecard = p.scorecard;
  req.metrics = p.metrics;
  req.manager = p.manager;
  req.unit = p.unit;
  req.compare_previous = p.compare_previous;
  req.units_rollup = p.units;
  if (p.manager) CADRE_RETURN_IF_ERROR(viewer.CheckManager(*p.manager));
  if (p.unit) CADRE_RETURN_IF_ERROR(RequireUnit(ws, viewer, *p.unit, "scorecard"));
  if (!p.manager && !p.unit && !viewer.admin()) {
    req.managers = viewer.visible_managers();
    req.units_rollup = false;
  }
  absl::StatusOr<Scorecard> card = engine.kpi().GetScorecard(req);
  if (!card.ok()) return RequestPath(card.status());
  return json::Write(*card);
}

absl::StatusOr<boost::json::value> LeaderboardQuery(QueryEngine& engine, const Workspace& ws, const ViewerScope& viewer,
                                                    const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(LeaderboardParams p, ReadParams<LeaderboardParams>(params));
  if (p.limit < 0) return FieldError("request.limit", "must not be negative", absl::StrCat(p.limit));
  CADRE_ASSIGN_OR_RETURN(Period period, ReadPeriod(p.period, "request.period"));
  std::vector<std::string> managers;
  if (!viewer.admin()) managers = viewer.visible_managers();
  if (p.unit && !viewer.admin()) {
    // A unit the viewer leads shows everyone in it; otherwise only whom they may see.
    if (RequireUnit(ws, viewer, *p.unit, "leaderboard").ok()) managers.clear();
  }
  absl::StatusOr<Leaderboard> board =
      engine.kpi().GetLeaderboard(p.metric, period, p.unit, managers, static_cast<std::size_t>(p.limit));
  if (!board.ok()) return RequestPath(board.status(), /*single_metric=*/true);
  return json::Write(*board);
}

absl::StatusOr<boost::json::value> SeriesQuery(QueryEngine& engine, const Workspace& ws, const ViewerScope& viewer,
                                               const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(SeriesParams p, ReadParams<SeriesParams>(params));
  if (p.manager.has_value() == p.unit.has_value())
    return FieldError("request.manager", "give exactly one of manager and unit");
  CADRE_ASSIGN_OR_RETURN(Period from, ReadPeriod(p.from, "request.from"));
  if (p.count < 1 || p.count > 1000)
    return FieldError("request.count", "must be between 1 and 1000", absl::StrCat(p.count));
  if (p.manager) CADRE_RETURN_IF_ERROR(viewer.CheckManager(*p.manager));
  if (p.unit) CADRE_RETURN_IF_ERROR(RequireUnit(ws, viewer, *p.unit, "kpi_series"));
  absl::StatusOr<std::vector<SeriesPoint>> points =
      engine.kpi().GetTimeSeries(p.metric, p.manager ? *p.manager : *p.unit, p.unit.has_value(), from, p.count);
  if (!points.ok()) return RequestPath(points.status(), /*single_metric=*/true);
  return boost::json::object{{"points", json::Write(*points)}};
}

absl::StatusOr<boost::json::value> LineageQuery(QueryEngine& engine, const Workspace&, const ViewerScope& viewer,
                                                const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(LineageParams p, ReadParams<LineageParams>(params));
  CADRE_ASSIGN_OR_RETURN(Period period, ReadPeriod(p.period, "request.period"));
  CADRE_RETURN_IF_ERROR(viewer.CheckManager(p.manager));
  absl::StatusOr<std::vector<LineageEntry>> events = engine.kpi().Lineage(p.metric, p.manager, period);
  if (!events.ok()) return RequestPath(events.status(), /*single_metric=*/true);
  // Written whole, so that an empty lineage still reads {"events":[]}.
  return boost::json::object{{"events", json::Write(*events)}};
}

absl::StatusOr<boost::json::value> FollowUpCountsQuery(QueryEngine& engine, const Workspace& ws,
                                                       const ViewerScope& viewer, const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(FollowUpCountsParams p, ReadParams<FollowUpCountsParams>(params));
  CADRE_RETURN_IF_ERROR(engine.ownership().CatchUp(ws));
  CADRE_RETURN_IF_ERROR(engine.tasks().CatchUp(ws, engine.ownership()));
  FollowUpCountsResult r;
  r.now = p.now.value_or(engine.Now());
  for (TaskCounts& c : engine.tasks().CountsByManager(p.from_day, p.until_day, r.now, ws.time_zone())) {
    if (viewer.admin() || (c.manager && viewer.CanSeeManager(*c.manager))) r.managers.push_back(std::move(c));
  }
  return json::Write(r);
}

// ---- Training --------------------------------------------------------------------

struct TrainingParams {
  std::optional<absl::CivilDay> as_of;  // default: today in the workspace zone
  std::optional<std::string> manager;
  std::optional<std::string> unit;
  int32_t expiring_within_days = 30;
  std::optional<absl::CivilDay> hours_from;
  absl::Status Validate(json::Path& path) const {
    if (manager && unit) {
      json::PathScope scope(path, "unit");
      return FieldError(path.str(), "give manager or unit, not both");
    }
    if (expiring_within_days < 0 || expiring_within_days > 3650) {
      json::PathScope scope(path, "expiring_within_days");
      return FieldError(path.str(), "must be between 0 and 3650", absl::StrCat(expiring_within_days));
    }
    return absl::OkStatus();
  }
};
BOOST_DESCRIBE_STRUCT(TrainingParams, (), (as_of, manager, unit, expiring_within_days, hours_from))

// A manager: their own row. A unit: its employed managers and roll-ups, for an
// admin or a lead of it. Neither: an admin gets everyone and every unit; a lead
// the managers they may see and the units they lead (and those below); a plain
// manager their own row.
absl::StatusOr<boost::json::value> TrainingQuery(QueryEngine& engine, const Workspace& ws, const ViewerScope& viewer,
                                                 const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(TrainingParams p, ReadParams<TrainingParams>(params));
  if (p.manager) CADRE_RETURN_IF_ERROR(viewer.CheckManager(*p.manager));
  if (p.unit) CADRE_RETURN_IF_ERROR(RequireUnit(ws, viewer, *p.unit, "training"));
  TrainingRequest request;
  request.as_of = p.as_of.value_or(absl::ToCivilDay(engine.Now(), ws.time_zone()));
  request.expiring_within_days = p.expiring_within_days;
  request.hours_from = p.hours_from;
  const bool own_row_only = !p.unit && !viewer.admin() && viewer.led_units().empty();
  if (p.manager || own_row_only) {
    request.managers = {p.manager ? *p.manager : *viewer.manager()};
    request.units = false;
  }
  request.unit = p.unit;
  // The projection is rebuilt per request: a member of QueryEngine would keep it.
  TrainingProjection training;
  CADRE_RETURN_IF_ERROR(training.CatchUp(ws));
  CADRE_ASSIGN_OR_RETURN(TrainingConfig config, TrainingConfig::Load(ws, request.as_of));
  CADRE_ASSIGN_OR_RETURN(OrgTree tree, OrgTree::Load(ws, EndOfDay(request.as_of, ws.time_zone())));
  if (p.unit && tree.FindUnit(*p.unit) == nullptr)
    return FieldError(absl::StatusCode::kNotFound, "request.unit", "no such org unit", QuoteJson(*p.unit));
  CADRE_ASSIGN_OR_RETURN(TrainingReport report, BuildTrainingReport(training, config, tree, request, ws.time_zone()));
  if (!viewer.admin() && !p.manager && !p.unit && !own_row_only) {
    std::erase_if(report.managers, [&](const ManagerTraining& m) { return !viewer.CanSeeManager(m.manager); });
    std::erase_if(report.units, [&](const UnitTraining& u) {
      for (const std::string& led : viewer.led_units()) {
        absl::StatusOr<bool> within = tree.IsWithin(u.unit, led);
        if (within.ok() && *within) return false;
      }
      return true;
    });
    std::erase_if(report.issues,
                  [&](const TrainingIssue& i) { return i.manager && !viewer.CanSeeManager(*i.manager); });
  }
  return json::Write(report);
}

// ---- Promotion ---------------------------------------------------------------------

struct PromotionParams {
  std::optional<absl::CivilDay> as_of;  // default: today in the workspace zone
  std::optional<std::string> manager;
  std::optional<std::string> unit;
  absl::Status Validate(json::Path& path) const {
    if (manager && unit) {
      json::PathScope scope(path, "unit");
      return FieldError(path.str(), "give manager or unit, not both");
    }
    return absl::OkStatus();
  }
};
BOOST_DESCRIBE_STRUCT(PromotionParams, (), (as_of, manager, unit))

// A manager: their row. A unit: its employed managers, for an admin or a lead of
// it. Neither: an admin gets every employed manager; a lead those they may see; a
// plain manager their own row.
absl::StatusOr<boost::json::value> PromotionQuery(QueryEngine& engine, const Workspace& ws, const ViewerScope& viewer,
                                                  const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(PromotionParams p, ReadParams<PromotionParams>(params));
  if (p.manager) CADRE_RETURN_IF_ERROR(viewer.CheckManager(*p.manager));
  if (p.unit) CADRE_RETURN_IF_ERROR(RequireUnit(ws, viewer, *p.unit, "promotion_eligibility"));
  PromotionRequest request;
  request.as_of = p.as_of.value_or(absl::ToCivilDay(engine.Now(), ws.time_zone()));
  request.unit = p.unit;
  const bool own_row_only = !p.unit && !viewer.admin() && viewer.led_units().empty();
  if (p.manager || own_row_only) request.managers = {p.manager ? *p.manager : *viewer.manager()};
  if (p.unit) {
    CADRE_ASSIGN_OR_RETURN(OrgTree tree, OrgTree::Load(ws, EndOfDay(request.as_of, ws.time_zone())));
    if (tree.FindUnit(*p.unit) == nullptr)
      return FieldError(absl::StatusCode::kNotFound, "request.unit", "no such org unit", QuoteJson(*p.unit));
  }
  CADRE_ASSIGN_OR_RETURN(PromotionEligibility list, BuildPromotionEligibility(ws, engine.kpi(), request));
  if (!viewer.admin() && !p.manager && !p.unit && !own_row_only) {
    std::erase_if(list.managers, [&](const PromotionCandidate& c) { return !viewer.CanSeeManager(c.manager); });
    std::erase_if(list.qualifying, [&](const std::string& m) { return !viewer.CanSeeManager(m); });
  }
  boost::json::object out = json::Write(list).as_object();
  out["managers"] = json::Write(list.managers);  // present when empty too
  out["qualifying"] = json::Write(list.qualifying);
  return out;
}

// ---- Cases -----------------------------------------------------------------------

struct CasesParams {
  std::optional<std::string> manager;
  std::optional<std::string> customer;
  std::optional<std::string> category;
  std::optional<CaseStatus> status;
  std::optional<CaseType> type;
  std::optional<absl::CivilDay> from;   // opened on or after this day (workspace zone)
  std::optional<absl::CivilDay> until;  // opened before this day
  std::optional<absl::Time> as_of;      // default: now
};
BOOST_DESCRIBE_STRUCT(CasesParams, (), (manager, customer, category, status, type, from, until, as_of))

struct CasesResult {
  absl::Time as_of;
  std::vector<Case> cases;
  // The listed cases' anomalies and, for an admin, those of events naming a case never opened.
  std::vector<CaseAnomaly> anomalies;
};
BOOST_DESCRIBE_STRUCT(CasesResult, (), (as_of, cases, anomalies))

// An admin sees every case; a manager the cases credited to a manager they may
// see, and every case of a customer they may see when they name that customer.
absl::StatusOr<boost::json::value> CasesQuery(QueryEngine& engine, const Workspace& ws, const ViewerScope& viewer,
                                              const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(CasesParams p, ReadParams<CasesParams>(params));
  CADRE_RETURN_IF_ERROR(engine.ownership().CatchUp(ws));
  if (p.manager) CADRE_RETURN_IF_ERROR(viewer.CheckManager(*p.manager));
  if (p.customer) CADRE_RETURN_IF_ERROR(viewer.CheckCustomer(*p.customer, engine.ownership(), p.as_of));
  CaseProjection cases;  // rebuilt per request: a member of QueryEngine would keep it
  CADRE_RETURN_IF_ERROR(cases.CatchUp(ws));
  CaseFilter filter;
  filter.manager = p.manager;
  filter.customer = p.customer;
  filter.category = p.category;
  filter.status = p.status;
  filter.type = p.type;
  if (p.from) filter.from = absl::FromCivil(absl::CivilSecond(*p.from), ws.time_zone());
  if (p.until) filter.until = absl::FromCivil(absl::CivilSecond(*p.until), ws.time_zone());
  CasesResult r;
  r.as_of = p.as_of.value_or(engine.Now());
  filter.as_of = r.as_of;
  for (Case& c : cases.List(filter, engine.ownership())) {
    if (!viewer.admin() && !p.customer && !(c.manager && viewer.CanSeeManager(*c.manager))) continue;
    r.cases.push_back(std::move(c));
  }
  absl::flat_hash_set<std::string> listed;
  for (const Case& c : r.cases) listed.insert(c.id);
  for (CaseAnomaly& a : cases.Anomalies(engine.ownership(), r.as_of)) {
    const bool orphan = !cases.Find(a.case_id, engine.ownership(), r.as_of).has_value();
    if (listed.contains(a.case_id) || (viewer.admin() && orphan)) r.anomalies.push_back(std::move(a));
  }
  return json::Write(r);
}

struct CaseFiguresParams {
  static constexpr std::string_view kRequired[] = {"from", "until"};
  absl::CivilDay from;   // cases opened on or after this day (workspace zone)
  absl::CivilDay until;  // ... and before this day
  std::optional<std::string> manager;
  std::optional<std::string> unit;
  std::optional<std::string> calendar;  // a calendars document; absent: 24x7
  std::optional<CaseType> type;
  std::optional<absl::Time> as_of;  // default: the period end, or now if earlier
  std::vector<CaseSla> slas;        // the SLA rules; empty: the case_slas documents in force at as_of
  bool units = true;
  absl::Status Validate(json::Path& path) const {
    if (manager && unit) {
      json::PathScope scope(path, "unit");
      return FieldError(path.str(), "give manager or unit, not both");
    }
    if (!(from < until)) {
      json::PathScope scope(path, "until");
      return FieldError(path.str(), "must be after from", QuoteJson(FormatDay(until)));
    }
    // Each rule was validated as it was read; two rules for one category and severity are refused.
    for (std::size_t i = 0; i < slas.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (slas[j].category != slas[i].category || slas[j].severity != slas[i].severity) continue;
        json::PathScope list(path, "slas");
        json::PathScope item(path, i);
        json::PathScope field(path, "category");
        return FieldError(path.str(), absl::StrCat("repeats the category and severity of slas[", j, "]"),
                          QuoteJson(slas[i].category));
      }
    }
    return absl::OkStatus();
  }
};
BOOST_DESCRIBE_STRUCT(CaseFiguresParams, (), (from, until, manager, unit, calendar, type, as_of, slas, units))

// A manager: their row. A unit: its managers and roll-ups, for an admin or a
// lead of it. Neither: an admin gets everyone, every unit and the uncredited
// cases; a lead the managers they may see and the units they lead (and below);
// a plain manager their own row.
absl::StatusOr<boost::json::value> CaseFiguresQuery(QueryEngine& engine, const Workspace& ws, const ViewerScope& viewer,
                                                    const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(CaseFiguresParams p, ReadParams<CaseFiguresParams>(params));
  if (p.manager) CADRE_RETURN_IF_ERROR(viewer.CheckManager(*p.manager));
  if (p.unit) CADRE_RETURN_IF_ERROR(RequireUnit(ws, viewer, *p.unit, "case_figures"));
  CaseReportRequest request;
  request.from = absl::FromCivil(absl::CivilSecond(p.from), ws.time_zone());
  request.until = absl::FromCivil(absl::CivilSecond(p.until), ws.time_zone());
  request.as_of = p.as_of.value_or(std::max(request.from, std::min(request.until, engine.Now())));
  request.type = p.type;
  request.unit = p.unit;
  request.units = p.units;
  const bool own_row_only = !p.unit && !viewer.admin() && viewer.led_units().empty();
  if (p.manager || own_row_only) {
    request.managers = {p.manager ? *p.manager : *viewer.manager()};
    request.units = false;
  } else if (!p.unit && !viewer.admin()) {
    request.managers = viewer.visible_managers();
  }
  BusinessCalendar calendar = AlwaysOpenCalendar();
  if (p.calendar) {
    absl::StatusOr<Document> doc = ws.Get(BusinessCalendar::kCollection, *p.calendar, request.as_of);
    if (absl::IsNotFound(doc.status()))
      return FieldError(absl::StatusCode::kNotFound, "request.calendar", "no such calendar", QuoteJson(*p.calendar));
    if (!doc.ok()) return doc.status();
    CADRE_ASSIGN_OR_RETURN(calendar, json::FromText<BusinessCalendar>(doc->body, "calendar"));
  }
  CADRE_ASSIGN_OR_RETURN(BusinessClock clock, BusinessClock::Create(calendar, ws.time_zone()));
  CaseSlaPolicy policy{p.slas};
  if (policy.rules.empty()) {
    CADRE_ASSIGN_OR_RETURN(policy, CaseSlaPolicy::Load(ws, *request.as_of));
  }
  CADRE_RETURN_IF_ERROR(engine.ownership().CatchUp(ws));
  CaseProjection cases;  // rebuilt per request: a member of QueryEngine would keep it
  CADRE_RETURN_IF_ERROR(cases.CatchUp(ws));
  CADRE_ASSIGN_OR_RETURN(OrgTree tree, OrgTree::Load(ws, request.as_of));
  if (p.unit && tree.FindUnit(*p.unit) == nullptr)
    return FieldError(absl::StatusCode::kNotFound, "request.unit", "no such org unit", QuoteJson(*p.unit));
  absl::StatusOr<CaseReport> report = BuildCaseReport(cases, engine.ownership(), tree, clock, policy, request);
  if (!report.ok()) return RequestPath(report.status());
  if (!viewer.admin() && !p.manager && !p.unit && !own_row_only) {
    std::erase_if(report->units, [&](const CaseFigures& u) {
      for (const std::string& led : viewer.led_units()) {
        absl::StatusOr<bool> within = tree.IsWithin(*u.unit, led);
        if (within.ok() && *within) return false;
      }
      return true;
    });
  }
  return json::Write(*report);
}

// ---- SOPs --------------------------------------------------------------------------

struct SopInstancesParams {
  std::optional<std::string> manager;
  std::optional<std::string> customer;
  std::optional<std::string> sop;
  bool open_only = false;
  std::optional<absl::Time> now;  // default: now
};
BOOST_DESCRIBE_STRUCT(SopInstancesParams, (), (manager, customer, sop, open_only, now))

struct SopInstancesResult {
  absl::Time now;
  std::vector<SopInstanceView> instances;
};
BOOST_DESCRIBE_STRUCT(SopInstancesResult, (), (now, instances))

struct SopInstanceParams {
  static constexpr std::string_view kRequired[] = {"id"};
  std::string id;
  std::optional<absl::Time> now;  // default: now
};
BOOST_DESCRIBE_STRUCT(SopInstanceParams, (), (id, now))

struct TodayParams {
  std::optional<std::string> manager;  // default: the viewer
  std::optional<absl::Time> now;       // default: now
  int32_t expiring_within_days = 30;
  absl::Status Validate(json::Path& path) const {
    if (expiring_within_days < 0 || expiring_within_days > 3650) {
      json::PathScope scope(path, "expiring_within_days");
      return FieldError(path.str(), "must be between 0 and 3650", absl::StrCat(expiring_within_days));
    }
    return absl::OkStatus();
  }
};
BOOST_DESCRIBE_STRUCT(TodayParams, (), (manager, now, expiring_within_days))

struct SopEscalateParams {
  std::optional<absl::Time> now;  // default: now
};
BOOST_DESCRIBE_STRUCT(SopEscalateParams, (), (now))

struct SopEscalateResult {
  absl::Time now;
  std::vector<Event> events;
};
BOOST_DESCRIBE_STRUCT(SopEscalateResult, (), (now, events))

// Whether the viewer may see an instance: its manager, or a step's responsible
// or notified manager, is one they may see.
bool CanSeeInstance(const ViewerScope& viewer, const SopInstanceView& inst) {
  if (viewer.admin()) return true;
  if (inst.manager && viewer.CanSeeManager(*inst.manager)) return true;
  for (const SopStepState& step : inst.steps) {
    if (step.responsible && viewer.CanSeeManager(*step.responsible)) return true;
    for (const std::string& m : step.notified)
      if (viewer.CanSeeManager(m)) return true;
  }
  return false;
}

// The engine is rebuilt per request: a member of QueryEngine would keep it.
absl::StatusOr<boost::json::value> SopInstancesQuery(QueryEngine& engine, const Workspace& ws,
                                                     const ViewerScope& viewer, const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(SopInstancesParams p, ReadParams<SopInstancesParams>(params));
  SopInstancesResult r;
  r.now = p.now.value_or(engine.Now());
  CADRE_RETURN_IF_ERROR(engine.ownership().CatchUp(ws));
  if (p.manager) CADRE_RETURN_IF_ERROR(viewer.CheckManager(*p.manager));
  if (p.customer) CADRE_RETURN_IF_ERROR(viewer.CheckCustomer(*p.customer, engine.ownership(), p.now));
  SopEngine sops(ws);
  CADRE_RETURN_IF_ERROR(sops.CatchUp());
  CADRE_ASSIGN_OR_RETURN(
      r.instances,
      sops.Instances({.manager = p.manager, .customer = p.customer, .sop = p.sop, .open_only = p.open_only}, r.now));
  if (!p.manager && !p.customer)
    std::erase_if(r.instances, [&](const SopInstanceView& inst) { return !CanSeeInstance(viewer, inst); });
  // Written whole, so that no instances still reads "instances":[].
  return boost::json::object{{"now", json::Write(r.now)}, {"instances", json::Write(r.instances)}};
}

absl::StatusOr<boost::json::value> SopInstanceQuery(QueryEngine& engine, const Workspace& ws, const ViewerScope& viewer,
                                                    const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(SopInstanceParams p, ReadParams<SopInstanceParams>(params));
  SopEngine sops(ws);
  CADRE_RETURN_IF_ERROR(sops.CatchUp());
  absl::StatusOr<SopInstanceView> inst = sops.Instance(p.id, p.now.value_or(engine.Now()));
  // Out of scope reads exactly as not there.
  if (absl::IsNotFound(inst.status()) || (inst.ok() && !CanSeeInstance(viewer, *inst)))
    return FieldError(absl::StatusCode::kNotFound, "request.id", "no such SOP instance", QuoteJson(p.id));
  if (!inst.ok()) return inst.status();
  return json::Write(*inst);
}

absl::StatusOr<boost::json::value> TodayQuery(QueryEngine& engine, const Workspace& ws, const ViewerScope& viewer,
                                              const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(TodayParams p, ReadParams<TodayParams>(params));
  if (!p.manager && viewer.admin())
    return FieldError("request.manager", "required field is missing (an admin names the manager whose day it is)");
  const std::string manager = p.manager ? *p.manager : *viewer.manager();
  CADRE_RETURN_IF_ERROR(viewer.CheckManager(manager));
  CADRE_RETURN_IF_ERROR(engine.ownership().CatchUp(ws));
  CADRE_RETURN_IF_ERROR(engine.tasks().CatchUp(ws, engine.ownership()));
  SopEngine sops(ws);
  CADRE_RETURN_IF_ERROR(sops.CatchUp());
  TrainingProjection training;
  CADRE_RETURN_IF_ERROR(training.CatchUp(ws));
  CADRE_ASSIGN_OR_RETURN(TodayList today,
                         BuildTodayList(ws, sops, engine.tasks(), training, manager, p.now.value_or(engine.Now()),
                                        {.expiring_within_days = p.expiring_within_days}));
  boost::json::object out = json::Write(today).as_object();
  out["items"] = json::Write(today.items);  // present when empty too
  return out;
}

absl::StatusOr<boost::json::value> SopEscalateQuery(QueryEngine& engine, const Workspace& ws, const ViewerScope& viewer,
                                                    const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(SopEscalateParams p, ReadParams<SopEscalateParams>(params));
  CADRE_RETURN_IF_ERROR(RequireAdmin(viewer, "sop_escalate", "it plans escalations for every manager"));
  SopEscalateResult r;
  r.now = p.now.value_or(engine.Now());
  SopEngine sops(ws);
  CADRE_RETURN_IF_ERROR(sops.CatchUp());
  // A planning query, like pool_sweep: it writes nothing and returns the events
  // that record the escalations due, for the host to ingest. Their ids derive
  // from the rules, so ingesting them twice records each once.
  CADRE_ASSIGN_OR_RETURN(std::vector<DueEscalation> due, sops.DueEscalations(r.now));
  for (DueEscalation& d : due) r.events.push_back(std::move(d.event));
  return boost::json::object{{"now", json::Write(r.now)}, {"events", json::Write(r.events)}};
}

// ---- Incentives ------------------------------------------------------------------------

struct StatementParams {
  static constexpr std::string_view kRequired[] = {"manager", "period"};
  std::string manager;
  std::string period;
  bool expand_credits = false;
};
BOOST_DESCRIBE_STRUCT(StatementParams, (), (manager, period, expand_credits))

struct StatementsParams {
  static constexpr std::string_view kRequired[] = {"period"};
  std::string period;
  std::optional<std::string> unit;
};
BOOST_DESCRIBE_STRUCT(StatementsParams, (), (period, unit))

struct WhatIfParams {
  static constexpr std::string_view kRequired[] = {"plan", "candidate", "first"};
  std::string plan;
  IncentivePlan candidate;
  std::string first;
  int32_t periods = 1;
  std::vector<std::string> managers;
  int32_t top = 10;
};
BOOST_DESCRIBE_STRUCT(WhatIfParams, (), (plan, candidate, first, periods, managers, top))

struct IncentivePeriodParams {
  static constexpr std::string_view kRequired[] = {"period"};
  std::string period;
};
BOOST_DESCRIBE_STRUCT(IncentivePeriodParams, (), (period))

struct IncentivePeriodResult {
  std::string period;
  PeriodState state = PeriodState::kOpen;
  std::vector<DocumentVersion> history;  // every close and reopen, oldest first
};

struct DisputesParams {
  std::optional<std::string> manager;
  std::optional<std::string> period;
};
BOOST_DESCRIBE_STRUCT(DisputesParams, (), (manager, period))

absl::StatusOr<boost::json::value> StatementQuery(QueryEngine& engine, const Workspace&, const ViewerScope& viewer,
                                                  const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(StatementParams p, ReadParams<StatementParams>(params));
  CADRE_ASSIGN_OR_RETURN(Period period, ReadPeriod(p.period, "request.period"));
  CADRE_RETURN_IF_ERROR(viewer.CheckManager(p.manager));
  CADRE_ASSIGN_OR_RETURN(Statement st,
                         engine.incentives().GetStatement(p.manager, period, {.expand_credits = p.expand_credits}));
  return json::Write(st);
}

absl::StatusOr<boost::json::value> StatementsQuery(QueryEngine& engine, const Workspace& ws, const ViewerScope& viewer,
                                                   const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(StatementsParams p, ReadParams<StatementsParams>(params));
  CADRE_ASSIGN_OR_RETURN(Period period, ReadPeriod(p.period, "request.period"));
  std::vector<std::string> managers;
  if (p.unit) {
    CADRE_RETURN_IF_ERROR(RequireUnit(ws, viewer, *p.unit, "statements"));
    CADRE_ASSIGN_OR_RETURN(OrgTree tree, OrgTree::Load(ws, period.End(ws.time_zone()) - absl::Nanoseconds(1)));
    CADRE_ASSIGN_OR_RETURN(std::vector<const Manager*> in_unit, tree.ManagersIn(*p.unit));
    for (const Manager* m : in_unit) managers.push_back(m->id);
    if (managers.empty()) return boost::json::object{{"period", p.period}, {"statements", boost::json::array()}};
  } else if (!viewer.admin()) {
    managers = viewer.visible_managers();
  }
  CADRE_ASSIGN_OR_RETURN(std::vector<Statement> statements, engine.incentives().GetStatements(period, managers));
  return boost::json::object{{"period", p.period}, {"statements", json::Write(statements)}};
}

absl::StatusOr<boost::json::value> WhatIfQuery(QueryEngine& engine, const Workspace&, const ViewerScope& viewer,
                                               const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(WhatIfParams p, ReadParams<WhatIfParams>(params));
  WhatIfRequest request;
  request.plan = std::move(p.plan);
  request.candidate = std::move(p.candidate);
  CADRE_ASSIGN_OR_RETURN(request.first, ReadPeriod(p.first, "request.first"));
  request.periods = p.periods;
  request.top = p.top;
  request.managers = std::move(p.managers);
  if (!viewer.admin()) {
    // A lead compares the managers they see; naming anyone else is NOT_FOUND.
    for (const std::string& m : request.managers) CADRE_RETURN_IF_ERROR(viewer.CheckManager(m));
    if (request.managers.empty()) request.managers = viewer.visible_managers();
  }
  CADRE_ASSIGN_OR_RETURN(WhatIfReport report, engine.incentives().WhatIf(request));
  return json::Write(report);
}

absl::StatusOr<boost::json::value> IncentivePeriodQuery(QueryEngine& engine, const Workspace& ws, const ViewerScope&,
                                                        const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(IncentivePeriodParams p, ReadParams<IncentivePeriodParams>(params));
  CADRE_ASSIGN_OR_RETURN(Period period, ReadPeriod(p.period, "request.period"));
  IncentivePeriodResult r;
  r.period = period.ToString();
  CADRE_ASSIGN_OR_RETURN(r.state, engine.incentives().StateOf(period));
  absl::StatusOr<std::vector<DocumentVersion>> history = ws.History(IncentivePeriod::kCollection, r.period);
  if (history.ok()) {
    r.history = *std::move(history);
  } else if (!absl::IsNotFound(history.status())) {
    return history.status();
  }
  boost::json::array versions;
  for (const DocumentVersion& v : r.history) {
    CADRE_ASSIGN_OR_RETURN(boost::json::value body, json::ParseText(v.body, "history.body"));
    versions.push_back(boost::json::object{
        {"version", v.version}, {"recorded_at", json::Write(v.recorded_at)}, {"body", std::move(body)}});
  }
  return boost::json::object{{"period", r.period}, {"state", json::Write(r.state)}, {"history", std::move(versions)}};
}

absl::StatusOr<boost::json::value> DisputesQuery(QueryEngine&, const Workspace& ws, const ViewerScope& viewer,
                                                 const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(DisputesParams p, ReadParams<DisputesParams>(params));
  if (p.manager) CADRE_RETURN_IF_ERROR(viewer.CheckManager(*p.manager));
  CADRE_ASSIGN_OR_RETURN(std::vector<Document> docs, ws.List(StatementDispute::kCollection));
  std::vector<StatementDispute> out;
  for (const Document& d : docs) {
    CADRE_ASSIGN_OR_RETURN(StatementDispute dispute,
                           json::FromText<StatementDispute>(d.body, absl::StrCat("statement_disputes/", d.id)));
    if (p.manager && dispute.manager != *p.manager) continue;
    if (p.period && dispute.period != *p.period) continue;
    if (!viewer.CanSeeManager(dispute.manager)) continue;
    out.push_back(std::move(dispute));
  }
  return boost::json::object{{"disputes", json::Write(out)}};
}

// ---- Commands -----------------------------------------------------------------------------

using CommandHandler = std::function<absl::StatusOr<boost::json::value>(QueryEngine&, Workspace&, const ViewerScope&,
                                                                        const boost::json::value& params)>;

struct ClosePeriodParams {
  static constexpr std::string_view kRequired[] = {"period", "by"};
  std::string period;
  std::string by;
  std::optional<std::string> reason;
};
BOOST_DESCRIBE_STRUCT(ClosePeriodParams, (), (period, by, reason))

struct ReopenPeriodParams {
  static constexpr std::string_view kRequired[] = {"period", "by", "reason"};
  std::string period;
  std::string by;
  std::string reason;
};
BOOST_DESCRIBE_STRUCT(ReopenPeriodParams, (), (period, by, reason))

struct ResolveDisputeParams {
  static constexpr std::string_view kRequired[] = {"id", "accept", "resolution", "by"};
  std::string id;
  bool accept = false;
  std::optional<int64_t> adjustment_minor;
  std::string resolution;
  std::string by;
};
BOOST_DESCRIBE_STRUCT(ResolveDisputeParams, (), (id, accept, adjustment_minor, resolution, by))

absl::StatusOr<boost::json::value> ClosePeriodCommand(QueryEngine& engine, Workspace& ws, const ViewerScope& viewer,
                                                      const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(ClosePeriodParams p, ReadParams<ClosePeriodParams>(params));
  CADRE_RETURN_IF_ERROR(RequireAdmin(viewer, "close_period", "it freezes every manager's statement"));
  CADRE_ASSIGN_OR_RETURN(Period period, ReadPeriod(p.period, "request.period"));
  CADRE_ASSIGN_OR_RETURN(IncentivePeriod closed,
                         engine.incentives().ClosePeriod(ws, period, p.by, std::move(p.reason)));
  return json::Write(closed);
}

absl::StatusOr<boost::json::value> ReopenPeriodCommand(QueryEngine& engine, Workspace& ws, const ViewerScope& viewer,
                                                       const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(ReopenPeriodParams p, ReadParams<ReopenPeriodParams>(params));
  CADRE_RETURN_IF_ERROR(RequireAdmin(viewer, "reopen_period", "it unfreezes every manager's statement"));
  CADRE_ASSIGN_OR_RETURN(Period period, ReadPeriod(p.period, "request.period"));
  CADRE_ASSIGN_OR_RETURN(IncentivePeriod reopened, engine.incentives().ReopenPeriod(ws, period, p.by, p.reason));
  return json::Write(reopened);
}

absl::StatusOr<boost::json::value> RaiseDisputeCommand(QueryEngine& engine, Workspace& ws, const ViewerScope& viewer,
                                                       const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(StatementDispute p, ReadParams<StatementDispute>(params));
  // A manager disputes their own statement; an admin may record it for them.
  if (!viewer.admin() && viewer.manager() != p.manager) {
    return absl::PermissionDeniedError(absl::StrCat("raise_dispute: manager ", QuoteJson(viewer.manager().value_or("")),
                                                    " may dispute only their own statement, not ", QuoteJson(p.manager),
                                                    "'s"));
  }
  CADRE_ASSIGN_OR_RETURN(StatementDispute raised, engine.incentives().RaiseDispute(ws, p));
  return json::Write(raised);
}

absl::StatusOr<boost::json::value> ResolveDisputeCommand(QueryEngine& engine, Workspace& ws, const ViewerScope& viewer,
                                                         const boost::json::value& params) {
  CADRE_ASSIGN_OR_RETURN(ResolveDisputeParams p, ReadParams<ResolveDisputeParams>(params));
  CADRE_RETURN_IF_ERROR(RequireAdmin(viewer, "resolve_dispute", "it changes what a manager is paid"));
  CADRE_ASSIGN_OR_RETURN(StatementDispute resolved, engine.incentives().ResolveDispute(
                                                        ws, p.id, p.accept, p.adjustment_minor, p.resolution, p.by));
  return json::Write(resolved);
}

const std::map<std::string, CommandHandler, std::less<>>& CommandHandlers() {
  static const auto* const handlers = new std::map<std::string, CommandHandler, std::less<>>{
      {"close_period", &ClosePeriodCommand},
      {"raise_dispute", &RaiseDisputeCommand},
      {"reopen_period", &ReopenPeriodCommand},
      {"resolve_dispute", &ResolveDisputeCommand},
  };
  return *handlers;
}

const std::map<std::string, Handler, std::less<>>& Handlers() {
  static const auto* const handlers = new std::map<std::string, Handler, std::less<>>{
      {"assign_customers", &AssignQuery},
      {"case_figures", &CaseFiguresQuery},
      {"cases", &CasesQuery},
      {"customer_360", &Customer360Query},
      {"disputes", &DisputesQuery},
      {"follow_up_counts", &FollowUpCountsQuery},
      {"follow_ups", &FollowUpsQuery},
      {"holdings", &HoldingsQuery},
      {"incentive_period", &IncentivePeriodQuery},
      {"kpi_lineage", &LineageQuery},
      {"kpi_series", &SeriesQuery},
      {"leaderboard", &LeaderboardQuery},
      {"opportunities", &OpportunitiesQuery},
      {"org_tree", &OrgTreeQuery},
      {"ownership", &OwnershipQuery},
      {"pipeline", &PipelineQuery},
      {"pipeline_conversion", &ConversionQuery},
      {"pool_claim", &PoolClaimQuery},
      {"pool_sweep", &PoolSweepQuery},
      {"promotion_eligibility", &PromotionQuery},
      {"scorecard", &ScorecardQuery},
      {"sop_escalate", &SopEscalateQuery},
      {"sop_instance", &SopInstanceQuery},
      {"sop_instances", &SopInstancesQuery},
      {"statement", &StatementQuery},
      {"statements", &StatementsQuery},
      {"today", &TodayQuery},
      {"training", &TrainingQuery},
      {"what_if", &WhatIfQuery},
  };
  return *handlers;
}

}  // namespace

QueryEngine::QueryEngine(const Workspace& workspace, std::function<absl::Time()> clock)
    : workspace_(workspace),
      clock_(clock ? std::move(clock) : [] { return absl::Now(); }),
      kpi_(std::make_unique<KpiEngine>(workspace)),
      incentives_(std::make_unique<IncentiveEngine>(workspace, kpi_.get())) {}

QueryEngine::~QueryEngine() = default;

std::vector<std::string> QueryEngine::QueryNames() {
  std::vector<std::string> names;
  for (const auto& [name, _] : Handlers()) names.push_back(name);
  return names;
}

std::vector<std::string> QueryEngine::CommandNames() {
  std::vector<std::string> names;
  for (const auto& [name, _] : CommandHandlers()) names.push_back(name);
  return names;
}

namespace {

// A request to either door, parsed: the handler its `key` ("query" or
// "command") names among `handlers`, the viewer's scope, and the parameters
// left (the key and the viewer taken out).
template <class Handlers>
struct ParsedRequest {
  typename Handlers::mapped_type handler;
  ViewerScope scope;
  boost::json::value params;
};

template <class Handlers>
absl::StatusOr<ParsedRequest<Handlers>> ParseRequest(const Workspace& ws, std::string_view request_json,
                                                     std::string_view key, const Handlers& handlers) {
  const std::string key_path = absl::StrCat("request.", AbslView(key));
  CADRE_ASSIGN_OR_RETURN(boost::json::value request, json::ParseText(request_json, "request"));
  if (!request.is_object()) return json::Mismatch(json::Path("request"), "a JSON object", request);
  boost::json::object& object = request.get_object();
  const boost::json::value* name = object.if_contains(boost::json::string_view(key.data(), key.size()));
  if (name == nullptr) return FieldError(key_path, "required field is missing");
  std::string_view wanted =
      name->is_string() ? std::string_view(name->get_string().data(), name->get_string().size()) : std::string_view();
  auto handler = handlers.find(wanted);
  if (handler == handlers.end()) {
    std::vector<std::string> quoted;
    for (const auto& [n, _] : handlers) quoted.push_back(absl::StrCat("\"", n, "\""));
    return FieldError(key_path, absl::StrCat("unknown ", AbslView(key), " (known: ", absl::StrJoin(quoted, ", "), ")"),
                      json::Text(*name));
  }
  const auto chosen = handler->second;
  object.erase(boost::json::string_view(key.data(), key.size()));
  // Every request is made on behalf of a viewer, resolved against today's org tree.
  const boost::json::value* viewer_json = object.if_contains("viewer");
  if (viewer_json == nullptr)
    return FieldError("request.viewer",
                      "required field is missing (who asks: {\"admin\":true} or {\"manager\":\"<id>\"})");
  Viewer viewer;
  CADRE_RETURN_IF_ERROR(json::FromValue(*viewer_json, viewer, "request.viewer"));
  object.erase("viewer");
  CADRE_ASSIGN_OR_RETURN(ViewerScope scope, ViewerScope::Load(ws, viewer));
  return ParsedRequest<Handlers>{chosen, std::move(scope), std::move(request)};
}

}  // namespace

absl::StatusOr<std::string> QueryEngine::Command(Workspace& workspace, std::string_view request_json) {
  if (&workspace != &workspace_) {
    return absl::FailedPreconditionError("a command must be run on the workspace its query engine reads");
  }
  CADRE_ASSIGN_OR_RETURN(auto parsed, ParseRequest(workspace_, request_json, "command", CommandHandlers()));
  CADRE_ASSIGN_OR_RETURN(boost::json::value result, parsed.handler(*this, workspace, parsed.scope, parsed.params));
  return json::Text(result);
}

absl::StatusOr<std::string> QueryEngine::Run(std::string_view request_json) {
  CADRE_ASSIGN_OR_RETURN(auto parsed, ParseRequest(workspace_, request_json, "query", Handlers()));
  CADRE_ASSIGN_OR_RETURN(boost::json::value result, parsed.handler(*this, workspace_, parsed.scope, parsed.params));
  return json::Text(result);
}

}  // namespace cadre
