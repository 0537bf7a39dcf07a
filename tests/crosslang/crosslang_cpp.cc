// crosslang_cpp — the C++ path of the cross-language test: loads the shared
// input through the C++ API (cadre/workspace.h) and prints what it answers.
//
//   crosslang_cpp URI SALES.ndjson DOCUMENTS.tsv
//
// Prints one line per step, "<step>\t<JSON>", in the order every path of the
// test follows (see compare.py). The JSON is built here from the C++ results
// (documents and events in their wire form, the ingest report as described);
// errors are {"error":{"code","message","path","value","rule"}} from the Status
// and its field details.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "boost/json/parse.hpp"
#include "boost/json/serialize.hpp"
#include "boost/json/value.hpp"
#include "cadre/json.h"
#include "cadre/status.h"
#include "cadre/workspace.h"

namespace {

namespace bj = boost::json;

bj::string_view Sv(std::string_view s) { return bj::string_view(s.data(), s.size()); }

void Emit(const std::string& step, const bj::value& v) { std::cout << step << '\t' << bj::serialize(v) << '\n'; }

// The name of a canonical code as the stable codes name it.
const char* CodeName(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
      return "invalid_argument";
    case absl::StatusCode::kNotFound:
      return "not_found";
    case absl::StatusCode::kAlreadyExists:
      return "already_exists";
    case absl::StatusCode::kAborted:
      return "conflict";
    case absl::StatusCode::kFailedPrecondition:
      return "failed_precondition";
    case absl::StatusCode::kOutOfRange:
      return "out_of_range";
    case absl::StatusCode::kUnavailable:
      return "unavailable";
    default:
      return "internal";
  }
}

void EmitError(const std::string& step, const absl::Status& status) {
  bj::object details;
  details["code"] = CodeName(status.code());
  details["message"] = bj::string_view(status.message().data(), status.message().size());
  if (std::optional<cadre::FieldErrorDetails> field = cadre::GetFieldErrorDetails(status)) {
    details["path"] = field->path;
    if (!field->value.empty()) {
      // As the C ABI does: the payload is JSON text, kept as a string should it not be.
      boost::system::error_code ec;
      bj::value value = bj::parse(field->value, ec);
      details["value"] = ec ? bj::value(Sv(field->value)) : std::move(value);
    }
    details["rule"] = field->rule;
  }
  Emit(step, bj::object{{"error", std::move(details)}});
}

bj::object Meta(std::string_view collection, std::string_view id, int64_t version, absl::Time effective_from,
                absl::Time recorded_at) {
  bj::object meta;
  meta["collection"] = Sv(collection);
  meta["id"] = Sv(id);
  meta["version"] = version;
  meta["effective_from"] =
      effective_from == absl::InfinitePast() ? bj::value(nullptr) : cadre::json::WriteTime(effective_from);
  meta["recorded_at"] = cadre::json::WriteTime(recorded_at);
  return meta;
}

bj::value DocumentJson(const cadre::Document& d) {
  bj::object doc = Meta(d.collection, d.id, d.version, d.effective_from, d.recorded_at);
  doc["body"] = bj::parse(Sv(d.body));
  return doc;
}

absl::Time ParseInstant(const std::string& text) {
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &error)) {
    std::cerr << "crosslang_cpp: bad time " << text << ": " << error << '\n';
    std::exit(2);
  }
  return t;
}

void PutDocuments(cadre::Workspace& ws, const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "crosslang_cpp: cannot read " << path << '\n';
    std::exit(2);
  }
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields;
    std::istringstream split(line);
    for (std::string field; fields.size() < 3 && std::getline(split, field, '\t');) fields.push_back(field);
    std::string body;
    std::getline(split, body);  // the rest of the line: the body may not contain a tab anyway
    cadre::PutOptions options;
    if (fields.size() == 3 && fields[2] != "-") options.effective_from = ParseInstant(fields[2]);
    const std::string step = "put " + fields.at(0) + "/" + fields.at(1);
    absl::StatusOr<cadre::Document> written = ws.Put(fields.at(0), fields.at(1), body, options);
    if (!written.ok()) {
      EmitError(step, written.status());
      continue;
    }
    Emit(step, Meta(written->collection, written->id, written->version, written->effective_from, written->recorded_at));
  }
}

void EmitScan(cadre::Workspace& ws, const std::string& step, const cadre::EventQuery& query) {
  bj::array events;
  absl::Status status = ws.ScanEvents(query, [&](const cadre::StoredEvent& stored) {
    events.push_back(bj::object{{"seq", stored.seq}, {"event", cadre::json::Write(stored.event)}});
    return true;
  });
  if (!status.ok()) return EmitError(step, status);
  Emit(step, bj::object{{"events", std::move(events)}});
}

void EmitDocuments(const std::string& step, const absl::StatusOr<std::vector<cadre::Document>>& docs) {
  if (!docs.ok()) return EmitError(step, docs.status());
  bj::array out;
  for (const cadre::Document& d : *docs) out.push_back(DocumentJson(d));
  Emit(step, bj::object{{"documents", std::move(out)}});
}

void EmitDocument(const std::string& step, const absl::StatusOr<cadre::Document>& doc) {
  if (!doc.ok()) return EmitError(step, doc.status());
  Emit(step, DocumentJson(*doc));
}

void EmitHistory(const std::string& step, const absl::StatusOr<std::vector<cadre::DocumentVersion>>& versions) {
  if (!versions.ok()) return EmitError(step, versions.status());
  bj::array out;
  for (const cadre::DocumentVersion& v : *versions) {
    bj::object version = Meta(v.collection, v.id, v.version, v.effective_from, v.recorded_at);
    version["deleted"] = v.deleted;
    if (!v.deleted) version["body"] = bj::parse(Sv(v.body));
    out.push_back(std::move(version));
  }
  Emit(step, bj::object{{"versions", std::move(out)}});
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: crosslang_cpp URI SALES.ndjson DOCUMENTS.tsv\n";
    return 2;
  }
  std::ifstream sales_file(argv[2], std::ios::binary);
  if (!sales_file) {
    std::cerr << "crosslang_cpp: cannot read " << argv[2] << '\n';
    return 2;
  }
  const std::string sales((std::istreambuf_iterator<char>(sales_file)), std::istreambuf_iterator<char>());

  absl::StatusOr<std::unique_ptr<cadre::Workspace>> opened =
      cadre::Workspace::Open(argv[1], {.currency = "CNY", .time_zone = "Asia/Shanghai"});
  if (!opened.ok()) {
    std::cerr << "crosslang_cpp: open " << argv[1] << ": " << opened.status().ToString() << '\n';
    return 1;
  }
  cadre::Workspace& ws = **opened;

  Emit("settings", cadre::json::Write(ws.settings()));
  PutDocuments(ws, argv[3]);

  const std::pair<const char*, cadre::IngestMode> ingests[] = {
      {"ingest atomic", cadre::IngestMode::kAtomic},
      {"ingest best_effort", cadre::IngestMode::kBestEffort},
      {"ingest best_effort again", cadre::IngestMode::kBestEffort},
  };
  for (const auto& [step, mode] : ingests) {
    absl::StatusOr<cadre::IngestReport> report = ws.IngestNdjson(sales, mode);
    if (report.ok()) {
      Emit(step, cadre::json::Write(*report));
    } else {
      EmitError(step, report.status());
    }
  }
  if (absl::StatusOr<uint64_t> hwm = ws.HighWaterMark(); hwm.ok()) {
    Emit("high_water_mark", bj::value(*hwm));
  } else {
    EmitError("high_water_mark", hwm.status());
  }

  for (const char* collection : {"org_units", "managers", "customers", "x_crm_notes"}) {
    EmitDocuments(std::string("list ") + collection, ws.List(collection));
  }
  EmitDocument("get managers/M0001 as_of 2025-06-30",
               ws.Get("managers", "M0001", ParseInstant("2025-06-30T12:00:00+08:00")));
  EmitDocument("get managers/M0001", ws.Get("managers", "M0001"));
  EmitHistory("history managers/M0001", ws.History("managers", "M0001"));
  if (absl::StatusOr<int64_t> version = ws.Delete("customers", "C000005"); version.ok()) {
    Emit("delete customers/C000005", bj::value(*version));
  } else {
    EmitError("delete customers/C000005", version.status());
  }
  EmitDocument("get customers/C000005", ws.Get("customers", "C000005"));
  EmitHistory("history customers/C000005", ws.History("customers", "C000005"));

  cadre::EventQuery all;
  all.order = cadre::ScanOrder::kBySeq;
  EmitScan(ws, "scan all", all);
  cadre::EventQuery by_manager;
  by_manager.manager = "M0001";
  by_manager.kinds = {cadre::EventKind::kSale, cadre::EventKind::kReturn};
  by_manager.from = ParseInstant("2025-06-01T00:00:00+08:00");
  EmitScan(ws, "scan by manager", by_manager);
  cadre::EventQuery by_customer;
  by_customer.customer = "C000004";
  by_customer.until = ParseInstant("2025-06-21T00:00:00+08:00");
  EmitScan(ws, "scan by customer", by_customer);
  cadre::EventQuery page;
  page.order = cadre::ScanOrder::kBySeq;
  page.after_seq = 4;
  page.limit = 3;
  EmitScan(ws, "scan page", page);
  return 0;
}
