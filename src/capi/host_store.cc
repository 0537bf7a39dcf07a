// capi/host_store.cc — the Store over a host's cadre_storage vtable, and
// cadre_storage_set_error.
//
// The host's callbacks are table primitives; every rule of the Store contract is
// kept here, the same way for every host:
//
// * Commit: begin; read the newest version of each document written and check
//   expected_version; look each event id up (find_event, or earlier in the
//   batch) and classify it with Event::SameContent; read the high-water mark and
//   number the new events after it; only then insert, and commit. Any failure
//   after begin rolls back (Transaction), so a batch is written whole or not at
//   all; a batch that writes nothing ends with rollback too.
// * Reads fetch raw rows (all versions of a document or collection; a scan's
//   candidate events, which the host may or may not have filtered by the hints)
//   and pick, filter and order them here. The event's canonical JSON, not the
//   host's index columns, is what is read back.
//
// Every call into the vtable holds mu_, and runs inside a CallbackScope, which
// marks the thread as "in a storage callback" (the C entry points then refuse to
// run, instead of deadlocking) and collects cadre_storage_set_error's message.
// Rows the host emits are copied while it emits them (its buffers may die right
// after); scan and list callbacks run on those copies after mu_ is released.
#include "capi/host_store.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "boost/describe.hpp"
#include "boost/mp11/algorithm.hpp"
#include "cadre/event.h"
#include "cadre/json.h"
#include "cadre/status.h"
#include "capi/capi_internal.h"
#include "store/store_internal.h"

namespace cadre::capi {
namespace {

using store_internal::NanosToTime;
using store_internal::TimeToNanos;

// ---- Being inside a callback ------------------------------------------------------

// The calling thread's storage-callback state: how deep in callbacks it is, and
// the message the current callback set.
struct CallbackState {
  int depth = 0;
  bool has_message = false;
  std::string message;
};

CallbackState& ThreadCallbackState() noexcept {
  thread_local CallbackState state;
  return state;
}

// Marks the thread as running a callback for the scope's lifetime and starts the
// callback with no message.
class CallbackScope {
 public:
  CallbackScope() noexcept {
    CallbackState& s = ThreadCallbackState();
    ++s.depth;
    s.has_message = false;
    s.message.clear();
  }
  ~CallbackScope() { --ThreadCallbackState().depth; }
  CallbackScope(const CallbackScope&) = delete;
  CallbackScope& operator=(const CallbackScope&) = delete;
};

// Runs one host callback (`call` returns its int result) and turns a failure
// into HostCallbackError with the host's message.
template <class Call>
absl::Status Invoke(const char* callback, Call&& call) {
  int result = 0;
  bool threw = false;
  std::optional<std::string> message;
  {
    CallbackScope scope;
    try {
      result = call();
    } catch (...) {  // a C++ host's exception must not unwind through cadre's callers
      threw = true;
    }
    CallbackState& s = ThreadCallbackState();
    if (s.has_message) message = std::move(s.message);
  }
  if (threw) return HostCallbackError(callback, std::nullopt, message);
  if (result == 0) return absl::OkStatus();
  return HostCallbackError(callback, result, message);
}

// ---- Rows the host emits ------------------------------------------------------------

// What a host's bad data is: a store damaged beyond use (CADRE_ERROR_INTERNAL).
absl::Status BadRow(std::string_view callback, std::string_view what) {
  return absl::DataLossError(absl::StrCat("cadre_storage.", AbslView(callback), ": ", AbslView(what)));
}

// "cadre_storage.read_document (emit)": who broke the contract, in messages.
std::string EmitFunction(const char* callback) { return absl::StrCat("cadre_storage.", callback, " (emit)"); }

// Collects the document rows of one read_document / read_collection call.
struct DocumentSink {
  DocumentSink(const char* callback, std::string_view collection, std::optional<std::string_view> id = std::nullopt)
      : callback(callback), function(EmitFunction(callback)), collection(collection), id(id) {}

  const char* callback;
  std::string function;
  std::string_view collection;
  std::optional<std::string_view> id;  // read_document: only this document
  std::vector<DocumentVersion> rows;
  absl::Status error;
  bool no_memory = false;

  absl::Status Add(const cadre_storage_document* row) {
    if (row == nullptr) return Misuse(function, "row is NULL");
    cadre_storage_document known;
    CADRE_RETURN_IF_ERROR(ReadVersioned(function, "row->struct_size", row, row->struct_size,
                                        CADRE_CAPI_END_OF(cadre_storage_document, body), &known, sizeof known));
    if (known.collection == nullptr) return Misuse(function, "row->collection is NULL");
    if (known.id == nullptr) return Misuse(function, "row->id is NULL");
    if (collection != known.collection || (id && *id != known.id)) return absl::OkStatus();  // not asked for
    if (known.version < 1) {
      return BadRow(callback, absl::StrCat("document ", known.collection, "/", known.id, " has version ", known.version,
                                           " (versions start at 1)"));
    }
    if (known.deleted == 0 && (known.body == nullptr || known.body[0] == '\0')) {
      return BadRow(callback, absl::StrCat("document ", known.collection, "/", known.id, " version ", known.version,
                                           " is not deleted but has no body"));
    }
    DocumentVersion& v = rows.emplace_back();
    v.collection = known.collection;
    v.id = known.id;
    v.version = known.version;
    v.effective_from = NanosToTime(known.effective_from_ns);
    v.recorded_at = NanosToTime(known.recorded_at_ns);
    v.deleted = known.deleted != 0;
    if (!v.deleted) v.body = known.body;
    return absl::OkStatus();
  }
};

// Reads the event JSON the adapter wrote, as it was written: the shape only.
// Event::Validate is not run (the store keeps whatever it was given, and rules
// may grow stricter than the data already logged), and unknown keys are refused
// (they would be lost).
absl::Status ReadLoggedEvent(std::string_view text, Event& out) {
  CADRE_ASSIGN_OR_RETURN(boost::json::value v, json::ParseText(text, "json"));
  json::Path path("json");
  if (!v.is_object()) return json::Mismatch(path, "object", v);
  const boost::json::object& obj = v.get_object();
  using Members = boost::describe::describe_members<Event, boost::describe::mod_public>;
  for (const auto& kv : obj) {
    std::string_view key(kv.key().data(), kv.key().size());
    bool known = false;
    boost::mp11::mp_for_each<Members>([&](auto d) { known = known || key == d.name; });
    if (!known) return FieldError(absl::StrCat("json.", AbslView(key)), "a field of an event (unknown field)");
  }
  absl::Status status;
  boost::mp11::mp_for_each<Members>([&](auto d) {
    if (!status.ok()) return;
    json::PathScope scope(path, d.name);
    if (const boost::json::value* field = obj.if_contains(d.name)) {
      status = json::Read(*field, out.*d.pointer, path);
    } else if (std::find(std::begin(Event::kRequired), std::end(Event::kRequired), d.name) !=
               std::end(Event::kRequired)) {
      status = FieldError(path.str(), "required field");
    }
  });
  return status;
}

bool Matches(const EventQuery& q, const StoredEvent& s) {
  const Event& e = s.event;
  if (s.seq <= q.after_seq) return false;
  if (q.from && e.occurred_at < *q.from) return false;
  if (q.until && e.occurred_at >= *q.until) return false;
  if (!q.kinds.empty() && std::find(q.kinds.begin(), q.kinds.end(), e.kind) == q.kinds.end()) return false;
  if (q.manager && e.manager != q.manager) return false;
  if (q.customer && e.customer != q.customer) return false;
  return true;
}

// Collects the event rows of one find_event / scan_events call.
struct EventSink {
  EventSink(const char* callback, std::optional<std::string_view> id, const EventQuery* query)
      : callback(callback), function(EmitFunction(callback)), id(id), query(query) {}

  const char* callback;
  std::string function;
  std::optional<std::string_view> id;  // find_event: only this id
  const EventQuery* query;             // scan_events: only what matches
  std::vector<StoredEvent> rows;
  absl::flat_hash_set<uint64_t> seen;
  absl::Status error;
  bool no_memory = false;

  absl::Status Add(const cadre_storage_event* row) {
    if (row == nullptr) return Misuse(function, "row is NULL");
    cadre_storage_event known;
    CADRE_RETURN_IF_ERROR(ReadVersioned(function, "row->struct_size", row, row->struct_size,
                                        CADRE_CAPI_END_OF(cadre_storage_event, json), &known, sizeof known));
    if (known.json == nullptr) return Misuse(function, "row->json is NULL");
    if (known.seq == 0) return BadRow(callback, "an event row has seq 0 (seqs start at 1)");
    if (!seen.insert(known.seq).second) {
      return BadRow(callback, absl::StrCat("event seq ", known.seq, " was emitted twice"));
    }
    if (query != nullptr && known.seq <= query->after_seq) return absl::OkStatus();  // spares parsing it
    StoredEvent stored;
    stored.seq = known.seq;
    if (absl::Status s = ReadLoggedEvent(known.json, stored.event); !s.ok()) {
      return BadRow(callback,
                    absl::StrCat("event seq ", known.seq, " holds JSON this library cannot read: ", s.message()));
    }
    if (id && stored.event.id != *id) return absl::OkStatus();
    if (query != nullptr && !Matches(*query, stored)) return absl::OkStatus();
    rows.push_back(std::move(stored));
    return absl::OkStatus();
  }
};

// Records what went wrong in a sink, so that the emit function itself never
// throws into the host's frames.
template <class Sink, class Row>
int Emit(Sink* sink, const Row* row) noexcept {
  if (sink == nullptr || !sink->error.ok() || sink->no_memory) return 1;
  try {
    sink->error = sink->Add(row);
  } catch (const std::bad_alloc&) {
    sink->no_memory = true;
  } catch (const std::exception& e) {
    sink->error = absl::InternalError(absl::StrCat("cadre_storage.", sink->callback, " (emit): ", e.what()));
  } catch (...) {
    sink->error = absl::InternalError(absl::StrCat("cadre_storage.", sink->callback, " (emit): unknown exception"));
  }
  return sink->error.ok() && !sink->no_memory ? 0 : 1;
}

// A sink's own failure outranks the host's result: it is why the host stopped.
template <class Sink>
absl::Status Finish(Sink& sink, absl::Status host) {
  if (sink.no_memory) throw std::bad_alloc();  // the C boundary makes it CADRE_ERROR_NO_MEMORY
  if (!sink.error.ok()) return sink.error;
  return host;
}

// ---- Reading documents ------------------------------------------------------------

void SortVersions(std::vector<DocumentVersion>& versions) {
  std::sort(versions.begin(), versions.end(),
            [](const DocumentVersion& a, const DocumentVersion& b) { return a.version < b.version; });
}

absl::Status CheckDistinctVersions(const char* callback, const std::vector<DocumentVersion>& sorted) {
  for (std::size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i].version == sorted[i - 1].version) {
      return BadRow(callback, absl::StrCat("document ", sorted[i].collection, "/", sorted[i].id, " version ",
                                           sorted[i].version, " was emitted twice"));
    }
  }
  return absl::OkStatus();
}

// The version in force at `as_of` (newest effective_from <= as_of, ties to the
// higher version), or the newest; `versions` is sorted by version.
const DocumentVersion* InForce(const std::vector<DocumentVersion>& versions, std::optional<absl::Time> as_of) {
  if (versions.empty()) return nullptr;
  if (!as_of) return &versions.back();
  const DocumentVersion* best = nullptr;
  for (const DocumentVersion& v : versions) {
    if (v.effective_from <= *as_of && (best == nullptr || v.effective_from >= best->effective_from)) best = &v;
  }
  return best;
}

absl::Status DocumentNotFound(std::string_view collection, std::string_view id, std::optional<absl::Time> as_of,
                              bool deleted) {
  std::string when =
      as_of ? absl::StrCat(" at ", absl::FormatTime(absl::RFC3339_full, *as_of, absl::UTCTimeZone())) : std::string();
  return absl::NotFoundError(
      absl::StrCat("document ", AbslView(collection), "/", AbslView(id), deleted ? " is deleted" : " not found", when));
}

// ---- Writing ----------------------------------------------------------------------

// The vtable passes C strings: a NUL inside one would cut it short, and the host
// would store (and look up) another id than cadre's.
absl::Status RefuseNul(std::string_view path, std::string_view value) {
  if (value.find('\0') == std::string_view::npos) return absl::OkStatus();
  return FieldError(path, "text without NUL characters (the storage vtable passes C strings)",
                    json::ToText(std::string(value)));
}

absl::Status CheckCStrings(const WriteBatch& batch) {
  for (std::size_t i = 0; i < batch.documents.size(); ++i) {
    const DocumentWrite& d = batch.documents[i];
    CADRE_RETURN_IF_ERROR(RefuseNul(absl::StrCat("documents[", i, "].collection"), d.collection));
    CADRE_RETURN_IF_ERROR(RefuseNul(absl::StrCat("documents[", i, "].id"), d.id));
    CADRE_RETURN_IF_ERROR(RefuseNul(absl::StrCat("documents[", i, "].body"), d.body));
  }
  for (std::size_t i = 0; i < batch.events.size(); ++i) {
    CADRE_RETURN_IF_ERROR(RefuseNul(absl::StrCat("events[", i, "].id"), batch.events[i].id));
  }
  return absl::OkStatus();
}

const char* OrNull(const std::optional<std::string>& s) { return s ? s->c_str() : nullptr; }

// An exclusive upper bound in whole nanoseconds that never excludes an instant
// below `t` (the host compares floored nanoseconds).
int64_t CeilNanos(absl::Time t) {
  int64_t n = TimeToNanos(t);
  if (n != store_internal::kFutureNanos && absl::FromUnixNanos(n) < t) ++n;
  return n;
}

}  // namespace

bool InStorageCallback() noexcept { return ThreadCallbackState().depth > 0; }

}  // namespace cadre::capi

// The emit functions handed to the host: C functions, as cadre.h declares them.
extern "C" {
static int cadre_host_emit_document(const cadre_storage_document* row, void* payload) {
  return cadre::capi::Emit(static_cast<cadre::capi::DocumentSink*>(payload), row);
}
static int cadre_host_emit_event(const cadre_storage_event* row, void* payload) {
  return cadre::capi::Emit(static_cast<cadre::capi::EventSink*>(payload), row);
}
}  // extern "C"

namespace cadre::capi {

// begin on Begin(); rollback when the scope ends unless Commit() or Rollback()
// ended the transaction first (a failed commit still rolls back).
class HostStore::Transaction {
 public:
  explicit Transaction(const cadre_storage& vtable) : vtable_(vtable) {}
  ~Transaction() {
    if (!open_) return;
    try {
      (void)Rollback();  // the error that brought us here is the one to report
    } catch (...) {      // no memory to describe the rollback's own failure
    }
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  absl::Status Begin() {
    CADRE_RETURN_IF_ERROR(Invoke("begin", [&] { return vtable_.begin(vtable_.user); }));
    open_ = true;
    return absl::OkStatus();
  }
  absl::Status Commit() {
    CADRE_RETURN_IF_ERROR(Invoke("commit", [&] { return vtable_.commit(vtable_.user); }));
    open_ = false;
    return absl::OkStatus();
  }
  absl::Status Rollback() {
    open_ = false;
    return Invoke("rollback", [&] { return vtable_.rollback(vtable_.user); });
  }

 private:
  const cadre_storage& vtable_;
  bool open_ = false;
};

absl::StatusOr<std::unique_ptr<HostStore>> HostStore::Open(std::string_view function, const cadre_storage* storage) {
  if (storage == nullptr) return Misuse(function, "storage is NULL");
  cadre_storage known;
  CADRE_RETURN_IF_ERROR(ReadVersioned(function, "storage->struct_size", storage, storage->struct_size,
                                      CADRE_CAPI_END_OF(cadre_storage, destroy), &known, sizeof known));
  const std::pair<const char*, bool> required[] = {
      {"begin", known.begin != nullptr},
      {"commit", known.commit != nullptr},
      {"rollback", known.rollback != nullptr},
      {"insert_document", known.insert_document != nullptr},
      {"read_document", known.read_document != nullptr},
      {"read_collection", known.read_collection != nullptr},
      {"insert_event", known.insert_event != nullptr},
      {"find_event", known.find_event != nullptr},
      {"scan_events", known.scan_events != nullptr},
      {"high_water_mark", known.high_water_mark != nullptr},
  };
  for (const auto& [name, set] : required) {
    if (!set) {
      return Misuse(function, absl::StrCat("storage->", name, " is NULL (every callback but destroy is required)"));
    }
  }
  return std::unique_ptr<HostStore>(new HostStore(known));
}

HostStore::~HostStore() {
  if (!adopted_ || vtable_.destroy == nullptr) return;
  CallbackScope scope;
  try {
    vtable_.destroy(vtable_.user);
  } catch (...) {  // nowhere to report it: a destructor (and cadre_workspace_close) cannot fail
  }
}

// ---- Commit -------------------------------------------------------------------------

absl::StatusOr<CommitResult> HostStore::Commit(const WriteBatch& batch) {
  CADRE_RETURN_IF_ERROR(store_internal::ValidateWriteBatch(batch));
  CADRE_RETURN_IF_ERROR(CheckCStrings(batch));
  if (batch.documents.empty() && batch.events.empty()) {
    CommitResult empty;
    empty.committed = true;
    return empty;
  }
  absl::MutexLock lock(&mu_);
  return CommitLocked(batch);
}

absl::StatusOr<CommitResult> HostStore::CommitLocked(const WriteBatch& batch) {
  const cadre_storage& vt = vtable_;
  Transaction txn(vt);
  CADRE_RETURN_IF_ERROR(txn.Begin());

  CommitResult result;
  // Documents first: a stale expected_version refuses the batch before anything
  // is written. Writes to one document in one batch apply in order.
  result.document_versions.resize(batch.documents.size());
  absl::flat_hash_map<std::pair<std::string, std::string>, int64_t> staged;
  for (std::size_t i = 0; i < batch.documents.size(); ++i) {
    const DocumentWrite& d = batch.documents[i];
    auto key = std::make_pair(d.collection, d.id);
    auto it = staged.find(key);
    int64_t current = 0;
    if (it != staged.end()) {
      current = it->second;
    } else {
      DocumentSink sink("read_document", d.collection, std::string_view(d.id));
      absl::Status host = Invoke("read_document", [&] {
        return vt.read_document(vt.user, d.collection.c_str(), d.id.c_str(), &cadre_host_emit_document, &sink);
      });
      CADRE_RETURN_IF_ERROR(Finish(sink, std::move(host)));
      for (const DocumentVersion& v : sink.rows) current = std::max(current, v.version);
    }
    if (d.expected_version && *d.expected_version != current) {
      return store_internal::StaleVersion(d.collection, d.id, *d.expected_version, current);
    }
    staged[key] = current + 1;
    result.document_versions[i] = current + 1;
  }

  // Events: an id logged already, or earlier in this batch, is a duplicate (same
  // content) or a conflict; new ones are numbered after the high-water mark.
  const std::size_t n = batch.events.size();
  result.events.resize(n);
  result.seqs.resize(n);
  bool conflict = false;
  bool any_appended = false;
  uint64_t first_new = 0;
  if (n > 0) {
    uint64_t hwm = 0;
    CADRE_RETURN_IF_ERROR(Invoke("high_water_mark", [&] { return vt.high_water_mark(&hwm, vt.user); }));
    first_new = hwm + 1;
    uint64_t next = first_new;
    struct Known {
      uint64_t seq;
      const Event* event;
    };
    absl::flat_hash_map<absl::string_view, Known> known;  // id -> the logged (or first appended) event
    std::vector<std::unique_ptr<Event>> logged;           // keeps what find_event returned
    for (std::size_t i = 0; i < n; ++i) {
      const Event& e = batch.events[i];
      auto it = known.find(AbslView(e.id));
      if (it == known.end()) {
        EventSink sink("find_event", std::string_view(e.id), nullptr);
        absl::Status host =
            Invoke("find_event", [&] { return vt.find_event(vt.user, e.id.c_str(), &cadre_host_emit_event, &sink); });
        CADRE_RETURN_IF_ERROR(Finish(sink, std::move(host)));
        if (sink.rows.size() > 1) {
          return BadRow("find_event", absl::StrCat("event id ", e.id, " is logged ", sink.rows.size(), " times"));
        }
        if (sink.rows.empty()) {
          result.events[i] = AppendOutcome::kAppended;
          result.seqs[i] = next++;
          known.emplace(AbslView(e.id), Known{result.seqs[i], &e});
          any_appended = true;
          continue;
        }
        logged.push_back(std::make_unique<Event>(std::move(sink.rows[0].event)));
        it = known.emplace(AbslView(e.id), Known{sink.rows[0].seq, logged.back().get()}).first;
      }
      result.seqs[i] = it->second.seq;
      if (it->second.event->SameContent(e)) {
        result.events[i] = AppendOutcome::kDuplicate;
      } else {
        result.events[i] = AppendOutcome::kConflict;
        conflict = true;
      }
    }
  }

  if (conflict && batch.all_or_nothing) {
    CADRE_RETURN_IF_ERROR(txn.Rollback());
    for (uint64_t& seq : result.seqs) {
      if (seq >= first_new) seq = store_internal::kNotWritten;
    }
    std::fill(result.document_versions.begin(), result.document_versions.end(), 0);
    result.committed = false;
    return result;
  }
  if (batch.documents.empty() && !any_appended) {  // only duplicates (and conflicts): nothing to write
    CADRE_RETURN_IF_ERROR(txn.Rollback());
    result.committed = true;
    return result;
  }

  for (std::size_t i = 0; i < batch.documents.size(); ++i) {
    const DocumentWrite& d = batch.documents[i];
    cadre_storage_document row = CADRE_STORAGE_DOCUMENT_INIT;
    row.deleted = d.deleted ? 1 : 0;
    row.collection = d.collection.c_str();
    row.id = d.id.c_str();
    row.version = result.document_versions[i];
    row.effective_from_ns = TimeToNanos(d.effective_from);
    row.recorded_at_ns = TimeToNanos(d.recorded_at);
    row.body = d.deleted ? "" : d.body.c_str();
    CADRE_RETURN_IF_ERROR(Invoke("insert_document", [&] { return vt.insert_document(vt.user, &row); }));
  }
  std::string text;
  std::string kind;
  for (std::size_t i = 0; i < n; ++i) {
    if (result.events[i] != AppendOutcome::kAppended) continue;
    const Event& e = batch.events[i];
    text = json::ToText(e);
    kind = json::EnumName(e.kind);
    cadre_storage_event row = CADRE_STORAGE_EVENT_INIT;
    row.seq = result.seqs[i];
    row.id = e.id.c_str();
    row.kind = kind.c_str();
    row.occurred_at_ns = TimeToNanos(e.occurred_at);
    row.manager = OrNull(e.manager);
    row.customer = OrNull(e.customer);
    row.json = text.c_str();
    CADRE_RETURN_IF_ERROR(Invoke("insert_event", [&] { return vt.insert_event(vt.user, &row); }));
  }
  CADRE_RETURN_IF_ERROR(txn.Commit());
  result.committed = true;
  return result;
}

// ---- Documents ----------------------------------------------------------------------

// Every version of one document from the host, oldest first, checked distinct.
absl::StatusOr<std::vector<DocumentVersion>> HostStore::ReadVersions(std::string_view collection, std::string_view id) {
  const std::string c(collection), i(id);
  DocumentSink sink("read_document", collection, id);
  {
    absl::MutexLock lock(&mu_);
    absl::Status host = Invoke("read_document", [&] {
      return vtable_.read_document(vtable_.user, c.c_str(), i.c_str(), &cadre_host_emit_document, &sink);
    });
    CADRE_RETURN_IF_ERROR(Finish(sink, std::move(host)));
  }
  SortVersions(sink.rows);
  CADRE_RETURN_IF_ERROR(CheckDistinctVersions("read_document", sink.rows));
  return std::move(sink.rows);
}

absl::StatusOr<DocumentVersion> HostStore::GetDocument(std::string_view collection, std::string_view id,
                                                       std::optional<absl::Time> as_of) {
  CADRE_ASSIGN_OR_RETURN(std::vector<DocumentVersion> versions, ReadVersions(collection, id));
  const DocumentVersion* v = InForce(versions, as_of);
  if (v == nullptr || v->deleted) return DocumentNotFound(collection, id, as_of, v != nullptr);
  return *v;
}

absl::Status HostStore::ListDocuments(std::string_view collection, std::optional<absl::Time> as_of,
                                      absl::FunctionRef<void(const DocumentVersion&)> fn) {
  const std::string c(collection);
  DocumentSink sink("read_collection", collection);
  {
    absl::MutexLock lock(&mu_);
    absl::Status host = Invoke("read_collection", [&] {
      return vtable_.read_collection(vtable_.user, c.c_str(), &cadre_host_emit_document, &sink);
    });
    CADRE_RETURN_IF_ERROR(Finish(sink, std::move(host)));
  }
  std::map<std::string, std::vector<DocumentVersion>> by_id;  // ordered by id, bytewise
  for (DocumentVersion& v : sink.rows) by_id[v.id].push_back(std::move(v));
  std::vector<const DocumentVersion*> in_force;
  for (auto& [id, versions] : by_id) {
    SortVersions(versions);
    CADRE_RETURN_IF_ERROR(CheckDistinctVersions("read_collection", versions));
    const DocumentVersion* v = InForce(versions, as_of);
    if (v != nullptr && !v->deleted) in_force.push_back(v);
  }
  for (const DocumentVersion* v : in_force) fn(*v);
  return absl::OkStatus();
}

absl::Status HostStore::DocumentHistory(std::string_view collection, std::string_view id,
                                        absl::FunctionRef<void(const DocumentVersion&)> fn) {
  CADRE_ASSIGN_OR_RETURN(std::vector<DocumentVersion> versions, ReadVersions(collection, id));
  for (const DocumentVersion& v : versions) fn(v);
  return absl::OkStatus();
}

// ---- Events ---------------------------------------------------------------------------

absl::Status HostStore::ScanEvents(const EventQuery& query, absl::FunctionRef<bool(const StoredEvent&)> fn) {
  if (query.limit && *query.limit == 0) return absl::OkStatus();
  if (query.from && query.until && *query.from >= *query.until) return absl::OkStatus();

  std::vector<std::string> kind_names;
  for (EventKind k : query.kinds) {
    std::string name(json::EnumName(k));
    if (std::find(kind_names.begin(), kind_names.end(), name) == kind_names.end()) kind_names.push_back(name);
  }
  std::vector<const char*> kinds;
  for (const std::string& k : kind_names) kinds.push_back(k.c_str());
  cadre_storage_event_filter filter;
  std::memset(&filter, 0, sizeof filter);
  filter.struct_size = sizeof filter;
  filter.after_seq = query.after_seq;
  filter.from_ns = query.from ? TimeToNanos(*query.from) : CADRE_STORAGE_TIME_MIN;  // floored: never too late
  filter.until_ns = query.until ? CeilNanos(*query.until) : CADRE_STORAGE_TIME_MAX;
  filter.kinds = kinds.empty() ? nullptr : kinds.data();
  filter.n_kinds = kinds.size();
  filter.manager = OrNull(query.manager);
  filter.customer = OrNull(query.customer);

  EventSink sink("scan_events", std::nullopt, &query);
  {
    absl::MutexLock lock(&mu_);
    absl::Status host = Invoke(
        "scan_events", [&] { return vtable_.scan_events(vtable_.user, &filter, &cadre_host_emit_event, &sink); });
    CADRE_RETURN_IF_ERROR(Finish(sink, std::move(host)));
  }
  std::vector<StoredEvent>& rows = sink.rows;
  if (query.order == ScanOrder::kByTime) {
    std::sort(rows.begin(), rows.end(), [](const StoredEvent& a, const StoredEvent& b) {
      return a.event.occurred_at < b.event.occurred_at || (a.event.occurred_at == b.event.occurred_at && a.seq < b.seq);
    });
  } else {
    std::sort(rows.begin(), rows.end(), [](const StoredEvent& a, const StoredEvent& b) { return a.seq < b.seq; });
  }
  if (query.limit && rows.size() > *query.limit) rows.resize(static_cast<std::size_t>(*query.limit));
  for (const StoredEvent& e : rows) {
    if (!fn(e)) break;
  }
  return absl::OkStatus();
}

absl::StatusOr<StoredEvent> HostStore::FindEvent(std::string_view id) {
  const std::string i(id);
  EventSink sink("find_event", id, nullptr);
  {
    absl::MutexLock lock(&mu_);
    absl::Status host = Invoke(
        "find_event", [&] { return vtable_.find_event(vtable_.user, i.c_str(), &cadre_host_emit_event, &sink); });
    CADRE_RETURN_IF_ERROR(Finish(sink, std::move(host)));
  }
  if (sink.rows.empty()) return absl::NotFoundError(absl::StrCat("event ", AbslView(id), " not found"));
  if (sink.rows.size() > 1) {
    return BadRow("find_event", absl::StrCat("event id ", AbslView(id), " is logged ", sink.rows.size(), " times"));
  }
  return std::move(sink.rows[0]);
}

absl::StatusOr<uint64_t> HostStore::HighWaterMark() {
  uint64_t hwm = 0;
  absl::MutexLock lock(&mu_);
  CADRE_RETURN_IF_ERROR(Invoke("high_water_mark", [&] { return vtable_.high_water_mark(&hwm, vtable_.user); }));
  return hwm;
}

}  // namespace cadre::capi

extern "C" {

void cadre_storage_set_error(const char* message) {
  cadre::capi::CallbackState& state = cadre::capi::ThreadCallbackState();
  if (state.depth == 0) return;
  try {
    if (message == nullptr) {
      state.has_message = false;
      state.message.clear();
    } else {
      state.message.assign(message);
      state.has_message = true;
    }
  } catch (...) {  // no memory for the text: the failure is still reported, without it
    state.has_message = false;
  }
}

}  // extern "C"
