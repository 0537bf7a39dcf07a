// Streaming readers of CSV records and NDJSON lines, and the CSV cell writer.
//
// Hand-written rather than Debian's libcsv (libcsv-dev 3.0.3): libcsv reports
// neither the line of a record nor the position of a syntax error, trims spaces
// around unquoted fields unless told otherwise (RFC 4180 keeps them), cannot tell
// a quoted empty field from an empty one, and knows nothing of a byte order
// mark; with those added around it, the state machine left to it is the short
// loop below. fast-cpp-csv-parser (libfccp-dev) fixes the column count at compile
// time and reads files, not streams.
#ifndef CADRE_SRC_IO_CSV_H_
#define CADRE_SRC_IO_CSV_H_

#include <cstddef>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace cadre::io_internal {

// Reads a std::istream in blocks through its streambuf.
class InputBuffer {
 public:
  explicit InputBuffer(std::istream& in) : in_(in) {}
  static constexpr int kEnd = -1;
  int Get() {
    if (pos_ == end_ && !Fill()) return kEnd;
    return static_cast<unsigned char>(buf_[pos_++]);
  }
  int Peek() {
    if (pos_ == end_ && !Fill()) return kEnd;
    return static_cast<unsigned char>(buf_[pos_]);
  }
  // Bytes available without another read, from the current position.
  std::string_view Available() const { return std::string_view(buf_ + pos_, end_ - pos_); }
  void Skip(std::size_t n) { pos_ += n; }
  // True once the stream's buffer failed (as opposed to ending).
  bool failed() const { return failed_; }

 private:
  bool Fill();
  std::istream& in_;
  char buf_[1 << 16];
  std::size_t pos_ = 0, end_ = 0;
  bool failed_ = false;
};

struct CsvRecord {
  std::vector<std::string> cells;
  std::vector<bool> quoted;  // per cell: it was written in quotes
  std::size_t line = 0;      // physical line where the record starts (1-based)
  // A syntax error of this record: which cell (0-based) and what was wrong. The
  // cells read up to the error are kept; the reader resumed at the next line.
  std::optional<std::size_t> error_cell;
  std::string error;
};

class CsvReader {
 public:
  CsvReader(std::istream& in, std::size_t max_record_bytes) : in_(in), max_record_bytes_(max_record_bytes) {}
  // Reads the next record, skipping blank lines. False at the end of input.
  // INVALID_ARGUMENT for a record longer than max_record_bytes; DATA_LOSS when the
  // stream fails.
  absl::StatusOr<bool> Next(CsvRecord& out);

 private:
  void SkipRestOfLine();
  InputBuffer in_;
  std::size_t max_record_bytes_;
  std::size_t line_ = 1;
  bool started_ = false;
};

// Reads lines (LF or CRLF), reporting each one's number; blank lines included.
class LineReader {
 public:
  LineReader(std::istream& in, std::size_t max_line_bytes) : in_(in), max_line_bytes_(max_line_bytes) {}
  // False at the end of input; errors as CsvReader::Next.
  absl::StatusOr<bool> Next(std::string& line, std::size_t& number);

 private:
  InputBuffer in_;
  std::size_t max_line_bytes_;
  std::size_t line_ = 0;
};

// Byte offset of the first ill-formed UTF-8 sequence of `text` (overlong forms,
// surrogates and code points past U+10FFFF included), or nullopt if it is valid.
std::optional<std::size_t> FirstInvalidUtf8(std::string_view text);

// Appends `cell` to `out` as one CSV field, quoted when it must be (a comma,
// quote, CR or LF in it) or when `force_quotes` (a quoted empty field is the
// empty string, an unquoted one an absent value).
void AppendCsvCell(std::string& out, std::string_view cell, bool force_quotes = false);

}  // namespace cadre::io_internal

#endif  // CADRE_SRC_IO_CSV_H_
