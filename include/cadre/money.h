// cadre/money.h — money as integer minor units plus an ISO 4217 currency.
//
// Amounts never pass through floating point. Each workspace has one reporting
// currency; mixing currencies in arithmetic is an error, not a silent conversion.
//
//   CADRE_ASSIGN_OR_RETURN(Currency cny, Currency::Parse("CNY"));
//   Money price{12999, cny};                       // ¥129.99
//   CADRE_ASSIGN_OR_RETURN(Money total, Add(price, price));
//   total.ToString();                               // "259.98 CNY"
#ifndef CADRE_MONEY_H_
#define CADRE_MONEY_H_

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace cadre {

// An active ISO 4217 currency code.
class Currency {
 public:
  // Refuses (InvalidArgument) codes that are not three upper-case letters or are
  // not active ISO 4217 codes.
  static absl::StatusOr<Currency> Parse(std::string_view code);

  constexpr Currency() = default;  // the empty currency; valid() is false
  bool valid() const { return code_[0] != '\0'; }
  std::string_view code() const { return std::string_view(code_, valid() ? 3 : 0); }
  // Digits after the decimal point in the minor unit (CNY 2, JPY 0, KWD 3).
  int minor_digits() const { return minor_digits_; }

  friend bool operator==(const Currency& a, const Currency& b) { return a.code() == b.code(); }

 private:
  char code_[4] = {0, 0, 0, 0};
  int minor_digits_ = 2;
};

struct Money {
  int64_t minor = 0;
  Currency currency;

  // "129.99 CNY", "-5 JPY".
  std::string ToString() const;
  friend bool operator==(const Money&, const Money&) = default;
};

// Checked: InvalidArgument if currencies differ, OutOfRange on overflow.
absl::StatusOr<Money> Add(const Money& a, const Money& b);
absl::StatusOr<Money> Sub(const Money& a, const Money& b);
// Overflow-checked int64 helpers used across engines.
absl::StatusOr<int64_t> CheckedAdd(int64_t a, int64_t b);
absl::StatusOr<int64_t> CheckedMul(int64_t a, int64_t b);

}  // namespace cadre

#endif  // CADRE_MONEY_H_
