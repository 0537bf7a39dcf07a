#include <algorithm>
#include <deque>
#include <map>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "cadre/crm.h"
#include "cadre/json.h"
#include "cadre/status.h"
#include "cadre/store.h"
#include "cadre/workspace.h"

namespace cadre {

absl::StatusOr<Customer360> BuildCustomer360(const Workspace& workspace, OwnershipProjection& ownership,
                                             std::string_view customer_id, const Customer360Options& options) {
  Customer360 view;
  view.as_of = options.as_of;
  CADRE_RETURN_IF_ERROR(ownership.CatchUp(workspace));
  // The scope first: a customer outside it must cost the same answer as one
  // that does not exist, whatever else is wrong with it.
  if (options.viewer != nullptr)
    CADRE_RETURN_IF_ERROR(options.viewer->CheckCustomer(customer_id, ownership, options.as_of));
  absl::StatusOr<Document> doc = workspace.Get(Customer::kCollection, customer_id, options.as_of);
  // One wording for "no such customer", deleted or never there, so that a viewer
  // cannot tell a customer outside their scope from one that does not exist.
  if (absl::IsNotFound(doc.status())) return CustomerNotFound(customer_id, options.as_of);
  if (!doc.ok()) return doc.status();
  CADRE_ASSIGN_OR_RETURN(view.profile, json::FromText<Customer>(doc->body, absl::StrCat("customers/", doc->id)));
  view.owner = ownership.OwnerAt(customer_id, options.as_of);
  view.ownership_history = ownership.History(customer_id, options.as_of);

  // Reversals name the event they cancel but not its customer, so the cancelled
  // ids are gathered first. This reads every reversal in the log; a reversal
  // index in the projection would make it proportional to the customer instead.
  absl::flat_hash_set<std::string> reversed;
  EventQuery reversals;
  reversals.kinds = {EventKind::kReversal};
  reversals.order = ScanOrder::kBySeq;
  CADRE_RETURN_IF_ERROR(workspace.ScanEvents(reversals, [&](const StoredEvent& e) {
    if (e.event.reverses) reversed.insert(*e.event.reverses);
    return true;
  }));

  PurchaseSummary& p = view.purchases;
  p.currency = std::string(workspace.currency().code());
  absl::flat_hash_set<std::string> order_refs;
  std::map<std::string, int64_t> by_category;
  std::deque<Event> recent;
  EventQuery query;
  query.customer = std::string(customer_id);
  query.kinds = {EventKind::kSale, EventKind::kReturn, EventKind::kInteraction};
  query.order = ScanOrder::kByTime;
  // `until` is exclusive; the 360 includes what happened at as_of itself.
  if (options.as_of) query.until = *options.as_of + absl::Nanoseconds(1);
  CADRE_RETURN_IF_ERROR(workspace.ScanEvents(query, [&](const StoredEvent& stored) {
    const Event& e = stored.event;
    if ((options.as_of && e.occurred_at > *options.as_of) || reversed.contains(e.id)) return true;
    switch (e.kind) {
      case EventKind::kSale: {
        const int64_t amount = e.amount_minor.value_or(0);
        ++p.sales;
        p.gross_minor += amount;
        if (!p.first_purchase) p.first_purchase = e.occurred_at;
        p.last_purchase = e.occurred_at;
        if (!e.reference || order_refs.insert(*e.reference).second) ++p.orders;
        if (e.category) by_category[*e.category] += amount;
        for (const LineItem& line : e.lines)
          if (line.category) by_category[*line.category] += line.amount_minor;
        break;
      }
      case EventKind::kReturn: {
        const int64_t amount = e.amount_minor.value_or(0);
        ++p.returns;
        p.returns_minor += amount;
        if (e.category) by_category[*e.category] -= amount;
        for (const LineItem& line : e.lines)
          if (line.category) by_category[*line.category] -= line.amount_minor;
        break;
      }
      case EventKind::kInteraction:
        recent.push_back(e);
        if (recent.size() > options.recent_interactions) recent.pop_front();
        break;
      default:
        break;
    }
    return true;
  }));
  p.net_minor = p.gross_minor - p.returns_minor;
  for (const auto& [category, net] : by_category)
    if (net > 0) p.favourite_categories.push_back(CategorySpend{category, net});
  std::stable_sort(p.favourite_categories.begin(), p.favourite_categories.end(),
                   [](const CategorySpend& a, const CategorySpend& b) { return a.net_minor > b.net_minor; });
  if (p.favourite_categories.size() > options.favourite_categories)
    p.favourite_categories.resize(options.favourite_categories);
  view.recent_interactions.assign(recent.rbegin(), recent.rend());

  if (options.opportunities != nullptr) {
    CADRE_RETURN_IF_ERROR(options.opportunities->CatchUp(workspace, ownership));
    view.open_opportunities =
        options.opportunities->OfCustomer(customer_id, {.as_of = options.as_of, .open_only = true});
  }
  if (options.tasks != nullptr) {
    CADRE_RETURN_IF_ERROR(options.tasks->CatchUp(workspace, ownership));
    const absl::Time now = options.as_of.value_or(options.now == absl::InfinitePast() ? absl::Now() : options.now);
    view.open_tasks = options.tasks->CustomerTasks(customer_id, now, workspace.time_zone(),
                                                   {.statuses = {TaskStatus::kOpen, TaskStatus::kOverdue}});
  }
  return view;
}

}  // namespace cadre
