// Export: records -> their JSON wire form -> NDJSON lines or CSV records, written
// as they are read. A CSV export reads the records twice: once to find the
// columns in use (and the keys of map fields), once to write them.
#include <algorithm>
#include <fstream>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/strings/str_cat.h"
#include "boost/json/serialize.hpp"
#include "cadre/io.h"
#include "cadre/json.h"
#include "cadre/model.h"
#include "io/csv.h"
#include "io/record.h"

namespace cadre::io {
namespace {

using io_internal::AppendCsvCell;
using io_internal::Field;
using io_internal::RecordType;
using io_internal::Shape;

constexpr std::size_t kFlushBytes = 1 << 16;

// Buffers output in blocks and notices when the stream fails.
class Output {
 public:
  explicit Output(std::ostream& out) : out_(out) {}
  std::string& buffer() { return buffer_; }
  absl::Status EndRecord() { return buffer_.size() >= kFlushBytes ? Flush() : absl::OkStatus(); }
  absl::Status Flush() {
    out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    buffer_.clear();
    if (!out_.good()) return absl::DataLossError("writing the export failed (the output stream reports an error)");
    return absl::OkStatus();
  }

 private:
  std::ostream& out_;
  std::string buffer_;
};

// A stored document in today's wire form of its type (older versions may lack
// fields that now have defaults).
template <class T>
absl::StatusOr<boost::json::value> Normalise(std::string_view body) {
  CADRE_ASSIGN_OR_RETURN(T entity, json::FromText<T>(body, "document"));
  return json::Write(entity);
}

class Exporter {
 public:
  Exporter(Workspace& ws, const RecordType& type, const ExportOptions& options)
      : ws_(ws), type_(type), options_(options) {}

  absl::StatusOr<ExportReport> Run(std::ostream& out) {
    if (type_.is_event) {
      query_ = options_.events;
      if (query_.kinds.empty()) {
        query_.kinds = type_.event_kinds;
      } else {
        for (EventKind k : query_.kinds) {
          if (std::find(type_.event_kinds.begin(), type_.event_kinds.end(), k) == type_.event_kinds.end()) {
            return FieldError("events.kinds", absl::StrCat("not a kind of ", AbslView(type_.name), " events"),
                              boost::json::serialize(json::Write(k)));
          }
        }
      }
      // Both passes of a CSV export see the log as it is now, whatever is
      // appended meanwhile.
      CADRE_ASSIGN_OR_RETURN(high_water_mark_, ws_.HighWaterMark());
    } else if (type_.kind == RecordKind::kManagers) {
      normalise_ = &Normalise<Manager>;
    } else {
      normalise_ = &Normalise<Customer>;
    }
    Output output(out);
    ExportReport report;
    if (options_.format == Format::kNdjson) {
      CADRE_RETURN_IF_ERROR(ForEachRecord([&](const boost::json::object& record) {
        output.buffer().append(boost::json::serialize(record));
        output.buffer() += '\n';
        ++report.rows;
        return output.EndRecord();
      }));
      CADRE_RETURN_IF_ERROR(output.Flush());
      return report;
    }

    CADRE_RETURN_IF_ERROR(ChooseColumns());
    const std::string_view terminator = options_.crlf ? "\r\n" : "\n";
    for (std::size_t j = 0; j < names_.size(); ++j) {
      if (j > 0) output.buffer() += ',';
      AppendCsvCell(output.buffer(), names_[j]);
    }
    output.buffer().append(terminator);
    std::vector<std::string> cells(names_.size());
    std::vector<bool> quotes(names_.size());
    CADRE_RETURN_IF_ERROR(ForEachRecord([&](const boost::json::object& record) -> absl::Status {
      std::fill(cells.begin(), cells.end(), std::string());
      std::fill(quotes.begin(), quotes.end(), false);
      for (const auto& kv : record) {
        std::string_view name(kv.key().data(), kv.key().size());
        const Field* field = type_.Find(name);
        if (field == nullptr) return absl::InternalError(absl::StrCat("export: no field for key ", AbslView(name)));
        if (field->shape == Shape::kMap && kv.value().is_object()) {
          for (const auto& entry : kv.value().get_object()) {
            std::string column = absl::StrCat(AbslView(name), ".", AbslView(std::string_view(entry.key())));
            CADRE_ASSIGN_OR_RETURN(std::size_t j, ColumnIndex(column));
            bool q = false;
            cells[j] = io_internal::ScalarCell(entry.value(), q);
            quotes[j] = q;
          }
          continue;
        }
        CADRE_ASSIGN_OR_RETURN(std::size_t j, ColumnIndex(std::string(name)));
        bool q = false;
        if (field->shape == Shape::kScalar) {
          cells[j] = io_internal::ScalarCell(kv.value(), q);
        } else if (field->shape == Shape::kList && kv.value().is_array()) {
          cells[j] = io_internal::ListCell(kv.value().get_array(), q);
        } else {
          cells[j] = json::Text(kv.value());
        }
        quotes[j] = q;
      }
      for (std::size_t j = 0; j < cells.size(); ++j) {
        if (j > 0) output.buffer() += ',';
        AppendCsvCell(output.buffer(), cells[j], quotes[j]);
      }
      output.buffer().append(terminator);
      ++report.rows;
      return output.EndRecord();
    }));
    CADRE_RETURN_IF_ERROR(output.Flush());
    report.columns = names_;
    return report;
  }

 private:
  // Calls `fn` with the wire form of each record to export, in order, until it
  // fails.
  absl::Status ForEachRecord(absl::FunctionRef<absl::Status(const boost::json::object&)> fn) {
    absl::Status status;
    if (type_.is_event) {
      CADRE_RETURN_IF_ERROR(ws_.ScanEvents(query_, [&](const StoredEvent& e) {
        if (e.seq > high_water_mark_) return true;
        boost::json::value record = json::Write(e.event);
        status = fn(record.get_object());
        return status.ok();
      }));
      return status;
    }
    CADRE_RETURN_IF_ERROR(ws_.store().ListDocuments(type_.collection, options_.as_of, [&](const DocumentVersion& v) {
      if (!status.ok()) return;
      absl::StatusOr<boost::json::value> record = normalise_(v.body);
      if (!record.ok()) {
        status = PrefixPath(record.status(), absl::StrCat(AbslView(type_.collection), "/", v.id));
        return;
      }
      status = fn(record->get_object());
    }));
    return status;
  }

  // The CSV header: required fields, then (in field order) every field in use,
  // or every field with all_columns; a map field as one column per key in use.
  absl::Status ChooseColumns() {
    std::vector<bool> used(type_.fields.size(), false);
    std::vector<std::set<std::string>> keys(type_.fields.size());
    CADRE_RETURN_IF_ERROR(ForEachRecord([&](const boost::json::object& record) {
      for (const auto& kv : record) {
        for (std::size_t i = 0; i < type_.fields.size(); ++i) {
          if (type_.fields[i].name != std::string_view(kv.key())) continue;
          used[i] = true;
          if (type_.fields[i].shape == Shape::kMap && kv.value().is_object())
            for (const auto& entry : kv.value().get_object()) keys[i].emplace(entry.key());
        }
      }
      return absl::OkStatus();
    }));
    for (std::size_t i = 0; i < type_.fields.size(); ++i) {
      const Field& f = type_.fields[i];
      if (f.shape == Shape::kMap) {
        for (const std::string& key : keys[i]) names_.push_back(absl::StrCat(f.name, ".", key));
      } else if (f.required || used[i] || options_.all_columns) {
        names_.push_back(f.name);
      }
    }
    for (std::size_t j = 0; j < names_.size(); ++j) index_.emplace(names_[j], j);
    return absl::OkStatus();
  }

  absl::StatusOr<std::size_t> ColumnIndex(const std::string& column) const {
    auto it = index_.find(column);
    if (it == index_.end()) {
      return absl::AbortedError(absl::StrCat("export: column ", column,
                                             " came into use while the export ran (the data changed between its "
                                             "passes); run it again"));
    }
    return it->second;
  }

  Workspace& ws_;
  const RecordType& type_;
  const ExportOptions& options_;
  EventQuery query_;
  uint64_t high_water_mark_ = 0;
  absl::StatusOr<boost::json::value> (*normalise_)(std::string_view) = nullptr;
  std::vector<std::string> names_;
  absl::flat_hash_map<std::string, std::size_t> index_;
};

}  // namespace

absl::StatusOr<ExportReport> Export(Workspace& ws, RecordKind kind, std::ostream& out, const ExportOptions& options) {
  Exporter exporter(ws, io_internal::TypeOf(kind), options);
  return exporter.Run(out);
}

absl::StatusOr<ExportReport> ExportFile(Workspace& ws, RecordKind kind, const std::string& path,
                                        const ExportOptions& options) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out.is_open()) return absl::UnavailableError(absl::StrCat(path, ": cannot open for writing"));
  CADRE_ASSIGN_OR_RETURN(ExportReport report, Export(ws, kind, out, options));
  out.close();
  if (out.fail()) return absl::DataLossError(absl::StrCat(path, ": writing failed"));
  return report;
}

}  // namespace cadre::io
