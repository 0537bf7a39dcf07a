// The training report: per manager and per org unit, as of a day, computed from
// the projection's records, the configuration and the org tree. The rules are
// declared in cadre/training.h and docs/training.md.
#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "cadre/id.h"
#include "cadre/model.h"
#include "cadre/org.h"
#include "cadre/period.h"
#include "cadre/scope.h"
#include "cadre/status.h"
#include "cadre/training.h"

namespace cadre {
namespace {

constexpr int32_t kMaxHorizon = 3650;

bool Employed(const Manager& m, absl::CivilDay day) {
  if (m.hired_on && *m.hired_on > day) return false;
  if (m.left_on) return *m.left_on >= day;
  return m.status != EmploymentStatus::kLeft;
}

int32_t DaysBetween(absl::CivilDay from, absl::CivilDay to) { return static_cast<int32_t>(to - from); }

// What the rules need of the configuration, indexed once per report.
struct Context {
  const TrainingRequest* request = nullptr;
  absl::TimeZone zone;
  absl::flat_hash_map<std::string, const Course*> courses;
  // Requirements by role, each list ordered by requirement id (config order).
  absl::flat_hash_map<std::string, std::vector<const TrainingRequirement*>> by_role;

  const Course* FindCourse(const std::string& id) const {
    auto it = courses.find(id);
    return it == courses.end() ? nullptr : it->second;
  }
  std::string NoCourse() const {
    return absl::StrCat("no course with this id is in force on ", FormatDay(request->as_of));
  }
};

// The passes of one course by one manager, and the modules passed since the last.
struct CourseState {
  std::vector<absl::CivilDay> passes;  // in order
  absl::flat_hash_set<std::string> modules_passed;
};

absl::Status AddHours(Decimal& total, Decimal hours) {
  absl::StatusOr<Decimal> sum = total.Add(hours);
  if (!sum.ok()) return absl::OutOfRangeError("training: a sum of hours leaves the decimal range");
  total = *sum;
  return absl::OkStatus();
}

// One manager's row. Requirement issues are collected by id in `missing_courses`.
absl::Status BuildManager(const Context& ctx, const Manager& manager, const std::vector<TrainingRecord>& records,
                          ManagerTraining& row, std::vector<TrainingIssue>& issues,
                          std::map<std::string, const TrainingRequirement*>& missing_courses) {
  const TrainingRequest& request = *ctx.request;
  const absl::CivilDay as_of = request.as_of;
  row.manager = manager.id;
  row.team = manager.team;
  row.role = manager.role;
  row.employed = Employed(manager, as_of);

  std::map<std::string, CourseState> states;  // by course id
  absl::flat_hash_set<std::pair<std::string, std::string>> completed_modules;
  std::vector<std::pair<const TrainingRecord*, absl::CivilDay>> enrolments;
  for (const TrainingRecord& r : records) {
    const absl::CivilDay day = absl::ToCivilDay(r.occurred_at, ctx.zone);
    if (day > as_of) break;  // records come in time order
    const Course* course = ctx.FindCourse(r.course);
    if (course == nullptr) {
      issues.push_back(TrainingIssue{r.event, std::nullopt, manager.id, r.course, std::nullopt, ctx.NoCourse()});
      if (r.kind == EventKind::kTrainingEnrolled) enrolments.emplace_back(&r, day);
      continue;
    }
    if (r.kind == EventKind::kTrainingEnrolled) {
      enrolments.emplace_back(&r, day);
      continue;
    }
    if (r.module && course->FindModule(*r.module) == nullptr) {
      issues.push_back(TrainingIssue{
          r.event, std::nullopt, manager.id, r.course, r.module,
          absl::StrCat("course ", QuoteJson(r.course), " has no module with this id on ", FormatDay(as_of))});
      continue;
    }
    const bool passed = !course->pass_mark || (r.score && *r.score >= *course->pass_mark);
    row.attempts.push_back(TrainingAttempt{r.event, r.course, r.module, day, r.score, passed});

    // Hours: each module once, on its first completion.
    const bool count_hours = !request.hours_from || day >= *request.hours_from;
    for (const CourseModule& m : course->modules) {
      if (r.module && m.id != *r.module) continue;
      if (completed_modules.emplace(course->id, m.id).second && count_hours)
        CADRE_RETURN_IF_ERROR(AddHours(row.hours, m.hours));
    }

    if (!passed) continue;
    CourseState& state = states[course->id];
    if (r.module) {
      state.modules_passed.insert(*r.module);
      if (state.modules_passed.size() < course->modules.size()) continue;
    }
    state.passes.push_back(day);
    state.modules_passed.clear();  // a renewal by modules takes every module again
  }

  for (const auto& [course_id, state] : states) {
    if (state.passes.empty()) continue;
    row.passed.push_back(
        PassedCourse{course_id, state.passes.front(), state.passes.back(), static_cast<int32_t>(state.passes.size())});
    const Course* course = ctx.FindCourse(course_id);
    if (!course->certification) continue;
    Certification c;
    c.course = course_id;
    c.earned_on = state.passes.back();
    c.expires_on = c.earned_on + (course->certification->valid_days - 1);
    c.days_left = DaysBetween(as_of, c.expires_on);
    if (as_of > c.expires_on) {
      c.status = CertificationStatus::kExpired;
    } else if (c.expires_on <= as_of + request.expiring_within_days) {
      c.status = CertificationStatus::kExpiring;
    } else {
      c.status = CertificationStatus::kValid;
    }
    row.certifications.push_back(std::move(c));
  }

  for (const auto& [r, day] : enrolments) {
    TrainingEnrolment e;
    e.event = r->event;
    e.course = r->course;
    e.enrolled_on = day;
    e.due_on = r->due_on;
    if (auto s = states.find(r->course); s != states.end()) {
      auto pass = std::lower_bound(s->second.passes.begin(), s->second.passes.end(), day);
      if (pass != s->second.passes.end()) e.passed_on = *pass;
    }
    e.status = e.passed_on                     ? EnrolmentStatus::kPassed
               : e.due_on && as_of > *e.due_on ? EnrolmentStatus::kOverdue
                                               : EnrolmentStatus::kOpen;
    row.enrolments.push_back(std::move(e));
  }
  std::stable_sort(row.enrolments.begin(), row.enrolments.end(),
                   [](const TrainingEnrolment& a, const TrainingEnrolment& b) {
                     return std::tie(a.enrolled_on, a.event) < std::tie(b.enrolled_on, b.event);
                   });

  if (row.employed && manager.role) {
    auto reqs = ctx.by_role.find(*manager.role);
    if (reqs != ctx.by_role.end()) {
      for (const TrainingRequirement* req : reqs->second) {
        RequirementState st;
        st.requirement = req->id;
        st.course = req->course;
        if (manager.hired_on) st.due_on = *manager.hired_on + req->within_days;
        const Course* course = ctx.FindCourse(req->course);
        if (course == nullptr) missing_courses.emplace(req->id, req);
        st.renew = course != nullptr && course->certification && req->renew.value_or(true);
        const bool after_due = st.due_on && as_of > *st.due_on;
        auto s = states.find(req->course);
        const std::vector<absl::CivilDay>* passes = s == states.end() ? nullptr : &s->second.passes;
        if (passes == nullptr || passes->empty()) {
          st.status = after_due ? RequirementStatus::kOverdue : RequirementStatus::kPending;
        } else if (!st.renew) {
          st.status = RequirementStatus::kMet;
          st.passed_on = passes->front();
        } else {
          st.passed_on = passes->back();
          st.expires_on = *st.passed_on + (course->certification->valid_days - 1);
          if (as_of <= *st.expires_on) {
            st.status = RequirementStatus::kMet;
          } else {
            st.status = (!st.due_on || after_due) ? RequirementStatus::kLapsed : RequirementStatus::kPending;
          }
        }
        ++row.required;
        if (st.status == RequirementStatus::kMet) ++row.met;
        row.requirements.push_back(std::move(st));
      }
    }
  }
  row.compliant = row.met == row.required;
  return absl::OkStatus();
}

struct UnitSums {
  int64_t managers = 0;
  int64_t compliant = 0;
  int64_t met = 0;
  int64_t required = 0;
  Decimal hours;
};

}  // namespace

absl::StatusOr<TrainingReport> BuildTrainingReport(const TrainingProjection& training, const TrainingConfig& config,
                                                   const OrgTree& tree, const TrainingRequest& request,
                                                   absl::TimeZone zone) {
  if (request.expiring_within_days < 0 || request.expiring_within_days > kMaxHorizon)
    return FieldError("expiring_within_days", absl::StrCat("must be between 0 and ", kMaxHorizon),
                      absl::StrCat(request.expiring_within_days));
  Context ctx;
  ctx.request = &request;
  ctx.zone = zone;
  for (const Course& c : config.courses) ctx.courses.emplace(c.id, &c);
  for (const TrainingRequirement& r : config.requirements) ctx.by_role[r.role].push_back(&r);

  TrainingReport report;
  report.as_of = request.as_of;
  report.expiring_within_days = request.expiring_within_days;

  // Which managers get a row.
  std::vector<const Manager*> selected;
  if (!request.managers.empty()) {
    std::vector<std::string> ids = request.managers;
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    for (const std::string& id : ids) {
      const Manager* m = tree.FindManager(id);
      if (m == nullptr) return ManagerNotFound(id);
      selected.push_back(m);
    }
  } else if (request.unit) {
    CADRE_ASSIGN_OR_RETURN(std::vector<const Manager*> staff, tree.ManagersIn(*request.unit));
    for (const Manager* m : staff)
      if (Employed(*m, request.as_of)) selected.push_back(m);
  } else {
    for (const Manager& m : tree.managers())
      if (Employed(m, request.as_of)) selected.push_back(&m);
  }

  std::map<std::string, const TrainingRequirement*> missing_courses;
  report.managers.reserve(selected.size());
  for (const Manager* m : selected) {
    ManagerTraining row;
    CADRE_RETURN_IF_ERROR(BuildManager(ctx, *m, training.Records(m->id), row, report.issues, missing_courses));
    report.managers.push_back(std::move(row));
  }
  for (const auto& [id, req] : missing_courses)
    report.issues.push_back(TrainingIssue{std::nullopt, id, std::nullopt, req->course, std::nullopt, ctx.NoCourse()});
  std::stable_sort(report.issues.begin(), report.issues.end(), [](const TrainingIssue& a, const TrainingIssue& b) {
    return std::make_tuple(a.manager.value_or(""), a.requirement.value_or(""), a.event.value_or("")) <
           std::make_tuple(b.manager.value_or(""), b.requirement.value_or(""), b.event.value_or(""));
  });

  if (!request.units || tree.root() == nullptr) return report;
  // Roll-ups: each employed row adds to its team and every unit above it, up to the top.
  const std::string top = request.unit.value_or(tree.root()->id);
  CADRE_ASSIGN_OR_RETURN(std::vector<const OrgUnit*> subtree, tree.Subtree(top));
  absl::flat_hash_map<std::string, UnitSums> sums;
  for (const OrgUnit* u : subtree) sums.emplace(u->id, UnitSums{});
  for (const ManagerTraining& row : report.managers) {
    if (!row.employed || !sums.contains(row.team)) continue;
    std::string unit = row.team;
    while (true) {
      UnitSums& s = sums.at(unit);
      ++s.managers;
      if (row.compliant) ++s.compliant;
      s.met += row.met;
      s.required += row.required;
      CADRE_RETURN_IF_ERROR(AddHours(s.hours, row.hours));
      if (unit == top) break;
      CADRE_ASSIGN_OR_RETURN(const OrgUnit* parent, tree.Parent(unit));
      if (parent == nullptr) break;
      unit = parent->id;
    }
  }
  for (const OrgUnit* u : subtree) {
    const UnitSums& s = sums.at(u->id);
    UnitTraining t;
    t.unit = u->id;
    t.managers = s.managers;
    t.managers_compliant = s.compliant;
    t.met = s.met;
    t.required = s.required;
    if (s.required > 0) {
      CADRE_ASSIGN_OR_RETURN(t.ratio, Ratio(s.met, s.required, RoundingMode::kHalfEven));
    }
    t.hours = s.hours;
    report.units.push_back(std::move(t));
  }
  return report;
}

absl::StatusOr<std::vector<TrainingCompliance>> TrainingComplianceAsOf(const TrainingProjection& training,
                                                                       const TrainingConfig& config,
                                                                       const OrgTree& tree, absl::CivilDay as_of,
                                                                       absl::TimeZone zone,
                                                                       std::vector<std::string> managers) {
  TrainingRequest request;
  request.as_of = as_of;
  request.managers = std::move(managers);
  request.units = false;
  CADRE_ASSIGN_OR_RETURN(TrainingReport report, BuildTrainingReport(training, config, tree, request, zone));
  std::vector<TrainingCompliance> out;
  out.reserve(report.managers.size());
  for (const ManagerTraining& m : report.managers) out.push_back(TrainingCompliance{m.manager, m.met, m.required});
  return out;
}

absl::StatusOr<std::vector<ExpiringCertification>> ExpiringCertifications(const TrainingProjection& training,
                                                                          const TrainingConfig& config,
                                                                          const OrgTree& tree, absl::CivilDay as_of,
                                                                          int32_t within_days, absl::TimeZone zone,
                                                                          std::vector<std::string> managers) {
  TrainingRequest request;
  request.as_of = as_of;
  request.expiring_within_days = within_days;
  request.managers = std::move(managers);
  request.units = false;
  CADRE_ASSIGN_OR_RETURN(TrainingReport report, BuildTrainingReport(training, config, tree, request, zone));
  std::vector<ExpiringCertification> out;
  for (const ManagerTraining& m : report.managers) {
    for (const Certification& c : m.certifications) {
      if (c.status != CertificationStatus::kExpiring) continue;
      out.push_back(ExpiringCertification{m.manager, c.course, c.earned_on, c.expires_on, c.days_left});
    }
  }
  std::sort(out.begin(), out.end(), [](const ExpiringCertification& a, const ExpiringCertification& b) {
    return std::tie(a.expires_on, a.manager, a.course) < std::tie(b.expires_on, b.manager, b.course);
  });
  return out;
}

}  // namespace cadre
