// host_store_test.cc — the Store over a host's cadre_storage vtable
// (src/capi/host_store.h), held to the shared conformance suite and tested on
// what only it has: rows from the host, hints, callback failures.
//
// Backends of the suite:
// * c_sqlite_hints / c_sqlite_no_hints: the C99 host of sqlite_storage.c, whose
//   scans apply every filter hint in SQL, or none. Persistent: a reopened file
//   keeps everything.
// * lazy_host: a C++ host that ignores every argument of every read (it emits
//   all its rows, newest first), so all picking, filtering and ordering is the
//   adapter's. In memory: not in the persistence suite.
#include <algorithm>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cadre/cadre.h"
#include "cadre/json.h"
#include "cadre/store.h"
#include "capi/capi_internal.h"
#include "capi/host_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sqlite_storage.h"
#include "testing/store_conformance.h"

namespace cadre {
namespace {

using testing::At;
using ::testing::ElementsAre;
using testing::Events;
using ::testing::HasSubstr;
using testing::Put;
using testing::Sale;
using testing::StoreBackend;
using testing::StorePersistenceTest;

// Takes over a vtable the way cadre_workspace_open_with_storage does.
absl::StatusOr<std::unique_ptr<Store>> Adopt(const cadre_storage& storage) {
  absl::StatusOr<std::unique_ptr<capi::HostStore>> store = capi::HostStore::Open("test", &storage);
  if (!store.ok()) return store.status();
  (*store)->AdoptUser();
  return std::unique_ptr<Store>(*std::move(store));
}

absl::StatusOr<std::unique_ptr<Store>> OpenSqliteHost(const std::string& dir, int use_hints) {
  cadre_storage storage;
  if (sqlite_storage_open(&storage, (dir + "/host.db").c_str(), use_hints) != 0) {
    return absl::UnavailableError("sqlite_storage_open failed");
  }
  absl::StatusOr<std::unique_ptr<Store>> store = Adopt(storage);
  if (!store.ok()) sqlite_storage_free(storage.user);
  return store;
}

// ---- A host that leaves everything to the adapter -----------------------------------

class LazyHost {
 public:
  struct DocumentRow {
    std::string collection, id;
    int64_t version = 0, effective_from_ns = 0, recorded_at_ns = 0;
    int32_t deleted = 0;
    std::string body;
  };
  struct EventRow {
    uint64_t seq = 0;
    std::string id, json;
  };

  std::vector<DocumentRow> documents;
  std::vector<EventRow> events;
  int rollbacks = 0;
  bool fail_commit = false;
  bool throw_in_find = false;
  bool emit_events_twice = false;
  std::string corrupt_json;  // non-empty: every emitted event carries this JSON
  bool saw_in_callback = false;
  std::optional<cadre_storage_event_filter> last_filter;
  std::vector<std::string> last_kinds;

  cadre_storage Vtable() {
    cadre_storage v = CADRE_STORAGE_INIT;
    v.user = this;
    v.begin = &Begin;
    v.commit = &Commit;
    v.rollback = &Rollback;
    v.insert_document = &InsertDocument;
    v.read_document = &ReadDocument;
    v.read_collection = &ReadCollection;
    v.insert_event = &InsertEvent;
    v.find_event = &FindEvent;
    v.scan_events = &ScanEvents;
    v.high_water_mark = &HighWaterMark;
    v.destroy = &Destroy;
    return v;
  }

 private:
  static LazyHost& Of(void* user) { return *static_cast<LazyHost*>(user); }

  static int Begin(void* user) {
    LazyHost& h = Of(user);
    h.saw_in_callback = capi::InStorageCallback();
    h.saved_ = std::make_pair(h.documents, h.events);
    return 0;
  }
  static int Commit(void* user) {
    LazyHost& h = Of(user);
    if (h.fail_commit) {
      cadre_storage_set_error("lazy host: commit refused");
      return 7;
    }
    h.saved_.reset();
    return 0;
  }
  static int Rollback(void* user) {
    LazyHost& h = Of(user);
    ++h.rollbacks;
    if (h.saved_) std::tie(h.documents, h.events) = *std::move(h.saved_);
    h.saved_.reset();
    return 0;
  }
  static int InsertDocument(void* user, const cadre_storage_document* row) {
    Of(user).documents.push_back(DocumentRow{row->collection, row->id, row->version, row->effective_from_ns,
                                             row->recorded_at_ns, row->deleted, row->body});
    return 0;
  }
  static int EmitAllDocuments(LazyHost& h, cadre_storage_document_fn emit, void* payload) {
    for (auto it = h.documents.rbegin(); it != h.documents.rend(); ++it) {
      cadre_storage_document row = CADRE_STORAGE_DOCUMENT_INIT;
      row.collection = it->collection.c_str();
      row.id = it->id.c_str();
      row.version = it->version;
      row.effective_from_ns = it->effective_from_ns;
      row.recorded_at_ns = it->recorded_at_ns;
      row.deleted = it->deleted;
      row.body = it->deleted ? nullptr : it->body.c_str();
      if (emit(&row, payload) != 0) break;
    }
    return 0;
  }
  static int ReadDocument(void* user, const char*, const char*, cadre_storage_document_fn emit, void* payload) {
    return EmitAllDocuments(Of(user), emit, payload);
  }
  static int ReadCollection(void* user, const char*, cadre_storage_document_fn emit, void* payload) {
    return EmitAllDocuments(Of(user), emit, payload);
  }
  static int InsertEvent(void* user, const cadre_storage_event* row) {
    Of(user).events.push_back(EventRow{row->seq, row->id, row->json});
    return 0;
  }
  static int EmitAllEvents(LazyHost& h, cadre_storage_event_fn emit, void* payload) {
    for (auto it = h.events.rbegin(); it != h.events.rend(); ++it) {
      cadre_storage_event row = CADRE_STORAGE_EVENT_INIT;
      row.seq = it->seq;
      row.json = h.corrupt_json.empty() ? it->json.c_str() : h.corrupt_json.c_str();
      if (emit(&row, payload) != 0) break;
      if (h.emit_events_twice && emit(&row, payload) != 0) break;
    }
    return 0;
  }
  static int FindEvent(void* user, const char*, cadre_storage_event_fn emit, void* payload) {
    if (Of(user).throw_in_find) throw std::runtime_error("lazy host threw");
    return EmitAllEvents(Of(user), emit, payload);
  }
  static int ScanEvents(void* user, const cadre_storage_event_filter* filter, cadre_storage_event_fn emit,
                        void* payload) {
    LazyHost& h = Of(user);
    h.last_filter = *filter;
    h.last_kinds.assign(filter->kinds, filter->kinds + filter->n_kinds);
    h.last_filter->kinds = nullptr;  // not ours to keep
    return EmitAllEvents(h, emit, payload);
  }
  static int HighWaterMark(uint64_t* out_seq, void* user) {
    *out_seq = 0;
    for (const EventRow& e : Of(user).events) *out_seq = std::max(*out_seq, e.seq);
    return 0;
  }
  static void Destroy(void* user) { delete static_cast<LazyHost*>(user); }

  std::optional<std::pair<std::vector<DocumentRow>, std::vector<EventRow>>> saved_;
};

absl::StatusOr<std::unique_ptr<Store>> OpenLazyHost(const std::string&) {
  auto* host = new LazyHost;
  return Adopt(host->Vtable());
}

absl::StatusOr<std::unique_ptr<Store>> OpenSqliteHints(const std::string& dir) { return OpenSqliteHost(dir, 1); }
absl::StatusOr<std::unique_ptr<Store>> OpenSqliteNoHints(const std::string& dir) { return OpenSqliteHost(dir, 0); }

INSTANTIATE_TEST_SUITE_P(HostCallbacks, StoreConformanceTest,
                         ::testing::Values(StoreBackend{"c_sqlite_hints", &OpenSqliteHints, true},
                                           StoreBackend{"c_sqlite_no_hints", &OpenSqliteNoHints, true},
                                           StoreBackend{"lazy_host", &OpenLazyHost, false}),
                         testing::StoreBackendName);
INSTANTIATE_TEST_SUITE_P(HostCallbacks, StorePersistenceTest,
                         ::testing::Values(StoreBackend{"c_sqlite_hints", &OpenSqliteHints, true},
                                           StoreBackend{"c_sqlite_no_hints", &OpenSqliteNoHints, true}),
                         testing::StoreBackendName);

// ---- What only the vtable adapter has ---------------------------------------------

class HostStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    host_ = new LazyHost;
    absl::StatusOr<std::unique_ptr<Store>> store = Adopt(host_->Vtable());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  LazyHost* host_ = nullptr;  // owned by store_
  std::unique_ptr<Store> store_;
};

TEST_F(HostStoreTest, OpenRefusesAMissingCallbackOrABadSize) {
  LazyHost host;
  cadre_storage v = host.Vtable();
  v.destroy = nullptr;  // optional
  EXPECT_TRUE(capi::HostStore::Open("t", &v).ok());
  v.scan_events = nullptr;
  absl::StatusOr<std::unique_ptr<capi::HostStore>> opened = capi::HostStore::Open("t", &v);
  EXPECT_EQ(capi::CodeOf(opened.status()), CADRE_ERROR_MISUSE);
  EXPECT_THAT(opened.status().message(), HasSubstr("storage->scan_events is NULL"));
  EXPECT_EQ(capi::CodeOf(capi::HostStore::Open("t", nullptr).status()), CADRE_ERROR_MISUSE);
  v = host.Vtable();
  v.struct_size = 8;
  EXPECT_EQ(capi::CodeOf(capi::HostStore::Open("t", &v).status()), CADRE_ERROR_MISUSE);
}

TEST_F(HostStoreTest, CallbacksRunMarkedAsInsideAStorageCallback) {
  EXPECT_FALSE(capi::InStorageCallback());
  ASSERT_TRUE(store_->Commit(Events({Sale("S-1", At(0))})).ok());
  EXPECT_TRUE(host_->saw_in_callback);
  EXPECT_FALSE(capi::InStorageCallback());
}

TEST_F(HostStoreTest, ScanPassesTheQueryAsHints) {
  ASSERT_TRUE(store_->Commit(Events({Sale("S-1", At(0)), Sale("S-2", At(5))})).ok());
  EventQuery q{.from = At(0) + absl::Nanoseconds(1) / 4,   // below a nanosecond: floored
               .until = At(5) + absl::Nanoseconds(1) / 4,  // ... and ceiled, so that S-2 still matches
               .kinds = {EventKind::kSale, EventKind::kReturn, EventKind::kSale},
               .manager = "M-1",
               .after_seq = 0};
  EXPECT_THAT(testing::ScanSeqs(*store_, q), ElementsAre(2));
  ASSERT_TRUE(host_->last_filter.has_value());
  const cadre_storage_event_filter& f = *host_->last_filter;
  EXPECT_EQ(f.struct_size, sizeof(cadre_storage_event_filter));
  EXPECT_EQ(f.from_ns, absl::ToUnixNanos(At(0)));
  EXPECT_EQ(f.until_ns, absl::ToUnixNanos(At(5)) + 1);
  EXPECT_THAT(host_->last_kinds, ElementsAre("sale", "return"));
  EXPECT_EQ(f.customer, nullptr);

  testing::ScanSeqs(*store_, {});
  EXPECT_EQ(host_->last_filter->from_ns, CADRE_STORAGE_TIME_MIN);
  EXPECT_EQ(host_->last_filter->until_ns, CADRE_STORAGE_TIME_MAX);
  EXPECT_EQ(host_->last_filter->n_kinds, 0u);
  EXPECT_TRUE(host_->last_kinds.empty());
}

TEST_F(HostStoreTest, AFailedCommitRollsBackAndReportsTheHostsMessage) {
  ASSERT_TRUE(store_->Commit(Events({Sale("S-1", At(0))})).ok());
  host_->fail_commit = true;
  WriteBatch b = Events({Sale("S-2", At(1))});
  b.documents.push_back(Put("customers", "C-1", "{}"));
  absl::StatusOr<CommitResult> r = store_->Commit(b);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(capi::CodeOf(r.status()), CADRE_ERROR_HOST_CALLBACK);
  EXPECT_THAT(r.status().message(), HasSubstr("cadre_storage.commit failed (returned 7): lazy host: commit refused"));
  EXPECT_EQ(host_->rollbacks, 1);
  host_->fail_commit = false;
  EXPECT_EQ(store_->FindEvent("S-2").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetDocument("customers", "C-1", std::nullopt).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(*store_->HighWaterMark(), 1u);
  EXPECT_TRUE(store_->Commit(b).ok());  // and carries on
  EXPECT_EQ(*store_->HighWaterMark(), 2u);
}

TEST_F(HostStoreTest, ACallbackThatThrowsIsAHostCallbackFailure) {
  host_->throw_in_find = true;
  absl::StatusOr<StoredEvent> found = store_->FindEvent("S-1");
  EXPECT_EQ(capi::CodeOf(found.status()), CADRE_ERROR_HOST_CALLBACK);
  EXPECT_THAT(found.status().message(), HasSubstr("cadre_storage.find_event failed (threw an exception"));
  absl::StatusOr<CommitResult> r = store_->Commit(Events({Sale("S-1", At(0))}));
  EXPECT_EQ(capi::CodeOf(r.status()), CADRE_ERROR_HOST_CALLBACK);
  EXPECT_EQ(host_->rollbacks, 1);
  EXPECT_TRUE(host_->events.empty());
}

TEST_F(HostStoreTest, UnreadableOrRepeatedRowsAreDataLoss) {
  ASSERT_TRUE(store_->Commit(Events({Sale("S-1", At(0))})).ok());
  host_->corrupt_json = R"({"id":"S-1","kind":"sale"})";  // occurred_at missing
  absl::StatusOr<StoredEvent> found = store_->FindEvent("S-1");
  EXPECT_EQ(found.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(found.status().message(), HasSubstr("seq 1 holds JSON this library cannot read"));
  EXPECT_THAT(found.status().message(), HasSubstr("occurred_at"));
  host_->corrupt_json = R"({"id":"S-1","kind":"sale","occurred_at":"2025-06-01T00:00:00Z","colour":"red"})";
  EXPECT_THAT(store_->FindEvent("S-1").status().message(), HasSubstr("colour"));
  host_->corrupt_json.clear();

  host_->emit_events_twice = true;
  absl::Status scan = store_->ScanEvents({}, [](const StoredEvent&) { return true; });
  EXPECT_EQ(scan.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(scan.message(), HasSubstr("event seq 1 was emitted twice"));
}

// The store keeps events as given: rules of Event::Validate are not re-applied
// when they are read back.
TEST_F(HostStoreTest, EventsComeBackAsStoredWithoutRevalidation) {
  Event odd = testing::RichEvent("I-1", At(0));  // an interaction with an amount: refused by Validate
  ASSERT_TRUE(store_->Commit(Events({odd})).ok());
  absl::StatusOr<StoredEvent> found = store_->FindEvent("I-1");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_TRUE(testing::SameEvent(odd, found->event));
  ASSERT_EQ(host_->events.size(), 1u);
  EXPECT_EQ(host_->events[0].json, json::ToText(odd));
}

TEST_F(HostStoreTest, IdsWithNulAreRefusedBeforeTheHostIsCalled) {
  WriteBatch b = Events({Sale(std::string("S-\0x", 4), At(0))});
  absl::StatusOr<CommitResult> r = store_->Commit(b);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("events[0].id"));
  WriteBatch d;
  d.documents.push_back(Put("customers", std::string("C\0", 2), "{}"));
  EXPECT_THAT(store_->Commit(d).status().message(), HasSubstr("documents[0].id"));
  EXPECT_TRUE(host_->events.empty());
  EXPECT_TRUE(host_->documents.empty());
  EXPECT_EQ(host_->rollbacks, 0);
}

TEST_F(HostStoreTest, ABatchOfDuplicatesEndsWithRollback) {
  ASSERT_TRUE(store_->Commit(Events({Sale("S-1", At(0))})).ok());
  absl::StatusOr<CommitResult> r = store_->Commit(Events({Sale("S-1", At(0))}));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->committed);
  EXPECT_THAT(r->events, ElementsAre(AppendOutcome::kDuplicate));
  EXPECT_EQ(host_->rollbacks, 1);
}

}  // namespace
}  // namespace cadre
