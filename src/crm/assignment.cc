#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cadre/json.h"
#include "cadre/org.h"
#include "cadre/pool.h"
#include "cadre/status.h"
#include "cadre/store.h"
#include "cadre/workspace.h"
#include "model/text_rules.h"

namespace cadre {

using model_internal::Quoted;

namespace {

constexpr std::string_view kAssignedBy = "assigned_by";
constexpr std::string_view kTeam = "team";

struct Candidate {
  const Manager* manager = nullptr;
  std::size_t load = 0;
  std::optional<int> limit;
  std::string unavailable;  // why the manager cannot take customers at all; empty if they can

  bool Eligible() const { return unavailable.empty() && (!limit || load < static_cast<std::size_t>(*limit)); }
  std::string WhyNot() const {
    if (!unavailable.empty()) return unavailable;
    return absl::StrCat("manager ", Quoted(manager->id), " is at the holding limit (", load, " of ", *limit, ")");
  }
};

// The manager who got the team's last round-robin assignment at or before `now`,
// by (occurred_at, seq); reversed assignments do not count.
absl::StatusOr<std::optional<std::string>> LastRoundRobin(const Workspace& workspace, std::string_view team,
                                                          absl::Time now) {
  absl::flat_hash_set<std::string> reversed;
  EventQuery reversals;
  reversals.kinds = {EventKind::kReversal};
  reversals.order = ScanOrder::kBySeq;
  CADRE_RETURN_IF_ERROR(workspace.ScanEvents(reversals, [&](const StoredEvent& e) {
    if (e.event.reverses) reversed.insert(*e.event.reverses);
    return true;
  }));
  EventQuery query;
  query.kinds = {EventKind::kAssignment};
  query.until = now + absl::Nanoseconds(1);
  query.order = ScanOrder::kBySeq;
  std::optional<std::pair<absl::Time, uint64_t>> best;
  std::optional<std::string> manager;
  CADRE_RETURN_IF_ERROR(workspace.ScanEvents(query, [&](const StoredEvent& stored) {
    const Event& e = stored.event;
    if (!e.manager || e.occurred_at > now || reversed.contains(e.id)) return true;
    auto by = e.attributes.find(std::string(kAssignedBy));
    auto in = e.attributes.find(std::string(kTeam));
    if (by == e.attributes.end() || by->second != "round_robin" || in == e.attributes.end() || in->second != team)
      return true;
    const std::pair<absl::Time, uint64_t> key{e.occurred_at, stored.seq};
    if (!best || key > *best) {
      best = key;
      manager = e.manager;
    }
    return true;
  }));
  return manager;
}

}  // namespace

absl::StatusOr<std::vector<Event>> AssignNewCustomers(const Workspace& workspace, OwnershipProjection& ownership,
                                                      const PoolPolicy& policy, std::string_view team,
                                                      const std::vector<std::string>& customers,
                                                      AssignmentStrategy strategy, absl::Time now) {
  json::Path policy_path("policy");
  CADRE_RETURN_IF_ERROR(policy.Validate(policy_path));
  CADRE_ASSIGN_OR_RETURN(const OrgTree tree, OrgTree::Load(workspace, now));
  CADRE_ASSIGN_OR_RETURN(const std::vector<const Manager*> staff, tree.ManagersIn(team));
  CADRE_RETURN_IF_ERROR(ownership.CatchUp(workspace));

  absl::flat_hash_set<std::string_view> seen;
  for (const std::string& customer : customers) {
    if (!seen.insert(customer).second)
      return absl::InvalidArgumentError(absl::StrCat("customer ", Quoted(customer), " is listed twice"));
    CADRE_RETURN_IF_ERROR(workspace.Get(Customer::kCollection, customer, now).status());
    if (std::optional<std::string> owner = ownership.OwnerAt(customer, now))
      return absl::FailedPreconditionError(
          absl::StrCat("customer ", Quoted(customer), " is already owned by ", Quoted(*owner)));
  }

  std::vector<Candidate> candidates;  // ordered by manager id, as ManagersIn returns them
  for (const Manager* m : staff) {
    Candidate c;
    c.manager = m;
    c.limit = policy.HoldingLimitFor(m->level);
    c.load = ownership.HoldingsAt(m->id, now).size();
    absl::Status available = CheckManagerAvailable(*m, now, workspace.time_zone());
    if (!available.ok()) c.unavailable = std::string(available.message());
    candidates.push_back(std::move(c));
  }

  std::optional<std::string> last;
  if (strategy == AssignmentStrategy::kRoundRobin) {
    CADRE_ASSIGN_OR_RETURN(last, LastRoundRobin(workspace, team, now));
  }
  const std::string_view strategy_name = json::EnumName(strategy);
  const std::string strategy_words = strategy == AssignmentStrategy::kRoundRobin ? "round robin" : "least loaded";

  std::vector<Event> out;
  out.reserve(customers.size());
  for (const std::string& customer : customers) {
    Candidate* pick = nullptr;
    if (strategy == AssignmentStrategy::kRoundRobin) {
      // The first eligible manager after the last one by id, wrapping around.
      for (Candidate& c : candidates)
        if (c.Eligible() && (!last || c.manager->id > *last)) {
          pick = &c;
          break;
        }
      if (pick == nullptr)
        for (Candidate& c : candidates)
          if (c.Eligible()) {
            pick = &c;
            break;
          }
    } else {
      for (Candidate& c : candidates)
        if (c.Eligible() && (pick == nullptr || c.load < pick->load)) pick = &c;  // ties keep the smaller id
    }
    if (pick == nullptr) {
      std::vector<std::string> why;
      for (const Candidate& c : candidates) why.push_back(c.WhyNot());
      return absl::FailedPreconditionError(absl::StrCat(
          "no manager of ", Quoted(team), " can take customer ", Quoted(customer),
          why.empty() ? std::string(" (the unit has no managers)") : absl::StrCat(": ", absl::StrJoin(why, "; "))));
    }
    ++pick->load;
    last = pick->manager->id;

    Event e;
    e.id = absl::StrCat("assign:", customer, ":", absl::ToUnixSeconds(now));
    e.kind = EventKind::kAssignment;
    e.occurred_at = now;
    e.customer = customer;
    e.manager = pick->manager->id;
    e.reason = absl::StrCat("assignment: ", strategy_words, " in ", AbslView(team));
    e.attributes[std::string(kAssignedBy)] = std::string(strategy_name);
    e.attributes[std::string(kTeam)] = std::string(team);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace cadre
