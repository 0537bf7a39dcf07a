// cadre/pool.h — the customer pool (公海): who returns to it, who may claim from
// it, and how new customers are handed out within a team.
//
// Everything here is a pure function of the workspace's documents and log, an
// OwnershipProjection and "now" as the host gives it: nothing runs on its own
// thread, and the same state gives the same answer, in the same order. Results
// are events for the host to ingest; their ids are derived from what they are
// about, so ingesting the same plan twice records nothing new (duplicates).
//
//   CADRE_ASSIGN_OR_RETURN(PoolPolicy policy, LoadPoolPolicy(*ws, "default", now));
//   CADRE_ASSIGN_OR_RETURN(PoolPlan plan, PoolSweep(*ws, ownership, policy, now));
//   CADRE_ASSIGN_OR_RETURN(IngestReport r, ws->Ingest(PoolPlanEvents(plan)));
//   CADRE_ASSIGN_OR_RETURN(Event claim, Claim(*ws, ownership, policy, "M-7", "C-42", now));
//
// Days are local days of the workspace time zone. "N days with no follow-up"
// means N whole local days after the day of the last follow-up: a customer last
// contacted on 1 June (at any hour, 23:59 included) with N = 30 is still held on
// 1 July and returns to the pool from 00:00 local on 2 July.
#ifndef CADRE_POOL_H_
#define CADRE_POOL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "boost/describe.hpp"
#include "cadre/crm.h"
#include "cadre/event.h"
#include "cadre/model.h"

namespace cadre {

class Workspace;

// ---- Policy (configuration, collection "pool_policies") --------------------------

// When customers of one member tier go back to the pool. A rule with neither
// limit keeps the tier's customers with their owner; a tier without a rule too.
struct PoolTierRule {
  static constexpr std::string_view kRequired[] = {"tier"};

  MemberTier tier = MemberTier::kStandard;
  std::optional<int> no_follow_up_days;  // N: returned after N local days without an interaction
  std::optional<int> no_purchase_days;   // M: returned after M local days without a sale
  // The owner is reminded from this many days before the customer would return
  // (0 or absent: no reminder). Must be at most the smallest limit of the rule.
  std::optional<int> reminder_days;

  absl::Status Validate(json::Path& path) const;
};
BOOST_DESCRIBE_STRUCT(PoolTierRule, (), (tier, no_follow_up_days, no_purchase_days, reminder_days))

// How many customers a manager of a career level may hold. A manager's limit is
// that of the entry with the highest level not above theirs; below every entry,
// `PoolPolicy::default_holding_limit` (absent: unlimited).
struct HoldingLimit {
  static constexpr std::string_view kRequired[] = {"level", "max_customers"};

  int level = 1;
  int max_customers = 0;

  absl::Status Validate(json::Path& path) const;
};
BOOST_DESCRIBE_STRUCT(HoldingLimit, (), (level, max_customers))

// Customers with a deal are never returned to the pool (nor reminded about).
struct PoolExemption {
  std::optional<int> purchase_within_days;  // a sale on one of the last X local days (today included)
  std::vector<std::string> tags;            // any of these customer tags

  absl::Status Validate(json::Path& path) const;
};
BOOST_DESCRIBE_STRUCT(PoolExemption, (), (purchase_within_days, tags))

struct PoolPolicy {
  static constexpr std::string_view kRequired[] = {"id", "name"};
  static constexpr std::string_view kCollection = "pool_policies";

  std::string id;
  std::string name;
  std::vector<PoolTierRule> tiers;  // at most one rule per tier
  // Claims per manager per local day (absent: unlimited).
  std::optional<int> daily_claim_limit;
  std::vector<HoldingLimit> holding_limits;  // levels unique
  std::optional<int> default_holding_limit;
  // The manager who last owned a released customer may not claim it back before
  // this many local days have passed since the release day (0: at once).
  int cool_down_days = 0;
  std::optional<PoolExemption> exemption;

  absl::Status Validate(json::Path& path) const;

  // The rule for `tier`; nullptr when there is none.
  const PoolTierRule* RuleFor(MemberTier tier) const;
  // The holding limit of a manager at `level`; empty when unlimited.
  std::optional<int> HoldingLimitFor(int level) const;
};
BOOST_DESCRIBE_STRUCT(PoolPolicy, (),
                      (id, name, tiers, daily_claim_limit, holding_limits, default_holding_limit, cool_down_days,
                       exemption))

// The policy document in force at `as_of`. NOT_FOUND if there is none.
absl::StatusOr<PoolPolicy> LoadPoolPolicy(const Workspace& workspace, std::string_view id,
                                          std::optional<absl::Time> as_of = std::nullopt);

// ---- The sweep ----------------------------------------------------------------------

enum class PoolRuleKind { kNoFollowUp, kNoPurchase };
BOOST_DESCRIBE_ENUM(PoolRuleKind, kNoFollowUp, kNoPurchase)

enum class PoolAction { kReturn, kRemind };
BOOST_DESCRIBE_ENUM(PoolAction, kReturn, kRemind)

// One customer the sweep returns to the pool, or whose owner it reminds.
struct PoolMove {
  std::string customer;
  std::string manager;  // the owner at `now`
  PoolAction action = PoolAction::kReturn;
  PoolRuleKind rule = PoolRuleKind::kNoFollowUp;  // the rule whose deadline comes first
  int days = 0;                                   // that rule's N or M
  // The last follow-up (or purchase) the deadline counts from; the assignment
  // to the current owner when there was none since.
  absl::Time since;
  absl::Time deadline;  // 00:00 local of the day the customer returns
  std::string reason;   // e.g. "pool: no follow-up for 30 days"
  // Reminders: 00:00 local of the first day of the reminder window.
  std::optional<absl::Time> remind_from;
};
BOOST_DESCRIBE_STRUCT(PoolMove, (), (customer, manager, action, rule, days, since, deadline, reason, remind_from))

struct PoolPlan {
  std::string policy;
  absl::Time now;
  std::vector<PoolMove> returns;    // ordered by customer id
  std::vector<PoolMove> reminders;  // ordered by customer id
  std::vector<std::string> exempt;  // owned customers kept by the exemption, by id
};
BOOST_DESCRIBE_STRUCT(PoolPlan, (), (policy, now, returns, reminders, exempt))

// What the policy does at `now` to every customer owned at `now`. Follow-ups are
// interactions with the customer, purchases are sales (reversed ones do not
// count), both at or before `now`, whoever is credited; the clock of each rule
// starts again when the customer is assigned to its current owner. A customer
// without a document in force at `now` counts as standard tier without tags.
// Catches `ownership` up with the log first.
absl::StatusOr<PoolPlan> PoolSweep(const Workspace& workspace, OwnershipProjection& ownership, const PoolPolicy& policy,
                                   absl::Time now);

// The plan as events: returns are assignment events without a manager at `now`
// (id "pool-return:<customer>:<unix seconds of now>"); reminders are
// pool_reminder events dated at the start of the reminder window (id
// "pool-remind:<customer>:<manager>:<deadline day>", so sweeping again before
// the deadline does not remind twice). Returns first, then reminders.
std::vector<Event> PoolPlanEvents(const PoolPlan& plan);

// OK if `manager` can take customers on the local day of `now`: employment
// status active, hired on or before that day, not left by it. Otherwise
// FAILED_PRECONDITION saying which.
absl::Status CheckManagerAvailable(const Manager& manager, absl::Time now, absl::TimeZone zone);

// ---- Claims ---------------------------------------------------------------------------

// The assignment event (at `now`, reason "pool: claimed", attribute
// pool_action=claim) that gives `customer` from the pool to `manager`, if every
// rule allows it. NOT_FOUND for an unknown manager or customer; otherwise
// FAILED_PRECONDITION naming the rule and the numbers when: the manager is not
// active (on leave, left, or not hired yet), the customer is not in the pool, the
// manager released it within the cool-down, the manager has claimed
// `daily_claim_limit` customers on the local day of `now`, or holds as many as
// the limit of their level. Catches `ownership` up with the log first.
absl::StatusOr<Event> Claim(const Workspace& workspace, OwnershipProjection& ownership, const PoolPolicy& policy,
                            std::string_view manager, std::string_view customer, absl::Time now);

// ---- Assignment of new customers within a team ---------------------------------------

enum class AssignmentStrategy {
  kRoundRobin,   // the next eligible manager by id after the one who got the team's last round-robin assignment
  kLeastLoaded,  // the eligible manager holding the fewest customers; ties to the smaller id
};
BOOST_DESCRIBE_ENUM(AssignmentStrategy, kRoundRobin, kLeastLoaded)

// Assigns `customers` (in the order given) among the managers of `team` and the
// units below it, as of `now`. Eligible: employment status active, hired on or
// before and not left by the local day of `now`, and holding fewer customers
// than their level's limit (counting those given earlier in the same call).
// Round-robin state comes from the log: the last assignment event at or before
// `now` with attributes assigned_by=round_robin and team=<team>. Returns one
// assignment event per customer (at `now`, id "assign:<customer>:<unix seconds>",
// reason "assignment: round robin in <team>" or "... least loaded ...").
// NOT_FOUND for an unknown team or customer; FAILED_PRECONDITION when a
// customer already has an owner, or no manager of the team is eligible (the
// message says why each was skipped).
absl::StatusOr<std::vector<Event>> AssignNewCustomers(const Workspace& workspace, OwnershipProjection& ownership,
                                                      const PoolPolicy& policy, std::string_view team,
                                                      const std::vector<std::string>& customers,
                                                      AssignmentStrategy strategy, absl::Time now);

}  // namespace cadre

#endif  // CADRE_POOL_H_
