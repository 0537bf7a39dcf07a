#include "cadre/id.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/strings/str_format.h"
#include "cadre/status.h"

namespace cadre {
namespace {

// One decoded UTF-8 sequence: the code point and its length in bytes, or
// length 0 when the bytes at that offset are not well-formed UTF-8.
struct CodePoint {
  char32_t value = 0;
  std::size_t length = 0;
};

// Decodes the sequence starting at `text[i]` following the well-formed byte
// sequences of Unicode §3.9 (table 3-7): no overlong forms, no surrogates, nothing
// above U+10FFFF. Hand-written because neither abseil nor Boost offers a
// validating decoder that reports where the bad byte is.
CodePoint Decode(std::string_view text, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) return {b0, 1};
  std::size_t length;
  char32_t value;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2;
    value = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3;
    value = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;  // overlong
    if (b0 == 0xED) hi = 0x9F;  // surrogates U+D800..U+DFFF
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4;
    value = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;  // overlong
    if (b0 == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return {};  // continuation byte, C0/C1 (overlong 2-byte) or F5..FF
  }
  if (i + length > text.size()) return {};
  for (std::size_t k = 1; k < length; ++k) {
    const unsigned char b = byte(i + k);
    if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return {};
    value = (value << 6) | (b & 0x3F);
  }
  return {value, length};
}

bool IsControl(char32_t c) { return c < 0x20 || (c >= 0x7F && c <= 0x9F); }

}  // namespace

std::string QuoteJson(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  for (std::size_t i = 0; i < text.size();) {
    const CodePoint cp = Decode(text, i);
    if (cp.length == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER, one per bad byte
      ++i;
      continue;
    }
    switch (cp.value) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        // JSON only requires escaping C0, but DEL and C1 are invisible too, and a
        // message that hides the offending character would not help anyone.
        if (IsControl(cp.value)) {
          absl::StrAppendFormat(&out, "\\u%04x", static_cast<uint32_t>(cp.value));
        } else {
          out.append(text.substr(i, cp.length));
        }
    }
    i += cp.length;
  }
  out.push_back('"');
  return out;
}

absl::Status ValidateId(std::string_view id, std::string_view path) {
  if (id.empty()) return FieldError(path, "id must not be empty", "\"\"");
  if (id.size() > kMaxIdLength) {
    return FieldError(path, absl::StrFormat("id must be at most %d bytes, this one has %d", kMaxIdLength, id.size()),
                      QuoteJson(id));
  }
  for (std::size_t i = 0; i < id.size();) {
    const CodePoint cp = Decode(id, i);
    if (cp.length == 0) {
      return FieldError(path,
                        absl::StrFormat("id must be valid UTF-8 (bad byte 0x%02X at offset %d)",
                                        static_cast<unsigned char>(id[i]), i),
                        QuoteJson(id));
    }
    if (IsControl(cp.value)) {
      return FieldError(path,
                        absl::StrFormat("id must not contain control characters (U+%04X at offset %d)",
                                        static_cast<uint32_t>(cp.value), i),
                        QuoteJson(id));
    }
    i += cp.length;
  }
  return absl::OkStatus();
}

uint32_t Interner::Store(std::string_view name) {
  unsigned char prefix[10];
  std::size_t prefix_size = 0;
  for (std::size_t n = name.size();; n >>= 7) {
    prefix[prefix_size++] = static_cast<unsigned char>((n & 0x7F) | (n >= 0x80 ? 0x80 : 0));
    if (n < 0x80) break;
  }
  const std::size_t need = prefix_size + name.size();
  char* out;
  std::size_t block, offset = 0;
  if (name.size() > kBlock / 4) {
    // A long text gets a block of its own (ids are at most kMaxIdLength bytes,
    // but an Interner also keys other texts).
    block = blocks_.size();
    blocks_.push_back(std::make_unique_for_overwrite<char[]>(need));
    bytes_ += need;
    out = blocks_.back().get();
  } else {
    if (fill_ == SIZE_MAX || need > kBlock - fill_used_) {
      fill_ = blocks_.size();
      blocks_.push_back(std::make_unique_for_overwrite<char[]>(kBlock));
      bytes_ += kBlock;
      fill_used_ = 0;
    }
    block = fill_;
    offset = fill_used_;
    out = blocks_[block].get() + offset;
    fill_used_ += need;
  }
  // The locator has 16 bits for the block; past that the keys would alias.
  if (block > 0xFFFF) {
    std::fputs("cadre: Interner: more than 65,536 blocks (4 GiB of names) in one interner\n", stderr);
    std::abort();
  }
  std::copy(prefix, prefix + prefix_size, out);
  std::copy(name.begin(), name.end(), out + prefix_size);
  return static_cast<uint32_t>(block << 16 | offset);
}

uint32_t Interner::Intern(std::string_view name) {
  if (auto it = keys_.find(name); it != keys_.end()) return *it;
  const auto key = static_cast<uint32_t>(where_.size());
  where_.push_back(Store(name));
  keys_.insert(key);
  return key;
}

std::optional<uint32_t> Interner::Find(std::string_view name) const {
  if (auto it = keys_.find(name); it != keys_.end()) return *it;
  return std::nullopt;
}

std::size_t Interner::MemoryBytes() const {
  return bytes_ + blocks_.capacity() * sizeof(blocks_[0]) + where_.capacity() * sizeof(uint32_t) +
         keys_.capacity() * (sizeof(uint32_t) + 1);
}

}  // namespace cadre
