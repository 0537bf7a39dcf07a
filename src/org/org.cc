#include "cadre/org.h"

#include <algorithm>
#include <numeric>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cadre/id.h"
#include "cadre/json.h"
#include "cadre/status.h"
#include "cadre/workspace.h"
#include "model/text_rules.h"

namespace cadre {

using model_internal::CheckKey;
using model_internal::CheckOptionalKey;
using model_internal::CheckOptionalText;
using model_internal::CheckText;
using model_internal::kMaxNameLength;
using model_internal::kMaxTextLength;
using model_internal::Quoted;

namespace {

absl::Status CheckKeyList(json::Path& path, std::string_view key, const std::vector<std::string>& values) {
  json::PathScope scope(path, key);
  absl::flat_hash_set<std::string_view> seen;
  for (std::size_t i = 0; i < values.size(); ++i) {
    json::PathScope item(path, i);
    CADRE_RETURN_IF_ERROR(ValidateId(values[i], path.str()));
    if (!seen.insert(values[i]).second) return FieldError(path.str(), "listed twice", Quoted(values[i]));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Responsibility::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckKey(path, "id", id));
  CADRE_RETURN_IF_ERROR(CheckText(path, "name", name, kMaxNameLength));
  CADRE_RETURN_IF_ERROR(CheckOptionalText(path, "description", description, kMaxTextLength));
  return CheckKeyList(path, "kpis", kpis);
}

absl::Status Role::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckKey(path, "id", id));
  CADRE_RETURN_IF_ERROR(CheckText(path, "name", name, kMaxNameLength));
  CADRE_RETURN_IF_ERROR(CheckOptionalText(path, "description", description, kMaxTextLength));
  {
    json::PathScope scope(path, "responsibilities");
    absl::flat_hash_set<std::string_view> seen;
    for (std::size_t i = 0; i < responsibilities.size(); ++i) {
      json::PathScope item(path, i);
      // Responsibilities read from JSON were validated already; built in C++ they were not.
      CADRE_RETURN_IF_ERROR(responsibilities[i].Validate(path));
      if (!seen.insert(responsibilities[i].id).second) {
        json::PathScope field(path, "id");
        return FieldError(path.str(), "responsibility ids must be unique within the role",
                          Quoted(responsibilities[i].id));
      }
    }
  }
  CADRE_RETURN_IF_ERROR(CheckKeyList(path, "required_trainings", required_trainings));
  CADRE_RETURN_IF_ERROR(CheckKeyList(path, "sops", sops));
  CADRE_RETURN_IF_ERROR(CheckOptionalKey(path, "kpi_set", kpi_set));
  return CheckOptionalKey(path, "incentive_plan", incentive_plan);
}

// ---- OrgTree ------------------------------------------------------------------

absl::StatusOr<OrgTree> OrgTree::Build(std::vector<OrgUnit> units, std::vector<Manager> managers,
                                       std::vector<Role> roles) {
  OrgTree tree;
  auto by_id = [](const auto& a, const auto& b) { return a.id < b.id; };
  std::sort(units.begin(), units.end(), by_id);
  std::sort(managers.begin(), managers.end(), by_id);
  std::sort(roles.begin(), roles.end(), by_id);
  tree.units_ = std::move(units);
  tree.managers_ = std::move(managers);
  tree.roles_ = std::move(roles);
  const int32_t n = static_cast<int32_t>(tree.units_.size());

  for (int32_t i = 0; i < n; ++i) {
    if (!tree.unit_index_.emplace(tree.units_[i].id, i).second)
      return absl::FailedPreconditionError(absl::StrCat("org unit ", Quoted(tree.units_[i].id), " is listed twice"));
  }
  for (int32_t i = 0; i < static_cast<int32_t>(tree.managers_.size()); ++i) {
    const Manager& m = tree.managers_[i];
    if (!tree.manager_index_.emplace(m.id, i).second)
      return absl::FailedPreconditionError(absl::StrCat("manager ", Quoted(m.id), " is listed twice"));
    auto team = tree.unit_index_.find(AbslView(m.team));
    if (team == tree.unit_index_.end())
      return absl::FailedPreconditionError(
          absl::StrCat("manager ", Quoted(m.id), ": team ", Quoted(m.team), " is not an org unit"));
    tree.manager_team_.push_back(team->second);
  }
  for (int32_t i = 0; i < static_cast<int32_t>(tree.roles_.size()); ++i) {
    if (!tree.role_index_.emplace(tree.roles_[i].id, i).second)
      return absl::FailedPreconditionError(absl::StrCat("role ", Quoted(tree.roles_[i].id), " is listed twice"));
  }

  tree.parent_.assign(n, -1);
  tree.children_.assign(n, {});
  int32_t root = -1;
  for (int32_t i = 0; i < n; ++i) {
    const OrgUnit& u = tree.units_[i];
    if (u.lead && !tree.manager_index_.contains(AbslView(*u.lead)))
      return absl::FailedPreconditionError(
          absl::StrCat("org unit ", Quoted(u.id), ": lead ", Quoted(*u.lead), " is not a manager"));
    if (!u.parent) {
      if (root >= 0)
        return absl::FailedPreconditionError(absl::StrCat("org units ", Quoted(tree.units_[root].id), " and ",
                                                          Quoted(u.id),
                                                          " are both roots (have no parent); the tree has one root"));
      root = i;
      continue;
    }
    auto parent = tree.unit_index_.find(AbslView(*u.parent));
    if (parent == tree.unit_index_.end())
      return absl::FailedPreconditionError(
          absl::StrCat("org unit ", Quoted(u.id), ": parent ", Quoted(*u.parent), " is not an org unit"));
    tree.parent_[i] = parent->second;
    tree.children_[parent->second].push_back(i);  // i ascends, so children stay ordered by id
  }

  // Cycles: walk up from every unit; a walk that meets a unit of its own path has
  // found one. Each unit is walked through once (state 2 = known to reach the root).
  std::vector<uint8_t> state(n, 0);  // 0 unseen, 1 on the current walk, 2 done
  for (int32_t start = 0; start < n; ++start) {
    std::vector<int32_t> walk;
    int32_t u = start;
    while (u >= 0 && state[u] == 0) {
      state[u] = 1;
      walk.push_back(u);
      u = tree.parent_[u];
    }
    if (u >= 0 && state[u] == 1) {
      std::vector<std::string> cycle;
      auto it = std::find(walk.begin(), walk.end(), u);
      for (; it != walk.end(); ++it) cycle.push_back(Quoted(tree.units_[*it].id));
      return absl::FailedPreconditionError(absl::StrCat("org unit ", Quoted(tree.units_[u].id),
                                                        " is its own ancestor (cycle: ", absl::StrJoin(cycle, " -> "),
                                                        " -> ", Quoted(tree.units_[u].id), ")"));
    }
    for (int32_t w : walk) state[w] = 2;
  }
  if (n > 0 && root < 0) return absl::FailedPreconditionError("the org units have no root");

  // Pre-order numbering, iteratively (trees can be deep).
  tree.enter_.assign(n, 0);
  tree.exit_.assign(n, 0);
  if (n > 0) {
    std::vector<std::pair<int32_t, std::size_t>> stack{{root, 0}};
    tree.enter_[root] = 0;
    tree.order_.push_back(root);
    while (!stack.empty()) {
      auto& [u, next] = stack.back();
      if (next < tree.children_[u].size()) {
        const int32_t c = tree.children_[u][next++];
        tree.enter_[c] = static_cast<int32_t>(tree.order_.size());
        tree.order_.push_back(c);
        stack.emplace_back(c, 0);
      } else {
        tree.exit_[u] = static_cast<int32_t>(tree.order_.size());
        stack.pop_back();
      }
    }
  }
  tree.managers_by_enter_.resize(tree.managers_.size());
  std::iota(tree.managers_by_enter_.begin(), tree.managers_by_enter_.end(), 0);
  std::stable_sort(tree.managers_by_enter_.begin(), tree.managers_by_enter_.end(), [&](int32_t a, int32_t b) {
    return tree.enter_[tree.manager_team_[a]] < tree.enter_[tree.manager_team_[b]];
  });
  return tree;
}

namespace {

template <class T>
absl::StatusOr<std::vector<T>> LoadAll(const Workspace& workspace, std::optional<absl::Time> as_of) {
  CADRE_ASSIGN_OR_RETURN(std::vector<Document> docs, workspace.List(T::kCollection, as_of));
  std::vector<T> out;
  out.reserve(docs.size());
  for (const Document& doc : docs) {
    CADRE_ASSIGN_OR_RETURN(T entity, json::FromText<T>(doc.body, absl::StrCat(AbslView(T::kCollection), "/", doc.id)));
    out.push_back(std::move(entity));
  }
  return out;
}

}  // namespace

absl::StatusOr<OrgTree> OrgTree::Load(const Workspace& workspace, std::optional<absl::Time> as_of) {
  CADRE_ASSIGN_OR_RETURN(std::vector<OrgUnit> units, LoadAll<OrgUnit>(workspace, as_of));
  CADRE_ASSIGN_OR_RETURN(std::vector<Manager> managers, LoadAll<Manager>(workspace, as_of));
  CADRE_ASSIGN_OR_RETURN(std::vector<Role> roles, LoadAll<Role>(workspace, as_of));
  return Build(std::move(units), std::move(managers), std::move(roles));
}

absl::StatusOr<int32_t> OrgTree::UnitIndex(std::string_view unit_id) const {
  auto it = unit_index_.find(AbslView(unit_id));
  if (it == unit_index_.end())
    return absl::NotFoundError(absl::StrCat("org unit ", Quoted(unit_id), " is not in the org tree"));
  return it->second;
}

const OrgUnit* OrgTree::FindUnit(std::string_view id) const {
  auto it = unit_index_.find(AbslView(id));
  return it == unit_index_.end() ? nullptr : &units_[it->second];
}

const Manager* OrgTree::FindManager(std::string_view id) const {
  auto it = manager_index_.find(AbslView(id));
  return it == manager_index_.end() ? nullptr : &managers_[it->second];
}

const Role* OrgTree::FindRole(std::string_view id) const {
  auto it = role_index_.find(AbslView(id));
  return it == role_index_.end() ? nullptr : &roles_[it->second];
}

absl::StatusOr<const Role*> OrgTree::RoleOf(std::string_view manager_id) const {
  const Manager* m = FindManager(manager_id);
  if (m == nullptr) return absl::NotFoundError(absl::StrCat("manager ", Quoted(manager_id), " is not in the org tree"));
  return m->role ? FindRole(*m->role) : nullptr;
}

absl::StatusOr<const OrgUnit*> OrgTree::Parent(std::string_view unit_id) const {
  CADRE_ASSIGN_OR_RETURN(int32_t u, UnitIndex(unit_id));
  return parent_[u] < 0 ? nullptr : &units_[parent_[u]];
}

absl::StatusOr<std::vector<const OrgUnit*>> OrgTree::Children(std::string_view unit_id) const {
  CADRE_ASSIGN_OR_RETURN(int32_t u, UnitIndex(unit_id));
  std::vector<const OrgUnit*> out;
  for (int32_t c : children_[u]) out.push_back(&units_[c]);
  return out;
}

absl::StatusOr<std::vector<const OrgUnit*>> OrgTree::PathFromRoot(std::string_view unit_id) const {
  CADRE_ASSIGN_OR_RETURN(int32_t u, UnitIndex(unit_id));
  std::vector<const OrgUnit*> out;
  for (; u >= 0; u = parent_[u]) out.push_back(&units_[u]);
  std::reverse(out.begin(), out.end());
  return out;
}

absl::StatusOr<std::vector<const OrgUnit*>> OrgTree::Subtree(std::string_view unit_id) const {
  CADRE_ASSIGN_OR_RETURN(int32_t u, UnitIndex(unit_id));
  std::vector<const OrgUnit*> out;
  for (int32_t k = enter_[u]; k < exit_[u]; ++k) out.push_back(&units_[order_[k]]);
  return out;
}

absl::StatusOr<bool> OrgTree::IsWithin(std::string_view unit_id, std::string_view ancestor_id) const {
  CADRE_ASSIGN_OR_RETURN(int32_t u, UnitIndex(unit_id));
  CADRE_ASSIGN_OR_RETURN(int32_t a, UnitIndex(ancestor_id));
  return enter_[u] >= enter_[a] && enter_[u] < exit_[a];
}

absl::StatusOr<std::vector<const Manager*>> OrgTree::ManagersIn(std::string_view unit_id) const {
  CADRE_ASSIGN_OR_RETURN(int32_t u, UnitIndex(unit_id));
  // The subtree is the pre-order positions [enter_[u], exit_[u]): one range of
  // managers_by_enter_, put back in id order.
  auto position = [&](int32_t m) { return enter_[manager_team_[m]]; };
  auto first = std::partition_point(managers_by_enter_.begin(), managers_by_enter_.end(),
                                    [&](int32_t m) { return position(m) < enter_[u]; });
  auto last = std::partition_point(first, managers_by_enter_.end(), [&](int32_t m) { return position(m) < exit_[u]; });
  std::vector<int32_t> picked(first, last);
  std::sort(picked.begin(), picked.end());
  std::vector<const Manager*> out;
  out.reserve(picked.size());
  for (int32_t m : picked) out.push_back(&managers_[m]);
  return out;
}

absl::StatusOr<const Manager*> OrgTree::LeadOf(std::string_view unit_id) const {
  CADRE_ASSIGN_OR_RETURN(int32_t u, UnitIndex(unit_id));
  for (; u >= 0; u = parent_[u])
    if (units_[u].lead) return FindManager(*units_[u].lead);
  return nullptr;
}

absl::StatusOr<std::vector<const OrgUnit*>> OrgTree::UnitsLedBy(std::string_view manager_id) const {
  if (FindManager(manager_id) == nullptr)
    return absl::NotFoundError(absl::StrCat("manager ", Quoted(manager_id), " is not in the org tree"));
  std::vector<const OrgUnit*> out;
  for (const OrgUnit& u : units_)
    if (u.lead && *u.lead == manager_id) out.push_back(&u);
  return out;
}

std::vector<const Manager*> OrgTree::Leads() const {
  std::vector<bool> is_lead(managers_.size(), false);
  for (const OrgUnit& u : units_)
    if (u.lead) is_lead[manager_index_.find(AbslView(*u.lead))->second] = true;
  std::vector<const Manager*> out;
  for (std::size_t m = 0; m < managers_.size(); ++m)
    if (is_lead[m]) out.push_back(&managers_[m]);
  return out;
}

}  // namespace cadre
