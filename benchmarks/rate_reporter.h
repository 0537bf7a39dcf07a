// rate_reporter.h — the console reporter the benchmarks share: Google Benchmark's
// console output, plus each run's rate in items per second of wall time
// (items_per_second) and of the benchmark thread's CPU time. On a busy machine
// wall time also counts waiting for a core; CPU time does not (but it leaves out
// waiting for I/O), so the summaries print both.
#ifndef CADRE_BENCHMARKS_RATE_REPORTER_H_
#define CADRE_BENCHMARKS_RATE_REPORTER_H_

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"

namespace cadre::bench {

class RateReporter : public benchmark::ConsoleReporter {
 public:
  struct Rates {
    double wall = 0;
    double cpu = 0;
  };

  // `items` is how many items one iteration handles (events, rows), to turn CPU
  // time into a rate.
  explicit RateReporter(std::size_t items) : items_(items) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      if (run.run_type == Run::RT_Aggregate && run.aggregate_name != "mean") continue;
      auto it = run.counters.find("items_per_second");
      if (it == run.counters.end()) continue;
      const double cpu_seconds = run.GetAdjustedCPUTime() / benchmark::GetTimeUnitMultiplier(run.time_unit);
      std::string name = run.run_name.function_name;
      if (!run.run_name.args.empty()) name += "/" + run.run_name.args;
      rates_[name] = {it->second.value, cpu_seconds > 0 ? static_cast<double>(items_) / cpu_seconds : 0};
    }
  }

  // The rates of the run named `name` ("BM_X", or "BM_X/args"), if it ran.
  std::optional<Rates> Get(const std::string& name) const {
    auto it = rates_.find(name);
    return it == rates_.end() ? std::nullopt : std::optional<Rates>(it->second);
  }

 private:
  std::size_t items_;
  std::map<std::string, Rates> rates_;
};

}  // namespace cadre::bench

#endif  // CADRE_BENCHMARKS_RATE_REPORTER_H_
