// Which incentive plan pays a manager on which day.
//
// Plans and plan assignments are effective-dated documents, so the plan that
// pays a credit is the one in force on the credit's day: a manager's period
// splits into segments of consecutive days on one plan version. A day's
// configuration is the documents in force at the end of that day in the
// workspace zone (as for training and SOPs); consecutive days with the same
// documents share one DayConfig, so resolving a manager costs one lookup per
// change, not per day.
#ifndef CADRE_SRC_INCENTIVE_PLAN_BOOK_H_
#define CADRE_SRC_INCENTIVE_PLAN_BOOK_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "cadre/incentive.h"
#include "cadre/model.h"
#include "cadre/org.h"
#include "cadre/period.h"

namespace cadre {
class Workspace;
}

namespace cadre::incentive_internal {

struct PlanVersion {
  int64_t version = 0;
  IncentivePlan plan;
};

// The plans and assignments in force on a run of days.
struct DayConfig {
  std::map<std::string, const PlanVersion*, std::less<>> plans;  // by plan id
  absl::flat_hash_map<std::string, std::string> by_manager;      // manager -> plan id
  absl::flat_hash_map<std::string, std::string> by_unit;         // unit -> plan id
  std::vector<std::pair<std::string, int64_t>> fingerprint;      // every (collection/id, version) in force
};

// Consecutive days of a period on one plan version.
struct PlanSegment {
  const PlanVersion* plan = nullptr;
  absl::CivilDay first;
  absl::CivilDay last;  // inclusive
  int32_t days = 0;
};

// Whether the manager works on `day`: hired on or before it (or no hired_on),
// and left on or after it (or no left_on and a status other than left).
bool EmployedOn(const Manager& manager, absl::CivilDay day);

// Not thread-safe: the engine serialises access.
class PlanBook {
 public:
  explicit PlanBook(const Workspace& workspace) : workspace_(workspace) {}

  // Forgets every cached day (configuration was written).
  void Clear();

  // The configuration in force at the end of `day`. Errors: the store's, or a
  // stored document that no longer parses (naming it).
  absl::StatusOr<const DayConfig*> At(absl::CivilDay day);

  // The plan `manager` is on under `config`: their own assignment, else the
  // nearest unit's up the tree from their team, else their role's
  // incentive_plan; nullptr when none. FAILED_PRECONDITION when the plan named
  // is not in force (naming who names it and the plan).
  absl::StatusOr<const PlanVersion*> PlanOf(const DayConfig& config, const Manager& manager, const OrgTree& tree,
                                            absl::CivilDay day) const;

  // The manager's days of `period` on each plan version, in order; days not
  // employed or on no plan belong to no segment.
  absl::StatusOr<std::vector<PlanSegment>> Segments(const Manager& manager, const OrgTree& tree, const Period& period);

 private:
  const Workspace& workspace_;
  // The configuration of each day of a period, first day first (statements
  // walk a period day by day for every manager).
  absl::StatusOr<const std::vector<const DayConfig*>*> DaysOf(const Period& period);

  absl::flat_hash_map<absl::CivilDay, const DayConfig*> days_;
  absl::flat_hash_map<std::pair<absl::CivilDay, absl::CivilDay>, std::unique_ptr<std::vector<const DayConfig*>>>
      periods_;
  std::vector<std::unique_ptr<DayConfig>> configs_;
  // Plan versions parsed once: (plan id, version) -> plan.
  std::map<std::pair<std::string, int64_t>, std::unique_ptr<PlanVersion>> versions_;
};

}  // namespace cadre::incentive_internal

#endif  // CADRE_SRC_INCENTIVE_PLAN_BOOK_H_
