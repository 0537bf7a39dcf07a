#include "incentive/exact.h"

#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "cadre/status.h"

namespace cadre::incentive_internal {
namespace {

__extension__ typedef unsigned __int128 UInt128;

constexpr Int128 kInt128Max = static_cast<Int128>(~static_cast<UInt128>(0) >> 1);
constexpr Int128 kInt128Min = -kInt128Max - 1;
constexpr Int128 kInt64Max = std::numeric_limits<int64_t>::max();
constexpr Int128 kInt64Min = std::numeric_limits<int64_t>::min();
constexpr uint64_t kBillion = 1'000'000'000;

UInt128 Magnitude(Int128 v) {
  return v < 0 ? static_cast<UInt128>(0) - static_cast<UInt128>(v) : static_cast<UInt128>(v);
}

UInt128 Gcd(UInt128 a, UInt128 b) {
  constexpr UInt128 k64 = std::numeric_limits<uint64_t>::max();
  while (b != 0) {
    if (a <= k64 && b <= k64) return std::gcd(static_cast<uint64_t>(a), static_cast<uint64_t>(b));  // native division
    const UInt128 r = a % b;
    a = b;
    b = r;
  }
  return a;
}

std::string U128Text(UInt128 v) {
  // Most figures fit in 64 bits, where absl's formatter is fast; the rest is
  // written from the right into a buffer (39 digits at most).
  if (v <= std::numeric_limits<uint64_t>::max()) return absl::StrCat(static_cast<uint64_t>(v));
  char buffer[40];
  char* p = buffer + sizeof(buffer);
  while (v != 0) {
    *--p = static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  }
  return std::string(p, buffer + sizeof(buffer));
}

std::string I128Text(Int128 v) {
  // Built in place: GCC 12 at -O3 warns falsely (-Wrestrict) on "-" + std::string.
  std::string text = U128Text(Magnitude(v));
  if (v < 0) text.insert(text.begin(), '-');
  return text;
}

// floor(a / b) and a - b * floor(a / b) (in [0, b)), for b > 0.
void FloorDivMod(Int128 a, Int128 b, Int128& quotient, Int128& remainder) {
  quotient = a / b;
  remainder = a % b;
  if (remainder < 0) {
    quotient -= 1;
    remainder += b;
  }
}

// |value| to nine fractional digits, with what is left over: |n| / d =
// integer + fraction / 10^9 + remainder / (d × 10^9), 0 <= remainder < d.
struct NineDigits {
  UInt128 integer = 0;
  uint64_t fraction = 0;
  UInt128 remainder = 0;
};

NineDigits ToNineDigits(Int128 numerator, Int128 denominator) {
  const UInt128 n = Magnitude(numerator);
  const UInt128 d = static_cast<UInt128>(denominator);
  NineDigits out;
  // The common case in native 64-bit division: rem < d <= 2^64 / 10^9, so
  // rem × 10^9 fits, and its quotient and remainder by d are the nine digits
  // and what is left, as the long division below would find them.
  constexpr uint64_t kMaxFastDenominator = std::numeric_limits<uint64_t>::max() / kBillion;
  if (n <= std::numeric_limits<uint64_t>::max() && d <= kMaxFastDenominator) {
    const uint64_t n64 = static_cast<uint64_t>(n), d64 = static_cast<uint64_t>(d);
    out.integer = n64 / d64;
    const uint64_t scaled = n64 % d64 * kBillion;
    out.fraction = scaled / d64;
    out.remainder = scaled % d64;
    return out;
  }
  out.integer = n / d;
  UInt128 rem = n % d;
  for (int digit_index = 0; digit_index < 9; ++digit_index) {
    // 10 × rem = digit × d + next, by ten additions: rem < d and next < d, so
    // next + rem < 2d < 2^128 never overflows, whatever the size of d.
    UInt128 next = 0;
    uint64_t digit = 0;
    for (int k = 0; k < 10; ++k) {
      next += rem;
      if (next >= d) {
        next -= d;
        ++digit;
      }
    }
    out.fraction = out.fraction * 10 + digit;
    rem = next;
  }
  out.remainder = rem;
  return out;
}

// Rounds the magnitude in `digits` at the ninth fractional digit with `mode`
// (modes are symmetric in the sign, so rounding the magnitude is enough).
void RoundNineDigits(NineDigits& digits, UInt128 denominator, RoundingMode mode) {
  if (digits.remainder == 0) return;
  const UInt128 other_side = denominator - digits.remainder;
  bool away = false;
  switch (mode) {
    case RoundingMode::kDown:
      away = false;
      break;
    case RoundingMode::kHalfUp:
      away = digits.remainder >= other_side;
      break;
    case RoundingMode::kHalfEven:
      away = digits.remainder > other_side || (digits.remainder == other_side && digits.fraction % 2 != 0);
      break;
  }
  digits.remainder = 0;
  if (!away) return;
  if (++digits.fraction == kBillion) {
    digits.fraction = 0;
    ++digits.integer;
  }
}

absl::Status Overflow(const Exact& a, std::string_view op, const Exact& b) {
  return absl::OutOfRangeError(absl::StrCat("exact arithmetic overflow: ", a.ToFractionText(), " ", AbslView(op), " ",
                                            b.ToFractionText(), " does not fit in 128 bits"));
}

}  // namespace

Exact Exact::FromMinor(int64_t minor) { return Exact(minor, 1); }

Exact Exact::FromDecimal(Decimal d) {
  const Int128 g = static_cast<Int128>(Gcd(Magnitude(d.units()), Decimal::kOne));
  return Exact(d.units() / g, Decimal::kOne / g);
}

absl::StatusOr<Exact> Exact::Ratio(Int128 numerator, Int128 denominator) {
  if (denominator == 0) {
    return absl::InvalidArgumentError(absl::StrCat("exact ratio of ", I128Text(numerator), " to 0: division by 0"));
  }
  if (numerator == kInt128Min || denominator == kInt128Min) {
    return absl::OutOfRangeError(
        absl::StrCat("exact ratio ", I128Text(numerator), " / ", I128Text(denominator), " does not fit in 128 bits"));
  }
  if (denominator < 0) {
    numerator = -numerator;
    denominator = -denominator;
  }
  const Int128 g = static_cast<Int128>(Gcd(Magnitude(numerator), static_cast<UInt128>(denominator)));
  return Exact(numerator / g, denominator / g);
}

absl::StatusOr<Exact> Exact::Add(const Exact& other) const {
  // a/b + c/d = (a × d/g + c × b/g) / (b/g × d) with g = gcd(b, d): the smallest
  // common denominator, so intermediate values stay as small as they can.
  const Int128 g =
      static_cast<Int128>(Gcd(static_cast<UInt128>(denominator_), static_cast<UInt128>(other.denominator_)));
  const Int128 b_part = denominator_ / g;
  const Int128 d_part = other.denominator_ / g;
  Int128 left, right, numerator, denominator;
  if (__builtin_mul_overflow(numerator_, d_part, &left) || __builtin_mul_overflow(other.numerator_, b_part, &right) ||
      __builtin_add_overflow(left, right, &numerator) ||
      __builtin_mul_overflow(b_part, other.denominator_, &denominator) || numerator == kInt128Min) {
    return Overflow(*this, "+", other);
  }
  return Ratio(numerator, denominator);
}

absl::StatusOr<Exact> Exact::Sub(const Exact& other) const {
  absl::StatusOr<Exact> sum = Add(other.Negate());
  if (!sum.ok() && sum.status().code() == absl::StatusCode::kOutOfRange) return Overflow(*this, "-", other);
  return sum;
}

absl::StatusOr<Exact> Exact::Mul(const Exact& other) const {
  // Cross-reduce first: (a/b) × (c/d) = (a/g1 × c/g2) / (b/g2 × d/g1), with
  // g1 = gcd(a, d) and g2 = gcd(c, b); the result is then already reduced.
  if (is_zero() || other.is_zero()) return Exact();
  const Int128 g1 = static_cast<Int128>(Gcd(Magnitude(numerator_), static_cast<UInt128>(other.denominator_)));
  const Int128 g2 = static_cast<Int128>(Gcd(Magnitude(other.numerator_), static_cast<UInt128>(denominator_)));
  Int128 numerator, denominator;
  if (__builtin_mul_overflow(numerator_ / g1, other.numerator_ / g2, &numerator) ||
      __builtin_mul_overflow(denominator_ / g2, other.denominator_ / g1, &denominator) || numerator == kInt128Min) {
    return Overflow(*this, "*", other);
  }
  return Exact(numerator, denominator);
}

absl::StatusOr<Exact> Exact::Div(const Exact& other) const {
  if (other.is_zero())
    return absl::InvalidArgumentError(absl::StrCat("exact division by 0: ", ToFractionText(), " / 0"));
  // The reciprocal of a reduced value is reduced; move the sign to the numerator.
  const Exact reciprocal = other.numerator_ < 0 ? Exact(-other.denominator_, -other.numerator_)
                                                : Exact(other.denominator_, other.numerator_);
  absl::StatusOr<Exact> product = Mul(reciprocal);
  if (!product.ok() && product.status().code() == absl::StatusCode::kOutOfRange) return Overflow(*this, "/", other);
  return product;
}

Exact Exact::Negate() const { return Exact(-numerator_, denominator_); }

absl::StatusOr<int64_t> Exact::RoundToMinor(RoundingMode mode) const {
  // Rounding moves the truncated quotient by at most one, so keep one unit of room.
  const Int128 truncated = numerator_ / denominator_;
  if (truncated >= kInt64Max || truncated <= kInt64Min) {
    return absl::OutOfRangeError(
        absl::StrCat("amount overflow: ", ToText(), " minor units does not fit in a 64-bit amount"));
  }
  return DivideRounded(numerator_, denominator_, mode);
}

absl::StatusOr<Decimal> Exact::ToDecimal(RoundingMode mode) const {
  NineDigits digits = ToNineDigits(numerator_, denominator_);
  RoundNineDigits(digits, static_cast<UInt128>(denominator_), mode);
  // |units| may reach 2^63 for a negative value.
  constexpr UInt128 kLimit = static_cast<UInt128>(1) << 63;
  const UInt128 limit = numerator_ < 0 ? kLimit : kLimit - 1;
  if (digits.integer > limit / kBillion || digits.integer * kBillion + digits.fraction > limit) {
    return absl::OutOfRangeError(absl::StrCat("decimal overflow: ", ToText(), " does not fit in a Decimal"));
  }
  const UInt128 magnitude = digits.integer * kBillion + digits.fraction;
  const Int128 units = numerator_ < 0 ? -static_cast<Int128>(magnitude) : static_cast<Int128>(magnitude);
  return Decimal::FromUnits(static_cast<int64_t>(units));
}

bool Exact::IsDecimal() const { return denominator_ <= Decimal::kOne && Decimal::kOne % denominator_ == 0; }

std::string Exact::ToText() const {
  if (denominator_ == 1) return I128Text(numerator_);  // the common case: whole minor units
  NineDigits digits = ToNineDigits(numerator_, denominator_);
  const bool approximate = digits.remainder != 0;
  RoundNineDigits(digits, static_cast<UInt128>(denominator_), RoundingMode::kHalfEven);
  std::string out = numerator_ < 0 ? "-" : "";
  absl::StrAppend(&out, U128Text(digits.integer));
  if (digits.fraction != 0) {
    std::string fraction = absl::StrCat(digits.fraction);
    fraction.insert(0, 9 - fraction.size(), '0');
    while (fraction.back() == '0') fraction.pop_back();
    absl::StrAppend(&out, ".", fraction);
  }
  if (approximate) out += "~";
  return out;
}

std::string Exact::ToFractionText() const {
  if (denominator_ == 1) return I128Text(numerator_);
  return absl::StrCat(I128Text(numerator_), "/", U128Text(static_cast<UInt128>(denominator_)));
}

std::strong_ordering operator<=>(const Exact& x, const Exact& y) {
  // Compares a/b with c/d by their continued fractions (Euclid): integer parts
  // first; when they are equal, a/b < c/d exactly when b/ra > d/rc for the
  // remainders ra, rc. No product is formed, so nothing can overflow.
  Int128 a = x.numerator_, b = x.denominator_, c = y.numerator_, d = y.denominator_;
  bool flipped = false;
  for (;;) {
    Int128 qa, ra, qc, rc;
    FloorDivMod(a, b, qa, ra);
    FloorDivMod(c, d, qc, rc);
    std::strong_ordering order = std::strong_ordering::equal;
    if (qa != qc) {
      order = qa < qc ? std::strong_ordering::less : std::strong_ordering::greater;
    } else if (ra == 0 || rc == 0) {
      if (ra == 0 && rc == 0) return std::strong_ordering::equal;
      order = ra == 0 ? std::strong_ordering::less : std::strong_ordering::greater;
    } else {
      a = b;
      b = ra;
      c = d;
      d = rc;
      flipped = !flipped;
      continue;
    }
    if (!flipped) return order;
    return order == std::strong_ordering::less ? std::strong_ordering::greater : std::strong_ordering::less;
  }
}

}  // namespace cadre::incentive_internal
