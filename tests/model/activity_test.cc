// The CRM activity model: line items, follow-ups, opportunities and pipelines,
// and a customer's channels, contact times and consent.
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "cadre/event.h"
#include "cadre/json.h"
#include "cadre/model.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cadre {
namespace {

using ::testing::HasSubstr;

absl::Status ParseEvent(const std::string& text) { return json::FromText<Event>(text, "events[0]").status(); }

std::string PathOf(const absl::Status& s) {
  auto d = GetFieldErrorDetails(s);
  return d ? d->path : "<no path>";
}

constexpr char kHead[] = R"({"id":"E1","occurred_at":"2025-06-18T10:00:00+08:00","customer":"C1",)";

std::string Ev(const std::string& rest) { return std::string(kHead) + rest + "}"; }

// ---- Line items -----------------------------------------------------------------

TEST(LineItemTest, SaleWithLinesParsesAndKeepsThem) {
  absl::StatusOr<Event> e = json::FromText<Event>(
      Ev(R"("kind":"sale","amount_minor":350,"lines":[{"sku":"A","category":"tea","quantity":2,"amount_minor":200},)"
         R"({"sku":"B","amount_minor":150}])"));
  ASSERT_TRUE(e.ok()) << e.status();
  ASSERT_EQ(e->lines.size(), 2u);
  EXPECT_EQ(e->lines[0].category, "tea");
  EXPECT_EQ(e->lines[0].quantity, 2);
  EXPECT_EQ(e->lines[1].quantity, 1);  // default
  EXPECT_FALSE(e->lines[1].category.has_value());
}

TEST(LineItemTest, AmountMustEqualTheSumOfTheLines) {
  absl::Status s = ParseEvent(Ev(R"("kind":"sale","amount_minor":300,"lines":[{"sku":"A","amount_minor":200},)"
                                 R"({"sku":"B","amount_minor":150}])"));
  EXPECT_EQ(PathOf(s), "events[0].amount_minor");
  EXPECT_THAT(s.message(), HasSubstr("must equal the sum of the lines' amounts (350)"));
  EXPECT_THAT(s.message(), HasSubstr("got 300"));
}

TEST(LineItemTest, EventLevelSkuIsRefusedBesideLines) {
  absl::Status s = ParseEvent(Ev(R"("kind":"return","amount_minor":200,"sku":"A",)"
                                 R"("lines":[{"sku":"A","amount_minor":200}])"));
  EXPECT_EQ(PathOf(s), "events[0].sku");
  EXPECT_THAT(s.message(), HasSubstr("must be absent when the event has lines"));
}

TEST(LineItemTest, LineRulesNameTheLine) {
  absl::Status s = ParseEvent(Ev(R"("kind":"sale","amount_minor":1,"lines":[{"sku":"A","amount_minor":1},)"
                                 R"({"sku":"B","quantity":0,"amount_minor":0}])"));
  EXPECT_EQ(PathOf(s), "events[0].lines[1].quantity");
  EXPECT_THAT(s.message(), HasSubstr("must be positive"));
  s = ParseEvent(Ev(R"("kind":"sale","amount_minor":1,"lines":[{"sku":"A","amount_minor":-1}])"));
  EXPECT_EQ(PathOf(s), "events[0].lines[0].amount_minor");
  s = ParseEvent(Ev(R"("kind":"sale","amount_minor":1,"lines":[{"amount_minor":1}])"));
  EXPECT_EQ(PathOf(s), "events[0].lines[0].sku");
  EXPECT_THAT(s.message(), HasSubstr("required field is missing"));
}

TEST(LineItemTest, LinesOnAnInteractionAreRefused) {
  absl::Status s = ParseEvent(Ev(R"("kind":"interaction","channel":"call","lines":[{"sku":"A","amount_minor":1}])"));
  EXPECT_EQ(PathOf(s), "events[0].lines");
  EXPECT_THAT(s.message(), HasSubstr("not used by interaction events (only by: sale, return)"));
}

TEST(LineItemTest, OverflowingLinesAreRefused) {
  absl::Status s = ParseEvent(Ev(R"("kind":"sale","amount_minor":1,"lines":[)"
                                 R"({"sku":"A","amount_minor":9223372036854775807},{"sku":"B","amount_minor":1}])"));
  EXPECT_EQ(PathOf(s), "events[0].lines[1].amount_minor");
  EXPECT_THAT(s.message(), HasSubstr("overflow"));
}

// ---- Follow-ups -----------------------------------------------------------------

TEST(FollowUpTest, NeedsADueDay) {
  EXPECT_TRUE(ParseEvent(Ev(R"("kind":"follow_up","due_on":"2025-06-20","next_step":"call about the fridge")")).ok());
  absl::Status s = ParseEvent(Ev(R"("kind":"follow_up","next_step":"call")"));
  EXPECT_EQ(PathOf(s), "events[0].due_on");
  EXPECT_THAT(s.message(), HasSubstr("required field is missing"));
  s = ParseEvent(Ev(R"("kind":"follow_up","due_on":"2025-02-30")"));
  EXPECT_EQ(PathOf(s), "events[0].due_on");
}

TEST(FollowUpTest, DoneNamesTheTaskAndNoCustomer) {
  EXPECT_TRUE(json::FromText<Event>(R"({"id":"D1","kind":"follow_up_done","occurred_at":"2025-06-19T10:00:00Z",)"
                                    R"("reference":"F1","outcome":"booked a visit"})")
                  .ok());
  absl::Status s = ParseEvent(R"({"id":"D1","kind":"follow_up_done","occurred_at":"2025-06-19T10:00:00Z"})");
  EXPECT_EQ(PathOf(s), "events[0].reference");
  s = ParseEvent(Ev(R"("kind":"follow_up_done","reference":"F1")"));
  EXPECT_EQ(PathOf(s), "events[0].customer");
  EXPECT_THAT(s.message(), HasSubstr("not used by follow_up_done events"));
}

TEST(FollowUpTest, AnInteractionMayCarryItsNextStep) {
  absl::StatusOr<Event> e = json::FromText<Event>(
      Ev(R"("kind":"interaction","channel":"visit","outcome":"liked the sofa","next_step":"send fabric samples",)"
         R"("due_on":"2025-06-25")"));
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->next_step, "send fabric samples");
  EXPECT_EQ(e->due_on, absl::CivilDay(2025, 6, 25));
  absl::Status s = ParseEvent(Ev(R"("kind":"sale","amount_minor":1,"next_step":"x")"));
  EXPECT_EQ(PathOf(s), "events[0].next_step");
}

// ---- Opportunities --------------------------------------------------------------

TEST(OpportunityEventTest, NeedsReferenceCustomerAndStage) {
  EXPECT_TRUE(ParseEvent(Ev(R"("kind":"opportunity","reference":"O1","stage":"lead","amount_minor":500000,)"
                            R"("due_on":"2025-07-31")"))
                  .ok());
  EXPECT_EQ(PathOf(ParseEvent(Ev(R"("kind":"opportunity","stage":"lead")"))), "events[0].reference");
  EXPECT_EQ(PathOf(ParseEvent(Ev(R"("kind":"opportunity","reference":"O1")"))), "events[0].stage");
  EXPECT_EQ(
      PathOf(ParseEvent(
          R"({"id":"E1","kind":"opportunity","occurred_at":"2025-06-18T10:00:00Z","reference":"O1","stage":"x"})")),
      "events[0].customer");
  absl::Status s = ParseEvent(Ev(R"("kind":"opportunity","reference":"O1","stage":"lead","amount_minor":-1)"));
  EXPECT_EQ(PathOf(s), "events[0].amount_minor");
  EXPECT_THAT(s.message(), HasSubstr("must not be negative"));
}

TEST(OpportunityEventTest, StageIsRefusedOnOtherKinds) {
  absl::Status s = ParseEvent(Ev(R"("kind":"sale","amount_minor":1,"stage":"won")"));
  EXPECT_EQ(PathOf(s), "events[0].stage");
  EXPECT_THAT(s.message(), HasSubstr("(only by: opportunity, case, sop_step_done, sop_escalation)"));
}

// ---- Pipelines ------------------------------------------------------------------

constexpr char kPipeline[] = R"({"id":"default","name":"Retail","stages":[)"
                             R"({"id":"lead","name":"Lead","win_probability":"0.1"},)"
                             R"({"id":"proposal","name":"Proposal","win_probability":"0.5"},)"
                             R"({"id":"won","name":"Won","win_probability":"1","outcome":"won"},)"
                             R"({"id":"lost","name":"Lost","win_probability":"0","outcome":"lost"}],)"
                             R"("lost_reasons":["price","competitor"]})";

TEST(PipelineTest, AValidPipelineFindsItsStages) {
  absl::StatusOr<Pipeline> p = json::FromText<Pipeline>(kPipeline);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->StageIndex("proposal"), 1);
  EXPECT_EQ(p->StageIndex("nope"), -1);
  ASSERT_NE(p->FindStage("won"), nullptr);
  EXPECT_EQ(p->FindStage("won")->outcome, StageOutcome::kWon);
  EXPECT_EQ(p->FindStage("lead")->win_probability.ToString(), "0.1");
}

absl::Status ParsePipeline(const std::string& stages, const std::string& rest = "") {
  return json::FromText<Pipeline>(R"({"id":"p","name":"P","stages":[)" + stages + "]" + rest + "}", "pipeline")
      .status();
}

TEST(PipelineTest, RefusesBadStages) {
  const std::string won = R"({"id":"won","name":"Won","win_probability":"1","outcome":"won"})";
  const std::string lost = R"({"id":"lost","name":"Lost","win_probability":"0","outcome":"lost"})";
  absl::Status s = ParsePipeline(won + "," + lost);
  EXPECT_EQ(PathOf(s), "pipeline.stages");
  EXPECT_THAT(s.message(), HasSubstr("needs at least one open, one won and one lost stage"));

  s = ParsePipeline(R"({"id":"a","name":"A","win_probability":"1.5"},)" + won + "," + lost);
  EXPECT_EQ(PathOf(s), "pipeline.stages[0].win_probability");
  EXPECT_THAT(s.message(), HasSubstr("must be between 0 and 1"));

  s = ParsePipeline(R"({"id":"a","name":"A","win_probability":"0.2"},{"id":"won","name":"W","win_probability":)"
                    R"("0.9","outcome":"won"},)" +
                    lost);
  EXPECT_EQ(PathOf(s), "pipeline.stages[1].win_probability");
  EXPECT_THAT(s.message(), HasSubstr("must be 1 for a won stage"));

  s = ParsePipeline(R"({"id":"a","name":"A","win_probability":"0.2"},{"id":"a","name":"B","win_probability":"0.3"},)" +
                    won + "," + lost);
  EXPECT_EQ(PathOf(s), "pipeline.stages[1].id");
  EXPECT_THAT(s.message(), HasSubstr("repeats the id of stages[0]"));

  s = ParsePipeline(won + R"(,{"id":"a","name":"A","win_probability":"0.2"},)" + lost);
  EXPECT_EQ(PathOf(s), "pipeline.stages[1].outcome");
  EXPECT_THAT(s.message(), HasSubstr("open stages come before the won and lost stages"));

  s = ParsePipeline(R"({"id":"a","name":"A","win_probability":"0.2"},)" + won + "," + lost,
                    R"(,"lost_reasons":["price",""])");
  EXPECT_EQ(PathOf(s), "pipeline.lost_reasons[1]");
}

// ---- Customer preferences and consent ---------------------------------------------

absl::StatusOr<Customer> ParseCustomer(const std::string& rest) {
  return json::FromText<Customer>(R"({"id":"C1","name":"Li Na")" + rest + "}", "customer");
}

TEST(CustomerPreferenceTest, ParsesChannelsWindowsAndConsent) {
  absl::StatusOr<Customer> c = ParseCustomer(
      R"(,"preferred_channels":["message","visit"],"contact_times":[{"days":["sat","sun"],"from":"10:00","to":"18:00"}],)"
      R"("consent":{"message":true,"call":false})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->preferred_channels.size(), 2u);
  EXPECT_EQ(c->contact_times[0].days.size(), 2u);
  EXPECT_TRUE(c->consent.at("message"));
  EXPECT_FALSE(c->consent.at("call"));
}

TEST(CustomerPreferenceTest, RefusesBadWindowsChannelsAndConsentKeys) {
  absl::Status s = ParseCustomer(R"(,"contact_times":[{"from":"18:00","to":"09:00"}])").status();
  EXPECT_EQ(PathOf(s), "customer.contact_times[0].to");
  EXPECT_THAT(s.message(), HasSubstr("must be after from (18:00)"));
  s = ParseCustomer(R"(,"contact_times":[{"from":"9:00","to":"10:00"}])").status();
  EXPECT_EQ(PathOf(s), "customer.contact_times[0].from");
  EXPECT_THAT(s.message(), HasSubstr("HH:MM"));
  s = ParseCustomer(R"(,"contact_times":[{"days":["someday"],"from":"09:00","to":"10:00"}])").status();
  EXPECT_EQ(PathOf(s), "customer.contact_times[0].days[0]");
  s = ParseCustomer(R"(,"preferred_channels":["call","email","call"])").status();
  EXPECT_EQ(PathOf(s), "customer.preferred_channels[2]");
  EXPECT_THAT(s.message(), HasSubstr("repeats preferred_channels[0]"));
  s = ParseCustomer(R"(,"consent":{"pigeon":true})").status();
  EXPECT_EQ(PathOf(s), "customer.consent.pigeon");
  EXPECT_THAT(s.message(), HasSubstr("is not a channel"));
}

TEST(CustomerPreferenceTest, MayContactNeedsConsentAndAWindowInTheWorkspaceZone) {
  absl::TimeZone shanghai;
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Shanghai", &shanghai));
  absl::StatusOr<Customer> c =
      ParseCustomer(R"(,"contact_times":[{"days":["mon","tue","wed","thu","fri"],"from":"09:00","to":"18:00"}],)"
                    R"("consent":{"call":true,"message":false})");
  ASSERT_TRUE(c.ok()) << c.status();
  // Wednesday 18 June 2025, 17:59 and 18:00 in Shanghai.
  const absl::Time in = absl::FromCivil(absl::CivilSecond(2025, 6, 18, 17, 59, 0), shanghai);
  const absl::Time at_end = absl::FromCivil(absl::CivilSecond(2025, 6, 18, 18, 0, 0), shanghai);
  EXPECT_TRUE(MayContact(*c, Channel::kCall, in, shanghai));
  EXPECT_FALSE(MayContact(*c, Channel::kCall, at_end, shanghai));  // the window's end is excluded
  EXPECT_FALSE(MayContact(*c, Channel::kMessage, in, shanghai));   // consent refused
  EXPECT_FALSE(MayContact(*c, Channel::kEmail, in, shanghai));     // no consent recorded: opt-in
  // 10:00 UTC on Wednesday is 18:00 in Shanghai: outside; the same instant read in UTC would be inside.
  const absl::Time utc_ten = absl::FromCivil(absl::CivilSecond(2025, 6, 18, 10, 0, 0), absl::UTCTimeZone());
  EXPECT_FALSE(MayContact(*c, Channel::kCall, utc_ten, shanghai));
  EXPECT_TRUE(MayContact(*c, Channel::kCall, utc_ten, absl::UTCTimeZone()));
  // Saturday is not a listed day.
  EXPECT_FALSE(
      MayContact(*c, Channel::kCall, absl::FromCivil(absl::CivilSecond(2025, 6, 21, 10, 0, 0), shanghai), shanghai));
  // No windows stated: any time, consent still needed.
  c->contact_times.clear();
  EXPECT_TRUE(
      MayContact(*c, Channel::kCall, absl::FromCivil(absl::CivilSecond(2025, 6, 21, 3, 0, 0), shanghai), shanghai));
}

// ---- Cases and SOP events ---------------------------------------------------------

constexpr char kBare[] = R"({"id":"E1","occurred_at":"2025-06-18T10:00:00+08:00",)";
std::string Bare(const std::string& rest) { return std::string(kBare) + rest + "}"; }

TEST(CaseEventTest, AnOpeningCarriesItsCategorySeverityAndNote) {
  absl::StatusOr<Event> e = json::FromText<Event>(
      Ev(R"("kind":"case","reference":"K-1","stage":"opened","category":"complaint","manager":"M-1",)"
         R"("channel":"call","severity":"high","note":"second late delivery")"),
      "events[0]");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->kind, EventKind::kCase);
  EXPECT_EQ(e->severity, Severity::kHigh);
  EXPECT_EQ(e->note, "second late delivery");
  // A support request needs no customer.
  EXPECT_TRUE(ParseEvent(Bare(R"("kind":"case","reference":"K-2","stage":"opened","category":"technical",)"
                              R"("manager":"M-1")"))
                  .ok());
}

TEST(CaseEventTest, RefusalsNameTheFieldAndTheRule) {
  struct Case {
    std::string body, path, rule;
  };
  const Case cases[] = {
      {Ev(R"("kind":"case","stage":"opened","category":"complaint")"), "events[0].reference", "the case's id"},
      {Ev(R"("kind":"case","reference":"K","category":"complaint")"), "events[0].stage", "the stage the case entered"},
      {Ev(R"("kind":"case","reference":"K","stage":"closed")"), "events[0].stage",
       "must be one of opened, responded, waiting, resumed, resolved, reopened"},
      {Ev(R"("kind":"case","reference":"K","stage":"opened")"), "events[0].category", "\"complaint\" or a support"},
      {Bare(R"("kind":"case","reference":"K","stage":"opened","category":"complaint")"), "events[0].customer",
       "the customer who complains"},
      {Ev(R"("kind":"case","reference":"K","stage":"responded","category":"complaint")"), "events[0].category",
       "only the opening names the case's category"},
      {Ev(R"("kind":"case","reference":"K","stage":"responded","reason":"stock")"), "events[0].reason",
       "only a resolution gives an outcome and a root cause"},
      {Ev(R"("kind":"case","reference":"K","stage":"opened","category":"complaint","severity":"urgent")"),
       "events[0].severity", "critical"},
      {Ev(R"("kind":"sale","amount_minor":1,"severity":"high")"), "events[0].severity",
       "(only by: case, sop_escalation)"},
      {Ev(R"("kind":"interaction","channel":"call","note":"x")"), "events[0].note", "(only by: case, sop_step_done)"},
  };
  for (const Case& c : cases) {
    absl::Status s = ParseEvent(c.body);
    EXPECT_FALSE(s.ok()) << c.body;
    EXPECT_EQ(PathOf(s), c.path) << c.body << " -> " << s;
    EXPECT_THAT(std::string(s.message()), HasSubstr(c.rule)) << c.body;
  }
}

TEST(SopEventTest, StepDoneAndEscalationNameTheirInstanceAndStep) {
  EXPECT_TRUE(ParseEvent(Bare(R"("kind":"sop_step_done","reference":"onboarding/A-1","stage":"first_contact",)"
                              R"("manager":"M-1","outcome":"reached","note":"prefers WeChat")"))
                  .ok());
  EXPECT_TRUE(ParseEvent(Bare(R"("kind":"sop_escalation","reference":"onboarding/A-1","stage":"first_contact",)"
                              R"("category":"notify_lead","manager":"M-9")"))
                  .ok());
  absl::Status s = ParseEvent(Bare(R"("kind":"sop_step_done","stage":"first_contact")"));
  EXPECT_EQ(PathOf(s), "events[0].reference");
  s = ParseEvent(Bare(R"("kind":"sop_step_done","reference":"X")"));
  EXPECT_EQ(PathOf(s), "events[0].stage");
  s = ParseEvent(Bare(R"("kind":"sop_escalation","reference":"X","stage":"s","category":"fire")"));
  EXPECT_EQ(PathOf(s), "events[0].category");
  EXPECT_THAT(std::string(s.message()), HasSubstr("must be notify_lead, reassign or raise_severity"));
  s = ParseEvent(Ev(R"("kind":"sop_step_done","reference":"X","stage":"s")"));  // carries a customer
  EXPECT_EQ(PathOf(s), "events[0].customer");
}

}  // namespace
}  // namespace cadre
