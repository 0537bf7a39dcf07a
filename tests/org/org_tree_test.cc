// The org tree: built from the org_units and managers in force at an instant,
// answering parent/children, paths, subtrees, managers under a unit and leads;
// broken trees are refused with an error naming the unit.
#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cadre/json.h"
#include "cadre/org.h"
#include "cadre/synth.h"
#include "cadre/workspace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/test_util.h"

namespace cadre {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::T;

std::string Message(const absl::Status& status) { return std::string(status.message()); }

std::vector<std::string> Ids(const std::vector<const OrgUnit*>& units) {
  std::vector<std::string> out;
  for (const OrgUnit* u : units) out.push_back(u->id);
  return out;
}

std::vector<std::string> Ids(const std::vector<const Manager*>& managers) {
  std::vector<std::string> out;
  for (const Manager* m : managers) out.push_back(m->id);
  return out;
}

OrgUnit Unit(std::string id, OrgUnitKind kind, std::optional<std::string> parent,
             std::optional<std::string> lead = std::nullopt) {
  OrgUnit u;
  u.id = std::move(id);
  u.name = "Unit " + u.id;
  u.kind = kind;
  u.parent = std::move(parent);
  u.lead = std::move(lead);
  return u;
}

Manager Mgr(std::string id, std::string team, std::optional<std::string> role = std::nullopt) {
  Manager m;
  m.id = std::move(id);
  m.name = "Manager " + m.id;
  m.team = std::move(team);
  m.role = std::move(role);
  return m;
}

// co -> {north -> {s1 -> {t1, t2}}, south -> {s2 -> {t3}}}
std::vector<OrgUnit> SmallTree() {
  return {Unit("co", OrgUnitKind::kCompany, std::nullopt, "m1"),
          Unit("north", OrgUnitKind::kRegion, "co"),
          Unit("south", OrgUnitKind::kRegion, "co", "m5"),
          Unit("s1", OrgUnitKind::kStore, "north", "m1"),
          Unit("s2", OrgUnitKind::kStore, "south"),
          Unit("t2", OrgUnitKind::kTeam, "s1", "m3"),
          Unit("t1", OrgUnitKind::kTeam, "s1"),
          Unit("t3", OrgUnitKind::kTeam, "s2", "m5")};
}

std::vector<Manager> SmallStaff() {
  return {Mgr("m1", "t1", "team_lead"), Mgr("m2", "t1", "account_manager"), Mgr("m3", "t2"), Mgr("m4", "t2"),
          Mgr("m5", "t3", "ghost_role")};
}

TEST(OrgTreeTest, NavigatesASmallTree) {
  Role lead_role;
  lead_role.id = "team_lead";
  lead_role.name = "Team lead";
  absl::StatusOr<OrgTree> tree = OrgTree::Build(SmallTree(), SmallStaff(), {lead_role});
  ASSERT_TRUE(tree.ok()) << tree.status();
  ASSERT_NE(tree->root(), nullptr);
  EXPECT_EQ(tree->root()->id, "co");
  EXPECT_EQ(tree->unit_count(), 8u);

  EXPECT_THAT(Ids(*tree->Children("co")), ElementsAre("north", "south"));
  EXPECT_THAT(Ids(*tree->Children("s1")), ElementsAre("t1", "t2")) << "children are ordered by id";
  EXPECT_TRUE(tree->Children("t1")->empty());
  EXPECT_EQ((*tree->Parent("t1"))->id, "s1");
  EXPECT_EQ(*tree->Parent("co"), nullptr);

  EXPECT_THAT(Ids(*tree->PathFromRoot("t2")), ElementsAre("co", "north", "s1", "t2"));
  EXPECT_THAT(Ids(*tree->PathFromRoot("co")), ElementsAre("co"));
  EXPECT_THAT(Ids(*tree->Subtree("north")), ElementsAre("north", "s1", "t1", "t2"));
  EXPECT_THAT(Ids(*tree->Subtree("co")), ElementsAre("co", "north", "s1", "t1", "t2", "south", "s2", "t3"));
  EXPECT_THAT(Ids(*tree->Subtree("t3")), ElementsAre("t3"));
  EXPECT_TRUE(*tree->IsWithin("t3", "south"));
  EXPECT_TRUE(*tree->IsWithin("south", "south"));
  EXPECT_FALSE(*tree->IsWithin("t3", "north"));
  EXPECT_FALSE(*tree->IsWithin("north", "t1"));

  EXPECT_THAT(Ids(*tree->ManagersIn("s1")), ElementsAre("m1", "m2", "m3", "m4"));
  EXPECT_THAT(Ids(*tree->ManagersIn("t2")), ElementsAre("m3", "m4"));
  EXPECT_THAT(Ids(*tree->ManagersIn("south")), ElementsAre("m5"));
  EXPECT_EQ(tree->ManagersIn("co")->size(), 5u);

  EXPECT_EQ((*tree->LeadOf("t2"))->id, "m3");
  EXPECT_EQ((*tree->LeadOf("t1"))->id, "m1") << "a team without a lead reports to its store's lead";
  EXPECT_EQ((*tree->LeadOf("north"))->id, "m1") << "the region has none, the company's lead answers";
  EXPECT_EQ((*tree->LeadOf("s2"))->id, "m5");
  EXPECT_THAT(Ids(*tree->UnitsLedBy("m1")), ElementsAre("co", "s1"));
  EXPECT_TRUE(tree->UnitsLedBy("m2")->empty());
  EXPECT_THAT(Ids(tree->Leads()), ElementsAre("m1", "m3", "m5"));

  EXPECT_EQ((*tree->RoleOf("m1"))->name, "Team lead");
  EXPECT_EQ(*tree->RoleOf("m3"), nullptr) << "m3 has no role";
  EXPECT_EQ(*tree->RoleOf("m5"), nullptr) << "m5's role is not configured";
}

TEST(OrgTreeTest, UnknownIdsAreNotFound) {
  absl::StatusOr<OrgTree> tree = OrgTree::Build(SmallTree(), SmallStaff());
  ASSERT_TRUE(tree.ok()) << tree.status();
  EXPECT_EQ(tree->Children("nowhere").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(tree->PathFromRoot("nowhere").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(tree->Subtree("nowhere").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(tree->ManagersIn("nowhere").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(tree->IsWithin("t1", "nowhere").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(tree->RoleOf("m9").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(tree->UnitsLedBy("m9").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(tree->FindUnit("nowhere"), nullptr);
  EXPECT_EQ(tree->FindManager("m9"), nullptr);
}

TEST(OrgTreeTest, EmptyTree) {
  absl::StatusOr<OrgTree> tree = OrgTree::Build({}, {});
  ASSERT_TRUE(tree.ok()) << tree.status();
  EXPECT_EQ(tree->root(), nullptr);
  EXPECT_EQ(tree->unit_count(), 0u);
  EXPECT_TRUE(tree->Leads().empty());
}

TEST(OrgTreeTest, RefusesDanglingParent) {
  std::vector<OrgUnit> units = SmallTree();
  units.push_back(Unit("t9", OrgUnitKind::kTeam, "s7"));
  absl::StatusOr<OrgTree> tree = OrgTree::Build(units, SmallStaff());
  ASSERT_EQ(tree.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Message(tree.status()), HasSubstr("org unit \"t9\": parent \"s7\" is not an org unit"));
}

TEST(OrgTreeTest, RefusesTwoRoots) {
  std::vector<OrgUnit> units = SmallTree();
  units.push_back(Unit("co2", OrgUnitKind::kCompany, std::nullopt));
  absl::StatusOr<OrgTree> tree = OrgTree::Build(units, SmallStaff());
  ASSERT_EQ(tree.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Message(tree.status()), HasSubstr("org units \"co\" and \"co2\" are both roots"));
}

TEST(OrgTreeTest, RefusesCycleNamingItsUnits) {
  // r1 -> r2 -> r3 -> r1, hanging off nothing; plus a proper root elsewhere.
  std::vector<OrgUnit> units = {Unit("co", OrgUnitKind::kCompany, std::nullopt), Unit("r1", OrgUnitKind::kRegion, "r3"),
                                Unit("r2", OrgUnitKind::kRegion, "r1"), Unit("r3", OrgUnitKind::kRegion, "r2"),
                                Unit("s1", OrgUnitKind::kStore, "r2")};
  absl::StatusOr<OrgTree> tree = OrgTree::Build(units, {});
  ASSERT_EQ(tree.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Message(tree.status()), HasSubstr("is its own ancestor"));
  EXPECT_THAT(Message(tree.status()), HasSubstr("\"r1\" -> \"r3\" -> \"r2\" -> \"r1\""));
}

TEST(OrgTreeTest, RefusesUnknownTeamLeadAndDuplicates) {
  std::vector<Manager> staff = SmallStaff();
  staff.push_back(Mgr("m6", "t7"));
  absl::StatusOr<OrgTree> tree = OrgTree::Build(SmallTree(), staff);
  ASSERT_EQ(tree.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Message(tree.status()), HasSubstr("manager \"m6\": team \"t7\" is not an org unit"));

  std::vector<OrgUnit> units = SmallTree();
  units[1].lead = "m42";
  tree = OrgTree::Build(units, SmallStaff());
  ASSERT_EQ(tree.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Message(tree.status()), HasSubstr("org unit \"north\": lead \"m42\" is not a manager"));

  units = SmallTree();
  units.push_back(Unit("t1", OrgUnitKind::kTeam, "s2"));
  tree = OrgTree::Build(units, SmallStaff());
  ASSERT_EQ(tree.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Message(tree.status()), HasSubstr("org unit \"t1\" is listed twice"));
}

class SynthOrgTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SynthOptions options;
    options.customers = 50;
    data_ = GenerateRetail(options);
    data_.events.clear();  // the org is all these tests need
    auto ws = Workspace::Open("memory:");
    ASSERT_TRUE(ws.ok()) << ws.status();
    ws_ = *std::move(ws);
    ASSERT_TRUE(LoadDataset(*ws_, data_).ok());
  }

  SynthDataset data_;
  std::unique_ptr<Workspace> ws_;
};

TEST_F(SynthOrgTest, LoadsTheSyntheticRetailer) {
  absl::StatusOr<OrgTree> tree = OrgTree::Load(*ws_);
  ASSERT_TRUE(tree.ok()) << tree.status();
  ASSERT_NE(tree->root(), nullptr);
  EXPECT_EQ(tree->root()->id, data_.org_units.front().id);
  EXPECT_EQ(tree->unit_count(), data_.org_units.size());
  EXPECT_EQ(tree->managers().size(), data_.managers.size());

  // Expectations from the dataset itself: every team's path is company, region,
  // store, team; every store holds the managers of its teams.
  std::map<std::string, std::string> parent_of;
  for (const OrgUnit& u : data_.org_units)
    if (u.parent) parent_of[u.id] = *u.parent;
  int teams = 0;
  for (const OrgUnit& u : data_.org_units) {
    if (u.kind != OrgUnitKind::kTeam) continue;
    ++teams;
    const std::string& store = parent_of[u.id];
    const std::string& region = parent_of[store];
    EXPECT_THAT(Ids(*tree->PathFromRoot(u.id)), ElementsAre(data_.org_units.front().id, region, store, u.id));
    std::vector<std::string> expected;
    for (const Manager& m : data_.managers)
      if (m.team == u.id) expected.push_back(m.id);
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(Ids(*tree->ManagersIn(u.id)), expected) << u.id;
    ASSERT_TRUE(u.lead.has_value());
    EXPECT_EQ((*tree->LeadOf(u.id))->id, *u.lead);
  }
  EXPECT_EQ(teams, 3 * 4 * 2);
  for (const OrgUnit& u : data_.org_units) {
    if (u.kind != OrgUnitKind::kStore) continue;
    std::set<std::string> expected;
    for (const Manager& m : data_.managers)
      if (parent_of[m.team] == u.id) expected.insert(m.id);
    std::vector<std::string> got = Ids(*tree->ManagersIn(u.id));
    EXPECT_EQ(std::set<std::string>(got.begin(), got.end()), expected) << u.id;
    EXPECT_EQ(got.size(), 2u * 6u);
  }
  EXPECT_EQ(tree->ManagersIn(tree->root()->id)->size(), data_.managers.size());
  // Every team lead (role "team_lead") leads at least their team.
  for (const Manager* lead : tree->Leads()) EXPECT_EQ(lead->role, "team_lead") << lead->id;
}

TEST_F(SynthOrgTest, ReorganisationIsEffectiveDated) {
  // From 1 July the first team moves to the last store of another region.
  const OrgUnit* team = nullptr;
  const OrgUnit* other_store = nullptr;
  for (const OrgUnit& u : data_.org_units) {
    if (u.kind == OrgUnitKind::kTeam && team == nullptr) team = &u;
    if (u.kind == OrgUnitKind::kStore) other_store = &u;
  }
  ASSERT_NE(team, nullptr);
  ASSERT_NE(other_store, nullptr);
  ASSERT_NE(*team->parent, other_store->id);
  OrgUnit moved = *team;
  moved.parent = other_store->id;
  PutOptions from_july;
  from_july.effective_from = T("2025-07-01T00:00:00+08:00");
  ASSERT_TRUE(ws_->PutEntity(moved, from_july).ok());

  absl::StatusOr<OrgTree> june = OrgTree::Load(*ws_, T("2025-06-15T00:00:00+08:00"));
  absl::StatusOr<OrgTree> august = OrgTree::Load(*ws_, T("2025-08-15T00:00:00+08:00"));
  ASSERT_TRUE(june.ok()) << june.status();
  ASSERT_TRUE(august.ok()) << august.status();
  EXPECT_EQ((*june->Parent(team->id))->id, *team->parent);
  EXPECT_EQ((*august->Parent(team->id))->id, other_store->id);
  EXPECT_EQ(june->ManagersIn(other_store->id)->size(), 12u);
  EXPECT_EQ(august->ManagersIn(other_store->id)->size(), 18u) << "the moved team's six managers came along";
  EXPECT_EQ(august->ManagersIn(*team->parent)->size(), 6u);
}

TEST_F(SynthOrgTest, LoadRefusesABrokenStoredTree) {
  // A region pointed at a unit that does not exist (documents are checked one by
  // one on write; the tree is checked when it is built).
  OrgUnit region;
  for (const OrgUnit& u : data_.org_units)
    if (u.kind == OrgUnitKind::kRegion) {
      region = u;
      break;
    }
  region.parent = "GHOST";
  ASSERT_TRUE(ws_->PutEntity(region).ok());
  absl::StatusOr<OrgTree> tree = OrgTree::Load(*ws_);
  ASSERT_EQ(tree.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Message(tree.status()), HasSubstr("org unit \"" + region.id + "\": parent \"GHOST\""));
}

TEST_F(SynthOrgTest, LoadsRolesForManagers) {
  Role role;
  role.id = "account_manager";
  role.name = "Account manager";
  role.responsibilities.push_back(Responsibility{"sales", "Sales targets", std::nullopt, {"net_sales"}});
  ASSERT_TRUE(ws_->PutEntity(role).ok());
  absl::StatusOr<OrgTree> tree = OrgTree::Load(*ws_);
  ASSERT_TRUE(tree.ok()) << tree.status();
  int with_role = 0;
  for (const Manager& m : tree->managers()) {
    const Role* r = *tree->RoleOf(m.id);
    if (m.role == "account_manager") {
      ASSERT_NE(r, nullptr);
      EXPECT_EQ(r->responsibilities.at(0).kpis, std::vector<std::string>{"net_sales"});
      ++with_role;
    } else {
      EXPECT_EQ(r, nullptr) << m.id << " has role " << m.role.value_or("(none)") << ", which is not configured";
    }
  }
  EXPECT_GT(with_role, 0);
}

}  // namespace
}  // namespace cadre
