// A large import read from a stream that makes its rows on demand: batches are
// committed while the input is still being produced, and the importer never reads
// far ahead of what it has committed.
#include <chrono>
#include <cstdio>
#include <streambuf>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cadre/io.h"
#include "cadre/json.h"
#include "cadre/workspace.h"
#include "gtest/gtest.h"
#include "testing/test_util.h"

namespace cadre::io {
namespace {

// Purchase rows generated lazily, a few KiB at a time: the whole input never
// exists at once.
class GeneratedPurchases : public std::streambuf {
 public:
  explicit GeneratedPurchases(std::size_t rows) : rows_(rows) {}
  std::size_t rows_produced() const { return next_; }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    chunk_.clear();
    if (!header_done_) {
      chunk_ = "id,kind,occurred_at,customer,manager,amount_minor,quantity,sku\r\n";
      header_done_ = true;
    }
    while (chunk_.size() < 4096 && next_ < rows_) {
      ++next_;
      absl::StrAppend(&chunk_,
                      absl::StrFormat("P%d,%s,2025-%02d-1%dT10:%02d:00+08:00,C%d,M%d,%d,%d,SKU-%d\r\n", next_,
                                      next_ % 20 == 0 ? "return" : "sale", 1 + next_ % 12, next_ % 10, 10 + next_ % 50,
                                      next_ % 5000, next_ % 144, 100 + next_ % 99999, 1 + next_ % 3, next_ % 700));
    }
    if (chunk_.empty()) return traits_type::eof();
    setg(chunk_.data(), chunk_.data(), chunk_.data() + chunk_.size());
    return traits_type::to_int_type(*gptr());
  }

 private:
  std::size_t rows_;
  std::size_t next_ = 0;
  bool header_done_ = false;
  std::string chunk_;
};

// Imports `rows` generated purchase rows into a new workspace at `uri` in batches
// of `batch`, and checks how the batches went.
void ImportGenerated(const std::string& uri, std::size_t rows, std::size_t batch) {
  absl::StatusOr<std::unique_ptr<Workspace>> ws = Workspace::Open(uri);
  ASSERT_TRUE(ws.ok()) << ws.status();
  GeneratedPurchases source(rows);
  std::istream in(&source);

  struct Seen {
    ImportProgress progress;
    std::size_t produced;
  };
  std::vector<Seen> seen;
  ImportOptions options;
  options.batch_size = batch;
  options.progress = [&](const ImportProgress& p) {
    seen.push_back(Seen{p, source.rows_produced()});
    return true;
  };
  auto start = std::chrono::steady_clock::now();
  absl::StatusOr<ImportReport> r = Import(**ws, RecordKind::kPurchases, in, options);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->complete);
  EXPECT_EQ(r->rows_read, rows);
  EXPECT_EQ(r->accepted, rows);
  EXPECT_EQ(r->rejected, 0u) << (r->errors.empty() ? "" : r->errors[0].message);
  EXPECT_EQ(*(*ws)->HighWaterMark(), rows);
  std::printf("[ io ] %s: %zu purchase rows imported in %.2f s: %.0f rows/s\n", uri.substr(0, uri.find(':')).c_str(),
              rows, seconds, rows / seconds);

  ASSERT_EQ(seen.size(), rows / batch);
  for (std::size_t k = 0; k < seen.size(); ++k) {
    SCOPED_TRACE(absl::StrCat("batch ", k + 1));
    // Each batch was committed in turn: committed counts rise by the batch size.
    EXPECT_EQ(seen[k].progress.rows_read, (k + 1) * batch);
    EXPECT_EQ(seen[k].progress.rows_committed, (k + 1) * batch);
    EXPECT_EQ(seen[k].progress.batches_committed, k + 1);
    // ... while the input was still being produced, and the reader was never more
    // than its read block (64 KiB, about a thousand rows) ahead of the rows handed on.
    if (k + 1 < seen.size()) {
      EXPECT_LT(seen[k].produced, rows);
    }
    EXPECT_LT(seen[k].produced - seen[k].progress.rows_read, 1'500u);
  }
}

TEST(StreamTest, LargeImportCommitsBatchByBatchWhileTheInputIsStillComing) {
  ImportGenerated("memory:", 200'000, 10'000);
}

TEST(StreamTest, SqliteImportCommitsBatchByBatch) {
  cadre::testing::TempDir dir;
  ImportGenerated("sqlite:" + dir.File("ws.db"), 30'000, 5'000);
}

}  // namespace
}  // namespace cadre::io
