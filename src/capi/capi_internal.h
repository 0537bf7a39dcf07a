// capi_internal.h — what the C ABI's translation units share (private to src/capi).
//
// Every extern "C" entry point is written the same way:
//
//   int cadre_thing_do(char** out_json, cadre_workspace* ws, const char* name) {
//     return capi::Call("cadre_thing_do", out_json, [&]() -> absl::Status {
//       CADRE_RETURN_IF_ERROR(capi::RequireOut("cadre_thing_do", out_json));
//       CADRE_RETURN_IF_ERROR(capi::RequireHandle("cadre_thing_do", ws));
//       ...
//       *out_json = capi::Dup(text);  // last: nothing may fail after it
//       return absl::OkStatus();
//     });
//   }
//
// Call() clears the out-parameter first, runs the body inside try/catch (nothing
// escapes: std::bad_alloc becomes CADRE_ERROR_NO_MEMORY, anything else
// CADRE_ERROR_INTERNAL) and records the outcome in the thread's last-error state.
// From inside a host's storage callback it runs no body at all (MISUSE).
#ifndef CADRE_SRC_CAPI_CAPI_INTERNAL_H_
#define CADRE_SRC_CAPI_CAPI_INTERNAL_H_

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cadre/cadre.h"
#include "cadre/query.h"
#include "cadre/workspace.h"

// The C handle: a thin owner of the C++ workspace (DuckDB's pattern).
struct cadre_workspace {
  std::unique_ptr<cadre::Workspace> impl;
  // Answers cadre_query; made with the handle, after `impl`, and gone before it.
  std::unique_ptr<cadre::QueryEngine> queries;
};

namespace cadre::capi {

// ---- Outcome recording ------------------------------------------------------------

// The CADRE_* code for a status (the MISUSE marker included).
int CodeOf(const absl::Status& status);

// Record an outcome in the calling thread's last-error state and return its code.
int RecordStatus(const absl::Status& status);
int RecordNoMemory() noexcept;
int RecordException(const char* function, const char* what) noexcept;

// A contract violation by the caller (CADRE_ERROR_MISUSE), e.g. "cadre_document_get: ws is NULL".
absl::Status Misuse(std::string_view function, std::string_view what);

// A host's storage callback failed (CADRE_ERROR_HOST_CALLBACK): `callback` is the
// cadre_storage field ("insert_event"), `result` what it returned (none if it
// threw), `host_message` what it passed to cadre_storage_set_error (none if it
// did not). The details JSON gets "callback" and "result".
// `owner` names what the callback belongs to: "cadre_storage" (the default), or
// the function that took it ("cadre_import").
absl::Status HostCallbackError(std::string_view callback, std::optional<int> result,
                               std::optional<std::string_view> host_message, std::string_view owner = "cadre_storage");

// True while the calling thread runs a host's storage callback (of any
// workspace; see host_store.cc). Entry points refuse to run then (MISUSE): a
// callback calling back into cadre would deadlock on the locks held by the call
// that is running it.
bool InStorageCallback() noexcept;

#ifdef CADRE_CAPI_FAULT_INJECTION
// Throws the exception armed by the test hook, if any (tests/capi/fault_test.c).
void MaybeThrowInjected();
#endif

template <class Out, class Body>
int Call(const char* function, Out* out, Body&& body) noexcept {
  if (out != nullptr) *out = Out{};
  try {
#ifdef CADRE_CAPI_FAULT_INJECTION
    MaybeThrowInjected();
#endif
    absl::Status status =
        InStorageCallback()
            ? Misuse(function, "called from inside a cadre_storage callback (callbacks must not call into cadre)")
            : body();
    if (!status.ok() && out != nullptr) *out = Out{};
    return RecordStatus(status);
  } catch (const std::bad_alloc&) {
    return RecordNoMemory();
  } catch (const std::exception& e) {
    return RecordException(function, e.what());
  } catch (...) {
    return RecordException(function, nullptr);
  }
}

// ---- Argument checks --------------------------------------------------------------

template <class T>
absl::Status RequireOut(std::string_view function, T* out, std::string_view name = "out") {
  if (out == nullptr) return Misuse(function, std::string(name) + " is NULL");
  return absl::OkStatus();
}
absl::Status RequireHandle(std::string_view function, const cadre_workspace* ws);
absl::Status RequireString(std::string_view function, const char* s, std::string_view name);

// Reads a versioned struct the caller passed (`caller` points to `caller_size`
// bytes) into `*known`, whose type is this library's version of it. A size below
// `min_size` (the first published version) is MISUSE; fields missing from an older,
// smaller struct stay zero; fields of a newer, larger struct that this library does
// not know must be zero (INVALID_ARGUMENT naming `what` otherwise), so that a host
// built against a newer header never has a setting silently ignored.
// The first published size of a versioned struct is where its last first-version
// field ends: CADRE_CAPI_END_OF(cadre_put_options, effective_from).
#define CADRE_CAPI_END_OF(type, field) (offsetof(type, field) + sizeof(((type*)nullptr)->field))
absl::Status ReadVersioned(std::string_view function, std::string_view what, const void* caller,
                           std::size_t caller_size, std::size_t min_size, void* known, std::size_t known_size);

// An optional RFC 3339 instant: NULL is absent; bad text is INVALID_ARGUMENT with
// `name` as the path.
absl::StatusOr<std::optional<absl::Time>> ParseInstantArg(const char* text, std::string_view name);

// ---- Results ------------------------------------------------------------------------

// A malloc'ed, NUL-terminated copy for the caller to cadre_free. Throws
// std::bad_alloc when memory runs out (Call turns that into NO_MEMORY).
char* Dup(std::string_view text);

// JSON text of an instant; "null" for the infinite past ("in force for all time").
std::string InstantJson(absl::Time t);

}  // namespace cadre::capi

#endif  // CADRE_SRC_CAPI_CAPI_INTERNAL_H_
