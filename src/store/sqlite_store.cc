// store/sqlite_store.cc — the embedded default Store: one SQLite file in WAL mode.
//
//   CADRE_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenSqliteStore("/var/lib/shop.cadre"));
//
// Events are rows of typed columns (not JSON blobs), so that SQL can filter and,
// later, aggregate them in place; only the free `attributes` map is JSON text.
// Instants are int64 Unix nanoseconds (see store_internal.h); kind and channel
// are their wire names, so the file reads well in the sqlite3 shell and does not
// depend on the order of C++ enumerators.
//
// Durability: journal_mode=WAL with synchronous=NORMAL. Every Commit is atomic
// and survives a crash of the process; after a power loss or OS crash the file
// is still consistent, but the last few Commits before it may be gone (WAL
// frames are fsync'ed at checkpoints, not at every commit). That is the usual
// trade for an embedded store fed in batches by a host that keeps its own
// source records and re-sends them idempotently; ingest pays no fsync per batch.
//
// Concurrency: one writer connection behind a mutex serialises Commit (inside
// BEGIN IMMEDIATE, so other processes on the same file are serialised too, each
// Commit re-reading the log's end); reads take a connection from a small pool
// and run beside the writer, each on one statement and so on one WAL snapshot:
// a read sees all of a committed batch or none of it.
//
// Schema: a schema_version table and a list of forward migrations; opening a
// file brings it up to kSchemaVersion, and a file from a newer library is
// refused (FAILED_PRECONDITION) rather than misread.
#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "cadre/event.h"
#include "cadre/json.h"
#include "cadre/period.h"
#include "cadre/status.h"
#include "cadre/store.h"
#include "store/store_internal.h"

namespace cadre {
namespace {

using store_internal::NanosToTime;
using store_internal::TimeToNanos;

// ---- SQLite plumbing ------------------------------------------------------------

absl::StatusCode CodeFor(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_NOMEM:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL:
      return absl::StatusCode::kUnavailable;
    default:
      return absl::StatusCode::kInternal;
  }
}

absl::Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  const char* detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return absl::Status(CodeFor(rc), absl::StrCat("sqlite: ", AbslView(what), ": ", detail, " (", sqlite3_errstr(rc),
                                                ", code ", rc, ")"));
}

struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// Resets a statement when the scope ends, whatever path leaves it, so that no
// statement keeps a read snapshot or blocks a ROLLBACK.
class StmtScope {
 public:
  explicit StmtScope(sqlite3_stmt* s) : s_(s) {}
  ~StmtScope() { sqlite3_reset(s_); }
  StmtScope(const StmtScope&) = delete;
  StmtScope& operator=(const StmtScope&) = delete;

 private:
  sqlite3_stmt* s_;
};

// One connection and its prepared statements (cached by SQL text). Used by one
// thread at a time: the writer under the store's write mutex, readers leased
// from the pool.
class Connection {
 public:
  static absl::StatusOr<std::unique_ptr<Connection>> Open(const std::string& path, const SqliteOptions& options,
                                                          bool writer) {
    sqlite3* raw = nullptr;
    // NOMUTEX: a connection is never shared between threads at once (see above).
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path.c_str(), &raw, flags, options.vfs.empty() ? nullptr : options.vfs.c_str());
    auto conn = std::unique_ptr<Connection>(new Connection(raw));
    if (rc != SQLITE_OK) return SqliteError(raw, rc, "open");
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, options.busy_timeout_ms);
    if (writer) {
      // WAL is a property of the file; set it first, before any transaction.
      CADRE_ASSIGN_OR_RETURN(std::string mode, conn->QueryText("PRAGMA journal_mode=WAL"));
      if (mode != "wal") {
        return absl::UnavailableError(
            absl::StrCat("sqlite: ", path, ": cannot use WAL journal mode (got \"", mode, "\")"));
      }
      CADRE_RETURN_IF_ERROR(conn->Exec("PRAGMA synchronous=NORMAL"));
      CADRE_RETURN_IF_ERROR(conn->Exec("PRAGMA cache_size=-16384"));  // 16 MiB: the indexes of a large log
    } else {
      CADRE_RETURN_IF_ERROR(conn->Exec("PRAGMA query_only=ON"));
    }
    return conn;
  }

  ~Connection() {
    statements_.clear();  // finalised before the connection closes
    sqlite3_close_v2(db_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* db() const { return db_; }

  absl::StatusOr<sqlite3_stmt*> Prepare(std::string_view sql) {
    auto it = statements_.find(AbslView(sql));
    if (it != statements_.end()) return it->second.get();
    sqlite3_stmt* raw = nullptr;
    int rc =
        sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    if (rc != SQLITE_OK) return SqliteError(db_, rc, absl::StrCat("prepare \"", AbslView(sql), "\""));
    statements_.emplace(std::string(sql), Stmt(raw));
    return raw;
  }

  // Runs a statement that returns no rows (or whose rows are ignored).
  absl::Status Exec(std::string_view sql) {
    CADRE_ASSIGN_OR_RETURN(sqlite3_stmt * s, Prepare(sql));
    StmtScope scope(s);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) return SqliteError(db_, rc, sql);
    return absl::OkStatus();
  }

  absl::StatusOr<int64_t> QueryInt(std::string_view sql) {
    CADRE_ASSIGN_OR_RETURN(sqlite3_stmt * s, Prepare(sql));
    StmtScope scope(s);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) return sqlite3_column_int64(s, 0);
    if (rc == SQLITE_DONE) return absl::NotFoundError(absl::StrCat("sqlite: no row from \"", AbslView(sql), "\""));
    return SqliteError(db_, rc, sql);
  }

  absl::StatusOr<std::string> QueryText(std::string_view sql) {
    CADRE_ASSIGN_OR_RETURN(sqlite3_stmt * s, Prepare(sql));
    StmtScope scope(s);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
      const unsigned char* p = sqlite3_column_text(s, 0);
      return std::string(p != nullptr ? reinterpret_cast<const char*>(p) : "",
                         static_cast<size_t>(sqlite3_column_bytes(s, 0)));
    }
    if (rc == SQLITE_DONE) return std::string();
    return SqliteError(db_, rc, sql);
  }

  // ROLLBACK if a transaction is open; its own failure is not interesting next
  // to the error that made us roll back.
  void RollbackIfOpen() {
    if (sqlite3_get_autocommit(db_) == 0) (void)Exec("ROLLBACK");
  }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  absl::flat_hash_map<std::string, Stmt> statements_;
};

// ---- Schema ----------------------------------------------------------------------

// Exec() runs one statement; a migration's script may hold several.
absl::Status ExecScript(Connection& c, const char* script) {
  char* error = nullptr;
  int rc = sqlite3_exec(c.db(), script, nullptr, nullptr, &error);
  std::string message = error != nullptr ? error : sqlite3_errstr(rc);
  sqlite3_free(error);
  if (rc != SQLITE_OK) return absl::Status(CodeFor(rc), absl::StrCat("sqlite: ", message));
  return absl::OkStatus();
}

absl::Status MigrateToV1(Connection& c) {
  return ExecScript(c, R"sql(
CREATE TABLE events (
  seq          INTEGER PRIMARY KEY,   -- 1, 2, 3, ... in log order
  id           TEXT NOT NULL UNIQUE,  -- the host's id: the idempotency key
  kind         TEXT NOT NULL,         -- wire name: sale, return, interaction, ...
  occurred_at  INTEGER NOT NULL,      -- Unix nanoseconds
  recorded_at  INTEGER NOT NULL,      -- Unix nanoseconds
  manager      TEXT,
  customer     TEXT,
  amount_minor INTEGER,
  currency     TEXT,
  quantity     INTEGER,
  category     TEXT,
  sku          TEXT,
  channel      TEXT,                  -- wire name
  outcome      TEXT,
  score        INTEGER,               -- Decimal units (10^-9)
  reference    TEXT,
  reverses     TEXT,
  reason       TEXT,
  attributes   TEXT                   -- JSON object; NULL when empty
);
CREATE INDEX events_by_time ON events(occurred_at, seq);
CREATE INDEX events_by_manager ON events(manager, occurred_at);
CREATE INDEX events_by_customer ON events(customer, occurred_at);
CREATE TABLE documents (
  collection     TEXT NOT NULL,
  id             TEXT NOT NULL,
  version        INTEGER NOT NULL,
  effective_from INTEGER NOT NULL,    -- Unix nanoseconds; INT64_MIN: InfinitePast
  recorded_at    INTEGER NOT NULL,
  deleted        INTEGER NOT NULL,
  body           TEXT NOT NULL,       -- '' for a deletion
  PRIMARY KEY (collection, id, version)
) WITHOUT ROWID;
)sql");
}

// Version 2: the CRM activity fields of an event (interaction next step, due day,
// opportunity stage and pipeline, line items). Existing rows read them as absent.
absl::Status MigrateToV2(Connection& c) {
  return ExecScript(c, R"sql(
ALTER TABLE events ADD COLUMN next_step TEXT;
ALTER TABLE events ADD COLUMN due_on    TEXT;   -- YYYY-MM-DD
ALTER TABLE events ADD COLUMN stage     TEXT;
ALTER TABLE events ADD COLUMN pipeline  TEXT;
ALTER TABLE events ADD COLUMN lines     TEXT;   -- JSON array; NULL when none
)sql");
}

// Version 3: the case and SOP fields of an event (a case's severity, a note).
absl::Status MigrateToV3(Connection& c) {
  return ExecScript(c, R"sql(
ALTER TABLE events ADD COLUMN severity TEXT;   -- wire name
ALTER TABLE events ADD COLUMN note     TEXT;
)sql");
}

// Forward migrations, in order: element i takes the schema from version i to
// i + 1. A new schema version is one more function here.
using Migration = absl::Status (*)(Connection&);
constexpr Migration kMigrations[] = {&MigrateToV1, &MigrateToV2, &MigrateToV3};
constexpr int64_t kSchemaVersion = static_cast<int64_t>(std::size(kMigrations));

absl::Status Migrate(Connection& c, const std::string& path) {
  CADRE_RETURN_IF_ERROR(c.Exec("BEGIN IMMEDIATE"));
  auto migrate = [&]() -> absl::Status {
    CADRE_RETURN_IF_ERROR(c.Exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"));
    int64_t version = 0;
    absl::StatusOr<int64_t> stored = c.QueryInt("SELECT max(version) FROM schema_version");
    if (stored.ok()) {
      version = *stored;  // max() of no rows is NULL, read as 0
    } else if (!absl::IsNotFound(stored.status())) {
      return stored.status();
    }
    if (version > kSchemaVersion) {
      return absl::FailedPreconditionError(absl::StrCat("sqlite store ", path, ": schema version ", version,
                                                        " is newer than this library supports (schema version ",
                                                        kSchemaVersion, "); open it with a newer cadre"));
    }
    for (int64_t v = version; v < kSchemaVersion; ++v) {
      absl::Status s = kMigrations[v](c);
      if (!s.ok())
        return absl::Status(s.code(), absl::StrCat("migrating schema to version ", v + 1, ": ", s.message()));
    }
    if (version < kSchemaVersion) {
      CADRE_RETURN_IF_ERROR(c.Exec("DELETE FROM schema_version"));
      CADRE_ASSIGN_OR_RETURN(sqlite3_stmt * insert, c.Prepare("INSERT INTO schema_version (version) VALUES (?1)"));
      StmtScope scope(insert);
      sqlite3_bind_int64(insert, 1, kSchemaVersion);
      int rc = sqlite3_step(insert);
      if (rc != SQLITE_DONE) return SqliteError(c.db(), rc, "record schema version");
    }
    return c.Exec("COMMIT");
  };
  absl::Status s = migrate();
  if (!s.ok()) c.RollbackIfOpen();
  return s;
}

// ---- Rows <-> events -----------------------------------------------------------

constexpr char kEventColumns[] =
    "seq, id, kind, occurred_at, recorded_at, manager, customer, amount_minor, currency, quantity, category, sku, "
    "channel, outcome, score, reference, reverses, reason, attributes, next_step, due_on, stage, pipeline, lines, "
    "severity, note";
constexpr char kDocumentColumns[] = "collection, id, version, effective_from, recorded_at, deleted, body";

void BindText(sqlite3_stmt* s, int i, std::string_view v) {
  // A null pointer would bind SQL NULL, not ''.
  sqlite3_bind_text(s, i, v.data() != nullptr ? v.data() : "", static_cast<int>(v.size()), SQLITE_STATIC);
}
void BindText(sqlite3_stmt* s, int i, const std::optional<std::string>& v) {
  if (v) {
    BindText(s, i, std::string_view(*v));
  } else {
    sqlite3_bind_null(s, i);
  }
}
void BindInt(sqlite3_stmt* s, int i, const std::optional<int64_t>& v) {
  if (v) {
    sqlite3_bind_int64(s, i, *v);
  } else {
    sqlite3_bind_null(s, i);
  }
}

// Binds parameters 2..24 of an events INSERT (1 is seq). `attributes_text` and
// `lines_text` keep the JSON of those fields alive until the statement has run.
void BindEvent(sqlite3_stmt* s, const Event& e, std::string& attributes_text, std::string& lines_text) {
  BindText(s, 2, std::string_view(e.id));
  BindText(s, 3, json::EnumName(e.kind));
  sqlite3_bind_int64(s, 4, TimeToNanos(e.occurred_at));
  sqlite3_bind_int64(s, 5, TimeToNanos(*e.recorded_at));
  BindText(s, 6, e.manager);
  BindText(s, 7, e.customer);
  BindInt(s, 8, e.amount_minor);
  BindText(s, 9, e.currency);
  BindInt(s, 10, e.quantity);
  BindText(s, 11, e.category);
  BindText(s, 12, e.sku);
  if (e.channel) {
    BindText(s, 13, json::EnumName(*e.channel));
  } else {
    sqlite3_bind_null(s, 13);
  }
  BindText(s, 14, e.outcome);
  if (e.score) {
    sqlite3_bind_int64(s, 15, e.score->units());
  } else {
    sqlite3_bind_null(s, 15);
  }
  BindText(s, 16, e.reference);
  BindText(s, 17, e.reverses);
  BindText(s, 18, e.reason);
  if (e.attributes.empty()) {
    sqlite3_bind_null(s, 19);
  } else {
    attributes_text = json::ToText(e.attributes);
    BindText(s, 19, std::string_view(attributes_text));
  }
  BindText(s, 20, e.next_step);
  if (e.due_on) {
    std::string day = FormatDay(*e.due_on);
    sqlite3_bind_text(s, 21, day.data(), static_cast<int>(day.size()), SQLITE_TRANSIENT);
  } else {
    sqlite3_bind_null(s, 21);
  }
  BindText(s, 22, e.stage);
  BindText(s, 23, e.pipeline);
  if (e.lines.empty()) {
    sqlite3_bind_null(s, 24);
  } else {
    lines_text = json::ToText(e.lines);
    BindText(s, 24, std::string_view(lines_text));
  }
  if (e.severity) {
    BindText(s, 25, json::EnumName(*e.severity));
  } else {
    sqlite3_bind_null(s, 25);
  }
  BindText(s, 26, e.note);
}

std::string_view ColumnText(sqlite3_stmt* s, int i) {
  const unsigned char* p = sqlite3_column_text(s, i);
  if (p == nullptr) return {};
  return std::string_view(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(s, i)));
}
void ReadText(sqlite3_stmt* s, int i, std::optional<std::string>& out) {
  if (sqlite3_column_type(s, i) == SQLITE_NULL) {
    out.reset();
    return;
  }
  std::string_view v = ColumnText(s, i);
  if (!out) out.emplace();
  out->assign(v.data(), v.size());  // reuses the capacity of a recycled event
}
void ReadInt(sqlite3_stmt* s, int i, std::optional<int64_t>& out) {
  if (sqlite3_column_type(s, i) == SQLITE_NULL) {
    out.reset();
  } else {
    out = sqlite3_column_int64(s, i);
  }
}

absl::Status BadColumn(int64_t seq, std::string_view column, std::string_view value) {
  return absl::InternalError(absl::StrCat("sqlite store: events row seq ", seq, ": column ", AbslView(column),
                                          " holds \"", AbslView(value), "\", which this library cannot read"));
}

// Reads a row selected with kEventColumns into `out` (reusing its storage).
absl::Status ReadEvent(sqlite3_stmt* s, StoredEvent& out) {
  out.seq = static_cast<uint64_t>(sqlite3_column_int64(s, 0));
  Event& e = out.event;
  std::string_view id = ColumnText(s, 1);
  e.id.assign(id.data(), id.size());
  std::string_view kind = ColumnText(s, 2);
  std::optional<EventKind> k = json::EnumFromName<EventKind>(kind);
  if (!k) return BadColumn(static_cast<int64_t>(out.seq), "kind", kind);
  e.kind = *k;
  e.occurred_at = NanosToTime(sqlite3_column_int64(s, 3));
  e.recorded_at = NanosToTime(sqlite3_column_int64(s, 4));
  ReadText(s, 5, e.manager);
  ReadText(s, 6, e.customer);
  ReadInt(s, 7, e.amount_minor);
  ReadText(s, 8, e.currency);
  ReadInt(s, 9, e.quantity);
  ReadText(s, 10, e.category);
  ReadText(s, 11, e.sku);
  if (sqlite3_column_type(s, 12) == SQLITE_NULL) {
    e.channel.reset();
  } else {
    std::string_view channel = ColumnText(s, 12);
    e.channel = json::EnumFromName<Channel>(channel);
    if (!e.channel) return BadColumn(static_cast<int64_t>(out.seq), "channel", channel);
  }
  ReadText(s, 13, e.outcome);
  if (sqlite3_column_type(s, 14) == SQLITE_NULL) {
    e.score.reset();
  } else {
    e.score = Decimal::FromUnits(sqlite3_column_int64(s, 14));
  }
  ReadText(s, 15, e.reference);
  ReadText(s, 16, e.reverses);
  ReadText(s, 17, e.reason);
  if (sqlite3_column_type(s, 18) == SQLITE_NULL) {
    e.attributes.clear();
  } else {
    std::string_view text = ColumnText(s, 18);
    absl::StatusOr<std::map<std::string, std::string>> attributes =
        json::FromText<std::map<std::string, std::string>>(text, "attributes");
    if (!attributes.ok()) return BadColumn(static_cast<int64_t>(out.seq), "attributes", text);
    e.attributes = *std::move(attributes);
  }
  ReadText(s, 19, e.next_step);
  if (sqlite3_column_type(s, 20) == SQLITE_NULL) {
    e.due_on.reset();
  } else {
    std::string_view text = ColumnText(s, 20);
    absl::StatusOr<absl::CivilDay> day = ParseDay(text);
    if (!day.ok()) return BadColumn(static_cast<int64_t>(out.seq), "due_on", text);
    e.due_on = *day;
  }
  ReadText(s, 21, e.stage);
  ReadText(s, 22, e.pipeline);
  if (sqlite3_column_type(s, 23) == SQLITE_NULL) {
    e.lines.clear();
  } else {
    std::string_view text = ColumnText(s, 23);
    absl::StatusOr<std::vector<LineItem>> lines = json::FromText<std::vector<LineItem>>(text, "lines");
    if (!lines.ok()) return BadColumn(static_cast<int64_t>(out.seq), "lines", text);
    e.lines = *std::move(lines);
  }
  if (sqlite3_column_type(s, 24) == SQLITE_NULL) {
    e.severity.reset();
  } else {
    std::string_view severity = ColumnText(s, 24);
    e.severity = json::EnumFromName<Severity>(severity);
    if (!e.severity) return BadColumn(static_cast<int64_t>(out.seq), "severity", severity);
  }
  ReadText(s, 25, e.note);
  return absl::OkStatus();
}

void ReadDocument(sqlite3_stmt* s, DocumentVersion& out) {
  std::string_view v = ColumnText(s, 0);
  out.collection.assign(v.data(), v.size());
  v = ColumnText(s, 1);
  out.id.assign(v.data(), v.size());
  out.version = sqlite3_column_int64(s, 2);
  out.effective_from = NanosToTime(sqlite3_column_int64(s, 3));
  out.recorded_at = NanosToTime(sqlite3_column_int64(s, 4));
  out.deleted = sqlite3_column_int64(s, 5) != 0;
  v = ColumnText(s, 6);
  out.body.assign(v.data(), v.size());
}

// ---- The store ------------------------------------------------------------------

class SqliteStore final : public Store {
 public:
  SqliteStore(std::string path, SqliteOptions options, std::unique_ptr<Connection> writer)
      : path_(std::move(path)), options_(std::move(options)), writer_(std::move(writer)) {}

  absl::StatusOr<CommitResult> Commit(const WriteBatch& batch) override;
  absl::StatusOr<DocumentVersion> GetDocument(std::string_view collection, std::string_view id,
                                              std::optional<absl::Time> as_of) override;
  absl::Status ListDocuments(std::string_view collection, std::optional<absl::Time> as_of,
                             absl::FunctionRef<void(const DocumentVersion&)> fn) override;
  absl::Status DocumentHistory(std::string_view collection, std::string_view id,
                               absl::FunctionRef<void(const DocumentVersion&)> fn) override;
  absl::Status ScanEvents(const EventQuery& query, absl::FunctionRef<bool(const StoredEvent&)> fn) override;
  absl::StatusOr<StoredEvent> FindEvent(std::string_view id) override;
  absl::StatusOr<uint64_t> HighWaterMark() override;
  std::string_view backend() const override { return "sqlite"; }

 private:
  // A reader connection on loan from the pool; goes back when destroyed.
  class Lease {
   public:
    Lease(SqliteStore* store, std::unique_ptr<Connection> c) : store_(store), c_(std::move(c)) {}
    ~Lease() {
      if (c_) store_->Return(std::move(c_));
    }
    Lease(Lease&&) = default;
    Connection* operator->() const { return c_.get(); }
    Connection& operator*() const { return *c_; }

   private:
    SqliteStore* store_;
    std::unique_ptr<Connection> c_;
  };
  static constexpr size_t kMaxIdleReaders = 8;

  absl::StatusOr<Lease> Reader();
  void Return(std::unique_ptr<Connection> c);
  absl::StatusOr<CommitResult> CommitLocked(const WriteBatch& batch, bool& rolled_back)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);

  const std::string path_;
  const SqliteOptions options_;

  absl::Mutex write_mu_;
  std::unique_ptr<Connection> writer_ ABSL_GUARDED_BY(write_mu_);
  std::string attributes_text_ ABSL_GUARDED_BY(write_mu_);
  std::string lines_text_ ABSL_GUARDED_BY(write_mu_);

  absl::Mutex pool_mu_;
  std::vector<std::unique_ptr<Connection>> idle_ ABSL_GUARDED_BY(pool_mu_);
};

absl::StatusOr<SqliteStore::Lease> SqliteStore::Reader() {
  {
    absl::MutexLock lock(&pool_mu_);
    if (!idle_.empty()) {
      std::unique_ptr<Connection> c = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(c));
    }
  }
  CADRE_ASSIGN_OR_RETURN(std::unique_ptr<Connection> c, Connection::Open(path_, options_, /*writer=*/false));
  return Lease(this, std::move(c));
}

void SqliteStore::Return(std::unique_ptr<Connection> c) {
  absl::MutexLock lock(&pool_mu_);
  if (idle_.size() < kMaxIdleReaders) idle_.push_back(std::move(c));
}

absl::StatusOr<CommitResult> SqliteStore::Commit(const WriteBatch& batch) {
  CADRE_RETURN_IF_ERROR(store_internal::ValidateWriteBatch(batch));
  absl::MutexLock lock(&write_mu_);
  bool rolled_back = false;
  absl::StatusOr<CommitResult> result = CommitLocked(batch, rolled_back);
  if (!result.ok() && !rolled_back) writer_->RollbackIfOpen();
  return result;
}

absl::StatusOr<CommitResult> SqliteStore::CommitLocked(const WriteBatch& batch, bool& rolled_back) {
  Connection& w = *writer_;
  sqlite3* db = w.db();
  CADRE_RETURN_IF_ERROR(w.Exec("BEGIN IMMEDIATE"));

  CommitResult result;
  result.document_versions.resize(batch.documents.size());
  if (!batch.documents.empty()) {
    CADRE_ASSIGN_OR_RETURN(
        sqlite3_stmt * newest,
        w.Prepare("SELECT coalesce(max(version), 0) FROM documents WHERE collection = ?1 AND id = ?2"));
    CADRE_ASSIGN_OR_RETURN(
        sqlite3_stmt * insert,
        w.Prepare("INSERT INTO documents (collection, id, version, effective_from, recorded_at, deleted, body) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
    for (size_t i = 0; i < batch.documents.size(); ++i) {
      const DocumentWrite& d = batch.documents[i];
      int64_t current = 0;
      {
        StmtScope scope(newest);
        BindText(newest, 1, std::string_view(d.collection));
        BindText(newest, 2, std::string_view(d.id));
        int rc = sqlite3_step(newest);
        if (rc != SQLITE_ROW) return SqliteError(db, rc, "read document version");
        current = sqlite3_column_int64(newest, 0);
      }
      if (d.expected_version && *d.expected_version != current) {
        return store_internal::StaleVersion(d.collection, d.id, *d.expected_version, current);
      }
      StmtScope scope(insert);
      BindText(insert, 1, std::string_view(d.collection));
      BindText(insert, 2, std::string_view(d.id));
      sqlite3_bind_int64(insert, 3, current + 1);
      sqlite3_bind_int64(insert, 4, TimeToNanos(d.effective_from));
      sqlite3_bind_int64(insert, 5, TimeToNanos(d.recorded_at));
      sqlite3_bind_int(insert, 6, d.deleted ? 1 : 0);
      BindText(insert, 7, d.deleted ? std::string_view() : std::string_view(d.body));
      int rc = sqlite3_step(insert);
      if (rc != SQLITE_DONE) return SqliteError(db, rc, "write document");
      result.document_versions[i] = current + 1;
    }
  }

  const size_t n = batch.events.size();
  result.events.resize(n);
  result.seqs.resize(n);
  bool conflict = false;
  uint64_t first_new = 0;
  if (n > 0) {
    CADRE_ASSIGN_OR_RETURN(int64_t last, w.QueryInt("SELECT coalesce(max(seq), 0) FROM events"));
    uint64_t next = static_cast<uint64_t>(last) + 1;
    first_new = next;
    CADRE_ASSIGN_OR_RETURN(
        sqlite3_stmt * insert,
        w.Prepare("INSERT INTO events (seq, id, kind, occurred_at, recorded_at, manager, customer, amount_minor, "
                  "currency, quantity, category, sku, channel, outcome, score, reference, reverses, reason, "
                  "attributes, next_step, due_on, stage, pipeline, lines, severity, note) VALUES (?1, ?2, ?3, ?4, ?5, "
                  "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, "
                  "?26)"));
    sqlite3_stmt* logged = nullptr;
    StoredEvent existing;
    for (size_t i = 0; i < n; ++i) {
      const Event& e = batch.events[i];
      sqlite3_bind_int64(insert, 1, static_cast<int64_t>(next));
      BindEvent(insert, e, attributes_text_, lines_text_);
      int rc = sqlite3_step(insert);
      sqlite3_reset(insert);
      if (rc == SQLITE_DONE) {
        result.events[i] = AppendOutcome::kAppended;
        result.seqs[i] = next++;
        continue;
      }
      if (rc != SQLITE_CONSTRAINT_UNIQUE) return SqliteError(db, rc, "append event");
      // The id is logged already (or earlier in this batch): compare contents.
      if (logged == nullptr) {
        CADRE_ASSIGN_OR_RETURN(logged, w.Prepare(absl::StrCat("SELECT ", kEventColumns, " FROM events WHERE id = ?1")));
      }
      StmtScope scope(logged);
      BindText(logged, 1, std::string_view(e.id));
      rc = sqlite3_step(logged);
      if (rc != SQLITE_ROW) {
        return rc == SQLITE_DONE ? absl::InternalError(absl::StrCat("sqlite store: event ", e.id,
                                                                    " violates a unique constraint but is not logged"))
                                 : SqliteError(db, rc, "read logged event");
      }
      CADRE_RETURN_IF_ERROR(ReadEvent(logged, existing));
      result.seqs[i] = existing.seq;
      if (existing.event.SameContent(e)) {
        result.events[i] = AppendOutcome::kDuplicate;
      } else {
        result.events[i] = AppendOutcome::kConflict;
        conflict = true;
      }
    }
  }

  if (conflict && batch.all_or_nothing) {
    CADRE_RETURN_IF_ERROR(w.Exec("ROLLBACK"));
    rolled_back = true;
    for (uint64_t& seq : result.seqs) {
      if (seq >= first_new) seq = store_internal::kNotWritten;
    }
    std::fill(result.document_versions.begin(), result.document_versions.end(), 0);
    result.committed = false;
    return result;
  }
  CADRE_RETURN_IF_ERROR(w.Exec("COMMIT"));
  result.committed = true;
  return result;
}

absl::StatusOr<DocumentVersion> SqliteStore::GetDocument(std::string_view collection, std::string_view id,
                                                         std::optional<absl::Time> as_of) {
  CADRE_ASSIGN_OR_RETURN(Lease r, Reader());
  const std::string sql =
      as_of ? absl::StrCat("SELECT ", kDocumentColumns,
                           " FROM documents WHERE collection = ?1 AND id = ?2 AND effective_from <= ?3 "
                           "ORDER BY effective_from DESC, version DESC LIMIT 1")
            : absl::StrCat("SELECT ", kDocumentColumns,
                           " FROM documents WHERE collection = ?1 AND id = ?2 ORDER BY version DESC LIMIT 1");
  CADRE_ASSIGN_OR_RETURN(sqlite3_stmt * s, r->Prepare(sql));
  StmtScope scope(s);
  BindText(s, 1, collection);
  BindText(s, 2, id);
  if (as_of) sqlite3_bind_int64(s, 3, store_internal::BoundToNanos(*as_of));
  int rc = sqlite3_step(s);
  std::string when =
      as_of ? absl::StrCat(" at ", absl::FormatTime(absl::RFC3339_full, *as_of, absl::UTCTimeZone())) : std::string();
  if (rc == SQLITE_DONE) {
    return absl::NotFoundError(absl::StrCat("document ", AbslView(collection), "/", AbslView(id), " not found", when));
  }
  if (rc != SQLITE_ROW) return SqliteError(r->db(), rc, "read document");
  DocumentVersion v;
  ReadDocument(s, v);
  if (v.deleted) {
    return absl::NotFoundError(absl::StrCat("document ", AbslView(collection), "/", AbslView(id), " is deleted", when));
  }
  return v;
}

absl::Status SqliteStore::ListDocuments(std::string_view collection, std::optional<absl::Time> as_of,
                                        absl::FunctionRef<void(const DocumentVersion&)> fn) {
  CADRE_ASSIGN_OR_RETURN(Lease r, Reader());
  // The version in force per id: the first by (effective_from, version)
  // descending among those in force at as_of, or the newest.
  const std::string sql = absl::StrCat(
      "SELECT ", kDocumentColumns, " FROM (SELECT *, row_number() OVER (PARTITION BY id ORDER BY ",
      as_of ? "effective_from DESC, version DESC" : "version DESC", ") AS rank FROM documents WHERE collection = ?1",
      as_of ? " AND effective_from <= ?2" : "", ") WHERE rank = 1 AND deleted = 0 ORDER BY id");
  CADRE_ASSIGN_OR_RETURN(sqlite3_stmt * s, r->Prepare(sql));
  StmtScope scope(s);
  BindText(s, 1, collection);
  if (as_of) sqlite3_bind_int64(s, 2, store_internal::BoundToNanos(*as_of));
  DocumentVersion v;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    ReadDocument(s, v);
    fn(v);
  }
  if (rc != SQLITE_DONE) return SqliteError(r->db(), rc, "list documents");
  return absl::OkStatus();
}

absl::Status SqliteStore::DocumentHistory(std::string_view collection, std::string_view id,
                                          absl::FunctionRef<void(const DocumentVersion&)> fn) {
  CADRE_ASSIGN_OR_RETURN(Lease r, Reader());
  CADRE_ASSIGN_OR_RETURN(
      sqlite3_stmt * s, r->Prepare(absl::StrCat("SELECT ", kDocumentColumns,
                                                " FROM documents WHERE collection = ?1 AND id = ?2 ORDER BY version")));
  StmtScope scope(s);
  BindText(s, 1, collection);
  BindText(s, 2, id);
  DocumentVersion v;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    ReadDocument(s, v);
    fn(v);
  }
  if (rc != SQLITE_DONE) return SqliteError(r->db(), rc, "read document history");
  return absl::OkStatus();
}

absl::Status SqliteStore::ScanEvents(const EventQuery& query, absl::FunctionRef<bool(const StoredEvent&)> fn) {
  if (query.limit && *query.limit == 0) return absl::OkStatus();
  std::vector<EventKind> kinds = query.kinds;
  std::sort(kinds.begin(), kinds.end());
  kinds.erase(std::unique(kinds.begin(), kinds.end()), kinds.end());

  // One SQL text per shape of query, so the reader's statement cache stays small.
  std::string sql = absl::StrCat("SELECT ", kEventColumns, " FROM events WHERE 1");
  int param = 0;
  if (query.after_seq > 0) absl::StrAppend(&sql, " AND seq > ?", ++param);
  if (query.from) absl::StrAppend(&sql, " AND occurred_at >= ?", ++param);
  if (query.until) absl::StrAppend(&sql, " AND occurred_at < ?", ++param);
  if (!kinds.empty()) {
    absl::StrAppend(&sql, " AND kind IN (");
    for (size_t i = 0; i < kinds.size(); ++i) absl::StrAppend(&sql, i > 0 ? ", ?" : "?", ++param);
    absl::StrAppend(&sql, ")");
  }
  if (query.manager) absl::StrAppend(&sql, " AND manager = ?", ++param);
  if (query.customer) absl::StrAppend(&sql, " AND customer = ?", ++param);
  absl::StrAppend(&sql, query.order == ScanOrder::kByTime ? " ORDER BY occurred_at, seq" : " ORDER BY seq");
  if (query.limit) absl::StrAppend(&sql, " LIMIT ?", ++param);

  CADRE_ASSIGN_OR_RETURN(Lease r, Reader());
  CADRE_ASSIGN_OR_RETURN(sqlite3_stmt * s, r->Prepare(sql));
  StmtScope scope(s);
  param = 0;
  if (query.after_seq > 0) sqlite3_bind_int64(s, ++param, static_cast<int64_t>(query.after_seq));
  if (query.from) sqlite3_bind_int64(s, ++param, store_internal::BoundToNanos(*query.from));
  if (query.until) sqlite3_bind_int64(s, ++param, store_internal::BoundToNanos(*query.until));
  for (EventKind k : kinds) BindText(s, ++param, json::EnumName(k));
  if (query.manager) BindText(s, ++param, std::string_view(*query.manager));
  if (query.customer) BindText(s, ++param, std::string_view(*query.customer));
  if (query.limit) {
    sqlite3_bind_int64(s, ++param, static_cast<int64_t>(std::min<uint64_t>(*query.limit, INT64_MAX)));
  }

  StoredEvent e;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    CADRE_RETURN_IF_ERROR(ReadEvent(s, e));
    if (!fn(e)) return absl::OkStatus();
  }
  if (rc != SQLITE_DONE) return SqliteError(r->db(), rc, "scan events");
  return absl::OkStatus();
}

absl::StatusOr<StoredEvent> SqliteStore::FindEvent(std::string_view id) {
  CADRE_ASSIGN_OR_RETURN(Lease r, Reader());
  CADRE_ASSIGN_OR_RETURN(sqlite3_stmt * s,
                         r->Prepare(absl::StrCat("SELECT ", kEventColumns, " FROM events WHERE id = ?1")));
  StmtScope scope(s);
  BindText(s, 1, id);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_DONE) return absl::NotFoundError(absl::StrCat("event ", AbslView(id), " not found"));
  if (rc != SQLITE_ROW) return SqliteError(r->db(), rc, "find event");
  StoredEvent e;
  CADRE_RETURN_IF_ERROR(ReadEvent(s, e));
  return e;
}

absl::StatusOr<uint64_t> SqliteStore::HighWaterMark() {
  CADRE_ASSIGN_OR_RETURN(Lease r, Reader());
  CADRE_ASSIGN_OR_RETURN(int64_t seq, r->QueryInt("SELECT coalesce(max(seq), 0) FROM events"));
  return static_cast<uint64_t>(seq);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> OpenSqliteStore(std::string_view path, const SqliteOptions& options) {
  if (path.empty() || path == ":memory:" || path.starts_with("file:")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sqlite store: \"", AbslView(path), "\" is not a file path (use the memory: store for a store in memory)"));
  }
  if (!options.vfs.empty() && sqlite3_vfs_find(options.vfs.c_str()) == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("sqlite store: no SQLite VFS named \"", options.vfs, "\""));
  }
  std::string p(path);
  absl::StatusOr<std::unique_ptr<Connection>> writer = Connection::Open(p, options, /*writer=*/true);
  absl::Status s = writer.ok() ? Migrate(**writer, p) : writer.status();
  if (!s.ok()) {
    if (s.code() == absl::StatusCode::kFailedPrecondition) return s;
    return absl::UnavailableError(absl::StrCat("sqlite store ", p, ": cannot open: ", s.message()));
  }
  return std::make_unique<SqliteStore>(std::move(p), options, *std::move(writer));
}

}  // namespace cadre
