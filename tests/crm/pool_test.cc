// The customer pool (公海): the policy as a validated document pinned by a golden
// file, the sweep (local-day boundaries, reminders, exemptions, idempotence,
// determinism) and claims (pool membership, daily limit, holding limit by level,
// cool-down, employment status).
#include <memory>
#include <string>
#include <vector>

#include "cadre/json.h"
#include "cadre/model.h"
#include "cadre/pool.h"
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
using crm_testing::Sale;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::T;

std::string Golden(const std::string& name) {
  std::string text = testing::ReadFile(std::string(CADRE_GOLDEN_DIR) + "/" + name);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

Event Interaction(std::string id, const char* at, std::string customer) {
  Event e;
  e.id = std::move(id);
  e.kind = EventKind::kInteraction;
  e.occurred_at = T(at);
  e.customer = std::move(customer);
  e.channel = Channel::kCall;
  return e;
}

PoolPolicy StandardPolicy() {
  PoolPolicy p;
  p.id = "default";
  p.name = "Default pool rules";
  p.tiers.push_back(PoolTierRule{MemberTier::kStandard, 30, 90, 5});
  p.tiers.push_back(PoolTierRule{MemberTier::kGold, 60, std::nullopt, 7});
  p.daily_claim_limit = 2;
  p.holding_limits = {HoldingLimit{1, 3}, HoldingLimit{3, 10}};
  p.default_holding_limit = 2;
  p.cool_down_days = 7;
  p.exemption = PoolExemption{30, {"vip_deal"}};
  return p;
}

std::vector<std::string> Customers(const std::vector<PoolMove>& moves) {
  std::vector<std::string> out;
  for (const PoolMove& m : moves) out.push_back(m.customer);
  return out;
}

class PoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_ = crm_testing::NewWorkspace();
    ASSERT_NE(ws_, nullptr);
    policy_ = StandardPolicy();
    PutUnit("CO", OrgUnitKind::kCompany, std::nullopt);
    PutUnit("T1", OrgUnitKind::kTeam, "CO");
    PutManager("M1", 1, EmploymentStatus::kActive);
    PutManager("M2", 3, EmploymentStatus::kActive);
    PutManager("M3", 1, EmploymentStatus::kOnLeave);
    PutManager("M4", 1, EmploymentStatus::kLeft);
    for (const char* id : {"C1", "C2", "C3", "C4", "C5", "C6"}) PutCustomer(id, MemberTier::kStandard);
  }
  void PutUnit(std::string id, OrgUnitKind kind, std::optional<std::string> parent) {
    OrgUnit u;
    u.id = id;
    u.name = id;
    u.kind = kind;
    u.parent = std::move(parent);
    ASSERT_TRUE(ws_->PutEntity(u).ok());
  }
  void PutManager(std::string id, int level, EmploymentStatus status) {
    Manager m;
    m.id = id;
    m.name = id;
    m.team = "T1";
    m.level = level;
    m.status = status;
    if (status == EmploymentStatus::kLeft) m.left_on = absl::CivilDay(2025, 1, 31);
    absl::StatusOr<Document> put = ws_->PutEntity(m);
    ASSERT_TRUE(put.ok()) << put.status();
  }
  void PutCustomer(std::string id, MemberTier tier, std::vector<std::string> tags = {}) {
    Customer c;
    c.id = id;
    c.name = id;
    c.tier = tier;
    c.tags = std::move(tags);
    ASSERT_TRUE(ws_->PutEntity(c).ok());
  }
  PoolPlan Sweep(const char* now) {
    absl::StatusOr<PoolPlan> plan = PoolSweep(*ws_, ownership_, policy_, T(now));
    EXPECT_TRUE(plan.ok()) << plan.status();
    return plan.ok() ? *plan : PoolPlan{};
  }
  absl::StatusOr<Event> ClaimAt(const char* manager, const char* customer, const char* now) {
    return Claim(*ws_, ownership_, policy_, manager, customer, T(now));
  }

  std::unique_ptr<Workspace> ws_;
  OwnershipProjection ownership_;
  PoolPolicy policy_;
};

// ---- Policy -----------------------------------------------------------------------

TEST(PoolPolicyTest, GoldenRoundTrip) {
  const std::string golden = Golden("pool_policy.json");
  EXPECT_EQ(json::ToText(StandardPolicy()), golden) << "the wire form of pool_policy.json changed";
  absl::StatusOr<PoolPolicy> parsed = json::FromText<PoolPolicy>(golden);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(json::ToText(*parsed), golden);
  ASSERT_EQ(parsed->tiers.size(), 2u);
  EXPECT_EQ(parsed->tiers[1].no_purchase_days, std::nullopt);
}

TEST(PoolPolicyTest, StoredInThePoolPoliciesCollection) {
  auto ws = crm_testing::NewWorkspace();
  ASSERT_NE(ws, nullptr);
  absl::StatusOr<Document> put = ws->PutEntity(StandardPolicy());
  ASSERT_TRUE(put.ok()) << put.status();
  EXPECT_EQ(put->collection, "pool_policies");
  EXPECT_EQ(put->body, Golden("pool_policy.json"));
  absl::StatusOr<PoolPolicy> loaded = LoadPoolPolicy(*ws, "default");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(json::ToText(*loaded), Golden("pool_policy.json"));
  EXPECT_EQ(LoadPoolPolicy(*ws, "nope").status().code(), absl::StatusCode::kNotFound);
}

struct BadPolicy {
  const char* body;
  const char* path;
  const char* value;
  const char* rule_part;
};

TEST(PoolPolicyTest, RefusesBadFieldsWithTheirPath) {
  const BadPolicy cases[] = {
      {R"({"name":"P","tiers":[{"tier":"standard","no_follow_up_days":-1}]})", "tiers[0].no_follow_up_days", "-1",
       "at least 1"},
      {R"({"name":"P","tiers":[{"tier":"standard","no_purchase_days":0}]})", "tiers[0].no_purchase_days", "0",
       "at least 1"},
      {R"({"name":"P","tiers":[{"tier":"gold","no_follow_up_days":30,"reminder_days":31}]})", "tiers[0].reminder_days",
       "31", "at most no_follow_up_days (30)"},
      {R"({"name":"P","tiers":[{"tier":"gold","no_follow_up_days":30,"no_purchase_days":10,"reminder_days":12}]})",
       "tiers[0].reminder_days", "12", "at most no_purchase_days (10)"},
      {R"({"name":"P","tiers":[{"tier":"gold","reminder_days":3}]})", "tiers[0].reminder_days", "3",
       "needs no_follow_up_days or no_purchase_days"},
      {R"({"name":"P","tiers":[{"tier":"gold","reminder_days":-2}]})", "tiers[0].reminder_days", "-2", "at least 0"},
      {R"({"name":"P","tiers":[{"tier":"gold","no_follow_up_days":3},{"tier":"gold","no_follow_up_days":4}]})",
       "tiers[1].tier", R"("gold")", "one rule per tier"},
      {R"({"name":"P","daily_claim_limit":-1})", "daily_claim_limit", "-1", "at least 0"},
      {R"({"name":"P","holding_limits":[{"level":0,"max_customers":5}]})", "holding_limits[0].level", "0",
       "at least 1"},
      {R"({"name":"P","holding_limits":[{"level":1,"max_customers":-5}]})", "holding_limits[0].max_customers", "-5",
       "not be negative"},
      {R"({"name":"P","holding_limits":[{"level":2,"max_customers":5},{"level":2,"max_customers":6}]})",
       "holding_limits[1].level", "2", "one limit per level"},
      {R"({"name":"P","default_holding_limit":-1})", "default_holding_limit", "-1", "not be negative"},
      {R"({"name":"P","cool_down_days":-7})", "cool_down_days", "-7", "at least 0"},
      {R"({"name":"P","exemption":{"purchase_within_days":0}})", "exemption.purchase_within_days", "0", "at least 1"},
      {R"({"name":"P","exemption":{"tags":["deal","deal"]}})", "exemption.tags[1]", R"("deal")", "listed twice"},
  };
  auto ws = crm_testing::NewWorkspace();
  ASSERT_NE(ws, nullptr);
  for (const BadPolicy& c : cases) {
    SCOPED_TRACE(c.body);
    absl::StatusOr<Document> put = ws->Put("pool_policies", "p", c.body);
    ASSERT_EQ(put.status().code(), absl::StatusCode::kInvalidArgument) << put.status();
    std::optional<FieldErrorDetails> details = GetFieldErrorDetails(put.status());
    ASSERT_TRUE(details.has_value()) << put.status();
    EXPECT_EQ(details->path, c.path);
    EXPECT_EQ(details->value, c.value);
    EXPECT_THAT(details->rule, HasSubstr(c.rule_part));
  }
  EXPECT_EQ(ws->Get("pool_policies", "p").status().code(), absl::StatusCode::kNotFound)
      << "refused documents must not be written";
}

TEST(PoolPolicyTest, HoldingLimitComesFromTheHighestLevelNotAbove) {
  PoolPolicy p = StandardPolicy();  // {1: 3, 3: 10}, default 2
  EXPECT_EQ(p.HoldingLimitFor(1), 3);
  EXPECT_EQ(p.HoldingLimitFor(2), 3);
  EXPECT_EQ(p.HoldingLimitFor(3), 10);
  EXPECT_EQ(p.HoldingLimitFor(9), 10);
  p.holding_limits = {HoldingLimit{2, 4}};
  EXPECT_EQ(p.HoldingLimitFor(1), 2) << "below every entry: the default";
  p.default_holding_limit.reset();
  EXPECT_EQ(p.HoldingLimitFor(1), std::nullopt) << "no default: unlimited";
}

// ---- Sweep ------------------------------------------------------------------------

TEST_F(PoolTest, ReturnsAfterNWholeLocalDaysNotBefore) {
  // Last follow-up at 23:59 local on 1 June (15:59 UTC): 30 days later, the
  // customer is still held all of 1 July local and returns at 00:00 local 2 July.
  IngestAll(*ws_, {Assignment("A1", "2025-05-20T10:00:00+08:00", "C1", "M1"),
                   Interaction("I1", "2025-06-01T23:59:00+08:00", "C1"),
                   Sale("S1", "2025-05-25T10:00:00+08:00", "C1", std::nullopt, 100)});
  EXPECT_THAT(Customers(Sweep("2025-07-01T23:59:59+08:00").returns), IsEmpty());
  PoolPlan plan = Sweep("2025-07-02T00:00:00+08:00");
  ASSERT_THAT(Customers(plan.returns), ElementsAre("C1"));
  const PoolMove& m = plan.returns[0];
  EXPECT_EQ(m.manager, "M1");
  EXPECT_EQ(m.rule, PoolRuleKind::kNoFollowUp);
  EXPECT_EQ(m.days, 30);
  EXPECT_EQ(m.since, T("2025-06-01T23:59:00+08:00"));
  EXPECT_EQ(m.deadline, T("2025-07-02T00:00:00+08:00"));
  EXPECT_EQ(m.reason, "pool: no follow-up for 30 days");
  EXPECT_THAT(Customers(plan.reminders), IsEmpty()) << "a returned customer is not also reminded about";
}

TEST_F(PoolTest, DaysAreCountedInTheWorkspaceZoneNotUtc) {
  // 00:30 on 2 June in Shanghai is still 1 June in UTC: the local day counts, so
  // the customer is held one day longer than a UTC count would say.
  IngestAll(*ws_, {Assignment("A1", "2025-05-20T10:00:00+08:00", "C1", "M1"),
                   Interaction("I1", "2025-06-02T00:30:00+08:00", "C1"),
                   Sale("S1", "2025-05-25T10:00:00+08:00", "C1", std::nullopt, 100)});
  EXPECT_THAT(Customers(Sweep("2025-07-02T12:00:00+08:00").returns), IsEmpty());
  EXPECT_THAT(Customers(Sweep("2025-07-03T00:00:00+08:00").returns), ElementsAre("C1"));
}

TEST_F(PoolTest, ClockStartsAtTheAssignmentWhenNoFollowUpSince) {
  // An interaction under the previous owner long ago does not count against the new one.
  IngestAll(*ws_, {Interaction("I0", "2025-01-01T10:00:00+08:00", "C1"),
                   Assignment("A1", "2025-06-10T15:00:00+08:00", "C1", "M1"),
                   Sale("S1", "2025-06-10T16:00:00+08:00", "C1", std::nullopt, 100)});
  EXPECT_THAT(Customers(Sweep("2025-07-10T23:59:59+08:00").returns), IsEmpty());
  PoolPlan plan = Sweep("2025-07-11T00:00:00+08:00");
  ASSERT_THAT(Customers(plan.returns), ElementsAre("C1"));
  EXPECT_EQ(plan.returns[0].since, T("2025-06-10T15:00:00+08:00"));
}

TEST_F(PoolTest, NoPurchaseRuleAndTheEarlierDeadlineDecides) {
  // C4 is called every week but buys nothing: the 90-day purchase rule returns it.
  std::vector<Event> events = {Assignment("A4", "2025-01-01T09:00:00+08:00", "C4", "M1")};
  for (int week = 0; week < 20; ++week) {
    Event e = Interaction("I4-" + std::to_string(week), "2025-01-01T10:00:00+08:00", "C4");
    e.occurred_at += absl::Hours(24 * 7 * week);
    events.push_back(e);
  }
  IngestAll(*ws_, std::move(events));
  // 1 Jan + 90 days = 1 April; returns from 00:00 local on 2 April.
  EXPECT_THAT(Customers(Sweep("2025-04-01T23:00:00+08:00").returns), IsEmpty());
  PoolPlan plan = Sweep("2025-04-02T00:00:00+08:00");
  ASSERT_THAT(Customers(plan.returns), ElementsAre("C4"));
  EXPECT_EQ(plan.returns[0].rule, PoolRuleKind::kNoPurchase);
  EXPECT_EQ(plan.returns[0].reason, "pool: no purchase for 90 days");
}

TEST_F(PoolTest, TierDecidesTheRule) {
  PutCustomer("C5", MemberTier::kGold);      // 60 days, no purchase rule
  PutCustomer("C6", MemberTier::kPlatinum);  // no rule: never returned
  IngestAll(*ws_, {Assignment("A1", "2025-03-01T10:00:00+08:00", "C1", "M1"),
                   Assignment("A5", "2025-03-01T10:00:00+08:00", "C5", "M1"),
                   Assignment("A6", "2025-03-01T10:00:00+08:00", "C6", "M1")});
  EXPECT_THAT(Customers(Sweep("2025-04-01T00:00:00+08:00").returns), ElementsAre("C1"));
  EXPECT_THAT(Customers(Sweep("2025-04-30T00:00:00+08:00").returns), ElementsAre("C1"));
  EXPECT_THAT(Customers(Sweep("2025-05-01T00:00:00+08:00").returns), ElementsAre("C1", "C5"));
  EXPECT_THAT(Customers(Sweep("2026-03-01T00:00:00+08:00").returns), ElementsAre("C1", "C5"));
}

TEST_F(PoolTest, RemindsFromReminderDaysBeforeTheDeadline) {
  IngestAll(*ws_, {Assignment("A1", "2025-05-20T10:00:00+08:00", "C1", "M1"),
                   Interaction("I1", "2025-06-01T23:59:00+08:00", "C1"),
                   Sale("S1", "2025-05-25T10:00:00+08:00", "C1", std::nullopt, 100)});
  // Deadline 2 July 00:00 local; 5 reminder days: from 27 June 00:00 local.
  PoolPlan before = Sweep("2025-06-26T23:59:59+08:00");
  EXPECT_THAT(Customers(before.reminders), IsEmpty());
  PoolPlan plan = Sweep("2025-06-27T00:00:00+08:00");
  ASSERT_THAT(Customers(plan.reminders), ElementsAre("C1"));
  EXPECT_THAT(plan.returns, IsEmpty());
  const PoolMove& m = plan.reminders[0];
  EXPECT_EQ(m.action, PoolAction::kRemind);
  EXPECT_EQ(m.manager, "M1");
  EXPECT_EQ(m.deadline, T("2025-07-02T00:00:00+08:00"));
  EXPECT_EQ(m.remind_from, T("2025-06-27T00:00:00+08:00"));
  EXPECT_EQ(m.reason, "pool: returns to the pool on 2025-07-02 without a follow-up (30-day rule)");

  std::vector<Event> events = PoolPlanEvents(plan);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, EventKind::kPoolReminder);
  EXPECT_EQ(events[0].customer, "C1");
  EXPECT_EQ(events[0].manager, "M1");
  EXPECT_EQ(events[0].occurred_at, T("2025-06-27T00:00:00+08:00"));
  IngestAll(*ws_, events);
  // A later sweep in the same window reminds about the same deadline: a duplicate.
  std::vector<Event> again = PoolPlanEvents(Sweep("2025-06-30T15:00:00+08:00"));
  ASSERT_EQ(again.size(), 1u);
  absl::StatusOr<IngestReport> report = ws_->Ingest(again);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->duplicates, 1u);
  EXPECT_EQ(report->accepted, 0u);
  // A follow-up moves the deadline: no reminder now, a new one later.
  IngestAll(*ws_, {Interaction("I2", "2025-06-30T16:00:00+08:00", "C1")});
  EXPECT_THAT(Sweep("2025-06-30T17:00:00+08:00").reminders, IsEmpty());
}

TEST_F(PoolTest, DealCustomersAreExempt) {
  PutCustomer("C3", MemberTier::kStandard, {"vip_deal"});
  IngestAll(*ws_, {Assignment("A1", "2025-01-01T10:00:00+08:00", "C1", "M1"),
                   Assignment("A2", "2025-01-01T10:00:00+08:00", "C2", "M1"),
                   Assignment("A3", "2025-01-01T10:00:00+08:00", "C3", "M1"),
                   // C1 bought on the 30th local day before the sweep: outside "within 30 days".
                   Sale("S1", "2025-06-01T23:00:00+08:00", "C1", std::nullopt, 100),
                   // C2 bought on the 29th: exempt, though nobody called for months.
                   Sale("S2", "2025-06-02T00:10:00+08:00", "C2", std::nullopt, 100)});
  PoolPlan plan = Sweep("2025-07-01T09:00:00+08:00");
  EXPECT_THAT(Customers(plan.returns), ElementsAre("C1"));
  EXPECT_THAT(plan.exempt, ElementsAre("C2", "C3"));
}

TEST_F(PoolTest, ReversedFollowUpsDoNotCount) {
  IngestAll(*ws_,
            {Assignment("A1", "2025-05-01T10:00:00+08:00", "C1", "M1"),
             Sale("S1", "2025-05-01T10:00:00+08:00", "C1", std::nullopt, 100),
             Interaction("I1", "2025-06-20T10:00:00+08:00", "C1"), Reversal("R1", "2025-06-21T10:00:00+08:00", "I1")});
  // Without the reversal the follow-up of 20 June would keep C1 until 21 July.
  PoolPlan plan = Sweep("2025-07-01T00:00:00+08:00");
  ASSERT_THAT(Customers(plan.returns), ElementsAre("C1"));
  EXPECT_EQ(plan.returns[0].since, T("2025-05-01T10:00:00+08:00"));
}

TEST_F(PoolTest, SweepTwiceIngestsNothingNew) {
  IngestAll(*ws_, {Assignment("A1", "2025-05-01T10:00:00+08:00", "C1", "M1"),
                   Assignment("A2", "2025-05-01T10:00:00+08:00", "C2", "M2"),
                   Interaction("I2", "2025-05-29T10:00:00+08:00", "C2")});
  const char* now = "2025-06-25T10:00:00+08:00";
  PoolPlan first = Sweep(now);
  EXPECT_THAT(Customers(first.returns), ElementsAre("C1"));
  EXPECT_THAT(Customers(first.reminders), ElementsAre("C2"));
  std::vector<Event> events = PoolPlanEvents(first);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, EventKind::kAssignment);
  EXPECT_EQ(events[0].manager, std::nullopt);
  EXPECT_EQ(events[0].reason, "pool: no follow-up for 30 days");
  EXPECT_EQ(events[0].occurred_at, T(now));
  IngestAll(*ws_, events);
  ASSERT_TRUE(ownership_.CatchUp(*ws_).ok());
  EXPECT_EQ(ownership_.OwnerAt("C1", T(now)), std::nullopt);

  PoolPlan second = Sweep(now);
  EXPECT_THAT(second.returns, IsEmpty()) << "C1 is in the pool now";
  std::vector<Event> again = PoolPlanEvents(first);
  for (const Event& e : PoolPlanEvents(second)) again.push_back(e);
  absl::StatusOr<IngestReport> report = ws_->Ingest(again);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->received, 3u);
  EXPECT_EQ(report->accepted, 0u);
  EXPECT_EQ(report->duplicates, 3u);
  EXPECT_THAT(report->rejected, IsEmpty());
}

TEST_F(PoolTest, SweepIsDeterministicAndOrderedByCustomer) {
  std::vector<Event> events;
  for (const char* c : {"C6", "C2", "C5", "C1", "C4", "C3"})
    events.push_back(Assignment(std::string("A-") + c, "2025-05-01T10:00:00+08:00", c, "M1"));
  IngestAll(*ws_, std::move(events));
  PoolPlan a = Sweep("2025-06-05T00:00:00+08:00");
  EXPECT_THAT(Customers(a.returns), ElementsAre("C1", "C2", "C3", "C4", "C5", "C6"));
  OwnershipProjection fresh;
  absl::StatusOr<PoolPlan> b = PoolSweep(*ws_, fresh, policy_, T("2025-06-05T00:00:00+08:00"));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(json::ToText(a), json::ToText(*b));
  EXPECT_EQ(json::ToText(PoolPlanEvents(a)), json::ToText(PoolPlanEvents(*b)));
}

TEST_F(PoolTest, PoolReminderEventsNameCustomerAndManager) {
  Event e;
  e.id = "R1";
  e.kind = EventKind::kPoolReminder;
  e.occurred_at = T("2025-06-01T00:00:00+08:00");
  e.customer = "C1";
  absl::StatusOr<IngestReport> report = ws_->Ingest(std::vector<Event>{e});
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->rejected.size(), 1u);
  EXPECT_EQ(report->rejected[0].path, "events[0].manager");
  e.manager = "M1";
  e.amount_minor = 5;
  report = ws_->Ingest(std::vector<Event>{e});
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->rejected.size(), 1u);
  EXPECT_EQ(report->rejected[0].path, "events[0].amount_minor");
  e.amount_minor.reset();
  IngestAll(*ws_, {e});
}

// ---- Claims -----------------------------------------------------------------------

TEST_F(PoolTest, ClaimsOnlyFromThePool) {
  IngestAll(*ws_, {Assignment("A2", "2025-05-01T10:00:00+08:00", "C2", "M2")});
  absl::StatusOr<Event> claim = ClaimAt("M1", "C1", "2025-06-01T10:00:00+08:00");
  ASSERT_TRUE(claim.ok()) << claim.status();
  EXPECT_EQ(claim->kind, EventKind::kAssignment);
  EXPECT_EQ(claim->manager, "M1");
  EXPECT_EQ(claim->customer, "C1");
  EXPECT_EQ(claim->reason, "pool: claimed");
  EXPECT_EQ(claim->occurred_at, T("2025-06-01T10:00:00+08:00"));
  IngestAll(*ws_, {*claim});
  EXPECT_EQ(ownership_.OwnerAt("C1"), std::nullopt) << "not caught up yet";
  ASSERT_TRUE(ownership_.CatchUp(*ws_).ok());
  EXPECT_EQ(ownership_.OwnerAt("C1"), "M1");

  absl::StatusOr<Event> owned = ClaimAt("M1", "C2", "2025-06-01T11:00:00+08:00");
  EXPECT_EQ(owned.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(owned.status().message(), HasSubstr("not in the pool"));
  EXPECT_THAT(owned.status().message(), HasSubstr("owned by \"M2\""));

  EXPECT_EQ(ClaimAt("M9", "C3", "2025-06-01T11:00:00+08:00").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ClaimAt("M1", "C9", "2025-06-01T11:00:00+08:00").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(PoolTest, DailyClaimLimitCountsTheLocalDay) {
  policy_.holding_limits.clear();
  policy_.default_holding_limit.reset();
  // 23:30 local on 31 May is not part of 1 June, though it is in UTC.
  absl::StatusOr<Event> late = ClaimAt("M1", "C1", "2025-05-31T23:30:00+08:00");
  ASSERT_TRUE(late.ok()) << late.status();
  IngestAll(*ws_, {*late});
  for (const char* c : {"C2", "C3"}) {
    absl::StatusOr<Event> claim = ClaimAt("M1", c, "2025-06-01T09:00:00+08:00");
    ASSERT_TRUE(claim.ok()) << claim.status();
    IngestAll(*ws_, {*claim});
  }
  absl::StatusOr<Event> third = ClaimAt("M1", "C4", "2025-06-01T20:00:00+08:00");
  EXPECT_EQ(third.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(third.status().message(), HasSubstr("daily claim limit"));
  EXPECT_THAT(third.status().message(), HasSubstr("has claimed 2 customers on 2025-06-01; the limit is 2 a day"));
  EXPECT_TRUE(ClaimAt("M2", "C4", "2025-06-01T20:00:00+08:00").ok()) << "the limit is per manager";
  EXPECT_TRUE(ClaimAt("M1", "C4", "2025-06-02T00:00:00+08:00").ok()) << "a new local day";
  // Admin assignments are not claims.
  IngestAll(*ws_, {Assignment("A5", "2025-06-03T09:00:00+08:00", "C5", "M1"),
                   Assignment("A6", "2025-06-03T09:00:00+08:00", "C6", "M1")});
  EXPECT_TRUE(ClaimAt("M1", "C4", "2025-06-03T10:00:00+08:00").ok());
}

TEST_F(PoolTest, HoldingLimitDependsOnLevel) {
  policy_.daily_claim_limit.reset();
  IngestAll(*ws_, {Assignment("A1", "2025-05-01T10:00:00+08:00", "C1", "M1"),
                   Assignment("A2", "2025-05-01T10:00:00+08:00", "C2", "M1"),
                   Assignment("A3", "2025-05-01T10:00:00+08:00", "C3", "M1"),
                   Assignment("B1", "2025-05-01T10:00:00+08:00", "C4", "M2"),
                   Assignment("B2", "2025-05-01T10:00:00+08:00", "C5", "M2"),
                   Assignment("B3", "2025-05-01T10:00:00+08:00", "C6", "M2")});
  PutCustomer("C7", MemberTier::kStandard);
  absl::StatusOr<Event> full = ClaimAt("M1", "C7", "2025-05-02T10:00:00+08:00");
  EXPECT_EQ(full.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(full.status().message(), HasSubstr("holding limit"));
  EXPECT_THAT(full.status().message(), HasSubstr("holds 3 customers; the limit for level 1 is 3"));
  EXPECT_TRUE(ClaimAt("M2", "C7", "2025-05-02T10:00:00+08:00").ok()) << "level 3 may hold 10";
  // Before the assignments M1 held nothing: the limit is checked at `now`.
  EXPECT_TRUE(ClaimAt("M1", "C7", "2025-04-30T10:00:00+08:00").ok());
}

TEST_F(PoolTest, PreviousOwnerWaitsOutTheCoolDown) {
  IngestAll(*ws_, {Assignment("A1", "2025-05-01T10:00:00+08:00", "C1", "M1")});
  PoolPlan plan = Sweep("2025-06-01T10:00:00+08:00");
  ASSERT_THAT(Customers(plan.returns), ElementsAre("C1"));
  IngestAll(*ws_, PoolPlanEvents(plan));

  absl::StatusOr<Event> early = ClaimAt("M1", "C1", "2025-06-07T23:59:59+08:00");
  EXPECT_EQ(early.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(early.status().message(), HasSubstr("cool-down"));
  EXPECT_THAT(early.status().message(), HasSubstr("released \"C1\" on 2025-06-01"));
  EXPECT_THAT(early.status().message(), HasSubstr("after 7 days, from 2025-06-08 (1 days to go)"));
  EXPECT_TRUE(ClaimAt("M2", "C1", "2025-06-02T10:00:00+08:00").ok()) << "others may claim at once";
  EXPECT_TRUE(ClaimAt("M1", "C1", "2025-06-08T00:00:00+08:00").ok());
}

TEST_F(PoolTest, OnlyActiveManagersClaim) {
  absl::StatusOr<Event> on_leave = ClaimAt("M3", "C1", "2025-06-01T10:00:00+08:00");
  EXPECT_EQ(on_leave.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(on_leave.status().message(), HasSubstr("employment status"));
  EXPECT_THAT(on_leave.status().message(), HasSubstr("\"M3\" is on leave"));
  absl::StatusOr<Event> left = ClaimAt("M4", "C1", "2025-06-01T10:00:00+08:00");
  EXPECT_EQ(left.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(left.status().message(), HasSubstr("\"M4\" has left"));
}

}  // namespace
}  // namespace cadre
