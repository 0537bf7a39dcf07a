// cadre/json.h — JSON conversion of described types, with path-precise errors.
//
// Every entity, config document and event in cadre is a public-member aggregate
// described with BOOST_DESCRIBE_STRUCT; its enums are described with
// BOOST_DESCRIBE_ENUM. This header converts any such type to and from
// Boost.JSON values with no per-type code, and when input is bad it says exactly
// where and why:
//
//   events[3].amount_minor: expected integer, got "12k"
//   events[0].kind: expected one of "sale", "return", "interaction", ..., got "sell"
//   customers[7].tier: unknown field (known: id, name, ...)
//
// Conventions of the wire form (pinned by golden files in tests/golden/):
// - keys are the member names; enum values are the enumerator names without the
//   leading 'k', in snake_case (kStoreMeeting -> "store_meeting");
// - std::optional members are omitted when empty and may be absent or null on input;
//   empty vectors and maps are omitted and may be absent on input;
// - other members may be absent on input (they keep their default) unless the type
//   lists them in `static constexpr std::string_view kRequired[]`;
// - unknown keys are refused: a misspelt field is a bug in the sender, and silently
//   dropping it would lose what the user gave;
// - absl::Time travels as RFC 3339 text, absl::CivilDay as "YYYY-MM-DD", Decimal as
//   a string ("0.035"; JSON numbers are accepted on input and read exactly as
//   written), 64-bit integers as JSON integers;
// - after its members are read, a type's `absl::Status Validate(json::Path&) const`
//   runs if it has one, so rules beyond shape report the same kind of path.
#ifndef CADRE_JSON_H_
#define CADRE_JSON_H_

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "boost/describe.hpp"
#include "boost/json/value.hpp"
#include "boost/mp11/algorithm.hpp"
#include "cadre/decimal.h"
#include "cadre/status.h"

namespace cadre::json {

// A JSON path under construction, e.g. "events[3].attributes.channel".
class Path {
 public:
  explicit Path(std::string_view root = {}) : text_(root) {}
  void PushKey(std::string_view key);
  void PushIndex(std::size_t index);
  void Pop();
  const std::string& str() const { return text_; }

 private:
  std::string text_;
  std::vector<std::size_t> marks_;
};

// Pushes on construction, pops on destruction.
class PathScope {
 public:
  PathScope(Path& path, std::string_view key) : path_(path) { path_.PushKey(key); }
  PathScope(Path& path, std::size_t index) : path_(path) { path_.PushIndex(index); }
  ~PathScope() { path_.Pop(); }
  PathScope(const PathScope&) = delete;
  PathScope& operator=(const PathScope&) = delete;

 private:
  Path& path_;
};

// Compact JSON text of `v`.
std::string Text(const boost::json::value& v);
// "expected <rule>, got <value>" as a FieldError at `path`.
absl::Status Mismatch(const Path& path, std::string_view expected, const boost::json::value& got);

// Parses JSON text; a syntax error is InvalidArgument naming `root`, the line and
// column and what was wrong. Duplicate keys are refused (the later one would
// silently win otherwise).
absl::StatusOr<boost::json::value> ParseText(std::string_view text, std::string_view root = {});

// Scalar readers shared by the templates below.
absl::Status ReadBool(const boost::json::value& v, bool& out, const Path& path);
absl::Status ReadInt(const boost::json::value& v, int64_t min, int64_t max, int64_t& out, const Path& path);
absl::Status ReadString(const boost::json::value& v, std::string& out, const Path& path);
absl::Status ReadTime(const boost::json::value& v, absl::Time& out, const Path& path);
absl::Status ReadDay(const boost::json::value& v, absl::CivilDay& out, const Path& path);
absl::Status ReadDecimal(const boost::json::value& v, Decimal& out, const Path& path);
boost::json::value WriteTime(absl::Time t);
boost::json::value WriteDay(absl::CivilDay d);

// kStoreMeeting -> "store_meeting".
std::string EnumWireName(std::string_view enumerator);

namespace internal {
template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};
template <class T>
struct IsVector : std::false_type {};
template <class T>
struct IsVector<std::vector<T>> : std::true_type {};
template <class T>
struct IsStringMap : std::false_type {};
template <class T>
struct IsStringMap<std::map<std::string, T>> : std::true_type {};

template <class T>
bool IsRequired(std::string_view name) {
  if constexpr (requires { T::kRequired; }) {
    for (std::string_view r : T::kRequired)
      if (r == name) return true;
  }
  return false;
}

template <class E>
const std::vector<std::pair<std::string, E>>& EnumNames() {
  static const std::vector<std::pair<std::string, E>> names = [] {
    std::vector<std::pair<std::string, E>> out;
    boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>(
        [&](auto d) { out.emplace_back(EnumWireName(d.name), d.value); });
    return out;
  }();
  return names;
}

absl::Status UnknownField(const Path& path, std::string_view key, const std::vector<std::string_view>& known);
absl::Status MissingField(const Path& path);
absl::Status BadEnum(const Path& path, const std::vector<std::string>& names, const boost::json::value& got);
}  // namespace internal

// The wire name of an enum value.
template <class E>
std::string_view EnumName(E value) {
  for (const auto& [name, v] : internal::EnumNames<E>())
    if (v == value) return name;
  return "?";
}
// Looks an enum up by wire name.
template <class E>
std::optional<E> EnumFromName(std::string_view name) {
  for (const auto& [n, v] : internal::EnumNames<E>())
    if (n == name) return v;
  return std::nullopt;
}

template <class T>
absl::Status Read(const boost::json::value& v, T& out, Path& path);

template <class T>
boost::json::value Write(const T& in);

template <class T>
absl::Status Read(const boost::json::value& v, T& out, Path& path) {
  if constexpr (std::is_same_v<T, bool>) {
    return ReadBool(v, out, path);
  } else if constexpr (std::is_same_v<T, double>) {
    // Computed figures only (KPI values); money and rates that are data are Decimal.
    if (v.is_double()) {
      out = v.get_double();
    } else if (v.is_int64()) {
      out = static_cast<double>(v.get_int64());
    } else if (v.is_uint64()) {
      out = static_cast<double>(v.get_uint64());
    } else {
      return Mismatch(path, "number", v);
    }
    return absl::OkStatus();
  } else if constexpr (std::is_integral_v<T>) {
    int64_t x = 0;
    constexpr int64_t lo = static_cast<int64_t>(std::numeric_limits<T>::min());
    constexpr int64_t hi = std::numeric_limits<T>::max() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
                               ? std::numeric_limits<int64_t>::max()
                               : static_cast<int64_t>(std::numeric_limits<T>::max());
    CADRE_RETURN_IF_ERROR(ReadInt(v, lo, hi, x, path));
    out = static_cast<T>(x);
    return absl::OkStatus();
  } else if constexpr (std::is_same_v<T, std::string>) {
    return ReadString(v, out, path);
  } else if constexpr (std::is_same_v<T, absl::Time>) {
    return ReadTime(v, out, path);
  } else if constexpr (std::is_same_v<T, absl::CivilDay>) {
    return ReadDay(v, out, path);
  } else if constexpr (std::is_same_v<T, Decimal>) {
    return ReadDecimal(v, out, path);
  } else if constexpr (std::is_same_v<T, boost::json::value>) {
    out = v;
    return absl::OkStatus();
  } else if constexpr (std::is_same_v<T, boost::json::object>) {
    if (!v.is_object()) return Mismatch(path, "object", v);
    out = v.get_object();
    return absl::OkStatus();
  } else if constexpr (std::is_enum_v<T>) {
    const auto& names = internal::EnumNames<T>();
    if (v.is_string()) {
      std::string_view s(v.get_string().data(), v.get_string().size());
      for (const auto& [n, e] : names)
        if (n == s) {
          out = e;
          return absl::OkStatus();
        }
    }
    std::vector<std::string> list;
    for (const auto& [n, e] : names) list.push_back(n);
    return internal::BadEnum(path, list, v);
  } else if constexpr (internal::IsOptional<T>::value) {
    if (v.is_null()) {
      out.reset();
      return absl::OkStatus();
    }
    typename T::value_type x{};
    CADRE_RETURN_IF_ERROR(Read(v, x, path));
    out = std::move(x);
    return absl::OkStatus();
  } else if constexpr (internal::IsVector<T>::value) {
    if (!v.is_array()) return Mismatch(path, "array", v);
    const auto& arr = v.get_array();
    out.clear();
    out.reserve(arr.size());
    for (std::size_t i = 0; i < arr.size(); ++i) {
      PathScope scope(path, i);
      typename T::value_type x{};
      CADRE_RETURN_IF_ERROR(Read(arr[i], x, path));
      out.push_back(std::move(x));
    }
    return absl::OkStatus();
  } else if constexpr (internal::IsStringMap<T>::value) {
    if (!v.is_object()) return Mismatch(path, "object", v);
    out.clear();
    for (const auto& kv : v.get_object()) {
      std::string_view key(kv.key().data(), kv.key().size());
      PathScope scope(path, key);
      typename T::mapped_type x{};
      CADRE_RETURN_IF_ERROR(Read(kv.value(), x, path));
      out.emplace(std::string(key), std::move(x));
    }
    return absl::OkStatus();
  } else if constexpr (boost::describe::has_describe_members<T>::value) {
    using Members = boost::describe::describe_members<T, boost::describe::mod_public>;
    if (!v.is_object()) return Mismatch(path, "object", v);
    const auto& obj = v.get_object();
    for (const auto& kv : obj) {
      std::string_view key(kv.key().data(), kv.key().size());
      bool known = false;
      boost::mp11::mp_for_each<Members>([&](auto d) { known = known || key == d.name; });
      if (!known) {
        std::vector<std::string_view> names;
        boost::mp11::mp_for_each<Members>([&](auto d) { names.push_back(d.name); });
        return internal::UnknownField(path, key, names);
      }
    }
    absl::Status status;
    boost::mp11::mp_for_each<Members>([&](auto d) {
      if (!status.ok()) return;
      PathScope scope(path, d.name);
      if (const boost::json::value* field = obj.if_contains(d.name)) {
        status = Read(*field, out.*d.pointer, path);
      } else if (internal::IsRequired<T>(d.name)) {
        status = internal::MissingField(path);
      }
    });
    CADRE_RETURN_IF_ERROR(status);
    if constexpr (requires(const T& t, Path& p) {
                    { t.Validate(p) } -> std::same_as<absl::Status>;
                  }) {
      return out.Validate(path);
    }
    return absl::OkStatus();
  } else {
    static_assert(sizeof(T) == 0, "cadre::json::Read: type is not described");
  }
}

template <class T>
boost::json::value Write(const T& in) {
  if constexpr (std::is_same_v<T, bool>) {
    return boost::json::value(in);
  } else if constexpr (std::is_same_v<T, double>) {
    return boost::json::value(in);
  } else if constexpr (std::is_integral_v<T>) {
    return boost::json::value(static_cast<int64_t>(in));
  } else if constexpr (std::is_same_v<T, std::string>) {
    return boost::json::value(boost::json::string_view(in.data(), in.size()));
  } else if constexpr (std::is_same_v<T, absl::Time>) {
    return WriteTime(in);
  } else if constexpr (std::is_same_v<T, absl::CivilDay>) {
    return WriteDay(in);
  } else if constexpr (std::is_same_v<T, Decimal>) {
    return boost::json::value(in.ToString());
  } else if constexpr (std::is_same_v<T, boost::json::value>) {
    return in;
  } else if constexpr (std::is_same_v<T, boost::json::object>) {
    return boost::json::value(in);
  } else if constexpr (std::is_enum_v<T>) {
    std::string_view name = EnumName(in);
    return boost::json::value(boost::json::string_view(name.data(), name.size()));
  } else if constexpr (internal::IsOptional<T>::value) {
    return in ? Write(*in) : boost::json::value(nullptr);
  } else if constexpr (internal::IsVector<T>::value) {
    boost::json::array arr;
    arr.reserve(in.size());
    for (const auto& x : in) arr.push_back(Write(x));
    return arr;
  } else if constexpr (internal::IsStringMap<T>::value) {
    boost::json::object obj;
    for (const auto& [k, x] : in) obj[k] = Write(x);
    return obj;
  } else if constexpr (boost::describe::has_describe_members<T>::value) {
    using Members = boost::describe::describe_members<T, boost::describe::mod_public>;
    boost::json::object obj;
    boost::mp11::mp_for_each<Members>([&](auto d) {
      const auto& member = in.*d.pointer;
      using M = std::remove_cvref_t<decltype(member)>;
      if constexpr (internal::IsOptional<M>::value) {
        if (!member) return;
      } else if constexpr (internal::IsVector<M>::value || internal::IsStringMap<M>::value) {
        if (member.empty()) return;
      }
      obj[d.name] = Write(member);
    });
    return obj;
  } else {
    static_assert(sizeof(T) == 0, "cadre::json::Write: type is not described");
  }
}

// Reads `v` into `out`, paths rooted at `root` (e.g. "events[3]").
template <class T>
absl::Status FromValue(const boost::json::value& v, T& out, std::string_view root = {}) {
  Path path(root);
  return Read(v, out, path);
}

// Parses JSON text into a T.
template <class T>
absl::StatusOr<T> FromText(std::string_view text, std::string_view root = {}) {
  CADRE_ASSIGN_OR_RETURN(boost::json::value v, ParseText(text, root));
  T out{};
  CADRE_RETURN_IF_ERROR(FromValue(v, out, root));
  return out;
}

// Compact JSON text of a T.
template <class T>
std::string ToText(const T& in) {
  return Text(Write(in));
}

}  // namespace cadre::json

#endif  // CADRE_JSON_H_
