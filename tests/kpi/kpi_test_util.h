// Shared by the kpi tests: a small org (CO > ST1 > T1 {M1, M2}, T2 {M3, M4}) in
// an Asia/Shanghai workspace on either backend, event builders, and query helpers
// that check every scorecard against the engine's reference recomputation.
#ifndef CADRE_TESTS_KPI_KPI_TEST_UTIL_H_
#define CADRE_TESTS_KPI_KPI_TEST_UTIL_H_

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "cadre/event.h"
#include "cadre/json.h"
#include "cadre/kpi.h"
#include "cadre/model.h"
#include "cadre/period.h"
#include "cadre/store.h"
#include "cadre/workspace.h"
#include "gtest/gtest.h"
#include "store/fault_injecting_store.h"
#include "testing/test_util.h"

namespace cadre {

// Readable failures for the result types (json::Write does not take doubles).
inline std::string OptText(const std::optional<double>& v) { return v ? absl::StrCat(*v) : std::string("-"); }
inline void PrintTo(const Figure& f, std::ostream* os) {
  *os << "{value " << OptText(f.value) << " = " << f.numerator << "/" << f.denominator << ", target "
      << OptText(f.target) << ", attainment " << OptText(f.attainment) << ", score " << OptText(f.score)
      << ", previous " << OptText(f.previous) << ", change " << OptText(f.change) << "}";
}
inline void PrintTo(const ScorecardRow& r, std::ostream* os) {
  *os << r.subject << " (team " << r.team.value_or("-") << ", total " << OptText(r.total) << "):";
  for (const Figure& f : r.figures) {
    *os << " ";
    PrintTo(f, os);
  }
}
inline void PrintTo(const Scorecard& s, std::ostream* os) {
  *os << "scorecard " << s.period << "\n";
  for (const ScorecardRow& r : s.managers) {
    *os << "  manager ";
    PrintTo(r, os);
    *os << "\n";
  }
  for (const ScorecardRow& r : s.units) {
    *os << "  unit ";
    PrintTo(r, os);
    *os << "\n";
  }
}
inline void PrintTo(const LeaderboardEntry& e, std::ostream* os) {
  *os << "#" << e.rank << " " << e.manager << " ";
  PrintTo(e.figure, os);
}

namespace kpi_testing {

using testing::T;

inline Period P(const char* text) {
  absl::StatusOr<Period> p = Period::Parse(text);
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *p : Period::Of(Granularity::kMonth, absl::CivilDay(2000, 1, 1));
}

inline Decimal D(const char* text) {
  absl::StatusOr<Decimal> d = Decimal::Parse(text);
  EXPECT_TRUE(d.ok()) << d.status();
  return d.ok() ? *d : Decimal();
}

// An event builder: Ev("S1", EventKind::kSale, "2025-06-03T10:00:00+08:00").Customer("C1").Amount(100).
struct Ev {
  Ev(std::string id, EventKind kind, const char* at) {
    e.id = std::move(id);
    e.kind = kind;
    e.occurred_at = T(at);
  }
  Ev& Customer(std::string c) {
    e.customer = std::move(c);
    return *this;
  }
  Ev& Manager(std::optional<std::string> m) {
    e.manager = std::move(m);
    return *this;
  }
  Ev& Amount(int64_t a) {
    e.amount_minor = a;
    return *this;
  }
  Ev& Category(std::string c) {
    e.category = std::move(c);
    return *this;
  }
  Ev& Via(Channel c) {
    e.channel = c;
    return *this;
  }
  Ev& Score(const char* s) {
    e.score = D(s);
    return *this;
  }
  Ev& Ref(std::string r) {
    e.reference = std::move(r);
    return *this;
  }
  Ev& Due(absl::CivilDay d) {
    e.due_on = d;
    return *this;
  }
  Ev& Stage(std::string s) {
    e.stage = std::move(s);
    return *this;
  }
  Ev& Reason(std::string r) {
    e.reason = std::move(r);
    return *this;
  }
  Ev& Attr(std::string k, std::string v) {
    e.attributes[std::move(k)] = std::move(v);
    return *this;
  }
  Ev& Line(std::string sku, std::string category, int64_t quantity, int64_t amount) {
    LineItem l;
    l.sku = std::move(sku);
    l.category = std::move(category);
    l.quantity = quantity;
    l.amount_minor = amount;
    e.lines.push_back(std::move(l));
    return *this;
  }
  operator Event() const { return e; }  // NOLINT: builder

  Event e;
};

inline Ev Sale(std::string id, const char* at, std::string customer, std::optional<std::string> manager,
               int64_t amount) {
  return std::move(
      Ev(std::move(id), EventKind::kSale, at).Customer(std::move(customer)).Manager(manager).Amount(amount));
}
inline Ev Return(std::string id, const char* at, std::string customer, std::optional<std::string> manager,
                 int64_t amount) {
  return std::move(
      Ev(std::move(id), EventKind::kReturn, at).Customer(std::move(customer)).Manager(manager).Amount(amount));
}
inline Ev Interaction(std::string id, const char* at, std::string customer, std::optional<std::string> manager,
                      Channel channel = Channel::kCall) {
  return std::move(
      Ev(std::move(id), EventKind::kInteraction, at).Customer(std::move(customer)).Manager(manager).Via(channel));
}
inline Ev Assign(std::string id, const char* at, std::string customer, std::optional<std::string> manager) {
  return std::move(Ev(std::move(id), EventKind::kAssignment, at).Customer(std::move(customer)).Manager(manager));
}
inline Ev Reverse(std::string id, const char* at, std::string target) {
  Ev ev(std::move(id), EventKind::kReversal, at);
  ev.e.reverses = std::move(target);
  return ev;
}
inline Ev FollowUp(std::string id, const char* at, std::string customer, std::optional<std::string> manager,
                   absl::CivilDay due) {
  return std::move(Ev(std::move(id), EventKind::kFollowUp, at).Customer(std::move(customer)).Manager(manager).Due(due));
}
inline Ev Done(std::string id, const char* at, std::string task) {
  return std::move(Ev(std::move(id), EventKind::kFollowUpDone, at).Ref(std::move(task)));
}
inline Ev Survey(std::string id, const char* at, std::string customer, std::optional<std::string> manager,
                 std::string scale, const char* score) {
  return std::move(Ev(std::move(id), EventKind::kSurveyResponse, at)
                       .Customer(std::move(customer))
                       .Manager(manager)
                       .Category(std::move(scale))
                       .Score(score));
}
// `opportunity` (with `customer`) enters `stage` of the default pipeline.
inline Ev Opp(std::string id, const char* at, std::string opportunity, std::string stage, std::string customer,
              std::optional<std::string> manager) {
  return std::move(Ev(std::move(id), EventKind::kOpportunity, at)
                       .Ref(std::move(opportunity))
                       .Stage(std::move(stage))
                       .Customer(std::move(customer))
                       .Manager(manager));
}

// Runs each test on a memory workspace and on a sqlite file workspace.
class KpiTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    WorkspaceOptions options;
    options.currency = "CNY";
    options.time_zone = "Asia/Shanghai";
    options.clock = [] { return T("2026-01-31T00:00:00Z"); };
    absl::StatusOr<std::unique_ptr<Workspace>> ws;
    if (with_faults_) {  // the same stores, behind a wrapper that fails when armed
      absl::StatusOr<std::unique_ptr<Store>> inner = GetParam() == "memory"
                                                         ? absl::StatusOr<std::unique_ptr<Store>>(NewMemoryStore())
                                                         : OpenSqliteStore(dir_.File("kpi.db"));
      ASSERT_TRUE(inner.ok()) << inner.status();
      auto faulty = std::make_unique<FaultInjectingStore>(*std::move(inner));
      faults_ = faulty.get();
      ws = Workspace::Open(std::move(faulty), options);
    } else {
      ws = Workspace::Open(GetParam() == "memory" ? std::string("memory:") : "sqlite:" + dir_.File("kpi.db"), options);
    }
    ASSERT_TRUE(ws.ok()) << ws.status();
    ws_ = *std::move(ws);
    PutUnit("CO", OrgUnitKind::kCompany, std::nullopt);
    PutUnit("ST1", OrgUnitKind::kStore, "CO");
    PutUnit("T1", OrgUnitKind::kTeam, "ST1");
    PutUnit("T2", OrgUnitKind::kTeam, "ST1");
    PutManager("M1", "T1");
    PutManager("M2", "T1");
    PutManager("M3", "T2");
    PutManager("M4", "T2");
    ASSERT_TRUE(ws_->PutEntity(DefaultPipeline()).ok());
    engine_ = std::make_unique<KpiEngine>(*ws_);
  }

  static Pipeline DefaultPipeline() {
    Pipeline p;
    p.id = "default";
    p.name = "Retail pipeline";
    p.stages = {{"qualify", "Qualify", D("0.1"), StageOutcome::kOpen},
                {"propose", "Propose", D("0.4"), StageOutcome::kOpen},
                {"negotiate", "Negotiate", D("0.7"), StageOutcome::kOpen},
                {"won", "Won", D("1"), StageOutcome::kWon},
                {"lost", "Lost", D("0"), StageOutcome::kLost}};
    return p;
  }

  void PutUnit(std::string id, OrgUnitKind kind, std::optional<std::string> parent) {
    OrgUnit u;
    u.id = id;
    u.name = id;
    u.kind = kind;
    u.parent = std::move(parent);
    absl::StatusOr<Document> doc = ws_->PutEntity(u);
    ASSERT_TRUE(doc.ok()) << doc.status();
  }
  void PutManager(std::string id, std::string team, std::optional<absl::CivilDay> hired_on = std::nullopt,
                  std::optional<absl::CivilDay> left_on = std::nullopt) {
    Manager m;
    m.id = id;
    m.name = id;
    m.team = std::move(team);
    m.hired_on = hired_on;
    m.left_on = left_on;
    if (left_on) m.status = EmploymentStatus::kLeft;
    absl::StatusOr<Document> doc = ws_->PutEntity(m);
    ASSERT_TRUE(doc.ok()) << doc.status();
  }

  // Puts a configuration document given as JSON and expects it to be accepted.
  void Put(std::string_view collection, std::string_view id, std::string_view body) {
    absl::StatusOr<Document> doc = ws_->Put(collection, id, body);
    ASSERT_TRUE(doc.ok()) << collection << "/" << id << ": " << doc.status();
  }
  absl::Status TryPut(std::string_view collection, std::string_view id, std::string_view body) {
    return ws_->Put(collection, id, body).status();
  }

  void Ingest(std::vector<Event> events) {
    const std::size_t n = events.size();
    absl::StatusOr<IngestReport> report = ws_->Ingest(std::move(events));
    ASSERT_TRUE(report.ok()) << report.status();
    ASSERT_TRUE(report->rejected.empty()) << report->rejected[0].message;
    ASSERT_EQ(report->accepted, n);
  }

  // The scorecard from the incremental state, checked against the reference.
  Scorecard Card(const ScorecardRequest& request) {
    absl::StatusOr<Scorecard> got = engine_->GetScorecard(request);
    EXPECT_TRUE(got.ok()) << got.status();
    absl::StatusOr<Scorecard> reference = engine_->RecomputeScorecard(request);
    EXPECT_TRUE(reference.ok()) << reference.status();
    if (!got.ok() || !reference.ok()) return Scorecard{};
    EXPECT_EQ(*got, *reference) << "GetScorecard and RecomputeScorecard disagree";
    return *got;
  }
  Scorecard Card(std::vector<std::string> metrics, const char* period) {
    ScorecardRequest request;
    request.metrics = std::move(metrics);
    request.period = P(period);
    return Card(request);
  }

  static const ScorecardRow* Row(const std::vector<ScorecardRow>& rows, std::string_view subject) {
    for (const ScorecardRow& r : rows)
      if (r.subject == subject) return &r;
    return nullptr;
  }

  // One metric of one manager (or unit) in one period.
  Figure Fig(std::string metric, std::string_view subject, const char* period, bool unit = false) {
    Scorecard card = Card({std::move(metric)}, period);
    const ScorecardRow* row = Row(unit ? card.units : card.managers, subject);
    EXPECT_NE(row, nullptr) << "no row for " << subject;
    if (row == nullptr || row->figures.size() != 1) {
      ADD_FAILURE() << "expected one figure for " << subject;
      return Figure{};
    }
    return row->figures[0];
  }
  std::optional<double> Value(std::string metric, std::string_view subject, const char* period, bool unit = false) {
    return Fig(std::move(metric), subject, period, unit).value;
  }

  testing::TempDir dir_;
  bool with_faults_ = false;               // set by a fixture's constructor
  FaultInjectingStore* faults_ = nullptr;  // when with_faults_
  std::unique_ptr<Workspace> ws_;
  std::unique_ptr<KpiEngine> engine_;
};

inline std::string BackendName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

}  // namespace kpi_testing
}  // namespace cadre

#endif  // CADRE_TESTS_KPI_KPI_TEST_UTIL_H_
