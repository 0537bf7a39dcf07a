// cadre/id.h — host-supplied identifiers and their dense internal form.
//
// Every entity and event is keyed by a string the host chooses (an ERP's own
// customer number, order line id, ...). Such an id must be non-empty, at most
// kMaxIdLength bytes of valid UTF-8, and free of control characters. Inside,
// engines work on dense 32-bit integers handed out by an Interner.
//
//   CADRE_RETURN_IF_ERROR(ValidateId(event.customer, "events[3].customer"));
//   Interner customers;
//   uint32_t key = customers.Intern("C-00042");   // 0, 1, 2, ... in order of first sight
#ifndef CADRE_ID_H_
#define CADRE_ID_H_

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"

namespace cadre {

inline constexpr std::size_t kMaxIdLength = 128;

// OK if `id` is a valid host id; otherwise InvalidArgument naming `path`, the value
// and the rule broken (empty, too long, invalid UTF-8, control character).
absl::Status ValidateId(std::string_view id, std::string_view path);

// `text` as a JSON string literal (quoted and escaped), for the value of a
// FieldError. Bytes that are not valid UTF-8 become U+FFFD, so the result is
// always valid JSON even when the input that is being refused is not.
std::string QuoteJson(std::string_view text);

// Maps strings to dense integers 0..size()-1 in order of first sight.
// Not thread-safe: callers synchronise (the workspace holds it under its lock).
class Interner {
 public:
  Interner() = default;
  Interner(const Interner&) = delete;
  Interner& operator=(const Interner&) = delete;

  // Returns the key of `name`, assigning the next one if it is new.
  uint32_t Intern(std::string_view name);
  // Returns the key of `name` if it was interned before.
  std::optional<uint32_t> Find(std::string_view name) const;
  // The name behind `key`; `key` must be < size(). The view stays valid for the
  // interner's lifetime.
  std::string_view Name(uint32_t key) const { return names_[key]; }
  std::size_t size() const { return names_.size(); }

 private:
  std::deque<std::string> names_;  // deque: element addresses are stable
  absl::flat_hash_map<std::string_view, uint32_t> keys_;
};

}  // namespace cadre

#endif  // CADRE_ID_H_
