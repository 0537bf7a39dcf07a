// Incentive plans as documents: the wire form (pinned by a golden file) and
// every refusal with its path, rule and value.
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "cadre/incentive.h"
#include "cadre/json.h"
#include "cadre/status.h"
#include "cadre/workspace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/test_util.h"

namespace cadre {
namespace {

using ::testing::HasSubstr;

Decimal D(const char* text) { return *Decimal::Parse(text); }

std::string Message(const absl::Status& s) { return std::string(s.message()); }

std::string Golden(const std::string& name) {
  std::string text = testing::ReadFile(std::string(CADRE_GOLDEN_DIR) + "/" + name);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

// The plan the golden file holds, built in C++.
IncentivePlan FullPlan() {
  IncentivePlan plan;
  plan.id = "am_2025";
  plan.name = "Account managers 2025";
  plan.period = Granularity::kMonth;

  PlanComponent sales;
  sales.id = "sales";
  sales.name = "Sales commission";
  sales.type = ComponentType::kCommission;
  Commission c;
  c.quota_minor = 10'000'000;
  c.method = TierMethod::kMarginal;
  c.tiers = {
      {.from = D("0"), .rate = D("0.02")}, {.from = D("1"), .rate = D("0.04")}, {.from = D("1.5"), .rate = D("0.06")}};
  c.threshold = D("0.5");
  c.attainment_cap = D("2");
  c.cap_minor = 2'000'000;
  c.annual_cap_minor = 15'000'000;
  c.clawback = Clawback{.window_days = 90};
  sales.commission = c;
  sales.gates = {{.id = "csat",
                  .when = GateCondition::kMetricBelow,
                  .metric = "csat",
                  .value = D("4.0"),
                  .action = GateAction::kCapAttainment,
                  .attainment_cap = D("1")},
                 {.id = "training", .when = GateCondition::kTrainingOverdue, .action = GateAction::kWithhold}};

  PlanComponent team;
  team.id = "team";
  team.type = ComponentType::kCommission;
  Commission overlay;
  overlay.quota_from_targets = true;
  overlay.method = TierMethod::kRetroactive;
  overlay.tiers = {{.from = D("0"), .rate = D("0.005")}, {.from = D("1"), .rate = D("0.01")}};
  overlay.credit = CreditBasis::kOverlay;
  team.commission = overlay;

  PlanComponent kpi;
  kpi.id = "kpi";
  kpi.name = "Scorecard bonus";
  kpi.type = ComponentType::kKpiBonus;
  kpi.kpi_bonus =
      KpiBonus{.scorecard = "monthly", .target_incentive_minor = 300'000, .floor = D("0.5"), .cap = D("1.5")};
  kpi.gates = {{.id = "certified",
                .when = GateCondition::kCertificationMissing,
                .course = "product_basics",
                .action = GateAction::kScale,
                .factor = D("0.5")}};

  PlanComponent launch;
  launch.id = "launch";
  launch.type = ComponentType::kSpiff;
  launch.spiff = Spiff{.per = SpiffPer::kNewCustomer,
                       .amount_minor = 20'000,
                       .from = absl::CivilDay(2025, 6, 1),
                       .to = absl::CivilDay(2025, 6, 18),
                       .min_amount_minor = 50'000,
                       .categories = {"appliances"},
                       .skus = {"AC-2"}};

  plan.components = {sales, team, kpi, launch};
  plan.draw = Draw{.kind = DrawKind::kRecoverable, .amount_minor = 300'000};
  plan.rounding = {.mode = RoundingMode::kHalfUp, .scope = RoundingScope::kStatement};
  return plan;
}

TEST(IncentivePlanTest, GoldenRoundTrip) {
  const IncentivePlan built = FullPlan();
  json::Path path("incentive_plans[0]");
  ASSERT_TRUE(built.Validate(path).ok()) << built.Validate(path);
  const std::string golden = Golden("incentive_plan.json");
  EXPECT_EQ(json::ToText(built), golden) << "the wire form of incentive_plan.json changed";
  absl::StatusOr<IncentivePlan> parsed = json::FromText<IncentivePlan>(golden);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, built);
  EXPECT_EQ(json::ToText(*parsed), golden);
}

TEST(IncentivePlanTest, DefaultsOfAMinimalPlan) {
  absl::StatusOr<IncentivePlan> plan = json::FromText<IncentivePlan>(
      R"({"id":"p","name":"P","components":[{"id":"c","type":"commission","commission":{"tiers":[{"from":0,"rate":"0.03"}]}}]})");
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->period, Granularity::kMonth);
  EXPECT_EQ(plan->rounding.mode, RoundingMode::kHalfEven);
  EXPECT_EQ(plan->rounding.scope, RoundingScope::kLine);
  EXPECT_EQ(plan->components[0].commission->measure, "net_sales");
  EXPECT_EQ(plan->components[0].commission->method, TierMethod::kMarginal);
  EXPECT_FALSE(plan->draw.has_value());
}

// ---- Refusals --------------------------------------------------------------------------

// A plan whose only component is `component` (JSON text).
absl::Status ParsePlan(const std::string& component, const std::string& rest = "") {
  return json::FromText<IncentivePlan>(
             absl::StrCat(R"({"id":"p","name":"P","components":[)", component, "]", rest, "}"), "incentive_plans[0]")
      .status();
}

// A commission component with `commission` members (JSON text, without braces).
absl::Status ParseCommission(const std::string& members, const std::string& gates = "") {
  return ParsePlan(absl::StrCat(R"({"id":"c","type":"commission","commission":{)", members, "}",
                                gates.empty() ? "" : absl::StrCat(R"(,"gates":[)", gates, "]"), "}"));
}

constexpr char kQuota[] = R"("quota_minor":1000000,)";
constexpr char kC[] = "incentive_plans[0].components[0].commission";

TEST(IncentivePlanTest, TierRefusals) {
  EXPECT_EQ(Message(ParseCommission(absl::StrCat(kQuota, R"("tiers":[])"))),
            absl::StrCat(kC, ".tiers: must list at least one tier, got []"));
  EXPECT_EQ(Message(ParseCommission(R"("quota_minor":1000000)")),
            absl::StrCat(kC, ".tiers: required field is missing"));
  EXPECT_EQ(Message(ParseCommission(absl::StrCat(kQuota, R"("tiers":[{"from":"0.5","rate":"0.02"}])"))),
            absl::StrCat(kC, R"(.tiers[0].from: the first tier starts at 0, got "0.5")"));
  EXPECT_EQ(
      Message(ParseCommission(absl::StrCat(
          kQuota, R"("tiers":[{"from":0,"rate":"0.02"},{"from":"1","rate":"0.04"},{"from":"1.0","rate":"0.05"}])"))),
      absl::StrCat(
          kC, R"(.tiers[2].from: tiers must be in strictly ascending order of from (the tier before starts at 1), )"
              R"(got "1")"));
  EXPECT_EQ(Message(ParseCommission(
                absl::StrCat(kQuota, R"("tiers":[{"from":0,"rate":"0.02"},{"from":"-1","rate":"0.02"}])"))),
            absl::StrCat(kC, R"(.tiers[1].from: must not be negative, got "-1")"));
  EXPECT_EQ(Message(ParseCommission(absl::StrCat(kQuota, R"("tiers":[{"from":0}])"))),
            absl::StrCat(kC, ".tiers[0].rate: required field is missing (a marginal tier pays a rate)"));
  EXPECT_EQ(Message(ParseCommission(absl::StrCat(kQuota, R"("method":"retroactive","tiers":[{"from":0}])"))),
            absl::StrCat(kC, ".tiers[0].rate: required field is missing (a retroactive tier pays a rate)"));
  EXPECT_EQ(Message(ParseCommission(absl::StrCat(kQuota, R"("tiers":[{"from":0,"rate":"10.5"}])"))),
            absl::StrCat(kC, R"(.tiers[0].rate: must be between 0 and 10 (0.035 = 3.5 %), got "10.5")"));
  EXPECT_EQ(Message(ParseCommission(absl::StrCat(kQuota, R"("tiers":[{"from":0,"rate":"-0.01"}])"))),
            absl::StrCat(kC, R"(.tiers[0].rate: must be between 0 and 10 (0.035 = 3.5 %), got "-0.01")"));
  EXPECT_EQ(
      Message(ParseCommission(absl::StrCat(kQuota, R"("method":"flat_amount","tiers":[{"from":0,"rate":"0.02"}])"))),
      absl::StrCat(kC, R"(.tiers[0].rate: a flat_amount tier pays amount_minor, not a rate, got "0.02")"));
  EXPECT_EQ(
      Message(ParseCommission(absl::StrCat(kQuota, R"("method":"flat_amount","tiers":[{"from":0}])"))),
      absl::StrCat(kC, ".tiers[0].amount_minor: required field is missing (a flat_amount tier pays amount_minor)"));
  EXPECT_EQ(Message(ParseCommission(absl::StrCat(kQuota, R"("tiers":[{"from":0,"amount_minor":500}])"))),
            absl::StrCat(kC, ".tiers[0].amount_minor: a marginal tier pays a rate, not amount_minor, got 500"));
  EXPECT_EQ(Message(ParseCommission(absl::StrCat(kQuota, R"("tiers":[{"from":0,"rate":"0.02","amount_minor":500}])"))),
            absl::StrCat(kC,
                         ".tiers[0].amount_minor: give rate (marginal and retroactive tiers) or amount_minor "
                         "(flat-amount tiers), not both, got 500"));
  EXPECT_EQ(Message(ParseCommission(
                absl::StrCat(kQuota, R"("method":"flat_amount","tiers":[{"from":0,"amount_minor":-1}])"))),
            absl::StrCat(kC, ".tiers[0].amount_minor: must not be negative, got -1"));
  // Without a quota there is no attainment, so a single tier.
  EXPECT_EQ(Message(ParseCommission(R"("tiers":[{"from":0,"rate":"0.02"},{"from":"1","rate":"0.04"}])")),
            absl::StrCat(kC,
                         ".tiers: without a quota (quota_minor or quota_from_targets) there is no attainment: give "
                         "exactly one tier, from 0, got 2"));
  EXPECT_TRUE(ParseCommission(R"("tiers":[{"from":0,"rate":"0.02"}])").ok());
  EXPECT_TRUE(
      ParseCommission(R"("quota_from_targets":true,"tiers":[{"from":0,"rate":"0.02"},{"from":"1","rate":"0.04"}])")
          .ok());
}

TEST(IncentivePlanTest, CommissionRefusals) {
  const std::string tier = R"("tiers":[{"from":0,"rate":"0.02"}])";
  EXPECT_EQ(Message(ParseCommission(absl::StrCat(R"("quota_minor":0,)", tier))),
            absl::StrCat(kC, ".quota_minor: must be greater than 0 (minor units), got 0"));
  EXPECT_EQ(Message(ParseCommission(absl::StrCat(R"("quota_minor":5,"quota_from_targets":true,)", tier))),
            absl::StrCat(kC, ".quota_from_targets: give quota_minor or quota_from_targets, not both, got true"));
  EXPECT_EQ(
      Message(ParseCommission(absl::StrCat(R"("measure":"Net Sales",)", tier))),
      absl::StrCat(kC, R"(.measure: must be a metric id: 1-64 characters of a-z, 0-9 and _, starting with a letter, )"
                       R"(got "Net Sales")"));
  EXPECT_TRUE(ParseCommission(absl::StrCat(R"("measure":"appliance_sales",)", tier)).ok());
  EXPECT_EQ(Message(ParseCommission(absl::StrCat(kQuota, R"("threshold":"-0.1",)", tier))),
            absl::StrCat(kC, R"(.threshold: must not be negative, got "-0.1")"));
  EXPECT_EQ(Message(ParseCommission(absl::StrCat(R"("threshold":"0.5",)", tier))),
            absl::StrCat(kC, R"(.threshold: needs a quota (attainment is base / quota), got "0.5")"));
  EXPECT_EQ(Message(ParseCommission(absl::StrCat(kQuota, R"("attainment_cap":"-2",)", tier))),
            absl::StrCat(kC, R"(.attainment_cap: must not be negative, got "-2")"));
  EXPECT_EQ(Message(ParseCommission(absl::StrCat(R"("attainment_cap":"2",)", tier))),
            absl::StrCat(kC, R"(.attainment_cap: needs a quota (attainment is base / quota), got "2")"));
  EXPECT_EQ(Message(ParseCommission(absl::StrCat(R"("cap_minor":0,)", tier))),
            absl::StrCat(kC, ".cap_minor: must be greater than 0 (minor units), got 0"));
  EXPECT_EQ(Message(ParseCommission(absl::StrCat(R"("annual_cap_minor":-5,)", tier))),
            absl::StrCat(kC, ".annual_cap_minor: must be greater than 0 (minor units), got -5"));
  EXPECT_EQ(Message(ParseCommission(absl::StrCat(tier, R"(,"clawback":{"window_days":0})"))),
            absl::StrCat(kC, ".clawback.window_days: must be between 1 and 3650, got 0"));
  EXPECT_EQ(Message(ParseCommission(absl::StrCat(tier, R"(,"clawback":{"window_days":3651})"))),
            absl::StrCat(kC, ".clawback.window_days: must be between 1 and 3650, got 3651"));
  EXPECT_TRUE(ParseCommission(absl::StrCat(tier, R"(,"clawback":{"window_days":3650})")).ok());
}

TEST(IncentivePlanTest, KpiBonusAndSpiffRefusals) {
  auto bonus = [](const std::string& members) {
    return ParsePlan(
        absl::StrCat(R"({"id":"k","type":"kpi_bonus","kpi_bonus":{"scorecard":"monthly",)", members, "}}"));
  };
  const std::string kB = "incentive_plans[0].components[0].kpi_bonus";
  EXPECT_EQ(Message(bonus(R"("target_incentive_minor":0)")),
            kB + ".target_incentive_minor: must be greater than 0 (minor units), got 0");
  EXPECT_EQ(Message(bonus(R"("target_incentive_minor":100,"floor":"-0.1")")),
            kB + R"(.floor: must not be negative, got "-0.1")");
  EXPECT_EQ(Message(bonus(R"("target_incentive_minor":100,"floor":"1.5","cap":"1")")),
            kB + R"(.cap: must be at least floor (1.5), got "1")");
  EXPECT_TRUE(bonus(R"("target_incentive_minor":100,"floor":"1","cap":"1")").ok());

  auto spiff = [](const std::string& members) {
    return ParsePlan(absl::StrCat(R"({"id":"s","type":"spiff","spiff":{)", members, "}}"));
  };
  const std::string kS = "incentive_plans[0].components[0].spiff";
  EXPECT_EQ(Message(spiff(R"("amount_minor":0)")), kS + ".amount_minor: must be greater than 0 (minor units), got 0");
  EXPECT_EQ(Message(spiff(R"("amount_minor":100,"from":"2025-06-30","to":"2025-06-01")")),
            kS + R"(.to: must not be before from (2025-06-30), got "2025-06-01")");
  EXPECT_TRUE(spiff(R"("amount_minor":100,"from":"2025-06-01","to":"2025-06-01")").ok());
  EXPECT_EQ(Message(spiff(R"("amount_minor":100,"min_amount_minor":-1)")),
            kS + ".min_amount_minor: must not be negative, got -1");
  EXPECT_EQ(Message(spiff(R"("amount_minor":100,"categories":["appliances",""])")),
            kS + R"(.categories[1]: id must not be empty, got "")");
  EXPECT_EQ(Message(spiff(R"("amount_minor":100,"skus":[""])")), kS + R"(.skus[0]: id must not be empty, got "")");
}

TEST(IncentivePlanTest, GateRefusals) {
  const std::string tier = absl::StrCat(kQuota, R"("tiers":[{"from":0,"rate":"0.02"}])");
  auto gate = [&](const std::string& g) { return ParseCommission(tier, g); };
  const std::string kG = "incentive_plans[0].components[0].gates[0]";
  EXPECT_EQ(Message(gate(R"({"id":"g","when":"metric_below","value":"4","action":"withhold"})")),
            kG + ".metric: required field is missing (metric_below compares a metric)");
  EXPECT_EQ(Message(gate(R"({"id":"g","when":"metric_at_least","metric":"csat","action":"withhold"})")),
            kG + ".value: required field is missing (metric_at_least compares the metric with a value)");
  EXPECT_EQ(
      Message(gate(R"({"id":"g","when":"metric_below","metric":"CSAT","value":"4","action":"withhold"})")),
      kG + R"(.metric: must be a metric id: 1-64 characters of a-z, 0-9 and _, starting with a letter, got "CSAT")");
  EXPECT_EQ(
      Message(gate(R"({"id":"g","when":"training_overdue","metric":"csat","action":"withhold"})")),
      kG + R"(.metric: only metric_below and metric_at_least compare a metric (when is training_overdue), got "csat")");
  EXPECT_EQ(
      Message(gate(R"({"id":"g","when":"training_overdue","value":"4","action":"withhold"})")),
      kG + R"(.value: only metric_below and metric_at_least compare a metric (when is training_overdue), got "4")");
  EXPECT_EQ(Message(gate(R"({"id":"g","when":"training_overdue","no_value_fires":true,"action":"withhold"})")),
            kG + ".no_value_fires: only metric_below and metric_at_least compare a metric (when is training_overdue), "
                 "got true");
  EXPECT_EQ(Message(gate(R"({"id":"g","when":"certification_missing","action":"withhold"})")),
            kG + ".course: required field is missing (certification_missing names the certifying course)");
  EXPECT_EQ(
      Message(gate(R"({"id":"g","when":"metric_below","metric":"csat","value":"4","course":"x","action":"withhold"})")),
      kG + R"(.course: only certification_missing names a course (when is metric_below), got "x")");
  EXPECT_EQ(Message(gate(R"({"id":"g","when":"training_overdue","action":"cap_attainment"})")),
            kG + ".attainment_cap: required field is missing (cap_attainment caps attainment at attainment_cap)");
  EXPECT_EQ(Message(gate(R"({"id":"g","when":"training_overdue","action":"cap_attainment","attainment_cap":"-1"})")),
            kG + R"(.attainment_cap: must not be negative, got "-1")");
  EXPECT_EQ(
      Message(gate(R"({"id":"g","when":"training_overdue","action":"withhold","attainment_cap":"1"})")),
      kG + R"(.attainment_cap: only the action cap_attainment takes an attainment_cap (action is withhold), got "1")");
  EXPECT_EQ(Message(gate(R"({"id":"g","when":"training_overdue","action":"scale"})")),
            kG + ".factor: required field is missing (scale multiplies the amount by factor)");
  EXPECT_EQ(Message(gate(R"({"id":"g","when":"training_overdue","action":"scale","factor":"1.5"})")),
            kG + R"(.factor: must be between 0 and 1, got "1.5")");
  EXPECT_EQ(Message(gate(R"({"id":"g","when":"training_overdue","action":"withhold","factor":"0.5"})")),
            kG + R"(.factor: only the action scale takes a factor (action is withhold), got "0.5")");
  EXPECT_EQ(Message(gate(R"({"id":"","when":"training_overdue","action":"withhold"})")),
            kG + R"(.id: id must not be empty, got "")");
  EXPECT_EQ(Message(gate(R"({"id":"g","when":"training_overdue","action":"withhold"},)"
                         R"({"id":"g","when":"training_overdue","action":"withhold"})")),
            R"(incentive_plans[0].components[0].gates[1].id: gate ids must be unique within the component, got "g")");
  // A SPIFF has no attainment to cap; a commission without a quota neither.
  EXPECT_EQ(Message(ParsePlan(
                R"({"id":"s","type":"spiff","spiff":{"amount_minor":100},"gates":[{"id":"g","when":"training_overdue",)"
                R"("action":"cap_attainment","attainment_cap":"1"}]})")),
            kG + R"(.action: cap_attainment needs an attainment: a commission with a quota, or a KPI bonus (its )"
                 R"(scorecard total), got "cap_attainment")");
  EXPECT_EQ(Message(ParseCommission(
                R"("tiers":[{"from":0,"rate":"0.02"}])",
                R"({"id":"g","when":"training_overdue","action":"cap_attainment","attainment_cap":"1"})")),
            kG + R"(.action: cap_attainment needs an attainment: a commission with a quota, or a KPI bonus (its )"
                 R"(scorecard total), got "cap_attainment")");
  EXPECT_TRUE(gate(R"({"id":"g","when":"metric_below","metric":"csat","value":"4","no_value_fires":true,)"
                   R"("action":"scale","factor":"0"})")
                  .ok());
}

TEST(IncentivePlanTest, ComponentAndPlanRefusals) {
  const std::string commission = R"("commission":{"tiers":[{"from":0,"rate":"0.02"}]})";
  EXPECT_EQ(
      Message(ParsePlan(R"({"id":"c","type":"commission","kpi_bonus":{"scorecard":"m","target_incentive_minor":1}})")),
      "incentive_plans[0].components[0].commission: required field is missing (a component of type commission "
      "gives only its commission member)");
  EXPECT_EQ(Message(ParsePlan(
                absl::StrCat(R"({"id":"c","type":"commission",)", commission, R"(,"spiff":{"amount_minor":1}})"))),
            "incentive_plans[0].components[0].spiff: a component of type commission gives only its commission member");
  EXPECT_EQ(Message(ParsePlan(absl::StrCat(R"({"id":"draw","type":"commission",)", commission, "}"))),
            R"(incentive_plans[0].components[0].id: "draw" is the id of the statement's draw lines; choose another, )"
            R"(got "draw")");
  EXPECT_EQ(Message(ParsePlan(absl::StrCat(R"({"id":"c","type":"commission",)", commission, "},",
                                           R"({"id":"c","type":"commission",)", commission, "}"))),
            R"(incentive_plans[0].components[1].id: component ids must be unique within the plan, got "c")");

  const std::string one = absl::StrCat(R"({"id":"c","type":"commission",)", commission, "}");
  EXPECT_EQ(Message(json::FromText<IncentivePlan>(absl::StrCat(R"({"id":"p","name":"","components":[)", one, "]}"),
                                                  "incentive_plans[0]")
                        .status()),
            R"(incentive_plans[0].name: must not be empty, got "")");
  EXPECT_EQ(Message(ParsePlan(one, R"(,"period":"week")")),
            R"(incentive_plans[0].period: a plan pays by month or quarter, got "week")");
  EXPECT_TRUE(ParsePlan(one, R"(,"period":"quarter")").ok());
  EXPECT_EQ(
      Message(json::FromText<IncentivePlan>(R"({"id":"p","name":"P","components":[]})", "incentive_plans[0]").status()),
      "incentive_plans[0].components: must list at least one component, got []");
  std::string many;
  for (int i = 0; i < 51; ++i) {
    absl::StrAppend(&many, i == 0 ? "" : ",", R"({"id":"c)", i, R"(","type":"commission",)", commission, "}");
  }
  EXPECT_EQ(Message(ParsePlan(many)), "incentive_plans[0].components: at most 50 components, got 51");
  EXPECT_EQ(Message(ParsePlan(one, R"(,"draw":{"kind":"recoverable","amount_minor":0})")),
            "incentive_plans[0].draw.amount_minor: must be greater than 0 (minor units), got 0");
  EXPECT_THAT(
      Message(ParsePlan(one, R"(,"draw":{"kind":"loan","amount_minor":5})")),
      HasSubstr(R"(incentive_plans[0].draw.kind: expected one of "recoverable", "non_recoverable", got "loan")"));
}

TEST(IncentivePlanTest, ValidateChecksAPlanBuiltInCpp) {
  // Built in C++, nothing ran the nested checks yet: Validate walks them all.
  IncentivePlan plan = FullPlan();
  plan.components[0].commission->tiers[1].from = D("0");
  json::Path path("incentive_plans/am_2025");
  absl::Status status = plan.Validate(path);
  EXPECT_EQ(Message(status),
            "incentive_plans/am_2025.components[0].commission.tiers[1].from: tiers must be in strictly ascending order "
            "of from (the tier before starts at 0), got \"0\"");
  std::optional<FieldErrorDetails> details = GetFieldErrorDetails(status);
  ASSERT_TRUE(details.has_value());
  EXPECT_EQ(details->path, "incentive_plans/am_2025.components[0].commission.tiers[1].from");
  EXPECT_EQ(details->value, "\"0\"");
  EXPECT_THAT(details->rule, HasSubstr("strictly ascending"));
  EXPECT_EQ(path.str(), "incentive_plans/am_2025");  // every scope popped

  plan = FullPlan();
  plan.components[2].gates[0].factor = D("2");
  path = json::Path("p");
  EXPECT_EQ(Message(plan.Validate(path)), R"(p.components[2].gates[0].factor: must be between 0 and 1, got "2")");
}

TEST(IncentivePlanTest, WorkspaceStoresPlansTypedAndRefusesBadOnes) {
  absl::StatusOr<std::unique_ptr<Workspace>> ws = Workspace::Open("memory:");
  ASSERT_TRUE(ws.ok()) << ws.status();
  std::string body = Golden("incentive_plan.json");
  absl::StatusOr<Document> doc = (*ws)->Put("incentive_plans", "am_2025", body);
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(doc->body, body);
  absl::Status bad = (*ws)
                         ->Put("incentive_plans", "bad",
                               R"({"name":"Bad","period":"year","components":[{"id":"c","type":"spiff",)"
                               R"("spiff":{"amount_minor":5}}]})")
                         .status();
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(bad), R"(period: a plan pays by month or quarter, got "year")");
  EXPECT_FALSE((*ws)->Get("incentive_plans", "bad").ok());
}

}  // namespace
}  // namespace cadre
