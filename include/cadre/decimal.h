// cadre/decimal.h — exact decimal fixed-point numbers for rates and percentages.
//
// A Decimal holds an integer count of 10^-9 units (nine fractional digits), so
// 0.035 and 12.5 are exact and arithmetic never goes through binary floating
// point. Rounding is always explicit: the caller names a RoundingMode, and cadre
// rounds once, where the rule says so.
//
//   CADRE_ASSIGN_OR_RETURN(Decimal rate, Decimal::Parse("0.035"));
//   CADRE_ASSIGN_OR_RETURN(int64_t commission, MultiplyMinor(123456, rate, RoundingMode::kHalfEven));
//   // 123456 * 0.035 = 4320.96 -> 4321
#ifndef CADRE_DECIMAL_H_
#define CADRE_DECIMAL_H_

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "boost/describe/enum.hpp"

namespace cadre {

// GCC/Clang's 128-bit integer, for exact intermediate products. `__extension__`
// keeps -Wpedantic quiet about the non-standard type wherever this is included.
__extension__ typedef __int128 Int128;

enum class RoundingMode {
  kHalfEven,  // banker's rounding: ties go to the even neighbour
  kHalfUp,    // ties go away from zero
  kDown,      // truncate toward zero
};
BOOST_DESCRIBE_ENUM(RoundingMode, kHalfEven, kHalfUp, kDown)

class Decimal {
 public:
  static constexpr int kScale = 9;
  static constexpr int64_t kOne = 1'000'000'000;

  constexpr Decimal() = default;
  static constexpr Decimal FromUnits(int64_t units) { return Decimal(units); }
  // Exact: fails with OutOfRange if |value| * 10^9 does not fit.
  static absl::StatusOr<Decimal> FromInt(int64_t value);

  // Parses "12", "-0.035", "+1.5": an optional sign, one or more digits, then
  // optionally a point followed by one to nine digits (leading zeros are fine).
  // Refuses (InvalidArgument) anything else: "1." and ".5" (a digit is required on
  // both sides of the point, as in JSON), exponents, more than nine fractional
  // digits, whitespace, empty input, out of range.
  static absl::StatusOr<Decimal> Parse(std::string_view text);

  // Shortest exact text: "12", "-0.035", "1.5".
  std::string ToString() const;

  int64_t units() const { return units_; }

  // Checked arithmetic: OutOfRange on overflow, InvalidArgument on division by 0.
  absl::StatusOr<Decimal> Add(Decimal other) const;
  absl::StatusOr<Decimal> Sub(Decimal other) const;
  absl::StatusOr<Decimal> Mul(Decimal other, RoundingMode mode) const;
  absl::StatusOr<Decimal> Div(Decimal other, RoundingMode mode) const;
  // Rounds to `digits` fractional digits (0..9; clamped). A value so close to the
  // int64 limits that rounding would pass them is rounded toward zero instead.
  Decimal Round(int digits, RoundingMode mode) const;

  friend constexpr auto operator<=>(Decimal, Decimal) = default;

 private:
  constexpr explicit Decimal(int64_t units) : units_(units) {}
  int64_t units_ = 0;
};

// minor * rate, rounded once to an integer count of minor units. OutOfRange on
// overflow.
absl::StatusOr<int64_t> MultiplyMinor(int64_t minor, Decimal rate, RoundingMode mode);

// numerator / denominator as a Decimal rounded to nine digits; InvalidArgument
// when the denominator is 0 (callers that treat that as "no value" check first).
absl::StatusOr<Decimal> Ratio(int64_t numerator, int64_t denominator, RoundingMode mode);

// Divides `value` by `divisor` (> 0) rounding to an integer with `mode`; the
// quotient must fit in int64_t (callers check the range first).
// Shared by the decimal and money code; exposed for engines that split amounts.
int64_t DivideRounded(Int128 value, Int128 divisor, RoundingMode mode);

}  // namespace cadre

#endif  // CADRE_DECIMAL_H_
