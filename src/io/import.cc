// Import: rows -> JSON objects -> typed records (through the JSON walker of
// cadre/json.h, so rules and paths are the ones every other entry point reports)
// -> batches committed one after the other.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "boost/json/serialize.hpp"
#include "cadre/id.h"
#include "cadre/io.h"
#include "cadre/json.h"
#include "cadre/model.h"
#include "io/csv.h"
#include "io/record.h"

namespace cadre::io {
namespace {

using io_internal::CellToJson;
using io_internal::ColumnOfPath;
using io_internal::CsvReader;
using io_internal::CsvRecord;
using io_internal::Field;
using io_internal::FirstInvalidUtf8;
using io_internal::LineReader;
using io_internal::RecordType;
using io_internal::Shape;

std::string Quote(std::string_view s) { return boost::json::serialize(boost::json::string_view(s.data(), s.size())); }

// `text` with every ill-formed UTF-8 sequence replaced by U+FFFD, so that a report
// about bad input is itself valid UTF-8 (and valid JSON once serialised).
std::string Sanitize(std::string_view text) {
  std::optional<std::size_t> bad = FirstInvalidUtf8(text);
  if (!bad) return std::string(text);
  std::string out;
  while (bad) {
    out.append(text.substr(0, *bad));
    out.append("\xEF\xBF\xBD");
    text.remove_prefix(*bad + 1);
    bad = FirstInvalidUtf8(text);
  }
  out.append(text);
  return out;
}

template <class T>
absl::StatusOr<std::string> CanonicalBody(const boost::json::value& v) {
  T entity{};
  CADRE_RETURN_IF_ERROR(json::FromValue(v, entity));
  return json::ToText(entity);
}

struct RowInfo {
  std::size_t row = 0;
  std::size_t line = 0;
  std::string id;
};

// A CSV header cell: the field it fills, and for a map field the key.
struct ColumnRef {
  const Field* field = nullptr;
  std::string key;
  std::string name;
};

class Importer {
 public:
  Importer(Workspace& ws, const RecordType& type, const ImportOptions& options)
      : ws_(ws), type_(type), options_(options), csv_(options.format == Format::kCsv) {
    report_.kind = type.kind;
    report_.format = options.format;
    report_.mode = options.mode;
    if (type.kind == RecordKind::kManagers) canonical_ = &CanonicalBody<Manager>;
    if (type.kind == RecordKind::kCustomers) canonical_ = &CanonicalBody<Customer>;
  }

  absl::StatusOr<ImportReport> Run(std::istream& in) {
    if (options_.batch_size == 0) return absl::InvalidArgumentError("batch_size: must be at least 1");
    if (options_.max_row_bytes == 0) return absl::InvalidArgumentError("max_row_bytes: must be at least 1");
    absl::Status status = csv_ ? RunCsv(in) : RunNdjson(in);
    if (!status.ok()) {
      if (report_.rows_read > 0) status.SetPayload(kPayloadImportReport, absl::Cord(AbslView(json::ToText(report_))));
      return status;
    }
    report_.complete = !failed_ && !report_.stopped;
    return std::move(report_);
  }

 private:
  absl::Status RunCsv(std::istream& in) {
    CsvReader reader(in, options_.max_row_bytes);
    CsvRecord record;
    CADRE_ASSIGN_OR_RETURN(bool has_header, reader.Next(record));
    if (!has_header) return FieldError("header", "expected a header row, got an empty input");
    CADRE_RETURN_IF_ERROR(ReadHeader(record));
    boost::json::object object;
    for (;;) {
      CADRE_ASSIGN_OR_RETURN(bool more, reader.Next(record));
      if (!more) break;
      RowInfo info{++report_.rows_read, record.line, {}};
      if (id_column_ && *id_column_ < record.cells.size() && !FirstInvalidUtf8(record.cells[*id_column_]))
        info.id = record.cells[*id_column_];
      object.clear();
      if (CsvRowToObject(record, info, object)) AddRecord(object, std::move(info), &record);
      CADRE_RETURN_IF_ERROR(EndRow());
      if (stop_) break;
    }
    if (batch_rows_ > 0) CADRE_RETURN_IF_ERROR(Flush());
    return absl::OkStatus();
  }

  absl::Status RunNdjson(std::istream& in) {
    LineReader reader(in, options_.max_row_bytes);
    std::string text;
    std::size_t line = 0;
    for (;;) {
      CADRE_ASSIGN_OR_RETURN(bool more, reader.Next(text, line));
      if (!more) break;
      if (text.find_first_not_of(" \t") == std::string::npos) continue;
      RowInfo info{++report_.rows_read, line, {}};
      absl::StatusOr<boost::json::value> value = json::ParseText(text);
      if (!value.ok()) {
        Reject(info, value.status(), nullptr, nullptr);
      } else if (!value->is_object()) {
        Reject(info, json::Mismatch(json::Path(), "a JSON object", *value), nullptr, nullptr);
      } else {
        AddRecord(value->get_object(), std::move(info), nullptr);
      }
      CADRE_RETURN_IF_ERROR(EndRow());
      if (stop_) break;
    }
    if (batch_rows_ > 0) CADRE_RETURN_IF_ERROR(Flush());
    return absl::OkStatus();
  }

  absl::Status EndRow() {
    if (++batch_rows_ < options_.batch_size) return absl::OkStatus();
    return Flush();
  }

  // ---- CSV rows ---------------------------------------------------------------

  absl::Status ReadHeader(const CsvRecord& header) {
    if (header.error_cell) return FieldError("header", absl::StrCat("line ", header.line, ": ", header.error));
    absl::flat_hash_map<std::string, std::size_t> seen;
    for (std::size_t i = 0; i < header.cells.size(); ++i) {
      const std::string& name = header.cells[i];
      if (FirstInvalidUtf8(name))
        return FieldError("header", absl::StrCat("column ", i + 1, " is not valid UTF-8"), QuoteJson(name));
      if (name.empty()) return FieldError("header", absl::StrCat("column ", i + 1, " has no name"));
      if (auto [it, fresh] = seen.emplace(name, i); !fresh)
        return FieldError("header", absl::StrCat("duplicate column (columns ", it->second + 1, " and ", i + 1, ")"),
                          Quote(name));
      ColumnRef ref;
      ref.name = name;
      if (const Field* f = type_.Find(name); f != nullptr && f->shape != Shape::kMap) {
        ref.field = f;
      } else if (std::size_t dot = name.find('.'); dot != std::string::npos && dot + 1 < name.size()) {
        const Field* map = type_.Find(std::string_view(name).substr(0, dot));
        if (map != nullptr && map->shape == Shape::kMap) {
          ref.field = map;
          ref.key = name.substr(dot + 1);
        }
      }
      if (ref.field == nullptr)
        return FieldError("header", absl::StrCat("unknown column (known: ", type_.KnownColumns(), ")"), Quote(name));
      if (name == "id") id_column_ = i;
      columns_.push_back(std::move(ref));
    }
    column_index_ = std::move(seen);
    for (const std::string& required : type_.RequiredColumns()) {
      if (!column_index_.contains(required)) {
        return FieldError(
            "header", absl::StrCat("missing required column ", Quote(required), " (", AbslView(type_.name), " need ",
                                   absl::StrJoin(type_.RequiredColumns(), ", "), ")"));
      }
    }
    return absl::OkStatus();
  }

  // Builds the JSON object a CSV record stands for; false (and the row rejected)
  // when the record itself is malformed.
  bool CsvRowToObject(const CsvRecord& record, const RowInfo& info, boost::json::object& object) {
    if (record.error_cell) {
      std::size_t cell = *record.error_cell;
      Reject(info, FieldError(cell < columns_.size() ? columns_[cell].name : "", record.error), &record, nullptr);
      return false;
    }
    if (record.cells.size() != columns_.size()) {
      Reject(info,
             FieldError(
                 "", absl::StrCat("expected ", columns_.size(), " cells as in the header, got ", record.cells.size())),
             &record, nullptr);
      return false;
    }
    for (std::size_t j = 0; j < columns_.size(); ++j) {
      const std::string& cell = record.cells[j];
      const ColumnRef& column = columns_[j];
      if (std::optional<std::size_t> bad = FirstInvalidUtf8(cell)) {
        Reject(info, FieldError(column.name, absl::StrCat("invalid UTF-8 at byte ", *bad), QuoteJson(cell)), &record,
               nullptr);
        return false;
      }
      if (cell.empty() && !record.quoted[j]) continue;  // absent
      const Field& field = *column.field;
      boost::json::string_view key(field.name.data(), field.name.size());
      switch (field.shape) {
        case Shape::kScalar:
          object[key] = CellToJson(cell, field.cell);
          break;
        case Shape::kMap: {
          boost::json::value& map = object[key];
          if (!map.is_object()) map = boost::json::object();
          map.get_object()[column.key] = CellToJson(cell, field.cell);
          break;
        }
        case Shape::kList:
          if (!cell.empty() && cell[0] == '[') {
            absl::StatusOr<boost::json::value> parsed = json::ParseText(cell, column.name);
            if (!parsed.ok()) {
              Reject(info, parsed.status(), &record, nullptr);
              return false;
            }
            object[key] = *std::move(parsed);
          } else {
            boost::json::array elements;
            for (std::size_t start = 0; !cell.empty() && start <= cell.size();) {
              std::size_t bar = std::min(cell.find('|', start), cell.size());
              elements.push_back(CellToJson(std::string_view(cell).substr(start, bar - start), field.cell));
              start = bar + 1;
            }
            object[key] = std::move(elements);
          }
          break;
        case Shape::kJson: {
          absl::StatusOr<boost::json::value> parsed = json::ParseText(cell, column.name);
          if (!parsed.ok()) {
            Reject(info, parsed.status(), &record, nullptr);
            return false;
          }
          object[key] = *std::move(parsed);
          break;
        }
      }
    }
    return true;
  }

  // ---- Records ------------------------------------------------------------------

  // Purchases and interactions may leave `kind` out; it must be one of theirs.
  absl::Status CheckKind(boost::json::object& object) const {
    const std::vector<EventKind>& kinds = type_.event_kinds;
    boost::json::value* kind = object.if_contains("kind");
    if (kind == nullptr) {
      std::string_view name = json::EnumName(kinds.front());
      object["kind"] = boost::json::string_view(name.data(), name.size());
      return absl::OkStatus();
    }
    std::vector<std::string> names;
    for (EventKind k : kinds) {
      if (kind->is_string() && kind->get_string() == json::EnumName(k)) return absl::OkStatus();
      names.push_back(Quote(json::EnumName(k)));
    }
    return FieldError(
        "kind",
        absl::StrCat("expected one of ", absl::StrJoin(names, ", "), " (in an import of ", AbslView(type_.name), ")"),
        json::Text(*kind));
  }

  void AddRecord(boost::json::object& object, RowInfo info, const CsvRecord* record) {
    if (const boost::json::value* id = object.if_contains("id"); id && id->is_string())
      info.id.assign(id->get_string().data(), id->get_string().size());
    if (type_.is_event) {
      if (absl::Status s = CheckKind(object); !s.ok()) {
        Reject(info, s, record, nullptr);
        return;
      }
      boost::json::value value(std::move(object));
      Event event;
      if (absl::Status s = json::FromValue(value, event); !s.ok()) {
        Reject(info, s, record, &value);
        return;
      }
      events_.push_back(std::move(event));
      event_rows_.push_back(std::move(info));
    } else {
      boost::json::value value(std::move(object));
      absl::StatusOr<std::string> body = canonical_(value);
      if (!body.ok()) {
        Reject(info, body.status(), record, &value);
        return;
      }
      docs_.push_back(PendingDocument{std::move(info), *std::move(body)});
    }
  }

  // ---- Errors -------------------------------------------------------------------

  // The offending value for the report: the CSV cell as written, or the JSON text
  // of the value.
  std::string ValueOf(const std::string& column, const absl::Status& status, const CsvRecord* record,
                      const boost::json::value* value) const {
    if (csv_ && record != nullptr) {
      if (auto it = column_index_.find(column); it != column_index_.end() && it->second < record->cells.size())
        return Sanitize(record->cells[it->second]);
      return "";
    }
    if (!csv_) {
      if (std::optional<FieldErrorDetails> d = GetFieldErrorDetails(status); d && !d->value.empty()) return d->value;
      if (value != nullptr && value->is_object())
        if (const boost::json::value* v = value->get_object().if_contains(column)) return json::Text(*v);
      return "";
    }
    // A CSV row rejected after conversion: write the field back as its cell.
    if (value == nullptr || !value->is_object()) return "";
    std::string_view field_name = std::string_view(column).substr(0, column.find('.'));
    const Field* field = type_.Find(field_name);
    const boost::json::value* v = value->get_object().if_contains(field_name);
    if (field == nullptr || v == nullptr) return "";
    bool quotes = false;
    switch (field->shape) {
      case Shape::kScalar:
        return io_internal::ScalarCell(*v, quotes);
      case Shape::kList:
        return v->is_array() ? io_internal::ListCell(v->get_array(), quotes) : json::Text(*v);
      case Shape::kMap:
        if (v->is_object() && column.size() > field_name.size())
          if (const boost::json::value* x = v->get_object().if_contains(column.substr(field_name.size() + 1)))
            return io_internal::ScalarCell(*x, quotes);
        return "";
      case Shape::kJson:
        return json::Text(*v);
    }
    return "";
  }

  void Reject(const RowInfo& info, const absl::Status& status, const CsvRecord* record,
              const boost::json::value* value) {
    RowError error;
    error.row = info.row;
    error.line = info.line;
    error.id = info.id;
    if (std::optional<FieldErrorDetails> details = GetFieldErrorDetails(status)) {
      error.path = details->path;
      error.rule = details->rule;
    } else {
      error.rule = std::string(status.message());
    }
    error.column = ColumnOfPath(type_, error.path, csv_);
    error.value = ValueOf(error.column, status, record, value);
    error.message = absl::StrCat("row ", info.row, " (line ", info.line, "): ", status.message());
    AddError(std::move(error));
  }

  void AddError(RowError error) {
    ++report_.rejected;
    ++batch_errors_;
    if (report_.errors.size() < options_.max_errors) {
      report_.errors.push_back(std::move(error));
    } else {
      ++report_.errors_omitted;
    }
  }

  // ---- Batches ------------------------------------------------------------------

  absl::Status Flush() {
    const bool refused = options_.mode == IngestMode::kAtomic && batch_errors_ > 0;
    if (refused) {
      report_.not_written += type_.is_event ? events_.size() : docs_.size();
      failed_ = true;
    } else if (type_.is_event) {
      CADRE_RETURN_IF_ERROR(CommitEvents());
    } else {
      CADRE_RETURN_IF_ERROR(CommitDocuments());
    }
    events_.clear();
    event_rows_.clear();
    docs_.clear();
    batch_rows_ = 0;
    batch_errors_ = 0;
    if (!failed_) {
      report_.committed_through_row = report_.rows_read;
      ++report_.batches_committed;
    }
    stop_ = failed_;
    if (options_.progress) {
      ImportProgress progress{report_.rows_read, report_.accepted + report_.duplicates, report_.rejected,
                              report_.batches_committed};
      if (!options_.progress(progress) && !failed_) {
        report_.stopped = true;
        stop_ = true;
      }
    }
    return absl::OkStatus();
  }

  absl::Status CommitEvents() {
    if (events_.empty()) return absl::OkStatus();
    const std::size_t count = events_.size();
    // Handed over, not copied: copying was a fifth of the import's time. What a
    // rejection needs (the offending value) is in its message.
    CADRE_ASSIGN_OR_RETURN(IngestReport result, ws_.Ingest(std::move(events_), options_.mode));
    for (const RejectedRow& rejected : result.rejected) {
      if (rejected.index >= count) continue;
      // "events[3].reverses: rule, got value" -> path "reverses", rule "rule".
      const std::string prefix = absl::StrCat("events[", rejected.index, "]");
      std::string path = rejected.path;
      if (path.rfind(prefix, 0) == 0) path.erase(0, prefix.size());
      if (!path.empty() && path[0] == '.') path.erase(0, 1);
      std::string message = rejected.message;
      if (message.rfind(prefix, 0) == 0) message.erase(0, prefix.size());
      if (!message.empty() && message[0] == '.') message.erase(0, 1);
      std::string rule = message, value;
      if (!path.empty() && rule.rfind(path + ": ", 0) == 0) rule.erase(0, path.size() + 2);
      if (std::size_t got = rule.rfind(", got "); got != std::string::npos) {
        value = rule.substr(got + 6);
        rule.resize(got);
        // CSV reports the cell as written: a JSON string's text, not its quotes.
        if (absl::StatusOr<boost::json::value> v = json::ParseText(value); csv_ && v.ok() && v->is_string())
          value = std::string(v->get_string());
      }
      const RowInfo& info = event_rows_[rejected.index];
      RowError error;
      error.row = info.row;
      error.line = info.line;
      error.id = info.id;
      error.path = path;
      error.rule = rule;
      error.column = ColumnOfPath(type_, path, csv_);
      error.value = std::move(value);
      error.message = absl::StrCat("row ", info.row, " (line ", info.line, "): ", message);
      AddError(std::move(error));
    }
    if (options_.mode == IngestMode::kAtomic && !result.rejected.empty()) {
      report_.not_written += count - result.rejected.size();
      failed_ = true;
      return absl::OkStatus();
    }
    report_.accepted += result.accepted;
    report_.duplicates += result.duplicates;
    return absl::OkStatus();
  }

  absl::Status CommitDocuments() {
    const absl::Time effective_from = options_.effective_from.value_or(absl::InfinitePast());
    std::vector<Workspace::DocumentPut> puts;
    std::vector<std::size_t> put_rows;
    absl::flat_hash_map<std::string, std::size_t> latest;  // id -> last row of this batch with it
    std::size_t duplicates = 0;
    for (std::size_t k = 0; k < docs_.size(); ++k) {
      const PendingDocument& doc = docs_[k];
      // Same content as the version in force from the same instant: nothing to write.
      bool duplicate = false;
      if (auto it = latest.find(doc.info.id); it != latest.end()) {
        duplicate = docs_[it->second].body == doc.body;
      } else {
        absl::StatusOr<Document> current = ws_.Get(type_.collection, doc.info.id);
        if (current.ok()) {
          duplicate = current->effective_from == effective_from && current->body == doc.body;
        } else if (!absl::IsNotFound(current.status())) {
          return current.status();
        }
      }
      latest[doc.info.id] = k;
      if (duplicate) {
        ++duplicates;
        continue;
      }
      PutOptions put_options;
      put_options.effective_from = options_.effective_from;
      puts.push_back(Workspace::DocumentPut{std::string(type_.collection), doc.info.id, doc.body, put_options});
      put_rows.push_back(k);
    }
    while (!puts.empty()) {
      absl::StatusOr<std::vector<int64_t>> versions = ws_.PutAll(puts);
      if (versions.ok()) {
        report_.accepted += puts.size();
        break;
      }
      // A document the workspace refused although it read well here: PutAll names
      // it as documents[i]. Anything else is the store's failure.
      std::optional<FieldErrorDetails> details = GetFieldErrorDetails(versions.status());
      std::size_t i = 0;
      if (!details || std::sscanf(details->path.c_str(), "documents[%zu]", &i) != 1 || i >= puts.size())
        return versions.status();
      std::string path = details->path.substr(details->path.find(']') + 1);
      if (!path.empty() && path[0] == '.') path.erase(0, 1);
      const PendingDocument& doc = docs_[put_rows[i]];
      absl::StatusOr<boost::json::value> value = json::ParseText(doc.body);
      Reject(doc.info, FieldError(versions.status().code(), path, details->rule, details->value), nullptr,
             value.ok() ? &*value : nullptr);
      if (options_.mode == IngestMode::kAtomic) {
        report_.not_written += docs_.size() - 1;
        failed_ = true;
        return absl::OkStatus();
      }
      puts.erase(puts.begin() + static_cast<std::ptrdiff_t>(i));
      put_rows.erase(put_rows.begin() + static_cast<std::ptrdiff_t>(i));
    }
    report_.duplicates += duplicates;
    return absl::OkStatus();
  }

  struct PendingDocument {
    RowInfo info;
    std::string body;  // canonical JSON
  };

  Workspace& ws_;
  const RecordType& type_;
  const ImportOptions& options_;
  const bool csv_;
  absl::StatusOr<std::string> (*canonical_)(const boost::json::value&) = nullptr;
  ImportReport report_;

  std::vector<ColumnRef> columns_;
  absl::flat_hash_map<std::string, std::size_t> column_index_;
  std::optional<std::size_t> id_column_;

  std::vector<Event> events_;
  std::vector<RowInfo> event_rows_;
  std::vector<PendingDocument> docs_;
  std::size_t batch_rows_ = 0;
  std::size_t batch_errors_ = 0;
  bool failed_ = false;  // an atomic batch was refused
  bool stop_ = false;
};

}  // namespace

absl::StatusOr<ImportReport> Import(Workspace& ws, RecordKind kind, std::istream& in, const ImportOptions& options) {
  Importer importer(ws, io_internal::TypeOf(kind), options);
  return importer.Run(in);
}

absl::StatusOr<ImportReport> ImportFile(Workspace& ws, RecordKind kind, const std::string& path,
                                        const ImportOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) return absl::NotFoundError(absl::StrCat(path, ": cannot open for reading"));
  return Import(ws, kind, in, options);
}

}  // namespace cadre::io
