#include "io/record.h"

#include <charconv>

#include "absl/strings/str_cat.h"
#include "boost/json/serialize.hpp"
#include "cadre/model.h"

namespace cadre::io_internal {

const Field* RecordType::Find(std::string_view field) const {
  for (const Field& f : fields)
    if (f.name == field) return &f;
  return nullptr;
}

std::vector<std::string> RecordType::RequiredColumns() const {
  std::vector<std::string> out;
  for (const Field& f : fields)
    if (f.required && !(is_event && f.name == "kind")) out.push_back(f.name);  // kind has a default here
  return out;
}

std::string RecordType::KnownColumns() const {
  std::string out;
  for (const Field& f : fields)
    absl::StrAppend(&out, out.empty() ? "" : ", ", f.name, f.shape == Shape::kMap ? ".KEY" : "");
  return out;
}

const RecordType& TypeOf(io::RecordKind kind) {
  static const RecordType* const types = [] {
    auto* t = new RecordType[4];
    t[0] = RecordType{io::RecordKind::kManagers, "managers", FieldsOf<Manager>(), false, Manager::kCollection, {}};
    t[1] = RecordType{io::RecordKind::kCustomers, "customers", FieldsOf<Customer>(), false, Customer::kCollection, {}};
    t[2] = RecordType{
        io::RecordKind::kPurchases, "purchases", FieldsOf<Event>(), true, {}, {EventKind::kSale, EventKind::kReturn}};
    t[3] = RecordType{io::RecordKind::kInteractions, "interactions", FieldsOf<Event>(), true, {},
                      {EventKind::kInteraction}};
    return t;
  }();
  return types[static_cast<int>(kind)];
}

std::string ColumnOfPath(const RecordType& type, std::string_view path, bool map_keys) {
  std::size_t end = path.find_first_of(".[");
  std::string_view name = path.substr(0, end);
  const Field* field = type.Find(name);
  if (field == nullptr || field->shape != Shape::kMap || !map_keys || end == std::string_view::npos)
    return std::string(name);
  std::string_view rest = path.substr(end);
  if (rest[0] == '.') {  // a plain key: letters, digits, '_' and '-'
    rest.remove_prefix(1);
    return absl::StrCat(AbslView(name), ".", AbslView(rest.substr(0, rest.find_first_of(".["))));
  }
  // ["a key"]: a JSON string in brackets.
  if (rest.size() >= 2 && rest[1] == '"') {
    std::size_t close = rest.find("\"]", 2);
    while (close != std::string_view::npos && rest[close - 1] == '\\') close = rest.find("\"]", close + 1);
    if (close != std::string_view::npos) {
      absl::StatusOr<boost::json::value> key = json::ParseText(rest.substr(1, close));
      if (key.ok() && key->is_string())
        return absl::StrCat(AbslView(name), ".", AbslView(std::string_view(key->get_string())));
    }
  }
  return std::string(name);
}

boost::json::value CellToJson(std::string_view cell, CellType type) {
  switch (type) {
    case CellType::kInteger: {
      int64_t x = 0;
      auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), x);
      if (ec == std::errc() && end == cell.data() + cell.size() && !cell.empty()) return boost::json::value(x);
      break;
    }
    case CellType::kBool:
      if (cell == "true") return boost::json::value(true);
      if (cell == "false") return boost::json::value(false);
      break;
    case CellType::kString:
      break;
  }
  return boost::json::value(boost::json::string_view(cell.data(), cell.size()));
}

std::string ScalarCell(const boost::json::value& v, bool& force_quotes) {
  force_quotes = false;
  if (v.is_string()) {
    force_quotes = v.get_string().empty();
    return std::string(v.get_string());
  }
  if (v.is_bool()) return v.get_bool() ? "true" : "false";
  return json::Text(v);  // integers; anything else keeps its JSON form
}

std::string ListCell(const boost::json::array& a, bool& force_quotes) {
  force_quotes = false;
  bool as_json = a.empty();
  std::string joined;
  for (const boost::json::value& v : a) {
    bool quotes = false;
    std::string cell = ScalarCell(v, quotes);
    if (cell.empty() || cell.find('|') != std::string::npos || cell[0] == '[' || !v.is_primitive()) as_json = true;
    if (as_json) break;
    absl::StrAppend(&joined, joined.empty() ? "" : "|", cell);
  }
  if (as_json) return json::Text(boost::json::value(a));
  return joined;
}

}  // namespace cadre::io_internal
