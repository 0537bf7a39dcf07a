// Assignment of new customers within a team: round-robin (state read back from
// the log) and least-loaded, never to a manager who is on leave, has left, is
// not hired yet or is at the holding limit of their level; deterministic.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cadre/json.h"
#include "cadre/model.h"
#include "cadre/pool.h"
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
using ::testing::HasSubstr;
using testing::T;

constexpr const char* kNow = "2025-06-01T10:00:00+08:00";

class AssignmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_ = crm_testing::NewWorkspace();
    ASSERT_NE(ws_, nullptr);
    policy_.id = "default";
    policy_.name = "Default";
    policy_.holding_limits = {HoldingLimit{1, 3}, HoldingLimit{2, 100}};
    PutUnit("CO", OrgUnitKind::kCompany, std::nullopt);
    PutUnit("T1", OrgUnitKind::kTeam, "CO");
    PutUnit("T2", OrgUnitKind::kTeam, "CO");
    PutManager("M1", "T1", 2, EmploymentStatus::kActive);
    PutManager("M2", "T1", 2, EmploymentStatus::kActive);
    PutManager("M3", "T1", 2, EmploymentStatus::kOnLeave);
    PutManager("M4", "T1", 2, EmploymentStatus::kLeft);
    PutManager("M5", "T1", 2, EmploymentStatus::kActive);
    PutManager("N1", "T2", 2, EmploymentStatus::kActive);
    for (int i = 1; i <= 20; ++i) PutCustomer("C" + std::to_string(100 + i));
  }
  void PutUnit(std::string id, OrgUnitKind kind, std::optional<std::string> parent) {
    OrgUnit u;
    u.id = id;
    u.name = id;
    u.kind = kind;
    u.parent = std::move(parent);
    ASSERT_TRUE(ws_->PutEntity(u).ok());
  }
  void PutManager(std::string id, std::string team, int level, EmploymentStatus status,
                  std::optional<absl::CivilDay> hired_on = std::nullopt) {
    Manager m;
    m.id = id;
    m.name = id;
    m.team = team;
    m.level = level;
    m.status = status;
    if (status == EmploymentStatus::kLeft) m.left_on = absl::CivilDay(2025, 1, 31);
    m.hired_on = hired_on;
    absl::StatusOr<Document> put = ws_->PutEntity(m);
    ASSERT_TRUE(put.ok()) << put.status();
  }
  void PutCustomer(std::string id) {
    Customer c;
    c.id = id;
    c.name = id;
    ASSERT_TRUE(ws_->PutEntity(c).ok());
  }
  absl::StatusOr<std::vector<Event>> Assign(std::vector<std::string> customers, AssignmentStrategy strategy,
                                            const char* now = kNow, std::string team = "T1") {
    return AssignNewCustomers(*ws_, ownership_, policy_, team, customers, strategy, T(now));
  }
  static std::vector<std::string> Managers(const std::vector<Event>& events) {
    std::vector<std::string> out;
    for (const Event& e : events) out.push_back(e.manager.value_or("-"));
    return out;
  }

  std::unique_ptr<Workspace> ws_;
  OwnershipProjection ownership_;
  PoolPolicy policy_;
};

TEST_F(AssignmentTest, RoundRobinSkipsManagersWhoCannotWork) {
  absl::StatusOr<std::vector<Event>> events =
      Assign({"C101", "C102", "C103", "C104", "C105", "C106"}, AssignmentStrategy::kRoundRobin);
  ASSERT_TRUE(events.ok()) << events.status();
  EXPECT_THAT(Managers(*events), ElementsAre("M1", "M2", "M5", "M1", "M2", "M5"))
      << "M3 is on leave, M4 has left, N1 is in another team";
  const Event& e = (*events)[0];
  EXPECT_EQ(e.kind, EventKind::kAssignment);
  EXPECT_EQ(e.customer, "C101");
  EXPECT_EQ(e.occurred_at, T(kNow));
  EXPECT_EQ(e.reason, "assignment: round robin in T1");
  EXPECT_EQ(e.attributes.at("assigned_by"), "round_robin");
  EXPECT_EQ(e.attributes.at("team"), "T1");
}

TEST_F(AssignmentTest, RoundRobinResumesFromTheLog) {
  absl::StatusOr<std::vector<Event>> first = Assign({"C101", "C102"}, AssignmentStrategy::kRoundRobin);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_THAT(Managers(*first), ElementsAre("M1", "M2"));
  IngestAll(*ws_, *first);
  // A fresh projection and a later call: the state is in the log, not in memory.
  OwnershipProjection fresh;
  absl::StatusOr<std::vector<Event>> second = AssignNewCustomers(
      *ws_, fresh, policy_, "T1", {"C103", "C104"}, AssignmentStrategy::kRoundRobin, T("2025-06-02T10:00:00+08:00"));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_THAT(Managers(*second), ElementsAre("M5", "M1"));
  IngestAll(*ws_, *second);
  // Over many calls every eligible manager gets the same number of customers.
  std::map<std::string, int> count;
  for (const Event& e : *first) ++count[*e.manager];
  for (const Event& e : *second) ++count[*e.manager];
  for (int i = 5; i <= 9; ++i) {
    absl::StatusOr<std::vector<Event>> one =
        Assign({"C10" + std::to_string(i)}, AssignmentStrategy::kRoundRobin, "2025-06-03T10:00:00+08:00");
    ASSERT_TRUE(one.ok()) << one.status();
    ++count[*(*one)[0].manager];
    IngestAll(*ws_, *one);
  }
  EXPECT_EQ(count, (std::map<std::string, int>{{"M1", 3}, {"M2", 3}, {"M5", 3}}));
}

TEST_F(AssignmentTest, ReversedRoundRobinAssignmentDoesNotCount) {
  absl::StatusOr<std::vector<Event>> first = Assign({"C101", "C102"}, AssignmentStrategy::kRoundRobin);
  ASSERT_TRUE(first.ok()) << first.status();
  IngestAll(*ws_, *first);
  IngestAll(*ws_, {Reversal("R1", "2025-06-01T11:00:00+08:00", (*first)[1].id)});
  absl::StatusOr<std::vector<Event>> next =
      Assign({"C103"}, AssignmentStrategy::kRoundRobin, "2025-06-01T12:00:00+08:00");
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_THAT(Managers(*next), ElementsAre("M2"));
}

TEST_F(AssignmentTest, LeastLoadedPicksTheFewestAndBreaksTiesById) {
  IngestAll(*ws_, {Assignment("A1", "2025-05-01T10:00:00+08:00", "C111", "M1"),
                   Assignment("A2", "2025-05-01T10:00:00+08:00", "C112", "M1"),
                   Assignment("A3", "2025-05-01T10:00:00+08:00", "C113", "M5"),
                   Assignment("A4", "2025-05-01T10:00:00+08:00", "C114", "M3"),  // on leave: never chosen
                   Assignment("A5", "2025-05-01T10:00:00+08:00", "C115", "N1")});
  absl::StatusOr<std::vector<Event>> events =
      Assign({"C101", "C102", "C103", "C104"}, AssignmentStrategy::kLeastLoaded);
  ASSERT_TRUE(events.ok()) << events.status();
  // Loads M1 2, M2 0, M5 1 -> M2 (1) -> tie M2/M5 at 1: M2 (2) -> M5 (2) -> tie of three at 2: M1.
  EXPECT_THAT(Managers(*events), ElementsAre("M2", "M2", "M5", "M1"));
  EXPECT_EQ((*events)[0].reason, "assignment: least loaded in T1");
}

TEST_F(AssignmentTest, ManagersAtTheHoldingLimitAreSkipped) {
  PutManager("M1", "T1", 1, EmploymentStatus::kActive);  // level 1: at most 3
  IngestAll(*ws_, {Assignment("A1", "2025-05-01T10:00:00+08:00", "C111", "M1"),
                   Assignment("A2", "2025-05-01T10:00:00+08:00", "C112", "M1")});
  for (AssignmentStrategy s : {AssignmentStrategy::kRoundRobin, AssignmentStrategy::kLeastLoaded}) {
    SCOPED_TRACE(json::EnumName(s));
    absl::StatusOr<std::vector<Event>> events = Assign({"C101", "C102", "C103", "C104", "C105", "C106", "C107"}, s);
    ASSERT_TRUE(events.ok()) << events.status();
    std::map<std::string, int> count;
    for (const Event& e : *events) ++count[*e.manager];
    EXPECT_EQ(count["M1"], 1) << "M1 held 2 of 3: room for one more";
    EXPECT_EQ(count["M2"] + count["M5"], 6);
  }
}

TEST_F(AssignmentTest, RefusesWhenNobodyCanTakeTheCustomer) {
  policy_.holding_limits = {HoldingLimit{1, 0}};
  absl::StatusOr<std::vector<Event>> events = Assign({"C101"}, AssignmentStrategy::kLeastLoaded);
  ASSERT_EQ(events.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(events.status().message(), HasSubstr("no manager of \"T1\" can take customer \"C101\""));
  EXPECT_THAT(events.status().message(), HasSubstr("\"M1\" is at the holding limit (0 of 0)"));
  EXPECT_THAT(events.status().message(), HasSubstr("\"M3\" is on leave"));
  EXPECT_THAT(events.status().message(), HasSubstr("\"M4\" has left"));
}

TEST_F(AssignmentTest, SkipsManagersNotHiredYet) {
  PutManager("M0", "T1", 2, EmploymentStatus::kActive, absl::CivilDay(2025, 6, 2));
  absl::StatusOr<std::vector<Event>> today = Assign({"C101"}, AssignmentStrategy::kRoundRobin);
  ASSERT_TRUE(today.ok()) << today.status();
  EXPECT_THAT(Managers(*today), ElementsAre("M1"));
  absl::StatusOr<std::vector<Event>> tomorrow =
      Assign({"C101"}, AssignmentStrategy::kRoundRobin, "2025-06-02T00:00:00+08:00");
  ASSERT_TRUE(tomorrow.ok()) << tomorrow.status();
  EXPECT_THAT(Managers(*tomorrow), ElementsAre("M0"));
}

TEST_F(AssignmentTest, RefusesOwnedUnknownAndRepeatedCustomers) {
  IngestAll(*ws_, {Assignment("A1", "2025-05-01T10:00:00+08:00", "C101", "N1")});
  absl::StatusOr<std::vector<Event>> owned = Assign({"C102", "C101"}, AssignmentStrategy::kRoundRobin);
  EXPECT_EQ(owned.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(owned.status().message(), HasSubstr("\"C101\" is already owned by \"N1\""));
  EXPECT_EQ(Assign({"C999"}, AssignmentStrategy::kRoundRobin).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Assign({"C102", "C102"}, AssignmentStrategy::kRoundRobin).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Assign({"C102"}, AssignmentStrategy::kRoundRobin, kNow, "T9").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(AssignmentTest, SameStateSameChoice) {
  IngestAll(*ws_, {Assignment("A1", "2025-05-01T10:00:00+08:00", "C111", "M5")});
  for (AssignmentStrategy s : {AssignmentStrategy::kRoundRobin, AssignmentStrategy::kLeastLoaded}) {
    SCOPED_TRACE(json::EnumName(s));
    absl::StatusOr<std::vector<Event>> a = Assign({"C101", "C102", "C103"}, s);
    OwnershipProjection fresh;
    absl::StatusOr<std::vector<Event>> b =
        AssignNewCustomers(*ws_, fresh, policy_, "T1", {"C101", "C102", "C103"}, s, T(kNow));
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(json::ToText(*a), json::ToText(*b));
  }
  absl::StatusOr<std::vector<Event>> a = Assign({"C101", "C102", "C103"}, AssignmentStrategy::kRoundRobin);
  ASSERT_TRUE(a.ok()) << a.status();
  IngestAll(*ws_, *a);
  absl::StatusOr<IngestReport> again = ws_->Ingest(*a);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->duplicates, 3u) << "ingesting the same choice twice records nothing new";
}

}  // namespace
}  // namespace cadre
