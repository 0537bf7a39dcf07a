// The credit ledger: see credits.h for the rules. CatchUp works in two steps:
// Scan turns the new log entries into rows and notes what they disturb (rows to
// credit again, returns to match again, customers whose first sale may have
// moved); Settle then does that work once per row, however many entries
// touched it.
#include "incentive/credits.h"

#include <algorithm>
#include <functional>
#include <numeric>
#include <utility>

#include "absl/strings/str_cat.h"
#include "cadre/json.h"
#include "cadre/status.h"
#include "cadre/store.h"
#include "cadre/workspace.h"

namespace cadre::incentive_internal {
namespace {

constexpr absl::CivilDay kEpochDay(1970, 1, 1);

// Never 0, which marks "no reference".
uint32_t RefHash(std::string_view reference) {
  const uint64_t h = std::hash<std::string_view>{}(reference);
  const uint32_t folded = static_cast<uint32_t>(h ^ (h >> 32));
  return folded == 0 ? 1 : folded;
}

// Divides `amount` (>= 0) in proportion to `weights` (>= 0, summing to > 0) in
// whole units by largest remainder: each part gets the floor of its exact
// share, and the units left over go one each to the largest remainders, ties
// to the earlier weight. The parts add up to `amount`.
std::vector<int64_t> Apportion(int64_t amount, std::span<const Int128> weights) {
  Int128 total = 0;
  for (Int128 w : weights) total += w;
  std::vector<int64_t> parts(weights.size(), 0);
  if (total <= 0) return parts;
  std::vector<Int128> remainders(weights.size());
  int64_t given = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const Int128 exact = static_cast<Int128>(amount) * weights[i];
    parts[i] = static_cast<int64_t>(exact / total);
    remainders[i] = exact % total;
    given += parts[i];
  }
  std::vector<std::size_t> order(weights.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return remainders[a] > remainders[b]; });
  for (std::size_t k = 0; given < amount; ++k, ++given) parts[order[k % order.size()]] += 1;
  return parts;
}

bool CreditBefore(const Credit& a, const Credit& b) { return a.at_ns != b.at_ns ? a.at_ns < b.at_ns : a.seq < b.seq; }

// The logged event at `seq`.
absl::StatusOr<StoredEvent> EventBySeq(const Workspace& ws, uint64_t seq) {
  EventQuery q;
  q.after_seq = seq - 1;
  q.order = ScanOrder::kBySeq;
  q.limit = 1;
  std::optional<StoredEvent> found;
  CADRE_RETURN_IF_ERROR(ws.ScanEvents(q, [&](const StoredEvent& e) {
    if (e.seq == seq) found = e;
    return false;
  }));
  if (!found) return absl::NotFoundError(absl::StrCat("no event at seq ", seq));
  return *std::move(found);
}

// The store's FindEvent through a const Workspace (reads only).
absl::StatusOr<StoredEvent> FindEvent(const Workspace& ws, std::string_view id) {
  return const_cast<Workspace&>(ws).store().FindEvent(id);
}

}  // namespace

std::string_view ViaName(CreditVia via) {
  switch (via) {
    case CreditVia::kNamed:
      return "named";
    case CreditVia::kOwner:
      return "owner";
    case CreditVia::kSplit:
      return "split";
  }
  return "named";
}

int32_t DayNumber(absl::CivilDay day) { return static_cast<int32_t>(day - kEpochDay); }

CreditLedger::CreditLedger() { Reset(); }
CreditLedger::~CreditLedger() = default;

void CreditLedger::Reset() {
  mark_ = 0;
  ownership_ = std::make_unique<OwnershipProjection>();
  managers_ = std::make_unique<Interner>();
  customers_ = std::make_unique<Interner>();
  categories_ = std::make_unique<Interner>();
  skus_ = std::make_unique<Interner>();
  seq_.clear();
  at_.clear();
  flags_.clear();
  customer_.clear();
  named_.clear();
  amount_.clear();
  ref_hash_.clear();
  match_.clear();
  credited_.clear();
  items_end_.clear();
  items_.clear();
  many_credited_.clear();
  customer_rows_.clear();
  first_sale_.clear();
  return_ref_.clear();
  returns_by_ref_.clear();
  returns_of_.clear();
  credits_.clear();
  credit_count_ = 0;
  splits_loaded_ = false;
  splits_generation_ = 0;
  splits_.clear();
  split_ids_.clear();
  customer_splits_.clear();
  settled_rows_ = 0;
  dirty_rows_.clear();
  dirty_customers_.clear();
  rematch_.clear();
  first_dirty_.clear();
}

uint32_t CreditLedger::ManagerKey(std::string_view id) {
  const uint32_t k = managers_->Intern(id);
  if (k >= credits_.size()) credits_.resize(k + 1);
  return k;
}

uint32_t CreditLedger::CustomerKey(std::string_view id) {
  const uint32_t k = customers_->Intern(id);
  if (k >= customer_rows_.size()) {
    customer_rows_.resize(k + 1);
    first_sale_.resize(k + 1, -1);
  }
  return k;
}

std::optional<uint32_t> CreditLedger::RowOfSeq(uint64_t seq) const {
  auto it = std::lower_bound(seq_.begin(), seq_.end(), seq);
  if (it == seq_.end() || *it != seq) return std::nullopt;
  return static_cast<uint32_t>(it - seq_.begin());
}

int32_t CreditLedger::DayOf(int64_t at_ns) const {
  return DayNumber(absl::ToCivilDay(absl::FromUnixNanos(at_ns), tz_));
}

// ---- Catching up -------------------------------------------------------------------

absl::Status CreditLedger::CatchUp(const Workspace& workspace) {
  tz_ = workspace.time_zone();
  CADRE_RETURN_IF_ERROR(LoadSplits(workspace));
  // Owners are read at the mark the ledger reaches, never ahead of or behind it.
  CADRE_RETURN_IF_ERROR(ownership_->CatchUp(workspace));
  const uint64_t limit = ownership_->high_water_mark();
  if (limit > mark_) CADRE_RETURN_IF_ERROR(Scan(workspace, limit));
  return Settle(workspace);
}

absl::Status CreditLedger::Scan(const Workspace& ws, uint64_t limit) {
  EventQuery q;
  q.kinds = {EventKind::kSale, EventKind::kReturn, EventKind::kAssignment, EventKind::kReversal};
  q.after_seq = mark_;
  q.order = ScanOrder::kBySeq;
  absl::Status inner;
  CADRE_RETURN_IF_ERROR(ws.ScanEvents(q, [&](const StoredEvent& se) {
    if (se.seq > limit) return false;
    const Event& e = se.event;
    switch (e.kind) {
      case EventKind::kSale:
      case EventKind::kReturn:
        AddRow(se);
        break;
      case EventKind::kAssignment:
        if (e.customer) dirty_customers_.insert(CustomerKey(*e.customer));
        break;
      case EventKind::kReversal:
        inner = Reverse(ws, se);
        if (!inner.ok()) return false;
        break;
      default:
        break;
    }
    mark_ = se.seq;
    return true;
  }));
  CADRE_RETURN_IF_ERROR(inner);
  mark_ = limit;
  return absl::OkStatus();
}

void CreditLedger::AddRow(const StoredEvent& se) {
  const Event& e = se.event;
  const bool is_return = e.kind == EventKind::kReturn;
  const uint32_t row = static_cast<uint32_t>(seq_.size());
  const int32_t c = e.customer ? static_cast<int32_t>(CustomerKey(*e.customer)) : -1;
  seq_.push_back(se.seq);
  at_.push_back(absl::ToUnixNanos(e.occurred_at));
  flags_.push_back(is_return ? kReturnFlag : 0);
  customer_.push_back(c);
  named_.push_back(e.manager ? static_cast<int32_t>(ManagerKey(*e.manager)) : -1);
  amount_.push_back(e.amount_minor.value_or(0));
  ref_hash_.push_back(!is_return && e.reference ? RefHash(*e.reference) : 0);
  match_.push_back(-1);
  credited_.push_back(-1);
  auto key = [](Interner& names, const std::optional<std::string>& name) {
    return name ? static_cast<int32_t>(names.Intern(*name)) : -1;
  };
  if (!e.lines.empty()) {
    for (const LineItem& l : e.lines)
      items_.push_back(Item{key(*categories_, l.category), static_cast<int32_t>(skus_->Intern(l.sku))});
  } else if (e.category || e.sku) {
    items_.push_back(Item{key(*categories_, e.category), key(*skus_, e.sku)});
  }
  items_end_.push_back(static_cast<uint32_t>(items_.size()));
  if (c >= 0) {
    customer_rows_[static_cast<std::size_t>(c)].push_back(row);
    if (!is_return) first_dirty_.insert(static_cast<uint32_t>(c));
  }
  if (is_return) {
    if (e.reference) {
      return_ref_.emplace(row, *e.reference);
      returns_by_ref_[*e.reference].push_back(row);
      rematch_.insert(row);
    }
    return;
  }
  // Returns waiting for (or matched before) a sale of this id or order.
  for (const std::optional<std::string>& name : {std::optional<std::string>(e.id), e.reference}) {
    if (!name) continue;
    auto it = returns_by_ref_.find(*name);
    if (it != returns_by_ref_.end()) rematch_.insert(it->second.begin(), it->second.end());
  }
}

absl::Status CreditLedger::Reverse(const Workspace& ws, const StoredEvent& se) {
  if (!se.event.reverses) return absl::OkStatus();
  absl::StatusOr<StoredEvent> target = FindEvent(ws, *se.event.reverses);
  if (!target.ok()) return absl::IsNotFound(target.status()) ? absl::OkStatus() : target.status();
  const Event& t = target->event;
  if (t.kind == EventKind::kAssignment) {
    // The ownership projection has dropped it; its customer's owners moved.
    if (t.customer) dirty_customers_.insert(CustomerKey(*t.customer));
    return absl::OkStatus();
  }
  if (t.kind != EventKind::kSale && t.kind != EventKind::kReturn) return absl::OkStatus();
  std::optional<uint32_t> row = RowOfSeq(target->seq);
  if (!row || Reversed(*row)) return absl::OkStatus();
  flags_[*row] |= kReversedFlag;
  dirty_rows_.insert(*row);
  if (IsReturn(*row)) {
    rematch_.insert(*row);  // drops its link
    return absl::OkStatus();
  }
  if (customer_[*row] >= 0) first_dirty_.insert(static_cast<uint32_t>(customer_[*row]));
  auto it = returns_of_.find(*row);
  if (it != returns_of_.end()) rematch_.insert(it->second.begin(), it->second.end());
  return absl::OkStatus();
}

// The sale a return is matched to, by the rule in credits.h, or -1.
absl::StatusOr<int32_t> CreditLedger::ResolveMatch(const Workspace& ws, uint32_t ret) {
  if (Reversed(ret)) return -1;
  auto ref = return_ref_.find(ret);
  if (ref == return_ref_.end()) return -1;
  const std::string& reference = ref->second;
  // By the sale's event id.
  absl::StatusOr<StoredEvent> named = FindEvent(ws, reference);
  if (named.ok()) {
    if (named->event.kind == EventKind::kSale) {
      std::optional<uint32_t> row = RowOfSeq(named->seq);
      if (row && !Reversed(*row)) return static_cast<int32_t>(*row);
    }
  } else if (!absl::IsNotFound(named.status())) {
    return named.status();
  }
  // By the order id, among the sales of the return's customer: the earliest
  // live one whose reference really is it (the hash only narrows the search).
  const int32_t c = customer_[ret];
  if (c < 0) return -1;
  const uint32_t h = RefHash(reference);
  std::vector<uint32_t> candidates;
  for (uint32_t r : customer_rows_[static_cast<std::size_t>(c)])
    if (!IsReturn(r) && !Reversed(r) && ref_hash_[r] == h) candidates.push_back(r);
  std::sort(candidates.begin(), candidates.end(),
            [&](uint32_t a, uint32_t b) { return at_[a] != at_[b] ? at_[a] < at_[b] : a < b; });
  for (uint32_t r : candidates) {
    CADRE_ASSIGN_OR_RETURN(StoredEvent sale, EventBySeq(ws, seq_[r]));
    if (sale.event.reference && *sale.event.reference == reference) return static_cast<int32_t>(r);
  }
  return -1;
}

void CreditLedger::SetMatch(uint32_t ret, int32_t sale) {
  const int32_t old = match_[ret];
  if (old == sale) return;
  if (old >= 0) {
    auto it = returns_of_.find(static_cast<uint32_t>(old));
    if (it != returns_of_.end()) {
      std::erase(it->second, ret);
      if (it->second.empty()) returns_of_.erase(it);
    }
  }
  if (sale >= 0) returns_of_[static_cast<uint32_t>(sale)].push_back(ret);
  match_[ret] = sale;
  dirty_rows_.insert(ret);
}

absl::Status CreditLedger::Settle(const Workspace& ws) {
  for (uint32_t c : dirty_customers_) {
    const std::vector<uint32_t>& rows = customer_rows_[c];
    dirty_rows_.insert(rows.begin(), rows.end());
  }
  dirty_customers_.clear();
  std::vector<uint32_t> rematch(rematch_.begin(), rematch_.end());
  std::sort(rematch.begin(), rematch.end());
  for (uint32_t ret : rematch) {
    CADRE_ASSIGN_OR_RETURN(int32_t sale, ResolveMatch(ws, ret));
    SetMatch(ret, sale);
    rematch_.erase(ret);
  }
  // The rows added since the last Settle, and those disturbed; a matched
  // return follows its sale's credit.
  const uint32_t fresh = static_cast<uint32_t>(seq_.size());
  std::vector<uint32_t> rows(dirty_rows_.begin(), dirty_rows_.end());
  for (uint32_t r = settled_rows_; r < fresh; ++r) rows.push_back(r);
  const std::size_t disturbed = rows.size();
  for (std::size_t i = 0; i < disturbed; ++i) {
    if (IsReturn(rows[i])) continue;
    auto it = returns_of_.find(rows[i]);
    if (it != returns_of_.end()) rows.insert(rows.end(), it->second.begin(), it->second.end());
  }
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  Recredit(rows);
  dirty_rows_.clear();
  settled_rows_ = fresh;
  for (uint32_t c : first_dirty_) RefreshFirstSale(c);
  first_dirty_.clear();
  return absl::OkStatus();
}

// ---- Crediting ---------------------------------------------------------------------

const CreditLedger::SplitVersion* CreditLedger::SplitAt(uint32_t customer, int64_t at_ns) const {
  auto docs = customer_splits_.find(customer);
  if (docs == customer_splits_.end()) return nullptr;
  const absl::Time at = absl::FromUnixNanos(at_ns);
  for (uint32_t d : docs->second) {
    const std::vector<SplitVersion>& versions = splits_[d].versions;
    // The newest effective_from <= at, ties to the higher version (the store's rule).
    auto it = std::upper_bound(versions.begin(), versions.end(), at,
                               [](absl::Time t, const SplitVersion& v) { return t < v.from; });
    if (it == versions.begin()) continue;
    const SplitVersion& v = *std::prev(it);
    if (!v.deleted && v.customer == static_cast<int32_t>(customer)) return &v;
  }
  return nullptr;
}

// How the event at `row` is credited on its own (as a sale is).
std::vector<CreditLedger::Part> CreditLedger::Resolve(uint32_t row) {
  std::vector<Part> parts;
  const int32_t c = customer_[row];
  const int64_t amount = amount_[row];
  if (c >= 0) {
    if (const SplitVersion* split = SplitAt(static_cast<uint32_t>(c), at_[row])) {
      std::vector<Int128> weights;
      for (const auto& [m, units] : split->shares) weights.push_back(units);
      std::vector<int64_t> amounts = Apportion(amount, weights);
      for (std::size_t i = 0; i < amounts.size(); ++i)
        parts.push_back(Part{split->shares[i].first, amounts[i], CreditVia::kSplit, split->shares[i].second});
      return parts;
    }
  }
  if (named_[row] >= 0) {
    parts.push_back(Part{static_cast<uint32_t>(named_[row]), amount, CreditVia::kNamed, 0});
    return parts;
  }
  if (c >= 0) {
    std::optional<std::string> owner =
        ownership_->OwnerAt(customers_->Name(static_cast<uint32_t>(c)), absl::FromUnixNanos(at_[row]));
    if (owner) parts.push_back(Part{ManagerKey(*owner), amount, CreditVia::kOwner, 0});
  }
  return parts;
}

// What the row should be credited now: nothing when reversed; a matched
// return in proportion to its sale's parts; anything else on its own.
std::vector<CreditLedger::Part> CreditLedger::Desired(uint32_t row) {
  if (Reversed(row)) return {};
  if (!IsReturn(row) || match_[row] < 0) return Resolve(row);
  std::vector<Part> sale = Resolve(static_cast<uint32_t>(match_[row]));
  std::vector<Int128> weights;
  for (const Part& p : sale) weights.push_back(p.amount);
  // The sale's parts add up to its amount (> 0), so the weights are never all 0.
  const std::vector<int64_t> amounts = Apportion(amount_[row], weights);
  for (std::size_t i = 0; i < sale.size(); ++i) sale[i].amount = amounts[i];
  return sale;
}

void CreditLedger::Recredit(std::span<const uint32_t> rows) {
  if (rows.empty()) return;
  // Take the rows' old credits away: one pass per manager that held some.
  absl::flat_hash_set<uint32_t> holders;
  for (uint32_t r : rows) {
    if (credited_[r] >= 0) {
      holders.insert(static_cast<uint32_t>(credited_[r]));
    } else if (credited_[r] == kMany) {
      auto it = many_credited_.find(r);
      if (it != many_credited_.end()) {
        holders.insert(it->second.begin(), it->second.end());
        many_credited_.erase(it);
      }
    }
    credited_[r] = -1;
  }
  absl::flat_hash_set<uint32_t> gone;  // only when something is taken away (not for new rows)
  if (!holders.empty()) gone.insert(rows.begin(), rows.end());
  for (uint32_t m : holders) {
    std::vector<Credit>& list = credits_[m];
    const std::size_t before = list.size();
    std::erase_if(list, [&](const Credit& c) { return gone.contains(c.row); });
    credit_count_ -= before - list.size();
  }
  // Then give them their credits now: appended, then merged into each list.
  absl::flat_hash_map<uint32_t, std::size_t> appended;  // manager -> size before appending
  for (uint32_t r : rows) {
    std::vector<Part> parts = Desired(r);
    if (parts.empty()) continue;
    const int32_t day = DayOf(at_[r]);
    const bool is_return = IsReturn(r);
    const int32_t sale_day =
        is_return && match_[r] >= 0 ? DayOf(at_[static_cast<uint32_t>(match_[r])]) : Credit::kNoSaleDay;
    std::vector<uint32_t> managers;
    for (const Part& p : parts) {
      std::vector<Credit>& list = credits_[p.manager];
      appended.emplace(p.manager, list.size());
      list.push_back(Credit{.at_ns = at_[r],
                            .seq = seq_[r],
                            .amount_minor = is_return ? -p.amount : p.amount,
                            .percent_units = p.via == CreditVia::kSplit ? p.percent_units : 0,
                            .row = r,
                            .day = day,
                            .is_return = is_return,
                            .via = p.via,
                            .sale_day = sale_day});
      ++credit_count_;
      managers.push_back(p.manager);
    }
    if (managers.size() == 1) {
      credited_[r] = static_cast<int32_t>(managers[0]);
    } else {
      credited_[r] = kMany;
      many_credited_[r] = std::move(managers);
    }
  }
  for (const auto& [m, from] : appended) {
    std::vector<Credit>& list = credits_[m];
    const auto mid = list.begin() + static_cast<std::ptrdiff_t>(from);
    std::sort(mid, list.end(), CreditBefore);
    std::inplace_merge(list.begin(), mid, list.end(), CreditBefore);
  }
}

void CreditLedger::RefreshFirstSale(uint32_t customer) {
  int32_t best = -1;
  for (uint32_t r : customer_rows_[customer]) {
    if (IsReturn(r) || Reversed(r)) continue;
    // Rows are in seq order, so the first at the earliest time wins ties.
    if (best < 0 || at_[r] < at_[static_cast<uint32_t>(best)]) best = static_cast<int32_t>(r);
  }
  first_sale_[customer] = best;
}

// ---- Splits ------------------------------------------------------------------------

absl::Status CreditLedger::LoadSplits(const Workspace& ws) {
  const uint64_t generation = ws.document_generation();
  if (splits_loaded_ && generation == splits_generation_) return absl::OkStatus();
  CADRE_ASSIGN_OR_RETURN(std::vector<Document> current, ws.List(CreditSplit::kCollection));
  for (const Document& d : current) split_ids_.insert(d.id);
  std::vector<std::string> ids(split_ids_.begin(), split_ids_.end());
  std::sort(ids.begin(), ids.end());
  std::vector<SplitDoc> docs;
  for (const std::string& id : ids) {
    CADRE_ASSIGN_OR_RETURN(std::vector<DocumentVersion> history, ws.History(CreditSplit::kCollection, id));
    SplitDoc doc{id, {}};
    for (const DocumentVersion& v : history) {
      SplitVersion version{.from = v.effective_from, .version = v.version, .deleted = v.deleted};
      if (!v.deleted) {
        CADRE_ASSIGN_OR_RETURN(CreditSplit split,
                               json::FromText<CreditSplit>(v.body, absl::StrCat("credit_splits.", AbslView(id))));
        version.customer = static_cast<int32_t>(CustomerKey(split.customer));
        for (const CreditShare& s : split.shares) version.shares.emplace_back(ManagerKey(s.manager), s.percent.units());
      }
      doc.versions.push_back(std::move(version));
    }
    std::sort(doc.versions.begin(), doc.versions.end(), [](const SplitVersion& a, const SplitVersion& b) {
      return a.from != b.from ? a.from < b.from : a.version < b.version;
    });
    if (!doc.versions.empty()) docs.push_back(std::move(doc));
  }
  splits_generation_ = generation;
  splits_loaded_ = true;
  if (docs == splits_) return absl::OkStatus();
  // Every customer a split named, before or after: credited again from its rows.
  for (const std::vector<SplitDoc>* set : {&splits_, &docs})
    for (const SplitDoc& d : *set)
      for (const SplitVersion& v : d.versions)
        if (v.customer >= 0) dirty_customers_.insert(static_cast<uint32_t>(v.customer));
  splits_ = std::move(docs);
  customer_splits_.clear();
  for (uint32_t d = 0; d < splits_.size(); ++d) {
    for (const SplitVersion& v : splits_[d].versions) {
      if (v.customer < 0) continue;
      std::vector<uint32_t>& list = customer_splits_[static_cast<uint32_t>(v.customer)];
      if (list.empty() || list.back() != d) list.push_back(d);
    }
  }
  return absl::OkStatus();
}

// ---- Reading -----------------------------------------------------------------------

std::span<const Credit> CreditLedger::AllCredits(uint32_t manager) const {
  if (manager >= credits_.size()) return {};
  return credits_[manager];
}

std::span<const Credit> CreditLedger::Credits(uint32_t manager, absl::Time from, absl::Time until) const {
  std::span<const Credit> all = AllCredits(manager);
  const int64_t lo = absl::ToUnixNanos(from), hi = absl::ToUnixNanos(until);
  if (hi <= lo) return {};
  auto begin = std::lower_bound(all.begin(), all.end(), lo, [](const Credit& c, int64_t t) { return c.at_ns < t; });
  auto end = std::lower_bound(begin, all.end(), hi, [](const Credit& c, int64_t t) { return c.at_ns < t; });
  return all.subspan(static_cast<std::size_t>(begin - all.begin()), static_cast<std::size_t>(end - begin));
}

std::span<const Credit> CreditLedger::CreditsOfDays(uint32_t manager, int32_t from_day, int32_t to_day) const {
  std::span<const Credit> all = AllCredits(manager);
  if (to_day < from_day) return {};
  // Days follow times (the zone's days are in time order), so the days are sorted too.
  auto begin = std::lower_bound(all.begin(), all.end(), from_day, [](const Credit& c, int32_t d) { return c.day < d; });
  auto end = std::upper_bound(begin, all.end(), to_day, [](int32_t d, const Credit& c) { return d < c.day; });
  return all.subspan(static_cast<std::size_t>(begin - all.begin()), static_cast<std::size_t>(end - begin));
}

int64_t CreditLedger::EventAmount(const Credit& credit) const {
  return IsReturn(credit.row) ? -amount_[credit.row] : amount_[credit.row];
}

std::optional<std::string_view> CreditLedger::Customer(const Credit& credit) const {
  const int32_t c = customer_[credit.row];
  if (c < 0) return std::nullopt;
  return customers_->Name(static_cast<uint32_t>(c));
}

bool CreditLedger::IsFirstSale(const Credit& credit) const {
  const int32_t c = customer_[credit.row];
  return !credit.is_return && c >= 0 && first_sale_[static_cast<std::size_t>(c)] == static_cast<int32_t>(credit.row);
}

std::optional<SaleLink> CreditLedger::MatchedSale(const Credit& credit) const {
  if (!credit.is_return || match_[credit.row] < 0) return std::nullopt;
  const uint32_t s = static_cast<uint32_t>(match_[credit.row]);
  return SaleLink{.seq = seq_[s], .at_ns = at_[s], .day = DayOf(at_[s]), .amount_minor = amount_[s], .row = s};
}

const Credit* CreditLedger::SaleCredit(uint32_t manager, const Credit& ret) const {
  std::optional<SaleLink> sale = MatchedSale(ret);
  if (!sale) return nullptr;
  std::span<const Credit> all = AllCredits(manager);
  const Credit key{.at_ns = sale->at_ns, .seq = sale->seq};
  auto it = std::lower_bound(all.begin(), all.end(), key, CreditBefore);
  if (it == all.end() || it->seq != sale->seq) return nullptr;
  return &*it;
}

ItemSet CreditLedger::Items(std::span<const std::string> categories, std::span<const std::string> skus) const {
  ItemSet set;
  for (const std::string& c : categories)
    if (std::optional<uint32_t> k = categories_->Find(c)) set.categories.push_back(static_cast<int32_t>(*k));
  for (const std::string& s : skus)
    if (std::optional<uint32_t> k = skus_->Find(s)) set.skus.push_back(static_cast<int32_t>(*k));
  std::sort(set.categories.begin(), set.categories.end());
  std::sort(set.skus.begin(), set.skus.end());
  return set;
}

bool CreditLedger::HasItem(const Credit& credit, const ItemSet& items) const {
  const uint32_t begin = credit.row == 0 ? 0 : items_end_[credit.row - 1];
  for (uint32_t i = begin; i < items_end_[credit.row]; ++i) {
    const Item& item = items_[i];
    if (item.category >= 0 && std::binary_search(items.categories.begin(), items.categories.end(), item.category))
      return true;
    if (item.sku >= 0 && std::binary_search(items.skus.begin(), items.skus.end(), item.sku)) return true;
  }
  return false;
}

absl::StatusOr<std::string> CreditLedger::EventId(const Workspace& workspace, const Credit& credit) const {
  CADRE_ASSIGN_OR_RETURN(StoredEvent e, EventBySeq(workspace, credit.seq));
  return std::move(e.event.id);
}

absl::StatusOr<std::vector<CreditTrace>> CreditLedger::Traces(const Workspace& workspace,
                                                              std::span<const Credit> credits) const {
  std::vector<CreditTrace> out;
  out.reserve(credits.size());
  for (const Credit& c : credits) {
    CADRE_ASSIGN_OR_RETURN(std::string id, EventId(workspace, c));
    CreditTrace t;
    t.event = std::move(id);
    t.kind = c.kind();
    t.occurred_at = c.occurred_at();
    t.event_amount_minor = EventAmount(c);
    t.amount_minor = c.amount_minor;
    t.via = std::string(ViaName(c.via));
    t.percent = c.percent();
    out.push_back(std::move(t));
  }
  return out;
}

std::size_t CreditLedger::FactBytes() const {
  std::size_t bytes = seq_.capacity() * sizeof(uint64_t) + at_.capacity() * sizeof(int64_t) + flags_.capacity() +
                      customer_.capacity() * sizeof(int32_t) + named_.capacity() * sizeof(int32_t) +
                      amount_.capacity() * sizeof(int64_t) + ref_hash_.capacity() * sizeof(uint32_t) +
                      match_.capacity() * sizeof(int32_t) + credited_.capacity() * sizeof(int32_t) +
                      items_end_.capacity() * sizeof(uint32_t) + items_.capacity() * sizeof(Item) +
                      first_sale_.capacity() * sizeof(int32_t);
  for (const auto& v : credits_) bytes += sizeof(v) + v.capacity() * sizeof(Credit);
  for (const auto& v : customer_rows_) bytes += sizeof(v) + v.capacity() * sizeof(uint32_t);
  for (const auto& [row, list] : many_credited_) bytes += sizeof(row) + sizeof(list) + list.capacity() * 4;
  for (const auto& [row, list] : returns_of_) bytes += sizeof(row) + sizeof(list) + list.capacity() * 4;
  for (const auto& [row, ref] : return_ref_) bytes += sizeof(row) + sizeof(ref) + ref.capacity();
  for (const auto& [ref, list] : returns_by_ref_) bytes += sizeof(ref) + ref.capacity() + list.capacity() * 4;
  // Interned names: the string objects and the hash index (two words a slot).
  bytes += (managers_->size() + customers_->size() + categories_->size() + skus_->size()) *
           (sizeof(std::string) + 2 * sizeof(void*));
  return bytes;
}

}  // namespace cadre::incentive_internal
