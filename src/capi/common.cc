// The parts of the C ABI every entry point shares: status codes and their mapping
// from absl, the per-thread last error, argument checks, version and memory.
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "boost/json/parse.hpp"
#include "boost/json/serialize.hpp"
#include "boost/json/value.hpp"
#include "cadre/io.h"
#include "cadre/json.h"
#include "cadre/status.h"
#include "capi/capi_internal.h"

namespace cadre::capi {
namespace {

// Marks a Status built by Misuse(); it never leaves src/capi.
constexpr char kMisusePayload[] = "cadre/capi/misuse";
// Marks a Status built by HostCallbackError(); the payload is a JSON object whose
// keys join the details JSON.
constexpr char kHostCallbackPayload[] = "cadre/capi/host_callback";

constexpr char kNoMemoryMessage[] = "out of memory";
constexpr char kNoMemoryDetails[] = R"({"code":"no_memory","message":"out of memory"})";
constexpr char kOkDetails[] = R"({"code":"ok","message":""})";

// The thread's last error. `message` and `details` back the strings handed out;
// when memory ran out they may be unusable, and the fixed texts stand in.
struct LastError {
  int code = CADRE_OK;
  std::string message;
  std::string details;
  bool no_memory = false;
};

LastError& ThreadError() noexcept {
  thread_local LastError error;
  return error;
}

}  // namespace

int CodeOf(const absl::Status& status) {
  if (status.ok()) return CADRE_OK;
  if (status.GetPayload(kMisusePayload).has_value()) return CADRE_ERROR_MISUSE;
  if (status.GetPayload(kHostCallbackPayload).has_value()) return CADRE_ERROR_HOST_CALLBACK;
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return CADRE_OK;
    case absl::StatusCode::kInvalidArgument:
      return CADRE_ERROR_INVALID_ARGUMENT;
    case absl::StatusCode::kNotFound:
      return CADRE_ERROR_NOT_FOUND;
    case absl::StatusCode::kAlreadyExists:
      return CADRE_ERROR_ALREADY_EXISTS;
    case absl::StatusCode::kAborted:  // the store's stale expected_version
      return CADRE_ERROR_CONFLICT;
    case absl::StatusCode::kFailedPrecondition:
      return CADRE_ERROR_FAILED_PRECONDITION;
    case absl::StatusCode::kOutOfRange:
      return CADRE_ERROR_OUT_OF_RANGE;
    // Everything that means "the store could not be used right now".
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kUnauthenticated:
      return CADRE_ERROR_UNAVAILABLE;
    // Only the viewer scope says this (stores report their permission
    // problems as unavailable).
    case absl::StatusCode::kPermissionDenied:
      return CADRE_ERROR_PERMISSION_DENIED;
    // kDataLoss (a damaged store), kUnimplemented, kCancelled, kUnknown, kInternal:
    // nothing the host can fix by changing its input.
    default:
      return CADRE_ERROR_INTERNAL;
  }
}

int RecordStatus(const absl::Status& status) {
  LastError& error = ThreadError();
  error.no_memory = false;
  if (status.ok()) {
    error.code = CADRE_OK;
    error.message.clear();
    error.details.clear();
    return CADRE_OK;
  }
  const int code = CodeOf(status);
  boost::json::object details;
  details["code"] = cadre_status_name(code);
  details["message"] = std::string_view(status.message().data(), status.message().size());
  if (std::optional<FieldErrorDetails> field = GetFieldErrorDetails(status)) {
    details["path"] = field->path;
    if (!field->value.empty()) {
      // The payload is JSON text; should it ever not be, it still travels, as a string.
      boost::system::error_code ec;
      boost::json::value value = boost::json::parse(field->value, ec);
      details["value"] = ec ? boost::json::value(field->value) : std::move(value);
    }
    details["rule"] = field->rule;
  }
  if (auto report = status.GetPayload(io::kPayloadImportReport)) {
    boost::system::error_code ec;
    boost::json::value value = boost::json::parse(std::string(*report), ec);
    if (!ec) details["report"] = std::move(value);
  }
  if (auto host = status.GetPayload(kHostCallbackPayload)) {
    boost::system::error_code ec;
    boost::json::value extra = boost::json::parse(std::string(*host), ec);
    if (!ec && extra.is_object()) {
      for (const auto& kv : extra.get_object()) details[kv.key()] = kv.value();
    }
  }
  error.code = code;
  error.message.assign(status.message().data(), status.message().size());
  error.details = boost::json::serialize(details);
  return code;
}

int RecordNoMemory() noexcept {
  LastError& error = ThreadError();
  error.code = CADRE_ERROR_NO_MEMORY;
  error.no_memory = true;
  return CADRE_ERROR_NO_MEMORY;
}

int RecordException(const char* function, const char* what) noexcept {
  try {
    return RecordStatus(absl::InternalError(
        absl::StrCat(function, ": unexpected exception", what != nullptr ? ": " : "", what != nullptr ? what : "")));
  } catch (...) {
    return RecordNoMemory();  // building the message needed memory that is not there
  }
}

absl::Status Misuse(std::string_view function, std::string_view what) {
  absl::Status status = absl::FailedPreconditionError(absl::StrCat(AbslView(function), ": ", AbslView(what)));
  status.SetPayload(kMisusePayload, absl::Cord("1"));
  return status;
}

absl::Status HostCallbackError(std::string_view callback, std::optional<int> result,
                               std::optional<std::string_view> host_message, std::string_view owner) {
  std::string message = absl::StrCat(AbslView(owner), ".", AbslView(callback), " failed");
  boost::json::object extra;
  extra["callback"] = boost::json::string_view(callback.data(), callback.size());
  if (result) {
    absl::StrAppend(&message, " (returned ", *result, ")");
    extra["result"] = *result;
  } else {
    absl::StrAppend(&message, " (threw an exception; a callback must return non-zero instead)");
  }
  if (host_message) {
    absl::StrAppend(&message, ": ", AbslView(*host_message));
  } else if (result && owner == "cadre_storage") {
    absl::StrAppend(&message, " and gave no message (see cadre_storage_set_error)");
  }
  // UNAVAILABLE underneath, like any other store failure, for C++ callers of the
  // adapter; the payload makes it HOST_CALLBACK at the C boundary.
  absl::Status status = absl::UnavailableError(message);
  status.SetPayload(kHostCallbackPayload, absl::Cord(boost::json::serialize(extra)));
  return status;
}

absl::Status RequireHandle(std::string_view function, const cadre_workspace* ws) {
  if (ws == nullptr || ws->impl == nullptr) return Misuse(function, "ws is NULL");
  return absl::OkStatus();
}

absl::Status RequireString(std::string_view function, const char* s, std::string_view name) {
  if (s == nullptr) return Misuse(function, absl::StrCat(AbslView(name), " is NULL"));
  return absl::OkStatus();
}

absl::Status ReadVersioned(std::string_view function, std::string_view what, const void* caller,
                           std::size_t caller_size, std::size_t min_size, void* known, std::size_t known_size) {
  std::memset(known, 0, known_size);
  if (caller_size < min_size) {
    return Misuse(function, absl::StrCat(AbslView(what), " is ", caller_size, " bytes, less than the ", min_size,
                                         " of its first version (initialise it with its _INIT macro)"));
  }
  const auto* bytes = static_cast<const unsigned char*>(caller);
  std::memcpy(known, bytes, caller_size < known_size ? caller_size : known_size);
  for (std::size_t i = known_size; i < caller_size; ++i) {
    if (bytes[i] != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(AbslView(function), ": ", AbslView(what), " has fields set that this library (cadre ",
                       CADRE_VERSION_STRING, ") does not know: it is ", caller_size, " bytes, this library's is ",
                       known_size, " (the caller was built against a newer cadre.h)"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<absl::Time>> ParseInstantArg(const char* text, std::string_view name) {
  if (text == nullptr) return std::optional<absl::Time>();
  absl::Time t;
  CADRE_RETURN_IF_ERROR(json::ReadTime(boost::json::value(text), t, json::Path(name)));
  return std::optional<absl::Time>(t);
}

char* Dup(std::string_view text) {
  auto* p = static_cast<char*>(std::malloc(text.size() + 1));
  if (p == nullptr) throw std::bad_alloc();
  std::memcpy(p, text.data(), text.size());
  p[text.size()] = '\0';
  return p;
}

std::string InstantJson(absl::Time t) {
  if (t == absl::InfinitePast()) return "null";
  return json::Text(json::WriteTime(t));
}

#ifdef CADRE_CAPI_FAULT_INJECTION
namespace {
thread_local int armed_fault = 0;
}

void MaybeThrowInjected() {
  const int fault = armed_fault;
  armed_fault = 0;
  if (fault == 1) throw std::bad_alloc();
  if (fault == 2) throw std::runtime_error("injected fault");
  if (fault == 3) throw 42;  // not a std::exception
}
#endif

}  // namespace cadre::capi

using cadre::capi::ThreadError;

extern "C" {

int cadre_version(void) { return CADRE_VERSION_NUMBER; }

const char* cadre_version_string(void) { return CADRE_VERSION_STRING; }

const char* cadre_status_name(int code) {
  switch (code) {
    case CADRE_OK:
      return "ok";
    case CADRE_ERROR_INVALID_ARGUMENT:
      return "invalid_argument";
    case CADRE_ERROR_NOT_FOUND:
      return "not_found";
    case CADRE_ERROR_ALREADY_EXISTS:
      return "already_exists";
    case CADRE_ERROR_CONFLICT:
      return "conflict";
    case CADRE_ERROR_FAILED_PRECONDITION:
      return "failed_precondition";
    case CADRE_ERROR_OUT_OF_RANGE:
      return "out_of_range";
    case CADRE_ERROR_UNAVAILABLE:
      return "unavailable";
    case CADRE_ERROR_HOST_CALLBACK:
      return "host_callback";
    case CADRE_ERROR_INTERNAL:
      return "internal";
    case CADRE_ERROR_NO_MEMORY:
      return "no_memory";
    case CADRE_ERROR_MISUSE:
      return "misuse";
    case CADRE_ERROR_PERMISSION_DENIED:
      return "permission_denied";
    default:
      return "unknown";
  }
}

int cadre_error_code(void) { return ThreadError().code; }

const char* cadre_error_message(void) {
  const auto& error = ThreadError();
  if (error.no_memory) return cadre::capi::kNoMemoryMessage;
  return error.message.c_str();
}

const char* cadre_error_details_json(void) {
  const auto& error = ThreadError();
  if (error.no_memory) return cadre::capi::kNoMemoryDetails;
  if (error.code == CADRE_OK) return cadre::capi::kOkDetails;
  return error.details.c_str();
}

void cadre_free(void* p) { std::free(p); }

#ifdef CADRE_CAPI_FAULT_INJECTION
// Test hook (only in the fault-injection test build, never in libcadre): the next
// entry point called on this thread throws std::bad_alloc (1), std::runtime_error
// (2) or an int (3).
void cadre_capi_testing_arm_fault(int kind) { cadre::capi::armed_fault = kind; }
#endif

}  // extern "C"
