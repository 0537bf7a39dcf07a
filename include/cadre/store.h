// cadre/store.h — the one small interface every storage backend implements.
//
// Engines never speak SQL; they talk to a Store. A Store keeps two things:
//
// * Documents: JSON bodies in named collections, keyed by id, with a history of
//   versions 1, 2, 3, ... Each version carries the instant from which it is in
//   force (effective_from), so "as of" questions get the version in force then.
//   A write may name the version it expects to replace; a stale one fails with
//   ABORTED and nothing is written (optimistic concurrency).
// * The event log: events appended in atomic batches, each given the next sequence
//   number. An event whose id is already in the log is never appended again: it is
//   reported as a duplicate (same content) or a conflict (other content).
//
// Both are written together through Commit(WriteBatch): the whole batch is applied
// or none of it is.
//
// Backends: MemoryStore (tests, ephemeral), SqliteStore (embedded default),
// FaultInjectingStore (a wrapper for tests). OpenStore() picks one from a URI.
//
// Thread-safety: every Store is safe for concurrent use by many threads; Commit
// calls are serialised by the backend, reads may run beside them and see either
// all of a committed batch or none of it.
#ifndef CADRE_STORE_H_
#define CADRE_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cadre/event.h"

namespace cadre {

// One version of a document.
struct DocumentVersion {
  std::string collection;
  std::string id;
  int64_t version = 0;                               // 1, 2, 3, ... per (collection, id)
  absl::Time effective_from = absl::InfinitePast();  // in force from this instant on
  absl::Time recorded_at;                            // when it was written
  bool deleted = false;                              // a tombstone: not in force
  std::string body;                                  // JSON object text; empty for tombstones
};

// A document write inside a WriteBatch.
struct DocumentWrite {
  std::string collection;
  std::string id;
  // If set, the write succeeds only if the newest version of the document is this
  // one (0: the document must not exist yet); otherwise ABORTED.
  std::optional<int64_t> expected_version;
  absl::Time effective_from = absl::InfinitePast();
  absl::Time recorded_at;
  bool deleted = false;
  std::string body;
};

struct WriteBatch {
  std::vector<DocumentWrite> documents;
  std::vector<Event> events;  // each must carry recorded_at
  // If true and any event conflicts (same id as a logged or earlier batch event,
  // other content), nothing at all is written and the result says so.
  bool all_or_nothing = true;
};

enum class AppendOutcome : uint8_t {
  kAppended,   // new: written with a fresh seq
  kDuplicate,  // id already logged with the same content: not written again
  kConflict,   // id already logged with other content: not written
};

struct CommitResult {
  bool committed = false;                  // false only when all_or_nothing met a conflict
  std::vector<int64_t> document_versions;  // per DocumentWrite: the version written
  std::vector<AppendOutcome> events;       // per event of the batch
  std::vector<uint64_t> seqs;              // per event: its seq (the logged one for duplicates/conflicts)
};

enum class ScanOrder : uint8_t {
  kByTime,  // (occurred_at, seq): the natural order of facts
  kBySeq,   // log order: for incremental consumers catching up from a mark
};

struct EventQuery {
  std::optional<absl::Time> from;   // occurred_at >= from
  std::optional<absl::Time> until;  // occurred_at < until
  std::vector<EventKind> kinds;     // empty: every kind
  std::optional<std::string> manager;
  std::optional<std::string> customer;
  uint64_t after_seq = 0;  // only seq > after_seq
  ScanOrder order = ScanOrder::kByTime;
  std::optional<uint64_t> limit;
};

class Store {
 public:
  virtual ~Store() = default;

  // Applies `batch` atomically. Errors: ABORTED on a stale expected_version (the
  // message names collection, id, expected and current version); UNAVAILABLE or
  // INTERNAL when the backend fails (nothing of the batch is written).
  virtual absl::StatusOr<CommitResult> Commit(const WriteBatch& batch) = 0;

  // The version of a document in force at `as_of` (the newest effective_from <=
  // as_of, ties to the higher version), or the newest version when `as_of` is
  // empty. NOT_FOUND if there is none or it is a tombstone.
  virtual absl::StatusOr<DocumentVersion> GetDocument(std::string_view collection, std::string_view id,
                                                      std::optional<absl::Time> as_of) = 0;
  // Every document of `collection` in force at `as_of` (tombstones left out), by id.
  virtual absl::Status ListDocuments(std::string_view collection, std::optional<absl::Time> as_of,
                                     absl::FunctionRef<void(const DocumentVersion&)> fn) = 0;
  // Every version of one document, oldest first (tombstones included).
  virtual absl::Status DocumentHistory(std::string_view collection, std::string_view id,
                                       absl::FunctionRef<void(const DocumentVersion&)> fn) = 0;

  // Events matching `query` in its order; `fn` returns false to stop early.
  virtual absl::Status ScanEvents(const EventQuery& query, absl::FunctionRef<bool(const StoredEvent&)> fn) = 0;
  // The logged event with this id; NOT_FOUND if none.
  virtual absl::StatusOr<StoredEvent> FindEvent(std::string_view id) = 0;
  // The largest seq in the log (0 when empty).
  virtual absl::StatusOr<uint64_t> HighWaterMark() = 0;

  // "memory", "sqlite", ...
  virtual std::string_view backend() const = 0;
};

// Opens a store from a URI:
//   memory:            a new empty in-memory store
//   sqlite:PATH        a SQLite file (created if missing), WAL mode
// INVALID_ARGUMENT for an unknown scheme; see each backend for its own errors.
absl::StatusOr<std::unique_ptr<Store>> OpenStore(std::string_view uri);

std::unique_ptr<Store> NewMemoryStore();

struct SqliteOptions {
  int busy_timeout_ms = 5000;
  // SQLite VFS name to open the file with (tests use a fault-injecting one).
  std::string vfs;
};
// Errors: FAILED_PRECONDITION if the file's schema is newer than this library
// knows (the message names both versions); UNAVAILABLE if it cannot be opened.
absl::StatusOr<std::unique_ptr<Store>> OpenSqliteStore(std::string_view path, const SqliteOptions& options = {});

}  // namespace cadre

#endif  // CADRE_STORE_H_
