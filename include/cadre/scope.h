// cadre/scope.h — who may see what: the viewer every query is asked on behalf of.
//
// A manager sees their own customers; a team lead (the `lead` of an org unit)
// sees the customers of every manager whose team is that unit or below it, so a
// store lead sees the store and a region lead the region; an admin sees
// everything. Asking about a customer outside one's scope is answered exactly as
// for a customer that does not exist (CustomerNotFound), so a probe cannot tell
// the two apart.
//
//   CADRE_ASSIGN_OR_RETURN(Viewer viewer, json::FromText<Viewer>(R"({"manager":"M-7"})", "viewer"));
//   CADRE_ASSIGN_OR_RETURN(ViewerScope scope, ViewerScope::Load(*workspace, viewer));
//   CADRE_RETURN_IF_ERROR(scope.CheckCustomer("C-42", ownership));   // NOT_FOUND when outside
//   if (scope.CanSeeManager("M-9")) ...
#ifndef CADRE_SCOPE_H_
#define CADRE_SCOPE_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "boost/describe.hpp"

namespace cadre {

namespace json {
class Path;
}
class OrgTree;
class OwnershipProjection;
class Workspace;

// On whose behalf a query runs: an admin, or a manager (by id). Wire form:
// {"admin":true} or {"manager":"M-7"}. Giving both, or neither ({} or
// {"admin":false}), is INVALID_ARGUMENT naming the path.
struct Viewer {
  std::optional<bool> admin;
  std::optional<std::string> manager;

  static Viewer Admin() { return Viewer{true, std::nullopt}; }
  static Viewer OfManager(std::string manager_id) { return Viewer{std::nullopt, std::move(manager_id)}; }
  bool is_admin() const { return admin.value_or(false); }

  absl::Status Validate(json::Path& path) const;
  friend bool operator==(const Viewer&, const Viewer&) = default;
};
BOOST_DESCRIBE_STRUCT(Viewer, (), (admin, manager))

// The message of the NOT_FOUND status for a customer that does not exist, as the
// workspace's stores word it ("document customers/C-42 not found", plus " at
// <instant>" when asked as of an instant); and that status. Use it for a customer
// outside the viewer's scope, so that the two are indistinguishable byte for byte.
std::string CustomerNotFoundMessage(std::string_view customer_id, std::optional<absl::Time> as_of = std::nullopt);
absl::Status CustomerNotFound(std::string_view customer_id, std::optional<absl::Time> as_of = std::nullopt);

// Same for a manager outside the scope, worded as OrgTree words an unknown
// manager ("manager \"M-9\" is not in the org tree").
absl::Status ManagerNotFound(std::string_view manager_id);

// What one viewer may see, resolved against the org tree of an instant.
//
// Visible managers: for an admin, everyone; for a manager, themselves plus every
// manager (whatever their employment status, so a lead still sees the work of
// those who left) whose team is within a unit the viewer is the `lead` of.
// A customer is visible to an admin, or when their owner is a visible manager.
// A customer with no owner (in the pool, or never assigned) is visible to admins
// only: pool customers are handed out by the assignment rules, not browsed.
//
// Thread-safety: immutable once resolved; share freely. It copies what it needs
// from the tree and does not refer to it afterwards.
class ViewerScope {
 public:
  // Resolves `viewer` against `tree`. INVALID_ARGUMENT (path "viewer...") for a
  // viewer that is neither or both; PERMISSION_DENIED, naming the viewer, for a
  // manager that is not in the tree or whose status is `left`.
  static absl::StatusOr<ViewerScope> Resolve(const Viewer& viewer, const OrgTree& tree);
  // Same against the org tree in force at `as_of` (the newest when empty).
  static absl::StatusOr<ViewerScope> Load(const Workspace& workspace, const Viewer& viewer,
                                          std::optional<absl::Time> as_of = std::nullopt);

  bool admin() const { return admin_; }
  // The viewer's manager id; empty for an admin.
  const std::optional<std::string>& manager() const { return manager_; }
  // The units the viewer leads, ordered by id (empty for an admin or a plain manager).
  const std::vector<std::string>& led_units() const { return led_units_; }
  // The visible managers, ordered by id; for an admin, every manager of the tree.
  const std::vector<std::string>& visible_managers() const { return visible_managers_; }

  // Whether the viewer may see the manager (an admin: any id).
  bool CanSeeManager(std::string_view manager_id) const;
  // Whether the viewer may see the customer: admin, or the customer's owner at
  // `as_of` (now when empty), as `ownership` knows it, is a visible manager.
  bool CanSeeCustomer(std::string_view customer_id, const OwnershipProjection& ownership,
                      std::optional<absl::Time> as_of = std::nullopt) const;

  // OK when visible; otherwise CustomerNotFound(customer_id, as_of) /
  // ManagerNotFound(manager_id).
  absl::Status CheckCustomer(std::string_view customer_id, const OwnershipProjection& ownership,
                             std::optional<absl::Time> as_of = std::nullopt) const;
  absl::Status CheckManager(std::string_view manager_id) const;

 private:
  ViewerScope() = default;

  bool admin_ = false;
  std::optional<std::string> manager_;
  std::vector<std::string> led_units_;
  std::vector<std::string> visible_managers_;
  absl::flat_hash_set<std::string> visible_set_;
};

}  // namespace cadre

#endif  // CADRE_SCOPE_H_
