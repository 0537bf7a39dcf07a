// Golden files pin the wire form of every entity: a change to a key, an enum
// name or the omission rules breaks these tests on purpose.
#include <string>

#include "cadre/event.h"
#include "cadre/json.h"
#include "cadre/model.h"
#include "cadre/workspace.h"
#include "gtest/gtest.h"
#include "testing/test_util.h"

namespace cadre {
namespace {

using testing::T;

std::string Golden(const std::string& name) {
  std::string text = testing::ReadFile(std::string(CADRE_GOLDEN_DIR) + "/" + name);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

template <class T>
void ExpectRoundTrip(const std::string& golden_name, const T& built) {
  const std::string golden = Golden(golden_name);
  EXPECT_EQ(json::ToText(built), golden) << "the wire form of " << golden_name << " changed";
  absl::StatusOr<T> parsed = json::FromText<T>(golden);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(json::ToText(*parsed), golden);
}

TEST(GoldenTest, Sale) {
  Event e;
  e.id = "S-1001";
  e.kind = EventKind::kSale;
  e.occurred_at = T("2025-06-18T10:00:00+08:00");
  e.recorded_at = T("2025-06-18T03:30:00.25Z");
  e.manager = "M-7";
  e.customer = "C-42";
  e.amount_minor = 129900;
  e.quantity = 2;
  e.category = "appliances";
  e.sku = "AC-2";
  e.channel = Channel::kStore;
  e.reference = "ORDER-88";
  e.attributes = {{"promo", "618"}, {"pos", "T3"}};
  ExpectRoundTrip("event_sale.json", e);
}

TEST(GoldenTest, Interaction) {
  Event e;
  e.id = "I-9";
  e.kind = EventKind::kInteraction;
  e.occurred_at = T("2025-03-01T08:15:00Z");
  e.manager = "M-7";
  e.customer = "C-42";
  e.channel = Channel::kStoreMeeting;
  e.outcome = "agreed to a home visit";
  e.score = *Decimal::Parse("4.5");
  ExpectRoundTrip("event_interaction.json", e);
}

TEST(GoldenTest, Reversal) {
  Event e;
  e.id = "X-1";
  e.kind = EventKind::kReversal;
  e.occurred_at = T("2025-06-19T00:00:00Z");
  e.reverses = "S-1001";
  e.reason = "keyed twice at the till";
  ExpectRoundTrip("event_reversal.json", e);
}

TEST(GoldenTest, SaleWithLines) {
  Event e;
  e.id = "S-1002";
  e.kind = EventKind::kSale;
  e.occurred_at = T("2025-11-11T00:05:00+08:00");
  e.customer = "C-42";
  e.amount_minor = 259800;
  e.reference = "ORDER-89";
  e.lines = {LineItem{.sku = "AC-2", .category = "appliances", .quantity = 1, .amount_minor = 229900},
             LineItem{.sku = "FIL-9", .category = std::nullopt, .quantity = 3, .amount_minor = 29900}};
  ExpectRoundTrip("event_sale_lines.json", e);
}

TEST(GoldenTest, FollowUpAndDone) {
  Event e;
  e.id = "F-1";
  e.kind = EventKind::kFollowUp;
  e.occurred_at = T("2025-06-18T09:00:00Z");
  e.manager = "M-7";
  e.customer = "C-42";
  e.next_step = "call about the delivery date";
  e.due_on = absl::CivilDay(2025, 6, 20);
  ExpectRoundTrip("event_follow_up.json", e);
  Event done;
  done.id = "F-1-done";
  done.kind = EventKind::kFollowUpDone;
  done.occurred_at = T("2025-06-20T07:30:00Z");
  done.reference = "F-1";
  done.outcome = "delivery moved to Saturday";
  ExpectRoundTrip("event_follow_up_done.json", done);
}

TEST(GoldenTest, Opportunity) {
  Event e;
  e.id = "O-1-lost";
  e.kind = EventKind::kOpportunity;
  e.occurred_at = T("2025-07-02T06:00:00Z");
  e.manager = "M-7";
  e.customer = "C-42";
  e.reference = "O-1";
  e.pipeline = "default";
  e.stage = "lost";
  e.amount_minor = 1500000;
  e.due_on = absl::CivilDay(2025, 7, 31);
  e.reason = "competitor";
  ExpectRoundTrip("event_opportunity.json", e);
}

TEST(GoldenTest, Pipeline) {
  Pipeline p;
  p.id = "default";
  p.name = "Retail pipeline";
  p.stages = {PipelineStage{"lead", "Lead", *Decimal::Parse("0.1"), StageOutcome::kOpen},
              PipelineStage{"proposal", "Proposal", *Decimal::Parse("0.5"), StageOutcome::kOpen},
              PipelineStage{"won", "Won", *Decimal::Parse("1"), StageOutcome::kWon},
              PipelineStage{"lost", "Lost", Decimal(), StageOutcome::kLost}};
  p.lost_reasons = {"price", "competitor"};
  ExpectRoundTrip("pipeline.json", p);
}

TEST(GoldenTest, OrgUnit) {
  OrgUnit u;
  u.id = "ST0101";
  u.name = "Shanghai Xujiahui";
  u.kind = OrgUnitKind::kStore;
  u.parent = "R01";
  u.lead = "M0001";
  u.attributes = {{"city", "Shanghai"}};
  ExpectRoundTrip("org_unit.json", u);
}

TEST(GoldenTest, Manager) {
  Manager m;
  m.id = "M0001";
  m.name = "Li Wei";
  m.team = "T010101";
  m.role = "senior_am";
  m.level = 3;
  m.status = EmploymentStatus::kLeft;
  m.hired_on = absl::CivilDay(2021, 3, 15);
  m.left_on = absl::CivilDay(2025, 9, 30);
  m.email = "li.wei@example.com";
  ExpectRoundTrip("manager.json", m);
}

TEST(GoldenTest, Customer) {
  Customer c;
  c.id = "C000001";
  c.name = "Wang Fang";
  c.tier = MemberTier::kGold;
  c.phone = "+86 138 0000 0000";
  c.home_store = "ST0101";
  c.joined_on = absl::CivilDay(2019, 11, 11);
  c.tags = {"vip", "wechat"};
  c.favourite_categories = {"beauty", "apparel"};
  c.preferred_channels = {Channel::kMessage, Channel::kVisit};
  c.contact_times = {ContactWindow{{Weekday::kSat, Weekday::kSun}, "10:00", "18:00"}};
  c.consent = {{"message", true}, {"call", false}};
  ExpectRoundTrip("customer.json", c);
}

TEST(GoldenTest, IngestReport) {
  IngestReport r;
  r.received = 3;
  r.accepted = 1;
  r.duplicates = 1;
  r.rejected.push_back(
      RejectedRow{2, 3, "S-3", "events[2].amount_minor", "events[2].amount_minor: expected integer, got \"12k\""});
  r.committed = true;
  r.first_seq = 7;
  r.last_seq = 7;
  ExpectRoundTrip("ingest_report.json", r);
}

}  // namespace
}  // namespace cadre
