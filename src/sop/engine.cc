// SOP instances: started by trigger events, their steps evaluated at the host's
// "now" on business clocks, and the escalations that are due.
//
// The engine keeps the events it needs (in log order) and derives the instances
// from them again whenever something new was read, so late events, reversals
// and late assignments all land where they belong. Evaluation at an instant is
// a pure function of the derived instances, the events and the clocks.
#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "cadre/crm.h"
#include "cadre/id.h"
#include "cadre/json.h"
#include "cadre/org.h"
#include "cadre/period.h"
#include "cadre/sop.h"
#include "cadre/status.h"
#include "cadre/training.h"
#include "cadre/workspace.h"

namespace cadre {
namespace {

constexpr std::string_view kEscalationPrefix = "sop-escalation:";

// FNV-1a, 64 bits: a hash that is the same in every run and on every platform
// (absl::Hash is salted per process), to shorten ids that would be too long.
uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string EscalationId(std::string_view instance, std::string_view step, int32_t rule) {
  std::string id = absl::StrCat(AbslView(kEscalationPrefix), AbslView(instance), "/", AbslView(step), "/", rule);
  if (id.size() <= kMaxIdLength) return id;
  return absl::StrCat(AbslView(kEscalationPrefix), absl::Hex(Fnv1a(id), absl::kZeroPad16));
}

// "<sop>/<key>", or "<sop>/" and the hash of that when it would be too long to
// be named by a sop_step_done event's reference.
std::string InstanceId(std::string_view sop, std::string_view key) {
  std::string id = absl::StrCat(AbslView(sop), "/", AbslView(key));
  if (id.size() <= kMaxIdLength) return id;
  return absl::StrCat(AbslView(sop), "/", absl::Hex(Fnv1a(id), absl::kZeroPad16));
}

std::string TrainingKey(std::string_view manager, std::string_view course) {
  return absl::StrCat(AbslView(manager), "\x1f", AbslView(course));
}

// Employed on `day`, as training.h counts it.
bool EmployedOn(const Manager& m, absl::CivilDay day) {
  if (m.hired_on && *m.hired_on > day) return false;
  if (m.left_on) return *m.left_on >= day;
  return m.status != EmploymentStatus::kLeft;
}

bool Earlier(const StoredEvent* a, const StoredEvent* b) {
  return std::tie(a->event.occurred_at, a->seq) < std::tie(b->event.occurred_at, b->seq);
}

Severity Raised(std::optional<Severity> s) {
  const Severity base = s.value_or(Severity::kMedium);
  return base == Severity::kCritical ? Severity::kCritical : static_cast<Severity>(static_cast<int>(base) - 1);
}

absl::StatusOr<BusinessClock> RoundTheClock() {
  BusinessCalendar c;
  c.id = "round-the-clock";
  c.hours.push_back(WorkingHours{
      .days = {Weekday::kMon, Weekday::kTue, Weekday::kWed, Weekday::kThu, Weekday::kFri, Weekday::kSat, Weekday::kSun},
      .from = "00:00",
      .to = "24:00"});
  return BusinessClock::Create(c, absl::UTCTimeZone());
}

SopStepStatus FromSla(SlaStatus s) {
  switch (s) {
    case SlaStatus::kRunning:
      return SopStepStatus::kRunning;
    case SlaStatus::kPaused:
      return SopStepStatus::kPaused;
    case SlaStatus::kWarning:
      return SopStepStatus::kWarning;
    case SlaStatus::kBreached:
      return SopStepStatus::kBreached;
    case SlaStatus::kMet:
      return SopStepStatus::kMet;
    case SlaStatus::kMissed:
      return SopStepStatus::kMissed;
  }
  return SopStepStatus::kRunning;
}

struct SopVersion {
  absl::Time effective_from;
  int64_t version = 0;
  bool deleted = false;
  SopDefinition definition;
};

// As the stores resolve a document at an instant: of the versions in force from
// at or before `at`, the latest effective_from, the newest version on a tie.
const SopVersion* InForce(const std::vector<SopVersion>& versions, absl::Time at) {
  const SopVersion* best = nullptr;
  for (const SopVersion& v : versions)
    if (v.effective_from <= at && (best == nullptr || v.effective_from >= best->effective_from)) best = &v;
  return best == nullptr || best->deleted ? nullptr : best;
}

bool Matches(const SopTrigger& trigger, const Event& e) {
  switch (trigger.on) {
    case SopTriggerKind::kCustomerAssigned:
      return e.kind == EventKind::kAssignment && e.customer && e.manager;
    case SopTriggerKind::kCustomerReleased:
      return e.kind == EventKind::kAssignment && e.customer && !e.manager;
    case SopTriggerKind::kLargePurchase:
      return e.kind == EventKind::kSale && e.amount_minor && trigger.min_amount_minor &&
             *e.amount_minor >= *trigger.min_amount_minor;
    case SopTriggerKind::kCaseOpened:
      return e.kind == EventKind::kCase && e.stage == "opened" && e.category &&
             (trigger.categories.empty() ||
              std::find(trigger.categories.begin(), trigger.categories.end(), *e.category) != trigger.categories.end());
    case SopTriggerKind::kTrainingOverdue:
      return false;  // no event: the engine derives these from the training requirements
  }
  return false;
}

}  // namespace

// ---- State ---------------------------------------------------------------------------

struct SopEngine::State {
  struct Instance {
    std::string id;
    std::string sop;
    int64_t version = 0;
    SopDefinition definition;
    std::vector<std::vector<std::string>> dependencies;
    const StoredEvent* trigger = nullptr;
    std::vector<const StoredEvent*> openings;  // case_opened: every opening, earliest first
    std::optional<std::string> customer;
    std::optional<std::string> manager;
    std::optional<std::string> case_ref;
    std::optional<std::string> requirement;  // training_overdue
    std::optional<std::string> course;
    std::optional<absl::CivilDay> due_on;
    std::optional<std::string> cancelled_by;
    std::optional<absl::Time> cancelled_at;
  };
  // A training requirement not met by the end of its due day.
  struct Overdue {
    std::string manager;
    std::string requirement;
    std::string course;
    absl::CivilDay due_on;
    // Stands in for a trigger event: the requirement's id, at the start of the next day.
    std::unique_ptr<StoredEvent> trigger;
  };
  // A training event of one manager for one course, and whether it made them pass it.
  struct TrainingMark {
    StoredEvent event;
    bool passed = false;
  };

  uint64_t mark = 0;
  bool documents_loaded = false;
  uint64_t document_generation = 0;
  bool dirty = true;
  OwnershipProjection ownership;
  std::vector<std::unique_ptr<StoredEvent>> events;  // relevant kinds, by seq

  // Configuration.
  std::map<std::string, std::vector<SopVersion>> sops;
  std::map<std::string, absl::StatusOr<BusinessClock>> clocks;
  std::optional<BusinessClock> round_the_clock;
  OrgTree tree;
  // training_overdue: read only while some SOP version has that trigger.
  bool wants_training = false;
  TrainingConfig training_config;  // the courses and requirements as they stand now
  TrainingProjection training;
  uint64_t training_seen = 0;  // the projection's mark `overdue` reflects
  bool overdue_stale = true;   // the documents changed since `overdue` was computed
  std::vector<Overdue> overdue;
  absl::flat_hash_map<std::string, std::vector<TrainingMark>> training_marks;  // by TrainingKey(manager, course)

  // Derived from the events.
  std::vector<Instance> instances;  // by start, then id
  absl::flat_hash_map<std::string, std::size_t> instance_index;
  absl::flat_hash_map<std::string, const StoredEvent*> reversal_of;                // reversed id -> the reversal
  absl::flat_hash_map<std::string, std::vector<const StoredEvent*>> case_events;   // by case, earliest first
  absl::flat_hash_map<std::string, std::vector<const StoredEvent*>> interactions;  // by customer
  absl::flat_hash_map<std::string, std::vector<const StoredEvent*>> step_done;     // by instance
  absl::flat_hash_map<std::string, const StoredEvent*> escalations;                // by event id, not reversed
  // Every escalation id in the log, reversed ones too: the log keeps an id for
  // good, so a reversed escalation is never due again (it could not be recorded).
  absl::flat_hash_set<std::string> logged_escalations;
  // raise_severity escalations, by case, earliest first.
  absl::flat_hash_map<std::string, std::vector<const StoredEvent*>> raised;

  absl::Status LoadDocuments(const Workspace& ws);
  absl::Status ComputeOverdue(absl::TimeZone zone);
  void Rebuild();
  std::optional<std::string> LeadFor(const std::optional<std::string>& manager) const;
  absl::StatusOr<const BusinessClock*> ClockOf(const Instance& inst) const;

  // Evaluates one instance at `now`; `assigned` receives each step's manager by
  // role (before reassignments).
  absl::StatusOr<SopInstanceView> Evaluate(const Instance& inst, absl::Time now, bool history,
                                           std::vector<std::optional<std::string>>* assigned = nullptr) const;
  absl::StatusOr<std::vector<DueEscalation>> Due(absl::Time now) const;
};

absl::Status SopEngine::State::LoadDocuments(const Workspace& ws) {
  sops.clear();
  clocks.clear();
  CADRE_ASSIGN_OR_RETURN(std::vector<Document> current, ws.List(SopDefinition::kCollection));
  for (const Document& doc : current) {
    CADRE_ASSIGN_OR_RETURN(std::vector<DocumentVersion> history, ws.History(SopDefinition::kCollection, doc.id));
    std::vector<SopVersion>& versions = sops[doc.id];
    for (const DocumentVersion& v : history) {
      SopVersion version{.effective_from = v.effective_from, .version = v.version, .deleted = v.deleted};
      if (!v.deleted) {
        CADRE_ASSIGN_OR_RETURN(version.definition,
                               json::FromText<SopDefinition>(v.body, absl::StrCat("sops.", AbslView(doc.id))));
      }
      versions.push_back(std::move(version));
    }
  }
  CADRE_ASSIGN_OR_RETURN(std::vector<Document> calendars, ws.List(BusinessCalendar::kCollection));
  for (const Document& doc : calendars) {
    absl::StatusOr<BusinessCalendar> calendar =
        json::FromText<BusinessCalendar>(doc.body, absl::StrCat("calendars.", AbslView(doc.id)));
    if (!calendar.ok()) {
      clocks.emplace(doc.id, calendar.status());
      continue;
    }
    clocks.emplace(doc.id, BusinessClock::Create(*calendar, ws.time_zone()));
  }
  if (!round_the_clock) {
    CADRE_ASSIGN_OR_RETURN(BusinessClock clock, RoundTheClock());
    round_the_clock = std::move(clock);
  }
  absl::StatusOr<OrgTree> org = OrgTree::Load(ws);
  tree = org.ok() ? *std::move(org) : OrgTree();

  wants_training = false;
  for (const auto& [_, versions] : sops)
    for (const SopVersion& v : versions)
      if (!v.deleted && v.definition.trigger.on == SopTriggerKind::kTrainingOverdue) wants_training = true;
  training_config = TrainingConfig();
  if (wants_training) {
    CADRE_ASSIGN_OR_RETURN(std::vector<Document> courses, ws.List(Course::kCollection));
    for (const Document& d : courses) {
      CADRE_ASSIGN_OR_RETURN(Course c, json::FromText<Course>(d.body, absl::StrCat("courses/", AbslView(d.id))));
      training_config.courses.push_back(std::move(c));
    }
    CADRE_ASSIGN_OR_RETURN(std::vector<Document> requirements, ws.List(TrainingRequirement::kCollection));
    for (const Document& d : requirements) {
      CADRE_ASSIGN_OR_RETURN(
          TrainingRequirement r,
          json::FromText<TrainingRequirement>(d.body, absl::StrCat("training_requirements/", AbslView(d.id))));
      training_config.requirements.push_back(std::move(r));
    }
  }
  return absl::OkStatus();
}

absl::Status SopEngine::State::ComputeOverdue(absl::TimeZone zone) {
  overdue.clear();
  training_marks.clear();
  training_seen = training.high_water_mark();
  if (!wants_training) return absl::OkStatus();
  absl::flat_hash_map<std::string, const Course*> courses;
  for (const Course& c : training_config.courses) courses.emplace(c.id, &c);
  for (const Manager& m : tree.managers()) {
    if (!m.role || !m.hired_on) continue;  // no requirement, or no due day
    // One report per due day: whether each requirement was met at its end.
    std::map<absl::CivilDay, TrainingReport> reports;
    for (const TrainingRequirement& req : training_config.requirements) {
      if (req.role != *m.role) continue;
      const absl::CivilDay due = *m.hired_on + req.within_days;
      if (!EmployedOn(m, due + 1)) continue;
      auto it = reports.find(due);
      if (it == reports.end()) {
        TrainingRequest request{.as_of = due, .managers = {m.id}, .units = false};
        CADRE_ASSIGN_OR_RETURN(TrainingReport report,
                               BuildTrainingReport(training, training_config, tree, request, zone));
        it = reports.emplace(due, std::move(report)).first;
      }
      bool met = false;
      for (const ManagerTraining& row : it->second.managers)
        for (const RequirementState& st : row.requirements)
          if (st.requirement == req.id && st.status == RequirementStatus::kMet) met = true;
      if (met) continue;
      Overdue o{.manager = m.id, .requirement = req.id, .course = req.course, .due_on = due};
      o.trigger = std::make_unique<StoredEvent>();
      o.trigger->event.id = req.id;
      o.trigger->event.kind = EventKind::kTrainingEnrolled;  // unused: a stand-in has no kind of its own
      o.trigger->event.occurred_at = absl::FromCivil(due + 1, zone);
      o.trigger->event.manager = m.id;
      o.trigger->event.reference = req.course;
      overdue.push_back(std::move(o));
    }
  }
  // The events that complete the instances' steps, by manager and course. The
  // passing rule is training.h's: with a pass mark the score reaches it; a
  // whole-course completion passes, or the module completion that leaves every
  // module passed since the last pass.
  for (const Overdue& o : overdue) {
    const std::string key = TrainingKey(o.manager, o.course);
    if (training_marks.contains(key)) continue;
    std::vector<TrainingMark>& marks = training_marks[key];
    auto known = courses.find(o.course);
    const Course* course = known == courses.end() ? nullptr : known->second;
    absl::flat_hash_set<std::string> modules_passed;
    for (const TrainingRecord& r : training.Records(o.manager)) {
      if (r.course != o.course) continue;
      TrainingMark mark;
      mark.event.seq = r.seq;
      mark.event.event.id = r.event;
      mark.event.event.kind = r.kind;
      mark.event.event.occurred_at = r.occurred_at;
      mark.event.event.manager = r.manager;
      mark.event.event.reference = r.course;
      if (r.kind == EventKind::kTrainingCompleted && course != nullptr &&
          (!r.module || course->FindModule(*r.module) != nullptr) &&
          (!course->pass_mark || (r.score && *r.score >= *course->pass_mark))) {
        if (r.module) modules_passed.insert(*r.module);
        if (!r.module || modules_passed.size() >= course->modules.size()) {
          mark.passed = true;
          modules_passed.clear();
        }
      }
      marks.push_back(std::move(mark));
    }
  }
  return absl::OkStatus();
}

void SopEngine::State::Rebuild() {
  instances.clear();
  instance_index.clear();
  reversal_of.clear();
  case_events.clear();
  interactions.clear();
  step_done.clear();
  escalations.clear();
  logged_escalations.clear();
  raised.clear();

  for (const auto& e : events)
    if (e->event.kind == EventKind::kReversal && e->event.reverses) reversal_of.emplace(*e->event.reverses, e.get());
  std::vector<const StoredEvent*> ordered;
  ordered.reserve(events.size());
  for (const auto& e : events) ordered.push_back(e.get());
  std::sort(ordered.begin(), ordered.end(), Earlier);

  auto reversed = [&](const StoredEvent* e) { return reversal_of.contains(e->event.id); };
  // Openings per case, earliest first (reversed ones too: they may be the only ones).
  std::map<std::string, std::vector<const StoredEvent*>> openings;
  for (const StoredEvent* stored : ordered) {
    const Event& e = stored->event;
    switch (e.kind) {
      case EventKind::kCase:
        if (e.stage == "opened") openings[*e.reference].push_back(stored);
        if (!reversed(stored)) case_events[*e.reference].push_back(stored);
        break;
      case EventKind::kInteraction:
        if (e.customer && !reversed(stored)) interactions[*e.customer].push_back(stored);
        break;
      case EventKind::kSopStepDone:
        if (!reversed(stored)) step_done[*e.reference].push_back(stored);
        break;
      case EventKind::kSopEscalation:
        logged_escalations.insert(e.id);
        if (!reversed(stored)) escalations.emplace(e.id, stored);
        break;
      default:
        break;
    }
  }

  auto add = [&](Instance inst) {
    if (instance_index.contains(inst.id)) return;
    instance_index.emplace(inst.id, instances.size());
    instances.push_back(std::move(inst));
  };
  auto cancel = [&](Instance& inst, const StoredEvent* trigger) {
    if (auto r = reversal_of.find(trigger->event.id); r != reversal_of.end()) {
      inst.cancelled_by = r->second->event.id;
      inst.cancelled_at = r->second->event.occurred_at;
    }
  };
  for (const auto& [sop_id, versions] : sops) {
    // Events that are not cases start one instance each.
    for (const StoredEvent* stored : ordered) {
      const Event& e = stored->event;
      if (e.kind != EventKind::kAssignment && e.kind != EventKind::kSale) continue;
      const SopVersion* v = InForce(versions, e.occurred_at);
      if (v == nullptr || !Matches(v->definition.trigger, e)) continue;
      Instance inst;
      inst.id = absl::StrCat(sop_id, "/", e.id);
      inst.sop = sop_id;
      inst.version = v->version;
      inst.definition = v->definition;
      inst.trigger = stored;
      inst.customer = e.customer;
      switch (v->definition.trigger.on) {
        case SopTriggerKind::kCustomerAssigned:
          inst.manager = e.manager;
          break;
        case SopTriggerKind::kCustomerReleased:
          for (const OwnershipRecord& r : ownership.History(*e.customer))
            if (r.event == e.id) inst.manager = r.previous;
          break;
        case SopTriggerKind::kLargePurchase:
          inst.manager = ownership.CreditedManager(e);
          break;
        case SopTriggerKind::kCaseOpened:
        case SopTriggerKind::kTrainingOverdue:
          break;
      }
      cancel(inst, stored);
      add(std::move(inst));
    }
    // A case starts one instance, from its earliest opening that is not reversed.
    for (const auto& [ref, opened] : openings) {
      const StoredEvent* trigger = nullptr;
      for (const StoredEvent* o : opened)
        if (!reversed(o)) {
          trigger = o;
          break;
        }
      if (trigger == nullptr) trigger = opened.front();
      const Event& e = trigger->event;
      const SopVersion* v = InForce(versions, e.occurred_at);
      if (v == nullptr || !Matches(v->definition.trigger, e)) continue;
      Instance inst;
      inst.id = absl::StrCat(sop_id, "/", ref);
      inst.sop = sop_id;
      inst.version = v->version;
      inst.definition = v->definition;
      inst.trigger = trigger;
      inst.openings = opened;
      inst.customer = e.customer;
      inst.case_ref = ref;
      inst.manager = e.manager ? e.manager : e.customer ? ownership.OwnerAt(*e.customer, e.occurred_at) : std::nullopt;
      if (reversed(trigger)) cancel(inst, trigger);
      add(std::move(inst));
    }
    // A training requirement overdue starts one instance for its manager.
    for (const Overdue& o : overdue) {
      const SopVersion* v = InForce(versions, o.trigger->event.occurred_at);
      if (v == nullptr || v->definition.trigger.on != SopTriggerKind::kTrainingOverdue) continue;
      Instance inst;
      inst.id = InstanceId(sop_id, absl::StrCat(o.manager, "/", o.requirement, "/", FormatDay(o.due_on)));
      inst.sop = sop_id;
      inst.version = v->version;
      inst.definition = v->definition;
      inst.trigger = o.trigger.get();
      inst.manager = o.manager;
      inst.requirement = o.requirement;
      inst.course = o.course;
      inst.due_on = o.due_on;
      add(std::move(inst));
    }
  }
  for (Instance& inst : instances) inst.dependencies = inst.definition.Dependencies();
  std::sort(instances.begin(), instances.end(), [](const Instance& a, const Instance& b) {
    return std::tie(a.trigger->event.occurred_at, a.id) < std::tie(b.trigger->event.occurred_at, b.id);
  });
  instance_index.clear();
  for (std::size_t i = 0; i < instances.size(); ++i) instance_index.emplace(instances[i].id, i);

  for (const StoredEvent* stored : ordered) {
    const Event& e = stored->event;
    if (e.kind != EventKind::kSopEscalation || reversed(stored) || e.category != "raise_severity") continue;
    auto it = instance_index.find(*e.reference);
    if (it == instance_index.end() || !instances[it->second].case_ref) continue;
    raised[*instances[it->second].case_ref].push_back(stored);
  }
  dirty = false;
}

std::optional<std::string> SopEngine::State::LeadFor(const std::optional<std::string>& manager) const {
  if (!manager) return std::nullopt;
  const Manager* m = tree.FindManager(*manager);
  if (m == nullptr) return std::nullopt;
  std::string unit = m->team;
  // The lead of the manager's team; a lead of their own team reports to the lead above.
  for (int guard = 0; guard < 64; ++guard) {
    absl::StatusOr<const Manager*> lead = tree.LeadOf(unit);
    if (!lead.ok() || *lead == nullptr) return std::nullopt;
    if ((*lead)->id != *manager) return (*lead)->id;
    // Climb past the units this manager leads.
    const OrgUnit* u = tree.FindUnit(unit);
    while (u != nullptr && !(u->lead && *u->lead == *manager)) {
      absl::StatusOr<const OrgUnit*> parent = tree.Parent(u->id);
      u = parent.ok() ? *parent : nullptr;
    }
    if (u == nullptr) return std::nullopt;
    absl::StatusOr<const OrgUnit*> parent = tree.Parent(u->id);
    if (!parent.ok() || *parent == nullptr) return std::nullopt;
    unit = (*parent)->id;
  }
  return std::nullopt;
}

absl::StatusOr<const BusinessClock*> SopEngine::State::ClockOf(const Instance& inst) const {
  if (!inst.definition.calendar) return &*round_the_clock;
  auto it = clocks.find(*inst.definition.calendar);
  if (it == clocks.end())
    return absl::FailedPreconditionError(absl::StrCat("sop ", QuoteJson(inst.sop), " names calendar ",
                                                      QuoteJson(*inst.definition.calendar),
                                                      ", which is not in the calendars collection"));
  if (!it->second.ok())
    return absl::FailedPreconditionError(absl::StrCat("sop ", QuoteJson(inst.sop), " names calendar ",
                                                      QuoteJson(*inst.definition.calendar),
                                                      ", which is invalid: ", it->second.status().message()));
  return &*it->second;
}

absl::StatusOr<SopInstanceView> SopEngine::State::Evaluate(const Instance& inst, absl::Time now, bool history,
                                                           std::vector<std::optional<std::string>>* assigned) const {
  const Event& trigger = inst.trigger->event;
  SopInstanceView view;
  view.id = inst.id;
  view.sop = inst.sop;
  view.sop_version = inst.version;
  view.sop_name = inst.definition.name;
  view.trigger = inst.definition.trigger.on;
  view.trigger_event = trigger.id;
  view.start = trigger.occurred_at;
  view.customer = inst.customer;
  view.manager = inst.manager;
  view.case_ref = inst.case_ref;
  view.requirement = inst.requirement;
  view.course = inst.course;
  view.due_on = inst.due_on;
  view.cancelled_by = inst.cancelled_by;
  auto log = [&](absl::Time at, const std::string& event, std::string what, std::optional<std::string> step = {},
                 std::optional<std::string> detail = {}) {
    if (history)
      view.history.push_back(SopHistoryEntry{at, event, std::move(what), std::move(step), std::move(detail)});
  };
  log(trigger.occurred_at, trigger.id, "triggered", std::nullopt, std::string(json::EnumName(view.trigger)));
  CADRE_ASSIGN_OR_RETURN(const BusinessClock* business, ClockOf(inst));
  const BusinessClock* elapsed = &*round_the_clock;

  // The case: its events up to now, its pauses and its severity.
  static const std::vector<const StoredEvent*> kNone;
  const std::vector<const StoredEvent*>* case_log = &kNone;
  std::vector<SlaPause> pauses;
  if (inst.case_ref) {
    if (auto it = case_events.find(*inst.case_ref); it != case_events.end()) case_log = &it->second;
    std::optional<absl::Time> severity_at;
    for (const StoredEvent* c : *case_log) {
      const Event& e = c->event;
      if (e.occurred_at > now) break;
      if (e.severity) {
        view.severity = e.severity;
        severity_at = e.occurred_at;
      }
      if (e.stage == "opened" && c != inst.trigger) log(e.occurred_at, e.id, "opened_again");
      if (e.stage == "waiting" && (pauses.empty() || pauses.back().until)) {
        pauses.push_back(SlaPause{.from = e.occurred_at});
        log(e.occurred_at, e.id, "paused");
      } else if (e.stage == "resumed" && !pauses.empty() && !pauses.back().until) {
        pauses.back().until = e.occurred_at;
        log(e.occurred_at, e.id, "resumed");
      }
    }
    if (auto it = raised.find(*inst.case_ref); it != raised.end())
      for (const StoredEvent* r : it->second)
        if (r->event.occurred_at <= now && r->event.severity && (!severity_at || r->event.occurred_at >= *severity_at))
          view.severity = r->event.severity;
  }
  // The earliest case event entering `stage` at or after `from`, up to now.
  auto case_stage_at = [&](std::string_view stage, absl::Time from, bool strictly_after) -> const StoredEvent* {
    for (const StoredEvent* c : *case_log) {
      const absl::Time at = c->event.occurred_at;
      if (at > now) break;
      if ((strictly_after ? at > from : at >= from) && c->event.stage == stage) return c;
    }
    return nullptr;
  };

  const std::vector<SopStep>& steps = inst.definition.steps;
  view.steps.resize(steps.size());
  if (assigned) assigned->assign(steps.size(), std::nullopt);
  std::vector<bool> done(steps.size(), false);
  absl::flat_hash_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < steps.size(); ++i) index.emplace(steps[i].id, i);
  // Steps in an order where each comes after what it waits for (the graph is acyclic).
  std::vector<std::size_t> order;
  std::vector<bool> placed(steps.size(), false);
  while (order.size() < steps.size()) {
    const std::size_t before = order.size();
    for (std::size_t i = 0; i < steps.size(); ++i) {
      if (placed[i]) continue;
      bool ready = true;
      for (const std::string& d : inst.dependencies[i])
        if (auto it = index.find(d); it != index.end() && !placed[it->second]) ready = false;
      if (ready) {
        placed[i] = true;
        order.push_back(i);
      }
    }
    if (order.size() == before) break;  // unreachable for a validated SOP
  }

  for (std::size_t i : order) {
    const SopStep& step = steps[i];
    SopStepState& out = view.steps[i];
    out.step = step.id;
    out.name = step.name;
    out.role = step.role;
    switch (step.role) {
      case SopRole::kOwner:
        out.responsible = inst.manager;
        break;
      case SopRole::kTeamLead:
        out.responsible = LeadFor(inst.manager);
        break;
      case SopRole::kSupportDesk:
        break;
    }
    if (assigned) (*assigned)[i] = out.responsible;

    // Ready when everything it waits for is completed.
    std::optional<absl::Time> ready = trigger.occurred_at;
    for (const std::string& d : inst.dependencies[i]) {
      const SopStepState& dep = view.steps[index.at(d)];
      if (!dep.completed_at) {
        ready.reset();
        break;
      }
      ready = std::max(*ready, *dep.completed_at);
    }
    if (ready && *ready > now) ready.reset();
    if (!ready) {
      out.status = inst.cancelled_by ? SopStepStatus::kCancelled : SopStepStatus::kPending;
      continue;
    }
    absl::Time start = *ready;
    const StoredEvent* completion = nullptr;
    const SopCompletion& by = step.completed_by;
    if (by.step_done) {
      if (auto it = step_done.find(inst.id); it != step_done.end()) {
        for (const StoredEvent* d : it->second) {
          const Event& e = d->event;
          if (e.occurred_at > now) break;
          if (e.stage != step.id) continue;
          bool complete = true;
          for (const std::string& field : by.step_done->require)
            if ((field == "outcome" && !e.outcome) || (field == "note" && !e.note)) complete = false;
          if (complete) {
            completion = d;
            break;
          }
        }
      }
    } else if (by.interaction) {
      if (inst.customer) {
        if (auto it = interactions.find(*inst.customer); it != interactions.end()) {
          for (const StoredEvent* x : it->second) {
            const Event& e = x->event;
            if (e.occurred_at > now) break;
            if (e.occurred_at < start) continue;
            if (by.interaction->channel && e.channel != by.interaction->channel) continue;
            completion = x;
            break;
          }
        }
      }
    } else if (by.case_stage) {
      const std::string stage(json::EnumName(*by.case_stage));
      completion = case_stage_at(stage, start, false);
      // A reopening after a resolution reopens the step, ready again from the reopening.
      while (completion != nullptr && *by.case_stage == SopCaseStage::kResolved) {
        const StoredEvent* reopened = case_stage_at("reopened", completion->event.occurred_at, true);
        if (reopened == nullptr) break;
        log(completion->event.occurred_at, completion->event.id, "completed", step.id, "resolved");
        log(reopened->event.occurred_at, reopened->event.id, "reopened", step.id);
        start = reopened->event.occurred_at;
        completion = case_stage_at(stage, start, false);
      }
    } else if (by.training) {
      if (inst.manager && inst.course) {
        if (auto it = training_marks.find(TrainingKey(*inst.manager, *inst.course)); it != training_marks.end()) {
          for (const TrainingMark& mark : it->second) {
            const Event& e = mark.event.event;
            if (e.occurred_at > now) break;
            if (e.occurred_at < start) continue;
            if (*by.training == SopTrainingStage::kPassed && !mark.passed) continue;
            completion = &mark.event;
            break;
          }
        }
      }
    }
    out.ready_at = start;
    std::optional<absl::Time> completed_at;
    if (completion != nullptr) {
      completed_at = std::max(completion->event.occurred_at, start);
      out.completed_at = completed_at;
      out.completed_by = completion->event.id;
      log(*completed_at, completion->event.id, "completed", step.id);
    }

    // The SLA on the step's clock, with the case's pauses inside [start, stop].
    const BusinessClock& clock = step.within.business() ? *business : *elapsed;
    SlaTimeline timeline;
    timeline.start = start;
    timeline.stopped_at = completed_at;
    const absl::Time stop = completed_at.value_or(now);
    for (const SlaPause& p : pauses) {
      const absl::Time from = std::max(p.from, start);
      const absl::Time until = p.until ? std::min(*p.until, stop) : stop;
      if (from >= stop || (p.until && *p.until <= start)) continue;
      SlaPause clipped{.from = from};
      if (p.until || completed_at) clipped.until = until;
      if (clipped.until && *clipped.until <= clipped.from) continue;
      timeline.pauses.push_back(clipped);
    }
    SlaPolicy policy{.duration = step.within.length()};
    if (step.warn_before) policy.warn_before = step.warn_before->length();
    CADRE_ASSIGN_OR_RETURN(SlaState sla, cadre::Evaluate(clock, timeline, policy, now));
    out.due_at = sla.due_at;
    out.warning_at = sla.warning_at;
    out.status = FromSla(sla.status);
    if (inst.cancelled_by && !completed_at) out.status = SopStepStatus::kCancelled;

    // Escalations: taken ones apply; the others are due once breached long enough.
    for (std::size_t k = 0; k < step.escalations.size(); ++k) {
      const SopEscalationRule& rule = step.escalations[k];
      SopEscalationState esc;
      esc.rule = static_cast<int32_t>(k);
      esc.action = rule.action;
      esc.event_id = EscalationId(inst.id, step.id, esc.rule);
      const BusinessClock& after_clock = rule.after.business() ? *business : *elapsed;
      CADRE_ASSIGN_OR_RETURN(absl::Time at, after_clock.AddBusinessTime(sla.due_at, rule.after.length()));
      esc.escalate_at = at;
      if (auto it = escalations.find(esc.event_id); it != escalations.end() && it->second->event.occurred_at <= now) {
        const Event& e = it->second->event;
        esc.taken = true;
        esc.manager = e.manager;
        esc.severity = e.severity;
        log(e.occurred_at, e.id, "escalated", step.id, std::string(json::EnumName(rule.action)));
        if (rule.action == EscalationAction::kReassign && e.manager) out.responsible = e.manager;
        if (rule.action == EscalationAction::kNotifyLead && e.manager) out.notified.push_back(*e.manager);
      }
      esc.due = !esc.taken && !logged_escalations.contains(esc.event_id) && out.status == SopStepStatus::kBreached &&
                at <= now;
      out.escalations.push_back(std::move(esc));
    }
    if (completed_at) done[i] = true;
  }

  if (inst.cancelled_by) {
    view.status = SopInstanceStatus::kCancelled;
    log(*inst.cancelled_at, *inst.cancelled_by, "cancelled");
  } else {
    view.status = std::all_of(done.begin(), done.end(), [](bool d) { return d; }) ? SopInstanceStatus::kCompleted
                                                                                  : SopInstanceStatus::kOpen;
  }
  if (history) {
    std::stable_sort(view.history.begin(), view.history.end(),
                     [](const SopHistoryEntry& a, const SopHistoryEntry& b) { return a.at < b.at; });
    // A completion logged before its step's reopening may repeat the final one; keep each (event, what, step) once.
    std::vector<SopHistoryEntry> unique;
    for (SopHistoryEntry& h : view.history)
      if (std::find(unique.begin(), unique.end(), h) == unique.end()) unique.push_back(std::move(h));
    view.history = std::move(unique);
  }
  return view;
}

absl::StatusOr<std::vector<DueEscalation>> SopEngine::State::Due(absl::Time now) const {
  std::vector<DueEscalation> out;
  for (const Instance& inst : instances) {
    if (inst.trigger->event.occurred_at > now || inst.cancelled_by) continue;
    CADRE_ASSIGN_OR_RETURN(SopInstanceView view, Evaluate(inst, now, false));
    for (std::size_t i = 0; i < view.steps.size(); ++i) {
      const SopStepState& step = view.steps[i];
      for (const SopEscalationState& esc : step.escalations) {
        if (!esc.due) continue;
        DueEscalation d;
        d.instance = inst.id;
        d.step = step.step;
        d.rule = esc.rule;
        d.action = esc.action;
        d.escalate_at = *esc.escalate_at;
        Event& e = d.event;
        e.id = esc.event_id;
        e.kind = EventKind::kSopEscalation;
        e.occurred_at = *esc.escalate_at;
        e.reference = inst.id;
        e.stage = step.step;
        e.category = std::string(json::EnumName(esc.action));
        if (esc.action == EscalationAction::kRaiseSeverity) {
          e.manager = step.responsible;
          e.severity = Raised(view.severity);
        } else {
          e.manager = LeadFor(step.responsible);
        }
        out.push_back(std::move(d));
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const DueEscalation& a, const DueEscalation& b) {
    return std::tie(a.escalate_at, a.instance, a.step, a.rule) < std::tie(b.escalate_at, b.instance, b.step, b.rule);
  });
  return out;
}

// ---- SopEngine -------------------------------------------------------------------------

SopEngine::SopEngine(const Workspace& workspace) : workspace_(workspace), state_(std::make_unique<State>()) {}
SopEngine::~SopEngine() = default;

absl::TimeZone SopEngine::time_zone() const { return workspace_.time_zone(); }

void SopEngine::Reset() {
  absl::MutexLock lock(&mu_);
  state_ = std::make_unique<State>();
}

absl::Status SopEngine::CatchUp() {
  absl::MutexLock lock(&mu_);
  State& s = *state_;
  CADRE_RETURN_IF_ERROR(s.ownership.CatchUp(workspace_));
  const uint64_t generation = workspace_.document_generation();
  if (!s.documents_loaded || generation != s.document_generation) {
    CADRE_RETURN_IF_ERROR(s.LoadDocuments(workspace_));
    s.documents_loaded = true;
    s.document_generation = generation;
    s.dirty = true;
    s.overdue_stale = true;
  }
  CADRE_ASSIGN_OR_RETURN(const uint64_t store_mark, workspace_.HighWaterMark());
  // No further than the ownership projection has read, so owners are known.
  const uint64_t limit = std::min(store_mark, s.ownership.high_water_mark());
  if (limit > s.mark) {
    EventQuery query;
    query.kinds = {EventKind::kAssignment,  EventKind::kCase,          EventKind::kSale,    EventKind::kInteraction,
                   EventKind::kSopStepDone, EventKind::kSopEscalation, EventKind::kReversal};
    query.after_seq = s.mark;
    query.order = ScanOrder::kBySeq;
    CADRE_RETURN_IF_ERROR(workspace_.ScanEvents(query, [&](const StoredEvent& e) {
      if (e.seq > limit) return false;
      s.events.push_back(std::make_unique<StoredEvent>(e));
      return true;
    }));
    s.mark = limit;
    s.dirty = true;
  }
  // Overdue training depends on the documents and the training events only.
  if (s.wants_training) {
    CADRE_RETURN_IF_ERROR(s.training.CatchUp(workspace_));
    if (s.training.high_water_mark() != s.training_seen) s.overdue_stale = true;
  }
  if (s.overdue_stale) {
    CADRE_RETURN_IF_ERROR(s.ComputeOverdue(workspace_.time_zone()));
    s.overdue_stale = false;
    s.dirty = true;
  }
  if (s.dirty) s.Rebuild();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<SopInstanceView>> SopEngine::Instances(const SopInstanceFilter& filter,
                                                                  absl::Time now) const {
  absl::MutexLock lock(&mu_);
  const State& s = *state_;
  std::vector<SopInstanceView> out;
  for (const State::Instance& inst : s.instances) {
    if (inst.trigger->event.occurred_at > now) continue;
    if (filter.sop && inst.sop != *filter.sop) continue;
    if (filter.customer && inst.customer != filter.customer) continue;
    CADRE_ASSIGN_OR_RETURN(SopInstanceView view, s.Evaluate(inst, now, false));
    if (filter.open_only && view.status != SopInstanceStatus::kOpen) continue;
    if (filter.manager) {
      bool involved = view.manager == filter.manager;
      for (const SopStepState& step : view.steps)
        involved = involved || step.responsible == filter.manager ||
                   std::find(step.notified.begin(), step.notified.end(), *filter.manager) != step.notified.end();
      if (!involved) continue;
    }
    out.push_back(std::move(view));
  }
  return out;
}

absl::StatusOr<SopInstanceView> SopEngine::Instance(std::string_view id, absl::Time now) const {
  absl::MutexLock lock(&mu_);
  const State& s = *state_;
  auto it = s.instance_index.find(AbslView(id));
  if (it == s.instance_index.end() || s.instances[it->second].trigger->event.occurred_at > now)
    return absl::NotFoundError(absl::StrCat("SOP instance ", QuoteJson(id), " does not exist"));
  return s.Evaluate(s.instances[it->second], now, true);
}

absl::StatusOr<std::vector<DueEscalation>> SopEngine::DueEscalations(absl::Time now) const {
  absl::MutexLock lock(&mu_);
  return state_->Due(now);
}

absl::StatusOr<std::vector<Event>> SopEngine::RecordEscalations(Workspace& workspace, absl::Time now) {
  CADRE_RETURN_IF_ERROR(CatchUp());
  CADRE_ASSIGN_OR_RETURN(std::vector<DueEscalation> due, DueEscalations(now));
  std::vector<Event> events;
  for (DueEscalation& d : due) events.push_back(std::move(d.event));
  if (events.empty()) return events;
  CADRE_ASSIGN_OR_RETURN(IngestReport report, workspace.Ingest(events, IngestMode::kBestEffort));
  std::vector<Event> written;
  if (report.accepted == events.size()) {
    written = std::move(events);
  } else {
    // Another writer got there first (a duplicate) or the log refused a row:
    // report only what this call wrote, as the log now holds it.
    absl::flat_hash_set<std::size_t> refused;
    for (const RejectedRow& r : report.rejected) refused.insert(r.index);
    for (std::size_t i = 0; i < events.size(); ++i) {
      if (refused.contains(i)) continue;
      bool logged_before = false;
      {
        absl::MutexLock lock(&mu_);
        logged_before = state_->logged_escalations.contains(events[i].id);
      }
      if (!logged_before) written.push_back(events[i]);
    }
  }
  CADRE_RETURN_IF_ERROR(CatchUp());
  return written;
}

absl::StatusOr<std::vector<SopOnTimeRow>> SopEngine::SopOnTime(absl::Time from, absl::Time until,
                                                               absl::Time now) const {
  absl::MutexLock lock(&mu_);
  const State& s = *state_;
  std::map<std::string, SopOnTimeRow> rows;
  for (const State::Instance& inst : s.instances) {
    if (inst.trigger->event.occurred_at > now || inst.trigger->event.occurred_at >= until) continue;
    std::vector<std::optional<std::string>> assigned;
    CADRE_ASSIGN_OR_RETURN(SopInstanceView view, s.Evaluate(inst, now, false, &assigned));
    for (std::size_t i = 0; i < view.steps.size(); ++i) {
      const SopStepState& step = view.steps[i];
      if (!step.due_at || *step.due_at < from || *step.due_at >= until || !assigned[i]) continue;
      const bool met = step.status == SopStepStatus::kMet;
      const bool missed = step.status == SopStepStatus::kMissed ||
                          ((step.status == SopStepStatus::kBreached || step.status == SopStepStatus::kPaused ||
                            step.status == SopStepStatus::kRunning || step.status == SopStepStatus::kWarning) &&
                           *step.due_at <= now);
      if (!met && !missed) continue;
      SopOnTimeRow& row = rows[*assigned[i]];
      row.manager = *assigned[i];
      ++row.due;
      if (met) ++row.met;
    }
  }
  std::vector<SopOnTimeRow> out;
  for (auto& [_, row] : rows) out.push_back(std::move(row));
  return out;
}

}  // namespace cadre
