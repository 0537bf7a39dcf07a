// Derived KPI formulas: compiled once when a metric is loaded, evaluated per cell.
//
//   CADRE_ASSIGN_OR_RETURN(Formula f, Formula::Compile("revenue / max(orders, 1)", "metrics[2].formula"));
//   // f.variables() == {"orders", "revenue"}: values are given in that order
//   std::optional<double> v = f.Evaluate(std::vector<std::optional<double>>{12.0, 480.0});  // 40
//
// A thin wrapper over muparser (Debian libmuparser-dev 2.3.3), kept private so that
// muparser's headers and exceptions stay out of cadre's interface. The grammar is
// muparser's, narrowed to what include/cadre/kpi.h documents: numbers, metric ids,
// + - * / ^ (right-associative, above unary minus: -2^2 is -4), comparisons
// (< <= > >= == !=), && and ||, `c ? a : b`, parentheses, min(), max() and abs().
// muparser's own operators are switched off and redefined here, because its "/"
// gives infinity for x/0, and 1/(a/0) would then quietly come out as 0. Ours make
// any non-finite step (a division by zero, an overflow) poison the whole
// evaluation, which then has no value; the branch `c ? a : b` does not take is not
// evaluated, so `orders > 0 ? revenue / orders : 0` is a guard that works.
#ifndef CADRE_SRC_KPI_FORMULA_H_
#define CADRE_SRC_KPI_FORMULA_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace cadre::kpi_internal {

// Formula text longer than this (in bytes) is refused.
inline constexpr std::size_t kMaxFormulaLength = 1000;

// A parsed formula. Thread-safety: Evaluate may be called from several threads
// on the same const Formula (a mutex inside serialises them); the rest is
// immutable after Compile. A moved-from Formula may only be assigned to or
// destroyed.
class Formula {
 public:
  // Parses `text`, whose names are metric ids ([a-z][a-z0-9_]*); which metrics
  // exist is not checked here. A refusal is an InvalidArgument field error (see
  // cadre/status.h) at `path` whose value is the text and whose rule says what is
  // wrong and where, as a 1-based byte position:
  //   metrics.formula: unexpected operator "*" at position 5, got "a + * b"
  // Empty (or blank) text and text longer than kMaxFormulaLength are refused.
  static absl::StatusOr<Formula> Compile(std::string_view text, std::string_view path);

  Formula(Formula&&) noexcept;
  Formula& operator=(Formula&&) noexcept;
  ~Formula();

  const std::string& text() const;
  // The distinct names the formula uses, sorted.
  const std::vector<std::string>& variables() const;

  // Evaluates with values[i] bound to variables()[i]. No value (std::nullopt)
  // when an input is absent or not finite, when `values` does not have one entry
  // per variable, when a step divides by zero (x/0 and 0/0 alike, however deeply
  // nested) or leaves the finite range, or when the result is not finite. Never
  // NaN or infinity; never throws.
  std::optional<double> Evaluate(std::span<const std::optional<double>> values) const;

 private:
  struct Impl;
  explicit Formula(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cadre::kpi_internal

#endif  // CADRE_SRC_KPI_FORMULA_H_
