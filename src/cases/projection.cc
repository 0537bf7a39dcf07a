// The case projection: each case's events in (occurred_at, seq) order, folded
// by the rules declared in cadre/cases.h when asked.
#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "cadre/cases.h"
#include "cadre/crm.h"
#include "cadre/status.h"
#include "cadre/store.h"
#include "cadre/workspace.h"

namespace cadre {
namespace {

bool Before(const StoredEvent& a, const StoredEvent& b) {
  return std::tie(a.event.occurred_at, a.seq) < std::tie(b.event.occurred_at, b.seq);
}

const char* StatusName(CaseStatus s) {
  switch (s) {
    case CaseStatus::kOpen:
      return "open";
    case CaseStatus::kWaiting:
      return "waiting";
    case CaseStatus::kResolved:
      return "resolved";
  }
  return "open";
}

CaseAnomaly AnomalyOf(const Event& e, std::string problem) {
  return CaseAnomaly{e.reference.value_or(""), e.id, e.stage.value_or(""), e.occurred_at, std::move(problem)};
}

}  // namespace

std::optional<Case> FoldCase(std::vector<StoredEvent> events, const OwnershipProjection& ownership, absl::Time as_of,
                             std::vector<CaseAnomaly>* orphans) {
  std::sort(events.begin(), events.end(), Before);
  std::optional<Case> out;
  std::vector<CaseAnomaly> before_opening;
  for (const StoredEvent& stored : events) {
    const Event& e = stored.event;
    if (e.occurred_at > as_of) break;
    const std::string stage = e.stage.value_or("");
    if (!out) {
      if (stage != "opened") {
        before_opening.push_back(AnomalyOf(e, absl::StrCat("a ", stage, " stage before the case was opened")));
        continue;
      }
      Case& c = out.emplace();
      c.id = e.reference.value_or("");
      c.category = e.category.value_or("");
      c.type = c.category == "complaint" ? CaseType::kComplaint : CaseType::kSupport;
      c.severity = e.severity.value_or(Severity::kMedium);
      c.channel = e.channel;
      c.customer = e.customer;
      c.manager = e.manager;
      if (!c.manager && c.type == CaseType::kComplaint && c.customer) {
        c.manager = ownership.OwnerAt(*c.customer, e.occurred_at);
        c.manager_is_owner = c.manager.has_value();
      }
      c.opening_event = e.id;
      c.opened_at = e.occurred_at;
      c.status = CaseStatus::kOpen;
      c.history.push_back(e);
      continue;
    }
    Case& c = *out;
    c.history.push_back(e);
    auto anomaly = [&](std::string problem) { c.anomalies.push_back(AnomalyOf(e, std::move(problem))); };
    if (stage == "opened") {
      anomaly(absl::StrCat("opened again; the first opening (", c.opening_event, ") counts"));
      continue;
    }
    if (e.severity) c.severity = *e.severity;
    if (stage == "responded") {
      if (!c.first_response_at) c.first_response_at = e.occurred_at;
    } else if (stage == "waiting") {
      if (c.status != CaseStatus::kOpen) {
        anomaly(absl::StrCat("waiting while the case is ", StatusName(c.status)));
        continue;
      }
      c.waits.push_back(CaseWait{e.occurred_at, std::nullopt});
      c.status = CaseStatus::kWaiting;
    } else if (stage == "resumed") {
      if (c.status != CaseStatus::kWaiting) {
        anomaly(absl::StrCat("resumed while the case is ", StatusName(c.status)));
        continue;
      }
      c.waits.back().until = e.occurred_at;
      c.status = CaseStatus::kOpen;
    } else if (stage == "resolved") {
      if (c.status == CaseStatus::kWaiting) c.waits.back().until = e.occurred_at;
      if (c.status == CaseStatus::kResolved)
        anomaly("resolved again without a reopening; the latest resolution counts");
      c.status = CaseStatus::kResolved;
      c.resolutions.push_back(CaseResolution{e.id, e.occurred_at, e.outcome, e.reason, e.manager});
      c.resolved_at = e.occurred_at;
      c.outcome = e.outcome;
      c.root_cause = e.reason;
    } else if (stage == "reopened") {
      if (c.status != CaseStatus::kResolved) {
        anomaly(absl::StrCat("reopened while the case is ", StatusName(c.status)));
        continue;
      }
      c.status = CaseStatus::kOpen;
      ++c.reopened;
    }
  }
  if (out) {
    out->anomalies.insert(out->anomalies.begin(), before_opening.begin(), before_opening.end());
  } else if (orphans != nullptr) {
    orphans->insert(orphans->end(), before_opening.begin(), before_opening.end());
  }
  return out;
}

absl::Status CaseProjection::CatchUp(const Workspace& workspace) {
  absl::MutexLock lock(&mu_);
  CADRE_ASSIGN_OR_RETURN(const uint64_t store_mark, workspace.HighWaterMark());
  if (store_mark <= high_water_mark_) return absl::OkStatus();
  EventQuery query;
  query.kinds = {EventKind::kCase, EventKind::kReversal};
  query.after_seq = high_water_mark_;
  query.order = ScanOrder::kBySeq;
  CADRE_RETURN_IF_ERROR(workspace.ScanEvents(query, [&](const StoredEvent& e) {
    if (e.seq > store_mark) return false;
    ApplyLocked(e);
    return true;
  }));
  high_water_mark_ = std::max(high_water_mark_, store_mark);
  return absl::OkStatus();
}

void CaseProjection::Apply(const StoredEvent& event) {
  absl::MutexLock lock(&mu_);
  ApplyLocked(event);
}

void CaseProjection::Reset() {
  absl::MutexLock lock(&mu_);
  high_water_mark_ = 0;
  events_.clear();
  event_case_.clear();
  reversed_.clear();
}

uint64_t CaseProjection::high_water_mark() const {
  absl::MutexLock lock(&mu_);
  return high_water_mark_;
}

void CaseProjection::ApplyLocked(const StoredEvent& stored) {
  const Event& e = stored.event;
  high_water_mark_ = std::max(high_water_mark_, stored.seq);
  if (e.kind == EventKind::kCase) {
    if (!e.reference || !e.stage || reversed_.contains(e.id) || event_case_.contains(e.id)) return;
    event_case_.emplace(e.id, *e.reference);
    std::vector<StoredEvent>& list = events_[*e.reference];
    list.insert(std::upper_bound(list.begin(), list.end(), stored, Before), stored);
    return;
  }
  if (e.kind != EventKind::kReversal || !e.reverses || !reversed_.insert(*e.reverses).second) return;
  auto target = event_case_.find(*e.reverses);
  if (target == event_case_.end()) return;
  auto list = events_.find(target->second);
  if (list != events_.end()) {
    std::erase_if(list->second, [&](const StoredEvent& s) { return s.event.id == *e.reverses; });
    if (list->second.empty()) events_.erase(list);
  }
  // Kept in event_case_, so the reversed event applied again stays out.
}

std::optional<Case> CaseProjection::Find(std::string_view case_id, const OwnershipProjection& ownership,
                                         absl::Time as_of) const {
  absl::MutexLock lock(&mu_);
  auto it = events_.find(AbslView(case_id));
  if (it == events_.end()) return std::nullopt;
  return FoldCase(it->second, ownership, as_of);
}

std::vector<Case> CaseProjection::List(const CaseFilter& filter, const OwnershipProjection& ownership) const {
  std::vector<Case> out;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [id, events] : events_) {
      std::optional<Case> c = FoldCase(events, ownership, filter.as_of);
      if (!c) continue;
      if (filter.manager && c->manager != filter.manager) continue;
      if (filter.customer && c->customer != filter.customer) continue;
      if (filter.category && c->category != *filter.category) continue;
      if (filter.type && c->type != *filter.type) continue;
      if (filter.status && c->status != *filter.status) continue;
      if (filter.from && c->opened_at < *filter.from) continue;
      if (filter.until && c->opened_at >= *filter.until) continue;
      out.push_back(*std::move(c));
    }
  }
  std::sort(out.begin(), out.end(),
            [](const Case& a, const Case& b) { return std::tie(a.opened_at, a.id) < std::tie(b.opened_at, b.id); });
  return out;
}

std::vector<CaseAnomaly> CaseProjection::Anomalies(const OwnershipProjection& ownership, absl::Time as_of) const {
  std::vector<CaseAnomaly> out;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [id, events] : events_) {
      std::optional<Case> c = FoldCase(events, ownership, as_of, &out);
      if (c) out.insert(out.end(), c->anomalies.begin(), c->anomalies.end());
    }
  }
  std::sort(out.begin(), out.end(), [](const CaseAnomaly& a, const CaseAnomaly& b) {
    return std::tie(a.case_id, a.occurred_at, a.event) < std::tie(b.case_id, b.occurred_at, b.event);
  });
  return out;
}

}  // namespace cadre
