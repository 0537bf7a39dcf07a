// TrainingProjection: the training events of the log, per manager.
#include <algorithm>
#include <tuple>
#include <utility>

#include "cadre/status.h"
#include "cadre/store.h"
#include "cadre/training.h"
#include "cadre/workspace.h"

namespace cadre {

absl::Status TrainingProjection::CatchUp(const Workspace& workspace) {
  absl::MutexLock lock(&mu_);
  CADRE_ASSIGN_OR_RETURN(const uint64_t store_mark, workspace.HighWaterMark());
  if (store_mark <= high_water_mark_) return absl::OkStatus();
  EventQuery query;
  query.kinds = {EventKind::kTrainingEnrolled, EventKind::kTrainingCompleted, EventKind::kReversal};
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

void TrainingProjection::Apply(const StoredEvent& event) {
  absl::MutexLock lock(&mu_);
  ApplyLocked(event);
}

void TrainingProjection::Reset() {
  absl::MutexLock lock(&mu_);
  high_water_mark_ = 0;
  records_.clear();
  by_manager_.clear();
  reversed_.clear();
}

uint64_t TrainingProjection::high_water_mark() const {
  absl::MutexLock lock(&mu_);
  return high_water_mark_;
}

void TrainingProjection::ApplyLocked(const StoredEvent& stored) {
  const Event& e = stored.event;
  high_water_mark_ = std::max(high_water_mark_, stored.seq);
  switch (e.kind) {
    case EventKind::kTrainingEnrolled:
    case EventKind::kTrainingCompleted: {
      // Ingest guarantees manager and reference; a host feeding Apply() might not.
      if (!e.manager || !e.reference || reversed_.contains(e.id) || records_.contains(e.id)) return;
      TrainingRecord r;
      r.event = e.id;
      r.kind = e.kind;
      r.manager = *e.manager;
      r.course = *e.reference;
      if (e.kind == EventKind::kTrainingCompleted) {
        r.module = e.category;
        r.score = e.score;
      } else {
        r.due_on = e.due_on;
      }
      r.occurred_at = e.occurred_at;
      r.seq = stored.seq;
      by_manager_[r.manager].insert(r.event);
      records_.emplace(e.id, std::move(r));
      return;
    }
    case EventKind::kReversal: {
      if (!e.reverses || !reversed_.insert(*e.reverses).second) return;
      auto it = records_.find(*e.reverses);
      if (it == records_.end()) return;
      auto m = by_manager_.find(it->second.manager);
      if (m != by_manager_.end()) {
        m->second.erase(it->first);
        if (m->second.empty()) by_manager_.erase(m);
      }
      records_.erase(it);
      return;
    }
    default:
      return;
  }
}

std::vector<TrainingRecord> TrainingProjection::Records(std::string_view manager) const {
  absl::MutexLock lock(&mu_);
  std::vector<TrainingRecord> out;
  auto m = by_manager_.find(AbslView(manager));
  if (m == by_manager_.end()) return out;
  out.reserve(m->second.size());
  for (const std::string& id : m->second) out.push_back(records_.at(id));
  std::sort(out.begin(), out.end(), [](const TrainingRecord& a, const TrainingRecord& b) {
    return std::tie(a.occurred_at, a.seq) < std::tie(b.occurred_at, b.seq);
  });
  return out;
}

std::vector<std::string> TrainingProjection::Managers() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> out;
  out.reserve(by_manager_.size());
  for (const auto& [manager, _] : by_manager_) out.push_back(manager);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace cadre
