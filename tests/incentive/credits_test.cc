// The credit ledger: who a sale and a return are credited to (named, owner at
// the time, splits by largest remainder), returns matched to their sale (by id
// or order, before or after it), reversals, late events and assignments, first
// sales, SPIFF item queries and traces; on memory and sqlite; and a property
// test that the incremental ledger equals a fresh one after a random stream.
#include "incentive/credits.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cadre/event.h"
#include "cadre/incentive.h"
#include "cadre/status.h"
#include "cadre/workspace.h"
#include "gtest/gtest.h"
#include "testing/test_util.h"

namespace cadre::incentive_internal {
namespace {

using testing::T;

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
  Ev& Manager(std::string m) {
    e.manager = std::move(m);
    return *this;
  }
  Ev& Amount(int64_t a) {
    e.amount_minor = a;
    return *this;
  }
  Ev& Ref(std::string r) {
    e.reference = std::move(r);
    return *this;
  }
  Ev& Category(std::string c) {
    e.category = std::move(c);
    return *this;
  }
  Ev& Sku(std::string s) {
    e.sku = std::move(s);
    return *this;
  }
  Ev& Line(std::string sku, std::optional<std::string> category, int64_t amount) {
    LineItem l;
    l.sku = std::move(sku);
    l.category = std::move(category);
    l.amount_minor = amount;
    e.lines.push_back(std::move(l));
    return *this;
  }
  operator Event() const { return e; }  // NOLINT: builder
  Event e;
};

Ev Sale(std::string id, const char* at, std::string customer, int64_t amount) {
  return std::move(Ev(std::move(id), EventKind::kSale, at).Customer(std::move(customer)).Amount(amount));
}
Ev Return(std::string id, const char* at, std::string customer, int64_t amount) {
  return std::move(Ev(std::move(id), EventKind::kReturn, at).Customer(std::move(customer)).Amount(amount));
}
Ev Assign(std::string id, const char* at, std::string customer, std::string manager) {
  return std::move(Ev(std::move(id), EventKind::kAssignment, at).Customer(std::move(customer)).Manager(manager));
}
Ev Reverse(std::string id, const char* at, std::string target) {
  Ev ev(std::move(id), EventKind::kReversal, at);
  ev.e.reverses = std::move(target);
  return ev;
}

std::string SplitBody(std::string_view id, std::string_view customer,
                      std::vector<std::pair<std::string, std::string>> shares) {
  std::vector<std::string> parts;
  for (const auto& [m, p] : shares) parts.push_back(absl::StrFormat(R"({"manager":"%s","percent":"%s"})", m, p));
  return absl::StrFormat(R"({"id":"%s","customer":"%s","shares":[%s]})", AbslView(id), AbslView(customer),
                         absl::StrJoin(parts, ","));
}

class CreditsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    WorkspaceOptions options;
    options.currency = "CNY";
    options.time_zone = "Asia/Shanghai";
    options.clock = [] { return T("2026-01-31T00:00:00Z"); };
    const std::string uri = GetParam() == "memory" ? std::string("memory:") : "sqlite:" + dir_.File("credits.db");
    absl::StatusOr<std::unique_ptr<Workspace>> ws = Workspace::Open(uri, options);
    ASSERT_TRUE(ws.ok()) << ws.status();
    ws_ = *std::move(ws);
  }

  // Ingests, then catches the ledger up (so every test runs incrementally).
  void Ingest(std::vector<Event> events) {
    const std::size_t n = events.size();
    absl::StatusOr<IngestReport> report = ws_->Ingest(std::move(events));
    ASSERT_TRUE(report.ok()) << report.status();
    ASSERT_TRUE(report->rejected.empty()) << report->rejected[0].message;
    ASSERT_EQ(report->accepted, n);
    CatchUp();
  }
  void CatchUp() {
    absl::Status s = ledger_.CatchUp(*ws_);
    ASSERT_TRUE(s.ok()) << s;
  }
  void PutSplit(std::string_view id, std::string_view customer, std::vector<std::pair<std::string, std::string>> shares,
                std::optional<absl::Time> effective_from = std::nullopt) {
    PutOptions o;
    o.effective_from = effective_from;
    absl::StatusOr<Document> d = ws_->Put(CreditSplit::kCollection, id, SplitBody(id, customer, shares), o);
    ASSERT_TRUE(d.ok()) << d.status();
  }

  // The manager's credits as "event amount via[ percent]" lines, in the ledger's order.
  std::vector<std::string> Of(const std::string& manager, const CreditLedger* ledger = nullptr) {
    const CreditLedger& l = ledger ? *ledger : ledger_;
    std::vector<std::string> out;
    std::optional<uint32_t> m = l.ManagerIndex(manager);
    if (!m) return out;
    absl::StatusOr<std::vector<CreditTrace>> traces = l.Traces(*ws_, l.AllCredits(*m));
    EXPECT_TRUE(traces.ok()) << traces.status();
    if (!traces.ok()) return out;
    for (const CreditTrace& t : *traces) {
      std::string line = absl::StrCat(t.event, " ", t.amount_minor, " ", t.via);
      if (t.percent) absl::StrAppend(&line, " ", t.percent->ToString());
      out.push_back(std::move(line));
    }
    return out;
  }
  // The credit of `event` held by `manager`.
  const Credit* Find(const std::string& manager, const std::string& event) {
    std::optional<uint32_t> m = ledger_.ManagerIndex(manager);
    if (!m) return nullptr;
    for (const Credit& c : ledger_.AllCredits(*m)) {
      absl::StatusOr<std::string> id = ledger_.EventId(*ws_, c);
      if (id.ok() && *id == event) return &c;
    }
    return nullptr;
  }
  // The seq of the sale the manager's credit of `event` is matched to: 0 when
  // unmatched, empty when the manager holds no credit of it.
  std::optional<uint64_t> LinkOf(const std::string& manager, const std::string& event) {
    const Credit* c = Find(manager, event);
    if (c == nullptr) return std::nullopt;
    std::optional<SaleLink> link = ledger_.MatchedSale(*c);
    return link ? link->seq : 0;
  }
  std::string FirstOf(const std::string& manager, const std::string& event) {
    const Credit* c = Find(manager, event);
    if (c == nullptr) return "no credit";
    return ledger_.IsFirstSale(*c) ? "first" : "not first";
  }
  uint64_t SeqOf(const std::string& id) {
    absl::StatusOr<StoredEvent> e = ws_->store().FindEvent(id);
    EXPECT_TRUE(e.ok()) << e.status();
    return e.ok() ? e->seq : 0;
  }

  using Lines = std::vector<std::string>;

  testing::TempDir dir_;
  std::unique_ptr<Workspace> ws_;
  CreditLedger ledger_;
};

TEST_P(CreditsTest, NamedManagerElseTheOwner) {
  Ingest({Assign("A1", "2025-01-01T09:00:00+08:00", "C1", "M1"), Sale("S1", "2025-02-01T10:00:00+08:00", "C1", 500),
          Sale("S2", "2025-02-02T10:00:00+08:00", "C1", 700).Manager("M2"),
          Ev("S3", EventKind::kSale, "2025-02-03T10:00:00+08:00").Manager("M3").Amount(90),
          Sale("S4", "2025-02-04T10:00:00+08:00", "C9", 40)});  // no owner, no manager: nobody
  EXPECT_EQ(Of("M1"), (Lines{"S1 500 owner"}));
  EXPECT_EQ(Of("M2"), (Lines{"S2 700 named"}));
  EXPECT_EQ(Of("M3"), (Lines{"S3 90 named"}));
  EXPECT_EQ(ledger_.credit_count(), 3u);
  const Credit* s3 = Find("M3", "S3");
  ASSERT_NE(s3, nullptr);
  EXPECT_FALSE(ledger_.Customer(*s3).has_value());
  EXPECT_FALSE(ledger_.IsFirstSale(*s3));  // no customer: never a new customer
}

TEST_P(CreditsTest, OwnerWhenTheSaleHappenedNotToday) {
  Ingest({Assign("A1", "2025-01-01T09:00:00+08:00", "C1", "M1"), Assign("A2", "2025-03-01T00:00:00+08:00", "C1", "M2"),
          Sale("S1", "2025-02-28T23:59:59+08:00", "C1", 100), Sale("S2", "2025-03-01T00:00:00+08:00", "C1", 200)});
  EXPECT_EQ(Of("M1"), (Lines{"S1 100 owner"}));
  EXPECT_EQ(Of("M2"), (Lines{"S2 200 owner"}));
  // Periods slice by instant and by day of the workspace zone.
  const uint32_t m1 = *ledger_.ManagerIndex("M1");
  EXPECT_EQ(ledger_.Credits(m1, T("2025-02-01T00:00:00+08:00"), T("2025-03-01T00:00:00+08:00")).size(), 1u);
  EXPECT_EQ(ledger_.Credits(m1, T("2025-03-01T00:00:00+08:00"), T("2025-04-01T00:00:00+08:00")).size(), 0u);
  EXPECT_EQ(
      ledger_.CreditsOfDays(m1, DayNumber(absl::CivilDay(2025, 2, 28)), DayNumber(absl::CivilDay(2025, 2, 28))).size(),
      1u);
  const Credit* s1 = Find("M1", "S1");
  const Credit* s2 = Find("M2", "S2");
  ASSERT_NE(s1, nullptr);
  ASSERT_NE(s2, nullptr);
  EXPECT_EQ(s1->civil_day(), absl::CivilDay(2025, 2, 28));
  EXPECT_EQ(s2->civil_day(), absl::CivilDay(2025, 3, 1));  // UTC would say 28 February
}

TEST_P(CreditsTest, LateAssignmentMovesOwnerCreditsOnly) {
  Ingest({Assign("A1", "2025-01-01T09:00:00+08:00", "C1", "M1"), Sale("S1", "2025-03-10T10:00:00+08:00", "C1", 100),
          Sale("S2", "2025-01-10T10:00:00+08:00", "C1", 300),
          Sale("S3", "2025-03-11T10:00:00+08:00", "C1", 50).Manager("M3")});
  EXPECT_EQ(Of("M1"), (Lines{"S2 300 owner", "S1 100 owner"}));  // time order, not log order
  // Logged in April, it happened in February: S1 was M2's customer's sale.
  Ingest({Assign("A2", "2025-02-01T09:00:00+08:00", "C1", "M2")});
  EXPECT_EQ(Of("M1"), (Lines{"S2 300 owner"}));
  EXPECT_EQ(Of("M2"), (Lines{"S1 100 owner"}));
  EXPECT_EQ(Of("M3"), (Lines{"S3 50 named"}));
  // Reversing the assignment moves it back.
  Ingest({Reverse("X1", "2025-04-02T09:00:00+08:00", "A2")});
  EXPECT_EQ(Of("M1"), (Lines{"S2 300 owner", "S1 100 owner"}));
  EXPECT_TRUE(Of("M2").empty());
}

TEST_P(CreditsTest, SplitSixtyFortyOfAnOddAmountAddsUp) {
  PutSplit("SP1", "C1", {{"M1", "60"}, {"M2", "40"}});
  Ingest({Assign("A1", "2025-01-01T09:00:00+08:00", "C1", "M3"), Sale("S1", "2025-02-01T10:00:00+08:00", "C1", 1001),
          // A split in force overrides the manager the sale names.
          Sale("S2", "2025-02-02T10:00:00+08:00", "C1", 7).Manager("M3")});
  // 1001: 600.6 and 400.4, the odd unit to the larger remainder; 7: 4.2 and 2.8.
  EXPECT_EQ(Of("M1"), (Lines{"S1 601 split 60", "S2 4 split 60"}));
  EXPECT_EQ(Of("M2"), (Lines{"S1 400 split 40", "S2 3 split 40"}));
  EXPECT_TRUE(Of("M3").empty());
  const Credit* c = Find("M1", "S1");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(ledger_.EventAmount(*c), 1001);
  EXPECT_EQ(c->via, CreditVia::kSplit);
  EXPECT_EQ(c->percent(), Decimal::FromUnits(60 * Decimal::kOne));
}

TEST_P(CreditsTest, SplitOfThreeTiesGoToTheEarlierShare) {
  PutSplit("SP1", "C1", {{"M1", "30"}, {"M2", "30"}, {"M3", "40"}});
  PutSplit("SP2", "C2", {{"M3", "25"}, {"M2", "25"}, {"M1", "50"}});
  Ingest({Sale("S1", "2025-02-01T10:00:00+08:00", "C1", 5),    // 1.5, 1.5, 2: the tie goes to M1
          Sale("S2", "2025-02-01T11:00:00+08:00", "C2", 2),    // 0.5, 0.5, 1: the tie goes to M3 (first listed)
          Sale("S3", "2025-02-01T12:00:00+08:00", "C1", 1)});  // 0.3, 0.3, 0.4: M3 gets the unit; the others 0
  EXPECT_EQ(Of("M1"), (Lines{"S1 2 split 30", "S2 1 split 50", "S3 0 split 30"}));
  EXPECT_EQ(Of("M2"), (Lines{"S1 1 split 30", "S2 0 split 25", "S3 0 split 30"}));
  EXPECT_EQ(Of("M3"), (Lines{"S1 2 split 40", "S2 1 split 25", "S3 1 split 40"}));
}

TEST_P(CreditsTest, SplitInForceFromItsEffectiveDate) {
  Ingest({Assign("A1", "2025-01-01T09:00:00+08:00", "C1", "M1"), Sale("S1", "2025-02-28T23:59:59+08:00", "C1", 100)});
  PutSplit("SP1", "C1", {{"M1", "50"}, {"M2", "50"}}, T("2025-03-01T00:00:00+08:00"));
  // A second version from May changes the shares; earlier sales keep the first.
  PutSplit("SP1", "C1", {{"M1", "20"}, {"M2", "80"}}, T("2025-05-01T00:00:00+08:00"));
  Ingest({Sale("S2", "2025-03-01T00:00:00+08:00", "C1", 100), Sale("S3", "2025-05-02T10:00:00+08:00", "C1", 100)});
  EXPECT_EQ(Of("M1"), (Lines{"S1 100 owner", "S2 50 split 50", "S3 20 split 20"}));
  EXPECT_EQ(Of("M2"), (Lines{"S2 50 split 50", "S3 80 split 80"}));
  // A fresh ledger reads the same from the documents' history.
  CreditLedger fresh;
  ASSERT_TRUE(fresh.CatchUp(*ws_).ok());
  EXPECT_EQ(Of("M1", &fresh), Of("M1"));
  EXPECT_EQ(Of("M2", &fresh), Of("M2"));
  // Ending the split from June (a deletion) puts June's sales back on the owner,
  // for this ledger, which saw the split before.
  PutOptions o;
  o.effective_from = T("2025-06-01T00:00:00+08:00");
  ASSERT_TRUE(ws_->Delete(CreditSplit::kCollection, "SP1", o).ok());
  Ingest({Sale("S4", "2025-06-02T10:00:00+08:00", "C1", 100)});
  EXPECT_EQ(Of("M1"), (Lines{"S1 100 owner", "S2 50 split 50", "S3 20 split 20", "S4 100 owner"}));
}

TEST_P(CreditsTest, ChangedSplitCreditsAgain) {
  Ingest({Assign("A1", "2025-01-01T09:00:00+08:00", "C1", "M1"), Sale("S1", "2025-02-01T10:00:00+08:00", "C1", 100)});
  EXPECT_EQ(Of("M1"), (Lines{"S1 100 owner"}));
  PutSplit("SP1", "C1", {{"M1", "75"}, {"M2", "25"}});
  CatchUp();
  EXPECT_EQ(Of("M1"), (Lines{"S1 75 split 75"}));
  EXPECT_EQ(Of("M2"), (Lines{"S1 25 split 25"}));
  PutSplit("SP1", "C2", {{"M1", "75"}, {"M2", "25"}});  // now another customer's
  CatchUp();
  EXPECT_EQ(Of("M1"), (Lines{"S1 100 owner"}));
  EXPECT_TRUE(Of("M2").empty());
}

TEST_P(CreditsTest, ReturnMatchedBySaleIdIsCreditedBackProRata) {
  PutSplit("SP1", "C1", {{"M1", "60"}, {"M2", "40"}}, T("2025-01-01T00:00:00+08:00"));
  Ingest({Sale("S1", "2025-02-01T10:00:00+08:00", "C1", 1001)});
  // The split changes in March; the return follows its sale's parts, not March's split.
  PutSplit("SP1", "C1", {{"M3", "50"}, {"M4", "50"}}, T("2025-03-01T00:00:00+08:00"));
  Ingest({Return("R1", "2025-03-05T10:00:00+08:00", "C1", 500).Ref("S1"),
          Return("R2", "2025-03-06T10:00:00+08:00", "C1", 501).Ref("S1")});
  // 500 x 601/1001 = 300.2997, 500 x 400/1001 = 199.8002: the unit to M2.
  EXPECT_EQ(Of("M1"), (Lines{"S1 601 split 60", "R1 -300 split 60", "R2 -301 split 60"}));
  EXPECT_EQ(Of("M2"), (Lines{"S1 400 split 40", "R1 -200 split 40", "R2 -200 split 40"}));
  EXPECT_TRUE(Of("M3").empty());
  const uint32_t m2 = *ledger_.ManagerIndex("M2");
  const Credit* r1 = Find("M2", "R1");
  ASSERT_NE(r1, nullptr);
  EXPECT_EQ(ledger_.EventAmount(*r1), -500);
  std::optional<SaleLink> link = ledger_.MatchedSale(*r1);
  ASSERT_TRUE(link.has_value());
  EXPECT_EQ(link->seq, SeqOf("S1"));
  EXPECT_EQ(link->occurred_at(), T("2025-02-01T10:00:00+08:00"));
  EXPECT_EQ(link->civil_day(), absl::CivilDay(2025, 2, 1));
  EXPECT_EQ(link->amount_minor, 1001);
  const Credit* sale = ledger_.SaleCredit(m2, *r1);
  ASSERT_NE(sale, nullptr);
  EXPECT_EQ(sale->amount_minor, 400);
  EXPECT_FALSE(ledger_.MatchedSale(*sale).has_value());
}

TEST_P(CreditsTest, ReturnMatchedByOrderReferenceToTheOrdersEarliestSale) {
  Ingest({Assign("A1", "2025-01-01T09:00:00+08:00", "C1", "M9"),
          Sale("S2", "2025-02-01T11:00:00+08:00", "C1", 300).Manager("M2").Ref("O-1"),
          Sale("S1", "2025-02-01T10:00:00+08:00", "C1", 200).Manager("M1").Ref("O-1"),
          // Another customer's order with the same reference is not this one.
          Sale("S0", "2025-01-05T10:00:00+08:00", "C2", 900).Manager("M3").Ref("O-1"),
          Return("R1", "2025-02-10T10:00:00+08:00", "C1", 150).Ref("O-1")});
  EXPECT_EQ(Of("M1"), (Lines{"S1 200 named", "R1 -150 named"}));
  EXPECT_EQ(LinkOf("M1", "R1"), std::optional<uint64_t>(SeqOf("S1")));
  // Its sale reversed, the return is matched to the order's next sale.
  Ingest({Reverse("X1", "2025-02-11T10:00:00+08:00", "S1")});
  EXPECT_TRUE(Of("M1").empty());
  EXPECT_EQ(Of("M2"), (Lines{"S2 300 named", "R1 -150 named"}));
  EXPECT_EQ(LinkOf("M2", "R1"), std::optional<uint64_t>(SeqOf("S2")));
  // No sale of the order left: unmatched, credited like a sale (the owner then).
  Ingest({Reverse("X2", "2025-02-11T10:00:00+08:00", "S2")});
  EXPECT_TRUE(Of("M2").empty());
  EXPECT_EQ(Of("M9"), (Lines{"R1 -150 owner"}));
  EXPECT_EQ(LinkOf("M9", "R1"), std::optional<uint64_t>(0));
  EXPECT_EQ(Of("M3"), (Lines{"S0 900 named"}));
}

TEST_P(CreditsTest, ReturnBeforeItsSaleIsMatchedWhenTheSaleArrives) {
  Ingest({Assign("A1", "2025-01-01T09:00:00+08:00", "C1", "M1"),
          Return("R1", "2025-02-10T10:00:00+08:00", "C1", 80).Ref("S1")});
  EXPECT_EQ(Of("M1"), (Lines{"R1 -80 owner"}));
  EXPECT_EQ(LinkOf("M1", "R1"), std::optional<uint64_t>(0));
  Ingest({Sale("S1", "2025-02-01T10:00:00+08:00", "C1", 100).Manager("M2")});
  EXPECT_TRUE(Of("M1").empty());
  EXPECT_EQ(Of("M2"), (Lines{"S1 100 named", "R1 -80 named"}));
  EXPECT_EQ(LinkOf("M2", "R1"), std::optional<uint64_t>(SeqOf("S1")));
  // A late sale of an order matched earlier: the order's earliest sale takes the return.
  Ingest({Sale("S5", "2025-03-01T10:00:00+08:00", "C1", 100).Manager("M2").Ref("O-5"),
          Return("R5", "2025-03-05T10:00:00+08:00", "C1", 10).Ref("O-5")});
  EXPECT_EQ(LinkOf("M2", "R5"), std::optional<uint64_t>(SeqOf("S5")));
  Ingest({Sale("S4", "2025-02-28T10:00:00+08:00", "C1", 100).Manager("M3").Ref("O-5")});
  EXPECT_EQ(Of("M3"), (Lines{"S4 100 named", "R5 -10 named"}));
  EXPECT_EQ(Of("M2"), (Lines{"S1 100 named", "R1 -80 named", "S5 100 named"}));
}

TEST_P(CreditsTest, UnmatchedReturnIsCreditedLikeASale) {
  PutSplit("SP1", "C2", {{"M1", "50"}, {"M2", "50"}});
  Ingest({Assign("A1", "2025-01-01T09:00:00+08:00", "C1", "M1"),
          Return("R1", "2025-02-10T10:00:00+08:00", "C1", 80).Ref("NO-SUCH-ORDER"),
          Return("R2", "2025-02-11T10:00:00+08:00", "C1", 20),
          Return("R3", "2025-02-12T10:00:00+08:00", "C1", 30).Manager("M3"),
          Return("R4", "2025-02-13T10:00:00+08:00", "C2", 31)});
  EXPECT_EQ(Of("M1"), (Lines{"R1 -80 owner", "R2 -20 owner", "R4 -16 split 50"}));
  EXPECT_EQ(Of("M2"), (Lines{"R4 -15 split 50"}));
  EXPECT_EQ(Of("M3"), (Lines{"R3 -30 named"}));
  for (const Credit& c : ledger_.AllCredits(*ledger_.ManagerIndex("M1"))) {
    EXPECT_FALSE(ledger_.MatchedSale(c).has_value());
    EXPECT_EQ(ledger_.SaleCredit(*ledger_.ManagerIndex("M1"), c), nullptr);
  }
}

TEST_P(CreditsTest, ReversedSalesAndReturnsCountForNothing) {
  Ingest({Sale("S1", "2025-02-01T10:00:00+08:00", "C1", 100).Manager("M1"),
          Sale("S2", "2025-02-02T10:00:00+08:00", "C1", 200).Manager("M1"),
          Return("R1", "2025-02-03T10:00:00+08:00", "C1", 50).Ref("S2"),
          Return("R2", "2025-02-04T10:00:00+08:00", "C1", 10).Manager("M1")});
  EXPECT_EQ(Of("M1"), (Lines{"S1 100 named", "S2 200 named", "R1 -50 named", "R2 -10 named"}));
  Ingest({Reverse("X1", "2025-02-05T10:00:00+08:00", "S1"), Reverse("X2", "2025-02-05T10:00:00+08:00", "R2")});
  EXPECT_EQ(Of("M1"), (Lines{"S2 200 named", "R1 -50 named"}));
  // The return's sale reversed: it names no manager and C1 has no owner, so it credits nobody.
  Ingest({Reverse("X3", "2025-02-06T10:00:00+08:00", "S2")});
  EXPECT_TRUE(Of("M1").empty());
  EXPECT_EQ(ledger_.credit_count(), 0u);
}

TEST_P(CreditsTest, FirstSaleOfACustomerMovesWithLateAndReversedSales) {
  Ingest({Sale("S2", "2025-03-01T10:00:00+08:00", "C1", 100).Manager("M1"),
          Sale("S3", "2025-03-02T10:00:00+08:00", "C1", 100).Manager("M1")});
  EXPECT_EQ(FirstOf("M1", "S2"), "first");
  EXPECT_EQ(FirstOf("M1", "S3"), "not first");
  Ingest({Sale("S1", "2025-02-01T10:00:00+08:00", "C1", 100).Manager("M2"),
          Return("R1", "2025-01-01T10:00:00+08:00", "C1", 100).Manager("M2")});  // returns are not sales
  EXPECT_EQ(FirstOf("M2", "S1"), "first");
  EXPECT_EQ(FirstOf("M2", "R1"), "not first");
  EXPECT_EQ(FirstOf("M1", "S2"), "not first");
  Ingest({Reverse("X1", "2025-04-01T10:00:00+08:00", "S1")});
  EXPECT_EQ(FirstOf("M1", "S2"), "first");
  // Same instant: the earlier logged wins.
  Ingest({Sale("S0", "2025-03-01T10:00:00+08:00", "C1", 100).Manager("M1")});
  EXPECT_EQ(FirstOf("M1", "S2"), "first");
  EXPECT_EQ(FirstOf("M1", "S0"), "not first");
}

TEST_P(CreditsTest, SpiffItemQueries) {
  Ingest({Sale("S1", "2025-02-01T10:00:00+08:00", "C1", 100).Manager("M1").Category("tv").Sku("TV-55"),
          Sale("S2", "2025-02-02T10:00:00+08:00", "C1", 100).Manager("M1").Sku("AC-2"),
          Ev("S3", EventKind::kSale, "2025-02-03T10:00:00+08:00")
              .Customer("C1")
              .Manager("M1")
              .Amount(300)
              .Line("PH-1", "phone", 200)
              .Line("CASE-1", std::nullopt, 100),
          Sale("S4", "2025-02-04T10:00:00+08:00", "C1", 100).Manager("M1")});
  const uint32_t m1 = *ledger_.ManagerIndex("M1");
  std::span<const Credit> all = ledger_.AllCredits(m1);
  ASSERT_EQ(all.size(), 4u);
  auto hits = [&](std::vector<std::string> categories, std::vector<std::string> skus) {
    const ItemSet items = ledger_.Items(categories, skus);
    std::string out;
    for (const Credit& c : all) out += ledger_.HasItem(c, items) ? "1" : "0";
    return out;
  };
  EXPECT_EQ(hits({"tv"}, {}), "1000");
  EXPECT_EQ(hits({}, {"AC-2"}), "0100");
  EXPECT_EQ(hits({"phone"}, {}), "0010");             // a line's category
  EXPECT_EQ(hits({}, {"CASE-1"}), "0010");            // a line's SKU
  EXPECT_EQ(hits({"tv"}, {"AC-2", "PH-1"}), "1110");  // either list
  EXPECT_EQ(hits({"fridge"}, {"NOPE"}), "0000");      // never seen: nothing matches
  EXPECT_EQ(hits({}, {}), "0000");
  // Amount and day for the other conditions.
  EXPECT_EQ(ledger_.EventAmount(all[2]), 300);
  EXPECT_EQ(all[2].day, DayNumber(absl::CivilDay(2025, 2, 3)));
}

TEST_P(CreditsTest, TracesReadTheEventsBack) {
  PutSplit("SP1", "C1", {{"M1", "62.5"}, {"M2", "37.5"}});
  Ingest({Sale("S1", "2025-02-01T10:00:00+08:00", "C1", 80),
          Return("R1", "2025-02-03T10:00:00+08:00", "C1", 8).Ref("S1")});
  const uint32_t m1 = *ledger_.ManagerIndex("M1");
  absl::StatusOr<std::vector<CreditTrace>> traces = ledger_.Traces(*ws_, ledger_.AllCredits(m1));
  ASSERT_TRUE(traces.ok()) << traces.status();
  ASSERT_EQ(traces->size(), 2u);
  const CreditTrace& sale = (*traces)[0];
  EXPECT_EQ(sale.event, "S1");
  EXPECT_EQ(sale.kind, EventKind::kSale);
  EXPECT_EQ(sale.occurred_at, T("2025-02-01T10:00:00+08:00"));
  EXPECT_EQ(sale.event_amount_minor, 80);
  EXPECT_EQ(sale.amount_minor, 50);
  EXPECT_EQ(sale.via, "split");
  EXPECT_EQ(sale.percent->ToString(), "62.5");
  EXPECT_FALSE(sale.from_manager.has_value());
  const CreditTrace& ret = (*traces)[1];
  EXPECT_EQ(ret.event, "R1");
  EXPECT_EQ(ret.kind, EventKind::kReturn);
  EXPECT_EQ(ret.event_amount_minor, -8);
  EXPECT_EQ(ret.amount_minor, -5);
  EXPECT_EQ(ledger_.AllCredits(m1)[1].seq, SeqOf("R1"));
  EXPECT_GT(ledger_.FactBytes(), 2 * sizeof(Credit));
}

INSTANTIATE_TEST_SUITE_P(Backends, CreditsTest, ::testing::Values("memory", "sqlite"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

// ---- Property: incremental equals a fresh rebuild ---------------------------------------

// Everything the ledger says, as text: per manager, each credit with its link and flags.
std::string Dump(const CreditLedger& ledger) {
  std::map<std::string, std::string> by_manager;
  for (uint32_t m = 0; m < ledger.manager_count(); ++m) {
    std::string& out = by_manager[std::string(ledger.ManagerId(m))];
    for (const Credit& c : ledger.AllCredits(m)) {
      std::optional<SaleLink> link = ledger.MatchedSale(c);
      absl::StrAppend(&out, c.seq, "@", c.at_ns, " d", c.day, " ", c.amount_minor, "/", ledger.EventAmount(c), " ",
                      AbslView(ViaName(c.via)), " ", c.percent_units, c.is_return ? " R" : " S",
                      ledger.IsFirstSale(c) ? " first" : "", link ? absl::StrCat(" ->", link->seq) : "", "\n");
    }
  }
  std::string out;
  for (const auto& [m, text] : by_manager)
    if (!text.empty()) absl::StrAppend(&out, m, ":\n", text);
  return out;
}

class CreditsPropertyTest : public ::testing::TestWithParam<std::tuple<std::string, uint32_t>> {};

TEST_P(CreditsPropertyTest, IncrementalEqualsRebuild) {
  const auto& [backend, seed] = GetParam();
  testing::TempDir dir;
  WorkspaceOptions options;
  options.currency = "CNY";
  options.time_zone = "Asia/Shanghai";
  options.clock = [] { return T("2025-12-31T00:00:00Z"); };
  absl::StatusOr<std::unique_ptr<Workspace>> opened =
      Workspace::Open(backend == "memory" ? std::string("memory:") : "sqlite:" + dir.File("p.db"), options);
  ASSERT_TRUE(opened.ok()) << opened.status();
  Workspace& ws = **opened;
  const absl::TimeZone tz = ws.time_zone();

  std::mt19937 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
  auto when = [&]() {
    const absl::CivilDay day = absl::CivilDay(2025, 1, 1) + pick(90);
    return absl::FromCivil(absl::CivilSecond(day) + (pick(3) == 0 ? 0 : pick(86400)), tz);
  };
  const std::vector<std::string> managers = {"M1", "M2", "M3", "M4"};
  auto customer = [&]() { return absl::StrFormat("C%d", 1 + pick(6)); };
  std::vector<Event> logged;  // sales, returns and assignments, for reversals to name
  std::vector<std::string> sale_ids;
  std::vector<std::string> orders;
  int n = 0;
  CreditLedger incremental;
  std::size_t splits = 0;
  for (int batch = 0; batch < 30; ++batch) {
    std::vector<Event> events;
    const int size = 1 + pick(8);
    for (int i = 0; i < size; ++i) {
      Event e;
      e.id = absl::StrFormat("E%04d", ++n);
      e.occurred_at = when();
      e.customer = customer();
      const int k = pick(20);
      if (k < 3) {
        e.kind = EventKind::kAssignment;
        e.manager = managers[static_cast<std::size_t>(pick(4))];
      } else if (k < 13) {
        e.kind = EventKind::kSale;
        e.amount_minor = 1 + pick(5000);
        if (pick(2) == 0) e.manager = managers[static_cast<std::size_t>(pick(4))];
        if (pick(2) == 0) {
          if (orders.empty() || pick(3) == 0) orders.push_back(absl::StrFormat("O%d", n));
          e.reference = orders[static_cast<std::size_t>(pick(static_cast<int>(orders.size())))];
        }
        if (pick(3) == 0) e.category = pick(2) == 0 ? "tv" : "phone";
        sale_ids.push_back(e.id);
      } else if (k < 18) {
        e.kind = EventKind::kReturn;
        e.amount_minor = 1 + pick(3000);
        if (pick(3) == 0) e.manager = managers[static_cast<std::size_t>(pick(4))];
        const int r = pick(5);
        if (r == 0 && !sale_ids.empty())
          e.reference = sale_ids[static_cast<std::size_t>(pick(static_cast<int>(sale_ids.size())))];
        if (r == 1 && !orders.empty())
          e.reference = orders[static_cast<std::size_t>(pick(static_cast<int>(orders.size())))];
        if (r == 2) e.reference = absl::StrFormat("E%04d", n + 1 + pick(6));  // a sale yet to come, maybe
      } else if (!logged.empty()) {
        e.kind = EventKind::kReversal;
        e.customer.reset();
        e.reverses = logged[static_cast<std::size_t>(pick(static_cast<int>(logged.size())))].id;
        logged.erase(std::remove_if(logged.begin(), logged.end(), [&](const Event& x) { return x.id == *e.reverses; }),
                     logged.end());
      } else {
        continue;
      }
      if (e.kind != EventKind::kReversal) logged.push_back(e);
      events.push_back(std::move(e));
    }
    absl::StatusOr<IngestReport> report = ws.Ingest(events);
    ASSERT_TRUE(report.ok()) << report.status();
    ASSERT_TRUE(report->rejected.empty()) << report->rejected[0].message;
    // Now and then a split appears or changes, effective from some day.
    if (pick(4) == 0) {
      const std::string id = absl::StrFormat("SP%d", pick(3));
      const int a = pick(4), b = (a + 1 + pick(3)) % 4;
      const int p = 1 + pick(99);
      PutOptions o;
      if (pick(2) == 0) o.effective_from = when();
      absl::StatusOr<Document> d =
          ws.Put(CreditSplit::kCollection, id,
                 SplitBody(id, customer(),
                           {{managers[static_cast<std::size_t>(a)], absl::StrCat(p, ".5")},
                            {managers[static_cast<std::size_t>(b)], absl::StrCat(99 - p, ".5")}}),
                 o);
      ASSERT_TRUE(d.ok()) << d.status();
      ++splits;
    }
    if (pick(3) != 0) {
      ASSERT_TRUE(incremental.CatchUp(ws).ok());
    }
  }
  ASSERT_TRUE(incremental.CatchUp(ws).ok());
  CreditLedger fresh;
  ASSERT_TRUE(fresh.CatchUp(ws).ok());
  const std::string dump = Dump(incremental);
  EXPECT_EQ(dump, Dump(fresh));
  // A credit's sale day follows its match through late sales, reversals and
  // rematches, without being read from the sale.
  for (uint32_t m = 0; m < incremental.manager_count(); ++m) {
    for (const Credit& c : incremental.AllCredits(m)) {
      std::optional<SaleLink> link = incremental.MatchedSale(c);
      EXPECT_EQ(c.sale_day, link ? link->day : Credit::kNoSaleDay) << "seq " << c.seq;
    }
  }
  EXPECT_EQ(incremental.credit_count(), fresh.credit_count());

  // Every credited event's parts add up to its whole (signed) amount.
  std::map<uint64_t, std::pair<int64_t, int64_t>> sums;  // seq -> (parts, event)
  std::size_t matched = 0, split_credits = 0;
  for (uint32_t m = 0; m < fresh.manager_count(); ++m) {
    for (const Credit& c : fresh.AllCredits(m)) {
      auto& [parts, whole] = sums[c.seq];
      parts += c.amount_minor;
      whole = fresh.EventAmount(c);
      matched += fresh.MatchedSale(c).has_value() ? 1 : 0;
      split_credits += c.via == CreditVia::kSplit ? 1 : 0;
    }
  }
  for (const auto& [seq, s] : sums) EXPECT_EQ(s.first, s.second) << "seq " << seq;
  // Not vacuous: the stream credited sales, matched returns and (if any were put) splits.
  EXPECT_GT(sums.size(), 40u);
  EXPECT_GT(matched, 0u);
  if (splits > 2) {
    EXPECT_GT(split_credits, 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(Memory, CreditsPropertyTest,
                         ::testing::Combine(::testing::Values(std::string("memory")), ::testing::Range(1u, 21u)));
INSTANTIATE_TEST_SUITE_P(Sqlite, CreditsPropertyTest,
                         ::testing::Combine(::testing::Values(std::string("sqlite")), ::testing::Range(1u, 4u)));

}  // namespace
}  // namespace cadre::incentive_internal
