// capi/host_store.h — a cadre::Store over a host's cadre_storage vtable (private
// to src/capi and its tests).
//
// The host implements plain table operations (cadre.h, "Storage vtable"); this
// adapter implements the Store contract on top of them: versions and
// expected_version conflicts, as-of reads, tombstones, duplicate and conflict
// classification (Event::SameContent), all_or_nothing, seq assignment, scan
// filters and order. Tests build one directly:
//
//   cadre_storage storage = ...;  // the host's vtable
//   CADRE_ASSIGN_OR_RETURN(std::unique_ptr<capi::HostStore> store,
//                          capi::HostStore::Open("test", &storage));
//   store->AdoptUser();  // destroy(user) runs when the store is destroyed
//
// Thread-safety: safe for concurrent use. One mutex serialises every call into
// the vtable (reads included), so the host needs no locking of its own; a
// Commit holds it from begin to commit, so a reader sees a batch whole or not
// at all. Scan and list callbacks run after the mutex is released, on rows
// already copied out, so they may call back into the store.
#ifndef CADRE_SRC_CAPI_HOST_STORE_H_
#define CADRE_SRC_CAPI_HOST_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "cadre/cadre.h"
#include "cadre/store.h"

namespace cadre::capi {

class HostStore final : public Store {
 public:
  // Checks and copies `*storage`: NULL or a NULL required callback is MISUSE
  // (naming it), a struct_size below the first version is MISUSE, and fields of
  // a newer cadre_storage that this library does not know must be zero
  // (INVALID_ARGUMENT otherwise). `function` names the caller in messages. The
  // store does not own storage->user until AdoptUser().
  static absl::StatusOr<std::unique_ptr<HostStore>> Open(std::string_view function, const cadre_storage* storage);

  // From now on the store owns the host's user pointer: its destructor calls
  // destroy(user), when the host set destroy.
  void AdoptUser() { adopted_ = true; }

  ~HostStore() override;
  HostStore(const HostStore&) = delete;
  HostStore& operator=(const HostStore&) = delete;

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
  std::string_view backend() const override { return "host"; }

 private:
  absl::StatusOr<std::vector<DocumentVersion>> ReadVersions(std::string_view collection, std::string_view id);
  explicit HostStore(const cadre_storage& vtable) : vtable_(vtable) {}
  class Transaction;

  absl::StatusOr<CommitResult> CommitLocked(const WriteBatch& batch) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const cadre_storage vtable_;
  bool adopted_ = false;
  absl::Mutex mu_;  // held around every call into vtable_
};

}  // namespace cadre::capi

#endif  // CADRE_SRC_CAPI_HOST_STORE_H_
