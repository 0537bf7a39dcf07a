// The incremental KPI state equals the full recompute, exactly, whatever the
// order the events arrive in: shuffled batches, duplicates, reversals (of
// facts, of first purchases, of assignments), late assignments that move
// credits, and events on period boundaries in the workspace zone.
#include <algorithm>
#include <filesystem>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cadre/json.h"
#include "cadre/kpi.h"
#include "cadre/model.h"
#include "cadre/workspace.h"
#include "gtest/gtest.h"
#include "testing/test_util.h"

namespace cadre {
namespace {

constexpr const char* kZone = "Asia/Shanghai";

struct Stream {
  std::vector<Event> events;  // in ingest order; reversals after their targets
};

Stream MakeStream(uint32_t seed) {
  std::mt19937 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
  const absl::TimeZone tz = *LoadTimeZone(kZone);
  // Times in January-March 2025, a third of them on a day's first or last second.
  auto when = [&]() {
    const absl::CivilDay day = absl::CivilDay(2025, 1, 1) + pick(90);
    const int style = pick(3);
    const absl::CivilSecond s = style == 0   ? absl::CivilSecond(day)
                                : style == 1 ? absl::CivilSecond(day) + (86400 - 1)
                                             : absl::CivilSecond(day) + pick(86400);
    return absl::FromCivil(s, tz);
  };
  const std::vector<std::string> managers = {"M1", "M2", "M3", "M4", "MX"};  // MX: not in the org
  auto customer = [&]() { return absl::StrFormat("C%02d", 1 + pick(15)); };
  std::vector<Event> facts;
  int n = 0;
  auto next_id = [&]() { return absl::StrFormat("E%04d", ++n); };
  for (int i = 0; i < 25; ++i) {
    Event e;
    e.id = next_id();
    e.kind = EventKind::kAssignment;
    e.occurred_at = when();
    e.customer = customer();
    if (pick(10) != 0) e.manager = managers[static_cast<std::size_t>(pick(4))];
    facts.push_back(std::move(e));
  }
  for (int i = 0; i < 90; ++i) {
    Event e;
    e.id = next_id();
    e.occurred_at = when();
    e.customer = customer();
    if (pick(2) == 0) e.manager = managers[static_cast<std::size_t>(pick(5))];
    const int k = pick(10);
    if (k < 5) {
      e.kind = EventKind::kSale;
      e.amount_minor = 100 * (1 + pick(100));
      e.category = pick(2) == 0 ? "a" : "b";
    } else if (k < 6) {
      e.kind = EventKind::kReturn;
      e.amount_minor = 100 * (1 + pick(30));
      e.category = pick(2) == 0 ? "a" : "b";
    } else if (k < 8) {
      e.kind = EventKind::kInteraction;
      e.channel = pick(2) == 0 ? Channel::kCall : Channel::kVisit;
    } else {
      e.kind = EventKind::kSurveyResponse;
      const bool csat = pick(2) == 0;
      e.category = csat ? "csat" : "nps";
      e.score = Decimal::FromUnits((csat ? 1 + pick(5) : pick(11)) * Decimal::kOne);
    }
    facts.push_back(std::move(e));
  }
  std::shuffle(facts.begin(), facts.end(), rng);
  // Reversals of some of them, each placed after its target.
  std::vector<std::size_t> targets(facts.size());
  for (std::size_t i = 0; i < targets.size(); ++i) targets[i] = i;
  std::shuffle(targets.begin(), targets.end(), rng);
  targets.resize(14);
  std::vector<Event> out = facts;
  for (std::size_t t : targets) {
    const std::string target = facts[t].id;
    auto pos = std::find_if(out.begin(), out.end(), [&](const Event& e) { return e.id == target; });
    const std::size_t after = static_cast<std::size_t>(pos - out.begin()) + 1;
    const std::size_t at = after + static_cast<std::size_t>(pick(static_cast<int>(out.size() - after) + 1));
    Event r;
    r.id = next_id();
    r.kind = EventKind::kReversal;
    r.occurred_at = when();
    r.reverses = target;
    out.insert(out.begin() + static_cast<std::ptrdiff_t>(at), std::move(r));
  }
  return Stream{std::move(out)};
}

absl::Status PutConfig(Workspace& ws) {
  std::vector<Workspace::DocumentPut> puts = {
      {"org_units", "CO", R"({"name":"Company","kind":"company"})", {}},
      {"org_units", "T1", R"({"name":"Team 1","kind":"team","parent":"CO"})", {}},
      {"org_units", "T2", R"({"name":"Team 2","kind":"team","parent":"CO"})", {}},
      {"managers", "M1", R"({"name":"One","team":"T1"})", {}},
      {"managers", "M2", R"({"name":"Two","team":"T1"})", {}},
      {"managers", "M3", R"({"name":"Three","team":"T2"})", {}},
      {"managers", "M4", R"({"name":"Four","team":"T2","hired_on":"2025-02-10"})", {}},
      {"metrics",
       "cat_a_net",
       R"({"name":"Net sales of a","unit":"money","aggregate":"sum","field":"amount",
          "filter":{"kinds":["sale","return"],"categories":["a"]}})",
       {}},
      {"metrics", "distinct_buyers", R"({"name":"Buyers","aggregate":"distinct_count","field":"customer"})", {}},
      {"metrics", "largest_sale", R"({"name":"Largest sale","unit":"money","aggregate":"max","field":"amount"})", {}},
      {"metrics", "net_per_order", R"({"name":"Net per order","unit":"money","formula":"net_sales / orders"})", {}},
      {"targets",
       "t1",
       R"({"metric":"net_sales","manager":"M1","period":"2025-02","basis":"growth_over_previous_period","growth":"0.1"})",
       {}},
      {"targets", "t2", R"({"metric":"net_sales","manager":"M4","period":"2025-02","value":"50000"})", {}},
      {"targets", "t3", R"({"metric":"return_rate","unit":"T2","period":"2025-03","value":"0.05"})", {}},
  };
  return ws.PutAll(puts).status();
}

std::vector<std::string> Metrics() {
  return {
      "net_sales", "gross_sales",          "returns",     "orders",          "average_order_value", "new_customers",
      "buyers",    "repeat_purchase_rate", "return_rate", "interactions",    "contact_coverage",    "csat",
      "nps",       "survey_responses",     "cat_a_net",   "distinct_buyers", "largest_sale",        "net_per_order"};
}

std::vector<Period> Periods() {
  return {*Period::Parse("2025-01"), *Period::Parse("2025-02"),  *Period::Parse("2025-03"),
          *Period::Parse("2025-Q1"), *Period::Parse("2025-W06"), *Period::Parse("2025-03-01")};
}

class KpiPropertyTest : public ::testing::TestWithParam<std::tuple<std::string, uint32_t>> {
 protected:
  std::unique_ptr<Workspace> Open(const std::string& uri) {
    WorkspaceOptions options;
    options.currency = "CNY";
    options.time_zone = kZone;
    options.clock = [] { return testing::T("2025-12-31T00:00:00Z"); };
    absl::StatusOr<std::unique_ptr<Workspace>> ws = Workspace::Open(uri, options);
    EXPECT_TRUE(ws.ok()) << ws.status();
    return ws.ok() ? *std::move(ws) : nullptr;
  }
};

TEST_P(KpiPropertyTest, IncrementalEqualsRecompute) {
  const auto& [backend, seed] = GetParam();
  std::string uri = "memory:";
  std::filesystem::path file;
  if (backend == "sqlite") {
    file = std::filesystem::temp_directory_path() / absl::StrCat("cadre_kpi_prop_", seed, "_", getpid(), ".db");
    std::filesystem::remove(file);
    uri = "sqlite:" + file.string();
  }
  std::unique_ptr<Workspace> ws = Open(uri);
  ASSERT_NE(ws, nullptr);
  ASSERT_TRUE(PutConfig(*ws).ok()) << PutConfig(*ws);

  Stream stream = MakeStream(seed);
  std::mt19937 rng(seed * 7919u + 1);
  KpiEngine incremental(*ws);
  std::vector<Period> periods = Periods();
  std::size_t i = 0;
  std::vector<Event> sent;
  while (i < stream.events.size()) {
    const std::size_t size = 1 + rng() % 12;
    std::vector<Event> batch(
        stream.events.begin() + static_cast<std::ptrdiff_t>(i),
        stream.events.begin() + static_cast<std::ptrdiff_t>(std::min(i + size, stream.events.size())));
    i += batch.size();
    // Now and then, send again some events already logged: duplicates.
    if (!sent.empty() && rng() % 3 == 0) batch.push_back(sent[rng() % sent.size()]);
    absl::StatusOr<IngestReport> report = ws->Ingest(batch);
    ASSERT_TRUE(report.ok()) << report.status();
    ASSERT_TRUE(report->rejected.empty()) << report->rejected[0].message;
    sent.insert(sent.end(), batch.begin(), batch.end());
    // Query in between, so cells are cached and then refreshed.
    if (rng() % 2 == 0) {
      ScorecardRequest req;
      req.metrics = Metrics();
      req.period = periods[rng() % periods.size()];
      ASSERT_TRUE(incremental.GetScorecard(req).ok());
    }
  }

  KpiEngine fresh(*ws);
  for (const Period& p : periods) {
    ScorecardRequest req;
    req.metrics = Metrics();
    req.period = p;
    absl::StatusOr<Scorecard> a = incremental.GetScorecard(req);
    absl::StatusOr<Scorecard> b = fresh.GetScorecard(req);
    absl::StatusOr<Scorecard> c = incremental.RecomputeScorecard(req);
    ASSERT_TRUE(a.ok()) << a.status();
    ASSERT_TRUE(b.ok()) << b.status();
    ASSERT_TRUE(c.ok()) << c.status();
    EXPECT_EQ(json::ToText(*a), json::ToText(*b)) << p.ToString();
    EXPECT_EQ(json::ToText(*a), json::ToText(*c)) << p.ToString();
    EXPECT_TRUE(*a == *c) << p.ToString();
    // Not vacuous: the stream produced activity in the quarter.
    if (p.granularity() == Granularity::kQuarter) {
      int64_t orders = 0;
      for (const ScorecardRow& row : a->managers) orders += row.figures[3].numerator;
      EXPECT_GT(orders, 10);
    }
  }
  // The facts held are exactly the live log's sales, returns, interactions and surveys.
  std::size_t facts = 0;
  EventQuery q;
  q.kinds = {EventKind::kSale, EventKind::kReturn, EventKind::kInteraction, EventKind::kSurveyResponse};
  ASSERT_TRUE(ws->ScanEvents(q, [&](const StoredEvent&) {
                  ++facts;
                  return true;
                }).ok());
  EXPECT_EQ(incremental.facts_held(), facts);
  ws.reset();
  if (!file.empty()) {
    std::filesystem::remove(file);
    std::filesystem::remove(file.string() + "-wal");
    std::filesystem::remove(file.string() + "-shm");
  }
}

INSTANTIATE_TEST_SUITE_P(Memory, KpiPropertyTest,
                         ::testing::Combine(::testing::Values(std::string("memory")), ::testing::Range(1u, 41u)));
INSTANTIATE_TEST_SUITE_P(Sqlite, KpiPropertyTest,
                         ::testing::Combine(::testing::Values(std::string("sqlite")), ::testing::Range(1u, 9u)));

}  // namespace
}  // namespace cadre
