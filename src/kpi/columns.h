// Fact columns of the KPI engine in fewer bytes than their widest values need,
// because the engine holds one entry per fact (tens of millions):
//
//   SeqColumn seqs;        // strictly increasing log seqs, 4 bytes a row
//   seqs.push_back(17);
//   seqs.Find(17);         // row 0
//   AmountColumn amounts;  // int64 values, 4 bytes a row when they fit in 32 bits
//   amounts.push_back(int64_t{3'000'000'000});
//   amounts[0];            // 3'000'000'000, kept aside by row
//   DayColumn days;        // civil day numbers, 2 bytes a row from 1910 to 2089
//   TimeColumn times;      // Unix nanoseconds, 4 bytes a row given the row's day
//   times.push_back(ns, day);
//   times.At(0, day);      // ns
#ifndef CADRE_SRC_KPI_COLUMNS_H_
#define CADRE_SRC_KPI_COLUMNS_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "absl/container/flat_hash_map.h"

namespace cadre::kpi_internal {

// Seqs: strictly increasing 64-bit numbers kept as their low 32 bits, with the
// high bits recorded once per run of rows that share them (one run until the
// log passes four billion events).
class SeqColumn {
 public:
  std::size_t size() const { return low_.size(); }
  bool empty() const { return low_.empty(); }
  uint64_t back() const { return (*this)[low_.size() - 1]; }
  uint64_t operator[](std::size_t row) const {
    uint64_t high = runs_.back().high;
    if (ABSL_PREDICT_FALSE(runs_.size() > 1)) {
      auto it =
          std::upper_bound(runs_.begin(), runs_.end(), row, [](std::size_t r, const Run& x) { return r < x.row; });
      high = std::prev(it)->high;
    }
    return (high << 32) | low_[row];
  }
  void push_back(uint64_t seq) {
    const auto high = static_cast<uint32_t>(seq >> 32);
    if (runs_.empty() || runs_.back().high != high) runs_.push_back(Run{low_.size(), high});
    low_.push_back(static_cast<uint32_t>(seq));
  }
  // The row holding `seq`, if any.
  std::optional<uint32_t> Find(uint64_t seq) const {
    std::size_t lo = 0, hi = low_.size();
    while (lo < hi) {
      const std::size_t mid = lo + (hi - lo) / 2;
      if ((*this)[mid] < seq) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    if (lo == low_.size() || (*this)[lo] != seq) return std::nullopt;
    return static_cast<uint32_t>(lo);
  }
  void clear() {
    low_.clear();
    runs_.clear();
  }
  std::size_t Bytes() const { return low_.capacity() * sizeof(uint32_t) + runs_.capacity() * sizeof(Run); }

 private:
  struct Run {
    std::size_t row;  // first row of the run
    uint32_t high;
  };
  std::vector<uint32_t> low_;
  std::vector<Run> runs_;
};

// Values kept in a narrower type as their distance from kBase; the rare value
// that does not fit is kept whole, aside by row (its slot holds the narrow type's
// minimum, which no value is kept as).
template <typename Wide, typename Narrow, Wide kBase>
class NarrowColumn {
 public:
  static constexpr Narrow kAside = std::numeric_limits<Narrow>::min();
  std::size_t size() const { return small_.size(); }
  Wide operator[](std::size_t row) const {
    const Narrow v = small_[row];
    if (ABSL_PREDICT_TRUE(v != kAside)) return static_cast<Wide>(kBase + v);
    return Aside(row);
  }
  void push_back(Wide v) {
    // Compared on the wide side, where v - kBase cannot overflow for the
    // columns below (int64 amounts from 0, int32 days from a base near 0).
    if (v > kBase + kAside && v <= kBase + std::numeric_limits<Narrow>::max()) {
      small_.push_back(static_cast<Narrow>(v - kBase));
    } else {
      aside_.emplace(static_cast<uint32_t>(small_.size()), v);
      small_.push_back(kAside);
    }
  }
  // Asks the cache for a row's slot ahead of its use (a hint: no effect on values).
  void Prefetch(std::size_t row) const { __builtin_prefetch(small_.data() + row); }
  // Calls fn(row), in row order, for every row whose value may lie in [lo, hi]:
  // each row whose value does, and each row kept aside, which fn must test
  // itself. The narrow values are filtered a block at a time without a branch
  // per row, so a scan that keeps few rows does not pay a misprediction for each.
  template <typename Fn>
  void ForEachRowMaybeIn(Wide lo, Wide hi, Fn&& fn) const {
    // The narrow range [nlo, nhi] (empty when nlo > nhi); kAside always passes.
    constexpr Wide kMin = kBase + kAside + 1, kMax = kBase + std::numeric_limits<Narrow>::max();
    int64_t nlo = 1, nhi = 0;
    if (lo <= hi && hi >= kMin && lo <= kMax) {
      nlo = static_cast<int64_t>(std::max(lo, kMin) - kBase);
      nhi = static_cast<int64_t>(std::min(hi, kMax) - kBase);
    }
    const uint64_t span = nlo <= nhi ? static_cast<uint64_t>(nhi - nlo) : 0;
    const bool none = nlo > nhi;
    constexpr std::size_t kBlock = 2048;
    uint32_t hits[kBlock];
    const Narrow* v = small_.data();
    const std::size_t n = small_.size();
    for (std::size_t begin = 0; begin < n; begin += kBlock) {
      const std::size_t end = std::min(n, begin + kBlock);
      std::size_t k = 0;
      for (std::size_t r = begin; r < end; ++r) {
        const int64_t x = v[r];
        const bool in = !none && static_cast<uint64_t>(x - nlo) <= span;
        hits[k] = static_cast<uint32_t>(r);
        k += static_cast<std::size_t>(in | (x == kAside));
      }
      for (std::size_t i = 0; i < k; ++i) fn(hits[i]);
    }
  }
  void clear() {
    small_.clear();
    aside_.clear();
  }
  std::size_t Bytes() const {
    return small_.capacity() * sizeof(Narrow) + aside_.capacity() * (sizeof(std::pair<const uint32_t, Wide>) + 1);
  }

 private:
  // Out of line, so that operator[] inlines into the engine's loops.
  ABSL_ATTRIBUTE_NOINLINE Wide Aside(std::size_t row) const { return aside_.at(static_cast<uint32_t>(row)); }

  std::vector<Narrow> small_;
  absl::flat_hash_map<uint32_t, Wide> aside_;
};

// Amounts (minor units, or a survey score): 32 bits each; the rare value that
// does not fit (beyond some 21 million yuan in fen) is kept aside.
using AmountColumn = NarrowColumn<int64_t, int32_t, 0>;

// Civil day numbers (days since 1970-01-01): 16 bits each from 2000-01-01, which
// covers April 1910 to September 2089; a day outside is kept aside.
using DayColumn = NarrowColumn<int32_t, int16_t, 10957>;

// Instants (Unix nanoseconds) of facts whose civil day the engine holds anyway:
// each is kept as whole milliseconds from the UTC midnight that starts that day
// number, which for a civil day in any zone is within a few days either side, so
// 32 bits; an instant finer than a millisecond (or absurdly far from its day) is
// kept whole, aside by row. Comparing At() of two rows orders them exactly.
class TimeColumn {
 public:
  static constexpr int32_t kAside = INT32_MIN;
  static constexpr int64_t kNanosPerMilli = 1'000'000;
  static constexpr int64_t kMillisPerDay = 86'400'000;

  std::size_t size() const { return offset_.size(); }
  // `day` must be the one given to push_back for `row`.
  int64_t At(std::size_t row, int32_t day) const {
    const int32_t v = offset_[row];
    if (ABSL_PREDICT_TRUE(v != kAside)) return (int64_t{day} * kMillisPerDay + v) * kNanosPerMilli;
    return Aside(row);
  }
  void push_back(int64_t ns, int32_t day) {
    // |ns| / 1e6 and |day| * 8.64e7 both stay far inside int64.
    const int64_t offset = ns / kNanosPerMilli - int64_t{day} * kMillisPerDay;
    if (ns % kNanosPerMilli == 0 && offset > kAside && offset <= INT32_MAX) {
      offset_.push_back(static_cast<int32_t>(offset));
    } else {
      aside_.emplace(static_cast<uint32_t>(offset_.size()), ns);
      offset_.push_back(kAside);
    }
  }
  void clear() {
    offset_.clear();
    aside_.clear();
  }
  std::size_t Bytes() const {
    return offset_.capacity() * sizeof(int32_t) + aside_.capacity() * (sizeof(std::pair<const uint32_t, int64_t>) + 1);
  }

 private:
  ABSL_ATTRIBUTE_NOINLINE int64_t Aside(std::size_t row) const { return aside_.at(static_cast<uint32_t>(row)); }

  std::vector<int32_t> offset_;
  absl::flat_hash_map<uint32_t, int64_t> aside_;
};

}  // namespace cadre::kpi_internal

#endif  // CADRE_SRC_KPI_COLUMNS_H_
