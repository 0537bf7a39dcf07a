// store/memory_store.cc — the in-memory Store: tests, demos, and hosts that
// rebuild from their own data on start.
//
// Layout, chosen for ingest speed (Commit of typical events well above two
// million events per second on one core) and for scans that hand out references
// without copying:
//
// * Events live in an EventLog of fixed-size chunks that never move, so an event
//   is copied once, on append, and pointers and string views into it stay valid
//   for the store's lifetime.
// * The id index maps a view of the logged id to its seq (one probe per event
//   with lazy_emplace; nothing is serialised on the append path).
// * Per-seq side arrays (occurred_at as nanos, kind, interned manager and
//   customer) let scans filter without touching the events themselves.
// * Index lists (all events, per manager, per customer; ids interned to dense
//   uint32) are kept sorted by (occurred_at, seq). Events mostly arrive in time
//   order, so an append is a push_back; events that land out of order are sorted
//   and merged into the list once per catch-up.
// * Commit only appends to the log and the id index (all a duplicate check
//   needs); the side arrays and index lists catch up with the log at the start of
//   the next scan, in one pass over everything committed since. Ingest pays for
//   no index it does not use, and a bulk load merges late events into the lists
//   once rather than once per batch.
// * Large blocks come from a process-wide pool (BlockPool) that keeps the pages
//   of stores that were destroyed, because a fresh page costs far more to touch
//   than an event costs to copy.
//
// Concurrency: one absl::Mutex, exclusive for Commit, shared for reads. Scans
// collect a page of event pointers under the shared lock and call the callback
// with no lock held, resuming by key; every page is filtered by the high-water
// mark seen when the scan began, so a scan sees exactly the batches committed
// before it started, and a callback may call back into the store (even Commit).
#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "cadre/event.h"
#include "cadre/status.h"
#include "cadre/store.h"
#include "store/store_internal.h"

namespace cadre {
namespace {

using store_internal::TimeToNanos;

// Large blocks (>= 64 KiB), kept for reuse when a store lets them go, up to
// kMaxRetained bytes per process. Why: the first touch of a fresh page is by far
// the dearest part of appending to a new store (about 20 us a page on the
// paravirtualised VMs cadre is benchmarked on, against some 50 ns to copy an
// event), and the C library hands freed large blocks straight back to the OS, so
// every new store (every test, every benchmark iteration, every workspace a host
// opens and closes) would pay it again. Sizes are rounded up to a power of two so
// that a freed block fits the next request of its class; untouched tails of a
// block cost address space only.
class BlockPool {
 public:
  static constexpr size_t kMinPooled = size_t{64} << 10;
  static constexpr size_t kMaxRetained = size_t{256} << 20;

  static void* Allocate(size_t bytes) {
    if (bytes < kMinPooled) return ::operator new(bytes);
    const int cls = std::bit_width(bytes - 1);
    BlockPool& pool = Instance();
    {
      absl::MutexLock lock(&pool.mu_);
      std::vector<void*>& free = pool.free_[cls];
      if (!free.empty()) {
        void* p = free.back();
        free.pop_back();
        pool.retained_ -= size_t{1} << cls;
        return p;
      }
    }
    return ::operator new (size_t{1} << cls);
  }

  static void Free(void* p, size_t bytes) {
    if (p == nullptr) return;
    if (bytes < kMinPooled) {
      ::operator delete(p);
      return;
    }
    const int cls = std::bit_width(bytes - 1);
    BlockPool& pool = Instance();
    {
      absl::MutexLock lock(&pool.mu_);
      if (pool.retained_ + (size_t{1} << cls) <= kMaxRetained) {
        pool.free_[cls].push_back(p);
        pool.retained_ += size_t{1} << cls;
        return;
      }
    }
    ::operator delete(p);
  }

 private:
  static BlockPool& Instance() {
    static BlockPool* pool = new BlockPool;  // never destroyed: stores may outlive static destruction
    return *pool;
  }

  absl::Mutex mu_;
  std::vector<void*> free_[64] ABSL_GUARDED_BY(mu_);
  size_t retained_ ABSL_GUARDED_BY(mu_) = 0;
};

// A standard allocator over BlockPool, for the store's big arrays and tables.
template <class T>
struct PoolAllocator {
  using value_type = T;
  PoolAllocator() = default;
  template <class U>
  PoolAllocator(const PoolAllocator<U>&) {}  // NOLINT: implicit, as allocators are
  T* allocate(size_t n) { return static_cast<T*>(BlockPool::Allocate(n * sizeof(T))); }
  void deallocate(T* p, size_t n) { BlockPool::Free(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const PoolAllocator<U>&) const {
    return true;
  }
};

template <class T>
using PoolVector = std::vector<T, PoolAllocator<T>>;
template <class K, class V, class Hash = absl::Hash<K>, class Eq = std::equal_to<K>>
using PoolMap = absl::flat_hash_map<K, V, Hash, Eq, PoolAllocator<std::pair<const K, V>>>;

// Events in chunks that never move: element i is seq i + 1.
class EventLog {
 public:
  EventLog() = default;
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;
  ~EventLog() {
    while (size_ > 0) PopBack();
    for (StoredEvent* chunk : chunks_) BlockPool::Free(chunk, kChunkBytes);
  }

  size_t size() const { return size_; }

  const StoredEvent& at(size_t i) const { return chunks_[i / kChunk][i % kChunk]; }

  // Copies `event` in as seq `size() + 1`.
  const StoredEvent& Append(const Event& event) {
    if (size_ == chunks_.size() * kChunk) {
      chunks_.push_back(static_cast<StoredEvent*>(BlockPool::Allocate(kChunkBytes)));
    }
    StoredEvent* slot = &chunks_[size_ / kChunk][size_ % kChunk];
    new (slot) StoredEvent{size_ + 1, event};
    ++size_;
    return *slot;
  }

  void PopBack() {
    --size_;
    chunks_[size_ / kChunk][size_ % kChunk].~StoredEvent();
  }

 private:
  static constexpr size_t kChunkBytes = size_t{2} << 20;
  static constexpr size_t kChunk = kChunkBytes / sizeof(StoredEvent);
  std::vector<StoredEvent*> chunks_;  // kept allocated once used
  size_t size_ = 0;
};

// Bump allocation for the many small index lists (one per customer, most of them
// a handful of seqs long), so that growing one costs no malloc: blocks come from
// BlockPool and go back when the store is destroyed; a buffer a list outgrows is
// simply abandoned (geometric growth bounds the waste by the lists' own size).
class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  ~Arena() {
    for (void* b : blocks_) BlockPool::Free(b, kBlock);
  }

  void* Allocate(size_t bytes) {
    bytes = (bytes + 15) & ~size_t{15};
    if (bytes > left_) {
      blocks_.push_back(BlockPool::Allocate(kBlock));
      next_ = static_cast<char*>(blocks_.back());
      left_ = kBlock;
    }
    void* p = next_;
    next_ += bytes;
    left_ -= bytes;
    return p;
  }

 private:
  static constexpr size_t kBlock = size_t{1} << 20;
  std::vector<void*> blocks_;
  char* next_ = nullptr;
  size_t left_ = 0;
};

// Small buffers (< kLarge bytes) from an Arena, larger ones from BlockPool.
template <class T>
struct ListAllocator {
  static constexpr size_t kLarge = 4096;
  using value_type = T;
  explicit ListAllocator(Arena* a) : arena(a) {}
  template <class U>
  ListAllocator(const ListAllocator<U>& other) : arena(other.arena) {}  // NOLINT: implicit, as allocators are
  T* allocate(size_t n) {
    const size_t bytes = n * sizeof(T);
    return static_cast<T*>(bytes < kLarge ? arena->Allocate(bytes) : BlockPool::Allocate(bytes));
  }
  void deallocate(T* p, size_t n) {
    if (n * sizeof(T) >= kLarge) BlockPool::Free(p, n * sizeof(T));
  }
  template <class U>
  bool operator==(const ListAllocator<U>& other) const {
    return arena == other.arena;
  }
  Arena* arena;
};

// Seqs of some events: seqs[0, sorted) in (occurred_at, seq) order, then the
// events appended since one arrived out of time order, in seq order. Only a
// by-time scan of the list needs them merged (see Merge); appending out of order
// therefore costs nothing until then, which keeps a late event in a big list
// from moving the whole list on every commit.
struct IndexList {
  explicit IndexList(Arena* arena) : seqs(ListAllocator<uint32_t>(arena)) {}
  bool pending() const { return sorted < seqs.size(); }

  std::vector<uint32_t, ListAllocator<uint32_t>> seqs;
  size_t sorted = 0;
  int64_t last_time = 0;  // occurred_at of seqs[sorted - 1], kept here to spare a cache miss per append
  // True while the time order is also the seq order (no event ever landed before
  // one logged earlier). Pending entries come after the sorted part in seq order,
  // so then the whole list is in seq order and a by-seq scan can binary-search it.
  bool seq_ordered = true;
  bool queued = false;  // in MemoryStore::to_merge_
};

// Grows `v` to hold `n` more, in powers of two (see BlockPool).
template <class V>
void Reserve(V& v, size_t n) {
  size_t need = v.size() + n;
  if (need > v.capacity()) v.reserve(std::bit_ceil(need));
}

const DocumentVersion* InForce(const std::vector<DocumentVersion>& versions, std::optional<absl::Time> as_of) {
  if (versions.empty()) return nullptr;
  if (!as_of) return &versions.back();
  const DocumentVersion* best = nullptr;
  for (const DocumentVersion& v : versions) {  // oldest first, so >= lets ties go to the higher version
    if (v.effective_from <= *as_of && (best == nullptr || v.effective_from >= best->effective_from)) best = &v;
  }
  return best;
}

absl::Status DocumentNotFound(std::string_view collection, std::string_view id, std::optional<absl::Time> as_of,
                              bool deleted) {
  std::string when =
      as_of ? absl::StrCat(" at ", absl::FormatTime(absl::RFC3339_full, *as_of, absl::UTCTimeZone())) : std::string();
  return absl::NotFoundError(
      absl::StrCat("document ", AbslView(collection), "/", AbslView(id), deleted ? " is deleted" : " not found", when));
}

class MemoryStore final : public Store {
 public:
  MemoryStore() : by_time_(&arena_) {
    by_manager_.emplace_back(&arena_);  // index 0: no manager
    by_customer_.emplace_back(&arena_);
    time_.push_back(0);  // seq 0 does not exist
    kind_.push_back(0);
    manager_.push_back(0);
    customer_.push_back(0);
  }

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
  std::string_view backend() const override { return "memory"; }

 private:
  using Versions = std::vector<DocumentVersion>;
  using Collection = std::map<std::string, Versions, std::less<>>;
  struct ScanState;

  int64_t NewestVersion(std::string_view collection, std::string_view id) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  template <class IdMap, class Lists>
  uint32_t Intern(IdMap& ids, Lists& lists, const std::optional<std::string>& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void AddToIndex(IndexList& list, uint32_t seq) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Index(uint32_t seq) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Brings the side arrays and index lists up to the end of the log.
  void CatchUp() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Sorts the list's pending entries into its sorted part.
  void Merge(IndexList& list) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The list a scan reads (nullptr: the log itself); false if the query names a
  // manager or customer the store has never seen, so that nothing can match.
  bool PlanScan(ScanState& state) ABSL_SHARED_LOCKS_REQUIRED(mu_);
  IndexList* ScanList(const ScanState& state) ABSL_SHARED_LOCKS_REQUIRED(mu_);
  bool Less(uint32_t a, uint32_t b) const ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return time_[a] < time_[b] || (time_[a] == time_[b] && a < b);
  }
  // Fills state.page; returns true when nothing more can match.
  bool CollectPage(ScanState& state) ABSL_SHARED_LOCKS_REQUIRED(mu_);

  // Interned manager or customer ids. Keys are copies, not views into the log:
  // short ids sit inside the slot (SSO), which spares a cache miss per lookup.
  using Ids = PoolMap<std::string, uint32_t, absl::container_internal::hash_default_hash<std::string>,
                      absl::container_internal::hash_default_eq<std::string>>;

  mutable absl::Mutex mu_;
  EventLog log_ ABSL_GUARDED_BY(mu_);
  Arena arena_ ABSL_GUARDED_BY(mu_);                                 // before the lists that allocate from it
  PoolMap<absl::string_view, uint32_t> by_id_ ABSL_GUARDED_BY(mu_);  // views into log_
  // Side arrays indexed by seq (slot 0 unused).
  PoolVector<int64_t> time_ ABSL_GUARDED_BY(mu_);
  PoolVector<uint8_t> kind_ ABSL_GUARDED_BY(mu_);
  PoolVector<uint32_t> manager_ ABSL_GUARDED_BY(mu_);   // interned; 0: none
  PoolVector<uint32_t> customer_ ABSL_GUARDED_BY(mu_);  // interned; 0: none
  IndexList by_time_ ABSL_GUARDED_BY(mu_);
  Ids manager_ids_ ABSL_GUARDED_BY(mu_);
  Ids customer_ids_ ABSL_GUARDED_BY(mu_);
  PoolVector<IndexList> by_manager_ ABSL_GUARDED_BY(mu_);
  PoolVector<IndexList> by_customer_ ABSL_GUARDED_BY(mu_);
  size_t indexed_ ABSL_GUARDED_BY(mu_) = 0;                // events covered by the side arrays and index lists
  std::vector<IndexList*> to_merge_ ABSL_GUARDED_BY(mu_);  // lists whose pending part grew large

  absl::flat_hash_map<std::string, Collection> documents_ ABSL_GUARDED_BY(mu_);
};

int64_t MemoryStore::NewestVersion(std::string_view collection, std::string_view id) const {
  auto c = documents_.find(AbslView(collection));
  if (c == documents_.end()) return 0;
  auto d = c->second.find(id);
  if (d == c->second.end() || d->second.empty()) return 0;
  return d->second.back().version;
}

template <class IdMap, class Lists>
uint32_t MemoryStore::Intern(IdMap& ids, Lists& lists, const std::optional<std::string>& key) {
  if (!key) return 0;
  auto [it, inserted] = ids.try_emplace(*key, static_cast<uint32_t>(lists.size()));
  if (inserted) lists.emplace_back(&arena_);
  return it->second;
}

void MemoryStore::AddToIndex(IndexList& list, uint32_t seq) {
  const int64_t t = time_[seq];
  const bool in_order = !list.pending() && (list.seqs.empty() || t >= list.last_time);
  list.seqs.push_back(seq);
  if (in_order) {
    list.sorted = list.seqs.size();
    list.last_time = t;
    return;
  }
  // Merged eagerly once the pending part is a sixteenth of the sorted one, so that
  // a list's by-time scan never sorts much, at an amortised cost of O(16) moves
  // per entry. Safe to remember: lists do not move while appends are under way.
  constexpr size_t kMinPending = 4096;
  const size_t pending = list.seqs.size() - list.sorted;
  if (!list.queued && pending >= kMinPending && pending >= list.sorted / 16) {
    list.queued = true;
    to_merge_.push_back(&list);
  }
}

void MemoryStore::Merge(IndexList& list) {
  list.queued = false;
  if (!list.pending()) return;
  auto less = [this](uint32_t a, uint32_t b) ABSL_NO_THREAD_SAFETY_ANALYSIS { return Less(a, b); };
  auto mid = list.seqs.begin() + static_cast<std::ptrdiff_t>(list.sorted);
  if (!std::is_sorted(mid, list.seqs.end(), less)) std::sort(mid, list.seqs.end(), less);
  // Entries before the place of the earliest pending one stay where they are: a
  // late event of last week moves only last week's entries.
  auto first = std::upper_bound(list.seqs.begin(), mid, *mid, less);
  if (first != mid) {
    std::inplace_merge(first, mid, list.seqs.end(), less);
    list.seq_ordered = false;
  }
  list.sorted = list.seqs.size();
  list.last_time = time_[list.seqs.back()];
}

void MemoryStore::CatchUp() {
  const size_t end = log_.size();
  if (indexed_ == end) return;
  const size_t added = end - indexed_;
  Reserve(time_, added);
  Reserve(kind_, added);
  Reserve(manager_, added);
  Reserve(customer_, added);
  Reserve(by_time_.seqs, added);
  constexpr size_t kAhead = 8;  // prefetch distance: hide the cache misses of random lists
  for (size_t i = indexed_; i < end; ++i) {
    if (i + kAhead < end) {
      const Event& ahead = log_.at(i + kAhead).event;
      if (ahead.manager) manager_ids_.prefetch(*ahead.manager);
      if (ahead.customer) customer_ids_.prefetch(*ahead.customer);
    }
    Index(static_cast<uint32_t>(i + 1));
  }
  // Interning is done, so the lists no longer move: now append to them.
  for (size_t i = indexed_; i < end; ++i) {
    const auto seq = static_cast<uint32_t>(i + 1);
    if (i + kAhead < end) {
      const IndexList& ahead = by_customer_[customer_[seq + kAhead]];
      __builtin_prefetch(&ahead);
      if (!ahead.seqs.empty()) __builtin_prefetch(&ahead.seqs.back(), 1);
    }
    AddToIndex(by_time_, seq);
    if (manager_[seq] != 0) AddToIndex(by_manager_[manager_[seq]], seq);
    if (customer_[seq] != 0) AddToIndex(by_customer_[customer_[seq]], seq);
  }
  for (IndexList* list : to_merge_) Merge(*list);
  to_merge_.clear();
  indexed_ = end;
}

void MemoryStore::Index(uint32_t seq) {
  const Event& e = log_.at(seq - 1).event;
  time_.push_back(TimeToNanos(e.occurred_at));
  kind_.push_back(static_cast<uint8_t>(e.kind));
  uint32_t m = Intern(manager_ids_, by_manager_, e.manager);
  uint32_t c = Intern(customer_ids_, by_customer_, e.customer);
  manager_.push_back(m);
  customer_.push_back(c);
}

absl::StatusOr<CommitResult> MemoryStore::Commit(const WriteBatch& batch) {
  CADRE_RETURN_IF_ERROR(store_internal::ValidateWriteBatch(batch));
  absl::MutexLock lock(&mu_);

  CommitResult result;
  const size_t base = log_.size();
  if (base + batch.events.size() > std::numeric_limits<uint32_t>::max()) {
    return absl::ResourceExhaustedError(absl::StrCat("memory store: the log holds ", base, " events; ",
                                                     batch.events.size(), " more would exceed 2^32"));
  }

  // Documents first: a stale expected_version refuses the batch before anything
  // is touched. Writes to one document in one batch apply in order.
  result.document_versions.resize(batch.documents.size());
  absl::flat_hash_map<std::pair<absl::string_view, absl::string_view>, int64_t> staged;
  for (size_t i = 0; i < batch.documents.size(); ++i) {
    const DocumentWrite& d = batch.documents[i];
    std::pair<absl::string_view, absl::string_view> key(d.collection, d.id);
    auto it = staged.find(key);
    int64_t current = it != staged.end() ? it->second : NewestVersion(d.collection, d.id);
    if (d.expected_version && *d.expected_version != current) {
      return store_internal::StaleVersion(d.collection, d.id, *d.expected_version, current);
    }
    staged[key] = current + 1;
    result.document_versions[i] = current + 1;
  }

  // Events: append each new id to the log and the id index in one probe; a known
  // id (logged earlier or earlier in this batch) is a duplicate or a conflict.
  const size_t n = batch.events.size();
  result.events.resize(n);
  result.seqs.resize(n);
  by_id_.reserve(by_id_.size() + n);
  bool conflict = false;
  constexpr size_t kAhead = 8;  // prefetch distance: hide the id index's cache misses
  for (size_t i = 0; i < std::min(n, kAhead); ++i) by_id_.prefetch(AbslView(batch.events[i].id));
  for (size_t i = 0; i < n; ++i) {
    if (i + kAhead < n) by_id_.prefetch(AbslView(batch.events[i + kAhead].id));
    const Event& e = batch.events[i];
    bool appended = false;
    auto it = by_id_.lazy_emplace(AbslView(e.id), [&](const auto& construct) {
      const StoredEvent& stored = log_.Append(e);
      construct(absl::string_view(stored.event.id), static_cast<uint32_t>(stored.seq));
      appended = true;
    });
    result.seqs[i] = it->second;
    if (appended) {
      result.events[i] = AppendOutcome::kAppended;
    } else if (log_.at(it->second - 1).event.SameContent(e)) {
      result.events[i] = AppendOutcome::kDuplicate;
    } else {
      result.events[i] = AppendOutcome::kConflict;
      conflict = true;
    }
  }

  if (conflict && batch.all_or_nothing) {
    while (log_.size() > base) {
      by_id_.erase(absl::string_view(log_.at(log_.size() - 1).event.id));
      log_.PopBack();
    }
    for (uint64_t& seq : result.seqs) {
      if (seq > base) seq = store_internal::kNotWritten;
    }
    std::fill(result.document_versions.begin(), result.document_versions.end(), 0);
    result.committed = false;
    return result;
  }

  // The batch stands (its events are indexed for scans by the next scan, see
  // CatchUp); write its documents.
  for (size_t i = 0; i < batch.documents.size(); ++i) {
    const DocumentWrite& d = batch.documents[i];
    Versions& versions = documents_[d.collection][d.id];
    DocumentVersion& v = versions.emplace_back();
    v.collection = d.collection;
    v.id = d.id;
    v.version = result.document_versions[i];
    v.effective_from = d.effective_from;
    v.recorded_at = d.recorded_at;
    v.deleted = d.deleted;
    if (!d.deleted) v.body = d.body;
  }
  result.committed = true;
  return result;
}

absl::StatusOr<DocumentVersion> MemoryStore::GetDocument(std::string_view collection, std::string_view id,
                                                         std::optional<absl::Time> as_of) {
  absl::ReaderMutexLock lock(&mu_);
  auto c = documents_.find(AbslView(collection));
  if (c != documents_.end()) {
    auto d = c->second.find(id);
    if (d != c->second.end()) {
      const DocumentVersion* v = InForce(d->second, as_of);
      if (v != nullptr && !v->deleted) return *v;
      return DocumentNotFound(collection, id, as_of, v != nullptr);
    }
  }
  return DocumentNotFound(collection, id, as_of, false);
}

absl::Status MemoryStore::ListDocuments(std::string_view collection, std::optional<absl::Time> as_of,
                                        absl::FunctionRef<void(const DocumentVersion&)> fn) {
  std::vector<DocumentVersion> found;  // copied out so that `fn` runs unlocked
  {
    absl::ReaderMutexLock lock(&mu_);
    auto c = documents_.find(AbslView(collection));
    if (c == documents_.end()) return absl::OkStatus();
    for (const auto& [id, versions] : c->second) {
      const DocumentVersion* v = InForce(versions, as_of);
      if (v != nullptr && !v->deleted) found.push_back(*v);
    }
  }
  for (const DocumentVersion& v : found) fn(v);
  return absl::OkStatus();
}

absl::Status MemoryStore::DocumentHistory(std::string_view collection, std::string_view id,
                                          absl::FunctionRef<void(const DocumentVersion&)> fn) {
  std::vector<DocumentVersion> found;
  {
    absl::ReaderMutexLock lock(&mu_);
    auto c = documents_.find(AbslView(collection));
    if (c == documents_.end()) return absl::OkStatus();
    auto d = c->second.find(id);
    if (d == c->second.end()) return absl::OkStatus();
    found = d->second;
  }
  for (const DocumentVersion& v : found) fn(v);
  return absl::OkStatus();
}

absl::StatusOr<StoredEvent> MemoryStore::FindEvent(std::string_view id) {
  absl::ReaderMutexLock lock(&mu_);
  auto it = by_id_.find(AbslView(id));
  if (it == by_id_.end()) return absl::NotFoundError(absl::StrCat("event ", AbslView(id), " not found"));
  return log_.at(it->second - 1);
}

absl::StatusOr<uint64_t> MemoryStore::HighWaterMark() {
  absl::ReaderMutexLock lock(&mu_);
  return log_.size();
}

// ---- ScanEvents ---------------------------------------------------------------

struct MemoryStore::ScanState {
  static constexpr size_t kPage = 1024;          // events handed out per lock
  static constexpr size_t kMaxExamined = 65536;  // entries looked at per lock

  const EventQuery* query = nullptr;
  uint32_t kind_mask = 0;
  int64_t from = store_internal::kPastNanos;
  int64_t until = store_internal::kFutureNanos;
  uint64_t remaining = std::numeric_limits<uint64_t>::max();

  uint64_t snapshot = 0;  // the high-water mark when the scan began
  uint32_t manager = 0;   // interned filters (0: no filter)
  uint32_t customer = 0;
  enum class Source { kLog, kTime, kManager, kCustomer } source = Source::kLog;

  // Resume point: the last entry examined.
  bool has_cursor = false;
  int64_t cursor_time = 0;
  uint64_t cursor_seq = 0;

  // By-seq scans of a list that is not in seq order: materialised once.
  bool materialised = false;
  std::vector<const StoredEvent*> rest;
  size_t rest_pos = 0;

  std::vector<const StoredEvent*> page;
};

bool MemoryStore::PlanScan(ScanState& s) {
  const EventQuery& q = *s.query;
  s.snapshot = indexed_;  // ScanEvents caught up before: every batch committed before the scan
  s.manager = 0;
  s.customer = 0;
  if (q.manager) {
    auto it = manager_ids_.find(AbslView(*q.manager));
    if (it == manager_ids_.end()) return false;
    s.manager = it->second;
  }
  if (q.customer) {
    auto it = customer_ids_.find(AbslView(*q.customer));
    if (it == customer_ids_.end()) return false;
    s.customer = it->second;
  }
  if (s.manager != 0 &&
      (s.customer == 0 || by_manager_[s.manager].seqs.size() <= by_customer_[s.customer].seqs.size())) {
    s.source = ScanState::Source::kManager;
  } else if (s.customer != 0) {
    s.source = ScanState::Source::kCustomer;
  } else {
    s.source = q.order == ScanOrder::kByTime ? ScanState::Source::kTime : ScanState::Source::kLog;
  }
  return true;
}

IndexList* MemoryStore::ScanList(const ScanState& s) {
  switch (s.source) {
    case ScanState::Source::kLog:
      return nullptr;
    case ScanState::Source::kTime:
      return &by_time_;
    case ScanState::Source::kManager:
      return &by_manager_[s.manager];
    case ScanState::Source::kCustomer:
      return &by_customer_[s.customer];
  }
  return nullptr;
}

bool MemoryStore::CollectPage(ScanState& s) {
  const EventQuery& q = *s.query;
  const size_t want = static_cast<size_t>(std::min<uint64_t>(s.remaining, ScanState::kPage));

  auto matches = [&](uint64_t seq) ABSL_NO_THREAD_SAFETY_ANALYSIS {
    return seq <= s.snapshot && seq > q.after_seq && ((s.kind_mask >> kind_[seq]) & 1u) != 0 && time_[seq] >= s.from &&
           time_[seq] < s.until && (s.manager == 0 || manager_[seq] == s.manager) &&
           (s.customer == 0 || customer_[seq] == s.customer);
  };

  if (s.materialised) {
    while (s.page.size() < want && s.rest_pos < s.rest.size()) s.page.push_back(s.rest[s.rest_pos++]);
    return s.rest_pos == s.rest.size();
  }

  if (s.source == ScanState::Source::kLog) {
    uint64_t seq = s.has_cursor ? s.cursor_seq : q.after_seq;
    size_t examined = 0;
    while (seq < s.snapshot) {
      ++seq;
      if (matches(seq)) s.page.push_back(&log_.at(seq - 1));
      if (s.page.size() == want || ++examined == ScanState::kMaxExamined) {
        s.has_cursor = true;
        s.cursor_seq = seq;
        return seq >= s.snapshot;
      }
    }
    return true;
  }

  const IndexList& list = *ScanList(s);
  const auto& seqs = list.seqs;
  // A by-time scan reads the sorted part only: the list was merged when the scan
  // began (ScanEvents), so entries pending since are of later commits.
  const size_t end = q.order == ScanOrder::kByTime ? list.sorted : seqs.size();
  size_t pos = 0;
  if (q.order == ScanOrder::kByTime) {
    if (s.has_cursor) {
      pos = std::upper_bound(seqs.begin(), seqs.begin() + static_cast<std::ptrdiff_t>(end), 0,
                             [&](int, uint32_t e) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                               return s.cursor_time < time_[e] || (s.cursor_time == time_[e] && s.cursor_seq < e);
                             }) -
            seqs.begin();
    } else {
      pos = std::lower_bound(seqs.begin(), seqs.begin() + static_cast<std::ptrdiff_t>(end), 0,
                             [&](uint32_t e, int) ABSL_NO_THREAD_SAFETY_ANALYSIS { return time_[e] < s.from; }) -
            seqs.begin();
    }
  } else if (list.seq_ordered) {
    uint64_t after = s.has_cursor ? s.cursor_seq : q.after_seq;
    pos = std::upper_bound(seqs.begin(), seqs.end(), after) - seqs.begin();
  } else {
    // By seq over a list in time order only: take every match now, in seq order.
    uint64_t after = s.has_cursor ? s.cursor_seq : q.after_seq;
    std::vector<uint32_t> found;
    for (uint32_t seq : seqs) {
      if (seq > after && matches(seq)) found.push_back(seq);
    }
    std::sort(found.begin(), found.end());
    s.rest.reserve(found.size());
    for (uint32_t seq : found) s.rest.push_back(&log_.at(seq - 1));
    s.materialised = true;
    return CollectPage(s);
  }

  size_t examined = 0;
  for (; pos < end; ++pos) {
    const uint32_t seq = seqs[pos];
    if (q.order == ScanOrder::kByTime && time_[seq] >= s.until) return true;
    if (matches(seq)) s.page.push_back(&log_.at(seq - 1));
    if (s.page.size() == want || ++examined == ScanState::kMaxExamined) {
      s.has_cursor = true;
      s.cursor_time = time_[seq];
      s.cursor_seq = seq;
      return pos + 1 == end;
    }
  }
  return true;
}

absl::Status MemoryStore::ScanEvents(const EventQuery& query, absl::FunctionRef<bool(const StoredEvent&)> fn) {
  ScanState s;
  s.query = &query;
  for (EventKind k : query.kinds) {
    if (static_cast<unsigned>(k) < 32) s.kind_mask |= 1u << static_cast<unsigned>(k);
  }
  if (query.kinds.empty()) s.kind_mask = ~0u;
  if (query.from) s.from = store_internal::BoundToNanos(*query.from);
  if (query.until) s.until = store_internal::BoundToNanos(*query.until);
  if (query.limit) s.remaining = *query.limit;
  if (s.remaining == 0 || s.from >= s.until) return absl::OkStatus();
  s.page.reserve(ScanState::kPage);

  // Index what was committed since the last scan, and merge the list this scan
  // reads if it reads it in time order; both need the writer lock.
  bool ready;
  {
    absl::ReaderMutexLock lock(&mu_);
    ready = indexed_ == log_.size();
    if (ready) {
      if (!PlanScan(s)) return absl::OkStatus();
      const IndexList* list = ScanList(s);
      ready = query.order != ScanOrder::kByTime || list == nullptr || !list->pending();
    }
  }
  if (!ready) {
    absl::MutexLock lock(&mu_);
    CatchUp();
    if (!PlanScan(s)) return absl::OkStatus();
    IndexList* list = ScanList(s);
    if (query.order == ScanOrder::kByTime && list != nullptr) Merge(*list);
  }
  while (true) {
    s.page.clear();
    bool done;
    {
      absl::ReaderMutexLock lock(&mu_);
      done = CollectPage(s);
    }
    for (const StoredEvent* e : s.page) {
      if (!fn(*e) || --s.remaining == 0) return absl::OkStatus();
    }
    if (done) return absl::OkStatus();
  }
}

}  // namespace

std::unique_ptr<Store> NewMemoryStore() { return std::make_unique<MemoryStore>(); }

}  // namespace cadre
