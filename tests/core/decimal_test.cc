#include "cadre/decimal.h"

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "cadre/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cadre {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr RoundingMode kHalfEven = RoundingMode::kHalfEven;
constexpr RoundingMode kHalfUp = RoundingMode::kHalfUp;
constexpr RoundingMode kDown = RoundingMode::kDown;

// Parses a literal the test knows to be valid.
Decimal D(std::string_view text) {
  absl::StatusOr<Decimal> d = Decimal::Parse(text);
  EXPECT_TRUE(d.ok()) << text << ": " << d.status();
  return d.ok() ? *d : Decimal();
}

// ---- Parse -------------------------------------------------------------------

struct ParseCase {
  std::string_view text;
  int64_t units;
};

TEST(DecimalParseTest, AcceptsPlainDecimals) {
  const ParseCase cases[] = {
      {"12", 12'000'000'000},
      {"-0.035", -35'000'000},
      {"+1.5", 1'500'000'000},
      {"0", 0},
      {"-0", 0},
      {"+0.0", 0},
      {"007.50", 7'500'000'000},  // leading zeros are harmless
      {"1.000000000", 1'000'000'000},
      {"0.000000001", 1},
      {"-0.000000001", -1},
      {"0.123456789", 123'456'789},
      {"9223372036.854775807", kMax},
      {"-9223372036.854775808", kMin},
      {"00000000000000000000000000001", 1'000'000'000},
  };
  for (const ParseCase& c : cases) {
    absl::StatusOr<Decimal> d = Decimal::Parse(c.text);
    ASSERT_TRUE(d.ok()) << c.text << ": " << d.status();
    EXPECT_EQ(d->units(), c.units) << c.text;
  }
}

struct RefuseCase {
  std::string_view text;
  std::string_view rule_part;
};

TEST(DecimalParseTest, RefusesEverythingElse) {
  constexpr std::string_view kShape = "expected a decimal number";
  constexpr std::string_view kDigits = "at most 9 fractional digits";
  constexpr std::string_view kRange = "out of range";
  const RefuseCase cases[] = {
      {"", kShape},
      {"+", kShape},
      {"-", kShape},
      {"1.", kShape},
      {".5", kShape},
      {"-.5", kShape},
      {"1e3", kShape},
      {"1E-3", kShape},
      {"1.5e2", kShape},
      {" 1", kShape},
      {"1 ", kShape},
      {"1\n", kShape},
      {"1,5", kShape},
      {"1..2", kShape},
      {"--1", kShape},
      {"+-1", kShape},
      {"0x10", kShape},
      {"NaN", kShape},
      {"inf", kShape},
      {"12%", kShape},
      {"\xD9\xA1", kShape},  // ARABIC-INDIC DIGIT ONE is not a digit here
      {"0.0000000001", kDigits},
      {"1.0000000000", kDigits},  // even when the extra digit is a zero
      {"9223372036.854775808", kRange},
      {"-9223372036.854775809", kRange},
      {"9223372037", kRange},
      {"99999999999999999999999999999999999999999", kRange},
  };
  for (const RefuseCase& c : cases) {
    absl::StatusOr<Decimal> d = Decimal::Parse(c.text);
    ASSERT_FALSE(d.ok()) << c.text << " parsed as " << d->ToString();
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_THAT(std::string(d.status().message()), HasSubstr(c.rule_part)) << c.text;
    std::optional<FieldErrorDetails> details = GetFieldErrorDetails(d.status());
    ASSERT_TRUE(details.has_value()) << c.text;
    EXPECT_EQ(details->path, "");  // callers add the path with PrefixPath
    EXPECT_THAT(details->rule, HasSubstr(c.rule_part));
  }
}

TEST(DecimalParseTest, MessageQuotesTheValue) {
  absl::Status status = Decimal::Parse("1e3").status();
  EXPECT_EQ(status.message(), "expected a decimal number like \"12\", \"-0.035\" or \"+1.5\", got \"1e3\"");
  EXPECT_EQ(PrefixPath(status, "plan.rate").message(),
            "plan.rate: expected a decimal number like \"12\", \"-0.035\" or \"+1.5\", got \"1e3\"");
}

// ---- ToString ----------------------------------------------------------------

TEST(DecimalToStringTest, ShortestExactText) {
  EXPECT_EQ(Decimal().ToString(), "0");
  EXPECT_EQ(Decimal::FromUnits(12'000'000'000).ToString(), "12");
  EXPECT_EQ(Decimal::FromUnits(-35'000'000).ToString(), "-0.035");
  EXPECT_EQ(Decimal::FromUnits(1'500'000'000).ToString(), "1.5");
  EXPECT_EQ(Decimal::FromUnits(1).ToString(), "0.000000001");
  EXPECT_EQ(Decimal::FromUnits(-1).ToString(), "-0.000000001");
  EXPECT_EQ(Decimal::FromUnits(100'000'000'000).ToString(), "100");
  EXPECT_EQ(Decimal::FromUnits(100'000'000'010).ToString(), "100.00000001");
  EXPECT_EQ(Decimal::FromUnits(kMax).ToString(), "9223372036.854775807");
  EXPECT_EQ(Decimal::FromUnits(kMin).ToString(), "-9223372036.854775808");
}

TEST(DecimalToStringTest, RoundTripsThroughParse) {
  const int64_t units[] = {0, 1, -1, 7, 10, 123'456'789, -1'000'000'000, 999'999'999'999, kMax, kMin, kMin + 1};
  for (int64_t u : units) {
    Decimal d = Decimal::FromUnits(u);
    absl::StatusOr<Decimal> back = Decimal::Parse(d.ToString());
    ASSERT_TRUE(back.ok()) << d.ToString();
    EXPECT_EQ(*back, d) << d.ToString();
  }
}

// ---- FromInt and comparisons -------------------------------------------------

TEST(DecimalTest, FromIntIsExactOrOutOfRange) {
  ASSERT_TRUE(Decimal::FromInt(12).ok());
  EXPECT_EQ(Decimal::FromInt(12)->units(), 12'000'000'000);
  EXPECT_EQ(Decimal::FromInt(-9'223'372'036)->units(), -9'223'372'036'000'000'000);
  EXPECT_EQ(Decimal::FromInt(9'223'372'037).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Decimal::FromInt(-9'223'372'037).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Decimal::FromInt(kMax).status().code(), absl::StatusCode::kOutOfRange);
}

TEST(DecimalTest, OrdersByValue) {
  EXPECT_LT(D("-1"), D("-0.5"));
  EXPECT_LT(D("0.035"), D("0.04"));
  EXPECT_EQ(D("1.50"), D("1.5"));
  EXPECT_GT(D("10"), D("9.999999999"));
}

// ---- Add / Sub ---------------------------------------------------------------

TEST(DecimalArithmeticTest, AddAndSub) {
  EXPECT_EQ(D("0.1").Add(D("0.2"))->ToString(), "0.3");  // exact, unlike binary floating point
  EXPECT_EQ(D("1").Sub(D("1.035"))->ToString(), "-0.035");
  EXPECT_EQ(Decimal::FromUnits(kMax - 1).Add(Decimal::FromUnits(1))->units(), kMax);
  EXPECT_EQ(Decimal::FromUnits(kMin + 1).Sub(Decimal::FromUnits(1))->units(), kMin);
}

TEST(DecimalArithmeticTest, AddAndSubOverflow) {
  absl::Status add = Decimal::FromUnits(kMax).Add(Decimal::FromUnits(1)).status();
  EXPECT_EQ(add.code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(std::string(add.message()), HasSubstr("9223372036.854775807 + 0.000000001"));
  EXPECT_EQ(Decimal::FromUnits(kMin).Sub(Decimal::FromUnits(1)).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Decimal::FromUnits(kMin).Add(Decimal::FromUnits(-1)).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Decimal::FromUnits(0).Sub(Decimal::FromUnits(kMin)).status().code(), absl::StatusCode::kOutOfRange);
}

// ---- Mul / Div ---------------------------------------------------------------

struct BinaryCase {
  std::string_view a, b;
  RoundingMode mode;
  std::string_view expected;
};

TEST(DecimalArithmeticTest, MulRoundsOnceWithTheGivenMode) {
  const BinaryCase cases[] = {
      {"1.5", "2", kHalfEven, "3"},
      {"0.035", "0.035", kHalfEven, "0.001225"},
      {"-0.035", "100", kDown, "-3.5"},
      {"-2", "-3", kDown, "6"},
      // 0.000000001 * 0.5 = 0.0000000005, a tie at the ninth digit.
      {"0.000000001", "0.5", kHalfEven, "0"},
      {"0.000000001", "0.5", kHalfUp, "0.000000001"},
      {"0.000000001", "0.5", kDown, "0"},
      {"-0.000000001", "0.5", kHalfEven, "0"},
      {"-0.000000001", "0.5", kHalfUp, "-0.000000001"},
      {"-0.000000001", "0.5", kDown, "0"},
      // 0.000000003 * 0.5 = 0.0000000015: ties to even goes up to 2.
      {"0.000000003", "0.5", kHalfEven, "0.000000002"},
      {"-0.000000003", "0.5", kHalfEven, "-0.000000002"},
      // 0.333333333 * 2 is exact.
      {"0.333333333", "2", kDown, "0.666666666"},
      // 0.123456789 * 0.1 = 0.0123456789, not a tie.
      {"0.123456789", "0.1", kHalfEven, "0.012345679"},
      {"0.123456789", "0.1", kDown, "0.012345678"},
      {"-0.123456789", "0.1", kHalfUp, "-0.012345679"},
  };
  for (const BinaryCase& c : cases) {
    absl::StatusOr<Decimal> r = D(c.a).Mul(D(c.b), c.mode);
    ASSERT_TRUE(r.ok()) << c.a << " * " << c.b << ": " << r.status();
    EXPECT_EQ(r->ToString(), c.expected) << c.a << " * " << c.b << " mode " << static_cast<int>(c.mode);
  }
}

TEST(DecimalArithmeticTest, MulOverflow) {
  absl::Status status = D("100000").Mul(D("100000"), kHalfEven).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(std::string(status.message()), HasSubstr("100000 * 100000"));
  EXPECT_EQ(Decimal::FromUnits(kMin).Mul(D("-1"), kDown).status().code(), absl::StatusCode::kOutOfRange);
  // The full-width product of two large units still does not wrap around.
  EXPECT_EQ(Decimal::FromUnits(kMax).Mul(Decimal::FromUnits(kMax), kDown).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Decimal::FromUnits(kMax).Mul(D("1"), kDown)->units(), kMax);
  EXPECT_EQ(Decimal::FromUnits(kMin).Mul(D("1"), kDown)->units(), kMin);
}

TEST(DecimalArithmeticTest, DivRoundsOnceWithTheGivenMode) {
  const BinaryCase cases[] = {
      {"1", "3", kHalfEven, "0.333333333"},
      {"1", "3", kHalfUp, "0.333333333"},
      {"1", "3", kDown, "0.333333333"},
      {"2", "3", kHalfEven, "0.666666667"},
      {"2", "3", kHalfUp, "0.666666667"},
      {"2", "3", kDown, "0.666666666"},
      {"-2", "3", kHalfEven, "-0.666666667"},
      {"-2", "3", kDown, "-0.666666666"},
      {"2", "-3", kHalfUp, "-0.666666667"},
      {"-2", "-3", kDown, "0.666666666"},
      {"1", "-4", kDown, "-0.25"},
      {"1", "0.000000001", kDown, "1000000000"},
      // 0.000000001 / 2 = 0.0000000005: a tie.
      {"0.000000001", "2", kHalfEven, "0"},
      {"0.000000001", "2", kHalfUp, "0.000000001"},
      {"0.000000003", "2", kHalfEven, "0.000000002"},
      {"-0.000000001", "2", kHalfUp, "-0.000000001"},
      {"0.000000001", "-2", kHalfUp, "-0.000000001"},
      {"-0.000000003", "2", kHalfEven, "-0.000000002"},
      {"-0.000000003", "2", kDown, "-0.000000001"},
  };
  for (const BinaryCase& c : cases) {
    absl::StatusOr<Decimal> r = D(c.a).Div(D(c.b), c.mode);
    ASSERT_TRUE(r.ok()) << c.a << " / " << c.b << ": " << r.status();
    EXPECT_EQ(r->ToString(), c.expected) << c.a << " / " << c.b << " mode " << static_cast<int>(c.mode);
  }
}

TEST(DecimalArithmeticTest, DivByZeroAndOverflow) {
  absl::Status zero = D("1.5").Div(Decimal(), kHalfEven).status();
  EXPECT_EQ(zero.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(zero.message()), HasSubstr("division by zero"));
  EXPECT_EQ(D("10").Div(D("0.000000001"), kDown).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Decimal::FromUnits(kMin).Div(D("-1"), kDown).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Decimal::FromUnits(kMin).Div(D("1"), kDown)->units(), kMin);
}

// ---- Round -------------------------------------------------------------------

struct RoundCase {
  std::string_view value;
  int digits;
  std::string_view half_even, half_up, down;
};

TEST(DecimalRoundTest, AllModesWithPositiveAndNegativeTies) {
  const RoundCase cases[] = {
      // value   digits  half-even  half-up   down
      {"2.5", 0, "2", "3", "2"},
      {"3.5", 0, "4", "4", "3"},
      {"-2.5", 0, "-2", "-3", "-2"},
      {"-3.5", 0, "-4", "-4", "-3"},
      {"0.5", 0, "0", "1", "0"},
      {"-0.5", 0, "0", "-1", "0"},
      {"2.4", 0, "2", "2", "2"},
      {"2.6", 0, "3", "3", "2"},
      {"-2.6", 0, "-3", "-3", "-2"},
      {"2.500000001", 0, "3", "3", "2"},  // just above the tie
      {"-2.499999999", 0, "-2", "-2", "-2"},
      {"1.005", 2, "1", "1.01", "1"},
      {"1.015", 2, "1.02", "1.02", "1.01"},
      {"-1.005", 2, "-1", "-1.01", "-1"},
      {"-1.015", 2, "-1.02", "-1.02", "-1.01"},
      {"12.345678912", 8, "12.34567891", "12.34567891", "12.34567891"},
      {"0.000000005", 8, "0", "0.00000001", "0"},
      {"0.000000015", 8, "0.00000002", "0.00000002", "0.00000001"},
      {"7", 0, "7", "7", "7"},
  };
  for (const RoundCase& c : cases) {
    const Decimal d = D(c.value);
    EXPECT_EQ(d.Round(c.digits, kHalfEven).ToString(), c.half_even) << c.value << " @" << c.digits;
    EXPECT_EQ(d.Round(c.digits, kHalfUp).ToString(), c.half_up) << c.value << " @" << c.digits;
    EXPECT_EQ(d.Round(c.digits, kDown).ToString(), c.down) << c.value << " @" << c.digits;
  }
}

TEST(DecimalRoundTest, DigitsOutsideZeroToNineAreClamped) {
  const Decimal d = D("2.123456789");
  EXPECT_EQ(d.Round(9, kHalfUp), d);
  EXPECT_EQ(d.Round(12, kHalfUp), d);
  EXPECT_EQ(d.Round(-3, kHalfUp).ToString(), "2");
}

TEST(DecimalRoundTest, NearTheLimitsRoundsTowardZeroInsteadOfOverflowing) {
  // 9223372036.854775807 rounded half-up to 0 digits would be 9223372037, which
  // does not fit; the documented fallback is toward zero.
  EXPECT_EQ(Decimal::FromUnits(kMax).Round(0, kHalfUp).ToString(), "9223372036");
  EXPECT_EQ(Decimal::FromUnits(kMin).Round(0, kHalfEven).ToString(), "-9223372036");
  EXPECT_EQ(Decimal::FromUnits(kMax).Round(2, kDown).ToString(), "9223372036.85");
  EXPECT_EQ(Decimal::FromUnits(kMax).Round(2, kHalfEven).ToString(), "9223372036.85");
}

// ---- DivideRounded -----------------------------------------------------------

struct DivideCase {
  int64_t value, divisor;
  int64_t half_even, half_up, down;
};

TEST(DivideRoundedTest, TableOfTiesAndNonTies) {
  const DivideCase cases[] = {
      // value divisor half-even half-up down
      {5, 2, 2, 3, 2},       {7, 2, 4, 4, 3},   {-5, 2, -2, -3, -2},   {-7, 2, -4, -4, -3}, {1, 2, 0, 1, 0},
      {-1, 2, 0, -1, 0},     {1, 3, 0, 0, 0},   {2, 3, 1, 1, 0},       {-2, 3, -1, -1, 0},  {-1, 3, 0, 0, 0},
      {0, 5, 0, 0, 0},       {10, 5, 2, 2, 2},  {-10, 5, -2, -2, -2},  {15, 10, 2, 2, 1},   {25, 10, 2, 3, 2},
      {-25, 10, -2, -3, -2}, {26, 10, 3, 3, 2}, {-24, 10, -2, -2, -2},
  };
  for (const DivideCase& c : cases) {
    EXPECT_EQ(DivideRounded(c.value, c.divisor, kHalfEven), c.half_even) << c.value << "/" << c.divisor;
    EXPECT_EQ(DivideRounded(c.value, c.divisor, kHalfUp), c.half_up) << c.value << "/" << c.divisor;
    EXPECT_EQ(DivideRounded(c.value, c.divisor, kDown), c.down) << c.value << "/" << c.divisor;
  }
}

TEST(DivideRoundedTest, WorksBeyondSixtyFourBits) {
  const Int128 big = static_cast<Int128>(kMax) * 1'000'000'000;  // ~9.2e27
  EXPECT_EQ(DivideRounded(big, 1'000'000'000, kDown), kMax);
  EXPECT_EQ(DivideRounded(-big - 500'000'000, 1'000'000'000, kHalfUp), kMin);    // -(kMax + 0.5) -> -(kMax + 1)
  EXPECT_EQ(DivideRounded(-big - 500'000'000, 1'000'000'000, kHalfEven), kMin);  // kMax is odd: tie goes to even
  EXPECT_EQ(DivideRounded(-big - 500'000'000, 1'000'000'000, kDown), -kMax);
  // A divisor near 2^100 does not overflow the tie comparison.
  const Int128 huge = static_cast<Int128>(1) << 100;
  EXPECT_EQ(DivideRounded(huge / 2, huge, kHalfUp), 1);
  EXPECT_EQ(DivideRounded(huge / 2, huge, kHalfEven), 0);
  EXPECT_EQ(DivideRounded(huge / 2 - 1, huge, kHalfUp), 0);
}

// ---- MultiplyMinor -----------------------------------------------------------

struct MinorCase {
  int64_t minor;
  std::string_view rate;
  int64_t half_even, half_up, down;
};

TEST(MultiplyMinorTest, RoundsOnceToMinorUnits) {
  const MinorCase cases[] = {
      // minor   rate     half-even half-up down
      {123456, "0.035", 4321, 4321, 4320},  // 4320.96, the header's example
      {250, "0.01", 2, 3, 2},               // 2.5: tie
      {350, "0.01", 4, 4, 3},               // 3.5: tie
      {-250, "0.01", -2, -3, -2},
      {-350, "0.01", -4, -4, -3},
      {-123456, "0.035", -4321, -4321, -4320},
      {12999, "1", 12999, 12999, 12999},
      {12999, "0", 0, 0, 0},
      {100, "-0.155", -16, -16, -15},  // -15.5: tie on the negative side
      {1, "0.499999999", 0, 0, 0},
      {1, "0.5", 0, 1, 0},
  };
  for (const MinorCase& c : cases) {
    EXPECT_EQ(*MultiplyMinor(c.minor, D(c.rate), kHalfEven), c.half_even) << c.minor << " * " << c.rate;
    EXPECT_EQ(*MultiplyMinor(c.minor, D(c.rate), kHalfUp), c.half_up) << c.minor << " * " << c.rate;
    EXPECT_EQ(*MultiplyMinor(c.minor, D(c.rate), kDown), c.down) << c.minor << " * " << c.rate;
  }
}

TEST(MultiplyMinorTest, Overflow) {
  absl::Status status = MultiplyMinor(kMax, D("2"), kHalfEven).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(std::string(status.message()), HasSubstr("9223372036854775807 minor units * 2"));
  EXPECT_EQ(MultiplyMinor(kMin, D("-1"), kDown).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(*MultiplyMinor(kMax, D("1"), kDown), kMax);
  EXPECT_EQ(*MultiplyMinor(kMin, D("1"), kDown), kMin);
  // Large intermediate product, small result: no spurious overflow.
  EXPECT_EQ(*MultiplyMinor(kMax, D("0.000000001"), kDown), kMax / 1'000'000'000);
}

// ---- Ratio -------------------------------------------------------------------

TEST(RatioTest, RoundsToNineDigits) {
  EXPECT_EQ(Ratio(1, 3, kHalfEven)->ToString(), "0.333333333");
  EXPECT_EQ(Ratio(2, 3, kHalfEven)->ToString(), "0.666666667");
  EXPECT_EQ(Ratio(2, 3, kDown)->ToString(), "0.666666666");
  EXPECT_EQ(Ratio(-1, 8, kDown)->ToString(), "-0.125");
  EXPECT_EQ(Ratio(1, -8, kDown)->ToString(), "-0.125");
  EXPECT_EQ(Ratio(150, 120, kHalfEven)->ToString(), "1.25");
  EXPECT_EQ(Ratio(0, 7, kHalfUp)->ToString(), "0");
  // 1 / 2e9 = 0.0000000005: a tie at the ninth digit.
  EXPECT_EQ(Ratio(1, 2'000'000'000, kHalfEven)->ToString(), "0");
  EXPECT_EQ(Ratio(1, 2'000'000'000, kHalfUp)->ToString(), "0.000000001");
  EXPECT_EQ(Ratio(-1, 2'000'000'000, kHalfUp)->ToString(), "-0.000000001");
  EXPECT_EQ(Ratio(-3, 2'000'000'000, kHalfEven)->ToString(), "-0.000000002");
  EXPECT_EQ(Ratio(-1, 2'000'000'000, kDown)->ToString(), "0");
}

TEST(RatioTest, ZeroDenominatorAndOverflow) {
  absl::Status zero = Ratio(5, 0, kHalfEven).status();
  EXPECT_EQ(zero.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(zero.message()), HasSubstr("denominator is 0"));
  EXPECT_EQ(Ratio(0, 0, kHalfEven).status().code(), absl::StatusCode::kInvalidArgument);
  absl::Status big = Ratio(kMax, 1, kHalfEven).status();
  EXPECT_EQ(big.code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Ratio(kMin, -1, kHalfEven).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Ratio(9'223'372'036, 1, kDown)->ToString(), "9223372036");
  EXPECT_EQ(Ratio(kMax, kMax, kDown)->ToString(), "1");
}

}  // namespace
}  // namespace cadre
