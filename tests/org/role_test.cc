// Roles are configuration documents: their wire form is pinned by a golden file,
// they are stored in the typed "roles" collection, and bad ones are refused with
// the path of the field.
#include <memory>
#include <string>

#include "cadre/json.h"
#include "cadre/org.h"
#include "cadre/status.h"
#include "cadre/workspace.h"
#include "gtest/gtest.h"
#include "testing/test_util.h"

namespace cadre {
namespace {

std::string Golden(const std::string& name) {
  std::string text = testing::ReadFile(std::string(CADRE_GOLDEN_DIR) + "/" + name);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

Role AccountManagerRole() {
  Role r;
  r.id = "account_manager";
  r.name = "Account manager";
  r.description = "Owns a portfolio of customers and grows their spend.";
  r.responsibilities.push_back(Responsibility{"relationship",
                                              "Relationship upkeep",
                                              "Keeps in touch with every customer of the portfolio.",
                                              {"contacts_per_customer", "retention_rate"}});
  r.responsibilities.push_back(Responsibility{"sales", "Sales targets", std::nullopt, {"net_sales"}});
  r.required_trainings = {"product_basics"};
  r.sops = {"complaint_handling"};
  r.kpi_set = "am_2025";
  r.incentive_plan = "am_commission_2025";
  return r;
}

TEST(RoleTest, GoldenRoundTrip) {
  const std::string golden = Golden("role.json");
  EXPECT_EQ(json::ToText(AccountManagerRole()), golden) << "the wire form of role.json changed";
  absl::StatusOr<Role> parsed = json::FromText<Role>(golden);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(json::ToText(*parsed), golden);
  ASSERT_EQ(parsed->responsibilities.size(), 2u);
  EXPECT_EQ(parsed->responsibilities[0].kpis.size(), 2u);
  EXPECT_FALSE(parsed->responsibilities[1].description.has_value());
}

TEST(RoleTest, MinimalRoleOmitsEmptySlots) {
  Role r;
  r.id = "trainee";
  r.name = "Trainee";
  EXPECT_EQ(json::ToText(r), R"({"id":"trainee","name":"Trainee"})");
}

TEST(RoleTest, StoredInTheRolesCollection) {
  auto ws = Workspace::Open("memory:");
  ASSERT_TRUE(ws.ok()) << ws.status();
  absl::StatusOr<Document> put = (*ws)->PutEntity(AccountManagerRole());
  ASSERT_TRUE(put.ok()) << put.status();
  EXPECT_EQ(put->collection, "roles");
  EXPECT_EQ(put->version, 1);
  absl::StatusOr<Document> got = (*ws)->Get("roles", "account_manager");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->body, Golden("role.json"));
}

TEST(RoleTest, RefusesDuplicateResponsibilityIdsWithPath) {
  auto ws = Workspace::Open("memory:");
  ASSERT_TRUE(ws.ok()) << ws.status();
  absl::StatusOr<Document> put = (*ws)->Put(
      "roles", "r1", R"({"name":"R","responsibilities":[{"id":"a","name":"A"},{"id":"a","name":"A again"}]})");
  ASSERT_EQ(put.status().code(), absl::StatusCode::kInvalidArgument) << put.status();
  std::optional<FieldErrorDetails> details = GetFieldErrorDetails(put.status());
  ASSERT_TRUE(details.has_value());
  EXPECT_EQ(details->path, "responsibilities[1].id");
  EXPECT_EQ(details->value, R"("a")");
  EXPECT_FALSE((*ws)->Get("roles", "r1").ok()) << "a refused document must not be written";
}

TEST(RoleTest, RefusesMissingNameAndBadKpiNames) {
  absl::StatusOr<Role> no_name = json::FromText<Role>(R"({"id":"r"})");
  ASSERT_EQ(no_name.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetFieldErrorDetails(no_name.status())->path, "name");

  absl::StatusOr<Role> bad_kpi =
      json::FromText<Role>(R"({"id":"r","name":"R","responsibilities":[{"id":"a","name":"A","kpis":[""]}]})");
  ASSERT_EQ(bad_kpi.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetFieldErrorDetails(bad_kpi.status())->path, "responsibilities[0].kpis[0]");

  absl::StatusOr<Role> twice = json::FromText<Role>(R"({"id":"r","name":"R","sops":["s1","s1"]})");
  ASSERT_EQ(twice.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetFieldErrorDetails(twice.status())->path, "sops[1]");

  absl::StatusOr<Role> unknown = json::FromText<Role>(R"({"id":"r","name":"R","kpis":["x"]})");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument) << "unknown keys are refused";
}

}  // namespace
}  // namespace cadre
