// The ownership projection: who owns a customer at any instant, the history of
// changes, holdings per manager, crediting, late events, reversals, and that
// catching up incrementally gives the same state as a rebuild.
#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "cadre/crm.h"
#include "cadre/synth.h"
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
using crm_testing::Sale;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::T;

std::optional<std::string> None() { return std::nullopt; }

class OwnershipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_ = crm_testing::NewWorkspace();
    ASSERT_NE(ws_, nullptr);
  }
  void CatchUp() { ASSERT_TRUE(ownership_.CatchUp(*ws_).ok()); }

  std::unique_ptr<Workspace> ws_;
  OwnershipProjection ownership_;
};

TEST_F(OwnershipTest, AssignReassignRelease) {
  IngestAll(*ws_, {Assignment("A1", "2025-01-01T00:00:00+08:00", "C1", "M1", "annual portfolio allocation"),
                   Assignment("A2", "2025-06-01T09:00:00+08:00", "C1", "M2", "customer request"),
                   Assignment("A3", "2025-10-01T00:00:00+08:00", "C1", std::nullopt, "no follow-up for 90 days")});
  CatchUp();
  EXPECT_EQ(ownership_.high_water_mark(), 3u);

  std::vector<OwnershipRecord> history = ownership_.History("C1");
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].event, "A1");
  EXPECT_EQ(history[0].change, OwnershipChange::kAssigned);
  EXPECT_EQ(history[0].manager, "M1");
  EXPECT_EQ(history[0].previous, None());
  EXPECT_EQ(history[0].reason, "annual portfolio allocation");
  EXPECT_EQ(history[1].change, OwnershipChange::kReassigned);
  EXPECT_EQ(history[1].manager, "M2");
  EXPECT_EQ(history[1].previous, "M1");
  EXPECT_EQ(history[1].at, T("2025-06-01T09:00:00+08:00"));
  EXPECT_EQ(history[1].seq, 2u);
  EXPECT_EQ(history[2].change, OwnershipChange::kReleased);
  EXPECT_EQ(history[2].manager, None());
  EXPECT_EQ(history[2].previous, "M2");
  EXPECT_EQ(history[2].reason, "no follow-up for 90 days");

  EXPECT_EQ(ownership_.OwnerAt("C1", T("2024-12-31T23:59:59+08:00")), None());
  EXPECT_EQ(ownership_.OwnerAt("C1", T("2025-01-01T00:00:00+08:00")), "M1") << "in force from its instant on";
  EXPECT_EQ(ownership_.OwnerAt("C1", T("2025-06-01T08:59:59+08:00")), "M1");
  EXPECT_EQ(ownership_.OwnerAt("C1", T("2025-06-01T09:00:00+08:00")), "M2");
  EXPECT_EQ(ownership_.OwnerAt("C1", T("2025-11-01T00:00:00+08:00")), None());
  EXPECT_EQ(ownership_.OwnerAt("C1"), None()) << "released: no current owner";
  EXPECT_EQ(ownership_.OwnerAt("C-unknown"), None());

  EXPECT_THAT(ownership_.Holdings("M2"), IsEmpty());
  EXPECT_THAT(ownership_.HoldingsAt("M1", T("2025-03-01T00:00:00Z")), ElementsAre("C1"));
  EXPECT_THAT(ownership_.HoldingsAt("M2", T("2025-07-01T00:00:00Z")), ElementsAre("C1"));
  EXPECT_THAT(ownership_.HoldingsAt("M1", T("2025-07-01T00:00:00Z")), IsEmpty());
  EXPECT_THAT(ownership_.History("C1", T("2025-06-01T09:00:00+08:00")).size(), 2u);
  EXPECT_THAT(ownership_.History("C-unknown"), IsEmpty());
}

TEST_F(OwnershipTest, HoldingsPerManager) {
  IngestAll(*ws_,
            {Assignment("A1", "2025-01-01T00:00:00Z", "C1", "M1"), Assignment("A2", "2025-01-01T00:00:00Z", "C2", "M1"),
             Assignment("A3", "2025-01-01T00:00:00Z", "C3", "M2"), Assignment("A4", "2025-02-01T00:00:00Z", "C2", "M2"),
             Assignment("A5", "2025-02-01T00:00:00Z", "C4", std::nullopt)});
  CatchUp();
  EXPECT_THAT(ownership_.Holdings("M1"), ElementsAre("C1"));
  EXPECT_THAT(ownership_.Holdings("M2"), ElementsAre("C2", "C3"));
  EXPECT_EQ(ownership_.HoldingCounts(), (std::map<std::string, std::size_t>{{"M1", 1}, {"M2", 2}}));
  EXPECT_THAT(ownership_.Customers(), ElementsAre("C1", "C2", "C3", "C4"));
  std::vector<OwnershipRecord> c4 = ownership_.History("C4");
  ASSERT_EQ(c4.size(), 1u);
  EXPECT_EQ(c4[0].change, OwnershipChange::kReleased) << "a release of a customer nobody owned is still recorded";
  EXPECT_EQ(c4[0].previous, None());
}

TEST_F(OwnershipTest, CreditsTheOwnerWhenTheSaleHappenedNotTodays) {
  IngestAll(*ws_, {Assignment("A1", "2025-01-01T00:00:00+08:00", "C1", "M1"),
                   Assignment("A2", "2025-06-01T09:00:00+08:00", "C1", "M2", "customer request")});
  CatchUp();
  const Event march = Sale("S1", "2025-03-15T10:00:00+08:00", "C1", std::nullopt, 1000);
  const Event just_before = Sale("S2", "2025-06-01T08:59:59+08:00", "C1", std::nullopt, 1000);
  const Event september = Sale("S3", "2025-09-15T10:00:00+08:00", "C1", std::nullopt, 1000);
  const Event named = Sale("S4", "2025-03-15T10:00:00+08:00", "C1", "M3", 1000);
  const Event before_any = Sale("S5", "2024-12-31T10:00:00+08:00", "C1", std::nullopt, 1000);
  const Event stranger = Sale("S6", "2025-03-15T10:00:00+08:00", "C9", std::nullopt, 1000);
  EXPECT_EQ(ownership_.CreditedManager(march), "M1") << "today's owner is M2, but M1 owned C1 in March";
  EXPECT_EQ(ownership_.CreditedManager(just_before), "M1");
  EXPECT_EQ(ownership_.CreditedManager(september), "M2");
  EXPECT_EQ(ownership_.CreditedManager(named), "M3") << "a named manager is credited as named";
  EXPECT_EQ(ownership_.CreditedManager(before_any), None());
  EXPECT_EQ(ownership_.CreditedManager(stranger), None());
}

TEST_F(OwnershipTest, LateEventTakesItsPlaceInHistory) {
  IngestAll(*ws_, {Assignment("A1", "2025-01-01T00:00:00Z", "C1", "M1"),
                   Assignment("A3", "2025-10-01T00:00:00Z", "C1", "M3")});
  CatchUp();
  EXPECT_EQ(ownership_.OwnerAt("C1", T("2025-07-01T00:00:00Z")), "M1");
  // June's reassignment is logged only now.
  IngestAll(*ws_, {Assignment("A2", "2025-06-01T00:00:00Z", "C1", "M2")});
  CatchUp();
  EXPECT_EQ(ownership_.high_water_mark(), 3u);
  std::vector<OwnershipRecord> history = ownership_.History("C1");
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].event, "A1");
  EXPECT_EQ(history[1].event, "A2");
  EXPECT_EQ(history[1].previous, "M1");
  EXPECT_EQ(history[2].event, "A3");
  EXPECT_EQ(history[2].previous, "M2") << "the later record now follows the late one";
  EXPECT_EQ(ownership_.OwnerAt("C1", T("2025-07-01T00:00:00Z")), "M2");
  EXPECT_EQ(ownership_.OwnerAt("C1"), "M3");
  EXPECT_THAT(ownership_.Holdings("M3"), ElementsAre("C1"));
  EXPECT_THAT(ownership_.Holdings("M2"), IsEmpty()) << "a late event in the past does not change today's owner";
}

TEST_F(OwnershipTest, LateEventThatIsNewestChangesHoldings) {
  IngestAll(*ws_, {Assignment("A2", "2025-06-01T00:00:00Z", "C1", "M2")});
  CatchUp();
  IngestAll(*ws_, {Assignment("A1", "2025-01-01T00:00:00Z", "C1", "M1")});
  CatchUp();
  EXPECT_EQ(ownership_.OwnerAt("C1"), "M2");
  EXPECT_THAT(ownership_.Holdings("M1"), IsEmpty());
  IngestAll(*ws_, {Assignment("A3", "2025-08-01T00:00:00Z", "C1", "M1")});
  CatchUp();
  EXPECT_THAT(ownership_.Holdings("M1"), ElementsAre("C1"));
  EXPECT_THAT(ownership_.Holdings("M2"), IsEmpty());
}

TEST_F(OwnershipTest, SameInstantIsOrderedBySeq) {
  IngestAll(*ws_, {Assignment("A-b", "2025-03-01T00:00:00Z", "C1", "M2"),
                   Assignment("A-a", "2025-03-01T00:00:00Z", "C1", "M1")});
  CatchUp();
  std::vector<OwnershipRecord> history = ownership_.History("C1");
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].event, "A-b");
  EXPECT_EQ(history[1].event, "A-a");
  EXPECT_EQ(ownership_.OwnerAt("C1", T("2025-03-01T00:00:00Z")), "M1") << "the later seq wins a tie";
}

TEST_F(OwnershipTest, ReversalRestoresThePreviousOwner) {
  IngestAll(*ws_,
            {Assignment("A1", "2025-01-01T00:00:00Z", "C1", "M1"), Assignment("A2", "2025-06-01T00:00:00Z", "C1", "M2"),
             Sale("S1", "2025-07-01T00:00:00Z", "C1", std::nullopt, 500)});
  CatchUp();
  EXPECT_EQ(ownership_.OwnerAt("C1"), "M2");
  IngestAll(*ws_, {Reversal("X1", "2025-06-02T00:00:00Z", "A2"), Reversal("X2", "2025-07-02T00:00:00Z", "S1")});
  CatchUp();
  EXPECT_EQ(ownership_.high_water_mark(), 5u);
  EXPECT_EQ(ownership_.OwnerAt("C1"), "M1");
  EXPECT_EQ(ownership_.OwnerAt("C1", T("2025-06-15T00:00:00Z")), "M1");
  std::vector<OwnershipRecord> history = ownership_.History("C1");
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].event, "A1");
  EXPECT_THAT(ownership_.Holdings("M1"), ElementsAre("C1"));
  EXPECT_THAT(ownership_.Holdings("M2"), IsEmpty());
  EXPECT_EQ(ownership_.CreditedManager(Sale("S9", "2025-07-01T00:00:00Z", "C1", std::nullopt, 1)), "M1");
}

TEST_F(OwnershipTest, ApplyIsIdempotentAndHonoursAnEarlierReversal) {
  const StoredEvent a1{1, Assignment("A1", "2025-01-01T00:00:00Z", "C1", "M1")};
  const StoredEvent a2{2, Assignment("A2", "2025-06-01T00:00:00Z", "C1", "M2")};
  const StoredEvent x1{3, Reversal("X1", "2025-06-02T00:00:00Z", "A2")};
  OwnershipProjection fed;
  fed.Apply(a1);
  fed.Apply(a1);
  EXPECT_EQ(fed.History("C1").size(), 1u);
  // A host feeding events out of order: the reversal comes before its target.
  fed.Apply(x1);
  fed.Apply(a2);
  fed.Apply(x1);
  EXPECT_EQ(fed.History("C1").size(), 1u);
  EXPECT_EQ(fed.OwnerAt("C1"), "M1");
  EXPECT_EQ(fed.high_water_mark(), 3u);
  fed.Reset();
  EXPECT_EQ(fed.high_water_mark(), 0u);
  EXPECT_THAT(fed.Customers(), IsEmpty());
  EXPECT_EQ(fed.OwnerAt("C1"), None());
}

// An engine shares its interners: the projection's keys are the engine's, a
// customer the engine keyed first (with no assignment) has no owner and is not
// listed, and Reset() forgets the history but keeps the shared keys.
// An entry keeps its instant as whole seconds and quarter-nanosecond ticks: the
// order must be absl::Time's, before 1970 and one tick apart too, and the
// infinite ends ask for nobody and for the last owner.
TEST_F(OwnershipTest, InstantsKeepTheirOrderToTheTick) {
  OwnershipProjection p;
  const absl::Time old = T("1969-12-31T23:59:59.5Z");
  const absl::Duration tick = absl::Nanoseconds(1) / 4;
  Event a1 = Assignment("A1", "2025-01-01T00:00:00Z", "C1", "M1");
  a1.occurred_at = old;
  Event a2 = Assignment("A2", "2025-01-01T00:00:00Z", "C1", "M2");
  a2.occurred_at = old + tick;
  p.Apply({1, a1});
  p.Apply({2, a2});
  EXPECT_EQ(p.OwnerAt("C1", old - tick), std::nullopt);
  EXPECT_EQ(p.OwnerAt("C1", old), "M1");
  EXPECT_EQ(p.OwnerAt("C1", old + tick), "M2");
  EXPECT_EQ(p.OwnerAt("C1", absl::InfinitePast()), std::nullopt);
  EXPECT_EQ(p.OwnerAt("C1", absl::InfiniteFuture()), "M2");
  std::vector<OwnershipRecord> history = p.History("C1");
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].at, old);
  EXPECT_EQ(history[1].at, old + tick);
  EXPECT_EQ(p.History("C1", old).size(), 1u);
}

TEST_F(OwnershipTest, SharedInternersGiveOwnersByKey) {
  auto customers = std::make_shared<Interner>();
  auto managers = std::make_shared<Interner>();
  const uint32_t walk_in = customers->Intern("C9");  // keyed by the engine before any assignment
  const uint32_t other = managers->Intern("M7");
  OwnershipProjection shared(customers, managers);
  shared.Apply({1, Assignment("A1", "2025-01-01T00:00:00Z", "C1", "M1")});
  shared.Apply({2, Assignment("A2", "2025-06-01T00:00:00Z", "C1", "M7")});
  shared.Apply({3, Assignment("A3", "2025-03-01T00:00:00Z", "C2", "M1")});
  const std::optional<uint32_t> c1 = customers->Find("C1");
  const std::optional<uint32_t> m1 = managers->Find("M1");
  ASSERT_TRUE(c1.has_value());
  ASSERT_TRUE(m1.has_value());
  EXPECT_EQ(*c1, 1u);  // after the engine's C9
  EXPECT_EQ(shared.OwnerKeyAt(*c1, T("2025-02-01T00:00:00Z")), static_cast<int32_t>(*m1));
  EXPECT_EQ(shared.OwnerKeyAt(*c1, T("2025-06-01T00:00:00Z")), static_cast<int32_t>(other));
  EXPECT_EQ(shared.OwnerKeyAt(*c1, T("2024-12-31T23:59:59Z")), -1);
  EXPECT_EQ(shared.OwnerKeyAt(walk_in, T("2025-07-01T00:00:00Z")), -1);
  EXPECT_EQ(shared.OwnerKeyAt(1000, T("2025-07-01T00:00:00Z")), -1);  // past every key
  EXPECT_EQ(shared.OwnerAt("C9"), std::nullopt);
  EXPECT_THAT(shared.History("C9"), IsEmpty());
  EXPECT_THAT(shared.Customers(), ElementsAre("C1", "C2"));
  EXPECT_THAT(shared.Holdings("M7"), ElementsAre("C1"));
  // A reversal of the June assignment gives C1 back to M1.
  shared.Apply({4, Reversal("X2", "2025-06-02T00:00:00Z", "A2")});
  EXPECT_EQ(shared.OwnerKeyAt(*c1, T("2025-07-01T00:00:00Z")), static_cast<int32_t>(*m1));
  shared.Reset();
  EXPECT_EQ(shared.OwnerKeyAt(*c1, T("2025-07-01T00:00:00Z")), -1);
  EXPECT_THAT(shared.Customers(), IsEmpty());
  EXPECT_EQ(customers->Find("C1"), c1);  // the shared keys stay
  shared.Apply({5, Assignment("A9", "2025-08-01T00:00:00Z", "C1", "M1")});
  EXPECT_EQ(shared.OwnerKeyAt(*c1, T("2025-09-01T00:00:00Z")), static_cast<int32_t>(*m1));
}

// ---- On the synthetic retailer ------------------------------------------------------

// Everything the projection knows, in comparable form; seqs are left out when
// comparing workspaces that logged the same events in different orders.
struct Snapshot {
  std::map<std::string, std::vector<OwnershipRecord>> histories;
  std::map<std::string, std::size_t> counts;
  std::map<std::string, std::vector<std::string>> holdings;
  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

Snapshot Take(const OwnershipProjection& p, bool with_seq) {
  Snapshot s;
  for (const std::string& c : p.Customers()) {
    std::vector<OwnershipRecord> h = p.History(c);
    if (!with_seq)
      for (OwnershipRecord& r : h) r.seq = 0;
    s.histories[c] = std::move(h);
  }
  s.counts = p.HoldingCounts();
  for (const auto& [m, n] : s.counts) s.holdings[m] = p.Holdings(m);
  return s;
}

class SynthOwnershipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SynthOptions options;
    options.customers = 300;
    data_ = GenerateRetail(options);
  }
  SynthDataset data_;
};

TEST_F(SynthOwnershipTest, CreditsUnnamedSalesToTheOwnerOfTheMoment) {
  std::unique_ptr<Workspace> ws = crm_testing::NewWorkspace();
  ASSERT_TRUE(LoadDataset(*ws, data_).ok());
  OwnershipProjection ownership;
  ASSERT_TRUE(ownership.CatchUp(*ws).ok());

  // The expected owner by a plain replay of the generated events, in time order.
  std::map<std::string, std::string> owner;
  std::map<std::string, std::string> final_owner;
  for (const Event& e : data_.events)
    if (e.kind == EventKind::kAssignment) final_owner[*e.customer] = *e.manager;
  int unnamed = 0, credited_to_a_former_owner = 0, reassignments = 0;
  for (const Event& e : data_.events) {
    if (e.kind == EventKind::kAssignment) {
      if (owner.contains(*e.customer)) ++reassignments;
      owner[*e.customer] = *e.manager;
    } else if (e.kind == EventKind::kSale && !e.manager) {
      ++unnamed;
      const std::optional<std::string> credited = ownership.CreditedManager(e);
      ASSERT_TRUE(credited.has_value()) << e.id;
      EXPECT_EQ(*credited, owner[*e.customer]) << e.id;
      if (*credited != final_owner[*e.customer]) ++credited_to_a_former_owner;
    }
  }
  EXPECT_GT(reassignments, 0);
  EXPECT_GT(unnamed, 0);
  EXPECT_GT(credited_to_a_former_owner, 0) << "the data should exercise crediting a former owner";
  for (const auto& [customer, manager] : final_owner) EXPECT_EQ(ownership.OwnerAt(customer), manager) << customer;
  std::size_t held = 0;
  for (const auto& [m, n] : ownership.HoldingCounts()) held += n;
  EXPECT_EQ(held, final_owner.size());
}

TEST_F(SynthOwnershipTest, IncrementalEqualsRebuildWhateverTheIngestOrder) {
  // The year's assignments plus some releases and reversals of our own.
  std::vector<Event> assignments;
  for (const Event& e : data_.events)
    if (e.kind == EventKind::kAssignment) assignments.push_back(e);
  ASSERT_GT(assignments.size(), 300u);
  std::vector<Event> corrections;
  for (std::size_t i = 0; i < assignments.size(); i += 37) {
    const Event& target = assignments[i];
    corrections.push_back(Reversal("X-" + target.id, "2025-12-20T00:00:00Z", target.id));
  }
  for (std::size_t i = 5; i < assignments.size(); i += 53) {
    Event release = Assignment("REL-" + assignments[i].id, "2025-07-01T12:00:00Z", *assignments[i].customer,
                               std::nullopt, "returned to the pool");
    assignments.push_back(std::move(release));
  }

  // Reference: logged in generation order, projected in one go.
  std::unique_ptr<Workspace> reference_ws = crm_testing::NewWorkspace();
  IngestAll(*reference_ws, assignments);
  IngestAll(*reference_ws, corrections);
  OwnershipProjection reference;
  ASSERT_TRUE(reference.CatchUp(*reference_ws).ok());
  const Snapshot expected = Take(reference, /*with_seq=*/false);
  ASSERT_FALSE(expected.histories.empty());

  for (uint32_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE(seed);
    std::vector<Event> shuffled = assignments;
    std::mt19937 rng(seed);
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    // Reversals must follow their targets in the log; they are shuffled among themselves.
    std::vector<Event> shuffled_corrections = corrections;
    std::shuffle(shuffled_corrections.begin(), shuffled_corrections.end(), rng);
    shuffled.insert(shuffled.end(), shuffled_corrections.begin(), shuffled_corrections.end());

    std::unique_ptr<Workspace> ws = crm_testing::NewWorkspace();
    OwnershipProjection incremental;
    for (std::size_t at = 0; at < shuffled.size(); at += 41) {
      const std::size_t end = std::min(shuffled.size(), at + 41);
      IngestAll(*ws, std::vector<Event>(shuffled.begin() + at, shuffled.begin() + end));
      ASSERT_TRUE(incremental.CatchUp(*ws).ok());
      ASSERT_EQ(incremental.high_water_mark(), end);
    }
    OwnershipProjection rebuilt;
    ASSERT_TRUE(rebuilt.CatchUp(*ws).ok());
    EXPECT_TRUE(Take(incremental, true) == Take(rebuilt, true)) << "incremental and rebuilt differ";
    EXPECT_TRUE(Take(rebuilt, false) == expected) << "the ingest order changed the state";

    incremental.Reset();
    ASSERT_TRUE(incremental.CatchUp(*ws).ok());
    EXPECT_TRUE(Take(incremental, true) == Take(rebuilt, true)) << "Reset then CatchUp is a rebuild";
  }
}

}  // namespace
}  // namespace cadre
