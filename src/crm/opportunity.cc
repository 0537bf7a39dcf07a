#include "cadre/opportunity.h"

#include <algorithm>
#include <limits>
#include <map>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "cadre/crm.h"
#include "cadre/json.h"
#include "cadre/org.h"
#include "cadre/status.h"
#include "cadre/store.h"
#include "cadre/workspace.h"

namespace cadre {
namespace {

// The versions of one pipeline document, to find the one in force when an event
// occurred without a store read per event.
struct PipelineVersion {
  absl::Time effective_from;
  std::optional<Pipeline> pipeline;  // empty for a tombstone
};

// The store's rule (Store::GetDocument): the newest effective_from <= at, ties
// to the higher version; `versions` are oldest first.
const Pipeline* InForce(const std::vector<PipelineVersion>& versions, absl::Time at) {
  const PipelineVersion* best = nullptr;
  for (const PipelineVersion& v : versions)
    if (v.effective_from <= at && (best == nullptr || v.effective_from >= best->effective_from)) best = &v;
  return best != nullptr && best->pipeline ? &*best->pipeline : nullptr;
}

absl::StatusOr<std::vector<PipelineVersion>> ReadPipelineVersions(const Workspace& workspace, const std::string& id) {
  std::vector<PipelineVersion> out;
  absl::StatusOr<std::vector<DocumentVersion>> history = workspace.History(Pipeline::kCollection, id);
  if (absl::IsNotFound(history.status()) || absl::IsInvalidArgument(history.status())) return out;
  if (!history.ok()) return history.status();
  for (const DocumentVersion& v : *history) {
    PipelineVersion version;
    version.effective_from = v.effective_from;
    if (!v.deleted) {
      CADRE_ASSIGN_OR_RETURN(version.pipeline,
                             json::FromText<Pipeline>(v.body, absl::StrCat("pipelines/", AbslView(id))));
    }
    out.push_back(std::move(version));
  }
  return out;
}

bool IsSameVisit(const StageVisit& visit, std::string_view pipeline, std::string_view stage) {
  return visit.pipeline == pipeline && visit.stage == stage;
}

// Open first (oldest opened first), then closed (most recently closed first).
bool ListOrder(const Opportunity& a, const Opportunity& b) {
  const bool a_open = a.outcome == StageOutcome::kOpen, b_open = b.outcome == StageOutcome::kOpen;
  if (a_open != b_open) return a_open;
  if (a_open) return std::tie(a.opened_at, a.id) < std::tie(b.opened_at, b.id);
  if (a.closed_at != b.closed_at) return a.closed_at > b.closed_at;
  return a.id < b.id;
}

}  // namespace

// ---- The projection ----------------------------------------------------------------

absl::Status OpportunityProjection::CatchUp(const Workspace& workspace, OwnershipProjection& ownership) {
  CADRE_RETURN_IF_ERROR(ownership.CatchUp(workspace));
  // Everything up to the ownership's mark is reflected in it, so credits resolved
  // against it are final for the events read here.
  const uint64_t limit = ownership.high_water_mark();
  absl::MutexLock lock(&mu_);
  if (limit <= high_water_mark_) return absl::OkStatus();

  // Read first, apply after: nothing is applied unless the whole read succeeds,
  // and the pipeline documents are not read from inside the scan.
  std::vector<StoredEvent> events;
  EventQuery query;
  query.kinds = {EventKind::kOpportunity, EventKind::kAssignment, EventKind::kReversal};
  query.after_seq = high_water_mark_;
  query.order = ScanOrder::kBySeq;
  CADRE_RETURN_IF_ERROR(workspace.ScanEvents(query, [&](const StoredEvent& e) {
    if (e.seq > limit) return false;
    events.push_back(e);
    return true;
  }));

  std::map<std::string, std::vector<PipelineVersion>> pipelines;
  for (const StoredEvent& e : events) {
    if (e.event.kind != EventKind::kOpportunity) continue;
    const std::string id = e.event.pipeline.value_or("default");
    if (pipelines.contains(id)) continue;
    CADRE_ASSIGN_OR_RETURN(std::vector<PipelineVersion> versions, ReadPipelineVersions(workspace, id));
    pipelines.emplace(id, std::move(versions));
  }

  Touched touched;
  for (const StoredEvent& e : events) {
    const Pipeline* pipeline = nullptr;
    if (e.event.kind == EventKind::kOpportunity)
      pipeline = InForce(pipelines[e.event.pipeline.value_or("default")], e.event.occurred_at);
    ApplyLocked(e, pipeline, touched);
  }
  Recredit(touched, ownership);
  high_water_mark_ = std::max(high_water_mark_, limit);
  return absl::OkStatus();
}

void OpportunityProjection::Apply(const StoredEvent& event, const OwnershipProjection& ownership,
                                  const Pipeline* pipeline) {
  absl::MutexLock lock(&mu_);
  Touched touched;
  ApplyLocked(event, pipeline, touched);
  Recredit(touched, ownership);
}

void OpportunityProjection::Reset() {
  absl::MutexLock lock(&mu_);
  high_water_mark_ = 0;
  records_.clear();
  record_index_.clear();
  move_record_.clear();
  customer_records_.clear();
  assignment_customer_.clear();
  reversed_.clear();
}

uint64_t OpportunityProjection::high_water_mark() const {
  absl::MutexLock lock(&mu_);
  return high_water_mark_;
}

void OpportunityProjection::ApplyLocked(const StoredEvent& stored, const Pipeline* pipeline, Touched& touched) {
  const Event& e = stored.event;
  high_water_mark_ = std::max(high_water_mark_, stored.seq);
  switch (e.kind) {
    case EventKind::kAssignment:
      if (!e.customer) return;
      assignment_customer_.emplace(e.id, *e.customer);
      touched.customers.insert(*e.customer);
      return;
    case EventKind::kReversal: {
      if (!e.reverses || !reversed_.insert(*e.reverses).second) return;
      if (auto it = move_record_.find(*e.reverses); it != move_record_.end()) {
        std::vector<Move>& moves = records_[it->second].moves;
        moves.erase(std::remove_if(moves.begin(), moves.end(), [&](const Move& m) { return m.event == *e.reverses; }),
                    moves.end());
        touched.records.insert(it->second);
      } else if (auto a = assignment_customer_.find(*e.reverses); a != assignment_customer_.end()) {
        touched.customers.insert(a->second);
      }
      return;
    }
    case EventKind::kOpportunity:
      break;
    default:
      return;
  }
  if (!e.reference || !e.customer || !e.stage) return;  // ingest refuses these
  if (move_record_.contains(e.id) || reversed_.contains(e.id)) return;

  auto [slot, added] = record_index_.try_emplace(*e.reference, static_cast<uint32_t>(records_.size()));
  if (added) records_.push_back(Record{.id = *e.reference});
  const uint32_t key = slot->second;
  Move move;
  move.at = e.occurred_at;
  move.seq = stored.seq;
  move.event = e.id;
  move.pipeline = e.pipeline.value_or("default");
  move.stage = *e.stage;
  if (pipeline != nullptr)
    if (const PipelineStage* stage = pipeline->FindStage(*e.stage)) move.outcome = stage->outcome;
  move.customer = *e.customer;
  move.manager = e.manager;
  move.amount_minor = e.amount_minor;
  move.due_on = e.due_on;
  move.reason = e.reason;
  std::vector<Move>& moves = records_[key].moves;
  // Usually the new move goes last; a late one is inserted where it belongs.
  auto pos = std::upper_bound(moves.begin(), moves.end(), move,
                              [](const Move& a, const Move& b) { return a.at != b.at ? a.at < b.at : a.seq < b.seq; });
  moves.insert(pos, std::move(move));
  move_record_.emplace(e.id, key);
  customer_records_[*e.customer].insert(key);
  touched.records.insert(key);
}

void OpportunityProjection::Recredit(const Touched& touched, const OwnershipProjection& ownership) {
  absl::flat_hash_set<uint32_t> keys = touched.records;
  for (const std::string& customer : touched.customers)
    if (auto it = customer_records_.find(customer); it != customer_records_.end())
      keys.insert(it->second.begin(), it->second.end());
  for (uint32_t key : keys) {
    Record& record = records_[key];
    record.owner_at_open.reset();
    if (record.moves.empty()) continue;
    const Move& opening = record.moves.front();
    if (!opening.manager) record.owner_at_open = ownership.OwnerAt(opening.customer, opening.at);
  }
}

std::optional<Opportunity> OpportunityProjection::Fold(const Record& record, std::optional<absl::Time> as_of) {
  std::optional<Opportunity> out;
  for (const Move& m : record.moves) {
    if (as_of && m.at > *as_of) break;
    if (!out) {
      out.emplace();
      out->id = record.id;
      out->customer = m.customer;
      out->opened_at = m.at;
      out->manager = record.owner_at_open;
    }
    Opportunity& o = *out;
    if (o.history.empty() || !IsSameVisit(o.history.back(), m.pipeline, m.stage)) {
      if (!o.history.empty()) o.history.back().left_at = m.at;
      o.history.push_back(StageVisit{.pipeline = m.pipeline,
                                     .stage = m.stage,
                                     .outcome = m.outcome,
                                     .entered_at = m.at,
                                     .left_at = std::nullopt,
                                     .event = m.event});
      o.pipeline = m.pipeline;
      o.stage = m.stage;
      o.outcome = m.outcome;
      o.closed_at = m.outcome == StageOutcome::kOpen ? std::nullopt : std::optional<absl::Time>(m.at);
      o.lost_reason.reset();
    }
    if (m.manager) o.manager = m.manager;
    if (m.amount_minor) o.amount_minor = m.amount_minor;
    if (m.due_on) o.expected_close_on = m.due_on;
    if (o.outcome == StageOutcome::kLost && m.reason) o.lost_reason = m.reason;
  }
  return out;
}

std::optional<Opportunity> OpportunityProjection::Find(std::string_view id, std::optional<absl::Time> as_of) const {
  absl::MutexLock lock(&mu_);
  auto it = record_index_.find(AbslView(id));
  if (it == record_index_.end()) return std::nullopt;
  return Fold(records_[it->second], as_of);
}

std::optional<std::string> OpportunityProjection::StageAt(std::string_view id, absl::Time at) const {
  std::optional<Opportunity> o = Find(id, at);
  if (!o) return std::nullopt;
  return std::move(o->stage);
}

bool OpportunityProjection::IsOpenAt(std::string_view id, absl::Time at) const {
  std::optional<Opportunity> o = Find(id, at);
  return o && o->outcome == StageOutcome::kOpen;
}

std::vector<Opportunity> OpportunityProjection::All(std::optional<absl::Time> as_of) const {
  absl::MutexLock lock(&mu_);
  std::vector<Opportunity> out;
  out.reserve(records_.size());
  for (const Record& record : records_)
    if (std::optional<Opportunity> o = Fold(record, as_of)) out.push_back(*std::move(o));
  std::sort(out.begin(), out.end(), [](const Opportunity& a, const Opportunity& b) { return a.id < b.id; });
  return out;
}

std::vector<Opportunity> OpportunityProjection::Listed(absl::FunctionRef<bool(uint32_t)> candidate,
                                                       absl::FunctionRef<bool(const Opportunity&)> keep,
                                                       const OpportunityListOptions& options) const {
  std::vector<Opportunity> out;
  for (uint32_t key = 0; key < records_.size(); ++key) {
    if (!candidate(key)) continue;
    std::optional<Opportunity> o = Fold(records_[key], options.as_of);
    if (!o || !keep(*o) || (options.open_only && o->outcome != StageOutcome::kOpen)) continue;
    out.push_back(*std::move(o));
  }
  std::sort(out.begin(), out.end(), ListOrder);
  return out;
}

std::vector<Opportunity> OpportunityProjection::OfCustomer(std::string_view customer,
                                                           const OpportunityListOptions& options) const {
  absl::MutexLock lock(&mu_);
  auto it = customer_records_.find(AbslView(customer));
  if (it == customer_records_.end()) return {};
  const absl::flat_hash_set<uint32_t>& keys = it->second;
  return Listed([&](uint32_t key) { return keys.contains(key); },
                [&](const Opportunity& o) { return o.customer == customer; }, options);
}

std::vector<Opportunity> OpportunityProjection::OfManager(std::string_view manager,
                                                          const OpportunityListOptions& options) const {
  absl::MutexLock lock(&mu_);
  return Listed([](uint32_t) { return true; }, [&](const Opportunity& o) { return o.manager == manager; }, options);
}

absl::StatusOr<std::vector<Pipeline>> LoadPipelines(const Workspace& workspace, std::optional<absl::Time> as_of) {
  CADRE_ASSIGN_OR_RETURN(std::vector<Document> docs, workspace.List(Pipeline::kCollection, as_of));
  std::vector<Pipeline> out;
  out.reserve(docs.size());
  for (const Document& doc : docs) {
    CADRE_ASSIGN_OR_RETURN(Pipeline p, json::FromText<Pipeline>(doc.body, absl::StrCat("pipelines/", doc.id)));
    out.push_back(std::move(p));
  }
  return out;
}

// ---- Weighted pipeline value -------------------------------------------------------

namespace {

constexpr int kNotInPipeline = std::numeric_limits<int>::max();

// Orders stage rows: pipeline as given, then stage order, unknown stages last by id.
using StageKey = std::tuple<std::size_t, int, std::string>;

absl::StatusOr<int64_t> ToInt64(Int128 value, std::string_view what) {
  if (value > std::numeric_limits<int64_t>::max() || value < std::numeric_limits<int64_t>::min())
    return absl::OutOfRangeError(absl::StrCat(AbslView(what), " does not fit in a 64-bit integer"));
  return static_cast<int64_t>(value);
}

// Exact weighted sums are in 10^-9 minor units (amount x Decimal units).
absl::StatusOr<int64_t> RoundWeighted(Int128 exact) {
  const Int128 whole = exact / Decimal::kOne;
  if (whole >= std::numeric_limits<int64_t>::max() || whole <= std::numeric_limits<int64_t>::min())
    return absl::OutOfRangeError("weighted pipeline value does not fit in a 64-bit integer");
  return DivideRounded(exact, Decimal::kOne, RoundingMode::kHalfEven);
}

// Sums of open opportunities, before rounding (weighted) or range checks.
struct ValueSum {
  struct Stage {
    std::string pipeline;
    std::string stage;
    std::optional<Decimal> win_probability;
    Int128 count = 0;
    Int128 open_minor = 0;
    Int128 weighted = 0;  // exact (one manager's) or already rounded (sums of managers)
  };
  Int128 count = 0;
  Int128 open_minor = 0;
  Int128 weighted = 0;
  std::map<StageKey, Stage> stages;

  // Adds a manager's rounded figures (for units and the total).
  void Add(const PipelineValue& v, const std::map<std::pair<std::string, std::string>, StageKey>& keys) {
    count += v.count;
    open_minor += v.open_minor;
    weighted += v.weighted_minor;
    for (const StageValue& s : v.stages) {
      Stage& row = stages[keys.at({s.pipeline, s.stage})];
      row.pipeline = s.pipeline;
      row.stage = s.stage;
      row.win_probability = s.win_probability;
      row.count += s.count;
      row.open_minor += s.open_minor;
      row.weighted += s.weighted_minor;
    }
  }

  // `exact`: weighted sums are exact and are rounded here; else already whole.
  absl::StatusOr<PipelineValue> Finish(bool exact) const {
    PipelineValue out;
    CADRE_ASSIGN_OR_RETURN(out.count, ToInt64(count, "opportunity count"));
    CADRE_ASSIGN_OR_RETURN(out.open_minor, ToInt64(open_minor, "open pipeline value"));
    if (exact) {
      CADRE_ASSIGN_OR_RETURN(out.weighted_minor, RoundWeighted(weighted));
    } else {
      CADRE_ASSIGN_OR_RETURN(out.weighted_minor, ToInt64(weighted, "weighted pipeline value"));
    }
    for (const auto& [key, s] : stages) {
      StageValue row;
      row.pipeline = s.pipeline;
      row.stage = s.stage;
      row.win_probability = s.win_probability;
      CADRE_ASSIGN_OR_RETURN(row.count, ToInt64(s.count, "opportunity count"));
      CADRE_ASSIGN_OR_RETURN(row.open_minor, ToInt64(s.open_minor, "open pipeline value"));
      if (exact) {
        CADRE_ASSIGN_OR_RETURN(row.weighted_minor, RoundWeighted(s.weighted));
      } else {
        CADRE_ASSIGN_OR_RETURN(row.weighted_minor, ToInt64(s.weighted, "weighted pipeline value"));
      }
      out.stages.push_back(std::move(row));
    }
    return out;
  }
};

absl::Status CheckWindow(absl::Time from, absl::Time until) {
  if (from < until) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("the window is empty: from (", absl::FormatTime(from),
                                                 ") must be before until (", absl::FormatTime(until), ")"));
}

}  // namespace

absl::StatusOr<PipelineValueReport> WeightedPipeline(const OpportunityProjection& opportunities,
                                                     std::span<const Pipeline> pipelines, const OrgTree& org,
                                                     absl::Time as_of) {
  std::map<std::string, std::size_t, std::less<>> pipeline_index;
  for (std::size_t i = 0; i < pipelines.size(); ++i)
    if (!pipeline_index.emplace(pipelines[i].id, i).second)
      return absl::InvalidArgumentError(absl::StrCat("pipeline \"", pipelines[i].id, "\" is given twice"));

  std::map<std::string, ValueSum> by_manager;
  ValueSum unassigned;
  // (pipeline, stage) -> its row key, for summing rounded rows.
  std::map<std::pair<std::string, std::string>, StageKey> stage_keys;
  for (const Opportunity& o : opportunities.All(as_of)) {
    if (o.outcome != StageOutcome::kOpen) continue;
    auto found = pipeline_index.find(o.pipeline);
    if (found == pipeline_index.end()) continue;
    const Pipeline& pipeline = pipelines[found->second];
    const int stage_index = pipeline.StageIndex(o.stage);
    std::optional<Decimal> probability;
    if (stage_index >= 0) probability = pipeline.stages[static_cast<std::size_t>(stage_index)].win_probability;
    const int64_t amount = o.amount_minor.value_or(0);
    const Int128 weighted = static_cast<Int128>(amount) * (probability ? probability->units() : 0);

    const StageKey key{found->second, stage_index >= 0 ? stage_index : kNotInPipeline, o.stage};
    stage_keys.emplace(std::make_pair(o.pipeline, o.stage), key);
    ValueSum& sum = o.manager ? by_manager[*o.manager] : unassigned;
    sum.count += 1;
    sum.open_minor += amount;
    sum.weighted += weighted;
    ValueSum::Stage& row = sum.stages[key];
    row.pipeline = o.pipeline;
    row.stage = o.stage;
    row.win_probability = probability;
    row.count += 1;
    row.open_minor += amount;
    row.weighted += weighted;
  }

  PipelineValueReport report;
  report.as_of = as_of;
  std::map<std::string, ManagerPipelineValue> managers;
  for (const Manager& m : org.managers()) managers[m.id] = ManagerPipelineValue{.manager = m.id, .team = m.team};
  for (const auto& [id, sum] : by_manager) managers[id].manager = id;
  ValueSum total;
  for (auto& [id, row] : managers) {
    if (auto it = by_manager.find(id); it != by_manager.end()) {
      CADRE_ASSIGN_OR_RETURN(row.value, it->second.Finish(/*exact=*/true));
    }
    total.Add(row.value, stage_keys);
    report.managers.push_back(row);
  }
  CADRE_ASSIGN_OR_RETURN(report.unassigned, unassigned.Finish(/*exact=*/true));
  total.Add(report.unassigned, stage_keys);
  CADRE_ASSIGN_OR_RETURN(report.total, total.Finish(/*exact=*/false));

  if (const OrgUnit* root = org.root()) {
    CADRE_ASSIGN_OR_RETURN(std::vector<const OrgUnit*> units, org.Subtree(root->id));
    for (const OrgUnit* unit : units) {
      CADRE_ASSIGN_OR_RETURN(std::vector<const Manager*> staff, org.ManagersIn(unit->id));
      ValueSum sum;
      for (const Manager* m : staff) sum.Add(managers.at(m->id).value, stage_keys);
      UnitPipelineValue row{.unit = unit->id, .kind = unit->kind, .value = {}};
      CADRE_ASSIGN_OR_RETURN(row.value, sum.Finish(/*exact=*/false));
      report.units.push_back(std::move(row));
    }
  }
  return report;
}

// ---- Stage conversion --------------------------------------------------------------

absl::StatusOr<ConversionReport> PipelineConversion(const OpportunityProjection& opportunities,
                                                    const Pipeline& pipeline, absl::Time from, absl::Time until,
                                                    absl::Time as_of) {
  CADRE_RETURN_IF_ERROR(CheckWindow(from, until));
  ConversionReport report{.pipeline = pipeline.id, .from = from, .until = until, .as_of = as_of};
  // Open stages come first (Pipeline::Validate), so an open stage's index is its level.
  int open_stages = 0;
  for (const PipelineStage& s : pipeline.stages) {
    open_stages += s.outcome == StageOutcome::kOpen;
    report.stages.push_back(StageConversion{.stage = s.id, .outcome = s.outcome});
  }
  const int won_level = open_stages;

  for (const Opportunity& o : opportunities.All(as_of)) {
    if (o.history.empty() || o.history.front().pipeline != pipeline.id) continue;
    if (o.opened_at < from || o.opened_at >= until) continue;
    ++report.opened;
    report.open += o.outcome == StageOutcome::kOpen;
    report.won += o.outcome == StageOutcome::kWon;
    report.lost += o.outcome == StageOutcome::kLost;
    const bool won = o.outcome == StageOutcome::kWon;

    int depth = -1;
    std::vector<bool> entered_terminal(pipeline.stages.size(), false);
    for (const StageVisit& visit : o.history) {
      if (visit.pipeline != pipeline.id) continue;
      const int index = pipeline.StageIndex(visit.stage);
      if (index < 0) continue;
      switch (pipeline.stages[static_cast<std::size_t>(index)].outcome) {
        case StageOutcome::kOpen:
          depth = std::max(depth, index);
          break;
        case StageOutcome::kWon:
          depth = won_level;
          entered_terminal[static_cast<std::size_t>(index)] = true;
          break;
        case StageOutcome::kLost:
          entered_terminal[static_cast<std::size_t>(index)] = true;
          break;
      }
    }
    for (std::size_t i = 0; i < report.stages.size(); ++i) {
      StageConversion& row = report.stages[i];
      const int level = static_cast<int>(i);
      const bool reached = row.outcome == StageOutcome::kOpen ? depth >= level : entered_terminal[i];
      if (!reached) continue;
      ++row.reached;
      row.won += won;
      if (row.outcome == StageOutcome::kOpen && depth >= level + 1) ++row.advanced;
    }
  }

  for (StageConversion& row : report.stages) {
    if (row.reached == 0) continue;
    if (row.outcome == StageOutcome::kOpen) {
      CADRE_ASSIGN_OR_RETURN(row.conversion, Ratio(row.advanced, row.reached, RoundingMode::kHalfEven));
    }
    CADRE_ASSIGN_OR_RETURN(row.won_share, Ratio(row.won, row.reached, RoundingMode::kHalfEven));
  }
  if (report.won + report.lost > 0) {
    CADRE_ASSIGN_OR_RETURN(report.win_rate, Ratio(report.won, report.won + report.lost, RoundingMode::kHalfEven));
  }
  return report;
}

// ---- Time in stage -----------------------------------------------------------------

namespace {

struct DurationStats {
  std::optional<int64_t> mean;
  std::optional<int64_t> median;
  std::optional<int64_t> max;
};

DurationStats Summarise(std::vector<int64_t> seconds) {
  DurationStats out;
  if (seconds.empty()) return out;
  std::sort(seconds.begin(), seconds.end());
  Int128 sum = 0;
  for (int64_t s : seconds) sum += s;
  const std::size_t n = seconds.size();
  out.mean = DivideRounded(sum, static_cast<Int128>(n), RoundingMode::kHalfEven);
  out.median =
      n % 2 == 1 ? seconds[n / 2]
                 : DivideRounded(static_cast<Int128>(seconds[n / 2 - 1]) + seconds[n / 2], 2, RoundingMode::kHalfEven);
  out.max = seconds.back();
  return out;
}

}  // namespace

absl::StatusOr<TimeInStageReport> TimeInStage(const OpportunityProjection& opportunities, const Pipeline& pipeline,
                                              absl::Time from, absl::Time until, absl::Time as_of) {
  CADRE_RETURN_IF_ERROR(CheckWindow(from, until));
  TimeInStageReport report{.pipeline = pipeline.id, .from = from, .until = until, .as_of = as_of};
  std::vector<std::vector<int64_t>> completed(pipeline.stages.size()), open(pipeline.stages.size());
  for (const Opportunity& o : opportunities.All(as_of)) {
    for (const StageVisit& visit : o.history) {
      if (visit.pipeline != pipeline.id || visit.entered_at < from || visit.entered_at >= until) continue;
      const int index = pipeline.StageIndex(visit.stage);
      if (index < 0 || pipeline.stages[static_cast<std::size_t>(index)].outcome != StageOutcome::kOpen) continue;
      if (visit.left_at) {
        completed[static_cast<std::size_t>(index)].push_back(absl::ToInt64Seconds(*visit.left_at - visit.entered_at));
      } else {
        open[static_cast<std::size_t>(index)].push_back(absl::ToInt64Seconds(as_of - visit.entered_at));
      }
    }
  }
  for (std::size_t i = 0; i < pipeline.stages.size(); ++i) {
    if (pipeline.stages[i].outcome != StageOutcome::kOpen) continue;
    StageDuration row;
    row.stage = pipeline.stages[i].id;
    row.completed = static_cast<int64_t>(completed[i].size());
    row.open = static_cast<int64_t>(open[i].size());
    const DurationStats done = Summarise(std::move(completed[i]));
    row.mean_seconds = done.mean;
    row.median_seconds = done.median;
    const DurationStats ages = Summarise(std::move(open[i]));
    row.open_mean_age_seconds = ages.mean;
    row.open_median_age_seconds = ages.median;
    row.open_max_age_seconds = ages.max;
    report.stages.push_back(std::move(row));
  }
  return report;
}

}  // namespace cadre
