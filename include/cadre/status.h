// cadre/status.h — error handling shared by every cadre module.
//
// cadre reports every failure as an absl::Status (or absl::StatusOr<T>) with the
// most specific canonical code. Errors about user input carry, besides a message
// meant for people, machine-readable details as Status payloads: the JSON path of
// the offending field, the offending value and the rule it broke. The C ABI and
// the Python bindings surface those details unchanged.
//
//   absl::Status Load(...) {
//     CADRE_ASSIGN_OR_RETURN(auto doc, ParseDocument(text));
//     CADRE_RETURN_IF_ERROR(Validate(doc));
//     return absl::OkStatus();
//   }
//
// The abseil packaged by Debian 12 predates ABSL_RETURN_IF_ERROR, hence our own.
#ifndef CADRE_STATUS_H_
#define CADRE_STATUS_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cadre {

// Debian's abseil is built with its own string_view type; this converts.
inline absl::string_view AbslView(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Payload type URLs under which field errors carry their details.
inline constexpr char kPayloadPath[] = "cadre/path";    // JSON path, e.g. events[3].amount_minor
inline constexpr char kPayloadValue[] = "cadre/value";  // offending value, as compact JSON
inline constexpr char kPayloadRule[] = "cadre/rule";    // the rule that was broken

// An InvalidArgument error about one field of user input:
//   "events[3].amount_minor: expected integer, got \"12k\""
// `value_json` is the offending value as JSON text (empty when there is none, e.g.
// a missing field); it is shortened in the message if long, but kept whole in the
// payload.
absl::Status FieldError(std::string_view path, std::string_view rule, std::string_view value_json = {});

// Same, with a canonical code other than InvalidArgument (e.g. AlreadyExists).
absl::Status FieldError(absl::StatusCode code, std::string_view path, std::string_view rule,
                        std::string_view value_json = {});

// Details of a field error, when `status` carries them.
struct FieldErrorDetails {
  std::string path;
  std::string value;  // JSON text; empty when the field was missing
  std::string rule;
};
std::optional<FieldErrorDetails> GetFieldErrorDetails(const absl::Status& status);

// Returns `status` with `prefix` prepended to its message and to its path payload
// (used when a nested parser reports a path relative to its own root).
absl::Status PrefixPath(const absl::Status& status, std::string_view prefix);

}  // namespace cadre

#define CADRE_STATUS_CONCAT_INNER_(a, b) a##b
#define CADRE_STATUS_CONCAT_(a, b) CADRE_STATUS_CONCAT_INNER_(a, b)

// Evaluates `expr` (an absl::Status); returns it from the current function if not OK.
#define CADRE_RETURN_IF_ERROR(expr)                        \
  do {                                                     \
    ::absl::Status cadre_status_tmp_ = (expr);             \
    if (!cadre_status_tmp_.ok()) return cadre_status_tmp_; \
  } while (false)

// Evaluates `rexpr` (an absl::StatusOr<T>); on error returns its status, otherwise
// moves the value into `lhs` (which may be a declaration: `auto x`).
#define CADRE_ASSIGN_OR_RETURN(lhs, rexpr) \
  CADRE_ASSIGN_OR_RETURN_IMPL_(CADRE_STATUS_CONCAT_(cadre_statusor_, __LINE__), lhs, rexpr)
#define CADRE_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                 \
  if (!tmp.ok()) return std::move(tmp).status();      \
  lhs = *std::move(tmp)

#endif  // CADRE_STATUS_H_
