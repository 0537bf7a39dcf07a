#include "kpi/formula.h"

#include <muParser.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cadre/status.h"
#include "model/text_rules.h"

namespace cadre::kpi_internal {
namespace {

using model_internal::Quoted;

// Set by a step of an evaluation that left the finite range. A NaN alone would
// not do: min(1, x) and `x > 0` swallow it. An evaluation runs on its caller's
// thread under the formula's mutex, so a thread-local flag is that evaluation's.
thread_local bool step_failed = false;

double Fail() {
  step_failed = true;
  return std::numeric_limits<double>::quiet_NaN();
}
double Finite(double r) { return std::isfinite(r) ? r : Fail(); }

// Inputs and literals are finite, and every step below keeps them so or fails,
// so only results need checking.
double Add(double a, double b) { return Finite(a + b); }
double Subtract(double a, double b) { return Finite(a - b); }
double Multiply(double a, double b) { return Finite(a * b); }
double Divide(double a, double b) { return b == 0 ? Fail() : Finite(a / b); }
double Power(double a, double b) { return Finite(std::pow(a, b)); }
double Less(double a, double b) { return a < b; }
double LessEqual(double a, double b) { return a <= b; }
double Greater(double a, double b) { return a > b; }
double GreaterEqual(double a, double b) { return a >= b; }
double Equal(double a, double b) { return a == b; }
double NotEqual(double a, double b) { return a != b; }
double And(double a, double b) { return a != 0 && b != 0; }
double Or(double a, double b) { return a != 0 || b != 0; }
// muparser refuses min() and max() without arguments before calling these.
double Min(const double* args, int n) { return *std::min_element(args, args + n); }
double Max(const double* args, int n) { return *std::max_element(args, args + n); }
double Abs(double a) { return std::fabs(a); }

// Longest first: muparser reports "a + * b" as an unreadable token "* b", and the
// operator is named from the text.
constexpr std::string_view kOperators[] = {"<=", ">=", "==", "!=", "&&", "||", "+", "-", "*", "/", "^", "<", ">"};

void DefineGrammar(mu::Parser& parser) {
  parser.EnableBuiltInOprt(false);
  parser.ClearFun();
  parser.ClearConst();  // _pi and _e: not metric ids
  // Not optimisable: muparser would fold constant steps while parsing, and a
  // failure in a folded step would go unflagged at evaluation.
  constexpr bool kFold = false;
  parser.DefineOprt("+", Add, mu::prADD_SUB, mu::oaLEFT, kFold);
  parser.DefineOprt("-", Subtract, mu::prADD_SUB, mu::oaLEFT, kFold);
  parser.DefineOprt("*", Multiply, mu::prMUL_DIV, mu::oaLEFT, kFold);
  parser.DefineOprt("/", Divide, mu::prMUL_DIV, mu::oaLEFT, kFold);
  parser.DefineOprt("^", Power, mu::prPOW, mu::oaRIGHT, kFold);
  parser.DefineOprt("<", Less, mu::prCMP, mu::oaLEFT, kFold);
  parser.DefineOprt("<=", LessEqual, mu::prCMP, mu::oaLEFT, kFold);
  parser.DefineOprt(">", Greater, mu::prCMP, mu::oaLEFT, kFold);
  parser.DefineOprt(">=", GreaterEqual, mu::prCMP, mu::oaLEFT, kFold);
  parser.DefineOprt("==", Equal, mu::prCMP, mu::oaLEFT, kFold);
  parser.DefineOprt("!=", NotEqual, mu::prCMP, mu::oaLEFT, kFold);
  parser.DefineOprt("&&", And, mu::prLAND, mu::oaLEFT, kFold);
  parser.DefineOprt("||", Or, mu::prLOR, mu::oaLEFT, kFold);
  parser.DefineFun("min", Min, kFold);
  parser.DefineFun("max", Max, kFold);
  parser.DefineFun("abs", Abs, kFold);
}

bool IsIdStart(char c) { return c >= 'a' && c <= 'z'; }
bool IsIdChar(char c) { return IsIdStart(c) || (c >= '0' && c <= '9') || c == '_'; }
// What muparser takes for part of a name (its default name characters).
bool IsNameChar(char c) { return IsIdChar(c) || (c >= 'A' && c <= 'Z'); }

bool IsMetricId(std::string_view name) {
  return !name.empty() && IsIdStart(name[0]) && std::all_of(name.begin(), name.end(), IsIdChar);
}

// 0-based offset of the first occurrence of `name` as a whole name, else npos.
std::size_t FindName(std::string_view text, std::string_view name) {
  for (std::size_t at = text.find(name); at != std::string_view::npos; at = text.find(name, at + 1)) {
    std::size_t end = at + name.size();
    bool starts = at == 0 || (!IsNameChar(text[at - 1]) && text[at - 1] != '.');
    if (starts && (end == text.size() || !IsNameChar(text[end]))) return at;
  }
  return std::string_view::npos;
}

// The character (a whole UTF-8 sequence) at `at`.
std::string_view CharAt(std::string_view text, std::size_t at) {
  unsigned char lead = static_cast<unsigned char>(text[at]);
  std::size_t length = lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
  return text.substr(at, length);
}

std::string_view LeadingOperator(std::string_view rest) {
  for (std::string_view op : kOperators) {
    if (rest.starts_with(op)) return op;
  }
  return {};
}

// `rule` is what is wrong; `at` a 0-based offset, reported 1-based.
absl::Status FormulaError(std::string_view path, std::string_view text, std::string_view rule, std::size_t at) {
  return FieldError(path, absl::StrCat(AbslView(rule), " at position ", std::min(at, text.size()) + 1), Quoted(text));
}

// muparser's error, reworded with a 1-based position into the original text.
// muparser's positions are 0-based and may point one past the text (it parses
// the text with a space appended).
absl::Status SyntaxError(const mu::ParserError& error, std::string_view text, std::string_view path) {
  std::size_t at = error.GetPos() < 0 ? text.size() : static_cast<std::size_t>(error.GetPos());
  at = std::min(at, text.size());
  const std::string token = error.GetToken();
  auto fail = [&](std::string_view rule) { return FormulaError(path, text, rule, at); };
  switch (error.GetCode()) {
    case mu::ecUNEXPECTED_OPERATOR:
      return fail(absl::StrCat("unexpected operator ", Quoted(token)));
    case mu::ecUNASSIGNABLE_TOKEN:
    case mu::ecINVALID_CHARACTERS_FOUND: {
      if (at == text.size()) return fail("unexpected end of formula");
      std::string_view op = LeadingOperator(text.substr(at));
      if (!op.empty()) return fail(absl::StrCat("unexpected operator ", Quoted(op)));
      return fail(absl::StrCat("unknown character ", Quoted(CharAt(text, at))));
    }
    case mu::ecUNEXPECTED_EOF:
      return fail("unexpected end of formula");
    case mu::ecUNEXPECTED_ARG_SEP:
      return fail("unexpected \",\"");
    case mu::ecUNEXPECTED_ARG:
      return fail("unexpected argument");
    case mu::ecUNEXPECTED_VAL:
      return fail(absl::StrCat("unexpected number ", Quoted(token)));
    case mu::ecUNEXPECTED_VAR:
      return fail(absl::StrCat("unexpected name ", Quoted(token)));
    case mu::ecUNEXPECTED_PARENS: {
      // "revenue(2)": a call of a function that does not exist.
      std::size_t start = at;
      while (token == "(" && start > 0 && IsNameChar(text[start - 1])) --start;
      if (start < at) {
        return FormulaError(path, text, absl::StrCat("unknown function ", Quoted(text.substr(start, at - start))),
                            start);
      }
      return fail(absl::StrCat("unexpected parenthesis ", Quoted(token)));
    }
    case mu::ecMISSING_PARENS: {
      std::vector<std::size_t> open;
      for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '(') open.push_back(i);
        if (text[i] == ')' && !open.empty()) open.pop_back();
      }
      if (open.empty()) return fail("missing parenthesis");
      return FormulaError(path, text, "unclosed parenthesis", open.back());
    }
    case mu::ecUNEXPECTED_FUN:
      return fail(absl::StrCat("unexpected function ", Quoted(token)));
    case mu::ecTOO_MANY_PARAMS:
    case mu::ecTOO_FEW_PARAMS: {
      std::size_t name = FindName(text, token);
      return FormulaError(path, text,
                          absl::StrCat(error.GetCode() == mu::ecTOO_MANY_PARAMS ? "too many" : "too few",
                                       " arguments to ", Quoted(token)),
                          name == std::string_view::npos ? at : name);
    }
    case mu::ecUNEXPECTED_STR:
    case mu::ecSTRING_EXPECTED:
    case mu::ecVAL_EXPECTED:
    case mu::ecUNTERMINATED_STRING:
    case mu::ecOPRT_TYPE_CONFLICT:
    case mu::ecSTR_RESULT: {
      std::size_t quote = text.find('"');
      return FormulaError(path, text, "unexpected string", quote == std::string_view::npos ? at : quote);
    }
    case mu::ecUNEXPECTED_CONDITIONAL:  // muparser uses it for a stray ":" too
      if (at < text.size() && text[at] == ':') return fail("unexpected \":\"");
      return fail("unexpected \"?\"");
    case mu::ecMISSING_ELSE_CLAUSE: {
      std::size_t question = text.rfind('?');
      return FormulaError(path, text, "\"?\" without \":\"", question == std::string_view::npos ? at : question);
    }
    case mu::ecMISPLACED_COLON: {  // muparser points just past it
      std::size_t colon = text.rfind(':', at);
      return FormulaError(path, text, "unexpected \":\"", colon == std::string_view::npos ? at : colon);
    }
    case mu::ecIDENTIFIER_TOO_LONG:
      return fail("name too long");
    default:
      return fail(absl::StrCat("cannot be parsed (", error.GetMsg(), ")"));
  }
}

}  // namespace

struct Formula::Impl {
  std::string text;
  std::string_view path;  // valid during Compile only
  std::mutex mutex;       // held while evaluating: muparser keeps its stack in the parser
  mu::Parser parser;
  // One slot per name, created by muparser through CreateVariable while parsing;
  // map nodes keep their addresses, and the map's order is variables' order.
  std::map<std::string, double, std::less<>> slots;
  std::vector<std::string> variables;
  std::vector<double*> bound;  // bound[i]: the slot of variables[i]
  std::optional<absl::Status> name_error;

  // muparser's variable factory: called for each name it does not know.
  static double* CreateVariable(const mu::char_type* name, void* user) {
    Impl& impl = *static_cast<Impl*>(user);
    std::string_view id(name);
    if (!IsMetricId(id)) {
      std::size_t at = FindName(impl.text, id);
      if (at == std::string_view::npos) at = 0;
      bool number = !id.empty() && id[0] >= '0' && id[0] <= '9';  // "1e", "1e999": no number to muparser
      impl.name_error = FormulaError(impl.path, impl.text,
                                     absl::StrCat(number ? "malformed number " : "invalid metric id ", Quoted(id)), at);
      throw mu::ParserError(mu::ecINVALID_NAME, static_cast<int>(at), std::string(id));
    }
    return &impl.slots.try_emplace(std::string(id), 0.0).first->second;
  }
};

Formula::Formula(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Formula::Formula(Formula&&) noexcept = default;
Formula& Formula::operator=(Formula&&) noexcept = default;
Formula::~Formula() = default;

const std::string& Formula::text() const { return impl_->text; }
const std::vector<std::string>& Formula::variables() const { return impl_->variables; }

absl::StatusOr<Formula> Formula::Compile(std::string_view text, std::string_view path) {
  if (text.size() > kMaxFormulaLength) {
    return FieldError(path, absl::StrCat("must be at most ", kMaxFormulaLength, " characters long"), Quoted(text));
  }
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return FieldError(path, "must not be empty", Quoted(text));
  }
  // muparser reads only spaces as blanks, and stops at a NUL. Other blanks become
  // spaces (one byte for one, so positions hold); other control characters are
  // refused here.
  std::string expression(text);
  for (std::size_t i = 0; i < expression.size(); ++i) {
    char& c = expression[i];
    if (c == '\t' || c == '\r' || c == '\n') {
      c = ' ';
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      return FormulaError(path, text, absl::StrCat("unknown character ", Quoted(text.substr(i, 1))), i);
    }
  }

  auto impl = std::make_unique<Impl>();
  impl->text = std::string(text);
  impl->path = path;
  try {
    DefineGrammar(impl->parser);
    impl->parser.SetVarFactory(&Impl::CreateVariable, impl.get());
    impl->parser.SetExpr(expression);
    impl->parser.Eval();  // muparser parses on the first evaluation
    if (impl->parser.GetNumResults() != 1) {
      // "a, b": muparser takes a list of expressions. Name the first top-level comma.
      int depth = 0;
      std::size_t at = 0;
      for (; at < text.size(); ++at) {
        if (text[at] == '(') ++depth;
        if (text[at] == ')') --depth;
        if (text[at] == ',' && depth == 0) break;
      }
      return FormulaError(path, text, "unexpected \",\"", at);
    }
  } catch (const mu::ParserError& error) {
    if (impl->name_error) return *std::move(impl->name_error);
    return SyntaxError(error, impl->text, path);
  } catch (const std::exception& error) {
    return absl::InternalError(absl::StrCat(AbslView(path), ": muparser failed: ", error.what()));
  } catch (...) {
    return absl::InternalError(absl::StrCat(AbslView(path), ": muparser failed"));
  }
  impl->path = {};
  for (auto& [name, slot] : impl->slots) {
    impl->variables.push_back(name);
    impl->bound.push_back(&slot);
  }
  return Formula(std::move(impl));
}

std::optional<double> Formula::Evaluate(std::span<const std::optional<double>> values) const {
  Impl& impl = *impl_;
  if (values.size() != impl.bound.size()) return std::nullopt;
  for (const std::optional<double>& value : values) {
    if (!value || !std::isfinite(*value)) return std::nullopt;
  }
  std::lock_guard<std::mutex> lock(impl.mutex);
  for (std::size_t i = 0; i < values.size(); ++i) *impl.bound[i] = *values[i];
  step_failed = false;
  double result;
  try {
    result = impl.parser.Eval();
  } catch (...) {
    return std::nullopt;
  }
  if (step_failed || !std::isfinite(result)) return std::nullopt;
  return result + 0.0;  // -0 reads as 0
}

}  // namespace cadre::kpi_internal
