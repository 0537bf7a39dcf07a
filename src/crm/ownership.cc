#include <algorithm>
#include <utility>

#include "cadre/crm.h"
#include "cadre/status.h"
#include "cadre/store.h"
#include "cadre/workspace.h"

namespace cadre {

namespace {
// absl::Time counts quarter nanoseconds below the second.
const absl::Duration kTick = absl::Nanoseconds(1) / 4;
}  // namespace

void OwnershipProjection::Entry::SetAt(absl::Time t) {
  static_assert(sizeof(Entry) == 32, "an ownership entry is held per customer: keep it small");
  // Entries hold finite times (events are validated); a probe may not.
  if (t == absl::InfinitePast() || t == absl::InfiniteFuture()) {
    at_seconds = t == absl::InfinitePast() ? INT64_MIN : INT64_MAX;
    at_ticks = t == absl::InfinitePast() ? 0 : UINT32_MAX;
    return;
  }
  absl::Duration below;
  int64_t seconds = absl::IDivDuration(t - absl::UnixEpoch(), absl::Seconds(1), &below);
  if (below < absl::ZeroDuration()) {  // IDivDuration truncates toward zero
    seconds -= 1;
    below += absl::Seconds(1);
  }
  at_seconds = seconds;
  at_ticks = static_cast<uint32_t>(absl::IDivDuration(below, kTick, &below));
}

absl::Time OwnershipProjection::Entry::at() const {
  return absl::UnixEpoch() + absl::Seconds(at_seconds) + kTick * static_cast<int64_t>(at_ticks);
}

OwnershipProjection::OwnershipProjection()
    : customers_(std::make_shared<Interner>()), managers_(std::make_shared<Interner>()) {}

OwnershipProjection::OwnershipProjection(std::shared_ptr<Interner> customers, std::shared_ptr<Interner> managers)
    : shared_keys_(true), customers_(std::move(customers)), managers_(std::move(managers)) {}

absl::Status OwnershipProjection::CatchUp(const Workspace& workspace) {
  absl::MutexLock lock(&mu_);
  // Every event up to `mark` is committed by now (seqs are handed out at commit),
  // so once the scan is through, nothing at or below it can still turn up.
  CADRE_ASSIGN_OR_RETURN(const uint64_t mark, workspace.HighWaterMark());
  EventQuery query;
  query.kinds = {EventKind::kAssignment, EventKind::kReversal};
  query.after_seq = high_water_mark_;
  query.order = ScanOrder::kBySeq;
  CADRE_RETURN_IF_ERROR(workspace.ScanEvents(query, [&](const StoredEvent& e) {
    ApplyLocked(e);
    return true;
  }));
  high_water_mark_ = std::max(high_water_mark_, mark);
  return absl::OkStatus();
}

void OwnershipProjection::Apply(const StoredEvent& event) {
  absl::MutexLock lock(&mu_);
  ApplyLocked(event);
}

void OwnershipProjection::Reset() {
  absl::MutexLock lock(&mu_);
  high_water_mark_ = 0;
  if (!shared_keys_) {
    customers_ = std::make_shared<Interner>();
    managers_ = std::make_shared<Interner>();
  }
  events_ = std::make_unique<Interner>();
  reasons_ = std::make_unique<Interner>();
  history_.clear();
  assigned_.clear();
  event_customer_.clear();
  reversed_.clear();
  holdings_.clear();
}

uint64_t OwnershipProjection::high_water_mark() const {
  absl::MutexLock lock(&mu_);
  return high_water_mark_;
}

void OwnershipProjection::ApplyLocked(const StoredEvent& stored) {
  const Event& e = stored.event;
  high_water_mark_ = std::max(high_water_mark_, stored.seq);
  if (e.kind == EventKind::kReversal) {
    if (!e.reverses || !reversed_.insert(*e.reverses).second) return;
    const std::optional<uint32_t> cancelled = events_->Find(*e.reverses);
    if (!cancelled) return;  // not an assignment, or not seen yet
    const uint32_t customer = event_customer_[*cancelled];
    const int32_t before = CurrentOwner(customer);
    auto& entries = history_[customer];
    entries.erase(std::remove_if(entries.begin(), entries.end(), [&](const Entry& x) { return x.event == *cancelled; }),
                  entries.end());
    Rehold(customer, before);
    return;
  }
  if (e.kind != EventKind::kAssignment || !e.customer) return;
  if (events_->Find(e.id) || reversed_.contains(e.id)) return;

  const uint32_t customer = customers_->Intern(*e.customer);
  if (customer >= history_.size()) {
    history_.resize(customer + 1);
    assigned_.resize(customer + 1);
  }
  assigned_[customer] = true;
  Entry entry;
  entry.event = events_->Intern(e.id);
  event_customer_.push_back(customer);
  entry.SetAt(e.occurred_at);
  entry.seq = stored.seq;
  if (e.manager) {
    entry.manager = static_cast<int32_t>(managers_->Intern(*e.manager));
    if (static_cast<std::size_t>(entry.manager) >= holdings_.size()) holdings_.resize(entry.manager + 1);
  }
  if (e.reason) entry.reason = reasons_->Intern(*e.reason);
  const int32_t before = CurrentOwner(customer);
  auto& entries = history_[customer];
  // Usually the new entry goes last; a late event is inserted where it belongs.
  auto pos = std::upper_bound(entries.begin(), entries.end(), entry,
                              [](const Entry& a, const Entry& b) { return a.Before(b); });
  entries.insert(pos, std::move(entry));
  Rehold(customer, before);
}

void OwnershipProjection::Rehold(uint32_t customer, int32_t before) {
  const int32_t after = CurrentOwner(customer);
  if (after == before) return;
  if (before >= 0) holdings_[before].erase(customer);
  if (after >= 0) holdings_[after].insert(customer);
}

int32_t OwnershipProjection::CurrentOwner(uint32_t customer) const {
  if (customer >= history_.size()) return -1;
  const auto& entries = history_[customer];
  return entries.empty() ? -1 : entries.back().manager;
}

int32_t OwnershipProjection::OwnerAtLocked(uint32_t customer, absl::Time at) const {
  if (customer >= history_.size()) return -1;
  const auto& entries = history_[customer];
  Entry probe;  // the latest possible entry at `at`
  probe.SetAt(at);
  probe.seq = UINT64_MAX;
  auto it = std::upper_bound(entries.begin(), entries.end(), probe,
                             [](const Entry& a, const Entry& b) { return a.Before(b); });
  return it == entries.begin() ? -1 : std::prev(it)->manager;
}

std::optional<std::string> OwnershipProjection::OwnerAt(std::string_view customer, std::optional<absl::Time> at) const {
  absl::MutexLock lock(&mu_);
  std::optional<uint32_t> key = customers_->Find(customer);
  if (!key) return std::nullopt;
  const int32_t owner = at ? OwnerAtLocked(*key, *at) : CurrentOwner(*key);
  if (owner < 0) return std::nullopt;
  return std::string(managers_->Name(static_cast<uint32_t>(owner)));
}

int32_t OwnershipProjection::OwnerKeyAt(uint32_t customer, absl::Time at) const {
  absl::MutexLock lock(&mu_);
  return OwnerAtLocked(customer, at);
}

std::optional<std::string> OwnershipProjection::CreditedManager(const Event& event) const {
  if (event.manager) return event.manager;
  if (!event.customer) return std::nullopt;
  return OwnerAt(*event.customer, event.occurred_at);
}

std::vector<OwnershipRecord> OwnershipProjection::History(std::string_view customer,
                                                          std::optional<absl::Time> as_of) const {
  absl::MutexLock lock(&mu_);
  std::vector<OwnershipRecord> out;
  std::optional<uint32_t> key = customers_->Find(customer);
  if (!key || *key >= history_.size()) return out;
  std::optional<std::string> owner;
  for (const Entry& x : history_[*key]) {
    if (as_of && x.at() > *as_of) break;
    OwnershipRecord r;
    r.event = std::string(events_->Name(x.event));
    r.seq = x.seq;
    r.at = x.at();
    r.previous = owner;
    if (x.manager >= 0) r.manager = std::string(managers_->Name(static_cast<uint32_t>(x.manager)));
    r.change = !r.manager ? OwnershipChange::kReleased
                          : (r.previous ? OwnershipChange::kReassigned : OwnershipChange::kAssigned);
    if (x.reason != kNoReason) r.reason = std::string(reasons_->Name(x.reason));
    owner = r.manager;
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<std::string> OwnershipProjection::Holdings(std::string_view manager) const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> out;
  std::optional<uint32_t> key = managers_->Find(manager);
  if (!key || *key >= holdings_.size()) return out;
  for (uint32_t c : holdings_[*key]) out.emplace_back(customers_->Name(c));
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> OwnershipProjection::HoldingsAt(std::string_view manager, absl::Time at) const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> out;
  std::optional<uint32_t> key = managers_->Find(manager);
  if (!key) return out;
  for (uint32_t c = 0; c < history_.size(); ++c)
    if (OwnerAtLocked(c, at) == static_cast<int32_t>(*key)) out.emplace_back(customers_->Name(c));
  std::sort(out.begin(), out.end());
  return out;
}

std::map<std::string, std::size_t> OwnershipProjection::HoldingCounts() const {
  absl::MutexLock lock(&mu_);
  std::map<std::string, std::size_t> out;
  for (uint32_t m = 0; m < holdings_.size(); ++m)
    if (!holdings_[m].empty()) out.emplace(std::string(managers_->Name(m)), holdings_[m].size());
  return out;
}

std::vector<std::string> OwnershipProjection::Customers() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> out;
  for (uint32_t c = 0; c < assigned_.size(); ++c)
    if (assigned_[c]) out.emplace_back(customers_->Name(c));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace cadre
