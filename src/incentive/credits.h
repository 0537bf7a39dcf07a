// The credit ledger of the incentive engine: every sale and return of the log,
// credited to the managers it counts for, held per manager in time order.
//
//   incentive_internal::CreditLedger ledger;
//   CADRE_RETURN_IF_ERROR(ledger.CatchUp(*workspace));  // reads only new events
//   if (std::optional<uint32_t> m = ledger.ManagerIndex("M-7")) {
//     for (const Credit& c : ledger.Credits(*m, june.Start(tz), june.End(tz))) {
//       base += c.amount_minor;  // a sale's part (> 0), a return's (< 0)
//       if (std::optional<SaleLink> sale = ledger.MatchedSale(c)) { ... }  // clawback candidates
//     }
//   }
//
// How a sale is credited (docs/incentives.md, "How sales are credited"):
// - A CreditSplit in force for the sale's customer at its occurred_at splits it
//   among the split's managers, whatever the sale names: the split is the
//   retailer's declared rule for that customer. Parts are whole minor units by
//   largest remainder (ties to the earlier share of the document), so they add
//   up to the sale exactly. Two splits in force for one customer at once: the
//   one with the smaller document id applies.
// - Else the manager the sale names ("named"); else the customer's owner when it
//   happened ("owner"). A sale with none of these is credited to nobody.
// - A return is MATCHED when its `reference` names a live (not reversed) sale:
//   by the sale's event id (any customer), else by the sale's own `reference`
//   (the order id) among the sales of the return's customer, where the order's
//   earliest live sale by (occurred_at, seq) is the one. A matched return is
//   credited to the managers the sale is credited to, in proportion to the
//   sale's credited parts (largest remainder), with the sale's via and percent,
//   so returning a whole sale takes back exactly what it credited. Any other
//   return is credited like a sale at its own time, and has no link.
// - Matching is a function of the live log: a return that arrives before its
//   sale becomes matched when the sale arrives; a return whose sale is reversed
//   is matched again by the same rule (another sale of the same order), or
//   becomes unmatched. A reversed sale or return credits nothing.
// - Late events land in time order; a late assignment (or its reversal) moves
//   the owner-credited credits of its customer, and the returns matched to them.
//
// Storage. Events are rows in log order (columns: seq, time, kind and flags,
// customer, named manager, amount, a hash of a sale's order reference, the
// matched sale, the managers credited, the SKU/category items in a side
// table). Credits are 48-byte records in one vector per manager, ordered by
// (occurred_at, seq), so a manager's credits of [from, until) are one span
// found by binary search. Event ids are not held: Traces() and EventId() read
// them back from the store by seq (one manager's statement at a time).
// Categories and SKUs are interned to small integers.
//
// The ledger keeps its own OwnershipProjection (caught up with it), so owners
// are read at the same high-water mark as the sales they credit.
//
// Splits are re-read when the workspace's document_generation() moved; when
// they differ from those held, every customer named by a split before or after
// is credited again from its rows (no log scan). Split documents are found by
// listing the collection (newest versions) plus every id the ledger has seen:
// a split whose newest version is a deletion is only known to a ledger that saw
// it before it was deleted (the store lists no tombstoned ids).
//
// Thread-safety: not thread-safe. The owner (the incentive engine) serialises
// CatchUp, Reset and every read under its own lock; spans and pointers returned
// stay valid until the next CatchUp or Reset.
#ifndef CADRE_SRC_INCENTIVE_CREDITS_H_
#define CADRE_SRC_INCENTIVE_CREDITS_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "cadre/crm.h"
#include "cadre/decimal.h"
#include "cadre/event.h"
#include "cadre/id.h"
#include "cadre/incentive.h"

namespace cadre {
class Workspace;
}

namespace cadre::incentive_internal {

// How a credit came to its manager.
enum class CreditVia : uint8_t {
  kNamed,  // the event names the manager
  kOwner,  // the customer's owner when it happened
  kSplit,  // a credit split in force for the customer (percent is the share)
};

// "named", "owner", "split": the CreditTrace::via words.
std::string_view ViaName(CreditVia via);

// One event's part credited to one manager.
struct Credit {
  int64_t at_ns = 0;          // the event's occurred_at, Unix nanoseconds
  uint64_t seq = 0;           // the event's position in the log
  int64_t amount_minor = 0;   // the part credited: >= 0 for a sale, <= 0 for a return
  int64_t percent_units = 0;  // via split: the share in Decimal units (60 % is 60 * Decimal::kOne); else 0
  uint32_t row = 0;           // the event's row in the ledger (for the ledger's per-event questions)
  int32_t day = 0;            // occurred_at's day in the workspace zone, in days since 1970-01-01
  bool is_return = false;
  CreditVia via = CreditVia::kNamed;
  // A matched return: its sale's day (as `day`), so clawback windows are
  // tested without reading the sale's row; kNoSaleDay otherwise. A return is
  // credited again whenever its match changes, so this follows MatchedSale.
  int32_t sale_day = kNoSaleDay;

  static constexpr int32_t kNoSaleDay = std::numeric_limits<int32_t>::min();

  EventKind kind() const { return is_return ? EventKind::kReturn : EventKind::kSale; }
  absl::Time occurred_at() const { return absl::FromUnixNanos(at_ns); }
  absl::CivilDay civil_day() const { return absl::CivilDay(1970, 1, 1) + day; }
  std::optional<Decimal> percent() const {
    return via == CreditVia::kSplit ? std::optional<Decimal>(Decimal::FromUnits(percent_units)) : std::nullopt;
  }
};

static_assert(sizeof(Credit) == 48, "a credit is 48 bytes: sale_day lives in what was padding");

// The sale a matched return is matched to.
struct SaleLink {
  uint64_t seq = 0;
  int64_t at_ns = 0;
  int32_t day = 0;           // in the workspace zone, days since 1970-01-01
  int64_t amount_minor = 0;  // the sale's whole amount
  uint32_t row = 0;
  absl::Time occurred_at() const { return absl::FromUnixNanos(at_ns); }
  absl::CivilDay civil_day() const { return absl::CivilDay(1970, 1, 1) + day; }
};

// A set of categories and SKUs to test credits against (SPIFF qualification).
// Built by CreditLedger::Items after CatchUp; names the ledger has never seen
// are left out (nothing can match them yet), so build it again after the next
// CatchUp.
struct ItemSet {
  std::vector<int32_t> categories;  // interned keys, sorted
  std::vector<int32_t> skus;        // interned keys, sorted
};

// The day number of `day` (days since 1970-01-01), as in Credit::day.
int32_t DayNumber(absl::CivilDay day);

class CreditLedger {
 public:
  CreditLedger();
  ~CreditLedger();
  CreditLedger(const CreditLedger&) = delete;
  CreditLedger& operator=(const CreditLedger&) = delete;

  // Applies the sales, returns, assignments and reversals logged after
  // high_water_mark(), and re-reads the credit splits when the workspace's
  // document generation moved. The state afterwards equals that of a new ledger
  // caught up with the same log and documents. On error (the store's, or a
  // split document that does not parse) what was applied stays applied and the
  // next call resumes; credits may lag until a call succeeds.
  absl::Status CatchUp(const Workspace& workspace);

  // Forgets everything: the next CatchUp rebuilds from the whole log.
  void Reset();

  // The largest seq applied (0 at first).
  uint64_t high_water_mark() const { return mark_; }

  // The ownership the ledger credits owners from, at its high-water mark.
  const OwnershipProjection& ownership() const { return *ownership_; }

  // ---- Managers --------------------------------------------------------------

  // Dense indexes 0 .. manager_count()-1 for every manager named by an event,
  // an owner or a split.
  std::size_t manager_count() const { return managers_->size(); }
  std::optional<uint32_t> ManagerIndex(std::string_view manager) const { return managers_->Find(manager); }
  std::string_view ManagerId(uint32_t index) const { return managers_->Name(index); }

  // ---- Credits -----------------------------------------------------------------

  // The manager's credits with occurred_at in [from, until), by (occurred_at, seq).
  std::span<const Credit> Credits(uint32_t manager, absl::Time from, absl::Time until) const;
  // Same by days of the workspace zone: [from_day, to_day] inclusive (DayNumber).
  std::span<const Credit> CreditsOfDays(uint32_t manager, int32_t from_day, int32_t to_day) const;
  // Every credit of the manager.
  std::span<const Credit> AllCredits(uint32_t manager) const;
  // How many credits are held (every manager's).
  std::size_t credit_count() const { return credit_count_; }

  // The credited event's whole amount, signed: > 0 for a sale, < 0 for a return.
  int64_t EventAmount(const Credit& credit) const;
  // The credited event's customer, when it names one.
  std::optional<std::string_view> Customer(const Credit& credit) const;
  // Whether the credit's event is a sale that is its customer's first: the
  // earliest live sale of the customer in the whole log, by (occurred_at, seq).
  bool IsFirstSale(const Credit& credit) const;
  // A matched return's sale; empty for sales and unmatched returns.
  std::optional<SaleLink> MatchedSale(const Credit& credit) const;
  // The credit of `ret`'s matched sale held by `manager` (a matched return is
  // credited to the sale's managers, so it is there); null when unmatched.
  const Credit* SaleCredit(uint32_t manager, const Credit& ret) const;

  // ---- SPIFF qualification -----------------------------------------------------

  ItemSet Items(std::span<const std::string> categories, std::span<const std::string> skus) const;
  // True when the event's category is in `items.categories` or its SKU in
  // `items.skus`, or one of its lines' is (either list may be empty; both empty
  // match nothing: test "no condition" before calling).
  bool HasItem(const Credit& credit, const ItemSet& items) const;

  // ---- Traces ------------------------------------------------------------------

  // The events behind `credits` read back from the store (one read by seq per
  // credit), as traces: event, kind, occurred_at, the event's amount, the part,
  // via and percent (from_manager is the engine's to fill).
  absl::StatusOr<std::vector<CreditTrace>> Traces(const Workspace& workspace, std::span<const Credit> credits) const;
  // The id of the credit's event, read from the store.
  absl::StatusOr<std::string> EventId(const Workspace& workspace, const Credit& credit) const;

  // Bytes held by the event rows, the credits and their indexes (not the
  // ownership projection), for the benchmark's bytes per credit.
  std::size_t FactBytes() const;

 private:
  struct Part {
    uint32_t manager = 0;
    int64_t amount = 0;
    CreditVia via = CreditVia::kNamed;
    int64_t percent_units = 0;
  };
  struct SplitVersion {
    absl::Time from;
    int64_t version = 0;
    bool deleted = false;
    int32_t customer = -1;
    std::vector<std::pair<uint32_t, int64_t>> shares;  // (manager, percent units), in the document's order
    friend bool operator==(const SplitVersion&, const SplitVersion&) = default;
  };
  struct SplitDoc {
    std::string id;
    std::vector<SplitVersion> versions;  // by (from, version)
    friend bool operator==(const SplitDoc&, const SplitDoc&) = default;
  };
  struct Item {
    int32_t category = -1;
    int32_t sku = -1;
  };

  absl::Status LoadSplits(const Workspace& ws);
  absl::Status Scan(const Workspace& ws, uint64_t limit);
  absl::Status Settle(const Workspace& ws);
  void AddRow(const StoredEvent& se);
  absl::Status Reverse(const Workspace& ws, const StoredEvent& se);
  absl::StatusOr<int32_t> ResolveMatch(const Workspace& ws, uint32_t ret);
  void SetMatch(uint32_t ret, int32_t sale);
  void Recredit(std::span<const uint32_t> rows);
  std::vector<Part> Resolve(uint32_t row);
  std::vector<Part> Desired(uint32_t row);
  const SplitVersion* SplitAt(uint32_t customer, int64_t at_ns) const;
  void RefreshFirstSale(uint32_t customer);

  uint32_t ManagerKey(std::string_view id);
  uint32_t CustomerKey(std::string_view id);
  std::optional<uint32_t> RowOfSeq(uint64_t seq) const;
  bool Reversed(uint32_t row) const { return (flags_[row] & kReversedFlag) != 0; }
  bool IsReturn(uint32_t row) const { return (flags_[row] & kReturnFlag) != 0; }
  int32_t DayOf(int64_t at_ns) const;

  static constexpr uint8_t kReturnFlag = 1;
  static constexpr uint8_t kReversedFlag = 2;
  static constexpr int32_t kMany = -2;  // credited_: several managers, see many_credited_

  absl::TimeZone tz_ = absl::UTCTimeZone();
  uint64_t mark_ = 0;
  std::unique_ptr<OwnershipProjection> ownership_;
  std::unique_ptr<Interner> managers_, customers_, categories_, skus_;

  // Event rows (sales and returns), in log order.
  std::vector<uint64_t> seq_;
  std::vector<int64_t> at_;
  std::vector<uint8_t> flags_;
  std::vector<int32_t> customer_;    // -1: none
  std::vector<int32_t> named_;       // manager named by the event, -1: none
  std::vector<int64_t> amount_;      // > 0
  std::vector<uint32_t> ref_hash_;   // sales: hash of `reference` (0: none)
  std::vector<int32_t> match_;       // returns: the matched sale row, -1: none
  std::vector<int32_t> credited_;    // the manager credited, -1 none, kMany
  std::vector<uint32_t> items_end_;  // items_[items_end_[row-1] .. items_end_[row])
  std::vector<Item> items_;
  absl::flat_hash_map<uint32_t, std::vector<uint32_t>> many_credited_;
  std::vector<std::vector<uint32_t>> customer_rows_;  // per customer, log order
  std::vector<int32_t> first_sale_;                   // per customer: row, -1 none
  // Returns with a reference: their reference, and the returns naming each one.
  absl::flat_hash_map<uint32_t, std::string> return_ref_;
  absl::flat_hash_map<std::string, std::vector<uint32_t>> returns_by_ref_;
  absl::flat_hash_map<uint32_t, std::vector<uint32_t>> returns_of_;  // sale row -> matched returns

  std::vector<std::vector<Credit>> credits_;  // per manager, by (at_ns, seq)
  std::size_t credit_count_ = 0;

  // Splits.
  bool splits_loaded_ = false;
  uint64_t splits_generation_ = 0;
  std::vector<SplitDoc> splits_;  // by id
  absl::flat_hash_set<std::string> split_ids_;
  absl::flat_hash_map<uint32_t, std::vector<uint32_t>> customer_splits_;  // customer -> split docs, by id

  // Work left for Settle (kept across a failed call): rows from settled_rows_
  // on are new; dirty_rows_ are older rows to credit again.
  uint32_t settled_rows_ = 0;
  absl::flat_hash_set<uint32_t> dirty_rows_;
  absl::flat_hash_set<uint32_t> dirty_customers_;  // credit every row again
  absl::flat_hash_set<uint32_t> rematch_;
  absl::flat_hash_set<uint32_t> first_dirty_;
};

}  // namespace cadre::incentive_internal

#endif  // CADRE_SRC_INCENTIVE_CREDITS_H_
