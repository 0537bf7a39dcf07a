// kpi_benchmark — the KPI engine (cadre/kpi.h) at retail scale, against a
// hand-written SQL query on SQLite and against a plain loop over arrays.
//
//   CADRE_KPI_BENCH_EVENTS=N [CADRE_KPI_BENCH_CUSTOMERS=C] kpi_benchmark [Google Benchmark flags]
//
// The data set (generated once per process, before any timing): the synthetic
// retailer of cadre/synth.h with 10,000 account managers (10 regions x 10 stores
// x 10 teams x 10 managers) and about N = 10,000,000 sales and returns over
// 2025, nothing else but the ownership assignments that credit them
// (interactions, follow-ups and opportunities switched off). The generator makes
// about 3.95 sales and returns per customer and year and has no knob for that
// rate, so the customer count follows from N: C = N / 3.95 (2.53 million at
// 10 million events) unless CADRE_KPI_BENCH_CUSTOMERS says otherwise. Targets:
// one net_sales target per manager and month (120,000 documents), prorated by
// employed days (the default).
//
// The scorecard: every manager's net sales, orders, new customers and net-sales
// attainment for a month of 2025 (the workspace zone, Asia/Shanghai); "year" is
// the twelve monthly scorecards. The benchmarks, in the order they run:
//
//   BM_PlainLoopMonth / Year   the scan limit: one pass over the sales and returns
//                              held in columns (credited manager, customer, month,
//                              kind, amount), figures of one month / all twelve
//   BM_SqlLoad                 the baseline's load (once): the same rows into a
//                              hand-written SQLite schema, indexes and the
//                              first-purchase table maintained as they go
//   BM_SqlMonth                one month's query, warm connection
//   BM_SqlYearCold / Warm      the twelve queries on a new / a warm connection
//   BM_SqlRefresh1000          1,000 new rows inserted, then the month's query
//   BM_Footprint               resident memory, in a forked child process: a
//                              KpiEngine on the configuration alone, a memory:
//                              workspace holding the events, then the engine
//                              caught up on them
//   BM_IngestMemory            Workspace::Ingest of every event into memory: (once)
//   BM_CatchUp/memory          KpiEngine::CatchUp over them (once)
//   BM_WarmMonth / WarmYear    GetScorecard again for one month / the year
//   BM_RecomputeMonth / Year   RecomputeScorecard: the full pass, no cache
//   BM_Refresh1000/memory      1,000 new events ingested into memory:, CatchUp,
//                              the month's scorecard
//   BM_IngestSqlite            Workspace::Ingest of every event into sqlite: (once)
//   BM_ColdYear/sqlite         a new Workspace on that file, a new KpiEngine,
//                              CatchUp, the twelve scorecards (once)
//   BM_WarmMonth / WarmYear /sqlite   the same queries again on that engine
//
// After the table, a summary prints every figure with its ratio to the baselines
// and the issue's targets. See benchmarks/README.md.
#include <malloc.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "cadre/crm.h"
#include "cadre/event.h"
#include "cadre/json.h"
#include "cadre/model.h"
#include "cadre/period.h"
#include "cadre/status.h"
#include "cadre/synth.h"
#include "cadre/workspace.h"
#ifndef CADRE_KPI_BENCH_WITHOUT_ENGINE
#include "cadre/kpi.h"
#endif

namespace {

using cadre::Event;
using cadre::EventKind;

constexpr int kYear = 2025;
constexpr int kMonth = 6;  // the month of the single-month figures (618)
constexpr std::size_t kBatch = 10'000;
constexpr std::size_t kRefreshEvents = 1'000;
constexpr double kSalesAndReturnsPerCustomer = 3.95;  // what the generator makes a year (measured)
constexpr char kZone[] = "Asia/Shanghai";
const absl::Time kRecordedAt = absl::FromUnixSeconds(1767225600);  // 2026-01-01: a fixed ingest clock

std::size_t EnvSize(const char* name, std::size_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  const long long n = std::atoll(v);
  return n > 0 ? static_cast<std::size_t>(n) : fallback;
}

double Seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

cadre::SynthOptions Options() {
  static const cadre::SynthOptions options = [] {
    const std::size_t events = EnvSize("CADRE_KPI_BENCH_EVENTS", 10'000'000);
    cadre::SynthOptions o;
    o.regions = 10;
    o.stores_per_region = 10;
    o.teams_per_store = 10;
    o.managers_per_team = 10;
    o.customers = static_cast<int>(EnvSize(
        "CADRE_KPI_BENCH_CUSTOMERS", static_cast<std::size_t>(std::llround(events / kSalesAndReturnsPerCustomer))));
    o.year = kYear;
    o.time_zone = kZone;
    // Sales and returns only (and the assignments that credit them).
    o.interactions_per_customer = 0;
    o.next_step_per_mille = 0;
    o.follow_ups_per_mille = 0;
    o.opportunities_per_manager_month = 0;
    return o;
  }();
  return options;
}

std::string MonthName(int month) { return absl::StrCat(kYear, "-", month < 10 ? "0" : "", month); }

// ---- The data set in columns -------------------------------------------------------------

struct Data {
  std::vector<cadre::OrgUnit> org_units;
  std::vector<cadre::Manager> managers;
  absl::flat_hash_map<std::string, int32_t> manager_index;
  int customers = 0;
  std::size_t all_events = 0;  // everything generated (assignments included)
  std::size_t assignments = 0;
  double generate_seconds = 0;

  // Sales and returns, in log order (occurred_at, then generation order).
  std::vector<int64_t> at;       // unix seconds
  std::vector<int64_t> amount;   // minor units
  std::vector<int32_t> manager;  // credited: named on the event, else the owner then; -1: nobody
  std::vector<int32_t> customer;
  std::vector<uint8_t> month;  // 0..11: month of 2025 in the workspace zone; 12: outside the year
  std::vector<uint8_t> kind;   // 0 sale, 1 return

  std::array<int64_t, 13> month_start{};  // unix seconds; [12] = the end of the year
  std::array<int64_t, 12> month_first_day{}, month_last_day{}, month_days{};  // civil days since 1970-01-01
  std::vector<int64_t> target;   // [manager * 12 + month]: the target document's value
  std::vector<double> prorated;  // the same times employed days / days in the month

  std::size_t size() const { return at.size(); }
};

int64_t DayNumber(absl::CivilDay d) { return d - absl::CivilDay(1970, 1, 1); }

struct Cell {
  int64_t net = 0, orders = 0, new_customers = 0;
};

// The scan limit: one pass over the columns. `month` 0..11 fills cells[manager]
// for that month; -1 fills cells[manager * 12 + month] for all twelve. A
// customer's first purchase ever is its first sale in the pass (the columns are
// in log order), kept in a bitmap of one bit per customer.
void PlainLoop(const Data& d, int month, std::vector<Cell>& cells, std::vector<uint64_t>& seen) {
  const std::size_t managers = d.managers.size();
  cells.assign(month < 0 ? managers * 12 : managers, Cell{});
  seen.assign((static_cast<std::size_t>(d.customers) + 63) / 64, 0);
  const std::size_t n = d.size();
  const int64_t* amount = d.amount.data();
  const int32_t* manager = d.manager.data();
  const int32_t* customer = d.customer.data();
  const uint8_t* mon = d.month.data();
  const uint8_t* kind = d.kind.data();
  for (std::size_t i = 0; i < n; ++i) {
    int64_t first = 0;
    if (kind[i] == 0) {
      const auto c = static_cast<uint32_t>(customer[i]);
      const uint64_t bit = uint64_t{1} << (c & 63);
      first = (seen[c >> 6] & bit) == 0;
      seen[c >> 6] |= bit;
    }
    const int mo = mon[i];
    const int32_t m = manager[i];
    if (m < 0 || (month < 0 ? mo >= 12 : mo != month)) continue;
    Cell& x = cells[month < 0 ? static_cast<std::size_t>(m) * 12 + static_cast<std::size_t>(mo)
                              : static_cast<std::size_t>(m)];
    if (kind[i] == 0) {
      x.net += amount[i];
      x.orders += 1;
      x.new_customers += first;
    } else {
      x.net -= amount[i];
    }
  }
}

// Attainment of net sales: net / prorated target (absent: no target).
double Attainment(const Data& d, std::size_t manager, int month, int64_t net) {
  const double t = d.prorated[manager * 12 + static_cast<std::size_t>(month)];
  return t > 0 ? static_cast<double>(net) / t : std::nan("");
}

int CustomerIndex(const std::string& id) {  // "C000042" -> 41
  int n = 0;
  std::from_chars(id.data() + 1, id.data() + id.size(), n);
  return n - 1;
}

std::string CustomerId(int index) {
  std::string digits = absl::StrCat(index + 1);
  return absl::StrCat("C", std::string(digits.size() < 6 ? 6 - digits.size() : 0, '0'), digits);
}

const Data& GetData() {
  static const Data* data = [] {
    auto* d = new Data;
    const auto start = std::chrono::steady_clock::now();
    cadre::SynthOptions org_only = Options();
    org_only.customers = 0;  // the org and the managers come from a stream of their own
    cadre::SynthDataset org = cadre::GenerateRetail(org_only);
    d->org_units = std::move(org.org_units);
    d->managers = std::move(org.managers);
    for (std::size_t i = 0; i < d->managers.size(); ++i) d->manager_index[d->managers[i].id] = static_cast<int32_t>(i);
    d->customers = Options().customers;

    absl::TimeZone tz;
    absl::LoadTimeZone(kZone, &tz);
    for (int m = 0; m < 12; ++m) {
      const absl::CivilDay first(kYear, m + 1, 1), next(absl::CivilMonth(kYear, m + 1) + 1);
      d->month_start[static_cast<std::size_t>(m)] = absl::ToUnixSeconds(absl::FromCivil(first, tz));
      d->month_first_day[static_cast<std::size_t>(m)] = DayNumber(first);
      d->month_last_day[static_cast<std::size_t>(m)] = DayNumber(next) - 1;
      d->month_days[static_cast<std::size_t>(m)] = next - first;
    }
    d->month_start[12] = absl::ToUnixSeconds(absl::FromCivil(absl::CivilDay(kYear + 1, 1, 1), tz));

    std::vector<int32_t> owner(static_cast<std::size_t>(d->customers), -1);
    auto index_of = [&](const std::optional<std::string>& id) -> int32_t {
      if (!id) return -1;
      auto it = d->manager_index.find(*id);
      return it == d->manager_index.end() ? -1 : it->second;
    };
    cadre::GenerateRetailEvents(Options(), [&](const Event& e) {
      ++d->all_events;
      if (e.kind == EventKind::kAssignment) {
        ++d->assignments;
        if (e.customer) owner[static_cast<std::size_t>(CustomerIndex(*e.customer))] = index_of(e.manager);
        return true;
      }
      if (e.kind != EventKind::kSale && e.kind != EventKind::kReturn) return true;
      const int c = CustomerIndex(*e.customer);
      const int64_t t = absl::ToUnixSeconds(e.occurred_at);
      int32_t m = index_of(e.manager);
      if (!e.manager) m = owner[static_cast<std::size_t>(c)];
      d->at.push_back(t);
      d->amount.push_back(e.amount_minor.value_or(0));
      d->manager.push_back(m);
      d->customer.push_back(c);
      const auto mo = std::upper_bound(d->month_start.begin(), d->month_start.end(), t) - d->month_start.begin() - 1;
      d->month.push_back(mo < 0 || mo >= 12 ? 12 : static_cast<uint8_t>(mo));
      d->kind.push_back(e.kind == EventKind::kSale ? 0 : 1);
      return true;
    });

    // Targets: each manager's actual net sales of the month times 0.8 to 1.25
    // (a fixed draw per manager and month), rounded to 100, at least 100,000.
    std::vector<Cell> cells;
    std::vector<uint64_t> seen;
    PlainLoop(*d, -1, cells, seen);
    const std::size_t managers = d->managers.size();
    d->target.resize(managers * 12);
    d->prorated.resize(managers * 12);
    for (std::size_t m = 0; m < managers; ++m) {
      const cadre::Manager& mgr = d->managers[m];
      for (std::size_t mo = 0; mo < 12; ++mo) {
        const uint64_t h = (m * 12 + mo) * 0x9E3779B97F4A7C15ull;
        const int64_t factor = 80 + static_cast<int64_t>((h >> 40) % 46);
        const int64_t t = std::max<int64_t>(100'000, cells[m * 12 + mo].net * factor / 100 / 100 * 100);
        d->target[m * 12 + mo] = t;
        int64_t from = d->month_first_day[mo], to = d->month_last_day[mo];
        if (mgr.hired_on) from = std::max(from, DayNumber(*mgr.hired_on));
        if (mgr.left_on) to = std::min(to, DayNumber(*mgr.left_on));
        const int64_t employed = to < from ? 0 : to - from + 1;
        d->prorated[m * 12 + mo] =
            static_cast<double>(t) * static_cast<double>(employed) / static_cast<double>(d->month_days[mo]);
      }
    }
    d->generate_seconds = Seconds(std::chrono::steady_clock::now() - start);
    return d;
  }();
  return *data;
}

// The events of the refresh benchmarks: iteration `round` adds kRefreshEvents
// copies (new ids, named manager) of December sales spread over the month.
std::vector<std::size_t>& DecemberSales() {
  static std::vector<std::size_t>* sales = [] {
    auto* out = new std::vector<std::size_t>;
    const Data& d = GetData();
    for (std::size_t i = 0; i < d.size(); ++i)
      if (d.month[i] == 11 && d.kind[i] == 0 && d.manager[i] >= 0) out->push_back(i);
    return out;
  }();
  return *sales;
}

std::size_t RefreshSource(std::size_t round, std::size_t i) {
  const std::vector<std::size_t>& sales = DecemberSales();
  return sales[(round * 7919 + i * 104'729) % sales.size()];
}

std::vector<Event> RefreshBatch(std::size_t round) {
  const Data& d = GetData();
  std::vector<Event> out;
  out.reserve(kRefreshEvents);
  for (std::size_t i = 0; i < kRefreshEvents && !DecemberSales().empty(); ++i) {
    const std::size_t s = RefreshSource(round, i);
    Event e;
    e.id = absl::StrCat("N-", round, "-", i);
    e.kind = EventKind::kSale;
    e.occurred_at = absl::FromUnixSeconds(d.at[s]);
    e.customer = CustomerId(d.customer[s]);
    e.manager = d.managers[static_cast<std::size_t>(d.manager[s])].id;
    e.amount_minor = d.amount[s];
    e.quantity = 1;
    out.push_back(std::move(e));
  }
  return out;
}

// ---- Temp files ------------------------------------------------------------------------

const std::filesystem::path& TempDir() {
  static const std::filesystem::path* dir = [] {
    std::error_code ec;
    std::filesystem::path base = std::filesystem::temp_directory_path(ec);
    if (ec) base = "/tmp";
    auto* p = new std::filesystem::path(base / absl::StrCat("cadre_kpi_bench_", getpid()));
    std::filesystem::create_directories(*p, ec);
    return p;
  }();
  return *dir;
}

std::string TempPath(std::string_view what) {
  return (TempDir() / absl::StrCat(cadre::AbslView(what), ".db")).string();
}

int64_t FileBytes(const std::string& path) {
  int64_t total = 0;
  std::error_code ec;
  for (const std::string& p : {path, path + "-wal"}) {
    const auto n = std::filesystem::file_size(p, ec);
    if (!ec) total += static_cast<int64_t>(n);
  }
  return total;
}

void RemoveTempDir() {
  std::error_code ec;
  std::filesystem::remove_all(TempDir(), ec);
}

// ---- The baseline: hand-written SQL on SQLite ---------------------------------------------

// Integer keys for managers and customers; the credited manager is resolved when
// a row is written (as the engine does when it catches up). A covering index on
// (manager, occurred_at) serves each manager's month as one range; new customers
// come from a first-purchase table (one row per customer, kept by INSERT OR IGNORE
// as sales arrive in time order) with its own (manager, occurred_at) index.
constexpr char kSqlSchema[] = R"sql(
CREATE TABLE managers (id INTEGER PRIMARY KEY, code TEXT NOT NULL, hired_day INTEGER, left_day INTEGER);
CREATE TABLE targets (manager INTEGER NOT NULL, period TEXT NOT NULL, value INTEGER NOT NULL,
                      PRIMARY KEY (manager, period)) WITHOUT ROWID;
CREATE TABLE events (seq INTEGER PRIMARY KEY, manager INTEGER, customer INTEGER NOT NULL, kind INTEGER NOT NULL,
                     occurred_at INTEGER NOT NULL, amount INTEGER NOT NULL);
CREATE INDEX events_by_manager ON events (manager, occurred_at, kind, amount);
CREATE TABLE first_purchases (customer INTEGER PRIMARY KEY, manager INTEGER, occurred_at INTEGER NOT NULL);
CREATE INDEX first_purchases_by_manager ON first_purchases (manager, occurred_at);
)sql";

// ?1, ?2: the month's [start, end) in unix seconds; ?3 its name; ?4, ?5 its first
// and last day (days since 1970-01-01), ?6 its length in days.
constexpr char kSqlMonth[] = R"sql(
WITH s AS (SELECT m.id AS manager, SUM(CASE e.kind WHEN 0 THEN e.amount ELSE -e.amount END) AS net,
                  SUM(e.kind = 0) AS orders
           FROM managers m JOIN events e ON e.manager = m.id AND e.occurred_at >= ?1 AND e.occurred_at < ?2
           GROUP BY m.id),
     n AS (SELECT m.id AS manager, COUNT(*) AS new_customers
           FROM managers m JOIN first_purchases f ON f.manager = m.id AND f.occurred_at >= ?1 AND f.occurred_at < ?2
           GROUP BY m.id),
     r AS (SELECT m.id AS manager, COALESCE(s.net, 0) AS net, COALESCE(s.orders, 0) AS orders,
                  COALESCE(n.new_customers, 0) AS new_customers,
                  t.value * MAX(0, MIN(?5, COALESCE(m.left_day, ?5)) - MAX(?4, COALESCE(m.hired_day, ?4)) + 1)
                      / CAST(?6 AS REAL) AS target
           FROM managers m LEFT JOIN s ON s.manager = m.id LEFT JOIN n ON n.manager = m.id
                LEFT JOIN targets t ON t.manager = m.id AND t.period = ?3)
SELECT manager, net, orders, new_customers, target, CASE WHEN target > 0 THEN net / target END AS attainment
FROM r ORDER BY manager
)sql";

struct SqlRow {
  int64_t net = 0, orders = 0, new_customers = 0;
  double attainment = 0;
};

class SqlDb {
 public:
  ~SqlDb() { Close(); }
  bool Open(const std::string& path, std::string& error) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
      error = "cannot open the SQL baseline's file";
      return false;
    }
    // The sqlite backend's pragmas.
    return Exec("PRAGMA journal_mode=WAL", error) && Exec("PRAGMA synchronous=NORMAL", error) &&
           Exec("PRAGMA cache_size=-16384", error);
  }
  void Close() {
    if (month_ != nullptr) sqlite3_finalize(month_);
    month_ = nullptr;
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = nullptr;
  }
  sqlite3* db() { return db_; }
  bool Exec(const char* sql, std::string& error) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) == SQLITE_OK) return true;
    error = message != nullptr ? message : "sqlite3_exec failed";
    sqlite3_free(message);
    return false;
  }
  // The scorecard of month 0..11: one row per manager (by id) into `rows`.
  bool Month(const Data& d, int month, std::vector<SqlRow>& rows, std::string& error) {
    if (month_ == nullptr &&
        sqlite3_prepare_v3(db_, kSqlMonth, -1, SQLITE_PREPARE_PERSISTENT, &month_, nullptr) != SQLITE_OK) {
      error = sqlite3_errmsg(db_);
      return false;
    }
    const auto mo = static_cast<std::size_t>(month);
    const std::string name = MonthName(month + 1);
    sqlite3_bind_int64(month_, 1, d.month_start[mo]);
    sqlite3_bind_int64(month_, 2, d.month_start[mo + 1]);
    sqlite3_bind_text(month_, 3, name.data(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(month_, 4, d.month_first_day[mo]);
    sqlite3_bind_int64(month_, 5, d.month_last_day[mo]);
    sqlite3_bind_int64(month_, 6, d.month_days[mo]);
    rows.assign(d.managers.size(), SqlRow{});
    int rc;
    while ((rc = sqlite3_step(month_)) == SQLITE_ROW) {
      const int64_t m = sqlite3_column_int64(month_, 0);
      if (m < 0 || static_cast<std::size_t>(m) >= rows.size()) continue;
      SqlRow& r = rows[static_cast<std::size_t>(m)];
      r.net = sqlite3_column_int64(month_, 1);
      r.orders = sqlite3_column_int64(month_, 2);
      r.new_customers = sqlite3_column_int64(month_, 3);
      r.attainment = sqlite3_column_type(month_, 5) == SQLITE_NULL ? std::nan("") : sqlite3_column_double(month_, 5);
    }
    sqlite3_reset(month_);
    if (rc != SQLITE_DONE) {
      error = sqlite3_errmsg(db_);
      return false;
    }
    return true;
  }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* month_ = nullptr;
};

struct SqlInserter {
  sqlite3_stmt* event = nullptr;
  sqlite3_stmt* first = nullptr;
  bool Prepare(sqlite3* db) {
    return sqlite3_prepare_v3(db,
                              "INSERT INTO events (seq, manager, customer, kind, occurred_at, amount) VALUES "
                              "(?1, ?2, ?3, ?4, ?5, ?6)",
                              -1, SQLITE_PREPARE_PERSISTENT, &event, nullptr) == SQLITE_OK &&
           sqlite3_prepare_v3(db, "INSERT OR IGNORE INTO first_purchases VALUES (?1, ?2, ?3)", -1,
                              SQLITE_PREPARE_PERSISTENT, &first, nullptr) == SQLITE_OK;
  }
  ~SqlInserter() {
    sqlite3_finalize(event);
    sqlite3_finalize(first);
  }
  bool Insert(int64_t seq, int32_t manager, int32_t customer, uint8_t kind, int64_t at, int64_t amount) {
    sqlite3_bind_int64(event, 1, seq);
    if (manager >= 0) {
      sqlite3_bind_int64(event, 2, manager);
    } else {
      sqlite3_bind_null(event, 2);
    }
    sqlite3_bind_int64(event, 3, customer);
    sqlite3_bind_int64(event, 4, kind);
    sqlite3_bind_int64(event, 5, at);
    sqlite3_bind_int64(event, 6, amount);
    bool ok = sqlite3_step(event) == SQLITE_DONE;
    sqlite3_reset(event);
    if (ok && kind == 0) {
      sqlite3_bind_int64(first, 1, customer);
      if (manager >= 0) {
        sqlite3_bind_int64(first, 2, manager);
      } else {
        sqlite3_bind_null(first, 2);
      }
      sqlite3_bind_int64(first, 3, at);
      ok = sqlite3_step(first) == SQLITE_DONE;
      sqlite3_reset(first);
    }
    return ok;
  }
};

struct SqlState {
  std::string path;
  bool loaded = false;
  double load_seconds = 0;
  int64_t next_seq = 1;
  std::unique_ptr<SqlDb> warm;  // the warm connection
};

SqlState& Sql() {
  static SqlState* s = new SqlState{.path = TempPath("sql_baseline")};
  return *s;
}

// Loads the baseline's file (schema, managers, targets, every sale and return).
bool LoadSql(std::string& error) {
  const Data& d = GetData();
  SqlState& s = Sql();
  std::error_code ec;
  for (const std::string& p : {s.path, s.path + "-wal", s.path + "-shm"}) std::filesystem::remove(p, ec);
  SqlDb db;
  if (!db.Open(s.path, error) || !db.Exec("BEGIN IMMEDIATE", error) || !db.Exec(kSqlSchema, error)) return false;
  {
    sqlite3_stmt* m = nullptr;
    sqlite3_stmt* t = nullptr;
    sqlite3_prepare_v2(db.db(), "INSERT INTO managers VALUES (?1, ?2, ?3, ?4)", -1, &m, nullptr);
    sqlite3_prepare_v2(db.db(), "INSERT INTO targets VALUES (?1, ?2, ?3)", -1, &t, nullptr);
    bool ok = m != nullptr && t != nullptr;
    for (std::size_t i = 0; ok && i < d.managers.size(); ++i) {
      const cadre::Manager& mgr = d.managers[i];
      sqlite3_bind_int64(m, 1, static_cast<int64_t>(i));
      sqlite3_bind_text(m, 2, mgr.id.data(), static_cast<int>(mgr.id.size()), SQLITE_STATIC);
      if (mgr.hired_on) {
        sqlite3_bind_int64(m, 3, DayNumber(*mgr.hired_on));
      } else {
        sqlite3_bind_null(m, 3);
      }
      if (mgr.left_on) {
        sqlite3_bind_int64(m, 4, DayNumber(*mgr.left_on));
      } else {
        sqlite3_bind_null(m, 4);
      }
      ok = sqlite3_step(m) == SQLITE_DONE;
      sqlite3_reset(m);
      for (int mo = 0; ok && mo < 12; ++mo) {
        const std::string period = MonthName(mo + 1);
        sqlite3_bind_int64(t, 1, static_cast<int64_t>(i));
        sqlite3_bind_text(t, 2, period.data(), static_cast<int>(period.size()), SQLITE_TRANSIENT);
        sqlite3_bind_int64(t, 3, d.target[i * 12 + static_cast<std::size_t>(mo)]);
        ok = sqlite3_step(t) == SQLITE_DONE;
        sqlite3_reset(t);
      }
    }
    sqlite3_finalize(m);
    sqlite3_finalize(t);
    if (!ok) {
      error = sqlite3_errmsg(db.db());
      return false;
    }
  }
  if (!db.Exec("COMMIT", error)) return false;
  SqlInserter insert;
  if (!insert.Prepare(db.db())) {
    error = sqlite3_errmsg(db.db());
    return false;
  }
  int64_t seq = 1;
  for (std::size_t begin = 0; begin < d.size(); begin += kBatch) {
    if (!db.Exec("BEGIN IMMEDIATE", error)) return false;
    const std::size_t end = std::min(d.size(), begin + kBatch);
    for (std::size_t i = begin; i < end; ++i) {
      if (!insert.Insert(seq++, d.manager[i], d.customer[i], d.kind[i], d.at[i], d.amount[i])) {
        error = sqlite3_errmsg(db.db());
        return false;
      }
    }
    if (!db.Exec("COMMIT", error)) return false;
  }
  // A competent hand-writer gives the planner its statistics.
  if (!db.Exec("ANALYZE", error)) return false;
  s.next_seq = seq;
  s.loaded = true;
  return true;
}

bool EnsureSql(std::string& error) {
  if (Sql().loaded) return true;
  return LoadSql(error);
}

SqlDb* WarmSql(std::string& error) {
  SqlState& s = Sql();
  if (s.warm == nullptr) {
    auto db = std::make_unique<SqlDb>();
    if (!db->Open(s.path, error)) return nullptr;
    s.warm = std::move(db);
  }
  return s.warm.get();
}

// Rows of `month` that disagree with the plain loop (net, orders, new customers,
// or attainment beyond 1e-9 relative).
int64_t SqlMismatches(const Data& d, int month, const std::vector<SqlRow>& rows) {
  std::vector<Cell> cells;
  std::vector<uint64_t> seen;
  PlainLoop(d, month, cells, seen);
  int64_t bad = 0;
  for (std::size_t m = 0; m < cells.size(); ++m) {
    const SqlRow& r = rows[m];
    const double a = Attainment(d, m, month, cells[m].net);
    const bool attainment_ok =
        std::isnan(a) ? std::isnan(r.attainment) : std::abs(r.attainment - a) <= 1e-9 * std::max(1.0, std::abs(a));
    if (r.net != cells[m].net || r.orders != cells[m].orders || r.new_customers != cells[m].new_customers ||
        !attainment_ok)
      ++bad;
  }
  return bad;
}

// ---- Memory ---------------------------------------------------------------------------------

int64_t Rss() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atoll(line.c_str() + 6) * 1024;
  }
  return -1;
}

// ---- Workspaces ---------------------------------------------------------------------------

absl::StatusOr<std::unique_ptr<cadre::Workspace>> OpenWorkspace(const std::string& uri) {
  return cadre::Workspace::Open(uri, {.currency = "CNY", .time_zone = kZone, .clock = [] { return kRecordedAt; }});
}

// The org units, managers and targets (no customer documents: the scorecard does
// not read them).
absl::Status PutConfiguration(cadre::Workspace& ws) {
  const Data& d = GetData();
  std::vector<cadre::Workspace::DocumentPut> puts;
  auto flush = [&]() -> absl::Status {
    if (puts.empty()) return absl::OkStatus();
    absl::Status s = ws.PutAll(puts).status();
    puts.clear();
    return s;
  };
  for (const cadre::OrgUnit& u : d.org_units) puts.push_back({"org_units", u.id, cadre::json::ToText(u), {}});
  CADRE_RETURN_IF_ERROR(flush());
  for (const cadre::Manager& m : d.managers) puts.push_back({"managers", m.id, cadre::json::ToText(m), {}});
  CADRE_RETURN_IF_ERROR(flush());
  for (std::size_t m = 0; m < d.managers.size(); ++m) {
    for (int mo = 0; mo < 12; ++mo) {
      const std::string period = MonthName(mo + 1);
      const std::string id = absl::StrCat("T-", d.managers[m].id, "-", period);
      puts.push_back(
          {"targets",
           id,
           absl::StrCat(R"({"id":")", id, R"(","metric":"net_sales","manager":")", d.managers[m].id, R"(","period":")",
                        period, R"(","value":")", d.target[m * 12 + static_cast<std::size_t>(mo)], R"("})"),
           {}});
      if (puts.size() == kBatch) CADRE_RETURN_IF_ERROR(flush());
    }
  }
  return flush();
}

// Streams every event of the data set from the generator into `ws` in batches.
// With `state` (whose timer is paused), only the Ingest calls are timed.
std::string IngestAll(benchmark::State* state, cadre::Workspace& ws) {
  std::vector<Event> batch;
  batch.reserve(kBatch);
  std::string error;
  auto flush = [&] {
    const std::size_t n = batch.size();
    if (state != nullptr) state->ResumeTiming();
    absl::StatusOr<cadre::IngestReport> r = ws.Ingest(std::move(batch), cadre::IngestMode::kAtomic);
    if (state != nullptr) state->PauseTiming();
    if (!r.ok()) {
      error = std::string(r.status().message());
    } else if (!r->committed || r->accepted != n) {
      error = absl::StrCat("a batch was not accepted whole: ", r->accepted, " of ", n, r->rejected.empty() ? "" : ": ",
                           r->rejected.empty() ? "" : r->rejected.front().message);
    }
    batch.clear();
    batch.reserve(kBatch);
  };
  cadre::GenerateRetailEvents(Options(), [&](const Event& e) {
    batch.push_back(e);
    if (batch.size() == kBatch) flush();
    return error.empty();
  });
  if (error.empty() && !batch.empty()) flush();
  return error;
}

#ifndef CADRE_KPI_BENCH_WITHOUT_ENGINE

cadre::ScorecardRequest MonthRequest(int month) {
  cadre::ScorecardRequest r;
  r.metrics = {"net_sales", "orders", "new_customers"};
  r.period = *cadre::Period::Parse(MonthName(month));
  r.units_rollup = false;
  r.compare_previous = false;
  return r;
}

// Manager rows of `card` (month 0..11) that disagree with the plain loop.
int64_t EngineMismatches(const Data& d, int month, const cadre::Scorecard& card) {
  std::vector<Cell> cells;
  std::vector<uint64_t> seen;
  PlainLoop(d, month, cells, seen);
  std::vector<bool> found(cells.size(), false);
  int64_t bad = 0;
  for (const cadre::ScorecardRow& row : card.managers) {
    auto it = d.manager_index.find(row.subject);
    if (it == d.manager_index.end() || row.figures.size() != 3) {
      ++bad;
      continue;
    }
    const auto m = static_cast<std::size_t>(it->second);
    found[m] = true;
    const Cell& c = cells[m];
    auto count = [](const cadre::Figure& f) { return f.value ? std::llround(*f.value) : 0; };
    const double a = Attainment(d, m, month, c.net);
    const std::optional<double>& got = row.figures[0].attainment;
    const bool attainment_ok =
        std::isnan(a) ? !got.has_value() : got.has_value() && std::abs(*got - a) <= 1e-9 * std::max(1.0, std::abs(a));
    if (count(row.figures[0]) != c.net || count(row.figures[1]) != c.orders ||
        count(row.figures[2]) != c.new_customers || !attainment_ok) {
      if (++bad <= 3) {  // name the first few on stderr
        std::fprintf(stderr,
                     "%s %s: engine net %lld orders %lld new %lld attainment %g; plain loop %lld %lld %lld %g\n",
                     MonthName(month + 1).c_str(), row.subject.c_str(), count(row.figures[0]), count(row.figures[1]),
                     count(row.figures[2]), got.value_or(std::nan("")), static_cast<long long>(c.net),
                     static_cast<long long>(c.orders), static_cast<long long>(c.new_customers), a);
      }
    }
  }
  // A manager without a row must have nothing to show.
  for (std::size_t m = 0; m < cells.size(); ++m)
    if (!found[m] && (cells[m].net != 0 || cells[m].orders != 0)) ++bad;
  return bad;
}

struct Engine {
  std::unique_ptr<cadre::Workspace> ws;
  std::unique_ptr<cadre::KpiEngine> kpi;
  std::size_t refresh_rounds = 0;
};

Engine& MemoryEngine() {
  static Engine* e = new Engine;
  return *e;
}
Engine& SqliteEngine() {
  static Engine* e = new Engine;
  return *e;
}
std::string SqliteWorkspacePath() { return TempPath("workspace"); }
bool g_sqlite_workspace_written = false;

// A workspace holding the data set: memory: or the sqlite: file; with `state`,
// the ingest is timed (the timer is left paused).
std::string FillWorkspace(benchmark::State* state, bool sqlite, std::unique_ptr<cadre::Workspace>& out) {
  if (state != nullptr) state->PauseTiming();
  if (sqlite) {
    std::error_code ec;
    for (const std::string& p : {SqliteWorkspacePath(), SqliteWorkspacePath() + "-wal", SqliteWorkspacePath() + "-shm"})
      std::filesystem::remove(p, ec);
  }
  absl::StatusOr<std::unique_ptr<cadre::Workspace>> ws =
      OpenWorkspace(sqlite ? "sqlite:" + SqliteWorkspacePath() : "memory:");
  if (!ws.ok()) return std::string(ws.status().message());
  if (absl::Status s = PutConfiguration(**ws); !s.ok()) return std::string(s.message());
  std::string error = IngestAll(state, **ws);
  if (!error.empty()) return error;
  out = *std::move(ws);
  if (sqlite) g_sqlite_workspace_written = true;
  return "";
}

// The memory: engine, caught up (built untimed if no benchmark built it).
Engine* ReadyMemoryEngine(std::string& error) {
  Engine& e = MemoryEngine();
  if (e.ws == nullptr) error = FillWorkspace(nullptr, false, e.ws);
  if (!error.empty()) return nullptr;
  if (e.kpi == nullptr) {
    e.kpi = std::make_unique<cadre::KpiEngine>(*e.ws);
    if (absl::Status s = e.kpi->CatchUp(); !s.ok()) {
      error = std::string(s.message());
      return nullptr;
    }
  }
  return &e;
}

// Opens the sqlite: file (writing it first if needed) with a new engine, caught up.
std::string OpenSqliteEngine(Engine& e) {
  if (!g_sqlite_workspace_written) {
    std::unique_ptr<cadre::Workspace> ws;
    if (std::string error = FillWorkspace(nullptr, true, ws); !error.empty()) return error;
  }
  e.kpi.reset();
  e.ws.reset();
  absl::StatusOr<std::unique_ptr<cadre::Workspace>> ws = OpenWorkspace("sqlite:" + SqliteWorkspacePath());
  if (!ws.ok()) return std::string(ws.status().message());
  e.ws = *std::move(ws);
  e.kpi = std::make_unique<cadre::KpiEngine>(*e.ws);
  absl::Status s = e.kpi->CatchUp();
  return s.ok() ? "" : std::string(s.message());
}

Engine* ReadySqliteEngine(std::string& error) {
  Engine& e = SqliteEngine();
  if (e.kpi == nullptr) error = OpenSqliteEngine(e);
  return error.empty() ? &e : nullptr;
}

#endif  // CADRE_KPI_BENCH_WITHOUT_ENGINE

// ---- Benchmarks: the plain loop ------------------------------------------------------------

void SetEventsProcessed(benchmark::State& state, std::size_t per_iteration) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(per_iteration));
}

void BM_PlainLoopMonth(benchmark::State& state) {
  const Data& d = GetData();
  std::vector<Cell> cells;
  std::vector<uint64_t> seen;
  for (auto _ : state) {
    PlainLoop(d, kMonth - 1, cells, seen);
    double sum = 0;
    for (std::size_t m = 0; m < cells.size(); ++m) {
      const double a = Attainment(d, m, kMonth - 1, cells[m].net);
      if (!std::isnan(a)) sum += a;
    }
    benchmark::DoNotOptimize(sum);
  }
  SetEventsProcessed(state, d.size());
}
BENCHMARK(BM_PlainLoopMonth)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);

void BM_PlainLoopYear(benchmark::State& state) {
  const Data& d = GetData();
  std::vector<Cell> cells;
  std::vector<uint64_t> seen;
  for (auto _ : state) {
    PlainLoop(d, -1, cells, seen);
    double sum = 0;
    for (std::size_t m = 0; m < d.managers.size(); ++m) {
      for (int mo = 0; mo < 12; ++mo) {
        const double a = Attainment(d, m, mo, cells[m * 12 + static_cast<std::size_t>(mo)].net);
        if (!std::isnan(a)) sum += a;
      }
    }
    benchmark::DoNotOptimize(sum);
  }
  SetEventsProcessed(state, d.size());
}
BENCHMARK(BM_PlainLoopYear)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);

// ---- Benchmarks: the SQL baseline --------------------------------------------------------

void BM_SqlLoad(benchmark::State& state) {
  const Data& d = GetData();
  std::string error;
  for (auto _ : state) {
    if (!LoadSql(error)) {
      state.SkipWithError(error.c_str());
      return;
    }
  }
  state.counters["file_B/event"] = static_cast<double>(FileBytes(Sql().path)) / static_cast<double>(d.size());
  SetEventsProcessed(state, d.size());
}
BENCHMARK(BM_SqlLoad)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

void BM_SqlMonth(benchmark::State& state) {
  const Data& d = GetData();
  std::string error;
  SqlDb* db = EnsureSql(error) ? WarmSql(error) : nullptr;
  if (db == nullptr) {
    state.SkipWithError(error.c_str());
    return;
  }
  std::vector<SqlRow> rows;
  for (auto _ : state) {
    if (!db->Month(d, kMonth - 1, rows, error)) {
      state.SkipWithError(error.c_str());
      return;
    }
  }
  state.counters["mismatches"] = static_cast<double>(SqlMismatches(d, kMonth - 1, rows));
}
BENCHMARK(BM_SqlMonth)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);

bool SqlYear(SqlDb& db, std::vector<SqlRow>& rows, std::string& error) {
  const Data& d = GetData();
  for (int mo = 0; mo < 12; ++mo)
    if (!db.Month(d, mo, rows, error)) return false;
  return true;
}

void BM_SqlYearCold(benchmark::State& state) {
  std::string error;
  if (!EnsureSql(error)) {
    state.SkipWithError(error.c_str());
    return;
  }
  std::vector<SqlRow> rows;
  for (auto _ : state) {
    SqlDb db;  // a new connection: an empty page cache and no prepared statement
    if (!db.Open(Sql().path, error) || !SqlYear(db, rows, error)) {
      state.SkipWithError(error.c_str());
      return;
    }
  }
}
BENCHMARK(BM_SqlYearCold)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);

void BM_SqlYearWarm(benchmark::State& state) {
  std::string error;
  SqlDb* db = EnsureSql(error) ? WarmSql(error) : nullptr;
  if (db == nullptr) {
    state.SkipWithError(error.c_str());
    return;
  }
  std::vector<SqlRow> rows;
  for (auto _ : state) {
    if (!SqlYear(*db, rows, error)) {
      state.SkipWithError(error.c_str());
      return;
    }
  }
}
BENCHMARK(BM_SqlYearWarm)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);

// The SQL counterpart of the engine's refresh: the same 1,000 new sales inserted
// (one transaction, first purchases kept), then December's query.
void BM_SqlRefresh1000(benchmark::State& state) {
  const Data& d = GetData();
  std::string error;
  SqlDb* db = EnsureSql(error) ? WarmSql(error) : nullptr;
  SqlInserter insert;
  if (db == nullptr || !insert.Prepare(db->db())) {
    state.SkipWithError(error.empty() ? "cannot prepare the inserts" : error.c_str());
    return;
  }
  std::vector<SqlRow> rows;
  std::size_t round = 1'000'000;  // other rounds than the engine's: the SQL file is its own
  for (auto _ : state) {
    bool ok = db->Exec("BEGIN IMMEDIATE", error);
    for (std::size_t i = 0; ok && i < kRefreshEvents; ++i) {
      const std::size_t s = RefreshSource(round, i);
      ok = insert.Insert(Sql().next_seq++, d.manager[s], d.customer[s], 0, d.at[s], d.amount[s]);
    }
    ok = ok && db->Exec("COMMIT", error) && db->Month(d, 11, rows, error);
    if (!ok) {
      state.SkipWithError(error.empty() ? sqlite3_errmsg(db->db()) : error.c_str());
      return;
    }
    ++round;
  }
  SetEventsProcessed(state, kRefreshEvents);
}
BENCHMARK(BM_SqlRefresh1000)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);

// ---- Benchmarks: the engine -----------------------------------------------------------------

#ifndef CADRE_KPI_BENCH_WITHOUT_ENGINE

// Resident memory, in a forked child (this process's free lists would otherwise
// hide growth): a KpiEngine caught up on the configuration alone, then a memory:
// workspace fed every event, then the engine caught up on them, then the twelve
// scorecards computed (their caches). Growth of VmRSS after malloc_trim at each
// step.
struct Footprint {
  int64_t store = 0, engine = 0, caches = 0, facts = 0, fact_bytes = 0, ownership = 0, config = 0;
  std::string error;
};

Footprint MeasureFootprint() {
  Footprint f;
  int fds[2];
  if (pipe(fds) != 0) {
    f.error = "pipe failed";
    return f;
  }
  malloc_trim(0);
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  if (pid < 0) {
    f.error = "fork failed";
    return f;
  }
  if (pid == 0) {
    close(fds[0]);
    std::string line;
    auto ws = OpenWorkspace("memory:");
    absl::Status s = ws.ok() ? PutConfiguration(**ws) : ws.status();
    if (s.ok()) {
      // The engine is made and caught up before any event, so that what it holds
      // for the configuration (metrics, and the targets of 10,000 managers for
      // twelve months), which does not grow with the events, is measured apart.
      malloc_trim(0);
      const int64_t empty = Rss();
      auto kpi = std::make_unique<cadre::KpiEngine>(**ws);
      s = kpi->CatchUp();
      malloc_trim(0);
      const int64_t configured = Rss();
      std::string error = s.ok() ? IngestAll(nullptr, **ws) : std::string(s.message());
      // The memory: store builds its scan indexes at the first scan after a
      // commit: one scan here, so that they count as the store's, not the engine's.
      if (error.empty()) {
        s = (*ws)->ScanEvents(cadre::EventQuery{}, [](const cadre::StoredEvent&) { return false; });
        if (!s.ok()) error = std::string(s.message());
      }
      int64_t ownership = 0;  // the engine's ownership projection alone, measured apart and let go
      if (error.empty()) {
        malloc_trim(0);
        const int64_t indexed = Rss();
        auto projection = std::make_unique<cadre::OwnershipProjection>();
        s = projection->CatchUp(**ws);
        if (!s.ok()) error = std::string(s.message());
        malloc_trim(0);
        ownership = Rss() - indexed;
        projection.reset();
      }
      if (error.empty()) {
        malloc_trim(0);
        const int64_t stored = Rss();
        s = kpi->CatchUp();
        malloc_trim(0);
        const int64_t caught_up = Rss();
        for (int mo = 1; s.ok() && mo <= 12; ++mo) s = kpi->GetScorecard(MonthRequest(mo)).status();
        malloc_trim(0);
        const int64_t cached = Rss();
        line = s.ok() ? absl::StrCat("footprint ", stored - configured, " ", caught_up - stored, " ",
                                     cached - caught_up, " ", kpi->facts_held(), " ", kpi->FactBytes(), " ", ownership,
                                     " ", configured - empty, "\n")
                      : absl::StrCat("error ", s.message(), "\n");
      } else {
        line = absl::StrCat("error ", error, "\n");
      }
    } else {
      line = absl::StrCat("error ", s.message(), "\n");
    }
    const ssize_t written = write(fds[1], line.data(), line.size());
    _exit(written == static_cast<ssize_t>(line.size()) ? 0 : 1);
  }
  close(fds[1]);
  std::string out;
  char buf[512];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  long long store = 0, engine = 0, caches = 0, facts = 0, bytes = 0, ownership = 0, config = 0;
  if (std::sscanf(out.c_str(), "footprint %lld %lld %lld %lld %lld %lld %lld", &store, &engine, &caches, &facts, &bytes,
                  &ownership, &config) == 7) {
    f = {store, engine, caches, facts, bytes, ownership, config, ""};
  } else {
    f.error = out.rfind("error ", 0) == 0 ? out.substr(6) : absl::StrCat("the measuring child failed: ", status);
  }
  return f;
}

void BM_Footprint(benchmark::State& state) {
  const Data& d = GetData();
  Footprint f;
  for (auto _ : state) f = MeasureFootprint();
  if (!f.error.empty()) {
    state.SkipWithError(f.error.c_str());
    return;
  }
  const auto events = static_cast<double>(d.all_events);
  const double facts = f.facts > 0 ? static_cast<double>(f.facts) : 1;
  state.counters["store_B/event"] = static_cast<double>(f.store) / events;
  state.counters["engine_rss_B/fact"] = static_cast<double>(f.engine) / facts;
  state.counters["engine_rss_B/event"] = static_cast<double>(f.engine) / events;
  state.counters["engine_B/fact"] = static_cast<double>(f.fact_bytes) / facts;
  state.counters["caches_MiB"] = static_cast<double>(f.caches) / (1 << 20);
  state.counters["ownership_B/fact"] = static_cast<double>(f.ownership) / facts;
  state.counters["config_MiB"] = static_cast<double>(f.config) / (1 << 20);
  state.counters["facts"] = static_cast<double>(f.facts);
}
BENCHMARK(BM_Footprint)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

void BM_IngestMemory(benchmark::State& state) {
  const Data& d = GetData();
  Engine& e = MemoryEngine();
  e.kpi.reset();
  e.ws.reset();
  for (auto _ : state) {
    if (std::string error = FillWorkspace(&state, false, e.ws); !error.empty()) {
      state.SkipWithError(error.c_str());
      return;
    }
    state.ResumeTiming();
  }
  SetEventsProcessed(state, d.all_events);
}
BENCHMARK(BM_IngestMemory)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

void BM_CatchUpMemory(benchmark::State& state) {
  const Data& d = GetData();
  Engine& e = MemoryEngine();
  std::string error;
  if (e.ws == nullptr) error = FillWorkspace(nullptr, false, e.ws);
  if (!error.empty()) {
    state.SkipWithError(error.c_str());
    return;
  }
  for (auto _ : state) {
    e.kpi = std::make_unique<cadre::KpiEngine>(*e.ws);
    if (absl::Status s = e.kpi->CatchUp(); !s.ok()) {
      state.SkipWithError(std::string(s.message()).c_str());
      return;
    }
  }
  state.counters["facts"] = static_cast<double>(e.kpi->facts_held());
  state.counters["engine_B/fact"] =
      static_cast<double>(e.kpi->FactBytes()) / static_cast<double>(std::max<std::size_t>(1, e.kpi->facts_held()));
  SetEventsProcessed(state, d.all_events);
}
BENCHMARK(BM_CatchUpMemory)->Name("BM_CatchUp/memory")->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

using Ready = Engine* (*)(std::string&);

void WarmMonth(benchmark::State& state, Ready ready) {
  const Data& d = GetData();
  std::string error;
  Engine* e = ready(error);
  if (e == nullptr) {
    state.SkipWithError(error.c_str());
    return;
  }
  const cadre::ScorecardRequest request = MonthRequest(kMonth);
  absl::StatusOr<cadre::Scorecard> card = e->kpi->GetScorecard(request);  // computed once: what follows is warm
  for (auto _ : state) {
    card = e->kpi->GetScorecard(request);
    if (!card.ok()) {
      state.SkipWithError(std::string(card.status().message()).c_str());
      return;
    }
  }
  state.counters["mismatches"] = static_cast<double>(EngineMismatches(d, kMonth - 1, *card));
}

void WarmYear(benchmark::State& state, Ready ready) {
  const Data& d = GetData();
  std::string error;
  Engine* e = ready(error);
  if (e == nullptr) {
    state.SkipWithError(error.c_str());
    return;
  }
  std::vector<cadre::ScorecardRequest> requests;
  for (int mo = 1; mo <= 12; ++mo) requests.push_back(MonthRequest(mo));
  int64_t mismatches = 0;
  for (const cadre::ScorecardRequest& r : requests) {
    absl::StatusOr<cadre::Scorecard> card = e->kpi->GetScorecard(r);
    if (!card.ok()) {
      state.SkipWithError(std::string(card.status().message()).c_str());
      return;
    }
    mismatches += EngineMismatches(d, r.period.first_day().month() - 1, *card);
  }
  for (auto _ : state) {
    for (const cadre::ScorecardRequest& r : requests) {
      absl::StatusOr<cadre::Scorecard> card = e->kpi->GetScorecard(r);
      if (!card.ok()) {
        state.SkipWithError(std::string(card.status().message()).c_str());
        return;
      }
      benchmark::DoNotOptimize(card->managers.size());
    }
  }
  state.counters["mismatches"] = static_cast<double>(mismatches);
}

void BM_WarmMonthMemory(benchmark::State& state) { WarmMonth(state, ReadyMemoryEngine); }
BENCHMARK(BM_WarmMonthMemory)->Name("BM_WarmMonth/memory")->Unit(benchmark::kMicrosecond)->UseRealTime()->MinTime(1.0);
void BM_WarmYearMemory(benchmark::State& state) { WarmYear(state, ReadyMemoryEngine); }
BENCHMARK(BM_WarmYearMemory)->Name("BM_WarmYear/memory")->Unit(benchmark::kMicrosecond)->UseRealTime()->MinTime(1.0);

void BM_RecomputeMonth(benchmark::State& state) {
  const Data& d = GetData();
  std::string error;
  Engine* e = ReadyMemoryEngine(error);
  if (e == nullptr) {
    state.SkipWithError(error.c_str());
    return;
  }
  const cadre::ScorecardRequest request = MonthRequest(kMonth);
  absl::StatusOr<cadre::Scorecard> card;
  for (auto _ : state) {
    card = e->kpi->RecomputeScorecard(request);
    if (!card.ok()) {
      state.SkipWithError(std::string(card.status().message()).c_str());
      return;
    }
  }
  state.counters["mismatches"] = static_cast<double>(EngineMismatches(d, kMonth - 1, *card));
  SetEventsProcessed(state, e->kpi->facts_held());
}
BENCHMARK(BM_RecomputeMonth)
    ->Name("BM_RecomputeMonth/memory")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(1.0);

void BM_RecomputeYear(benchmark::State& state) {
  std::string error;
  Engine* e = ReadyMemoryEngine(error);
  if (e == nullptr) {
    state.SkipWithError(error.c_str());
    return;
  }
  for (auto _ : state) {
    for (int mo = 1; mo <= 12; ++mo) {
      absl::StatusOr<cadre::Scorecard> card = e->kpi->RecomputeScorecard(MonthRequest(mo));
      if (!card.ok()) {
        state.SkipWithError(std::string(card.status().message()).c_str());
        return;
      }
    }
  }
}
BENCHMARK(BM_RecomputeYear)
    ->Name("BM_RecomputeYear/memory")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(1.0);

// 1,000 new sales of December arrive: Ingest into memory:, CatchUp, December's
// scorecard (warm before the first round). Building the batch is not timed.
void BM_Refresh1000(benchmark::State& state) {
  std::string error;
  Engine* e = ReadyMemoryEngine(error);
  if (e == nullptr) {
    state.SkipWithError(error.c_str());
    return;
  }
  const cadre::ScorecardRequest december = MonthRequest(12);
  absl::StatusOr<cadre::Scorecard> card = e->kpi->GetScorecard(december);
  // Where the time goes, per round: ingest, catch-up, scorecard (this thread's
  // CPU time around each part, which a busy machine does not inflate).
  const auto cpu_now = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
  };
  std::chrono::nanoseconds ingest{}, catch_up{}, scorecard{};
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<Event> batch = RefreshBatch(e->refresh_rounds++);
    state.ResumeTiming();
    const auto t0 = cpu_now();
    absl::StatusOr<cadre::IngestReport> r = e->ws->Ingest(std::move(batch), cadre::IngestMode::kAtomic);
    const auto t1 = cpu_now();
    absl::Status s = r.ok() ? e->kpi->CatchUp() : r.status();
    const auto t2 = cpu_now();
    if (s.ok()) {
      card = e->kpi->GetScorecard(december);
      s = card.status();
    }
    const auto t3 = cpu_now();
    ingest += t1 - t0;
    catch_up += t2 - t1;
    scorecard += t3 - t2;
    if (!s.ok() || r->accepted != kRefreshEvents) {
      state.SkipWithError(s.ok() ? "a refresh batch was not accepted whole" : std::string(s.message()).c_str());
      return;
    }
  }
  // The incremental result must equal the full recompute.
  absl::StatusOr<cadre::Scorecard> reference = e->kpi->RecomputeScorecard(december);
  state.counters["differs_from_recompute"] = reference.ok() && card.ok() && *reference == *card ? 0 : 1;
  const auto per_round_us = [&](std::chrono::nanoseconds d) {
    return std::chrono::duration<double, std::micro>(d).count() / static_cast<double>(state.iterations());
  };
  state.counters["ingest_us"] = per_round_us(ingest);
  state.counters["catch_up_us"] = per_round_us(catch_up);
  state.counters["scorecard_us"] = per_round_us(scorecard);
  SetEventsProcessed(state, kRefreshEvents);
}
BENCHMARK(BM_Refresh1000)->Name("BM_Refresh1000/memory")->Unit(benchmark::kMicrosecond)->UseRealTime()->MinTime(1.0);

// Frees the memory: workspace and its engine before the sqlite: ones are built.
void BM_ReleaseMemory(benchmark::State& state) {
  for (auto _ : state) {
    MemoryEngine().kpi.reset();
    MemoryEngine().ws.reset();
    malloc_trim(0);
  }
}
BENCHMARK(BM_ReleaseMemory)->Iterations(1);

void BM_IngestSqlite(benchmark::State& state) {
  const Data& d = GetData();
  for (auto _ : state) {
    std::unique_ptr<cadre::Workspace> ws;
    if (std::string error = FillWorkspace(&state, true, ws); !error.empty()) {
      state.SkipWithError(error.c_str());
      return;
    }
    ws.reset();  // closed with the timer paused
    state.ResumeTiming();
  }
  state.counters["file_B/event"] =
      static_cast<double>(FileBytes(SqliteWorkspacePath())) / static_cast<double>(d.all_events);
  SetEventsProcessed(state, d.all_events);
}
BENCHMARK(BM_IngestSqlite)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

// From a cold open: a new Workspace on the sqlite: file, a new KpiEngine, CatchUp
// (which reads every event from the file), the twelve monthly scorecards.
void BM_ColdYear(benchmark::State& state) {
  std::string error;
  if (!g_sqlite_workspace_written) {
    std::unique_ptr<cadre::Workspace> ws;
    error = FillWorkspace(nullptr, true, ws);
  }
  if (!error.empty()) {
    state.SkipWithError(error.c_str());
    return;
  }
  Engine& e = SqliteEngine();
  double catch_up = 0, cards = 0;
  for (auto _ : state) {
    state.PauseTiming();
    e.kpi.reset();
    e.ws.reset();
    state.ResumeTiming();
    const auto start = std::chrono::steady_clock::now();
    error = OpenSqliteEngine(e);
    const auto caught_up = std::chrono::steady_clock::now();
    for (int mo = 1; error.empty() && mo <= 12; ++mo) {
      absl::StatusOr<cadre::Scorecard> card = e.kpi->GetScorecard(MonthRequest(mo));
      if (!card.ok()) error = std::string(card.status().message());
    }
    catch_up = Seconds(caught_up - start);
    cards = Seconds(std::chrono::steady_clock::now() - caught_up);
    if (!error.empty()) {
      state.SkipWithError(error.c_str());
      return;
    }
  }
  state.counters["open_catchup_s"] = catch_up;
  state.counters["scorecards_s"] = cards;
}
BENCHMARK(BM_ColdYear)->Name("BM_ColdYear/sqlite")->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

void BM_WarmMonthSqlite(benchmark::State& state) { WarmMonth(state, ReadySqliteEngine); }
BENCHMARK(BM_WarmMonthSqlite)->Name("BM_WarmMonth/sqlite")->Unit(benchmark::kMicrosecond)->UseRealTime()->MinTime(1.0);
void BM_WarmYearSqlite(benchmark::State& state) { WarmYear(state, ReadySqliteEngine); }
BENCHMARK(BM_WarmYearSqlite)->Name("BM_WarmYear/sqlite")->Unit(benchmark::kMicrosecond)->UseRealTime()->MinTime(1.0);

#endif  // CADRE_KPI_BENCH_WITHOUT_ENGINE

// ---- Reporting ---------------------------------------------------------------------------

class Reporter : public benchmark::ConsoleReporter {
 public:
  struct Result {
    double real = 0;  // seconds per iteration
    double cpu = 0;
    std::map<std::string, double> counters;
  };

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      if (run.run_type == Run::RT_Aggregate && run.aggregate_name != "mean") continue;
      std::string name = run.run_name.function_name;
      if (!run.run_name.args.empty()) name += "/" + run.run_name.args;
      const double unit = benchmark::GetTimeUnitMultiplier(run.time_unit);
      Result r{run.GetAdjustedRealTime() / unit, run.GetAdjustedCPUTime() / unit, {}};
      for (const auto& [k, c] : run.counters) r.counters[k] = c.value;
      results_[name] = std::move(r);
    }
  }
  const Result* Get(const std::string& name) const {
    auto it = results_.find(name);
    return it == results_.end() ? nullptr : &it->second;
  }
  double Counter(const std::string& name, const std::string& counter) const {
    const Result* r = Get(name);
    if (r == nullptr) return std::nan("");
    auto it = r->counters.find(counter);
    return it == r->counters.end() ? std::nan("") : it->second;
  }

 private:
  std::map<std::string, Result> results_;
};

std::string Time(double s) {
  char buf[32];
  if (s >= 1) {
    std::snprintf(buf, sizeof buf, "%.2f s", s);
  } else if (s >= 1e-3) {
    std::snprintf(buf, sizeof buf, "%.2f ms", s * 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f us", s * 1e6);
  }
  return buf;
}

void PrintSummary(const Reporter& r) {
  const Data& d = GetData();
  const cadre::SynthOptions o = Options();
  std::printf(
      "\nData set: %zu managers, %d customers, %zu events generated (%zu sales and returns, %zu assignments), "
      "year %d, in %.1f s\n",
      d.managers.size(), o.customers, d.all_events, d.size(), d.assignments, kYear, d.generate_seconds);
  std::printf("\n  %-44s %12s %12s %-34s %s\n", "figure", "wall", "CPU", "ratio", "target");
  auto real = [&](const char* name) { return r.Get(name) ? r.Get(name)->real : std::nan(""); };
  auto cpu = [&](const char* name) { return r.Get(name) ? r.Get(name)->cpu : std::nan(""); };
  auto line = [&](const char* label, const char* name, const char* base, const char* base_label, double target_s,
                  const char* target_label) {
    const double t = real(name);
    if (std::isnan(t)) return;
    std::string ratio;
    if (base != nullptr && !std::isnan(real(base))) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.3g x %s (CPU %.3g)", t / real(base), base_label, cpu(name) / cpu(base));
      ratio = buf;
    }
    std::string target;
    if (target_label != nullptr) target = absl::StrCat(target_label, ": ", t <= target_s ? "met" : "MISSED");
    std::printf("  %-44s %12s %12s %-34s %s\n", label, Time(t).c_str(), Time(cpu(name)).c_str(), ratio.c_str(),
                target.c_str());
  };
  line("plain loop, one month (scan limit)", "BM_PlainLoopMonth", nullptr, "", 0, nullptr);
  line("plain loop, twelve months in one pass", "BM_PlainLoopYear", nullptr, "", 0, nullptr);
  line("SQL load (baseline ingest)", "BM_SqlLoad", nullptr, "", 0, nullptr);
  line("SQL month, warm", "BM_SqlMonth", nullptr, "", 0, nullptr);
  line("SQL year, new connection", "BM_SqlYearCold", nullptr, "", 0, nullptr);
  line("SQL year, warm", "BM_SqlYearWarm", nullptr, "", 0, nullptr);
  line("SQL 1,000 inserts + December query", "BM_SqlRefresh1000", nullptr, "", 0, nullptr);
  line("engine warm month, memory:", "BM_WarmMonth/memory", "BM_SqlMonth", "SQL month", 2e-3, "< 2 ms");
  line("engine warm month, sqlite:", "BM_WarmMonth/sqlite", "BM_SqlMonth", "SQL month", 2e-3, "< 2 ms");
  line("engine warm year, memory:", "BM_WarmYear/memory", "BM_SqlYearWarm", "SQL year warm", 0, nullptr);
  line("engine warm year, sqlite:", "BM_WarmYear/sqlite", "BM_SqlYearWarm", "SQL year warm", 0, nullptr);
  line("engine cold year, sqlite: (open+CatchUp+12)", "BM_ColdYear/sqlite", "BM_SqlYearCold", "SQL year cold", 0,
       nullptr);
  line("engine refresh after 1,000, memory:", "BM_Refresh1000/memory", "BM_SqlRefresh1000", "SQL refresh", 1e-3,
       "< 1 ms");
  line("engine recompute month, memory:", "BM_RecomputeMonth/memory", "BM_PlainLoopMonth", "plain loop month",
       3 * real("BM_PlainLoopMonth"), "<= 3x plain loop");
  line("engine recompute year (12), memory:", "BM_RecomputeYear/memory", "BM_PlainLoopYear", "plain loop year", 0,
       nullptr);
  line("engine CatchUp from memory:", "BM_CatchUp/memory", nullptr, "", 0, nullptr);
  line("Workspace::Ingest, memory:", "BM_IngestMemory", "BM_SqlLoad", "SQL load", 0, nullptr);
  line("Workspace::Ingest, sqlite:", "BM_IngestSqlite", "BM_SqlLoad", "SQL load", 0, nullptr);

  std::printf("\n  Rates (events per second of wall time)\n");
  for (const char* name : {"BM_PlainLoopMonth", "BM_SqlLoad", "BM_IngestMemory", "BM_IngestSqlite", "BM_CatchUp/memory",
                           "BM_RecomputeMonth/memory"}) {
    if (const Reporter::Result* x = r.Get(name)) {
      const double n = std::string_view(name) == "BM_SqlLoad" || std::string_view(name) == "BM_PlainLoopMonth"
                           ? static_cast<double>(d.size())
                       : std::string_view(name) == "BM_RecomputeMonth/memory" ? r.Counter("BM_CatchUp/memory", "facts")
                                                                              : static_cast<double>(d.all_events);
      std::printf("    %-30s %14.0f\n", name, n / x->real);
    }
  }

  std::printf("\n  Memory (bytes per event held)\n");
  auto mem = [&](const char* label, double v, const char* note) {
    if (!std::isnan(v)) std::printf("    %-46s %10.1f  %s\n", label, v, note);
  };
  // The target is on resident memory: FactBytes counts the columns' capacity
  // and leaves out the ownership projection, so it is shown, not judged.
  mem("engine FactBytes() / facts_held()", r.Counter("BM_Footprint", "engine_B/fact"),
      "(columns and indexes by capacity; not the ownership projection)");
  const double fact_rss = r.Counter("BM_Footprint", "engine_rss_B/fact");
  mem("engine RSS growth after CatchUp / fact", fact_rss,
      std::isnan(fact_rss) ? ""
      : fact_rss <= 64     ? "target <= 64: met"
                           : "target <= 64: MISSED");
  mem("  the same / event in the log", r.Counter("BM_Footprint", "engine_rss_B/event"),
      "(assignments too; the target is judged per fact, above)");
  mem("  of which its ownership projection / fact", r.Counter("BM_Footprint", "ownership_B/fact"),
      "(measured alone, before the engine)");
  mem("engine configuration before any event (MiB)", r.Counter("BM_Footprint", "config_MiB"),
      "(metrics, and 12 months of targets per manager; not per event)");
  mem("engine caches of 12 months (MiB)", r.Counter("BM_Footprint", "caches_MiB"), "");
  mem("memory: store RSS growth / event (full Events)", r.Counter("BM_Footprint", "store_B/event"), "");
  mem("sqlite: workspace file / event", r.Counter("BM_IngestSqlite", "file_B/event"), "");
  mem("SQL baseline file / sale or return", r.Counter("BM_SqlLoad", "file_B/event"), "");
  mem("plain loop columns / sale or return", 8 + 8 + 4 + 4 + 1 + 1, "(at, amount, manager, customer, month, kind)");

  std::printf("\n  Agreement with the plain loop (manager rows that differ; 0 = exact)\n");
  for (const char* name : {"BM_SqlMonth", "BM_WarmMonth/memory", "BM_WarmYear/memory", "BM_RecomputeMonth/memory",
                           "BM_WarmMonth/sqlite", "BM_WarmYear/sqlite"}) {
    const double v = r.Counter(name, "mismatches");
    if (!std::isnan(v)) std::printf("    %-30s %6.0f\n", name, v);
  }
  const double differs = r.Counter("BM_Refresh1000/memory", "differs_from_recompute");
  if (!std::isnan(differs)) std::printf("    %-30s %6s\n", "refresh == recompute", differs == 0 ? "yes" : "NO");
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  GetData();  // generate before any timing
  DecemberSales();
  Reporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  PrintSummary(reporter);
  benchmark::Shutdown();
#ifndef CADRE_KPI_BENCH_WITHOUT_ENGINE
  SqliteEngine().kpi.reset();
  SqliteEngine().ws.reset();
#endif
  Sql().warm.reset();
  RemoveTempDir();
  return 0;
}
