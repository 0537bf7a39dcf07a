// cadre/model.h — the entity documents of the organisation and the CRM core.
//
// These are the typed forms of documents kept in a workspace's collections
// ("org_units", "managers", "customers"). Each is a described aggregate, so it
// converts to and from JSON with cadre/json.h; each validates itself with paths.
// Later modules extend these types with optional fields only.
#ifndef CADRE_MODEL_H_
#define CADRE_MODEL_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "boost/describe.hpp"

namespace cadre {
namespace json {
class Path;
}

enum class OrgUnitKind { kCompany, kRegion, kStore, kTeam, kDepartment };
BOOST_DESCRIBE_ENUM(OrgUnitKind, kCompany, kRegion, kStore, kTeam, kDepartment)

// A node of the org tree: company -> region -> store -> team, any depth.
struct OrgUnit {
  static constexpr std::string_view kRequired[] = {"id", "name", "kind"};
  static constexpr std::string_view kCollection = "org_units";

  std::string id;
  std::string name;
  OrgUnitKind kind = OrgUnitKind::kTeam;
  std::optional<std::string> parent;  // absent only for the root
  std::optional<std::string> lead;    // manager id of the unit's lead
  std::map<std::string, std::string> attributes;

  absl::Status Validate(json::Path& path) const;
};
BOOST_DESCRIBE_STRUCT(OrgUnit, (), (id, name, kind, parent, lead, attributes))

enum class EmploymentStatus { kActive, kOnLeave, kLeft };
BOOST_DESCRIBE_ENUM(EmploymentStatus, kActive, kOnLeave, kLeft)

// An account manager (客户经理).
struct Manager {
  static constexpr std::string_view kRequired[] = {"id", "name", "team"};
  static constexpr std::string_view kCollection = "managers";

  std::string id;
  std::string name;
  std::string team;  // org unit id
  std::optional<std::string> role;
  int level = 1;  // career level, 1 = entry
  EmploymentStatus status = EmploymentStatus::kActive;
  std::optional<absl::CivilDay> hired_on;
  std::optional<absl::CivilDay> left_on;
  std::optional<std::string> email;
  std::optional<std::string> phone;
  std::map<std::string, std::string> attributes;

  absl::Status Validate(json::Path& path) const;
};
BOOST_DESCRIBE_STRUCT(Manager, (), (id, name, team, role, level, status, hired_on, left_on, email, phone, attributes))

enum class MemberTier { kStandard, kSilver, kGold, kPlatinum, kDiamond };
BOOST_DESCRIBE_ENUM(MemberTier, kStandard, kSilver, kGold, kPlatinum, kDiamond)

struct Customer {
  static constexpr std::string_view kRequired[] = {"id", "name"};
  static constexpr std::string_view kCollection = "customers";

  std::string id;
  std::string name;
  MemberTier tier = MemberTier::kStandard;
  std::optional<std::string> phone;
  std::optional<std::string> email;
  std::optional<std::string> home_store;  // org unit id
  std::optional<absl::CivilDay> joined_on;
  std::vector<std::string> tags;
  std::vector<std::string> favourite_categories;
  std::map<std::string, std::string> attributes;

  absl::Status Validate(json::Path& path) const;
};
BOOST_DESCRIBE_STRUCT(Customer, (),
                      (id, name, tier, phone, email, home_store, joined_on, tags, favourite_categories, attributes))

}  // namespace cadre

#endif  // CADRE_MODEL_H_
