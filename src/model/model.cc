#include "cadre/model.h"

#include "absl/strings/str_cat.h"
#include "cadre/id.h"
#include "cadre/json.h"
#include "cadre/period.h"
#include "model/text_rules.h"

namespace cadre {

using model_internal::CheckAttributes;
using model_internal::CheckKey;
using model_internal::CheckOptionalKey;
using model_internal::CheckOptionalText;
using model_internal::CheckText;
using model_internal::kMaxNameLength;
using model_internal::Quoted;

absl::Status OrgUnit::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckKey(path, "id", id));
  CADRE_RETURN_IF_ERROR(CheckText(path, "name", name, kMaxNameLength));
  CADRE_RETURN_IF_ERROR(CheckOptionalKey(path, "parent", parent));
  CADRE_RETURN_IF_ERROR(CheckOptionalKey(path, "lead", lead));
  CADRE_RETURN_IF_ERROR(CheckAttributes(path, attributes));
  json::PathScope scope(path, "parent");
  if (kind == OrgUnitKind::kCompany && parent)
    return FieldError(path.str(), "a company is the root of the org tree and has no parent", Quoted(*parent));
  if (kind != OrgUnitKind::kCompany && !parent)
    return FieldError(path.str(), absl::StrCat("required field is missing (every ", AbslView(json::EnumName(kind)),
                                               " sits under a parent unit)"));
  if (parent && *parent == id) return FieldError(path.str(), "a unit cannot be its own parent", Quoted(*parent));
  return absl::OkStatus();
}

absl::Status Manager::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckKey(path, "id", id));
  CADRE_RETURN_IF_ERROR(CheckText(path, "name", name, kMaxNameLength));
  CADRE_RETURN_IF_ERROR(CheckKey(path, "team", team));
  CADRE_RETURN_IF_ERROR(CheckOptionalKey(path, "role", role));
  CADRE_RETURN_IF_ERROR(CheckOptionalText(path, "email", email, kMaxNameLength));
  CADRE_RETURN_IF_ERROR(CheckOptionalText(path, "phone", phone, kMaxNameLength));
  CADRE_RETURN_IF_ERROR(CheckAttributes(path, attributes));
  if (level < 1 || level > 99) {
    json::PathScope scope(path, "level");
    return FieldError(path.str(), "must be between 1 and 99", absl::StrCat(level));
  }
  if (email && email->find('@') == std::string::npos) {
    json::PathScope scope(path, "email");
    return FieldError(path.str(), "must be an e-mail address", Quoted(*email));
  }
  if (status == EmploymentStatus::kLeft && !left_on) {
    json::PathScope scope(path, "left_on");
    return FieldError(path.str(), "required field is missing (status is \"left\")");
  }
  if (left_on && status != EmploymentStatus::kLeft) {
    json::PathScope scope(path, "left_on");
    return FieldError(
        path.str(),
        absl::StrCat("only allowed when status is \"left\", but status is \"", AbslView(json::EnumName(status)), "\""),
        Quoted(FormatDay(*left_on)));
  }
  if (left_on && hired_on && *left_on < *hired_on) {
    json::PathScope scope(path, "left_on");
    return FieldError(path.str(), absl::StrCat("must not be before hired_on (", FormatDay(*hired_on), ")"),
                      Quoted(FormatDay(*left_on)));
  }
  return absl::OkStatus();
}

absl::Status Customer::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckKey(path, "id", id));
  CADRE_RETURN_IF_ERROR(CheckText(path, "name", name, kMaxNameLength));
  CADRE_RETURN_IF_ERROR(CheckOptionalText(path, "phone", phone, kMaxNameLength));
  CADRE_RETURN_IF_ERROR(CheckOptionalText(path, "email", email, kMaxNameLength));
  CADRE_RETURN_IF_ERROR(CheckOptionalKey(path, "home_store", home_store));
  CADRE_RETURN_IF_ERROR(CheckAttributes(path, attributes));
  {
    json::PathScope scope(path, "tags");
    for (std::size_t i = 0; i < tags.size(); ++i) {
      json::PathScope item(path, i);
      CADRE_RETURN_IF_ERROR(ValidateId(tags[i], path.str()));
    }
  }
  {
    json::PathScope scope(path, "favourite_categories");
    for (std::size_t i = 0; i < favourite_categories.size(); ++i) {
      json::PathScope item(path, i);
      CADRE_RETURN_IF_ERROR(ValidateId(favourite_categories[i], path.str()));
    }
  }
  if (email && email->find('@') == std::string::npos) {
    json::PathScope scope(path, "email");
    return FieldError(path.str(), "must be an e-mail address", Quoted(*email));
  }
  return absl::OkStatus();
}

}  // namespace cadre
