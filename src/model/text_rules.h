// Shared validation rules for free-text and key fields of documents and events.
#ifndef CADRE_SRC_MODEL_TEXT_RULES_H_
#define CADRE_SRC_MODEL_TEXT_RULES_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "cadre/json.h"

namespace cadre::model_internal {

inline constexpr std::size_t kMaxNameLength = 200;
inline constexpr std::size_t kMaxTextLength = 4096;

// A host key (id, category, sku, ...) at `path.key`.
absl::Status CheckKey(json::Path& path, std::string_view key, std::string_view value);
absl::Status CheckOptionalKey(json::Path& path, std::string_view key, const std::optional<std::string>& value);
// Human text: non-empty, at most `max` bytes, no control characters but \n and \t.
absl::Status CheckText(json::Path& path, std::string_view key, std::string_view value, std::size_t max);
absl::Status CheckOptionalText(json::Path& path, std::string_view key, const std::optional<std::string>& value,
                               std::size_t max);
// Free attributes: keys are host keys, values text up to kMaxTextLength (may be empty).
absl::Status CheckAttributes(json::Path& path, const std::map<std::string, std::string>& attributes);

std::string Quoted(std::string_view s);

}  // namespace cadre::model_internal

#endif  // CADRE_SRC_MODEL_TEXT_RULES_H_
