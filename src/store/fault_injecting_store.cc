// store/fault_injecting_store.cc — see fault_injecting_store.h.
#include "store/fault_injecting_store.h"

#include <utility>

#include "cadre/status.h"

namespace cadre {
namespace {

absl::Status Injected() { return absl::UnavailableError("injected fault"); }

}  // namespace

FaultInjectingStore::FaultInjectingStore(std::unique_ptr<Store> inner) : inner_(std::move(inner)) {}

void FaultInjectingStore::FailNextCommits(int n) {
  absl::MutexLock lock(&mu_);
  fail_next_ = n;
}

void FaultInjectingStore::FailCommitsAfter(int k) {
  absl::MutexLock lock(&mu_);
  succeed_then_fail_ = k;
}

void FaultInjectingStore::FailReads(bool on) {
  absl::MutexLock lock(&mu_);
  fail_reads_ = on;
}

void FaultInjectingStore::Reset() {
  absl::MutexLock lock(&mu_);
  fail_next_ = 0;
  succeed_then_fail_.reset();
  fail_reads_ = false;
  scan_fails_after_.reset();
}

void FaultInjectingStore::FailScansAfter(int n) {
  absl::MutexLock lock(&mu_);
  scan_fails_after_ = n;
}

int64_t FaultInjectingStore::commits_failed() const {
  absl::MutexLock lock(&mu_);
  return failed_;
}

int64_t FaultInjectingStore::commits_passed() const {
  absl::MutexLock lock(&mu_);
  return passed_;
}

bool FaultInjectingStore::ShouldFailCommit() {
  absl::MutexLock lock(&mu_);
  bool fail = false;
  if (fail_next_ > 0) {
    --fail_next_;
    fail = true;
  } else if (succeed_then_fail_) {
    if (*succeed_then_fail_ > 0) {
      --*succeed_then_fail_;
    } else {
      fail = true;
    }
  }
  ++(fail ? failed_ : passed_);
  return fail;
}

bool FaultInjectingStore::ShouldFailRead() const {
  absl::MutexLock lock(&mu_);
  return fail_reads_;
}

absl::StatusOr<CommitResult> FaultInjectingStore::Commit(const WriteBatch& batch) {
  if (ShouldFailCommit()) return Injected();
  return inner_->Commit(batch);
}

absl::StatusOr<DocumentVersion> FaultInjectingStore::GetDocument(std::string_view collection, std::string_view id,
                                                                 std::optional<absl::Time> as_of) {
  if (ShouldFailRead()) return Injected();
  return inner_->GetDocument(collection, id, as_of);
}

absl::Status FaultInjectingStore::ListDocuments(std::string_view collection, std::optional<absl::Time> as_of,
                                                absl::FunctionRef<void(const DocumentVersion&)> fn) {
  if (ShouldFailRead()) return Injected();
  return inner_->ListDocuments(collection, as_of, fn);
}

absl::Status FaultInjectingStore::DocumentHistory(std::string_view collection, std::string_view id,
                                                  absl::FunctionRef<void(const DocumentVersion&)> fn) {
  if (ShouldFailRead()) return Injected();
  return inner_->DocumentHistory(collection, id, fn);
}

absl::Status FaultInjectingStore::ScanEvents(const EventQuery& query, absl::FunctionRef<bool(const StoredEvent&)> fn) {
  if (ShouldFailRead()) return Injected();
  std::optional<int> budget;
  {
    absl::MutexLock lock(&mu_);
    budget = scan_fails_after_;
  }
  if (!budget) return inner_->ScanEvents(query, fn);
  // Deliver `budget` events, then fail as a backend that loses its connection
  // part way through a result would; a scan the caller stops early succeeds.
  int left = *budget;
  bool cut = false;
  CADRE_RETURN_IF_ERROR(inner_->ScanEvents(query, [&](const StoredEvent& e) {
    if (left == 0) {
      cut = true;
      return false;
    }
    --left;
    return fn(e);
  }));
  if (cut) return Injected();
  return absl::OkStatus();
}

absl::StatusOr<StoredEvent> FaultInjectingStore::FindEvent(std::string_view id) {
  if (ShouldFailRead()) return Injected();
  return inner_->FindEvent(id);
}

absl::StatusOr<uint64_t> FaultInjectingStore::HighWaterMark() {
  if (ShouldFailRead()) return Injected();
  return inner_->HighWaterMark();
}

}  // namespace cadre
