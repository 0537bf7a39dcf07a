#include "model/text_rules.h"

#include "absl/strings/str_cat.h"
#include "boost/json/serialize.hpp"
#include "cadre/id.h"

namespace cadre::model_internal {

std::string Quoted(std::string_view s) { return boost::json::serialize(boost::json::string_view(s.data(), s.size())); }

// The checks below build the JSON path only when they report an error: ingest runs
// them on every field of every event, and the path string is most of their cost.

absl::Status CheckKey(json::Path& path, std::string_view key, std::string_view value) {
  if (ValidateId(value, {}).ok()) return absl::OkStatus();
  json::PathScope scope(path, key);
  return ValidateId(value, path.str());
}

absl::Status CheckOptionalKey(json::Path& path, std::string_view key, const std::optional<std::string>& value) {
  return value ? CheckKey(path, key, *value) : absl::OkStatus();
}

absl::Status CheckText(json::Path& path, std::string_view key, std::string_view value, std::size_t max) {
  std::string rule;
  if (value.empty()) {
    rule = "must not be empty";
  } else if (value.size() > max) {
    rule = absl::StrCat("must be at most ", max, " bytes long");
  } else {
    for (unsigned char c : value) {
      if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
        rule = "must not contain control characters";
        break;
      }
    }
  }
  if (rule.empty()) return absl::OkStatus();
  json::PathScope scope(path, key);
  return FieldError(path.str(), rule, Quoted(value));
}

absl::Status CheckOptionalText(json::Path& path, std::string_view key, const std::optional<std::string>& value,
                               std::size_t max) {
  return value ? CheckText(path, key, *value, max) : absl::OkStatus();
}

absl::Status CheckAttributes(json::Path& path, const std::map<std::string, std::string>& attributes) {
  for (const auto& [k, v] : attributes) {
    if (absl::Status key = ValidateId(k, "key"); !key.ok()) {
      json::PathScope scope(path, "attributes");
      return FieldError(path.str(), absl::StrCat("invalid attribute ", key.message()), Quoted(k));
    }
    if (v.size() > kMaxTextLength) {
      json::PathScope scope(path, "attributes");
      json::PathScope item(path, k);
      return FieldError(path.str(), absl::StrCat("must be at most ", kMaxTextLength, " bytes long"), Quoted(v));
    }
  }
  return absl::OkStatus();
}

}  // namespace cadre::model_internal
