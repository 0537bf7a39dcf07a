// ingest_benchmark — how fast events get into a workspace, against raw SQLite.
//
//   ingest_benchmark [--cadre_events=N] [--cadre_batch=N] [Google Benchmark flags]
//
// The same events (the first N = 100,000 of the default synthetic retailer,
// cadre/synth.h, generated once before any timing) are written in batches of
// 10,000 through each path:
//
//   BM_MemoryStoreCommit      Store::Commit on a MemoryStore
//   BM_MemoryStoreCommitThenScan  the same plus the first query (deferred indexing)
//   BM_SqliteStoreCommit      Store::Commit on a SqliteStore (a fresh temp file)
//   BM_MemoryWorkspaceIngest  Workspace::Ingest (validation, duplicate checks) on memory:
//   BM_SqliteWorkspaceIngest  Workspace::Ingest on sqlite: (a fresh temp file)
//   BM_RawSqliteInsert        the baseline: a prepared INSERT of the same rows into
//                             a table with the sqlite backend's columns and indexes,
//                             same pragmas, one transaction per batch
//
// Every iteration starts from an empty store (set-up and tear-down untimed) and
// writes all N events; items_per_second is events per second of wall time. After
// the runs, the ratios the issue sets targets for are printed: sqlite backend /
// raw SQLite (target >= 0.5) and memory events/s (target >= 2,000,000).
// See benchmarks/README.md for how to run and read it.
#include <sqlite3.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "cadre/event.h"
#include "cadre/json.h"
#include "cadre/status.h"
#include "cadre/store.h"
#include "cadre/synth.h"
#include "cadre/workspace.h"
#include "rate_reporter.h"

namespace {

using cadre::Event;

std::size_t g_events = 100'000;
std::size_t g_batch = 10'000;
const absl::Time kRecordedAt = absl::FromUnixSeconds(1767225600);  // 2026-01-01: a fixed ingest clock

const std::vector<Event>& Events() {
  static const std::vector<Event>* events = [] {
    auto* out = new std::vector<Event>;
    out->reserve(g_events);
    cadre::GenerateRetailEvents(cadre::SynthOptions{}, [&](const Event& e) {
      out->push_back(e);
      return out->size() < g_events;
    });
    return out;
  }();
  return *events;
}

std::vector<std::span<const Event>> Batches() {
  std::vector<std::span<const Event>> out;
  const std::span<const Event> all(Events());
  for (std::size_t i = 0; i < all.size(); i += g_batch)
    out.push_back(all.subspan(i, std::min(g_batch, all.size() - i)));
  return out;
}

// Store::Commit needs recorded_at on every event (the workspace stamps it).
const std::vector<cadre::WriteBatch>& StoreBatches() {
  static const std::vector<cadre::WriteBatch>* batches = [] {
    auto* out = new std::vector<cadre::WriteBatch>;
    for (std::span<const Event> b : Batches()) {
      cadre::WriteBatch wb;
      wb.events.assign(b.begin(), b.end());
      for (Event& e : wb.events) e.recorded_at = kRecordedAt;
      out->push_back(std::move(wb));
    }
    return out;
  }();
  return *batches;
}

std::string TempPath(std::string_view what) {
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
  if (ec) dir = "/tmp";
  return (dir / absl::StrCat("cadre_ingest_", getpid(), "_", cadre::AbslView(what), ".db")).string();
}

void RemoveDatabase(const std::string& path) {
  std::error_code ec;
  for (const std::string& p : {path, path + "-wal", path + "-shm"}) std::filesystem::remove(p, ec);
}

void Finish(benchmark::State& state) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(Events().size()));
}

// ---- Store::Commit -------------------------------------------------------------------

void CommitAll(benchmark::State& state, cadre::Store& store) {
  for (const cadre::WriteBatch& batch : StoreBatches()) {
    absl::StatusOr<cadre::CommitResult> r = store.Commit(batch);
    if (!r.ok() || !r->committed) {
      state.SkipWithError(r.ok() ? "batch not committed" : std::string(r.status().message()).c_str());
      return;
    }
  }
}

void BM_MemoryStoreCommit(benchmark::State& state) {
  StoreBatches();
  for (auto _ : state) {
    state.PauseTiming();
    std::unique_ptr<cadre::Store> store = cadre::NewMemoryStore();
    state.ResumeTiming();
    CommitAll(state, *store);
    state.PauseTiming();
    store.reset();
    state.ResumeTiming();
  }
  Finish(state);
}
BENCHMARK(BM_MemoryStoreCommit)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

// Commit, then the first query: a backend may defer index maintenance from Commit
// to the next read, and this counts that work too (time until the events can be
// queried).
void BM_MemoryStoreCommitThenScan(benchmark::State& state) {
  StoreBatches();
  cadre::EventQuery first;
  first.limit = 1;
  for (auto _ : state) {
    state.PauseTiming();
    std::unique_ptr<cadre::Store> store = cadre::NewMemoryStore();
    state.ResumeTiming();
    CommitAll(state, *store);
    if (absl::Status s = store->ScanEvents(first, [](const cadre::StoredEvent&) { return false; }); !s.ok()) {
      state.SkipWithError(std::string(s.message()).c_str());
    }
    state.PauseTiming();
    store.reset();
    state.ResumeTiming();
  }
  Finish(state);
}
BENCHMARK(BM_MemoryStoreCommitThenScan)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

void BM_SqliteStoreCommit(benchmark::State& state) {
  StoreBatches();
  const std::string path = TempPath("store");
  for (auto _ : state) {
    state.PauseTiming();
    RemoveDatabase(path);
    absl::StatusOr<std::unique_ptr<cadre::Store>> store = cadre::OpenSqliteStore(path);
    if (!store.ok()) {
      state.SkipWithError(std::string(store.status().message()).c_str());
      break;
    }
    state.ResumeTiming();
    CommitAll(state, **store);
    state.PauseTiming();
    store->reset();
    state.ResumeTiming();
  }
  RemoveDatabase(path);
  Finish(state);
}
BENCHMARK(BM_SqliteStoreCommit)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

// ---- Workspace::Ingest ------------------------------------------------------------------

// `file`: the SQLite file behind `uri`, removed before each iteration (untimed) so
// that every iteration starts from an empty workspace.
void IngestAll(benchmark::State& state, const std::string& uri, const std::string& file) {
  Events();
  const std::vector<std::span<const Event>> batches = Batches();
  for (auto _ : state) {
    state.PauseTiming();
    if (!file.empty()) RemoveDatabase(file);
    absl::StatusOr<std::unique_ptr<cadre::Workspace>> ws = cadre::Workspace::Open(
        uri, {.currency = "CNY", .time_zone = "Asia/Shanghai", .clock = [] { return kRecordedAt; }});
    if (!ws.ok()) {
      state.SkipWithError(std::string(ws.status().message()).c_str());
      break;
    }
    // Opportunity events are checked against their pipeline document at ingest.
    for (const cadre::Pipeline& p : cadre::RetailPipelines()) {
      absl::Status put = (*ws)->PutEntity(p).status();
      if (!put.ok()) {
        state.SkipWithError(std::string(put.message()).c_str());
        break;
      }
    }
    state.ResumeTiming();
    for (std::span<const Event> batch : batches) {
      absl::StatusOr<cadre::IngestReport> r = (*ws)->Ingest(batch, cadre::IngestMode::kAtomic);
      if (!r.ok() || !r->committed || r->accepted != batch.size()) {
        state.SkipWithError(r.ok() ? "batch not accepted whole" : std::string(r.status().message()).c_str());
        break;
      }
    }
    state.PauseTiming();
    ws->reset();
    state.ResumeTiming();
  }
  if (!file.empty()) RemoveDatabase(file);
  Finish(state);
}

void BM_MemoryWorkspaceIngest(benchmark::State& state) { IngestAll(state, "memory:", ""); }
BENCHMARK(BM_MemoryWorkspaceIngest)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

void BM_SqliteWorkspaceIngest(benchmark::State& state) {
  const std::string path = TempPath("workspace");
  IngestAll(state, "sqlite:" + path, path);
}
BENCHMARK(BM_SqliteWorkspaceIngest)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

// ---- The baseline: raw SQLite ----------------------------------------------------------

// The events table of src/store/sqlite_store.cc (schema version 1): same columns,
// same indexes. Keep in step with it, or the ratio compares different work.
constexpr char kEventsSchema[] = R"sql(
CREATE TABLE events (
  seq          INTEGER PRIMARY KEY,
  id           TEXT NOT NULL UNIQUE,
  kind         TEXT NOT NULL,
  occurred_at  INTEGER NOT NULL,
  recorded_at  INTEGER NOT NULL,
  manager      TEXT,
  customer     TEXT,
  amount_minor INTEGER,
  currency     TEXT,
  quantity     INTEGER,
  category     TEXT,
  sku          TEXT,
  channel      TEXT,
  outcome      TEXT,
  score        INTEGER,
  reference    TEXT,
  reverses     TEXT,
  reason       TEXT,
  attributes   TEXT
);
CREATE INDEX events_by_time ON events(occurred_at, seq);
CREATE INDEX events_by_manager ON events(manager, occurred_at);
CREATE INDEX events_by_customer ON events(customer, occurred_at);
)sql";

constexpr char kInsert[] =
    "INSERT INTO events (seq, id, kind, occurred_at, recorded_at, manager, customer, amount_minor, currency, "
    "quantity, category, sku, channel, outcome, score, reference, reverses, reason, attributes) VALUES (?1, ?2, ?3, "
    "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)";

// A row with every value already in its column form: the baseline times SQLite only.
struct Row {
  std::string id, kind;
  int64_t occurred_at = 0, recorded_at = 0;
  std::optional<std::string> manager, customer, currency, category, sku, channel, outcome, reference, reverses, reason,
      attributes;
  std::optional<int64_t> amount_minor, quantity, score;
};

const std::vector<Row>& Rows() {
  static const std::vector<Row>* rows = [] {
    auto* out = new std::vector<Row>;
    for (const Event& e : Events()) {
      Row r;
      r.id = e.id;
      r.kind = std::string(cadre::json::EnumName(e.kind));
      r.occurred_at = absl::ToUnixNanos(e.occurred_at);
      r.recorded_at = absl::ToUnixNanos(kRecordedAt);
      r.manager = e.manager;
      r.customer = e.customer;
      r.amount_minor = e.amount_minor;
      r.currency = e.currency;
      r.quantity = e.quantity;
      r.category = e.category;
      r.sku = e.sku;
      if (e.channel) r.channel = std::string(cadre::json::EnumName(*e.channel));
      r.outcome = e.outcome;
      if (e.score) r.score = e.score->units();
      r.reference = e.reference;
      r.reverses = e.reverses;
      r.reason = e.reason;
      if (!e.attributes.empty()) r.attributes = cadre::json::ToText(e.attributes);
      out->push_back(std::move(r));
    }
    return out;
  }();
  return *rows;
}

void Bind(sqlite3_stmt* s, int i, const std::optional<std::string>& v) {
  if (v) {
    sqlite3_bind_text(s, i, v->data(), static_cast<int>(v->size()), SQLITE_STATIC);
  } else {
    sqlite3_bind_null(s, i);
  }
}
void Bind(sqlite3_stmt* s, int i, const std::optional<int64_t>& v) {
  if (v) {
    sqlite3_bind_int64(s, i, *v);
  } else {
    sqlite3_bind_null(s, i);
  }
}

bool Exec(sqlite3* db, const char* sql, benchmark::State& state) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) == SQLITE_OK) return true;
  state.SkipWithError(error != nullptr ? error : "sqlite3_exec failed");
  sqlite3_free(error);
  return false;
}

void BM_RawSqliteInsert(benchmark::State& state) {
  const std::vector<Row>& rows = Rows();
  const std::string path = TempPath("raw");
  for (auto _ : state) {
    state.PauseTiming();
    RemoveDatabase(path);
    sqlite3* db = nullptr;
    // The same flags and pragmas as the sqlite backend's writer connection.
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
        SQLITE_OK) {
      state.SkipWithError("cannot open the raw sqlite file");
      sqlite3_close_v2(db);
      break;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, 5000);
    bool ok = Exec(db, "PRAGMA journal_mode=WAL", state) && Exec(db, "PRAGMA synchronous=NORMAL", state) &&
              Exec(db, "PRAGMA cache_size=-16384", state) && Exec(db, "BEGIN IMMEDIATE", state) &&
              Exec(db, kEventsSchema, state) && Exec(db, "COMMIT", state);
    sqlite3_stmt* insert = nullptr;
    ok = ok && sqlite3_prepare_v3(db, kInsert, -1, SQLITE_PREPARE_PERSISTENT, &insert, nullptr) == SQLITE_OK;
    state.ResumeTiming();

    int64_t seq = 1;
    for (std::size_t begin = 0; ok && begin < rows.size(); begin += g_batch) {
      ok = Exec(db, "BEGIN IMMEDIATE", state);
      const std::size_t end = std::min(rows.size(), begin + g_batch);
      for (std::size_t i = begin; ok && i < end; ++i) {
        const Row& r = rows[i];
        sqlite3_bind_int64(insert, 1, seq++);
        sqlite3_bind_text(insert, 2, r.id.data(), static_cast<int>(r.id.size()), SQLITE_STATIC);
        sqlite3_bind_text(insert, 3, r.kind.data(), static_cast<int>(r.kind.size()), SQLITE_STATIC);
        sqlite3_bind_int64(insert, 4, r.occurred_at);
        sqlite3_bind_int64(insert, 5, r.recorded_at);
        Bind(insert, 6, r.manager);
        Bind(insert, 7, r.customer);
        Bind(insert, 8, r.amount_minor);
        Bind(insert, 9, r.currency);
        Bind(insert, 10, r.quantity);
        Bind(insert, 11, r.category);
        Bind(insert, 12, r.sku);
        Bind(insert, 13, r.channel);
        Bind(insert, 14, r.outcome);
        Bind(insert, 15, r.score);
        Bind(insert, 16, r.reference);
        Bind(insert, 17, r.reverses);
        Bind(insert, 18, r.reason);
        Bind(insert, 19, r.attributes);
        ok = sqlite3_step(insert) == SQLITE_DONE;
        sqlite3_reset(insert);
      }
      ok = ok && Exec(db, "COMMIT", state);
    }
    if (!ok) state.SkipWithError(sqlite3_errmsg(db));

    state.PauseTiming();
    sqlite3_finalize(insert);
    sqlite3_close_v2(db);
    state.ResumeTiming();
    if (!ok) break;
  }
  RemoveDatabase(path);
  Finish(state);
}
BENCHMARK(BM_RawSqliteInsert)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

// ---- Reporting ---------------------------------------------------------------------------

using RateReporter = cadre::bench::RateReporter;

void PrintSummary(const RateReporter& r) {
  std::printf("\nIngest of %zu events in batches of %zu (events/s)\n", Events().size(), g_batch);
  std::printf("  %-30s %14s %14s\n", "", "wall time", "CPU time");
  for (const char* name : {"BM_MemoryStoreCommit", "BM_MemoryStoreCommitThenScan", "BM_MemoryWorkspaceIngest",
                           "BM_SqliteStoreCommit", "BM_SqliteWorkspaceIngest", "BM_RawSqliteInsert"}) {
    if (auto rate = r.Get(name)) std::printf("  %-30s %14.0f %14.0f\n", name, rate->wall, rate->cpu);
  }
  std::printf("\nTargets (wall time; CPU time in brackets)\n");
  auto ratio = [&](const char* label, const char* a, const char* b, double target) {
    auto x = r.Get(a), y = r.Get(b);
    if (!x || !y || y->wall <= 0 || y->cpu <= 0) return;
    const double wall = x->wall / y->wall, cpu = x->cpu / y->cpu;
    std::printf("  %-40s %6.2f (%4.2f)          target >= %.2f: %s\n", label, wall, cpu, target,
                wall >= target ? "met" : "MISSED");
  };
  ratio("sqlite Store::Commit / raw SQLite", "BM_SqliteStoreCommit", "BM_RawSqliteInsert", 0.5);
  ratio("sqlite Workspace::Ingest / raw SQLite", "BM_SqliteWorkspaceIngest", "BM_RawSqliteInsert", 0.5);
  for (const char* name : {"BM_MemoryStoreCommit", "BM_MemoryStoreCommitThenScan", "BM_MemoryWorkspaceIngest"}) {
    if (auto rate = r.Get(name)) {
      std::printf("  %-40s %6.2f (%4.2f) M/s      target >= 2.00 M/s: %s\n", name, rate->wall / 1e6, rate->cpu / 1e6,
                  rate->wall >= 2e6 ? "met" : "MISSED");
    }
  }
}

// Takes --cadre_events=N and --cadre_batch=N out of argv before Google Benchmark sees it.
void ParseOwnFlags(int& argc, char** argv) {
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg(argv[i]);
    auto value = [&](std::string_view flag) -> std::optional<std::size_t> {
      if (arg.substr(0, flag.size()) != flag) return std::nullopt;
      const long long n = std::atoll(argv[i] + flag.size());
      return n > 0 ? std::optional<std::size_t>(static_cast<std::size_t>(n)) : std::nullopt;
    };
    if (auto n = value("--cadre_events=")) {
      g_events = *n;
    } else if (auto b = value("--cadre_batch=")) {
      g_batch = *b;
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
}

}  // namespace

int main(int argc, char** argv) {
  ParseOwnFlags(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  Events();  // generate before any timing
  RateReporter reporter(Events().size());
  benchmark::RunSpecifiedBenchmarks(&reporter);
  PrintSummary(reporter);
  benchmark::Shutdown();
  return 0;
}
