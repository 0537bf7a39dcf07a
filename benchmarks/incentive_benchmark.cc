// incentive_benchmark — the incentive engine (cadre/incentive.h) at retail
// scale: a year of statements for 10,000 account managers and one statement
// with its full trace, against hand-written SQL on SQLite and a plain loop over
// arrays, in the same run (issue 7).
//
//   CADRE_INCENTIVE_BENCH_EVENTS=N [CADRE_INCENTIVE_BENCH_STORE=memory|sqlite] incentive_benchmark [flags]
//
// The data set (generated once per process, before any timing, and ingested in
// the same pass): the synthetic retailer of cadre/synth.h with 10,000 managers
// (10 regions x 10 stores x 10 teams x 10 managers, the first of each team its
// lead) and about N = 10,000,000 sales and returns over 2025 (customers =
// N / 3.95, as in kpi_benchmark), nothing else but the assignments that credit
// them. The workspace is memory: unless CADRE_INCENTIVE_BENCH_STORE=sqlite.
//
// The plans (written before any timing; no KPI gates, so no KPI engine is
// timed): role account_manager -> plan "am", role team_lead -> plan "lead".
//   am:   monthly; "commission": marginal on net_sales against a quota Q (the
//         median monthly base of the managers employed all month, rounded to
//         100 yuan), tiers 0 -> 2 %, 0.8 -> 3 %, 1.2 -> 5 %, clawback window
//         30 days; "spiff": 20 yuan per sale with an appliance in it, 5 to 18
//         June; a recoverable draw of 1.5 % of Q; rounding half-even per line.
//   lead: the same, plus "overlay": 0.5 % of the net sales of every manager in
//         the units the lead leads (no quota).
//
// The benchmarks, in the order they run:
//   BM_PlainLoopYear          the floor: one pass over the sales and returns in
//                             columns into per (manager, month) sums, then the
//                             statements' arithmetic in exact integers
//   BM_SqlLoad (once)         the baseline's load: the same rows into SQLite
//   BM_SqlYear                one GROUP BY (manager, month) statement for the
//                             sums, then the same statements' arithmetic in C++
//   BM_EngineYearCold (once)  a new IncentiveEngine: CatchUp + 12 GetStatements
//   BM_EngineYearWarm         12 GetStatements on a caught-up engine whose
//                             statement memo was cleared (see below)
//   BM_OneStatementFullTrace  GetStatement(expand_credits) of the busiest
//                             manager for June, memo cleared (/am and /region_lead)
//
// The engine memoises statements until CatchUp sees new events or new
// documents, and offers no other way to forget them. A warm iteration therefore
// ingests one new sale dated 2026 (untimed; it changes no 2025 figure), so the
// timed GetStatements start with an empty memo over a caught-up ledger: the
// timed part is the CatchUp of that one event and the statements computed from
// the ledger.
//
// Before any timing, the engine's statement totals (and draw balances) are
// compared with the plain loop's for every manager and month, and the program
// stops with exit status 3 when one differs: a benchmark comparing different
// computations says nothing. See benchmarks/README.md.
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <unistd.h>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "cadre/decimal.h"
#include "cadre/event.h"
#include "cadre/incentive.h"
#include "cadre/json.h"
#include "cadre/model.h"
#include "cadre/period.h"
#include "cadre/status.h"
#include "cadre/synth.h"
#include "cadre/workspace.h"

namespace {

using cadre::Event;
using cadre::EventKind;
using cadre::Int128;

constexpr int kYear = 2025;
constexpr int kTraceMonth = 6;  // the month of the one-statement figures (618)
constexpr std::size_t kBatch = 10'000;
constexpr double kSalesAndReturnsPerCustomer = 3.95;  // what the generator makes a year (kpi_benchmark)
constexpr char kZone[] = "Asia/Shanghai";
const absl::Time kRecordedAt = absl::FromUnixSeconds(1767225600);  // 2026-01-01: a fixed ingest clock

// The plans' constants (the quota and the draw follow from the data).
constexpr int kClawbackDays = 30;
constexpr char kSpiffCategory[] = "appliances";
constexpr int64_t kSpiffMinor = 2'000;
const absl::CivilDay kSpiffFrom(kYear, 6, 5), kSpiffTo(kYear, 6, 18);
// Tiers: from 0 at 2 %, from 0.8 at 3 %, from 1.2 at 5 %. In exact integers:
// with the prorated quota q = Q e / dm (e days on the plan of dm), the slices
// are multiples of q / 5, so 500 dm x commission is an integer.
constexpr int64_t kRate[3] = {2, 3, 5};  // per cent
constexpr int64_t kOverlayPerMille = 5;  // 0.5 %

std::size_t EnvSize(const char* name, std::size_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  const long long n = std::atoll(v);
  return n > 0 ? static_cast<std::size_t>(n) : fallback;
}

bool UseSqliteStore() {
  const char* v = std::getenv("CADRE_INCENTIVE_BENCH_STORE");
  return v != nullptr && std::string_view(v) == "sqlite";
}

double Seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

cadre::SynthOptions Options() {
  static const cadre::SynthOptions options = [] {
    const std::size_t events = EnvSize("CADRE_INCENTIVE_BENCH_EVENTS", 10'000'000);
    cadre::SynthOptions o;
    o.regions = 10;
    o.stores_per_region = 10;
    o.teams_per_store = 10;
    o.managers_per_team = 10;
    o.customers = static_cast<int>(std::llround(static_cast<double>(events) / kSalesAndReturnsPerCustomer));
    o.year = kYear;
    o.time_zone = kZone;
    // Sales and returns only (and the assignments that credit them).
    o.interactions_per_customer = 0;
    o.next_step_per_mille = 0;
    o.follow_ups_per_mille = 0;
    o.opportunities_per_manager_month = 0;
    o.surveys_per_mille = 0;
    o.complaints_per_mille = 0;
    return o;
  }();
  return options;
}

std::string MonthName(int month) { return absl::StrCat(kYear, "-", month < 10 ? "0" : "", month); }

int32_t DayNumber(absl::CivilDay d) { return static_cast<int32_t>(d - absl::CivilDay(1970, 1, 1)); }

// Round half to even of n / d (d > 0), as cadre::DivideRounded(kHalfEven).
int64_t RoundHalfEven(Int128 n, Int128 d) {
  Int128 q = n / d, r = n % d;
  if (r < 0) {  // floor division
    q -= 1;
    r += d;
  }
  if (2 * r > d || (2 * r == d && (q % 2) != 0)) q += 1;
  return static_cast<int64_t>(q);
}

Int128 Gcd(Int128 a, Int128 b) {
  if (a < 0) a = -a;
  if (b < 0) b = -b;
  while (b != 0) {
    const Int128 t = a % b;
    a = b;
    b = t;
  }
  return a;
}

// A reduced fraction for the clawback sums (a handful per statement).
struct Fraction {
  Int128 n = 0, d = 1;
  void Add(Int128 num, Int128 den) {
    if (num == 0) return;
    const Int128 g0 = Gcd(num, den);
    num /= g0;
    den /= g0;
    const Int128 g = Gcd(d, den);
    n = n * (den / g) + num * (d / g);
    d = d / g * den;
    const Int128 r = Gcd(n, d);
    if (r > 1) {
      n /= r;
      d /= r;
    }
  }
};

// ---- The data set in columns -------------------------------------------------------------

struct Data {
  std::vector<cadre::OrgUnit> org_units;
  std::vector<cadre::Manager> managers;
  absl::flat_hash_map<std::string, int32_t> manager_index;
  int customers = 0;
  std::size_t all_events = 0;  // everything generated and ingested (assignments included)
  std::size_t assignments = 0;
  double generate_seconds = 0;

  // Sales and returns in log order, as the engine credits them: a sale to the
  // manager it names, else the customer's owner then; a return matched to its
  // sale (the synthetic returns name the sale's id) to the sale's manager,
  // else like a sale.
  std::vector<int64_t> amount;    // > 0
  std::vector<int32_t> manager;   // credited; -1 nobody
  std::vector<int32_t> day;       // days since 1970-01-01, workspace zone
  std::vector<uint8_t> month;     // 0..11: month of 2025; 12: outside the year
  std::vector<uint8_t> kind;      // 0 sale, 1 return
  std::vector<uint8_t> item;      // a sale with an appliance (its category or a line's)
  std::vector<int32_t> sale_row;  // returns: the matched sale's row; -1 none (and for sales)

  std::array<int32_t, 13> month_first_day{};  // [12]: 2026-01-01
  std::array<int64_t, 12> month_days{};
  std::vector<int32_t> first_day, last_day;   // per manager: employed days (EmployedOn), inclusive
  std::vector<int32_t> plan_days;             // [manager * 12 + month]: days employed (on the plan)
  std::vector<uint8_t> lead;                  // per manager: on the lead plan
  std::vector<std::vector<int32_t>> members;  // per lead: the managers of the units they lead, self excluded

  int64_t quota = 0;  // Q, per month
  int64_t draw = 0;

  std::size_t size() const { return amount.size(); }
};

// What one manager's month adds up to: the inputs of the statement's lines.
struct Cell {
  int64_t base = 0;               // commission base: sales, and returns not clawed back, on days on the plan
  std::array<int64_t, 3> claw{};  // clawed returns (negative), by months between the sale and the return
  int64_t spiffs = 0;             // qualifying sales on days on the plan
  int64_t net_all = 0;            // every credit of the month (what a lead's overlay counts)
};

// One statement's figures.
struct Result {
  bool exists = false;
  int64_t commission = 0, clawback = 0, spiff = 0, overlay = 0,
          draw = 0;  // rounded lines (draw: + top-up / - recovery)
  int64_t total = 0, balance = 0;
};

struct Spiff {
  int32_t from = 0, to = 0;
};
Spiff SpiffDays() { return {DayNumber(kSpiffFrom), DayNumber(kSpiffTo)}; }

// The floor's pass: one scan of the columns into cells[manager * 12 + month].
void SumCells(const Data& d, std::vector<Cell>& cells) {
  cells.assign(d.managers.size() * 12, Cell{});
  const std::size_t n = d.size();
  const int64_t* amount = d.amount.data();
  const int32_t* manager = d.manager.data();
  const int32_t* day = d.day.data();
  const uint8_t* month = d.month.data();
  const uint8_t* kind = d.kind.data();
  const uint8_t* item = d.item.data();
  const int32_t* sale = d.sale_row.data();
  const int32_t* first = d.first_day.data();
  const int32_t* last = d.last_day.data();
  const Spiff spiff = SpiffDays();
  for (std::size_t i = 0; i < n; ++i) {
    const int32_t m = manager[i];
    const unsigned mo = month[i];
    if (m < 0 || mo >= 12) continue;
    Cell& c = cells[static_cast<std::size_t>(m) * 12 + mo];
    const int32_t dy = day[i];
    const bool on_plan = dy >= first[m] && dy <= last[m];
    if (kind[i] == 0) {
      c.net_all += amount[i];
      if (!on_plan) continue;
      c.base += amount[i];
      c.spiffs += item[i] != 0 && dy >= spiff.from && dy <= spiff.to;
    } else {
      c.net_all -= amount[i];
      if (!on_plan) continue;
      const int32_t s = sale[i];
      if (s >= 0 && dy - day[s] <= kClawbackDays) {
        c.claw[mo - month[s]] -= amount[i];
      } else {
        c.base -= amount[i];
      }
    }
  }
}

// The statements' arithmetic on the cells, month after month (the draw
// balance and the clawback rates read earlier months), in exact integers.
void Statements(const Data& d, const std::vector<Cell>& cells, std::vector<Result>& out) {
  const std::size_t managers = d.managers.size();
  out.assign(managers * 12, Result{});
  for (std::size_t m = 0; m < managers; ++m) {
    for (std::size_t mo = 0; mo < 12; ++mo) {
      const std::size_t k = m * 12 + mo;
      const int64_t e = d.plan_days[k];
      if (e == 0) continue;  // not employed: no statement
      const Cell& c = cells[k];
      Result& r = out[k];
      r.exists = true;
      const int64_t dm = d.month_days[mo];
      // Commission, exact: N / (500 dm).
      const Int128 den = Int128{500} * dm;
      const Int128 base5 = Int128{c.base} * 5 * dm;  // base x 5 dm
      const Int128 qe = Int128{d.quota} * e;         // quota x 5 dm = 5 Q e; tier bounds 4 Q e, 6 Q e
      Int128 n = 0;
      if (base5 < 4 * qe) {  // tier 0 (a negative base too: given back at the first rate)
        n = base5 * kRate[0];
      } else if (base5 < 6 * qe) {
        n = 4 * qe * kRate[0] + (base5 - 4 * qe) * kRate[1];
      } else {
        n = 4 * qe * kRate[0] + 2 * qe * kRate[1] + (base5 - 6 * qe) * kRate[2];
      }
      r.commission = RoundHalfEven(n, den);
      // Clawbacks at the rate paid: this month's exact rate, or what an
      // earlier month's statement paid (rounded) per unit of its base.
      Fraction claw;
      if (c.claw[0] != 0 && c.base > 0) claw.Add(Int128{c.claw[0]} * n, den * c.base);
      for (std::size_t back = 1; back <= 2; ++back) {
        if (c.claw[back] == 0 || mo < back) continue;
        const Result& earlier = out[k - back];
        const int64_t earlier_base = cells[k - back].base;
        if (!earlier.exists || earlier_base <= 0) continue;
        claw.Add(Int128{c.claw[back]} * earlier.commission, earlier_base);
      }
      r.clawback = RoundHalfEven(claw.n, claw.d);
      r.spiff = c.spiffs * kSpiffMinor;
      if (d.lead[m]) {
        int64_t overlay_base = 0;
        for (int32_t member : d.members[m]) overlay_base += cells[static_cast<std::size_t>(member) * 12 + mo].net_all;
        r.overlay = RoundHalfEven(Int128{overlay_base} * kOverlayPerMille, 1000);
      }
      const int64_t earnings = r.commission + r.clawback + r.spiff + r.overlay;
      // The draw on the rounded earnings, with the balance the previous
      // statement left (none before the first, or after a month without one).
      int64_t balance = mo > 0 && out[k - 1].exists ? out[k - 1].balance : 0;
      const int64_t draw = RoundHalfEven(Int128{d.draw} * e, dm);
      if (earnings < draw) {
        r.draw = draw - earnings;
        balance += r.draw;
      } else if (earnings > draw && balance > 0) {
        r.draw = -std::min(balance, earnings - draw);
        balance += r.draw;
      }
      r.total = earnings + r.draw;
      r.balance = balance;
    }
  }
}

int CustomerIndex(const std::string& id) {  // "C000042" -> 41
  int n = 0;
  std::from_chars(id.data() + 1, id.data() + id.size(), n);
  return n - 1;
}

bool HasCategory(const Event& e) {
  if (e.category && *e.category == kSpiffCategory) return true;
  for (const cadre::LineItem& l : e.lines)
    if (l.category == kSpiffCategory) return true;
  return false;
}

// ---- Workspace -------------------------------------------------------------------------

struct Engine {
  std::unique_ptr<cadre::Workspace> ws;
  std::unique_ptr<cadre::IncentiveEngine> engine;  // caught up, for the warm figures
  std::size_t bumps = 0;                           // events ingested to clear the memo
};

Engine& Shared() {
  static Engine* e = new Engine;
  return *e;
}

const std::filesystem::path& TempDir() {
  static const std::filesystem::path* dir = [] {
    std::error_code ec;
    std::filesystem::path base = std::filesystem::temp_directory_path(ec);
    if (ec) base = "/tmp";
    auto* p = new std::filesystem::path(base / absl::StrCat("cadre_incentive_bench_", getpid()));
    std::filesystem::create_directories(*p, ec);
    return p;
  }();
  return *dir;
}

void RemoveTempDir() {
  std::error_code ec;
  std::filesystem::remove_all(TempDir(), ec);
}

absl::StatusOr<std::unique_ptr<cadre::Workspace>> OpenWorkspace() {
  const std::string uri = UseSqliteStore() ? "sqlite:" + (TempDir() / "workspace.db").string() : "memory:";
  return cadre::Workspace::Open(uri, {.currency = "CNY", .time_zone = kZone, .clock = [] { return kRecordedAt; }});
}

absl::Status PutOrg(cadre::Workspace& ws, const Data& d) {
  std::vector<cadre::Workspace::DocumentPut> puts;
  for (const cadre::OrgUnit& u : d.org_units) puts.push_back({"org_units", u.id, cadre::json::ToText(u), {}});
  for (const cadre::Manager& m : d.managers) puts.push_back({"managers", m.id, cadre::json::ToText(m), {}});
  return ws.PutAll(puts).status();
}

// The roles name the plans; the plans are written once the quota is known.
absl::Status PutPlans(cadre::Workspace& ws, const Data& d) {
  const std::string spiff =
      absl::StrCat(R"({"id":"spiff","type":"spiff","spiff":{"per":"sale","amount_minor":)", kSpiffMinor, R"(,"from":")",
                   absl::FormatCivilTime(kSpiffFrom), R"(","to":")", absl::FormatCivilTime(kSpiffTo),
                   R"(","categories":[")", kSpiffCategory, R"("]}})");
  const std::string commission =
      absl::StrCat(R"({"id":"commission","type":"commission","commission":{"measure":"net_sales","quota_minor":)",
                   d.quota, R"(,"method":"marginal","tiers":[{"from":"0","rate":"0.02"},{"from":"0.8","rate":"0.03"},)",
                   R"({"from":"1.2","rate":"0.05"}],"clawback":{"window_days":)", kClawbackDays, "}}}");
  const std::string overlay =
      R"({"id":"overlay","type":"commission","commission":{"credit":"overlay","tiers":[{"from":"0","rate":"0.005"}]}})";
  const std::string tail = absl::StrCat(R"(],"draw":{"kind":"recoverable","amount_minor":)", d.draw,
                                        R"(},"rounding":{"mode":"half_even","scope":"line"}})");
  std::vector<cadre::Workspace::DocumentPut> puts;
  puts.push_back({"incentive_plans",
                  "am",
                  absl::StrCat(R"({"id":"am","name":"Account managers","period":"month","components":[)", commission,
                               ",", spiff, tail),
                  {}});
  puts.push_back({"incentive_plans",
                  "lead",
                  absl::StrCat(R"({"id":"lead","name":"Team leads","period":"month","components":[)", commission, ",",
                               spiff, ",", overlay, tail),
                  {}});
  puts.push_back(
      {"roles", "account_manager", R"({"id":"account_manager","name":"Account manager","incentive_plan":"am"})", {}});
  puts.push_back({"roles", "team_lead", R"({"id":"team_lead","name":"Team lead","incentive_plan":"lead"})", {}});
  return ws.PutAll(puts).status();
}

// Generates the data set: the columns, and (same pass) every event ingested
// into the shared workspace. Exits on failure: nothing can be measured.
const Data& GetData() {
  static const Data* data = [] {
    auto* d = new Data;
    const auto start = std::chrono::steady_clock::now();
    auto fail = [](const std::string& what) {
      std::fprintf(stderr, "incentive_benchmark: %s\n", what.c_str());
      std::exit(2);
    };
    cadre::SynthOptions org_only = Options();
    org_only.customers = 0;
    cadre::SynthDataset org = cadre::GenerateRetail(org_only);
    d->org_units = std::move(org.org_units);
    d->managers = std::move(org.managers);
    const std::size_t managers = d->managers.size();
    for (std::size_t i = 0; i < managers; ++i) d->manager_index[d->managers[i].id] = static_cast<int32_t>(i);
    d->customers = Options().customers;

    absl::TimeZone tz;
    absl::LoadTimeZone(kZone, &tz);
    for (int m = 0; m <= 12; ++m) {
      d->month_first_day[static_cast<std::size_t>(m)] = DayNumber(absl::CivilDay(absl::CivilMonth(kYear, 1) + m));
    }
    for (std::size_t m = 0; m < 12; ++m) d->month_days[m] = d->month_first_day[m + 1] - d->month_first_day[m];

    // Employment (EmployedOn in src/incentive/plan_book.cc), days on the plan per month.
    d->first_day.resize(managers);
    d->last_day.resize(managers);
    d->plan_days.resize(managers * 12);
    d->lead.assign(managers, 0);
    d->members.resize(managers);
    for (std::size_t i = 0; i < managers; ++i) {
      const cadre::Manager& m = d->managers[i];
      d->first_day[i] = m.hired_on ? DayNumber(*m.hired_on) : INT32_MIN;
      d->last_day[i] = m.left_on                                    ? DayNumber(*m.left_on)
                       : m.status == cadre::EmploymentStatus::kLeft ? INT32_MIN
                                                                    : INT32_MAX;
      for (std::size_t mo = 0; mo < 12; ++mo) {
        const int32_t from = std::max(d->first_day[i], d->month_first_day[mo]);
        const int32_t to = std::min(d->last_day[i], d->month_first_day[mo + 1] - 1);
        d->plan_days[i * 12 + mo] = to < from ? 0 : to - from + 1;
      }
    }
    // Leads: the managers of the units they lead and below (OrgTree::ManagersIn,
    // whatever their status), each once, the lead left out.
    {
      absl::flat_hash_map<std::string, std::string> parent;
      for (const cadre::OrgUnit& u : d->org_units) parent[u.id] = u.parent.value_or("");
      for (const cadre::OrgUnit& u : d->org_units) {
        if (!u.lead) continue;
        auto lead = d->manager_index.find(*u.lead);
        if (lead == d->manager_index.end()) continue;
        std::vector<int32_t>& out = d->members[static_cast<std::size_t>(lead->second)];
        for (std::size_t i = 0; i < managers; ++i) {
          if (static_cast<int32_t>(i) == lead->second) continue;
          for (std::string unit = d->managers[i].team; !unit.empty(); unit = parent[unit]) {
            if (unit == u.id) {
              out.push_back(static_cast<int32_t>(i));
              break;
            }
          }
        }
      }
      for (std::size_t i = 0; i < managers; ++i) {
        d->lead[i] = d->managers[i].role.value_or("") == "team_lead";
        std::sort(d->members[i].begin(), d->members[i].end());
        d->members[i].erase(std::unique(d->members[i].begin(), d->members[i].end()), d->members[i].end());
      }
    }

    absl::StatusOr<std::unique_ptr<cadre::Workspace>> ws = OpenWorkspace();
    if (!ws.ok()) fail(std::string(ws.status().message()));
    if (absl::Status s = PutOrg(**ws, *d); !s.ok()) fail(std::string(s.message()));

    std::vector<int32_t> owner(static_cast<std::size_t>(d->customers), -1);
    std::vector<int32_t> row_of_sale;  // sale number ("S0000042" -> 42) -> row
    auto index_of = [&](const std::optional<std::string>& id) -> int32_t {
      if (!id) return -1;
      auto it = d->manager_index.find(*id);
      return it == d->manager_index.end() ? -1 : it->second;
    };
    auto sale_number = [](std::string_view id) -> int64_t {
      if (id.size() < 2 || id[0] != 'S') return -1;
      int64_t n = -1;
      auto [p, ec] = std::from_chars(id.data() + 1, id.data() + id.size(), n);
      return ec == std::errc() && p == id.data() + id.size() ? n : -1;
    };
    std::vector<Event> batch;
    batch.reserve(kBatch);
    std::string error;
    auto flush = [&] {
      const std::size_t n = batch.size();
      absl::StatusOr<cadre::IngestReport> r = (*ws)->Ingest(std::move(batch), cadre::IngestMode::kAtomic);
      if (!r.ok()) {
        error = std::string(r.status().message());
      } else if (!r->committed || r->accepted != n) {
        error = absl::StrCat("a batch was not accepted whole: ", r->accepted, " of ", n);
      }
      batch.clear();
      batch.reserve(kBatch);
    };
    cadre::GenerateRetailEvents(Options(), [&](const Event& e) {
      ++d->all_events;
      batch.push_back(e);
      if (e.kind == EventKind::kAssignment) {
        ++d->assignments;
        if (e.customer) owner[static_cast<std::size_t>(CustomerIndex(*e.customer))] = index_of(e.manager);
      } else if (e.kind == EventKind::kSale || e.kind == EventKind::kReturn) {
        const auto row = static_cast<int32_t>(d->size());
        int32_t m = e.manager ? index_of(e.manager) : owner[static_cast<std::size_t>(CustomerIndex(*e.customer))];
        int32_t sale = -1;
        if (e.kind == EventKind::kSale) {
          const int64_t number = sale_number(e.id);
          if (number >= 0) {
            if (static_cast<std::size_t>(number) >= row_of_sale.size())
              row_of_sale.resize(static_cast<std::size_t>(number) + 1 + row_of_sale.size() / 2, -1);
            row_of_sale[static_cast<std::size_t>(number)] = row;
          }
        } else if (e.reference) {
          const int64_t number = sale_number(*e.reference);
          if (number >= 0 && static_cast<std::size_t>(number) < row_of_sale.size()) {
            sale = row_of_sale[static_cast<std::size_t>(number)];
            if (sale >= 0) m = d->manager[static_cast<std::size_t>(sale)];
          }
        }
        const int32_t dy = DayNumber(absl::ToCivilDay(e.occurred_at, tz));
        const auto mo =
            std::upper_bound(d->month_first_day.begin(), d->month_first_day.end(), dy) - d->month_first_day.begin() - 1;
        d->amount.push_back(e.amount_minor.value_or(0));
        d->manager.push_back(m);
        d->day.push_back(dy);
        d->month.push_back(mo < 0 || mo >= 12 ? 12 : static_cast<uint8_t>(mo));
        d->kind.push_back(e.kind == EventKind::kSale ? 0 : 1);
        d->item.push_back(e.kind == EventKind::kSale && HasCategory(e));
        d->sale_row.push_back(sale);
      }
      if (batch.size() == kBatch) flush();
      return error.empty();
    });
    if (error.empty() && !batch.empty()) flush();
    if (!error.empty()) fail(error);

    // The quota: the median monthly base of the managers employed all month,
    // rounded to 100 yuan; the draw 1.5 % of it, rounded to 10 yuan.
    std::vector<Cell> cells;
    SumCells(*d, cells);
    std::vector<int64_t> bases;
    for (std::size_t k = 0; k < cells.size(); ++k)
      if (d->plan_days[k] == d->month_days[k % 12]) bases.push_back(cells[k].base);
    std::nth_element(bases.begin(), bases.begin() + static_cast<std::ptrdiff_t>(bases.size() / 2), bases.end());
    const int64_t median = bases.empty() ? 1'000'000 : bases[bases.size() / 2];
    d->quota = std::max<int64_t>(10'000, (median + 5'000) / 10'000 * 10'000);
    d->draw = std::max<int64_t>(1'000, (d->quota * 15 / 1000 + 500) / 1'000 * 1'000);
    if (absl::Status s = PutPlans(**ws, *d); !s.ok()) fail(std::string(s.message()));
    Shared().ws = *std::move(ws);
    d->generate_seconds = Seconds(std::chrono::steady_clock::now() - start);
    return d;
  }();
  return *data;
}

// ---- The baseline: hand-written SQL on SQLite ---------------------------------------------

// One row per credited sale or return of 2025, clustered by (manager, month):
// what the SQL reads is one range per manager. The credited manager and a
// return's matched sale (its day and month) are resolved when the row is
// written, as the engine does when it catches up.
constexpr char kSqlSchema[] = R"sql(
CREATE TABLE managers (id INTEGER PRIMARY KEY, first_day INTEGER NOT NULL, last_day INTEGER NOT NULL);
CREATE TABLE credits (manager INTEGER NOT NULL, month INTEGER NOT NULL, seq INTEGER NOT NULL, day INTEGER NOT NULL,
                      kind INTEGER NOT NULL, amount INTEGER NOT NULL, item INTEGER NOT NULL,
                      sale_day INTEGER, sale_month INTEGER,
                      PRIMARY KEY (manager, month, seq)) WITHOUT ROWID;
)sql";

// What the SQL computes: per (manager, month), on the manager's employed days,
// the commission base (sales, minus the returns not clawed back), the clawed
// returns by months between sale and return (0, 1, 2), the qualifying SPIFF
// sales (?2 .. ?3), and every credit of the month (a lead's overlay sums it
// over the lead's units). ?1: the clawback window in days. The tiers, rates
// paid, rounding, overlay sums and draws are the thin C++ loop's (Statements,
// shared with the plain loop).
constexpr char kSqlYear[] = R"sql(
SELECT c.manager, c.month,
  SUM(CASE WHEN c.day < m.first_day OR c.day > m.last_day THEN 0
           WHEN c.kind = 0 THEN c.amount
           WHEN c.sale_day IS NOT NULL AND c.day - c.sale_day <= ?1 THEN 0
           ELSE -c.amount END) AS base,
  SUM(CASE WHEN c.kind = 1 AND c.day BETWEEN m.first_day AND m.last_day AND c.sale_day IS NOT NULL
                AND c.day - c.sale_day <= ?1 AND c.month - c.sale_month = 0 THEN -c.amount ELSE 0 END) AS claw0,
  SUM(CASE WHEN c.kind = 1 AND c.day BETWEEN m.first_day AND m.last_day AND c.sale_day IS NOT NULL
                AND c.day - c.sale_day <= ?1 AND c.month - c.sale_month = 1 THEN -c.amount ELSE 0 END) AS claw1,
  SUM(CASE WHEN c.kind = 1 AND c.day BETWEEN m.first_day AND m.last_day AND c.sale_day IS NOT NULL
                AND c.day - c.sale_day <= ?1 AND c.month - c.sale_month = 2 THEN -c.amount ELSE 0 END) AS claw2,
  SUM(c.kind = 0 AND c.item = 1 AND c.day BETWEEN m.first_day AND m.last_day AND c.day BETWEEN ?2 AND ?3) AS spiffs,
  SUM(CASE c.kind WHEN 0 THEN c.amount ELSE -c.amount END) AS net_all
FROM managers m JOIN credits c ON c.manager = m.id
GROUP BY c.manager, c.month
)sql";

struct SqlState {
  std::string path;
  sqlite3* db = nullptr;
  sqlite3_stmt* year = nullptr;
  double load_seconds = 0;
  bool loaded = false;
};

SqlState& Sql() {
  static SqlState* s = new SqlState{.path = (TempDir() / "sql_baseline.db").string()};
  return *s;
}

bool Exec(sqlite3* db, const char* sql, std::string& error) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) == SQLITE_OK) return true;
  error = message != nullptr ? message : "sqlite3_exec failed";
  sqlite3_free(message);
  return false;
}

// Writes the baseline's file (rows sorted by the primary key first) and keeps
// the connection open, with the backend's pragmas.
bool LoadSql(std::string& error) {
  const Data& d = GetData();
  SqlState& s = Sql();
  std::error_code ec;
  for (const std::string& p : {s.path, s.path + "-wal", s.path + "-shm"}) std::filesystem::remove(p, ec);
  if (sqlite3_open_v2(s.path.c_str(), &s.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    error = "cannot open the SQL baseline's file";
    return false;
  }
  if (!Exec(s.db, "PRAGMA journal_mode=WAL", error) || !Exec(s.db, "PRAGMA synchronous=NORMAL", error) ||
      !Exec(s.db, "PRAGMA cache_size=-16384", error) || !Exec(s.db, "BEGIN IMMEDIATE", error) ||
      !Exec(s.db, kSqlSchema, error))
    return false;
  sqlite3_stmt* m = nullptr;
  sqlite3_stmt* c = nullptr;
  sqlite3_prepare_v2(s.db, "INSERT INTO managers VALUES (?1, ?2, ?3)", -1, &m, nullptr);
  sqlite3_prepare_v2(s.db, "INSERT INTO credits VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", -1, &c, nullptr);
  bool ok = m != nullptr && c != nullptr;
  for (std::size_t i = 0; ok && i < d.managers.size(); ++i) {
    sqlite3_bind_int64(m, 1, static_cast<int64_t>(i));
    sqlite3_bind_int64(m, 2, d.first_day[i]);
    sqlite3_bind_int64(m, 3, d.last_day[i]);
    ok = sqlite3_step(m) == SQLITE_DONE;
    sqlite3_reset(m);
  }
  std::vector<uint32_t> order;
  for (std::size_t i = 0; i < d.size(); ++i)
    if (d.manager[i] >= 0 && d.month[i] < 12) order.push_back(static_cast<uint32_t>(i));
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return std::pair(d.manager[a], d.month[a]) < std::pair(d.manager[b], d.month[b]);
  });
  std::size_t in_transaction = 0;
  for (uint32_t i : order) {
    if (!ok) break;
    sqlite3_bind_int64(c, 1, d.manager[i]);
    sqlite3_bind_int64(c, 2, d.month[i]);
    sqlite3_bind_int64(c, 3, i);
    sqlite3_bind_int64(c, 4, d.day[i]);
    sqlite3_bind_int64(c, 5, d.kind[i]);
    sqlite3_bind_int64(c, 6, d.amount[i]);
    sqlite3_bind_int64(c, 7, d.item[i]);
    if (const int32_t sale = d.sale_row[i]; sale >= 0) {
      sqlite3_bind_int64(c, 8, d.day[static_cast<std::size_t>(sale)]);
      sqlite3_bind_int64(c, 9, d.month[static_cast<std::size_t>(sale)]);
    } else {
      sqlite3_bind_null(c, 8);
      sqlite3_bind_null(c, 9);
    }
    ok = sqlite3_step(c) == SQLITE_DONE;
    sqlite3_reset(c);
    if (ok && ++in_transaction == 100'000) {
      ok = Exec(s.db, "COMMIT", error) && Exec(s.db, "BEGIN IMMEDIATE", error);
      in_transaction = 0;
    }
  }
  if (!ok && error.empty()) error = sqlite3_errmsg(s.db);
  sqlite3_finalize(m);
  sqlite3_finalize(c);
  if (!ok || !Exec(s.db, "COMMIT", error) || !Exec(s.db, "ANALYZE", error)) return false;
  if (sqlite3_prepare_v3(s.db, kSqlYear, -1, SQLITE_PREPARE_PERSISTENT, &s.year, nullptr) != SQLITE_OK) {
    error = sqlite3_errmsg(s.db);
    return false;
  }
  s.loaded = true;
  return true;
}

// The year's sums from SQL into cells.
bool SqlCells(std::vector<Cell>& cells, std::string& error) {
  const Data& d = GetData();
  SqlState& s = Sql();
  const Spiff spiff = SpiffDays();
  cells.assign(d.managers.size() * 12, Cell{});
  sqlite3_bind_int64(s.year, 1, kClawbackDays);
  sqlite3_bind_int64(s.year, 2, spiff.from);
  sqlite3_bind_int64(s.year, 3, spiff.to);
  int rc;
  while ((rc = sqlite3_step(s.year)) == SQLITE_ROW) {
    const int64_t m = sqlite3_column_int64(s.year, 0), mo = sqlite3_column_int64(s.year, 1);
    if (m < 0 || static_cast<std::size_t>(m) >= d.managers.size() || mo < 0 || mo >= 12) continue;
    Cell& c = cells[static_cast<std::size_t>(m * 12 + mo)];
    c.base = sqlite3_column_int64(s.year, 2);
    for (int k = 0; k < 3; ++k) c.claw[static_cast<std::size_t>(k)] = sqlite3_column_int64(s.year, 3 + k);
    c.spiffs = sqlite3_column_int64(s.year, 6);
    c.net_all = sqlite3_column_int64(s.year, 7);
  }
  sqlite3_reset(s.year);
  if (rc != SQLITE_DONE) {
    error = sqlite3_errmsg(s.db);
    return false;
  }
  return true;
}

// ---- The engine ---------------------------------------------------------------------------

const std::vector<Result>& Expected() {
  static const std::vector<Result>* r = [] {
    std::vector<Cell> cells;
    SumCells(GetData(), cells);
    auto* out = new std::vector<Result>;
    Statements(GetData(), cells, *out);
    return out;
  }();
  return *r;
}

absl::StatusOr<std::vector<cadre::Statement>> EngineYear(cadre::IncentiveEngine& engine) {
  std::vector<cadre::Statement> all;
  for (int mo = 1; mo <= 12; ++mo) {
    CADRE_ASSIGN_OR_RETURN(std::vector<cadre::Statement> month,
                           engine.GetStatements(*cadre::Period::Parse(MonthName(mo))));
    for (cadre::Statement& s : month) all.push_back(std::move(s));
  }
  return all;
}

// Statements that differ from the plain loop's (total or draw balance; a
// statement one side has and the other not). Names the first few on stderr.
int64_t Mismatches(const std::vector<cadre::Statement>& statements) {
  const Data& d = GetData();
  const std::vector<Result>& expected = Expected();
  std::vector<uint8_t> seen(expected.size(), 0);
  int64_t bad = 0;
  auto report = [&](const std::string& what) {
    if (++bad <= 5) std::fprintf(stderr, "MISMATCH %s\n", what.c_str());
  };
  for (const cadre::Statement& s : statements) {
    auto it = d.manager_index.find(s.manager);
    const int month = std::atoi(s.period.c_str() + 5);
    if (it == d.manager_index.end() || month < 1 || month > 12) {
      report(absl::StrCat(s.manager, " ", s.period, ": unknown"));
      continue;
    }
    const std::size_t k = static_cast<std::size_t>(it->second) * 12 + static_cast<std::size_t>(month - 1);
    seen[k] = 1;
    const Result& r = expected[k];
    if (r.exists && r.total == s.total_minor && r.balance == s.draw_balance_minor) continue;
    std::string lines;
    for (const cadre::StatementLine& l : s.lines) absl::StrAppend(&lines, " ", l.id, "=", l.amount_minor);
    report(absl::StrCat(s.manager, " ", s.period, ": engine total ", s.total_minor, " balance ", s.draw_balance_minor,
                        " lines", lines, "; plain loop ", r.exists ? "" : "(no statement) ", "total ", r.total,
                        " balance ", r.balance, " commission ", r.commission, " clawback ", r.clawback, " spiff ",
                        r.spiff, " overlay ", r.overlay, " draw ", r.draw));
  }
  for (std::size_t k = 0; k < expected.size(); ++k) {
    if (expected[k].exists && !seen[k])
      report(absl::StrCat(d.managers[k / 12].id, " ", MonthName(static_cast<int>(k % 12) + 1),
                          ": the plain loop has a statement, the engine none"));
  }
  return bad;
}

// One new sale dated 2026 (no 2025 figure changes): the engine's next call
// catches it up and forgets every statement it memoised.
absl::Status Bump(Engine& e) {
  Event ev;
  ev.id = absl::StrCat("BENCH-", e.bumps++);
  ev.kind = EventKind::kSale;
  // 2026-01-01 00:30 in the workspace zone: after the year, before the ingest clock.
  absl::TimeZone tz;
  absl::LoadTimeZone(kZone, &tz);
  ev.occurred_at = absl::FromCivil(absl::CivilSecond(kYear + 1, 1, 1, 0, 30, 0), tz);
  ev.customer = "C000001";
  ev.manager = GetData().managers.front().id;
  ev.amount_minor = 1;
  ev.quantity = 1;
  std::vector<Event> batch;
  batch.push_back(std::move(ev));
  CADRE_ASSIGN_OR_RETURN(cadre::IngestReport r, e.ws->Ingest(std::move(batch), cadre::IngestMode::kAtomic));
  if (r.accepted != 1) return absl::InternalError("the memo-clearing event was not accepted");
  return absl::OkStatus();
}

struct Check {
  int64_t statements = 0, mismatches = 0;
  double seconds = 0;
};
Check g_check;

// Builds the shared engine, computes the year and compares it with the plain
// loop. Exits with status 3 when they differ.
void CheckOnce() {
  const Data& d = GetData();
  Engine& e = Shared();
  const auto start = std::chrono::steady_clock::now();
  e.engine = std::make_unique<cadre::IncentiveEngine>(*e.ws);
  absl::StatusOr<std::vector<cadre::Statement>> year = EngineYear(*e.engine);
  if (!year.ok()) {
    std::fprintf(stderr, "incentive_benchmark: the engine failed: %s\n", std::string(year.status().message()).c_str());
    std::exit(2);
  }
  g_check.seconds = Seconds(std::chrono::steady_clock::now() - start);
  g_check.statements = static_cast<int64_t>(year->size());
  g_check.mismatches = Mismatches(*year);
  int64_t expected = 0;
  for (const Result& r : Expected()) expected += r.exists;
  std::printf("Check: %lld engine statements, %lld from the plain loop, %lld differ (quota %lld, draw %lld)\n",
              static_cast<long long>(g_check.statements), static_cast<long long>(expected),
              static_cast<long long>(g_check.mismatches), static_cast<long long>(d.quota),
              static_cast<long long>(d.draw));
  if (g_check.mismatches != 0) {
    std::fprintf(stderr,
                 "incentive_benchmark: the engine's statements differ from the plain loop's in %lld cases; "
                 "nothing is timed (the figures would compare different computations)\n",
                 static_cast<long long>(g_check.mismatches));
    std::exit(3);
  }
}

// The managers of the trace figures: the busiest account manager of June (most
// credits of their own) and the lead with the most managers under them.
struct TraceSubjects {
  std::string am, region_lead;
  int64_t am_credits = 0;
};
const TraceSubjects& Subjects() {
  static const TraceSubjects* t = [] {
    const Data& d = GetData();
    std::vector<int64_t> count(d.managers.size(), 0);
    for (std::size_t i = 0; i < d.size(); ++i)
      if (d.manager[i] >= 0 && d.month[i] == kTraceMonth - 1) ++count[static_cast<std::size_t>(d.manager[i])];
    auto* out = new TraceSubjects;
    std::size_t best = 0, lead = 0;
    for (std::size_t m = 0; m < d.managers.size(); ++m) {
      if (!d.lead[m] && count[m] > count[best]) best = m;
      if (d.members[m].size() > d.members[lead].size()) lead = m;
    }
    out->am = d.managers[best].id;
    out->am_credits = count[best];
    out->region_lead = d.managers[lead].id;
    return out;
  }();
  return *t;
}

// ---- Benchmarks ------------------------------------------------------------------------------

void SetEventsProcessed(benchmark::State& state, std::size_t per_iteration) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(per_iteration));
}

void BM_PlainLoopYear(benchmark::State& state) {
  const Data& d = GetData();
  std::vector<Cell> cells;
  std::vector<Result> results;
  for (auto _ : state) {
    SumCells(d, cells);
    Statements(d, cells, results);
    benchmark::DoNotOptimize(results.data());
  }
  int64_t bad = 0;
  for (std::size_t k = 0; k < results.size(); ++k)
    bad += results[k].exists != Expected()[k].exists || results[k].total != Expected()[k].total;
  state.counters["mismatches"] = static_cast<double>(bad);
  SetEventsProcessed(state, d.size());
}
BENCHMARK(BM_PlainLoopYear)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);

void BM_SqlLoad(benchmark::State& state) {
  const Data& d = GetData();
  std::string error;
  for (auto _ : state) {
    if (!LoadSql(error)) {
      state.SkipWithError(error.c_str());
      return;
    }
  }
  std::error_code ec;
  state.counters["file_B/row"] =
      static_cast<double>(std::filesystem::file_size(Sql().path, ec)) / static_cast<double>(d.size());
  SetEventsProcessed(state, d.size());
}
BENCHMARK(BM_SqlLoad)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

void BM_SqlYear(benchmark::State& state) {
  const Data& d = GetData();
  std::string error;
  if (!Sql().loaded && !LoadSql(error)) {
    state.SkipWithError(error.c_str());
    return;
  }
  std::vector<Cell> cells;
  std::vector<Result> results;
  for (auto _ : state) {
    if (!SqlCells(cells, error)) {
      state.SkipWithError(error.c_str());
      return;
    }
    Statements(d, cells, results);
    benchmark::DoNotOptimize(results.data());
  }
  int64_t bad = 0;
  for (std::size_t k = 0; k < results.size(); ++k)
    bad += results[k].exists != Expected()[k].exists || results[k].total != Expected()[k].total;
  state.counters["mismatches"] = static_cast<double>(bad);
  SetEventsProcessed(state, d.size());
}
BENCHMARK(BM_SqlYear)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);

void BM_EngineYearCold(benchmark::State& state) {
  Engine& e = Shared();
  e.engine.reset();  // one engine at a time: at 10 million events each holds gigabytes
  double catch_up = 0, statements = 0;
  int64_t count = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    auto engine = std::make_unique<cadre::IncentiveEngine>(*e.ws);
    absl::Status s = engine->CatchUp();
    const auto caught_up = std::chrono::steady_clock::now();
    absl::StatusOr<std::vector<cadre::Statement>> year =
        s.ok() ? EngineYear(*engine) : absl::StatusOr<std::vector<cadre::Statement>>(s);
    catch_up = Seconds(caught_up - start);
    statements = Seconds(std::chrono::steady_clock::now() - caught_up);
    if (!year.ok()) {
      state.SkipWithError(std::string(year.status().message()).c_str());
      return;
    }
    count = static_cast<int64_t>(year->size());
    state.PauseTiming();
    e.engine = std::move(engine);  // caught up like the one it replaces: the warm figures use it
    state.ResumeTiming();
  }
  state.counters["catch_up_s"] = catch_up;
  state.counters["statements_s"] = statements;
  state.counters["statements"] = static_cast<double>(count);
}
BENCHMARK(BM_EngineYearCold)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

void BM_EngineYearWarm(benchmark::State& state) {
  Engine& e = Shared();
  int64_t bad = -1;
  for (auto _ : state) {
    state.PauseTiming();
    if (absl::Status s = Bump(e); !s.ok()) {
      state.SkipWithError(std::string(s.message()).c_str());
      return;
    }
    state.ResumeTiming();
    absl::StatusOr<std::vector<cadre::Statement>> year = EngineYear(*e.engine);
    if (!year.ok()) {
      state.SkipWithError(std::string(year.status().message()).c_str());
      return;
    }
    if (bad < 0) {
      state.PauseTiming();
      bad = Mismatches(*year);
      state.ResumeTiming();
    }
    benchmark::DoNotOptimize(year->data());
  }
  state.counters["mismatches"] = static_cast<double>(bad);
  state.counters["statements"] = static_cast<double>(g_check.statements);
}
BENCHMARK(BM_EngineYearWarm)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

void OneStatement(benchmark::State& state, const std::string& manager) {
  Engine& e = Shared();
  const cadre::Period june = *cadre::Period::Parse(MonthName(kTraceMonth));
  std::size_t credits = 0;
  int64_t total = 0;
  for (auto _ : state) {
    state.PauseTiming();
    if (absl::Status s = Bump(e); !s.ok()) {
      state.SkipWithError(std::string(s.message()).c_str());
      return;
    }
    state.ResumeTiming();
    absl::StatusOr<cadre::Statement> st = e.engine->GetStatement(manager, june, {.expand_credits = true});
    if (!st.ok()) {
      state.SkipWithError(std::string(st.status().message()).c_str());
      return;
    }
    credits = 0;
    for (const cadre::StatementLine& l : st->lines) credits += l.trace.credits.size();
    total = st->total_minor;
    benchmark::DoNotOptimize(st->lines.data());
  }
  const Data& d = GetData();
  const std::size_t k =
      static_cast<std::size_t>(d.manager_index.at(manager)) * 12 + static_cast<std::size_t>(kTraceMonth - 1);
  state.counters["credits_traced"] = static_cast<double>(credits);
  state.counters["mismatches"] = Expected()[k].total == total ? 0 : 1;
  state.SetLabel(manager);
}
void BM_OneStatementFullTrace_am(benchmark::State& state) { OneStatement(state, Subjects().am); }
BENCHMARK(BM_OneStatementFullTrace_am)
    ->Name("BM_OneStatementFullTrace/am")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(1.0);
void BM_OneStatementFullTrace_lead(benchmark::State& state) { OneStatement(state, Subjects().region_lead); }
BENCHMARK(BM_OneStatementFullTrace_lead)
    ->Name("BM_OneStatementFullTrace/region_lead")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(1.0);

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
  if (std::isnan(s)) return "-";
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
      "\nData set: %zu managers, %d customers, %zu events ingested (%zu sales and returns, %zu assignments), "
      "year %d, %s store, generated and ingested in %.1f s\n",
      d.managers.size(), o.customers, d.all_events, d.size(), d.assignments, kYear,
      UseSqliteStore() ? "sqlite:" : "memory:", d.generate_seconds);
  std::printf("Plans: quota %lld, draw %lld (minor units a month); %lld statements a year; check: %lld differ\n",
              static_cast<long long>(d.quota), static_cast<long long>(d.draw),
              static_cast<long long>(g_check.statements), static_cast<long long>(g_check.mismatches));
  std::printf("Trace subjects: %s (%lld credits in June), region lead %s\n", Subjects().am.c_str(),
              static_cast<long long>(Subjects().am_credits), Subjects().region_lead.c_str());
  std::printf("\n  %-44s %10s %10s %14s %14s  %s\n", "figure (thread CPU time; wall)", "CPU", "wall", "/ plain loop",
              "/ SQL", "target (CPU)");
  const double loop = r.Get("BM_PlainLoopYear") ? r.Get("BM_PlainLoopYear")->cpu : std::nan("");
  const double sql = r.Get("BM_SqlYear") ? r.Get("BM_SqlYear")->cpu : std::nan("");
  auto line = [&](const char* label, const char* name, double target_s, const char* target_label) {
    const Reporter::Result* x = r.Get(name);
    if (x == nullptr) return;
    char a[32] = "", b[32] = "";
    if (!std::isnan(loop)) std::snprintf(a, sizeof a, "%.3g x", x->cpu / loop);
    if (!std::isnan(sql)) std::snprintf(b, sizeof b, "%.3g x", x->cpu / sql);
    std::string target;
    if (target_label != nullptr) target = absl::StrCat(target_label, ": ", x->cpu <= target_s ? "met" : "MISSED");
    std::printf("  %-44s %10s %10s %14s %14s  %s\n", label, Time(x->cpu).c_str(), Time(x->real).c_str(), a, b,
                target.c_str());
  };
  line("plain loop: the year's statements", "BM_PlainLoopYear", 0, nullptr);
  line("SQL (GROUP BY) + C++ statements, year", "BM_SqlYear", 0, nullptr);
  line("SQL load (once)", "BM_SqlLoad", 0, nullptr);
  line("engine cold: new engine, CatchUp, 12 months", "BM_EngineYearCold", 0, nullptr);
  line("engine warm: 12 months' GetStatements", "BM_EngineYearWarm", 0.250, "< 250 ms");
  line("engine one statement, full trace (AM)", "BM_OneStatementFullTrace/am", 0.005, "< 5 ms");
  line("engine one statement, full trace (region lead)", "BM_OneStatementFullTrace/region_lead", 0.005, "< 5 ms");
  const double cold_catch_up = r.Counter("BM_EngineYearCold", "catch_up_s");
  if (!std::isnan(cold_catch_up)) {
    std::printf("\n  cold run (wall): CatchUp %s, statements %s\n", Time(cold_catch_up).c_str(),
                Time(r.Counter("BM_EngineYearCold", "statements_s")).c_str());
  }
  std::printf("\n  Agreement with the plain loop (statements that differ; 0 = exact)\n");
  for (const char* name :
       {"BM_SqlYear", "BM_EngineYearWarm", "BM_OneStatementFullTrace/am", "BM_OneStatementFullTrace/region_lead"}) {
    const double v = r.Counter(name, "mismatches");
    if (!std::isnan(v)) std::printf("    %-40s %6.0f\n", name, v);
  }
  for (const char* name : {"BM_OneStatementFullTrace/am", "BM_OneStatementFullTrace/region_lead"}) {
    const double v = r.Counter(name, "credits_traced");
    if (!std::isnan(v)) std::printf("  %s: %.0f credits traced\n", name, v);
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  GetData();    // generate and ingest before any timing
  CheckOnce();  // the engine must agree with the plain loop, or nothing is timed
  Subjects();
  Reporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  PrintSummary(reporter);
  benchmark::Shutdown();
  Shared().engine.reset();
  Shared().ws.reset();
  if (Sql().year != nullptr) sqlite3_finalize(Sql().year);
  if (Sql().db != nullptr) sqlite3_close_v2(Sql().db);
  RemoveTempDir();
  return 0;
}
