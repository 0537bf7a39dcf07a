// C ABI: ingesting events (NDJSON and the fast path of plain C rows) and scanning
// the log.
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "boost/describe.hpp"
#include "cadre/event.h"
#include "cadre/json.h"
#include "cadre/status.h"
#include "cadre/store.h"
#include "cadre/workspace.h"
#include "capi/capi_internal.h"

namespace cadre::capi {
namespace {

absl::StatusOr<IngestMode> ReadMode(int mode) {
  switch (mode) {
    case CADRE_INGEST_ATOMIC:
      return IngestMode::kAtomic;
    case CADRE_INGEST_BEST_EFFORT:
      return IngestMode::kBestEffort;
    default:
      return FieldError("mode", "expected CADRE_INGEST_ATOMIC (0) or CADRE_INGEST_BEST_EFFORT (1)",
                        std::to_string(mode));
  }
}

std::optional<std::string> OptionalText(const char* s) {
  if (s == nullptr) return std::nullopt;
  return std::string(s);
}

// Turns the caller's rows into events. Problems of the C representation itself (a
// kind that does not exist, reserved or unknown fields set) refuse the whole call:
// they are bugs in the caller, not bad data. Everything about the data is left to
// the workspace, which reports it per row.
absl::StatusOr<std::vector<Event>> ReadSales(const cadre_sale* rows, std::size_t n, std::size_t row_size) {
  std::vector<Event> events;
  events.reserve(n);
  const auto* base = reinterpret_cast<const unsigned char*>(rows);
  for (std::size_t i = 0; i < n; ++i) {
    auto row_path = [i](std::string_view field = {}) { return absl::StrCat("rows[", i, "]", cadre::AbslView(field)); };
    // Read with the caller's stride; fields a smaller (older) row lacks stay zero,
    // and fields of a larger (newer) row that this library does not know must be zero.
    const unsigned char* bytes = base + i * row_size;
    cadre_sale row;
    std::memset(&row, 0, sizeof row);
    std::memcpy(&row, bytes, row_size < sizeof row ? row_size : sizeof row);
    for (std::size_t b = sizeof row; b < row_size; ++b) {
      if (bytes[b] != 0) {
        return FieldError(row_path(),
                          absl::StrCat("has fields set that this library (cadre ", CADRE_VERSION_STRING,
                                       ") does not know: row_size is ", row_size, ", its cadre_sale is ", sizeof row,
                                       " bytes (the caller was built against a newer cadre.h)"));
      }
    }
    if (row.reserved != 0) {
      return FieldError(row_path(".reserved"), "must be 0", std::to_string(row.reserved));
    }
    Event e;
    switch (row.kind) {
      case CADRE_SALE_KIND_SALE:
        e.kind = EventKind::kSale;
        break;
      case CADRE_SALE_KIND_RETURN:
        e.kind = EventKind::kReturn;
        break;
      default:
        return FieldError(row_path(".kind"), "expected CADRE_SALE_KIND_SALE (0) or CADRE_SALE_KIND_RETURN (1)",
                          std::to_string(row.kind));
    }
    // A NULL id is bad data like an empty one: the workspace rejects the row and says why.
    e.id = row.id != nullptr ? row.id : "";
    e.occurred_at = absl::FromUnixMicros(row.occurred_at);
    e.manager = OptionalText(row.manager);
    e.customer = OptionalText(row.customer);
    e.amount_minor = row.amount_minor;
    if (row.quantity != 0) e.quantity = row.quantity;
    e.category = OptionalText(row.category);
    e.sku = OptionalText(row.sku);
    e.reference = OptionalText(row.reference);
    events.push_back(std::move(e));
  }
  return events;
}

// The query of cadre_events_scan, in its JSON form.
enum class ScanOrderWire { kByTime, kBySeq };
BOOST_DESCRIBE_ENUM(ScanOrderWire, kByTime, kBySeq)

struct ScanQuery {
  std::optional<absl::Time> from;
  std::optional<absl::Time> until;
  std::vector<EventKind> kinds;
  std::optional<std::string> manager;
  std::optional<std::string> customer;
  uint64_t after_seq = 0;
  ScanOrderWire order = ScanOrderWire::kByTime;
  std::optional<uint64_t> limit;
};
BOOST_DESCRIBE_STRUCT(ScanQuery, (), (from, until, kinds, manager, customer, after_seq, order, limit))

EventQuery ToEventQuery(ScanQuery q) {
  EventQuery query;
  query.from = q.from;
  query.until = q.until;
  query.kinds = std::move(q.kinds);
  query.manager = std::move(q.manager);
  query.customer = std::move(q.customer);
  query.after_seq = q.after_seq;
  query.order = q.order == ScanOrderWire::kBySeq ? ScanOrder::kBySeq : ScanOrder::kByTime;
  query.limit = q.limit;
  return query;
}

}  // namespace
}  // namespace cadre::capi

namespace capi = cadre::capi;

extern "C" {

int cadre_events_ingest_ndjson(char** out_report_json, cadre_workspace* ws, const char* ndjson, size_t len, int mode) {
  static constexpr char kFn[] = "cadre_events_ingest_ndjson";
  return capi::Call(kFn, out_report_json, [&]() -> absl::Status {
    CADRE_RETURN_IF_ERROR(capi::RequireOut(kFn, out_report_json, "out_report_json"));
    CADRE_RETURN_IF_ERROR(capi::RequireHandle(kFn, ws));
    if (ndjson == nullptr && len > 0) return capi::Misuse(kFn, "ndjson is NULL but len is not 0");
    CADRE_ASSIGN_OR_RETURN(cadre::IngestMode ingest_mode, capi::ReadMode(mode));
    std::string_view text = ndjson != nullptr ? std::string_view(ndjson, len) : std::string_view();
    CADRE_ASSIGN_OR_RETURN(cadre::IngestReport report, ws->impl->IngestNdjson(text, ingest_mode));
    *out_report_json = capi::Dup(cadre::json::ToText(report));
    return absl::OkStatus();
  });
}

int cadre_events_ingest_sales(char** out_report_json, cadre_workspace* ws, const cadre_sale* rows, size_t n,
                              size_t row_size, int mode) {
  static constexpr char kFn[] = "cadre_events_ingest_sales";
  return capi::Call(kFn, out_report_json, [&]() -> absl::Status {
    CADRE_RETURN_IF_ERROR(capi::RequireOut(kFn, out_report_json, "out_report_json"));
    CADRE_RETURN_IF_ERROR(capi::RequireHandle(kFn, ws));
    if (rows == nullptr && n > 0) return capi::Misuse(kFn, "rows is NULL but n is not 0");
    if (row_size < CADRE_CAPI_END_OF(cadre_sale, reserved)) {
      return capi::Misuse(
          kFn, absl::StrCat("row_size is ", row_size, ", less than the ", CADRE_CAPI_END_OF(cadre_sale, reserved),
                            " of the first cadre_sale (pass sizeof(cadre_sale))"));
    }
    if (n > SIZE_MAX / row_size) return capi::Misuse(kFn, "n * row_size overflows");
    CADRE_ASSIGN_OR_RETURN(cadre::IngestMode ingest_mode, capi::ReadMode(mode));
    CADRE_ASSIGN_OR_RETURN(std::vector<cadre::Event> events, capi::ReadSales(rows, n, row_size));
    CADRE_ASSIGN_OR_RETURN(cadre::IngestReport report, ws->impl->Ingest(events, ingest_mode));
    *out_report_json = capi::Dup(cadre::json::ToText(report));
    return absl::OkStatus();
  });
}

int cadre_events_scan(char** out_json, cadre_workspace* ws, const char* query_json) {
  static constexpr char kFn[] = "cadre_events_scan";
  return capi::Call(kFn, out_json, [&]() -> absl::Status {
    CADRE_RETURN_IF_ERROR(capi::RequireOut(kFn, out_json, "out_json"));
    CADRE_RETURN_IF_ERROR(capi::RequireHandle(kFn, ws));
    capi::ScanQuery query;
    if (query_json != nullptr) {
      CADRE_ASSIGN_OR_RETURN(query, cadre::json::FromText<capi::ScanQuery>(query_json));
    }
    std::string text = "{\"events\":[";
    bool first = true;
    CADRE_RETURN_IF_ERROR(
        ws->impl->ScanEvents(capi::ToEventQuery(std::move(query)), [&](const cadre::StoredEvent& stored) {
          absl::StrAppend(&text, first ? "" : ",", "{\"seq\":", stored.seq,
                          ",\"event\":", cadre::json::ToText(stored.event), "}");
          first = false;
          return true;
        }));
    text += "]}";
    *out_json = capi::Dup(text);
    return absl::OkStatus();
  });
}

}  // extern "C"
