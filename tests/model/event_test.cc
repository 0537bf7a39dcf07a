#include <string>

#include "absl/strings/str_cat.h"
#include "cadre/event.h"
#include "cadre/json.h"
#include "cadre/model.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cadre {
namespace {

using ::testing::HasSubstr;

// Parses `text` as an Event rooted at events[3] and returns the status.
absl::Status ParseEvent(const std::string& text) { return json::FromText<Event>(text, "events[3]").status(); }

std::string PathOf(const absl::Status& s) {
  auto d = GetFieldErrorDetails(s);
  return d ? d->path : "<no path>";
}

constexpr char kSale[] =
    R"({"id":"S1","kind":"sale","occurred_at":"2025-06-18T10:00:00+08:00","customer":"C1","amount_minor":100)";

TEST(EventTest, ValidSaleParses) {
  absl::StatusOr<Event> e = json::FromText<Event>(std::string(kSale) + "}");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->kind, EventKind::kSale);
  EXPECT_EQ(*e->amount_minor, 100);
  EXPECT_EQ(e->occurred_at, absl::FromUnixSeconds(1750212000));
}

TEST(EventTest, AmountAsStringNamesPathValueAndRule) {
  absl::Status s = ParseEvent(R"({"id":"S1","kind":"sale","occurred_at":"2025-06-18T10:00:00Z","customer":"C1",)"
                              R"("amount_minor":"12k"})");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "events[3].amount_minor: expected integer, got \"12k\"");
  auto d = GetFieldErrorDetails(s);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->path, "events[3].amount_minor");
  EXPECT_EQ(d->value, "\"12k\"");
  EXPECT_EQ(d->rule, "expected integer");
}

TEST(EventTest, FractionalAmountRefused) {
  absl::Status s = ParseEvent(std::string(kSale).replace(std::string(kSale).find("100"), 3, "10.5") + "}");
  EXPECT_EQ(std::string(s.message()), "events[3].amount_minor: expected integer, got 10.5");
}

TEST(EventTest, UnknownKindListsKnownOnes) {
  absl::Status s = ParseEvent(R"({"id":"S1","kind":"sell","occurred_at":"2025-06-18T10:00:00Z"})");
  EXPECT_EQ(PathOf(s), "events[3].kind");
  EXPECT_THAT(s.message(), HasSubstr(R"(expected one of "sale", "return", "interaction", "assignment", "reversal")"));
  EXPECT_THAT(s.message(), HasSubstr(R"(got "sell")"));
}

TEST(EventTest, UnknownFieldRefused) {
  absl::Status s = ParseEvent(std::string(kSale) + R"(,"amount":100})");
  EXPECT_EQ(PathOf(s), "events[3].amount");
  EXPECT_THAT(s.message(), HasSubstr("unknown field"));
  EXPECT_THAT(s.message(), HasSubstr("amount_minor"));
}

TEST(EventTest, MissingRequiredField) {
  absl::Status s = ParseEvent(R"({"id":"S1","kind":"sale","customer":"C1","amount_minor":1})");
  EXPECT_EQ(s.message(), "events[3].occurred_at: required field is missing");
}

TEST(EventTest, TimeWithoutOffsetRefused) {
  absl::Status s = ParseEvent(R"({"id":"S1","kind":"sale","occurred_at":"2025-06-18T10:00:00","customer":"C1",)"
                              R"("amount_minor":1})");
  EXPECT_EQ(PathOf(s), "events[3].occurred_at");
  EXPECT_THAT(s.message(), HasSubstr("RFC 3339"));
}

TEST(EventTest, NegativeSaleAmountRefused) {
  absl::Status s = ParseEvent(R"({"id":"S1","kind":"sale","occurred_at":"2025-06-18T10:00:00Z","customer":"C1",)"
                              R"("amount_minor":-5})");
  EXPECT_EQ(PathOf(s), "events[3].amount_minor");
  EXPECT_THAT(s.message(), HasSubstr("must be positive"));
  EXPECT_THAT(s.message(), HasSubstr("got -5"));
}

TEST(EventTest, SaleNeedsCustomerOrManager) {
  absl::Status s = ParseEvent(R"({"id":"S1","kind":"sale","occurred_at":"2025-06-18T10:00:00Z","amount_minor":5})");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("must name a customer or a manager"));
}

TEST(EventTest, FieldNotUsedByKindRefused) {
  absl::Status s = ParseEvent(R"({"id":"I1","kind":"interaction","occurred_at":"2025-06-18T10:00:00Z",)"
                              R"("customer":"C1","channel":"call","amount_minor":5})");
  EXPECT_EQ(PathOf(s), "events[3].amount_minor");
  EXPECT_THAT(s.message(), HasSubstr("not used by interaction events (only by: sale, return, opportunity)"));
}

TEST(EventTest, InteractionNeedsChannel) {
  absl::Status s = ParseEvent(R"({"id":"I1","kind":"interaction","occurred_at":"2025-06-18T10:00:00Z",)"
                              R"("customer":"C1"})");
  EXPECT_EQ(PathOf(s), "events[3].channel");
}

TEST(EventTest, ReversalRules) {
  EXPECT_EQ(PathOf(ParseEvent(R"({"id":"X1","kind":"reversal","occurred_at":"2025-06-18T10:00:00Z"})")),
            "events[3].reverses");
  EXPECT_THAT(
      ParseEvent(R"({"id":"X1","kind":"reversal","occurred_at":"2025-06-18T10:00:00Z","reverses":"X1"})").message(),
      HasSubstr("cannot reverse itself"));
  EXPECT_EQ(PathOf(ParseEvent(R"({"id":"X1","kind":"reversal","occurred_at":"2025-06-18T10:00:00Z",)"
                              R"("reverses":"S1","customer":"C1"})")),
            "events[3].customer");
}

TEST(EventTest, BadIdsNamed) {
  EXPECT_EQ(PathOf(ParseEvent(R"({"id":"","kind":"sale","occurred_at":"2025-06-18T10:00:00Z","customer":"C1",)"
                              R"("amount_minor":1})")),
            "events[3].id");
  EXPECT_EQ(PathOf(ParseEvent(std::string(kSale).replace(std::string(kSale).find("\"C1\""), 4, "\"C\\u0001\"") + "}")),
            "events[3].customer");
  EXPECT_EQ(PathOf(ParseEvent(std::string(kSale) + R"(,"sku":")" + std::string(200, 'x') + "\"}")), "events[3].sku");
}

TEST(EventTest, BadCurrencyRefused) {
  absl::Status s = ParseEvent(std::string(kSale) + R"(,"currency":"XYZ"})");
  EXPECT_EQ(PathOf(s), "events[3].currency");
}

TEST(EventTest, DecimalScoreReadExactlyFromNumber) {
  absl::StatusOr<Event> e =
      json::FromText<Event>(R"({"id":"I1","kind":"interaction","occurred_at":"2025-06-18T10:00:00Z",)"
                            R"("customer":"C1","channel":"visit","score":4.35})");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->score->ToString(), "4.35");
  absl::Status s = ParseEvent(R"({"id":"I1","kind":"interaction","occurred_at":"2025-06-18T10:00:00Z",)"
                              R"("customer":"C1","channel":"visit","score":101})");
  EXPECT_EQ(PathOf(s), "events[3].score");
}

// ---- survey_response -----------------------------------------------------------------

// A survey answer rooted at events[3]: `fields` follow the envelope.
std::string Survey(const std::string& fields) {
  return R"({"id":"SV1","kind":"survey_response","occurred_at":"2025-06-20T19:30:00+08:00")" + fields + "}";
}

// The refusal's path, rule and value, all three (the error is for people).
void ExpectRefusal(const std::string& text, const std::string& path, const std::string& rule,
                   const std::string& value) {
  absl::Status s = ParseEvent(text);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << text;
  auto d = GetFieldErrorDetails(s);
  ASSERT_TRUE(d.has_value()) << s;
  EXPECT_EQ(d->path, path) << s;
  EXPECT_EQ(d->rule, rule) << s;
  EXPECT_EQ(d->value, value) << s;
  EXPECT_THAT(s.message(), HasSubstr(path + ": " + rule)) << s;
  if (!value.empty()) {
    EXPECT_THAT(s.message(), HasSubstr("got " + value)) << s;
  }
}

TEST(EventTest, SurveyResponseCsatAndNpsAccepted) {
  absl::StatusOr<Event> csat = json::FromText<Event>(
      Survey(R"(,"customer":"C1","category":"csat","score":5,"manager":"M1","channel":"message","reference":"S1")"));
  ASSERT_TRUE(csat.ok()) << csat.status();
  EXPECT_EQ(csat->kind, EventKind::kSurveyResponse);
  EXPECT_EQ(*csat->category, "csat");
  EXPECT_EQ(csat->score->ToString(), "5");
  EXPECT_EQ(*csat->manager, "M1");
  EXPECT_EQ(*csat->channel, Channel::kMessage);
  EXPECT_EQ(*csat->reference, "S1");
  // The wire name is survey_response, and the event reads back as written.
  EXPECT_THAT(json::ToText(*csat), HasSubstr(R"("kind":"survey_response")"));
  absl::StatusOr<Event> back = json::FromText<Event>(json::ToText(*csat));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(back->SameContent(*csat));

  // Manager, channel and reference are optional; the ends of both scales are in.
  for (const char* fields :
       {R"(,"customer":"C1","category":"csat","score":1)", R"(,"customer":"C1","category":"nps","score":0)",
        R"(,"customer":"C1","category":"nps","score":10)", R"(,"customer":"C1","category":"nps","score":"7")",
        R"(,"customer":"C1","category":"nps","score":9.0)"}) {
    absl::StatusOr<Event> e = json::FromText<Event>(Survey(fields));
    EXPECT_TRUE(e.ok()) << fields << ": " << e.status();
  }
}

TEST(EventTest, SurveyResponseRefusalsNamePathRuleAndValue) {
  ExpectRefusal(Survey(R"(,"category":"csat","score":4)"), "events[3].customer",
                "required field is missing (the customer who answered)", "");
  ExpectRefusal(Survey(R"(,"customer":"C1","score":4)"), "events[3].category",
                R"(required field is missing (the survey's scale: "csat" or "nps"))", "");
  ExpectRefusal(Survey(R"(,"customer":"C1","category":"ces","score":4)"), "events[3].category",
                R"(must be "csat" (a score of 1-5) or "nps" (a score of 0-10))", R"("ces")");
  // The scale's name is exact: no case folding.
  ExpectRefusal(Survey(R"(,"customer":"C1","category":"CSAT","score":4)"), "events[3].category",
                R"(must be "csat" (a score of 1-5) or "nps" (a score of 0-10))", R"("CSAT")");
  ExpectRefusal(Survey(R"(,"customer":"C1","category":"nps")"), "events[3].score",
                "required field is missing (the customer's answer)", "");

  const std::string csat_rule = "must be a whole number from 1 to 5 on the csat scale";
  const std::string nps_rule = "must be a whole number from 0 to 10 on the nps scale";
  ExpectRefusal(Survey(R"(,"customer":"C1","category":"csat","score":4.5)"), "events[3].score", csat_rule, "4.5");
  ExpectRefusal(Survey(R"(,"customer":"C1","category":"nps","score":"8.25")"), "events[3].score", nps_rule, "8.25");
  ExpectRefusal(Survey(R"(,"customer":"C1","category":"csat","score":0)"), "events[3].score", csat_rule, "0");
  ExpectRefusal(Survey(R"(,"customer":"C1","category":"csat","score":6)"), "events[3].score", csat_rule, "6");
  ExpectRefusal(Survey(R"(,"customer":"C1","category":"csat","score":10)"), "events[3].score", csat_rule, "10");
  ExpectRefusal(Survey(R"(,"customer":"C1","category":"nps","score":-1)"), "events[3].score", nps_rule, "-1");
  ExpectRefusal(Survey(R"(,"customer":"C1","category":"nps","score":11)"), "events[3].score", nps_rule, "11");
}

TEST(EventTest, SurveyResponseRefusesFieldsItDoesNotUse) {
  const std::string valid = R"(,"customer":"C1","category":"csat","score":4)";
  absl::Status s = ParseEvent(Survey(valid + R"(,"amount_minor":100)"));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PathOf(s), "events[3].amount_minor");
  EXPECT_THAT(s.message(), HasSubstr("not used by survey_response events (only by: sale, return, opportunity)"));

  s = ParseEvent(Survey(valid + R"(,"sku":"APL-AC-01")"));
  EXPECT_EQ(PathOf(s), "events[3].sku");
  EXPECT_THAT(s.message(), HasSubstr("not used by survey_response events (only by: sale, return)"));

  for (const char* field : {R"(,"quantity":1)", R"(,"outcome":"happy")", R"(,"due_on":"2025-06-21")",
                            R"(,"stage":"lead")", R"(,"reason":"late delivery")"}) {
    EXPECT_EQ(ParseEvent(Survey(valid + field)).code(), absl::StatusCode::kInvalidArgument) << field;
  }
  // And the scores of a survey are not for a sale.
  s = ParseEvent(std::string(kSale) + R"(,"score":5})");
  EXPECT_EQ(PathOf(s), "events[3].score");
  EXPECT_THAT(s.message(), HasSubstr("(only by: interaction, survey_response, training_completed)"));
}

// ---- training_enrolled, training_completed ---------------------------------------------

std::string Training(const std::string& kind, const std::string& fields) {
  return R"({"id":"TR1","kind":")" + kind + R"(","occurred_at":"2025-06-20T19:30:00+08:00")" + fields + "}";
}

TEST(EventTest, TrainingEventsAccepted) {
  absl::StatusOr<Event> enrolled = json::FromText<Event>(
      Training("training_enrolled", R"(,"manager":"M1","reference":"CMP","due_on":"2025-07-01")"));
  ASSERT_TRUE(enrolled.ok()) << enrolled.status();
  EXPECT_EQ(enrolled->kind, EventKind::kTrainingEnrolled);
  EXPECT_EQ(*enrolled->due_on, absl::CivilDay(2025, 7, 1));
  EXPECT_THAT(json::ToText(*enrolled), HasSubstr(R"("kind":"training_enrolled")"));

  absl::StatusOr<Event> completed = json::FromText<Event>(
      Training("training_completed", R"(,"manager":"M1","reference":"CMP","category":"X","score":"87.25")"));
  ASSERT_TRUE(completed.ok()) << completed.status();
  EXPECT_EQ(completed->kind, EventKind::kTrainingCompleted);
  EXPECT_EQ(*completed->category, "X");
  EXPECT_EQ(completed->score->ToString(), "87.25");
  absl::StatusOr<Event> back = json::FromText<Event>(json::ToText(*completed));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(back->SameContent(*completed));

  // The module and the score are optional; 0 and 100 are in.
  for (const char* fields :
       {R"(,"manager":"M1","reference":"CMP")", R"(,"manager":"M1","reference":"CMP","score":0)",
        R"(,"manager":"M1","reference":"CMP","score":100)", R"(,"manager":"M1","reference":"CMP","score":99.99)"}) {
    absl::StatusOr<Event> e = json::FromText<Event>(Training("training_completed", fields));
    EXPECT_TRUE(e.ok()) << fields << ": " << e.status();
  }
}

TEST(EventTest, TrainingRefusalsNamePathRuleAndValue) {
  ExpectRefusal(Training("training_enrolled", R"(,"reference":"CMP")"), "events[3].manager",
                "required field is missing (the manager who is enrolled)", "");
  ExpectRefusal(Training("training_enrolled", R"(,"manager":"M1")"), "events[3].reference",
                "required field is missing (the course's id)", "");
  ExpectRefusal(Training("training_completed", R"(,"reference":"CMP")"), "events[3].manager",
                "required field is missing (the manager who completed it)", "");
  ExpectRefusal(Training("training_completed", R"(,"manager":"M1")"), "events[3].reference",
                "required field is missing (the course's id)", "");
  const std::string rule = "must be between 0 and 100 with at most two decimals";
  const std::string valid = R"(,"manager":"M1","reference":"CMP")";
  ExpectRefusal(Training("training_completed", valid + R"(,"score":100.5)"), "events[3].score", rule, R"("100.5")");
  ExpectRefusal(Training("training_completed", valid + R"(,"score":-1)"), "events[3].score", rule, R"("-1")");
  ExpectRefusal(Training("training_completed", valid + R"(,"score":"87.125")"), "events[3].score", rule, R"("87.125")");
  ExpectRefusal(Training("training_completed", valid + R"(,"category":"")"), "events[3].category",
                "id must not be empty", R"("")");
}

TEST(EventTest, TrainingEventsRefuseFieldsTheyDoNotUse) {
  const std::string valid = R"(,"manager":"M1","reference":"CMP")";
  absl::Status s = ParseEvent(Training("training_enrolled", valid + R"(,"customer":"C1")"));
  EXPECT_EQ(PathOf(s), "events[3].customer");
  EXPECT_THAT(s.message(), HasSubstr("not used by training_enrolled events"));
  s = ParseEvent(Training("training_enrolled", valid + R"(,"score":90)"));
  EXPECT_EQ(PathOf(s), "events[3].score");
  EXPECT_THAT(s.message(), HasSubstr("not used by training_enrolled events (only by: interaction, survey_response, "
                                     "training_completed)"));
  s = ParseEvent(Training("training_enrolled", valid + R"(,"category":"X")"));
  EXPECT_EQ(PathOf(s), "events[3].category");
  s = ParseEvent(Training("training_completed", valid + R"(,"due_on":"2025-07-01")"));
  EXPECT_EQ(PathOf(s), "events[3].due_on");
  EXPECT_THAT(s.message(),
              HasSubstr("not used by training_completed events (only by: interaction, follow_up, opportunity, "
                        "training_enrolled)"));
  for (const char* field : {R"(,"customer":"C1")", R"(,"amount_minor":100)", R"(,"channel":"online")",
                            R"(,"outcome":"done")", R"(,"reason":"late")", R"(,"stage":"won")"}) {
    EXPECT_EQ(ParseEvent(Training("training_completed", valid + field)).code(), absl::StatusCode::kInvalidArgument)
        << field;
  }
}

TEST(EventTest, SameContentIgnoresRecordedAtOnly) {
  Event a = *json::FromText<Event>(std::string(kSale) + "}");
  Event b = a;
  b.recorded_at = absl::Now();
  EXPECT_TRUE(a.SameContent(b));
  b.amount_minor = 101;
  EXPECT_FALSE(a.SameContent(b));
  Event c = a;
  c.attributes["x"] = "y";
  EXPECT_FALSE(a.SameContent(c));
}

TEST(ModelTest, ManagerRules) {
  auto path = [](const std::string& body) { return PathOf(json::FromText<Manager>(body, "managers[0]").status()); };
  EXPECT_EQ(path(R"({"id":"M1","name":"A"})"), "managers[0].team");
  EXPECT_EQ(path(R"({"id":"M1","name":"A","team":"T1","level":0})"), "managers[0].level");
  EXPECT_EQ(path(R"({"id":"M1","name":"A","team":"T1","status":"left"})"), "managers[0].left_on");
  EXPECT_EQ(path(R"({"id":"M1","name":"A","team":"T1","left_on":"2025-01-01"})"), "managers[0].left_on");
  EXPECT_EQ(path(R"({"id":"M1","name":"A","team":"T1","status":"left","hired_on":"2025-02-01",)"
                 R"("left_on":"2025-01-01"})"),
            "managers[0].left_on");
  EXPECT_EQ(path(R"({"id":"M1","name":"A","team":"T1","hired_on":"2025-02-30"})"), "managers[0].hired_on");
  EXPECT_EQ(path(R"({"id":"M1","name":"A","team":"T1","email":"nope"})"), "managers[0].email");
  EXPECT_EQ(path(R"({"id":"M1","name":"","team":"T1"})"), "managers[0].name");
  EXPECT_TRUE(json::FromText<Manager>(R"({"id":"M1","name":"A","team":"T1","status":"on_leave"})").ok());
}

TEST(ModelTest, OrgUnitRules) {
  auto path = [](const std::string& body) { return PathOf(json::FromText<OrgUnit>(body, "org_units[1]").status()); };
  EXPECT_EQ(path(R"({"id":"R1","name":"East","kind":"region"})"), "org_units[1].parent");
  EXPECT_EQ(path(R"({"id":"CO","name":"Co","kind":"company","parent":"X"})"), "org_units[1].parent");
  EXPECT_EQ(path(R"({"id":"R1","name":"East","kind":"region","parent":"R1"})"), "org_units[1].parent");
  EXPECT_EQ(path(R"({"id":"R1","name":"East","kind":"planet","parent":"CO"})"), "org_units[1].kind");
  EXPECT_TRUE(json::FromText<OrgUnit>(R"({"id":"CO","name":"Co","kind":"company"})").ok());
}

TEST(ModelTest, CustomerRules) {
  auto path = [](const std::string& body) { return PathOf(json::FromText<Customer>(body, "c").status()); };
  EXPECT_EQ(path(R"({"id":"C1","name":"A","tags":["ok",""]})"), "c.tags[1]");
  EXPECT_EQ(path(R"({"id":"C1","name":"A","tier":"bronze"})"), "c.tier");
  EXPECT_EQ(path(R"({"id":"C1","name":"A","attributes":{"k":5}})"), "c.attributes.k");
  EXPECT_EQ(path(R"({"id":"C1","name":"A","attributes":{"a b":5}})"), R"(c.attributes["a b"])");
  EXPECT_EQ(path(R"({"id":"C1","name":"A","attributes":{"a\u0001":"x"}})"), "c.attributes");
}

}  // namespace
}  // namespace cadre
