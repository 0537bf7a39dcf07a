// Derived-metric formulas: the grammar, the refusals and where they point, "no value".
#include "kpi/formula.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cadre/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cadre::kpi_internal {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Formula MustCompile(std::string_view text) {
  absl::StatusOr<Formula> formula = Formula::Compile(text, "metrics.formula");
  EXPECT_TRUE(formula.ok()) << formula.status();
  if (!formula.ok()) std::abort();
  return *std::move(formula);
}

// Evaluates a formula with the values given in the order of its sorted names.
std::optional<double> Eval(std::string_view text, std::vector<std::optional<double>> values = {}) {
  return MustCompile(text).Evaluate(values);
}

// The rule of a refusal, e.g. `unexpected operator "*" at position 5`.
std::string RefusalRule(std::string_view text) {
  absl::StatusOr<Formula> formula = Formula::Compile(text, "metrics[0].formula");
  if (formula.ok()) return "(accepted)";
  EXPECT_EQ(formula.status().code(), absl::StatusCode::kInvalidArgument);
  std::optional<FieldErrorDetails> details = GetFieldErrorDetails(formula.status());
  EXPECT_TRUE(details.has_value());
  if (!details) return "(no details)";
  EXPECT_EQ(details->path, "metrics[0].formula");
  return details->rule;
}

TEST(FormulaTest, ListsTheDistinctNamesSorted) {
  Formula formula = MustCompile("revenue / orders + revenue_2024 * orders - a1_b");
  EXPECT_EQ(formula.text(), "revenue / orders + revenue_2024 * orders - a1_b");
  EXPECT_THAT(formula.variables(), ElementsAre("a1_b", "orders", "revenue", "revenue_2024"));
  EXPECT_THAT(MustCompile("2 * (3 + 4)").variables(), IsEmpty());
}

TEST(FormulaTest, BindsValuesInTheOrderOfTheNames) {
  Formula formula = MustCompile("revenue / orders");  // names: orders, revenue
  EXPECT_EQ(formula.Evaluate(std::vector<std::optional<double>>{4.0, 100.0}), 25.0);
  EXPECT_EQ(formula.Evaluate(std::vector<std::optional<double>>{5.0, 100.0}), 20.0);
}

TEST(FormulaTest, ArithmeticAndPrecedence) {
  EXPECT_EQ(Eval("1 + 2 * 3"), 7.0);
  EXPECT_EQ(Eval("(1 + 2) * 3"), 9.0);
  EXPECT_EQ(Eval("10 - 4 - 3"), 3.0);  // left-associative
  EXPECT_EQ(Eval("24 / 4 / 2"), 3.0);
  EXPECT_EQ(Eval("2 ^ 3 ^ 2"), 512.0);  // right-associative
  EXPECT_EQ(Eval("-2 ^ 2"), -4.0);      // ^ binds tighter than unary minus
  EXPECT_EQ(Eval("2 * -3"), -6.0);
  EXPECT_EQ(Eval("a - -b", {5.0, 2.0}), 7.0);
  EXPECT_EQ(Eval("1.5e2 + .5"), 150.5);
  EXPECT_EQ(Eval("1 + 2 < 4"), 1.0);  // comparisons below arithmetic
  EXPECT_EQ(Eval("1 < 2 && 3 >= 4 || 5 != 5"), 0.0);
  EXPECT_EQ(Eval("1 <= 1 && 2 == 2 && 3 > 2"), 1.0);
  EXPECT_EQ(Eval("a\t*\nb", {3.0, 4.0}), 12.0);  // tabs and newlines are blanks
}

TEST(FormulaTest, MinMaxAbs) {
  EXPECT_EQ(Eval("min(3, 1, 2)"), 1.0);
  EXPECT_EQ(Eval("max(a, 7)", {9.0}), 9.0);
  EXPECT_EQ(Eval("max(a)", {9.0}), 9.0);
  EXPECT_EQ(Eval("abs(a - b)", {2.0, 5.0}), 3.0);
  EXPECT_EQ(Eval("revenue / max(orders, 1)", {0.0, 50.0}), 50.0);
}

TEST(FormulaTest, Conditional) {
  EXPECT_EQ(Eval("a > 0 ? 10 : 20", {1.0}), 10.0);
  EXPECT_EQ(Eval("a > 0 ? 10 : 20", {0.0}), 20.0);
  EXPECT_EQ(Eval("a > 1 ? 1 : a > 0 ? 2 : 3", {0.5}), 2.0);
  // The branch not taken is not evaluated: a guard against division by zero works.
  EXPECT_EQ(Eval("orders > 0 ? revenue / orders : 0", {0.0, 10.0}), 0.0);
  EXPECT_EQ(Eval("orders > 0 ? revenue / orders : 0", {4.0, 10.0}), 2.5);
}

TEST(FormulaTest, DivisionByZeroHasNoValue) {
  EXPECT_EQ(Eval("1 / 0"), std::nullopt);
  EXPECT_EQ(Eval("0 / 0"), std::nullopt);
  EXPECT_EQ(Eval("a / b", {1.0, 0.0}), std::nullopt);
  EXPECT_EQ(Eval("a / b", {0.0, 0.0}), std::nullopt);
  EXPECT_EQ(Eval("a / b", {-3.0, -0.0}), std::nullopt);
  // Nested: muparser's own "/" would make these 0, 1, 1 and 3.
  EXPECT_EQ(Eval("1 / (a / 0)", {5.0}), std::nullopt);
  EXPECT_EQ(Eval("min(1, a / b)", {1.0, 0.0}), std::nullopt);
  EXPECT_EQ(Eval("a / b > 0 ? 2 : 1", {1.0, 0.0}), std::nullopt);
  EXPECT_EQ(Eval("(a / b > 0) || 1", {1.0, 0.0}), std::nullopt);
  EXPECT_EQ(Eval("a + 0 * (1 / (b - b))", {3.0, 7.0}), std::nullopt);
  EXPECT_EQ(Eval("0 ^ -1"), std::nullopt);  // 1 / 0 by another name
  // The same formula has a value again once the divisor is not zero.
  Formula formula = MustCompile("1 / (a / b)");
  EXPECT_EQ(formula.Evaluate(std::vector<std::optional<double>>{1.0, 0.0}), std::nullopt);
  EXPECT_EQ(formula.Evaluate(std::vector<std::optional<double>>{1.0, 4.0}), 4.0);
}

TEST(FormulaTest, NonFiniteStepsHaveNoValue) {
  EXPECT_EQ(Eval("a * a", {1e300}), std::nullopt);
  EXPECT_EQ(Eval("1 / (a * a)", {1e300}), std::nullopt);  // would be 0 through an infinity
  EXPECT_EQ(Eval("(-8) ^ 0.5"), std::nullopt);            // NaN
  EXPECT_EQ(Eval("10 ^ 400"), std::nullopt);
  EXPECT_EQ(Eval("0 * -1"), 0.0);
  EXPECT_FALSE(std::signbit(*Eval("0 * -1")));
}

TEST(FormulaTest, MissingInputHasNoValue) {
  Formula formula = MustCompile("a + b");
  EXPECT_EQ(formula.Evaluate(std::vector<std::optional<double>>{1.0, std::nullopt}), std::nullopt);
  EXPECT_EQ(formula.Evaluate(std::vector<std::optional<double>>{std::nullopt, 1.0}), std::nullopt);
  EXPECT_EQ(formula.Evaluate(std::vector<std::optional<double>>{std::nan(""), 1.0}), std::nullopt);
  EXPECT_EQ(formula.Evaluate(std::vector<std::optional<double>>{HUGE_VAL, 1.0}), std::nullopt);
  // Even an input the result does not depend on: it is still an input.
  EXPECT_EQ(Eval("a > 0 ? 1 : b", {1.0, std::nullopt}), std::nullopt);
  // Wrong number of values.
  EXPECT_EQ(formula.Evaluate(std::vector<std::optional<double>>{1.0}), std::nullopt);
  EXPECT_EQ(formula.Evaluate({}), std::nullopt);
  EXPECT_EQ(formula.Evaluate(std::vector<std::optional<double>>{1.0, 2.0}), 3.0);
}

TEST(FormulaTest, SyntaxErrorNamesThePosition) {
  absl::StatusOr<Formula> formula = Formula::Compile("a + * b", "metrics.formula");
  ASSERT_EQ(formula.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(formula.status().message(), "metrics.formula: unexpected operator \"*\" at position 5, got \"a + * b\"");
  std::optional<FieldErrorDetails> details = GetFieldErrorDetails(formula.status());
  ASSERT_TRUE(details.has_value());
  EXPECT_EQ(details->path, "metrics.formula");
  EXPECT_EQ(details->value, "\"a + * b\"");
  EXPECT_EQ(details->rule, "unexpected operator \"*\" at position 5");

  EXPECT_EQ(RefusalRule("a * / b"), "unexpected operator \"/\" at position 5");
  EXPECT_EQ(RefusalRule("a <= <= b"), "unexpected operator \"<=\" at position 6");
  EXPECT_EQ(RefusalRule("a +"), "unexpected end of formula at position 4");
  EXPECT_EQ(RefusalRule("(a + b"), "unclosed parenthesis at position 1");
  EXPECT_EQ(RefusalRule("a + b)"), "unexpected parenthesis \")\" at position 6");
  EXPECT_EQ(RefusalRule("a b"), "unexpected name \"b\" at position 3");
  EXPECT_EQ(RefusalRule("1 2"), "unexpected number \"2\" at position 3");
  EXPECT_EQ(RefusalRule("a, b"), "unexpected \",\" at position 2");
  EXPECT_EQ(RefusalRule("a ? : b"), "unexpected \":\" at position 5");
  EXPECT_EQ(RefusalRule("a ? b : c : d"), "unexpected \":\" at position 11");
  EXPECT_EQ(RefusalRule("a ? b"), "\"?\" without \":\" at position 3");
  EXPECT_EQ(RefusalRule("min()"), "too few arguments to \"min\" at position 1");
  EXPECT_EQ(RefusalRule("1 + abs(1, 2)"), "too many arguments to \"abs\" at position 5");
  EXPECT_EQ(RefusalRule("2 * sqrt(a)"), "unknown function \"sqrt\" at position 5");
  EXPECT_EQ(RefusalRule("a = 3"), "unknown character \"=\" at position 3");
  EXPECT_EQ(RefusalRule("\"x\""), "unexpected string at position 1");
}

TEST(FormulaTest, NamesMustBeMetricIds) {
  EXPECT_EQ(RefusalRule("1 + Revenue"), "invalid metric id \"Revenue\" at position 5");
  EXPECT_EQ(RefusalRule("_pi * 2"), "invalid metric id \"_pi\" at position 1");
  // muparser reads what fails as a number as a name.
  EXPECT_EQ(RefusalRule("a * 1e"), "malformed number \"1e\" at position 5");
  EXPECT_EQ(RefusalRule("1e999"), "malformed number \"1e999\" at position 1");
}

TEST(FormulaTest, UnknownCharacter) {
  EXPECT_EQ(RefusalRule("a $ b"), "unknown character \"$\" at position 3");
  EXPECT_EQ(RefusalRule("a # b"), "unknown character \"#\" at position 3");
  EXPECT_EQ(RefusalRule("a + \xC3\xA9"), "unknown character \"\xC3\xA9\" at position 5");
  EXPECT_EQ(RefusalRule(std::string("a +\0b", 5)), "unknown character \"\\u0000\" at position 4");
}

TEST(FormulaTest, EmptyIsRefused) {
  EXPECT_EQ(RefusalRule(""), "must not be empty");
  EXPECT_EQ(RefusalRule("  \t"), "must not be empty");
}

TEST(FormulaTest, TooLongIsRefused) {
  std::string longest = "a";
  while (longest.size() + 4 <= kMaxFormulaLength) longest += " + a";
  ASSERT_LE(longest.size(), kMaxFormulaLength);
  EXPECT_TRUE(Formula::Compile(longest, "f").ok());
  std::string too_long(kMaxFormulaLength + 1, '1');
  EXPECT_EQ(RefusalRule(too_long), "must be at most 1000 characters long");
  absl::StatusOr<Formula> formula = Formula::Compile(too_long, "f");
  EXPECT_LT(formula.status().message().size(), 200u);  // the text is cut in the message
}

TEST(FormulaTest, ThreadsShareOneFormula) {
  const Formula formula = MustCompile("a / b + min(a, b)");  // names: a, b
  constexpr int kRounds = 20000;
  std::atomic<int> wrong{0};
  auto run = [&](double base) {
    for (int i = 1; i <= kRounds; ++i) {
      double a = base + i, b = i;
      std::optional<double> value = formula.Evaluate(std::vector<std::optional<double>>{a, b});
      if (value != a / b + std::min(a, b)) ++wrong;
      if (formula.Evaluate(std::vector<std::optional<double>>{a, 0.0}).has_value()) ++wrong;
    }
  };
  std::thread first(run, 1000.0);
  std::thread second(run, -5.0);
  first.join();
  second.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(FormulaTest, Moves) {
  Formula formula = MustCompile("a * 2");
  Formula moved(std::move(formula));
  EXPECT_EQ(moved.text(), "a * 2");
  EXPECT_THAT(moved.variables(), ElementsAre("a"));
  EXPECT_EQ(moved.Evaluate(std::vector<std::optional<double>>{21.0}), 42.0);

  Formula other = MustCompile("b + c");
  other = std::move(moved);
  EXPECT_EQ(other.text(), "a * 2");
  EXPECT_EQ(other.Evaluate(std::vector<std::optional<double>>{4.0}), 8.0);

  // Into a container that reallocates: the bound variables move along.
  std::vector<Formula> formulas;
  for (int i = 0; i < 20; ++i) formulas.push_back(MustCompile("x + " + std::to_string(i)));
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(formulas[i].Evaluate(std::vector<std::optional<double>>{1.0}), 1.0 + i);
  }
}

}  // namespace
}  // namespace cadre::kpi_internal
