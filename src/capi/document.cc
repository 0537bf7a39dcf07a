// C ABI: documents (configuration and entities), versioned and effective-dated.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "boost/json/serialize.hpp"
#include "boost/json/value.hpp"
#include "cadre/json.h"
#include "cadre/status.h"
#include "cadre/workspace.h"
#include "capi/capi_internal.h"

namespace cadre::capi {
namespace {

absl::StatusOr<PutOptions> ReadPutOptions(std::string_view function, const cadre_put_options* opts) {
  PutOptions options;
  if (opts == nullptr) return options;
  cadre_put_options known;
  CADRE_RETURN_IF_ERROR(ReadVersioned(function, "opts->struct_size", opts, opts->struct_size,
                                      CADRE_CAPI_END_OF(cadre_put_options, effective_from), &known, sizeof known));
  if (known.has_expected_version != 0) {
    if (known.expected_version < 0) {
      return FieldError("opts.expected_version", "must be 0 (the document is new) or a version >= 1",
                        std::to_string(known.expected_version));
    }
    options.expected_version = known.expected_version;
  }
  CADRE_ASSIGN_OR_RETURN(options.effective_from, ParseInstantArg(known.effective_from, "opts.effective_from"));
  return options;
}

// {"collection":..,"id":..,"version":..,"effective_from":..,"recorded_at":..} without
// the closing brace, so that more keys can follow.
void AppendMeta(std::string& out, std::string_view collection, std::string_view id, int64_t version,
                absl::Time effective_from, absl::Time recorded_at) {
  boost::json::object meta;
  meta["collection"] = boost::json::string_view(collection.data(), collection.size());
  meta["id"] = boost::json::string_view(id.data(), id.size());
  meta["version"] = version;
  meta["effective_from"] =
      effective_from == absl::InfinitePast() ? boost::json::value(nullptr) : json::WriteTime(effective_from);
  meta["recorded_at"] = json::WriteTime(recorded_at);
  std::string text = boost::json::serialize(meta);
  text.pop_back();  // '}'
  out += text;
}

// The stored body is the canonical JSON text the workspace wrote after checking
// it, so it is spliced in as is rather than parsed and printed again.
void AppendDocument(std::string& out, const Document& d) {
  AppendMeta(out, d.collection, d.id, d.version, d.effective_from, d.recorded_at);
  absl::StrAppend(&out, ",\"body\":", AbslView(d.body), "}");
}

}  // namespace
}  // namespace cadre::capi

namespace capi = cadre::capi;

extern "C" {

int cadre_document_put(char** out_json, cadre_workspace* ws, const char* collection, const char* id,
                       const char* json_body, const cadre_put_options* opts) {
  static constexpr char kFn[] = "cadre_document_put";
  return capi::Call(kFn, out_json, [&]() -> absl::Status {
    CADRE_RETURN_IF_ERROR(capi::RequireHandle(kFn, ws));
    CADRE_RETURN_IF_ERROR(capi::RequireString(kFn, collection, "collection"));
    CADRE_RETURN_IF_ERROR(capi::RequireString(kFn, id, "id"));
    CADRE_RETURN_IF_ERROR(capi::RequireString(kFn, json_body, "json_body"));
    CADRE_ASSIGN_OR_RETURN(cadre::PutOptions options, capi::ReadPutOptions(kFn, opts));
    CADRE_ASSIGN_OR_RETURN(cadre::Document written, ws->impl->Put(collection, id, json_body, options));
    if (out_json != nullptr) {
      std::string text;
      capi::AppendMeta(text, written.collection, written.id, written.version, written.effective_from,
                       written.recorded_at);
      text += '}';
      *out_json = capi::Dup(text);
    }
    return absl::OkStatus();
  });
}

int cadre_document_get(char** out_json, cadre_workspace* ws, const char* collection, const char* id,
                       const char* as_of) {
  static constexpr char kFn[] = "cadre_document_get";
  return capi::Call(kFn, out_json, [&]() -> absl::Status {
    CADRE_RETURN_IF_ERROR(capi::RequireOut(kFn, out_json, "out_json"));
    CADRE_RETURN_IF_ERROR(capi::RequireHandle(kFn, ws));
    CADRE_RETURN_IF_ERROR(capi::RequireString(kFn, collection, "collection"));
    CADRE_RETURN_IF_ERROR(capi::RequireString(kFn, id, "id"));
    CADRE_ASSIGN_OR_RETURN(std::optional<absl::Time> when, capi::ParseInstantArg(as_of, "as_of"));
    CADRE_ASSIGN_OR_RETURN(cadre::Document doc, ws->impl->Get(collection, id, when));
    std::string text;
    capi::AppendDocument(text, doc);
    *out_json = capi::Dup(text);
    return absl::OkStatus();
  });
}

int cadre_document_list(char** out_json, cadre_workspace* ws, const char* collection, const char* as_of) {
  static constexpr char kFn[] = "cadre_document_list";
  return capi::Call(kFn, out_json, [&]() -> absl::Status {
    CADRE_RETURN_IF_ERROR(capi::RequireOut(kFn, out_json, "out_json"));
    CADRE_RETURN_IF_ERROR(capi::RequireHandle(kFn, ws));
    CADRE_RETURN_IF_ERROR(capi::RequireString(kFn, collection, "collection"));
    CADRE_ASSIGN_OR_RETURN(std::optional<absl::Time> when, capi::ParseInstantArg(as_of, "as_of"));
    CADRE_ASSIGN_OR_RETURN(std::vector<cadre::Document> docs, ws->impl->List(collection, when));
    std::string text = "{\"documents\":[";
    for (std::size_t i = 0; i < docs.size(); ++i) {
      if (i > 0) text += ',';
      capi::AppendDocument(text, docs[i]);
    }
    text += "]}";
    *out_json = capi::Dup(text);
    return absl::OkStatus();
  });
}

int cadre_document_delete(int64_t* out_version, cadre_workspace* ws, const char* collection, const char* id,
                          const cadre_put_options* opts) {
  static constexpr char kFn[] = "cadre_document_delete";
  return capi::Call(kFn, out_version, [&]() -> absl::Status {
    CADRE_RETURN_IF_ERROR(capi::RequireHandle(kFn, ws));
    CADRE_RETURN_IF_ERROR(capi::RequireString(kFn, collection, "collection"));
    CADRE_RETURN_IF_ERROR(capi::RequireString(kFn, id, "id"));
    CADRE_ASSIGN_OR_RETURN(cadre::PutOptions options, capi::ReadPutOptions(kFn, opts));
    CADRE_ASSIGN_OR_RETURN(int64_t version, ws->impl->Delete(collection, id, options));
    if (out_version != nullptr) *out_version = version;
    return absl::OkStatus();
  });
}

int cadre_document_history(char** out_json, cadre_workspace* ws, const char* collection, const char* id) {
  static constexpr char kFn[] = "cadre_document_history";
  return capi::Call(kFn, out_json, [&]() -> absl::Status {
    CADRE_RETURN_IF_ERROR(capi::RequireOut(kFn, out_json, "out_json"));
    CADRE_RETURN_IF_ERROR(capi::RequireHandle(kFn, ws));
    CADRE_RETURN_IF_ERROR(capi::RequireString(kFn, collection, "collection"));
    CADRE_RETURN_IF_ERROR(capi::RequireString(kFn, id, "id"));
    CADRE_ASSIGN_OR_RETURN(std::vector<cadre::DocumentVersion> versions, ws->impl->History(collection, id));
    std::string text = "{\"versions\":[";
    for (std::size_t i = 0; i < versions.size(); ++i) {
      const cadre::DocumentVersion& v = versions[i];
      if (i > 0) text += ',';
      capi::AppendMeta(text, v.collection, v.id, v.version, v.effective_from, v.recorded_at);
      if (v.deleted) {
        text += ",\"deleted\":true}";
      } else {
        absl::StrAppend(&text, ",\"deleted\":false,\"body\":", cadre::AbslView(v.body), "}");
      }
    }
    text += "]}";
    *out_json = capi::Dup(text);
    return absl::OkStatus();
  });
}

}  // extern "C"
