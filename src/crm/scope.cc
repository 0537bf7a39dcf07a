#include "cadre/scope.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "cadre/crm.h"
#include "cadre/id.h"
#include "cadre/json.h"
#include "cadre/model.h"
#include "cadre/org.h"
#include "cadre/status.h"
#include "model/text_rules.h"

namespace cadre {

absl::Status Viewer::Validate(json::Path& path) const {
  const bool is_admin = admin.value_or(false);
  if (is_admin && manager) {
    json::PathScope scope(path, "manager");
    return FieldError(path.str(), "a viewer is either an admin or a manager, not both", QuoteJson(*manager));
  }
  if (!is_admin && !manager)
    return FieldError(path.str(),
                      R"(a viewer is either {"admin":true} or {"manager":"<manager id>"}; neither was given)");
  if (manager) {
    json::PathScope scope(path, "manager");
    CADRE_RETURN_IF_ERROR(ValidateId(*manager, path.str()));
  }
  return absl::OkStatus();
}

std::string CustomerNotFoundMessage(std::string_view customer_id, std::optional<absl::Time> as_of) {
  // The stores' wording for a missing document (memory, SQLite and host stores
  // alike), so that "outside your scope" reads exactly as "does not exist".
  std::string when =
      as_of ? absl::StrCat(" at ", absl::FormatTime(absl::RFC3339_full, *as_of, absl::UTCTimeZone())) : std::string();
  return absl::StrCat("document ", AbslView(Customer::kCollection), "/", AbslView(customer_id), " not found", when);
}

absl::Status CustomerNotFound(std::string_view customer_id, std::optional<absl::Time> as_of) {
  return absl::NotFoundError(CustomerNotFoundMessage(customer_id, as_of));
}

absl::Status ManagerNotFound(std::string_view manager_id) {
  return absl::NotFoundError(absl::StrCat("manager ", model_internal::Quoted(manager_id), " is not in the org tree"));
}

absl::StatusOr<ViewerScope> ViewerScope::Resolve(const Viewer& viewer, const OrgTree& tree) {
  json::Path path("viewer");
  CADRE_RETURN_IF_ERROR(viewer.Validate(path));
  ViewerScope scope;
  if (viewer.is_admin()) {
    scope.admin_ = true;
    for (const Manager& m : tree.managers()) scope.visible_managers_.push_back(m.id);
    scope.visible_set_.insert(scope.visible_managers_.begin(), scope.visible_managers_.end());
    return scope;
  }
  const std::string& id = *viewer.manager;
  const Manager* self = tree.FindManager(id);
  if (self == nullptr)
    return absl::PermissionDeniedError(
        absl::StrCat("viewer ", QuoteJson(id), ": not a manager in the org tree, so they may see nothing"));
  if (self->status == EmploymentStatus::kLeft)
    return absl::PermissionDeniedError(
        absl::StrCat("viewer ", QuoteJson(id), ": has left (status \"left\"), so they may see nothing"));
  scope.manager_ = id;
  scope.visible_set_.insert(id);
  CADRE_ASSIGN_OR_RETURN(std::vector<const OrgUnit*> led, tree.UnitsLedBy(id));
  for (const OrgUnit* unit : led) {
    scope.led_units_.push_back(unit->id);
    CADRE_ASSIGN_OR_RETURN(std::vector<const Manager*> staff, tree.ManagersIn(unit->id));
    for (const Manager* m : staff) scope.visible_set_.insert(m->id);
  }
  scope.visible_managers_.assign(scope.visible_set_.begin(), scope.visible_set_.end());
  std::sort(scope.visible_managers_.begin(), scope.visible_managers_.end());
  return scope;
}

absl::StatusOr<ViewerScope> ViewerScope::Load(const Workspace& workspace, const Viewer& viewer,
                                              std::optional<absl::Time> as_of) {
  // A bad viewer is refused before the tree is read.
  json::Path path("viewer");
  CADRE_RETURN_IF_ERROR(viewer.Validate(path));
  CADRE_ASSIGN_OR_RETURN(OrgTree tree, OrgTree::Load(workspace, as_of));
  return Resolve(viewer, tree);
}

bool ViewerScope::CanSeeManager(std::string_view manager_id) const {
  return admin_ || visible_set_.contains(AbslView(manager_id));
}

bool ViewerScope::CanSeeCustomer(std::string_view customer_id, const OwnershipProjection& ownership,
                                 std::optional<absl::Time> as_of) const {
  if (admin_) return true;
  std::optional<std::string> owner = ownership.OwnerAt(customer_id, as_of);
  return owner && visible_set_.contains(*owner);
}

absl::Status ViewerScope::CheckCustomer(std::string_view customer_id, const OwnershipProjection& ownership,
                                        std::optional<absl::Time> as_of) const {
  if (CanSeeCustomer(customer_id, ownership, as_of)) return absl::OkStatus();
  return CustomerNotFound(customer_id, as_of);
}

absl::Status ViewerScope::CheckManager(std::string_view manager_id) const {
  if (CanSeeManager(manager_id)) return absl::OkStatus();
  return ManagerNotFound(manager_id);
}

}  // namespace cadre
