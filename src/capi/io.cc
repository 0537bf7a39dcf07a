// The C ABI of bulk import and export (cadre/io.h behind callbacks).
//
// The host's read and write callbacks are wrapped in std::streambufs. A failing
// callback throws a private exception out of the streambuf; the streams are set
// to rethrow it (exceptions(badbit)), so it unwinds out of io::Import before the
// batch being read is committed, and is turned into CADRE_ERROR_HOST_CALLBACK
// here. Nothing half-read is ever written.
#include <array>
#include <cstring>
#include <ios>
#include <istream>
#include <optional>
#include <ostream>
#include <streambuf>
#include <string>

#include "absl/strings/str_cat.h"
#include "boost/describe.hpp"
#include "cadre/cadre.h"
#include "cadre/io.h"
#include "cadre/json.h"
#include "cadre/status.h"
#include "capi/capi_internal.h"

namespace cadre::capi {
namespace {

struct ImportRequest {
  static constexpr std::string_view kRequired[] = {"kind"};
  io::RecordKind kind = io::RecordKind::kPurchases;
  io::Format format = io::Format::kCsv;
  IngestMode mode = IngestMode::kAtomic;
  int64_t batch_size = 10'000;
  int64_t max_errors = 1'000;
  std::optional<absl::Time> effective_from;

  absl::Status Validate(json::Path& path) const {
    if (batch_size < 1 || batch_size > 10'000'000) {
      json::PathScope scope(path, "batch_size");
      return FieldError(path.str(), "must be between 1 and 10000000", absl::StrCat(batch_size));
    }
    if (max_errors < 0) {
      json::PathScope scope(path, "max_errors");
      return FieldError(path.str(), "must not be negative", absl::StrCat(max_errors));
    }
    return absl::OkStatus();
  }
};
BOOST_DESCRIBE_STRUCT(ImportRequest, (), (kind, format, mode, batch_size, max_errors, effective_from))

struct ExportRequest {
  static constexpr std::string_view kRequired[] = {"kind"};
  io::RecordKind kind = io::RecordKind::kPurchases;
  io::Format format = io::Format::kCsv;
  std::optional<absl::Time> as_of;
  std::optional<absl::Time> from;
  std::optional<absl::Time> until;
  std::optional<std::string> manager;
  std::optional<std::string> customer;
  uint64_t after_seq = 0;
  std::optional<uint64_t> limit;
  bool all_columns = false;
  bool crlf = true;
};
BOOST_DESCRIBE_STRUCT(ExportRequest, (),
                      (kind, format, as_of, from, until, manager, customer, after_seq, limit, all_columns, crlf))

// Thrown out of a streambuf when the host's callback fails.
struct CallbackFailed {
  const char* callback;       // "read", "write", "progress"
  std::optional<int> result;  // none: the callback threw
};

class ReadBuf : public std::streambuf {
 public:
  ReadBuf(cadre_read_fn fn, void* user) : fn_(fn), user_(user) {}

  // Set once the callback failed. The stream may report it as its own
  // std::ios_base::failure rather than let CallbackFailed through.
  const std::optional<CallbackFailed>& failure() const { return failure_; }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    std::size_t n = 0;
    int rc = 0;
    try {
      rc = fn_(user_, buffer_.data(), buffer_.size(), &n);
    } catch (...) {
      Fail(std::nullopt);
    }
    if (rc != 0) Fail(rc);
    if (n > buffer_.size()) Fail(-1);
    if (n == 0) return traits_type::eof();
    setg(buffer_.data(), buffer_.data(), buffer_.data() + n);
    return traits_type::to_int_type(*gptr());
  }

 private:
  [[noreturn]] void Fail(std::optional<int> result) {
    failure_ = CallbackFailed{"read", result};
    throw *failure_;
  }

  cadre_read_fn fn_;
  void* user_;
  std::optional<CallbackFailed> failure_;
  std::array<char, 64 * 1024> buffer_;
};

class WriteBuf : public std::streambuf {
 public:
  WriteBuf(cadre_write_fn fn, void* user) : fn_(fn), user_(user) {
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }

  // Hands what is buffered to the host.
  void Drain() {
    const std::size_t n = static_cast<std::size_t>(pptr() - pbase());
    if (n == 0) return;
    int rc = 0;
    try {
      rc = fn_(user_, pbase(), n);
    } catch (...) {
      throw CallbackFailed{"write", std::nullopt};
    }
    if (rc != 0) throw CallbackFailed{"write", rc};
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }

 protected:
  int_type overflow(int_type ch) override {
    Drain();
    if (!traits_type::eq_int_type(ch, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(ch);
      pbump(1);
    }
    return traits_type::not_eof(ch);
  }
  int sync() override {
    Drain();
    return 0;
  }

 private:
  cadre_write_fn fn_;
  void* user_;
  std::array<char, 64 * 1024> buffer_;
};

template <class Request>
absl::StatusOr<Request> ReadRequest(const char* options_json) {
  CADRE_ASSIGN_OR_RETURN(boost::json::value v, json::ParseText(options_json, "options"));
  Request r{};
  CADRE_RETURN_IF_ERROR(json::FromValue(v, r, "options"));
  return r;
}

io::ImportOptions ToImportOptions(const ImportRequest& r, cadre_progress_fn progress, void* progress_user,
                                  io::ImportProgress* last) {
  io::ImportOptions o;
  o.format = r.format;
  o.mode = r.mode;
  o.batch_size = static_cast<std::size_t>(r.batch_size);
  o.max_errors = static_cast<std::size_t>(r.max_errors);
  o.effective_from = r.effective_from;
  o.progress = [progress, progress_user, last](const io::ImportProgress& p) {
    *last = p;
    if (progress == nullptr) return true;
    cadre_import_progress c{};
    c.struct_size = sizeof c;
    c.rows_read = p.rows_read;
    c.rows_committed = p.rows_committed;
    c.rows_rejected = p.rows_rejected;
    c.batches_committed = p.batches_committed;
    int go_on = 0;
    try {
      go_on = progress(progress_user, &c);
    } catch (...) {
      throw CallbackFailed{"progress", std::nullopt};
    }
    return go_on != 0;
  };
  return o;
}

absl::Status ImportCallbackError(const CallbackFailed& f, const io::ImportProgress& last) {
  return HostCallbackError(
      f.callback, f.result,
      absl::StrCat("the import stopped after ", last.batches_committed, " committed batches (rows 1 to ",
                   last.rows_read, " dealt with); nothing of the batch being read was written"),
      "cadre_import");
}

io::ExportOptions ToExportOptions(const ExportRequest& r) {
  io::ExportOptions o;
  o.format = r.format;
  o.as_of = r.as_of;
  o.events.from = r.from;
  o.events.until = r.until;
  o.events.manager = r.manager;
  o.events.customer = r.customer;
  o.events.after_seq = r.after_seq;
  o.events.limit = r.limit;
  o.all_columns = r.all_columns;
  o.crlf = r.crlf;
  return o;
}

}  // namespace
}  // namespace cadre::capi

using namespace cadre;  // NOLINT: the extern "C" definitions below are cadre's own

int cadre_import(char** out_report_json, cadre_workspace* ws, const char* options_json, cadre_read_fn read,
                 void* read_user, cadre_progress_fn progress, void* progress_user) {
  static constexpr char kFn[] = "cadre_import";
  return capi::Call(kFn, out_report_json, [&]() -> absl::Status {
    CADRE_RETURN_IF_ERROR(capi::RequireOut(kFn, out_report_json, "out_report_json"));
    CADRE_RETURN_IF_ERROR(capi::RequireHandle(kFn, ws));
    CADRE_RETURN_IF_ERROR(capi::RequireString(kFn, options_json, "options_json"));
    if (read == nullptr) return capi::Misuse(kFn, "read is NULL");
    CADRE_ASSIGN_OR_RETURN(capi::ImportRequest request, capi::ReadRequest<capi::ImportRequest>(options_json));
    io::ImportProgress last;
    io::ImportOptions options = capi::ToImportOptions(request, progress, progress_user, &last);
    capi::ReadBuf buffer(read, read_user);
    std::istream in(&buffer);
    in.exceptions(std::ios::badbit);  // rethrow CallbackFailed out of the reads
    absl::StatusOr<io::ImportReport> report;
    try {
      report = io::Import(*ws->impl, request.kind, in, options);
    } catch (const capi::CallbackFailed& f) {
      return capi::ImportCallbackError(f, last);
    } catch (const std::ios_base::failure&) {
      if (!buffer.failure()) throw;
      return capi::ImportCallbackError(*buffer.failure(), last);
    }
    CADRE_RETURN_IF_ERROR(report.status());
    *out_report_json = capi::Dup(json::ToText(*report));
    return absl::OkStatus();
  });
}

int cadre_import_file(char** out_report_json, cadre_workspace* ws, const char* options_json, const char* path,
                      cadre_progress_fn progress, void* progress_user) {
  static constexpr char kFn[] = "cadre_import_file";
  return capi::Call(kFn, out_report_json, [&]() -> absl::Status {
    CADRE_RETURN_IF_ERROR(capi::RequireOut(kFn, out_report_json, "out_report_json"));
    CADRE_RETURN_IF_ERROR(capi::RequireHandle(kFn, ws));
    CADRE_RETURN_IF_ERROR(capi::RequireString(kFn, options_json, "options_json"));
    CADRE_RETURN_IF_ERROR(capi::RequireString(kFn, path, "path"));
    CADRE_ASSIGN_OR_RETURN(capi::ImportRequest request, capi::ReadRequest<capi::ImportRequest>(options_json));
    io::ImportProgress last;
    io::ImportOptions options = capi::ToImportOptions(request, progress, progress_user, &last);
    absl::StatusOr<io::ImportReport> report;
    try {
      report = io::ImportFile(*ws->impl, request.kind, path, options);
    } catch (const capi::CallbackFailed& f) {
      return capi::ImportCallbackError(f, last);
    }
    CADRE_RETURN_IF_ERROR(report.status());
    *out_report_json = capi::Dup(json::ToText(*report));
    return absl::OkStatus();
  });
}

int cadre_export(char** out_report_json, cadre_workspace* ws, const char* options_json, cadre_write_fn write,
                 void* write_user) {
  static constexpr char kFn[] = "cadre_export";
  return capi::Call(kFn, out_report_json, [&]() -> absl::Status {
    CADRE_RETURN_IF_ERROR(capi::RequireOut(kFn, out_report_json, "out_report_json"));
    CADRE_RETURN_IF_ERROR(capi::RequireHandle(kFn, ws));
    CADRE_RETURN_IF_ERROR(capi::RequireString(kFn, options_json, "options_json"));
    if (write == nullptr) return capi::Misuse(kFn, "write is NULL");
    CADRE_ASSIGN_OR_RETURN(capi::ExportRequest request, capi::ReadRequest<capi::ExportRequest>(options_json));
    capi::WriteBuf buffer(write, write_user);
    std::ostream out(&buffer);
    out.exceptions(std::ios::badbit);
    absl::StatusOr<io::ExportReport> report;
    try {
      report = io::Export(*ws->impl, request.kind, out, capi::ToExportOptions(request));
      if (report.ok()) buffer.Drain();
    } catch (const capi::CallbackFailed& f) {
      return capi::HostCallbackError(f.callback, f.result, std::nullopt, "cadre_export");
    }
    CADRE_RETURN_IF_ERROR(report.status());
    *out_report_json = capi::Dup(json::ToText(*report));
    return absl::OkStatus();
  });
}

int cadre_export_file(char** out_report_json, cadre_workspace* ws, const char* options_json, const char* path) {
  static constexpr char kFn[] = "cadre_export_file";
  return capi::Call(kFn, out_report_json, [&]() -> absl::Status {
    CADRE_RETURN_IF_ERROR(capi::RequireOut(kFn, out_report_json, "out_report_json"));
    CADRE_RETURN_IF_ERROR(capi::RequireHandle(kFn, ws));
    CADRE_RETURN_IF_ERROR(capi::RequireString(kFn, options_json, "options_json"));
    CADRE_RETURN_IF_ERROR(capi::RequireString(kFn, path, "path"));
    CADRE_ASSIGN_OR_RETURN(capi::ExportRequest request, capi::ReadRequest<capi::ExportRequest>(options_json));
    CADRE_ASSIGN_OR_RETURN(io::ExportReport report,
                           io::ExportFile(*ws->impl, request.kind, path, capi::ToExportOptions(request)));
    *out_report_json = capi::Dup(json::ToText(report));
    return absl::OkStatus();
  });
}
