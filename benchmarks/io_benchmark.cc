// io_benchmark — bulk import and export (cadre/io.h) of a million purchase rows:
// how fast, and whether the import's memory stays bounded by the batch size
// ("an import of a million purchase rows must not hold them all in memory at once").
//
//   io_benchmark [--cadre_rows=N] [Google Benchmark flags]
//
// The input is generated on demand by a std::streambuf (GeneratedInput): N = 1,000,000
// purchase rows such as
//
//   id,occurred_at,customer,manager,amount_minor,category,sku
//   S-0000002,2025-06-18T10:00:07+08:00,C-07919,M-119,4928,wine,SKU-0031
//
// produced a block at a time as the importer reads, so the input itself never sits
// in memory. Each benchmark reads or writes all N rows per iteration:
//
//   BM_GenerateCsv            reading the generated CSV to its end: the generator's own
//                             cost, included in every import figure
//   BM_CsvImportMemory/B      io::Import of the CSV into memory:, batch_size B
//   BM_CsvImportSqlite/B      the same into sqlite: (a fresh file in $TMPDIR)
//   BM_NdjsonImportMemory/B   the same rows as NDJSON into memory:
//   BM_TypedIngestMemory/B    the baseline: Workspace::Ingest of the same events as
//   BM_TypedIngestSqlite/B    std::vector<Event> batches of B (each batch built with
//                             the timer paused), into memory: / sqlite:
//   BM_CsvExportMemory        io::Export of the N events from memory: as CSV to a
//                             stream that discards what it is given
//
// Memory. Peak resident memory cannot be measured inside this process: after the
// first iteration the C library's free lists and the memory store's BlockPool hold
// pages that later imports reuse without growing the RSS. So every import
// benchmark also runs its import once in a fresh process (this program, re-run with
// --cadre_measure=CASE), which resets VmHWM (writes "5" to /proc/self/clear_refs;
// if that is refused, it samples VmRSS in the progress callback instead), imports,
// and prints VmRSS before, VmHWM (the peak) and VmRSS after (once malloc_trim has
// handed back what the C library kept of freed memory). The counters:
//
//   peak_B/row   (peak - before) / N: all the import made resident, store included
//   end_B/row    (after - before) / N: what is still live when it is done — for
//                memory: the events the store keeps by design; for sqlite: its
//                page cache and the connection
//   transient_MiB  peak - after: the importer's own footprint (the batch and what
//                converting and committing it takes)
//
// The summary after the table repeats them with the ratios to the typed ingest,
// and re-measures the batch-10,000 imports with N/4 rows: a footprint bounded by
// the batch is the same for both input sizes. See benchmarks/README.md.
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <istream>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "cadre/event.h"
#include "cadre/io.h"
#include "cadre/status.h"
#include "cadre/store.h"
#include "cadre/workspace.h"
#include "rate_reporter.h"

namespace {

using cadre::Event;
namespace io = cadre::io;

std::size_t g_rows = 1'000'000;
const absl::Time kRecordedAt = absl::FromUnixSeconds(1767225600);  // 2026-01-01: a fixed ingest clock
constexpr std::size_t kBatchSizes[] = {1'000, 10'000, 100'000};
constexpr std::size_t kDefaultBatch = 10'000;

// ---- The rows -------------------------------------------------------------------------

constexpr std::string_view kCategories[] = {"tea", "wine", "snacks", "spirits", "gifts", "coffee", "fruit", "dairy"};
const absl::CivilSecond kFirstSale(2025, 6, 18, 10, 0, 0);  // in +08:00

// Row i (0-based) of the input: the same values for the CSV, the NDJSON and the
// typed events of the baseline. Seven seconds apart, so the rows are in time order
// (as exports of a till system are) and span about 81 days.
struct Purchase {
  std::size_t number = 0;  // i + 1: the id's digits
  absl::CivilSecond at;
  int customer = 0;
  int manager = 0;
  int64_t amount_minor = 0;
  std::string_view category;
  int sku = 0;
};

Purchase PurchaseAt(std::size_t i) {
  Purchase p;
  p.number = i + 1;
  p.at = kFirstSale + static_cast<int64_t>(i) * 7;
  p.customer = static_cast<int>((i * 7919) % 50'000);
  p.manager = p.customer % 200;
  p.amount_minor = 100 + static_cast<int64_t>((i * 104'729) % 99'901);
  p.category = kCategories[i % std::size(kCategories)];
  p.sku = static_cast<int>((i * 31) % 5'000);
  return p;
}

Event EventOf(const Purchase& p) {
  char id[32];
  std::snprintf(id, sizeof id, "S-%07zu", p.number);
  Event e;
  e.id = id;
  e.kind = cadre::EventKind::kSale;
  e.occurred_at = absl::FromCivil(p.at, absl::FixedTimeZone(8 * 3600));
  e.customer = absl::StrCat("C-", absl::Dec(p.customer, absl::kZeroPad5));
  e.manager = absl::StrCat("M-", absl::Dec(p.manager, absl::kZeroPad3));
  e.amount_minor = p.amount_minor;
  e.category = std::string(p.category);
  e.sku = absl::StrCat("SKU-", absl::Dec(p.sku, absl::kZeroPad4));
  return e;
}

// Appends `v` in decimal, left-padded with zeros to `width` digits.
char* PutNumber(char* out, int64_t v, int width = 0) {
  char digits[24];
  char* end = std::to_chars(digits, digits + sizeof digits, v).ptr;
  for (int n = static_cast<int>(end - digits); n < width; ++n) *out++ = '0';
  return std::copy(digits, end, out);
}

char* PutText(char* out, std::string_view s) { return std::copy(s.begin(), s.end(), out); }

// RFC 3339 with the +08:00 offset of the civil time.
char* PutTime(char* out, const absl::CivilSecond& t) {
  out = PutNumber(out, t.year(), 4);
  *out++ = '-';
  out = PutNumber(out, t.month(), 2);
  *out++ = '-';
  out = PutNumber(out, t.day(), 2);
  *out++ = 'T';
  out = PutNumber(out, t.hour(), 2);
  *out++ = ':';
  out = PutNumber(out, t.minute(), 2);
  *out++ = ':';
  out = PutNumber(out, t.second(), 2);
  return PutText(out, "+08:00");
}

enum class InputFormat { kCsv, kNdjson };

constexpr std::size_t kMaxRowBytes = 256;

// Writes row i at `out` (at most kMaxRowBytes); returns the end.
char* PutRow(char* out, InputFormat format, std::size_t i) {
  const Purchase p = PurchaseAt(i);
  if (format == InputFormat::kCsv) {
    out = PutText(out, "S-");
    out = PutNumber(out, static_cast<int64_t>(p.number), 7);
    *out++ = ',';
    out = PutTime(out, p.at);
    out = PutText(out, ",C-");
    out = PutNumber(out, p.customer, 5);
    out = PutText(out, ",M-");
    out = PutNumber(out, p.manager, 3);
    *out++ = ',';
    out = PutNumber(out, p.amount_minor);
    *out++ = ',';
    out = PutText(out, p.category);
    out = PutText(out, ",SKU-");
    out = PutNumber(out, p.sku, 4);
  } else {
    out = PutText(out, R"({"id":"S-)");
    out = PutNumber(out, static_cast<int64_t>(p.number), 7);
    out = PutText(out, R"(","occurred_at":")");
    out = PutTime(out, p.at);
    out = PutText(out, R"(","customer":"C-)");
    out = PutNumber(out, p.customer, 5);
    out = PutText(out, R"(","manager":"M-)");
    out = PutNumber(out, p.manager, 3);
    out = PutText(out, R"(","amount_minor":)");
    out = PutNumber(out, p.amount_minor);
    out = PutText(out, R"(,"category":")");
    out = PutText(out, p.category);
    out = PutText(out, R"(","sku":"SKU-)");
    out = PutNumber(out, p.sku, 4);
    out = PutText(out, R"("})");
  }
  *out++ = '\n';
  return out;
}

// The input: a header (CSV) and `rows` rows, made a block at a time as the
// reader asks for them. Only one block (64 KiB) exists at any time.
class GeneratedInput : public std::streambuf {
 public:
  GeneratedInput(InputFormat format, std::size_t rows) : format_(format), rows_(rows) {}
  std::size_t bytes() const { return bytes_; }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    char* out = block_.data();
    char* const limit = block_.data() + kBlockBytes;
    if (!started_) {
      started_ = true;
      if (format_ == InputFormat::kCsv)
        out = PutText(out, "id,occurred_at,customer,manager,amount_minor,category,sku\n");
    }
    while (next_ < rows_ && out < limit) out = PutRow(out, format_, next_++);
    if (out == block_.data()) return traits_type::eof();
    bytes_ += static_cast<std::size_t>(out - block_.data());
    setg(block_.data(), block_.data(), out);
    return traits_type::to_int_type(*gptr());
  }

 private:
  static constexpr std::size_t kBlockBytes = 64 << 10;
  const InputFormat format_;
  const std::size_t rows_;
  std::size_t next_ = 0;
  std::size_t bytes_ = 0;
  bool started_ = false;
  std::array<char, kBlockBytes + kMaxRowBytes> block_;
};

// An output stream that counts what it is given and keeps none of it.
class NullOutput : public std::streambuf {
 public:
  std::size_t bytes() const { return bytes_; }

 protected:
  std::streamsize xsputn(const char*, std::streamsize n) override {
    bytes_ += static_cast<std::size_t>(n);
    return n;
  }
  int_type overflow(int_type c) override {
    if (!traits_type::eq_int_type(c, traits_type::eof())) ++bytes_;
    return traits_type::not_eof(c);
  }

 private:
  std::size_t bytes_ = 0;
};

// The typed events of rows [begin, end).
std::vector<Event> EventBatch(std::size_t begin, std::size_t end) {
  std::vector<Event> events;
  events.reserve(end - begin);
  for (std::size_t i = begin; i < end; ++i) events.push_back(EventOf(PurchaseAt(i)));
  return events;
}

// ---- Workspaces -------------------------------------------------------------------

std::string TempPath(std::string_view what) {
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
  if (ec) dir = "/tmp";
  return (dir / absl::StrCat("cadre_io_", getpid(), "_", cadre::AbslView(what), ".db")).string();
}

void RemoveDatabase(const std::string& path) {
  std::error_code ec;
  for (const std::string& p : {path, path + "-wal", path + "-shm"}) std::filesystem::remove(p, ec);
}

// A fresh, empty workspace: memory:, or sqlite: at `file` (removed first).
absl::StatusOr<std::unique_ptr<cadre::Workspace>> OpenWorkspace(const std::string& file) {
  if (!file.empty()) RemoveDatabase(file);
  return cadre::Workspace::Open(file.empty() ? "memory:" : "sqlite:" + file,
                                {.currency = "CNY", .time_zone = "Asia/Shanghai", .clock = [] { return kRecordedAt; }});
}

// What one import or ingest does, in the timed loop and in the measuring process.
struct Case {
  enum Path { kCsv, kNdjson, kTyped } path = kCsv;
  bool sqlite = false;
  std::size_t batch = kDefaultBatch;
  std::size_t rows = 0;

  std::string Name() const {
    return absl::StrCat(path == kCsv      ? "csv"
                        : path == kNdjson ? "ndjson"
                                          : "typed",
                        ":", sqlite ? "sqlite" : "memory", ":", batch, ":", rows);
  }
  static std::optional<Case> Parse(std::string_view name) {
    Case c;
    char path[16], backend[16];
    std::size_t batch = 0, rows = 0;
    if (std::sscanf(std::string(name).c_str(), "%15[a-z]:%15[a-z]:%zu:%zu", path, backend, &batch, &rows) != 4)
      return std::nullopt;
    const std::string_view p(path), b(backend);
    if (p == "csv") {
      c.path = kCsv;
    } else if (p == "ndjson") {
      c.path = kNdjson;
    } else if (p == "typed") {
      c.path = kTyped;
    } else {
      return std::nullopt;
    }
    if (b != "memory" && b != "sqlite") return std::nullopt;
    c.sqlite = b == "sqlite";
    if (batch == 0 || rows == 0) return std::nullopt;
    c.batch = batch;
    c.rows = rows;
    return c;
  }
};

// Runs the case against `ws`. `batch_done` is called after each batch (the import's
// progress callback, or after each typed Ingest), `pause` / `resume` around the
// untimed building of each typed batch. Returns an error message, or "".
template <class BatchDone, class Pause, class Resume>
std::string RunCase(const Case& c, cadre::Workspace& ws, BatchDone batch_done, Pause pause, Resume resume) {
  if (c.path == Case::kTyped) {
    for (std::size_t begin = 0; begin < c.rows; begin += c.batch) {
      pause();
      std::vector<Event> batch = EventBatch(begin, std::min(c.rows, begin + c.batch));
      const std::size_t n = batch.size();
      resume();
      absl::StatusOr<cadre::IngestReport> r = ws.Ingest(std::move(batch), cadre::IngestMode::kAtomic);
      if (!r.ok()) return std::string(r.status().message());
      if (!r->committed || r->accepted != n) return "a typed batch was not accepted whole";
      batch_done();
    }
    return "";
  }
  GeneratedInput input(c.path == Case::kCsv ? InputFormat::kCsv : InputFormat::kNdjson, c.rows);
  std::istream in(&input);
  io::ImportOptions options;
  options.format = c.path == Case::kCsv ? io::Format::kCsv : io::Format::kNdjson;
  options.batch_size = c.batch;
  options.progress = [&](const io::ImportProgress&) {
    batch_done();
    return true;
  };
  absl::StatusOr<io::ImportReport> r = io::Import(ws, io::RecordKind::kPurchases, in, options);
  if (!r.ok()) return std::string(r.status().message());
  if (!r->complete || r->accepted != c.rows) {
    return absl::StrCat("import incomplete: ", r->accepted, " accepted, ", r->rejected, " rejected",
                        r->errors.empty() ? "" : ": ", r->errors.empty() ? "" : r->errors.front().message);
  }
  return "";
}

// ---- Memory, measured in a fresh process ---------------------------------------------

// A field of /proc/self/status in bytes ("VmRSS:   1234 kB"), or -1.
int64_t ProcStatus(std::string_view field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.size() > field.size() && line.compare(0, field.size(), field) == 0 && line[field.size()] == ':')
      return std::atoll(line.c_str() + field.size() + 1) * 1024;
  }
  return -1;
}

struct Footprint {
  int64_t before = 0;  // VmRSS before the import
  int64_t peak = 0;    // VmHWM after it (or the largest VmRSS sampled)
  int64_t after = 0;   // VmRSS after it
  bool hwm_reset = false;
  std::string error;

  double PeakPerRow(std::size_t rows) const { return static_cast<double>(peak - before) / static_cast<double>(rows); }
  double EndPerRow(std::size_t rows) const { return static_cast<double>(after - before) / static_cast<double>(rows); }
  double TransientMiB() const { return static_cast<double>(peak - after) / (1 << 20); }
};

// --cadre_measure=CASE: run the case once in this (fresh) process and print its
// footprint on stdout for the parent.
int MeasureMain(std::string_view name) {
  std::optional<Case> c = Case::Parse(name);
  if (!c) {
    std::fprintf(stderr, "bad --cadre_measure case: %.*s\n", static_cast<int>(name.size()), name.data());
    return 2;
  }
  const std::string file = c->sqlite ? TempPath("measure") : "";
  absl::StatusOr<std::unique_ptr<cadre::Workspace>> ws = OpenWorkspace(file);
  if (!ws.ok()) {
    std::printf("error %s\n", std::string(ws.status().message()).c_str());
    return 1;
  }
  Footprint f;
  malloc_trim(0);  // see below
  f.before = ProcStatus("VmRSS");
  {
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";
    clear.flush();
    f.hwm_reset = clear.good() && ProcStatus("VmHWM") <= f.before + (1 << 20);
  }
  int64_t sampled = f.before;
  const auto sample = [&] { sampled = std::max(sampled, ProcStatus("VmRSS")); };
  f.error = RunCase(
      *c, **ws, sample, [] {}, sample);
  const int64_t untrimmed = ProcStatus("VmRSS");
  // What the C library keeps of freed memory (the last batches, parse buffers)
  // stays resident until trimmed: give it back, so that `after` is what is live.
  malloc_trim(0);
  f.after = ProcStatus("VmRSS");
  f.peak = f.hwm_reset ? ProcStatus("VmHWM") : std::max(sampled, untrimmed);
  ws->reset();
  if (!file.empty()) RemoveDatabase(file);
  if (!f.error.empty()) {
    std::printf("error %s\n", f.error.c_str());
    return 1;
  }
  std::printf("footprint %lld %lld %lld %d\n", static_cast<long long>(f.before), static_cast<long long>(f.peak),
              static_cast<long long>(f.after), f.hwm_reset ? 1 : 0);
  return 0;
}

std::string g_self;  // this program, for the measuring processes

std::map<std::string, Footprint>& Footprints() {
  static std::map<std::string, Footprint>* cache = new std::map<std::string, Footprint>;
  return *cache;
}

// The footprint of `c`, if it has been measured.
const Footprint* Measured(const Case& c) {
  auto it = Footprints().find(c.Name());
  return it == Footprints().end() ? nullptr : &it->second;
}

// The footprint of `c`, measured once per process run in a child process.
const Footprint& Measure(const Case& c) {
  std::map<std::string, Footprint>* cache = &Footprints();
  const std::string name = c.Name();
  if (auto it = cache->find(name); it != cache->end()) return it->second;
  Footprint& f = (*cache)[name];
  const std::string command = absl::StrCat("'", g_self, "' --cadre_measure=", name);
  std::fflush(stdout);
  FILE* child = popen(command.c_str(), "r");
  if (child == nullptr) {
    f.error = "cannot start the measuring process";
    return f;
  }
  char line[512] = {};
  long long before = 0, peak = 0, after = 0;
  int reset = 0;
  bool parsed = false;
  while (std::fgets(line, sizeof line, child) != nullptr) {
    if (std::sscanf(line, "footprint %lld %lld %lld %d", &before, &peak, &after, &reset) == 4) {
      parsed = true;
    } else if (std::string_view(line).substr(0, 6) == "error ") {
      f.error = std::string(line + 6);
      while (!f.error.empty() && f.error.back() == '\n') f.error.pop_back();
    }
  }
  const int status = pclose(child);
  if (!parsed || status != 0) {
    if (f.error.empty()) f.error = absl::StrCat("the measuring process failed (status ", status, ")");
    return f;
  }
  f.before = before;
  f.peak = peak;
  f.after = after;
  f.hwm_reset = reset != 0;
  return f;
}

void SetMemoryCounters(benchmark::State& state, const Case& c) {
  const Footprint& f = Measure(c);
  if (!f.error.empty()) {
    state.SkipWithError(f.error.c_str());
    return;
  }
  state.counters["peak_B/row"] = f.PeakPerRow(c.rows);
  state.counters["end_B/row"] = f.EndPerRow(c.rows);
  state.counters["transient_MiB"] = f.TransientMiB();
}

// ---- Benchmarks -------------------------------------------------------------------

void Finish(benchmark::State& state, std::size_t bytes) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(g_rows));
  if (bytes > 0) state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(bytes));
}

void BM_GenerateCsv(benchmark::State& state) {
  std::size_t bytes = 0;
  for (auto _ : state) {
    GeneratedInput input(InputFormat::kCsv, g_rows);
    std::istream in(&input);
    char buf[1 << 16];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) benchmark::DoNotOptimize(buf);
    bytes = input.bytes();
  }
  Finish(state, bytes);
}
BENCHMARK(BM_GenerateCsv)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

void RunTimed(benchmark::State& state, Case c) {
  c.rows = g_rows;
  c.batch = static_cast<std::size_t>(state.range(0));
  SetMemoryCounters(state, c);
  if (state.error_occurred()) return;
  const std::string file = c.sqlite ? TempPath("timed") : "";
  for (auto _ : state) {
    state.PauseTiming();
    absl::StatusOr<std::unique_ptr<cadre::Workspace>> ws = OpenWorkspace(file);
    if (!ws.ok()) {
      state.SkipWithError(std::string(ws.status().message()).c_str());
      break;
    }
    state.ResumeTiming();
    const std::string error = RunCase(
        c, **ws, [] {}, [&] { state.PauseTiming(); }, [&] { state.ResumeTiming(); });
    state.PauseTiming();
    ws->reset();
    state.ResumeTiming();
    if (!error.empty()) {
      state.SkipWithError(error.c_str());
      break;
    }
  }
  if (!file.empty()) RemoveDatabase(file);
  Finish(state, 0);
}

void BatchArgs(benchmark::internal::Benchmark* b) {
  b->ArgName("batch")->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
  for (std::size_t batch : kBatchSizes) b->Arg(static_cast<int64_t>(batch));
}
void DefaultBatchArg(benchmark::internal::Benchmark* b) {
  b->ArgName("batch")->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
  b->Arg(static_cast<int64_t>(kDefaultBatch));
}

void BM_TypedIngestMemory(benchmark::State& state) { RunTimed(state, {.path = Case::kTyped}); }
BENCHMARK(BM_TypedIngestMemory)->Apply(DefaultBatchArg);

void BM_CsvImportMemory(benchmark::State& state) { RunTimed(state, {.path = Case::kCsv}); }
BENCHMARK(BM_CsvImportMemory)->Apply(BatchArgs);

void BM_NdjsonImportMemory(benchmark::State& state) { RunTimed(state, {.path = Case::kNdjson}); }
BENCHMARK(BM_NdjsonImportMemory)->Apply(DefaultBatchArg);

void BM_TypedIngestSqlite(benchmark::State& state) { RunTimed(state, {.path = Case::kTyped, .sqlite = true}); }
BENCHMARK(BM_TypedIngestSqlite)->Apply(DefaultBatchArg);

void BM_CsvImportSqlite(benchmark::State& state) { RunTimed(state, {.path = Case::kCsv, .sqlite = true}); }
BENCHMARK(BM_CsvImportSqlite)->Apply(BatchArgs);

// The N events in a memory: workspace, filled once (untimed) for the export.
cadre::Workspace* ExportSource(std::string& error) {
  static std::unique_ptr<cadre::Workspace> ws;
  if (ws != nullptr) return ws.get();
  absl::StatusOr<std::unique_ptr<cadre::Workspace>> opened = OpenWorkspace("");
  if (!opened.ok()) {
    error = std::string(opened.status().message());
    return nullptr;
  }
  error = RunCase(
      {.path = Case::kTyped, .rows = g_rows}, **opened, [] {}, [] {}, [] {});
  if (!error.empty()) return nullptr;
  ws = *std::move(opened);
  return ws.get();
}

void BM_CsvExportMemory(benchmark::State& state) {
  std::string error;
  cadre::Workspace* ws = ExportSource(error);
  if (ws == nullptr) {
    state.SkipWithError(error.c_str());
    return;
  }
  std::size_t bytes = 0;
  for (auto _ : state) {
    NullOutput sink;
    std::ostream out(&sink);
    absl::StatusOr<io::ExportReport> r = io::Export(*ws, io::RecordKind::kPurchases, out);
    if (!r.ok() || r->rows != g_rows) {
      state.SkipWithError(r.ok() ? "export wrote the wrong number of rows" : std::string(r.status().message()).c_str());
      break;
    }
    bytes = sink.bytes();
  }
  Finish(state, bytes);
}
BENCHMARK(BM_CsvExportMemory)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

// ---- Reporting ---------------------------------------------------------------------------

using RateReporter = cadre::bench::RateReporter;

std::string RunName(const char* function, std::size_t batch) { return absl::StrCat(function, "/batch:", batch); }

void PrintSummary(const RateReporter& r) {
  std::printf("\nImport of %zu purchase rows (rows/s; wall time, CPU time)\n", g_rows);
  std::printf("  %-36s %12s %12s\n", "", "wall time", "CPU time");
  for (const char* f : {"BM_GenerateCsv", "BM_CsvExportMemory"}) {
    if (auto rate = r.Get(f)) std::printf("  %-36s %12.0f %12.0f\n", f, rate->wall, rate->cpu);
  }
  for (const char* f : {"BM_TypedIngestMemory", "BM_CsvImportMemory", "BM_NdjsonImportMemory", "BM_TypedIngestSqlite",
                        "BM_CsvImportSqlite"}) {
    for (std::size_t batch : kBatchSizes) {
      const std::string name = RunName(f, batch);
      if (auto rate = r.Get(name)) std::printf("  %-36s %12.0f %12.0f\n", name.c_str(), rate->wall, rate->cpu);
    }
  }

  std::printf("\nImport / typed Workspace::Ingest, batches of %zu (wall time; CPU time in brackets)\n", kDefaultBatch);
  auto ratio = [&](const char* label, const char* import, const char* typed) {
    auto x = r.Get(RunName(import, kDefaultBatch)), y = r.Get(RunName(typed, kDefaultBatch));
    if (!x || !y || y->wall <= 0 || y->cpu <= 0) return;
    std::printf("  %-36s %6.2f (%4.2f)\n", label, x->wall / y->wall, x->cpu / y->cpu);
  };
  ratio("CSV -> memory: / typed -> memory:", "BM_CsvImportMemory", "BM_TypedIngestMemory");
  ratio("NDJSON -> memory: / typed -> memory:", "BM_NdjsonImportMemory", "BM_TypedIngestMemory");
  ratio("CSV -> sqlite: / typed -> sqlite:", "BM_CsvImportSqlite", "BM_TypedIngestSqlite");

  std::printf(
      "\nResident memory of the import, each in a fresh process (growth over VmRSS before it)\n"
      "  %-20s %7s %8s %10s %11s %10s %14s %17s\n",
      "case", "batch", "rows", "peak MiB", "peak B/row", "end B/row", "transient MiB", "transient B/row*");
  struct Row {
    const char* label;
    Case c;
  };
  std::vector<Row> rows;
  for (std::size_t batch : kBatchSizes) rows.push_back({"CSV -> memory:", {.path = Case::kCsv, .batch = batch}});
  rows.push_back({"CSV -> memory:", {.path = Case::kCsv, .batch = kDefaultBatch, .rows = g_rows / 4}});
  rows.push_back({"NDJSON -> memory:", {.path = Case::kNdjson}});
  rows.push_back({"typed -> memory:", {.path = Case::kTyped}});
  for (std::size_t batch : kBatchSizes)
    rows.push_back({"CSV -> sqlite:", {.path = Case::kCsv, .sqlite = true, .batch = batch}});
  rows.push_back({"CSV -> sqlite:", {.path = Case::kCsv, .sqlite = true, .batch = kDefaultBatch, .rows = g_rows / 4}});
  rows.push_back({"typed -> sqlite:", {.path = Case::kTyped, .sqlite = true}});
  bool any_sampled = false;
  for (Row& row : rows) {
    // The cases whose benchmark ran; the N/4 re-measurements of those.
    Case full = row.c;
    full.rows = g_rows;
    if (row.c.rows == 0) row.c.rows = g_rows;
    if (Measured(full) == nullptr || row.c.rows == 0) continue;
    const Footprint& f = Measure(row.c);
    if (!f.error.empty()) {
      std::printf("  %-20s %7zu %8zu  error: %s\n", row.label, row.c.batch, row.c.rows, f.error.c_str());
      continue;
    }
    any_sampled = any_sampled || !f.hwm_reset;
    std::printf("  %-20s %7zu %8zu %10.1f %11.1f %10.1f %14.1f %17.1f\n", row.label, row.c.batch, row.c.rows,
                static_cast<double>(f.peak - f.before) / (1 << 20), f.PeakPerRow(row.c.rows), f.EndPerRow(row.c.rows),
                f.TransientMiB(), static_cast<double>(f.peak - f.after) / static_cast<double>(row.c.batch));
  }
  std::printf("  * transient bytes per row of a batch: (peak - end) / batch size\n");
  if (any_sampled)
    std::printf("  (clear_refs refused in some runs: their peak is the largest VmRSS sampled between batches)\n");
}

// Takes --cadre_rows=N and --cadre_measure=CASE out of argv before Google Benchmark
// sees them.
std::optional<std::string> ParseOwnFlags(int& argc, char** argv) {
  std::optional<std::string> measure;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg(argv[i]);
    if (arg.substr(0, 13) == "--cadre_rows=") {
      const long long n = std::atoll(argv[i] + 13);
      if (n > 0) g_rows = static_cast<std::size_t>(n);
    } else if (arg.substr(0, 16) == "--cadre_measure=") {
      measure = std::string(arg.substr(16));
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  return measure;
}

}  // namespace

int main(int argc, char** argv) {
  if (std::optional<std::string> measure = ParseOwnFlags(argc, argv)) return MeasureMain(*measure);
  std::error_code ec;
  g_self = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  if (ec) g_self = argv[0];
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RateReporter reporter(g_rows);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  PrintSummary(reporter);
  benchmark::Shutdown();
  return 0;
}
