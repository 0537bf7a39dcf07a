// The SOP document: its wire form, and every refusal with its exact message.
#include <string>
#include <vector>

#include "absl/strings/str_replace.h"
#include "cadre/json.h"
#include "cadre/sop.h"
#include "cadre/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sop/sop_test_util.h"

namespace cadre {
namespace {

using sop_testing::kComplaintSop;
using sop_testing::kOnboardingSop;
using sop_testing::kThanksSop;

TEST(SopDefinitionTest, ExamplesReadAndDefaultDependencies) {
  absl::StatusOr<SopDefinition> sop = json::FromText<SopDefinition>(kComplaintSop);
  ASSERT_TRUE(sop.ok()) << sop.status();
  EXPECT_EQ(sop->steps.size(), 2u);
  EXPECT_EQ(sop->steps[0].within.length(), absl::Hours(8));
  EXPECT_TRUE(sop->steps[0].within.business());
  EXPECT_EQ(sop->steps[1].within.length(), absl::Hours(120));
  EXPECT_FALSE(sop->steps[1].within.business());
  EXPECT_EQ(sop->Dependencies(), (std::vector<std::vector<std::string>>{{}, {}}));
  ASSERT_TRUE(json::FromText<SopDefinition>(kOnboardingSop).ok());
  ASSERT_TRUE(json::FromText<SopDefinition>(kThanksSop).ok());

  // Without `after`, a step waits for the previous one.
  absl::StatusOr<SopDefinition> chain = json::FromText<SopDefinition>(
      R"({"id":"x","name":"X","trigger":{"on":"customer_released"},"steps":[)"
      R"({"id":"a","name":"A","role":"owner","within":{"days":1},"completed_by":{"step_done":{}}},)"
      R"({"id":"b","name":"B","role":"team_lead","within":{"business_minutes":90},"completed_by":{"step_done":{}}}]})");
  ASSERT_TRUE(chain.ok()) << chain.status();
  EXPECT_EQ(chain->Dependencies(), (std::vector<std::vector<std::string>>{{}, {"a"}}));
  EXPECT_EQ(chain->steps[1].within.length(), absl::Minutes(90));
  // The canonical form keeps `after` absent, and round-trips.
  EXPECT_EQ(json::ToText(*chain),
            R"({"id":"x","name":"X","trigger":{"on":"customer_released"},"steps":[)"
            R"({"id":"a","name":"A","role":"owner","within":{"days":1},"completed_by":{"step_done":{}}},)"
            R"({"id":"b","name":"B","role":"team_lead","within":{"business_minutes":90},)"
            R"("completed_by":{"step_done":{}}}]})");
}

struct BadCase {
  std::string body;  // steps given in full
  std::string message;
};

// A one-step SOP with `step` (a JSON object's members, without braces) and `trigger`.
std::string One(const std::string& step, const std::string& trigger = R"({"on":"customer_assigned"})") {
  return R"({"id":"s","name":"S","trigger":)" + trigger + R"(,"steps":[{)" + step + "}]}";
}
const std::string kStep = R"("id":"a","name":"A","role":"owner","within":{"days":1},"completed_by":{"step_done":{}})";
std::string StepWith(const std::string& extra) { return kStep + "," + extra; }
std::string StepReplacing(const std::string& from, const std::string& to) {
  return absl::StrReplaceAll(kStep, {{from, to}});
}

TEST(SopDefinitionTest, RefusalsNamePathRuleAndValue) {
  const std::string two_steps_cycle =
      R"({"id":"s","name":"S","trigger":{"on":"customer_assigned"},"steps":[)"
      R"({"id":"a","name":"A","role":"owner","after":["b"],"within":{"days":1},"completed_by":{"step_done":{}}},)"
      R"({"id":"b","name":"B","role":"owner","within":{"days":1},"completed_by":{"step_done":{}}}]})";
  const std::vector<BadCase> cases = {
      {R"({"id":"a/b","name":"S","trigger":{"on":"customer_assigned"},"steps":[{)" + kStep + "}]}",
       R"(sop.id: must be at most 40 bytes without "/" (instance ids are "<sop id>/<key>"), got "a/b")"},
      {R"({"id":"s","name":"S","trigger":{"on":"customer_assigned"},"steps":[]})",
       "sop.steps: must give at least one step, got []"},
      {One(kStep, R"({"on":"customer_assigned","categories":["complaint"]})"),
       R"(sop.trigger.categories: only case_opened triggers name case categories, got ["complaint"])"},
      {One(kStep, R"({"on":"case_opened","categories":["complaint","complaint"]})"),
       R"(sop.trigger.categories[1]: repeats categories[0], got "complaint")"},
      {One(kStep, R"({"on":"large_purchase"})"),
       "sop.trigger.min_amount_minor: required field is missing (large_purchase: the smallest sale that triggers)"},
      {One(kStep, R"({"on":"large_purchase","min_amount_minor":0})"),
       "sop.trigger.min_amount_minor: must be positive, got 0"},
      {One(kStep, R"({"on":"customer_released","min_amount_minor":100})"),
       "sop.trigger.min_amount_minor: only large_purchase triggers have a minimum amount, got 100"},
      {R"({"id":"s","name":"S","trigger":{"on":"customer_assigned"},"steps":[{)" + kStep + "},{" + kStep + "}]}",
       R"(sop.steps[1].id: repeats steps[0].id, got "a")"},
      {One(StepReplacing(R"({"days":1})", R"({"days":1,"business_hours":8})")),
       "sop.steps[0].within: give exactly one of days, business_hours and business_minutes"},
      {One(StepReplacing(R"({"days":1})", R"({})")),
       "sop.steps[0].within: give exactly one of days, business_hours and business_minutes"},
      {One(StepReplacing(R"({"days":1})", R"({"days":0})")),
       "sop.steps[0].within.days: must be between 1 and 3650, got 0"},
      {One(StepReplacing(R"({"days":1})", R"({"business_hours":-2})")),
       "sop.steps[0].within.business_hours: must be between 1 and 87600, got -2"},
      {One(StepWith(R"("warn_before":{"business_hours":2})")),
       "sop.steps[0].warn_before.business_hours: must use within's unit (days), got 2"},
      {One(StepWith(R"("warn_before":{"days":1})")),
       "sop.steps[0].warn_before.days: must be less than within (1), got 1"},
      {One(StepReplacing(R"({"step_done":{}})", R"({})")),
       "sop.steps[0].completed_by: give exactly one of step_done, interaction, case_stage and training, got {}"},
      {One(StepReplacing(R"({"step_done":{}})", R"({"step_done":{},"interaction":{}})")),
       "sop.steps[0].completed_by: give exactly one of step_done, interaction, case_stage and training, got "
       R"({"step_done":{},"interaction":{}})"},
      {One(StepReplacing(R"({"step_done":{}})", R"({"step_done":{"require":["outcome","score"]}})")),
       R"(sop.steps[0].completed_by.step_done.require[1]: must be "outcome" or "note", got "score")"},
      {One(StepReplacing(R"({"step_done":{}})", R"({"step_done":{"require":["note","note"]}})")),
       R"(sop.steps[0].completed_by.step_done.require[1]: repeats require[0], got "note")"},
      {One(StepReplacing(R"({"step_done":{}})", R"({"case_stage":"resolved"})")),
       R"(sop.steps[0].completed_by.case_stage: completes a step only in an SOP triggered by case_opened, got "resolved")"},
      {One(StepReplacing(R"({"step_done":{}})", R"({"training":"passed"})")),
       R"(sop.steps[0].completed_by.training: completes a step only in an SOP triggered by training_overdue, got "passed")"},
      {One(StepReplacing(R"({"step_done":{}})", R"({"training":"failed"})")),
       R"(sop.steps[0].completed_by.training: expected one of "enrolled", "passed", got "failed")"},
      {One(StepReplacing(R"({"step_done":{}})", R"({"case_stage":"closed"})")),
       R"(sop.steps[0].completed_by.case_stage: expected one of "responded", "resolved", got "closed")"},
      {One(StepWith(R"("escalations":[{"after":{"days":-1},"action":"notify_lead"}])")),
       "sop.steps[0].escalations[0].after.days: must be between 0 and 3650, got -1"},
      {One(StepWith(R"("escalations":[{"after":{"days":0},"action":"raise_severity"}])")),
       R"(sop.steps[0].escalations[0].action: raise_severity needs a case (the SOP must be triggered by case_opened), got "raise_severity")"},
      {One(StepWith(R"("after":["a"])")), R"(sop.steps[0].after[0]: a step cannot wait for itself, got "a")"},
      {One(StepWith(R"("after":["zz"])")), R"(sop.steps[0].after[0]: names no step of this SOP, got "zz")"},
      {two_steps_cycle,
       R"(sop.steps[0].after: the steps wait for each other in a cycle (a waits for b waits for a), got ["b"])"},
  };
  for (const BadCase& c : cases) {
    absl::StatusOr<SopDefinition> sop = json::FromText<SopDefinition>(c.body, "sop");
    ASSERT_FALSE(sop.ok()) << c.body;
    EXPECT_EQ(sop.status().code(), absl::StatusCode::kInvalidArgument) << c.body;
    EXPECT_EQ(sop.status().message(), c.message) << c.body;
  }
}

TEST(SopDefinitionTest, UnknownRoleRefused) {
  absl::StatusOr<SopDefinition> sop =
      json::FromText<SopDefinition>(One(StepReplacing(R"("owner")", R"("cashier")")), "sop");
  ASSERT_FALSE(sop.ok());
  EXPECT_EQ(sop.status().message(),
            R"(sop.steps[0].role: expected one of "owner", "team_lead", "support_desk", got "cashier")");
}

}  // namespace
}  // namespace cadre
