#include "cadre/money.h"

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

// A currency the test knows to be valid.
Currency C(std::string_view code) {
  absl::StatusOr<Currency> c = Currency::Parse(code);
  EXPECT_TRUE(c.ok()) << code << ": " << c.status();
  return c.ok() ? *c : Currency();
}

// ---- Currency ----------------------------------------------------------------

struct DigitsCase {
  std::string_view code;
  int minor_digits;
};

TEST(CurrencyTest, ParsesActiveCodesWithTheirMinorDigits) {
  const DigitsCase cases[] = {
      {"CNY", 2}, {"USD", 2}, {"EUR", 2}, {"HKD", 2}, {"TWD", 2}, {"SGD", 2}, {"MOP", 2}, {"GBP", 2},
      {"JPY", 0}, {"KRW", 0}, {"VND", 0}, {"ISK", 0}, {"CLP", 0}, {"XOF", 0}, {"KWD", 3}, {"BHD", 3},
      {"TND", 3}, {"JOD", 3}, {"OMR", 3}, {"IQD", 3}, {"LYD", 3}, {"CLF", 4}, {"UYW", 4}, {"AED", 2},
      {"ZAR", 2}, {"ZWG", 2}, {"XCG", 2}, {"SLE", 2}, {"VES", 2}, {"MRU", 2}, {"STN", 2}, {"CHF", 2},
  };
  for (const DigitsCase& c : cases) {
    absl::StatusOr<Currency> currency = Currency::Parse(c.code);
    ASSERT_TRUE(currency.ok()) << c.code << ": " << currency.status();
    EXPECT_TRUE(currency->valid());
    EXPECT_EQ(currency->code(), c.code);
    EXPECT_EQ(currency->minor_digits(), c.minor_digits) << c.code;
  }
}

TEST(CurrencyTest, RefusesMalformedCodes) {
  const std::string_view cases[] = {"", "cny", "Cny", "CN", "CNYY", "C1Y", " CNY", "CNY ", "人民币", "US$"};
  for (std::string_view code : cases) {
    absl::StatusOr<Currency> currency = Currency::Parse(code);
    ASSERT_FALSE(currency.ok()) << code;
    EXPECT_EQ(currency.status().code(), absl::StatusCode::kInvalidArgument) << code;
    EXPECT_THAT(std::string(currency.status().message()), HasSubstr("three upper-case letters")) << code;
  }
}

TEST(CurrencyTest, RefusesUnknownAndInactiveCodes) {
  // HRK became EUR in 2023, ZWL became ZWG in 2024, DEM is long gone; XAU, XTS
  // and XXX are ISO codes without a minor unit; ABC was never a code.
  const std::string_view cases[] = {"HRK", "ZWL", "DEM", "XAU", "XTS", "XXX", "XDR", "ABC", "RMB", "NTD"};
  for (std::string_view code : cases) {
    absl::StatusOr<Currency> currency = Currency::Parse(code);
    ASSERT_FALSE(currency.ok()) << code;
    EXPECT_EQ(currency.status().code(), absl::StatusCode::kInvalidArgument) << code;
    EXPECT_THAT(std::string(currency.status().message()), HasSubstr("ISO 4217")) << code;
  }
  EXPECT_EQ(Currency::Parse("RMB").status().message(), "unknown or inactive ISO 4217 currency code, got \"RMB\"");
  std::optional<FieldErrorDetails> details = GetFieldErrorDetails(Currency::Parse("RMB").status());
  ASSERT_TRUE(details.has_value());
  EXPECT_EQ(details->value, "\"RMB\"");
  EXPECT_EQ(PrefixPath(Currency::Parse("RMB").status(), "workspace.currency").message(),
            "workspace.currency: unknown or inactive ISO 4217 currency code, got \"RMB\"");
}

TEST(CurrencyTest, FirstAndLastCodesOfTheTableAreFound) {
  EXPECT_TRUE(Currency::Parse("AED").ok());
  EXPECT_TRUE(Currency::Parse("ZWG").ok());
  EXPECT_FALSE(Currency::Parse("AAA").ok());
  EXPECT_FALSE(Currency::Parse("ZZZ").ok());
}

TEST(CurrencyTest, DefaultIsEmptyAndEqualityIsByCode) {
  Currency none;
  EXPECT_FALSE(none.valid());
  EXPECT_EQ(none.code(), "");
  EXPECT_EQ(C("CNY"), C("CNY"));
  EXPECT_FALSE(C("CNY") == C("USD"));
  EXPECT_FALSE(C("CNY") == none);
}

// ---- Money::ToString ---------------------------------------------------------

struct FormatCase {
  int64_t minor;
  std::string_view code;
  std::string_view text;
};

TEST(MoneyTest, ToStringUsesTheMinorDigitsOfTheCurrency) {
  const FormatCase cases[] = {
      {12999, "CNY", "129.99 CNY"},
      {-5, "JPY", "-5 JPY"},
      {1234, "KWD", "1.234 KWD"},
      {-1234, "BHD", "-1.234 BHD"},
      {5, "CNY", "0.05 CNY"},
      {-5, "CNY", "-0.05 CNY"},
      {0, "CNY", "0.00 CNY"},
      {10000, "USD", "100.00 USD"},
      {1, "CLF", "0.0001 CLF"},
      {0, "KRW", "0 KRW"},
      {1000000, "KRW", "1000000 KRW"},
      {kMax, "CNY", "92233720368547758.07 CNY"},
      {kMin, "CNY", "-92233720368547758.08 CNY"},
      {kMin, "JPY", "-9223372036854775808 JPY"},
  };
  for (const FormatCase& c : cases) {
    EXPECT_EQ((Money{c.minor, C(c.code)}.ToString()), c.text);
  }
  EXPECT_EQ((Money{12999, Currency()}.ToString()), "129.99");  // no currency: just the amount
}

// ---- Add / Sub ---------------------------------------------------------------

TEST(MoneyTest, AddAndSubInOneCurrency) {
  const Money price{12999, C("CNY")};
  absl::StatusOr<Money> total = Add(price, price);
  ASSERT_TRUE(total.ok()) << total.status();
  EXPECT_EQ(*total, (Money{25998, C("CNY")}));
  EXPECT_EQ(total->ToString(), "259.98 CNY");
  absl::StatusOr<Money> refund = Sub(price, Money{13000, C("CNY")});
  ASSERT_TRUE(refund.ok());
  EXPECT_EQ(refund->ToString(), "-0.01 CNY");
}

TEST(MoneyTest, MixingCurrenciesIsRefused) {
  absl::Status add = Add(Money{100, C("CNY")}, Money{100, C("USD")}).status();
  EXPECT_EQ(add.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(add.message()), HasSubstr("currency mismatch: 1.00 CNY + 1.00 USD"));
  absl::Status sub = Sub(Money{100, C("JPY")}, Money{100, C("KRW")}).status();
  EXPECT_EQ(sub.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(sub.message()), HasSubstr("100 JPY - 100 KRW"));
  EXPECT_EQ(Add(Money{1, C("CNY")}, Money{1, Currency()}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(MoneyTest, OverflowIsOutOfRange) {
  absl::Status add = Add(Money{kMax, C("CNY")}, Money{1, C("CNY")}).status();
  EXPECT_EQ(add.code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(std::string(add.message()), HasSubstr("92233720368547758.07 CNY + 0.01 CNY"));
  EXPECT_EQ(Sub(Money{kMin, C("CNY")}, Money{1, C("CNY")}).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Sub(Money{0, C("CNY")}, Money{kMin, C("CNY")}).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Add(Money{kMax, C("CNY")}, Money{kMin, C("CNY")})->minor, -1);
}

// ---- CheckedAdd / CheckedMul -------------------------------------------------

TEST(CheckedArithmeticTest, InRange) {
  EXPECT_EQ(*CheckedAdd(2, 3), 5);
  EXPECT_EQ(*CheckedAdd(kMax, kMin), -1);
  EXPECT_EQ(*CheckedAdd(kMax - 1, 1), kMax);
  EXPECT_EQ(*CheckedMul(-4, 5), -20);
  EXPECT_EQ(*CheckedMul(kMin, 1), kMin);
  EXPECT_EQ(*CheckedMul(kMax, -1), -kMax);
  EXPECT_EQ(*CheckedMul(0, kMin), 0);
}

TEST(CheckedArithmeticTest, OverflowNamesTheOperation) {
  absl::Status add = CheckedAdd(kMax, 1).status();
  EXPECT_EQ(add.code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(add.message(), "integer overflow: 9223372036854775807 + 1 exceeds the int64 range");
  EXPECT_EQ(CheckedAdd(kMin, -1).status().code(), absl::StatusCode::kOutOfRange);
  absl::Status mul = CheckedMul(kMin, -1).status();
  EXPECT_EQ(mul.code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(mul.message(), "integer overflow: -9223372036854775808 * -1 exceeds the int64 range");
  EXPECT_EQ(CheckedMul(4'000'000'000, 4'000'000'000).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(CheckedMul(-4'000'000'000, 4'000'000'000).status().code(), absl::StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace cadre
