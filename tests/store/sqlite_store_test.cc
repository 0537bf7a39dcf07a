// store/sqlite_store_test.cc — what only the SQLite backend has to show: its file
// format, schema versions, several stores on one file, real I/O faults below it
// (through the fault VFS) and crashes in the middle of a transaction.
#include <sqlite3.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cadre/store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/fault_vfs.h"
#include "testing/store_conformance.h"
#include "testing/test_util.h"

namespace cadre {
namespace {

using testing::At;
using ::testing::ElementsAre;
using testing::FaultVfs;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::Put;
using testing::Sale;
using testing::TempDir;

std::string Msg(const absl::Status& s) { return std::string(s.message()); }

std::unique_ptr<Store> MustOpen(const std::string& path, const SqliteOptions& options = {}) {
  absl::StatusOr<std::unique_ptr<Store>> s = OpenSqliteStore(path, options);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *std::move(s) : nullptr;
}

SqliteOptions FaultOptions() {
  FaultVfs::Register();
  SqliteOptions o;
  o.vfs = FaultVfs::kName;
  return o;
}

uint64_t Hwm(Store& store) {
  absl::StatusOr<uint64_t> h = store.HighWaterMark();
  EXPECT_TRUE(h.ok()) << h.status();
  return h.ok() ? *h : 0;
}

// Raw access to the file, for checks below the Store interface.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  }
  ~RawDb() { sqlite3_close_v2(db_); }
  void Exec(const std::string& sql) {
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "") << " in " << sql;
    sqlite3_free(err);
  }
  // Column `col` of every row, as text ("NULL" for NULL).
  std::vector<std::string> Column(const std::string& sql, int col = 0) {
    std::vector<std::string> out;
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sqlite3_errmsg(db_);
    while (sqlite3_step(s) == SQLITE_ROW) {
      if (sqlite3_column_type(s, col) == SQLITE_NULL) {
        out.push_back("NULL");
      } else {
        out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, col)));
      }
    }
    sqlite3_finalize(s);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

// ---- File format ------------------------------------------------------------------

TEST(SqliteStoreTest, EventsAreTypedColumnsInAWalFile) {
  TempDir dir;
  const std::string path = dir.File("shop.db");
  {
    std::unique_ptr<Store> store = MustOpen(path);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->backend(), "sqlite");
    WriteBatch b = testing::Events({testing::RichEvent("I-1", At(0)), Sale("S-1", At(1), "", "C-1")});
    b.documents.push_back(Put("plans", "P", R"({"rate":"0.035"})"));
    ASSERT_TRUE(store->Commit(b).ok());
  }
  RawDb raw(path);
  EXPECT_THAT(raw.Column("PRAGMA journal_mode"), ElementsAre("wal"));
  EXPECT_THAT(raw.Column("SELECT version FROM schema_version"), ElementsAre("3"));
  EXPECT_THAT(raw.Column("SELECT kind FROM events ORDER BY seq"), ElementsAre("interaction", "sale"));
  EXPECT_THAT(raw.Column("SELECT typeof(occurred_at) || ':' || occurred_at FROM events WHERE id = 'S-1'"),
              ElementsAre(absl::StrCat("integer:", absl::ToUnixNanos(At(1)))));
  EXPECT_THAT(raw.Column("SELECT manager FROM events ORDER BY seq"), ElementsAre("M-经理-7", "NULL"));
  EXPECT_THAT(raw.Column("SELECT channel || ' ' || score || ' ' || amount_minor FROM events WHERE id = 'I-1'"),
              ElementsAre("store_meeting 4500000001 -129900"));
  EXPECT_THAT(raw.Column("SELECT json_extract(attributes, '$.campaign') FROM events ORDER BY seq"),
              ElementsAre("618", "NULL"));
  EXPECT_THAT(raw.Column("SELECT effective_from FROM documents"),
              ElementsAre(absl::StrCat(std::numeric_limits<int64_t>::min())));
  EXPECT_THAT(raw.Column("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'events_by_%' ORDER BY 1"),
              ElementsAre("events_by_customer", "events_by_manager", "events_by_time"));
  // Scans in time order, overall and per manager or customer, walk an index
  // and need no sort.
  for (const char* where : {"1", "manager = 'M-1'", "customer = 'C-1'"}) {
    std::vector<std::string> plan = raw.Column(
        absl::StrCat("EXPLAIN QUERY PLAN SELECT seq FROM events WHERE ", where, " ORDER BY occurred_at, seq"), 3);
    std::string text = absl::StrJoin(plan, "; ");
    EXPECT_THAT(text, HasSubstr("INDEX events_by_")) << where;
    EXPECT_THAT(text, Not(HasSubstr("TEMP B-TREE"))) << where;
  }
}

// A file written by schema version 1 (before the CRM activity columns) opens,
// migrates forward, keeps its rows, and then stores the new fields.
TEST(SqliteStoreTest, VersionOneFileMigratesForward) {
  TempDir dir;
  const std::string path = dir.File("v1.db");
  {
    std::unique_ptr<Store> store = MustOpen(path);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Commit(testing::Events({Sale("S-1", At(1), "M-1", "C-1", 500)}, true)).ok());
  }
  {
    RawDb raw(path);  // turn the file back into what version 1 wrote
    for (const char* column : {"next_step", "due_on", "stage", "pipeline", "lines", "severity", "note"})
      raw.Exec(absl::StrCat("ALTER TABLE events DROP COLUMN ", column));
    raw.Exec("UPDATE schema_version SET version = 1");
  }
  std::unique_ptr<Store> store = MustOpen(path);
  ASSERT_NE(store, nullptr);
  EXPECT_THAT(RawDb(path).Column("SELECT version FROM schema_version"), ElementsAre("3"));
  absl::StatusOr<StoredEvent> old = store->FindEvent("S-1");
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_EQ(old->event.amount_minor, 500);
  EXPECT_TRUE(old->event.lines.empty());
  EXPECT_FALSE(old->event.due_on.has_value());
  Event rich = testing::RichEvent("I-1", At(5));
  ASSERT_TRUE(store->Commit(testing::Events({rich}, true)).ok());
  absl::StatusOr<StoredEvent> back = store->FindEvent("I-1");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(back->event.SameContent(rich));
  EXPECT_EQ(back->event.lines.size(), 2u);
}

// A file written by schema version 2 (before the case columns) gains them; its
// rows read them as absent, and a case event stores its severity and note.
TEST(SqliteStoreTest, VersionTwoFileMigratesForward) {
  TempDir dir;
  const std::string path = dir.File("v2.db");
  {
    std::unique_ptr<Store> store = MustOpen(path);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Commit(testing::Events({Sale("S-1", At(1), "M-1", "C-1", 500)}, true)).ok());
  }
  {
    RawDb raw(path);
    for (const char* column : {"severity", "note"}) raw.Exec(absl::StrCat("ALTER TABLE events DROP COLUMN ", column));
    raw.Exec("UPDATE schema_version SET version = 2");
  }
  std::unique_ptr<Store> store = MustOpen(path);
  ASSERT_NE(store, nullptr);
  EXPECT_THAT(RawDb(path).Column("SELECT version FROM schema_version"), ElementsAre("3"));
  absl::StatusOr<StoredEvent> old = store->FindEvent("S-1");
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_FALSE(old->event.severity.has_value());
  EXPECT_FALSE(old->event.note.has_value());
  Event complaint;
  complaint.id = "K-1";
  complaint.kind = EventKind::kCase;
  complaint.occurred_at = At(2);
  complaint.recorded_at = At(3);
  complaint.reference = "CASE-1";
  complaint.stage = "opened";
  complaint.category = "complaint";
  complaint.customer = "C-1";
  complaint.severity = Severity::kHigh;
  complaint.note = "late delivery, second time";
  absl::StatusOr<CommitResult> wrote = store->Commit(testing::Events({complaint}, true));
  ASSERT_TRUE(wrote.ok()) << wrote.status();
  ASSERT_TRUE(wrote->committed);
  EXPECT_THAT(RawDb(path).Column("SELECT severity || ' / ' || note FROM events WHERE id = 'K-1'"),
              ElementsAre("high / late delivery, second time"));
  absl::StatusOr<StoredEvent> back = store->FindEvent("K-1");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(back->event.SameContent(complaint));
}

TEST(SqliteStoreTest, NewerSchemaVersionIsRefusedAndLeftAlone) {
  TempDir dir;
  const std::string path = dir.File("future.db");
  ASSERT_NE(MustOpen(path), nullptr);
  RawDb(path).Exec("UPDATE schema_version SET version = 7");
  absl::StatusOr<std::unique_ptr<Store>> s = OpenSqliteStore(path);
  ASSERT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition) << s.status();
  EXPECT_THAT(Msg(s.status()), HasSubstr("schema version 7"));
  EXPECT_THAT(Msg(s.status()), HasSubstr("(schema version 3)"));
  EXPECT_THAT(RawDb(path).Column("SELECT version FROM schema_version"), ElementsAre("7"));
}

TEST(SqliteStoreTest, OpenErrors) {
  TempDir dir;
  EXPECT_EQ(OpenSqliteStore(dir.File("no/such/dir/x.db")).status().code(), absl::StatusCode::kUnavailable);
  {
    std::ofstream junk(dir.File("junk.db"));
    junk << std::string(8192, 'x');
  }
  absl::StatusOr<std::unique_ptr<Store>> s = OpenSqliteStore(dir.File("junk.db"));
  EXPECT_EQ(s.status().code(), absl::StatusCode::kUnavailable) << s.status();
  EXPECT_THAT(Msg(s.status()), HasSubstr("junk.db"));
  EXPECT_EQ(OpenSqliteStore("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenSqliteStore(":memory:").status().code(), absl::StatusCode::kInvalidArgument);
  SqliteOptions o;
  o.vfs = "no-such-vfs";
  EXPECT_EQ(OpenSqliteStore(dir.File("x.db"), o).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(SqliteStoreTest, UnreadableRowIsAnInternalErrorNotAGuess) {
  TempDir dir;
  const std::string path = dir.File("odd.db");
  std::unique_ptr<Store> store = MustOpen(path);
  ASSERT_TRUE(store->Commit(testing::Events({Sale("S-1", At(0))})).ok());
  RawDb(path).Exec("UPDATE events SET kind = 'telepathy'");
  absl::StatusOr<StoredEvent> e = store->FindEvent("S-1");
  EXPECT_EQ(e.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(Msg(e.status()), HasSubstr("telepathy"));
  EXPECT_EQ(store->ScanEvents({}, [](const StoredEvent&) { return true; }).code(), absl::StatusCode::kInternal);
}

// Two stores on one file (as two processes would have): Commits serialise on the
// file, seqs stay dense, and each sees the other's ids.
TEST(SqliteStoreTest, TwoStoresOnOneFile) {
  TempDir dir;
  const std::string path = dir.File("shared.db");
  std::unique_ptr<Store> a = MustOpen(path);
  std::unique_ptr<Store> b = MustOpen(path);
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->Commit(testing::Events({Sale("S-1", At(0))})).ok());
  absl::StatusOr<CommitResult> r = b->Commit(testing::Events({Sale("S-2", At(1)), Sale("S-1", At(0))}));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(r->seqs, ElementsAre(2, 1));
  EXPECT_THAT(r->events, ElementsAre(AppendOutcome::kAppended, AppendOutcome::kDuplicate));
  r = a->Commit(testing::Events({Sale("S-3", At(2))}));
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->seqs, ElementsAre(3));
  EXPECT_EQ(Hwm(*b), 3u);
  WriteBatch d1;
  d1.documents.push_back(Put("c", "x", "{}", 0));
  ASSERT_TRUE(a->Commit(d1).ok());
  EXPECT_EQ(b->Commit(d1).status().code(), absl::StatusCode::kAborted);
}

// ---- Injected I/O faults ----------------------------------------------------------

struct Snapshot {
  uint64_t hwm = 0;
  std::vector<uint64_t> seqs;
  std::vector<int64_t> doc_versions;
  bool operator==(const Snapshot&) const = default;
};

Snapshot Take(Store& store) {
  Snapshot s;
  s.hwm = Hwm(store);
  s.seqs = testing::ScanSeqs(store);
  for (const DocumentVersion& v : testing::History(store, "plans", "P")) s.doc_versions.push_back(v.version);
  return s;
}

WriteBatch BigBatch(const std::string& prefix, int n) {
  std::vector<Event> events;
  for (int i = 0; i < n; ++i) {
    Event e = testing::RichEvent(absl::StrCat(prefix, i), At(i % 97));
    e.reference = absl::StrCat("ORDER-", prefix, "-", i, std::string(40, 'r'));
    events.push_back(e);
  }
  WriteBatch b = testing::Events(events);
  b.documents.push_back(Put("plans", "P", absl::StrCat(R"({"batch":")", prefix, R"("})")));
  return b;
}

// Every xWrite of a Commit, in turn, fails: the Commit reports UNAVAILABLE and
// the store is exactly as before; once the fault clears, the same Commit works.
TEST(SqliteFaultTest, EveryFailingWriteLeavesTheStoreAsItWas) {
  TempDir dir;
  std::unique_ptr<Store> store = MustOpen(dir.File("faults.db"), FaultOptions());
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Commit(BigBatch("A-", 300)).ok());
  const Snapshot before = Take(*store);
  const WriteBatch b = BigBatch("B-", 300);

  int failures = 0;
  for (int64_t n = 0;; ++n) {
    ASSERT_LT(n, 10000) << "the Commit never got through";
    FaultVfs::FailWritesAfter(n);
    absl::StatusOr<CommitResult> r = store->Commit(b);
    FaultVfs::Reset();
    if (r.ok()) {
      EXPECT_TRUE(r->committed);
      EXPECT_EQ(Hwm(*store), before.hwm + 300);
      break;
    }
    ++failures;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
    EXPECT_THAT(Msg(r.status()), HasSubstr("I/O error"));
    ASSERT_EQ(Take(*store), before) << "after a write failing after " << n << " writes";
  }
  EXPECT_GT(failures, 3);

  // Still usable, and still right after reopening with the plain VFS.
  ASSERT_TRUE(store->Commit(BigBatch("C-", 10)).ok());
  const Snapshot after = Take(*store);
  store.reset();
  store = MustOpen(dir.File("faults.db"));
  EXPECT_EQ(Take(*store), after);
  EXPECT_EQ(after.hwm, before.hwm + 310);
}

// Sync failures hit checkpoints (with synchronous=NORMAL a commit does not sync):
// they must never lose a commit that was reported done.
TEST(SqliteFaultTest, FailingSyncsNeverLoseCommittedBatches) {
  TempDir dir;
  const std::string path = dir.File("syncs.db");
  std::unique_ptr<Store> store = MustOpen(path, FaultOptions());
  ASSERT_NE(store, nullptr);
  uint64_t committed = 0;
  int injected = 0;
  for (int round = 0; round < 6; ++round) {
    FaultVfs::FailSyncsAfter(round % 3);
    const int64_t syncs = FaultVfs::syncs();
    // Together, the rounds pass the WAL's auto-checkpoint threshold (1000 pages) several times.
    absl::StatusOr<CommitResult> r = store->Commit(BigBatch(absl::StrCat("R", round, "-"), 5000));
    if (FaultVfs::syncs() - syncs > round % 3) ++injected;
    FaultVfs::Reset();
    if (r.ok()) {
      committed += 5000;
    } else {
      EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
    }
    EXPECT_EQ(Hwm(*store), committed);
  }
  EXPECT_GT(injected, 0);
  EXPECT_GT(committed, 0u);
  FaultVfs::FailSyncsAfter(0);
  store.reset();  // the closing checkpoint fails too
  FaultVfs::Reset();
  store = MustOpen(path);
  EXPECT_EQ(Hwm(*store), committed);
  EXPECT_EQ(testing::ScanSeqs(*store).size(), committed);
  EXPECT_TRUE(store->Commit(testing::Events({Sale("after", At(0))})).ok());
}

// Creating the file fails at every write in turn; once the fault clears the same
// path opens as a good, empty store.
TEST(SqliteFaultTest, FailedCreationIsRecoverable) {
  TempDir dir;
  const SqliteOptions options = FaultOptions();
  for (int64_t n = 0;; ++n) {
    ASSERT_LT(n, 1000);
    const std::string path = dir.File(absl::StrCat("new", n, ".db"));
    FaultVfs::FailWritesAfter(n);
    absl::StatusOr<std::unique_ptr<Store>> s = OpenSqliteStore(path, options);
    FaultVfs::Reset();
    if (s.ok()) break;
    EXPECT_EQ(s.status().code(), absl::StatusCode::kUnavailable) << s.status();
    std::unique_ptr<Store> again = MustOpen(path, options);
    ASSERT_NE(again, nullptr) << "after a write failing after " << n << " writes";
    EXPECT_EQ(Hwm(*again), 0u);
    EXPECT_TRUE(again->Commit(testing::Events({Sale("S-1", At(0))})).ok());
  }
}

// ---- Crashes ---------------------------------------------------------------------

// A child process commits a large batch and is SIGKILLed at its Nth write to the
// file; the parent then finds the batch all there or all absent, and the store
// fully usable.
TEST(SqliteCrashTest, KilledMidCommitLeavesTheBatchWholeOrAbsent) {
  TempDir dir;
  const SqliteOptions options = FaultOptions();
  const std::string seed = dir.File("seed.db");
  {
    std::unique_ptr<Store> store = MustOpen(seed);
    ASSERT_TRUE(store->Commit(BigBatch("A-", 100)).ok());
  }  // closing checkpoints the WAL into the file
  ASSERT_FALSE(std::filesystem::exists(seed + "-wal"));
  const WriteBatch batch = BigBatch("B-", 3000);
  const WriteBatch later = BigBatch("C-", 5);

  // Count the writes of the Commit on a copy.
  int64_t writes = 0;
  {
    const std::string dry = dir.File("dry.db");
    std::filesystem::copy_file(seed, dry);
    std::unique_ptr<Store> store = MustOpen(dry, options);
    const auto size = std::filesystem::file_size(dry);
    const int64_t start = FaultVfs::writes();
    ASSERT_TRUE(store->Commit(batch).ok());
    writes = FaultVfs::writes() - start;
    // All of them went to the WAL: no checkpoint ran inside the Commit, so its
    // last write is the commit frame.
    ASSERT_EQ(std::filesystem::file_size(dry), size);
  }
  ASSERT_GT(writes, 10);

  // Kill points: the first write, a few inside, the last (the commit frame), and
  // one past the batch (in the next Commit), where the batch must be there.
  const std::vector<int64_t> points = {1, 2, writes / 3, writes / 2, writes - 1, writes, writes + 1};
  for (int64_t point : points) {
    SCOPED_TRACE(absl::StrCat("killed at write ", point, " of ", writes));
    const std::string path = dir.File(absl::StrCat("crash", point, ".db"));
    std::filesystem::copy_file(seed, path);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      absl::StatusOr<std::unique_ptr<Store>> store = OpenSqliteStore(path, options);
      if (!store.ok()) _exit(2);
      FaultVfs::KillOnWrite(point);
      if (!(*store)->Commit(batch).ok()) _exit(3);
      if (!(*store)->Commit(later).ok()) _exit(4);
      _exit(0);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
    EXPECT_EQ(WTERMSIG(status), SIGKILL);

    std::unique_ptr<Store> store = MustOpen(path);
    ASSERT_NE(store, nullptr);
    const uint64_t hwm = Hwm(*store);
    if (point <= writes) {
      EXPECT_EQ(hwm, 100u);  // the Commit never finished: nothing of it
      EXPECT_EQ(store->FindEvent("B-0").status().code(), absl::StatusCode::kNotFound);
      EXPECT_THAT(testing::History(*store, "plans", "P").size(), 1u);
    } else {
      EXPECT_EQ(hwm, 3100u);  // the Commit finished: all of it
      EXPECT_EQ(testing::ScanSeqs(*store).size(), 3100u);
      EXPECT_EQ(testing::History(*store, "plans", "P").size(), 2u);
      EXPECT_EQ(store->FindEvent("C-0").status().code(), absl::StatusCode::kNotFound);
    }
    // Usable: the batch (again, or as duplicates) and more.
    absl::StatusOr<CommitResult> r = store->Commit(batch);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_TRUE(r->committed);
    EXPECT_EQ(r->events[0], point <= writes ? AppendOutcome::kAppended : AppendOutcome::kDuplicate);
    EXPECT_TRUE(store->Commit(later).ok());
    EXPECT_EQ(Hwm(*store), 3105u);
  }
}

}  // namespace
}  // namespace cadre
