#include "cadre/pool.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cadre/json.h"
#include "cadre/status.h"
#include "cadre/store.h"
#include "cadre/workspace.h"
#include "model/text_rules.h"

namespace cadre {

using model_internal::CheckKey;
using model_internal::CheckText;
using model_internal::kMaxNameLength;
using model_internal::Quoted;

namespace {

// A hundred years: long enough for any rule, short enough that day arithmetic
// never overflows.
constexpr int kMaxDays = 36500;

absl::Status CheckDays(json::Path& path, std::string_view key, const std::optional<int>& days, int min) {
  if (!days) return absl::OkStatus();
  json::PathScope scope(path, key);
  if (*days < min) return FieldError(path.str(), absl::StrCat("must be at least ", min), absl::StrCat(*days));
  if (*days > kMaxDays) return FieldError(path.str(), absl::StrCat("must be at most ", kMaxDays), absl::StrCat(*days));
  return absl::OkStatus();
}

absl::CivilDay LocalDay(absl::Time t, absl::TimeZone zone) { return absl::ToCivilDay(t, zone); }
absl::Time DayStart(absl::CivilDay day, absl::TimeZone zone) { return absl::FromCivil(day, zone); }
std::string DayText(absl::CivilDay day) { return absl::FormatCivilTime(day); }

// The ids of every reversed event in the log.
absl::StatusOr<absl::flat_hash_set<std::string>> ReversedIds(const Workspace& workspace) {
  absl::flat_hash_set<std::string> reversed;
  EventQuery query;
  query.kinds = {EventKind::kReversal};
  query.order = ScanOrder::kBySeq;
  CADRE_RETURN_IF_ERROR(workspace.ScanEvents(query, [&](const StoredEvent& e) {
    if (e.event.reverses) reversed.insert(*e.event.reverses);
    return true;
  }));
  return reversed;
}

template <class T>
absl::StatusOr<T> LoadDocument(const Workspace& workspace, std::string_view id, absl::Time as_of) {
  CADRE_ASSIGN_OR_RETURN(Document doc, workspace.Get(T::kCollection, id, as_of));
  return json::FromText<T>(doc.body, absl::StrCat(AbslView(T::kCollection), "/", doc.id));
}

}  // namespace

// ---- Policy ---------------------------------------------------------------------------

absl::Status PoolTierRule::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckDays(path, "no_follow_up_days", no_follow_up_days, 1));
  CADRE_RETURN_IF_ERROR(CheckDays(path, "no_purchase_days", no_purchase_days, 1));
  CADRE_RETURN_IF_ERROR(CheckDays(path, "reminder_days", reminder_days, 0));
  if (reminder_days && *reminder_days > 0) {
    json::PathScope scope(path, "reminder_days");
    if (!no_follow_up_days && !no_purchase_days)
      return FieldError(path.str(), "a reminder needs no_follow_up_days or no_purchase_days to count down to",
                        absl::StrCat(*reminder_days));
    const bool follow_up_first = no_follow_up_days && (!no_purchase_days || *no_follow_up_days <= *no_purchase_days);
    const int limit = follow_up_first ? *no_follow_up_days : *no_purchase_days;
    if (*reminder_days > limit)
      return FieldError(
          path.str(),
          absl::StrCat("must be at most ", follow_up_first ? "no_follow_up_days" : "no_purchase_days", " (", limit,
                       "): the reminder must fall after the clock starts and before ", "the deadline"),
          absl::StrCat(*reminder_days));
  }
  return absl::OkStatus();
}

absl::Status HoldingLimit::Validate(json::Path& path) const {
  if (level < 1) {
    json::PathScope scope(path, "level");
    return FieldError(path.str(), "must be at least 1 (career levels start at 1)", absl::StrCat(level));
  }
  if (max_customers < 0) {
    json::PathScope scope(path, "max_customers");
    return FieldError(path.str(), "must not be negative", absl::StrCat(max_customers));
  }
  return absl::OkStatus();
}

absl::Status PoolExemption::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckDays(path, "purchase_within_days", purchase_within_days, 1));
  json::PathScope scope(path, "tags");
  absl::flat_hash_set<std::string_view> seen;
  for (std::size_t i = 0; i < tags.size(); ++i) {
    json::PathScope item(path, i);
    CADRE_RETURN_IF_ERROR(ValidateId(tags[i], path.str()));
    if (!seen.insert(tags[i]).second) return FieldError(path.str(), "listed twice", Quoted(tags[i]));
  }
  return absl::OkStatus();
}

absl::Status PoolPolicy::Validate(json::Path& path) const {
  CADRE_RETURN_IF_ERROR(CheckKey(path, "id", id));
  CADRE_RETURN_IF_ERROR(CheckText(path, "name", name, kMaxNameLength));
  {
    json::PathScope scope(path, "tiers");
    absl::flat_hash_set<int> seen;
    for (std::size_t i = 0; i < tiers.size(); ++i) {
      json::PathScope item(path, i);
      CADRE_RETURN_IF_ERROR(tiers[i].Validate(path));  // built in C++, it was not validated yet
      if (!seen.insert(static_cast<int>(tiers[i].tier)).second) {
        json::PathScope field(path, "tier");
        std::string_view name = json::EnumName(tiers[i].tier);
        return FieldError(path.str(), "one rule per tier", Quoted(name));
      }
    }
  }
  CADRE_RETURN_IF_ERROR(CheckDays(path, "daily_claim_limit", daily_claim_limit, 0));
  {
    json::PathScope scope(path, "holding_limits");
    absl::flat_hash_set<int> seen;
    for (std::size_t i = 0; i < holding_limits.size(); ++i) {
      json::PathScope item(path, i);
      CADRE_RETURN_IF_ERROR(holding_limits[i].Validate(path));
      if (!seen.insert(holding_limits[i].level).second) {
        json::PathScope field(path, "level");
        return FieldError(path.str(), "one limit per level", absl::StrCat(holding_limits[i].level));
      }
    }
  }
  if (default_holding_limit && *default_holding_limit < 0) {
    json::PathScope scope(path, "default_holding_limit");
    return FieldError(path.str(), "must not be negative", absl::StrCat(*default_holding_limit));
  }
  CADRE_RETURN_IF_ERROR(CheckDays(path, "cool_down_days", std::optional<int>(cool_down_days), 0));
  if (exemption) {
    json::PathScope scope(path, "exemption");
    CADRE_RETURN_IF_ERROR(exemption->Validate(path));
  }
  return absl::OkStatus();
}

const PoolTierRule* PoolPolicy::RuleFor(MemberTier tier) const {
  for (const PoolTierRule& r : tiers)
    if (r.tier == tier) return &r;
  return nullptr;
}

std::optional<int> PoolPolicy::HoldingLimitFor(int level) const {
  const HoldingLimit* best = nullptr;
  for (const HoldingLimit& h : holding_limits)
    if (h.level <= level && (best == nullptr || h.level > best->level)) best = &h;
  if (best != nullptr) return best->max_customers;
  return default_holding_limit;
}

absl::StatusOr<PoolPolicy> LoadPoolPolicy(const Workspace& workspace, std::string_view id,
                                          std::optional<absl::Time> as_of) {
  CADRE_ASSIGN_OR_RETURN(Document doc, workspace.Get(PoolPolicy::kCollection, id, as_of));
  return json::FromText<PoolPolicy>(doc.body, absl::StrCat("pool_policies/", doc.id));
}

// ---- Sweep ----------------------------------------------------------------------------

absl::StatusOr<PoolPlan> PoolSweep(const Workspace& workspace, OwnershipProjection& ownership, const PoolPolicy& policy,
                                   absl::Time now) {
  json::Path policy_path("policy");
  CADRE_RETURN_IF_ERROR(policy.Validate(policy_path));
  CADRE_RETURN_IF_ERROR(ownership.CatchUp(workspace));
  const absl::TimeZone zone = workspace.time_zone();
  const absl::CivilDay today = LocalDay(now, zone);

  PoolPlan plan;
  plan.policy = policy.id;
  plan.now = now;

  // The customers owned at `now` and since when (the assignment to that owner).
  struct Held {
    std::string manager;
    absl::Time since;
    std::optional<absl::Time> last_interaction;
    std::optional<absl::Time> last_sale;
  };
  std::map<std::string, Held> held;  // ordered by customer id: the plan's order
  for (std::string& customer : ownership.Customers()) {
    std::vector<OwnershipRecord> history = ownership.History(customer, now);
    if (history.empty() || !history.back().manager) continue;
    held.emplace(std::move(customer), Held{*history.back().manager, history.back().at, {}, {}});
  }
  if (held.empty()) return plan;

  CADRE_ASSIGN_OR_RETURN(const absl::flat_hash_set<std::string> reversed, ReversedIds(workspace));
  EventQuery query;
  query.kinds = {EventKind::kSale, EventKind::kInteraction};
  query.until = now + absl::Nanoseconds(1);  // `until` is exclusive; what happened at `now` counts
  query.order = ScanOrder::kBySeq;
  CADRE_RETURN_IF_ERROR(workspace.ScanEvents(query, [&](const StoredEvent& stored) {
    const Event& e = stored.event;
    if (!e.customer || e.occurred_at > now || reversed.contains(e.id)) return true;
    auto it = held.find(*e.customer);
    if (it == held.end()) return true;
    std::optional<absl::Time>& last = e.kind == EventKind::kSale ? it->second.last_sale : it->second.last_interaction;
    if (!last || e.occurred_at > *last) last = e.occurred_at;
    return true;
  }));

  CADRE_ASSIGN_OR_RETURN(std::vector<Document> docs, workspace.List(Customer::kCollection, now));
  absl::flat_hash_map<std::string, Customer> profiles;
  for (const Document& doc : docs) {
    if (!held.contains(doc.id)) continue;
    CADRE_ASSIGN_OR_RETURN(Customer c, json::FromText<Customer>(doc.body, absl::StrCat("customers/", doc.id)));
    profiles.emplace(doc.id, std::move(c));
  }

  for (const auto& [customer, h] : held) {
    const Customer* profile = nullptr;
    if (auto it = profiles.find(customer); it != profiles.end()) profile = &it->second;
    const PoolTierRule* rule = policy.RuleFor(profile ? profile->tier : MemberTier::kStandard);
    if (rule == nullptr || (!rule->no_follow_up_days && !rule->no_purchase_days)) continue;

    if (policy.exemption) {
      const PoolExemption& ex = *policy.exemption;
      bool exempt =
          ex.purchase_within_days && h.last_sale && today - LocalDay(*h.last_sale, zone) < *ex.purchase_within_days;
      if (profile != nullptr)
        for (const std::string& tag : ex.tags)
          exempt = exempt || std::find(profile->tags.begin(), profile->tags.end(), tag) != profile->tags.end();
      if (exempt) {
        plan.exempt.push_back(customer);
        continue;
      }
    }

    // Each rule's deadline: the day after N whole local days from its clock's start.
    PoolMove move;
    std::optional<absl::CivilDay> deadline;
    auto consider = [&](PoolRuleKind kind, const std::optional<int>& days, const std::optional<absl::Time>& last) {
      if (!days) return;
      const absl::Time since = last && *last > h.since ? *last : h.since;
      const absl::CivilDay day = LocalDay(since, zone) + *days + 1;
      if (deadline && *deadline <= day) return;  // the earlier deadline decides; ties to follow-up
      deadline = day;
      move.rule = kind;
      move.days = *days;
      move.since = since;
    };
    consider(PoolRuleKind::kNoFollowUp, rule->no_follow_up_days, h.last_interaction);
    consider(PoolRuleKind::kNoPurchase, rule->no_purchase_days, h.last_sale);

    move.customer = customer;
    move.manager = h.manager;
    move.deadline = DayStart(*deadline, zone);
    const std::string what = move.rule == PoolRuleKind::kNoFollowUp ? "follow-up" : "purchase";
    if (today >= *deadline) {
      move.action = PoolAction::kReturn;
      move.reason = absl::StrCat("pool: no ", what, " for ", move.days, " days");
      plan.returns.push_back(std::move(move));
    } else if (rule->reminder_days.value_or(0) > 0 && today >= *deadline - *rule->reminder_days) {
      move.action = PoolAction::kRemind;
      move.remind_from = DayStart(*deadline - *rule->reminder_days, zone);
      move.reason = absl::StrCat("pool: returns to the pool on ", DayText(*deadline), " without a ", what, " (",
                                 move.days, "-day rule)");
      plan.reminders.push_back(std::move(move));
    }
  }
  return plan;
}

}  // namespace cadre

namespace cadre {

std::vector<Event> PoolPlanEvents(const PoolPlan& plan) {
  std::vector<Event> out;
  out.reserve(plan.returns.size() + plan.reminders.size());
  const int64_t secs = absl::ToUnixSeconds(plan.now);
  for (const PoolMove& m : plan.returns) {
    Event e;
    e.id = absl::StrCat("pool-return:", m.customer, ":", secs);
    e.kind = EventKind::kAssignment;
    e.occurred_at = plan.now;
    e.customer = m.customer;
    e.reason = m.reason;
    e.reference = plan.policy;
    e.attributes["pool_action"] = "return";
    e.attributes["previous_owner"] = m.manager;
    out.push_back(std::move(e));
  }
  for (const PoolMove& m : plan.reminders) {
    Event e;
    // The deadline day is a function of the state, not of when the sweep ran, so a
    // second sweep before the deadline yields the same event (a duplicate).
    e.id = absl::StrCat("pool-remind:", m.customer, ":", m.manager, ":", absl::ToUnixSeconds(m.deadline));
    e.kind = EventKind::kPoolReminder;
    e.occurred_at = m.remind_from.value_or(plan.now);
    e.customer = m.customer;
    e.manager = m.manager;
    e.reason = m.reason;
    e.reference = plan.policy;
    e.attributes["deadline"] = absl::FormatTime(absl::RFC3339_full, m.deadline, absl::UTCTimeZone());
    out.push_back(std::move(e));
  }
  return out;
}

absl::Status CheckManagerAvailable(const Manager& manager, absl::Time now, absl::TimeZone zone) {
  const absl::CivilDay today = LocalDay(now, zone);
  if (manager.status == EmploymentStatus::kOnLeave)
    return absl::FailedPreconditionError(absl::StrCat("manager ", Quoted(manager.id), " is on leave"));
  if (manager.status == EmploymentStatus::kLeft || (manager.left_on && *manager.left_on <= today))
    return absl::FailedPreconditionError(
        absl::StrCat("manager ", Quoted(manager.id), " has left",
                     manager.left_on ? absl::StrCat(" (on ", DayText(*manager.left_on), ")") : ""));
  if (manager.hired_on && *manager.hired_on > today)
    return absl::FailedPreconditionError(
        absl::StrCat("manager ", Quoted(manager.id), " is not hired until ", DayText(*manager.hired_on)));
  return absl::OkStatus();
}

absl::StatusOr<Event> Claim(const Workspace& workspace, OwnershipProjection& ownership, const PoolPolicy& policy,
                            std::string_view manager_id, std::string_view customer_id, absl::Time now) {
  json::Path policy_path("policy");
  CADRE_RETURN_IF_ERROR(policy.Validate(policy_path));
  const absl::TimeZone zone = workspace.time_zone();
  const absl::CivilDay today = LocalDay(now, zone);
  CADRE_ASSIGN_OR_RETURN(const Manager manager, LoadDocument<Manager>(workspace, manager_id, now));
  CADRE_RETURN_IF_ERROR(LoadDocument<Customer>(workspace, customer_id, now).status());
  const std::string who = Quoted(manager_id);
  const std::string whom = Quoted(customer_id);
  {
    absl::Status available = CheckManagerAvailable(manager, now, zone);
    if (!available.ok())
      return absl::FailedPreconditionError(absl::StrCat("claim refused (employment status): ", available.message()));
  }

  CADRE_RETURN_IF_ERROR(ownership.CatchUp(workspace));
  const std::vector<OwnershipRecord> history = ownership.History(customer_id, now);
  if (!history.empty() && history.back().manager)
    return absl::FailedPreconditionError(absl::StrCat("claim refused (not in the pool): customer ", whom,
                                                      " is owned by ", Quoted(*history.back().manager)));

  if (!history.empty() && history.back().previous && *history.back().previous == manager_id &&
      policy.cool_down_days > 0) {
    const absl::CivilDay released = LocalDay(history.back().at, zone);
    const absl::CivilDay allowed = released + policy.cool_down_days;
    if (today < allowed)
      return absl::FailedPreconditionError(
          absl::StrCat("claim refused (cool-down): ", who, " released ", whom, " on ", DayText(released),
                       "; the previous owner ", "may reclaim it only after ", policy.cool_down_days, " days, from ",
                       DayText(allowed), " (", allowed - today, " days to go)"));
  }

  if (policy.daily_claim_limit) {
    CADRE_ASSIGN_OR_RETURN(const absl::flat_hash_set<std::string> reversed, ReversedIds(workspace));
    EventQuery query;
    query.kinds = {EventKind::kAssignment};
    query.manager = std::string(manager_id);
    query.from = DayStart(today, zone);
    query.until = std::min(DayStart(today + 1, zone), now + absl::Nanoseconds(1));
    query.order = ScanOrder::kBySeq;
    int claims = 0;
    CADRE_RETURN_IF_ERROR(workspace.ScanEvents(query, [&](const StoredEvent& stored) {
      auto it = stored.event.attributes.find("pool_action");
      if (it != stored.event.attributes.end() && it->second == "claim" && !reversed.contains(stored.event.id)) ++claims;
      return true;
    }));
    if (claims >= *policy.daily_claim_limit)
      return absl::FailedPreconditionError(absl::StrCat("claim refused (daily claim limit): ", who, " has claimed ",
                                                        claims, " customers on ", DayText(today), "; the limit is ",
                                                        *policy.daily_claim_limit, " a day"));
  }

  if (std::optional<int> limit = policy.HoldingLimitFor(manager.level)) {
    const std::size_t holding = ownership.HoldingsAt(manager_id, now).size();
    if (holding >= static_cast<std::size_t>(*limit))
      return absl::FailedPreconditionError(absl::StrCat("claim refused (holding limit): ", who, " holds ", holding,
                                                        " customers; the limit for level ", manager.level, " is ",
                                                        *limit));
  }

  Event e;
  e.id = absl::StrCat("pool-claim:", AbslView(customer_id), ":", AbslView(manager_id), ":", absl::ToUnixSeconds(now));
  e.kind = EventKind::kAssignment;
  e.occurred_at = now;
  e.customer = std::string(customer_id);
  e.manager = std::string(manager_id);
  e.reason = "pool: claimed";
  e.reference = policy.id;
  e.attributes["pool_action"] = "claim";
  return e;
}

}  // namespace cadre
