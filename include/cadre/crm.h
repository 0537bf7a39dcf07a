// cadre/crm.h — the CRM core: who owns which customer, and the customer 360.
//
// Ownership is derived from assignment events (manager set = assigned, absent =
// released) and their reversals. The OwnershipProjection keeps, per customer,
// the assignments in force ordered by (occurred_at, seq), so it answers "who
// owned C-42 on 3 March" and credits a sale that names no manager to the owner
// at the moment of the sale, not to today's owner.
//
//   OwnershipProjection ownership;
//   CADRE_RETURN_IF_ERROR(ownership.CatchUp(*workspace));      // reads only new events
//   std::optional<std::string> owner = ownership.OwnerAt("C-42", march_3);
//   CADRE_ASSIGN_OR_RETURN(Customer360 view, BuildCustomer360(*workspace, ownership, "C-42"));
//   std::string text = json::ToText(view);
#ifndef CADRE_CRM_H_
#define CADRE_CRM_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "boost/describe.hpp"
#include "cadre/event.h"
#include "cadre/id.h"
#include "cadre/model.h"
#include "cadre/opportunity.h"
#include "cadre/scope.h"
#include "cadre/tasks.h"

namespace cadre {

class Workspace;

// ---- Ownership ------------------------------------------------------------------

enum class OwnershipChange {
  kAssigned,    // the customer had no owner and now has `manager`
  kReassigned,  // the customer moved from `previous` to `manager` (possibly the same manager again)
  kReleased,    // the customer no longer has an owner (returned to the pool)
};
BOOST_DESCRIBE_ENUM(OwnershipChange, kAssigned, kReassigned, kReleased)

// One step of a customer's ownership history.
struct OwnershipRecord {
  std::string event;  // id of the assignment event
  uint64_t seq = 0;   // its position in the log (orders events at the same instant)
  absl::Time at;      // occurred_at of the event
  OwnershipChange change = OwnershipChange::kAssigned;
  std::optional<std::string> manager;   // owner from `at` on; absent after a release
  std::optional<std::string> previous;  // owner just before `at`
  std::optional<std::string> reason;

  friend bool operator==(const OwnershipRecord&, const OwnershipRecord&) = default;
};
BOOST_DESCRIBE_STRUCT(OwnershipRecord, (), (event, seq, at, change, manager, previous, reason))

// The ownership of every customer, projected from the event log.
//
// Incremental: CatchUp() reads only the events logged after its high-water mark
// (in log order), so calling it after each ingest costs the new events only.
// Events may arrive late or out of order (an assignment that occurred in March
// logged in July): each customer's history is kept ordered by (occurred_at, seq),
// so the state after catching up equals that of a projection rebuilt from the
// whole log. A reversal removes the assignment it cancels, whenever it arrives;
// reversals of other kinds of events are ignored.
//
// Queries about a customer or manager the projection has not seen answer as for
// one without assignments (no owner, empty history, no holdings).
//
// Thread-safety: safe to share between threads. One mutex guards the state;
// CatchUp holds it while it reads the log, queries take it briefly and return
// copies.
class OwnershipProjection {
 public:
  OwnershipProjection();
  // For an engine that keys customers and managers itself: the projection
  // interns into these two (shared), so its keys are the engine's and an owner
  // can be asked for by key (OwnerKeyAt) without a text on either side. Whoever
  // shares them serialises every use of the interners and of the projection
  // (the KPI engine does, under its own lock); Reset() keeps them.
  OwnershipProjection(std::shared_ptr<Interner> customers, std::shared_ptr<Interner> managers);
  OwnershipProjection(const OwnershipProjection&) = delete;
  OwnershipProjection& operator=(const OwnershipProjection&) = delete;

  // Applies the assignment and reversal events logged after high_water_mark().
  // On error (the store's), the events applied before it stay applied and the
  // mark stays at the last of them, so a later call resumes.
  absl::Status CatchUp(const Workspace& workspace);

  // Applies one logged event (other kinds than assignment and reversal are
  // ignored). Applying an event twice changes nothing. For hosts that feed the
  // projection themselves; the mark becomes max(mark, event.seq).
  void Apply(const StoredEvent& event);

  // Forgets everything (mark 0): the next CatchUp rebuilds from the whole log.
  void Reset();

  // The largest seq applied so far (0 at first).
  uint64_t high_water_mark() const;

  // The owner of `customer` at `at` (the last assignment with occurred_at <= at),
  // or the current owner (after the last assignment) when `at` is empty.
  std::optional<std::string> OwnerAt(std::string_view customer, std::optional<absl::Time> at = std::nullopt) const;

  // OwnerAt by keys of the shared interners: the owner's manager key, or -1.
  int32_t OwnerKeyAt(uint32_t customer, absl::Time at) const;

  // The manager a sale, return or interaction is credited to: the one it names,
  // or else the customer's owner when it occurred (not today's owner). Empty when
  // it names neither a manager nor a customer with an owner at that time.
  std::optional<std::string> CreditedManager(const Event& event) const;

  // The customer's ownership history, oldest first (by occurred_at, then seq);
  // reversed assignments are not part of it. Up to `as_of` (inclusive) if given.
  std::vector<OwnershipRecord> History(std::string_view customer, std::optional<absl::Time> as_of = std::nullopt) const;

  // The customers `manager` owns now (after every assignment), ordered by id.
  std::vector<std::string> Holdings(std::string_view manager) const;
  // The customers `manager` owned at `at`, ordered by id (scans every customer).
  std::vector<std::string> HoldingsAt(std::string_view manager, absl::Time at) const;
  // How many customers each manager owns now; managers holding none are left out.
  std::map<std::string, std::size_t> HoldingCounts() const;

  // Every customer that has appeared in an assignment event, ordered by id.
  std::vector<std::string> Customers() const;

 private:
  // One assignment in a customer's history: 32 bytes, texts interned and the
  // instant split into whole seconds and quarter-nanosecond ticks (an absl::Time
  // member would pad to 16), because a retailer's projection holds one or two
  // per customer (millions).
  static constexpr uint32_t kNoReason = UINT32_MAX;
  struct Entry {
    int64_t at_seconds = 0;  // since the Unix epoch, rounded down
    uint64_t seq = 0;
    uint32_t at_ticks = 0;        // quarter nanoseconds past at_seconds
    int32_t manager = -1;         // key in managers_; -1 = released
    uint32_t event = 0;           // key in events_
    uint32_t reason = kNoReason;  // key in reasons_

    void SetAt(absl::Time t);
    absl::Time at() const;
    bool Before(const Entry& other) const {  // by (at, seq)
      if (at_seconds != other.at_seconds) return at_seconds < other.at_seconds;
      if (at_ticks != other.at_ticks) return at_ticks < other.at_ticks;
      return seq < other.seq;
    }
  };

  void ApplyLocked(const StoredEvent& event) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Moves `customer` between holdings after its history changed.
  void Rehold(uint32_t customer, int32_t before) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  int32_t CurrentOwner(uint32_t customer) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  int32_t OwnerAtLocked(uint32_t customer, absl::Time at) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  uint64_t high_water_mark_ ABSL_GUARDED_BY(mu_) = 0;
  // Pointers: Interner is neither copyable nor movable, Reset() replaces an own
  // one, and an engine may share its own (see the constructor).
  bool shared_keys_ = false;
  std::shared_ptr<Interner> customers_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<Interner> managers_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<Interner> events_ ABSL_GUARDED_BY(mu_) = std::make_unique<Interner>();   // assignment ids
  std::unique_ptr<Interner> reasons_ ABSL_GUARDED_BY(mu_) = std::make_unique<Interner>();  // their reasons
  // Per customer key, by (at, seq); most customers have one entry, kept inline.
  // Shorter than customers_ when the interner is shared: keys past its end
  // have no history.
  std::vector<absl::InlinedVector<Entry, 1>> history_ ABSL_GUARDED_BY(mu_);
  std::vector<bool> assigned_ ABSL_GUARDED_BY(mu_);  // per customer key: named by an assignment applied
  // Per assignment (key in events_): its customer, to find what a reversal cancels.
  std::vector<uint32_t> event_customer_ ABSL_GUARDED_BY(mu_);
  // Every event id named by a reversal seen so far (so an assignment that shows
  // up after its reversal is not applied).
  absl::flat_hash_set<std::string> reversed_ ABSL_GUARDED_BY(mu_);
  std::vector<absl::flat_hash_set<uint32_t>> holdings_ ABSL_GUARDED_BY(mu_);  // per manager key
};

// ---- Customer 360 ----------------------------------------------------------------

struct CategorySpend {
  std::string category;
  int64_t net_minor = 0;  // sales minus returns in the category
};
BOOST_DESCRIBE_STRUCT(CategorySpend, (), (category, net_minor))

// What a customer bought. Amounts are in the workspace currency's minor units;
// reversed sales and returns are left out.
struct PurchaseSummary {
  std::string currency;
  std::optional<absl::Time> first_purchase;
  std::optional<absl::Time> last_purchase;
  int64_t orders = 0;   // distinct order references; a sale without one is an order of its own
  int64_t sales = 0;    // sale events (order lines)
  int64_t returns = 0;  // return events
  int64_t gross_minor = 0;
  int64_t returns_minor = 0;
  int64_t net_minor = 0;  // gross - returns
  // Categories with positive net spend, largest first (ties by name), at most
  // Customer360Options::favourite_categories of them.
  std::vector<CategorySpend> favourite_categories;
};
BOOST_DESCRIBE_STRUCT(PurchaseSummary, (),
                      (currency, first_purchase, last_purchase, orders, sales, returns, gross_minor, returns_minor,
                       net_minor, favourite_categories))

// One customer seen whole. Surveys and complaints join it as their modules arrive.
struct Customer360 {
  static constexpr std::string_view kRequired[] = {"profile", "purchases"};

  std::optional<absl::Time> as_of;   // absent: everything logged so far
  Customer profile;                  // the customer document in force at as_of
  std::optional<std::string> owner;  // at as_of
  std::vector<OwnershipRecord> ownership_history;
  PurchaseSummary purchases;
  std::vector<Event> recent_interactions;       // newest first
  std::vector<Opportunity> open_opportunities;  // open at as_of, oldest opened first
  std::vector<FollowUpTask> open_tasks;         // open or overdue at as_of (or now), by due day
};
BOOST_DESCRIBE_STRUCT(Customer360, (),
                      (as_of, profile, owner, ownership_history, purchases, recent_interactions, open_opportunities,
                       open_tasks))

struct Customer360Options {
  std::optional<absl::Time> as_of;  // events with occurred_at <= as_of; the profile in force then
  std::size_t recent_interactions = 10;
  std::size_t favourite_categories = 3;
  // When set, the 360 lists the customer's open opportunities / open and overdue
  // follow-up tasks from these projections, which BuildCustomer360 catches up
  // with the workspace first (with `ownership`).
  OpportunityProjection* opportunities = nullptr;
  FollowUpProjection* tasks = nullptr;
  // The instant task statuses are computed at when as_of is empty.
  absl::Time now = absl::InfinitePast();
  // When set, a customer outside the viewer's scope (at as_of) is NOT_FOUND,
  // worded exactly as for a customer that does not exist.
  const ViewerScope* viewer = nullptr;
};

// Builds the 360 of `customer_id`. Catches `ownership` up with the log first, so
// the ownership part is as fresh as the purchases. A sale's categories are its
// lines' when it has lines. `orders` is the purchase frequency (RFM's F). Reversals cancel the events
// they name whenever they occurred (a correction applies to the past too).
// NOT_FOUND if there is no such customer document in force at as_of.
absl::StatusOr<Customer360> BuildCustomer360(const Workspace& workspace, OwnershipProjection& ownership,
                                             std::string_view customer_id, const Customer360Options& options = {});

}  // namespace cadre

#endif  // CADRE_CRM_H_
