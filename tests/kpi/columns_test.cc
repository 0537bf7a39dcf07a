// The KPI engine's compact fact columns: every value comes back exactly, and a
// seq is found by its row, across the 32-bit boundaries each one straddles.
#include "kpi/columns.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace cadre::kpi_internal {
namespace {

TEST(SeqColumnTest, FindsEverySeqAcrossHighWordRuns) {
  // Gaps as a log with other events in between has them, crossing 2^32 twice.
  std::vector<uint64_t> seqs;
  std::mt19937_64 rng(7);
  uint64_t seq = (uint64_t{1} << 32) - 5000;
  for (int i = 0; i < 20000; ++i) {
    seq += 1 + rng() % 3;
    if (i == 12000) seq = (uint64_t{3} << 32) + 10;  // a jump over a whole high word
    seqs.push_back(seq);
  }
  SeqColumn column;
  EXPECT_TRUE(column.empty());
  for (uint64_t s : seqs) column.push_back(s);
  ASSERT_EQ(column.size(), seqs.size());
  EXPECT_EQ(column.back(), seqs.back());
  for (std::size_t r = 0; r < seqs.size(); ++r) {
    ASSERT_EQ(column[r], seqs[r]) << r;
    ASSERT_EQ(column.Find(seqs[r]), static_cast<uint32_t>(r)) << r;
  }
  // Seqs that are not held: in the gaps, before the first, after the last, and
  // the same low word under another high word.
  EXPECT_EQ(column.Find(seqs.front() - 1), std::nullopt);
  EXPECT_EQ(column.Find(seqs.back() + 1), std::nullopt);
  EXPECT_EQ(column.Find(seqs[11999] + 1), std::nullopt);  // in the jump
  EXPECT_EQ(column.Find((seqs[100] & 0xFFFFFFFFu) | (uint64_t{2} << 32)), std::nullopt);
  for (std::size_t r = 1; r < seqs.size(); ++r) {
    if (seqs[r] - seqs[r - 1] > 1) {
      EXPECT_EQ(column.Find(seqs[r] - 1), std::nullopt) << r;
    }
  }

  column.clear();
  EXPECT_TRUE(column.empty());
  EXPECT_EQ(column.Find(seqs[0]), std::nullopt);
  column.push_back(42);
  EXPECT_EQ(column.Find(42), 0u);
  EXPECT_EQ(column[0], 42u);
}

TEST(AmountColumnTest, KeepsValuesBeyond32BitsAside) {
  const std::vector<int64_t> values = {0,
                                       1,
                                       -1,
                                       std::numeric_limits<int32_t>::max(),
                                       int64_t{std::numeric_limits<int32_t>::max()} + 1,
                                       std::numeric_limits<int32_t>::min() + 1,
                                       std::numeric_limits<int32_t>::min(),  // the marker value itself
                                       int64_t{3'000'000'000},
                                       -int64_t{3'000'000'000},
                                       std::numeric_limits<int64_t>::max(),
                                       std::numeric_limits<int64_t>::min(),
                                       123'456};
  AmountColumn column;
  for (int64_t v : values) column.push_back(v);
  for (std::size_t r = 0; r < values.size(); ++r) EXPECT_EQ(column[r], values[r]) << r;
  column.clear();
  column.push_back(std::numeric_limits<int32_t>::min());
  column.push_back(5);
  EXPECT_EQ(column[0], std::numeric_limits<int32_t>::min());
  EXPECT_EQ(column[1], 5);
}

}  // namespace
}  // namespace cadre::kpi_internal
