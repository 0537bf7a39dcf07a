// cadre/io.h — bulk import and export of managers, customers, purchases and
// interactions, as CSV (RFC 4180) or NDJSON, streamed in bounded memory.
//
//   std::ifstream in("purchases.csv", std::ios::binary);
//   io::ImportOptions options;
//   options.mode = IngestMode::kBestEffort;
//   options.progress = [](const io::ImportProgress& p) {
//     std::cerr << p.rows_read << " read, " << p.rows_committed << " committed\r";
//     return true;  // false stops after this batch
//   };
//   CADRE_ASSIGN_OR_RETURN(io::ImportReport r, io::Import(*ws, io::RecordKind::kPurchases, in, options));
//   std::cout << json::ToText(r);  // counts, and per row: row, line, column, value, rule
//
//   std::ofstream out("customers.csv", std::ios::binary);
//   CADRE_ASSIGN_OR_RETURN(io::ExportReport e, io::Export(*ws, io::RecordKind::kCustomers, out));
//
// Kinds of record. Managers and customers are documents (collections "managers"
// and "customers", types Manager and Customer of cadre/model.h); an import writes
// a new version of each document whose content changed. Purchases (events of kind
// sale or return, with or without `lines`) and interactions (kind interaction) are
// events, ingested as by Workspace::Ingest: idempotent by event id.
//
// The columns (CSV) and keys (NDJSON) are the JSON field names of those types
// (cadre/json.h), derived from their Boost.Describe descriptions, so a field added
// to one of them later is imported and exported with no change here.
//
// CSV conventions (RFC 4180, UTF-8):
// - the first record is the header; every later record must have as many cells.
//   Fields may be quoted ("a, b", "say ""hi"""), quoted fields may hold commas and
//   line breaks; records end with CRLF or LF; a UTF-8 byte order mark at the start
//   is skipped; blank lines are skipped and are not rows.
// - a quote inside an unquoted field, or text after a closing quote, is a syntax
//   error of that row (the reader resumes at the next line); invalid UTF-8 is
//   refused with the row and column.
// - header names: a field's JSON name; a map field holds one column per key,
//   named `field.KEY` (`attributes.channel`, `consent.call`). Unknown and
//   duplicate header names are refused before any row is read (the error lists
//   the known names), and so is a header without a required field's column (for
//   events `id` and `occurred_at`; managers `id`, `name`, `team`; customers `id`,
//   `name`).
// - cells convert by the field's type: text as written; integers in decimal;
//   booleans `true`/`false`; Decimal as text ("0.035"); times RFC 3339; days
//   YYYY-MM-DD; enums by wire name ("store_meeting").
// - an empty cell means the field is absent (it keeps its default). A quoted empty
//   cell ("") is the empty string, as in PostgreSQL's CSV format.
// - list fields of scalars (`tags`, `preferred_channels`) hold their elements in
//   one cell separated by `|` ("vip|wine"). A cell that starts with `[` is read as
//   a JSON array instead; export writes that form when an element is empty,
//   contains `|` or starts with `[`, so every list travels losslessly.
// - other structured fields (`lines` of an event, `contact_times` of a customer)
//   are one cell of JSON text.
// - purchases: `kind` may be omitted (column absent or cell empty) and then is
//   `sale`; it must be `sale` or `return`. Interactions: `kind` may be omitted and
//   must be `interaction`. The same defaults and checks apply to NDJSON.
//
// NDJSON: one JSON object per line in the wire form of cadre/json.h; blank lines
// are skipped and are not rows.
//
// Batches and failure. Rows are read and converted in batches of
// `ImportOptions::batch_size`; each batch is committed before the next is read, so
// memory is bounded by the batch size whatever the size of the input. Batches are
// separate transactions:
// - kAtomic: a batch with any bad row writes nothing, and the import stops after
//   reading it (its bad rows are all reported). Earlier batches stay committed.
// - kBestEffort: the good rows of every batch are written; bad rows are reported.
// The report's `committed_through_row` says up to which row the input has been
// dealt with; rows after it were not written. Running the same import again after
// fixing the input is safe: events already logged count as duplicates, and a
// document whose newest version has the same content is not written again.
//
// Thread-safety: the functions are safe to call concurrently on one workspace
// (which serialises its writes); a stream must not be shared between calls.
#ifndef CADRE_IO_H_
#define CADRE_IO_H_

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "boost/describe.hpp"
#include "cadre/store.h"
#include "cadre/workspace.h"

namespace cadre::io {

// What is imported or exported. Wire names: "managers", "customers", "purchases",
// "interactions" (json::EnumFromName<RecordKind> reads them).
enum class RecordKind { kManagers, kCustomers, kPurchases, kInteractions };
BOOST_DESCRIBE_ENUM(RecordKind, kManagers, kCustomers, kPurchases, kInteractions)

// Wire names "csv", "ndjson".
enum class Format { kCsv, kNdjson };
BOOST_DESCRIBE_ENUM(Format, kCsv, kNdjson)

// A store or stream failure in the middle of an import returns an error status
// that carries, under this payload URL, the JSON of the ImportReport up to the
// failure (what was committed before it).
inline constexpr char kPayloadImportReport[] = "cadre/import_report";

// Counts so far, handed to the progress callback after each batch.
struct ImportProgress {
  std::size_t rows_read = 0;       // data rows read (the header is not a row)
  std::size_t rows_committed = 0;  // rows now in the workspace: accepted + duplicates
  std::size_t rows_rejected = 0;
  std::size_t batches_committed = 0;
};

struct ImportOptions {
  Format format = Format::kCsv;
  IngestMode mode = IngestMode::kAtomic;
  // Rows per transaction; at least 1. Memory grows with it, not with the input.
  std::size_t batch_size = 10'000;
  // Errors kept in ImportReport::errors; further ones are only counted.
  std::size_t max_errors = 1'000;
  // A row (CSV record or NDJSON line) longer than this many bytes stops the import
  // with INVALID_ARGUMENT: it is not data but a runaway quote or a wrong file.
  std::size_t max_row_bytes = 16 << 20;
  // Documents: from when the imported versions are in force (always, if empty).
  std::optional<absl::Time> effective_from;
  // Called after each batch (whether or not it was committed); return false to
  // stop reading (what was committed stays; the report says stopped = true).
  std::function<bool(const ImportProgress&)> progress;
};

// One refused row, or one refused field of a row.
struct RowError {
  std::size_t row = 0;   // 1-based data row: the header and blank lines are not rows
  std::size_t line = 0;  // 1-based physical line of the input where the row starts
  std::string id;        // the record's id, when it could be read
  std::string column;    // CSV: the header name (attributes.channel); NDJSON: the top-level key;
                         // empty when the error is about the row as a whole
  std::string path;      // JSON path of the field inside the record, e.g. lines[0].quantity
  std::string value;     // CSV: the cell as written; NDJSON: the value as JSON text
  std::string rule;      // the rule that was broken, e.g. "expected integer"
  std::string message;   // for people: "row 3 (line 4): amount_minor: expected integer, got \"12k\""
};
BOOST_DESCRIBE_STRUCT(RowError, (), (row, line, id, column, path, value, rule, message))

struct ImportReport {
  RecordKind kind = RecordKind::kPurchases;
  Format format = Format::kCsv;
  IngestMode mode = IngestMode::kAtomic;
  std::size_t rows_read = 0;
  std::size_t accepted = 0;     // written: new events, new document versions
  std::size_t duplicates = 0;   // already in the workspace with the same content; not written again
  std::size_t rejected = 0;     // rows refused (in errors, up to max_errors)
  std::size_t not_written = 0;  // good rows of a refused atomic batch
  std::size_t batches_committed = 0;
  // Every row up to this one (1-based) has been dealt with: written, duplicate or,
  // in best-effort mode, rejected. Rows after it were not written.
  std::size_t committed_through_row = 0;
  bool complete = false;  // the whole input was read and every batch committed
  bool stopped = false;   // the progress callback asked to stop
  std::vector<RowError> errors;
  std::size_t errors_omitted = 0;  // errors beyond ImportOptions::max_errors
};
BOOST_DESCRIBE_STRUCT(ImportReport, (),
                      (kind, format, mode, rows_read, accepted, duplicates, rejected, not_written, batches_committed,
                       committed_through_row, complete, stopped, errors, errors_omitted))

// Imports records of `kind` from `in` into `ws`, batch by batch.
//
// Bad rows never make the status an error: they are in the report (and, in
// atomic mode, stop the import after their batch). The status is an error when
// nothing could be imported at all: INVALID_ARGUMENT for bad options (batch_size
// 0) or a bad CSV header (unknown, duplicate or missing required columns; the
// FieldError path is "header"), and for a row longer than max_row_bytes; and when
// the store or the stream fails, in which case earlier batches stay committed and
// the status carries the report so far under kPayloadImportReport.
absl::StatusOr<ImportReport> Import(Workspace& ws, RecordKind kind, std::istream& in,
                                    const ImportOptions& options = {});
// Same, reading the file at `path`; NOT_FOUND if it cannot be opened.
absl::StatusOr<ImportReport> ImportFile(Workspace& ws, RecordKind kind, const std::string& path,
                                        const ImportOptions& options = {});

struct ExportOptions {
  Format format = Format::kCsv;
  // Events: which to export (time range, manager, customer, after_seq, order,
  // limit). Empty `kinds` means every kind of the record kind (sale and return for
  // purchases); a kind outside it is INVALID_ARGUMENT.
  EventQuery events;
  // Documents: the versions in force at this instant (the newest if empty).
  std::optional<absl::Time> as_of;
  // CSV header. false: the required columns and those that hold a value in at
  // least one exported record (one extra pass over the data finds them), in field
  // order, map keys sorted. true: every field's column, plus the map keys in use.
  bool all_columns = false;
  // CSV record terminator: CRLF as RFC 4180 says, or LF.
  bool crlf = true;
};

struct ExportReport {
  std::size_t rows = 0;              // records written (the CSV header is not one)
  std::vector<std::string> columns;  // CSV: the header written
};
BOOST_DESCRIBE_STRUCT(ExportReport, (), (rows, columns))

// Writes the records of `kind` in `ws` to `out`, one at a time (nothing is held
// whole). Errors: INVALID_ARGUMENT for bad options; DATA_LOSS when `out` fails
// (what was written before stays written); ABORTED when a CSV export saw the data
// change between its passes in a way its header cannot hold (run it again); the
// store's errors as they come.
absl::StatusOr<ExportReport> Export(Workspace& ws, RecordKind kind, std::ostream& out,
                                    const ExportOptions& options = {});
// Same, writing (truncating) the file at `path`; UNAVAILABLE if it cannot be opened.
absl::StatusOr<ExportReport> ExportFile(Workspace& ws, RecordKind kind, const std::string& path,
                                        const ExportOptions& options = {});

}  // namespace cadre::io

#endif  // CADRE_IO_H_
