#include "cadre/workspace.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "boost/json/serialize.hpp"
#include "cadre/cases.h"
#include "cadre/id.h"
#include "cadre/incentive.h"
#include "cadre/json.h"
#include "cadre/kpi.h"
#include "cadre/model.h"
#include "cadre/org.h"
#include "cadre/period.h"
#include "cadre/pool.h"
#include "cadre/promotion.h"
#include "cadre/sop.h"
#include "cadre/training.h"

namespace cadre {
namespace {

// Internal documents live in collections whose names start with '_', which hosts
// cannot use.
constexpr std::string_view kSettingsCollection = "_workspace";
constexpr std::string_view kSettingsId = "settings";
constexpr std::size_t kMaxCollectionName = 64;

std::string Quote(std::string_view s) { return boost::json::serialize(boost::json::string_view(s.data(), s.size())); }

// Parses and checks a typed document body, returning its canonical JSON text.
using BodyCheck = absl::StatusOr<std::string> (*)(boost::json::object& body);

template <class T>
absl::StatusOr<std::string> CheckTyped(boost::json::object& body) {
  T entity{};
  CADRE_RETURN_IF_ERROR(json::FromValue(boost::json::value(body), entity));
  return json::ToText(entity);
}

// The typed collections known to this version of cadre. Later modules add theirs here.
const absl::flat_hash_map<std::string_view, BodyCheck>& TypedCollections() {
  static const auto* const collections = new absl::flat_hash_map<std::string_view, BodyCheck>{
      {OrgUnit::kCollection, &CheckTyped<OrgUnit>},
      {Manager::kCollection, &CheckTyped<Manager>},
      {Customer::kCollection, &CheckTyped<Customer>},
      {Role::kCollection, &CheckTyped<Role>},
      {PoolPolicy::kCollection, &CheckTyped<PoolPolicy>},
      {Pipeline::kCollection, &CheckTyped<Pipeline>},
      {MetricDefinition::kCollection, &CheckTyped<MetricDefinition>},
      {Target::kCollection, &CheckTyped<Target>},
      {ScorecardDefinition::kCollection, &CheckTyped<ScorecardDefinition>},
      {Course::kCollection, &CheckTyped<Course>},
      {TrainingRequirement::kCollection, &CheckTyped<TrainingRequirement>},
      {BusinessCalendar::kCollection, &CheckTyped<BusinessCalendar>},
      {SopDefinition::kCollection, &CheckTyped<SopDefinition>},
      {CaseSla::kCollection, &CheckTyped<CaseSla>},
      {CareerLadder::kCollection, &CheckTyped<CareerLadder>},
      {IncentivePlan::kCollection, &CheckTyped<IncentivePlan>},
      {PlanAssignment::kCollection, &CheckTyped<PlanAssignment>},
      {CreditSplit::kCollection, &CheckTyped<CreditSplit>},
      {IncentivePeriod::kCollection, &CheckTyped<IncentivePeriod>},
      {ClosedStatement::kCollection, &CheckTyped<ClosedStatement>},
      {StatementDispute::kCollection, &CheckTyped<StatementDispute>},
  };
  return *collections;
}

bool IsHostCollection(std::string_view name) { return name.size() > 2 && name.substr(0, 2) == "x_"; }

absl::Status CheckCollectionName(std::string_view name) {
  if (TypedCollections().contains(name)) return absl::OkStatus();
  bool well_formed = !name.empty() && name.size() <= kMaxCollectionName && name[0] >= 'a' && name[0] <= 'z';
  for (char c : name) well_formed = well_formed && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  if (well_formed && IsHostCollection(name)) return absl::OkStatus();
  std::string known;
  for (const auto& [n, _] : TypedCollections()) absl::StrAppend(&known, known.empty() ? "" : ", ", AbslView(n));
  return FieldError("collection",
                    absl::StrCat("unknown collection (typed: ", known,
                                 "; the host's own collections are named x_<lowercase letters, digits, _>)"),
                    Quote(name));
}

Document ToDocument(DocumentVersion v) {
  return Document{std::move(v.collection), std::move(v.id), v.version,
                  v.effective_from,        v.recorded_at,   std::move(v.body)};
}

// Checks one document write and returns the canonical body to store.
absl::StatusOr<std::string> CheckDocument(std::string_view collection, std::string_view id, std::string_view body) {
  CADRE_RETURN_IF_ERROR(CheckCollectionName(collection));
  CADRE_RETURN_IF_ERROR(ValidateId(id, "id"));
  CADRE_ASSIGN_OR_RETURN(boost::json::value value, json::ParseText(body));
  if (!value.is_object()) return json::Mismatch(json::Path(), "a JSON object as the document body", value);
  boost::json::object& object = value.get_object();
  auto typed = TypedCollections().find(collection);
  if (typed == TypedCollections().end()) return json::Text(value);
  if (const boost::json::value* body_id = object.if_contains("id")) {
    if (!body_id->is_string() || std::string_view(body_id->get_string().data(), body_id->get_string().size()) != id) {
      return FieldError("id", absl::StrCat("must equal the document id ", Quote(id)), json::Text(*body_id));
    }
  } else {
    object["id"] = boost::json::string_view(id.data(), id.size());
  }
  return typed->second(object);
}

}  // namespace

namespace {

struct PendingRow {
  std::size_t index = 0;
  std::size_t line = 0;
};

void Reject(IngestReport& report, std::size_t index, std::size_t line, std::string id, const absl::Status& status) {
  RejectedRow row;
  row.index = index;
  row.line = line;
  row.id = std::move(id);
  if (std::optional<FieldErrorDetails> details = GetFieldErrorDetails(status)) row.path = details->path;
  row.message = std::string(status.message());
  report.rejected.push_back(std::move(row));
}

// What ingest remembers of an event earlier in the same batch.
struct EarlierEvent {
  EventKind kind;
  bool has_due_on;
};

// The pipeline documents an ingest batch needs, each read and parsed once per
// batch: a batch of opportunity moves would otherwise read and parse the same
// document once per event (most of an ingest's time, measured with the
// synthetic year's mix).
class PipelineCache {
 public:
  explicit PipelineCache(Store& store) : store_(store) {}

  // The version in force at `at`, as Store::GetDocument picks it (the newest
  // effective_from <= at, ties to the higher version); null when there is none
  // or it is a tombstone.
  absl::StatusOr<const Pipeline*> InForce(const std::string& id, absl::Time at) {
    auto it = versions_.find(id);
    if (it == versions_.end()) {
      std::vector<Version> versions;
      CADRE_RETURN_IF_ERROR(store_.DocumentHistory(Pipeline::kCollection, id, [&](const DocumentVersion& v) {
        versions.push_back(Version{v.effective_from, v.version, v.deleted, v.body, nullptr});
      }));
      for (Version& v : versions) {
        if (v.deleted) continue;
        CADRE_ASSIGN_OR_RETURN(Pipeline parsed, json::FromText<Pipeline>(v.body, "pipeline"));
        v.pipeline = std::make_shared<const Pipeline>(std::move(parsed));
      }
      it = versions_.emplace(id, std::move(versions)).first;
    }
    const Version* best = nullptr;
    for (const Version& v : it->second) {
      if (v.effective_from > at) continue;
      if (best == nullptr || v.effective_from > best->effective_from ||
          (v.effective_from == best->effective_from && v.version > best->version))
        best = &v;
    }
    return best == nullptr || best->deleted ? nullptr : best->pipeline.get();
  }

 private:
  struct Version {
    absl::Time effective_from;
    int64_t version;
    bool deleted;
    std::string body;
    std::shared_ptr<const Pipeline> pipeline;
  };
  Store& store_;
  absl::flat_hash_map<std::string, std::vector<Version>> versions_;
};

// The checks of CRM activity events against the workspace: an opportunity's stage
// must be a stage of its pipeline (the version in force when it occurred), and a
// lost one must give a listed reason; a follow_up_done must name a follow-up (a
// follow_up event, or an interaction with a due_on) logged or earlier in the
// batch. The outer status is the store's failure; the inner one the event's.
absl::StatusOr<absl::Status> CheckActivity(PipelineCache& pipelines, Store& store, const Event& e,
                                           const absl::flat_hash_map<std::string_view, EarlierEvent>& earlier,
                                           json::Path& path) {
  if (e.kind == EventKind::kFollowUpDone) {
    json::PathScope field(path, "reference");
    std::optional<EarlierEvent> target;
    if (auto it = earlier.find(*e.reference); it != earlier.end()) {
      target = it->second;
    } else {
      absl::StatusOr<StoredEvent> logged = store.FindEvent(*e.reference);
      if (logged.ok()) {
        target = EarlierEvent{logged->event.kind, logged->event.due_on.has_value()};
      } else if (!absl::IsNotFound(logged.status())) {
        return logged.status();
      }
    }
    if (!target)
      return FieldError(path.str(), "no event with this id in the log or earlier in this batch", Quote(*e.reference));
    if (!(target->kind == EventKind::kFollowUp || (target->kind == EventKind::kInteraction && target->has_due_on)))
      return FieldError(path.str(),
                        absl::StrCat("names a ", AbslView(json::EnumName(target->kind)),
                                     " event; a follow-up is a follow_up event or an interaction with a due_on"),
                        Quote(*e.reference));
    return absl::OkStatus();
  }
  if (e.kind != EventKind::kOpportunity) return absl::OkStatus();
  const std::string pipeline_id = e.pipeline.value_or("default");
  CADRE_ASSIGN_OR_RETURN(const Pipeline* in_force, pipelines.InForce(pipeline_id, e.occurred_at));
  if (in_force == nullptr) {
    json::PathScope field(path, "pipeline");
    return FieldError(path.str(),
                      absl::StrCat("no pipeline document with this id in force at occurred_at (put one in the \"",
                                   AbslView(Pipeline::kCollection), "\" collection)"),
                      Quote(pipeline_id));
  }
  const Pipeline& pipeline = *in_force;
  const PipelineStage* stage = pipeline.FindStage(*e.stage);
  if (stage == nullptr) {
    json::PathScope field(path, "stage");
    std::string ids;
    for (const PipelineStage& s : pipeline.stages) absl::StrAppend(&ids, ids.empty() ? "" : ", ", s.id);
    return FieldError(path.str(), absl::StrCat("not a stage of pipeline ", Quote(pipeline_id), " (stages: ", ids, ")"),
                      Quote(*e.stage));
  }
  if (stage->outcome == StageOutcome::kLost && !pipeline.lost_reasons.empty()) {
    json::PathScope field(path, "reason");
    if (!e.reason)
      return FieldError(path.str(), absl::StrCat("required field is missing (stage ", Quote(stage->id),
                                                 " is a lost stage; give one of the pipeline's lost_reasons)"));
    if (std::find(pipeline.lost_reasons.begin(), pipeline.lost_reasons.end(), *e.reason) == pipeline.lost_reasons.end())
      return FieldError(path.str(),
                        absl::StrCat("not one of the lost_reasons of pipeline ", Quote(pipeline_id), " (",
                                     absl::StrJoin(pipeline.lost_reasons, ", "), ")"),
                        Quote(*e.reason));
  } else if (e.reason && stage->outcome != StageOutcome::kLost) {
    json::PathScope field(path, "reason");
    return FieldError(path.str(), "only a move to a lost stage gives a reason", Quote(*e.reason));
  }
  return absl::OkStatus();
}

}  // namespace

class Workspace::Impl {
 public:
  // Serialises writers: ingest checks the log (duplicates, reversal targets) and
  // then commits, and no other write may slip in between. Readers go straight to
  // the store, which shows each commit whole or not at all.
  absl::Mutex write_mu;

  // Which logged event reversed which (target id -> reversal id), so that one
  // event is never reversed twice. Loaded from the log on the first reversal.
  bool reversals_loaded ABSL_GUARDED_BY(write_mu) = false;
  absl::flat_hash_map<std::string, std::string> reversed_by ABSL_GUARDED_BY(write_mu);

  // Checks `events` (already valid on their own) against the workspace and the
  // log, and commits the ones that pass. rows[k] says where events[k] came from.
  absl::StatusOr<IngestReport> CommitEvents(Workspace& ws, std::vector<Event> events,
                                            const std::vector<PendingRow>& rows, IngestReport report, IngestMode mode);

 private:
  absl::Status LoadReversals(Store& store) ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu);
};

absl::Status Workspace::Impl::LoadReversals(Store& store) {
  if (reversals_loaded) return absl::OkStatus();
  EventQuery query;
  query.kinds = {EventKind::kReversal};
  query.order = ScanOrder::kBySeq;
  CADRE_RETURN_IF_ERROR(store.ScanEvents(query, [&](const StoredEvent& e) {
    if (e.event.reverses) reversed_by.emplace(*e.event.reverses, e.event.id);
    return true;
  }));
  reversals_loaded = true;
  return absl::OkStatus();
}

absl::StatusOr<IngestReport> Workspace::Impl::CommitEvents(Workspace& ws, std::vector<Event> events,
                                                           const std::vector<PendingRow>& rows, IngestReport report,
                                                           IngestMode mode) {
  const absl::Time now = ws.clock_();
  const std::string_view currency = ws.currency_.code();
  absl::MutexLock lock(&write_mu);

  bool any_reversal = false, track_earlier = false;
  for (const Event& e : events) {
    any_reversal = any_reversal || e.kind == EventKind::kReversal;
    track_earlier = track_earlier || e.kind == EventKind::kReversal || e.kind == EventKind::kFollowUpDone;
  }
  // Ids and kinds of the events before the current one in this batch, for
  // reversals that cancel an event sent in the same batch.
  absl::flat_hash_map<std::string_view, EarlierEvent> earlier;
  absl::flat_hash_map<std::string, std::string> reversed_here;
  if (any_reversal) CADRE_RETURN_IF_ERROR(LoadReversals(*ws.store_));

  std::vector<std::size_t> keep;
  keep.reserve(events.size());
  PipelineCache pipelines(*ws.store_);
  json::Path path("events");
  for (std::size_t k = 0; k < events.size(); ++k) {
    Event& e = events[k];
    // Most events need nothing more here; the path is built only for those that do.
    if (e.currency || e.kind == EventKind::kReversal || e.kind == EventKind::kOpportunity ||
        e.kind == EventKind::kFollowUpDone) {
      json::PathScope scope(path, rows[k].index);
      absl::StatusOr<absl::Status> activity = CheckActivity(pipelines, *ws.store_, e, earlier, path);
      if (!activity.ok()) return activity.status();
      if (!activity->ok()) {
        Reject(report, rows[k].index, rows[k].line, e.id, *activity);
        continue;
      }
      if (e.currency) {
        if (*e.currency != currency) {
          json::PathScope field(path, "currency");
          Reject(report, rows[k].index, rows[k].line, e.id,
                 FieldError(path.str(), absl::StrCat("must be the workspace currency ", AbslView(currency)),
                            boost::json::serialize(boost::json::string_view(*e.currency))));
          continue;
        }
        e.currency.reset();  // stored canonically: absent means the workspace currency
      }
      if (e.kind == EventKind::kReversal) {
        json::PathScope field(path, "reverses");
        const std::string& target = *e.reverses;
        std::optional<EventKind> target_kind;
        if (auto it = earlier.find(target); it != earlier.end()) {
          target_kind = it->second.kind;
        } else {
          absl::StatusOr<StoredEvent> logged = ws.store_->FindEvent(target);
          if (logged.ok()) {
            target_kind = logged->event.kind;
          } else if (!absl::IsNotFound(logged.status())) {
            return logged.status();
          }
        }
        absl::Status problem;
        if (!target_kind) {
          problem = FieldError(path.str(), "no event with this id in the log or earlier in this batch", Quote(target));
        } else if (*target_kind == EventKind::kReversal) {
          problem = FieldError(path.str(), "a reversal cannot be reversed; ingest the original again under a new id",
                               Quote(target));
        } else if (auto it = reversed_by.find(target); it != reversed_by.end() && it->second != e.id) {
          problem =
              FieldError(path.str(), absl::StrCat("already reversed by event ", Quote(it->second)), Quote(target));
        } else if (auto it = reversed_here.find(target); it != reversed_here.end() && it->second != e.id) {
          problem = FieldError(path.str(),
                               absl::StrCat("already reversed by event ", Quote(it->second), " earlier in this batch"),
                               Quote(target));
        }
        if (!problem.ok()) {
          Reject(report, rows[k].index, rows[k].line, e.id, problem);
          continue;
        }
        reversed_here.emplace(target, e.id);
      }
    }
    if (!e.recorded_at) e.recorded_at = now;
    if (track_earlier) earlier.emplace(e.id, EarlierEvent{e.kind, e.due_on.has_value()});
    keep.push_back(k);
  }

  auto by_index = [](const RejectedRow& a, const RejectedRow& b) { return a.index < b.index; };
  std::sort(report.rejected.begin(), report.rejected.end(), by_index);
  if ((mode == IngestMode::kAtomic && !report.rejected.empty()) || keep.empty()) return report;

  WriteBatch batch;
  batch.all_or_nothing = mode == IngestMode::kAtomic;
  batch.events.reserve(keep.size());
  for (std::size_t k : keep) batch.events.push_back(std::move(events[k]));
  CADRE_ASSIGN_OR_RETURN(CommitResult result, ws.store_->Commit(batch));

  std::size_t accepted = 0, duplicates = 0;
  for (std::size_t j = 0; j < keep.size(); ++j) {
    const PendingRow& row = rows[keep[j]];
    const Event& e = batch.events[j];
    switch (result.events[j]) {
      case AppendOutcome::kAppended:
        ++accepted;
        if (report.first_seq == 0) report.first_seq = result.seqs[j];
        report.last_seq = result.seqs[j];
        if (result.committed && e.kind == EventKind::kReversal) reversed_by.emplace(*e.reverses, e.id);
        break;
      case AppendOutcome::kDuplicate:
        ++duplicates;
        break;
      case AppendOutcome::kConflict: {
        json::PathScope scope(path, row.index);
        json::PathScope field(path, "id");
        Reject(report, row.index, row.line, e.id,
               FieldError(absl::StatusCode::kAlreadyExists, path.str(),
                          absl::StrCat("already recorded with different content (seq ", result.seqs[j],
                                       "); events are immutable: correct one by ingesting a reversal"),
                          Quote(e.id)));
        break;
      }
    }
  }
  std::sort(report.rejected.begin(), report.rejected.end(), by_index);
  report.duplicates = duplicates;
  // "committed" means something was written: a batch of nothing but duplicates
  // changed nothing, and says so.
  report.committed = result.committed && accepted > 0;
  if (result.committed) {
    report.accepted = accepted;
  } else {
    report.first_seq = report.last_seq = 0;
  }
  return report;
}

Workspace::Workspace(std::unique_ptr<Store> store, WorkspaceSettings settings, Currency currency, absl::TimeZone tz,
                     std::function<absl::Time()> clock)
    : store_(std::move(store)),
      settings_(std::move(settings)),
      currency_(currency),
      time_zone_(tz),
      clock_(std::move(clock)),
      impl_(std::make_unique<Impl>()) {}

Workspace::~Workspace() = default;

absl::StatusOr<std::unique_ptr<Workspace>> Workspace::Open(std::string_view uri, WorkspaceOptions options) {
  CADRE_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenStore(uri));
  return Open(std::move(store), std::move(options));
}

absl::StatusOr<std::unique_ptr<Workspace>> Workspace::Open(std::unique_ptr<Store> store, WorkspaceOptions options) {
  if (store == nullptr) return absl::InvalidArgumentError("Workspace::Open: store is null");
  if (!options.clock) options.clock = [] { return absl::Now(); };
  WorkspaceSettings settings;
  absl::StatusOr<DocumentVersion> stored = store->GetDocument(kSettingsCollection, kSettingsId, std::nullopt);
  if (stored.ok()) {
    CADRE_ASSIGN_OR_RETURN(settings, json::FromText<WorkspaceSettings>(stored->body, "settings"));
    if (!options.currency.empty() && options.currency != settings.currency) {
      return absl::FailedPreconditionError(absl::StrCat("currency: this workspace was created with ", settings.currency,
                                                        " and cannot be opened as ", options.currency));
    }
    if (!options.time_zone.empty() && options.time_zone != settings.time_zone) {
      return absl::FailedPreconditionError(absl::StrCat("time_zone: this workspace was created with ",
                                                        settings.time_zone, " and cannot be opened as ",
                                                        options.time_zone));
    }
  } else if (absl::IsNotFound(stored.status())) {
    settings.currency = options.currency.empty() ? "CNY" : options.currency;
    settings.time_zone = options.time_zone.empty() ? "UTC" : options.time_zone;
    settings.created_at = options.clock();
  } else {
    return stored.status();
  }

  absl::StatusOr<Currency> currency = Currency::Parse(settings.currency);
  if (!currency.ok()) {
    return FieldError("currency", "expected an active ISO 4217 currency code", Quote(settings.currency));
  }
  CADRE_ASSIGN_OR_RETURN(absl::TimeZone tz, LoadTimeZone(settings.time_zone, "time_zone"));

  if (!stored.ok()) {
    WriteBatch batch;
    batch.documents.push_back(DocumentWrite{std::string(kSettingsCollection), std::string(kSettingsId), 0,
                                            absl::InfinitePast(), settings.created_at, false, json::ToText(settings)});
    absl::StatusOr<CommitResult> created = store->Commit(batch);
    if (!created.ok() && !absl::IsAborted(created.status())) return created.status();
    if (!created.ok()) {
      // Another process created the workspace first: use what it wrote.
      return Open(std::move(store), std::move(options));
    }
  }
  return std::unique_ptr<Workspace>(
      new Workspace(std::move(store), std::move(settings), *currency, tz, std::move(options.clock)));
}

// ---- Documents ----------------------------------------------------------------

absl::StatusOr<Document> Workspace::Put(std::string_view collection, std::string_view id, std::string_view json_body,
                                        const PutOptions& options) {
  DocumentPut put{std::string(collection), std::string(id), std::string(json_body), options};
  absl::StatusOr<std::vector<int64_t>> versions = PutAll(std::span<const DocumentPut>(&put, 1));
  if (!versions.ok()) {
    // A single put reports paths relative to its body, without the "documents[0]" of PutAll.
    std::optional<FieldErrorDetails> details = GetFieldErrorDetails(versions.status());
    if (details && details->path.rfind("documents[0]", 0) == 0) {
      std::string path = details->path.substr(std::string_view("documents[0]").size());
      if (!path.empty() && path[0] == '.') path.erase(0, 1);
      return FieldError(versions.status().code(), path, details->rule, details->value);
    }
    return versions.status();
  }
  return Get(collection, id, std::nullopt);
}

absl::StatusOr<std::vector<int64_t>> Workspace::PutAll(std::span<const DocumentPut> puts) {
  WriteBatch batch;
  batch.documents.reserve(puts.size());
  const absl::Time now = clock_();
  for (std::size_t i = 0; i < puts.size(); ++i) {
    const DocumentPut& put = puts[i];
    absl::StatusOr<std::string> body = CheckDocument(put.collection, put.id, put.body);
    if (!body.ok()) return PrefixPath(body.status(), absl::StrCat("documents[", i, "]"));
    batch.documents.push_back(DocumentWrite{put.collection, put.id, put.options.expected_version,
                                            put.options.effective_from.value_or(absl::InfinitePast()), now, false,
                                            *std::move(body)});
  }
  absl::MutexLock lock(&impl_->write_mu);
  // A derived metric's formula names other metrics: check them against the
  // metrics already saved (and those of this batch), under the write lock so two
  // writers cannot form a cycle between them.
  for (std::size_t i = 0; i < puts.size(); ++i) {
    if (puts[i].collection != MetricDefinition::kCollection) continue;
    CADRE_ASSIGN_OR_RETURN(MetricDefinition metric, json::FromText<MetricDefinition>(batch.documents[i].body));
    std::vector<MetricDefinition> pending;
    for (std::size_t j = 0; j < puts.size(); ++j) {
      if (j == i || puts[j].collection != MetricDefinition::kCollection) continue;
      CADRE_ASSIGN_OR_RETURN(MetricDefinition other, json::FromText<MetricDefinition>(batch.documents[j].body));
      pending.push_back(std::move(other));
    }
    absl::Status graph = CheckMetricGraph(*this, metric, pending);
    if (!graph.ok()) return PrefixPath(graph, absl::StrCat("documents[", i, "]"));
  }
  CADRE_ASSIGN_OR_RETURN(CommitResult result, store_->Commit(batch));
  document_generation_.fetch_add(1, std::memory_order_acq_rel);
  return std::move(result.document_versions);
}

absl::StatusOr<Document> Workspace::Get(std::string_view collection, std::string_view id,
                                        std::optional<absl::Time> as_of) const {
  CADRE_RETURN_IF_ERROR(CheckCollectionName(collection));
  CADRE_RETURN_IF_ERROR(ValidateId(id, "id"));
  CADRE_ASSIGN_OR_RETURN(DocumentVersion v, store_->GetDocument(collection, id, as_of));
  return ToDocument(std::move(v));
}

absl::StatusOr<std::vector<Document>> Workspace::List(std::string_view collection,
                                                      std::optional<absl::Time> as_of) const {
  CADRE_RETURN_IF_ERROR(CheckCollectionName(collection));
  std::vector<Document> out;
  CADRE_RETURN_IF_ERROR(
      store_->ListDocuments(collection, as_of, [&](const DocumentVersion& v) { out.push_back(ToDocument(v)); }));
  return out;
}

absl::StatusOr<std::vector<DocumentVersion>> Workspace::History(std::string_view collection,
                                                                std::string_view id) const {
  CADRE_RETURN_IF_ERROR(CheckCollectionName(collection));
  CADRE_RETURN_IF_ERROR(ValidateId(id, "id"));
  std::vector<DocumentVersion> out;
  CADRE_RETURN_IF_ERROR(store_->DocumentHistory(collection, id, [&](const DocumentVersion& v) { out.push_back(v); }));
  if (out.empty())
    return absl::NotFoundError(absl::StrCat(AbslView(collection), "/", AbslView(id), ": no such document"));
  return out;
}

absl::StatusOr<int64_t> Workspace::Delete(std::string_view collection, std::string_view id, const PutOptions& options) {
  CADRE_RETURN_IF_ERROR(CheckCollectionName(collection));
  CADRE_RETURN_IF_ERROR(ValidateId(id, "id"));
  absl::MutexLock lock(&impl_->write_mu);
  // Deleting what is not there is reported: the caller's picture of the data is off.
  CADRE_ASSIGN_OR_RETURN(DocumentVersion newest, store_->GetDocument(collection, id, std::nullopt));
  WriteBatch batch;
  batch.documents.push_back(DocumentWrite{std::string(collection), std::string(id),
                                          options.expected_version.value_or(newest.version),
                                          options.effective_from.value_or(absl::InfinitePast()), clock_(), true, ""});
  CADRE_ASSIGN_OR_RETURN(CommitResult result, store_->Commit(batch));
  document_generation_.fetch_add(1, std::memory_order_acq_rel);
  return result.document_versions.at(0);
}

// ---- Events -------------------------------------------------------------------

absl::StatusOr<IngestReport> Workspace::Ingest(std::span<const Event> events, IngestMode mode) {
  return Ingest(std::vector<Event>(events.begin(), events.end()), mode);
}

absl::StatusOr<IngestReport> Workspace::Ingest(std::vector<Event>&& events, IngestMode mode) {
  IngestReport report;
  report.received = events.size();
  std::vector<PendingRow> rows;
  rows.reserve(events.size());
  std::vector<Event> valid;
  json::Path path;  // relative to the event: "events[i]" is prefixed only on error
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (absl::Status s = events[i].Validate(path); !s.ok()) {
      if (report.rejected.empty()) {  // first bad row: from here on, keep the good ones apart
        valid.reserve(events.size());
        for (std::size_t j = 0; j < i; ++j) valid.push_back(std::move(events[j]));
      }
      Reject(report, i, 0, events[i].id, PrefixPath(s, absl::StrCat("events[", i, "]")));
      continue;
    }
    if (!report.rejected.empty()) valid.push_back(std::move(events[i]));
    rows.push_back(PendingRow{i, 0});
  }
  if (report.rejected.empty()) valid = std::move(events);
  return impl_->CommitEvents(*this, std::move(valid), rows, std::move(report), mode);
}

absl::StatusOr<IngestReport> Workspace::IngestNdjson(std::string_view ndjson, IngestMode mode) {
  IngestReport report;
  std::vector<Event> valid;
  std::vector<PendingRow> rows;
  std::size_t index = 0, line = 0, pos = 0;
  while (pos < ndjson.size()) {
    std::size_t end = ndjson.find('\n', pos);
    if (end == std::string_view::npos) end = ndjson.size();
    std::string_view text = ndjson.substr(pos, end - pos);
    pos = end + 1;
    ++line;
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.find_first_not_of(" \t") == std::string_view::npos) continue;
    const std::size_t i = index++;
    const std::string root = absl::StrCat("events[", i, "]");
    absl::StatusOr<boost::json::value> value = json::ParseText(text, root);
    if (!value.ok()) {
      Reject(report, i, line, "", value.status());
      continue;
    }
    Event event;
    if (absl::Status s = json::FromValue(*value, event, root); !s.ok()) {
      std::string id;
      if (value->is_object())
        if (const boost::json::value* v = value->get_object().if_contains("id"); v && v->is_string())
          id.assign(v->get_string().data(), v->get_string().size());
      Reject(report, i, line, std::move(id), s);
      continue;
    }
    valid.push_back(std::move(event));
    rows.push_back(PendingRow{i, line});
  }
  report.received = index;
  return impl_->CommitEvents(*this, std::move(valid), rows, std::move(report), mode);
}

absl::Status Workspace::ScanEvents(const EventQuery& query, absl::FunctionRef<bool(const StoredEvent&)> fn) const {
  return store_->ScanEvents(query, fn);
}

absl::StatusOr<uint64_t> Workspace::HighWaterMark() const { return store_->HighWaterMark(); }

}  // namespace cadre
