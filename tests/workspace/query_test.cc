#include "cadre/query.h"

#include <map>
#include <memory>
#include <set>
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
    engine_ = std::make_unique<QueryEngine>(*ws_, [] { return kNow; });
  }

  boost::json::value Run(const std::string& request) {
    absl::StatusOr<std::string> r = engine_->Run(request);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? boost::json::parse(*r) : boost::json::value();
  }

  // A manager who owns `customer` now, per the engine.
  std::string OwnerOf(const std::string& customer) {
    boost::json::value own = Run(R"({"viewer":{"admin":true},"query":"ownership","customer":")" + customer + R"("})");
    return own.as_object().contains("owner") ? std::string(own.at("owner").as_string()) : std::string();
  }

  static const absl::Time kNow;
  static SynthDataset* data_;
  std::unique_ptr<Workspace> ws_;
  std::unique_ptr<QueryEngine> engine_;
};
SynthDataset* QueryTest::data_ = nullptr;
const absl::Time QueryTest::kNow = absl::FromUnixSeconds(1767139200);  // 2025-12-31T00:00:00Z

TEST_F(QueryTest, Customer360MatchesTheTypedCall) {
  const std::string& id = data_->customers[7].id;
  OwnershipProjection ownership;
  OpportunityProjection opportunities;
  FollowUpProjection tasks;
  Customer360Options options;
  options.recent_interactions = 4;
  options.opportunities = &opportunities;
  options.tasks = &tasks;
  options.now = kNow;
  absl::StatusOr<Customer360> direct = BuildCustomer360(*ws_, ownership, id, options);
  ASSERT_TRUE(direct.ok()) << direct.status();
  absl::StatusOr<std::string> via_query = engine_->Run(
      R"({"viewer":{"admin":true},"query":"customer_360","customer":")" + id + R"(","recent_interactions":4})");
  ASSERT_TRUE(via_query.ok()) << via_query.status();
  EXPECT_EQ(*via_query, json::ToText(*direct));
  EXPECT_GT(direct->purchases.sales, 0) << "pick a customer with purchases to make the comparison mean something";
}

TEST_F(QueryTest, OwnershipAndHoldingsAgree) {
  const std::string& id = data_->customers[3].id;
  boost::json::value own = Run(R"({"viewer":{"admin":true},"query":"ownership","customer":")" + id + R"("})");
  ASSERT_TRUE(own.as_object().contains("owner")) << boost::json::serialize(own);
  ASSERT_TRUE(own.at("owner").is_string());
  std::string owner(own.at("owner").get_string());
  EXPECT_FALSE(own.at("history").get_array().empty());
  boost::json::value holdings = Run(R"({"viewer":{"admin":true},"query":"holdings","manager":")" + owner + R"("})");
  bool found = false;
  ASSERT_TRUE(holdings.as_object().contains("customers")) << boost::json::serialize(holdings);
  for (const auto& c : holdings.at("customers").get_array()) found = found || c.get_string() == id;
  EXPECT_TRUE(found) << "the owner's holdings must contain the customer";
  // Before the first assignment of the year nobody owned the customer.
  boost::json::value before = Run(R"({"viewer":{"admin":true},"query":"ownership","customer":")" + id +
                                  R"(","as_of":"2024-12-31T00:00:00+08:00"})");
  EXPECT_FALSE(before.as_object().contains("owner")) << boost::json::serialize(before);
  EXPECT_FALSE(before.as_object().contains("history")) << "no history yet: the key is omitted";
}

TEST_F(QueryTest, OrgTreeSubtree) {
  boost::json::value all = Run(R"({"viewer":{"admin":true},"query":"org_tree"})");
  EXPECT_EQ(all.at("units").get_array().size(), data_->org_units.size());
  const OrgUnit& region = data_->org_units[1];
  ASSERT_EQ(region.kind, OrgUnitKind::kRegion);
  boost::json::value sub = Run(R"({"viewer":{"admin":true},"query":"org_tree","unit":")" + region.id + R"("})");
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
  absl::Status s = engine_->Run(R"({"viewer":{"admin":true},"query":"scorecards"})").status();
  EXPECT_EQ(PathOf(s), "request.query");
  EXPECT_THAT(s.message(), HasSubstr(R"("customer_360")"));
  EXPECT_EQ(PathOf(engine_->Run(R"({"viewer":{"admin":true},"query":"customer_360"})").status()), "request.customer");
  EXPECT_EQ(
      PathOf(
          engine_->Run(R"({"viewer":{"admin":true},"query":"customer_360","customer":"C1","as_of":"June"})").status()),
      "request.as_of");
  EXPECT_EQ(
      PathOf(engine_->Run(R"({"viewer":{"admin":true},"query":"holdings","manager":"M1","colour":"red"})").status()),
      "request.colour");
  EXPECT_EQ(
      PathOf(
          engine_->Run(R"({"viewer":{"admin":true},"query":"customer_360","customer":"C1","recent_interactions":-1})")
              .status()),
      "request.recent_interactions");
  EXPECT_EQ(engine_->Run(R"({"viewer":{"admin":true},"query":"customer_360","customer":"nobody"})").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(engine_->Run(R"({"viewer":{"admin":true},"query":"org_tree","unit":"nowhere"})").status().code(),
            absl::StatusCode::kNotFound);
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
  boost::json::value own = Run(R"({"viewer":{"admin":true},"query":"ownership","customer":")" + id + R"("})");
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
  const std::string sweep =
      R"({"viewer":{"admin":true},"query":"pool_sweep","policy":"default","now":"2026-06-01T09:00:00+08:00"})";
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
    return engine_->Run(R"({"viewer":{"admin":true},"query":"pool_claim","policy":"default","manager":")" + manager +
                        R"(","customer":")" + customer + R"(","now":"2026-06-01T10:00:00+08:00"})");
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
  boost::json::value assigned =
      Run(R"({"viewer":{"admin":true},"query":"assign_customers","policy":"default","team":")" + team +
          R"(","customers":[")" + data_->customers[2].id + R"(",")" + data_->customers[3].id +
          R"("],"strategy":"least_loaded",)"
          R"("now":"2026-06-02T09:00:00+08:00"})");
  ASSERT_EQ(assigned.at("events").get_array().size(), 2u);
  EXPECT_EQ(
      PathOf(
          engine_
              ->Run(
                  R"({"viewer":{"admin":true},"query":"assign_customers","policy":"default","team":"T","customers":[],)"
                  R"("strategy":"random","now":"2026-06-02T09:00:00+08:00"})")
              .status()),
      "request.strategy");
}

}  // namespace
}  // namespace cadre

namespace cadre {
namespace {

std::string Viewer(const std::string& manager) { return R"("viewer":{"manager":")" + manager + R"("})"; }

TEST_F(QueryTest, EveryQueryNeedsAViewer) {
  absl::Status s = engine_->Run(R"({"query":"org_tree"})").status();
  EXPECT_EQ(PathOf(s), "request.viewer");
  EXPECT_THAT(s.message(), HasSubstr("required field is missing"));
  s = engine_->Run(R"({"query":"org_tree","viewer":{}})").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  s = engine_->Run(R"({"query":"org_tree","viewer":{"manager":"M-nobody"}})").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("M-nobody"));
}

TEST_F(QueryTest, AManagerSeesOwnCustomersAndAPeersReadsAsNotFound) {
  // Two customers of different owners.
  std::string mine, theirs, me, peer;
  for (const Customer& c : data_->customers) {
    std::string owner = OwnerOf(c.id);
    if (owner.empty()) continue;
    if (me.empty()) {
      me = owner;
      mine = c.id;
    } else if (owner != me) {
      peer = owner;
      theirs = c.id;
      break;
    }
  }
  ASSERT_FALSE(theirs.empty());
  const std::string ask = R"({"query":"customer_360",)" + Viewer(me) + R"(,"customer":")";
  absl::StatusOr<std::string> own = engine_->Run(ask + mine + R"("})");
  ASSERT_TRUE(own.ok()) << own.status();
  absl::Status probe = engine_->Run(ask + theirs + R"("})").status();
  absl::Status missing = engine_->Run(ask + "C-does-not-exist" + R"("})").status();
  EXPECT_EQ(probe.code(), absl::StatusCode::kNotFound);
  // Nothing tells the peer's customer from one that does not exist but the id.
  std::string probe_text(probe.message()), missing_text(missing.message());
  probe_text.replace(probe_text.find(theirs), theirs.size(), "X");
  missing_text.replace(missing_text.find("C-does-not-exist"), std::string("C-does-not-exist").size(), "X");
  EXPECT_EQ(probe_text, missing_text);
  // Ownership, follow-ups and opportunities of the peer's customer are just as hidden.
  for (const char* query : {"ownership", "follow_ups", "opportunities"}) {
    absl::Status s =
        engine_
            ->Run(std::string(R"({"query":")") + query + R"(",)" + Viewer(me) + R"(,"customer":")" + theirs + R"("})")
            .status();
    EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << query;
  }
  // A peer's holdings are not theirs to read; their own are.
  EXPECT_EQ(engine_->Run(R"({"query":"holdings",)" + Viewer(me) + R"(,"manager":")" + peer + R"("})").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(engine_->Run(R"({"query":"holdings",)" + Viewer(me) + R"(,"manager":")" + me + R"("})").ok());
  // The sweep is for admins.
  absl::Status sweep =
      engine_
          ->Run(R"({"query":"pool_sweep",)" + Viewer(me) + R"(,"policy":"default","now":"2026-06-01T09:00:00+08:00"})")
          .status();
  EXPECT_EQ(sweep.code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(QueryTest, ALeadSeesTheTeamAndItsPipeline) {
  // The synthetic teams have leads; pick a team lead and a manager of another team.
  // The team whose lead leads the fewest units (here: the team and its one-team
  // store, never a region, whose lead would see more teams).
  std::map<std::string, int> units_led;
  for (const OrgUnit& u : data_->org_units)
    if (u.lead) ++units_led[*u.lead];
  const OrgUnit* team = nullptr;
  for (const OrgUnit& u : data_->org_units)
    if (u.kind == OrgUnitKind::kTeam && u.lead && (team == nullptr || units_led[*u.lead] < units_led[*team->lead]))
      team = &u;
  ASSERT_NE(team, nullptr);
  std::string member, outsider;
  for (const Manager& m : data_->managers) {
    if (m.team == team->id && m.id != *team->lead && member.empty()) member = m.id;
    if (m.team != team->id && outsider.empty()) outsider = m.id;
  }
  ASSERT_FALSE(member.empty());
  const std::string lead = *team->lead;
  EXPECT_TRUE(engine_->Run(R"({"query":"holdings",)" + Viewer(lead) + R"(,"manager":")" + member + R"("})").ok());
  EXPECT_EQ(
      engine_->Run(R"({"query":"holdings",)" + Viewer(lead) + R"(,"manager":")" + outsider + R"("})").status().code(),
      absl::StatusCode::kNotFound);

  boost::json::value all = Run(R"({"viewer":{"admin":true},"query":"pipeline","as_of":"2025-09-30T00:00:00+08:00"})");
  boost::json::value mine = Run(R"({"query":"pipeline",)" + Viewer(lead) + R"(,"as_of":"2025-09-30T00:00:00+08:00"})");
  // The lead gets the team's managers and the team, and a total that is theirs.
  std::set<std::string> managers;
  int64_t sum = 0;
  for (const auto& m : mine.at("managers").as_array()) {
    managers.insert(std::string(m.at("manager").as_string()));
    sum += m.at("value").at("weighted_minor").as_int64();
  }
  EXPECT_TRUE(managers.contains(member));
  EXPECT_FALSE(managers.contains(outsider));
  EXPECT_EQ(mine.at("total").at("weighted_minor").as_int64(), sum);
  ASSERT_EQ(mine.at("units").as_array().size(), static_cast<std::size_t>(units_led[lead]));
  for (const auto& u : mine.at("units").as_array())  // the store and the team: the same managers
    EXPECT_EQ(u.at("value").at("weighted_minor").as_int64(), sum) << u.at("unit").as_string();
  EXPECT_EQ(mine.at("units").as_array().back().at("unit").as_string(), team->id);
  EXPECT_GT(all.at("total").at("count").as_int64(), mine.at("total").at("count").as_int64());
  // Every unit's figure in the admin's report is that of its managers.
  int64_t admin_sum = 0;
  for (const auto& m : all.at("managers").as_array()) admin_sum += m.at("value").at("weighted_minor").as_int64();
  EXPECT_EQ(all.at("total").at("weighted_minor").as_int64(),
            admin_sum + all.at("unassigned").at("weighted_minor").as_int64());
}

TEST_F(QueryTest, OpportunitiesFollowUpsAndConversion) {
  boost::json::value opportunities =
      Run(R"({"viewer":{"admin":true},"query":"opportunities","as_of":"2025-12-31T00:00:00+08:00"})");
  const auto& list = opportunities.at("opportunities").as_array();
  ASSERT_FALSE(list.empty()) << "the synthetic year has opportunities";
  // A manager who leads no unit, so sees only their own work.
  std::set<std::string> leads;
  for (const OrgUnit& u : data_->org_units)
    if (u.lead) leads.insert(*u.lead);
  std::string manager;
  for (const auto& o : list) {
    if (!o.as_object().contains("manager")) continue;
    std::string m(o.at("manager").as_string());
    if (!leads.contains(m)) {
      manager = m;
      break;
    }
  }
  ASSERT_FALSE(manager.empty());
  boost::json::value of_manager = Run(R"({"query":"opportunities",)" + Viewer(manager) + R"(,"manager":")" + manager +
                                      R"(","as_of":"2025-12-31T00:00:00+08:00"})");
  for (const auto& o : of_manager.at("opportunities").as_array()) EXPECT_EQ(o.at("manager").as_string(), manager);

  boost::json::value conversion = Run(R"({"viewer":{"admin":true},"query":"pipeline_conversion","pipeline":"default",)"
                                      R"("from":"2025-01-01T00:00:00+08:00","until":"2026-01-01T00:00:00+08:00"})");
  const auto& c = conversion.at("conversion");
  EXPECT_EQ(c.at("opened").as_int64(), c.at("open").as_int64() + c.at("won").as_int64() + c.at("lost").as_int64());
  EXPECT_FALSE(conversion.at("time_in_stage").at("stages").as_array().empty());
  EXPECT_EQ(engine_
                ->Run(R"({"query":"pipeline_conversion",)" + Viewer(manager) +
                      R"(,"pipeline":"default","from":"2025-01-01T00:00:00Z","until":"2026-01-01T00:00:00Z"})")
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);

  boost::json::value counts =
      Run(R"({"viewer":{"admin":true},"query":"follow_up_counts","from_day":"2025-01-01","until_day":"2026-01-01"})");
  int64_t total = 0, overdue = 0;
  for (const auto& row : counts.at("managers").as_array()) {
    total += row.at("total").as_int64();
    overdue += row.at("overdue").as_int64();
    EXPECT_EQ(row.at("total").as_int64(),
              row.at("open").as_int64() + row.at("overdue").as_int64() + row.at("done").as_int64());
  }
  EXPECT_GT(total, 0);
  EXPECT_GT(overdue, 0) << "the synthetic year leaves some follow-ups undone";
  boost::json::value mine = Run(R"({"query":"follow_up_counts",)" + Viewer(manager) +
                                R"(,"from_day":"2025-01-01","until_day":"2026-01-01"})");
  for (const auto& row : mine.at("managers").as_array()) EXPECT_EQ(row.at("manager").as_string(), manager);
  boost::json::value late =
      Run(R"({"query":"follow_ups",)" + Viewer(manager) + R"(,"manager":")" + manager + R"(","statuses":["overdue"]})");
  for (const auto& t : late.at("tasks").as_array()) EXPECT_EQ(t.at("status").as_string(), "overdue");
}

}  // namespace
}  // namespace cadre
