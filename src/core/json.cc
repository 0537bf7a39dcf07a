#include "cadre/json.h"

#include <charconv>
#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "boost/json/basic_parser_impl.hpp"
#include "boost/json/error.hpp"
#include "boost/json/serialize.hpp"
#include "boost/json/value_stack.hpp"
#include "cadre/period.h"

namespace cadre::json {
namespace {

bool IsPlainKey(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string Quote(std::string_view s) { return boost::json::serialize(boost::json::string_view(s.data(), s.size())); }

// Largest integer a double holds exactly: integral JSON numbers written as 12.0
// are accepted up to here, and no further, so no digit is silently lost.
constexpr double kMaxExactDouble = 9007199254740992.0;  // 2^53

// Line and column (1-based) of byte `offset` in `text`.
std::pair<std::size_t, std::size_t> LineColumn(std::string_view text, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

}  // namespace

void Path::PushKey(std::string_view key) {
  marks_.push_back(text_.size());
  if (IsPlainKey(key)) {
    if (!text_.empty()) text_ += '.';
    text_.append(key);
  } else {
    absl::StrAppend(&text_, "[", Quote(key), "]");
  }
}

void Path::PushIndex(std::size_t index) {
  marks_.push_back(text_.size());
  absl::StrAppend(&text_, "[", index, "]");
}

void Path::Pop() {
  text_.resize(marks_.back());
  marks_.pop_back();
}

std::string Text(const boost::json::value& v) {
  // Boost.JSON writes doubles as 1.05E1; people wrote 10.5, so echo that back.
  if (v.is_double()) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.get_double());
    if (ec == std::errc()) return std::string(buf, end);
  }
  return boost::json::serialize(v);
}

absl::Status Mismatch(const Path& path, std::string_view expected, const boost::json::value& got) {
  return FieldError(path.str(), absl::StrCat("expected ", AbslView(expected)), Text(got));
}

namespace {

// A Boost.JSON parse handler that builds the value exactly as boost::json::parser
// does, and also refuses duplicate keys: Boost.JSON would keep the last of them,
// silently dropping what the sender wrote first.
class StrictHandler {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  using ec_t = boost::system::error_code;
  bool on_document_begin(ec_t&) {
    stack_.reset();
    return true;
  }
  bool on_document_end(ec_t&) { return true; }
  bool on_array_begin(ec_t&) { return true; }
  bool on_array_end(std::size_t n, ec_t&) {
    stack_.push_array(n);
    return true;
  }
  bool on_object_begin(ec_t&) {
    keys_.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t n, ec_t&) {
    keys_.pop_back();
    stack_.push_object(n);
    return true;
  }
  bool on_string_part(boost::json::string_view s, std::size_t, ec_t&) {
    stack_.push_chars(s);
    return true;
  }
  bool on_string(boost::json::string_view s, std::size_t, ec_t&) {
    stack_.push_string(s);
    return true;
  }
  bool on_key_part(boost::json::string_view s, std::size_t, ec_t&) {
    stack_.push_chars(s);
    key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(boost::json::string_view s, std::size_t, ec_t& ec) {
    stack_.push_key(s);
    key_.append(s.data(), s.size());
    // Objects in cadre documents are small; a linear scan beats hashing here.
    for (const std::string& seen : keys_.back()) {
      if (seen == key_) {
        duplicate_key_ = key_;
        ec = boost::json::error::syntax;
        return false;
      }
    }
    keys_.back().push_back(std::move(key_));
    key_.clear();
    return true;
  }
  bool on_number_part(boost::json::string_view, ec_t&) { return true; }
  bool on_int64(int64_t i, boost::json::string_view, ec_t&) {
    stack_.push_int64(i);
    return true;
  }
  bool on_uint64(uint64_t u, boost::json::string_view, ec_t&) {
    stack_.push_uint64(u);
    return true;
  }
  bool on_double(double d, boost::json::string_view, ec_t&) {
    stack_.push_double(d);
    return true;
  }
  bool on_bool(bool b, ec_t&) {
    stack_.push_bool(b);
    return true;
  }
  bool on_null(ec_t&) {
    stack_.push_null();
    return true;
  }
  bool on_comment_part(boost::json::string_view, ec_t&) { return true; }
  bool on_comment(boost::json::string_view, ec_t&) { return true; }

  boost::json::value Release() { return stack_.release(); }
  const std::optional<std::string>& duplicate_key() const { return duplicate_key_; }

 private:
  boost::json::value_stack stack_;
  std::vector<std::vector<std::string>> keys_;
  std::string key_;
  std::optional<std::string> duplicate_key_;
};

}  // namespace

absl::StatusOr<boost::json::value> ParseText(std::string_view text, std::string_view root) {
  boost::json::parse_options options;
  boost::json::basic_parser<StrictHandler> parser(options);
  boost::system::error_code ec;
  std::size_t consumed = parser.write_some(false, text.data(), text.size(), ec);
  if (!ec && consumed < text.size()) ec = boost::json::error::extra_data;
  if (ec) {
    auto [line, column] = LineColumn(text, consumed);
    if (parser.handler().duplicate_key()) {
      return FieldError(root, absl::StrCat("invalid JSON at line ", line, ", column ", column, ": duplicate key ",
                                           Quote(*parser.handler().duplicate_key())));
    }
    return FieldError(root, absl::StrCat("invalid JSON at line ", line, ", column ", column, ": ", ec.message()));
  }
  return parser.handler().Release();
}

absl::Status ReadBool(const boost::json::value& v, bool& out, const Path& path) {
  if (!v.is_bool()) return Mismatch(path, "true or false", v);
  out = v.get_bool();
  return absl::OkStatus();
}

absl::Status ReadInt(const boost::json::value& v, int64_t min, int64_t max, int64_t& out, const Path& path) {
  int64_t x = 0;
  if (v.is_int64()) {
    x = v.get_int64();
  } else if (v.is_uint64()) {
    if (v.get_uint64() > static_cast<uint64_t>(max))
      return FieldError(path.str(), absl::StrCat("expected integer at most ", max), Text(v));
    x = static_cast<int64_t>(v.get_uint64());
  } else if (v.is_double()) {
    double d = v.get_double();
    if (!(std::trunc(d) == d) || std::fabs(d) > kMaxExactDouble) return Mismatch(path, "integer", v);
    x = static_cast<int64_t>(d);
  } else {
    return Mismatch(path, "integer", v);
  }
  if (x < min || x > max)
    return FieldError(path.str(), absl::StrCat("expected integer in [", min, ", ", max, "]"), Text(v));
  out = x;
  return absl::OkStatus();
}

absl::Status ReadString(const boost::json::value& v, std::string& out, const Path& path) {
  if (!v.is_string()) return Mismatch(path, "string", v);
  out.assign(v.get_string().data(), v.get_string().size());
  return absl::OkStatus();
}

absl::Status ReadTime(const boost::json::value& v, absl::Time& out, const Path& path) {
  if (!v.is_string()) return Mismatch(path, "RFC 3339 time string like \"2025-06-18T10:00:00+08:00\"", v);
  absl::StatusOr<absl::Time> t = ParseInstant(std::string_view(v.get_string().data(), v.get_string().size()));
  if (!t.ok()) return Mismatch(path, "RFC 3339 time with offset, like \"2025-06-18T10:00:00+08:00\"", v);
  out = *t;
  return absl::OkStatus();
}

absl::Status ReadDay(const boost::json::value& v, absl::CivilDay& out, const Path& path) {
  if (!v.is_string()) return Mismatch(path, "date string like \"2025-06-18\"", v);
  absl::StatusOr<absl::CivilDay> d = ParseDay(std::string_view(v.get_string().data(), v.get_string().size()));
  if (!d.ok()) return Mismatch(path, "valid date like \"2025-06-18\"", v);
  out = *d;
  return absl::OkStatus();
}

absl::Status ReadDecimal(const boost::json::value& v, Decimal& out, const Path& path) {
  std::string text;
  if (v.is_string()) {
    text.assign(v.get_string().data(), v.get_string().size());
  } else if (v.is_int64() || v.is_uint64()) {
    text = Text(v);
  } else if (v.is_double()) {
    // The shortest decimal that reads back as this double is what the sender wrote
    // (for up to 17 significant digits), so 0.035 becomes exactly 0.035.
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.get_double(), std::chars_format::fixed);
    if (ec != std::errc()) return Mismatch(path, "decimal number", v);
    text.assign(buf, end);
  } else {
    return Mismatch(path, "decimal number or string like \"0.035\"", v);
  }
  absl::StatusOr<Decimal> d = Decimal::Parse(text);
  if (!d.ok()) return FieldError(path.str(), "expected decimal with at most 9 fractional digits within range", Text(v));
  out = *d;
  return absl::OkStatus();
}

boost::json::value WriteTime(absl::Time t) { return boost::json::value(FormatInstant(t)); }
boost::json::value WriteDay(absl::CivilDay d) { return boost::json::value(FormatDay(d)); }

std::string EnumWireName(std::string_view enumerator) {
  std::string_view name = enumerator;
  if (name.size() > 1 && name[0] == 'k' && name[1] >= 'A' && name[1] <= 'Z') name.remove_prefix(1);
  std::string out;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c >= 'A' && c <= 'Z') {
      if (i > 0) out += '_';
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += c;
    }
  }
  return out;
}

namespace internal {

absl::Status UnknownField(const Path& path, std::string_view key, const std::vector<std::string_view>& known) {
  Path field = path;
  field.PushKey(key);
  std::vector<std::string> names(known.begin(), known.end());
  return FieldError(field.str(), absl::StrCat("unknown field (known: ", absl::StrJoin(names, ", "), ")"));
}

absl::Status MissingField(const Path& path) { return FieldError(path.str(), "required field is missing"); }

absl::Status BadEnum(const Path& path, const std::vector<std::string>& names, const boost::json::value& got) {
  std::vector<std::string> quoted;
  for (const auto& n : names) quoted.push_back(Quote(n));
  return FieldError(path.str(), absl::StrCat("expected one of ", absl::StrJoin(quoted, ", ")), Text(got));
}

}  // namespace internal
}  // namespace cadre::json
