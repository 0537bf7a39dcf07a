// The workspace over a store whose writes fail: every failure is reported, nothing
// is half-written, and the workspace works again once the fault clears.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cadre/workspace.h"
#include "gtest/gtest.h"
#include "store/fault_injecting_store.h"
#include "testing/test_util.h"

namespace cadre {
namespace {

using testing::T;

Event Sale(std::string id, int64_t amount) {
  Event e;
  e.id = std::move(id);
  e.kind = EventKind::kSale;
  e.occurred_at = T("2025-06-18T10:00:00+08:00");
  e.customer = "C1";
  e.amount_minor = amount;
  return e;
}

Event Reversal(std::string id, std::string target) {
  Event e;
  e.id = std::move(id);
  e.kind = EventKind::kReversal;
  e.occurred_at = T("2025-06-19T10:00:00+08:00");
  e.reverses = std::move(target);
  return e;
}

class WorkspaceFaultTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<Store>> inner = GetParam() == "memory"
                                                       ? absl::StatusOr<std::unique_ptr<Store>>(NewMemoryStore())
                                                       : OpenSqliteStore(dir_.File("ws.db"));
    ASSERT_TRUE(inner.ok()) << inner.status();
    auto faulty = std::make_unique<FaultInjectingStore>(*std::move(inner));
    faults_ = faulty.get();
    absl::StatusOr<std::unique_ptr<Workspace>> ws = Workspace::Open(std::move(faulty));
    ASSERT_TRUE(ws.ok()) << ws.status();
    ws_ = *std::move(ws);
  }

  uint64_t Mark() { return *ws_->HighWaterMark(); }

  testing::TempDir dir_;
  FaultInjectingStore* faults_ = nullptr;
  std::unique_ptr<Workspace> ws_;
};

TEST_P(WorkspaceFaultTest, FailedIngestWritesNothingAndIsReported) {
  ASSERT_TRUE(ws_->Ingest(std::vector<Event>{Sale("S1", 100)}).ok());
  faults_->FailNextCommits(1);
  for (IngestMode mode : {IngestMode::kAtomic, IngestMode::kBestEffort}) {
    faults_->FailNextCommits(1);
    absl::StatusOr<IngestReport> r = ws_->Ingest(std::vector<Event>{Sale("S2", 5), Sale("S3", 6)}, mode);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
    EXPECT_EQ(Mark(), 1u);
  }
  faults_->Reset();
  absl::StatusOr<IngestReport> r = ws_->Ingest(std::vector<Event>{Sale("S2", 5), Sale("S3", 6)});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->accepted, 2u) << "a failed attempt must not leave the ids behind as duplicates";
  EXPECT_EQ(Mark(), 3u);
}

TEST_P(WorkspaceFaultTest, FailedDocumentWritesLeaveNoVersion) {
  faults_->FailNextCommits(1);
  EXPECT_EQ(ws_->Put("customers", "C1", R"({"name":"A"})").status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ws_->Get("customers", "C1").status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(ws_->Put("customers", "C1", R"({"name":"A"})").ok());
  faults_->FailNextCommits(1);
  EXPECT_EQ(ws_->Delete("customers", "C1").status().code(), absl::StatusCode::kUnavailable);
  absl::StatusOr<Document> d = ws_->Get("customers", "C1");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->version, 1);
}

TEST_P(WorkspaceFaultTest, FailedReversalDoesNotBlockTheRetry) {
  ASSERT_TRUE(ws_->Ingest(std::vector<Event>{Sale("S1", 100)}).ok());
  faults_->FailNextCommits(1);
  EXPECT_FALSE(ws_->Ingest(std::vector<Event>{Reversal("X1", "S1")}).ok());
  // The workspace must not remember a reversal that never reached the store.
  absl::StatusOr<IngestReport> r = ws_->Ingest(std::vector<Event>{Reversal("X2", "S1")});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->accepted, 1u) << (r->rejected.empty() ? "" : r->rejected[0].message);
}

TEST_P(WorkspaceFaultTest, FailedReadsAreReportedNotMistakenForAbsence) {
  ASSERT_TRUE(ws_->Ingest(std::vector<Event>{Sale("S1", 100)}).ok());
  faults_->FailReads(true);
  EXPECT_EQ(ws_->Get("customers", "C1").status().code(), absl::StatusCode::kUnavailable);
  // A reversal must check its target: a failing read is an error, not "no such event".
  absl::StatusOr<IngestReport> r = ws_->Ingest(std::vector<Event>{Reversal("X1", "S1")});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  faults_->Reset();
  EXPECT_EQ(Mark(), 1u);
}

TEST_P(WorkspaceFaultTest, EveryCommitFailingAfterSomeSucceed) {
  faults_->FailCommitsAfter(3);
  int ok = 0, failed = 0;
  for (int b = 0; b < 6; ++b) {
    absl::StatusOr<IngestReport> r = ws_->Ingest(std::vector<Event>{Sale(absl::StrCat("S", b), 1)});
    (r.ok() ? ok : failed)++;
  }
  EXPECT_EQ(ok, 3);
  EXPECT_EQ(failed, 3);
  EXPECT_EQ(Mark(), 3u);
}

INSTANTIATE_TEST_SUITE_P(Backends, WorkspaceFaultTest, ::testing::Values("memory", "sqlite"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace cadre
