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
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
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
//
// Compact, because engines intern every customer of a retailer (millions): a
// name costs its bytes, a length prefix (one byte below 128), a 4-byte locator
// and a 4-byte slot of the hash index (about 19 bytes for a typical 8-byte id,
// where a std::string and a map of views cost some 60). The bytes live in
// blocks that never move, so a Name() view stays valid; the index holds keys
// only and hashes a key through its name, looked up heterogeneously by
// string_view. An interner holds at most 65,536 blocks: 4 GiB of names shorter
// than 16 KiB (a longer one takes a block of its own); past that, Intern stops
// the process with a message, since keys would otherwise alias.
class Interner {
 public:
  Interner() : keys_(0, KeyHash{this}, KeyEq{this}) {}
  Interner(const Interner&) = delete;
  Interner& operator=(const Interner&) = delete;

  // Returns the key of `name`, assigning the next one if it is new.
  uint32_t Intern(std::string_view name);
  // Returns the key of `name` if it was interned before.
  std::optional<uint32_t> Find(std::string_view name) const;
  // The name behind `key`; `key` must be < size(). The view stays valid for the
  // interner's lifetime.
  std::string_view Name(uint32_t key) const {
    const uint32_t at = where_[key];
    const auto* p = reinterpret_cast<const unsigned char*>(blocks_[at >> 16].get() + (at & 0xFFFF));
    std::size_t length = 0;
    for (int shift = 0;; shift += 7) {  // LEB128: seven bits a byte, low first
      const unsigned char b = *p++;
      length |= static_cast<std::size_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) break;
    }
    return {reinterpret_cast<const char*>(p), length};
  }
  std::size_t size() const { return where_.size(); }
  // Bytes held: names, offsets and the index (for footprint reports).
  std::size_t MemoryBytes() const;

 private:
  struct KeyHash {
    using is_transparent = void;
    const Interner* self;
    std::size_t operator()(std::string_view s) const { return absl::HashOf(s); }
    std::size_t operator()(uint32_t k) const { return absl::HashOf(self->Name(k)); }
  };
  struct KeyEq {
    using is_transparent = void;
    const Interner* self;
    bool operator()(uint32_t a, uint32_t b) const { return a == b; }
    bool operator()(uint32_t a, std::string_view b) const { return self->Name(a) == b; }
    bool operator()(std::string_view a, uint32_t b) const { return a == self->Name(b); }
  };

  // Copies `name` behind its length prefix; returns its locator.
  uint32_t Store(std::string_view name);

  static constexpr std::size_t kBlock = std::size_t{64} << 10;
  // Blocks of kBlock bytes, shared by names in turn, and blocks of one long
  // name each (longer than kBlock / 4); they never move: names point into them.
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::size_t fill_ = SIZE_MAX;  // the shared block being filled, if any
  std::size_t fill_used_ = 0;    // bytes used in it
  std::size_t bytes_ = 0;        // bytes allocated in blocks
  std::vector<uint32_t> where_;  // per key: block index << 16 | offset of its length prefix
  absl::flat_hash_set<uint32_t, KeyHash, KeyEq> keys_;
};

}  // namespace cadre

#endif  // CADRE_ID_H_
