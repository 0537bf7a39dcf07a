// store/memory_store_test.cc — what the conformance suite cannot see of the
// memory backend: scans that span many pages while commits land between them,
// the index lists after out-of-order batches, and sparse filters over a big log.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cadre/store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/store_conformance.h"

namespace cadre {
namespace {

using testing::At;
using testing::Sale;

struct Logged {
  uint64_t seq;
  absl::Time at;
  std::string manager;
  EventKind kind;
};

// Commits `batches` batches of `per_batch` events at random instants (many ties),
// managers M-0..M-4, and a rare kind now and then.
std::vector<Logged> Fill(Store& store, int batches, int per_batch, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Logged> logged;
  for (int b = 0; b < batches; ++b) {
    std::vector<Event> events;
    for (int i = 0; i < per_batch; ++i) {
      Event e = Sale(absl::StrCat("S-", seed, "-", b, "-", i), At(rng() % 2000), absl::StrCat("M-", rng() % 5),
                     absl::StrCat("C-", rng() % 50));
      if (rng() % 1000 == 0) e.kind = EventKind::kReversal;
      events.push_back(std::move(e));
    }
    absl::StatusOr<CommitResult> r = store.Commit(testing::Events(events));
    EXPECT_TRUE(r.ok()) << r.status();
    for (size_t i = 0; i < events.size(); ++i) {
      logged.push_back({r->seqs[i], events[i].occurred_at, *events[i].manager, events[i].kind});
    }
  }
  return logged;
}

std::vector<uint64_t> Expected(std::vector<Logged> logged, ScanOrder order, const std::string& manager = "",
                               std::optional<EventKind> kind = std::nullopt) {
  std::erase_if(
      logged, [&](const Logged& l) { return (!manager.empty() && l.manager != manager) || (kind && l.kind != *kind); });
  if (order == ScanOrder::kByTime) {
    std::sort(logged.begin(), logged.end(),
              [](const Logged& a, const Logged& b) { return std::pair(a.at, a.seq) < std::pair(b.at, b.seq); });
  }
  std::vector<uint64_t> out;
  for (const Logged& l : logged) out.push_back(l.seq);
  return out;
}

// A scan over several pages sees the log as it was when it began, even though
// out-of-order batches are merged into the index lists between its pages.
TEST(MemoryStoreTest, ScanSpanningPagesIsASnapshotDespiteCommitsBetweenPages) {
  std::unique_ptr<Store> store = NewMemoryStore();
  std::vector<Logged> logged = Fill(*store, 4, 1500, 1);
  int extra = 0;
  for (ScanOrder order : {ScanOrder::kByTime, ScanOrder::kBySeq}) {
    for (std::string manager : {"", "M-3"}) {
      SCOPED_TRACE(absl::StrCat("order ", static_cast<int>(order), " manager ", manager));
      EventQuery q;
      q.order = order;
      if (!manager.empty()) q.manager = manager;
      const std::vector<uint64_t> want = Expected(logged, order, manager);
      std::vector<uint64_t> got;
      ASSERT_TRUE(store
                      ->ScanEvents(q,
                                   [&](const StoredEvent& e) {
                                     got.push_back(e.seq);
                                     if (got.size() % 700 == 0) {  // land events all over the time range
                                       std::vector<Event> more;
                                       for (int i = 0; i < 30; ++i) {
                                         more.push_back(Sale(absl::StrCat("X-", extra++), At(i * 67 % 2000), "M-3"));
                                       }
                                       EXPECT_TRUE(store->Commit(testing::Events(more)).ok());
                                       // A scan started now brings the index lists up to date (and
                                       // merges the late events into them) under the outer scan's feet.
                                       EXPECT_EQ(testing::ScanSeqs(*store, {.manager = "M-3", .limit = 1}).size(), 1u);
                                     }
                                     return true;
                                   })
                      .ok());
      EXPECT_EQ(got, want);
      // The events committed during the scan are in the next one.
      absl::StatusOr<uint64_t> hwm = store->HighWaterMark();
      ASSERT_TRUE(hwm.ok());
      logged.clear();
      ASSERT_TRUE(store
                      ->ScanEvents({.order = ScanOrder::kBySeq},
                                   [&](const StoredEvent& e) {
                                     logged.push_back({e.seq, e.event.occurred_at, *e.event.manager, e.event.kind});
                                     return true;
                                   })
                      .ok());
      EXPECT_EQ(logged.size(), *hwm);
    }
  }
  EXPECT_GT(extra, 0);
}

// A rare kind in a log far bigger than what one page looks at.
TEST(MemoryStoreTest, SparseFiltersOverABigLog) {
  std::unique_ptr<Store> store = NewMemoryStore();
  const std::vector<Logged> logged = Fill(*store, 7, 10000, 2);  // > 65536: more than one page looks at
  for (ScanOrder order : {ScanOrder::kByTime, ScanOrder::kBySeq}) {
    EventQuery q{.kinds = {EventKind::kReversal}, .order = order};
    std::vector<uint64_t> want = Expected(logged, order, "", EventKind::kReversal);
    ASSERT_FALSE(want.empty());
    EXPECT_EQ(testing::ScanSeqs(*store, q), want);
    q.manager = "M-1";
    EXPECT_EQ(testing::ScanSeqs(*store, q), Expected(logged, order, "M-1", EventKind::kReversal));
  }
  EXPECT_EQ(testing::ScanSeqs(*store, {.manager = "M-4", .order = ScanOrder::kBySeq}),
            Expected(logged, ScanOrder::kBySeq, "M-4"));
  EXPECT_EQ(testing::ScanSeqs(*store, {.manager = "M-4"}), Expected(logged, ScanOrder::kByTime, "M-4"));
}

// Events that arrive in time order keep every list in seq order too; one late
// event changes that for its lists only, and both orders stay right.
TEST(MemoryStoreTest, InOrderThenLateArrivals) {
  std::unique_ptr<Store> store = NewMemoryStore();
  for (int b = 0; b < 10; ++b) {
    std::vector<Event> events;
    for (int i = 0; i < 100; ++i) events.push_back(Sale(absl::StrCat("S-", b, "-", i), At(b * 100 + i), "M-1"));
    ASSERT_TRUE(store->Commit(testing::Events(events)).ok());
  }
  ASSERT_TRUE(store->Commit(testing::Events({Sale("late", At(-1), "M-1"), Sale("other", At(5000), "M-2")})).ok());
  std::vector<uint64_t> by_time = testing::ScanSeqs(*store, {.manager = "M-1"});
  ASSERT_EQ(by_time.size(), 1001u);
  EXPECT_EQ(by_time.front(), 1001u);
  std::vector<uint64_t> by_seq = testing::ScanSeqs(*store, {.manager = "M-1", .order = ScanOrder::kBySeq});
  ASSERT_EQ(by_seq.size(), 1001u);
  EXPECT_TRUE(std::is_sorted(by_seq.begin(), by_seq.end()));
  EXPECT_THAT(testing::ScanSeqs(*store, {.manager = "M-1", .after_seq = 998, .order = ScanOrder::kBySeq}),
              ::testing::ElementsAre(999, 1000, 1001));
  EXPECT_THAT(testing::ScanSeqs(*store, {.manager = "M-2", .order = ScanOrder::kBySeq}), ::testing::ElementsAre(1002));
}

// Out-of-order entries wait in their lists until a by-time scan reads the list
// (or the waiting part grows to a sixteenth of the list, when it is merged at
// once). Commits and scans of every kind interleave here, with batches late by
// a little, by a lot and not at all, small and big enough to force the eager
// merge; every scan must still see exactly the log, in its order.
TEST(MemoryStoreTest, LateEntriesWaitUntilAByTimeScanNeedsThem) {
  std::unique_ptr<Store> store = NewMemoryStore();
  std::mt19937 rng(77);
  std::vector<Logged> logged;
  int64_t clock = 100000;  // minutes; mostly moves forward
  for (int round = 0; round < 40; ++round) {
    const int shape = static_cast<int>(rng() % 4);
    const int n = shape == 3 ? 5000 + static_cast<int>(rng() % 3000) : 1 + static_cast<int>(rng() % 300);
    std::vector<Event> events;
    for (int i = 0; i < n; ++i) {
      int64_t minute = clock;
      if (shape == 0) minute = clock + i;                                     // in order
      if (shape == 1) minute = clock - static_cast<int64_t>(rng() % 50);      // a little late
      if (shape >= 2) minute = static_cast<int64_t>(rng() % (clock + 1000));  // anywhere
      events.push_back(Sale(absl::StrCat("S-", round, "-", i), At(minute), absl::StrCat("M-", rng() % 3),
                            absl::StrCat("C-", rng() % 20)));
    }
    clock += n;
    absl::StatusOr<CommitResult> r = store->Commit(testing::Events(events));
    ASSERT_TRUE(r.ok()) << r.status();
    for (size_t i = 0; i < events.size(); ++i) {
      logged.push_back({r->seqs[i], events[i].occurred_at, *events[i].manager, events[i].kind});
    }
    // Some rounds scan nothing, so that entries of several commits wait together.
    const int scans = static_cast<int>(rng() % 3);
    for (int k = 0; k < scans; ++k) {
      const ScanOrder order = rng() % 2 == 0 ? ScanOrder::kByTime : ScanOrder::kBySeq;
      const std::string manager = rng() % 2 == 0 ? "" : absl::StrCat("M-", rng() % 3);
      EventQuery q{.order = order};
      if (!manager.empty()) q.manager = manager;
      ASSERT_EQ(testing::ScanSeqs(*store, q), Expected(logged, order, manager))
          << "round " << round << " order " << static_cast<int>(order) << " manager " << manager;
    }
  }
  for (ScanOrder order : {ScanOrder::kBySeq, ScanOrder::kByTime}) {
    EXPECT_EQ(testing::ScanSeqs(*store, {.order = order}), Expected(logged, order));
    for (int m = 0; m < 3; ++m) {
      const std::string manager = absl::StrCat("M-", m);
      EXPECT_EQ(testing::ScanSeqs(*store, {.manager = manager, .order = order}), Expected(logged, order, manager));
    }
  }
}

}  // namespace
}  // namespace cadre
