// store/fault_injecting_store_test.cc — the wrapper fails when told to, and a
// failed Commit never reaches the store it wraps.
#include "store/fault_injecting_store.h"

#include <memory>
#include <string>

#include "cadre/store.h"
#include "gtest/gtest.h"
#include "testing/store_conformance.h"

namespace cadre {
namespace {

using testing::At;
using testing::Sale;

class FaultInjectingStoreTest : public ::testing::Test {
 protected:
  FaultInjectingStoreTest() : store_(NewMemoryStore()) {}

  absl::Status Commit(const std::string& id) {
    WriteBatch b = testing::Events({Sale(id, At(0))});
    b.documents.push_back(testing::Put("log", id, "{}"));
    return store_.Commit(b).status();
  }
  uint64_t InnerHwm() { return *store_.inner().HighWaterMark(); }

  FaultInjectingStore store_;
};

void ExpectInjected(const absl::Status& s) {
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_EQ(s.message(), "injected fault");
}

TEST_F(FaultInjectingStoreTest, FailNextCommitsThenRecovers) {
  store_.FailNextCommits(2);
  ExpectInjected(Commit("a"));
  ExpectInjected(Commit("b"));
  EXPECT_EQ(InnerHwm(), 0u);
  EXPECT_EQ(store_.inner().GetDocument("log", "a", std::nullopt).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(Commit("c").ok());
  EXPECT_EQ(InnerHwm(), 1u);
  EXPECT_EQ(store_.commits_failed(), 2);
  EXPECT_EQ(store_.commits_passed(), 1);
}

TEST_F(FaultInjectingStoreTest, FailCommitsAfterKSucceedUntilReset) {
  store_.FailCommitsAfter(2);
  EXPECT_TRUE(Commit("a").ok());
  EXPECT_TRUE(Commit("b").ok());
  ExpectInjected(Commit("c"));
  ExpectInjected(Commit("d"));
  EXPECT_EQ(InnerHwm(), 2u);
  store_.Reset();
  EXPECT_TRUE(Commit("e").ok());
  EXPECT_EQ(InnerHwm(), 3u);
}

TEST_F(FaultInjectingStoreTest, FailReadsFailsEveryRead) {
  ASSERT_TRUE(Commit("a").ok());
  store_.FailReads(true);
  ExpectInjected(store_.GetDocument("log", "a", std::nullopt).status());
  ExpectInjected(store_.ListDocuments("log", std::nullopt, [](const DocumentVersion&) {}));
  ExpectInjected(store_.DocumentHistory("log", "a", [](const DocumentVersion&) {}));
  ExpectInjected(store_.ScanEvents({}, [](const StoredEvent&) { return true; }));
  ExpectInjected(store_.FindEvent("a").status());
  ExpectInjected(store_.HighWaterMark().status());
  EXPECT_TRUE(Commit("b").ok());  // writes are not reads
  store_.FailReads(false);
  EXPECT_EQ(*store_.HighWaterMark(), 2u);
  EXPECT_TRUE(store_.FindEvent("a").ok());
  EXPECT_EQ(store_.backend(), "fault_injecting");
}

}  // namespace
}  // namespace cadre
