// An exact rational number for the money math of incentive plans.
//
// A payout is base × rate, sliced by tiers, scaled by gates, prorated by days
// (10/30 of a month is not a decimal), capped, and only then rounded once, as
// the plan declares. Exact keeps every step of that exact: a numerator and a
// positive denominator over cadre::Int128, always reduced by their gcd. Money is
// in minor units, so Exact::FromMinor(123456) is 1234.56 yuan and
// `Exact::FromMinor(123456).Mul(Exact::FromDecimal(rate))` is the commission
// before rounding.
//
//   CADRE_ASSIGN_OR_RETURN(Exact amount, Exact::FromMinor(123456).Mul(Exact::FromDecimal(rate)));
//   amount.ToText();                                            // "4320.96"
//   CADRE_ASSIGN_OR_RETURN(int64_t paid, amount.RoundToMinor(RoundingMode::kHalfEven));  // 4321
//
// Why hand-written: Debian packages no small exact rational for C++. Boost's
// cpp_rational (Boost.Multiprecision, installed with Boost) would do the
// arithmetic, but it is unbounded and allocates, reports division by zero and
// failed conversions by throwing (cadre's code does not throw), is heavy to
// compile into every engine file, and would still need the same checks at the
// int64 boundary. The figures of a plan are bounded (int64 minor units, Decimal
// rates with nine digits, a handful of factors), so 128 bits with every step
// checked is enough, and an overflow is a clear OutOfRange naming the operation
// instead of a silently huge number.
//
// Invariants: denominator > 0; gcd(|numerator|, denominator) == 1; numerator is
// never the most negative Int128 (so negation is always safe). Values are
// immutable; arithmetic returns new values.
#ifndef CADRE_SRC_INCENTIVE_EXACT_H_
#define CADRE_SRC_INCENTIVE_EXACT_H_

#include <compare>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "cadre/decimal.h"

namespace cadre::incentive_internal {

class Exact {
 public:
  constexpr Exact() = default;  // 0

  static Exact FromMinor(int64_t minor);
  // units / 10^9, reduced: Decimal "0.035" is 7/200.
  static Exact FromDecimal(Decimal d);
  // numerator / denominator, reduced; InvalidArgument when the denominator is 0,
  // OutOfRange when a part is the most negative Int128 (it cannot be negated).
  static absl::StatusOr<Exact> Ratio(Int128 numerator, Int128 denominator);

  Int128 numerator() const { return numerator_; }
  Int128 denominator() const { return denominator_; }
  int sign() const { return numerator_ > 0 ? 1 : (numerator_ < 0 ? -1 : 0); }
  bool is_zero() const { return numerator_ == 0; }
  bool is_integer() const { return denominator_ == 1; }

  // Checked arithmetic: OutOfRange naming the operation and its operands when a
  // result (or an intermediate product) does not fit in 128 bits; Div also
  // InvalidArgument on division by 0.
  absl::StatusOr<Exact> Add(const Exact& other) const;
  absl::StatusOr<Exact> Sub(const Exact& other) const;
  absl::StatusOr<Exact> Mul(const Exact& other) const;
  absl::StatusOr<Exact> Div(const Exact& other) const;
  Exact Negate() const;

  // Rounds to an integer count of minor units with `mode` (cadre::DivideRounded);
  // OutOfRange when the result does not fit in int64.
  absl::StatusOr<int64_t> RoundToMinor(RoundingMode mode) const;
  // The nearest Decimal (nine fractional digits) with `mode`, for trace fields
  // typed Decimal; OutOfRange when it does not fit.
  absl::StatusOr<Decimal> ToDecimal(RoundingMode mode) const;
  // Whether the value is a Decimal exactly (terminates within nine digits).
  bool IsDecimal() const;

  // Decimal text: "4320.96", "-12", "0.5". A value that does not terminate within
  // nine fractional digits is shown rounded half-even to nine digits with a
  // trailing "~": 1/3 is "0.333333333~", 2/3 is "0.666666667~". Never fails.
  std::string ToText() const;
  // "1/3", "-7/200", "12" (reduced; the denominator omitted when it is 1).
  std::string ToFractionText() const;

  // Exact comparison (no product is formed, so it cannot overflow).
  friend std::strong_ordering operator<=>(const Exact& a, const Exact& b);
  friend bool operator==(const Exact& a, const Exact& b) = default;

 private:
  constexpr Exact(Int128 numerator, Int128 denominator) : numerator_(numerator), denominator_(denominator) {}
  Int128 numerator_ = 0;
  Int128 denominator_ = 1;
};

inline const Exact& Min(const Exact& a, const Exact& b) { return b < a ? b : a; }
inline const Exact& Max(const Exact& a, const Exact& b) { return a < b ? b : a; }

}  // namespace cadre::incentive_internal

#endif  // CADRE_SRC_INCENTIVE_EXACT_H_
