// Customer 360: profile, ownership, purchase summary and recent interactions of
// one customer, as of an instant; its JSON form is pinned by a golden file.
#include <memory>
#include <string>
#include <vector>

#include "cadre/crm.h"
#include "cadre/json.h"
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
using testing::T;

std::string Golden(const std::string& name) {
  std::string text = testing::ReadFile(std::string(CADRE_GOLDEN_DIR) + "/" + name);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

Event Return(std::string id, const char* at, std::string customer, int64_t amount, std::string category) {
  Event e;
  e.id = std::move(id);
  e.kind = EventKind::kReturn;
  e.occurred_at = T(at);
  e.customer = std::move(customer);
  e.amount_minor = amount;
  e.category = std::move(category);
  return e;
}

Event Interaction(std::string id, const char* at, std::string customer, std::string manager, Channel channel,
                  std::optional<std::string> outcome = std::nullopt) {
  Event e;
  e.id = std::move(id);
  e.kind = EventKind::kInteraction;
  e.occurred_at = T(at);
  e.customer = std::move(customer);
  e.manager = std::move(manager);
  e.channel = channel;
  e.outcome = std::move(outcome);
  return e;
}

class Customer360Test : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_ = crm_testing::NewWorkspace();
    ASSERT_NE(ws_, nullptr);
    Customer c;
    c.id = "C1";
    c.name = "Wang Fang";
    c.tier = MemberTier::kGold;
    c.home_store = "ST0101";
    c.tags = {"vip"};
    ASSERT_TRUE(ws_->PutEntity(c).ok());
    Customer other;
    other.id = "C2";
    other.name = "Zhao Lei";
    ASSERT_TRUE(ws_->PutEntity(other).ok());
    IngestAll(*ws_,
              {Assignment("A1", "2025-01-01T00:00:00+08:00", "C1", "M1", "annual portfolio allocation"),
               Sale("S1", "2025-02-10T10:00:00+08:00", "C1", "M1", 10000, "beauty", "O1"),
               Sale("S2", "2025-02-10T10:00:00+08:00", "C1", std::nullopt, 5000, "apparel", "O1"),
               Sale("S3", "2025-03-05T15:30:00+08:00", "C1", std::nullopt, 20000, "apparel", "O2"),
               Return("R1", "2025-03-20T11:00:00+08:00", "C1", 5000, "apparel"),
               Sale("S4", "2025-04-01T12:00:00+08:00", "C1", std::nullopt, 99900, "appliances", "O3"),
               Reversal("X1", "2025-04-01T12:05:00+08:00", "S4"),
               Interaction("I1", "2025-05-01T10:00:00+08:00", "C1", "M1", Channel::kCall),
               Assignment("A2", "2025-06-01T09:00:00+08:00", "C1", "M2", "customer request"),
               Interaction("I2", "2025-06-15T16:00:00+08:00", "C1", "M2", Channel::kVisit, "introduced to M2"),
               Sale("S5", "2025-07-01T19:00:00+08:00", "C1", std::nullopt, 3000, "food"),
               Interaction("I3", "2025-08-01T09:30:00+08:00", "C1", "M2", Channel::kMessage, "asked for 11.11 preview"),
               Sale("S6", "2025-07-01T19:00:00+08:00", "C2", std::nullopt, 777700, "apparel")});
  }

  std::unique_ptr<Workspace> ws_;
  OwnershipProjection ownership_;
};

TEST_F(Customer360Test, Everything) {
  Customer360Options options;
  options.recent_interactions = 2;
  absl::StatusOr<Customer360> view = BuildCustomer360(*ws_, ownership_, "C1", options);
  ASSERT_TRUE(view.ok()) << view.status();
  EXPECT_EQ(view->profile.name, "Wang Fang");
  EXPECT_EQ(view->owner, "M2");
  ASSERT_EQ(view->ownership_history.size(), 2u);
  EXPECT_EQ(view->ownership_history[1].change, OwnershipChange::kReassigned);

  const PurchaseSummary& p = view->purchases;
  EXPECT_EQ(p.currency, "CNY");
  EXPECT_EQ(p.first_purchase, T("2025-02-10T10:00:00+08:00"));
  EXPECT_EQ(p.last_purchase, T("2025-07-01T19:00:00+08:00"));
  EXPECT_EQ(p.sales, 4) << "S4 was reversed; S6 is another customer's";
  EXPECT_EQ(p.orders, 3) << "O1 (two lines), O2, and S5 without a reference";
  EXPECT_EQ(p.returns, 1);
  EXPECT_EQ(p.gross_minor, 10000 + 5000 + 20000 + 3000);
  EXPECT_EQ(p.returns_minor, 5000);
  EXPECT_EQ(p.net_minor, 33000);
  ASSERT_EQ(p.favourite_categories.size(), 3u);
  EXPECT_EQ(p.favourite_categories[0].category, "apparel");
  EXPECT_EQ(p.favourite_categories[0].net_minor, 20000);
  EXPECT_EQ(p.favourite_categories[1].category, "beauty");
  EXPECT_EQ(p.favourite_categories[2].category, "food");

  ASSERT_EQ(view->recent_interactions.size(), 2u);
  EXPECT_EQ(view->recent_interactions[0].id, "I3") << "newest first";
  EXPECT_EQ(view->recent_interactions[1].id, "I2");

  EXPECT_EQ(json::ToText(*view), Golden("customer_360.json")) << "the wire form of customer_360.json changed";
  absl::StatusOr<Customer360> parsed = json::FromText<Customer360>(Golden("customer_360.json"));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(json::ToText(*parsed), Golden("customer_360.json"));
}

TEST(Customer360JsonTest, ProfileAndPurchasesAreRequired) {
  absl::StatusOr<Customer360> empty = json::FromText<Customer360>("{}");
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument) << empty.status();
}

TEST_F(Customer360Test, AsOfSeesOnlyWhatHadHappened) {
  Customer360Options options;
  options.as_of = T("2025-04-30T23:59:59+08:00");
  absl::StatusOr<Customer360> view = BuildCustomer360(*ws_, ownership_, "C1", options);
  ASSERT_TRUE(view.ok()) << view.status();
  EXPECT_EQ(view->as_of, options.as_of);
  EXPECT_EQ(view->owner, "M1") << "reassigned to M2 only in June";
  ASSERT_EQ(view->ownership_history.size(), 1u);
  const PurchaseSummary& p = view->purchases;
  EXPECT_EQ(p.sales, 3);
  EXPECT_EQ(p.orders, 2);
  EXPECT_EQ(p.gross_minor, 35000);
  EXPECT_EQ(p.net_minor, 30000);
  EXPECT_EQ(p.last_purchase, T("2025-03-05T15:30:00+08:00"));
  ASSERT_EQ(p.favourite_categories.size(), 2u);
  EXPECT_EQ(p.favourite_categories[0].category, "apparel");
  EXPECT_TRUE(view->recent_interactions.empty());

  // An event exactly at as_of is included.
  options.as_of = T("2025-05-01T10:00:00+08:00");
  view = BuildCustomer360(*ws_, ownership_, "C1", options);
  ASSERT_TRUE(view.ok()) << view.status();
  ASSERT_EQ(view->recent_interactions.size(), 1u);
  EXPECT_EQ(view->recent_interactions[0].id, "I1");
}

TEST_F(Customer360Test, ProfileAsOfAndLateReversal) {
  Customer renamed;
  renamed.id = "C1";
  renamed.name = "Wang Fang (married name)";
  renamed.tier = MemberTier::kPlatinum;
  PutOptions from_july;
  from_july.effective_from = T("2025-07-01T00:00:00+08:00");
  ASSERT_TRUE(ws_->PutEntity(renamed, from_july).ok());
  // The move to M2 turns out to have been keyed by mistake.
  IngestAll(*ws_, {Reversal("X2", "2025-09-01T00:00:00+08:00", "A2")});

  Customer360Options june;
  june.as_of = T("2025-06-30T00:00:00+08:00");
  absl::StatusOr<Customer360> view = BuildCustomer360(*ws_, ownership_, "C1", june);
  ASSERT_TRUE(view.ok()) << view.status();
  EXPECT_EQ(view->profile.name, "Wang Fang");
  EXPECT_EQ(view->owner, "M1") << "the reversal cancels the June reassignment";

  view = BuildCustomer360(*ws_, ownership_, "C1");
  ASSERT_TRUE(view.ok()) << view.status();
  EXPECT_EQ(view->profile.tier, MemberTier::kPlatinum);
  EXPECT_EQ(view->owner, "M1");
  EXPECT_EQ(view->ownership_history.size(), 1u);
}

TEST_F(Customer360Test, UnknownCustomerIsNotFound) {
  absl::StatusOr<Customer360> view = BuildCustomer360(*ws_, ownership_, "C404");
  EXPECT_EQ(view.status().code(), absl::StatusCode::kNotFound) << view.status();
  Customer360Options before;
  ASSERT_TRUE(ws_->Delete("customers", "C2", PutOptions{std::nullopt, T("2025-09-01T00:00:00Z")}).ok());
  before.as_of = T("2025-10-01T00:00:00Z");
  EXPECT_EQ(BuildCustomer360(*ws_, ownership_, "C2", before).status().code(), absl::StatusCode::kNotFound)
      << "deleted from September";
  before.as_of = T("2025-08-01T00:00:00Z");
  absl::StatusOr<Customer360> c2 = BuildCustomer360(*ws_, ownership_, "C2", before);
  ASSERT_TRUE(c2.ok()) << c2.status();
  EXPECT_EQ(c2->purchases.gross_minor, 777700);
  EXPECT_FALSE(c2->owner.has_value());
}

}  // namespace
}  // namespace cadre
