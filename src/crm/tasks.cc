#include "cadre/tasks.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include "cadre/crm.h"
#include "cadre/status.h"
#include "cadre/store.h"
#include "cadre/workspace.h"

namespace cadre {

absl::Time TaskDeadline(absl::CivilDay due_on, absl::TimeZone zone) {
  // As Period::Start: FromCivil takes the earlier instant when midnight repeats,
  // and the transition itself when it is skipped.
  return absl::FromCivil(absl::CivilSecond(due_on + 1), zone);
}

TaskStatus FollowUpStatus(absl::CivilDay due_on, std::optional<absl::Time> done_at, absl::Time now,
                          absl::TimeZone zone) {
  if (done_at && *done_at <= now) return TaskStatus::kDone;
  return now >= TaskDeadline(due_on, zone) ? TaskStatus::kOverdue : TaskStatus::kOpen;
}

bool DoneOnTime(absl::CivilDay due_on, absl::Time done_at, absl::TimeZone zone) {
  return done_at < TaskDeadline(due_on, zone);
}

namespace {

bool Earlier(absl::Time a_at, uint64_t a_seq, absl::Time b_at, uint64_t b_seq) {
  return a_at != b_at ? a_at < b_at : a_seq < b_seq;
}

}  // namespace

absl::Status FollowUpProjection::CatchUp(const Workspace& workspace, const OwnershipProjection& ownership) {
  absl::MutexLock lock(&mu_);
  // Everything up to the store's mark is committed; the ownership projection has
  // applied everything up to its own. Reading no further than both keeps each
  // task credited by an ownership that has seen the events before it.
  CADRE_ASSIGN_OR_RETURN(const uint64_t store_mark, workspace.HighWaterMark());
  const uint64_t limit = std::min(store_mark, ownership.high_water_mark());
  if (limit <= high_water_mark_) return absl::OkStatus();
  EventQuery query;
  query.kinds = {EventKind::kFollowUp, EventKind::kFollowUpDone, EventKind::kInteraction, EventKind::kAssignment,
                 EventKind::kReversal};
  query.after_seq = high_water_mark_;
  query.order = ScanOrder::kBySeq;
  CADRE_RETURN_IF_ERROR(workspace.ScanEvents(query, [&](const StoredEvent& e) {
    if (e.seq > limit) return false;
    ApplyLocked(e, ownership);
    return true;
  }));
  high_water_mark_ = std::max(high_water_mark_, limit);
  return absl::OkStatus();
}

void FollowUpProjection::Apply(const StoredEvent& event, const OwnershipProjection& ownership) {
  absl::MutexLock lock(&mu_);
  ApplyLocked(event, ownership);
}

void FollowUpProjection::Reset() {
  absl::MutexLock lock(&mu_);
  high_water_mark_ = 0;
  tasks_.clear();
  done_.clear();
  done_task_.clear();
  by_customer_.clear();
  by_manager_.clear();
  assignment_customer_.clear();
  reversed_.clear();
}

uint64_t FollowUpProjection::high_water_mark() const {
  absl::MutexLock lock(&mu_);
  return high_water_mark_;
}

void FollowUpProjection::ApplyLocked(const StoredEvent& stored, const OwnershipProjection& ownership) {
  const Event& e = stored.event;
  high_water_mark_ = std::max(high_water_mark_, stored.seq);
  switch (e.kind) {
    case EventKind::kFollowUp:
      AddTask(stored, TaskSource::kFollowUp, ownership);
      return;
    case EventKind::kInteraction:
      if (e.due_on) AddTask(stored, TaskSource::kInteraction, ownership);
      return;
    case EventKind::kFollowUpDone: {
      if (!e.reference || reversed_.contains(e.id) || !done_task_.emplace(e.id, *e.reference).second) return;
      std::vector<Done>& marks = done_[*e.reference];
      Done mark{e.occurred_at, stored.seq, e.id, e.outcome};
      auto pos = std::upper_bound(marks.begin(), marks.end(), mark,
                                  [](const Done& a, const Done& b) { return Earlier(a.at, a.seq, b.at, b.seq); });
      marks.insert(pos, std::move(mark));
      return;
    }
    case EventKind::kAssignment:
      if (!e.customer || reversed_.contains(e.id)) return;
      assignment_customer_.emplace(e.id, *e.customer);
      Recredit(*e.customer, ownership);
      return;
    case EventKind::kReversal: {
      if (!e.reverses || !reversed_.insert(*e.reverses).second) return;
      const std::string& target = *e.reverses;
      if (tasks_.contains(target)) {
        RemoveTask(target);
      } else if (auto done = done_task_.find(target); done != done_task_.end()) {
        auto marks = done_.find(done->second);
        if (marks != done_.end()) {
          std::erase_if(marks->second, [&](const Done& d) { return d.event == target; });
          if (marks->second.empty()) done_.erase(marks);
        }
        // Kept in done_task_, so the same done event applied again stays undone.
      } else if (auto assignment = assignment_customer_.find(target); assignment != assignment_customer_.end()) {
        Recredit(assignment->second, ownership);
      }
      return;
    }
    default:
      return;
  }
}

void FollowUpProjection::AddTask(const StoredEvent& stored, TaskSource source, const OwnershipProjection& ownership) {
  const Event& e = stored.event;
  if (!e.customer || !e.due_on || reversed_.contains(e.id) || tasks_.contains(e.id)) return;
  Task task;
  task.id = e.id;
  task.source = source;
  task.customer = *e.customer;
  task.named_manager = e.manager;
  task.next_step = e.next_step;
  task.due_on = *e.due_on;
  task.created_at = e.occurred_at;
  task.seq = stored.seq;
  by_customer_[task.customer].insert(task.id);
  Task& placed = tasks_.emplace(task.id, std::move(task)).first->second;
  SetManager(placed, ownership.CreditedManager(e));
}

void FollowUpProjection::RemoveTask(const std::string& task_id) {
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return;
  SetManager(it->second, std::nullopt);
  if (auto c = by_customer_.find(it->second.customer); c != by_customer_.end()) {
    c->second.erase(task_id);
    if (c->second.empty()) by_customer_.erase(c);
  }
  tasks_.erase(it);
}

void FollowUpProjection::Recredit(const std::string& customer, const OwnershipProjection& ownership) {
  auto c = by_customer_.find(customer);
  if (c == by_customer_.end()) return;
  for (const std::string& id : c->second) {
    Task& task = tasks_.at(id);
    if (task.named_manager) continue;
    SetManager(task, ownership.OwnerAt(customer, task.created_at));
  }
}

void FollowUpProjection::SetManager(Task& task, std::optional<std::string> manager) {
  if (task.manager == manager) return;
  if (task.manager) {
    auto m = by_manager_.find(*task.manager);
    if (m != by_manager_.end()) {
      m->second.erase(task.id);
      if (m->second.empty()) by_manager_.erase(m);
    }
  }
  task.manager = std::move(manager);
  if (task.manager) by_manager_[*task.manager].insert(task.id);
}

std::optional<FollowUpTask> FollowUpProjection::View(const Task& task, absl::Time now, absl::TimeZone zone) const {
  if (task.created_at > now) return std::nullopt;
  FollowUpTask out;
  out.id = task.id;
  out.source = task.source;
  out.customer = task.customer;
  out.manager = task.manager;
  out.next_step = task.next_step;
  out.due_on = task.due_on;
  out.created_at = task.created_at;
  out.seq = task.seq;
  if (auto d = done_.find(task.id); d != done_.end() && !d->second.empty()) {
    const Done& first = d->second.front();  // the earliest done event counts
    if (first.at <= now) {
      out.done_at = std::max(first.at, task.created_at);
      out.done_event = first.event;
      out.outcome = first.outcome;
      out.done_on_time = DoneOnTime(task.due_on, *out.done_at, zone);
    }
  }
  out.status = FollowUpStatus(out.due_on, out.done_at, now, zone);
  return out;
}

std::vector<FollowUpTask> FollowUpProjection::Select(const absl::flat_hash_set<std::string>* ids, absl::Time now,
                                                     absl::TimeZone zone, const TaskFilter& filter) const {
  std::vector<FollowUpTask> out;
  if (ids == nullptr) return out;
  for (const std::string& id : *ids) {
    std::optional<FollowUpTask> task = View(tasks_.at(id), now, zone);
    if (!task) continue;
    if (!filter.statuses.empty() &&
        std::find(filter.statuses.begin(), filter.statuses.end(), task->status) == filter.statuses.end())
      continue;
    out.push_back(*std::move(task));
  }
  std::sort(out.begin(), out.end(), [](const FollowUpTask& a, const FollowUpTask& b) {
    return std::tie(a.due_on, a.created_at, a.id) < std::tie(b.due_on, b.created_at, b.id);
  });
  return out;
}

std::optional<FollowUpTask> FollowUpProjection::Find(std::string_view task_id, absl::Time now,
                                                     absl::TimeZone zone) const {
  absl::MutexLock lock(&mu_);
  auto it = tasks_.find(AbslView(task_id));
  if (it == tasks_.end()) return std::nullopt;
  return View(it->second, now, zone);
}

std::vector<FollowUpTask> FollowUpProjection::CustomerTasks(std::string_view customer, absl::Time now,
                                                            absl::TimeZone zone, const TaskFilter& filter) const {
  absl::MutexLock lock(&mu_);
  auto it = by_customer_.find(AbslView(customer));
  return Select(it == by_customer_.end() ? nullptr : &it->second, now, zone, filter);
}

std::vector<FollowUpTask> FollowUpProjection::ManagerTasks(std::string_view manager, absl::Time now,
                                                           absl::TimeZone zone, const TaskFilter& filter) const {
  absl::MutexLock lock(&mu_);
  auto it = by_manager_.find(AbslView(manager));
  return Select(it == by_manager_.end() ? nullptr : &it->second, now, zone, filter);
}

std::vector<TaskCounts> FollowUpProjection::CountsByManager(absl::CivilDay from_day, absl::CivilDay until_day,
                                                            absl::Time now, absl::TimeZone zone) const {
  absl::MutexLock lock(&mu_);
  // std::map orders the empty optional (no manager) first.
  std::map<std::optional<std::string>, TaskCounts> rows;
  for (const auto& [id, task] : tasks_) {
    if (task.due_on < from_day || task.due_on >= until_day) continue;
    std::optional<FollowUpTask> view = View(task, now, zone);
    if (!view) continue;
    TaskCounts& row = rows[task.manager];
    row.manager = task.manager;
    ++row.total;
    switch (view->status) {
      case TaskStatus::kOpen:
        ++row.open;
        break;
      case TaskStatus::kOverdue:
        ++row.overdue;
        break;
      case TaskStatus::kDone:
        ++row.done;
        if (view->done_on_time.value_or(false)) ++row.done_on_time;
        break;
    }
  }
  std::vector<TaskCounts> out;
  out.reserve(rows.size());
  for (auto& [manager, row] : rows) out.push_back(std::move(row));
  return out;
}

}  // namespace cadre
