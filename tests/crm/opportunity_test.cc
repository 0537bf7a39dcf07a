// Opportunities and the sales pipeline: the projection's fold (moves, won, lost,
// reopen, value updates, as-of), crediting, late events, reversals, and the
// pipeline figures (weighted value per manager and unit, stage conversion, time
// in stage) against hand-computed numbers.
#include "cadre/opportunity.h"

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "cadre/crm.h"
#include "cadre/json.h"
#include "cadre/org.h"
#include "cadre/workspace.h"
#include "crm/crm_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/test_util.h"

namespace cadre {
namespace {

using crm_testing::Assignment;
using crm_testing::IngestAll;
using crm_testing::Reversal;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::T;

constexpr int64_t kDay = 86400;

Decimal D(const char* text) {
  absl::StatusOr<Decimal> d = Decimal::Parse(text);
  EXPECT_TRUE(d.ok()) << d.status();
  return d.ok() ? *d : Decimal();
}

std::optional<Decimal> OptD(const char* text) { return D(text); }

// An opportunity event: `opportunity` enters `stage`.
struct Opp {
  Opp(std::string id, absl::Time at, std::string opportunity, std::string stage, std::string customer = "C1") {
    e.id = std::move(id);
    e.kind = EventKind::kOpportunity;
    e.occurred_at = at;
    e.reference = std::move(opportunity);
    e.stage = std::move(stage);
    e.customer = std::move(customer);
  }
  Opp(std::string id, const char* at, std::string opportunity, std::string stage, std::string customer = "C1")
      : Opp(std::move(id), T(at), std::move(opportunity), std::move(stage), std::move(customer)) {}
  Opp& Manager(std::string m) {
    e.manager = std::move(m);
    return *this;
  }
  Opp& Amount(int64_t a) {
    e.amount_minor = a;
    return *this;
  }
  Opp& Due(absl::CivilDay d) {
    e.due_on = d;
    return *this;
  }
  Opp& Reason(std::string r) {
    e.reason = std::move(r);
    return *this;
  }
  Opp& In(std::string pipeline) {
    e.pipeline = std::move(pipeline);
    return *this;
  }
  operator Event() const { return e; }  // NOLINT: builder

  Event e;
};

Pipeline DefaultPipeline() {
  Pipeline p;
  p.id = "default";
  p.name = "Retail pipeline";
  p.stages = {{"qualify", "Qualify", D("0.1"), StageOutcome::kOpen},
              {"propose", "Propose", D("0.4"), StageOutcome::kOpen},
              {"negotiate", "Negotiate", D("0.7"), StageOutcome::kOpen},
              {"won", "Won", D("1"), StageOutcome::kWon},
              {"lost", "Lost", D("0"), StageOutcome::kLost}};
  p.lost_reasons = {"price", "competitor"};
  return p;
}

Pipeline B2bPipeline() {
  Pipeline p;
  p.id = "b2b";
  p.name = "Business accounts";
  p.stages = {{"lead", "Lead", D("0.5"), StageOutcome::kOpen},
              {"signed", "Signed", D("1"), StageOutcome::kWon},
              {"dropped", "Dropped", D("0"), StageOutcome::kLost}};
  return p;
}

class OpportunityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_ = crm_testing::NewWorkspace();
    ASSERT_NE(ws_, nullptr);
    PutUnit("CO", OrgUnitKind::kCompany, std::nullopt);
    PutUnit("ST1", OrgUnitKind::kStore, "CO");
    PutUnit("T1", OrgUnitKind::kTeam, "ST1");
    PutUnit("T2", OrgUnitKind::kTeam, "ST1");
    PutManager("M1", "T1");
    PutManager("M2", "T1");
    PutManager("M3", "T2");
    ASSERT_TRUE(ws_->PutEntity(DefaultPipeline()).ok());
    ASSERT_TRUE(ws_->PutEntity(B2bPipeline()).ok());
  }
  void PutUnit(std::string id, OrgUnitKind kind, std::optional<std::string> parent) {
    OrgUnit u;
    u.id = id;
    u.name = id;
    u.kind = kind;
    u.parent = std::move(parent);
    ASSERT_TRUE(ws_->PutEntity(u).ok());
  }
  void PutManager(std::string id, std::string team) {
    Manager m;
    m.id = id;
    m.name = id;
    m.team = std::move(team);
    ASSERT_TRUE(ws_->PutEntity(m).ok());
  }
  void CatchUp() {
    absl::Status status = opportunities_.CatchUp(*ws_, ownership_);
    ASSERT_TRUE(status.ok()) << status;
  }
  Opportunity Get(const char* id, std::optional<absl::Time> as_of = std::nullopt) {
    std::optional<Opportunity> o = opportunities_.Find(id, as_of);
    EXPECT_TRUE(o.has_value()) << id;
    return o.value_or(Opportunity{});
  }
  OrgTree Org() {
    absl::StatusOr<OrgTree> org = OrgTree::Load(*ws_);
    EXPECT_TRUE(org.ok()) << org.status();
    return org.ok() ? *std::move(org) : OrgTree();
  }

  std::unique_ptr<Workspace> ws_;
  OwnershipProjection ownership_;
  OpportunityProjection opportunities_;
};

// ---- The fold ------------------------------------------------------------------------

TEST_F(OpportunityTest, OpenMoveWon) {
  IngestAll(
      *ws_,
      {Opp("E1", "2025-03-01T10:00:00Z", "O1", "qualify").Manager("M1").Amount(100000).Due(absl::CivilDay(2025, 6, 30)),
       Opp("E2", "2025-03-10T10:00:00Z", "O1", "propose"),
       Opp("E3", "2025-04-01T10:00:00Z", "O1", "negotiate").Amount(120000),
       Opp("E4", "2025-04-15T10:00:00Z", "O1", "won")});
  CatchUp();
  EXPECT_EQ(opportunities_.high_water_mark(), 4u);

  const Opportunity o = Get("O1");
  EXPECT_EQ(o.id, "O1");
  EXPECT_EQ(o.pipeline, "default");
  EXPECT_EQ(o.customer, "C1");
  EXPECT_EQ(o.manager, "M1");
  EXPECT_EQ(o.stage, "won");
  EXPECT_EQ(o.outcome, StageOutcome::kWon);
  EXPECT_EQ(o.amount_minor, 120000);
  EXPECT_EQ(o.expected_close_on, absl::CivilDay(2025, 6, 30));
  EXPECT_EQ(o.lost_reason, std::nullopt);
  EXPECT_EQ(o.opened_at, T("2025-03-01T10:00:00Z"));
  EXPECT_EQ(o.closed_at, T("2025-04-15T10:00:00Z"));
  ASSERT_EQ(o.history.size(), 4u);
  EXPECT_EQ(o.history[0], (StageVisit{"default", "qualify", StageOutcome::kOpen, T("2025-03-01T10:00:00Z"),
                                      T("2025-03-10T10:00:00Z"), "E1"}));
  EXPECT_EQ(o.history[2], (StageVisit{"default", "negotiate", StageOutcome::kOpen, T("2025-04-01T10:00:00Z"),
                                      T("2025-04-15T10:00:00Z"), "E3"}));
  EXPECT_EQ(o.history[3],
            (StageVisit{"default", "won", StageOutcome::kWon, T("2025-04-15T10:00:00Z"), std::nullopt, "E4"}));

  // As of 20 March it was in "propose", with the first expected value.
  const Opportunity march = Get("O1", T("2025-03-20T00:00:00Z"));
  EXPECT_EQ(march.stage, "propose");
  EXPECT_EQ(march.outcome, StageOutcome::kOpen);
  EXPECT_EQ(march.amount_minor, 100000);
  EXPECT_EQ(march.closed_at, std::nullopt);
  ASSERT_EQ(march.history.size(), 2u);
  EXPECT_EQ(march.history[1].left_at, std::nullopt) << "the move out of propose had not happened yet";

  EXPECT_EQ(opportunities_.StageAt("O1", T("2025-03-01T09:59:59Z")), std::nullopt) << "not opened yet";
  EXPECT_EQ(opportunities_.StageAt("O1", T("2025-03-01T10:00:00Z")), "qualify");
  EXPECT_EQ(opportunities_.StageAt("O1", T("2025-04-15T10:00:00Z")), "won");
  EXPECT_FALSE(opportunities_.IsOpenAt("O1", T("2025-02-01T00:00:00Z")));
  EXPECT_TRUE(opportunities_.IsOpenAt("O1", T("2025-04-15T09:59:59Z")));
  EXPECT_FALSE(opportunities_.IsOpenAt("O1", T("2025-04-15T10:00:00Z")));
  EXPECT_EQ(opportunities_.Find("O-unknown"), std::nullopt);
  EXPECT_FALSE(opportunities_.IsOpenAt("O-unknown", T("2025-04-01T00:00:00Z")));
}

TEST_F(OpportunityTest, LostWithReason) {
  IngestAll(*ws_, {Opp("E1", "2025-03-01T00:00:00Z", "O1", "qualify").Manager("M1").Amount(5000),
                   Opp("E2", "2025-03-05T00:00:00Z", "O1", "lost").Reason("competitor")});
  CatchUp();
  const Opportunity o = Get("O1");
  EXPECT_EQ(o.outcome, StageOutcome::kLost);
  EXPECT_EQ(o.stage, "lost");
  EXPECT_EQ(o.lost_reason, "competitor");
  EXPECT_EQ(o.closed_at, T("2025-03-05T00:00:00Z"));
  EXPECT_EQ(o.amount_minor, 5000);
  EXPECT_EQ(Get("O1", T("2025-03-04T00:00:00Z")).lost_reason, std::nullopt);

  // Ingest itself refuses a lost move without one of the pipeline's reasons.
  absl::StatusOr<IngestReport> report =
      ws_->Ingest(std::vector<Event>{Opp("E3", "2025-03-06T00:00:00Z", "O2", "lost").Reason("weather")});
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->rejected.size(), 1u);
  EXPECT_EQ(report->rejected[0].path, "events[0].reason");
}

TEST_F(OpportunityTest, ReopenClearsClosedAtAndLostReason) {
  IngestAll(*ws_, {Opp("E1", "2025-03-01T00:00:00Z", "O1", "qualify").Manager("M1"),
                   Opp("E2", "2025-03-05T00:00:00Z", "O1", "lost").Reason("price"),
                   Opp("E3", "2025-04-01T00:00:00Z", "O1", "propose"), Opp("E4", "2025-04-20T00:00:00Z", "O1", "won")});
  CatchUp();
  const Opportunity lost = Get("O1", T("2025-03-20T00:00:00Z"));
  EXPECT_EQ(lost.outcome, StageOutcome::kLost);
  EXPECT_EQ(lost.lost_reason, "price");
  EXPECT_EQ(lost.closed_at, T("2025-03-05T00:00:00Z"));

  const Opportunity reopened = Get("O1", T("2025-04-10T00:00:00Z"));
  EXPECT_EQ(reopened.outcome, StageOutcome::kOpen);
  EXPECT_EQ(reopened.stage, "propose");
  EXPECT_EQ(reopened.closed_at, std::nullopt);
  EXPECT_EQ(reopened.lost_reason, std::nullopt);
  EXPECT_TRUE(opportunities_.IsOpenAt("O1", T("2025-04-10T00:00:00Z")));

  const Opportunity won = Get("O1");
  EXPECT_EQ(won.outcome, StageOutcome::kWon);
  EXPECT_EQ(won.closed_at, T("2025-04-20T00:00:00Z"));
  EXPECT_EQ(won.opened_at, T("2025-03-01T00:00:00Z")) << "reopening does not reopen it anew";
  ASSERT_EQ(won.history.size(), 4u);
  EXPECT_EQ(won.history[1].left_at, T("2025-04-01T00:00:00Z"));
}

TEST_F(OpportunityTest, ExpectedValueAndCloseDateUpdatesContinueTheVisit) {
  IngestAll(*ws_, {Opp("E1", "2025-03-01T00:00:00Z", "O1", "qualify").Manager("M1"),
                   Opp("E2", "2025-03-03T00:00:00Z", "O1", "qualify").Amount(70000).Due(absl::CivilDay(2025, 5, 1)),
                   Opp("E3", "2025-03-08T00:00:00Z", "O1", "propose"),
                   Opp("E4", "2025-03-09T00:00:00Z", "O1", "propose").Amount(65000)});
  CatchUp();
  const Opportunity o = Get("O1");
  EXPECT_EQ(o.amount_minor, 65000);
  EXPECT_EQ(o.expected_close_on, absl::CivilDay(2025, 5, 1)) << "absent on E4: unchanged";
  ASSERT_EQ(o.history.size(), 2u) << "a move into the current stage is not a new visit";
  EXPECT_EQ(o.history[0].event, "E1");
  EXPECT_EQ(o.history[0].left_at, T("2025-03-08T00:00:00Z"));
  EXPECT_EQ(o.history[1].event, "E3");
  EXPECT_EQ(Get("O1", T("2025-03-02T00:00:00Z")).amount_minor, std::nullopt) << "no value was given yet";
  EXPECT_EQ(Get("O1", T("2025-03-08T12:00:00Z")).amount_minor, 70000);
}

// ---- Crediting -----------------------------------------------------------------------

TEST_F(OpportunityTest, CreditsTheOwnerAtOpeningAndANamedManagerFromThenOn) {
  IngestAll(*ws_,
            {Assignment("A1", "2025-01-01T00:00:00Z", "C1", "M1"),
             Opp("E1", "2025-02-01T00:00:00Z", "O1", "qualify").Amount(1000),
             Opp("E2", "2025-02-01T00:00:00Z", "O2", "qualify", "C2").Amount(1000),
             Assignment("A2", "2025-03-01T00:00:00Z", "C1", "M2"), Opp("E3", "2025-03-10T00:00:00Z", "O1", "propose")});
  CatchUp();
  EXPECT_EQ(Get("O1").manager, "M1") << "the owner when it was opened, not today's owner (M2)";
  EXPECT_EQ(Get("O2").manager, std::nullopt) << "C2 had no owner";

  IngestAll(*ws_, {Opp("E4", "2025-04-01T00:00:00Z", "O1", "negotiate").Manager("M3")});
  CatchUp();
  EXPECT_EQ(Get("O1").manager, "M3") << "a named manager takes it over";
  EXPECT_EQ(Get("O1", T("2025-03-31T00:00:00Z")).manager, "M1") << "from then on only";
  EXPECT_THAT(opportunities_.OfManager("M3"), ::testing::SizeIs(1));
  EXPECT_THAT(opportunities_.OfManager("M1"), IsEmpty());
  EXPECT_THAT(opportunities_.OfManager("M1", {.as_of = T("2025-03-31T00:00:00Z")}), ::testing::SizeIs(1));
}

TEST_F(OpportunityTest, LateAssignmentBeforeOpeningIsCreditedAndItsReversalUndone) {
  IngestAll(*ws_, {Opp("E1", "2025-02-01T00:00:00Z", "O1", "qualify", "C2").Amount(1000)});
  CatchUp();
  EXPECT_EQ(Get("O1").manager, std::nullopt);
  // C2's owner since January is logged only now.
  IngestAll(*ws_, {Assignment("A1", "2025-01-15T00:00:00Z", "C2", "M2")});
  CatchUp();
  EXPECT_EQ(Get("O1").manager, "M2");
  IngestAll(*ws_, {Reversal("X1", "2025-02-10T00:00:00Z", "A1")});
  CatchUp();
  EXPECT_EQ(Get("O1").manager, std::nullopt);
  EXPECT_EQ(opportunities_.high_water_mark(), 3u);
}

// ---- Late events and reversals ---------------------------------------------------------

TEST_F(OpportunityTest, ReversalOfAMiddleMove) {
  IngestAll(*ws_, {Opp("E1", "2025-03-01T00:00:00Z", "O1", "qualify").Manager("M1").Amount(1000),
                   Opp("E2", "2025-03-05T00:00:00Z", "O1", "propose").Amount(2000),
                   Opp("E3", "2025-03-09T00:00:00Z", "O1", "negotiate")});
  CatchUp();
  IngestAll(*ws_, {Reversal("X1", "2025-03-10T00:00:00Z", "E2")});
  CatchUp();
  const Opportunity o = Get("O1");
  ASSERT_EQ(o.history.size(), 2u);
  EXPECT_EQ(o.history[0].stage, "qualify");
  EXPECT_EQ(o.history[0].left_at, T("2025-03-09T00:00:00Z"));
  EXPECT_EQ(o.history[1].stage, "negotiate");
  EXPECT_EQ(o.amount_minor, 1000) << "the reversed move's value update goes with it";
  EXPECT_EQ(opportunities_.StageAt("O1", T("2025-03-06T00:00:00Z")), "qualify");

  // Reversing the opening move: the next move opens it.
  IngestAll(*ws_, {Reversal("X2", "2025-03-11T00:00:00Z", "E1")});
  CatchUp();
  const Opportunity later = Get("O1");
  EXPECT_EQ(later.opened_at, T("2025-03-09T00:00:00Z"));
  EXPECT_EQ(later.manager, std::nullopt) << "the manager was named by the reversed move; C1 has no owner";
  EXPECT_EQ(later.amount_minor, std::nullopt);
  // And reversing the last one removes the opportunity.
  IngestAll(*ws_, {Reversal("X3", "2025-03-12T00:00:00Z", "E3")});
  CatchUp();
  EXPECT_EQ(opportunities_.Find("O1"), std::nullopt);
  EXPECT_THAT(opportunities_.All(), IsEmpty());
}

TEST_F(OpportunityTest, OutOfOrderArrivalEqualsInOrder) {
  const std::vector<Event> moves = {
      Opp("E1", "2025-03-01T00:00:00Z", "O1", "qualify").Manager("M1").Amount(1000),
      Opp("E2", "2025-03-05T00:00:00Z", "O1", "propose").Amount(2000),
      Opp("E3", "2025-03-09T00:00:00Z", "O1", "lost").Reason("price"),
      Opp("E4", "2025-03-20T00:00:00Z", "O1", "negotiate").Due(absl::CivilDay(2025, 4, 30)),
      Opp("E5", "2025-04-02T00:00:00Z", "O1", "won"),
  };
  IngestAll(*ws_, moves);
  CatchUp();
  const Opportunity expected = Get("O1");

  std::unique_ptr<Workspace> late = crm_testing::NewWorkspace();
  ASSERT_TRUE(late->PutEntity(DefaultPipeline()).ok());
  OwnershipProjection ownership;
  OpportunityProjection incremental;
  // Logged newest first, caught up after each.
  for (auto it = moves.rbegin(); it != moves.rend(); ++it) {
    IngestAll(*late, {*it});
    ASSERT_TRUE(incremental.CatchUp(*late, ownership).ok());
  }
  EXPECT_EQ(incremental.Find("O1"), expected);
  EXPECT_EQ(incremental.Find("O1", T("2025-03-10T00:00:00Z")), Get("O1", T("2025-03-10T00:00:00Z")));
}

TEST_F(OpportunityTest, ApplyIsIdempotentAndHonoursAnEarlierReversal) {
  const Pipeline pipeline = DefaultPipeline();
  const StoredEvent e1{1, Opp("E1", "2025-03-01T00:00:00Z", "O1", "qualify").Manager("M1")};
  const StoredEvent e2{2, Opp("E2", "2025-03-05T00:00:00Z", "O1", "won")};
  const StoredEvent x1{3, Reversal("X1", "2025-03-06T00:00:00Z", "E2")};
  OwnershipProjection ownership;
  OpportunityProjection fed;
  fed.Apply(e1, ownership, &pipeline);
  fed.Apply(e1, ownership, &pipeline);
  ASSERT_TRUE(fed.Find("O1").has_value());
  EXPECT_EQ(fed.Find("O1")->history.size(), 1u);
  fed.Apply(x1, ownership);
  fed.Apply(e2, ownership, &pipeline);
  EXPECT_EQ(fed.Find("O1")->stage, "qualify");
  EXPECT_EQ(fed.high_water_mark(), 3u);
  fed.Reset();
  EXPECT_EQ(fed.high_water_mark(), 0u);
  EXPECT_THAT(fed.All(), IsEmpty());
}

// ---- Lists -----------------------------------------------------------------------------

TEST_F(OpportunityTest, OpportunitiesOfACustomerOpenFirst) {
  IngestAll(*ws_, {Opp("E1", "2025-01-01T00:00:00Z", "O-won", "qualify").Manager("M1"),
                   Opp("E2", "2025-02-01T00:00:00Z", "O-won", "won"),
                   Opp("E3", "2025-01-05T00:00:00Z", "O-lost", "qualify").Manager("M1"),
                   Opp("E4", "2025-03-01T00:00:00Z", "O-lost", "lost").Reason("price"),
                   Opp("E5", "2025-02-10T00:00:00Z", "O-new", "propose").Manager("M2"),
                   Opp("E6", "2025-01-20T00:00:00Z", "O-old", "qualify").Manager("M1"),
                   Opp("E7", "2025-01-20T00:00:00Z", "O-other", "qualify", "C2").Manager("M1")});
  CatchUp();
  auto ids = [](const std::vector<Opportunity>& list) {
    std::vector<std::string> out;
    for (const Opportunity& o : list) out.push_back(o.id);
    return out;
  };
  EXPECT_THAT(ids(opportunities_.OfCustomer("C1")), ElementsAre("O-old", "O-new", "O-lost", "O-won"));
  EXPECT_THAT(ids(opportunities_.OfCustomer("C1", {.open_only = true})), ElementsAre("O-old", "O-new"));
  EXPECT_THAT(ids(opportunities_.OfCustomer("C1", {.as_of = T("2025-01-31T00:00:00Z")})),
              ElementsAre("O-won", "O-lost", "O-old"));
  EXPECT_THAT(ids(opportunities_.OfManager("M1")), ElementsAre("O-old", "O-other", "O-lost", "O-won"));
  EXPECT_THAT(opportunities_.OfCustomer("C-unknown"), IsEmpty());
  EXPECT_THAT(ids(opportunities_.All()), ElementsAre("O-lost", "O-new", "O-old", "O-other", "O-won"));
}

// ---- Weighted pipeline ------------------------------------------------------------------

class WeightedPipelineTest : public OpportunityTest {
 protected:
  void SetUp() override {
    OpportunityTest::SetUp();
    IngestAll(*ws_, {
                        // M1: 120000 x 0.7 + 33325 x 0.1 + 1001 x 0.4 = 84000 + 3332.5 + 400.4 = 87732.9
                        Opp("E1", "2025-03-01T00:00:00Z", "O1", "negotiate").Manager("M1").Amount(120000),
                        Opp("E2", "2025-03-02T00:00:00Z", "O2", "qualify").Manager("M1").Amount(33325),
                        Opp("E3", "2025-03-03T00:00:00Z", "O3", "propose").Manager("M1").Amount(1001),
                        // M2: 50000 x 0.4 + 30000 x 0.7 = 41000; O5 won and O6 lost do not count.
                        Opp("E4", "2025-03-04T00:00:00Z", "O4", "propose").Manager("M2").Amount(50000),
                        Opp("E5", "2025-03-05T00:00:00Z", "O5", "won").Manager("M2").Amount(99999),
                        Opp("E6", "2025-03-06T00:00:00Z", "O6", "lost").Manager("M2").Amount(77777).Reason("price"),
                        Opp("E7", "2025-03-07T00:00:00Z", "O10", "negotiate").Manager("M2").Amount(30000),
                        Opp("E8", "2025-07-02T00:00:00Z", "O10", "won"),  // after as_of
                                                                          // M3: open, but without an expected value.
                        Opp("E9", "2025-03-08T00:00:00Z", "O7", "qualify").Manager("M3"),
                        Opp("E10", "2025-07-05T00:00:00Z", "O9", "negotiate").Manager("M3").Amount(5000),
                        // Nobody: C9 has no owner. 10000 x 0.4 = 4000.
                        Opp("E11", "2025-03-09T00:00:00Z", "O8", "propose", "C9").Amount(10000),
                        // A manager outside the org tree: 20000 x 0.1 = 2000.
                        Opp("E12", "2025-03-10T00:00:00Z", "O11", "qualify").Manager("MX").Amount(20000),
                        // Another pipeline: 10000 x 0.5 = 5000.
                        Opp("E13", "2025-03-11T00:00:00Z", "O12", "lead").In("b2b").Manager("M1").Amount(10000),
                    });
    CatchUp();
  }
  const ManagerPipelineValue* FindManager(const PipelineValueReport& r, const std::string& id) {
    for (const ManagerPipelineValue& m : r.managers)
      if (m.manager == id) return &m;
    ADD_FAILURE() << "no row for " << id;
    return nullptr;
  }
  const UnitPipelineValue* FindUnit(const PipelineValueReport& r, const std::string& id) {
    for (const UnitPipelineValue& u : r.units)
      if (u.unit == id) return &u;
    ADD_FAILURE() << "no row for " << id;
    return nullptr;
  }
  const absl::Time as_of_ = T("2025-06-30T00:00:00Z");
};

TEST_F(WeightedPipelineTest, PerManagerAndTeamByHand) {
  const std::vector<Pipeline> pipelines = {DefaultPipeline()};
  absl::StatusOr<PipelineValueReport> report = WeightedPipeline(opportunities_, pipelines, Org(), as_of_);
  ASSERT_TRUE(report.ok()) << report.status();

  std::vector<std::string> managers;
  for (const ManagerPipelineValue& m : report->managers) managers.push_back(m.manager);
  EXPECT_THAT(managers, ElementsAre("M1", "M2", "M3", "MX"));

  const ManagerPipelineValue* m1 = FindManager(*report, "M1");
  ASSERT_NE(m1, nullptr);
  EXPECT_EQ(m1->team, "T1");
  EXPECT_EQ(m1->value.count, 3);
  EXPECT_EQ(m1->value.open_minor, 154326);
  EXPECT_EQ(m1->value.weighted_minor, 87733) << "87732.9 rounded once";
  EXPECT_THAT(m1->value.stages,
              ElementsAre(StageValue{"default", "qualify", OptD("0.1"), 1, 33325, 3332},  // 3332.5: half-even
                          StageValue{"default", "propose", OptD("0.4"), 1, 1001, 400},
                          StageValue{"default", "negotiate", OptD("0.7"), 1, 120000, 84000}));

  const ManagerPipelineValue* m2 = FindManager(*report, "M2");
  ASSERT_NE(m2, nullptr);
  EXPECT_EQ(m2->value.count, 2);
  EXPECT_EQ(m2->value.open_minor, 80000);
  EXPECT_EQ(m2->value.weighted_minor, 41000);

  const ManagerPipelineValue* m3 = FindManager(*report, "M3");
  ASSERT_NE(m3, nullptr);
  EXPECT_EQ(m3->value.count, 1);
  EXPECT_EQ(m3->value.open_minor, 0);
  EXPECT_EQ(m3->value.weighted_minor, 0);

  const ManagerPipelineValue* mx = FindManager(*report, "MX");
  ASSERT_NE(mx, nullptr);
  EXPECT_EQ(mx->team, std::nullopt);
  EXPECT_EQ(mx->value.weighted_minor, 2000);

  EXPECT_EQ(report->unassigned.count, 1);
  EXPECT_EQ(report->unassigned.weighted_minor, 4000);

  std::vector<std::string> units;
  for (const UnitPipelineValue& u : report->units) units.push_back(u.unit);
  EXPECT_THAT(units, ElementsAre("CO", "ST1", "T1", "T2"));
  const UnitPipelineValue* t1 = FindUnit(*report, "T1");
  ASSERT_NE(t1, nullptr);
  EXPECT_EQ(t1->kind, OrgUnitKind::kTeam);
  EXPECT_EQ(t1->value.count, 5);
  EXPECT_EQ(t1->value.open_minor, 234326);
  EXPECT_EQ(t1->value.weighted_minor, 128733) << "87733 + 41000: the sum of the managers' rounded figures";
  EXPECT_THAT(t1->value.stages, ElementsAre(StageValue{"default", "qualify", OptD("0.1"), 1, 33325, 3332},
                                            StageValue{"default", "propose", OptD("0.4"), 2, 51001, 20400},
                                            StageValue{"default", "negotiate", OptD("0.7"), 2, 150000, 105000}));
  const UnitPipelineValue* t2 = FindUnit(*report, "T2");
  ASSERT_NE(t2, nullptr);
  EXPECT_EQ(t2->value.count, 1);
  EXPECT_EQ(t2->value.weighted_minor, 0);
  const UnitPipelineValue* company = FindUnit(*report, "CO");
  ASSERT_NE(company, nullptr);
  EXPECT_EQ(company->value.count, 6) << "MX is not under any unit";
  EXPECT_EQ(company->value.open_minor, 234326);
  EXPECT_EQ(company->value.weighted_minor, 128733);

  EXPECT_EQ(report->total.count, 8);
  EXPECT_EQ(report->total.open_minor, 264326);
  EXPECT_EQ(report->total.weighted_minor, 134733);

  // It serialises.
  const std::string text = json::ToText(*report);
  EXPECT_THAT(text, ::testing::HasSubstr(R"("manager":"M1","team":"T1","value":{"count":3,"open_minor":154326,)"));
  EXPECT_THAT(text, ::testing::HasSubstr(R"("win_probability":"0.7")"));
}

TEST_F(WeightedPipelineTest, SeveralPipelinesAndRestriction) {
  const std::vector<Pipeline> both = {DefaultPipeline(), B2bPipeline()};
  absl::StatusOr<PipelineValueReport> report = WeightedPipeline(opportunities_, both, Org(), as_of_);
  ASSERT_TRUE(report.ok()) << report.status();
  const ManagerPipelineValue* m1 = FindManager(*report, "M1");
  ASSERT_NE(m1, nullptr);
  EXPECT_EQ(m1->value.count, 4);
  EXPECT_EQ(m1->value.weighted_minor, 92733) << "87732.9 + 5000";
  ASSERT_EQ(m1->value.stages.size(), 4u);
  EXPECT_EQ(m1->value.stages[3], (StageValue{"b2b", "lead", OptD("0.5"), 1, 10000, 5000}));

  const std::vector<Pipeline> b2b_only = {B2bPipeline()};
  report = WeightedPipeline(opportunities_, b2b_only, Org(), as_of_);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->total.count, 1);
  EXPECT_EQ(report->total.weighted_minor, 5000);

  const std::vector<Pipeline> twice = {DefaultPipeline(), DefaultPipeline()};
  EXPECT_EQ(WeightedPipeline(opportunities_, twice, Org(), as_of_).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(WeightedPipelineTest, AsOfInThePast) {
  // On 3 March only O1 (M1), O2 (M1) and O3 (M1) were open.
  const std::vector<Pipeline> pipelines = {DefaultPipeline()};
  absl::StatusOr<PipelineValueReport> report =
      WeightedPipeline(opportunities_, pipelines, Org(), T("2025-03-03T00:00:00Z"));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->total.count, 3);
  EXPECT_EQ(report->total.weighted_minor, 87733);
  // After July 5, O10 is won and O9 is open.
  report = WeightedPipeline(opportunities_, pipelines, Org(), T("2025-07-06T00:00:00Z"));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(FindManager(*report, "M2")->value.weighted_minor, 20000);
  EXPECT_EQ(FindManager(*report, "M3")->value.weighted_minor, 3500);
}

TEST_F(WeightedPipelineTest, TheCurrentStagesProbabilityInThePipelineGiven) {
  // The pipeline changed: "propose" is gone and "negotiate" is now 0.8.
  Pipeline changed = DefaultPipeline();
  changed.stages.erase(changed.stages.begin() + 1);
  changed.stages[1].win_probability = D("0.8");
  const std::vector<Pipeline> pipelines = {changed};
  absl::StatusOr<PipelineValueReport> report = WeightedPipeline(opportunities_, pipelines, Org(), as_of_);
  ASSERT_TRUE(report.ok()) << report.status();
  const ManagerPipelineValue* m1 = FindManager(*report, "M1");
  ASSERT_NE(m1, nullptr);
  EXPECT_EQ(m1->value.count, 3);
  EXPECT_EQ(m1->value.weighted_minor, 99332) << "96000 + 3332.5 + 0 = 99332.5: half-even";
  ASSERT_EQ(m1->value.stages.size(), 3u);
  EXPECT_EQ(m1->value.stages[2], (StageValue{"default", "propose", std::nullopt, 1, 1001, 0}))
      << "a stage no longer in the pipeline comes last and weighs 0";
}

// ---- Conversion and time in stage ---------------------------------------------------------

class FunnelTest : public OpportunityTest {
 protected:
  void SetUp() override {
    OpportunityTest::SetUp();
    IngestAll(*ws_, {
                        // A: qualify -> propose -> negotiate -> won (depth: won)
                        Opp("A1", "2025-03-01T00:00:00Z", "A", "qualify").Manager("M1"),
                        Opp("A2", "2025-03-03T00:00:00Z", "A", "propose"),
                        Opp("A3", "2025-03-07T00:00:00Z", "A", "negotiate"),
                        Opp("A4", "2025-03-15T00:00:00Z", "A", "won"),
                        // B: qualify -> propose -> lost (depth: propose)
                        Opp("B1", "2025-03-02T00:00:00Z", "B", "qualify").Manager("M1"),
                        Opp("B2", "2025-03-04T00:00:00Z", "B", "propose"),
                        Opp("B3", "2025-03-10T00:00:00Z", "B", "lost").Reason("price"),
                        // C: qualify, still there (depth: qualify)
                        Opp("C1", "2025-03-05T00:00:00Z", "C", "qualify").Manager("M2"),
                        // D: opened in negotiate -> lost (depth: negotiate; skipped stages count as passed)
                        Opp("D1", "2025-03-06T00:00:00Z", "D", "negotiate").Manager("M2"),
                        Opp("D2", "2025-03-08T00:00:00Z", "D", "lost").Reason("competitor"),
                        // E: qualify -> propose -> back to qualify (depth: propose)
                        Opp("E1", "2025-03-10T00:00:00Z", "E", "qualify").Manager("M3"),
                        Opp("E2", "2025-03-11T00:00:00Z", "E", "propose"),
                        Opp("E3", "2025-03-21T00:00:00Z", "E", "qualify"),
                        // F: opened after the window
                        Opp("F1", "2025-04-05T00:00:00Z", "F", "qualify").Manager("M3"),
                        Opp("F2", "2025-04-06T00:00:00Z", "F", "propose"),
                        // G: qualify -> won -> reopened in propose (depth: won; open at as_of)
                        Opp("G1", "2025-03-20T00:00:00Z", "G", "qualify").Manager("M3"),
                        Opp("G2", "2025-03-25T00:00:00Z", "G", "won"),
                        Opp("G3", "2025-04-10T00:00:00Z", "G", "propose"),
                    });
    CatchUp();
  }
  const absl::Time from_ = T("2025-03-01T00:00:00Z");
  const absl::Time until_ = T("2025-04-01T00:00:00Z");
  const absl::Time as_of_ = T("2025-04-30T00:00:00Z");
};

TEST_F(FunnelTest, ConversionByHand) {
  absl::StatusOr<ConversionReport> report =
      PipelineConversion(opportunities_, DefaultPipeline(), from_, until_, as_of_);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->opened, 6) << "A B C D E G";
  EXPECT_EQ(report->open, 3) << "C E G";
  EXPECT_EQ(report->won, 1) << "A";
  EXPECT_EQ(report->lost, 2) << "B D";
  EXPECT_EQ(report->win_rate, OptD("0.333333333"));
  // Depths: A won, B propose, C qualify, D negotiate, E propose, G won.
  EXPECT_THAT(
      report->stages,
      ElementsAre(StageConversion{"qualify", StageOutcome::kOpen, 6, 5, OptD("0.833333333"), 1, OptD("0.166666667")},
                  StageConversion{"propose", StageOutcome::kOpen, 5, 3, OptD("0.6"), 1, OptD("0.2")},
                  StageConversion{"negotiate", StageOutcome::kOpen, 3, 2, OptD("0.666666667"), 1, OptD("0.333333333")},
                  StageConversion{"won", StageOutcome::kWon, 2, 0, std::nullopt, 1, OptD("0.5")},
                  StageConversion{"lost", StageOutcome::kLost, 2, 0, std::nullopt, 0, OptD("0")}));
}

TEST_F(FunnelTest, ConversionAsOfInThePast) {
  // On 12 March: A in negotiate, B lost, C qualify, D lost, E propose; G not opened yet.
  absl::StatusOr<ConversionReport> report =
      PipelineConversion(opportunities_, DefaultPipeline(), from_, until_, T("2025-03-12T00:00:00Z"));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->opened, 5);
  EXPECT_EQ(report->open, 3);
  EXPECT_EQ(report->won, 0);
  EXPECT_EQ(report->lost, 2);
  EXPECT_EQ(report->win_rate, OptD("0"));
  // Depths: A negotiate, B propose, C qualify, D negotiate, E propose.
  ASSERT_EQ(report->stages.size(), 5u);
  EXPECT_EQ(report->stages[0], (StageConversion{"qualify", StageOutcome::kOpen, 5, 4, OptD("0.8"), 0, OptD("0")}));
  EXPECT_EQ(report->stages[2], (StageConversion{"negotiate", StageOutcome::kOpen, 2, 0, OptD("0"), 0, OptD("0")}));
  EXPECT_EQ(report->stages[3], (StageConversion{"won", StageOutcome::kWon, 0, 0, std::nullopt, 0, std::nullopt}));

  EXPECT_EQ(PipelineConversion(opportunities_, DefaultPipeline(), until_, from_, as_of_).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(FunnelTest, TimeInStageByHand) {
  absl::StatusOr<TimeInStageReport> report = TimeInStage(opportunities_, DefaultPipeline(), from_, until_, as_of_);
  ASSERT_TRUE(report.ok()) << report.status();
  // qualify, entered in March: A 2d, B 2d, E 1d, G 5d completed; C (since 5 March)
  // and E's second visit (since 21 March) still there on 30 April: 56d and 40d.
  // propose: A 4d, B 6d, E 10d (G's and F's visits began in April).
  // negotiate: A 8d, D 2d.
  EXPECT_THAT(
      report->stages,
      ElementsAre(StageDuration{"qualify", 4, 5 * kDay / 2, 2 * kDay, 2, 48 * kDay, 48 * kDay, 56 * kDay},
                  StageDuration{"propose", 3, 20 * kDay / 3, 6 * kDay, 0, std::nullopt, std::nullopt, std::nullopt},
                  StageDuration{"negotiate", 2, 5 * kDay, 5 * kDay, 0, std::nullopt, std::nullopt, std::nullopt}));
  EXPECT_EQ(20 * kDay % 3, 0) << "the propose mean is exact";
}

TEST_F(FunnelTest, TimeInStageRoundsHalfEvenToSeconds) {
  // propose: H 3 s, I 6 s: mean and median 4.5 s -> 4 s. negotiate at 00:00:10:
  // H there for 7 s, I for 4 s: mean and median 5.5 s -> 6 s.
  IngestAll(*ws_, {Opp("H1", "2025-05-02T00:00:00Z", "H", "propose").Manager("M1"),
                   Opp("H2", "2025-05-02T00:00:03Z", "H", "negotiate"),
                   Opp("I1", "2025-05-02T00:00:00Z", "I", "propose").Manager("M1"),
                   Opp("I2", "2025-05-02T00:00:06Z", "I", "negotiate")});
  CatchUp();
  absl::StatusOr<TimeInStageReport> report = TimeInStage(opportunities_, DefaultPipeline(), T("2025-05-01T00:00:00Z"),
                                                         T("2025-06-01T00:00:00Z"), T("2025-05-02T00:00:10Z"));
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->stages.size(), 3u);
  EXPECT_EQ(report->stages[1], (StageDuration{"propose", 2, 4, 4, 0, std::nullopt, std::nullopt, std::nullopt}));
  EXPECT_EQ(report->stages[2], (StageDuration{"negotiate", 0, std::nullopt, std::nullopt, 2, 6, 6, 7}));
}

TEST_F(OpportunityTest, APipelineWithNoOpportunities) {
  IngestAll(*ws_, {Opp("E1", "2025-03-01T00:00:00Z", "O1", "lead").In("b2b").Manager("M1").Amount(1000)});
  CatchUp();
  const std::vector<Pipeline> pipelines = {DefaultPipeline()};
  const absl::Time from = T("2025-01-01T00:00:00Z"), until = T("2026-01-01T00:00:00Z"),
                   as_of = T("2025-06-30T00:00:00Z");
  absl::StatusOr<PipelineValueReport> value = WeightedPipeline(opportunities_, pipelines, Org(), as_of);
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_EQ(value->total, PipelineValue{});
  EXPECT_EQ(value->managers.size(), 3u) << "every manager of the tree, with zeros";
  for (const ManagerPipelineValue& m : value->managers) EXPECT_EQ(m.value, PipelineValue{}) << m.manager;
  EXPECT_EQ(value->units.size(), 4u);

  absl::StatusOr<ConversionReport> conversion =
      PipelineConversion(opportunities_, DefaultPipeline(), from, until, as_of);
  ASSERT_TRUE(conversion.ok()) << conversion.status();
  EXPECT_EQ(conversion->opened, 0);
  EXPECT_EQ(conversion->win_rate, std::nullopt);
  ASSERT_EQ(conversion->stages.size(), 5u);
  for (const StageConversion& s : conversion->stages) {
    EXPECT_EQ(s.reached, 0);
    EXPECT_EQ(s.conversion, std::nullopt) << "0/0 has no value";
    EXPECT_EQ(s.won_share, std::nullopt);
  }

  absl::StatusOr<TimeInStageReport> time = TimeInStage(opportunities_, DefaultPipeline(), from, until, as_of);
  ASSERT_TRUE(time.ok()) << time.status();
  EXPECT_THAT(time->stages,
              ElementsAre(StageDuration{"qualify"}, StageDuration{"propose"}, StageDuration{"negotiate"}));
  EXPECT_THAT(json::ToText(*time), ::testing::HasSubstr(R"({"stage":"qualify","completed":0,"open":0})"));
}

TEST_F(OpportunityTest, LoadPipelinesReadsTheDocuments) {
  absl::StatusOr<std::vector<Pipeline>> pipelines = LoadPipelines(*ws_);
  ASSERT_TRUE(pipelines.ok()) << pipelines.status();
  ASSERT_EQ(pipelines->size(), 2u);
  EXPECT_EQ((*pipelines)[0].id, "b2b");
  EXPECT_EQ((*pipelines)[1].stages, DefaultPipeline().stages);
}

TEST_F(OpportunityTest, OpportunitySerialisesAndReadsBack) {
  IngestAll(*ws_, {Opp("E1", "2025-03-01T00:00:00Z", "O1", "qualify").Manager("M1").Amount(100),
                   Opp("E2", "2025-03-05T00:00:00Z", "O1", "lost").Reason("price")});
  CatchUp();
  const Opportunity o = Get("O1");
  const std::string text = json::ToText(o);
  EXPECT_THAT(text, ::testing::HasSubstr(R"("outcome":"lost","amount_minor":100,)"));
  absl::StatusOr<Opportunity> back = json::FromText<Opportunity>(text);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, o);
}

// ---- Property: whatever the ingest order, incremental equals rebuilt ------------------------

std::map<std::string, std::vector<Opportunity>> Snapshot(const OpportunityProjection& p) {
  std::map<std::string, std::vector<Opportunity>> out;
  out["now"] = p.All();
  for (const char* at : {"2025-01-10T00:00:00Z", "2025-02-01T00:00:00Z", "2025-03-01T00:00:00Z"})
    out[at] = p.All(T(at));
  return out;
}

TEST_F(OpportunityTest, ShuffledIngestEqualsRebuildAndInOrder) {
  std::mt19937 rng(7);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
  const std::vector<std::string> stages = {"qualify", "propose", "negotiate", "won", "lost"};
  std::vector<Event> events;
  std::vector<std::string> opportunity_events;
  const absl::Time start = T("2025-01-01T00:00:00Z");
  for (int i = 0; i < 60; ++i) {
    absl::Time at = start + absl::Hours(i * 7);
    const std::string customer = absl::StrCat("C", i % 7);
    const int moves = 1 + pick(6);
    for (int j = 0; j < moves; ++j) {
      at += absl::Hours(1 + pick(72));
      Opp move(absl::StrCat("E-", i, "-", j), at, absl::StrCat("O", i), stages[pick(5)], customer);
      if (move.e.stage == "lost") move.Reason(pick(2) ? "price" : "competitor");
      if (pick(3) == 0) move.Amount(pick(100000));
      if (pick(4) == 0) move.Manager(absl::StrCat("M", 1 + pick(3)));
      if (pick(5) == 0) move.Due(absl::CivilDay(2025, 6, 1 + pick(30)));
      events.push_back(move);
      opportunity_events.push_back(move.e.id);
    }
  }
  std::vector<std::string> assignments;
  for (int c = 0; c < 7; ++c) {
    for (int k = 0; k < 3; ++k) {
      const absl::Time at = start + absl::Hours((c * 3 + k) * 97) + absl::Minutes(30);
      Event a = Assignment(absl::StrCat("A-", c, "-", k), "2025-01-01T00:00:00Z", absl::StrCat("C", c),
                           absl::StrCat("M", 1 + pick(3)));
      a.occurred_at = at;
      events.push_back(a);
      assignments.push_back(a.id);
    }
  }
  std::vector<Event> corrections;
  for (std::size_t i = 3; i < opportunity_events.size(); i += 9)
    corrections.push_back(Reversal("X-" + opportunity_events[i], "2025-12-01T00:00:00Z", opportunity_events[i]));
  for (std::size_t i = 1; i < assignments.size(); i += 5)
    corrections.push_back(Reversal("X-" + assignments[i], "2025-12-01T00:00:00Z", assignments[i]));

  auto new_workspace = [] {
    std::unique_ptr<Workspace> ws = crm_testing::NewWorkspace();
    EXPECT_TRUE(ws->PutEntity(DefaultPipeline()).ok());
    return ws;
  };
  // Reference: logged in generation order, projected in one go.
  std::unique_ptr<Workspace> reference_ws = new_workspace();
  IngestAll(*reference_ws, events);
  IngestAll(*reference_ws, corrections);
  OwnershipProjection reference_ownership;
  OpportunityProjection reference;
  ASSERT_TRUE(reference.CatchUp(*reference_ws, reference_ownership).ok());
  const auto expected = Snapshot(reference);
  ASSERT_GT(expected.at("now").size(), 40u);
  int credited_to_owner = 0;
  for (const Opportunity& o : expected.at("now")) credited_to_owner += o.manager.has_value();
  EXPECT_GT(credited_to_owner, 0);

  for (uint32_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE(seed);
    std::vector<Event> shuffled = events;
    std::mt19937 order(seed);
    std::shuffle(shuffled.begin(), shuffled.end(), order);
    std::vector<Event> shuffled_corrections = corrections;
    std::shuffle(shuffled_corrections.begin(), shuffled_corrections.end(), order);
    shuffled.insert(shuffled.end(), shuffled_corrections.begin(), shuffled_corrections.end());

    std::unique_ptr<Workspace> ws = new_workspace();
    OwnershipProjection ownership;
    OpportunityProjection incremental;
    for (std::size_t at = 0; at < shuffled.size(); at += 23) {
      const std::size_t end = std::min(shuffled.size(), at + 23);
      IngestAll(*ws, std::vector<Event>(shuffled.begin() + static_cast<std::ptrdiff_t>(at),
                                        shuffled.begin() + static_cast<std::ptrdiff_t>(end)));
      ASSERT_TRUE(incremental.CatchUp(*ws, ownership).ok());
      ASSERT_EQ(incremental.high_water_mark(), end);
    }
    OwnershipProjection fresh_ownership;
    OpportunityProjection rebuilt;
    ASSERT_TRUE(rebuilt.CatchUp(*ws, fresh_ownership).ok());
    EXPECT_TRUE(Snapshot(incremental) == Snapshot(rebuilt)) << "incremental and rebuilt differ";
    EXPECT_TRUE(Snapshot(rebuilt) == expected) << "the ingest order changed the state";
  }
}

}  // namespace
}  // namespace cadre
