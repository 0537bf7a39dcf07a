// testing/store_conformance.h — the one conformance suite every Store backend
// passes (STYLE.md rule 15).
//
// The suite is a value-parameterised GoogleTest fixture: a backend joins it by
// instantiating it with a factory that opens its store in a private directory.
//
//   #include "testing/store_conformance.h"
//   using cadre::testing::StoreBackend;
//   INSTANTIATE_TEST_SUITE_P(HostCallbacks, StoreConformanceTest,
//                            ::testing::Values(StoreBackend{"host", [](const std::string& dir) {
//                              return OpenMyStore(dir + "/store");
//                            }, /*persistent=*/true}),
//                            cadre::testing::StoreBackendName);
//
// The tests themselves live in store_conformance.cc (linked in from the
// cadre_testing library); including this header is enough to keep them.
//
// What it checks: document versions and optimistic concurrency, effective-dated
// reads, tombstones, the event log (dense seqs, duplicates and conflicts in the
// log and within a batch, all-or-nothing), every scan filter in both orders,
// limits and early stop, atomicity of mixed batches, readers beside a writer,
// and, for persistent backends, that a reopened store keeps everything.
//
// Where store.h leaves room, the suite pins one behaviour (every backend of
// src/store has it, and a new one must too):
// - Commit refuses a malformed batch with INVALID_ARGUMENT naming the field as a
//   JSON path ("events[1].recorded_at"): an event without id or recorded_at, an
//   instant outside 1678..2261 (effective_from may also be InfinitePast), a
//   document write without collection or id, with a negative expected_version,
//   or live with an empty body. Nothing of the batch is written.
// - When all_or_nothing meets a conflict, the result still classifies every
//   event; `seqs` holds the logged seq for ids already in the log and 0 for
//   events that were not written, and `document_versions` are all 0.
// - Writes to one document within one batch apply in order.
// - A tombstone's body is empty; ListDocuments orders ids bytewise.
// - A scan sees the log as it was when the scan began, and its callback may
//   call the store again, Commit included.
#ifndef CADRE_TESTS_TESTING_STORE_CONFORMANCE_H_
#define CADRE_TESTS_TESTING_STORE_CONFORMANCE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cadre/event.h"
#include "cadre/store.h"
#include "gtest/gtest.h"
#include "testing/test_util.h"

namespace cadre::testing {

struct StoreBackend {
  // Names the instantiation in test names: letters, digits and '_' only.
  std::string name;
  // Opens the backend's store kept in `dir`, an existing directory private to
  // the test and empty on the first call. Persistence tests destroy the store
  // and call this again with the same directory.
  std::function<absl::StatusOr<std::unique_ptr<Store>>(const std::string& dir)> open;
  // True if a store opened again on the same directory keeps what was committed.
  bool persistent = false;
};

// For INSTANTIATE_TEST_SUITE_P: names each instantiation after its backend.
std::string StoreBackendName(const ::testing::TestParamInfo<StoreBackend>& info);
void PrintTo(const StoreBackend& backend, std::ostream* os);

class StoreConformanceTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  Store& store() { return *store_; }
  // Destroys the store and opens it again on the same directory.
  void Reopen();

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

// The cases only persistent backends can pass (a reopened store keeps what was
// committed). Instantiate it with the persistent backends only, so no test is
// skipped:
//   INSTANTIATE_TEST_SUITE_P(Backends, StorePersistenceTest, ::testing::Values(...));
class StorePersistenceTest : public StoreConformanceTest {};

// ---- Helpers, also for backend-specific tests ------------------------------------

// 2025-06-01T00:00:00Z plus `minutes`.
absl::Time At(int64_t minutes);

// A sale with recorded_at stamped: manager and customer as given (empty: absent).
Event Sale(std::string id, absl::Time occurred_at, std::string manager = "M-1", std::string customer = "C-1",
           int64_t amount_minor = 1000);
// An event with every optional field set (attributes included).
Event RichEvent(std::string id, absl::Time occurred_at);

// A batch of events (all_or_nothing as given).
WriteBatch Events(std::vector<Event> events, bool all_or_nothing = true);
// A live document write (effective from InfinitePast unless given).
DocumentWrite Put(std::string collection, std::string id, std::string body,
                  std::optional<int64_t> expected_version = std::nullopt,
                  absl::Time effective_from = absl::InfinitePast());
// A tombstone.
DocumentWrite Delete(std::string collection, std::string id, std::optional<int64_t> expected_version = std::nullopt,
                     absl::Time effective_from = absl::InfinitePast());

// Everything a scan returns, in its order.
std::vector<StoredEvent> Scan(Store& store, const EventQuery& query = {});
std::vector<uint64_t> ScanSeqs(Store& store, const EventQuery& query = {});
std::vector<DocumentVersion> List(Store& store, const std::string& collection,
                                  std::optional<absl::Time> as_of = std::nullopt);
std::vector<DocumentVersion> History(Store& store, const std::string& collection, const std::string& id);

// Equal content, recorded_at included.
::testing::AssertionResult SameEvent(const Event& expected, const Event& actual);

namespace internal {
// Referenced below so that any test including this header links the suite in.
int StoreConformanceAnchor();
inline const int store_conformance_anchor = StoreConformanceAnchor();
}  // namespace internal

}  // namespace cadre::testing

using cadre::testing::StoreConformanceTest;

#endif  // CADRE_TESTS_TESTING_STORE_CONFORMANCE_H_
