// store/store_internal.h — what the store backends share (private to src/store and
// to the host-callback backend, src/capi/host_store.cc).
//
// Every backend refuses the same malformed batches with the same errors, and
// maps instants to the same integer form, so that the conformance suite can hold
// them all to one behaviour:
//
//   CADRE_RETURN_IF_ERROR(store_internal::ValidateWriteBatch(batch));
//   int64_t nanos = store_internal::TimeToNanos(event.occurred_at);
#ifndef CADRE_SRC_STORE_STORE_INTERNAL_H_
#define CADRE_SRC_STORE_STORE_INTERNAL_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "cadre/store.h"

namespace cadre::store_internal {

// Instants are kept as int64 Unix nanoseconds (years 1678..2261). The two ends of
// the range stand for the infinite instants, so that effective_from =
// InfinitePast sorts before every finite instant in SQL as it does in C++.
inline constexpr int64_t kPastNanos = std::numeric_limits<int64_t>::min();
inline constexpr int64_t kFutureNanos = std::numeric_limits<int64_t>::max();

// InfinitePast -> INT64_MIN, InfiniteFuture -> INT64_MAX; other instants are
// floored to whole nanoseconds and saturate at the ends (callers that must keep
// an instant exactly check IsStorableTime first).
inline int64_t TimeToNanos(absl::Time t) {
  if (t == absl::InfinitePast()) return kPastNanos;
  if (t == absl::InfiniteFuture()) return kFutureNanos;
  return absl::ToUnixNanos(t);
}

inline absl::Time NanosToTime(int64_t nanos) {
  if (nanos == kPastNanos) return absl::InfinitePast();
  if (nanos == kFutureNanos) return absl::InfiniteFuture();
  return absl::FromUnixNanos(nanos);
}

// True if `t` is finite and its nanosecond form lies strictly inside the range
// (the ends are reserved for the infinities).
inline bool IsStorableTime(absl::Time t) {
  constexpr absl::Time kLo = absl::FromUnixNanos(kPastNanos);
  constexpr absl::Time kHi = absl::FromUnixNanos(kFutureNanos);
  return t > kLo && t < kHi;
}

// A query bound as nanoseconds: saturated, which is exact for the comparisons a
// scan or an as-of read makes against storable instants.
inline int64_t BoundToNanos(absl::Time t) { return TimeToNanos(t); }

// Refuses (INVALID_ARGUMENT, naming the field as a JSON path such as
// "events[3].recorded_at") what no backend may store:
// - a document write without collection or id, with a negative expected_version,
//   with effective_from that is neither InfinitePast nor storable, with a
//   recorded_at that is not storable, or live (not deleted) with an empty body;
// - an event without id, without recorded_at (the caller stamps it), or with
//   occurred_at / recorded_at that is not storable.
// The content of bodies and events beyond that is the caller's business.
absl::Status ValidateWriteBatch(const WriteBatch& batch);

// ABORTED: "document customers/C-1: expected version 2, current version 3".
absl::Status StaleVersion(std::string_view collection, std::string_view id, int64_t expected, int64_t current);

// The seq reported for events of a batch that was not committed.
inline constexpr uint64_t kNotWritten = 0;

}  // namespace cadre::store_internal

#endif  // CADRE_SRC_STORE_STORE_INTERNAL_H_
