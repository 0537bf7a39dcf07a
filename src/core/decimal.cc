#include "cadre/decimal.h"

#include <cstdint>
#include <limits>
#include <string>

#include "absl/strings/str_cat.h"
#include "cadre/id.h"
#include "cadre/status.h"

namespace cadre {
namespace {

constexpr Int128 kInt64Min = std::numeric_limits<int64_t>::min();
constexpr Int128 kInt64Max = std::numeric_limits<int64_t>::max();

bool FitsInt64(Int128 v) { return v >= kInt64Min && v <= kInt64Max; }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Quotient of value / divisor rounded with `mode`; the one place cadre rounds.
Int128 DivideRounded128(Int128 value, Int128 divisor, RoundingMode mode) {
  if (divisor < 0) {
    value = -value;
    divisor = -divisor;
  }
  const Int128 quotient = value / divisor;   // truncates toward zero
  const Int128 remainder = value % divisor;  // has the sign of value
  if (remainder == 0) return quotient;
  const Int128 abs_remainder = remainder < 0 ? -remainder : remainder;
  // Compare |r| with divisor - |r| rather than 2|r| with divisor: no overflow.
  const Int128 other_side = divisor - abs_remainder;
  bool away_from_zero = false;
  switch (mode) {
    case RoundingMode::kDown:
      away_from_zero = false;
      break;
    case RoundingMode::kHalfUp:
      away_from_zero = abs_remainder >= other_side;
      break;
    case RoundingMode::kHalfEven:
      away_from_zero = abs_remainder > other_side || (abs_remainder == other_side && quotient % 2 != 0);
      break;
  }
  if (!away_from_zero) return quotient;
  return value < 0 ? quotient - 1 : quotient + 1;
}

constexpr int64_t Pow10(int n) {
  int64_t p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

absl::Status DecimalOverflow(Decimal a, std::string_view op, Decimal b) {
  return absl::OutOfRangeError(
      absl::StrCat("decimal overflow: ", a.ToString(), " ", AbslView(op), " ", b.ToString(), " is out of range"));
}

}  // namespace

int64_t DivideRounded(Int128 value, Int128 divisor, RoundingMode mode) {
  return static_cast<int64_t>(DivideRounded128(value, divisor, mode));
}

absl::StatusOr<Decimal> Decimal::FromInt(int64_t value) {
  int64_t units;
  if (__builtin_mul_overflow(value, kOne, &units)) {
    return absl::OutOfRangeError(absl::StrCat("decimal overflow: ", value, " does not fit in a Decimal"));
  }
  return Decimal(units);
}

absl::StatusOr<Decimal> Decimal::Parse(std::string_view text) {
  auto refuse = [&](std::string_view rule) { return FieldError("", rule, QuoteJson(text)); };
  constexpr std::string_view kShape = "expected a decimal number like \"12\", \"-0.035\" or \"+1.5\"";

  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    negative = text[i] == '-';
    ++i;
  }
  const std::size_t integer_begin = i;
  while (i < text.size() && IsDigit(text[i])) ++i;
  const std::size_t integer_end = i;
  if (integer_end == integer_begin) return refuse(kShape);
  std::size_t fraction_begin = i, fraction_end = i;
  if (i < text.size() && text[i] == '.') {
    fraction_begin = ++i;
    while (i < text.size() && IsDigit(text[i])) ++i;
    fraction_end = i;
    if (fraction_end == fraction_begin) return refuse(kShape);
  }
  if (i != text.size()) return refuse(kShape);
  if (fraction_end - fraction_begin > kScale) return refuse("expected at most 9 fractional digits");

  // The magnitude may reach 2^63 (for the most negative value); accumulate in 128
  // bits and stop as soon as it is out of reach, so any number of digits is safe.
  const Int128 limit = negative ? -kInt64Min : kInt64Max;
  constexpr std::string_view kRange =
      "decimal out of range (magnitude must be below 9223372036.854775808, i.e. int64 units of 1e-9)";
  Int128 magnitude = 0;
  for (std::size_t k = integer_begin; k < integer_end; ++k) {
    magnitude = magnitude * 10 + (text[k] - '0');
    if (magnitude * kOne > limit) return refuse(kRange);
  }
  magnitude *= kOne;
  int64_t place = kOne;
  for (std::size_t k = fraction_begin; k < fraction_end; ++k) {
    place /= 10;
    magnitude += place * (text[k] - '0');
  }
  if (magnitude > limit) return refuse(kRange);
  return Decimal(static_cast<int64_t>(negative ? -magnitude : magnitude));
}

std::string Decimal::ToString() const {
  // Negate in unsigned arithmetic so that the most negative value is fine too.
  const bool negative = units_ < 0;
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(units_) : static_cast<uint64_t>(units_);
  std::string out = negative ? "-" : "";
  absl::StrAppend(&out, magnitude / kOne);
  uint64_t fraction = magnitude % kOne;
  if (fraction == 0) return out;
  int digits = kScale;
  while (fraction % 10 == 0) {
    fraction /= 10;
    --digits;
  }
  std::string fraction_text = absl::StrCat(fraction);
  absl::StrAppend(&out, ".", std::string(digits - fraction_text.size(), '0'), fraction_text);
  return out;
}

absl::StatusOr<Decimal> Decimal::Add(Decimal other) const {
  int64_t units;
  if (__builtin_add_overflow(units_, other.units_, &units)) return DecimalOverflow(*this, "+", other);
  return Decimal(units);
}

absl::StatusOr<Decimal> Decimal::Sub(Decimal other) const {
  int64_t units;
  if (__builtin_sub_overflow(units_, other.units_, &units)) return DecimalOverflow(*this, "-", other);
  return Decimal(units);
}

absl::StatusOr<Decimal> Decimal::Mul(Decimal other, RoundingMode mode) const {
  // |a * b| < 2^126: the product of two int64 always fits in Int128.
  const Int128 units = DivideRounded128(static_cast<Int128>(units_) * other.units_, kOne, mode);
  if (!FitsInt64(units)) return DecimalOverflow(*this, "*", other);
  return Decimal(static_cast<int64_t>(units));
}

absl::StatusOr<Decimal> Decimal::Div(Decimal other, RoundingMode mode) const {
  if (other.units_ == 0) return absl::InvalidArgumentError(absl::StrCat("division by zero: ", ToString(), " / 0"));
  const Int128 units = DivideRounded128(static_cast<Int128>(units_) * kOne, other.units_, mode);
  if (!FitsInt64(units)) return DecimalOverflow(*this, "/", other);
  return Decimal(static_cast<int64_t>(units));
}

Decimal Decimal::Round(int digits, RoundingMode mode) const {
  if (digits >= kScale) return *this;
  if (digits < 0) digits = 0;
  const int64_t step = Pow10(kScale - digits);
  Int128 units = DivideRounded128(units_, step, mode) * step;
  // Only a value within one step of the int64 limits can round past them.
  if (!FitsInt64(units)) units = DivideRounded128(units_, step, RoundingMode::kDown) * step;
  return Decimal(static_cast<int64_t>(units));
}

absl::StatusOr<int64_t> MultiplyMinor(int64_t minor, Decimal rate, RoundingMode mode) {
  const Int128 result = DivideRounded128(static_cast<Int128>(minor) * rate.units(), Decimal::kOne, mode);
  if (!FitsInt64(result)) {
    return absl::OutOfRangeError(
        absl::StrCat("amount overflow: ", minor, " minor units * ", rate.ToString(), " is out of range"));
  }
  return static_cast<int64_t>(result);
}

absl::StatusOr<Decimal> Ratio(int64_t numerator, int64_t denominator, RoundingMode mode) {
  if (denominator == 0) {
    return absl::InvalidArgumentError(absl::StrCat("ratio of ", numerator, " to 0: the denominator is 0"));
  }
  const Int128 units = DivideRounded128(static_cast<Int128>(numerator) * Decimal::kOne, denominator, mode);
  if (!FitsInt64(units)) {
    return absl::OutOfRangeError(
        absl::StrCat("ratio overflow: ", numerator, " / ", denominator, " does not fit in a Decimal"));
  }
  return Decimal::FromUnits(static_cast<int64_t>(units));
}

}  // namespace cadre
