// store/fault_injecting_store.h — a Store wrapper that fails when told to (tests).
//
// Wraps any Store and forwards to it, except when a fault is armed: then the
// call fails with UNAVAILABLE "injected fault" and, for a Commit, never reaches
// the inner store, so nothing of the batch is written. Tests use it to check
// that callers (the workspace, projections, the C ABI) survive a failing store.
//
//   auto store = std::make_unique<FaultInjectingStore>(NewMemoryStore());
//   store->FailNextCommits(1);
//   EXPECT_EQ(store->Commit(batch).status().code(), absl::StatusCode::kUnavailable);
//   EXPECT_TRUE(store->Commit(batch).ok());  // the fault has cleared
//
// Thread-safety: safe for concurrent use, like every Store; arming calls may race
// with Commits, and each Commit sees the arming state either before or after.
#ifndef CADRE_SRC_STORE_FAULT_INJECTING_STORE_H_
#define CADRE_SRC_STORE_FAULT_INJECTING_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "cadre/store.h"

namespace cadre {

class FaultInjectingStore final : public Store {
 public:
  explicit FaultInjectingStore(std::unique_ptr<Store> inner);

  // The next `n` Commits fail.
  void FailNextCommits(int n);
  // `k` more Commits go through, then every Commit fails until Reset().
  void FailCommitsAfter(int k);
  // While on, every read fails (GetDocument, ListDocuments, DocumentHistory,
  // ScanEvents, FindEvent, HighWaterMark).
  void FailReads(bool on);
  // While armed, every ScanEvents delivers at most `n` events and then fails,
  // instead of delivering more (a scan with no more than `n` to deliver, or one
  // its caller stops, succeeds), until Reset().
  void FailScansAfter(int n);
  // Disarms every fault.
  void Reset();

  // Commits failed by injection, and Commits passed to the inner store.
  int64_t commits_failed() const;
  int64_t commits_passed() const;

  Store& inner() { return *inner_; }

  absl::StatusOr<CommitResult> Commit(const WriteBatch& batch) override;
  absl::StatusOr<DocumentVersion> GetDocument(std::string_view collection, std::string_view id,
                                              std::optional<absl::Time> as_of) override;
  absl::Status ListDocuments(std::string_view collection, std::optional<absl::Time> as_of,
                             absl::FunctionRef<void(const DocumentVersion&)> fn) override;
  absl::Status DocumentHistory(std::string_view collection, std::string_view id,
                               absl::FunctionRef<void(const DocumentVersion&)> fn) override;
  absl::Status ScanEvents(const EventQuery& query, absl::FunctionRef<bool(const StoredEvent&)> fn) override;
  absl::StatusOr<StoredEvent> FindEvent(std::string_view id) override;
  absl::StatusOr<uint64_t> HighWaterMark() override;
  // "fault_injecting": callers must not mistake the wrapper for its inner store.
  std::string_view backend() const override { return "fault_injecting"; }

 private:
  bool ShouldFailCommit();
  bool ShouldFailRead() const;

  const std::unique_ptr<Store> inner_;
  mutable absl::Mutex mu_;
  int fail_next_ ABSL_GUARDED_BY(mu_) = 0;
  std::optional<int> succeed_then_fail_ ABSL_GUARDED_BY(mu_);  // Commits left before failing
  bool fail_reads_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<int> scan_fails_after_ ABSL_GUARDED_BY(mu_);
  int64_t failed_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t passed_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace cadre

#endif  // CADRE_SRC_STORE_FAULT_INJECTING_STORE_H_
