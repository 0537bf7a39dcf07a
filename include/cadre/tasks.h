// cadre/tasks.h — follow-up tasks: what a manager is to do for a customer, by when.
//
// A task is created by a `follow_up` event (its id is the task id), or by an
// `interaction` event with a `due_on` (the interaction's "next step"; its id is
// the task id). It is due by the end of `due_on` in the workspace time zone. A
// `follow_up_done` event whose `reference` is the task id marks it done at its
// occurred_at. The task belongs to the manager the creating event names, or else
// to the customer's owner when it was created (OwnershipProjection::CreditedManager).
//
// Open, overdue and done are not stored: they depend on the instant asked about
// and on the zone, and are computed by the pure functions below.
//
//   OwnershipProjection ownership;
//   FollowUpProjection tasks;
//   CADRE_RETURN_IF_ERROR(ownership.CatchUp(*workspace));
//   CADRE_RETURN_IF_ERROR(tasks.CatchUp(*workspace, ownership));
//   std::vector<FollowUpTask> late =
//       tasks.ManagerTasks("M-7", absl::Now(), workspace->time_zone(), {.statuses = {TaskStatus::kOverdue}});
//   std::vector<TaskCounts> june = tasks.CountsByManager(ParseDay("2025-06-01"), ParseDay("2025-07-01"),
//                                                        absl::Now(), workspace->time_zone());
#ifndef CADRE_TASKS_H_
#define CADRE_TASKS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "boost/describe.hpp"
#include "cadre/event.h"

namespace cadre {

class Workspace;
class OwnershipProjection;

enum class TaskSource {
  kFollowUp,     // a follow_up event
  kInteraction,  // the next step of an interaction with a due_on
};
BOOST_DESCRIBE_ENUM(TaskSource, kFollowUp, kInteraction)

enum class TaskStatus {
  kOpen,     // not done, and its due day has not ended yet
  kOverdue,  // not done, and its due day has ended
  kDone,     // done (on time or late)
};
BOOST_DESCRIBE_ENUM(TaskStatus, kOpen, kOverdue, kDone)

// ---- Status: pure functions of the task's days and instants ----------------------

// The instant a task due on `due_on` becomes overdue: the start of the next day in
// `zone` (the earlier instant when that midnight repeats, the transition when it
// is skipped, as for Period::Start).
absl::Time TaskDeadline(absl::CivilDay due_on, absl::TimeZone zone);

// The status at `now` of a task due on `due_on`, done at `done_at` (if it was):
// done if done_at <= now; otherwise overdue if now >= TaskDeadline(due_on, zone);
// otherwise open. A task done after `now` is not done yet at `now`.
TaskStatus FollowUpStatus(absl::CivilDay due_on, std::optional<absl::Time> done_at, absl::Time now,
                          absl::TimeZone zone);

// Whether a task due on `due_on` and done at `done_at` was done on time:
// done_at < TaskDeadline(due_on, zone), i.e. on its due day or before, read in `zone`.
bool DoneOnTime(absl::CivilDay due_on, absl::Time done_at, absl::TimeZone zone);

// ---- Tasks -----------------------------------------------------------------------

// One task as the queries hand it out. `status` and `done_on_time` are computed
// for the `now` and zone of the query that returned it.
struct FollowUpTask {
  std::string id;  // the id of the follow_up or interaction event
  TaskSource source = TaskSource::kFollowUp;
  std::string customer;
  // The credited manager: the one the creating event names, else the customer's
  // owner at created_at. Absent when neither (the customer was in the pool).
  std::optional<std::string> manager;
  std::optional<std::string> next_step;
  absl::CivilDay due_on;
  absl::Time created_at;  // occurred_at of the creating event
  uint64_t seq = 0;       // the creating event's position in the log
  // When it was done (see FollowUpProjection for several or early done events);
  // absent while not done, or when the done event occurred after the query's `now`.
  std::optional<absl::Time> done_at;
  std::optional<std::string> done_event;  // id of the follow_up_done event that counts
  std::optional<std::string> outcome;     // that event's outcome
  TaskStatus status = TaskStatus::kOpen;  // at the query's `now`
  std::optional<bool> done_on_time;       // present when done

  friend bool operator==(const FollowUpTask&, const FollowUpTask&) = default;
};
BOOST_DESCRIBE_STRUCT(FollowUpTask, (),
                      (id, source, customer, manager, next_step, due_on, created_at, seq, done_at, done_event, outcome,
                       status, done_on_time))

// Which tasks a query returns.
struct TaskFilter {
  std::vector<TaskStatus> statuses;  // at the query's `now`; empty: every status
};
BOOST_DESCRIBE_STRUCT(TaskFilter, (), (statuses))

// One manager's tasks due in a period, by their status at the query's `now`.
struct TaskCounts {
  std::optional<std::string> manager;  // absent: tasks credited to nobody (customers in the pool)
  int64_t total = 0;                   // open + overdue + done
  int64_t open = 0;
  int64_t overdue = 0;
  int64_t done = 0;
  int64_t done_on_time = 0;  // of `done`, those done by the end of their due day

  friend bool operator==(const TaskCounts&, const TaskCounts&) = default;
};
BOOST_DESCRIBE_STRUCT(TaskCounts, (), (manager, total, open, overdue, done, done_on_time))

// The follow-up tasks of a workspace, projected from its event log.
//
// Incremental: CatchUp() reads only the follow_up, follow_up_done, interaction,
// assignment and reversal events logged after its high-water mark, in log order.
// The state after catching up equals that of a projection rebuilt from the log.
//
// Crediting: a task that names no manager is credited to the customer's owner at
// created_at, as `ownership` knows it. When an assignment of that customer (or a
// reversal of one) is read later, such as a late reassignment that occurred
// before the task, the task is credited again, so its manager always agrees with
// the ownership projection it is caught up with.
//
// Done events:
// - Several follow_up_done events for one task: the earliest (by occurred_at,
//   then seq) counts; the others are kept, so reversing the earliest makes the
//   next one count. Reversing every done event reopens the task.
// - A done event that occurred before the task was created (a clock that was
//   behind, or a task logged with a later time than it was entered) marks it done
//   at its creation instant: done_at is never before created_at.
// - Ingest refuses a done event naming no task, but a host feeding Apply() may
//   deliver it before its task: it is kept and counts once the task arrives.
//
// Reversals: reversing the follow_up or interaction removes its task (also when
// the reversal is applied before it); reversing a done event undoes it, as above.
//
// Queries are as of an instant `now`: tasks created after `now` are left out (they
// did not exist yet), and done events that occurred after `now` do not count.
//
// Thread-safety: safe to share between threads. One mutex guards the state;
// CatchUp holds it while it reads the log (and calls into `ownership`, whose own
// mutex is taken after this one), queries take it briefly and return copies.
class FollowUpProjection {
 public:
  FollowUpProjection() = default;
  FollowUpProjection(const FollowUpProjection&) = delete;
  FollowUpProjection& operator=(const FollowUpProjection&) = delete;

  // Applies the relevant events logged after high_water_mark() and at or below
  // ownership.high_water_mark(): catch `ownership` up with the same workspace
  // first, so every task is credited by an ownership that has seen the events
  // before it (the mark stops at the ownership's if it lags behind). On error
  // (the store's), the events applied before it stay applied and the mark stays
  // at the last of them, so a later call resumes.
  absl::Status CatchUp(const Workspace& workspace, const OwnershipProjection& ownership);

  // Applies one logged event (irrelevant kinds are ignored); applying an event
  // twice changes nothing. For hosts that feed the projection themselves: apply
  // the event to `ownership` first. The mark becomes max(mark, event.seq).
  void Apply(const StoredEvent& event, const OwnershipProjection& ownership);

  // Forgets everything (mark 0): the next CatchUp rebuilds from the whole log.
  void Reset();

  // The largest seq applied so far (0 at first).
  uint64_t high_water_mark() const;

  // One task at `now`; empty if there is none with that id (or it was reversed,
  // or created after `now`).
  std::optional<FollowUpTask> Find(std::string_view task_id, absl::Time now, absl::TimeZone zone) const;

  // The tasks of a customer / credited to a manager that pass `filter` at `now`,
  // ordered by due_on, then created_at, then id.
  std::vector<FollowUpTask> CustomerTasks(std::string_view customer, absl::Time now, absl::TimeZone zone,
                                          const TaskFilter& filter = {}) const;
  std::vector<FollowUpTask> ManagerTasks(std::string_view manager, absl::Time now, absl::TimeZone zone,
                                         const TaskFilter& filter = {}) const;

  // For the tasks due on a day in [from_day, until_day), counted per credited
  // manager by status at `now`. Ordered by manager, the uncredited row (no
  // manager) first; managers without such tasks are left out.
  std::vector<TaskCounts> CountsByManager(absl::CivilDay from_day, absl::CivilDay until_day, absl::Time now,
                                          absl::TimeZone zone) const;

 private:
  struct Done {
    absl::Time at;
    uint64_t seq = 0;
    std::string event;
    std::optional<std::string> outcome;
  };
  struct Task {
    std::string id;
    TaskSource source = TaskSource::kFollowUp;
    std::string customer;
    std::optional<std::string> named_manager;  // as the event names it
    std::optional<std::string> manager;        // credited
    std::optional<std::string> next_step;
    absl::CivilDay due_on;
    absl::Time created_at;
    uint64_t seq = 0;
  };

  void ApplyLocked(const StoredEvent& event, const OwnershipProjection& ownership) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void AddTask(const StoredEvent& event, TaskSource source, const OwnershipProjection& ownership)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RemoveTask(const std::string& task_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Credits the customer's tasks that name no manager again (after its ownership changed).
  void Recredit(const std::string& customer, const OwnershipProjection& ownership) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SetManager(Task& task, std::optional<std::string> manager) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The task as of `now`, or empty if it was created after `now`.
  std::optional<FollowUpTask> View(const Task& task, absl::Time now, absl::TimeZone zone) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  std::vector<FollowUpTask> Select(const absl::flat_hash_set<std::string>* ids, absl::Time now, absl::TimeZone zone,
                                   const TaskFilter& filter) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  uint64_t high_water_mark_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<std::string, Task> tasks_ ABSL_GUARDED_BY(mu_);
  // Done events per task id (also for tasks not seen yet), ordered by (at, seq).
  absl::flat_hash_map<std::string, std::vector<Done>> done_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::string> done_task_ ABSL_GUARDED_BY(mu_);  // done event id -> task id
  absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>> by_customer_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>> by_manager_ ABSL_GUARDED_BY(mu_);  // credited
  // Assignment id -> customer, to recredit when an assignment is reversed.
  absl::flat_hash_map<std::string, std::string> assignment_customer_ ABSL_GUARDED_BY(mu_);
  // Every event id named by a reversal seen so far.
  absl::flat_hash_set<std::string> reversed_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cadre

#endif  // CADRE_TASKS_H_
