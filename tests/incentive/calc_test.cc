// Golden tests of the incentive money math (issue 7): every expected amount is
// worked out by hand beside its assertion, to the minor unit (fen). Amounts are
// in minor units throughout: 1,000,000 is ¥10,000.00.
#include "incentive/calc.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "cadre/decimal.h"
#include "cadre/incentive.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "incentive/exact.h"

namespace cadre::incentive_internal {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Decimal D(const char* text) {
  absl::StatusOr<Decimal> d = Decimal::Parse(text);
  EXPECT_TRUE(d.ok()) << text;
  return d.ok() ? *d : Decimal();
}

Exact E(int64_t minor) { return Exact::FromMinor(minor); }

Exact Q(int64_t numerator, int64_t denominator) {
  absl::StatusOr<Exact> q = Exact::Ratio(numerator, denominator);
  EXPECT_TRUE(q.ok()) << q.status();
  return q.ok() ? *q : Exact();
}

CommissionTier RateTier(const char* from, const char* rate) { return {.from = D(from), .rate = D(rate)}; }
CommissionTier FlatTier(const char* from, int64_t amount) { return {.from = D(from), .amount_minor = amount}; }

PlanComponent CommissionComponent(TierMethod method, std::vector<CommissionTier> tiers,
                                  std::optional<int64_t> quota = 1'000'000) {
  PlanComponent component;
  component.id = "sales";
  component.type = ComponentType::kCommission;
  component.commission = Commission{};
  component.commission->quota_minor = quota;
  component.commission->method = method;
  component.commission->tiers = std::move(tiers);
  return component;
}

// 2 % up to quota, 4 % above it.
PlanComponent TwoTiers(TierMethod method) {
  return CommissionComponent(method, {RateTier("0", "0.02"), RateTier("1", "0.04")});
}

LineResult Line(const PlanComponent& component, CommissionInputs inputs) {
  if (!inputs.quota_minor && component.commission->quota_minor) inputs.quota_minor = component.commission->quota_minor;
  absl::StatusOr<LineResult> line = ComputeCommission(component, inputs);
  EXPECT_TRUE(line.ok()) << line.status();
  return line.ok() ? *line : LineResult();
}

// The line rounded alone, half-even.
int64_t Rounded(const LineResult& line) {
  absl::StatusOr<int64_t> minor = line.amount.RoundToMinor(RoundingMode::kHalfEven);
  EXPECT_TRUE(minor.ok()) << minor.status();
  return minor.ok() ? *minor : -1;
}

// ---- Exact -------------------------------------------------------------------------

// ToText divides in native 64 bits while the denominator is at most
// 2^64 / 10^9 and by long division over 128 bits above it. Both must give the
// digits of |n| × 10^9 / d rounded half-even, which 128-bit arithmetic states
// directly for any int64 n.
std::string NineDigitText(int64_t n, uint64_t d) {
  __extension__ typedef unsigned __int128 U128;
  const U128 magnitude = n < 0 ? static_cast<U128>(-(n + 1)) + 1 : static_cast<U128>(n);
  const U128 scaled = magnitude * 1'000'000'000u;
  U128 q = scaled / d;
  const U128 r = scaled % d;
  if (2 * r > d || (2 * r == d && q % 2 == 1)) ++q;
  const uint64_t integer = static_cast<uint64_t>(q / 1'000'000'000u);
  std::string fraction = std::to_string(static_cast<uint64_t>(q % 1'000'000'000u));
  fraction.insert(0, 9 - fraction.size(), '0');
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  return (n < 0 ? "-" : "") + std::to_string(integer) + (fraction.empty() ? "" : "." + fraction) + (r != 0 ? "~" : "");
}

TEST(ExactTest, TextAgreesOnBothSidesOfTheNativeDivisionPath) {
  std::mt19937_64 random(20261127);
  constexpr uint64_t kBoundary = std::numeric_limits<uint64_t>::max() / 1'000'000'000u;
  std::vector<uint64_t> denominators = {2,
                                        3,
                                        7,
                                        1024,
                                        kBoundary - 1,
                                        kBoundary,
                                        kBoundary + 1,
                                        kBoundary * 2 + 1,
                                        std::numeric_limits<uint64_t>::max() / 2};
  for (int i = 0; i < 2000; ++i) denominators.push_back((random() >> (random() % 63)) + 2);
  for (uint64_t d : denominators) {
    for (int k = 0; k < 5; ++k) {
      int64_t n = static_cast<int64_t>(random() >> (random() % 64));
      if (k % 2 == 1) n = -n;
      if (k == 4) n = std::numeric_limits<int64_t>::min();
      const Exact value = Exact::Ratio(n, static_cast<Int128>(d)).value();
      EXPECT_EQ(value.ToText(), NineDigitText(n, d)) << n << " / " << d;
    }
  }
}

TEST(ExactTest, TextIsExactOrMarkedRounded) {
  EXPECT_EQ(E(432096).Div(E(100))->ToText(), "4320.96");
  EXPECT_EQ(E(-12).ToText(), "-12");
  EXPECT_EQ(Exact().ToText(), "0");
  EXPECT_EQ(Exact::FromDecimal(D("0.035")).ToText(), "0.035");
  EXPECT_EQ(Exact::FromDecimal(D("0.035")).ToFractionText(), "7/200");
  // 1/3 = 0.333333333|33..: the tenth digit 3 rounds down.
  EXPECT_EQ(Q(1, 3).ToText(), "0.333333333~");
  // 2/3 = 0.666666666|66..: rounds up to ...667.
  EXPECT_EQ(Q(2, 3).ToText(), "0.666666667~");
  EXPECT_EQ(Q(-1, 3).ToText(), "-0.333333333~");
  // 40000/3 = 13333.333333333|3..
  EXPECT_EQ(Q(40000, 3).ToText(), "13333.333333333~");
  // 1/1024 = 0.000976562|5 exactly: a tie, half-even keeps the even 2.
  EXPECT_EQ(Q(1, 1024).ToText(), "0.000976562~");
  // 3/1024 = 0.002929687|5: a tie, the odd 7 goes up to 8.
  EXPECT_EQ(Q(3, 1024).ToText(), "0.002929688~");
  // 0.999999999|95 carries into the integer part: "1~", not "0.1" or "0.999999999".
  EXPECT_EQ(Q(19'999'999'999, 20'000'000'000).ToText(), "1~");
  // 1/512 = 0.001953125 ends within nine digits: exact, no "~".
  EXPECT_EQ(Q(1, 512).ToText(), "0.001953125");
  // A huge denominator: 1 / (2^100 + 1) is 0.000000000|..., shown as "0~".
  const Int128 huge = (static_cast<Int128>(1) << 100) + 1;
  EXPECT_EQ(Exact::Ratio(1, huge)->ToText(), "0~");
  EXPECT_EQ(Exact::Ratio(huge, 1)->ToText(), "1267650600228229401496703205377");
}

TEST(ExactTest, ArithmeticIsReducedAndExact) {
  // 1/3 + 1/6 = 1/2
  EXPECT_EQ(Q(1, 3).Add(Q(1, 6))->ToFractionText(), "1/2");
  // 1/3 - 1/2 = -1/6
  EXPECT_EQ(Q(1, 3).Sub(Q(1, 2))->ToFractionText(), "-1/6");
  // 123456 × 0.035 = 4320.96
  EXPECT_EQ(E(123456).Mul(Exact::FromDecimal(D("0.035")))->ToText(), "4320.96");
  // (2/3) / (-4/9) = -3/2
  EXPECT_EQ(Q(2, 3).Div(Q(-4, 9))->ToFractionText(), "-3/2");
  EXPECT_EQ(Q(4, -6).ToFractionText(), "-2/3");
  EXPECT_EQ(Exact().Mul(Q(5, 7))->ToFractionText(), "0");
  EXPECT_EQ(Q(1, 3).Div(Exact()).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Exact::Ratio(1, 0).status().code(), absl::StatusCode::kInvalidArgument);
  // Three thirds make exactly one: no drift.
  Exact sum;
  for (int i = 0; i < 3; ++i) sum = *sum.Add(Q(1, 3));
  EXPECT_EQ(sum, E(1));
}

TEST(ExactTest, ComparisonNeverOverflows) {
  EXPECT_LT(Q(1, 3), Exact::FromDecimal(D("0.333333334")));
  EXPECT_GT(Q(1, 3), Exact::FromDecimal(D("0.333333333")));
  EXPECT_EQ(Q(2, 4), Exact::FromDecimal(D("0.5")));
  EXPECT_LT(Q(-1, 2), Q(-1, 3));
  EXPECT_EQ(Min(Q(1, 2), Q(1, 3)), Q(1, 3));
  EXPECT_EQ(Max(Q(1, 2), Q(1, 3)), Q(1, 2));
  // (n+1)/n shrinks as n grows; cross-multiplying these would need 254 bits.
  const Int128 n = (static_cast<Int128>(1) << 125);
  const Exact a = *Exact::Ratio(n + 1, n);
  const Exact b = *Exact::Ratio(n + 2, n + 1);
  EXPECT_GT(a, b);
  EXPECT_LT(b, a);
  EXPECT_EQ(a, *Exact::Ratio(n + 1, n));
}

TEST(ExactTest, OverflowIsOutOfRangeNamingTheOperation) {
  const Int128 big = static_cast<Int128>(1) << 120;
  const Exact x = *Exact::Ratio(big, 1);
  absl::StatusOr<Exact> product = x.Mul(E(256));
  ASSERT_EQ(product.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(product.status().message(),
              HasSubstr("exact arithmetic overflow: 1329227995784915872903807060280344576 * 256"));
  // 2^126 + 2^126 = 2^127 is one more than the largest Int128.
  const Exact half = *Exact::Ratio(static_cast<Int128>(1) << 126, 1);
  absl::StatusOr<Exact> sum = half.Add(half);
  ASSERT_EQ(sum.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(sum.status().message(), HasSubstr(" + 85070591730234615865843651857942052864 does not fit in 128 bits"));
  // -2^126 - 2^126 = -2^127 fits Int128 but could not be negated: refused too.
  absl::StatusOr<Exact> difference = half.Negate().Sub(half);
  ASSERT_EQ(difference.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(difference.status().message(), HasSubstr(" - "));
  // Adding fractions with large coprime denominators overflows the common denominator.
  const Exact third = *Exact::Ratio(1, (static_cast<Int128>(1) << 70) + 1);
  const Exact fifth = *Exact::Ratio(1, (static_cast<Int128>(1) << 70) - 1);
  EXPECT_EQ(third.Add(fifth).status().code(), absl::StatusCode::kOutOfRange);
  // A value beyond int64 cannot be paid.
  absl::StatusOr<int64_t> minor = x.RoundToMinor(RoundingMode::kHalfEven);
  ASSERT_EQ(minor.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(minor.status().message(), HasSubstr("does not fit in a 64-bit amount"));
  EXPECT_EQ(x.ToDecimal(RoundingMode::kHalfEven).status().code(), absl::StatusCode::kOutOfRange);
}

TEST(ExactTest, RoundsWithTheDeclaredMode) {
  // 4320.96 -> 4321 in every mode but down.
  const Exact a = *E(432096).Div(E(100));
  EXPECT_EQ(*a.RoundToMinor(RoundingMode::kHalfEven), 4321);
  EXPECT_EQ(*a.RoundToMinor(RoundingMode::kDown), 4320);
  // 2.5: half-even 2, half-up 3, down 2; -2.5: -2, -3, -2.
  EXPECT_EQ(*Q(5, 2).RoundToMinor(RoundingMode::kHalfEven), 2);
  EXPECT_EQ(*Q(5, 2).RoundToMinor(RoundingMode::kHalfUp), 3);
  EXPECT_EQ(*Q(-5, 2).RoundToMinor(RoundingMode::kHalfUp), -3);
  EXPECT_EQ(*Q(-5, 2).RoundToMinor(RoundingMode::kDown), -2);
  EXPECT_EQ(Q(1, 3).ToDecimal(RoundingMode::kHalfEven)->ToString(), "0.333333333");
  EXPECT_EQ(Q(2, 3).ToDecimal(RoundingMode::kDown)->ToString(), "0.666666666");
  EXPECT_EQ(Q(-2, 3).ToDecimal(RoundingMode::kHalfUp)->ToString(), "-0.666666667");
  EXPECT_TRUE(Q(7, 200).IsDecimal());
  EXPECT_FALSE(Q(1, 3).IsDecimal());
}

// ---- Proration -----------------------------------------------------------------------

TEST(ProrationTest, DaysOverDays) {
  EXPECT_EQ(*Proration(10, 30), Q(1, 3));
  EXPECT_EQ(*Proration(30, 30), E(1));
  EXPECT_EQ(Proration(0, 30).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Proration(31, 30).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Proration(1, 0).status().code(), absl::StatusCode::kInvalidArgument);
}

// ---- Tier tables ---------------------------------------------------------------------

TEST(CommissionTest, MarginalAndRetroactiveOnTheSameData) {
  // Quota 1,000,000; base 1,234,567 (attainment 1.234567).
  const CommissionInputs in{.base = E(1'234'567)};

  // Marginal: 1,000,000 × 0.02 = 20,000 on the first slice, plus
  // 234,567 × 0.04 = 9,382.68 above quota: 29,382.68, rounded half-even 29,383.
  const LineResult marginal = Line(TwoTiers(TierMethod::kMarginal), in);
  EXPECT_EQ(marginal.line.exact_amount, "29382.68");
  EXPECT_EQ(Rounded(marginal), 29'383);
  EXPECT_EQ(marginal.line.trace.attainment, "1.234567");
  EXPECT_EQ(marginal.line.trace.quota, "1000000");
  EXPECT_EQ(marginal.line.tier, 1);
  EXPECT_FALSE(marginal.line.rate.has_value());  // two rates applied
  ASSERT_EQ(marginal.line.trace.tiers.size(), 2u);
  EXPECT_EQ(marginal.line.trace.tiers[0].base, "1000000");
  EXPECT_EQ(marginal.line.trace.tiers[0].amount, "20000");
  EXPECT_EQ(marginal.line.trace.tiers[0].to, D("1"));
  EXPECT_EQ(marginal.line.trace.tiers[1].base, "234567");
  EXPECT_EQ(marginal.line.trace.tiers[1].amount, "9382.68");
  EXPECT_FALSE(marginal.line.trace.tiers[1].to.has_value());

  // Retroactive: the reached tier's 4 % on everything: 1,234,567 × 0.04 =
  // 49,382.68, rounded 49,383.
  const LineResult retro = Line(TwoTiers(TierMethod::kRetroactive), in);
  EXPECT_EQ(retro.line.exact_amount, "49382.68");
  EXPECT_EQ(Rounded(retro), 49'383);
  EXPECT_EQ(retro.line.rate, D("0.04"));
  EXPECT_EQ(retro.line.tier, 1);
  ASSERT_EQ(retro.line.trace.tiers.size(), 1u);
  EXPECT_EQ(retro.line.trace.tiers[0].tier, 1);
  EXPECT_EQ(retro.line.trace.tiers[0].base, "1234567");
}

TEST(CommissionTest, ExactlyAtATierBoundary) {
  // Base = quota = 1,000,000: attainment exactly 1 reaches the tier from 1
  // (a tier includes its `from`).
  const CommissionInputs at{.base = E(1'000'000)};
  // Marginal: 1,000,000 × 0.02 = 20,000; the tier from 1 has a slice of 0.
  const LineResult marginal = Line(TwoTiers(TierMethod::kMarginal), at);
  EXPECT_EQ(marginal.line.exact_amount, "20000");
  EXPECT_EQ(marginal.line.tier, 1);
  EXPECT_EQ(marginal.line.rate, D("0.02"));  // the only rate that paid
  ASSERT_EQ(marginal.line.trace.tiers.size(), 2u);
  EXPECT_EQ(marginal.line.trace.tiers[1].base, "0");
  // Retroactive: 4 % on all of it: 1,000,000 × 0.04 = 40,000.
  EXPECT_EQ(Line(TwoTiers(TierMethod::kRetroactive), at).line.exact_amount, "40000");
  // One fen below the boundary: 999,999 × 0.02 = 19,999.98 either way.
  const CommissionInputs below{.base = E(999'999)};
  EXPECT_EQ(Line(TwoTiers(TierMethod::kRetroactive), below).line.exact_amount, "19999.98");
  EXPECT_EQ(Line(TwoTiers(TierMethod::kRetroactive), below).line.tier, 0);
  EXPECT_EQ(Line(TwoTiers(TierMethod::kMarginal), below).line.exact_amount, "19999.98");
}

TEST(CommissionTest, AcceleratorAndDeceleratorTiers) {
  // 2 % to quota, 3 % to 150 %, an accelerator of 6 % to 200 %, then a
  // decelerator of 1 %.
  const PlanComponent plan = CommissionComponent(
      TierMethod::kMarginal,
      {RateTier("0", "0.02"), RateTier("1", "0.03"), RateTier("1.5", "0.06"), RateTier("2", "0.01")});
  // Base 1,800,000: 1,000,000 × 0.02 = 20,000 + 500,000 × 0.03 = 15,000
  // + 300,000 × 0.06 = 18,000 -> 53,000.
  const LineResult accelerated = Line(plan, {.base = E(1'800'000)});
  EXPECT_EQ(accelerated.line.exact_amount, "53000");
  EXPECT_EQ(accelerated.line.tier, 2);
  ASSERT_EQ(accelerated.line.trace.tiers.size(), 3u);
  EXPECT_EQ(accelerated.line.trace.tiers[2].base, "300000");
  EXPECT_EQ(accelerated.line.trace.tiers[2].amount, "18000");
  // Base 2,500,000: 20,000 + 15,000 + 500,000 × 0.06 = 30,000
  // + 500,000 × 0.01 = 5,000 -> 70,000.
  const LineResult decelerated = Line(plan, {.base = E(2'500'000)});
  EXPECT_EQ(decelerated.line.exact_amount, "70000");
  EXPECT_EQ(decelerated.line.tier, 3);
}

TEST(CommissionTest, FlatAmountTable) {
  const PlanComponent plan = CommissionComponent(
      TierMethod::kFlatAmount,
      {FlatTier("0", 0), FlatTier("0.8", 50'000), FlatTier("1", 100'000), FlatTier("1.2", 150'000)});
  // 799,999 / 1,000,000 = 0.799999: the tier from 0 pays 0.
  EXPECT_EQ(Line(plan, {.base = E(799'999)}).line.exact_amount, "0");
  // Exactly 0.8: 50,000.
  EXPECT_EQ(Line(plan, {.base = E(800'000)}).line.exact_amount, "50000");
  // 1.0: 100,000, whatever the base in the tier.
  const LineResult at_quota = Line(plan, {.base = E(1'000'000)});
  EXPECT_EQ(at_quota.line.exact_amount, "100000");
  EXPECT_EQ(at_quota.line.tier, 2);
  EXPECT_FALSE(at_quota.line.rate.has_value());
  ASSERT_EQ(at_quota.line.trace.tiers.size(), 1u);
  EXPECT_EQ(at_quota.line.trace.tiers[0].flat_minor, 100'000);
  // 1.3: the top tier, 150,000.
  EXPECT_EQ(Line(plan, {.base = E(1'300'000)}).line.exact_amount, "150000");
  // A flat amount is per period, prorated like the quota: 20 of 30 days on the
  // plan, quota 1,000,000 × 2/3 = 666,666.67; base 700,000 reaches 1.05 ->
  // 100,000 × 2/3 = 66,666.666..., rounded 66,667.
  const LineResult prorated = Line(plan, {.base = E(700'000), .proration = Q(2, 3)});
  EXPECT_EQ(prorated.line.tier, 2);
  EXPECT_EQ(prorated.line.exact_amount, "66666.666666667~");
  EXPECT_EQ(Rounded(prorated), 66'667);
}

TEST(CommissionTest, NoQuotaPaysTheSingleRateOnTheBase) {
  // 1,234,567 × 0.03 = 37,037.01.
  const PlanComponent plan = CommissionComponent(TierMethod::kMarginal, {RateTier("0", "0.03")}, std::nullopt);
  const LineResult line = Line(plan, {.base = E(1'234'567)});
  EXPECT_EQ(line.line.exact_amount, "37037.01");
  EXPECT_EQ(line.line.rate, D("0.03"));
  EXPECT_FALSE(line.line.trace.attainment.has_value());
  EXPECT_FALSE(line.line.trace.quota.has_value());
  // The inputs must agree with the plan about the quota.
  EXPECT_EQ(ComputeCommission(plan, {.base = E(1), .quota_minor = 5}).status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<LineResult> missing = ComputeCommission(TwoTiers(TierMethod::kMarginal), {.base = E(1)});
  ASSERT_EQ(missing.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(missing.status().message(), "component sales: the commission has a quota but none was given");
}

TEST(CommissionTest, NegativeBaseGivesMoneyBackAtTheFirstRate) {
  // Returns exceed sales by 100,000: marginal -100,000 × 0.02 = -2,000.
  const LineResult marginal = Line(TwoTiers(TierMethod::kMarginal), {.base = E(-100'000)});
  EXPECT_EQ(marginal.line.exact_amount, "-2000");
  EXPECT_EQ(marginal.line.rate, D("0.02"));
  EXPECT_THAT(marginal.line.trace.notes, ElementsAre(HasSubstr("negative base")));
  // Retroactive: the same (no tier above the first is reached).
  EXPECT_EQ(Line(TwoTiers(TierMethod::kRetroactive), {.base = E(-100'000)}).line.exact_amount, "-2000");
  // A flat-amount table pays nothing.
  const PlanComponent flat = CommissionComponent(TierMethod::kFlatAmount, {FlatTier("0", 10'000)});
  EXPECT_EQ(Line(flat, {.base = E(-100'000)}).line.exact_amount, "0");
  // -2,000 is not withheld by a fired gate: gates never forgive money owed.
  PlanComponent gated = TwoTiers(TierMethod::kMarginal);
  gated.gates.push_back({.id = "training", .when = GateCondition::kTrainingOverdue, .action = GateAction::kWithhold});
  const LineResult owed = Line(gated, {.base = E(-100'000), .gates = {{.training_overdue = true}}});
  EXPECT_EQ(owed.line.exact_amount, "-2000");
  EXPECT_TRUE(owed.line.trace.gates[0].fired);
  EXPECT_EQ(owed.line.trace.gates[0].effect, "none (the amount is not positive)");
}

// ---- Threshold and caps ----------------------------------------------------------------

TEST(CommissionTest, ThresholdAndPeriodCap) {
  PlanComponent plan = CommissionComponent(TierMethod::kMarginal, {RateTier("0", "0.02"), RateTier("1", "0.05")});
  plan.commission->threshold = D("0.5");
  plan.commission->cap_minor = 40'000;
  // 499,999 / 1,000,000 = 0.499999 < 0.5: nothing.
  const LineResult below = Line(plan, {.base = E(499'999)});
  EXPECT_EQ(below.line.exact_amount, "0");
  EXPECT_FALSE(below.line.tier.has_value());
  EXPECT_TRUE(below.line.trace.tiers.empty());
  EXPECT_THAT(below.line.trace.notes, ElementsAre("attainment 0.499999 is below the threshold 0.5: nothing is paid"));
  // Exactly at the threshold: 500,000 × 0.02 = 10,000 (the threshold's slice is paid too).
  EXPECT_EQ(Line(plan, {.base = E(500'000)}).line.exact_amount, "10000");
  // 1,500,000: 1,000,000 × 0.02 = 20,000 + 500,000 × 0.05 = 25,000 = 45,000,
  // capped at 40,000 per period.
  const LineResult capped = Line(plan, {.base = E(1'500'000)});
  EXPECT_EQ(capped.line.exact_amount, "40000");
  EXPECT_THAT(capped.line.trace.notes, ElementsAre("capped at 40000 per period (was 45000)"));
}

TEST(CommissionTest, AttainmentCap) {
  PlanComponent plan = CommissionComponent(TierMethod::kMarginal, {RateTier("0", "0.02"), RateTier("1", "0.05")});
  plan.commission->attainment_cap = D("1.5");
  // Base 2,000,000 is attainment 2, counted as 1.5: base 1,500,000:
  // 1,000,000 × 0.02 = 20,000 + 500,000 × 0.05 = 25,000 -> 45,000.
  const LineResult line = Line(plan, {.base = E(2'000'000)});
  EXPECT_EQ(line.line.exact_amount, "45000");
  EXPECT_EQ(line.line.base, "2000000");
  EXPECT_EQ(line.line.trace.attainment, "2");
  EXPECT_THAT(line.line.trace.notes, ElementsAre("attainment capped at 1.5 (was 2): base counted 1500000 of 2000000"));
  ASSERT_EQ(line.line.trace.tiers.size(), 2u);
  EXPECT_EQ(line.line.trace.tiers[1].base, "500000");
  // Below the cap nothing changes: 1,200,000 -> 20,000 + 200,000 × 0.05 = 30,000.
  EXPECT_EQ(Line(plan, {.base = E(1'200'000)}).line.exact_amount, "30000");
}

TEST(CommissionTest, AnnualCapReachedMidYear) {
  // 5 % of 6,000,000 = 300,000 a month, at most 1,000,000 a calendar year.
  PlanComponent plan = CommissionComponent(TierMethod::kMarginal, {RateTier("0", "0.05")}, std::nullopt);
  plan.commission->annual_cap_minor = 1'000'000;
  // January to March pay 300,000 each (900,000 paid); April pays the
  // 1,000,000 - 900,000 = 100,000 remaining; May and June pay 0.
  const std::vector<int64_t> expected = {300'000, 300'000, 300'000, 100'000, 0, 0};
  int64_t paid = 0;
  for (std::size_t month = 0; month < expected.size(); ++month) {
    const LineResult line = Line(plan, {.base = E(6'000'000), .paid_this_year = E(paid)});
    EXPECT_EQ(Rounded(line), expected[month]) << "month " << month + 1;
    paid += Rounded(line);
  }
  EXPECT_EQ(paid, 1'000'000);
  const LineResult april = Line(plan, {.base = E(6'000'000), .paid_this_year = E(900'000)});
  EXPECT_THAT(april.line.trace.notes,
              ElementsAre("annual cap 1000000: 900000 paid earlier this year, 100000 remaining (was 300000)"));
  // Paid beyond the cap already (a plan change): the remaining never goes below 0.
  EXPECT_EQ(Line(plan, {.base = E(6'000'000), .paid_this_year = E(1'200'000)}).line.exact_amount, "0");
}

// ---- Gates ---------------------------------------------------------------------------

// CSAT below 4.0 withholds the accelerator: attainment is counted at most 1.
PlanComponent CsatGated() {
  PlanComponent plan = CommissionComponent(TierMethod::kMarginal, {RateTier("0", "0.02"), RateTier("1", "0.05")});
  plan.gates.push_back({.id = "csat",
                        .when = GateCondition::kMetricBelow,
                        .metric = "csat",
                        .value = D("4.0"),
                        .action = GateAction::kCapAttainment,
                        .attainment_cap = D("1")});
  return plan;
}

TEST(GateTest, CsatGateThatFires) {
  // CSAT 3.9 (39 points over 10 answers) < 4.0: attainment 1.2 is counted as 1:
  // 1,000,000 × 0.02 = 20,000 (the 200,000 above quota earns nothing).
  const LineResult line = Line(CsatGated(), {.base = E(1'200'000), .gates = {{.metric_value = Q(39, 10)}}});
  EXPECT_EQ(line.line.exact_amount, "20000");
  ASSERT_EQ(line.line.trace.gates.size(), 1u);
  const GateTrace& gate = line.line.trace.gates[0];
  EXPECT_TRUE(gate.fired);
  EXPECT_EQ(gate.actual, "3.9");
  EXPECT_EQ(gate.value, D("4"));
  EXPECT_EQ(gate.metric, "csat");
  EXPECT_EQ(gate.effect, "attainment capped at 1 (was 1.2)");
  // Exact, not rounded: 3.9999999995 (not a Decimal) is below 4.0 and fires,
  // although it is shown rounded as "4~".
  const LineResult close =
      Line(CsatGated(), {.base = E(1'200'000), .gates = {{.metric_value = Q(7'999'999'999, 2'000'000'000)}}});
  EXPECT_TRUE(close.line.trace.gates[0].fired);
  EXPECT_EQ(close.line.trace.gates[0].actual, "4~");
  EXPECT_EQ(close.line.exact_amount, "20000");
}

TEST(GateTest, CsatGateThatDoesNotFire) {
  // CSAT exactly 4.0 is not below 4.0: 20,000 + 200,000 × 0.05 = 10,000 -> 30,000.
  const LineResult line = Line(CsatGated(), {.base = E(1'200'000), .gates = {{.metric_value = E(4)}}});
  EXPECT_EQ(line.line.exact_amount, "30000");
  EXPECT_FALSE(line.line.trace.gates[0].fired);
  EXPECT_EQ(line.line.trace.gates[0].effect, "none");
  EXPECT_EQ(line.line.trace.gates[0].actual, "4");
}

TEST(GateTest, TrainingOverdueWithholds) {
  PlanComponent plan = TwoTiers(TierMethod::kMarginal);
  plan.gates.push_back({.id = "training", .when = GateCondition::kTrainingOverdue, .action = GateAction::kWithhold});
  // 1,234,567 would pay 29,382.68 (see MarginalAndRetroactiveOnTheSameData).
  const LineResult overdue = Line(plan, {.base = E(1'234'567), .gates = {{.training_overdue = true}}});
  EXPECT_EQ(overdue.line.exact_amount, "0");
  EXPECT_EQ(overdue.line.trace.gates[0].effect, "withheld (was 29382.68)");
  EXPECT_EQ(overdue.line.trace.gates[0].actual, "overdue");
  const LineResult clear = Line(plan, {.base = E(1'234'567), .gates = {{.training_overdue = false}}});
  EXPECT_EQ(clear.line.exact_amount, "29382.68");
  EXPECT_FALSE(clear.line.trace.gates[0].fired);
}

TEST(GateTest, MetricWithNoValueFiresOnlyWhenDeclared) {
  Gate gate{.id = "csat",
            .when = GateCondition::kMetricBelow,
            .metric = "csat",
            .value = D("4"),
            .action = GateAction::kWithhold};
  PlanComponent plan = TwoTiers(TierMethod::kMarginal);
  plan.gates.push_back(gate);
  // No survey answers: by default the gate does not fire; 29,382.68 is paid.
  const LineResult lenient = Line(plan, {.base = E(1'234'567), .gates = {GateFacts{}}});
  EXPECT_EQ(lenient.line.exact_amount, "29382.68");
  EXPECT_FALSE(lenient.line.trace.gates[0].fired);
  EXPECT_FALSE(lenient.line.trace.gates[0].actual.has_value());
  // no_value_fires: it does, and withholds.
  plan.gates[0].no_value_fires = true;
  const LineResult strict = Line(plan, {.base = E(1'234'567), .gates = {GateFacts{}}});
  EXPECT_EQ(strict.line.exact_amount, "0");
  EXPECT_TRUE(strict.line.trace.gates[0].fired);
  EXPECT_FALSE(strict.line.trace.gates[0].actual.has_value());
}

TEST(GateTest, ScaleGate) {
  PlanComponent plan = CommissionComponent(TierMethod::kMarginal, {RateTier("0", "0.03")}, std::nullopt);
  plan.gates.push_back({.id = "cert",
                        .when = GateCondition::kCertificationMissing,
                        .course = "product_basics",
                        .action = GateAction::kScale,
                        .factor = D("0.5")});
  // 1,234,567 × 0.03 = 37,037.01, halved: 18,518.505, rounded half-even 18,519
  // (0.505 is above the half).
  const LineResult missing = Line(plan, {.base = E(1'234'567), .gates = {{.certification_held = false}}});
  EXPECT_EQ(missing.line.exact_amount, "18518.505");
  EXPECT_EQ(Rounded(missing), 18'519);
  EXPECT_EQ(missing.line.trace.gates[0].effect, "scaled by 0.5 (was 37037.01)");
  EXPECT_EQ(missing.line.trace.gates[0].actual, "missing");
  const LineResult held = Line(plan, {.base = E(1'234'567), .gates = {{.certification_held = true}}});
  EXPECT_EQ(held.line.exact_amount, "37037.01");
  // Facts for every gate are required.
  EXPECT_EQ(ComputeCommission(plan, {.base = E(1)}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(GateTest, MetricAtLeast) {
  const Gate gate{.id = "returns",
                  .when = GateCondition::kMetricAtLeast,
                  .metric = "return_rate",
                  .value = D("0.1"),
                  .action = GateAction::kWithhold};
  EXPECT_TRUE(EvaluateGate(gate, {.metric_value = Q(1, 10)}).fired);      // 0.1 >= 0.1
  EXPECT_FALSE(EvaluateGate(gate, {.metric_value = Q(99, 1000)}).fired);  // 0.099 < 0.1
  EXPECT_EQ(EvaluateGate(gate, {.metric_value = Q(1, 10)}).effect, "withheld");
}

// ---- Proration -------------------------------------------------------------------------

TEST(CommissionTest, MidPeriodHire) {
  // Hired on 21 June: on the plan 10 of June's 30 days, proration 1/3. The
  // quota 1,000,000 becomes 1,000,000/3 = 333,333.333...; base 500,000 is
  // attainment 500,000 / (1,000,000/3) = 1.5.
  //   tier 0: (1,000,000/3) × 0.02 = 20,000/3
  //   tier 1: (500,000 - 1,000,000/3) × 0.04 = (500,000/3) × 0.04 = 20,000/3
  //   total 40,000/3 = 13,333.333..., rounded half-even 13,333.
  // (Unprorated it would be 500,000 × 0.02 = 10,000 at attainment 0.5.)
  const LineResult line = Line(TwoTiers(TierMethod::kMarginal), {.base = E(500'000), .proration = *Proration(10, 30)});
  EXPECT_EQ(line.amount, Q(40'000, 3));
  EXPECT_EQ(line.line.exact_amount, "13333.333333333~");
  EXPECT_EQ(Rounded(line), 13'333);
  EXPECT_EQ(line.line.trace.quota_minor, 1'000'000);
  EXPECT_EQ(line.line.trace.proration, D("0.333333333"));
  EXPECT_EQ(line.line.trace.quota, "333333.333333333~");
  EXPECT_EQ(line.line.trace.attainment, "1.5");
  ASSERT_EQ(line.line.trace.tiers.size(), 2u);
  EXPECT_EQ(line.line.trace.tiers[0].amount, "6666.666666667~");
  EXPECT_EQ(line.line.trace.tiers[1].base, "166666.666666667~");
  EXPECT_THAT(line.line.trace.notes,
              ElementsAre("quota 1000000 prorated by 1/3 (days on the plan / days in the period): "
                          "333333.333333333~"));
  EXPECT_EQ(ComputeCommission(TwoTiers(TierMethod::kMarginal), {.base = E(1), .quota_minor = 1, .proration = E(2)})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

// ---- KPI bonus -------------------------------------------------------------------------

PlanComponent Bonus() {
  PlanComponent c;
  c.id = "kpi";
  c.type = ComponentType::kKpiBonus;
  c.kpi_bonus = KpiBonus{.scorecard = "monthly", .target_incentive_minor = 200'000, .floor = D("0.5"), .cap = D("1.5")};
  return c;
}

std::string BonusAmount(const PlanComponent& c, KpiBonusInputs in) {
  absl::StatusOr<LineResult> line = ComputeKpiBonus(c, in);
  EXPECT_TRUE(line.ok()) << line.status();
  return line.ok() ? line->line.exact_amount : "";
}

TEST(KpiBonusTest, TargetTimesClampedTotal) {
  // 200,000 × 1.2 = 240,000.
  EXPECT_EQ(BonusAmount(Bonus(), {.total = Exact::FromDecimal(D("1.2"))}), "240000");
  // 0.3 is raised to the floor 0.5: 100,000.
  EXPECT_EQ(BonusAmount(Bonus(), {.total = Exact::FromDecimal(D("0.3"))}), "100000");
  // 1.8 is lowered to the cap 1.5: 300,000.
  EXPECT_EQ(BonusAmount(Bonus(), {.total = Exact::FromDecimal(D("1.8"))}), "300000");
  // No total: counted as 0, so the floor: 100,000.
  EXPECT_EQ(BonusAmount(Bonus(), {}), "100000");
  // A total of 2/3 (not a Decimal): 200,000 × 2/3 = 133,333.333...
  absl::StatusOr<LineResult> third = ComputeKpiBonus(Bonus(), {.total = Q(2, 3)});
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->line.exact_amount, "133333.333333333~");
  EXPECT_FALSE(third->line.rate.has_value());
  EXPECT_EQ(third->line.trace.attainment, "0.666666667~");
  // Prorated 20/30: 200,000 × 2/3 × 1.2 = 160,000.
  absl::StatusOr<LineResult> hired =
      ComputeKpiBonus(Bonus(), {.total = Exact::FromDecimal(D("1.2")), .proration = *Proration(20, 30)});
  ASSERT_TRUE(hired.ok());
  EXPECT_EQ(hired->line.exact_amount, "160000");
  EXPECT_EQ(hired->line.base, "133333.333333333~");
  EXPECT_EQ(hired->line.rate, D("1.2"));
}

TEST(KpiBonusTest, GatesCapAndWithhold) {
  PlanComponent c = Bonus();
  c.gates.push_back({.id = "csat",
                     .when = GateCondition::kMetricBelow,
                     .metric = "csat",
                     .value = D("4"),
                     .action = GateAction::kCapAttainment,
                     .attainment_cap = D("1")});
  // CSAT 3.5 fires: the total 1.2 counts as 1: 200,000.
  EXPECT_EQ(BonusAmount(c, {.total = Exact::FromDecimal(D("1.2")), .gates = {{.metric_value = Q(7, 2)}}}), "200000");
  // CSAT 4.5 does not: 240,000.
  EXPECT_EQ(BonusAmount(c, {.total = Exact::FromDecimal(D("1.2")), .gates = {{.metric_value = Q(9, 2)}}}), "240000");
  c.gates[0] = {.id = "training", .when = GateCondition::kTrainingOverdue, .action = GateAction::kWithhold};
  EXPECT_EQ(BonusAmount(c, {.total = Exact::FromDecimal(D("1.2")), .gates = {{.training_overdue = true}}}), "0");
}

// ---- Draws -----------------------------------------------------------------------------

TEST(DrawTest, RecoverableDrawPaidBackOverTwoPeriods) {
  const Draw draw{.kind = DrawKind::kRecoverable, .amount_minor = 300'000};
  // Month 1: earnings 120,000 < 300,000: an advance of 180,000; balance 180,000.
  absl::StatusOr<DrawResult> m1 = ComputeDraw(draw, 120'000, 0, E(1), RoundingMode::kHalfEven);
  ASSERT_TRUE(m1.ok()) << m1.status();
  ASSERT_EQ(m1->lines.size(), 1u);
  EXPECT_EQ(m1->lines[0].line.kind, LineKind::kDraw);
  EXPECT_EQ(m1->lines[0].line.id, "draw");
  EXPECT_EQ(m1->lines[0].line.amount_minor, 180'000);
  EXPECT_EQ(m1->balance_after_minor, 180'000);
  EXPECT_THAT(m1->lines[0].line.trace.notes, ElementsAre(HasSubstr("balance 0 -> 180000")));
  // Month 2: earnings 400,000 are 100,000 above the draw: recover 100,000;
  // balance 80,000 (paid 400,000 - 100,000 = 300,000).
  absl::StatusOr<DrawResult> m2 = ComputeDraw(draw, 400'000, m1->balance_after_minor, E(1), RoundingMode::kHalfEven);
  ASSERT_TRUE(m2.ok());
  ASSERT_EQ(m2->lines.size(), 1u);
  EXPECT_EQ(m2->lines[0].line.kind, LineKind::kDrawRecovery);
  EXPECT_EQ(m2->lines[0].line.amount_minor, -100'000);
  EXPECT_EQ(m2->lines[0].line.exact_amount, "-100000");
  EXPECT_EQ(m2->balance_after_minor, 80'000);
  // Month 3: earnings 500,000 are 200,000 above: recover the last 80,000
  // (min(80,000, 200,000)); balance 0 (paid 420,000).
  absl::StatusOr<DrawResult> m3 = ComputeDraw(draw, 500'000, m2->balance_after_minor, E(1), RoundingMode::kHalfEven);
  ASSERT_TRUE(m3.ok());
  ASSERT_EQ(m3->lines.size(), 1u);
  EXPECT_EQ(m3->lines[0].line.amount_minor, -80'000);
  EXPECT_EQ(m3->balance_after_minor, 0);
  // Month 4: nothing outstanding, nothing to top up: no line.
  absl::StatusOr<DrawResult> m4 = ComputeDraw(draw, 500'000, 0, E(1), RoundingMode::kHalfEven);
  ASSERT_TRUE(m4.ok());
  EXPECT_TRUE(m4->lines.empty());
  EXPECT_EQ(m4->balance_after_minor, 0);
}

TEST(DrawTest, NonRecoverableGuarantee) {
  const Draw guarantee{.kind = DrawKind::kNonRecoverable, .amount_minor = 300'000};
  // Earnings 120,000: topped up by 180,000, never recovered.
  absl::StatusOr<DrawResult> m1 = ComputeDraw(guarantee, 120'000, 0, E(1), RoundingMode::kHalfEven);
  ASSERT_TRUE(m1.ok());
  ASSERT_EQ(m1->lines.size(), 1u);
  EXPECT_EQ(m1->lines[0].line.amount_minor, 180'000);
  EXPECT_EQ(m1->balance_after_minor, 0);
  // Earnings 400,000 the month after: no recovery line.
  absl::StatusOr<DrawResult> m2 = ComputeDraw(guarantee, 400'000, 0, E(1), RoundingMode::kHalfEven);
  ASSERT_TRUE(m2.ok());
  EXPECT_TRUE(m2->lines.empty());
  // Negative earnings (money given back) are topped up to the guarantee too:
  // 300,000 - (-5,000) = 305,000.
  EXPECT_EQ(ComputeDraw(guarantee, -5'000, 0, E(1), RoundingMode::kHalfEven)->lines[0].line.amount_minor, 305'000);
}

TEST(DrawTest, ProratedDrawIsRoundedOnce) {
  // Hired for 10 of 30 days: 100,001 × 1/3 = 33,333.666... rounds half-even to
  // 33,334; earnings 10,000: top-up 23,334.
  const Draw draw{.kind = DrawKind::kRecoverable, .amount_minor = 100'001};
  absl::StatusOr<DrawResult> r = ComputeDraw(draw, 10'000, 0, Q(1, 3), RoundingMode::kHalfEven);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->lines[0].line.amount_minor, 23'334);
  EXPECT_EQ(r->balance_after_minor, 23'334);
  // Rounded down instead: 33,333; top-up 23,333.
  EXPECT_EQ(ComputeDraw(draw, 10'000, 0, Q(1, 3), RoundingMode::kDown)->lines[0].line.amount_minor, 23'333);
}

// ---- Rounding --------------------------------------------------------------------------

TEST(RoundingTest, PerLineAndPerStatementGiveDifferentCents) {
  // Two components at 3.5 % of 10,010 each: 10,010 × 0.035 = 350.35 each.
  PlanComponent a = CommissionComponent(TierMethod::kMarginal, {RateTier("0", "0.035")}, std::nullopt);
  PlanComponent b = a;
  b.id = "service";
  auto lines = [&] { return std::vector<LineResult>{Line(a, {.base = E(10'010)}), Line(b, {.base = E(10'010)})}; };
  // Per line, half-even: 350.35 -> 350 twice: 700.
  std::vector<LineResult> per_line = lines();
  absl::StatusOr<RoundedTotal> line_total =
      Round(per_line, {.mode = RoundingMode::kHalfEven, .scope = RoundingScope::kLine});
  ASSERT_TRUE(line_total.ok()) << line_total.status();
  EXPECT_EQ(line_total->total_minor, 700);
  EXPECT_EQ(line_total->exact_total.ToText(), "700.7");
  EXPECT_EQ(per_line[0].line.amount_minor, 350);
  EXPECT_EQ(per_line[1].line.amount_minor, 350);
  EXPECT_EQ(line_total->note,
            "rounded per line (half_even): the lines add up to 700; their exact sum is 700.7 (701 rounded once)");
  // Per statement: 350.35 + 350.35 = 700.7 -> 701, one fen more; the lines
  // still show 350 each, for display.
  std::vector<LineResult> per_statement = lines();
  absl::StatusOr<RoundedTotal> statement_total =
      Round(per_statement, {.mode = RoundingMode::kHalfEven, .scope = RoundingScope::kStatement});
  ASSERT_TRUE(statement_total.ok());
  EXPECT_EQ(statement_total->total_minor, 701);
  EXPECT_EQ(per_statement[0].line.amount_minor, 350);
  EXPECT_EQ(per_statement[0].line.exact_amount, "350.35");
  EXPECT_EQ(statement_total->note,
            "rounded once on the statement (half_even): the exact sum 700.7 is 701; the lines as shown, each rounded "
            "for display, add up to 700");
}

TEST(RoundingTest, ModesDecideTies) {
  // Three lines of 100.5, 200.5 and 300.5 (exact halves), sum 601.5.
  auto lines = [] {
    std::vector<LineResult> out(3);
    out[0].amount = *Exact::Ratio(201, 2);
    out[1].amount = *Exact::Ratio(401, 2);
    out[2].amount = *Exact::Ratio(601, 2);
    return out;
  };
  // Per line half-even: 100 + 200 + 300 = 600; half-up: 101 + 201 + 301 = 603;
  // down: 600. Per statement: 601.5 -> 602 (half-even, 601 odd), 602 (half-up), 601 (down).
  const struct {
    RoundingMode mode;
    RoundingScope scope;
    int64_t total;
  } cases[] = {{RoundingMode::kHalfEven, RoundingScope::kLine, 600},
               {RoundingMode::kHalfUp, RoundingScope::kLine, 603},
               {RoundingMode::kDown, RoundingScope::kLine, 600},
               {RoundingMode::kHalfEven, RoundingScope::kStatement, 602},
               {RoundingMode::kHalfUp, RoundingScope::kStatement, 602},
               {RoundingMode::kDown, RoundingScope::kStatement, 601}};
  for (const auto& c : cases) {
    std::vector<LineResult> l = lines();
    absl::StatusOr<RoundedTotal> total = Round(l, {.mode = c.mode, .scope = c.scope});
    ASSERT_TRUE(total.ok());
    EXPECT_EQ(total->total_minor, c.total) << static_cast<int>(c.mode) << " " << static_cast<int>(c.scope);
  }
}

}  // namespace
}  // namespace cadre::incentive_internal
