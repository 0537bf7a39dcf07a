#include "io/csv.h"

#include <ios>

#include "absl/strings/str_cat.h"
#include "cadre/status.h"

namespace cadre::io_internal {
namespace {

absl::Status TooLong(std::size_t line, std::size_t max, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("line ", line, ": a ", AbslView(what), " longer than ", max,
                                                 " bytes (a quote left open, or not a ", AbslView(what), " file?)"));
}

}  // namespace

bool InputBuffer::Fill() {
  if (failed_) return false;
  pos_ = end_ = 0;
  std::streambuf* sb = in_.rdbuf();
  if (sb == nullptr || !in_.good()) {
    // A stream that is already bad or failed was never going to give us data;
    // one that is merely at its end has nothing more.
    failed_ = sb == nullptr || in_.bad() || (in_.fail() && !in_.eof());
    return false;
  }
  std::streamsize n = 0;
  try {
    n = sb->sgetn(buf_, sizeof buf_);
  } catch (...) {
    failed_ = true;
    in_.setstate(std::ios::badbit);
    return false;
  }
  if (n <= 0) {
    in_.setstate(std::ios::eofbit);
    return false;
  }
  end_ = static_cast<std::size_t>(n);
  return true;
}

absl::StatusOr<bool> CsvReader::Next(CsvRecord& out) {
  if (!started_) {
    started_ = true;
    if (in_.Peek() == 0xEF && in_.Available().substr(0, 3) == "\xEF\xBB\xBF") in_.Skip(3);
  }
  out.error_cell.reset();
  out.error.clear();
  // Blank lines are not records (RFC 4180 has none; editors leave them at the end).
  for (;;) {
    int c = in_.Peek();
    if (c == InputBuffer::kEnd) {
      if (in_.failed()) return absl::DataLossError(absl::StrCat("line ", line_, ": reading the input failed"));
      return false;
    }
    if (c == '\n') {
      in_.Skip(1);
      ++line_;
    } else if (c == '\r') {
      in_.Skip(1);
      if (in_.Peek() == '\n') in_.Skip(1);
      ++line_;
    } else {
      break;
    }
  }
  out.line = line_;
  std::size_t n = 0, bytes = 0;
  for (;;) {  // one field per turn
    if (n == out.cells.size()) {
      out.cells.emplace_back();
      out.quoted.push_back(false);
    }
    std::string& cell = out.cells[n];
    cell.clear();
    out.quoted[n] = false;
    ++n;
    bool end_of_record = false;
    if (in_.Peek() == '"') {
      out.quoted[n - 1] = true;
      in_.Skip(1);
      const std::size_t open_line = line_;
      for (;;) {
        if (in_.Peek() == InputBuffer::kEnd) {
          if (in_.failed()) return absl::DataLossError(absl::StrCat("line ", line_, ": reading the input failed"));
          out.error_cell = n - 1;
          out.error = absl::StrCat("a quoted field opened on line ", open_line, " is never closed");
          out.cells.resize(n);
          out.quoted.resize(n);
          return true;
        }
        std::string_view avail = in_.Available();
        std::size_t k = avail.find_first_of("\"\n");
        std::size_t take = k == std::string_view::npos ? avail.size() : k;
        cell.append(avail.data(), take);
        in_.Skip(take);
        bytes += take;
        if (bytes > max_record_bytes_) return TooLong(out.line, max_record_bytes_, "CSV record");
        if (k == std::string_view::npos) continue;
        in_.Skip(1);
        if (avail[k] == '\n') {
          cell += '\n';
          ++line_;
          continue;
        }
        if (in_.Peek() == '"') {  // a doubled quote stands for one
          cell += '"';
          in_.Skip(1);
          continue;
        }
        break;
      }
      int c = in_.Peek();
      if (c == ',') {
        in_.Skip(1);
        continue;
      }
      if (c != '\n' && c != '\r' && c != InputBuffer::kEnd) {
        out.error_cell = n - 1;
        out.error = "text after the closing quote of a quoted field (a quote inside a field is written as two)";
        SkipRestOfLine();
        out.cells.resize(n);
        out.quoted.resize(n);
        return true;
      }
      end_of_record = true;
    } else {
      for (;;) {
        if (in_.Peek() == InputBuffer::kEnd) {
          end_of_record = true;
          break;
        }
        std::string_view avail = in_.Available();
        std::size_t k = avail.find_first_of(",\"\r\n");
        std::size_t take = k == std::string_view::npos ? avail.size() : k;
        cell.append(avail.data(), take);
        in_.Skip(take);
        bytes += take;
        if (bytes > max_record_bytes_) return TooLong(out.line, max_record_bytes_, "CSV record");
        if (k == std::string_view::npos) continue;
        if (avail[k] == ',') {
          in_.Skip(1);
          break;
        }
        if (avail[k] == '"') {
          out.error_cell = n - 1;
          out.error = "a quote inside an unquoted field (enclose the field in quotes and write the quote twice)";
          SkipRestOfLine();
          out.cells.resize(n);
          out.quoted.resize(n);
          return true;
        }
        end_of_record = true;
        break;
      }
    }
    if (end_of_record) break;
  }
  // Consume the record's terminator: CRLF, LF, or a lone CR.
  int c = in_.Peek();
  if (c == '\r') {
    in_.Skip(1);
    if (in_.Peek() == '\n') in_.Skip(1);
    ++line_;
  } else if (c == '\n') {
    in_.Skip(1);
    ++line_;
  } else if (in_.failed()) {
    return absl::DataLossError(absl::StrCat("line ", line_, ": reading the input failed"));
  }
  out.cells.resize(n);
  out.quoted.resize(n);
  return true;
}

void CsvReader::SkipRestOfLine() {
  for (;;) {
    int c = in_.Get();
    if (c == InputBuffer::kEnd) return;
    if (c == '\n') {
      ++line_;
      return;
    }
    if (c == '\r') {
      if (in_.Peek() == '\n') in_.Skip(1);
      ++line_;
      return;
    }
  }
}

absl::StatusOr<bool> LineReader::Next(std::string& line, std::size_t& number) {
  line.clear();
  if (in_.Peek() == InputBuffer::kEnd) {
    if (in_.failed()) return absl::DataLossError(absl::StrCat("line ", line_ + 1, ": reading the input failed"));
    return false;
  }
  number = ++line_;
  for (;;) {
    if (in_.Peek() == InputBuffer::kEnd) {
      if (in_.failed()) return absl::DataLossError(absl::StrCat("line ", line_, ": reading the input failed"));
      break;
    }
    std::string_view avail = in_.Available();
    std::size_t k = avail.find('\n');
    std::size_t take = k == std::string_view::npos ? avail.size() : k;
    line.append(avail.data(), take);
    in_.Skip(take);
    if (line.size() > max_line_bytes_) return TooLong(number, max_line_bytes_, "NDJSON line");
    if (k != std::string_view::npos) {
      in_.Skip(1);
      break;
    }
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return true;
}

std::optional<std::size_t> FirstInvalidUtf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t size = text.size();
  std::size_t i = 0;
  while (i < size) {
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // no overlong forms
      if (c == 0xED) hi = 0x9F;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // no overlong forms
      if (c == 0xF4) hi = 0x8F;  // nothing past U+10FFFF
    } else {
      return i;
    }
    if (i + len > size) return i;
    if (s[i + 1] < lo || s[i + 1] > hi) return i;
    for (std::size_t k = 2; k < len; ++k)
      if (s[i + k] < 0x80 || s[i + k] > 0xBF) return i;
    i += len;
  }
  return std::nullopt;
}

void AppendCsvCell(std::string& out, std::string_view cell, bool force_quotes) {
  if (!force_quotes && cell.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(cell);
    return;
  }
  out += '"';
  for (char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace cadre::io_internal
