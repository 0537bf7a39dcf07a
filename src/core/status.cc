#include "cadre/status.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace cadre {
namespace {

// Long values are cut in the message (the payload keeps them whole) so that one
// bad 10 MB field cannot turn an error message into a flood.
constexpr std::size_t kMaxValueInMessage = 80;

std::string ShortValue(std::string_view value_json) {
  if (value_json.size() <= kMaxValueInMessage) return std::string(value_json);
  return absl::StrCat(AbslView(value_json.substr(0, kMaxValueInMessage)), "...");
}

std::optional<std::string> Payload(const absl::Status& status, const char* url) {
  auto cord = status.GetPayload(url);  // absl::optional in Debian's abseil
  if (!cord) return std::nullopt;
  return std::string(*cord);
}

}  // namespace

absl::Status FieldError(std::string_view path, std::string_view rule, std::string_view value_json) {
  return FieldError(absl::StatusCode::kInvalidArgument, path, rule, value_json);
}

absl::Status FieldError(absl::StatusCode code, std::string_view path, std::string_view rule,
                        std::string_view value_json) {
  std::string message = path.empty() ? std::string(rule) : absl::StrCat(AbslView(path), ": ", AbslView(rule));
  if (!value_json.empty()) absl::StrAppend(&message, ", got ", ShortValue(value_json));
  absl::Status status(code, message);
  status.SetPayload(kPayloadPath, absl::Cord(AbslView(path)));
  status.SetPayload(kPayloadRule, absl::Cord(AbslView(rule)));
  if (!value_json.empty()) status.SetPayload(kPayloadValue, absl::Cord(AbslView(value_json)));
  return status;
}

std::optional<FieldErrorDetails> GetFieldErrorDetails(const absl::Status& status) {
  std::optional<std::string> path = Payload(status, kPayloadPath);
  if (!path) return std::nullopt;
  FieldErrorDetails details;
  details.path = *std::move(path);
  details.rule = Payload(status, kPayloadRule).value_or("");
  details.value = Payload(status, kPayloadValue).value_or("");
  return details;
}

absl::Status PrefixPath(const absl::Status& status, std::string_view prefix) {
  if (status.ok() || prefix.empty()) return status;
  std::optional<FieldErrorDetails> details = GetFieldErrorDetails(status);
  if (!details) return absl::Status(status.code(), absl::StrCat(AbslView(prefix), ": ", status.message()));
  std::string path = details->path.empty()       ? std::string(prefix)
                     : (details->path[0] == '[') ? absl::StrCat(AbslView(prefix), details->path)
                                                 : absl::StrCat(AbslView(prefix), ".", details->path);
  return FieldError(status.code(), path, details->rule, details->value);
}

}  // namespace cadre
