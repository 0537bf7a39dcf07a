// How the record kinds of cadre/io.h map onto CSV columns: one Field per described
// member of the record's type, found with Boost.Describe, so fields added to
// Manager, Customer or Event later travel without code here.
#ifndef CADRE_SRC_IO_RECORD_H_
#define CADRE_SRC_IO_RECORD_H_

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
#include "cadre/event.h"
#include "cadre/io.h"
#include "cadre/json.h"

namespace cadre::io_internal {

// How one cell reads into JSON: as a string, an integer or a boolean.
enum class CellType { kString, kInteger, kBool };

// How a field spreads over columns.
enum class Shape {
  kScalar,  // one column, one value
  kList,    // one column, elements separated by '|' (or a JSON array)
  kMap,     // one column per key: "field.KEY"
  kJson,    // one column of JSON text
};

struct Field {
  std::string name;
  Shape shape = Shape::kScalar;
  CellType cell = CellType::kString;  // the scalar, or the elements of a list or map
  bool required = false;
};

namespace detail {
template <class T>
struct Unwrap {
  using type = T;
};
template <class T>
struct Unwrap<std::optional<T>> {
  using type = T;
};

template <class T>
constexpr std::optional<CellType> ScalarCell() {
  if constexpr (std::is_same_v<T, bool>) {
    return CellType::kBool;
  } else if constexpr (std::is_integral_v<T>) {
    return CellType::kInteger;
  } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, Decimal> || std::is_same_v<T, absl::Time> ||
                       std::is_same_v<T, absl::CivilDay> || std::is_enum_v<T>) {
    return CellType::kString;  // the JSON form of these is a string
  } else {
    return std::nullopt;
  }
}

template <class M>
Field FieldFor(std::string_view name, bool required) {
  using U = typename Unwrap<M>::type;
  Field f;
  f.name = std::string(name);
  f.required = required;
  if constexpr (ScalarCell<U>().has_value()) {
    f.shape = Shape::kScalar;
    f.cell = *ScalarCell<U>();
  } else if constexpr (json::internal::IsVector<U>::value) {
    if constexpr (ScalarCell<typename U::value_type>().has_value()) {
      f.shape = Shape::kList;
      f.cell = *ScalarCell<typename U::value_type>();
    } else {
      f.shape = Shape::kJson;
    }
  } else if constexpr (json::internal::IsStringMap<U>::value) {
    if constexpr (ScalarCell<typename U::mapped_type>().has_value()) {
      f.shape = Shape::kMap;
      f.cell = *ScalarCell<typename U::mapped_type>();
    } else {
      f.shape = Shape::kJson;
    }
  } else {
    f.shape = Shape::kJson;
  }
  return f;
}
}  // namespace detail

// The fields of a described type, in declaration order.
template <class T>
std::vector<Field> FieldsOf() {
  std::vector<Field> fields;
  using Members = boost::describe::describe_members<T, boost::describe::mod_public>;
  boost::mp11::mp_for_each<Members>([&](auto d) {
    using M = std::remove_cvref_t<decltype(std::declval<T&>().*d.pointer)>;
    fields.push_back(detail::FieldFor<M>(d.name, json::internal::IsRequired<T>(d.name)));
  });
  return fields;
}

// One record kind: its fields and where its records live.
struct RecordType {
  io::RecordKind kind;
  std::string_view name;  // "purchases"
  std::vector<Field> fields;
  bool is_event = false;
  std::string_view collection;         // documents
  std::vector<EventKind> event_kinds;  // events: the kinds allowed; the first is the default
  const Field* Find(std::string_view name) const;
  // The columns a CSV header must have.
  std::vector<std::string> RequiredColumns() const;
  // "id, kind, ..., attributes.KEY": for error messages.
  std::string KnownColumns() const;
};

const RecordType& TypeOf(io::RecordKind kind);

// The CSV column that a FieldError path inside a record points into:
// "amount_minor" -> "amount_minor", "attributes.channel" -> "attributes.channel",
// "lines[0].quantity" -> "lines", "tags[2]" -> "tags". With `map_keys` false, only
// the top-level field name (NDJSON).
std::string ColumnOfPath(const RecordType& type, std::string_view path, bool map_keys);

// The JSON value a CSV cell stands for (integers and booleans when they read as
// such; otherwise a string, which the JSON walker then refuses with its rule).
boost::json::value CellToJson(std::string_view cell, CellType type);

// The CSV cell of a scalar JSON value; `force_quotes` is set for the empty string.
std::string ScalarCell(const boost::json::value& v, bool& force_quotes);
// The CSV cell of a list field's JSON array.
std::string ListCell(const boost::json::array& a, bool& force_quotes);

}  // namespace cadre::io_internal

#endif  // CADRE_SRC_IO_RECORD_H_
