// C ABI: opening and closing a workspace, and what it says about itself.
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "cadre/json.h"
#include "cadre/status.h"
#include "cadre/workspace.h"
#include "capi/capi_internal.h"
#include "capi/host_store.h"

namespace cadre::capi {
namespace {

absl::StatusOr<WorkspaceOptions> ReadWorkspaceOptions(std::string_view function, const cadre_workspace_options* opts) {
  WorkspaceOptions options;
  if (opts == nullptr) return options;
  cadre_workspace_options known;
  CADRE_RETURN_IF_ERROR(ReadVersioned(function, "opts->struct_size", opts, opts->struct_size,
                                      CADRE_CAPI_END_OF(cadre_workspace_options, time_zone), &known, sizeof known));
  if (known.currency != nullptr) options.currency = known.currency;
  if (known.time_zone != nullptr) options.time_zone = known.time_zone;
  return options;
}

}  // namespace
}  // namespace cadre::capi

namespace capi = cadre::capi;

extern "C" {

int cadre_workspace_open(cadre_workspace** out, const char* uri, const cadre_workspace_options* opts) {
  static constexpr char kFn[] = "cadre_workspace_open";
  return capi::Call(kFn, out, [&]() -> absl::Status {
    CADRE_RETURN_IF_ERROR(capi::RequireOut(kFn, out));
    CADRE_RETURN_IF_ERROR(capi::RequireString(kFn, uri, "uri"));
    CADRE_ASSIGN_OR_RETURN(cadre::WorkspaceOptions options, capi::ReadWorkspaceOptions(kFn, opts));
    CADRE_ASSIGN_OR_RETURN(std::unique_ptr<cadre::Workspace> ws, cadre::Workspace::Open(uri, std::move(options)));
    auto handle = std::make_unique<cadre_workspace>();
    handle->impl = std::move(ws);
    handle->queries = std::make_unique<cadre::QueryEngine>(*handle->impl);
    *out = handle.release();
    return absl::OkStatus();
  });
}

int cadre_workspace_open_with_storage(cadre_workspace** out, const cadre_storage* storage,
                                      const cadre_workspace_options* opts) {
  static constexpr char kFn[] = "cadre_workspace_open_with_storage";
  return capi::Call(kFn, out, [&]() -> absl::Status {
    CADRE_RETURN_IF_ERROR(capi::RequireOut(kFn, out));
    CADRE_ASSIGN_OR_RETURN(std::unique_ptr<capi::HostStore> store, capi::HostStore::Open(kFn, storage));
    CADRE_ASSIGN_OR_RETURN(cadre::WorkspaceOptions options, capi::ReadWorkspaceOptions(kFn, opts));
    capi::HostStore* host = store.get();
    CADRE_ASSIGN_OR_RETURN(std::unique_ptr<cadre::Workspace> ws,
                           cadre::Workspace::Open(std::move(store), std::move(options)));
    auto handle = std::make_unique<cadre_workspace>();
    handle->impl = std::move(ws);
    handle->queries = std::make_unique<cadre::QueryEngine>(*handle->impl);
    // Nothing can fail any more: only now does the workspace take the host's
    // state over (on every failure above the host still owns it).
    host->AdoptUser();
    *out = handle.release();
    return absl::OkStatus();
  });
}

void cadre_workspace_close(cadre_workspace* ws) { delete ws; }

int cadre_query(char** out_json, cadre_workspace* ws, const char* request_json) {
  static constexpr char kFn[] = "cadre_query";
  return capi::Call(kFn, out_json, [&]() -> absl::Status {
    CADRE_RETURN_IF_ERROR(capi::RequireOut(kFn, out_json, "out_json"));
    CADRE_RETURN_IF_ERROR(capi::RequireHandle(kFn, ws));
    CADRE_RETURN_IF_ERROR(capi::RequireString(kFn, request_json, "request_json"));
    CADRE_ASSIGN_OR_RETURN(std::string text, ws->queries->Run(request_json));
    *out_json = capi::Dup(text);
    return absl::OkStatus();
  });
}

int cadre_command(char** out_json, cadre_workspace* ws, const char* request_json) {
  static constexpr char kFn[] = "cadre_command";
  return capi::Call(kFn, out_json, [&]() -> absl::Status {
    CADRE_RETURN_IF_ERROR(capi::RequireOut(kFn, out_json, "out_json"));
    CADRE_RETURN_IF_ERROR(capi::RequireHandle(kFn, ws));
    CADRE_RETURN_IF_ERROR(capi::RequireString(kFn, request_json, "request_json"));
    CADRE_ASSIGN_OR_RETURN(std::string text, ws->queries->Command(*ws->impl, request_json));
    *out_json = capi::Dup(text);
    return absl::OkStatus();
  });
}

int cadre_workspace_settings(char** out_json, cadre_workspace* ws) {
  static constexpr char kFn[] = "cadre_workspace_settings";
  return capi::Call(kFn, out_json, [&]() -> absl::Status {
    CADRE_RETURN_IF_ERROR(capi::RequireOut(kFn, out_json, "out_json"));
    CADRE_RETURN_IF_ERROR(capi::RequireHandle(kFn, ws));
    std::string text = cadre::json::ToText(ws->impl->settings());
    *out_json = capi::Dup(text);
    return absl::OkStatus();
  });
}

int cadre_workspace_high_water_mark(uint64_t* out, cadre_workspace* ws) {
  static constexpr char kFn[] = "cadre_workspace_high_water_mark";
  return capi::Call(kFn, out, [&]() -> absl::Status {
    CADRE_RETURN_IF_ERROR(capi::RequireOut(kFn, out));
    CADRE_RETURN_IF_ERROR(capi::RequireHandle(kFn, ws));
    CADRE_ASSIGN_OR_RETURN(*out, ws->impl->HighWaterMark());
    return absl::OkStatus();
  });
}

}  // extern "C"
