#include "cadre/money.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string>

#include "absl/strings/str_cat.h"
#include "cadre/id.h"
#include "cadre/status.h"

namespace cadre {
namespace {

struct CurrencyInfo {
  std::string_view code;
  int minor_digits;
};

// ISO 4217 List One ("currency and funds"): the active alphabetic codes and the
// digits of their minor unit, as published by the ISO 4217 maintenance agency
// (SIX) including its amendments through 2025. Changes from older lists:
// HRK withdrawn (Croatia adopted EUR, 2023), ZWL replaced by ZWG (2024), ANG
// replaced by XCG (2025). Codes whose minor unit is "N.A." (precious metals XAU,
// XAG, XPD, XPT; bond-market units XBA..XBD; XDR, XSU, XUA; the testing code XTS
// and the no-currency code XXX) are left out on purpose: they are not money a
// retailer is paid in, and an amount in minor units means nothing for them.
// Sorted by code, so lookup is a binary search (checked by a static_assert).
constexpr CurrencyInfo kCurrencies[] = {
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"AOA", 2}, {"ARS", 2}, {"AUD", 2}, {"AWG", 2}, {"AZN", 2},
    {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BGN", 2}, {"BHD", 3}, {"BIF", 0}, {"BMD", 2}, {"BND", 2}, {"BOB", 2},
    {"BOV", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2}, {"BYN", 2}, {"BZD", 2}, {"CAD", 2}, {"CDF", 2},
    {"CHE", 2}, {"CHF", 2}, {"CHW", 2}, {"CLF", 4}, {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"COU", 2}, {"CRC", 2},
    {"CUC", 2}, {"CUP", 2}, {"CVE", 2}, {"CZK", 2}, {"DJF", 0}, {"DKK", 2}, {"DOP", 2}, {"DZD", 2}, {"EGP", 2},
    {"ERN", 2}, {"ETB", 2}, {"EUR", 2}, {"FJD", 2}, {"FKP", 2}, {"GBP", 2}, {"GEL", 2}, {"GHS", 2}, {"GIP", 2},
    {"GMD", 2}, {"GNF", 0}, {"GTQ", 2}, {"GYD", 2}, {"HKD", 2}, {"HNL", 2}, {"HTG", 2}, {"HUF", 2}, {"IDR", 2},
    {"ILS", 2}, {"INR", 2}, {"IQD", 3}, {"IRR", 2}, {"ISK", 0}, {"JMD", 2}, {"JOD", 3}, {"JPY", 0}, {"KES", 2},
    {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2}, {"KRW", 0}, {"KWD", 3}, {"KYD", 2}, {"KZT", 2}, {"LAK", 2},
    {"LBP", 2}, {"LKR", 2}, {"LRD", 2}, {"LSL", 2}, {"LYD", 3}, {"MAD", 2}, {"MDL", 2}, {"MGA", 2}, {"MKD", 2},
    {"MMK", 2}, {"MNT", 2}, {"MOP", 2}, {"MRU", 2}, {"MUR", 2}, {"MVR", 2}, {"MWK", 2}, {"MXN", 2}, {"MXV", 2},
    {"MYR", 2}, {"MZN", 2}, {"NAD", 2}, {"NGN", 2}, {"NIO", 2}, {"NOK", 2}, {"NPR", 2}, {"NZD", 2}, {"OMR", 3},
    {"PAB", 2}, {"PEN", 2}, {"PGK", 2}, {"PHP", 2}, {"PKR", 2}, {"PLN", 2}, {"PYG", 0}, {"QAR", 2}, {"RON", 2},
    {"RSD", 2}, {"RUB", 2}, {"RWF", 0}, {"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2}, {"SGD", 2},
    {"SHP", 2}, {"SLE", 2}, {"SLL", 2}, {"SOS", 2}, {"SRD", 2}, {"SSP", 2}, {"STN", 2}, {"SVC", 2}, {"SYP", 2},
    {"SZL", 2}, {"THB", 2}, {"TJS", 2}, {"TMT", 2}, {"TND", 3}, {"TOP", 2}, {"TRY", 2}, {"TTD", 2}, {"TWD", 2},
    {"TZS", 2}, {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"USN", 2}, {"UYI", 0}, {"UYU", 2}, {"UYW", 4}, {"UZS", 2},
    {"VED", 2}, {"VES", 2}, {"VND", 0}, {"VUV", 0}, {"WST", 2}, {"XAF", 0}, {"XCD", 2}, {"XCG", 2}, {"XOF", 0},
    {"XPF", 0}, {"YER", 2}, {"ZAR", 2}, {"ZMW", 2}, {"ZWG", 2},
};

constexpr bool IsSortedAndUnique() {
  for (std::size_t i = 1; i < std::size(kCurrencies); ++i) {
    if (!(kCurrencies[i - 1].code < kCurrencies[i].code)) return false;
  }
  return true;
}
static_assert(IsSortedAndUnique(), "kCurrencies must be sorted by code for binary search");

bool IsUpperAlpha(char c) { return c >= 'A' && c <= 'Z'; }

// 10^digits for the 0..4 minor digits of the table.
uint64_t MinorScale(int digits) {
  uint64_t scale = 1;
  for (int i = 0; i < digits; ++i) scale *= 10;
  return scale;
}

absl::Status CurrencyMismatch(const Money& a, std::string_view op, const Money& b) {
  return absl::InvalidArgumentError(absl::StrCat("currency mismatch: ", a.ToString(), " ", AbslView(op), " ",
                                                 b.ToString(),
                                                 " (amounts in different currencies are never "
                                                 "converted implicitly)"));
}

}  // namespace

absl::StatusOr<Currency> Currency::Parse(std::string_view code) {
  if (code.size() != 3 || !IsUpperAlpha(code[0]) || !IsUpperAlpha(code[1]) || !IsUpperAlpha(code[2])) {
    return FieldError("", "expected a currency code of three upper-case letters, like \"CNY\"", QuoteJson(code));
  }
  const CurrencyInfo* end = std::end(kCurrencies);
  const CurrencyInfo* it = std::lower_bound(std::begin(kCurrencies), end, code,
                                            [](const CurrencyInfo& info, std::string_view c) { return info.code < c; });
  if (it == end || it->code != code) {
    return FieldError("", "unknown or inactive ISO 4217 currency code", QuoteJson(code));
  }
  Currency currency;
  std::copy(code.begin(), code.end(), currency.code_);
  currency.minor_digits_ = it->minor_digits;
  return currency;
}

std::string Money::ToString() const {
  const int digits = currency.minor_digits();
  const uint64_t scale = MinorScale(digits);
  // Negate in unsigned arithmetic so that INT64_MIN prints correctly too.
  const bool negative = minor < 0;
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(minor) : static_cast<uint64_t>(minor);
  std::string out = negative ? "-" : "";
  absl::StrAppend(&out, magnitude / scale);
  if (digits > 0) {
    std::string fraction = absl::StrCat(magnitude % scale);
    absl::StrAppend(&out, ".", std::string(digits - fraction.size(), '0'), fraction);
  }
  if (currency.valid()) absl::StrAppend(&out, " ", AbslView(currency.code()));
  return out;
}

absl::StatusOr<Money> Add(const Money& a, const Money& b) {
  if (!(a.currency == b.currency)) return CurrencyMismatch(a, "+", b);
  int64_t minor;
  if (__builtin_add_overflow(a.minor, b.minor, &minor)) {
    return absl::OutOfRangeError(absl::StrCat("amount overflow: ", a.ToString(), " + ", b.ToString(),
                                              " exceeds the int64 range of minor units"));
  }
  return Money{minor, a.currency};
}

absl::StatusOr<Money> Sub(const Money& a, const Money& b) {
  if (!(a.currency == b.currency)) return CurrencyMismatch(a, "-", b);
  int64_t minor;
  if (__builtin_sub_overflow(a.minor, b.minor, &minor)) {
    return absl::OutOfRangeError(absl::StrCat("amount overflow: ", a.ToString(), " - ", b.ToString(),
                                              " exceeds the int64 range of minor units"));
  }
  return Money{minor, a.currency};
}

absl::StatusOr<int64_t> CheckedAdd(int64_t a, int64_t b) {
  int64_t sum;
  if (__builtin_add_overflow(a, b, &sum)) {
    return absl::OutOfRangeError(absl::StrCat("integer overflow: ", a, " + ", b, " exceeds the int64 range"));
  }
  return sum;
}

absl::StatusOr<int64_t> CheckedMul(int64_t a, int64_t b) {
  int64_t product;
  if (__builtin_mul_overflow(a, b, &product)) {
    return absl::OutOfRangeError(absl::StrCat("integer overflow: ", a, " * ", b, " exceeds the int64 range"));
  }
  return product;
}

}  // namespace cadre
