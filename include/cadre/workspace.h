// cadre/workspace.h — one retailer's cadre: its store, settings and entry points.
//
// A Workspace is one tenant: one store, one reporting currency, one time zone in
// which periods are read. Everything a host does goes through it: documents
// (configuration and entities) are put and read here, events are ingested here,
// and later modules' queries hang off it.
//
//   CADRE_ASSIGN_OR_RETURN(auto ws, Workspace::Open("sqlite:crm.db",
//                                                   {.currency = "CNY", .time_zone = "Asia/Shanghai"}));
//   CADRE_ASSIGN_OR_RETURN(IngestReport r, ws->IngestNdjson(text, IngestMode::kAtomic));
//   // r.accepted, r.duplicates, r.rejected[i].index / .path / .message
//
// Thread-safety: a Workspace is safe to share between threads. Any number of
// readers run concurrently; writes (Put/Delete/Ingest) are serialised, and a
// reader sees each write whole or not at all.
#ifndef CADRE_WORKSPACE_H_
#define CADRE_WORKSPACE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "boost/describe.hpp"
#include "cadre/event.h"
#include "cadre/money.h"
#include "cadre/store.h"

namespace cadre {

struct WorkspaceOptions {
  // Reporting currency (ISO 4217) and IANA time zone. For a new workspace, empty
  // means CNY and UTC. For an existing one, empty means "as stored"; a value that
  // differs from the stored one is FAILED_PRECONDITION (a workspace's currency and
  // zone never change under its data).
  std::string currency;
  std::string time_zone;
  // The clock that stamps recorded_at; tests inject a fixed one.
  std::function<absl::Time()> clock;
};

// The settings a workspace was created with (stored in it).
struct WorkspaceSettings {
  static constexpr std::string_view kRequired[] = {"currency", "time_zone"};
  std::string currency;
  std::string time_zone;
  absl::Time created_at;
};
BOOST_DESCRIBE_STRUCT(WorkspaceSettings, (), (currency, time_zone, created_at))

// A document as the workspace hands it out.
struct Document {
  std::string collection;
  std::string id;
  int64_t version = 0;
  absl::Time effective_from = absl::InfinitePast();
  absl::Time recorded_at;
  std::string body;  // JSON object text
};

struct PutOptions {
  // Optimistic concurrency: succeed only if the newest version is this (0: the
  // document must be new). ABORTED otherwise.
  std::optional<int64_t> expected_version;
  // From when this version is in force. Absent: always (it replaces earlier
  // versions for every date that they do not themselves cover more recently).
  std::optional<absl::Time> effective_from;
};

enum class IngestMode {
  kAtomic,      // any bad row rejects the whole batch; nothing is written
  kBestEffort,  // valid rows are written; bad rows are reported
};
BOOST_DESCRIBE_ENUM(IngestMode, kAtomic, kBestEffort)

struct RejectedRow {
  std::size_t index = 0;  // position in the batch (NDJSON: among non-blank lines)
  std::size_t line = 0;   // NDJSON: 1-based line number; 0 for typed batches
  std::string id;         // the event id, if it could be read
  std::string path;       // JSON path of the offending field, e.g. events[3].amount_minor
  std::string message;    // the whole message, path included
};
BOOST_DESCRIBE_STRUCT(RejectedRow, (), (index, line, id, path, message))

struct IngestReport {
  std::size_t received = 0;
  std::size_t accepted = 0;    // newly written
  std::size_t duplicates = 0;  // already logged with the same content; not written again
  std::vector<RejectedRow> rejected;
  bool committed = false;  // true when new events were written; false when nothing was
                           // (an atomic batch refused, every row rejected, or nothing new)
  uint64_t first_seq = 0;  // seqs given to the accepted events (0 when none)
  uint64_t last_seq = 0;
};
BOOST_DESCRIBE_STRUCT(IngestReport, (), (received, accepted, duplicates, rejected, committed, first_seq, last_seq))

class Workspace {
 public:
  // Opens (creating if new) the workspace at `uri` (see OpenStore).
  static absl::StatusOr<std::unique_ptr<Workspace>> Open(std::string_view uri, WorkspaceOptions options = {});
  // Same over a store the caller built (e.g. a fault-injecting wrapper).
  static absl::StatusOr<std::unique_ptr<Workspace>> Open(std::unique_ptr<Store> store, WorkspaceOptions options = {});

  ~Workspace();
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  const Currency& currency() const { return currency_; }
  const absl::TimeZone& time_zone() const { return time_zone_; }
  const WorkspaceSettings& settings() const { return settings_; }
  Store& store() { return *store_; }

  // ---- Documents -------------------------------------------------------------
  //
  // Collections hold typed documents ("org_units", "managers", "customers", "roles",
  // and those later modules add), checked against their type before anything is
  // written; or the host's own untyped documents in collections named "x_*"
  // (any JSON object). Other names are INVALID_ARGUMENT. A typed document's "id"
  // field, if present, must equal `id`.

  // Writes a new version; returns it. Errors name the path inside the body.
  absl::StatusOr<Document> Put(std::string_view collection, std::string_view id, std::string_view json_body,
                               const PutOptions& options = {});
  // The version in force at `as_of` (newest if empty). NOT_FOUND if none.
  absl::StatusOr<Document> Get(std::string_view collection, std::string_view id,
                               std::optional<absl::Time> as_of = std::nullopt) const;
  // All documents of a collection in force at `as_of`, ordered by id.
  absl::StatusOr<std::vector<Document>> List(std::string_view collection,
                                             std::optional<absl::Time> as_of = std::nullopt) const;
  // Every version of one document, oldest first (deletions included, body empty).
  absl::StatusOr<std::vector<DocumentVersion>> History(std::string_view collection, std::string_view id) const;
  // Writes a tombstone version: from `options.effective_from` on, the document is
  // not in force. NOT_FOUND if it does not exist.
  absl::StatusOr<int64_t> Delete(std::string_view collection, std::string_view id, const PutOptions& options = {});

  // Typed convenience over Put/Get for described entity types with kCollection.
  template <class T>
  absl::StatusOr<Document> PutEntity(const T& entity, const PutOptions& options = {});

  // Several document writes as one transaction (all or none).
  struct DocumentPut {
    std::string collection;
    std::string id;
    std::string body;
    PutOptions options;
  };
  absl::StatusOr<std::vector<int64_t>> PutAll(std::span<const DocumentPut> puts);

  // ---- Events ----------------------------------------------------------------

  // Validates and appends a batch. Each event is checked on its own (shape, kind
  // rules, the workspace currency) and against the log (ids already logged with
  // other content are rejected; with the same content they count as duplicates);
  // reversals must name an event in the log or earlier in the batch. The report
  // says what happened to every row. The returned status is an error only when the
  // store itself fails, and then nothing of the batch was written.
  absl::StatusOr<IngestReport> Ingest(std::span<const Event> events, IngestMode mode = IngestMode::kAtomic);
  // Same, taking the events over instead of copying them (the vector is left in
  // an unspecified state).
  absl::StatusOr<IngestReport> Ingest(std::vector<Event>&& events, IngestMode mode = IngestMode::kAtomic);
  // Same for NDJSON text: one event object per line; blank lines are skipped.
  absl::StatusOr<IngestReport> IngestNdjson(std::string_view ndjson, IngestMode mode = IngestMode::kAtomic);

  absl::Status ScanEvents(const EventQuery& query, absl::FunctionRef<bool(const StoredEvent&)> fn) const;
  absl::StatusOr<uint64_t> HighWaterMark() const;

  // Counts the document writes (puts and deletes) committed through this
  // Workspace object, so engines that cache configuration know when to re-read
  // it. Writes by another process sharing the store are not counted: engines
  // there offer an explicit reload.
  uint64_t document_generation() const { return document_generation_.load(std::memory_order_acquire); }

 private:
  Workspace(std::unique_ptr<Store> store, WorkspaceSettings settings, Currency currency, absl::TimeZone tz,
            std::function<absl::Time()> clock);
  class Impl;
  std::unique_ptr<Store> store_;
  WorkspaceSettings settings_;
  Currency currency_;
  absl::TimeZone time_zone_;
  std::function<absl::Time()> clock_;
  std::atomic<uint64_t> document_generation_{0};
  std::unique_ptr<Impl> impl_;
};

}  // namespace cadre

#include "cadre/json.h"

namespace cadre {
template <class T>
absl::StatusOr<Document> Workspace::PutEntity(const T& entity, const PutOptions& options) {
  return Put(T::kCollection, entity.id, json::ToText(entity), options);
}
}  // namespace cadre

#endif  // CADRE_WORKSPACE_H_
