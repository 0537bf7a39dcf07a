// store/store.cc — OpenStore's URI dispatch and the checks every backend shares.
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cadre/status.h"
#include "cadre/store.h"
#include "store/store_internal.h"

namespace cadre {
namespace {

constexpr std::string_view kMemoryScheme = "memory:";
constexpr std::string_view kSqliteScheme = "sqlite:";

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> OpenStore(std::string_view uri) {
  if (uri == kMemoryScheme) return NewMemoryStore();
  if (uri.starts_with(kSqliteScheme)) {
    std::string_view path = uri.substr(kSqliteScheme.size());
    if (path.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("store URI \"", AbslView(uri), "\": sqlite: needs a file path, e.g. sqlite:/var/lib/cadre.db"));
    }
    return OpenSqliteStore(path);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("store URI \"", AbslView(uri), "\": unknown scheme (known: \"memory:\", \"sqlite:PATH\")"));
}

namespace store_internal {
namespace {

std::string Quoted(std::string_view s) { return absl::StrCat("\"", AbslView(s), "\""); }

std::string TimeJson(absl::Time t) {
  if (t == absl::InfinitePast()) return "\"-infinity\"";
  if (t == absl::InfiniteFuture()) return "\"infinity\"";
  return Quoted(absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone()));
}

constexpr char kTimeRule[] = "instant between 1678-01-01 and 2261-12-31";

}  // namespace

absl::Status ValidateWriteBatch(const WriteBatch& batch) {
  for (size_t i = 0; i < batch.documents.size(); ++i) {
    const DocumentWrite& d = batch.documents[i];
    const std::string at = absl::StrCat("documents[", i, "]");
    if (d.collection.empty()) return FieldError(absl::StrCat(at, ".collection"), "non-empty collection name", "\"\"");
    if (d.id.empty()) return FieldError(absl::StrCat(at, ".id"), "non-empty id", "\"\"");
    if (d.expected_version && *d.expected_version < 0) {
      return FieldError(absl::StrCat(at, ".expected_version"), "version >= 0 (0: must not exist yet)",
                        absl::StrCat(*d.expected_version));
    }
    if (d.effective_from != absl::InfinitePast() && !IsStorableTime(d.effective_from)) {
      return FieldError(absl::StrCat(at, ".effective_from"), absl::StrCat("InfinitePast or ", kTimeRule),
                        TimeJson(d.effective_from));
    }
    if (!IsStorableTime(d.recorded_at)) {
      return FieldError(absl::StrCat(at, ".recorded_at"), kTimeRule, TimeJson(d.recorded_at));
    }
    if (!d.deleted && d.body.empty()) {
      return FieldError(absl::StrCat(at, ".body"), "a JSON object (only a deletion has no body)", "\"\"");
    }
  }
  for (size_t i = 0; i < batch.events.size(); ++i) {
    const Event& e = batch.events[i];
    if (e.id.empty()) return FieldError(absl::StrCat("events[", i, "].id"), "non-empty id", "\"\"");
    if (!IsStorableTime(e.occurred_at)) {
      return FieldError(absl::StrCat("events[", i, "].occurred_at"), kTimeRule, TimeJson(e.occurred_at));
    }
    if (!e.recorded_at) {
      return FieldError(absl::StrCat("events[", i, "].recorded_at"), "stamped before the store is asked to commit");
    }
    if (!IsStorableTime(*e.recorded_at)) {
      return FieldError(absl::StrCat("events[", i, "].recorded_at"), kTimeRule, TimeJson(*e.recorded_at));
    }
  }
  return absl::OkStatus();
}

absl::Status StaleVersion(std::string_view collection, std::string_view id, int64_t expected, int64_t current) {
  std::string what;
  if (expected == 0) {
    what = absl::StrCat("expected version 0 (must not exist yet), current version ", current);
  } else if (current == 0) {
    what = absl::StrCat("expected version ", expected, ", current version 0 (does not exist)");
  } else {
    what = absl::StrCat("expected version ", expected, ", current version ", current);
  }
  return absl::AbortedError(
      absl::StrCat("stale write to document ", AbslView(collection), "/", AbslView(id), ": ", what));
}

}  // namespace store_internal
}  // namespace cadre
