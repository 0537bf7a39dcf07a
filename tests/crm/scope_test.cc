// Viewer scope: a manager sees their own customers, a lead their units' managers'
// customers at any depth, an admin everything; a customer outside the scope is
// refused exactly as one that does not exist.
#include "cadre/scope.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cadre/crm.h"
#include "cadre/json.h"
#include "cadre/org.h"
#include "cadre/status.h"
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

Manager Mgr(std::string id, std::string team, EmploymentStatus status = EmploymentStatus::kActive) {
  Manager m;
  m.id = std::move(id);
  m.name = "Manager " + m.id;
  m.team = std::move(team);
  m.status = status;
  if (status == EmploymentStatus::kLeft) m.left_on = absl::CivilDay(2025, 2, 28);
  return m;
}

Customer Cust(std::string id) {
  Customer c;
  c.id = std::move(id);
  c.name = "Customer " + c.id;
  return c;
}

// co -> {north (lead M-rn) -> {t1 (lead M-l1), t2 (lead M-l2)}, south -> {t3 (lead M-l3)}}
// Customers: C-a of M-a (t1), C-b of M-b (t1), C-c of M-c (t2), C-d of M-d (t3),
// C-pool released to the pool, C-never never assigned.
class ScopeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_ = crm_testing::NewWorkspace();
    ASSERT_NE(ws_, nullptr);
    units_ = {Unit("co", OrgUnitKind::kCompany, std::nullopt), Unit("north", OrgUnitKind::kRegion, "co", "M-rn"),
              Unit("t1", OrgUnitKind::kTeam, "north", "M-l1"), Unit("t2", OrgUnitKind::kTeam, "north", "M-l2"),
              Unit("south", OrgUnitKind::kRegion, "co"),       Unit("t3", OrgUnitKind::kTeam, "south", "M-l3")};
    managers_ = {Mgr("M-rn", "north"), Mgr("M-l1", "t1"), Mgr("M-l2", "t2"),
                 Mgr("M-l3", "t3"),    Mgr("M-a", "t1"),  Mgr("M-b", "t1"),
                 Mgr("M-c", "t2"),     Mgr("M-d", "t3"),  Mgr("M-gone", "t1", EmploymentStatus::kLeft)};
    absl::StatusOr<OrgTree> tree = OrgTree::Build(units_, managers_);
    ASSERT_TRUE(tree.ok()) << tree.status();
    tree_ = *std::move(tree);
    for (const char* id : {"C-a", "C-b", "C-c", "C-d", "C-pool", "C-never"}) ASSERT_TRUE(ws_->PutEntity(Cust(id)).ok());
    IngestAll(
        *ws_,
        {Assignment("A1", "2025-01-01T00:00:00Z", "C-a", "M-a"), Assignment("A2", "2025-01-01T00:00:00Z", "C-b", "M-b"),
         Assignment("A3", "2025-01-01T00:00:00Z", "C-c", "M-c"), Assignment("A4", "2025-01-01T00:00:00Z", "C-d", "M-d"),
         Assignment("A5", "2025-01-01T00:00:00Z", "C-pool", "M-a"),
         Assignment("A6", "2025-03-01T00:00:00Z", "C-pool", std::nullopt, "returned to the pool")});
    ASSERT_TRUE(ownership_.CatchUp(*ws_).ok());
  }

  ViewerScope Scope(const Viewer& viewer) {
    absl::StatusOr<ViewerScope> scope = ViewerScope::Resolve(viewer, tree_);
    EXPECT_TRUE(scope.ok()) << scope.status();
    return *std::move(scope);
  }
  std::vector<std::string> Visible(const ViewerScope& scope) {
    std::vector<std::string> out;
    for (const char* id : {"C-a", "C-b", "C-c", "C-d", "C-pool", "C-never", "C-ghost"})
      if (scope.CanSeeCustomer(id, ownership_)) out.push_back(id);
    return out;
  }

  std::unique_ptr<Workspace> ws_;
  std::vector<OrgUnit> units_;
  std::vector<Manager> managers_;
  OrgTree tree_;
  OwnershipProjection ownership_;
};

TEST_F(ScopeTest, AManagerSeesTheirOwnCustomersOnly) {
  ViewerScope scope = Scope(Viewer::OfManager("M-a"));
  EXPECT_FALSE(scope.admin());
  EXPECT_EQ(scope.manager(), "M-a");
  EXPECT_THAT(scope.visible_managers(), ElementsAre("M-a"));
  EXPECT_TRUE(scope.led_units().empty());
  EXPECT_THAT(Visible(scope), ElementsAre("C-a")) << "not the peer's C-b, not the pool";
  EXPECT_TRUE(scope.CanSeeManager("M-a"));
  EXPECT_FALSE(scope.CanSeeManager("M-b"));
  EXPECT_TRUE(scope.CheckManager("M-a").ok());
  EXPECT_EQ(scope.CheckManager("M-b"), ManagerNotFound("M-b"));
  EXPECT_EQ(tree_.RoleOf("M-zz").status(), ManagerNotFound("M-zz")) << "worded as the org tree words it";
}

TEST_F(ScopeTest, ATeamLeadSeesTheTeamButNotAnotherTeam) {
  ViewerScope scope = Scope(Viewer::OfManager("M-l1"));
  EXPECT_THAT(scope.led_units(), ElementsAre("t1"));
  EXPECT_THAT(scope.visible_managers(), ElementsAre("M-a", "M-b", "M-gone", "M-l1"))
      << "a lead still sees those who left";
  EXPECT_THAT(Visible(scope), ElementsAre("C-a", "C-b"));
  EXPECT_FALSE(scope.CanSeeManager("M-c"));
  EXPECT_THAT(Visible(Scope(Viewer::OfManager("M-l3"))), ElementsAre("C-d"));
}

TEST_F(ScopeTest, ARegionLeadSeesEveryTeamBelow) {
  ViewerScope scope = Scope(Viewer::OfManager("M-rn"));
  EXPECT_THAT(scope.led_units(), ElementsAre("north"));
  EXPECT_THAT(scope.visible_managers(), ElementsAre("M-a", "M-b", "M-c", "M-gone", "M-l1", "M-l2", "M-rn"));
  EXPECT_THAT(Visible(scope), ElementsAre("C-a", "C-b", "C-c")) << "not the south's C-d";
}

TEST_F(ScopeTest, AnAdminSeesEverythingAndThePool) {
  ViewerScope scope = Scope(Viewer::Admin());
  EXPECT_TRUE(scope.admin());
  EXPECT_EQ(scope.manager(), std::nullopt);
  EXPECT_EQ(scope.visible_managers().size(), managers_.size());
  EXPECT_THAT(Visible(scope), ElementsAre("C-a", "C-b", "C-c", "C-d", "C-pool", "C-never", "C-ghost"));
  EXPECT_TRUE(scope.CanSeeManager("M-anyone"));
  // The pool is for admins only, even for the manager who held the customer before.
  EXPECT_FALSE(Scope(Viewer::OfManager("M-a")).CanSeeCustomer("C-pool", ownership_));
  EXPECT_FALSE(Scope(Viewer::OfManager("M-rn")).CanSeeCustomer("C-never", ownership_));
}

TEST_F(ScopeTest, OutsideTheScopeReadsExactlyAsNotExisting) {
  ViewerScope scope = Scope(Viewer::OfManager("M-l1"));
  const absl::Status outside = scope.CheckCustomer("C-c", ownership_);
  EXPECT_EQ(outside.code(), absl::StatusCode::kNotFound);

  // The same id in a workspace where it does not exist, read as the 360 reads it.
  std::unique_ptr<Workspace> empty = crm_testing::NewWorkspace();
  OwnershipProjection empty_ownership;
  absl::Status missing = BuildCustomer360(*empty, empty_ownership, "C-c").status();
  EXPECT_EQ(outside, missing) << outside << " vs " << missing;
  EXPECT_EQ(std::string(outside.message()), std::string(missing.message()));
  EXPECT_EQ(outside, CustomerNotFound("C-c"));

  // And a probe of an id that exists nowhere looks like the same thing.
  EXPECT_EQ(scope.CheckCustomer("C-ghost", ownership_), BuildCustomer360(*ws_, ownership_, "C-ghost").status());

  // As of an instant too.
  const absl::Time june = T("2025-06-01T00:00:00Z");
  Customer360Options options;
  options.as_of = june;
  EXPECT_EQ(scope.CheckCustomer("C-c", ownership_, june),
            BuildCustomer360(*empty, empty_ownership, "C-c", options).status());
  EXPECT_EQ(CustomerNotFoundMessage("C-c", june), "document customers/C-c not found at 2025-06-01T00:00:00+00:00");
  EXPECT_TRUE(scope.CheckCustomer("C-a", ownership_).ok());
}

TEST_F(ScopeTest, OwnershipChangesMoveVisibilityAndAsOfLooksBack) {
  IngestAll(*ws_, {Assignment("A7", "2025-06-01T00:00:00Z", "C-a", "M-c")});
  ASSERT_TRUE(ownership_.CatchUp(*ws_).ok());
  ViewerScope m_a = Scope(Viewer::OfManager("M-a"));
  ViewerScope m_c = Scope(Viewer::OfManager("M-c"));
  EXPECT_FALSE(m_a.CanSeeCustomer("C-a", ownership_)) << "moved to M-c";
  EXPECT_TRUE(m_c.CanSeeCustomer("C-a", ownership_));
  EXPECT_TRUE(m_a.CanSeeCustomer("C-a", ownership_, T("2025-05-31T23:59:59Z"))) << "M-a's then";
  EXPECT_FALSE(m_c.CanSeeCustomer("C-a", ownership_, T("2025-05-31T23:59:59Z")));
  EXPECT_TRUE(m_c.CanSeeCustomer("C-a", ownership_, T("2025-06-01T00:00:00Z")));
  EXPECT_FALSE(m_a.CanSeeCustomer("C-a", ownership_, T("2024-12-31T00:00:00Z"))) << "nobody owned it yet";
  EXPECT_TRUE(Scope(Viewer::OfManager("M-l2")).CanSeeCustomer("C-a", ownership_)) << "now in the lead's team";

  IngestAll(*ws_, {Reversal("X1", "2025-06-02T00:00:00Z", "A7")});
  ASSERT_TRUE(ownership_.CatchUp(*ws_).ok());
  EXPECT_TRUE(m_a.CanSeeCustomer("C-a", ownership_)) << "the reassignment was reversed";
  EXPECT_FALSE(m_c.CanSeeCustomer("C-a", ownership_));
}

TEST_F(ScopeTest, UnknownOrDepartedViewersAreRefused) {
  absl::StatusOr<ViewerScope> unknown = ViewerScope::Resolve(Viewer::OfManager("M-nobody"), tree_);
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(unknown.status().message(), HasSubstr("\"M-nobody\""));
  absl::StatusOr<ViewerScope> gone = ViewerScope::Resolve(Viewer::OfManager("M-gone"), tree_);
  EXPECT_EQ(gone.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(gone.status().message(), HasSubstr("\"M-gone\""));
  EXPECT_THAT(gone.status().message(), HasSubstr("left"));
}

TEST_F(ScopeTest, LoadsTheOrgTreeOfAnInstant) {
  for (const OrgUnit& u : units_) {
    absl::StatusOr<Document> put = ws_->PutEntity(u);
    ASSERT_TRUE(put.ok()) << put.status();
  }
  for (const Manager& m : managers_) {
    absl::StatusOr<Document> put = ws_->PutEntity(m);
    ASSERT_TRUE(put.ok()) << put.status();
  }
  // From July, M-c moves to t1: M-l1 sees C-c from then on, and M-l2 no longer does.
  Manager moved = Mgr("M-c", "t1");
  PutOptions july;
  july.effective_from = T("2025-07-01T00:00:00Z");
  ASSERT_TRUE(ws_->PutEntity(moved, july).ok());

  absl::StatusOr<ViewerScope> june = ViewerScope::Load(*ws_, Viewer::OfManager("M-l1"), T("2025-06-15T00:00:00Z"));
  ASSERT_TRUE(june.ok()) << june.status();
  EXPECT_FALSE(june->CanSeeCustomer("C-c", ownership_));
  absl::StatusOr<ViewerScope> now = ViewerScope::Load(*ws_, Viewer::OfManager("M-l1"));
  ASSERT_TRUE(now.ok()) << now.status();
  EXPECT_TRUE(now->CanSeeCustomer("C-c", ownership_));
  EXPECT_FALSE(ViewerScope::Load(*ws_, Viewer::OfManager("M-l2"))->CanSeeManager("M-c"));

  EXPECT_EQ(ViewerScope::Load(*ws_, Viewer{}).status().code(), absl::StatusCode::kInvalidArgument)
      << "a bad viewer is refused before the tree is read";
}

TEST(ViewerJsonTest, WireFormAndErrors) {
  EXPECT_EQ(json::ToText(Viewer::Admin()), R"({"admin":true})");
  EXPECT_EQ(json::ToText(Viewer::OfManager("M-7")), R"({"manager":"M-7"})");
  absl::StatusOr<Viewer> admin = json::FromText<Viewer>(R"({"admin":true})", "viewer");
  ASSERT_TRUE(admin.ok()) << admin.status();
  EXPECT_TRUE(admin->is_admin());
  absl::StatusOr<Viewer> manager = json::FromText<Viewer>(R"({"manager":"M-7"})", "viewer");
  ASSERT_TRUE(manager.ok()) << manager.status();
  EXPECT_EQ(*manager, Viewer::OfManager("M-7"));
  EXPECT_TRUE(json::FromText<Viewer>(R"({"admin":false,"manager":"M-7"})", "viewer").ok());

  auto error = [](const char* text) { return json::FromText<Viewer>(text, "request.viewer").status(); };
  absl::Status both = error(R"({"admin":true,"manager":"M-7"})");
  EXPECT_EQ(both.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetFieldErrorDetails(both)->path, "request.viewer.manager");
  EXPECT_THAT(both.message(), HasSubstr("not both"));
  for (const char* neither : {"{}", R"({"admin":false})", R"({"admin":null,"manager":null})"}) {
    absl::Status status = error(neither);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << neither;
    EXPECT_EQ(GetFieldErrorDetails(status)->path, "request.viewer") << neither;
    EXPECT_THAT(status.message(), HasSubstr("neither was given")) << neither;
  }
  absl::Status bad_id = error(R"({"manager":""})");
  EXPECT_EQ(bad_id.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetFieldErrorDetails(bad_id)->path, "request.viewer.manager");
  absl::Status typo = error(R"({"manager":"M-7","role":"lead"})");
  EXPECT_EQ(typo.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(typo.message(), HasSubstr("request.viewer"));
  absl::Status wrong_type = error(R"({"admin":"yes"})");
  EXPECT_EQ(GetFieldErrorDetails(wrong_type)->path, "request.viewer.admin");
}

}  // namespace
}  // namespace cadre
