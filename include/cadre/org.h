// cadre/org.h — the organisation: the org tree, its managers and roles.
//
// The org tree is built from the org_units documents in force at an instant, so
// "who sat under which store in June" is answered with June's tree even after a
// reorganisation in July. Managers hang off the tree by their `team`.
//
//   CADRE_ASSIGN_OR_RETURN(OrgTree tree, OrgTree::Load(*workspace, june_15));
//   CADRE_ASSIGN_OR_RETURN(std::vector<const OrgUnit*> path, tree.PathFromRoot("T010101"));
//   CADRE_ASSIGN_OR_RETURN(std::vector<const Manager*> staff, tree.ManagersIn("ST0101"));
//
// Roles are configuration: a Role document (collection "roles") names what the
// role is accountable for and the KPIs that measure each responsibility;
// Manager::role refers to a role id.
#ifndef CADRE_ORG_H_
#define CADRE_ORG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "boost/describe.hpp"
#include "cadre/model.h"

namespace cadre {

class Workspace;

// One thing a role is accountable for, e.g. "relationship upkeep", and the KPIs
// (by name; the kpi module defines them) that measure it.
struct Responsibility {
  static constexpr std::string_view kRequired[] = {"id", "name"};

  std::string id;
  std::string name;
  std::optional<std::string> description;
  std::vector<std::string> kpis;

  absl::Status Validate(json::Path& path) const;
};
BOOST_DESCRIBE_STRUCT(Responsibility, (), (id, name, description, kpis))

// A role as configuration (collection "roles"): what a manager in it is
// responsible for. The trailing members are slots that later modules fill with
// the ids of their own documents (trainings, SOPs, KPI set, incentive plan);
// cadre does not check yet that those documents exist.
struct Role {
  static constexpr std::string_view kRequired[] = {"id", "name"};
  static constexpr std::string_view kCollection = "roles";

  std::string id;
  std::string name;
  std::optional<std::string> description;
  std::vector<Responsibility> responsibilities;  // ids unique within the role
  std::vector<std::string> required_trainings;   // course ids
  std::vector<std::string> sops;                 // SOP ids
  std::optional<std::string> kpi_set;
  std::optional<std::string> incentive_plan;

  absl::Status Validate(json::Path& path) const;
};
BOOST_DESCRIBE_STRUCT(Role, (),
                      (id, name, description, responsibilities, required_trainings, sops, kpi_set, incentive_plan))

// The org tree at one instant, with its managers and roles.
//
// Units are kept in one dense array; a unit's subtree is a contiguous range of a
// pre-order numbering, so subtree and "managers under this unit" queries cost
// the size of the answer, not of the tree. Children are ordered by id.
//
// Queries naming a unit or manager that is not in the tree return NOT_FOUND.
// Pointers handed out stay valid for the tree's lifetime.
//
// Thread-safety: an OrgTree is immutable once built; any number of threads may
// query one concurrently. Moving it is not thread-safe (as for any value).
class OrgTree {
 public:
  // An empty tree (no units).
  OrgTree() = default;

  // Builds the tree from `units` and `managers` (and optionally `roles`, for
  // RoleOf). FAILED_PRECONDITION, naming the unit or manager, when they do not
  // form one tree: a parent that is not among the units, a cycle, more than one
  // root, a duplicate unit id, a lead that is not a manager, or a manager whose
  // team is not a unit.
  static absl::StatusOr<OrgTree> Build(std::vector<OrgUnit> units, std::vector<Manager> managers,
                                       std::vector<Role> roles = {});

  // Builds the tree from the org_units, managers and roles documents in force at
  // `as_of` (the newest when empty). Errors as for Build, or the store's.
  static absl::StatusOr<OrgTree> Load(const Workspace& workspace, std::optional<absl::Time> as_of = std::nullopt);

  // The root unit; nullptr for an empty tree.
  const OrgUnit* root() const { return units_.empty() ? nullptr : &units_[order_[0]]; }
  std::size_t unit_count() const { return units_.size(); }
  // All managers, ordered by id.
  const std::vector<Manager>& managers() const { return managers_; }

  // nullptr when absent.
  const OrgUnit* FindUnit(std::string_view id) const;
  const Manager* FindManager(std::string_view id) const;
  const Role* FindRole(std::string_view id) const;
  // The role of a manager: nullptr if the manager has none or it names a role
  // that is not among the roles loaded. NOT_FOUND for an unknown manager.
  absl::StatusOr<const Role*> RoleOf(std::string_view manager_id) const;

  // The parent of a unit (nullptr for the root).
  absl::StatusOr<const OrgUnit*> Parent(std::string_view unit_id) const;
  // The direct children of a unit, ordered by id.
  absl::StatusOr<std::vector<const OrgUnit*>> Children(std::string_view unit_id) const;
  // The units from the root down to `unit_id`, both included.
  absl::StatusOr<std::vector<const OrgUnit*>> PathFromRoot(std::string_view unit_id) const;
  // `unit_id` and every unit below it, in pre-order (children by id).
  absl::StatusOr<std::vector<const OrgUnit*>> Subtree(std::string_view unit_id) const;
  // Whether `unit_id` is `ancestor_id` or below it.
  absl::StatusOr<bool> IsWithin(std::string_view unit_id, std::string_view ancestor_id) const;
  // The managers whose team is `unit_id` or a unit below it, ordered by id,
  // whatever their employment status (filter on Manager::status as needed).
  absl::StatusOr<std::vector<const Manager*>> ManagersIn(std::string_view unit_id) const;

  // The lead of a unit: the unit's own `lead`, or if it has none the nearest
  // ancestor's (a team without a named lead reports to its store's lead).
  // nullptr when no unit on the path names one.
  absl::StatusOr<const Manager*> LeadOf(std::string_view unit_id) const;
  // The units a manager leads (those naming them as `lead`), ordered by id.
  absl::StatusOr<std::vector<const OrgUnit*>> UnitsLedBy(std::string_view manager_id) const;
  // Every manager named as a unit's lead, ordered by id, each once.
  std::vector<const Manager*> Leads() const;

 private:
  absl::StatusOr<int32_t> UnitIndex(std::string_view unit_id) const;

  std::vector<OrgUnit> units_;                  // ordered by id
  std::vector<int32_t> parent_;                 // per unit; -1 for the root
  std::vector<std::vector<int32_t>> children_;  // per unit, ordered by id
  std::vector<int32_t> order_;                  // units in pre-order
  std::vector<int32_t> enter_;                  // per unit: its position in order_
  std::vector<int32_t> exit_;                   // per unit: one past its subtree's last position
  absl::flat_hash_map<std::string, int32_t> unit_index_;
  std::vector<Manager> managers_;      // ordered by id
  std::vector<int32_t> manager_team_;  // per manager: index of its team unit
  // Manager indexes by their team's pre-order position (then index): the
  // managers of a subtree are one range of it.
  std::vector<int32_t> managers_by_enter_;
  absl::flat_hash_map<std::string, int32_t> manager_index_;
  std::vector<Role> roles_;  // ordered by id
  absl::flat_hash_map<std::string, int32_t> role_index_;
};

}  // namespace cadre

#endif  // CADRE_ORG_H_
