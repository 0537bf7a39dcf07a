// cadre/training.h — courses, enrolments, completions, certifications and the
// training each role requires.
//
// What is taught is configuration: a Course (collection "courses") has modules
// with hours, an optional pass mark and an optional certification that passing
// it grants for a number of days. A TrainingRequirement (collection
// "training_requirements") says that managers in a role must pass a course within
// so many days of being hired (and, for a certifying course, keep the
// certification valid). What happened are events: `training_enrolled` and
// `training_completed`, naming the manager and the course (`reference`), a
// completion optionally one module (`category`) and a score.
//
//   TrainingProjection training;
//   CADRE_RETURN_IF_ERROR(training.CatchUp(*workspace));
//   const absl::CivilDay june_30(2025, 6, 30);
//   CADRE_ASSIGN_OR_RETURN(TrainingConfig config, TrainingConfig::Load(*workspace, june_30));
//   CADRE_ASSIGN_OR_RETURN(OrgTree tree, OrgTree::Load(*workspace, EndOfDay(june_30, workspace->time_zone())));
//   CADRE_ASSIGN_OR_RETURN(TrainingReport report,
//                          BuildTrainingReport(training, config, tree, {.as_of = june_30}, workspace->time_zone()));
//   // report.managers[i].requirements[j].status, .certifications, .hours; report.units[k].ratio
//
// The rules (docs/training.md has them with examples):
// - Days. An event happens on the day of its occurred_at in the workspace zone. A
//   report is "as of" a day: events of later days are left out; the courses,
//   requirements and org tree are those in force at the end of that day.
// - Passing. With a pass mark, a completion passes when its score is at least the
//   mark (a completion without a score does not pass); without one, every
//   completion passes. A course is passed on the day of a passing whole-course
//   completion (no `category`), or on the day a passing module completion leaves
//   every module of the course passed since the course was last passed (so a
//   renewal by modules takes every module again).
// - Hours. Each module counts its hours once per manager, on the day of its first
//   completion (passed or not); a whole-course completion completes every module.
// - Certifications. Passing a course with `certification.valid_days` = N on day D
//   certifies the manager on days D .. D+N-1 (expires_on = D+N-1); on D+N it is
//   expired. The latest pass counts: passing again, before or after expiry,
//   certifies from the new pass. Status as of day X: expired when X > expires_on;
//   expiring when expires_on <= X + H (H = expiring_within_days); else valid.
// - Requirements. A manager employed on the day (hired_on <= X, or no hired_on;
//   left_on >= X, or no left_on and a status other than `left`) whose role is the
//   requirement's role has it, due on hired_on + within_days (no due day without
//   hired_on). Status as of X: met when the course was passed on or before X (and,
//   when the requirement renews, the certification is not expired); lapsed when it
//   renews, was passed, the certification has expired and X is after the due day
//   (or there is none); overdue when never passed and X is after the due day;
//   pending otherwise.
// - Roll-ups. A unit's figures add its managers' (the unit and every unit below):
//   met and required requirements, the ratio met / required recomputed from those
//   sums (never an average of the managers' ratios), the managers counted, those
//   fully compliant (every requirement met; a manager with none is compliant), and
//   the hours.
// - Reversals. A reversed training event counts for no day, as if never logged.
// - Data the configuration does not know — an event naming a course not in force,
//   or a module the course does not have; a requirement naming such a course — is
//   listed in TrainingReport::issues, never dropped silently.
#ifndef CADRE_TRAINING_H_
#define CADRE_TRAINING_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "boost/describe.hpp"
#include "cadre/decimal.h"
#include "cadre/event.h"

namespace cadre {

class Workspace;
class OrgTree;
namespace json {
class Path;
}

// ---- Configuration -------------------------------------------------------------

enum class CourseTopic { kProductKnowledge, kSalesSkills, kCustomerService, kCompliance, kSystems, kOther };
BOOST_DESCRIBE_ENUM(CourseTopic, kProductKnowledge, kSalesSkills, kCustomerService, kCompliance, kSystems, kOther)

// One module of a course: what a `training_completed` event names as `category`.
struct CourseModule {
  static constexpr std::string_view kRequired[] = {"id", "name", "hours"};

  std::string id;
  std::string name;
  Decimal hours;  // > 0, at most 1000

  absl::Status Validate(json::Path& path) const;
  friend bool operator==(const CourseModule&, const CourseModule&) = default;
};
BOOST_DESCRIBE_STRUCT(CourseModule, (), (id, name, hours))

// Passing the course certifies the manager for `valid_days` days, the pass day
// included. The certification is named by the course id.
struct CourseCertification {
  static constexpr std::string_view kRequired[] = {"valid_days"};

  int32_t valid_days = 0;  // 1 .. 36500

  friend bool operator==(const CourseCertification&, const CourseCertification&) = default;
};
BOOST_DESCRIBE_STRUCT(CourseCertification, (), (valid_days))

// A course (collection "courses").
struct Course {
  static constexpr std::string_view kRequired[] = {"id", "name", "topic", "modules"};
  static constexpr std::string_view kCollection = "courses";

  std::string id;
  std::string name;
  CourseTopic topic = CourseTopic::kOther;
  std::vector<CourseModule> modules;  // at least one (at most 200); ids unique within the course
  // 0..100: a completion passes with a score at least this. Absent: completing suffices.
  std::optional<Decimal> pass_mark;
  std::optional<CourseCertification> certification;
  std::map<std::string, std::string> attributes;

  absl::Status Validate(json::Path& path) const;
  // The module with `id`, or null.
  const CourseModule* FindModule(std::string_view module_id) const;
};
BOOST_DESCRIBE_STRUCT(Course, (), (id, name, topic, modules, pass_mark, certification, attributes))

// Managers in `role` must pass `course` within `within_days` days of their
// hired_on (collection "training_requirements").
struct TrainingRequirement {
  static constexpr std::string_view kRequired[] = {"id", "role", "course", "within_days"};
  static constexpr std::string_view kCollection = "training_requirements";

  std::string id;
  std::string role;         // a role id (Manager::role)
  std::string course;       // a course id
  int32_t within_days = 0;  // 1 .. 36500; due on hired_on + within_days
  // Whether the certification must stay valid (an expired one is not compliant).
  // Absent: true when the course certifies. Without a certification it has no effect.
  std::optional<bool> renew;
  std::map<std::string, std::string> attributes;

  absl::Status Validate(json::Path& path) const;
};
BOOST_DESCRIBE_STRUCT(TrainingRequirement, (), (id, role, course, within_days, renew, attributes))

// The courses and requirements in force at one instant.
struct TrainingConfig {
  std::vector<Course> courses;                    // ordered by id
  std::vector<TrainingRequirement> requirements;  // ordered by id

  // Those in force at the end of `as_of` in the workspace zone (EndOfDay).
  // Errors are the store's, or a stored document that no longer parses.
  static absl::StatusOr<TrainingConfig> Load(const Workspace& workspace, absl::CivilDay as_of);
};

// The last instant of `day` in `zone` (the instant before the next day starts).
absl::Time EndOfDay(absl::CivilDay day, absl::TimeZone zone);

// ---- Results --------------------------------------------------------------------

enum class EnrolmentStatus {
  kOpen,     // the course has not been passed since the enrolment day, and its due day (if any) has not passed
  kPassed,   // the course was passed on or after the enrolment day
  kOverdue,  // not passed, and the day is after due_on
};
BOOST_DESCRIBE_ENUM(EnrolmentStatus, kOpen, kPassed, kOverdue)

struct TrainingEnrolment {
  std::string event;  // the training_enrolled event's id
  std::string course;
  absl::CivilDay enrolled_on;
  std::optional<absl::CivilDay> due_on;
  EnrolmentStatus status = EnrolmentStatus::kOpen;
  std::optional<absl::CivilDay> passed_on;  // the first pass on or after enrolled_on

  friend bool operator==(const TrainingEnrolment&, const TrainingEnrolment&) = default;
};
BOOST_DESCRIBE_STRUCT(TrainingEnrolment, (), (event, course, enrolled_on, due_on, status, passed_on))

// One completion of a known course (and module) by the manager.
struct TrainingAttempt {
  std::string event;  // the training_completed event's id
  std::string course;
  std::optional<std::string> module;  // absent: the whole course
  absl::CivilDay on;
  std::optional<Decimal> score;
  bool passed = false;  // the score reaches the pass mark (or the course has none)

  friend bool operator==(const TrainingAttempt&, const TrainingAttempt&) = default;
};
BOOST_DESCRIBE_STRUCT(TrainingAttempt, (), (event, course, module, on, score, passed))

struct PassedCourse {
  std::string course;
  absl::CivilDay first_passed_on;
  absl::CivilDay last_passed_on;
  int32_t passes = 0;

  friend bool operator==(const PassedCourse&, const PassedCourse&) = default;
};
BOOST_DESCRIBE_STRUCT(PassedCourse, (), (course, first_passed_on, last_passed_on, passes))

enum class CertificationStatus { kValid, kExpiring, kExpired };
BOOST_DESCRIBE_ENUM(CertificationStatus, kValid, kExpiring, kExpired)

struct Certification {
  std::string course;         // the certification is named by its course
  absl::CivilDay earned_on;   // the latest pass on or before the day
  absl::CivilDay expires_on;  // the last valid day: earned_on + valid_days - 1
  int32_t days_left = 0;      // expires_on - the day (0 on the last valid day; negative once expired)
  CertificationStatus status = CertificationStatus::kValid;

  friend bool operator==(const Certification&, const Certification&) = default;
};
BOOST_DESCRIBE_STRUCT(Certification, (), (course, earned_on, expires_on, days_left, status))

enum class RequirementStatus { kMet, kPending, kOverdue, kLapsed };
BOOST_DESCRIBE_ENUM(RequirementStatus, kMet, kPending, kOverdue, kLapsed)

struct RequirementState {
  std::string requirement;  // the TrainingRequirement's id
  std::string course;
  std::optional<absl::CivilDay> due_on;  // hired_on + within_days; absent without hired_on
  bool renew = false;                    // as resolved (the default applied)
  RequirementStatus status = RequirementStatus::kPending;
  // Met: the pass that meets it (the latest when it renews, else the first);
  // lapsed: the latest pass.
  std::optional<absl::CivilDay> passed_on;
  std::optional<absl::CivilDay> expires_on;  // when it renews and was passed

  friend bool operator==(const RequirementState&, const RequirementState&) = default;
};
BOOST_DESCRIBE_STRUCT(RequirementState, (), (requirement, course, due_on, renew, status, passed_on, expires_on))

struct ManagerTraining {
  std::string manager;
  std::string team;
  std::optional<std::string> role;
  bool employed = true;                        // on the day (see the requirement rule); requirements only when employed
  std::vector<TrainingEnrolment> enrolments;   // by enrolled_on, then event id
  std::vector<TrainingAttempt> attempts;       // in the order they happened
  std::vector<PassedCourse> passed;            // by course id
  Decimal hours;                               // module hours (from hours_from on, when given)
  std::vector<Certification> certifications;   // by course id: every certifying course passed
  std::vector<RequirementState> requirements;  // by requirement id
  int64_t met = 0;                             // requirements met
  int64_t required = 0;                        // requirements held
  bool compliant = true;                       // met == required

  friend bool operator==(const ManagerTraining&, const ManagerTraining&) = default;
};
BOOST_DESCRIBE_STRUCT(ManagerTraining, (),
                      (manager, team, role, employed, enrolments, attempts, passed, hours, certifications, requirements,
                       met, required, compliant))

// One org unit's roll-up over the employed managers of its subtree in the report.
struct UnitTraining {
  std::string unit;
  int64_t managers = 0;
  int64_t managers_compliant = 0;
  int64_t met = 0;
  int64_t required = 0;
  std::optional<Decimal> ratio;  // met / required, rounded half-even to nine digits; absent when required is 0
  Decimal hours;

  friend bool operator==(const UnitTraining&, const UnitTraining&) = default;
};
BOOST_DESCRIBE_STRUCT(UnitTraining, (), (unit, managers, managers_compliant, met, required, ratio, hours))

// Something the configuration does not know, so it could not count.
struct TrainingIssue {
  std::optional<std::string> event;        // the event, for an event's issue
  std::optional<std::string> requirement;  // the requirement, for a requirement's issue
  std::optional<std::string> manager;
  std::string course;
  std::optional<std::string> module;
  std::string problem;

  friend bool operator==(const TrainingIssue&, const TrainingIssue&) = default;
};
BOOST_DESCRIBE_STRUCT(TrainingIssue, (), (event, requirement, manager, course, module, problem))

struct TrainingReport {
  absl::CivilDay as_of;
  int32_t expiring_within_days = 0;
  std::vector<ManagerTraining> managers;  // by id
  std::vector<UnitTraining> units;        // pre-order (children by id)
  std::vector<TrainingIssue> issues;      // by manager, then event / requirement id

  friend bool operator==(const TrainingReport&, const TrainingReport&) = default;
};
BOOST_DESCRIBE_STRUCT(TrainingReport, (), (as_of, expiring_within_days, managers, units, issues))

// What a report covers.
struct TrainingRequest {
  absl::CivilDay as_of;
  int32_t expiring_within_days = 30;         // H of the expiring rule, 0 .. 3650
  std::optional<absl::CivilDay> hours_from;  // count only modules first completed on or after this day
  // Only these managers (each listed even when not employed on the day); empty:
  // every manager of the tree (of `unit` when given) employed on the day.
  std::vector<std::string> managers;
  // The roll-ups of this unit and every unit below it; absent: of the whole tree.
  std::optional<std::string> unit;
  bool units = true;  // false: no roll-ups
};

// ---- The projection --------------------------------------------------------------

// One logged training event, as the projection keeps it.
struct TrainingRecord {
  std::string event;
  EventKind kind = EventKind::kTrainingCompleted;
  std::string manager;
  std::string course;
  std::optional<std::string> module;     // completions: the module (category)
  std::optional<Decimal> score;          // completions
  std::optional<absl::CivilDay> due_on;  // enrolments
  absl::Time occurred_at;
  uint64_t seq = 0;

  friend bool operator==(const TrainingRecord&, const TrainingRecord&) = default;
};

// The training events of a workspace, per manager.
//
// Incremental: CatchUp() reads only the training_enrolled, training_completed and
// reversal events logged after its high-water mark. A reversal removes its target
// (also when applied before it). The state after catching up equals that of a
// projection rebuilt from the log.
//
// Thread-safety: safe to share between threads; one mutex guards the state.
class TrainingProjection {
 public:
  TrainingProjection() = default;
  TrainingProjection(const TrainingProjection&) = delete;
  TrainingProjection& operator=(const TrainingProjection&) = delete;

  // Applies the relevant events logged after high_water_mark(). On a store error
  // the events applied before it stay applied and a later call resumes.
  absl::Status CatchUp(const Workspace& workspace);
  // Applies one logged event (other kinds are ignored; applying one twice changes
  // nothing). The mark becomes max(mark, event.seq).
  void Apply(const StoredEvent& event);
  // Forgets everything (mark 0).
  void Reset();
  uint64_t high_water_mark() const;

  // The manager's records that are not reversed, by occurred_at then seq.
  std::vector<TrainingRecord> Records(std::string_view manager) const;
  // Every manager with a record, ordered by id.
  std::vector<std::string> Managers() const;

 private:
  void ApplyLocked(const StoredEvent& event) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  uint64_t high_water_mark_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<std::string, TrainingRecord> records_ ABSL_GUARDED_BY(mu_);  // by event id
  absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>> by_manager_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> reversed_ ABSL_GUARDED_BY(mu_);  // every id a reversal named
};

// ---- Computing ----------------------------------------------------------------------

// The report as of request.as_of: a pure function of the projection's records,
// the configuration and the org tree (load both as of the end of that day; see
// TrainingConfig::Load and EndOfDay), and `zone` (which day an event is on).
// NOT_FOUND for a request naming a manager or unit not in the tree (worded as
// OrgTree words it); INVALID_ARGUMENT for expiring_within_days out of range;
// OUT_OF_RANGE if a sum of hours leaves the Decimal range.
absl::StatusOr<TrainingReport> BuildTrainingReport(const TrainingProjection& training, const TrainingConfig& config,
                                                   const OrgTree& tree, const TrainingRequest& request,
                                                   absl::TimeZone zone);

// For the KPI engine: each manager's requirements met and held as of a day.
struct TrainingCompliance {
  std::string manager;
  int64_t met = 0;
  int64_t required = 0;
  friend bool operator==(const TrainingCompliance&, const TrainingCompliance&) = default;
};
BOOST_DESCRIBE_STRUCT(TrainingCompliance, (), (manager, met, required))

// (met, required) as of `as_of` for `managers` (empty: every manager of the tree
// employed on the day), ordered by manager id. A manager not employed on the day
// holds no requirement (0, 0). Errors as BuildTrainingReport.
absl::StatusOr<std::vector<TrainingCompliance>> TrainingComplianceAsOf(const TrainingProjection& training,
                                                                       const TrainingConfig& config,
                                                                       const OrgTree& tree, absl::CivilDay as_of,
                                                                       absl::TimeZone zone,
                                                                       std::vector<std::string> managers = {});

// For the "today" list: a certification expiring soon.
struct ExpiringCertification {
  std::string manager;
  std::string course;
  absl::CivilDay earned_on;
  absl::CivilDay expires_on;
  int32_t days_left = 0;  // expires_on - as_of
  friend bool operator==(const ExpiringCertification&, const ExpiringCertification&) = default;
};
BOOST_DESCRIBE_STRUCT(ExpiringCertification, (), (manager, course, earned_on, expires_on, days_left))

// The certifications of `managers` (empty: every manager of the tree employed on
// the day) still valid on `as_of` whose last valid day is within `within_days`
// days of it (as_of <= expires_on <= as_of + within_days), ordered by expires_on,
// then manager, then course. Errors as BuildTrainingReport (within_days 0 .. 3650).
absl::StatusOr<std::vector<ExpiringCertification>> ExpiringCertifications(const TrainingProjection& training,
                                                                          const TrainingConfig& config,
                                                                          const OrgTree& tree, absl::CivilDay as_of,
                                                                          int32_t within_days, absl::TimeZone zone,
                                                                          std::vector<std::string> managers = {});

}  // namespace cadre

#endif  // CADRE_TRAINING_H_
