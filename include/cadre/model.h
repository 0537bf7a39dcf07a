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
#include "absl/time/time.h"
#include "boost/describe.hpp"
#include "cadre/decimal.h"
#include "cadre/event.h"

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

enum class Weekday { kMon, kTue, kWed, kThu, kFri, kSat, kSun };
BOOST_DESCRIBE_ENUM(Weekday, kMon, kTue, kWed, kThu, kFri, kSat, kSun)

// When a customer welcomes contact: on `days` (every day if empty), from `from`
// to `to` ("HH:MM", 24-hour, from < to) in the workspace time zone.
struct ContactWindow {
  static constexpr std::string_view kRequired[] = {"from", "to"};

  std::vector<Weekday> days;
  std::string from;
  std::string to;

  absl::Status Validate(json::Path& path) const;
  friend bool operator==(const ContactWindow&, const ContactWindow&) = default;
};
BOOST_DESCRIBE_STRUCT(ContactWindow, (), (days, from, to))

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
  std::vector<std::string> favourite_categories;  // declared by the customer (purchases show the rest)
  std::vector<Channel> preferred_channels;        // most preferred first
  std::vector<ContactWindow> contact_times;       // empty: no stated preference
  // Consent to be contacted, per channel wire name ("call", "message", "email",
  // "visit", ...). Opt-in: a channel not listed here has no consent.
  std::map<std::string, bool> consent;
  std::map<std::string, std::string> attributes;

  absl::Status Validate(json::Path& path) const;
};
BOOST_DESCRIBE_STRUCT(Customer, (),
                      (id, name, tier, phone, email, home_store, joined_on, tags, favourite_categories,
                       preferred_channels, contact_times, consent, attributes))

// Whether `customer` may be contacted through `channel` at `at`: they consented
// to the channel, and `at` (read in `zone`) falls in one of their contact windows
// (any time if they stated none).
bool MayContact(const Customer& customer, Channel channel, absl::Time at, absl::TimeZone zone);

// ---- Opportunity pipelines -------------------------------------------------------

enum class StageOutcome { kOpen, kWon, kLost };
BOOST_DESCRIBE_ENUM(StageOutcome, kOpen, kWon, kLost)

struct PipelineStage {
  static constexpr std::string_view kRequired[] = {"id", "name", "win_probability"};

  std::string id;
  std::string name;
  Decimal win_probability;  // 0..1; a won stage is 1, a lost stage 0
  StageOutcome outcome = StageOutcome::kOpen;

  friend bool operator==(const PipelineStage&, const PipelineStage&) = default;
};
BOOST_DESCRIBE_STRUCT(PipelineStage, (), (id, name, win_probability, outcome))

// A sales pipeline (collection "pipelines"; opportunities name it, "default" if
// they do not). Stages are listed in order: the open stages an opportunity moves
// through, then the terminal won and lost stages.
struct Pipeline {
  static constexpr std::string_view kRequired[] = {"id", "name", "stages"};
  static constexpr std::string_view kCollection = "pipelines";

  std::string id;
  std::string name;
  std::vector<PipelineStage> stages;
  // Reasons an opportunity may be lost for; when not empty, a move to a lost
  // stage must give one of them as its `reason`.
  std::vector<std::string> lost_reasons;

  absl::Status Validate(json::Path& path) const;
  // The stage with `id`, or null.
  const PipelineStage* FindStage(std::string_view id) const;
  // Its position in `stages`, or -1.
  int StageIndex(std::string_view id) const;
};
BOOST_DESCRIBE_STRUCT(Pipeline, (), (id, name, stages, lost_reasons))

}  // namespace cadre

#endif  // CADRE_MODEL_H_
