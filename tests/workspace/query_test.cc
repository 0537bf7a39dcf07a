#include "cadre/query.h"

#include <memory>
#include <string>

#include "boost/json/parse.hpp"
#include "boost/json/serialize.hpp"
#include "cadre/crm.h"
#include "cadre/json.h"
#include "cadre/synth.h"
#include "cadre/workspace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cadre {
namespace {

using ::testing::HasSubstr;

std::string PathOf(const absl::Status& s) {
  auto d = GetFieldErrorDetails(s);
  return d ? d->path : "<no path>";
}

class QueryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    SynthOptions options;
    options.regions = 2;
    options.stores_per_region = 2;
    options.teams_per_store = 1;
    options.managers_per_team = 3;
    options.customers = 300;
    data_ = new SynthDataset(GenerateRetail(options));
  }
  static void TearDownTestSuite() { delete data_; }

  void SetUp() override {
    auto ws = Workspace::Open("memory:", {.currency = "CNY", .time_zone = "Asia/Shanghai"});
    ASSERT_TRUE(ws.ok()) << ws.status();
    ws_ = *std::move(ws);
    ASSERT_TRUE(LoadDataset(*ws_, *data_).ok());
    engine_ = std::make_unique<QueryEngine>(*ws_);
  }

  boost::json::value Run(const std::string& request) {
    absl::StatusOr<std::string> r = engine_->Run(request);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? boost::json::parse(*r) : boost::json::value();
  }

  static SynthDataset* data_;
  std::unique_ptr<Workspace> ws_;
  std::unique_ptr<QueryEngine> engine_;
};
SynthDataset* QueryTest::data_ = nullptr;

TEST_F(QueryTest, Customer360MatchesTheTypedCall) {
  const std::string& id = data_->customers[7].id;
  OwnershipProjection ownership;
  Customer360Options options;
  options.recent_interactions = 4;
  absl::StatusOr<Customer360> direct = BuildCustomer360(*ws_, ownership, id, options);
  ASSERT_TRUE(direct.ok()) << direct.status();
  absl::StatusOr<std::string> via_query =
      engine_->Run(R"({"query":"customer_360","customer":")" + id + R"(","recent_interactions":4})");
  ASSERT_TRUE(via_query.ok()) << via_query.status();
  EXPECT_EQ(*via_query, json::ToText(*direct));
  EXPECT_GT(direct->purchases.sales, 0) << "pick a customer with purchases to make the comparison mean something";
}

TEST_F(QueryTest, OwnershipAndHoldingsAgree) {
  const std::string& id = data_->customers[3].id;
  boost::json::value own = Run(R"({"query":"ownership","customer":")" + id + R"("})");
  ASSERT_TRUE(own.as_object().contains("owner")) << boost::json::serialize(own);
  ASSERT_TRUE(own.at("owner").is_string());
  std::string owner(own.at("owner").get_string());
  EXPECT_FALSE(own.at("history").get_array().empty());
  boost::json::value holdings = Run(R"({"query":"holdings","manager":")" + owner + R"("})");
  bool found = false;
  ASSERT_TRUE(holdings.as_object().contains("customers")) << boost::json::serialize(holdings);
  for (const auto& c : holdings.at("customers").get_array()) found = found || c.get_string() == id;
  EXPECT_TRUE(found) << "the owner's holdings must contain the customer";
  // Before the first assignment of the year nobody owned the customer.
  boost::json::value before =
      Run(R"({"query":"ownership","customer":")" + id + R"(","as_of":"2024-12-31T00:00:00+08:00"})");
  EXPECT_FALSE(before.as_object().contains("owner")) << boost::json::serialize(before);
  EXPECT_FALSE(before.as_object().contains("history")) << "no history yet: the key is omitted";
}

TEST_F(QueryTest, OrgTreeSubtree) {
  boost::json::value all = Run(R"({"query":"org_tree"})");
  EXPECT_EQ(all.at("units").get_array().size(), data_->org_units.size());
  const OrgUnit& region = data_->org_units[1];
  ASSERT_EQ(region.kind, OrgUnitKind::kRegion);
  boost::json::value sub = Run(R"({"query":"org_tree","unit":")" + region.id + R"("})");
  const auto& units = sub.at("units").get_array();
  ASSERT_FALSE(units.empty());
  EXPECT_EQ(units[0].at("id").get_string(), region.id);
  EXPECT_EQ(units.size(), 1u + 2u + 2u) << "a region, its two stores and their teams";
  std::size_t managers = 0;
  for (const auto& u : units) managers += u.at("managers").get_array().size();
  EXPECT_EQ(managers, 2u * 3u);
}

TEST_F(QueryTest, BadRequestsNameTheKey) {
  EXPECT_EQ(PathOf(engine_->Run(R"({"customer":"C1"})").status()), "request.query");
  absl::Status s = engine_->Run(R"({"query":"scorecards"})").status();
  EXPECT_EQ(PathOf(s), "request.query");
  EXPECT_THAT(s.message(), HasSubstr(R"("customer_360")"));
  EXPECT_EQ(PathOf(engine_->Run(R"({"query":"customer_360"})").status()), "request.customer");
  EXPECT_EQ(PathOf(engine_->Run(R"({"query":"customer_360","customer":"C1","as_of":"June"})").status()),
            "request.as_of");
  EXPECT_EQ(PathOf(engine_->Run(R"({"query":"holdings","manager":"M1","colour":"red"})").status()), "request.colour");
  EXPECT_EQ(PathOf(engine_->Run(R"({"query":"customer_360","customer":"C1","recent_interactions":-1})").status()),
            "request.recent_interactions");
  EXPECT_EQ(engine_->Run(R"({"query":"customer_360","customer":"nobody"})").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(engine_->Run(R"({"query":"org_tree","unit":"nowhere"})").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(engine_->Run("[1]").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(QueryTest, QueriesSeeEventsIngestedAfterTheEngineWasMade) {
  const std::string& id = data_->customers[5].id;
  Event move;
  move.id = "A-late";
  move.kind = EventKind::kAssignment;
  move.occurred_at = absl::FromCivil(absl::CivilSecond(2026, 1, 2, 9, 0, 0), absl::UTCTimeZone());
  move.customer = id;
  move.manager = data_->managers[0].id;
  move.reason = "customer request";
  ASSERT_TRUE(ws_->Ingest(std::vector<Event>{move}).ok());
  boost::json::value own = Run(R"({"query":"ownership","customer":")" + id + R"("})");
  EXPECT_EQ(own.at("owner").get_string(), data_->managers[0].id);
}

TEST_F(QueryTest, PoolAndAssignmentQueriesPlanWithoutWriting) {
  ASSERT_TRUE(ws_->Put("pool_policies", "default",
                       R"({"name":"Default","tiers":[{"tier":"standard","no_follow_up_days":30,"reminder_days":5},)"
                       R"({"tier":"silver","no_follow_up_days":30,"reminder_days":5},)"
                       R"({"tier":"gold","no_follow_up_days":30,"reminder_days":5},)"
                       R"({"tier":"platinum","no_follow_up_days":30,"reminder_days":5},)"
                       R"({"tier":"diamond","no_follow_up_days":30,"reminder_days":5}],)"
                       R"("daily_claim_limit":1,"default_holding_limit":100000})")
                  .ok());
  const uint64_t mark = *ws_->HighWaterMark();
  // Well after the synthetic year: every owned customer has gone 30 days without a follow-up.
  const std::string sweep = R"({"query":"pool_sweep","policy":"default","now":"2026-06-01T09:00:00+08:00"})";
  boost::json::value planned = Run(sweep);
  ASSERT_TRUE(planned.as_object().contains("events")) << boost::json::serialize(planned).substr(0, 300);
  const auto& events = planned.at("events").get_array();
  EXPECT_EQ(planned.at("plan").at("returns").get_array().size(), events.size());
  EXPECT_EQ(*ws_->HighWaterMark(), mark) << "a query writes nothing";

  // The host ingests the plan; the same plan again is all duplicates.
  absl::StatusOr<IngestReport> first = ws_->IngestNdjson([&] {
    std::string ndjson;
    for (const auto& e : events) ndjson += boost::json::serialize(e) + "\n";
    return ndjson;
  }());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->accepted, events.size()) << (first->rejected.empty() ? "" : first->rejected[0].message);
  boost::json::value again = Run(sweep);
  EXPECT_FALSE(again.as_object().contains("events")) << "everyone is in the pool now: nothing left to return";

  // A manager claims one customer from the pool; a second claim the same day hits the limit.
  const std::string& manager = data_->managers[1].id;
  auto claim = [&](const std::string& customer) {
    return engine_->Run(R"({"query":"pool_claim","policy":"default","manager":")" + manager + R"(","customer":")" +
                        customer + R"(","now":"2026-06-01T10:00:00+08:00"})");
  };
  absl::StatusOr<std::string> claimed = claim(data_->customers[0].id);
  ASSERT_TRUE(claimed.ok()) << claimed.status();
  absl::StatusOr<IngestReport> r =
      ws_->IngestNdjson(boost::json::serialize(boost::json::parse(*claimed).at("events").get_array()[0]));
  ASSERT_TRUE(r.ok() && r->accepted == 1u);
  absl::Status limit = claim(data_->customers[1].id).status();
  EXPECT_EQ(limit.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(limit.message(), HasSubstr("limit is 1 a day"));

  // New customers are spread over a team's managers.
  const std::string& team = data_->managers[0].team;
  boost::json::value assigned = Run(R"({"query":"assign_customers","policy":"default","team":")" + team +
                                    R"(","customers":[")" + data_->customers[2].id + R"(",")" + data_->customers[3].id +
                                    R"("],"strategy":"least_loaded",)"
                                    R"("now":"2026-06-02T09:00:00+08:00"})");
  ASSERT_EQ(assigned.at("events").get_array().size(), 2u);
  EXPECT_EQ(PathOf(engine_
                       ->Run(R"({"query":"assign_customers","policy":"default","team":"T","customers":[],)"
                             R"("strategy":"random","now":"2026-06-02T09:00:00+08:00"})")
                       .status()),
            "request.strategy");
}

}  // namespace
}  // namespace cadre
