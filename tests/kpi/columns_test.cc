// The KPI engine's compact fact columns: every value comes back exactly, and a
// seq is found by its row, across the 32-bit boundaries each one straddles.
#include "kpi/columns.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <utility>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
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

// The same filter on the 64-bit instantiation: amounts beyond 32 bits are
// offered (aside) for any range, and a range reaching past 32 bits is clamped.
TEST(AmountColumnTest, RowsMaybeInARangeOnSixtyFourBitValues) {
  const std::vector<int64_t> values = {0,
                                       5,
                                       -5,
                                       int64_t{3'000'000'000},
                                       -int64_t{3'000'000'000},
                                       std::numeric_limits<int32_t>::max(),
                                       std::numeric_limits<int32_t>::min(),
                                       std::numeric_limits<int64_t>::max(),
                                       7};
  AmountColumn column;
  for (int64_t v : values) column.push_back(v);
  const std::vector<std::pair<int64_t, int64_t>> ranges = {
      {0, 10},
      {-10, -1},
      {int64_t{2'000'000'000}, int64_t{4'000'000'000}},
      {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()},
      {10, 0}};
  for (const auto& [lo, hi] : ranges) {
    std::vector<uint32_t> in;
    column.ForEachRowMaybeIn(lo, hi, [&](uint32_t r) {
      if (column[r] >= lo && column[r] <= hi) in.push_back(r);
    });
    std::vector<uint32_t> expected;
    for (uint32_t r = 0; r < values.size(); ++r)
      if (values[r] >= lo && values[r] <= hi) expected.push_back(r);
    EXPECT_EQ(in, expected) << lo << ".." << hi;
  }
}

TEST(DayColumnTest, KeepsDaysOutsideSixteenBitsAside) {
  // 2000-01-01 is the base; 16 bits reach from 1910-04 to 2089-09 around it.
  const int32_t base = 10957;
  const std::vector<int32_t> days = {base,
                                     0,
                                     -1,
                                     20089,         // 2000-01-01, 1970-01-01, 1969-12-31, 2025-01-01
                                     base + 32767,  // the last day kept in 16 bits
                                     base + 32768,  // the first beyond: aside
                                     base - 32767,  // the first day kept in 16 bits
                                     base - 32768,  // the marker value itself: aside
                                     base - 40000,  // 1890: aside
                                     std::numeric_limits<int32_t>::max(),
                                     std::numeric_limits<int32_t>::min(),
                                     2932896};  // 9999-12-31
  DayColumn column;
  for (int32_t d : days) column.push_back(d);
  ASSERT_EQ(column.size(), days.size());
  for (std::size_t r = 0; r < days.size(); ++r) EXPECT_EQ(column[r], days[r]) << r;
  column.clear();
  EXPECT_EQ(column.size(), 0u);
  column.push_back(base - 32768);
  column.push_back(base);
  EXPECT_EQ(column[0], base - 32768);
  EXPECT_EQ(column[1], base);
}

// ForEachRowMaybeIn offers every row whose day is in the range, in row order,
// and no row outside it except those kept aside (which the caller tests), for
// ranges inside, across and beyond the 16-bit window, over several blocks.
TEST(DayColumnTest, RowsMaybeInARangeAreEveryRowInItAndTheAsideOnes) {
  const int32_t base = 10957;
  std::mt19937 rng(7);
  const std::vector<int32_t> special = {base - 32768,
                                        base - 32767,
                                        base + 32767,
                                        base + 32768,
                                        std::numeric_limits<int32_t>::min(),
                                        std::numeric_limits<int32_t>::max()};
  std::uniform_int_distribution<int32_t> near(base - 33000, base + 33000);
  std::uniform_int_distribution<int> pick(0, 99);
  DayColumn column;
  std::vector<int32_t> days;
  for (int i = 0; i < 5000; ++i) {  // more than two blocks
    const int32_t d = pick(rng) < 3 ? special[static_cast<std::size_t>(pick(rng)) % special.size()] : near(rng);
    days.push_back(d);
    column.push_back(d);
  }
  const std::vector<std::pair<int32_t, int32_t>> ranges = {
      {20089, 20119},                // one month of 2025
      {base - 32767, base + 32767},  // the whole window
      {base - 40000, base - 32000},  // across its low end
      {base + 32000, base + 40000},  // across its high end
      {base + 32768, base + 90000},  // beyond it: only aside rows can match
      {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()},
      {20119, 20089},  // empty
  };
  for (const auto& [lo, hi] : ranges) {
    std::vector<uint32_t> offered;
    column.ForEachRowMaybeIn(lo, hi, [&](uint32_t r) { offered.push_back(r); });
    ASSERT_TRUE(std::is_sorted(offered.begin(), offered.end()));
    std::vector<uint32_t> in;
    for (uint32_t r : offered) {
      const bool inside = days[r] >= lo && days[r] <= hi;
      const bool aside = days[r] <= base - 32768 || days[r] > base + 32767;
      EXPECT_TRUE(inside || aside) << "row " << r << " day " << days[r] << " offered for " << lo << ".." << hi;
      if (inside) in.push_back(r);
    }
    std::vector<uint32_t> expected;
    for (uint32_t r = 0; r < days.size(); ++r)
      if (days[r] >= lo && days[r] <= hi) expected.push_back(r);
    EXPECT_EQ(in, expected) << lo << ".." << hi;
  }
}

// The day a fact is held under: its civil day in the workspace zone.
int32_t DayOf(absl::Time t, absl::TimeZone zone) {
  return static_cast<int32_t>(absl::ToCivilDay(t, zone) - absl::CivilDay(1970, 1, 1));
}

TEST(TimeColumnTest, EveryInstantComesBackExactlyAndInOrder) {
  // Zones at the ends of the offsets in use (UTC+14, UTC-12) and UTC; instants
  // in whole seconds, in milliseconds (kept in 32 bits), and finer than a
  // millisecond or beyond int64 nanoseconds (kept aside), before 1970 too.
  const std::vector<absl::TimeZone> zones = {absl::UTCTimeZone(), absl::FixedTimeZone(14 * 3600),
                                             absl::FixedTimeZone(-12 * 3600)};
  std::vector<absl::Time> times = {absl::UnixEpoch(),
                                   absl::FromUnixSeconds(-1),
                                   absl::FromUnixMillis(1'735'689'599'999),  // 2024-12-31T23:59:59.999Z
                                   absl::FromUnixMillis(1'735'689'600'000),  // 2025-01-01T00:00:00Z
                                   absl::FromUnixNanos(1'735'689'600'000'000'001),
                                   absl::FromUnixMicros(-86'400'000'001),
                                   absl::FromCivil(absl::CivilSecond(1900, 1, 1, 0, 0, 0), absl::UTCTimeZone()),
                                   absl::FromCivil(absl::CivilSecond(2262, 4, 11, 23, 47, 16), absl::UTCTimeZone())};
  std::mt19937_64 rng(11);
  for (int i = 0; i < 5000; ++i) {
    const int64_t ms = 1'700'000'000'000 + static_cast<int64_t>(rng() % 100'000'000'000);
    times.push_back(i % 10 == 0 ? absl::FromUnixNanos(ms * 1'000'000 + static_cast<int64_t>(rng() % 1'000'000))
                                : absl::FromUnixMillis(ms));
  }
  for (const absl::TimeZone& zone : zones) {
    TimeColumn column;
    std::vector<int32_t> days;
    std::vector<int64_t> want;
    for (absl::Time t : times) {
      want.push_back(absl::ToUnixNanos(t));  // saturates beyond int64, as the engine's at does
      days.push_back(DayOf(t, zone));
      column.push_back(want.back(), days.back());
    }
    ASSERT_EQ(column.size(), times.size());
    for (std::size_t r = 0; r < times.size(); ++r) {
      ASSERT_EQ(column.At(r, days[r]), want[r]) << "row " << r << " in " << zone.name();
      if (r > 0) {
        EXPECT_EQ(column.At(r, days[r]) < column.At(r - 1, days[r - 1]), want[r] < want[r - 1]) << r;
      }
    }
  }
  // The marker value is an offset like any other when it is a real one.
  TimeColumn column;
  const int64_t marker_ns = int64_t{TimeColumn::kAside} * TimeColumn::kNanosPerMilli;
  column.push_back(marker_ns, 0);
  column.push_back(0, 0);
  EXPECT_EQ(column.At(0, 0), marker_ns);
  EXPECT_EQ(column.At(1, 0), 0);
  column.clear();
  EXPECT_EQ(column.size(), 0u);
}

}  // namespace
}  // namespace cadre::kpi_internal
